"""Resource smoothing: the finish never moves, links hold, peaks and squares never grow."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings

import pmsim as pm
from support import PSPLIB as DATA, make, networks, violations



def link_violations(project, schedule):
    """The checker of test_levelling without the capacity part (smoothing may exceed capacity)."""
    return [v for v in violations(project, schedule) if "over capacity" not in v]


def usage_score(project, schedule):
    """(sum over resources of peak / capacity, sum of (usage / capacity)^2 x days), by brute force on events."""
    t = schedule.table
    times = sorted(set(t["start"]) | set(t["finish"]))
    peak = square = 0.0
    for r in project.resources:
        top = 0.0
        for a, b in zip(times, times[1:]):
            used = sum(u for task in project.tasks for rid, u in task.resources if rid == r.id
                       and task.planned_duration > 0 and t.at[task.id, "start"] <= a < t.at[task.id, "finish"])
            top = max(top, used)
            square += (used / r.capacity) ** 2 * (b - a)
        peak += top / r.capacity
    return peak, square


def brute_force_best(project, step=1.0):
    """The best (peak, squares) over all start times on a grid inside the CPM float, links kept."""
    c = pm.cpm(project)
    ids = list(project.task_ids)
    ranges = [np.arange(c.table.at[i, "early_start"], c.table.at[i, "late_start"] + 1e-9, step) for i in ids]
    best = None
    for starts in itertools.product(*ranges):
        table = c.table.copy()
        table["start"] = starts
        table["finish"] = table["start"] + table["duration"]
        s = pm.Schedule(project=project, table=table, makespan=float(table["finish"].max()), critical_path=[])
        if link_violations(project, s):
            continue
        score = usage_score(project, s)
        if best is None or score < best:
            best = score
    return best


def test_two_tasks_that_can_take_turns_do():
    p = make([("A", 2, {"dev": 2}), ("B", 2, {"dev": 2}), ("C", 4, {})], [], {"dev": 2})
    s = pm.smooth(p)
    assert s.kind == "smoothed" and s.status == "heuristic"
    assert s.makespan == 4.0 and s.delay == 0.0
    assert sorted(s.table.loc[["A", "B"], "start"]) == [0.0, 2.0]
    assert s.info["peak_before"] == {"dev": 4.0} and s.info["peak_after"] == {"dev": 2.0}
    assert pm.overallocations(p, s).empty


def test_a_chain_through_a_task_without_resources_moves_as_a_whole():
    # L holds the developer on days 0-4; A -> Z -> B fits after it only if Z moves too.
    p = make([("L", 4, {"dev": 1}), ("T", 6, {}), ("A", 3, {"dev": 1}), ("Z", 2, {}), ("B", 1, {"dev": 1})],
             [("L", "T"), ("A", "Z"), ("Z", "B")], {"dev": 1})
    s = pm.smooth(p)
    assert not link_violations(p, s)
    assert s.table.loc[["A", "Z", "B"], "start"].tolist() == [4.0, 7.0, 9.0]
    assert s.info["peak_after"] == {"dev": 1.0}


CASES = [
    # (tasks, links, capacities): small enough to enumerate every start inside the float.
    ([("A", 3, {"r": 2}), ("B", 2, {"r": 1}), ("C", 2, {"r": 2}), ("D", 6, {})],
     [("A", "B", "SS", 1), ("B", "C", "FF", 0)], {"r": 2}),
    ([("A", 2, {"r": 1, "s": 1}), ("B", 1, {"s": 2}), ("C", 3, {"r": 1}), ("D", 5, {"r": 1})],
     [("A", "C", "SF", 4), ("B", "C", "FS", -1)], {"r": 2, "s": 2}),
    ([("A", 1, {"r": 1}), ("B", 1, {"r": 1}), ("C", 1, {"r": 1}), ("D", 1, {"r": 1}), ("E", 4, {})],
     [("A", "B"), ("C", "D", "SS", 1)], {"r": 1}),
]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_small_cases_reach_the_enumerated_optimum(case):
    p = make(*CASES[case])
    s = pm.smooth(p)
    assert not link_violations(p, s)
    assert s.makespan == pm.cpm(p).makespan
    best = brute_force_best(p)
    got = usage_score(p, s)
    assert got[0] == pytest.approx(best[0]) and got[1] == pytest.approx(best[1])


def test_psplib_instance_keeps_its_finish_and_lowers_every_peak():
    p = pm.read_project(DATA / "j1201_1.sm")
    s = pm.smooth(p)
    assert not link_violations(p, s)
    assert s.makespan == pm.cpm(p).makespan == 99.0
    for rid, before in s.info["peak_before"].items():
        assert s.info["peak_after"][rid] <= before
    assert s.info["sum_of_squares_after"] < s.info["sum_of_squares_before"]
    prof = pm.resource_profile(p, s).xs("demand", axis=1, level="measure")
    assert prof.max().to_dict() == s.info["peak_after"]


@settings(max_examples=60, deadline=None)
@given(networks())
def test_random_networks_keep_finish_and_links_and_never_get_worse(p):
    s = pm.smooth(p)
    assert not link_violations(p, s)
    assert s.makespan == pytest.approx(pm.cpm(p).makespan)
    before, after = usage_score(p, pm.cpm(p)), usage_score(p, s)
    assert after[0] <= before[0] + 1e-9
    if after[0] >= before[0] - 1e-9:
        assert after[1] <= before[1] + 1e-9
