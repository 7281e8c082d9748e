/*
 * cli_help.c — the help texts (see cli_help.h).
 *
 * One page per command, each a synopsis, a paragraph, the options and
 * examples. Texts rather than code: a page is read far more often than it
 * changes, and keeping them together keeps their wording consistent.
 */
#include "app/cli_help.h"

#include <string.h>

#include "output/exit_codes.h"

#define EXIT_CODES                                                                                         \
    "exit codes: 0 ok, 1 internal failure, 2 bad usage or input (config, study, overrides, file to read;\n" \
    "not enough memory to run), 3 output problem (path, write, full disk, exists without --force),\n"       \
    "4 merge or resume refused, 5 interrupted (a valid incomplete file was written; --resume completes\n"   \
    "it), 6 some trials failed (the others were kept), 7 calibrate: a figure cannot be reached within\n"   \
    "the bounds; plan: no configuration meets the constraints\n"

static const char overview[] =
    "usage: caseflow COMMAND [ARGS]   (caseflow help COMMAND, or caseflow COMMAND --help, for one command)\n"
    "\n"
    "  run CONFIG|STUDY      run a scenario's or a study's trials into one HDF5 file, print a summary\n"
    "  check CONFIG|STUDY    validate a scenario or study, print every key's resolved value\n"
    "  list STUDY            print the study's flat list of trials (scenario x replication, seeds)\n"
    "  merge OUT PART...     combine the task files of one study into one file\n"
    "  calibrate CALIB.cfg   fit scenario keys to observed figures, write the calibrated scenario\n"
    "  plan PLAN.cfg         the cheapest staffing that meets service levels, with a stated guarantee\n"
    "  keys [--json]         print the reference of every scenario key (Markdown, or JSON)\n"
    "  export FILE.h5        write one table of a results file as CSV or TSV\n"
    "  help [COMMAND]        print this, or one command's help\n"
    "  --version             print the version and git revision\n"
    "\n"
    "examples:\n"
    "  caseflow run configs/default.cfg                       # -> results/default.h5\n"
    "  caseflow run configs/study_staffing.cfg --threads 4\n"
    "  caseflow export results/default.h5 --table summary -o summary.csv\n"
    "\n"
    "The man page (man caseflow, or man -l docs/caseflow.1) has all of it in one place;\n"
    "docs/OUTPUT.md describes the output file.\n"
    "\n" EXIT_CODES;

static const char run_page[] =
    "usage: caseflow run CONFIG|STUDY [-o FILE] [--reps N] [--seed S] [--threads N]\n"
    "                    [--precision METRIC=REL [--max-reps N]] [--task K --tasks N]\n"
    "                    [--records all|none|sample=N] [--progress-every SECONDS]\n"
    "                    [--snapshot FILE.csv] [--save-state FILE.csv [--save-state-replication N]]\n"
    "                    [-s KEY=VALUE]... [--force] [--resume] [--quiet]\n"
    "\n"
    "Runs every trial (scenario x replication) of a scenario or a study and writes one HDF5 file\n"
    "(default results/<name>.h5; a task's slice results/<name>.task-K-of-N.h5), then prints each\n"
    "scenario's means with 95 % confidence intervals and, for a study, the differences from the base.\n"
    "The file is written under a temporary name and renamed when whole. Results do not depend on\n"
    "--threads or on the task split.\n"
    "\n"
    "  -o FILE        output file\n"
    "  --reps N       replications (same as -s run.replications=N)\n"
    "  --seed S       master seed (same as -s run.seed=S)\n"
    "  --threads N    worker threads; default: the CPUs this process may use (affinity mask,\n"
    "                 cgroup CPU quota, SLURM_CPUS_PER_TASK, whichever is smallest)\n"
    "  --precision METRIC=REL\n"
    "                 replications until METRIC's 95 % CI half-width is within REL of its mean in\n"
    "                 every scenario (pilot runs, then the real one), e.g. exits_per_month=0.02\n"
    "  --max-reps N   cap for --precision (default 10000)\n"
    "  --task K --tasks N\n"
    "                 run only the K-th (0-based) of N contiguous slices of the trials; default from\n"
    "                 SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT (an array 0..N-1 or 1..N)\n"
    "  --records all|none|sample=N\n"
    "                 participant records written to /participants: all (default), none, or a\n"
    "                 seeded random sample of N per trial; results and summaries use all of them\n"
    "  --progress-every SECONDS\n"
    "                 when stderr is not a terminal (a log), print a line\n"
    "                 \"progress: D/T trials, P %, elapsed E s, eta X s\" this often; default 60,\n"
    "                 0 off (and off with --quiet unless given); on a terminal a bar is drawn instead\n"
    "  -s KEY=VALUE   set any scenario key, e.g. -s staff.workers=12 (recorded in the file)\n"
    "  --force        replace an existing output file\n"
    "  --resume       complete an interrupted run's file (exit 5 or 6): its finished trials are kept,\n"
    "                 the others run; same study, options, --records and build required; without a\n"
    "                 file, a normal run\n"
    "  --quiet        no summary and no progress bar\n"
    "  --snapshot FILE.csv\n"
    "                 start from this state of the programme (same as -s run.snapshot=FILE;\n"
    "                 docs/SNAPSHOT.md); no warm-up is needed\n"
    "  --save-state FILE.csv\n"
    "                 write replication 0's state at the horizon (scenario 0), a snapshot a later\n"
    "                 run can start from\n"
    "  --save-state-replication N\n"
    "                 ... of replication N instead\n"
    "\n"
    "examples:\n"
    "  caseflow run configs/default.cfg -s staff.workers=15 -o results/15.h5\n"
    "  caseflow run configs/study_staffing.cfg --records none --threads 2\n"
    "  caseflow run configs/default.cfg --precision exits_per_month=0.02 --max-reps 2000\n"
    "  caseflow run configs/study_staffing.cfg --task 0 --tasks 4 --resume\n"
    "\n" EXIT_CODES;

static const char check_page[] =
    "usage: caseflow check CONFIG|STUDY [-s KEY=VALUE]...\n"
    "\n"
    "Validates a scenario or a study (every scenario of it) and prints the base scenario with every\n"
    "key's resolved value, defaults included. Nothing runs and nothing is written. A mistake is one\n"
    "line on stderr naming the file, line, key and what was expected (exit 2).\n"
    "\n"
    "  -s KEY=VALUE   check with this override, as run would apply it\n"
    "\n"
    "examples:\n"
    "  caseflow check configs/default.cfg\n"
    "  caseflow check configs/study_staffing.cfg -s run.replications=100\n"
    "\n" EXIT_CODES;

static const char list_page[] =
    "usage: caseflow list STUDY [-s KEY=VALUE]...\n"
    "\n"
    "Prints the study's flat list of trials, one per line, tab-separated: trial index, scenario index,\n"
    "replication, the trial's 64-bit seed, the scenario's name and its settings. Trial t of a study\n"
    "of R replications is replication t mod R of scenario t div R; --task K --tasks N runs a\n"
    "contiguous slice of this list.\n"
    "\n"
    "examples:\n"
    "  caseflow list configs/study_staffing.cfg | head\n"
    "\n" EXIT_CODES;

static const char merge_page[] =
    "usage: caseflow merge OUT.h5 PART.h5... [--force]\n"
    "\n"
    "Combines the task files of one study (caseflow run --task K --tasks N) into one file with the\n"
    "summaries, equal to a single run's. Refuses (exit 4, nothing written) parts of different studies\n"
    "or builds, and names missing, duplicated or unfinished trials. It can be rerun: OUT is replaced\n"
    "with --force only when the merge succeeds.\n"
    "\n"
    "  --force        replace an existing OUT.h5\n"
    "\n"
    "examples:\n"
    "  caseflow merge results/staffing.h5 results/study_staffing.task-*-of-4.h5\n"
    "\n" EXIT_CODES;

static const char calibrate_page[] =
    "usage: caseflow calibrate CALIB.cfg [-o OUT.cfg] [--threads N] [--force] [--quiet]\n"
    "\n"
    "Fits the parameters a calibration file names to its observed figures (Nelder-Mead simplex over\n"
    "simulations with the same seeds at every evaluation) and writes the base scenario with the\n"
    "fitted values as OUT.cfg (default results/<CALIB name>.cfg), which caseflow run runs.\n"
    "\n"
    "  -o OUT.cfg     the calibrated scenario\n"
    "  --threads N    worker threads (default: the CPUs this process may use)\n"
    "  --force        replace an existing output file\n"
    "  --quiet        no progress and no report\n"
    "\n"
    "examples:\n"
    "  caseflow calibrate configs/calibrate_example.cfg -o results/calibrated.cfg\n"
    "\n" EXIT_CODES;

static const char plan_page[] =
    "usage: caseflow plan PLAN.cfg [-o PLAN.h5 [--resume]] [--write-study STUDY.cfg] [--threads N] [--force]\n"
    "                     [--quiet]\n"
    "\n"
    "Finds the cheapest configuration (or the best by a metric) on the plan's grid of decision variables\n"
    "that meets its constraints on the outputs, by sequential feasibility tests with common random\n"
    "numbers and pruning by declared monotonicity (see docs/PLAN.md), for each of the plan's scenarios.\n"
    "\n"
    "  -o PLAN.h5            every point, its replications, estimates and status (docs/OUTPUT.md)\n"
    "  --resume              take the points the -o file's earlier run of the same plan file and build\n"
    "                        ran (not run again), run the rest, update the file; else exit 4\n"
    "  --write-study FILE    the points run, as a study file caseflow run (or a Slurm array) runs\n"
    "  --threads N           worker threads (default: the CPUs this process may use); results do not\n"
    "                        depend on it\n"
    "  --force               replace existing output files\n"
    "  --quiet               no progress lines\n"
    "\n"
    "examples:\n"
    "  caseflow plan configs/plan_default.cfg -o results/plan_default.h5\n"
    "\n"
    "exit codes: 0 ok, 1 internal failure, 2 bad usage or plan file, 3 output cannot be written (or\n"
    "exists without --force), 4 --resume refused (another plan file, base scenario or build), 6 a replication failed,\n"
    "7 no point of some scenario meets the constraints\n";

static const char keys_page[] =
    "usage: caseflow keys [--json]\n"
    "\n"
    "Prints the reference of every scenario key as a Markdown table: type, unit, default and meaning\n"
    "(the same as configs/README.md).\n"
    "\n"
    "  --json         the same reference as JSON, for programs (web front ends, editors)\n"
    "\n"
    "examples:\n"
    "  caseflow keys | grep staff.\n"
    "  caseflow keys --json > keys.json\n"
    "\n" EXIT_CODES;

static const char export_page[] =
    "usage: caseflow export FILE.h5 --table NAME [--format csv|tsv] [-o OUT] [--force]\n"
    "       caseflow export FILE.h5 --list\n"
    "\n"
    "Writes one table of a caseflow results file as CSV (RFC 4180: comma-separated, fields with a\n"
    "comma, quote or line break quoted, quotes doubled) or TSV (the same with tabs), with a header\n"
    "row, UTF-8, numbers in the shortest form that reads back to the same double, NaN as an empty\n"
    "field (pandas and R read it as missing). Without -o (or with -o -) it goes to stdout. Series come\n"
    "in long (tidy) form: scenario, scenario_name, replication, month (1 = the first), metric, value.\n"
    "\n"
    "tables: participants, replications, summary, paired_differences, trial_extras,\n"
    "  exits_by_destination, series (all of them), series/NAME (one), money/trials, money/summary,\n"
    "  money/paired_differences, scenarios, scenario_parameters, destinations, failures, resolved,\n"
    "  attributes (the root attributes); --list shows those the file has, with their row counts\n"
    "\n"
    "  --table NAME   the table\n"
    "  --format F     csv (default) or tsv\n"
    "  -o OUT         output file (written under a temporary name, renamed when whole; never an\n"
    "                 existing file without --force, never anything but a regular file)\n"
    "  --force        replace an existing OUT\n"
    "  --list         list the tables of FILE.h5\n"
    "\n"
    "examples:\n"
    "  caseflow export results/default.h5 --table summary -o summary.csv\n"
    "  caseflow export results/study_staffing.h5 --table series --format tsv > series.tsv\n"
    "  python3 -c 'import pandas; print(pandas.read_csv(\"summary.csv\"))'\n"
    "  Rscript -e 'print(read.csv(\"summary.csv\"))'\n"
    "\n" EXIT_CODES;

static const char help_page[] =
    "usage: caseflow help [COMMAND]\n"
    "\n"
    "Prints the overview of all commands, or COMMAND's synopsis, options and examples (the same as\n"
    "caseflow COMMAND --help).\n"
    "\n"
    "examples:\n"
    "  caseflow help run\n";

const char *const cli_help_commands[] = {"run", "check", "list", "merge", "calibrate", "plan", "keys", "export", "help", NULL};

static const char *const pages[] = {run_page, check_page, list_page, merge_page, calibrate_page, plan_page,
                                    keys_page, export_page, help_page};

int cli_help_print(FILE *out, const char *command)
{
    if (!command) {
        fputs(overview, out);
        return 0;
    }
    for (int i = 0; cli_help_commands[i]; i++)
        if (strcmp(command, cli_help_commands[i]) == 0) {
            fputs(pages[i], out);
            return 0;
        }
    return -1;
}

int cli_help_command(int argc, char **argv)
{
    if (argc > 3) {
        fprintf(stderr, "caseflow: help takes at most one command (see caseflow help)\n");
        return CF_EXIT_INPUT;
    }
    const char *command = argc > 2 ? argv[2] : NULL;
    if (command && (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0))
        command = "help";
    if (cli_help_print(stdout, command) != 0) {
        fprintf(stderr, "caseflow: help: no command '%s' (the commands: run, check, list, merge, calibrate, plan, keys, "
                        "export, help)\n",
                argv[2]);
        return CF_EXIT_INPUT;
    }
    return CF_EXIT_OK;
}
