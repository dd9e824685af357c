"""Primavera P6 XER: round trips, the encoding of each field, files from P6, bad input."""

from __future__ import annotations

import datetime as dt
import re
import warnings

import pandas as pd
import pytest

import pmsim as pm
from support import rich_exchange_project as rich_project
from pmsim.io.xer import read_xer, write_xer


def read_quietly(path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing but what the test expects
        return read_xer(path, check_health=False, **kw)


def tables_of(path) -> dict[str, list[dict]]:
    """The tables of an XER file as lists of dicts (a reader independent of pmsim's)."""
    data = path.read_bytes()
    text = data[3:].decode("utf-8") if data.startswith(b"\xef\xbb\xbf") else data.decode("cp1252")
    out, fields, name = {}, None, None
    for line in text.splitlines():
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


def test_rich_project_round_trip(tmp_path):
    p = rich_project()
    write_xer(p, tmp_path / "rich.xer")
    assert read_quietly(tmp_path / "rich.xer") == p


@pytest.mark.parametrize("name", pm.sample_projects())
def test_sample_project_round_trip(tmp_path, name):
    p = pm.read_project(pm.data_path(name))
    pm.write_project(p, tmp_path / f"{name}.xer")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PmsimWarning)  # the health check's findings
        assert pm.read_project(tmp_path / f"{name}.xer") == p


def test_progress_round_trip(tmp_path):
    p = rich_project()
    progress = pd.DataFrame({
        "id": ["A1", "A2", "K0"],
        "percent_complete": [100.0, 42.5, 100.0],
        "remaining_duration": [0.0, 2.5, 0.0],
        "actual_cost": [3900.0, 1234.56, 0.0],
        "actual_start": pd.to_datetime(["2027-01-03", "2027-01-05", "2027-01-03"]),
        "actual_finish": pd.to_datetime(["2027-01-05", None, "2027-01-03"]),
        "status_date": pd.to_datetime(["2027-01-07"] * 3),
    })
    write_xer(p, tmp_path / "p.xer", progress=progress)
    q, back = read_quietly(tmp_path / "p.xer", with_progress=True)
    # The progress is now the tasks' own; a date alone is written as the start (or end) of that day's work.
    at = dt.datetime
    expected = p.replace(status_date=at(2027, 1, 7, 17), tasks=[
        t.replace(**{
            "A1": dict(actual_start=at(2027, 1, 3, 8), actual_finish=at(2027, 1, 5, 17)),
            "A2": dict(actual_start=at(2027, 1, 5, 8), percent_complete=42.5, remaining_duration=2.5),
            "K0": dict(actual_start=at(2027, 1, 3, 8), actual_finish=at(2027, 1, 3, 17)),
        }.get(t.id, {})) for t in p.tasks])
    assert q == expected
    expected = progress.drop(columns="status_date").sort_values("id").reset_index(drop=True)
    pd.testing.assert_frame_equal(back.sort_values("id").reset_index(drop=True), expected, check_dtype=False)
    # The data date is the end of the status date's work (the earned-value convention).
    assert tables_of(tmp_path / "p.xer")["PROJECT"][0]["last_recalc_date"] == "2027-01-07 17:00"


def test_text_outside_cp1252_is_written_as_utf8(tmp_path):
    p = pm.Project(name="Plan → go-live", start="2027-01-04", tasks=[pm.Task("A", "Schritt ① prüfen", duration=2)])
    write_xer(p, tmp_path / "u.xer")
    assert (tmp_path / "u.xer").read_bytes().startswith(b"\xef\xbb\xbfERMHDR")
    q = read_quietly(tmp_path / "u.xer")
    assert (q.name, q.tasks[0].name) == ("Plan → go-live", "Schritt ① prüfen")


def test_tabs_and_line_breaks_in_names_are_replaced_with_a_warning(tmp_path):
    p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", "two\tcolumns\nand lines", duration=2)])
    with pytest.warns(pm.PmsimWarning, match=r"tabs and line breaks .*TASK.task_name"):
        write_xer(p, tmp_path / "t.xer")
    assert read_quietly(tmp_path / "t.xer").tasks[0].name == "two columns and lines"


def test_an_original_duration_edited_in_p6_is_repaired_with_a_warning(tmp_path):
    write_xer(rich_project(), tmp_path / "w.xer")
    text = (tmp_path / "w.xer").read_bytes().decode("cp1252")
    lines = text.split("\r\n")
    fields = next(line for line in lines if line.startswith("%F\ttask_id\t")).split("\t")
    for k, line in enumerate(lines):
        cells = line.split("\t")
        if cells[0] == "%R" and len(cells) == len(fields) and cells[fields.index("task_code")] == "A2":
            cells[fields.index("target_drtn_hr_cnt")] = "40"  # Triangular(2, 4, 9): 4 days written as 32 h
            lines[k] = "\t".join(cells)
    (tmp_path / "w.xer").write_bytes("\r\n".join(lines).encode("cp1252"))
    with pytest.warns(pm.PmsimWarning, match=r"edited pmsim estimates .*'A2': Original Duration \(5 days\) differs "
                                              r"from the most likely estimate \(4\); the estimate is used"):
        p = read_xer(tmp_path / "w.xer", check_health=False)
    assert p.task("A2").estimate == pm.Triangular(2, 4, 9)


# --------------------------------------------------------------------------- what the file holds


def test_fields_written(tmp_path):
    write_xer(rich_project(), tmp_path / "w.xer")
    t = tables_of(tmp_path / "w.xer")
    assert list(t) == ["CURRTYPE", "PROJECT", "SCHEDOPTIONS", "CALENDAR", "PROJWBS", "RSRC", "RSRCRATE", "TASK",
                       "TASKPRED", "TASKRSRC", "PROJCOST", "UDFTYPE", "UDFVALUE"]
    task = {r["task_code"]: r for r in t["TASK"]}
    assert task["A1"]["target_drtn_hr_cnt"] == "20"  # 2.5 days of 8 hours
    assert task["K0"]["task_type"] == "TT_FinMile" and task["A2"]["task_type"] == "TT_Task"
    by_id = {r["task_id"]: r["task_code"] for r in t["TASK"]}
    links = {(by_id[r["pred_task_id"]], by_id[r["task_id"]]): (r["pred_type"], r["lag_hr_cnt"]) for r in t["TASKPRED"]}
    assert links[("A1", "A2")] == ("PR_SS", "16")
    assert links[("A1", "A3")] == ("PR_FS", "-8")
    assert links[("A3", "B3")] == ("PR_SS", "10")
    wbs = {r["wbs_id"]: r for r in t["PROJWBS"]}
    assert wbs[task["A2"]["wbs_id"]]["wbs_name"] == "Design"
    root = [r for r in t["PROJWBS"] if r["proj_node_flag"] == "Y"]
    assert len(root) == 1 and root[0]["wbs_name"] == "Rich fixture: ERP & CRM"
    # P6's must-finish-by date is pmsim's must_finish_by (none here); the deadline travels in pmsim's settings.
    assert t["PROJECT"][0]["plan_end_date"] == ""
    rates = {r["rsrc_id"]: r for r in t["RSRCRATE"]}
    dev = next(r for r in t["RSRC"] if r["rsrc_short_name"] == "dev")
    assert (rates[dev["rsrc_id"]]["max_qty_per_hr"], rates[dev["rsrc_id"]]["cost_per_qty"]) == ("3", "80")
    cal = t["CALENDAR"][0]["clndr_data"]
    # 2027-01-06 is day 46393 counted from 1899-12-30; Sunday (1) works, Friday (6) and Saturday (7) do not.
    assert "(d|46393)" in cal and "(0||1()((0||0(s|08:00" in cal and "(0||6()())" in cal and "(0||7()())" in cal
    labels = {r["udf_type_id"]: r["udf_type_label"] for r in t["UDFTYPE"]}
    values = {(labels[r["udf_type_id"]], by_id.get(r["fk_id"]) if labels[r["udf_type_id"]] not in
               ("pmsim budget", "pmsim risks", "pmsim description", "pmsim settings") else "project"): r
              for r in t["UDFVALUE"]}
    assert values[("pmsim optimistic", "A2")]["udf_number"] == "2"
    assert values[("pmsim distribution", "A2")]["udf_text"] == "triangular"
    assert values[("pmsim budget", "project")]["udf_number"] == "250000"
    assert '"deadline":"2027-06-30"' in values[("pmsim settings", "project")]["udf_text"]
    # A name that starts with a quote is quoted, as MPXJ's reader expects.
    assert task["G1"]["task_name"] == '"""Go-live"" gate"'


# --------------------------------------------------------------------------- files from P6

WEEK_8 = "".join(
    f"(0||{d}()(" + ("(0||0(s|8:00 AM|f|12:00 PM)())(0||1(s|1:00 PM|f|5:00 PM)())" if 2 <= d <= 6 else "") + "))"
    for d in range(1, 8)
)
WEEK_10 = "".join(f"(0||{d}()(" + ("(0||0(s|07:00|f|17:00)())" if 2 <= d <= 5 else "") + "))" for d in range(1, 8))


def calendar_data(week, exceptions=""):
    return f"(0||CalendarData()((0||DaysOfWeek()({week}))(0||VIEW(ShowTotal|Y)())(0||Exceptions()({exceptions}))))"


def p6_tables() -> dict:
    """A small P6 export, written by hand: name -> (fields, rows)."""
    return {
        "CURRTYPE": ("curr_id curr_short_name base_exch_rate", [["1", "GBP", "1"]]),
        "PROJECT": ("proj_id proj_short_name clndr_id plan_start_date plan_end_date export_flag last_recalc_date",
                    [["7", "FOR-1", "11", "2027-01-04 08:00", "2027-03-31 17:00", "Y", "2027-01-12 17:00"]]),
        "CALENDAR": ("clndr_id default_flag clndr_name proj_id base_clndr_id clndr_type day_hr_cnt clndr_data", [
            ["11", "Y", "Standard 5x8", "", "", "CA_Base", "8",
             calendar_data(WEEK_8, "(0||0(d|46393)())\x7f\x7f(0||1(d|46394)())")],
            ["12", "N", "Four tens", "7", "", "CA_Project", "10", calendar_data(WEEK_10)],
        ]),
        "PROJWBS": ("wbs_id proj_id proj_node_flag wbs_short_name wbs_name parent_wbs_id orig_cost", [
            ["100", "7", "Y", "FOR-1", "Foreign P6 plan", "", "50000"],
            ["101", "7", "N", "DES", "Design", "100", "0"],
            ["102", "7", "N", "BLD", "Build", "100", "0"],
        ]),
        "RSRC": ("rsrc_id rsrc_name rsrc_short_name rsrc_type", [
            ["21", "Analyst", "AN", "RT_Labor"], ["22", "Crane", "CR", "RT_Equip"]]),
        "RSRCRATE": ("rsrc_rate_id rsrc_id max_qty_per_hr cost_per_qty start_date",
                     [["1", "21", "2", "75", "2020-01-01 00:00"]]),
        "TASK": ("task_id proj_id wbs_id clndr_id task_code task_name task_type status_code target_drtn_hr_cnt "
                 "remain_drtn_hr_cnt complete_pct_type phys_complete_pct act_start_date act_end_date cstr_type "
                 "cstr_date expect_end_date suspend_date", [
                     ["1001", "7", "101", "11", "A1000", "Spec", "TT_Task", "TK_Complete", "40", "0", "CP_Drtn", "",
                      "2027-01-04 08:00", "2027-01-08 17:00", "", "", "", ""],
                     ["1002", "7", "102", "11", "A1010", "API", "TT_Task", "TK_Active", "20", "8", "CP_Phys", "60",
                      "2027-01-11 08:00", "", "", "", "", ""],
                     ["1003", "7", "102", "", "A1020", "Review", "TT_Rsrc", "TK_NotStart", "8", "8", "CP_Drtn", "",
                      "", "", "", "", "", ""],
                     ["1004", "7", "100", "11", "A1030", "Sign-off", "TT_FinMile", "TK_NotStart", "0", "0", "CP_Drtn",
                      "", "", "", "", "", "", ""],
                 ]),
        "TASKPRED": ("task_pred_id task_id pred_task_id proj_id pred_proj_id pred_type lag_hr_cnt", [
            ["1", "1002", "1001", "7", "7", "PR_FS", "8"],
            ["2", "1003", "1002", "7", "7", "PR_SS", "-4"],
            ["3", "1004", "1003", "7", "7", "PR_FF", "0"],
            ["4", "1004", "1001", "7", "7", "PR_SF", "16"],
        ]),
        "TASKRSRC": ("taskrsrc_id task_id proj_id rsrc_id role_id target_qty_per_hr target_cost act_reg_cost act_ot_cost", [
            ["1", "1001", "7", "21", "", "1.5", "4500", "4500", "0"],
            ["2", "1002", "7", "22", "", "1", "0", "300", "0"],
        ]),
        "PROJCOST": ("cost_item_id proj_id task_id cost_name target_cost act_cost", [["1", "7", "1001", "Licence", "1500", "1500"]]),
    }


def xer_text(tables: dict, end: bool = True) -> str:
    lines = ["ERMHDR\t19.12\t2027-01-01\tProject\tadmin\tAdmin\tdbxDatabaseNoName\tProject Management\tGBP"]
    for name, (fields, rows) in tables.items():
        lines += [f"%T\t{name}", "%F\t" + "\t".join(fields.split())]
        lines += ["%R\t" + "\t".join(row) for row in rows]
    if end:
        lines.append("%E")
    return "\r\n".join(lines) + "\r\n"


def p6_file(tmp_path, change=None, end=True):
    tables = p6_tables()
    if change:
        change(tables)
    path = tmp_path / "p6.xer"
    path.write_bytes(xer_text(tables, end).encode("cp1252"))
    return path


def test_file_from_p6(tmp_path):
    p, progress = read_quietly(p6_file(tmp_path), with_progress=True)
    assert (p.name, p.start, p.deadline, p.currency, p.budget) == \
        ("Foreign P6 plan", dt.date(2027, 1, 4), dt.date(2027, 3, 31), "GBP", 50000.0)
    # P6's must-finish-by date, data date and (default) scheduling options; logic wins over constraints.
    assert (p.must_finish_by, p.status_date) == (dt.datetime(2027, 3, 31, 17), dt.datetime(2027, 1, 12, 17))
    assert (p.lag_calendar, p.total_float, p.progress_rule, p.honor_constraints) == \
        ("predecessor", "finish", "retained_logic", False)
    assert [(t.id, t.name, t.phase, t.estimate, t.milestone) for t in p.tasks] == [
        ("A1000", "Spec", "Design", pm.Fixed(5.0), False),
        ("A1010", "API", "Build", pm.Fixed(2.5), False),
        ("A1020", "Review", "Build", pm.Fixed(1.0), False),
        ("A1030", "Sign-off", "", pm.Fixed(0.0), True),  # directly under the project node: no phase
    ]
    assert p.task("A1000").demand == {"AN": 1.5} and p.task("A1000").fixed_cost == 1500.0
    assert p.task("A1010").demand == {"CR": 1.0}
    # The progress is the tasks' own: actual dates (with their times), remaining days, percent complete.
    spec, api = p.task("A1000"), p.task("A1010")
    assert (spec.actual_start, spec.actual_finish, spec.remaining_duration, spec.percent_complete) == \
        (dt.datetime(2027, 1, 4, 8), dt.datetime(2027, 1, 8, 17), None, None)  # finished says it all
    assert (api.actual_start, api.actual_finish, api.remaining_duration, api.percent_complete) == \
        (dt.datetime(2027, 1, 11, 8), None, 1.0, 60.0)
    assert set(p.dependencies) == {
        pm.Dependency("A1000", "A1010", "FS", 1), pm.Dependency("A1010", "A1020", "SS", -0.5),
        pm.Dependency("A1020", "A1030", "FF", 0), pm.Dependency("A1000", "A1030", "SF", 2),
    }
    assert p.resources == (pm.Resource("AN", "Analyst", capacity=2, cost_per_day=600),
                           pm.Resource("CR", "Crane", capacity=1, cost_per_day=0))
    assert p.calendar == pm.Calendar(holidays=("2027-01-06", "2027-01-07"), hours_per_day=8, id="Standard 5x8",
                                     name="Standard 5x8")
    assert p.calendars == () and all(t.calendar is None for t in p.tasks)  # all on the project calendar
    rows = progress.set_index("id")
    assert rows.loc["A1000", ["percent_complete", "remaining_duration", "actual_cost"]].tolist() == [100, 0, 6000]
    assert rows.loc["A1010", ["percent_complete", "remaining_duration", "actual_cost"]].tolist() == [60, 1, 300]
    assert rows.loc["A1000", "actual_finish"] == pd.Timestamp("2027-01-08")
    assert len(progress) == 2


def test_file_without_wbs_is_valid(tmp_path):
    p = read_quietly(p6_file(tmp_path, lambda t: t.pop("PROJWBS")))
    assert [t.phase for t in p.tasks] == ["", "", "", ""]
    assert p.name == "FOR-1" and p.budget is None


def test_without_a_planned_start_the_project_starts_with_its_first_activity(tmp_path):
    def two_projects(t):
        t["PROJECT"][1][0][3] = ""  # no plan_start_date
        add_rows("PROJECT", "proj_id proj_short_name clndr_id plan_start_date plan_end_date export_flag last_recalc_date",
                 ["8", "OTHER", "11", "2026-06-01 08:00", "", "N", ""])(t)
        fields, rows = t["TASK"]
        t["TASK"] = (fields + " target_start_date", [row + [""] for row in rows])
        t["TASK"][1][0][-1] = "2027-01-05 08:00"
        other = ["2001", "8", "", "11", "Z1", "Elsewhere", "TT_Task", "TK_NotStart", "8", "8", "CP_Drtn"]
        t["TASK"][1].append(other + [""] * 6 + ["2026-06-01 08:00"])
    with pytest.warns(pm.PmsimWarning, match="several projects in one file"):
        p = read_xer(p6_file(tmp_path, two_projects), check_health=False)
    assert p.start == dt.date(2027, 1, 5) and "Z1" not in p.task_ids


@pytest.mark.parametrize("codes, ids, renamed", [
    # two activities with one Activity ID: the second gets its task_id after a '#', with a warning
    (["A1000", "A1000"], ["A1000", "A1000#1002"], r"TASK line \d+: 'A1000' -> 'A1000#1002'"),
    # ';' separates ids in pmsim's tables, so it becomes ','; blanks around an id go
    (["Spec; v2", " A1010 "], ["Spec, v2", "A1010"], None),
    # a blank Activity ID: the task_id stands in
    (["A1000", "  "], ["A1000", "1002"], None),
])
def test_activity_ids_are_made_usable_and_unique(tmp_path, codes, ids, renamed):
    def recode(t):
        for k, code in enumerate(codes):
            task_field("task_code", code, k)(t)
    path = p6_file(tmp_path, recode)
    if renamed is None:
        p = read_quietly(path)
    else:
        with pytest.warns(pm.PmsimWarning, match=r"activities with the same activity ID .*" + renamed):
            p = read_xer(path, check_health=False)
    assert list(p.task_ids[:2]) == ids


def test_duration_and_lag_use_the_activity_calendar_hours(tmp_path):
    def ten_hours(t):
        t["TASK"][1][0][3] = "12"  # Spec on the ten-hour calendar: 40 h = 4 days
    p = read_quietly(p6_file(tmp_path, ten_hours))
    assert p.task("A1000").estimate == pm.Fixed(4.0) and p.task("A1000").calendar == "Four tens"
    assert p.calendar_named("Four tens") == pm.Calendar(workdays="Mon-Thu", hours="07:00-17:00", hours_per_day=10,
                                                        id="Four tens", name="Four tens")
    # The lag A1000 -> A1010 (8 h) counts in the predecessor's calendar (P6's default rule): 0.8 days.
    assert pm.Dependency("A1000", "A1010", "FS", 0.8) in p.dependencies


@pytest.mark.parametrize("record", [
    "(0||\u00b2()((0||0(s|08:00|f|17:00)())))",  # a superscript two: a digit to str.isdigit, not to int()
    "(0||" + "9" * 5000 + "()((0||0(s|08:00|f|17:00)())))",  # longer than int() reads
    "(0||8()((0||0(s|08:00|f|17:00)())))",  # no eighth weekday
])
def test_day_records_that_are_not_weekdays_are_ignored(tmp_path, record):
    p = read_quietly(p6_file(tmp_path, lambda t: t["CALENDAR"][1][0].__setitem__(7, calendar_data(WEEK_8 + record))))
    assert p.calendar.workdays == ("Mon", "Tue", "Wed", "Thu", "Fri")


def task_field(name, value, row=0):
    def change(t):
        fields = t["TASK"][0].split()
        t["TASK"][1][row][fields.index(name)] = value
    return change


def add_rows(table, fields, *rows):
    def change(t):
        t[table] = (fields, [*t.get(table, (fields, []))[1], *rows])
    return change


def test_a_level_of_effort_activity_spans_its_links(tmp_path):
    p = read_quietly(p6_file(tmp_path, task_field("task_type", "TT_LOE", 2)))
    assert [t.id for t in p.tasks if t.level_of_effort] == ["A1020"]
    t = pm.cpm(p).table
    # A1010 SS -0.5 -> A1020 FF -> A1030: from half a day before A1010's start to A1030's finish.
    assert t.loc["A1020", "start"] == t.loc["A1010", "start"] - 0.5
    assert t.loc["A1020", "finish"] == t.loc["A1030", "finish"]
    assert t.loc["A1020", "duration"] == t.loc["A1030", "finish"] - t.loc["A1010", "start"] + 0.5


# One row per P6 feature pmsim does not model: how to add it, what the warning must say.
UNMODELLED = [
    # WBS summary activity
    (task_field("task_type", "TT_WBS", 2), r"WBS summary activities .*'A1020'"),
    # a milestone that still has a duration
    (task_field("target_drtn_hr_cnt", "8", 3), r"milestones with a duration .*'A1030'.*read as milestones of 0 days"),
    # expected finish date, used by the scheduling options
    (lambda t: (task_field("expect_end_date", "2027-02-01 17:00")(t),
                add_rows("SCHEDOPTIONS", "proj_id sched_use_expect_end_flag", ["7", "Y"])(t)),
     r"expected finish dates .*'A1000'"),
    # a suspended activity
    (task_field("suspend_date", "2027-01-12 08:00", 1), r"suspended activities .*'A1010'"),
    # a role instead of a resource
    (add_rows("TASKRSRC", "taskrsrc_id task_id proj_id rsrc_id role_id target_qty_per_hr target_cost act_reg_cost act_ot_cost",
              ["3", "1003", "7", "", "5", "1", "0", "0", "0"]), r"role assignments \(left out\).*'A1020'"),
    # a material resource
    (add_rows("RSRC", "rsrc_id rsrc_name rsrc_short_name rsrc_type", ["23", "Concrete", "CO", "RT_Mat"]),
     r"material resources .*'CO'"),
    # rates that change over time
    (add_rows("RSRCRATE", "rsrc_rate_id rsrc_id max_qty_per_hr cost_per_qty start_date",
              ["2", "21", "3", "90", "2027-02-01 00:00"]), r"rates or availability that change over time .*'AN'"),
    # a link from another project
    (add_rows("TASKPRED", "task_pred_id task_id pred_task_id proj_id pred_proj_id pred_type lag_hr_cnt",
              ["5", "1003", "9999", "7", "8", "PR_FS", "0"]), r"links to other projects \(left out\).*A1020 <- 9999"),
    # two projects in one file
    (add_rows("PROJECT", "proj_id proj_short_name clndr_id plan_start_date plan_end_date export_flag last_recalc_date",
              ["8", "OTHER", "11", "2027-01-04 08:00", "", "N", ""]),
     r"several projects in one file: read 'FOR-1' \(4 activities\), the exported project with activities; "
     r"not read: 'OTHER' \(empty\)"),
]


@pytest.mark.parametrize("change, message", UNMODELLED)
def test_unmodelled_features_are_named_in_a_warning(tmp_path, change, message):
    with pytest.warns(pm.PmsimWarning, match=message):
        p = read_xer(p6_file(tmp_path, change), check_health=False)
    assert len(p.tasks) == 4


def test_role_assignment_and_material_cost(tmp_path):
    def material(t):
        add_rows("RSRC", "rsrc_id rsrc_name rsrc_short_name rsrc_type", ["23", "Concrete", "CO", "RT_Mat"])(t)
        add_rows("TASKRSRC", "taskrsrc_id task_id proj_id rsrc_id role_id target_qty_per_hr target_cost act_reg_cost "
                 "act_ot_cost", ["3", "1003", "7", "23", "", "10", "800", "0", "0"])(t)
    with pytest.warns(pm.PmsimWarning, match="material"):
        p = read_xer(p6_file(tmp_path, material), check_health=False)
    assert p.task("A1020").fixed_cost == 800.0 and p.task("A1020").resources == ()


# --------------------------------------------------------------------------- bad input


def drop(*names):
    return lambda t: [t.pop(n) for n in names]


# One row per kind of bad file: how to spoil a good one, the error class, what the message must say.
BAD = [
    # each required table missing, named
    (drop("PROJECT"), pm.FileFormatError, r"missing required table\(s\) PROJECT;"),
    (drop("CALENDAR"), pm.FileFormatError, r"missing required table\(s\) CALENDAR;"),
    (drop("TASK"), pm.FileFormatError, r"missing required table\(s\) TASK;"),
    # two missing at once: both named
    (drop("PROJECT", "TASK"), pm.FileFormatError, r"missing required table\(s\) PROJECT, TASK;"),
    # a TASK table with no rows for the project: the project is empty
    (lambda t: t["TASK"][1].clear(), pm.FileFormatError,
     r"TASK: no project in the file has activities; it holds 'FOR-1' \(empty\)"),
    # a number that is not one
    (task_field("target_drtn_hr_cnt", "forty"), pm.FileFormatError,
     r"TASK line \d+: target_drtn_hr_cnt must be a number, got 'forty'"),
    # a negative duration
    (task_field("target_drtn_hr_cnt", "-8"), pm.FileFormatError, r"target_drtn_hr_cnt must be >= 0"),
    # a date that is not one
    (lambda t: t["PROJECT"][1][0].__setitem__(3, "soon"), pm.FileFormatError,
     r"PROJECT line \d+: plan_start_date must be a date"),
    # an unknown link type
    (lambda t: t["TASKPRED"][1][0].__setitem__(5, "PR_XX"), pm.FileFormatError,
     r"TASKPRED line \d+: pred_type must be PR_FS, PR_SS, PR_FF or PR_SF, got 'PR_XX'"),
    # calendar data cut short
    (lambda t: t["CALENDAR"][1][0].__setitem__(7, "(0||CalendarData()((0||DaysOfWeek()("), pm.FileFormatError,
     r"calendar 'Standard 5x8'.*calendar data unreadable"),
    # an exception date that is not a day number
    (lambda t: t["CALENDAR"][1][0].__setitem__(7, calendar_data(WEEK_8, "(0||0(d|soon)())")), pm.FileFormatError,
     r"exception date d\|soon is not a day number"),
    # a calendar with no working day
    (lambda t: t["CALENDAR"][1][0].__setitem__(7, calendar_data("(0||1()())")), pm.FileFormatError,
     r"calendar 'Standard 5x8'\): no working time: no weekday has working hours"),
    # an assignment to a resource the file does not have
    (lambda t: t["TASKRSRC"][1][0].__setitem__(3, "99"), pm.FileFormatError,
     r"TASKRSRC line \d+: names unknown resource 99"),
    # assignments but no RSRC table
    (drop("RSRC"), pm.FileFormatError, r"names resource 21 but the file has no RSRC table"),
    # a row with more values than fields
    (lambda t: t["TASKPRED"][1][0].append("extra"), pm.FileFormatError,
     r"line \d+: table TASKPRED row has 8 values for 7 fields"),
    # a dependency cycle
    (add_rows("TASKPRED", "task_pred_id task_id pred_task_id proj_id pred_proj_id pred_type lag_hr_cnt",
              ["9", "1001", "1003", "7", "7", "PR_FS", "0"]), pm.CycleError, r"p6.xer: the dependencies form a cycle"),
]


@pytest.mark.parametrize("change, error, message", BAD)
def test_bad_files_raise_errors_naming_the_file(tmp_path, change, error, message):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PmsimWarning)
        with pytest.raises(error, match=message) as info:
            read_xer(p6_file(tmp_path, change))
    assert "p6.xer" in str(info.value)


# Damage to the file's structure rather than its tables.
RAW = [
    # not an XER file
    (lambda text: "id,name\nA,Design\n", r"not a Primavera XER file: it must start with an ERMHDR line"),
    # empty
    (lambda text: "", r"must start with an ERMHDR line"),
    # cut before the end: no %E
    (lambda text: text[: text.index("%T\tTASKPRED")], r"ends without its %E line; is it complete"),
    # a row before its table's field list
    (lambda text: text.replace("%F\ttask_pred_id", "%X\ttask_pred_id"), r"a %R row before the %T and %F lines"),
    # a field list before any table
    (lambda text: text.replace("%T\tCURRTYPE\r\n", ""), r"a %F field list before any %T table"),
]


@pytest.mark.parametrize("spoil, message", RAW)
def test_damaged_structure(tmp_path, spoil, message):
    path = p6_file(tmp_path)
    path.write_bytes(spoil(path.read_bytes().decode("cp1252")).encode("cp1252"))
    with pytest.raises(pm.FileFormatError, match=message):
        read_xer(path)


def test_unknown_task_in_progress_is_refused(tmp_path):
    progress = pd.DataFrame({"id": ["ZZ"], "percent_complete": [10], "actual_cost": [0]})
    with pytest.raises(pm.ValidationError, match="unknown task 'ZZ'"):
        write_xer(rich_project(), tmp_path / "x.xer", progress=progress)


@pytest.mark.parametrize("short, name, code", [
    ("U.K.", "British Pound", "GBP"),  # Constology's sample.xer
    ("AUST", "Australian Dollar", "AUD"),  # alphawizards' 19282 export
    ("Crowns", "Ruritanian Crown", "XXX"),  # not a standard P6 name: ISO's "no currency"
])
def test_a_currency_p6_names_by_its_own_text_is_read_as_its_iso_code(tmp_path, short, name, code):
    path = tmp_path / "p.xer"
    pm.write_project(pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=1)]), path)
    text = path.read_text(encoding="cp1252")
    head, _, rest = text.partition("%T\tCURRTYPE")
    fields, row, tail = rest.split("\n", 3)[1:]
    names = fields.split("\t")
    values = row.split("\t")
    values[names.index("curr_short_name")], values[names.index("curr_type")] = short, name
    path.write_text(head + "%T\tCURRTYPE\n" + fields + "\n" + "\t".join(values) + "\n" + tail, encoding="cp1252")
    with pytest.warns(pm.PmsimWarning, match=f"currencies named other than by an ISO 4217 code.*{re.escape(short)}"):
        assert pm.read_project(path, check_health=False).currency == code
