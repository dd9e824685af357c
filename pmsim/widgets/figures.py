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
import math
import pickle

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
    ax._pmsim_plan = None  # a Gantt's plan layer, kept by _gantt for restyle
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
    movable = movable_labels(fig.axes[0])
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


def movable_labels(ax) -> list:
    """The labels :func:`declutter` may move: the shown annotations of ``ax`` at a fixed offset."""
    # Labels placed when drawn (pmsim.plot._common.end_labels: a callable for their text coordinates) place
    # themselves; they only stand in the way of the others.
    return [t for t in ax.texts if isinstance(t, Annotation) and not callable(t.anncoords)
            and t.get_visible() and t.get_text().strip()]


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
    """The plan as a Gantt chart, bars shaded by criticality index, with the P50/P80 finish dates.

    What comes from the plan is drawn by :func:`pmsim.plot.gantt`; what comes from the runs (the
    shading, the P50/P80 lines and their legend entries) by :func:`_run_marks`, which
    :func:`restyle` calls again alone when the next update has the same plan.
    """
    schedule, criticality = args["schedule"], args["criticality"]
    rows = _shown_rows(schedule, criticality)
    if len(rows) < len(schedule.table):
        schedule = dataclasses.replace(schedule, table=schedule.table.loc[rows])
    plot.gantt(schedule, ax=ax, deadline=args["deadline"])
    bars = {}
    for patch in ax.patches:
        gid = patch.get_gid() or ""
        if gid.startswith("task:"):
            tid = gid[5:]
            bars[tid] = patch
            if schedule.table.at[tid, "critical"]:
                patch.set_edgecolor("#111111")
                patch.set_linewidth(1.2)
    markers = {}
    for level, colour in P_MARKERS.items():
        x = _finish_x(args[f"p{level}"])
        line = ax.axvline(x, color=colour, linestyle="--", linewidth=1.4, gid=f"p{level}", zorder=4)
        text = ax.annotate(f"P{level}", xy=(x, 0.0), xycoords=ax.get_xaxis_transform(), xytext=(0, 2),
                           textcoords="offset points", ha="center", va="bottom", fontsize="small", color=colour,
                           fontweight="bold", gid=f"p{level}:text", annotation_clip=False)
        markers[level] = line, text
    handles = [Patch(facecolor=to_hex(SHADES(c)), label=text) for c, text in SHADE_LEGEND]
    handles.append(Patch(facecolor="white", edgecolor="#111111", linewidth=1.2, label="critical path of the plan"))
    floats = [p.get_facecolor() for p in ax.patches if (p.get_gid() or "").startswith("float:")]
    if floats:
        handles.append(Patch(color=floats[0], label="total float"))
    extra = []
    old = ax.get_legend()
    if old is not None:
        extra = [(h, t.get_text()) for h, t in zip(old.legend_handles, old.get_texts())
                 if t.get_text() not in ("Critical", "Non-critical", "Total float")]
        old.remove()
    shown = "" if len(rows) == len(args["schedule"].table) else (
        f" ({len(rows)} most critical of {len(args['schedule'].table)} tasks)")
    _title(ax, args["title"] + shown)
    # Where movable labels start (declutter moves them), so that a restyle starts from the same places.
    starts = {id(t): (tuple(t.xy), tuple(t.xyann)) for t in ax.texts if isinstance(t, Annotation)}
    ax._pmsim_plan = _Plan(_plan_key(args, rows), bars, markers, handles, extra, ax.get_xlim(), starts)
    _run_marks(ax, args)


@dataclasses.dataclass
class _Plan:
    """What :func:`_gantt` drew from the plan, kept on the Axes for :func:`restyle`."""

    key: bytes  # _plan_key
    bars: dict  # task id -> its bar
    markers: dict  # 50/80 -> (line, label)
    handles: list  # the legend's entries before the P50/P80 ones
    extra: list  # (handle, label) of pmsim.plot.gantt's legend entries kept after them
    xlim: tuple  # the plan's date range, before the P80 date widens it
    starts: dict  # id of each movable label -> its (xy, xyann) as drawn


_NOT_DRAWN = ("risks", "budget", "currency", "cost_per_day", "escalation", "escalation_date")


def _plan_key(args: dict, rows: list) -> bytes:
    """Everything the plan layer of the Gantt is drawn from: equal keys draw the same plan layer.

    The project without what the chart never shows (risks, costs), since most levers change
    only those; anything else that differs draws the whole chart again.
    """
    schedule = args["schedule"]
    project = [getattr(schedule.project, f.name) for f in dataclasses.fields(schedule.project)
               if f.name not in _NOT_DRAWN]
    times = None if schedule.timing is None else schedule.times()  # its timeline holds the whole project
    # Each part pickled alone: objects shared between parts (a task id in the rows and in the project)
    # would make equal parts pickle differently together.
    parts = (rows, schedule.kind, schedule.table, times, schedule.makespan, project, args["deadline"], args["title"],
             args.get("layout"))
    return b"".join(pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL) for part in parts)


def _run_marks(ax, args: dict) -> None:
    """What the runs add to the plan: each bar's criticality shade, the P50/P80 lines, the date range, the legend."""
    plan = ax._pmsim_plan
    criticality = args["criticality"]
    for tid, patch in plan.bars.items():
        patch.set_facecolor(SHADES(float(criticality.get(tid, 0.0))))
    for level, (line, text) in plan.markers.items():
        x = _finish_x(args[f"p{level}"])
        line.set_xdata([x, x])
        text.xy = (x, 0.0)
    ax.set_xlim(*_date_range(plan, args))
    handles = plan.handles + [Line2D([], [], color=colour, linestyle="--", label=f"P{level} finish {args[f'p{level}']}")
                              for level, colour in P_MARKERS.items()]
    labels = [h.get_label() for h in handles] + [label for _, label in plan.extra]
    ax.legend(handles + [h for h, _ in plan.extra], labels)


def _finish_x(day) -> float:
    return mdates.date2num(np.datetime64(day, "D")) + 1.0  # the finish is the end of that day


def _date_range(plan: _Plan, args: dict) -> tuple:
    """The plan's date range, reaching past a later P80 date by at least 2 % in steps of 5 % of the plan's.

    In steps, so that a P80 date a few days earlier or later (another seed, a risk switched off)
    keeps the date axis: then only the run layer is drawn again.
    """
    left, right = plan.xlim
    last = _finish_x(args["p80"])
    if last <= right:
        return left, right
    step = 0.05 * (right - left)
    return left, right + step * math.ceil((last + 0.02 * (last - left) - right) / step)


def restyle(fig, args: dict) -> bool:
    """Give the Gantt of ``fig`` the runs of ``args`` when its plan layer is the one ``args`` draws.

    Only the shading, the P50/P80 lines and labels and the legend change (as :func:`draw` would draw
    them); the movable labels go back to where the chart put them, for :func:`declutter` to place
    again. False, changing nothing, when the plan or the date range differ: then draw it anew.
    """
    ax = fig.axes[0]
    plan = getattr(ax, "_pmsim_plan", None)
    if plan is None or plan.key != _plan_key(args, _shown_rows(args["schedule"], args["criticality"])):
        return False
    if tuple(ax.get_xlim()) != _date_range(plan, args):
        return False  # the P80 date moved the date axis
    for text in ax.texts:
        if id(text) in plan.starts:
            text.xy, text.xyann = plan.starts[id(text)]
    for legend in list(fig.legends):
        legend.remove()
    _run_marks(ax, args)
    _legend_below(ax)
    return True


def run_layer(fig) -> list:
    """The artists of ``fig`` that :func:`restyle` may change, and all drawn after them, in drawing order.

    Drawn over a copy of the rest (see :func:`pmsim.widgets.render_pool.drawn_figure`), they give
    the figure a full draw gives. Empty for a figure without a Gantt.
    """
    ax = fig.axes[0]
    plan = getattr(ax, "_pmsim_plan", None)
    if plan is None:
        return []
    changing = {id(a) for a in plan.bars.values()} | {id(a) for pair in plan.markers.values() for a in pair}
    # Axes.draw's order: its children but the background patch, by zorder, ties in the order added.
    order = sorted((a for a in ax.get_children() if a is not ax.patch), key=lambda a: a.get_zorder())
    first = next(k for k, a in enumerate(order) if id(a) in changing)
    return order[first:] + list(fig.legends)
