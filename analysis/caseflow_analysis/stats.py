"""Confidence intervals over replications, without SciPy.

The simulator computes its /summary intervals with GSL's Student t quantile;
this module reproduces them with a self-contained t quantile (regularised
incomplete beta by continued fraction, then bisection), accurate to ~1e-13,
so the analysis needs only NumPy.
"""
import math

import numpy as np

Z975 = 1.959963984540054  # standard normal 97.5 % quantile


def _betacf(a, b, x):
    """Continued fraction for the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    if abs(d) < tiny:
        d = tiny
    d = 1.0 / d
    h = d
    for m in range(1, 1000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = tiny if abs(d) < tiny else d
        c = 1.0 + aa / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = tiny if abs(d) < tiny else d
        c = 1.0 + aa / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    return h


def betainc(a, b, x, y=None):
    """Regularised incomplete beta I_x(a, b) for a, b > 0 and 0 <= x <= 1.

    y, when given, is 1 - x computed without cancellation."""
    if y is None:
        y = 1.0 - x
    if x <= 0.0:
        return 0.0
    if y <= 0.0:
        return 1.0
    lbt = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(y)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(lbt) * _betacf(a, b, x) / a
    return 1.0 - math.exp(lbt) * _betacf(b, a, y) / b


def t_cdf(t, df):
    """Student t distribution function with df > 0 (df may be fractional)."""
    if t == 0.0:
        return 0.5
    return 1.0 - t_sf(t, df) if t > 0 else t_sf(-t, df)


def t_sf(t, df):
    """Upper tail P(T > t) for t >= 0, with full relative precision."""
    s = df + t * t
    return 0.5 * betainc(df / 2.0, 0.5, df / s, t * t / s)


def t_ppf(p, df):
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
    lo, hi = 0.0, 1.0
    while t_sf(hi, df) > q:
        lo, hi = hi, hi * 2.0
        if hi > 1e300:
            return math.inf
    for _ in range(2000):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if t_sf(mid, df) > q:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def mean_ci(values, level=0.95):
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


def paired_difference(base, other, level=0.95):
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


def welch_difference(base, other, level=0.95):
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


def wilson_interval(successes, n, z=Z975):
    """Wilson score interval for a proportion; (nan, nan, nan) when n == 0."""
    if n == 0:
        return math.nan, math.nan, math.nan
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return p, max(0.0, centre - half), min(1.0, centre + half)


def band(values, level=0.95):
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
