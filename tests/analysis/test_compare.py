"""`compare`: per-scenario CIs and differences, paired under common random
numbers and Welch otherwise, checked against direct computations and the
simulator's own /paired_differences."""
import json
import math

import pytest

import reference as ref
from conftest import cli


def close(a, b, rel=1e-9):
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)


@pytest.fixture(scope="module")
def compared(tiny_run, tiny_run_more_staff, tiny_run_other_seed, tmp_path_factory):
    out = tmp_path_factory.mktemp("cmp") / "page"
    r = cli("compare", str(tiny_run), str(tiny_run_more_staff), str(tiny_run_other_seed), "--base", "tiny",
            "-o", str(out))
    assert r.returncode == 0, r.stderr
    return r.stdout, json.loads((out / "compare.json").read_text()), out


def test_table_and_files(compared):
    text, data, out = compared
    assert (out / "index.html").is_file() and (out / "metrics.png").is_file() and (out / "series.png").is_file()
    assert "staff.workers" in text and "tiny=4" not in text  # wide table for three scenarios
    assert "more_staff − tiny" in text and "other_seed − tiny" in text
    assert data["base"] == "tiny"
    assert data["parameters_that_differ"]["staff.workers"] == {"tiny": 4, "more_staff": 5, "other_seed": 4}


def test_paired_when_seeds_match(compared, tiny_run, tiny_run_more_staff):
    _, data, _ = compared
    assert data["pairing"]["more_staff"]["method"] == "paired"
    assert data["pairing"]["more_staff"]["pairs"] == 4
    a = ref.metric_values(ref.load(tiny_run))["waiting_list"]
    b = ref.metric_values(ref.load(tiny_run_more_staff))["waiting_list"]
    m, lo, hi, n = ref.ci(b - a)
    d = data["metrics"]["waiting_list"]["differences"]["more_staff"]
    assert close(d["mean"], m) and close(d["ci_low"], lo) and close(d["ci_high"], hi) and d["n"] == n
    # same referrals in both (common random numbers): the difference is exactly 0
    r = data["metrics"]["referrals_per_month"]["differences"]["more_staff"]
    assert r["mean"] == 0 and r["ci_low"] == 0 and r["ci_high"] == 0


def test_welch_when_seeds_differ(compared, tiny_run, tiny_run_other_seed):
    _, data, _ = compared
    assert data["pairing"]["other_seed"]["method"] == "welch"
    assert "master seeds differ" in data["pairing"]["other_seed"]["reason"]
    a = ref.metric_values(ref.load(tiny_run))["active"]
    b = ref.metric_values(ref.load(tiny_run_other_seed))["active"]
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    df = (va + vb) ** 2 / (va ** 2 / (a.size - 1) + vb ** 2 / (b.size - 1))
    d = data["metrics"]["active"]["differences"]["other_seed"]
    assert close(d["mean"], b.mean() - a.mean())
    assert close(d["df"], df)
    from caseflow_analysis.stats import t_ppf
    half = t_ppf(0.975, df) * math.sqrt(va + vb)
    assert close(d["ci_high"] - d["mean"], half)


def test_study_file_alone_matches_simulator_paired_differences(tiny_study):
    r = cli("compare", str(tiny_study))
    assert r.returncode == 0, r.stderr
    assert "every scenario − base" in r.stdout and "five at eight" in r.stdout
    from caseflow_analysis.compare import compute, load_scenarios
    scenarios = load_scenarios([str(tiny_study)])
    assert len(scenarios) == 8
    metrics, table, pairings = compute(scenarios, 0)
    checked = 0
    for m in metrics:
        for name, d in table[m]["differences"].items():
            sim = d.get("simulator")
            if sim is None:
                continue
            for k in ("mean", "ci_low", "ci_high"):
                if math.isnan(sim[k]):
                    assert math.isnan(d[k])
                else:
                    assert close(d[k], sim[k], 1e-8), (m, name, k)
            checked += 1
    assert checked >= 7 * 7


def test_base_not_found_and_single_scenario(tiny_run, tiny_run_more_staff):
    r = cli("compare", str(tiny_run), str(tiny_run_more_staff), "--base", "nope")
    assert r.returncode == 2 and "--base nope" in r.stderr
    r = cli("compare", str(tiny_run))
    assert r.returncode == 2 and "at least two scenarios" in r.stderr
