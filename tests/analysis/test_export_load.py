"""`caseflow export` output loads where people load tables: Python's csv
module and numpy (no pandas needed), pandas' read_csv, and R's read.csv
(Debian's r-base-core; skipped with a message when Rscript is absent).

Every number is compared with the HDF5 file read by h5py: exactly in Python
(the export writes the shortest text that reads back to the same double),
within R's documented strtod accuracy in R. Also: the seeds in decimal text
(R cannot hold unsigned 64-bit integers), NaN as missing, UTF-8 names, a
quoted multi-line field, and the report on a run without participant
records.
"""
import csv
import io
import math
import os
import shutil
import subprocess

import h5py
import numpy as np
import pytest

from conftest import ROOT, caseflow_bin, cli

STUDY = """study: {
  name = "export";
  base = "tiny.cfg";
  replications = 3;
  scenarios = ( { name = "Malmö, \\"fem\\""; set = [ "staff.workers=5" ]; } );
};
"""


@pytest.fixture(scope="module")
def results(workdir):
    (workdir / "export_study.cfg").write_text(STUDY)
    out = workdir / "export_study.h5"
    r = subprocess.run([caseflow_bin(), "run", "export_study.cfg", "-o", str(out), "--force", "--quiet"],
                       cwd=workdir, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    one = workdir / "export_one.h5"   # one replication: NaN intervals
    r = subprocess.run([caseflow_bin(), "run", "tiny.cfg", "--reps", "1", "-o", str(one), "--force", "--quiet"],
                       cwd=workdir, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return out, one


def export(path, table, fmt="csv", out=None):
    args = [caseflow_bin(), "export", str(path), "--table", table, "--format", fmt]
    if out is not None:
        args += ["-o", str(out)]
    r = subprocess.run(args, capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr.decode()
    return r.stdout.decode("utf-8")


def text(v):
    return v.decode("utf-8") if isinstance(v, bytes) else str(v)


def test_csv_module_reads_every_summary_number_exactly(results):
    path, _ = results
    rows = list(csv.DictReader(io.StringIO(export(path, "summary"), newline="")))
    with h5py.File(path) as f:
        summary = f["summary"][...]
        names = [text(n) for n in f["scenarios"]["name"]]
    assert len(rows) == len(summary)
    for row, want in zip(rows, summary):
        assert int(row["scenario"]) == want["scenario"]
        assert row["scenario_name"] == names[want["scenario"]]
        assert row["metric"] == text(want["metric"])
        for k in ("mean", "ci_low", "ci_high"):
            got = float(row[k]) if row[k] else math.nan
            assert got == want[k] or (math.isnan(got) and math.isnan(want[k])), (row, k)
    assert "Malmö, \"fem\"" in names


def test_tsv_and_quoted_multiline_field(results):
    path, _ = results
    rows = list(csv.DictReader(io.StringIO(export(path, "scenarios", "tsv"), newline=""), delimiter="\t"))
    with h5py.File(path) as f:
        want = f["scenarios"][...]
    assert [r["name"] for r in rows] == [text(w["name"]) for w in want]
    assert [r["settings"] for r in rows] == [text(w["settings"]) for w in want]
    assert rows[1]["settings"].endswith("\n")


def test_numpy_reads_replications_and_the_seed_text(results):
    path, _ = results
    body = export(path, "replications")
    header = body.split("\n", 1)[0].split(",")
    # the scenario name is quoted text with a comma: numpy's loader takes
    # the numeric columns through the csv module's split
    rows = list(csv.reader(io.StringIO(body, newline="")))[1:]
    numeric = [i for i, h in enumerate(header) if h not in ("scenario_name", "seed_text")]
    arr = np.array([[float(r[i]) if r[i] else np.nan for i in numeric] for r in rows])
    with h5py.File(path) as f:
        reps = f["replications"][...]
    for j, i in enumerate(numeric):
        name = header[i]
        if name == "seed":
            continue  # above 2^53: doubles cannot hold it; the text column can
        np.testing.assert_array_equal(arr[:, j], reps[name].astype(float), err_msg=name)
    seeds = [r[header.index("seed_text")] for r in rows]
    assert seeds == [str(int(s)) for s in reps["seed"]]
    assert [r[header.index("seed")] for r in rows] == seeds
    assert any(int(s) >= 2 ** 63 for s in seeds)
    # the file stores the same text
    assert [text(s) for s in reps["seed_text"]] == seeds


def test_numpy_genfromtxt_reads_series_long(results):
    path, _ = results
    body = export(path, "series/waiting", "tsv")
    data = np.genfromtxt(io.StringIO(body), delimiter="\t", names=True, dtype=None, encoding="utf-8",
                         usecols=(0, 2, 3, 5))
    with h5py.File(path) as f:
        waiting = f["series/waiting"][...]
        reps = f["replications"][...]
    T, M = waiting.shape
    assert len(data) == T * M
    for t in range(T):
        block = data[t * M:(t + 1) * M]
        assert (block["scenario"] == reps["scenario"][t]).all()
        assert (block["replication"] == reps["replication"][t]).all()
        np.testing.assert_array_equal(block["month"], np.arange(1, M + 1))
        np.testing.assert_array_equal(block["value"], waiting[t])


def test_nan_is_missing(results):
    _, one = results
    rows = list(csv.DictReader(io.StringIO(export(one, "summary"), newline="")))
    assert rows and all(r["ci_low"] == "" and r["ci_high"] == "" for r in rows)
    arr = np.genfromtxt(io.StringIO(export(one, "summary")), delimiter=",", names=True, dtype=float,
                        encoding="utf-8", usecols=(4, 5))
    assert np.isnan(arr["ci_low"]).all()


def test_pandas_read_csv(results, tmp_path):
    pd = pytest.importorskip("pandas", reason="python3-pandas is not installed (make deps installs it)")
    path, one = results
    out = tmp_path / "summary.csv"
    export(path, "summary", out=out)
    # pandas' default parser may be 1 ulp off; round_trip reads the shortest text exactly
    frame = pd.read_csv(out, float_precision="round_trip")
    with h5py.File(path) as f:
        summary = f["summary"][...]
    np.testing.assert_array_equal(frame["mean"].to_numpy(), summary["mean"])
    np.testing.assert_array_equal(frame["ci_low"].to_numpy(), summary["ci_low"])
    assert list(frame["metric"]) == [text(m) for m in summary["metric"]]
    assert "Malmö, \"fem\"" in set(frame["scenario_name"])
    series = pd.read_csv(io.StringIO(export(path, "series")))
    assert list(series.columns) == ["scenario", "scenario_name", "replication", "month", "metric", "value"]
    wide = series[series.metric == "active"].pivot_table(index=["scenario", "replication"], columns="month",
                                                          values="value")
    with h5py.File(path) as f:
        np.testing.assert_array_equal(wide.to_numpy(), f["series/active"][...])
    reps = pd.read_csv(io.StringIO(export(path, "replications")), dtype={"seed": str, "seed_text": str})
    assert (reps["seed"] == reps["seed_text"]).all()
    nan = pd.read_csv(io.StringIO(export(one, "summary")))
    assert nan["ci_low"].isna().all()


R_SCRIPT = r"""
args <- commandArgs(trailingOnly = TRUE)
s <- read.csv(args[1], fileEncoding = "UTF-8", stringsAsFactors = FALSE)
cat(sprintf("%.17g", s$mean), sep = "\n", file = args[2])
r <- read.csv(args[3], colClasses = c(seed = "character", seed_text = "character"))
cat(r$seed_text, sep = "\n", file = args[4])
n <- read.csv(args[5])
stopifnot(all(is.na(n$ci_low)), all(is.na(n$ci_high)))
cat(unique(s$scenario_name), sep = "\n", file = args[6])
"""


def test_r_read_csv(results, tmp_path):
    rscript = shutil.which("Rscript")
    if not rscript:
        pytest.skip("Rscript is not installed (Debian: apt-get install r-base-core); R's read.csv not checked")
    path, one = results
    files = {k: tmp_path / f"{k}.csv" for k in ("summary", "replications", "nan")}
    export(path, "summary", out=files["summary"])
    export(path, "replications", out=files["replications"])
    export(one, "summary", out=files["nan"])
    (tmp_path / "read.R").write_text(R_SCRIPT)
    means, seeds, names = tmp_path / "means.txt", tmp_path / "seeds.txt", tmp_path / "names.txt"
    r = subprocess.run([rscript, "--vanilla", str(tmp_path / "read.R"), str(files["summary"]), str(means),
                        str(files["replications"]), str(seeds), str(files["nan"]), str(names)],
                       capture_output=True, text=True, timeout=120, env={**os.environ, "LC_ALL": "C.UTF-8"})
    assert r.returncode == 0, r.stderr
    with h5py.File(path) as f:
        summary = f["summary"][...]
        want_seeds = [str(int(s)) for s in f["replications"]["seed"]]
    got = [float(x) for x in means.read_text().split()]
    # R's own strtod is correctly rounded only to about 15 digits
    np.testing.assert_allclose(got, summary["mean"], rtol=4e-16, atol=0)
    assert seeds.read_text().split() == want_seeds
    assert "Malmö, \"fem\"" in names.read_text(encoding="utf-8").splitlines()


def test_report_copes_with_no_participant_records(workdir, tmp_path):
    out = workdir / "no_records.h5"
    r = subprocess.run([caseflow_bin(), "run", "tiny.cfg", "--records", "none", "-o", str(out), "--force",
                        "--quiet"], cwd=workdir, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    with h5py.File(out) as f:
        assert f["participants"].shape == (0,)
        assert text(f.attrs["participant_records"]) == "none"
    report = tmp_path / "report"
    r = cli("report", str(out), "-o", str(report))
    assert r.returncode == 0, r.stderr
    page = (report / "index.html").read_text()
    assert "participant records &#x27;none&#x27;" in page


def test_money_tables(workdir, tmp_path):
    cfg = os.path.join(ROOT, "configs", "money_jobbstudion.cfg")
    out = tmp_path / "money.h5"
    r = subprocess.run([caseflow_bin(), "run", cfg, "--reps", "3", "-o", str(out), "--quiet"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    with h5py.File(out) as f:
        trials = f["money/trials"][...]
        columns = [text(c) for c in f["money/trials"].attrs["columns"]]
        summary = f["money/summary"][...]
    rows = list(csv.reader(io.StringIO(export(out, "money/trials"), newline="")))
    assert rows[0] == ["trial", "scenario", "scenario_name", "replication"] + columns
    got = np.array([[float(x) if x else np.nan for x in r[4:]] for r in rows[1:]])
    np.testing.assert_array_equal(got, trials)
    srows = list(csv.DictReader(io.StringIO(export(out, "money/summary"), newline="")))
    assert [r["metric"] for r in srows] == [text(m) for m in summary["metric"]]
    got = np.array([float(r["mean"]) if r["mean"] else np.nan for r in srows])
    np.testing.assert_array_equal(got, summary["mean"])  # NaN (never paid back) as missing
    assert export(out, "money/paired_differences").startswith("scenario,scenario_name,metric,mean,")


def test_resolved_table_as_agreed(results):
    """/resolved (every file has it: variable-length UTF-8 keys and text,
    value, is_default) exports long, one row per scenario and key, in the
    file's order, every field equal to the file's."""
    path, _ = results
    with h5py.File(path, "r") as f:
        keys = list(f["resolved/keys"].asstr()[:])
        texts = f["resolved/text"].asstr()[...]
        values = f["resolved/value"][...]
        default = f["resolved/is_default"][...]
        names = [text(n) for n in f["scenarios"]["name"]]
    rows = list(csv.DictReader(io.StringIO(export(path, "resolved"), newline="")))
    assert len(keys) > 10 and len(rows) == len(names) * len(keys)
    for n, r in enumerate(rows):
        s, k = divmod(n, len(keys))
        assert (r["scenario"], r["scenario_name"], r["key"], r["text"], r["is_default"]) == (
            str(s), names[s], keys[k], texts[s, k], str(default[s, k]))
        if math.isnan(values[s, k]):
            assert r["value"] == ""
        else:
            assert float(r["value"]) == values[s, k]
    # the study's setting, as written, and a key left at its default
    workers = keys.index("staff.workers")
    assert (rows[len(keys) + workers]["text"], rows[len(keys) + workers]["is_default"]) == ("5", "0")
    assert rows[len(keys)]["scenario_name"] == "Malmö, \"fem\""
    assert any(r["is_default"] == "1" for r in rows)
