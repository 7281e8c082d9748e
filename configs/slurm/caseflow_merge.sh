#!/bin/bash
# shellcheck disable=SC2153  # OUTDIR, TASKS ... come from caseflow-submit.env
# caseflow_merge.sh — merges a study's task files into OUTDIR/NAME.h5.
# Submitted by submit_study.sh after the array (afterany); can be rerun by
# hand at any time: configs/slurm/caseflow_merge.sh OUTDIR. Fails (exit 4),
# naming the tasks, when a task has no finished file; nothing is written then.
set -euo pipefail
outdir=${1:-${CASEFLOW_OUTDIR:-}}
[ -n "$outdir" ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
[ -r "$outdir/caseflow-submit.env" ] ||
  { echo "caseflow merge: $outdir/caseflow-submit.env is missing: not a directory of submit_study.sh" >&2; exit 2; }
# shellcheck source=/dev/null
source "$outdir/caseflow-submit.env"   # SCRIPTS: where caseflow_jobs.sh is
# shellcheck source=/dev/null
source "$SCRIPTS/caseflow_jobs.sh"
jobs_load_env "$outdir"
jobs_load_modules
parts=() bad=()
for ((k = 0; k < TASKS; k++)); do
  state=$(jobs_task_state "$k")
  [ "$state" = finished ] || bad+=("task $k ($state)")
  parts+=("$(jobs_task_file "$k")")
done
if [ ${#bad[@]} -gt 0 ]; then
  list=$(printf '%s, ' "${bad[@]}")
  printf 'caseflow merge: not merging: %s of %s tasks have no finished file: %s\n' "${#bad[@]}" "$TASKS" \
    "${list%, }" >&2
  echo "caseflow merge: resubmit them with $SCRIPTS/resubmit_failed.sh $OUTDIR" >&2
  exit 4
fi
exec "$BIN" merge "$OUTDIR/$NAME.h5" "${parts[@]}" --force
