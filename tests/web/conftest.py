"""Shared helpers for the web page's tests: the real simulator, fake
simulators for the failure cases, an app per test in a temporary results
folder, and reading the editor's form the way a browser submits it.

CASEFLOW_BIN names the simulator (make test-web sets it); default
build/caseflow.
"""
import html.parser
import os
import stat
import sys
import time

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ANALYSIS = os.path.join(ROOT, "analysis")
CONFIGS = os.path.join(ROOT, "configs")
sys.path.insert(0, ANALYSIS)

from werkzeug.datastructures import MultiDict  # noqa: E402

from caseflow_web.app import create_app  # noqa: E402


def caseflow_bin():
    path = os.environ.get("CASEFLOW_BIN") or os.path.join(ROOT, "build", "caseflow")
    if not os.path.isabs(path):
        path = os.path.join(ROOT, path)
    if not os.access(path, os.X_OK):
        pytest.fail(f"simulator not found at {path}: build it with `make build` (or set CASEFLOW_BIN)")
    return path


@pytest.fixture(scope="session")
def real_bin():
    return caseflow_bin()


def write_script(path, body):
    with open(path, "w") as fh:
        fh.write("#!/bin/sh\n" + body)
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    return str(path)


@pytest.fixture
def make_app(tmp_path, real_bin):
    """make_app(binary=None, **kw) -> (app, client); queues stopped at the
    end. Without reports unless a test asks for them (they take seconds)."""
    made = []

    def make(binary=None, results=None, **kw):
        kw.setdefault("make_reports", False)
        app = create_app(str(results or tmp_path / "results"), binary or real_bin, **kw)
        made.append(app)
        return app, app.test_client()

    yield make
    for app in made:
        app.extensions["caseflow"]["queue"].stop()


class FormReader(html.parser.HTMLParser):
    """The fields of <form id=FORM_ID> as a browser would submit them
    (without the button): text and hidden inputs, textareas, selects;
    nothing inside <template>."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.in_template = 0
        self.fields = MultiDict()
        self._textarea = None
        self._select = None
        self._select_first = None
        self._select_chosen = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.in_form = a.get("id") == self.form_id
        if not self.in_form:
            return
        if tag == "template":
            self.in_template += 1
        if self.in_template:
            return
        if tag == "input" and a.get("type", "text") in ("text", "hidden") and a.get("name"):
            self.fields.add(a["name"], a.get("value", ""))
        elif tag == "textarea":
            self._textarea = [a.get("name"), ""]
        elif tag == "select":
            self._select = a.get("name")
            self._select_first = self._select_chosen = None
        elif tag == "option" and self._select is not None:
            v = a.get("value", "")
            if self._select_first is None:
                self._select_first = v
            if "selected" in a:
                self._select_chosen = v

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        if tag == "template" and self.in_template:
            self.in_template -= 1
        if not self.in_form or self.in_template:
            return
        if tag == "textarea" and self._textarea:
            name, text = self._textarea
            self.fields.add(name, text[1:] if text.startswith("\n") else text)
            self._textarea = None
        if tag == "select" and self._select is not None:
            self.fields.add(self._select, self._select_chosen if self._select_chosen is not None
                            else self._select_first or "")
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data


def form_fields(html_text, form_id="scenario-form"):
    r = FormReader(form_id)
    r.feed(html_text)
    return r.fields


def editor_form(client, start="default.cfg"):
    resp = client.get("/", query_string={"start": start})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return form_fields(resp.get_data(as_text=True))


def wait_for(client, rid, statuses=("done", "failed", "interrupted", "incomplete", "cancelled"), report=True,
             timeout=120):
    """Polls the run's status until it is one of `statuses`; for a finished
    run also until its report is made or failed (report=True) or until the
    answer, tables and a study's frontier are written (report="started")."""
    end = time.time() + timeout
    ready = {True: ("done", "failed", "skipped"), "started": ("queued", "running", "done", "failed", "skipped")}
    while time.time() < end:
        s = client.get(f"/api/runs/{rid}").get_json()
        if s["status"] in statuses and (not report or s["status"] != "done" or s["report"] in ready[report]):
            return s
        time.sleep(0.05)
    raise AssertionError(f"run {rid} still {s} after {timeout} s")


def submit(client, fields, action="run", changes=None):
    f = MultiDict(fields)
    for k, v in (changes or {}).items():
        f.setlist(k, [v])
    f.setlist("action", [action])
    return client.post("/scenario", data=f)


def run_id(resp):
    assert resp.status_code == 303, resp.get_data(as_text=True)[-2000:]
    loc = resp.headers["Location"]
    return loc.rstrip("/").rsplit("/", 1)[-1]


def start_server(results, binary, **popen):
    """`python3 -m caseflow_web --port 0` as `make serve` starts it; returns
    (process, base url). Stop it with stop_server."""
    import subprocess
    p = subprocess.Popen(["/usr/bin/python3", "-m", "caseflow_web", "--port", "0", "--results", str(results),
                          "--caseflow", binary], cwd=ANALYSIS, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, **popen)
    line = p.stdout.readline()
    if not line.startswith("caseflow web page: "):
        p.kill()
        pytest.fail(f"the server did not start: {line}{p.stderr.read()}")
    return p, line.split()[3].rstrip("/")


def stop_server(p):
    import signal
    import subprocess
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(20)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
