"""`sweep FILE`: metric-vs-parameter curves and heat maps from a study.

A study file is a caseflow-run file with more than one scenario (written by
`caseflow run STUDY.cfg`, or merged from task files). It holds

  /scenarios            compound [S]: index, name, settings
  /parameter_names      [P] strings, the config keys the study varies
  /scenario_parameters  [S x P] each scenario's resolved value of each key
  /replications ...     one row per trial (scenario x replication)

Each scenario's metrics are recomputed from its trials (mean and Student t
95 % CI, as in `report`) and checked against the file's /summary.

Which scenarios a figure shows (plan_axes): the x axis, one curve per value
of y, one panel per value of a third key (facet); every other key the study
varies is held at one value that was run: the one given with --at KEY=VALUE,
else its most common value. Holding keys at values nobody ran (the first
value of each, say) left every figure empty when a base scenario differed
from the grid, as in configs/study_volume_method.cfg.
"""
from __future__ import annotations

import math
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

import numpy as np

from . import outputs
from .errors import InputError
from .names import num_text
from .page import Cell, Page, esc, fmt, fmt_ci
from .runfile import RunFile
from .studies import StudyMetrics, common_keys, headline_metrics, label_unit, swept_values

NOT_A_STUDY = ("{path}: no /scenarios table — sweep needs a study file (caseflow run STUDY.cfg, e.g. "
               "configs/study_staffing.cfg); this file was written before caseflow had studies "
               "(not available for it). For one run use `report`; for several runs use `compare`.")


class Study:
    """The study's parameters per scenario and every scenario's metrics."""

    def __init__(self, path: str) -> None:
        self.path = os.fspath(path)
        rf = RunFile(self.path, series=False)  # the monthly series are not needed here
        self.file = rf
        if not rf.has_scenarios_table:
            raise InputError(NOT_A_STUDY.format(path=self.path))
        if rf.n_scenarios < 2:
            raise InputError(f"{self.path}: holds one scenario (a plain run): nothing to sweep. Run a study "
                             "(caseflow run configs/study_staffing.cfg) or use `report`.")
        self.params = swept_values(rf)
        if not self.params:
            raise InputError(f"{self.path}: no /parameter_names and /scenario_parameters: the study's scenarios "
                             "have no numeric parameters to plot against (use `compare`)")
        self.n = rf.n_scenarios
        self.names = rf.display_names()
        self.sm = StudyMetrics(rf)
        self.metrics = self.sm.table
        self.agrees = self.sm.agrees

    def levels(self, key: str) -> Counter:
        """value -> number of scenarios run at it."""
        v = self.params[key]
        return Counter(float(x) for x in v[np.isfinite(v)])

    @property
    def swept(self) -> list[str]:
        return [k for k in self.params if len(self.levels(k)) > 1]

    def axis_candidates(self) -> list[str]:
        """Keys worth an axis, most values first: at least two values each
        run in two or more scenarios (a key only a base scenario changes is
        not an axis, it is held)."""
        scored = []
        for i, k in enumerate(self.swept):
            repeated = sum(1 for c in self.levels(k).values() if c >= 2)
            if repeated >= 2:  # ranked by the values run more than once: a base's odd value does not count
                scored.append((-repeated, i, k))
        return [k for _, _, k in sorted(scored)]


@dataclass
class SweepPlan:
    x: str
    y: Optional[str]
    facet: Optional[str]
    held: dict[str, float]                  # key -> the value the figures hold it at
    held_how: dict[str, str]                # key -> "--at" or "most common value"
    keep: np.ndarray                        # scenarios in the figures
    notes: list[str] = field(default_factory=list)


def _parse_at(study: Study, at: Sequence[str]) -> dict[str, float]:
    out = {}
    for item in at:
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise InputError(f"--at {item}: expected KEY=VALUE, e.g. --at staff.caseload_cap=20")
        if key not in study.params:
            raise InputError(f"--at {item}: {key} is not a parameter of the study ({', '.join(study.params)})")
        try:
            v = float(value)
        except ValueError:
            raise InputError(f"--at {item}: {value} is not a number") from None
        run = sorted(study.levels(key))
        match = [r for r in run if math.isclose(r, v, rel_tol=1e-9, abs_tol=1e-12)]
        if not match:
            raise InputError(f"--at {item}: {key} = {value} was not run (values run: "
                             f"{', '.join(num_text(r) for r in run)})")
        out[key] = match[0]
    return out


def _one_value_message(study: Study, flag: str, key: str) -> str:
    (v,) = study.levels(key)
    more = [k for k in study.swept]
    return (f"{flag} {key}: only one value was run ({num_text(v)}): nothing to plot along it. Keys with more "
            f"than one value: {', '.join(more) if more else 'none'}")


def plan_axes(study: Study, x: Optional[str] = None, y: Optional[str] = None, facet: Optional[str] = None,
              at: Sequence[str] = ()) -> SweepPlan:
    """Chooses the axes and the slice of scenarios the figures show."""
    swept = study.swept
    if not swept:
        raise InputError(f"{study.path}: no parameter takes more than one value across the scenarios: nothing to "
                         "sweep (use `compare`)")
    given = {"--x": x, "--y": y, "--facet": facet}
    for flag, key in given.items():
        if key is None:
            continue
        if key not in study.params:
            raise InputError(f"{flag} {key}: not a parameter of the study ({', '.join(study.params)})")
        if len(study.levels(key)) < 2:
            raise InputError(_one_value_message(study, flag, key))
    named = [k for k in given.values() if k is not None]
    if len(set(named)) < len(named):
        raise InputError("--x, --y and --facet must name different parameters")
    fixed = _parse_at(study, at)
    for key in fixed:
        if key in named:
            raise InputError(f"--at {key}: that key is on an axis (--x/--y/--facet); hold another")
    free = [k for k in study.axis_candidates() + swept if k not in named and k not in fixed]
    free = list(dict.fromkeys(free))
    x = x or (free.pop(0) if free else None)
    if x is None:
        raise InputError("every parameter that varies is held with --at: nothing left for the x axis")
    if y is None and facet is None:
        cands = [k for k in study.axis_candidates() if k not in (x,) and k not in fixed]
        y = cands[0] if cands else None
        facet = cands[1] if len(cands) > 1 else None
    elif y is None:
        cands = [k for k in study.axis_candidates() if k not in (x, facet) and k not in fixed]
        y = cands[0] if cands else None
    held, how = {}, {}
    for k in swept:
        if k in (x, y, facet):
            continue
        if k in fixed:
            held[k], how[k] = fixed[k], "--at"
        else:
            levels = study.levels(k)
            top = max(levels.values())
            held[k] = min(v for v, c in levels.items() if c == top)  # the most common value (ties: the smallest)
            how[k] = "most common value"
    keep = np.ones(study.n, bool)
    for k, v in held.items():
        keep &= np.isclose(study.params[k], v, rtol=1e-9, atol=1e-12)
    plan = SweepPlan(x=x, y=y, facet=facet, held=held, held_how=how, keep=keep)
    if not keep.any():
        raise InputError("no scenario was run with " + ", ".join(f"{k} = {num_text(v)}" for k, v in held.items())
                         + " together: choose other --at values")
    xs = np.unique(study.params[x][keep])
    if xs.size < 2:
        where = ", ".join(f"{k} = {num_text(v)}" for k, v in held.items())
        raise InputError(f"with {where} the scenarios have one value of {x} ({num_text(xs[0])}): nothing to plot "
                         "along the x axis; choose other --at values or another --x")
    for attr in ("y", "facet"):
        key = getattr(plan, attr)
        if key is not None and np.unique(study.params[key][keep]).size < 2:
            plan.notes.append(f"{key} has one value among the scenarios shown ({num_text(study.params[key][keep][0])}): "
                              f"not used as {'the curves' if attr == 'y' else 'panels'}.")
            setattr(plan, attr, None)
    return plan


def grid_from_table(x: Any, y: Any, values: Any, keep: Any = None, xs: Any = None,
                    ys: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Rows (x[i], y[i], values[i]) -> (xs, ys, grid[len(ys), len(xs)], duplicates)
    with NaN where a combination is absent. `keep` masks rows; xs/ys fix the
    levels (so panels line up). Where several rows share a cell (a named
    scenario repeating a grid point) the first is used and counted in
    `duplicates`."""
    x, y, values = (np.asarray(a, dtype=float) for a in (x, y, values))
    owner, xs, ys, duplicates = grid_owner(x, y, keep, xs, ys)
    grid = np.where(owner >= 0, values[np.maximum(owner, 0)], np.nan)
    return xs, ys, grid, duplicates


def grid_owner(x: Any, y: Any, keep: Any = None, xs: Any = None,
               ys: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """(owner[len(ys), len(xs)]: the scenario drawn in each cell, -1 none; xs; ys; duplicates)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = np.ones(x.size, bool) if keep is None else np.asarray(keep, bool)
    xs = np.unique(x[keep]) if xs is None else np.asarray(xs, float)
    ys = np.unique(y[keep]) if ys is None else np.asarray(ys, float)
    owner = np.full((ys.size, xs.size), -1, dtype=np.int64)
    duplicates = 0
    for s in np.flatnonzero(keep):
        i, j = np.searchsorted(xs, x[s]), np.searchsorted(ys, y[s])
        if owner[j, i] >= 0:
            duplicates += 1
            continue
        owner[j, i] = s
    return owner, xs, ys, duplicates


def is_grid(x: np.ndarray, y: np.ndarray, keep: np.ndarray, max_levels: int = 12, min_fill: float = 0.5) -> bool:
    """True when (x, y) points form (most of) a grid; False for scattered
    designs such as a Latin hypercube, which are drawn as points."""
    xs, ys = np.unique(x[keep]), np.unique(y[keep])
    cells = len({(a, b) for a, b in zip(x[keep], y[keep])})
    return xs.size <= max_levels and ys.size <= max_levels and cells >= min_fill * xs.size * ys.size


def choose_metrics(study: Study, metrics: Optional[Sequence[str]]) -> list[str]:
    chosen = list(metrics) if metrics else headline_metrics(study.sm) or list(study.metrics)[:6]
    unknown = [m for m in chosen if m not in study.metrics]
    if unknown:
        raise InputError(f"metric(s) not in the study: {', '.join(unknown)} (known: {', '.join(study.metrics)})")
    return chosen


def run_sweep(path: str, outdir: Optional[str] = None, metrics: Optional[Sequence[str]] = None,
              x: Optional[str] = None, y: Optional[str] = None, facet: Optional[str] = None,
              at: Sequence[str] = ()) -> str:
    study = Study(path)
    plan = plan_axes(study, x, y, facet, at)
    chosen = choose_metrics(study, metrics)
    outdir = os.fspath(outdir or os.path.splitext(os.fspath(path))[0] + "_sweep")
    outputs.make_dir(outdir)
    study_name = study.file.attrs.get("study_name", "")
    page = Page(f"caseflow parameter sweep — {study_name or os.path.basename(path)}",
                f"{os.path.basename(path)}: {study.n} scenarios; parameters varied: {', '.join(study.swept)}")
    xv = study.params[plan.x]
    yv = study.params[plan.y] if plan.y else np.zeros(study.n)
    gridded = is_grid(xv, yv, plan.keep)
    result = {"file": os.path.abspath(path), "scenarios": study.n, "parameters": list(study.params),
              "x": plan.x, "y": plan.y, "facet": plan.facet,
              "held": plan.held, "held_how": plan.held_how,
              "scenarios_shown": np.flatnonzero(plan.keep).tolist(), "notes": plan.notes,
              "layout": "grid" if gridded else "scattered", "metrics": {},
              "summary_agrees": not [m for m, ok in study.agrees.items() if not ok], "figures": [],
              "points": {}, "plotted": {}}
    page.section("figures", "Metrics against the parameters")
    _slice_notes(page, study, plan)
    for m in chosen:
        _metric_figures(page, study, plan, m, gridded, outdir, result)
    _scenario_table(page, study, plan, chosen)  # after the figures: with a big study it is long
    outputs.write_json(os.path.join(outdir, "sweep.json"), result)
    outputs.write_text(os.path.join(outdir, "index.html"), page.render())
    return outdir


def _scenario_table(page: Page, study: Study, plan: SweepPlan, chosen: list[str]) -> None:
    page.section("scenarios", "Scenarios")
    page.p("Each cell: mean over replications after warm-up, with its 95 % CI below (recomputed from the trials; "
           "agreement with the file's /summary is checked). Greyed rows are not in the figures (see above why). "
           "Click a header to sort.")
    # a key the study lists but holds at one value in every scenario is said once, not given a column:
    # with the service levels' headline metrics the table had no room to spare at 1 366 px
    same = [k for k in study.params if np.unique(study.params[k][np.isfinite(study.params[k])]).size <= 1]
    if same:
        page.p("The same in every scenario: " + ", ".join(
            f"{k} = {num_text(study.params[k][0])}" for k in same) + ".", cls="sub")
    keys = [k for k in study.params if k not in same]
    header = ["#", "scenario"] + common_keys(keys)
    for m in chosen:
        label, _, shown = label_unit(m)
        header.append(f"{label} ({shown})" if shown else label)
    rows = []
    for i in range(study.n):
        row = [Cell(i, sort=i), Cell(study.names[i], sort=study.names[i])]
        row += [Cell(num_text(study.params[k][i]), sort=study.params[k][i]) for k in keys]
        for m in chosen:
            e = study.metrics[m]
            _, scale, shown = label_unit(m)
            d = 1 if shown == "%" else 0 if shown == "kr" else 2
            row.append(Cell(f"{fmt(e['mean'][i], d, scale)}<br><small>"
                            f"{esc(fmt_ci(e['ci_low'][i], e['ci_high'][i], d, scale))}</small>",
                            sort=e["mean"][i], raw=True))
        rows.append(row)
    page.table(header, rows, numeric=tuple([0] + list(range(2, len(header)))), sortable=True,
               row_classes=["" if k else "out" for k in plan.keep], wide=True)
    disagree = [m for m, ok in study.agrees.items() if not ok]
    if disagree:
        page.note("Recomputed values differ from the file's /summary for: " + ", ".join(disagree))


def _slice_notes(page: Page, study: Study, plan: SweepPlan) -> None:
    axes = f"x: {param_label(plan.x)}"
    if plan.y:
        axes += f"; one curve per value of {param_label(plan.y)}"
    if plan.facet:
        axes += f"; one panel per value of {param_label(plan.facet)}"
    page.p(axes + ". Choose with --x, --y, --facet.")
    if plan.held:
        held = "; ".join(f"{k} = {num_text(v)} ({plan.held_how[k]})" for k, v in plan.held.items())
        out = [study.names[i] for i in np.flatnonzero(~plan.keep)]
        page.note(f"The figures show the {int(plan.keep.sum())} of {study.n} scenarios with {held}; hold other "
                  "values with --at KEY=VALUE (values that were run)."
                  + (f" Not shown: {', '.join(out[:8])}{' …' if len(out) > 8 else ''}." if out else ""))
    for n in plan.notes:
        page.note(n)


def _metric_figures(page: Page, study: Study, plan: SweepPlan, m: str, gridded: bool, outdir: str,
                    result: dict[str, Any]) -> None:
    from . import plots
    e = study.metrics[m]
    label, scale, shown = label_unit(m)
    ylabel = f"{label} ({shown})" if shown else label
    result["metrics"][m] = {"label": label, "unit": shown, "mean": e["mean"], "ci_low": e["ci_low"],
                            "ci_high": e["ci_high"], "replications": e["replications"]}
    xv = study.params[plan.x]
    yv = study.params[plan.y] if plan.y else np.zeros(study.n)
    fv = study.params[plan.facet] if plan.facet else np.zeros(study.n)
    facets = np.unique(fv[plan.keep]) if plan.facet else np.zeros(1)
    plotted = []
    if gridded:
        xs, ys = np.unique(xv[plan.keep]), np.unique(yv[plan.keep])
        panels, heat, dup_total = [], [], 0
        for f in facets:
            keep = plan.keep & (fv == f)
            owner, _, _, dup = grid_owner(xv, yv, keep, xs, ys)
            dup_total += dup
            pick = lambda a: np.where(owner >= 0, np.asarray(a, float)[np.maximum(owner, 0)] * scale, np.nan)  # noqa: E731
            title = f"{_short(plan.facet)} = {num_text(f)}" if plan.facet else ""
            panels.append((title, pick(e["mean"]), pick(e["ci_low"]), pick(e["ci_high"])))
            heat.append((title, pick(e["mean"])))
            plotted += [{"scenario": int(s), "x": float(xv[s]), "y": float(yv[s]) if plan.y else None,
                         "facet": float(f) if plan.facet else None, "mean": float(e["mean"][s])}
                        for s in owner[owner >= 0].ravel()]
        labels = [num_text(v) for v in ys] if plan.y else None
        if plan.facet:
            fig = plots.plot_sweep_facets(xs, panels, labels, xlabel=param_label(plan.x), ylabel=ylabel,
                                          title=f"{label} against {_short(plan.x)}", group_title=_short(plan.y) if plan.y else None)
        else:
            _, mean, lo, hi = panels[0]
            fig = plots.plot_sweep_curves(xs, mean, lo, hi, labels, xlabel=param_label(plan.x), ylabel=ylabel,
                                          title=f"{label} against {_short(plan.x)}", group_title=_short(plan.y) if plan.y else None)
        _add(page, result, outdir, f"curve_{_safe(m)}.png", fig, f"{label} against {plan.x}",
             "Mean with its 95 % CI band" + (f"; one curve per value of {plan.y}" if plan.y else "")
             + (f"; one panel per value of {plan.facet}" if plan.facet else "") + ".")
        if plan.y:
            if plan.facet:
                fig = plots.plot_heatmap_facets(xs, ys, heat, xlabel=param_label(plan.x), ylabel=param_label(plan.y),
                                                title=label, cbar_label=ylabel)
            else:
                fig = plots.plot_heatmap(xs, ys, heat[0][1], xlabel=param_label(plan.x), ylabel=param_label(plan.y),
                                         title=label, cbar_label=ylabel)
            _add(page, result, outdir, f"heatmap_{_safe(m)}.png", fig, f"{label} over {plan.x} and {plan.y}",
                 "Mean in each cell; blank cells were not run.")
        if dup_total and m == next(iter(result["metrics"])):
            page.note(f"{dup_total} scenario(s) repeat a parameter combination already in the figure (e.g. a named "
                      "scenario that is also a grid point); the first of each is drawn.")
    else:
        k = plan.keep
        fig = plots.plot_sweep_points(xv[k], e["mean"][k] * scale, e["ci_low"][k] * scale, e["ci_high"][k] * scale,
                                      yv[k] if plan.y else None, xlabel=param_label(plan.x), ylabel=ylabel,
                                      title=f"{label} against {_short(plan.x)}",
                                      color_label=param_label(plan.y) if plan.y else None)
        plotted = [{"scenario": int(s), "x": float(xv[s]), "y": float(yv[s]) if plan.y else None, "facet": None,
                    "mean": float(e["mean"][s])} for s in np.flatnonzero(k)]
        _add(page, result, outdir, f"curve_{_safe(m)}.png", fig, f"{label} against {plan.x}",
             "Mean with its 95 % CI" + (f"; colour: {plan.y}." if plan.y else "."))
        if plan.y:
            fig = plots.plot_scatter_map(xv[k], yv[k], e["mean"][k] * scale, xlabel=param_label(plan.x),
                                         ylabel=param_label(plan.y), title=label, cbar_label=ylabel)
            _add(page, result, outdir, f"heatmap_{_safe(m)}.png", fig, f"{label} over {plan.x} and {plan.y}",
                 "Each point a scenario, coloured by the metric's mean.")
    result["plotted"][m] = plotted


def _add(page: Page, result: dict[str, Any], outdir: str, fname: str, fig: Any, alt: str, caption: str) -> None:
    from . import plots
    result["points"][fname] = plots.plotted_points(fig)
    data = outputs.png_bytes(fig)
    outputs.write_bytes(os.path.join(outdir, fname), data)
    page.figure(data, alt, caption, fname)
    result["figures"].append(fname)


PARAM_LABELS = {
    "staff.workers": "workers",
    "staff.caseload_cap": "caseload cap (participants per worker)",
    "staff.meeting_hours_per_day": "meeting hours per worker per day",
    "referrals.rate_per_month": "referrals per month",
    "exits.probability_per_meeting": "exit probability per meeting",
    "method.time_share": "share of coach time on method work",
    "staff.turnover.tenure_months.mean": "mean tenure of staff (months)",
}


def param_label(key: str) -> str:
    """Axis label for a config key: plain words, with the key to look up."""
    return f"{PARAM_LABELS[key]} ({key})" if key in PARAM_LABELS else key


def _short(key: Optional[str]) -> str:
    return PARAM_LABELS.get(key or "", key or "")


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)

