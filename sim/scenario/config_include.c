/*
 * config_include.c — a text file as the parser will see it: @include lines
 * replaced by the files they name, and the checks that must come before
 * libconfig sees a text.
 *
 * caseflow expands includes itself instead of leaving them to libconfig, so
 * that (1) an include resolves relative to the file that contains it, not
 * the working directory; (2) the text stored with the results (config_text,
 * study_text) is the whole input, so resume and merge never read the file
 * system again and the study digest covers included files; (3) a FIFO,
 * device or directory named by an include is refused with one line instead
 * of hanging or failing inside the scanner. A line map remembers where each
 * line of the expanded text came from, so messages still name the included
 * file and its line.
 *
 * An include is a line `@include "file"` (leading blanks allowed) outside
 * strings and block comments, as libconfig reads it.
 */
#include "scenario/config_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_TEXT ((size_t)64 << 20)

typedef struct expander {
    char *out;
    size_t len, cap;
    config_line_map *map;
    config_error *err;
    int at_line_start;        /* the next byte out starts a line */
    int origin_file, origin_line;
} expander;

static int oom(expander *x, const char *name)
{
    snprintf(x->err->message, sizeof x->err->message, "%s: out of memory expanding @include", name);
    return -1;
}

static int map_add(config_line_map *m, int file, int line)
{
    if (m->lines == m->capacity) {
        size_t cap = m->capacity ? 2 * m->capacity : 256;
        int *f = realloc(m->file, cap * sizeof *f);
        if (!f)
            return -1;
        m->file = f;
        int *l = realloc(m->line, cap * sizeof *l);
        if (!l)
            return -1;
        m->line = l;
        m->capacity = cap;
    }
    m->file[m->lines] = file;
    m->line[m->lines] = line;
    m->lines++;
    return 0;
}

static int put(expander *x, char c, const char *name)
{
    if (x->len + 2 > x->cap) {
        if (x->cap >= MAX_TEXT) {
            snprintf(x->err->message, sizeof x->err->message,
                     "%s: larger than 64 MiB with its @include files expanded; not a caseflow text file", name);
            return -1;
        }
        size_t cap = x->cap ? 2 * x->cap : 4096;
        char *grown = realloc(x->out, cap);
        if (!grown)
            return oom(x, name);
        x->out = grown;
        x->cap = cap;
    }
    if (x->at_line_start) {
        if (map_add(x->map, x->origin_file, x->origin_line) != 0)
            return oom(x, name);
        x->at_line_start = 0;
    }
    x->out[x->len++] = c;
    if (c == '\n') {
        x->at_line_start = 1;
        x->origin_line++;
    }
    return 0;
}

static int add_file(config_line_map *m, const char *path)
{
    char **grown = realloc(m->files, (m->file_count + 1) * sizeof *grown);
    if (!grown)
        return -1;
    m->files = grown;
    if (!(m->files[m->file_count] = strdup(path)))
        return -1;
    return (int)m->file_count++;
}

static const char *kind_of(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "a device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a regular file";
}

/* A regular file's whole text; NULL with why filled otherwise. Opened
 * without blocking, so a FIFO is refused instead of waited on. */
static char *read_regular(const char *path, char *why, size_t why_size)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, why_size, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, why_size, "%s is %s; an included file must be a regular file", path,
                 fstat(fd, &st) == 0 ? kind_of(st.st_mode) : "unreadable");
        close(fd);
        return NULL;
    }
    if ((size_t)st.st_size >= MAX_TEXT) {
        snprintf(why, why_size, "%s is larger than 64 MiB; not a caseflow text file", path);
        close(fd);
        return NULL;
    }
    size_t cap = (size_t)st.st_size + 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        ssize_t got = read(fd, buf + n, cap - n - 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            snprintf(why, why_size, "cannot read %s: %s", path, strerror(errno));
            free(buf);
            buf = NULL;
            break;
        }
        if (got == 0)
            break;
        n += (size_t)got;
        if (n + 1 == cap) {
            /* grown since fstat: read on, within the limit */
            char *grown = cap < MAX_TEXT ? realloc(buf, cap * 2) : NULL;
            if (!grown) {
                snprintf(why, why_size, "%s is larger than 64 MiB; not a caseflow text file", path);
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
    }
    close(fd);
    if (!buf) {
        if (!why[0])
            snprintf(why, why_size, "out of memory reading %s", path);
        return NULL;
    }
    buf[n] = '\0';
    if (strlen(buf) != n) {
        snprintf(why, why_size, "%s contains NUL bytes; not a text file", path);
        free(buf);
        return NULL;
    }
    return buf;
}

/* The file an include names, relative to the including file's folder. */
static void resolve(const char *including, const char *name, char *out, size_t size)
{
    const char *slash = strrchr(including, '/');
    if (name[0] == '/' || !slash)
        snprintf(out, size, "%s", name);
    else
        snprintf(out, size, "%.*s/%s", (int)(slash - including), including, name);
}

/* The file name of an include directive starting at p (at a line start),
 * its end in *after; 0 when p holds no directive. */
static int directive(const char *p, char *name, size_t size, const char **after)
{
    while (*p == ' ' || *p == '\t')
        p++;
    if (strncmp(p, "@include", 8) != 0 || (p[8] != ' ' && p[8] != '\t'))
        return 0;
    p += 8;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p != '"')
        return 0;
    size_t n = 0;
    for (p++; *p && *p != '"' && *p != '\n'; p++) {
        if (*p == '\\' && p[1] && p[1] != '\n')
            p++;
        if (n + 1 < size)
            name[n++] = *p;
    }
    if (*p != '"')
        return 0;
    name[n] = '\0';
    *after = p + 1;
    return 1;
}

static int expand(expander *x, const char *name, const char *text, int file, int depth)
{
    int saved_file = x->origin_file, saved_line = x->origin_line;
    x->origin_file = file;
    x->origin_line = 1;
    int in_string = 0, in_comment = 0, line = 1;
    const char *p = text;
    while (*p) {
        char inc[CONFIG_KEY_TEXT_LEN * 4];
        const char *after;
        if ((p == text || p[-1] == '\n') && !in_string && !in_comment && directive(p, inc, sizeof inc, &after)) {
            char path[CONFIG_KEY_TEXT_LEN * 8], why[CONFIG_KEY_TEXT_LEN * 8 + 128];
            why[0] = '\0';
            if (depth >= CONFIG_MAX_INCLUDE_DEPTH) {
                snprintf(x->err->message, sizeof x->err->message,
                         "%s:%d: @include \"%s\": includes nested more than %d deep (does a file include itself?)",
                         name, line, inc, CONFIG_MAX_INCLUDE_DEPTH);
                return -1;
            }
            resolve(name, inc, path, sizeof path);
            char *included = read_regular(path, why, sizeof why);
            if (!included) {
                snprintf(x->err->message, sizeof x->err->message, "%s:%d: @include \"%s\": %s", name, line, inc, why);
                return -1;
            }
            int index = add_file(x->map, path);
            int rc = index < 0 ? oom(x, name) : expand(x, path, included, index, depth + 1);
            free(included);
            if (rc != 0)
                return -1;
            if (x->len > 0 && x->out[x->len - 1] != '\n' && put(x, '\n', name) != 0)
                return -1;
            /* The rest of the directive's line follows on a line of its own. */
            x->origin_file = file;
            x->origin_line = line;
            p = after;
            continue;
        }
        char c = *p;
        if (in_comment) {
            if (c == '*' && p[1] == '/') {
                if (put(x, c, name) != 0)
                    return -1;
                c = *++p;
                in_comment = 0;
            }
        } else if (in_string) {
            if (c == '\\' && p[1]) {
                if (put(x, c, name) != 0)
                    return -1;
                c = *++p;
            } else if (c == '"') {
                in_string = 0;
            }
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '/' && p[1] == '*') {
            in_comment = 1;
            if (put(x, c, name) != 0)
                return -1;
            c = *++p;
        } else if (c == '#' || (c == '/' && p[1] == '/')) {
            while (p[1] && p[1] != '\n') {
                if (put(x, c, name) != 0)
                    return -1;
                c = *++p;
            }
        }
        if (put(x, c, name) != 0)
            return -1;
        if (c == '\n')
            line++;
        p++;
    }
    x->origin_file = saved_file;
    x->origin_line = saved_line;
    return 0;
}

char *config_expand_includes(const char *name, const char *text, config_line_map *map, config_error *err)
{
    memset(map, 0, sizeof *map);
    expander x = {.map = map, .err = err, .at_line_start = 1};
    err->message[0] = '\0';
    int top = add_file(map, name);
    if (top < 0 || expand(&x, name, text, top, 0) != 0 || put(&x, '\0', name) != 0) {
        if (!err->message[0])
            oom(&x, name);
        config_one_line(err->message, sizeof err->message);
        free(x.out);
        config_line_map_free(map);
        return NULL;
    }
    return x.out;
}

void config_line_map_free(config_line_map *map)
{
    for (size_t i = 0; i < map->file_count; i++)
        free(map->files[i]);
    free(map->files);
    free(map->file);
    free(map->line);
    memset(map, 0, sizeof *map);
}

void config_map_message(config_error *err, const char *name, const config_line_map *map)
{
    size_t len = strlen(name);
    char *m = err->message;
    if (map->file_count < 2 || strncmp(m, name, len) != 0 || m[len] != ':')
        return;
    char *end;
    long line = strtol(m + len + 1, &end, 10);
    if (end == m + len + 1 || *end != ':' || line < 1 || (size_t)line > map->lines)
        return;
    char rest[sizeof err->message];
    snprintf(rest, sizeof rest, "%s", end);
    snprintf(err->message, sizeof err->message, "%s:%d%s", map->files[map->file[line - 1]], map->line[line - 1],
             rest);
}

const char *config_text_problem(const char *text, int *line)
{
    *line = 0;
    const char *p = text;
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    if (*p == '\0')
        return "the file is empty; expected a scenario or a study (see configs/README.md)";
    int depth = 0, at = 1;
    for (p = text; *p; p++) {
        at += *p == '\n';
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++) {
                at += *p == '\n';
                if (*p == '\\' && p[1])
                    p++;
            }
            if (!*p)
                break;
        } else if (*p == '#' || (*p == '/' && p[1] == '/')) {
            while (p[1] && p[1] != '\n')
                p++;
        } else if (*p == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");
            if (!end)
                break;
            for (const char *q = p; q < end; q++)
                at += *q == '\n';
            p = end + 1;
        } else if (*p == '{' || *p == '(' || *p == '[') {
            if (++depth > CONFIG_MAX_NESTING) {
                *line = at;
                return "groups, lists or arrays nested more than 64 deep; not a scenario or study file";
            }
        } else if ((*p == '}' || *p == ')' || *p == ']') && depth > 0) {
            depth--;
        }
    }
    return NULL;
}
