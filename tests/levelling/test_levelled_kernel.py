"""The levelled Monte Carlo kernel against the plain definition of the serial SGS, iteration by iteration.

The compiled kernel (``pmsim/_kernels/levelled_montecarlo.py``) keeps a breakpoint profile, scans it from the end
of each window and inserts breakpoints in one pass; these tests schedule the same sampled durations with the
definition written out in Python (float32 dates, as the kernel) and ask for the same dates to the last bit.
"""

from __future__ import annotations

import numpy as np

import pmsim as pm
from support import PSPLIB as DATA, make


def _uncertain(project: pm.Project) -> pm.Project:
    tasks = [t.replace(optimistic=t.planned_duration * 0.7, most_likely=t.planned_duration,
                       pessimistic=t.planned_duration * 1.8) if t.planned_duration > 0 else t for t in project.tasks]
    return project.replace(tasks=tuple(tasks))


def _reference_sgs(dur, order, plan, sched):
    """Serial SGS by its definition: each task of ``order`` at the first candidate start (its precedence start, or
    a later start or finish of a scheduled task) where, at that instant and at every start inside its window,
    the tasks running leave room for it. Float32 dates; demands summed in float64 (whole units here)."""
    from pmsim._kernels.links import earliest_start

    net = plan.net
    n = dur.shape[0]
    es = np.zeros(n, np.float32)
    ef = np.zeros(n, np.float32)
    placed = []  # scheduled tasks that take time and use a resource
    res = [sched.ridx[sched.rptr[j]:sched.rptr[j + 1]] for j in range(n)]

    def room(j, x):
        for k in res[j]:
            used = sum(sched.demand[i, k] for i in placed if es[i] <= x < ef[i])
            if used + sched.demand[j, k] > sched.capacity[k] + sched.tolerance[k]:
                return False
        return True

    for j in order:
        d = dur[j]
        s = np.float32(plan.release[j])
        for e in range(net.pred_ptr[j], net.pred_ptr[j + 1]):
            i = net.pred_idx[e]
            s = max(s, np.float32(earliest_start(net.pred_type[e], es[i], ef[i], plan.pred_lag[e], d)))
        t = s
        if d > 0 and len(res[j]):
            t = max(t, np.float32(0.0))
            times = sorted({float(x) for i in placed for x in (es[i], ef[i])})
            for cand in [t] + [np.float32(x) for x in times if x > t]:
                end = np.float32(cand + d)
                if all(room(j, x) for x in [cand] + [np.float32(x) for x in times if cand < x < end]):
                    t = cand
                    break
            placed.append(j)
        es[j] = t
        ef[j] = np.float32(t + d)
    return es, ef


def _check(project, iterations, seed):
    from pmsim.levelled_montecarlo import levelled_scheduler
    from pmsim.montecarlo import runner

    sim = pm.simulate(project, iterations=iterations, seed=seed, levelled=True, keep="tasks")
    plan = sim._plan
    sched = levelled_scheduler(project, plan)
    durations = runner.sample_durations(plan, next(runner.batches(plan, iterations)))
    finishes = np.asarray(sim.task_finish, dtype=np.float32)
    columns = plan.project_column
    for it in range(iterations):
        es, ef = _reference_sgs(durations[:, it], sched.order, plan, sched)
        assert np.array_equal(finishes[it, columns], ef), it
        assert sim.finish[it] == ef[plan.candidates].max()


def test_levelled_kernel_schedules_each_iteration_as_the_serial_sgs_defines_it():
    # j301_1: 32 tasks, 4 resources, whole units; durations from 0.7 to 1.8 times the planned ones.
    _check(_uncertain(pm.read_project(DATA / "j301_1.sm")), 40, 5)


def test_levelled_kernel_with_every_link_type_and_lags():
    p = make([("A", 3, {"dev": 1}), ("B", 4, {"dev": 1, "qa": 1}), ("C", 2, {"qa": 1}), ("D", 5, {"dev": 2}),
              ("E", 1, {"qa": 1}), ("M", 0, {}), ("F", 2.5, {"dev": 1}), ("G", 3, {})],
             [("A", "B", "SS", 1), ("A", "C", "FF", 2), ("B", "D", "FS", -1), ("C", "E", "SF", 3),
              ("D", "M"), ("E", "M", "FS", 0.5), ("F", "E", "SS", -2), ("G", "D", "FS", 0)],
             {"dev": 2, "qa": 1}, name="links")
    _check(_uncertain(p), 200, 11)


# The kernel schedules an iteration on one of three profiles (``profiles``: 0 all resources together, 1 one per
# resource, 2 the usage per time unit) and picks one per iteration (-1); every choice must give the same dates.

def _random_project(n, seed, whole):
    """n tasks, links of every type back within 12 tasks (lags from -1 to 2 days), three resources of which a task
    uses each with probability 0.5 (demands 1 to the capacity; one in three tasks without a resource)."""
    rng = np.random.default_rng(seed)
    caps = {"dev": 4, "qa": 2, "ops": 3}
    tasks, links = [], []
    for j in range(n):
        ml = float(rng.integers(1, 9))
        demand = {} if rng.random() < 1 / 3 else {
            r: float(rng.integers(1, c + 1)) for r, c in caps.items() if rng.random() < 0.5}
        if whole:
            tasks.append(pm.Task(f"T{j}", duration=ml, resources=demand))
        else:
            tasks.append(pm.Task(f"T{j}", optimistic=0.6 * ml, most_likely=ml, pessimistic=1.9 * ml,
                                 resources=demand))
        for i in set(rng.integers(max(0, j - 12), j, size=min(j, 2)).tolist()):
            kind = str(rng.choice(["FS", "FS", "SS", "FF", "SF"]))
            links.append(pm.Dependency(f"T{i}", f"T{j}", kind, float(rng.integers(-1, 3))))
    return pm.Project(name=f"random{n}", start="2027-01-04", tasks=tasks, dependencies=links,
                      resources=[pm.Resource(r, capacity=c) for r, c in caps.items()])


def _kernel_runs(project, iterations, seed, choices):
    """The kernel on one batch of sampled durations with each choice of profile, one thread: its outputs."""
    import warnings

    from pmsim._kernels.levelled_montecarlo import _profile_modes, levelled_iterations
    from pmsim.levelled_montecarlo import levelled_scheduler
    from pmsim.montecarlo import runner

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # only its plan is used
        plan = pm.simulate(project, iterations=16, seed=seed, levelled=True)._plan
    sched = levelled_scheduler(project, plan)
    durations = np.ascontiguousarray(runner.sample_durations(plan, next(runner.batches(plan, iterations))))
    net, n = plan.net, plan.net.n
    out = {}
    for choice in choices:
        finish = np.empty(iterations, np.float32)
        crit = np.zeros((1, n), np.int64)
        starts = np.empty((iterations, n), np.float32)
        finishes = np.empty((iterations, n), np.float32)
        levelled_iterations(durations, sched.order, plan.release, net.pred_ptr, net.pred_idx, net.pred_type,
                            plan.pred_lag, plan.candidates, sched.rptr, sched.ridx, sched.demand, sched.capacity,
                            sched.tolerance, plan.project_column, True, True, finish, crit, starts, finishes, choice)
        out[choice] = (finish, crit, starts, finishes)
    modes = np.empty(iterations, np.int8)
    _profile_modes(durations, plan.release, plan.pred_lag, sched.rptr, sched.demand.shape[1], modes)
    return out, np.bincount(modes, minlength=3).tolist()


def _assert_same(out):
    ref = out[0]
    for choice, got in out.items():
        for name, a, b in zip(("finish", "criticality", "starts", "finishes"), ref, got):
            assert np.array_equal(a, b), (choice, name, np.argwhere(a != b)[:5])


def test_every_profile_gives_the_same_schedules_on_j120_in_every_iteration():
    j120 = pm.read_project(DATA / "j1201_1.sm")  # 122 tasks, 4 resources, whole durations
    out, modes = _kernel_runs(j120, 10_000, 3, (0, 1, 2, -1))
    assert modes == [0, 0, 10_000]  # whole dates: the default is the usage per time unit
    _assert_same(out)
    out, modes = _kernel_runs(_uncertain(j120), 10_000, 3, (0, 1, 2, -1))
    assert modes == [0, 10_000, 0]  # fractions: a profile per resource
    _assert_same(out)
    # Levelling moved tasks: the schedules are not the unlevelled ones.
    assert np.mean(out[0][0]) > pm.simulate(_uncertain(j120), iterations=10_000, seed=3).mean + 1


def test_every_profile_gives_the_same_schedules_on_random_projects_with_every_link_type():
    for whole in (True, False):
        for seed in (1, 2):
            out, modes = _kernel_runs(_random_project(150, seed, whole), 3000, seed, (0, 1, 2, -1))
            assert modes == ([0, 0, 3000] if whole else [0, 3000, 0])
            _assert_same(out)


def test_each_iteration_gets_the_profile_its_numbers_allow():
    from pmsim._kernels.levelled_montecarlo import _profile_modes

    def modes(durations, release=(0.0, 0.0), lags=(0.0,)):
        durations = np.array(durations, np.float32).T.copy()  # tasks x iterations
        out = np.empty(durations.shape[1], np.int8)
        cells = _profile_modes(durations, np.array(release, np.float32), np.array(lags, np.float32),
                               np.array([0, 1, 2]), 2, out)
        return out.tolist(), cells

    # Whole durations: the usage per time unit, as long as the horizon (the sum of durations and lags) allows.
    assert modes([[3, 4], [2, 5]]) == ([2, 2], 7 + 2)
    # Fractions: a profile per resource; a task far shorter than the horizon (2**-20 of it), or a duration under
    # 1/64 anywhere: the combined profile, whose comparisons treat such dates as the reference did.
    assert modes([[3.5, 4], [2, 5e-3], [1e7, 1]]) == ([1, 0, 0], 0)
    assert modes([[3.5, 4]], lags=(0.25,))[0] == [1]
    assert modes([[3.5, 4]], lags=(1e-3,))[0] == [0]
    assert modes([[3, 4]], release=(0.5, 0.0))[0] == [1]


def test_tiny_durations_fall_back_to_the_combined_profile_and_keep_the_serial_sgs():
    # B lasts from 0.0084 to 0.0216 days: under 1/64 in about 7 iterations of 10.
    p = make([("A", 3, {"dev": 1}), ("B", 0.012, {"dev": 2}), ("C", 2, {"dev": 1}), ("D", 1, {"qa": 1}),
              ("E", 2.5, {"qa": 1, "dev": 1})],
             [("A", "C", "SS", 0.5), ("B", "D", "FS", 0), ("D", "E", "FF", 1)], {"dev": 2, "qa": 1}, name="tiny")
    _check(_uncertain(p), 100, 2)
    out, modes = _kernel_runs(_uncertain(p), 500, 2, (0, 1, -1))
    # Those on the combined profile by default, the others on one per resource; forced on one profile per
    # resource, the same dates here (the fallback is a precaution, not a known difference).
    assert 250 < modes[0] < 450 and modes[0] + modes[1] == 500
    _assert_same(out)


def test_the_scheduler_is_built_once_per_project_with_read_only_arrays():
    import dataclasses
    import warnings

    from pmsim.levelled_montecarlo import levelled_scheduler

    p = pm.read_project(DATA / "j301_1.sm")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 64 iterations: a wide P80 error
        first = pm.simulate(p, iterations=64, seed=4, levelled=True)
        again = pm.simulate(p, iterations=64, seed=4, levelled=True)
    sched = levelled_scheduler(p, first._plan)
    assert levelled_scheduler(p, again._plan) is sched
    for a in (sched.order, sched.rptr, sched.ridx, sched.demand, sched.capacity, sched.tolerance):
        assert not a.flags.writeable
    assert np.array_equal(first.finish, again.finish)
    assert first.criticality.equals(again.criticality)
    # An edited project is another object: its own scheduler, with its own capacities.
    edited = p.replace(resources=tuple(dataclasses.replace(r, capacity=r.capacity + 1) for r in p.resources))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        other = levelled_scheduler(edited, pm.simulate(edited, iterations=16, seed=4, levelled=True)._plan)
    assert other is not sched
    assert np.array_equal(other.capacity, sched.capacity + 1)
