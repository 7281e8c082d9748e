#!/usr/bin/env bash
# submit_study.sh — runs a caseflow study on a Slurm cluster: a job array
# whose task K runs the K-th slice of the study's trials, and a merge job
# that combines the task files once every task has ended.
#
#   configs/slurm/submit_study.sh [options] STUDY.cfg OUTDIR [TASKS]
#
# Prints "ARRAY_JOB_ID MERGE_JOB_ID" on stdout; what it does on stderr.
# Before anything is submitted it validates the study (caseflow check),
# refuses more tasks than trials or than the cluster's MaxArraySize allows,
# and refuses task files in OUTDIR from an earlier submission with another
# task count or another version of the study.
#
# Tasks run `caseflow run --resume`, so a task that is requeued (node
# failure, preemption, scontrol requeue) or rerun after its time limit
# continues from the file it wrote when it was stopped (caseflow writes a
# valid incomplete file on SIGTERM) instead of starting from zero. The merge
# job depends on the array with afterany, not afterok, so it never waits
# forever behind a failed task: it runs, names the tasks without a finished
# file and fails; resubmit_failed.sh then resubmits just those, with a new
# merge. The merge can be rerun by hand: configs/slurm/caseflow_merge.sh OUTDIR.
#
# Options (sbatch's own meaning where they share its name):
#   --tasks N            array tasks (default 4, or the third argument)
#   --time T             time limit per task, e.g. 02:00:00
#   --merge-time T       time limit of the merge (default: --time)
#   --partition P        partition of both jobs
#   --account A          account of both jobs
#   --mem M              memory per task, e.g. 4G
#   --merge-mem M        memory of the merge (default: --mem)
#   --cpus N             CPUs per task (default 1); caseflow runs that many threads
#   --module NAME        `module load NAME` in both jobs, before caseflow runs (repeatable;
#                        e.g. --module GSL --module HDF5 --module libconfig)
#   --index-base 0|1     array indices 0..N-1 (default) or 1..N
#   --records MODE       caseflow run --records (all, none, sample=N); default all
#   --progress-every S   a progress line in each task's log every S seconds (default 60)
#   --no-requeue         do not mark the tasks requeueable (default: sbatch --requeue)
#   --sbatch ARG         one more sbatch argument for the tasks only (repeatable)
#   --merge-sbatch ARG   one more sbatch argument for the merge only (repeatable)
#   --dry-run            check everything, print the sbatch commands, submit nothing
# Arguments after `--` are sbatch arguments for the tasks only (as --sbatch).
#
# The binary: CASEFLOW_BIN, else this checkout's build/caseflow, else
# `caseflow` on PATH. HDF5_USE_FILE_LOCKING=FALSE is set in the jobs: HDF5's
# file locks fail or hang on many network file systems (NFS, Lustre), and
# each task writes its own file, so the locks protect nothing here.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() { printf 'submit_study: %s\n' "$*" >&2; exit 2; }
say() { printf 'submit_study: %s\n' "$*" >&2; }

tasks="" time_limit="" merge_time="" partition="" account="" mem="" merge_mem="" cpus=1 base=0
records=all progress=60 requeue=1 dry=0
modules=() task_extra=() merge_extra=() positional=()
while [ $# -gt 0 ]; do
  # --name=value is --name value
  if [[ "$1" =~ ^(--[a-z-]+)=(.*)$ ]]; then
    set -- "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${@:2}"
  fi
  case "$1" in
    --tasks|--time|--merge-time|--partition|--account|--mem|--merge-mem|--cpus|--module|--index-base|--records|\
    --progress-every|--sbatch|--merge-sbatch)
      [ $# -ge 2 ] || die "$1 needs a value"
      case "$1" in
        --tasks) tasks=$2 ;; --time) time_limit=$2 ;; --merge-time) merge_time=$2 ;;
        --partition) partition=$2 ;; --account) account=$2 ;; --mem) mem=$2 ;; --merge-mem) merge_mem=$2 ;;
        --cpus) cpus=$2 ;; --module) modules+=("$2") ;; --index-base) base=$2 ;; --records) records=$2 ;;
        --progress-every) progress=$2 ;; --sbatch) task_extra+=("$2") ;; --merge-sbatch) merge_extra+=("$2") ;;
      esac
      shift 2 ;;
    --no-requeue) requeue=0; shift ;;
    --dry-run) dry=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    --) shift; task_extra+=("$@"); break ;;
    -*) die "unknown option '$1' (see --help; sbatch's own options go after -- or in --sbatch)" ;;
    *) positional+=("$1"); shift ;;
  esac
done
[ ${#positional[@]} -ge 2 ] || die "usage: $0 [options] STUDY.cfg OUTDIR [TASKS] (see --help)"
if [ ${#positional[@]} -gt 3 ]; then
  # The old interface took sbatch arguments here and gave them to both jobs.
  die "unexpected arguments after TASKS: ${positional[*]:3}; sbatch arguments for the tasks go after -- or in --sbatch, for the merge in --merge-sbatch"
fi
[ -n "$tasks" ] && [ ${#positional[@]} -eq 3 ] && [ "$tasks" != "${positional[2]}" ] &&
  die "--tasks $tasks and TASKS ${positional[2]} disagree"
tasks=${tasks:-${positional[2]:-4}}
[[ "$tasks" =~ ^[1-9][0-9]*$ ]] || die "--tasks: expected a positive integer, got '$tasks'"
[[ "$cpus" =~ ^[1-9][0-9]*$ ]] || die "--cpus: expected a positive integer, got '$cpus'"
[[ "$base" == 0 || "$base" == 1 ]] || die "--index-base: expected 0 or 1, got '$base'"
[[ "$progress" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--progress-every: expected seconds, got '$progress'"
[ -f "${positional[0]}" ] || die "${positional[0]}: no such study file"
study=$(realpath "${positional[0]}")
outdir=$(realpath -m "${positional[1]}")
merge_time=${merge_time:-$time_limit}
merge_mem=${merge_mem:-$mem}

bin=${CASEFLOW_BIN:-}
if [ -z "$bin" ] && [ -x "$here/../../build/caseflow" ]; then bin=$here/../../build/caseflow; fi
if [ -z "$bin" ]; then bin=$(command -v caseflow || true); fi
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
  die "no caseflow binary: build it (make), put it on PATH, or set CASEFLOW_BIN"
fi
bin=$(realpath "$bin")

# 1. The study must load, every scenario of it, before anything queues.
if ! check_err=$("$bin" check "$study" 2>&1 >/dev/null); then
  die "the study does not load; nothing submitted: ${check_err#caseflow: }"
fi
trials=$("$bin" list "$study" | sed -n '1s/.*= \([0-9]*\) trials.*/\1/p')
[[ "$trials" =~ ^[0-9]+$ ]] || die "cannot count the study's trials (caseflow list $study)"
((tasks <= trials)) ||
  die "$tasks tasks for $trials trials: some tasks would be empty; use --tasks $trials or fewer"
name=$(basename "$study" .cfg)
study_sum=$("$bin" list "$study" | cksum | cut -d' ' -f1)

# 2. The cluster's limit on array indices (indices must be < MaxArraySize).
max_array=$(scontrol show config 2>/dev/null | sed -n 's/^MaxArraySize *= *\([0-9]*\).*/\1/p' || true)
last_index=$((base + tasks - 1))
if [ -n "$max_array" ]; then
  ((last_index < max_array)) ||
    die "array indices up to $last_index, but this cluster's MaxArraySize is $max_array (indices 0..$((max_array - 1))); use --tasks $((max_array - base)) or fewer"
else
  say "warning: scontrol show config gave no MaxArraySize; array size not checked"
fi

# 3. No task files of an earlier submission with another task count or
#    another version of the study: merging them would mix runs.
mkdir -p "$outdir"
shopt -s nullglob
stale=()
for f in "$outdir/$name".task-*.h5; do
  case "$f" in
    "$outdir/$name".task-*-of-"$tasks".h5) ;;
    *) stale+=("$f") ;;
  esac
done
((${#stale[@]} == 0)) ||
  die "$outdir holds task files of a submission with another task count (${stale[*]##*/}); remove them or use another OUTDIR"
env_file=$outdir/caseflow-submit.env
if [ -f "$env_file" ]; then
  old_sum=$(sed -n "s/^STUDY_SUM=\(.*\)/\1/p" "$env_file" | tr -d "'\"")
  mine=("$outdir/$name".task-*-of-"$tasks".h5)
  if [ -n "$old_sum" ] && [ "$old_sum" != "$study_sum" ] && ((${#mine[@]})); then
    die "$outdir holds task files of another version of the study (its trials or seeds changed); remove them or use another OUTDIR"
  fi
fi

# 4. Everything the jobs need, recorded for them and for resubmit_failed.sh.
sb_common=()
[ -n "$partition" ] && sb_common+=("--partition=$partition")
[ -n "$account" ] && sb_common+=("--account=$account")
task_sbatch=(--job-name="caseflow-$name" --output="$outdir/slurm-%A_%a.out" --open-mode=append
             --cpus-per-task="$cpus" "${sb_common[@]}")
[ -n "$time_limit" ] && task_sbatch+=("--time=$time_limit")
[ -n "$mem" ] && task_sbatch+=("--mem=$mem")
((requeue)) && task_sbatch+=(--requeue)
task_sbatch+=("${task_extra[@]}")
merge_sbatch=(--job-name="caseflow-$name-merge" --output="$outdir/slurm-%j-merge.out" --open-mode=append
              "${sb_common[@]}")
[ -n "$merge_time" ] && merge_sbatch+=("--time=$merge_time")
[ -n "$merge_mem" ] && merge_sbatch+=("--mem=$merge_mem")
merge_sbatch+=("${merge_extra[@]}")

write_env() {
  {
    echo "# Written by submit_study.sh for the jobs of $name and resubmit_failed.sh; do not edit."
    printf 'STUDY=%q\nNAME=%q\nTASKS=%q\nBASE=%q\nBIN=%q\nRECORDS=%q\nPROGRESS=%q\nSTUDY_SUM=%q\nSCRIPTS=%q\n' \
      "$study" "$name" "$tasks" "$base" "$bin" "$records" "$progress" "$study_sum" "$here"
    declare -p modules task_sbatch merge_sbatch
    printf 'ARRAY_JOBS=%q\n' "${1:-}"
  } >"$env_file.tmp"
  mv "$env_file.tmp" "$env_file"
}

array_spec="$base-$last_index"
say "study '$name': $trials trials in $tasks tasks (array $array_spec), files $outdir/$name.task-K-of-$tasks.h5"
say "tasks:  sbatch --array=$array_spec ${task_sbatch[*]} $here/caseflow_task.sh"
say "merge:  sbatch --dependency=afterany:<array> ${merge_sbatch[*]} $here/caseflow_merge.sh"
[ ${#modules[@]} -gt 0 ] && say "both jobs first run: module load ${modules[*]}"
[ ${#task_extra[@]} -gt 0 ] && say "sbatch arguments for the tasks only: ${task_extra[*]}"
[ ${#merge_extra[@]} -gt 0 ] && say "sbatch arguments for the merge only: ${merge_extra[*]}"
if ((dry)); then
  say "dry run: nothing submitted"
  exit 0
fi
write_env ""
export CASEFLOW_OUTDIR=$outdir
array_id=$(sbatch --parsable --array="$array_spec" "${task_sbatch[@]}" --export=ALL,CASEFLOW_OUTDIR="$outdir" \
  "$here/caseflow_task.sh")
array_id=${array_id%%;*}
write_env "$array_id"
merge_id=$(sbatch --parsable --dependency="afterany:$array_id" "${merge_sbatch[@]}" \
  --export=ALL,CASEFLOW_OUTDIR="$outdir" "$here/caseflow_merge.sh")
merge_id=${merge_id%%;*}
say "submitted array $array_id and merge $merge_id; if tasks fail: $here/resubmit_failed.sh $outdir"
echo "$array_id $merge_id"
