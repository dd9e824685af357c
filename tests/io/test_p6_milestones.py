"""P6's start milestones and the data date on mixed calendars, read from small XER files written here.

The rules (P6, as Primavera computes them and MPXJ's ``PrimaveraScheduler``
reproduces them): a start milestone (``TT_Mile``) sits at the next working
moment of its calendar and finishes there, so that a finish-to-start
successor on another calendar starts from that moment; an as-late-as-possible
start milestone moves no successor. Calendars: "5-day" works Monday to Friday
08:00-12:00 and 13:00-17:00, "7-day" every day 08:00-16:00, both 8 hours a day.
"""

from __future__ import annotations

import warnings

import pmsim as pm
from pmsim.io.xer import read_xer
from pmsim.parity import parity
from small_xer import task, write

def early(path) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PmsimWarning)
        p = read_xer(path, check_health=False)
    times = pm.cpm(p).times()
    return {tid: (str(row.early_start), str(row.early_finish)) for tid, row in times.iterrows()}


def test_a_start_milestone_held_by_the_data_date_holds_its_seven_day_successor_to_monday(tmp_path):
    # SP10 - COST LOADED.xer's pattern. Data date Saturday 9 January 00:00. A (5-day) finished on Friday. M, a
    # start milestone on the 5-day calendar "on or after" Thursday 7 January, follows A: the data date holds it,
    # at the 5-day calendar's next working moment, Monday 11 January 08:00, where it also finishes. B (7-day,
    # 16 h) follows M: Monday 08:00 to Tuesday 16:00 (the old rule, the end of the work before M, Friday 17:00,
    # let it start on Saturday). C (7-day, 16 h) follows A alone: the data date, Saturday 08:00 to Sunday 16:00.
    path = write(tmp_path / "m.xer", [
        task("1", "A", "1", "40", status="TK_Complete", act_start_date="2027-01-04 08:00",
             act_end_date="2027-01-08 17:00"),
        task("2", "M", "1", "0", kind="TT_Mile", cstr_type="CS_MSOA", cstr_date="2027-01-07 08:00"),
        task("3", "B", "2", "16"),
        task("4", "C", "2", "16"),
    ], [("1", "2"), ("2", "3"), ("1", "4")])
    dates = early(path)
    assert dates["M"] == ("2027-01-11 08:00:00", "2027-01-11 08:00:00")
    assert dates["B"] == ("2027-01-11 08:00:00", "2027-01-12 16:00:00")
    assert dates["C"] == ("2027-01-09 08:00:00", "2027-01-10 16:00:00")


def test_a_start_milestone_its_links_place_finishes_at_its_start(tmp_path):
    # No progress (data date at the start). A (5-day, 40 h) Monday 4 to Friday 8 January 17:00; M, a start
    # milestone after it, shows at Monday 11 January 08:00 and B (7-day) after M starts there too: Monday 08:00
    # to Tuesday 16:00. C (7-day) after A directly starts on Saturday 9 January 08:00.
    path = write(tmp_path / "l.xer", [
        task("1", "A", "1", "40"), task("2", "M", "1", "0", kind="TT_Mile"), task("3", "B", "2", "16"),
        task("4", "C", "2", "16"),
    ], [("1", "2"), ("2", "3"), ("1", "4")], data_date="2027-01-04 00:00")
    dates = early(path)
    assert dates["A"] == ("2027-01-04 08:00:00", "2027-01-08 17:00:00")
    assert dates["M"][0] == "2027-01-11 08:00:00"
    assert dates["B"] == ("2027-01-11 08:00:00", "2027-01-12 16:00:00")
    assert dates["C"] == ("2027-01-09 08:00:00", "2027-01-10 16:00:00")


def test_an_alap_start_milestone_moves_no_successor(tmp_path):
    # M, an as-late-as-possible start milestone on the 5-day calendar with no predecessor, comes before B
    # (7-day, 16 h), which D (5-day, 40 h, Monday 4 to Friday 8 January) holds to Saturday 9 January 08:00.
    # P6 moves M as late as B allows (the end of Friday's work, shown at Monday 11 January 08:00 as P6 shows
    # it) without moving B: B stays Saturday 08:00 to Sunday 16:00.
    path = write(tmp_path / "a.xer", [
        task("1", "D", "1", "40"), task("2", "M", "1", "0", kind="TT_Mile", cstr_type="CS_ALAP"),
        task("3", "B", "2", "16"), task("4", "E", "1", "80"),
    ], [("1", "3"), ("2", "3")], data_date="2027-01-04 00:00")
    dates = early(path)
    assert dates["B"] == ("2027-01-09 08:00:00", "2027-01-10 16:00:00")
    assert dates["M"][0] == "2027-01-11 08:00:00"


def test_parity_of_the_start_milestone_rule(tmp_path):
    # The first file with the dates P6 stores (those of the first test) matches on every task not finished: B
    # sets the project finish (Tuesday 16:00), M and B have no float, C 16 h of the 7-day calendar (Monday and
    # Tuesday).
    stored = {"M": ("2027-01-11 08:00", "2027-01-11 08:00", "0"), "B": ("2027-01-11 08:00", "2027-01-12 16:00", "0"),
              "C": ("2027-01-09 08:00", "2027-01-10 16:00", "16")}
    rows = [task("1", "A", "1", "40", status="TK_Complete", act_start_date="2027-01-04 08:00",
                 act_end_date="2027-01-08 17:00", early_start_date="2027-01-09 00:00",
                 early_end_date="2027-01-09 00:00")]
    for num, code, cal, hours, kind, extra in (("2", "M", "1", "0", "TT_Mile", {"cstr_type": "CS_MSOA",
                                                                               "cstr_date": "2027-01-07 08:00"}),
                                               ("3", "B", "2", "16", "TT_Task", {}), ("4", "C", "2", "16", "TT_Task", {})):
        es, ef, tf = stored[code]
        rows.append(task(num, code, cal, hours, kind=kind, early_start_date=es, early_end_date=ef,
                         total_float_hr_cnt=tf, **extra))
    result = parity(write(tmp_path / "p.xer", rows, [("1", "2"), ("2", "3"), ("1", "4")]))
    compared = result.table[result.table["compared"]]
    assert list(compared.index) == ["M", "B", "C"]
    assert compared["match"].all(), compared
    assert compared["total_float_theirs"].tolist() == [0.0, 0.0, 2.0]


def floats(path) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PmsimWarning)
        p = read_xer(path, check_health=False)
    return pm.cpm(p).table["total_float"].to_dict()


def test_a_started_activity_with_no_work_left_sits_at_the_next_working_moment(tmp_path):
    # SP10's pattern. Data date Saturday 9 January 00:00. X (5-day) started on Monday 4 January and has no
    # work left: P6 puts it at the 5-day calendar's next working moment, Monday 11 January 08:00, where it also
    # finishes. Y, a finish milestone finished on Friday out of sequence, follows X: by retained logic it sits
    # where X leaves it, Monday 08:00 as it is, and Z (7-day, 16 h) after Y runs Monday 08:00 to Tuesday 16:00.
    # W (7-day) after V, finished in sequence, starts at the data date: Saturday 08:00.
    dates = early(no_work_left_file(tmp_path))
    assert dates["X"] == ("2027-01-11 08:00:00", "2027-01-11 08:00:00")
    assert dates["Z"] == ("2027-01-11 08:00:00", "2027-01-12 16:00:00")
    assert dates["W"] == ("2027-01-09 08:00:00", "2027-01-10 16:00:00")


def no_work_left_file(tmp_path):
    """The file of :func:`test_a_started_activity_with_no_work_left_sits_at_the_next_working_moment`."""
    return write(tmp_path / "x.xer", [
        task("1", "X", "1", "40", status="TK_Active", act_start_date="2027-01-04 08:00", remain_drtn_hr_cnt="0"),
        task("2", "Y", "1", "0", kind="TT_FinMile", status="TK_Complete", act_start_date="2027-01-08 16:00",
             act_end_date="2027-01-08 16:00"),
        task("3", "Z", "2", "16"),
        task("4", "V", "1", "8", status="TK_Complete", act_start_date="2027-01-08 08:00",
             act_end_date="2027-01-08 17:00"),
        task("5", "W", "2", "16"),
    ], [("1", "2"), ("2", "3"), ("4", "5")])


def test_the_monte_carlo_keeps_a_finished_activity_at_its_very_moment(tmp_path):
    # The file above, simulated with its fixed durations. Y, finished, sits at X's Monday 11 January 08:00, which
    # the working time of the 5-day calendar cannot tell from the end of Friday's work (Z would then run from
    # Saturday): in every iteration Z (7-day) runs Monday 08:00 to Tuesday 12 16:00. Finishes in working days
    # of the project calendar (5-day, from Monday 4 January 08:00): Z 5 + 1 + 7/8 (Tuesday 08:00-12:00,
    # 13:00-16:00) = 6.875, W (Saturday 9 to Sunday 10 16:00) 5, X (Monday 08:00) 5.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PmsimWarning)
        p = read_xer(no_work_left_file(tmp_path), check_health=False)
    sim = pm.simulate(p, iterations=50, seed=1, keep="tasks")
    column = {tid: k for k, tid in enumerate(p.task_ids)}
    for tid, days in (("Z", 6.875), ("W", 5.0), ("X", 5.0)):
        assert (sim.task_finish[:, column[tid]] == days).all(), tid
    assert (sim.finish == 6.875).all()


def test_late_dates_a_start_milestone_or_a_finished_activity_passes_on_stay_at_monday_0800(tmp_path):
    # Data date Tuesday 5 January 00:00; S (5-day) finished on Monday 4, out of sequence. C (5-day, 72 h) Tuesday 5
    # to Friday 15 January 17:00, then T (5-day, 8 h) Monday 18 January: the project finish, T's late start Monday
    # 18 January 08:00. M, a start milestone (5-day), and S, finished, come before T: P6 keeps their late dates
    # at Monday 08:00, a working moment (the old rule took the end of Friday's work). A (7-day, 16 h, Tuesday 5
    # 08:00 to Wednesday 6 16:00) before M, and H (7-day, 8 h, Tuesday 5) before S, may then finish by Sunday 17
    # January 16:00, the 7-day calendar's end of work before Monday 08:00: A's float Thursday 7 to Sunday 17 = 11
    # days, H's Wednesday 6 to Sunday 17 = 12 days (the old rule: 9 and 10, to Friday 15 January 16:00).
    path = write(tmp_path / "late.xer", [
        task("1", "C", "1", "72"), task("2", "T", "1", "8"), task("3", "M", "1", "0", kind="TT_Mile"),
        task("4", "A", "2", "16"), task("5", "S", "1", "8", status="TK_Complete", act_start_date="2027-01-04 08:00",
                                         act_end_date="2027-01-04 17:00"),
        task("6", "H", "2", "8"),
    ], [("1", "2"), ("3", "2"), ("4", "3"), ("5", "2"), ("6", "5")], data_date="2027-01-05 00:00")
    tf = floats(path)
    assert tf["A"] == 11.0
    assert tf["H"] == 12.0
    assert tf["T"] == 0.0 and tf["C"] == 0.0


def test_a_level_of_effort_spans_its_neighbours_moments_on_its_own_calendar(tmp_path):
    # The project calendar is the 5-day one; everything else works 7 days. P (16 h) Monday 4 to Tuesday 5
    # January, R (40 h) after it Wednesday 6 to Sunday 10 16:00, E (80 h) alone to Wednesday 13 16:00, the
    # project finish. Q, a level of effort from P's start (SS) to R's finish (FF), spans Monday 4 08:00 to
    # Sunday 10 16:00 as P6 shows it (not the end of the project calendar's work by then, Friday 8 17:00); its
    # float, late minus early finish on its own calendar: Sunday 10 16:00 to Wednesday 13 16:00, 3 days.
    path = write(tmp_path / "loe.xer", [
        task("1", "P", "2", "16"), task("2", "R", "2", "40"), task("3", "E", "2", "80"),
        task("4", "Q", "2", "0", kind="TT_LOE"),
    ], [("1", "2"), ("1", "4", "PR_SS"), ("4", "2", "PR_FF")], data_date="2027-01-04 00:00")
    dates = early(path)
    assert dates["Q"] == ("2027-01-04 08:00:00", "2027-01-10 16:00:00")
    assert floats(path)["Q"] == 3.0
