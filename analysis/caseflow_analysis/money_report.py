"""The report's Money section: costs, per-actor net results at each horizon
and payback, recomputed from /money/trials (money.Ledger) and checked row by
row against /money/summary."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from . import metrics as M
from . import money as MO
from .page import esc, fmt, fmt_ci

if TYPE_CHECKING:  # only for the annotations: report imports this module
    from .report import ReportContext


class MoneyNumbers:
    """The recomputed money metrics, their /money/summary rows and agreement;
    `summary` is what goes into summary.json under "money"."""

    def __init__(self, run: Any) -> None:
        self.ledger = led = MO.Ledger(run)
        rows = M.compare_with_summary(led.summarise(), run.money_summary)
        self.byname = {n: (o, s, a) for n, o, s, a in rows}
        self.bad = [n for n, o, s, a in rows if a is False]
        self.summary: dict[str, Any] = {
            "what": "recomputed from /money/trials over replications (Student t; payback_never: Wilson) and "
                    "checked against /money/summary", "payers": led.payers, "accounts": led.accounts,
            "horizons_months": led.horizons, "ledger_months": led.ledger_months, "metrics": {}, "payback": {},
            "net": {}}
        for n, o, s, a in rows:
            lab, unit = MO.label(n)
            src = o if o is not None else {"mean": s["mean"], "ci_low": s["ci_low"], "ci_high": s["ci_high"],
                                           "n": s["replications"], "method": "simulator"}
            self.summary["metrics"][n] = {
                "label": lab, "unit": unit, "mean": src["mean"], "ci_low": src["ci_low"],
                "ci_high": src["ci_high"], "replications": src["n"], "method": src.get("method"),
                "source": "recomputed" if o is not None else "simulator /money/summary",
                "simulator": s, "agrees_with_simulator": a}
        self.summary["summary_agrees"] = not self.bad

    def value(self, name: str) -> Optional[dict[str, Any]]:
        return self.summary["metrics"].get(name)

    def check(self, names: list[str]) -> tuple[str, str]:
        """(cell markup, row class) saying whether /money/summary agrees."""
        st = [self.byname[n][2] for n in names if n in self.byname]
        wrong = [n for n in names if n in self.byname and self.byname[n][2] is False]
        if wrong:
            return '<span class="badtext">differs</span>: ' + esc(", ".join(wrong)), "bad"
        if st and all(x is True for x in st):
            return '<span class="ok">agrees</span>', ""
        if any(x is True for x in st):
            return '<span class="ok">agrees</span> (where in /money/summary)', ""
        return "analysis only (not in /money/summary)", ""


def money_section(ctx: "ReportContext") -> None:
    run, page = ctx.run, ctx.page
    page.section("money", "Money")
    if run.money is None:
        ctx.skip("money", "/money has no usable /money/trials (only the simulator's /money/summary); "
                 "nothing to recompute.")
        return
    mn = MoneyNumbers(run)
    ctx.summary["money"] = mn.summary
    page.p("Kr, undiscounted unless the scenario's money.discount_rate says otherwise. Mean over replications "
           "with its 95 % confidence interval (Student t on n − 1 degrees of freedom), recomputed here from "
           "/money/trials and checked against the simulator's /money/summary.")
    if run.money_summary is None:
        page.note("The file has no /money/summary: nothing to check the recomputed money numbers against.")
    money_costs(ctx, mn)
    money_net_and_payback(ctx, mn)


def money_costs(ctx: "ReportContext", mn: MoneyNumbers) -> None:
    page, led = ctx.page, mn.ledger
    page.h3("Programme cost")
    trows, classes = [], []
    names = (["money.cohort", "money.cost_total", "money.cost_per_participant", "money.cost_per_good_exit"]
             + [f"money.cost_paid.{p}" for p in led.payers]
             + ["money.cost_staff", "money.cost_measures", "money.cost_fixed", "money.cost_purchased"])
    for n in names:
        v = mn.value(n)
        if v is None:
            continue
        lab, unit = MO.label(n)
        if v["replications"] == 0:
            why = "no replication has a value"
            if n == "money.cost_per_good_exit":  # no good exits, or none can be: say which
                why = ("no exit to work or studies in any replication" if ctx.run.params.get("exits.good")
                       else "exits.good is unset, so no destination counts as work or studies")
            mean_txt, ci_txt = "—", f"— ({why})"
        else:
            digits = 1 if n == "money.cohort" else 0
            mean_txt, ci_txt = fmt(v["mean"], digits), fmt_ci(v["ci_low"], v["ci_high"], digits)
        c, cls = mn.check([n])
        trows.append([lab, unit, mean_txt, ci_txt, v["replications"], c])
        classes.append(cls)
    page.table(["item", "unit", "mean", "95 % CI", "replications", "vs. simulator /money/summary"], trows,
               numeric=(2, 3, 4), row_classes=classes, raw_cols=(5,))


def _payback_texts(mn: MoneyNumbers, acc: str) -> dict[str, Any]:
    """Payback of one account: the table's text, the chart's short label and
    the numbers for summary.json."""
    led = mn.ledger
    pm = mn.value(f"money.payback_months.{acc}")
    pn = mn.value(f"money.payback_never.{acc}")
    o = mn.byname.get(f"money.payback_never.{acc}", (None,))[0] or {}
    n_all = pn["replications"] if pn else (pm["replications"] if pm else 0)
    k_never = o.get("count", round(pn["mean"] * n_all) if pn and n_all else 0)
    n_paid = pm["replications"] if pm else 0
    # short: the chart's tick label, on short lines so neighbouring actors' labels do not run together
    if n_all and k_never == n_all:
        ptxt, short = f"never within the horizon ({led.ledger_months} months)", f"no payback\nin {led.ledger_months} mo"
    elif pm and n_paid:
        ptxt = f"{fmt(pm['mean'], 1)} {fmt_ci(pm['ci_low'], pm['ci_high'], 1)}"
        short = f"payback\n{fmt(pm['mean'], 1)} mo"
        if k_never:
            ptxt += f" (over the {n_paid} replications with payback)"
            short += f"\n(never in\n{fmt(k_never / n_all, 0, 100)} %)"
    else:
        ptxt, short = "—", ""
    never_txt = (f"{k_never} of {n_all} ({fmt(k_never / n_all, 0, 100)} %) "
                 f"{fmt_ci(pn['ci_low'], pn['ci_high'], 0, 100)} %" if pn and n_all else "—")
    summary = {
        "months": ({k: pm[k] for k in ("mean", "ci_low", "ci_high", "replications")} if pm else None),
        "never_count": int(k_never), "replications": int(n_all),
        "never_share": (k_never / n_all if n_all else None),
        "never_ci": ([pn["ci_low"], pn["ci_high"]] if pn else None),
        "never_within_horizon": bool(n_all and k_never == n_all), "text": ptxt}
    return {"text": ptxt, "short": short, "never": never_txt, "summary": summary}


def money_net_and_payback(ctx: "ReportContext", mn: MoneyNumbers) -> None:
    page, led, ms = ctx.page, mn.ledger, mn.summary
    page.h3("Net result per participant by actor, and payback")
    horizon_names = [(h, MO.horizon_label(h)) for h in led.horizons]
    # mean and CI share a cell: with a column each the table was wider than the page from two horizons on
    header = ["actor (account)"]
    for h, _ in horizon_names:
        header += [f"net after {MO.horizon_text(h)}: mean [95 % CI] (kr per participant)"]
    header += ["payback (months): mean [95 % CI]", f"no payback within {led.ledger_months} months: "
               "replications (share) [95 % CI]", "vs. /money/summary"]
    trows, classes, pb_text, net = [], [], {}, {}
    for acc in led.accounts:
        row = [acc]
        ms["net"][acc] = {}
        for h, hl in horizon_names:
            v = mn.value(f"money.net_{hl}.{acc}") or {"mean": float("nan"), "ci_low": float("nan"),
                                                      "ci_high": float("nan"), "replications": 0}
            net[(h, acc)] = v
            ms["net"][acc][f"{h}m"] = {k: v[k] for k in ("mean", "ci_low", "ci_high", "replications")}
            row += [f"{fmt(v['mean'], 0)} {fmt_ci(v['ci_low'], v['ci_high'], 0)}"]
        pb = _payback_texts(mn, acc)
        pb_text[acc] = pb["short"]
        row += [pb["text"], pb["never"]]
        c, cls = mn.check([f"money.net_{hl}.{acc}" for _, hl in horizon_names]
                          + [f"money.payback_months.{acc}", f"money.payback_never.{acc}"])
        row.append(c)
        trows.append(row)
        classes.append(cls)
        ms["payback"][acc] = pb["summary"]
    ncols = len(header)
    # only the net columns are right-aligned (and unbroken); the payback texts may wrap
    page.table(header, trows, numeric=tuple(range(1, 1 + len(horizon_names))), row_classes=classes,
               raw_cols=(ncols - 1,))
    page.p(f"Net result = gains per participant followed up to the horizon minus the programme cost that actor "
           f"paid per participant. Payback: the first month in which the actor's cumulative gains cover its "
           f"cost; its mean and CI are over the replications where that happened within the ledger's "
           f"{led.ledger_months} months, and the next column gives the share of replications where it never "
           "did (Wilson 95 % interval). 'public' sums the public payers; 'society' adds the individual.")
    if mn.bad:
        page.note(f"The recomputed money numbers differ from the simulator's /money/summary for: "
                  f"{', '.join(mn.bad)}.")
    if led.accounts and horizon_names:
        from . import plots
        fig = plots.fig_money_net(led.accounts, [(h, f"{MO.horizon_text(h)}") for h, _ in horizon_names], net,
                                  pb_text)
        ctx.add_figure("money_payback.png", fig, "net result per participant by actor after each horizon",
                       "Net result per participant (gains minus the actor's share of the programme cost) after each "
                       "horizon, by actor: bars are means over replications, whiskers their 95 % CI. Above zero "
                       "the actor has been paid back by then. The cumulative net month by month is not stored in "
                       "the file, so the horizons stand in for the payback curve; the payback month is printed "
                       "under each actor.")
