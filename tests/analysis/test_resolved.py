"""/resolved (docs/OUTPUT.md, format_version 3): the reader on files built
here with h5py to the spec, and the report taking a scenario's parameters
from it rather than from the stored scenario text."""
import json

import h5py
import numpy as np
import pytest

from caseflow_analysis.resolved import ResolvedError, resolved_parameters, value_from_text
from conftest import cli
from test_units import _copy_without

KEYS = ["run.replications", "run.seed", "staff.workers", "staff.caseload_cap", "staff.meeting_hours_per_day",
        "waiting.discipline", "waiting.enabled", "exits.shares.work", "sources.kommun.rate_per_month",
        "sources.[1].rate_per_month", "money.horizons_months"]


def write_resolved(parent, text, is_default, keys=KEYS, version=1):
    """/resolved as the simulator writes it: UTF-8 strings, float64 values
    (NaN for non-numbers and absent keys), uint8 defaults flags."""
    s = h5py.string_dtype("utf-8")
    g = parent.create_group("resolved")
    g.attrs["format_version"] = np.int32(version)
    g.create_dataset("keys", data=np.array(keys, dtype=object), dtype=s)
    g.create_dataset("text", data=np.array(text, dtype=object), dtype=s)
    value = np.full((len(text), len(keys)), np.nan)
    for i, row in enumerate(text):
        for j, t in enumerate(row):
            try:
                value[i, j] = {"true": 1.0, "false": 0.0}.get(t, None) if t in ("true", "false") else float(t.rstrip("L"))
            except ValueError:
                pass
    g.create_dataset("value", data=value)
    g.create_dataset("is_default", data=np.array(is_default, dtype=np.uint8))
    return g


TEXT = [["4", "4242L", "4", "7", "2.5", '"fifo"', "true", "0.3", "12.5", "3", "[12, 60]"],
        ["4", "4242L", "5", "7", "2.5", '"priority"', "false", "0.1", "", "3", "[12, 60]"]]
DEFAULT = [[0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1],
           [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]]


@pytest.fixture
def synthetic(tmp_path):
    p = tmp_path / "resolved.h5"
    with h5py.File(p, "w") as f:
        write_resolved(f, TEXT, DEFAULT)
    return p


def test_reader_values_types_defaults_and_absent_keys(synthetic):
    r = resolved_parameters(synthetic)  # a path or an open file
    assert r.keys == KEYS and r.n_scenarios == 2 and r.format_version == 1
    p0, p1 = r.scenario(0), r.scenario(1)
    assert list(p0) == KEYS  # schema order kept
    assert p0["run.replications"] == 4 and isinstance(p0["run.replications"], int)
    assert p0["run.seed"] == 4242 and isinstance(p0["run.seed"], int)
    assert p0["staff.meeting_hours_per_day"] == 2.5
    assert p0["exits.shares.work"] == 0.3 and p1["exits.shares.work"] == 0.1
    assert p0["waiting.discipline"] == "fifo" and p1["waiting.discipline"] == "priority"
    assert p0["waiting.enabled"] is True and p1["waiting.enabled"] is False
    assert p0["money.horizons_months"] == [12, 60]
    assert p0["sources.kommun.rate_per_month"] == 12.5 and p0["sources.[1].rate_per_month"] == 3
    # a list item scenario 1 lacks is absent, not a default or an empty value
    assert "sources.kommun.rate_per_month" not in p1 and "sources.kommun.rate_per_month" not in r.texts(1)
    assert r.texts(0)["exits.shares.work"] == "0.3" and r.texts(0)["waiting.discipline"] == '"fifo"'
    assert r.defaults(0) == {"staff.meeting_hours_per_day", "waiting.discipline", "waiting.enabled",
                             "money.horizons_months"}
    assert r.defaults(1) == {"staff.meeting_hours_per_day", "money.horizons_months"}
    assert r.varying() == ["staff.workers", "waiting.discipline", "waiting.enabled", "exits.shares.work",
                           "sources.kommun.rate_per_month"]


def test_value_from_text_corner_cases():
    assert value_from_text("", float("nan")) is None
    assert value_from_text("0x1F", 31.0) == 31
    assert value_from_text("1e-3", 0.001) == 0.001
    assert value_from_text('"a \\"quoted\\" word"', float("nan")) == 'a "quoted" word'
    assert value_from_text("[]", float("nan")) == []
    assert value_from_text('["a, b", "c"]', float("nan")) == ["a, b", "c"]
    assert value_from_text("18446744073709551615L", 1.8446744073709552e19) == 18446744073709551615


def test_file_without_resolved_gives_none(tmp_path):
    p = tmp_path / "old.h5"
    with h5py.File(p, "w") as f:
        f["x"] = np.zeros(2)
    assert resolved_parameters(p) is None


@pytest.mark.parametrize("damage,phrase", [
    ("no_text", "lacks /resolved/text"),
    ("short_values", "/resolved/value has shape"),
    ("not_a_group", "not a group"),
])
def test_malformed_resolved_is_refused_clearly(tmp_path, damage, phrase):
    p = tmp_path / "bad.h5"
    with h5py.File(p, "w") as f:
        if damage == "not_a_group":
            f["resolved"] = np.zeros(3)
        else:
            g = write_resolved(f, TEXT, DEFAULT)
            if damage == "no_text":
                del g["text"]
            else:
                del g["value"]
                g["value"] = np.zeros((2, 3))
    with pytest.raises(ResolvedError, match=phrase):
        resolved_parameters(p)


# -- the report reads /resolved -----------------------------------------------------------------

TINY_KEYS = ["run.replications", "staff.workers", "staff.caseload_cap", "staff.meeting_hours_per_day",
             "waiting.patience_days"]


def with_resolved(src, dst, text, is_default, version=3):
    _copy_without(src, dst, drop=("resolved",))  # the simulator writes one; this test writes its own
    with h5py.File(dst, "a") as f:
        f.attrs["format_version"] = np.int32(version)
        write_resolved(f, [text], [is_default], keys=TINY_KEYS)


def test_report_takes_parameters_from_resolved(tiny_run, tmp_path):
    """The tiny scenario's text says caseload_cap = 8 and meeting_hours_per_day
    = 3.0; the /resolved written here says 7 and 2.5 (a default), and the
    report must use those (a plain run's /parameter_names is empty, so the
    text is all an older reader had)."""
    p = tmp_path / "resolved_run.h5"
    with_resolved(tiny_run, p, ["4", "4", "7", "2.5", "60"], [0, 0, 0, 1, 1])
    out = tmp_path / "rep"
    r = cli("report", str(p), "-o", str(out), "-q")
    assert r.returncode == 0, r.stderr
    s = json.loads((out / "summary.json").read_text())
    assert s["format_version"] == 3 and s["parameters_source"] == "/resolved"
    assert s["parameters"] == {"run.replications": 4, "staff.workers": 4, "staff.caseload_cap": 7,
                               "staff.meeting_hours_per_day": 2.5, "waiting.patience_days": 60}
    assert s["parameters_default"] == ["staff.meeting_hours_per_day", "waiting.patience_days"]
    assert s["caseload_per_worker"]["caseload_cap"] == 7
    html = (out / "index.html").read_text()
    assert "(2.5 hours a day each)" in html
    assert "staff.meeting_hours_per_day = 2.5  # default" in html
    assert "/resolved" not in " ".join(s.get("sections_not_read", []))


def test_resolved_for_the_wrong_number_of_scenarios_is_refused_with_a_note(tiny_run, tmp_path):
    p = tmp_path / "mismatch.h5"
    _copy_without(tiny_run, p, drop=("resolved",))  # this test writes its own
    with h5py.File(p, "a") as f:
        write_resolved(f, [TEXT[0][:5]] * 2, [[0] * 5] * 2, keys=TINY_KEYS)
    out = tmp_path / "rep"
    r = cli("report", str(p), "-o", str(out), "-q")
    assert r.returncode == 0, r.stderr
    s = json.loads((out / "summary.json").read_text())
    assert s["parameters_source"] == "unknown" and s["parameters"] == {}
    assert any("/resolved holds 2 scenarios" in n and "parameters are unknown" in n for n in s["notes"])
    html = (out / "index.html").read_text()
    assert "no parameter table" in html and "Scenario parameters in force" not in html


def test_file_without_resolved_says_its_parameters_are_unknown(tiny_run, tmp_path):
    """A file from before /resolved: the scenario text is not parsed (issue
    12); the report runs without a parameter table and says why in one line."""
    p = tmp_path / "old.h5"
    _copy_without(tiny_run, p, drop=("resolved",))
    out = tmp_path / "rep"
    r = cli("report", str(p), "-o", str(out), "-q")
    assert r.returncode == 0, r.stderr
    s = json.loads((out / "summary.json").read_text())
    assert s["parameters_source"] == "unknown" and s["parameters"] == {}
    notes = [n for n in s["notes"] if "no /resolved" in n]
    assert len(notes) == 1 and "parameters are unknown" in notes[0] and "\n" not in notes[0]
    assert "Scenario parameters in force" not in (out / "index.html").read_text()


def test_unset_default_never_shows_as_a_key_name_in_a_caption(tiny_run, tmp_path):
    """Without /resolved a key the scenario text leaves unset has no known
    value; the caption must say so in words, not print the key."""
    p = tmp_path / "no_hours.h5"
    _copy_without(tiny_run, p, drop=("resolved",))  # a file from before /resolved
    with h5py.File(p, "a") as f:
        text = f.attrs["config_text"]
        text = text.decode() if isinstance(text, bytes) else text
        f.attrs["config_text"] = text.replace("meeting_hours_per_day = 3.0;", "")
    out = tmp_path / "rep"
    r = cli("report", str(p), "-o", str(out), "-q")
    assert r.returncode == 0, r.stderr
    html = (out / "index.html").read_text()
    captions = " ".join(html.split("<figcaption>")[1:])
    assert "the meeting hours a day each worker has" in captions
    assert all("staff.meeting_hours_per_day" not in c.split("</figcaption>")[0]
               for c in html.split("<figcaption>")[1:])
