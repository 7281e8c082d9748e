"""Statistics, and reading files whose layout
lacks sections or has new ones."""
import json
import math

import h5py
import numpy as np
import pytest

from caseflow_analysis import stats
from conftest import cli
from reference import T975


@pytest.mark.parametrize("df", sorted(T975))
def test_t_quantile_matches_gsl(df):
    assert math.isclose(stats.t_ppf(0.975, df), T975[df], rel_tol=1e-11)


def test_t_quantile_fractional_df_and_symmetry():
    assert math.isclose(stats.t_ppf(0.975, 2.37), 3.7189208397974571, rel_tol=1e-11)
    assert math.isclose(stats.t_ppf(0.975, 7.5), 2.333039626864974, rel_tol=1e-11)
    assert stats.t_ppf(0.025, 5) == -stats.t_ppf(0.975, 5)
    assert math.isclose(stats.t_cdf(stats.t_ppf(0.9, 3), 3), 0.9, rel_tol=1e-12)


def test_mean_ci_and_differences():
    r = stats.mean_ci([1.0, 2.0, 3.0, float("nan")])
    assert r["n"] == 3 and r["mean"] == 2.0
    assert math.isclose(r["ci_high"] - 2.0, T975[2] * 1.0 / math.sqrt(3))
    assert math.isnan(stats.mean_ci([5.0])["ci_low"])
    p = stats.paired_difference([1, 2, 3, 4], [2, 3, 4, 6])
    assert p["method"] == "paired" and p["mean"] == 1.25 and p["n"] == 4
    w = stats.welch_difference([1, 1, 1], [2, 2, 2])
    assert w["mean"] == 1 and w["ci_low"] == 1 and w["ci_high"] == 1
    p_, lo, hi = stats.wilson_interval(8, 10)
    assert p_ == 0.8 and math.isclose(lo, 0.4901624, rel_tol=1e-6) and math.isclose(hi, 0.9433178, rel_tol=1e-6)


def _copy_without(src, dst, drop=(), drop_fields=None, add_group=None):
    """Writes dst with src's attributes and datasets, less some, to imitate
    older or newer layouts."""
    drop_fields = drop_fields or {}
    with h5py.File(src) as a, h5py.File(dst, "w") as b:
        for k, v in a.attrs.items():
            b.attrs[k] = v
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and not any(name == d or name.startswith(d + "/") for d in drop):
                data = obj[...]
                if name in drop_fields:
                    keep = [f for f in data.dtype.names if f not in drop_fields[name]]
                    data = np.array(data[keep].tolist(), dtype=[(f, data.dtype[f]) for f in keep])
                b[name] = data
        a.visititems(visit)
        if add_group:
            b.create_group(add_group)["ledger"] = np.zeros(3)


def test_sections_absent_or_new(tiny_run, tmp_path):
    p = tmp_path / "partial.h5"
    _copy_without(tiny_run, p, drop=("participants", "series/utilisation", "summary"), add_group="future_section")
    out = tmp_path / "partial_report"
    r = cli("report", str(p), "-o", str(out), "-q")
    assert r.returncode == 0, r.stderr
    s = json.loads((out / "summary.json").read_text())
    skipped = {x["section"] for x in s["sections_skipped"]}
    assert {"utilisation", "caseload per worker", "time to exit"} <= skipped
    # A group this code does not know is named, not silently ignored.
    assert "future_section" in s["sections_not_read"]
    assert s["metrics"]["waiting_list"]["simulator"] is None
    assert "levels.png" in s["figures"] and "utilisation.png" not in s["figures"]


def test_layout_from_before_studies(tiny_run, tmp_path):
    """First format_version 1 files had no scenario/status columns."""
    p = tmp_path / "early.h5"
    _copy_without(tiny_run, p, drop=("scenarios", "parameter_names", "scenario_parameters", "paired_differences"),
                  drop_fields={"replications": ("trial", "scenario", "status", "wall_seconds"),
                               "participants": ("scenario",), "summary": ("scenario",)})
    out = tmp_path / "early_report"
    r = cli("report", str(p), "-o", str(out), "-q")
    assert r.returncode == 0, r.stderr
    s = json.loads((out / "summary.json").read_text())
    assert s["summary_agrees"] is True and all(c["ok"] for c in s["checks"])
