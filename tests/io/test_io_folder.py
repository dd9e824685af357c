"""Project folders: tasks.csv, resources.csv, risks.csv, project.toml."""

from __future__ import annotations

import datetime as dt
import os
import tomllib

import pytest

import pmsim as pm
from pmsim.io import folder as folder_module
from support import rich_project, time_project

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


# --------------------------------------------------------------------------- calendars, constraints, progress


def test_every_time_feature_round_trips_exactly(tmp_path):
    p = time_project()
    pm.write_project(p, tmp_path / "p")
    assert sorted(os.listdir(tmp_path / "p")) == [
        "calendars.csv", "project.toml", "resources.csv", "risks.csv", "tasks.csv"]
    q = pm.read_project(tmp_path / "p")
    assert q == p
    pm.write_project(q, tmp_path / "again")
    assert snapshot(tmp_path / "again") == snapshot(tmp_path / "p")


def test_time_files_read_like_hand_written_ones(tmp_path):
    pm.write_project(time_project(), tmp_path)
    calendars = (tmp_path / "calendars.csv").read_text().splitlines()
    assert calendars[0] == "id,name,workdays,hours,fri,sat,sun,hours_per_day,holidays,exceptions"
    assert calendars[2] == "night,Night shift,Sun-Thu,00:00-06:00; 22:00-24:00,,,,,,"
    assert calendars[3] == "24h,Round the clock,Mon-Sun,00:00-24:00,,,,,,"
    assert calendars[4] == "short_fri,,Mon-Thu,07:00-12:00; 12:30-17:00,07:00-12:00,,,8,,"
    assert calendars[5] == "weekends,Weekend crew,none,none,,09:00-13:00,09:00-13:00,,,"
    tasks = (tmp_path / "tasks.csv").read_text().splitlines()
    assert tasks[0].endswith(",milestone,calendar,constraint,constraint_date,secondary_constraint,"
                             "secondary_constraint_date,deadline,actual_start,actual_finish,remaining_duration,"
                             "percent_complete")
    assert tasks[3].startswith("B,Build,,,4,6,10,betapert,A SS+2; A FF+2,night_ops:1,0,0,false,,,,,,,2027-01-11,,3.5,40")
    assert tasks[5] == "D,Review,,2,,,,,C FS+1 @24h,,0,0,false,,SNLT,2027-03-01,,,,,,,"
    assert (tmp_path / "resources.csv").read_text() == (
        "id,name,capacity,cost_per_day,calendar\nnight_ops,Night operator,2,500,night\ndev,Developer,3,640,\n")
    toml = tomllib.loads((tmp_path / "project.toml").read_text())
    assert toml["calendar"] == "standard" and toml["status_date"] == dt.datetime(2027, 1, 13, 17)
    assert (toml["must_finish_by"], toml["honor_constraints"]) == (dt.date(2027, 6, 30), False)


def test_a_project_calendar_of_its_own_goes_in_project_toml(tmp_path):
    from pmsim.calendar import CalendarException

    cal = pm.Calendar(workdays="Mon-Thu", week={"Fri": "08:00-12:00"}, holidays=("2027-01-06",),
                      exceptions=(CalendarException("2027-12-24", hours="08:00-12:00", name="Eve"),
                                  CalendarException("2027-12-27", "2027-12-31")))
    p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=1)], calendar=cal)
    pm.write_project(p, tmp_path)
    assert "calendars.csv" not in os.listdir(tmp_path)
    toml = tomllib.loads((tmp_path / "project.toml").read_text())
    assert toml["calendar"] == {"workdays": ["Mon", "Tue", "Wed", "Thu"], "holidays": [dt.date(2027, 1, 6)],
                                "fri": "08:00-12:00",
                                "exceptions": ["2027-12-24 Eve: 08:00-12:00", "2027-12-27..2027-12-31: none"]}
    assert pm.read_project(tmp_path) == p


def test_a_stale_calendars_file_is_removed(tmp_path):
    pm.write_project(time_project(), tmp_path)
    small = pm.Project(name="small", start="2027-01-04", tasks=[pm.Task("A", duration=1)])
    pm.write_project(small, tmp_path)
    assert sorted(os.listdir(tmp_path)) == ["project.toml", "resources.csv", "risks.csv", "tasks.csv"]
    assert pm.read_project(tmp_path) == small


def test_a_failed_write_puts_a_removed_calendars_file_back(tmp_path, monkeypatch):
    pm.write_project(time_project(), tmp_path)
    before = snapshot(tmp_path)
    real_replace = os.replace

    def flaky_replace(src, dst):
        if str(src).endswith("calendars.csv"):  # the last step: calendars.csv is moved away, then the disk fails
            real_replace(src, dst)
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(folder_module.os, "replace", flaky_replace)
    small = pm.Project(name="small", start="2027-01-04", tasks=[pm.Task("A", duration=1)])
    with pytest.raises(pm.FileFormatError, match="No space left on device"):
        pm.write_project(small, tmp_path)
    monkeypatch.undo()
    assert snapshot(tmp_path) == before


HAND_CALENDARS = """\
id,name,workdays,hours,fri,hours_per_day,holidays,exceptions
office,Office,Mon-Fri,08:00-12:00; 13:00-17:00,08:00-12:00,,2027-04-02,2027-12-24: 08:00-12:00; 2027-12-27..2027-12-31 Shutdown: none
plant,Plant,"Mon, Tue, Wed, Thu, Fri, Sat",06:00-14:00; 14:00-22:00,,16,,
"""


def test_a_folder_typed_by_hand_reads(tmp_path):
    write_files(tmp_path, {
        "project.toml": TOML + 'calendar = "office"\nstatus_date = 2027-01-06T12:00:00\nlag_calendar = "24h"\n',
        "calendars.csv": HAND_CALENDARS,
        "resources.csv": "id,capacity,calendar\nop,2,plant\n",
        "tasks.csv": ("id,duration,predecessors,resources,constraint,constraint_date,deadline,actual_start,"
                      "percent_complete\n"
                      "A,3,,,,,,2027-01-04,50\n"
                      "B,2,A SS; A FF+2,op:1,Start No Earlier Than,2027-01-11 06:00,2027-01-29,,\n"),
    })
    p = pm.read_project(tmp_path)
    assert p.calendar.id == "office" and p.calendar.day_hours("Fri") == ((480, 720),)
    assert p.calendar.exceptions[1].name == "Shutdown"
    assert p.resource("op").calendar == "plant" and p.task_calendar("B").hours_per_day == 16
    assert [(d.type, d.lag) for d in p.predecessors("B")] == [("SS", 0.0), ("FF", 2.0)]
    b = p.task("B")
    assert (b.constraint, b.constraint_date, b.deadline) == ("SNET", dt.datetime(2027, 1, 11, 6), dt.date(2027, 1, 29))
    assert (p.status_date, p.lag_calendar) == (dt.datetime(2027, 1, 6, 12), "24h")


@pytest.mark.parametrize(
    "files, error, message",
    [
        # an unknown calendar id in tasks.csv, named by its line
        ({"tasks.csv": "id,duration,calendar\nA,1,office\nB,1,ofice\n"}, pm.UnknownReferenceError,
         r"tasks\.csv, row 3 \(task 'B'\): unknown calendar 'ofice'; known calendars are 'office', 'plant'$"),
        # a calendar with no working time
        ({"calendars.csv": "id,workdays,hours\noffice,Mon-Fri,08:00-17:00\nidle,Mon-Fri,none\n"}, pm.ValidationError,
         r"calendars\.csv, row 3 \(calendar 'idle'\): no working time at all"),
        # hours that are not HH:MM-HH:MM
        ({"calendars.csv": "id,hours\noffice,8-17\n"}, pm.ValidationError,
         r"calendars\.csv, row 2 \(calendar 'office'\), column 'hours': '8-17' is not a span of working time "
         r"such as 08:00-12:00$"),
        # an exception that cannot be read
        ({"calendars.csv": "id,exceptions\noffice,Christmas: none\n"}, pm.ValidationError,
         r"calendars\.csv, row 2 \(calendar 'office'\), column 'exceptions': cannot read exception 'Christmas: none'"),
        # an unknown constraint
        ({"tasks.csv": "id,duration,constraint\nA,1,\nB,1,Soon\n"}, pm.ValidationError,
         r"tasks\.csv, row 3 \(task 'B'\): unknown constraint 'Soon'"),
        # a constraint without its date
        ({"tasks.csv": "id,duration,constraint\nA,1,FNLT\n"}, pm.ValidationError,
         r"tasks\.csv, row 2 \(task 'A'\): constraint FNLT needs a date \(constraint_date\)$"),
        # actual finish before actual start
        ({"tasks.csv": "id,duration,actual_start,actual_finish\nA,1,2027-01-05,2027-01-04\n",
          "project.toml": TOML + "status_date = 2027-01-08\n"}, pm.ValidationError,
         r"tasks\.csv, row 2 \(task 'A'\): actual_finish 2027-01-04 is before actual_start 2027-01-05$"),
        # the project calendar names a calendar calendars.csv does not have
        ({"project.toml": TOML + 'calendar = "standard"\n'}, pm.UnknownReferenceError,
         r"project\.toml, key 'calendar': unknown calendar 'standard'; .*calendars\.csv has 'office', 'plant'$"),
        # an empty list of workdays does not silently become Mon-Fri
        ({"project.toml": TOML + "[calendar]\nworkdays = []\n"}, pm.ValidationError,
         r"project\.toml, key 'calendar\.workdays': no working weekday"),
        # a weekday that does not exist, in a range
        ({"project.toml": TOML + '[calendar]\nworkdays = "Mon-Fryday"\n'}, pm.ValidationError,
         r"project\.toml, key 'calendar\.workdays': unknown weekday 'Fryday'"),
        # the project calendar: a table and a name at once is not TOML; a number is neither
        ({"project.toml": TOML + "calendar = 3\n"}, pm.ValidationError,
         r"project\.toml, key 'calendar': expected a calendar id, or a table"),
    ],
)
def test_time_errors_name_file_row_and_rule(tmp_path, files, error, message):
    write_files(tmp_path, {"project.toml": TOML, "tasks.csv": "id,duration\nA,1\n", "calendars.csv": HAND_CALENDARS,
                           **files})
    with pytest.raises(error, match=message):
        pm.read_project(tmp_path)


# --------------------------------------------------------------------------- files from other programs


@pytest.mark.parametrize("workdays", ['"Mon-Fri"', '"Mon, Tue, Wed, Thu, Fri"', '["Mon-Wed", "Thu", "Friday"]',
                                      '["Mon", "Tue", "Wed", "Thu", "Fri"]'])
def test_workdays_in_any_usual_spelling(tmp_path, workdays):
    write_files(tmp_path, {"project.toml": TOML + f"[calendar]\nworkdays = {workdays}\n",
                           "tasks.csv": "id,duration\nA,2\n"})
    assert pm.read_project(tmp_path).calendar.workdays == ("Mon", "Tue", "Wed", "Thu", "Fri")


def test_a_byte_order_mark_in_project_toml_is_fine(tmp_path):
    write_files(tmp_path, {"project.toml": "\ufeff" + TOML, "tasks.csv": "id,duration\nA,2\n"})
    assert pm.read_project(tmp_path).name == "demo"


@pytest.mark.parametrize(
    "text",
    [
        # a European Excel: semicolons between cells (and quotes around a cell that holds one), decimal commas
        'id;name;duration;fixed_cost;predecessors\nA;Design, core;1,5;2500,75;\nB;Build;3;0;"A SS; A FF+1"\n',
        # the same with Excel's sep= line in front
        'sep=;\nid;name;duration;fixed_cost;predecessors\nA;Design, core;1,5;2500,75;\nB;Build;3;0;"A SS; A FF+1"\n',
        # tabs
        "id\tname\tduration\tfixed_cost\tpredecessors\nA\tDesign, core\t1.5\t2500.75\t\nB\tBuild\t3\t0\tA SS; A FF+1\n",
    ],
)
def test_other_separators_are_detected(tmp_path, text):
    write_files(tmp_path, {"project.toml": TOML, "tasks.csv": text})
    p = pm.read_project(tmp_path)
    assert (p.task("A").name, p.task("A").estimate, p.task("A").fixed_cost) == ("Design, core", pm.Fixed(1.5), 2500.75)
    assert [(d.type, d.lag) for d in p.predecessors("B")] == [("SS", 0.0), ("FF", 1.0)]


def test_semicolon_file_errors_count_lines_after_the_sep_line(tmp_path):
    write_files(tmp_path, {"project.toml": TOML, "tasks.csv": "sep=;\nid;duration\nA;1\nB;soon\n"})
    with pytest.raises(pm.ValidationError, match=r"tasks\.csv, row 4 \(task 'B'\): duration must be a number"):
        pm.read_project(tmp_path)


@pytest.mark.parametrize(
    "text, error, message",
    [
        # a row with more cells than the header: refused, naming its line (not shifted into other columns)
        ("id,duration\nA,1\nB,2,5\n", pm.FileFormatError,
         r"tasks\.csv, row 3: 3 cells but the header has 2 columns \(cells are separated by commas"),
        # a column twice
        ("id,duration,name,Duration\nA,1,a,2\n", pm.FileFormatError, r"tasks\.csv: column 'duration' appears twice$"),
    ],
)
def test_malformed_tables_are_refused(tmp_path, text, error, message):
    write_files(tmp_path, {"project.toml": TOML, "tasks.csv": text})
    with pytest.raises(error, match=message):
        pm.read_project(tmp_path)
