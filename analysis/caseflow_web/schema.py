"""The simulator's scenario keys, as the form needs them.

Source of truth is the simulator: `caseflow keys --json` (format
"caseflow-keys", version 1, agreed in the helpers' formats note and to be
documented in configs/README.md). A build that refuses `--json` (they
predate it) still prints the Markdown reference table of `caseflow keys`;
`from_markdown()` adapts that table to the same structure, so the form works
with either. The adapter cannot see inside list items (the table describes
them in prose), so with it each list row is edited as one text; with the
JSON every item key gets its own field.

Both give a Schema: sections in order, keys in order, each key a dict with
the JSON's fields (key, section, type, required, default, min, max, unit,
help, choices, item_of); readers tolerate extra fields, and the adapter adds
min_exclusive / max_exclusive where the table says "> 0".
"""
import json
import re
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


# -- adapter for the Markdown reference (caseflow keys without --json) -------

_ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|(.*)\|\s*$")
_RANGE = re.compile(r"(>=|>)\s*([-+0-9.e]+)(?:\s+and\s+(<=|<)\s*([-+0-9.e]+))?")


def _num(text):
    try:
        v = float(text)
    except ValueError:
        return None
    return int(v) if v == int(v) and "e" not in text and "." not in text else v


def _split_cells(rest):
    """(type, unit, default, meaning) of one table row (after the key).

    Cells are split on every '|', but a choice type ("one of head|need") and
    the meaning (kind = "poisson"|"quota") contain '|' themselves; a choice
    row's unit column reads "choice", which marks where its type ends."""
    cells = [c.strip() for c in rest.split("|")]
    if len(cells) < 4:
        return None
    j = 1
    if cells[0].startswith("one of ") and "choice" in cells[1:]:
        j = cells.index("choice", 1)
    if len(cells) < j + 3:
        return None
    return "|".join(cells[:j]), cells[j], cells[j + 1], "|".join(cells[j + 2:])


def _adapt_type(desc):
    """(type, choices, min, max, min_exclusive, max_exclusive) from the
    table's type column, e.g. 'an integer >= 1 and <= 1e+06 (count)'."""
    d = desc.strip()
    choices = None
    if d.startswith("one of "):
        choices = d[len("one of "):].split("|")
        return "string", [c.strip() for c in choices], None, None, False, False
    if d == "list":
        return "list", None, None, None, False, False
    if d.startswith("group") or d.startswith("distribution group"):
        return "group", None, None, None, False, False
    if d == "names":
        return "array", None, None, None, False, False
    if d.startswith("true") or d.startswith("a boolean") or d == "bool":
        return "bool", None, None, None, False, False
    if "integer" in d:
        t = "int"
    elif "number" in d:
        t = "float"
    else:
        return "string", None, None, None, False, False
    lo = hi = None
    lo_x = hi_x = False
    m = _RANGE.search(d)
    if m:
        lo, lo_x = _num(m.group(2)), m.group(1) == ">"
        if m.group(4):
            hi, hi_x = _num(m.group(4)), m.group(3) == "<"
    return t, None, lo, hi, lo_x, hi_x


def _adapt_default(text, typ):
    t = text.strip()
    if t in ("required", "-", ""):
        return None
    if typ in ("int", "float"):
        v = _num(t)
        return v if v is not None else t
    if typ == "bool":
        return t.lower() == "true"
    return t


def from_markdown(text):
    """The `caseflow keys` Markdown table -> Schema (see the module note)."""
    keys, list_roots = [], []
    for line in text.splitlines():
        m = _ROW.match(line)
        if not m:
            continue
        cells = _split_cells(m.group(2))
        if cells is None:
            continue
        type_desc, unit, default, meaning = cells
        typ, choices, lo, hi, lo_x, hi_x = _adapt_type(type_desc)
        key = m.group(1)
        if unit in ("-", "choice", "list", "group", "names", "shares"):
            unit = ""
        section = key.split(".")[0]
        entry = {"key": key, "section": section, "type": typ, "required": False,
                 "default": _adapt_default(default, typ), "min": lo, "max": hi, "unit": unit,
                 "help": meaning.replace("`", "").strip(), "choices": choices, "item_of": None,
                 "min_exclusive": lo_x, "max_exclusive": hi_x, "type_text": type_desc}
        # 'required' in the table means "no default": required only when the
        # section is used, which the table does not say; the checks decide.
        keys.append(entry)
        if typ == "list" and "." not in key:
            list_roots.append(key)
    if not keys:
        raise SchemaError("caseflow keys printed no key table")
    sections = []
    for k in keys:
        if not any(s["name"] == k["section"] for s in sections):
            sections.append({"name": k["section"], "help": "", "list": k["section"] in list_roots})
    return Schema(sections, keys, "markdown")


def _add_missing_sections(sections, keys):
    for k in keys:
        if not any(s["name"] == k["section"] for s in sections):
            sections.append({"name": k["section"], "help": "", "list": False})


def load(binary, timeout=30):
    """Schema from the simulator at `binary`: --json when it has it, else the
    Markdown table through the adapter. SchemaError when neither works."""
    try:
        p = subprocess.run([binary, "keys", "--json"], capture_output=True, text=True, timeout=timeout,
                           stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise SchemaError(f"cannot run {binary} keys --json: {e}") from None
    if p.returncode == 0 and p.stdout.lstrip().startswith("{"):
        return from_json(p.stdout)
    try:
        p = subprocess.run([binary, "keys"], capture_output=True, text=True, timeout=timeout,
                           stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise SchemaError(f"cannot run {binary} keys: {e}") from None
    if p.returncode != 0:
        raise SchemaError(f"{binary} keys failed (exit {p.returncode}): {p.stderr.strip()[:300]}")
    return from_markdown(p.stdout)
