"""Levelling real schedules: task and resource calendars, date constraints, progress and the data date.

Expected dates are worked by hand in each test (the project starts Monday 2027-01-04; the
default calendar works Monday to Friday 08:00-12:00 and 13:00-17:00). The calendar kernels are
also checked against the plain ones: on a project they both can level, one pass of each rule
gives the same schedule, floats included.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest

import pmsim as pm
from pmsim.errors import PmsimWarning
from pmsim.levelling import IMPROVE_SCHEDULES, RULES
from pmsim.timeline import plain_schedule, timeline
from support import PSPLIB

SEVEN = pm.Calendar(workdays=("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), id="seven", name="7 days")


def times(schedule: pm.Schedule) -> dict:
    """Start and finish of each task as 'YYYY-MM-DD HH:MM'."""
    t = schedule.times()
    fmt = lambda v: pd.Timestamp(v).strftime("%Y-%m-%d %H:%M")  # noqa: E731
    return {tid: (fmt(t.at[tid, "start"]), fmt(t.at[tid, "finish"])) for tid in t.index}


def level_quietly(project, **kwargs) -> pm.Schedule:
    with warnings.catch_warnings():
        warnings.simplefilter("error", PmsimWarning)
        return pm.level(project, **kwargs)


# --------------------------------------------------------------------------- the same as plain levelling


def _with_a_date(p: pm.Project) -> pm.Project:
    """The project with a finish-no-earlier-than date on its last task that binds nothing (the project
    start): the dated engine schedules it, on the working-day axis."""
    last = p.tasks[-1]
    return dataclasses.replace(p, tasks=list(p.tasks[:-1]) + [
        dataclasses.replace(last, constraint="FNET", constraint_date=p.start)])


def _on_a_copy_of_the_calendar(p: pm.Project) -> pm.Project:
    """Every task on a calendar with the project calendar's hours under another id: the engine works in
    minutes on calendar tables, the working time is the same."""
    copy = pm.Calendar(id="copy", name="the same hours")
    return dataclasses.replace(p, calendars=(copy,), tasks=[dataclasses.replace(t, calendar="copy")
                                                            for t in p.tasks])


@pytest.mark.parametrize("variant", [_with_a_date, _on_a_copy_of_the_calendar])
@pytest.mark.parametrize("name", ["j301_1.sm", "Pat1.rcp"])
def test_one_pass_on_calendars_is_the_plain_serial_scheme(name, variant):
    # The same working time, so the same schedule as the plain kernels give, floats included, for every rule.
    p = pm.read_project(PSPLIB / name)
    q = variant(p)
    assert plain_schedule(p) and not plain_schedule(q)
    assert timeline(q).uniform == (variant is _with_a_date)
    for rule in RULES:
        plain, dated = pm.level(p, rule=rule, improve=False), level_quietly(q, rule=rule, improve=False)
        assert dated.makespan == plain.makespan, rule
        for column in ("start", "finish", "total_float", "free_float"):
            assert np.allclose(dated.table[column], plain.table[column], atol=1e-9), (rule, column)


def test_the_search_on_calendars_reaches_the_psplib_optimum():
    # j301_1: optimum 43 working days (j30opt.sm); with improvement the calendar heuristic finds it.
    p = _on_a_copy_of_the_calendar(pm.read_project(PSPLIB / "j301_1.sm"))
    s = level_quietly(p)
    assert s.makespan == 43.0
    assert s.kind == "levelled" and s.info["schedules"] >= IMPROVE_SCHEDULES


def test_exact_and_parallel_refuse_calendars_with_the_reason():
    p = _with_a_date(pm.read_project(PSPLIB / "j301_1.sm"))
    for method in ("exact", "parallel"):
        with pytest.raises(pm.ValidationError, match="method='serial'"):
            pm.level(p, method=method)


# --------------------------------------------------------------------------- calendars


def test_a_task_works_on_its_own_calendar():
    # B (4 days, 7-day calendar) drives D (2 days), so by latest finish B takes dev first: B Mon-Thu,
    # D Fri + Mon. A (2 days, Monday-Friday) waits for dev: Friday, then the weekend off, Monday.
    # The other order is a day longer: A Mon-Tue, B Wed-Sat (its calendar works Saturday), D Mon-Tue.
    p = pm.Project(name="two calendars", start="2027-01-04", calendars=(SEVEN,),
                   tasks=[pm.Task("A", duration=2, resources={"dev": 1}),
                          pm.Task("B", duration=4, resources={"dev": 1}, calendar="seven"),
                          pm.Task("D", duration=2)],
                   dependencies=[pm.Dependency("B", "D")], resources=[pm.Resource("dev", capacity=1)])
    s = level_quietly(p)
    assert times(s) == {"A": ("2027-01-08 08:00", "2027-01-11 17:00"),
                        "B": ("2027-01-04 08:00", "2027-01-07 17:00"),
                        "D": ("2027-01-08 08:00", "2027-01-11 17:00")}
    assert s.makespan == 6.0  # Mon 4 to Mon 11: six working days of the project calendar
    assert s.held_back.loc["A", "resources"] == "dev"
    assert s.held_back.loc["A", "delay"] == 4.0  # Mon 08:00 -> Fri 08:00: four of its working days


def test_a_resource_works_on_its_calendar():
    # The crew works seven days a week; tasks without a calendar of their own follow it: X Mon-Wed,
    # Y Thu-Sat. On the project calendar Y would finish on Monday 11.
    p = pm.Project(name="crew", start="2027-01-04", calendars=(SEVEN,),
                   tasks=[pm.Task("X", duration=3, resources={"crew": 1}),
                          pm.Task("Y", duration=3, resources={"crew": 1})],
                   resources=[pm.Resource("crew", capacity=1, calendar="seven")])
    assert times(level_quietly(p)) == {"X": ("2027-01-04 08:00", "2027-01-06 17:00"),
                                       "Y": ("2027-01-07 08:00", "2027-01-09 17:00")}


def test_tasks_on_different_shifts_share_a_resource_when_their_hours_do_not_meet():
    # A works days (08:00-17:00), N nights (00:00-04:00 and 20:00-24:00); one unit of the tester serves
    # both at once, because their working hours never meet. P, a second day task, must wait for A.
    nights = pm.Calendar(hours="00:00-04:00,20:00-24:00", id="nights", name="night shift")
    p = pm.Project(name="shifts", start="2027-01-04", calendars=(nights,),
                   tasks=[pm.Task("A", duration=2, resources={"qa": 1}),
                          pm.Task("N", duration=2, resources={"qa": 1}, calendar="nights"),
                          pm.Task("P", duration=1, resources={"qa": 1})],
                   resources=[pm.Resource("qa", capacity=1)])
    got = times(level_quietly(p))
    assert got["A"] == ("2027-01-04 08:00", "2027-01-05 17:00")
    assert got["P"] == ("2027-01-06 08:00", "2027-01-06 17:00")
    # Night work from Monday 00:00: Mon 00:00-04:00 and 20:00-24:00 is one day, Tuesday's the second.
    assert got["N"] == ("2027-01-04 00:00", "2027-01-06 00:00")


# --------------------------------------------------------------------------- progress and the data date


def _in_progress(rule: str = "retained_logic") -> pm.Project:
    # Data date: end of Wednesday 6. C is done (Mon-Tue); A started Monday with 2 days left; B not started.
    return pm.Project(name="progress", start="2027-01-04", status_date="2027-01-06", progress_rule=rule,
                      tasks=[pm.Task("C", duration=2, resources={"dev": 1}, actual_start="2027-01-04",
                                     actual_finish="2027-01-05"),
                             pm.Task("A", duration=4, resources={"dev": 1}, actual_start="2027-01-04",
                                     remaining_duration=2),
                             pm.Task("B", duration=1, resources={"dev": 1})],
                      resources=[pm.Resource("dev", capacity=1)])


def test_nothing_starts_before_the_data_date_and_actual_dates_stay():
    # A's remaining 2 days run from the data date (Thu-Fri) and keep dev; B, not started, cannot start
    # before the data date and then waits for dev: Monday 11. C keeps its actual dates (its use of dev is
    # history, it counts for nothing now).
    p = _in_progress()
    s = level_quietly(p)
    assert times(s) == {"C": ("2027-01-04 08:00", "2027-01-05 17:00"),
                        "A": ("2027-01-04 08:00", "2027-01-08 17:00"),
                        "B": ("2027-01-11 08:00", "2027-01-11 17:00")}
    # A's remaining work starts at the data date (the table's early_start, as P6 stores it); the CPM would
    # start B there too (Thursday: 3 working days from the start).
    assert s.table.at["A", "early_start"] == 3.0 and s.table.at["B", "early_start"] == 3.0
    assert s.table.at["B", "start"] == 5.0 and s.makespan == 6.0
    assert s.held_back.loc["B", "resources"] == "dev"


def test_ms_project_progress_rule_runs_started_work_from_its_actual_start():
    # MS Project: A goes on from its actual start for its whole 4 days (Mon-Thu), C's dates are history,
    # and B waits for dev until Friday.
    s = level_quietly(_in_progress("ms_project"))
    assert times(s)["A"] == ("2027-01-04 08:00", "2027-01-07 17:00")
    assert times(s)["B"] == ("2027-01-08 08:00", "2027-01-08 17:00")


# --------------------------------------------------------------------------- constraints


def test_must_start_on_holds_and_others_level_around_it():
    # M must start Tuesday 5: it stays, and A (2 days) cannot use Monday alone, so it runs Wed-Thu;
    # S (start no later than Tue 5) fits Monday, where the CPM puts it.
    p = pm.Project(name="constraints", start="2027-01-04",
                   tasks=[pm.Task("M", duration=1, resources={"dev": 1}, constraint="MSO", constraint_date="2027-01-05"),
                          pm.Task("A", duration=2, resources={"dev": 1}),
                          pm.Task("S", duration=1, resources={"dev": 1}, constraint="SNLT",
                                  constraint_date="2027-01-05")],
                   resources=[pm.Resource("dev", capacity=1)])
    assert times(level_quietly(p)) == {"M": ("2027-01-05 08:00", "2027-01-05 17:00"),
                                       "A": ("2027-01-06 08:00", "2027-01-07 17:00"),
                                       "S": ("2027-01-04 08:00", "2027-01-04 17:00")}


def test_start_no_earlier_than_holds_while_levelling():
    # L may not start before Wednesday 6: it takes dev then, and K (no date, later late finish) waits.
    p = pm.Project(name="snet", start="2027-01-04",
                   tasks=[pm.Task("K", duration=3, resources={"dev": 1}),
                          pm.Task("L", duration=1, resources={"dev": 1}, constraint="SNET",
                                  constraint_date="2027-01-06")],
                   resources=[pm.Resource("dev", capacity=1)])
    got = times(level_quietly(p))
    assert got["L"][0] >= "2027-01-06 08:00"
    # Either order ends Thursday 7; the serial scheme by latest finish places K (LF Thu) then L (LF Thu):
    # K Mon-Wed, L Thu.
    assert got == {"K": ("2027-01-04 08:00", "2027-01-06 17:00"), "L": ("2027-01-07 08:00", "2027-01-07 17:00")}


def test_broken_hard_dates_are_named_in_warnings():
    # M and N must both start Monday on the one dev: levelling keeps them (hard) and says dev is over
    # capacity. S must start no later than Monday (honoured, MS Project's option): it moves to Tuesday,
    # said so, and shows one day of negative float.
    p = pm.Project(name="clash", start="2027-01-04",
                   tasks=[pm.Task("M", duration=1, resources={"dev": 1}, constraint="MSO", constraint_date="2027-01-04"),
                          pm.Task("N", duration=1, resources={"dev": 1}, constraint="MSO", constraint_date="2027-01-04"),
                          pm.Task("S", duration=1, resources={"dev": 1}, constraint="SNLT",
                                  constraint_date="2027-01-04")],
                   resources=[pm.Resource("dev", capacity=1)])
    with pytest.warns(PmsimWarning) as record:
        s = pm.level(p)
    messages = [str(w.message) for w in record]
    assert any(m.startswith("Task 'M'") and "dev is over capacity" in m for m in messages)
    assert any(m.startswith("Task 'N'") and "dev is over capacity" in m for m in messages)
    assert any(m.startswith("Task 'S'") and "after its start no later than 2027-01-04 08:00" in m for m in messages)
    assert times(s)["S"] == ("2027-01-05 08:00", "2027-01-05 17:00")
    assert s.table.at["S", "total_float"] == -1.0 and s.table.at["S", "critical"]
    # P6's way (constraints not honoured): the start no later than date is a late date, only the float says it.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        q = pm.level(dataclasses.replace(p, honor_constraints=False))
    assert not any("'S'" in str(w.message) for w in caught)
    assert q.table.at["S", "total_float"] == -1.0


def test_a_started_task_over_capacity_is_named():
    # Both started Monday; the data date is the end of Monday, so each has 2 of its 3 days left, Tue-Wed.
    # Both keep dev from the data date: over capacity, said so for each.
    p = pm.Project(name="both started", start="2027-01-04", status_date="2027-01-04",
                   tasks=[pm.Task("A", duration=3, resources={"dev": 1}, actual_start="2027-01-04"),
                          pm.Task("B", duration=3, resources={"dev": 1}, actual_start="2027-01-04")],
                   resources=[pm.Resource("dev", capacity=1)])
    with pytest.warns(PmsimWarning) as record:
        s = pm.level(p)
    assert sorted(str(w.message)[:60] for w in record) == [
        f"Task '{t}': levelling keeps it where it is (its work has started)"[:60] for t in "AB"]
    assert times(s) == {t: ("2027-01-04 08:00", "2027-01-06 17:00") for t in "AB"}


# --------------------------------------------------------------------------- the levelled Monte Carlo


def _two_calendars() -> pm.Project:
    return pm.Project(name="two calendars", start="2027-01-04", calendars=(SEVEN,),
                      tasks=[pm.Task("A", duration=2, resources={"dev": 1}),
                             pm.Task("B", duration=4, resources={"dev": 1}, calendar="seven"),
                             pm.Task("D", duration=2)],
                      dependencies=[pm.Dependency("B", "D")], resources=[pm.Resource("dev", capacity=1)])


def _uncertain(project: pm.Project, spread=(0.7, 1.8)) -> pm.Project:
    """Three-point estimates around each planned duration (started tasks keep theirs)."""
    lo, hi = spread
    return project.replace(tasks=tuple(
        t.replace(optimistic=t.planned_duration * lo, most_likely=t.planned_duration,
                  pessimistic=t.planned_duration * hi) if t.planned_duration > 0 else t for t in project.tasks))


@pytest.mark.parametrize("build", [
    _two_calendars, _in_progress,
    lambda: _on_a_copy_of_the_calendar(pm.read_project(PSPLIB / "j301_1.sm")),
    lambda: _with_a_date(pm.read_project(PSPLIB / "j3013_1.sm")),
])
def test_levelled_iterations_with_planned_durations_reproduce_level_on_calendars(build):
    # Zero-width estimates: every iteration is the levelled plan, task by task.
    p = build()
    s = level_quietly(p)
    sim = pm.simulate(p, iterations=64, seed=1, levelled=True, keep="tasks")
    assert np.all(sim.finish == np.float32(s.makespan))
    _, start, finish = next(sim.iter_task_dates())
    assert np.allclose(start, s.table["start"].to_numpy()[None, :], atol=1e-4)  # float32 days
    assert np.allclose(finish, s.table["finish"].to_numpy()[None, :], atol=1e-4)
    assert sim.levelled_plan.table.equals(s.table)


def test_levelled_criticality_on_calendars_follows_the_hand_over():
    # B hands dev to A (B ends Thursday 17:00, A starts Friday 08:00, the next working moment): A, B and
    # D all set the finish on Monday 11.
    sim = pm.simulate(_two_calendars(), iterations=20, seed=1, levelled=True)
    assert sim.criticality.to_dict() == {"A": 1.0, "B": 1.0, "D": 1.0}


def test_levelled_simulation_on_calendars_repeats_whatever_the_chunks_and_threads():
    import numba

    p = _uncertain(_on_a_copy_of_the_calendar(pm.read_project(PSPLIB / "j301_1.sm")))
    a = pm.simulate(p, iterations=600, seed=21, levelled=True, keep="tasks")
    b = pm.simulate(p, iterations=600, seed=21, levelled=True, keep="tasks", chunk_size=7)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        c = pm.simulate(p, iterations=600, seed=21, levelled=True, keep="tasks")
    finally:
        numba.set_num_threads(threads)
    for other in (b, c):
        assert np.array_equal(a.finish, other.finish) and a.criticality.equals(other.criticality)
        assert np.array_equal(a.task_finish, other.task_finish)
    # The dates regenerated in chunks of another size are the run's.
    regenerated = np.concatenate([finish for _, _, finish in a.iter_task_dates(chunk_size=250)])
    assert np.allclose(regenerated, a.task_finish, atol=0, rtol=0)
    assert not np.array_equal(a.finish, pm.simulate(p, iterations=600, seed=22, levelled=True).finish)


def test_levelled_iterations_on_calendars_keep_capacity_links_and_the_data_date():
    # On the copy of the project calendar working days are the plain axis: check each iteration's dates
    # with the links' arithmetic and the units in use at every task's start.
    p = _uncertain(_on_a_copy_of_the_calendar(pm.read_project(PSPLIB / "j3013_1.sm")))
    sim = pm.simulate(p, iterations=300, seed=4, levelled=True, keep="tasks")
    _, start, finish = next(sim.iter_task_dates(chunk_size=300))
    ids = list(p.task_ids)
    col = {t: k for k, t in enumerate(ids)}
    tol = 1e-3  # float32 dates of up to ~200 days
    for d in p.dependencies:
        a, b = col[d.predecessor], col[d.successor]
        assert np.all(start[:, b] >= finish[:, a] - tol), d  # PSPLIB: finish-to-start, no lag
    for r in p.resources:
        units = np.array([dict(p.task(t).resources).get(r.id, 0.0) for t in ids])
        busy = finish > start + tol
        running = (start[:, None, :] <= start[:, :, None] + tol) & (finish[:, None, :] > start[:, :, None] + tol) \
            & busy[:, None, :]
        assert ((running * units[None, None, :]).sum(axis=2)).max() <= r.capacity + 1e-6, r.id
    unlevelled = pm.simulate(p, iterations=300, seed=4)
    assert np.all(sim.finish >= unlevelled.finish - tol) and sim.mean > unlevelled.mean
    # In progress: no iteration starts work not yet started before the data date (Thursday: day 3).
    q = _uncertain(_in_progress())
    _, start, _ = next(pm.simulate(q, iterations=500, seed=2, levelled=True, keep="tasks").iter_task_dates())
    assert np.all(start[:, list(q.task_ids).index("B")] >= 3.0)
    assert np.all(start[:, list(q.task_ids).index("A")] == 0.0)  # its actual start


def test_a_task_planned_at_zero_still_needs_its_resource_when_an_iteration_gives_it_time():
    # Z is planned at 0 days (0/0/3 estimate) but uses dev when it lasts; A holds dev for 2 days. On the copy
    # of the project calendar working days are the plain axis: no iteration may run both on dev at once.
    copy = pm.Calendar(id="copy", name="the same hours")
    p = pm.Project(name="zero", start="2027-01-04", calendars=(copy,),
                   tasks=[pm.Task("A", duration=2, resources={"dev": 1}, calendar="copy"),
                          pm.Task("Z", optimistic=0, most_likely=0, pessimistic=3, resources={"dev": 1},
                                  calendar="copy")],
                   resources=[pm.Resource("dev", capacity=1)])
    sim = pm.simulate(p, iterations=400, seed=3, levelled=True, keep="tasks")
    _, start, finish = next(sim.iter_task_dates())
    lasts = finish[:, 1] > start[:, 1] + 1e-4
    assert lasts.sum() > 300  # a triangular 0/0/3 is 0 with probability 0
    apart = (finish[:, 0] <= start[:, 1] + 1e-4) | (finish[:, 1] <= start[:, 0] + 1e-4)
    assert np.all(apart[lasts])
