"""Plots of one deterministic schedule: the Gantt chart and the network diagram."""

from __future__ import annotations

import datetime as dt

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch, Rectangle

from ..calendar import as_datetime
from ..cpm import CRITICAL_TOLERANCE, Schedule, cpm
from ..errors import ValidationError
from ..model import Baseline, Project
from ..timeline import plain_schedule
from ._common import (
    ACTUAL, BASELINE, CRITICAL, DEADLINE, FLOAT, MILESTONE, NEGATIVE_FLOAT, NONWORKING, NORMAL, STATUS,
    as_day, data_date_num, date_axis, day_end, day_num, day_start, deadline_day, marker_line, moment_num,
    new_axes, nonworking_spans, spread_labels,
)

__all__ = ["gantt", "network"]


def _label(task_id, name, width=32) -> str:
    text = str(name) if name and str(name) != str(task_id) else str(task_id)
    return text if len(text) <= width else text[: width - 1] + "…"


def _bars(ax, rows, ids, prefix, y, width, left, height, color, **style):
    """Horizontal bars centred on ``y`` (``color``: one, or one per bar), each named ``prefix:<id>``.

    The bars ``barh`` would draw, added as artists: its update of the data limits for each bar
    took a fifth of the time of a Gantt chart, whose limits are set at the end.
    """
    for k, row in enumerate(rows):
        face = color[k] if isinstance(color, np.ndarray) else color
        ax.add_artist(Rectangle((left[k], y[k] - height / 2), width[k], height, facecolor=face, label="_nolegend_",
                                gid=f"{prefix}:{ids[row]}", **style))


def _kind(schedule: Schedule) -> str:
    return "CPM" if schedule.kind == "cpm" else schedule.kind


def _timed(schedule: Schedule) -> bool:
    """Draw from :meth:`Schedule.times`: a schedule on calendars, with constraints or progress. A plain
    schedule (working days of one calendar) keeps its whole-day bars."""
    return schedule.timing is not None and not plain_schedule(schedule.project)


def _bounds(schedule: Schedule, ids) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Date numbers of each task's (start, finish, early start, late finish), by its times or its working days."""
    table = schedule.table.loc[ids]
    if _timed(schedule):
        when = schedule.times().loc[ids]
        return tuple(moment_num(when[c].to_numpy()) for c in ("start", "finish", "early_start", "late_finish"))
    project = schedule.project
    finish = table["finish"].to_numpy(float)
    late = finish + np.maximum(table["total_float"].to_numpy(float), 0.0)
    return (day_start(project, table["start"].to_numpy(float)), day_end(project, finish),
            day_start(project, table["early_start"].to_numpy(float)), day_end(project, late))


def _progress_parts(schedule: Schedule, ids, left, right, data_x):
    """For a timed schedule: which tasks are finished and started, and where each one's done part ends."""
    tasks = [schedule.project.task(t) for t in ids]
    finished = np.array([t.actual_finish is not None for t in tasks], dtype=bool)
    started = np.array([t.actual_start is not None for t in tasks], dtype=bool) & ~finished
    if data_x is not None:
        done_end = np.minimum(np.full(len(ids), data_x), right)
    else:  # progress without a data date (MS Project's rule): the share done of the bar
        share = np.array([(t.percent_complete or 0.0) / 100.0 for t in tasks])
        done_end = left + share * (right - left)
    done_end = np.where(finished, right, np.maximum(done_end, left))
    return finished, started, done_end


def _baseline_bounds(schedule: Schedule, baseline, ids, timed: bool):
    """Date numbers of the baseline bars (start, finish), which tasks have one, and the legend label.

    ``baseline`` is another Schedule of the same tasks, a :class:`pmsim.Baseline` or the name of one of the
    project's baselines; a task added after a saved baseline has no bar."""
    if isinstance(baseline, Schedule):
        missing = [t for t in ids if t not in baseline.table.index]
        if missing:
            raise ValidationError(f"gantt: the baseline schedule has no task {missing[0]!r}")
        b_left, b_right, _, _ = _bounds(baseline, ids)
        return b_left, b_right, np.ones(len(ids), dtype=bool), f"Baseline ({_kind(baseline)})"
    if isinstance(baseline, str):
        baseline = schedule.project.baseline(baseline)
    if not isinstance(baseline, Baseline):
        raise ValidationError(f"gantt: baseline must be a Schedule, a Baseline or a baseline's name, "
                              f"got {type(baseline).__name__}")
    table = baseline.table.reindex(ids)
    drawn = table["start"].notna().to_numpy()
    start, finish = table["start"].fillna(table["start"].min()), table["finish"].fillna(table["start"].min())
    if timed:
        return moment_num(start.to_numpy()), moment_num(finish.to_numpy()), drawn, f"Baseline {baseline.name}"
    # Whole-day bars, as the plain schedule's: from the start of the first day to the end of the last.
    first = moment_num(start.dt.normalize().to_numpy())
    last = moment_num(finish.dt.normalize().to_numpy()) + 1.0
    return first, last, drawn, f"Baseline {baseline.name}"


def gantt(schedule: Schedule, ax=None, baseline: Schedule | Baseline | str | None = None, status_date=None,
          show_float: bool = True, deadline=None):
    """A Gantt chart of ``schedule``: bars by date, the critical path in red.

    Parameters
    ----------
    schedule : Schedule
        From :func:`pmsim.cpm` or :func:`pmsim.level`.
    ax : matplotlib Axes, optional
        Drawn into; a new figure sized to the task count when None.
    baseline : Schedule, Baseline or str, optional
        Another schedule of the same tasks (e.g. the CPM one under a levelled
        one), a :class:`pmsim.Baseline` or the name of one of the project's
        baselines (``"BL1"``), drawn as thin dark bars under each task (a task
        the saved baseline does not hold has none).
    status_date : date-like, optional
        Draws the data date line (at the end of that day, or at that moment);
        the project's ``status_date`` when None.
    show_float : bool
        Draws each task's total float as a light bar after it, and negative
        float as a dark hatched bar back from its finish to its late finish.
    deadline : date-like, optional
        A deadline line; the project's deadline when None. ``False`` hides it.

    Returns
    -------
    matplotlib Axes
        Task bars, float bars, baseline bars and milestone markers carry a
        ``gid`` of ``"task:<id>"``, ``"float:<id>"``, ``"baseline:<id>"``,
        ``"milestone:<id>"``; done work ``"actual:<id>"``, negative float
        ``"negative_float:<id>"``, non-working days ``"nonworking"``; the
        lines ``"status_date"`` and ``"deadline"``.

    Rows follow the project's task order, first task at the top. On a plain
    schedule (working days of one calendar, no constraints or progress) a
    bar spans from the start of its first working day to the end of its
    last one. Otherwise bars run between the dates and times of
    :meth:`Schedule.times` (Monday 08:00 to Friday 17:00, each task on its
    calendar), the project calendar's non-working days are shaded, and a
    started task shows its done part (grey, from its actual start to the
    data date) apart from its remaining work; a finished task is all done.
    A milestone is a diamond at its finish, P6's start milestone
    (``milestone="start"``) at its start.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", duration=3), pm.Task("B", duration=2), pm.Task("C", duration=4)],
    ...     dependencies=[pm.Dependency("A", "B"), pm.Dependency("A", "C")])
    >>> ax = pm.plot.gantt(pm.cpm(p), status_date="2027-01-05")
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['A', 'B', 'C']
    >>> sorted(b.get_gid() for b in ax.patches)
    ['float:B', 'task:A', 'task:B', 'task:C']
    """
    if not isinstance(schedule, Schedule):
        raise ValidationError(f"gantt needs a Schedule (from pm.cpm or pm.level), got {type(schedule).__name__}")
    project = schedule.project
    table = schedule.table
    n = len(table)
    ax = new_axes(ax, figsize=(10, min(max(3.0, 0.3 * n + 1.5), 40)))
    y = np.arange(n, dtype=float)
    ids = list(table.index)
    timed = _timed(schedule)
    milestone = table["milestone"].to_numpy(bool) | (table["duration"].to_numpy(float) <= 0)
    critical = table["critical"].to_numpy(bool)
    tf = table["total_float"].to_numpy(float)
    left, right, early, late = _bounds(schedule, ids)
    colours = np.where(critical, CRITICAL, NORMAL)
    ends, begins = [max(right.max(), left.max())], [left.min()]
    handles = [Patch(color=CRITICAL, label="Critical"), Patch(color=NORMAL, label="Non-critical")]

    status = project.status_date if status_date is None else status_date
    data_x = None
    if status is not None:
        if isinstance(status, str) and ("T" in status or ":" in status):
            status = as_datetime("gantt: status_date", status)
        data_x = data_date_num(status) if isinstance(status, dt.datetime) else \
            day_num(status, "gantt: status_date") + 1  # the data date is the end of that day
    finished = started = np.zeros(n, dtype=bool)
    done_end = left
    if timed:
        finished, started, done_end = _progress_parts(schedule, ids, left, right, data_x)

    open_ = ~finished
    if show_float:
        rows = np.flatnonzero((tf > CRITICAL_TOLERANCE) & ~milestone & open_ & (late > right))
        _bars(ax, rows, ids, "float", y[rows], late[rows] - right[rows], right[rows], height=0.28, color=FLOAT,
              edgecolor="none", zorder=2)
        ends.extend(late[rows])
        handles.append(Patch(color=FLOAT, label="Total float"))
        behind = np.flatnonzero((tf < -CRITICAL_TOLERANCE) & open_ & (late < right)) if timed else []
        if len(behind):
            # Above the bar (a baseline goes below it): from the late finish forward to the finish.
            _bars(ax, behind, ids, "negative_float", y[behind] - 0.36, right[behind] - late[behind], late[behind],
                  height=0.14, color="none", edgecolor=NEGATIVE_FLOAT, hatch="////", linewidth=0.8, zorder=3)
            begins.extend(late[behind])
            handles.append(Patch(facecolor="none", edgecolor=NEGATIVE_FLOAT, hatch="////", label="Negative float"))

    done = np.flatnonzero((finished | started) & ~milestone & (done_end > left))
    _bars(ax, done, ids, "actual", y[done], done_end[done] - left[done], left[done], height=0.56, color=ACTUAL,
          edgecolor="white", linewidth=0.5, zorder=3)
    # The work still to do: a started task's from where its remaining work starts, after its done part.
    first = np.where(started, np.maximum(early, done_end), left)
    rows = np.flatnonzero(~milestone & open_ & (right > first))
    _bars(ax, rows, ids, "task", y[rows], right[rows] - first[rows], first[rows], height=0.56, color=colours[rows],
          edgecolor="white", linewidth=0.5, zorder=3)
    if len(done):
        handles.append(Patch(color=ACTUAL, label="Done"))
    # A milestone sits at its finish (the end of the work before it); P6's start milestone at its start.
    at_start = np.array([project.task(t).milestone == "start" for t in ids], dtype=bool)
    for k in np.flatnonzero(milestone):
        colour = ACTUAL if finished[k] else CRITICAL if critical[k] else MILESTONE
        ax.plot([left[k] if at_start[k] else right[k]], [y[k]], marker="D", markersize=8, linestyle="none", color=colour,
                gid=f"milestone:{ids[k]}", zorder=4)
    if milestone.any():
        handles.append(Line2D([], [], marker="D", linestyle="none", color=MILESTONE, label="Milestone"))

    if baseline is not None:
        b_left, b_right, drawn, label = _baseline_bounds(schedule, baseline, ids, timed)
        for k in np.flatnonzero(milestone & drawn):
            ax.plot([b_left[k] if at_start[k] else b_right[k]], [y[k] + 0.36], marker="D", markersize=5, linestyle="none",
                    markerfacecolor="none", color=BASELINE, gid=f"baseline:{ids[k]}", zorder=4)
        rows = np.flatnonzero(~milestone & drawn)
        _bars(ax, rows, ids, "baseline", y[rows] + 0.36, b_right[rows] - b_left[rows], b_left[rows], height=0.14,
              color=BASELINE, edgecolor="none", zorder=3)
        if drawn.any():
            ends.append(max(b_right[drawn].max(), b_left[drawn].max()))
            begins.append(b_left[drawn].min())
        handles.append(Patch(color=BASELINE, label=label))

    if data_x is not None:
        text = (f"Data date {status:%Y-%m-%d %H:%M}" if isinstance(status, dt.datetime)
                else f"{'Data date' if timed else 'Status'} {as_day(status)}")
        marker_line(ax, data_x, text, STATUS, linestyle="-", gid="status_date")
        handles.append(Line2D([], [], color=STATUS, label="Data date" if timed else "Status date"))
        ends.append(data_x)
    deadline = deadline_day(project, deadline, "gantt: deadline")
    if deadline is not None:
        x = day_num(deadline) + 1
        marker_line(ax, x, f"Deadline {deadline}", DEADLINE, linestyle=":", gid="deadline", side="left")
        handles.append(Line2D([], [], color=DEADLINE, linestyle=":", label="Deadline"))
        ends.append(x)

    start = min(begins) if timed else day_start(project, 0.0)[0]
    span = max(ends) - start
    lo, hi = start - 0.02 * span - 0.5, max(ends) + 0.03 * span + 0.5
    ax.set_xlim(lo, hi)
    if timed:
        spans = nonworking_spans(project.calendar, lo, hi)
        for a, b in spans:
            ax.axvspan(a, b, color=NONWORKING, zorder=0, linewidth=0, gid="nonworking")
        if spans:
            handles.append(Patch(color=NONWORKING, label="Non-working days"))
    ax.set_ylim(n - 0.35, -0.65)
    spread_labels(ax)
    ax.set_yticks(y, [_label(t, nm) for t, nm in zip(ids, table["name"])],
                  fontsize="small" if n > 25 else None)
    for tick, crit in zip(ax.get_yticklabels(), critical):
        if crit:
            tick.set_color(CRITICAL)
    date_axis(ax)
    ax.grid(axis="x", color="#e5e5e5", linewidth=0.8, zorder=0)
    ax.set_axisbelow(True)
    ax.set_xlabel("Date")
    finish = (f"{schedule.times()['finish'].max():%a %d %b %Y %H:%M}" if timed
              else f"{schedule.finish_date:%a %d %b %Y}")
    ax.set_title(f"{project.name}: {_kind(schedule)} schedule, finish {finish}")
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return ax


# --------------------------------------------------------------------- network


def _driving(kind: str, lag: float, pred, succ) -> bool:
    """Whether a link holds the successor at its scheduled date (the link is tight)."""
    p_start, p_finish = pred["start"], pred["finish"]
    s_start, s_finish = succ["start"], succ["finish"]
    gap = {
        "FS": s_start - (p_finish + lag),
        "SS": s_start - (p_start + lag),
        "FF": s_finish - (p_finish + lag),
        "SF": s_finish - (p_start + lag),
    }[kind]
    return abs(gap) <= 1e-6


def _layout(graph) -> dict:
    """x = topological generation; y spread evenly, ordered by the mean y of predecessors (a networkx DiGraph)."""
    import networkx as nx

    pos = {}
    for x, generation in enumerate(nx.topological_generations(graph)):
        def key(node):
            ys = [pos[p][1] for p in graph.predecessors(node) if p in pos]
            return (sum(ys) / len(ys) if ys else 0.0, graph.nodes[node]["order"])

        nodes = sorted(generation, key=key)
        m = len(nodes)
        for i, node in enumerate(nodes):
            pos[node] = (float(x), (m - 1) / 2 - i)
    return pos


def network(project_or_schedule, ax=None):
    """The activity-on-node network, left to right by topological generation.

    Parameters
    ----------
    project_or_schedule : Project or Schedule
        A Project is scheduled with :func:`pmsim.cpm` first.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        Nodes carry a ``gid`` of ``"node:<id>"``, links ``"link:<pred>-><succ>"``.
        Critical tasks and the links that drive them are red; links that are
        not plain FS are labelled with their type and lag (``SS+2``).

    A node's x position is its topological generation: the length of the
    longest chain of links before it (``networkx.topological_generations``).

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", duration=3), pm.Task("B", duration=2), pm.Task("C", duration=4)],
    ...     dependencies=[pm.Dependency("A", "B", "SS", 1), pm.Dependency("A", "C")])
    >>> ax = pm.plot.network(p)
    >>> sorted(t.get_text() for t in ax.texts if t.get_gid() == "link_label")
    ['SS+1']
    """
    if isinstance(project_or_schedule, Schedule):
        schedule = project_or_schedule
    elif isinstance(project_or_schedule, Project):
        schedule = cpm(project_or_schedule)
    else:
        raise ValidationError(
            f"network needs a Project or a Schedule, got {type(project_or_schedule).__name__}"
        )
    project = schedule.project
    table = schedule.table
    import networkx as nx  # here, not at the top: the Gantt chart (and a dashboard's drawing process) never needs it

    graph = nx.DiGraph()
    for order, tid in enumerate(table.index):
        graph.add_node(tid, order=order)
    for dep in project.dependencies:
        graph.add_edge(dep.predecessor, dep.successor, type=dep.type, lag=dep.lag)
    pos = _layout(graph)
    generations = 1 + max(x for x, _ in pos.values())
    height = max(sum(1 for p in pos.values() if p[0] == x) for x in range(int(generations)))
    ax = new_axes(ax, figsize=(min(max(6.0, 1.3 * generations + 1), 30), min(max(3.5, 0.7 * height + 1.5), 24)))

    crit = table["critical"].to_dict()
    rows = table[["milestone", "duration", "start", "finish"]].to_dict("index")
    box = dict(boxstyle="round,pad=0.35", linewidth=1.4)
    size = "small" if len(table) <= 40 else "x-small"
    for tid, (x, yy) in pos.items():
        row = rows[tid]
        colour = CRITICAL if crit[tid] else NORMAL
        # A milestone is a circle with its id alone (it has no duration to show).
        shape = dict(box, boxstyle="circle,pad=0.25") if row["milestone"] else box
        text = str(tid) if row["milestone"] else f"{tid}\n{row['duration']:g}d"
        ax.text(x, yy, text, ha="center", va="center", fontsize=size,
                color="white" if crit[tid] else "black",
                bbox=dict(shape, facecolor=colour if crit[tid] else "white", edgecolor=colour),
                gid=f"node:{tid}", zorder=3)

    for u, v, data in graph.edges(data=True):
        driving = crit[u] and crit[v] and _driving(data["type"], data["lag"], rows[u], rows[v])
        colour = CRITICAL if driving else "#7f7f7f"
        arrow = FancyArrowPatch(pos[u], pos[v], arrowstyle="-|>", mutation_scale=12, shrinkA=18, shrinkB=18,
                                color=colour, linewidth=1.8 if driving else 1.0,
                                connectionstyle="arc3,rad=0.0", gid=f"link:{u}->{v}", zorder=2)
        ax.add_patch(arrow)
        if data["type"] != "FS" or data["lag"] != 0:
            lag = "" if data["lag"] == 0 else f"{data['lag']:+g}"
            # Halfway to the next column, never on a column of nodes.
            (x0, y0), (x1, y1) = pos[u], pos[v]
            t = 0.5 / (x1 - x0)
            ax.text(x0 + t * (x1 - x0), y0 + t * (y1 - y0), f"{data['type']}{lag}", ha="center", va="center",
                    fontsize="x-small", color=colour, gid="link_label", zorder=4,
                    bbox=dict(boxstyle="round,pad=0.1", facecolor="white", edgecolor="none"))

    ys = [p[1] for p in pos.values()]
    ax.set_xlim(-0.6, generations - 0.4)
    ax.set_ylim(min(ys) - 0.7, max(ys) + 0.7)
    # Generation numbers mean little to a reader: no ticks, the legend sits below.
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.legend(handles=[Patch(color=CRITICAL, label="Critical task / driving link"),
                       Patch(facecolor="white", edgecolor=NORMAL, label="Non-critical task")],
              loc="upper center", bbox_to_anchor=(0.5, 0.0), fontsize="small", ncol=2, frameon=False)
    ax.set_title(f"{project.name}: network, makespan {schedule.makespan:g} working days "
                 f"(critical path {len(schedule.critical_path)} tasks)")
    return ax
