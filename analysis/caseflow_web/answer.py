"""The answer a planner asks for, read from a run's HDF5 file.

Numbers are the simulator's own /summary rows (mean over replications with
its 95 % CI), never recomputed, so the page shows exactly what the file
says. Only two things are the page's own: caseload per worker (as in the
analysis report: time-average caseload / workers, or the per-post series
when the file has it) and, for files without /diagnostics, a check of the
waiting list's trend (labelled as the page's own).

Service levels: `wait_within_<X>d` rows (share waiting at most X days;
thresholds discovered from the names) and `wait_median_days` when the file
has them; files without them (format 2) only have `wait_days`, the mean wait
of those who were assigned a slot, which is shown under that name.
"""
import csv
import math
import os
import re

import numpy as np

from caseflow_analysis import stats
from caseflow_analysis.runfile import read_diagnostics

WITHIN = re.compile(r"^wait_within_(\d+(?:\.\d+)?)d$")


def _text(v):
    if isinstance(v, np.ndarray) and v.shape == ():
        v = v[()]
    if isinstance(v, (bytes, np.bytes_)):
        return bytes(v).decode("utf-8", "replace").rstrip("\x00")
    return str(v)


def _num(v):
    if isinstance(v, np.ndarray):
        v = v.reshape(-1)[0] if v.size else math.nan
    return v.item() if hasattr(v, "item") else v


def _clean(x):
    x = float(x)
    return None if math.isnan(x) else x


def _row(r):
    return {"mean": _clean(r["mean"]), "lo": _clean(r["ci_low"]), "hi": _clean(r["ci_high"]),
            "unit": _text(r["unit"]) if "unit" in r.dtype.names else "", "n": int(r["replications"])}


class RunFileError(RuntimeError):
    pass


def _open(path):
    import h5py
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise RunFileError(f"cannot open the result file ({e})") from None
    if _text(f.attrs.get("format", b"")) not in ("caseflow-run", "caseflow-study"):
        f.close()
        raise RunFileError("the result file is not a caseflow run file")
    return f


def _params(f, s):
    """Scenario s's parameters: /resolved when present; a file without it
    (before format_version 3) has only a study's swept values
    (/scenario_parameters): its scenario text is not parsed (issue 12)."""
    params = {}
    if "resolved" in f and "keys" in f["resolved"] and "value" in f["resolved"]:
        keys = [_text(k) for k in f["resolved/keys"][...]]
        vals = f["resolved/value"][...]
        row = vals[s] if vals.ndim == 2 and s < vals.shape[0] else vals
        for k, v in zip(keys, np.asarray(row, dtype=float)):
            if not math.isnan(v):
                params[k] = int(v) if v == int(v) else float(v)
        return params
    if "parameter_names" in f and "scenario_parameters" in f:
        pn = [_text(x) for x in f["parameter_names"][...]]
        sp = f["scenario_parameters"][...]
        if sp.ndim == 2 and s < sp.shape[0]:
            for j, k in enumerate(pn):
                v = float(sp[s, j])
                params[k] = int(v) if v == int(v) else v
    return params


def scenario_names(f):
    if "scenarios" in f and f["scenarios"].dtype.names and "name" in f["scenarios"].dtype.names:
        return [_text(r["name"]) for r in f["scenarios"][...]]
    return ["base"]


def read_answer(path):
    """{'complete', 'replications', 'horizon', 'warmup', 'seed', 'scenarios': [answer per scenario]}."""
    with _open(path) as f:
        names = scenario_names(f)
        out = {
            "complete": bool(_num(f.attrs.get("complete", 1))),
            "format_version": int(_num(f.attrs.get("format_version", 0))),
            "replications": int(_num(f.attrs.get("replications", 0))),
            "horizon": int(_num(f.attrs.get("horizon_months", 0))),
            "warmup": int(_num(f.attrs.get("warmup_months", 0))),
            "seed": int(_num(f.attrs.get("master_seed", 0))),
            "scenarios": [],
        }
        summary = f["summary"][...] if "summary" in f else None
        money = f["money/summary"][...] if "money" in f and "summary" in f["money"] else None
        for s, name in enumerate(names):
            out["scenarios"].append(_scenario(f, s, name, summary, money, out, len(names)))
    return out


def _rows_of(table, s):
    if table is None:
        return {}
    sel = table[table["scenario"] == s] if "scenario" in table.dtype.names else table
    return {_text(r["metric"]): _row(r) for r in sel}


def _scenario(f, s, name, summary, money, info, n_scenarios=1):
    m = _rows_of(summary, s)
    params = _params(f, s)
    a = {"name": name, "metrics": m, "workers": params.get("staff.workers"), "cap": params.get("staff.caseload_cap")}
    # wait: the median when the file has it, else the mean among those assigned
    if "wait_median_days" in m:
        a["wait"] = dict(m["wait_median_days"], metric="wait_median_days", label="median wait")
    elif "wait_days" in m:
        a["wait"] = dict(m["wait_days"], metric="wait_days", label="mean wait (among those assigned)")
    elif "wait_days_assigned" in m:
        a["wait"] = dict(m["wait_days_assigned"], metric="wait_days_assigned",
                         label="mean wait (among those assigned)")
    else:
        a["wait"] = None
    service = []
    for k, v in m.items():
        w = WITHIN.match(k)
        if w:
            service.append(dict(v, metric=k, days=float(w.group(1))))
    a["service"] = sorted(service, key=lambda x: x["days"])
    a["median_within"] = _median_within(f, s, a["service"][0]["days"]) if a["service"] else None
    a["wait_more"] = [dict(m[k], metric=k, label=lab) for k, lab in
                      (("wait_mean_days", "mean wait"), ("wait_p90_days", "90th percentile of the wait"),
                       ("wait_p95_days", "95th percentile of the wait")) if k in m]
    a["caseload"] = _caseload(f, s, params, info)
    dests = [_text(x) for x in f["destinations"][...]] if "destinations" in f else []
    a["exits"] = [{"destination": d, "per_month": m.get(f"exits_per_month.{d}"), "share": m.get(f"exit_share.{d}")}
                  for d in dests]
    a["exits_total"] = m.get("exits_per_month")
    targets = []
    for k, v in m.items():
        if k.startswith("target_met."):
            t = k[len("target_met."):]
            targets.append({"name": t, "p_met": v, "value": m.get(f"target_value.{t}")})
    a["targets"] = targets
    a["money"] = _money(money, s)
    a["warnings"], a["warnings_source"] = _warnings(f, s, info, name, n_scenarios)
    return a


def _trial_rows(f, s):
    if "replications" not in f:
        return None
    reps = f["replications"][...]
    names = reps.dtype.names
    sel = np.ones(len(reps), bool)
    if "scenario" in names:
        sel &= reps["scenario"] == s
    if "status" in names:
        sel &= reps["status"] == 1
    return np.flatnonzero(sel), reps


def _median_within(f, s, days):
    """P(median wait <= days): the share of this scenario's replications whose
    median wait (the per-trial `wait_median_days` of /trial_extras) is at
    most `days`, with Wilson's 95 % interval — the planner's "will the median
    wait stay under 14 days with 90 % probability". None when the file has
    no per-trial medians."""
    if "trial_extras" not in f or "columns" not in f["trial_extras"].attrs:
        return None
    cols = [_text(c) for c in f["trial_extras"].attrs["columns"]]
    if "wait_median_days" not in cols:
        return None
    picked = _trial_rows(f, s)
    if picked is None:
        return None
    idx, _ = picked
    med = f["trial_extras"][...][idx, cols.index("wait_median_days")].astype(float)
    med = med[np.isfinite(med)]
    if med.size == 0:
        return None
    r = stats.wilson_ci((med <= days).astype(float))
    return {"days": days, "mean": _clean(r["mean"]), "lo": _clean(r["ci_low"]), "hi": _clean(r["ci_high"]),
            "n": r["n"]}


def _ci(values):
    r = stats.mean_ci(values)
    return {"mean": _clean(r["mean"]), "lo": _clean(r["ci_low"]), "hi": _clean(r["ci_high"]), "n": r["n"]}


def _caseload(f, s, params, info):
    """Caseload per worker, per replication then mean and t interval."""
    tr = _trial_rows(f, s)
    if tr is None:
        return None
    idx, reps = tr
    warm = info["warmup"]
    if "series" in f and "worker_caseload" in f["series"]:
        wc = f["series/worker_caseload"]
        if wc.ndim == 3 and wc.shape[0] == len(reps):
            per_rep = []
            for i in idx:
                block = np.asarray(wc[i, warm:, :], dtype=float)
                per_rep.append(np.nanmean(block) if np.isfinite(block).any() else math.nan)
            return dict(_ci(per_rep), source="mean over posts and month ends (/series/worker_caseload)")
    workers = params.get("staff.workers")
    if isinstance(workers, (int, float)) and workers > 0 and "mean_active" in reps.dtype.names:
        return dict(_ci(reps["mean_active"][idx].astype(float) / workers),
                    source=f"time-average caseload ÷ {int(workers)} workers")
    return None


def _money(table, s):
    if table is None:
        return None
    rows = _rows_of(table, s)
    if not rows:
        return None
    out = {k[len("money."):]: v for k, v in rows.items() if k.startswith("money.")}
    net = {}
    for k, v in out.items():
        mm = re.match(r"^net_(\w+?)\.(\w+)$", k)
        if mm:
            net.setdefault(mm.group(2), {})[mm.group(1)] = v
    return {"all": out, "net": net}


def _warnings(f, s, info, name=None, n_scenarios=1):
    """(warnings, source): scenario s's lines of the file's /diagnostics when
    present (read by the analysis package's reader, the one the report's
    Warnings section uses), else the page's own check of the waiting list's
    trend after warm-up."""
    if "diagnostics" in f:
        diag = read_diagnostics(f)
        if diag is not None:
            return diag.for_scenario(s, name, n_scenarios)["warnings"], "file"
    tr = _trial_rows(f, s)
    if tr is None or "series" not in f or "waiting" not in f["series"]:
        return [], None
    idx, _ = tr
    w = f["series/waiting"]
    months = w.shape[1] if w.ndim == 2 else 0
    # the second half of the months after warm-up: a start-up (staff still
    # arriving, an empty programme filling) is not taken for overload
    start = info["warmup"] + (months - info["warmup"]) // 2
    if w.ndim != 2 or months - start < 6:
        return [], None
    x = np.arange(months - start, dtype=float)
    slopes = [np.polyfit(x, np.asarray(w[i, start:], dtype=float), 1)[0] for i in idx]
    r = _ci(slopes)
    if r["lo"] is not None and r["lo"] > 0:
        return [f"The waiting list is still growing at the end of the run: by about {r['mean']:.1f} people a month "
                f"over months {start + 1} to {months} (95 % CI {r['lo']:.1f} to {r['hi']:.1f}). More people are "
                f"referred than the staff can take on, so the waits and the waiting list depend on how long the "
                f"run is."], "page"
    return [], "page"


# -- CSV tables ------------------------------------------------------------------

def write_tables(h5_path, out_dir):
    """summary.csv, replications.csv, exits_by_destination.csv and, with
    money, money_summary.csv; returns the names written."""
    os.makedirs(out_dir, exist_ok=True)
    written = []
    with _open(h5_path) as f:
        for ds_name, csv_name in (("summary", "summary.csv"), ("replications", "replications.csv"),
                                  ("money/summary", "money_summary.csv")):
            if ds_name in f and f[ds_name].dtype.names:
                arr = f[ds_name][...]
                _write_csv(os.path.join(out_dir, csv_name), list(arr.dtype.names),
                           ([_cell(r[c]) for c in arr.dtype.names] for r in arr))
                written.append(csv_name)
        if "exits_by_destination" in f and "destinations" in f:
            dests = [_text(x) for x in f["destinations"][...]]
            ebd = f["exits_by_destination"][...]
            reps = f["replications"][...] if "replications" in f else None
            head = ["trial", "scenario", "replication"] + dests
            rows = []
            for i in range(ebd.shape[0]):
                sc = int(reps["scenario"][i]) if reps is not None and "scenario" in reps.dtype.names else 0
                rp = int(reps["replication"][i]) if reps is not None and "replication" in reps.dtype.names else i
                rows.append([i, sc, rp] + [int(x) for x in ebd[i]])
            _write_csv(os.path.join(out_dir, "exits_by_destination.csv"), head, rows)
            written.append("exits_by_destination.csv")
    return written


def _cell(v):
    if isinstance(v, (bytes, np.bytes_)):
        return _text(v)
    v = _num(v)
    if isinstance(v, float):
        return "" if math.isnan(v) else repr(v)
    return v


def _write_csv(path, head, rows):
    tmp = path + ".tmp"
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(head)
        for r in rows:
            w.writerow(r)
    os.replace(tmp, path)
