"""P6's stored late dates that break the file's own links, read from small XER files written here.

BFBPS13.xer and BFBPS14.xer (jjCode01/xer_pro) store a finished activity's late start a day after the stored late
start of its start-to-start successor; the floats of the activities before it follow that day, pmsim's follow the
link. :data:`pmsim.parity.P6_BROKEN_LINK` names the activity whose stored late date breaks a link without lag.
Calendar "5-day" works Monday to Friday 08:00-12:00 and 13:00-17:00, 8 hours a day.
"""

from __future__ import annotations

from pmsim.parity import P6_BROKEN_LINK, UNEXPLAINED, parity
from small_xer import task, write


def broken_file(tmp_path, a_late: str, x_late: str, x_float_hours: str):
    """Data date Monday 11 January 2027 00:00. X (16 h, 8 h left) started on Thursday 7: Monday 11 08:00-17:00. A,
    finished (Tuesday 5 to Wednesday 6), follows X: P6 puts it at X's finish, Monday 17:00. P (8 h) follows A
    start-to-start, Q (8 h) finish-to-start: both Tuesday 12. F (8 h) follows P: Wednesday 13. E (40 h), alone,
    Monday 11 to Friday 15 17:00, is the project finish. Late: F and Q Friday 15 08:00-17:00, P Thursday 14
    08:00-17:00, so A's late start (its late finish: no work left) is P's, Thursday 14 08:00, and X must finish by
    Wednesday 13 17:00: 16 h of float. A's stored late dates are on day ``a_late`` (14: as its links give; 15:
    Q's late start, past P's), X's on day ``x_late`` (13, or 14 by A's 15), X's stored float ``x_float_hours``."""
    def row(num, code, hours, es, ef, ls, lf, tf, **extra):
        return task(num, code, "1", hours, early_start_date=f"2027-01-{es}", early_end_date=f"2027-01-{ef}",
                    late_start_date=f"2027-01-{ls}", late_end_date=f"2027-01-{lf}", total_float_hr_cnt=tf, **extra)
    rows = [row("1", "X", "16", "11 08:00", "11 17:00", f"{x_late} 08:00", f"{x_late} 17:00", x_float_hours,
                status="TK_Active",
                act_start_date="2027-01-07 08:00", remain_drtn_hr_cnt="8"),
            row("2", "A", "16", "11 17:00", "11 17:00", f"{a_late} 08:00", f"{a_late} 08:00", "",
                status="TK_Complete", act_start_date="2027-01-05 08:00", act_end_date="2027-01-06 17:00"),
            row("3", "P", "8", "12 08:00", "12 17:00", "14 08:00", "14 17:00", "16"),
            row("4", "Q", "8", "12 08:00", "12 17:00", "15 08:00", "15 17:00", "24"),
            row("5", "F", "8", "13 08:00", "13 17:00", "15 08:00", "15 17:00", "16"),
            row("6", "E", "40", "11 08:00", "15 17:00", "11 08:00", "15 17:00", "0")]
    links = [("1", "2"), ("2", "3", "PR_SS"), ("2", "4"), ("3", "5")]
    return write(tmp_path / f"broken{a_late}{x_late}{x_float_hours}.xer", rows, links, data_date="2027-01-11 00:00")


def test_a_stored_late_date_that_breaks_a_start_to_start_link_is_told_apart(tmp_path):
    # As the links give every task matches. With A's late dates on Friday 15 (past P's late start, Thursday 14
    # 08:00, through the start-to-start link) and X's float the day more that gives (24 h), X differs: the broken
    # link names A, and explains X through the link. The same float of X with every late date as the links give
    # is unexplained.
    assert parity(broken_file(tmp_path, "14", "13", "16")).table["match"].all()
    result = parity(broken_file(tmp_path, "15", "14", "24"))
    assert result.features[P6_BROKEN_LINK] == {"A"}
    assert result.mismatches()["cause"].to_dict() == {"X": f"{P6_BROKEN_LINK} (through links)"}
    assert parity(broken_file(tmp_path, "14", "13", "24")).mismatches()["cause"].to_dict() == {"X": UNEXPLAINED}
