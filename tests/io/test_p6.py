"""Primavera P6 (XER) with everything P6 schedules with: calendars, constraints, progress, the
data date, scheduling options, links, several projects, the stored schedule; and MPXJ's reading
of what pmsim writes."""

from __future__ import annotations

import datetime as dt
import warnings

import pandas as pd
import pytest

import pmsim as pm
from pmsim.calendar import CalendarException
from pmsim.io.xer import list_projects, read_xer, stored_schedule, write_xer

at = dt.datetime


def quietly(read, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PmsimWarning)
        return read(*args, **kw)


def every_feature_project(**changes) -> pm.Project:
    """A project using every field P6 schedules with, in the form P6 keeps (moments with times,
    calendars with their own ids)."""
    office = pm.Calendar(holidays=("2027-01-06", "2027-02-01", "2027-02-02"),
                         exceptions=[CalendarException("2027-01-09", hours="08:00-12:00"),  # a working Saturday
                                     CalendarException("2027-01-15", hours="08:00-12:00")],  # a short Friday
                         id="office", name="Office 5x8")
    # Ten working hours a day, eight to a day of duration: 40 h take four of its days, shown as 5 d.
    tens = pm.Calendar(workdays="Mon-Thu", hours="07:00-17:00", hours_per_day=8, id="tens", name="Four tens")
    clock = pm.Calendar(workdays="Mon-Sun", hours="00:00-24:00", hours_per_day=24, id="24h", name="Round the clock")
    night = pm.Calendar(workdays="Mon-Thu", hours="00:00-06:00; 22:00-24:00", week={"Fri": "00:00-06:00"},
                        hours_per_day=8, id="night", name="Night shift")
    tasks = [
        pm.Task("S", "Kick-off", milestone=True, constraint="MSO", constraint_date=at(2027, 1, 4, 8)),
        pm.Task("A", "Survey", duration=5, calendar="tens", constraint="SNET", constraint_date=at(2027, 1, 5, 7),
                secondary_constraint="FNLT", secondary_constraint_date=at(2027, 1, 20, 17),
                actual_start=at(2027, 1, 5, 7), actual_finish=at(2027, 1, 11, 17)),
        pm.Task("B", "Design", duration=4, resources={"analyst": 1}, actual_start=at(2027, 1, 12, 8),
                remaining_duration=1.5, percent_complete=60.0),
        pm.Task("C", "Night works", duration=3, calendar="night", constraint="FO", constraint_date=at(2027, 1, 29, 6)),
        # its own calendar, not its resource's
        pm.Task("D", "Curing", duration=2, calendar="24h", resources={"crane": 0.5}, constraint="SO",
                constraint_date=at(2027, 2, 3, 0)),
        pm.Task("E", "Welding", estimate=pm.BetaPert(4, 6, 10), resources={"welder": 1}, constraint="ALAP"),
        pm.Task("F", "Testing", duration=3, constraint="FNET", constraint_date=at(2027, 2, 26, 17),
                secondary_constraint="SNLT", secondary_constraint_date=at(2027, 3, 1, 8)),
        pm.Task("G", "Permits", duration=3, remaining_duration=2.0, phase="Admin"),
        pm.Task("H", "Handover", duration=1, constraint="MFO", constraint_date=at(2027, 3, 12, 17)),
        pm.Task("Z", "Complete", milestone=True, constraint="FNLT", constraint_date=at(2027, 3, 15, 17)),
    ]
    deps = [
        pm.Dependency("S", "A"),
        pm.Dependency("A", "B", "SS", 1), pm.Dependency("A", "B", "FF", 0.5),  # two links between one pair
        pm.Dependency("B", "C", "FS", -1), pm.Dependency("C", "D", "SF", 2), pm.Dependency("D", "E"),
        pm.Dependency("E", "F", "FF"), pm.Dependency("B", "G", "SS"), pm.Dependency("F", "H"),
        pm.Dependency("G", "H", "FS", 3), pm.Dependency("H", "Z"),
    ]
    resources = [pm.Resource("analyst", "Analyst", capacity=2, cost_per_day=640),
                 pm.Resource("crane", "Crane", cost_per_day=1200, calendar="night"),
                 pm.Resource("welder", "Welder", cost_per_day=400, calendar="tens")]
    p = pm.Project(name="Every feature", start="2027-01-04", tasks=tasks, dependencies=deps, resources=resources,
                   calendar=office, calendars=(tens, clock, night), deadline="2027-03-19",
                   status_date=at(2027, 1, 13, 17), must_finish_by=at(2027, 3, 31, 17), lag_calendar="successor",
                   total_float="smallest", progress_rule="progress_override", honor_constraints=False)
    return p.replace(**changes) if changes else p


def tables_of(path) -> dict[str, list[dict]]:
    out, fields, name = {}, None, None
    for line in path.read_bytes().decode("cp1252").splitlines():
        kind, _, rest = line.partition("\t")
        if kind == "%T":
            name = rest
            out[name] = []
        elif kind == "%F":
            fields = rest.split("\t")
        elif kind == "%R":
            out[name].append(dict(zip(fields, rest.split("\t"))))
    return out


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("changes", [
    {},
    # each of P6's lag-calendar rules, float types and progress rules
    {"lag_calendar": "predecessor", "total_float": "finish", "progress_rule": "retained_logic"},
    {"lag_calendar": "project", "total_float": "start"},
    {"lag_calendar": "24h"},
    # what P6 has no field for travels in pmsim's settings
    {"honor_constraints": True, "progress_rule": "ms_project", "deadline": None},
    # a calendar nothing uses yet, whose usual hours no day works
    {"calendars": every_feature_project().calendars + (
        pm.Calendar(workdays=(), week={"Sat": "09:00-13:00"}, id="spare", name=""),)},
])
def test_every_feature_round_trip(tmp_path, changes):
    p = every_feature_project(**changes)
    write_xer(p, tmp_path / "p.xer")
    q = quietly(read_xer, tmp_path / "p.xer", check_health=False)
    assert q == p


def test_what_the_file_holds(tmp_path):
    write_xer(every_feature_project(), tmp_path / "p.xer")
    t = tables_of(tmp_path / "p.xer")
    project = t["PROJECT"][0]
    assert (project["plan_start_date"], project["plan_end_date"], project["last_recalc_date"]) == \
        ("2027-01-04 08:00", "2027-03-31 17:00", "2027-01-13 17:00")
    options = t["SCHEDOPTIONS"][0]
    assert (options["sched_calendar_on_relationship_lag"], options["sched_float_type"],
            options["sched_retained_logic"], options["sched_progress_override"]) == \
        ("rcal_Successor", "FT_Min", "N", "Y")
    cal = {r["clndr_name"]: r for r in t["CALENDAR"]}
    assert (cal["Four tens"]["day_hr_cnt"], cal["Round the clock"]["day_hr_cnt"]) == ("8", "24")
    # Round the clock is 00:00 to 00:00; the night shift has two intervals; P6 day 1 is Sunday.
    assert "(0||2()((0||0(s|00:00|f|00:00)())))" in cal["Round the clock"]["clndr_data"]
    assert "(0||2()((0||0(s|00:00|f|06:00)())(0||1(s|22:00|f|00:00)())))" in cal["Night shift"]["clndr_data"]
    # 2027-01-09 (day 46396) works a morning; 2027-01-06 (46393) does not work.
    office = cal["Office 5x8"]["clndr_data"]
    assert "(d|46396)((0||0(s|08:00|f|12:00)()))" in office and "(d|46393)()" in office
    task = {r["task_code"]: r for r in t["TASK"]}
    assert (task["A"]["target_drtn_hr_cnt"], task["A"]["clndr_id"]) == ("40", cal["Four tens"]["clndr_id"])
    assert (task["A"]["cstr_type"], task["A"]["cstr_date"], task["A"]["cstr_type2"], task["A"]["cstr_date2"]) == \
        ("CS_MSOA", "2027-01-05 07:00", "CS_MEOB", "2027-01-20 17:00")
    assert [task[k]["cstr_type"] for k in "SCDEFHZ"] == \
        ["CS_MANDSTART", "CS_MEO", "CS_MSO", "CS_ALAP", "CS_MEOA", "CS_MANDFIN", "CS_MEOB"]
    assert (task["A"]["status_code"], task["A"]["act_start_date"], task["A"]["act_end_date"]) == \
        ("TK_Complete", "2027-01-05 07:00", "2027-01-11 17:00")
    assert (task["B"]["status_code"], task["B"]["remain_drtn_hr_cnt"], task["B"]["phys_complete_pct"]) == \
        ("TK_Active", "12", "60")
    by_id = {r["task_id"]: r["task_code"] for r in t["TASK"]}
    links = sorted((by_id[r["pred_task_id"]], by_id[r["task_id"]], r["pred_type"], r["lag_hr_cnt"])
                   for r in t["TASKPRED"])
    # Lags in hours of the successor's calendar (the rule): B's office day is 8 h, D's is 24 h.
    assert ("A", "B", "PR_FF", "4") in links and ("A", "B", "PR_SS", "8") in links
    assert ("C", "D", "PR_SF", "48") in links and ("B", "C", "PR_FS", "-8") in links
    rsrc = {r["rsrc_short_name"]: r for r in t["RSRC"]}
    assert rsrc["crane"]["clndr_id"] == cal["Night shift"]["clndr_id"]


def test_a_lag_calendar_of_its_own_is_written_with_a_warning(tmp_path):
    p = every_feature_project()
    p = p.replace(dependencies=[pm.Dependency("S", "A", lag=1, lag_calendar="24h"), *p.dependencies[1:]])
    with pytest.warns(pm.PmsimWarning, match=r"lag calendars of single links .*S -> A; the lag is written in hours "
                                              r"of its calendar; P6 counts it on the successor calendar"):
        write_xer(p, tmp_path / "p.xer")
    links = tables_of(tmp_path / "p.xer")["TASKPRED"]
    assert links[0]["lag_hr_cnt"] == "24"


def test_a_date_alone_is_the_start_or_end_of_that_days_work(tmp_path):
    p = every_feature_project()
    p = p.replace(status_date=dt.date(2027, 1, 13), must_finish_by=dt.date(2027, 3, 31),
                  tasks=[t.replace(constraint_date=dt.date(2027, 1, 29)) if t.id == "C" else
                         t.replace(actual_start=dt.date(2027, 1, 5), actual_finish=dt.date(2027, 1, 11))
                         if t.id == "A" else t for t in p.tasks])
    write_xer(p, tmp_path / "p.xer")
    t = tables_of(tmp_path / "p.xer")
    task = {r["task_code"]: r for r in t["TASK"]}
    # On the four-tens calendar A starts at 07:00 and ends at 17:00; C's Friday on the night shift ends at 06:00.
    assert (task["A"]["act_start_date"], task["A"]["act_end_date"]) == ("2027-01-05 07:00", "2027-01-11 17:00")
    assert task["C"]["cstr_date"] == "2027-01-29 06:00"
    assert (t["PROJECT"][0]["last_recalc_date"], t["PROJECT"][0]["plan_end_date"]) == \
        ("2027-01-13 17:00", "2027-03-31 17:00")


# --------------------------------------------------------------------------- reading P6's fields

WEEK = "".join(f"(0||{d}()(" + ("(0||0(s|08:00|f|12:00)())(0||1(s|13:00|f|17:00)())" if 2 <= d <= 6 else "") + "))"
               for d in range(1, 8))


def clndr(week=WEEK, exceptions=""):
    return f"(0||CalendarData()((0||DaysOfWeek()({week}))(0||VIEW(ShowTotal|Y)())(0||Exceptions()({exceptions}))))"


def xer(tables: dict) -> str:
    lines = ["ERMHDR\t20.12\t2027-01-01\tProject\tadmin\tAdmin\tdbxDatabaseNoName\tProject Management\tEUR"]
    for name, (fields, rows) in tables.items():
        lines += [f"%T\t{name}", "%F\t" + "\t".join(fields.split())] + ["%R\t" + "\t".join(r) for r in rows]
    return "\r\n".join(lines + ["%E"]) + "\r\n"


TASK_FIELDS = ("task_id proj_id clndr_id task_code task_name task_type status_code target_drtn_hr_cnt remain_drtn_hr_cnt "
               "act_start_date act_end_date cstr_type cstr_date cstr_type2 cstr_date2 complete_pct_type "
               "phys_complete_pct rsrc_id early_start_date early_end_date late_start_date late_end_date "
               "total_float_hr_cnt free_float_hr_cnt restart_date reend_date")


def task(num, code, *, cal="1", kind="TT_Task", status="TK_NotStart", hours="16", remain=None, **fields):
    values = dict(task_id=num, proj_id="7", clndr_id=cal, task_code=code, task_name=code, task_type=kind,
                  status_code=status, target_drtn_hr_cnt=hours, remain_drtn_hr_cnt=hours if remain is None else remain,
                  complete_pct_type="CP_Drtn")
    values.update(fields)
    return [values.get(f, "") for f in TASK_FIELDS.split()]


def p6_tables(**extra) -> dict:
    tables = {
        "PROJECT": ("proj_id proj_short_name clndr_id plan_start_date plan_end_date last_recalc_date export_flag",
                    [["7", "P7", "1", "2027-01-04 00:00", "2027-06-30 17:00", "2027-01-20 17:00", "Y"]]),
        "CALENDAR": ("clndr_id clndr_name clndr_type base_clndr_id day_hr_cnt proj_id clndr_data", [
            ["1", "Standard", "CA_Base", "", "8", "", clndr(exceptions="(0||0(d|46393)())")],
            # a ten-hour day counted as eight hours: the 25 % pitfall
            ["2", "Long days", "CA_Project", "", "8", "7", clndr(
                "".join(f"(0||{d}()(" + ("(0||0(s|07:00|f|17:00)())" if 2 <= d <= 6 else "") + "))"
                        for d in range(1, 8)))],
            # round the clock, written as 00:00 to 00:00
            ["3", "24 hours", "CA_Base", "", "24", "", clndr("".join(f"(0||{d}()((0||0(s|00:00|f|00:00)())))"
                                                                      for d in range(1, 8)))],
            # a resource calendar with no week of its own: its base's, with an extra holiday and a working Saturday
            ["4", "Crew", "CA_Rsrc", "1", "", "", "(0||CalendarData()((0||Exceptions()((0||0(d|46394)())"
                                                     "(0||1(d|46396)((0||0(s|08:00|f|12:00)())))))))"],
            ["5", "Unused", "CA_Base", "", "8", "", clndr("(0||1()())")],  # no working time, but unused
        ]),
        "SCHEDOPTIONS": ("proj_id sched_retained_logic sched_progress_override sched_calendar_on_relationship_lag "
                         "sched_float_type sched_use_expect_end_flag",
                         [["7", "Y", "N", "rcal_Predecessor", "FT_FF", "N"]]),
        "RSRC": ("rsrc_id rsrc_short_name rsrc_name clndr_id rsrc_type", [["31", "CREW", "Crew", "4", "RT_Labor"]]),
        "TASK": (TASK_FIELDS, [
            task("101", "A", cal="2", hours="40", status="TK_Complete", remain="0",
                 act_start_date="2027-01-04 07:00", act_end_date="2027-01-07 17:00",
                 early_start_date="2027-01-20 17:00", early_end_date="2027-01-20 17:00"),
            task("102", "B", hours="24", remain="16", status="TK_Active", act_start_date="2027-01-19 08:00",
                 cstr_type="CS_MSOA", cstr_date="2027-01-18 08:00", cstr_type2="CS_MEOB", cstr_date2="2027-02-05 17:00",
                 early_start_date="2027-01-21 08:00", early_end_date="2027-01-22 17:00", restart_date="2027-01-21 08:00",
                 total_float_hr_cnt="-12", free_float_hr_cnt="4"),
            task("103", "C", cal="3", hours="36", cstr_type="CS_ALAP"),
            task("104", "D", kind="TT_Rsrc", hours="16", rsrc_id="31"),
            task("105", "M", kind="TT_FinMile", hours="0", cstr_type="CS_MANDFIN", cstr_date="2027-03-01 17:00"),
        ]),
        "TASKRSRC": ("taskrsrc_id task_id proj_id rsrc_id target_qty_per_hr target_qty",
                     [["1", "104", "7", "31", "1", "16"]]),
        "TASKPRED": ("task_pred_id task_id pred_task_id proj_id pred_proj_id pred_type lag_hr_cnt", [
            ["1", "102", "101", "7", "7", "PR_SS", "20"], ["2", "102", "101", "7", "7", "PR_FF", "-10"],
            ["3", "103", "102", "7", "7", "PR_FS", "4"], ["4", "104", "103", "7", "7", "PR_FS", "12"],
            ["5", "105", "104", "7", "7", "PR_FS", "8"],
        ]),
    }
    tables.update(extra)
    return tables


def p6_file(tmp_path, change=None, name="p6.xer"):
    tables = p6_tables()
    if change:
        change(tables)
    path = tmp_path / name
    path.write_bytes(xer(tables).encode("cp1252"))
    return path


def set_field(table, row, field, value):
    def change(t):
        fields, rows = t[table]
        rows[row][fields.split().index(field)] = value
    return change


def test_calendars_from_p6(tmp_path):
    with pytest.warns(pm.PmsimWarning, match="resource-dependent activities scheduled on the calendar of their "
                                              r"resource: activity 'D' \(CREW\)"):
        p = read_xer(p6_file(tmp_path), check_health=False)
    assert p.calendar == pm.Calendar(holidays=("2027-01-06",), hours_per_day=8, id="Standard", name="Standard")
    long_days = p.calendar_named("Long days")
    assert (long_days.hours, long_days.hours_per_day) == (((420, 1020),), 8.0)
    assert p.calendar_named("24 hours") == pm.Calendar(workdays="Mon-Sun", hours="00:00-24:00", hours_per_day=24,
                                                       id="24 hours", name="24 hours")
    # The crew's calendar takes its base's week and holidays, adds its own, and a working Saturday morning.
    crew = p.calendar_named("Crew")
    assert crew.holidays == (dt.date(2027, 1, 6), dt.date(2027, 1, 7)) and crew.hours_per_day == 8
    assert crew.exceptions == (CalendarException("2027-01-09", hours="08:00-12:00"),)
    assert p.resource("CREW").calendar == "Crew"
    # Durations are hours over the day of the calendar each activity is scheduled on.
    # D is resource dependent: it works on its resource's calendar.
    assert [(t.id, t.calendar, t.planned_duration) for t in p.tasks] == [
        ("A", "Long days", 5.0), ("B", None, 3.0), ("C", "24 hours", 1.5), ("D", "Crew", 2.0), ("M", None, 0.0)]
    assert "Unused" not in [c.id for c in p.calendars]


def test_constraints_progress_and_options(tmp_path):
    p = quietly(read_xer, p6_file(tmp_path), check_health=False)
    assert (p.status_date, p.must_finish_by, p.deadline) == (at(2027, 1, 20, 17), at(2027, 6, 30, 17),
                                                             dt.date(2027, 6, 30))
    assert (p.lag_calendar, p.total_float, p.progress_rule, p.honor_constraints) == \
        ("predecessor", "finish", "retained_logic", False)
    b = p.task("B")
    assert (b.constraint, b.constraint_date, b.secondary_constraint, b.secondary_constraint_date) == \
        ("SNET", at(2027, 1, 18, 8), "FNLT", at(2027, 2, 5, 17))
    assert (b.actual_start, b.remaining_duration, b.percent_complete) == (at(2027, 1, 19, 8), 2.0, 100 / 3)
    assert (p.task("C").constraint, p.task("C").constraint_date) == ("ALAP", None)
    assert (p.task("M").constraint, p.task("M").constraint_date) == ("MFO", at(2027, 3, 1, 17))
    a = p.task("A")
    assert (a.actual_start, a.actual_finish) == (at(2027, 1, 4, 7), at(2027, 1, 7, 17))


def test_both_links_of_a_pair_and_lags_on_the_rule_calendar(tmp_path):
    p = quietly(read_xer, p6_file(tmp_path), check_health=False)
    # Predecessor rule: A's ten-hour calendar counts 8 h a day, so 20 h = 2.5 d; C (24 h) 12 h = 0.5 d.
    # D works on its crew's calendar, but P6 counts its lag on D's activity calendar, which the link names.
    assert set(p.dependencies) == {
        pm.Dependency("A", "B", "SS", 2.5), pm.Dependency("A", "B", "FF", -1.25), pm.Dependency("B", "C", "FS", 0.5),
        pm.Dependency("C", "D", "FS", 0.5), pm.Dependency("D", "M", "FS", 1.0, lag_calendar="Standard"),
    }


@pytest.mark.parametrize("rule, lags", [
    ("rcal_Successor", {("A", "B", "SS"): 2.5, ("B", "C", "FS"): 4 / 24, ("C", "D", "FS"): 1.5}),
    ("rcal_ProjDefault", {("A", "B", "SS"): 2.5, ("B", "C", "FS"): 0.5, ("C", "D", "FS"): 1.5}),
    ("rcal_24Hour", {("A", "B", "SS"): 20 / 24, ("B", "C", "FS"): 4 / 24, ("C", "D", "FS"): 0.5}),
])
def test_the_lag_calendar_rule(tmp_path, rule, lags):
    p = quietly(read_xer, p6_file(tmp_path, set_field("SCHEDOPTIONS", 0, "sched_calendar_on_relationship_lag", rule)),
                check_health=False)
    got = {(d.predecessor, d.successor, d.type): d.lag for d in p.dependencies}
    for key, lag in lags.items():
        assert got[key] == pytest.approx(lag)
    assert p.lag_calendar == {"rcal_Successor": "successor", "rcal_ProjDefault": "project", "rcal_24Hour": "24h"}[rule]


def test_a_resource_dependent_lag_counts_on_the_activity_calendar(tmp_path):
    # Successor rule: D follows its crew's calendar, but P6 counts the lag on D's activity calendar.
    p = quietly(read_xer, p6_file(tmp_path, lambda t: (
        set_field("SCHEDOPTIONS", 0, "sched_calendar_on_relationship_lag", "rcal_Successor")(t),
        set_field("TASK", 3, "clndr_id", "2")(t))), check_health=False)
    (link,) = [d for d in p.dependencies if d.successor == "D"]
    assert (link.lag, link.lag_calendar) == (1.5, "Long days")


@pytest.mark.parametrize("flags, rule", [
    (("N", "Y"), "progress_override"),
    (("Y", "N"), "retained_logic"),
    (("N", "N"), "retained_logic"),  # P6's "actual dates": read as retained logic, with a warning
])
def test_the_progress_rule(tmp_path, flags, rule):
    def change(t):
        set_field("SCHEDOPTIONS", 0, "sched_retained_logic", flags[0])(t)
        set_field("SCHEDOPTIONS", 0, "sched_progress_override", flags[1])(t)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        p = read_xer(p6_file(tmp_path, change), check_health=False)
    assert p.progress_rule == rule
    assert any("'actual dates' rule" in str(w.message) for w in caught) == (flags == ("N", "N"))


@pytest.mark.parametrize("code, total_float", [("FT_FF", "finish"), ("FT_SS", "start"), ("FT_Min", "smallest")])
def test_the_float_type(tmp_path, code, total_float):
    p = quietly(read_xer, p6_file(tmp_path, set_field("SCHEDOPTIONS", 0, "sched_float_type", code)),
                check_health=False)
    assert p.total_float == total_float


def test_without_schedule_options_p6s_defaults_apply(tmp_path):
    p = quietly(read_xer, p6_file(tmp_path, lambda t: t.pop("SCHEDOPTIONS")), check_health=False)
    assert (p.lag_calendar, p.total_float, p.progress_rule) == ("predecessor", "finish", "retained_logic")


@pytest.mark.filterwarnings("ignore:.*resource-dependent activities scheduled on the calendar of their resource")
def test_a_must_finish_by_date_before_the_start_is_dropped_with_a_warning(tmp_path):
    with pytest.warns(pm.PmsimWarning, match=r"a must-finish-by date before the project start \(left out\)"):
        p = read_xer(p6_file(tmp_path, set_field("PROJECT", 0, "plan_end_date", "1999-12-31 17:00")),
                     check_health=False)
    assert p.must_finish_by is None and p.deadline is None


@pytest.mark.filterwarnings("ignore:.*resource-dependent activities scheduled on the calendar of their resource")
def test_actual_dates_after_the_data_date_move_to_it_with_a_warning(tmp_path):
    with pytest.warns(pm.PmsimWarning, match=r"actual dates after the data date .*: activity 'B'"):
        p = read_xer(p6_file(tmp_path, set_field("TASK", 1, "act_start_date", "2027-01-25 08:00")),
                     check_health=False)
    assert p.task("B").actual_start == p.status_date == at(2027, 1, 20, 17)


# --------------------------------------------------------------------------- several projects


def two_projects(t):
    fields, rows = t["PROJECT"]
    rows.insert(0, ["8", "EMPTY", "1", "2027-01-04 00:00", "", "2027-01-04 00:00", "Y"])
    rows.append(["9", "OTHER", "1", "2027-02-01 00:00", "", "2027-02-01 00:00", "N"])
    t["TASK"][1].append(task("901", "X1", proj_id="9"))
    t["TASKPRED"][1].append(["9", "901", "105", "9", "7", "PR_FS", "0"])  # OTHER's X1 follows P7's M


def test_list_projects(tmp_path):
    path = p6_file(tmp_path, two_projects)
    frame = list_projects(path)
    assert frame[["project", "proj_id", "activities", "exported"]].values.tolist() == [
        ["EMPTY", "8", 0, True], ["P7", "7", 5, True], ["OTHER", "9", 1, False]]
    assert frame["data_date"].tolist()[1] == pd.Timestamp("2027-01-20 17:00")
    pd.testing.assert_frame_equal(pm.io.list_projects(path), frame)


@pytest.mark.filterwarnings("ignore:.*resource-dependent activities scheduled on the calendar of their resource")
@pytest.mark.filterwarnings("ignore:.*links to other projects")
def test_the_exported_project_with_activities_is_read_by_default(tmp_path):
    with pytest.warns(pm.PmsimWarning, match=r"several projects in one file: read 'P7' \(5 activities\), the "
                                              r"exported project with activities; not read: 'EMPTY' \(empty\), "
                                              r"'OTHER' \(1 activities\)"):
        p = read_xer(p6_file(tmp_path, two_projects), check_health=False)
    assert p.task_ids == ("A", "B", "C", "D", "M")


@pytest.mark.parametrize("key", ["OTHER", "9"])
def test_project_picks_one_by_id_or_number(tmp_path, key):
    with pytest.warns(pm.PmsimWarning, match=r"links to other projects \(left out\).*X1 <- M"):
        p = pm.read_project(p6_file(tmp_path, two_projects), project=key, check_health=False)
    assert p.task_ids == ("X1",) and p.status_date is None  # its data date is its start


@pytest.mark.parametrize("key, message", [
    ("NOPE", r"no project 'NOPE' in the file; it holds 'EMPTY' \(empty\), 'P7' \(5 activities\), 'OTHER'"),
    ("EMPTY", r"project 'EMPTY' has no activities"),
])
def test_an_unknown_or_empty_project_is_refused(tmp_path, key, message):
    with pytest.raises(pm.FileFormatError, match=message):
        read_xer(p6_file(tmp_path, two_projects), project=key)


def test_project_is_refused_for_formats_with_one_project(tmp_path):
    with pytest.raises(pm.FileFormatError, match="picks one project of an XER or P6 XML file"):
        pm.read_project(pm.data_path("textbook"), project="X")


# --------------------------------------------------------------------------- the stored schedule


def test_stored_schedule(tmp_path):
    frame = stored_schedule(p6_file(tmp_path))
    assert list(frame.index) == ["A", "B", "C", "D", "M"]
    b = frame.loc["B"]
    assert (b["early_start"], b["early_finish"], b["restart"], b["start"], b["actual_start"]) == (
        pd.Timestamp("2027-01-21 08:00"), pd.Timestamp("2027-01-22 17:00"), pd.Timestamp("2027-01-21 08:00"),
        pd.Timestamp("2027-01-19 08:00"), pd.Timestamp("2027-01-19 08:00"))
    assert (b["total_float"], b["free_float"], b["status"]) == (-1.5, 0.5, "in progress")  # hours / 8
    a = frame.loc["A"]
    assert (a["status"], a["finish"], a["early_start"]) == ("complete", pd.Timestamp("2027-01-07 17:00"),
                                                            pd.Timestamp("2027-01-20 17:00"))
    assert pd.isna(a["total_float"]) and pd.isna(frame.loc["C", "late_start"])
    assert frame.loc["C", "status"] == "not started"


def test_stored_schedule_of_what_pmsim_writes_matches_its_cpm(tmp_path):
    p = pm.read_project(pm.data_path("textbook"))
    pm.write_project(p, tmp_path / "t.xer")
    frame = stored_schedule(tmp_path / "t.xer")
    table = pm.cpm(p).table
    assert list(frame.index) == list(p.task_ids)
    assert frame["total_float"].tolist() == pytest.approx(table["total_float"].tolist())


# --------------------------------------------------------------------------- bad input


def raw(transform):
    """Spoil the bytes of the good file (rather than its tables)."""
    def spoil(path):
        path.write_bytes(transform(path.read_bytes()))
    spoil.on_bytes = True
    return spoil


def shutdown(t):
    # Standard: every day from the start to the must-finish-by date an exception without working time.
    first = (dt.date(2027, 1, 4) - dt.date(1899, 12, 30)).days
    days = "".join(f"(0||{k}(d|{first + k})())" for k in range(0, 190))
    set_field("CALENDAR", 0, "clndr_data", clndr(exceptions=days))(t)


# One row per kind of bad input: how to spoil the good file, the error, what the message must say.
BAD = [
    # fields separated by commas (a spreadsheet's save)
    (raw(lambda b: b.replace(b"\t", b",")), pm.FileFormatError,
     r"line 1: the fields are separated by commas, not tabs \(found 'ERMHDR,20.12"),
    # UTF-16 with a byte-order mark
    (raw(lambda b: b.decode("cp1252").encode("utf-16")), pm.FileFormatError,
     r"UTF-16 text \(found a UTF-16 byte-order mark\)"),
    # UTF-16 without one
    (raw(lambda b: b.decode("cp1252").encode("utf-16-le")), pm.FileFormatError,
     r"UTF-16 text \(found zero bytes between the characters\)"),
    # a calendar in use with no working time
    (set_field("CALENDAR", 0, "clndr_data", clndr("(0||1()())(0||2()())")), pm.FileFormatError,
     r"calendar 'Standard'\): no working time: no weekday has working hours"),
    # exceptions that remove all the working time of the project's span
    (shutdown, pm.FileFormatError,
     r"calendar 'Standard'\): no working time from 2027-01-04 to 2027-06-30: its exceptions remove all of it"),
    # an actual finish before the actual start
    (set_field("TASK", 0, "act_end_date", "2027-01-03 17:00"), pm.FileFormatError,
     r"activity 'A'\): act_end_date 2027-01-03 17:00:00 is before act_start_date 2027-01-04 07:00:00"),
    # a finished activity with work remaining
    (set_field("TASK", 0, "remain_drtn_hr_cnt", "8"), pm.FileFormatError,
     r"activity 'A'\): has an act_end_date \(2027-01-07 17:00:00\) but remain_drtn_hr_cnt 8 h; a finished activity "
     r"has no remaining duration"),
    # an actual finish without an actual start
    (set_field("TASK", 0, "act_start_date", ""), pm.ValidationError,
     r"TASK line \d+ \(activity 'A'\): Task 'A': has an actual_finish but no actual_start"),
    # the data date before the planned start
    (set_field("PROJECT", 0, "last_recalc_date", "2026-12-31 17:00"), pm.FileFormatError,
     r"PROJECT line \d+: last_recalc_date \(the data date\) 2026-12-31 17:00 is before the project's planned start "
     r"2027-01-04"),
    # a constraint code P6 does not have
    (set_field("TASK", 1, "cstr_type", "CS_SOON"), pm.FileFormatError, r"cstr_type must be one of CS_MSO, .*'CS_SOON'"),
    # a lag calendar rule P6 does not have
    (set_field("SCHEDOPTIONS", 0, "sched_calendar_on_relationship_lag", "rcal_Moon"), pm.FileFormatError,
     r"sched_calendar_on_relationship_lag must be one of rcal_Predecessor, .*'rcal_Moon'"),
    # a mandatory start before the project start on an activity still to do
    (lambda t: (set_field("TASK", 2, "cstr_type", "CS_MANDSTART")(t),
                set_field("TASK", 2, "cstr_date", "2026-12-01 08:00")(t)), pm.ValidationError,
     r"Task 'C': constraint MSO on 2026-12-01 08:00:00 is before the project start 2027-01-04"),
]


@pytest.mark.parametrize("spoil, error, message", BAD)
def test_bad_input_is_refused_naming_file_place_and_rule(tmp_path, spoil, error, message):
    if getattr(spoil, "on_bytes", False):
        path = p6_file(tmp_path)
        spoil(path)
    else:
        path = p6_file(tmp_path, spoil)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PmsimWarning)
        with pytest.raises(error, match=message) as info:
            pm.read_project(path)
    assert "p6.xer" in str(info.value)
