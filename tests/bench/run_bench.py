#!/usr/bin/env python3
"""run_bench.py — runs caseflow's benchmarks and prints one table.

Called by `make bench` (see tests/bench/bench.mk and README.md). Uses only
the standard library. Each benchmark runs in its own process so its peak RSS
(ru_maxrss, from wait4) is its own. Writes results/bench/bench.txt (the table
as printed), bench.csv (one row per measurement) and bench.json (everything,
including the raw key=value output of every run).
"""
import argparse
import csv
import json
import math
import os
import platform
import re
import subprocess
import sys
import time

CONFIG = "configs/bench_malmo.cfg"
BASE_RATE = 210.0   # referrals.rate_per_month in CONFIG
BASE_WORKERS = 40   # staff.workers in CONFIG


def machine():
    model, mhz = "unknown", ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and model == "unknown":
                    model = line.split(":", 1)[1].strip()
                elif line.startswith("cpu MHz") and not mhz:
                    mhz = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "cpu_mhz": mhz,
        "kernel": platform.release(),
        "load_avg_start": os.getloadavg(),
    }


EXEC = None  # path of bench_exec, set in main()


def run(argv, what):
    """Runs argv under bench_exec; returns a dict: the key=value lines the
    program printed, plus stdout, wall_s, cpu_s (user + sys) and rss_kib
    (the program's own peak RSS, from wait4)."""
    p = subprocess.run([EXEC] + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.stderr.write(f"bench: {what} failed ({p.returncode}): {' '.join(argv)}\n{p.stderr}{p.stdout}")
        sys.exit(1)
    m = re.search(r"bench_exec: peak_rss_kib=(\d+) wall_s=(\S+) user_s=(\S+) sys_s=(\S+)", p.stderr)
    if not m:
        sys.stderr.write(f"bench: no measurement from bench_exec for {what}\n{p.stderr}")
        sys.exit(1)
    r = {"stdout": p.stdout, "rss_kib": int(m.group(1)), "wall_s": float(m.group(2)),
         "cpu_s": float(m.group(3)) + float(m.group(4))}
    for line in p.stdout.splitlines():
        kv = re.match(r"^([a-z_0-9]+)=(\S+)$", line)
        if kv:
            v = kv.group(2)
            try:
                v = int(v)
            except ValueError:
                try:
                    v = float(v)
                except ValueError:
                    pass
            r.setdefault(kv.group(1), v)
    return r


def cli_run(build, outdir, name, reps, threads, overrides=()):
    path = os.path.join(outdir, name + ".h5")
    argv = [os.path.join(build, "caseflow"), "run", CONFIG, "-o", path, "--force", "--reps", str(reps),
            "--threads", str(threads)]
    for o in overrides:
        argv += ["-s", o]
    r = run(argv, "caseflow run")
    m = re.search(r"(\d+) events in ([0-9.]+) s", r["stdout"])
    if not m:
        sys.stderr.write("bench: cannot find 'N events in T s' in caseflow's output:\n" + r["stdout"])
        sys.exit(1)
    r.update(events=int(m.group(1)), runner_s=float(m.group(2)), file_bytes=os.path.getsize(path),
             replications=reps, threads=threads)
    os.remove(path)
    del r["stdout"]
    return r


def scale_overrides(k):
    return [f"referrals.rate_per_month={BASE_RATE * k:g}", f"staff.workers={BASE_WORKERS * k}"]


def median(xs):
    s = sorted(xs)
    n = len(s)
    if n == 0:
        raise ValueError("median of nothing")
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def size_exponent(t1, tk, k):
    """b in time ~ size^b from the time per replication at 1x and at k x."""
    return math.log(tk / t1) / math.log(k)


def l3_held(probe, kib=16384, near_kib=4096):
    """Whether the memory probe read `kib` at random about as fast as
    `near_kib` (within 2x), i.e. that much still came from the L3 cache. The
    model at 100x reads ~9 MiB at random, so a round between two probes
    that both held 16 MiB ran with its data in the L3; otherwise the host's
    other machines had part of the shared L3 (README, Performance)."""
    return probe[f"chase_kib_{kib}_ns"] <= 2 * probe[f"chase_kib_{near_kib}_ns"]


def paired_scaling(rounds, k=100):
    """rounds: dicts with cli_1, cli_k, model_1, model_k (CPU s per
    replication) and quiet (bool). Each round's exponent comes from its own
    1x and k x, run back to back, so a change in the machine between rounds
    moves both; the verdict takes the median over all rounds, and the median
    over the quiet rounds alone is given beside it (None when there are none)."""
    out = {}
    for what in ("cli", "model"):
        bs = [size_exponent(r[f"{what}_1"], r[f"{what}_k"], k) for r in rounds]
        quiet = [b for b, r in zip(bs, rounds) if r["quiet"]]
        out[what] = {"each": bs, "median": median(bs), "quiet_median": median(quiet) if quiet else None,
                     "quiet_rounds": len(quiet)}
    return out


def fmt(v, unit=""):
    """21.24 M/s, 372.3 kB, 47.1 ns, 1.85 x."""
    unit = unit.strip()
    a = abs(v)
    if a >= 1e6:
        return f"{v / 1e6:.2f} M{unit}"
    if a >= 1e4:
        return f"{v / 1e3:.1f} k{unit}"
    s = f"{v:.0f}" if a >= 100 else f"{v:.1f}" if a >= 10 else f"{v:.2f}"
    return f"{s} {unit}".strip()


def main():
    global EXEC
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--out", default="results/bench")
    ap.add_argument("--quick", action="store_true", help="reduced sizes: a smoke test, not a measurement")
    ap.add_argument("--ref", default="", help="build directory of the reference commit (bench_model there)")
    ap.add_argument("--ref-commit", default="", help="the reference commit, for the table")
    ap.add_argument("--fast", default="", help="build directory of the opt-in make FAST=1 build (-O2 -flto)")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    EXEC = os.path.join(a.build, "bench", "bench_exec")
    be = os.path.join(a.build, "bench", "bench_engine")
    bm = os.path.join(a.build, "bench", "bench_model")
    q = a.quick
    t_start = time.monotonic()
    rows = []
    raw = {"machine": machine(), "quick": q, "ref_commit": a.ref_commit}

    def row(section, metric, value, unit="", target="", met=""):
        text = value if isinstance(value, str) else fmt(value, unit)
        rows.append({"section": section, "metric": metric, "value": text, "target": target, "met": met,
                     "number": None if isinstance(value, str) else value, "unit": unit})
        print(f"  {section:<8} {metric:<52} {text}", file=sys.stderr)

    def yes(c):
        return "yes" if c else "NO"

    print("bench: running (a few minutes; progress below)", file=sys.stderr)

    # 1. Engine: M/M/1 through the public API, 1 and 2 threads.
    customers = 200_000 if q else 1_000_000
    mm1 = run([be, "mm1", str(customers), "3" if q else "5", "1"], "mm1")
    mm2 = run([be, "mm1", str(customers), "2" if q else "3", "2"], "mm1 x2")
    raw["mm1"], raw["mm1_2threads"] = mm1, mm2
    rate = mm1["events_per_cpu_s"]
    row("engine", f"M/M/1 events/s per core, CPU time ({customers:,} customers)", rate, "/s", ">= 20 M/s",
        yes(rate >= 20e6))
    row("engine", "M/M/1 events/s, wall time (best of repeats)", mm1["events_per_s"], "/s")
    row("engine", "M/M/1 time per event, CPU / wall",
        f"{mm1['ns_per_event_cpu']:.1f} / {mm1['ns_per_event']:.1f} ns")
    row("engine", "M/M/1 wall time of the best run", mm1["wall_s"], "s")
    row("engine", "M/M/1 peak RSS", mm1["rss_kib"] / 1024, "MiB")
    w, ci = mm1["mean_wait"], mm1["mean_wait_ci95"]
    row("engine", "M/M/1 mean wait in queue (95% CI, batch means)", f"{w:.3f} +- {ci:.3f}", "",
        "Wq = 9", "ok" if abs(w - 9.0) <= max(2 * ci, 0.45) else "WRONG")
    row("engine", "M/M/1, 2 threads (one queue each): events/s, wall", mm2["events_per_s"], "/s", "",
        f"x{mm2['events_per_s'] / mm1['events_per_s']:.2f} vs 1 thread")
    # The same queue as a minimal hand-written loop, alternately in one
    # process; the program checks both follow the same sample path.
    ml = run([be, "mm1loop", str(customers), "3" if q else "7"], "mm1loop")
    raw["mm1_vs_loop"] = ml
    ratio = ml["engine_over_loop"]
    row("engine", "M/M/1 engine / hand-written loop, CPU ns per event",
        f"{ml['engine_ns_per_event_cpu']:.1f} / {ml['loop_ns_per_event_cpu']:.1f} = x{ratio:.2f}", "", "<= x1.3",
        yes(ratio <= 1.3))

    # 2. The event set alone: the hold model.
    raw["hold"] = {}
    for n, holds in ((100, 4_000_000), (10_000, 4_000_000), (1_000_000, 2_000_000)):
        h = run([be, "hold", str(n), str(holds // 10 if q else holds), "3"], "hold")
        raw["hold"][n] = h
        row("evset", f"hold model, {n:,} pending: ns per hold, CPU (wall)",
            f"{h['ns_per_hold_cpu']:.1f} ({h['ns_per_hold']:.1f}) ns", "", "", f"Exp draw {h['ns_per_draw']:.0f} ns")

    # Draws alone: the exponential and the meeting-hours gamma, GSL's way and
    # by the samplers of eng_ziggurat.h.
    dr = run([be, "draws", "1000000" if q else "5000000"], "draws")
    raw["draws"] = dr
    row("evset", "draw alone, CPU ns: Exp by -log1p(u) / ziggurat",
        f"{dr['ns_exp_log1p']:.1f} / {dr['ns_exp_ziggurat']:.1f} ns")
    row("evset", "draw alone, CPU ns: Gamma(6.25) GSL / Marsaglia-Tsang",
        f"{dr['ns_gamma_gsl']:.1f} / {dr['ns_gamma_mt']:.1f} ns")

    # 3. The full model, Malmökraften-sized, through the real CLI.
    reps2, reps1 = (100, 20) if q else (1000, 200)
    cli2 = cli_run(a.build, a.out, "malmo_t2", reps2, 2)
    cli1 = cli_run(a.build, a.out, "malmo_t1", reps1, 1)
    raw["cli_2threads"], raw["cli_1thread"] = cli2, cli1
    ser_out = os.path.join(a.out, "malmo_serial.h5")
    ser = run([bm, "serial", CONFIG, str(reps1), ser_out], "serial")
    os.remove(ser_out)
    raw["serial_with_output"] = ser
    per_core = ser["events_per_cpu_s"]
    row("model", f"model events/s per core, CPU time (1 thread, {reps1} reps)", per_core, "/s", ">= 10 M/s",
        yes(per_core >= 10e6))
    row("model", "model events/s, wall time (same run)", ser["events"] / ser["model_s"], "/s")
    row("model", f"CLI events per CPU-second, 1 thread ({reps1} reps)", cli1["events"] / cli1["cpu_s"], "/s")
    row("model", f"case-manager core s = 40, N = 30 (this scenario): meetings per CPU-second",
        ser["meetings_per_cpu_s"], "/s")
    small = run([bm, "serial", CONFIG, "20" if q else "200", "-", "staff.workers=1", "staff.caseload_cap=4",
                 f"referrals.rate_per_month={BASE_RATE * 4 / (BASE_WORKERS * 30):g}", "run.horizon_months=1200"],
                "serial s=1 N=4")
    raw["core_s1_n4"] = small
    row("model", "case-manager core s = 1, N = 4 (1 200 months): meetings per CPU-second",
        small["meetings_per_cpu_s"], "/s")
    ref_model = os.path.join(a.ref, "bench", "bench_model")
    if a.ref and os.access(ref_model, os.X_OK):
        # Paired: reference and this build alternately, the same trials;
        # the median ratio of events per CPU-second.
        pairs, reps_ref = (2 if q else 5), []
        for i in range(pairs):
            r_ref = run([ref_model, "serial", CONFIG, str(20 if q else 100), "-"], "reference model")
            r_new = run([bm, "serial", CONFIG, str(20 if q else 100), "-"], "model")
            reps_ref.append((r_ref["events_per_cpu_s"], r_new["events_per_cpu_s"], r_ref["events"] == r_new["events"]))
        med = median([n / r for r, n, _ in reps_ref])
        same = all(e for _, _, e in reps_ref)
        raw["vs_reference"] = {"commit": a.ref_commit, "pairs": reps_ref, "median_ratio": med}
        row("model", f"model events per CPU-second, reference {a.ref_commit[:7]} / this build",
            f"{fmt(median([r for r, _, _ in reps_ref]), '/s')} / {fmt(median([n for _, n, _ in reps_ref]), '/s')}"
            + ("" if same else " (other event counts: streams differ)"))
        row("model", f"  ratio, this build / reference (median of {pairs} paired runs)", f"x{med:.2f}", "",
            ">= x1.8", yes(med >= 1.8))
    else:
        row("model", "ratio to the reference build", "no reference build (make bench-ref)")
    if a.fast and os.access(os.path.join(a.fast, "bench", "bench_model"), os.X_OK):
        fast_rates = []
        for i in range(2 if q else 3):
            r_this = run([bm, "serial", CONFIG, "20" if q else "100", "-"], "model")
            r_fast = run([os.path.join(a.fast, "bench", "bench_model"), "serial", CONFIG, "20" if q else "100", "-"],
                         "fast model")
            fast_rates.append(r_fast["events_per_cpu_s"] / r_this["events_per_cpu_s"])
        fast_rates.sort()
        raw["fast_build_ratio"] = fast_rates
        row("model", "  opt-in -O2 -flto build (make FAST=1) / this build", f"x{median(fast_rates):.2f}",
            "", "not a reference figure")
    row("model", f"CLI events/s, wall: 1 thread / 2 threads ({reps2} reps)",
        f"{fmt(cli1['events'] / cli1['wall_s'], '/s')} / {fmt(cli2['events'] / cli2['wall_s'], '/s')}")
    row("model", "events per replication", cli2["events"] / reps2)
    row("model", "participants referred per replication", ser["participants"] / ser["replications"])
    row("model", "participants present (time average)", ser["present_mean"])
    row("model", "replications/s, 2 threads, wall", reps2 / cli2["wall_s"], "/s")
    scale1000 = 1000 / reps2
    t1000 = cli2["wall_s"] * scale1000
    ext = " (extrapolated)" if reps2 != 1000 else ""
    row("model", f"1000 replications, 2 threads: wall{ext}", t1000, "s", "< 60 s", yes(t1000 < 60))
    c1000 = cli2["cpu_s"] * scale1000 / 2
    row("model", f"1000 replications, 2 threads: CPU s / 2 (idle machine){ext}", c1000, "s", "< 60 s",
        yes(c1000 < 60))
    row("model", "CLI peak RSS, 2 threads", cli2["rss_kib"] / 1024, "MiB")
    row("model", "HDF5 output per replication", cli2["file_bytes"] / reps2, "B")
    share = ser["write_share_cpu"]
    row("model", "HDF5 writing, share of CPU time (1 thread, timed apart)", f"{100 * share:.1f} %", "", "< 10 %",
        yes(share < 0.10))
    row("model", "  of which: records / trial rows / create+finish, ms per rep",
        f"{1e3 * ser['write_participants_s'] / reps1:.2f} / {1e3 * ser['write_trials_s'] / reps1:.2f} / "
        f"{1e3 * ser['write_create_finish_s'] / reps1:.2f}")
    rw_out = os.path.join(a.out, "malmo_runner.h5")
    rw = run([bm, "runner", CONFIG, str(reps1), "2", rw_out], "runner with output")
    os.remove(rw_out)
    rn = run([bm, "runner", CONFIG, str(reps1), "2", "-"], "runner without output")
    raw["runner_with_output"], raw["runner_without_output"] = rw, rn
    extra_cpu = (rw["cpu_s"] - rn["cpu_s"]) / rw["cpu_s"]
    extra_wall = (rw["wall_s"] - rn["wall_s"]) / rw["wall_s"]
    row("model", "runner_run with / without HDF5 (2 threads): CPU s",
        f"{rw['cpu_s']:.2f} / {rn['cpu_s']:.2f} ({100 * extra_cpu:+.1f} %)", "", "< 10 %", yes(extra_cpu < 0.10))
    row("model", "runner_run with / without HDF5 (2 threads): wall s",
        f"{rw['wall_s']:.2f} / {rn['wall_s']:.2f} ({100 * extra_wall:+.1f} %)")

    # 4. Scaling: threads, then size (referral rate and workers times k).
    s1, s2 = cli1["wall_s"] / reps1, cli2["wall_s"] / reps2
    row("scaling", "CLI speed-up, 2 threads vs 1 (wall per replication)", s1 / s2, "x", "~2 when idle")
    p1, p2 = cli1["cpu_s"] / reps1, cli2["cpu_s"] / reps2
    row("scaling", "CLI CPU s per replication, 1 / 2 threads (equal: no cost of threading)",
        f"{p1:.4f} / {p2:.4f} s", "", "", f"x{2 * p1 / p2:.2f} on 2 idle cores")
    # The machine's memory: CPU ns of one random read by working set
    # (bench_host.c), before the first round of the size points and after
    # each. At 100x the model reads ~9 MiB at random, so where the step from
    # L3 to memory lies during a round says much of what its 100x costs.
    hb = os.path.join(a.build, "bench", "bench_host")

    def host_probe():
        return run([hb, "200000" if q else "2000000"], "bench_host")

    def probe_row(when, h):
        sizes = sorted(int(k.split("_")[2]) for k in h if k.startswith("chase_kib_"))
        row("scaling", f"machine {when} them: CPU ns a random read in "
            + "/".join(f"{s / 1024:g}" for s in sizes) + " MiB",
            " / ".join(f"{h[f'chase_kib_{s}_ns']:.0f}" for s in sizes) + " ns")

    def model_point(k):
        # Memory needs only the steady state: 18 months (6 of them warm-up).
        return run([bm, "serial", CONFIG, "30" if k == 1 else "1", "-", "run.horizon_months=18"]
                   + scale_overrides(k), "serial")

    def model_ns(m):
        return 1e9 * m["cpu_s_per_rep"] * m["replications"] / m["events"]

    def size_rows(k, reps, cs, ms):
        c, m = cs[0], ms[0]
        many = f" (median of {len(cs)} rounds)" if len(cs) > 1 else ""
        row("scaling", f"{k:>3}x: CLI 1 thread, per replication ({reps} reps): CPU / wall{many}",
            f"{median([r['cpu_s'] for r in cs]) / reps:.3g} / {median([r['wall_s'] for r in cs]) / reps:.3g} s")
        row("scaling", f"{k:>3}x: CLI events per CPU-second{many}",
            median([r["events"] / r["cpu_s"] for r in cs]), "/s")
        row("scaling", f"{k:>3}x: model alone, 18 months: CPU s per replication{many}",
            median([r["cpu_s_per_rep"] for r in ms]), "s")
        row("scaling", f"{k:>3}x: participants present (time average)", m["present_mean"])
        row("scaling", f"{k:>3}x: peak RSS, CLI / model alone",
            f"{c['rss_kib'] / 1024:.1f} / {m['rss_kib'] / 1024:.1f} MiB")

    # Size: referral rate and workers times k. The 10x point runs once, to
    # show the curve between. The exponent is judged on paired rounds: each
    # round runs 1x and then 100x, through the CLI and the model alone,
    # between two memory probes, and gives its own b = log(t100/t1) / log
    # 100, so a change in the machine between rounds moves both of its
    # points; the verdict is the median over the rounds, as the full model's
    # ratio above is the median of paired runs. Until 2026-12-07 the 1x
    # point ran once and the 100x three times (median), unpaired: one slow
    # 1x run (45 ns per event against 38) then read as b = 1.05.
    reps_at = {1: 10 if q else 100, 10: 2 if q else 10, 100: 1}
    c10 = cli_run(a.build, a.out, "malmo_x10", reps_at[10], 1, scale_overrides(10))
    m10 = model_point(10)
    probes = [host_probe()]
    rounds, raw["scale_rounds"] = [], []
    for i in range(1 if q else 5):
        c1 = cli_run(a.build, a.out, "malmo_x1", reps_at[1], 1, scale_overrides(1))
        c100 = cli_run(a.build, a.out, "malmo_x100", 1, 1, scale_overrides(100))
        m1, m100 = model_point(1), model_point(100)
        probes.append(host_probe())
        rounds.append({"cli_1": c1["cpu_s"] / reps_at[1], "cli_k": c100["cpu_s"],
                       "model_1": m1["cpu_s_per_rep"], "model_k": m100["cpu_s_per_rep"],
                       "ns_ratio": model_ns(m100) / model_ns(m1),
                       "quiet": l3_held(probes[i]) and l3_held(probes[i + 1])})
        raw["scale_rounds"].append({"cli_1": c1, "cli_100": c100, "model_1": m1, "model_100": m100,
                                    "probe_after": probes[-1], "quiet": rounds[-1]["quiet"]})
    raw["host_memory"] = {"before": probes[0], "after": probes[-1], "each": probes}
    ps = paired_scaling(rounds)
    rr = raw["scale_rounds"]
    probe_row("before", probes[0])
    size_rows(1, reps_at[1], [r["cli_1"] for r in rr], [r["model_1"] for r in rr])
    size_rows(10, reps_at[10], [c10], [m10])
    size_rows(100, 1, [r["cli_100"] for r in rr], [r["model_100"] for r in rr])
    probe_row("after", probes[-1])
    for i, r in enumerate(rounds):
        row("scaling", f"  round {i + 1}: b CLI / model; 16 MiB read before / after",
            f"{ps['cli']['each'][i]:.3f} / {ps['model']['each'][i]:.3f}; "
            f"{probes[i]['chase_kib_16384_ns']:.0f} / {probes[i + 1]['chase_kib_16384_ns']:.0f} ns", "", "",
            "L3 held it" if r["quiet"] else "")
    raw["scale_cli"] = {1: rr[0]["cli_1"], 10: c10, 100: rr[0]["cli_100"]}
    raw["scale_model"] = {1: rr[0]["model_1"], 10: m10, 100: rr[0]["model_100"]}
    raw["scale_exponent_cli"], raw["scale_exponent_model"] = ps["cli"]["median"], ps["model"]["median"]
    raw["scale_paired"] = ps
    n = len(rounds)
    of_rounds = f"median of {n} round{'s' if n > 1 else ''}"
    for what, label in (("cli", "CLI, 36 months"), ("model", "model alone, 18 months")):
        b = ps[what]["median"]
        row("scaling", f"exponent b, 1x to 100x: {label} ({of_rounds})",
            f"{b:.3f}", "", "<= 1.10", yes(b <= 1.10))
        qm = ps[what]["quiet_median"]
        row("scaling", f"  the same, rounds with 16 MiB in the L3 ({ps[what]['quiet_rounds']} of {n})",
            "none" if qm is None else f"{qm:.3f}")
    # The curve between, from the 10x run and the rounds' medians at 1x and 100x.
    t1c, t100c = median([r["cli_1"] for r in rounds]), median([r["cli_k"] for r in rounds])
    t10c = c10["cpu_s"] / reps_at[10]
    row("scaling", "  b from 1x to 10x / 10x to 100x, CLI (the curve between)",
        f"{size_exponent(t1c, t10c, 10):.3f} / {size_exponent(t10c, t100c, 10):.3f}")
    ns_ratio = median([r["ns_ratio"] for r in rounds])
    ns1 = median([model_ns(r["model_1"]) for r in rr])
    ns100 = median([model_ns(r["model_100"]) for r in rr])
    row("scaling", f"model alone: CPU ns per event 1x / 100x; ratio ({of_rounds})",
        f"{ns1:.1f} / {ns100:.1f}; x{ns_ratio:.3f}", "", "<= x1.6", yes(ns_ratio <= 1.6))

    # Memory: per participant present (slope from 1x to 100x), and no growth
    # with the number of replications.
    m1, m100 = raw["scale_model"][1], raw["scale_model"][100]
    c1, c100 = raw["scale_cli"][1], raw["scale_cli"][100]
    dp = m100["present_mean"] - m1["present_mean"]
    bpp_model = 1024 * (m100["rss_kib"] - m1["rss_kib"]) / dp
    bpp_cli = 1024 * (c100["rss_kib"] - c1["rss_kib"]) / dp
    row("memory", "bytes per participant present, model alone (1x..100x)", bpp_model, "B", "< 2 KiB",
        yes(bpp_model < 2048))
    row("memory", "bytes per participant present, CLI (1x..100x)", bpp_cli, "B", "< 2 KiB", yes(bpp_cli < 2048))
    few = run([bm, "serial", CONFIG, "2", "-"], "serial")
    many = run([bm, "serial", CONFIG, "10" if q else "50", "-"], "serial")
    row("memory", f"model RSS, 2 vs {many['replications']} replications (1x)",
        f"{few['rss_kib'] / 1024:.1f} / {many['rss_kib'] / 1024:.1f} MiB", "", "no growth",
        yes(many["rss_kib"] <= few["rss_kib"] * 1.1))

    # caseflow plan over two integer variables on the default scenario
    plan = run([os.path.join(a.build, "caseflow"), "plan", "tests/bench/plan_bench.cfg", "--threads", "2", "--quiet"],
               "caseflow plan")
    pm = re.search(r"(\d+) points: (\d+) run, (\d+) settled by monotonicity, (\d+) not needed; (\d+) replications",
                   plan["stdout"])
    rec = re.search(r"^recommendation: (.*)$", plan["stdout"], re.M)
    if not pm or not rec:
        sys.stderr.write("bench: cannot read caseflow plan's report:\n" + plan["stdout"])
        sys.exit(1)
    raw["plan"] = plan
    row("plan", f"plan over 2 integer variables ({pm.group(1)} points), 2 threads: wall", plan["wall_s"], "s",
        "< 60 s", yes(plan["wall_s"] < 60))
    row("plan", "  the same, CPU s / 2 (what an idle machine's wall would be)", plan["cpu_s"] / 2, "s", "< 60 s",
        yes(plan["cpu_s"] / 2 < 60))
    row("plan", "  points run / settled by monotonicity / not needed",
        f"{pm.group(2)} / {pm.group(3)} / {pm.group(4)}")
    row("plan", "  replications used (a full grid at the cap would run 200 per point)", int(pm.group(5)), "",
        f"< {200 * int(pm.group(1))}", yes(int(pm.group(5)) < 200 * int(pm.group(1))))
    row("plan", "  recommendation", rec.group(1))

    raw["total_seconds"] = time.monotonic() - t_start
    raw["machine"]["load_avg_end"] = os.getloadavg()
    mach = raw["machine"]
    lines = [f"caseflow benchmarks{' (QUICK: a smoke test, not a measurement)' if q else ''}",
             f"machine: nproc {mach['nproc']}, {mach['cpu_model']} ({mach['cpu_mhz']} MHz), Linux {mach['kernel']}",
             f"load average {mach['load_avg_start'][0]:.2f} at start, {mach['load_avg_end'][0]:.2f} at end"
             + ("  ** BUSY: other work shares the cores; wall-time rows read low, CPU-time rows hold **"
                if max(mach['load_avg_start'][0], mach['load_avg_end'][0]) > 0.7 else " (idle)"),
             "rates per core use the thread's or process's CPU time; wall-time rows are given beside them",
             f"scenario {CONFIG}; whole bench {raw['total_seconds']:.0f} s"
             + (f"; reference build: commit {a.ref_commit}" if a.ref_commit else ""), ""]
    w = [max(len(r[k]) for r in rows) for k in ("section", "metric", "value", "target")]
    w[3] = max(w[3], len("target"))
    head = f"{'area':<{w[0]}}  {'metric':<{w[1]}}  {'value':>{w[2]}}  {'target':<{w[3]}}  met?"
    lines += [head, "-" * len(head)]
    last = None
    for r in rows:
        if last and r["section"] != last:
            lines.append("")
        last = r["section"]
        lines.append(f"{r['section']:<{w[0]}}  {r['metric']:<{w[1]}}  {r['value']:>{w[2]}}  "
                     f"{r['target']:<{w[3]}}  {r['met']}".rstrip())
    table = "\n".join(lines) + "\n"
    print(table, end="")
    with open(os.path.join(a.out, "bench.txt"), "w") as f:
        f.write(table)
    with open(os.path.join(a.out, "bench.csv"), "w", newline="") as f:
        wr = csv.writer(f)
        wr.writerow(["area", "metric", "value", "number", "unit", "target", "met"])
        for r in rows:
            wr.writerow([r["section"], r["metric"], r["value"], r["number"], r["unit"], r["target"], r["met"]])
    raw["rows"] = rows
    for v in list(raw.values()):
        if isinstance(v, dict):
            v.pop("stdout", None)
    with open(os.path.join(a.out, "bench.json"), "w") as f:
        json.dump(raw, f, indent=1, default=str)
    print(f"bench: wrote {a.out}/bench.txt, bench.csv, bench.json", file=sys.stderr)


if __name__ == "__main__":
    main()
