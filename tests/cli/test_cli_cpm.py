"""`pmsim cpm PATH [--table | --json]`: the schedule as a summary, a table and JSON, and clean errors on bad files."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import pmsim as pm
from pmsim.cli import main
from support import rich_project

SAMPLES = pm.sample_projects()
TOP_KEYS = ["project", "start_date", "finish_date", "makespan", "deadline", "currency", "budget", "baseline_cost",
            "critical_path", "tasks"]
TASK_KEYS = ["id", "name", "phase", "duration", "start", "finish", "early_start", "early_finish",
             "late_start", "late_finish", "total_float", "free_float", "critical", "start_date", "finish_date",
             "start_time", "finish_time"]
CONSOLE_SCRIPT = Path(sys.executable).parent / "pmsim"


def run_json(capsys, path) -> dict:
    status = main(["cpm", str(path), "--json"])
    out, err = capsys.readouterr()
    assert (status, err) == (0, "")
    return json.loads(out)


def check_schedule_json(data: dict, project: pm.Project) -> None:
    assert list(data) == TOP_KEYS
    assert data["project"] == project.name
    assert [t["id"] for t in data["tasks"]] == list(project.task_ids)
    for task in data["tasks"]:
        assert list(task) == TASK_KEYS
        assert task["early_start"] <= task["late_start"] + 1e-9
        assert task["total_float"] >= task["free_float"] >= 0
        assert task["critical"] == (task["total_float"] == 0)
        dt.date.fromisoformat(task["start_date"])
        moment = dt.datetime.fromisoformat(task["finish_time"])
        assert moment.date() == dt.date.fromisoformat(task["finish_date"])
    assert data["makespan"] == max(t["finish"] for t in data["tasks"])
    by_id = {t["id"]: t for t in data["tasks"]}
    assert data["critical_path"] and all(by_id[i]["critical"] for i in data["critical_path"])
    assert dt.date.fromisoformat(data["finish_date"]) >= dt.date.fromisoformat(data["start_date"]) >= project.start


def test_sample_data_is_there():
    assert SAMPLES, f"no sample projects found in {pm.data_path()}"


@pytest.mark.parametrize("name", SAMPLES)
def test_cpm_json_for_every_sample_project(name, capsys):
    path = pm.data_path(name)
    data = run_json(capsys, path)
    check_schedule_json(data, pm.read_project(path))


def test_cpm_json_of_a_project_checked_by_hand(tmp_path, capsys):
    """The rich fixture: SS, FF with a lead, SF, FS with a lag, a Mon-Thu + Sat week and a holiday.

    Planned durations: A 3, B 2.5, C 1, D 3.5 (uniform median), E 6 (lognormal median),
    F 6, G 10 (discrete mode), 10: 4. G starts at B + 2 - 0.25 = 1.75 and finishes at
    11.75, so 10 runs 11.75-15.75: working day 15 from Mon 4 Jan 2027 is Tue 26 Jan.
    """
    pm.write_project(rich_project(), tmp_path / "rich")
    data = run_json(capsys, tmp_path / "rich")
    check_schedule_json(data, rich_project())
    assert data["makespan"] == 15.75
    assert data["start_date"] == "2027-01-04" and data["finish_date"] == "2027-01-26"
    assert set(data["critical_path"]) == {"S", "A", "B", "G", "10", "M"}
    by_id = {t["id"]: t for t in data["tasks"]}
    assert (by_id["G"]["early_start"], by_id["D"]["early_finish"], by_id["F"]["early_start"]) == (1.75, 3.5, 5.0)
    # Working days 08:00-12:00 and 13:00-17:00, Mon-Thu and Sat, Wed 6 Jan a holiday. G starts 1.75 days in:
    # day 1 is Tue 5 Jan, and 6 of its 8 hours have passed at 15:00. D finishes half-way through day 3
    # (Mon 4, Tue 5, Thu 7, Sat 9): Sat 9 Jan at 12:00.
    assert by_id["G"]["start_time"] == "2027-01-05T15:00" and by_id["D"]["finish_time"] == "2027-01-09T12:00"
    assert (data["deadline"], data["currency"], data["budget"]) == ("2027-06-30", "EUR", 123456.78)


def test_cpm_summary_of_the_textbook_project(capsys):
    """Most likely durations A 2, B 3.5, C 9, E 4.5, F 4, J 9, L 5.5, N 5.5 make 43 working days from
    Mon 4 Jan 2027 (no holidays): Wed 3 Mar. The deadline, Tue 9 Mar, is 4 working days later (Thu 4,
    Fri 5, Mon 8, Tue 9). The budget is the sum of the fixed costs, 4.55 million dollars."""
    assert main(["cpm", str(pm.data_path("textbook"))]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "Reliable Construction Co. (textbook): critical path schedule (CPM)"
    assert lines[1:6] == [
        "start     2027-01-04",
        "finish    2027-03-03 (43 working days)",
        "deadline  2027-03-09 (met, 4 working days to spare)",
        "budget    USD 4,550,000 (baseline cost USD 4,550,000: 100.0 % of it)",
        "tasks     14, 8 critical",
    ]
    assert lines[6:] == ["critical path:", "  A\u00a0→ B\u00a0→ C\u00a0→ E\u00a0→ F\u00a0→ J\u00a0→ L\u00a0→ N"]
    assert "total float" not in out  # the task table only with --table


def test_cpm_table_has_a_row_per_task(capsys):
    path = pm.data_path("textbook")
    assert main(["cpm", str(path), "--table"]) == 0
    lines = capsys.readouterr().out.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("id  task"))
    assert re.split(r"\s{2,}", lines[head]) == ["id", "task", "start", "finish", "days", "total float", "free float",
                                                "critical"]
    rows = lines[head + 1:]
    assert [r.split()[0] for r in rows] == list("ABCDEFGHIJKLMN")
    # I (electrical work, 7.5 days) may slip 1 working day: C ends at 14.5, J waits for F until 23.
    assert rows[8].split()[-3:] == ["7.5", "1", "1"]
    assert rows[0].endswith("yes") and not rows[8].endswith("yes")


def test_cpm_table_shows_times_of_day_when_they_differ(tmp_path, capsys):
    pm.write_project(rich_project(), tmp_path / "rich")
    assert main(["cpm", str(tmp_path / "rich"), "--table"]) == 0
    out = capsys.readouterr().out
    row_g = next(line for line in out.splitlines() if line.startswith("G "))
    assert "2027-01-05 15:00" in row_g  # the start worked out in test_cpm_json_of_a_project_checked_by_hand


def test_console_script_prints_json(tmp_path):
    assert CONSOLE_SCRIPT.is_file(), f"the pmsim console script is not installed next to {sys.executable}"
    pm.write_project(rich_project(), tmp_path / "rich")
    done = subprocess.run([str(CONSOLE_SCRIPT), "cpm", str(tmp_path / "rich"), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout)["makespan"] == 15.75


def bad_project(tmp_path) -> Path:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "project.toml").write_text("start = 2027-01-04\n")
    (folder / "tasks.csv").write_text("id,duration,predecessors\nA,1,B\nB,2,A\n")
    return folder


@pytest.mark.parametrize(
    "make_path, message",
    [
        # a dependency cycle
        (bad_project, r"^pmsim: error: .*tasks\.csv, rows 2, 3: the dependencies form a cycle: "),
        # no such folder
        (lambda tmp: tmp / "missing", r"^pmsim: error: .*missing: no such file or folder$"),
        # a folder without project files
        (lambda tmp: tmp, r"^pmsim: error: .*tasks\.csv: no such file"),
    ],
)
def test_bad_file_exits_2_with_one_line(tmp_path, capsys, make_path, message):
    status = main(["cpm", str(make_path(tmp_path)), "--json"])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert err.count("\n") == 1
    assert re.search(message, err.rstrip("\n")), err


def test_console_script_bad_file_has_no_traceback(tmp_path):
    done = subprocess.run([str(CONSOLE_SCRIPT), "cpm", str(bad_project(tmp_path)), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("pmsim: error: ")
    assert "cycle" in lines[0] and "Traceback" not in done.stderr


def test_cpm_reads_a_workbook_too(tmp_path, capsys):
    book = pm.write_project(rich_project(), tmp_path / "rich.xlsx")
    assert run_json(capsys, book)["makespan"] == 15.75
