"""The answer read from a run file: the simulator's rows as they are, the
service-level metrics and /diagnostics when a file has them (the formats
note), the fallbacks when it does not, and the CSV tables."""
import csv
import json
import os
import shutil
import subprocess

import h5py
import numpy as np

from caseflow_web import answer as A

from conftest import CONFIGS, editor_form, run_id, submit, wait_for


def run(real_bin, tmp_path, name, *sets, reps=4):
    out = tmp_path / f"{name}.h5"
    args = [real_bin, "run", os.path.join(CONFIGS, "default.cfg"), "-o", str(out), "--reps", str(reps), "--quiet"]
    for s in sets:
        args += ["-s", s]
    subprocess.run(args, check=True, capture_output=True)
    return str(out)


def add_rows(path, rows, drop_prefixes=()):
    """Sets /summary rows (as a simulator with service levels would write):
    rows of the same metric, and any whose name starts with one of
    drop_prefixes, are taken out first (today's simulator writes service
    levels of its own)."""
    names = {m for m, *_ in rows}
    with h5py.File(path, "r+") as f:
        old = f["summary"][...]
        keep = [r["metric"].decode() not in names and not r["metric"].decode().startswith(tuple(drop_prefixes))
                for r in old]
        old = old[np.asarray(keep, bool)]
        new = np.zeros(len(rows), dtype=old.dtype)
        for i, (metric, unit, mean, lo, hi) in enumerate(rows):
            new[i] = (0, metric.encode(), unit.encode(), mean, lo, hi, old["replications"][0])
        del f["summary"]
        f.create_dataset("summary", data=np.concatenate([old, new]))


def test_answer_is_the_files_summary(real_bin, tmp_path):
    h5 = run(real_bin, tmp_path, "base")
    a = A.read_answer(h5)["scenarios"][0]
    with h5py.File(h5) as f:
        rows = {r["metric"].decode(): r for r in f["summary"][...]}
    # today's simulator writes the service levels: the median wait leads, P(wait <= X) for its thresholds
    assert a["wait"]["metric"] == "wait_median_days" and a["wait"]["label"] == "median wait"
    assert a["wait"]["mean"] == float(rows["wait_median_days"]["mean"])
    assert a["wait"]["lo"] == float(rows["wait_median_days"]["ci_low"])
    within = sorted((float(k[len("wait_within_"):-1]), k) for k in rows if k.startswith("wait_within_"))
    assert [(x["days"], x["mean"]) for x in a["service"]] == [(d, float(rows[k]["mean"])) for d, k in within]
    assert within and [w["metric"] for w in a["wait_more"]] == ["wait_mean_days", "wait_p90_days", "wait_p95_days"]
    assert a["exits_total"]["mean"] == float(rows["exits_per_month"]["mean"])
    assert [e["destination"] for e in a["exits"]] == ["work", "studies", "other_measure", "dropout"]
    assert a["money"] is None and a["targets"] == []
    assert (a["workers"], a["cap"]) == (12, 20)


def test_answer_of_a_file_without_service_levels(real_bin, tmp_path):
    """A format-2 file (before the service levels) has only the mean wait of
    those assigned, under its old name wait_days: shown under that name."""
    h5 = run(real_bin, tmp_path, "old")
    with h5py.File(h5, "r+") as f:
        old = f["summary"][...]
        keep = np.asarray([not r["metric"].decode().startswith(("wait_", "programme_")) or
                           r["metric"].decode() == "wait_days_assigned" for r in old], bool)
        new = old[keep]
        for r in new:
            if r["metric"] == b"wait_days_assigned":
                r["metric"] = b"wait_days"
        del f["summary"]
        f.create_dataset("summary", data=new)
        wait = float(new[new["metric"] == b"wait_days"]["mean"][0])
    a = A.read_answer(h5)["scenarios"][0]
    assert a["wait"]["metric"] == "wait_days" and a["wait"]["label"] == "mean wait (among those assigned)"
    assert a["wait"]["mean"] == wait
    assert a["service"] == [] and a["wait_more"] == []


def test_service_levels_and_median_are_shown_when_the_file_has_them(real_bin, tmp_path):
    h5 = run(real_bin, tmp_path, "svc")
    add_rows(h5, [("wait_median_days", "days", 3.25, 2.5, 4.0), ("wait_within_30d", "share", 0.9, 0.85, 0.95),
                  ("wait_within_14d", "share", 0.75, 0.7, 0.8), ("wait_p90_days", "days", 20.0, 18.0, 22.0)],
             drop_prefixes=("wait_",))
    a = A.read_answer(h5)["scenarios"][0]
    assert a["wait"]["metric"] == "wait_median_days" and a["wait"]["label"] == "median wait"
    assert a["wait"]["mean"] == 3.25
    assert [(s["days"], s["mean"]) for s in a["service"]] == [(14.0, 0.75), (30.0, 0.9)]   # thresholds from names
    assert [w["metric"] for w in a["wait_more"]] == ["wait_p90_days"]


def test_diagnostics_warnings_from_the_file(real_bin, tmp_path):
    h5 = run(real_bin, tmp_path, "diag")
    with h5py.File(h5, "r+") as f:
        del f["diagnostics"]  # the simulator's own, replaced by known lines
        g = f.create_group("diagnostics")
        g.attrs["overloaded"] = 1
        g.attrs["warnings"] = "referrals exceed capacity: offered load 1.2\nwarm-up too short: 30 months suggested"
    a = A.read_answer(h5)["scenarios"][0]
    assert a["warnings_source"] == "file"
    assert a["warnings"] == ["referrals exceed capacity: offered load 1.2", "warm-up too short: 30 months suggested"]


def test_study_scenarios_get_their_own_diagnostics_lines(real_bin, tmp_path):
    """In a study the simulator writes every scenario's warnings in one text,
    each line starting "scenario 'name': "; the analysis package's reader
    gives each scenario its own lines."""
    study = tmp_path / "two.cfg"
    study.write_text(f'study: {{ base = "{os.path.join(CONFIGS, "default.cfg")}"; replications = 3; '
                     'scenarios = ( { name = "eight"; set = ["staff.workers=8"]; } ); };\n')
    h5 = str(tmp_path / "two.h5")
    subprocess.run([real_bin, "run", str(study), "-o", h5, "--quiet"], check=True, capture_output=True)
    with h5py.File(h5, "r+") as f:
        names = [r["name"].decode() for r in f["scenarios"][...]]
        g = f["diagnostics"]
        g.attrs["warnings"] = (f"scenario '{names[1]}': overloaded: the list grows\n"
                               f"scenario '{names[0]}': unsettled: warm-up too short\n"
                               "a line about the whole study")
    got = {s["name"]: s for s in A.read_answer(h5)["scenarios"]}
    assert got[names[0]]["warnings"] == ["unsettled: warm-up too short", "a line about the whole study"]
    assert got[names[1]]["warnings"] == ["overloaded: the list grows", "a line about the whole study"]
    assert got[names[0]]["warnings_source"] == got[names[1]]["warnings_source"] == "file"


def _without_diagnostics(path):
    """A file from before /diagnostics (format 2)."""
    with h5py.File(path, "r+") as f:
        del f["diagnostics"]
    return path


def test_the_pages_own_overload_check(real_bin, tmp_path):
    over = A.read_answer(_without_diagnostics(run(real_bin, tmp_path, "eight", "staff.workers=8")))["scenarios"][0]
    fine = A.read_answer(_without_diagnostics(run(real_bin, tmp_path, "fifteen", "staff.workers=15")))["scenarios"][0]
    assert over["warnings_source"] == fine["warnings_source"] == "page"
    assert len(over["warnings"]) == 1 and "still growing" in over["warnings"][0]
    assert fine["warnings"] == []


def test_tables_are_the_files_datasets(real_bin, tmp_path):
    h5 = run(real_bin, tmp_path, "tables")
    names = A.write_tables(h5, str(tmp_path / "t"))
    assert names == ["summary.csv", "replications.csv", "exits_by_destination.csv"]
    with h5py.File(h5) as f:
        summary = f["summary"][...]
        ebd = f["exits_by_destination"][...]
    rows = list(csv.DictReader(open(tmp_path / "t" / "summary.csv")))
    assert [r["metric"] for r in rows] == [x["metric"].decode() for x in summary]
    assert [float(r["mean"]) for r in rows] == [float(x["mean"]) for x in summary]
    rows = list(csv.reader(open(tmp_path / "t" / "exits_by_destination.csv")))
    assert rows[0][3:] == ["work", "studies", "other_measure", "dropout"]
    assert [[int(v) for v in r[3:]] for r in rows[1:]] == ebd.tolist()


def test_run_page_shows_service_levels_first_when_present(make_app, tmp_path):
    """The page shows what answer.json holds: here a file given service-level
    rows (as the simulator will write them) after the run."""
    app, c = make_app()
    rid = run_id(submit(c, editor_form(c), "run", {"run.replications": "4"}))
    assert wait_for(c, rid, report="started")["status"] == "done"   # answer.json written
    store = app.extensions["caseflow"]["store"]
    run_ = store.get(rid)
    h5 = str(tmp_path / "with-service-levels.h5")       # a copy: the report may be reading the run's file
    shutil.copyfile(os.path.join(store.dir_of(run_), run_.h5), h5)
    add_rows(h5, [("wait_median_days", "days", 3.25, 2.5, 4.0), ("wait_within_14d", "share", 0.75, 0.7, 0.8)])
    with open(os.path.join(store.dir_of(run_), "answer.json"), "w") as fh:
        json.dump(A.read_answer(h5), fh)
    html = c.get(f"/runs/{rid}").get_data(as_text=True)
    assert 'id="answer-wait_within_14d" data-value="0.75">75\u202f%<' in html
    assert 'data-metric="wait_median_days" data-value="3.25">3.2<' in html or \
        'data-metric="wait_median_days" data-value="3.25">3.3<' in html
    assert "median wait" in html and "does not report service levels" not in html
    assert html.index("answer-wait_within_14d") < html.index("answer-wait\"")


def test_probability_that_the_median_wait_meets_the_first_threshold(real_bin, tmp_path):
    # The planner's question: P(median wait <= 14 days) over replications.
    # Recomputed here from the file's per-trial medians, independently of
    # the page's code: the count of replications at most 14 days, and
    # Wilson's interval from that count.
    h5 = run(real_bin, tmp_path, "median", "staff.workers=11", reps=12)
    a = A.read_answer(h5)["scenarios"][0]
    mw = a["median_within"]
    assert mw is not None and mw["days"] == 14 and mw["n"] == 12
    with h5py.File(h5, "r") as f:
        cols = [c.decode() if isinstance(c, bytes) else c for c in f["trial_extras"].attrs["columns"]]
        med = f["trial_extras"][:, cols.index("wait_median_days")]
    k, n = int((med <= 14).sum()), len(med)
    assert mw["mean"] == k / n
    z = 1.959963984540054
    centre = (k + z * z / 2) / (n + z * z)
    half = z * np.sqrt(k * (n - k) / n + z * z / 4) / (n + z * z)
    assert abs(mw["lo"] - max(0.0, centre - half)) < 1e-9 and abs(mw["hi"] - min(1.0, centre + half)) < 1e-9
