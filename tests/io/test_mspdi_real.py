"""Real MSPDI files (tests/data/real/mspdi; origins in tests/data/real/README.md): what pmsim reads,
what it warns about, and the schedule the file stores."""

from __future__ import annotations

import datetime as dt
import re
import warnings

import numpy as np
import pytest

import pmsim as pm
from pmsim.io.mspdi import read_mspdi, stored_schedule

REAL = pm.data_path().parent / "tests" / "data" / "real" / "mspdi"
ELAPSED = "24 hours (elapsed)"

# Every file, and the features each one is warned about (nothing else may be).
WARNED = {
    "mpxj-sample.xml": {"recurring tasks", "overtime rates", "per-use costs",
                        "task costs that the cost model does not explain"},
    "mpxj-mspdiresource.xml": {"overtime rates", "material and cost resources", "work contours",
                               "task costs that the cost model does not explain"},
    "mpxj-mspdirelations.xml": set(),
    "mpxj-mspdiduration.xml": set(),
    "mpxj-caltest.xml": set(),
    "mpxj-mspdisplittask.xml": set(),  # split tasks, modelled
    "mpxj-mspdipriority.xml": set(),
    "mpxj-slack9.xml": set(),  # a must-finish-on milestone its links miss: negative float, modelled
    # MPXJ flags three summary tasks recurring (none is); two tasks have a 6-day calendar and standard resources.
    "aspose-ozbuild-16-orig.xml": {"task calendars narrowed by the resources' calendars", "material and cost resources"},
    "aspose-actual-task-properties.xml": {"overtime rates", "per-use costs", "assignment delays"},
    "aspose-schedule-conflict.xml": set(),  # manually scheduled tasks, modelled
    # levelling delays, modelled; MPXJ's MSPDI sets Recurring on the five delayed tasks, which are no
    # occurrences (an MSPDI file is read as its flag says; the .mpp reader asks MPXJ which tasks recur)
    "mpxj-mpp14barstyle.xml": {"recurring tasks"},
}


def read(name):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        project = read_mspdi(REAL / name, check_health=False)
    features = {re.match(r"[^:]+\.xml: (.*?) \(not modelled by pmsim\)", str(w.message)).group(1) for w in caught}
    return project, features


def test_the_real_files_are_all_here():
    assert sorted(p.name for p in REAL.glob("*.xml")) == sorted(WARNED)
    listed = (REAL.parent / "README.md").read_text()
    assert all(f"`mspdi/{name}`" in listed for name in WARNED)


@pytest.mark.parametrize("name", sorted(WARNED))
def test_each_file_reads_with_the_warnings_it_deserves(name):
    project, features = read(name)
    assert features == WARNED[name]
    stored = stored_schedule(REAL / name)
    assert list(stored.index) == list(project.task_ids)


# Files whose schedule pmsim computes as MS Project stored it, and the tasks it does not (with why).
PARITY = {
    "mpxj-sample.xml": set(),  # resources on different calendars, each with its own work
    # The contoured task finishes at 09:08:24; pmsim's times are whole minutes (the parity check allows one).
    "mpxj-mspdiresource.xml": {"2"},
    "mpxj-mspdirelations.xml": set(),
    "mpxj-mspdipriority.xml": set(),
    "mpxj-caltest.xml": set(),
    "aspose-actual-task-properties.xml": set(),
    "mpxj-mspdisplittask.xml": set(),  # two split tasks: test_split_tasks_keep_their_gaps
    # A 6-day task calendar with standard resources: both schedule in the standard week, but MS Project
    # counts the total slack on the task calendar's six days.
    "aspose-ozbuild-16-orig.xml": {"7", "9"},
}
# Not in PARITY: mpxj-mspdiduration.xml (its stored late finish of tasks 1-4 is before the project finish with
# nothing to hold them: tests/io/test_parity.py).


def same_point_of_work(calendar, origin, ours, theirs) -> bool:
    """17:00 on Friday and 08:00 on Monday are the same point of work (MPXJ's comparator agrees)."""
    return ours == theirs or abs(calendar.working_offset(origin, ours) - calendar.working_offset(origin, theirs)) < 1e-6


@pytest.mark.parametrize("name", sorted(PARITY))
def test_cpm_gives_the_dates_ms_project_stored(name):
    project, _ = read(name)
    stored, schedule = stored_schedule(REAL / name), pm.cpm(project)
    times, table = schedule.times(), schedule.table
    origin = project.start - dt.timedelta(days=365)
    wrong = set()
    for tid in table.index:
        cal, row = project.task_calendar(tid), stored.loc[tid]
        dates = row.status == "complete" or all(same_point_of_work(cal, origin, times.loc[tid, c], row[c])
                                                for c in ("early_start", "early_finish"))
        slack = np.isnan(row.total_float) or abs(table.loc[tid, "total_float"] - row.total_float) < 0.05
        if not (dates and slack):
            wrong.add(tid)
    assert wrong == PARITY[name]


def test_split_tasks_keep_their_gaps():
    # MS Project's file: task 1 works 10 days, Thu 21 to Tue 26 Sep 2006 (4 days), stops Wed 27 to Fri 29
    # (3 days), resumes Mon 2 Oct; task 2 works 15 days: 3, gap 2 (26-27 Sep), 5, gap 3 (5-9 Oct), 7.
    p, _ = read("mpxj-mspdisplittask.xml")
    assert p.task("1").splits == ((4.0, 3.0),)
    assert p.task("2").splits == ((3.0, 2.0), (8.0, 3.0))
    times, table = (s := pm.cpm(p)).times(), s.table
    # Stored: finishes Mon 9 Oct 17:00 (10 + 3 working days) and Wed 18 Oct 17:00 (15 + 5), the project
    # finish; task 1's total slack 33600 tenths of a minute = 7 days of 8 hours (10 to 18 Oct).
    assert times.loc["1", "early_finish"] == dt.datetime(2006, 10, 9, 17)
    assert times.loc["2", "early_finish"] == dt.datetime(2006, 10, 18, 17)
    assert times.loc["1", "late_start"] == dt.datetime(2006, 10, 2, 8)  # stored LateStart: 18 Oct less 13 days
    assert table.loc["1", "total_float"] == 7.0 and table.loc["2", "total_float"] == 0.0


def test_ms_project_sample():
    p, _ = read("mpxj-sample.xml")
    assert (p.start, p.honor_constraints, p.total_float, p.progress_rule) == \
        (dt.date(2003, 1, 7), True, "smallest", "ms_project")
    # All four link types; SNET constraints (one on a Saturday keeps its time: no work that day).
    assert {d.type for d in p.dependencies} == {"FS", "SS", "FF", "SF"}
    assert (p.task("18").constraint, p.task("18").constraint_date) == ("SNET", dt.date(2003, 1, 8))
    assert p.task("5").constraint_date == dt.datetime(2003, 2, 1, 8)
    # MS Project gives each resource a calendar of its own: the second one works the night shift.
    assert {r.id: r.calendar for r in p.resources} == {"First Resource": None, "Second Resource": "Night Shift"}
    assert p.calendar_named("Night Shift").day_hours("Tue") == ((0, 180), (240, 480), (1380, 1440))


def test_elapsed_durations():
    p, _ = read("mpxj-mspdiduration.xml")
    # Tasks 1-5: 1 minute, 1 hour, 1 day, 1 week, 1 month of working time; 6-10 the same elapsed.
    assert [round(t.planned_duration, 6) for t in p.tasks[:5]] == [round(1 / 480, 6), 0.125, 1.0, 5.0, 20.0]
    assert all(t.calendar == ELAPSED for t in p.tasks[5:])
    assert [round(t.planned_duration, 6) for t in p.tasks[5:]] == [round(1 / 1440, 6), round(1 / 24, 6), 1.0,
                                                                   7.0, 30.0]
    # MS Project stores an elapsed task's slack as wall-clock time: in 24-hour days, as pmsim counts it.
    stored, table = stored_schedule(REAL / "mpxj-mspdiduration.xml"), pm.cpm(p).table
    np.testing.assert_allclose(stored["total_float"].iloc[5:], table["total_float"].iloc[5:], atol=1e-6)
    assert stored.loc["9", "total_float"] == 23.0


def test_task_and_resource_calendars():
    p, _ = read("mpxj-caltest.xml")
    assert [t.calendar for t in p.tasks] == [None, "Standard", "Base Calendar"]
    assert {r.id: r.calendar for r in p.resources} == \
        {"Resource One": None, "Resource Two": None, "Resource Three": "Resource Three"}


def test_a_six_day_calendar_holidays_and_constraints():
    p, _ = read("aspose-ozbuild-16-orig.xml")
    six = p.calendar_named("6 Day Working Week")
    assert six.working_weekdays == ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
    assert dt.date(2008, 12, 25) in p.calendar.holidays and dt.date(2008, 12, 25) in six.holidays
    # Its 6-day task calendar meets its resources' standard one: the standard week is what they work.
    assert p.task("7").calendar == "Standard"
    assert (p.task("8").constraint, p.task("8").constraint_date) == ("SNET", dt.date(2009, 1, 2))
    assert (p.task("19").constraint, p.task("19").constraint_date) == ("FNLT", dt.date(2009, 1, 22))


def test_finished_tasks():
    p, _ = read("aspose-actual-task-properties.xml")
    done = [t for t in p.tasks if t.finished]
    assert [(t.id, t.actual_start, t.actual_finish, t.percent_complete) for t in done] == [
        ("2", dt.date(2016, 10, 3), dt.date(2016, 11, 7), 100.0),
        ("3", dt.date(2016, 11, 10), dt.date(2016, 11, 15), 100.0),
        ("4", dt.date(2016, 11, 16), dt.date(2016, 11, 30), 100.0),
    ]
    stored = stored_schedule(REAL / "aspose-actual-task-properties.xml")
    assert stored["status"].value_counts().to_dict() == {"not started": 11, "complete": 3}
