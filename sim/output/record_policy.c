/*
 * record_policy.c — --records: parsing and selection sampling (see the
 * header for why a seeded sample rather than the first N).
 */
#include "output/record_policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/eng_rng.h"

/* Keeps the sampling stream apart from the model's purposes. */
#define RECORD_SAMPLE_PURPOSE 0x7265636f72647321ULL /* "records!" */
#define RECORD_SAMPLE_MAX 1000000000000ULL

int record_policy_parse(const char *text, record_policy *p, char *err, size_t err_size)
{
    memset(p, 0, sizeof *p);
    if (strcmp(text, "all") == 0)
        return 0;
    if (strcmp(text, "none") == 0) {
        p->mode = RECORDS_NONE;
        return 0;
    }
    if (strncmp(text, "sample=", 7) == 0) {
        const char *num = text + 7;
        char *end;
        errno = 0;
        unsigned long long n = strtoull(num, &end, 10);
        if (!errno && end != num && *end == '\0' && num[0] != '-' && n >= 1 && n <= RECORD_SAMPLE_MAX) {
            p->mode = RECORDS_SAMPLE;
            p->sample = n;
            return 0;
        }
    }
    snprintf(err, err_size, "--records: expected all, none or sample=N (N records per trial, 1 <= N <= %llu), got '%s'",
             RECORD_SAMPLE_MAX, text);
    return -1;
}

void record_policy_text(const record_policy *p, char *buf, size_t size)
{
    if (!p || p->mode == RECORDS_ALL)
        snprintf(buf, size, "all");
    else if (p->mode == RECORDS_NONE)
        snprintf(buf, size, "none");
    else
        snprintf(buf, size, "sample=%llu", (unsigned long long)p->sample);
}

void record_selector_init(record_selector *s, const record_policy *p, uint64_t trial_seed, uint64_t total)
{
    memset(s, 0, sizeof *s);
    s->total = total;
    s->key = rng_derive(trial_seed, RECORD_SAMPLE_PURPOSE);
    if (!p || p->mode == RECORDS_ALL)
        s->want = total;
    else if (p->mode == RECORDS_SAMPLE)
        s->want = p->sample < total ? p->sample : total;
}

int record_selector_keep(record_selector *s)
{
    if (s->seen >= s->total || s->kept >= s->want) {
        s->seen++;
        return 0;
    }
    /* Algorithm S: keep this one with probability (still wanted) / (still
     * to see); exactly `want` are kept, every subset equally likely. */
    uint64_t left = s->total - s->seen, need = s->want - s->kept;
    int keep = 1;
    if (need < left) {
        double u = (double)(rng_derive(s->key, s->seen) >> 11) * 0x1.0p-53;
        keep = u * (double)left < (double)need;
    }
    s->seen++;
    s->kept += (uint64_t)keep;
    return keep;
}
