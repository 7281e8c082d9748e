/*
 * cli_main.c — the caseflow command line.
 *
 * Owns argument parsing, exit codes and the terminal summary; everything else
 * is delegated: io_config reads the scenario, runner runs it, io_h5 stores it.
 *
 * Exit codes: 0 success; 1 internal failure (out of memory, thread start);
 * 2 bad usage or bad scenario; 3 output problem (exists without --force,
 * cannot be created or written).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io_config.h"
#include "io_h5.h"
#include "runner.h"

#ifndef CASEFLOW_VERSION
#define CASEFLOW_VERSION "0.1.0"
#endif
#ifndef CASEFLOW_GIT_REVISION
#define CASEFLOW_GIT_REVISION "unknown"
#endif

enum { EXIT_OK = 0, EXIT_INTERNAL = 1, EXIT_USAGE = 2, EXIT_OUTPUT = 3 };

static void usage(FILE *out)
{
    fprintf(out,
            "usage: caseflow run CONFIG [-o FILE] [--reps N] [--seed S] [--threads N]\n"
            "                           [-s KEY=VALUE]... [--force] [--quiet]\n"
            "       caseflow check CONFIG [-s KEY=VALUE]...\n"
            "       caseflow keys\n"
            "       caseflow --help | --version\n"
            "\n"
            "run     runs the scenario's replications and writes one HDF5 file\n"
            "        (default results/<config name>.h5), then prints a summary\n"
            "check   validates the scenario and prints every key's resolved value\n"
            "keys    prints the reference of every scenario key (Markdown)\n"
            "\n"
            "  -o FILE        output file\n"
            "  --reps N       replications (same as -s run.replications=N)\n"
            "  --seed S       master seed (same as -s run.seed=S)\n"
            "  --threads N    worker threads (default: all cores); results do not depend on it\n"
            "  -s KEY=VALUE   set any scenario key, e.g. -s staff.workers=12 (recorded in the output)\n"
            "  --force        replace an existing output file\n"
            "  --quiet        no summary\n"
            "\n"
            "exit codes: 0 ok, 1 internal failure, 2 bad usage or scenario, 3 output cannot be written\n");
}

typedef struct cli_args {
    const char *command;
    const char *config;
    const char *output;
    const char *overrides[CONFIG_MAX_OVERRIDES + 2];
    int n_overrides;
    char reps_override[64], seed_override[64];
    int threads;
    int force, quiet;
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

static int parse_args(int argc, char **argv, cli_args *a)
{
    memset(a, 0, sizeof *a);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    a->threads = n > 0 ? (int)n : 1;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "-o") == 0 || strcmp(arg, "--reps") == 0 || strcmp(arg, "--seed") == 0 ||
            strcmp(arg, "--threads") == 0 || strcmp(arg, "-s") == 0) {
            if (!next) {
                fprintf(stderr, "caseflow: %s needs a value\n", arg);
                return -1;
            }
            i++;
            if (strcmp(arg, "-o") == 0) {
                a->output = next;
            } else if (strcmp(arg, "--reps") == 0) {
                long v;
                if (parse_positive(next, 1000000, &v) != 0) {
                    fprintf(stderr, "caseflow: --reps: expected an integer between 1 and 1000000, got '%s'\n", next);
                    return -1;
                }
                snprintf(a->reps_override, sizeof a->reps_override, "run.replications=%ld", v);
            } else if (strcmp(arg, "--seed") == 0) {
                char *end;
                errno = 0;
                unsigned long long v = strtoull(next, &end, 10);
                if (errno || *end || end == next || next[0] == '-' || v > (unsigned long long)LLONG_MAX) {
                    fprintf(stderr, "caseflow: --seed: expected an integer between 0 and %lld, got '%s'\n",
                            LLONG_MAX, next);
                    return -1;
                }
                snprintf(a->seed_override, sizeof a->seed_override, "run.seed=%llu", v);
            } else if (strcmp(arg, "--threads") == 0) {
                long v;
                if (parse_positive(next, 1024, &v) != 0) {
                    fprintf(stderr, "caseflow: --threads: expected an integer between 1 and 1024, got '%s'\n", next);
                    return -1;
                }
                a->threads = (int)v;
            } else if (add_override(a, next) != 0) {
                return -1;
            }
        } else if (strcmp(arg, "--force") == 0) {
            a->force = 1;
        } else if (strcmp(arg, "--quiet") == 0) {
            a->quiet = 1;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            fprintf(stderr, "caseflow: unknown option '%s' (see caseflow --help)\n", arg);
            return -1;
        } else if (!a->command) {
            a->command = arg;
        } else if (!a->config) {
            a->config = arg;
        } else {
            fprintf(stderr, "caseflow: unexpected argument '%s' (see caseflow --help)\n", arg);
            return -1;
        }
    }
    /* --reps and --seed are overrides too, so they are validated and
     * recorded like any other. */
    if (a->reps_override[0])
        a->overrides[a->n_overrides++] = a->reps_override;
    if (a->seed_override[0])
        a->overrides[a->n_overrides++] = a->seed_override;
    return 0;
}

static void default_output(const char *config, char *buf, size_t size)
{
    const char *base = strrchr(config, '/');
    base = base ? base + 1 : config;
    size_t len = strlen(base);
    const char *dot = strrchr(base, '.');
    if (dot && dot != base)
        len = (size_t)(dot - base);
    snprintf(buf, size, "results/%.*s.h5", (int)len, base);
}

static void print_metric(const h5out_metric *m, const char *label, double scale, const char *unit)
{
    if (m->replications >= 2)
        printf("  %-32s %10.2f %-10s 95%% CI [%.2f, %.2f]\n", label, m->mean * scale, unit, m->ci_low * scale,
               m->ci_high * scale);
    else
        printf("  %-32s %10.2f %-10s (CI needs 2+ replications)\n", label, m->mean * scale, unit);
}

static void print_summary(const config_scenario *sc, const runner_totals *t, const char *output)
{
    const model_params *mp = &sc->model;
    printf("caseflow %s: %s, %d replications, seed %llu, %d months (%d warm-up)\n", CASEFLOW_VERSION, sc->path,
           sc->replications, (unsigned long long)sc->seed, mp->horizon_months, mp->warmup_months);
    printf("  %d workers, caseload cap %d, %.1f referrals/month\n", mp->workers, mp->caseload_cap,
           mp->referral_rate_per_month);
    printf("after warm-up, mean per replication:\n");
    print_metric(&t->metrics[0], "wait for a slot", 1, "days");
    print_metric(&t->metrics[1], "time in programme", 1, "days");
    print_metric(&t->metrics[2], "waiting list", 1, "people");
    print_metric(&t->metrics[3], "participants assigned", 1, "people");
    print_metric(&t->metrics[4], "worker time in meetings", 100, "%");
    print_metric(&t->metrics[5], "referrals", 1, "/month");
    print_metric(&t->metrics[6], "exits", 1, "/month");
    size_t base = 7, nd = (size_t)mp->destinations;
    for (size_t d = 0; d < nd; d++) {
        char label[64];
        snprintf(label, sizeof label, "  to %s", mp->destination_names[d]);
        print_metric(&t->metrics[base + d], label, 1, "/month");
    }
    for (size_t d = 0; d < nd; d++) {
        char label[64];
        snprintf(label, sizeof label, "share of exits to %s", mp->destination_names[d]);
        print_metric(&t->metrics[base + nd + d], label, 100, "%");
    }
    double rate = t->wall_seconds > 0 ? (double)t->events / t->wall_seconds : 0;
    printf("%llu events in %.2f s (%.1f million events/s)", (unsigned long long)t->events, t->wall_seconds,
           rate / 1e6);
    if (output)
        printf("; %llu participant records in %s", (unsigned long long)t->participants, output);
    printf("\n");
}

static int command_run(const cli_args *a)
{
    config_scenario sc;
    config_error cerr;
    if (config_load(&sc, a->config, a->overrides, a->n_overrides, &cerr) != 0) {
        fprintf(stderr, "caseflow: %s\n", cerr.message);
        return EXIT_USAGE;
    }
    char output[PATH_MAX];
    if (a->output)
        snprintf(output, sizeof output, "%s", a->output);
    else
        default_output(a->config, output, sizeof output);
    struct stat st;
    if (!a->force && stat(output, &st) == 0) {
        fprintf(stderr, "caseflow: %s: output file exists; use --force to replace it\n", output);
        config_scenario_free(&sc);
        return EXIT_OUTPUT;
    }
    char err[1024];
    h5out_meta meta = {CASEFLOW_VERSION, CASEFLOW_GIT_REVISION, &sc};
    h5out *out = h5out_create(output, &meta, err, sizeof err);
    if (!out) {
        fprintf(stderr, "caseflow: %s\n", err);
        config_scenario_free(&sc);
        return EXIT_OUTPUT;
    }
    runner_totals totals;
    if (runner_run(&sc, a->threads, out, &totals, err, sizeof err) != 0) {
        h5out_abort(out);
        fprintf(stderr, "caseflow: %s: %s\n", output, err);
        config_scenario_free(&sc);
        return strstr(err, "out of memory") || strstr(err, "thread") ? EXIT_INTERNAL : EXIT_OUTPUT;
    }
    if (h5out_write_summary(out, totals.metrics, totals.metric_count) != 0) {
        fprintf(stderr, "caseflow: %s: %s\n", output, h5out_last_error(out));
        h5out_abort(out);
        config_scenario_free(&sc);
        return EXIT_OUTPUT;
    }
    if (h5out_finish(out, err, sizeof err) != 0) {
        fprintf(stderr, "caseflow: %s\n", err);
        config_scenario_free(&sc);
        return EXIT_OUTPUT;
    }
    if (!a->quiet)
        print_summary(&sc, &totals, output);
    config_scenario_free(&sc);
    return EXIT_OK;
}

static int command_check(const cli_args *a)
{
    config_scenario sc;
    config_error cerr;
    if (config_load(&sc, a->config, a->overrides, a->n_overrides, &cerr) != 0) {
        fprintf(stderr, "caseflow: %s\n", cerr.message);
        return EXIT_USAGE;
    }
    config_print(stdout, &sc);
    config_scenario_free(&sc);
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return EXIT_OK;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("caseflow %s (%s)\n", CASEFLOW_VERSION, CASEFLOW_GIT_REVISION);
            return EXIT_OK;
        }
    }
    cli_args a;
    if (parse_args(argc, argv, &a) != 0)
        return EXIT_USAGE;
    if (!a.command) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(a.command, "keys") == 0) {
        config_print_reference(stdout);
        return EXIT_OK;
    }
    if (strcmp(a.command, "run") != 0 && strcmp(a.command, "check") != 0) {
        fprintf(stderr, "caseflow: unknown command '%s' (expected run, check or keys)\n", a.command);
        return EXIT_USAGE;
    }
    if (!a.config) {
        fprintf(stderr, "caseflow: %s needs a scenario file (see caseflow --help)\n", a.command);
        return EXIT_USAGE;
    }
    return strcmp(a.command, "run") == 0 ? command_run(&a) : command_check(&a);
}
