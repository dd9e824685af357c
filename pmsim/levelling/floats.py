"""What a levelled schedule says: its resource profile's breakpoints, floats that count the resources, and why tasks moved.

:func:`levelled_schedule` turns start times into the levelled
:class:`~pmsim.cpm.Schedule`: late dates from the schedule justified to the
right (:func:`resource_floats`), free float that stops where a resource runs
short, and ``held_back`` (:func:`held_back`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..cpm import Schedule, schedule_from_dates
from .problem import Problem

__all__ = ["levelled_schedule", "resource_floats", "held_back", "held_back_reasons", "usage_events", "kernel_events"]


def levelled_schedule(problem: Problem, start: np.ndarray, **report) -> Schedule:
    events = kernel_events(problem, start)
    held = held_back(problem, start, events)
    late, free = resource_floats(problem, start, events)
    return schedule_from_dates(problem.project, start, kind="levelled", late_start=late, free_float=free,
                               held_back=held, **report)


def resource_floats(problem: Problem, start: np.ndarray, events=None) -> tuple[np.ndarray, np.ndarray]:
    """Late starts and free float of a levelled schedule, resources counted (topological order).

    Late starts: the schedule justified to the right against its own
    finish. Tasks are taken in order of decreasing finish, each put as late
    as its successors (already placed) and the resources allow, so every
    task keeps its place in the queue for each resource. Each task's
    original slot stays free for it, so no late start is before the
    scheduled one (Valls et al. 2005), and together the late dates are a
    feasible schedule with the same finish. A task with no float there is
    critical: slipping it pushes the finish, directly or through the tasks
    waiting for its resources.

    Free float from resources: how far a task can slip, every other task
    staying put, before one of its resources runs short
    (:func:`pmsim._kernels.floats.resource_free_float`); the caller
    takes the smaller of this and the float its links leave. ``events``:
    the schedule's profile from :func:`kernel_events`, when already built.
    """
    from .._kernels.floats import resource_free_float
    from .._kernels.search import schedule_order
    from .._kernels.sgs import serial_sgs, workspace

    inst, n, dur = problem.inst, problem.net.n, problem.dur
    if n == 0:
        return np.empty(0), np.empty(0)
    ws = workspace(n, inst.demand.shape[1], inst.horizon)
    order = np.empty(n, dtype=np.int64)
    schedule_order(start, inst, problem.tie, True, order, ws)  # decreasing finish
    late = np.empty(n)
    span = serial_sgs(order, inst, True, late, ws)
    late += float((start + dur).max()) - span  # the right-justified schedule, ending at this finish
    times, usage = kernel_events(problem, start) if events is None else events
    free = np.empty(n)
    resource_free_float(start, inst, times, usage, free)
    return np.maximum(late, start), free


def usage_events(problem: Problem, start: np.ndarray):
    """Breakpoints of the resource profile and the usage of each resource from each one on."""
    dur, demand = problem.dur, problem.demand
    active = (dur > 0) & (demand.sum(axis=1) > 0)
    s, f = start[active], start[active] + dur[active]
    times = np.unique(np.concatenate([s, f, [0.0]]))
    change = np.zeros((times.shape[0] + 1, demand.shape[1]))
    np.add.at(change, np.searchsorted(times, s), demand[active])
    np.subtract.at(change, np.searchsorted(times, f), demand[active])
    # Rounded: sums of fractional units should not show as 0.30000000000000004.
    usage = np.round(np.cumsum(change, axis=0)[:-1], 9)
    return times, usage


def kernel_events(problem: Problem, start: np.ndarray):
    """:func:`usage_events` for the kernels, which want a usage column even without resources."""
    times, usage = usage_events(problem, start)
    if usage.shape[1] == 0:
        usage = np.zeros((times.shape[0], 1))
    return times, usage


def held_back_reasons(resources, ids, moved, pushed, driver, blocked) -> tuple[list[str], list[str]]:
    """Per task (topological order): the resources that held it back (its own, then those of the task that
    pushed it, in task order) joined by ", ", and the id of that task ("" when none)."""
    n = len(ids)
    reasons: list[list[str]] = [[] for _ in range(n)]
    names_of, via = [""] * n, [""] * n
    for j in np.nonzero(moved | pushed)[0]:
        names = [resources[k] for k in np.nonzero(blocked[j])[0]]
        if pushed[j]:
            names.extend(r for r in reasons[driver[j]] if r not in names)
            via[j] = ids[driver[j]]
        reasons[j] = names
        names_of[j] = ", ".join(names)
    return names_of, via


def held_back(problem: Problem, start: np.ndarray, events=None) -> pd.DataFrame:
    """For each task starting after its CPM early start: how late, and which resources held it.

    A task that starts after the earliest date its (levelled) predecessors
    allow waited for resources itself (``own_delay``): its resources are
    those that, somewhere in that wait, had too little left for it. A task
    pushed by a predecessor (``via``) inherits that predecessor's resources.
    ``events``: the schedule's profile from :func:`kernel_events`, when
    already built.
    """
    from .._kernels.floats import held_back as explain

    net, n = problem.net, problem.net.n
    early = problem.cpm["early_start"]
    times, usage = kernel_events(problem, start) if events is None else events
    est, driver = np.empty(n), np.empty(n, dtype=np.int64)
    blocked = np.zeros((n, problem.inst.demand.shape[1]), dtype=np.bool_)
    explain(start, problem.inst, times, usage, est, driver, blocked)
    tol = 1e-6
    moved = start > early + tol
    pushed = (driver >= 0) & (est > early + tol)
    names_of, via = held_back_reasons(problem.resources, net.ids, moved, pushed, driver, blocked)
    # Rows in the project's task order.
    rows = [k for k in np.argsort(net.project_index, kind="stable") if moved[k]]
    own = np.where(start > est + tol, start - est, 0.0)
    return pd.DataFrame(
        {"delay": start[rows] - early[rows], "own_delay": own[rows],
         "resources": [names_of[k] for k in rows], "via": [via[k] for k in rows]},
        index=pd.Index([net.ids[k] for k in rows], name="id", dtype=object),
    )

