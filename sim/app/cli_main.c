/*
 * cli_main.c — the caseflow command line.
 *
 * Owns argument parsing (getopt_long), which exit code a command ends with
 * and the terminal summary; everything else is delegated: scenario/config
 * reads the scenario, app/runner runs it, output/h5out stores it. The codes
 * themselves are output/exit_codes.h's; errors arrive with their class.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scenario/config.h"
#include "output/h5out.h"
#include "output/merge.h"
#include "output/outpath.h"
#include "scenario/study.h"
#include "app/runner.h"
#include "app/calibrate.h"
#include "app/plan.h"
#include "app/cli_service.h"
#include "app/cli_study.h"
#include "output/sensitivity.h"
#include "app/cli_state.h"
#include "output/money.h"
#include "app/cpus.h"
#include "app/cli_help.h"
#include "app/cli_export.h"

#ifndef CASEFLOW_VERSION
#define CASEFLOW_VERSION "0.1.0"
#endif
#ifndef CASEFLOW_GIT_REVISION
#define CASEFLOW_GIT_REVISION "unknown"
#endif

/* The overview lives with the per-command pages (cli_help.c). */
static void usage(FILE *out)
{
    cli_help_print(out, NULL);
}

typedef struct cli_args {
    const char *command;
    const char *config;
    const char *output;
    const char *overrides[CONFIG_MAX_OVERRIDES + 3];
    int n_overrides;
    char reps_override[64], seed_override[64];
    char precision_metric[64];   /* --precision METRIC=REL: replications until reached */
    double precision;
    long max_reps;
    char precision_override[64];
    int threads;
    int task, tasks;     /* -1 when not given */
    int force, quiet, resume;
    record_policy records;   /* --records */
    double progress_every;   /* --progress-every; < 0: default (60 s unless --quiet) */
    int done;            /* --help or --version answered: nothing else to do */
    char snapshot_override[PATH_MAX + 32]; /* --snapshot: run.snapshot=<absolute path> */
    cli_state state;     /* --save-state */
} cli_args;

static int parse_positive(const char *text, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || *end || end == text || v < 1 || v > max)
        return -1;
    *out = v;
    return 0;
}

static int add_override(cli_args *a, const char *text)
{
    if (a->n_overrides >= CONFIG_MAX_OVERRIDES) {
        fprintf(stderr, "caseflow: at most %d -s overrides\n", CONFIG_MAX_OVERRIDES);
        return -1;
    }
    a->overrides[a->n_overrides++] = text;
    return 0;
}

/* Long options without a short form get codes above the characters. */
enum {
    OPT_REPS = 256, OPT_SEED, OPT_THREADS, OPT_TASK, OPT_TASKS, OPT_PRECISION, OPT_MAX_REPS, OPT_FORCE, OPT_QUIET,
    OPT_RESUME, OPT_VERSION, OPT_RECORDS, OPT_PROGRESS_EVERY, OPT_SNAPSHOT, OPT_SAVE_STATE, OPT_SAVE_STATE_REP
};

static const struct option run_options[] = {
    {"reps", required_argument, NULL, OPT_REPS},
    {"seed", required_argument, NULL, OPT_SEED},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"task", required_argument, NULL, OPT_TASK},
    {"tasks", required_argument, NULL, OPT_TASKS},
    {"precision", required_argument, NULL, OPT_PRECISION},
    {"max-reps", required_argument, NULL, OPT_MAX_REPS},
    {"force", no_argument, NULL, OPT_FORCE},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"resume", no_argument, NULL, OPT_RESUME},
    {"records", required_argument, NULL, OPT_RECORDS},
    {"progress-every", required_argument, NULL, OPT_PROGRESS_EVERY},
    {"snapshot", required_argument, NULL, OPT_SNAPSHOT},
    {"save-state", required_argument, NULL, OPT_SAVE_STATE},
    {"save-state-replication", required_argument, NULL, OPT_SAVE_STATE_REP},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

/* The value of one option (code c, text v); 0, or -1 after a message. */
static int take_option(cli_args *a, int c, const char *v)
{
    long n;
    char *end = NULL;
    switch (c) {
    case 'o':
        a->output = v;
        return 0;
    case 's':
        return add_override(a, v);
    case OPT_REPS:
        if (parse_positive(v, 1000000, &n) != 0) {
            fprintf(stderr, "caseflow: --reps: expected an integer between 1 and 1000000, got '%s'\n", v);
            return -1;
        }
        snprintf(a->reps_override, sizeof a->reps_override, "run.replications=%ld", n);
        return 0;
    case OPT_SEED: {
        errno = 0;
        unsigned long long seed = strtoull(v, &end, 10);
        if (errno || *end || end == v || v[0] == '-' || seed > (unsigned long long)LLONG_MAX) {
            fprintf(stderr, "caseflow: --seed: expected an integer between 0 and %lld, got '%s'\n", LLONG_MAX, v);
            return -1;
        }
        snprintf(a->seed_override, sizeof a->seed_override, "run.seed=%llu", seed);
        return 0;
    }
    case OPT_THREADS:
        if (parse_positive(v, 1024, &n) != 0) {
            fprintf(stderr, "caseflow: --threads: expected an integer between 1 and 1024, got '%s'\n", v);
            return -1;
        }
        a->threads = (int)n;
        return 0;
    case OPT_PRECISION: {
        const char *eq = strrchr(v, '=');
        double rel = eq ? strtod(eq + 1, &end) : 0;
        if (!eq || eq == v || (size_t)(eq - v) >= sizeof a->precision_metric || *end || !(rel > 0) || rel >= 1) {
            fprintf(stderr, "caseflow: --precision: expected METRIC=REL with 0 < REL < 1 (e.g. "
                            "exits_per_month=0.02), got '%s'\n", v);
            return -1;
        }
        snprintf(a->precision_metric, sizeof a->precision_metric, "%.*s", (int)(eq - v), v);
        a->precision = rel;
        return 0;
    }
    case OPT_MAX_REPS:
        if (parse_positive(v, 1000000, &a->max_reps) != 0 || a->max_reps < 2) {
            fprintf(stderr, "caseflow: --max-reps: expected an integer between 2 and 1000000, got '%s'\n", v);
            return -1;
        }
        return 0;
    case OPT_RECORDS: {
        char why[256];
        if (record_policy_parse(v, &a->records, why, sizeof why) != 0) {
            fprintf(stderr, "caseflow: %s\n", why);
            return -1;
        }
        return 0;
    }
    case OPT_PROGRESS_EVERY:
        errno = 0;
        a->progress_every = strtod(v, &end);
        if (errno || end == v || *end || !(a->progress_every >= 0) || a->progress_every > 1e6) {
            fprintf(stderr, "caseflow: --progress-every: expected seconds between 0 (off) and 1000000, got '%s'\n", v);
            return -1;
        }
        return 0;
    case OPT_TASK:
    case OPT_TASKS:
        errno = 0;
        n = strtol(v, &end, 10);
        if (errno || *end || end == v || n < 0 || n > 1000000) {
            fprintf(stderr, "caseflow: %s: expected an integer between 0 and 1000000, got '%s'\n",
                    c == OPT_TASK ? "--task" : "--tasks", v);
            return -1;
        }
        *(c == OPT_TASK ? &a->task : &a->tasks) = (int)n;
        return 0;
    case OPT_FORCE:
        a->force = 1;
        return 0;
    case OPT_QUIET:
        a->quiet = 1;
        return 0;
    case OPT_RESUME:
        a->resume = 1;
        return 0;
    case OPT_SNAPSHOT: {
        /* Absolute, so the key means the same file whatever folder the
         * scenario is in (a relative run.snapshot is relative to it). */
        char cwd[PATH_MAX];
        if (v[0] == '/')
            snprintf(a->snapshot_override, sizeof a->snapshot_override, "run.snapshot=%s", v);
        else if (getcwd(cwd, sizeof cwd))
            snprintf(a->snapshot_override, sizeof a->snapshot_override, "run.snapshot=%s/%s", cwd, v);
        else {
            fprintf(stderr, "caseflow: --snapshot %s: %s\n", v, strerror(errno));
            return -1;
        }
        return add_override(a, a->snapshot_override);
    }
    case OPT_SAVE_STATE:
        a->state.path = v;
        return 0;
    case OPT_SAVE_STATE_REP:
        errno = 0;
        n = strtol(v, &end, 10);
        if (errno || *end || end == v || n < 0 || n > 1000000) {
            fprintf(stderr, "caseflow: --save-state-replication: expected an integer between 0 and 1000000, got '%s'\n", v);
            return -1;
        }
        a->state.replication = (int)n;
        return 0;
    }
    return -1;
}

/* Parses main's argv into a; returns 0, or the exit code to end with (a
 * message printed, or usage/version shown: CF_EXIT_OK with a->done set). */
static int parse_args(int argc, char **argv, cli_args *a)
{
    memset(a, 0, sizeof *a);
    a->threads = cpus_available();
    a->task = a->tasks = -1;
    a->progress_every = -1;
    a->max_reps = 10000;
    /* "-": words that are not options come back in order as code 1, so
     * the command and the scenario are where they were whatever
     * POSIXLY_CORRECT says; ":": a missing value is told apart from an
     * unknown option. Messages are caseflow's own (opterr 0). */
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "-:o:s:h", run_options, NULL)) != -1) {
        const char *word = argv[optind - 1];
        if (c == 1) {
            if (!a->command) {
                a->command = optarg;
            } else if (!a->config) {
                a->config = optarg;
            } else {
                fprintf(stderr, "caseflow: unexpected argument '%s' (see caseflow --help)\n", optarg);
                return CF_EXIT_INPUT;
            }
        } else if (c == 'h' || c == OPT_VERSION) {
            /* `caseflow COMMAND --help`: that command's page */
            if (c == 'h' && (!a->command || cli_help_print(stdout, a->command) != 0))
                usage(stdout);
            else if (c != 'h')
                printf("caseflow %s (%s)\n", CASEFLOW_VERSION, CASEFLOW_GIT_REVISION);
            a->done = 1;
            return CF_EXIT_OK;
        } else if (c == ':') {
            fprintf(stderr, "caseflow: %s needs a value\n", word);
            return CF_EXIT_INPUT;
        } else if (c == '?') {
            fprintf(stderr, "caseflow: unknown option '%s' (see caseflow --help)\n", word);
            return CF_EXIT_INPUT;
        } else if (take_option(a, c, optarg) != 0) {
            return CF_EXIT_INPUT;
        }
    }
    /* --reps and --seed are overrides too, so they are validated and
     * recorded like any other. */
    if (a->reps_override[0])
        a->overrides[a->n_overrides++] = a->reps_override;
    if (a->seed_override[0])
        a->overrides[a->n_overrides++] = a->seed_override;
    return CF_EXIT_OK;
}

static void default_output(const char *config, int task, int tasks, char *buf, size_t size)
{
    const char *base = strrchr(config, '/');
    base = base ? base + 1 : config;
    size_t len = strlen(base);
    const char *dot = strrchr(base, '.');
    if (dot && dot != base)
        len = (size_t)(dot - base);
    if (tasks > 1)
        snprintf(buf, size, "results/%.*s.task-%d-of-%d.h5", (int)len, base, task, tasks);
    else
        snprintf(buf, size, "results/%.*s.h5", (int)len, base);
}

static const results_summary *find_metric(const results_summary *s, size_t n, uint32_t scenario, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (s[i].scenario == scenario && strcmp(s[i].metric, name) == 0)
            return &s[i];
    return NULL;
}

static void print_metric(const results_summary *m, const char *label, double scale, const char *unit)
{
    if (!m)
        return;
    if (m->replications >= 2)
        printf("  %-32s %10.2f %-10s 95%% CI [%.2f, %.2f]\n", label, m->mean * scale, unit, m->ci_low * scale,
               m->ci_high * scale);
    else
        printf("  %-32s %10.2f %-10s (no CI from one replication: run with --reps 2 or more)\n", label, m->mean * scale, unit);
}

static void print_scenario(const study *st, int s, const results_summary *sum, size_t ns)
{
    const model_params *mp = &st->scenarios[s].sc.model;
    uint32_t sc = (uint32_t)s;
    char staff[96], inflow[96];
    if (mp->roles == 0) {
        snprintf(staff, sizeof staff, "%d workers, caseload cap %d", mp->workers, mp->caseload_cap);
    } else {
        int posts = 0;
        for (int t = 0; t < mp->teams; t++)
            for (int g = 0; g < mp->team[t].groups; g++)
                posts += mp->team[t].group[g].count;
        snprintf(staff, sizeof staff, "%d posts in %d teams (%d roles)", posts, mp->teams, mp->roles);
    }
    if (mp->sources == 0)
        snprintf(inflow, sizeof inflow, "%.1f referrals/month", mp->referral_rate_per_month);
    else
        snprintf(inflow, sizeof inflow, "%d referral sources", mp->sources);
    printf("scenario %d '%s': %s, %s; after warm-up, per replication:\n", s, st->scenarios[s].name, staff, inflow);
    print_metric(find_metric(sum, ns, sc, "waiting_list"), "waiting list", 1, "people");
    print_metric(find_metric(sum, ns, sc, "active"), "participants assigned", 1, "people");
    print_metric(find_metric(sum, ns, sc, "utilisation"), "worker time in meetings", 100, "%");
    print_metric(find_metric(sum, ns, sc, "exits_per_month"), "exits", 1, "/month");
    for (int d = 0; d < mp->destinations; d++) {
        char name[96], label[64];
        snprintf(name, sizeof name, "exits_per_month.%s", mp->destination_names[d]);
        snprintf(label, sizeof label, "  to %s", mp->destination_names[d]);
        print_metric(find_metric(sum, ns, sc, name), label, 1, "/month");
    }
    for (int d = 0; d < mp->destinations; d++) {
        char name[96], label[64];
        snprintf(name, sizeof name, "exit_share.%s", mp->destination_names[d]);
        snprintf(label, sizeof label, "share of exits to %s", mp->destination_names[d]);
        print_metric(find_metric(sum, ns, sc, name), label, 100, "%");
    }
    /* Hand-over (model_handover.c): whole run, only when on. */
    if (mp->has_successor) {
        char label[64];
        snprintf(label, sizeof label, "went on to %.20s (transfer)", mp->successor_name);
        print_metric(find_metric(sum, ns, sc, "transferred_to_successor"), label, 1, "people");
    }
    for (int r = 0; r < mp->receivers; r++) {
        const char *dest = mp->destination_names[mp->receiver[r].destination];
        char name[96], label[64];
        snprintf(name, sizeof name, "stuck.%s", dest);
        snprintf(label, sizeof label, "found %.20s full", dest);
        print_metric(find_metric(sum, ns, sc, name), label, 1, "people");
        snprintf(name, sizeof name, "stuck_days_mean.%s", dest);
        print_metric(find_metric(sum, ns, sc, name), "  waited for it, mean", 1, "days");
        snprintf(name, sizeof name, "stuck_at_end.%s", dest);
        print_metric(find_metric(sum, ns, sc, name), "  still waiting at the horizon", 1, "people");
    }
}

/* The money ledger of scenario 0, a row per account: net per participant
 * at each horizon and payback, each with its 95 % CI. */
static void print_money(const study *st, const runner_totals *t)
{
    const money_params *mp = &st->scenarios[0].sc.money;
    results_summary *sum = NULL;
    results_difference *diff = NULL;
    size_t ns = 0, nd = 0;
    if (money_summarise(t->money, t->row_count, st->scenario_count, mp, st->common_random_numbers, &sum, &ns, &diff,
                        &nd) != 0)
        return;
    const results_summary *cost = find_metric(sum, ns, 0, "money.cost_per_participant");
    printf("money (scenario 0, kr per participant; 95%% CI over replications)%s\n", cost ? ":" : "");
    if (cost)
        printf("  programme cost per participant %.0f [%.0f, %.0f]\n", cost->mean, cost->ci_low, cost->ci_high);
    const results_summary *year = find_metric(sum, ns, 0, "money.cost_per_year");
    if (year && year->replications > 0)
        printf("  programme cost per year        %.0f [%.0f, %.0f]\n", year->mean, year->ci_low, year->ci_high);
    const results_summary *good = find_metric(sum, ns, 0, "money.cost_per_good_exit");
    if (!st->scenarios[0].sc.model.good_destinations)
        printf("  cost per good exit: none, exits.good is unset (no destination counts as work or studies)\n");
    else if (good && good->replications > 0)
        printf("  cost per good exit             %.0f [%.0f, %.0f]\n", good->mean, good->ci_low, good->ci_high);
    else
        printf("  cost per good exit: no exit to work or studies in any replication\n");
    if (mp->costs_only) {
        printf("  costs only (no money.baseline): no net results or payback\n");
        free(sum);
        free(diff);
        return;
    }
    printf("  %-10s %-*s  payback\n", "account", 31 * mp->horizons - 1, "net result after each horizon");
    for (int acc = 0; acc < MONEY_ACCOUNTS; acc++) {
        printf("  %-10s", money_account_names[acc]);
        for (int h = 0; h < mp->horizons; h++) {
            /* The metric names carry the horizon's label; match by prefix. */
            const results_summary *net = NULL;
            int seen = 0;
            for (size_t i = 0; i < ns && !net; i++) {
                const char *dot = strrchr(sum[i].metric, '.');
                if (sum[i].scenario == 0 && strncmp(sum[i].metric, "money.net_", 10) == 0 && dot &&
                    strcmp(dot + 1, money_account_names[acc]) == 0 && seen++ == h)
                    net = &sum[i];
            }
            if (net) {
                char label[32];
                snprintf(label, sizeof label, "%.*s", (int)(strrchr(net->metric, '.') - net->metric - 10),
                         net->metric + 10);
                printf(" %3s %8.0f [%6.0f, %6.0f]", label, net->mean, net->ci_low, net->ci_high);
            }
        }
        char name[80];
        snprintf(name, sizeof name, "money.payback_months.%s", money_account_names[acc]);
        const results_summary *pb = find_metric(sum, ns, 0, name);
        snprintf(name, sizeof name, "money.payback_never.%s", money_account_names[acc]);
        const results_summary *never = find_metric(sum, ns, 0, name);
        if (pb && pb->replications > 0)
            printf("  %.1f months [%.1f, %.1f]", pb->mean, pb->ci_low, pb->ci_high);
        if (never && never->mean > 0)
            printf("  never within the horizon in %.0f%% of replications", 100 * never->mean);
        printf("\n");
    }
    free(sum);
    free(diff);
}

/* A task number from the environment into *value (untouched when the
 * variable is unset); 0, or -1 after a message. */
static int task_from_env(const char *name, int *value)
{
    const char *text = getenv(name);
    if (!text)
        return 0;
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < 0 || v > 1000000) {
        fprintf(stderr, "caseflow: %s='%s': expected an integer between 0 and 1000000\n", name, text);
        return -1;
    }
    *value = (int)v;
    return 0;
}

/* This process's slice: --task/--tasks, else Slurm's array variables, else
 * the whole study. Returns 0, or -1 after a message. */
static int resolve_task(const cli_args *a, int *task, int *tasks)
{
    *task = a->task;
    *tasks = a->tasks;
    int env_task = -1, env_tasks = -1, env_min = -1, env_max = -1;
    if (*task < 0 && *tasks < 0 &&
        (task_from_env("SLURM_ARRAY_TASK_ID", &env_task) != 0 || task_from_env("SLURM_ARRAY_TASK_COUNT", &env_tasks) != 0 ||
         task_from_env("SLURM_ARRAY_TASK_MIN", &env_min) != 0 || task_from_env("SLURM_ARRAY_TASK_MAX", &env_max) != 0))
        return -1;
    if (env_task >= 0 && env_tasks >= 0 && env_min >= 0 && env_max >= 0) {
        /* The whole study as one array, numbered 0..N-1 or 1..N. A part of
         * it (a resubmission of some tasks) cannot be told apart from a
         * smaller study, so it must say --task and --tasks. */
        if ((env_min != 0 && env_min != 1) || env_max - env_min + 1 != env_tasks) {
            fprintf(stderr, "caseflow: the Slurm array is %d-%d with %d tasks, not 0..N-1 or 1..N: pass --task and "
                            "--tasks\n", env_min, env_max, env_tasks);
            return -1;
        }
        *task = env_task - env_min;
        *tasks = env_tasks;
    }
    if (*task < 0 && task_from_env("SLURM_ARRAY_TASK_ID", task) != 0)
        return -1;
    if (*tasks < 0 && task_from_env("SLURM_ARRAY_TASK_COUNT", tasks) != 0)
        return -1;
    if (*tasks >= 0 && *task < 0) {
        /* Running slice 0 would look like success and leave the rest undone. */
        fprintf(stderr, "caseflow: %d tasks but no task index: say which slice this process runs with --task K "
                        "(or SLURM_ARRAY_TASK_ID)\n", *tasks);
        return -1;
    }
    if (*tasks < 0)
        *tasks = 1;
    if (*task < 0)
        *task = 0;
    if (*tasks < 1 || *task >= *tasks) {
        fprintf(stderr, "caseflow: task index %d out of range: expected 0 <= task < tasks (%d)\n", *task, *tasks);
        return -1;
    }
    return 0;
}

/* Test hook CASEFLOW_TEST_FINISH_DELAY_MS (h5out_set_finish_delay): 0
 * unless a test sets it. */
static int test_finish_delay_ms(void)
{
    const char *text = getenv("CASEFLOW_TEST_FINISH_DELAY_MS");
    long ms = text ? strtol(text, NULL, 10) : 0;
    return ms > 0 && ms < 60000 ? (int)ms : 0;
}

/* SIGINT and SIGTERM ask the runner to stop (see runner.h). A first SIGINT
 * (Ctrl-C) lets the trials in progress finish, a second drops them. SIGTERM
 * drops them at once: Slurm and scancel send it with a grace period before
 * SIGKILL that a long trial could outlast, and the file must be written
 * within it. Any signal after that ends the process the default way. */
static volatile sig_atomic_t stop_requests;
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    if (stop_requests >= 2) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    stop_signal = sig;
    stop_requests = sig == SIGTERM ? 2 : stop_requests + 1;
}

static void catch_stop_signals(int on)
{
    static const int sigs[] = {SIGINT, SIGTERM};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction sa, old;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on ? on_stop_signal : SIG_DFL;
        sigemptyset(&sa.sa_mask);
        sigaddset(&sa.sa_mask, SIGINT);
        sigaddset(&sa.sa_mask, SIGTERM);
        sa.sa_flags = SA_RESTART;
        /* A signal the caller ignores (e.g. SIGINT of a background job)
         * stays ignored. */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(sigs[i], &sa, NULL);
    }
}

/* Replications until the named metric's 95 % CI half-width is within the
 * relative precision for every scenario (or the cap): pilot runs without
 * output, each sized from the last by the square-root law, then the real
 * run with that many. Trials are seeded by index, so the pilots' trials
 * are the first ones of the real run. Returns the count, or -1. */
static long replications_for_precision(const cli_args *a)
{
    study st;
    config_error cerr;
    if (study_load(&st, a->config, a->overrides, a->n_overrides, &cerr) != 0) {
        fprintf(stderr, "caseflow: %s\n", cerr.message);
        return -1;
    }
    results_metric_info info[RESULTS_MAX_METRICS];
    size_t m = results_metric_info_for(&st.scenarios[0].sc.model, info);
    int known = 0;
    for (size_t k = 0; k < m; k++)
        known |= strcmp(info[k].name, a->precision_metric) == 0;
    long n = st.replications < 2 ? 2 : st.replications;
    if (!known) {
        study_free(&st);
        fprintf(stderr, "caseflow: --precision: no metric named '%s' (the metrics are those of /summary, e.g. "
                        "exits_per_month, programme_mean_days, wait_mean_days)\n", a->precision_metric);
        return -1;
    }
    /* The study is loaded once; each pilot sets its replications on it. */
    for (;;) {
        if (n > a->max_reps)
            n = a->max_reps;
        if (study_set_replications(&st, (int)n, &cerr) != 0) {
            study_free(&st);
            fprintf(stderr, "caseflow: %s\n", cerr.message);
            return -1;
        }
        runner_options opt = {.threads = a->threads};
        runner_totals totals;
        char err[1024];
        results_summary *sum = NULL;
        results_difference *diff = NULL;
        size_t ns = 0, nd = 0;
        int rc = runner_run(&st, 0, study_trial_count(&st), &opt, NULL, &totals, err, sizeof err);
        if (rc == 0)
            rc = results_summarise(totals.rows, totals.row_count, st.scenario_count, &st.scenarios[0].sc.model,
                                   st.common_random_numbers, &sum, &ns, &diff, &nd);
        double worst = 0;
        for (size_t i = 0; rc == 0 && i < ns; i++)
            if (strcmp(sum[i].metric, a->precision_metric) == 0) {
                double half = (sum[i].ci_high - sum[i].ci_low) / 2, rel = half / fabs(sum[i].mean);
                if (!(rel <= worst))
                    worst = isnan(rel) ? INFINITY : rel;
            }
        free(sum);
        free(diff);
        runner_totals_free(&totals);
        if (rc != 0 || worst <= a->precision || n >= a->max_reps)
            study_free(&st);
        if (rc != 0) {
            fprintf(stderr, "caseflow: --precision: a pilot run failed: %s\n", err);
            return -1;
        }
        if (worst <= a->precision) {
            fprintf(stderr, "caseflow: %ld replications give %s within +-%.3g %% (95 %% CI) in every scenario\n", n,
                    a->precision_metric, 100 * worst);
            return n;
        }
        if (n >= a->max_reps) {
            fprintf(stderr, "caseflow: warning: %s reaches only +-%.3g %% at the cap of %ld replications "
                            "(--max-reps); running %ld\n", a->precision_metric, 100 * worst, a->max_reps, n);
            return n;
        }
        /* The half-width shrinks as 1/sqrt(n); aim 10 % past the estimate. */
        double want = (double)n * (worst / a->precision) * (worst / a->precision) * 1.1;
        long next = isfinite(want) ? (long)ceil(want) : 2 * n;
        n = next > n ? next : n + 1;
    }
}
/* What the screen shows of a whole, finished study beside its summaries:
 * the money ledger's summaries and a sensitivity study's indices. */
typedef struct study_extras {
    results_summary *msum;
    results_difference *mdiff;
    size_t mns, mnd;
    sensitivity_result *sens;
} study_extras;

static void study_extras_free(study_extras *x)
{
    free(x->msum);
    free(x->mdiff);
    free(x->sens);
    memset(x, 0, sizeof *x);
}

/* Writes the summaries of a whole, finished study into out (results against
 * the study's reference, then the money ledger, then a sensitivity study's
 * indices) and gives them for the screen (the caller frees them). Returns 0
 * or the exit code after a message. */
static int write_summaries(const study *st, const runner_totals *totals, h5out *out, const char *output,
                           results_summary **sum, size_t *ns, results_difference **diff, size_t *nd,
                           diagnostics *diag, study_extras *x)
{
    if (results_summarise_against(totals->rows, totals->row_count, st->scenario_count, &st->scenarios[0].sc.model,
                                  st->common_random_numbers, st->reference, sum, ns, diff, nd) != 0) {
        fprintf(stderr, "caseflow: out of memory summarising\n");
        return CF_EXIT_INTERNAL;
    }
    if (h5out_write_summaries(out, "", *sum, *ns, *diff, *nd) != 0) {
        fprintf(stderr, "caseflow: %s: %s\n", output, h5out_last_error(out));
        return h5out_error_class(out);
    }
    /* Overload and warm-up warnings, stored in /diagnostics. */
    char err[1024];
    if (cli_diagnose(out, *sum, *ns, diag, err, sizeof err) != 0) {
        fprintf(stderr, "caseflow: %s: %s\n", output, err);
        return CF_EXIT_OUTPUT;
    }
    if (st->sensitivity.enabled) {
        if (!(x->sens = malloc(sizeof *x->sens))) {
            fprintf(stderr, "caseflow: out of memory computing the sensitivity indices\n");
            return CF_EXIT_INTERNAL;
        }
        if (sensitivity_compute(&st->sensitivity, *sum, *ns, st->scenario_count, x->sens, err, sizeof err) != 0) {
            fprintf(stderr, "caseflow: %s: the sensitivity indices: %s\n", output, err);
            return CF_EXIT_INTERNAL;
        }
        if (sensitivity_write(h5out_file(out), x->sens) != 0) {
            fprintf(stderr, "caseflow: %s: writing /sensitivity failed\n", output);
            return CF_EXIT_OUTPUT;
        }
    }
    if (!totals->money)
        return CF_EXIT_OK;
    if (money_summarise_against(totals->money, totals->row_count, st->scenario_count, &st->scenarios[0].sc.money,
                                st->common_random_numbers, st->reference, &x->msum, &x->mns, &x->mdiff,
                                &x->mnd) != 0) {
        fprintf(stderr, "caseflow: out of memory summarising the money ledger\n");
        return CF_EXIT_INTERNAL;
    }
    if (h5out_write_summaries(out, "/money", x->msum, x->mns, x->mdiff, x->mnd) != 0) {
        fprintf(stderr, "caseflow: %s: %s\n", output, h5out_last_error(out));
        return h5out_error_class(out);
    }
    return CF_EXIT_OK;
}

/* The message of a run that wrote its file but did not finish every trial
 * (interrupted, or trials failed); returns its exit code. */
static int report_unfinished(const runner_totals *totals, uint64_t count, const char *output, int progress)
{
    if (progress)
        fprintf(stderr, "\n");
    char failures[512] = "";
    if (totals->failed)
        snprintf(failures, sizeof failures, "; %llu failed (first: trial %llu: %s; reasons in /failures)",
                 (unsigned long long)totals->failed, (unsigned long long)totals->first_failed, totals->first_reason);
    if (totals->not_run) {
        fprintf(stderr,
                "caseflow: interrupted by %s: %llu of %llu trials finished%s; wrote %s, marked incomplete; "
                "run the same command with --resume to complete it\n",
                stop_signal == SIGINT ? "SIGINT" : "SIGTERM", (unsigned long long)totals->done,
                (unsigned long long)count, failures, output);
        return CF_EXIT_INTERRUPTED;
    }
    fprintf(stderr,
            "caseflow: %llu of %llu trials failed (first: trial %llu: %s); the other trials are in %s, "
            "marked incomplete (failed trials have status 2, reasons in /failures); run the same command "
            "with --resume to retry them\n",
            (unsigned long long)totals->failed, (unsigned long long)count, (unsigned long long)totals->first_failed,
            totals->first_reason, output);
    return CF_EXIT_TRIALS_FAILED;
}

/* The terminal summary of a run that finished every trial of its slice. */
static void report_finished(const cli_args *a, const study *st, const runner_totals *totals, int whole,
                            const results_summary *sum, size_t ns, const results_difference *diff, size_t nd,
                            const diagnostics *diag, const study_extras *x, int task, int tasks, uint64_t first,
                            uint64_t count, const char *output)
{
    printf("caseflow %s: %s '%s', %d scenario(s) x %d replications, seed %llu, %d months (%d warm-up)\n",
           CASEFLOW_VERSION, st->text[0] ? "study" : "scenario", st->name, st->scenario_count, st->replications,
           (unsigned long long)st->seed, st->scenarios[0].sc.model.horizon_months,
           st->scenarios[0].sc.model.warmup_months);
    if (whole) {
        cli_print_warnings(stdout, diag);
        int shown = st->scenario_count < 4 ? st->scenario_count : 1;
        for (int s = 0; s < shown; s++) {
            print_scenario(st, s, sum, ns);
            cli_print_service(stdout, st, s, sum, ns, diag);
        }
        for (int s = shown; s < st->scenario_count; s++)
            cli_print_targets(stdout, st, s, sum, ns);
        /* A sensitivity design's points are no scenarios to compare one by one. */
        if (st->scenario_count > 1 && !st->sensitivity.enabled)
            cli_print_study_table(stdout, st, sum, ns, diff, nd, x->msum, x->mns, x->mdiff, x->mnd);
        if (totals->money)
            print_money(st, totals);
        if (x->sens)
            cli_print_sensitivity(stdout, x->sens);
    } else {
        printf("task %d of %d: trials %llu..%llu of %llu (merge the task files with caseflow merge)\n", task, tasks,
               (unsigned long long)first, (unsigned long long)(first + count - 1),
               (unsigned long long)study_trial_count(st));
    }
    double rate = totals->wall_seconds > 0 ? (double)totals->events / totals->wall_seconds : 0;
    printf("%llu events in %.2f s (%.1f million events/s, %d threads); %llu participant records in %s\n",
           (unsigned long long)totals->events, totals->wall_seconds, rate / 1e6, a->threads,
           (unsigned long long)totals->participants, output);
}

static int command_run(cli_args *a)
{
    study st;
    int loaded = 0;
    h5prev *prev = NULL;
    h5out *out = NULL;
    runner_totals totals;
    memset(&totals, 0, sizeof totals);
    results_summary *sum = NULL;
    results_difference *diff = NULL;
    size_t ns = 0, nd = 0;
    diagnostics diag = {0};
    study_extras extras = {0};
    char output[PATH_MAX], err[1024];
    int rc = CF_EXIT_OK;

    /* Caught from the start, so a signal that comes while a large study
     * loads stops the run rather than killing it; still caught until the
     * file is in place, so a stop request during the final write cannot
     * leave a half-written temporary file behind. */
    catch_stop_signals(1);
    config_error cerr;
    if (study_load(&st, a->config, a->overrides, a->n_overrides, &cerr) != 0) {
        fprintf(stderr, "caseflow: %s\n", cerr.message);
        rc = CF_EXIT_INPUT;
        goto done;
    }
    loaded = 1;
    /* A metric the sensitivity study cannot compute fails before any trial runs. */
    if (st.sensitivity.enabled &&
        sensitivity_check_metrics(&st.sensitivity, &st.scenarios[0].sc.model, err, sizeof err) != 0) {
        fprintf(stderr, "caseflow: %s: %s\n", a->config, err);
        rc = CF_EXIT_INPUT;
        goto done;
    }
    int task, tasks;
    if (resolve_task(a, &task, &tasks) != 0) {
        rc = CF_EXIT_INPUT;
        goto done;
    }
    if (cli_state_request(&a->state, &st, tasks > 1 || a->resume) != 0) {
        rc = CF_EXIT_INPUT;
        goto done;
    }
    uint64_t first, count, total = study_trial_count(&st);
    study_slice(total, task, tasks, &first, &count);
    if ((uint64_t)tasks > total) {
        fprintf(stderr, "caseflow: %d tasks for %llu trials: some tasks would be empty; use at most %llu\n", tasks,
                (unsigned long long)total, (unsigned long long)total);
        rc = CF_EXIT_INPUT;
        goto done;
    }
    if (a->output) {
        snprintf(output, sizeof output, "%s", a->output);
    } else {
        default_output(a->config, task, tasks, output, sizeof output);
        mkdir("results", 0777); /* the default place; a failure shows in the check below */
    }
    /* The path is checked before anything runs (an hour's run must not end
     * on a typo), and a symbolic link is followed: the link stays. */
    char target[PATH_MAX];
    if ((rc = outpath_check(output, a->force || a->resume, target, sizeof target, err, sizeof err)) != CF_EXIT_OK) {
        fprintf(stderr, "caseflow: %s\n", err);
        goto done;
    }
    snprintf(output, sizeof output, "%s", target);
    outpath_clean_partials(output, stderr);
    struct stat sb;
    int exists = stat(output, &sb) == 0;
    h5out_meta meta = {CASEFLOW_VERSION, CASEFLOW_GIT_REVISION, &st, first, count, task, tasks};
    if (a->resume && exists) {
        /* The file being completed is read while the new one is written
         * beside it; the rename at the end replaces it. */
        if ((rc = h5prev_open(output, &meta, &prev, err, sizeof err)) != CF_EXIT_OK) {
            fprintf(stderr, "caseflow: %s\n", err);
            goto done;
        }
        /* A file keeps one kind of participant records (absent: all). */
        char kept[RECORD_POLICY_TEXT_LEN] = "all", want[RECORD_POLICY_TEXT_LEN];
        record_policy_text(&a->records, want, sizeof want);
        if (h5prev_text_attribute(prev, "participant_records", kept, sizeof kept) == 0 && strcmp(kept, want) != 0) {
            fprintf(stderr, "caseflow: cannot resume %s: it keeps participant records '%s', this run '%s' (use "
                            "--records %s)\n", output, kept, want, kept);
            rc = CF_EXIT_MERGE;
            goto done;
        }
        uint64_t finished = h5prev_finished(prev);
        if (finished == count) {
            if (!a->quiet)
                printf("%s: all %llu trials are finished already; nothing to resume\n", output,
                       (unsigned long long)count);
            goto done;
        }
        if (!a->quiet)
            printf("resuming %s: %llu of %llu trials finished already, running the other %llu\n", output,
                   (unsigned long long)finished, (unsigned long long)count, (unsigned long long)(count - finished));
    }
    /* Refuse up front rather than be killed by the kernel hours in. */
    if (runner_check_memory(&st, count, a->threads, err, sizeof err) != 0) {
        fprintf(stderr, "caseflow: %s\n", err);
        rc = CF_EXIT_INPUT;
        goto done;
    }
    if (stop_requests) {
        /* Nothing ran yet: an empty file would only replace a better one. */
        fprintf(stderr, "caseflow: interrupted by %s before any trial ran; nothing written\n",
                stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
        rc = CF_EXIT_INTERRUPTED;
        goto done;
    }
    if (!(out = h5out_create(output, &meta, err, sizeof err))) {
        fprintf(stderr, "caseflow: %s\n", err);
        rc = CF_EXIT_OUTPUT;
        goto done;
    }
    /* Without --force nothing is replaced, not even a file that appears
     * during the run; --resume replaces the file it completes. */
    h5out_allow_replace(out, a->force || (a->resume && exists));
    h5out_set_finish_delay(out, test_finish_delay_ms());
    /* A bar on a terminal; in a log, a line every --progress-every s. */
    int tty = isatty(STDERR_FILENO);
    runner_options opt = {.threads = a->threads,
                          .progress = !a->quiet && tty,
                          .progress_every = tty ? 0 : a->progress_every >= 0 ? a->progress_every : a->quiet ? 0 : 60,
                          .records = &a->records,
                          .stop = &stop_requests,
                          .resume = prev};
    if ((rc = runner_run(&st, first, count, &opt, out, &totals, err, sizeof err)) != CF_EXIT_OK) {
        fprintf(stderr, "caseflow: %s: %s\n", output, err);
        goto done;
    }
    h5prev_close(prev);
    prev = NULL;
    int whole = first == 0 && count == total;
    int finished = totals.done == count;
    /* An unfinished study has no summary: it would be over a subset. */
    if (whole && finished &&
        (rc = write_summaries(&st, &totals, out, output, &sum, &ns, &diff, &nd, &diag, &extras)) != CF_EXIT_OK)
        goto done;
    int finish_rc = h5out_finish(out, err, sizeof err);
    out = NULL; /* freed either way */
    if (finish_rc != 0) {
        fprintf(stderr, "caseflow: %s\n", err);
        rc = CF_EXIT_OUTPUT;
        goto done;
    }
    catch_stop_signals(0);
    if (finished && cli_state_write(&a->state, &st) != 0) {
        rc = CF_EXIT_OUTPUT;
        goto done;
    }
    if (!finished)
        rc = report_unfinished(&totals, count, output, opt.progress);
    else if (!a->quiet)
        report_finished(a, &st, &totals, whole, sum, ns, diff, nd, &diag, &extras, task, tasks, first, count, output);
done:
    if (out)
        h5out_abort(out);
    catch_stop_signals(0);
    h5prev_close(prev);
    free(sum);
    free(diff);
    study_extras_free(&extras);
    diagnostics_free(&diag);
    runner_totals_free(&totals);
    cli_state_free(&a->state);
    if (loaded)
        study_free(&st);
    return rc;
}

static int command_check(const cli_args *a)
{
    study st;
    config_error cerr;
    if (study_load(&st, a->config, a->overrides, a->n_overrides, &cerr) != 0) {
        fprintf(stderr, "caseflow: %s\n", cerr.message);
        return CF_EXIT_INPUT;
    }
    config_print(stdout, &st.scenarios[0].sc);
    int rc = study_print_differences(stdout, &st, &cerr) == 0 ? CF_EXIT_OK : CF_EXIT_INTERNAL;
    if (rc != CF_EXIT_OK)
        fprintf(stderr, "caseflow: %s\n", cerr.message);
    study_free(&st);
    return rc;
}

static int command_list(const cli_args *a)
{
    study st;
    config_error cerr;
    if (study_load(&st, a->config, a->overrides, a->n_overrides, &cerr) != 0) {
        fprintf(stderr, "caseflow: %s\n", cerr.message);
        return CF_EXIT_INPUT;
    }
    printf("# study '%s': %d scenarios x %d replications = %llu trials\n", st.name, st.scenario_count,
           st.replications, (unsigned long long)study_trial_count(&st));
    printf("# trial\tscenario\treplication\tseed\tname\tsettings\n");
    for (uint64_t t = 0; t < study_trial_count(&st); t++) {
        int s;
        uint32_t r;
        uint64_t seed;
        study_trial(&st, t, &s, &r, &seed);
        char settings[1024];
        snprintf(settings, sizeof settings, "%s", st.scenarios[s].settings);
        for (char *c = settings; *c; c++)
            if (*c == '\n')
                *c = c[1] ? ';' : '\0';
        printf("%llu\t%d\t%u\t%llu\t%s\t%s\n", (unsigned long long)t, s, r, (unsigned long long)seed,
               st.scenarios[s].name, settings);
    }
    study_free(&st);
    return CF_EXIT_OK;
}
static int command_merge(int argc, char **argv)
{
    static const struct option merge_options[] = {
        {"force", no_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int force = 0;
    const char *out = NULL;
    const char **parts = calloc((size_t)argc, sizeof *parts);
    int n = 0, rc = CF_EXIT_OK;
    if (!parts) {
        fprintf(stderr, "caseflow: merge: out of memory\n");
        return CF_EXIT_INTERNAL;
    }
    /* argv[1] is "merge"; the rest is parsed as its own command line. */
    optind = 0;
    opterr = 0;
    int c;
    while (rc == CF_EXIT_OK && (c = getopt_long(argc - 1, argv + 1, "-h", merge_options, NULL)) != -1) {
        if (c == 'f') {
            force = 1;
        } else if (c == 'h') {
            cli_help_print(stdout, "merge");
            free(parts);
            return CF_EXIT_OK;
        } else if (c == 1) {
            if (!out)
                out = optarg;
            else
                parts[n++] = optarg;
        } else {
            fprintf(stderr, "caseflow: merge: unknown option '%s'\n", argv[optind]);
            rc = CF_EXIT_INPUT;
        }
    }
    if (rc == CF_EXIT_OK && (!out || n == 0)) {
        fprintf(stderr, "caseflow: usage: caseflow merge OUT.h5 PART.h5... [--force]\n");
        rc = CF_EXIT_INPUT;
    }
    char err[1024], target[PATH_MAX];
    if (rc == CF_EXIT_OK && (rc = outpath_check(out, force, target, sizeof target, err, sizeof err)) != CF_EXIT_OK)
        fprintf(stderr, "caseflow: %s\n", err);
    if (rc == CF_EXIT_OK) {
        outpath_clean_partials(target, stderr);
        if ((rc = merge_files(target, parts, n, force, err, sizeof err)) != CF_EXIT_OK)
            fprintf(stderr, "caseflow: merge: %s\n", err);
    }
    if (rc == CF_EXIT_OK)
        printf("merged %d part(s) into %s\n", n, out);
    free(parts);
    return rc;
}

int main(int argc, char **argv)
{
    /* HDF5 1.10's exit handler crashes (SIGSEGV) when a file failed to close,
     * as on a full disk; every file is closed explicitly, so it has nothing
     * to do anyway. Must come before any other HDF5 call. */
    H5dont_atexit();
    /* calibrate, merge, export and help have command lines of their own;
     * `keys --help` and `export --help` show their pages. */
    if (argc > 1 && strcmp(argv[1], "calibrate") == 0)
        return calibrate_command(argc, argv);
    if (argc > 1 && strcmp(argv[1], "plan") == 0)
        return plan_command(argc, argv);
    if (argc > 1 && strcmp(argv[1], "merge") == 0)
        return command_merge(argc, argv);
    if (argc > 1 && strcmp(argv[1], "help") == 0)
        return cli_help_command(argc, argv);
    if (argc > 1 && (strcmp(argv[1], "export") == 0 || strcmp(argv[1], "keys") == 0))
        for (int i = 2; i < argc; i++)
            if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
                cli_help_print(stdout, argv[1]);
                return CF_EXIT_OK;
            }
    if (argc > 1 && strcmp(argv[1], "export") == 0)
        return cli_export_command(argc, argv);
    if (argc > 1 && strcmp(argv[1], "keys") == 0) {
        if (argc == 3 && strcmp(argv[2], "--json") == 0) {
            config_print_keys_json(stdout);
            return CF_EXIT_OK;
        }
        if (argc > 2) {
            fprintf(stderr, "caseflow: keys takes no arguments but --json (got '%s')\n", argv[2]);
            return CF_EXIT_INPUT;
        }
    }
    cli_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != CF_EXIT_OK || a.done)
        return rc;
    if (!a.command) {
        usage(stderr);
        return CF_EXIT_INPUT;
    }
    if (strcmp(a.command, "keys") == 0) {
        config_print_reference(stdout);
        return CF_EXIT_OK;
    }
    if (strcmp(a.command, "run") != 0 && strcmp(a.command, "check") != 0 && strcmp(a.command, "list") != 0) {
        fprintf(stderr, "caseflow: unknown command '%s' (expected run, check, list, merge, calibrate, plan, keys, export or help)\n",
                a.command);
        return CF_EXIT_INPUT;
    }
    if (!a.config) {
        fprintf(stderr, "caseflow: %s needs a scenario file (see caseflow --help)\n", a.command);
        return CF_EXIT_INPUT;
    }
    if (strcmp(a.command, "list") == 0)
        return command_list(&a);
    if (strcmp(a.command, "run") == 0 && a.precision_metric[0]) {
        long reps = replications_for_precision(&a);
        if (reps < 0)
            return CF_EXIT_INPUT;
        snprintf(a.precision_override, sizeof a.precision_override, "run.replications=%ld", reps);
        a.overrides[a.n_overrides++] = a.precision_override;
    }
    return strcmp(a.command, "run") == 0 ? command_run(&a) : command_check(&a);
}
