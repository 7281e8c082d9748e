/*
 * cli_state.h — `caseflow run --save-state FILE.csv`: one replication's
 * state at the horizon, written as the CSV a run can start from
 * (--snapshot FILE.csv or run.snapshot; docs/SNAPSHOT.md).
 */
#ifndef CASEFLOW_CLI_STATE_H
#define CASEFLOW_CLI_STATE_H

#include "scenario/study.h"

typedef struct cli_state {
    const char *path;        /* NULL: no --save-state */
    int replication;         /* --save-state-replication, default 0 */
    model_snapshot rows;     /* filled by the run */
} cli_state;

/* Asks scenario 0 of st to leave replication s->replication's state in
 * s->rows. Returns 0, or -1 after a message (no such replication; the run
 * is split into tasks or resumed, so the replication may not run here). */
int cli_state_request(cli_state *s, study *st, int split_or_resumed);

/* Writes the rows to s->path (nothing without --save-state). Returns 0, or
 * -1 after a message naming the file. */
int cli_state_write(cli_state *s, const study *st);

void cli_state_free(cli_state *s);

#endif
