/*
 * model_ready.h — the case workers who can take a participant now, least
 * loaded first (lowest index on ties), for scenarios where every
 * caseload-carrying role has the same cap (model_ctx.h, uniform_caps): the
 * least loaded then either has room or nobody has.
 *
 * Owns that pool's two arrangements (model_ctx.h, ready_pool): levels of
 * workers by integer load when every participant weighs 1, a binary heap
 * keyed by (load, index) when participants weigh their need. model_staff.c
 * decides who is eligible and asks for the least loaded.
 */
#ifndef CASEFLOW_MODEL_READY_H
#define CASEFLOW_MODEL_READY_H

#include "model/model_ctx.h"

/* Sets the pool up empty for m->worker_count workers (after staff_setup
 * has allocated them): levels when `integer_loads`, else the heap. 0, or -1
 * when memory runs out. */
int ready_setup(model_ctx *m, int integer_loads);
void ready_free(model_ctx *m);
/* Files worker w at its load now (m->workers[w].load), or takes it out of
 * the pool when not `eligible`. Call after every change of w's load or
 * status. Sets m->engine.out_of_memory if the levels cannot grow. */
void ready_set(model_ctx *m, int w, int eligible);
/* The least loaded worker in the pool (lowest index on ties), or -1. */
int ready_least(const model_ctx *m);

#endif
