"""A task whose resources work on different calendars: each resource works on its own (MS Project's rule).

The task starts when its first resource can, finishes when its last one does; its floats and lags count on
the project calendar (it has none of its own). The Monte Carlo schedules it the same way in every iteration;
levelling does not model it yet: it refuses such a project and names the task.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pmsim as pm
from pmsim.timeline import timeline

AFTERNOONS = pm.Calendar(hours="13:00-17:00", id="afternoons")  # four hours a day, Monday to Friday


def two_calendars(**task) -> pm.Project:
    """A: two days of work for Dee (the project's 08:00-17:00 week) and for Al (afternoons only); then B."""
    task = {"duration": 2} | task if "estimate" not in task else task
    return pm.Project(name="x", start="2027-01-04", calendars=[AFTERNOONS],
                      resources=[pm.Resource("Dee"), pm.Resource("Al", calendar="afternoons")],
                      tasks=[pm.Task("A", resources={"Dee": 1, "Al": 1}, **task), pm.Task("B", duration=1)],
                      dependencies=[pm.Dependency("A", "B")])


def test_the_task_finishes_when_its_last_resource_does():
    p = two_calendars()
    assert [c.id or "project" for c in p.assignment_calendars("A")] == ["project", "afternoons"]
    s = pm.cpm(p)
    times = s.times()
    # Dee's 16 hours end Tuesday 17:00; Al's 16 hours at 4 a day end Thursday 2027-01-07 17:00: A ends there,
    # and B starts Friday 08:00. A lasts four working days of the project calendar.
    assert times.loc["A", ["early_start", "early_finish"]].tolist() == [pd.Timestamp("2027-01-04 08:00"),
                                                                       pd.Timestamp("2027-01-07 17:00")]
    assert times.loc["B", "early_start"] == pd.Timestamp("2027-01-08 08:00")
    assert s.table.loc["A", "early_finish"] == 4.0 and s.makespan == 5.0
    # Backward: A must finish by Thursday 17:00; Al must start by Monday 13:00 to do 16 hours of afternoons by
    # then (Dee only by Wednesday 08:00): A's late start is the earlier, half a project day after its early start.
    assert times.loc["A", "late_start"] == pd.Timestamp("2027-01-04 13:00")
    assert s.table.loc["A", "late_finish"] == 4.0
    assert s.table.loc["A", "total_float"] == 0.5  # start float (the project's setting): 4 hours of 8
    assert pm.cpm(p.replace(total_float="finish")).table.loc["A", "total_float"] == 0.0


def test_a_calendar_of_its_own_puts_the_task_on_one_calendar():
    p = two_calendars(calendar="afternoons")
    assert p.assignment_calendars("A") == ()
    # Two days of the afternoons calendar (4 hours each): Monday and Tuesday afternoons.
    assert pm.cpm(p).times().loc["A", "early_finish"] == pd.Timestamp("2027-01-05 17:00")


def test_resources_on_one_calendar_keep_the_fast_path():
    p = two_calendars().replace(calendars=(), resources=(pm.Resource("Dee"), pm.Resource("Al")))
    assert p.assignment_calendars("A") == ()
    tl = timeline(p)
    assert tl.uniform and not np.diff(tl.assignments[0]).any()
    assert pm.cpm(p).makespan == 3.0


def test_an_unused_resource_does_not_count():
    p = two_calendars().replace(tasks=(pm.Task("A", duration=2, resources={"Dee": 1, "Al": 0}), pm.Task("B", duration=1)))
    assert p.assignment_calendars("A") == ()
    assert pm.cpm(p).makespan == 3.0


def test_levelling_refuses_and_names_the_task():
    with pytest.raises(pm.ValidationError, match=r"levelling .*different calendars.*task 'A'"):
        pm.level(two_calendars())


def test_the_monte_carlo_schedules_each_iteration_as_the_cpm_does():
    # A lasts 1, 1.5, 2 or 3.25 days. Al does 8 hours a day of it at 4 hours an afternoon: x = 2 x duration
    # afternoons. Whole afternoons end at 17:00 of the x-th day (x project days); a part f of one more ends at
    # 13:00 + 4f hours, when the project calendar (08:00-12:00, 13:00-17:00) has worked x - f + 0.5 + 0.5 f days.
    # B adds one day: 3.0, 4.0, 5.0 and 6 + 0.5 + 0.25 + 1 = 7.75 working days.
    values, weights = (1.0, 1.5, 2.0, 3.25), (0.1, 0.2, 0.3, 0.4)
    p = two_calendars(estimate=pm.Discrete(values, weights))
    expected = {1.0: 3.0, 1.5: 4.0, 2.0: 5.0, 3.25: 7.75}
    for d, finish in expected.items():  # the CPM agrees, task by task
        assert pm.cpm(two_calendars(duration=d)).makespan == finish
    sim = pm.simulate(p, iterations=4000, seed=7)
    got = np.asarray(sim.finish)
    assert set(np.round(got, 6)) == set(expected.values())
    # Each value as often as its weight: binomial standard error at most 0.008 with 4,000 iterations; 4 of them.
    for (d, finish), weight in zip(expected.items(), weights):
        assert abs(np.mean(np.isclose(got, finish)) - weight) < 0.032, d
    # A drives B in every iteration: both are critical throughout.
    assert sim.criticality.loc[["A", "B"]].tolist() == [1.0, 1.0]


def test_the_monte_carlo_keeps_the_cpm_dates_with_fixed_durations():
    # A finish-to-finish successor on the project calendar, and a start constraint that moves A: dated inputs.
    p = two_calendars(constraint="SNET", constraint_date="2027-01-05")
    p = p.replace(tasks=(*p.tasks, pm.Task("C", duration=1)), dependencies=(*p.dependencies, pm.Dependency("A", "C", type="FF")))
    s = pm.cpm(p)
    sim = pm.simulate(p, iterations=50, seed=1)
    assert np.allclose(sim.finish, s.makespan)
    _, start, finish = next(sim.iter_task_dates(chunk_size=50))
    order = list(p.task_ids)
    for task in ("A", "B", "C"):
        j = order.index(task)
        assert np.allclose(start[:, j], s.table.loc[task, "early_start"]), task
        assert np.allclose(finish[:, j], s.table.loc[task, "early_finish"]), task
