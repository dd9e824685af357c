"""Plots of schedules on calendars, with constraints and progress: bars at the dates and times of Schedule.times().

2027-01-04 is a Monday; the standard calendar works 08:00-12:00 and 13:00-17:00, Monday to Friday.
Positions are matplotlib date numbers (days since the epoch, a time of day as a fraction).
"""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest

import pmsim as pm
from pmsim.plot import _common

SEVEN = pm.Calendar(workdays="Mon-Sun", hours="08:00-16:00", hours_per_day=8, id="7d")
NIGHT = pm.Calendar(hours="00:00-06:00; 22:00-24:00", workdays="Tue-Fri", hours_per_day=8, id="night",
                    week={"Mon": "22:00-24:00", "Sat": "00:00-06:00"})


def x(moment) -> float:
    return float(mdates.date2num(np.datetime64(pd.Timestamp(moment), "m")))


def by_gid(ax, prefix: str) -> dict:
    artists = [*ax.patches, *ax.lines, *ax.texts]
    return {a.get_gid()[len(prefix):]: a for a in artists if (a.get_gid() or "").startswith(prefix)}


def span(bar) -> tuple[float, float]:
    return bar.get_x(), bar.get_x() + bar.get_width()


def calendars_project(**settings):
    """A (3 d) -> B (4 d, 7-day calendar) -> C (2 d, night shift) -> F (3 d); E (3 d) -> D (2 d) -> F; A -> D."""
    return pm.Project(
        name="plant", start="2027-01-04", calendars=[SEVEN, NIGHT],
        tasks=[pm.Task("A", "Design", duration=3), pm.Task("B", "Cure", duration=4, calendar="7d"),
               pm.Task("C", "Night install", duration=2, calendar="night"), pm.Task("E", "Procure", duration=3),
               pm.Task("D", "Wire", duration=2), pm.Task("F", "Test", duration=3),
               pm.Task("M", "Go-live", milestone=True)],
        dependencies=[pm.Dependency(*link) for link in
                      [("A", "B"), ("B", "C"), ("E", "D"), ("A", "D"), ("C", "F"), ("D", "F"), ("F", "M")]],
        **settings)


def test_gantt_bars_of_a_calendar_schedule_are_its_dates_and_times():
    s = pm.cpm(calendars_project())
    when = s.times()
    ax = pm.plot.gantt(s)
    bars = by_gid(ax, "task:")
    assert sorted(bars) == ["A", "B", "C", "D", "E", "F"]
    for tid, bar in bars.items():
        assert span(bar) == pytest.approx((x(when.loc[tid, "start"]), x(when.loc[tid, "finish"])), abs=1e-6), tid
    # By hand: B on its 7-day calendar from Thursday 08:00 to Sunday 16:00; C on the night shift from Sunday
    # night... which has no work: Monday 22:00 to Wednesday 06:00.
    assert span(bars["B"]) == pytest.approx((x("2027-01-07 08:00"), x("2027-01-10 16:00")))
    assert span(bars["C"]) == pytest.approx((x("2027-01-11 22:00"), x("2027-01-13 06:00")))
    marks = by_gid(ax, "milestone:")
    assert marks["M"].get_xdata()[0] == pytest.approx(x(when.loc["M", "finish"]))
    # Float runs from the finish to the late finish: D (finish Thu 7 17:00) can wait for C.
    floats = by_gid(ax, "float:")
    assert span(floats["D"]) == pytest.approx((x(when.loc["D", "finish"]), x(when.loc["D", "late_finish"])))
    assert "finish Fri 15 Jan 2027 17:00" in ax.get_title()


def test_gantt_shades_the_project_calendar_s_non_working_days():
    ax = pm.plot.gantt(pm.cpm(calendars_project()))
    shaded = [p for p in ax.patches if p.get_gid() == "nonworking"]
    spans = sorted((round(p.get_x(), 6), round(p.get_x() + p.get_width(), 6)) for p in shaded)
    lo, hi = ax.get_xlim()
    weekend = (round(x("2027-01-09 00:00"), 6), round(x("2027-01-11 00:00"), 6))  # Saturday and Sunday 9-10
    assert weekend in spans
    for a, b in spans:
        assert lo - 3 <= a < b <= hi + 3
    assert "Non-working days" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_gantt_shows_done_and_remaining_work_and_the_data_date():
    # Data date: the end of Saturday 9. A is done; B started Thursday, half done; D started Friday out of
    # sequence (E has not started) with 1 day left.
    p = calendars_project(status_date="2027-01-09").with_progress(pd.DataFrame({
        "id": ["A", "B", "D"], "percent_complete": [100, 50, None], "remaining_duration": [None, None, 1],
        "actual_cost": [0, 0, 0], "actual_start": ["2027-01-04", "2027-01-07T08:00", "2027-01-08"],
        "actual_finish": ["2027-01-06", None, None]}))
    s = pm.cpm(p)
    when = s.times()
    ax = pm.plot.gantt(s)
    data_date = x("2027-01-10 00:00")
    done, todo = by_gid(ax, "actual:"), by_gid(ax, "task:")
    # A is all done, from its actual start to its actual finish; it has no bar of work to do.
    assert span(done["A"]) == pytest.approx((x("2027-01-04 08:00"), x("2027-01-06 17:00")))
    assert "A" not in todo
    # B: done from its actual start to the data date; its remaining work from where it starts (Sunday 08:00
    # on its 7-day calendar) to its finish.
    assert span(done["B"]) == pytest.approx((x("2027-01-07 08:00"), data_date))
    assert span(todo["B"]) == pytest.approx((x(when.loc["B", "early_start"]), x(when.loc["B", "finish"])))
    assert when.loc["B", "early_start"] == pd.Timestamp("2027-01-10 08:00")
    # D's remaining day waits for E by retained logic: its two parts are apart.
    assert span(done["D"]) == pytest.approx((x("2027-01-08 08:00"), data_date))
    assert todo["D"].get_x() == pytest.approx(x(when.loc["D", "early_start"]))
    assert todo["D"].get_x() > data_date + 3
    line = _common.line_by_gid(ax, "status_date")
    assert list(line.get_xdata()) == [data_date] * 2
    assert by_gid(ax, "status_date:text")[""].get_text() == "Data date 2027-01-09"
    assert {"Done", "Data date"} <= {t.get_text() for t in ax.get_legend().get_texts()}


def test_gantt_shows_negative_float_back_from_the_finish():
    # F must finish by Tuesday 12 (a deadline) but cannot before Friday 15: 3 days of negative float.
    p = calendars_project().replace(tasks=tuple(t.replace(deadline="2027-01-12") if t.id == "F" else t
                                                for t in calendars_project().tasks))
    s = pm.cpm(p)
    when = s.times()
    assert s.table.loc["F", "total_float"] == pytest.approx(-3)
    ax = pm.plot.gantt(s)
    behind = by_gid(ax, "negative_float:")
    assert "F" in behind
    assert span(behind["F"]) == pytest.approx((x(when.loc["F", "late_finish"]), x(when.loc["F", "finish"])))
    assert when.loc["F", "late_finish"] == pd.Timestamp("2027-01-12 17:00")
    assert "Negative float" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_a_plain_project_keeps_its_whole_day_bars():
    p = pm.Project(name="plain", start="2027-01-04", tasks=[pm.Task("A", duration=3)])
    bar = by_gid(pm.plot.gantt(pm.cpm(p)), "task:")["A"]
    assert span(bar) == pytest.approx((x("2027-01-04 00:00"), x("2027-01-07 00:00")))
    assert [a for a in pm.plot.gantt(pm.cpm(p)).patches if a.get_gid() == "nonworking"] == []


def test_evm_chart_plans_value_on_each_task_s_calendar():
    p = pm.Project(name="two", start="2027-01-04", calendars=[SEVEN],
                   tasks=[pm.Task("A", duration=5, cost_per_day=100),
                          pm.Task("B", duration=4, cost_per_day=200, fixed_cost=100, calendar="7d")],
                   dependencies=[pm.Dependency("A", "B")])
    table = pd.DataFrame({"id": ["A", "B"], "percent_complete": [100, 25], "actual_cost": [550, 300],
                          "actual_start": ["2027-01-04", "2027-01-09"], "actual_finish": ["2027-01-08", None]})
    ax = pm.plot.evm(pm.earned_value(p, table, "2027-01-10"))
    pv = _common.line_by_gid(ax, "pv")
    values = dict(zip(np.round(pv.get_xdata(), 6), pv.get_ydata()))
    # By the end of Friday A's 500; B (225 a day, its fixed part spread) works Saturday and Sunday too.
    assert values[round(x("2027-01-09 00:00"), 6)] == pytest.approx(500)
    assert values[round(x("2027-01-10 00:00"), 6)] == pytest.approx(725)
    assert values[round(x("2027-01-11 00:00"), 6)] == pytest.approx(950)
    assert pv.get_ydata()[-1] == pytest.approx(1400)
    assert list(_common.line_by_gid(ax, "status_date").get_xdata()) == [x("2027-01-11 00:00")] * 2
    # Value starts with the work, Monday 08:00: PV, EV and AC alike.
    assert pv.get_xdata()[0] == pytest.approx(x("2027-01-04 08:00"))
    assert _common.line_by_gid(ax, "ev").get_xdata()[0] == pytest.approx(x("2027-01-04 08:00"))
    # A data date with its time of day is drawn at that moment and named with it.
    noon = pm.plot.evm(pm.earned_value(p, table, "2027-01-10T12:00"))
    assert list(_common.line_by_gid(noon, "status_date").get_xdata()) == [x("2027-01-10 12:00")] * 2
    assert "earned value at 10 Jan 2027 12:00" in noon.get_title()
    assert by_gid(noon, "status_date:text")[""].get_text() == "Status 2027-01-10 12:00"


def test_a_start_milestone_sits_at_its_start_a_finish_milestone_at_its_finish():
    # A (5 d) ends Friday 8 17:00. P6's start milestone after it is shown at the next working moment, Monday 11
    # 08:00, and finishes there (P6's rule, tests/io/test_p6_milestones.py); a finish milestone at the end of the
    # work before it, Friday 17:00. B (1 d, SEVEN) follows the start milestone from there: Monday 11 08:00-16:00.
    p = pm.Project(name="m", start="2027-01-04", calendars=[SEVEN],
                   tasks=[pm.Task("A", duration=5), pm.Task("S", milestone="start"), pm.Task("F", milestone=True),
                          pm.Task("B", duration=1, calendar="7d")],
                   dependencies=[pm.Dependency("A", "S"), pm.Dependency("A", "F"), pm.Dependency("S", "B")])
    s = pm.cpm(p)
    ax = pm.plot.gantt(s, baseline=s)
    marks, base = by_gid(ax, "milestone:"), by_gid(ax, "baseline:")
    assert marks["S"].get_xdata()[0] == pytest.approx(x("2027-01-11 08:00"))
    assert marks["F"].get_xdata()[0] == pytest.approx(x("2027-01-08 17:00"))
    assert base["S"].get_xdata()[0] == pytest.approx(x("2027-01-11 08:00"))
    assert span(by_gid(ax, "task:")["B"]) == pytest.approx((x("2027-01-11 08:00"), x("2027-01-11 16:00")))
    assert ax.get_xlim()[1] > x("2027-01-11 08:00")
