"""The simulator's scenario keys, as the form needs them.

Source of truth is the simulator: `caseflow keys --json` (format
"caseflow-keys", version 1, see configs/README.md). The page and the
simulator ship in one tree, so a build without `--json` is an old build:
load() then says to rebuild rather than guessing from the Markdown table of
`caseflow keys` (an adapter for that table existed while --json did not;
the table is for people and changes its wording freely).

A Schema: sections in order, keys in order, each key a dict with the JSON's
fields (key, section, type, required, default, min, max, unit, help,
choices, item_of) plus any extra fields the document carries
(min_exclusive, required_unless, distribution, ...).
"""
import json
import subprocess

KEY_FIELDS = ("key", "section", "type", "required", "default", "min", "max", "unit", "help", "choices", "item_of")
TYPES = ("int", "float", "bool", "string", "array", "list", "group")


class SchemaError(RuntimeError):
    pass


class Schema:
    def __init__(self, sections, keys, source):
        self.sections = sections          # [{"name", "help", "list"}]
        self.keys = keys                  # [{"key", ...}] in the simulator's order
        self.by_key = {k["key"]: k for k in keys}
        self.source = source              # "json" or "markdown" (the adapter)

    def section(self, name):
        for s in self.sections:
            if s["name"] == name:
                return s
        return None


def from_json(text):
    try:
        doc = json.loads(text)
    except ValueError as e:
        raise SchemaError(f"caseflow keys --json: not JSON ({e})") from None
    if not isinstance(doc, dict) or doc.get("format") != "caseflow-keys":
        raise SchemaError("caseflow keys --json: not a caseflow-keys document")
    if doc.get("version") != 1:
        raise SchemaError(f"caseflow keys --json: version {doc.get('version')!r}, this page reads version 1")
    sections, keys = [], []
    for s in doc.get("sections") or []:
        if not isinstance(s, dict) or not isinstance(s.get("name"), str):
            raise SchemaError("caseflow keys --json: a section without a name")
        sections.append({"name": s["name"], "help": str(s.get("help") or ""), "list": bool(s.get("list"))})
    for k in doc.get("keys") or []:
        if not isinstance(k, dict) or not isinstance(k.get("key"), str) or not k["key"]:
            raise SchemaError("caseflow keys --json: a key entry without a key")
        entry = {f: k.get(f) for f in KEY_FIELDS}
        entry.update({f: v for f, v in k.items() if f not in KEY_FIELDS})  # tolerated extras
        if entry["type"] not in TYPES:
            raise SchemaError(f"caseflow keys --json: {k['key']}: unknown type {entry['type']!r}")
        entry["section"] = entry["section"] or k["key"].split(".")[0]
        entry["unit"] = entry["unit"] or ""
        entry["help"] = entry["help"] or ""
        entry["required"] = bool(entry["required"])
        keys.append(entry)
    _add_missing_sections(sections, keys)
    return Schema(sections, keys, "json")


def _add_missing_sections(sections, keys):
    for k in keys:
        if not any(s["name"] == k["section"] for s in sections):
            sections.append({"name": k["section"], "help": "", "list": False})


def load(binary, timeout=30):
    """Schema from `binary keys --json`; SchemaError (one line) otherwise."""
    try:
        p = subprocess.run([binary, "keys", "--json"], capture_output=True, text=True, timeout=timeout,
                           stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise SchemaError(f"cannot run {binary} keys --json: {e}") from None
    if p.returncode == 0 and p.stdout.lstrip().startswith("{"):
        return from_json(p.stdout)
    why = (p.stderr.strip().splitlines() or [f"exit {p.returncode}"])[0][:300]
    raise SchemaError(f"{binary} keys --json failed ({why}): this simulator predates the key list "
                      f"the page reads; rebuild it (make build)")
