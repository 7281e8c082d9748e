"""Reads the scenario's parameters back from the run file.

The simulator stores the scenario file's text (root attribute config_text,
libconfig syntax) and the -s overrides (attribute overrides, one KEY=VALUE a
line) but not the resolved values, so this module parses the subset of
libconfig the scenarios use (groups, scalars, arrays, lists, comments) into a
flat dict of dotted keys, then applies the overrides on top.
"""
import re
from typing import Any

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*|//[^\n]*|/\*.*?\*/)
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<number>[-+]?(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(?:LL|L)?)
  | (?P<name>[A-Za-z*][-A-Za-z0-9_*.]*)
  | (?P<punct>[=:;,{}()\[\]])
    """,
    re.VERBOSE | re.DOTALL,
)


class ScenarioTextError(ValueError):
    pass


def _tokens(text):
    pos, out = 0, []
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ScenarioTextError(f"cannot read the scenario text near {text[pos:pos + 20]!r}")
        kind = m.lastgroup
        if kind not in ("ws", "comment"):
            out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def _unescape(s):
    body = s[1:-1]
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m.group(1), m.group(1)), body)


def _number(text):
    t = text.rstrip("L")
    if re.fullmatch(r"[-+]?0[xX][0-9a-fA-F]+", t):
        return int(t, 16)
    if re.fullmatch(r"[-+]?\d+", t):
        return int(t)
    return float(t)


class _Parser:
    def __init__(self, tokens):
        self.t = tokens
        self.i = 0

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else (None, None)

    def take(self, value=None):
        tok = self.peek()
        if tok[0] is None or (value is not None and tok[1] != value):
            raise ScenarioTextError(f"expected {value or 'more'} in the scenario text, found {tok[1]!r}")
        self.i += 1
        return tok

    def settings(self, out, prefix, closer):
        while True:
            kind, val = self.peek()
            if kind is None or val == closer:
                return
            if kind != "name":
                raise ScenarioTextError(f"expected a setting name, found {val!r}")
            self.take()
            sep = self.take()
            if sep[1] not in ("=", ":"):
                raise ScenarioTextError(f"expected '=' or ':' after {val!r}")
            self.value(out, prefix + val)
            if self.peek()[1] in (";", ","):
                self.take()

    def value(self, out, key):
        kind, val = self.peek()
        if val == "{":
            self.take()
            # a group replaces whatever the key held
            for k in [k for k in out if k == key or k.startswith(key + ".")]:
                del out[k]
            self.settings(out, key + ".", "}")
            self.take("}")
        elif val in ("[", "("):
            closer = "]" if val == "[" else ")"
            self.take()
            items = []
            while self.peek()[1] != closer:
                sub = {}
                self.value(sub, "x")
                items.append(sub.get("x", {k[2:]: v for k, v in sub.items()}))
                if self.peek()[1] == ",":
                    self.take()
            self.take(closer)
            out[key] = items
        else:
            out[key] = self.scalar()

    def scalar(self):
        kind, val = self.take()
        if kind == "string":
            s = _unescape(val)
            while self.peek()[0] == "string":  # adjacent strings concatenate
                s += _unescape(self.take()[1])
            return s
        if kind == "number":
            return _number(val)
        if kind == "name" and val.lower() in ("true", "false"):
            return val.lower() == "true"
        raise ScenarioTextError(f"unexpected {val!r} in the scenario text")


def parse(text: str) -> dict[str, Any]:
    """libconfig text -> {dotted.key: value}."""
    out = {}
    p = _Parser(_tokens(text))
    p.settings(out, "", None)
    if p.peek()[0] is not None:
        raise ScenarioTextError(f"unexpected {p.peek()[1]!r} in the scenario text")
    return out


def apply_overrides(params: dict[str, Any], overrides_text: str) -> dict[str, Any]:
    """Applies KEY=VALUE lines (the run's -s overrides) to a flat dict."""
    out = dict(params)
    for line in (overrides_text or "").splitlines():
        line = line.strip()
        if not line or "=" not in line:
            continue
        key, value = line.split("=", 1)
        key = key.strip()
        p = _Parser(_tokens(value))
        try:
            p.value(out, key)
        except ScenarioTextError:
            out[key] = value.strip()
    return out


def resolved(config_text: str, overrides_text: str) -> dict[str, Any]:
    """Parameters in force for the run, or raises ScenarioTextError."""
    return apply_overrides(parse(config_text or ""), overrides_text)


def format_value(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, list):
        return "[" + ", ".join(format_value(x) for x in v) + "]"
    return str(v)
