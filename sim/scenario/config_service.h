/*
 * config_service.h — the scenario's `service` section: wait thresholds and
 * service-level targets on waits (model/service_params.h).
 *
 * The schema (config.c) lists service.wait_days and service.targets, so the
 * unknown-key check, `caseflow keys` and the key reference know them; their
 * schema reader is a no-op and config_load calls config_service_read once
 * the rest of the scenario is read, because the targets' defaults and
 * checks need the horizon, the warm-up and the other targets' names.
 *
 *   service: {
 *     wait_days = [14, 30, 90];     # P(wait <= X) for these X (whole days); default [14, 30, 90]
 *     targets = (
 *       { name = "placed_30"; kind = "wait_share"; days = 30; value = 0.8;
 *         from_month = 36; to_month = 48; },   # share referred in [from, to) placed within 30 days >= 0.8
 *       { name = "median_14"; kind = "median_wait"; days = 14; }   # median wait <= 14 days
 *     );
 *   };
 *
 * A cohort defaults to the measured window (from the warm-up) and to the
 * last month whose referrals all have `days` days left before the horizon;
 * a cohort the horizon does not cover that far is refused, so every
 * target's outcome is known (no censoring before X).
 */
#ifndef CASEFLOW_CONFIG_SERVICE_H
#define CASEFLOW_CONFIG_SERVICE_H

#include <libconfig.h>
#include "scenario/config.h"

struct loader;

/* The schema's reader for the service keys: nothing to do at that point
 * (see above); returns 0. */
int config_service_section(struct loader *ld, const config_setting_t *s, config_scenario *sc);

/* Reads the service section of cfg (defaults when absent) into
 * sc->model.service. overrides name the -s keys, for messages. Returns 0,
 * or -1 with err filled: one line naming the file, line, key and what was
 * expected. */
int config_service_read(const config_t *cfg, const char *path, const char *const *overrides, int n_overrides,
                        config_scenario *sc, config_error *err);

/* 1 when two scenarios report the same service columns (thresholds and
 * targets): a study's scenarios must, as they share one table. */
int config_service_same(const service_params *a, const service_params *b);

#endif
