"""Runs: their folders, their queue and the simulator processes.

Every run has its own folder RESULTS/runs/rNNNN/ holding run.json (what the
pages show), the scenario (and for a staffing study, the study file), the
HDF5 file, the simulator's stdout and stderr, the CSV tables and the
analysis report. A failed run touches only its own folder; the simulator
writes its file under a temporary name and renames it at the end, so a run
that crashes leaves no half file and an earlier run's file is never opened
for writing.

At most `max_parallel` runs (default: the number of cores) execute at once;
the others wait in order. Cancel sends SIGINT, as Ctrl-C would: the
simulator finishes the replications in progress, writes a valid file marked
incomplete and exits 5; Resume runs the same command with --resume. A second
Cancel sends a second SIGINT, which drops the replications in progress.

Progress: the simulator draws its progress bar only when stderr is a
terminal (runner.c), so each run's stderr is a pseudo-terminal and the bar's
"DONE/TOTAL trials" is read from it. Everything else it writes there is kept
in stderr.txt; its last line is the one-line message a failed run shows.
"""
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback

from . import answer as A
from .simulator import signal_name

RUN_ID = re.compile(r"r\d{4,9}\Z")
FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\Z")
PROGRESS = re.compile(r"(\d+)/(\d+) trials")
ACTIVE = ("queued", "running", "cancelling")
RESUMABLE = ("interrupted", "incomplete")
REPORT_TIMEOUT = 900

HERE = os.path.dirname(os.path.abspath(__file__))
REPORT_CLI = os.path.join(os.path.dirname(HERE), "caseflow_report.py")


def now():
    return time.strftime("%Y-%m-%d %H:%M:%S")


class Run:
    FIELDS = ("id", "kind", "label", "status", "created", "started", "finished", "exit_code", "message",
              "cfg", "h5", "replications", "seed", "done", "total", "report", "report_message", "study",
              "origin", "resume", "tables")

    def __init__(self, **kw):
        for f in self.FIELDS:
            setattr(self, f, kw.get(f))
        self.done = self.done or 0
        self.total = self.total or 0
        self.tables = self.tables or []
        self.cancel_requests = 0

    def to_json(self):
        return {f: getattr(self, f) for f in self.FIELDS}

    @property
    def active(self):
        return self.status in ACTIVE

    @property
    def resumable(self):
        return self.status in RESUMABLE


def _inside(path, root):
    real, real_root = os.path.realpath(path), os.path.realpath(root)
    return os.path.commonpath([real, real_root]) == real_root


def slug(text, limit=40):
    s = re.sub(r"[^A-Za-z0-9]+", "-", text or "").strip("-").lower()
    return s[:limit].strip("-") or "run"


class RunStore:
    """The runs folder; every path it hands out is inside it."""

    def __init__(self, root):
        self.root = os.path.realpath(root)
        self.runs_dir = os.path.join(self.root, "runs")
        os.makedirs(self.runs_dir, exist_ok=True)
        self.lock = threading.RLock()
        self.runs = {}
        for name in sorted(os.listdir(self.runs_dir)):
            if RUN_ID.match(name) and not os.path.islink(os.path.join(self.runs_dir, name)):
                r = self._load(name)
                if r is not None:
                    self.runs[name] = r

    def _load(self, rid):
        try:
            with open(os.path.join(self.runs_dir, rid, "run.json"), encoding="utf-8") as fh:
                doc = json.load(fh)
        except (OSError, ValueError):
            return None
        doc["id"] = rid
        return Run(**{k: v for k, v in doc.items() if k in Run.FIELDS})

    def dir_of(self, run):
        return os.path.join(self.runs_dir, run.id)

    def _safe_dir(self, run, sub=None):
        """The run's folder (or its subfolder), or None when it or the folder
        on the way is a symlink or resolves outside the runs folder."""
        base = self.dir_of(run)
        parts = [base] + ([os.path.join(base, sub)] if sub else [])
        if any(os.path.islink(p) or not os.path.isdir(p) for p in parts):
            return None
        if not _inside(parts[-1], self.runs_dir):
            return None
        return parts[-1]

    def file_of(self, run, name, sub=None):
        """Path of a file in the run's folder (or in one of the subfolders
        the app makes), or None: the name must be a plain file name and the
        file a regular file, not a symlink, inside the runs folder."""
        if run is None or sub not in (None, "report", "tables", "sweep"):
            return None
        if not isinstance(name, str) or not FILE_NAME.match(name) or ".." in name:
            return None
        base = self._safe_dir(run, sub)
        if base is None:
            return None
        path = os.path.join(base, name)
        if os.path.islink(path) or not os.path.isfile(path) or not _inside(path, base):
            return None
        return path

    def subdir_file(self, run, sub, name):
        return self.file_of(run, name, sub) if sub is not None else None

    def get(self, rid):
        if not isinstance(rid, str) or not RUN_ID.match(rid):
            return None
        with self.lock:
            return self.runs.get(rid)

    def all(self):
        with self.lock:
            return sorted(self.runs.values(), key=lambda r: r.id, reverse=True)

    def create(self, kind, label, files, **meta):
        """A new run folder with `files` ({name: text}) written in it."""
        with self.lock:
            n = 1 + max((int(r[1:]) for r in self.runs), default=0)
            while True:
                rid = f"r{n:04d}"
                try:
                    os.mkdir(os.path.join(self.runs_dir, rid))
                    break
                except FileExistsError:
                    n += 1
            run = Run(id=rid, kind=kind, label=label or f"run {n}", status="queued", created=now(),
                      h5=f"{rid}-{slug(label)}.h5", report="none", **meta)
            for name, text in files.items():
                with open(os.path.join(self.runs_dir, rid, name), "w", encoding="utf-8") as fh:
                    fh.write(text)
            self.runs[rid] = run
            self.save(run)
            return run

    def save(self, run):
        with self.lock:
            d = self.dir_of(run)
            tmp = os.path.join(d, ".run.json.tmp")
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(run.to_json(), fh, indent=1)
            os.replace(tmp, os.path.join(d, "run.json"))

    def read_json(self, run, name):
        p = self.file_of(run, name)
        if p is None:
            return None
        try:
            with open(p, encoding="utf-8") as fh:
                return json.load(fh)
        except (OSError, ValueError):
            return None


class RunQueue:
    def __init__(self, store, binary, max_parallel=None, python=sys.executable, post_process=None,
                 make_reports=True):
        self.store = store
        self.binary = binary
        self.cores = os.cpu_count() or 1
        self.max_parallel = max(1, int(max_parallel or self.cores))
        self.python = python
        self.post_process = post_process      # callable(run, run_dir) after a successful run (studies)
        self.make_reports = make_reports
        self.report_proc = None
        self.q = queue.Queue()
        self.procs = {}
        self.running = 0
        self.lock = threading.Lock()
        self.stopping = False
        self.threads = [threading.Thread(target=self._worker, name=f"caseflow-run-{i}", daemon=True)
                        for i in range(self.max_parallel)]
        # Reports are made one at a time apart from the runs, so a finished
        # run frees its slot for the next simulation at once.
        self.report_q = queue.Queue()
        self.threads.append(threading.Thread(target=self._report_worker, name="caseflow-reports", daemon=True))
        self._recover()
        for t in self.threads:
            t.start()

    def _recover(self):
        """Runs a previous server left: queued ones wait again; running ones
        were cut off (their file, if any, is the simulator's incomplete one)."""
        for run in sorted(self.store.all(), key=lambda r: r.id):
            if run.status == "queued":
                self.q.put(run.id)
            elif run.status == "done" and run.report in ("queued", "running"):
                self.report_q.put(run.id)
            elif run.status in ("running", "cancelling"):
                h5 = self.store.file_of(run, run.h5)
                complete = h5 is not None and _complete(h5)
                run.finished = now()
                if complete:         # the simulator finished after the server had gone
                    run.status, run.message = "done", ""
                    self.store.save(run)
                    threading.Thread(target=self._post, args=(run,), daemon=True).start()
                    continue
                run.status = "interrupted" if h5 else "failed"
                run.message = ("the server stopped during this run" +
                               ("; the file is incomplete: Resume completes it" if h5 else ""))
                self.store.save(run)

    # -- requests --------------------------------------------------------------

    def submit(self, run):
        self.q.put(run.id)

    def cancel(self, run):
        with self.store.lock:
            if run.status == "queued":
                run.status = "cancelled"
                run.message = "cancelled before it started"
                run.finished = now()
                self.store.save(run)
                return True
            if run.status not in ("running", "cancelling"):
                return False
            proc = self.procs.get(run.id)
            run.status = "cancelling"
            run.cancel_requests += 1
            self.store.save(run)
        if proc is not None and proc.poll() is None:
            try:
                proc.send_signal(signal.SIGINT)
            except OSError:
                pass
        return True

    def resume(self, run):
        with self.store.lock:
            if not run.resumable:
                return False
            run.status = "queued"
            run.resume = True
            run.cancel_requests = 0
            run.message = ""
            run.finished = None
            self.store.save(run)
        self.q.put(run.id)
        return True

    def stop(self, wait=10.0):
        """Interrupts running simulators (their files stay resumable)."""
        self.stopping = True
        for proc in list(self.procs.values()):
            if proc.poll() is None:
                try:
                    proc.send_signal(signal.SIGINT)
                except OSError:
                    pass
        rp = self.report_proc
        if rp is not None and rp.poll() is None:
            rp.kill()                 # a report is remade from the file on demand; nothing is lost
        end = time.time() + wait
        for proc in list(self.procs.values()):
            try:
                proc.wait(max(0.1, end - time.time()))
            except subprocess.TimeoutExpired:
                proc.kill()


    # -- execution -------------------------------------------------------------

    def _worker(self):
        while True:
            rid = self.q.get()
            run = self.store.get(rid)
            if run is None or run.status != "queued" or self.stopping:
                continue
            with self.lock:
                self.running += 1
                active = self.running
            try:
                self._execute(run, max(1, self.cores // active))
            except Exception as e:  # noqa: BLE001 - the server must outlive any run
                traceback.print_exc()
                run.status = "failed"
                run.message = f"internal error in the web page while running: {e}"
                run.finished = now()
                self.store.save(run)
            finally:
                with self.lock:
                    self.running -= 1
                self.procs.pop(rid, None)

    def _execute(self, run, threads):
        d = self.store.dir_of(run)
        argv = [self.binary, "run", run.cfg, "-o", run.h5, "--threads", str(threads)]
        if run.resume:
            argv.append("--resume")
        with self.store.lock:
            if run.status != "queued":      # cancelled while it waited
                return
            run.status = "running"
            run.started = now()
            run.done = 0
            self.store.save(run)
        master, slave = os.openpty()
        try:
            with open(os.path.join(d, "stdout.txt"), "wb") as out, \
                    open(os.path.join(d, "stderr.txt"), "ab") as err:
                try:
                    proc = subprocess.Popen(argv, cwd=d, stdin=subprocess.DEVNULL, stdout=out, stderr=slave,
                                            close_fds=True)
                except OSError as e:
                    os.close(slave)
                    slave = None
                    raise RuntimeError(f"cannot start the simulator: {e.strerror}") from None
                os.close(slave)
                slave = None
                self.procs[run.id] = proc
                if run.cancel_requests:   # cancelled between queue and start
                    proc.send_signal(signal.SIGINT)
                last = self._read_stderr(run, master, err)
                rc = proc.wait()
        finally:
            if slave is not None:
                os.close(slave)
            os.close(master)
        self._finish(run, rc, last)

    def _read_stderr(self, run, master, err):
        """Follows the pseudo-terminal until the simulator closes it; returns
        the last line that is not the progress bar."""
        buf, last = b"", ""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:        # EIO: the simulator's side is closed
                break
            if not chunk:
                break
            buf += chunk
            *lines, buf = re.split(rb"[\r\n]", buf)
            for raw in lines:
                last = self._stderr_line(run, raw, err) or last
        if buf:
            last = self._stderr_line(run, buf, err) or last
        return last

    def _stderr_line(self, run, raw, err):
        text = raw.decode("utf-8", "replace").strip()
        if not text:
            return None
        m = PROGRESS.search(text)
        if m and text.startswith("["):
            run.done, run.total = int(m.group(1)), int(m.group(2))
            return None
        err.write(raw.strip() + b"\n")
        err.flush()
        return text

    def _finish(self, run, rc, last):
        message = re.sub(r"^caseflow: ", "", last or "")
        with self.store.lock:
            run.exit_code = rc
            run.finished = now()
            if rc == 0:
                run.status = "done"
                run.message = ""
                run.done = run.total = max(run.total, run.done)
            elif rc == 5:
                run.status = "interrupted"
                run.message = message or "interrupted"
            elif rc == 6:
                run.status = "incomplete"
                run.message = message or "some replications failed"
            elif rc == -signal.SIGINT and run.cancel_requests:
                # cancelled before the simulator had set up its handler
                run.status = "cancelled"
                run.message = "cancelled as the simulator started; nothing was written"
            elif rc < 0:
                run.status = "failed"
                run.message = (f"the simulator crashed ({signal_name(-rc)}); nothing was written. "
                               "Other runs are not affected.")
            else:
                run.status = "failed"
                run.message = message or f"the simulator stopped with exit code {rc}"
            self.store.save(run)
        if rc == 0:
            self._post(run)

    def _post(self, run):
        """Answer, tables, report (and a study's own page): a failure here is
        shown on the run's page; the run itself succeeded."""
        d = self.store.dir_of(run)
        h5 = os.path.join(d, run.h5)
        try:
            ans = A.read_answer(h5)
            _write_json(os.path.join(d, "answer.json"), ans)
            run.tables = A.write_tables(h5, os.path.join(d, "tables"))
            if self.post_process is not None:
                self.post_process(run, d, ans)
        except Exception as e:  # noqa: BLE001
            traceback.print_exc()
            run.report, run.report_message = "failed", f"reading the result file failed: {e}"
            self.store.save(run)
            return
        run.report = "queued" if self.make_reports else "skipped"
        self.store.save(run)
        if self.make_reports:
            self.report_q.put(run.id)

    def _report_worker(self):
        while True:
            run = self.store.get(self.report_q.get())
            if run is None or self.stopping:
                continue
            try:
                self._report(run)
            except Exception as e:  # noqa: BLE001 - the server must outlive any report
                traceback.print_exc()
                run.report, run.report_message = "failed", f"internal error in the web page: {e}"
                self.store.save(run)

    def _report(self, run):
        """The analysis package's report (and a study's sweep page)."""
        d = self.store.dir_of(run)
        run.report = "running"
        self.store.save(run)
        cmds = [("report", [self.python, REPORT_CLI, "report", run.h5, "-o", "report", "-q"])]
        if run.kind == "study":
            cmds.append(("sweep", [self.python, REPORT_CLI, "sweep", run.h5, "-o", "sweep", "-q"]))
        problems = []
        for what, argv in cmds:
            shutil.rmtree(os.path.join(d, what), ignore_errors=True)
            if self.stopping:
                return
            try:
                self.report_proc = subprocess.Popen(argv, cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                                    text=True, stdin=subprocess.DEVNULL)
                try:
                    _, err = self.report_proc.communicate(timeout=REPORT_TIMEOUT)
                except subprocess.TimeoutExpired:
                    self.report_proc.kill()
                    _, err = self.report_proc.communicate()
                    err = f"took longer than {REPORT_TIMEOUT} s"
                rc = self.report_proc.returncode
                if rc != 0:
                    lines = [x for x in (err or "").splitlines() if x.strip()]
                    problems.append(f"{what}: " + (lines[-1] if lines else f"exit {rc}"))
            except OSError as e:
                problems.append(f"{what}: {e}")
            finally:
                self.report_proc = None
        run.report = "failed" if problems else "done"
        run.report_message = "; ".join(problems)
        self.store.save(run)


def _complete(h5):
    try:
        import h5py
        with h5py.File(h5, "r") as f:
            return bool(int(f.attrs.get("complete", 0)))
    except (OSError, ValueError, TypeError):
        return False


def _finite(obj):
    """NaN and infinities as null: the pages read this JSON back."""
    if isinstance(obj, float):
        return obj if obj == obj and obj not in (float("inf"), float("-inf")) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


def _write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(_finite(obj), fh, indent=1, allow_nan=False, default=str)
    os.replace(tmp, path)
