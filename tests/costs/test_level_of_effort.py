"""Level-of-effort (hammock) tasks: a span between other tasks' dates, whose cost per day follows it.

Expected values are written out: CPM dates by hand, and in the Monte Carlo the identity
cost = daily rate × span checked iteration by iteration from the engine's own task dates.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import pmsim as pm
from pmsim.errors import PmsimError

START = "2027-01-04"  # a Monday


def hammock(**extra):
    """A (3) -> B (4) -> C (2) and X (1) -> C; H spans from A's start (SS) to C's finish (FF),
    F fills the gap from X's finish (FS) to C's start (FS)."""
    tasks = [pm.Task("A", duration=3), pm.Task("B", duration=4), pm.Task("C", duration=2), pm.Task("X", duration=1),
             pm.Task("H", level_of_effort=True, cost_per_day=100, resources={"pm": 1}),
             pm.Task("F", level_of_effort=True, cost_per_day=10)]
    links = [pm.Dependency("A", "B"), pm.Dependency("B", "C"), pm.Dependency("X", "C"),
             pm.Dependency("A", "H", "SS"), pm.Dependency("H", "C", "FF"),
             pm.Dependency("X", "F"), pm.Dependency("F", "C")]
    return pm.Project(name="loe", start=START, tasks=tasks, dependencies=links,
                      resources=[pm.Resource("pm", capacity=1, cost_per_day=400)], **extra)


def test_cpm_spans_the_tasks_a_level_of_effort_links_to():
    t = pm.cpm(hammock()).table
    # H: from A's start (0) to C's finish (3 + 4 + 2 = 9); F: from X's finish (1) to C's start (7).
    assert t.loc["H", ["start", "finish", "duration"]].tolist() == [0.0, 9.0, 9.0]
    assert t.loc["F", ["early_start", "early_finish", "duration"]].tolist() == [1.0, 7.0, 6.0]
    # Late dates from the late dates of the same tasks: X may start as late as 6, so F's late start is 7;
    # C's late start is 7 too, so F's total float (late finish - early finish) is 0 and H's too.
    assert t.loc["F", ["late_start", "late_finish", "total_float", "free_float"]].tolist() == [7.0, 7.0, 0.0, 0.0]
    # A level of effort drives nothing: the finish is that of the chain, and it is never critical.
    s = pm.cpm(hammock())
    assert s.makespan == 9.0
    assert not t.loc[["H", "F"], "critical"].any()
    assert s.critical_path == ["A", "B", "C"]
    assert t.loc["H", "finish_date"].date().isoformat() == "2027-01-14"  # the 9th working day


@pytest.mark.parametrize("extra", [{}, {"status_date": dt.datetime(2027, 1, 4, 8, 0)}], ids=["plan", "with a data date"])
def test_a_level_of_effort_shows_its_span_in_dates_and_times(extra):
    # The dated path (a data date makes the schedule one from the data date) must place H and F at their spans
    # too, not at the project start: 8-hour days, Monday 2027-01-04 08:00 is working day 0.
    # H: A's start (Mon 4 08:00) to C's finish (day 9: Thu 14 17:00); F: X's finish (Mon 4 17:00, so
    # the next working moment Tue 5 08:00) to C's start (day 7: Wed 13 08:00).
    s = pm.cpm(hammock(**extra))
    times = s.times()
    assert times.loc["H", ["start", "finish"]].astype(str).tolist() == ["2027-01-04 08:00:00", "2027-01-14 17:00:00"]
    assert times.loc["F", ["early_start", "early_finish"]].astype(str).tolist() == [
        "2027-01-05 08:00:00", "2027-01-12 17:00:00"]


def test_a_level_of_effort_link_does_not_push_its_successor():
    # Without F, X -> C would be the only link from X; a level of effort between X and C adds no logic.
    p = pm.Project(name="x", start=START,
                   tasks=[pm.Task("A", duration=5), pm.Task("B", duration=2),
                          pm.Task("H", level_of_effort=True, cost_per_day=1)],
                   dependencies=[pm.Dependency("A", "H"), pm.Dependency("H", "B")])
    t = pm.cpm(p).table
    assert t.loc["B", "start"] == 0.0  # not pushed to A's finish through H
    # H's finish (B's start, 0) comes before its start (A's finish, 5): an empty span, at its start.
    assert t.loc["H", ["start", "finish", "duration"]].tolist() == [5.0, 5.0, 0.0]


def test_the_budget_pays_a_level_of_effort_for_its_span():
    model = pm.cost_model(hammock())
    # H: (100 own + 1 × 400 resource) per day × 9 days; F: 10 per day × 6 days.
    assert model.loc["H", "budget"] == 500 * 9
    assert model.loc["F", "budget"] == 10 * 6
    assert pm.baseline_cost(hammock()) == 500 * 9 + 10 * 6


def uncertain(**extra):
    """A and X uncertain, so the spans move in every iteration."""
    p = hammock(**extra)
    return p.replace(tasks=[t.replace(optimistic=1, most_likely=3, pessimistic=9) if t.id in ("A", "X") else t
                            for t in p.tasks])


def dates_of(sim, ids):
    cols = [list(sim.project.task_ids).index(i) for i in ids]
    starts, finishes = [], []
    for _, start, finish in sim.iter_task_dates(chunk_size=700):
        starts.append(start[:, cols])
        finishes.append(finish[:, cols])
    return np.concatenate(starts), np.concatenate(finishes)


def check_cost_follows_the_spans(sim):
    start, finish = dates_of(sim, ["A", "C", "X", "H", "F"])
    a_start, c_start, c_finish, x_finish = start[:, 0], start[:, 1], finish[:, 1], finish[:, 2]
    # H from A's start to C's finish, F from X's finish to C's start (never negative), in every iteration.
    np.testing.assert_allclose(start[:, 3], a_start, atol=1e-5)
    np.testing.assert_allclose(finish[:, 3], c_finish, atol=1e-5)
    np.testing.assert_allclose(finish[:, 4] - start[:, 4], np.maximum(c_start - x_finish, 0.0), atol=1e-4)
    # The only costs: 500 a day for H and 10 a day for F.
    expected = 500.0 * (c_finish - a_start) + 10.0 * np.maximum(c_start - x_finish, 0.0)
    np.testing.assert_allclose(sim.cost, expected, rtol=1e-5)
    # H spans the whole project from its start: its cost is 500 × the finish, iteration by iteration.
    span_h = (sim.cost - 10.0 * (finish[:, 4] - start[:, 4])) / 500.0
    np.testing.assert_allclose(span_h, sim.finish, rtol=1e-5)
    assert np.ptp(sim.cost) > 500  # the spans really moved


def test_each_iteration_pays_the_span_it_drew():
    sim = pm.simulate(uncertain(), iterations=1500, seed=3, keep="tasks")
    check_cost_follows_the_spans(sim)
    # The kept finishes are those the dates give, every task's (the spans' too).
    ids = list(sim.project.task_ids)
    _, finish = dates_of(sim, ids)
    np.testing.assert_allclose(sim.task_finish, finish, atol=1e-5)
    assert np.array_equal(pm.simulate(uncertain(), iterations=1500, seed=3).cost, sim.cost)


def test_each_iteration_pays_the_span_on_calendars_and_constraints():
    # A start-no-earlier-than constraint on X takes the dated engine (calendars, constraints).
    p = uncertain()
    p = p.replace(tasks=[t.replace(constraint="SNET", constraint_date="2027-01-05") if t.id == "X" else t
                         for t in p.tasks])
    sim = pm.simulate(p, iterations=600, seed=4)
    check_cost_follows_the_spans(sim)
    start, _ = dates_of(sim, ["X"])
    assert start.min() >= 1.0 - 1e-6  # the constraint held: X starts on the second working day at the earliest


def test_each_iteration_pays_the_span_in_a_levelled_run():
    sim = pm.simulate(uncertain(), iterations=600, seed=5, levelled=True)
    check_cost_follows_the_spans(sim)


def test_the_same_seed_gives_the_same_costs_whatever_the_chunk():
    a = pm.simulate(uncertain(), iterations=1000, seed=8)
    b = pm.simulate(uncertain(), iterations=1000, seed=8, chunk_size=64)
    np.testing.assert_array_equal(a.cost, b.cost)


def test_the_budget_burn_ends_at_the_cost_of_each_iteration():
    sim = pm.simulate(uncertain(), iterations=400, seed=6)
    burn = pm.budget_burn(sim.project, sim, freq="D")
    # Past the last finish every iteration has booked its whole cost: the mean band is the mean cost.
    assert burn["mean"].iloc[-1] == pytest.approx(sim.cost.mean(), rel=1e-9)
    # The planned envelope (A and X at their most likely 3 days) books H's 500 × 9 and F's 10 × (7 - 3).
    assert burn["early"].iloc[-1] == pytest.approx(500 * 9 + 10 * 4)


def test_earned_value_of_a_level_of_effort_is_its_planned_value():
    p = hammock()
    assert p.task("H").ev_method == "level_of_effort"
    progress = {"id": ["A"], "percent_complete": [100], "actual_start": ["2027-01-04"],
                "actual_finish": ["2027-01-06"], "actual_cost": [0.0]}
    import pandas as pd

    ev = pm.earned_value(p, pd.DataFrame(progress), "2027-01-06")
    tasks = ev.tasks
    # Three of H's nine working days have passed: 3 × 500 planned and earned, whatever its progress says.
    assert tasks.loc["H", "PV"] == pytest.approx(1500)
    assert tasks.loc["H", "EV"] == pytest.approx(1500)


@pytest.mark.parametrize("links, missing", [
    ([("A", "H")], "successor"),
    ([("H", "A")], "predecessor"),
])
def test_a_level_of_effort_with_nothing_to_span_is_refused(links, missing):
    with pytest.raises(PmsimError, match=f"Task 'H': a level-of-effort task .* has no {missing} to span"):
        pm.Project(name="x", start=START, tasks=[pm.Task("A", duration=2), pm.Task("H", level_of_effort=True)],
                   dependencies=[pm.Dependency(*link) for link in links])


def test_a_level_of_effort_without_a_successor_is_refused_naming_its_row(tmp_path):
    (tmp_path / "project.toml").write_text('name = "x"\nstart = 2027-01-04\n')
    (tmp_path / "tasks.csv").write_text("id,duration,predecessors,level_of_effort\nA,2,,\nH,,A,true\n")
    with pytest.raises(PmsimError, match=r"tasks\.csv, row \d+ \(task 'H'\): a level-of-effort task .* has no successor to span"):
        pm.read_project(tmp_path)


@pytest.mark.parametrize("task, rule", [
    (dict(duration=5), "cannot have a duration of its own"),
    (dict(optimistic=1, most_likely=2, pessimistic=3), "cannot have a duration of its own"),
    (dict(milestone=True), "cannot be a milestone"),
    (dict(constraint="SNET", constraint_date="2027-01-05"), "cannot have a date constraint"),
    (dict(existence=0.5), "cannot exist with a probability"),
    (dict(level_of_effort="perhaps"), "level_of_effort must be true or false"),
])
def test_a_level_of_effort_takes_no_duration_of_its_own(task, rule):
    with pytest.raises(PmsimError, match=rule):
        pm.Task("H", **{"level_of_effort": True, **task})


def test_two_level_of_effort_tasks_cannot_span_each_other():
    tasks = [pm.Task("A", duration=1), pm.Task("B", duration=1),
             pm.Task("H", level_of_effort=True), pm.Task("G", level_of_effort=True)]
    links = [pm.Dependency("A", "H"), pm.Dependency("H", "G"), pm.Dependency("G", "B"), pm.Dependency("H", "B")]
    with pytest.raises(PmsimError, match="cannot be linked to another level-of-effort task"):
        pm.Project(name="x", start=START, tasks=tasks, dependencies=links)


@pytest.mark.parametrize("suffix", ["", ".xlsx", ".xer", ".xml"])
def test_level_of_effort_survives_a_round_trip(tmp_path, suffix):
    path = tmp_path / f"loe{suffix}"
    pm.write_project(hammock(), path)
    back = pm.read_project(path)
    assert [t.id for t in back.tasks if t.level_of_effort] == ["H", "F"]
    assert pm.cpm(back).table.loc["H", "duration"] == 9.0
    assert pm.baseline_cost(back) == pytest.approx(500 * 9 + 10 * 6)
    if suffix == ".xer":
        assert "TT_LOE" in path.read_text()
