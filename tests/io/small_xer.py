"""Small XER files written by the P6 tests (tests/io/test_p6_*.py): project 7, starting Monday 4 January 2027,
on calendar "5-day" (Monday to Friday 08:00-12:00 and 13:00-17:00) with a "7-day" calendar beside it (every day
08:00-16:00), both 8 hours a day, retained logic, lags on the predecessor's calendar."""

from __future__ import annotations

__all__ = ["FIVE", "SEVEN", "TASK_FIELDS", "clndr", "task", "write"]

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
