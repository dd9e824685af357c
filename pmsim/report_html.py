"""The pieces of pmsim's HTML pages: escaped text, readable cells, tables, inlined figures, cards.

Everything that comes from a project or a file (names, ids, notes, numbers)
goes through :func:`escape` on its way into the page.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import math
import re

import numpy as np
import pandas as pd

__all__ = ["REPORT_CSS", "escape", "cell_text", "table", "key_values", "figure", "cards", "section", "pair",
           "note", "share", "money", "TASK_LIST_LIMIT"]

TASK_LIST_LIMIT = 12  # task ids shown per cell before "... and N more"
STAMP = re.compile(r"\d{4}-\d\d-\d\d( \d\d:\d\d)?")  # a date or a moment already written as text

REPORT_CSS = """
:root { --ink: #1f2933; --muted: #52606d; --line: #d9e2ec; --band: #f5f7fa; --accent: #1f5fa8;
        --good: #1e7b4a; --bad: #b42318; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.5;
       font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 76rem; margin: 0 auto; padding: 1.5rem 1.5rem 4rem; }
header { border-bottom: 3px solid var(--accent); margin-bottom: 1.5rem; }
h1 { font-size: 1.9rem; margin: 0.2rem 0 0.4rem; }
h2 { font-size: 1.4rem; margin: 2.5rem 0 0.6rem; padding-bottom: 0.2rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.1rem; margin: 1.6rem 0 0.4rem; }
p { max-width: 60rem; }
.muted, .subtitle { color: var(--muted); }
nav ol { display: flex; flex-wrap: wrap; gap: 0.3rem 1.4rem; padding: 0; margin: 0.8rem 0 1rem;
         list-style: none; }
nav a { color: var(--accent); text-decoration: none; }
nav a:hover { text-decoration: underline; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: 0.8rem;
         margin: 1rem 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 0.7rem 0.9rem; background: var(--band); }
.card .label { font-size: 0.8rem; color: var(--muted); text-transform: uppercase; letter-spacing: 0.03em; }
.card .value { font-size: 1.25rem; font-weight: 600; }
table.data { border-collapse: collapse; margin: 0.6rem 0 1rem; font-size: 0.9rem;
             font-variant-numeric: tabular-nums; }
table.data th, table.data td { border-bottom: 1px solid var(--line); padding: 0.3rem 0.7rem;
                               text-align: right; vertical-align: top; }
table.data th { background: var(--band); font-weight: 600; }
table.data tbody th, table.data .text, table.data .date, table.kv td { text-align: left; }
table.data td, table.data tbody th { white-space: nowrap; }
table.data td.text, table.kv td { white-space: normal; }
table.data tbody tr:nth-child(even) { background: #fafbfc; }
.scroll { overflow-x: auto; }
figure { margin: 1rem 0; }
.pair { display: grid; grid-template-columns: fit-content(36rem) minmax(0, 1fr); gap: 0 2rem; align-items: start; }
.pair > * { min-width: 0; }
@media (max-width: 60rem) { .pair { grid-template-columns: 1fr; } }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 4px; }
figcaption { font-size: 0.85rem; color: var(--muted); }
.pass { color: var(--good); font-weight: 600; }
.fail { color: var(--bad); font-weight: 600; }
.note { border-left: 4px solid #f0b429; background: #fffbea; padding: 0.5rem 0.9rem; margin: 1rem 0; }
details summary { cursor: pointer; color: var(--accent); margin: 0.5rem 0; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; }
footer { margin-top: 3rem; border-top: 1px solid var(--line); padding-top: 0.8rem; font-size: 0.85rem;
         color: var(--muted); }
@media print { nav, details summary { display: none; } h2 { break-before: auto; } figure { break-inside: avoid; } }
"""


# --------------------------------------------------------------------------- formatting


def escape(value) -> str:
    return html.escape(str(value), quote=True)


def cell_text(value) -> str:
    """A cell value as text: dates as ISO (with the time of a moment), money with separators, shares to 4 places."""
    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime) and not isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M")  # a moment of the model, midnight included (not the whole day)
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        # A moment shows its time of day; a date (a timestamp at midnight) the day alone.
        stamp = pd.Timestamp(value)
        if pd.isna(stamp):
            return ""
        return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if math.isnan(v):
            return ""
        if math.isinf(v):
            return "∞" if v > 0 else "−∞"
        if v == int(v) and abs(v) < 1e15:
            return f"{int(v):,}"
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        if abs(v) < 1:
            return f"{v:.4f}"
        return f"{v:,.2f}"
    if isinstance(value, (tuple, list)):
        items = [str(x) for x in value]
        more = len(items) - TASK_LIST_LIMIT
        text = ", ".join(items[:TASK_LIST_LIMIT])
        return text + (f" … and {more} more" if more > 0 else "")
    return str(value)


def _layout(column: pd.Series) -> str:
    """How a column is laid out: ``num`` right-aligned, ``date`` kept on one line, ``text`` wrapped."""
    if pd.api.types.is_bool_dtype(column):
        return "date"
    if pd.api.types.is_numeric_dtype(column):
        return "num"
    values = column.dropna()
    if pd.api.types.is_datetime64_any_dtype(column) or (
            len(values) and all(isinstance(v, (dt.date, pd.Timestamp, np.datetime64))
                                or (isinstance(v, str) and STAMP.fullmatch(v)) for v in values)):
        return "date"
    return "text"


def table(frame: pd.DataFrame, *, index: bool = True) -> str:
    """A DataFrame as an HTML table: readable numbers, numeric columns right-aligned, text left."""
    cols = list(frame.columns)
    align = [_layout(frame[c]) for c in cols]
    head = ("<th></th>" if index else "") + "".join(
        f'<th class="{a}">{escape(c)}</th>' for c, a in zip(cols, align))
    rows = []
    for label, values in zip(frame.index, frame.itertuples(index=False, name=None)):
        cells = "".join(f'<td class="{a}">{escape(cell_text(v))}</td>' for v, a in zip(values, align))
        rows.append(f"<tr>{f'<th>{escape(cell_text(label))}</th>' if index else ''}{cells}</tr>")
    return (f'<div class="scroll"><table class="data"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def key_values(rows: dict) -> str:
    """A two-column table of labels and values."""
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(cell_text(v))}</td></tr>" for k, v in rows.items())
    return f'<div class="scroll"><table class="data kv"><tbody>{body}</tbody></table></div>'


def figure(ax, alt: str, caption: str = "", dpi: int = 96) -> str:
    """An Axes' figure as an inlined PNG; the figure is closed afterwards."""
    import matplotlib.pyplot as plt

    fig = ax.figure
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})  # figures use constrained layout
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f'<figure><img src="data:image/png;base64,{data}" alt="{escape(alt)}">{cap}</figure>'


def cards(items: list[tuple[str, str]]) -> str:
    cells = "".join(
        f'<div class="card"><div class="label">{escape(label)}</div><div class="value">{escape(value)}</div></div>'
        for label, value in items
    )
    return f'<div class="cards">{cells}</div>'


def section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{escape(title)}</h2>\n{body}\n</section>\n'


def pair(left: str, right: str) -> str:
    """Two blocks side by side on a wide screen (a table beside its figure), stacked on a narrow one."""
    return f'<div class="pair"><div>{left}</div><div>{right}</div></div>'


def note(text: str) -> str:
    return f'<p class="note">{escape(text)}</p>'


def share(value) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.1%}"


def money(value: float, currency: str) -> str:
    return f"{value:,.0f} {currency}"
