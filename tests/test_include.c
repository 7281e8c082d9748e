/*
 * test_include.c — @include in scenario and study files (issue 13 items 2
 * and 6), through the caseflow binary and the library.
 *
 * Owns: includes resolve relative to the including file whatever the
 * working directory; the stored text (config_text, study_text) is the
 * expanded text, so a changed included file makes --resume and merge
 * refuse (the digest covers it) and merge never reads the scenario's files;
 * messages about included text name the included file and its line; a FIFO
 * or a directory named by an include is refused with one line (exit 2)
 * rather than hanging; includes that nest too deep, or a deeply nested
 * included file, give their own message (not "memory exhausted"); an
 * @include inside a comment or string is text.
 *
 * Every command runs under `timeout`, so a regression that hangs fails the
 * test instead of stalling the suite. The binary is CASEFLOW_BIN (make
 * test-unit sets it); without it those tests are skipped.
 */
#include "test_support.h"

#include <sys/wait.h>

#include "scenario/study.h"

#define TIMEOUT_SECONDS 60

typedef struct fixture {
    const char *bin;
    char dir[PATH_MAX], sub[PATH_MAX];
    char stdout_path[PATH_MAX], stderr_path[PATH_MAX];
    char *stdout_text, *stderr_text;
} fixture;

static const char staff_inc[] =
    "# staff, included\n"
    "staff: { workers = 3; caseload_cap = 6;\n"
    "  meeting_hours_per_day = 3.0; };\n";

/* @include on line 3 */
static const char main_cfg[] =
    "run: { replications = 4; seed = 7L; horizon_months = 12; };\n"
    "referrals: { rate_per_month = 20.0; };\n"
    "@include \"%s\"\n"
    "casework: { meeting_hours = { dist = \"gamma\"; mean = 1.5; sd = 0.5; };\n"
    "            own_time_days = { dist = \"exponential\"; mean = 10.0; }; };\n"
    "exits: { probability_per_meeting = 0.08; shares = { work = 0.3; other = 0.7; }; };\n";

static void write_text(const char *dir, const char *name, const char *text)
{
    char path[2 * PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    ts_write_file(path, text, strlen(text));
}

/* sub/NAME: main_cfg including `inc`. */
static void write_main(fixture *fx, const char *name, const char *inc)
{
    char text[sizeof main_cfg + PATH_MAX];
    snprintf(text, sizeof text, main_cfg, inc);
    write_text(fx->sub, name, text);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    fx->bin = getenv("CASEFLOW_BIN");
    ts_make_temp_dir(fx->dir);
    snprintf(fx->sub, sizeof fx->sub, "%s/sub", fx->dir);
    mkdir(fx->sub, 0700);
    snprintf(fx->stdout_path, sizeof fx->stdout_path, "%s/stdout.txt", fx->dir);
    snprintf(fx->stderr_path, sizeof fx->stderr_path, "%s/stderr.txt", fx->dir);
    write_text(fx->sub, "staff.inc", staff_inc);
    write_main(fx, "main.cfg", "staff.inc");
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    free(fx->stdout_text);
    free(fx->stderr_text);
    ts_remove_tree(fx->dir);
    free(fx);
    return 0;
}

/* `cd DIR && timeout caseflow ARGS`, output captured; the exit status
 * (124: it hung and was stopped). */
static int cf_in(fixture *fx, const char *dir, const char *args)
{
    ts_need_binary(fx->bin);
    char bin[2 * PATH_MAX], cwd[PATH_MAX], cmd[7 * PATH_MAX];
    if (fx->bin[0] == '/')
        snprintf(bin, sizeof bin, "%s", fx->bin);
    else if (getcwd(cwd, sizeof cwd))
        snprintf(bin, sizeof bin, "%s/%s", cwd, fx->bin);
    else
        fail_msg("getcwd: %s", strerror(errno));
    snprintf(cmd, sizeof cmd, "timeout %d %s %s", TIMEOUT_SECONDS, bin, args);
    int code = ts_shell_capture(dir, cmd, fx->stdout_path, fx->stderr_path, &fx->stdout_text, &fx->stderr_text);
    char shown[2 * PATH_MAX];
    snprintf(shown, sizeof shown, "%s (in %s)", args, dir);
    ts_print_run(shown, code, fx->stderr_text);
    if (code == 124)
        fail_msg("caseflow %s did not finish within %d s (hangs?)", args, TIMEOUT_SECONDS);
    return code;
}

/* Exit 2 with one line containing each needle. */
static void expect_refused(fixture *fx, const char *args, const char *a, const char *b)
{
    assert_int_equal(cf_in(fx, fx->dir, args), 2);
    assert_int_equal(ts_count_newlines(fx->stderr_text), 1);
    TS_ASSERT_CONTAINS(fx->stderr_text, a);
    TS_ASSERT_CONTAINS(fx->stderr_text, b);
    TS_ASSERT_NOT_CONTAINS(fx->stderr_text, "memory exhausted");
    TS_ASSERT_NOT_CONTAINS(fx->stderr_text, "flex");
}

static void test_relative_to_including_file(void **state)
{
    fixture *fx = *state;
    /* from the main file's own folder, from its parent and from / */
    assert_int_equal(cf_in(fx, fx->sub, "check main.cfg"), 0);
    TS_ASSERT_CONTAINS(fx->stdout_text, "meeting_hours_per_day = 3.0;");
    assert_int_equal(cf_in(fx, fx->dir, "check sub/main.cfg"), 0);
    char args[2 * PATH_MAX];
    snprintf(args, sizeof args, "check %s/main.cfg", fx->sub);
    assert_int_equal(cf_in(fx, "/", args), 0);
    /* nested: an included file's own include is relative to it */
    char deeper[PATH_MAX + 8];
    snprintf(deeper, sizeof deeper, "%s/lib", fx->sub);
    mkdir(deeper, 0700);
    write_text(deeper, "staff.inc", "@include \"workers.inc\"\n");
    write_text(deeper, "workers.inc", staff_inc);
    write_main(fx, "nested.cfg", "lib/staff.inc");
    assert_int_equal(cf_in(fx, fx->dir, "check sub/nested.cfg"), 0);

    /* a message about included text names that file and its line */
    write_text(fx->sub, "bad.inc", "# bad staff\n\nstaff: { workers = 3; caseload_cap = 0; };\n");
    write_main(fx, "bad.cfg", "bad.inc");
    expect_refused(fx, "check sub/bad.cfg", "sub/bad.inc:3: staff.caseload_cap", "expected an integer >= 1");
    /* and lines after the include are still the main file's */
    write_main(fx, "after.cfg", "staff.inc");
    char path[2 * PATH_MAX];
    snprintf(path, sizeof path, "%s/after.cfg", fx->sub);
    char *text = ts_read_file(path, NULL);
    char *at = strstr(text, "probability_per_meeting = 0.08");
    memcpy(at, "probability_per_meeting = 1.50", 30);
    ts_write_file(path, text, strlen(text));
    free(text);
    expect_refused(fx, "check sub/after.cfg", "sub/after.cfg:6: exits.probability_per_meeting", "got 1.5");
}

/* The expanded text is what is stored and digested. */
static void test_stored_text_and_digest(void **state)
{
    fixture *fx = *state;
    char main_path[2 * PATH_MAX], inc_path[2 * PATH_MAX];
    snprintf(main_path, sizeof main_path, "%s/main.cfg", fx->sub);
    snprintf(inc_path, sizeof inc_path, "%s/staff.inc", fx->sub);
    study a, b;
    config_error err;
    if (study_load(&a, main_path, NULL, 0, &err) != 0)
        fail_msg("%s", err.message);
    TS_ASSERT_CONTAINS(a.scenarios[0].sc.text, "meeting_hours_per_day = 3.0;");
    TS_ASSERT_NOT_CONTAINS(a.scenarios[0].sc.text, "@include");
    char *changed = strdup(staff_inc);
    memcpy(strstr(changed, "3.0;"), "0.5;", 4);
    ts_write_file(inc_path, changed, strlen(changed));
    if (study_load(&b, main_path, NULL, 0, &err) != 0)
        fail_msg("%s", err.message);
    assert_true(a.digest != b.digest);
    study_free(&b);
    /* a study file's own includes too */
    write_text(fx->sub, "grid.inc", "grid = ( { key = \"staff.workers\"; values = [2, 4] } );\n");
    write_text(fx->sub, "study.cfg", "study: {\n  base = \"main.cfg\";\n  @include \"grid.inc\"\n};\n");
    char study_path[2 * PATH_MAX];
    snprintf(study_path, sizeof study_path, "%s/study.cfg", fx->sub);
    if (study_load(&b, study_path, NULL, 0, &err) != 0)
        fail_msg("%s", err.message);
    assert_int_equal(b.scenario_count, 3);
    TS_ASSERT_CONTAINS(b.text, "values = [2, 4]");
    uint64_t before = b.digest;
    study_free(&b);
    write_text(fx->sub, "grid.inc", "grid = ( { key = \"staff.workers\"; values = [2, 5] } );\n");
    if (study_load(&b, study_path, NULL, 0, &err) != 0)
        fail_msg("%s", err.message);
    assert_true(b.digest != before);
    study_free(&b);
    /* a study's message about included text names that file */
    write_text(fx->sub, "grid.inc", "grid = ( { key = \"staff.workers\"; values = [] } );\n");
    assert_int_equal(study_load(&b, study_path, NULL, 0, &err), -1);
    TS_ASSERT_CONTAINS(err.message, "grid.inc:1:");
    study_free(&a);
    free(changed);
}

static void test_resume_and_merge_use_what_is_stored(void **state)
{
    fixture *fx = *state;
    char inc_path[2 * PATH_MAX];
    snprintf(inc_path, sizeof inc_path, "%s/staff.inc", fx->sub);
    char *changed = strdup(staff_inc);
    memcpy(strstr(changed, "3.0;"), "0.5;", 4);

    /* --resume after the included file changed: refused */
    assert_int_equal(cf_in(fx, fx->dir, "run sub/main.cfg -o whole.h5 --quiet"), 0);
    ts_write_file(inc_path, changed, strlen(changed));
    assert_int_equal(cf_in(fx, fx->dir, "run sub/main.cfg -o whole.h5 --quiet --resume"), 4);
    TS_ASSERT_CONTAINS(fx->stderr_text, "different study");
    ts_write_file(inc_path, staff_inc, strlen(staff_inc));
    assert_int_equal(cf_in(fx, fx->dir, "run sub/main.cfg -o whole.h5 --quiet --resume"), 0);

    /* task files of before and after a change do not merge */
    assert_int_equal(cf_in(fx, fx->dir, "run sub/main.cfg -o t0.h5 --task 0 --tasks 2 --quiet"), 0);
    ts_write_file(inc_path, changed, strlen(changed));
    assert_int_equal(cf_in(fx, fx->dir, "run sub/main.cfg -o t1.h5 --task 1 --tasks 2 --quiet"), 0);
    assert_int_equal(cf_in(fx, fx->dir, "merge m.h5 t0.h5 t1.h5"), 4);
    TS_ASSERT_CONTAINS(fx->stderr_text, "different studies");
    ts_write_file(inc_path, staff_inc, strlen(staff_inc));
    assert_int_equal(cf_in(fx, fx->dir, "run sub/main.cfg -o t1.h5 --task 1 --tasks 2 --quiet --force"), 0);

    /* merge reads what the parts store: the scenario's files may be gone */
    char args[4 * PATH_MAX];
    snprintf(args, sizeof args, "mv %s %s.gone && mv %s/main.cfg %s/main.cfg.gone", inc_path, inc_path, fx->sub,
             fx->sub);
    assert_int_equal(system(args), 0);
    snprintf(args, sizeof args, "merge %s/m.h5 %s/t0.h5 %s/t1.h5", fx->dir, fx->dir, fx->dir);
    assert_int_equal(cf_in(fx, "/", args), 0);
    free(changed);
}

static void test_non_regular_and_nesting_refused(void **state)
{
    fixture *fx = *state;
    char fifo[2 * PATH_MAX];
    snprintf(fifo, sizeof fifo, "%s/pipe.inc", fx->sub);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    write_main(fx, "fifo.cfg", "pipe.inc");
    expect_refused(fx, "check sub/fifo.cfg", "sub/fifo.cfg:3: @include \"pipe.inc\"", "a FIFO");
    expect_refused(fx, "run sub/fifo.cfg -o x.h5 --quiet", "sub/fifo.cfg:3:", "a FIFO");
    assert_true(ts_exists(fifo)); /* left as it was */
    write_main(fx, "dir.cfg", "../sub");
    expect_refused(fx, "check sub/dir.cfg", "sub/dir.cfg:3: @include \"../sub\"", "a directory");
    write_main(fx, "missing.cfg", "nowhere.inc");
    expect_refused(fx, "check sub/missing.cfg", "sub/missing.cfg:3: @include \"nowhere.inc\"", "No such file");
    write_main(fx, "self.cfg", "self.cfg");
    expect_refused(fx, "check sub/self.cfg", "sub/self.cfg:3:", "nested more than 10 deep");
    /* deep nesting inside an included file: the 64-deep message, naming it */
    char deep[600];
    size_t n = (size_t)snprintf(deep, sizeof deep, "# deep\nx = ");
    for (int i = 0; i < 200; i++)
        deep[n++] = '(';
    for (int i = 0; i < 200; i++)
        deep[n++] = ')';
    snprintf(deep + n, sizeof deep - n, ";\n");
    write_text(fx->sub, "deep.inc", deep);
    write_main(fx, "deep.cfg", "deep.inc");
    expect_refused(fx, "check sub/deep.cfg", "sub/deep.inc:2:", "nested more than 64 deep");
    expect_refused(fx, "run sub/deep.cfg -o x.h5 --quiet", "sub/deep.inc:2:", "nested more than 64 deep");
    /* the same through a study's base */
    write_text(fx->sub, "deep_study.cfg", "study: { base = \"deep.cfg\"; };\n");
    expect_refused(fx, "check sub/deep_study.cfg", "sub/deep.inc:2:", "nested more than 64 deep");
    /* not a directive: in a comment, in a string, not at a line start */
    write_text(fx->sub, "quoted.cfg", "# @include \"pipe.inc\"\n/*\n@include \"pipe.inc\"\n*/\n");
    char path[2 * PATH_MAX];
    snprintf(path, sizeof path, "%s/quoted.cfg", fx->sub);
    char *text = ts_read_file(path, NULL);
    char full[4096];
    snprintf(full, sizeof full, "%s", text);
    free(text);
    snprintf(full + strlen(full), sizeof full - strlen(full), main_cfg, "staff.inc");
    ts_write_file(path, full, strlen(full));
    assert_int_equal(cf_in(fx, fx->dir, "check sub/quoted.cfg"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_relative_to_including_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stored_text_and_digest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume_and_merge_use_what_is_stored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_non_regular_and_nesting_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
