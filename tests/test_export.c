/*
 * test_export.c — `caseflow export`: the text format (quoting, numbers that
 * read back exactly, NaN), every table of a study's file against the HDF5
 * values, unfinished trials, and the output file rules (never over an
 * existing file without --force, never over anything but a regular file,
 * nothing left behind on failure).
 *
 * tests/analysis/test_export_load.py reads the same tables with Python's
 * csv module, numpy, pandas and R.
 */
#include "test_cli_run.h"

#include <float.h>

#include "output/csv_text.h"

static const char small_cfg[] =
    "run: { replications = 4; seed = 5L; horizon_months = 10; warmup_months = 2; };\n"
    "referrals: { rate_per_month = 15.0; };\n"
    "staff: { workers = 2; caseload_cap = 8; meeting_hours_per_day = 3.0; };\n"
    "casework: { meeting_hours = { dist = \"exponential\"; mean = 1.5; };\n"
    "            own_time_days = { dist = \"exponential\"; mean = 7.0; }; };\n"
    "exits: { probability_per_meeting = 0.2; shares = { work = 0.4; other = 0.6; }; };\n";

/* Scenario names with the separator and a quote, to be quoted. */
static const char study_cfg[] =
    "study: { name = \"q\"; base = \"small.cfg\"; replications = 4; seed = 5L;\n"
    "  scenarios = ( { name = \"three, \\\"quoted\\\"\"; set = [ \"staff.workers=3\" ]; } ); };\n";

/* ---- the text format ----------------------------------------------------- */

static char *format_row(char sep, const char *const *fields, int n)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    csv_text c;
    csv_begin(&c, f, sep);
    for (int i = 0; i < n; i++)
        csv_field(&c, fields[i]);
    csv_end_row(&c);
    fclose(f);
    return buf;
}

static void test_quoting(void **state)
{
    (void)state;
    const char *const fields[] = {"plain", "a,b", "say \"hi\"", "two\nlines", "tab\there", ""};
    char *csv = format_row(',', fields, 6);
    assert_string_equal(csv, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",tab\there,\n");
    free(csv);
    char *tsv = format_row('\t', fields, 6);
    assert_string_equal(tsv, "plain\ta,b\t\"say \"\"hi\"\"\"\t\"two\nlines\"\t\"tab\there\"\t\n");
    free(tsv);
}

static void test_numbers_read_back(void **state)
{
    (void)state;
    const double values[] = {0.1, 1.0 / 3, 2.0 / 3, 1e-300, 5e-324, DBL_MAX, -0.0, 123456789012345678.0, 146.3365857111631,
                             0.008247411000000001, 1e21, 42, -7.25};
    char buf[40];
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        csv_format_double(values[i], buf, sizeof buf);
        double back = strtod(buf, NULL);
        if (!(back == values[i] && signbit(back) == signbit(values[i])))
            fail_msg("%.17g printed as %s reads back as %.17g", values[i], buf, back);
        /* shortest: one digit fewer does not read back */
        char shorter[40];
        int digits = 0;
        for (const char *p = buf; *p && *p != 'e'; p++)
            digits += *p >= '0' && *p <= '9';
        snprintf(shorter, sizeof shorter, "%.*g", digits > 1 ? digits - 1 : 1, values[i]);
        if (digits > 1 && strtod(shorter, NULL) == values[i] && strlen(shorter) < strlen(buf))
            fail_msg("%.17g: %s is shorter than %s and reads back", values[i], shorter, buf);
    }
    csv_format_double(0.1, buf, sizeof buf);
    assert_string_equal(buf, "0.1");
    csv_format_double(42, buf, sizeof buf);
    assert_string_equal(buf, "42");
    csv_format_double(NAN, buf, sizeof buf);
    assert_string_equal(buf, "");
    csv_format_double(INFINITY, buf, sizeof buf);
    assert_string_equal(buf, "Inf");
    csv_format_double(-INFINITY, buf, sizeof buf);
    assert_string_equal(buf, "-Inf");
}

/* ---- tables against the file --------------------------------------------- */

typedef struct sum_row {
    uint32_t scenario;
    char metric[48];
    double mean, lo, hi;
} sum_row;

static void test_tables(void **state)
{
    cli_fixture *fx = *state;
    cli_write(fx, "small.cfg", small_cfg);
    cli_write(fx, "q.cfg", study_cfg);
    char file[PATH_MAX];
    cli_path(fx, "q.h5", file);
    assert_int_equal(cli_run(fx, "run q.cfg -o q.h5 --quiet"), 0);

    /* --list names the tables present with their rows */
    assert_int_equal(cli_run(fx, "export q.h5 --list"), 0);
    TS_ASSERT_CONTAINS(fx->out, "replications\t8\t");
    TS_ASSERT_CONTAINS(fx->out, "series\t");
    TS_ASSERT_NOT_CONTAINS(fx->out, "money/trials");
    TS_ASSERT_NOT_CONTAINS(fx->out, "failures");

    /* summary: every mean reads back exactly */
    assert_int_equal(cli_run(fx, "export q.h5 --table summary"), 0);
    char **lines;
    int n = cli_lines(fx->out, &lines);
    assert_string_equal(lines[0], "scenario,scenario_name,metric,unit,mean,ci_low,ci_high,replications");
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, 48);
    H5Tset_cset(str, H5T_CSET_UTF8);
    hid_t mem = H5Tcreate(H5T_COMPOUND, sizeof(sum_row));
    H5Tinsert(mem, "scenario", HOFFSET(sum_row, scenario), H5T_NATIVE_UINT32);
    H5Tinsert(mem, "metric", HOFFSET(sum_row, metric), str);
    H5Tinsert(mem, "mean", HOFFSET(sum_row, mean), H5T_NATIVE_DOUBLE);
    H5Tinsert(mem, "ci_low", HOFFSET(sum_row, lo), H5T_NATIVE_DOUBLE);
    H5Tinsert(mem, "ci_high", HOFFSET(sum_row, hi), H5T_NATIVE_DOUBLE);
    hid_t d = H5Dopen2(f, "/summary", H5P_DEFAULT);
    hid_t sp = H5Dget_space(d);
    int rows = (int)H5Sget_simple_extent_npoints(sp);
    sum_row *sum = calloc((size_t)rows, sizeof *sum);
    assert_true(H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, sum) >= 0);
    H5Sclose(sp);
    H5Dclose(d);
    H5Tclose(mem);
    H5Tclose(str);
    H5Fclose(f);
    assert_int_equal(n, rows + 1);
    for (int i = 0; i < rows; i++) {
        /* the scenario name has a comma and quotes: quoted, quotes doubled */
        const char *want_name = sum[i].scenario == 0 ? "0,base," : "1,\"three, \"\"quoted\"\"\",";
        if (strncmp(lines[i + 1], want_name, strlen(want_name)) != 0)
            fail_msg("row %d: %s does not start with %s", i, lines[i + 1], want_name);
        const char *p = lines[i + 1] + strlen(want_name);
        size_t mlen = strlen(sum[i].metric);
        assert_true(strncmp(p, sum[i].metric, mlen) == 0 && p[mlen] == ',');
        p = strchr(p + mlen + 1, ',') + 1; /* past the unit */
        char *end;
        double mean = strtod(p, &end);
        TS_ASSERT_SAME_DOUBLE(mean, sum[i].mean);
        double lo = strtod(end + 1, &end), hi = strtod(end + 1, &end);
        TS_ASSERT_SAME_DOUBLE(lo, sum[i].lo);
        TS_ASSERT_SAME_DOUBLE(hi, sum[i].hi);
    }
    free(lines);
    free(sum);

    /* series, long: one row per trial, metric (column) and month */
    assert_int_equal(cli_run(fx, "export q.h5 --table series/exits --format tsv"), 0);
    n = cli_lines(fx->out, &lines);
    assert_int_equal(n, 1 + 8 * 10 * 2);
    assert_string_equal(lines[0], "scenario\tscenario_name\treplication\tmonth\tmetric\tvalue");
    TS_ASSERT_CONTAINS(lines[1], "0\tbase\t0\t1\texits.work\t");
    TS_ASSERT_CONTAINS(lines[11], "0\tbase\t0\t1\texits.other\t");
    TS_ASSERT_CONTAINS(lines[n - 1], "1\t\"three, \"\"quoted\"\"\"\t3\t10\texits.other\t");
    free(lines);
    long long trials = cli_h5_length(file, "/replications");
    assert_int_equal(trials, 8);
    assert_int_equal(cli_run(fx, "export q.h5 --table series"), 0);
    long long cells = 0;
    static const char *const series[] = {"/series/referrals", "/series/waiting", "/series/active", "/series/meetings",
                                         "/series/utilisation", "/series/exits"};
    for (size_t i = 0; i < 6; i++)
        cells += cli_h5_length(file, series[i]);
    assert_int_equal(ts_count_newlines(fx->out), 1 + cells);

    /* per-trial tables: a row per trial, columns named */
    assert_int_equal(cli_run(fx, "export q.h5 --table exits_by_destination"), 0);
    n = cli_lines(fx->out, &lines);
    assert_int_equal(n, 9);
    assert_string_equal(lines[0], "trial,scenario,scenario_name,replication,work,other");
    free(lines);
    assert_int_equal(cli_run(fx, "export q.h5 --table replications"), 0);
    TS_ASSERT_CONTAINS(fx->out, ",seed_text\n");
    assert_int_equal(cli_run(fx, "export q.h5 --table participants"), 0);
    assert_int_equal(ts_count_newlines(fx->out), 1 + cli_h5_length(file, "/participants"));
    assert_int_equal(cli_run(fx, "export q.h5 --table scenario_parameters"), 0);
    assert_string_equal(fx->out, "scenario,scenario_name,key,value\n0,base,staff.workers,2\n"
                                 "1,\"three, \"\"quoted\"\"\",staff.workers,3\n");
    assert_int_equal(cli_run(fx, "export q.h5 --table destinations"), 0);
    assert_string_equal(fx->out, "index,name\n0,work\n1,other\n");
    assert_int_equal(cli_run(fx, "export q.h5 --table attributes"), 0);
    TS_ASSERT_CONTAINS(fx->out, "\nformat,caseflow-run\n");
    TS_ASSERT_CONTAINS(fx->out, "\nmaster_seed_text,5\n");
    TS_ASSERT_CONTAINS(fx->out, "\nconfig_text,\"run: {");
    for (const char *t = "paired_differences\0trial_extras\0scenarios\0"; *t; t += strlen(t) + 1)
        assert_int_equal(cli_run(fx, "export q.h5 --table %s", t), 0);
}

/* A failed trial keeps its rows, with empty values where nothing was
 * measured; /failures is a table then. */
static void test_unfinished_trials(void **state)
{
    cli_fixture *fx = *state;
    cli_write(fx, "small.cfg", small_cfg);
    assert_int_equal(cli_run_with(fx, "CASEFLOW_TEST_FAIL_TRIAL=1", "run small.cfg -o f.h5 --quiet"), 6);
    assert_int_equal(cli_run(fx, "export f.h5 --table exits_by_destination"), 0);
    char **lines;
    int n = cli_lines(fx->out, &lines);
    assert_int_equal(n, 5);
    assert_string_equal(lines[2], "1,0,base,1,,");
    assert_true(strncmp(lines[1], "0,0,base,0,", 11) == 0 && lines[1][11] >= '0' && lines[1][11] <= '9');
    free(lines);
    assert_int_equal(cli_run(fx, "export f.h5 --table series/waiting"), 0);
    TS_ASSERT_CONTAINS(fx->out, "\n0,base,1,1,waiting,\n");
    assert_int_equal(cli_run(fx, "export f.h5 --table failures"), 0);
    assert_string_equal(fx->out, "trial,reason\n1,injected failure (test hook CASEFLOW_TEST_FAIL_TRIAL)\n");
    /* a one-replication run has NaN intervals: empty fields */
    assert_int_equal(cli_run(fx, "run small.cfg -o one.h5 --reps 1 --quiet"), 0);
    assert_int_equal(cli_run(fx, "export one.h5 --table summary"), 0);
    TS_ASSERT_CONTAINS(fx->out, "\n0,base,wait_mean_days,days,");
    TS_ASSERT_CONTAINS(fx->out, ",,,1\n");
}

/* ---- the output file ----------------------------------------------------- */

static void test_output_rules(void **state)
{
    cli_fixture *fx = *state;
    cli_write(fx, "small.cfg", small_cfg);
    assert_int_equal(cli_run(fx, "run small.cfg -o r.h5 --quiet"), 0);
    char out[PATH_MAX];
    cli_path(fx, "sum.csv", out);

    assert_int_equal(cli_run(fx, "export r.h5 --table summary -o sum.csv"), 0);
    assert_string_equal(fx->out, "");
    char *first = ts_read_file(out, NULL);
    TS_ASSERT_CONTAINS(first, "scenario,scenario_name,metric,");
    /* exists: refused without --force, the file untouched */
    ts_write_file(out, "mine\n", 5);
    assert_int_equal(cli_run(fx, "export r.h5 --table summary -o sum.csv"), 3);
    TS_ASSERT_CONTAINS(fx->err, "use --force");
    char *kept = ts_read_file(out, NULL);
    assert_string_equal(kept, "mine\n");
    free(kept);
    assert_int_equal(cli_run(fx, "export r.h5 --table summary -o sum.csv --force"), 0);
    char *replaced = ts_read_file(out, NULL);
    assert_string_equal(replaced, first);
    free(replaced);
    free(first);
    /* -o - and no -o: stdout */
    assert_int_equal(cli_run(fx, "export r.h5 --table destinations -o -"), 0);
    assert_string_equal(fx->out, "index,name\n0,work\n1,other\n");
    /* the rules of every output file (output/outpath.h): only regular
     * files, even with --force: not a directory, not a device */
    assert_int_equal(cli_run(fx, "export r.h5 --table summary -o . --force"), 3);
    TS_ASSERT_CONTAINS(fx->err, "names a directory");
    assert_int_equal(cli_run(fx, "export r.h5 --table summary -o /dev/null --force"), 3);
    TS_ASSERT_CONTAINS(fx->err, "replaces only regular files");
    /* a symbolic link to a regular file is followed: the link stays, its
     * target gets the table (with --force only) */
    char link[PATH_MAX];
    cli_path(fx, "link.csv", link);
    assert_int_equal(symlink(out, link), 0);
    ts_write_file(out, "mine\n", 5);
    assert_int_equal(cli_run(fx, "export r.h5 --table destinations -o link.csv"), 3);
    TS_ASSERT_CONTAINS(fx->err, "use --force");
    assert_int_equal(cli_run(fx, "export r.h5 --table destinations -o link.csv --force"), 0);
    struct stat lsb;
    assert_int_equal(lstat(link, &lsb), 0);
    assert_true(S_ISLNK(lsb.st_mode));
    char *through = ts_read_file(out, NULL);
    assert_string_equal(through, "index,name\n0,work\n1,other\n");
    free(through);
    /* a table the file lacks, a file that is not one: exit 2, nothing written */
    assert_int_equal(cli_run(fx, "export r.h5 --table money/trials -o m.csv"), 2);
    TS_ASSERT_CONTAINS(fx->err, "the file has no table 'money/trials'; this file has: participants, replications");
    assert_int_equal(cli_run(fx, "export r.h5 --table nonsense -o m.csv"), 2);
    TS_ASSERT_CONTAINS(fx->err, "there is no table 'nonsense'");
    assert_int_equal(cli_run(fx, "export r.h5 --table series/nonsense"), 2);
    assert_int_equal(cli_run(fx, "export missing.h5 --table summary -o m.csv"), 2);
    TS_ASSERT_CONTAINS(fx->err, "missing.h5: cannot open as an HDF5 file");
    assert_int_equal(cli_run(fx, "export small.cfg --table summary -o m.csv"), 2);
    char m[PATH_MAX];
    cli_path(fx, "m.csv", m);
    assert_false(ts_exists(m));
    /* usage */
    assert_int_equal(cli_run(fx, "export r.h5"), 2);
    TS_ASSERT_CONTAINS(fx->err, "--list shows the tables");
    assert_int_equal(cli_run(fx, "export r.h5 --table summary --format xml"), 2);
    assert_int_equal(cli_run(fx, "export r.h5 --table summary --bogus"), 2);
    assert_int_equal(cli_run(fx, "export --table summary"), 2);
    /* nothing else left in the directory: no temporary files */
    assert_int_equal(cli_run(fx, "export r.h5 --table participants -o p.tsv --format tsv"), 0);
    char listing[PATH_MAX];
    cli_path(fx, "ls.txt", listing);
    char cmd[3 * PATH_MAX];
    snprintf(cmd, sizeof cmd, "ls -A '%s' > '%s'", fx->dir, listing);
    assert_int_equal(system(cmd), 0);
    char *names = ts_read_file(listing, NULL);
    TS_ASSERT_NOT_CONTAINS(names, "partial");
    free(names);
}

int main(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    unsetenv("SLURM_ARRAY_TASK_ID");
    unsetenv("SLURM_ARRAY_TASK_COUNT");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_numbers_read_back),
        cmocka_unit_test_setup_teardown(test_tables, cli_setup, cli_teardown),
        cmocka_unit_test_setup_teardown(test_unfinished_trials, cli_setup, cli_teardown),
        cmocka_unit_test_setup_teardown(test_output_rules, cli_setup, cli_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
