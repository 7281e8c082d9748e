"""Numbers and scenario names as people should read them.

Study scenarios are named after their settings ("time_share=0.14999999"):
the simulator formats the value with a fixed number of digits, so binary
noise shows. num_text() writes the shortest text that reads back as the same
double (Python's repr), display_name() rewrites the numbers in a name that
way, using the scenario's own parameter values when it has them.
"""
from __future__ import annotations

import math
import re
from typing import Mapping, Optional

_TOKEN = re.compile(r"(?P<key>[A-Za-z_][\w.\[\]]*)=(?P<val>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)")


def num_text(v: float) -> str:
    """Shortest round-trip text: 30 not 30.0, 0.15 not 0.14999999999999999."""
    f = float(v)
    if math.isnan(f) or math.isinf(f):
        return str(f)
    if f == int(f) and abs(f) < 1e15:
        return str(int(f))
    return repr(f)


def _significant_digits(text: str) -> int:
    mantissa = re.split(r"[eE]", text)[0].lstrip("+-").replace(".", "").lstrip("0")
    return len(mantissa)


def display_name(name: str, values: Optional[Mapping[str, float]] = None) -> str:
    """The name with each `key=number` written in shortest round-trip form
    and a space after the comma between settings.

    `values` maps parameter keys (e.g. "method.time_share") to the scenario's
    values; a name token "time_share=0.14999999" takes the value of the key
    that is, or ends with, "time_share". Without one, a number printed with
    8 or more significant digits is read as a rounded double and shortened
    to 7 (the simulator's names carry about 8)."""
    values = values or {}

    def fix(m: re.Match) -> str:
        key, val = m.group("key"), m.group("val")
        for k, v in values.items():
            if (k == key or k.endswith("." + key)) and isinstance(v, (int, float)) and not isinstance(v, bool):
                if math.isfinite(float(v)) and math.isclose(float(v), float(val), rel_tol=1e-6, abs_tol=1e-9):
                    return f"{key}={num_text(v)}"
        if _significant_digits(val) >= 8:
            return f"{key}={num_text(float(f'{float(val):.7g}'))}"
        return f"{key}={num_text(float(val))}" if "." in val else m.group(0)

    out = _TOKEN.sub(fix, name)
    # "cap=30,method=0.15" -> "cap=30, method=0.15": readable, and a table cell can wrap it
    return re.sub(r",(?=[A-Za-z_][\w.\[\]]*=)", ", ", out)
