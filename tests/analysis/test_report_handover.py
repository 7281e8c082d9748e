"""`report` on a run with a successor project (model_handover.c): a transfer
(fate 4) ends a wait or a stay at its exit_time but is no exit, so the
report's cross-checks against the simulator (waiting list at month ends,
mean time in programme) hold, and the per-trial columns are listed."""
import json

from conftest import cli, simulate

HANDOVER_CFG = """run: { replications = 4; seed = 77L; horizon_months = 18; warmup_months = 0; };
referrals: { rate_per_month = 20.0; };
staff: { workers = 3; caseload_cap = 6; meeting_hours_per_day = 4.0; };
casework: { meeting_hours = { dist = "gamma"; mean = 1.0; sd = 0.3; };
            own_time_days = { dist = "exponential"; mean = 7.0; }; };
exits: { probability_per_meeting = 0.2; shares = { work = 0.3; af = 0.4; other = 0.3; };
  receivers = ( { destination = "af"; intake_per_month = 3.0; } ); };
successor = { name = "vidare"; month = 12; };
"""


def test_report_checks_hold_with_transfers(tmp_path):
    (tmp_path / "handover.cfg").write_text(HANDOVER_CFG)
    out = tmp_path / "handover.h5"
    simulate(["handover.cfg", "-o", str(out)], tmp_path)
    r = cli("report", str(out), "-o", str(tmp_path / "rep"), "-q")
    assert r.returncode == 0, r.stderr
    s = json.loads((tmp_path / "rep" / "summary.json").read_text())
    names = {c["name"]: c for c in s["checks"]}
    # both checks exist and pass: without the fate-4 handling the waiting list
    # of /participants keeps the transferred waiting after month 12, and
    # their stays count as exits
    assert names["waiting from /participants = /series/waiting"]["ok"], names
    assert names["mean time in programme from /participants = /replications"]["ok"], names
    html = (tmp_path / "rep" / "index.html").read_text()
    assert "successor.transferred" in html and "receivers.af.stuck" in html
