"""`sweep FILE`: metric-vs-parameter curves and heat maps from a study.

A study file is a caseflow-run file with more than one scenario (written by
`caseflow run STUDY.cfg`, or merged from task files). It holds

  /scenarios            compound [S]: index, name, settings
  /parameter_names      [P] strings, the config keys the study varies
  /scenario_parameters  [S x P] each scenario's resolved value of each key
  /replications ...     one row per trial (scenario x replication)

Each scenario's metrics are recomputed from its trials (mean and Student t
95 % CI, as in `report`) and checked against the file's /summary.
"""
from __future__ import annotations

import os
from typing import Any, Optional, Sequence

import numpy as np

from . import metrics as M
from . import outputs
from .errors import InputError
from .page import Page, esc, fmt, fmt_ci
from .runfile import RunFile

DEFAULT_METRICS = ["wait_days", "waiting_list", "utilisation", "caseload_per_worker", "exits_per_month",
                   "time_in_programme_days"]

NOT_A_STUDY = ("{path}: no /scenarios table — sweep needs a study file (caseflow run STUDY.cfg, e.g. "
               "configs/study_staffing.cfg); this file was written before caseflow had studies "
               "(not available for it). For one run use `report`; for several runs use `compare`.")


class Study:
    def __init__(self, path: str) -> None:
        self.path = os.fspath(path)
        rf = RunFile(self.path, series=False)  # the monthly series are not needed here
        self.file = rf
        if not rf.has_scenarios_table:
            raise InputError(NOT_A_STUDY.format(path=self.path))
        if rf.n_scenarios < 2:
            raise InputError(f"{self.path}: holds one scenario (a plain run): nothing to sweep. Run a study "
                             "(caseflow run configs/study_staffing.cfg) or use `report`.")
        if rf.scenario_parameters is None or not rf.parameter_names:
            raise InputError(f"{self.path}: no /parameter_names and /scenario_parameters: the study's scenarios "
                             "have no numeric parameters to plot against (use `compare`)")
        self.n = rf.n_scenarios
        self.names = rf.display_names()
        self.params = {k: rf.scenario_parameters[:, j] for j, k in enumerate(rf.parameter_names)}
        self.metrics = {}
        self.agrees = {}
        views = [rf.view(s) for s in range(self.n)]
        for s, v in enumerate(views):
            ours = M.summarise(M.replication_metrics(v))
            for metric, r in ours.items():
                e = self.metrics.setdefault(metric, {
                    "mean": np.full(self.n, np.nan), "ci_low": np.full(self.n, np.nan),
                    "ci_high": np.full(self.n, np.nan), "replications": np.zeros(self.n, int)})
                e["mean"][s], e["ci_low"][s], e["ci_high"][s] = r["mean"], r["ci_low"], r["ci_high"]
                e["replications"][s] = r["n"]
            for metric, _, sim, agrees in M.compare_with_summary(ours, v.summary):
                if agrees is not None:
                    self.agrees[metric] = self.agrees.get(metric, True) and agrees

    @property
    def swept(self) -> list[str]:
        return [k for k, v in self.params.items() if len(np.unique(v[np.isfinite(v)])) > 1]


def grid_from_table(x: Any, y: Any, values: Any, keep: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Rows (x[i], y[i], values[i]) -> (xs, ys, grid[len(ys), len(xs)], duplicates)
    with NaN where a combination is absent. `keep` masks rows. Where several
    rows share a cell (a named scenario repeating a grid point) the first is
    used and counted in `duplicates`."""
    x, y, values = (np.asarray(a, dtype=float) for a in (x, y, values))
    keep = np.ones(x.size, bool) if keep is None else np.asarray(keep, bool)
    xs = np.unique(x[keep])
    ys = np.unique(y[keep])
    grid = np.full((ys.size, xs.size), np.nan)
    seen = np.zeros(grid.shape, bool)
    duplicates = 0
    for xi, yi, v in zip(x[keep], y[keep], values[keep]):
        i, j = np.searchsorted(xs, xi), np.searchsorted(ys, yi)
        if seen[j, i]:
            duplicates += 1
            continue
        seen[j, i] = True
        grid[j, i] = v
    return xs, ys, grid, duplicates


def is_grid(x: np.ndarray, y: np.ndarray, keep: np.ndarray, max_levels: int = 12, min_fill: float = 0.5) -> bool:
    """True when (x, y) points form (most of) a grid; False for scattered
    designs such as a Latin hypercube, which are drawn as points."""
    xs, ys = np.unique(x[keep]), np.unique(y[keep])
    cells = len({(a, b) for a, b in zip(x[keep], y[keep])})
    return xs.size <= max_levels and ys.size <= max_levels and cells >= min_fill * xs.size * ys.size


def run_sweep(path: str, outdir: Optional[str] = None, metrics: Optional[Sequence[str]] = None,
              x: Optional[str] = None, y: Optional[str] = None) -> str:
    from . import plots
    study = Study(path)
    swept = study.swept
    if not swept:
        raise InputError(f"{path}: no parameter takes more than one value across the scenarios: nothing to sweep "
                         "(use `compare`)")
    for name, val in (("--x", x), ("--y", y)):
        if val is not None and val not in study.params:
            raise InputError(f"{name} {val}: not a parameter of the study ({', '.join(study.params)})")
    x = x or swept[0]
    rest = [k for k in swept if k != x]
    y = y if y is not None else (rest[0] if rest else None)
    if y == x:
        raise InputError("--x and --y name the same parameter")
    chosen = metrics or [m for m in DEFAULT_METRICS if m in study.metrics] or list(study.metrics)[:6]
    unknown = [m for m in chosen if m not in study.metrics]
    if unknown:
        raise InputError(f"metric(s) not in the study: {', '.join(unknown)} (known: {', '.join(study.metrics)})")
    keep = np.ones(study.n, bool)
    fixed = []
    for k in swept:
        if k in (x, y):
            continue
        v0 = np.unique(study.params[k])[0]
        keep &= study.params[k] == v0
        fixed.append((k, float(v0)))
    xv = study.params[x]
    yv = study.params[y] if y else np.zeros(study.n)
    gridded = is_grid(xv, yv, keep)

    outdir = os.fspath(outdir or os.path.splitext(os.fspath(path))[0] + "_sweep")
    outputs.make_dir(outdir)
    study_name = study.file.attrs.get("study_name", "")
    page = Page(f"caseflow parameter sweep — {study_name or os.path.basename(path)}",
                f"{os.path.basename(path)}: {study.n} scenarios; parameters varied: {', '.join(swept)}")
    page.section("scenarios", "Scenarios")
    page.p("Each cell: mean over replications after warm-up, with its 95 % CI below (recomputed from the trials; "
           "agreement with the file's /summary is checked).")
    pk = list(study.params)
    header = ["#", "scenario"] + pk + [M.metric_info(m)[0] + f" ({M.metric_info(m)[3]})" for m in chosen]
    rows = []
    for i in range(study.n):
        row = [str(i), esc(study.names[i])] + [esc(_num(study.params[k][i])) for k in pk]
        for m in chosen:
            e = study.metrics[m]
            _, _, scale, shown = M.metric_info(m)
            d = 1 if shown == "%" else 2
            row.append(f"{fmt(e['mean'][i], d, scale)}<br><small>{esc(fmt_ci(e['ci_low'][i], e['ci_high'][i], d, scale))}</small>")
        rows.append(row)
    page.table(header, rows, numeric=tuple(range(2, len(header))), raw_cols=tuple(range(len(header))))
    disagree = [m for m, ok in study.agrees.items() if not ok]
    if disagree:
        page.note("Recomputed values differ from the file's /summary for: " + ", ".join(disagree))
    if fixed:
        page.note("Also varied, held at one value in the figures: " + ", ".join(f"{k} = {_num(v)}" for k, v in fixed))
    result = {"file": os.path.abspath(path), "scenarios": study.n, "parameters": pk, "x": x, "y": y,
              "fixed": dict(fixed), "layout": "grid" if gridded else "scattered", "metrics": {},
              "summary_agrees": not disagree, "figures": []}
    page.section("figures", "Metrics against the parameters")
    dup_total = 0
    for m in chosen:
        e = study.metrics[m]
        label, unit, scale, shown = M.metric_info(m)
        ylabel = f"{label} ({shown or unit})"
        result["metrics"][m] = {"label": label, "unit": unit, "mean": e["mean"], "ci_low": e["ci_low"],
                                "ci_high": e["ci_high"], "replications": e["replications"]}
        if gridded:
            xs, ys, g, dup = grid_from_table(xv, yv, e["mean"], keep)
            lo = grid_from_table(xv, yv, e["ci_low"], keep)[2]
            hi = grid_from_table(xv, yv, e["ci_high"], keep)[2]
            dup_total = max(dup_total, dup)
            labels = [_num(v) for v in ys] if y else None
            fig = plots.plot_sweep_curves(xs, g * scale, lo * scale, hi * scale, labels, xlabel=param_label(x),
                                          ylabel=ylabel, title=f"{label} against {param_label(x)}",
                                          group_title=y)
        else:
            fig = plots.plot_sweep_points(xv[keep], e["mean"][keep] * scale, e["ci_low"][keep] * scale,
                                          e["ci_high"][keep] * scale, yv[keep] if y else None,
                                          xlabel=param_label(x), ylabel=ylabel,
                                          title=f"{label} against {param_label(x)}",
                                          color_label=param_label(y) if y else None)
        fname = f"curve_{_safe(m)}.png"
        data = outputs.png_bytes(fig)
        outputs.write_bytes(os.path.join(outdir, fname), data)
        page.figure(data, f"{label} against {x}", "Mean with its 95 % CI" +
                    (f"; one curve per value of {y}." if y and gridded else
                     f"; colour: {y}." if y else "."), fname)
        result["figures"].append(fname)
        if y is not None:
            if gridded:
                fig = plots.plot_heatmap(xs, ys, g * scale, xlabel=param_label(x), ylabel=param_label(y),
                                         title=label, cbar_label=ylabel)
                cap = "Mean in each cell; blank cells were not run."
            else:
                fig = plots.plot_scatter_map(xv[keep], yv[keep], e["mean"][keep] * scale, xlabel=param_label(x),
                                             ylabel=param_label(y),
                                             title=label, cbar_label=ylabel)
                cap = "Each point a scenario, coloured by the metric's mean."
            fname = f"heatmap_{_safe(m)}.png"
            data = outputs.png_bytes(fig)
            outputs.write_bytes(os.path.join(outdir, fname), data)
            page.figure(data, f"{label} over {x} and {y}", cap, fname)
            result["figures"].append(fname)
    if dup_total:
        page.note(f"{dup_total} scenario(s) repeat a parameter combination already in the figure (e.g. a named "
                  "scenario that is also a grid point); the first of each is drawn.")
    outputs.write_json(os.path.join(outdir, "sweep.json"), result)
    outputs.write_text(os.path.join(outdir, "index.html"), page.render())
    return outdir


PARAM_LABELS = {
    "staff.workers": "workers",
    "staff.caseload_cap": "caseload cap (participants per worker)",
    "staff.meeting_hours_per_day": "meeting hours per worker per day",
    "referrals.rate_per_month": "referrals per month",
    "exits.probability_per_meeting": "exit probability per meeting",
}


def param_label(key: str) -> str:
    """Axis label for a config key: plain words, with the key to look up."""
    return f"{PARAM_LABELS[key]} ({key})" if key in PARAM_LABELS else key


def _num(v):
    f = float(v)
    return str(int(f)) if f == int(f) else f"{f:g}"


def _safe(name):
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
