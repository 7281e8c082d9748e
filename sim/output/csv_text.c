/*
 * csv_text.c — delimited text (see csv_text.h). Write errors are left to
 * the stream's error flag, which the caller checks once at the end.
 */
#include "output/csv_text.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void csv_begin(csv_text *c, FILE *out, char sep)
{
    c->out = out;
    c->sep = sep;
    c->fields = 0;
}

static void separate(csv_text *c)
{
    if (c->fields++ > 0)
        fputc(c->sep, c->out);
}

void csv_field_len(csv_text *c, const char *text, size_t len)
{
    separate(c);
    size_t n = 0;
    int quote = 0;
    for (; n < len && text[n]; n++)
        if (text[n] == c->sep || text[n] == '"' || text[n] == '\n' || text[n] == '\r')
            quote = 1;
    if (!quote) {
        fwrite(text, 1, n, c->out);
        return;
    }
    fputc('"', c->out);
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '"')
            fputc('"', c->out);
        fputc(text[i], c->out);
    }
    fputc('"', c->out);
}

void csv_field(csv_text *c, const char *text)
{
    csv_field_len(c, text, strlen(text));
}

void csv_format_double(double v, char *buf, size_t size)
{
    if (isnan(v)) {
        snprintf(buf, size, "%s", "");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, size, "%s", v > 0 ? "Inf" : "-Inf");
        return;
    }
    /* A normal double that some decimal of at most DBL_DIG (15) digits reads
     * back to is within half a unit of that decimal's 15-digit grid, so
     * %.15g (trailing zeros dropped) is then the shortest; the others need
     * 16 or 17. Subnormals have fewer bits: search from 1 digit. */
    int from = v != 0 && fabs(v) < DBL_MIN ? 1 : 15;
    for (int prec = from; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

void csv_double(csv_text *c, double v)
{
    char buf[40];
    csv_format_double(v, buf, sizeof buf);
    separate(c);
    fputs(buf, c->out);
}

void csv_u64(csv_text *c, uint64_t v)
{
    separate(c);
    fprintf(c->out, "%llu", (unsigned long long)v);
}

void csv_i64(csv_text *c, int64_t v)
{
    separate(c);
    fprintf(c->out, "%lld", (long long)v);
}

void csv_empty(csv_text *c)
{
    separate(c);
}

void csv_end_row(csv_text *c)
{
    fputc('\n', c->out);
    c->fields = 0;
}
