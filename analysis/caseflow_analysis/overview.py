"""The report's table of every scenario of a study: the headline metrics of
each, with differences against the study's reference scenario, sortable by
any column (issue 17: whole-study summaries)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .names import num_text
from .page import Cell, esc, fmt, fmt_ci
from .studies import (StudyMetrics, common_keys, headline_metrics, label_unit, reference_scenario,
                      reference_stands_apart, swept_values)

if TYPE_CHECKING:  # annotations only: report imports this module
    from .report import ReportContext


def _significant(d: dict[str, Any]) -> bool:
    lo, hi = d.get("ci_low"), d.get("ci_high")
    return lo is not None and hi is not None and np.isfinite(lo) and np.isfinite(hi) and (lo > 0 or hi < 0)


def _signed(v: float, digits: int, scale: float) -> str:
    text = fmt(v, digits, scale)
    return text if text.startswith(("-", "—")) or text.strip("0.\u202f") == "" else "+" + text


def section_study_overview(ctx: "ReportContext") -> None:
    run = ctx.run
    rf = run.file
    if rf.n_scenarios < 2:
        return
    page = ctx.page
    page.section("all-scenarios", f"All {rf.n_scenarios} scenarios of the study")
    sm = StudyMetrics(rf)
    ref, how, notes = reference_scenario(rf, ctx.reference)
    names = rf.display_names()
    metrics = headline_metrics(sm)
    params = swept_values(rf)
    keys = [k for k, v in params.items() if len(np.unique(v[np.isfinite(v)])) > 1]
    for n in notes:
        page.note(n)
    apart = reference_stands_apart(params, ref)
    if apart:
        what = "; ".join(f"{k} = {num_text(r)} (every other scenario: {num_text(o[0])})" for k, r, o in apart)
        page.note(f"The reference differs from all the other scenarios in {what}, so every difference below "
                  "includes that change. Name a scenario that shares it as the reference (study.reference in the "
                  "study, or --reference here) to see the effect of the swept settings alone.")
        notes.append(f"reference stands apart: {what}")
    page.p(f"Reference: {ref}: {names[ref]} — {how}. Each metric cell: the scenario's mean over replications "
           f"after warm-up, and below it (Δ) the difference from the reference ± the half-width of its 95 % CI, "
           "in bold where "
           "that interval excludes 0 (paired by replication when the scenarios share seeds, as a study's "
           "common random numbers do; otherwise Welch). Hover a mean for its own CI. Click a column's header to "
           "sort; click again to reverse.")
    header = ["#", "scenario"] + common_keys(keys)
    for m in metrics:
        label, _, shown = label_unit(m)
        header.append(f"{label} ({shown})" if shown else label)
    rows, classes = [], []
    out_rows = []
    for s in range(rf.n_scenarios):
        row = [Cell(s, sort=s), Cell(esc(names[s]) + (" <small>(reference)</small>" if s == ref else ""),
                                      sort=names[s], raw=True)]
        row += [Cell(num_text(params[k][s]) if np.isfinite(params[k][s]) else "—", sort=params[k][s])
                for k in keys]
        cells = {}
        for m in metrics:
            _, scale, shown = label_unit(m)
            digits = 2 if shown == "/month" else 0 if shown == "kr" else 1
            e = sm.table[m]
            mean = e["mean"][s]
            tip = esc(f"95 % CI {fmt_ci(e['ci_low'][s], e['ci_high'][s], digits, scale)}, "
                      f"{e['replications'][s]} replications")
            markup = f'<span title="{tip}">{esc(fmt(mean, digits, scale))}</span>'
            d = sm.difference(m, s, ref) if s != ref else None
            if d is not None:
                # t intervals are symmetric: ± half-width says the same as [lo, hi] in half the width
                half = (d["ci_high"] - d["ci_low"]) / 2
                diff = esc(f"Δ {_signed(d['mean'], digits, scale)} ± {fmt(half, digits, scale)}"
                           if np.isfinite(half) else f"Δ {_signed(d['mean'], digits, scale)}")
                markup += "<br><small>" + (f"<b>{diff}</b>" if _significant(d) else diff) + "</small>"
            row.append(Cell(markup, sort=mean, raw=True))
            cells[m] = {"mean": mean, "ci_low": e["ci_low"][s], "ci_high": e["ci_high"][s],
                        "replications": int(e["replications"][s]), "difference": d}
        rows.append(row)
        classes.append("base" if s == ref else "")
        out_rows.append({"scenario": s, "name": names[s], "stored_name": rf.scenario_names()[s],
                         "parameters": {k: params[k][s] for k in keys}, "metrics": cells})
    page.table(header, rows, numeric=tuple([0] + list(range(2, len(header)))), row_classes=classes,
               sortable=True, table_id="all-scenarios-table", wide=True)
    missing = [names[s] for s, v in enumerate(sm.views) if v is None]
    if missing:
        page.note(f"No finished trials in this file for: {', '.join(missing)} (blank rows).")
    ctx.summary["study"] = {"reference": ref, "reference_name": names[ref], "reference_source": how,
                            "notes": notes,
                            "metrics": metrics, "parameters": keys, "scenarios": out_rows,
                            "summary_agrees": all(sm.agrees.values()) if sm.agrees else None}
