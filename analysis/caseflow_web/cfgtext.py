"""Scenario text (libconfig syntax) <-> a typed tree, for the scenario form.

The form writes back what the planner typed, so numbers keep their literal
text: `20261124L` stays a 64-bit integer, `0.08` stays `0.08` rather than
becoming 0.080000000000000002, and `caseflow check` sees the same values
in the downloaded file as in the original. (It is the project's only
Python reader of libconfig text; result files carry their parameters in
/resolved, so the analysis package needs none.)

The writer emits only what the tree holds; nothing here knows the keys.
Syntax accepted: groups `{}`, arrays `[]`, lists `()`, `=` or `:`, `;` or
`,` after a setting (or nothing, as libconfig allows), `#`, `//` and `/* */`
comments, numbers with `L`/`LL` and hex, adjacent strings concatenated,
true/false in any case. `@include` is refused: an uploaded file cannot
name other files on the server.
"""
import re

MAX_DEPTH = 64  # as the simulator's own check: deeper nesting is refused, not recursed into

_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\f\v]+)
  | (?P<nl>\n)
  | (?P<comment>\#[^\n]*|//[^\n]*|/\*.*?\*/)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<number>[-+]?(?:0[xX][0-9a-fA-F]+(?:LL|L)?|(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?:LL|L)?))
  | (?P<name>[A-Za-z*][-A-Za-z0-9_*]*)
  | (?P<punct>[=:;,{}()\[\]])
  | (?P<include>@include\b)
    """,
    re.VERBOSE | re.DOTALL,
)

INT32_MIN, INT32_MAX = -(2 ** 31), 2 ** 31 - 1


class CfgError(ValueError):
    """A text the parser cannot read; `line` counts from 1 within the text."""

    def __init__(self, message, line=None):
        super().__init__(message if line is None else f"line {line}: {message}")
        self.line = line
        self.bare = message


class Scalar:
    """A number, string or boolean. `text` is the literal for numbers."""

    __slots__ = ("kind", "text", "value")

    def __init__(self, kind, text, value):
        self.kind, self.text, self.value = kind, text, value

    def __eq__(self, other):
        return isinstance(other, Scalar) and (self.kind, self.text, self.value) == (other.kind, other.text,
                                                                                      other.value)

    def __repr__(self):
        return f"Scalar({self.kind}, {self.text!r})"


class Group:
    """Named settings in order."""

    __slots__ = ("items",)

    def __init__(self, items=None):
        self.items = dict(items or {})

    def __eq__(self, other):
        return isinstance(other, Group) and list(self.items.items()) == list(other.items.items())

    def __repr__(self):
        return f"Group({self.items!r})"


class Seq:
    """An array `[...]` (scalars) or a list `(...)` (anything)."""

    __slots__ = ("kind", "items")

    def __init__(self, kind, items=None):
        self.kind, self.items = kind, list(items or [])

    def __eq__(self, other):
        return isinstance(other, Seq) and self.kind == other.kind and self.items == other.items

    def __repr__(self):
        return f"Seq({self.kind}, {self.items!r})"


def string(value):
    return Scalar("string", None, value)


def boolean(value):
    return Scalar("bool", "true" if value else "false", bool(value))


def number(text):
    """A Scalar from a number literal, or None when `text` is not one."""
    text = text.strip()
    m = _TOKEN.fullmatch(text)
    if not m or m.lastgroup != "number":
        return None
    return _number_scalar(text)


def _number_scalar(text):
    body = text.rstrip("L")
    if re.fullmatch(r"[-+]?0[xX][0-9a-fA-F]+", body):
        return Scalar("int", text, int(body, 16))
    if re.fullmatch(r"[-+]?\d+", body):
        return Scalar("int", text, int(body))
    return Scalar("float", text, float(body))


# -- reading -----------------------------------------------------------------

def _tokenise(text):
    if "\x00" in text:
        raise CfgError("the text contains NUL bytes (is it a scenario file?)")
    pos, line, out = 0, 1, []
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise CfgError(f"cannot read {text[pos:pos + 12]!r}", line)
        kind = m.lastgroup
        if kind == "include":
            raise CfgError("@include is not supported here: paste or upload the included file's settings", line)
        if kind not in ("ws", "nl", "comment"):
            out.append((kind, m.group(kind), line))
        line += m.group(0).count("\n")
        pos = m.end()
    return out


def _unescape(literal):
    body = literal[1:-1]
    table = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "\\": "\\", '"': '"'}

    def one(m):
        e = m.group(1)
        if e in table:
            return table[e]
        if e.startswith("x"):
            return chr(int(e[1:], 16))
        return e

    return re.sub(r"\\(x[0-9a-fA-F]{2}|.)", one, body)


class _Parser:
    def __init__(self, tokens, bare_names=False):
        self.t = tokens
        self.i = 0
        self.bare_names = bare_names  # array items typed without quotes are strings

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else (None, None, self._last_line())

    def _last_line(self):
        return self.t[-1][2] if self.t else 1

    def take(self, value=None):
        kind, val, line = self.peek()
        if kind is None:
            raise CfgError(f"the text ends where {value or 'more'} was expected", line)
        if value is not None and val != value:
            raise CfgError(f"expected '{value}', found '{val}'", line)
        self.i += 1
        return kind, val, line

    def settings(self, closer, depth):
        group = Group()
        while True:
            kind, val, line = self.peek()
            if kind is None or val == closer:
                return group
            if kind != "name":
                raise CfgError(f"expected a setting name, found '{val}'", line)
            self.take()
            sep = self.take()
            if sep[1] not in ("=", ":"):
                raise CfgError(f"expected '=' or ':' after '{val}', found '{sep[1]}'", sep[2])
            if val in group.items:
                raise CfgError(f"'{val}' is given twice", line)
            group.items[val] = self.value(depth + 1)
            if self.peek()[1] in (";", ","):
                self.take()

    def value(self, depth):
        if depth > MAX_DEPTH:
            raise CfgError(f"nested more than {MAX_DEPTH} deep", self.peek()[2])
        kind, val, line = self.peek()
        if val == "{":
            self.take()
            g = self.settings("}", depth)
            self.take("}")
            return g
        if val in ("[", "("):
            closer = "]" if val == "[" else ")"
            self.take()
            seq = Seq("array" if val == "[" else "list")
            while self.peek()[1] != closer:
                if self.peek()[0] is None:
                    raise CfgError(f"'{val}' is not closed", line)
                seq.items.append(self.value(depth + 1))
                if self.peek()[1] == ",":
                    self.take()
                elif self.peek()[1] != closer:
                    raise CfgError(f"expected ',' or '{closer}', found '{self.peek()[1]}'", self.peek()[2])
            self.take(closer)
            return seq
        return self.scalar()

    def scalar(self):
        kind, val, line = self.take()
        if kind == "string":
            s = _unescape(val)
            while self.peek()[0] == "string":  # adjacent strings concatenate
                s += _unescape(self.take()[1])
            return string(s)
        if kind == "number":
            return _number_scalar(val)
        if kind == "name" and val.lower() in ("true", "false"):
            return boolean(val.lower() == "true")
        if kind == "name" and self.bare_names:
            return string(val)
        raise CfgError(f"unexpected '{val}'", line)


def parse(text):
    """Whole scenario text -> Group of top-level settings; CfgError otherwise."""
    p = _Parser(_tokenise(text))
    g = p.settings(None, 0)
    if p.peek()[0] is not None:
        raise CfgError(f"unexpected '{p.peek()[1]}'", p.peek()[2])
    return g


def parse_value(text, bare_names=False):
    """One value (`1.5`, `"x"`, `{ a = 1; }`, `[1, 2]`) -> node."""
    p = _Parser(_tokenise(text), bare_names)
    if p.peek()[0] is None:
        raise CfgError("empty")
    v = p.value(1)
    if p.peek()[0] is not None:
        raise CfgError(f"unexpected '{p.peek()[1]}' after the value", p.peek()[2])
    return v


def parse_members(text):
    """The inside of a group (`dist = "gamma"; mean = 1.5;`) -> Group."""
    p = _Parser(_tokenise(text))
    g = p.settings(None, 1)
    if p.peek()[0] is not None:
        raise CfgError(f"unexpected '{p.peek()[1]}'", p.peek()[2])
    return g


def parse_items(text, kind, bare_names=False):
    """The inside of an array or list (`1, 2` or `{...}, {...}`) -> Seq."""
    opener, closer = ("[", "]") if kind == "array" else ("(", ")")
    p = _Parser(_tokenise(opener + "\n" + text + "\n" + closer), bare_names)
    try:
        v = p.value(1)
    except CfgError as e:  # the added first line is not the planner's
        raise CfgError(e.bare, None if e.line is None else max(1, e.line - 1)) from None
    if p.peek()[0] is not None:
        raise CfgError(f"unexpected '{p.peek()[1]}'")
    return v


# -- writing -----------------------------------------------------------------

_BARE = re.compile(r"[A-Za-z][-A-Za-z0-9_]*\Z")


def quote(s):
    out = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    out = out.replace("\r", "\\r").replace("\f", "\\f")
    out = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\x{ord(m.group(0)):02x}", out)
    return f'"{out}"'


def scalar_text(node):
    if node.kind == "string":
        return quote(node.value)
    if node.kind == "int":
        text = node.text
        # libconfig reads an integer outside 32 bits only with the L suffix
        if not text.endswith("L") and not (INT32_MIN <= node.value <= INT32_MAX):
            text += "L"
        return text
    return node.text


def inline(node):
    """The node on one line (nested groups and lists too)."""
    if isinstance(node, Scalar):
        return scalar_text(node)
    if isinstance(node, Group):
        if not node.items:
            return "{ }"
        return "{ " + " ".join(f"{k} = {inline(v)};" for k, v in node.items.items()) + " }"
    o, c = ("[", "]") if node.kind == "array" else ("(", ")")
    if not node.items:
        return o + " " + c
    return o + " " + ", ".join(inline(v) for v in node.items) + " " + c


def members_inline(group):
    """The inside of a group on one line: `dist = "gamma"; mean = 1.5;`."""
    return " ".join(f"{k} = {inline(v)};" for k, v in group.items.items())


def items_text(seq, bare_names=False):
    """The inside of an array/list: arrays on one line (names bare when
    `bare_names`), lists one item a line."""
    if seq.kind == "array":
        return ", ".join(v.value if bare_names and isinstance(v, Scalar) and v.kind == "string"
                         and _BARE.match(v.value) and v.value.lower() not in ("true", "false")
                         else inline(v) for v in seq.items)
    return ",\n".join(inline(v) for v in seq.items)


INLINE_WIDTH = 96


def _fits(node, indent):
    return len(inline(node)) + indent <= INLINE_WIDTH and not _has_list_of_groups(node)


def _has_list_of_groups(node):
    if isinstance(node, Seq):
        return node.kind == "list" and any(isinstance(v, Group) for v in node.items)
    if isinstance(node, Group):
        return any(_has_list_of_groups(v) for v in node.items.values())
    return False


class Writer:
    """Writes a tree and remembers which path each line belongs to, so a
    message `FILE:LINE: ...` (a syntax error has no key) can be shown next to
    the field that wrote that line."""

    def __init__(self, header=""):
        self.lines = [c for c in header.splitlines()]
        self.line_path = {}

    def _emit(self, text, path):
        self.lines.append(text)
        self.line_path[len(self.lines)] = path

    def top(self, tree):
        for name, node in tree.items.items():
            if self.lines and self.lines[-1] != "":
                self.lines.append("")
            if isinstance(node, Group):
                self._emit(f"{name}: {{", (name,))
                self._members(node, 1, (name,))
                self._emit("};", (name,))
            else:
                self._setting(name, node, 0, (name,))
        return "\n".join(self.lines) + "\n"

    def _members(self, group, depth, path):
        for name, node in group.items.items():
            self._setting(name, node, depth, path + (name,))

    def _setting(self, name, node, depth, path):
        pad = "  " * depth
        head = f"{pad}{name} = "
        if isinstance(node, Scalar) or _fits(node, len(head)):
            self._emit(f"{head}{inline(node)};", path)
        elif isinstance(node, Group):
            self._emit(f"{head}{{", path)
            self._members(node, depth + 1, path)
            self._emit(f"{pad}}};", path)
        else:
            self._seq(head, node, depth, path)
            self.lines[-1] += ";"

    def _seq(self, head, seq, depth, path):
        pad = "  " * depth
        o, c = ("[", "]") if seq.kind == "array" else ("(", ")")
        self._emit(f"{head}{o}", path)
        for i, item in enumerate(seq.items):
            sep = "," if i + 1 < len(seq.items) else ""
            ipath = path + (i,)
            ipad = "  " * (depth + 1)
            if isinstance(item, Scalar) or _fits(item, len(ipad)):
                self._emit(f"{ipad}{inline(item)}{sep}", ipath)
            elif isinstance(item, Group):
                self._emit(f"{ipad}{{", ipath)
                self._members(item, depth + 2, ipath)
                self._emit(f"{ipad}}}{sep}", ipath)
            else:
                self._seq(ipad, item, depth + 1, ipath)
                self.lines[-1] += sep
        self._emit(f"{pad}{c}", path)


def members_text(group, width=100):
    """The inside of a group for a text box: short members packed several to
    a line (`name = "af"; kind = "quota";`), long ones on lines of their own."""
    lines, cur = [], ""
    for name, node in group.items.items():
        if isinstance(node, Scalar) or _fits(node, len(name) + 3):
            piece = f"{name} = {inline(node)};"
            if cur and len(cur) + 1 + len(piece) > width:
                lines.append(cur)
                cur = piece
            else:
                cur = f"{cur} {piece}" if cur else piece
            continue
        if cur:
            lines.append(cur)
            cur = ""
        w = Writer()
        w._setting(name, node, 0, (name,))
        lines.extend(w.lines)
    if cur:
        lines.append(cur)
    return "\n".join(lines)


def write(tree, header=""):
    """(text, {line: path}) for a tree of top-level settings."""
    w = Writer(header)
    text = w.top(tree)
    return text, w.line_path


def get(tree, path):
    """The node at a path of names and list indices, or None."""
    node = tree
    for part in path:
        if isinstance(part, int):
            if not isinstance(node, Seq) or part >= len(node.items):
                return None
            node = node.items[part]
        else:
            if not isinstance(node, Group) or part not in node.items:
                return None
            node = node.items[part]
    return node


def put(tree, path, value):
    """Sets a node at a path of names, creating groups on the way."""
    node = tree
    for part in path[:-1]:
        nxt = node.items.get(part)
        if not isinstance(nxt, Group):
            nxt = Group()
            node.items[part] = nxt
        node = nxt
    node.items[path[-1]] = value
