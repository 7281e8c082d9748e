/*
 * config_dates.c — run.start_date and dates standing for months (see
 * config_dates.h). The loader's one number reader (loader_read_number)
 * hands a string for a month key here, so every reader of months takes
 * dates without changes of its own.
 */
#include "scenario/config_dates.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "scenario/config_internal.h"

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

int config_date_parse(const char *text, int *year, int *month, int *day)
{
    int y, m, d, n = 0;
    if (strlen(text) != 10 || sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 || text[4] != '-' ||
        text[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (text[i] < '0' || text[i] > '9'))
            return 0;
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days_in(y, m))
        return 0;
    *year = y;
    *month = m;
    *day = d;
    return 1;
}

/* Days from 1900-01-01. */
static long day_number(int y, int m, int d)
{
    long n = 0;
    for (int yy = 1900; yy < y; yy++)
        n += leap(yy) ? 366 : 365;
    for (int mm = 1; mm < m; mm++)
        n += days_in(y, mm);
    return n + d - 1;
}

double config_date_months(int sy, int sm, int sd, int y, int m, int d)
{
    return (double)(day_number(y, m, d) - day_number(sy, sm, sd)) / MODEL_DAYS_PER_MONTH;
}

void config_date_add_days(int y, int m, int d, long days, char *out, size_t size)
{
    long n = day_number(y, m, d) + days;
    int yy = 1900;
    while (n >= (leap(yy) ? 366 : 365))
        n -= leap(yy++) ? 366 : 365;
    int mm = 1;
    while (n >= days_in(yy, mm))
        n -= days_in(yy, mm++);
    snprintf(out, size, "%04d-%02d-%02d", yy, mm, (int)n + 1);
}

int config_dates_section(struct loader *ld, const config_setting_t *s, config_scenario *sc)
{
    int y, m, d;
    const char *text = config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : NULL;
    if (!text || !config_date_parse(text, &y, &m, &d))
        return loader_fail(ld, s, "run.start_date", "expected an ISO date \"YYYY-MM-DD\" (a string), got %s%s%s",
                           text ? "'" : "", text ? text : config_type_name(s), text ? "'" : "");
    if (sc)
        snprintf(sc->model.start_date, sizeof sc->model.start_date, "%s", text);
    return 0;
}

int config_key_takes_date(const char *path)
{
    /* Named, not matched by suffix: rate_per_month and the like end in
     * "month" too but are rates. */
    static const char *const points[] = {"month", "start_month", "open_month", "close_month", "deadline_month"};
    const char *last = strrchr(path, '.');
    last = last ? last + 1 : path;
    for (size_t i = 0; i < sizeof points / sizeof points[0]; i++)
        if (strcmp(last, points[i]) == 0)
            return 1;
    return 0;
}

int config_month_from_date(struct loader *ld, const struct config_key *k, const config_setting_t *s, double *out)
{
    const char *text = config_setting_get_string(s);
    const config_setting_t *start = config_lookup(&ld->cfg, "run.start_date");
    int sy, sm, sd, y, m, d;
    if (start && (config_setting_type(start) != CONFIG_TYPE_STRING ||
                  !config_date_parse(config_setting_get_string(start), &sy, &sm, &sd)))
        return config_dates_section(ld, start, NULL); /* says what is wrong with it */
    if (!start)
        return loader_fail(ld, s, k->path, "a date ('%s') needs run.start_date = \"YYYY-MM-DD\"; or give months as a "
                                           "number", text);
    if (!config_date_parse(text, &y, &m, &d))
        return loader_fail(ld, s, k->path, "expected months (a number) or an ISO date \"YYYY-MM-DD\", got '%s'", text);
    double v = config_date_months(sy, sm, sd, y, m, d);
    char range[160];
    schema_describe_range(k, range, sizeof range);
    if (v < k->min || (k->min_open && v == k->min) || v > k->max)
        return loader_fail(ld, s, k->path, "%s is month %.4g from run.start_date %s; expected %s", text, v,
                           config_setting_get_string(start), range);
    if (k->type == KEY_INT && v != floor(v))
        return loader_fail(ld, s, k->path, "%s is month %.4g from run.start_date %s; expected a whole month (the same "
                           "number of model months of 365.25/12 days)", text, v, config_setting_get_string(start));
    *out = v;
    return 0;
}
