/*
 * cli_export.c — the export command (see cli_export.h); the tables and
 * their text are h5export's.
 */
#include "app/cli_export.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output/h5export.h"

#define EXPORT_EXIT_USAGE 2
#define EXPORT_EXIT_OUTPUT 3

static int usage_error(const char *what)
{
    fprintf(stderr, "caseflow: export: %s (see caseflow export --help)\n", what);
    return EXPORT_EXIT_USAGE;
}

/* The checks run's writer makes, before anything is read. */
static int check_target(const char *path, int force)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return errno == ENOENT ? 0 : (fprintf(stderr, "caseflow: %s: %s\n", path, strerror(errno)), -1);
    if (!S_ISREG(sb.st_mode)) {
        fprintf(stderr, "caseflow: %s: exists and is not a regular file; export writes only regular files\n", path);
        return -1;
    }
    if (!force) {
        fprintf(stderr, "caseflow: %s: output file exists; use --force to replace it\n", path);
        return -1;
    }
    return 0;
}

int cli_export_command(int argc, char **argv)
{
    const char *input = NULL, *table = NULL, *output = NULL;
    int force = 0, list = 0;
    h5export_format format = H5EXPORT_CSV;
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--table") == 0 || strcmp(arg, "--format") == 0 || strcmp(arg, "-o") == 0) {
            if (i + 1 >= argc) {
                char what[64];
                snprintf(what, sizeof what, "%s needs a value", arg);
                return usage_error(what);
            }
            const char *next = argv[++i];
            if (strcmp(arg, "--table") == 0) {
                table = next;
            } else if (strcmp(arg, "-o") == 0) {
                output = next;
            } else if (strcmp(next, "csv") == 0) {
                format = H5EXPORT_CSV;
            } else if (strcmp(next, "tsv") == 0) {
                format = H5EXPORT_TSV;
            } else {
                fprintf(stderr, "caseflow: export: --format: expected csv or tsv, got '%s'\n", next);
                return EXPORT_EXIT_USAGE;
            }
        } else if (strcmp(arg, "--force") == 0) {
            force = 1;
        } else if (strcmp(arg, "--list") == 0) {
            list = 1;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            char what[300];
            snprintf(what, sizeof what, "unknown option '%s'", arg);
            return usage_error(what);
        } else if (!input) {
            input = arg;
        } else {
            char what[300];
            snprintf(what, sizeof what, "unexpected argument '%s'", arg);
            return usage_error(what);
        }
    }
    if (!input)
        return usage_error("needs a results file");
    char err[2048];
    if (list) {
        int rc = h5export_list(input, stdout, err, sizeof err);
        if (rc != H5EXPORT_OK)
            fprintf(stderr, "caseflow: %s\n", err);
        return rc;
    }
    if (!table)
        return usage_error("needs --table NAME (caseflow export FILE.h5 --list shows the tables)");
    int to_stdout = !output || strcmp(output, "-") == 0;
    if (!to_stdout && check_target(output, force) != 0)
        return EXPORT_EXIT_OUTPUT;
    if (to_stdout) {
        int rc = h5export_table(input, table, format, stdout, err, sizeof err);
        if (rc != H5EXPORT_OK)
            fprintf(stderr, "caseflow: %s\n", err);
        return rc;
    }
    /* Same directory as the target, so the rename is atomic and an earlier
     * file stays whole until the new one is. */
    size_t len = strlen(output) + 64;
    char *temp = malloc(len);
    if (!temp) {
        fprintf(stderr, "caseflow: out of memory\n");
        return 1;
    }
    snprintf(temp, len, "%s.partial-%ld", output, (long)getpid());
    FILE *out = fopen(temp, "wx");
    if (!out) {
        fprintf(stderr, "caseflow: %s: cannot create the output file (%s)\n", output, strerror(errno));
        free(temp);
        return EXPORT_EXIT_OUTPUT;
    }
    static char buffer[1 << 16];
    setvbuf(out, buffer, _IOFBF, sizeof buffer);
    int rc = h5export_table(input, table, format, out, err, sizeof err);
    if (fclose(out) != 0 && rc == H5EXPORT_OK) {
        snprintf(err, sizeof err, "%s: writing failed (%s)", output, strerror(errno));
        rc = H5EXPORT_OUTPUT;
    }
    if (rc == H5EXPORT_OK && check_target(output, force) != 0)
        rc = -1; /* appeared meanwhile: leave it alone */
    else if (rc == H5EXPORT_OK && rename(temp, output) != 0) {
        snprintf(err, sizeof err, "%s: cannot rename into place (%s)", output, strerror(errno));
        rc = H5EXPORT_OUTPUT;
    }
    if (rc != H5EXPORT_OK) {
        if (rc > 0)
            fprintf(stderr, "caseflow: %s%s%s\n", rc == H5EXPORT_OUTPUT && !strstr(err, output) ? output : "",
                    rc == H5EXPORT_OUTPUT && !strstr(err, output) ? ": " : "", err);
        unlink(temp);
        rc = rc < 0 ? EXPORT_EXIT_OUTPUT : rc;
    }
    free(temp);
    return rc;
}
