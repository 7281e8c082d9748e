/*
 * calibrate_cli.c — `caseflow calibrate`'s command line: its options
 * (getopt_long), the output checks made before the fit, and the exit code.
 * The fit itself and the writing are calibrate.c's.
 */
#include "app/calibrate.h"
#include "output/outpath.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/cli_args.h"
#include "app/cpus.h"

static void command_usage(FILE *out)
{
    fprintf(out,
            "usage: caseflow calibrate CALIB.cfg [-o OUT.cfg] [--threads N] [--force] [--quiet]\n"
            "\n"
            "Fits the parameters a calibration file names to its observed figures (Nelder-Mead simplex over\n"
            "simulations with the same seeds at every evaluation) and writes the base scenario with the fitted\n"
            "values as OUT.cfg (default results/<CALIB name>.cfg), which caseflow run runs.\n"
            "\n"
            "  -o OUT.cfg     the calibrated scenario\n"
            "  --threads N    worker threads (default: the CPUs this process may use); results do not\n"
            "                 depend on it\n"
            "  --force        replace an existing output file\n"
            "  --quiet        no progress and no report\n"
            "\n"
            "exit codes: 0 ok, 1 internal failure, 2 bad usage or calibration file, 3 output cannot be\n"
            "written (or exists without --force), 7 a figure cannot be reached within the bounds (nothing\n"
            "written)\n");
}

int calibrate_command_io(int argc, char **argv, FILE *out, FILE *errout)
{
    cli_args args = {.command = "calibrate",
                     .file_kind = "a calibration file",
                     .usage = command_usage,
                     .threads = cpus_available()};
    int parsed = cli_args_parse(&args, argc, argv, out, errout);
    if (parsed != CLI_ARGS_CONTINUE)
        return parsed;
    const char *calib = args.file, *output = args.output;
    int force = args.force, quiet = args.quiet, threads = args.threads;
    calibrate_spec cs;
    config_error cerr;
    if (calibrate_load(&cs, calib, &cerr) != 0) {
        fprintf(errout, "caseflow: %s\n", cerr.message);
        return CF_EXIT_INPUT;
    }
    char path[PATH_MAX];
    if (output) {
        snprintf(path, sizeof path, "%s", output);
    } else {
        const char *slash = strrchr(calib, '/');
        const char *base = slash ? slash + 1 : calib;
        const char *dot = strrchr(base, '.');
        int len = dot && dot != base ? (int)(dot - base) : (int)strlen(base);
        snprintf(path, sizeof path, "results/%.*s.cfg", len, base);
        if (mkdir("results", 0777) != 0 && errno != EEXIST) {
            fprintf(errout, "caseflow: calibrate: cannot create results/: %s\n", strerror(errno));
            calibrate_free(&cs);
            return CF_EXIT_OUTPUT;
        }
    }
    /* Output problems found before the fit, not after it. */
    struct stat sb;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    const char *why = NULL;
    char why_dir[300];
    if (calibrate_same_file(path, cs.base))
        why = "refusing to replace the base scenario with the calibrated scenario; choose another -o";
    else if (calibrate_same_file(path, cs.path))
        why = "refusing to replace the calibration file with the calibrated scenario; choose another -o";
    else if (!force && stat(path, &sb) == 0)
        why = "output file exists; use --force to replace it";
    else if (access(dir, W_OK) != 0) {
        snprintf(why_dir, sizeof why_dir, "cannot write to its directory %s: %s", dir, strerror(errno));
        why = why_dir;
    }
    if (why) {
        fprintf(errout, "caseflow: calibrate: %s: %s\n", path, why);
        calibrate_free(&cs);
        return CF_EXIT_OUTPUT;
    }
    /* The rules every output follows (output/outpath.h): only a regular
     * file (or a link to one) is ever replaced, never a device or a FIFO. */
    char resolved[PATH_MAX], why_path[PATH_MAX + 200];
    if (outpath_check(path, force, resolved, sizeof resolved, why_path, sizeof why_path) != CF_EXIT_OK) {
        fprintf(errout, "caseflow: calibrate: %s\n", why_path);
        calibrate_free(&cs);
        return CF_EXIT_OUTPUT;
    }

    calibrate_result *res = malloc(sizeof *res);
    char err[1024];
    if (!res) {
        fprintf(errout, "caseflow: calibrate: out of memory\n");
        calibrate_free(&cs);
        return CF_EXIT_INTERNAL;
    }
    int rc = CF_EXIT_OK;
    if (calibrate_fit(&cs, threads, quiet ? NULL : errout, res, err, sizeof err) != 0) {
        fprintf(errout, "caseflow: calibrate: %s\n", err);
        rc = CF_EXIT_INTERNAL;
    } else {
        if (!quiet)
            calibrate_report(out, &cs, res);
        if (res->unreachable) {
            for (const char *line = res->message; *line;) {
                const char *nl = strchr(line, '\n');
                int len = nl ? (int)(nl - line) : (int)strlen(line);
                fprintf(errout, "caseflow: calibrate: %.*s; nothing written\n", len, line);
                line += len + (nl ? 1 : 0);
            }
            rc = CF_EXIT_UNREACHABLE;
        } else if ((rc = calibrate_write(&cs, res, path, force, err, sizeof err)) != CF_EXIT_OK) {
            fprintf(errout, "caseflow: calibrate: %s\n", err);
        } else if (!quiet) {
            fprintf(out, "wrote %s (run it with: caseflow run %s)\n", path, path);
        }
    }
    free(res);
    calibrate_free(&cs);
    return rc;
}

int calibrate_command(int argc, char **argv)
{
    return calibrate_command_io(argc, argv, stdout, stderr);
}
