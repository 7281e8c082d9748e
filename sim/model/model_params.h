/*
 * model_params.h — everything a scenario can say about a programme.
 *
 * Owns the parameter structures of the model: referral sources, participant
 * profiles, the waiting list, staff (roles, teams, turnover, learning),
 * phases of casework, external measures, exits and follow-up, method
 * development, and targets. Every mechanism beyond the case-manager core is
 * off (count 0 or flag 0) unless a scenario switches it on, and when off it
 * draws no random numbers, so a core scenario gives the same results as
 * before the mechanism existed.
 *
 * Fixed-size arrays keep a scenario a plain value (copyable, no ownership).
 */
#ifndef CASEFLOW_MODEL_PARAMS_H
#define CASEFLOW_MODEL_PARAMS_H

#include "engine/eng_dist.h"
#include "model/service_params.h"
#include "model/snapshot_params.h"

#define MODEL_DAYS_PER_MONTH (365.25 / 12.0)
#define MODEL_MAX_DESTINATIONS 16
#define MODEL_NAME_LEN 32
#define MODEL_MAX_SOURCES 12
#define MODEL_MAX_PROFILES 12
#define MODEL_MAX_AGE_BANDS 6
#define MODEL_MAX_SCHEDULE 16
#define MODEL_MAX_ROLES 6
#define MODEL_MAX_TEAMS 24
#define MODEL_MAX_GROUPS 4
#define MODEL_MAX_PHASES 6
#define MODEL_MAX_MEASURES 6
#define MODEL_MAX_FOLLOWUP 6     /* follow-up months a scenario names (exits.followup.months) */
#define MODEL_MAX_TARGETS 6
#define MODEL_MAX_WORKERS 100000
#define MODEL_MAX_PLAN 32
#define MODEL_MAX_STAFF_RULES 4
#define MODEL_MAX_SITES 8        /* sites (offices, lags, sub-projects) a scenario names */
#define MODEL_MAX_RECEIVERS 4    /* exits.receivers: destinations with a receiving capacity */

/* A value that changes at given months: piecewise constant (rates, quotas)
 * or piecewise linear (a referring unit's caseload), by the user's choice of
 * reader. Months ascending; before the first step the first value holds. */
typedef struct model_schedule {
    int count;
    double month[MODEL_MAX_SCHEDULE];
    double value[MODEL_MAX_SCHEDULE];
} model_schedule;

enum model_source_kind { SOURCE_POISSON, SOURCE_QUOTA };

typedef struct model_source {
    char name[MODEL_NAME_LEN];
    int kind;
    model_schedule rate;          /* referrals per month (Poisson) or monthly quota */
    int replacement;              /* new referrals from this source per exit of one of its participants */
    double profile_shares[MODEL_MAX_PROFILES];
    /* The referring unit upstream: its caseload per caseworker throttles
     * referrals (full rate at or below full_below, none at or above zero_above). */
    int has_unit;
    double unit_caseworkers;
    model_schedule unit_cases;    /* piecewise linear in months */
    double unit_full_below, unit_zero_above;
    /* Sites (model_staff.c, model_waiting.c): 0 untied (any worker takes its
     * referrals, as without sites); k: its referrals wait in the list of
     * site[k - 1] and are assigned only to workers of that site's teams. */
    int at_site;
} model_source;

typedef struct model_profile {
    char name[MODEL_NAME_LEN];
    double need;                  /* weight toward need-weighted caps; lengthens meetings */
    double readiness;             /* log-odds shift of exits to good destinations */
    double acceptance;            /* probability of passing screening */
    int priority;                 /* higher first on a priority waiting list */
    double female_share;
    double age_shares[MODEL_MAX_AGE_BANDS];
    /* Exit shares by profile (model_profile_exits.c): a factor on each
     * destination's share of per-meeting exits, the chance of leaving kept. */
    int has_exit_weights;
    double exit_weight[MODEL_MAX_DESTINATIONS];
    double max_months;            /* the profile's own time limit; 0: programme.max_months */
} model_profile;

typedef struct model_role {
    char name[MODEL_NAME_LEN];
    double caseload_cap;          /* participants (or need units); 0: carries no caseload */
    int decides;                  /* holds the decision some phase changes wait for */
    double call_in_probability;   /* consultative: chance per casework meeting of being called in */
    dist meeting_hours;           /* length of its decision or consultation meetings */
    /* Call-in by profile (staff.roles.[].call_in_by_profile): the chance
     * for a participant of profile k, NaN where the role's own applies. */
    int has_call_in_by_profile;
    double call_in_by_profile[MODEL_MAX_PROFILES];
} model_role;

typedef struct model_member_group {
    int role;
    int count;
    double fte;
    double start_month;           /* hiring schedule: ramp-up */
    double end_month;             /* the post ends (funding cliff); 0: never */
} model_member_group;

typedef struct model_team {
    char name[MODEL_NAME_LEN];
    int groups;
    model_member_group group[MODEL_MAX_GROUPS];
    /* Sites: 0 untied (its workers take untied referrals only); k: the
     * team works at site[k - 1] and takes that site's referrals and
     * untied ones. */
    int at_site;
} model_team;

/* A site: an office, lag or sub-project with its own referrals and staff
 * (sources.[].site, staff.teams.[].site). A referral tied to a site waits
 * in the site's list and only that site's workers take it; untied
 * referrals go to any worker, as without sites. From lends_from_month on,
 * a worker of this site with room and nobody of the site waiting takes
 * another site's referral, the highest priority level first and the
 * longest waiting within it (places reallocated between
 * sites, MIA 001 l.331); < 0: never. Someone waiting in a snapshot whose
 * row names a tied source waits in that site's list (model_snapshot.c). */
typedef struct model_site {
    char name[MODEL_NAME_LEN];
    double lends_from_month;
} model_site;

typedef struct model_phase {
    char name[MODEL_NAME_LEN];
    dist meeting_hours;
    dist own_time_days;
    double progress_per_meeting;  /* the phase is done at progress 1 */
    double exit_probability;      /* per meeting, before profile and method effects */
    double exit_shares[MODEL_MAX_DESTINATIONS];
    double completion_shares[MODEL_MAX_DESTINATIONS]; /* last phase: where completing it leads */
    int needs_decision;           /* entering this phase waits for a decision meeting */
    int measure;                  /* measure this phase places people in, -1 none */
} model_phase;

typedef struct model_measure {
    char name[MODEL_NAME_LEN];
    int places;
    model_schedule places_at;     /* places from given months (a cut or a rise); count 0: always `places` */
    double open_month, close_month;
    dist duration_days;
    int exit_destination;         /* -1: none */
    double exit_probability;      /* at the end of a place */
    int queue_before_open;        /* those in its phase before open_month queue for it (model_measures.c) */
} model_measure;

/* Staffing that changes over time (model_staffplan.c); every list empty by
 * default. A role of -1 means the core's workers (no staff.roles). */
typedef struct model_plan_step {      /* posts opened (change > 0) or closed at a month */
    double month;
    int role, team;
    int change;
    double fte;
} model_plan_step;

typedef struct model_staff_change {   /* caps and meeting hours from a month */
    double month;
    int role;                         /* -1: every role (or the core's cap) */
    double caseload_cap;              /* < 0: unchanged */
    double meeting_hours_per_day;     /* < 0: unchanged */
} model_staff_change;

typedef struct model_staff_rule {     /* open or close posts by the waiting list */
    int opens;                        /* 1: open above the threshold, 0: close below it */
    int role, team;
    double threshold;                 /* waiting at month end */
    int months;                       /* consecutive month ends beyond it */
    double delay_days;                /* opens: recruitment delay */
    int limit;                        /* opens: most extra posts; closes: fewest posts kept */
    double fte;
} model_staff_rule;

enum model_target_kind { TARGET_ENROLLED, TARGET_EXITS, TARGET_SHARE };
/* After the last follow-up point: hold its share, or continue the last
 * interval's trend (constant monthly rate, model_followup.c). */
enum model_followup_after_last { FOLLOWUP_HOLD, FOLLOWUP_TREND };

/* What a share target divides by (model_targets.c). */
enum model_target_denominator { TARGET_OF_EXITS, TARGET_OF_COMPLETERS, TARGET_OF_ENROLLED, TARGET_OF_IN_PROGRAMME };

typedef struct model_target {
    char name[MODEL_NAME_LEN];
    int kind;
    unsigned destinations;        /* bit mask: exits counted (TARGET_EXITS, TARGET_SHARE) */
    double value;                 /* count, or share in [0, 1] */
    double deadline_month;
    int denominator;              /* TARGET_SHARE: enum model_target_denominator */
    unsigned completers;          /* TARGET_OF_COMPLETERS: bit mask of the destinations that complete */
} model_target;

typedef struct model_params {
    /* the case-manager core */
    double referral_rate_per_month;   /* Poisson referrals when no sources are given */
    int workers;
    int caseload_cap;                 /* participants per worker */
    double meeting_hours_per_day;     /* a full-time worker's hours for meetings per day */
    dist meeting_hours;               /* length of one meeting, hours */
    dist own_time_days;               /* time on own between meetings, days */
    double exit_probability;          /* case ends after a meeting */
    int destinations;
    char destination_names[MODEL_MAX_DESTINATIONS][MODEL_NAME_LEN];
    double destination_shares[MODEL_MAX_DESTINATIONS];
    int horizon_months;
    int warmup_months;

    /* referral sources and profiles (0: one Poisson source, one neutral profile) */
    int sources;
    model_source source[MODEL_MAX_SOURCES];
    int profiles;
    model_profile profile[MODEL_MAX_PROFILES];
    int age_bands;
    char age_band_names[MODEL_MAX_AGE_BANDS][MODEL_NAME_LEN];

    /* waiting list */
    int waiting_by_priority;
    int has_patience;
    dist patience_days;
    double readiness_decay_per_month;

    /* staff (0 roles: `workers` case workers in one team, no turnover) */
    int cap_by_need;
    int roles;
    model_role role[MODEL_MAX_ROLES];
    int teams;
    model_team team[MODEL_MAX_TEAMS];
    int has_turnover;
    dist tenure_months;
    dist vacancy_days;
    int reassign_on_leave;            /* else participants wait for the replacement */
    double progress_lost_on_change;   /* share of phase progress lost with a new worker */
    int has_learning;
    double learning_months, learning_start;
    int has_maturity;
    double maturity_months, maturity_start;

    /* staffing over time (model_staffplan.c): all empty unless given */
    int plan_steps;
    model_plan_step plan[MODEL_MAX_PLAN];
    int staff_changes;
    model_staff_change staff_change[MODEL_MAX_PLAN];
    int staff_rules;
    model_staff_rule staff_rule[MODEL_MAX_STAFF_RULES];

    /* phases (0: one phase from the core's casework and exits) */
    int phases;
    model_phase phase[MODEL_MAX_PHASES];
    double max_months;                /* 0: no limit */
    int time_limit_destination;       /* -1 unless max_months > 0 */

    int measures;
    model_measure measure[MODEL_MAX_MEASURES];

    /* exits and after */
    unsigned good_destinations;       /* bit mask: work or studies */
    int has_followup;
    double retained_12[MODEL_MAX_DESTINATIONS]; /* NaN: not followed up */
    double retained_24[MODEL_MAX_DESTINATIONS];
    /* Follow-up at the months a scenario names (model_followup.c). 0
     * points: the months are 12 and 24 and retained_12/24 are the entered
     * shares. Otherwise the points define a curve, retained_12/24 are read
     * from it (so the ledger and relapses keep their 12/24-month meaning)
     * and the months beyond 12 and 24 are reported besides. */
    int followup_points;
    int followup_month[MODEL_MAX_FOLLOWUP];                         /* increasing */
    double retained_at[MODEL_MAX_FOLLOWUP][MODEL_MAX_DESTINATIONS]; /* NaN: not followed */
    int followup_after_last;          /* enum model_followup_after_last */
    double relapse_probability;       /* not retained at 12 months -> a new referral */
    int relapse_source;

    /* method development versus volume */
    int has_method;
    double method_time_share, method_gain, method_decay, method_effect, method_half, method_turnover_loss;
    int has_pressure;
    int pressure_target;
    double pressure_cap_increase, pressure_mapping_speedup;

    int targets;
    model_target target[MODEL_MAX_TARGETS];

    /* Memory guard: a run fails (MODEL_RUN_TOO_MANY_PRESENT) when more
     * participants than this are present at once, instead of growing until
     * the machine runs out of memory (a source whose replacement exceeds 1
     * grows without bound). 0: derived from the scenario, see
     * model_present_limit in model_casework.h. */
    int max_participants_present;

    /* what is reported about waits (the `service` section); never read by
     * the model */
    service_params service;

    /* The state the run starts from (NULL or empty: an empty programme),
     * and where replication save_state_replication leaves its state at the
     * horizon (NULL: nowhere). Borrowed, never owned: the snapshot belongs
     * to the loaded scenario (config_scenario.snapshot), save_state to the
     * caller of the run (caseflow run --save-state). */
    /* The calendar date of month 0, "YYYY-MM-DD", or "" (run.start_date):
     * only labels the output's months; the model counts in days. */
    char start_date[11];

    const model_snapshot *snapshot;
    model_snapshot *save_state;
    int save_state_replication;

    /* Sites (model_site above): 0 sites, the default, ties nothing and
     * draws nothing, so results are as before sites existed. */
    int sites;
    model_site site[MODEL_MAX_SITES];

    /* Method capital's separate levers and volume pressure's quality cost
     * (model_staff.c, model_exits.c, model_casework.c; configs/README.md
     * "Method levers"). Each acts through the team's saturation
     * k / (k + method_half) and is 0, off, by default: 0 leaves every
     * computation and draw as it was. method_effect above keeps its meaning
     * (per-meeting progress and good-exit odds). */
    double method_completion_effect;  /* factor: per-meeting exit chance and progress, every destination */
    double method_speed_effect;       /* factor: casework meetings take 1 / (1 + this * saturation) of the time */
    double method_retention_effect;   /* share of a good exit's later drop-outs kept in at full capital */
    double pressure_quality_cost;     /* share cut from good-exit odds for a mapping done wholly in haste */

    /* Hand-over (model_handover.c), off unless given. The successor: at the
     * end of month successor_month those still in the programme (the
     * waiting, the assigned or both) go on to a successor project, counted
     * as transfers, not exits; places (total) and intake (per month) limit
     * how many it takes, 0 no limit; those it cannot take yet go at later
     * month ends. Receivers: a destination whose receiver takes at most
     * intake_per_month people a month; who draws it when it is full waits,
     * in the programme holding their slot or outside it ("between chairs"). */
    int has_successor;
    char successor_name[MODEL_NAME_LEN];
    int successor_month;              /* the close: transfer at this month's end (1 = end of month 1) */
    int successor_take;               /* enum model_successor_take */
    double successor_places;          /* 0: no limit */
    double successor_intake;          /* per month; 0: no limit */
    int receivers;
    struct model_receiver {
        int destination;
        double intake_per_month;
        int leave_when_full;          /* 1: between chairs, outside; 0: wait in the programme */
    } receiver[MODEL_MAX_RECEIVERS];
} model_params;

enum model_successor_take { SUCCESSOR_TAKE_ALL = 0, SUCCESSOR_TAKE_ASSIGNED = 1, SUCCESSOR_TAKE_WAITING = 2 };

#endif
