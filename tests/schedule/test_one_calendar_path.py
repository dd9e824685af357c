"""CPM's one-calendar path against its calendars' path, column by column.

A project whose tasks and lags all work on the project calendar is scheduled
on an axis of its working days (``pmsim.timeline``: a uniform timeline, found
by a quick test of the project, ``task_facts.one_calendar``, before the long
one). Give every task a calendar of its own that is the project calendar in
all but its id (a twin) and the same plan goes the calendars' way: elapsed
minutes from an origin, each calendar a table of working intervals, every
date a lookup. The two must give the same schedule. Random plans with every
link type, negative lags, date constraints, ALAP, deadlines, a must-finish-by
date, progress at a data date, by P6's two progress rules and MS Project's.
Durations, lags and the work done are whole, half or quarter days: every
value is exact on both axes, so the tables are compared with ``==``.

Plans whose late dates fall before the project start (negative float
reaching back past it) are compared on every column too: the calendars' axis
then begins earlier, and neither its late dates nor a milestone at the
project start may differ for it.

One difference is known (2026-12-07) and left out: the day shown
(``start_date``, ``finish_date``) of a task that sits at the next working
moment under P6's rules (a start milestone, a started task with no work
left). The calendars' axis shows that moment's day (Monday 08:00 after a
Friday's work, as P6 does); the one-calendar axis, in working days, shows
the day the work before it ended. Their times in working days are compared.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import numpy as np
import pandas as pd
import pytest

import pmsim as pm
import pmsim.timeline as timeline_module
from pmsim.errors import ValidationError
from pmsim.task_facts import one_calendar
from pmsim.timeline import timeline

START = dt.date(2027, 1, 4)  # a Monday
RULES = ("retained_logic", "progress_override", "ms_project")
COLUMNS = ["duration", "start", "finish", "early_start", "early_finish", "late_start", "late_finish",
           "total_float", "free_float", "critical", "start_date", "finish_date"]


def weekday(days: int) -> dt.date:
    """The ``days``-th working day (Monday to Friday) after the start."""
    return np.busday_offset(np.datetime64(START), days, roll="forward").astype(object)


def random_plan(seed: int, rule: str) -> pm.Project:
    """A plan of 30-50 tasks listed in random order. Durations 0-10 days in halves (a zero one in six,
    some of them start milestones); 1-3 links into each task from earlier ones, any type, lags -3 to 5
    days (halves too). One task in five of those not started has a date constraint (any kind but the
    round ALAP, which one in ten has), one in eight a deadline. With progress (seeds divisible by 3 have
    none), the status date is day 12 and the first tasks have started or finished before it."""
    rng = random.Random(seed)
    n = rng.randint(30, 50)
    names = [f"T{k}" for k in range(n)]
    dur = [0.0 if rng.random() < 1 / 6 else rng.randint(1, 20) / 2 for _ in range(n)]
    progress = seed % 3 != 0
    tasks = []
    for k in range(n):
        fields = {"duration": dur[k]}
        if dur[k] == 0 and rng.random() < 0.5:
            fields["milestone"] = rng.choice([True, "start"])
        if progress and k < n // 5:
            begin = rng.randint(0, 6)
            fields["actual_start"] = weekday(begin)
            if rng.random() < 0.5 and begin + dur[k] <= 11:
                fields["actual_finish"] = weekday(begin + max(int(dur[k]) - 1, 0))
            elif rng.random() < 0.5:
                fields["remaining_duration"] = rng.randint(0, 8) / 2
            else:
                fields["percent_complete"] = float(rng.choice([0, 25, 50, 75]))
        else:
            r = rng.random()
            if r < 0.2:
                kind = rng.choice(["SNET", "FNET", "SNLT", "FNLT", "MSO", "MFO"])
                fields["constraint"], fields["constraint_date"] = kind, weekday(rng.randint(20, 70))
            elif r < 0.3:
                fields["constraint"] = "ALAP"
            if rng.random() < 1 / 8:
                fields["deadline"] = weekday(rng.randint(30, 80))
        tasks.append(pm.Task(names[k], **fields))
    links = set()
    for k in range(1, n):
        for _ in range(rng.randint(1, 3)):
            links.add((names[rng.randrange(max(0, k - 8), k)], names[k], rng.choice(["FS", "SS", "FF", "SF"]),
                       rng.randint(-6, 10) / 2 if rng.random() < 0.6 else 0.0))
    deps = [pm.Dependency(*link) for link in sorted(links)]
    rng.shuffle(tasks)
    rng.shuffle(deps)
    settings = {"progress_rule": rule, "honor_constraints": rng.random() < 0.5,
                "total_float": rng.choice(["start", "finish", "smallest"])}
    if progress:
        settings["status_date"] = weekday(12)
    if rng.random() < 0.3:
        settings["must_finish_by"] = weekday(rng.randint(60, 100))
    return pm.Project(name=f"random {seed}", start=START, tasks=tasks, dependencies=deps, **settings)


def on_twin_calendar(project: pm.Project) -> pm.Project:
    """The same plan with every task on a copy of the project calendar under another id."""
    twin = dataclasses.replace(project.calendar, id="twin", name="twin")
    return project.replace(calendars=(twin,), tasks=[t.replace(calendar="twin") for t in project.tasks])


def outcome(project: pm.Project):
    """The schedule's table, or the error that refused it."""
    try:
        s = pm.cpm(project)
    except ValidationError as exc:
        return str(exc).replace("'twin'", "")
    return s.table[COLUMNS], s.makespan, s.critical_path, s.finish_date


def late_before_start(result) -> bool:
    return not isinstance(result, str) and bool((result[0]["late_start"] < 0).any())


def next_moment_tasks(project: pm.Project) -> list:
    """The tasks whose day shown the two axes are known to give differently (see the module notes)."""
    return [t.id for t in project.tasks if t.milestone == "start" or (t.actual_start is not None and not t.finished)]


def assert_same(one, other, columns=COLUMNS, days_apart=()):
    if isinstance(one, str) or isinstance(other, str):
        assert one == other
        return
    table, makespan, critical, finish = one
    for column in columns:
        mine, theirs = table[column], other[0][column]
        if column in ("start_date", "finish_date"):
            mine, theirs = mine.drop(list(days_apart)), theirs.drop(list(days_apart))
        pd.testing.assert_series_equal(mine, theirs, check_exact=True, obj=column)
    assert makespan == other[1]
    if columns == COLUMNS:
        assert (critical, finish) == other[2:]


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("seed", range(12))
def test_the_one_calendar_axis_gives_the_calendar_axis_schedule(seed, rule):
    project = random_plan(seed, rule)
    twin = on_twin_calendar(project)
    assert timeline(project).uniform and not timeline(twin).uniform  # the two paths are taken
    assert_same(outcome(project), outcome(twin), COLUMNS, next_moment_tasks(project))


def test_the_plans_cover_what_they_say():
    """The random plans hold every link type, negative lags, each constraint, deadlines and progress, and
    most are scheduled (not refused), so the comparison above compares schedules."""
    plans = [random_plan(seed, rule) for seed in range(12) for rule in RULES]
    deps = [d for p in plans for d in p.dependencies]
    tasks = [t for p in plans for t in p.tasks]
    assert {d.type for d in deps} == {"FS", "SS", "FF", "SF"} and min(d.lag for d in deps) < 0
    assert {t.constraint for t in tasks} == {"ASAP", "ALAP", "SNET", "FNET", "SNLT", "FNLT", "MSO", "MFO"}
    assert sum(t.deadline is not None for t in tasks) > 20 and sum(t.finished for t in tasks) > 20
    assert sum(t.actual_start is not None and not t.finished for t in tasks) > 20
    results = [outcome(p) for p in plans]
    assert not any(isinstance(r, str) for r in results)  # none refused: schedules are compared
    full = [r for r in results if not late_before_start(r)]
    assert len(full) >= 18 and sum(bool((r[0]["total_float"] < 0).any()) for r in full) >= 12


@pytest.mark.parametrize("seed", range(6))
def test_the_quick_one_calendar_test_builds_the_timeline_the_long_one_builds(seed, monkeypatch):
    project = random_plan(seed, RULES[seed % 3])
    assert one_calendar(project)
    quick = timeline(project)
    monkeypatch.setattr(timeline_module, "one_calendar", lambda p: False)
    again = project.replace(name="again")
    slow = timeline(again)
    assert quick.uniform and slow.uniform
    for f in dataclasses.fields(quick):
        if f.name in ("project", "net", "tables"):
            continue
        a, b = getattr(quick, f.name), getattr(slow, f.name)
        assert np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b, f.name
    assert_same(outcome(project), outcome(again))


def test_the_quick_test_sends_calendars_delays_and_manual_starts_the_long_way():
    base = random_plan(1, "retained_logic")
    night = pm.Calendar(hours="22:00-24:00", id="night")
    first = base.tasks[0]
    assert not one_calendar(base.replace(calendars=(night,), tasks=[first.replace(calendar="night"),
                                                                   *base.tasks[1:]]))
    assert not one_calendar(base.replace(tasks=[first.replace(levelling_delay=1), *base.tasks[1:]]))
    assert not one_calendar(base.replace(tasks=[first.replace(manual_start=START), *base.tasks[1:]]))
    assert any(d.lag for d in base.dependencies) and not one_calendar(base.replace(lag_calendar="24h"))
    unlagged = {(d.predecessor, d.successor, d.type): dataclasses.replace(d, lag=0) for d in base.dependencies}
    no_lags = base.replace(lag_calendar="24h", dependencies=list(unlagged.values()))
    assert one_calendar(no_lags) and timeline(no_lags).uniform  # round the clock counts no lag
