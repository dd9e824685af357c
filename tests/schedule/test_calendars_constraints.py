"""CPM on calendars, with date constraints and progress: small plans worked out by hand.

Every expected date below is counted on a wall calendar: 2027-01-04 is a
Monday; the standard calendar works 08:00-12:00 and 13:00-17:00, Monday to
Friday.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import pmsim as pm
from pmsim.errors import PmsimError, UnknownReferenceError, ValidationError

T = pd.Timestamp
# Nights from Monday 22:00 to Saturday 06:00: a weekday works its early morning and its late evening.
NIGHT = pm.Calendar(hours="00:00-06:00; 22:00-24:00", workdays="Tue-Fri", hours_per_day=8, id="night",
                    week={"Mon": "22:00-24:00", "Sat": "00:00-06:00"})
ALL_DAY = pm.Calendar(workdays="Mon-Sun", hours="00:00-24:00", hours_per_day=24, id="24/7")
LONG_DAYS = pm.Calendar(hours="07:00-17:00", hours_per_day=8, id="long")


def plan(tasks, links=(), **settings):
    settings.setdefault("name", "calendars")
    settings.setdefault("start", "2027-01-04")
    return pm.Project(tasks=tasks, dependencies=[pm.Dependency(*link) for link in links], **settings)


def times(schedule, tid):
    row = schedule.times().loc[tid]
    return row["start"], row["finish"]


# --------------------------------------------------------------------------- calendars


def test_a_day_of_duration_is_hours_per_day_of_the_calendar_working_time():
    # 07:00-17:00 is 10 working hours a day, but a day of duration is 8 hours (P6's day_hr_cnt):
    # 10 days = 80 hours = 8 working days, Monday 4 to Wednesday 13 January, 17:00.
    p = plan([pm.Task("A", duration=10)], calendar=LONG_DAYS)
    s = pm.cpm(p)
    assert times(s, "A") == (T("2027-01-04 07:00"), T("2027-01-13 17:00"))
    assert s.makespan == 10.0 and s.finish_date == dt.date(2027, 1, 13)


def test_tasks_on_other_calendars_work_their_own_hours():
    # A: one 8-hour day, Monday 08:00-17:00. B on the 24/7 calendar: one 24-hour day from Monday 17:00
    # to Tuesday 17:00. C (standard) starts at the next standard working moment, Wednesday 08:00.
    p = plan([pm.Task("A", duration=1), pm.Task("B", duration=1, calendar="24/7"), pm.Task("C", duration=1)],
             [("A", "B"), ("B", "C")], calendars=[ALL_DAY])
    s = pm.cpm(p)
    assert times(s, "A") == (T("2027-01-04 08:00"), T("2027-01-04 17:00"))
    assert times(s, "B") == (T("2027-01-04 17:00"), T("2027-01-05 17:00"))
    assert times(s, "C") == (T("2027-01-06 08:00"), T("2027-01-06 17:00"))
    # Working days of the project calendar: C starts after two full days, finishes after three.
    assert s.table.loc["C", ["start", "finish"]].tolist() == [2.0, 3.0]
    # B may finish as late as Wednesday 08:00 without moving C: 15 hours of float on its 24-hour calendar.
    assert s.table.loc["B", "total_float"] == pytest.approx(15 / 24)
    assert s.critical_path == ["A", "C"]


def test_a_night_shift_works_across_midnight():
    # 8 hours of night work from Monday 22:00: 22:00-24:00 and Tuesday 00:00-06:00.
    p = plan([pm.Task("N", duration=1, calendar="night")], calendars=[NIGHT])
    assert times(pm.cpm(p), "N") == (T("2027-01-04 22:00"), T("2027-01-05 06:00"))


def test_a_resource_calendar_decides_when_the_task_has_none():
    p = plan([pm.Task("N", duration=1, resources={"ops": 1})], calendars=[NIGHT],
             resources=[pm.Resource("ops", calendar="night")])
    assert p.task_calendar("N") == NIGHT
    assert times(pm.cpm(p), "N")[0] == T("2027-01-04 22:00")


def test_holidays_and_exceptions_of_a_task_calendar():
    # Tuesday is a holiday and Wednesday works only the morning: 2 days from Monday end Thursday 12:00.
    short = pm.Calendar(id="short", holidays=["2027-01-05"],
                        exceptions=[pm.CalendarException("2027-01-06", hours="08:00-12:00")])
    p = plan([pm.Task("A", duration=2, calendar="short")], calendars=[short])
    assert times(pm.cpm(p), "A") == (T("2027-01-04 08:00"), T("2027-01-07 12:00"))


def test_lags_count_on_the_calendar_the_rule_names():
    # A finishes Friday 17:00. An FS lag of one day: on the successor's (standard) calendar it ends
    # Monday 17:00, so B starts Tuesday 08:00; on a 24-hour clock it ends Saturday 17:00: Monday 08:00.
    tasks = [pm.Task("A", duration=5), pm.Task("B", duration=1)]
    by_successor = pm.cpm(plan(tasks, [("A", "B", "FS", 1)]))
    assert times(by_successor, "B")[0] == T("2027-01-12 08:00")
    clock = pm.cpm(plan(tasks, [("A", "B", "FS", 1)], lag_calendar="24h"))
    assert times(clock, "B")[0] == T("2027-01-11 08:00")


def test_two_links_between_the_same_tasks_both_bind():
    # SS+2 and FF+1 between A (5 days) and B (2 days): B starts at 2 by SS, but must finish at 6 by FF.
    p = plan([pm.Task("A", duration=5), pm.Task("B", duration=2)], [("A", "B", "SS", 2), ("A", "B", "FF", 1)])
    t = pm.cpm(p).table
    assert t.loc["B", ["early_start", "early_finish"]].tolist() == [4.0, 6.0]


def test_the_horizon_grows_when_a_calendar_works_little():
    # One hour a week: 40 one-hour days take 40 weeks.
    rare = pm.Calendar(id="rare", workdays="Mon", hours="08:00-09:00", hours_per_day=1)
    p = plan([pm.Task("A", duration=1), pm.Task("R", duration=40, calendar="rare")], [("A", "R")], calendars=[rare])
    start, finish = times(pm.cpm(p), "R")
    assert start == T("2027-01-11 08:00") and finish == T("2027-10-11 09:00")


# --------------------------------------------------------------------------- constraints


def test_start_no_earlier_than_delays_and_must_start_on_overrides_the_links():
    tasks = [pm.Task("A", duration=5),
             pm.Task("B", duration=1, constraint="SNET", constraint_date="2027-01-13"),
             pm.Task("C", duration=1, constraint="MSO", constraint_date="2027-01-06")]
    s = pm.cpm(plan(tasks, [("A", "B"), ("A", "C")]))
    assert times(s, "B")[0] == T("2027-01-13 08:00")
    # C must start on Wednesday (day 2) although A finishes Friday (day 5): the date holds, and A,
    # which should finish by then, gets negative float: 2 - 5 = -3.
    assert times(s, "C")[0] == T("2027-01-06 08:00")
    assert s.table.loc["C", ["total_float", "critical"]].tolist() == [0.0, True]
    assert s.table.loc["A", "total_float"] == -3.0


def test_no_later_than_constraints_give_negative_float_when_logic_wins():
    # P6: logic wins (honor_constraints=False). A ends Friday (day 5); B (2 days) must finish no later
    # than Wednesday 6 January (day 3): its late finish is day 3, so total float = 3 - 7 = -4.
    tasks = [pm.Task("A", duration=5), pm.Task("B", duration=2, constraint="FNLT", constraint_date="2027-01-06")]
    s = pm.cpm(plan(tasks, [("A", "B")], honor_constraints=False))
    assert s.table.loc["B", ["early_start", "early_finish", "late_finish"]].tolist() == [5.0, 7.0, 3.0]
    assert s.table.loc["B", "total_float"] == -4.0
    assert s.table.loc["A", "total_float"] == -4.0
    # MS Project honours the date: B finishes on it, before A does.
    honoured = pm.cpm(plan(tasks, [("A", "B")], honor_constraints=True))
    assert honoured.table.loc["B", ["early_start", "early_finish"]].tolist() == [1.0, 3.0]


def test_negative_float_reaches_back_before_the_project_start():
    # A (10 days) -> B (10 days), B to finish no later than Friday 8 January (P6: logic wins). A runs 4-15
    # January, B 18-29 January. Late dates: B must work Monday 28 December - Friday 8 January, so A must work
    # Monday 14 - Friday 25 December (no holidays): both 15 working days late, before the project start. A
    # second calendar (A's, the same hours) puts the engine on calendar tables, which start near the project
    # start: the late dates must not stop there.
    site = pm.Calendar(id="site")
    tasks = [pm.Task("A", duration=10, calendar="site"),
             pm.Task("B", duration=10, constraint="FNLT", constraint_date="2027-01-08")]
    s = pm.cpm(plan(tasks, [("A", "B")], calendars=[site], honor_constraints=False,
                    progress_rule="retained_logic"))
    late = s.times()
    assert late.loc["B", "late_start"] == T("2026-12-28 08:00")
    assert late.loc["A", ["late_start", "late_finish"]].tolist() == [T("2026-12-14 08:00"), T("2026-12-25 17:00")]
    assert s.table.loc[["A", "B"], "total_float"].tolist() == [-15.0, -15.0]


def test_deadlines_and_must_finish_by_set_the_late_dates():
    tasks = [pm.Task("A", duration=3), pm.Task("B", duration=2, deadline="2027-01-07")]
    s = pm.cpm(plan(tasks, [("A", "B")]))
    # B can finish at day 5 (Friday) at the earliest; its deadline is the end of Thursday (day 4).
    assert s.table.loc["B", "total_float"] == -1.0
    late = pm.cpm(plan([pm.Task("A", duration=3)], must_finish_by="2027-01-14"))
    # Must finish by Thursday of the second week (day 9): 6 days of float for a 3-day task.
    assert late.table.loc["A", ["late_finish", "total_float"]].tolist() == [9.0, 6.0]


def test_as_late_as_possible():
    # A (2) and B (5) both precede C. A as late as possible: late dates (MS Project) or as late as its
    # successors' early dates allow (P6): here both put it right before C, at day 3.
    tasks = [pm.Task("A", duration=2, constraint="ALAP"), pm.Task("B", duration=5), pm.Task("C", duration=1)]
    links = [("A", "C"), ("B", "C")]
    for rule in ("ms_project", "retained_logic"):
        t = pm.cpm(plan(tasks, links, progress_rule=rule)).table
        assert t.loc["A", ["start", "finish"]].tolist() == [3.0, 5.0]
        assert t.loc["C", "start"] == 5.0


def test_a_chain_of_as_late_as_possible_tasks_moves_together():
    # X runs days 0-5. A (1 day) -> B (ALAP, 1) -> C (ALAP, 1), C the last: C ends with the project (days
    # 4-5), and B moves up to C (days 3-4), not only by the room it had before C moved.
    tasks = [pm.Task("X", duration=5), pm.Task("A", duration=1), pm.Task("B", duration=1, constraint="ALAP"),
             pm.Task("C", duration=1, constraint="ALAP")]
    t = pm.cpm(plan(tasks, [("A", "B"), ("B", "C")], honor_constraints=False)).table
    assert t.loc["C", ["start", "finish"]].tolist() == [4.0, 5.0]
    assert t.loc["B", ["start", "finish"]].tolist() == [3.0, 4.0]
    # A must finish by B's late start (day 3): 3 - 1 = 2 days of float; B and C sit at their late dates.
    assert t.loc["A", ["start", "finish", "total_float"]].tolist() == [0.0, 1.0, 2.0]
    assert t.loc[["B", "C"], "total_float"].tolist() == [0.0, 0.0]


def test_a_milestone_late_finish_is_the_end_of_the_work_its_calendar_has_done():
    # M, a milestone on the standard calendar, must finish on Monday 11 January at 08:00: for the standard
    # calendar that is the end of Friday 8's work. A (on a 7-day calendar) precedes it: A's late finish is
    # Friday 17:00, not Sunday 17:00 (the 7-day calendar works the weekend).
    seven = pm.Calendar(workdays="Mon-Sun", id="7d")
    tasks = [pm.Task("A", duration=2, calendar="7d"),
             pm.Task("M", duration=0, constraint="FO", constraint_date=dt.datetime(2027, 1, 11, 8, 0))]
    s = pm.cpm(plan(tasks, [("A", "M")], calendars=[seven], honor_constraints=False))
    late = s.times()
    assert late.loc["A", "late_finish"] == T("2027-01-08 17:00")
    assert late.loc["A", "late_start"] == T("2027-01-07 08:00")


def test_a_start_milestone_sits_at_the_next_working_moment():
    # A ends Friday 8 January at 17:00. M follows it; B (on a 7-day calendar) starts with M (SS).
    # P6's finish milestone M sits at Friday 17:00 and B starts Saturday 08:00; a start milestone sits
    # at Monday 11 January 08:00, and B starts with it then.
    seven = pm.Calendar(workdays="Mon-Sun", id="7d")
    for kind, at in ((True, T("2027-01-08 17:00")), ("start", T("2027-01-11 08:00"))):
        tasks = [pm.Task("A", duration=5), pm.Task("M", milestone=kind), pm.Task("B", duration=1, calendar="7d")]
        s = pm.cpm(plan(tasks, [("A", "M"), ("M", "B", "SS")], calendars=[seven]))
        assert times(s, "M")[0] == at
        assert times(s, "B")[0] == max(at, T("2027-01-09 08:00"))


def test_milestone_kinds_read_as_people_write_them():
    assert pm.Task("M", milestone="Start").milestone == "start"
    assert pm.Task("M", milestone="finish").milestone is True
    with pytest.raises(ValidationError, match="milestone must be true, false, 'start' or 'finish'"):
        pm.Task("M", milestone="middle")


# --------------------------------------------------------------------------- progress


def progressed(rule, **a_fields):
    # A: 4 days, started Monday and half done on Wednesday evening (the data date): 2 days remain.
    # B: 3 days after A. C: 2 days, no predecessor, not started.
    a = pm.Task("A", duration=4, actual_start="2027-01-04", remaining_duration=2, **a_fields)
    return plan([a, pm.Task("B", duration=3), pm.Task("C", duration=2)], [("A", "B")],
                status_date="2027-01-06", progress_rule=rule)


def test_remaining_work_is_scheduled_from_the_data_date():
    s = pm.cpm(progressed("retained_logic"))
    t = s.table
    # A keeps its actual start; its 2 remaining days run Thursday and Friday (days 3 to 5).
    assert t.loc["A", ["start", "early_start", "finish"]].tolist() == [0.0, 3.0, 5.0]
    assert t.loc["B", ["start", "finish"]].tolist() == [5.0, 8.0]
    # C has not started: nothing unstarted starts before the data date.
    assert t.loc["C", "start"] == 3.0
    assert times(s, "A")[0] == T("2027-01-04 08:00")


def test_a_finished_task_keeps_its_actual_dates():
    p = progressed("retained_logic").replace(tasks=(
        pm.Task("A", duration=4, actual_start="2027-01-04", actual_finish="2027-01-05"),
        pm.Task("B", duration=3), pm.Task("C", duration=2)))
    t = pm.cpm(p).table
    assert t.loc["A", ["start", "finish", "total_float", "free_float"]].tolist() == [0.0, 2.0, 0.0, 0.0]
    # B could follow A on Wednesday, but the data date is the end of Wednesday: B starts Thursday.
    assert t.loc["B", "start"] == 3.0


@pytest.mark.parametrize("rule", ["retained_logic", "progress_override", "ms_project"])
def test_a_finished_task_is_not_critical(rule):
    # MS Project: a task 100 % complete is not critical whatever its slack; P6 gives a completed activity no
    # float and leaves it off the critical path. A (done) precedes B, which runs 3 days from the data date
    # (end of day 3) to day 6, the finish; C (2 days, no predecessor) has a day of float.
    t = pm.cpm(progressed(rule).replace(tasks=(
        pm.Task("A", duration=4, actual_start="2027-01-04", actual_finish="2027-01-05"),
        pm.Task("B", duration=3), pm.Task("C", duration=2)))).table
    assert t.loc["A", "total_float"] == 0.0 and not t.loc["A", "critical"]
    assert t.loc[["B", "C"], "critical"].tolist() == [True, False]


def test_progress_override_and_ms_project_rules():
    # Out of sequence: B started on Tuesday although A is not done.
    tasks = [pm.Task("A", duration=4, actual_start="2027-01-04", remaining_duration=2),
             pm.Task("B", duration=3, actual_start="2027-01-05", remaining_duration=2)]
    base = dict(status_date="2027-01-06")
    retained = pm.cpm(plan(tasks, [("A", "B")], progress_rule="retained_logic", **base)).table
    override = pm.cpm(plan(tasks, [("A", "B")], progress_rule="progress_override", **base)).table
    ms = pm.cpm(plan(tasks, [("A", "B")], progress_rule="ms_project", **base)).table
    # Retained logic: B's remaining 2 days wait for A (done at day 5): days 5 to 7.
    assert retained.loc["B", ["early_start", "finish"]].tolist() == [5.0, 7.0]
    # Progress override: B's remaining work goes on from the data date: days 3 to 5.
    assert override.loc["B", ["early_start", "finish"]].tolist() == [3.0, 5.0]
    # MS Project: B runs its 3 days from its actual start (Tuesday): days 1 to 4.
    assert ms.loc["B", ["start", "finish"]].tolist() == [1.0, 4.0]


def out_of_sequence(rule):
    # F was done on Monday 4 although its predecessor A (2 days) has not started; B follows F with a
    # 3-day lag, C follows F. The data date is the end of Wednesday 6 (day 3).
    tasks = [pm.Task("A", duration=2), pm.Task("F", duration=1, actual_start="2027-01-04", actual_finish="2027-01-04"),
             pm.Task("B", duration=1), pm.Task("C", duration=4)]
    return plan(tasks, [("A", "F"), ("F", "B", "FS", 3), ("F", "C")], status_date="2027-01-06", progress_rule=rule)


def test_p6_retained_logic_puts_a_finished_task_after_its_unfinished_predecessors():
    t = pm.cpm(out_of_sequence("retained_logic")).table
    # A runs days 3 to 5 (Thursday, Friday); F has no work left, after A: day 5. C runs days 5 to 9.
    assert t.loc["A", ["start", "finish"]].tolist() == [3.0, 5.0]
    assert t.loc["C", ["start", "finish"]].tolist() == [5.0, 9.0]
    # F keeps its actual dates in the table (Monday), with no float.
    assert t.loc["F", ["start", "finish", "total_float"]].tolist() == [0.0, 1.0, 0.0]
    # B's 3-day lag has run 2 days since F finished (end of Monday to end of Wednesday): 1 day is left,
    # counted from F's early finish at day 5.
    assert t.loc["B", "start"] == 6.0
    # The late dates pass through F: A drives C (float 0); B has 9 - 7 = 2 days.
    assert t.loc["A", "total_float"] == 0.0
    assert t.loc["B", "total_float"] == 2.0


def test_progress_override_and_ms_project_leave_a_finished_task_where_it_finished():
    override = pm.cpm(out_of_sequence("progress_override")).table
    # F ignores A: no work left at the data date (day 3); B's lag has 1 day left: day 4. C: days 3 to 7.
    assert override.loc["C", ["start", "finish"]].tolist() == [3.0, 7.0]
    assert override.loc["B", "start"] == 4.0
    ms = pm.cpm(out_of_sequence("ms_project")).table
    # MS Project: F is history, finished at the end of Monday (day 1); B starts 3 days later, C at once.
    assert ms.loc["B", "start"] == 4.0
    assert ms.loc["C", ["start", "finish"]].tolist() == [1.0, 5.0]


@pytest.mark.parametrize("lag, expected", [(3, 4.0), (5, 6.0), (-1, 4.0)])
def test_p6_runs_a_start_link_from_where_the_remaining_work_starts(lag, expected):
    # A (4 days) started Monday with 2 days left; its predecessor P (1 day) has not started, so by retained
    # logic A's remaining work waits for P: P day 3 to 4, A's remaining work days 4 to 6. A has worked
    # 3 days (Monday to the data date, the end of Wednesday); an SS lag of 3 is used up, B starts with
    # A's remaining work; a lag of 5 leaves 2 days; a negative lag gives A's remaining start.
    tasks = [pm.Task("P", duration=1), pm.Task("A", duration=4, actual_start="2027-01-04", remaining_duration=2),
             pm.Task("B", duration=1)]
    t = pm.cpm(plan(tasks, [("P", "A"), ("A", "B", "SS", lag)], status_date="2027-01-06")).table
    assert t.loc["A", ["start", "early_start", "finish"]].tolist() == [0.0, 4.0, 6.0]
    assert t.loc["B", "start"] == expected


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("build, error, match", [
    (lambda: pm.Task("A", duration=1, constraint="SNET"), ValidationError, "SNET needs a date"),
    (lambda: pm.Task("A", duration=1, constraint="SOON", constraint_date="2027-01-04"), ValidationError,
     "unknown constraint 'SOON'"),
    (lambda: pm.Task("A", duration=1, actual_start="2027-01-06", actual_finish="2027-01-05"), ValidationError,
     "actual_finish 2027-01-05 is before actual_start 2027-01-06"),
    (lambda: pm.Task("A", duration=1, actual_start="2027-01-04", actual_finish="2027-01-05", remaining_duration=1),
     ValidationError, "has an actual_finish but 1 working days remaining"),
    (lambda: plan([pm.Task("A", duration=1, actual_start="2027-01-04")]), ValidationError,
     "have progress but the project has no status_date"),
    (lambda: plan([pm.Task("A", duration=1)], status_date="2027-01-01"), ValidationError,
     "status_date 2027-01-01 .the data date. is before the start"),
    (lambda: plan([pm.Task("A", duration=1, constraint="MSO", constraint_date="2026-12-31")]), ValidationError,
     "constraint MSO on 2026-12-31 is before the project start"),
    (lambda: plan([pm.Task("A", duration=1, calendar="nights")]), UnknownReferenceError,
     "Task 'A' works on unknown calendar 'nights'"),
    (lambda: pm.Calendar(workdays="Mon-Fri", hours=""), ValidationError, "no working time at all"),
    (lambda: pm.Calendar(hours="17:00-08:00"), ValidationError, "must start before it ends"),
    (lambda: pm.Calendar(workdays=["Monkey"]), ValidationError, "unknown weekday 'Monkey'"),
])
def test_bad_input_names_the_rule(build, error, match):
    with pytest.raises(error, match=match):
        build()


def test_weekdays_read_as_people_write_them():
    assert pm.Calendar(workdays="Mon-Fri") == pm.Calendar()
    assert pm.Calendar(workdays="Mon, Tue, Wed, Thu, Fri") == pm.Calendar()
    assert pm.Calendar(workdays="Sun-Thu").workdays == ("Mon", "Tue", "Wed", "Thu", "Sun")


def test_a_single_calendar_project_schedules_exactly_as_before():
    # The uniform path: working days, plain addition; the textbook network keeps its published answer.
    p = pm.read_project(pm.data_path("textbook"))
    s = pm.cpm(p)
    assert s.makespan == 43.0 and s.timing[0].uniform
    assert np.isfinite(s.table[["early_start", "late_finish", "total_float"]].to_numpy()).all()


def test_errors_are_pmsim_errors():
    with pytest.raises(PmsimError):
        pm.Calendar(hours="nine to five")


# --------------------------------------------------------------------------- the Monte Carlo engine agrees


def random_dated_project(seed: int, n: int = 40):
    """A network of fixed durations on three calendars, all link types, lags, constraints and progress."""
    rng = np.random.default_rng(seed)
    cals = [None, "night", "24/7", "long"]
    tasks = []
    for k in range(n):
        extra = {}
        if rng.random() < 0.1:
            extra = dict(constraint="SNET", constraint_date=f"2027-01-{int(rng.integers(4, 28)):02d}")
        tasks.append(pm.Task(f"T{k}", duration=float(rng.choice([0, 0.5, 1, 2, 3.25])), calendar=cals[k % 4], **extra))
    links = []
    for j in range(1, n):
        for i in set(rng.integers(max(0, j - 8), j, size=2).tolist()):
            links.append((f"T{i}", f"T{j}", str(rng.choice(["FS", "SS", "FF", "SF"])), float(rng.choice([0, 0, 1, -0.5]))))
    return plan(tasks, links, calendars=[NIGHT, ALL_DAY, LONG_DAYS], name=f"random {seed}")


@pytest.mark.parametrize("seed", range(6))
def test_with_fixed_durations_every_iteration_is_the_cpm_schedule(seed):
    p = random_dated_project(seed)
    s = pm.cpm(p)
    sim = pm.simulate(p, iterations=300, seed=1, keep="tasks")
    assert sim.finish.min() == pytest.approx(s.makespan, abs=1e-4)
    assert sim.finish.max() == pytest.approx(s.makespan, abs=1e-4)
    # Each task's finish, as working days of the project calendar, is the CPM one.
    np.testing.assert_allclose(sim.task_finish[0], s.table["finish"].to_numpy(), atol=1e-3)


def random_progressed_project(seed: int, rule: str, n: int = 40):
    """The random network with progress: finished and started tasks, in and out of sequence."""
    p = random_dated_project(seed, n)
    rng = np.random.default_rng(seed + 100)
    tasks = []
    for task in p.tasks:
        roll = rng.random()
        if task.planned_duration == 0 and rng.random() < 0.5:
            task = task.replace(milestone="start")  # P6's start milestone
        if roll < 0.2:
            task = task.replace(actual_start="2027-01-04 09:00", actual_finish="2027-01-05 15:00")
        elif roll < 0.35:
            task = task.replace(actual_start="2027-01-05", remaining_duration=float(rng.choice([0, 0.5, 2])))
        tasks.append(task)
    return p.replace(tasks=tuple(tasks), status_date="2027-01-06", progress_rule=rule)


@pytest.mark.parametrize("rule", ["retained_logic", "progress_override", "ms_project"])
@pytest.mark.parametrize("seed", range(3))
def test_with_progress_every_iteration_is_the_cpm_schedule(seed, rule):
    p = random_progressed_project(seed, rule)
    s = pm.cpm(p)
    sim = pm.simulate(p, iterations=200, seed=1, keep="tasks")
    assert sim.finish.min() == pytest.approx(s.makespan, abs=1e-4)
    assert sim.finish.max() == pytest.approx(s.makespan, abs=1e-4)
    np.testing.assert_allclose(sim.task_finish[0], s.table["finish"].to_numpy(), atol=1e-3)



@pytest.mark.parametrize("honor", [True, False])
@pytest.mark.parametrize("seed", range(4))
def test_with_every_kind_of_constraint_every_iteration_is_the_cpm_schedule(seed, honor):
    p = random_dated_project(seed)
    rng = np.random.default_rng(seed + 200)
    tasks = []
    for task in p.tasks:
        if rng.random() < 0.3:
            kind = str(rng.choice(["SNET", "FNET", "SNLT", "FNLT", "MSO", "MFO", "ALAP"]))
            day = int(rng.integers(1, 21))
            if kind in ("FNLT", "MFO"):  # room for the task's work after the start (else no schedule meets it)
                day += 3 * int(np.ceil(task.planned_duration)) + 3
            date = None if kind == "ALAP" else dt.date(2027, 1, 4) + dt.timedelta(days=day)
            task = task.replace(constraint=kind, constraint_date=date)
        tasks.append(task)
    p = p.replace(tasks=tuple(tasks), honor_constraints=honor)
    s = pm.cpm(p)
    sim = pm.simulate(p, iterations=100, seed=1, keep="tasks")
    # ALAP runs as soon as possible in the Monte Carlo (its finish moves nothing): compare the others.
    alap = np.array([t.constraint == "ALAP" for t in p.tasks])
    assert sim.finish.max() == pytest.approx(s.makespan, abs=1e-4)
    np.testing.assert_allclose(sim.task_finish[0][~alap], s.table["finish"].to_numpy()[~alap], atol=1e-3)


def test_progress_and_constraints_hold_in_every_iteration():
    p = progressed("retained_logic")
    uncertain = p.replace(tasks=tuple(t.replace(estimate=pm.Triangular(t.planned_duration, t.planned_duration,
                                                                      2 * t.planned_duration))
                                      for t in p.tasks))
    sim = pm.simulate(uncertain, iterations=2000, seed=3, keep="tasks")
    # Nothing finishes before the CPM plan (durations only grow), and A's remaining work starts at day 3,
    # so the finish is never before day 8 (A 3-5, B 5-8) even when C runs long: C (2 to 4 days from day 3).
    assert sim.finish.min() >= pm.cpm(p).makespan - 1e-6
    assert (sim.task_finish[:, 0] >= 5.0 - 1e-6).all()


def test_levelling_every_iteration_works_on_a_24_hour_calendar():
    # One task of one day on a 24-hour calendar, nothing competing: every levelled iteration is the CPM's.
    p = plan([pm.Task("A", duration=1, calendar="24/7", resources={"r": 1})], calendars=[ALL_DAY],
             resources=[pm.Resource("r")])
    s = pm.cpm(p)
    assert pm.level(p).table["finish"].equals(s.table["finish"])
    sim = pm.simulate(p, iterations=100, seed=1, levelled=True)
    assert np.all(sim.finish == np.float32(s.makespan))


def test_levelling_honours_constraints_and_smoothing_says_it_cannot_yet():
    p = plan([pm.Task("A", duration=1, resources={"r": 1}, constraint="SNET", constraint_date="2027-01-06")],
             resources=[pm.Resource("r")])
    assert pm.level(p).table.at["A", "start"] == pm.cpm(p).table.at["A", "start"]
    with pytest.raises(ValidationError, match="one calendar, without date constraints, progress or split tasks"):
        pm.smooth(p)


# --------------------------------------------------------------------------- impossible dates

CLOSED_FIRST_WEEK = pm.Calendar(exceptions=[pm.CalendarException("2027-01-04", "2027-01-10", hours="")])


@pytest.mark.parametrize("kind", ["MFO", "FNLT"])
def test_a_finish_date_with_no_working_time_before_it_is_refused_when_binding(kind):
    # The calendar does no work before Monday 11 January: a 2-day task cannot finish by Friday 8th.
    p = plan([pm.Task("A", duration=2, constraint=kind, constraint_date="2027-01-08"), pm.Task("B", duration=1)],
             [("A", "B")], calendar=CLOSED_FIRST_WEEK)
    with pytest.raises(ValidationError, match=r"Task 'A'.*" + kind + r" on 2027-01-08.*no schedule can meet it"):
        pm.cpm(p)
    with pytest.raises(ValidationError, match=r"Task 'A'"):
        pm.simulate(p, iterations=50, seed=1)


def test_a_finish_no_later_than_not_honoured_shows_as_negative_float():
    p = plan([pm.Task("A", duration=2, constraint="FNLT", constraint_date="2027-01-08"), pm.Task("B", duration=1)],
             [("A", "B")], calendar=CLOSED_FIRST_WEEK, honor_constraints=False)
    s = pm.cpm(p)
    # A works Monday 11 and Tuesday 12; its late finish is the end of Friday 8th: two working days earlier.
    assert times(s, "A") == (dt.datetime(2027, 1, 11, 8), dt.datetime(2027, 1, 12, 17))
    assert s.table.loc["A", "total_float"] == pytest.approx(-2.0)


def test_a_calendar_without_working_time_for_a_year_is_named():
    idle = pm.Calendar(id="idle", exceptions=[pm.CalendarException("2027-01-01", "2040-12-31", hours="")])
    p = plan([pm.Task("A", duration=2, calendar="idle"), pm.Task("B", duration=1)], calendars=[idle])
    with pytest.raises(ValidationError, match=r"calendar 'idle' has no working time in the year from 2027-01-04.*"
                                              r"task 'A' can never be scheduled"):
        pm.cpm(p)



def test_floats_count_on_the_task_s_own_calendar_else_the_project_s_not_a_resource_s():
    # The project calendar works 08:00-17:00, Monday to Friday, Wednesday 2027-01-06 a holiday: C (4 days)
    # Monday, Tuesday, Thursday, Friday, the project finish Friday 17:00. N (1 day) is worked by a night-shift
    # resource (Monday 22:00-24:00, Tuesday to Friday 00:00-06:00 and 22:00-24:00): Monday 22:00 to Tuesday
    # 06:00; its late finish is Friday 06:00, the night shift's last work by the project finish. Its float
    # counts the project calendar's work from Tuesday 06:00 to Friday 06:00: Tuesday and Thursday, 2 days
    # (MS Project's slack). M, the same task on the night shift as a calendar of its own, counts the night
    # shift's work: Tuesday 22:00 to Friday 06:00, 24 hours, 3 days.
    night = pm.Calendar(hours="00:00-06:00; 22:00-24:00", workdays="Tue-Fri", hours_per_day=8, id="night",
                        week={"Mon": "22:00-24:00", "Sat": "00:00-06:00"})
    p = pm.Project(name="x", start="2027-01-04", calendar=pm.Calendar(holidays=("2027-01-06",)), calendars=[night],
                   resources=[pm.Resource("ops", calendar="night")],
                   tasks=[pm.Task("C", duration=4), pm.Task("N", duration=1, resources={"ops": 1}),
                          pm.Task("M", duration=1, calendar="night")])
    s = pm.cpm(p)
    times = s.times()
    assert times.loc["N", ["early_finish", "late_finish"]].tolist() == [pd.Timestamp("2027-01-05 06:00"),
                                                                      pd.Timestamp("2027-01-08 06:00")]
    assert s.table.loc[["N", "M"], "total_float"].tolist() == [2.0, 3.0]
    assert s.table.loc[["N", "M"], "free_float"].tolist() == [2.0, 3.0]
