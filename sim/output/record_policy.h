/*
 * record_policy.h — which participant records a run writes to /participants
 * (caseflow run --records all|none|sample=N).
 *
 * Owns the policy's text form and the choice of records. Records are half
 * or more of a file (39 MB of a 240-trial study); many uses need only the
 * per-trial tables and series. The models still produce every record: the
 * money ledger and the trial's metrics are computed from all of them, so
 * the policy changes the file, never a result.
 *
 * sample=N keeps a uniform random sample of N records per trial (all of
 * them when the trial has fewer), chosen by selection sampling (Knuth's
 * algorithm S) with uniforms derived from the trial's seed: the same
 * records on every run, thread count and task split, in their original
 * order. The first N records would be a biased sample (records come in
 * exit order, early leavers first).
 */
#ifndef CASEFLOW_RECORD_POLICY_H
#define CASEFLOW_RECORD_POLICY_H

#include <stddef.h>
#include <stdint.h>

typedef enum record_mode { RECORDS_ALL = 0, RECORDS_NONE, RECORDS_SAMPLE } record_mode;

typedef struct record_policy {
    record_mode mode;
    uint64_t sample;   /* N of sample=N */
} record_policy;

#define RECORD_POLICY_TEXT_LEN 32

/* Parses "all", "none" or "sample=N" (1 <= N <= 10^12). Returns 0, or -1
 * with err saying what was expected. */
int record_policy_parse(const char *text, record_policy *p, char *err, size_t err_size);

/* The policy as text, as parsed (and as stored in the root attribute
 * participant_records). */
void record_policy_text(const record_policy *p, char *buf, size_t size);

typedef struct record_selector {
    uint64_t key;             /* derived from the trial's seed */
    uint64_t seen, total;
    uint64_t want, kept;
} record_selector;

/* Prepares the choice among `total` records of the trial with this seed
 * (p NULL: all). */
void record_selector_init(record_selector *s, const record_policy *p, uint64_t trial_seed, uint64_t total);

/* Call once per record, in order: 1 keep it, 0 leave it out. */
int record_selector_keep(record_selector *s);

#endif
