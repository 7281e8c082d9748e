"""`report` on a run with a money ledger (/money, format 2): the Money section's
numbers against a direct computation from /money/trials (reference.ci, GSL's
t quantiles) and against the simulator's /money/summary; the payback chart;
no Money section for a file without /money; /series/worker_caseload used for
the caseload figure when present."""
import json
import math
import os

import h5py
import numpy as np
import pytest

import reference as ref
from conftest import ROOT, cli, simulate

Z = 1.959963984540054

ROLES_CFG = """run: { replications = 3; seed = 77L; horizon_months = 12; warmup_months = 2; };
referrals: { rate_per_month = 20.0; };
staff: { meeting_hours_per_day = 4.0; roles = ( { name = "cw"; caseload_cap = 10.0; } );
  teams = ( { name = "early"; members = ( { role = "cw"; count = 2; } ); },
            { name = "late"; members = ( { role = "cw"; count = 2; start_month = 3.0; } ); } ); };
casework: { meeting_hours = { dist = "gamma"; mean = 1.5; sd = 0.5; };
            own_time_days = { dist = "exponential"; mean = 10.0; }; };
exits: { probability_per_meeting = 0.1; shares = { work = 1.0; }; };
"""


@pytest.fixture(scope="module")
def money_run(workdir):
    out = workdir / "money_jobbstudion.h5"
    simulate([os.path.join(ROOT, "configs", "money_jobbstudion.cfg"), "-o", str(out), "--reps", "4"], workdir)
    return out


@pytest.fixture(scope="module")
def money_report(money_run, workdir):
    outdir = workdir / "money_report"
    r = cli("report", str(money_run), "-o", str(outdir))
    assert r.returncode == 0, r.stderr
    return outdir


@pytest.fixture(scope="module")
def msum(money_report):
    return json.loads((money_report / "summary.json").read_text())


@pytest.fixture(scope="module")
def trials(money_run):
    with h5py.File(money_run, "r") as f:
        cols = [ref.text(c) for c in f["money/trials"].attrs["columns"]]
        data = f["money/trials"][...]
        sim = {ref.text(r["metric"]): r for r in f["money/summary"][...]}
    return {c: data[:, j] for j, c in enumerate(cols)}, sim


def close(a, b, rel=1e-9):
    if a is None or b is None:
        return (a is None or math.isnan(a)) and (b is None or math.isnan(b))
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-6)


def direct_t(v):
    v = np.asarray(v, float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return None, None, None, 0
    if v.size == 1 or np.all(v == v[0]):
        return float(v[0] if v.size == 1 else v.mean()), (None if v.size == 1 else float(v.mean())), \
            (None if v.size == 1 else float(v.mean())), int(v.size)
    return ref.ci(v)


def direct_wilson(v):
    v = np.asarray(v, float)
    v = v[np.isfinite(v)]
    n, k = v.size, v.sum()
    p = k / n
    d = 1 + Z * Z / n
    c = (p + Z * Z / (2 * n)) / d
    h = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / d
    return p, max(0.0, c - h), min(1.0, c + h), n


def expected_metrics(cols):
    """summary name -> (trial column, binary)."""
    out = {"money.cost_total": ("cost_total", False), "money.cost_per_participant": ("cost_per_participant", False),
           "money.cost_per_good_exit": ("cost_per_good_exit", False), "money.cohort": ("cohort", False)}
    for c in cols:
        if c.startswith("cost_by_payer."):
            out["money.cost_paid." + c.split(".", 1)[1]] = (c, False)
        elif c.startswith("net_"):
            hz, acc = c[4:].split(".", 1)
            months = int(hz[:-1])
            label = f"{months // 12}y" if months % 12 == 0 else f"{months}m"
            out[f"money.net_{label}.{acc}"] = (c, False)
        elif c.startswith("payback_months."):
            out["money." + c] = (c, False)
        elif c.startswith("payback_never."):
            out["money." + c] = (c, True)
    return out


def test_money_numbers_match_direct_computation_and_money_summary(msum, trials):
    cols, sim = trials
    assert msum["replications"] == 4 and len(cols["cohort"]) == 4
    money = msum["money"]
    assert money["summary_agrees"] is True
    exp = expected_metrics(cols)
    # the table covers every net horizon and payback of every account
    assert any(k.startswith("money.net_1y.") for k in exp) and any(k.startswith("money.net_5y.") for k in exp)
    for name, (col, binary) in exp.items():
        got = money["metrics"][name]
        m, lo, hi, n = direct_wilson(cols[col]) if binary else direct_t(cols[col])
        assert got["source"] == "recomputed", name
        assert got["replications"] == n, name
        assert close(got["mean"], m), (name, got["mean"], m)
        if n >= 2:
            assert close(got["ci_low"], lo) and close(got["ci_high"], hi), (name, got, lo, hi)
        # and the simulator's own summary says the same
        s = sim[name]
        assert int(s["replications"]) == n, name
        assert close(got["mean"], float(s["mean"]), 1e-6), name
        assert close(got["ci_low"], float(s["ci_low"]), 1e-6) and close(got["ci_high"], float(s["ci_high"]), 1e-6), name
        assert got["agrees_with_simulator"] is True, name
    # costs by payer add up to the total, replication by replication
    payers = [c for c in cols if c.startswith("cost_by_payer.")]
    assert np.allclose(sum(cols[c] for c in payers), cols["cost_total"])


def test_payback_never_within_horizon(msum, trials, money_report):
    cols, _ = trials
    pb = msum["money"]["payback"]
    accounts = [c.split(".", 1)[1] for c in cols if c.startswith("payback_never.")]
    assert set(pb) == set(accounts)
    html = (money_report / "index.html").read_text()
    saw_never = False
    for acc in accounts:
        never = cols[f"payback_never.{acc}"]
        assert pb[acc]["never_count"] == int(never.sum())
        assert pb[acc]["replications"] == 4
        assert close(pb[acc]["never_share"], float(never.mean()))
        months = cols[f"payback_months.{acc}"]
        assert np.array_equal(np.isnan(months), never == 1)  # NaN months exactly when never
        if never.all():
            saw_never = True
            assert pb[acc]["never_within_horizon"] is True
            assert pb[acc]["text"].startswith("never within the horizon")
        else:
            assert close(pb[acc]["months"]["mean"], float(np.nanmean(months)))
    assert saw_never, "the Jobbstudion ledger has an account (fk) that never pays back"
    assert "never within the horizon" in html


def test_money_section_and_chart(msum, money_report):
    png = money_report / "money_payback.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "money_payback.png" in msum["figures"]
    html = (money_report / "index.html").read_text()
    assert 'id="money"' in html and "Net result per participant by actor" in html
    assert html.count("data:image/png;base64,") == len(msum["figures"])
    assert "/money" not in " ".join("/" + g for g in msum.get("sections_not_read", []))


def test_file_without_money_has_no_money_section(tiny_report):
    s = json.loads((tiny_report / "summary.json").read_text())
    assert "money" not in s
    assert "money_payback.png" not in s["figures"]
    assert not (tiny_report / "money_payback.png").exists()
    assert 'id="money"' not in (tiny_report / "index.html").read_text()


def test_caseload_from_worker_caseload_series(workdir):
    (workdir / "roles.cfg").write_text(ROLES_CFG)
    out = workdir / "roles.h5"
    simulate(["roles.cfg", "-o", str(out)], workdir)
    outdir = workdir / "roles_report"
    r = cli("report", str(out), "-o", str(outdir))
    assert r.returncode == 0, r.stderr
    s = json.loads((outdir / "summary.json").read_text())
    cs = s["caseload_per_worker"]
    assert cs["source"] == "/series/worker_caseload"
    with h5py.File(out, "r") as f:
        wc = f["series/worker_caseload"][...]
        warm = int(f.attrs["warmup_months"])
    after = wc[:, warm:, :]
    v = after[np.isfinite(after)]
    assert cs["observations"] == v.size and cs["workers"] == wc.shape[2]
    assert close(cs["mean"], float(v.mean()))
    assert "Source: /series/worker_caseload" in (outdir / "index.html").read_text()
    assert any(c["name"] == "Σ /series/worker_caseload = /series/active" and c["ok"] for c in s["checks"])


def test_caseload_source_is_participants_without_the_series(tiny_report):
    s = json.loads((tiny_report / "summary.json").read_text())
    assert s["caseload_per_worker"]["source"] == "/participants"
