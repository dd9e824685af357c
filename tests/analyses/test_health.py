"""The DCMA-style schedule health check on small networks checked by hand."""

from __future__ import annotations

import pytest

import pmsim as pm
from support import make_project


def row(project, check):
    table = pm.health_check(project)
    return table.set_index("check").loc[check]


def chain(n, first=0, duration=1):
    """Tasks T{first}..T{first+n-1} linked FS in a row."""
    ids = [f"T{k}" for k in range(first, first + n)]
    return [(t, duration) for t in ids], [(a, b) for a, b in zip(ids, ids[1:])]


def test_table_shape():
    table = pm.health_check(make_project([("A", 1), ("B", 1)], [("A", "B")]))
    assert list(table.columns) == ["dcma", "check", "rule", "threshold", "value", "passed", "tasks", "note"]
    assert table["dcma"].tolist() == [1, 2, 3, 4, 5, 6, 8, 12]
    assert table["check"].tolist() == ["missing logic", "leads", "lags", "FS links", "hard constraints",
                                       "high float", "high duration", "critical path test"]
    assert table["passed"].all()


def test_missing_logic_exempts_the_start_and_the_finish():
    # S -> A -> B -> F is the spine; E hangs off S with no successor; D has no link at all.
    p = make_project([("S", 1), ("A", 2), ("B", 2), ("F", 1), ("E", 1), ("D", 1)],
                     [("S", "A"), ("A", "B"), ("B", "F"), ("S", "E")])
    r = row(p, "missing logic")
    assert r["tasks"] == ("E", "D")
    assert r["value"] == 50.0  # 2 of the 4 tasks that are neither the start nor the finish
    assert not r["passed"]


@pytest.mark.parametrize("extra, value, passed", [
    (1, 5.0, True),                 # 1 dangling task of 20 counted: exactly at the threshold
    (2, pytest.approx(200 / 21), False),  # 2 of 21
])
def test_missing_logic_threshold(extra, value, passed):
    tasks, links = chain(21)
    tasks += [(f"D{k}", 1) for k in range(extra)]
    r = row(make_project(tasks, links), "missing logic")
    assert (r["value"], r["passed"]) == (value, passed)


def test_leads_lags_and_link_types():
    tasks, links = chain(21)  # 20 FS links
    links[3] = ("T3", "T4", "FS", -1)   # a lead
    links[7] = ("T7", "T8", "SS", 2)    # a lag, and not FS
    links[9] = ("T9", "T10", "FF", 0)   # not FS
    table = pm.health_check(make_project(tasks, links)).set_index("check")
    assert table.loc["leads", ["value", "passed", "tasks"]].tolist() == [5.0, False, ("T4",)]
    assert table.loc["lags", ["value", "passed", "tasks"]].tolist() == [5.0, True, ("T8",)]
    assert table.loc["FS links", ["value", "passed", "tasks"]].tolist() == [90.0, True, ("T8", "T10")]


def test_lags_and_fs_share_fail_past_their_thresholds():
    tasks, links = chain(21)
    links[1] = ("T1", "T2", "SS", 1)
    links[2] = ("T2", "T3", "FS", 1)
    links[5] = ("T5", "T6", "SF", 0)
    table = pm.health_check(make_project(tasks, links)).set_index("check")
    assert table.loc["lags", ["value", "passed"]].tolist() == [10.0, False]
    assert table.loc["FS links", ["value", "passed"]].tolist() == [90.0, True]
    links[6] = ("T6", "T7", "FF", 0)
    table = pm.health_check(make_project(tasks, links)).set_index("check")
    assert table.loc["FS links", ["value", "passed"]].tolist() == [85.0, False]


def test_no_links():
    r = row(make_project([("A", 1)]), "FS links")
    assert (r["value"], r["passed"], r["note"]) == (100.0, True, "no links")


def test_hard_constraints_are_never_found():
    r = row(make_project([("A", 1)]), "hard constraints")
    assert (r["value"], r["passed"]) == (0.0, True)
    assert "no date constraints" in r["note"]


def test_high_float_and_high_duration():
    # A (50 days) and B (1 day) in parallel before F: B floats 49 days; C floats exactly 44.
    p = make_project(
        [("S", 0), ("A", 50), ("B", 1), ("C", 6), ("F", 0)],
        [("S", "A"), ("S", "B"), ("S", "C"), ("A", "F"), ("B", "F"), ("C", "F")],
    )
    p = p.replace(tasks=tuple(t.replace(milestone=True) if t.id in ("S", "F") else t for t in p.tasks))
    table = pm.health_check(p).set_index("check")
    # Over the three tasks that are not milestones.
    assert table.loc["high float", ["value", "passed", "tasks"]].tolist() == [pytest.approx(100 / 3), False, ("B",)]
    assert table.loc["high duration", ["value", "passed", "tasks"]].tolist() == [pytest.approx(100 / 3), False, ("A",)]


def test_durations_of_44_days_are_not_high():
    r = row(make_project([("A", 44), ("B", 1)], [("A", "B")]), "high duration")
    assert (r["value"], r["passed"]) == (0.0, True)


def test_critical_path_test_passes_on_a_chain_of_finish_to_start_links():
    p = make_project([("A", 3), ("B", 2), ("C", 4)], [("A", "B", "FS", 2), ("B", "C")])
    r = row(p, "critical path test")
    assert (r["value"], r["passed"], r["tasks"]) == (0.0, True, ())


def test_critical_path_test_finds_a_task_placed_by_its_finish():
    # C finishes 1 day after B (FF+1): a longer C starts earlier, the finish stays.
    p = make_project([("A", 3), ("B", 2), ("C", 4)], [("A", "B"), ("B", "C", "FF", 1)])
    assert pm.cpm(p).table.loc["C", ["early_start", "critical"]].tolist() == [2.0, True]
    r = row(p, "critical path test")
    assert (r["value"], r["passed"], r["tasks"]) == (1.0, False, ("C",))


def test_critical_path_test_finds_a_task_critical_only_through_its_start():
    # X is critical (Y starts with it), but lengthening X does not move the finish.
    p = make_project([("S", 2), ("X", 10), ("Y", 20)], [("S", "X"), ("X", "Y", "SS", 0)])
    assert pm.cpm(p).table.loc["X", "critical"]
    r = row(p, "critical path test")
    assert (r["value"], r["passed"], r["tasks"]) == (1.0, False, ("X",))


@pytest.mark.parametrize("name", pm.sample_projects())
def test_critical_path_test_agrees_with_adding_600_days(name):
    """DCMA's own procedure, task by task: lengthen a critical task by 600 days, see the finish move."""
    p = pm.read_project(pm.data_path(name))
    s = pm.cpm(p)
    broken = set()
    for tid in s.table.index[s.table["critical"] & ~s.table["milestone"]]:
        longer = pm.cpm(p, durations={tid: s.table.at[tid, "duration"] + 600})
        if abs(longer.makespan - s.makespan - 600) > 1e-6:
            broken.add(tid)
    r = row(p, "critical path test")
    milestones = set(s.table.index[s.table["milestone"]])
    assert set(r["tasks"]) - milestones == broken
