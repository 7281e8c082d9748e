#!/usr/bin/env bash
# slurm_down.sh STATE_DIR [--keep-munge] -- stop the test cluster that
# tests/slurm/slurm_up.sh started in STATE_DIR.
#
# What this script owns, and why:
#   * Stopping exactly the processes slurm_up.sh recorded in STATE_DIR/pids/
#     (slurmctld, slurmd, and munged only if slurm_up.sh had to start it),
#     plus any slurmstepd/job process that still carries this cluster's
#     CASEFLOW_SLURM_DAEMON_OF marker. Nothing is found by name alone, so a
#     system Slurm or munged on the same host is never touched.
#   * Each pid is checked against its process name before it is signalled, so
#     a stale pid file whose pid was reused is ignored.
# --keep-munge leaves munged alone (slurm_up.sh uses it to clear a half-dead
# earlier cluster in the same STATE_DIR before starting a new one).
# It is idempotent: a missing STATE_DIR, missing pid files or already dead
# processes are fine; running it twice is fine. STATE_DIR itself (with its
# logs) is left for the caller to remove.
set -euo pipefail

log() { printf 'slurm_down: %s\n' "$*" >&2; }

if [[ $# -lt 1 || -z "$1" ]]; then
    echo "usage: $0 STATE_DIR [--keep-munge]" >&2
    exit 2
fi
keep_munge=false
[[ "${2:-}" == --keep-munge ]] && keep_munge=true

[[ -d "$1" ]] || exit 0
STATE_DIR=$(cd "$1" && pwd)
PID_DIR="$STATE_DIR/pids"
[[ -d "$PID_DIR" ]] || exit 0
export PATH="$PATH:/usr/sbin:/sbin"

# pid_of PIDFILE NAME: print the pid in PIDFILE if it is a live process NAME.
pid_of() {
    local pidfile=$1 name=$2 pid comm
    [[ -s "$pidfile" ]] || return 1
    pid=$(<"$pidfile")
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
    [[ "$comm" == "$name" ]] || return 1
    echo "$pid"
}

# stop_pids NAME GRACE PID...: SIGTERM, wait up to GRACE seconds, then SIGKILL.
# (Zombies count as stopped: they are only waiting to be reaped by init.)
stop_pids() {
    local name=$1 grace=$2 pid deadline
    local -a alive
    shift 2
    (($#)) || return 0
    log "stopping $name (pid $*)"
    kill -TERM "$@" 2>/dev/null || true
    deadline=$((SECONDS + grace))
    while :; do
        alive=()
        for pid in "$@"; do
            [[ -d /proc/$pid && "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]] &&
                alive+=("$pid")
        done
        ((${#alive[@]})) || return 0
        if ((SECONDS >= deadline)); then
            log "$name still running after ${grace}s; sending SIGKILL to ${alive[*]}"
            kill -KILL "${alive[@]}" 2>/dev/null || true
            return 0
        fi
        sleep 0.2
    done
}

# Processes of this cluster that outlived slurmd: those whose environment
# carries this cluster's marker (slurmstepd inherits it from slurmd), plus all
# their descendants (the job scripts and whatever they started).
marked_pids() {
    local envf pid
    local -a marked=()
    for envf in /proc/[0-9]*/environ; do
        pid=${envf#/proc/}
        pid=${pid%/environ}
        [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
        if tr '\0' '\n' 2>/dev/null <"$envf" | grep -qxF "CASEFLOW_SLURM_DAEMON_OF=$STATE_DIR"; then
            marked+=("$pid")
        fi
    done
    ((${#marked[@]})) || return 0
    ps -e -o pid=,ppid= | awk -v roots="${marked[*]}" '
        BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) keep[r[i]] = 1 }
        { parent[$1] = $2 }
        END {
            do {                      # add children of kept pids until stable
                grew = 0
                for (p in parent) if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; grew = 1 }
            } while (grew)
            for (p in keep) print p
        }'
}

# 1. Cancel queued/running jobs while the controller can still do it cleanly.
if pid_of "$PID_DIR/slurmctld.pid" slurmctld >/dev/null && [[ -s "$STATE_DIR/slurm.conf" ]]; then
    jobs=$(SLURM_CONF="$STATE_DIR/slurm.conf" timeout 10 squeue -h -o '%A' 2>/dev/null || true)
    if [[ -n "$jobs" ]]; then
        log "cancelling leftover jobs: $(tr '\n' ' ' <<<"$jobs")"
        # shellcheck disable=SC2086 # word splitting of the job id list is wanted
        SLURM_CONF="$STATE_DIR/slurm.conf" timeout 10 scancel $jobs 2>/dev/null || true
    fi
fi

# 2. The daemons, slurmd first so it stops launching steps.
pids=()
pid=$(pid_of "$PID_DIR/slurmd.pid" slurmd) && pids+=("$pid")
stop_pids slurmd 15 "${pids[@]}"
pids=()
pid=$(pid_of "$PID_DIR/slurmctld.pid" slurmctld) && pids+=("$pid")
stop_pids slurmctld 15 "${pids[@]}"

# 3. Any job step or job process of this cluster that outlived slurmd.
mapfile -t stray < <(marked_pids)
stop_pids "leftover job processes" 3 "${stray[@]}"

rm -f "$PID_DIR/slurmd.pid" "$PID_DIR/slurmctld.pid"

# 4. munged, only if slurm_up.sh started it (it then wrote munged.pid).
if ! $keep_munge && [[ -e "$PID_DIR/munged.pid" ]]; then
    pids=()
    pid=$(pid_of "$PID_DIR/munged.pid" munged) && pids+=("$pid")
    stop_pids munged 10 "${pids[@]}"
    rm -f "$PID_DIR/munged.pid"
fi
exit 0
