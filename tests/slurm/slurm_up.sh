#!/usr/bin/env bash
# slurm_up.sh STATE_DIR -- start a private one-node Slurm cluster for tests.
#
# What this script owns, and why:
#   * STATE_DIR/slurm.conf and every Slurm spool/state/log/pid file, all kept
#     inside STATE_DIR, so a test run never touches /etc/slurm, /var/spool or
#     /run and never collides with a system Slurm (our daemons use their own
#     ports, 16817/16818 by default, and are started with -f STATE_DIR/slurm.conf).
#   * The slurmctld and slurmd processes it starts (pids in STATE_DIR/pids/).
#   * munged, ONLY if no working munged was already running; in that case
#     STATE_DIR/pids/munged.pid records it so slurm_down.sh stops it again.
#     A munged that was already running is used as is and never stopped.
#   * Installing the Debian packages slurm-wlm and munge if they are absent
#     (CI starts on a fresh machine; `apt-get update` runs only when needed).
#   * STATE_DIR/env: `source` it to point Slurm clients at this cluster
#     (exports SLURM_CONF).
#
# It returns only once `sinfo` reports the node idle (bounded wait, default
# 60 s, CASEFLOW_SLURM_UP_TIMEOUT overrides). On failure it prints why plus the
# tails of the daemon logs, stops what it started, and exits non-zero.
#
# Environment knobs (all optional):
#   CASEFLOW_SLURMCTLD_PORT   default 16817
#   CASEFLOW_SLURMD_PORT      default 16818
#   CASEFLOW_SLURM_UP_TIMEOUT default 60 (seconds to wait for the node to be idle)
#
# Stop everything again with: tests/slurm/slurm_down.sh STATE_DIR
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

log() { printf 'slurm_up: %s\n' "$*" >&2; }
die() { printf 'slurm_up: ERROR: %s\n' "$*" >&2; exit 1; }

if [[ $# -ne 1 || -z "$1" ]]; then
    echo "usage: $0 STATE_DIR" >&2
    exit 2
fi

mkdir -p "$1"
STATE_DIR=$(cd "$1" && pwd)
CTLD_PORT=${CASEFLOW_SLURMCTLD_PORT:-16817}
SLURMD_PORT=${CASEFLOW_SLURMD_PORT:-16818}
UP_TIMEOUT=${CASEFLOW_SLURM_UP_TIMEOUT:-60}
HOST=$(hostname -s)
CONF="$STATE_DIR/slurm.conf"
PID_DIR="$STATE_DIR/pids"
LOG_DIR="$STATE_DIR/log"
mkdir -p "$PID_DIR" "$LOG_DIR" "$STATE_DIR/ctld" "$STATE_DIR/slurmd"

# The path goes unquoted into slurm.conf, so keep it to plain characters.
[[ "$STATE_DIR" =~ ^[A-Za-z0-9._/+-]+$ ]] ||
    die "STATE_DIR must contain only letters, digits and ._/+- : '$STATE_DIR'"
# slurmstepd puts a unix socket SlurmdSpoolDir/HOST_JOBID.STEPID in the spool
# dir; such paths are limited to 107 bytes, so refuse a too-deep STATE_DIR now
# rather than fail obscurely when the first job starts.
sock_example="$STATE_DIR/slurmd/${HOST}_4294967294.4294967294"
((${#sock_example} <= 107)) ||
    die "STATE_DIR path too long for Slurm's step sockets (${#sock_example} > 107 bytes): $STATE_DIR"

# Everything our daemons and clients need to find: our config, never /etc's.
export SLURM_CONF="$CONF"

# ---------------------------------------------------------------- packages --
# Installed means dpkg says so and the programs we run are really there.
need_install=()
for pkg in slurm-wlm munge; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need_install+=("$pkg")
done
for bin in slurmctld slurmd sinfo sbatch scontrol munged munge unmunge; do
    if ! command -v "$bin" >/dev/null 2>&1 && [[ ! -x "/usr/sbin/$bin" ]]; then
        need_install=(slurm-wlm munge)
        break
    fi
done
if ((${#need_install[@]})); then
    [[ $(id -u) -eq 0 ]] || die "packages missing (${need_install[*]}) and not root; install them first"
    log "installing ${need_install[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt_opts=(-y -q -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef
              -o Dpkg::Options::=--force-confold)
    apt-get "${apt_opts[@]}" update </dev/null >"$LOG_DIR/apt-update.log" 2>&1 ||
        { tail -n 20 "$LOG_DIR/apt-update.log" >&2; die "apt-get update failed"; }
    apt-get "${apt_opts[@]}" install --no-install-recommends "${need_install[@]}" </dev/null \
        >"$LOG_DIR/apt-install.log" 2>&1 ||
        { tail -n 30 "$LOG_DIR/apt-install.log" >&2; die "apt-get install failed"; }
fi
export PATH="$PATH:/usr/sbin:/sbin"

# ---------------------------------------------------------------- helpers --
# pid_alive PIDFILE NAME: true if PIDFILE names a live process called NAME.
pid_alive() {
    local pidfile=$1 name=$2 pid comm
    [[ -s "$pidfile" ]] || return 1
    pid=$(<"$pidfile")
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
    [[ "$comm" == "$name" ]]
}

port_in_use() {
    ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

# Tails of the daemon logs (the *.out files hold what a daemon printed before
# its log file was open, so they are shown when the log is empty).
show_logs() {
    local d f
    for d in slurmctld slurmd; do
        f="$LOG_DIR/$d.log"
        [[ -s "$f" ]] || f="$LOG_DIR/$d.out"
        [[ -s "$f" ]] || continue
        printf -- '----- tail of %s -----\n' "$f" >&2
        tail -n 25 "$f" >&2
    done
    for f in "$LOG_DIR/munged.out" /var/log/munge/munged.log; do
        [[ -s "$f" ]] || continue
        printf -- '----- tail of %s -----\n' "$f" >&2
        tail -n 8 "$f" >&2
    done
}

fail() {
    log "ERROR: $*"
    show_logs
    log "stopping whatever this run started (logs stay in $STATE_DIR)"
    bash "$SCRIPT_DIR/slurm_down.sh" "$STATE_DIR" >&2 || true
    exit 1
}

munge_works() {
    timeout 10 munge -n </dev/null 2>/dev/null | timeout 10 unmunge >/dev/null 2>&1
}

# Still running from an earlier slurm_up.sh on this STATE_DIR? Then reuse it.
reuse=false
if pid_alive "$PID_DIR/slurmctld.pid" slurmctld && pid_alive "$PID_DIR/slurmd.pid" slurmd; then
    reuse=true
else
    # Leftover half of an earlier cluster in this STATE_DIR: stop it first.
    bash "$SCRIPT_DIR/slurm_down.sh" "$STATE_DIR" --keep-munge >/dev/null 2>&1 || true
    for port in "$CTLD_PORT" "$SLURMD_PORT"; do
        port_in_use "$port" && die "TCP port $port is already in use (another test cluster?);" \
            "set CASEFLOW_SLURMCTLD_PORT / CASEFLOW_SLURMD_PORT to free ports"
    done
fi

# ------------------------------------------------------------------- munge --
MUNGE_KEY=/etc/munge/munge.key
if munge_works; then
    if pid_alive "$PID_DIR/munged.pid" munged; then
        log "munged started by an earlier slurm_up.sh on $STATE_DIR is running; reusing it"
    else
        rm -f "$PID_DIR/munged.pid"
        log "munged already running; using it (will not stop it)"
    fi
else
    [[ $(id -u) -eq 0 ]] || die "munged is not running and we are not root to start it"
    if [[ ! -s "$MUNGE_KEY" ]]; then
        log "creating munge key $MUNGE_KEY"
        install -d -m 0700 -o munge -g munge /etc/munge
        if command -v mungekey >/dev/null 2>&1; then
            mungekey --create --keyfile="$MUNGE_KEY" --force
        else
            dd if=/dev/urandom of="$MUNGE_KEY" bs=1 count=1024 status=none
        fi
        chown munge:munge "$MUNGE_KEY"
        chmod 0400 "$MUNGE_KEY"
    fi
    # /run is a tmpfs: its munge dir may be missing on a fresh boot/container.
    install -d -m 0755 -o munge -g munge /run/munge
    install -d -m 0700 -o munge -g munge /var/log/munge /var/lib/munge
    log "starting munged"
    # munged forks into the background itself; its pid file tells us its pid.
    rm -f /run/munge/munged.pid
    runuser -u munge -- munged >"$LOG_DIR/munged.out" 2>&1 </dev/null ||
        fail "munged failed to start"
    for _ in $(seq 1 50); do
        [[ -s /run/munge/munged.pid ]] && munge_works && break
        sleep 0.2
    done
    munge_works || fail "munged started but munge -n | unmunge does not work"
    cp /run/munge/munged.pid "$PID_DIR/munged.pid"
fi

# ------------------------------------------------------------ slurm.conf --
if $reuse; then
    log "daemons from an earlier slurm_up.sh on $STATE_DIR are still running; reusing them"
else
    # Hardware as slurmd itself sees it, so the node registers without being
    # drained for "low socket*core*thread count" or "low RealMemory".
    hw=$(SLURM_CONF=/dev/null slurmd -C 2>/dev/null | head -n 1) || hw=""
    hw_field() { sed -n "s/.*\\b$1=\\([0-9]*\\).*/\\1/p" <<<"$hw"; }
    cpus=$(hw_field CPUs);  cpus=${cpus:-$(nproc)}
    mem=$(hw_field RealMemory)
    mem=${mem:-$(awk '/^MemTotal:/ {print int($2/1024)}' /proc/meminfo)}
    topo=""
    for f in Boards SocketsPerBoard CoresPerSocket ThreadsPerCore; do
        v=$(hw_field "$f")
        [[ -n "$v" ]] && topo+=" $f=$v"
    done

    cat >"$CONF" <<EOF
# Generated by tests/slurm/slurm_up.sh for caseflow tests -- do not edit.
ClusterName=caseflowtest
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
# A requeued job waits out the step credential's lifetime before it may start
# again (slurmd refuses a restart whose old credential it has revoked: "Job
# credential revoked"). 10 s instead of the default 120 keeps the requeue test
# short without racing that.
AuthInfo=cred_expire=10
CredType=cred/munge
StateSaveLocation=$STATE_DIR/ctld
SlurmdSpoolDir=$STATE_DIR/slurmd
SlurmctldPidFile=$STATE_DIR/ctld/slurmctld.pid
SlurmdPidFile=$STATE_DIR/slurmd/slurmd.pid
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
ReturnToService=2
MailProg=/bin/true
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
# Schedule promptly: tests submit a handful of tiny jobs and wait on them.
SchedulerParameters=sched_interval=2,bf_interval=2
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$cpus$topo RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF

    # Start both daemons in the foreground (-D) of their own session, with
    # output in files: they never hold the caller's terminal or pipes, we know
    # their pids at once, and early start-up errors land in *.out.
    # CASEFLOW_SLURM_DAEMON_OF marks the daemons' environment (and so that of
    # the slurmstepd processes they fork) so slurm_down.sh can find stray job
    # steps of this cluster. It is set for the daemons only: anything carrying
    # it is fair game for slurm_down.sh.
    marker=(env "CASEFLOW_SLURM_DAEMON_OF=$STATE_DIR")
    log "starting slurmctld (port $CTLD_PORT) and slurmd (port $SLURMD_PORT), conf $CONF"
    "${marker[@]}" setsid slurmctld -D -c -f "$CONF" >"$LOG_DIR/slurmctld.out" 2>&1 </dev/null &
    echo $! >"$PID_DIR/slurmctld.pid"
    "${marker[@]}" setsid slurmd -D -f "$CONF" -N "$HOST" >"$LOG_DIR/slurmd.out" 2>&1 </dev/null &
    echo $! >"$PID_DIR/slurmd.pid"
    # $! is the daemon itself once env and setsid have exec'd (a script has
    # no job control, so setsid need not fork); give that a moment.
    for _ in $(seq 1 50); do
        pid_alive "$PID_DIR/slurmctld.pid" slurmctld && pid_alive "$PID_DIR/slurmd.pid" slurmd && break
        sleep 0.1
    done
fi

cat >"$STATE_DIR/env" <<EOF
# Source this to talk to the caseflow test Slurm cluster in $STATE_DIR.
export SLURM_CONF=$CONF
export CASEFLOW_SLURM_STATE_DIR=$STATE_DIR
EOF

# ---------------------------------------------------- wait for idle node --
log "waiting up to ${UP_TIMEOUT}s for node $HOST to be idle"
start=$SECONDS   # SECONDS counts from this script's start
state=""
while :; do
    pid_alive "$PID_DIR/slurmctld.pid" slurmctld || fail "slurmctld exited during start-up"
    pid_alive "$PID_DIR/slurmd.pid" slurmd || fail "slurmd exited during start-up"
    state=$(timeout 10 sinfo -h -N -n "$HOST" -o '%T' 2>/dev/null | head -n 1) || state=""
    [[ "$state" == idle ]] && break
    if ((SECONDS - start >= UP_TIMEOUT)); then
        timeout 10 scontrol show node "$HOST" >&2 2>&1 || true
        fail "node $HOST not idle after ${UP_TIMEOUT}s (last sinfo state: '${state:-none}')"
    fi
    # A node left drained/down by earlier state: ask for it back once it's responding.
    case "$state" in
        drain* | down*) timeout 10 scontrol update NodeName="$HOST" State=RESUME >/dev/null 2>&1 || true ;;
    esac
    sleep 1
done
log "cluster up (node idle after $((SECONDS - start))s, ${SECONDS}s in all): source $STATE_DIR/env"
