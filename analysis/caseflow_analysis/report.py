"""`report FILE`: figures, a self-contained HTML page and summary.json for
one caseflow run file."""
import json
import os


from . import metrics as M
from . import outputs, stats
from . import sensitivity as SENS
from . import service as SV
from .errors import InputError
from .page import Page, esc, fmt, fmt_ci
from .runfile import RunData
from .scenario_text import format_value


def default_outdir(path):
    base, ext = os.path.splitext(os.fspath(path))
    return (base if ext in (".h5", ".hdf5", ".hdf") else os.fspath(path)) + "_report"


def load_targets_file(path):
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


def run_info_rows(run, pstats=None):
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


def make_report(path, outdir=None, targets_file=None, scenario=None):
    """Writes the report for one scenario of the file (default: the first,
    the base); returns the summary dict (also in summary.json)."""
    run = RunData(path, scenario)
    outdir = os.fspath(outdir or default_outdir(path))
    extra_targets = load_targets_file(targets_file) if targets_file else []
    outputs.make_dir(outdir)

    per_rep = M.replication_metrics(run)
    ours = M.summarise(per_rep)
    rows = M.compare_with_summary(ours, run.summary)
    pstats = M.ParticipantStats(run) if run.has_participants else None
    checks = M.consistency_checks(run, pstats)
    targets, target_problems = M.normalise_targets(list(run.targets) + extra_targets, run)
    outcomes = M.target_outcomes(targets, run) if targets else []

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
               "metrics": {}, "figures": [], "checks": checks, "notes": list(run.notes),
               "sections_skipped": []}
    figures = []

    def add_figure(fname, fig, alt, caption):
        data = outputs.png_bytes(fig)
        outputs.write_bytes(os.path.join(outdir, fname), data)
        summary["figures"].append(fname)
        page.figure(data, alt, caption, fname)
        figures.append(fname)

    def skip(section, why):
        summary["sections_skipped"].append({"section": section, "reason": why})
        page.note(f"Not shown: {why}")

    SV.warnings_first(run, page, summary)  # overload and warm-up warnings, before any number

    # -- run ----------------------------------------------------------------
    page.section("run", "The run")
    page.table(None, run_info_rows(run, pstats))
    if run.n_scenarios > 1:
        others = "; ".join(f"{i}: {n}" for i, n in enumerate(run.file.scenario_names()) if i != run.scenario)
        page.note(f"This file is a study of {run.n_scenarios} scenarios; this page is about scenario "
                  f"{run.scenario} ({run.scenario_name}). Others: {others}. Choose one with --scenario; "
                  "see them side by side with `compare FILE` and against the swept parameters with `sweep FILE`.")
    if run.params:
        page.details("Scenario parameters in force (scenario file with the overrides applied)",
                     "\n".join(f"{k} = {format_value(v)}" for k, v in run.params.items()))
    if run.attrs.get("config_text"):
        page.details("Scenario file as stored in the run (config_text)", run.attrs["config_text"])
    for n in run.notes:
        page.note(n)

    # -- key numbers ------------------------------------------------------------
    page.section("key-numbers", "Key numbers (after warm-up)")
    if ours:
        page.p("Mean over replications with its 95 % confidence interval (Student t on n − 1 degrees of "
               "freedom, over the per-replication values). Recomputed here from /replications and "
               "/exits_by_destination and checked against the simulator's own /summary.")
        trows, classes = [], []
        for metric, mine, sim, agrees in rows:
            label, unit, scale, shown = M.metric_info(metric)
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
            trows.append([label, shown, fmt(src["mean"], digits, scale), fmt_ci(src["ci_low"], src["ci_high"], digits, scale),
                          src["n"], check])
            classes.append("bad" if agrees is False else "")
            summary["metrics"][metric] = {
                "label": label, "unit": unit, "mean": src["mean"], "ci_low": src["ci_low"],
                "ci_high": src["ci_high"], "replications": src["n"],
                "source": "recomputed" if mine is not None else "simulator /summary",
                "simulator": sim, "agrees_with_simulator": agrees}
        # per-profile and per-source service levels have their own table (checked here all the same)
        keep = [i for i, r in enumerate(rows) if not SV.grouped(r[0]) or r[3] is False]
        trows, classes = [trows[i] for i in keep], [classes[i] for i in keep]
        page.table(["metric", "unit", "mean", "95 % CI", "replications", "vs. simulator /summary"], trows,
                   numeric=(2, 3, 4), row_classes=classes, raw_cols=(5,))
        bad = [r[0] for r in rows if r[3] is False]
        summary["summary_agrees"] = not bad
        if bad:
            page.note(f"The recomputed values differ from the simulator's /summary for: {', '.join(bad)}.")
        if run.summary is None:
            page.note("The file has no /summary: nothing to check the recomputed numbers against.")
    else:
        skip("key numbers", "the file has no /replications.")

    SV.service_section(run, page, summary, add_figure, skip)

    # -- levels ------------------------------------------------------------------
    page.section("levels", "Waiting list and caseload over time")
    if "waiting" in run.series or "active" in run.series:
        from . import plots
        cap_total = run.workers * run.caseload_cap if run.workers and run.caseload_cap else None
        add_figure("levels.png", plots.fig_levels(run.series, run.warmup, run.horizon, cap_total),
                   "waiting list and participants assigned at month end",
                   "Snapshots at each month end. Line: mean over replications; dark band: 95 % confidence "
                   "interval of that mean; light band: where the middle 95 % of single replications lie "
                   "(the spread a single run could show). Hatched: warm-up, excluded from the key numbers.")
        summary["series_mean"] = {k: stats.band(run.series[k])["mean"] for k in ("waiting", "active", "utilisation")
                                  if k in run.series}
    else:
        skip("levels", "the file has no /series/waiting or /series/active.")

    page.section("utilisation", "Worker utilisation over time")
    if "utilisation" in run.series:
        from . import plots
        hours = run.params.get("staff.meeting_hours_per_day")
        hours_txt = f"{hours:g} hours a day" if isinstance(hours, (int, float)) else "staff.meeting_hours_per_day"
        fig = plots.fig_monthly(run.series, [("utilisation", "utilisation")], run.warmup, run.horizon,
                                "Worker utilisation: share of meeting time in use, per month",
                                "meeting time in use (%)", scale=100.0, ylim=(0, 100))
        add_figure("utilisation.png", fig, "worker utilisation per month",
                   f"Time the workers spent in meetings as a share of the time they have for meetings "
                   f"({hours_txt} each), month by month (plotted at mid-month). 100 % would mean "
                   "every worker in meetings all of their meeting time.")
    else:
        skip("utilisation", "the file has no /series/utilisation.")

    page.section("flows", "Referrals and exits per month")
    flows = dict(run.series)
    if "exits" in run.series:
        flows["exits_total"] = run.series["exits"].sum(axis=2)
    if "referrals" in flows or "exits_total" in flows:
        from . import plots
        fig = plots.fig_monthly(flows, [("referrals", "referrals"), ("exits_total", "exits (all destinations)")],
                                run.warmup, run.horizon, "Referrals and exits per month",
                                "participants per month", show_range=False)
        add_figure("flows.png", fig, "referrals and exits per month",
                   "Counts in each month (plotted at mid-month); band: 95 % CI of the mean over replications. "
                   "While exits run below referrals, caseloads and then the waiting list grow.")
    else:
        skip("flows", "the file has no /series/referrals or /series/exits.")

    # -- caseload per worker ---------------------------------------------------------------
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
    if caseload is not None:
        from . import plots
        cs = M.caseload_summary(caseload, run.warmup, run.caseload_cap, workers)
        if cs:
            cs["source"] = source
        summary["caseload_per_worker"] = cs
        page.p(f"Source: {source}.", cls="sub")
        if cs:
            add_figure("caseload_per_worker.png", plots.fig_caseload(caseload, run.warmup, run.caseload_cap),
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
    else:
        skip("caseload per worker", "the file has no /series/worker_caseload and no /participants "
             "(or no workers could be identified).")

    # -- time to exit ----------------------------------------------------------------------
    page.section("time-to-exit", "Time to exit")
    if pstats is not None and pstats.available and run.destinations:
        from . import plots
        rows_d = pstats.duration_summary(run.destinations)
        summary["time_to_exit"] = {
            "what": "exit_time - assignment_time in days, participants assigned after warm-up who exited "
                    "before the horizon", "by_destination": rows_d,
            "still_assigned_at_horizon": int(pstats.still_active_after_warmup.sum())}
        if pstats.durations.size:
            add_figure("time_to_exit.png",
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
    else:
        skip("time to exit", "the file has no /participants or no /destinations.")

    # -- exits by destination --------------------------------------------------------------
    page.section("exits", "Exits by destination")
    if "exits" in run.series and run.destinations and run.series["exits"].ndim == 3:
        from . import plots
        fig = plots.fig_exits_cumulative(run.series["exits"], run.destinations, run.warmup, run.horizon, targets)
        add_figure("exits_cumulative.png", fig, "cumulative exits by destination",
                   "Exits counted from the end of warm-up. Line: mean over replications; band: 95 % CI of the mean."
                   + (" Stars: targets." if any(t["kind"] == "exits" for t in targets) else ""))
        if not targets:
            page.p("The file has no targets (a /targets table); none are drawn.")
    else:
        skip("exits by destination", "the file has no /series/exits with destinations.")
    if run.exits_by_destination is not None and run.destinations:
        trows = []
        for d, dn in enumerate(run.destinations):
            a = ours.get(f"exits_per_month.{dn}", {})
            b = ours.get(f"exit_share.{dn}", {})
            tot = stats.mean_ci(run.exits_by_destination[:, d])
            trows.append([dn, fmt(tot["mean"], 1), fmt_ci(tot["ci_low"], tot["ci_high"], 1), fmt(a.get("mean")),
                          fmt(b.get("mean"), 1, 100), fmt_ci(b.get("ci_low"), b.get("ci_high"), 1, 100)])
        page.table(["destination", f"exits after warm-up ({run.measured_months} months)", "95 % CI",
                    "per month", "share of exits (%)", "95 % CI (%)"], trows, numeric=(1, 2, 3, 4, 5))

    # -- targets ------------------------------------------------------------------------------
    if targets or target_problems:
        page.section("targets", "Probability of meeting each target")
        for pr in target_problems:
            page.note(f"Target ignored: {pr}")
        if outcomes:
            from . import plots
            add_figure("targets.png", plots.fig_targets(outcomes), "probability of meeting each target",
                       "Share of replications in which the target was met, with a 95 % Wilson interval. "
                       "Each replication is one possible course of events under the scenario.")
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
            summary["targets"] = outcomes
        summary["target_problems"] = target_problems

    # -- money ----------------------------------------------------------------------------------
    if run.money is not None or run.money_summary is not None:
        money_section(run, page, summary, add_figure, skip)

    SENS.section(run.path, page, summary, add_figure)  # a sensitivity study's /sensitivity, if any

    # -- checks & notes ----------------------------------------------------------------------------
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
        summary["sections_not_read"] = run.other_groups
    page.section("notes", "How to read this page")
    page.raw("<ul>"
             "<li>Every number is about the period after warm-up unless it says otherwise; the warm-up lets "
             "caseloads fill from an empty start.</li>"
             "<li>A replication is one independent simulated course of events under the same scenario; "
             "the 95 % CI says how precisely the replications pin down the long-run mean, not how much a "
             "single year varies (for that see the light bands and the distributions).</li>"
             "<li>Figures are also in this folder as PNG files; the numbers are in <code>summary.json</code> "
             "(in the file's units: shares as fractions, times in days).</li>"
             "</ul>")
    outputs.write_json(os.path.join(outdir, "summary.json"), summary)
    outputs.write_text(os.path.join(outdir, "index.html"), page.render())
    summary["outdir"] = outdir
    return summary


def money_section(run, page, summary, add_figure, skip):
    """The Money section: costs, per-actor net results at each horizon and
    payback, recomputed from /money/trials and checked against /money/summary."""
    from . import money as MO
    page.section("money", "Money")
    if run.money is None:
        skip("money", "/money has no usable /money/trials (only the simulator's /money/summary); "
             "nothing to recompute.")
        return
    led = MO.Ledger(run)
    ours = led.summarise()
    rows = M.compare_with_summary(ours, run.money_summary)
    byname = {n: (o, s, a) for n, o, s, a in rows}
    ms = {"what": "recomputed from /money/trials over replications (Student t; payback_never: Wilson) and "
                  "checked against /money/summary", "payers": led.payers, "accounts": led.accounts,
          "horizons_months": led.horizons, "ledger_months": led.ledger_months, "metrics": {}, "payback": {},
          "net": {}}
    for n, o, s, a in rows:
        lab, unit = MO.label(n)
        src = o if o is not None else {"mean": s["mean"], "ci_low": s["ci_low"], "ci_high": s["ci_high"],
                                       "n": s["replications"], "method": "simulator"}
        ms["metrics"][n] = {"label": lab, "unit": unit, "mean": src["mean"], "ci_low": src["ci_low"],
                            "ci_high": src["ci_high"], "replications": src["n"], "method": src.get("method"),
                            "source": "recomputed" if o is not None else "simulator /money/summary",
                            "simulator": s, "agrees_with_simulator": a}
    bad = [n for n, o, s, a in rows if a is False]
    ms["summary_agrees"] = not bad
    summary["money"] = ms

    def check(names):
        st = [byname[n][2] for n in names if n in byname]
        wrong = [n for n in names if n in byname and byname[n][2] is False]
        if wrong:
            return '<span class="badtext">differs</span>: ' + esc(", ".join(wrong)), "bad"
        if st and all(x is True for x in st):
            return '<span class="ok">agrees</span>', ""
        if any(x is True for x in st):
            return '<span class="ok">agrees</span> (where in /money/summary)', ""
        return "analysis only (not in /money/summary)", ""

    def val(name):
        return ms["metrics"].get(name)

    page.p("Kr, undiscounted unless the scenario's money.discount_rate says otherwise. Mean over replications "
           "with its 95 % confidence interval (Student t on n − 1 degrees of freedom), recomputed here from "
           "/money/trials and checked against the simulator's /money/summary.")
    if run.money_summary is None:
        page.note("The file has no /money/summary: nothing to check the recomputed money numbers against.")

    # costs
    page.h3("Programme cost")
    trows, classes = [], []
    names = (["money.cohort", "money.cost_total", "money.cost_per_participant", "money.cost_per_good_exit"]
             + [f"money.cost_paid.{p}" for p in led.payers]
             + ["money.cost_staff", "money.cost_measures", "money.cost_fixed", "money.cost_purchased"])
    for n in names:
        v = val(n)
        if v is None:
            continue
        lab, unit = MO.label(n)
        if v["replications"] == 0:
            why = "no replication has a value"
            if n == "money.cost_per_good_exit":  # no good exits, or none can be: say which
                why = ("no exit to work or studies in any replication" if run.params.get("exits.good")
                       else "exits.good is unset, so no destination counts as work or studies")
            mean_txt, ci_txt = "—", f"— ({why})"
        else:
            digits = 1 if n == "money.cohort" else 0
            mean_txt, ci_txt = fmt(v["mean"], digits), fmt_ci(v["ci_low"], v["ci_high"], digits)
        c, cls = check([n])
        trows.append([lab, unit, mean_txt, ci_txt, v["replications"], c])
        classes.append(cls)
    page.table(["item", "unit", "mean", "95 % CI", "replications", "vs. simulator /money/summary"], trows,
               numeric=(2, 3, 4), row_classes=classes, raw_cols=(5,))

    # net results and payback
    page.h3("Net result per participant by actor, and payback")
    horizon_names = [(h, MO.horizon_label(h)) for h in led.horizons]
    header = ["actor (account)"]
    for h, _ in horizon_names:
        header += [f"net after {MO.horizon_text(h)} (kr per participant)", "95 % CI"]
    header += ["payback (months): mean [95 % CI]", f"no payback within {led.ledger_months} months: "
               "replications (share) [95 % CI]", "vs. simulator /money/summary"]
    trows, classes, pb_text, net = [], [], {}, {}
    for acc in led.accounts:
        row = [acc]
        ms["net"][acc] = {}
        for h, hl in horizon_names:
            v = val(f"money.net_{hl}.{acc}") or {"mean": float("nan"), "ci_low": float("nan"),
                                                    "ci_high": float("nan"), "replications": 0}
            net[(h, acc)] = v
            ms["net"][acc][f"{h}m"] = {k: v[k] for k in ("mean", "ci_low", "ci_high", "replications")}
            row += [fmt(v["mean"], 0), fmt_ci(v["ci_low"], v["ci_high"], 0)]
        pm = val(f"money.payback_months.{acc}")
        pn = val(f"money.payback_never.{acc}")
        o = byname.get(f"money.payback_never.{acc}", (None,))[0] or {}
        n_all = pn["replications"] if pn else (pm["replications"] if pm else 0)
        k_never = o.get("count", round(pn["mean"] * n_all) if pn and n_all else 0)
        n_paid = pm["replications"] if pm else 0
        if n_all and k_never == n_all:
            ptxt, short = f"never within the horizon ({led.ledger_months} months)", f"no payback in {led.ledger_months} mo"
        elif pm and n_paid:
            ptxt = f"{fmt(pm['mean'], 1)} {fmt_ci(pm['ci_low'], pm['ci_high'], 1)}"
            short = f"payback {fmt(pm['mean'], 1)} mo"
            if k_never:
                ptxt += f" (over the {n_paid} replications with payback)"
                short += f"\n(never in {fmt(k_never / n_all, 0, 100)} %)"
        else:
            ptxt, short = "—", ""
        pb_text[acc] = short
        never_txt = (f"{k_never} of {n_all} ({fmt(k_never / n_all, 0, 100)} %) "
                     f"{fmt_ci(pn['ci_low'], pn['ci_high'], 0, 100)} %" if pn and n_all else "—")
        row += [ptxt, never_txt]
        c, cls = check([f"money.net_{hl}.{acc}" for _, hl in horizon_names]
                       + [f"money.payback_months.{acc}", f"money.payback_never.{acc}"])
        row.append(c)
        trows.append(row)
        classes.append(cls)
        ms["payback"][acc] = {
            "months": ({k: pm[k] for k in ("mean", "ci_low", "ci_high", "replications")} if pm else None),
            "never_count": int(k_never), "replications": int(n_all),
            "never_share": (k_never / n_all if n_all else None),
            "never_ci": ([pn["ci_low"], pn["ci_high"]] if pn else None),
            "never_within_horizon": bool(n_all and k_never == n_all), "text": ptxt}
    ncols = len(header)
    page.table(header, trows, numeric=tuple(range(1, ncols - 1)), row_classes=classes, raw_cols=(ncols - 1,))
    page.p(f"Net result = gains per participant followed up to the horizon minus the programme cost that actor "
           f"paid per participant. Payback: the first month in which the actor's cumulative gains cover its "
           f"cost; its mean and CI are over the replications where that happened within the ledger's "
           f"{led.ledger_months} months, and the next column gives the share of replications where it never "
           "did (Wilson 95 % interval). 'public' sums the public payers; 'society' adds the individual.")
    if bad:
        page.note(f"The recomputed money numbers differ from the simulator's /money/summary for: {', '.join(bad)}.")
    if led.accounts and horizon_names:
        from . import plots
        fig = plots.fig_money_net(led.accounts, [(h, f"{MO.horizon_text(h)}") for h, _ in horizon_names], net,
                                  pb_text)
        add_figure("money_payback.png", fig, "net result per participant by actor after each horizon",
                   "Net result per participant (gains minus the actor's share of the programme cost) after each "
                   "horizon, by actor: bars are means over replications, whiskers their 95 % CI. Above zero the "
                   "actor has been paid back by then. The cumulative net month by month is not stored in the "
                   "file, so the horizons stand in for the payback curve; the payback month is printed under "
                   "each actor.")
