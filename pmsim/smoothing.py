"""Resource smoothing: even out resource usage without moving the finish (:func:`smooth`).

Tasks move only inside their total float, to the schedule with the lowest
peaks and, for equal peaks, the flattest usage; every link and lag is kept.
The method: ``docs/levelling.md`` (resource smoothing).

>>> import pmsim as pm
>>> p = pm.Project(name="x", start="2027-01-04",
...     tasks=[pm.Task("design", duration=2, resources={"dev": 2}),
...            pm.Task("build", duration=2, resources={"dev": 2}),
...            pm.Task("procure", duration=4)],
...     resources=[pm.Resource("dev", capacity=2)])
>>> s = pm.smooth(p)
>>> s.kind, s.makespan == pm.cpm(p).makespan, s.table["start"].tolist()
('smoothed', True, [0.0, 2.0, 0.0])
"""

from __future__ import annotations

import numpy as np

from .cpm import Schedule, schedule_from_dates
from ._kernels.links import MIRROR
from .levelling.floats import usage_events
from .levelling.problem import Problem, cpm_arrays, demand_matrix
from .model import Project, require_project
from .network import network
from .timeline import require_plain

__all__ = ["smooth"]

MAX_SWEEPS = 50


def _score(problem_like, start, weight):
    """(sum of weighted peaks, sum of weighted squares) of a schedule's usage."""
    times, usage = usage_events(problem_like, start)
    if usage.shape[1] == 0:
        return 0.0, 0.0
    widths = np.diff(times)
    peak = float((usage.max(axis=0) * weight).sum())
    square = float(((usage[:-1] * weight) ** 2 * widths[:, None]).sum())
    return peak, square


def smooth(project: Project) -> Schedule:
    """A schedule with the same finish as the CPM schedule and the smoothest resource usage.

    Parameters
    ----------
    project : Project

    Returns
    -------
    Schedule
        ``kind="smoothed"``, ``makespan`` equal to the CPM makespan,
        ``status="heuristic"``; ``info`` gives, before (CPM early dates) and
        after, the peak of every resource (``peak_before``, ``peak_after``)
        and the sum over resources of the squared usage divided by capacity
        squared, times days (``sum_of_squares_before``/``_after``).

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", duration=2, resources={"dev": 2}),
    ...            pm.Task("B", duration=2, resources={"dev": 2}),
    ...            pm.Task("C", duration=4)],
    ...     resources=[pm.Resource("dev", capacity=2)])
    >>> s = pm.smooth(p)
    >>> s.info["peak_before"], s.info["peak_after"]
    ({'dev': 4.0}, {'dev': 2.0})
    """
    project = require_project(project, "smooth")
    from ._kernels.sgs import Instance
    from ._kernels.smoothing import smooth as descend
    from ._kernels.smoothing import start_distances

    require_plain(project, "smoothing")
    net = network(project)
    dur = np.array(net.planned, dtype=np.float64)
    res, demand, capacity = demand_matrix(project, net, dur, check=False)
    cpm = cpm_arrays(net, dur)
    early, late = cpm["early_start"], cpm["late_start"]
    mask = demand > 0
    rptr = np.zeros(net.n + 1, dtype=np.int64)
    np.cumsum(mask.sum(axis=1), out=rptr[1:])
    ridx = np.nonzero(mask)[1].astype(np.int64)
    k = max(len(res), 1)
    cap = capacity if len(res) else np.ones(1)
    inst = Instance(
        dur, net.pred_ptr, net.pred_idx, net.pred_type, net.pred_lag,
        net.succ_ptr, net.succ_idx, net.succ_type, MIRROR[net.succ_type], net.succ_lag,
        rptr, ridx, demand if len(res) else np.zeros((net.n, 1)), cap, 1e-9 * np.ones(k), 0,
    )
    # Divide by capacity (by the largest demand for a resource of capacity 0).
    scale = np.where(cap > 0, cap, demand.max(axis=0, initial=1.0) if len(res) else 1.0)
    weight = 1.0 / np.where(scale > 0, scale, 1.0)
    problem = Problem(project, net, res, dur, demand, capacity, inst, net.project_index.astype(float), cpm)
    tasks = np.nonzero(rptr[1:] > rptr[:-1])[0].astype(np.int64)
    dist = start_distances(inst, tasks)

    results = []
    for initial in (early, late):
        start = initial.copy()
        descend(start, inst, tasks, dist, early, late, weight, MAX_SWEEPS)
        _place_free_tasks(start, inst, tasks)
        results.append((_score(problem, start, weight), start))
    (score, start) = min(results, key=lambda r: r[0])
    times, usage = usage_events(problem, early)
    peak_before = dict(zip(res, (float(v) for v in usage.max(axis=0)))) if len(res) else {}
    times, usage = usage_events(problem, start)
    peak_after = dict(zip(res, (float(v) for v in usage.max(axis=0)))) if len(res) else {}
    info = {
        "peak_before": peak_before, "peak_after": peak_after,
        "sum_of_squares_before": _score(problem, early, weight)[1], "sum_of_squares_after": score[1],
    }
    return schedule_from_dates(project, start, kind="smoothed", status="heuristic", info=info)


def _place_free_tasks(start, inst, tasks) -> None:
    """Put the tasks that use no resource as early as their links allow (the others fixed)."""
    fixed = np.zeros(start.shape[0], dtype=bool)
    fixed[tasks] = True
    dur = inst.dur
    for j in range(start.shape[0]):
        if fixed[j]:
            continue
        s = 0.0
        for e in range(inst.pred_ptr[j], inst.pred_ptr[j + 1]):
            i, kind, lag = inst.pred_idx[e], inst.pred_type[e], inst.pred_lag[e]
            s = max(s, start[i] + (dur[i] if kind in (0, 2) else 0.0) + lag - (dur[j] if kind in (2, 3) else 0.0))
        start[j] = s
