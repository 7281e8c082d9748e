/*
 * csv_text.h — delimited text for other programs to read: one field at a
 * time, quoted only where needed, numbers that read back exactly.
 *
 * Owns the format `caseflow export` promises (docs/OUTPUT.md "Export"):
 * RFC 4180 quoting (a field with the separator, a double quote, CR or LF is
 * enclosed in double quotes, inner quotes doubled), "\n" line ends, UTF-8 as
 * stored, doubles in the shortest %g form that strtod reads back to the same
 * value, NaN as an empty field, infinities as Inf and -Inf (what R, pandas,
 * numpy and Python's float() all read).
 */
#ifndef CASEFLOW_CSV_TEXT_H
#define CASEFLOW_CSV_TEXT_H

#include <stdint.h>
#include <stdio.h>

typedef struct csv_text {
    FILE *out;
    char sep;        /* ',' or '\t' */
    int fields;      /* written on the current row */
} csv_text;

void csv_begin(csv_text *c, FILE *out, char sep);
void csv_field(csv_text *c, const char *text);
void csv_field_len(csv_text *c, const char *text, size_t len); /* at most len bytes, up to a NUL */
void csv_double(csv_text *c, double v);
void csv_u64(csv_text *c, uint64_t v);
void csv_i64(csv_text *c, int64_t v);
void csv_empty(csv_text *c);
void csv_end_row(csv_text *c);

/* v in the shortest form that reads back exactly ("" for NaN). */
void csv_format_double(double v, char *buf, size_t size);

#endif
