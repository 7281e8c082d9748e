"""`sweep`: the real study file end to end, its refusals, and the plotting
functions on synthetic arrays."""
import json
import math

import h5py
import numpy as np
import pytest

import reference as ref
from conftest import cli
from caseflow_analysis import plots
from caseflow_analysis.sweep import grid_from_table, is_grid


def test_sweep_on_a_study(tiny_study, tmp_path):
    out = tmp_path / "sweep"
    r = cli("sweep", str(tiny_study), "-o", str(out))
    assert r.returncode == 0, r.stderr
    data = json.loads((out / "sweep.json").read_text())
    assert data["x"] == "staff.workers" and data["y"] == "staff.caseload_cap" and data["layout"] == "grid"
    assert data["summary_agrees"] is True
    for f in data["figures"]:
        assert (out / f).read_bytes()[:4] == b"\x89PNG"
    assert "curve_wait_mean_days.png" in data["figures"] and "heatmap_wait_mean_days.png" in data["figures"]
    with h5py.File(tiny_study) as f:
        sim = f["summary"][...]
    for s in range(8):
        row = [x for x in sim if x["scenario"] == s and ref.text(x["metric"]) == "utilisation"][0]
        assert math.isclose(data["metrics"]["utilisation"]["mean"][s], row["mean"], rel_tol=1e-9)
    html = (out / "index.html").read_text()
    assert "five at eight" in html and "repeat a parameter combination" in html


def test_sweep_on_a_plain_run_says_nothing_to_sweep(tiny_run):
    r = cli("sweep", str(tiny_run))
    assert r.returncode == 2 and "one scenario" in r.stderr and "nothing to sweep" in r.stderr


def test_sweep_without_scenarios_table_is_not_available(tmp_path):
    p = tmp_path / "old.h5"
    with h5py.File(p, "w") as f:
        f.attrs["format"] = "caseflow-run"
        f.attrs["format_version"] = np.int32(1)
        f["destinations"] = np.array([b"work"])
    r = cli("sweep", str(p))
    assert r.returncode == 2
    assert "no /scenarios" in r.stderr and "not available" in r.stderr


def test_sweep_unknown_parameter(tiny_study, tmp_path):
    r = cli("sweep", str(tiny_study), "--x", "staff.nope", "-o", str(tmp_path / "s"))
    assert r.returncode == 2 and "not a parameter" in r.stderr


# -- plotting functions on synthetic arrays ---------------------------------------

def test_plot_sweep_curves_synthetic():
    x = np.array([10, 12, 15])
    mean = np.array([[5.0, 3.0, 1.0], [4.0, np.nan, 0.5]])
    fig = plots.plot_sweep_curves(x, mean, mean - 1, mean + 1, ["16", "20"], xlabel="workers",
                                  ylabel="wait (days)", title="wait against workers", group_title="cap")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "workers" and ax.get_ylabel() == "wait (days)"
    assert ax.get_title() == "wait against workers"
    assert len(ax.get_lines()) == 2
    assert len(ax.get_lines()[1].get_xdata()) == 2  # the NaN point is left out
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["16", "20"]
    assert all(t.get_fontsize() >= 10 for t in ax.get_xticklabels() + ax.get_legend().get_texts())
    one = plots.plot_sweep_curves(x, mean[0], mean[0] - 1, mean[0] + 1)
    assert len(one.axes[0].get_lines()) == 1
    with pytest.raises(ValueError):
        plots.plot_sweep_curves(x, mean, mean[:, :2], mean)


def test_plot_heatmap_synthetic(tmp_path):
    xs, ys = np.array([10, 12, 15]), np.array([16, 20])
    grid = np.array([[1.0, 2.0, np.nan], [3.0, 4.0, 5.0]])
    fig = plots.plot_heatmap(xs, ys, grid, xlabel="workers", ylabel="cap", title="wait", cbar_label="days")
    ax = fig.axes[0]
    im = ax.get_images()[0]
    assert im.get_array().shape == (2, 3)
    assert np.ma.is_masked(im.get_array()) and im.get_array().mask[0, 2]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["10", "12", "15"]
    assert len(ax.texts) == 5  # annotated cells, none for the missing one
    assert fig.axes[1].get_ylabel() == "days"
    plots.save(fig, tmp_path / "h.png")
    assert (tmp_path / "h.png").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ValueError):
        plots.plot_heatmap(xs, ys, grid.T)


def test_scattered_designs_are_points():
    rng = np.random.default_rng(1)
    x, y = rng.uniform(0, 1, 20), rng.uniform(0, 1, 20)
    assert not is_grid(x, y, np.ones(20, bool))
    fig = plots.plot_scatter_map(x, y, x + y, xlabel="a", ylabel="b", title="t", cbar_label="m")
    assert fig.axes[0].get_xlabel() == "a"
    fig = plots.plot_sweep_points(x, x, x - 0.1, x + 0.1, y, xlabel="a", ylabel="m", title="t", color_label="b")
    assert fig.axes[0].get_title() == "t"


def test_grid_from_table():
    x = [1, 2, 1, 2, 1]
    y = [5, 5, 6, 6, 5]  # the last repeats (1, 5)
    v = [10, 20, 30, 40, 99]
    xs, ys, g, dup = grid_from_table(x, y, v)
    assert list(xs) == [1, 2] and list(ys) == [5, 6] and dup == 1
    assert g.tolist() == [[10, 20], [30, 40]]
    xs, ys, g, dup = grid_from_table(x, y, v, keep=[True, False, True, True, False])
    assert np.isnan(g[0, 1]) and dup == 0
    assert is_grid(np.array(x, float), np.array(y, float), np.ones(5, bool))
