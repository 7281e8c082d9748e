/*
 * config_dates.h — calendar dates in scenarios: run.start_date and months
 * written as dates.
 *
 *   run: { start_date = "2027-01-01"; };
 *   sources = ( { name = "af"; schedule = ( { month = "2027-01-01"; value = 40.0; },
 *                                           { month = "2027-03-01"; value = 52.0; } ); } );
 *
 * Wherever a key read through the loader's number reader names a point in
 * time in months (its last word is `month` or one of the `*_month` names: schedule steps, a team
 * member's start_month, a measure's open_month and close_month, a target's
 * deadline_month), a "YYYY-MM-DD" string may stand for it once
 * run.start_date is given. A service target's from_month and to_month are
 * whole months read by config_service.c and stay numbers. One helper converts: the days from the
 * start date to the date, over the model's month of 365.25 / 12 days, so a
 * date is exact in the model's own time (days) — "2027-03-01" from
 * "2027-01-01" is 59 days, month 1.938 — rather than rounded to calendar
 * months, which are 28 to 31 days and so drift against the model's months
 * by up to 1.5 days. Durations (horizon_months, warmup_months, max_months)
 * stay numbers.
 */
#ifndef CASEFLOW_CONFIG_DATES_H
#define CASEFLOW_CONFIG_DATES_H

#include <libconfig.h>
#include "scenario/config.h"

struct loader;
struct config_key;

/* 1 when text is a valid ISO date "YYYY-MM-DD" (years 1900..9999), with
 * its parts; else 0. */
int config_date_parse(const char *text, int *year, int *month, int *day);

/* Months from start to date (days / (365.25 / 12)); negative when date is
 * before start. */
double config_date_months(int sy, int sm, int sd, int y, int m, int d);

/* The date `days` days after (y, m, d), as "YYYY-MM-DD" into out. */
void config_date_add_days(int y, int m, int d, long days, char *out, size_t size);

/* The schema's reader for run.start_date: checks the form and stores it in
 * sc->model.start_date (sc NULL: only checks). */
int config_dates_section(struct loader *ld, const config_setting_t *s, config_scenario *sc);

/* 1 when the key names a point in time in months (its last word is month,
 * start_month, open_month, close_month or deadline_month), so a date may
 * stand for it. */
int config_key_takes_date(const char *path);

/* Reads the date string s as months for key k (range-checked as the number
 * would be). Returns 0, or -1 after a message naming the key: no
 * run.start_date, not a date, before the start, out of range, or not a
 * whole month for an integer key. */
int config_month_from_date(struct loader *ld, const struct config_key *k, const config_setting_t *s, double *out);

#endif
