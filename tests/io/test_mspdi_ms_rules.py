"""MS Project's scheduling semantics read from MSPDI: the project start as a moment, and what the reader
hands the engine so that pmsim's dates are the ones MS Project stores.

Expected dates are counted by hand: 2027-01-04 is a Monday, the standard calendar works 08:00-12:00 and
13:00-17:00, Monday to Friday.
"""

from __future__ import annotations

import datetime as dt
import warnings
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

import pmsim as pm
from mspdi_features import STANDARD_WEEK, calendar, document, link, task
from pmsim.io.mspdi import NAMESPACE, read_mspdi, write_mspdi

T = pd.Timestamp
Q = "{%s}" % NAMESPACE
ROUND_THE_CLOCK = dict.fromkeys(range(1, 8), ("00:00-00:00",))


def read(tmp_path, text, name="t.xml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return read_mspdi(path, check_health=False)


def test_the_start_date_is_a_moment(tmp_path):
    # StartDate Monday 09:00: A (8 hours) runs to Tuesday 09:00, B (8 hours) to Wednesday 09:00; C on the
    # 24-hour calendar starts at 09:00 too (MS Project starts it at the project start, not at midnight).
    cals = calendar(1, "Standard", STANDARD_WEEK) + calendar(2, "24 Hours", ROUND_THE_CLOCK)
    text = document(calendars=cals, start="2027-01-04T09:00:00",
                    tasks=task(1, "A") + task(2, "B", extra=link(1)) + task(3, "C", 24, "<CalendarUID>2</CalendarUID>"))
    p = read(tmp_path, text)
    assert p.start == dt.date(2027, 1, 4) and p.start_time == dt.time(9, 0)
    times = pm.cpm(p).times()
    assert times.loc["1", ["early_start", "early_finish"]].tolist() == [T("2027-01-04 09:00"), T("2027-01-05 09:00")]
    assert times.loc["2", ["early_start", "early_finish"]].tolist() == [T("2027-01-05 09:00"), T("2027-01-06 09:00")]
    assert times.loc["3", ["early_start", "early_finish"]].tolist() == [T("2027-01-04 09:00"), T("2027-01-05 09:00")]


def test_a_start_time_survives_writing_and_reading(tmp_path):
    p = pm.Project(name="x", start="2027-01-04 10:30", tasks=[pm.Task("A", duration=1)])
    path = tmp_path / "p.xml"
    write_mspdi(p, path)
    assert "<StartDate>2027-01-04T10:30:00</StartDate>" in path.read_text()
    q = read_mspdi(path, check_health=False)
    assert q.start_time == dt.time(10, 30)
    # A project without a start time stays without one (its StartDate is the start of the day's work).
    write_mspdi(p.replace(start_time=None), path)
    assert read_mspdi(path, check_health=False).start_time is None


def test_a_manually_scheduled_task_is_written_as_one_and_read_back(tmp_path):
    # B (3 days) typed to start Tuesday 5th though it follows A (5 days): MSPDI keeps it manual (MS Project's
    # Manual flag, its start and finish as typed), and reading gives the same dates back.
    p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=5), pm.Task("B", duration=3,
                   manual_start="2027-01-05")], dependencies=[pm.Dependency("A", "B")])
    path = tmp_path / "p.xml"
    write_mspdi(p, path)
    b = next(el for el in ET.parse(path).getroot().iter(Q + "Task") if el.findtext(Q + "Name") == "B")
    assert (b.findtext(Q + "Manual"), b.findtext(Q + "ManualStart"), b.findtext(Q + "ManualFinish")) == \
        ("1", "2027-01-05T08:00:00", "2027-01-07T17:00:00")
    q = read_mspdi(path, check_health=False)
    assert q.task("B").manual_start == dt.date(2027, 1, 5)
    assert pm.cpm(q).times().loc["B", "early_start"] == T("2027-01-05 08:00")


@pytest.mark.parametrize("name", ["p.xer", "folder", "p.xlsx"])
def test_formats_without_manual_tasks_say_so_when_writing_one(tmp_path, name):
    p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=1, manual_start="2027-01-05")])
    with pytest.warns(pm.PmsimWarning, match=r"manually scheduled tasks \(written as scheduled automatically\).*'A'"):
        pm.write_project(p, tmp_path / name)


@pytest.mark.parametrize("name", ["p.xml", "p.xer", "folder", "p.xlsx"])
def test_writers_say_when_they_leave_out_a_summary_s_hold_on_late_finishes(tmp_path, name):
    p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=1, summary_finish="2027-01-06")])
    with pytest.warns(pm.PmsimWarning, match=r"late finishes held by a manually scheduled summary task.*A"):
        pm.write_project(p, tmp_path / name)


def test_a_manual_task_typed_outside_working_time_stays_there(tmp_path):
    # MS Project leaves a manual task where it was typed and stretches that day's work to it. MPXJ's
    # mpp14timephasedsegmentsmanual.mpp stores five-day manual tasks typed at 07:00 on a Monday of the standard
    # calendar as 07:00 Monday to 16:00 Friday: the hour before 08:00 is worked, so the work ends an hour early.
    text = document(start="2027-01-04T08:00:00",
                    tasks=task(1, "A", 40, extra="<Manual>1</Manual><Start>2027-01-04T07:00:00</Start>")
                    + task(2, "B", 16, extra="<Manual>1</Manual><Start>2027-01-04T18:00:00</Start>")
                    + task(3, "C", 8, link(1)))
    path = tmp_path / "t.xml"
    path.write_text(text, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        q = read_mspdi(path, check_health=False)
    times = pm.cpm(q).times()
    assert times.loc["1", ["early_start", "early_finish"]].tolist() == [T("2027-01-04 07:00"), T("2027-01-08 16:00")]
    # Typed after the day's work (18:00), the rest of the day to midnight is worked: 6 hours on Monday, 8 on
    # Tuesday, the last 2 on Wednesday 08:00-10:00.
    assert times.loc["2", ["early_start", "early_finish"]].tolist() == [T("2027-01-04 18:00"), T("2027-01-06 10:00")]
    assert times.loc["3", "early_start"] == T("2027-01-08 16:00")  # after A, in the last hour of Friday's work
    # Typed on a Saturday (no working time that day): pmsim starts it on Monday, and says so.
    text = document(start="2027-01-04T08:00:00",
                    tasks=task(1, "A", extra="<Manual>1</Manual><Start>2027-01-09T10:00:00</Start>"))
    path.write_text(text, encoding="utf-8")
    with pytest.warns(pm.PmsimWarning, match="manually scheduled tasks typed to start on a day without working time"):
        read_mspdi(path, check_health=False)


def test_levelling_delays_are_written_and_read_back(tmp_path):
    # B: 1.5 working days (of 480 minutes: 7,200 tenths of a minute, format 7, days); C: 2 elapsed days
    # (28,800 tenths of a minute, format 8, elapsed days), MS Project's default unit.
    elapsed = pm.Calendar(workdays="Mon-Sun", hours="00:00-24:00", hours_per_day=24, id="24/7")
    p = pm.Project(name="x", start="2027-01-04", calendars=[elapsed], tasks=[
        pm.Task("A", duration=1), pm.Task("B", duration=1, levelling_delay=1.5),
        pm.Task("C", duration=1, levelling_delay=2, levelling_delay_calendar="24/7")])
    path = tmp_path / "p.xml"
    write_mspdi(p, path)
    by_name = {el.findtext(Q + "Name"): el for el in ET.parse(path).getroot().iter(Q + "Task")}
    assert [(by_name[n].findtext(Q + "LevelingDelay"), by_name[n].findtext(Q + "LevelingDelayFormat"))
            for n in "BC"] == [("7200", "7"), ("28800", "8")]
    q = read_mspdi(path, check_health=False)
    assert (q.task("B").levelling_delay, q.task("B").levelling_delay_calendar) == (1.5, None)
    assert q.task("C").levelling_delay == 2.0
    # B: Monday 08:00 + 1.5 days = Tuesday 12:00, then 13:00 after lunch; C: Monday 08:00 + 48 hours.
    times = pm.cpm(q).times()["early_start"]
    assert (times["B"], times["C"]) == (T("2027-01-05 13:00"), T("2027-01-06 08:00"))
    with pytest.warns(pm.PmsimWarning, match=r"levelling delays \(left out\).*'B'"):
        pm.write_project(p, tmp_path / "folder")
