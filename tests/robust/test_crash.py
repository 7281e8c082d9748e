#!/usr/bin/python3
"""test_crash.py — crash consistency of caseflow's output (issue 13, "Also").

At least 50 runs that would replace an earlier result (--force) are killed
with SIGKILL: two thirds at a random moment of the run, one third in the
final write (the file closed, not yet moved into place: CASEFLOW_TEST_FINISH
_DELAY_MS widens that moment, and the test waits for HDF5's lock on the
temporary file to be released, which happens when it is closed). After each
kill:
  - the file at the output path is the earlier result, byte for byte, or,
    when the kill came after the move, a complete result equal to an
    uninterrupted run's (tests/tools/h5same.py);
  - the next run at that path exits 0, says it removed what the killed run
    left, and leaves nothing but its result, again equal to the reference.
Then runs stopped with SIGINT or SIGTERM at random moments are completed
with --resume, each into the file an uninterrupted run gives.

Exit 0 when all holds; otherwise a message per failure and exit 1. Runs in
about a minute (CRASH_KILLS, CRASH_SEED change the count and the moments).
Usage: CASEFLOW_BIN=build/caseflow /usr/bin/python3 tests/robust/test_crash.py
"""
import fcntl
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import h5py

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import h5same  # noqa: E402

BIN = os.path.abspath(os.environ.get("CASEFLOW_BIN", "build/caseflow"))
KILLS = int(os.environ.get("CRASH_KILLS", "51"))
INTERRUPTS = int(os.environ.get("CRASH_INTERRUPTS", "6"))
SEED = int(os.environ.get("CRASH_SEED", "20261206"))
DELAY_MS = 150  # the final-write window the hook opens

# About 0.2 s a run on 2 cores, 10 MB of output: long enough for kills to
# land in every phase, short enough for 100 runs in a minute.
SCENARIO = """run: { replications = 60; seed = 11L; horizon_months = 60; warmup_months = 6; };
referrals: { rate_per_month = 40.0; };
staff: { workers = 12; caseload_cap = 20; meeting_hours_per_day = 3.0; };
casework: { meeting_hours = { dist = "gamma"; mean = 1.5; sd = 0.5; };
            own_time_days = { dist = "exponential"; mean = 14.0; }; };
exits: { probability_per_meeting = 0.08; shares = { work = 0.3; other = 0.7; }; };
"""

failures = []


def fail(message):
    failures.append(message)
    print("test-crash: FAILED: " + message, file=sys.stderr)


def environment(delay=False):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLURM_", "CASEFLOW_TEST_"))}
    if delay:
        env["CASEFLOW_TEST_FINISH_DELAY_MS"] = str(DELAY_MS)
    return env


def run(args, delay=False):
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=environment(delay))


def digest(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def same_as(ref, path):
    return h5same.main([ref, path]) == 0


def complete_file(path):
    """1 when path is a readable caseflow file marked complete, 0 when
    readable and incomplete, None when not readable."""
    try:
        with h5py.File(path, "r") as f:
            return int(f.attrs["complete"])
    except Exception:
        return None


def partials(directory):
    return sorted(n for n in os.listdir(directory) if ".partial-" in n)


def unlocked(path):
    """The file exists, has content and nobody holds its lock: HDF5 released
    it, so the writer closed the file and has not moved it yet."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        if os.fstat(fd).st_size == 0:
            return False
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def kill_phase(work, ref, cfg, rng, duration):
    out_dir = os.path.join(work, "out")
    os.mkdir(out_dir)
    out = os.path.join(out_dir, "res.h5")
    first = run(["run", cfg, "-o", out, "--quiet", "--threads", "2"])
    if first.returncode != 0:
        fail(f"the first run failed: {first.stderr.strip()}")
        return {}
    phases = {"before its file existed": 0, "while writing": 0, "in the final write": 0, "after the move": 0}
    kills = attempts = 0
    while kills < KILLS and attempts < 3 * KILLS:
        attempts += 1
        earlier = digest(out)
        targeted = attempts % 3 == 0
        p = subprocess.Popen([BIN, "run", cfg, "-o", out, "--force", "--quiet", "--threads", "2"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=environment(delay=True))
        temp = f"{out}.partial-{p.pid}"
        if targeted:
            deadline = time.monotonic() + 30
            while p.poll() is None and not unlocked(temp) and time.monotonic() < deadline:
                time.sleep(0.002)
            time.sleep(rng.uniform(0, DELAY_MS / 1000))
        else:
            time.sleep(rng.uniform(0, duration * 1.05))
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
        p.communicate()
        if p.returncode != -signal.SIGKILL:
            continue  # it finished first: not a kill
        kills += 1
        left = partials(out_dir)
        if digest(out) == earlier:
            if not left:
                phases["before its file existed"] += 1
            elif complete_file(os.path.join(out_dir, left[0])) == 1 and unlocked(os.path.join(out_dir, left[0])):
                phases["in the final write"] += 1
            else:
                phases["while writing"] += 1
        else:
            phases["after the move"] += 1
            if complete_file(out) != 1 or not same_as(ref, out):
                fail(f"kill {kills}: the file in place changed but is not a complete result")
        if complete_file(out) != 1:
            fail(f"kill {kills}: the earlier result is not intact")
        # the next run at the same path cleans up and replaces it
        nxt = run(["run", cfg, "-o", out, "--force", "--quiet", "--threads", "2"])
        if nxt.returncode != 0:
            fail(f"kill {kills}: the next run exited {nxt.returncode}: {nxt.stderr.strip()}")
        for name in left:
            if f"removed {os.path.join(out_dir, name)}" not in nxt.stderr:
                fail(f"kill {kills}: the next run did not say it removed {name}: {nxt.stderr.strip()!r}")
        if os.listdir(out_dir) != ["res.h5"]:
            fail(f"kill {kills}: left after the next run: {sorted(os.listdir(out_dir))}")
        if not same_as(ref, out):
            fail(f"kill {kills}: the next run's file differs from the reference")
    if kills < KILLS:
        fail(f"only {kills} of {attempts} runs were killed before they finished")
    if phases["in the final write"] < KILLS // 6:
        fail(f"only {phases['in the final write']} kills landed in the final write")
    return phases


def interrupt_phase(work, ref, cfg, rng, duration):
    out_dir = os.path.join(work, "int")
    os.mkdir(out_dir)
    out = os.path.join(out_dir, "res.h5")
    stopped = 0
    for i in range(INTERRUPTS):
        if os.path.exists(out):
            os.unlink(out)
        sig = signal.SIGINT if i % 2 == 0 else signal.SIGTERM
        p = subprocess.Popen([BIN, "run", cfg, "-o", out, "--quiet", "--threads", "2"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True, env=environment())
        time.sleep(rng.uniform(0.2, 0.8) * duration)
        p.send_signal(sig)
        _, err = p.communicate()
        if p.returncode == 0:
            continue  # finished before the signal
        if p.returncode != 5:
            fail(f"{sig.name}: exit {p.returncode}, expected 5: {err.strip()}")
            continue
        stopped += 1
        if complete_file(out) != 0:
            fail(f"{sig.name}: the interrupted file is not a valid incomplete file")
        r = run(["run", cfg, "-o", out, "--resume", "--quiet", "--threads", "2"])
        if r.returncode != 0:
            fail(f"{sig.name}: --resume exited {r.returncode}: {r.stderr.strip()}")
        elif not same_as(ref, out):
            fail(f"{sig.name}: the resumed file differs from an uninterrupted run's")
        if partials(out_dir):
            fail(f"{sig.name}: left behind: {partials(out_dir)}")
    if stopped < INTERRUPTS // 2:
        fail(f"only {stopped} of {INTERRUPTS} runs were interrupted before they finished")
    return stopped


def main():
    rng = random.Random(SEED)
    work = tempfile.mkdtemp(prefix="caseflow-crash-")
    try:
        cfg = os.path.join(work, "crash.cfg")
        with open(cfg, "w") as fh:
            fh.write(SCENARIO)
        ref = os.path.join(work, "reference.h5")
        r = run(["run", cfg, "-o", ref, "--quiet", "--threads", "2"])
        if r.returncode != 0:
            fail(f"the reference run failed: {r.stderr.strip()}")
            return 1
        # Two durations: the kill phase runs with the final-write delay hook,
        # the interrupt phase without it, so each phase's signals are timed
        # against runs like its own (with the delay's 150 ms counted for the
        # interrupts, a fast build finished before most of them arrived).
        durations = {}
        for delayed in (True, False):
            t0 = time.monotonic()
            for _ in range(2):
                run(["run", cfg, "-o", ref + ".timing", "--force", "--quiet", "--threads", "2"], delay=delayed)
            durations[delayed] = (time.monotonic() - t0) / 2
        duration = durations[True]
        os.unlink(ref + ".timing")
        t0 = time.monotonic()
        phases = kill_phase(work, ref, cfg, rng, duration)
        stopped = interrupt_phase(work, ref, cfg, rng, durations[False])
        counts = ", ".join(f"{n} {k}" for k, n in phases.items())
        if failures:
            print(f"test-crash: {len(failures)} checks failed ({sum(phases.values())} SIGKILLs: {counts})")
        else:
            print(f"test-crash: a run takes {durations[False]:.2f} s ({duration:.2f} s with the final-write delay); {sum(phases.values())} SIGKILLs: {counts}; the earlier "
                  f"result intact each time and nothing left after the next run; {stopped} runs stopped by "
                  f"SIGINT/SIGTERM resumed into the uninterrupted result ({time.monotonic() - t0:.0f} s)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
