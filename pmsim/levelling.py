"""Resource levelling: schedules that never use more of a resource than it has.

:func:`level` moves tasks later, as little as it can, so that at no moment
the units in use exceed a resource's capacity, while every link and lag is
kept. :func:`resource_profile` and :func:`overallocations` show what any
schedule asks of each resource, day by day.

How :func:`level` works
-----------------------
A *schedule-generation scheme* (SGS) turns a priority order into a schedule:

* **serial**: take the tasks one by one in priority order (each after its
  predecessors) and start each at the earliest moment its links and the
  remaining capacity allow. Some priority order gives an optimal schedule.
* **parallel**: walk forward in time; at each moment start, in priority
  order, the eligible tasks that fit. Good single-pass schedules, but it can
  miss the optimum.

The priority ``rule`` (ties go to the task listed first in the project):

============  ============================================================
``lft``       latest finish (CPM late finish), smallest first: the classic,
              usually the best single rule
``lst``       latest start (CPM late start), smallest first
``mts``       most total successors: the task with the most tasks waiting
              behind it (reachable through links) first
``grpw``      greatest rank positional weight: own duration plus the
              durations of the immediate successors, greatest first
``minslack``  minimum total float (CPM late start - early start) first
============  ============================================================

``improve=True`` applies *forward-backward improvement* (double
justification, Valls et al. 2005): push every task as late as it can go
(latest-finishing first), then as early as it can go (earliest-starting
first); repeat while the schedule gets shorter. It also spends at least
``IMPROVE_SCHEDULES`` (250) schedule passes on the search below, started
from the rule's justified schedule.

``schedules`` is the number of schedule passes the search spends (each
forward or backward pass of the SGS counts one, the convention of the
PSPLIB literature; fewer when ``time_limit`` comes first, none when nothing
competes for a resource or the schedule already ends at the CPM finish):

* with ``improve=True``: a biased random-key genetic algorithm with
  forward-backward improvement (Gonçalves, Resende & Mendes 2011). A
  member is one key per task, in days. Decoding lists the tasks by key,
  links kept, schedules them with one serial pass, forward (the smallest
  key first) and backward (the latest key + duration first) alternately,
  and justifies that schedule with one pass the other way; the shorter of
  the two is kept and written back into the keys (its start times, ties in
  the list's order), so a member carries its improvement. The population
  is steady-state. Each child has an elite parent (from the best 25 %) and
  a non-elite one and takes each task's key by the density around that
  task in the parents' schedules (the mean over the task's days of the
  resource load to the fourth power, the load being usage / capacity
  summed over the resources, relative to the schedule's mean: the power
  weights the days near the peak, where a schedule's packing shows): where
  the elite's task sits in the denser stretch, the elite's key with
  probability ``p_dense``, else the other parent's key with probability
  ``p_dense_other``. A child replaces the worst member when shorter (when
  as short, with probability 1/2) and not a copy of a member. The
  population starts from the rule's justified schedule and random keys; it
  has about 61 (122 / n)^1.1 sqrt(schedules / 5000) members for ``n``
  tasks (12 to 300, and few enough that filling it takes at most half the
  passes). The last pass reschedules the best schedule forward in its
  start order, so the final left shift below has nothing to gain;
* with ``improve=False``: plain biased random sampling with the chosen SGS.

Quality and speed on the whole PSPLIB sets: ``benchmarks/RESULTS.md``.

The search always uses the serial SGS (``method="parallel"`` gives the
starting schedule). The result is reproducible: ``seed=None`` means seed 0.
The final schedule is left-shifted: no task can start earlier without
breaking a link or a capacity, so with ample capacity it is the CPM one.

``method="exact"`` solves the problem with OR-Tools CP-SAT (``pip install
pmsim[exact]``) within ``time_limit`` seconds (60 by default), from the
heuristic schedule, and reports whether the schedule is proven optimal,
with the best lower bound.

Floats of a levelled schedule count the resources. Its late dates are the
schedule justified to the right against its own finish: tasks in order of
decreasing finish, each as late as its successors and the resources allow,
so each keeps its place in the queue for its resources. Total float is late
start minus start; a critical task is one whose slip pushes the finish,
through its links or through the tasks waiting for its resources (the
chain the levelled Monte Carlo counts for criticality). Free float is how
far a task can slip with every other task where it is, links and resources
both. Floats from links alone would call a task that hands its developer
to a critical task free to slip.

Milestones and tasks of zero duration use no resource. Time is continuous:
fractional durations, lags and units are levelled exactly.

>>> import pmsim as pm
>>> p = pm.Project(name="x", start="2027-01-04",
...     tasks=[pm.Task("A", duration=3, resources={"dev": 1}),
...            pm.Task("B", duration=2, resources={"dev": 1})],
...     resources=[pm.Resource("dev", capacity=1)])
>>> s = pm.level(p)
>>> s.makespan, s.table["start"].tolist(), s.delay
(5.0, [0.0, 3.0], 2.0)
>>> s.held_back
   delay  own_delay resources via
id
B    3.0        3.0       dev
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .cpm import Schedule, cpm, durations_array, schedule_from_dates
from .distributions import as_generator
from .errors import InfeasibleError, MissingExtraError, ValidationError
from .model import Project
from .network import Network, network

__all__ = ["level", "resource_profile", "overallocations", "RULES", "METHODS", "IMPROVE_SCHEDULES"]

RULES = {
    "lft": "latest finish time, smallest first",
    "lst": "latest start time, smallest first",
    "mts": "most total successors, most first",
    "grpw": "greatest rank positional weight (duration + immediate successors' durations), greatest first",
    "minslack": "minimum total float, smallest first",
}
METHODS = ("serial", "parallel", "exact")
IMPROVE_SCHEDULES = 250
EXACT_TIME_LIMIT = 60.0
_TIME_SLICE = 250  # passes between time-limit checks


@dataclass(frozen=True, eq=False)
class _Problem:
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


def _cpm_arrays(net: Network, dur: np.ndarray) -> dict:
    from ._kernels.cpm import backward_pass, forward_pass

    n = net.n
    es, ef, ls, lf = (np.empty(n) for _ in range(4))
    forward_pass(dur, net.pred_ptr, net.pred_idx, net.pred_type, net.pred_lag, es, ef)
    finish = float(ef.max()) if n else 0.0
    backward_pass(dur, net.succ_ptr, net.succ_idx, net.succ_type, net.succ_lag, finish, ls, lf)
    return {"early_start": es, "late_start": ls, "late_finish": lf, "makespan": finish}


def _demand_matrix(project: Project, net: Network, dur: np.ndarray, check: bool):
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


def _kernel_demands(net: Network, res, demand: np.ndarray, capacity: np.ndarray):
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


def _problem(project: Project, durations=None) -> _Problem:
    """The levelling problem of ``project``; refuses tasks that can never fit."""
    from ._kernels.links import MIRROR
    from ._kernels.sgs import Instance

    net = network(project)
    dur = durations_array(project, durations, net)
    res, demand, capacity = _demand_matrix(project, net, dur, check=True)
    rptr, ridx, kernel_demand, kernel_cap, tol = _kernel_demands(net, res, demand, capacity)
    inst = Instance(
        dur, net.pred_ptr, net.pred_idx, net.pred_type, net.pred_lag,
        net.succ_ptr, net.succ_idx, net.succ_type, MIRROR[net.succ_type], net.succ_lag,
        rptr, ridx, kernel_demand, kernel_cap, tol, _day_horizon(dur, net.pred_lag, kernel_demand.shape[1]),
    )
    tie = net.project_index.astype(np.float64)
    return _Problem(project, net, res, dur, demand, capacity, inst, tie, _cpm_arrays(net, dur))


def _day_horizon(dur: np.ndarray, lags: np.ndarray, n_res: int) -> int:
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


def _topo(problem: _Problem, column: str) -> np.ndarray:
    return problem.cpm[column]


def _total_successors(net: Network) -> np.ndarray:
    """How many tasks each task reaches through links (bitsets, reverse topological order)."""
    n = net.n
    words = (n + 63) // 64
    reach = np.zeros((n, words), dtype=np.uint64)
    one = np.uint64(1)
    for j in range(n - 1, -1, -1):
        for e in range(net.succ_ptr[j], net.succ_ptr[j + 1]):
            s = net.succ_idx[e]
            reach[j] |= reach[s]
            reach[j, s // 64] |= one << np.uint64(s % 64)
    counts = np.unpackbits(reach.view(np.uint8), axis=1).sum(axis=1)
    return counts.astype(np.float64)


def priority(problem: _Problem, rule: str) -> np.ndarray:
    """Priority values of ``rule`` in topological order (smaller first)."""
    if rule == "lft":
        return _topo(problem, "late_finish")
    if rule == "lst":
        return _topo(problem, "late_start")
    if rule == "minslack":
        return _topo(problem, "late_start") - _topo(problem, "early_start")
    if rule == "mts":
        return -_total_successors(problem.net)
    if rule == "grpw":
        net, dur = problem.net, problem.dur
        weight = dur.copy()
        np.add.at(weight, np.repeat(np.arange(net.n), np.diff(net.succ_ptr)), dur[net.succ_idx])
        return -weight
    raise ValidationError(f"unknown priority rule {rule!r}; use one of {', '.join(RULES)}")


def _check_options(method, rule, schedules, time_limit) -> tuple[str, str]:
    m = str(method).strip().lower()
    if m not in METHODS:
        raise ValidationError(f"unknown levelling method {method!r}; use one of {', '.join(METHODS)}")
    r = str(rule).strip().lower()
    if r not in RULES:
        raise ValidationError(f"unknown priority rule {rule!r}; use one of {', '.join(RULES)}")
    if isinstance(schedules, bool) or not isinstance(schedules, (int, np.integer)) or schedules < 1:
        raise ValidationError(f"schedules must be a positive integer, got {schedules!r}")
    if time_limit is not None:
        if isinstance(time_limit, bool) or not isinstance(time_limit, (int, float, np.number)) \
                or not math.isfinite(time_limit) or time_limit <= 0:
            raise ValidationError(f"time_limit must be a number of seconds > 0, got {time_limit!r}")
    return m, r


def _rng_state(seed) -> np.ndarray:
    gen = as_generator(0 if seed is None else seed)
    # xorshift needs a non-zero state.
    return np.array([int(gen.integers(1, 2**63))], dtype=np.uint64)


def _brkga_params(budget: int, n: int) -> tuple[int, np.ndarray]:
    """Population size and parameters of ``brkga_search`` for ``budget`` passes on ``n`` tasks.

    Parameters: elite share 25 %, p_dense 0.9, p_dense_other 0.7, and the
    density as the mean of load^4, which weights the days near the peak (see
    ``brkga_search``).
    Calibrated on PSPLIB j30 and j120 at 1,000 and 5,000 passes. The power 4
    against the plain mean load, j120 at 5,000 passes, seeds 0-4: 31.98
    against 32.01 % above the critical-path bound on average (31.97-31.99
    against 31.96-32.06).

    Population about 61 (122 / n)^1.1 sqrt(budget / 5000), from 12 to 300:
    61 on j120 and 266 on j30 at 5,000 passes (small projects need the
    width). The filling rule: filling the population takes at most half
    the budget, each new member costing two passes, so passes are always
    left for children: a 5-task project at the default 250 passes
    gets 62 members, not 300 (whose filling would spend the whole budget on
    random samples). At least 2 members: an elite parent and another.
    """
    elite, p_dense, p_other, power = 0.25, 0.9, 0.7, 4.0
    size = round(min(300.0, max(12.0, 61.0 * (122.0 / max(n, 1)) ** 1.1 * math.sqrt(budget / 5000.0))))
    size = max(2, min(size, budget // 4))  # two passes a member, half the budget
    return size, np.array([elite, p_dense, p_other, power], dtype=np.float64)


def _heuristic(problem: _Problem, method: str, rule: str, schedules: int, improve: bool,
               seed, time_limit) -> tuple[np.ndarray, dict]:
    from ._kernels.search import brkga_search, forward_backward_improvement, schedule_order
    from ._kernels.sgs import left_shift, parallel_sgs, priority_list, sampled_list, serial_sgs, workspace

    inst, tie, n = problem.inst, problem.tie, problem.net.n
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    key = priority(problem, rule)
    ws = workspace(n, inst.demand.shape[1], inst.horizon)
    start = np.empty(n)
    order = np.empty(n, dtype=np.int64)
    if method == "parallel":
        rule_ms = parallel_sgs(key, tie, inst, start, ws)
    else:
        priority_list(key, tie, inst, False, order, ws)
        rule_ms = serial_sgs(order, inst, False, start, ws)
    passes = 1
    info = {"method": method, "rule": rule, "rule_makespan": float(rule_ms)}
    best_ms = rule_ms
    if improve:
        best_ms, used = forward_backward_improvement(start, inst, tie, ws, np.empty(n), np.empty(n), 1_000_000)
        passes += used
        info["justified_makespan"] = float(best_ms)
    rng = _rng_state(seed)
    if not inst.ridx.size or best_ms <= problem.cpm["makespan"] + 1e-9:
        pass  # nothing competes for a resource, or the CPM finish is already reached
    elif improve:
        budget = max(schedules, IMPROVE_SCHEDULES)
        size, params = _brkga_params(budget, n)
        keys, pop_ms = np.empty((size, n)), np.empty(size)
        starts, dens = np.empty((size, n)), np.empty((size, n))
        starts[0], pop_ms[0] = start, best_ms
        best = np.empty(n)
        state = np.array([0, passes, 0, 0], dtype=np.int64)
        # One pass is kept for the end: the best schedule rescheduled forward in its start order.
        # A serial forward schedule is active, so the final left shift cannot shorten it for free.
        search = budget - 1
        step = search if deadline is None else min(search, passes + _TIME_SLICE)
        while True:
            best_ms = brkga_search(inst, tie, keys, pop_ms, starts, dens, state, best, step, search, rng, params)
            if step >= search or (deadline is not None and time.perf_counter() > deadline):
                break
            step = min(search, step + _TIME_SLICE)
        schedule_order(best, inst, tie, False, order, ws)
        final_ms = serial_sgs(order, inst, False, start, ws)
        if final_ms > best_ms + 1e-9:
            # Finish-to-start links: cannot happen (a forward pass in start order delays no task). Other
            # links or negative lags can let a successor start before its predecessor, which the list
            # then puts first: keep the search's schedule.
            start, final_ms = best, best_ms
        best_ms, passes = float(final_ms), int(state[1]) + 1
        # Decodings fill the population (row 0 is given), then each makes one child.
        info["population"], info["children"], info["accepted"] = size, int(state[2] - state[0] + 1), int(state[3])
    elif schedules > 1:
        trial = np.empty(n)
        rank = np.empty(n)
        for _ in range(schedules - 1):
            if deadline is not None and time.perf_counter() > deadline:
                break
            sampled_list(key, tie, inst, rng, order, ws)
            if method == "parallel":
                rank[order] = np.arange(n)
                ms = parallel_sgs(rank, tie, inst, trial, ws)
            else:
                ms = serial_sgs(order, inst, False, trial, ws)
            passes += 1
            if ms < best_ms - 1e-9:
                best_ms = ms
                start[:] = trial
    info["schedules"] = passes
    left_shift(start, inst, ws)
    return start, info


def level(project: Project, method: str = "serial", rule: str = "lft", schedules: int = 1,
          improve: bool = True, seed=None, time_limit: float | None = None) -> Schedule:
    """A resource-feasible schedule of ``project``: no capacity exceeded at any moment.

    Parameters
    ----------
    project : Project
    method : {"serial", "parallel", "exact"}
        The schedule-generation scheme, or ``"exact"`` for OR-Tools CP-SAT.
    rule : {"lft", "lst", "mts", "grpw", "minslack"}
        The priority rule (see the module notes).
    schedules : int
        How many schedule passes the search may spend; 1 = the rule's
        schedule (plus the improvement search when ``improve``).
    improve : bool
        Forward-backward improvement, and the random-key genetic search.
    seed : int, numpy Generator or None
        For the randomised search; None means 0, so results repeat.
    time_limit : float, optional
        Seconds: stop the search then (CP-SAT: 60 s when not given).

    Returns
    -------
    Schedule
        ``kind="levelled"``; ``table`` with the levelled ``start``/``finish``,
        late dates, floats and critical flags that count the resources
        (see the module notes), early dates of the unconstrained CPM;
        ``delay``: working days later than the unconstrained CPM finish;
        ``held_back``: each task that starts later than its CPM early start,
        with ``delay``, ``own_delay`` (waiting for resources itself),
        ``resources`` (the resources it waited for, its own or those of
        the predecessor that pushed it) and ``via`` (that predecessor);
        ``status``: ``"heuristic"``, or ``"optimal"`` / ``"feasible"`` for
        the exact method, with ``lower_bound``; ``info``: the rule's own
        makespan and the number of schedule passes (``schedules``), and
        after the genetic search its ``population``, the ``children`` it
        made and how many it ``accepted``.

    Raises
    ------
    InfeasibleError
        A task demands more of a resource than its capacity (or any of a
        resource with capacity 0).
    ValidationError
        Unknown method or rule; ``schedules`` < 1; ``time_limit`` <= 0.
    MissingExtraError
        ``method="exact"`` without OR-Tools.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", duration=3, resources={"dev": 1}),
    ...            pm.Task("B", duration=2, resources={"dev": 1}), pm.Task("C", duration=1)],
    ...     dependencies=[pm.Dependency("B", "C")], resources=[pm.Resource("dev", capacity=1)])
    >>> s = pm.level(p)
    >>> s.makespan, s.delay, s.status
    (5.0, 2.0, 'heuristic')
    >>> s.held_back
        delay  own_delay resources via
    id
    A     2.0        2.0       dev
    """
    method, rule = _check_options(method, rule, schedules, time_limit)
    as_generator(seed)  # validates the seed
    problem = _problem(project)
    report = {}
    if method == "exact":
        start, report = _exact(problem, rule, EXACT_TIME_LIMIT if time_limit is None else float(time_limit), seed)
        info = report.pop("info")
    else:
        start, info = _heuristic(problem, method, rule, schedules, improve, seed, time_limit)
        report["status"] = "heuristic"
    return _result(problem, start, info=info, **report)


def _scale(values: np.ndarray, what: str) -> int:
    """The smallest factor that makes every value an integer (up to 1000)."""
    for q in (1, 2, 4, 5, 10, 20, 25, 50, 100, 1000):
        scaled = values * q
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-9 * np.maximum(1.0, np.abs(scaled))):
            return q
    bad = next(v for v in values if abs(v * 1000 - round(v * 1000)) > 1e-9 * max(1.0, abs(v * 1000)))
    raise ValidationError(f"method='exact' needs {what} in multiples of 0.001 working day, got {bad!r}; "
                          "round it or use method='serial'")


def _exact(problem: _Problem, rule: str, time_limit: float, seed) -> tuple[np.ndarray, dict]:
    """OR-Tools CP-SAT: interval variables, one cumulative constraint per resource."""
    try:
        from ortools.sat.python import cp_model
    except ImportError:  # pragma: no cover - ortools is installed in the test environment
        raise MissingExtraError("method='exact' needs OR-Tools: pip install pmsim[exact]") from None
    net, dur, inst = problem.net, problem.dur, problem.inst
    lags = np.asarray(net.pred_lag, dtype=np.float64)
    q = _scale(np.concatenate([dur, lags]), "durations and lags")
    # Resource units: exact when they scale to integers; else demand rounded up, capacity down (safe).
    used = problem.demand[problem.demand > 0]
    try:
        qr = _scale(np.concatenate([used, problem.capacity]), "units")
        exact_units = True
    except ValidationError:
        qr, exact_units = 1000, False
    # A good heuristic schedule is the upper bound, the horizon and the solver's hint.
    start_h, _ = _heuristic(problem, "serial", rule, 1, True, seed, None)
    d = np.round(dur * q).astype(np.int64)
    s_h = np.round(start_h * q).astype(np.int64)
    horizon = int((s_h + d).max()) if net.n else 0
    model = cp_model.CpModel()
    s = [model.NewIntVar(0, max(horizon - int(d[j]), 0), f"s{j}") for j in range(net.n)]
    makespan = model.NewIntVar(0, horizon, "makespan")
    for j in range(net.n):
        model.Add(makespan >= s[j] + int(d[j]))
        model.AddHint(s[j], int(s_h[j]))
        for e in range(net.pred_ptr[j], net.pred_ptr[j + 1]):
            i, kind = net.pred_idx[e], net.pred_type[e]
            lag = int(round(lags[e] * q))
            lhs = s[j] + (int(d[j]) if kind in (2, 3) else 0)
            rhs = s[i] + (int(d[i]) if kind in (0, 2) else 0) + lag
            model.Add(lhs >= rhs)
    for k in range(len(problem.resources)):
        users = np.nonzero(problem.demand[:, k] > 0)[0]
        if users.size == 0:
            continue
        intervals = [model.NewFixedSizeIntervalVar(s[j], int(d[j]), f"i{j}_{k}") for j in users]
        units = [int(math.ceil(problem.demand[j, k] * qr - 1e-9)) for j in users]
        model.AddCumulative(intervals, units, int(math.floor(problem.capacity[k] * qr + 1e-9)))
    model.Minimize(makespan)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit)
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = int(as_generator(0 if seed is None else seed).integers(2**31 - 1))
    code = solver.Solve(model)
    # The solver's bound holds for the original problem only when the units were not rounded.
    lower = max(problem.cpm["makespan"], math.ceil(solver.BestObjectiveBound() - 1e-9) / q) \
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE) and exact_units else problem.cpm["makespan"]
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        start = np.array([solver.Value(v) for v in s], dtype=np.float64) / q
        from ._kernels.sgs import left_shift, workspace

        left_shift(start, inst, workspace(net.n, inst.demand.shape[1], inst.horizon))
    else:
        start = start_h
    ms = float((start + dur).max()) if net.n else 0.0
    optimal = code == cp_model.OPTIMAL and exact_units
    status = "optimal" if optimal else "feasible"
    info = {"method": "exact", "rule": rule, "solver": solver.StatusName(code),
            "wall_time": float(solver.WallTime()), "heuristic_makespan": float((start_h + dur).max())}
    return start, {"status": status, "lower_bound": float(ms if optimal else min(lower, ms)), "info": info}


def _result(problem: _Problem, start: np.ndarray, **report) -> Schedule:
    events = _kernel_events(problem, start)
    held = held_back(problem, start, events)
    late, free = resource_floats(problem, start, events)
    return schedule_from_dates(problem.project, start, kind="levelled", late_start=late, free_float=free,
                               held_back=held, **report)


def resource_floats(problem: _Problem, start: np.ndarray, events=None) -> tuple[np.ndarray, np.ndarray]:
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
    the schedule's profile from :func:`_kernel_events`, when already built.
    """
    from ._kernels.floats import resource_free_float
    from ._kernels.search import schedule_order
    from ._kernels.sgs import serial_sgs, workspace

    inst, n, dur = problem.inst, problem.net.n, problem.dur
    if n == 0:
        return np.empty(0), np.empty(0)
    ws = workspace(n, inst.demand.shape[1], inst.horizon)
    order = np.empty(n, dtype=np.int64)
    schedule_order(start, inst, problem.tie, True, order, ws)  # decreasing finish
    late = np.empty(n)
    span = serial_sgs(order, inst, True, late, ws)
    late += float((start + dur).max()) - span  # the right-justified schedule, ending at this finish
    times, usage = _kernel_events(problem, start) if events is None else events
    free = np.empty(n)
    resource_free_float(start, inst, times, usage, free)
    return np.maximum(late, start), free


# --------------------------------------------------------------------------- explanations


def _usage_events(problem: _Problem, start: np.ndarray):
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


def _kernel_events(problem: _Problem, start: np.ndarray):
    """:func:`_usage_events` for the kernels, which want a usage column even without resources."""
    times, usage = _usage_events(problem, start)
    if usage.shape[1] == 0:
        usage = np.zeros((times.shape[0], 1))
    return times, usage


def held_back(problem: _Problem, start: np.ndarray, events=None) -> pd.DataFrame:
    """For each task starting after its CPM early start: how late, and which resources held it.

    A task that starts after the earliest date its (levelled) predecessors
    allow waited for resources itself (``own_delay``): its resources are
    those that, somewhere in that wait, had too little left for it. A task
    pushed by a predecessor (``via``) inherits that predecessor's resources.
    ``events``: the schedule's profile from :func:`_kernel_events`, when
    already built.
    """
    from ._kernels.floats import held_back as explain

    net, n = problem.net, problem.net.n
    early = problem.cpm["early_start"]
    times, usage = _kernel_events(problem, start) if events is None else events
    est, driver = np.empty(n), np.empty(n, dtype=np.int64)
    blocked = np.zeros((n, problem.inst.demand.shape[1]), dtype=np.bool_)
    explain(start, problem.inst, times, usage, est, driver, blocked)
    tol = 1e-6
    moved = start > early + tol
    pushed = (driver >= 0) & (est > early + tol)
    reasons: list[list[str]] = [[] for _ in range(n)]
    names_of, via = [""] * n, [""] * n
    for j in np.nonzero(moved | pushed)[0]:
        names = [problem.resources[k] for k in np.nonzero(blocked[j])[0]]
        if pushed[j]:
            names.extend(r for r in reasons[driver[j]] if r not in names)
            via[j] = net.ids[driver[j]]
        reasons[j] = names
        names_of[j] = ", ".join(names)
    # Rows in the project's task order.
    rows = [k for k in np.argsort(net.project_index, kind="stable") if moved[k]]
    own = np.where(start > est + tol, start - est, 0.0)
    return pd.DataFrame(
        {"delay": start[rows] - early[rows], "own_delay": own[rows],
         "resources": [names_of[k] for k in rows], "via": [via[k] for k in rows]},
        index=pd.Index([net.ids[k] for k in rows], name="id", dtype=object),
    )


# --------------------------------------------------------------------------- profiles


def _schedule_start(project: Project, schedule: Schedule, net: Network) -> np.ndarray:
    if set(schedule.table.index) != set(project.task_ids):
        raise ValidationError(f"the schedule is not one of project {project.name!r}: its tasks differ")
    return net.to_topological(schedule.table.loc[list(project.task_ids), "start"].to_numpy(dtype=np.float64))


def _daily(problem: _Problem, start: np.ndarray, days: int):
    """Per working day: the peak usage of each resource, and the tasks using it that day."""
    times, usage = _usage_events(problem, start)
    peak = np.zeros((days, len(problem.resources)))
    for b in range(times.shape[0]):
        lo = int(math.floor(times[b] + 1e-9))
        hi = times[b + 1] if b + 1 < times.shape[0] else times[b]
        hi = int(math.ceil(hi - 1e-9))
        for day in range(max(lo, 0), min(max(hi, lo + 1), days)):
            np.maximum(peak[day], usage[b], out=peak[day])
    return peak


def resource_profile(project: Project, schedule: Schedule | None = None) -> pd.DataFrame:
    """Demand, capacity and over-allocation of every resource, one row per working day.

    Parameters
    ----------
    project : Project
    schedule : Schedule, optional
        Any schedule of ``project`` (default: its CPM schedule).

    Returns
    -------
    DataFrame
        Indexed by ``date`` (one row per working day from the project start
        to the schedule's finish); columns are a MultiIndex ``(resource,
        measure)`` with measure ``demand`` (the most units in use at any
        moment of that day), ``capacity`` and ``overallocation`` (demand
        above capacity, else 0). ``profile["dev"]`` is one resource;
        ``profile.xs("demand", axis=1, level=1)`` all demands.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", duration=2, resources={"dev": 2}),
    ...            pm.Task("B", duration=1, resources={"dev": 1})],
    ...     resources=[pm.Resource("dev", capacity=2)])
    >>> prof = pm.resource_profile(p, pm.cpm(p))
    >>> prof["dev"]
    measure     demand  capacity  overallocation
    date
    2027-01-04     3.0       2.0             1.0
    2027-01-05     2.0       2.0             0.0
    """
    schedule = cpm(project) if schedule is None else schedule
    problem = _problem_for_profile(project, schedule)
    net = problem.net
    start = _schedule_start(project, schedule, net)
    days = int(math.ceil(schedule.makespan - 1e-9)) if schedule.makespan > 0 else 0
    peak = _daily(problem, start, days)
    dates = pd.to_datetime(project.calendar.date(project.start, np.arange(days)) if days else [])
    cols, data = [], []
    for k, rid in enumerate(problem.resources):
        cap = problem.capacity[k]
        cols += [(rid, "demand"), (rid, "capacity"), (rid, "overallocation")]
        data += [peak[:, k], np.full(days, cap), np.maximum(peak[:, k] - cap, 0.0)]
    frame = pd.DataFrame(
        np.column_stack(data) if data else np.empty((days, 0)),
        index=pd.DatetimeIndex(dates, name="date"),
        columns=pd.MultiIndex.from_tuples(cols, names=["resource", "measure"]),
    )
    frame[frame.abs() < 1e-9] = 0.0
    return frame


def _problem_for_profile(project: Project, schedule: Schedule) -> _Problem:
    """Like _problem, but a task demanding more than its capacity is shown, not refused."""
    net = network(project)
    dur = net.to_topological(schedule.table.loc[list(project.task_ids), "duration"].to_numpy(dtype=np.float64))
    res, demand, capacity = _demand_matrix(project, net, dur, check=False)
    return _Problem(project, net, res, dur, demand, capacity, None, net.project_index.astype(float), {})


def overallocations(project: Project, schedule: Schedule | None = None) -> pd.DataFrame:
    """Each stretch of time in which a resource is over capacity, with the tasks involved.

    Parameters
    ----------
    project : Project
    schedule : Schedule, optional
        Default: the CPM schedule (where over-allocations usually are).

    Returns
    -------
    DataFrame
        One row per resource and maximal period of over-allocation:
        ``resource``, ``start``/``finish`` (working days), ``start_date``/
        ``finish_date`` (first and last working day touched), ``peak`` (most
        units in use), ``capacity``, ``excess`` (peak - capacity), and
        ``tasks`` (the ids of the tasks using the resource in that period,
        in order of start). Empty when the schedule is resource-feasible.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", duration=3, resources={"dev": 1}),
    ...            pm.Task("B", duration=2, resources={"dev": 1})],
    ...     resources=[pm.Resource("dev", capacity=1)])
    >>> pm.overallocations(p)[["resource", "start", "finish", "peak", "tasks"]]
      resource  start  finish  peak   tasks
    0      dev    0.0     2.0   2.0  (A, B)
    >>> pm.overallocations(p, pm.level(p)).empty
    True
    """
    schedule = cpm(project) if schedule is None else schedule
    problem = _problem_for_profile(project, schedule)
    start = _schedule_start(project, schedule, problem.net)
    times, usage = _usage_events(problem, start)
    dur, demand, net = problem.dur, problem.demand, problem.net
    rows = []
    for k, rid in enumerate(problem.resources):
        cap = problem.capacity[k]
        over = usage[:, k] > cap * (1 + 1e-9) + 1e-9
        b = 0
        while b < len(times):
            if not over[b]:
                b += 1
                continue
            a = b
            while b < len(times) and over[b]:
                b += 1
            t0, t1 = times[a], times[b] if b < len(times) else times[-1]
            users = [j for j in np.argsort(start, kind="stable")
                     if demand[j, k] > 0 and start[j] < t1 - 1e-9 and start[j] + dur[j] > t0 + 1e-9]
            rows.append({
                "resource": rid, "start": float(t0), "finish": float(t1),
                "start_date": project.calendar.start_date(project.start, t0),
                "finish_date": project.calendar.finish_date(project.start, t1),
                "peak": float(usage[a:b, k].max()), "capacity": float(cap),
                "excess": float(usage[a:b, k].max() - cap),
                "tasks": tuple(net.ids[j] for j in users),
            })
    columns = ["resource", "start", "finish", "start_date", "finish_date", "peak", "capacity", "excess", "tasks"]
    frame = pd.DataFrame(rows, columns=columns)
    for c in ("start_date", "finish_date"):
        frame[c] = pd.to_datetime(frame[c])
    return frame


# --------------------------------------------------------------------------- levelled Monte Carlo


_PLANS: OrderedDict[int, Schedule] = OrderedDict()  # id(project) -> its levelled plan, newest last
_PLANS_KEPT = 8
_PLANS_LOCK = threading.Lock()


def levelled_plan(project: Project) -> Schedule:
    """``level(project)`` with its defaults, computed once per Project object.

    The levelled Monte Carlo, its regenerated task dates and the budget
    burn's plan all follow this schedule; a levelled dashboard change needs
    it up to four times. Projects are frozen and the defaults fix the seed,
    so an object's result never changes. The plans of the last few projects
    are kept (each holds its project, so the cache is bounded rather than
    weak). Callers must not modify the returned Schedule.
    """
    key = id(project)
    with _PLANS_LOCK:
        plan = _PLANS.get(key)
        if plan is not None and plan.project is project:
            _PLANS.move_to_end(key)
            return plan
    plan = level(project)
    with _PLANS_LOCK:
        _PLANS[key] = plan
        _PLANS.move_to_end(key)
        while len(_PLANS) > _PLANS_KEPT:
            _PLANS.popitem(last=False)
    return plan


def monte_carlo_scheduler(project: Project, plan):
    """The batch scheduler of ``simulate(..., levelled=True)`` (see :mod:`pmsim.montecarlo`).

    Every iteration's sampled durations are scheduled by the serial SGS
    under the capacities, with one fixed priority list: the order of start
    of the deterministic levelled schedule (:func:`level` with its
    defaults), so with planned durations an iteration reproduces that
    schedule. Iterations run in compiled code, in parallel.

    Criticality counts, per iteration, the tasks on a chain of binding
    links or resource hand-overs (a task that waited for a resource is
    driven by the tasks that free that resource exactly when it starts)
    that ends at the project finish.
    """
    from ._kernels import launching
    from ._kernels.levelled_montecarlo import levelled_iterations
    from ._kernels.sgs import priority_list, workspace
    from .montecarlo import duration_cost, sample_durations

    net = plan.net
    # Demands count for every task that can take time in some iteration.
    can_last = np.array([project.tasks[i].estimate.high > 0 for i in net.project_index], dtype=bool)
    for risk in project.risks:
        for tid in risk.tasks:
            can_last[net.position[tid]] = True
    rptr, ridx, demand, cap, tol = _kernel_demands(
        net, *_demand_matrix(project, net, np.where(can_last, 1.0, 0.0), check=True))

    base = levelled_plan(project)
    problem = _problem(project)
    start = net.to_topological(base.table.loc[list(project.task_ids), "start"].to_numpy(dtype=np.float64))
    order = np.empty(net.n, dtype=np.int64)
    priority_list(start, problem.tie, problem.inst, False, order, workspace(net.n, 1, 0))
    none = np.zeros((1, 1), dtype=np.float32)

    def schedule_batch(plan, batch, out) -> None:
        durations = np.ascontiguousarray(sample_durations(plan, batch))
        sl = out.rows(batch)
        with launching():
            levelled_iterations(
                durations, order, plan.release, net.pred_ptr, net.pred_idx, net.pred_type, plan.pred_lag,
                plan.candidates, rptr, ridx, demand, cap, tol, plan.project_column,
                out.task_start is not None, out.task_finish is not None,
                out.finish[sl], out.crit_counts,
                none if out.task_start is None else out.task_start[sl],
                none if out.task_finish is None else out.task_finish[sl],
            )
        out.cost[sl] = duration_cost(plan, durations)

    return schedule_batch
