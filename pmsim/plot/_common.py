"""Shared pieces of the plots: colours, axes creation, working days to dates.

Axis convention for dates: calendar day ``D`` occupies ``[D, D + 1)`` on a
date axis. Work that starts at working-day offset ``s`` begins at the start
of its first day; work that finishes at offset ``f`` ends at the end of its
last working day (``day_end``). A finish "by the deadline" is therefore left
of the line drawn at the end of the deadline day.
"""

from __future__ import annotations

import datetime as dt

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
from matplotlib.transforms import Affine2D

from ..errors import ValidationError
from ..calendar import as_date

# One palette for every plot, so "critical" always looks the same.
CRITICAL = "#d62728"
NORMAL = "#4c72b0"
FLOAT = "#c9c9c9"
BASELINE = "#333333"
MILESTONE = "#222222"
STATUS = "#2ca02c"
ACTUAL = "#6b6b6b"
NEGATIVE_FLOAT = "#8b1a1a"
NONWORKING = "#f1f1f1"
DEADLINE = "#111111"
BUDGET = "#111111"
P_COLOURS = {10: "#6baed6", 50: "#1f77b4", 80: "#ff7f0e", 90: "#9467bd"}
POSITIVE = "#c44e52"
NEGATIVE = "#55a868"
BAND = "#9ecae1"


def new_axes(ax, figsize=(9, 4.5)):
    """``ax`` itself, or the axes of a new constrained-layout figure."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def as_day(value, what: str = "date") -> np.datetime64:
    """A date-like value as ``datetime64[D]``; anything else is a ValidationError naming ``what``."""
    return np.datetime64(as_date(what, value), "D")


def deadline_day(project, deadline, what: str = "deadline"):
    """``deadline`` as a day (``datetime64[D]``), the project's deadline when None, None for ``False``."""
    if deadline is False:
        return None
    deadline = project.deadline if deadline is None else deadline
    return None if deadline is None else as_day(deadline, what)


def check_simulation(sim, who: str) -> None:
    """A ValidationError unless ``sim`` looks like a :class:`pmsim.Simulation`."""
    if not all(hasattr(sim, name) for name in ("finish", "cost", "project", "percentile")):
        raise ValidationError(f"{who} needs a Simulation (from pm.simulate), got {type(sim).__name__}")


def day_num(value, what: str = "date") -> float:
    """Matplotlib date number of the start of a calendar day."""
    return float(mdates.date2num(as_day(value, what)))


def day_start(project, offsets) -> np.ndarray:
    """Date numbers where work starting at working-day ``offsets`` begins.

    The fraction of a working day is kept, so a start at 2.5 is at noon of
    working day 2.
    """
    x = np.atleast_1d(np.asarray(offsets, dtype=float))
    whole = np.floor(x + 1e-9)
    days = project.calendar.date(project.start, whole)
    return mdates.date2num(np.asarray(days, dtype="datetime64[D]")) + (x - whole)


def day_end(project, offsets) -> np.ndarray:
    """Date numbers where work finishing at working-day ``offsets`` ends.

    An integer offset ``f`` ends at midnight after working day ``f - 1``;
    offset 0 is the start of the first working day.
    """
    x = np.atleast_1d(np.asarray(offsets, dtype=float))
    last = np.ceil(x - 1e-9) - 1
    days = project.calendar.date(project.start, np.maximum(last, 0))
    end = mdates.date2num(np.asarray(days, dtype="datetime64[D]")) + 1 - (last + 1 - x)
    return np.where(x <= 1e-9, day_start(project, np.zeros_like(x)), end)


def moment_num(values) -> np.ndarray:
    """Matplotlib date numbers of datetimes (numpy, pandas or Python), to the minute."""
    return np.atleast_1d(mdates.date2num(np.asarray(values, dtype="datetime64[m]")))


def data_date_num(moment) -> float:
    """Date number of a data date: a date alone is the end of that day, a datetime that moment."""
    if isinstance(moment, dt.datetime):
        return float(moment_num([moment])[0])
    return day_num(moment, "status date") + 1


def nonworking_spans(calendar, first, last, limit_days: int = 400) -> list[tuple[float, float]]:
    """The runs of whole days without working time of ``calendar`` between two date numbers, as
    (start, end) date numbers; none when the span is longer than ``limit_days`` (too fine to see)."""
    lo, hi = int(np.floor(first)), int(np.ceil(last))
    if hi - lo > limit_days or hi <= lo:
        return []
    table = calendar.work_table(mdates.num2date(lo).date(), hi - lo + 1)
    work = np.asarray(table.work_at(np.arange(hi - lo + 1) * 1440.0))
    idle = list(np.diff(work) <= 0)
    spans, start = [], None
    for k, free in enumerate(idle + [False]):
        if free and start is None:
            start = k
        elif not free and start is not None:
            spans.append((float(lo + start), float(lo + k)))
            start = None
    return spans


def date_axis(ax, axis="x") -> None:
    """Readable automatic date ticks on one axis."""
    target = ax.xaxis if axis == "x" else ax.yaxis
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    target.set_major_locator(locator)
    target.set_major_formatter(mdates.ConciseDateFormatter(locator))


def money(value: float, currency: str = "") -> str:
    """``1234567`` -> ``'1.235M'``; with a currency, ``'1.235M USD'``.

    Four significant digits: P50 and P80 costs often differ by a few percent.
    """
    a = abs(value)
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if a >= limit:
            text = f"{value / limit:.4g}{suffix}"
            break
    else:
        text = f"{value:.4g}"
    return f"{text} {currency}".strip()


def money_axis(ax, axis="x") -> None:
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_formatter(mticker.FuncFormatter(lambda v, _: money(v)))


def marker_line(ax, x, text, colour, *, linestyle="--", label=None, gid=None, y_text=0.98, side="right"):
    """A labelled vertical line: the label is also written beside the line, rotated.

    Returns the Line2D (its x data is ``[x, x]``; its ``gid`` names it).
    """
    line = ax.axvline(x, color=colour, linestyle=linestyle, linewidth=1.6, label=label, gid=gid, zorder=4)
    text = ax.annotate(
        text, xy=(x, y_text), xycoords=ax.get_xaxis_transform(),
        xytext=(3 if side == "right" else -3, 0), textcoords="offset points",
        rotation=90, va="top", ha="left" if side == "right" else "right",
        fontsize="small", color=colour, gid=f"{gid}:text" if gid else None,
        bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.9), zorder=5,
    )
    text._pmsim_marker = (x, y_text, side)  # read by spread_labels
    return line


def spread_labels(ax, levels=(0.98, 0.62, 0.26), gap_points: float = 15.0) -> None:
    """Move the rotated labels of nearby marker lines to different heights so none covers another.

    Call it once the x limits are set. Each label keeps its preferred height
    unless a label already placed at that height lies within ``gap_points``
    (about one rotated line of small text) on the same stretch of axis.
    """
    labels = [t for t in ax.texts if getattr(t, "_pmsim_marker", None)]
    if len(labels) < 2:
        return
    lo, hi = ax.get_xlim()
    fig_width = ax.figure.get_size_inches()[0] * 72
    width = fig_width * ax.get_position().width * 0.92  # layout shrinks the axes a little later
    placed: dict[float, list[tuple[float, float]]] = {}
    for text in sorted(labels, key=lambda t: t._pmsim_marker[0]):
        x, preferred, side = text._pmsim_marker
        px = (x - lo) / (hi - lo) * width
        span = (px, px + gap_points) if side == "right" else (px - gap_points, px)
        for level in (preferred, *(lv for lv in levels if lv != preferred)):
            if all(span[1] <= a or span[0] >= b for a, b in placed.get(level, [])):
                break
        else:
            level = preferred
        placed.setdefault(level, []).append(span)
        text.xy = (x, level)


def end_labels(ax, labels, pad_points: float = 4.0, gap_points: float = 1.0) -> list:
    """Label the right ends of curves in the margin right of ``ax``: outside the data, never on each other.

    ``labels`` holds ``(y, text, colour, gid)``: a curve's last value (data
    coordinates) and its label. Each label sits ``pad_points`` right of the
    axes at the height of its value; labels that would touch are spread
    apart, in the order of their values, by as little as they need and kept
    within the axes' height. The places are found when the figure is drawn,
    so they hold whatever size or layout the figure gets; a constrained
    layout makes room for them in the figure.

    Returns the Annotations (``gid`` as given).
    """
    texts = []
    for y, text, colour, gid in labels:
        texts.append(ax.annotate(text, xy=(1.0, y), xycoords=ax.get_yaxis_transform(), xytext=(0, 0),
                                 ha="left", va="center", fontsize="x-small", color=colour, gid=gid,
                                 annotation_clip=False))

    def places(renderer) -> list[float]:
        centres = [float(ax.transData.transform((0.0, t.xy[1]))[1]) for t in texts]
        heights = [renderer.points_to_pixels(t.get_fontsize()) * 1.25 for t in texts]
        gap = renderer.points_to_pixels(gap_points)
        return spread_1d(centres, heights, gap, ax.bbox.y0, ax.bbox.y1)

    for i, text in enumerate(texts):
        def coords(renderer, i=i):
            x = ax.bbox.x1 + renderer.points_to_pixels(pad_points)
            return Affine2D().translate(x, places(renderer)[i])
        text.set_anncoords(coords)
    return texts


def spread_1d(centres, heights, gap: float, lo: float, hi: float) -> list[float]:
    """Centres for boxes of ``heights`` wanted at ``centres``, moved apart so that none overlaps the next.

    Boxes keep the order of their wanted centres; a run of boxes that would
    overlap is packed ``gap`` apart and centred where its boxes want to be
    on average; all are then kept within ``[lo, hi]`` when they fit there.

    >>> spread_1d([10.0, 11.0, 50.0], [10, 10, 10], 0.0, 0.0, 100.0)
    [5.5, 15.5, 50.0]
    >>> spread_1d([98.0, 99.0], [10, 10], 0.0, 0.0, 100.0)
    [85.0, 95.0]
    """
    order = sorted(range(len(centres)), key=lambda i: centres[i])
    groups: list[list[int]] = []  # runs of boxes packed together, bottom to top

    def extent(group):  # (bottom, top) of a packed run centred on its members' mean wanted offset
        offsets, at = [], 0.0
        for k, i in enumerate(group):
            if k:
                at += (heights[group[k - 1]] + heights[i]) / 2 + gap
            offsets.append(at)
        shift = sum(centres[i] - o for i, o in zip(group, offsets)) / len(group)
        return shift - heights[group[0]] / 2, shift + offsets[-1] + heights[group[-1]] / 2, shift, offsets

    for i in order:
        groups.append([i])
        while len(groups) > 1 and extent(groups[-2])[1] + gap > extent(groups[-1])[0]:
            last = groups.pop()
            groups[-1] += last
    out = [0.0] * len(centres)
    floor = lo
    packed = [extent(g) for g in groups]
    total = sum(top - bottom for bottom, top, _, _ in packed) + gap * (len(packed) - 1)
    room = hi - lo >= total
    for n, (group, (bottom, top, shift, offsets)) in enumerate(zip(groups, packed)):
        move = 0.0
        if room:
            above = sum(t - b + gap for b, t, _, _ in packed[n + 1:])  # what must still fit above this run
            move = max(floor - bottom, min(0.0, hi - above - top))
        for i, o in zip(group, offsets):
            out[i] = shift + move + o
        floor = top + move + gap
    return out


_CORNERS = {
    "upper left": (0.0, 0.45, "upper"), "upper right": (0.55, 1.0, "upper"),
    "lower left": (0.0, 0.45, "lower"), "lower right": (0.55, 1.0, "lower"),
}


def place_legend(ax, candidates, x, y, **kwargs):
    """A legend in the free corner among ``candidates``, or outside on the right when none is free."""
    loc = free_corner(ax, candidates, x, y)
    if loc is None:
        return ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, **kwargs)
    return ax.legend(loc=loc, framealpha=0.9, **kwargs)


def free_corner(ax, candidates, x, y) -> str | None:
    """The candidate legend corner least in the way of the data and of labelled lines.

    ``x``, ``y`` are the drawn data (bar centres and heights, or a curve).
    A corner costs the share of the axes height the data fill under
    (upper corners) or above (lower corners) it, plus one per labelled
    marker line (see :func:`marker_line`) crossing it. None when every
    corner has a labelled line in it (a legend there would hide its label).
    """
    lo, hi = ax.get_xlim()
    ylo, yhi = ax.get_ylim()
    fx = (np.asarray(x, dtype=float) - lo) / (hi - lo)
    fy = (np.asarray(y, dtype=float) - ylo) / (yhi - ylo)
    lines = [(t._pmsim_marker[0] - lo) / (hi - lo) for t in ax.texts if getattr(t, "_pmsim_marker", None)]
    best, best_cost = candidates[0], np.inf
    for loc in candidates:
        a, b, where = _CORNERS[loc]
        inside = (fx >= a) & (fx <= b)
        if where == "upper":
            cost = float(fy[inside].max()) if inside.any() else 0.0
        else:
            cost = 1.0 - float(fy[inside].min()) if inside.any() else 0.0
        cost += sum(a <= v <= b for v in lines)
        if cost < best_cost:
            best, best_cost = loc, cost
    return best if best_cost < 1 else None


def budget_line(ax, y, text, *, label=None, x_text=0.99, ha="right", gid="budget"):
    """A labelled horizontal budget line; the label sits just above it, by default near the right edge."""
    line = ax.axhline(y, color=BUDGET, linestyle="-.", linewidth=1.5, label=label, gid=gid, zorder=4)
    ax.annotate(text, xy=(x_text, y), xycoords=ax.get_yaxis_transform(), xytext=(0, 3),
                textcoords="offset points", ha=ha, va="bottom", fontsize="small", color=BUDGET,
                gid=f"{gid}:text", zorder=5,
                bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.8))
    return line


def index_num(index) -> np.ndarray:
    """Date numbers of the start of each day of a DatetimeIndex (or date-like array)."""
    return mdates.date2num(np.asarray(index, dtype="datetime64[ns]").astype("datetime64[D]"))


def line_by_gid(ax, gid):
    """The first line of ``ax`` with this ``gid`` (for callers and tests)."""
    for line in ax.get_lines():
        if line.get_gid() == gid:
            return line
    return None
