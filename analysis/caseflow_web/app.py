"""The Flask application: pages and the few JSON answers the pages poll.

Every file the app reads or serves is either a shipped scenario in configs/
(chosen by name from the list the app made, never by a path from the
request) or a file inside the app's results folder, reached through
jobs.RunStore, which accepts only run ids of the form rNNNN and plain file
names and refuses symlinks and anything whose real path leaves the folder.

Requests are checked for a loopback Host header (a web page elsewhere cannot
reach the app through DNS rebinding) and POSTs for a same-origin Origin or
Referer (a web page elsewhere cannot start runs).
"""
import os
import re
import shutil
import subprocess
import sys
import threading
from urllib.parse import urlsplit

from flask import Flask, Response, abort, jsonify, redirect, render_template, request, send_file, url_for

from . import cfgtext as C
from . import fmt, jobs, schema as S, scenario_form as F, simulator as SIM, study as ST

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT_UPLOAD_LIMIT = 256 * 1024     # a scenario file is a few kB; the largest shipped one is 9 kB
LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1", "[::1]"}
COMPARE_KEY = re.compile(r"r\d{4,9}(?:-r\d{4,9}){1,11}\Z")
MAX_COMPARE = 12


def create_app(results_dir, binary, configs_dir=None, max_parallel=None, upload_limit=DEFAULT_UPLOAD_LIMIT,
               allowed_hosts=None, python=sys.executable, make_reports=True):
    """allowed_hosts: host names the Host header may carry besides the
    loopback names, or "*" for any (serve.py, when bound to a network
    address). make_reports=False skips the analysis report after each run
    (the answer, tables and a study's frontier are still made)."""
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = upload_limit
    fmt.register(app)
    binary = os.path.abspath(binary)
    schema = S.load(binary)
    layout = F.Layout(schema)
    store = jobs.RunStore(results_dir)
    runq = jobs.RunQueue(store, binary, max_parallel=max_parallel, python=python, post_process=ST.post_process,
                         make_reports=make_reports)
    configs_dir = os.path.realpath(configs_dir or os.path.join(ROOT, "configs"))
    any_host = allowed_hosts == "*"
    hosts = set(LOOPBACK_NAMES) | (set() if any_host else set(allowed_hosts or ()))
    compare_lock = threading.Lock()
    app.extensions["caseflow"] = {"store": store, "queue": runq, "schema": schema, "layout": layout,
                                  "binary": binary, "configs": configs_dir}

    @app.before_request
    def guard():
        host = (request.host or "").rsplit(":", 1)[0] if not (request.host or "").startswith("[") else \
            request.host.split("]")[0] + "]"
        if not any_host and host not in hosts:
            return Response("unexpected Host header: this app answers on its own address only\n", 400,
                            mimetype="text/plain")
        if request.method == "POST":
            origin = request.headers.get("Origin") or request.headers.get("Referer")
            if origin and urlsplit(origin).netloc != request.host:
                return Response("cross-site request refused\n", 403, mimetype="text/plain")
        return None

    @app.after_request
    def headers(resp):
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        return resp

    # -- editor ------------------------------------------------------------------

    def shipped():
        return SIM.shipped_scenarios(configs_dir)

    def editor(state, origin, status=200, notice="", check_ok=False, label="", study=None, study_errors=None):
        if not study:
            study = study_defaults(state)
        return render_template("editor.html", layout=layout, state=state, origin=origin, shipped=shipped(),
                               notice=notice, check_ok=check_ok, label=label,
                               study=study or {}, study_errors=study_errors or {}, F=F,
                               upload_limit_kb=upload_limit // 1024), status

    def study_defaults(state):
        """A grid around the scenario's own staffing."""
        out = {"study_days": "14"}
        for fid, name, step in (("staff.workers", "study_posts", 2), ("staff.caseload_cap", "study_caps", 4)):
            v = C.number(state.values.get(fid, "") or "")
            if v is not None and v.kind == "int":
                vals = [x for x in (v.value - step, v.value, v.value + step) if x >= 1]
                out[name] = ", ".join(str(x) for x in vals)
        return out

    def from_text(text, origin, base_dir=None):
        try:
            tree = C.parse(text)
        except C.CfgError as e:
            st = F.FormState()
            st.top_errors.append(f"{origin}: {e}")
            return st, 422
        kind = SIM.scenario_kind(text)
        if kind != "scenario":
            st = F.FormState()
            st.top_errors.append(f"{origin} is a {kind} file, not a scenario: start from the scenario it names")
            return st, 422
        st_notice = SIM.embed_snapshot(tree, base_dir) if base_dir else None
        st = F.state_from_tree(layout, tree)
        if st_notice:
            st.top_errors.append(st_notice)
        return st, 200

    @app.get("/")
    def index():
        rid = request.args.get("run")
        if rid:
            run = store.get(rid)
            path = store.file_of(run, "scenario.cfg") if run else None
            if path is None:
                st = F.FormState()
                st.top_errors.append("no such run")
                return editor(st, "", 404)
            with open(path, encoding="utf-8") as fh:
                st, code = from_text(fh.read(), f"run {run.id}")
            return editor(st, f"the scenario of run {run.id} ({run.label})", code, label=run.label)
        name = request.args.get("start") or ("default.cfg" if any(n == "default.cfg" for n, _ in shipped())
                                             else "")
        if not name:
            return editor(F.FormState(), "an empty scenario")
        names = [n for n, _ in shipped()]
        if name not in names:     # only names from the listing: never a path from the request
            st = F.FormState()
            st.top_errors.append(f"no shipped scenario named '{name}' (choose one from the list)")
            return editor(st, "", 404)
        with open(os.path.join(configs_dir, name), encoding="utf-8") as fh:
            st, code = from_text(fh.read(), f"configs/{name}", base_dir=configs_dir)
        return editor(st, f"configs/{name}" if code == 200 else "", code)

    @app.post("/upload")
    def upload():
        f = request.files.get("scenario")
        if f is None or not f.filename:
            st = F.FormState()
            st.top_errors.append("choose a .cfg file to upload")
            return editor(st, "", 400)
        name = os.path.basename(f.filename.replace("\\", "/"))[:80]
        data = f.read(upload_limit + 1)
        if len(data) > upload_limit:
            abort(413)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            st = F.FormState()
            st.top_errors.append(f"{name}: not a text file (UTF-8); nothing was loaded")
            return editor(st, "", 422)
        st, code = from_text(text, name)
        if code != 200:
            st.top_errors[-1] += "; nothing was loaded"
            return editor(st, "", code)
        return editor(st, f"uploaded {name}", code)

    def default_label(tree):
        w = C.get(tree, ("staff", "workers"))
        c = C.get(tree, ("staff", "caseload_cap"))
        if isinstance(w, C.Scalar) and isinstance(c, C.Scalar):
            return f"{w.text} workers, cap {c.text}"
        return ""

    @app.post("/scenario")
    def scenario():
        form = request.form
        action = form.get("action", "check")
        origin = (form.get("origin") or "")[:200]
        label = (form.get("run_label") or "").strip()[:80]
        study_in = {k: form.get(k, "") for k in ("study_posts", "study_caps", "study_cost_per_post", "study_days")}
        built = F.tree_from_form(layout, form)
        state = F.state_from_form(layout, form)
        if built.errors:
            state.errors.update(built.errors)
            return editor(state, origin, 422, label=label, study=study_in)
        text, line_path = C.write(built.tree, header=f"# scenario written by the caseflow web page"
                                                      f"{' from ' + origin if origin else ''}")
        result = SIM.check_text(binary, text)
        if not result.ok:
            fid, msg = F.place_message(result.message, built.path_field, line_path)
            if fid:
                state.errors[fid] = msg
            else:
                state.top_errors.append(msg)
            return editor(state, origin, 422, label=label, study=study_in)
        if action == "download":
            fname = jobs.slug(label or origin.split("/")[-1].replace(".cfg", "") or "scenario") + ".cfg"
            return Response(text, mimetype="text/plain; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{fname}"'})
        label = label or default_label(built.tree)
        reps, seed = C.get(built.tree, ("run", "replications")), C.get(built.tree, ("run", "seed"))
        meta = {"origin": origin, "replications": reps.value if isinstance(reps, C.Scalar) else None,
                "seed": seed.value if isinstance(seed, C.Scalar) else None}
        if action == "run":
            run = store.create("run", label, {"scenario.cfg": text}, cfg="scenario.cfg", **meta)
            runq.submit(run)
            return redirect(url_for("run_page", rid=run.id), 303)
        if action == "study":
            if C.get(built.tree, ("staff", "roles")) is not None or C.get(built.tree, ("staff", "teams")) is not None:
                state.top_errors.append("the staffing study varies staff.workers and staff.caseload_cap; this "
                                        "scenario has staff roles and teams instead")
                return editor(state, origin, 422, label=label, study=study_in)
            try:
                inputs = ST.parse_inputs(form, has_money=C.get(built.tree, ("money",)) is not None)
            except ST.StudyInputError as e:
                return editor(state, origin, 422, label=label, study=study_in, study_errors={e.field: str(e)})
            stext = ST.study_text(inputs)
            res = SIM.check_text(binary, stext, name="study.cfg", others={"scenario.cfg": text})
            if not res.ok:
                state.top_errors.append("staffing study: " + re.sub(r"^caseflow: ", "", res.message))
                return editor(state, origin, 422, label=label, study=study_in)
            run = store.create("study", "staffing study: " + (label or origin or "scenario"),
                               {"scenario.cfg": text, "study.cfg": stext}, cfg="study.cfg", study=inputs, **meta)
            runq.submit(run)
            return redirect(url_for("run_page", rid=run.id), 303)
        state.errors.clear()
        return editor(state, origin, 200, notice="The simulator accepts this scenario (caseflow check).",
                      check_ok=True, label=label, study=study_in)

    # -- runs --------------------------------------------------------------------

    def run_or_404(rid):
        run = store.get(rid)
        if run is None:
            abort(404)
        return run

    @app.get("/runs")
    def runs_page():
        runs = store.all()
        answers = {r.id: store.read_json(r, "answer.json") for r in runs if r.status == "done"}
        return render_template("runs.html", runs=runs, answers=answers, max_parallel=runq.max_parallel,
                               error=request.args.get("error", "")[:200])

    @app.get("/runs/<rid>")
    def run_page(rid):
        run = run_or_404(rid)
        ans = store.read_json(run, "answer.json") if run.status == "done" else None
        front = store.read_json(run, "frontier.json") if run.kind == "study" else None
        files = [n for n in (run.h5, "scenario.cfg", "study.cfg", "stdout.txt", "stderr.txt")
                 if store.file_of(run, n)]
        return render_template("run.html", run=run, ans=ans, front=front, files=files,
                               report_ready=store.subdir_file(run, "report", "index.html") is not None,
                               sweep_ready=store.subdir_file(run, "sweep", "index.html") is not None)

    @app.get("/api/runs/<rid>")
    def run_status(rid):
        run = run_or_404(rid)
        return jsonify({k: getattr(run, k) for k in ("id", "status", "done", "total", "message", "report",
                                                     "report_message", "label")})

    @app.get("/api/runs")
    def runs_status():
        return jsonify([{k: getattr(r, k) for k in ("id", "status", "done", "total", "label")} for r in store.all()])

    @app.post("/runs/<rid>/cancel")
    def cancel(rid):
        runq.cancel(run_or_404(rid))
        return redirect(url_for("run_page", rid=rid), 303)

    @app.post("/runs/<rid>/resume")
    def resume(rid):
        runq.resume(run_or_404(rid))
        return redirect(url_for("run_page", rid=rid), 303)

    @app.get("/runs/<rid>/files/<name>")
    def run_file(rid, name):
        run = run_or_404(rid)
        allowed = {run.h5, "scenario.cfg", "study.cfg", "stdout.txt", "stderr.txt", "frontier.png"}
        path = store.file_of(run, name) if name in allowed else None
        if path is None:
            abort(404)
        inline = name.endswith((".png", ".txt"))
        mimetype = {"h5": "application/x-hdf5", "cfg": "text/plain", "txt": "text/plain",
                    "png": "image/png"}[name.rsplit(".", 1)[-1]]
        return send_file(path, mimetype=mimetype, as_attachment=not inline, download_name=name)

    @app.get("/runs/<rid>/<any(report, tables, sweep):sub>/")
    @app.get("/runs/<rid>/<any(report, tables, sweep):sub>/<name>")
    def run_subfile(rid, sub, name="index.html"):
        run = run_or_404(rid)
        path = store.subdir_file(run, sub, name)
        if path is None:
            abort(404)
        ext = name.rsplit(".", 1)[-1]
        mimetype = {"html": "text/html", "png": "image/png", "json": "application/json",
                    "csv": "text/csv"}.get(ext)
        if mimetype is None:
            abort(404)
        return send_file(path, mimetype=mimetype, as_attachment=ext == "csv", download_name=name)

    # -- compare -----------------------------------------------------------------

    @app.get("/compare")
    def compare():
        ids = []
        for rid in request.args.getlist("run"):
            if rid not in ids:
                ids.append(rid)
        # oldest first: the first is the base the differences are taken from
        ids.sort(key=lambda r: (0, int(r[1:])) if jobs.RUN_ID.match(r) else (1, 0))
        runs = [store.get(r) for r in ids]
        if len(ids) < 2 or any(r is None for r in runs):
            return redirect(url_for("runs_page", error="choose two or more finished runs to compare"), 303)
        if len(ids) > MAX_COMPARE:
            return redirect(url_for("runs_page", error=f"compare at most {MAX_COMPARE} runs at a time"), 303)
        not_done = [r.id for r in runs if r.status != "done" or r.kind != "run"]
        if not_done:
            return redirect(url_for("runs_page", error="only finished runs (not studies) can be compared: "
                                    + ", ".join(not_done)), 303)
        key = "-".join(ids)
        out = os.path.join(store.root, "compare", key)
        problem = ""
        with compare_lock:
            if not os.path.isfile(os.path.join(out, "index.html")):
                problem = _analysis_compare(python, [os.path.join(store.dir_of(r), r.h5) for r in runs], out)
        answers = [store.read_json(r, "answer.json") for r in runs]
        return render_template("compare.html", runs=runs, answers=answers, key=key, problem=problem,
                               ready=not problem)

    @app.get("/compare/<key>/")
    @app.get("/compare/<key>/<name>")
    def compare_file(key, name="index.html"):
        if not COMPARE_KEY.match(key) or name not in ("index.html", "metrics.png", "series.png", "compare.json"):
            abort(404)
        top = os.path.join(store.root, "compare")
        base = os.path.join(top, key)
        path = os.path.join(base, name)
        if any(os.path.islink(p) for p in (top, base, path)) or not os.path.isfile(path) \
                or not jobs._inside(path, store.root):
            abort(404)
        mimetype = {"html": "text/html", "png": "image/png", "json": "application/json"}[name.rsplit(".", 1)[-1]]
        return send_file(path, mimetype=mimetype)

    @app.errorhandler(404)
    def not_found(_e):
        return render_template("message.html", title="Not found",
                               message="There is no such page or file here."), 404

    @app.errorhandler(413)
    def too_large(_e):
        return render_template("message.html", title="File too large",
                               message=f"Uploads are limited to {upload_limit // 1024} kB; a scenario file is "
                                       "a few kB."), 413

    return app


def _analysis_compare(python, files, out):
    """Runs the analysis package's compare into `out`; '' or the error line."""
    tmp = out + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    cli = os.path.join(ROOT, "analysis", "caseflow_report.py")
    try:
        p = subprocess.run([python, cli, "compare", *files, "-o", tmp, "-q"], capture_output=True, text=True,
                           timeout=600, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"compare failed: {e}"
    if p.returncode != 0:
        lines = [x for x in p.stderr.splitlines() if x.strip()]
        shutil.rmtree(tmp, ignore_errors=True)
        return "compare failed: " + (lines[-1] if lines else f"exit {p.returncode}")
    shutil.rmtree(out, ignore_errors=True)
    os.replace(tmp, out)
    return ""

