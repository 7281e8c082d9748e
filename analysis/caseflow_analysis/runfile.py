"""Opening and reading caseflow HDF5 files.

Every reader goes through open_caseflow(), which checks the root attributes
`format` and `format_version` and says clearly when a file is not a caseflow
file or has a layout this code does not know. Readers then use what is
present and skip what is absent: the layout grows (per-worker and per-source
groups, study files, money ledgers), so absence of an optional section is a
note on the page, never a crash.
"""
from __future__ import annotations

import math
import os
import re
from collections import Counter
from typing import Any, Iterator, Optional, Sequence

import numpy as np

from .errors import InputError
from .names import display_name, num_text
from .resolved import ResolvedError, ResolvedParameters, resolved_parameters

# File kinds and the format_version values this code reads.
SUPPORTED = {
    "caseflow-run": (1, 2, 3),
    "caseflow-study": (1, 2, 3),
}

DEFAULT_DAYS_PER_MONTH = 365.25 / 12.0

SERIES_NAMES = ("referrals", "waiting", "active", "meetings", "utilisation", "exits")


def _h5py():
    try:
        import h5py  # noqa: WPS433
    except ImportError as e:  # pragma: no cover - environment problem
        raise InputError(
            "h5py is not available to this Python; run with /usr/bin/python3 "
            "(Debian's, with python3-h5py installed)") from e
    return h5py


def as_text(value: Any) -> str:
    """An HDF5 string (bytes, numpy bytes, str, 0-d array) as str."""
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value[()]
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode("utf-8", errors="replace").rstrip("\x00")
    return str(value)


def as_number(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        value = value.reshape(-1)[0] if value.size else math.nan
    return value.item() if hasattr(value, "item") else value


def open_caseflow(path: str | os.PathLike, kinds: Optional[Sequence[str]] = None) -> tuple[Any, str, int]:
    """Opens path read-only after checking it is a caseflow file of a kind in
    `kinds` (default: any supported kind) with a supported format_version.

    Returns (h5py.File, kind, version); raises InputError with one clear
    sentence otherwise."""
    h5py = _h5py()
    path = os.fspath(path)
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file")
    if os.path.isdir(path):
        raise InputError(f"{path}: is a directory, not an HDF5 file")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: permission denied")
    try:
        is_h5 = h5py.is_hdf5(path)
    except OSError:
        is_h5 = False
    if not is_h5:
        raise InputError(f"{path}: not an HDF5 file (caseflow writes HDF5 with `caseflow run CONFIG -o FILE.h5`)")
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise InputError(f"{path}: cannot be opened as HDF5 ({e})") from e
    try:
        if "format" not in f.attrs:
            raise InputError(f"{path}: an HDF5 file, but not a caseflow file (no 'format' attribute on the root group)")
        kind = as_text(f.attrs["format"])
        if kind not in SUPPORTED:
            if kind.startswith("caseflow"):
                raise InputError(
                    f"{path}: unsupported caseflow file kind '{kind}' (this analysis reads "
                    f"{', '.join(sorted(SUPPORTED))}); update analysis/")
            raise InputError(f"{path}: not a caseflow file (format is '{kind}', expected 'caseflow-run')")
        if "format_version" not in f.attrs:
            raise InputError(f"{path}: unsupported layout: '{kind}' file without a format_version attribute")
        try:
            version = int(as_number(f.attrs["format_version"]))
        except (TypeError, ValueError):
            raise InputError(f"{path}: unsupported layout: format_version is not an integer") from None
        if version not in SUPPORTED[kind]:
            known = ", ".join(str(v) for v in SUPPORTED[kind])
            hint = ("written by a newer caseflow; update analysis/" if version > max(SUPPORTED[kind])
                    else "written by an older caseflow; re-run the scenario")
            raise InputError(
                f"{path}: unsupported layout: {kind} format_version {version} "
                f"(this analysis reads format_version {known}); {hint}")
        if kinds is not None and kind not in kinds:
            raise InputError(f"{path}: a {kind} file, but this command needs {' or '.join(kinds)}")
    except Exception:
        f.close()
        raise
    return f, kind, version


def _attrs(obj):
    out = {}
    for k in obj.attrs.keys():
        v = obj.attrs[k]
        if isinstance(v, (bytes, np.bytes_, str)):
            out[k] = as_text(v)
        else:
            try:
                out[k] = as_number(v)
            except Exception:  # noqa: BLE001 - unusual attribute; keep its text
                out[k] = str(v)
    return out


def _table(ds):
    """A compound dataset as a list of dicts with text decoded."""
    rows = []
    arr = ds[...]
    for r in arr:
        row = {}
        for k in arr.dtype.names:
            v = r[k]
            row[k] = as_text(v) if isinstance(v, (bytes, np.bytes_, str)) else as_number(v)
        rows.append(row)
    return rows


PARAMETERS_UNKNOWN = ("the scenario parameters are unknown (only a study's swept values are read), "
                      "so there is no parameter table")


class StudyParametersOnly:
    """The parameters of a file without /resolved: only the values a study
    swept (/scenario_parameters), which the file stores as numbers. The same
    interface as resolved.ResolvedParameters (scenario, texts, defaults,
    varying)."""

    def __init__(self, n_scenarios: int, parameter_names: list[str], scenario_parameters: Any) -> None:
        self._params: list[dict[str, Any]] = []
        for s in range(n_scenarios):
            params: dict[str, Any] = {}
            if scenario_parameters is not None and s < scenario_parameters.shape[0]:
                for j, k in enumerate(parameter_names):
                    v = float(scenario_parameters[s, j])
                    params[k] = int(v) if v == int(v) else v
            self._params.append(params)

    def scenario(self, s: int) -> dict[str, Any]:
        return dict(self._params[s]) if s < len(self._params) else {}

    def texts(self, s: int) -> dict[str, str]:
        return {k: f"{v:.6g}" if isinstance(v, float) else str(v) for k, v in self.scenario(s).items()}

    def defaults(self, s: int) -> set[str]:
        return set()

    def varying(self) -> list[str]:
        keys: list[str] = []
        for p in self._params:
            keys += [k for k in p if k not in keys]
        return [k for k in keys if len({repr(p.get(k)) for p in self._params}) > 1]


class RunFile:
    """A caseflow-run file read whole (except /participants, which is read
    in chunks on demand).

    Since studies, rows of /replications, /exits_by_destination and /series
    are trials (scenario x replication) and a plain run is a study of one
    scenario; files from before that have no scenario column and are read as
    one scenario. view(s) gives one scenario's data."""

    def __init__(self, path: str | os.PathLike, series: bool = True) -> None:
        self.path = os.fspath(path)
        self.notes = []
        self.load_series = series
        f, self.kind, self.version = open_caseflow(self.path, kinds=("caseflow-run",))
        with f:
            self._read(f)

    def _read(self, f):
        self.attrs = _attrs(f)
        self.dpm = float(self.attrs.get("days_per_month", DEFAULT_DAYS_PER_MONTH))
        if "days_per_month" not in self.attrs:
            self.notes.append("No days_per_month attribute: assumed 365.25/12 days per month.")

        self.destinations = [as_text(x) for x in f["destinations"][...]] if _is_dataset(f, "destinations") else None
        self.rows = f["replications"][...] if _is_dataset(f, "replications") else None
        self.exits_by_destination = (f["exits_by_destination"][...].astype(float)
                                     if _is_dataset(f, "exits_by_destination") else None)
        self.series, self.series_units = {}, {}
        if self.load_series and "series" in f and hasattr(f["series"], "keys"):
            for name, ds in f["series"].items():
                if hasattr(ds, "shape"):
                    self.series[name] = ds[...].astype(float)
                    if "units" in ds.attrs:
                        self.series_units[name] = as_text(ds.attrs["units"])
        self.summary = _table(f["summary"]) if _is_compound(f, "summary") else None
        self.paired_differences = _table(f["paired_differences"]) if _is_compound(f, "paired_differences") else None
        self.scenarios = None
        self.has_scenarios_table = _is_compound(f, "scenarios")
        if self.has_scenarios_table:
            self.scenarios = _table(f["scenarios"])
        self.parameter_names = ([as_text(x) for x in f["parameter_names"][...]]
                                if _is_dataset(f, "parameter_names") else [])
        self.scenario_parameters = (f["scenario_parameters"][...].astype(float)
                                    if _is_dataset(f, "scenario_parameters") else None)
        self.has_participants = _is_compound(f, "participants")
        # caseflow run --records none|sample=N: the records are absent or a
        # sample, so what is built from them (caseload per worker, time to
        # exit, their cross-checks) is left out rather than computed wrong.
        records = as_text(self.attrs.get("participant_records", "all"))
        if self.has_participants and records != "all":
            self.has_participants = False
            self.notes.append(f"The run kept participant records '{records}' (caseflow run --records), not all of "
                              "them: the pages built from /participants are left out.")
        self.participant_rows = f["participants"].shape[0] if self.has_participants else 0
        self.participant_fields = f["participants"].dtype.names if self.has_participants else ()
        self.targets = read_targets(f) if "targets" in f else []
        self._read_money(f)
        self._read_trial_extras(f)
        self.diagnostics = read_diagnostics(f) if "diagnostics" in f else None
        known = ("destinations", "replications", "exits_by_destination", "series", "summary", "participants",
                 "targets", "scenarios", "parameter_names", "scenario_parameters", "paired_differences",
                 "resolved", "trial_extras", "sensitivity")
        if self.diagnostics is not None:
            known += ("diagnostics",)
        if self.money_trials is not None or self.money_summary is not None:
            known += ("money",)
        self.other_groups = sorted(k for k in f.keys() if k not in known)

        self.horizon = int(self.attrs.get("horizon_months", 0) or 0)
        self.warmup = int(self.attrs.get("warmup_months", 0) or 0)
        if self.horizon == 0:
            for arr in self.series.values():
                if arr.ndim >= 2:
                    self.horizon = arr.shape[1]
                    break
        n_rows = len(self.rows) if self.rows is not None else (
            next(iter(self.series.values())).shape[0] if self.series else 0)
        self.n_rows = n_rows
        if self.destinations is None:
            nd = None
            if self.exits_by_destination is not None:
                nd = self.exits_by_destination.shape[1]
            elif "exits" in self.series and self.series["exits"].ndim == 3:
                nd = self.series["exits"].shape[2]
            if nd is not None:
                self.destinations = [f"destination {i}" for i in range(nd)]
                self.notes.append("No /destinations: destinations are shown by index.")
        for name, arr in list(self.series.items()):
            if arr.ndim < 2 or arr.shape[:2] != (n_rows, self.horizon):
                self.notes.append(f"/series/{name} has shape {arr.shape}, expected ({n_rows}, {self.horizon}, ...): "
                                  "not used.")
                del self.series[name]
        if self.exits_by_destination is not None and self.exits_by_destination.shape[0] != n_rows:
            self.notes.append("/exits_by_destination does not have one row per trial: not used.")
            self.exits_by_destination = None

        names = self.rows.dtype.names if self.rows is not None else ()
        self.row_scenario = (self.rows["scenario"].astype(np.int64) if "scenario" in names
                             else np.zeros(n_rows, np.int64))
        self.row_replication = (self.rows["replication"].astype(np.int64) if "replication" in names
                                else np.arange(n_rows, dtype=np.int64))
        self.row_done = (self.rows["status"] == 1) if "status" in names else np.ones(n_rows, bool)
        if self.scenarios is None:
            self.scenarios = [{"index": 0, "name": "base", "settings": ""}]
            if int(self.row_scenario.max(initial=0)) > 0:
                self.scenarios = [{"index": i, "name": f"scenario {i}", "settings": ""}
                                  for i in range(int(self.row_scenario.max()) + 1)]
        complete = self.attrs.get("complete")
        if complete is not None and not complete:
            first = self.attrs.get("first_trial", "?")
            count = self.attrs.get("trial_count", "?")
            total = self.attrs.get("trials_total", "?")
            self.notes.append(f"The file is incomplete (complete = 0): it holds trials {first} to "
                              f"{first + count - 1 if isinstance(first, int) and isinstance(count, int) else '?'} "
                              f"of {total} (a task's slice, or a run that failed). Statistics use the finished "
                              "trials present; merge the task files with `caseflow merge` for the whole study.")
        if self.trial_extras is not None and self.trial_extras.shape[0] != n_rows:
            self.notes.append(f"/trial_extras has {self.trial_extras.shape[0]} rows, expected one per trial "
                              f"({n_rows}): not used.")
            self.trial_extras = None
        if self.money_trials is not None and self.money_trials.shape[0] != n_rows:
            self.notes.append(f"/money/trials has {self.money_trials.shape[0]} rows, expected one per trial "
                              f"({n_rows}): not used.")
            self.money_trials = None
        not_done = int((~self.row_done).sum())
        if not_done:
            self.notes.append(f"{not_done} trial row(s) are not finished (status ≠ 1) and are left out.")
        self.parameters = self._read_parameters(f)

    def _read_parameters(self, f: Any) -> "ResolvedParameters | StudyParametersOnly":
        """Every scenario's parameters: /resolved (the simulator's own
        resolved values, defaults included). A file without it (written
        before format_version 3) has no parameters this package can know: the
        scenario text is not parsed here (issue 12), so only a study's swept
        values (/scenario_parameters) are known, and a note says so."""
        try:
            res = resolved_parameters(f)
        except ResolvedError as e:
            res = None
            self.notes.append(f"{e}: {PARAMETERS_UNKNOWN}")
        else:
            if res is not None and res.n_scenarios != self.n_scenarios:
                self.notes.append(f"/resolved holds {res.n_scenarios} scenarios, the file {self.n_scenarios}: "
                                  f"{PARAMETERS_UNKNOWN}")
                res = None
            elif res is None:
                self.notes.append(f"This file has no /resolved (written before format_version 3): "
                                  f"{PARAMETERS_UNKNOWN}")
        self.has_resolved = res is not None
        if res is not None:
            return res
        return StudyParametersOnly(self.n_scenarios, self.parameter_names, self.scenario_parameters)

    def _read_trial_extras(self, f: Any) -> None:
        """/trial_extras (format 2): [T, X] numbers per trial named by the
        attribute `columns` (docs/OUTPUT.md)."""
        self.trial_extras, self.trial_extras_columns = None, []
        if not _is_dataset(f, "trial_extras"):
            return
        ds = f["trial_extras"]
        cols = [as_text(c) for c in ds.attrs["columns"]] if "columns" in ds.attrs else []
        if ds.ndim == 2 and len(cols) == ds.shape[1]:
            self.trial_extras = ds[...].astype(float)
            self.trial_extras_columns = cols
        else:
            self.notes.append(f"/trial_extras has shape {ds.shape} but {len(cols)} names in its `columns` "
                              "attribute: not used.")

    def _read_money(self, f):
        """/money (format 2, only with a `money` section): trials [T, Y] named
        by the attribute `columns`, and /money/summary, /money/paired_differences
        compounds like /summary."""
        self.money_trials, self.money_columns = None, []
        self.money_summary = self.money_paired_differences = None
        g = f.get("money") if "money" in f else None
        if g is None or not hasattr(g, "keys"):
            return
        if _is_dataset(g, "trials"):
            ds = g["trials"]
            cols = [as_text(c) for c in ds.attrs["columns"]] if "columns" in ds.attrs else []
            if ds.ndim == 2 and len(cols) == ds.shape[1]:
                self.money_trials = ds[...].astype(float)
                self.money_columns = cols
            else:
                self.notes.append(f"/money/trials has shape {ds.shape} but {len(cols)} names in its `columns` "
                                  "attribute: not used.")
        if _is_compound(g, "summary"):
            self.money_summary = _table(g["summary"])
        if _is_compound(g, "paired_differences"):
            self.money_paired_differences = _table(g["paired_differences"])

    @property
    def n_scenarios(self) -> int:
        return len(self.scenarios)

    def scenario_names(self) -> list[str]:
        return [str(s.get("name", i)) for i, s in enumerate(self.scenarios)]

    def display_names(self) -> list[str]:
        """Scenario names with their numbers in shortest round-trip form
        (names.display_name), for pages and tables."""
        if not hasattr(self, "_display_names"):
            out, values, stored = [], [], self.scenario_names()
            for s, name in enumerate(stored):
                if self.scenario_parameters is not None and s < self.scenario_parameters.shape[0]:
                    v = {k: float(self.scenario_parameters[s, j]) for j, k in enumerate(self.parameter_names)}
                else:
                    v = self.params_of(s)
                values.append(v)
                out.append(display_name(name, v))
            # Names the simulator cut are rebuilt from the keys that vary across the study: a long generated
            # name is cut to 63 characters, ending "~<grid point>" (older simulators cut it bare, so several
            # grid points could share one name: those are the names that are not unique).
            varying = [k for k in self.parameter_names if len({vals.get(k) for vals in values}) > 1]
            counts = Counter(out)
            for s, name in enumerate(out):
                if (counts[name] > 1 or _was_cut(stored[s])) and varying:
                    out[s] = ", ".join(f"{k.split('.')[-1]}={num_text(values[s][k])}" for k in varying
                                       if isinstance(values[s].get(k), (int, float)))
            self._display_names = out
        return self._display_names

    def scenario_index(self, key: str | int | None) -> int:
        """A scenario by index, name or displayed name; InputError listing
        the names otherwise."""
        if key is None:
            return 0
        names = self.scenario_names()
        if str(key) in names:
            return names.index(str(key))
        if str(key) in self.display_names():
            return self.display_names().index(str(key))
        try:
            i = int(key)
        except (TypeError, ValueError):
            i = -1
        if 0 <= i < len(names):
            return i
        raise InputError(f"{self.path}: no scenario '{key}' (scenarios: "
                         + "; ".join(f"{j} = {n}" for j, n in enumerate(names)) + ")")

    def params_of(self, s: int) -> dict[str, Any]:
        """{key: value} of scenario s as the run used it."""
        return self.parameters.scenario(s)

    def view(self, s: int = 0) -> "RunData":
        return RunData(self, s)


class RunData:
    """One scenario of a run file: the arrays restricted to its finished
    trials, ordered by replication. `notes` collects one sentence per section
    that is absent or unusable."""

    def __init__(self, source: "RunFile | str | os.PathLike", scenario: str | int | None = None) -> None:
        rf = source if isinstance(source, RunFile) else RunFile(source)
        s = rf.scenario_index(scenario)
        self.file = rf
        self.scenario = s
        self.scenario_name = rf.display_names()[s]
        self.stored_scenario_name = rf.scenario_names()[s]
        self.n_scenarios = rf.n_scenarios
        self.path, self.kind, self.version = rf.path, rf.kind, rf.version
        self.attrs, self.dpm = rf.attrs, rf.dpm
        self.master_seed = rf.attrs.get("master_seed")
        self.notes = list(rf.notes)
        self.params = rf.params_of(s)
        self.param_texts = rf.parameters.texts(s)
        self.param_defaults = rf.parameters.defaults(s)
        self.destinations = rf.destinations
        self.horizon, self.warmup = rf.horizon, rf.warmup
        self.measured_months = self.horizon - self.warmup
        sel = np.flatnonzero((rf.row_scenario == s) & rf.row_done)
        sel = sel[np.argsort(rf.row_replication[sel], kind="stable")]
        self.row_index = sel
        self.rep_ids = rf.row_replication[sel]
        self.n_reps = int(sel.size)
        self.replications = rf.rows[sel] if rf.rows is not None else None
        self.exits_by_destination = rf.exits_by_destination[sel] if rf.exits_by_destination is not None else None
        self.series = {k: v[sel] for k, v in rf.series.items()}
        self.series_units = rf.series_units
        self.summary = None
        if rf.summary is not None:
            self.summary = [dict(r) for r in rf.summary if int(r.get("scenario", 0)) == s]
        self.has_participants = rf.has_participants
        self.participant_rows = rf.participant_rows
        self.targets = rf.targets
        self.other_groups = rf.other_groups
        # /money: {column: array over this scenario's replications}; None without /money/trials
        self.money = ({c: rf.money_trials[sel, j] for j, c in enumerate(rf.money_columns)}
                      if rf.money_trials is not None else None)
        self.money_summary = ([dict(r) for r in rf.money_summary if int(r.get("scenario", 0)) == s]
                              if rf.money_summary is not None else None)
        # /trial_extras: {column: array over this scenario's replications}; None without it
        self.extras = ({c: rf.trial_extras[sel, j] for j, c in enumerate(rf.trial_extras_columns)}
                       if rf.trial_extras is not None else None)
        self.diagnostics = (rf.diagnostics.for_scenario(s, self.stored_scenario_name, rf.n_scenarios)
                            if rf.diagnostics is not None else None)
        if self.n_reps == 0:
            raise InputError(f"{self.path}: scenario '{self.scenario_name}' has no finished trials in this file")

    def param_text(self, key: str) -> str:
        """A parameter's value as it would be written in a scenario file
        ("—" when the scenario has no such key)."""
        return self.param_texts.get(key, "—")

    @property
    def workers(self) -> Optional[int]:
        w = self.params.get("staff.workers")
        return int(w) if isinstance(w, (int, float)) and w > 0 else None

    @property
    def caseload_cap(self) -> Optional[int]:
        c = self.params.get("staff.caseload_cap")
        return int(c) if isinstance(c, (int, float)) and c > 0 else None

    def iter_participants(self, fields: Sequence[str], chunk: int = 1 << 21) -> Iterator[dict[str, np.ndarray]]:
        """Yields dicts field -> array over this scenario's /participants rows,
        in chunks (bounded memory). Field 'local' is the participant's row in
        this view's arrays (0 .. n_reps-1); rows of other scenarios or of
        unfinished trials are dropped."""
        if not self.has_participants:
            return
        names = self.file.participant_fields
        missing = [x for x in fields if x not in names]
        if missing:
            raise InputError(f"{self.path}: /participants lacks the field(s) {', '.join(missing)}")
        lookup = np.full(int(self.rep_ids.max(initial=0)) + 2, -1, dtype=np.int64)
        lookup[self.rep_ids] = np.arange(self.n_reps)
        has_scenario = "scenario" in names
        read = list(dict.fromkeys(list(fields) + ["replication"] + (["scenario"] if has_scenario else [])))
        f, _, _ = open_caseflow(self.path, kinds=("caseflow-run",))
        with f:
            ds = f["participants"]
            for start in range(0, ds.shape[0], chunk):
                block = ds[start:start + chunk]
                keep = np.ones(len(block), bool)
                if has_scenario:
                    keep &= block["scenario"] == self.scenario
                rep = block["replication"].astype(np.int64)
                keep &= (rep >= 0) & (rep < lookup.size - 1)
                local = np.where(keep, lookup[np.clip(rep, 0, lookup.size - 1)], -1)
                keep &= local >= 0
                out = {name: block[name][keep] for name in read}
                out["local"] = local[keep]
                yield out


def _is_dataset(f, name):
    return name in f and hasattr(f[name], "shape")


def _is_compound(f, name):
    return _is_dataset(f, name) and f[name].dtype.names is not None


DIAGNOSTIC_NAMES = ("overloaded", "unsettled", "warnings", "offered_load", "capacity", "waiting_trend_per_month",
                    "waiting_trend_lo", "waiting_trend_hi", "suggested_warmup_months")


CUT_NAME = re.compile(r"~\d+$")
STUDY_NAME_CHARS = 63  # sim/scenario/study.h STUDY_NAME_LEN less the terminating NUL


def _was_cut(stored: str) -> bool:
    """A generated grid name the simulator cut to fit (study.c: cut, then
    "~<point>" so cut names stay unique)."""
    return len(stored) == STUDY_NAME_CHARS and bool(CUT_NAME.search(stored))


class Diagnostics:
    """/diagnostics: attributes for the whole file, or datasets of length S
    (one value per scenario) where scenarios differ (/tmp/formats.md,
    docs/OUTPUT.md "Diagnostics"). The one reader of the group: the report's
    Warnings section and the web page's answer both take for_scenario()."""

    FLAGS = ("overloaded", "unsettled")

    def __init__(self, values: dict[str, Any], per_scenario: dict[str, list[Any]]) -> None:
        self.values, self.per_scenario = values, per_scenario

    def for_scenario(self, s: int, name: Optional[str] = None, n_scenarios: int = 1) -> dict[str, Any]:
        """Scenario s's values (its dataset entry where there is one, else
        the attribute); the flags as bools; `warnings` as a list of lines
        about this scenario. In a study the simulator writes every
        scenario's warnings in one text, each line starting "scenario
        'name': ": this scenario's lines are kept without that prefix, lines
        about another scenario are dropped, lines naming none are kept."""
        out = dict(self.values)
        for k, v in self.per_scenario.items():
            if s < len(v):
                out[k] = v[s]
        for k in self.FLAGS:
            if k in out:
                try:
                    out[k] = float(out[k]) == 1.0
                except (TypeError, ValueError):
                    out[k] = False
        lines = [x.strip() for x in as_text(out.get("warnings", "") or "").splitlines() if x.strip()]
        if n_scenarios > 1 and "warnings" not in self.per_scenario:
            mine = f"scenario '{name}': " if name is not None else None
            kept = []
            for x in lines:
                if mine is not None and x.startswith(mine):
                    kept.append(x[len(mine):])
                elif not x.startswith("scenario '"):
                    kept.append(x)
            lines = kept
        out["warnings"] = lines
        out["rules"] = as_text(out.get("rules", "") or "")
        return out


def read_diagnostics(f: Any) -> Optional[Diagnostics]:
    g = f["diagnostics"]
    if not hasattr(g, "keys"):
        return None
    values = _attrs(g)
    per = {}
    for name, ds in g.items():
        if hasattr(ds, "shape") and ds.ndim == 1:
            per[name] = [as_text(v) if isinstance(v, (bytes, np.bytes_, str)) else as_number(v) for v in ds[...]]
    return Diagnostics(values, per)


TARGET_KINDS = ("exits", "share")


def read_targets(f: Any) -> list[dict[str, Any]]:
    """Targets, if the file has them, as a list of dicts.

    Proposed layout (not written by the simulator yet): /targets, a compound
    dataset with fields name (str), destination (str: a destination name or
    'all'), kind (str: 'exits' = cumulative exits at least `value`, 'share'
    = share of exits at least `value`), value (float), from_month and
    by_month (int; counted from the start of the run, months from_month+1
    to by_month inclusive)."""
    ds = f["targets"]
    if not hasattr(ds, "dtype") or ds.dtype.names is None:
        return []
    out = []
    for r in ds[...]:
        row = {}
        for k in ds.dtype.names:
            v = r[k]
            row[k] = as_text(v) if isinstance(v, (bytes, np.bytes_, str)) else as_number(v)
        out.append(row)
    return out
