"""The dashboard's figures: each pmsim.plot figure at the size the page shows it, its legend outside the data.

:func:`size` gives a figure's size in inches (at :data:`DPI`) and :func:`draw`
draws one kind of figure into an Axes with :mod:`pmsim.plot`, then fits it to
the dashboard: a short title (the page header names the project), the legend
below the plot as a figure legend, and labels moved apart where two would
overlap. The Gantt chart adds, over :func:`pmsim.plot.gantt`, the criticality
index of each task as the shade of its bar and the P50/P80 finish dates.
"""

from __future__ import annotations

import dataclasses

import matplotlib.dates as mdates
import numpy as np
from matplotlib.colors import LinearSegmentedColormap, to_hex
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Annotation

from .. import plot

DPI = 90
WIDTH, HEIGHT = 8.0, 4.0  # inches: 720 x 360 pixels, the size of a plot cell on a 1,920 px screen
GANTT_WIDTH = 12.0  # inches: the Gantt spans the width of the results
GANTT_ROW = 0.25  # inches per task
GANTT_ROWS = 120  # at most this many tasks are drawn (the most critical ones, in plan order)
P_MARKERS = {50: "#1f77b4", 80: "#ff7f0e"}
# Criticality shading: light for a task that is rarely critical, the critical red for one always critical.
SHADES = LinearSegmentedColormap.from_list("criticality", ["#c6d4ea", "#e9a7a1", plot.CRITICAL])
SHADE_LEGEND = ((0.0, "critical in < 25 % of runs"), (0.5, "25–75 %"), (1.0, "≥ 75 %"))


def size(kind: str, args: dict) -> tuple[float, float]:
    """The size in inches of the figure of ``kind`` drawn from ``args``."""
    if kind == "gantt":
        rows = min(len(args["schedule"].table), GANTT_ROWS)
        return GANTT_WIDTH, 1.7 + GANTT_ROW * rows
    return WIDTH, HEIGHT


def draw(kind: str, ax, args: dict) -> None:
    """Draw the dashboard figure ``kind`` into ``ax`` (the only Axes of its figure)."""
    for legend in list(ax.figure.legends):
        legend.remove()
    if kind == "histogram":
        plot.histogram(args["sim"], ax=ax, deadline=args["deadline"], bins=30)
        _title(ax, f"Finish date: share of {args['sim'].iterations:,} runs")
    elif kind == "cdf":
        plot.cdf(args["sim"], ax=ax, deadline=args["deadline"])
        _title(ax, "Probability of finishing by each date")
    elif kind == "tornado":
        plot.tornado(args["sim"], ax=ax, top=10)
        _title(ax, "Which task durations drive the finish date")
    elif kind == "burn":
        plot.budget_burn(args["burn"], ax=ax, budget=args["budget"])
        _title(ax, args["title"])
    elif kind == "gantt":
        _gantt(ax, args)
    else:
        ax.set_axis_off()
        ax.text(0.5, 0.5, args["text"], ha="center", va="center", wrap=True, transform=ax.transAxes)
        return
    _legend_below(ax)


def _title(ax, text: str) -> None:
    ax.set_title("")
    ax.set_title(text, loc="left", fontsize="medium")


def drawn_texts(fig, renderer) -> list:
    """The texts of ``fig`` that a draw shows: visible, not empty, and tick labels only inside the view."""
    ax = fig.axes[0]
    out = [t for t in (ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label,
                       ax.xaxis.get_offset_text(), ax.yaxis.get_offset_text(), *ax.texts)]
    for axis in (ax.xaxis, ax.yaxis):
        lo, hi = sorted(axis.get_view_interval())
        span = (hi - lo) * 1e-9
        out += [tick.label1 for tick in axis.get_major_ticks() if lo - span <= tick.get_loc() <= hi + span]
    for legend in [*fig.legends, *([ax.get_legend()] if ax.get_legend() else [])]:
        out += legend.get_texts()
    return [t for t in out if t.get_visible() and t.get_text().strip()]


def declutter(fig) -> bool:
    """Move the labels of marker lines and line ends so that no text covers another; True if any moved.

    Call it once the Axes has its place in the figure (after a draw with a
    layout). A rotated label slides along its line to one of a few heights;
    a horizontal one moves up or down by a line at a time.
    """
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    # Labels placed when drawn (pmsim.plot._common.end_labels: a callable for their text coordinates) place
    # themselves; they only stand in the way of the others.
    movable = [t for t in ax.texts if isinstance(t, Annotation) and not callable(t.anncoords)
               and t.get_visible() and t.get_text().strip()]
    if not movable:
        return False
    ids = {id(t) for t in movable}
    placed = [t.get_window_extent(renderer) for t in drawn_texts(fig, renderer) if id(t) not in ids]
    moved = False

    def free(text) -> bool:
        box = text.get_window_extent(renderer)
        return not any(overlap(box, other) for other in placed)

    for text in sorted(movable, key=lambda t: (t.get_rotation() == 0, t.xy[0])):
        start_xy, start_offset = tuple(text.xy), tuple(text.xyann)
        if text.get_rotation() % 180 == 90:
            candidates = [(start_xy, start_offset)] + [((start_xy[0], level), start_offset)
                                                       for level in (0.98, 0.8, 0.62, 0.44, 0.26)]
        else:
            step = text.get_window_extent(renderer).height * 72 / fig.dpi + 1
            candidates = [(start_xy, (start_offset[0], start_offset[1] + k * step))
                          for k in (0, 1, -1, 2, -2, 3, -3, 4, -4)]
        for xy, offset in candidates:
            text.xy, text.xyann = xy, offset
            if free(text):
                break
        else:
            text.xy, text.xyann = start_xy, start_offset
        moved |= (tuple(text.xy), tuple(text.xyann)) != (start_xy, start_offset)
        placed.append(text.get_window_extent(renderer))
    return moved


def overlap(a, b, tolerance: float = 0.5) -> bool:
    """Whether two boxes (in pixels) share more than ``tolerance`` pixels both across and up."""
    return min(a.x1, b.x1) - max(a.x0, b.x0) > tolerance and min(a.y1, b.y1) - max(a.y0, b.y0) > tolerance


def _legend_below(ax) -> None:
    """Move the Axes' legend below the plot, as a legend of the figure (constrained layout makes room)."""
    legend = ax.get_legend()
    if legend is None:
        return
    handles, labels = legend.legend_handles, [t.get_text() for t in legend.get_texts()]
    legend.remove()
    columns = 2 if max(len(label) for label in labels) > 30 else min(len(labels), 4)
    ax.figure.legend(handles, labels, loc="outside lower center", ncols=columns, fontsize="small", frameon=False)


def _shown_rows(schedule, criticality) -> list:
    """The tasks drawn: all of them, or the :data:`GANTT_ROWS` most critical ones in plan order."""
    ids = list(schedule.table.index)
    if len(ids) <= GANTT_ROWS:
        return ids
    on_path = schedule.table["critical"].astype(bool)
    rank = criticality.reindex(ids).fillna(0.0) + on_path.astype(float)  # the critical path first, then the rest
    keep = set(rank.sort_values(ascending=False, kind="stable").index[:GANTT_ROWS])
    return [t for t in ids if t in keep]


def _gantt(ax, args: dict) -> None:
    """The plan as a Gantt chart, bars shaded by criticality index, with the P50/P80 finish dates."""
    schedule, criticality = args["schedule"], args["criticality"]
    rows = _shown_rows(schedule, criticality)
    if len(rows) < len(schedule.table):
        schedule = dataclasses.replace(schedule, table=schedule.table.loc[rows])
    plot.gantt(schedule, ax=ax, deadline=args["deadline"])
    for patch in ax.patches:
        gid = patch.get_gid() or ""
        if gid.startswith("task:"):
            tid = gid[5:]
            patch.set_facecolor(SHADES(float(criticality.get(tid, 0.0))))
            if schedule.table.at[tid, "critical"]:
                patch.set_edgecolor("#111111")
                patch.set_linewidth(1.2)
    for level, colour in P_MARKERS.items():
        day = args[f"p{level}"]
        x = mdates.date2num(np.datetime64(day, "D")) + 1.0  # the finish is the end of that day
        ax.axvline(x, color=colour, linestyle="--", linewidth=1.4, gid=f"p{level}", zorder=4)
        ax.annotate(f"P{level}", xy=(x, 0.0), xycoords=ax.get_xaxis_transform(), xytext=(0, 2),
                    textcoords="offset points", ha="center", va="bottom", fontsize="small", color=colour,
                    fontweight="bold", gid=f"p{level}:text", annotation_clip=False)
    left, right = ax.get_xlim()
    last = max(mdates.date2num(np.datetime64(args["p80"], "D")) + 1.0, right)
    ax.set_xlim(left, last + 0.02 * (last - left) if last > right else right)
    handles = [Patch(facecolor=to_hex(SHADES(c)), label=text) for c, text in SHADE_LEGEND]
    handles.append(Patch(facecolor="white", edgecolor="#111111", linewidth=1.2, label="critical path of the plan"))
    floats = [p.get_facecolor() for p in ax.patches if (p.get_gid() or "").startswith("float:")]
    if floats:
        handles.append(Patch(color=floats[0], label="total float"))
    handles += [Line2D([], [], color=colour, linestyle="--", label=f"P{level} finish {args[f'p{level}']}")
                for level, colour in P_MARKERS.items()]
    old = ax.get_legend()
    if old is not None:
        extra = [(h, t.get_text()) for h, t in zip(old.legend_handles, old.get_texts())
                 if t.get_text() not in ("Critical", "Non-critical", "Total float")]
        old.remove()
        handles += [h for h, _ in extra]
        labels = [h.get_label() for h in handles[: len(handles) - len(extra)]] + [label for _, label in extra]
    else:
        labels = [h.get_label() for h in handles]
    ax.legend(handles, labels)
    shown = "" if len(rows) == len(args["schedule"].table) else (
        f" ({len(rows)} most critical of {len(args['schedule'].table)} tasks)")
    _title(ax, args["title"] + shown)
