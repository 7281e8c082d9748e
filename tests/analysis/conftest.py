"""Shared fixtures: the real simulator on tiny scenarios, run once per session.

CASEFLOW_BIN names the simulator (make test-analysis sets it); default
build/caseflow. Everything is written under pytest's tmp directories.
"""
import os
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ANALYSIS = os.path.join(ROOT, "analysis")
CLI = os.path.join(ANALYSIS, "caseflow_report.py")
PYTHON = "/usr/bin/python3"
sys.path.insert(0, ANALYSIS)

TINY_CFG = """# tiny scenario for the analysis tests: a few workers, short horizon,
# enough load that people wait.
run: {
  replications = 4;
  seed = 4242L;
  horizon_months = 18;
  warmup_months = 4;
};
referrals: { rate_per_month = 14.0; };
staff: {
  workers = 4;
  caseload_cap = 8;
  meeting_hours_per_day = 3.0;
};
casework: {
  meeting_hours = { dist = "gamma"; mean = 1.5; sd = 0.5; };
  own_time_days = { dist = "exponential"; mean = 10.0; };
};
exits: {
  probability_per_meeting = 0.12;
  shares = { work = 0.3; studies = 0.2; other = 0.5; };
};
"""

TINY_STUDY = """study: {
  name = "tiny staffing";
  base = "tiny.cfg";
  replications = 3;
  scenarios = ( { name = "five at eight"; set = [ "staff.workers=5", "staff.caseload_cap=8" ]; } );
  grid = (
    { key = "staff.workers";      values = [ 3, 4, 5 ]; },
    { key = "staff.caseload_cap"; values = [ 6, 8 ]; }
  );
};
"""


# Like configs/study_volume_method.cfg in miniature: a base scenario that differs from every grid point
# in one key (referrals 14 against 20), a grid key with one value (meeting hours), three keys to plot,
# and a float axis whose generated names carry binary noise (0.15 stored as 0.14999999...).
SWEEP_STUDY = """study: {
  name = "tiny sweep";
  base = "tiny.cfg";
  replications = 3;
  grid = (
    { key = "referrals.rate_per_month";      values = [ 20.0 ]; },
    { key = "staff.meeting_hours_per_day";   values = [ 3.0 ]; },
    { key = "staff.workers";                 values = [ 3, 4, 5 ]; },
    { key = "staff.caseload_cap";            values = [ 6, 8 ]; },
    { key = "exits.probability_per_meeting"; values = [ 0.1, 0.15 ]; }
  );
};
"""


def caseflow_bin():
    path = os.environ.get("CASEFLOW_BIN") or os.path.join(ROOT, "build", "caseflow")
    if not os.path.isabs(path):
        path = os.path.join(ROOT, path)
    if not os.access(path, os.X_OK):
        pytest.fail(f"simulator not found at {path}: build it with `make build` (or set CASEFLOW_BIN)")
    return path


def simulate(args, cwd):
    r = subprocess.run([caseflow_bin(), "run", *args, "--quiet", "--threads", "2", "--force"], cwd=cwd,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"caseflow run {' '.join(args)} failed: {r.stderr}"


def cli(*args, cwd=None):
    """Runs the analysis command line as a user would; returns CompletedProcess."""
    return subprocess.run([PYTHON, CLI, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.fixture(scope="session")
def workdir(tmp_path_factory):
    d = tmp_path_factory.mktemp("caseflow")
    (d / "tiny.cfg").write_text(TINY_CFG)
    (d / "tiny_study.cfg").write_text(TINY_STUDY)
    return d


@pytest.fixture(scope="session")
def tiny_run(workdir):
    out = workdir / "tiny.h5"
    simulate(["tiny.cfg", "-o", str(out)], workdir)
    return out


@pytest.fixture(scope="session")
def tiny_run_more_staff(workdir):
    """Same seed as tiny_run, one more worker: common random numbers."""
    out = workdir / "more_staff.h5"
    simulate(["tiny.cfg", "-o", str(out), "-s", "staff.workers=5"], workdir)
    return out


@pytest.fixture(scope="session")
def tiny_run_other_seed(workdir):
    out = workdir / "other_seed.h5"
    simulate(["tiny.cfg", "-o", str(out), "--seed", "99", "--reps", "5"], workdir)
    return out


@pytest.fixture(scope="session")
def tiny_study(workdir):
    out = workdir / "study.h5"
    simulate(["tiny_study.cfg", "-o", str(out)], workdir)
    return out


@pytest.fixture(scope="session")
def tiny_report(tiny_run, workdir):
    """The report as a user makes it, with a targets file so that section is exercised."""
    targets = workdir / "targets.json"
    targets.write_text("""{"targets": [
      {"name": "20 into work", "destination": "work", "kind": "exits", "value": 20},
      {"name": "30 % of exits to work", "destination": "work", "kind": "share", "value": 0.3},
      {"name": "150 exits in all by month 18", "destination": "all", "kind": "exits", "value": 150, "from_month": 4, "by_month": 18},
      {"name": "bad one", "destination": "nowhere", "value": 1}
    ]}""")
    outdir = workdir / "tiny_report"
    r = cli("report", str(tiny_run), "-o", str(outdir), "--targets", str(targets))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"{outdir}/index.html"
    return outdir


@pytest.fixture(scope="session")
def sweep_study(workdir):
    """A 13-scenario study (SWEEP_STUDY) of the tiny scenario."""
    (workdir / "sweep_study.cfg").write_text(SWEEP_STUDY)
    out = workdir / "sweep_study.h5"
    simulate(["sweep_study.cfg", "-o", str(out)], workdir)
    return out
