"""The scenario form: which fields the schema asks for, how a scenario fills
them, and how the posted fields become a scenario file again.

Field ids are paths with dots, list rows by the form's row number:
`staff.workers`, `sources.3.rate_per_month` (a field of row 3), `sources.3`
(row 3 as one text, when the schema has no item keys). An empty field is
left out of the file, so the simulator's default applies, which is what the
placeholder says. Nothing typed reaches the file as raw text: every field is
parsed (numbers as literals, strings quoted, groups and lists through the
libconfig parser) and written by cfgtext.Writer, so a field cannot inject
other settings.

Messages from `caseflow check` name a key (`sources[1].rate_per_month`) or
only a line (syntax); both are traced back to the field that wrote it.
"""
import copy
import re

from . import cfgtext as C

EXTRA = "__extra"          # settings of the loaded file the schema does not list
MORE = "__more"            # per row: members the item keys do not list


class FieldSpec:
    def __init__(self, path, key, widget):
        self.path = path          # absolute, or relative to a list item
        self.key = key            # schema entry
        self.widget = widget      # number text select bool array group list


class ListSpec:
    def __init__(self, path, key, item_fields):
        self.path = path
        self.key = key or {}
        self.item_fields = item_fields   # [] -> each row is one text


class SectionSpec:
    def __init__(self, name, help_text, is_list, entries):
        self.name, self.help, self.is_list, self.entries = name, help_text, is_list, entries


def widget_for(key):
    t = key.get("type")
    if t in ("int", "float"):
        return "number"
    if t == "string":
        return "select" if key.get("choices") else "text"
    return {"bool": "bool", "array": "array", "group": "group", "list": "list"}.get(t, "text")


def field_id(path):
    return ".".join(str(p) for p in path)


def _split(key):
    return tuple(key.split("."))


class Layout:
    """The form's shape, derived once from a Schema."""

    def __init__(self, schema):
        self.schema = schema
        names = [k["key"] for k in schema.keys]
        self._containers = {n for n in names
                            if schema.by_key[n]["type"] == "group" and any(o.startswith(n + ".") for o in names)}
        self.sections = []
        for sec in schema.sections:
            entries, seen_lists = [], set()
            for k in schema.keys:
                if k["section"] != sec["name"]:
                    continue
                parts = _split(k["key"])
                if "[]" in parts:
                    root = parts[:parts.index("[]")]
                    # a list known only through its item keys
                    if root not in seen_lists and root == (sec["name"],) and sec["list"]:
                        seen_lists.add(root)
                        entries.append(ListSpec(root, None, self._item_fields(".".join(root))))
                    continue
                if k["type"] == "list":
                    if parts not in seen_lists:
                        seen_lists.add(parts)
                        entries.append(ListSpec(parts, k, self._item_fields(k["key"])))
                elif k["key"] not in self._containers:
                    entries.append(FieldSpec(parts, k, widget_for(k)))
                else:
                    # a group with listed keys may hold members of its own
                    # (exits.followup's per-destination groups): one box for those
                    entries.append(FieldSpec(parts, k, "more"))
            self.sections.append(SectionSpec(sec["name"], sec.get("help", ""), sec["list"], entries))

    def _item_fields(self, list_key):
        prefix = list_key + ".[]."
        out, seen = [], set()
        for k in self.schema.keys:
            if not k["key"].startswith(prefix):
                continue
            rest = _split(k["key"][len(prefix):])
            if "[]" in rest:          # inside a nested list: the nested list is one text field
                rel = rest[:rest.index("[]")]
                if rel not in seen:
                    seen.add(rel)
                    nested = self.schema.by_key.get(prefix + ".".join(rel),
                                                    {"key": prefix + ".".join(rel), "type": "list", "unit": "",
                                                     "help": "", "default": None})
                    out.append(FieldSpec(rel, nested, "list"))
                continue
            if k["key"] in self._containers or rest in seen:
                continue
            if any(rest[:i] in seen for i in range(1, len(rest))):
                continue   # inside a nested list already listed
            seen.add(rest)
            out.append(FieldSpec(rest, k, widget_for(k)))
        return out

    def lists(self):
        for s in self.sections:
            for e in s.entries:
                if isinstance(e, ListSpec):
                    yield e

    def fields(self):
        for s in self.sections:
            for e in s.entries:
                if isinstance(e, FieldSpec):
                    yield e


# -- tree -> field texts -------------------------------------------------------

def _group_text(node):
    return C.members_text(node)


def format_for(node, widget):
    """The text a field shows for a node."""
    if isinstance(node, C.Scalar) and widget in ("group", "row", "more"):
        return C.scalar_text(node)     # a group key that also takes one value: paid_by = "kommun"
    if isinstance(node, C.Scalar):
        if node.kind == "string" and widget in ("text", "select"):
            return node.value
        if node.kind == "int" and widget == "number":
            return node.text.rstrip("L")   # the writer adds L again where 32 bits do not suffice
        return C.scalar_text(node) if node.kind != "bool" else node.text
    if widget == "array" and isinstance(node, C.Seq) and node.kind == "array":
        return C.items_text(node, bare_names=True)
    if widget in ("group", "row", "more") and isinstance(node, C.Group):
        return _group_text(node)
    if widget == "list" and isinstance(node, C.Seq):
        return C.items_text(node)
    return C.inline(node)


def _pop(tree, path):
    """Removes and returns the node at path (names only) from a copy tree."""
    node = tree
    for part in path[:-1]:
        if not isinstance(node, C.Group) or part not in node.items:
            return None
        node = node.items[part]
    if not isinstance(node, C.Group):
        return None
    return node.items.pop(path[-1], None)


def _prune(group):
    for k in list(group.items):
        v = group.items[k]
        if isinstance(v, C.Group):
            _prune(v)
            if not v.items:
                del group.items[k]


class FormState:
    """What the form shows: field texts, the rows of each list (form row
    numbers, in order), messages by field id, and messages for the top."""

    def __init__(self):
        self.values = {}
        self.rows = {}
        self.errors = {}
        self.top_errors = []


def state_from_tree(layout, tree):
    rest = copy.deepcopy(tree)
    st = FormState()
    for f in layout.fields():
        if f.widget == "more":
            continue
        node = _pop(rest, f.path)
        if node is not None:
            st.values[field_id(f.path)] = format_for(node, f.widget)
    for ls in layout.lists():
        lid = field_id(ls.path)
        node = _pop(rest, ls.path)
        st.rows[lid] = []
        if node is None:
            continue
        items = node.items if isinstance(node, C.Seq) else [node]
        for i, item in enumerate(items):
            st.rows[lid].append(i)
            rid = f"{lid}.{i}"
            if not ls.item_fields or not isinstance(item, C.Group):
                st.values[rid] = format_for(item, "row" if isinstance(item, C.Group) else "text")
                continue
            left = copy.deepcopy(item)
            for f in ls.item_fields:
                sub = _pop(left, f.path)
                if sub is not None:
                    st.values[f"{rid}.{field_id(f.path)}"] = format_for(sub, f.widget)
            _prune(left)
            if left.items:
                st.values[f"{rid}.{MORE}"] = _group_text(left)
    # what is left of a group whose listed keys were taken above
    for f in sorted((f for f in layout.fields() if f.widget == "more"), key=lambda f: -len(f.path)):
        node = C.get(rest, f.path)
        if isinstance(node, C.Group):
            _prune(node)
            node = _pop(rest, f.path)
            if node.items:
                st.values[field_id(f.path)] = _group_text(node)
        elif node is not None:
            st.values[field_id(f.path)] = format_for(_pop(rest, f.path), "group")
    _prune(rest)
    if rest.items:
        text, _ = C.write(rest)   # whole settings: the writer's layout
        st.values[EXTRA] = text.rstrip("\n")
    return st


# -- posted field texts -> tree ------------------------------------------------

def parse_field(text, widget):
    """A field's text -> node; None when empty; CfgError when unreadable."""
    t = text.strip()
    if not t:
        return None
    if widget == "number":
        n = C.number(t)
        if n is None:
            raise C.CfgError(f"'{t}' is not a number")
        return n
    if widget in ("text", "select"):
        return C.string(t)
    if widget == "bool":
        if t.lower() not in ("true", "false"):
            raise C.CfgError("expected true or false")
        return C.boolean(t.lower() == "true")
    if widget == "array":
        if t.startswith("["):
            return C.parse_value(t, bare_names=True)
        return C.parse_items(t, "array", bare_names=True)
    if widget == "list":
        if t.startswith("("):
            return C.parse_value(t)
        return C.parse_items(t, "list")
    if widget in ("group", "more") and re.fullmatch(r'"(?:[^"\\]|\\.)*"|[-+0-9.][-+0-9.eE]*L?', t):
        # one value instead of members (money.waiting = "baseline"; paid_by = "kommun")
        return C.parse_value(t)
    if widget in ("group", "more") and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", t) and t.lower() not in ("true", "false"):
        return C.string(t)     # the same name typed without quotes: paid_by = kommun
    if widget in ("group", "row", "more"):
        if t.startswith("{"):
            v = C.parse_value(t)
            if not isinstance(v, C.Group):
                raise C.CfgError("expected settings: name = value; ...")
            return v
        return C.parse_members(t)
    return C.string(t)


def _put_path(root, path, node):
    """Sets node at a relative path of names inside a Group."""
    C.put(root, path, node)


class Built:
    """A scenario built from the form: its tree, the field each written path
    came from, and the field errors found before the simulator saw it."""

    def __init__(self):
        self.tree = C.Group()
        self.path_field = {}
        self.errors = {}
        self.top_errors = []


def tree_from_form(layout, form):
    """form: a mapping with .get(name) and .getlist(name) (Flask's
    request.form or a MultiDict); list rows come from the hidden inputs
    `rows.<list id>` in page order."""
    b = Built()

    def read(fid, widget):
        try:
            return parse_field(form.get(fid, "") or "", widget)
        except C.CfgError as e:
            b.errors[fid] = e.bare if e.line is None else str(e)
            return None

    # settings the schema does not list first: the form's own fields win
    extra = (form.get(EXTRA, "") or "").strip()
    if extra:
        try:
            et = C.parse(extra)
            for k, v in et.items.items():
                b.tree.items[k] = v
            for path in _leaf_paths(et, ()):
                b.path_field[path] = EXTRA
        except C.CfgError as e:
            b.errors[EXTRA] = str(e)
    fields = sorted(layout.fields(), key=lambda f: f.widget != "more")   # a group's own members first
    for f in fields:
        fid = field_id(f.path)
        node = read(fid, f.widget)
        if node is None:
            continue
        if f.widget == "more" and isinstance(node, C.Group):
            for k, v in node.items.items():
                C.put(b.tree, f.path + (k,), v)
            for path in _leaf_paths(node, f.path):
                b.path_field[path] = fid
            continue
        C.put(b.tree, f.path, node)
        b.path_field[f.path] = fid
    for ls in layout.lists():
        lid = field_id(ls.path)
        items = []
        for r in _row_numbers(form, lid):
            rid = f"{lid}.{r}"
            pos = len(items)
            if not ls.item_fields:
                node = read(rid, "row")
                if node is not None:
                    items.append(node)
                    b.path_field[ls.path + (pos,)] = rid
                continue
            item = C.Group()
            fields_of_row = {}
            more = read(f"{rid}.{MORE}", "row")
            if more is not None:
                item.items.update(more.items)
                for k in more.items:
                    fields_of_row[(k,)] = f"{rid}.{MORE}"
            for f in ls.item_fields:
                fid = f"{rid}.{field_id(f.path)}"
                node = read(fid, f.widget)
                if node is not None:
                    _put_path(item, f.path, node)
                    fields_of_row[f.path] = fid
            if item.items:
                items.append(item)
                b.path_field[ls.path + (pos,)] = rid
                for p, fid in fields_of_row.items():
                    b.path_field[ls.path + (pos,) + p] = fid
        if items:
            C.put(b.tree, ls.path, C.Seq("list", items))
    return b


def _leaf_paths(group, prefix):
    """Paths of the settings in a group that are not groups themselves (a
    message about a group's other members is then not blamed on this box)."""
    for k, v in group.items.items():
        if isinstance(v, C.Group) and v.items:
            yield from _leaf_paths(v, prefix + (k,))
        else:
            yield prefix + (k,)


def _row_numbers(form, lid):
    out = []
    for v in form.getlist(f"rows.{lid}"):
        if re.fullmatch(r"\d{1,6}", v or "") and int(v) not in out:
            out.append(int(v))
    return out


def state_from_form(layout, form):
    """The form as posted, to show it again (with messages)."""
    st = FormState()
    for f in layout.fields():
        fid = field_id(f.path)
        if form.get(fid):
            st.values[fid] = form.get(fid)
    for ls in layout.lists():
        lid = field_id(ls.path)
        st.rows[lid] = _row_numbers(form, lid)
        for r in st.rows[lid]:
            rid = f"{lid}.{r}"
            names = [rid, f"{rid}.{MORE}"] + [f"{rid}.{field_id(f.path)}" for f in ls.item_fields]
            for n in names:
                if form.get(n):
                    st.values[n] = form.get(n)
    if form.get(EXTRA):
        st.values[EXTRA] = form.get(EXTRA)
    return st


# -- simulator messages -> fields ----------------------------------------------

_MESSAGE = re.compile(r"^(?:caseflow: )?(?P<file>[^:\n]+):(?P<line>\d+): (?P<rest>.*)$")
_KEYED = re.compile(r"^(?P<key>[A-Za-z_][A-Za-z0-9_\-]*(?:(?:\.[A-Za-z_][A-Za-z0-9_\-]*)|\[\d+\])*): (?P<msg>.*)$")


def key_path(key):
    """'sources[1].rate_per_month' -> ('sources', 1, 'rate_per_month')."""
    out = []
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", key):
        out.append(int(part[1:-1]) if part.startswith("[") else part)
    return tuple(out)


def _longest(path_field, path):
    for n in range(len(path), 0, -1):
        fid = path_field.get(tuple(path[:n]))
        if fid is not None:
            return fid
    return None


def place_message(message, path_field, line_path):
    """(field id or None, text to show) for one line from caseflow check."""
    line = message.strip().splitlines()[0] if message.strip() else ""
    m = _MESSAGE.match(line)
    if not m:
        return None, re.sub(r"^caseflow: ", "", line)
    rest = m.group("rest")
    k = _KEYED.match(rest)
    if k:
        fid = _longest(path_field, key_path(k.group("key")))
        if fid is not None:
            return fid, rest
    p = line_path.get(int(m.group("line")))
    if p is not None:
        fid = _longest(path_field, p)
        if fid is not None:
            return fid, rest
    return None, f"line {m.group('line')}: {rest}"


# -- display helpers -----------------------------------------------------------

def _fmt_bound(v):
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        v = int(v)
    if isinstance(v, int) and abs(v) >= 10000:
        return f"{v:,}".replace(",", "\u202f")
    return str(v)


def range_text(key):
    lo, hi = key.get("min"), key.get("max")
    if lo is None and hi is None:
        return ""
    parts = []
    if lo is not None:
        parts.append(("> " if key.get("min_exclusive") else "≥ ") + _fmt_bound(lo))
    if hi is not None:
        parts.append(("< " if key.get("max_exclusive") else "≤ ") + _fmt_bound(hi))
    return ", ".join(parts)


def default_text(key):
    """The default as the form shows it; '' when there is none."""
    d = key.get("default")
    if d is None:
        return ""
    if isinstance(d, bool):
        return "true" if d else "false"
    if key.get("type") == "float" and isinstance(d, (int, float)) and float(d).is_integer() and abs(d) < 1e15:
        return repr(float(d))      # a float key's default as its literal: 4.0, not 4
    if isinstance(d, list):
        return ", ".join(str(x) for x in d)
    return str(d)


def help_html(text):
    """The key list's help with its `code` spans as <code> (escaped)."""
    from markupsafe import Markup, escape
    parts = str(text or "").split("`")
    return Markup("".join(f"<code>{escape(p)}</code>" if i % 2 else str(escape(p)) for i, p in enumerate(parts)))


def label_text(name):
    return str(name).replace("_", " ")


def field_label(path, relative=False):
    """'staff.turnover.tenure_months' -> 'turnover: tenure months' (the
    section is the heading); a row's field keeps its whole relative path."""
    parts = list(path if relative or len(path) == 1 else path[1:])
    return ": ".join(label_text(p) for p in parts)


def section_status(section, state):
    """(settings given, has a message) for a section's heading."""
    n, err = 0, False
    for e in section.entries:
        if isinstance(e, FieldSpec):
            fid = field_id(e.path)
            n += bool(state.values.get(fid))
            err = err or fid in state.errors
        else:
            lid = field_id(e.path)
            n += bool(state.rows.get(lid))
            err = err or any(k == lid or k.startswith(lid + ".") for k in state.errors)
    return n, err


def next_row(state, lid):
    return max(state.rows.get(lid) or [-1]) + 1


def text_rows(value, least=1, width=44, most=12):
    """Rows a textarea needs to show `value` whole at about `width` characters a line."""
    n = sum(max(1, -(-len(line) // width)) for line in (value or "").split("\n"))
    return max(least, min(most, n))


def is_wide(spec, value):
    """A group or list field whose text needs more than the control column."""
    return spec.widget in ("group", "list", "array", "more") and ("\n" in (value or "") or len(value or "") > 44)


def error_list(state):
    """(field id, message) in page order, for the banner above the form."""
    return list(state.errors.items())
