"""MS Project's scheduling rules (``progress_rule="ms_project"``) and the project start as a moment.

Every expected date is counted by hand on a wall calendar: 2027-01-04 is a
Monday; the standard calendar works 08:00-12:00 and 13:00-17:00, Monday to
Friday. Each rule is checked twice: in the CPM and in every iteration of the
Monte Carlo engine, which must agree.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import pmsim as pm
from pmsim.errors import ValidationError

T = pd.Timestamp
ALL_DAY = pm.Calendar(workdays="Mon-Sun", hours="00:00-24:00", hours_per_day=24, id="24/7")
NIGHT = pm.Calendar(hours="00:00-06:00; 22:00-24:00", workdays="Tue-Fri", hours_per_day=8, id="night",
                    week={"Mon": "22:00-24:00", "Sat": "00:00-06:00"})


def plan(tasks, links=(), **settings):
    settings.setdefault("name", "ms project")
    settings.setdefault("start", "2027-01-04")
    settings.setdefault("progress_rule", "ms_project")
    return pm.Project(tasks=tasks, dependencies=[pm.Dependency(*link) for link in links], **settings)


def dates(schedule, tid):
    row = schedule.times().loc[tid]
    return row["early_start"], row["early_finish"]


def agrees(project, iterations=64):
    """Every Monte Carlo iteration of a fixed-duration plan is its CPM schedule."""
    s = pm.cpm(project)
    sim = pm.simulate(project, iterations=iterations, seed=1, keep="tasks")
    assert sim.finish.min() == pytest.approx(s.makespan, abs=1e-4)
    assert sim.finish.max() == pytest.approx(s.makespan, abs=1e-4)
    np.testing.assert_allclose(sim.task_finish[0], s.table["finish"].to_numpy(), atol=1e-3)
    return s


# --------------------------------------------------------------------------- the project start as a moment


def test_a_project_start_time_holds_back_the_first_tasks():
    # MS Project's start date 2027-01-04 09:00: A (1 day = 8 working hours) runs Monday 09:00-12:00 and
    # 13:00-17:00 (7 hours), then Tuesday 08:00-09:00; B (2 days) follows to Thursday 09:00.
    p = plan([pm.Task("A", duration=1), pm.Task("B", duration=2)], [("A", "B")], start="2027-01-04 09:00",
             progress_rule="retained_logic")
    assert p.start == dt.date(2027, 1, 4) and p.start_time == dt.time(9, 0)
    s = agrees(p)
    assert dates(s, "A") == (T("2027-01-04 09:00"), T("2027-01-05 09:00"))
    assert dates(s, "B") == (T("2027-01-05 09:00"), T("2027-01-07 09:00"))
    # Working days are still counted from the start of the start day's work (08:00): one hour is 1/8 day.
    assert s.table.loc["B", ["early_start", "early_finish"]].tolist() == [1.125, 3.125]
    assert s.finish_date == dt.date(2027, 1, 7)


def test_a_start_time_reaches_tasks_on_other_calendars_at_their_next_working_moment():
    # The 24/7 task starts at 09:00 itself, not at midnight; the night shift's first work after Monday
    # 09:00 is Monday 22:00.
    p = plan([pm.Task("A", duration=1, calendar="24/7"), pm.Task("N", duration=1, calendar="night")],
             start="2027-01-04 09:00", calendars=[ALL_DAY, NIGHT])
    s = agrees(p)
    assert dates(s, "A") == (T("2027-01-04 09:00"), T("2027-01-05 09:00"))
    # N: Monday 22:00-24:00 (2 hours), Tuesday 00:00-06:00 (6 hours): 8 hours, done Tuesday 06:00.
    assert dates(s, "N") == (T("2027-01-04 22:00"), T("2027-01-05 06:00"))


def test_a_start_time_at_or_before_the_day_s_work_changes_nothing():
    tasks, links = [pm.Task("A", duration=1.5), pm.Task("B", duration=2)], [("A", "B")]
    plain = pm.cpm(plan(tasks, links, progress_rule="retained_logic")).table
    for start in ("2027-01-04 08:00", "2027-01-04 06:30"):
        timed = pm.cpm(plan(tasks, links, start=start, progress_rule="retained_logic")).table
        pd.testing.assert_frame_equal(timed, plain)


@pytest.mark.parametrize("start, start_time, match", [
    ("2027-01-04 09:00", "10:00", "disagree"),
    ("2027-01-04", "nine", "time of day"),
])
def test_a_start_time_is_checked(start, start_time, match):
    with pytest.raises(ValidationError, match=match):
        plan([pm.Task("A", duration=1)], start=start, start_time=start_time)


def test_a_start_time_goes_through_the_folder_format(tmp_path):
    p = plan([pm.Task("A", duration=1)], start="2027-01-04 13:30")
    pm.write_project(p, tmp_path / "p")
    q = pm.read_project(tmp_path / "p")
    assert q.start_time == dt.time(13, 30)
    assert dates(pm.cpm(q), "A") == (T("2027-01-04 13:30"), T("2027-01-05 13:30"))


# --------------------------------------------------------------------------- where tasks may start


def test_a_start_no_earlier_than_date_places_a_task_without_predecessors_even_before_the_project_start():
    # MS Project: a task with no predecessor starts at its SNET date (or finishes at its FNET date) even when
    # that is before the project start (2027-01-11). A: SNET Monday 4th, 2 days: Monday-Tuesday. B (1 day)
    # follows A on Wednesday 6th: its predecessor decides, not the project start. C: FNET Friday 8th 17:00,
    # 1 day: Friday. D has no predecessor and no constraint: the project start.
    tasks = [pm.Task("A", duration=2, constraint="SNET", constraint_date="2027-01-04"), pm.Task("B", duration=1),
             pm.Task("C", duration=1, constraint="FNET", constraint_date="2027-01-08"), pm.Task("D", duration=1)]
    s = agrees(plan(tasks, [("A", "B")], start="2027-01-11"))
    assert dates(s, "A") == (T("2027-01-04 08:00"), T("2027-01-05 17:00"))
    assert dates(s, "B") == (T("2027-01-06 08:00"), T("2027-01-06 17:00"))
    assert dates(s, "C") == (T("2027-01-08 08:00"), T("2027-01-08 17:00"))
    assert dates(s, "D") == (T("2027-01-11 08:00"), T("2027-01-11 17:00"))
    # P6's rules keep every task at or after the project start: A Monday 11th-Tuesday 12th, B Wednesday 13th.
    p6 = pm.cpm(plan(tasks, [("A", "B")], start="2027-01-11", progress_rule="retained_logic"))
    assert dates(p6, "A")[0] == T("2027-01-11 08:00") and dates(p6, "B")[0] == T("2027-01-13 08:00")


def test_a_finish_link_does_not_start_a_task_before_the_project_start():
    # B (5 days) must finish no earlier than A (1 day) finishes: FF alone would start B four days before the
    # project start; MS Project starts it with the project (Monday 4th) and it runs to Friday 8th.
    s = agrees(plan([pm.Task("A", duration=1), pm.Task("B", duration=5)], [("A", "B", "FF")]))
    assert dates(s, "B") == (T("2027-01-04 08:00"), T("2027-01-08 17:00"))


# --------------------------------------------------------------------------- manually scheduled tasks


def manual_plan(a=None, b=None, **settings):
    # A (5 days) -> B (3 days, manually scheduled to start Tuesday 5th) -> C (2 days).
    tasks = [pm.Task("A", duration=5) if a is None else pm.Task("A", estimate=a),
             pm.Task("B", manual_start="2027-01-05", **({"duration": 3} if b is None else {"estimate": b})),
             pm.Task("C", duration=2)]
    return plan(tasks, [("A", "B"), ("B", "C")], **settings)


def test_a_manually_scheduled_task_keeps_its_start_and_drives_its_successors():
    # MS Project does not move B for A (A ends Friday 8th): B runs Tuesday 5th to Thursday 7th, C Friday 8th to
    # Monday 11th, the project finish. Late dates follow the links as for any task: C and B have no float; A
    # must finish by B's late start (Tuesday 08:00, the end of Monday's work): late finish Monday 17:00,
    # 4 days before its early finish (Friday 17:00): total float -4, shown, not hidden.
    s = agrees(manual_plan())
    assert dates(s, "B") == (T("2027-01-05 08:00"), T("2027-01-07 17:00"))
    assert dates(s, "C") == (T("2027-01-08 08:00"), T("2027-01-11 17:00"))
    assert s.times().loc["A", "late_finish"] == T("2027-01-04 17:00")
    assert s.table["total_float"].to_dict() == {"A": -4.0, "B": 0.0, "C": 0.0}
    # P6's rules keep it too (the task is MS Project's, its start is a fact of the plan).
    p6 = pm.cpm(manual_plan(progress_rule="retained_logic"))
    assert dates(p6, "B") == (T("2027-01-05 08:00"), T("2027-01-07 17:00"))


def test_a_manually_scheduled_task_may_start_before_the_project_and_its_late_dates_are_its_successors():
    # B typed to start Monday 28 December 2026, before the project start (Monday 4th): it stays there (3 days:
    # Monday 28th to Wednesday 30th). C follows on Thursday 31st. A (5 days) runs from the project start to
    # Friday 8th, the project finish; C's late finish is then Friday 8th 17:00 and its float the 5 working days
    # from its early finish, Friday 1st 17:00, to then (the standard calendar has no holidays).
    tasks = [pm.Task("A", duration=5), pm.Task("B", duration=3, manual_start="2026-12-28"), pm.Task("C", duration=2)]
    s = agrees(plan(tasks, [("B", "C")]))
    assert dates(s, "B") == (T("2026-12-28 08:00"), T("2026-12-30 17:00"))
    assert dates(s, "C") == (T("2026-12-31 08:00"), T("2027-01-01 17:00"))
    assert s.times().loc["C", "late_finish"] == T("2027-01-08 17:00")
    assert s.table.loc["C", "total_float"] == 5.0


def test_the_monte_carlo_keeps_a_manually_scheduled_task_s_start():
    # A's duration varies from 1 to 5.9 days: it never moves B (its start is typed), so every iteration
    # finishes on Monday 11th, day 6 (B starts at day 1, then 3 + 2 days). Longer, A itself sets the finish.
    fixed_a = pm.simulate(manual_plan(a=pm.Triangular(1, 4, 5.9)), iterations=2000, seed=3)
    assert fixed_a.finish.min() == pytest.approx(6.0) and fixed_a.finish.max() == pytest.approx(6.0)
    late_a = pm.simulate(manual_plan(a=pm.Triangular(8, 9, 10)), iterations=2000, seed=3)
    assert late_a.finish.min() >= 8.0 - 1e-4 and late_a.finish.max() <= 10.0 + 1e-4
    varied = pm.simulate(manual_plan(b=pm.Uniform(2, 4)), iterations=4000, seed=3, keep="tasks")
    b_finish = varied.task_finish[:, 1].astype(np.float64)
    np.testing.assert_allclose(varied.finish, b_finish + 2, atol=1e-4)  # C follows B, 2 days
    # B starts at day 1 in every iteration: its finish is 1 + its sampled duration (uniform 2-4, mean 3).
    assert b_finish.min() >= 3.0 - 1e-4 and b_finish.max() <= 5.0 + 1e-4
    assert abs(b_finish.mean() - 4.0) < 0.05  # standard error 0.58 / sqrt(4000) = 0.009


def test_a_manually_scheduled_task_started_before_the_day_s_work_works_from_its_actual_start():
    # MPXJ's mpp14timephasedsegmentsmanual.mpp, Task Three: manually scheduled, started (and typed) Monday 07:00,
    # an hour before the day's work, 5 days (40 h), half done. MS Project counts the hour as worked, as for a
    # start typed there: its stop (20 h done) is Wednesday 11:00 (Monday 07:00-12:00 and 13:00-17:00 = 9 h,
    # Tuesday 8 h, Wednesday 08:00-11:00 3 h), and its finish Friday 16:00 (Thursday 8 h = 33 h, then Friday
    # 08:00-12:00 and 13:00-16:00). B (1 day) follows: Friday 16:00-17:00 and Monday 11th 08:00-12:00 and
    # 13:00-16:00, the project finish. C (1 day) stands alone on Monday 4th: float from Monday 17:00 to Monday
    # 11th 16:00, 4 days and 7 hours = 4.875 days.
    tasks = [pm.Task("A", duration=5, manual_start="2027-01-04 07:00", actual_start="2027-01-04 07:00",
                     percent_complete=50),
             pm.Task("B", duration=1), pm.Task("C", duration=1)]
    s = pm.cpm(plan(tasks, [("A", "B")]))
    assert dates(s, "A") == (T("2027-01-04 07:00"), T("2027-01-08 16:00"))
    assert dates(s, "B") == (T("2027-01-08 16:00"), T("2027-01-11 16:00"))
    assert s.table["total_float"].to_dict() == {"A": 0.0, "B": 0.0, "C": 4.875}


# --------------------------------------------------------------------------- levelling delays


def test_a_levelling_delay_starts_a_task_later_and_its_predecessors_count_it():
    # A (1 day) on Monday 4th. B (1 day) follows A with a levelling delay of 2 working days: from Tuesday 08:00,
    # where A lets it start, 2 days of work later is Thursday 08:00; B runs Thursday. D (1 day) follows A with a
    # delay of 2 elapsed days (the 24/7 calendar): Tuesday 08:00 + 48 hours = Thursday 08:00. C (3 days) follows A:
    # Tuesday to Thursday, the project finish. Backward: B's late start Thursday 08:00 less its delay is Tuesday
    # 08:00, so A must finish by Monday 17:00: no float (without the delay counted, 2 days).
    tasks = [pm.Task("A", duration=1), pm.Task("B", duration=1, levelling_delay=2), pm.Task("C", duration=3),
             pm.Task("D", duration=1, levelling_delay=2, levelling_delay_calendar="24/7")]
    s = agrees(plan(tasks, [("A", "B"), ("A", "C"), ("A", "D")], calendars=[ALL_DAY]))
    assert dates(s, "B") == (T("2027-01-07 08:00"), T("2027-01-07 17:00"))
    assert dates(s, "D") == (T("2027-01-07 08:00"), T("2027-01-07 17:00"))
    assert dates(s, "C") == (T("2027-01-05 08:00"), T("2027-01-07 17:00"))
    assert s.table["total_float"].to_dict() == {"A": 0.0, "B": 0.0, "C": 0.0, "D": 0.0}
    # Without predecessors the delay counts from the project start: Monday 08:00 + 1 day = Tuesday.
    alone = pm.cpm(plan([pm.Task("E", duration=1, levelling_delay=1), pm.Task("F", duration=2)]))
    assert dates(alone, "E") == (T("2027-01-05 08:00"), T("2027-01-05 17:00"))


def test_a_levelling_delay_is_checked():
    with pytest.raises(ValidationError, match="levelling_delay must be >= 0"):
        pm.Task("A", duration=1, levelling_delay=-1)
    with pytest.raises(pm.PmsimError, match="levelling delay on unknown calendar 'x'"):
        plan([pm.Task("A", duration=1, levelling_delay=1, levelling_delay_calendar="x")])


def test_a_manual_start_must_be_a_date():
    with pytest.raises(pm.PmsimError, match="manual_start"):
        pm.Task("A", duration=1, manual_start="next week")


def test_a_date_constraint_that_holds_a_task_against_its_links_gives_it_negative_float():
    # A (3 days, Monday to Wednesday) -> M, a milestone that must finish on Tuesday 5 January (end of day 2);
    # M -> B (2 days). M sits on its date, so B runs days 2 to 4, and the project finishes at day 4. A must finish
    # by M's date: 2 - 3 = -1 day of float; M too, by MS Project's rule: its date is a day before its links allow.
    tasks = [pm.Task("A", duration=3), pm.Task("M", duration=0, constraint="MFO", constraint_date="2027-01-05"),
             pm.Task("B", duration=2)]
    links = [("A", "M"), ("M", "B")]
    t = pm.cpm(plan(tasks, links)).table
    assert t.loc["M", ["early_finish", "late_finish"]].tolist() == [2.0, 2.0]
    # A: late finish 2 (M's date), early finish 3; M: late finish 2, its links' finish 3; B: on the finish.
    assert t.loc[["A", "M", "B"], "total_float"].tolist() == [2 - 3, 2 - 3, 4 - 4]
    # A no-later-than date honoured the same way: M finish no later than Tuesday.
    fnlt = [t_.replace(constraint="FNLT") if t_.id == "M" else t_ for t_ in tasks]
    t = pm.cpm(plan(fnlt, links, honor_constraints=True)).table
    assert t.loc[["A", "M"], "total_float"].tolist() == [-1, -1]
    # P6's rule keeps the task on its date with no float of its own; its predecessor shows the conflict.
    t = pm.cpm(plan(tasks, links, progress_rule="retained_logic")).table
    assert t.loc[["A", "M"], "total_float"].tolist() == [-1, 0]


def test_a_manually_scheduled_summary_s_finish_holds_the_late_finish_but_never_below_the_early_finish():
    # C (5 days) runs Monday to Friday, the project finish. A (1 day, Tuesday, after P on Monday) and D (4 days,
    # Monday to Thursday) sit under a manually scheduled summary task ending Wednesday 17:00: A's late finish is
    # Wednesday (float 1 day, not 3); D's early finish is past it, so its late finish is its early finish (float
    # 0, not -1). P must finish by A's late start, Wednesday 08:00 (float 1 day, not 3).
    tasks = [pm.Task("P", duration=1), pm.Task("A", duration=1, summary_finish="2027-01-06"),
             pm.Task("C", duration=5), pm.Task("D", duration=4, summary_finish="2027-01-06")]
    s = pm.cpm(plan(tasks, [("P", "A")]))
    assert s.table["total_float"].to_dict() == {"P": 1.0, "A": 1.0, "C": 0.0, "D": 0.0}
    assert s.times().loc["A", "late_finish"] == T("2027-01-06 17:00")


def test_a_summary_finish_must_be_a_date():
    with pytest.raises(ValidationError, match="summary_finish"):
        pm.Task("A", duration=1, summary_finish="soon")
