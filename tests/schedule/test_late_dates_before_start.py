"""Negative total float that reaches back before the project start, on a project with several calendars.

The engine's axis then begins earlier than the project start, so that late dates before it can be shown
(MS Project and P6 both show them). Early dates must not move with it: a milestone at the project start stays
at the project start. Every expected date is counted by hand on a wall calendar: 2027-01-04 is a Monday,
2027-01-01 a Friday; the standard calendar works 08:00-12:00 and 13:00-17:00, Monday to Friday; the "seven"
calendar the same hours every day.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import pmsim as pm

T = pd.Timestamp
RULES = ["ms_project", "retained_logic", "progress_override"]


def plan(rule: str, deadline: dt.date | None) -> pm.Project:
    # M (a milestone) -> A (10 days) -> B (5 days, deadline), and A -> C (2 days on a 7-day calendar).
    tasks = [pm.Task("M", duration=0, milestone=True), pm.Task("A", duration=10),
             pm.Task("B", duration=5, deadline=deadline), pm.Task("C", duration=2, calendar="seven")]
    links = [pm.Dependency("M", "A"), pm.Dependency("A", "B"), pm.Dependency("A", "C")]
    return pm.Project(name="behind", start="2027-01-04", tasks=tasks, dependencies=links, progress_rule=rule,
                      calendars=[pm.Calendar(id="seven", workdays="Mon-Sun")])


@pytest.mark.parametrize("rule", RULES)
def test_negative_float_before_the_start_is_shown_in_full(rule):
    # B must finish by Friday 2027-01-08: 5 days, so it starts Monday 2027-01-04 08:00 at the latest; A's 10 days
    # then finish on Friday 2027-01-01 17:00 and start on Monday 2026-12-21 08:00. Both are 10 days late.
    s = pm.cpm(plan(rule, dt.date(2027, 1, 8)))
    assert s.table.loc[["M", "A", "B"], "total_float"].tolist() == [-10.0, -10.0, -10.0]
    times = s.times()
    assert times.loc["A", "late_start"] == T("2026-12-21 08:00")
    assert times.loc["A", "late_finish"] == T("2027-01-01 17:00")
    assert times.loc["B", "late_start"] == T("2027-01-04 08:00")


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("deadline", [dt.date(2027, 1, 8), None], ids=["behind", "on time"])
def test_early_dates_do_not_move_with_an_earlier_axis(rule, deadline):
    # The same early dates with and without the deadline: M at the project start, Monday 08:00 (not the Friday
    # 17:00 before it); A over two weeks; C, on its 7-day calendar, on the Saturday and Sunday after A.
    times = pm.cpm(plan(rule, deadline)).times()
    assert times.loc["M", "early_start"] == T("2027-01-04 08:00")
    assert times.loc["M", "early_finish"] == T("2027-01-04 08:00")
    assert times.loc["A", "early_start"] == T("2027-01-04 08:00")
    assert times.loc["A", "early_finish"] == T("2027-01-15 17:00")
    assert times.loc["C", "early_start"] == T("2027-01-16 08:00")
    assert times.loc["C", "early_finish"] == T("2027-01-17 17:00")
