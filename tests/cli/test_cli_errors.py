"""Every error of the command line is one line on stderr and exit status 2, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import pmsim as pm
from pmsim.cli import main

TEXTBOOK = str(pm.data_path("textbook"))


def one_line_error(capsys, argv) -> str:
    status = main(argv)
    out, err = capsys.readouterr()
    assert status == 2, (out, err)
    assert out == "" and err.count("\n") == 1 and err.startswith("pmsim"), err
    assert "Traceback" not in err
    return err


def late_project(folder: Path, start: str) -> Path:
    folder.mkdir()
    (folder / "project.toml").write_text(f'name = "late"\nstart = "{start}"\n')
    (folder / "tasks.csv").write_text("id,duration,predecessors\nA,30,\nB,100,A\n")
    return folder


COMMANDS = [["cpm", "--json"], ["cpm"], ["cpm", "--table"], ["level", "--json"], ["level"],
            ["simulate", "--json", "--iterations", "100", "--seed", "1"], ["simulate", "--iterations", "100"]]


@pytest.mark.parametrize("command", COMMANDS)
def test_dates_past_9999_are_one_line(command, tmp_path, capsys):
    # 130 working days from 20 December 9999 end in the year 10000, which no ISO date holds.
    path = late_project(tmp_path / "late", "9999-12-20")
    err = one_line_error(capsys, [command[0], str(path), *command[1:]])
    assert err.startswith("pmsim: error: ") and "after 9999-12-31" in err


@pytest.mark.parametrize("command", COMMANDS)
def test_dates_close_to_9999_are_written_or_refused_in_one_line(command, tmp_path, capsys):
    # From June 9999 the work fits (B finishes 9999-11-29); the times of day need calendar tables
    # that reach past the year's end, which pmsim's calendars may refuse: then in one line.
    path = late_project(tmp_path / "late", "9999-06-01")
    status = main([command[0], str(path), *command[1:]])
    out, err = capsys.readouterr()
    if status == 0:
        assert "9999-11-29" in out and err.count("\n") <= 1
    else:
        assert status == 2 and out == "" and err.count("\n") == 1 and err.startswith("pmsim: error: ")
    if command in (["cpm"], ["simulate", "--iterations", "100"]):
        assert status == 0  # these need no times of day


def test_report_into_a_path_under_a_file(tmp_path, capsys):
    (tmp_path / "afile").write_text("not a folder")
    target = tmp_path / "afile" / "sub" / "r.html"
    err = one_line_error(capsys, ["report", TEXTBOOK, "-o", str(target)])
    assert err == f"pmsim: error: cannot write {target}: {tmp_path / 'afile'} is a file, not a folder\n"
    err = one_line_error(capsys, ["report", TEXTBOOK, "-o", str(tmp_path)])
    assert "is a folder; give the report's file name" in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["simulate", TEXTBOOK, "--iterations", "many"], "pmsim simulate: error: argument --iterations: invalid int"),
        (["frobnicate"], "pmsim: error: argument COMMAND: invalid choice: 'frobnicate'"),
        (["cpm"], "pmsim cpm: error: the following arguments are required: PATH"),
        (["cpm", TEXTBOOK, "--json", "--table"], "pmsim cpm: error: argument --table: not allowed with argument --json"),
        ([], "pmsim: error: the following arguments are required: COMMAND"),
    ],
)
def test_usage_errors_are_one_line(argv, message, capsys):
    err = one_line_error(capsys, argv)
    assert err.startswith(message) and err.rstrip().endswith("--help)")


def test_a_sample_name_stands_for_its_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["cpm", "textbook", "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["makespan"] == 43
    assert err == f"pmsim: no 'textbook' here: using the sample project textbook ({pm.data_path('textbook')})\n"
    # A folder of that name in the working directory wins; --quiet drops the note.
    pm.write_project(pm.read_project(pm.data_path("erp_upgrade")), tmp_path / "textbook")
    assert main(["cpm", "textbook", "--json", "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["project"] == "ERP upgrade 2027" and err == ""
    err = one_line_error(capsys, ["cpm", "no_such_sample"])
    assert "no_such_sample: no such file or folder (sample projects: datacentre_migration, " in err


def test_a_bug_of_ours_is_still_one_line(monkeypatch, capsys):
    def broken(project):
        raise TypeError("unsupported operand")

    monkeypatch.setattr(pm, "cpm", broken)
    err = one_line_error(capsys, ["cpm", TEXTBOOK])
    assert err == ("pmsim: error: internal error (TypeError: unsupported operand); please report it "
                   "(PMSIM_DEBUG=1 shows the traceback)\n")
    monkeypatch.setenv("PMSIM_DEBUG", "1")
    with pytest.raises(TypeError):
        main(["cpm", TEXTBOOK])


def test_a_file_the_system_refuses_is_one_line(monkeypatch, capsys):
    def refused(path):
        raise PermissionError(13, "Permission denied", "tasks.csv")

    monkeypatch.setattr(pm, "read_project", refused)
    assert one_line_error(capsys, ["cpm", TEXTBOOK]) == "pmsim: error: tasks.csv: Permission denied\n"


def test_a_closed_pipe_is_not_an_error():
    # `pmsim ... | head -1`: the reader stops early; pmsim exits quietly.
    script = ("import sys; sys.argv = ['pmsim', 'cpm', sys.argv[1], '--table']; "
              "from pmsim.cli import main; sys.exit(main())")
    pipe = subprocess.run(f"{sys.executable} -c \"{script}\" {TEXTBOOK} | head -1", shell=True,
                          capture_output=True, text=True, timeout=120)
    assert pipe.stdout.startswith("Reliable Construction") and "Traceback" not in pipe.stderr
