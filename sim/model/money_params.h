/*
 * money_params.h — the money parameters of a scenario: what a programme
 * costs, who pays, and the monthly public cost of a person's exclusion in
 * each state (before, waiting, in the programme, after exit). Filled by the
 * scenario layer from the `money` section; read by the ledger (output layer,
 * output/money.h), which holds what money.h says in words about the ledger.
 *
 * Kept apart from the ledger so that scenario input never depends on output
 * (results types, ledger rows).
 */
#ifndef CASEFLOW_MONEY_PARAMS_H
#define CASEFLOW_MONEY_PARAMS_H

#include "model/model_params.h"

#define MONEY_MAX_HORIZONS 4
#define MONEY_MAX_MONTHS 600 /* the longest horizon: 50 years */
#define MONEY_MAX_ITEMS 8    /* fixed costs, per-participant purchases */

/* The actors who pay for programmes and whose costs change. */
enum money_actor { MONEY_KOMMUN, MONEY_REGION, MONEY_FK, MONEY_AF, MONEY_STATE, MONEY_ACTORS };

/* A state's monthly figures: the five actors' costs, then the person's
 * disposable income. */
#define MONEY_INCOME MONEY_ACTORS
#define MONEY_COMPONENTS (MONEY_ACTORS + 1)

/* What the ledger reports: the five actors, their sum, the individual (the
 * change in disposable income) and society (public + individual). */
enum money_account {
    MONEY_PUBLIC = MONEY_ACTORS,
    MONEY_INDIVIDUAL,
    MONEY_SOCIETY,
    MONEY_ACCOUNTS
};

/* Where each person's horizons and payback are counted from. */
enum money_anchor { MONEY_FROM_REFERRAL, MONEY_FROM_START, MONEY_FROM_EXIT };

/* "kommun", "region", "fk", "af", "state", "income". */
extern const char *const money_component_names[MONEY_COMPONENTS];
/* The components' first five, then "public", "individual", "society". */
extern const char *const money_account_names[MONEY_ACCOUNTS];
/* "referral", "start", "exit". */
extern const char *const money_anchor_names[3];

/* Who bears a cost: shares over the five actors, summing to 1. */
typedef struct money_split {
    double share[MONEY_ACTORS];
} money_split;

/* A person's monthly figures in one state, kr/month: v[actor] is the actor's
 * cost (negative when the actor takes in more than it spends, e.g. tax from
 * a person in work), v[MONEY_INCOME] the person's disposable income. When
 * relative, v holds changes added to the before-state of the person's
 * profile (all zero: the same as the before-state). */
typedef struct money_state {
    int relative;
    double v[MONEY_COMPONENTS];
} money_state;

typedef struct money_item {
    char name[MODEL_NAME_LEN];
    double cost;          /* kr per month (fixed) or per participant started (per participant) */
    money_split paid_by;
} money_item;

typedef struct money_params {
    int enabled;                     /* the scenario has a money section */
    int costs_only;                  /* no money.baseline: programme costs only; no gains, net results or payback */
    double discount_rate;            /* per year; 0: undiscounted (NyttoSam) */
    int horizons;
    int horizon_months[MONEY_MAX_HORIZONS]; /* ascending, whole months */
    int horizon_from;                /* enum money_anchor */

    /* Programme costs. Staff by role (index into staff.roles; role 0 is
     * "worker" when the scenario has no roles), paid by the employer(s). */
    int staff_roles;
    double staff_cost_per_fte_year[MODEL_MAX_ROLES];
    money_split staff_employer[MODEL_MAX_ROLES];
    /* External measures by measure index: per participant-month in a place. */
    double measure_cost_per_month[MODEL_MAX_MEASURES];
    money_split measure_paid_by[MODEL_MAX_MEASURES];
    int fixed_items;                 /* per month while the programme runs */
    money_item fixed[MONEY_MAX_ITEMS];
    int per_participant_items;       /* per participant started (a purchased place, or a whole
                                        project's cost per participant when staffing is unknown) */
    money_item per_participant[MONEY_MAX_ITEMS];

    /* The public cost of exclusion, kr/month. */
    money_state baseline[MODEL_MAX_PROFILES]; /* absolute; index 0 when there are no profiles */
    money_state waiting, in_programme;
    money_state after_in[MODEL_MAX_DESTINATIONS];  /* after exit, in work or studies */
    money_state after_out[MODEL_MAX_DESTINATIONS]; /* after exit, not */
    int after_in_given[MODEL_MAX_DESTINATIONS];    /* 0: the config gave no "in" state */
} money_params;

/* Defaults: off, undiscounted, horizons 1 and 5 years from referral, every
 * state the same as the before-state. */
void money_params_init(money_params *mp);

/* A state's absolute monthly figures for a person of the given profile. */
void money_state_resolve(const money_params *mp, const money_state *s, int profile, double out[MONEY_COMPONENTS]);

/* The state after exit to destination d with follow-up status in (1: in work
 * or studies, 0: not). */
const money_state *money_after_state(const money_params *mp, int d, int in);

/* The value of a money key for a study's parameter table: money.discount_rate,
 * money.baseline[.<profile>].<component>, money.waiting.<component>,
 * money.in_programme.<component>, money.after.<destination>[.in|.out].<component>.
 * Returns 0, or -1 if the path names no number. */
int money_get_number(const money_params *mp, const model_params *p, const char *path, double *value);

#endif
