"""A progress table and the progress on the tasks are one set of facts: Project.with_progress and progress_table.

Dates are counted on a wall calendar: 2027-01-04 is a Monday; the standard calendar works 08:00-12:00
and 13:00-17:00, Monday to Friday.
"""

from __future__ import annotations

import datetime as dt
import warnings

import pandas as pd
import pytest

import pmsim as pm
from pmsim.model.project import project_from_frames

START = "2027-01-04"
SEVEN = pm.Calendar(workdays="Mon-Sun", hours="08:00-16:00", hours_per_day=8, id="7d")


def plan(**settings):
    tasks = [pm.Task("A", duration=4, cost_per_day=100), pm.Task("B", duration=4, calendar="7d"),
             pm.Task("C", duration=2), pm.Task("D", duration=3)]
    links = [pm.Dependency("A", "C"), pm.Dependency("B", "D")]
    return pm.Project(name="p", start=START, tasks=tasks, dependencies=links, calendars=[SEVEN], **settings)


def table(*rows):
    cols = ["id", "percent_complete", "remaining_duration", "actual_cost", "actual_start", "actual_finish"]
    return pd.DataFrame([list(r) + [None] * (6 - len(r)) for r in rows], columns=cols)


def test_a_table_puts_its_facts_on_the_tasks_and_the_data_date_on_the_project():
    p = plan()
    q = p.with_progress(table(("A", 100, None, 420, "2027-01-04", "2027-01-07"),
                              ("B", 25, 3, 90, "2027-01-09T08:00")), status_date="2027-01-10")
    assert q.status_date == dt.date(2027, 1, 10)
    a, b, c = q.task("A"), q.task("B"), q.task("C")
    assert (a.actual_start, a.actual_finish, a.percent_complete, a.actual_cost) == (
        dt.date(2027, 1, 4), dt.date(2027, 1, 7), 100.0, 420.0)
    # A time of day that is midnight is the whole day; another time is that moment.
    assert (b.actual_start, b.remaining_duration, b.percent_complete) == (dt.datetime(2027, 1, 9, 8), 3.0, 25.0)
    assert (c.actual_start, c.percent_complete, c.actual_cost) == (None, None, None)
    # The schedule runs on the facts: B (7-day calendar) has 3 days left from the data date, Monday to Wednesday.
    times = pm.cpm(q).times()
    assert times.loc["B", "finish"] == pd.Timestamp("2027-01-13 16:00")


def test_the_table_replaces_the_progress_the_tasks_held():
    p = plan().with_progress(table(("A", 50, None, 200, START)), status_date="2027-01-05")
    q = p.with_progress(table(("B", 10, None, 30, "2027-01-06")), status_date="2027-01-06")
    assert q.task("A").actual_start is None and q.task("A").actual_cost is None
    assert q.task("B").percent_complete == 10 and q.status_date == dt.date(2027, 1, 6)


def test_the_status_date_may_come_from_the_table_or_the_project():
    rows = table(("A", 50, None, 200, START)).assign(status_date=["2027-01-05"])
    assert plan().with_progress(rows).status_date == dt.date(2027, 1, 5)
    assert plan(status_date="2027-01-06").with_progress(table(("A", 50, None, 200, START))).status_date == \
        dt.date(2027, 1, 6)
    two = pd.concat([rows, rows.assign(status_date=["2027-01-07"], percent_complete=[90])], ignore_index=True)
    assert plan().with_progress(two, "2027-01-07").task("A").percent_complete == 90
    with pytest.raises(pm.ValidationError, match="holds 2 status dates"):
        plan().with_progress(two)


def test_progress_table_is_the_reverse():
    p = plan().with_progress(table(("A", 100, None, 420, "2027-01-04", "2027-01-07"),
                                   ("B", 25, 3, 90, "2027-01-09T08:00"),
                                   ("C", 0, None, 15)), status_date="2027-01-10")
    back = p.progress_table()
    assert back["id"].tolist() == ["A", "B", "C"]  # C: an actual cost before it started
    assert back["status_date"].tolist() == [pd.Timestamp("2027-01-10")] * 3
    assert back.loc[1, "actual_start"] == pd.Timestamp("2027-01-09 08:00")
    assert plan().with_progress(back) == p
    # A task with only an actual start gets the remaining duration the engine gives it: its 4 days less the
    # 2 days it worked on its 7-day calendar (Saturday and Sunday).
    q = p.replace(tasks=tuple(t.replace(percent_complete=None, remaining_duration=None) if t.id == "B" else t
                              for t in p.tasks))
    assert q.progress_table().loc[1, "remaining_duration"] == pytest.approx(2.0)
    assert pm.cpm(plan().with_progress(q.progress_table())).makespan == pytest.approx(pm.cpm(q).makespan)


def test_a_finish_at_midnight_is_written_as_the_day_before():
    # A round-the-clock task that ended at midnight ended with the day before: the table says that day.
    day = pm.Calendar(workdays="Mon-Sun", hours="00:00-24:00", hours_per_day=24, id="24h")
    p = pm.Project(name="m", start=START, calendars=[day], status_date="2027-01-06",
                   tasks=[pm.Task("N", duration=1, calendar="24h", actual_start="2027-01-04T00:00",
                                  actual_finish="2027-01-05T00:00")])
    row = p.progress_table().iloc[0]
    assert row["actual_finish"] == pd.Timestamp("2027-01-04")
    again = p.without_progress().with_progress(p.progress_table())
    assert pm.cpm(again).times().loc["N", "finish"] == pm.cpm(p).times().loc["N", "finish"]


def test_missing_actual_dates_are_inferred_and_said():
    p = plan()
    with pytest.warns(pm.PmsimWarning, match=r"actual dates inferred for tasks A, B, D"):
        q = p.with_progress(table(("A", 50, None, 200), ("B", 100, None, 80), ("D", 100, None, 10, "2027-01-05")),
                            status_date="2027-01-06")
    # A: 50 % of 4 days is 2 days of work ending at the data date (the end of Wednesday): from Tuesday 08:00.
    assert q.task("A").actual_start == dt.datetime(2027, 1, 5, 8)
    # B finished (7-day calendar, 16:00 its last hour): its 4 days end at Wednesday 16:00 and would start on
    # Sunday 3, before the project: they start at the project start, Monday 08:00.
    assert (q.task("B").actual_start, q.task("B").actual_finish) == (dt.datetime(2027, 1, 4, 8),
                                                                      dt.datetime(2027, 1, 6, 16))
    # D is 100 % with a start and no finish: its 3 days from Tuesday end on Thursday, after the data date,
    # so it finished at the data date.
    assert q.task("D").actual_finish == dt.datetime(2027, 1, 6, 17)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p.with_progress(table(("A", 50, None, 200, START)), status_date="2027-01-06")


def test_an_actual_cost_alone_is_not_a_start():
    q = plan().with_progress(table(("C", 0, None, 500)), status_date="2027-01-05")
    assert q.task("C").actual_start is None and q.task("C").actual_cost == 500
    assert pm.cpm(q).table.loc["C", "start"] == pm.cpm(plan().replace(status_date="2027-01-05")).table.loc["C", "start"]


def test_actual_cost_is_a_task_column():
    frame = pd.DataFrame({"id": ["A"], "duration": [3], "actual_start": [START], "percent_complete": [40],
                          "actual_cost": ["1250.5"]})
    p = project_from_frames(frame, name="x", start=START, status_date="2027-01-05")
    assert p.task("A").actual_cost == 1250.5
    assert project_from_frames(**p.to_frames()) == p
    with pytest.raises(pm.ValidationError, match="actual_cost must be >= 0"):
        pm.Task("A", duration=1, actual_cost=-1)


@pytest.mark.parametrize("rows, status, error, message", [
    # a task the project does not have
    (table(("Z", 10, None, 5, START)), "2027-01-05", pm.UnknownReferenceError, "has no task 'Z'"),
    # an actual start after the data date
    (table(("A", 10, None, 5, "2027-01-07")), "2027-01-05", pm.ValidationError,
     "actual_start 2027-01-07 is after the status date"),
    # a remaining duration with no start and no percent: no way to place the work done
    (table(("A", None, 2, 5)), "2027-01-05", pm.ValidationError, "give percent_complete, or actual_start"),
    # a data date before the project start
    (table(("A", 10, None, 5, START)), "2027-01-01", pm.ValidationError, "before the project start"),
    # no data date in the table, the call or the project
    (table(("A", 10, None, 5, START)), None, pm.ValidationError, "needs a status_date"),
    # a finish before the start, named by row
    (table(("A", 100, None, 5, "2027-01-05", "2027-01-04")), "2027-01-06", pm.ValidationError,
     r"progress row 1 \(task 'A'\): actual_finish 2027-01-04 is before actual_start 2027-01-05"),
])
def test_bad_progress_names_the_task_and_the_rule(rows, status, error, message):
    with pytest.raises(error, match=message):
        plan().with_progress(rows, status_date=status)
