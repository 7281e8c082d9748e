"""A self-contained HTML page: inline CSS, figures as base64 data URIs, so
the single index.html can be mailed or opened from anywhere."""
import base64
import html
import math
from typing import Any, Optional, Sequence

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 16px;
       line-height: 1.45; color: #1b1b1b; max-width: 1150px; margin: 0 auto; padding: 1em 1.5em 4em; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { font-size: 1.35em; margin-top: 2em; border-bottom: 2px solid #ddd; padding-bottom: 0.2em; }
h3 { font-size: 1.1em; margin-top: 1.4em; }
.sub { color: #555; margin-top: 0; }
.tw { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.95em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; vertical-align: top; }
th { background: #f2f2f2; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.bad td { background: #fde2e2; }
.ok { color: #11602a; font-weight: 600; }
.badtext { color: #a00; font-weight: 600; }
figure { margin: 1em 0 1.5em; }
figure img { max-width: 100%; height: auto; border: 1px solid #e4e4e4; }
figcaption { color: #444; font-size: 0.93em; margin-top: 0.3em; }
pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
.note { background: #fff8e0; border-left: 4px solid #e0b000; padding: 0.5em 0.8em; margin: 0.8em 0; }
nav ol { columns: 2; }
code { background: #f2f2f2; padding: 0 0.2em; }
tr.base td, tr.base th { font-weight: 600; background: #eef4fb; }
tr.out td { color: #8a8a8a; }
td small { color: #444; }
/* a table that may use the whole window, not just the text column (the all-scenarios table) */
.tw.wide { width: calc(100vw - 60px); max-width: none; margin-left: calc(50% - 50vw + 30px); }
table.sortable thead th { cursor: pointer; user-select: none; }
table.sortable thead th::after { content: " \\2195"; color: #999; font-weight: normal; }
table.sortable thead th[aria-sort="ascending"]::after { content: " \\25B2"; color: #333; }
table.sortable thead th[aria-sort="descending"]::after { content: " \\25BC"; color: #333; }
"""

# Sorting for tables marked sortable: click a header to sort by that column,
# again to reverse. A cell's data-sort (a number, or "" for no value, which
# always sorts last) is used when present, else its text. Plain JS, inline,
# so the page stays one self-contained file.
SORT_JS = """
(function () {
  function key(cell) {
    var v = cell.hasAttribute('data-sort') ? cell.getAttribute('data-sort') : cell.textContent.trim();
    if (v === '') return null;
    var n = Number(v);
    return isNaN(n) ? v.toLowerCase() : n;
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      th.title = 'click to sort';
      th.addEventListener('click', function () {
        var up = th.getAttribute('aria-sort') !== 'ascending';
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', up ? 'ascending' : 'descending');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[col]), y = key(b.cells[col]);
          if (x === null || y === null) return (x === null) - (y === null);
          if (typeof x !== typeof y) return typeof x === 'number' ? -1 : 1;
          var c = x < y ? -1 : x > y ? 1 : 0;
          return up ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
})();
"""


def _breakable(markup: str) -> str:
    """Lets the browser break long config keys in headers (staff.caseload_cap,
    rate_per_month) after a dot or an underscore instead of widening the
    column to the whole key."""
    return markup.replace("_", "_<wbr>").replace(".", ".<wbr>")


class Cell:
    """A table cell with its own sort value (data-sort) and/or markup."""

    def __init__(self, content: Any, sort: Any = None, raw: bool = False) -> None:
        self.content, self.sort, self.raw = content, sort, raw

    def sort_attr(self) -> str:
        if self.sort is None:
            return ""
        try:
            f = float(self.sort)
        except (TypeError, ValueError):
            return f' data-sort="{esc(self.sort)}"'
        return ' data-sort=""' if math.isnan(f) else f' data-sort="{f!r}"'



def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def fmt(v: Any, digits: int = 2, scale: float = 1.0) -> str:
    if v is None:
        return "—"
    try:
        f = float(v)
    except (TypeError, ValueError):
        return esc(v)
    if math.isnan(f):
        return "—"
    text = f"{f * scale:,.{digits}f}".replace(",", "\u202f")
    if text.startswith("-") and not any(c in "123456789" for c in text):
        text = text[1:]  # no "-0.00"
    return text


def fmt_ci(lo: Any, hi: Any, digits: int = 2, scale: float = 1.0) -> str:
    if lo is None or hi is None or (isinstance(lo, float) and math.isnan(lo)):
        return "— (needs 2+ replications)"
    return f"[{fmt(lo, digits, scale)}, {fmt(hi, digits, scale)}]"


class Page:
    def __init__(self, title: str, subtitle: str = "") -> None:
        self.title = title
        self.subtitle = subtitle
        self.parts: list[str] = []
        self.toc: list[tuple[str, str]] = []
        self.sortable = False

    def section(self, anchor: str, title: str) -> None:
        self.toc.append((anchor, title))
        self.parts.append(f'<h2 id="{esc(anchor)}">{esc(title)}</h2>')

    def h3(self, text: str) -> None:
        self.parts.append(f"<h3>{esc(text)}</h3>")

    def p(self, text: str, raw: bool = False, cls: Optional[str] = None) -> None:
        c = f' class="{cls}"' if cls else ""
        self.parts.append(f"<p{c}>{text if raw else esc(text)}</p>")

    def note(self, text: str, raw: bool = False) -> None:
        self.parts.append(f'<div class="note">{text if raw else esc(text)}</div>')

    def raw(self, markup: str) -> None:
        self.parts.append(markup)

    def table(self, header: Optional[Sequence[str]], rows: Sequence[Sequence[Any]], numeric: Sequence[int] = (),
              row_classes: Optional[Sequence[str]] = None, raw_cols: Sequence[int] = (), sortable: bool = False,
              table_id: Optional[str] = None, wide: bool = False) -> None:
        """rows: lists of cells; columns in `numeric` are right-aligned;
        cells in `raw_cols` are inserted as markup, others escaped. A Cell
        carries its own sort value and markup flag. `sortable` tables sort
        on a click on a header (SORT_JS)."""
        attrs = (' class="sortable"' if sortable else "") + (f' id="{esc(table_id)}"' if table_id else "")
        self.sortable |= sortable
        out = [f'<div class="tw{" wide" if wide else ""}"><table{attrs}>']
        if header:
            out.append("<thead><tr>" + "".join(f"<th>{_breakable(esc(h))}</th>" for h in header) + "</tr></thead>")
        out.append("<tbody>")
        for i, row in enumerate(rows):
            cls = f' class="{row_classes[i]}"' if row_classes and row_classes[i] else ""
            out.append(f"<tr{cls}>")
            for j, cell in enumerate(row):
                tag = "th" if header is None and j == 0 else "td"
                cls = ' class="num"' if j in numeric else ""
                if isinstance(cell, Cell):
                    body = str(cell.content) if cell.raw or j in raw_cols else esc(cell.content)
                    out.append(f"<{tag}{cls}{cell.sort_attr()}>{body}</{tag}>")
                else:
                    out.append(f"<{tag}{cls}>" + (str(cell) if j in raw_cols else esc(cell)) + f"</{tag}>")
            out.append("</tr>")
        out.append("</tbody></table></div>")
        self.parts.append("".join(out))

    def figure(self, png_bytes: bytes, alt: str, caption: str, filename: Optional[str] = None) -> None:
        data = base64.b64encode(png_bytes).decode("ascii")
        cap = esc(caption) + (f' <span class="sub">(also saved as <code>{esc(filename)}</code>)</span>'
                              if filename else "")
        self.parts.append(f'<figure><img src="data:image/png;base64,{data}" alt="{esc(alt)}">'
                          f"<figcaption>{cap}</figcaption></figure>")

    def details(self, summary: str, text: str) -> None:
        self.parts.append(f"<details><summary>{esc(summary)}</summary><pre>{esc(text)}</pre></details>")

    def render(self) -> str:
        toc = "".join(f'<li><a href="#{esc(a)}">{esc(t)}</a></li>' for a, t in self.toc)
        return (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{esc(self.title)}</title>"
            f"<style>{CSS}</style></head><body>"
            f"<h1>{esc(self.title)}</h1><p class=\"sub\">{esc(self.subtitle)}</p>"
            f"<nav><ol>{toc}</ol></nav>" + "\n".join(self.parts)
            + (f"<script>{SORT_JS}</script>" if self.sortable else "") + "</body></html>\n"
        )
