"""`report` on what the simulator writes beyond the core tables: the
scenario's own targets (/trial_extras target_value.*, target_met.*, and
/summary), the mechanisms' per-trial numbers, /diagnostics; plus the labels,
names and label placement the pages use."""
import json
import math

import h5py
import numpy as np
import pytest

import reference as ref
from caseflow_analysis.metrics import metric_info
from caseflow_analysis.names import display_name, num_text
from caseflow_analysis.plots import spread_labels
from conftest import cli, simulate
from test_units import _copy_without

Z = 1.959963984540054

TARGETS_CFG = """run: { replications = 5; seed = 777L; horizon_months = 18; warmup_months = 4; };
referrals: { rate_per_month = 16.0; };
staff: { workers = 4; caseload_cap = 8; meeting_hours_per_day = 3.0; };
casework: {
  meeting_hours = { dist = "gamma"; mean = 1.5; sd = 0.5; };
  own_time_days = { dist = "exponential"; mean = 10.0; };
};
waiting: { patience_days = { dist = "exponential"; mean = 40.0; }; };
exits: {
  probability_per_meeting = 0.12;
  shares = { work = 0.3; studies = 0.2; other = 0.5; };
  good = [ "work", "studies" ];
};
targets = (
  { name = "work_or_studies"; kind = "exits"; destinations = [ "work", "studies" ]; value = 95.0;
    deadline_month = 18.0; },
  { name = "good_share"; kind = "share"; destinations = [ "work", "studies" ]; value = 0.45;
    deadline_month = 18.0; }
);
"""


@pytest.fixture(scope="module")
def targets_run(workdir):
    (workdir / "targets.cfg").write_text(TARGETS_CFG)
    out = workdir / "targets.h5"
    simulate(["targets.cfg", "-o", str(out)], workdir)
    return out


@pytest.fixture(scope="module")
def targets_report(targets_run, workdir):
    outdir = workdir / "targets_report"
    r = cli("report", str(targets_run), "-o", str(outdir))
    assert r.returncode == 0, r.stderr
    return outdir, json.loads((outdir / "summary.json").read_text()), (outdir / "index.html").read_text()


@pytest.fixture(scope="module")
def extras(targets_run):
    with h5py.File(targets_run, "r") as f:
        cols = [ref.text(c) for c in f["trial_extras"].attrs["columns"]]
        data = f["trial_extras"][...]
        sim = {ref.text(r["metric"]): r for r in f["summary"][...]}
        months = int(f.attrs["horizon_months"]) - int(f.attrs["warmup_months"])
    return {c: data[:, j] for j, c in enumerate(cols)}, sim, months


def wilson(k, n):
    p = k / n
    d = 1 + Z * Z / n
    c = (p + Z * Z / (2 * n)) / d
    h = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / d
    return p, max(0.0, c - h), min(1.0, c + h)


def test_scenario_targets_from_trial_extras_agree_with_summary(targets_report, extras):
    _, s, html = targets_report
    cols, sim, _ = extras
    found = {t["name"]: t for t in s["scenario_targets"]}
    assert set(found) == {"work_or_studies", "good_share"}
    for name, t in found.items():
        met = cols[f"target_met.{name}"]
        k, n = int(met.sum()), met.size
        p, lo, hi = wilson(k, n)
        assert (t["met"], t["replications"]) == (k, n)
        assert math.isclose(t["probability"], p) and math.isclose(t["ci_low"], lo) and math.isclose(t["ci_high"], hi)
        m, clo, chi, nn = ref.ci(cols[f"target_value.{name}"])
        assert math.isclose(t["achieved"]["mean"], m) and math.isclose(t["achieved"]["ci_low"], clo)
        assert math.isclose(float(sim[f"target_met.{name}"]["mean"]), p, rel_tol=1e-9)
        assert t["agrees_with_simulator"] is True
    # the run was set up so that the exits target is met in some replications and missed in others
    assert 0 < found["work_or_studies"]["met"] < found["work_or_studies"]["replications"]
    assert found["work_or_studies"]["condition"] == "exits to work + studies ≥ 95 by month 18"
    assert found["good_share"]["condition"] == "share of exits to work + studies ≥ 45 % by month 18"
    assert "Set in the scenario" in html and "targets.png" in s["figures"]
    # shown under Targets, not again as raw /summary rows among the key numbers
    assert not any(k.startswith("target_") for k in s["metrics"])


def test_trial_extras_are_read_and_checked(targets_report, extras):
    _, s, html = targets_report
    cols, sim, months = extras
    te = s["trial_extras"]
    for col in ("reneged", "enrolled"):
        m, lo, hi, n = ref.ci(cols[col])
        assert math.isclose(te[col]["total"]["mean"], m) and math.isclose(te[col]["total"]["ci_high"], hi)
        assert math.isclose(te[col]["per_month"]["mean"], m / months)
    assert cols["reneged"].sum() > 0 and te["reneged"]["agrees_with_simulator"] is True
    assert math.isclose(te["reneged"]["per_month"]["mean"], float(sim["reneged_per_month"]["mean"]), rel_tol=1e-9)
    # mechanisms that are off: one sentence, not rows of zeros
    assert te["rejected"] == {"all_zero": True} and te["relapses"] == {"all_zero": True}
    assert "Zero in every replication" in html and "referrals screened out (rejected)" in html
    assert te["summary_agrees"] is True
    assert "trial_extras" not in s.get("sections_not_read", [])
    assert "does not read yet" not in html and "has no targets" not in html


def test_report_without_any_targets_says_so(tiny_run, tmp_path):
    out = tmp_path / "r"
    r = cli("report", str(tiny_run), "-o", str(out), "-q")
    assert r.returncode == 0, r.stderr
    html = (out / "index.html").read_text()
    assert "No targets: the scenario sets none" in html
    assert 'id="targets"' not in html and "has no targets" not in html


def test_diagnostics_are_shown(tiny_run, tmp_path):
    p = tmp_path / "diag.h5"
    _copy_without(tiny_run, p)
    with h5py.File(p, "a") as f:
        g = f.create_group("diagnostics")
        g.attrs["overloaded"] = np.int32(1)
        g.attrs["warnings"] = "offered load 1.3 exceeds capacity\nthe waiting list still grows after warm-up"
        g.attrs["offered_load"] = 1.3
        g.attrs["capacity"] = 1.0
        g["suggested_warmup_months"] = np.array([9.0])  # per scenario
    out = tmp_path / "r"
    r = cli("report", str(p), "-o", str(out), "-q")
    assert r.returncode == 0, r.stderr
    s = json.loads((out / "summary.json").read_text())
    html = (out / "index.html").read_text()
    assert s["diagnostics"]["warnings"] == ["offered load 1.3 exceeds capacity",
                                            "the waiting list still grows after warm-up"]
    assert s["diagnostics"]["suggested_warmup_months"] == 9.0
    assert "offered load 1.3 exceeds capacity" in html and "Simulator diagnostics" in html
    assert "diagnostics" not in s.get("sections_not_read", [])


def test_metric_labels_for_mechanism_and_service_metrics():
    assert metric_info("reneged_per_month")[0] == "people who gave up waiting"
    assert metric_info("good_exit_share")[2:] == (100.0, "%")
    assert metric_info("wait_within_30d") == ("wait for a slot: share within 30 days", "share", 100.0, "%")
    assert metric_info("programme_p90_days")[0] == "time in programme, 90th percentile"
    assert metric_info("retained_12.work")[0] == "in work or studies 12 months after leaving for work"
    assert metric_info("referrals_per_month.kommun")[0] == "referrals from kommun"
    assert metric_info("some_new_share", "share")[2:] == (100.0, "%")  # unknown names follow the file's unit


def test_scenario_names_print_shortest_round_trip_numbers():
    stored = "rate_per_month=30,mean=12,caseload_cap=10,time_share=0.14999999"
    assert display_name(stored) == "rate_per_month=30, mean=12, caseload_cap=10, time_share=0.15"
    assert display_name(stored, {"method.time_share": 0.15, "staff.caseload_cap": 10.0}) == \
        "rate_per_month=30, mean=12, caseload_cap=10, time_share=0.15"
    assert display_name("time_share=0.05000000") == "time_share=0.05"
    assert display_name("15 coaches at cap 16") == "15 coaches at cap 16"
    assert display_name("workers=10,caseload_cap=16") == "workers=10, caseload_cap=16"
    assert display_name("a, b and c=1") == "a, b and c=1"  # only commas between settings change
    # a real value with many digits is kept when the scenario's parameters say so
    assert display_name("x=0.12345679", {"a.x": 0.123456789}) == "x=0.123456789"
    assert num_text(30.0) == "30" and num_text(0.1 + 0.2) == "0.30000000000000004"


def test_line_end_labels_do_not_overlap():
    ys = [14.0, 11.0, 12.0, 146.0, 13.0]
    pos = spread_labels(ys, gap=5.0, lo=0.0, hi=180.0)
    order = np.argsort(pos)
    assert np.all(np.diff(np.asarray(pos)[order]) >= 5.0 - 1e-9)
    assert pos[3] == 146.0  # a label with room stays at its line
    assert np.argsort(ys).tolist() == order.tolist()  # order kept
    top = spread_labels([99.0, 99.5, 100.0], gap=5.0, lo=0.0, hi=100.0)
    assert max(top) <= 100.0 and min(np.diff(sorted(top))) >= 5.0 - 1e-9


def test_target_chart_with_every_replication_meeting_the_target():
    """Wilson's upper bound for 10 of 10 is a rounding error below 1; the
    chart must still draw (it raised 'xerr must not contain negative values')."""
    from caseflow_analysis import plots, stats
    p, lo, hi = stats.wilson_interval(10, 10)
    assert hi < p  # the rounding this guards against
    fig = plots.fig_targets([{"name": "all met", "probability": p, "ci_low": lo, "ci_high": hi, "met": 10,
                              "replications": 10}])
    assert fig.axes[0].get_yticklabels()[0].get_text() == "all met"


def test_cross_checks_pass_with_reneging(targets_report, extras):
    """People give up waiting here: the waiting list rebuilt from /participants
    ends each wait at the place or at the record's exit_time for someone who
    gave up, and so equals /series/waiting month by month."""
    _, s, _ = targets_report
    cols, _, _ = extras
    assert cols["reneged"].sum() > 0
    waiting = [c for c in s["checks"] if c["name"] == "waiting from /participants = /series/waiting"]
    assert len(waiting) == 1 and waiting[0]["ok"], waiting
    assert all(c["ok"] for c in s["checks"]), s["checks"]
