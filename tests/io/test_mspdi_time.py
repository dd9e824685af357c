"""MSPDI and time: calendars, task and resource calendars, elapsed time, constraints, deadlines,
progress and the status date, links; the stored schedule; what pmsim warns about; bad input."""

from __future__ import annotations

import datetime as dt
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

import pmsim as pm
from mspdi_features import (
    ELAPSED,
    STANDARD_WEEK,
    assignment,
    calendar,
    document,
    every_feature_project,
    exception,
    link,
    resource,
    task,
    times,
)
from pmsim.calendar import CalendarException
from pmsim.io.mspdi import NAMESPACE, read_mspdi, stored_schedule, write_mspdi

Q = "{" + NAMESPACE + "}"
DAY = ("08:00-12:00", "13:00-17:00")


def read(tmp_path, text, **kw):
    """Read an MSPDI text with no warning allowed."""
    path = tmp_path / "t.xml"
    path.write_text(text, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return read_mspdi(path, check_health=False, **kw)


def read_warning(tmp_path, text, match):
    path = tmp_path / "t.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.warns(pm.PmsimWarning, match=match):
        return read_mspdi(path, check_health=False)


def same_project(q: pm.Project, p: pm.Project) -> None:
    """Everything equal; links as a set (MSPDI keeps them under their successor)."""
    assert set(q.dependencies) == set(p.dependencies) and len(q.dependencies) == len(p.dependencies)
    assert q.replace(dependencies=p.dependencies) == p


# --------------------------------------------------------------------------- calendars

NIGHT_SHIFT = {1: (), 2: ("23:00-00:00",), 3: ("00:00-03:00", "04:00-08:00", "23:00-00:00"),
               4: ("00:00-03:00", "04:00-08:00", "23:00-00:00"), 5: ("00:00-03:00", "04:00-08:00", "23:00-00:00"),
               6: ("00:00-03:00", "04:00-08:00", "23:00-00:00"), 7: ("00:00-03:00", "04:00-08:00")}
ROUND_THE_CLOCK = dict.fromkeys(range(1, 8), ("00:00-00:00",))


def test_working_times_shifts_and_round_the_clock(tmp_path):
    # MS Project's three base calendars; a day of duration is MinutesPerDay (here 7.5 hours) on every one.
    cals = (calendar(1, "Standard", STANDARD_WEEK) + calendar(2, "Night Shift", NIGHT_SHIFT)
            + calendar(3, "24 Hours", ROUND_THE_CLOCK))
    p = read(tmp_path, document(calendars=cals, minutes_per_day=450,
                                tasks=task(1, "A", 15, "<CalendarUID>2</CalendarUID>") + task(2, "B", 7.5)))
    assert p.calendar == pm.Calendar(id="Standard", name="Standard", hours_per_day=7.5)
    night, clock = p.calendar_named("Night Shift"), p.calendar_named("24 Hours")
    # 00:00 as an end is midnight: 23:00-00:00 is the last hour of the day.
    assert night.day_hours("Tue") == ((0, 180), (240, 480), (1380, 1440))
    assert night.day_hours("Mon") == ((1380, 1440),) and night.day_hours("Sun") == ()
    assert clock.day_hours("Sun") == ((0, 1440),)
    assert {c.hours_per_day for c in p.calendars} == {7.5}
    assert [t.calendar for t in p.tasks] == ["Night Shift", None]
    assert p.task("1").planned_duration == 2.0  # 15 hours of 7.5-hour days


def test_exceptions_with_and_without_working_time(tmp_path):
    recurring = ("<Exception><EnteredByOccurrences>1</EnteredByOccurrences><TimePeriod><FromDate>2027-02-06T00:00:00"
                 "</FromDate><ToDate>2027-12-31T23:59:00</ToDate></TimePeriod><Occurrences>2</Occurrences>"
                 "<Name>Stocktake</Name><Type>6</Type><Period>1</Period><DaysOfWeek>64</DaysOfWeek>"
                 f"<DayWorking>1</DayWorking>{times('09:00-13:00')}</Exception>")
    exceptions = (exception("2027-01-06", "2027-01-07", name="Shutdown")
                  + exception("2027-01-16", "2027-01-16", ("08:00-12:00",), "Saturday work")
                  + exception("2027-01-18", "2027-01-20", ("07:00-11:00", "12:00-16:00"), "Early days") + recurring)
    p = read(tmp_path, document(calendars=calendar(1, "Standard", STANDARD_WEEK,
                                                   extra=f"<Exceptions>{exceptions}</Exceptions>"),
                                tasks=task(1, "A")))
    cal = p.calendar
    assert [str(d) for d in cal.holidays] == ["2027-01-06", "2027-01-07"]  # no working time: holidays
    assert cal.exceptions == (
        CalendarException("2027-01-16", hours="08:00-12:00", name="Saturday work"),
        CalendarException("2027-01-18", "2027-01-20", hours="07:00-11:00; 12:00-16:00", name="Early days"),
        CalendarException("2027-02-06", hours="09:00-13:00", name="Stocktake"),  # Saturdays, twice
        CalendarException("2027-02-13", hours="09:00-13:00", name="Stocktake"),
    )


def recurring_exception(name: str, kind: int, fields: str, spans=()) -> str:
    """A recurring exception from Friday 2023-05-12, entered by occurrences (8), of MSPDI ``Type`` ``kind``."""
    return ("<Exception><EnteredByOccurrences>1</EnteredByOccurrences><TimePeriod><FromDate>2023-05-12T00:00:00"
            "</FromDate><ToDate>2028-05-12T23:59:59</ToDate></TimePeriod><Occurrences>8</Occurrences>"
            f"<Name>{name}</Name><Type>{kind}</Type>{fields}<DayWorking>{int(bool(spans))}</DayWorking>"
            f"{times(*spans) if spans else ''}</Exception>")


def test_overlapping_exceptions_follow_ms_project_s_precedence(tmp_path):
    # MPXJ's calendar-exception-precedence-*.mpp (saved by MS Project, whose stored dates follow it): on Friday
    # 2023-05-12 a weekly working exception (13:00-17:00 every other Friday) loses to a monthly one (the 12th),
    # which loses to a yearly one (second Friday of May), which loses to a single date, whatever their order in
    # the file.
    weekly = recurring_exception("Weekly", 6, "<Period>2</Period><DaysOfWeek>32</DaysOfWeek>", ("13:00-17:00",))
    monthly = recurring_exception("Monthly", 4, "<Period>1</Period><MonthDay>12</MonthDay>", ("09:00-12:00",))
    yearly = recurring_exception("Yearly", 3, "<MonthItem>8</MonthItem><MonthPosition>1</MonthPosition>"
                                 "<Month>4</Month>")
    single = exception("2023-05-12", "2023-05-12", ("10:00-11:00",), "Single")

    def hours_on_the_12th(exceptions):
        cals = calendar(1, "Standard", STANDARD_WEEK, extra=f"<Exceptions>{exceptions}</Exceptions>")
        cal = read(tmp_path, document(calendars=cals, tasks=task(1, "A"), start="2023-05-08T08:00:00")).calendar
        day = dt.date(2023, 5, 12)
        return [(e.name, e.hours) for e in cal.exceptions if e.first <= day <= (e.last or e.first)] or [
            str(d) for d in cal.holidays if d == day]

    assert hours_on_the_12th(monthly + weekly) == [("Monthly", ((540, 720),))]
    assert hours_on_the_12th(yearly + weekly + monthly) == ["2023-05-12"]  # the yearly one: no work
    assert hours_on_the_12th(single + yearly + monthly) == [("Single", ((600, 660),))]


def test_exceptions_in_the_older_format(tmp_path):
    # Before MS Project 2007, exceptions were WeekDay entries of DayType 0, with or without working times.
    days = ("<WeekDay><DayType>0</DayType><DayWorking>0</DayWorking><TimePeriod><FromDate>2027-01-06T00:00:00"
            "</FromDate><ToDate>2027-01-06T23:59:00</ToDate></TimePeriod></WeekDay>"
            "<WeekDay><DayType>0</DayType><DayWorking>1</DayWorking><TimePeriod><FromDate>2027-01-09T00:00:00"
            f"</FromDate><ToDate>2027-01-09T23:59:00</ToDate></TimePeriod>{times('10:00-14:00')}</WeekDay>")
    cal = calendar(1, "Standard", STANDARD_WEEK).replace("</WeekDays>", days + "</WeekDays>")
    p = read(tmp_path, document(calendars=cal, tasks=task(1, "A")))
    assert p.calendar.holidays == (dt.date(2027, 1, 6),)
    assert p.calendar.exceptions == (CalendarException("2027-01-09", hours="10:00-14:00"),)


def test_work_weeks_become_exceptions_where_they_differ(tmp_path):
    summer = ("<WorkWeeks><WorkWeek><TimePeriod><FromDate>2027-06-01T00:00:00</FromDate><ToDate>2027-06-14T23:59:00"
              "</ToDate></TimePeriod><Name>Summer</Name><WeekDays>"
              f"<WeekDay><DayType>6</DayType><DayWorking>1</DayWorking>{times('07:00-13:00')}</WeekDay>"
              "<WeekDay><DayType>2</DayType><DayWorking>0</DayWorking></WeekDay>"
              f"<WeekDay><DayType>3</DayType><DayWorking>1</DayWorking>{times(*DAY)}</WeekDay>"
              "</WeekDays></WorkWeek></WorkWeeks>")
    p = read(tmp_path, document(calendars=calendar(1, "Standard", STANDARD_WEEK, extra=summer), tasks=task(1, "A")))
    # Fridays 4 and 11 June work 07:00-13:00, Mondays 7 and 14 June not at all; Tuesdays as always.
    assert p.calendar.exceptions == (CalendarException("2027-06-04", hours="07:00-13:00", name="Summer"),
                                     CalendarException("2027-06-11", hours="07:00-13:00", name="Summer"))
    assert p.calendar.holidays == (dt.date(2027, 6, 7), dt.date(2027, 6, 14))


def test_a_derived_calendar_inherits_its_base(tmp_path):
    base = calendar(1, "Standard", STANDARD_WEEK, extra="<Exceptions>" + exception("2027-01-06", "2027-01-06")
                    + exception("2027-01-08", "2027-01-08") + "</Exceptions>")
    # Part time: its own Monday to Wednesday, the base's other days; works the base's holiday on 8 January.
    part = calendar(2, "Part time", {2: ("09:00-13:00",), 3: ("09:00-13:00",), 4: ("09:00-13:00",)}, base=1,
                    extra="<Exceptions>" + exception("2027-01-08", "2027-01-08", ("10:00-12:00",)) + "</Exceptions>")
    p = read(tmp_path, document(calendars=base + part, tasks=task(1, "A", extra="<CalendarUID>2</CalendarUID>")))
    cal = p.calendar_named("Part time")
    assert [cal.day_hours(d) for d in ("Mon", "Thu", "Sat")] == [((540, 780),), ((480, 720), (780, 1020)), ()]
    assert cal.holidays == (dt.date(2027, 1, 6),)
    assert cal.exceptions == (CalendarException("2027-01-08", hours="10:00-12:00"),)


def test_resource_calendars_are_kept_only_when_they_change_working_time(tmp_path):
    cals = (calendar(1, "Standard", STANDARD_WEEK) + calendar(2, "Night Shift", NIGHT_SHIFT)
            + calendar(3, "Ann", base=1)  # MS Project's own calendar for Ann: nothing changed
            + calendar(4, "Bob", {6: ()}, base=1)  # Bob does not work on Fridays
            + calendar(5, "Cy", base=2))  # Cy works the night shift
    res = resource(1, "Ann", 3) + resource(2, "Bob", 4) + resource(3, "Cy", 5) + resource(4, "Di")
    p = read(tmp_path, document(calendars=cals, tasks=task(1, "A"), resources=res))
    assert {r.id: r.calendar for r in p.resources} == {"Ann": None, "Bob": "Bob", "Cy": "Night Shift", "Di": None}
    assert p.calendar_named("Bob").working_weekdays == ("Mon", "Tue", "Wed", "Thu")
    assert [c.id for c in p.calendars] == ["Night Shift", "Bob"]


def test_the_calendar_a_task_works_on_follows_ms_project(tmp_path):
    cals = (calendar(1, "Standard", STANDARD_WEEK) + calendar(2, "24 Hours", ROUND_THE_CLOCK)
            + calendar(3, "Early", {d: ("06:00-14:00",) for d in range(2, 7)}) + calendar(4, "Bob", {6: ()}, base=1))
    tasks = (
        # its own calendar, resource calendars ignored
        task(1, "Own", extra="<CalendarUID>2</CalendarUID><IgnoreResourceCalendar>1</IgnoreResourceCalendar>")
        # 24 hours with a standard resource: the resource's hours
        + task(2, "Round the clock", extra="<CalendarUID>2</CalendarUID><Type>0</Type>")
        # early hours with a standard resource: the hours both work, a calendar of their own
        + task(3, "Early", extra="<CalendarUID>3</CalendarUID><Type>0</Type>")
        # fixed duration: the task's calendar (the project's) whatever its resource works on
        + task(4, "Fixed", extra="<Type>1</Type>")
        # fixed units: its resource's calendar (pmsim's rule for a task without one)
        + task(5, "Units", extra="<Type>0</Type>"))
    res = resource(1, "Ann") + resource(2, "Bob", 4)
    asg = (assignment(1, 1, 2) + assignment(2, 2, 1) + assignment(3, 3, 1) + assignment(4, 4, 2)
           + assignment(5, 5, 2))
    # MS Project counts the slack of tasks 2 and 3 on their own calendars, pmsim on the hours they work: named.
    p = read_warning(tmp_path, document(calendars=cals, tasks=tasks, resources=res, assignments=asg),
                     r"task calendars narrowed by the resources' calendars.*"
                     r"task UID 2 \(Round the clock\), task UID 3 \(Early\)")
    assert [t.calendar for t in p.tasks] == ["24 Hours", "Standard", "Early & Standard", "Standard", None]
    assert p.calendar_named("Early & Standard").day_hours("Mon") == ((480, 720), (780, 840))
    assert p.task_calendar("5").id == "Bob"


def test_resources_on_different_calendars_each_work_on_their_own(tmp_path):
    # Ann works the standard week, Bob not on Fridays; both work the task's two days (16 hours at 100 %) from
    # Thursday 2027-01-07 08:00. Ann finishes Friday 17:00, Bob (Thursday, then Monday) Monday 17:00: the task
    # ends when Bob does, and B (one day, no resources) starts Tuesday 08:00. No warning: modelled.
    cals = calendar(1, "Standard", STANDARD_WEEK) + calendar(2, "Bob", {6: ()}, base=1)
    tasks = task(1, "A", 16, "<Type>0</Type>") + task(2, "B", 8, link(1))
    p = read(tmp_path, document(calendars=cals, tasks=tasks, start="2027-01-07T08:00:00",
                                resources=resource(1, "Ann") + resource(2, "Bob", 2),
                                assignments=assignment(1, 1, 1, 1, "<Work>PT16H0M0S</Work>")
                                + assignment(2, 1, 2, 1, "<Work>PT16H0M0S</Work>")))
    assert [c.id for c in p.assignment_calendars("1")] == ["Standard", "Bob"]
    assert p.task_calendar("1") == p.calendar  # its float and lags count on the project calendar
    times_ = pm.cpm(p).times()
    assert times_.loc["1", ["early_start", "early_finish"]].tolist() == [pd.Timestamp("2027-01-07 08:00"),
                                                                         pd.Timestamp("2027-01-11 17:00")]
    assert times_.loc["2", "early_start"] == pd.Timestamp("2027-01-12 08:00")


def test_a_task_lasts_as_long_as_its_longest_assignment(tmp_path):
    # MS Project schedules a task that is not fixed-duration by its assignments' work at their units: Ann's 16
    # hours at 100 % take two days, Cy's 12 hours at 50 % three; the Duration field (40 hours) is not what
    # counts. The task lasts three days: Monday 08:00 to Wednesday 17:00 (as its stored Finish says).
    tasks = task(1, "A", 40, "<Type>0</Type><Start>2027-01-04T08:00:00</Start><Finish>2027-01-06T17:00:00</Finish>")
    p = read(tmp_path, document(tasks=tasks, resources=resource(1, "Ann") + resource(2, "Cy"),
                                assignments=assignment(1, 1, 1, 1, "<Work>PT16H0M0S</Work>")
                                + assignment(2, 1, 2, 0.5, "<Work>PT12H0M0S</Work>")))
    assert p.task("1").planned_duration == 3.0
    assert pm.cpm(p).times().loc["1", "early_finish"] == pd.Timestamp("2027-01-06 17:00")
    # A contoured assignment spreads its work thinner: the Duration field stands.
    contoured = assignment(1, 1, 1, 1, "<Work>PT16H0M0S</Work><WorkContour>7</WorkContour>")
    with pytest.warns(pm.PmsimWarning, match="work contours"):
        (tmp_path / "c.xml").write_text(document(tasks=tasks, resources=resource(1, "Ann"), assignments=contoured))
        q = read_mspdi(tmp_path / "c.xml", check_health=False)
    assert q.task("1").planned_duration == 5.0


def test_elapsed_durations_and_lags_run_round_the_clock(tmp_path):
    # DurationFormat 8: elapsed days; LagFormat 6: elapsed hours, 40: elapsed days (estimated).
    cure = task(1, "Cure", 36).replace("<DurationFormat>7</DurationFormat>", "<DurationFormat>8</DurationFormat>")
    tasks = cure + task(2, "Paint", 8, link(1, 1, 6 * 600, 6)) + task(3, "Dry", 8, link(2, 1, 4800, 40))
    p = read(tmp_path, document(tasks=tasks))
    assert p.task("1").calendar == ELAPSED and p.task("1").planned_duration == 1.5
    assert p.task("2").calendar is None
    lags = {(d.predecessor, d.successor): (d.lag, d.lag_calendar) for d in p.dependencies}
    assert lags == {("1", "2"): (0.25, ELAPSED), ("2", "3"): (8 / 24, ELAPSED)}  # 6 elapsed hours; 8 (estimated)
    assert p.calendar_named(ELAPSED).hours_per_day == 24


# --------------------------------------------------------------------------- constraints, deadlines, settings

CONSTRAINED = [
    # code, date in the file, constraint, date as pmsim keeps it (a date alone at the edge of the day's work)
    (0, None, "ASAP", None),
    (1, None, "ALAP", None),
    (2, "2027-01-12T13:00:00", "MSO", dt.datetime(2027, 1, 12, 13)),
    (3, "2027-01-15T17:00:00", "MFO", dt.date(2027, 1, 15)),
    (4, "2027-01-11T08:00:00", "SNET", dt.date(2027, 1, 11)),
    (5, "2027-01-13T08:00:00", "SNLT", dt.date(2027, 1, 13)),
    (6, "2027-01-14T12:00:00", "FNET", dt.datetime(2027, 1, 14, 12)),
    (7, "2027-01-22T17:00:00", "FNLT", dt.date(2027, 1, 22)),
]


@pytest.mark.parametrize("code, stamp, kind, date", CONSTRAINED)
def test_constraints(tmp_path, code, stamp, kind, date):
    extra = f"<ConstraintType>{code}</ConstraintType>" + (f"<ConstraintDate>{stamp}</ConstraintDate>" if stamp else
                                                          "<ConstraintDate>2027-01-04T08:00:00</ConstraintDate>")
    t = read(tmp_path, document(tasks=task(1, "A", extra=extra))).task("1")
    assert (t.constraint, t.constraint_date) == (kind, date)


def test_deadlines_honour_and_ms_project_settings(tmp_path):
    tasks = (task(1, "A", extra="<Deadline>2027-02-01T17:00:00</Deadline>")
             + task(2, "B", extra="<Deadline>2027-02-01T12:00:00</Deadline>"))
    p = read(tmp_path, document(tasks=tasks))
    assert [t.deadline for t in p.tasks] == [dt.date(2027, 2, 1), dt.datetime(2027, 2, 1, 12)]
    # MS Project's rules: lags on the successor's calendar, total slack the smaller of start and finish
    # slack, progress as MS Project schedules it, tasks honour their constraints.
    assert (p.lag_calendar, p.total_float, p.progress_rule, p.honor_constraints) == \
        ("successor", "smallest", "ms_project", True)
    # MS Project writes HonorConstraints 0 in every file of the corpus though the option is on by default
    # (and MPXJ's MicrosoftScheduler always honours): the element says nothing; pmsim's own files say it.
    for flag in (0, 1):
        q = read(tmp_path, document(tasks=tasks, project=f"<HonorConstraints>{flag}</HonorConstraints>"))
        assert q.honor_constraints is True
    # The MSPDI MPXJ writes from an .mpp holds the project's option (MPXJ reads the .mpp's flag).
    from pmsim.io.mspdi import parse_document, read_document

    text = document(tasks=tasks, project="<HonorConstraints>0</HonorConstraints>").encode()
    mpp = read_document(parse_document(tmp_path / "p.mpp", text), tmp_path / "p.mpp", check_health=False,
                        from_mpp=True)
    assert mpp.honor_constraints is False


# --------------------------------------------------------------------------- progress

def progressed_tasks():
    done = ("<ActualStart>2027-01-04T08:00:00</ActualStart><ActualFinish>2027-01-05T17:00:00</ActualFinish>"
            "<PercentComplete>100</PercentComplete><RemainingDuration>PT0H0M0S</RemainingDuration>"
            "<ActualCost>12000</ActualCost>")
    going = ("<ActualStart>2027-01-06T10:00:00</ActualStart><PercentComplete>25</PercentComplete>"
             "<RemainingDuration>PT24H0M0S</RemainingDuration>")
    waiting = "<PercentComplete>0</PercentComplete><RemainingDuration>PT16H0M0S</RemainingDuration>"
    return task(1, "Done", 16, done) + task(2, "Going", 32, going + link(1)) + task(3, "Waiting", 16, waiting + link(2))


def test_progress_on_the_tasks_and_the_status_date(tmp_path):
    text = document(tasks=progressed_tasks(), project="<StatusDate>2027-01-07T17:00:00</StatusDate>")
    p, rows = read(tmp_path, text, with_progress=True)
    done, going, waiting = p.tasks
    assert (done.actual_start, done.actual_finish, done.percent_complete, done.remaining_duration) == \
        (dt.date(2027, 1, 4), dt.date(2027, 1, 5), 100.0, None)
    assert (going.actual_start, going.actual_finish, going.percent_complete, going.remaining_duration) == \
        (dt.datetime(2027, 1, 6, 10), None, 25.0, 3.0)
    assert (waiting.actual_start, waiting.percent_complete, waiting.remaining_duration) == (None, None, None)
    assert p.status_date == dt.date(2027, 1, 7) and p.progress_rule == "ms_project"
    # The progress table for earned value, as before.
    assert rows["id"].tolist() == ["1", "2"] and rows["actual_cost"].tolist() == [120.0, 0.0]


def test_a_file_with_actuals_and_no_status_date(tmp_path):
    p = read(tmp_path, document(tasks=progressed_tasks()))
    assert p.status_date is None and p.task("2").started and p.progress_rule == "ms_project"


# One row per status date the model cannot hold: left out, with a warning that says why.
STATUS_DATES = [
    # before the project start (Aspose's examples carry 2000-01-01)
    ("2000-01-01T00:00:00", r"status dates before the project start \(left out\).*StatusDate 2000-01-01"),
    # before the actual dates of tasks
    ("2027-01-05T17:00:00", r"a status date before actual dates .*task UID 2 \(Going\)"),
]


@pytest.mark.parametrize("stamp, message", STATUS_DATES)
def test_a_status_date_the_model_cannot_hold_is_left_out(tmp_path, stamp, message):
    text = document(tasks=progressed_tasks(), project=f"<StatusDate>{stamp}</StatusDate>")
    assert read_warning(tmp_path, text, message).status_date is None


def test_a_finished_task_below_100_percent_is_complete(tmp_path):
    text = document(tasks=progressed_tasks().replace("<PercentComplete>100</PercentComplete>",
                                                     "<PercentComplete>0</PercentComplete>"))
    p = read_warning(tmp_path, text, r"finished tasks below 100 % complete \(read as 100 %\).*task UID 1 \(Done\): 0 %")
    assert p.task("1").percent_complete == 100.0


# --------------------------------------------------------------------------- links

def test_links_two_per_pair_and_lags_on_the_day_of_the_file(tmp_path):
    tasks = (task(1, "A", 15) + task(2, "B", 15, link(1, 3, 2250) + link(1, 0, 4500))
             + task(3, "C", 7.5, link(2, 1, -2250)))
    p = read(tmp_path, document(tasks=tasks, minutes_per_day=450))  # 7.5-hour days
    assert set(p.dependencies) == {pm.Dependency("1", "2", "SS", 0.5), pm.Dependency("1", "2", "FF", 1),
                                   pm.Dependency("2", "3", "FS", -0.5)}


def test_percent_lags_are_converted_and_named(tmp_path):
    tasks = task(1, "A", 40) + task(2, "B", 8, link(1, 1, 50, 19)) + task(3, "C", 8, link(1, 3, 25, 20))
    p = read_warning(tmp_path, document(tasks=tasks),
                     r"lags in percent .*task UID 1 \(A\) -> task UID 2 \(B\) \(50 %\), "
                     r"task UID 1 \(A\) -> task UID 3 \(C\) \(25 %\); converted to days")
    lags = {d.successor: (d.lag, d.lag_calendar) for d in p.dependencies}
    assert lags == {"2": (2.5, None), "3": (1.25, ELAPSED)}  # 50 % and 25 % (elapsed) of 5 days


# --------------------------------------------------------------------------- what pmsim does not model

UNMODELLED = [
    # scheduling backwards from the finish date
    (dict(project="<ScheduleFromStart>0</ScheduleFromStart>", tasks=task(1, "A")),
     r"scheduling from the project finish date"),
    # a constraint on a summary task
    (dict(tasks=task(1, "Phase", extra="<ConstraintType>4</ConstraintType><ConstraintDate>2027-01-11T08:00:00"
                     "</ConstraintDate>") + task(2, "A", level=2)),
     r"constraints on summary tasks .*task UID 1 \(Phase\): Start No Earlier Than"),
    # a deadline on a summary task
    (dict(tasks=task(1, "Phase", extra="<Deadline>2027-02-01T17:00:00</Deadline>") + task(2, "A", level=2)),
     r"deadlines on summary tasks .*task UID 1 \(Phase\)"),
    # assignments of different lengths (one day, two days) on two calendars: each would work its own
    (dict(calendars=calendar(1, "Standard", STANDARD_WEEK) + calendar(2, "Bob", {6: ()}, base=1),
          tasks=task(1, "A", 16, "<Type>0</Type>"), resources=resource(1, "Ann") + resource(2, "Bob", 2),
          assignments=assignment(1, 1, 1, 1, "<Work>PT8H0M0S</Work>") + assignment(2, 1, 2, 1, "<Work>PT16H0M0S</Work>")),
     r"resource-driven durations .*task UID 1 \(A\)"),
    # two resources on two calendars, and a task calendar of its own: scheduled on the time both work
    (dict(calendars=calendar(1, "Standard", STANDARD_WEEK) + calendar(2, "Bob", {6: ()}, base=1)
          + calendar(3, "Six days", {**STANDARD_WEEK, 7: DAY}),
          tasks=task(1, "A", extra="<Type>0</Type><CalendarUID>3</CalendarUID>"),
          resources=resource(1, "Ann") + resource(2, "Bob", 2), assignments=assignment(1, 1, 1) + assignment(2, 1, 2)),
     r"tasks whose resources work on different calendars .*task UID 1 \(A\)"),
    # a task calendar the file does not define
    (dict(tasks=task(1, "A", extra="<CalendarUID>9</CalendarUID>")),
     r"task calendars that the file does not define .*task UID 1 \(A\)"),
    # a resource calendar the file does not define
    (dict(tasks=task(1, "A"), resources=resource(1, "Ann", 9)),
     r"resource calendars that the file does not define .*resource UID 1 \(Ann\)"),
    # a calendar no one uses and with no working time
    (dict(calendars=calendar(1, "Standard", STANDARD_WEEK) + calendar(2, "Closed", dict.fromkeys(range(1, 8), ())),
          tasks=task(1, "A")), r"calendars with no working time \(left out: .*'Closed'"),
    # a project deadline before the start (junk in some files)
    (dict(tasks=task(1, "A").replace("<Summary>1</Summary>", "")),
     r"project deadlines before the project start \(left out\).*Deadline 2026-12-01"),
]


@pytest.mark.parametrize("parts, message", UNMODELLED)
def test_what_pmsim_does_not_model_is_named_in_a_warning(tmp_path, parts, message):
    text = document(**parts)
    if "project deadlines" in message:
        text = text.replace("<Summary>1</Summary></Task>", "<Summary>1</Summary><Deadline>2026-12-01T17:00:00"
                                                           "</Deadline></Task>", 1)
    p = read_warning(tmp_path, text, message)
    assert p.tasks


def test_a_split_in_timephased_work_is_kept(tmp_path):
    # Three days of work at 8 hours a day, with no work on Tuesday: the work stops after one day and resumes
    # one working day later, so the task finishes on Thursday 7 January.
    days = ((4, 8), (5, 0), (6, 8), (7, 8))
    text = document(tasks=task(1, "A", 24), assignments=assignment(1, 1, -65535, extra="".join(
        f"<TimephasedData><Type>1</Type><UID>1</UID><Start>2027-01-0{d}T08:00:00</Start><Finish>2027-01-0{d}T17:00:00"
        f"</Finish><Unit>2</Unit><Value>PT{h}H0M0S</Value></TimephasedData>" for d, h in days)))
    p = read(tmp_path, text)  # a split is modelled: nothing to warn of
    assert p.task("1").splits == ((1.0, 1.0),)
    assert pm.cpm(p).times().loc["1", "early_finish"] == dt.datetime(2027, 1, 7, 17)


def test_split_tasks_mpxj_finds_in_an_mpp_are_kept(tmp_path):
    # MSPDI shows splits only in timephased data, which MPXJ leaves out: the .mpp reader gives MPXJ's ranges of
    # work. Two days of work (Mon 4, then Thu 7 January 2027): a split after one day, with a gap of two.
    from pmsim.io.mspdi import parse_document, read_document

    path = tmp_path / "t.mpp"
    ranges = [(dt.datetime(2027, 1, 4, 8), dt.datetime(2027, 1, 4, 17)),
              (dt.datetime(2027, 1, 7, 8), dt.datetime(2027, 1, 7, 17))]
    p = read_document(parse_document(path, document(tasks=task(1, "A", 16)).encode()), path, check_health=False,
                      from_mpp=True, split_tasks={1: ranges})
    assert p.task("1").splits == ((1.0, 2.0),)


# --------------------------------------------------------------------------- bad input

BAD = [
    # a calendar with no working time that a task works on
    (dict(calendars=calendar(1, "Standard", STANDARD_WEEK) + calendar(2, "Closed", dict.fromkeys(range(1, 8), ())),
          tasks=task(1, "A", extra="<CalendarUID>2</CalendarUID>")),
     pm.ValidationError, r"t\.xml: calendar 'Closed': Calendar 'Closed': no working time at all"),
    # an exception that takes every working day from the project start on
    (dict(calendars=calendar(1, "Standard", STANDARD_WEEK, extra="<Exceptions>" + exception("2020-01-01", "2060-12-31")
                             + "</Exceptions>"), tasks=task(1, "A")),
     pm.FileFormatError,
     r"t\.xml: calendar 'Standard' has no working time in the ten years from the project start 2027-01-04"),
    # a constraint code MSPDI does not have
    (dict(tasks=task(1, "A", extra="<ConstraintType>9</ConstraintType>")), pm.FileFormatError,
     r"t\.xml: task UID 1 \(A\): ConstraintType must be 0 to 7"),
    # a dated constraint without its date
    (dict(tasks=task(1, "A", extra="<ConstraintType>4</ConstraintType>")), pm.FileFormatError,
     r"task UID 1 \(A\): ConstraintType 4 \(Start No Earlier Than\) needs a ConstraintDate"),
    # a task that finishes before it starts
    (dict(tasks=task(1, "A", extra="<ActualStart>2027-01-05T08:00:00</ActualStart>"
                     "<ActualFinish>2027-01-04T17:00:00</ActualFinish>")), pm.FileFormatError,
     r"t\.xml: task UID 1 \(A\): ActualFinish 2027-01-04 17:00:00 is before ActualStart 2027-01-05 08:00:00"),
    # a Must Start On before the project start
    (dict(tasks=task(1, "A", extra="<ConstraintType>2</ConstraintType><ConstraintDate>2026-12-01T08:00:00"
                     "</ConstraintDate>")), pm.ValidationError,
     r"t\.xml: Task '1': constraint MSO on 2026-12-01 is before the project start 2027-01-04"),
    # a working time that runs past midnight
    (dict(calendars=calendar(1, "Standard", {2: ("22:00-06:00",)}), tasks=task(1, "A")), pm.FileFormatError,
     r"calendar 'Standard': working time 22:00:00-06:00:00 ends before it starts"),
    # a task calendar and a resource calendar that never work at the same time
    (dict(calendars=calendar(1, "Standard", STANDARD_WEEK)
          + calendar(2, "Weekend", {1: DAY, 2: (), 3: (), 4: (), 5: (), 6: (), 7: DAY}),
          tasks=task(1, "A", extra="<CalendarUID>2</CalendarUID><Type>0</Type>"), resources=resource(1, "Ann"),
          assignments=assignment(1, 1, 1)),
     pm.ValidationError, r"t\.xml: the task calendar 'Weekend' and the resource calendar 'Standard' never work"),
]


@pytest.mark.parametrize("parts, error, message", BAD)
def test_bad_input_names_the_file_and_the_rule(tmp_path, parts, error, message):
    path = tmp_path / "t.xml"
    path.write_text(document(**parts), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PmsimWarning)
        with pytest.raises(error, match=message):
            read_mspdi(path, check_health=False)


# One row per way pmsim's own settings (Text26 'pmsim settings' of the summary task) may be spoilt by hand.
BAD_SETTINGS = [
    # cut short (MS Project keeps 255 characters of a text field)
    ('{"lag_calendar": "successor", "total_float"', pm.FileFormatError, r"'pmsim settings' is not a JSON object"),
    # calendar ids that are not [id, name]
    ('{"calendars": {"1": "Standard"}}', pm.FileFormatError, r"calendars must map calendar UIDs to \[id, name\]"),
    # a rule pmsim does not know
    ('{"total_float": "largest"}', pm.ValidationError, r"t\.xml: Project 'Test plan': total_float must be one of"),
]


@pytest.mark.parametrize("settings, error, message", BAD_SETTINGS)
def test_spoilt_pmsim_settings_name_the_file_and_the_rule(tmp_path, settings, error, message):
    alias = ("<ExtendedAttributes><ExtendedAttribute><FieldID>188744012</FieldID><FieldName>Text26</FieldName>"
             "<Alias>pmsim settings</Alias></ExtendedAttribute></ExtendedAttributes>")
    value = f"<ExtendedAttribute><FieldID>188744012</FieldID><Value>{settings}</Value></ExtendedAttribute>"
    text = document(tasks=task(1, "A")).replace("<Calendars>", alias + "<Calendars>").replace(
        "<Summary>1</Summary></Task>", f"<Summary>1</Summary>{value}</Task>", 1)
    path = tmp_path / "t.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(error, match=message):
        read_mspdi(path, check_health=False)


# --------------------------------------------------------------------------- the stored schedule

def test_stored_schedule_of_a_file_ms_project_saved():
    path = pm.data_path().parent / "tests" / "data" / "real" / "mspdi" / "mpxj-sample.xml"
    stored = stored_schedule(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PmsimWarning)
        p = read_mspdi(path, check_health=False)
    assert list(stored.index) == list(p.task_ids)  # leaf tasks only, under the reader's ids
    assert list(stored.columns) == ["early_start", "early_finish", "late_start", "late_finish", "total_float",
                                    "free_float", "start", "finish", "actual_start", "actual_finish", "status",
                                    "summary", "milestone", "uid"]
    second = stored.loc[p.task_ids[p.task_ids.index("2")]]
    assert second.uid == 2  # the file's UID of task ID 2, which the reader's warnings name
    # From the file: EarlyStart 2003-01-07T08:00, EarlyFinish 2003-03-18T08:00, TotalSlack 0.
    assert (second.early_start, second.early_finish) == (pd.Timestamp("2003-01-07 08:00"),
                                                         pd.Timestamp("2003-03-18 08:00"))
    assert second.total_float == 0 and second.status == "not started" and pd.isna(second.actual_start)
    assert stored["early_start"].dtype.kind == "M" and not stored["summary"].any()


def test_stored_schedule_of_what_pmsim_writes_is_its_cpm(tmp_path):
    from support import rich_exchange_project

    p = rich_exchange_project()
    write_mspdi(p, tmp_path / "r.xml")
    stored = stored_schedule(tmp_path / "r.xml")
    table = pm.cpm(p).table
    np.testing.assert_allclose(stored["total_float"], table["total_float"], atol=1e-6)
    np.testing.assert_allclose(stored["free_float"], table["free_float"], atol=1e-6)
    starts = p.calendar.start_time(p.start, table["early_start"].to_numpy())
    nonzero = table["duration"].to_numpy() > 0
    assert (stored["early_start"].to_numpy()[nonzero] == starts[nonzero]).all()
    assert stored.loc["K0", "milestone"] and (stored["status"] == "not started").all()


# --------------------------------------------------------------------------- round trip and the file written

def test_every_feature_round_trip(tmp_path):
    p = every_feature_project()
    with pytest.warns(pm.PmsimWarning, match=r"two links between the same tasks .*A -> E \(SS, FF\)"):
        write_mspdi(p, tmp_path / "every.xml")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        q = read_mspdi(tmp_path / "every.xml", check_health=False)
    same_project(q, p)


def test_what_the_writer_puts_in_the_file(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PmsimWarning)
        write_mspdi(every_feature_project(), tmp_path / "every.xml")
    root = ET.parse(tmp_path / "every.xml").getroot()
    assert (root.findtext(Q + "HonorConstraints"), root.findtext(Q + "StatusDate")) == ("0", "2027-01-08T17:00:00")
    cals = {c.findtext(Q + "Name"): c for c in root.find(Q + "Calendars")}
    assert list(cals) == ["Standard", "Night shift", "Early", "Developer", "Operator"]  # no elapsed calendar
    assert cals["Operator"].findtext(Q + "BaseCalendarUID") == cals["Night shift"].findtext(Q + "UID")
    tasks = {t.findtext(Q + "Name"): t for t in root.iter(Q + "Task")}

    def fields(name, *tags):
        return tuple(tasks[name].findtext(Q + tag) for tag in tags)

    assert fields("Curing", "Duration", "DurationFormat", "ConstraintType", "ConstraintDate") == \
        ("PT36H0M0S", "8", "7", "2027-01-30T00:00:00")  # 1.5 elapsed days; the end of 29 January
    assert fields("Early build", "CalendarUID", "IgnoreResourceCalendar", "Type", "ActualStart", "RemainingDuration",
                  "PercentComplete") == (cals["Early"].findtext(Q + "UID"), "1", "1", "2027-01-08T10:00:00",
                                         "PT12H0M0S", "30")
    assert fields("Night work", "CalendarUID", "Type") == ("-1", "0")  # on its resource's calendar: fixed units
    assert fields("Survey", "ConstraintType", "ConstraintDate", "Deadline", "ActualFinish") == \
        ("4", "2027-01-05T08:00:00", "2027-01-20T17:00:00", "2027-01-07T17:00:00")
    handover = [(lk.findtext(Q + "LinkLag"), lk.findtext(Q + "LagFormat"))
                for lk in tasks["Handover"].iter(Q + "PredecessorLink")]
    assert ("3600", "8") in handover  # 0.25 elapsed days = 6 hours, in tenths of a minute


# One row per thing the writer cannot put in MSPDI: the change to the project, the warning.
WRITER_NOTES = [
    (lambda p: p.replace(tasks=[p.task("A").replace(actual_start=None, actual_finish=None, percent_complete=None,
                                                    constraint="SO")] + list(p.tasks[1:])),
     r"P6's start-on and finish-on constraints \(written as Must Start On and Must Finish On\).*: A"),
    (lambda p: p.replace(tasks=[p.task("A").replace(secondary_constraint="FNLT",
                                                    secondary_constraint_date="2027-01-29")] + list(p.tasks[1:])),
     r"secondary constraints .*A: FNLT"),
    (lambda p: p.replace(calendars=(p.calendars[0], pm.Calendar(hours="06:00-16:00", id="Early", name="Early"),
                                    p.calendars[2])),
     r"calendars whose day is not as long as the project calendar's .*Early"),
    (lambda p: p.replace(lag_calendar="predecessor"), r"a lag calendar rule other than the successor's"),
]


@pytest.mark.parametrize("change, message", WRITER_NOTES)
@pytest.mark.filterwarnings("ignore:.*two links between the same tasks")
def test_what_mspdi_cannot_hold_is_named_when_writing(tmp_path, change, message):
    with pytest.warns(pm.PmsimWarning, match=message):
        write_mspdi(change(every_feature_project()), tmp_path / "w.xml")
