/*
 * cli_args.c — the option walk shared by `caseflow calibrate` and
 * `caseflow plan`; see cli_args.h.
 */
#include "app/cli_args.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>

#include "output/exit_codes.h"

int cli_args_parse(cli_args *a, int argc, char **argv, FILE *out, FILE *errout)
{
    /* Two tables rather than one with a flag, so a command without
     * --write-study rejects it (and its abbreviations) as getopt does. */
    static const struct option with_study[] = {{"threads", required_argument, NULL, 't'},
                                               {"write-study", required_argument, NULL, 'w'},
                                               {"resume", no_argument, NULL, 'r'},
                                               {"force", no_argument, NULL, 'f'},
                                               {"quiet", no_argument, NULL, 'q'},
                                               {"help", no_argument, NULL, 'h'},
                                               {NULL, 0, NULL, 0}};
    static const struct option without_study[] = {{"threads", required_argument, NULL, 't'},
                                                  {"force", no_argument, NULL, 'f'},
                                                  {"quiet", no_argument, NULL, 'q'},
                                                  {"help", no_argument, NULL, 'h'},
                                                  {NULL, 0, NULL, 0}};
    const struct option *options = a->with_write_study ? with_study : without_study;
    a->file = a->output = a->study_out = NULL;
    a->force = a->quiet = a->resume = 0;
    /* argv[1] is the command; "-": the file comes back in place as code 1;
     * ":": a missing value is told apart from an unknown option. */
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc - 1, argv + 1, "-:o:h", options, NULL)) != -1) {
        const char *word = argv[optind]; /* (argv + 1)[optind - 1] */
        char *end;
        switch (c) {
        case 'o':
            a->output = optarg;
            break;
        case 'w':
            a->study_out = optarg;
            break;
        case 't': {
            errno = 0;
            long v = strtol(optarg, &end, 10);
            if (errno || *end || end == optarg || v < 1 || v > 1024) {
                fprintf(errout, "caseflow: %s: --threads: expected an integer between 1 and 1024, got '%s'\n",
                        a->command, optarg);
                return CF_EXIT_INPUT;
            }
            a->threads = (int)v;
            break;
        }
        case 'f':
            a->force = 1;
            break;
        case 'q':
            a->quiet = 1;
            break;
        case 'r':
            a->resume = 1;
            break;
        case 'h':
            a->usage(out);
            return CF_EXIT_OK;
        case 1:
            if (a->file) {
                fprintf(errout, "caseflow: %s: unexpected argument '%s' (see caseflow %s --help)\n", a->command,
                        optarg, a->command);
                return CF_EXIT_INPUT;
            }
            a->file = optarg;
            break;
        case ':':
            fprintf(errout, "caseflow: %s: %s needs a value\n", a->command, word);
            return CF_EXIT_INPUT;
        default:
            fprintf(errout, "caseflow: %s: unknown option '%s' (see caseflow %s --help)\n", a->command, word,
                    a->command);
            return CF_EXIT_INPUT;
        }
    }
    if (!a->file) {
        fprintf(errout, "caseflow: %s needs %s (see caseflow %s --help)\n", a->command, a->file_kind, a->command);
        return CF_EXIT_INPUT;
    }
    return CLI_ARGS_CONTINUE;
}
