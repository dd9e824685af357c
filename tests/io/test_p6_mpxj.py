"""MPXJ, the reference reader of P6 files, against pmsim's XER and P6 XML: it reads what pmsim
writes with the same calendars, constraints, progress and links, and pmsim reads the real P6
files in tests/data/real as MPXJ does (calendars, durations, constraints, lags).

These tests need Java and the ``mpxj`` extra (see tests/io/test_mpxj.py).
"""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path
from types import SimpleNamespace

import pytest

import pmsim as pm
from pmsim.calendar import WEEKDAYS
from pmsim.io._mpxj import java_missing, start_jvm
from support import IN_CI
from test_p6 import every_feature_project

pytestmark = pytest.mark.mpxj

REAL = Path(__file__).resolve().parents[1] / "data" / "real"
CONSTRAINTS = {"START_ON": "SO", "FINISH_ON": "FO", "START_NO_EARLIER_THAN": "SNET", "FINISH_NO_EARLIER_THAN": "FNET",
               "START_NO_LATER_THAN": "SNLT", "FINISH_NO_LATER_THAN": "FNLT", "MUST_START_ON": "MSO",
               "MUST_FINISH_ON": "MFO", "AS_LATE_AS_POSSIBLE": "ALAP", "AS_SOON_AS_POSSIBLE": "ASAP"}
LINKS = {"FINISH_START": "FS", "START_START": "SS", "FINISH_FINISH": "FF", "START_FINISH": "SF"}


@pytest.fixture(scope="module")
def mpxj():
    reason = java_missing()
    if reason is not None:
        if IN_CI:
            pytest.fail(f"the MPXJ tests must run in CI: {reason}")
        pytest.skip(f"MPXJ cannot run here: {reason}")
    start_jvm()
    from java.time import DayOfWeek, LocalDate
    from org.mpxj import TimeUnit
    from org.mpxj.reader import UniversalProjectReader

    days = {d: getattr(DayOfWeek, name) for d, name in zip(WEEKDAYS, (
        "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"))}
    return SimpleNamespace(LocalDate=LocalDate, TimeUnit=TimeUnit, UniversalProjectReader=UniversalProjectReader,
                           days=days)


def spans(ranges) -> tuple:
    out = []
    for r in ranges:
        a = r.getStart().getHour() * 60 + r.getStart().getMinute()
        b = r.getEnd().getHour() * 60 + r.getEnd().getMinute()
        out.append((a, b or 1440))
    return tuple(sorted(out))


def moment(value):
    return None if value is None else dt.datetime.fromisoformat(str(value))


def day_spans(calendar, day):
    for exc in calendar.exceptions:
        if exc.first <= day <= exc.last:
            return exc.hours
    if day in calendar.holidays:
        return ()
    return calendar.day_hours(WEEKDAYS[day.weekday()])


def same_calendar(ours, theirs, mpxj, start: dt.date, days: int = 400) -> list[str]:
    """Where ``ours`` and MPXJ's calendar differ: weekdays, each day from ``start``, the hours of a day."""
    out = [d for d in WEEKDAYS if ours.day_hours(d) != spans(theirs.getHours(mpxj.days[d]))]
    for k in range(days):
        day = start + dt.timedelta(days=k)
        if day_spans(ours, day) != spans(theirs.getHours(mpxj.LocalDate.of(day.year, day.month, day.day))):
            out.append(day.isoformat())
    if abs(ours.hours_per_day * 60 - float(theirs.getMinutesPerDay())) > 1e-6:
        out.append(f"hours per day {ours.hours_per_day} vs {float(theirs.getMinutesPerDay()) / 60}")
    return out


def test_mpxj_reads_what_pmsim_writes(mpxj, tmp_path):
    p = every_feature_project()
    path = tmp_path / "p.xer"
    pm.write_project(p, path)
    file = mpxj.UniversalProjectReader().read(str(path))
    props = file.getProjectProperties()
    assert moment(props.getStatusDate()) == p.status_date and moment(props.getMustFinishBy()) == p.must_finish_by
    assert (str(props.getRelationshipLagCalendar().name()), str(props.getTotalSlackCalculationType().name()),
            str(props.getSchedulingProgressedActivities().name())) == \
        ("SUCCESSOR", "SMALLEST_SLACK", "PROGRESS_OVERRIDE")
    tasks = {str(t.getActivityID()): t for t in file.getTasks() if t.getActivityID() is not None}
    hours = lambda d: float(d.convertUnits(mpxj.TimeUnit.HOURS, props).getDuration())  # noqa: E731
    for task in p.tasks:
        mt = tasks[task.id]
        cal = p.task_calendar(task)
        assert str(mt.getEffectiveCalendar().getName()) == cal.name, task.id
        assert same_calendar(cal, mt.getEffectiveCalendar(), mpxj, p.start) == [], task.id
        assert hours(mt.getPlannedDuration()) == pytest.approx(task.planned_duration * cal.hours_per_day), task.id
        kind = mt.getConstraintType()
        assert (CONSTRAINTS[str(kind.name())] if kind is not None else "ASAP", moment(mt.getConstraintDate())) == \
            (task.constraint, task.constraint_date), task.id
        second = mt.getSecondaryConstraintType()
        assert (CONSTRAINTS[str(second.name())] if second is not None else None,
                moment(mt.getSecondaryConstraintDate())) == \
            (task.secondary_constraint, task.secondary_constraint_date), task.id
        assert (moment(mt.getActualStart()), moment(mt.getActualFinish())) == (task.actual_start, task.actual_finish)
        if task.started and not task.finished:
            assert hours(mt.getRemainingDuration()) == pytest.approx(task.remaining_duration * cal.hours_per_day)
    links = set()
    for t in file.getTasks():
        for rel in t.getPredecessors():
            links.add((str(rel.getPredecessorTask().getActivityID()), str(t.getActivityID()),
                       LINKS[str(rel.getType().name())], round(hours(rel.getLag()), 6)))
    # Both links of the pair A -> B; lags in hours of the successor's calendar (the project's rule).
    assert links == {(d.predecessor, d.successor, d.type, round(d.lag * p.task_calendar(d.successor).hours_per_day, 6))
                     for d in p.dependencies}
    resources = {str(r.getName()): r for r in file.getResources() if r.getName() is not None}
    assert str(resources["Crane"].getCalendar().getName()) == "Night shift"


REAL_FILES = sorted(f for f in REAL.iterdir() if f.suffix in (".xer", ".xml") and f.name != "ScheduleOptions.xer")


@pytest.mark.parametrize("path", REAL_FILES, ids=[f.name for f in REAL_FILES])
def test_real_p6_files_read_as_mpxj_reads_them(mpxj, path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PmsimWarning)
        p = pm.read_project(path, check_health=False)
    file = mpxj.UniversalProjectReader().read(str(path))
    props = file.getProjectProperties()
    hours = lambda d: float(d.convertUnits(mpxj.TimeUnit.HOURS, props).getDuration())  # noqa: E731
    tasks = {str(t.getActivityID()): t for t in file.getTasks() if t.getActivityID() is not None}
    compared, checked = 0, set()
    for task in p.tasks:
        mt = tasks.get(task.id)
        if mt is None:
            continue
        compared += 1
        # MPXJ keeps a resource-dependent activity on its activity calendar; pmsim on its resource's.
        if str(mt.getActivityType()) != "RESOURCE_DEPENDENT":
            cal = p.task_calendar(task)
            if (cal.id, str(mt.getEffectiveCalendar().getUniqueID())) not in checked:  # each pair once
                assert same_calendar(cal, mt.getEffectiveCalendar(), mpxj, p.start) == [], task.id
                checked.add((cal.id, str(mt.getEffectiveCalendar().getUniqueID())))
            if not task.milestone:
                assert hours(mt.getPlannedDuration()) == pytest.approx(task.planned_duration * cal.hours_per_day)
        kind = mt.getConstraintType()
        assert (CONSTRAINTS[str(kind.name())] if kind is not None else "ASAP") == task.constraint, task.id
    assert compared == len(p.tasks)
    ours = {(d.predecessor, d.successor, d.type) for d in p.dependencies}
    theirs = {(str(rel.getPredecessorTask().getActivityID()), str(t.getActivityID()), LINKS[str(rel.getType().name())])
              for t in file.getTasks() for rel in t.getPredecessors()
              if str(rel.getPredecessorTask().getActivityID()) in p.task_ids}
    assert ours == {x for x in theirs if x[1] in p.task_ids}
