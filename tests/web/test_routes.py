"""Every route through Flask's test client: the editor, uploads, checks,
downloads, runs and their failures, cancel and resume, the queue, the
staffing study, compare, and the traversal and cross-site cases."""
import hashlib
import io
import os
import signal
import subprocess
import time

import h5py
import numpy as np
import pytest

from caseflow_web import study as ST

from conftest import (CONFIGS, editor_form, form_fields, run_id, start_server, stop_server, submit, wait_for,
                      write_script)

SMALL = {"run.replications": "4"}


def summary_value(path, metric, scenario=0):
    with h5py.File(path, "r") as f:
        for r in f["summary"][...]:
            if r["metric"].decode() == metric and int(r["scenario"]) == scenario:
                return float(r["mean"])
    raise KeyError(metric)


def h5_of(app, rid):
    store = app.extensions["caseflow"]["store"]
    run = store.get(rid)
    return os.path.join(store.dir_of(run), run.h5)


def tree_digest(folder):
    out = {}
    for dirpath, _, files in os.walk(folder):
        for n in files:
            p = os.path.join(dirpath, n)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, folder)] = hashlib.sha256(fh.read()).hexdigest()
    return out


@pytest.fixture(scope="module")
def shared(tmp_path_factory, real_bin):
    """One app with two finished runs (reports made): 12 workers ("twelve")
    and 11 workers ("eleven"), used by the tests that only read."""
    from caseflow_web.app import create_app
    app = create_app(str(tmp_path_factory.mktemp("shared") / "results"), real_bin)
    c = app.test_client()
    a = run_id(submit(c, editor_form(c), "run", dict(SMALL, run_label="twelve")))
    b = run_id(submit(c, editor_form(c), "run", dict(SMALL, **{"staff.workers": "11", "run_label": "eleven"})))
    for rid in (a, b):
        s = wait_for(c, rid)
        assert s["status"] == "done" and s["report"] == "done", s
    yield app, c, a, b
    app.extensions["caseflow"]["queue"].stop()


# -- editor ---------------------------------------------------------------------

def test_editor_shows_every_key_with_unit_default_range_help(make_app):
    app, c = make_app()
    html = c.get("/").get_data(as_text=True)
    schema = app.extensions["caseflow"]["schema"]
    list_sections = {x["name"] for x in schema.sections if x["list"]}
    for k in schema.keys:
        if k["key"] in list_sections:     # the section's heading is the list's name
            assert f'id="section-{k["key"]}"' in html and k["help"].split(" (")[0] in html, k["key"]
        elif "[]" not in k["key"]:
            assert f"<code>{k['key']}</code>" in html, k["key"]
    assert 'name="staff.workers"' in html and 'value="12"' in html
    assert "participants/worker" in html and "range ≥ 1, ≤ 100" in html and "default 4.0" in html
    assert "Most participants one worker carries" in html
    for n in ("default.cfg", "programme_all.cfg", "money_vaxthuset.cfg"):
        assert f'<option value="{n}"' in html
    assert "study_staffing.cfg" not in html


def test_editor_loads_any_shipped_scenario_with_list_rows(make_app):
    _, c = make_app()
    f = editor_form(c, "programme_all.cfg")
    assert f.getlist("rows.sources") == ["0", "1", "2"]
    assert f["sources.1.name"] == "socialtjanst" and f["sources.1.rate_per_month"] == "6.0"
    assert f.getlist("rows.staff.teams") == ["0", "1", "2"]
    assert f["waiting.policy"] == "priority"


def test_scenario_with_a_snapshot_checks_in_the_pages_own_folder(make_app):
    """planner.cfg names run.snapshot = "snapshot_today.csv": the page loads
    it with the CSV inside (snapshot_stored), so its check, run folder and
    download need no file next to them."""
    _, c = make_app()
    f = editor_form(c, "planner.cfg")
    assert f["run.snapshot"] == "snapshot_today.csv"
    assert 'source = "snapshot_today.csv"' in f["snapshot_stored"] and "participant," in f["snapshot_stored"]
    r = submit(c, f, "check")
    assert r.status_code == 200 and "The simulator accepts this scenario" in r.get_data(as_text=True)
    f.setlist("snapshot_stored", [""])          # without the stored text the file is missing
    r = submit(c, f, "check")
    assert r.status_code == 422 and "snapshot_today.csv" in r.get_data(as_text=True)


def test_editor_refuses_unknown_or_path_like_start(make_app):
    _, c = make_app()
    for bad in ("nope.cfg", "../configs/default.cfg", "/etc/passwd", "..%2Fconfigs%2Fdefault.cfg",
                "study_staffing.cfg", "default.cfg/", "./default.cfg"):
        r = c.get("/", query_string={"start": bad})
        assert r.status_code == 404, bad
        assert "no shipped scenario named" in r.get_data(as_text=True)


def test_check_ok_and_check_messages_next_to_the_field(make_app):
    _, c = make_app()
    f = editor_form(c)
    r = submit(c, f, "check")
    assert r.status_code == 200 and "The simulator accepts this scenario" in r.get_data(as_text=True)
    r = submit(c, f, "check", {"staff.workers": "0"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'data-field="staff.workers">staff.workers: expected an integer &gt;= 1 and &lt;= 100000 (count), got 0' \
        in html
    again = form_fields(html)
    assert again["staff.workers"] == "0" and again["staff.caseload_cap"] == "20"   # the form keeps what was typed
    r = submit(c, f, "check", {"staff.workers": "twelve"})
    assert r.status_code == 422 and 'data-field="staff.workers">&#39;twelve&#39; is not a number' in \
        r.get_data(as_text=True)
    r = submit(c, f, "check", {"exits.shares": "work = 0.5; studies = 0.6;"})
    assert 'data-field="exits.shares">exits.shares: shares must sum to 1' in r.get_data(as_text=True)
    r = submit(c, f, "check", {"casework.meeting_hours": 'dist = "gamma"; mean = '})
    assert r.status_code == 422 and 'data-field="casework.meeting_hours"' in r.get_data(as_text=True)


def test_download_is_a_file_caseflow_runs_unchanged(make_app, real_bin, tmp_path):
    _, c = make_app()
    r = submit(c, editor_form(c), "download", {"staff.workers": "13", "run_label": "13 coaches"})
    assert r.status_code == 200
    assert r.headers["Content-Disposition"] == 'attachment; filename="13-coaches.cfg"'
    cfg = tmp_path / "dl.cfg"
    cfg.write_bytes(r.data)
    p = subprocess.run([real_bin, "run", str(cfg), "--reps", "2", "-o", str(tmp_path / "dl.h5"), "--quiet"],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    with h5py.File(tmp_path / "dl.h5") as f:
        assert "workers = 13;" in f.attrs["config_text"].decode()
    # a scenario the simulator refuses is not offered for download
    r = submit(c, editor_form(c), "download", {"staff.workers": "0"})
    assert r.status_code == 422 and "Content-Disposition" not in r.headers


def test_upload_reads_a_scenario_and_refuses_the_rest(make_app):
    _, c = make_app(upload_limit=16 * 1024)
    with open(os.path.join(CONFIGS, "default.cfg"), "rb") as fh:
        data = fh.read()
    r = c.post("/upload", data={"scenario": (io.BytesIO(data.replace(b"workers = 12", b"workers = 9")), "mine.cfg")})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert form_fields(html)["staff.workers"] == "9" and "uploaded mine.cfg" in html
    cases = [
        (b"x" * (20 * 1024), 413, "limited to 16 kB"),
        (b"\x89HDF\r\n\x1a\n\x00\x00", 422, "not a text file"),
        (b"staff: { workers = 3 ", 422, "line 1"),
        (b'@include "/etc/passwd"\n', 422, "@include is not supported"),
        (open(os.path.join(CONFIGS, "study_staffing.cfg"), "rb").read(), 422, "is a study file"),
    ]
    for body, code, text in cases:
        r = c.post("/upload", data={"scenario": (io.BytesIO(body), "../../evil.cfg")})
        assert r.status_code == code, (body[:20], r.status_code)
        assert text in r.get_data(as_text=True)
        if code == 422:
            assert "nothing was loaded" in r.get_data(as_text=True) and "Scenario from" not in r.get_data(as_text=True)
    r = c.post("/upload", data={})
    assert r.status_code == 400


# -- runs -------------------------------------------------------------------------

def test_run_shows_the_answer_from_the_file(shared):
    app, c, _, rid = shared
    s = c.get(f"/api/runs/{rid}").get_json()
    assert s["done"] == s["total"] == 4      # progress read from the simulator's own bar
    h5 = h5_of(app, rid)
    html = c.get(f"/runs/{rid}").get_data(as_text=True)
    metric = "wait_median_days" if 'data-metric="wait_median_days"' in html else "wait_days"
    want = summary_value(h5, metric)
    assert f'id="answer-wait" data-metric="{metric}" data-value="{want!r}">{want:.1f}<' in html
    assert "eleven" in html
    assert html.index('id="answer"') < html.index('id="report"')  # the answer first, then the report
    with h5py.File(h5) as f:
        reps = f["replications"][...]
        active = reps["mean_active"].astype(float)
    assert f'data-value="{float(np.mean(active / 11))!r}"' in html   # caseload per worker
    r = c.get(f"/runs/{rid}/files/{os.path.basename(h5)}")
    assert r.status_code == 200 and r.data == open(h5, "rb").read()
    r = c.get(f"/runs/{rid}/tables/summary.csv")
    assert r.status_code == 200 and b"wait_days" in r.data and "attachment" in r.headers["Content-Disposition"]
    with h5py.File(h5) as f:
        n_rows = len(f["replications"])
    r = c.get(f"/runs/{rid}/tables/replications.csv")
    assert r.status_code == 200 and len(r.data.decode().strip().splitlines()) == n_rows + 1
    assert c.get(f"/runs/{rid}/report/").status_code == 200
    assert c.get(f"/runs/{rid}/report/index.html").status_code == 200
    assert c.get(f"/runs/{rid}/files/scenario.cfg").status_code == 200
    assert rid in [x["id"] for x in c.get("/api/runs").get_json()]
    runs_html = c.get("/runs").get_data(as_text=True)
    assert f'value="{rid}"' in runs_html and "eleven" in runs_html
    f = form_fields(c.get("/", query_string={"run": rid}).get_data(as_text=True))
    assert f["staff.workers"] == "11"                         # edit this scenario again


def test_default_name_of_an_option_is_its_staffing(make_app):
    _, c = make_app()
    rid = run_id(submit(c, editor_form(c), "run", dict(SMALL, **{"staff.workers": "9"})))
    assert c.get(f"/api/runs/{rid}").get_json()["label"] == "9 workers, cap 20"
    wait_for(c, rid, report=False)


def test_failed_run_shows_its_message_and_leaves_earlier_runs_alone(shared):
    app, c, first, _ = shared
    folder = app.extensions["caseflow"]["store"].dir_of(app.extensions["caseflow"]["store"].get(first))
    before = tree_digest(folder)
    # passes `caseflow check`, refused by `caseflow run` before anything runs
    rid = run_id(submit(c, editor_form(c), "run", {"run.replications": "1000000", "run.horizon_months": "1200",
                                                    "referrals.rate_per_month": "1000000"}))
    s = wait_for(c, rid)
    assert s["status"] == "failed" and s["message"].startswith("not enough memory")
    html = c.get(f"/runs/{rid}").get_data(as_text=True)
    assert 'id="run-error"' in html and "not enough memory" in html
    assert tree_digest(folder) == before
    assert c.get(f"/runs/{first}").status_code == 200


def test_server_survives_a_crashing_simulator(make_app, real_bin, tmp_path):
    crash = write_script(tmp_path / "crashy",
                         'if [ "$1" = run ] && grep -q "workers = 13;" "$2"; then kill -SEGV $$; fi\n'
                         f'exec "{real_bin}" "$@"\n')
    app, c = make_app(binary=crash)
    rid = run_id(submit(c, editor_form(c), "run", dict(SMALL, **{"staff.workers": "13"})))
    s = wait_for(c, rid)
    assert s["status"] == "failed" and "crashed (signal 11, SIGSEGV)" in s["message"]
    assert c.get("/").status_code == 200
    ok = run_id(submit(c, editor_form(c), "run", SMALL))
    assert wait_for(c, ok, report=False)["status"] == "done"


def test_cancel_writes_an_incomplete_file_and_resume_completes_it(make_app):
    app, c = make_app()
    rid = run_id(submit(c, editor_form(c), "run", {"run.replications": "300", "run.horizon_months": "30"}))
    end = time.time() + 60
    while c.get(f"/api/runs/{rid}").get_json()["done"] < 1 and time.time() < end:
        time.sleep(0.01)
    assert c.post(f"/runs/{rid}/cancel").status_code == 303
    s = wait_for(c, rid)
    assert s["status"] == "interrupted", s
    assert "SIGINT" in s["message"] and "--resume" in s["message"]
    h5 = h5_of(app, rid)
    with h5py.File(h5) as f:
        assert int(f.attrs["complete"]) == 0
        finished = int((f["replications"]["status"] == 1).sum())
    assert 1 <= finished < 300
    html = c.get(f"/runs/{rid}").get_data(as_text=True)
    assert 'id="resume-button"' in html and 'id="answer"' not in html
    assert c.post(f"/runs/{rid}/resume").status_code == 303
    s = wait_for(c, rid, report=False)
    assert s["status"] == "done", s
    with h5py.File(h5) as f:
        assert int(f.attrs["complete"]) == 1 and int((f["replications"]["status"] == 1).sum()) == 300
    assert c.post(f"/runs/{rid}/resume").status_code == 303    # nothing to resume: no change
    assert c.get(f"/api/runs/{rid}").get_json()["status"] == "done"


def test_queue_runs_at_most_max_parallel(make_app):
    app, c = make_app(max_parallel=1)
    assert app.extensions["caseflow"]["queue"].max_parallel == 1
    a = run_id(submit(c, editor_form(c), "run", {"run.replications": "60"}))
    b = run_id(submit(c, editor_form(c), "run", SMALL))
    seen_b_queued_while_a_runs = False
    while True:
        sa = c.get(f"/api/runs/{a}").get_json()["status"]
        sb = c.get(f"/api/runs/{b}").get_json()["status"]
        assert not (sa == "running" and sb == "running")
        seen_b_queued_while_a_runs |= sa == "running" and sb == "queued"
        if sb not in ("queued", "running"):
            break
        time.sleep(0.01)
    assert seen_b_queued_while_a_runs
    # a queued run can be cancelled before it starts
    x = run_id(submit(c, editor_form(c), "run", {"run.replications": "60"}))
    y = run_id(submit(c, editor_form(c), "run", SMALL))
    c.post(f"/runs/{y}/cancel")
    assert wait_for(c, y)["status"] == "cancelled"
    wait_for(c, x, report=False)


def test_default_parallel_runs_is_the_number_of_cores(make_app):
    app, _ = make_app()
    assert app.extensions["caseflow"]["queue"].max_parallel == (os.cpu_count() or 1)


# -- staffing study ------------------------------------------------------------------

def test_staffing_study_shows_the_frontier(make_app):
    app, c = make_app()
    f = editor_form(c)
    r = submit(c, f, "study", dict(SMALL, study_posts="10, 12", study_caps="16, 20", study_cost_per_post="650000",
                                  study_days="14"))
    rid = run_id(r)
    s = wait_for(c, rid, report="started")
    assert s["status"] == "done", s
    html = c.get(f"/runs/{rid}").get_data(as_text=True)
    assert 'id="frontier-table"' in html and "frontier.png" in html
    assert c.get(f"/runs/{rid}/files/frontier.png").status_code == 200
    store = app.extensions["caseflow"]["store"]
    front = store.read_json(store.get(rid), "frontier.json")
    rows = front["rows"]
    # the 2 x 2 grid; the base (12 x 20) is one of its points and is not listed twice
    assert [(r["posts"], r["cap"]) for r in rows] == [(10, 16), (10, 20), (12, 16), (12, 20)]
    assert [r["scenario"] for r in rows] == [1, 2, 3, 4]
    for r in rows:
        assert r["cost"] == r["posts"] * 650000.0   # no money section: posts x the planner's figure
        assert r["service"] == summary_value(h5_of(app, rid), front["metric"], r["scenario"])
    higher = front["higher_is_better"]
    for i, r in enumerate(rows):                 # nobody beats a frontier point
        if r["frontier"]:
            assert not any(o["cost"] <= r["cost"] and (o["service"] > r["service"] if higher else
                                                       o["service"] < r["service"]) for o in rows)
        else:
            assert any(o["frontier"] and o["cost"] <= r["cost"] and (o["service"] >= r["service"] if higher else
                                                                     o["service"] <= r["service"]) for o in rows)


@pytest.mark.parametrize("changes,field", [
    ({"study_posts": "", "study_caps": "16"}, "study_posts"),
    ({"study_posts": "10, x", "study_caps": "16"}, "study_posts"),
    ({"study_posts": "1,2,3,4,5,6,7", "study_caps": "16"}, "study_posts"),
    ({"study_posts": "10", "study_caps": "0"}, "study_caps"),
    ({"study_posts": "10", "study_caps": "16", "study_cost_per_post": ""}, "study_cost_per_post"),
    ({"study_posts": "10", "study_caps": "16", "study_cost_per_post": "-5"}, "study_cost_per_post"),
])
def test_staffing_study_input_messages(make_app, changes, field):
    _, c = make_app()
    ch = {"study_cost_per_post": "650000", "study_days": "14"}
    ch.update(changes)
    r = submit(c, editor_form(c), "study", ch)
    assert r.status_code == 422 and f'data-field="{field}"' in r.get_data(as_text=True)


def test_frontier_rule():
    pts = [(10, 0.5), (12, 0.7), (12, 0.6), (15, 0.65), (20, 0.9), (float("nan"), 1.0)]
    assert ST.frontier(pts, True) == [0, 1, 4]
    assert ST.frontier([(1, 5.0), (2, 3.0), (3, 4.0)], False) == [0, 1]


# -- compare ----------------------------------------------------------------------------

def test_compare_two_runs(shared):
    app, c, a, b = shared
    r = c.get("/compare", query_string=[("run", a), ("run", b)])
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "twelve" in html and "eleven" in html and 'id="compare-frame"' in html
    vals = [float(x) for x in __import__("re").findall(r'class="compare-wait" data-value="([^"]+)"', html)]
    metric = "wait_median_days" if 'data-metric="wait_median_days"' in html else "wait_days"
    assert vals == [summary_value(h5_of(app, a), metric), summary_value(h5_of(app, b), metric)]
    page = c.get(f"/compare/{a}-{b}/index.html")
    assert page.status_code == 200 and b"paired" in page.data    # same seed: paired differences
    for q in ([("run", a)], [("run", a), ("run", "r9999")], [("run", a), ("run", "../../etc")]):
        r = c.get("/compare", query_string=q)
        assert r.status_code == 303 and "/runs?error=" in r.headers["Location"]


# -- safety ---------------------------------------------------------------------------------

TRAVERSALS = [
    "/runs/..%2F..%2Fetc%2Fpasswd", "/runs/r0001/files/..%2Frun.json", "/runs/r0001/files/%2Fetc%2Fpasswd",
    "/runs/r0001/files/../../../etc/passwd", "/runs/r0001/files//etc/passwd", "/runs/r0001/files/run.json",
    "/runs/r0001/files/..%252Frun.json", "/runs/r0001/files/..\\run.json", "/runs/r0001/report/..%2Frun.json",
    "/runs/r0001/report/%2e%2e%2frun.json", "/runs/r0001/tables/..%2F..%2Fr0001%2Frun.json",
    "/runs/r0001%2F..%2Fr0002", "/runs/%2Fetc/files/passwd", "/runs/r0001/etc/passwd",
    "/compare/..%2F..%2Fruns/index.html", "/compare/r0001-r0002/..%2F..%2Fruns%2Fr0001%2Frun.json",
    "/compare/r0001-r0002/%2Fetc%2Fpasswd", "/static/..%2F..%2Fapp.py", "/static/../app.py",
    "/api/runs/..%2Fr0001", "/runs/r0001/files/stdout.txt%00.png",
]


def test_no_request_reads_outside_the_results_folder(shared):
    app, c, a, b = shared
    assert (a, b) == ("r0001", "r0002")
    assert c.get("/compare", query_string=[("run", a), ("run", b)]).status_code == 200
    # the same places reached the legitimate way answer (so a 404 below is the refusal, not a typo)
    for url in ("/runs/r0001/files/scenario.cfg", "/runs/r0001/report/index.html", "/runs/r0001/tables/summary.csv",
                "/compare/r0001-r0002/index.html", "/static/style.css", "/api/runs/r0001"):
        assert c.get(url).status_code == 200, url
    for url in TRAVERSALS:
        r = c.get(url)
        assert r.status_code in (404, 308), (url, r.status_code)
        assert b"root:" not in r.data and b'"status"' not in r.data and b"import" not in r.data, url
    r = c.get("/", query_string={"run": "../r0001"})
    assert r.status_code == 404


def test_symlinks_are_not_followed(make_app, tmp_path, real_bin):
    results = tmp_path / "results"
    app, c = make_app(results=results, make_reports=True)
    rid = run_id(submit(c, editor_form(c), "run", dict(SMALL, **{"run.horizon_months": "24"})))
    wait_for(c, rid)
    store = app.extensions["caseflow"]["store"]
    folder = store.dir_of(store.get(rid))
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0 SECRET")
    os.replace(os.path.join(folder, "scenario.cfg"), os.path.join(folder, "scenario.cfg.real"))
    os.symlink(secret, os.path.join(folder, "scenario.cfg"))
    assert c.get(f"/runs/{rid}/files/scenario.cfg").status_code == 404
    assert c.get("/", query_string={"run": rid}).status_code == 404
    os.symlink(secret, os.path.join(folder, "report", "evil.html"))
    assert c.get(f"/runs/{rid}/report/evil.html").status_code == 404
    shutil_report = os.path.join(folder, "report")
    os.rename(shutil_report, shutil_report + ".real")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "index.html").write_text("SECRET")
    os.symlink(outside, shutil_report)
    assert c.get(f"/runs/{rid}/report/index.html").status_code == 404
    # a run folder that is a symlink is not a run
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "run.json").write_text('{"status": "done", "kind": "run", "label": "x", "h5": "x.h5"}')
    (other / "scenario.cfg").write_text("SECRET")
    os.symlink(other, results / "runs" / "r0099")
    app2, c2 = make_app(results=results)
    assert c2.get("/runs/r0099").status_code == 404
    assert c2.get("/runs/r0099/files/scenario.cfg").status_code == 404


def test_only_loopback_host_names_and_same_origin_posts(make_app):
    _, c = make_app()
    assert c.get("/", headers={"Host": "evil.example"}).status_code == 400
    assert c.get("/", headers={"Host": "127.0.0.1:8765"}).status_code == 200
    assert c.get("/", headers={"Host": "[::1]:8765"}).status_code == 200
    f = editor_form(c)
    f["action"] = "run"
    r = c.post("/scenario", data=f, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    assert c.get("/api/runs").get_json() == []
    r = c.post("/scenario", data=f, headers={"Origin": "http://localhost"})
    assert r.status_code == 303


def test_unknown_pages_are_404(make_app):
    _, c = make_app()
    for url in ("/runs/r9999", "/api/runs/r9999", "/runs/r9999/files/x.h5", "/nope", "/runs/x/cancel"):
        assert c.get(url).status_code in (404, 405), url
    assert c.post("/runs/r9999/cancel").status_code == 404
    assert c.post("/runs/r9999/resume").status_code == 404


def test_serve_listens_on_loopback_by_default(tmp_path, real_bin):
    from caseflow_web import serve
    args = serve.build_parser().parse_args([])
    assert args.host == "127.0.0.1" and args.port == 8765
    assert serve._is_loopback("127.0.0.1") and serve._is_loopback("::1") and not serve._is_loopback("0.0.0.0")
    p = subprocess.Popen(["/usr/bin/python3", "-m", "caseflow_web", "--port", "0", "--results", str(tmp_path / "r"),
                          "--caseflow", real_bin], cwd=os.path.join(os.path.dirname(__file__), "..", "..", "analysis"),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline()
        assert line.startswith("caseflow web page: http://127.0.0.1:"), line
        port = int(line.split(":")[3].split("/")[0])
        out = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True).stdout
        local = [ln.split()[3] for ln in out.splitlines() if ln.strip()]
        assert local == [f"127.0.0.1:{port}"], out        # the listening address: loopback only
    finally:
        p.send_signal(signal.SIGINT)
        p.wait(20)


def test_cancel_reaches_the_simulator_when_the_server_was_started_ignoring_sigint(tmp_path, real_bin):
    """A shell starts background jobs with SIGINT ignored, which children
    inherit; the server must give its simulators back the default."""
    import json
    import urllib.parse
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kw):
            return None

    opener = urllib.request.build_opener(NoRedirect)

    def post(url, fields):
        try:
            opener.open(urllib.request.Request(url, data=urllib.parse.urlencode(fields).encode()), timeout=30)
        except urllib.error.HTTPError as e:
            assert e.code == 303, e.read()
            return e.headers["Location"]
        raise AssertionError("no redirect")

    p, url = start_server(tmp_path / "results", real_bin,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        f = form_fields(urllib.request.urlopen(url + "/?start=default.cfg", timeout=30).read().decode())
        f.setlist("run.replications", ["3000"])
        f.setlist("action", ["run"])
        rid = post(url + "/scenario", list(f.items(multi=True))).rsplit("/", 1)[-1]

        def status():
            return json.load(urllib.request.urlopen(f"{url}/api/runs/{rid}", timeout=30))
        end = time.time() + 60
        while status()["done"] < 1 and time.time() < end:
            time.sleep(0.01)
        post(f"{url}/runs/{rid}/cancel", [])
        while status()["status"] in ("running", "cancelling") and time.time() < end:
            time.sleep(0.05)
        s = status()
        assert s["status"] == "interrupted" and "of 3000 trials finished" in s["message"], s
    finally:
        stop_server(p)
