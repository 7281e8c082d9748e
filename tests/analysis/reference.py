"""Independent reference computations for the tests: straight from the HDF5
file with h5py and NumPy, deliberately written without the analysis code."""
import math

import h5py
import numpy as np

# Student t 97.5 % quantiles from GSL's gsl_cdf_tdist_Pinv (what the simulator uses).
T975 = {1: 12.706204736174696, 2: 4.3026527297494619, 3: 3.1824463052837038, 4: 2.7764451051977925,
        5: 2.5705818356363141, 6: 2.4469118511449683, 7: 2.3646242515927844, 8: 2.3060041352041658,
        9: 2.2621571627982053, 19: 2.0930240544083096}


def ci(values):
    v = np.asarray([x for x in values if np.isfinite(x)], dtype=float)
    n = v.size
    m = v.mean()
    h = T975[n - 1] * v.std(ddof=1) / math.sqrt(n)
    return m, m - h, m + h, n


def text(x):
    return x.decode() if isinstance(x, bytes) else str(x)


def load(path, scenario=0):
    """Rows of one scenario, in replication order, and the file's attributes."""
    with h5py.File(path, "r") as f:
        reps = f["replications"][...]
        sel = np.flatnonzero(reps["scenario"] == scenario)
        sel = sel[np.argsort(reps["replication"][sel])]
        out = {
            "reps": reps[sel],
            "ebd": f["exits_by_destination"][...][sel].astype(float),
            "series": {k: f["series"][k][...][sel] for k in f["series"]},
            "dest": [text(d) for d in f["destinations"][...]],
            "horizon": int(f.attrs["horizon_months"]),
            "warmup": int(f.attrs["warmup_months"]),
            "dpm": float(f.attrs["days_per_month"]),
            "summary": [r for r in f["summary"][...] if r["scenario"] == scenario],
            "participants": f["participants"][...],
        }
    p = out["participants"]
    out["participants"] = p[p["scenario"] == scenario]
    return out


def metric_values(d):
    """Per-replication values of the simulator's summary metrics (results.c)."""
    r = d["reps"]
    months = d["horizon"] - d["warmup"]
    v = {
        "wait_days_assigned": np.where(r["wait_n"] > 0, r["wait_days_assigned"], np.nan),
        "time_in_programme_days_assigned": np.where(r["programme_n"] > 0, r["time_in_programme_days_assigned"],
                                                    np.nan),
        "waiting_list": r["mean_waiting"],
        "active": r["mean_active"],
        "utilisation": r["utilisation"],
        "referrals_per_month": r["referrals_measured"] / months,
        "exits_per_month": r["exits_measured"] / months,
    }
    for j, name in enumerate(d["dest"]):
        v[f"exits_per_month.{name}"] = d["ebd"][:, j] / months
    for j, name in enumerate(d["dest"]):
        with np.errstate(invalid="ignore", divide="ignore"):
            v[f"exit_share.{name}"] = np.where(r["exits_measured"] > 0, d["ebd"][:, j] / r["exits_measured"], np.nan)
    v.update(service_values(d))
    return v


def km(times, events):
    """Kaplan-Meier by a plain loop: [(event time, S just after)]."""
    pairs = sorted(zip(times, events), key=lambda te: (te[0], not te[1]))
    at_risk, s, out, i = len(pairs), 1.0, [], 0
    while i < len(pairs):
        t, d, c = pairs[i][0], 0, 0
        while i < len(pairs) and pairs[i][0] == t:
            d += pairs[i][1]
            c += not pairs[i][1]
            i += 1
        if d:
            s *= 1 - d / at_risk
            out.append((t, s))
        at_risk -= d + c
    return out


def km_quantile(curve, p):
    for t, s in curve:
        if s <= 1 - p + 1e-12:
            return t
    return math.nan


def km_within(curve, x, last):
    if x > last and (not curve or curve[-1][1] > 0):
        return math.nan
    s = 1.0
    for t, st in curve:
        if t <= x:
            s = st
    return 1 - s


def service_values(d, thresholds=(14, 30, 90), workers=4, cap=8):
    """The service levels per replication from /participants alone (docs/OUTPUT.md
    "Service levels"): Little's-law means over the measured window, Kaplan-Meier
    percentiles and P(wait <= X) censored at the horizon; no profiles or sources."""
    warm, horizon = d["warmup"] * d["dpm"], d["horizon"] * d["dpm"]
    span = horizon - warm
    names = ["wait_mean_days", "wait_median_days", "wait_p90_days", "wait_p95_days"] + \
        [f"wait_within_{x}d" for x in thresholds] + \
        ["programme_mean_days", "programme_median_days", "programme_p90_days", "programme_p95_days",
         "offered_load", "capacity"]
    out = {n: [] for n in names}
    p = d["participants"]
    for rep in d["reps"]["replication"]:
        q = p[(p["replication"] == rep) & (p["fate"] != 2)]
        ref, asg, ext = q["referral_time"], q["assignment_time"], q["exit_time"]
        placed = np.isfinite(asg)
        wait_area = sum(max(0.0, min(a if ok else horizon, horizon) - max(r, warm)) for r, a, ok in zip(ref, asg, placed))
        prog_area = sum(max(0.0, min(e if np.isfinite(e) else horizon, horizon) - max(a, warm))
                        for a, e, ok in zip(asg, ext, placed) if ok)
        joined = int((ref >= warm).sum())
        assigned = int((placed & (asg >= warm)).sum())
        w_mean = wait_area / joined if joined else math.nan
        g_mean = prog_area / assigned if assigned else math.nan
        sel = ref >= warm
        wt = [a - r if ok else horizon - r for r, a, ok in zip(ref[sel], asg[sel], placed[sel])]
        we = list(placed[sel])
        wc = km(wt, we)
        sel = placed & (asg >= warm)
        gt = [e - a if np.isfinite(e) else horizon - a for a, e in zip(asg[sel], ext[sel])]
        gc = km(gt, [bool(np.isfinite(e)) for e in ext[sel]])
        row = [w_mean, km_quantile(wc, 0.5), km_quantile(wc, 0.9), km_quantile(wc, 0.95)]
        row += [km_within(wc, x, max(wt) if wt else 0) for x in thresholds]
        row += [g_mean, km_quantile(gc, 0.5), km_quantile(gc, 0.9), km_quantile(gc, 0.95)]
        row += [joined / span * g_mean, workers * cap]
        for n, x in zip(names, row):
            out[n].append(x)
    return {n: np.asarray(v, float) for n, v in out.items()}


def cut(name, lo, hi):
    """The simulator's intervals are cut to where a quantity can lie: >= 0,
    and shares (wait_within_*, exit_share.*) <= 1."""
    lo = max(lo, 0.0)
    if name.startswith(("wait_within_", "exit_share.")):
        hi = min(hi, 1.0)
    return lo, hi


def caseload_brute_force(d, workers):
    """caseload[rep, worker, month]: a plain loop over participants and month ends."""
    R, M = len(d["reps"]), d["horizon"]
    reps = list(d["reps"]["replication"])
    out = np.zeros((R, workers, M), dtype=int)
    ends = [(k + 1) * d["dpm"] for k in range(M)]
    for p in d["participants"]:
        if p["worker"] < 0 or not np.isfinite(p["assignment_time"]):
            continue
        i = reps.index(p["replication"])
        for k, t in enumerate(ends):
            # the snapshot at a month end precedes events at that instant
            if p["assignment_time"] < t and (not np.isfinite(p["exit_time"]) or p["exit_time"] >= t):
                out[i, p["worker"], k] += 1
    return out
