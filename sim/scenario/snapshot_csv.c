/*
 * snapshot_csv.c — reading and writing a programme's state as CSV.
 *
 * Owns the CSV form of model/snapshot_params.h, the one a planner exports
 * from a case register (docs/SNAPSHOT.md): a header naming the columns (in
 * any order; kind and days required), then one row per post, participant
 * or person waiting. Blank cells take their defaults; lines starting with
 * '#' and empty lines are skipped; a CRLF line end is accepted. Fields are
 * not quoted (names of phases and profiles contain no commas), which keeps
 * the reader small; a register's export with quotes must drop them.
 * Every cell is checked against the scenario (worker index in range, phase,
 * profile and source known by name or index), and the first bad one stops the
 * read with "file:line:column (header): what".
 */
#include "scenario/snapshot_csv.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum column {
    COL_KIND, COL_WORKER, COL_DAYS, COL_WAITED, COL_PHASE, COL_PROGRESS, COL_PROFILE, COL_NEXT, COL_SOURCE, COL_COUNT
};

static const char *const column_names[COL_COUNT] = {"kind",    "worker",   "days",    "waited_days",      "phase",
                                                    "progress", "profile", "next_meeting_days", "source"};

#define MAX_FIELDS 32

typedef struct reader {
    const char *name;
    int line;
    int col_of[COL_COUNT];  /* field index of each column, -1 absent */
    char *why;
    size_t why_size;
} reader;

static int fail(reader *rd, int field, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    const char *header = NULL;
    for (int c = 0; c < COL_COUNT; c++)
        if (rd->col_of[c] == field)
            header = column_names[c];
    if (field >= 0)
        snprintf(rd->why, rd->why_size, "%s:%d:%d%s%s%s: %s", rd->name, rd->line, field + 1, header ? " (" : "",
                 header ? header : "", header ? ")" : "", what);
    else
        snprintf(rd->why, rd->why_size, "%s:%d: %s", rd->name, rd->line, what);
    return -1;
}

/* Splits line (modified) at commas into trimmed fields. */
static int split(char *line, char **field, int max)
{
    int n = 0;
    for (char *p = line;; ) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        char *end = p + strlen(p);
        while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
            *--end = '\0';
        if (n == max)
            return -1;
        field[n++] = p;
        if (!comma)
            return n;
        p = comma + 1;
    }
}

static int worker_posts(const model_params *p)
{
    if (p->roles == 0)
        return p->workers;
    int n = 0;
    for (int t = 0; t < p->teams; t++)
        for (int g = 0; g < p->team[t].groups; g++)
            n += p->team[t].group[g].count;
    return n;
}

static const char *phase_name(const model_params *p, int i)
{
    return p->phases > 0 ? p->phase[i].name : "casework";
}

static int read_number(reader *rd, int field, const char *text, double lo, double hi, int hi_open, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (!*text || *end || errno == ERANGE || !isfinite(v) || v < lo || (hi_open ? v >= hi : v > hi)) {
        if (hi_open)
            return fail(rd, field, "expected a number in [%g, %g), got '%s'", lo, hi, text);
        if (isinf(hi))
            return fail(rd, field, "expected a number >= %g, got '%s'", lo, text);
        return fail(rd, field, "expected a number in [%g, %g], got '%s'", lo, hi, text);
    }
    *out = v;
    return 0;
}

/* A name, or an index in [0, n). */
static int read_named(reader *rd, int field, const char *text, const char *what, int n,
                      const char *(*name_of)(const model_params *, int), const model_params *p, int *out)
{
    for (int i = 0; i < n; i++)
        if (strcmp(text, name_of(p, i)) == 0) {
            *out = i;
            return 0;
        }
    char *end;
    long v = strtol(text, &end, 10);
    if (*text && !*end && v >= 0 && v < n) {
        *out = (int)v;
        return 0;
    }
    return fail(rd, field, "expected a %s of the scenario (a name, or an index 0..%d), got '%s'", what, n - 1, text);
}

static const char *profile_name(const model_params *p, int i)
{
    return p->profiles > 0 ? p->profile[i].name : "";
}

static const char *source_name(const model_params *p, int i)
{
    return p->sources > 0 ? p->source[i].name : "";
}

static int read_row(reader *rd, char **f, int nf, const model_params *p, model_snapshot_row *r, int *posted)
{
    *r = (model_snapshot_row){.worker = -1, .next_meeting_days = NAN};
#define CELL(c) (rd->col_of[c] >= 0 && rd->col_of[c] < nf ? f[rd->col_of[c]] : "")
    const char *kind = CELL(COL_KIND);
    if (strcmp(kind, "post") == 0)
        r->kind = SNAPSHOT_POST;
    else if (strcmp(kind, "participant") == 0)
        r->kind = SNAPSHOT_PARTICIPANT;
    else if (strcmp(kind, "waiting") == 0)
        r->kind = SNAPSHOT_WAITING;
    else
        return fail(rd, rd->col_of[COL_KIND], "expected post, participant or waiting, got '%s'", kind);
    if (read_number(rd, rd->col_of[COL_DAYS], CELL(COL_DAYS), 0, INFINITY, 0, &r->days) != 0)
        return -1;
    int posts = worker_posts(p);
    if (r->kind != SNAPSHOT_WAITING) {
        const char *text = CELL(COL_WORKER);
        char *end;
        errno = 0;
        long w = strtol(text, &end, 10);
        if (!*text || *end || errno || w < 0 || w >= posts)
            return fail(rd, rd->col_of[COL_WORKER], "expected a worker index 0..%d (the scenario's posts), got '%s'",
                        posts - 1, text);
        r->worker = (int)w;
    } else if (*CELL(COL_WORKER))
        return fail(rd, rd->col_of[COL_WORKER], "a waiting person has no worker; leave it blank, got '%s'",
                    CELL(COL_WORKER));
    if (r->kind == SNAPSHOT_POST) {
        if (posted[r->worker])
            return fail(rd, rd->col_of[COL_WORKER], "worker %d has a post row already (line %d)", r->worker,
                        posted[r->worker]);
        posted[r->worker] = rd->line;
        return 0;
    }
    if (*CELL(COL_PROFILE) && read_named(rd, rd->col_of[COL_PROFILE], CELL(COL_PROFILE), "profile",
                                         p->profiles > 0 ? p->profiles : 1, profile_name, p, &r->profile) != 0)
        return -1;
    if (*CELL(COL_SOURCE) && read_named(rd, rd->col_of[COL_SOURCE], CELL(COL_SOURCE), "source",
                                        p->sources > 0 ? p->sources : 1, source_name, p, &r->source) != 0)
        return -1;
    if (r->kind == SNAPSHOT_WAITING)
        return 0;
    if (*CELL(COL_WAITED) &&
        read_number(rd, rd->col_of[COL_WAITED], CELL(COL_WAITED), 0, INFINITY, 0, &r->waited_days) != 0)
        return -1;
    if (*CELL(COL_PHASE) && read_named(rd, rd->col_of[COL_PHASE], CELL(COL_PHASE), "phase",
                                       p->phases > 0 ? p->phases : 1, phase_name, p, &r->phase) != 0)
        return -1;
    if (*CELL(COL_PROGRESS) &&
        read_number(rd, rd->col_of[COL_PROGRESS], CELL(COL_PROGRESS), 0, 1, 1, &r->progress) != 0)
        return -1;
    if (*CELL(COL_NEXT) &&
        read_number(rd, rd->col_of[COL_NEXT], CELL(COL_NEXT), 0, INFINITY, 0, &r->next_meeting_days) != 0)
        return -1;
#undef CELL
    return 0;
}

static int read_header(reader *rd, char **f, int nf)
{
    for (int c = 0; c < COL_COUNT; c++)
        rd->col_of[c] = -1;
    for (int i = 0; i < nf; i++) {
        int c = 0;
        while (c < COL_COUNT && strcmp(f[i], column_names[c]) != 0)
            c++;
        if (c == COL_COUNT)
            return fail(rd, i, "unknown column '%s'; the columns are kind, worker, days, waited_days, phase, "
                               "progress, profile, next_meeting_days, source", f[i]);
        if (rd->col_of[c] >= 0)
            return fail(rd, i, "column '%s' given twice", f[i]);
        rd->col_of[c] = i;
    }
    if (rd->col_of[COL_KIND] < 0 || rd->col_of[COL_DAYS] < 0)
        return fail(rd, -1, "the header must name the columns kind and days (and worker for posts and participants)");
    return 0;
}

int snapshot_csv_parse(const char *name, const char *text, const model_params *p, model_snapshot *out, char *why,
                       size_t why_size)
{
    memset(out, 0, sizeof *out);
    reader rd = {.name = name, .why = why, .why_size = why_size};
    int posts = worker_posts(p);
    int *posted = calloc((size_t)(posts > 0 ? posts : 1), sizeof *posted);
    size_t cap = 0;
    int header = 0, rc = 0;
    const char *at = text;
    if (!posted) {
        snprintf(why, why_size, "%s: out of memory", name);
        return -1;
    }
    while (*at && rc == 0) {
        rd.line++;
        const char *nl = strchr(at, '\n');
        size_t len = nl ? (size_t)(nl - at) : strlen(at);
        char *line = malloc(len + 1);
        if (!line) {
            snprintf(why, why_size, "%s: out of memory", name);
            rc = -1;
            break;
        }
        memcpy(line, at, len);
        line[len] = '\0';
        at = nl ? nl + 1 : at + len;
        char *f[MAX_FIELDS];
        const char *first = line + strspn(line, " \t\r");
        if (*first == '\0' || *first == '#') {
            free(line);
            continue;
        }
        int nf = split(line, f, MAX_FIELDS);
        if (nf < 0)
            rc = fail(&rd, -1, "more than %d columns", MAX_FIELDS);
        else if (!header) {
            rc = read_header(&rd, f, nf);
            header = 1;
        } else {
            int widest = 0;
            for (int c = 0; c < COL_COUNT; c++)
                if (rd.col_of[c] + 1 > widest)
                    widest = rd.col_of[c] + 1;
            if (nf > widest)
                rc = fail(&rd, widest, "%d fields where the header names %d", nf, widest);
            if (rc == 0 && out->count == cap) {
                size_t grown = cap ? cap * 2 : 64;
                model_snapshot_row *rows = realloc(out->row, grown * sizeof *rows);
                if (!rows) {
                    snprintf(why, why_size, "%s: out of memory", name);
                    rc = -1;
                } else {
                    out->row = rows;
                    cap = grown;
                }
            }
            if (rc == 0) {
                rc = read_row(&rd, f, nf, p, &out->row[out->count], posted);
                if (rc == 0)
                    out->count++;
            }
        }
        free(line);
    }
    if (rc == 0 && !header) {
        snprintf(why, why_size, "%s:%d: no header line; expected e.g. kind,worker,days", name, rd.line);
        rc = -1;
    }
    free(posted);
    if (rc != 0)
        model_snapshot_free(out);
    return rc;
}

int snapshot_csv_write(FILE *f, const model_snapshot *s, const model_params *p)
{
    static const char *const kinds[] = {"post", "participant", "waiting"};
    fprintf(f, "kind,worker,days,waited_days,phase,progress,profile,next_meeting_days,source\n");
    for (size_t i = 0; i < s->count; i++) {
        const model_snapshot_row *r = &s->row[i];
        fprintf(f, "%s,", kinds[r->kind]);
        if (r->kind != SNAPSHOT_WAITING)
            fprintf(f, "%d", r->worker);
        fprintf(f, ",%.17g,", r->days);
        if (r->kind == SNAPSHOT_PARTICIPANT)
            fprintf(f, "%.17g,%s,%.17g", r->waited_days, phase_name(p, r->phase), r->progress);
        else
            fprintf(f, ",,");
        fprintf(f, ",%s,", r->kind != SNAPSHOT_POST && p->profiles > 0 ? p->profile[r->profile].name : "");
        if (r->kind == SNAPSHOT_PARTICIPANT && !isnan(r->next_meeting_days))
            fprintf(f, "%.17g", r->next_meeting_days);
        fprintf(f, ",%s\n", r->kind != SNAPSHOT_POST && p->sources > 0 ? p->source[r->source].name : "");
    }
    return ferror(f) ? -1 : 0;
}
