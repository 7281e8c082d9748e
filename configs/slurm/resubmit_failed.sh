#!/usr/bin/env bash
# shellcheck disable=SC2153,SC2154  # OUTDIR, task_sbatch ... come from caseflow-submit.env
# resubmit_failed.sh — finds the tasks of a study submitted with
# submit_study.sh that did not finish, and resubmits just those.
#
#   configs/slurm/resubmit_failed.sh OUTDIR            resubmit them and a new merge
#   configs/slurm/resubmit_failed.sh OUTDIR --list     print their task numbers, one a line
#   configs/slurm/resubmit_failed.sh OUTDIR --dry-run  say what would be submitted
#
# A task needs running again when its file OUTDIR/NAME.task-K-of-N.h5 is
# missing (killed before it wrote anything, never started) or holds
# unfinished trials (stopped at a time limit, failed trials). The tasks run
# with --resume, so they keep what their files hold. Tasks of this study
# still queued or running are never resubmitted (that would run them twice);
# the script says which and stops. With nothing to resubmit and no merged
# file yet it submits the merge alone. Prints "ARRAY_JOB_ID MERGE_JOB_ID"
# (ARRAY_JOB_ID "-" when only the merge was submitted) on stdout.
set -euo pipefail
die() { printf 'resubmit_failed: %s\n' "$*" >&2; exit 2; }
say() { printf 'resubmit_failed: %s\n' "$*" >&2; }
[ $# -ge 1 ] || die "usage: $0 OUTDIR [--list|--dry-run]"
outdir=$(realpath -m "$1")
mode=${2:-submit}
case "$mode" in submit|--list|--dry-run) ;; *) die "unknown option '$mode'" ;; esac
[ -r "$outdir/caseflow-submit.env" ] || die "$outdir/caseflow-submit.env is missing: not a directory of submit_study.sh"
# shellcheck source=/dev/null
source "$outdir/caseflow-submit.env"
# shellcheck source=/dev/null
source "$SCRIPTS/caseflow_jobs.sh"
jobs_load_env "$outdir"

# Tasks of earlier submissions still in the queue (pending, running,
# requeued): their array indices.
active=()
if [ -n "${ARRAY_JOBS:-}" ] && command -v squeue >/dev/null 2>&1; then
  mapfile -t active < <(squeue -h -r -j "$ARRAY_JOBS" -o '%K' 2>/dev/null | grep -E '^[0-9]+$' || true)
fi

todo=()
for ((k = 0; k < TASKS; k++)); do
  state=$(jobs_task_state "$k")
  [ "$state" = finished ] && continue
  index=$((k + BASE))
  if printf '%s\n' "${active[@]}" | grep -qx "$index"; then
    say "task $k (array index $index): $state, still queued or running; left alone"
    continue
  fi
  # shellcheck disable=SC2012  # newest first; the names are Slurm's
  log=$(ls -t "$OUTDIR"/slurm-*_"$index".out 2>/dev/null | head -n 1 || true)
  say "task $k (array index $index): $state${log:+; its log: $log}"
  todo+=("$k")
done

if [ "$mode" = --list ]; then
  printf '%s\n' "${todo[@]}"
  exit 0
fi
if [ ${#active[@]} -gt 0 ]; then
  say "${#active[@]} task(s) of array job(s) $ARRAY_JOBS are still queued or running: wait for them, or scancel them, then run this again"
  exit 3
fi
if [ ${#todo[@]} -eq 0 ]; then
  if [ -e "$OUTDIR/$NAME.h5" ]; then
    say "all $TASKS tasks finished and $OUTDIR/$NAME.h5 exists; nothing to do (rerun the merge with $SCRIPTS/caseflow_merge.sh $OUTDIR)"
    exit 0
  fi
  say "all $TASKS tasks finished; submitting the merge"
  [ "$mode" = --dry-run ] && exit 0
  merge_id=$(sbatch --parsable "${merge_sbatch[@]}" --export=ALL,CASEFLOW_OUTDIR="$OUTDIR" "$SCRIPTS/caseflow_merge.sh")
  echo "- ${merge_id%%;*}"
  exit 0
fi
indices=$(for k in "${todo[@]}"; do echo $((k + BASE)); done | paste -sd, -)
say "resubmitting ${#todo[@]} of $TASKS tasks: array indices $indices"
if [ "$mode" = --dry-run ]; then
  say "sbatch --array=$indices ${task_sbatch[*]} $SCRIPTS/caseflow_task.sh; then the merge"
  exit 0
fi
array_id=$(sbatch --parsable --array="$indices" "${task_sbatch[@]}" --export=ALL,CASEFLOW_OUTDIR="$OUTDIR" \
  "$SCRIPTS/caseflow_task.sh")
array_id=${array_id%%;*}
# Recorded with the earlier arrays, so a later call sees these tasks too.
printf 'ARRAY_JOBS=%q\n' "${ARRAY_JOBS:+$ARRAY_JOBS,}$array_id" >>"$OUTDIR/caseflow-submit.env"
merge_id=$(sbatch --parsable --dependency="afterany:$array_id" "${merge_sbatch[@]}" \
  --export=ALL,CASEFLOW_OUTDIR="$OUTDIR" "$SCRIPTS/caseflow_merge.sh")
echo "$array_id ${merge_id%%;*}"
