"""Figures. Every function takes plain arrays (or the run objects) and returns
a matplotlib Figure; save() writes it as PNG. Agg backend, fonts >= 10 pt."""
from __future__ import annotations

import math
import warnings
from typing import Any, Optional, Sequence

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from . import stats  # noqa: E402

Array = Any  # anything np.asarray takes

plt.rcParams.update({
    "font.size": 11,
    "axes.titlesize": 13,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "figure.titlesize": 14,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": 100,
    "savefig.dpi": 100,
})

COLORS = plt.rcParams["axes.prop_cycle"].by_key()["color"]
WARMUP_LABEL = "warm-up (not in the statistics)"


def color(i: int) -> str:
    return COLORS[i % len(COLORS)]


def save(fig: Figure, path: Any) -> None:
    fig.savefig(path, format="png", bbox_inches="tight")
    plt.close(fig)


def shade_warmup(ax: Axes, warmup: int) -> None:
    if warmup > 0:
        ax.axvspan(0, warmup, facecolor="0.94", edgecolor="0.78", hatch="//", lw=0, label=WARMUP_LABEL, zorder=0)


def band_line(ax: Axes, x: Array, values: Array, label: str, c: str, show_range: bool = True,
              step: bool = False) -> dict[str, np.ndarray]:
    """Mean over replications (line), 95 % CI of the mean (dark band) and the
    range of the middle 95 % of replications (light band). Only the line is
    labelled; band_legend() explains the bands once."""
    b = stats.band(values)
    n = np.asarray(values).shape[0]
    if show_range and n >= 2:
        ax.fill_between(x, b["lo"], b["hi"], color=c, alpha=0.12, lw=0)
    if n >= 2:
        ax.fill_between(x, b["ci_low"], b["ci_high"], color=c, alpha=0.35, lw=0)
    ax.plot(x, b["mean"], color=c, lw=2, label=label, drawstyle="steps-mid" if step else "default")
    return b


def band_legend(ax: Axes, n: int, show_range: bool = True, loc: str = "best", extra: Sequence[tuple] = (),
                ncol: int = 1) -> None:
    """Legend: the labelled lines, then what the bands mean (grey proxies)."""
    from matplotlib.patches import Patch
    handles, labels = ax.get_legend_handles_labels()
    handles, labels = list(handles), list(labels)
    if n >= 2:
        handles.append(Patch(color="0.45", alpha=0.55))
        labels.append("band: 95 % CI of the mean")
        if show_range:
            handles.append(Patch(color="0.45", alpha=0.18))
            labels.append("light band: middle 95 % of replications")
    for h, l in extra:
        handles.append(h)
        labels.append(l)
    ax.legend(handles, labels, loc=loc, framealpha=0.9, ncol=ncol,
              title=f"lines: mean of {n} replication{'s' if n != 1 else ''}")


def month_axis(ax: Axes, horizon: int) -> None:
    ax.set_xlim(0, horizon)
    ax.set_xlabel("time since start (months)")
    step = 3 if horizon <= 24 else 6 if horizon <= 72 else 12 if horizon <= 180 else 24
    ax.set_xticks(np.arange(0, horizon + 1, step))


def fig_levels(series: dict[str, np.ndarray], warmup: int, horizon: int, cap_total: Optional[int] = None) -> Figure:
    """Waiting list and active caseload at month ends."""
    fig, axes = plt.subplots(2, 1, figsize=(10, 7.5), sharex=True)
    x = np.arange(1, horizon + 1)
    for ax, name, title, c in ((axes[0], "waiting", "Waiting list at month end", color(3)),
                               (axes[1], "active", "Participants assigned (caseload) at month end", color(0))):
        shade_warmup(ax, warmup)
        n = 0
        if name in series:
            band_line(ax, x, series[name], "waiting" if name == "waiting" else "assigned", c)
            n = series[name].shape[0]
        if name == "active" and cap_total:
            ax.axhline(cap_total, color="0.3", ls="--", lw=1.2, label=f"capacity: workers × cap = {cap_total}")
        ax.set_title(title)
        ax.set_ylabel("participants")
        ax.set_ylim(bottom=0, top=max(ax.get_ylim()[1], 1.0))
        band_legend(ax, n, loc="lower right" if name == "active" else "upper left")
    month_axis(axes[1], horizon)
    fig.tight_layout()
    return fig


def fig_monthly(series: dict[str, np.ndarray], names_labels: Sequence[tuple[str, str]], warmup: int, horizon: int,
                title: str, ylabel: str, scale: float = 1.0, ylim: Optional[tuple[float, float]] = None,
                show_range: bool = True) -> Figure:
    """Monthly flows (per month, plotted at month mid-points)."""
    fig, ax = plt.subplots(figsize=(10, 4.8))
    x = np.arange(horizon) + 0.5
    shade_warmup(ax, warmup)
    n = 0
    for i, (name, label) in enumerate(names_labels):
        if name in series:
            band_line(ax, x, np.asarray(series[name]) * scale, label, color(i), show_range=show_range)
            n = np.asarray(series[name]).shape[0]
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    if ylim:
        ax.set_ylim(*ylim)
    else:
        ax.set_ylim(bottom=0)
    month_axis(ax, horizon)
    band_legend(ax, n, show_range=show_range, loc="lower right")
    fig.tight_layout()
    return fig


def fig_caseload(caseload: np.ndarray, warmup: int, cap: Optional[int] = None) -> Figure:
    """caseload: [rep x worker x month]. Left: distribution of per-worker
    caseloads at month ends after warm-up. Right: each worker's mean."""
    R, W, M = caseload.shape
    after = np.asarray(caseload[:, :, warmup:], float)
    v = after.reshape(-1)
    v = v[np.isfinite(v)]  # /series/worker_caseload: NaN where a post does not exist
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.8), gridspec_kw={"width_ratios": [1.3, 1]})
    if v.size:
        lo, hi = int(v.min()), int(v.max())
        bins = np.arange(lo - 0.5, hi + 1.5, 1.0)
        share = np.histogram(v, bins=bins)[0] / v.size * 100
        a1.bar(np.arange(lo, hi + 1), share, width=0.85, color=color(0),
               label=f"{W} workers × {M - warmup} month ends × {R} replications"
                     + (f" ({v.size} with the post filled)" if v.size < after.size else ""))
        a1.axvline(v.mean(), color=color(1), lw=2, label=f"mean {v.mean():.1f}")
    if cap:
        a1.axvline(cap, color="0.2", ls="--", lw=1.5, label=f"caseload cap {cap}")
    from matplotlib.ticker import MaxNLocator
    a1.xaxis.set_major_locator(MaxNLocator(integer=True))
    a1.set_title("Caseload per worker at month ends (after warm-up)")
    a1.set_xlabel("participants assigned to the worker")
    a1.set_ylabel("share of worker-month-ends (%)")
    a1.legend(loc="upper left", framealpha=0.9)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices: posts that never existed
        per_worker = np.nanmean(after, axis=2)  # rep x worker
        m = np.nanmean(per_worker, axis=0)
        nw = np.isfinite(per_worker).sum(axis=0)
        sd = np.nanstd(per_worker, axis=0, ddof=1)
        half = np.array([stats.t_ppf(0.975, k - 1) * sd[i] / math.sqrt(k) if k >= 2 else 0.0
                         for i, k in enumerate(nw)])
    m = np.nan_to_num(m)
    half = np.nan_to_num(half)
    a2.bar(np.arange(1, W + 1), m, yerr=half, capsize=3, color=color(0), alpha=0.85,
           label="mean with 95 % CI over replications")
    if cap:
        a2.axhline(cap, color="0.2", ls="--", lw=1.5, label=f"caseload cap {cap}")
    a2.set_title("Mean caseload of each worker")
    a2.set_xlabel("worker (index + 1)")
    a2.set_ylabel("participants (mean over month ends)")
    a2.set_xticks(np.arange(1, W + 1, max(1, W // 12)))
    a2.set_ylim(0, max(cap or 0, float(np.nanmax(m + half)) if m.size else 1) * 1.4)
    a2.legend(loc="upper right", framealpha=0.9)
    fig.tight_layout()
    return fig


def fig_time_to_exit(durations: np.ndarray, dests: np.ndarray, destinations: Sequence[str], dpm: float) -> Figure:
    """Histogram of exit_time - assignment_time, one panel per destination."""
    nd = len(destinations)
    ncol = 2 if nd > 1 else 1
    nrow = math.ceil(nd / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(11, 2.9 * nrow + 0.9), sharex=True, squeeze=False)
    hi = float(np.quantile(durations, 0.99)) if durations.size else 1.0
    bins = np.linspace(0, max(hi, 1.0), 41)
    for d, name in enumerate(destinations):
        ax = axes[d // ncol][d % ncol]
        v = durations[dests == d]
        ax.hist(np.clip(v, 0, bins[-1]), bins=bins, color=color(d), alpha=0.85,
                label=f"n = {v.size}")
        if v.size:
            med = float(np.median(v))
            ax.axvline(med, color="0.15", lw=1.5, ls="--", label=f"median {med:.0f} days")
        ax.set_title(f"exit to {name}")
        ax.set_ylabel("participants")
        ax.legend(loc="upper right", framealpha=0.9)
    for j in range(nd, nrow * ncol):
        axes[j // ncol][j % ncol].set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("days from assignment to exit (last bin includes longer stays)")
    if nrow > 1 and nd % ncol:
        axes[-2][nd % ncol].set_xlabel("days from assignment to exit (last bin includes longer stays)")
        axes[-2][nd % ncol].xaxis.set_tick_params(labelbottom=True)
    fig.suptitle("Time from assignment to exit, by destination (assigned after warm-up, all replications pooled)")
    fig.tight_layout()
    return fig


def fig_exits_cumulative(exits: np.ndarray, destinations: Sequence[str], warmup: int, horizon: int,
                         targets: Sequence[dict[str, Any]] = ()) -> Figure:
    """exits: [rep x month x dest]. Cumulative exits since the end of warm-up."""
    fig, ax = plt.subplots(figsize=(10, 5.2))
    x = np.arange(warmup, horizon + 1)
    cum = np.concatenate([np.zeros(exits.shape[:1] + (1,) + exits.shape[2:]),
                          np.cumsum(exits[:, warmup:, :], axis=1)], axis=1)
    ends = []
    for d, name in enumerate(destinations):
        # labelled at the line's end instead of in a legend, which covered the lines with many destinations
        b = band_line(ax, x, cum[:, :, d], "_" + name, color(d), show_range=False)
        ends.append((float(b["mean"][-1]), f"{name} {b['mean'][-1]:.0f}", color(d)))
    for t in targets:
        if t["kind"] != "exits" or t["destination"] == "all":
            continue
        d = destinations.index(t["destination"])
        if t["from_month"] != warmup:
            continue
        ax.plot([t["by_month"]], [t["value"]], marker="*", ms=16, color=color(d), mec="k",
                ls="none", label=f"target: {t['name']}")
    ax.set_title("Cumulative exits by destination since the end of warm-up")
    ax.set_ylabel("exits since warm-up (participants)")
    month_axis(ax, horizon)
    ax.set_xlim(warmup, horizon)
    ax.set_ylim(bottom=0)
    label_line_ends(ax, ends)
    band_legend(ax, exits.shape[0], show_range=False, loc="upper left")
    fig.tight_layout()
    return fig


def spread_labels(ys: Sequence[float], gap: float, lo: float, hi: float) -> list[float]:
    """Label positions near ys (any order) at least `gap` apart, kept within
    [lo, hi] as far as they fit: pushed up from the lowest, then the whole
    stack moved down if it runs over the top."""
    order = np.argsort(ys)
    pos = np.asarray(ys, float)[order].copy()
    for i in range(1, pos.size):
        pos[i] = max(pos[i], pos[i - 1] + gap)
    over = pos[-1] - hi if pos.size else 0.0
    if over > 0:
        pos -= min(over, pos[0] - lo) if pos[0] - lo > 0 else 0.0
        for i in range(pos.size - 2, -1, -1):
            pos[i] = min(pos[i], pos[i + 1] - gap)
    out = np.empty_like(pos)
    out[order] = pos
    return out.tolist()


def label_line_ends(ax: Axes, ends: Sequence[tuple[float, str, str]]) -> None:
    """Writes each (y, text, colour) just right of the axes at height y,
    spread so no two labels overlap."""
    lo, hi = ax.get_ylim()
    height_px = ax.get_window_extent().height or 300.0
    gap = (hi - lo) * 14.0 / height_px  # ~ one 10-pt line
    ys = spread_labels([e[0] for e in ends], gap, lo, hi)
    for (_, text, c), y in zip(ends, ys):
        ax.text(1.01, y, text, transform=ax.get_yaxis_transform(), va="center", ha="left", fontsize=10, color=c,
                clip_on=False)


def fig_targets(outcomes: Sequence[dict[str, Any]]) -> Figure:
    fig, ax = plt.subplots(figsize=(10, 0.75 * len(outcomes) + 1.6))
    y = np.arange(len(outcomes))[::-1]
    p = np.array([o["probability"] for o in outcomes]) * 100
    lo = np.array([o["ci_low"] for o in outcomes]) * 100
    hi = np.array([o["ci_high"] for o in outcomes]) * 100
    ax.barh(y, p, height=0.6, color=color(2), alpha=0.85)
    # clipped at 0: for p = 1 (or 0) Wilson's bound can land a rounding error inside p
    ax.errorbar(p, y, xerr=[np.maximum(p - lo, 0.0), np.maximum(hi - p, 0.0)], fmt="none", ecolor="k", capsize=4)
    for yi, o, pi in zip(y, outcomes, p):
        ax.text(103, yi, f"{o['met']} of {o['replications']} replications", va="center", fontsize=10)
    ax.set_yticks(y)
    ax.set_yticklabels([o["name"] for o in outcomes])
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.6, len(outcomes) - 0.4)
    ax.set_xlabel("probability of meeting the target (%): share of replications, bar = 95 % CI (Wilson)")
    ax.set_title("Probability of meeting each target")
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return fig


# -- compare -------------------------------------------------------------------

OVERLAY_MAX = 5  # scenarios drawn as overlaid lines; more get one small panel each


def _wrap(text: str, width: int = 28) -> str:
    import textwrap
    return "\n".join(textwrap.wrap(text, width)) or text


def fig_compare_metrics(scenario_names: Sequence[str], metric_rows: Sequence[tuple[str, str, list]],
                        base_index: int = 0) -> Figure:
    """metric_rows: list of (title, unit label, [ (mean, lo, hi) per scenario ]).

    One panel per metric; scenarios are rows (names on the shared y axis,
    written once, horizontally, so any number of names stays readable),
    each a point with its 95 % CI. One colour: the colour would only repeat
    the name; the base is an open marker with a dotted line at its mean."""
    n = len(metric_rows)
    k = len(scenario_names)
    ncol = 3 if n > 4 else 2 if n > 1 else 1
    nrow = math.ceil(n / ncol)
    label_in = min(3.2, 0.075 * max(len(x) for x in scenario_names) + 0.4)
    panel_h = 0.26 * k + 0.9
    fig, axes = plt.subplots(nrow, ncol, figsize=(label_in + 3.3 * ncol, panel_h * nrow + 0.6), squeeze=False,
                             sharey=True)
    ys = np.arange(k)[::-1]
    for i, (title, unit, vals) in enumerate(metric_rows):
        ax = axes[i // ncol][i % ncol]
        for j, (m, lo, hi) in enumerate(vals):
            err = None if not (np.isfinite(lo) and np.isfinite(hi)) else [[m - lo], [hi - m]]
            is_base = j == base_index
            ax.errorbar([m], [ys[j]], xerr=err, fmt="o", ms=6, capsize=3, color=color(3) if is_base else color(0),
                        mfc="white" if is_base else color(0), mew=1.8, lw=1.4)
        if vals and np.isfinite(vals[base_index][0]):
            ax.axvline(vals[base_index][0], color="0.45", lw=1, ls=":")
        ax.set_title(_wrap(title, 40), fontsize=11)
        ax.set_xlabel(unit)
        ax.set_ylim(-0.6, k - 0.4)
        ax.grid(axis="y", visible=False)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(nbins=4))
    axes[0][0].set_yticks(ys)
    axes[0][0].set_yticklabels(scenario_names, fontsize=10)
    for row in axes:
        row[0].tick_params(axis="y", labelleft=True)
    for j in range(n, nrow * ncol):
        axes[j // ncol][j % ncol].set_visible(False)
    fig.suptitle("Scenarios side by side: mean and 95 % CI over replications (open marker and dotted line: base)")
    fig.tight_layout()
    return fig


def fig_compare_series(scenarios: Sequence[Any], names: Sequence[str], warmup: int, horizon: int,
                       base_index: int = 0) -> Figure:
    """Waiting list and caseload over time per scenario. Up to OVERLAY_MAX
    scenarios: overlaid lines with CI bands, legend beside the axes (not over
    the lines). More: small multiples, one panel per scenario, the base in
    grey in every panel, so no colour has to tell 12 lines apart."""
    keys = [("waiting", "Waiting list at month end"), ("active", "Participants assigned at month end")]
    if len(scenarios) <= OVERLAY_MAX:
        return _series_overlay(scenarios, names, warmup, horizon, keys)
    return _series_panels(scenarios, names, warmup, horizon, keys, base_index)


def _series_overlay(scenarios: Sequence[Any], names: Sequence[str], warmup: int, horizon: int,
                    keys: Sequence[tuple[str, str]]) -> Figure:
    fig, axes = plt.subplots(2, 1, figsize=(11, 7.5), sharex=True)
    for ax, (key, title) in zip(axes, keys):
        shade_warmup(ax, warmup)
        for j, (sc, name) in enumerate(zip(scenarios, names)):
            s = sc.series.get(key)
            if s is None:
                continue
            x = np.arange(1, s.shape[1] + 1)
            b = stats.band(s)
            ax.fill_between(x, b["ci_low"], b["ci_high"], color=color(j), alpha=0.25, lw=0)
            ax.plot(x, b["mean"], color=color(j), lw=2, label=_wrap(f"{name} (mean, 95 % CI band)", 34))
        ax.set_title(title)
        ax.set_ylabel("participants")
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), framealpha=0.9, borderaxespad=0)
    month_axis(axes[1], horizon)
    fig.tight_layout()
    return fig


def _series_panels(scenarios: Sequence[Any], names: Sequence[str], warmup: int, horizon: int,
                   keys: Sequence[tuple[str, str]], base_index: int) -> Figure:
    k = len(scenarios)
    ncol = 4
    nrow = math.ceil(k / ncol)
    fig = plt.figure(figsize=(12, 2 * (1.9 * nrow + 1.0)), layout="constrained")
    sub = fig.subfigures(2, 1)
    base = scenarios[base_index]
    for sf, (key, title) in zip(sub, keys):
        axes = sf.subplots(nrow, ncol, sharex=True, sharey=True, squeeze=False)
        bs = base.series.get(key)
        top = max([float(np.nanmax(stats.band(sc.series[key])["mean"])) for sc in scenarios if key in sc.series]
                  + [1.0])
        for j, (sc, name) in enumerate(zip(scenarios, names)):
            ax = axes[j // ncol][j % ncol]
            shade_warmup(ax, warmup)
            if bs is not None:
                ax.plot(np.arange(1, bs.shape[1] + 1), stats.band(bs)["mean"], color="0.6", lw=1.5)
            s = sc.series.get(key)
            if s is not None:
                ax.plot(np.arange(1, s.shape[1] + 1), stats.band(s)["mean"], color=color(0 if j != base_index else 3),
                        lw=2)
            ax.set_title(_wrap(name + (" (base)" if j == base_index and name != "base" else ""), 34), fontsize=10)
            ax.set_xlim(0, horizon)
            ax.set_ylim(0, top * 1.05)
            ax.tick_params(labelsize=9)
        for j in range(k, nrow * ncol):
            axes[j // ncol][j % ncol].set_visible(False)
        for ax in axes[:, 0]:
            ax.set_ylabel("participants", fontsize=10)
        base_txt = "the base" if names[base_index] == "base" else f"the base, {names[base_index]}"
        sf.suptitle(f"{title}: mean over replications (grey: {base_txt}; hatched: warm-up)", fontsize=12)
        sf.supxlabel("time since start (months)", fontsize=10)
    return fig


# -- sweep ---------------------------------------------------------------------

def group_colors(n: int) -> list:
    """Colours for curves of an ordered parameter: a sequential colour map
    (light to dark as the value rises) rather than the 10-colour cycle, so
    order reads off the colour and more than ten curves stay distinct."""
    if n <= 1:
        return [color(0)]
    return [plt.cm.viridis(v) for v in np.linspace(0.0, 0.85, n)]


def _sweep_axes(ax: Axes, x: np.ndarray, mean: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                group_labels: Sequence[Optional[str]]) -> None:
    colors = group_colors(mean.shape[0])
    for g in range(mean.shape[0]):
        ok = np.isfinite(mean[g])
        c = colors[g]
        lab = group_labels[g]
        band_ok = ok & np.isfinite(lo[g]) & np.isfinite(hi[g])
        ax.fill_between(x[band_ok], lo[g][band_ok], hi[g][band_ok], color=c, alpha=0.2, lw=0)
        ax.plot(x[ok], mean[g][ok], marker="o", color=c, lw=2, label=f"{lab}" if lab is not None else "mean")
    if x.size and np.all(np.mod(x, 1) == 0) and x.size <= 25:
        ax.set_xticks(x)
    elif x.size <= 12:
        ax.set_xticks(x)
        ax.set_xticklabels([_fmt_param(v) for v in x])


def _check_curves(x: Array, mean: Array, ci_low: Array, ci_high: Array) -> tuple[np.ndarray, ...]:
    x = np.asarray(x, dtype=float)
    mean = np.atleast_2d(np.asarray(mean, dtype=float))
    lo = np.atleast_2d(np.asarray(ci_low, dtype=float))
    hi = np.atleast_2d(np.asarray(ci_high, dtype=float))
    if mean.shape != lo.shape or mean.shape != hi.shape or mean.shape[1] != x.size:
        raise ValueError("mean, ci_low and ci_high must have the same shape, with len(x) columns")
    return x, mean, lo, hi


def plot_sweep_curves(x: Array, mean: Array, ci_low: Array, ci_high: Array, group_labels: Optional[Sequence[str]] = None,
                      xlabel: str = "", ylabel: str = "", title: str = "", group_title: Optional[str] = None) -> Figure:
    """Metric against one parameter, with a 95 % CI band.

    x: 1-D (k); mean/ci_low/ci_high: (k,) or (groups, k), NaN where a
    combination was not run. One curve per group (a second parameter)."""
    x, mean, lo, hi = _check_curves(x, mean, ci_low, ci_high)
    if group_labels is None:
        group_labels = [None] * mean.shape[0]
    fig, ax = plt.subplots(figsize=(9, 5))
    _sweep_axes(ax, x, mean, lo, hi, group_labels)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    outside = mean.shape[0] > 4
    ax.legend(title=(group_title + "\n" if group_title else "") + "(bands: 95 % CI)", framealpha=0.9,
              **({"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "borderaxespad": 0} if outside else
                 {"loc": "best"}))
    fig.tight_layout()
    return fig


def plot_sweep_facets(x: Array, panels: Sequence[tuple[str, Array, Array, Array]],
                      group_labels: Optional[Sequence[str]] = None, xlabel: str = "", ylabel: str = "",
                      title: str = "", group_title: Optional[str] = None) -> Figure:
    """Small multiples: one panel per value of a third parameter (facet),
    each the metric against x with one curve per group, on a shared y axis;
    one legend beside the panels."""
    n = len(panels)
    ncol = min(3, n)
    nrow = math.ceil(n / ncol)
    # sized to show at about its natural size in the page's 1 150 px column (wider figures get scaled down
    # and their labels with them); the legend goes below the panels for the same reason
    fig, axes = plt.subplots(nrow, ncol, figsize=(3.6 * ncol + 0.9, 3.3 * nrow + 1.6), squeeze=False,
                             sharey=True, sharex=True)
    for i, (ptitle, mean, lo, hi) in enumerate(panels):
        xx, m, l, h = _check_curves(x, mean, lo, hi)
        labels = group_labels if group_labels is not None else [None] * m.shape[0]
        ax = axes[i // ncol][i % ncol]
        _sweep_axes(ax, xx, m, l, h, labels)
        ax.set_title(ptitle, fontsize=11)
        ax.tick_params(axis="x", labelrotation=0)
    for j in range(n, nrow * ncol):
        axes[j // ncol][j % ncol].set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel(_wrap(xlabel, 34))
    for row in axes:
        row[0].set_ylabel(_wrap(ylabel, 40))
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.suptitle(title)
    fig.tight_layout(rect=(0, 0.1 if handles else 0, 1, 1))
    if handles:
        fig.legend(handles, labels, title=(group_title + " " if group_title else "") + "(bands: 95 % CI)",
                   loc="lower center", ncol=min(len(labels), 8), framealpha=0.9, bbox_to_anchor=(0.5, 0.0))
    return fig


def plot_heatmap_facets(xvals: Array, yvals: Array, panels: Sequence[tuple[str, Array]], xlabel: str = "",
                        ylabel: str = "", title: str = "", cbar_label: str = "", fmt: str = "{:.3g}") -> Figure:
    """One heat map per facet value on one colour scale; NaN cells blank."""
    xvals, yvals = np.asarray(xvals), np.asarray(yvals)
    grids = [np.asarray(g, float) for _, g in panels]
    for g in grids:
        if g.shape != (yvals.size, xvals.size):
            raise ValueError(f"grid has shape {g.shape}, expected ({yvals.size}, {xvals.size})")
    finite = np.concatenate([g[np.isfinite(g)] for g in grids]) if grids else np.zeros(0)
    vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    n = len(panels)
    ncol = min(3, n) if xvals.size <= 5 else 1  # wide grids: one panel a row, so the numbers stay legible
    nrow = math.ceil(n / ncol)
    w = max(3.6, 0.75 * xvals.size + 1.2) if ncol == 1 else max(3.6, 0.5 * xvals.size + 1.2)
    fig, axes = plt.subplots(nrow, ncol, figsize=(w * ncol + 1.6, max(3.2, 0.42 * yvals.size + 1.6) * nrow + 0.6),
                             squeeze=False)
    im = None
    for i, ((ptitle, _), g) in enumerate(zip(panels, grids)):
        ax = axes[i // ncol][i % ncol]
        im = ax.imshow(np.ma.masked_invalid(g), origin="lower", aspect="auto", cmap="viridis", vmin=vmin, vmax=vmax)
        ax.set_xticks(np.arange(xvals.size))
        ax.set_xticklabels([_fmt_param(v) for v in xvals], fontsize=10)
        ax.set_yticks(np.arange(yvals.size))
        ax.set_yticklabels([_fmt_param(v) for v in yvals] if i % ncol == 0 else [], fontsize=10)
        ax.set_title(ptitle, fontsize=11)
        ax.grid(False)
        mid = (vmin + vmax) / 2
        if g.size <= 400:
            for yy in range(yvals.size):
                for xx in range(xvals.size):
                    v = g[yy, xx]
                    if np.isfinite(v):
                        ax.text(xx, yy, fmt.format(v), ha="center", va="center", fontsize=10,
                                color="white" if v < mid else "black")
    for j in range(n, nrow * ncol):
        axes[j // ncol][j % ncol].set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel(_wrap(xlabel, 34))
    for row in axes:
        row[0].set_ylabel(_wrap(ylabel, 34))
    fig.suptitle(title)
    fig.tight_layout()
    if im is not None:
        cb = fig.colorbar(im, ax=axes.ravel().tolist(), shrink=0.9, pad=0.02)
        cb.set_label(_wrap(cbar_label, 40))  # a long metric label wraps instead of leaving the figure
    return fig


def plotted_points(fig: Figure) -> int:
    """Data points drawn as markers on the figure's axes (what `sweep` reports
    per figure, so a test can tell an empty plot from a full one)."""
    n = 0
    for ax in fig.axes:
        for line in ax.get_lines():
            if line.get_marker() not in (None, "None", "", " "):
                n += int(np.isfinite(np.asarray(line.get_ydata(), float)).sum())
        for coll in ax.collections:
            offs = coll.get_offsets() if hasattr(coll, "get_offsets") else np.zeros((0, 2))
            if type(coll).__name__ == "PathCollection":
                n += int(np.isfinite(np.asarray(offs, float)).all(axis=1).sum()) if len(offs) else 0
        for im in ax.get_images():
            n += int((~np.ma.getmaskarray(im.get_array())).sum())
    return n


def plot_sweep_points(x: Array, mean: Array, ci_low: Array, ci_high: Array, c: Optional[Array] = None, xlabel: str = "",
                      ylabel: str = "", title: str = "", color_label: Optional[str] = None) -> Figure:
    """Scattered designs (e.g. Latin hypercube): one point per scenario with
    its 95 % CI, coloured by a second parameter when given."""
    x, mean, lo, hi = (np.asarray(a, dtype=float) for a in (x, mean, ci_low, ci_high))
    fig, ax = plt.subplots(figsize=(9, 5))
    err = np.vstack([mean - lo, hi - mean])
    err = np.where(np.isfinite(err), err, 0)
    ax.errorbar(x, mean, yerr=err, fmt="none", ecolor="0.5", capsize=3, zorder=1)
    sc = ax.scatter(x, mean, c=c if c is not None else color(0), cmap="viridis", s=40, zorder=2,
                    label="scenario mean (bar: 95 % CI)")
    if c is not None:
        cb = fig.colorbar(sc, ax=ax)
        cb.set_label(color_label or "")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(loc="best", framealpha=0.9)
    fig.tight_layout()
    return fig


def plot_scatter_map(x: Array, y: Array, values: Array, xlabel: str = "", ylabel: str = "", title: str = "",
                     cbar_label: str = "") -> Figure:
    """Scattered designs: scenarios in the (x, y) plane coloured by a metric."""
    fig, ax = plt.subplots(figsize=(8, 6))
    sc = ax.scatter(np.asarray(x, float), np.asarray(y, float), c=np.asarray(values, float), cmap="viridis",
                    s=90, edgecolors="k", linewidths=0.5)
    cb = fig.colorbar(sc, ax=ax)
    cb.set_label(cbar_label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_heatmap(xvals: Array, yvals: Array, grid: Array, xlabel: str = "", ylabel: str = "", title: str = "",
                 cbar_label: str = "", annotate: bool = True, fmt: str = "{:.3g}") -> Figure:
    """grid[j, i] = value at (xvals[i], yvals[j]); NaN cells are shown blank."""
    xvals = np.asarray(xvals)
    yvals = np.asarray(yvals)
    grid = np.asarray(grid, dtype=float)
    if grid.shape != (yvals.size, xvals.size):
        raise ValueError(f"grid has shape {grid.shape}, expected ({yvals.size}, {xvals.size})")
    fig, ax = plt.subplots(figsize=(max(6.0, 0.9 * xvals.size + 3), max(4.5, 0.6 * yvals.size + 2)))
    masked = np.ma.masked_invalid(grid)
    im = ax.imshow(masked, origin="lower", aspect="auto", cmap="viridis")
    cb = fig.colorbar(im, ax=ax)
    cb.set_label(_wrap(cbar_label, 36))
    ax.set_xticks(np.arange(xvals.size))
    ax.set_xticklabels([_fmt_param(v) for v in xvals])
    ax.set_yticks(np.arange(yvals.size))
    ax.set_yticklabels([_fmt_param(v) for v in yvals])
    ax.set_xlabel(_wrap(xlabel, 48))  # long key labels wrap instead of running off the figure
    ax.set_ylabel(_wrap(ylabel, 30))
    ax.set_title(title)
    ax.grid(False)
    if annotate and grid.size <= 400 and np.isfinite(grid).any():
        finite = grid[np.isfinite(grid)]
        mid = (finite.min() + finite.max()) / 2
        for j in range(yvals.size):
            for i in range(xvals.size):
                v = grid[j, i]
                if np.isfinite(v):
                    ax.text(i, j, fmt.format(v), ha="center", va="center", fontsize=10,
                            color="white" if v < mid else "black")
    fig.tight_layout()
    return fig


def _fmt_param(v):
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    return str(int(f)) if f == int(f) else f"{f:g}"


def fig_money_net(accounts: Sequence[str], horizons: Sequence[tuple[int, str]], net: dict[tuple[int, str], dict],
                  payback_text: Optional[dict[str, str]] = None) -> Figure:
    """Per-actor net result per participant after each horizon: grouped bars
    (one group per account, one bar per horizon) with 95 % CI error bars.

    net[(h, account)] = dict(mean, ci_low, ci_high); horizons: list of
    (months, legend label); payback_text[account]: a second tick-label line."""
    from matplotlib.ticker import FuncFormatter
    A, H = len(accounts), max(len(horizons), 1)
    fig, ax = plt.subplots(figsize=(max(8.0, 1.25 * A + 3), 5.2))
    width = 0.8 / H
    x = np.arange(A)
    for i, (h, hlabel) in enumerate(horizons):
        m = np.array([net[(h, a)]["mean"] for a in accounts], float)
        lo = np.array([net[(h, a)]["ci_low"] for a in accounts], float)
        hi = np.array([net[(h, a)]["ci_high"] for a in accounts], float)
        err = np.vstack([np.where(np.isfinite(lo), m - lo, 0.0), np.where(np.isfinite(hi), hi - m, 0.0)])
        ax.bar(x + (i - (H - 1) / 2) * width, np.nan_to_num(m), width * 0.92, yerr=err, capsize=3,
               color=color(i), label=hlabel, error_kw={"elinewidth": 1.2, "ecolor": "0.15"})
    ax.axhline(0, color="0.1", lw=1.2, zorder=3)
    ax.set_xticks(x)
    ax.set_xticklabels([a + (f"\n{payback_text[a]}" if payback_text and a in payback_text else "")
                        for a in accounts])
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}".replace(",", "\u2009")))
    ax.set_title("Net result per participant by actor after each horizon (gains minus programme cost)")
    ax.set_ylabel("net result (kr per participant)")
    ax.set_xlabel("actor (account); below: payback, mean months over replications where it happened")
    ax.grid(axis="x", visible=False)
    ax.legend(title="after (bars: mean; whiskers: 95 % CI)", loc="best", framealpha=0.9)
    fig.tight_layout()
    return fig
