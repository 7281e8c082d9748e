"""Bad input: one clear line on stderr and exit code 2; output problems: 3."""
import h5py
import numpy as np
import pytest

from conftest import cli


def one_line_error(r, code, *phrases):
    assert r.returncode == code, (r.returncode, r.stderr)
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("caseflow_report: ")
    assert "Traceback" not in r.stderr
    for p in phrases:
        assert p in lines[0], lines[0]
    assert r.stdout == ""


@pytest.mark.parametrize("command", ["report", "sweep"])
def test_missing_file(tmp_path, command):
    one_line_error(cli(command, str(tmp_path / "nope.h5")), 2, "nope.h5", "no such file")


def test_missing_file_in_compare(tmp_path, tiny_run):
    one_line_error(cli("compare", str(tiny_run), str(tmp_path / "nope.h5")), 2, "no such file")


def test_not_hdf5(tmp_path):
    p = tmp_path / "notes.h5"
    p.write_text("these are not the results you are looking for\n")
    one_line_error(cli("report", str(p)), 2, "notes.h5", "not an HDF5 file")


def test_directory(tmp_path):
    one_line_error(cli("report", str(tmp_path)), 2, "is a directory")


def test_hdf5_without_caseflow_attributes(tmp_path):
    p = tmp_path / "plain.h5"
    with h5py.File(p, "w") as f:
        f["x"] = np.arange(3)
    one_line_error(cli("report", str(p)), 2, "plain.h5", "not a caseflow file", "no 'format' attribute")


def test_hdf5_of_another_format(tmp_path):
    p = tmp_path / "other.h5"
    with h5py.File(p, "w") as f:
        f.attrs["format"] = "netcdf-ish"
    one_line_error(cli("report", str(p)), 2, "not a caseflow file", "netcdf-ish")


@pytest.mark.parametrize("version,hint", [(99, "newer caseflow"), (0, "older caseflow")])
def test_unsupported_format_version(tmp_path, version, hint):
    p = tmp_path / "future.h5"
    with h5py.File(p, "w") as f:
        f.attrs["format"] = "caseflow-run"
        f.attrs["format_version"] = np.int32(version)
    one_line_error(cli("report", str(p)), 2, "unsupported layout", f"format_version {version}", hint)


def test_caseflow_file_without_format_version(tmp_path):
    p = tmp_path / "noversion.h5"
    with h5py.File(p, "w") as f:
        f.attrs["format"] = "caseflow-run"
    one_line_error(cli("report", str(p)), 2, "unsupported layout", "format_version")


def test_output_folder_cannot_be_created(tiny_run, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    one_line_error(cli("report", str(tiny_run), "-o", str(blocker / "sub")), 3, "cannot create the output folder")


def test_bad_targets_file(tiny_run, tmp_path):
    t = tmp_path / "t.json"
    t.write_text("{not json")
    one_line_error(cli("report", str(tiny_run), "--targets", str(t), "-o", str(tmp_path / "o")), 2, "not valid JSON")


def test_usage_errors_exit_2(tmp_path):
    assert cli().returncode == 2
    assert cli("frobnicate").returncode == 2
    assert cli("report").returncode == 2
