"""Issue 17, class "vague errors": a file that is refused says which file, row or cell, and why, in words
the person who saved it can act on; a file a spreadsheet saved in its own dialect is read."""

from __future__ import annotations

import pytest
from hostile import edit_sheet, folder, replace_cell, workbook, xer_text

import pmsim as pm

SHEET1 = "xl/worksheets/sheet1.xml"  # tasks: A id, B name, C phase, D duration ... I predecessors

# --------------------------------------------------------------------------- CSV dialects


@pytest.mark.parametrize("tasks_csv", [
    "id;name;duration;predecessors\nA;Analyse;2,5;\nB;Build;3;A\n",  # a European Excel: ';' and a decimal comma
    "sep=;\nid;name;duration;predecessors\nA;Analyse;2,5;\nB;Build;3;A\n",  # Excel's sep= line
    "id\tname\tduration\tpredecessors\nA\tAnalyse\t2.5\t\nB\tBuild\t3\tA\n",  # tab-separated
    "sep=,\nid,name,duration,predecessors\nA,Analyse,2.5,\nB,Build,3,A\n",
    '"id","name","duration","predecessors"\r"A","Analyse","2.5",""\r"B","Build","3","A"\r',  # old Mac line ends
])
def test_spreadsheet_dialects_read_the_same(tmp_path, tasks_csv):
    project = pm.read_project(folder(tmp_path, tasks_csv=tasks_csv))
    assert [(t.id, t.name, t.planned_duration) for t in project.tasks] == [("A", "Analyse", 2.5), ("B", "Build", 3.0)]
    assert [(d.predecessor, d.successor) for d in project.dependencies] == [("A", "B")]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom"])
def test_unicode_files_with_a_byte_order_mark_read(tmp_path, encoding):
    text = "id,name,duration\nA,Café,2\n"
    data = {"utf-16-le-bom": b"\xff\xfe" + text.encode("utf-16-le"),
            "utf-16-be-bom": b"\xfe\xff" + text.encode("utf-16-be")}.get(encoding) or text.encode(encoding)
    project = pm.read_project(folder(tmp_path, tasks_csv=data))
    assert project.tasks[0].name == "Café"


@pytest.mark.parametrize("files, message", [
    ({"tasks_csv": "id,name,duration\nA,Café,2\n".encode("cp1252")},
     r"tasks\.csv, line 2: not UTF-8 text \(byte 0xe9 at byte 22\); .* save it again as UTF-8 \('CSV UTF-8' in "
     r"Excel\)"),
    ({"tasks_csv": "id,name,duration\nA,Café,2\n".encode("utf-16-le")},
     r"tasks\.csv, line 2: not UTF-8 text .* it looks like UTF-16 without its byte-order mark"),
    ({"project_toml": 'name = "Café"\nstart = 2027-01-04\n'.encode("cp1252")},
     r"project\.toml, line 1: not UTF-8 text \(byte 0xe9 at byte 11\)"),
    ({"tasks_csv": "ident|duration\nA|2\n"}, r"tasks\.csv: missing required column 'id' \(the header has "
                                            r"'ident\|duration'\)"),
    ({"tasks_csv": "sep=;\n"}, r"tasks\.csv: the file is empty after its sep= line; it needs a header row"),
    ({"tasks_csv": ""}, r"tasks\.csv: the file is empty; it needs a header row"),
])
def test_unreadable_text_files_say_why(tmp_path, files, message):
    with pytest.raises(pm.FileFormatError, match=message):
        pm.read_project(folder(tmp_path, **files))


def test_a_byte_order_mark_in_project_toml_is_read(tmp_path):
    plan = folder(tmp_path, project_toml=b'\xef\xbb\xbfname = "bom"\nstart = 2027-01-04\n')
    assert pm.read_project(plan).name == "bom"


# --------------------------------------------------------------------------- ids and lists


@pytest.mark.parametrize("tasks_csv, error, message", [
    ("id,duration\nA\u200b,2\n", pm.ValidationError,
     r"tasks\.csv, row 2: Task id 'A\\u200b' contains U\+200B ZERO WIDTH SPACE, which cannot be seen"),
    ("id,duration\nA\u202e,2\n", pm.ValidationError, r"contains U\+202E RIGHT-TO-LEFT OVERRIDE"),
    ("id,duration\n\ufeffA,2\n", pm.ValidationError, r"contains U\+FEFF ZERO WIDTH NO-BREAK SPACE"),
    ("id,duration\nA\x1b[31m,2\n", pm.ValidationError, r"Task id 'A\\x1b\[31m' contains U\+001B \(a control character\)"),
    ("id,duration,predecessors\nA,2,\nB,1,A\u200b\n", pm.UnknownReferenceError,
     r"tasks\.csv, row 3 \(task 'B'\): unknown predecessor 'A\\u200b'"),
])
def test_invisible_characters_in_ids_are_shown(tmp_path, tasks_csv, error, message):
    with pytest.raises(error, match=message):
        pm.read_project(folder(tmp_path, tasks_csv=tasks_csv))


@pytest.mark.parametrize("cell, found", [('"dev:1, qa:2"', "dev:1, qa"), ("dev:1 qa:2", "dev:1 qa")])
def test_resources_separated_wrongly_say_how_to_separate_them(tmp_path, cell, found):
    plan = folder(tmp_path, tasks_csv=f"id,duration,resources\nA,2,{cell}\n", resources_csv="id,capacity\ndev,1\nqa,2\n")
    with pytest.raises(pm.UnknownReferenceError, match=rf"tasks\.csv, row 2 \(task 'A'\): demands unknown resource "
                                                       rf"'{found}'; separate resources with ';', such as "
                                                       r"'dev:1; qa:2'"):
        pm.read_project(plan)


@pytest.mark.parametrize("row, message", [
    ("lognormal,3,,3", r"a lognormal needs P90 > P10 \(both are 3\); for a duration without uncertainty give "
                       r"'duration' alone"),
    ("lognormal,3,3,3", r"a lognormal needs pessimistic > optimistic \(both are 3\)"),
    ("lognormal,0,,5", r"a lognormal P10 \(optimistic\) must be > 0, got 0"),
])
def test_a_lognormal_without_spread_says_so(tmp_path, row, message):
    plan = folder(tmp_path, tasks_csv=f"id,distribution,optimistic,most_likely,pessimistic\nA,{row}\n")
    with pytest.raises(pm.ValidationError, match=rf"tasks\.csv, row 2 \(task 'A'\): {message}"):
        pm.read_project(plan)


# --------------------------------------------------------------------------- XER dialects


def test_xer_with_commas_says_it_was_saved_from_a_spreadsheet(tmp_path):
    (tmp_path / "c.xer").write_text(xer_text(tmp_path).replace("\t", ","), encoding="utf-8")
    with pytest.raises(pm.FileFormatError, match=r"c\.xer, line 1: the fields are separated by commas, not tabs .*"
                                                 r"was it saved from a spreadsheet"):
        pm.read_project(tmp_path / "c.xer")


def test_xer_in_utf16_says_how_to_save_it(tmp_path):
    (tmp_path / "u.xer").write_bytes(xer_text(tmp_path).encode("utf-16"))
    with pytest.raises(pm.FileFormatError, match=r"u\.xer: the file is UTF-16 text .* save it again as ANSI or UTF-8"):
        pm.read_project(tmp_path / "u.xer")


@pytest.mark.parametrize("line_end", ["\r", "\n", "\r\n"])
def test_xer_line_ends_of_any_system_read(tmp_path, line_end):
    text = xer_text(tmp_path).replace("\r\n", "\n").replace("\n", line_end)
    (tmp_path / "e.xer").write_bytes(text.encode("utf-8"))
    project = pm.read_project(tmp_path / "e.xer", check_health=False)
    assert project.task_ids == ("A", "B") and [t.planned_duration for t in project.tasks] == [2.0, 3.0]


# --------------------------------------------------------------------------- workbooks


@pytest.mark.parametrize("cell, message", [
    ('<c r="D2"><f>B2/0</f></c>', r"cell D2 \(column 'duration'\): holds a formula \(=B2/0\) without a computed "
                                  r"value, not a value; open and save the workbook in Excel or LibreOffice"),
    ('<c r="D2" t="e"><f>1/0</f><v>#DIV/0!</v></c>', r"cell D2 \(column 'duration'\): holds the error #DIV/0!, not "
                                                     r"a value; correct it or type the value"),
    ('<c r="D3" t="e"><v>#REF!</v></c>', r"cell D3 \(column 'duration'\): holds the error #REF!"),
    ('<c r="A1" t="e"><v>#NAME?</v></c>', r"cell A1: holds the error #NAME\?"),
])
def test_xlsx_cells_without_a_value_are_named(tmp_path, cell, message):
    ref = cell.split('"')[1]
    book = edit_sheet(workbook(tmp_path), SHEET1, lambda xml: replace_cell(xml, ref, cell))
    with pytest.raises(pm.FileFormatError, match=rf"plan\.xlsx, sheet 'tasks', {message}"):
        pm.read_project(book)


def test_an_xlsx_formula_with_its_computed_value_reads_the_value(tmp_path):
    book = edit_sheet(workbook(tmp_path), SHEET1, lambda xml: replace_cell(xml, "D2", '<c r="D2"><f>1+1</f><v>2</v></c>'))
    assert [t.planned_duration for t in pm.read_project(book).tasks] == [2.0, 3.0]


@pytest.mark.parametrize("cell, message", [
    ('<c r="D2" t="s"><v>99</v></c>', r"plan\.xlsx: sheet 'tasks', cell D2: refers to shared string '99', which does "
                                      r"not exist"),
    ('<c r="D2"><v>two</v></c>', r"plan\.xlsx: sheet 'tasks', cell D2: 'two' is not a number"),
    ('<c r="D2!"><v>2</v></c>', r"plan\.xlsx: sheet 'tasks': 'D2!' is not a cell address"),
])
def test_damaged_xlsx_cells_are_named(tmp_path, cell, message):
    book = edit_sheet(workbook(tmp_path), SHEET1, lambda xml: replace_cell(xml, "D2", cell))
    with pytest.raises(pm.FileFormatError, match=message):
        pm.read_project(book)


@pytest.mark.parametrize("data, message", [
    (bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504), r"a password-protected workbook or an old \.xls file; save it as "
                                                     r"an \.xlsx workbook without a password"),
    (b"PK\x03\x04 not really a zip", r"not a readable \.xlsx workbook \(BadZipFile"),
    (b"id,duration\nA,1\n", r"not a readable \.xlsx workbook \(BadZipFile"),
])
def test_files_that_are_not_workbooks_say_what_they_are(tmp_path, data, message):
    (tmp_path / "plan.xlsx").write_bytes(data)
    with pytest.raises(pm.FileFormatError, match=rf"plan\.xlsx: {message}"):
        pm.read_project(tmp_path / "plan.xlsx")


# --------------------------------------------------------------------------- PSPLIB


@pytest.mark.parametrize("job", [2, 3])
def test_a_psplib_job_that_succeeds_itself_names_the_file_and_line(tmp_path, job):
    from support import PSPLIB

    lines = (PSPLIB / "j301_1.sm").read_text().split("\n")
    start = next(k for k, line in enumerate(lines) if line.startswith("PRECEDENCE RELATIONS")) + 2
    row = start + job - 1
    cells = lines[row].split()
    cells[-1] = str(job)  # its last successor becomes itself
    lines[row] = "   ".join(cells)
    (tmp_path / "self.sm").write_text("\n".join(lines))
    with pytest.raises(pm.CycleError, match=rf"self\.sm, line {row + 1}: job {job} lists itself as a successor"):
        pm.read_project(tmp_path / "self.sm")
