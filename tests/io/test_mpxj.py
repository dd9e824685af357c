"""Verified against MPXJ, the reference library for MS Project and Primavera files.

MPXJ must read every file pmsim writes (MSPDI and XER) with the same tasks,
durations, links and lags; pmsim must read what MPXJ writes from a schedule
built through MPXJ's own API; ``.mpp`` files are read through MPXJ.

These tests need Java and the ``mpxj`` extra. Outside CI they skip with the
reason when either is missing; with ``CI=true`` a missing Java fails them.
"""

from __future__ import annotations

import dataclasses
import math
import os
import warnings
from types import SimpleNamespace

import pandas as pd
import pytest

import pmsim as pm
from support import IN_CI
from mspdi_features import every_feature_project
from support import rich_exchange_project as rich_project
from pmsim.io._mpxj import java_missing, start_jvm

pytestmark = pytest.mark.mpxj

EXAMPLE_MPP = pm.data_path().parent / "tests" / "data" / "import" / "example.mpp"
LINK_NAMES = {"FINISH_START": "FS", "START_START": "SS", "FINISH_FINISH": "FF", "START_FINISH": "SF"}


@pytest.fixture(scope="module")
def mpxj():
    """The JVM, started once for the module, and the MPXJ classes the tests use."""
    reason = java_missing()
    if reason is not None:
        if IN_CI:
            pytest.fail(f"the MPXJ tests must run in CI: {reason}")
        pytest.skip(f"MPXJ cannot run here: {reason}")
    start_jvm()
    from java.lang import Double
    from java.time import DayOfWeek, LocalDate, LocalDateTime
    from org.mpxj import (Availability, CostRateTableEntry, Duration, ProjectFile, Rate, Relation,
                          RelationType, TimeUnit)
    from org.mpxj.common import LocalDateTimeHelper
    from org.mpxj.mspdi import MSPDIReader, MSPDIWriter
    from org.mpxj.primavera import PrimaveraXERFileReader, PrimaveraXERFileWriter
    from org.mpxj.reader import UniversalProjectReader

    return SimpleNamespace(
        Double=Double, DayOfWeek=DayOfWeek, LocalDate=LocalDate, LocalDateTime=LocalDateTime,
        Availability=Availability, CostRateTableEntry=CostRateTableEntry, Duration=Duration,
        ProjectFile=ProjectFile, Rate=Rate, Relation=Relation, RelationType=RelationType, TimeUnit=TimeUnit,
        LocalDateTimeHelper=LocalDateTimeHelper, MSPDIReader=MSPDIReader, MSPDIWriter=MSPDIWriter,
        PrimaveraXERFileReader=PrimaveraXERFileReader, PrimaveraXERFileWriter=PrimaveraXERFileWriter,
        UniversalProjectReader=UniversalProjectReader,
    )


def quiet(read, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PmsimWarning)
        return read(*args, **kw)


def days(duration, props, mpxj) -> float:
    return float(duration.convertUnits(mpxj.TimeUnit.DAYS, props).getDuration())


def as_mpxj_sees_it(file, fmt, mpxj):
    """{task id: (name, duration in days, milestone)} and {(pred, succ): (type, lag in days)}."""
    props = file.getProjectProperties()
    tasks, links = {}, {}

    def ident(task):
        return str(task.getText(28)) if fmt == "xml" else str(task.getActivityID())

    for task in file.getTasks():
        if task.getSummary() or task.getUniqueID() == 0:
            continue
        tasks[ident(task)] = (str(task.getName()), days(task.getDuration(), props, mpxj), bool(task.getMilestone()))
        for rel in task.getPredecessors():
            links[(ident(rel.getPredecessorTask()), ident(task))] = (
                LINK_NAMES[str(rel.getType().name())], days(rel.getLag(), props, mpxj))
    return tasks, links


def as_pmsim_has_it(project):
    tasks = {t.id: (t.name, t.planned_duration, t.milestone) for t in project.tasks}
    links = {(d.predecessor, d.successor): (d.type, d.lag) for d in project.dependencies}
    return tasks, links


def assert_close(got: dict, want: dict):
    assert got.keys() == want.keys()
    for key, expected in want.items():
        for a, b in zip(got[key], expected):
            if isinstance(b, float):
                assert math.isclose(a, b, abs_tol=1e-6), (key, got[key], expected)
            else:
                assert a == b, (key, got[key], expected)


PROJECTS = ["rich", *pm.sample_projects()]


def load(name):
    return rich_project() if name == "rich" else pm.read_project(pm.data_path(name))


@pytest.mark.parametrize("name", PROJECTS)
@pytest.mark.parametrize("fmt", ["xml", "xer"])
def test_mpxj_reads_what_pmsim_writes(mpxj, tmp_path, name, fmt):
    p = load(name)
    path = tmp_path / f"{name}.{fmt}"
    pm.write_project(p, path)
    reader = mpxj.MSPDIReader() if fmt == "xml" else mpxj.PrimaveraXERFileReader()
    file = reader.read(str(path))
    tasks, links = as_mpxj_sees_it(file, fmt, mpxj)
    want_tasks, want_links = as_pmsim_has_it(p)
    assert_close(tasks, want_tasks)
    assert_close(links, want_links)
    # The universal reader recognises the format from the content.
    assert len(mpxj.UniversalProjectReader().read(str(path)).getTasks()) >= len(p.tasks)


def test_mpxj_sees_resources_calendar_and_costs(mpxj, tmp_path):
    p = rich_project()
    for fmt in ("xml", "xer"):
        path = tmp_path / f"r.{fmt}"
        pm.write_project(p, path)
        file = mpxj.UniversalProjectReader().read(str(path))
        props = file.getProjectProperties()
        resources = {str(r.getName()): r for r in file.getResources() if r.getName() is not None}
        dev = resources["Developer"]
        rate = dev.getCostRateTable(0).get(0).getRate(0)
        per_day = float(rate.getAmount()) * {"HOURS": 8, "DAYS": 1}[str(rate.getUnits().name())]
        assert per_day == 640.0
        assert float(dev.getAvailability().get(0).getUnits()) == 300.0  # percent
        cal = file.getDefaultCalendar()
        holidays = sorted(str(e.getFromDate()) for e in cal.getCalendarExceptions())
        assert holidays == [d.isoformat() for d in p.calendar.holidays]
        assert [bool(cal.isWorkingDay(d)) for d in (mpxj.DayOfWeek.SUNDAY, mpxj.DayOfWeek.FRIDAY)] == [True, False]
        assert str(props.getStartDate())[:10] == "2027-01-03"
        units = {str(a.getTask().getName()): float(a.getUnits()) for a in file.getResourceAssignments()
                 if a.getResource() is not None and str(a.getResource().getName()) == "Developer"}
        assert units == {"Über-Prüfung der Anforderungen": 200.0, "Architecture": 100.0, "Build API": 200.0,
                         "Build UI": 150.0}


def build_with_mpxj(mpxj):
    """A schedule built through MPXJ's own API: two phases, all link types, a lead, resources, a holiday."""
    file = mpxj.ProjectFile()
    props = file.getProjectProperties()
    props.setStartDate(mpxj.LocalDateTime.of(2027, 1, 4, 8, 0))
    props.setName("Built by MPXJ")
    cal = file.addDefaultBaseCalendar()
    file.setDefaultCalendar(cal)
    cal.addCalendarException(mpxj.LocalDate.of(2027, 1, 6), mpxj.LocalDate.of(2027, 1, 6))
    start, end = mpxj.LocalDateTimeHelper.START_DATE_NA, mpxj.LocalDateTimeHelper.END_DATE_NA

    def resource(name, percent, per_hour):
        r = file.addResource()
        r.setName(name)
        r.getAvailability().add(mpxj.Availability(start, end, mpxj.Double(percent)))
        r.getCostRateTable(0).add(mpxj.CostRateTableEntry(start, end, mpxj.Double(0.0),
                                                          mpxj.Rate(per_hour, mpxj.TimeUnit.HOURS)))
        return r

    dev, qa = resource("Developer", 200.0, 80.0), resource("Tester", 100.0, 50.0)

    def task(parent, name, duration):
        t = parent.addTask()
        t.setName(name)
        t.setDuration(mpxj.Duration.getInstance(duration, mpxj.TimeUnit.DAYS))
        return t

    phase1, phase2 = file.addTask(), file.addTask()
    phase1.setName("Phase 1")
    phase2.setName("Phase 2")
    a, b = task(phase1, "Design", 3), task(phase1, "Build", 2.5)
    c = task(phase2, "Test", 4)
    m = task(file, "Release", 0)
    m.setMilestone(True)

    def link(succ, pred, kind, lag):
        succ.addPredecessor(mpxj.Relation.Builder().predecessorTask(pred).type(kind)
                            .lag(mpxj.Duration.getInstance(lag, mpxj.TimeUnit.DAYS)))

    R = mpxj.RelationType
    link(b, a, R.START_START, -1)
    link(c, a, R.FINISH_START, 2)
    link(c, b, R.FINISH_FINISH, 0.5)
    link(m, c, R.START_FINISH, 5)
    link(m, b, R.FINISH_START, 0)
    a.addResourceAssignment(dev).setUnits(mpxj.Double(150.0))
    c.addResourceAssignment(qa).setUnits(mpxj.Double(100.0))
    return file


def build_website_relaunch(mpxj):
    """The plan notebook 07 imports, built through MPXJ's API (three-point estimates in Duration1-3)."""
    file = mpxj.ProjectFile()
    props = file.getProjectProperties()
    props.setStartDate(mpxj.LocalDateTime.of(2027, 4, 5, 8, 0))
    props.setName("Website relaunch")
    props.setProjectTitle("Website relaunch")
    props.setCurrencyCode("GBP")
    cal = file.addDefaultBaseCalendar()
    file.setDefaultCalendar(cal)
    for month, day in ((5, 3), (5, 31), (8, 30)):  # UK bank holidays
        cal.addCalendarException(mpxj.LocalDate.of(2027, month, day), mpxj.LocalDate.of(2027, month, day))
    start, end = mpxj.LocalDateTimeHelper.START_DATE_NA, mpxj.LocalDateTimeHelper.END_DATE_NA
    people = {}
    for name, percent, per_hour in (("Designer", 200.0, 70.0), ("Developer", 300.0, 80.0),
                                    ("Content editor", 200.0, 45.0), ("Tester", 100.0, 55.0)):
        r = file.addResource()
        r.setName(name)
        r.getAvailability().add(mpxj.Availability(start, end, mpxj.Double(percent)))
        r.getCostRateTable(0).add(mpxj.CostRateTableEntry(start, end, mpxj.Double(0.0),
                                                          mpxj.Rate(per_hour, mpxj.TimeUnit.HOURS)))
        people[name] = r
    tasks = {}

    def day(n):
        return mpxj.Duration.getInstance(n, mpxj.TimeUnit.DAYS)

    plan = {
        "Discovery": [("Stakeholder interviews", (3, 5, 9), {"Designer": 100.0}),
                      ("Analytics review", (2, 3, 6), {"Developer": 100.0}),
                      ("Requirements sign-off", None, {})],
        "Design": [("Information architecture", (4, 6, 10), {"Designer": 100.0}),
                   ("Visual design", (7, 10, 18), {"Designer": 200.0}),
                   ("Design review", (1, 2, 4), {"Designer": 50.0, "Developer": 50.0})],
        "Build": [("CMS set-up", (4, 5, 8), {"Developer": 100.0}),
                  ("Page templates", (10, 15, 25), {"Developer": 200.0}),
                  ("Content migration", (8, 12, 24), {"Content editor": 200.0}),
                  ("Integrations", (5, 8, 16), {"Developer": 100.0})],
        "Launch": [("User acceptance test", (5, 8, 14), {"Tester": 100.0}),
                   ("Fixes", (3, 5, 10), {"Developer": 200.0}),
                   ("Go-live", None, {})],
    }
    for phase, items in plan.items():
        summary = file.addTask()
        summary.setName(phase)
        for name, points, demand in items:
            t = summary.addTask()
            t.setName(name)
            if points is None:
                t.setDuration(day(0))
                t.setMilestone(True)
            else:
                t.setDuration(day(points[1]))
                for k, value in enumerate(points, 1):  # the PERT Analysis fields
                    t.setDuration(k, day(value))
            for who, units in demand.items():  # work = units x duration, as MS Project and P6 keep it
                a = t.addResourceAssignment(people[who])
                a.setUnits(mpxj.Double(units))
                hours = points[1] * 8 * units / 100
                a.setWork(mpxj.Duration.getInstance(hours, mpxj.TimeUnit.HOURS))
                a.setRemainingWork(mpxj.Duration.getInstance(hours, mpxj.TimeUnit.HOURS))
            tasks[name] = t
    R = mpxj.RelationType
    for succ, pred, kind, lag in (
        ("Analytics review", "Stakeholder interviews", R.START_START, 2),
        ("Requirements sign-off", "Stakeholder interviews", R.FINISH_START, 0),
        ("Requirements sign-off", "Analytics review", R.FINISH_START, 0),
        ("Information architecture", "Requirements sign-off", R.FINISH_START, 0),
        ("Visual design", "Information architecture", R.START_START, 3),
        ("Design review", "Visual design", R.FINISH_START, 0),
        ("CMS set-up", "Requirements sign-off", R.FINISH_START, 5),
        ("Page templates", "Design review", R.FINISH_START, 0),
        ("Page templates", "CMS set-up", R.FINISH_START, 0),
        ("Content migration", "Page templates", R.START_START, 5),
        ("Integrations", "CMS set-up", R.FINISH_START, 0),
        ("User acceptance test", "Page templates", R.FINISH_START, 0),
        ("User acceptance test", "Content migration", R.FINISH_FINISH, 2),
        ("User acceptance test", "Integrations", R.FINISH_START, 0),
        ("Fixes", "User acceptance test", R.START_START, 3),
        ("Go-live", "Fixes", R.FINISH_START, 0),
        ("Go-live", "User acceptance test", R.FINISH_START, -1),
    ):
        tasks[succ].addPredecessor(mpxj.Relation.Builder().predecessorTask(tasks[pred]).type(kind).lag(day(lag)))
    return file


@pytest.mark.parametrize("fmt", ["xml", "xer"])
def test_notebook_files_are_what_mpxj_writes(mpxj, tmp_path, fmt):
    """tests/data/import/website_relaunch.{xml,xer} came from MPXJ; rebuilding them gives the same plan.

    With REGENERATE_IMPORT_SAMPLES=1 the test writes them again.
    """
    committed = EXAMPLE_MPP.parent / f"website_relaunch.{fmt}"
    fresh = tmp_path / committed.name
    writer = mpxj.MSPDIWriter() if fmt == "xml" else mpxj.PrimaveraXERFileWriter()
    writer.write(build_website_relaunch(mpxj), str(fresh))
    if os.environ.get("REGENERATE_IMPORT_SAMPLES") == "1":
        committed.write_bytes(fresh.read_bytes())
    new, old = quiet(pm.read_project, fresh), quiet(pm.read_project, committed)
    assert set(new.dependencies) == set(old.dependencies)
    assert new.replace(dependencies=old.dependencies) == old
    assert len(old.tasks) == 13 and len(old.dependencies) == 17
    if fmt == "xml":  # MSPDI carries the three-point estimates
        assert old.task("7").name == "Visual design" and old.task("7").estimate == pm.BetaPert(7, 10, 18)


@pytest.mark.parametrize("fmt", ["xml", "xer"])
def test_pmsim_reads_what_mpxj_writes(mpxj, tmp_path, fmt):
    file = build_with_mpxj(mpxj)
    path = tmp_path / f"mpxj.{fmt}"
    writer = mpxj.MSPDIWriter() if fmt == "xml" else mpxj.PrimaveraXERFileWriter()
    writer.write(file, str(path))
    p = quiet(pm.read_project, path)
    by_name = {t.name: t for t in p.tasks}
    assert {n: (t.planned_duration, t.phase) for n, t in by_name.items()} == {
        "Design": (3.0, "Phase 1"), "Build": (2.5, "Phase 1"), "Test": (4.0, "Phase 2"), "Release": (0.0, ""),
    }
    if fmt == "xml":  # MPXJ's XER writer leaves the milestone a task of zero duration
        assert by_name["Release"].milestone
    name = {t.id: t.name for t in p.tasks}
    assert {(name[d.predecessor], name[d.successor], d.type, d.lag) for d in p.dependencies} == {
        ("Design", "Build", "SS", -1.0), ("Design", "Test", "FS", 2.0), ("Build", "Test", "FF", 0.5),
        ("Test", "Release", "SF", 5.0), ("Build", "Release", "FS", 0.0),
    }
    res = {r.name: r for r in p.resources}
    assert (res["Developer"].capacity, res["Developer"].cost_per_day) == (2.0, 640.0)
    assert (res["Tester"].capacity, res["Tester"].cost_per_day) == (1.0, 400.0)
    rid = {r.name: r.id for r in p.resources}
    assert by_name["Design"].demand == {rid["Developer"]: 1.5}
    assert by_name["Test"].demand == {rid["Tester"]: 1.0}
    # Both formats name their calendars ("Standard"): compare the rest with MPXJ's standard calendar.
    assert dataclasses.replace(p.calendar, id="", name="") == pm.Calendar(holidays=("2027-01-06",))
    assert str(p.start) == "2027-01-04"
    # By hand: Design 0-3; Build starts 1 day before Design (clamped at the project start) 0-2.5;
    # Test 2 days after Design, 5-9 (finishing 0.5 after Build is no constraint); Release 5 days
    # after Test starts: 10.
    table = pm.cpm(p).table
    assert {name[i]: table.at[i, "early_start"] for i in name} == {"Design": 0, "Build": 0, "Test": 5, "Release": 10}


def test_mpxj_sees_calendars_constraints_progress_and_links(mpxj, tmp_path):
    """Every feature of pmsim's MSPDI, as MPXJ reads it."""
    from java.time import DayOfWeek, LocalDate

    p = every_feature_project()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PmsimWarning)  # two links between one pair
        pm.write_project(p, tmp_path / "every.xml")
    file = mpxj.MSPDIReader().read(str(tmp_path / "every.xml"))
    props = file.getProjectProperties()
    assert (str(props.getStatusDate()), bool(props.getHonorConstraints())) == ("2027-01-08T17:00", False)
    cals = {str(c.getName()): c for c in file.getCalendars()}
    assert str(file.getDefaultCalendar().getName()) == "Standard"

    def hours(cal, day):
        return [(str(r.getStart()), str(r.getEnd())) for r in cal.getHours(day)]

    assert hours(cals["Night shift"], DayOfWeek.TUESDAY) == [("00:00", "06:00"), ("22:00", "00:00")]
    assert hours(cals["Early"], DayOfWeek.MONDAY) == [("06:00", "14:00")]
    assert [(str(e.getFromDate()), str(e.getToDate()), bool(e.getWorking()))
            for e in cals["Standard"].getCalendarExceptions()] == [
        ("2027-01-06", "2027-01-06", False), ("2027-01-16", "2027-01-16", True), ("2027-02-01", "2027-02-03", True)]
    assert not cals["Standard"].isWorkingDate(LocalDate.of(2027, 1, 6))
    resources = {str(r.getName()): str(r.getCalendar().getParent().getName()) for r in file.getResources()
                 if r.getName() is not None}
    assert resources == {"Developer": "Standard", "Operator": "Night shift"}
    tasks = {str(t.getText(28)): t for t in file.getTasks() if t.getText(28) is not None}
    assert {tid: str(t.getConstraintType().name()) for tid, t in tasks.items()} == {
        "A": "START_NO_EARLIER_THAN", "B": "AS_SOON_AS_POSSIBLE", "C": "FINISH_NO_LATER_THAN",
        "D": "START_NO_LATER_THAN", "E": "AS_LATE_AS_POSSIBLE", "F": "MUST_FINISH_ON", "G": "MUST_START_ON",
        "H": "FINISH_NO_EARLIER_THAN", "K": "AS_SOON_AS_POSSIBLE"}
    assert str(tasks["G"].getConstraintDate()) == "2027-01-25T13:00"
    assert str(tasks["A"].getDeadline()) == "2027-01-20T17:00"
    assert str(tasks["B"].getCalendar().getName()) == "Early"
    assert str(tasks["C"].getDuration()) == "1.5ed"  # elapsed days
    assert (str(tasks["A"].getActualStart()), str(tasks["A"].getActualFinish())) == \
        ("2027-01-05T08:00", "2027-01-07T17:00")
    assert (float(tasks["B"].getPercentageComplete()), str(tasks["B"].getRemainingDuration())) == (30.0, "1.5d")
    links = sorted((str(r.getPredecessorTask().getText(28)), tid, LINK_NAMES[str(r.getType().name())],
                    str(r.getLag())) for tid, t in tasks.items() for r in t.getPredecessors())
    assert links == [("A", "B", "FS", "1.0d"), ("A", "E", "FF", "1.0d"), ("A", "E", "SS", "0.5d"),
                     ("B", "C", "FS", "0.0d"), ("C", "F", "FS", "0.25ed"), ("D", "F", "FS", "-1.0d"),
                     ("G", "K", "FS", "0.0d"), ("H", "K", "SF", "2.0d")]


def test_every_feature_comes_back_through_mpxj(mpxj, tmp_path):
    """pmsim writes, MPXJ reads and writes MSPDI again, pmsim reads the same project."""
    p = every_feature_project()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PmsimWarning)
        pm.write_project(p, tmp_path / "every.xml")
    mpxj.MSPDIWriter().write(mpxj.MSPDIReader().read(str(tmp_path / "every.xml")), str(tmp_path / "again.xml"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        q = pm.read_project(tmp_path / "again.xml", check_health=False)
    assert set(q.dependencies) == set(p.dependencies) and q.replace(dependencies=p.dependencies) == p


def test_mpxj_schedules_what_pmsim_writes_to_the_same_early_dates(mpxj, tmp_path):
    """MPXJ's MicrosoftScheduler (MS Project's rules) re-schedules the file pmsim wrote and finds pmsim's
    early dates: task, resource and elapsed calendars, shifts, exceptions, constraints, lags on the
    successor's calendar, an elapsed lag, two links between one pair.

    Left out: the ALAP task (MS Project keeps its as-soon-as-possible dates as its early dates and puts
    it at its late dates; pmsim's early dates are those late dates) and progress (pmsim's early start of a
    finished task is where its remaining work would start)."""
    from org.mpxj.cpm import MicrosoftScheduler

    p = every_feature_project()
    p = p.replace(honor_constraints=True, must_finish_by=None, status_date=None, tasks=[
        t.replace(actual_start=None, actual_finish=None, percent_complete=None, remaining_duration=None)
        for t in p.tasks])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PmsimWarning)
        pm.write_project(p, tmp_path / "every.xml")
    file = mpxj.MSPDIReader().read(str(tmp_path / "every.xml"))
    MicrosoftScheduler().schedule(file, file.getProjectProperties().getStartDate())
    times = pm.cpm(p).times()
    theirs = {str(t.getText(28)): (str(t.getEarlyStart()), str(t.getEarlyFinish())) for t in file.getTasks()
              if t.getText(28) is not None and str(t.getText(28)) != "E"}
    ours = {tid: (times.loc[tid, "early_start"].isoformat()[:16], times.loc[tid, "early_finish"].isoformat()[:16])
            for tid in theirs}
    assert theirs == ours


def test_read_mpp(mpxj):
    p = quiet(pm.read_project, EXAMPLE_MPP)
    assert [(t.id, t.name, t.planned_duration, t.demand) for t in p.tasks] == [
        ("1", "Task 1", 3.0, {"Resource 1": 1.0}),
        ("2", "Task 2", 3.0, {"Resource 2": 1.0}),
        ("3", "Task 3", 3.0, {"Resource 3": 1.0}),
    ]
    assert p.dependencies == (pm.Dependency("1", "2"), pm.Dependency("2", "3"))
    assert pm.cpm(p).makespan == 9.0
    # What MS Project stored, through MPXJ: the same early dates.
    from pmsim.io.mpp import stored_schedule

    stored = stored_schedule(EXAMPLE_MPP)
    assert list(stored.index) == ["1", "2", "3"]
    offsets = [p.calendar.working_offset(p.start, when) for when in stored["early_start"]]
    assert offsets == pm.cpm(p).table["early_start"].tolist()


def test_read_mpp_split_tasks(mpxj):
    # MS Project's file (tests/data/real/README.md): task 1 works 10 days from Thu 21 Sep 2006 with a split
    # after 4 (Wed 27 to Fri 29 Sep); task 2 works 15 days, split after 3 (2 days) and after 8 (3 days).
    path = pm.data_path().parent / "tests" / "data" / "real" / "mpp" / "mpxj-mpp14splittask.mpp"
    p = quiet(pm.read_project, path)
    assert [t.splits for t in p.tasks] == [((4.0, 3.0),), ((3.0, 2.0), (8.0, 3.0))]
    from pmsim.io.mpp import stored_schedule

    stored, schedule = stored_schedule(path), pm.cpm(p)
    times = schedule.times()
    for tid in ("1", "2"):  # the stored early dates, through MPXJ
        assert times.loc[tid, "early_start"] == stored.loc[tid, "early_start"]
        assert times.loc[tid, "early_finish"] == stored.loc[tid, "early_finish"]
    assert times.loc["2", "early_finish"] == pd.Timestamp("2006-10-18 17:00")  # 15 days and 5 of gaps
    assert schedule.table["total_float"].tolist() == stored["total_float"].tolist() == [7.0, 0.0]


def test_mpp_that_is_not_a_project(mpxj, tmp_path):
    path = tmp_path / "notes.mpp"
    path.write_text("shopping list: milk, eggs")
    with pytest.raises(pm.FileFormatError, match="notes.mpp: MPXJ"):
        pm.read_project(path)


def test_mpp_without_mpxj_says_what_to_install(monkeypatch):
    import pmsim.io._mpxj as helper

    monkeypatch.setattr(helper, "java_missing", lambda: "no Java virtual machine found")
    with pytest.raises(pm.MissingExtraError, match=r"no Java virtual machine found; install the 'mpxj' extra"):
        pm.read_project(EXAMPLE_MPP)
