"""Calls to the simulator binary that answer at once: check and the scenario
list. Runs (long, cancellable) are jobs.py's.

The simulator is the only judge of a scenario: the page never validates
values itself beyond "is this a number", so its messages and the CLI's are
the same sentences.
"""
import os
import subprocess
import tempfile

from . import cfgtext as C

CHECK_TIMEOUT = 30  # seconds; a check takes milliseconds, a hang must not hold a request forever

# exit codes of caseflow (README "Exit codes"; the formats note)
EXIT_MEANING = {
    0: "ok", 1: "internal failure", 2: "bad input", 3: "output problem", 4: "merge or resume refused",
    5: "interrupted", 6: "some trials failed", 7: "unreachable",
}


class CheckResult:
    def __init__(self, ok, message="", returncode=0):
        self.ok = ok
        self.message = message          # the first line of stderr, "caseflow: FILE:LINE: key: what"
        self.returncode = returncode


def check_text(binary, text, work_dir=None, name="scenario.cfg", others=None):
    """Writes the text (and `others`, {name: text}, e.g. a study's base
    scenario) to a private temporary folder and runs `caseflow check` on it
    there, so the message names `scenario.cfg`, not a server path."""
    with tempfile.TemporaryDirectory(prefix="caseflow-web-check-", dir=work_dir) as tmp:
        for n, t in dict(others or {}, **{name: text}).items():
            with open(os.path.join(tmp, n), "w", encoding="utf-8") as fh:
                fh.write(t)
        try:
            p = subprocess.run([binary, "check", name], cwd=tmp, capture_output=True, text=True,
                               timeout=CHECK_TIMEOUT, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return CheckResult(False, f"caseflow check did not answer within {CHECK_TIMEOUT} s", -1)
        except OSError as e:
            return CheckResult(False, f"cannot run the simulator: {e.strerror}", -1)
    if p.returncode == 0:
        return CheckResult(True, "", 0)
    lines = [x for x in p.stderr.splitlines() if x.strip()]
    if p.returncode < 0:
        return CheckResult(False, f"caseflow check crashed ({signal_name(-p.returncode)})", p.returncode)
    return CheckResult(False, lines[0] if lines else f"caseflow check failed (exit {p.returncode})", p.returncode)


def signal_name(num):
    import signal
    try:
        return f"signal {num}, {signal.Signals(num).name}"
    except ValueError:
        return f"signal {num}"


def scenario_kind(text):
    """'scenario', 'study', 'calibrate' or 'plan' from a file's top-level settings;
    None when it cannot be read."""
    try:
        tree = C.parse(text)
    except C.CfgError:
        return None
    if "study" in tree.items:
        return "study"
    if "calibrate" in tree.items:
        return "calibrate"
    if "plan" in tree.items:
        return "plan"
    return "scenario"


def shipped_scenarios(configs_dir):
    """[(file name, first comment line)] of the scenario files in configs/
    (studies and calibrations are not scenarios the form can edit)."""
    out = []
    try:
        names = sorted(os.listdir(configs_dir))
    except OSError:
        return out
    for n in names:
        if not n.endswith(".cfg") or n.startswith("."):
            continue
        path = os.path.join(configs_dir, n)
        if not os.path.isfile(path) or os.path.islink(path):
            continue
        try:
            with open(path, encoding="utf-8") as fh:
                text = fh.read(256 * 1024)
        except (OSError, UnicodeDecodeError):
            continue
        if scenario_kind(text) != "scenario":
            continue
        title = ""
        for line in text.splitlines():
            if line.startswith("#"):
                title = line.lstrip("# ").strip()
                break
        out.append((n, title))
    return out


def embed_snapshot(tree, base_dir):
    """A scenario naming `run.snapshot = "file.csv"` reads that file relative
    to its own folder; the page checks and runs scenarios in folders of its
    own, where the file is not. So when a shipped scenario is loaded, the
    CSV's text is put into the scenario as `snapshot_stored`, exactly as
    caseflow itself stores it (source = the name, csv = the text); the
    simulator then uses the stored text and reads no file. Only a plain name
    or a path below base_dir is read (never an absolute or `..` path).
    Returns a message when the file cannot be read (the check will then say
    the same), else None."""
    snap = C.get(tree, ("run", "snapshot"))
    if not isinstance(snap, C.Scalar) or snap.kind != "string" or "snapshot_stored" in tree.items:
        return None
    base = os.path.realpath(base_dir)
    path = os.path.realpath(os.path.join(base, snap.value))
    if os.path.isabs(snap.value) or not path.startswith(base + os.sep):
        return f"run.snapshot: {snap.value}: only a file next to the scenario can be loaded here"
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            csv = fh.read(4 * 1024 * 1024)
    except (OSError, UnicodeDecodeError) as e:
        return f"run.snapshot: {snap.value}: {getattr(e, 'strerror', None) or e}"
    stored = C.Group()
    stored.items["source"] = C.string(snap.value)
    stored.items["csv"] = C.string(csv.replace("\r", ""))
    tree.items["snapshot_stored"] = stored
    return None
