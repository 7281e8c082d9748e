"""The money ledger (/money, format 2): per-replication values from
/money/trials under the names of /money/summary, their means with 95 %
intervals, and the layout (payers, accounts, horizons) read from the column
names.

Mirrors sim/money.c (money_metric_values): every metric is a column of
/money/trials (cost_by_payer.<payer> is summarised as money.cost_paid.<payer>,
net_<H>m.<account> as money.net_<H/12>y.<account> when H is whole years);
payback_never.<account> is a 0/1 outcome summarised with Wilson's interval,
everything else with Student t over replications (NaN values left out, as
the simulator does).
"""
from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from . import stats

NET_RE = re.compile(r"^net_(\d+)m\.(.+)$")


def horizon_label(months: int) -> str:
    """As the simulator names horizons in /money/summary: 12 -> '1y', 18 -> '18m'."""
    return f"{months // 12}y" if months % 12 == 0 else f"{months}m"


def horizon_text(months: int) -> str:
    if months % 12 == 0:
        y = months // 12
        return f"{y} year{'s' if y != 1 else ''}"
    return f"{months} months"


class Ledger:
    """The layout of one run's /money/trials and the per-replication metric
    values. `values[name]` is an array over replications; `binary` names the
    0/1 metrics (Wilson interval)."""

    def __init__(self, run: Any) -> None:
        cols = run.money or {}
        self.columns = list(cols)
        self.payers = [c.split(".", 1)[1] for c in cols if c.startswith("cost_by_payer.")]
        self.accounts = [c.split(".", 1)[1] for c in cols if c.startswith("payback_months.")]
        hz = []
        for c in cols:
            m = NET_RE.match(c)
            if m and int(m.group(1)) not in hz:
                hz.append(int(m.group(1)))
                if m.group(2) not in self.accounts:
                    self.accounts.append(m.group(2))
        self.horizons = sorted(hz)
        self.ledger_months = self.horizons[-1] if self.horizons else None
        self.values, self.binary = {}, set()
        n = run.n_reps

        def col(name):
            return np.asarray(cols[name], float) if name in cols else None

        cohort = col("cohort")
        any_member = cohort > 0 if cohort is not None else np.ones(n, bool)

        def put(name, v, binary=False):
            if v is not None:
                self.values[name] = v
                if binary:
                    self.binary.add(name)

        put("money.cohort", cohort)
        if cohort is not None and "censored" in cols:
            with np.errstate(invalid="ignore", divide="ignore"):
                put("money.censored_share", np.where(any_member, col("censored") / np.maximum(cohort, 1), np.nan))
        for c in ("cost_total", "cost_per_participant", "cost_per_good_exit"):
            put(f"money.{c}", col(c))
        for p in self.payers:
            put(f"money.cost_paid.{p}", col(f"cost_by_payer.{p}"))
        for h in self.horizons:
            for a in self.accounts:
                put(f"money.net_{horizon_label(h)}.{a}", col(f"net_{h}m.{a}"))
        for a in self.accounts:
            put(f"money.payback_months.{a}", col(f"payback_months.{a}"))
        for a in self.accounts:
            v = col(f"payback_never.{a}")
            if v is not None:
                put(f"money.payback_never.{a}", np.where(any_member, v, np.nan), binary=True)
        # the analysis' own (not in /money/summary): cost by kind
        for c in ("cost_staff", "cost_measures", "cost_fixed", "cost_purchased"):
            put(f"money.{c}", col(c))

    def summarise(self) -> dict[str, dict[str, Any]]:
        """{metric: dict(mean, ci_low, ci_high, n)}."""
        out = {}
        for name, v in self.values.items():
            if name in self.binary:
                ok = v[np.isfinite(v)]
                p, lo, hi = stats.wilson_interval(float(ok.sum()), int(ok.size))
                out[name] = {"mean": p, "ci_low": lo, "ci_high": hi, "n": int(ok.size),
                             "count": int(ok.sum()), "method": "wilson"}
            else:
                r = stats.mean_ci(v)
                r["method"] = "student t"
                out[name] = r
        return out


MONEY_LABELS = {
    "money.cohort": ("cohort (participants the ledger follows)", "people"),
    "money.censored_share": ("share of the cohort censored", "share"),
    "money.cost_total": ("programme cost, total", "kr"),
    "money.cost_per_participant": ("programme cost per participant", "kr per participant"),
    "money.cost_per_good_exit": ("programme cost per exit to work or studies", "kr per exit"),
    "money.cost_staff": ("of which staff", "kr"),
    "money.cost_measures": ("of which measures", "kr"),
    "money.cost_fixed": ("of which fixed costs", "kr"),
    "money.cost_purchased": ("of which purchased (per participant) items", "kr"),
}


def label(name: str) -> tuple[str, str]:
    if name in MONEY_LABELS:
        return MONEY_LABELS[name]
    if name.startswith("money.cost_paid."):
        return f"paid by {name.split('.', 2)[2]}", "kr"
    if name.startswith("money.net_"):
        hz, acc = name[len("money.net_"):].split(".", 1)
        return f"net result for {acc} after {hz}", "kr per participant"
    if name.startswith("money.payback_months."):
        return f"payback for {name.split('.', 2)[2]}", "months"
    if name.startswith("money.payback_never."):
        return f"no payback within the horizon for {name.split('.', 2)[2]}", "share of replications"
    return name, ""


def is_nan(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))
