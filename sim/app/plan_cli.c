/*
 * plan_cli.c — `caseflow plan`'s command line: options (getopt_long), the
 * output checks made before the search, one search per plan scenario, the
 * report and the exit code. The search is plan.c's, the files
 * plan_output.c's.
 */
#include "app/plan.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/cli_args.h"
#include "app/cli_help.h"
#include "output/outpath.h"

/* The build --resume requires to be the same (the Makefile passes the git
 * revision, as for cli_main.c). */
#ifndef CASEFLOW_GIT_REVISION
#define CASEFLOW_GIT_REVISION "unknown"
#endif

/* One text for `caseflow plan --help` and `caseflow help plan`: cli_help.c. */
static void command_usage(FILE *out)
{
    cli_help_print(out, "plan");
}

int plan_command_io(int argc, char **argv, FILE *out, FILE *errout)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    cli_args args = {.command = "plan",
                     .file_kind = "a plan file",
                     .with_write_study = 1,
                     .usage = command_usage,
                     .threads = ncpu > 0 ? (int)ncpu : 1};
    int parsed = cli_args_parse(&args, argc, argv, out, errout);
    if (parsed != CLI_ARGS_CONTINUE)
        return parsed;
    const char *file = args.file, *h5 = args.output, *study_out = args.study_out;
    int force = args.force, quiet = args.quiet, threads = args.threads, resume = args.resume;
    if (resume && !h5) {
        fprintf(errout, "caseflow: plan: --resume needs -o PLAN.h5 (the file of the earlier run, updated in place)\n");
        return CF_EXIT_INPUT;
    }
    plan_spec *ps = calloc(1, sizeof *ps);
    plan_outcome *o = calloc(PLAN_MAX_SCENARIOS, sizeof *o);
    plan_outcome *prior = calloc(PLAN_MAX_SCENARIOS, sizeof *prior);
    int n_prior = 0;
    char fingerprint[600];
    if (!ps || !o || !prior) {
        free(ps);
        free(o);
        free(prior);
        fprintf(errout, "caseflow: plan: out of memory\n");
        return CF_EXIT_INTERNAL;
    }
    config_error cerr;
    char err[2048], h5_path[PATH_MAX], study_path[PATH_MAX];
    int rc = CF_EXIT_OK, solved = 0;
    if (plan_load(ps, file, &cerr) != 0) {
        fprintf(errout, "caseflow: %s\n", cerr.message);
        free(ps);
        free(o);
        free(prior);
        return CF_EXIT_INPUT;
    }
    if ((rc = plan_fingerprint(file, ps->scenario[0].sc.text, CASEFLOW_GIT_REVISION, fingerprint, sizeof fingerprint, err, sizeof err)) != 0) {
        fprintf(errout, "caseflow: plan: %s\n", err);
        goto out;
    }
    if (plan_check_metrics(ps, err, sizeof err) != 0) {
        fprintf(errout, "caseflow: %s\n", err);
        rc = CF_EXIT_INPUT;
        goto out;
    }
    /* Output problems found before the search, not after it. */
    if ((h5 && (rc = outpath_check(h5, force || resume, h5_path, sizeof h5_path, err, sizeof err)) != CF_EXIT_OK) ||
        (study_out && (rc = outpath_check(study_out, force, study_path, sizeof study_path, err, sizeof err)) !=
                          CF_EXIT_OK)) {
        fprintf(errout, "caseflow: plan: %s\n", err);
        goto out;
    }
    if (resume && (rc = plan_read_h5(h5_path, ps, fingerprint, prior, &n_prior, err, sizeof err)) != 0) {
        fprintf(errout, "caseflow: plan: %s\n", err);
        goto out;
    }
    for (int s = 0; s < ps->scenario_count; s++) {
        if (!quiet)
            fprintf(errout, "plan: scenario '%s': %ld points, up to %d replications each\n", ps->scenario[s].name,
                    ps->points, ps->max_replications);
        int src = plan_solve_resumed(ps, s, threads, quiet ? NULL : errout, s < n_prior ? &prior[s] : NULL, &o[s],
                                     err, sizeof err);
        solved = s + 1;
        if (src == 0 && !quiet && o[s].reused)
            fprintf(errout, "plan: scenario '%s': %ld points taken from %s (--resume), not run again\n",
                    ps->scenario[s].name, o[s].reused, h5);
        /* A checkpoint after each scenario but the last (written below), so
         * an interrupted plan resumes from the scenarios it finished. */
        if (src == 0 && h5 && s + 1 < ps->scenario_count &&
            (rc = plan_write_h5(h5_path, ps, o, solved, force || resume || s > 0, fingerprint, err, sizeof err)) !=
                CF_EXIT_OK) {
            fprintf(errout, "caseflow: plan: %s\n", err);
            goto out;
        }
        if (src != 0) {
            fprintf(errout, "caseflow: plan: %s\n", err);
            rc = src;
            goto out;
        }
        plan_report(out, ps, &o[s]);
        if (s + 1 < ps->scenario_count)
            fprintf(out, "\n");
    }
    if (h5 && (rc = plan_write_h5(h5_path, ps, o, solved, force || resume || solved > 1, fingerprint, err,
                                  sizeof err)) != CF_EXIT_OK) {
        fprintf(errout, "caseflow: plan: %s\n", err);
        goto out;
    }
    if (study_out && (rc = plan_write_study(study_path, ps, o, solved, force, err, sizeof err)) != CF_EXIT_OK) {
        fprintf(errout, "caseflow: plan: %s\n", err);
        goto out;
    }
    for (int s = 0; s < solved; s++)
        if (o[s].recommended < 0) {
            for (const char *line = o[s].unreachable; *line;) {
                const char *nl = strchr(line, '\n');
                int len = nl ? (int)(nl - line) : (int)strlen(line);
                fprintf(errout, "caseflow: plan: scenario '%s': %.*s\n", ps->scenario[s].name, len, line);
                line += len + (nl ? 1 : 0);
            }
            rc = CF_EXIT_UNREACHABLE;
        }
out:
    for (int s = 0; s < solved; s++)
        plan_outcome_free(&o[s]);
    for (int s = 0; s < n_prior; s++)
        plan_outcome_free(&prior[s]);
    plan_free(ps);
    free(ps);
    free(o);
    free(prior);
    return rc;
}

int plan_command(int argc, char **argv)
{
    return plan_command_io(argc, argv, stdout, stderr);
}
