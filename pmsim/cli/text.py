"""How the command line writes numbers, dates and tables for people.

Working days are rounded to one decimal, dates are ISO (``2027-09-17``, with
the time of day ``2027-09-17 13:00`` where it matters), money carries the
project's currency and thousands separators (``EUR 1,359,179``), shares are
percentages. Every cell passes through :func:`pmsim.terminal_text.for_terminal`
before it is measured, so text from a project file cannot move the cursor,
colour the screen or hide a link, and columns stay aligned.

>>> days(159.177643), money(1359178.63, "EUR"), amount(-0.4), share(0.5275)
('159.2', 'EUR 1,359,179', '0', '52.8 %')
>>> print(table(["id", "task", "days"], [["A", "Design", "3"], ["B", "Build\\x1b[2J", "12.5"]], align="llr"))
id  task    days
A   Design     3
B   Build   12.5
"""

from __future__ import annotations

import datetime as dt
import math
import os
import shutil

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..terminal_text import display_width, for_terminal

__all__ = ["days", "amount", "money", "share", "number", "date_text", "moment_text", "table", "key_values",
           "terminal_width", "clip", "LAST_DATE"]

LAST_DATE = dt.date.max  # 9999-12-31: ISO dates have four-digit years, and so do Python's


def days(value) -> str:
    """Working days, rounded to one decimal; ``12`` rather than ``12.0``; blank when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{float(value):,.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def number(value, decimals: int = 2) -> str:
    """A ratio such as SPI or CPI: fixed decimals, blank when missing."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    text = f"{float(value):,.{decimals}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.,") else text


def amount(value) -> str:
    """An amount of money in whole units with thousands separators (``1,410,000``); for table
    columns whose header names the currency."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    return f"{round(float(value)) + 0:,}"


def money(value, currency: str) -> str:
    """An amount with its currency, for running text: ``EUR 1,410,000``."""
    text = amount(value)
    return f"{for_terminal(currency)} {text}" if text else ""


def share(value, decimals: int = 1) -> str:
    """A probability as a percentage: ``52.8 %``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{100 * float(value):.{decimals}f} %"


def _timestamp(value, what: str) -> pd.Timestamp | None:
    """``value`` as a Timestamp inside the range of ISO dates, or None when missing."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            return None
        if value > np.datetime64(LAST_DATE) + np.timedelta64(1, "D"):
            raise _beyond(what, str(value.astype("datetime64[D]")))
        value = value.astype("datetime64[s]")
    if isinstance(value, (bool, int, float, np.number)):
        # A date that overflowed on its way out of numpy arrives as its count of days.
        raise _beyond(what, None)
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):
        raise _beyond(what, str(value)) from None
    if stamp is pd.NaT:
        return None
    if stamp.year > LAST_DATE.year:
        raise _beyond(what, str(np.datetime64(stamp.asm8, "D")))
    return stamp


def _beyond(what: str, value: str | None) -> ValidationError:
    shown = f" ({value})" if value else ""
    return ValidationError(
        f"{what} falls after {LAST_DATE}{shown}, the last date pmsim can write; "
        "check the project's start and the durations and lags that lead there"
    )


def date_text(value, what: str = "a date") -> str:
    """An ISO date (``2027-09-17``); blank when missing; a PmsimError past 9999-12-31.

    >>> date_text(np.datetime64("2027-09-17")), date_text(None)
    ('2027-09-17', '')
    >>> date_text(np.datetime64("10000-01-03"), "the P80 finish")
    Traceback (most recent call last):
    ...
    pmsim.errors.ValidationError: the P80 finish falls after 9999-12-31 (10000-01-03), ...
    """
    stamp = _timestamp(value, what)
    return "" if stamp is None else f"{stamp.year:04d}-{stamp.month:02d}-{stamp.day:02d}"


def moment_text(value, what: str = "a date") -> str:
    """An ISO date and time of day to the minute: ``2027-09-17 13:00``."""
    stamp = _timestamp(value, what)
    if stamp is None:
        return ""
    return f"{stamp.year:04d}-{stamp.month:02d}-{stamp.day:02d} {stamp.hour:02d}:{stamp.minute:02d}"


def terminal_width() -> int | None:
    """Columns a table may fill: the terminal's (or ``$COLUMNS``); None (no limit) for a pipe or a file."""
    import sys

    if "COLUMNS" not in os.environ and not sys.stdout.isatty():
        return None
    return max(60, shutil.get_terminal_size((100, 24)).columns)


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` columns, ending in an ellipsis when cut."""
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = display_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out).rstrip() + "…"


def _pad(text: str, width: int, align: str) -> str:
    gap = " " * (width - display_width(text))
    return gap + text if align == "r" else text + gap


def table(header: list[str], rows: list[list], *, align: str, flex: int | None = None,
          width: int | None = None) -> str:
    """A plain-text table: columns two spaces apart, ``align`` one letter per column (``l``/``r``).

    ``flex`` is the column (usually the task name) cut with an ellipsis so the
    table fits ``width`` columns (default: the terminal's; no limit when the
    output goes to a pipe or a file). Cells are made
    safe for the terminal first.
    """
    head = [for_terminal(h) for h in header]
    body = [[for_terminal(c) for c in row] for row in rows]
    widths = [max([display_width(h)] + [display_width(r[i]) for r in body]) for i, h in enumerate(head)]
    width = width or terminal_width()
    if flex is not None and width is not None:
        room = width - (sum(widths) - widths[flex]) - 2 * (len(widths) - 1)
        limit = max(display_width(head[flex]), 16, room)
        if widths[flex] > limit:
            body = [[clip(c, limit) if i == flex else c for i, c in enumerate(r)] for r in body]
            widths[flex] = limit
    lines = []
    for row in [head, *body]:
        cells = [_pad(c, widths[i], align[i]) for i, c in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def key_values(rows: list[tuple[str, str]]) -> str:
    """Labelled lines, the values in one column: ``deadline   2027-09-17  ...``."""
    rows = [(for_terminal(k), for_terminal(v)) for k, v in rows]
    width = max(display_width(k) for k, _ in rows)
    return "\n".join(f"{_pad(k, width, 'l')}  {v}".rstrip() for k, v in rows)
