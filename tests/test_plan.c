/*
 * test_plan.c — `caseflow plan`: known answers and the command's contract.
 *
 * Owns:
 *  (a) Erlang C: caseload cap 1, exit probability 1, exponential meetings
 *      and no own time make the core an M/M/c queue (tests/test_model.c
 *      checks the mapping), where the share placed at once is 1 - C(c, a).
 *      The smallest c with 1 - C(c, a) >= 0.8 follows from Erlang C
 *      (computed here); plan, with a mean constraint on wait_within_0d,
 *      must recommend it and the next c as runner-up, with each estimate's
 *      interval holding the exact value.
 *  (b) pruning never skips the optimum: a two-variable plan (workers and
 *      caseload cap, both declared more_is_better) against an exhaustive
 *      grid run here on the same seeds, whose cheapest feasible point is
 *      taken with the plan's documented order among equal costs. The test
 *      first checks its own premise (every point up to the optimum clearly
 *      decided by the grid's intervals), then that the plan agrees, ran
 *      fewer points than the grid holds and settled some by monotonicity.
 *  (c) no feasible point: exit 7, naming the constraint and the best value.
 *  (d) the files: -o writes every point (status, replications, estimates),
 *      --write-study writes a study that loads with one scenario per point
 *      run; a bad plan file exits 2 with file:line: key.
 * Fixed seeds throughout; intervals are the plan's own (per-test level).
 */
#include "test_support.h"

#include <hdf5.h>

#include "app/plan.h"
#include "app/runner.h"
#include "output/results.h"
#include "scenario/study.h"

#define DPM MODEL_DAYS_PER_MONTH

/* M/M/c: lambda = 2 a day, meetings exponential of 8 hours at 4 meeting
 * hours a day (mean 2 days: mu = 0.5 a day), so a = 4. */
static const char mmc_text[] =
    "run: { replications = 20; seed = 20261206L; horizon_months = 72; warmup_months = 12; };\n"
    "referrals: { rate_per_month = 60.875; };\n"
    "staff: { workers = 7; caseload_cap = 1; meeting_hours_per_day = 4.0; };\n"
    "casework: { meeting_hours = { dist = \"exponential\"; mean = 8.0; };\n"
    "            own_time_days = { dist = \"deterministic\"; value = 0.0; }; };\n"
    "exits: { probability_per_meeting = 1.0; shares = { work = 1.0; }; };\n"
    "service: { wait_days = [ 0 ]; };\n";
#define MMC_LAMBDA 2.0
#define MMC_MU 0.5
#define MMC_SHARE 0.8

typedef struct fixture {
    char dir[PATH_MAX], base[PATH_MAX], plan[PATH_MAX], h5[PATH_MAX], study[PATH_MAX];
} fixture;

static void fixture_make(fixture *fx, const char *plan_text)
{
    ts_make_temp_dir(fx->dir);
    snprintf(fx->base, sizeof fx->base, "%s/mmc.cfg", fx->dir);
    snprintf(fx->plan, sizeof fx->plan, "%s/plan.cfg", fx->dir);
    snprintf(fx->h5, sizeof fx->h5, "%s/plan.h5", fx->dir);
    snprintf(fx->study, sizeof fx->study, "%s/points.cfg", fx->dir);
    ts_write_file(fx->base, mmc_text, strlen(mmc_text));
    ts_write_file(fx->plan, plan_text, strlen(plan_text));
}

static int run_command(const char *const *args, int n, char **out, char **err)
{
    char *argv[16] = {"caseflow", "plan"};
    int argc = 2;
    for (int i = 0; i < n; i++)
        argv[argc++] = (char *)args[i];
    size_t ol, el;
    FILE *fo = open_memstream(out, &ol), *fe = open_memstream(err, &el);
    assert_non_null(fo);
    assert_non_null(fe);
    int rc = plan_command_io(argc, argv, fo, fe);
    fclose(fo);
    fclose(fe);
    return rc;
}

/* Probability of waiting in M/M/c with offered load a (as test_model.c). */
static double erlang_c(int c, double a)
{
    double term = 1, sum = 0;
    for (int k = 0; k < c; k++) {
        sum += term;
        term *= a / (k + 1);
    }
    double last = term * c / (c - a);
    return last / (sum + last);
}

/* ---- (a) Erlang C ------------------------------------------------------ */

static const char erlang_plan[] =
    "plan: {\n"
    "  base = \"mmc.cfg\";\n"
    "  min_replications = 10; step_replications = 10; max_replications = 200;\n"
    "  variables = ( { key = \"staff.workers\"; lower = 5; upper = 12; monotone = \"more_is_better\"; } );\n"
    "  constraints = ( { metric = \"wait_within_0d\"; at_least = 0.8; } );\n"
    "  objective = { minimise = \"posts\"; };\n"
    "};\n";

static void test_erlang_c_staffing(void **state)
{
    (void)state;
    double a = MMC_LAMBDA / MMC_MU;
    int smallest = -1;
    for (int c = 5; c <= 12 && smallest < 0; c++)
        if (1 - erlang_c(c, a) >= MMC_SHARE)
            smallest = c;
    assert_int_equal(smallest, 7); /* 1 - C(6, 4) = 0.715, 1 - C(7, 4) = 0.865 */
    fixture fx;
    fixture_make(&fx, erlang_plan);
    plan_spec ps;
    config_error cerr;
    if (plan_load(&ps, fx.plan, &cerr) != 0)
        fail_msg("%s", cerr.message);
    plan_outcome o;
    char err[2048];
    assert_int_equal(plan_solve(&ps, 0, 2, NULL, &o, err, sizeof err), 0);
    assert_true(o.recommended >= 0);
    const plan_point *rec = &o.point[o.recommended];
    print_message("  recommended c = %g (Erlang C: %d), share placed at once %.4f [%.4f, %.4f], exact %.4f\n",
                  rec->value[0], smallest, rec->est[0].estimate, rec->est[0].low, rec->est[0].high,
                  1 - erlang_c(smallest, a));
    TS_ASSERT_SAME_DOUBLE(rec->value[0], (double)smallest);
    assert_int_equal(rec->status, PLAN_FEASIBLE);
    assert_true(o.runner_up >= 0);
    TS_ASSERT_SAME_DOUBLE(o.point[o.runner_up].value[0], (double)smallest + 1);
    /* Every c run holds its exact value in the plan's interval, and the
     * ones below the answer were found infeasible by a test. */
    for (long i = 0; i < o.points; i++) {
        const plan_point *pt = &o.point[i];
        if (pt->order == 0)
            continue;
        double exact = 1 - erlang_c((int)pt->value[0], a);
        if (pt->value[0] > a)
            TS_ASSERT_IN_CI("share placed at once", exact, pt->est[0].estimate,
                            fmax(pt->est[0].high - pt->est[0].estimate, pt->est[0].estimate - pt->est[0].low));
        if (pt->value[0] < smallest)
            assert_int_equal(pt->status, PLAN_INFEASIBLE);
    }
    plan_outcome_free(&o);
    plan_free(&ps);
    ts_remove_tree(fx.dir);
}

/* ---- (b) pruning against an exhaustive grid ----------------------------- */

static const char grid_plan[] =
    "plan: {\n"
    "  base = \"mmc.cfg\";\n"
    "  min_replications = 10; step_replications = 10; max_replications = 200;\n"
    "  variables = ( { key = \"staff.workers\"; lower = 3; upper = 8; monotone = \"more_is_better\"; },\n"
    "                { key = \"staff.caseload_cap\"; lower = 1; upper = 3; monotone = \"more_is_better\"; } );\n"
    "  constraints = ( { metric = \"wait_within_0d\"; at_least = 0.8; } );\n"
    "  objective = { minimise = \"posts\"; };\n"
    "};\n";

#define GRID_REPS 40

/* The grid's own estimate at one point: mean and 99.9 % half-width. */
static void grid_point(const config_scenario *base, int workers, int cap, double *mean, double *half)
{
    char w[64], c[64], r[64];
    snprintf(w, sizeof w, "staff.workers=%d", workers);
    snprintf(c, sizeof c, "staff.caseload_cap=%d", cap);
    snprintf(r, sizeof r, "run.replications=%d", GRID_REPS);
    const char *set[] = {w, c, r};
    config_scenario sc;
    config_error cerr;
    if (config_derive(&sc, base, set, 3, NULL, NULL, 0, &cerr) != 0)
        fail_msg("%s", cerr.message);
    study st;
    assert_int_equal(study_of_scenario(&st, &sc, &cerr), 0);
    config_scenario_free(&sc);
    runner_options opt = {.threads = 2};
    runner_totals tot;
    char err[512];
    assert_int_equal(runner_run(&st, 0, GRID_REPS, &opt, NULL, &tot, err, sizeof err), 0);
    results_metric_info info[RESULTS_MAX_METRICS];
    size_t n = results_metric_info_for(&st.scenarios[0].sc.model, info);
    int k = -1;
    for (size_t i = 0; i < n; i++)
        if (strcmp(info[i].name, "wait_within_0d") == 0)
            k = (int)i;
    assert_true(k >= 0);
    double v[RESULTS_MAX_METRICS], sum = 0, sumsq = 0;
    for (size_t i = 0; i < tot.row_count; i++) {
        assert_int_equal(tot.rows[i].status, RESULTS_DONE);
        results_metric_values(&tot.rows[i], &st.scenarios[0].sc.model, v);
        sum += v[k];
        sumsq += v[k] * v[k];
    }
    *mean = sum / GRID_REPS;
    double sd = sqrt(fmax(0, (sumsq - sum * sum / GRID_REPS) / (GRID_REPS - 1)));
    *half = ts_t(0.999, GRID_REPS - 1) * sd / sqrt((double)GRID_REPS);
    runner_totals_free(&tot);
    study_free(&st);
}

static void test_pruning_keeps_optimum(void **state)
{
    (void)state;
    fixture fx;
    fixture_make(&fx, grid_plan);
    config_scenario base;
    config_error cerr;
    if (config_load(&base, fx.base, NULL, 0, &cerr) != 0)
        fail_msg("%s", cerr.message);
    /* Exhaustive grid; the optimum is the first feasible point taken
     * cheapest first (posts = workers), among equal cost with the most
     * slack in the monotone variables first (the higher cap). */
    int best_w = -1, best_c = -1;
    for (int w = 3; w <= 8 && best_w < 0; w++)
        for (int c = 3; c >= 1; c--) {
            double mean, half;
            grid_point(&base, w, c, &mean, &half);
            print_message("  grid: workers %d cap %d: %.4f +- %.4f\n", w, c, mean, half);
            /* the premise: the grid decides every point up to the optimum */
            assert_true(mean - half >= MMC_SHARE || mean + half < MMC_SHARE);
            if (mean - half >= MMC_SHARE) {
                best_w = w;
                best_c = c;
                break;
            }
        }
    assert_true(best_w > 0);
    plan_spec ps;
    if (plan_load(&ps, fx.plan, &cerr) != 0)
        fail_msg("%s", cerr.message);
    plan_outcome o;
    char err[2048];
    assert_int_equal(plan_solve(&ps, 0, 2, NULL, &o, err, sizeof err), 0);
    assert_true(o.recommended >= 0);
    print_message("  plan: workers %g cap %g (grid: %d, %d); %ld of %ld points run, %ld settled by monotonicity\n",
                  o.point[o.recommended].value[0], o.point[o.recommended].value[1], best_w, best_c, o.evaluated,
                  o.points, o.pruned);
    TS_ASSERT_SAME_DOUBLE(o.point[o.recommended].value[0], (double)best_w);
    TS_ASSERT_SAME_DOUBLE(o.point[o.recommended].value[1], (double)best_c);
    assert_true(o.pruned > 0);
    assert_true(o.evaluated < o.points);
    /* every point settled infeasible by monotonicity really is dominated by
     * an infeasible point that was run */
    for (long i = 0; i < o.points; i++) {
        const plan_point *pt = &o.point[i];
        if (pt->status != PLAN_PRUNED_INFEASIBLE)
            continue;
        const plan_point *by = &o.point[pt->pruned_by];
        assert_int_equal(by->status, PLAN_INFEASIBLE);
        assert_true(pt->value[0] <= by->value[0] && pt->value[1] <= by->value[1]);
    }
    plan_outcome_free(&o);
    plan_free(&ps);
    config_scenario_free(&base);
    ts_remove_tree(fx.dir);
}

/* ---- (c) unreachable ---------------------------------------------------- */

static const char impossible_plan[] =
    "plan: {\n"
    "  base = \"mmc.cfg\";\n"
    "  min_replications = 10; step_replications = 10; max_replications = 40;\n"
    "  variables = ( { key = \"staff.workers\"; lower = 2; upper = 8; monotone = \"more_is_better\"; } );\n"
    "  constraints = ( { metric = \"wait_within_0d\"; at_least = 0.99; } );\n"
    "};\n";

static void test_unreachable_exits_7(void **state)
{
    (void)state;
    fixture fx;
    fixture_make(&fx, impossible_plan); /* 8 workers place 1 - C(8, 4) = 94 % at once */
    char *out, *err;
    const char *args[] = {fx.plan, "--threads", "2", "-o", fx.h5, "--quiet"};
    int rc = run_command(args, 6, &out, &err);
    assert_int_equal(rc, CF_EXIT_UNREACHABLE);
    TS_ASSERT_CONTAINS(err, "no configuration meets mean wait_within_0d >= 0.99: the best reached is 0.94");
    TS_ASSERT_CONTAINS(err, "at staff.workers=8 (");
    TS_ASSERT_CONTAINS(out, "recommendation: none");
    assert_true(ts_exists(fx.h5)); /* the points are kept for a look */
    free(out);
    free(err);
    ts_remove_tree(fx.dir);
}

/* ---- (d) files and bad input ------------------------------------------- */

static long read_ints(hid_t f, const char *name, int *buf, long max)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    assert_true(d >= 0);
    hid_t sp = H5Dget_space(d);
    hsize_t dims[2] = {0, 0};
    H5Sget_simple_extent_dims(sp, dims, NULL);
    assert_true((long)dims[0] <= max);
    assert_true(H5Dread(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    H5Sclose(sp);
    H5Dclose(d);
    return (long)dims[0];
}

static void test_files(void **state)
{
    (void)state;
    fixture fx;
    fixture_make(&fx, erlang_plan);
    char *out, *err;
    const char *args[] = {fx.plan, "--threads", "2", "-o", fx.h5, "--write-study", fx.study, "--quiet"};
    assert_int_equal(run_command(args, 8, &out, &err), 0);
    TS_ASSERT_CONTAINS(out, "recommendation: staff.workers=7");
    TS_ASSERT_CONTAINS(out, "runner-up: staff.workers=8");
    TS_ASSERT_CONTAINS(out, "frontier");
    hid_t f = H5Fopen(fx.h5, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    int status[64], reps[64], order[64];
    long n = read_ints(f, "/plan/0/status", status, 64);
    assert_int_equal(n, 8); /* workers 5..12 */
    read_ints(f, "/plan/0/replications", reps, 64);
    read_ints(f, "/plan/0/order", order, 64);
    int run = 0;
    for (long i = 0; i < n; i++) {
        run += order[i] > 0;
        assert_true(order[i] > 0 ? reps[i] >= 10 : reps[i] == 0);
    }
    assert_int_equal(status[0], PLAN_INFEASIBLE);  /* c = 5 */
    assert_int_equal(status[2], PLAN_FEASIBLE);    /* c = 7 */
    assert_int_equal(status[7], PLAN_PRUNED_FEASIBLE);
    H5Fclose(f);
    study st;
    config_error cerr;
    if (study_load(&st, fx.study, NULL, 0, &cerr) != 0)
        fail_msg("%s", cerr.message);
    assert_int_equal(st.scenario_count, run + 1); /* the base, then every point run */
    study_free(&st);
    free(out);
    free(err);

    /* refuses to replace without --force */
    const char *again[] = {fx.plan, "-o", fx.h5, "--quiet"};
    assert_int_equal(run_command(again, 4, &out, &err), CF_EXIT_OUTPUT);
    free(out);
    free(err);
    ts_remove_tree(fx.dir);
}

static void test_bad_plan(void **state)
{
    (void)state;
    fixture fx;
    fixture_make(&fx, "plan: {\n  base = \"mmc.cfg\";\n"
                      "  variables = ( { key = \"staff.workers\"; lower = 5; upper = 9; } );\n"
                      "  constraints = ( { metric = \"wait_median_dayz\"; at_most = 14.0; probability = 0.9; } );\n"
                      "};\n");
    char *out, *err;
    const char *args[] = {fx.plan, "--quiet"};
    assert_int_equal(run_command(args, 2, &out, &err), CF_EXIT_INPUT);
    TS_ASSERT_CONTAINS(err, "plan.cfg:4: plan.constraints[0].metric: unknown metric 'wait_median_dayz' (did you "
                            "mean 'wait_median_days'?)");
    free(out);
    free(err);
    ts_remove_tree(fx.dir);

    fixture_make(&fx, "plan: {\n  base = \"mmc.cfg\";\n"
                      "  variables = ( { key = \"staff.workers\"; lower = 0; upper = 9; } );\n"
                      "  constraints = ( { metric = \"wait_median_days\"; at_most = 14.0; } );\n"
                      "};\n");
    assert_int_equal(run_command(args, 2, &out, &err), CF_EXIT_INPUT);
    TS_ASSERT_CONTAINS(err, "plan.cfg:3: plan.variables[0].lower: staff.workers=0 is not allowed");
    free(out);
    free(err);
    ts_remove_tree(fx.dir);
}

/* Every malformed plan file is refused with exit 2 and one message naming
 * the file, the line where there is one, and the key. A case's text is
 * whole, or (part) the base line, its own lines, and the default
 * variables and constraints where it gives none. */
static void test_bad_plan_table(void **state)
{
    (void)state;
    enum { WHOLE, PART, PART_NO_VARIABLES };
    struct {
        int shape;
        const char *text, *expect;
    } cases[] = {
        {WHOLE, "", "plan.cfg: plan: missing"},
        {WHOLE, "plan = 3;\n", "plan.cfg:1: plan: not a group"},
        {WHOLE, "plna: { };\n", "plan.cfg:1: plna: unknown key (did you mean 'plan'?)"},
        {PART_NO_VARIABLES, "", "plan.variables: missing"},
        {PART, "  variables = ( { key = \"staff.workers\"; lower = 9; upper = 5; } );\n",
         "plan.variables[0].upper: expected a number >= lower (9), got 5"},
        {PART, "  variables = ( { key = \"staff.workers\"; lower = 5; upper = 9; step = 0; } );\n",
         "plan.variables[0].step: expected a number > 0"},
        {PART, "  variables = ( { key = \"staff.workers\"; lower = 5; upper = 9; monotone = \"up\"; } );\n",
         "plan.variables[0].monotone: expected \"more_is_better\""},
        {PART, "  variables = ( { key = \"run.seed\"; lower = 5; upper = 9; } );\n",
         "plan.variables[0].key: run.seed cannot be a decision"},
        {PART, "  variables = ( { key = \"staff.workerz\"; lower = 5; upper = 9; } );\n",
         "plan.variables[0].lower: staff.workerz=5 is not allowed"},
        {PART, "  variables = ( { key = \"staff.workers\"; lower = 1; upper = 1000; },\n"
               "                { key = \"staff.caseload_cap\"; lower = 1; upper = 100; } );\n",
         "more than 20000 grid points"},
        {PART, "  min_replications = 50; max_replications = 10;\n",
         "plan.max_replications: expected at least min_replications (50)"},
        {PART, "  alpha = 0.7;\n", "plan.alpha: expected a number > 0 and < 0.5"},
        {PART, "  constraints = ( { metric = \"utilisation\"; at_most = 0.9; at_least = 0.1; } );\n",
         "give exactly one of at_most and at_least"},
        {PART, "  constraints = ( { metric = \"utilisation\"; at_most = 0.9; probability = 1.5; } );\n",
         "plan.constraints[0].probability: expected a number > 0 and < 1"},
        {PART, "  objective = { minimise = \"staff_cost\"; };\n",
         "plan.objective.minimise: staff_cost needs a money section"},
        {PART, "  objective = { cheapest = \"posts\"; };\n", "plan.objective.cheapest: unknown key"},
        {PART, "  scenarios = ( { name = \"x\"; set = [ \"staff.workerz=3\" ]; } );\n", "plan.scenarios[0].set:"},
        {PART, "  scenarios = ( { name = \"x\"; }, { name = \"x\"; } );\n",
         "plan.scenarios[0].name: 'x' is already the name of plan.scenarios[1]"},
        {WHOLE, "plan: { base = \"nope.cfg\"; };\n", "nope.cfg"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[2048];
        if (cases[i].shape == WHOLE)
            snprintf(text, sizeof text, "%s", cases[i].text);
        else
            snprintf(text, sizeof text, "plan: {\n  base = \"mmc.cfg\";\n%s%s%s};\n", cases[i].text,
                     cases[i].shape == PART_NO_VARIABLES || strstr(cases[i].text, "variables")
                         ? ""
                         : "  variables = ( { key = \"staff.workers\"; lower = 5; upper = 9; } );\n",
                     strstr(cases[i].text, "constraints")
                         ? ""
                         : "  constraints = ( { metric = \"utilisation\"; at_most = 0.9; } );\n");
        fixture fx;
        fixture_make(&fx, text);
        char *out, *err;
        const char *args[] = {fx.plan, "--quiet"};
        int rc = run_command(args, 2, &out, &err);
        if (rc != CF_EXIT_INPUT || !strstr(err, cases[i].expect) || ts_count_newlines(err) != 1)
            fail_msg("case %zu: exit %d, stderr \"%s\", expected exit 2 and one line with \"%s\"\n--- plan ---\n%s",
                     i, rc, err, cases[i].expect, text);
        free(out);
        free(err);
        ts_remove_tree(fx.dir);
    }
}

/* ---- (e) --resume ------------------------------------------------------ */

/* A plan resumed from its own outcome runs no replication and recommends the
 * same; resumed from part of it (the first points only) it runs only the
 * rest; from the file (-o, --resume) likewise, and a changed plan file is
 * refused with exit 4. */
static void test_resume(void **state)
{
    (void)state;
    fixture fx;
    fixture_make(&fx, erlang_plan);
    plan_spec ps;
    config_error cerr;
    if (plan_load(&ps, fx.plan, &cerr) != 0)
        fail_msg("%s", cerr.message);
    char err[2048];
    plan_outcome fresh, again, partial;
    assert_int_equal(plan_solve(&ps, 0, 2, NULL, &fresh, err, sizeof err), 0);
    assert_true(fresh.recommended >= 0 && fresh.replications > 0 && fresh.evaluated >= 2);
    assert_int_equal(plan_solve_resumed(&ps, 0, 2, NULL, &fresh, &again, err, sizeof err), 0);
    assert_int_equal(again.replications, 0);
    assert_int_equal(again.reused, fresh.evaluated);
    assert_int_equal(again.recommended, fresh.recommended);
    assert_int_equal(again.runner_up, fresh.runner_up);
    for (long i = 0; i < fresh.points; i++) {
        assert_int_equal(again.point[i].status, fresh.point[i].status);
        assert_int_equal(again.point[i].order, fresh.point[i].order);
        assert_int_equal(again.point[i].replications, fresh.point[i].replications);
    }
    /* the earlier run knew only its first point: the others are run, and
     * their replications are what the fresh run spent on them */
    long first = -1;
    uint64_t rest = 0;
    for (long i = 0; i < fresh.points; i++) {
        if (fresh.point[i].order == 1)
            first = i;
        else
            rest += (uint64_t)fresh.point[i].replications;
    }
    assert_true(first >= 0);
    plan_outcome known;
    memset(&known, 0, sizeof known);
    known.points = fresh.points;
    known.point = calloc((size_t)fresh.points, sizeof *known.point);
    assert_non_null(known.point);
    known.point[first] = fresh.point[first];
    assert_int_equal(plan_solve_resumed(&ps, 0, 2, NULL, &known, &partial, err, sizeof err), 0);
    assert_int_equal(partial.reused, 1);
    assert_int_equal(partial.replications, rest);
    assert_int_equal(partial.recommended, fresh.recommended);
    plan_outcome_free(&known);
    plan_outcome_free(&partial);
    plan_outcome_free(&again);
    plan_outcome_free(&fresh);
    plan_free(&ps);

    char *out, *errtext;
    const char *args[] = {fx.plan, "--threads", "2", "-o", fx.h5, "--quiet"};
    assert_int_equal(run_command(args, 6, &out, &errtext), 0);
    TS_ASSERT_CONTAINS(out, "recommendation: staff.workers=7");
    free(out);
    free(errtext);
    const char *resume[] = {fx.plan, "--threads", "2", "-o", fx.h5, "--resume", "--quiet"};
    assert_int_equal(run_command(resume, 7, &out, &errtext), 0);
    TS_ASSERT_CONTAINS(out, "recommendation: staff.workers=7");
    TS_ASSERT_CONTAINS(out, " 0 replications in ");
    free(out);
    free(errtext);
    /* another plan file (a comment more): refused, the file left as it was */
    FILE *pf = fopen(fx.plan, "a");
    assert_non_null(pf);
    fputs("# changed\n", pf);
    fclose(pf);
    assert_int_equal(run_command(resume, 7, &out, &errtext), CF_EXIT_MERGE);
    TS_ASSERT_CONTAINS(errtext, "another plan file, base scenario or build");
    free(out);
    free(errtext);
    /* the plan file as it was, but its base scenario edited: refused too */
    ts_write_file(fx.plan, erlang_plan, strlen(erlang_plan));
    assert_int_equal(run_command(resume, 7, &out, &errtext), 0);
    free(out);
    free(errtext);
    FILE *bf = fopen(fx.base, "a");
    assert_non_null(bf);
    fputs("# the base changed\n", bf);
    fclose(bf);
    assert_int_equal(run_command(resume, 7, &out, &errtext), CF_EXIT_MERGE);
    TS_ASSERT_CONTAINS(errtext, "another plan file, base scenario or build");
    free(out);
    free(errtext);
    /* --resume without -o */
    const char *no_out[] = {fx.plan, "--resume", "--quiet"};
    assert_int_equal(run_command(no_out, 3, &out, &errtext), CF_EXIT_INPUT);
    free(out);
    free(errtext);
    ts_remove_tree(fx.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_erlang_c_staffing),
        cmocka_unit_test(test_pruning_keeps_optimum),
        cmocka_unit_test(test_unreachable_exits_7),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_bad_plan),
        cmocka_unit_test(test_bad_plan_table),
        cmocka_unit_test(test_resume),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
