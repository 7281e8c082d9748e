"""`report` on a run with sites (sources and teams tied to a site): the
Sites table lists each site's referred, placed, gave up and still waiting,
as the file's /trial_extras columns have them, with count intervals cut at 0."""
import json
import math

import h5py
import numpy as np

from conftest import cli, simulate

SITES_CFG = """run: { replications = 4; seed = 91L; horizon_months = 18; warmup_months = 0; };
sites = ( { name = "north"; }, { name = "south"; } );
sources = ( { name = "n"; kind = "poisson"; rate_per_month = 12.0; site = "north"; },
            { name = "s"; kind = "poisson"; rate_per_month = 12.0; site = "south"; } );
waiting: { patience_days = { dist = "exponential"; mean = 30.0; }; };
staff: {
  roles = ( { name = "coach"; caseload_cap = 6; } );
  teams = ( { name = "tn"; site = "north"; members = ( { role = "coach"; count = 2; } ); },
            { name = "ts"; site = "south"; members = ( { role = "coach"; count = 2; start_month = 6.0; } ); } );
};
casework: { meeting_hours = { dist = "gamma"; mean = 1.0; sd = 0.3; };
            own_time_days = { dist = "exponential"; mean = 7.0; }; };
exits: { probability_per_meeting = 0.2; shares = { work = 0.5; other = 0.5; }; };
"""


def test_sites_table_is_the_files_columns(tmp_path):
    (tmp_path / "sites.cfg").write_text(SITES_CFG)
    out = tmp_path / "sites.h5"
    simulate(["sites.cfg", "-o", str(out)], tmp_path)
    r = cli("report", str(out), "-o", str(tmp_path / "rep"), "-q")
    assert r.returncode == 0, r.stderr
    s = json.loads((tmp_path / "rep" / "summary.json").read_text())
    html = (tmp_path / "rep" / "index.html").read_text()
    assert "<h3>Sites</h3>" in html
    by = s["trial_extras"]["by_site"]
    assert set(by) == {"north", "south"}
    with h5py.File(out, "r") as f:
        cols = [c.decode() if isinstance(c, bytes) else c for c in f["trial_extras"].attrs["columns"]]
        data = f["trial_extras"][...]
    col = {c: data[:, j] for j, c in enumerate(cols)}
    for site in ("north", "south"):
        for part in ("referred", "assigned", "gave_up", "waiting_at_end"):
            v = col[f"site.{site}.{part}"]
            assert math.isclose(by[site][part]["mean"], float(np.mean(v)), rel_tol=1e-12)
            assert by[site][part]["ci_low"] >= 0
        total = sum(col[f"site.{site}.{p}"] for p in ("assigned", "gave_up", "waiting_at_end"))
        assert np.array_equal(total, col[f"site.{site}.referred"])
    # the south staffed at month 6: its people give up waiting, the north's hardly
    assert by["south"]["gave_up"]["mean"] > by["north"]["gave_up"]["mean"]
    assert not any(c.startswith("site.") for c in s["trial_extras"].get("other", {}))
    # the per-trial service levels are the service section's, not listed again as unlabelled columns
    other = s["trial_extras"].get("other", {})
    assert not any(c.startswith(("wait_", "programme_")) or c in ("offered_load", "capacity") for c in other), other
    assert "<h3>Other columns</h3>" not in html
