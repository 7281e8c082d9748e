#!/usr/bin/env bash
# selftest.sh -- end-to-end check of the test Slurm harness.
#
# What this script owns, and why:
#   * A throw-away cluster in a mktemp directory: it runs slurm_up.sh there
#     and always (EXIT/INT/TERM trap) runs slurm_down.sh, so it leaves no
#     daemons behind, pass or fail. The directory is removed on success and
#     kept (its path is printed) on failure, for the logs.
#   * The check itself: a 4-task job array whose tasks each write
#     SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT to a file in a shared
#     directory, and a job depending on it (afterok) that concatenates them.
#     This exercises what caseflow's end-to-end test relies on: sbatch, job
#     arrays, array environment variables, dependencies and a shared file
#     system between jobs.
# Every wait is bounded; the whole run takes well under 2 minutes.
# Exit status 0 means the harness works on this machine.
# Set CASEFLOW_SLURM_KEEP=1 to keep the temp directory (logs) for debugging.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
JOB_TIMEOUT=${CASEFLOW_SLURM_JOB_TIMEOUT:-45}

log() { printf 'selftest: %s\n' "$*" >&2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/caseflow-slurm-selftest.XXXXXX")
STATE="$WORK/state"
SHARED="$WORK/shared"
mkdir -p "$SHARED"

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    bash "$SCRIPT_DIR/slurm_down.sh" "$STATE" || true
    if [[ $rc -ne 0 || -n "${CASEFLOW_SLURM_KEEP:-}" ]]; then
        if [[ $rc -ne 0 && -d "$STATE/log" ]]; then
            for f in "$STATE"/log/*.log; do
                [[ -s "$f" ]] || continue
                printf -- '----- tail of %s -----\n' "$f" >&2
                tail -n 15 "$f" >&2
            done
        fi
        log "kept $WORK for inspection"
    else
        rm -rf "$WORK"
    fi
    if [[ $rc -eq 0 ]]; then log "PASS"; else log "FAIL (exit $rc)"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() { log "FAIL: $*"; exit 1; }

started=$SECONDS
bash "$SCRIPT_DIR/slurm_up.sh" "$STATE"
# shellcheck source=/dev/null
source "$STATE/env"

# wait_done JOBID: wait until JOBID (and all its array tasks) left the queue,
# then print its final JobState(s) as reported by scontrol.
wait_done() {
    local job=$1 deadline=$((SECONDS + JOB_TIMEOUT)) q
    while :; do
        q=$(timeout 10 squeue -h -j "$job" -o '%i %T' 2>/dev/null) || q="squeue failed"
        [[ -z "$q" ]] && break
        if ((SECONDS >= deadline)); then
            log "job $job still queued after ${JOB_TIMEOUT}s:"
            printf '%s\n' "$q" >&2
            timeout 10 scontrol show job "$job" >&2 || true
            return 1
        fi
        sleep 0.5
    done
    # No accounting here, but finished jobs stay in slurmctld for MinJobAge (300 s).
    timeout 10 scontrol -o show job "$job" | grep -o 'JobState=[A-Z_]*' | sort | uniq -c |
        awk '{$1 = $1; print}' | paste -sd, -
}

cat >"$WORK/task.sh" <<'EOF'
#!/bin/bash
set -eu
echo "$SLURM_ARRAY_TASK_ID $SLURM_ARRAY_TASK_COUNT" >"$SHARED/task.$SLURM_ARRAY_TASK_ID"
EOF
cat >"$WORK/gather.sh" <<'EOF'
#!/bin/bash
set -eu
cat "$SHARED"/task.* | sort -n >"$SHARED/all.txt"
EOF

export SHARED   # sbatch propagates the submitting environment to the jobs
array_id=$(timeout 20 sbatch --parsable --job-name=cf-array --array=0-3 --ntasks=1 \
    --time=2 --chdir="$WORK" --output="$WORK/array-%A_%a.out" "$WORK/task.sh")
array_id=${array_id%%;*}
dep_id=$(timeout 20 sbatch --parsable --job-name=cf-gather --dependency="afterok:$array_id" \
    --ntasks=1 --time=2 --chdir="$WORK" --output="$WORK/gather-%j.out" "$WORK/gather.sh")
dep_id=${dep_id%%;*}
log "submitted array job $array_id (4 tasks) and dependent job $dep_id"

array_states=$(wait_done "$array_id") || fail "array job $array_id did not finish"
log "array job states: $array_states"
dep_states=$(wait_done "$dep_id") || fail "dependent job $dep_id did not finish"
log "dependent job states: $dep_states"

[[ $array_states == "4 JobState=COMPLETED" ]] ||
    fail "expected 4 COMPLETED array tasks, got: $array_states"
[[ $dep_states == "1 JobState=COMPLETED" ]] ||
    fail "expected dependent job COMPLETED, got: $dep_states"

expected=$'0 4\n1 4\n2 4\n3 4'
[[ -f "$SHARED/all.txt" ]] || fail "dependent job wrote no $SHARED/all.txt"
got=$(<"$SHARED/all.txt")
if [[ "$got" != "$expected" ]]; then
    log "expected:"; printf '%s\n' "$expected" >&2
    log "got:"; printf '%s\n' "$got" >&2
    fail "concatenated array output is wrong"
fi
log "array tasks and dependent job produced the expected output in $((SECONDS - started))s"
