"""P6's total float of as-late-as-possible activities, read from small XER files written here.

P6 stores, for some ALAP activities of real files (SP10 - COST LOADED.xer: 43), a total float that their own
stored early and late dates contradict (24 of them 39-40 hours more than the stored late minus early finish);
:data:`pmsim.parity.P6_ALAP_FLOAT` names that cause, for the activity only. Calendar "5-day" works Monday to
Friday 08:00-12:00 and 13:00-17:00, 8 hours a day.
"""

from __future__ import annotations

from pmsim.parity import P6_ALAP_FLOAT, UNEXPLAINED, parity

FIVE = "".join(f"(0||{d}()(" + ("(0||0(s|08:00|f|12:00)())(0||1(s|13:00|f|17:00)())" if 2 <= d <= 6 else "") + "))"
               for d in range(1, 8))
SEVEN = "".join(f"(0||{d}()((0||0(s|08:00|f|16:00)())))" for d in range(1, 8))
TASK_FIELDS = ("task_id proj_id clndr_id task_code task_name task_type status_code target_drtn_hr_cnt "
               "remain_drtn_hr_cnt act_start_date act_end_date cstr_type cstr_date complete_pct_type "
               "early_start_date early_end_date late_start_date late_end_date total_float_hr_cnt")


def clndr(week: str) -> str:
    return f"(0||CalendarData()((0||DaysOfWeek()({week}))(0||VIEW(ShowTotal|Y)())(0||Exceptions()())))"


def task(num, code, cal, hours, *, kind="TT_Task", status="TK_NotStart", **fields) -> list[str]:
    values = dict(task_id=num, proj_id="7", clndr_id=cal, task_code=code, task_name=code, task_type=kind,
                  status_code=status, target_drtn_hr_cnt=hours,
                  remain_drtn_hr_cnt="0" if status == "TK_Complete" else hours, complete_pct_type="CP_Drtn")
    values.update(fields)
    return [values.get(f, "") for f in TASK_FIELDS.split()]


def write(path, tasks, links, data_date="2027-01-09 00:00"):
    """An XER of project 7 (start Monday 4 January 2027, project calendar 5-day) with ``tasks`` and ``links``
    (predecessor id, successor id, and the type when not PR_FS), without lags."""
    tables = {
        "PROJECT": ("proj_id proj_short_name clndr_id plan_start_date last_recalc_date export_flag",
                    [["7", "P7", "1", "2027-01-04 00:00", data_date, "Y"]]),
        "CALENDAR": ("clndr_id clndr_name clndr_type day_hr_cnt proj_id clndr_data",
                     [["1", "5-day", "CA_Base", "8", "", clndr(FIVE)], ["2", "7-day", "CA_Base", "8", "", clndr(SEVEN)]]),
        "SCHEDOPTIONS": ("proj_id sched_retained_logic sched_progress_override sched_calendar_on_relationship_lag "
                         "sched_float_type", [["7", "Y", "N", "rcal_Predecessor", "FT_FF"]]),
        "TASK": (TASK_FIELDS, tasks),
        "TASKPRED": ("task_pred_id task_id pred_task_id proj_id pred_proj_id pred_type lag_hr_cnt",
                     [[str(k), succ, pred, "7", "7", (kind or ["PR_FS"])[0], "0"]
                      for k, (pred, succ, *kind) in enumerate(links, 1)]),
    }
    lines = ["ERMHDR\t20.12\t2027-01-01\tProject\tadmin\tAdmin\tdbxDatabaseNoName\tProject Management\tEUR"]
    for name, (fields, rows) in tables.items():
        lines += [f"%T\t{name}", "%F\t" + "\t".join(fields.split())] + ["%R\t" + "\t".join(r) for r in rows]
    path.write_bytes(("\r\n".join(lines + ["%E"]) + "\r\n").encode("cp1252"))
    return path


def alap_file(tmp_path, constraint: str, stored_float_hours: str):
    """D (5-day, 40 h) Monday 4 to Friday 8 January, then L (16 h, with ``constraint``; blank: as soon as
    possible) Monday 11 to Tuesday 12, then F (8 h) Wednesday 13, which G (56 h, Monday 4 to Tuesday 12) also
    holds there, so that as late as possible L stays where it is; E (80 h) alone, Monday 4 to Friday 15 17:00:
    the project finish. F may finish by Friday 15 17:00: 16 h of float for D, L, G and F, late dates two days on
    (L's late start Wednesday 13 08:00, finish Thursday 14 17:00). The stored dates are those; L's stored total
    float is ``stored_float_hours``."""
    def row(num, code, hours, es, ef, ls, lf, tf, **extra):
        return task(num, code, "1", hours, early_start_date=f"2027-01-{es}", early_end_date=f"2027-01-{ef}",
                    late_start_date=f"2027-01-{ls}", late_end_date=f"2027-01-{lf}", total_float_hr_cnt=tf, **extra)
    rows = [row("1", "D", "40", "04 08:00", "08 17:00", "06 08:00", "12 17:00", "16"),
            row("2", "L", "16", "11 08:00", "12 17:00", "13 08:00", "14 17:00", stored_float_hours, cstr_type=constraint),
            row("3", "G", "56", "04 08:00", "12 17:00", "06 08:00", "14 17:00", "16"),
            row("4", "F", "8", "13 08:00", "13 17:00", "15 08:00", "15 17:00", "16"),
            row("5", "E", "80", "04 08:00", "15 17:00", "04 08:00", "15 17:00", "0")]
    return write(tmp_path / f"alap{constraint}{stored_float_hours}.xer", rows, [("1", "2"), ("2", "4"), ("3", "4")],
                 data_date="2027-01-04 00:00")


def test_an_alap_float_its_own_stored_dates_contradict_is_told_apart(tmp_path):
    # With the float the stored dates give (16 h) every task matches. With 56 h stored (P6 gives some ALAP
    # activities of SP10 - COST LOADED.xer 39 or 40 hours more than their stored late minus early finish), L's
    # float alone differs, every date of it matches: the P6 ALAP float cause, for L only (D and F, linked to it,
    # still match). The same stored float on an activity as soon as possible is unexplained.
    assert parity(alap_file(tmp_path, "CS_ALAP", "16")).table["match"].all()
    result = parity(alap_file(tmp_path, "CS_ALAP", "56"))
    assert result.mismatches()["cause"].to_dict() == {"L": P6_ALAP_FLOAT}
    assert parity(alap_file(tmp_path, "", "56")).mismatches()["cause"].to_dict() == {"L": UNEXPLAINED}
