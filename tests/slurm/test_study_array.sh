#!/usr/bin/env bash
# test_study_array.sh — end-to-end: a study as a real Slurm job array.
#
# Brings up a throw-away one-node Slurm (slurm_up.sh), submits
# configs/study_staffing.cfg (12 scenarios x 20 replications) with
# configs/slurm/submit_study.sh as a 3-task array plus a dependent merge job,
# waits, and checks that the merged file holds exactly the results of
# single-process runs with 1 and with 2 threads. Always tears the cluster
# down. Also checks that merge refuses an incomplete set of task files.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${CASEFLOW_BIN:-$ROOT/build/caseflow}
BIN=$(realpath "$BIN")
STUDY=$ROOT/configs/study_staffing.cfg
JOB_TIMEOUT=${CASEFLOW_SLURM_JOB_TIMEOUT:-120}
log() { printf 'test_study_array: %s\n' "$*" >&2; }

WORK=$(mktemp -d /tmp/cf-e2e.XXXXXX)
STATE=$WORK/state
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  bash "$ROOT/tests/slurm/slurm_down.sh" "$STATE" || true
  if [ $rc -eq 0 ]; then rm -rf "$WORK"; else
    log "FAILED; kept $WORK"; for f in "$WORK"/out/slurm-*.out; do [ -s "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }; done
  fi
  exit $rc
}
trap cleanup EXIT INT TERM

start=$SECONDS
log "single-process runs (1 and 2 threads)"
"$BIN" run "$STUDY" -o "$WORK/one.h5" --threads 1 --quiet
"$BIN" run "$STUDY" -o "$WORK/two.h5" --threads 2 --quiet

bash "$ROOT/tests/slurm/slurm_up.sh" "$STATE"
# shellcheck source=/dev/null
source "$STATE/env"
read -r array_id merge_id < <(CASEFLOW_BIN=$BIN "$ROOT/configs/slurm/submit_study.sh" "$STUDY" "$WORK/out" 3)
log "submitted array $array_id, merge $merge_id"

deadline=$((SECONDS + JOB_TIMEOUT))
while [ -n "$(timeout 10 squeue -h -j "$array_id,$merge_id" -o %i 2>/dev/null || echo busy)" ]; do
  if [ $SECONDS -ge $deadline ]; then log "jobs still queued after ${JOB_TIMEOUT}s"; squeue >&2 || true; exit 1; fi
  sleep 1
done
state=$(timeout 10 scontrol -o show job "$merge_id" | grep -o 'JobState=[A-Z_]*' || true)
[ "$state" = "JobState=COMPLETED" ] || { log "merge job ended as '$state'"; exit 1; }
for k in 0 1 2; do [ -f "$WORK/out/study_staffing.task-$k.h5" ] || { log "task file $k missing"; exit 1; }; done

merged=$WORK/out/study_staffing.h5
/usr/bin/python3 "$ROOT/tests/tools/h5same.py" "$WORK/one.h5" "$WORK/two.h5" "$merged"
log "merged Slurm array == 1 thread == 2 threads"

if "$BIN" merge "$WORK/partial.h5" "$WORK/out/study_staffing.task-0.h5" "$WORK/out/study_staffing.task-2.h5" 2>"$WORK/err"; then
  log "merge of an incomplete set succeeded"; exit 1
else
  rc=$?
  [ $rc -eq 4 ] && grep -q "missing" "$WORK/err" && [ ! -e "$WORK/partial.h5" ] || { log "incomplete merge: rc $rc, $(cat "$WORK/err")"; exit 1; }
fi
log "incomplete merge refused with exit 4"
echo "slurm end-to-end: 1 passed, 0 failed ($((SECONDS - start)) s)"
