"""Confidence intervals over replications.

The simulator computes its /summary intervals with GSL's Student t quantile;
t_ppf() reproduces it with SciPy (Debian's python3-scipy): scipy.stats.t's
upper-tail quantile, then Newton steps on scipy.stats.t's upper tail, which
SciPy computes to full precision. The Newton steps are there because SciPy
1.10's quantile (Cephes' stdtrit) is only good to ~1e-9 relative, too coarse
to check /summary against to 1e-9; after them it agrees with GSL to ~1e-15.
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Union

import numpy as np
from scipy import stats as _sps

ArrayLike = Union[np.ndarray, Iterable[float]]

Z975 = 1.959963984540054  # standard normal 97.5 % quantile


def t_cdf(t: float, df: float) -> float:
    """Student t distribution function with df > 0 (df may be fractional)."""
    return float(_sps.t.cdf(t, df))


def t_sf(t: float, df: float) -> float:
    """Upper tail P(T > t), with full relative precision."""
    return float(_sps.t.sf(t, df))


def t_ppf(p: float, df: float) -> float:
    """Student t quantile: the t with t_cdf(t, df) = p, for 0 < p < 1."""
    if not 0.0 < p < 1.0:
        raise ValueError("p must be in (0, 1)")
    if not df > 0 or math.isnan(df):
        return math.nan
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -t_ppf(1.0 - p, df)
    q = 1.0 - p  # solve on the upper tail, which keeps full relative precision
    t = float(_sps.t.isf(q, df))
    if not math.isfinite(t):
        return t
    for _ in range(4):
        step = (t_sf(t, df) - q) / float(_sps.t.pdf(t, df))
        t += step
        if abs(step) <= 1e-15 * abs(t):
            break
    return t


def mean_ci(values: ArrayLike, level: float = 0.95) -> dict[str, Any]:
    """Mean of the finite values with its Student t interval.

    Returns dict(mean, ci_low, ci_high, n, sd); the interval is NaN with
    fewer than two values, as in the simulator's /summary."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    n = int(v.size)
    if n == 0:
        return {"mean": math.nan, "ci_low": math.nan, "ci_high": math.nan, "n": 0, "sd": math.nan}
    mean = float(v.mean())
    if n < 2:
        return {"mean": mean, "ci_low": math.nan, "ci_high": math.nan, "n": n, "sd": math.nan}
    sd = float(v.std(ddof=1))
    half = t_ppf(0.5 + level / 2.0, n - 1) * sd / math.sqrt(n)
    return {"mean": mean, "ci_low": mean - half, "ci_high": mean + half, "n": n, "sd": sd}


def paired_difference(base: ArrayLike, other: ArrayLike, level: float = 0.95) -> dict[str, Any]:
    """Mean of other[i] - base[i] over indices where both are finite, with a
    t interval on n - 1 degrees of freedom (common random numbers)."""
    a = np.asarray(base, dtype=float)
    b = np.asarray(other, dtype=float)
    n = min(a.size, b.size)
    a, b = a[:n], b[:n]
    ok = np.isfinite(a) & np.isfinite(b)
    r = mean_ci(b[ok] - a[ok], level)
    r["method"] = "paired"
    r["df"] = r["n"] - 1 if r["n"] >= 2 else math.nan
    return r


def welch_difference(base: ArrayLike, other: ArrayLike, level: float = 0.95) -> dict[str, Any]:
    """mean(other) - mean(base) with a Welch (unequal variance) t interval,
    Welch-Satterthwaite degrees of freedom."""
    a = np.asarray(base, dtype=float)
    b = np.asarray(other, dtype=float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    out = {"method": "welch", "n": min(a.size, b.size), "n_base": int(a.size), "n_other": int(b.size)}
    if a.size == 0 or b.size == 0:
        out.update(mean=math.nan, ci_low=math.nan, ci_high=math.nan, df=math.nan)
        return out
    diff = float(b.mean() - a.mean())
    out["mean"] = diff
    if a.size < 2 or b.size < 2:
        out.update(ci_low=math.nan, ci_high=math.nan, df=math.nan)
        return out
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se2 = va + vb
    if se2 == 0.0:
        out.update(ci_low=diff, ci_high=diff, df=math.inf)
        return out
    df = se2 ** 2 / (va ** 2 / (a.size - 1) + vb ** 2 / (b.size - 1))
    half = t_ppf(0.5 + level / 2.0, df) * math.sqrt(se2)
    out.update(ci_low=diff - half, ci_high=diff + half, df=float(df))
    return out


def wilson_interval(successes: float, n: int, z: float = Z975) -> tuple[float, float, float]:
    """Wilson score interval for a proportion; (nan, nan, nan) when n == 0."""
    if n == 0:
        return math.nan, math.nan, math.nan
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return p, max(0.0, centre - half), min(1.0, centre + half)


def wilson_ci(values: ArrayLike) -> dict[str, Any]:
    """P(met) over the finite 0/1 values with Wilson's 95 % interval, as the
    simulator's /summary gives it for target_met.*: dict(mean, ci_low,
    ci_high, n, sd, count). The interval is widened by the rounding error
    that can leave the bare formula a hair short of p at 0 of n or n of n
    (wilson_interval(10, 10) has its upper end at 1 - 1e-16), so it always
    contains p, as the simulator's does."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    n = int(v.size)
    if n == 0:
        return {"mean": math.nan, "ci_low": math.nan, "ci_high": math.nan, "n": 0, "sd": math.nan, "count": 0}
    count = int(round(float(v.sum())))
    p, lo, hi = wilson_interval(float(v.sum()), n)
    return {"mean": p, "ci_low": min(lo, p), "ci_high": max(hi, p), "n": n,
            "sd": float(v.std(ddof=1)) if n > 1 else math.nan, "count": count}


def band(values: ArrayLike, level: float = 0.95) -> dict[str, np.ndarray]:
    """Per-column mean, t interval of the mean, and the central `level`
    range of the individual rows (replications), for a [rep x time] array.

    Returns dict of 1-D arrays: mean, ci_low, ci_high, lo, hi."""
    v = np.asarray(values, dtype=float)
    n = v.shape[0]
    mean = np.nanmean(v, axis=0) if n else np.full(v.shape[1:], np.nan)
    if n >= 2:
        sd = np.nanstd(v, axis=0, ddof=1)
        half = t_ppf(0.5 + level / 2.0, n - 1) * sd / math.sqrt(n)
        q = (1.0 - level) / 2.0
        lo, hi = np.nanquantile(v, q, axis=0), np.nanquantile(v, 1.0 - q, axis=0)
    else:
        half = np.full_like(mean, np.nan)
        lo = hi = mean
    return {"mean": mean, "ci_low": mean - half, "ci_high": mean + half, "lo": lo, "hi": hi}
