"""Baselines on a project and the variance of a schedule from one (expected values worked by hand)."""

from __future__ import annotations

import datetime as dt

import matplotlib
import pandas as pd
import pytest

import pmsim as pm

matplotlib.use("Agg")


def plan() -> pm.Project:
    # A (3 days, 100/day) -> B (2 days, 100/day), Mon 4 Jan 2027, 08:00-17:00 working days.
    return pm.Project(name="x", start="2027-01-04",
                      tasks=[pm.Task("A", duration=3, cost_per_day=100), pm.Task("B", duration=2, cost_per_day=100)],
                      dependencies=[pm.Dependency("A", "B")])


def test_with_baseline_saves_the_planned_dates_durations_and_costs():
    p = plan().with_baseline("BL1")
    table = p.baseline("BL1").table
    # A: Mon 08:00 to Wed 17:00, 3 days x 100; B: Thu 08:00 to Fri 17:00, 2 days x 100.
    assert table.loc["A"].tolist() == [pd.Timestamp("2027-01-04 08:00"), pd.Timestamp("2027-01-06 17:00"), 3.0, 300.0]
    assert table.loc["B"].tolist() == [pd.Timestamp("2027-01-07 08:00"), pd.Timestamp("2027-01-08 17:00"), 2.0, 200.0]


def test_several_baselines_and_retaking_one_replaces_it():
    p = plan().with_baseline("BL1")
    longer = p.with_task(pm.Task("A", duration=5, cost_per_day=100))
    q = longer.with_baseline("BL2")
    assert [b.name for b in q.baselines] == ["BL1", "BL2"]
    assert q.baseline("bl2").table.loc["B", "finish"] == pd.Timestamp("2027-01-12 17:00")  # A now ends Fri 8 Jan
    r = q.with_baseline("bl1")  # re-taken: BL1 now holds the longer plan, BL2 is kept
    assert [b.name for b in r.baselines] == ["BL2", "bl1"]
    assert r.baseline("BL1").table.loc["A", "duration"] == 5.0


def test_a_levelled_schedule_can_be_the_baseline():
    p = pm.Project(name="x", start="2027-01-04", resources=[pm.Resource("dev", capacity=1)],
                   tasks=[pm.Task("A", duration=2, resources={"dev": 1}), pm.Task("B", duration=2, resources={"dev": 1})])
    levelled = p.with_baseline("levelled", pm.level(p))
    starts = sorted(levelled.baseline("levelled").table["start"])
    # One developer: one task Mon-Tue, the other Wed-Thu.
    assert starts == [pd.Timestamp("2027-01-04 08:00"), pd.Timestamp("2027-01-06 08:00")]


def test_removing_a_task_removes_its_baseline_row():
    p = plan().with_baseline("BL1").without_task("B")
    assert list(p.baseline("BL1").table.index) == ["A"]


BAD = [
    # (how, error, message)
    (lambda: pm.Baseline("bad/name", ()), pm.ValidationError, "use letters, digits"),
    (lambda: pm.Baseline("BL1", (("A", "2027-01-05", "2027-01-04", 1, 0),)), pm.ValidationError,
     "Baseline 'BL1', task 'A': finish 2027-01-04 23:59:00 is before start 2027-01-05 00:00:00"),
    (lambda: pm.Baseline("BL1", (("A", "2027-01-04", "2027-01-04", -1, 0),)), pm.ValidationError, "duration"),
    (lambda: pm.Baseline("BL1", (("A", "2027-01-04", "2027-01-04", 1, 0), ("A", "2027-01-04", "2027-01-04", 1, 0))),
     pm.DuplicateIdError, "appears twice"),
    (lambda: plan().replace(baselines=(pm.Baseline("BL1", (("Z", "2027-01-04", "2027-01-04", 1, 0),)),)),
     pm.UnknownReferenceError, "Baseline 'BL1' names unknown task 'Z'"),
    (lambda: plan().with_baseline("BL1").replace(baselines=plan().with_baseline("BL1").baselines * 2),
     pm.DuplicateIdError, "two baselines are named 'BL1'"),
    (lambda: plan().baseline("BL9"), pm.UnknownReferenceError, "has no baseline 'BL9' (baselines: none)"),
]


@pytest.mark.parametrize("how, error, message", BAD)
def test_bad_baselines_are_refused_with_the_rule(how, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        how()


def test_variance_of_a_slipped_plan():
    p = plan().with_baseline("BL1")
    later = p.with_task(pm.Task("A", duration=5, cost_per_day=100))  # A takes two more days
    v = pm.variance(later, baseline="BL1")
    t = v.tasks
    # A: same start, finishes Fri instead of Wed (2 working days), 5 - 3 days, 500 - 300.
    assert t.loc["A", ["start_variance", "finish_variance", "duration_variance", "cost_variance"]].tolist() == \
        [0.0, 2.0, 2.0, 200.0]
    # B: pushed from Thu-Fri to Mon-Tue: 2 working days later, same length and cost.
    assert t.loc["B", ["start_variance", "finish_variance", "duration_variance", "cost_variance"]].tolist() == \
        [2.0, 2.0, 0.0, 0.0]
    # The project: 7 working days instead of 5, 700 instead of 500.
    assert v.project[["start_variance", "finish_variance", "duration", "baseline_duration", "cost_variance"]].tolist() \
        == [0.0, 2.0, 7.0, 5.0, 200.0]


def test_variance_of_a_progressed_project():
    p = plan().with_baseline("BL1")
    progress = pd.DataFrame({"id": ["A"], "percent_complete": [50], "actual_cost": [400],
                             "actual_start": ["2027-01-05"]})
    now = p.with_progress(progress, "2027-01-06")
    t = pm.variance(now).tasks  # baseline="BL1" by default
    # A started a day late (Tue): 50 % done of 3 days leaves 1.5 days from the data date (Wed evening),
    # so it ends Fri 12:00 (1.5 days later than Wed 17:00) and lasts 3.5 days (Tue 08:00 to Fri 12:00).
    assert t.loc["A", ["start_variance", "finish_variance", "duration"]].tolist() == [1.0, 1.5, 3.5]
    # Its cost: 400 spent + 1.5 days x 100 still to do = 550, 250 over its 300.
    assert t.loc["A", ["cost", "cost_variance"]].tolist() == [550.0, 250.0]
    assert t.loc["B", "start_variance"] == 1.5


def test_a_task_added_after_the_baseline_has_blank_baseline_columns():
    p = plan().with_baseline("BL1").with_task(pm.Task("C", duration=1, cost_per_day=50), ["B"])
    v = pm.variance(p)
    assert v.tasks.loc["C", ["baseline_start", "baseline_cost", "cost_variance"]].isna().all()
    assert v.project["cost_variance"] == 50.0  # the new scope's cost


def test_variance_refuses_a_schedule_of_another_project():
    with pytest.raises(pm.ValidationError, match="another project"):
        pm.variance(plan().with_baseline("BL1"), pm.cpm(plan().without_task("B")))


def test_gantt_draws_the_saved_baseline_under_the_bars():
    p = plan().with_baseline("BL1").with_task(pm.Task("A", duration=5, cost_per_day=100))
    p = p.with_task(pm.Task("C", duration=1), ["B"])
    ax = pm.plot.gantt(pm.cpm(p), baseline="BL1")
    bars = {b.get_gid(): b for b in ax.patches}
    assert "baseline:C" not in bars and {"baseline:A", "baseline:B"} <= set(bars)
    # A plain schedule draws whole days: BL1's A from Mon 4 Jan 00:00 to the end of Wed 6 Jan.
    a = bars["baseline:A"]
    assert (a.get_x(), a.get_x() + a.get_width()) == pytest.approx(
        (matplotlib.dates.date2num(dt.datetime(2027, 1, 4)), matplotlib.dates.date2num(dt.datetime(2027, 1, 7))))
    assert any(t.get_text() == "Baseline BL1" for t in ax.get_legend().get_texts())
