"""The shortcuts of the levelling kernels on long schedules give what the direct scans give.

Run trees (``_kernels.runs``) against the serial SGS's day-by-day walk, the
profile built in one sort (``profile.build_profile``) against the adds in
task order, and the floats' usage maxima against a scan of the breakpoints.
"""

from __future__ import annotations

import numpy as np
import pytest

import pmsim as pm
from pmsim._kernels import sgs
from pmsim._kernels.floats import held_back, resource_free_float
from pmsim._kernels.profile import add_task, build_profile
from pmsim._kernels.runs import build, first_run, tree_size, update
from support import PSPLIB as DATA


def _tree(free, k, thr, size):
    tr = np.empty(6 * size, np.int32)
    build(tr, size, free, k, 1e-9, thr)
    return tr


def test_first_run_skips_the_holes_too_short_for_the_task():
    # Free units of one resource per day; a task needing 1 unit for 3 days fits first at day 5 (holes at
    # day 0 and days 2-3 are 1 and 2 days long); for 2 units it needs days 8-10 and on (day 11 is past the
    # booked days: open).
    free = np.array([[1.0], [0.0], [1.0], [1.0], [0.0], [1.0], [1.0], [2.0], [2.0], [2.0], [0.0]])
    tr = _tree(free, 0, 1.0, 16)
    assert first_run(tr, 16, 0, 3) == 5
    assert first_run(tr, 16, 0, 1) == 0
    assert first_run(tr, 16, 1, 2) == 2
    assert first_run(tr, 16, 6, 3) == 6
    assert first_run(tr, 16, 8, 3) == 11
    two = _tree(free, 0, 2.0, 16)
    assert first_run(two, 16, 0, 3) == 7
    assert first_run(two, 16, 0, 4) == 11
    assert first_run(two, 16, 20, 4) == 20  # past the tree: nothing booked


@pytest.mark.parametrize("seed", range(4))
def test_first_run_after_updates_is_the_first_window_a_scan_finds(seed):
    rng = np.random.default_rng(seed)
    rows = 90
    free = rng.integers(0, 4, (rows, 2)).astype(float)
    size = tree_size(rows, rows)
    assert size == 128
    thr = 2.0
    tr = _tree(free, 1, thr, size)
    for _ in range(20):
        a = int(rng.integers(0, rows))
        b = int(rng.integers(a + 1, rows + 1))
        free[a:b, 1] = rng.integers(0, 4, b - a)
        update(tr, size, free, 1, 1e-9, thr, a, b)
        open_ = np.concatenate([free[:, 1] >= thr, np.ones(size + 20, bool)])
        for s in range(0, size + 2, 3):
            for length in (1, 2, 4, 7):
                t = s
                while not open_[t:t + length].all():
                    t += 1
                assert first_run(tr, size, s, length) == t


def _passes(problem, order, backward):
    """Starts of one serial pass: days walked, and run trees from the first task on."""
    inst, n = problem.inst, problem.net.n
    if backward:
        links = inst.succ_ptr, inst.succ_idx, inst.msucc_type, inst.succ_lag
    else:
        links = inst.pred_ptr, inst.pred_idx, inst.pred_type, inst.pred_lag
    out = []
    for block, limit in ((1 << 40, 1 << 40), (1, -1)):
        ws = sgs.workspace(n, inst.demand.shape[1], inst.horizon)
        start = np.empty(n)
        makespan = sgs._serial_sgs_days(order, inst, *links, start, ws.free, ws.used, block, limit)
        out.append((makespan, start))
    return out


def _programme(n, seed):
    """Tasks of 1-12 days on a chain-and-cross network, one to three of four small resources each."""
    rng = np.random.default_rng(seed)
    caps = {"a": 2, "b": 3, "c": 4, "d": 2}
    tasks = []
    for k in range(n):
        use = rng.choice(list(caps), size=int(rng.integers(1, 4)), replace=False)
        tasks.append(pm.Task(f"T{k}", duration=int(rng.integers(1, 13)),
                             resources={r: int(rng.integers(1, caps[r] + 1)) for r in use}))
    links = {(k - int(rng.integers(1, min(k, 30) + 1)), k) for k in range(1, n) if rng.random() < 0.8}
    kinds = ["FS", "SS", "FF", "SF"]
    deps = [pm.Dependency(f"T{a}", f"T{b}", kinds[int(rng.integers(0, 4))], int(rng.integers(-2, 4)))
            for a, b in sorted(links)]
    return pm.Project(name="programme", start="2027-01-04", tasks=tasks, dependencies=deps,
                      resources=[pm.Resource(r, capacity=c) for r, c in caps.items()])


@pytest.mark.parametrize("source", ["j301_1.sm", "j1201_1.sm", "j3037_6.sm", "Pat1.rcp", "programme"])
@pytest.mark.parametrize("backward", [False, True])
def test_the_serial_sgs_with_run_trees_gives_the_walks_schedule(source, backward):
    from pmsim.levelling.problem import build_problem
    from pmsim.levelling.rules import priority

    project = _programme(400, 5) if source == "programme" else pm.read_project(DATA / source)
    problem = build_problem(project)
    inst, n = problem.inst, problem.net.n
    assert inst.horizon > 0  # whole days: the day array
    ws = sgs.workspace(n, inst.demand.shape[1], inst.horizon)
    order = np.empty(n, dtype=np.int64)
    for seed in range(3):
        key = priority(problem, "lft") + np.random.default_rng(seed).random(n) * 40 * seed
        sgs.priority_list(-key if backward else key, problem.tie, inst, backward, order, ws)
        (m_walk, s_walk), (m_runs, s_runs) = _passes(problem, order, backward)
        assert m_walk == m_runs
        np.testing.assert_array_equal(s_walk, s_runs)
        # The walk's schedule is a serial one: each task at its first window with room (checked by hand below).
        if not backward:
            use = np.zeros((int(m_walk) + 1, inst.demand.shape[1]))
            for j in order:
                d = int(inst.dur[j])
                if d and inst.rptr[j + 1] > inst.rptr[j]:
                    s = int(s_walk[j])
                    use[s:s + d] += inst.demand[j]
            assert np.all(use <= inst.cap + 1e-9)


def test_build_profile_is_the_profile_the_adds_build():
    rng = np.random.default_rng(3)
    n, k = 300, 3
    dur = rng.integers(0, 9, n).astype(float)
    start = rng.integers(0, 200, n).astype(float)
    demand = rng.choice([0.0, 0.5, 1.0, 2.0], size=(n, k))
    rptr = np.zeros(n + 1, np.int64)
    np.cumsum((demand > 0).sum(axis=1), out=rptr[1:])
    ridx = np.nonzero(demand > 0)[1].astype(np.int64)
    pt, pu = np.empty(2 * n + 2), np.empty((2 * n + 2, k))
    nb_ = build_profile(pt, pu, start, dur, rptr, ridx, demand)
    qt, qu = np.empty(2 * n + 2), np.empty((2 * n + 2, k))
    qt[0], qu[0] = 0.0, 0.0
    mb = 1
    for j in range(n):
        if dur[j] > 0 and rptr[j + 1] > rptr[j]:
            mb = add_task(qt, qu, mb, start[j], dur[j], j, rptr, ridx, demand)
    assert nb_ == mb
    np.testing.assert_array_equal(pt[:nb_], qt[:mb])
    np.testing.assert_array_equal(pu[:nb_], qu[:mb])
    # Two times within EPS: which one stays depends on the order of the adds; the caller adds instead.
    start[1] = start[0] + 1e-12
    dur[:2] = 1.0
    assert build_profile(pt, pu, start, dur, rptr, ridx, demand) == -1


def test_the_floats_from_usage_maxima_are_the_scans_answers():
    from pmsim.levelling.floats import kernel_events
    from pmsim.levelling.problem import build_problem

    project = _programme(150, 11)
    problem = build_problem(project)
    inst, n = problem.inst, problem.net.n
    ws = sgs.workspace(n, inst.demand.shape[1], inst.horizon)
    order = np.empty(n, dtype=np.int64)
    sgs.priority_list(np.random.default_rng(0).random(n), problem.tie, inst, False, order, ws)
    start = np.empty(n)
    sgs.serial_sgs(order, inst, False, start, ws)
    times, usage = kernel_events(problem, start)
    free = np.empty(n)
    resource_free_float(start, inst, times, usage, free)
    est, driver = np.empty(n), np.empty(n, np.int64)
    blocked = np.zeros((n, inst.demand.shape[1]), np.bool_)
    held_back(start, inst, times, usage, est, driver, blocked)
    short = usage[:, None, :] + inst.demand[None, :, :] > inst.cap + inst.tol  # breakpoint x task x resource
    uses = inst.demand > 0
    waited = 0
    for j in range(n):
        f = start[j] + inst.dur[j]
        after = [b for b in range(len(times)) if times[b] >= f - 1e-9 and (short[b, j] & uses[j]).any()]
        expect = np.inf if inst.dur[j] <= 0 or not after else max(times[after[0]] - f, 0.0)
        assert free[j] == expect
        if start[j] > est[j] + 1e-6:
            waited += 1
            lo = np.searchsorted(times, est[j] + 1e-6, side="right") - 1
            wait = (times >= times[lo]) & (times < start[j] - 1e-6)
            np.testing.assert_array_equal(blocked[j], short[wait, j].any(axis=0) & uses[j])
        else:
            assert not blocked[j].any()
    assert waited > 20  # the random list makes tasks wait for resources
