"""Crashing (pm.crash, pm.time_cost_curve) against examples solved by hand.

The stadium: Guéret, Prins and Sevaux, *Applications of Optimization with
Xpress-MP* (Dash Optimization, 2002), section 7.1, "Construction of a
stadium": 18 tasks in weeks, with each task's maximum reduction and
additional cost per week (the data as TOMLAB's example
``constructionofastadium2Ex.m`` carries it). Its answers are worked out by
hand below; none is read from pmsim.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import pmsim as pm

# task: (weeks, predecessors, maximum reduction, additional cost per week in $1000)
STADIUM = {
    1: (2, (), 0, 0), 2: (16, (1,), 3, 30), 3: (9, (2,), 1, 26), 4: (8, (2,), 2, 12),
    5: (10, (3,), 2, 17), 6: (6, (4, 5), 1, 15), 7: (2, (4,), 1, 8), 8: (2, (6,), 0, 0),
    9: (9, (4, 6), 2, 42), 10: (5, (4,), 1, 21), 11: (3, (6,), 1, 18), 12: (2, (9,), 0, 0),
    13: (1, (7,), 0, 0), 14: (7, (2,), 2, 22), 15: (4, (4, 14), 2, 12), 16: (3, (8, 11, 14), 1, 6),
    17: (9, (12,), 3, 16), 18: (1, (17,), 0, 0),
}


def stadium() -> pm.Project:
    tasks = []
    for k, (weeks, _, reduction, per_week) in STADIUM.items():
        crash = {"crash_duration": weeks - reduction, "crash_cost": reduction * per_week * 1000} if reduction else {}
        tasks.append(pm.Task(f"T{k}", duration=weeks, **crash))  # normal cost 0: crash_cost is the extra
    links = [pm.Dependency(f"T{p}", f"T{k}") for k, (_, preds, _, _) in STADIUM.items() for p in preds]
    return pm.Project(name="stadium", start="2027-01-04", tasks=tasks, dependencies=links)


def test_stadium_normal_duration_is_64_weeks():
    # Forward pass: T2 ends 18, T3 27, T5 37, T6 max(26, 37) + 6 = 43, T9 52, T12 54, T17 63, T18 64.
    assert pm.cpm(stadium()).makespan == 64


def test_stadium_crashed_to_57_weeks():
    # Seven weeks off the critical path 1-2-3-5-6-9-12-17-18, cheapest first: T6 (15), T17 x3 (16),
    # T5 x2 (17), T3 (26); next would be T2 at 30. No other path exceeds 57 then (via T4: 53 - 4 = 49;
    # via T11-T16: 49 - 4 = 45). Cost 15 + 48 + 34 + 26 = 123 thousand.
    plan = pm.crash(stadium(), target=57)
    assert plan.makespan == pytest.approx(57)
    assert plan.extra_cost == pytest.approx(123_000)
    assert plan.crashed["crashed_by"].to_dict() == pytest.approx({"T6": 1, "T17": 3, "T5": 2, "T3": 1})
    assert list(plan.crashed.index) == ["T6", "T17", "T5", "T3"]  # cheapest slope first
    assert plan.normal_makespan == 64


def test_stadium_shortest_duration_and_its_cost():
    # Every week of the critical path: T2 3, T3 1, T5 2, T6 1, T9 2, T17 3 = 12 weeks, so 52 weeks, at
    # 90 + 26 + 34 + 15 + 84 + 48 = 297 thousand. The other paths stay shorter (via T4: 42).
    plan = pm.crash(stadium())
    assert plan.makespan == pytest.approx(52)
    assert plan.extra_cost == pytest.approx(297_000)
    assert set(plan.crashed.index) == {"T2", "T3", "T5", "T6", "T9", "T17"}
    with pytest.raises(pm.InfeasibleError, match="reaches 52"):
        pm.crash(stadium(), target=51)


def test_stadium_profit_with_the_councils_bonus():
    # The council pays 30 thousand per week saved: a week is worth crashing when it costs less. The seven
    # weeks above cost 123 and earn 210: a profit of 87 thousand. T2's weeks (30) neither win nor lose.
    curve = pm.time_cost_curve(stadium(), indirect_cost_per_day=30_000)
    assert curve["makespan"].tolist() == list(np.arange(64.0, 51.0, -1.0))
    gain = curve["total_cost"].iloc[0] - curve["total_cost"].min()
    assert gain == pytest.approx(87_000)
    best = curve.loc[np.isclose(curve["total_cost"], curve["total_cost"].min()), "makespan"]
    assert sorted(best) == [54.0, 55.0, 56.0, 57.0]
    # The curve is convex: the marginal cost of each week never falls as the project gets shorter.
    assert (np.diff(curve["marginal_cost"].iloc[1:]) >= -1e-3).all()
    assert curve["marginal_cost"].iloc[1:8].tolist() == pytest.approx([15_000, 16_000, 16_000, 16_000, 17_000,
                                                                        17_000, 26_000])


def _forward(durations, links, n):
    finish = [0.0] * n
    for j in range(n):  # tasks in topological order
        start = max([finish[i] for i, k in links if k == j], default=0.0)
        finish[j] = start + durations[j]
    return max(finish)


def test_a_small_network_against_enumeration():
    # A and B run in parallel into C; D runs beside all three. Crashing C shortens both paths at once
    # (slope 50), crashing A and B both costs 20 + 25 = 45: the LP must find the mix enumeration finds.
    #        normal  crash  normal cost  crash cost
    spec = {"A": (6, 3, 100, 160), "B": (5, 2, 100, 175), "C": (4, 2, 200, 300), "D": (9, 7, 50, 110)}
    links = [(0, 2), (1, 2)]
    tasks = [pm.Task(t, duration=n, fixed_cost=nc, crash_duration=c, crash_cost=cc) for t, (n, c, nc, cc) in spec.items()]
    p = pm.Project(name="small", start="2027-01-04", tasks=tasks,
                   dependencies=[pm.Dependency("A", "C"), pm.Dependency("B", "C")])
    slopes = [(cc - nc) / (n - c) for n, c, nc, cc in spec.values()]
    ranges = [range(0, n - c + 1) for n, c, _, _ in spec.values()]
    for target in range(10, 4, -1):
        best = min((sum(s * x for s, x in zip(slopes, xs)) for xs in itertools.product(*ranges)
                    if _forward([n - x for (n, *_), x in zip(spec.values(), xs)], links, 4) <= target),
                   default=None)
        if best is None:
            with pytest.raises(pm.InfeasibleError):
                pm.crash(p, target=target)
            continue
        plan = pm.crash(p, target=target)
        assert plan.extra_cost == pytest.approx(best), target
        assert plan.makespan <= target + 1e-9


def test_start_to_start_links():
    # A (10) SS+2 -> B (5): the finish is max(10, 2 + 5) = 10. To 8: only A helps (2 days at 10 = 20).
    # To 6: A to 6 (40) and B to 4 so that 2 + 4 <= 6 (1 day at 5): 45.
    p = pm.Project(name="ss", start="2027-01-04", tasks=[
        pm.Task("A", duration=10, crash_duration=6, crash_cost=40), pm.Task("B", duration=5, crash_duration=3, crash_cost=10)],
        dependencies=[pm.Dependency("A", "B", "SS", 2)])
    assert pm.crash(p, target=8).extra_cost == pytest.approx(20)
    plan = pm.crash(p, target=6)
    assert (plan.extra_cost, plan.makespan) == (pytest.approx(45), pytest.approx(6))
    assert plan.tasks["duration"].to_dict() == pytest.approx({"A": 6, "B": 4})


def test_a_zero_slope_is_no_reason_to_crash():
    # B can be shortened for free, but it has float: it stays as planned.
    p = pm.Project(name="z", start="2027-01-04", tasks=[
        pm.Task("A", duration=5, crash_duration=4, crash_cost=10), pm.Task("B", duration=2, crash_duration=1, crash_cost=0)])
    plan = pm.crash(p, target=4)
    assert plan.tasks["crashed_by"].to_dict() == {"A": 1.0, "B": 0.0}


def test_the_crashed_project_scales_each_estimate():
    p = pm.Project(name="s", start="2027-01-04", tasks=[
        pm.Task("A", optimistic=8, most_likely=10, pessimistic=16, crash_duration=6, crash_cost=400)])
    plan = pm.crash(p, target=8)
    estimate = plan.project.task("A").estimate
    # 10 -> 8: every point scaled by 0.8.
    assert (estimate.optimistic, estimate.most_likely, estimate.pessimistic) == pytest.approx((6.4, 8, 12.8))
    assert plan.extra_cost == pytest.approx(200)  # 2 days at (400 - 0) / 4


def test_a_date_target_and_no_crash_needed():
    p = stadium()
    # 57 working days from Mon 4 Jan 2027 end on Tue 23 Mar (weekdays only, no holidays).
    assert pm.crash(p, target="2027-03-23").extra_cost == pytest.approx(123_000)
    plan = pm.crash(p, target=70)
    assert (plan.extra_cost, plan.makespan) == (0.0, 64.0)


@pytest.mark.parametrize("task, message", [
    (pm.Task("A", duration=5, crash_duration=6, crash_cost=10), "crash_duration 6 is longer than its planned duration 5"),
    (pm.Task("A", duration=5, fixed_cost=100, crash_duration=3, crash_cost=80), "negative cost slope"),
])
def test_bad_crash_data(task, message):
    p = pm.Project(name="bad", start="2027-01-04", tasks=[task])
    with pytest.raises(pm.ValidationError, match=f"Task 'A': .*{message}"):
        pm.crash(p, target=4)


def test_bad_fields_and_targets():
    with pytest.raises(pm.ValidationError, match="crash_cost is missing"):
        pm.Task("A", duration=5, crash_duration=3)
    with pytest.raises(pm.ValidationError, match="crash_duration must be >= 0"):
        pm.Task("A", duration=5, crash_duration=-1, crash_cost=3)
    p = stadium()
    for target in (-1, "soon", float("nan")):
        with pytest.raises(pm.ValidationError, match="target"):
            pm.crash(p, target=target)
    with pytest.raises(pm.ValidationError, match="indirect_cost_per_day"):
        pm.time_cost_curve(p, indirect_cost_per_day=-5)


def test_a_schedule_placed_by_a_date_constraint_is_refused():
    # B cannot start before Mon 18 Jan (working day 10): the finish is 12, the links alone say 5.
    p = pm.Project(name="dated", start="2027-01-04", tasks=[
        pm.Task("A", duration=3, crash_duration=2, crash_cost=10),
        pm.Task("B", duration=2, constraint="SNET", constraint_date="2027-01-18")],
        dependencies=[pm.Dependency("A", "B")])
    with pytest.raises(pm.ValidationError, match="CPM gives 12 working days, the links alone 5"):
        pm.crash(p, target=11)


def test_progress_is_refused():
    p = pm.Project(name="under way", start="2027-01-04", status_date="2027-01-05", tasks=[
        pm.Task("A", duration=3, crash_duration=2, crash_cost=10, actual_start="2027-01-04")])
    with pytest.raises(pm.ValidationError, match="has progress"):
        pm.crash(p, target=2)


def test_crash_columns_in_tasks_csv(tmp_path):
    folder = tmp_path / "p"
    pm.write_project(stadium(), folder)
    header = (folder / "tasks.csv").read_text().splitlines()[0]
    assert header.endswith("crash_duration,crash_cost")
    back = pm.read_project(folder)
    assert back.task("T17").crash_duration == 6 and back.task("T17").crash_cost == 48_000
    assert pm.crash(back, target=57).extra_cost == pytest.approx(123_000)
