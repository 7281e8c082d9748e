"""`report FILE`: figures, a self-contained HTML page and summary.json for
one caseflow run file.

make_report() builds a ReportContext (the run, the page, the summary dict
that becomes summary.json) and hands it to one function per section, in page
order (SECTIONS). A section writes its part of the page and of the summary,
or says why it is skipped; none depends on another's output except through
the context's fields, so sections can be added, removed or reordered.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from . import extras_report as X
from . import metrics as M
from . import outputs, stats
from . import sensitivity as SENS
from . import service as SV
from .overview import section_study_overview
from .errors import InputError
from .page import Page, esc, fmt, fmt_ci
from .runfile import RunData


def default_outdir(path: str | os.PathLike) -> str:
    base, ext = os.path.splitext(os.fspath(path))
    return (base if ext in (".h5", ".hdf5", ".hdf") else os.fspath(path)) + "_report"


def load_targets_file(path: str | os.PathLike) -> list[dict[str, Any]]:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as e:
        raise InputError(f"{path}: cannot read the targets file ({e.strerror or e})") from e
    except json.JSONDecodeError as e:
        raise InputError(f"{path}: not valid JSON ({e})") from e
    if isinstance(data, dict):
        data = data.get("targets", [])
    if not isinstance(data, list) or not all(isinstance(t, dict) for t in data):
        raise InputError(f"{path}: expected a list of targets (objects) or {{\"targets\": [...]}}")
    return data


def run_info_rows(run: RunData, pstats: Optional[M.ParticipantStats] = None) -> list[tuple[str, Any]]:
    a = run.attrs
    scen = f"{run.scenario}: {run.scenario_name}"
    if run.n_scenarios > 1:
        scen += f" (one of {run.n_scenarios} in the study '{a.get('study_name', '?')}')"
    settings = run.file.scenarios[run.scenario].get("settings", "") if run.file.scenarios else ""
    keys = [("file", run.path), ("format", f"{run.kind} (format_version {run.version})"),
            ("scenario", scen)]
    if settings:
        keys.append(("scenario settings", settings.strip().replace("\n", "; ")))
    keys += [
            ("program version", a.get("program_version")), ("git revision", a.get("git_revision")),
            ("created", a.get("created")), ("scenario file", a.get("config_path")),
            ("overrides (-s)", (a.get("overrides") or "").strip().replace("\n", "; ") or "none"),
            ("master seed", a.get("master_seed")), ("replications", run.n_reps),
            ("horizon", f"{run.horizon} months"), ("warm-up", f"{run.warmup} months (excluded from statistics)"),
            ("days per month", f"{run.dpm:.4f}"),
            ("participant records", (pstats.rows if pstats is not None and pstats.available else "?")
             if run.has_participants else "none in the file")]
    return [(k, "—" if v is None else v) for k, v in keys]


@dataclass
class ReportContext:
    """What every section reads and writes."""

    run: RunData
    outdir: str
    page: Page
    summary: dict[str, Any]
    pstats: Optional[M.ParticipantStats]
    ours: dict[str, dict[str, Any]]           # recomputed metric -> mean/CI
    rows: list[tuple]                         # M.compare_with_summary(ours, run.summary)
    targets: list[dict[str, Any]]             # targets to evaluate from the series (file + --targets)
    target_problems: list[str]
    reference: Optional[str] = None           # --reference: the scenario study differences are taken against
    figures: list[str] = field(default_factory=list)

    def add_figure(self, fname: str, fig: Any, alt: str, caption: str) -> None:
        data = outputs.png_bytes(fig)
        outputs.write_bytes(os.path.join(self.outdir, fname), data)
        self.summary["figures"].append(fname)
        self.page.figure(data, alt, caption, fname)
        self.figures.append(fname)

    def skip(self, section: str, why: str) -> None:
        self.summary["sections_skipped"].append({"section": section, "reason": why})
        self.page.note(f"Not shown: {why}")


def make_report(path: str | os.PathLike, outdir: str | os.PathLike | None = None,
                targets_file: str | os.PathLike | None = None, scenario: str | int | None = None,
                reference: Optional[str] = None) -> dict[str, Any]:
    """Writes the report for one scenario of the file (default: the first,
    the base); returns the summary dict (also in summary.json). For a study,
    `reference` overrides the scenario the all-scenarios table compares with."""
    run = RunData(path, scenario)
    if reference is not None:
        run.file.scenario_index(reference)  # an unknown name is an input error before anything is written
    outdir = os.fspath(outdir or default_outdir(path))
    extra_targets = load_targets_file(targets_file) if targets_file else []
    outputs.make_dir(outdir)
    ctx = _context(run, outdir, extra_targets)
    ctx.reference = reference
    for section in SECTIONS:
        section(ctx)
    outputs.write_json(os.path.join(outdir, "summary.json"), ctx.summary)
    outputs.write_text(os.path.join(outdir, "index.html"), ctx.page.render())
    ctx.summary["outdir"] = outdir
    return ctx.summary


def _context(run: RunData, outdir: str, extra_targets: list[dict[str, Any]]) -> ReportContext:
    ours = M.summarise(M.replication_metrics(run))
    pstats = M.ParticipantStats(run) if run.has_participants else None
    targets, target_problems = M.normalise_targets(list(run.targets) + extra_targets, run)
    name = os.path.basename(run.path)
    if run.n_scenarios > 1:
        name += f", scenario '{run.scenario_name}'"
    page = Page(f"caseflow report — {name}",
                f"{run.n_reps} replications × {run.horizon} months ({run.warmup} warm-up); "
                f"created {run.attrs.get('created', '?')}; program {run.attrs.get('program_version', '?')} "
                f"({run.attrs.get('git_revision', '?')})")
    summary = {"file": os.path.abspath(run.path), "format": run.kind, "format_version": run.version,
               "scenario": run.scenario, "scenario_name": run.scenario_name, "scenarios_in_file": run.n_scenarios,
               "run": {k: run.attrs.get(k) for k in ("program_version", "git_revision", "created", "master_seed",
                                                     "config_path", "overrides")},
               "replications": run.n_reps, "horizon_months": run.horizon, "warmup_months": run.warmup,
               "days_per_month": run.dpm, "parameters": run.params, "destinations": run.destinations,
               "parameters_source": "/resolved" if run.file.has_resolved else
               ("/scenario_parameters (swept values only)" if run.params else "unknown"),
               "parameters_default": sorted(run.param_defaults),
               "metrics": {}, "figures": [], "checks": M.consistency_checks(run, pstats), "notes": list(run.notes),
               "sections_skipped": []}
    return ReportContext(run=run, outdir=outdir, page=page, summary=summary, pstats=pstats, ours=ours,
                         rows=M.compare_with_summary(ours, run.summary), targets=targets,
                         target_problems=target_problems)


# -- sections, in page order -------------------------------------------------------------------------

def section_run(ctx: ReportContext) -> None:
    run, page = ctx.run, ctx.page
    page.section("run", "The run")
    page.table(None, run_info_rows(run, ctx.pstats))
    if run.n_scenarios > 1:
        page.note(f"This file is a study of {run.n_scenarios} scenarios; this page is about scenario "
                  f"{run.scenario} ({run.scenario_name}), and the next section lists them all. Choose one with "
                  "--scenario; see them side by side with `compare FILE` and against the swept parameters with "
                  "`sweep FILE`.")
    if run.params:
        if run.file.has_resolved:
            title = ("Scenario parameters in force (every key as the simulator resolved it: defaults, the "
                     "scenario file, the study's settings and the overrides)")
        else:
            title = ("The study's swept parameters (this file has no /resolved, so the other parameters are "
                     "unknown)")
        page.details(title, "\n".join(f"{k} = {run.param_text(k)}" + ("  # default" if k in run.param_defaults
                                                                         else "") for k in run.params))
    if run.attrs.get("config_text"):
        page.details("Scenario file as stored in the run (config_text)", run.attrs["config_text"])
    for n in run.notes:
        page.note(n)


def section_key_numbers(ctx: ReportContext) -> None:
    run, page, summary = ctx.run, ctx.page, ctx.summary
    page.section("key-numbers", "Key numbers (after warm-up)")
    if not ctx.ours:
        ctx.skip("key numbers", "the file has no /replications.")
        return
    page.p("Mean over replications with its 95 % confidence interval (Student t on n − 1 degrees of "
           "freedom, over the per-replication values). Recomputed here from /replications and "
           "/exits_by_destination and checked against the simulator's own /summary.")
    trows, classes = [], []
    rows = [r for r in ctx.rows if not r[0].startswith(("target_value.", "target_met."))]  # under Targets
    # per-profile and per-source service levels have their own table (checked here all the same)
    in_table = {r[0] for r in rows if not SV.grouped(r[0]) or r[3] is False}
    for metric, mine, sim, agrees in rows:
        label, unit, scale, shown = M.metric_info(metric, sim.get("unit") if sim else None)
        src = mine if mine is not None else {"mean": sim["mean"], "ci_low": sim["ci_low"],
                                             "ci_high": sim["ci_high"], "n": sim["replications"]}
        if agrees is True:
            check = '<span class="ok">agrees</span>'
        elif agrees is False:
            check = (f'<span class="badtext">differs</span>: /summary says {fmt(sim["mean"], 4, scale)} '
                     f'{esc(fmt_ci(sim["ci_low"], sim["ci_high"], 4, scale))}, n = {sim["replications"]}')
        elif sim is None:
            check = "analysis only (not in /summary)"
        else:
            check = "from /summary (not recomputed)"
        digits = 1 if shown == "%" else 2
        if metric in in_table:
            trows.append([label, shown, fmt(src["mean"], digits, scale),
                          fmt_ci(src["ci_low"], src["ci_high"], digits, scale), src["n"], check])
            classes.append("bad" if agrees is False else "")
        summary["metrics"][metric] = {
            "label": label, "unit": unit, "mean": src["mean"], "ci_low": src["ci_low"],
            "ci_high": src["ci_high"], "replications": src["n"],
            "source": "recomputed" if mine is not None else "simulator /summary",
            "simulator": sim, "agrees_with_simulator": agrees}
    page.table(["metric", "unit", "mean", "95 % CI", "replications", "vs. simulator /summary"], trows,
               numeric=(2, 3, 4), row_classes=classes, raw_cols=(5,))
    bad = [r[0] for r in rows if r[3] is False]
    summary["summary_agrees"] = not bad
    if bad:
        page.note(f"The recomputed values differ from the simulator's /summary for: {', '.join(bad)}.")
    if run.summary is None:
        page.note("The file has no /summary: nothing to check the recomputed numbers against.")


def section_levels(ctx: ReportContext) -> None:
    run = ctx.run
    ctx.page.section("levels", "Waiting list and caseload over time")
    if "waiting" not in run.series and "active" not in run.series:
        ctx.skip("levels", "the file has no /series/waiting or /series/active.")
        return
    from . import plots
    cap_total = run.workers * run.caseload_cap if run.workers and run.caseload_cap else None
    ctx.add_figure("levels.png", plots.fig_levels(run.series, run.warmup, run.horizon, cap_total),
                   "waiting list and participants assigned at month end",
                   "Snapshots at each month end. Line: mean over replications; dark band: 95 % confidence "
                   "interval of that mean; light band: where the middle 95 % of single replications lie "
                   "(the spread a single run could show). Hatched: warm-up, excluded from the key numbers.")
    ctx.summary["series_mean"] = {k: stats.band(run.series[k])["mean"] for k in ("waiting", "active", "utilisation")
                                  if k in run.series}


def meeting_hours_text(run: RunData) -> str:
    """How the utilisation caption names the meeting time available: the
    number when the scenario's value is known, plain words otherwise (never
    the bare key name)."""
    hours = run.params.get("staff.meeting_hours_per_day")
    if isinstance(hours, (int, float)) and not isinstance(hours, bool):
        return f"{hours:g} hours a day each"
    return "the meeting hours a day each worker has"


def section_utilisation(ctx: ReportContext) -> None:
    run = ctx.run
    ctx.page.section("utilisation", "Worker utilisation over time")
    if "utilisation" not in run.series:
        ctx.skip("utilisation", "the file has no /series/utilisation.")
        return
    from . import plots
    fig = plots.fig_monthly(run.series, [("utilisation", "utilisation")], run.warmup, run.horizon,
                            "Worker utilisation: share of meeting time in use, per month",
                            "meeting time in use (%)", scale=100.0, ylim=(0, 100))
    ctx.add_figure("utilisation.png", fig, "worker utilisation per month",
                   f"Time the workers spent in meetings as a share of the time they have for meetings "
                   f"({meeting_hours_text(run)}), month by month (plotted at mid-month). 100 % would mean "
                   "every worker in meetings all of their meeting time.")


def section_flows(ctx: ReportContext) -> None:
    run = ctx.run
    ctx.page.section("flows", "Referrals and exits per month")
    flows = dict(run.series)
    if "exits" in run.series:
        flows["exits_total"] = run.series["exits"].sum(axis=2)
    if "referrals" not in flows and "exits_total" not in flows:
        ctx.skip("flows", "the file has no /series/referrals or /series/exits.")
        return
    from . import plots
    fig = plots.fig_monthly(flows, [("referrals", "referrals"), ("exits_total", "exits (all destinations)")],
                            run.warmup, run.horizon, "Referrals and exits per month",
                            "participants per month", show_range=False)
    ctx.add_figure("flows.png", fig, "referrals and exits per month",
                   "Counts in each month (plotted at mid-month); band: 95 % CI of the mean over replications. "
                   "While exits run below referrals, caseloads and then the waiting list grow.")


def section_caseload(ctx: ReportContext) -> None:
    run, page, pstats = ctx.run, ctx.page, ctx.pstats
    page.section("caseload", "Caseload per worker")
    wc = run.series.get("worker_caseload")
    caseload = source = None
    if wc is not None and wc.ndim == 3 and wc.shape[2] > 0:
        caseload = wc.transpose(0, 2, 1)  # replication x post x month
        workers = wc.shape[2]
        source = "/series/worker_caseload"
        page.p("What this is: for every worker post, the number of participants assigned to it at each month "
               "end after warm-up, as the simulator recorded it in /series/worker_caseload (posts that did not "
               "exist in a month are left out). The distribution pools posts, month ends and replications.")
    elif pstats is not None and pstats.available and pstats.workers:
        caseload = pstats.caseload
        workers = pstats.workers
        source = "/participants"
        page.p("What this is: for every worker, the number of participants assigned to them at each month end "
               "after warm-up, reconstructed from /participants (assigned before the month end and not yet "
               "exited at it — the same snapshot convention as /series/active; the two agree, see Checks). "
               "The distribution pools workers, month ends and replications.")
        if not pstats.workers_from_config:
            page.note("The number of workers was not readable from the scenario; it is taken as the highest "
                      "worker index seen + 1, so workers who never had a participant may be missing.")
    if caseload is None:
        ctx.skip("caseload per worker", "the file has no /series/worker_caseload and no /participants "
                 "(or no workers could be identified).")
        return
    from . import plots
    cs = M.caseload_summary(caseload, run.warmup, run.caseload_cap, workers)
    if cs:
        cs["source"] = source
    ctx.summary["caseload_per_worker"] = cs
    page.p(f"Source: {source}.", cls="sub")
    if not cs:
        return
    ctx.add_figure("caseload_per_worker.png", plots.fig_caseload(caseload, run.warmup, run.caseload_cap),
                   "caseload per worker", "Left: how often a worker had each caseload at a month end. Right: "
                   f"each worker's mean caseload after warm-up, with its 95 % CI over replications. "
                   f"Source: {source}.")
    trows = [["source", source], ["workers" if source == "/participants" else "worker posts", cs["workers"]],
             ["caseload cap", cs["caseload_cap"] or "—"],
             ["observations (worker × month end × replication)", cs["observations"]],
             ["mean caseload at month ends", f"{fmt(cs['mean'])}  95 % CI "
                                             f"{fmt_ci(cs['mean_by_replication_ci']['ci_low'], cs['mean_by_replication_ci']['ci_high'])}"],
             ["median (10th – 90th percentile)", f"{fmt(cs['median'], 0)} ({fmt(cs['p10'], 0)} – {fmt(cs['p90'], 0)})"],
             ["smallest – largest", f"{cs['min']} – {cs['max']}"]]
    if "share_at_cap" in cs:
        trows.append(["share of worker-month-ends at the cap", f"{fmt(cs['share_at_cap'], 1, 100)} %"])
    page.table(None, trows, numeric=(1,))


def section_time_to_exit(ctx: ReportContext) -> None:
    run, page, pstats = ctx.run, ctx.page, ctx.pstats
    page.section("time-to-exit", "Time to exit")
    if pstats is None or not pstats.available or not run.destinations:
        ctx.skip("time to exit", "the file has no /participants or no /destinations.")
        return
    from . import plots
    rows_d = pstats.duration_summary(run.destinations)
    ctx.summary["time_to_exit"] = {
        "what": "exit_time - assignment_time in days, participants assigned after warm-up who exited "
                "before the horizon", "by_destination": rows_d,
        "still_assigned_at_horizon": int(pstats.still_active_after_warmup.sum())}
    if pstats.durations.size:
        ctx.add_figure("time_to_exit.png",
                       plots.fig_time_to_exit(pstats.durations, pstats.duration_dest, run.destinations, run.dpm),
                       "time from assignment to exit by destination",
                       "exit_time − assignment_time for participants assigned after warm-up who exited before the "
                       "horizon, all replications pooled. Dashed: median.")
    page.p(f"Not included: {int(pstats.still_active_after_warmup.sum())} participants assigned after warm-up "
           "were still in the programme at the horizon (their stays are cut off; long stays are therefore "
           "slightly under-represented, the more so the shorter the run after warm-up).")
    trows = []
    for r in rows_d:
        ci = r["mean_of_replication_means"]
        trows.append([r["destination"], r["exits"], fmt(r["mean_days"], 1), fmt_ci(ci["ci_low"], ci["ci_high"], 1),
                      fmt(r["median_days"], 0), f"{fmt(r['p10_days'], 0)} – {fmt(r['p90_days'], 0)}"])
    page.table(["destination", "exits (pooled)", "mean (days)", "95 % CI of the mean (over replications)",
                "median (days)", "10th – 90th percentile (days)"], trows, numeric=(1, 2, 3, 4, 5))


def section_exits(ctx: ReportContext) -> None:
    run, page, targets = ctx.run, ctx.page, ctx.targets
    page.section("exits", "Exits by destination")
    if "exits" in run.series and run.destinations and run.series["exits"].ndim == 3:
        from . import plots
        fig = plots.fig_exits_cumulative(run.series["exits"], run.destinations, run.warmup, run.horizon, targets)
        ctx.add_figure("exits_cumulative.png", fig, "cumulative exits by destination",
                       "Exits counted from the end of warm-up. Line: mean over replications; band: 95 % CI of the "
                       "mean." + (" Stars: targets." if any(t["kind"] == "exits" for t in targets) else ""))
        if not targets and not X.target_names(run):
            page.p("No targets: the scenario sets none (a targets or service.targets section) and none were "
                   "given with --targets.")
    else:
        ctx.skip("exits by destination", "the file has no /series/exits with destinations.")
    if run.exits_by_destination is None or not run.destinations:
        return
    trows = []
    for d, dn in enumerate(run.destinations):
        a = ctx.ours.get(f"exits_per_month.{dn}", {})
        b = ctx.ours.get(f"exit_share.{dn}", {})
        tot = stats.mean_ci(run.exits_by_destination[:, d])
        trows.append([dn, fmt(tot["mean"], 1), fmt_ci(tot["ci_low"], tot["ci_high"], 1), fmt(a.get("mean")),
                      fmt(b.get("mean"), 1, 100), fmt_ci(b.get("ci_low"), b.get("ci_high"), 1, 100)])
    page.table(["destination", f"exits after warm-up ({run.measured_months} months)", "95 % CI",
                "per month", "share of exits (%)", "95 % CI (%)"], trows, numeric=(1, 2, 3, 4, 5))


def section_targets(ctx: ReportContext) -> None:
    """The scenario's own targets, programme (`targets`) and service-level
    (`service.targets`) alike (/trial_extras and /summary), then targets
    given with --targets (or a /targets table), evaluated here from
    /series/exits replication by replication; one chart for all. Right
    after the service levels: P(met) is the headline a planner asks for."""
    targets, problems, page = ctx.targets, ctx.target_problems, ctx.page
    found = X.scenario_targets(ctx.run)
    if not targets and not problems and not found:
        return
    page.section("targets", "Probability of meeting each target")
    outcomes = M.target_outcomes(targets, ctx.run) if targets else []
    if found or outcomes:
        from . import plots
        ctx.add_figure("targets.png", plots.fig_targets(found + outcomes), "probability of meeting each target",
                       "Share of replications in which the target was met, with a 95 % Wilson interval. "
                       "Each replication is one possible course of events under the scenario.")
    if found:
        X.scenario_targets_table(ctx, found)
        ctx.summary["scenario_targets"] = found
    if not targets and not problems:
        return
    if found:
        page.h3("Given with --targets")
    for pr in problems:
        page.note(f"Target ignored: {pr}")
    if outcomes:
        trows = []
        for o in outcomes:
            what = (f"{'exits' if o['kind'] == 'exits' else 'share of exits'} to {o['destination']} "
                    f"≥ {o['value']:g}" if o["kind"] == "exits" else
                    f"share of exits to {o['destination']} ≥ {o['value'] * 100:g} %")
            ac = o["achieved_ci"]
            sc = 100 if o["kind"] == "share" else 1
            trows.append([o["name"], what, f"months {o['from_month'] + 1}–{o['by_month']}",
                          f"{fmt(ac['mean'], 1, sc)} {fmt_ci(ac['ci_low'], ac['ci_high'], 1, sc)}",
                          f"{o['met']} / {o['replications']}", f"{fmt(o['probability'], 0, 100)} %",
                          fmt_ci(o["ci_low"], o["ci_high"], 0, 100)])
        page.table(["target", "condition", "period", "achieved: mean [95 % CI]", "replications meeting it",
                    "probability", "95 % CI (%)"], trows, numeric=(3, 4, 5, 6))
        ctx.summary["targets"] = outcomes
    ctx.summary["target_problems"] = problems


def section_money(ctx: ReportContext) -> None:
    if ctx.run.money is None and ctx.run.money_summary is None:
        return
    from .money_report import money_section
    money_section(ctx)


def section_sensitivity(ctx: ReportContext) -> None:
    """A sensitivity study's Sobol indices (/sensitivity), when the file has them."""
    SENS.section(ctx.run.path, ctx.page, ctx.summary, ctx.add_figure)


def section_checks(ctx: ReportContext) -> None:
    run, page, checks = ctx.run, ctx.page, ctx.summary["checks"]
    page.section("checks", "Checks")
    page.p("Cross-checks between sections of the file (the analysis and the simulator must tell one story).")
    if checks:
        page.table(["check", "result", "detail"],
                   [[c["name"], '<span class="ok">ok</span>' if c["ok"] else '<span class="badtext">FAILED</span>',
                     c["detail"]] for c in checks], raw_cols=(1,), row_classes=["" if c["ok"] else "bad" for c in checks])
    else:
        page.p("No checks possible: the sections they compare are absent.")
    if run.other_groups:
        page.note("The file also holds sections this analysis does not read yet: "
                  + ", ".join("/" + g for g in run.other_groups) + ".")
        ctx.summary["sections_not_read"] = run.other_groups


def section_notes(ctx: ReportContext) -> None:
    ctx.page.section("notes", "How to read this page")
    ctx.page.raw("<ul>"
                 "<li>Every number is about the period after warm-up unless it says otherwise; the warm-up lets "
                 "caseloads fill from an empty start.</li>"
                 "<li>A replication is one independent simulated course of events under the same scenario; "
                 "the 95 % CI says how precisely the replications pin down the long-run mean, not how much a "
                 "single year varies (for that see the light bands and the distributions).</li>"
                 "<li>Figures are also in this folder as PNG files; the numbers are in <code>summary.json</code> "
                 "(in the file's units: shares as fractions, times in days).</li>"
                 "</ul>")


SECTIONS: tuple[Callable[[ReportContext], None], ...] = (
    SV.section_warnings,  # overload and warm-up warnings, before any number
    section_run, section_study_overview, section_key_numbers, SV.section_service, section_targets,
    section_levels, section_utilisation, section_flows, section_caseload, section_time_to_exit, section_exits,
    X.section_trial_extras, section_money, section_sensitivity, section_checks, section_notes)
