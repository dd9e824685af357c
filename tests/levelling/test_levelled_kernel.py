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
