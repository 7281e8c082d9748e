"""FALLBACK FIXTURE, NOT THE SIMULATOR'S OUTPUT: a `caseflow keys --json`
document built from the agreed spec (the helpers' formats note) while the
simulator in this tree does not have `--json` yet. It takes every key of the
real `caseflow keys` table (through the page's own Markdown adapter) and
adds item keys for some list sections the way the spec writes them
("sources.[].rate_per_month", "staff.teams.[].members.[].count"), so the
tests can exercise the form's per-item fields. Tests that use it say so in
their names (..._spec_fixture). Once the simulator prints the real document,
test_real_keys_json checks that one against the same spec.
"""
import json

from caseflow_web import schema as S

ITEM_KEYS = {
    "sources": [("name", "string", ""), ("kind", "string", ""), ("rate_per_month", "float", "referrals/month"),
                ("schedule", "list", ""), ("replacement", "int", ""), ("profiles", "group", "shares"),
                ("unit", "group", "")],
    "staff.roles": [("name", "string", ""), ("caseload_cap", "float", "participants/worker"),
                    ("decides", "bool", ""), ("call_in_probability", "float", "probability"),
                    ("meeting_hours", "group", "hours")],
    "staff.teams": [("name", "string", "")],
    "staff.teams.[].members": [("role", "string", ""), ("count", "int", "count"), ("fte", "float", "share"),
                               ("start_month", "float", "months")],
}


def spec_document(markdown_text):
    base = S.from_markdown(markdown_text)
    keys = []
    for k in base.keys:
        keys.append({f: k[f] for f in S.KEY_FIELDS})
        prefix = k["key"]
        for item_list, items in ITEM_KEYS.items():
            if item_list.split(".[]")[0] != prefix:
                continue
            for name, typ, unit in items:
                keys.append({"key": f"{item_list}.[].{name}", "section": k["section"], "type": typ,
                             "required": name == "name", "default": None, "min": None, "max": None,
                             "unit": unit, "help": f"{name} of one item", "choices": None,
                             "item_of": item_list, "extra_field_readers_must_tolerate": 1})
    sections = [{"name": s["name"], "help": f"the {s['name']} section", "list": s["list"]} for s in base.sections]
    return json.dumps({"format": "caseflow-keys", "version": 1, "sections": sections, "keys": keys})
