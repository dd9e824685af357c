"""The levelling problem: a project as the levelling kernels see it (topological order).

:func:`build_problem` gives durations, the task x resource demand matrix,
capacities, the compiled :class:`Instance` and the unconstrained CPM arrays;
:func:`demand_matrix` and :func:`kernel_demands` are shared with the
levelled Monte Carlo and smoothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._kernels.links import MIRROR
from ..cpm import Schedule, durations_array
from ..errors import InfeasibleError, ValidationError
from ..model import Project
from ..network import Network, network

__all__ = ["Problem", "build_problem", "cpm_arrays", "demand_matrix", "kernel_demands", "day_horizon",
           "schedule_start"]


@dataclass(frozen=True, eq=False)
class Problem:
    """A project as the levelling kernels see it (topological order)."""

    project: Project
    net: Network
    resources: tuple[str, ...]
    dur: np.ndarray
    demand: np.ndarray  # tasks x resources (zero for zero-duration tasks)
    capacity: np.ndarray
    inst: object  # _kernels.sgs.Instance, or None for profiles
    tie: np.ndarray  # position in the project's task list: ties go to the task listed first
    cpm: dict  # unconstrained early_start, late_start, late_finish arrays and the makespan


def cpm_arrays(net: Network, dur: np.ndarray) -> dict:
    from .._kernels.cpm import backward_pass, forward_pass

    n = net.n
    es, ef, ls, lf = (np.empty(n) for _ in range(4))
    forward_pass(dur, net.pred_ptr, net.pred_idx, net.pred_type, net.pred_lag, es, ef)
    finish = float(ef.max()) if n else 0.0
    backward_pass(dur, net.succ_ptr, net.succ_idx, net.succ_type, net.succ_lag, finish, ls, lf)
    return {"early_start": es, "late_start": ls, "late_finish": lf, "makespan": finish}


def demand_matrix(project: Project, net: Network, dur: np.ndarray, check: bool):
    res = tuple(r.id for r in project.resources)
    col = {rid: k for k, rid in enumerate(res)}
    capacity = np.array([r.capacity for r in project.resources], dtype=np.float64)
    demand = np.zeros((net.n, len(res)), dtype=np.float64)
    for k, i in enumerate(net.project_index):
        task = project.tasks[i]
        if dur[k] <= 0:
            continue  # zero-duration tasks use no resource
        for rid, units in task.resources:
            if units <= 0:
                continue
            cap = capacity[col[rid]]
            if check and cap <= 0:
                raise InfeasibleError(
                    f"Task {task.id!r} demands {units:g} units of resource {rid!r}, whose capacity is 0; "
                    "no schedule can run it (raise the capacity or remove the demand)")
            if check and units > cap * (1 + 1e-9):
                raise InfeasibleError(
                    f"Task {task.id!r} demands {units:g} units of resource {rid!r}, more than its capacity "
                    f"{cap:g}; no schedule can run it (raise the capacity or lower the demand)")
            demand[k, col[rid]] = units
    return res, demand, capacity


def kernel_demands(net: Network, res, demand: np.ndarray, capacity: np.ndarray):
    """Demands as the kernels take them: (rptr, ridx, demand, capacity, tolerance).

    ``rptr``/``ridx`` list, per task in topological order, the resources it
    demands (CSR); without resources the arrays hold one unused column, and
    capacities are compared with a tolerance of 1e-9 of their size.
    """
    mask = demand > 0
    rptr = np.zeros(net.n + 1, dtype=np.int64)
    np.cumsum(mask.sum(axis=1), out=rptr[1:])
    ridx = np.nonzero(mask)[1].astype(np.int64)
    cap = capacity if len(res) else np.zeros(1)
    demand = demand if len(res) else np.zeros((net.n, 1))
    return rptr, ridx, demand, cap, 1e-9 * np.maximum(cap, 1.0)


def build_problem(project: Project, durations=None) -> Problem:
    """The levelling problem of ``project``; refuses tasks that can never fit."""
    from .._kernels.sgs import Instance

    net = network(project)
    dur = durations_array(project, durations, net)
    res, demand, capacity = demand_matrix(project, net, dur, check=True)
    rptr, ridx, kernel_demand, kernel_cap, tol = kernel_demands(net, res, demand, capacity)
    inst = Instance(
        dur, net.pred_ptr, net.pred_idx, net.pred_type, net.pred_lag,
        net.succ_ptr, net.succ_idx, net.succ_type, MIRROR[net.succ_type], net.succ_lag,
        rptr, ridx, kernel_demand, kernel_cap, tol, day_horizon(dur, net.pred_lag, kernel_demand.shape[1]),
    )
    tie = net.project_index.astype(np.float64)
    return Problem(project, net, res, dur, demand, capacity, inst, tie, cpm_arrays(net, dur))


def day_horizon(dur: np.ndarray, lags: np.ndarray, n_res: int) -> int:
    """Days a serial schedule can last, when all durations and lags are whole days (else 0).

    Each task starts at the latest when everything before it has finished,
    plus its largest positive incoming lag: the sum of durations and
    positive lags bounds any serial schedule, forward or backward.
    """
    values = np.concatenate([dur, lags])
    if not np.all(values == np.round(values)):
        return 0
    horizon = int(dur.sum() + np.maximum(lags, 0).sum()) + 2
    return horizon if horizon * max(n_res, 1) <= 20_000_000 else 0



def schedule_start(project: Project, schedule: Schedule, net: Network) -> np.ndarray:
    if set(schedule.table.index) != set(project.task_ids):
        raise ValidationError(f"the schedule is not one of project {project.name!r}: its tasks differ")
    return net.to_topological(schedule.table.loc[list(project.task_ids), "start"].to_numpy(dtype=np.float64))

