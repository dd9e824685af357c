"""Baselines in files: the folder format (baselines/<name>.csv), MSPDI Baseline..Baseline10, P6 baseline projects in XER."""

from __future__ import annotations

import datetime as dt
import re
import warnings

import pandas as pd
import pytest

import pmsim as pm
from mspdi_features import document, task
from test_xer import p6_tables, xer_text


def planned() -> pm.Project:
    p = pm.Project(name="x", start="2027-01-04", resources=[pm.Resource("dev", cost_per_day=400)],
                   tasks=[pm.Task("A", duration=3, resources={"dev": 1}), pm.Task("B", duration=2, fixed_cost=50),
                          pm.Task("M", duration=0, milestone=True)],
                   dependencies=[pm.Dependency("A", "B"), pm.Dependency("B", "M")])
    return p.with_baseline("BL1").with_task(pm.Task("B", duration=4, fixed_cost=50)).with_baseline("Baseline3")


def quiet(call, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PmsimWarning)
        return call(*args, **kw)


def test_folder_round_trip_and_stale_baselines_removed(tmp_path):
    p = planned()
    pm.write_project(p, tmp_path / "x")
    assert sorted(f.name for f in (tmp_path / "x" / "baselines").iterdir()) == ["BL1.csv", "Baseline3.csv"]
    text = (tmp_path / "x" / "baselines" / "BL1.csv").read_text()
    # A Mon 08:00 - Wed 17:00, 3 days x 400; B Thu-Fri, 2 days, fixed 50; M at B's finish.
    assert text.splitlines() == ["id,start,finish,duration,cost", "A,2027-01-04 08:00,2027-01-06 17:00,3,1200",
                                 "B,2027-01-07 08:00,2027-01-08 17:00,2,50", "M,2027-01-08 17:00,2027-01-08 17:00,0,0"]
    assert pm.read_project(tmp_path / "x") == p
    pm.write_project(p.replace(baselines=p.baselines[:1]), tmp_path / "x")
    assert [f.name for f in (tmp_path / "x" / "baselines").iterdir()] == ["BL1.csv"]
    assert [b.name for b in pm.read_project(tmp_path / "x").baselines] == ["BL1"]


@pytest.mark.parametrize("name, text, message", [
    ("BL1.csv", "id,start,finish,duration\nZ,2027-01-04,2027-01-04,1\n", "baselines: Baseline 'BL1' names unknown task 'Z'"),
    ("BL1.csv", "id,start,duration\nA,2027-01-04,1\n", "BL1.csv: missing column(s) finish"),
    ("BL1.csv", "id,start,finish,duration\nA,2027-01-04,soon,1\n", "BL1.csv: Baseline 'BL1', task 'A': finish"),
    ("BL1.csv", "id,start,finish,duration\nA,2027-01-04,2027-01-05,x\n", "duration must be a number"),
    ("_hidden.csv", "id,start,finish,duration\n", "a baseline's file name is its name"),
])
def test_bad_baseline_files_name_the_file(tmp_path, name, text, message):
    pm.write_project(planned().replace(baselines=()), tmp_path / "x")
    (tmp_path / "x" / "baselines").mkdir()
    (tmp_path / "x" / "baselines" / name).write_text(text)
    with pytest.raises(pm.PmsimError, match=re.escape(message)):
        pm.read_project(tmp_path / "x")


def test_mspdi_round_trip_keeps_names_and_numbers(tmp_path):
    p = planned()
    quiet(pm.write_project, p, tmp_path / "x.xml")
    xml = (tmp_path / "x.xml").read_text()
    # BL1 takes MS Project's Baseline (0), Baseline3 its own slot; every task and the project summary carry both.
    assert sorted(set(re.findall(r"<Baseline><Number>(\d+)</Number><Start>", xml.replace("\n", "").replace(" ", "")))) \
        == ["0", "3"]
    q = quiet(pm.read_project, tmp_path / "x.xml")
    assert sorted(q.baselines, key=lambda b: b.name) == sorted(p.baselines, key=lambda b: b.name)


def test_mspdi_without_baselines_reads_none_back(tmp_path):
    p = planned().replace(baselines=())
    quiet(pm.write_project, p, tmp_path / "x.xml")
    assert "<Baseline>" in (tmp_path / "x.xml").read_text()  # MS Project still gets the schedule as Baseline
    assert quiet(pm.read_project, tmp_path / "x.xml").baselines == ()


def test_mspdi_baselines_from_ms_project(tmp_path):
    base0 = ("<Baseline><Number>0</Number><Start>2027-01-04T08:00:00</Start><Finish>2027-01-05T17:00:00</Finish>"
             "<Duration>PT16H0M0S</Duration><DurationFormat>7</DurationFormat><Cost>120000</Cost></Baseline>")
    base2 = ("<Baseline><Number>2</Number><Start>2027-01-05T08:00:00</Start><Finish>2027-01-07T12:00:00</Finish>"
             "<Duration>PT20H0M0S</Duration><DurationFormat>7</DurationFormat></Baseline>")
    cost_only = "<Baseline><Number>1</Number><Cost>5000</Cost></Baseline>"
    path = tmp_path / "ms.xml"
    path.write_text(document(tasks=task(1, "Design", 24, base0 + base2 + cost_only) + task(2, "Build", 8, base0)))
    p = quiet(pm.read_project, path)
    assert [b.name for b in p.baselines] == ["Baseline", "Baseline2"]  # Baseline1 holds no dates: none
    b0, b2 = p.baseline("Baseline").table, p.baseline("Baseline2").table
    # 16 hours of 8-hour days = 2 days; MSPDI costs are in cents.
    assert b0.loc["1"].tolist() == [pd.Timestamp("2027-01-04 08:00"), pd.Timestamp("2027-01-05 17:00"), 2.0, 1200.0]
    assert list(b2.index) == ["1"] and b2.loc["1", "duration"] == 2.5 and pd.isna(b2.loc["1", "cost"])
    v = pm.variance(p, baseline="Baseline2")
    assert v.tasks.loc["1", "duration_variance"] == 3.0 - 2.5


def test_mspdi_bad_baseline_number(tmp_path):
    path = tmp_path / "ms.xml"
    path.write_text(document(tasks=task(1, "Design", 8, "<Baseline><Number>11</Number></Baseline>")))
    with pytest.raises(pm.FileFormatError, match="Baseline: Number must be 0 to 10"):
        quiet(pm.read_project, path)


def test_more_than_eleven_baselines_in_mspdi_are_noted(tmp_path):
    p = planned().replace(baselines=())
    for k in range(12):
        p = p.with_baseline(f"plan {k}")
    with pytest.warns(pm.PmsimWarning, match=r"baselines beyond eleven .*plan 11"):
        pm.write_project(p, tmp_path / "x.xml")


def test_xer_reads_p6_baseline_projects(tmp_path):
    tables = p6_tables()
    fields, rows = tables["PROJECT"]
    tables["PROJECT"] = (fields + " orig_proj_id sum_base_proj_id",
                         [rows[0] + ["", "8"], ["8", "FOR-1 B1", "11", "2027-01-04 08:00", "", "N", "", "7", ""]])
    tfields, trows = tables["TASK"]
    tables["TASK"] = (tfields + " target_start_date target_end_date", [r + ["", ""] for r in trows] + [
        # The baseline's copy of A1000 (planned 4 days, not started) and of an activity since deleted.
        ["2001", "8", "100", "11", "A1000", "Spec", "TT_Task", "TK_NotStart", "32", "32", "CP_Drtn", "", "", "", "", "",
         "", "", "2027-01-04 08:00", "2027-01-07 17:00"],
        ["2002", "8", "100", "11", "A9999", "Gone", "TT_Task", "TK_NotStart", "8", "8", "CP_Drtn", "", "", "", "", "",
         "", "", "2027-01-08 08:00", "2027-01-08 17:00"],
    ])
    rfields, rrows = tables["TASKRSRC"]
    tables["TASKRSRC"] = (rfields, rrows + [["3", "2001", "8", "21", "", "1", "2400", "0", "0"]])
    path = tmp_path / "p6.xer"
    path.write_bytes(xer_text(tables).encode("cp1252"))
    with pytest.warns(pm.PmsimWarning, match=r"baseline activities the project no longer has \(left out\): FOR-1 B1: TASK line \d+ \(A9999\)"):
        p = pm.read_project(path)
    (b,) = p.baselines
    assert b.name == "FOR-1 B1"
    # Planned dates (not started in the baseline), 32 hours of the 8-hour calendar, the assignment's budget.
    assert b.table.loc["A1000"].tolist() == [pd.Timestamp("2027-01-04 08:00"), pd.Timestamp("2027-01-07 17:00"),
                                             4.0, 2400.0]
    assert list(b.table.index) == ["A1000"]


def test_xer_and_xlsx_writers_say_they_leave_baselines_out(tmp_path):
    with pytest.warns(pm.PmsimWarning, match="baselines"):
        pm.write_project(planned(), tmp_path / "x.xer")
    pytest.importorskip("openpyxl")
    with pytest.warns(pm.PmsimWarning, match="baselines BL1, Baseline3 not written"):
        pm.write_project(planned(), tmp_path / "x.xlsx")
