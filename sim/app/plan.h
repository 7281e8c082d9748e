/*
 * plan.h — `caseflow plan`: the best staffing that meets service levels,
 * with a stated statistical guarantee.
 *
 * Owns the search over a plan file's grid (scenario/plan_file.h) for one of
 * its scenarios, and what it found. The method (docs/PLAN.md says the same
 * for users, with the references):
 *
 *  - Feasibility determination by sequential tests. Every point starts with
 *    min_replications and gains step_replications per stage up to
 *    max_replications; after each stage every constraint not yet decided is
 *    tested. A chance constraint P(metric <= b) >= p is a binomial
 *    proportion (the replications meeting the bound): it is met when the
 *    one-sided Clopper-Pearson lower bound reaches p, not met when the upper
 *    bound falls below p. A mean constraint uses the one-sided Student-t
 *    bound on the mean in the same way. A point is infeasible as soon as one
 *    constraint is not met (no more replications), feasible when all are.
 *    This is the sequential, Bonferroni-corrected form of the
 *    feasibility-determination problem of Batur & Kim (2010) without their
 *    indifference zone: a point whose true value sits on the bound is never
 *    decided, and stops undecided at max_replications.
 *  - The error rate alpha of one scenario's plan is split (Bonferroni) over
 *    every grid point x constraint x stage: each test is run at
 *    alpha / (points x constraints x stages). The union bound needs no
 *    independence, so it holds with common random numbers across points.
 *  - Common random numbers: replication r of every point runs on the same
 *    seed, so points see the same referrals.
 *  - Monotonicity, where the plan declares it: a point dominated by an
 *    infeasible one (worse or equal on every variable, worse only in
 *    variables declared monotone) is infeasible without a run, and one that
 *    dominates a feasible one is feasible. A recommendation or runner-up
 *    settled that way is run all the same, for its estimates and as a check
 *    of the declaration (a contradiction is reported).
 *  - Objectives staff_cost, fte and posts are known without simulation:
 *    points are taken cheapest first — ties with the most of the monotone
 *    variables first (an infeasible one then settles the others of its cost),
 *    then in grid order — and the search
 *    stops at the second feasible point (the runner-up), so the first
 *    feasible point is the cheapest feasible one. A metric objective is
 *    estimated: every point not pruned is decided, the feasible point with
 *    the best estimated mean wins (no guarantee on that choice itself).
 *
 * Guarantee: if every replication of a point is an independent draw of the
 * model (they are: independent seeds) and the declared monotonicity holds,
 * then with probability at least 1 - alpha every feasible/infeasible
 * decision of the plan is right, so the recommendation meets every
 * constraint and (for a cost objective) no cheaper point does — except
 * points left undecided at max_replications, which are listed. Mean
 * constraints rely on the t bound (the mean over replications being
 * near-normal), chance constraints on nothing more than independence.
 */
#ifndef CASEFLOW_PLAN_H
#define CASEFLOW_PLAN_H

#include <stdint.h>
#include <stdio.h>

#include "scenario/plan_file.h"
#include "output/exit_codes.h"

enum plan_status {
    PLAN_NOT_EVALUATED = 0, /* not needed: costlier than the runner-up */
    PLAN_FEASIBLE = 1,
    PLAN_INFEASIBLE = 2,
    PLAN_PRUNED_FEASIBLE = 3,   /* dominates a feasible point (declared monotone) */
    PLAN_PRUNED_INFEASIBLE = 4, /* dominated by an infeasible point */
    PLAN_UNDECIDED = 5,         /* max_replications reached with a constraint undecided */
    PLAN_INVALID = 6            /* the settings do not make a valid scenario */
};
#define PLAN_STATUSES 7
extern const char *const plan_status_names[PLAN_STATUSES];

typedef struct plan_estimate {
    double estimate;  /* the share meeting the bound (chance) or the mean */
    double low, high; /* the interval the tests use: each side at the per-test level */
    int decided;      /* +1 met, -1 not met, 0 undecided */
    int n;            /* replications it rests on (mean: those where the metric is defined) */
} plan_estimate;

typedef struct plan_point {
    long index;                          /* in the grid */
    double value[PLAN_MAX_VARIABLES];
    double cost;                         /* the objective: cost, FTE, posts, or the metric's mean */
    int status;                          /* enum plan_status */
    int replications;
    long pruned_by;                      /* the point that decided it (pruned), else -1 */
    int order;                           /* 1-based evaluation order, 0: not run */
    plan_estimate est[PLAN_MAX_CONSTRAINTS];
} plan_point;

typedef struct plan_outcome {
    int scenario;
    long points;
    plan_point *point;                   /* every grid point, in grid order */
    long recommended, runner_up;         /* grid indices, -1 when none */
    long evaluated, pruned, undecided;
    uint64_t replications;               /* run, over all points */
    double seconds;
    double alpha_each;                   /* the level of each test */
    int stages;
    int metric_index[PLAN_MAX_CONSTRAINTS + 1]; /* the constraints', then the objective's */
    char unreachable[2048];              /* no feasible point: why, one line per constraint */
    char invalid[512];                   /* the first point whose settings were refused */
    char contradiction[768];             /* a point settled feasible by monotonicity tested infeasible */
    long reused;                         /* points taken from an earlier run (--resume), not run again */
    const struct plan_outcome *prior;    /* during plan_solve_resumed only: the earlier run's outcome */
} plan_outcome;

/* Checks that the constraints' and the objective's metrics are reported by
 * the plan's base scenario. Returns 0, or -1 with err filled
 * (file:line: key: what, with a "did you mean"). */
int plan_check_metrics(const plan_spec *ps, char *err, size_t err_size);

/* Runs the search for scenario s. progress: a line per point, or NULL.
 * Returns 0 (out->recommended < 0 when no point is feasible, with
 * out->unreachable filled), or the error's class with err filled. */
int plan_solve(const plan_spec *ps, int s, int threads, FILE *progress, plan_outcome *out, char *err,
               size_t err_size);
void plan_outcome_free(plan_outcome *out);
/* plan_solve reusing the points an earlier run of the same plan and build
 * decided (prior: that run's outcome of scenario s, from plan_read_h5, or
 * NULL): a point prior ran is taken as it is, with no replication, and the
 * search goes on as before. The search is deterministic (common random
 * numbers, replication r on seed r), so the outcome is the one a fresh run
 * gives; out->replications counts only the replications run now. */
int plan_solve_resumed(const plan_spec *ps, int s, int threads, FILE *progress, const plan_outcome *prior,
                       plan_outcome *out, char *err, size_t err_size);

/* "staff.workers=11, staff.caseload_cap=20" for a point. */
void plan_point_text(const plan_spec *ps, const plan_point *pt, char *buf, size_t size);
/* "P(wait_median_days <= 14) >= 0.9" or "mean utilisation <= 0.85". */
void plan_constraint_text(const plan_constraint *c, char *buf, size_t size);
/* "staff cost (kr/year)", "FTE", "posts", "mean exits_per_month.work". */
const char *plan_objective_name(const plan_spec *ps);

/* The report: recommendation, runner-up, frontier table. */
void plan_report(FILE *out, const plan_spec *ps, const plan_outcome *o);

/* Writes every scenario's outcome to an HDF5 file (docs/OUTPUT.md "Plan
 * files"), under a temporary name moved into place (replace: an existing
 * file may be replaced). Returns 0 or CF_EXIT_OUTPUT with err filled. */
int plan_write_h5(const char *path, const plan_spec *ps, const plan_outcome *o, int n, int replace,
                  const char *fingerprint, char *err, size_t err_size);

/* "<hash of the plan file's bytes> <hash of base_text> <build>": what
 * --resume requires to be unchanged. base_text is the base scenario's stored
 * text (includes and snapshot expanded). Returns 0, or CF_EXIT_INPUT when the
 * plan file cannot be read. */
int plan_fingerprint(const char *plan_path, const char *base_text, const char *build, char *buf, size_t size,
                     char *err, size_t err_size);

/* Reads an earlier plan file for --resume: refused (CF_EXIT_MERGE, why in
 * err) unless its /plan fingerprint equals `fingerprint` and each group's
 * scenario name and grid size are the plan's. Fills prior[0..*n-1] (free
 * with plan_outcome_free); returns 0, CF_EXIT_INPUT (no such file) or
 * CF_EXIT_MERGE. */
int plan_read_h5(const char *path, const plan_spec *ps, const char *fingerprint, plan_outcome *prior, int *n,
                 char *err, size_t err_size);

/* Writes the evaluated points of every scenario as a study file (base =
 * the plan's base, absolute path) with max replications used, which
 * `caseflow run` or a Slurm array runs. Returns 0 or CF_EXIT_OUTPUT. */
int plan_write_study(const char *path, const plan_spec *ps, const plan_outcome *o, int n, int replace, char *err,
                     size_t err_size);

/* `caseflow plan PLAN.cfg [-o PLAN.h5] [--write-study FILE.cfg] [--threads N]
 * [--force] [--quiet]`; argv as main's (argv[1] is "plan"). Returns a
 * CF_EXIT_* code: 0, 1, 2 (bad usage or plan file), 3 (output), 7 (no point
 * of some scenario meets the constraints). */
int plan_command(int argc, char **argv);
int plan_command_io(int argc, char **argv, FILE *out, FILE *errout);

#endif
