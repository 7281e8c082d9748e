"""The key list (`caseflow keys --json`), the form's fields, the
scenario text written from them, and where the simulator's messages land."""
import json
import os
import subprocess

import pytest
from werkzeug.datastructures import MultiDict

from caseflow_web import cfgtext as C
from caseflow_web import scenario_form as F
from caseflow_web import schema as S
from caseflow_web import simulator as SIM

from conftest import CONFIGS, write_script

SCENARIOS = [n for n, _ in SIM.shipped_scenarios(CONFIGS)]


@pytest.fixture(scope="module")
def schema(real_bin):
    """The simulator's own key list (`caseflow keys --json`)."""
    return S.load(real_bin)


def resolved(real_bin, path):
    """`caseflow check` output without its first line (which names the file)."""
    p = subprocess.run([real_bin, "check", os.path.basename(path)], cwd=os.path.dirname(path),
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return p.stdout.split("\n", 1)[1]


def test_shipped_scenarios_are_scenarios_only():
    assert "default.cfg" in SCENARIOS and "programme_all.cfg" in SCENARIOS
    for study in ("study_staffing.cfg", "study_volume_method.cfg", "calibrate_example.cfg", "seed_uppsala.cfg"):
        assert study not in SCENARIOS


def test_real_keys_json_follows_the_spec(real_bin, schema):
    """The simulator's document is the agreed format, and the page reads
    every key of it with its type, range, unit, default and choices."""
    p = subprocess.run([real_bin, "keys", "--json"], capture_output=True, text=True, check=True)
    doc = json.loads(p.stdout)
    assert doc["format"] == "caseflow-keys" and doc["version"] == 1
    for k in doc["keys"]:
        assert {"key", "section", "type", "required", "default", "min", "max", "unit", "help", "choices",
                "item_of"} <= set(k), k
    assert schema.source == "json" and len(schema.keys) == len(doc["keys"]) > 30
    w = schema.by_key["staff.workers"]
    assert (w["type"], w["min"], w["max"], w["unit"], w["section"]) == ("int", 1, 100000, "count", "staff")
    assert schema.by_key["staff.meeting_hours_per_day"]["default"] == 4
    assert schema.by_key["staff.meeting_hours_per_day"]["min_exclusive"] is True   # an extra field, kept
    assert schema.by_key["staff.cap_by"]["choices"] == ["head", "need"]
    assert schema.by_key["staff.cap_by"]["default"] == "head"
    assert schema.by_key["casework.meeting_hours"]["type"] == "group"
    assert schema.by_key["exits.destinations"]["type"] == "array"
    assert schema.by_key["sources.[].rate_per_month"]["item_of"] == "sources"
    lists = {s["name"] for s in schema.sections if s["list"]}
    assert {"sources", "profiles", "measures", "phases", "targets"} <= lists


def test_load_refuses_a_build_without_keys_json(tmp_path, real_bin):
    """An old build (no --json) gets one message saying to rebuild, not a
    form guessed from the Markdown table."""
    refuse = write_script(tmp_path / "refuse",
                          f'if [ "$2" = --json ]; then echo "caseflow: unknown option" >&2; exit 2; fi\n'
                          f'exec "{real_bin}" "$@"\n')
    with pytest.raises(S.SchemaError, match=r"unknown option.*rebuild it \(make build\)"):
        S.load(refuse)
    assert S.load(real_bin).source == "json"


@pytest.mark.parametrize("bad", ["not json", json.dumps({"format": "other"}),
                                 json.dumps({"format": "caseflow-keys", "version": 2}),
                                 json.dumps({"format": "caseflow-keys", "version": 1,
                                             "keys": [{"key": "a.b", "type": "complex"}]})])
def test_json_schema_refuses_what_it_cannot_read(bad):
    with pytest.raises(S.SchemaError):
        S.from_json(bad)


def test_list_items_get_fields_of_their_own(schema):
    lay = F.Layout(schema)
    lists = {F.field_id(ls.path): ls for ls in lay.lists()}
    src = [F.field_id(f.path) for f in lists["sources"].item_fields]
    assert src[:3] == ["name", "kind", "rate_per_month"]
    assert "unit.caseworkers" in src and "unit.cases" in src and "schedule" in src
    teams = {F.field_id(f.path): f.widget for f in lists["staff.teams"].item_fields}
    assert teams == {"name": "text", "site": "text", "members": "list"}
    assert {"sites", "staff.roles", "staff.plan", "staff.changes", "staff.rules", "service.targets", "money.staff",
            "money.per_participant", "measures", "phases", "targets"} <= set(lists)
    followup = [f for f in lay.fields() if F.field_id(f.path) == "exits.followup"]
    assert [f.widget for f in followup] == ["more"]     # its per-destination groups


def _form_from_state(st):
    form = MultiDict()
    for k, v in st.values.items():
        form.add(k, v)
    for lid, rows in st.rows.items():
        for r in rows:
            form.add(f"rows.{lid}", str(r))
    return form


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_shipped_scenario_survives_the_form(name, schema, real_bin, tmp_path):
    """File -> fields -> file: `caseflow check` resolves both to the same values.
    The written file lands in another folder, as the page's checks and runs
    do; a snapshot CSV the scenario names travels inside it (as the page
    loads a shipped scenario)."""
    lay = F.Layout(schema)
    with open(os.path.join(CONFIGS, name), encoding="utf-8") as fh:
        tree = C.parse(fh.read())
    assert SIM.embed_snapshot(tree, CONFIGS) is None
    st = F.state_from_tree(lay, tree)
    assert F.EXTRA not in st.values          # every setting has a field
    built = F.tree_from_form(lay, _form_from_state(st))
    assert built.errors == {}
    text, _ = C.write(built.tree)
    out = tmp_path / name
    out.write_text(text)
    assert resolved(real_bin, str(out)) == resolved(real_bin, os.path.join(CONFIGS, name))


def test_rows_follow_page_order_and_empty_rows_drop(schema):
    lay = F.Layout(schema)
    form = MultiDict([("rows.sources", "5"), ("rows.sources", "2"), ("rows.sources", "9"),
                      ("sources.5.name", "b"), ("sources.5.rate_per_month", "2.0"), ("sources.2.name", "a"),
                      ("sources.9.name", "  "), ("sources.9.rate_per_month", "")])
    built = F.tree_from_form(lay, form)
    items = C.get(built.tree, ("sources",)).items
    assert [i.items["name"].value for i in items] == ["b", "a"]
    assert built.path_field[("sources", 1)] == "sources.2"


def test_a_field_cannot_inject_settings(schema):
    lay = F.Layout(schema)
    evil = 'head"; workers = 1; #'
    form = MultiDict([("staff.cap_by", evil), ("staff.workers", "12; run: { replications = 1; }"),
                      ("casework.meeting_hours", 'dist = "gamma"; }; staff: { workers = 99; } ; x = {')])
    built = F.tree_from_form(lay, form)
    assert "staff.workers" in built.errors and "casework.meeting_hours" in built.errors
    text, _ = C.write(built.tree)
    back = C.parse(text)
    assert C.get(back, ("staff", "cap_by")).value == evil
    assert C.get(back, ("staff", "workers")) is None and "run" not in back.items


def test_empty_field_means_default_and_numbers_keep_their_literal(schema):
    lay = F.Layout(schema)
    built = F.tree_from_form(lay, MultiDict([("staff.meeting_hours_per_day", ""), ("exits.probability_per_meeting",
                                                                                   "0.08"),
                                             ("run.seed", "5000000000")]))
    text, _ = C.write(built.tree)
    assert "meeting_hours_per_day" not in text
    assert "probability_per_meeting = 0.08;" in text
    assert "seed = 5000000000L;" in text      # beyond 32 bits libconfig needs the L


@pytest.mark.parametrize("message,field,shown", [
    ("caseflow: scenario.cfg:24: staff.workers: expected an integer >= 1, got 0", "staff.workers",
     "staff.workers: expected an integer >= 1, got 0"),
    ("caseflow: scenario.cfg:44: sources[1].rate_per_month: expected a number >= 0", "sources.7",
     "sources[1].rate_per_month: expected a number >= 0"),
    ("caseflow: scenario.cfg:36: exits.shares: shares must sum to 1, they sum to 1.1", "exits.shares",
     "exits.shares: shares must sum to 1, they sum to 1.1"),
    ("caseflow: scenario.cfg:5: syntax error", "run.seed", "syntax error"),
    ("caseflow: scenario.cfg: the file is empty", None, "scenario.cfg: the file is empty"),
])
def test_messages_land_on_their_field(message, field, shown):
    path_field = {("staff", "workers"): "staff.workers", ("sources", 0): "sources.3", ("sources", 1): "sources.7",
                  ("exits", "shares"): "exits.shares", ("run", "seed"): "run.seed"}
    line_path = {5: ("run", "seed")}
    fid, text = F.place_message(message, path_field, line_path)
    assert fid == field and text == shown


def test_real_check_message_reaches_the_row(schema, real_bin, tmp_path):
    lay = F.Layout(schema)
    with open(os.path.join(CONFIGS, "programme_all.cfg"), encoding="utf-8") as fh:
        st = F.state_from_tree(lay, C.parse(fh.read()))
    form = _form_from_state(st)
    assert st.values["sources.1.rate_per_month"] == "6.0"
    form.setlist("sources.1.rate_per_month", ["-3"])
    built = F.tree_from_form(lay, form)
    text, line_path = C.write(built.tree)
    res = SIM.check_text(real_bin, text, work_dir=str(tmp_path))
    assert not res.ok and res.returncode == 2
    fid, shown = F.place_message(res.message, built.path_field, line_path)
    assert fid == "sources.1.rate_per_month" and "rate_per_month" in shown


@pytest.mark.parametrize("text", ["a = 1; a = 2;", "a = (1, 2", "@include \"/etc/passwd\"", "a = 1 b",
                                  "a = \"x\x00\";", "a = " + "[" * 70 + "]" * 70 + ";"])
def test_parser_refuses_bad_text_with_a_line(text):
    with pytest.raises(C.CfgError):
        C.parse(text)


def test_settings_without_a_field_are_kept_not_dropped(schema):
    lay = F.Layout(schema)
    tree = C.parse('run: { horizon_months = 12; novelty = 3; };\nfuture_section: { x = "y"; };\n')
    st = F.state_from_tree(lay, tree)
    assert st.values["run.horizon_months"] == "12"
    assert "novelty = 3;" in st.values[F.EXTRA] and 'x = "y";' in st.values[F.EXTRA]
    built = F.tree_from_form(lay, _form_from_state(st))
    assert C.get(built.tree, ("run", "novelty")).value == 3 and C.get(built.tree, ("future_section", "x")).value == "y"
    assert built.path_field[("future_section", "x")] == built.path_field[("run", "novelty")] == F.EXTRA
    assert ("run",) not in built.path_field     # run.replications' messages are not this box's


@pytest.mark.parametrize("name", ["../default.cfg", "/etc/hostname", "missing.csv"])
def test_snapshot_outside_the_folder_or_missing_is_not_read(name):
    tree = C.parse(f'run: {{ snapshot = "{name}"; }};')
    msg = SIM.embed_snapshot(tree, CONFIGS)
    assert msg and msg.startswith(f"run.snapshot: {name}: ") and "snapshot_stored" not in tree.items


@pytest.mark.parametrize("typed,written", [('"kommun"', 'paid_by = "kommun";'), ("kommun", 'paid_by = "kommun";'),
                                           ("kommun = 0.5; region = 0.5;",
                                            "paid_by = { kommun = 0.5; region = 0.5; };")])
def test_a_group_box_takes_one_name_or_members(schema, typed, written):
    """money.*.paid_by, employer, waiting: an actor's name or shares by actor."""
    lay = F.Layout(schema)
    form = MultiDict([("rows.money.fixed", "0"), ("money.fixed.0.name", "rent"),
                      ("money.fixed.0.cost_per_month", "100.0"), ("money.fixed.0.paid_by", typed)])
    built = F.tree_from_form(lay, form)
    assert built.errors == {}
    text, _ = C.write(built.tree)
    assert written in text
