"""Projects as pandas tables: parsing the columns, and the exact round trip."""

from __future__ import annotations

import datetime as dt
import math
import warnings

import numpy as np
import pandas as pd
import pytest

import pmsim as pm
from pmsim.model.project import project_from_frames
from pmsim.model.cells import RESOURCE_COLUMNS, RISK_COLUMNS, TASK_COLUMNS
from pmsim.model.frames import project_to_frames
from support import rich_project


def frames_project(**columns) -> pm.Project:
    return project_from_frames(pd.DataFrame(columns), name="t", start="2027-01-04")


# --------------------------------------------------------------------------- round trip


def test_rich_project_round_trips_through_frames():
    p = rich_project()
    frames = project_to_frames(p)
    q = project_from_frames(frames["tasks"], frames["resources"], frames["risks"], **frames["settings"])
    assert q == p
    # Equality of the parts the dataclass comparison might hide.
    assert q.calendar.holidays == (dt.date(2027, 1, 6), dt.date(2027, 4, 2))
    assert q.task("C").estimate.optimistic == 0.30000000000000004
    assert q.task("D").cost_per_day == 1 / 3
    assert q.risk("R5").probability == 1 / 3
    assert [str(d) for d in q.dependencies] == [str(d) for d in p.dependencies]


def test_to_frames_accepts_its_own_output_as_keywords():
    p = rich_project()
    assert pm.Project.from_frames(**p.to_frames()) == p


def test_to_frames_tables_read_as_written_by_hand():
    f = project_to_frames(rich_project())
    tasks = f["tasks"].set_index("id")
    assert list(f["tasks"].columns) == list(TASK_COLUMNS)
    assert list(f["resources"].columns) == list(RESOURCE_COLUMNS)
    assert list(f["risks"].columns) == list(RISK_COLUMNS)
    assert tasks.loc["B", "predecessors"] == "A SS+2"
    assert tasks.loc["D", "predecessors"] == "B FF-1"
    assert tasks.loc["E", "predecessors"] == "C SF"
    assert tasks.loc["F", "predecessors"] == "D FS+1.5"
    assert tasks.loc["10", "predecessors"] == "E; F FF+2; G"
    assert tasks.loc["A", "resources"] == "dev:2; dba:0.5"
    assert tasks.loc["B", "lambda"] == 3.0 and math.isnan(tasks.loc["A", "lambda"])
    assert tasks.loc["G", ["distribution", "values"]].tolist() == ["discrete", "10:0.5; 15:0.3; 20:0.2"]
    assert tasks.loc["E", ["optimistic", "pessimistic", "distribution"]].tolist() == [3.0, 12.0, "lognormal"]
    assert math.isnan(tasks.loc["E", "most_likely"])
    assert tasks.loc["10", ["duration", "distribution"]].tolist() == [4.0, ""]
    assert tasks["milestone"].tolist() == [True] + [False] * 8 + [True]
    risks = f["risks"].set_index("id")
    assert risks.loc["R3", ["most_likely", "distribution"]].tolist() == [3.0, "fixed"]
    assert risks.loc["R2", "tasks"] == "" and math.isnan(risks.loc["R2", "optimistic"])
    assert risks.loc["R1", "tasks"] == "D; F"
    s = f["settings"]
    assert s == {
        "name": "Rich fixture", "start": dt.date(2027, 1, 4), "currency": "EUR", "budget": 123456.78,
        "deadline": dt.date(2027, 6, 30), "description": 'A fixture with "quotes", commas, and\na second line.',
        "calendar": {"workdays": ["Mon", "Tue", "Wed", "Thu", "Sat"],
                     "holidays": [dt.date(2027, 1, 6), dt.date(2027, 4, 2)]},
    }


def test_minimal_project_round_trips_with_defaults():
    p = pm.Project(name="m", start="2027-01-04", tasks=[pm.Task("A", duration=1)])
    f = project_to_frames(p)
    assert set(f["settings"]) == {"name", "start", "currency", "calendar"}
    assert f["resources"].empty and f["risks"].empty
    assert pm.Project.from_frames(**f) == p


# --------------------------------------------------------------------------- predecessors


@pytest.mark.parametrize(
    "cell, expected",
    [
        # FS with no lag when nothing follows the id
        ("A", [("A", "FS", 0.0)]),
        # MS Project's spaced form with a positive lag
        ("A SS+2", [("A", "SS", 2.0)]),
        # a negative lag (a lead)
        ("A FF-1", [("A", "FF", -1.0)]),
        # a type with no lag
        ("A SF", [("A", "SF", 0.0)]),
        # fractional lag with a d suffix
        ("A FS+1.5d", [("A", "FS", 1.5)]),
        # day/days suffixes and spaces inside the lag
        ("A SS+2 days; B FF - 3 day", [("A", "SS", 2.0), ("B", "FF", -3.0)]),
        # lower-case link type
        ("A ss+2", [("A", "SS", 2.0)]),
        # a lag with no type is an FS lag
        ("A +3", [("A", "FS", 3.0)]),
        # compact MS Project form when the id part is a known id
        ("10SS+2d; 10", None),
        # an id with a space, then a link
        ("Go live SS-1", [("Go live", "SS", -1.0)]),
        # MS Project's comma separator
        ("A,B FF+1", [("A", "FS", 0.0), ("B", "FF", 1.0)]),
        # blanks around separators and an empty item are ignored
        (" A ;; B ", [("A", "FS", 0.0), ("B", "FS", 0.0)]),
    ],
)
def test_predecessor_cells(cell, expected):
    ids = ["A", "B", "10", "Go live"]
    if expected is None:  # the compact row needs its own table: a task cannot depend on itself twice
        tasks = pd.DataFrame({"id": ["10", "X", "Y"], "duration": [1, 1, 1], "predecessors": ["", "10SS+2d", "10"]})
        p = project_from_frames(tasks, start="2027-01-04")
        got = [(d.predecessor, d.successor, d.type, d.lag) for d in p.dependencies]
        assert got == [("10", "X", "SS", 2.0), ("10", "Y", "FS", 0.0)]
        return
    p = frames_project(id=ids + ["Z"], duration=[1] * 5, predecessors=["", "", "", "", cell])
    assert [(d.predecessor, d.type, d.lag) for d in p.dependencies] == expected
    assert {d.successor for d in p.dependencies} == {"Z"}


def test_resource_cells_give_units_and_bare_ids_mean_one_unit():
    tasks = pd.DataFrame({"id": ["A", "B"], "duration": [1, 2], "resources": ["dev:2; dba:0.5", "dev"]})
    res = pd.DataFrame({"id": ["dev", "dba"], "capacity": [3, 1]})
    p = project_from_frames(tasks, res, start="2027-01-04")
    assert p.task("A").resources == (("dev", 2.0), ("dba", 0.5))
    assert p.task("B").resources == (("dev", 1.0),)


@pytest.mark.parametrize(
    "cell, expected",
    [("true", True), ("TRUE", True), ("yes", True), ("1", True), (1, True), (True, True),
     ("false", False), ("no", False), ("0", False), (0.0, False), ("", False), (None, False)],
)
def test_milestone_flags(cell, expected):
    duration = 0 if expected else 2
    p = frames_project(id=["A"], duration=[duration], milestone=[cell])
    assert p.task("A").milestone is expected


def test_numeric_ids_are_text_not_floats():
    tasks = pd.DataFrame({"id": [1, 2, 3], "duration": [1.0, 2.0, 3.0], "predecessors": [np.nan, 1, "1; 2 SS"]})
    p = project_from_frames(tasks, start="2027-01-04")
    assert p.task_ids == ("1", "2", "3")
    assert [(d.predecessor, d.successor, d.type) for d in p.dependencies] == [
        ("1", "2", "FS"), ("1", "3", "FS"), ("2", "3", "SS")]


def test_empty_cells_mean_not_given():
    tasks = pd.DataFrame({
        "id": ["A", "B", "C"],
        "duration": [2, np.nan, None],
        "optimistic": [np.nan, 1, 1], "most_likely": [np.nan, 2, 2], "pessimistic": ["", 4, 5],
        "distribution": [np.nan, "", "triangular"],
        "fixed_cost": [np.nan, "", 10],
    })
    p = project_from_frames(tasks, start="2027-01-04")
    assert p.task("A").estimate == pm.Fixed(2)
    assert p.task("B").estimate == pm.BetaPert(1, 2, 4)
    assert p.task("C").estimate == pm.Triangular(1, 2, 5)
    assert [t.fixed_cost for t in p.tasks] == [0.0, 0.0, 10.0]


def test_lognormal_with_two_points_reads_them_as_p10_and_p90():
    p = frames_project(id=["A"], optimistic=[5], pessimistic=[20], distribution=["lognormal"])
    np.testing.assert_allclose(p.task("A").estimate.ppf([0.1, 0.9]), [5.0, 20.0], rtol=1e-12)


def test_discrete_values_and_lambda_columns():
    p = frames_project(id=["A", "B"], optimistic=[None, 1], most_likely=[None, 2], pessimistic=[None, 9],
                       distribution=["discrete", "betapert"], values=["10:0.5; 15:0.3; 20:0.2", None],
                       **{"lambda": [None, 2]})
    assert p.task("A").estimate == pm.Discrete((10, 15, 20), (0.5, 0.3, 0.2))
    assert p.task("B").estimate == pm.BetaPert(1, 2, 9, lamb=2)


def test_column_headers_tolerate_case_and_spaces():
    tasks = pd.DataFrame({" ID": ["A"], "Most Likely": [3], "Optimistic": [2], "PESSIMISTIC": [5]})
    assert project_from_frames(tasks, start="2027-01-04").task("A").estimate == pm.BetaPert(2, 3, 5)


def test_settings_are_read():
    p = frames_project(id=["A"], duration=[1]).replace()  # defaults
    assert (p.name, p.currency, p.budget, p.deadline, p.calendar) == ("t", "USD", None, None, pm.Calendar())
    q = project_from_frames(
        pd.DataFrame({"id": ["A"], "duration": [1]}), name="q", start=dt.date(2027, 1, 4), currency="GBP",
        budget="1000.5", deadline="2027-02-01", description="d",
        calendar={"workdays": "Mon; Wed", "holidays": ["2027-01-06", dt.date(2027, 1, 11)]},
    )
    assert (q.currency, q.budget, q.deadline, q.description) == ("GBP", 1000.5, dt.date(2027, 2, 1), "d")
    assert q.calendar == pm.Calendar(workdays=("Mon", "Wed"), holidays=("2027-01-06", "2027-01-11"))


# --------------------------------------------------------------------------- warnings and errors


def test_unknown_columns_and_settings_warn_naming_them():
    tasks = pd.DataFrame({"id": ["A"], "duration": [1], "owner": ["kim"], "colour": ["red"]})
    with pytest.warns(pm.PmsimWarning, match=r"tasks table: ignoring unknown column\(s\) 'owner', 'colour'"):
        project_from_frames(tasks, start="2027-01-04")
    with pytest.warns(pm.PmsimWarning, match=r"settings: ignoring unknown setting\(s\) 'deadlin'"):
        project_from_frames(tasks[["id", "duration"]], start="2027-01-04", deadlin="2027-02-01")
    with pytest.warns(pm.PmsimWarning, match=r"settings: ignoring unknown calendar key\(s\) 'holiday'; "
                                              r"known calendar keys are workdays, holidays, hours, mon, tue, wed, thu, fri, sat, sun, "
                                              r"hours_per_day, exceptions, id, name$") as caught:
        project_from_frames(tasks[["id", "duration"]], start="2027-01-04", calendar={"holiday": ["2027-01-06"]})
    assert caught[0].filename == __file__  # the warning points at the caller


def test_known_columns_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pm.Project.from_frames(**rich_project().to_frames())


@pytest.mark.parametrize(
    "tasks, error, message",
    [
        # no id column at all
        ({"name": ["A"], "duration": [1]}, pm.FileFormatError, r"^tasks table: missing required column 'id' \(the header has 'name', 'duration'\)$"),
        # no estimate column at all
        ({"id": ["A"], "name": ["x"]}, pm.FileFormatError, r"^tasks table: missing an estimate column"),
        # a row error names the frame's index label and the task
        ({"id": ["A", "B"], "duration": [1, "soon"]}, pm.ValidationError,
         r"^tasks table, row 1 \(task 'B'\): duration must be a number, got 'soon'$"),
        # a missing id names the row
        ({"id": ["A", None], "duration": [1, 2]}, pm.ValidationError, r"^tasks table, row 1: Task id is missing$"),
    ],
)
def test_frame_errors_name_table_and_row(tasks, error, message):
    with pytest.raises(error, match=message):
        project_from_frames(pd.DataFrame(tasks), start="2027-01-04")


def test_source_names_the_tables_in_messages():
    tasks = pd.DataFrame({"id": ["A"], "duration": [-2]}, index=[7])
    with pytest.raises(pm.ValidationError, match=r"^plan: tasks table, row 7 \(task 'A'\): durations must be >= 0"):
        project_from_frames(tasks, source="plan", start="2027-01-04")
