/*
 * snapshot_params.h — the state of a programme at a moment: staff in post
 * with their tenure, participants with their worker, time in programme,
 * phase and progress, and the waiting list with each person's time waited.
 *
 * A scenario may start from one (model_params.snapshot: the run begins in
 * that state instead of empty) and a run may hand one back at its horizon
 * (model_params.save_state), so a planner can start from today's register
 * or from a simulated steady state. The CSV form is read and written by
 * scenario/snapshot_csv.c and documented in docs/SNAPSHOT.md.
 */
#ifndef CASEFLOW_SNAPSHOT_PARAMS_H
#define CASEFLOW_SNAPSHOT_PARAMS_H

#include <stddef.h>

enum model_snapshot_kind { SNAPSHOT_POST = 0, SNAPSHOT_PARTICIPANT = 1, SNAPSHOT_WAITING = 2 };

typedef struct model_snapshot_row {
    int kind;                 /* enum model_snapshot_kind */
    int worker;               /* post, participant: worker index (0-based); -1 for waiting */
    double days;              /* post: tenure; participant: time in programme; waiting: time waited */
    double waited_days;       /* participant: their wait before the place (0 when unknown) */
    int phase;                /* participant: phase index */
    double progress;          /* participant: progress through the phase, [0, 1) */
    int profile;              /* participant, waiting: profile index */
    double next_meeting_days; /* participant: days to their next meeting; NaN: drawn as own time */
    int source;               /* participant, waiting: referral source index (0 when not given) */
} model_snapshot_row;

typedef struct model_snapshot {
    size_t count;
    model_snapshot_row *row;
} model_snapshot;

void model_snapshot_free(model_snapshot *s);

#endif
