/*
 * cli_export.c — the export command (see cli_export.h); the tables and
 * their text are h5export's.
 */
#define _DEFAULT_SOURCE /* flock(2) */
#include "app/cli_export.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "output/exit_codes.h"
#include "output/h5export.h"
#include "output/outpath.h"

static int usage_error(const char *what)
{
    fprintf(stderr, "caseflow: export: %s (see caseflow export --help)\n", what);
    return CF_EXIT_INPUT;
}

/* Writes the table into a temporary file beside target and moves it into
 * place by the rules every output file follows (output/outpath.h): the
 * target's earlier content stays whole until the new one is. */
static int export_to_file(const char *input, const char *table, h5export_format format, const char *target,
                          int force)
{
    char temp[PATH_MAX], err[2048];
    if (outpath_temp_name(target, (long)getpid(), temp, sizeof temp) != 0) {
        fprintf(stderr, "caseflow: %s: the path is too long for a temporary name beside it\n", target);
        return CF_EXIT_OUTPUT;
    }
    FILE *out = fopen(temp, "wx");
    if (!out) {
        fprintf(stderr, "caseflow: %s: cannot create the output file (%s)\n", target, strerror(errno));
        return CF_EXIT_OUTPUT;
    }
    /* Held while writing, as HDF5 holds its files: a run cleaning up
     * partial files at this path leaves a locked one alone. */
    flock(fileno(out), LOCK_EX | LOCK_NB);
    static char buffer[1 << 16];
    setvbuf(out, buffer, _IOFBF, sizeof buffer);
    int rc = h5export_table(input, table, format, out, err, sizeof err);
    if (fclose(out) != 0 && rc == CF_EXIT_OK) {
        snprintf(err, sizeof err, "%s: writing failed (%s)", target, strerror(errno));
        rc = CF_EXIT_OUTPUT;
    }
    if (rc != CF_EXIT_OK)
        unlink(temp);
    else /* on failure it removes the temporary file or err says where it is */
        rc = outpath_commit(temp, target, force, err, sizeof err);
    if (rc != CF_EXIT_OK)
        fprintf(stderr, "caseflow: %s%s%s\n", rc == CF_EXIT_OUTPUT && !strstr(err, target) ? target : "",
                rc == CF_EXIT_OUTPUT && !strstr(err, target) ? ": " : "", err);
    return rc;
}

int cli_export_command(int argc, char **argv)
{
    enum { OPT_TABLE = 256, OPT_FORMAT, OPT_FORCE, OPT_LIST };
    static const struct option options[] = {
        {"table", required_argument, NULL, OPT_TABLE}, {"format", required_argument, NULL, OPT_FORMAT},
        {"force", no_argument, NULL, OPT_FORCE},       {"list", no_argument, NULL, OPT_LIST},
        {NULL, 0, NULL, 0}};
    const char *input = NULL, *table = NULL, *output = NULL;
    int force = 0, list = 0;
    h5export_format format = H5EXPORT_CSV;
    /* argv[1] is "export"; the rest is parsed as its own command line, as
     * cli_main.c's parse_args does ("-": words in order; ":": a missing
     * value told apart from an unknown option). */
    optind = 0;
    opterr = 0;
    int c;
    char what[300];
    while ((c = getopt_long(argc - 1, argv + 1, "-:o:", options, NULL)) != -1) {
        const char *word = argv[optind]; /* argv + 1 shifts the index by one */
        switch (c) {
        case 1:
            if (input) {
                snprintf(what, sizeof what, "unexpected argument '%s'", optarg);
                return usage_error(what);
            }
            input = optarg;
            break;
        case 'o':
            output = optarg;
            break;
        case OPT_TABLE:
            table = optarg;
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "csv") == 0) {
                format = H5EXPORT_CSV;
            } else if (strcmp(optarg, "tsv") == 0) {
                format = H5EXPORT_TSV;
            } else {
                fprintf(stderr, "caseflow: export: --format: expected csv or tsv, got '%s'\n", optarg);
                return CF_EXIT_INPUT;
            }
            break;
        case OPT_FORCE:
            force = 1;
            break;
        case OPT_LIST:
            list = 1;
            break;
        case ':':
            snprintf(what, sizeof what, "%s needs a value", word);
            return usage_error(what);
        default:
            snprintf(what, sizeof what, "unknown option '%s'", word);
            return usage_error(what);
        }
    }
    if (!input)
        return usage_error("needs a results file");
    char err[2048];
    if (list) {
        int rc = h5export_list(input, stdout, err, sizeof err);
        if (rc != CF_EXIT_OK)
            fprintf(stderr, "caseflow: %s\n", err);
        return rc;
    }
    if (!table)
        return usage_error("needs --table NAME (caseflow export FILE.h5 --list shows the tables)");
    if (!output || strcmp(output, "-") == 0) {
        int rc = h5export_table(input, table, format, stdout, err, sizeof err);
        if (rc != CF_EXIT_OK)
            fprintf(stderr, "caseflow: %s\n", err);
        return rc;
    }
    /* The path is checked before the input is read. */
    char target[PATH_MAX];
    int rc = outpath_check(output, force, target, sizeof target, err, sizeof err);
    if (rc != CF_EXIT_OK) {
        fprintf(stderr, "caseflow: %s\n", err);
        return rc;
    }
    outpath_clean_partials(target, stderr);
    return export_to_file(input, table, format, target, force);
}
