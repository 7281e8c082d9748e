/*
 * model_waiting.h — the waiting list, private to sim/model.
 *
 * Owns the list of accepted referrals no worker has room for: one FIFO per
 * priority level (one level unless the list is ordered by priority), the
 * count and its running integral, and giving up (reneging). Who leaves the
 * list for which worker is decided by the event handling.
 */
#ifndef CASEFLOW_MODEL_WAITING_H
#define CASEFLOW_MODEL_WAITING_H

#include "model/model_participants.h"

/* Priority levels from the profiles, highest first. */
void waiting_setup_levels(model_ctx *m);

/* Participant s's priority level on every list: 0 is served first; always
 * 0 unless the list is ordered by priority. */
int waiting_level(const model_ctx *m, uint32_t s);

/* Participant s joins the end of their level's line and, with patience,
 * draws when they will give up. -1 when out of memory (flag set). */
int waiting_join(model_ctx *m, uint32_t s);

/* The first person in line (highest level first), skipping entries of
 * people who left; NO_SLOT when nobody waits. */
uint32_t waiting_next(model_ctx *m);

/* Sites: the head of site k's list, highest priority level first (0: the
 * untied list, as waiting_next), NO_SLOT when nobody waits there. */
uint32_t waiting_next_at(model_ctx *m, int site);

/* People waiting in site k's list (0: untied; all of them without sites). */
uint64_t waiting_count_at(const model_ctx *m, int site);

/* At the horizon: counts, per site, those in its list never assigned. */
void waiting_count_sites_at_end(model_ctx *m);

/* Participant s, just returned by waiting_next or waiting_next_at, leaves the line to be
 * assigned. */
void waiting_take(model_ctx *m, uint32_t s);

/* Participant s leaves the list for elsewhere (the successor project);
 * their entry is skipped once they are released. */
void waiting_remove(model_ctx *m, uint32_t s);

/* Participant s's patience ran out: if still waiting, they leave. */
void waiting_renege(model_ctx *m, uint32_t s);

#endif
