"""The report's Sensitivity section reads /sensitivity as the simulator wrote
it: the inputs ranked by total index, a chart per metric, nothing for a file
without the group."""
import h5py
import numpy as np

from caseflow_analysis import sensitivity as SENS
from caseflow_analysis.report import make_report

from conftest import simulate

SENS_STUDY = """study: {
  base = "tiny.cfg";
  replications = 1;
  sensitivity = { n = 16; seed = 5;
    keys = ( { key = "referrals.rate_per_month"; min = 6.0; max = 18.0; },
             { key = "staff.meeting_hours_per_day"; min = 2.9; max = 3.0; } );
    metrics = [ "utilisation", "exits_per_month" ]; };
};
"""


def test_sensitivity_section_ranks_the_stored_indices(workdir):
    (workdir / "sens.cfg").write_text(SENS_STUDY)
    out = workdir / "sens.h5"
    simulate(["sens.cfg", "-o", str(out)], workdir)
    s = SENS.read(out)
    assert s["keys"] == ["referrals.rate_per_month", "staff.meeting_hours_per_day"]
    with h5py.File(out, "r") as f:
        stored = f["sensitivity/total"][()]
    assert np.array_equal(s["total"], stored)
    for q in range(2):
        order = SENS.ranked(s, q)
        assert stored[q][order[0]] >= stored[q][order[1]]
    summary = make_report(out, workdir / "sens_report")
    assert "sensitivity_0.png" in summary["figures"] and "sensitivity_1.png" in summary["figures"]
    ranks = [r for r in summary["sensitivity"] if r["metric"] == "utilisation"]
    assert [r["rank"] for r in ranks] == [1, 2]
    assert ranks[0]["total"] == float(stored[0][SENS.ranked(s, 0)[0]])
    html = (workdir / "sens_report" / "index.html").read_text()
    assert "Sensitivity: which inputs drive the outcomes" in html


def test_no_section_without_the_group(tiny_run):
    assert SENS.read(tiny_run) is None
