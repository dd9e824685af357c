"""Project workbooks: sheets tasks, resources, risks and project."""

from __future__ import annotations

import datetime as dt
import os
import struct
import zipfile

import openpyxl
import pytest

import pmsim as pm
from pmsim.io import _files as files_module
from support import rich_project, time_project

SAMPLES = pm.sample_projects()


def sheet_rows(path, sheet):
    wb = openpyxl.load_workbook(path)
    return [[c.value for c in row] for row in wb[sheet].iter_rows()]


def make_book(path, sheets: dict[str, list[list]]):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


PROJECT_SHEET = [["key", "value"], ["name", "demo"], ["start", "2027-01-04"]]


def test_rich_project_round_trips_exactly(tmp_path):
    p = rich_project()
    book = pm.write_project(p, tmp_path / "rich.xlsx")
    assert openpyxl.load_workbook(book).sheetnames == ["tasks", "resources", "risks", "project"]
    assert pm.read_project(book) == p


def test_the_folder_and_the_workbook_hold_the_same_project(tmp_path):
    p = rich_project()
    pm.write_project(p, tmp_path / "folder")
    pm.write_project(pm.read_project(tmp_path / "folder"), tmp_path / "book.xlsx")
    assert pm.read_project(tmp_path / "book.xlsx") == p


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_projects_round_trip(name, tmp_path):
    p = pm.read_project(pm.data_path(name))
    pm.write_project(p, tmp_path / f"{name}.xlsx")
    assert pm.read_project(tmp_path / f"{name}.xlsx") == p


def test_numbers_are_excel_numbers_unless_they_need_17_digits(tmp_path):
    book = pm.write_project(rich_project(), tmp_path / "rich.xlsx")
    rows = {r[0]: r for r in sheet_rows(book, "tasks")}
    header = rows["id"]
    c = dict(zip(header, rows["C"]))
    # 0.1 + 0.2 needs 17 significant digits; Excel keeps 16, so it goes in as text.
    assert c["optimistic"] == "0.30000000000000004"
    assert c["most_likely"] == 1 and c["pessimistic"] == 2.2
    assert c["resources"] == "dba:0.3333333333333333"
    assert dict(zip(header, rows["S"]))["milestone"] is True
    assert dict(zip(header, rows["A"]))["lambda"] is None  # an empty cell, not ""


def test_project_sheet_is_key_value_rows(tmp_path):
    book = pm.write_project(rich_project(), tmp_path / "rich.xlsx")
    assert sheet_rows(book, "project") == [
        ["key", "value"],
        ["name", "Rich fixture"],
        ["start", "2027-01-04"],
        ["currency", "EUR"],
        ["budget", 123456.78],
        ["deadline", "2027-06-30"],
        ["description", 'A fixture with "quotes", commas, and\na second line.'],
        ["workdays", "Mon; Tue; Wed; Thu; Sat"],
        ["holidays", "2027-01-06; 2027-04-02"],
    ]


def test_a_workbook_typed_by_hand_reads(tmp_path):
    """Numeric ids, Excel dates, one holiday per row, optional sheets left out."""
    book = make_book(tmp_path / "hand.xlsx", {
        "Tasks": [["ID", "Name", "Duration", "Predecessors", "Milestone"],
                  [1, "Design", 3, None, None],
                  [2, "Build", 5.5, 1, "no"],
                  [],
                  [3, "Done", 0, "2FS+1d", "yes"]],
        "project": [["key", "value"], ["start", dt.datetime(2027, 1, 4)], ["budget", 1000],
                    ["holidays", dt.datetime(2027, 1, 6)], ["holidays", "2027-01-07"]],
    })
    p = pm.read_project(book)
    assert p.task_ids == ("1", "2", "3")
    assert p.dependencies == (pm.Dependency("1", "2"), pm.Dependency("2", "3", "FS", 1))
    assert p.task("3").milestone and p.task("2").estimate == pm.Fixed(5.5)
    assert (p.start, p.budget) == (dt.date(2027, 1, 4), 1000.0)
    assert p.calendar.holidays == (dt.date(2027, 1, 6), dt.date(2027, 1, 7))


@pytest.mark.parametrize(
    "sheets, message",
    [
        # no tasks sheet
        ({"project": PROJECT_SHEET}, r"book\.xlsx: no sheet 'tasks'"),
        # no project sheet
        ({"tasks": [["id", "duration"], ["A", 1]]}, r"book\.xlsx: no sheet 'project'"),
        # a project sheet without the value column
        ({"tasks": [["id", "duration"], ["A", 1]], "project": [["key"], ["start"]]},
         r"book\.xlsx, sheet 'project': missing required column 'value'"),
        # the same setting twice
        ({"tasks": [["id", "duration"], ["A", 1]], "project": PROJECT_SHEET + [["start", "2027-01-05"]]},
         r"book\.xlsx, sheet 'project', row 4: key 'start' appears twice"),
    ],
)
def test_missing_sheets_and_columns(tmp_path, sheets, message):
    book = make_book(tmp_path / "book.xlsx", sheets)
    with pytest.raises(pm.FileFormatError, match=message):
        pm.read_project(book)


def test_row_errors_name_the_sheet_and_row(tmp_path):
    book = make_book(tmp_path / "book.xlsx", {
        "tasks": [["id", "optimistic", "most_likely", "pessimistic"], ["A", 1, 2, 3], ["B", 5, 3, 8]],
        "project": PROJECT_SHEET,
    })
    with pytest.raises(pm.ValidationError,
                       match=r"book\.xlsx, sheet 'tasks', row 3 \(task 'B'\): optimistic \(5\) > most_likely \(3\)"):
        pm.read_project(book)


def test_not_a_workbook(tmp_path):
    (tmp_path / "fake.xlsx").write_text("id,duration\nA,1\n")
    with pytest.raises(pm.FileFormatError, match=r"fake\.xlsx: not a readable \.xlsx workbook"):
        pm.read_project(tmp_path / "fake.xlsx")


def cut_part(part):
    """Rewrite the workbook with the XML of ``part`` cut in half."""
    def spoil(book):
        with zipfile.ZipFile(book) as z:
            parts = {name: z.read(name) for name in z.namelist()}
        parts[part] = parts[part][: len(parts[part]) // 2]
        with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in parts.items():
                z.writestr(name, data)
    return spoil


def garble_compressed(book):
    """Overwrite bytes inside the compressed data of the first worksheet (the zip directory stays intact)."""
    raw = bytearray(book.read_bytes())
    with zipfile.ZipFile(book) as z:
        offset = z.getinfo("xl/worksheets/sheet1.xml").header_offset
    name_length, extra_length = struct.unpack("<HH", raw[offset + 26:offset + 30])
    start = offset + 30 + name_length + extra_length
    raw[start + 20:start + 40] = b"\xff" * 20
    book.write_bytes(bytes(raw))


# One row per kind of damage inside a workbook that is still a zip file.
DAMAGED = [
    # the tasks sheet's XML cut short
    (cut_part("xl/worksheets/sheet1.xml"), r"ParseError"),
    # the workbook part (the list of sheets) cut short
    (cut_part("xl/workbook.xml"), r"ParseError"),
    # the content-types part cut short
    (cut_part("[Content_Types].xml"), r"ParseError"),
    # a compressed stream that no longer inflates
    (garble_compressed, r"error: Error -3 while decompressing"),
]


@pytest.mark.parametrize("spoil, detail", DAMAGED)
def test_a_damaged_workbook_is_a_file_format_error(tmp_path, spoil, detail):
    book = pm.write_project(rich_project(), tmp_path / "plan.xlsx")
    spoil(book)
    with pytest.raises(pm.FileFormatError, match=rf"plan\.xlsx: not a readable \.xlsx workbook \({detail}"):
        pm.read_project(book)


def test_a_failed_write_leaves_the_old_workbook(tmp_path, monkeypatch):
    book = pm.write_project(rich_project(), tmp_path / "plan.xlsx")
    before = book.read_bytes()

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files_module.os, "replace", broken)
    with pytest.raises(pm.FileFormatError, match="No space left on device"):
        pm.write_project(pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=1)]), book)
    assert book.read_bytes() == before
    assert os.listdir(tmp_path) == ["plan.xlsx"]


def test_control_characters_become_spaces_with_a_warning(tmp_path):
    p = pm.Project(name="x", start="2027-01-04", description="line\x0bfeed",
                   tasks=[pm.Task("A", "bell\x07 and tab\tkept", duration=1)])
    with pytest.warns(pm.PmsimWarning, match=r"f\.xlsx: control characters replaced by spaces \(a workbook cannot "
                                              r"hold them\) in sheet 'tasks' column 'name', sheet 'project' column 'value'$"):
        book = pm.write_project(p, tmp_path / "f.xlsx")
    q = pm.read_project(book)
    assert (q.task("A").name, q.description) == ("bell  and tab\tkept", "line feed")


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    p = pm.Project(name="=x", start="2027-01-04", description="=SUM(A1)",
                   tasks=[pm.Task("A", "=== Go live ===", duration=1, phase="=1+1")])
    book = pm.write_project(p, tmp_path / "f.xlsx")
    assert pm.read_project(book) == p


# --------------------------------------------------------------------------- calendars, constraints, progress


def test_every_time_feature_round_trips_exactly(tmp_path):
    p = time_project()
    book = pm.write_project(p, tmp_path / "time.xlsx")
    assert openpyxl.load_workbook(book).sheetnames == ["tasks", "resources", "risks", "calendars", "project"]
    assert pm.read_project(book) == p
    pm.write_project(p, tmp_path / "folder")
    assert pm.read_project(tmp_path / "folder") == pm.read_project(book)


def test_time_sheets_read_like_hand_written_ones(tmp_path):
    book = pm.write_project(time_project(), tmp_path / "time.xlsx")
    calendars = sheet_rows(book, "calendars")
    assert calendars[0] == ["id", "name", "workdays", "hours", "fri", "sat", "sun", "hours_per_day", "holidays",
                            "exceptions"]
    assert calendars[4] == ["short_fri", None, "Mon-Thu", "07:00-12:00; 12:30-17:00", "07:00-12:00", None, None, 8,
                            None, None]
    rows = {r[0]: r for r in sheet_rows(book, "tasks")}
    c = dict(zip(rows["id"], rows["C"]))
    assert (c["calendar"], c["constraint"], c["constraint_date"]) == ("24h", "SNET", "2027-02-01T06:30")
    assert "lambda" not in rows["id"]  # columns no row uses are left out
    assert sheet_rows(book, "project")[5:] == [
        ["status_date", "2027-01-13T17:00"], ["must_finish_by", "2027-06-30"], ["lag_calendar", "predecessor"],
        ["total_float", "smallest"], ["progress_rule", "progress_override"], ["honor_constraints", False],
        ["calendar", "standard"]]


def test_a_project_calendar_of_its_own_goes_in_the_project_sheet(tmp_path):
    from pmsim.calendar import CalendarException

    cal = pm.Calendar(id="site", name="Site", workdays="Mon-Thu", week={"Fri": "08:00-12:00"},
                      hours="07:00-12:00; 13:00-16:00", hours_per_day=7.5,
                      exceptions=(CalendarException("2027-12-24", hours="08:00-12:00", name="Eve"),
                                  CalendarException("2027-12-27", "2027-12-31")))
    p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=1, calendar="site")], calendar=cal)
    book = pm.write_project(p, tmp_path / "own.xlsx")
    assert sheet_rows(book, "project")[4:] == [
        ["workdays", "Mon; Tue; Wed; Thu"], ["holidays", None], ["hours", "07:00-12:00; 13:00-16:00"],
        ["fri", "08:00-12:00"], ["hours_per_day", 7.5],
        ["exceptions", "2027-12-24 Eve: 08:00-12:00; 2027-12-27..2027-12-31: none"],
        ["calendar_id", "site"], ["calendar_name", "Site"]]
    assert pm.read_project(book) == p


def test_a_time_workbook_typed_by_hand_reads(tmp_path):
    """Excel dates are whole days, an Excel date and time a moment; exceptions one per row."""
    book = make_book(tmp_path / "hand.xlsx", {
        "tasks": [["id", "duration", "predecessors", "calendar", "constraint", "constraint_date", "deadline",
                   "actual_start", "percent_complete"],
                  ["A", 3, None, None, None, None, None, dt.datetime(2027, 1, 4), 50],
                  ["B", 2, "A SS; A FF+2", "plant", "Must Start On", dt.datetime(2027, 1, 11, 6, 0),
                   dt.datetime(2027, 1, 29), None, None]],
        "Calendars": [["id", "workdays", "hours", "Sat"], ["plant", "Mon-Fri", "06:00-14:00; 14:00-22:00", "none"]],
        "project": PROJECT_SHEET + [["status_date", dt.datetime(2027, 1, 6)], ["workdays", "Mon-Fri"],
                                    ["exceptions", "2027-12-24: 08:00-12:00"],
                                    ["exceptions", "2027-12-27..2027-12-31 Shutdown"],
                                    ["honor_constraints", "no"]],
    })
    p = pm.read_project(book)
    b = p.task("B")
    assert (b.calendar, b.constraint, b.constraint_date, b.deadline) == (
        "plant", "MSO", dt.datetime(2027, 1, 11, 6), dt.date(2027, 1, 29))
    assert p.task("A").actual_start == dt.date(2027, 1, 4) and p.status_date == dt.date(2027, 1, 6)
    assert [(d.type, d.lag) for d in p.predecessors("B")] == [("SS", 0.0), ("FF", 2.0)]
    assert [e.name for e in p.calendar.exceptions] == ["", "Shutdown"] and not p.honor_constraints
    assert p.calendar_named("plant").hours == ((360, 840), (840, 1320))


@pytest.mark.parametrize(
    "sheets, error, message",
    [
        # a column twice (pandas would rename the second one and ignore it)
        ({"tasks": [["id", "duration", "Duration"], ["A", 1, 2]]}, pm.FileFormatError,
         r"book\.xlsx, sheet 'tasks': column 'duration' appears twice$"),
        # the project calendar named and described at once
        ({"project": PROJECT_SHEET + [["calendar", "plant"], ["workdays", "Mon-Fri"]],
          "calendars": [["id"], ["plant"]]}, pm.FileFormatError,
         r"book\.xlsx, sheet 'project': key 'calendar' names a calendar of the calendars sheet; the project "
         r"calendar's own keys \(workdays\) cannot be given as well"),
        # an unknown calendar, named by the sheet row
        ({"tasks": [["id", "duration", "calendar"], ["A", 1, None], ["B", 1, "nite"]],
          "calendars": [["id", "hours"], ["night", "22:00-24:00"]]}, pm.UnknownReferenceError,
         r"book\.xlsx, sheet 'tasks', row 3 \(task 'B'\): unknown calendar 'nite'; known calendars are 'night'$"),
        # bad hours in the calendars sheet
        ({"calendars": [["id", "hours"], ["night", "22-24"]]}, pm.ValidationError,
         r"book\.xlsx, sheet 'calendars', row 2 \(calendar 'night'\), column 'hours': '22-24' is not a span"),
        # an empty list of workdays in the project sheet
        ({"project": PROJECT_SHEET + [["workdays", "none"]]}, pm.ValidationError,
         r"book\.xlsx, sheet 'project', key 'calendar\.workdays': no working weekday"),
    ],
)
def test_time_errors_name_sheet_row_and_rule(tmp_path, sheets, error, message):
    book = make_book(tmp_path / "book.xlsx", {"tasks": [["id", "duration"], ["A", 1]], "project": PROJECT_SHEET,
                                              **sheets})
    with pytest.raises(error, match=message):
        pm.read_project(book)


def test_a_password_protected_or_old_workbook_says_so(tmp_path):
    # Excel encrypts a workbook with a password into an OLE2 compound file, the format of old .xls files.
    (tmp_path / "locked.xlsx").write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504)
    with pytest.raises(pm.FileFormatError, match=r"locked\.xlsx: a password-protected workbook or an old \.xls file"):
        pm.read_project(tmp_path / "locked.xlsx")
