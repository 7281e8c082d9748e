#!/usr/bin/env bash
# test_study_array.sh — end-to-end: a study as a real Slurm job array.
#
# Brings up a throw-away one-node Slurm (slurm_up.sh) and submits
# configs/study_staffing.cfg (12 scenarios x 20 replications) twice with
# configs/slurm/submit_study.sh, side by side:
#   A. 3 tasks numbered 1..3, with time, memory, partition, account, a module
#      load (a stand-in `module` function exported to the jobs) and an sbatch
#      argument for the tasks only: the merge job completes; the options
#      reached the jobs they were meant for and no other.
#   B. 3 tasks where things go wrong: task 0 is held after its first trial
#      (test hook CASEFLOW_TEST_HOLD), requeued with scontrol (SIGTERM, a
#      valid incomplete file, back into the queue) and continues with
#      --resume from that file; task 2 has a failed trial
#      (CASEFLOW_TEST_FAIL_TRIAL). The afterany merge runs, names task 2
#      and fails instead of waiting forever; resubmit_failed.sh finds
#      exactly task 2, resubmits it with a new merge, which completes.
# Both merged files must equal single-process runs with 1 and 2 threads.
# Then the refusals, none of which may queue anything: a study that does not
# load, more tasks than trials, more than MaxArraySize, stale task files of
# another task count, stray arguments; and merge refusing an incomplete set.
# Always tears the cluster down.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${CASEFLOW_BIN:-$ROOT/build/caseflow}
BIN=$(realpath "$BIN")
STUDY=$ROOT/configs/study_staffing.cfg
SUBMIT=$ROOT/configs/slurm/submit_study.sh
RESUBMIT=$ROOT/configs/slurm/resubmit_failed.sh
JOB_TIMEOUT=${CASEFLOW_SLURM_JOB_TIMEOUT:-120}
export CASEFLOW_BIN=$BIN
log() { printf 'test_study_array: %s\n' "$*" >&2; }
fail() { log "FAILED: $*"; exit 1; }

WORK=$(mktemp -d /tmp/cf-e2e.XXXXXX)
STATE=$WORK/state
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  bash "$ROOT/tests/slurm/slurm_down.sh" "$STATE" || true
  if [ $rc -eq 0 ]; then rm -rf "$WORK"; else
    log "FAILED; kept $WORK"
    for f in "$WORK"/*/slurm-*.out; do [ -s "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }; done
  fi
  exit $rc
}
trap cleanup EXIT INT TERM

# wait_gone JOBID...: until none of them is queued or running.
wait_gone() {
  local ids deadline=$((SECONDS + JOB_TIMEOUT))
  ids=$(IFS=,; echo "$*")
  while [ -n "$(timeout 10 squeue -h -j "$ids" -o %i 2>/dev/null || echo busy)" ]; do
    [ $SECONDS -lt $deadline ] || { squeue >&2 || true; fail "jobs $ids still queued after ${JOB_TIMEOUT}s"; }
    sleep 0.5
  done
}
# wait_for FILE TEXT: until FILE contains TEXT.
wait_for() {
  local deadline=$((SECONDS + JOB_TIMEOUT))
  until grep -q "$2" "$1" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || fail "no '$2' in $1 after ${JOB_TIMEOUT}s"
    sleep 0.2
  done
}
job_field() { timeout 10 scontrol -o show job "$1" | grep -o "$2=[^ ]*" | head -n 1; }

start=$SECONDS
log "single-process runs (1 and 2 threads)"
"$BIN" run "$STUDY" -o "$WORK/one.h5" --threads 1 --quiet
"$BIN" run "$STUDY" -o "$WORK/two.h5" --threads 2 --quiet

bash "$ROOT/tests/slurm/slurm_up.sh" "$STATE"
# shellcheck source=/dev/null
source "$STATE/env"

# A stand-in for Environment Modules / Lmod: sbatch passes exported shell
# functions on to the jobs, which call it as they would call the real one.
MODULE_LOG=$WORK/modules.log
module() { echo "module $* (job ${SLURM_JOB_ID:-?})" >>"$MODULE_LOG"; }
export -f module
export MODULE_LOG

# A: the straight path, 1-based array, every option.
read -r a_array a_merge < <("$SUBMIT" --tasks 3 --index-base 1 --time 5 --mem 200M --partition debug \
  --account caseflowtest --module fake/1.0 --sbatch --comment=tasks-only "$STUDY" "$WORK/a")
# B: things go wrong (the hooks reach the jobs through the environment).
touch "$WORK/hold"
read -r b_array b_merge < <(CASEFLOW_TEST_HOLD="0:$WORK/hold" CASEFLOW_TEST_FAIL_TRIAL=200 \
  "$SUBMIT" --tasks 3 --progress-every 0.2 "$STUDY" "$WORK/b")
log "submitted A: array $a_array, merge $a_merge; B: array $b_array, merge $b_merge"

b0_log=$WORK/b/slurm-${b_array}_0.out
wait_for "$b0_log" "holding after trial 0"
timeout 10 scontrol requeue "${b_array}_0"
wait_for "$b0_log" "interrupted by SIGTERM"
rm -f "$WORK/hold"
# A requeued job waits out the credential lifetime before it starts again:
# slurm_up.sh sets it to 10 s (AuthInfo=cred_expire). Making the job eligible
# at once instead raced slurmd, which then killed the restart ("Job credential
# revoked") and the study lost the task.
log "B task 0 held, requeued, interrupted; waiting for both studies"
wait_gone "$a_array" "$a_merge" "$b_array" "$b_merge"

# A: merged, equal to the single-process runs, options where they belong.
[ "$(job_field "$a_merge" JobState)" = JobState=COMPLETED ] || fail "A's merge ended as $(job_field "$a_merge" JobState)"
for k in 0 1 2; do [ -f "$WORK/a/study_staffing.task-$k-of-3.h5" ] || fail "A: task file $k missing"; done
/usr/bin/python3 "$ROOT/tests/tools/h5same.py" "$WORK/one.h5" "$WORK/two.h5" "$WORK/a/study_staffing.h5"
task_job=$(timeout 10 scontrol -o show job "$a_array" | head -n 1)
for want in "ArrayTaskId=[123] " "Partition=debug" "Account=caseflowtest" "TimeLimit=00:05:00" \
            "MinMemoryNode=200M" "Comment=tasks-only" "Requeue=1"; do
  grep -Eq "$want" <<<"$task_job" || fail "A's tasks lack $want: $task_job"
done
merge_job=$(timeout 10 scontrol -o show job "$a_merge")
grep -q "Comment=tasks-only" <<<"$merge_job" && fail "A's task-only sbatch argument reached the merge job"
if ! grep -q "Partition=debug" <<<"$merge_job" || ! grep -q "Account=caseflowtest" <<<"$merge_job"; then
  fail "A's merge job lacks the partition or account: $merge_job"
fi
[ "$(grep -c 'module load fake/1.0' "$MODULE_LOG")" -eq 4 ] ||
  fail "expected 4 module loads (3 tasks, 1 merge): $(cat "$MODULE_LOG")"
log "A: 1-based array merged == 1 thread == 2 threads; options reached tasks and merge as meant"

# B: task 0 continued from its file; the merge failed naming task 2.
grep -q "restart 1" "$b0_log" || fail "B task 0 was not restarted: $(cat "$b0_log")"
resumed=$(sed -n 's/^resuming .*: \([0-9]*\) of 80 trials finished already.*/\1/p' "$b0_log")
[ "${resumed:-0}" -ge 1 ] || fail "B task 0 did not resume from its file: $(cat "$b0_log")"
[ "$(job_field "$b_merge" JobState)" = JobState=FAILED ] ||
  fail "B's merge after a failed task ended as $(job_field "$b_merge" JobState), expected FAILED"
grep -q "task 2 (unfinished 1)" "$WORK/b/slurm-$b_merge-merge.out" ||
  fail "B's merge log does not name task 2: $(cat "$WORK/b/slurm-$b_merge-merge.out")"
listed=$("$RESUBMIT" "$WORK/b" --list 2>/dev/null)
[ "$listed" = 2 ] || fail "resubmit_failed.sh --list gave '$listed', expected exactly task 2"
read -r c_array c_merge < <("$RESUBMIT" "$WORK/b")
log "B: task 0 resumed after $resumed trials; merge failed naming task 2; resubmitted: array $c_array, merge $c_merge"
wait_gone "$c_array" "$c_merge"
[ "$(job_field "$c_merge" JobState)" = JobState=COMPLETED ] || fail "B's second merge ended as $(job_field "$c_merge" JobState)"
/usr/bin/python3 "$ROOT/tests/tools/h5same.py" "$WORK/one.h5" "$WORK/b/study_staffing.h5"
[ -z "$("$RESUBMIT" "$WORK/b" --list 2>/dev/null)" ] || fail "tasks still listed after the resubmission"
# The merge can be rerun by hand, with the same result.
bash "$ROOT/configs/slurm/caseflow_merge.sh" "$WORK/b" >/dev/null
/usr/bin/python3 "$ROOT/tests/tools/h5same.py" "$WORK/one.h5" "$WORK/b/study_staffing.h5"
log "B: resubmitted task and merge completed; merged == 1 thread; the merge reruns"

# Refusals: exit 2, nothing queued.
queued_before=$(timeout 10 squeue -h | wc -l)
refuse() { # refuse WHAT EXPECTED_TEXT ARGS...
  local what=$1 text=$2 rc=0
  shift 2
  "$SUBMIT" "$@" >/dev/null 2>"$WORK/err" || rc=$?
  if [ $rc -ne 2 ] || ! grep -q -- "$text" "$WORK/err"; then fail "$what: exit $rc, $(cat "$WORK/err")"; fi
}
printf 'study: { name = "bad"; base = "%s"; replications = 2;\n  scenarios = ( { name = "x"; set = [ "staff.workers=0" ]; } ); };\n' \
  "$ROOT/configs/default.cfg" >"$WORK/bad.cfg"
refuse "a study that does not load" "does not load" "$WORK/bad.cfg" "$WORK/bad" 2
refuse "more tasks than trials" "240 trials: some tasks would be empty" --tasks 241 "$STUDY" "$WORK/c"
printf 'study: { name = "big"; base = "%s"; replications = 100;\n  grid = ( { key = "staff.workers"; values = [ 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21 ]; } ); };\n' \
  "$ROOT/configs/default.cfg" >"$WORK/big.cfg"
refuse "more than MaxArraySize" "MaxArraySize is 1001" --tasks 1001 --index-base 1 --dry-run "$WORK/big.cfg" "$WORK/c"
"$SUBMIT" --tasks 1001 --dry-run "$WORK/big.cfg" "$WORK/c" 2>/dev/null || fail "1001 tasks numbered from 0 fit MaxArraySize 1001"
refuse "stale task files" "another task count" --tasks 4 "$STUDY" "$WORK/a"
refuse "stray arguments" "unexpected arguments" "$STUDY" "$WORK/c" 3 --partition=debug extra
[ "$(timeout 10 squeue -h | wc -l)" -eq "$queued_before" ] || fail "a refused submission queued something"
log "refused: a broken study, more tasks than trials or MaxArraySize, stale task files, stray arguments"

if "$BIN" merge "$WORK/partial.h5" "$WORK/a/study_staffing.task-0-of-3.h5" "$WORK/a/study_staffing.task-2-of-3.h5" 2>"$WORK/err"; then
  fail "merge of an incomplete set succeeded"
else
  rc=$?
  if [ $rc -ne 4 ] || ! grep -q "missing" "$WORK/err" || [ -e "$WORK/partial.h5" ]; then
    fail "incomplete merge: rc $rc, $(cat "$WORK/err")"
  fi
fi
log "incomplete merge refused with exit 4"
echo "slurm end-to-end: 1 passed, 0 failed ($((SECONDS - start)) s)"
