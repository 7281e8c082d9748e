"""`caseflow_report plan PLAN.h5`: the plan page from the real
`caseflow plan configs/plan_default.cfg` (about a second). Its numbers (the
recommendation, the runner-up, every grid point's status, replications,
cost, estimates and intervals) must be the file's, in plan.json and on the
HTML page; the frontier figures are written; a file that is not a plan file
is refused with exit 2."""
import html
import json
import math
import os
import re
import subprocess

import h5py
import numpy as np
import pytest

from conftest import ROOT, caseflow_bin, cli

STATUS = {0: "not evaluated", 1: "feasible", 2: "infeasible", 3: "pruned (feasible)", 4: "pruned (infeasible)",
          5: "undecided", 6: "invalid"}


@pytest.fixture(scope="module")
def plan_page(workdir):
    h5 = workdir / "plan_default.h5"
    r = subprocess.run([caseflow_bin(), "plan", os.path.join(ROOT, "configs", "plan_default.cfg"), "-o", str(h5),
                        "--threads", "2", "--force"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    out = workdir / "plan_page"
    r = cli("plan", str(h5), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"{out}/index.html"
    return h5, out


def _num_text(v, digits):
    """The page's number format (page.fmt): thin-space thousands, '—' for NaN."""
    if v is None or math.isnan(v):
        return "—"
    return f"{v:,.{digits}f}".replace(",", "\u202f")


def _rows(page_html, table_id):
    m = re.search(rf'<table[^>]*id="{table_id}"[^>]*>.*?<tbody>(.*?)</tbody>', page_html, re.S)
    assert m, f"table {table_id} not on the page"
    rows = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", m.group(1), re.S):
        rows.append([html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
                     for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, re.S)])
    return rows


def test_plan_json_equals_the_file(plan_page):
    h5, out = plan_page
    data = json.loads((out / "plan.json").read_text())
    with h5py.File(h5) as f:
        keys = sorted(f["plan"].keys(), key=int)
        assert len(data["scenarios"]) == len(keys) == 2
        for s, key in zip(data["scenarios"], keys):
            g = f["plan"][key]
            assert s["scenario"] == g.attrs["scenario"].decode()
            assert s["replications_total"] == int(g.attrs["replications_total"])
            rec, ru = int(g.attrs["recommended"]), int(g.attrs["runner_up"])
            assert rec >= 0 and ru >= 0  # plan_default has a feasible point in both scenarios
            assert s["recommended"]["index"] == rec and s["runner_up"]["index"] == ru
            assert len(s["points"]) == len(g["status"])
            for i, p in enumerate(s["points"]):
                assert p["status"] == STATUS[int(g["status"][i])]
                assert p["replications"] == int(g["replications"][i])
                assert list(p["settings"].values()) == g["values"][i].tolist()
                cost = float(g["objective"][i])
                assert (p["cost"] is None and math.isnan(cost)) or p["cost"] == cost
                for k, c in enumerate(p["constraints"]):
                    for name in ("estimate", "low", "high"):
                        v = float(g[name][i, k])
                        assert (c[name] is None and math.isnan(v)) or c[name] == v
                    assert c["decided"] == int(g["decided"][i, k])
            assert s["recommended"] == s["points"][rec]
            assert len(s["figures"]) == len(s["constraints"])
            for fn in s["figures"]:
                assert (out / fn).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_page_numbers_equal_the_file(plan_page):
    h5, out = plan_page
    page = (out / "index.html").read_text()
    with h5py.File(h5) as f:
        for si, key in enumerate(sorted(f["plan"].keys(), key=int)):
            g = f["plan"][key]
            nv = g["values"].shape[1]
            rows = _rows(page, f"points{si}")
            assert len(rows) == len(g["status"])
            rec = int(g.attrs["recommended"])
            for i, row in enumerate(rows):
                assert [float(x) for x in row[:nv]] == g["values"][i].tolist()
                assert row[nv] == _num_text(float(g["objective"][i]), 0)
                assert row[nv + 1] == STATUS[int(g["status"][i])] + (" ★" if i == rec else "")
                assert int(row[nv + 2]) == int(g["replications"][i])
                for k in range(g["estimate"].shape[1]):
                    assert row[nv + 4 + 2 * k] == _num_text(float(g["estimate"][i, k]), 3)
                    lo, hi = float(g["low"][i, k]), float(g["high"][i, k])
                    want = "—" if math.isnan(lo) else f"[{_num_text(lo, 3)}, {_num_text(hi, 3)}]"
                    assert row[nv + 5 + 2 * k] == want
            # the recommendation's block names its settings and its cost as the file has them
            settings = ", ".join(f"{v}={x:g}" for v, x in
                                 zip(g.attrs["variables"].decode().split("\n"), g["values"][rec]))
            section = page.split(f'id="s{si}"')[1]
            block = section.split("Runner-up")[0]
            assert html.escape(settings) in block
            assert _num_text(float(g["objective"][rec]), 0) in block
            run = np.asarray(g["order"]) > 0
            assert run.sum() >= 2  # the figure has a frontier to show


def test_not_a_plan_file_is_refused(workdir, tiny_run):
    r = cli("plan", str(tiny_run), "-o", str(workdir / "no_plan"))
    assert r.returncode == 2
    assert "no /plan group" in r.stderr
    r = cli("plan", str(workdir / "missing.h5"))
    assert r.returncode == 2 and "no such file" in r.stderr
