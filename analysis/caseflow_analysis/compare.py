"""`compare FILE1 FILE2 ... [--base NAME]`: scenarios side by side.

Each metric's mean and 95 % CI per scenario (as in `report`), and each
scenario's difference from the base with a 95 % CI: paired by replication
index when the two files share a master seed (the simulator then gives
replication i the same random streams in both, i.e. common random numbers,
and pairing removes the shared noise), otherwise an unpaired Welch interval.
"""
from __future__ import annotations

import os
import sys
from typing import Any, Optional, Sequence, TextIO

import numpy as np

from . import metrics as M
from . import outputs, stats
from .errors import InputError
from .page import Cell, Page, esc, fmt, fmt_ci
from .runfile import RunData, RunFile

FIGURE_METRICS = ["wait_mean_days", "programme_mean_days", "waiting_list", "active", "caseload_per_worker",
                  "utilisation", "referrals_per_month", "exits_per_month"]


class Scenario:
    """One scenario of one file, with its per-replication metric values."""

    def __init__(self, run: RunData, name: str) -> None:
        self.run = run
        self.path = run.path
        self.name = name
        if run.replications is None:
            raise InputError(f"{self.path}: no /replications in the file: nothing to compare")
        self.values = M.replication_metrics(run)
        self.summary = M.summarise(self.values)

    @property
    def series(self) -> dict[str, np.ndarray]:
        return self.run.series

    def seeds(self) -> Optional[np.ndarray]:
        r = self.run.replications
        return r["seed"] if "seed" in (r.dtype.names or ()) else None


def load_scenarios(files: Sequence[str]) -> list[Scenario]:
    """Every scenario of every file, named by the file (one scenario each),
    by the scenario (one file), or by both."""
    runfiles = [RunFile(f) for f in files]
    stems = [os.path.splitext(os.path.basename(rf.path))[0] for rf in runfiles]
    if len(set(stems)) < len(stems):
        stems = [os.path.splitext(os.path.normpath(rf.path))[0] for rf in runfiles]
    if len(set(stems)) < len(stems):
        raise InputError("the same file is given twice: " + ", ".join(s for s in stems if stems.count(s) > 1))
    out = []
    for rf, stem in zip(runfiles, stems):
        present = set(rf.row_scenario[rf.row_done].tolist())
        missing = [n for i, n in enumerate(rf.display_names()) if i not in present]
        if missing:
            print(f"caseflow_report: warning: {rf.path}: {len(missing)} scenario(s) have no finished trials in "
                  f"this file and are left out (an incomplete or task file?)", file=sys.stderr)
        for s, sname in enumerate(rf.display_names()):
            if s not in present:
                continue
            if rf.n_scenarios == 1:
                name = stem
            elif len(runfiles) == 1:
                name = sname
            else:
                name = f"{stem}: {sname}"
            out.append(Scenario(rf.view(s), name))
    names = [s.name for s in out]
    if len(set(names)) < len(names):
        for i, sc in enumerate(out):
            if names.count(sc.name) > 1:
                sc.name = f"{sc.name} [{i}]"
    return out


def pairing(base: Scenario, other: Scenario) -> tuple[str, str, Optional[tuple[np.ndarray, np.ndarray]]]:
    """('paired', reason, (base rows, other rows)) or ('welch', reason, None).

    Paired when both hold the same replication numbers run on the same seeds
    (the simulator's common random numbers: same master seed, and within a
    study common_random_numbers = 1), so replication i saw the same referrals
    in both."""
    if base is other:
        return "same", "", None
    sb, so = base.seeds(), other.seeds()
    common, ib, io = np.intersect1d(base.run.rep_ids, other.run.rep_ids, return_indices=True)
    if sb is not None and so is not None:
        if common.size < 2:
            return "welch", "fewer than two replication numbers in common: unpaired (Welch) interval", None
        if not np.array_equal(sb[ib], so[io]):
            why = ("master seeds differ" if base.run.master_seed != other.run.master_seed
                   else "replications ran on different seeds (no common random numbers)")
            return "welch", f"{why}: independent runs, unpaired (Welch) interval", None
    else:
        bs, os_ = base.run.master_seed, other.run.master_seed
        if bs is None or os_ is None or bs != os_:
            return "welch", "master seeds differ or are unknown: unpaired (Welch) interval", None
    note = "" if common.size == base.run.n_reps == other.run.n_reps else \
        f" ({base.run.n_reps} and {other.run.n_reps} replications; the {common.size} in common are paired)"
    return "paired", (f"replication i of both ran on the same seed (common random numbers, master seed "
                      f"{base.run.master_seed}): paired by replication, {common.size} pairs{note}"), (ib, io)


def differing_parameters(scenarios: Sequence[Scenario]) -> list[tuple[str, list[Any]]]:
    keys = []
    for s in scenarios:
        for k in s.run.params:
            if k not in keys:
                keys.append(k)
    out = []
    for k in keys:
        if k in ("run.seed", "run.replications", "run.horizon_months", "run.warmup_months"):
            continue  # shown from the file's own attributes below
        vals = [s.run.params.get(k) for s in scenarios]
        if any(v != vals[0] for v in vals):
            out.append((k, vals))
    for label, get in (("replications", lambda s: s.run.n_reps), ("master seed", lambda s: s.run.master_seed),
                       ("horizon (months)", lambda s: s.run.horizon), ("warm-up (months)", lambda s: s.run.warmup)):
        vals = [get(s) for s in scenarios]
        if any(v != vals[0] for v in vals):
            out.append((label, vals))
    return out


def _param_cell(s: Scenario, key: str, value: Any) -> str:
    """A parameter as written in a scenario file (config keys) or plainly."""
    if value is None:
        return "—"
    return s.run.param_text(key) if key in s.run.params else str(value)


def compute(scenarios: Sequence[Scenario], base_index: int) -> tuple[list[str], dict[str, Any], dict[str, tuple]]:
    base = scenarios[base_index]
    metrics = [m for m in base.values if all(m in s.values for s in scenarios)]
    pairings = {}
    for s in scenarios:
        if s is not base:
            pairings[s.name] = pairing(base, s)
    table = {}
    for m in metrics:
        entry = {"scenarios": {s.name: s.summary[m] for s in scenarios}, "differences": {}}
        for s in scenarios:
            if s is base:
                continue
            method, _, idx = pairings[s.name]
            if method == "paired":
                d = stats.paired_difference(base.values[m][idx[0]], s.values[m][idx[1]])
            else:
                d = stats.welch_difference(base.values[m], s.values[m])
            sim = simulator_difference(base, s, m)
            if sim is not None:
                d["simulator"] = sim
            entry["differences"][s.name] = d
        table[m] = entry
    return metrics, table, pairings


def simulator_difference(base: Scenario, other: Scenario, metric: str) -> Optional[dict[str, Any]]:
    """The file's own /paired_differences row, when both scenarios are from
    one file and the base is its scenario 0 (what the simulator compares to)."""
    if base.run.file is not other.run.file or base.run.scenario != 0:
        return None
    for r in base.run.file.paired_differences or ():
        if int(r.get("scenario", -1)) == other.run.scenario and r.get("metric") == metric:
            return r
    return None


def _cell(r, scale, digits=2):
    return f"{fmt(r['mean'], digits, scale)} {fmt_ci(r['ci_low'], r['ci_high'], digits, scale)}"


def _significant(d):
    lo, hi = d.get("ci_low"), d.get("ci_high")
    return lo is not None and hi is not None and np.isfinite(lo) and np.isfinite(hi) and (lo > 0 or hi < 0)


def text_table(scenarios, base_index, metrics, table, pairings, diffs):
    base = scenarios[base_index]
    lines = ["scenarios (base: " + base.name + "):"]
    cols = [("file", [s.path + ("" if s.run.n_scenarios == 1 else f" #{s.run.scenario}") for s in scenarios])]
    cols += [(k, [_param_cell(s, k, vals[i]) for i, s in enumerate(scenarios)]) for k, vals in diffs]
    header = ["scenario"] + [c[0] for c in cols]
    body = [[s.name] + [c[1][i] for c in cols] for i, s in enumerate(scenarios)]
    widths = [max(len(str(r[j])) for r in body + [header]) for j in range(len(header))]
    for r in [header] + body:
        lines.append("  " + "  ".join(str(c).ljust(widths[j]) for j, c in enumerate(r)).rstrip())
    reasons = {(m, r) for m, r, _ in pairings.values()}
    if len(reasons) == 1 and len(pairings) > 1:
        m, r = next(iter(reasons))
        lines.append(f"every scenario − {base.name}: {r}")
    else:
        for name, (method, reason, _) in pairings.items():
            lines.append(f"{name} − {base.name}: {reason}")
    if len(scenarios) > 3:
        return "\n".join(lines + [""] + long_table(scenarios, base, metrics, table))
    header = ["metric", "unit"] + [s.name for s in scenarios] + \
             [f"{s.name} − {base.name}" for s in scenarios if s is not base]
    rows = []
    for m in metrics:
        label, _, scale, shown = M.metric_info(m)
        digits = 1 if shown == "%" else 2
        row = [label, shown]
        for s in scenarios:
            row.append(_cell(table[m]["scenarios"][s.name], scale, digits).replace("\u202f", ""))
        for s in scenarios:
            if s is base:
                continue
            d = table[m]["differences"][s.name]
            cell = _cell(d, scale, digits).replace("\u202f", "")
            row.append(cell + (" *" if _significant(d) else ""))
        rows.append(row)
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    fmt_row = lambda r: "  ".join(str(c).ljust(widths[i]) if i < 2 else str(c).rjust(widths[i])  # noqa: E731
                                  for i, c in enumerate(r)).rstrip()
    lines.append("")
    lines.append(fmt_row(header))
    lines.append(fmt_row(["-" * w for w in widths]))
    lines += [fmt_row(r) for r in rows]
    lines.append("")
    lines.append("mean [95 % CI] over replications, after warm-up; * = the difference's 95 % CI excludes 0; "
                 "% for shares (utilisation: of meeting time)")
    return "\n".join(lines)


def long_table(scenarios, base, metrics, table):
    """One block per metric, one line per scenario: readable for many scenarios."""
    w = max(len(s.name) for s in scenarios) + 7
    lines = []
    for m in metrics:
        label, _, scale, shown = M.metric_info(m)
        digits = 1 if shown == "%" else 2
        lines.append(f"{label} ({shown})")
        lines.append(f"  {'scenario':<{w}}  {'mean [95 % CI]':>26}  {'− ' + base.name + ' [95 % CI]':>30}")
        for s in scenarios:
            cell = _cell(table[m]["scenarios"][s.name], scale, digits).replace("\u202f", "")
            if s is base:
                diff = ""
                name = s.name + " (base)"
            else:
                d = table[m]["differences"][s.name]
                diff = _cell(d, scale, digits).replace("\u202f", "") + (" *" if _significant(d) else "  ")
                name = s.name
            lines.append(f"  {name:<{w}}  {cell:>26}  {diff:>30}".rstrip())
        lines.append("")
    lines.append("mean [95 % CI] over replications, after warm-up; * = the difference's 95 % CI excludes 0; "
                 "% for shares (utilisation: of meeting time)")
    return lines


def run_compare(files: Sequence[str], base: Optional[str] = None, outdir: Optional[str] = None,
                all_metrics: bool = False, quiet: bool = False, out: TextIO = sys.stdout) -> dict[str, Any]:
    scenarios = load_scenarios(files)
    if len(scenarios) < 2:
        raise InputError("compare needs at least two scenarios: give two or more run files, or a study file")
    base_index = 0
    if base is not None:
        matches = [i for i, s in enumerate(scenarios) if base == s.name]
        if not matches:
            matches = [i for i, s in enumerate(scenarios)
                       if base in (s.path, os.path.basename(s.path), s.run.scenario_name) or
                       os.path.abspath(base) == os.path.abspath(s.path)]
        if not matches:
            raise InputError(f"--base {base}: not one of the scenarios ({', '.join(s.name for s in scenarios)})")
        base_index = matches[0]
    metrics, table, pairings = compute(scenarios, base_index)
    if not all_metrics:
        metrics = [m for m in metrics if not m.startswith("exit_share.") and m != "meetings_per_exit"]
    diffs = differing_parameters(scenarios)
    text = text_table(scenarios, base_index, metrics, table, pairings, diffs)
    if not quiet:
        print(text, file=out)
    result = {
        "base": scenarios[base_index].name,
        "scenarios": [{"name": s.name, "path": os.path.abspath(s.path), "scenario": s.run.scenario,
                       "scenario_name": s.run.scenario_name, "master_seed": s.run.master_seed,
                       "replications": s.run.n_reps} for s in scenarios],
        "parameters_that_differ": {k: dict(zip([s.name for s in scenarios], v)) for k, v in diffs},
        "pairing": {n: {"method": m, "reason": r, "pairs": None if p is None else int(len(p[0]))}
                    for n, (m, r, p) in pairings.items()},
        "metrics": {m: dict(table[m], label=M.metric_info(m)[0], unit=M.metric_info(m)[1]) for m in metrics},
    }
    if outdir:
        write_page(scenarios, base_index, metrics, table, pairings, diffs, outdir, result)
        if not quiet:
            print(f"\n{os.path.join(outdir, 'index.html')}", file=out)
    return result


# Metrics per table on the page: scenario rows, one column per metric, so a
# table fits 1 366 px whatever the number of scenarios (the earlier layout,
# one column per scenario, scrolled sideways from four scenarios on).
METRICS_PER_TABLE = 4
# Above this many scenarios the per-scenario figures get unreadable; the
# page says to use `sweep` or `report` (whose all-scenarios table sorts).
MAX_FIGURE_SCENARIOS = 40


def write_page(scenarios: Sequence[Scenario], base_index: int, metrics: list[str], table: dict[str, Any],
               pairings: dict[str, tuple], diffs: list[tuple[str, list[Any]]], outdir: str,
               result: dict[str, Any]) -> None:
    outputs.make_dir(outdir)
    base = scenarios[base_index]
    names = [s.name for s in scenarios]
    page = Page("caseflow scenario comparison",
                f"{len(scenarios)} scenarios; base: {base.name}" +
                ("" if len(scenarios) > 4 else "; others: " + ", ".join(n for n in names if n != base.name)))
    _page_scenarios(page, scenarios, base, pairings, diffs)
    _page_metric_tables(page, scenarios, base, metrics, table)
    _page_figures(page, scenarios, base_index, metrics, table, outdir)
    outputs.write_json(os.path.join(outdir, "compare.json"), result)
    outputs.write_text(os.path.join(outdir, "index.html"), page.render())


def _page_scenarios(page: Page, scenarios: Sequence[Scenario], base: Scenario, pairings: dict[str, tuple],
                    diffs: list[tuple[str, list[Any]]]) -> None:
    page.section("scenarios", "Scenarios")
    param_diffs = [(k, vals) for k, vals in diffs if "." in k]
    one_file = len({s.path for s in scenarios}) == 1
    header = ["scenario"] + ([] if one_file else ["file (#scenario)"]) + [k for k, _ in param_diffs] + \
        ["replications", "master seed", "horizon / warm-up (months)"]
    rows = []
    for i, s in enumerate(scenarios):
        row = [Cell(s.name, sort=i)]
        if not one_file:
            row.append(s.path + ("" if s.run.n_scenarios == 1 else f" #{s.run.scenario}"))
        row += [Cell(_param_cell(s, k, vals[i]), sort=vals[i] if isinstance(vals[i], (int, float)) else None)
                for k, vals in param_diffs]
        row += [s.run.n_reps, s.run.master_seed, f"{s.run.horizon} / {s.run.warmup}"]
        rows.append(row)
    first = 1 if one_file else 2
    page.table(header, rows, numeric=tuple(range(first, first + len(param_diffs))),
               row_classes=["base" if s is base else "" for s in scenarios], sortable=True)
    page.p(f"Highlighted: the base, {base.name}" + (f" (all from {scenarios[0].path})" if one_file else "")
           + ". Click a column's header to sort by it.", cls="sub")
    if not param_diffs:
        page.note("The scenarios' parameters are identical (as far as the file shows).")
    page.h3("How the differences were computed")
    reasons = {(m, r) for m, r, _ in pairings.values()}
    label = {"paired": "paired t (common random numbers)", "welch": "Welch t (unpaired)"}
    if len(reasons) == 1 and len(pairings) > 1:
        m, r = next(iter(reasons))
        page.table(["comparison", "method", "why"], [[f"every scenario − {base.name}", label[m], r]])
    else:
        page.table(["comparison", "method", "why"],
                   [[f"{n} − {base.name}", label[m], r] for n, (m, r, _) in pairings.items()])


def _page_metric_tables(page: Page, scenarios: Sequence[Scenario], base: Scenario, metrics: list[str],
                        table: dict[str, Any]) -> None:
    page.section("metrics", "Key metrics and differences from the base")
    page.p("One row per scenario. Each cell: the mean over replications after warm-up with its 95 % CI, and "
           f"below it (Δ) the difference scenario − {base.name} with its 95 % CI, in bold where that interval "
           f"excludes 0. {len(metrics)} metrics, {METRICS_PER_TABLE} to a table; click a header to sort the "
           "scenarios by that metric.")
    for start in range(0, len(metrics), METRICS_PER_TABLE):
        chunk = metrics[start:start + METRICS_PER_TABLE]
        header = ["scenario"]
        for m in chunk:
            label, _, _, shown = M.metric_info(m)
            header.append(f"{label} ({shown})" if shown else label)
        rows = []
        for i, s in enumerate(scenarios):
            row = [Cell(s.name, sort=i)]
            for m in chunk:
                label, _, scale, shown = M.metric_info(m)
                digits = 1 if shown == "%" else 2
                r = table[m]["scenarios"][s.name]
                cell = esc(_cell(r, scale, digits))
                if s is not base:
                    d = table[m]["differences"][s.name]
                    diff = esc("Δ " + _cell(d, scale, digits))
                    cell += "<br><small>" + (f"<b>{diff}</b>" if _significant(d) else diff) + "</small>"
                row.append(Cell(cell, sort=r["mean"], raw=True))
            rows.append(row)
        page.table(header, rows, numeric=tuple(range(1, len(header))),
                   row_classes=["base" if s is base else "" for s in scenarios], sortable=True)


def _page_figures(page: Page, scenarios: Sequence[Scenario], base_index: int, metrics: list[str],
                  table: dict[str, Any], outdir: str) -> None:
    from . import plots
    base = scenarios[base_index]
    names = [s.name for s in scenarios]
    if len(scenarios) > MAX_FIGURE_SCENARIOS:
        page.note(f"{len(scenarios)} scenarios are too many to draw one by one: the tables above sort, and "
                  "`sweep FILE` plots a study's metrics against its parameters.")
        return
    fig_rows = []
    for m in [x for x in FIGURE_METRICS if x in metrics]:
        label, _, scale, shown = M.metric_info(m)
        vals = [(table[m]["scenarios"][n]["mean"] * scale, table[m]["scenarios"][n]["ci_low"] * scale,
                 table[m]["scenarios"][n]["ci_high"] * scale) for n in names]
        fig_rows.append((label, "per month" if shown == "/month" else shown, vals))
    if fig_rows:
        data = outputs.png_bytes(plots.fig_compare_metrics(names, fig_rows, base_index))
        outputs.write_bytes(os.path.join(outdir, "metrics.png"), data)
        page.figure(data, "key metrics per scenario", "Each panel one metric; each row a scenario: its mean with "
                    f"the 95 % CI; the base ({base.name}) as an open marker with its mean as a dotted line. "
                    "Overlapping CIs do not mean 'no difference': the paired differences in the tables are the "
                    "sharper test.", "metrics.png")
    horizons = {s.run.horizon for s in scenarios}
    if len(horizons) == 1 and any("waiting" in s.series or "active" in s.series for s in scenarios):
        page.section("series", "Over time")
        data = outputs.png_bytes(plots.fig_compare_series(scenarios, names, base.run.warmup, base.run.horizon,
                                                          base_index))
        outputs.write_bytes(os.path.join(outdir, "series.png"), data)
        many = len(scenarios) > plots.OVERLAY_MAX
        page.figure(data, "waiting list and caseload per scenario", "Month-end snapshots; line: mean over "
                    "replications" + (f". One panel per scenario, with the base ({base.name}) in grey in each for "
                                      "reference." if many else ", band: its 95 % CI."), "series.png")
