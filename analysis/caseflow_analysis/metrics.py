"""Per-replication metrics and what is derived from /participants.

replication_metrics() mirrors runner.c's collect(): the same value per
replication, with NaN where the simulator leaves a replication out (no
waits measured, no exits), so that mean_ci() over the result reproduces the
simulator's /summary. Everything else here is the analysis' own.
"""
from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any, Optional, Sequence

import numpy as np

from . import stats

if TYPE_CHECKING:
    from .runfile import RunData

# name -> (label for people, unit, display scale, display unit)
FIXED = [
    ("wait_days_assigned", "wait for a slot, among those assigned (biased low: leaves out those still waiting)",
     "days", 1.0, "days"),
    ("time_in_programme_days_assigned", "time in programme, among those who exited (biased low: leaves out "
     "those still in)", "days", 1.0, "days"),
    ("waiting_list", "waiting list, time-average", "participants", 1.0, "people"),
    ("active", "participants assigned, time-average", "participants", 1.0, "people"),
    ("utilisation", "worker time in meetings", "share", 100.0, "%"),
    ("referrals_per_month", "referrals", "per month", 1.0, "/month"),
    ("exits_per_month", "exits", "per month", 1.0, "/month"),
]


MORE = [  # metrics the mechanisms and service levels add to /summary (docs/OUTPUT.md)
    ("good_exit_share", "share of exits to work or studies", "share", 100.0, "%"),
    ("good_exits_per_month", "exits to work or studies (exits.good)", "per month", 1.0, "/month"),
    ("rejected_per_month", "referrals screened out", "per month", 1.0, "/month"),
    ("reneged_per_month", "people who gave up waiting", "per month", 1.0, "/month"),
    ("enrolled_per_month", "people enrolled", "per month", 1.0, "/month"),
    ("method_capital", "method capital (mean over teams)", "capital", 1.0, "capital"),
    ("wait_mean_days", "wait for a slot, mean (all referred, censoring-correct)", "days", 1.0, "days"),
    ("wait_median_days", "wait for a slot, median", "days", 1.0, "days"),
    ("wait_days_assigned", "wait for a slot, mean among those assigned", "days", 1.0, "days"),
    ("programme_mean_days", "time in programme, mean (censoring-correct)", "days", 1.0, "days"),
    ("programme_median_days", "time in programme, median", "days", 1.0, "days"),
    ("time_in_programme_days_assigned", "time in programme, mean among those who exited", "days", 1.0, "days"),
]
_PERCENTILE = re.compile(r"^(wait|programme)_p(\d+)_days$")
_WITHIN = re.compile(r"^(wait|programme)_within_(\d+(?:\.\d+)?)d$")


def metric_info(name: str, unit: Optional[str] = None) -> tuple[str, str, float, str]:
    """(label, unit, scale, display unit) for a metric name from /summary;
    `unit` (the /summary row's) helps with names this code does not know."""
    for n, label, u, scale, shown in FIXED + MORE:
        if n == name:
            return label, u, scale, shown
    head, _, tail = name.partition(".")
    what = {"wait": "wait for a slot", "programme": "time in programme"}
    m = _PERCENTILE.match(name)
    if m:
        return f"{what[m.group(1)]}, {m.group(2)}th percentile", "days", 1.0, "days"
    m = _WITHIN.match(name)
    if m:
        return f"{what[m.group(1)]}: share within {m.group(2)} days", "share", 100.0, "%"
    if head == "exits_per_month" and tail:
        return f"exits to {tail}", "per month", 1.0, "/month"
    if head == "exit_share" and tail:
        return f"share of exits to {tail}", "share", 100.0, "%"
    if head == "referrals_per_month" and tail:
        return f"referrals from {tail}", "per month", 1.0, "/month"
    if head in ("retained_12", "retained_24") and tail:
        return f"in work or studies {head[-2:]} months after leaving for {tail}", "share", 100.0, "%"
    if head == "target_value" and tail:
        return f"target {tail}: value reached", unit or "", 100.0 if unit == "share" else 1.0, \
            "%" if unit == "share" else (unit or "")
    if head == "target_met" and tail:
        return f"target {tail}: probability of meeting it", "probability", 100.0, "%"
    if name == "meetings_per_exit":
        return "meetings per exit (assigned after warm-up)", "meetings", 1.0, "meetings"
    if name == "caseload_per_worker":
        return "caseload per worker, time-average", "participants", 1.0, "people"
    from . import service
    found = service.metric_info(name)  # offered load, capacity, per-profile and per-source service levels
    if found:
        return found
    if unit == "share":
        return name, unit, 100.0, "%"
    return name, unit or "", 1.0, unit or ""


class Values(dict):
    """{metric: array over replications}; .units holds the simulator's unit
    of a metric where /summary gives one (where its interval is cut)."""
    units: dict[str, str] = {}


def replication_metrics(run: "RunData") -> Values:
    """{metric: array over replications}, in the simulator's /summary order,
    then analysis-only metrics. Empty when /replications is absent."""
    reps = run.replications
    if reps is None:
        return Values()
    names = reps.dtype.names
    months = float(run.measured_months) if run.measured_months > 0 else math.nan

    def col(name):
        return reps[name].astype(float) if name in names else np.full(len(reps), np.nan)

    out = Values()
    out.units = {r["metric"]: r.get("unit", "") for r in (run.summary or [])}
    # files written before the service levels named the biased means
    # wait_mean_days / programme_mean_days in /replications
    wait_col = "wait_days_assigned" if "wait_days_assigned" in names else "wait_mean_days"
    prog_col = "time_in_programme_days_assigned" if "time_in_programme_days_assigned" in names else "programme_mean_days"
    wait_n = col("wait_n")
    out["wait_days_assigned"] = np.where(wait_n > 0, col(wait_col), np.nan)
    prog_n = col("programme_n")
    out["time_in_programme_days_assigned"] = np.where(prog_n > 0, col(prog_col), np.nan)
    out["waiting_list"] = col("mean_waiting")
    out["active"] = col("mean_active")
    out["utilisation"] = col("utilisation")
    out["referrals_per_month"] = col("referrals_measured") / months
    exits = col("exits_measured")
    out["exits_per_month"] = exits / months
    ebd = run.exits_by_destination
    if ebd is not None and run.destinations and ebd.shape == (len(reps), len(run.destinations)):
        for d, name in enumerate(run.destinations):
            out[f"exits_per_month.{name}"] = ebd[:, d] / months
        with np.errstate(invalid="ignore", divide="ignore"):
            for d, name in enumerate(run.destinations):
                out[f"exit_share.{name}"] = np.where(exits > 0, ebd[:, d] / exits, np.nan)
        good = [d for d in good_destinations(run) if d in run.destinations]
        if good:
            g = ebd[:, [run.destinations.index(d) for d in good]].sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                out["good_exit_share"] = np.where(exits > 0, g / exits, np.nan)
            out["good_exits_per_month"] = g / months  # analysis-only
    # the mechanisms' counts (/trial_extras) as the simulator's monthly rates, where /summary has them
    in_summary = {str(r.get("metric")) for r in run.summary or ()}
    for col_name, metric in (("enrolled", "enrolled_per_month"), ("rejected", "rejected_per_month"),
                             ("reneged", "reneged_per_month")):
        if run.extras is not None and col_name in run.extras and metric in in_summary:
            out[metric] = np.asarray(run.extras[col_name], float) / months
    # the service levels and targets per trial, as the simulator stored them
    from . import service
    out.update(service.replication_values(run))
    # analysis-only
    if "meetings_per_exit" in names:
        out["meetings_per_exit"] = np.where(prog_n > 0, col("meetings_per_exit"), np.nan)
    if run.workers:
        out["caseload_per_worker"] = out["active"] / run.workers
    return out


def good_destinations(run: "RunData") -> list[str]:
    """The scenario's exits.good (destinations that count as work or
    studies), [] when unset."""
    good = run.params.get("exits.good")
    if isinstance(good, str):
        good = [good]
    return [str(g) for g in good] if isinstance(good, list) else []


def summarise(values_by_metric: dict[str, np.ndarray]) -> dict[str, dict[str, Any]]:
    """Mean and 95 % interval per metric, as the simulator's /summary: Student
    t, cut to where the quantity can lie (docs/OUTPUT.md), and Wilson's
    interval for the 0/1 target_met.* values."""
    from . import service
    units = getattr(values_by_metric, "units", {})
    out = {}
    for k, v in values_by_metric.items():
        if k.startswith("target_met."):
            out[k] = stats.wilson_ci(v)
            continue
        r = stats.mean_ci(v)
        lo_bound, hi_bound = service.bounds_of(k, units.get(k))
        if lo_bound is not None and r["ci_low"] < lo_bound:
            r["ci_low"] = lo_bound
        if hi_bound is not None and r["ci_high"] > hi_bound:
            r["ci_high"] = hi_bound
        out[k] = r
    return out


def compare_with_summary(recomputed: dict[str, dict[str, Any]], summary: Optional[list[dict[str, Any]]],
                         rtol: float = 1e-6) -> list[tuple[str, Any, Any, Optional[bool]]]:
    """Rows of (metric, ours, simulator's, agrees) for every metric in either."""
    rows = []
    sim = {r["metric"]: r for r in (summary or [])}
    for name, ours in recomputed.items():
        s = sim.get(name)
        agrees = None
        if s is not None:
            agrees = all(_close(ours[k], s[k], rtol) for k in ("mean", "ci_low", "ci_high")) and \
                ours["n"] == s["replications"]
        rows.append((name, ours, s, agrees))
    for name, s in sim.items():
        if name not in recomputed:
            rows.append((name, None, s, None))
    return rows


def _close(a, b, rtol):
    if math.isnan(a) and math.isnan(b):
        return True
    return abs(a - b) <= rtol * max(1.0, abs(a), abs(b))


# -- from /participants ------------------------------------------------------

class ParticipantStats:
    """One pass over /participants.

    caseload[r, w, k]  participants assigned to worker w at the end of month k
                       of replication r (the snapshot convention of
                       /series/active: assigned before, not yet exited at, the
                       month end)
    waiting[r, k]      participants waiting at the end of month k
    durations          exit_time - assignment_time, days, of participants
                       assigned after warm-up who exited before the horizon,
                       with their destination and replication
    still_active_after_warmup[r]  assigned after warm-up, no exit by the
                       horizon (the right-censored stays missing from
                       durations)
    """

    def __init__(self, run: "RunData") -> None:
        self.run = run
        self.available = run.has_participants and run.horizon > 0 and run.n_reps > 0
        if not self.available:
            return
        R, M = run.n_reps, run.horizon
        dpm = run.dpm
        month_ends = (np.arange(M) + 1) * dpm
        warm_t = run.warmup * dpm
        fields = ["referral_time", "assignment_time", "exit_time", "destination", "worker"]
        # fate says who was screened out (never waited) and who gave up
        # (waited until exit_time); older files without it count as placed or waiting
        has_fate = "fate" in run.file.participant_fields
        if has_fate:
            fields.append("fate")
        W = run.workers
        self.workers_from_config = W is not None
        if W is None:  # fall back to the largest worker index seen
            W = 0
            for c in run.iter_participants(["worker"]):
                if c["worker"].size:
                    W = max(W, int(c["worker"].max()) + 1)
        self.workers = W
        case_diff = np.zeros(R * max(W, 1) * (M + 1), dtype=np.int64)
        wait_diff = np.zeros(R * (M + 1), dtype=np.int64)
        durs, dests, drep = [], [], []
        censored = np.zeros(R, dtype=np.int64)
        self.rows = 0
        for c in run.iter_participants(fields):
            rep = c["local"]
            ref, asg, ext = c["referral_time"], c["assignment_time"], c["exit_time"]
            dest, wk = c["destination"], c["worker"]
            self.rows += int(rep.size)
            # waiting at month end k: referral < T_k <= left the list, which is the
            # assignment, or exit_time for someone who gave up (fate 3) or was
            # handed on to a successor project from the list (fate 4,
            # model_handover.c); NaN: still waiting; someone screened out
            # (fate 2) never waits
            fate = c["fate"] if has_fate else np.zeros(rep.size, dtype=np.int8)
            # a transfer ends a wait or a stay at its exit_time but is no exit (no duration)
            moved = fate == 4
            gave_up = ((fate == 3) | moved) & np.isnan(asg) & ~np.isnan(ext)
            left = np.where(gave_up, ext, asg)
            a = np.searchsorted(month_ends, ref, side="right")
            b = np.where(np.isnan(left), M, np.searchsorted(month_ends, left, side="right"))
            b = np.where(fate == 2, a, b)
            np.add.at(wait_diff, rep * (M + 1) + a, 1)
            np.add.at(wait_diff, rep * (M + 1) + b, -1)
            # caseload of worker w at month end k: assignment < T_k <= exit
            sel = (wk >= 0) & (wk < W) & ~np.isnan(asg)
            a = np.searchsorted(month_ends, asg[sel], side="right")
            b = np.where(np.isnan(ext[sel]), M, np.searchsorted(month_ends, ext[sel], side="right"))
            base = (rep[sel] * W + wk[sel]) * (M + 1)
            np.add.at(case_diff, base + a, 1)
            np.add.at(case_diff, base + b, -1)
            after = ~np.isnan(asg) & (asg >= warm_t)
            done = after & ~np.isnan(ext) & ~moved
            durs.append((ext - asg)[done])
            dests.append(dest[done])
            drep.append(rep[done])
            censored += np.bincount(rep[after & (np.isnan(ext) | moved)], minlength=R)
        self.caseload = np.cumsum(case_diff.reshape(R, max(W, 1), M + 1), axis=2)[:, :W, :M]
        self.waiting = np.cumsum(wait_diff.reshape(R, M + 1), axis=1)[:, :M]
        self.durations = np.concatenate(durs) if durs else np.zeros(0)
        self.duration_dest = np.concatenate(dests) if dests else np.zeros(0, dtype=int)
        self.duration_rep = np.concatenate(drep) if drep else np.zeros(0, dtype=int)
        self.still_active_after_warmup = censored

    def programme_mean_by_rep(self) -> np.ndarray:
        R = self.run.n_reps
        n = np.bincount(self.duration_rep, minlength=R)
        s = np.bincount(self.duration_rep, weights=self.durations, minlength=R)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 0, s / np.maximum(n, 1), np.nan)

    def caseload_after_warmup(self) -> np.ndarray:
        """Per-worker caseloads at month ends after warm-up, flattened."""
        return self.caseload[:, :, self.run.warmup:].reshape(-1)

    def caseload_summary(self) -> Optional[dict[str, Any]]:
        return caseload_summary(self.caseload, self.run.warmup, self.run.caseload_cap, self.workers)

    def duration_summary(self, destinations: Sequence[str]) -> list[dict[str, Any]]:
        rows = []
        R = self.run.n_reps
        groups = [(d, name) for d, name in enumerate(destinations)] + [(None, "all")]
        for d, name in groups:
            sel = np.ones(self.durations.size, bool) if d is None else self.duration_dest == d
            v = self.durations[sel]
            if v.size:
                per_rep_n = np.bincount(self.duration_rep[sel], minlength=R)
                per_rep_s = np.bincount(self.duration_rep[sel], weights=v, minlength=R)
                with np.errstate(invalid="ignore", divide="ignore"):
                    per_rep = np.where(per_rep_n > 0, per_rep_s / np.maximum(per_rep_n, 1), np.nan)
                ci = stats.mean_ci(per_rep)
            else:
                ci = stats.mean_ci([])
            rows.append({
                "destination": name,
                "exits": int(v.size),
                "mean_days": float(v.mean()) if v.size else math.nan,
                "median_days": float(np.median(v)) if v.size else math.nan,
                "p10_days": float(np.quantile(v, 0.1)) if v.size else math.nan,
                "p90_days": float(np.quantile(v, 0.9)) if v.size else math.nan,
                "mean_of_replication_means": ci,
            })
        return rows


def caseload_summary(caseload: np.ndarray, warmup: int, cap: Optional[int],
                     workers: Optional[int]) -> Optional[dict[str, Any]]:
    """Summary of per-worker caseloads [rep x worker x month] at month ends
    after warm-up, pooled; NaN entries (posts that do not exist, in
    /series/worker_caseload) are left out."""
    after = np.asarray(caseload[:, :, warmup:], float)
    v = after.reshape(-1)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return None
    out = {
        "what": "participants assigned to each worker at each month end after warm-up, "
                "pooled over workers, month ends and replications",
        "observations": int(v.size),
        "mean": float(v.mean()),
        "median": float(np.median(v)),
        "p10": float(np.quantile(v, 0.1)),
        "p90": float(np.quantile(v, 0.9)),
        "min": int(v.min()),
        "max": int(v.max()),
        "workers": workers,
        "caseload_cap": cap,
    }
    if cap:
        out["share_at_cap"] = float((v >= cap).mean())
    with np.errstate(invalid="ignore", divide="ignore"):
        fin = np.isfinite(after)
        per_rep = np.where(fin, after, 0.0).sum(axis=(1, 2)) / fin.sum(axis=(1, 2))
    out["mean_by_replication_ci"] = stats.mean_ci(per_rep)
    return out


def consistency_checks(run: "RunData", pstats: Optional[ParticipantStats]) -> list[dict[str, Any]]:
    """Cross-checks between sections of the file: list of dicts (name, ok, detail)."""
    checks = []
    if pstats is not None and pstats.available:
        if "active" in run.series and pstats.workers:
            total = pstats.caseload.sum(axis=1)
            diff = np.abs(total - run.series["active"]).max()
            checks.append({"name": "Σ per-worker caseload from /participants = /series/active",
                           "ok": bool(diff == 0), "detail": f"largest difference {diff:g}"})
        if "waiting" in run.series:
            diff = np.abs(pstats.waiting - run.series["waiting"]).max()
            checks.append({"name": "waiting from /participants = /series/waiting",
                           "ok": bool(diff == 0), "detail": f"largest difference {diff:g}"})
        names = run.replications.dtype.names if run.replications is not None else ()
        col = next((c for c in ("time_in_programme_days_assigned", "programme_mean_days") if c in names), None)
        if col:
            ours = pstats.programme_mean_by_rep()
            theirs = run.replications[col].astype(float)
            both = np.isfinite(ours) & np.isfinite(theirs)
            same_nan = bool(np.array_equal(np.isnan(ours), np.isnan(theirs)))
            diff = float(np.abs(ours[both] - theirs[both]).max()) if both.any() else 0.0
            checks.append({"name": "mean time in programme from /participants = /replications",
                           "ok": bool(same_nan and diff <= 1e-6 * max(1.0, float(np.nanmax(np.abs(theirs))) if both.any() else 1.0)),
                           "detail": f"largest difference {diff:.3g} days"})
    wc = run.series.get("worker_caseload")
    if wc is not None and wc.ndim == 3 and "active" in run.series:
        diff = np.abs(np.nansum(wc, axis=2) - run.series["active"]).max()
        checks.append({"name": "Σ /series/worker_caseload = /series/active",
                       "ok": bool(diff == 0), "detail": f"largest difference {diff:g}"})
    if "exits" in run.series and run.exits_by_destination is not None:
        s = run.series["exits"][:, run.warmup:, :].sum(axis=1)
        if s.shape == run.exits_by_destination.shape:
            diff = np.abs(s - run.exits_by_destination).max()
            checks.append({"name": "Σ /series/exits after warm-up = /exits_by_destination",
                           "ok": bool(diff == 0), "detail": f"largest difference {diff:g}"})
    if run.replications is not None and "referrals" in run.series and "referrals_measured" in run.replications.dtype.names:
        s = run.series["referrals"][:, run.warmup:].sum(axis=1)
        diff = np.abs(s - run.replications["referrals_measured"].astype(float)).max()
        checks.append({"name": "Σ /series/referrals after warm-up = referrals_measured",
                       "ok": bool(diff == 0), "detail": f"largest difference {diff:g}"})
    return checks


# -- targets -----------------------------------------------------------------

def normalise_targets(raw: list[dict[str, Any]], run: "RunData") -> tuple[list[dict[str, Any]], list[str]]:
    """Targets with defaults filled in and problems reported, not raised."""
    out, problems = [], []
    dests = run.destinations or []
    for i, t in enumerate(raw):
        name = str(t.get("name") or f"target {i + 1}")
        dest = str(t.get("destination", "all"))
        kind = str(t.get("kind", "exits"))
        try:
            value = float(t["value"])
        except (KeyError, TypeError, ValueError):
            problems.append(f"{name}: no numeric value")
            continue
        if dest != "all" and dest not in dests:
            problems.append(f"{name}: unknown destination '{dest}' (known: {', '.join(dests)}, all)")
            continue
        if kind not in ("exits", "share"):
            problems.append(f"{name}: unknown kind '{kind}' (exits or share)")
            continue
        fm = int(t.get("from_month", run.warmup))
        bm = int(t.get("by_month", run.horizon))
        if not 0 <= fm < bm <= run.horizon:
            problems.append(f"{name}: months {fm}..{bm} outside the run's 0..{run.horizon}")
            continue
        out.append({"name": name, "destination": dest, "kind": kind, "value": value,
                    "from_month": fm, "by_month": bm})
    return out, problems


def target_outcomes(targets: list[dict[str, Any]], run: "RunData") -> list[dict[str, Any]]:
    """For each target: per-replication achieved values and the share of
    replications that meet it, with a Wilson 95 % interval."""
    ex = run.series.get("exits")
    if ex is None:
        return []
    dests = run.destinations or []
    res = []
    for t in targets:
        window = ex[:, t["from_month"]:t["by_month"], :].sum(axis=1)  # rep x dest
        total = window.sum(axis=1)
        got = total if t["destination"] == "all" else window[:, dests.index(t["destination"])]
        if t["kind"] == "share":
            with np.errstate(invalid="ignore", divide="ignore"):
                got = np.where(total > 0, got / total, np.nan)
        valid = np.isfinite(got)
        met = int((got[valid] >= t["value"]).sum())
        p, lo, hi = stats.wilson_interval(met, int(valid.sum()))
        res.append(dict(t, achieved=got, met=met, replications=int(valid.sum()),
                        probability=p, ci_low=lo, ci_high=hi, achieved_ci=stats.mean_ci(got)))
    return res
