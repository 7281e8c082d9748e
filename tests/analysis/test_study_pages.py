"""Whole studies (issue 17): `sweep` slices at values that were run, facets
by a third key and says clearly when an axis has one value, with the plotted
points checked against the file; the report's table of every scenario with
differences against the study's reference."""
import json
import math

import h5py
import numpy as np
import pytest

import reference as ref
from conftest import cli
from test_units import _copy_without

@pytest.fixture(scope="module")
def direct(sweep_study):
    """Per scenario: parameters and /summary means, straight from the file."""
    with h5py.File(sweep_study, "r") as f:
        keys = [ref.text(k) for k in f["parameter_names"][...]]
        params = f["scenario_parameters"][...]
        summary = {(int(r["scenario"]), ref.text(r["metric"])): float(r["mean"]) for r in f["summary"][...]}
        stored = [ref.text(r["name"]) for r in f["scenarios"][...]]
    return {"params": {k: params[:, j] for j, k in enumerate(keys)}, "summary": summary, "stored_names": stored}


def sweep(path, out, *args):
    r = cli("sweep", str(path), "-o", str(out), *args)
    return r, (json.loads((out / "sweep.json").read_text()) if r.returncode == 0 else None)


def test_default_axes_hold_the_base_only_key_at_its_common_value(sweep_study, direct, tmp_path):
    r, data = sweep(sweep_study, tmp_path / "s")
    assert r.returncode == 0, r.stderr
    assert (data["x"], data["y"], data["facet"]) == ("staff.workers", "staff.caseload_cap",
                                                    "exits.probability_per_meeting")
    # referrals.rate_per_month: 14 only in the base, 20 in the twelve grid points -> held at 20, not at 14
    assert data["held"] == {"referrals.rate_per_month": 20.0}
    assert data["held_how"] == {"referrals.rate_per_month": "most common value"}
    shown = [s for s in range(13) if direct["params"]["referrals.rate_per_month"][s] == 20.0]
    assert data["scenarios_shown"] == shown and len(shown) == 12
    assert data["layout"] == "grid" and data["summary_agrees"] is True
    assert data["figures"] and all(name in data["points"] for name in data["figures"])


def test_the_plotted_points_exist_and_are_the_scenarios(sweep_study, direct, tmp_path):
    """Every figure draws one point per scenario of the slice (12 here:
    3 workers x 2 caps x 2 exit probabilities), at that scenario's
    parameters and /summary mean."""
    r, data = sweep(sweep_study, tmp_path / "s")
    assert r.returncode == 0, r.stderr
    for fname, n in data["points"].items():
        assert n == 12, (fname, n)  # counted from the drawn figure's markers and cells
    p = direct["params"]
    for metric, points in data["plotted"].items():
        assert sorted(pt["scenario"] for pt in points) == data["scenarios_shown"], metric
        for pt in points:
            s = pt["scenario"]
            assert pt["x"] == p["staff.workers"][s] and pt["y"] == p["staff.caseload_cap"][s]
            assert pt["facet"] == p["exits.probability_per_meeting"][s]
            if (s, metric) in direct["summary"]:
                assert math.isclose(pt["mean"], direct["summary"][(s, metric)], rel_tol=1e-9, abs_tol=1e-12)
    assert "wait_mean_days" in data["plotted"] and "utilisation" in data["plotted"]


def test_at_holds_a_key_at_a_run_value(sweep_study, direct, tmp_path):
    r, data = sweep(sweep_study, tmp_path / "s", "--x", "staff.workers", "--y", "staff.caseload_cap",
                    "--at", "exits.probability_per_meeting=0.15")
    assert r.returncode == 0, r.stderr
    assert data["facet"] is None
    assert data["held"] == {"exits.probability_per_meeting": 0.15, "referrals.rate_per_month": 20.0}
    assert data["held_how"]["exits.probability_per_meeting"] == "--at"
    p = direct["params"]
    assert data["scenarios_shown"] == [s for s in range(13) if p["exits.probability_per_meeting"][s] == 0.15
                                       and p["referrals.rate_per_month"][s] == 20.0]
    assert all(n == 6 for n in data["points"].values())


def test_at_refuses_values_that_were_not_run(sweep_study, tmp_path):
    r, _ = sweep(sweep_study, tmp_path / "s", "--x", "staff.workers", "--y", "exits.probability_per_meeting",
                 "--at", "staff.caseload_cap=7")
    assert r.returncode == 2 and "staff.caseload_cap = 7 was not run (values run: 6, 8)" in r.stderr
    r, _ = sweep(sweep_study, tmp_path / "s", "--x", "staff.workers", "--at", "staff.workers=4")
    assert r.returncode == 2 and "on an axis" in r.stderr
    # held without naming the axes: the axes come from the other keys
    r, data = sweep(sweep_study, tmp_path / "s", "--at", "staff.workers=4")
    assert r.returncode == 0 and data["held"]["staff.workers"] == 4 and data["x"] != "staff.workers"
    r, _ = sweep(sweep_study, tmp_path / "s", "--at", "staff.workers")
    assert r.returncode == 2 and "expected KEY=VALUE" in r.stderr


def test_an_axis_with_one_value_is_said_clearly(sweep_study, tmp_path):
    r, _ = sweep(sweep_study, tmp_path / "s", "--x", "staff.meeting_hours_per_day")
    assert r.returncode == 2
    assert "--x staff.meeting_hours_per_day: only one value was run (3): nothing to plot along it" in r.stderr
    # a slice in which x has one value: only the base ran at 14 referrals a month
    r, _ = sweep(sweep_study, tmp_path / "s", "--x", "staff.workers", "--y", "staff.caseload_cap",
                 "--facet", "exits.probability_per_meeting", "--at", "referrals.rate_per_month=14")
    assert r.returncode == 2 and "one value of staff.workers (4)" in r.stderr


def test_names_show_shortest_round_trip_numbers(sweep_study, direct, tmp_path):
    r, data = sweep(sweep_study, tmp_path / "s")
    assert r.returncode == 0, r.stderr
    html = (tmp_path / "s" / "index.html").read_text()
    assert "probability_per_meeting=0.15" in html and "0.14999999" not in html
    assert "workers=3, caseload_cap=6, probability_per_meeting=0.1" in html
    # the simulator cuts long generated names ("...,caseload_~0"): the page rebuilds them from the varied keys
    with h5py.File(sweep_study) as f:
        stored = [n.decode() for n in f["scenarios"]["name"]]
    assert any(n.endswith("~0") for n in stored) and "caseload_~" not in html


def test_scenario_table_names_a_key_held_in_every_scenario_once(sweep_study, tmp_path):
    """staff.meeting_hours_per_day is a grid key with one value: a sentence,
    not a column of 3s."""
    r, _ = sweep(sweep_study, tmp_path / "s")
    assert r.returncode == 0, r.stderr
    html = (tmp_path / "s" / "index.html").read_text()
    table = html[html.index('id="scenarios"'):]
    assert "The same in every scenario: staff.meeting_hours_per_day = 3." in table
    head = table[table.index("<thead>"):table.index("</thead>")]
    assert "meeting_" not in head and "workers" in head and "probability_" in head


# -- the report's table of all scenarios ---------------------------------------------------------

def study_report(path, out, *args):
    r = cli("report", str(path), "-o", str(out), "-q", *args)
    assert r.returncode == 0, r.stderr
    return json.loads((out / "summary.json").read_text()), (out / "index.html").read_text()


def test_all_scenarios_table_against_scenario_0_says_so(sweep_study, tmp_path):
    s, html = study_report(sweep_study, tmp_path / "r")
    st = s["study"]
    assert st["reference"] == 0 and st["reference_source"].startswith("scenario 0, the base")
    assert len(st["scenarios"]) == 13 and 'id="all-scenarios-table"' in html and 'class="sortable"' in html
    assert {"wait_mean_days", "waiting_list", "utilisation", "exits_per_month"} <= set(st["metrics"])
    # the base differs from every other scenario in the referral rate: the page warns
    assert any("referrals.rate_per_month = 14 (every other scenario: 20)" in n for n in st["notes"])
    assert "the study names no reference" in html


def test_all_scenarios_differences_are_paired_against_the_reference(sweep_study, tmp_path):
    s, _ = study_report(sweep_study, tmp_path / "r")
    base = ref.metric_values(ref.load(sweep_study, 0))["waiting_list"]
    for row in s["study"]["scenarios"][1:]:
        other = ref.metric_values(ref.load(sweep_study, row["scenario"]))["waiting_list"]
        m, lo, hi, n = ref.ci(other - base)  # common random numbers: paired by replication
        d = row["metrics"]["waiting_list"]["difference"]
        assert d["method"] == "paired" and d["n"] == n == 3
        assert math.isclose(d["mean"], m, abs_tol=1e-12) and math.isclose(d["ci_low"], lo, abs_tol=1e-9)
        assert math.isclose(row["metrics"]["waiting_list"]["mean"], other.mean())


def test_the_reference_the_study_names_is_used(sweep_study, tmp_path):
    p = tmp_path / "named.h5"
    _copy_without(sweep_study, p)
    name = "rate_per_month=20, workers=4, caseload_cap=8, probability_per_meeting=0.1"
    with h5py.File(p, "a") as f:
        f.attrs["study_reference"] = name
    s, html = study_report(p, tmp_path / "r")
    st = s["study"]
    assert st["reference_name"] == name and st["reference"] > 0
    assert st["reference_source"] == f"named by the study (study.reference = {name})"
    assert not any("every other scenario" in n for n in st["notes"])
    row = st["scenarios"][st["reference"]]
    assert row["metrics"]["waiting_list"]["difference"] is None  # the reference itself
    # --reference on the command line wins; an unknown one is refused
    s, _ = study_report(p, tmp_path / "r2", "--reference", "0")
    assert s["study"]["reference"] == 0 and s["study"]["reference_source"] == "chosen with --reference 0"
    r = cli("report", str(p), "-o", str(tmp_path / "r3"), "--reference", "nope")
    assert r.returncode == 2 and "no scenario 'nope'" in r.stderr


def test_a_reference_name_that_matches_nothing_is_noted(sweep_study, tmp_path):
    p = tmp_path / "bad_ref.h5"
    _copy_without(sweep_study, p)
    with h5py.File(p, "a") as f:
        f.attrs["study_reference"] = "no such scenario"
    s, _ = study_report(p, tmp_path / "r")
    assert s["study"]["reference"] == 0
    assert any("names 'no such scenario' as its reference, but no scenario has that name" in n
               for n in s["study"]["notes"])


def test_plain_run_has_no_all_scenarios_table(tiny_report):
    s = json.loads((tiny_report / "summary.json").read_text())
    assert "study" not in s and 'id="all-scenarios"' not in (tiny_report / "index.html").read_text()
    assert np.isfinite(s["metrics"]["waiting_list"]["mean"])
