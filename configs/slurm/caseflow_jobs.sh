# shellcheck shell=bash disable=SC2154  # the variables come from caseflow-submit.env
# caseflow_jobs.sh — shared by the Slurm scripts (sourced, not run): the
# settings submit_study.sh recorded in OUTDIR/caseflow-submit.env, module
# loading, and what became of a task (its file finished, unfinished, absent).
#
# Functions:
#   jobs_load_env OUTDIR   sources the settings (STUDY NAME TASKS BASE BIN
#                          RECORDS PROGRESS modules task_sbatch merge_sbatch
#                          ARRAY_JOBS) and sets OUTDIR
#   jobs_load_modules      `module load` of each recorded module (initialising
#                          Environment Modules or Lmod when the batch shell
#                          has no `module` yet)
#   jobs_task_file K       OUTDIR/NAME.task-K-of-TASKS.h5
#   jobs_task_state K      prints "finished", "missing", "unfinished N" (N
#                          trials not finished) or "unreadable: why"

jobs_load_env() {
  OUTDIR=$1
  local env=$OUTDIR/caseflow-submit.env
  if [ ! -r "$env" ]; then
    echo "caseflow: $env is missing: OUTDIR was not prepared by submit_study.sh" >&2
    return 2
  fi
  # shellcheck source=/dev/null
  source "$env"
  export HDF5_USE_FILE_LOCKING=FALSE
}

jobs_load_modules() {
  [ ${#modules[@]} -gt 0 ] || return 0
  if ! type module >/dev/null 2>&1; then
    local f
    for f in /etc/profile.d/lmod.sh /etc/profile.d/modules.sh /usr/share/lmod/lmod/init/bash \
             /usr/share/Modules/init/bash; do
      # shellcheck source=/dev/null
      [ -r "$f" ] && source "$f" && break
    done
  fi
  if ! type module >/dev/null 2>&1; then
    echo "caseflow: 'module' is not available in the batch shell; cannot load ${modules[*]}" >&2
    return 2
  fi
  local m
  for m in "${modules[@]}"; do
    module load "$m" || { echo "caseflow: module load $m failed" >&2; return 2; }
  done
}

jobs_task_file() {
  echo "$OUTDIR/$NAME.task-$1-of-$TASKS.h5"
}

jobs_task_state() {
  local f
  f=$(jobs_task_file "$1")
  if [ ! -e "$f" ]; then
    echo missing
    return
  fi
  local table
  if ! table=$("$BIN" export "$f" --table replications --format tsv 2>&1); then
    echo "unreadable: ${table#caseflow: }"
    return
  fi
  local bad
  bad=$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "status") c = i; next }
                    c && $c != 1 { n++ } END { if (!c) print "?"; else print n + 0 }' <<<"$table")
  if [ "$bad" = "?" ]; then
    echo "unreadable: no status column"
  elif [ "$bad" -eq 0 ]; then
    echo finished
  else
    echo "unfinished $bad"
  fi
}
