"""The table format's time columns: calendars, constraints, deadlines, progress and the scheduling settings."""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd
import pytest

import pmsim as pm
from pmsim.calendar import CalendarException
from pmsim.model.project import project_from_frames
from pmsim.model.calendar_cells import exceptions_text, parse_exceptions, weekdays_text
from pmsim.model.cells import CALENDAR_COLUMNS, moment_text
from pmsim.model.frames import project_to_frames
from support import time_project

START = "2027-01-04"


def with_calendars(calendars: dict, tasks: dict | None = None, **settings) -> pm.Project:
    tasks = tasks or {"id": ["A"], "duration": [1]}
    return project_from_frames(pd.DataFrame(tasks), calendars=pd.DataFrame(calendars), start=START, **settings)


def calendar_of(**row) -> pm.Calendar:
    return with_calendars({"id": ["c"], **{k: [v] for k, v in row.items()}}).calendar_named("c")


# --------------------------------------------------------------------------- round trip


def test_every_time_feature_round_trips_through_frames():
    p = time_project()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        q = pm.Project.from_frames(**p.to_frames())
    assert q == p
    assert q.calendar is not None and q.calendar.id == "standard"
    assert [d.type for d in q.predecessors("B")] == ["SS", "FF"]
    assert q.task("C").constraint_date == dt.datetime(2027, 2, 1, 6, 30)
    assert q.task("D").constraint_date == dt.date(2027, 3, 1)
    assert q.status_date == dt.datetime(2027, 1, 13, 17, 0)


def test_time_columns_read_as_written_by_hand():
    f = project_to_frames(time_project())
    tasks = f["tasks"].set_index("id")
    assert tasks.loc["B", "predecessors"] == "A SS+2; A FF+2"
    assert tasks.loc["D", "predecessors"] == "C FS+1 @24h"
    assert tasks.loc["C", ["calendar", "constraint", "constraint_date"]].tolist() == ["24h", "SNET", "2027-02-01T06:30"]
    assert tasks.loc["A", "constraint"] == ""  # ASAP, the default, is left blank
    assert tasks.loc["E", ["secondary_constraint", "secondary_constraint_date"]].tolist() == ["FNLT", "2027-04-30T17:00"]
    assert tasks.loc["B", ["actual_start", "actual_finish", "remaining_duration", "percent_complete"]].tolist() == [
        "2027-01-11", "", 3.5, 40.0]
    assert np.isnan(tasks.loc["C", "remaining_duration"])
    assert f["resources"].set_index("id")["calendar"].tolist() == ["night", ""]
    cals = f["calendars"].set_index("id")
    assert list(f["calendars"].columns) == list(CALENDAR_COLUMNS)
    assert cals.loc["standard", ["workdays", "hours", "holidays"]].tolist() == [
        "Mon-Fri", "08:00-12:00; 13:00-17:00", "2027-04-02; 2027-05-03"]
    assert cals.loc["night", "workdays"] == "Sun-Thu"
    assert cals.loc["short_fri", ["workdays", "fri", "hours_per_day"]].tolist() == ["Mon-Thu", "07:00-12:00", 8.0]
    assert np.isnan(cals.loc["standard", "hours_per_day"])  # the length of its working day: not written
    assert cals.loc["weekends", ["workdays", "hours", "sat", "sun"]].tolist() == [
        "none", "none", "09:00-13:00", "09:00-13:00"]
    assert cals.loc["standard", "exceptions"] == (
        '2027-06-11 "Audit: ""dry run""; day 1": 09:00-11:00, 14:00-16:00; 2027-07-01..2027-07-02: none; '
        "2027-12-24 Christmas Eve: 08:00-12:00; 2027-12-27..2027-12-31 Year-end shutdown: none")
    s = f["settings"]
    assert s["calendar"] == "standard"
    assert {k: s[k] for k in ("status_date", "must_finish_by", "lag_calendar", "total_float", "progress_rule",
                              "honor_constraints")} == {
        "status_date": dt.datetime(2027, 1, 13, 17), "must_finish_by": dt.date(2027, 6, 30),
        "lag_calendar": "predecessor", "total_float": "smallest", "progress_rule": "progress_override",
        "honor_constraints": False}


def test_a_project_calendar_of_its_own_with_an_id_is_written_as_a_table():
    cal = pm.Calendar(id="site", name="Site", workdays="Mon-Sat", hours="07:00-12:00; 13:00-16:00",
                      exceptions=(CalendarException("2027-03-01", hours="07:00-11:00"),), hours_per_day=7.5)
    p = pm.Project(name="x", start=START, tasks=[pm.Task("A", duration=1, calendar="site")], calendar=cal)
    f = p.to_frames()
    assert f["calendars"].empty
    assert f["settings"]["calendar"] == {
        "workdays": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"], "holidays": [], "hours": "07:00-12:00; 13:00-16:00",
        "hours_per_day": 7.5, "exceptions": ["2027-03-01: 07:00-11:00"], "id": "site", "name": "Site"}
    assert pm.Project.from_frames(**f) == p


def test_calendar_objects_may_be_given_instead_of_a_table():
    night = pm.Calendar(id="night", hours="22:00-24:00")
    tasks = pd.DataFrame({"id": ["A"], "duration": [1], "calendar": ["night"]})
    p = project_from_frames(tasks, calendars=[night], start=START)
    assert p.calendars == (night,) and p.task_calendar("A") == night


# --------------------------------------------------------------------------- calendar cells


@pytest.mark.parametrize(
    "row, expected",
    [
        # a range of weekdays and two shifts
        ({"workdays": "Mon-Fri", "hours": "06:00-14:00; 14:00-22:00"},
         pm.Calendar(hours="06:00-14:00; 14:00-22:00")),
        # a list with commas, full names
        ({"workdays": "Monday, Wednesday", "hours": "08:00-16:00"},
         pm.Calendar(workdays=("Mon", "Wed"), hours="08:00-16:00")),
        # round the clock, every day
        ({"workdays": "Mon-Sun", "hours": "00:00-24:00"}, pm.Calendar(workdays="Mon-Sun", hours="00:00-24:00")),
        # a range across Sunday
        ({"workdays": "Sun-Thu"}, pm.Calendar(workdays=("Sun", "Mon", "Tue", "Wed", "Thu"))),
        # a short Friday and a Saturday morning, each in its weekday column
        ({"workdays": "Mon-Thu", "fri": "08:00-12:00", "sat": "09:00-11:00"},
         pm.Calendar(workdays="Mon-Thu", week={"Fri": "08:00-12:00", "Sat": "09:00-11:00"})),
        # a weekday column saying none takes the day off
        ({"workdays": "Mon-Fri", "wed": "none"}, pm.Calendar(workdays=("Mon", "Tue", "Thu", "Fri"))),
        # no usual hours: only the weekday columns work
        ({"workdays": "none", "hours": "none", "sat": "09:00-13:00"},
         pm.Calendar(hours="", week={"Sat": "09:00-13:00"})),
        # a blank workdays cell is not given: Mon-Fri
        ({"workdays": "", "hours": "07:00-15:00"}, pm.Calendar(hours="07:00-15:00")),
        # a day of duration shorter than the working day
        ({"hours": "07:00-17:00", "hours_per_day": "8"}, pm.Calendar(hours="07:00-17:00", hours_per_day=8)),
        # holidays, ;-separated
        ({"holidays": "2027-01-06; 2027-04-02"}, pm.Calendar(holidays=("2027-01-06", "2027-04-02"))),
    ],
)
def test_calendar_rows(row, expected):
    cal = calendar_of(**row)
    assert cal == pm.Calendar(**{f: getattr(expected, f) for f in ("workdays", "holidays", "hours", "week",
                                                                      "exceptions", "hours_per_day")}, id="c")


@pytest.mark.parametrize(
    "text, expected",
    [
        # one day, other hours
        ("2027-12-24: 08:00-12:00", [("2027-12-24", "2027-12-24", "08:00-12:00", "")]),
        # a range without work, named
        ("2027-12-27..2027-12-31 Year-end shutdown: none", [("2027-12-27", "2027-12-31", "", "Year-end shutdown")]),
        # no colon: no working time
        ("2027-08-02..2027-08-06", [("2027-08-02", "2027-08-06", "", "")]),
        # two spans with a comma; a second exception after a semicolon
        ("2027-06-11: 09:00-11:00, 14:00-16:00; 2027-06-14: none",
         [("2027-06-11", "2027-06-11", "09:00-11:00; 14:00-16:00", ""), ("2027-06-14", "2027-06-14", "", "")]),
        # two spans with a semicolon, as in the hours column
        ("2027-06-11 Audit: 09:00-11:00; 14:00-16:00",
         [("2027-06-11", "2027-06-11", "09:00-11:00; 14:00-16:00", "Audit")]),
        # a quoted name may hold ':', ';' and '"'
        ('2027-06-11 "Audit: ""dry run""; day 1": none', [("2027-06-11", "2027-06-11", "", 'Audit: "dry run"; day 1')]),
        # spaces around the range and the colon
        (" 2027-01-05 .. 2027-01-06 :  none ", [("2027-01-05", "2027-01-06", "", "")]),
    ],
)
def test_exception_text(text, expected):
    got = [(e.first.isoformat(), e.last.isoformat(), e.hours, e.name) for e in parse_exceptions(text)]
    want = [(a, b, pm.calendar.parse_hours(h), n) for a, b, h, n in expected]
    assert got == want
    assert parse_exceptions(exceptions_text(parse_exceptions(text))) == parse_exceptions(text)


@pytest.mark.parametrize(
    "text, message",
    [
        # no date in front
        ("Christmas: none", r"cannot read exception 'Christmas: none'; write FIRST\[\.\.LAST\] \[name\]: working times"),
        # hours that are not HH:MM-HH:MM
        ("2027-12-24: 8-12", r"exception 2027-12-24: '8-12' is not a span of working time such as 08:00-12:00"),
        # a date that does not exist
        ("2027-02-30: none", r"exception 2027-02-30: '2027-02-30' is not an ISO date"),
        # a range the wrong way round
        ("2027-12-31..2027-12-24", r"last day 2027-12-24 is before first day 2027-12-31"),
        # none and hours together
        ("2027-12-24: none; 08:00-12:00", r"'none' and working times together"),
    ],
)
def test_bad_exception_text(text, message):
    with pytest.raises(pm.ValidationError, match=message):
        parse_exceptions(text)


def test_weekday_and_moment_text():
    assert weekdays_text(("Mon", "Tue", "Wed", "Fri", "Sat")) == "Mon-Wed; Fri; Sat"
    assert weekdays_text(pm.calendar.WEEKDAYS) == "Mon-Sun"
    assert moment_text(dt.datetime(2027, 1, 4, 0, 0)) == "2027-01-04T00:00"  # midnight itself, not the day
    assert moment_text(dt.datetime(2027, 1, 4, 8, 0, 30)) == "2027-01-04T08:00:30"
    assert moment_text(None) == ""


# --------------------------------------------------------------------------- task and resource cells


@pytest.mark.parametrize(
    "cell, code",
    [("SNET", "SNET"), ("snet", "SNET"), ("Start No Earlier Than", "SNET"), ("finish no later than", "FNLT"),
     ("Must Start On", "MSO"), ("Mandatory Finish", "MFO"), ("As Late As Possible", "ALAP"), ("", "ASAP"),
     ("start_on", "SO")],
)
def test_constraint_cells_take_codes_and_long_names(cell, code):
    date = "" if code in ("ASAP", "ALAP") else "2027-02-01"
    tasks = {"id": ["A"], "duration": [1], "constraint": [cell], "constraint_date": [date]}
    assert project_from_frames(pd.DataFrame(tasks), start=START).task("A").constraint == code


@pytest.mark.parametrize(
    "cell, expected",
    [
        # a date alone: the whole day
        ("2027-02-01", dt.date(2027, 2, 1)),
        # ISO date and time, with T or a space
        ("2027-02-01T08:30", dt.datetime(2027, 2, 1, 8, 30)),
        ("2027-02-01 08:30", dt.datetime(2027, 2, 1, 8, 30)),
        # midnight written out is that moment
        ("2027-02-01T00:00", dt.datetime(2027, 2, 1)),
        # a spreadsheet's date (a timestamp at midnight) is the day
        (pd.Timestamp("2027-02-01"), dt.date(2027, 2, 1)),
        (dt.datetime(2027, 2, 1), dt.date(2027, 2, 1)),
        # a timestamp with a time is that moment
        (pd.Timestamp("2027-02-01 17:00"), dt.datetime(2027, 2, 1, 17)),
    ],
)
def test_date_cells(cell, expected):
    tasks = pd.DataFrame({"id": ["A"], "duration": [1], "constraint": ["FNLT"], "constraint_date": [cell],
                          "deadline": [cell]}, dtype=object)
    task = project_from_frames(tasks, start=START).task("A")
    assert task.constraint_date == expected and type(task.constraint_date) is type(expected)
    assert task.deadline == expected


def test_two_links_between_one_pair_and_a_lag_calendar():
    tasks = pd.DataFrame({"id": ["A", "B", "Go live @ HQ", "C"], "duration": [3, 4, 1, 1],
                          "predecessors": ["", "A SS; A FF+2", "", "A FS+2d @24h; Go live @ HQ SS+1"]})
    cals = pd.DataFrame({"id": ["24h"], "workdays": ["Mon-Sun"], "hours": ["00:00-24:00"]})
    p = project_from_frames(tasks, calendars=cals, start=START)
    got = [(d.predecessor, d.successor, d.type, d.lag, d.lag_calendar) for d in p.dependencies]
    assert got == [("A", "B", "SS", 0.0, None), ("A", "B", "FF", 2.0, None), ("A", "C", "FS", 2.0, "24h"),
                   ("Go live @ HQ", "C", "SS", 1.0, None)]


def test_the_project_calendar_may_name_a_calendar_of_the_table():
    cals = pd.DataFrame({"id": ["standard", "night"], "hours": ["07:00-15:30", "22:00-24:00"]})
    tasks = pd.DataFrame({"id": ["A", "B"], "duration": [1, 1], "calendar": ["", "standard"]})
    p = project_from_frames(tasks, calendars=cals, start=START, calendar="standard")
    assert p.calendar == p.calendars[0] and p.calendar.hours == ((420, 930),)
    assert p.task_calendar("B") == p.calendar


def test_percentages_may_carry_a_percent_sign_and_toml_hours_may_be_a_list():
    tasks = pd.DataFrame({"id": ["A"], "duration": [2], "actual_start": ["2027-01-04"], "percent_complete": ["40 %"]})
    p = project_from_frames(tasks, start=START, status_date="2027-01-05",
                            calendar={"hours": ["07:00-11:00", "12:00-16:00"], "sat": []})
    assert p.task("A").percent_complete == 40.0
    assert p.calendar == pm.Calendar(hours="07:00-11:00; 12:00-16:00")


def test_scheduling_settings_are_read():
    p = project_from_frames(
        pd.DataFrame({"id": ["A"], "duration": [2], "actual_start": ["2027-01-04"], "percent_complete": [50]}),
        start=START, status_date="2027-01-05T12:00", must_finish_by="2027-03-01", lag_calendar="24H",
        total_float="Finish", progress_rule="ms_project", honor_constraints="no")
    assert (p.status_date, p.must_finish_by) == (dt.datetime(2027, 1, 5, 12), dt.date(2027, 3, 1))
    assert (p.lag_calendar, p.total_float, p.progress_rule, p.honor_constraints) == ("24h", "finish", "ms_project",
                                                                                       False)
    assert p.task("A").percent_complete == 50.0


# --------------------------------------------------------------------------- errors


BAD = [
    # a task on a calendar nobody defined
    (dict(tasks={"id": ["A", "B"], "duration": [1, 1], "calendar": ["", "nite"]}), pm.UnknownReferenceError,
     r"^tasks table, row 1 \(task 'B'\): unknown calendar 'nite'; known calendars are 'night'$"),
    # a resource on a calendar nobody defined
    (dict(resources={"id": ["ops"], "calendar": ["nite"]}), pm.UnknownReferenceError,
     r"^resources table, row 0 \(resource 'ops'\): unknown calendar 'nite'; known calendars are 'night'$"),
    # a lag on a calendar nobody defined
    (dict(tasks={"id": ["A", "B"], "duration": [1, 1], "predecessors": ["", "A FS+1 @nite"]}),
     pm.UnknownReferenceError, r"^tasks table, row 1 \(task 'B'\): predecessor 'A', lag calendar: unknown calendar"),
    # a calendar with no working time at all
    (dict(calendars={"id": ["night"], "hours": ["none"]}), pm.ValidationError,
     r"^calendars table, row 0 \(calendar 'night'\): no working time at all"),
    # hours that are not HH:MM-HH:MM
    (dict(calendars={"id": ["night"], "hours": ["8-17"]}), pm.ValidationError,
     r"^calendars table, row 0 \(calendar 'night'\), column 'hours': '8-17' is not a span of working time"),
    # overlapping shifts
    (dict(calendars={"id": ["night"], "hours": ["08:00-14:00; 13:00-20:00"]}), pm.ValidationError,
     r"column 'hours': spans of working time must be in order and not overlap"),
    # a weekday that does not exist
    (dict(calendars={"id": ["night"], "workdays": ["Mon-Fryday"]}), pm.ValidationError,
     r"column 'workdays': unknown weekday 'Fryday'"),
    # no weekday at all
    (dict(calendars={"id": ["night"], "workdays": ["none"]}), pm.ValidationError,
     r"column 'workdays': no working weekday; name them"),
    # a calendar id twice
    (dict(calendars={"id": ["night", "night"], "hours": ["22:00-24:00", "20:00-24:00"]}), pm.DuplicateIdError,
     r"^calendars table, row 1 \(calendar 'night'\): calendar id 'night' appears twice \(also row 0\)"),
    # no id
    (dict(calendars={"id": [None], "hours": ["22:00-24:00"]}), pm.ValidationError,
     r"^calendars table, row 0: Calendar id is missing$"),
    # an unknown constraint
    (dict(tasks={"id": ["A"], "duration": [1], "constraint": ["Soon"]}), pm.ValidationError,
     r"^tasks table, row 0 \(task 'A'\): unknown constraint 'Soon'; use one of ASAP, ALAP, SNET"),
    # a constraint without its date
    (dict(tasks={"id": ["A"], "duration": [1], "constraint": ["MFO"]}), pm.ValidationError,
     r"^tasks table, row 0 \(task 'A'\): constraint MFO needs a date \(constraint_date\)$"),
    # a date that is not one
    (dict(tasks={"id": ["A"], "duration": [1], "deadline": ["soon"]}), pm.ValidationError,
     r"^tasks table, row 0 \(task 'A'\): deadline: 'soon' is not an ISO date"),
    # actual finish before actual start
    (dict(tasks={"id": ["A"], "duration": [1], "actual_start": ["2027-01-06"], "actual_finish": ["2027-01-05"]}),
     pm.ValidationError, r"^tasks table, row 0 \(task 'A'\): actual_finish 2027-01-05 is before actual_start"),
    # a Must Start On before the project start (the Project's rule, still named by its row)
    (dict(tasks={"id": ["A", "B"], "duration": [1, 1], "constraint": ["", "MSO"],
                 "constraint_date": ["", "2026-12-01"]}), pm.ValidationError,
     r"^tasks table, row 1 \(task 'B'\): constraint MSO on 2026-12-01 is before the project start"),
    # progress after the status date
    (dict(tasks={"id": ["A"], "duration": [5], "actual_start": ["2027-02-01"]}), pm.ValidationError,
     r"^tasks table, row 0 \(task 'A'\): actual_start 2027-02-01 is after the status date 2027-01-08$"),
    # resources separated by commas
    (dict(tasks={"id": ["A"], "duration": [1], "resources": ["dev:1, qa:2"]}, resources={"id": ["dev", "qa"]}),
     pm.UnknownReferenceError, r"demands unknown resource 'dev:1, qa'; separate resources with ';', such as"),
    # the same link twice
    (dict(tasks={"id": ["A", "B"], "duration": [1, 1], "predecessors": ["", "A SS+1; A SS+1d"]}),
     pm.DuplicateIdError, r"predecessor 'A' is listed twice with the same link \(SS, lag 1\)"),
]


@pytest.mark.parametrize("tables, error, message", BAD)
def test_time_errors_name_table_row_and_rule(tables, error, message):
    frames = {"tasks": {"id": ["A"], "duration": [1]}, "calendars": {"id": ["night"], "hours": ["22:00-24:00"]},
              **tables}
    with pytest.raises(error, match=message):
        project_from_frames(**{k: pd.DataFrame(v) for k, v in frames.items()}, start=START, status_date="2027-01-08")


@pytest.mark.parametrize(
    "settings, error, message",
    [
        # the project calendar names a calendar the table does not have
        ({"calendar": "std"}, pm.UnknownReferenceError,
         r"^settings, key 'calendar': unknown calendar 'std'; calendars table has 'night'$"),
        # an empty list of workdays is not Mon-Fri
        ({"calendar": {"workdays": []}}, pm.ValidationError,
         r"^settings, key 'calendar.workdays': no working weekday; name them \(such as 'Mon-Fri'\)"),
        ({"calendar": {"workdays": ""}}, pm.ValidationError, r"^settings, key 'calendar.workdays': no working weekday"),
        # bad hours in the project calendar
        ({"calendar": {"hours": "8-17"}}, pm.ValidationError,
         r"^settings, key 'calendar.hours': '8-17' is not a span of working time"),
        # a status date before the start
        ({"status_date": "2026-12-31"}, pm.ValidationError,
         r"^settings: status_date 2026-12-31 \(the data date\) is before the start 2027-01-04$"),
        # a rule that does not exist
        ({"total_float": "largest"}, pm.ValidationError,
         r"^settings: total_float must be one of start, finish, smallest, got 'largest'$"),
        ({"honor_constraints": "sometimes"}, pm.ValidationError,
         r"^settings, key 'honor_constraints': honor_constraints must be true or false"),
    ],
)
def test_time_settings_errors(settings, error, message):
    with pytest.raises(error, match=message):
        with_calendars({"id": ["night"], "hours": ["22:00-24:00"]}, **settings)


def test_workdays_written_as_text_read_like_a_list():
    for text in ("Mon-Fri", "Mon, Tue, Wed, Thu, Fri", "Monday-Friday", "mon; tue; wed; thu; fri"):
        p = project_from_frames(pd.DataFrame({"id": ["A"], "duration": [1]}), start=START,
                                calendar={"workdays": text})
        assert p.calendar == pm.Calendar(), text


# --------------------------------------------------------------------------- properties

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_MINUTES = st.integers(0, 24 * 4).map(lambda q: q * 15)


@st.composite
def _spans(draw, min_size=1):
    cuts = sorted(draw(st.sets(_MINUTES, min_size=2 * min_size, max_size=6)))
    cuts = cuts[: len(cuts) // 2 * 2]
    return tuple(zip(cuts[::2], cuts[1::2]))


@st.composite
def calendars(draw):
    day = st.dates(dt.date(2027, 1, 1), dt.date(2028, 12, 31))
    exceptions = []
    for _ in range(draw(st.integers(0, 3))):
        first = draw(day)
        exceptions.append(CalendarException(first, first + dt.timedelta(days=draw(st.integers(0, 9))),
                                            draw(st.one_of(st.just(()), _spans())),
                                            draw(st.text(max_size=12))))
    week = {d: draw(_spans()) for d in draw(st.sets(st.sampled_from(pm.calendar.WEEKDAYS), max_size=3))}
    return pm.Calendar(
        # (cells are stripped: a name's own leading or trailing blanks do not survive a table, as for tasks)
        id=draw(st.from_regex(r"[A-Za-z0-9_]{1,8}", fullmatch=True)), name=draw(st.text(max_size=10)).strip(),
        workdays=draw(st.sets(st.sampled_from(pm.calendar.WEEKDAYS), min_size=1)), hours=draw(_spans()),
        week=week, holidays=tuple(draw(st.sets(day, max_size=3))), exceptions=tuple(exceptions),
        hours_per_day=draw(st.one_of(st.none(), st.sampled_from([1.5, 7.5, 8.0, 24.0]))),
    )


@settings(max_examples=150, deadline=None)
@given(calendars())
def test_any_calendar_reads_back_from_its_row(cal):
    tasks = pd.DataFrame({"id": ["A"], "duration": [1], "calendar": [cal.id]})
    p = pm.Project(name="x", start=START, tasks=[pm.Task("A", duration=1, calendar=cal.id)], calendars=(cal,))
    f = p.to_frames()
    assert project_from_frames(tasks, calendars=f["calendars"], start=START).calendars == (cal,)
    assert pm.Project.from_frames(**f) == p


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789-.:; \"'AaNnoe\t", max_size=60) | st.text(max_size=30))
def test_any_exceptions_text_is_read_or_refused_clearly(text):
    try:
        parse_exceptions(text)
    except pm.PmsimError:
        pass
