"""The Sensitivity section of the report: a sensitivity study's Sobol indices
(the simulator's /sensitivity group, docs/OUTPUT.md) as a ranked table and a
bar chart per metric. The indices are the simulator's, read as stored; this
module computes nothing but the order."""
import h5py
import numpy as np

from . import plots
from .page import esc, fmt, fmt_ci


def read(path):
    """The /sensitivity group as a dict, or None when the file has none."""
    with h5py.File(path, "r") as f:
        if "sensitivity" not in f:
            return None
        g = f["sensitivity"]

        def names(ds):
            return [v.decode() if isinstance(v, bytes) else str(v) for v in ds[()]]

        out = {"keys": names(g["keys"]), "metrics": names(g["metrics"]),
               "min": g["min"][()], "max": g["max"][()], "mean": g["mean"][()], "variance": g["variance"][()]}
        for k in ("first", "first_low", "first_high", "total", "total_low", "total_high"):
            out[k] = np.atleast_2d(g[k][()])
        for k, v in g.attrs.items():
            out[k] = v.decode() if isinstance(v, bytes) else (v.item() if hasattr(v, "item") else v)
        return out


def ranked(s, q):
    """Input indices of metric q, largest total index first (NaN last)."""
    total = s["total"][q]
    return sorted(range(len(s["keys"])), key=lambda i: (-total[i] if np.isfinite(total[i]) else np.inf, i))


def figure(s, q):
    """Horizontal bars of the total (and first-order) index of each input with
    their 95 % intervals, largest on top: a tornado of the variance."""
    order = ranked(s, q)[::-1]
    labels = [s["keys"][i] for i in order]
    y = np.arange(len(order))
    fig, ax = plots.plt.subplots(figsize=(9, 0.45 * len(order) + 1.6))
    for field, off, col, lab in (("total", 0.18, plots.color(0), "total ST (with interactions)"),
                                 ("first", -0.18, plots.color(1), "first order S (alone)")):
        v = np.array([s[field][q][i] for i in order])
        lo = np.array([s[field + "_low"][q][i] for i in order])
        hi = np.array([s[field + "_high"][q][i] for i in order])
        err = np.vstack([np.clip(v - lo, 0, None), np.clip(hi - v, 0, None)])
        ax.barh(y + off, v, height=0.34, color=col, label=lab, xerr=err, capsize=3)
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("share of the output's variance over the ranges (Sobol index, 95 % bootstrap CI)")
    ax.set_title(s["metrics"][q])
    ax.legend(loc="lower right")
    return fig


def section(path, page, summary, add_figure):
    """Adds the Sensitivity section when the file has /sensitivity."""
    s = read(path)
    if s is None:
        return
    page.section("sensitivity", "Sensitivity: which inputs drive the outcomes")
    page.p(f"Sobol indices over {s.get('n', '?')} design blocks ({esc(str(s.get('estimator', '')))}). "
           "Each input varies uniformly over its range, all at once. The total index ST is the share of the "
           "output's variance that would go if the input were fixed (its effect with all interactions); the "
           "first-order index S is its effect alone. Inputs with ST near 0 can be fixed anywhere in their "
           "range. Small negative S or small ST of inputs without effect are replication noise.")
    out = []
    for q, metric in enumerate(s["metrics"]):
        page.h3(metric)
        if not np.isfinite(s["variance"][q]) or s["variance"][q] <= 0:
            page.note(f"{metric} does not vary over the design (mean {fmt(s['mean'][q], 4)}): no indices.")
            continue
        rows = []
        for rank, i in enumerate(ranked(s, q), 1):
            rows.append([rank, s["keys"][i], f"{s['min'][i]:g} – {s['max'][i]:g}",
                         fmt(s["total"][q][i], 3), fmt_ci(s["total_low"][q][i], s["total_high"][q][i], 3),
                         fmt(s["first"][q][i], 3), fmt_ci(s["first_low"][q][i], s["first_high"][q][i], 3)])
            out.append({"metric": metric, "key": s["keys"][i], "rank": rank,
                        "total": float(s["total"][q][i]), "first": float(s["first"][q][i])})
        page.table(["rank", "input", "range", "total ST", "95 % CI", "first order S", "95 % CI"], rows,
                   numeric=(0, 3, 4, 5, 6))
        add_figure(f"sensitivity_{q}.png", figure(s, q), f"Sobol indices of {metric}",
                   f"{metric}: total and first-order Sobol indices per input, largest first "
                   f"(mean {fmt(s['mean'][q], 4)}, sd {fmt(float(np.sqrt(s['variance'][q])), 3)} over the design).")
    summary["sensitivity"] = out
