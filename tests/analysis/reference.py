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
        "wait_days": np.where(r["wait_n"] > 0, r["wait_mean_days"], np.nan),
        "time_in_programme_days": np.where(r["programme_n"] > 0, r["programme_mean_days"], np.nan),
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
    return v


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
