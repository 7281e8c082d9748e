"""`report` and service levels: the warnings come first and say what the
simulator's /diagnostics says (and nothing on a stable scenario); the
thresholds X are read from the metric names; P(wait <= X) by month of
referral against a direct count from /participants; targets (programme and
service-level) with P(met) and Wilson's interval as in /summary; in a study,
each scenario's page gets its own warnings."""
import json
import math
import re

import h5py
import numpy as np
import pytest

from conftest import cli, simulate

CORE = """run: { replications = %(reps)d; seed = 515L; horizon_months = %(h)d; warmup_months = %(w)d; };
referrals: { rate_per_month = %(rate)s; };
staff: { workers = 1; caseload_cap = 4; meeting_hours_per_day = 3.0; };
casework: { meeting_hours = { dist = "gamma"; mean = 1.5; sd = 0.5; };
            own_time_days = { dist = "exponential"; mean = 7.0; }; };
exits: { probability_per_meeting = 0.25; shares = { work = 0.4; other = 0.6; }; };
targets = ( { name = "exits_40"; kind = "exits"; destinations = ["work", "other"]; value = 40.0;
              deadline_month = %(h)d.0; } );
service: { wait_days = [7, 45];
  targets = ( { name = "within_7"; kind = "wait_share"; days = 7; value = 0.8; },
              { name = "median_3"; kind = "median_wait"; days = 3; } ); };
"""


def make(workdir, name, **kw):
    values = {"reps": 30, "h": 72, "w": 24, "rate": "3.0"}
    values.update(kw)
    (workdir / f"{name}.cfg").write_text(CORE % values)
    out = workdir / f"{name}.h5"
    simulate([f"{name}.cfg", "-o", str(out)], workdir)
    rep = workdir / f"{name}_report"
    r = cli("report", str(out), "-o", str(rep), "-q")
    assert r.returncode == 0, r.stderr
    return out, rep, json.loads((rep / "summary.json").read_text()), (rep / "index.html").read_text()


@pytest.fixture(scope="module")
def stable(workdir):
    return make(workdir, "svc_stable")


@pytest.fixture(scope="module")
def overloaded(workdir):
    return make(workdir, "svc_over", rate="7.0", w=12, h=60, reps=20)


def first_section(html):
    return re.search(r'<h2 id="([^"]+)"', html).group(1)


def test_warnings_come_first_and_match_the_file(overloaded):
    path, _, s, html = overloaded
    assert first_section(html) == "warnings"
    with h5py.File(path) as f:
        g = f["diagnostics"]
        text = g.attrs["warnings"]
        text = text.decode() if isinstance(text, bytes) else text
        assert g.attrs["overloaded"] == 1
        load, cap = float(g.attrs["offered_load"]), float(g.attrs["capacity"])
    d = s["diagnostics"]
    assert d["overloaded"] is True and d["warnings"] == [x for x in text.splitlines() if x]
    assert any(w.startswith("overloaded: the waiting list grows by") for w in d["warnings"])
    assert math.isclose(d["offered_load"], load) and math.isclose(d["capacity"], cap)
    # every warning is on the page, above the first number of the run
    for w in d["warnings"]:
        assert w.replace("'", "&#x27;") in html
    assert html.index("overloaded: the waiting list grows") < html.index('id="run"')
    assert "Offered load" in html


def test_stable_scenario_says_no_warning(stable):
    _, _, s, html = stable
    assert first_section(html) == "warnings"
    assert s["diagnostics"]["warnings"] == [] and not s["diagnostics"]["overloaded"]
    assert "No overload or warm-up warning" in html


def test_thresholds_come_from_the_names(stable):
    _, rep, s, html = stable
    assert sorted(s["wait_within_by_month"]) == ["45", "7"]
    assert "placed within 7 days" in html and "placed within 45 days" in html
    assert "placed within 14 days" not in html
    assert (rep / "wait_distribution.png").is_file() and (rep / "wait_within_by_month.png").is_file()
    for name in ("wait_mean_days", "wait_median_days", "wait_within_45d", "programme_mean_days", "offered_load"):
        assert name in s["service"]
        assert s["metrics"][name]["agrees_with_simulator"] is True, name


def test_monthly_share_against_a_direct_count(stable):
    path, _, s, _ = stable
    with h5py.File(path) as f:
        p = f["participants"][...]
        dpm = float(f.attrs["days_per_month"])
        horizon = int(f.attrs["horizon_months"])
        reps = sorted(set(f["replications"]["replication"].tolist()))
    p = p[p["fate"] != 2]
    for x in (7, 45):
        mean = s["wait_within_by_month"][str(x)]["mean"]
        known = [m for m in range(horizon) if (m + 1) * dpm + x <= horizon * dpm + 1e-9]
        assert len(mean) == horizon
        for m in (known[0], known[len(known) // 2], known[-1]):
            shares = []
            for r in reps:
                q = p[(p["replication"] == r) & (p["referral_time"] >= m * dpm) & (p["referral_time"] < (m + 1) * dpm)]
                if q.size:
                    w = q["assignment_time"] - q["referral_time"]
                    shares.append(float(np.sum(np.isfinite(w) & (w <= x))) / q.size)
            assert math.isclose(mean[m], np.mean(shares), rel_tol=1e-12), (x, m)
        # months too close to the horizon for X days of waiting are left out
        for m in range(horizon):
            if m not in known:
                assert mean[m] is None or (isinstance(mean[m], float) and math.isnan(mean[m]))


def test_targets_with_p_met_as_in_summary(stable, overloaded):
    """Programme and service-level targets in the one targets section
    (scenario_targets: recomputed from /trial_extras, checked against
    /summary), with P(met) and Wilson's interval as the simulator has them."""
    for path, _, s, html in (stable, overloaded):
        rows = {r["name"]: r for r in s["scenario_targets"]}
        assert set(rows) == {"exits_40", "within_7", "median_3"}
        with h5py.File(path) as f:
            summ = [r for r in f["summary"][...] if r["scenario"] == 0]
        for name, r in rows.items():
            sim = next(x for x in summ if x["metric"].decode() == f"target_met.{name}")
            assert math.isclose(r["probability"], sim["mean"]) and math.isclose(r["ci_low"], sim["ci_low"])
            assert math.isclose(r["ci_high"], sim["ci_high"])
            assert 0 <= r["ci_low"] <= r["probability"] <= r["ci_high"] <= 1
            assert r["agrees_with_simulator"] is True
            assert name in html
        assert "targets.png" in s["figures"]
        # the cohort left at its defaults: from the end of warm-up to `days` before the horizon
        with h5py.File(path) as f:
            w, h, dpm = (float(f.attrs[k]) for k in ("warmup_months", "horizon_months", "days_per_month"))
        assert rows["within_7"]["condition"] == \
            f"share placed within 7 days ≥ 80 % (referred in months {w:g}–{round(h - 7 / dpm, 1):g})"
        assert rows["median_3"]["condition"] == \
            f"median wait ≤ 3 days (referred in months {w:g}–{round(h - 3 / dpm, 1):g})"
        assert html.index('id="service"') < html.index('id="targets"')
    # a surge of referrals cannot keep 80 % within a week
    assert {r["name"]: r for r in overloaded[2]["scenario_targets"]}["within_7"]["probability"] == 0


def test_study_scenarios_get_their_own_warnings(workdir):
    (workdir / "svc_base.cfg").write_text(CORE % {"reps": 20, "h": 60, "w": 12, "rate": "2.0"})
    (workdir / "svc_study.cfg").write_text(
        'study: { base = "svc_base.cfg"; scenarios = ( { name = "surge"; set = ["referrals.rate_per_month=7.0"]; } ); };\n')
    out = workdir / "svc_study.h5"
    simulate(["svc_study.cfg", "-o", str(out)], workdir)
    pages = {}
    for sc in ("base", "surge"):
        rep = workdir / f"svc_study_{sc}"
        r = cli("report", str(out), "-o", str(rep), "--scenario", sc, "-q")
        assert r.returncode == 0, r.stderr
        pages[sc] = json.loads((rep / "summary.json").read_text())["diagnostics"]
    assert pages["surge"]["overloaded"] and not pages["base"]["overloaded"]
    assert any(w.startswith("overloaded:") for w in pages["surge"]["warnings"])
    assert not any(w.startswith("overloaded:") for w in pages["base"]["warnings"])
    with h5py.File(out) as f:
        loads = f["diagnostics/offered_load"][...]
    assert math.isclose(pages["base"]["offered_load"], loads[0]) and math.isclose(pages["surge"]["offered_load"], loads[1])
