"""The plan page: `caseflow_report plan PLAN.h5 -o DIR` reads a file written
by `caseflow plan -o` (docs/OUTPUT.md "Plan files") and writes index.html,
plan.json and one figure per plan scenario and constraint: the frontier, cost
against each constraint's estimate with its interval, the recommendation
marked. Nothing is recomputed: every number shown is the file's (the
simulator's tests decided feasibility; a second implementation here could
only disagree), so the page is a faithful view, checked by the tests against
the file."""
from __future__ import annotations

import math
import os
import re
from typing import Any, Optional

import numpy as np

from . import outputs
from .errors import InputError
from .page import Cell, Page, esc, fmt

# /plan/<s>/status codes (the file's status_codes attribute says the same)
STATUS = {0: "not evaluated", 1: "feasible", 2: "infeasible", 3: "pruned (feasible)",
          4: "pruned (infeasible)", 5: "undecided", 6: "invalid"}
# the four kinds the brief names, for the table's column and the figure's colours
KIND = {0: "not evaluated", 1: "feasible", 2: "infeasible", 3: "pruned", 4: "pruned", 5: "undecided",
        6: "invalid"}
KIND_STYLE = {"feasible": ("#1b7a3a", "o"), "infeasible": ("#b02020", "x"), "pruned": ("#7a7a7a", "s"),
              "undecided": ("#d08a00", "D")}


def _text(v: Any) -> str:
    return v.decode() if isinstance(v, bytes) else str(v)


def _lines(v: Any) -> list[str]:
    t = _text(v)
    return [x for x in t.split("\n") if x] if t else []


def _num(v: Any) -> Optional[float]:
    f = float(v)
    return None if math.isnan(f) else f


def read_plan(path: str) -> dict[str, Any]:
    """The plan file as plain Python: attributes and per-scenario arrays."""
    import h5py
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file")
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise InputError(f"{path}: not an HDF5 file ({e})") from None
    with f:
        if "plan" not in f:
            raise InputError(f"{path}: no /plan group: not a file written by `caseflow plan -o`")
        root = f["plan"]
        fv = int(root.attrs.get("format_version", 0))
        if fv != 1:
            raise InputError(f"{path}: /plan format_version {fv} is not supported (this reader knows 1)")
        plan = {k: _text(root.attrs[k]) for k in ("plan_file", "base", "method", "objective") if k in root.attrs}
        plan["alpha"] = float(root.attrs.get("alpha", float("nan")))
        plan["scenarios"] = []
        for key in sorted(root.keys(), key=lambda k: int(k) if k.isdigit() else 1 << 30):
            g = root[key]
            a = g.attrs
            s = {"group": key, "scenario": _text(a.get("scenario", key)),
                 "variables": _lines(a.get("variables", "")), "constraints": _lines(a.get("constraints", "")),
                 "recommended": int(a.get("recommended", -1)), "runner_up": int(a.get("runner_up", -1)),
                 "replications_total": int(a.get("replications_total", 0)),
                 "alpha_per_test": float(a.get("alpha_per_test", float("nan"))),
                 "seconds": float(a.get("seconds", float("nan"))), "unreachable": _text(a.get("unreachable", ""))}
            for name in ("values", "objective", "status", "replications", "order", "pruned_by", "estimate", "low",
                         "high", "decided"):
                if name not in g:
                    raise InputError(f"{path}: /plan/{key}/{name} is missing")
                s[name] = np.asarray(g[name][()])
            plan["scenarios"].append(s)
    return plan


def point_summary(s: dict[str, Any], i: int) -> dict[str, Any]:
    """One grid point: its settings, cost, status and per-constraint numbers."""
    return {"index": i, "settings": {v: float(s["values"][i, j]) for j, v in enumerate(s["variables"])},
            "cost": _num(s["objective"][i]), "status": STATUS.get(int(s["status"][i]), "?"),
            "kind": KIND.get(int(s["status"][i]), "?"), "replications": int(s["replications"][i]),
            "order": int(s["order"][i]), "pruned_by": int(s["pruned_by"][i]),
            "constraints": [{"constraint": c, "estimate": _num(s["estimate"][i, k]), "low": _num(s["low"][i, k]),
                             "high": _num(s["high"][i, k]), "decided": int(s["decided"][i, k])}
                            for k, c in enumerate(s["constraints"])]}


def _settings_text(p: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v:g}" for k, v in p["settings"].items())


def _interval(c: dict[str, Any]) -> str:
    if c["low"] is None:
        return "—"
    return f"[{fmt(c['low'], 3)}, {fmt(c['high'], 3)}]"


DECIDED = {1: "met", -1: "not met", 0: "undecided"}


def _pick_table(page: Page, plan: dict[str, Any], p: dict[str, Any]) -> None:
    rows = [["settings", _settings_text(p), "", ""],
            [plan.get("objective", "cost"), fmt(p["cost"], 0), "", ""],
            ["status", p["status"] + (f" (settled by grid point {p['pruned_by']})" if p["pruned_by"] >= 0 else ""),
             "", ""],
            ["replications", p["replications"], "", ""]]
    for c in p["constraints"]:
        rows.append([c["constraint"], fmt(c["estimate"], 3), _interval(c), DECIDED.get(c["decided"], "?")])
    page.table(["", "value / estimate", "interval", "decision"], rows, numeric=(1,))


def _figure(s: dict[str, Any], k: int, plan: dict[str, Any]) -> Any:
    from . import plots  # noqa: F401 - sets the Agg backend and the fonts
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(8.5, 4.6))
    run = s["order"] > 0
    cost, est = s["objective"], s["estimate"][:, k]
    lo, hi = s["low"][:, k], s["high"][:, k]
    for kind, (col, mk) in KIND_STYLE.items():
        sel = run & np.array([KIND.get(int(x)) == kind for x in s["status"]]) & ~np.isnan(est)
        if not sel.any():
            continue
        ax.errorbar(cost[sel], est[sel], yerr=[est[sel] - lo[sel], hi[sel] - est[sel]], fmt=mk, color=col,
                    ecolor=col, alpha=0.85, capsize=3, label=f"{kind} ({int(sel.sum())})")
    m = re.search(r"^P\(.*\)\s*>=\s*([0-9.eE+-]+)\s*$", s["constraints"][k])
    if m:
        ax.axhline(float(m.group(1)), color="#333", ls="--", lw=1, label=f"required {float(m.group(1)):g}")
    for idx, name, mark in ((s["recommended"], "recommended", "*"), (s["runner_up"], "runner-up", "P")):
        if idx >= 0 and not math.isnan(est[idx]):
            ax.plot([cost[idx]], [est[idx]], mark, ms=17 if mark == "*" else 12, mfc="none", mec="#1f4e9e",
                    mew=2, label=name)
    import matplotlib.ticker
    # whole numbers with separators, not matplotlib's "1e6" offset that hides the unit
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}".replace(",", " ")))
    ax.set_xlabel(plan.get("objective", "cost"))
    chance = s["constraints"][k].startswith("P(")
    ax.set_ylabel("estimated probability" if chance else "estimated mean")
    ax.set_title(s["constraints"][k], fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, loc="best")
    fig.tight_layout()
    return fig


def _scenario(page: Page, plan: dict[str, Any], s: dict[str, Any], outdir: str, si: int) -> dict[str, Any]:
    page.section(f"s{si}", f"Scenario: {s['scenario']}")
    P = len(s["status"])
    n_run = int((s["order"] > 0).sum())
    page.p(f"{P} grid points over {', '.join(s['variables'])}: {n_run} run, "
           f"{int(np.isin(s['status'], (3, 4)).sum())} settled by monotonicity, "
           f"{int((s['status'] == 0).sum())} not needed; {s['replications_total']} replications in "
           f"{fmt(s['seconds'], 1)} s; each test at level {s['alpha_per_test']:.3g}.")
    out: dict[str, Any] = {"scenario": s["scenario"], "variables": s["variables"], "constraints": s["constraints"],
                           "replications_total": s["replications_total"], "recommended": None, "runner_up": None,
                           "unreachable": s["unreachable"], "points": [], "figures": []}
    for idx, key, title in ((s["recommended"], "recommended", "Recommendation"),
                            (s["runner_up"], "runner_up", "Runner-up")):
        page.h3(title)
        if idx < 0:
            page.note("none" + (f": {s['unreachable']}" if s["unreachable"] and key == "recommended" else ""))
            continue
        p = point_summary(s, idx)
        out[key] = p
        _pick_table(page, plan, p)
    page.h3("The frontier: cost against each constraint's estimate")
    for k, c in enumerate(s["constraints"]):
        fig = _figure(s, k, plan)
        data = outputs.png_bytes(fig)
        fname = f"frontier_{si}_{k}.png"
        outputs.write_bytes(os.path.join(outdir, fname), data)
        page.figure(data, f"cost against {c}",
                    f"Checked (the simulator's own estimates, not fitted): each point run, at its cost, with the "
                    f"share of replications meeting the bound and the interval the sequential tests used; points "
                    f"pruned by monotonicity but run for their estimates are grey. {c}.", fname)
        out["figures"].append(fname)
    page.h3("Every grid point")
    header = list(s["variables"]) + [plan.get("objective", "cost"), "status", "replications", "order"]
    for c in s["constraints"]:
        header += [f"{c}: estimate", "interval"]
    rows, classes = [], []
    for i in range(P):
        p = point_summary(s, i)
        out["points"].append(p)
        row: list[Any] = [Cell(f"{v:g}", v) for v in p["settings"].values()]
        row += [Cell(fmt(p["cost"], 0), p["cost"]), p["status"] + (" ★" if i == s["recommended"] else ""),
                p["replications"], p["order"] or ""]
        for c in p["constraints"]:
            row += [Cell(fmt(c["estimate"], 3), c["estimate"]), _interval(c)]
        rows.append(row)
        classes.append("base" if i == s["recommended"] else ("out" if p["order"] == 0 else ""))
    nv = len(s["variables"])
    numeric = tuple(range(nv + 1)) + (nv + 2, nv + 3) + tuple(nv + 4 + 2 * k for k in range(len(s["constraints"])))
    page.table(header, rows, numeric=numeric, row_classes=classes, sortable=True, table_id=f"points{si}")
    return out


def run_plan_report(path: str, outdir: Optional[str] = None) -> str:
    plan = read_plan(path)
    outdir = os.fspath(outdir or os.path.splitext(os.fspath(path))[0] + "_plan")
    outputs.make_dir(outdir)
    page = Page(f"caseflow plan — {os.path.basename(plan.get('plan_file', path))}",
                f"{os.path.basename(path)}: base {plan.get('base', '?')}; objective: {plan.get('objective', '?')}; "
                f"alpha {plan['alpha']:g}")
    page.p("Method: " + plan.get("method", "?") + ". The table and figures show the simulator's numbers as "
           "written in the file; statuses: feasible / infeasible (decided by a test), pruned (settled by a "
           "decided point and the declared monotonicity), undecided (at max_replications), not evaluated "
           "(costlier than the runner-up).")
    result: dict[str, Any] = {"file": os.path.abspath(path), "plan_file": plan.get("plan_file"),
                              "objective": plan.get("objective"), "alpha": plan["alpha"], "scenarios": []}
    for si, s in enumerate(plan["scenarios"]):
        result["scenarios"].append(_scenario(page, plan, s, outdir, si))
    outputs.write_json(os.path.join(outdir, "plan.json"), result)
    outputs.write_text(os.path.join(outdir, "index.html"), page.render())
    return outdir


__all__ = ["read_plan", "run_plan_report", "point_summary", "esc"]
