"""The package installs with pip into a Python that has Debian's numpy, h5py,
matplotlib and SciPy (--no-deps, no network), and the installed command works
from anywhere; a Python without them gets one line saying what to install."""
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ANALYSIS, PYTHON


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=300, **kw)


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    """A venv over Debian's site-packages with the package pip-installed from
    a copy of analysis/ (so the build leaves nothing in the checkout)."""
    if run([PYTHON, "-m", "pip", "--version"]).returncode != 0:
        pytest.fail("pip is missing for /usr/bin/python3: apt-get install python3-pip (make deps)")
    root = tmp_path_factory.mktemp("install")
    src = root / "src"
    shutil.copytree(ANALYSIS, src, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
    env = root / "venv"
    r = run([PYTHON, "-m", "venv", "--system-site-packages", str(env)])
    assert r.returncode == 0, f"python3 -m venv failed (python3-venv installed?): {r.stderr}"
    r = run([str(env / "bin" / "python"), "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
             "--disable-pip-version-check", str(src)])
    assert r.returncode == 0, r.stdout + r.stderr
    return env


def test_installed_package_is_the_one_imported_and_reports(venv, tiny_run, tmp_path):
    py = str(venv / "bin" / "python")
    # from a folder other than the checkout, so only the installed copy can be found
    r = run([py, "-c", "import caseflow_analysis, scipy; print(caseflow_analysis.__file__); "
                       "print(caseflow_analysis.__version__)"], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    path, version = r.stdout.split()
    assert path.startswith(str(venv)) and version == "0.1.0"
    out = tmp_path / "rep"
    r = run([str(venv / "bin" / "caseflow-report"), "report", str(tiny_run), "-o", str(out)], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"{out}/index.html" and (out / "summary.json").is_file()
    r = run([py, "-m", "caseflow_analysis", "--help"], cwd=tmp_path)
    assert r.returncode == 0 and "report" in r.stdout


def test_entry_script_needs_no_path_shim():
    text = open(os.path.join(ANALYSIS, "caseflow_report.py"), encoding="utf-8").read()
    assert "sys.path.insert" not in text and "sys.path.append" not in text
    assert text.startswith("#!/usr/bin/env python3\n")


def test_python_without_the_dependencies_gets_one_line(tiny_run):
    code = ("import sys; sys.modules['scipy'] = None; sys.path.insert(0, %r); "
            "from caseflow_analysis.cli import main; sys.exit(main(['report', %r]))" % (ANALYSIS, str(tiny_run)))
    r = run([sys.executable, "-c", code])
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "lacks scipy" in lines[0] and "python3-scipy" in lines[0], r.stderr
