/*
 * cli_state.c — `caseflow run --save-state FILE.csv`.
 *
 * Owns asking the model for one replication's state at the horizon and
 * writing it. One replication, not an average: a state is a set of people,
 * and a planner starting "from a simulated steady state" needs one such
 * set (which one: --save-state-replication N, default 0). Scenario 0 of a
 * study gives it. A run split into tasks or resumed may not run that
 * replication in this process, so those are refused rather than writing
 * nothing.
 */
#include "app/cli_state.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "scenario/snapshot_csv.h"

int cli_state_request(cli_state *s, study *st, int split_or_resumed)
{
    if (!s->path)
        return 0;
    if (split_or_resumed) {
        fprintf(stderr, "caseflow: --save-state needs the whole run in one process (no --task/--tasks, no --resume)\n");
        return -1;
    }
    if (s->replication >= st->replications) {
        fprintf(stderr, "caseflow: --save-state-replication: %d, but the run has %d replications (0..%d)\n",
                s->replication, st->replications, st->replications - 1);
        return -1;
    }
    st->scenarios[0].sc.model.save_state = &s->rows;
    st->scenarios[0].sc.model.save_state_replication = s->replication;
    return 0;
}

int cli_state_write(cli_state *s, const study *st)
{
    if (!s->path)
        return 0;
    FILE *f = fopen(s->path, "w");
    if (!f) {
        fprintf(stderr, "caseflow: --save-state %s: cannot write: %s\n", s->path, strerror(errno));
        return -1;
    }
    int rc = snapshot_csv_write(f, &s->rows, &st->scenarios[0].sc.model);
    if (fclose(f) != 0 || rc != 0) {
        fprintf(stderr, "caseflow: --save-state %s: write failed\n", s->path);
        return -1;
    }
    return 0;
}

void cli_state_free(cli_state *s)
{
    model_snapshot_free(&s->rows);
}
