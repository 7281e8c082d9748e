"""A small staffing study from the page: a grid over posts (staff.workers)
and caseload caps (staff.caseload_cap) on the scenario in the form, run as
one caseflow study (so every grid point sees the same referrals: common
random numbers), shown as the frontier of cost against the service level.

Cost: the scenario's money ledger when it has one (`money.cost_total`, the
simulator's own figure), else posts x a cost per post and year that the
planner types (an input, labelled as such on the page; caps then cost
nothing). Service level: P(wait <= X days) when the file has
`wait_within_<X>d` (higher is better), else the wait the file has (lower is
better). A grid point is on the frontier when no other point is at most as
costly and strictly better served.
"""
import json
import math
import os

from . import cfgtext as C

MAX_VALUES = 6          # per axis: 36 scenarios at most, a few seconds each
MAX_POSTS = 100000
MAX_CAP = 1000000


class StudyInputError(ValueError):
    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


def parse_values(text, field, lo, hi):
    vals = []
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            v = int(part)
        except ValueError:
            raise StudyInputError(field, f"'{part}' is not a whole number") from None
        if not lo <= v <= hi:
            raise StudyInputError(field, f"{v} is outside {lo} to {hi}")
        if v not in vals:
            vals.append(v)
    if not vals:
        raise StudyInputError(field, "give at least one value, e.g. 10, 12, 15")
    if len(vals) > MAX_VALUES:
        raise StudyInputError(field, f"at most {MAX_VALUES} values")
    return vals


def parse_inputs(form, has_money):
    """The study panel's fields -> dict, or StudyInputError naming the field."""
    posts = parse_values(form.get("study_posts", ""), "study_posts", 1, MAX_POSTS)
    caps = parse_values(form.get("study_caps", ""), "study_caps", 1, MAX_CAP)
    cost = None
    text = (form.get("study_cost_per_post", "") or "").strip().replace(" ", "").replace("\u202f", "")
    if text:
        try:
            cost = float(text)
        except ValueError:
            raise StudyInputError("study_cost_per_post", f"'{text}' is not a number") from None
        if not (math.isfinite(cost) and cost > 0):
            raise StudyInputError("study_cost_per_post", "must be a positive number of kr")
    elif not has_money:
        raise StudyInputError("study_cost_per_post",
                              "this scenario has no money section: give a cost per post and year (kr)")
    days_text = (form.get("study_days", "") or "14").strip()
    try:
        days = float(days_text)
    except ValueError:
        raise StudyInputError("study_days", f"'{days_text}' is not a number") from None
    if not (math.isfinite(days) and days >= 0):
        raise StudyInputError("study_days", "must be 0 or more days")
    return {"posts": posts, "caps": caps, "cost_per_post_year": cost, "days": days}


def study_text(inputs, base="scenario.cfg", name="staffing study"):
    grid = C.Seq("list", [
        C.Group({"key": C.string("staff.workers"),
                 "values": C.Seq("array", [C.Scalar("int", str(v), v) for v in inputs["posts"]])}),
        C.Group({"key": C.string("staff.caseload_cap"),
                 "values": C.Seq("array", [C.Scalar("int", str(v), v) for v in inputs["caps"]])}),
    ])
    tree = C.Group({"study": C.Group({"name": C.string(name), "base": C.string(base), "grid": grid})})
    text, _ = C.write(tree, header="# staffing study written by the caseflow web page")
    return text


def service_choice(scenarios, days):
    """(metric, label, higher_is_better) present in every scenario."""
    common = None
    for s in scenarios:
        names = set(s["metrics"])
        common = names if common is None else common & names
    common = common or set()
    within = sorted((float(m[len("wait_within_"):-1]), m) for m in common
                    if m.startswith("wait_within_") and m.endswith("d"))
    for d, m in within:
        if d == days:
            return m, f"P(wait ≤ {d:g} days)", True
    if within:
        d, m = within[0]
        return m, f"P(wait ≤ {d:g} days)", True
    if "wait_median_days" in common:
        return "wait_median_days", "median wait (days)", False
    return "wait_days", "mean wait among those assigned (days)", False


def frontier(points, higher_is_better):
    """Indices of the points no other point beats: at most as costly and
    strictly better served. points: [(cost, service)]; NaN never qualifies."""
    order = sorted((i for i, (c, s) in enumerate(points) if _finite(c) and _finite(s)),
                   key=lambda i: (points[i][0], -points[i][1] if higher_is_better else points[i][1]))
    out, best = [], None
    for i in order:
        s = points[i][1]
        if best is None or (s > best if higher_is_better else s < best):
            out.append(i)
            best = s
    return out


def _thousands(v):
    return f"{v:,.0f}".replace(",", "\u202f")


def _finite(x):
    return x is not None and isinstance(x, (int, float)) and math.isfinite(x)


def compute(ans, inputs):
    """The study page's table and frontier from a study's answer.json."""
    scenarios = ans["scenarios"]
    metric, label, higher = service_choice(scenarios, inputs.get("days", 14))
    use_money = all(s.get("money") and "cost_total" in s["money"]["all"] for s in scenarios)
    per_post = inputs.get("cost_per_post_year")
    if use_money:
        cost_label = "programme cost over the run, kr (the simulator's money ledger)"
    else:
        cost_label = (f"staff cost per year, kr (posts × {_thousands(per_post)} kr, your figure)"
                      if per_post else "cost")
    rows = []
    grid = {(s.get("workers"), s.get("cap")) for s in scenarios[1:]}
    for i, s in enumerate(scenarios):
        if i == 0 and (s.get("workers"), s.get("cap")) in grid:
            continue    # the base is also a grid point: the same option on the same referrals
        svc = s["metrics"].get(metric) or {}
        if use_money:
            cost = s["money"]["all"]["cost_total"].get("mean")
        elif per_post and s.get("workers"):
            cost = s["workers"] * per_post
        else:
            cost = None
        rows.append({"scenario": i, "name": s["name"], "posts": s.get("workers"), "cap": s.get("cap"), "cost": cost,
                     "service": svc.get("mean"), "service_lo": svc.get("lo"), "service_hi": svc.get("hi"),
                     "wait": (s.get("wait") or {}).get("mean"), "wait_label": (s.get("wait") or {}).get("label")})
    on = frontier([(r["cost"], r["service"]) for r in rows], higher)
    for i, r in enumerate(rows):
        r["frontier"] = i in on
    return {"metric": metric, "service_label": label, "higher_is_better": higher,
            "cost_label": cost_label, "cost_is_input": not use_money, "rows": rows,
            "frontier": on}


def plot(result, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    rows = result["rows"]
    fig, ax = plt.subplots(figsize=(8.6, 4.6), dpi=110)
    pts = [(r["cost"], r["service"], r) for r in rows if _finite(r["cost"]) and _finite(r["service"])]
    for c, s, r in pts:
        lo, hi = r["service_lo"], r["service_hi"]
        if _finite(lo) and _finite(hi):
            ax.plot([c, c], [lo, hi], color="#bbbbbb", lw=1, zorder=1)
        ax.scatter([c], [s], s=28, color="#1f5fa8" if r["frontier"] else "#9a9a9a", zorder=3)
        ax.annotate(f"{r['posts']}×{r['cap']}", (c, s), textcoords="offset points", xytext=(5, 4), fontsize=8,
                    color="#1f3f68" if r["frontier"] else "#777777")
    fr = sorted([(r["cost"], r["service"]) for r in rows if r["frontier"]])
    if fr:
        ax.step([p[0] for p in fr], [p[1] for p in fr], where="post", color="#1f5fa8", lw=1.6, zorder=2,
                label="frontier: no cheaper option serves better")
        ax.legend(loc="lower right" if result["higher_is_better"] else "upper right", fontsize=8, frameon=False)
    from matplotlib.ticker import FuncFormatter
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _thousands(v)))
    ax.set_xlabel(result["cost_label"], fontsize=9)
    if result["metric"].startswith("wait_within_"):
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v * 100:.0f} %"))
    ax.set_ylabel(result["service_label"], fontsize=9)
    ax.grid(alpha=0.3)
    ax.set_title("Cost against service level: posts × caseload cap (bars: 95 % CI)", fontsize=10)
    fig.tight_layout()
    tmp = path + ".tmp.png"
    fig.savefig(tmp)
    plt.close(fig)
    os.replace(tmp, path)


def post_process(run, run_dir, ans):
    """jobs.RunQueue's hook: a study's frontier.json and frontier.png."""
    if run.kind != "study":
        return
    result = compute(ans, run.study or {})
    plot(result, os.path.join(run_dir, "frontier.png"))
    tmp = os.path.join(run_dir, "frontier.json.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=1, default=str, allow_nan=False)
    os.replace(tmp, os.path.join(run_dir, "frontier.json"))
