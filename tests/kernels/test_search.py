"""The search kernels called directly: the random-key search's population and the density it follows."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pmsim as pm
from pmsim._kernels.search import brkga_search, task_density
from pmsim._kernels.sgs import priority_list, serial_sgs, workspace
from support import PSPLIB as DATA, assert_feasible, make, networks


def _search_inputs(name, budget, seed):
    """The search's arguments for a PSPLIB instance: row 0 holds the LFT rule's forward schedule."""
    from pmsim.levelling.heuristic import _rng_state, search_params as _brkga_params
    from pmsim.levelling.problem import build_problem as _problem
    from pmsim.levelling.rules import priority

    problem = _problem(pm.read_project(DATA / name))
    inst, n = problem.inst, problem.net.n
    key = priority(problem, "lft")
    ws = workspace(n, inst.demand.shape[1], inst.horizon)
    order = np.empty(n, dtype=np.int64)
    priority_list(key, problem.tie, inst, False, order, ws)
    size, params = _brkga_params(budget, n)
    keys, ms, starts, dens = np.empty((size, n)), np.empty(size), np.empty((size, n)), np.empty((size, n))
    ms[0] = serial_sgs(order, inst, False, starts[0], ws)
    state = np.array([0, 1, 0, 0], dtype=np.int64)  # [members, passes, decodings, children accepted]
    return problem, (inst, problem.tie, keys, ms, starts, dens, state, np.empty(n)), _rng_state(seed), params


def test_the_search_accepts_children_and_its_population_never_gets_worse():
    from pmsim.cpm import schedule_from_dates

    total = 1000
    problem, args, rng, params = _search_inputs("j3013_1.sm", total, seed=7)
    inst, keys, ms, starts, state, best = args[0], args[2], args[3], args[4], args[6], args[7]
    size = ms.shape[0]
    # Fill the population one pass at a time (a run in slices resumes where it stopped).
    budget = 1
    while state[0] < size:
        budget += 1
        brkga_search(*args, budget, total, rng, params)
    assert state[2] == size - 1 and state[3] == 0  # one decoding per new member, no child yet
    filled = np.sort(ms)
    found = brkga_search(*args, total, total, rng, params)
    assert state[1] == total
    children = state[2] - (size - 1)
    assert 0 < state[3] <= children
    # A child only ever replaces the worst member, and only when not longer.
    assert np.all(np.sort(ms) <= filled + 1e-9)
    assert found == ms.min() == (best + inst.dur).max() < filled[0]
    for i in range(size):
        assert (starts[i] + inst.dur).max() == ms[i]
        assert_feasible(problem.project, schedule_from_dates(problem.project, starts[i], kind="check"))

    # The same seed in one call gives the same population as the run in slices.
    _, again, rng2, _ = _search_inputs("j3013_1.sm", total, seed=7)
    assert brkga_search(*again, total, total, rng2, params) == found
    assert np.array_equal(again[3], ms) and np.array_equal(again[2], keys) and np.array_equal(again[6], state)


def _density(project, starts, relative=True, power=1.0):
    """``task_density`` of the schedule ``starts`` (a mapping by task id), by task id."""
    from pmsim.levelling.problem import build_problem as _problem

    problem = _problem(project)
    net = problem.net
    start = net.to_topological(np.array([float(starts[t]) for t in project.task_ids]))
    out = np.empty(net.n)
    day = np.zeros(math.ceil((start + problem.inst.dur).max()) + 1)  # one cell a day
    task_density(start, problem.inst, day, 1.0, out, relative, power)
    return dict(zip(project.task_ids, net.to_project(out).tolist()))


def test_the_density_is_the_mean_load_around_each_task():
    # Load = usage / capacity summed over resources: A 1 of r (capacity 2) = 0.5; B 2 of r and 0.5 of s
    # (capacity 0.5) = 1 + 1 = 2; C none; M a milestone.
    p = make([("A", 2, {"r": 1}), ("B", 2, {"r": 2, "s": 0.5}), ("C", 1, {}), ("M", 0, {})], [],
             {"r": 2, "s": 0.5})
    starts = {"A": 0, "B": 1, "C": 3, "M": 4}
    # Days 0-3 carry 0.5, 2.5, 2 and 0: A averages (0.5 + 2.5) / 2 = 1.5, B (2.5 + 2) / 2 = 2.25.
    assert _density(p, starts, relative=False) == {"A": 1.5, "B": 2.25, "C": 0.0, "M": 0.0}
    # Relative to the mean load over the 4 days, 5 / 4 = 1.25.
    assert _density(p, starts) == {"A": 1.2, "B": 1.8, "C": 0.0, "M": 0.0}
    # The search's power 4 weights the fuller days: 0.5^4 = 1/16, 2.5^4 = 625/16 and 2^4 = 16, so A averages
    # (1 + 625) / 32 = 313/16 and B (625 + 256) / 32 = 881/32, over a mean of (1 + 625 + 256) / 64 = 441/32.
    assert _density(p, starts, relative=False, power=4.0) == {"A": 313 / 16, "B": 881 / 32, "C": 0.0, "M": 0.0}
    assert _density(p, starts, power=4.0) == pytest.approx({"A": 626 / 441, "B": 881 / 441, "C": 0.0, "M": 0.0},
                                                           rel=1e-15)


def test_the_density_counts_the_share_of_a_day_a_task_covers():
    # A 0-1.5 (load 0.5), B 1.5-2.5 (load 1), D 0.25-0.5 (load 1 on s): a quarter-day task counts too.
    p = make([("A", 1.5, {"r": 1}), ("B", 1, {"r": 2}), ("D", 0.25, {"s": 0.5})], [], {"r": 2, "s": 0.5})
    starts = {"A": 0, "B": 1.5, "D": 0.25}
    # Day 0: 0.5 x 1 + 1 x 0.25 = 0.75; day 1: 0.5 x 0.5 + 1 x 0.5 = 0.75; day 2: 1 x 0.5 = 0.5.
    # A: (0.75 + 0.75 x 0.5) / 1.5 = 0.75; B: (0.75 x 0.5 + 0.5 x 0.5) / 1 = 0.625; D: 0.75 x 0.25 / 0.25.
    assert _density(p, starts, relative=False) == {"A": 0.75, "B": 0.625, "D": 0.75}
    # Mean: 2 units of work over 2.5 days = 0.8.
    assert _density(p, starts) == {"A": 0.9375, "B": 0.78125, "D": 0.9375}


LONG_LAGS = [
    # (lag of B after A, relative densities of A, B, C). A 0-2, C 2-5 and B after the lag, load 1 each.
    (10, [2.0, 2.0, 2.0]),  # 14 days in day cells: 7 days of work, mean 0.5
    # 2^21 days of work and lag: cells of 2 days (at most 2^20 cells). A fills cell 0 (load 1), C cell 1 (1) and
    # half of cell 2 (0.5), B (from day 2^21 - 5) half of two cells (0.5 each). To the power 4: 1, 1 and 1/16 for
    # the half cells, so A gets 1, B 1/16 and C (1 + 0.5 / 16) / 1.5, over a mean of 2 + 3 / 16 in
    # (2^21 - 3) / 2 cells.
    (2**21 - 7, [x * 1048574.5 / (2 + 3 / 16) for x in (1.0, 1 / 16, (1 + 0.5 / 16) / 1.5)]),
]


@pytest.mark.parametrize("lag, expected", LONG_LAGS)
def test_the_search_measures_density_over_the_whole_schedule_after_a_long_lag(lag, expected):
    from pmsim.levelling.heuristic import _rng_state, search_params as _brkga_params
    from pmsim.levelling.problem import build_problem as _problem

    p = make([("A", 2, {"r": 1}), ("B", 2, {"r": 1}), ("C", 3, {"r": 1})], [("A", "B", "FS", lag)], {"r": 1})
    problem = _problem(p)
    n = problem.net.n
    size, params = _brkga_params(250, n)
    starts, ms = np.zeros((size, n)), np.zeros(size)
    starts[0] = problem.net.to_topological(np.array([0.0, 2.0 + lag, 2.0]))
    ms[0] = 4.0 + lag
    dens = np.full((size, n), np.nan)
    state = np.array([0, 250, 0, 0], dtype=np.int64)  # the budget is spent: row 0 is only measured
    brkga_search(problem.inst, problem.tie, np.zeros((size, n)), ms, starts, dens,
                      state, np.empty(n), 250, 250, _rng_state(0), params)
    assert problem.net.to_project(dens[0]).tolist() == pytest.approx(expected, rel=1e-12)


def _reference_density(project, starts, power):
    """Per task, the mean over its time of the daily load (usage / capacity; a task counts the share of each
    day it covers) to ``power``, relative to its mean over the schedule; 0 for a task of zero duration."""
    cap = {r.id: r.capacity for r in project.resources}
    span = {t.id: (float(starts[t.id]), float(starts[t.id]) + t.planned_duration) for t in project.tasks}

    def share(day, s, f):
        return max(0.0, min(f, day + 1.0) - max(s, day))

    load = {}
    for t in project.tasks:
        s, f = span[t.id]
        for day in range(int(s), math.ceil(f)):
            load[day] = load.get(day, 0.0) + sum(u / cap[r] for r, u in t.resources) * share(day, s, f)
    load = {day: x ** power for day, x in load.items()}
    work, makespan = sum(load.values()), max(f for s, f in span.values())
    mean = work / makespan if work > 0 else 1.0
    density = {}
    for tid, (s, f) in span.items():
        around = sum(load[day] * share(day, s, f) for day in range(int(s), math.ceil(f)))
        density[tid] = around / (f - s) / mean if f > s else 0.0
    return density


@settings(max_examples=60, deadline=None)
@given(networks(), st.sampled_from([0, 20, 1000]))
def test_random_networks_get_finite_densities_equal_to_a_reference(p, lag):
    # Fractional durations and units, milestones, tasks without resources, all link types, leads and lags;
    # a long lag sends the last task far beyond the sum of the durations.
    if lag:
        p = p.with_task(pm.Task("Z", duration=2, resources={"r": 1}), [pm.Dependency("T0", "Z", "FS", lag)])
    starts = pm.level(p, improve=False).table["start"]
    for power in (1.0, 4.0):  # the plain mean load, and the search's
        got = _density(p, starts, power=power)
        assert all(math.isfinite(v) and v >= 0 for v in got.values())
        want = _reference_density(p, starts, power)
        assert got == pytest.approx(want, rel=1e-9, abs=1e-12)
