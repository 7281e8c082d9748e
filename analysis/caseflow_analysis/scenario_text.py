"""FALLBACK, TO BE DELETED: scenario parameters of files without /resolved.

Delete this module (and test_scenario_text in tests/analysis/test_units.py)
once the simulator writes /resolved (format_version 3) and files from before
it need not be read: resolved.py is the one way in, and runfile.RunFile is
the only caller of TextParameters, the only name used from here.

Files written before /resolved store the scenario file's text (root
attribute config_text, libconfig syntax) and the -s overrides (attribute
overrides, one KEY=VALUE a line) but not the resolved values, so this module
parses the subset of libconfig the scenarios use (groups, scalars, arrays,
lists, comments) into a flat dict of dotted keys and applies the overrides
and each scenario's settings on top. It cannot know the schema's defaults:
a key the text leaves unset is simply absent.
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


class TextParameters:
    """Per-scenario parameters rebuilt from config_text, the overrides, each
    scenario's settings and /scenario_parameters: the same interface as
    resolved.ResolvedParameters (scenario, texts, defaults, varying)."""

    def __init__(self, attrs: dict[str, Any], scenarios: list[dict[str, Any]], parameter_names: list[str],
                 scenario_parameters: Any) -> None:
        self.notes: list[str] = []
        try:
            base = resolved(attrs.get("config_text", ""), attrs.get("overrides", ""))
        except ScenarioTextError as e:
            base = {}
            self.notes.append(f"Could not read the scenario parameters from config_text ({e}).")
        self._params = []
        for s, sc in enumerate(scenarios):
            params = dict(base)
            settings = sc.get("settings") or ""
            if settings:
                params = apply_overrides(params, settings)
            if scenario_parameters is not None and s < scenario_parameters.shape[0]:
                for j, k in enumerate(parameter_names):
                    v = float(scenario_parameters[s, j])
                    params[k] = int(v) if v == int(v) and isinstance(params.get(k), int) else v
            self._params.append(params)

    def scenario(self, s: int) -> dict[str, Any]:
        return dict(self._params[s]) if s < len(self._params) else {}

    def texts(self, s: int) -> dict[str, str]:
        return {k: format_value(v) for k, v in self.scenario(s).items()}

    def defaults(self, s: int) -> set[str]:
        return set()  # unknowable from the text: unset keys are absent, not defaults

    def varying(self) -> list[str]:
        keys: list[str] = []
        for p in self._params:
            keys += [k for k in p if k not in keys]
        return [k for k in keys if len({repr(p.get(k)) for p in self._params}) > 1]
