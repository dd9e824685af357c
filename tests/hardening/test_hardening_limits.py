"""Issue 17, class "hangs and runaway memory": a few bytes of input that ask for a great deal are refused
with a LimitError naming the limit and how to raise it, or read in time linear in what they hold.

Where a case needs a large input to reach a limit, the test lowers the limit (``monkeypatch``)
and builds a small one: the rule is the same, the test stays fast. The cases of the issue
itself (1,500 x 1,500 summary links, 16,000 outline levels, 180 recurring exceptions) run as
they were reported.
"""

from __future__ import annotations

import os
import time

import pytest
from hostile import (
    add_row,
    edit_sheet,
    folder,
    mspdi,
    mspdi_calendar,
    mspdi_daily_exception,
    mspdi_link,
    mspdi_task,
    workbook,
)

import pmsim as pm

SHEET1 = "xl/worksheets/sheet1.xml"  # the tasks sheet of a workbook pmsim writes
RAISE_IT = r"if the input is genuine, raise it \(pmsim\.limits\.{0} = \.\.\. in Python, or the environment variable " \
           r"PMSIM_{0}\)"


def limit_error(name: str, what: str) -> str:
    return rf"{what}.* is more than the limit pmsim\.limits\.{name} = [\d,]+; " + RAISE_IT.format(name)


# --------------------------------------------------------------------------- workbooks


@pytest.mark.parametrize("row, message", [
    # one value in the last cell of a sheet: read as the one cell it is
    ('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', r"sheet 'tasks', row 1048576: Task id is missing"),
    ('<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>Z</t></is></c><c r="XFD1048576"><v>1</v></c></row>',
     r"sheet 'tasks', row 1048576 \(task 'Z'\): no estimate"),
])
def test_a_value_in_the_last_cell_of_a_sheet_is_read_as_one_cell(tmp_path, row, message):
    book = edit_sheet(workbook(tmp_path), SHEET1, lambda xml: add_row(xml, row))
    started = time.perf_counter()
    with pytest.raises(pm.PmsimError, match=message), \
            pytest.warns(pm.PmsimWarning, match=r"ignoring unknown column\(s\) 'column XFD \(no header\)'"):
        pm.read_project(book)
    assert time.perf_counter() - started < 30  # pandas built a 24 GB grid; generous for a loaded CI machine


def test_a_cell_beyond_the_sheet_is_refused(tmp_path):
    book = edit_sheet(workbook(tmp_path), SHEET1,
                      lambda xml: add_row(xml, '<row r="2000000"><c r="A2000000"><v>1</v></c></row>'))
    with pytest.raises(pm.FileFormatError, match=r"sheet 'tasks': cell 'A2000000' lies outside a sheet "
                                                 r"\(1,048,576 rows, 16,384 columns\)"):
        pm.read_project(book)


@pytest.mark.parametrize("rows", [40, 400])
def test_sheet_cells_beyond_the_limit_are_refused_while_reading(tmp_path, monkeypatch, rows):
    monkeypatch.setattr(pm.limits, "SHEET_CELLS", 30)
    extra = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>T{r}</t></is></c></row>' for r in range(4, rows))
    book = edit_sheet(workbook(tmp_path), SHEET1, lambda xml: add_row(xml, extra))
    with pytest.raises(pm.LimitError, match=limit_error("SHEET_CELLS", r"plan\.xlsx: sheet 'tasks': cells: 31")):
        pm.read_project(book)


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(pm.limits, "WORKBOOK_BYTES", 2_000)
    with pytest.raises(pm.LimitError, match=limit_error("WORKBOOK_BYTES", r"plan\.xlsx: bytes once unpacked")):
        pm.read_project(workbook(tmp_path))


# --------------------------------------------------------------------------- MS Project files


def nested(levels: int) -> str:
    return "".join(mspdi_task(k, f"T{k}", level=k) for k in range(1, levels + 1))


@pytest.mark.parametrize("levels", [1_001, 16_000])
def test_outline_levels_beyond_the_limit_are_refused(tmp_path, levels):
    started = time.perf_counter()
    with pytest.raises(pm.LimitError, match=limit_error("OUTLINE_DEPTH", rf"task UID {levels}: OutlineLevel")):
        pm.read_project(mspdi(tmp_path, nested(levels)))
    assert time.perf_counter() - started < 30  # 16,000 levels took 56 s


def test_outline_numbers_beyond_the_limit_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(pm.limits, "OUTLINE_DEPTH", 5)
    tasks = "".join(mspdi_task(k, f"T{k}", level=1, outline=".".join(["1"] * k)) for k in range(1, 8))
    with pytest.raises(pm.LimitError, match=limit_error("OUTLINE_DEPTH", r"OutlineNumber 1\.1\.1\.1\.1\.1\.\.\.: "
                                                                         r"outline levels: 7")):
        pm.read_project(mspdi(tmp_path, tasks))


def test_deep_outlines_within_the_limit_read_in_linear_time(tmp_path):
    # 600 nested summary tasks over one task: the task keeps its own id, under phase T599's parent chain.
    project = pm.read_project(mspdi(tmp_path, nested(600)), check_health=False)
    assert project.task_ids == ("600",)


def summaries(n: int, m: int) -> str:
    """Summary S1 (UID 1) over n tasks, then summary S2 over m tasks, linked S1 -> S2 (finish-to-start)."""
    first = mspdi_task(1, "S1") + "".join(mspdi_task(1 + k, f"a{k}", level=2) for k in range(1, n + 1))
    second = mspdi_task(n + 2, "S2", links=mspdi_link(1)) + \
        "".join(mspdi_task(n + 2 + k, f"b{k}", level=2) for k in range(1, m + 1))
    return first + second


@pytest.mark.parametrize("n, m", [(1_500, 1_500), (400, 300)])
def test_summary_links_expanding_beyond_the_limit_are_refused_before_they_are_made(tmp_path, n, m):
    started = time.perf_counter()
    with pytest.raises(pm.LimitError, match=limit_error(
            "SUMMARY_LINKS", rf"task UID {n + 2} \(S2\) predecessor link from task UID 1 \(S1\): links between the "
                             rf"tasks under summary tasks \({n:,} x {m:,} for this one\): {n * m:,}")):
        pm.read_project(mspdi(tmp_path, summaries(n, m)))
    assert time.perf_counter() - started < 30


def test_summary_links_within_the_limit_link_every_pair(tmp_path):
    # S1 over 3 tasks -> S2 over 4 tasks: 3 x 4 = 12 finish-to-start links, each task of S2 after every one of S1.
    project = pm.read_project(mspdi(tmp_path, summaries(3, 4)), check_health=False)
    pairs = {(d.predecessor, d.successor) for d in project.dependencies}
    assert pairs == {(str(a), str(b)) for a in (2, 3, 4) for b in (6, 7, 8, 9)}


@pytest.mark.parametrize("count, years", [(180, 150), (12, 60)])
def test_calendar_exceptions_expanding_beyond_the_limit_are_refused(tmp_path, count, years):
    exceptions = "".join(mspdi_daily_exception(f"{1900 + k}-01-01", f"{1900 + k + years}-12-31", f"e{k}")
                         for k in range(count))
    started = time.perf_counter()
    with pytest.raises(pm.LimitError, match=limit_error("CALENDAR_EXCEPTION_DAYS",
                                                        r"calendar 'Standard': days its exceptions expand to")):
        pm.read_project(mspdi(tmp_path, mspdi_task(1, "A"), calendar=mspdi_calendar(exceptions)))
    assert time.perf_counter() - started < 30  # 180 exceptions made 3.6 million holidays


def test_calendar_exceptions_within_the_limit_are_holidays(tmp_path):
    # A shutdown every day from Tuesday 5 to Thursday 7 January 2027: A (16 h from Monday 4) ends Friday 8.
    calendar = mspdi_calendar(mspdi_daily_exception("2027-01-05", "2027-01-07"))
    project = pm.read_project(mspdi(tmp_path, mspdi_task(1, "A", hours=16), calendar=calendar), check_health=False)
    assert str(pm.cpm(project).finish_date) == "2027-01-08"


# --------------------------------------------------------------------------- files that never end


@pytest.mark.parametrize("name", ["plan.xer", "plan.xml", "plan.xlsx", "project.toml"])
def test_a_named_pipe_is_refused_not_waited_on(tmp_path, name):
    pipe = tmp_path / name
    os.mkfifo(pipe)
    with pytest.raises(pm.FileFormatError, match=rf"{name}: not a regular file but a named pipe"):
        pm.read_project(pipe)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_is_refused(device):
    with pytest.raises(pm.FileFormatError, match=rf"{device}: not a regular file but a character device"):
        pm.read_project(device)


def test_a_pipe_as_a_folder_file_is_refused(tmp_path):
    plan = folder(tmp_path, tasks_csv=None)
    os.mkfifo(plan / "tasks.csv")
    with pytest.raises(pm.FileFormatError, match=r"tasks\.csv: not a regular file but a named pipe"):
        pm.read_project(plan)


def test_a_file_beyond_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(pm.limits, "FILE_BYTES", 100)
    plan = folder(tmp_path, tasks_csv="id,duration\n" + "".join(f"T{k},1\n" for k in range(50)))
    with pytest.raises(pm.LimitError, match=limit_error("FILE_BYTES", r"tasks\.csv: size in bytes: 3\d\d")):
        pm.read_project(plan)


# --------------------------------------------------------------------------- huge numbers, deep nesting, cycles


@pytest.mark.parametrize("tasks_csv, message", [
    ("id,duration\nA,1e308\n", r"Task 'A' finishes 1e\+308 working days after the project start"),
    ("id,duration,predecessors\nA,1,\nB,1,A FS+1e9\n", r"Task 'B' finishes 1e\+09 working days"),
    ("id,duration\nA,60000\n", r"Task 'A' finishes 60000 working days"),
])
def test_huge_durations_and_lags_are_refused_by_the_schedule(tmp_path, tasks_csv, message):
    with pytest.raises(pm.ValidationError, match=message):
        pm.cpm(pm.read_project(folder(tmp_path, tasks_csv=tasks_csv)))


@pytest.mark.parametrize("toml", [
    "budget = " + "[" * 5_000 + "]" * 5_000,
    "extra = " + "{a = " * 3_000 + "1" + "}" * 3_000,
])
def test_deeply_nested_toml_is_refused(tmp_path, toml):
    plan = folder(tmp_path, project_toml=f'name = "x"\nstart = 2027-01-04\n{toml}\n')
    with pytest.raises(pm.FileFormatError, match=r"project\.toml: not valid TOML: arrays or tables nested too "
                                                 r"deeply"):
        pm.read_project(plan)


@pytest.mark.parametrize("n", [3, 2_000])
def test_a_long_cycle_is_named_briefly(tmp_path, n):
    rows = "".join(f"T{k},1,T{(k - 1) % n}\n" for k in range(n))
    plan = folder(tmp_path, tasks_csv="id,duration,predecessors\n" + rows)
    with pytest.raises(pm.CycleError, match=r"tasks\.csv, rows .*: the dependencies form a cycle: T0 -> T1 -> T2") \
            as caught:
        pm.read_project(plan)
    assert len(caught.value.cycle) == n + 1  # the whole cycle is kept on the error ...
    assert len(str(caught.value)) < 700  # ... and the message stays readable


@pytest.mark.parametrize("tasks_csv, message", [
    ('id,duration,name\nA,1,"Design\nB,2,x\n', r"tasks\.csv, line 3: the file ends inside a quoted cell \(opened in "
                                               r"the row that starts on line 2\); close the quote"),
    ('id,duration,name\nA,1,"' + "x" * 200_000 + '"\n', r"tasks\.csv, line 2: a cell longer than 131,072 characters"),
])
def test_a_quote_left_open_is_named(tmp_path, tasks_csv, message):
    with pytest.raises(pm.FileFormatError, match=message):
        pm.read_project(folder(tmp_path, tasks_csv=tasks_csv))
