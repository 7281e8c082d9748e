"""`report`: files, self-containment, and numbers agreeing with a direct
computation from the HDF5 file (tests/analysis/reference.py)."""
import json
import math
import re

import numpy as np
import pytest

import reference as ref
from conftest import cli

FIGURES = ["levels.png", "utilisation.png", "flows.png", "caseload_per_worker.png", "time_to_exit.png",
           "exits_cumulative.png", "targets.png", "wait_distribution.png", "wait_within_by_month.png"]


@pytest.fixture(scope="module")
def summary(tiny_report):
    return json.loads((tiny_report / "summary.json").read_text())


@pytest.fixture(scope="module")
def direct(tiny_run):
    return ref.load(tiny_run)


def close(a, b, rel=1e-9):
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)


def test_expected_files_exist_and_page_is_self_contained(tiny_report, summary):
    for name in ["index.html", "summary.json"] + FIGURES:
        p = tiny_report / name
        assert p.is_file() and p.stat().st_size > 0, name
    for name in FIGURES:
        assert (tiny_report / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    assert sorted(summary["figures"]) == sorted(FIGURES)
    html = (tiny_report / "index.html").read_text()
    srcs = re.findall(r'src="([^"]*)"', html)
    assert len(srcs) == len(FIGURES)
    assert all(s.startswith("data:image/png;base64,") for s in srcs)
    assert "<link" not in html and "http://" not in html and "https://" not in html
    for heading in ["Key numbers", "Waiting list and caseload over time", "Worker utilisation over time",
                    "Caseload per worker", "Time to exit", "Exits by destination",
                    "Probability of meeting each target", "Checks"]:
        assert heading in html


def test_key_numbers_agree_with_direct_computation_and_with_summary(summary, direct):
    values = ref.metric_values(direct)
    sim = {ref.text(r["metric"]): r for r in direct["summary"]}
    assert set(values) == set(sim)
    for name, v in values.items():
        m, lo, hi, n = ref.ci(v)
        lo, hi = ref.cut(name, lo, hi)
        got = summary["metrics"][name]
        assert close(got["mean"], m) and close(got["ci_low"], lo) and close(got["ci_high"], hi), name
        assert got["replications"] == n
        assert got["agrees_with_simulator"] is True, name
        assert close(sim[name]["mean"], m) and close(sim[name]["ci_low"], lo, 1e-8), name
    assert summary["summary_agrees"] is True
    # analysis-only metric
    cpw = ref.ci(direct["reps"]["mean_active"] / 4)
    assert close(summary["metrics"]["caseload_per_worker"]["mean"], cpw[0])


def test_series_means_are_the_plotted_means(summary, direct):
    for k in ("waiting", "active", "utilisation"):
        assert np.allclose(summary["series_mean"][k], direct["series"][k].mean(axis=0), rtol=1e-12)


def test_caseload_per_worker_matches_a_brute_force_count(summary, direct):
    load = ref.caseload_brute_force(direct, workers=4)
    # the per-worker counts add up to the simulator's own month-end snapshot
    assert np.array_equal(load.sum(axis=1), direct["series"]["active"].astype(int))
    after = load[:, :, direct["warmup"]:].reshape(-1)
    c = summary["caseload_per_worker"]
    assert c["workers"] == 4 and c["caseload_cap"] == 8
    assert c["observations"] == after.size
    assert close(c["mean"], after.mean())
    assert c["max"] == after.max() <= 8 and c["min"] == after.min()
    assert close(c["share_at_cap"], (after >= 8).mean())


def test_time_to_exit_by_destination(summary, direct):
    p = direct["participants"]
    warm = direct["warmup"] * direct["dpm"]
    done = np.isfinite(p["exit_time"]) & np.isfinite(p["assignment_time"]) & (p["assignment_time"] >= warm)
    rows = {r["destination"]: r for r in summary["time_to_exit"]["by_destination"]}
    for j, name in enumerate(direct["dest"] + ["all"]):
        sel = done if name == "all" else done & (p["destination"] == j)
        d = p["exit_time"][sel] - p["assignment_time"][sel]
        assert rows[name]["exits"] == d.size
        assert close(rows[name]["mean_days"], d.mean())
        assert close(rows[name]["median_days"], float(np.median(d)))
    # the per-replication mean over all destinations is the simulator's time_in_programme_days_assigned
    assert close(rows["all"]["mean_of_replication_means"]["mean"],
                 ref.ci(direct["reps"]["time_in_programme_days_assigned"])[0])
    still = np.isfinite(p["assignment_time"]) & (p["assignment_time"] >= warm) & ~np.isfinite(p["exit_time"])
    assert summary["time_to_exit"]["still_assigned_at_horizon"] == int(still.sum())


def test_targets_probability(summary, direct):
    t = {x["name"]: x for x in summary["targets"]}
    ex = direct["series"]["exits"]  # rep x month x dest
    w, h = direct["warmup"], direct["horizon"]
    work = ex[:, w:h, direct["dest"].index("work")].sum(axis=1)
    assert t["20 into work"]["met"] == int((work >= 20).sum())
    assert close(t["20 into work"]["probability"], (work >= 20).mean())
    share = work / ex[:, w:h, :].sum(axis=(1, 2))
    assert t["30 % of exits to work"]["met"] == int((share >= 0.3).sum())
    total = ex[:, 4:18, :].sum(axis=(1, 2))
    assert t["150 exits in all by month 18"]["met"] == int((total >= 150).sum())
    assert any("nowhere" in p for p in summary["target_problems"])
    assert all(0 <= x["ci_low"] <= x["probability"] <= x["ci_high"] <= 1 for x in t.values())


def test_cross_checks_pass(summary):
    names = [c["name"] for c in summary["checks"]]
    assert len(names) >= 5
    assert all(c["ok"] for c in summary["checks"]), summary["checks"]


def test_report_default_folder_and_scenario_of_a_study(tiny_study, tmp_path):
    r = cli("report", str(tiny_study), "--scenario", "five at eight", "-q")
    assert r.returncode == 0, r.stderr
    out = tiny_study.parent / "study_report"
    s = json.loads((out / "summary.json").read_text())
    assert s["scenario_name"] == "five at eight" and s["scenarios_in_file"] == 8
    assert s["parameters"]["staff.workers"] == 5
    direct = ref.load(tiny_study, scenario=s["scenario"])
    m = ref.ci(ref.metric_values(direct)["waiting_list"])
    assert close(s["metrics"]["waiting_list"]["mean"], m[0])
    assert s["summary_agrees"] is True and all(c["ok"] for c in s["checks"])
    assert "study of 8 scenarios" in (out / "index.html").read_text()


def test_unknown_scenario_is_an_input_error(tiny_study, tmp_path):
    r = cli("report", str(tiny_study), "--scenario", "no such", "-o", str(tmp_path / "x"))
    assert r.returncode == 2
    assert "no scenario 'no such'" in r.stderr and "five at eight" in r.stderr
