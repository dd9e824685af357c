"""P6's total float of as-late-as-possible activities, read from small XER files written here.

P6 stores, for some ALAP activities of real files (SP10 - COST LOADED.xer: 43), a total float that their own
stored early and late dates contradict (24 of them 39-40 hours more than the stored late minus early finish);
:data:`pmsim.parity.P6_ALAP_FLOAT` names that cause, for the activity only. Calendar "5-day" works Monday to
Friday 08:00-12:00 and 13:00-17:00, 8 hours a day.
"""

from __future__ import annotations

from pmsim.parity import P6_ALAP_FLOAT, UNEXPLAINED, parity
from small_xer import task, write

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
