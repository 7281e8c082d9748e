"""The report's parts built from /trial_extras: the scenario's own targets
(target_value.<t>, target_met.<t>: programme targets and service-level
targets alike) and the mechanisms' numbers per trial, each recomputed over
replications and checked against /summary. (/diagnostics is the Warnings
section, in service.py.)"""
from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any, Optional

import numpy as np

from . import stats
from .page import esc, fmt, fmt_ci
from .service import bounds_of, replication_values, summary_row

if TYPE_CHECKING:  # annotations only: report imports this module
    from .report import ReportContext
    from .runfile import RunData

RTOL = 1e-6  # agreement with /summary, which stores doubles


# -- targets set in the scenario ------------------------------------------------------------------

def target_names(run: "RunData") -> list[str]:
    """Targets the file reports on, in column order: from /trial_extras,
    else from /summary's target_value.<t> rows."""
    names: list[str] = []
    for c in (run.extras or {}):
        if c.startswith("target_value.") and c[13:] not in names:
            names.append(c[13:])
    for r in run.summary or ():
        m = str(r.get("metric", ""))
        if m.startswith("target_value.") and m[13:] not in names:
            names.append(m[13:])
    return names


def target_definition(run: "RunData", name: str) -> dict[str, Any]:
    """The target's settings (kind, destinations or days, value,
    deadline_month or from_month/to_month) from the scenario's parameters:
    /resolved names them targets.<name>.<field> (programme targets) or
    service.targets.<name>.<field> (service-level targets); the
    scenario-text fallback gives a list of groups under `targets` or
    `service.targets`."""
    for prefix in (f"targets.{name}.", f"service.targets.{name}."):
        d = {k[len(prefix):]: v for k, v in run.params.items() if k.startswith(prefix)}
        if d:
            if prefix.startswith("service."):
                _service_cohort(run, d, {k[len(prefix):] for k in run.param_defaults if k.startswith(prefix)})
            return d
    for key in ("targets", "service.targets"):
        items = run.params.get(key)
        if not isinstance(items, list) and key == "service.targets" and isinstance(run.params.get("service"), dict):
            items = run.params["service"].get("targets")
        if isinstance(items, list):
            for t in items:
                if isinstance(t, dict) and t.get("name") == name:
                    return {k: v for k, v in t.items() if k != "name"}
    return {}


def _service_cohort(run: "RunData", d: dict[str, Any], defaults: set[str]) -> None:
    """A service target's cohort months where the scenario leaves them at
    their defaults (/resolved writes those as words: "warm-up", "horizon
    less days"): from the end of warm-up to the last month whose referrals
    still have `days` days before the horizon (sim/scenario/config_service.c)."""
    days = d.get("days")
    if "from_month" in defaults or not isinstance(d.get("from_month"), (int, float)):
        d["from_month"] = float(run.warmup)
    if ("to_month" in defaults or not isinstance(d.get("to_month"), (int, float))) and \
            isinstance(days, (int, float)) and run.dpm > 0:
        d["to_month"] = run.horizon - float(days) / run.dpm


def condition_text(defn: dict[str, Any]) -> str:
    kind, value = defn.get("kind"), defn.get("value")
    if kind in ("wait_share", "median_wait"):
        days = defn.get("days")
        if not isinstance(days, (int, float)):
            return "as set in the scenario's service.targets"
        lo, hi = defn.get("from_month"), defn.get("to_month")
        cohort = (f" (referred in months {round(lo, 1):g}–{round(hi, 1):g})" if isinstance(lo, (int, float))
                  and isinstance(hi, (int, float)) else "")
        if kind == "median_wait":
            return f"median wait ≤ {days:g} days{cohort}"
        if isinstance(value, (int, float)):
            return f"share placed within {days:g} days ≥ {value * 100:g} %{cohort}"
        return f"share placed within {days:g} days{cohort}"
    dests = defn.get("destinations")
    where = " + ".join(dests) if isinstance(dests, list) and dests else "the named destinations"
    by = defn.get("deadline_month")
    by_txt = f" by month {by:g}" if isinstance(by, (int, float)) else ""
    if not isinstance(value, (int, float)):
        return "as set in the scenario's targets section"
    if kind == "share":
        return f"share of exits to {where} ≥ {value * 100:g} %{by_txt}"
    if kind == "exits":
        return f"exits to {where} ≥ {value:g}{by_txt}"
    if kind == "enrolled":
        return f"people enrolled ≥ {value:g}{by_txt}"
    return f"{kind or 'value'} ≥ {value:g}{by_txt}"


def _close(a: float, b: float) -> bool:
    if math.isnan(a) and math.isnan(b):
        return True
    return abs(a - b) <= RTOL * max(1.0, abs(a), abs(b))


def _agrees(ours: dict[str, Any], sim: Optional[dict[str, Any]]) -> Optional[bool]:
    if sim is None:
        return None
    return (all(_close(float(ours[k]), float(sim[k])) for k in ("mean", "ci_low", "ci_high"))
            and int(ours["n"]) == int(sim["replications"]))


def scenario_targets(run: "RunData") -> list[dict[str, Any]]:
    """Each target of the scenario: what was achieved (mean, Student t CI)
    and the probability of meeting it (share of replications, Wilson
    interval), recomputed from /trial_extras where the file has the columns,
    otherwise taken from /summary; with the /summary rows and agreement."""
    sim = {str(r["metric"]): r for r in run.summary or ()}
    out = []
    for name in target_names(run):
        defn = target_definition(run, name)
        sv, sm = sim.get(f"target_value.{name}"), sim.get(f"target_met.{name}")
        ex = run.extras or {}
        if f"target_value.{name}" in ex and f"target_met.{name}" in ex:
            achieved = stats.mean_ci(ex[f"target_value.{name}"])
            # cut to where the value can lie (a share in [0, 1], a count or days >= 0), as /summary is
            lo_b, hi_b = bounds_of(f"target_value.{name}", str(sv.get("unit", "")) if sv is not None else None)
            if lo_b is not None and achieved["ci_low"] < lo_b:
                achieved["ci_low"] = lo_b
            if hi_b is not None and achieved["ci_high"] > hi_b:
                achieved["ci_high"] = hi_b
            w = stats.wilson_ci(ex[f"target_met.{name}"])  # as /summary: Wilson's interval, containing p
            k, n = w["count"], w["n"]
            p, lo, hi = w["mean"], w["ci_low"], w["ci_high"]
            source = "recomputed from /trial_extras"
        elif sv is not None and sm is not None:
            achieved = {"mean": sv["mean"], "ci_low": sv["ci_low"], "ci_high": sv["ci_high"],
                        "n": int(sv["replications"])}
            n = int(sm["replications"])
            p, lo, hi = float(sm["mean"]), float(sm["ci_low"]), float(sm["ci_high"])
            k = int(round(p * n))
            source = "from /summary (no /trial_extras columns)"
        else:
            continue
        prob = {"mean": p, "ci_low": lo, "ci_high": hi, "n": n}
        agree_v, agree_m = _agrees(achieved, sv), _agrees(prob, sm)
        unit = str(sv.get("unit", "")) if sv is not None else ""
        share = defn.get("kind") in ("share", "wait_share") or unit == "share"
        if not unit and defn.get("kind") == "median_wait":
            unit = "days"
        out.append({"name": name, "definition": defn, "condition": condition_text(defn), "share": share,
                    "unit": "share" if share else unit,
                    "achieved": {k2: achieved[k2] for k2 in ("mean", "ci_low", "ci_high", "n")},
                    "met": k, "replications": n, "probability": p, "ci_low": lo, "ci_high": hi,
                    "source": source, "simulator": {"value": sv, "met": sm},
                    "agrees_with_simulator": None if agree_v is None and agree_m is None
                    else (agree_v is not False and agree_m is not False)})
    return out


def scenario_targets_table(ctx: "ReportContext", found: list[dict[str, Any]]) -> None:
    page = ctx.page
    page.h3("Set in the scenario")
    page.p("The scenario's own targets (its targets and service.targets sections). Each replication records the "
           "value reached and whether the target was met; achieved: mean over replications with its 95 % CI "
           "(Student t, cut to where the value can lie, as in /summary); "
           "probability: share of replications meeting it with a 95 % Wilson interval. Recomputed from "
           "/trial_extras and checked against /summary (target_value.*, target_met.*).")
    rows, classes = [], []
    for t in found:
        a, sc = t["achieved"], (100 if t["share"] else 1)
        unit = " %" if t["share"] else (" days" if t.get("unit") == "days" else "")
        if t["agrees_with_simulator"] is True:
            check = '<span class="ok">agrees</span>'
        elif t["agrees_with_simulator"] is False:
            check = '<span class="badtext">differs</span>'
        else:
            check = esc(t["source"])
        rows.append([esc(t["name"]), esc(t["condition"]),
                     esc(f"{fmt(a['mean'], 1, sc)}{unit} {fmt_ci(a['ci_low'], a['ci_high'], 1, sc)}"),
                     f"{t['met']} / {t['replications']}", f"{fmt(t['probability'], 0, 100)} %",
                     esc(fmt_ci(t["ci_low"], t["ci_high"], 0, 100)), check])
        classes.append("bad" if t["agrees_with_simulator"] is False else "")
    page.table(["target", "condition", "achieved: mean [95 % CI]", "replications meeting it", "probability",
                "95 % CI (%)", "vs. simulator /summary"], rows, numeric=(2, 3, 4, 5), row_classes=classes,
               raw_cols=tuple(range(7)))


# -- the mechanisms' numbers per trial -------------------------------------------------------------

COUNTS = {  # column -> (label, /summary metric of its monthly rate)
    "enrolled": ("people enrolled", "enrolled_per_month"),
    "rejected": ("referrals screened out (rejected)", "rejected_per_month"),
    "reneged": ("people who gave up waiting", "reneged_per_month"),
    "relapses": ("relapses (referred again after an exit)", None),
}
SOURCE_RE = re.compile(r"^(referrals|rejected)_by_source\.(.+)$")
PROFILE_RE = re.compile(r"^exits_by_profile\.([^.]+)\.(.+)$")
FOLLOWUP_RE = re.compile(r"^followup\.(.+)\.(followed_12|in_12|followed_24|in_24)$")
SITE_RE = re.compile(r"^site\.(.+)\.(referred|assigned|gave_up|waiting_at_end)$")
SUCCESSOR_RE = re.compile(r"^successor\.(transferred|transferred_waiting|left)$")
RECEIVER_RE = re.compile(r"^receivers\.(.+)\.(stuck|received|stuck_days|stuck_at_end)$")


def _ci_text(r: dict[str, Any], digits: int = 1, scale: float = 1.0) -> str:
    return f"{fmt(r['mean'], digits, scale)} {fmt_ci(r['ci_low'], r['ci_high'], digits, scale)}"


def _check_cell(ours: dict[str, Any], sim: Optional[dict[str, Any]]) -> tuple[str, Optional[bool]]:
    a = _agrees(ours, sim)
    if a is True:
        return '<span class="ok">agrees</span>', a
    if a is False:
        return (f'<span class="badtext">differs</span>: /summary says {fmt(sim["mean"], 4)} '
                f'{esc(fmt_ci(sim["ci_low"], sim["ci_high"], 4))}'), a
    return "—", a


def section_trial_extras(ctx: "ReportContext") -> None:
    run, page = ctx.run, ctx.page
    ex = run.extras
    if ex is None:
        return
    page.section("mechanisms", "Mechanisms: per-trial numbers (/trial_extras)")
    page.p(f"Per replication after warm-up ({run.measured_months} months), from /trial_extras: mean over "
           "replications with its 95 % CI (Student t). Where /summary holds the same quantity the row says "
           "whether the two agree.")
    sim = {str(r["metric"]): r for r in run.summary or ()}
    months = float(run.measured_months) if run.measured_months > 0 else math.nan
    used: set[str] = {c for c in ex if c.startswith(("target_value.", "target_met."))}
    if summary_row(run, "wait_mean_days") is not None:
        used |= set(replication_values(run))  # the service section shows these, with their /summary rows
    out: dict[str, Any] = {}
    agreements: list[bool] = []

    rows, classes, zero = [], [], []
    for col, (label, metric) in COUNTS.items():
        if col not in ex:
            continue
        used.add(col)
        if not np.any(np.asarray(ex[col], float)):
            zero.append(label)  # the mechanism is off (or never triggered): one sentence, not a row of zeros
            out[col] = {"all_zero": True}
            continue
        total = stats.mean_ci(ex[col])
        rate = stats.mean_ci(np.asarray(ex[col], float) / months)
        cell, a = _check_cell(rate, sim.get(metric)) if metric else ("—", None)
        rows.append([esc(label), esc(_ci_text(total)), esc(_ci_text(rate, 2)), cell])
        classes.append("bad" if a is False else "")
        out[col] = {"total": total, "per_month": rate, "summary_metric": metric, "agrees_with_simulator": a}
        if a is not None:
            agreements.append(a)
    if "method_capital" in ex and not np.any(np.asarray(ex["method_capital"], float)):
        used.add("method_capital")
        zero.append("method capital")
        out["method_capital"] = {"all_zero": True}
    elif "method_capital" in ex:
        used.add("method_capital")
        mc = stats.mean_ci(ex["method_capital"])
        cell, a = _check_cell(mc, sim.get("method_capital"))
        rows.append(["method capital (the teams' mean)", esc(_ci_text(mc, 2)), "—", cell])
        classes.append("bad" if a is False else "")
        out["method_capital"] = {"mean": mc, "agrees_with_simulator": a}
        if a is not None:
            agreements.append(a)
    if rows:
        page.table(["quantity", "per replication: mean [95 % CI]", "per month: mean [95 % CI]",
                    "vs. simulator /summary"], rows, numeric=(1, 2), row_classes=classes, raw_cols=(0, 1, 2, 3))
    if zero:
        page.p("Zero in every replication (the mechanism is off in this scenario, or never came into play): "
               + ", ".join(zero) + ".")

    _sources_table(ctx, ex, used, out)
    _sites_table(ctx, ex, used, out)
    _handover_table(ctx, ex, used, out)
    _profiles_table(ctx, ex, used, out)
    agreements += _followup_table(ctx, ex, used, out, sim)

    rest = [c for c in ex if c not in used]
    if rest:
        page.h3("Other columns")
        page.table(["column", "per replication: mean [95 % CI]"],
                   [[c, _ci_text(stats.mean_ci(ex[c]), 2)] for c in rest], numeric=(1,))
        out["other"] = {c: stats.mean_ci(ex[c]) for c in rest}
    out["summary_agrees"] = all(agreements) if agreements else None
    ctx.summary["trial_extras"] = out


def _sources_table(ctx: "ReportContext", ex: dict[str, np.ndarray], used: set[str], out: dict[str, Any]) -> None:
    by: dict[str, dict[str, np.ndarray]] = {}
    for c in ex:
        m = SOURCE_RE.match(c)
        if m:
            by.setdefault(m.group(2), {})[m.group(1)] = np.asarray(ex[c], float)
            used.add(c)
    if not by:
        return
    ctx.page.h3("Referrals by source")
    rows, res = [], {}
    for src, v in by.items():
        ref = stats.mean_ci(v["referrals"]) if "referrals" in v else None
        rej = stats.mean_ci(v["rejected"]) if "rejected" in v else None
        tot_ref = float(np.nansum(v["referrals"])) if "referrals" in v else math.nan
        tot_rej = float(np.nansum(v["rejected"])) if "rejected" in v else math.nan
        share = tot_rej / tot_ref if tot_ref > 0 else math.nan
        rows.append([src, _ci_text(ref) if ref else "—", _ci_text(rej) if rej else "—", f"{fmt(share, 1, 100)} %"])
        res[src] = {"referrals": ref, "rejected": rej, "rejected_share_pooled": share}
    ctx.page.table(["source", "referrals per replication: mean [95 % CI]", "screened out: mean [95 % CI]",
                    "share screened out (all replications pooled)"], rows, numeric=(1, 2, 3))
    out["by_source"] = res


def _count_ci(values: np.ndarray) -> dict[str, Any]:
    """A count's mean and t interval, the interval cut at 0 (a count is never negative; the simulator's
    /summary cuts the same way)."""
    ci = stats.mean_ci(values)
    if math.isfinite(ci["ci_low"]):
        ci["ci_low"] = max(0.0, ci["ci_low"])
    return ci


def _sites_table(ctx: "ReportContext", ex: dict[str, np.ndarray], used: set[str], out: dict[str, Any]) -> None:
    """Sites (sources and teams tied to a site): each site's referrals and what became of them, whole
    run. referred = assigned + gave up + still waiting, checked per replication."""
    by: dict[str, dict[str, np.ndarray]] = {}
    for c in ex:
        m = SITE_RE.match(c)
        if m:
            by.setdefault(m.group(1), {})[m.group(2)] = np.asarray(ex[c], float)
            used.add(c)
    if not by:
        return
    ctx.page.h3("Sites")
    ctx.page.p("Referrals of the sources tied to each site over the whole run (warm-up included), mean per "
               "replication [95 % CI]: placed (first placement, with the site's teams or a lending site's), "
               "gave up in the site's list, still in it at the horizon. Those handed on to a successor from a "
               "list are in none of the three.", cls="sub")
    parts = ("referred", "assigned", "gave_up", "waiting_at_end")
    rows, res = [], {}
    for site, v in by.items():
        cis = {k: _count_ci(v[k]) if k in v else None for k in parts}
        rows.append([site] + [_ci_text(cis[k]) if cis[k] else "—" for k in parts])
        res[site] = cis
    ctx.page.table(["site", "referred", "placed", "gave up waiting", "still waiting at the horizon"], rows,
                   numeric=(1, 2, 3, 4))
    out["by_site"] = res


def _handover_table(ctx: "ReportContext", ex: dict[str, np.ndarray], used: set[str], out: dict[str, Any]) -> None:
    """The successor project's transfers at the close and the receivers of onward exits."""
    rows, res = [], {}
    labels = {"transferred": "handed on to the successor at its close",
              "transferred_waiting": "of them, from the waiting list",
              "left": "present at the close and not taken by the horizon (successor full)"}
    for c in ex:
        m = SUCCESSOR_RE.match(c)
        if m:
            used.add(c)
            ci = _count_ci(ex[c])
            rows.append([labels[m.group(1)], _ci_text(ci)])
            res[f"successor.{m.group(1)}"] = ci
    receivers: dict[str, dict[str, np.ndarray]] = {}
    for c in ex:
        m = RECEIVER_RE.match(c)
        if m:
            used.add(c)
            receivers.setdefault(m.group(1), {})[m.group(2)] = np.asarray(ex[c], float)
    for dest, v in receivers.items():
        for key, label in (("stuck", f"found {dest} full"), ("received", "of them, taken by the horizon"),
                           ("stuck_at_end", "of them, still waiting for it at the horizon")):
            if key in v:
                ci = _count_ci(v[key])
                rows.append([label, _ci_text(ci)])
                res[f"receivers.{dest}.{key}"] = ci
        if "stuck_days" in v and "received" in v:
            with np.errstate(invalid="ignore", divide="ignore"):
                days = np.where(v["received"] > 0, v["stuck_days"] / np.maximum(v["received"], 1), np.nan)
            ci = stats.mean_ci(days[np.isfinite(days)]) if np.isfinite(days).any() else None
            rows.append(["days waited for it, mean of those taken", _ci_text(ci) if ci else "—"])
            res[f"receivers.{dest}.days_mean"] = ci
    if not rows:
        return
    ctx.page.h3("Hand-over: successor project and receivers of onward exits")
    ctx.page.p("Whole run, mean per replication [95 % CI]. A transfer to the successor is not an exit: it "
               "ends a wait or a stay without a destination.", cls="sub")
    ctx.page.table(["quantity", "per replication: mean [95 % CI]"], rows, numeric=(1,))
    out["handover"] = res


def _profiles_table(ctx: "ReportContext", ex: dict[str, np.ndarray], used: set[str], out: dict[str, Any]) -> None:
    cells: dict[str, dict[str, float]] = {}
    dests: list[str] = []
    for c in ex:
        m = PROFILE_RE.match(c)
        if m:
            cells.setdefault(m.group(1), {})[m.group(2)] = float(np.nanmean(ex[c]))
            if m.group(2) not in dests:
                dests.append(m.group(2))
            used.add(c)
    if not cells:
        return
    ctx.page.h3("Exits by profile and destination")
    ctx.page.p("Mean number of exits per replication after warm-up; one row per destination (there are usually "
               "more destinations than profiles, so the table stays narrow).", cls="sub")
    profiles = list(cells)
    ctx.page.table(["destination"] + profiles + ["all profiles"],
                   [[d] + [fmt(cells[p].get(d), 1) for p in profiles]
                    + [fmt(sum(cells[p].get(d, 0.0) for p in profiles), 1)] for d in dests],
                   numeric=tuple(range(1, len(profiles) + 2)))
    out["exits_by_profile"] = cells


def _followup_table(ctx: "ReportContext", ex: dict[str, np.ndarray], used: set[str], out: dict[str, Any],
                    sim: dict[str, dict[str, Any]]) -> list[bool]:
    by: dict[str, dict[str, np.ndarray]] = {}
    for c in ex:
        m = FOLLOWUP_RE.match(c)
        if m:
            by.setdefault(m.group(1), {})[m.group(2)] = np.asarray(ex[c], float)
            used.add(c)
    if not by:
        return []
    ctx.page.h3("Follow-up: still in work or studies after 12 and 24 months")
    ctx.page.p("Of those who left for the destination and could be followed up that long, the share still in "
               "work or studies: per replication, then mean over replications with its 95 % CI.", cls="sub")
    rows, classes, res, agreements = [], [], {}, []
    for dest, v in by.items():
        row, res[dest] = [dest], {}
        bad = False
        for h in ("12", "24"):
            f_, i_ = v.get(f"followed_{h}"), v.get(f"in_{h}")
            if f_ is None or i_ is None:
                row += ["—", "—", "—"]
                continue
            with np.errstate(invalid="ignore", divide="ignore"):
                share = stats.mean_ci(np.where(f_ > 0, i_ / f_, np.nan))
            cell, a = _check_cell(share, sim.get(f"retained_{h}.{dest}"))
            bad |= a is False
            if a is not None:
                agreements.append(a)
            row += [fmt(float(np.nanmean(f_)), 1), esc(_ci_text(share, 1, 100)), cell]
            res[dest][f"{h}m"] = {"followed_mean": float(np.nanmean(f_)), "share": share, "agrees_with_simulator": a}
        rows.append(row)
        classes.append("bad" if bad else "")
    ctx.page.table(["destination", "followed 12 months", "in work or studies at 12 (%)", "vs. /summary",
                    "followed 24 months", "in work or studies at 24 (%)", "vs. /summary"], rows,
                   numeric=(1, 2, 4, 5), row_classes=classes, raw_cols=(2, 3, 5, 6))
    out["followup"] = res
    return agreements
