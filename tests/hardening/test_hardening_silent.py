"""Issue 17, class "silently wrong": inputs that used to load as something other than what they say.

Each case is now either read exactly (the value the file means, worked out in the test) or refused
with a PmsimError naming the file, row or task and the rule.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hostile import folder, mspdi, mspdi_link, mspdi_task, small_project, xer_edit, xer_text

import pmsim as pm
from pmsim.distributions import Discrete

# --------------------------------------------------------------------------- calendar workdays

WEEK = ("Mon", "Tue", "Wed", "Thu", "Fri")


@pytest.mark.parametrize("workdays, expected", [
    ("Mon-Fri", WEEK),
    ("Mon, Tue, Wed, Thu, Fri", WEEK),
    ("Mon; Tue; Wed; Thu; Fri", WEEK),
    (["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"], WEEK),
    ("Sun-Thu", ("Mon", "Tue", "Wed", "Thu", "Sun")),  # a range that wraps past Saturday
    ("mon - wed, fri", ("Mon", "Tue", "Wed", "Fri")),
])
def test_workday_spellings_read_as_written(workdays, expected):
    assert pm.Calendar(workdays=workdays).workdays == expected


@pytest.mark.parametrize("workdays, message", [
    ([], r"at least one working weekday is needed"),
    (["Monkey", "Sundae"], r"unknown weekday 'Monkey'"),
    ("Mon-Fry", r"unknown weekday 'Fry'"),
    ("Mo", r"unknown weekday 'Mo'"),
    (None, r"weekdays must be names or a range such as 'Mon-Fri', got None"),
])
def test_workdays_that_name_no_weekday_are_refused(workdays, message):
    with pytest.raises(pm.ValidationError, match=message):
        pm.Calendar(workdays=workdays)


@pytest.mark.parametrize("toml, message", [
    ('workdays = []', r"project\.toml, key 'calendar\.workdays': no working weekday"),
    ('workdays = ["Monkey"]', r"project\.toml, key 'calendar\.workdays': unknown weekday 'Monkey'"),
    ('workdays = "Mon-Fry"', r"project\.toml, key 'calendar\.workdays': unknown weekday 'Fry'"),
])
def test_workdays_in_project_toml_name_the_key(tmp_path, toml, message):
    plan = folder(tmp_path, project_toml=f'name = "x"\nstart = 2027-01-04\n[calendar]\n{toml}\n')
    with pytest.raises(pm.ValidationError, match=message):
        pm.read_project(plan)


def test_workdays_as_text_in_project_toml(tmp_path):
    plan = folder(tmp_path, project_toml='name = "x"\nstart = 2027-01-04\n[calendar]\nworkdays = "Mon, Wed, Fri"\n')
    project = pm.read_project(plan)
    assert project.calendar.workdays == ("Mon", "Wed", "Fri")
    # A (Mon 4 Jan, 2 days) works Mon and Wed; B (3 days) Fri 8, Mon 11, Wed 13 January.
    assert pm.cpm(project).finish_date == dt.date(2027, 1, 13)


# --------------------------------------------------------------------------- risks and estimates


@pytest.mark.parametrize("tasks, twice", [(["A", "A"], "A"), (("A", "B", "A"), "A"), (["B", "A", "B"], "B")])
def test_a_risk_naming_a_task_twice_is_refused(tasks, twice):
    with pytest.raises(pm.DuplicateIdError, match=rf"Risk 'R1': names task '{twice}' twice"):
        pm.Risk("R1", probability=0.5, tasks=tasks, impact=pm.Fixed(2))


def test_a_risk_naming_a_task_twice_in_risks_csv_names_the_row(tmp_path):
    plan = folder(tmp_path, risks_csv="id,probability,tasks,optimistic,most_likely,pessimistic\n"
                                      "R1,0.5,A,1,2,3\nR2,0.5,A; B; A,1,2,3\n")
    with pytest.raises(pm.DuplicateIdError, match=r"risks\.csv, row 3 \(risk 'R2'\): .*names task 'A' twice"):
        pm.read_project(plan)


@pytest.mark.parametrize("fields, ignored", [
    ({"distribution": "uniform", "optimistic": 1, "most_likely": 2, "pessimistic": 5}, "most_likely"),
    ({"distribution": "uniform", "optimistic": 1, "pessimistic": 5, "duration": 3}, "duration"),
    ({"distribution": "fixed", "duration": 3, "pessimistic": 5}, "pessimistic"),
])
def test_an_estimate_field_the_distribution_ignores_is_refused(fields, ignored):
    with pytest.raises(pm.ValidationError, match=rf"Task 'A': .*but {ignored} is given too and would be ignored"):
        pm.Task("A", **fields)


@pytest.mark.parametrize("row, ignored", [
    ("triangular,1,2,5,4,", "lambda"),  # lambda shapes Beta-PERT only
    ("uniform,1,,5,4,", "lambda"),
    ("betapert,1,2,5,,2:0.5; 4:0.5", "values"),  # values are read for 'discrete' only
])
def test_an_estimate_column_the_distribution_ignores_names_the_row(tmp_path, row, ignored):
    tasks_csv = f"id,distribution,optimistic,most_likely,pessimistic,lambda,values\nA,{row}\n"
    with pytest.raises(pm.ValidationError, match=rf"tasks\.csv, row 2 \(task 'A'\): .*{ignored}"):
        pm.read_project(folder(tmp_path, tasks_csv=tasks_csv))


def test_a_uniform_row_with_a_most_likely_names_the_row(tmp_path):
    plan = folder(tmp_path, tasks_csv="id,distribution,optimistic,most_likely,pessimistic\n"
                                      "A,uniform,1,,5\nB,uniform,1,2,5\n")
    with pytest.raises(pm.ValidationError, match=r"tasks\.csv, row 3 \(task 'B'\): a uniform estimate reads "
                                                 r"optimistic, pessimistic only, but most_likely is given"):
        pm.read_project(plan)


def test_a_uniform_estimate_keeps_its_ends():
    # Uniform(1, 5): mean (1 + 5) / 2 = 3, variance (5 - 1)^2 / 12 = 4/3.
    task = pm.Task("A", distribution="uniform", optimistic=1, pessimistic=5)
    assert (task.estimate.mean, task.estimate.var) == (3.0, pytest.approx(4 / 3))


# --------------------------------------------------------------------------- dates past the calendar's end


@pytest.mark.parametrize("start, days", [("9999-12-01", 40), ("9999-12-20", 30), ("9990-01-01", 3000)])
def test_a_finish_past_9999_names_the_task(start, days):
    project = pm.Project(name="late", start=start, tasks=[pm.Task("A", duration=1), pm.Task("B", duration=days)])
    with pytest.raises(pm.ValidationError, match=r"Task 'B': Calendar: .* working days from .* fall after "
                                                 r"9999-12-31"):
        pm.cpm(project)


def test_a_finish_just_before_9999_is_a_date():
    # 9999-12-27 is a Monday: five working days end on Friday 9999-12-31.
    schedule = pm.cpm(pm.Project(name="edge", start="9999-12-27", tasks=[pm.Task("A", duration=5)]))
    assert schedule.finish_date == dt.date(9999, 12, 31)
    assert isinstance(schedule.finish_date, dt.date)


@pytest.mark.parametrize("estimate", [
    Discrete((1, 1e9), (0.5, 0.5)),
    Discrete((2, 60_000), (0.99, 0.01)),
    pm.Uniform(1, 1e7),
])
def test_an_estimate_that_reaches_past_any_date_is_refused_before_simulating(estimate):
    project = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=1),
                                                              pm.Task("B", estimate=estimate)])
    with pytest.raises(pm.ValidationError, match=r"Task 'B': its estimate reaches .* working days"):
        pm.simulate(project, iterations=100, seed=1)


def test_a_risk_impact_that_reaches_past_any_date_is_refused():
    project = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=1)],
                         risks=[pm.Risk("R", probability=0.5, tasks="A", impact=Discrete((1, 1e8), (0.5, 0.5)))])
    with pytest.raises(pm.ValidationError, match=r"Risk 'R': its impact reaches 1e\+08 working days"):
        pm.simulate(project, iterations=100, seed=1)


def test_a_simulated_finish_past_any_date_is_refused():
    # A lognormal has no upper end: P10 = 1 and P90 = 1e300 give samples beyond any date.
    project = pm.Project(name="wide", start="2027-01-04",
                         tasks=[pm.Task("A", distribution="lognormal", optimistic=1, pessimistic=1e300)])
    with pytest.raises(pm.ValidationError, match=r"Project 'wide': iteration [\d,]+ finishes .* working days"):
        pm.simulate(project, iterations=200, seed=1)


def test_percentiles_of_a_large_but_datable_estimate_are_dates():
    # Discrete 1 or 20,000 working days: P90 is 20,000 working days of Mon-Fri, a date.
    project = pm.Project(name="x", start="2027-01-04",
                         tasks=[pm.Task("A", estimate=Discrete((1, 20_000), (0.5, 0.5)))])
    sim = pm.simulate(project, iterations=200, seed=1)
    p90 = sim.percentile(90)
    assert isinstance(p90, dt.date) and p90 == project.calendar.finish_date(project.start, 20_000)


# --------------------------------------------------------------------------- MSPDI and XER


@pytest.mark.parametrize("tasks, uid", [
    (mspdi_task(1, "A") + mspdi_task(2, "B", links=mspdi_link(2)), 2),
    (mspdi_task(1, "A", links=mspdi_link(1, kind=3)), 1),  # start-to-start to itself
    (mspdi_task(1, "A") + mspdi_task(2, "B", links=mspdi_link(1) + mspdi_link(2, kind=0)), 2),
])
def test_an_mspdi_task_linked_to_itself_is_refused(tmp_path, tasks, uid):
    with pytest.raises(pm.FileFormatError, match=rf"plan\.xml: task UID {uid} \(\w\) predecessor link: links the "
                                                 "task to itself"):
        pm.read_project(mspdi(tmp_path, tasks))


def test_xer_task_ids_given_twice_are_refused(tmp_path):
    def twice(fields, row):
        copy = list(row)
        copy[fields.index("task_code")] += "-copy"
        return [row, copy]  # the same task_id on two lines
    text = xer_edit(xer_text(tmp_path), "TASK", twice)
    (tmp_path / "twice.xer").write_text(text, encoding="utf-8")
    with pytest.raises(pm.FileFormatError, match=r"twice\.xer: TASK line \d+: task_id \d+ is also the task_id of "
                                                 r"TASK line \d+; task_id must be unique"):
        pm.read_project(tmp_path / "twice.xer")


@pytest.mark.parametrize("codes, ids", [
    (["A1000", "A1000"], ["A1000", "A1000#2"]),
    (["X", "X"], ["X", "X#2"]),
])
def test_xer_activities_sharing_an_id_are_renamed_with_a_warning(tmp_path, codes, ids):
    def recode(fields, row):
        row = list(row)
        row[fields.index("task_code")] = codes[int(row[fields.index("task_id")]) - 1]
        return [row]
    text = xer_edit(xer_text(tmp_path), "TASK", recode)
    (tmp_path / "same.xer").write_text(text, encoding="utf-8")
    with pytest.warns(pm.PmsimWarning, match=rf"activities with the same activity ID .*'{codes[1]}' -> '{ids[1]}'"):
        project = pm.read_project(tmp_path / "same.xer", check_health=False)
    assert list(project.task_ids) == ids


# --------------------------------------------------------------------------- CSV rows


@pytest.mark.parametrize("tasks_csv, message", [
    ("id,duration\nA,2,100\n", r"tasks\.csv, row 2: 3 cells but the header has 2 columns"),
    ("id,duration\nA,2\nB,3,4,5\n", r"tasks\.csv, row 3: 4 cells but the header has 2 columns"),
    ("id;duration\nA;2;7\n", r"tasks\.csv, row 2: 3 cells but the header has 2 columns \(cells are separated by "
                             r"semicolons"),
    ("id,duration,duration\nA,2,3\n", r"tasks\.csv: column 'duration' appears twice"),
    ("id,Duration,duration \nA,2,3\n", r"tasks\.csv: column 'duration' appears twice"),
])
def test_csv_rows_that_do_not_fit_the_header_are_refused(tmp_path, tasks_csv, message):
    with pytest.raises(pm.FileFormatError, match=message):
        pm.read_project(folder(tmp_path, tasks_csv=tasks_csv))


@pytest.mark.parametrize("progress_csv, message", [
    ("id,percent_complete\nA,50,100\n", r"progress\.csv, row 2: 3 cells but the header has 2 columns"),
    ("id,percent_complete,percent_complete\nA,50,60\n", r"progress\.csv: column 'percent_complete' appears twice"),
])
def test_progress_rows_that_do_not_fit_the_header_are_refused(tmp_path, progress_csv, message):
    (tmp_path / "progress.csv").write_text(progress_csv, encoding="utf-8")
    with pytest.raises(pm.FileFormatError, match=message):
        pm.read_progress(tmp_path / "progress.csv")


def test_trailing_empty_cells_are_not_a_long_row(tmp_path):
    # Spreadsheets pad rows with empty cells: they carry nothing and are read as the header says.
    project = pm.read_project(folder(tmp_path, tasks_csv="id,duration,predecessors\nA,2,,,\nB,3,A,\n"))
    assert [t.planned_duration for t in project.tasks] == [2.0, 3.0]
    assert small_project().task_ids == project.task_ids


@pytest.mark.parametrize("settings, tasks, day", [
    ({}, [pm.Task("A", duration=1, constraint="SNET", constraint_date="9999-12-30")], "9999-12-30"),
    ({"status_date": "9999-12-31"}, [pm.Task("A", duration=1)], "9999-12-31"),
    ({}, [pm.Task("A", duration=1, deadline="2600-01-01")], "2600-01-01"),
])
def test_a_date_centuries_from_the_start_is_refused_at_once(settings, tasks, day):
    # These used to overflow deep in the calendar tables (OverflowError) or take seconds to get there.
    project = pm.Project(name="far", start="2027-01-04", tasks=tasks, **settings)
    with pytest.raises(pm.ValidationError, match=rf"Project 'far': the date {day} lies more than 400 years from the "
                                                 r"start 2027-01-04"):
        pm.cpm(project)


def test_a_start_in_year_one_schedules():
    # 0001-01-01 was a Monday (proleptic Gregorian): two working days end on Tuesday 0001-01-02.
    schedule = pm.cpm(pm.Project(name="early", start="0001-01-01", tasks=[pm.Task("A", duration=2)]))
    assert schedule.finish_date == dt.date(1, 1, 2)


def test_mspdi_tasks_sharing_an_id_are_renamed_with_a_warning(tmp_path):
    # Task B (UID 2) carries ID 1 as well: it keeps its UID after a '#'.
    tasks = mspdi_task(1, "A") + mspdi_task(2, "B").replace("<ID>2</ID>", "<ID>1</ID>")
    with pytest.warns(pm.PmsimWarning, match=r"tasks with the same ID .*task UID 2 \(B\): '1' -> '1#2'"):
        project = pm.read_project(mspdi(tmp_path, tasks), check_health=False)
    assert project.task_ids == ("1", "1#2")
