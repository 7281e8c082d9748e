"""The scenario parameters a run actually used, from the file's /resolved group.

The simulator writes, per scenario, every key after the schema's defaults,
the study's scenario settings and the -s overrides (format_version 3,
docs/OUTPUT.md):

  /resolved/keys        [K]    UTF-8 strings, schema order; list items by name
                               (sources.kommun.rate_per_month) or index
                               (sources.[0].rate_per_month)
  /resolved/text        [S, K] UTF-8: the value as written in a .cfg file
                               (shortest round-trip numbers, strings quoted,
                               arrays as [a, b]); "" where scenario s lacks key k
  /resolved/value       [S, K] float64: the number (bool 0/1), NaN otherwise
  /resolved/is_default  [S, K] uint8: 1 when the value is the schema default
  attribute format_version = 1

This is the one way the package learns a scenario's parameters; files
written before /resolved have no parameters but a study's swept values (runfile.StudyParametersOnly).
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from typing import Any, Optional, Union

import numpy as np

_INT = re.compile(r"[-+]?(?:0[xX][0-9a-fA-F]+|\d+)(?:LL|L)?")


class ResolvedError(ValueError):
    """/resolved exists but does not follow the layout above."""


def _texts(ds: Any) -> np.ndarray:
    """A string dataset as an array of str (h5py gives bytes for UTF-8)."""
    raw = ds[...]
    flat = [x.decode("utf-8", errors="replace") if isinstance(x, (bytes, np.bytes_)) else str(x)
            for x in np.asarray(raw, dtype=object).reshape(-1)]
    return np.array(flat, dtype=object).reshape(np.shape(raw))


def value_from_text(text: str, number: float) -> Any:
    """The Python value of one resolved entry: int, float, bool, str, or a
    list for an array; None when the scenario lacks the key."""
    t = text.strip()
    if t == "":
        return None
    if t in ("true", "false"):
        return t == "true"
    if t.startswith('"') and t.endswith('"') and len(t) >= 2:
        return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m.group(1), m.group(1)), t[1:-1])
    if t[:1] in "[(" and t[-1:] in "])":
        inner = t[1:-1].strip()
        items = re.findall(r'"(?:[^"\\]|\\.)*"|[^,]+', inner)  # commas inside quoted strings do not split
        return [value_from_text(x, math.nan) for x in items if x.strip()]
    if _INT.fullmatch(t):
        return int(t.rstrip("L"), 0) if t.lower().startswith(("0x", "-0x", "+0x")) else int(t.rstrip("L"))
    if math.isfinite(number):
        return float(number)
    try:
        return float(t)
    except ValueError:
        return t  # something else (e.g. a bare word): keep its text


@dataclass
class ResolvedParameters:
    """Every key of every scenario as the run used it."""

    keys: list[str]
    text: np.ndarray         # [S, K] str; "" = the scenario lacks the key
    value: np.ndarray        # [S, K] float64
    is_default: np.ndarray   # [S, K] bool
    format_version: int

    @property
    def n_scenarios(self) -> int:
        return int(self.text.shape[0])

    def scenario(self, s: int) -> dict[str, Any]:
        """{key: value} of scenario s, in schema order, without absent keys."""
        return {k: value_from_text(self.text[s, j], float(self.value[s, j]))
                for j, k in enumerate(self.keys) if self.text[s, j] != ""}

    def texts(self, s: int) -> dict[str, str]:
        """{key: value as written in a .cfg file} of scenario s."""
        return {k: self.text[s, j] for j, k in enumerate(self.keys) if self.text[s, j] != ""}

    def defaults(self, s: int) -> set[str]:
        """Keys of scenario s whose value is the schema default."""
        return {k for j, k in enumerate(self.keys) if self.text[s, j] != "" and self.is_default[s, j]}

    def varying(self) -> list[str]:
        """Keys whose text differs between scenarios (what a study changed)."""
        if self.n_scenarios < 2:
            return []
        return [k for j, k in enumerate(self.keys) if len(set(self.text[:, j])) > 1]


def resolved_parameters(file: Union[Any, str, os.PathLike]) -> Optional[ResolvedParameters]:
    """Reads /resolved from an open h5py File (or a path); None when the
    file has no /resolved (written before it existed). Raises ResolvedError
    when the group is there but not in the documented layout."""
    if isinstance(file, (str, os.PathLike)):
        import h5py
        with h5py.File(file, "r") as f:
            return resolved_parameters(f)
    if "resolved" not in file:
        return None
    g = file["resolved"]
    if not hasattr(g, "keys"):
        raise ResolvedError("/resolved is not a group")
    missing = [n for n in ("keys", "text", "value", "is_default") if n not in g]
    if missing:
        raise ResolvedError(f"/resolved lacks {', '.join('/resolved/' + n for n in missing)}")
    keys = [str(k) for k in _texts(g["keys"]).reshape(-1)]
    text = _texts(g["text"])
    value = np.asarray(g["value"][...], dtype=float)
    is_default = np.asarray(g["is_default"][...]).astype(bool)
    shape = (text.shape[0] if text.ndim == 2 else -1, len(keys))
    for name, arr in (("text", text), ("value", value), ("is_default", is_default)):
        if arr.ndim != 2 or arr.shape != shape:
            raise ResolvedError(f"/resolved/{name} has shape {arr.shape}, expected (scenarios, {len(keys)} keys)")
    version = g.attrs.get("format_version", 1)
    try:
        version = int(np.asarray(version).reshape(-1)[0])
    except (TypeError, ValueError, IndexError):
        raise ResolvedError("/resolved's format_version is not an integer") from None
    return ResolvedParameters(keys=keys, text=text, value=value, is_default=is_default, format_version=version)
