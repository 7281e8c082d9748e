"""Every scenario of a study at once: per-scenario metrics (recomputed over
replications where the trials allow, else the file's /summary), the
reference scenario the differences are taken against, and the headline
metrics a whole-study table shows. Used by the report's all-scenarios table
and by `sweep`."""
from __future__ import annotations

import math
from typing import Any, Optional, Sequence

import numpy as np

from . import metrics as M
from . import stats
from .runfile import RunData, RunFile


class StudyMetrics:
    """metric -> arrays over scenarios (mean, ci_low, ci_high, replications,
    NaN where a scenario lacks the metric), the per-replication values behind
    the recomputed ones (for paired differences), and whether the recomputed
    ones agree with /summary."""

    def __init__(self, rf: RunFile) -> None:
        self.file = rf
        self.n = rf.n_scenarios
        self.views: list[Optional[RunData]] = []
        present = set(rf.row_scenario[rf.row_done].tolist())
        for s in range(self.n):
            self.views.append(rf.view(s) if s in present else None)
        self.values: list[dict[str, np.ndarray]] = []
        self.table: dict[str, dict[str, np.ndarray]] = {}
        self.source: dict[str, str] = {}
        self.agrees: dict[str, bool] = {}
        for s, v in enumerate(self.views):
            vals = self._values(v) if v is not None else {}
            self.values.append(vals)
            ours = M.summarise(vals)
            for metric, r in ours.items():
                self._put(metric, s, r["mean"], r["ci_low"], r["ci_high"], r["n"], "recomputed")
            for metric, _, sim, agrees in M.compare_with_summary(ours, v.summary if v is not None else None):
                if agrees is not None:
                    self.agrees[metric] = self.agrees.get(metric, True) and agrees
                if metric not in ours and sim is not None:
                    self._put(metric, s, sim["mean"], sim["ci_low"], sim["ci_high"], int(sim["replications"]),
                              "/summary")

    @staticmethod
    def _values(v: RunData) -> dict[str, np.ndarray]:
        vals = M.replication_metrics(v)
        if v.money is not None and "cost_per_good_exit" in v.money:
            vals["money.cost_per_good_exit"] = np.asarray(v.money["cost_per_good_exit"], float)
        return vals

    def _put(self, metric: str, s: int, mean: float, lo: float, hi: float, n: int, source: str) -> None:
        e = self.table.setdefault(metric, {"mean": np.full(self.n, np.nan), "ci_low": np.full(self.n, np.nan),
                                           "ci_high": np.full(self.n, np.nan),
                                           "replications": np.zeros(self.n, int)})
        e["mean"][s], e["ci_low"][s], e["ci_high"][s], e["replications"][s] = mean, lo, hi, n
        self.source.setdefault(metric, source)

    def difference(self, metric: str, s: int, ref: int) -> Optional[dict[str, Any]]:
        """Scenario s minus the reference for a recomputed metric: paired by
        replication when both ran replication i on the same seed (the
        study's common random numbers), otherwise Welch; None when a
        scenario lacks per-replication values."""
        a, b = self.values[ref].get(metric), self.values[s].get(metric)
        va, vb = self.views[ref], self.views[s]
        if a is None or b is None or va is None or vb is None:
            return None
        if s == ref:
            return {"mean": 0.0, "ci_low": 0.0, "ci_high": 0.0, "n": va.n_reps, "method": "same"}
        seeds_a = _seeds(va)
        seeds_b = _seeds(vb)
        common, ia, ib = np.intersect1d(va.rep_ids, vb.rep_ids, return_indices=True)
        if seeds_a is not None and seeds_b is not None and common.size >= 2 and \
                np.array_equal(seeds_a[ia], seeds_b[ib]):
            return stats.paired_difference(a[ia], b[ib])
        return stats.welch_difference(a, b)


def _seeds(v: RunData) -> Optional[np.ndarray]:
    r = v.replications
    return r["seed"] if r is not None and "seed" in (r.dtype.names or ()) else None


REFERENCE_ATTRS = ("study_reference", "reference_scenario", "reference")


def reference_scenario(rf: RunFile, override: Optional[str] = None) -> tuple[int, str, list[str]]:
    """(index, how it was chosen, notes): `override` (the command line), else
    the study's study.reference as the file stores it (root attribute
    study_reference: a scenario name or index), else scenario 0, which is
    then labelled as the base rather than a chosen reference."""
    notes: list[str] = []
    if override is not None:
        return rf.scenario_index(override), f"chosen with --reference {override}", notes
    for attr in REFERENCE_ATTRS:
        value = rf.attrs.get(attr)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            return rf.scenario_index(value), f"named by the study (study.reference = {value})", notes
        except Exception:  # noqa: BLE001 - an InputError listing the names; say it on the page instead
            notes.append(f"The study names '{value}' as its reference, but no scenario has that name or index: "
                         "scenario 0 is used.")
            break
    return 0, "scenario 0, the base: the study names no reference (study.reference)", notes


def headline_metrics(sm: StudyMetrics) -> list[str]:
    """The metrics a whole-study table shows, in this order, those the file
    has: service level (wait, a wait-within share, waiting list), how busy
    staff are, good exits (to work or studies) or all exits, people who gave
    up, and cost per good exit where there is money."""
    have = set(sm.table)
    out = [next((m for m in ("wait_mean_days", "wait_days") if m in have), None)]
    within = sorted((m for m in have if M._WITHIN.match(m) and m.startswith("wait_")),
                    key=lambda m: float(M._WITHIN.match(m).group(2)))
    out.append(next((m for m in within if m == "wait_within_30d"), within[0] if within else None))
    out += ["waiting_list", "utilisation"]
    out.append("good_exits_per_month" if "good_exits_per_month" in have else "exits_per_month")
    out.append("good_exit_share")
    gave_up = sm.table.get("reneged_per_month")
    if gave_up is not None and np.nanmax(np.abs(np.nan_to_num(gave_up["mean"]))) > 0:
        out.append("reneged_per_month")
    out.append("money.cost_per_good_exit")
    return [m for m in out if m is not None and m in have]


def swept_values(rf: RunFile) -> dict[str, np.ndarray]:
    """key -> value per scenario for the keys the study sets: /parameter_names
    and /scenario_parameters, or, without them, the numeric keys of /resolved
    that differ between scenarios."""
    if rf.scenario_parameters is not None and rf.parameter_names:
        return {k: np.asarray(rf.scenario_parameters[:, j], float) for j, k in enumerate(rf.parameter_names)}
    out: dict[str, np.ndarray] = {}
    params = [rf.params_of(s) for s in range(rf.n_scenarios)]
    for k in rf.parameters.varying():
        vals = [p.get(k) for p in params]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
            out[k] = np.asarray(vals, float)
    return out


def label_unit(metric: str) -> tuple[str, float, str]:
    label, _, scale, shown = M.metric_info(metric)
    if metric == "money.cost_per_good_exit":
        return "programme cost per exit to work or studies", 1.0, "kr"
    return label, scale, shown


def is_number(x: Any) -> bool:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def common_keys(keys: Sequence[str]) -> list[str]:
    """Short column names for parameter keys: the last part, or more where
    two keys would share it."""
    generic = {"mean", "sd", "value", "count", "min", "max", "rate", "median", "shape", "scale"}
    short = [".".join(k.split(".")[-2:]) if k.split(".")[-1] in generic else k.split(".")[-1] for k in keys]
    return [k if short.count(s) > 1 else s for k, s in zip(keys, short)]


def reference_stands_apart(params: dict[str, np.ndarray], ref: int) -> list[tuple[str, float, list[float]]]:
    """Keys on which the reference differs from every other scenario while
    those others are all alike (e.g. a base at 14 referrals a month when every
    scenario of the grid has 30): differences from such a reference mix in
    that change."""
    out = []
    for k, v in params.items():
        others = np.delete(v, ref)
        if others.size and np.all(others == others[0]) and v[ref] != others[0]:
            out.append((k, float(v[ref]), [float(others[0])]))
    return out
