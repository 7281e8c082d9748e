"""Service levels in the report: the warnings first, then waits that count
everyone, their distribution, P(wait <= X) by referral month, and every
target's probability of being met.

Reads what the simulator wrote (docs/OUTPUT.md "Service levels" and
"Diagnostics") through runfile's readers: the per-trial service columns of
/trial_extras (run.extras, None without it), their /summary rows,
/diagnostics (run.diagnostics, None without it) and /participants for the
distributions. The thresholds X are found in the metric names
(wait_within_<X>d), never assumed.

Kept in its own module so the report gains one section function per part
(section_warnings, section_service; the targets are the report's own
section_targets, which covers service-level targets too) and the metrics
module one call per hook (metric_info, bounds_of, replication_values).
"""
from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any, Optional

import numpy as np

from . import stats
from .page import esc, fmt, fmt_ci

if TYPE_CHECKING:  # annotations only: report imports this module
    from .report import ReportContext
    from .runfile import RunData

WITHIN = re.compile(r"^wait_within_(\d+)d$")
STATS = {"mean": "mean", "median": "median", "p90": "90th percentile", "p95": "95th percentile"}
GROUP = re.compile(r"^(wait|programme)_(mean|median|p90|p95)_days\.(profile|source)\.(.+)$")
SERVICE = re.compile(r"^((wait|programme)_(mean|median|p90|p95)_days|wait_within_\d+d)(\.(profile|source)\..+)?$")


# -- hooks used by metrics.py --------------------------------------------------

def metric_info(name):
    """(label, unit, scale, display unit) of a service metric, or None."""
    m = WITHIN.match(name.split(".", 1)[0])
    group = ""
    if "." in name and SERVICE.match(name):
        _, kind, gname = name.split(".", 2)
        group = f" ({kind} {gname})"
    if m:
        return f"placed within {m.group(1)} days{group}", "share", 100.0, "%"
    base = name.split(".", 1)[0]
    for what, text in (("wait", "wait for a slot"), ("programme", "time in programme")):
        for key, label in STATS.items():
            if base == f"{what}_{key}_days":
                return f"{text}, {label}, counting everyone{group}", "days", 1.0, "days"
    if name == "offered_load":
        return "offered load (places wanted)", "participants", 1.0, "people"
    if name == "capacity":
        return "capacity (caseload places)", "participants", 1.0, "people"
    if name.startswith("target_met."):
        return f"target {name.split('.', 1)[1]}: P(met)", "probability", 100.0, "%"
    if name.startswith("target_value."):
        return f"target {name.split('.', 1)[1]}: attained", "", 1.0, ""
    return None


def grouped(name):
    """A per-profile or per-source service metric (its own table on the page)."""
    return bool(SERVICE.match(name)) and (".profile." in name or ".source." in name)


def bounds_of(name, unit=None):
    """(low, high) where a summary metric's interval is cut, as the simulator
    does (results.h): shares and probabilities in [0, 1], the rest >= 0.
    target_value.* is a count, a share or days: its unit says which."""
    share = name.startswith(("exit_share.", "good_exit_share", "retained_", "wait_within_", "target_met.")) or (
        name.startswith("target_value.") and unit == "share")
    return (0.0, 1.0) if share else (0.0, None)


def replication_values(run):
    """{metric: per-replication array} of the service columns and targets in
    /trial_extras (empty for files written before them)."""
    out = {}
    for c, v in (getattr(run, "extras", None) or {}).items():
        if SERVICE.match(c) or c in ("offered_load", "capacity") or c.startswith(("target_value.", "target_met.")):
            out[c] = np.asarray(v, dtype=float)
    return out


# -- reading -----------------------------------------------------------------------

def thresholds(run):
    """The X of wait_within_<X>d in this file, ascending."""
    names = [r["metric"] for r in (run.summary or [])] + list((getattr(run, "extras", None) or {}).keys())
    return sorted({int(m.group(1)) for n in names for m in [WITHIN.match(n)] if m})


def summary_row(run, name):
    for r in run.summary or []:
        if r["metric"] == name:
            return r
    return None


def wait_observations(run):
    """Waits (days) of everyone referred after warm-up and not screened out,
    pooled over replications: (time, placed, referral month, replication).
    Not placed by the horizon (still waiting, or gave up): censored there;
    handed to a successor project while waiting (fate 4): censored at the
    transfer, its exit_time, as the simulator does (output/service.c)."""
    dpm, horizon = run.dpm, run.horizon * run.dpm
    times, placed, months, reps = [], [], [], []
    for c in run.iter_participants(["referral_time", "assignment_time", "exit_time", "fate"]):
        keep = c["fate"] != 2
        ref, asg = c["referral_time"][keep], c["assignment_time"][keep]
        ext, fate = c["exit_time"][keep], c["fate"][keep]
        got = ~np.isnan(asg)
        left = np.where(fate == 4, ext, horizon)
        times.append(np.where(got, asg - ref, left - ref))
        placed.append(got)
        months.append(np.minimum((ref / dpm).astype(np.int64), run.horizon - 1))
        reps.append(c["local"][keep])
    if not times:
        return None
    t, e, m, r = (np.concatenate(x) for x in (times, placed, months, reps))
    # referral months are whole, so referred after warm-up = month >= warm-up
    return {"time": t, "placed": e, "month": m, "rep": r, "after_warmup": m >= run.warmup}


def km_curve(time, event):
    """Kaplan–Meier: unique event times and S just after each (the same
    estimator as the simulator's engine/eng_survival)."""
    if time.size == 0:
        return np.zeros(0), np.zeros(0)
    order = np.lexsort((~event, time))
    t, e = time[order], event[order].astype(float)
    ut, idx = np.unique(t, return_index=True)
    d = np.add.reduceat(e, idx)
    at_risk = t.size - idx
    s = np.cumprod(1.0 - d / at_risk)
    keep = d > 0
    return ut[keep], s[keep]


def monthly_within(obs, run, xs):
    """{X: [replication x referral month] share placed within X days}, NaN
    where nobody was referred that month or the horizon comes before the
    month's last referral could have waited X days."""
    R, M, dpm = run.n_reps, run.horizon, run.dpm
    n = np.zeros((R, M))
    np.add.at(n, (obs["rep"], obs["month"]), 1)
    out = {}
    for x in xs:
        k = np.zeros((R, M))
        ok = obs["placed"] & (obs["time"] <= x)
        np.add.at(k, (obs["rep"][ok], obs["month"][ok]), 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(n > 0, k / n, np.nan)
        known = (np.arange(M) + 1) * dpm + x <= M * dpm + 1e-9
        share[:, ~known] = np.nan
        out[x] = share
    return out


# -- figures -------------------------------------------------------------------------

def fig_wait_distribution(time, placed, xs, run):
    from . import plots
    plt = plots.plt
    ut, s = km_curve(time, placed)
    fig, ax = plt.subplots(figsize=(10, 4.8))
    right = max([*xs, 1]) * 1.6
    if ut.size:
        right = max(right, float(np.quantile(time[placed], 0.97)) if placed.any() else right)
        x = np.concatenate([[0.0], ut, [min(right, float(time.max()))]])
        y = 100 * (1 - np.concatenate([[1.0], s, [s[-1]]]))
        ax.step(x, y, where="post", color=plots.color(0), lw=2, label="P(wait ≤ t), all replications pooled")
    for i, xd in enumerate(xs):
        r = summary_row(run, f"wait_within_{xd}d")
        c = plots.color(i + 1)
        text = f"{xd} days"
        if r is not None and np.isfinite(r["mean"]):
            text += f": {r['mean'] * 100:.0f} % [{r['ci_low'] * 100:.0f}, {r['ci_high'] * 100:.0f}]"
            ax.errorbar([xd], [r["mean"] * 100], yerr=[[100 * (r["mean"] - r["ci_low"])],
                                                      [100 * (r["ci_high"] - r["mean"])]],
                        fmt="o", color=c, capsize=4, zorder=5)
        ax.axvline(xd, color=c, ls="--", lw=1.2, label=text)
    ax.set_xlim(0, right)
    ax.set_ylim(0, 100)
    ax.set_xlabel("days from referral to a slot")
    ax.set_ylabel("placed within t days (%)")
    ax.set_title("Wait for a slot: share placed within t days (Kaplan–Meier)")
    ax.legend(loc="lower right", framealpha=0.9, title="thresholds: P(wait ≤ X) per replication, mean [95 % CI]")
    fig.tight_layout()
    return fig


def _band_quietly(v):
    """Mean and 95 % CI per month (NaN for months nobody could be judged in),
    without NumPy's warnings about those empty months."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        b = stats.band(v)
    return {k: b[k].tolist() for k in ("mean", "ci_low", "ci_high")}


def fig_monthly_within(shares, run):
    from . import plots
    plt = plots.plt
    fig, ax = plt.subplots(figsize=(10, 4.8))
    plots.shade_warmup(ax, run.warmup)
    x = np.arange(run.horizon) + 0.5
    n = run.n_reps
    for i, (xd, v) in enumerate(shares.items()):
        cols = np.isfinite(v).any(axis=0)
        if not cols.any():
            continue
        b = stats.band(v[:, cols])
        c = plots.color(i + 1)
        if n >= 2:  # a share's interval is cut to [0, 1], as in /summary
            ax.fill_between(x[cols], 100 * np.clip(b["ci_low"], 0, 1), 100 * np.clip(b["ci_high"], 0, 1), color=c,
                            alpha=0.3, lw=0)
        ax.plot(x[cols], 100 * b["mean"], color=c, lw=2, label=f"placed within {xd} days")
    ax.set_ylim(0, 102)
    ax.set_ylabel("share of the month's referrals (%)")
    ax.set_title("Placed within X days, by month of referral")
    plots.month_axis(ax, run.horizon)
    ax.set_xlabel("month of referral")
    plots.band_legend(ax, n, show_range=False, loc="best")
    fig.tight_layout()
    return fig


# -- page ------------------------------------------------------------------------------

WARN_STYLE = "background:#fde2e2;border-left:4px solid #a00;padding:0.5em 0.8em;margin:0.8em 0"
OK_STYLE = "background:#e6f4ea;border-left:4px solid #11602a;padding:0.5em 0.8em;margin:0.8em 0"


def _finite(x: Any) -> bool:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def diagnostics_rows(d: dict[str, Any], warmup: Optional[int] = None) -> list[tuple[str, str]]:
    """The /diagnostics numbers as (label, value) rows; only those the file has."""
    rows = []
    for key, label in (("overloaded", "overloaded (the waiting list grows through the measured window)"),
                       ("unsettled", "not settled by the end of warm-up (MSER-5 wants a longer one)")):
        if key in d:
            rows.append((label, "yes" if d[key] else "no"))
    if "offered_load" in d or "capacity" in d:
        load, cap = d.get("offered_load"), d.get("capacity")
        text = f"{fmt(load, 2)} / {fmt(cap, 2)}"
        if _finite(load) and _finite(cap) and float(cap) > 0:
            text += f" ({fmt(float(load) / float(cap), 0, 100)} %)"
        rows.append(("offered load / capacity (participants)", text))
    if "waiting_trend_per_month" in d:
        rows.append(("waiting-list trend after warm-up (people per month)",
                     f"{fmt(d['waiting_trend_per_month'], 2)} "
                     f"{fmt_ci(d.get('waiting_trend_lo'), d.get('waiting_trend_hi'), 2)}"))
    if "suggested_warmup_months" in d:
        w = d["suggested_warmup_months"]
        text = fmt(w, 0) if _finite(w) and float(w) >= 0 else "— (the run is too short to tell)"
        if warmup is not None:
            text += f" (this run: {warmup})"
        rows.append(("warm-up suggested by MSER-5 (months)", text))
    return rows


def section_warnings(ctx: "ReportContext") -> None:
    """The Warnings section, first on the page: the overload and warm-up
    warnings of this scenario from /diagnostics, the offered load against
    capacity, and the numbers behind the warnings."""
    run, page = ctx.run, ctx.page
    d = run.diagnostics
    ctx.summary["diagnostics"] = d
    if d is None:
        return
    page.section("warnings", "Warnings")
    load = ""
    off, cap = d.get("offered_load"), d.get("capacity")
    if _finite(off) and _finite(cap) and float(cap) > 0:
        load = (f"Offered load {fmt(off, 1)} participants against {fmt(cap, 0)} caseload places "
                f"({fmt(float(off) / float(cap), 0, 100)} %): the places the referrals would occupy at the "
                "simulated time in programme.")
    if d["warnings"]:
        items = "".join(f"<li>{esc(w)}</li>" for w in d["warnings"])
        page.raw(f'<div style="{WARN_STYLE}"><strong>Read the numbers below with these in mind:</strong>'
                 f"<ul>{items}</ul>{esc(load)}</div>")
    else:
        page.raw(f'<div style="{OK_STYLE}">No overload or warm-up warning for this scenario. {esc(load)}</div>')
    rows = diagnostics_rows(d, run.warmup)
    if rows:
        page.h3("Simulator diagnostics (/diagnostics)")
        page.table(None, rows, numeric=(1,))
    if d.get("rules"):
        page.details("How the warnings are decided", d["rules"])


def _table_rows(run: "RunData", names: list[str]) -> list[list[Any]]:
    rows = []
    for n in names:
        r = summary_row(run, n)
        if r is None:
            continue
        label, _, scale, shown = metric_info(n)
        digits = 1 if shown in ("%", "days") else 2
        reached = "" if r["replications"] == run.n_reps else f" (reached in {r['replications']} of {run.n_reps})"
        rows.append([label, shown, fmt(r["mean"], digits, scale),
                     fmt_ci(r["ci_low"], r["ci_high"], digits, scale) + reached])
    return rows


def section_service(ctx: "ReportContext") -> None:
    """Waits and stays counting everyone; per profile and source; the wait
    distribution with the thresholds; P(wait <= X) by referral month."""
    run, page, summary = ctx.run, ctx.page, ctx.summary
    page.section("service", "Waits and service levels (counting everyone)")
    xs = thresholds(run)
    if summary_row(run, "wait_mean_days") is None:
        ctx.skip("service levels", "the file has no wait_mean_days in /summary (written before the service "
                 "levels, or unfinished).")
        return
    page.p("Everyone referred (or assigned) after warm-up counts, also those still waiting or in the programme "
           "at the horizon: means by Little's law over the measured months, percentiles and P(wait ≤ X) by "
           "Kaplan–Meier, censored at the horizon (docs/OUTPUT.md, \"Service levels\"). Someone who gave up "
           "waiting is counted as never placed. Mean over replications with its 95 % CI, from the simulator's "
           "/summary.")
    names = ([f"wait_{k}_days" for k in STATS] + [f"wait_within_{x}d" for x in xs]
             + [f"programme_{k}_days" for k in STATS] + ["offered_load", "capacity"])
    page.table(["metric", "unit", "mean", "95 % CI"], _table_rows(run, names), numeric=(2, 3))
    groups = sorted({m.group(3) + "." + m.group(4) for r in run.summary or [] for m in [GROUP.match(r["metric"])]
                     if m})
    if groups:
        trows = []
        for g in groups:
            cells = [g.replace(".", " ", 1)]
            for n in ("wait_mean_days", "wait_median_days", *[f"wait_within_{x}d" for x in xs],
                      "programme_mean_days"):
                r = summary_row(run, f"{n}.{g}")
                scale = 100.0 if n.startswith("wait_within") else 1.0
                cells.append(f"{fmt(r['mean'], 1, scale)} {fmt_ci(r['ci_low'], r['ci_high'], 1, scale)}"
                             if r is not None and r["replications"] else "—")
            trows.append(cells)
        page.h3("By profile and source")
        page.table(["group", "mean wait (days)", "median wait (days)",
                    *[f"placed within {x} days (%)" for x in xs], "mean time in programme (days)"], trows,
                   numeric=tuple(range(1, 4 + len(xs))))
        page.p("— : not known for the group (a percentile beyond the follow-up; in files written before records "
               "kept when someone gave up, a group's mean wait when people may give up waiting). All of them, "
               "with their percentiles, are in /summary and summary.json; the key numbers check them against the "
               "per-trial values.", cls="sub")
    summary["service"] = {n: summary_row(run, n) for n in names if summary_row(run, n) is not None}
    obs = wait_observations(run) if run.has_participants else None
    if obs is None or not obs["time"].size:
        ctx.skip("wait distribution", "the file has no /participants to draw the distribution from.")
        return
    after = obs["after_warmup"]
    ctx.add_figure("wait_distribution.png", fig_wait_distribution(obs["time"][after], obs["placed"][after], xs, run),
                   "share placed within t days, with the thresholds marked",
                   "Kaplan–Meier estimate of P(wait ≤ t) for everyone referred after warm-up, all replications "
                   "pooled (those still waiting at the horizon, or who gave up, are censored at the horizon). "
                   "Dashed lines: the thresholds X; dots with whiskers: P(wait ≤ X) per replication, mean and "
                   "95 % CI from /summary.")
    if xs:
        shares = monthly_within(obs, run, xs)
        ctx.add_figure("wait_within_by_month.png", fig_monthly_within(shares, run),
                       "share placed within X days by month of referral",
                       "For the people referred in each month: the share who got a place within X days, mean "
                       "over replications with its 95 % CI. Months too close to the horizon for their last "
                       "referrals to have waited X days are left out. Hatched: warm-up.")
        summary["wait_within_by_month"] = {str(x): _band_quietly(s) for x, s in shares.items()}
