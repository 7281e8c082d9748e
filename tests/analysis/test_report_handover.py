"""`report` on a run with a successor project (model_handover.c): a transfer
(fate 4) ends a wait or a stay at its exit_time but is no exit, so the
report's cross-checks against the simulator (waiting list at month ends,
mean time in programme) hold, and the per-trial columns are listed."""
import json
import math

import h5py
import numpy as np

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
    # the hand-over table: labelled rows whose numbers are the file's column means
    html = (tmp_path / "rep" / "index.html").read_text()
    assert "Hand-over: successor project and receivers of onward exits" in html
    assert "handed on to the successor at its close" in html and "found af full" in html
    ho = s["trial_extras"]["handover"]
    with h5py.File(out, "r") as f:
        cols = [c.decode() if isinstance(c, bytes) else c for c in f["trial_extras"].attrs["columns"]]
        data = f["trial_extras"][...]
    col = {c: data[:, j] for j, c in enumerate(cols)}
    for name in ("successor.transferred", "receivers.af.stuck", "receivers.af.received"):
        assert math.isclose(ho[name]["mean"], float(np.mean(col[name])), rel_tol=1e-12), name
    assert ho["successor.transferred"]["mean"] > 0 and ho["receivers.af.stuck"]["mean"] > 0
    taken = col["receivers.af.received"] > 0
    days = col["receivers.af.stuck_days"][taken] / col["receivers.af.received"][taken]
    assert math.isclose(ho["receivers.af.days_mean"]["mean"], float(np.mean(days)), rel_tol=1e-12)
    # listed once, not again among the unlabelled columns
    assert not any(c.startswith(("successor.", "receivers.")) for c in s["trial_extras"].get("other", {}))


def test_pooled_waits_end_at_transfer_not_at_giving_up(tmp_path):
    """The pooled wait curve's observations (service.wait_observations): a
    wait handed on to the successor (fate 4) is censored at the transfer;
    one who gave up (fate 3, whose exit_time says when) stays censored at
    the horizon, as output/service.c's wait curve has it."""
    import numpy as np
    from caseflow_analysis.runfile import RunData
    from caseflow_analysis.service import wait_observations
    cfg = HANDOVER_CFG.replace("successor = { name = \"vidare\"; month = 12; };",
                               "successor = { name = \"vidare\"; month = 12; take = \"waiting\"; };\n"
                               "waiting: { patience_days = { dist = \"exponential\"; mean = 120.0; }; };")
    (tmp_path / "w.cfg").write_text(cfg)
    out = tmp_path / "w.h5"
    simulate(["w.cfg", "-o", str(out)], tmp_path)
    run = RunData(out)
    obs = wait_observations(run)
    horizon = run.horizon * run.dpm
    ref, asg, ext, fate = [], [], [], []
    for c in run.iter_participants(["referral_time", "assignment_time", "exit_time", "fate"]):
        keep = c["fate"] != 2
        ref.append(c["referral_time"][keep])
        asg.append(c["assignment_time"][keep])
        ext.append(c["exit_time"][keep])
        fate.append(c["fate"][keep])
    ref, asg, ext, fate = (np.concatenate(x) for x in (ref, asg, ext, fate))
    moved = (fate == 4) & np.isnan(asg)
    gave_up = fate == 3
    assert moved.any() and gave_up.any()
    assert np.allclose(obs["time"][moved], (ext - ref)[moved]) and not obs["placed"][moved].any()
    assert np.allclose(obs["time"][gave_up], horizon - ref[gave_up]) and not obs["placed"][gave_up].any()
