"""The heuristic: a schedule-generation scheme, forward-backward improvement and the random-key search.

:func:`heuristic` returns the start times of a resource-feasible schedule and
what it did (``info``); :func:`pmsim.level` wraps it. The method:
``docs/levelling.md``.
"""

from __future__ import annotations

import math
import time

import numpy as np

from .problem import Problem
from .rules import priority

__all__ = ["IMPROVE_SCHEDULES", "heuristic", "search_params"]

IMPROVE_SCHEDULES = 250
_TIME_SLICE = 250  # passes between time-limit checks


def _rng_state(seed: int) -> np.ndarray:
    # xorshift needs a non-zero state.
    return np.array([int(np.random.default_rng(seed).integers(1, 2**63))], dtype=np.uint64)


def search_params(budget: int, n: int) -> tuple[int, np.ndarray]:
    """Population size and parameters of the random-key search for ``budget`` passes on ``n`` tasks.

    Parameters: elite share 25 %, p_dense 0.9, p_dense_other 0.7, and the
    power 4 of the load in the density (``docs/levelling.md``; calibrated on
    PSPLIB j30 and j120, figures in ``benchmarks/RESULTS.md``). Population
    about 61 (122 / n)^1.1 sqrt(budget / 5000), from 12 to 300, and small
    enough that filling it (two passes a member) takes at most half the
    budget; at least 2 members: an elite parent and another.
    """
    elite, p_dense, p_other, power = 0.25, 0.9, 0.7, 4.0
    size = round(min(300.0, max(12.0, 61.0 * (122.0 / max(n, 1)) ** 1.1 * math.sqrt(budget / 5000.0))))
    size = max(2, min(size, budget // 4))  # two passes a member, half the budget
    return size, np.array([elite, p_dense, p_other, power], dtype=np.float64)


def heuristic(problem: Problem, method: str, rule: str, schedules: int, improve: bool,
              seed: int, time_limit) -> tuple[np.ndarray, dict]:
    from .._kernels.search import brkga_search, forward_backward_improvement, schedule_order
    from .._kernels.sgs import left_shift, parallel_sgs, priority_list, sampled_list, serial_sgs, workspace

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
        size, params = search_params(budget, n)
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

