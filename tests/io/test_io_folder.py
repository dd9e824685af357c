"""Project folders: tasks.csv, resources.csv, risks.csv, project.toml."""

from __future__ import annotations

import datetime as dt
import os
import tomllib

import pytest

import pmsim as pm
from pmsim.io import folder as folder_module
from support import rich_project

SAMPLES = pm.sample_projects()


def write_files(path, files: dict[str, str]):
    path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (path / name).write_text(text, encoding="utf-8")
    return path


def snapshot(path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


# --------------------------------------------------------------------------- round trip


def test_rich_project_round_trips_exactly(tmp_path):
    p = rich_project()
    pm.write_project(p, tmp_path / "rich")
    assert sorted(os.listdir(tmp_path / "rich")) == ["project.toml", "resources.csv", "risks.csv", "tasks.csv"]
    q = pm.read_project(tmp_path / "rich")
    assert q == p
    # Writing what was read gives the same bytes: the format is stable.
    pm.write_project(q, tmp_path / "again")
    assert snapshot(tmp_path / "again") == snapshot(tmp_path / "rich")


def test_written_csv_reads_like_a_hand_written_file(tmp_path):
    pm.write_project(rich_project(), tmp_path)
    lines = (tmp_path / "tasks.csv").read_text().splitlines()
    assert lines[0] == ("id,name,phase,duration,optimistic,most_likely,pessimistic,distribution,"
                        "lambda,values,predecessors,resources,fixed_cost,cost_per_day,milestone")
    assert lines[1] == "S,Kick-off,Start,0,,,,,,,,,0,0,true"
    assert lines[2] == 'A,"Design, ""core""",Design,,2,3,7,betapert,,,S,dev:2; dba:0.5,1500.5,100,false'
    assert lines[4] == "C,Data model,,,0.30000000000000004,1,2.2,triangular,,,A,dba:0.3333333333333333,0,0,false"
    assert lines[5] == "D,Build,Build,,2,,5,uniform,,,B FF-1,,0,0.3333333333333333,false"
    assert (tmp_path / "resources.csv").read_text() == (
        "id,name,capacity,cost_per_day\ndev,Developer,3,640\ndba,Database admin,0.5,900.25\n")
    toml = tomllib.loads((tmp_path / "project.toml").read_text())
    assert toml["start"] == dt.date(2027, 1, 4) and toml["budget"] == 123456.78
    assert toml["calendar"] == {"workdays": ["Mon", "Tue", "Wed", "Thu", "Sat"],
                                "holidays": [dt.date(2027, 1, 6), dt.date(2027, 4, 2)]}


def test_unused_optional_columns_are_left_out(tmp_path):
    p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=2), pm.Task("B", duration=3)],
                   budget=5000.0)
    pm.write_project(p, tmp_path)
    header = (tmp_path / "tasks.csv").read_text().splitlines()[0]
    assert "lambda" not in header and "values" not in header
    assert (tmp_path / "risks.csv").read_text().splitlines() == [
        "id,name,probability,tasks,optimistic,most_likely,pessimistic,distribution,cost_impact"]
    assert "budget = 5000\n" in (tmp_path / "project.toml").read_text()
    assert pm.read_project(tmp_path) == p


def test_sample_data_is_there():
    assert SAMPLES, f"no sample projects found in {pm.data_path()}"


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_projects_round_trip(name, tmp_path):
    p = pm.read_project(pm.data_path(name))
    pm.write_project(p, tmp_path / name)
    assert pm.read_project(tmp_path / name) == p
    pm.write_project(pm.read_project(tmp_path / name), tmp_path / "again")
    assert snapshot(tmp_path / "again") == snapshot(tmp_path / name)


# --------------------------------------------------------------------------- reading


TOML = 'name = "demo"\nstart = 2027-01-04\n'


def test_toml_dates_may_be_quoted_strings(tmp_path):
    write_files(tmp_path, {
        "project.toml": 'start = "2027-01-04"\ndeadline = "2027-03-01"\n[calendar]\nholidays = ["2027-01-06"]\n',
        "tasks.csv": "id,duration\nA,2\n",
    })
    p = pm.read_project(tmp_path)
    assert (p.start, p.deadline, p.calendar.holidays) == (
        dt.date(2027, 1, 4), dt.date(2027, 3, 1), (dt.date(2027, 1, 6),))
    assert p.name == "project"


def test_ids_stay_text_and_rows_count_lines(tmp_path):
    write_files(tmp_path, {
        "project.toml": TOML,
        # a blank line and an Excel byte-order mark: the error still names line 5
        "tasks.csv": "\ufeffid,duration,predecessors\n1,2,\n02,3,1\n\n3,-1,02FS+1d\n",
    })
    with pytest.raises(pm.ValidationError, match=r"tasks\.csv, row 5 \(task '3'\): durations must be >= 0"):
        pm.read_project(tmp_path)
    (tmp_path / "tasks.csv").write_text("id,duration,predecessors\n1,2,\n02,3,1\n\n3,1,02FS+1d\n")
    p = pm.read_project(tmp_path)
    assert p.task_ids == ("1", "02", "3")
    assert p.dependencies[1] == pm.Dependency("02", "3", "FS", 1)


def test_resources_and_risks_files_are_optional(tmp_path):
    write_files(tmp_path, {"project.toml": TOML, "tasks.csv": "id,duration\nA,2\n"})
    p = pm.read_project(tmp_path)
    assert p.resources == () and p.risks == ()


def test_unknown_column_in_a_file_warns_with_the_file_name(tmp_path):
    write_files(tmp_path, {"project.toml": TOML, "tasks.csv": "id,duration,owner\nA,2,kim\n"})
    with pytest.warns(pm.PmsimWarning, match=r"tasks\.csv: ignoring unknown column\(s\) 'owner'"):
        pm.read_project(tmp_path)


def test_unknown_toml_key_warns(tmp_path):
    write_files(tmp_path, {"project.toml": TOML + 'source = "a book"\n', "tasks.csv": "id,duration\nA,2\n"})
    with pytest.warns(pm.PmsimWarning, match=r"project\.toml: ignoring unknown setting\(s\) 'source'"):
        pm.read_project(tmp_path)


# --------------------------------------------------------------------------- writing


def test_writing_replaces_stale_files_and_keeps_others(tmp_path):
    pm.write_project(rich_project(), tmp_path)
    (tmp_path / "progress.csv").write_text("id,percent_complete\nA,50\n")
    small = pm.Project(name="small", start="2027-01-04", tasks=[pm.Task("A", duration=1)])
    pm.write_project(small, tmp_path)
    assert pm.read_project(tmp_path) == small  # the old risks.csv and resources.csv are gone
    assert (tmp_path / "progress.csv").read_text() == "id,percent_complete\nA,50\n"
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")]


def test_a_failed_write_leaves_the_old_project_whole(tmp_path, monkeypatch):
    pm.write_project(rich_project(), tmp_path)
    before = snapshot(tmp_path)
    real_replace = os.replace
    calls = []

    def flaky_replace(src, dst):
        calls.append(dst)
        if len(calls) == 5:  # after tasks.csv is already in place
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(folder_module.os, "replace", flaky_replace)
    small = pm.Project(name="small", start="2027-01-04", tasks=[pm.Task("A", duration=1)])
    with pytest.raises(pm.FileFormatError, match="cannot write the project: No space left on device"):
        pm.write_project(small, tmp_path)
    monkeypatch.undo()
    assert snapshot(tmp_path) == before
    assert pm.read_project(tmp_path) == rich_project()


def test_a_failed_write_of_a_new_folder_leaves_nothing(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError(13, "Permission denied")

    monkeypatch.setattr(folder_module.os, "replace", broken)
    with pytest.raises(pm.FileFormatError, match="Permission denied"):
        pm.write_project(rich_project(), tmp_path / "new")
    assert os.listdir(tmp_path) == []


def test_written_files_have_ordinary_permissions(tmp_path):
    pm.write_project(rich_project(), tmp_path / "p")
    mask = os.umask(0)
    os.umask(mask)
    for p in (tmp_path / "p").iterdir():
        assert p.stat().st_mode & 0o777 == 0o666 & ~mask
    assert (tmp_path / "p").stat().st_mode & 0o777 == 0o777 & ~mask


def test_writing_over_a_file_is_refused(tmp_path):
    (tmp_path / "plan").write_text("not a folder")
    with pytest.raises(pm.FileFormatError, match="exists and is not a folder"):
        folder_module.write_folder(rich_project(), tmp_path / "plan")
