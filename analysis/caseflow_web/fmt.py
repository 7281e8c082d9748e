"""Number formats for the pages (Jinja filters): thin-space thousands, a
dash for missing values, shares as per cent."""
import math

THIN = "\u202f"


def _missing(v):
    return v is None or (isinstance(v, float) and not math.isfinite(v))


def num(v, digits=1):
    if _missing(v):
        return "—"
    return f"{v:,.{digits}f}".replace(",", THIN)


def pct(v, digits=0):
    if _missing(v):
        return "—"
    return f"{v * 100:.{digits}f}{THIN}%"


def interval(row, digits=1, share=False):
    """'95 % CI 3.1 to 4.0' from a {'lo', 'hi'} row."""
    if not row or _missing(row.get("lo")) or _missing(row.get("hi")):
        return ""
    f = (lambda x: pct(x, digits)) if share else (lambda x: num(x, digits))
    return f"{f(row['lo'])} to {f(row['hi'])}"


def kr(v):
    if _missing(v):
        return "—"
    return f"{v:,.0f}{THIN}kr".replace(",", THIN)


def register(app):
    app.add_template_filter(num)
    app.add_template_filter(pct)
    app.add_template_filter(interval)
    app.add_template_filter(kr)
