"""Which date constraints and deadlines a schedule meets, and by how much it misses the others.

2027-01-04 is a Monday; the standard calendar works 08:00-12:00 and 13:00-17:00, Monday to Friday;
SEVEN works 08:00-16:00 every day. Expected dates are worked by hand in the comments.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import pmsim as pm
from pmsim.constraint_check import constraint_check

SEVEN = pm.Calendar(workdays="Mon-Sun", hours="08:00-16:00", hours_per_day=8, id="7d")


def project(**changes):
    """A (3 d) -> B (4 d on SEVEN) -> C (2 d); A -> D (1 d). P6's way: links win over no-later-than dates."""
    tasks = {"A": pm.Task("A", "Design", duration=3), "B": pm.Task("B", "Cure", duration=4, calendar="7d"),
             "C": pm.Task("C", "Test", duration=2), "D": pm.Task("D", "Report", duration=1)}
    for tid, fields in changes.pop("tasks", {}).items():
        tasks[tid] = tasks[tid].replace(**fields)
    return pm.Project(name="plant", start="2027-01-04", calendars=[SEVEN], tasks=list(tasks.values()),
                      dependencies=[pm.Dependency("A", "B"), pm.Dependency("B", "C"), pm.Dependency("A", "D")],
                      honor_constraints=False, **changes)


def rows(check: pd.DataFrame) -> dict:
    return {(r.id, r.kind): r for r in check.itertuples()}


def test_the_dates_of_the_plan_by_hand():
    when = pm.cpm(project()).times()
    # A Mon 4 08:00 - Wed 6 17:00; B on SEVEN Thu 7 08:00 - Sun 10 16:00; C Mon 11 08:00 - Tue 12 17:00.
    assert when.loc["B", "finish"] == pd.Timestamp("2027-01-10 16:00")
    assert when.loc["C", "start"] == pd.Timestamp("2027-01-11 08:00")
    assert when.loc["C", "finish"] == pd.Timestamp("2027-01-12 17:00")


def test_a_finish_on_the_day_of_its_no_later_than_meets_it_one_day_later_misses_by_one():
    check = rows(constraint_check(pm.cpm(project(tasks={
        "C": {"constraint": "FNLT", "constraint_date": "2027-01-12"},  # finishes Tue 12 17:00: the end of that day
        "B": {"deadline": "2027-01-09"},  # finishes Sun 10 16:00: one day of SEVEN after Saturday's end
    }))))
    c = check[("C", "FNLT")]
    assert c.holds and c.off_by == 0 and c.constraint == "finish no later than"
    assert c.scheduled == pd.Timestamp("2027-01-12 17:00") and c.date == dt.date(2027, 1, 12)
    b = check[("B", "deadline")]
    assert not b.holds and b.off_by == pytest.approx(1.0)
    # The deadline bounds B's late finish: one day of negative float (in project working days: Sunday's work
    # counts as the Monday it precedes).
    assert b.total_float < 0


def test_start_constraints_compare_the_start_of_the_day_s_work_or_the_moment_given():
    check = rows(constraint_check(pm.cpm(project(tasks={
        # A must start on Mon 4 at 13:00 (hard): 3 days = 4 h Monday, Tuesday, Wednesday, 4 h Thursday to 12:00.
        "A": {"constraint": "MSO", "constraint_date": "2027-01-04T13:00"},
        # D then starts Thu 7 13:00 (after lunch); no later than Wed 6 is the start of Wednesday's work:
        # Wednesday and Thursday's morning, 1.5 working days late.
        "D": {"constraint": "SNLT", "constraint_date": "2027-01-06"},
        # B on SEVEN from Thu 7 12:00: 4 h, then Friday to Sunday, then Monday 08:00-12:00. C starts after
        # the lunch break, Mon 11 13:00: no later than Mon 11 14:00 holds, no later than 10:00 would not.
        "C": {"constraint": "SNLT", "constraint_date": "2027-01-11T14:00"},
    }))))
    a = check[("A", "MSO")]
    assert a.holds and a.scheduled == pd.Timestamp("2027-01-04 13:00")
    d = check[("D", "SNLT")]
    assert not d.holds and d.off_by == pytest.approx(1.5) and d.scheduled == pd.Timestamp("2027-01-07 13:00")
    c = check[("C", "SNLT")]
    assert c.holds and c.scheduled == pd.Timestamp("2027-01-11 13:00")


def test_no_earlier_than_holds_as_the_engine_pushes_and_start_on_is_met_only_on_its_date():
    check = rows(constraint_check(pm.cpm(project(tasks={
        # D pushed to Fri 8 08:00 by its start-no-earlier-than.
        "D": {"constraint": "SNET", "constraint_date": "2027-01-08", "secondary_constraint": "FNLT",
              "secondary_constraint_date": "2027-01-08"},
        # P6's start on Mon 11 for C: its links bring it there exactly (08:00 is the start of Monday's work).
        "C": {"constraint": "SO", "constraint_date": "2027-01-11"},
        # B start on Wed 6: the links keep it to Thu 7 08:00, one day of SEVEN late.
        "B": {"constraint": "SO", "constraint_date": "2027-01-06"},
    }))))
    assert check[("D", "SNET")].holds and check[("D", "SNET")].scheduled == pd.Timestamp("2027-01-08 08:00")
    # Its secondary constraint: D (1 day) finishes Fri 8 17:00, the end of that day.
    assert check[("D", "FNLT")].holds
    assert check[("C", "SO")].holds
    b = check[("B", "SO")]
    assert not b.holds and b.off_by == pytest.approx(1.0)


def test_the_project_s_must_finish_by():
    # The project finishes with C at Tue 12 17:00.
    ok = constraint_check(pm.cpm(project(must_finish_by="2027-01-12")))
    assert ok[["id", "kind", "holds"]].values.tolist() == [["", "must_finish_by", True]]
    late = constraint_check(pm.cpm(project(must_finish_by="2027-01-11")))
    row = late.iloc[0]
    # C, last, must finish by the end of Monday 11: one day late, one day of negative float.
    assert not row.holds and row.off_by == pytest.approx(1.0) and row.total_float == pytest.approx(-1.0)


def test_a_finished_task_is_judged_on_its_actual_dates():
    p = project(tasks={"A": {"constraint": "FNLT", "constraint_date": "2027-01-05"}}, status_date="2027-01-08")
    p = p.with_progress(pd.DataFrame({"id": ["A"], "percent_complete": [100], "actual_cost": [0],
                                      "actual_start": ["2027-01-04"], "actual_finish": ["2027-01-06"]}))
    a = rows(constraint_check(pm.cpm(p)))[("A", "FNLT")]
    # Finished Wed 6 17:00 against the end of Tuesday 5: one working day late, and a fact now.
    assert a.status == "finished" and not a.holds and a.off_by == pytest.approx(1.0)


def test_no_constraints_no_rows_and_bad_input():
    assert constraint_check(pm.cpm(project())).empty
    with pytest.raises(pm.ValidationError, match="needs a Schedule"):
        constraint_check(project())
