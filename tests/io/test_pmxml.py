"""Primavera P6 XML (PMXML) and the real P6 exports in tests/data/real (XER and P6 XML): what
pmsim reads from them, which project, what it warns about, and the schedule P6 stored."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import pandas as pd
import pytest

import pmsim as pm
from pmsim.io.pmxml import list_projects, read_pmxml, stored_schedule

REAL = Path(__file__).resolve().parents[1] / "data" / "real"
at = dt.datetime


def read(path, **kw):
    """(project, warning messages) of a file read with pmsim.read_project."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pm.PmsimWarning)
        p = pm.read_project(path, check_health=False, **kw)
    return p, [str(w.message) for w in caught]


# --------------------------------------------------------------------------- P6 XML from P6


def test_read_project_sniffs_p6_xml_and_picks_a_project():
    p, messages = read(REAL / "PrimaveraProject.xml", project="PROD00499")
    assert (p.name, len(p.tasks), len(p.dependencies)) == ("Hemaform Program", 13, 12)
    assert p.calendar.id == p.calendar.name == "Corporate - Standard Full Time"
    # P6 XML ends a working time on its last minute: 08:00 to 15:59 is 08:00-16:00.
    assert (p.calendar.hours, p.calendar.hours_per_day) == (((480, 960),), 8.0)
    assert dt.date(2012, 12, 25) in p.calendar.holidays
    # Durations in hours with the exporter's decimal comma: 250,983333 h of 8-hour days.
    assert p.task("PD1030").planned_duration == pytest.approx(250.983333 / 8)
    # A lag of -40 hours is a lead of 5 days.
    assert pm.Dependency("PD1030", "PD1040", "FS", -5.0) in p.dependencies
    assert any("links to other projects (left out)" in m and "PD1030 -> PD1060" in m for m in messages)
    assert any("role assignments (left out)" in m for m in messages)


def test_the_first_project_with_activities_is_read_by_default():
    p, messages = read(REAL / "PrimaveraProject.xml")
    assert p.name == "Plasma Product Launch"
    assert any("several projects in one file: read 'PROD00883' (13 activities)" in m for m in messages)


def test_projects_exported_only_as_link_ends_are_not_listed():
    frame = list_projects(REAL / "PrimaveraProject.xml")
    assert frame[["project", "proj_id", "name", "activities"]].values.tolist() == [
        ["PROD00883", "3882", "Plasma Product Launch", 13], ["PROD00499", "3883", "Hemaform Program", 13]]
    pd.testing.assert_frame_equal(pm.io.list_projects(REAL / "PrimaveraProject.xml"), frame)


def test_progress_and_calendars_from_p6_xml():
    p, _ = read(REAL / "BaselineProjects.xml")
    assert p.status_date == at(2023, 10, 6) and p.start == dt.date(2023, 3, 6)
    running, done = p.task("A1000"), p.task("A1010")
    assert (running.actual_start, running.remaining_duration) == (at(2023, 3, 8, 8), 66 / 8)
    assert (done.actual_start, done.actual_finish) == (at(2023, 3, 6, 8), at(2023, 3, 11, 17))
    # The resources' calendars come along: a 22-hour day, a 07:00-17:00 day counted as 10 hours.
    cal = {c.name: c for c in p.calendars}
    assert cal["7x24"].hours_per_day == 22 and cal["SANITISED"].hours == ((420, 1020),)
    assert cal["SANITISED"].hours_per_day == 10


def test_stored_schedule_of_p6_xml():
    frame = stored_schedule(REAL / "BaselineProjects.xml")
    assert frame.loc["A1000", ["early_start", "early_finish", "restart", "status"]].tolist() == [
        pd.Timestamp("2023-10-06 08:00"), pd.Timestamp("2023-10-18 10:00"), pd.Timestamp("2023-10-06 08:00"),
        "in progress"]
    # P6 XML stores no early dates for a completed activity; its dates are the actual ones.
    done = frame.loc["A1010"]
    assert pd.isna(done["early_start"]) and done["status"] == "complete"
    assert (done["start"], done["finish"]) == (pd.Timestamp("2023-03-06 08:00"), pd.Timestamp("2023-03-11 17:00"))


def test_a_link_into_a_project_exported_as_a_link_end():
    p, messages = read(REAL / "MultiprojectWithExternal.xml")
    assert p.task_ids == ("A1000", "A1010") and p.dependencies == ()
    assert any("links to other projects (left out)" in m and "A1010 <- A1000" in m for m in messages)


# MPXJ's test files for P6's "Calendar for scheduling relationship lag" (the same P6 V18.1 export four times,
# the option changed): their root <APIBusinessObjects> declares no namespace, as P6 writes it too.
LAG_CALENDAR_FILES = [("mpxj-PredecessorCalendar.xml", "predecessor"),
                      ("mpxj-SuccessorCalendar.xml", "successor"),
                      ("mpxj-ProjectDefaultCalendar.xml", "project"),
                      ("mpxj-TwentyFourHourCalendar.xml", "24h")]


@pytest.mark.parametrize("name, rule", LAG_CALENDAR_FILES)
def test_p6_xml_without_a_namespace_and_its_lag_calendar_option(name, rule):
    p, _ = read(REAL / name)
    # <RelationshipLagCalendar>: Predecessor / Successor Activity Calendar, Project Default Calendar, 24 Hour Calendar
    assert p.lag_calendar == rule
    # <ProjectList> repeats the project as a reference only: one project, not two
    assert list_projects(REAL / name)["project"].tolist() == ["201020"]
    assert p.status_date == at(2021, 5, 17, 22, 0)  # <DataDate>
    # "Test Calendar": 07:00-11:59 and 12:30-15:29 (P6 XML ends a span on its last minute), 8 hours a day
    assert p.calendar.hours == ((7 * 60, 12 * 60), (12 * 60 + 30, 15 * 60 + 30)) and p.calendar.hours_per_day == 8
    (task,) = p.tasks
    assert (task.id, task.actual_start, task.actual_finish) == ("A1000", at(2021, 2, 5, 8), at(2021, 4, 19, 15, 30))
    assert task.estimate.mean == 360 / 8  # <PlannedDuration> 360 hours of 8-hour days
    # P6 stores the data date as the early dates of a completed activity: nothing to compare in parity
    stored = stored_schedule(REAL / name)
    assert stored.loc["A1000", ["early_start", "early_finish", "status"]].tolist() == \
        [at(2021, 5, 17, 22), at(2021, 5, 17, 22), "complete"]


# Damaged or foreign XML: one row each, the message it must give.
BAD_XML = [
    # an entity declaration (the start of an XML bomb)
    ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><APIBusinessObjects '
     'xmlns="http://xmlns.oracle.com/Primavera/P6/V8.3/API/BusinessObjects">&a;</APIBusinessObjects>',
     r"refused: the file declares a document type or entities"),
    # cut short
    ('<APIBusinessObjects xmlns="http://xmlns.oracle.com/Primavera/P6/V8.3/API/BusinessObjects"><Project>',
     r"not well-formed XML"),
    # the right root in a namespace that is not Oracle's (no namespace at all is P6's too: see below)
    ('<APIBusinessObjects xmlns="http://example.com/other"><Project/></APIBusinessObjects>',
     r"not a Primavera P6 XML file: the root element is <APIBusinessObjects> in namespace "
     r"'http://example.com/other'"),
    # MS Project XML given to the P6 XML reader
    ('<Project xmlns="http://schemas.microsoft.com/project"/>', r"not a Primavera P6 XML file: the root element is "
                                                                 r"<Project>"),
    # a P6 XML file without projects
    ('<APIBusinessObjects xmlns="http://xmlns.oracle.com/Primavera/P6/V8.3/API/BusinessObjects"/>',
     r"PROJECT: the table has no rows"),
]


@pytest.mark.parametrize("text, message", BAD_XML)
def test_bad_p6_xml(tmp_path, text, message):
    path = tmp_path / "bad.xml"
    path.write_text(text)
    with pytest.raises(pm.FileFormatError, match=message) as info:
        read_pmxml(path)
    assert "bad.xml" in str(info.value)


def test_read_project_sends_other_xml_to_the_ms_project_reader(tmp_path):
    path = tmp_path / "other.xml"
    path.write_text("<!-- Published by someone --><Project xmlns='http://schemas.microsoft.com/project'/>")
    with pytest.raises(pm.PmsimError) as info:
        pm.read_project(path)
    assert "P6" not in str(info.value)


# --------------------------------------------------------------------------- real XER files


def test_a_file_whose_projects_are_all_empty():
    path = REAL / "ScheduleOptions.xer"
    assert list_projects_xer(path)["activities"].tolist() == [0, 0, 0, 0]
    with pytest.raises(pm.FileFormatError, match=r"missing required table\(s\) TASK; .*\(the file's projects have "
                                                 r"no activities: 'NEWPROJ' \(empty\), 'NEWPROJ-1' \(empty\)"):
        pm.read_project(path)


def list_projects_xer(path):
    return pm.io.list_projects(path)


def test_a_real_p6_export_in_progress_with_two_projects():
    path = REAL / "xer-parser-test.xer"
    p, messages = read(path)
    assert (len(p.tasks), p.lag_calendar, p.total_float, p.progress_rule) == (692, "successor", "finish",
                                                                             "progress_override")
    assert (p.status_date, p.must_finish_by) == (at(2025, 4, 22, 9, 40), at(2026, 4, 15, 17))
    assert sum(t.started for t in p.tasks) > 0 and p.honor_constraints is False
    for feature in ("several projects in one file: read '10001' (692 activities)", "suspended activities",
                    "links to other projects (left out)", "actual dates after the data date"):
        assert any(feature in m for m in messages), feature
    # SS and FF between the same activities are both kept.
    pairs = {}
    for d in p.dependencies:
        pairs.setdefault((d.predecessor, d.successor), set()).add(d.type)
    assert any(len(types) > 1 for types in pairs.values())
    other, _ = read(path, project="935")
    assert len(other.tasks) == 3 and other.must_finish_by == at(2026, 4, 15)
    frame = stored_schedule_xer(path)
    assert len(frame) == 692 and set(frame["status"]) == {"complete", "in progress", "not started"}
    complete = frame[frame["status"] == "complete"]
    assert complete["total_float"].isna().all()


def stored_schedule_xer(path):
    from pmsim.io.xer import stored_schedule as stored

    return stored(path)


@pytest.mark.parametrize("name, tasks, calendars, rsrc_dependent", [
    ("MDL4D.xer", 62, 3, ["C2100", "C3100", "C4100", "C5100"]),
    ("MDL4RA.xer", 62, 3, ["C2100", "C3100", "C4100", "C5100"]),
])
def test_resource_dependent_activities_follow_their_resource(name, tasks, calendars, rsrc_dependent):
    p, messages = read(REAL / name)
    assert (len(p.tasks), 1 + len(p.calendars)) == (tasks, calendars)
    for tid in rsrc_dependent:
        assert p.task_calendar(tid).name == "W - Worker"
    assert any("resource-dependent activities scheduled on the calendar of their resource" in m for m in messages)
    assert any("resource-driven durations" in m for m in messages)
    # The 7x24 calendar works 01:00-12:00 and 13:00-24:00: 22 hours, its day_hr_cnt.
    seven = next(c for c in (p.calendar, *p.calendars) if c.name == "7x24")
    assert seven.hours == ((60, 720), (780, 1440)) and seven.hours_per_day == 22


@pytest.mark.parametrize("name", ["MultiprojectWithExternal.xer", "encoding1251.xer", "aspose-test.xer"])
def test_small_real_exports_read(name):
    p, _ = read(REAL / name)
    assert len(p.tasks) == 2
