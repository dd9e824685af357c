"""Resource levelling: every levelled schedule is checked by an independent feasibility checker."""

from __future__ import annotations

import builtins
import functools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pmsim as pm
from pmsim.levelling import IMPROVE_SCHEDULES, RULES
from support import PSPLIB as DATA, TOL, assert_feasible, make, networks, violations

# --------------------------------------------------------------------------- the checker


def with_starts(project, schedule, starts) -> pm.Schedule:
    """The schedule with tasks moved to ``starts`` (a mapping or Series by task id), for the checker."""
    table = schedule.table.copy()
    table["start"] = pd.Series(starts, dtype=float).reindex(table.index)
    table["finish"] = table["start"] + table["duration"]
    return pm.Schedule(project=project, table=table, makespan=float(table["finish"].max()), critical_path=[])


def assert_floats_hold(project, schedule):
    """Levelled floats checked by moving tasks and asking the checker.

    All tasks at their late starts: a feasible schedule with the same finish.
    Each task alone slipped by its free float: still feasible, same finish.
    """
    t = schedule.table
    assert (t["late_start"] >= t["start"] - TOL).all()
    assert np.allclose(t["total_float"], (t["late_start"] - t["start"]).where(lambda f: f > 1e-9, 0.0))
    assert (t["free_float"] <= t["total_float"] + TOL).all() and (t["free_float"] >= 0).all()
    late = with_starts(project, schedule, t["late_start"])
    assert_feasible(project, late)
    assert late.makespan <= schedule.makespan + TOL
    for tid in t.index:
        slipped = t["start"].copy()
        slipped[tid] += t.at[tid, "free_float"]
        moved = with_starts(project, schedule, slipped)
        assert not violations(project, moved), (tid, violations(project, moved))
        assert moved.makespan <= schedule.makespan + TOL


def test_the_checker_catches_broken_schedules():
    # The CPM schedule of two tasks on one unit overlaps them; a hand-shifted one breaks a link.
    p = make([("A", 3, {"dev": 1}), ("B", 2, {"dev": 1})], [], {"dev": 1})
    assert any("over capacity" in v for v in violations(p, pm.cpm(p)))
    q = make([("A", 3, {}), ("B", 2, {})], [("A", "B", "SS", 2)], {})
    s = pm.cpm(q)
    table = s.table.copy()
    table.loc["B", ["start", "finish"]] = [1.0, 3.0]
    broken = pm.Schedule(project=q, table=table, makespan=3.0, critical_path=[])
    assert any("SS" in v for v in violations(q, broken))


# --------------------------------------------------------------------------- tiny projects


@functools.lru_cache(maxsize=None)
def brute_force_makespan(case: int, horizon: int = 12) -> float:
    """Shortest makespan of GENERALISED[case] over all integer start times (depth-first, pruned).

    Integer durations and lags: some optimal schedule has integer starts.
    Links are checked when both ends are placed, so any order of tasks works.
    """
    p = make(*GENERALISED[case])
    ids = list(p.task_ids)
    dur = {t.id: int(t.planned_duration) for t in p.tasks}
    cap = {r.id: r.capacity for r in p.resources}
    use = {rid: [0.0] * (horizon + 10) for rid in cap}
    start: dict[str, int] = {}
    best = [math.inf]

    def links_ok(tid):
        for d in p.dependencies:
            if d.predecessor in start and d.successor in start and tid in (d.predecessor, d.successor):
                a, b = start[d.predecessor], start[d.successor]
                fa, fb = a + dur[d.predecessor], b + dur[d.successor]
                lhs = b if d.type in ("FS", "SS") else fb
                rhs = (fa if d.type in ("FS", "FF") else a) + d.lag
                if lhs < rhs:
                    return False
        return True

    def place(k, span):
        if span >= best[0]:
            return
        if k == len(ids):
            best[0] = span
            return
        tid = ids[k]
        task = p.task(tid)
        for s0 in range(horizon + 1):
            slots = range(s0, s0 + dur[tid])
            if any(use[r][t] + u > cap[r] for r, u in task.resources for t in slots):
                continue
            start[tid] = s0
            if links_ok(tid):
                for r, u in task.resources:
                    for t in slots:
                        use[r][t] += u
                place(k + 1, max(span, s0 + dur[tid]))
                for r, u in task.resources:
                    for t in slots:
                        use[r][t] -= u
            del start[tid]

    place(0, 0)
    return float(best[0])


def test_two_tasks_on_one_developer_run_one_after_the_other():
    p = make([("A", 3, {"dev": 1}), ("B", 2, {"dev": 1})], [], {"dev": 1})
    s = pm.level(p)
    assert_feasible(p, s)
    assert s.kind == "levelled"
    assert s.makespan == 5.0 and s.delay == 2.0  # CPM finishes at 3
    # A comes first in the project, so B (LFT tie) waits.
    assert s.table.loc["A", "start"] == 0.0 and s.table.loc["B", "start"] == 3.0
    assert s.held_back.to_dict("index") == {"B": {"delay": 3.0, "own_delay": 3.0, "resources": "dev", "via": ""}}


def test_a_delay_passed_down_a_chain_names_the_resource_and_the_predecessor():
    # A (then D) is the critical chain, so B waits for the tester; C (no resource) follows B.
    p = make([("A", 4, {"qa": 1}), ("B", 2, {"qa": 1}), ("C", 1, {}), ("D", 3, {})],
             [("B", "C"), ("A", "D")], {"qa": 1})
    s = pm.level(p)
    assert_feasible(p, s)
    held = s.held_back
    assert list(held.index) == ["B", "C"]
    assert held.loc["B", "resources"] == "qa" and held.loc["B", "via"] == ""
    assert held.loc["C", "resources"] == "qa" and held.loc["C", "via"] == "B"
    assert held.loc["C", "own_delay"] == 0.0 and held.loc["C", "delay"] == 4.0


def test_ample_capacity_gives_the_cpm_schedule():
    p = make([("A", 3, {"dev": 1}), ("B", 2, {"dev": 1}), ("C", 4, {"dev": 2})],
             [("A", "C", "SS", 1), ("B", "C", "FF", 2)], {"dev": 10})
    s, c = pm.level(p), pm.cpm(p)
    assert s.makespan == c.makespan and s.delay == 0.0
    assert np.allclose(s.table["start"], c.table["start"])
    assert s.held_back.empty


GENERALISED = [
    # (tasks, links, capacities) small enough for brute force; every link type, a negative lag.
    ([("A", 3, {"r": 2}), ("B", 2, {"r": 1}), ("C", 2, {"r": 2}), ("D", 1, {"r": 1})],
     [("A", "B", "SS", 1), ("A", "C", "FF", 1), ("B", "D", "SF", 2)], {"r": 2}),
    ([("A", 2, {"r": 1}), ("B", 3, {"r": 1}), ("C", 2, {"r": 1}), ("D", 2, {"r": 1})],
     [("A", "B", "FS", -1), ("B", "C", "SS", 0), ("C", "D", "FF", 0)], {"r": 2}),
    ([("A", 2, {"r": 1, "s": 1}), ("B", 2, {"s": 1}), ("C", 3, {"r": 1}), ("D", 0, {"r": 5})],
     [("A", "D", "FS", 0), ("B", "D", "SF", 1), ("C", "D", "FF", -1)], {"r": 1, "s": 1}),
]


@pytest.mark.parametrize("case", range(len(GENERALISED)))
@pytest.mark.parametrize("method", ["serial", "parallel", "exact"])
def test_generalised_links_are_kept_and_the_optimum_is_found(case, method):
    p = make(*GENERALISED[case])
    s = pm.level(p, method=method, schedules=50)
    assert_feasible(p, s)
    optimum = brute_force_makespan(case)
    assert s.makespan >= optimum - TOL
    if method in ("serial", "exact"):
        assert s.makespan == optimum
    if method == "exact":
        assert s.status == "optimal" and s.lower_bound == optimum


def test_fractional_durations_lags_and_units():
    p = make([("A", 1.5, {"r": 0.5}), ("B", 2.25, {"r": 0.75}), ("C", 0.5, {"r": 0.5}), ("D", 1.0, {"r": 0.3})],
             [("A", "C", "SS", 0.25), ("B", "D", "FF", -0.5)], {"r": 1.0})
    for method in ("serial", "parallel"):
        for improve in (False, True):
            s = pm.level(p, method=method, improve=improve)
            assert_feasible(p, s)
    assert pm.level(p, method="exact").status == "optimal"


def test_exact_with_units_off_the_grid_rounds_safely_and_claims_no_optimum():
    # Three thirds of a unit fit together; CP-SAT sees 0.334 each (rounded up), so it cannot.
    third = 1 / 3
    p = make([("A", 2, {"r": third}), ("B", 2, {"r": third}), ("C", 2, {"r": third})], [], {"r": 1})
    heuristic = pm.level(p)
    assert_feasible(p, heuristic)
    assert heuristic.makespan == 2.0
    s = pm.level(p, method="exact", time_limit=5)
    assert_feasible(p, s)
    assert s.status == "feasible" and s.lower_bound == 2.0 and s.makespan >= 2.0


def test_a_milestone_uses_no_resource_even_when_it_lists_one():
    p = make([("A", 2, {"r": 1}), ("M", 0, {"r": 9})], [("A", "M")], {"r": 1})
    s = pm.level(p)
    assert_feasible(p, s)
    assert s.makespan == 2.0


@pytest.mark.parametrize("rule", sorted(RULES))
@pytest.mark.parametrize("method", ["serial", "parallel"])
@pytest.mark.parametrize("improve", [False, True])
def test_every_rule_and_scheme_levels_psplib_instances(rule, method, improve):
    for name in ("j301_1.sm", "Pat1.rcp"):
        p = pm.read_project(DATA / name)
        s = pm.level(p, method=method, rule=rule, improve=improve)
        assert_feasible(p, s)
        assert_floats_hold(p, s)
        assert s.makespan >= pm.cpm(p).makespan
        assert s.status == "heuristic" and s.info["rule"] == rule


def test_rules_give_their_textbook_orders():
    # Three independent tasks on one unit: each rule picks a different first task.
    p = pm.Project(
        name="rules", start="2027-01-04",
        tasks=[pm.Task("long", duration=6, resources={"r": 1}), pm.Task("short", duration=1, resources={"r": 1}),
               pm.Task("hub", duration=2, resources={"r": 1}), pm.Task("x", duration=1), pm.Task("y", duration=1),
               pm.Task("z", duration=3)],
        dependencies=[pm.Dependency("hub", "x"), pm.Dependency("hub", "y"), pm.Dependency("short", "z")],
        resources=[pm.Resource("r", capacity=1)])
    first = {}
    for rule in RULES:
        s = pm.level(p, rule=rule, improve=False)
        assert_feasible(p, s)
        first[rule] = s.table.loc[["long", "short", "hub"], "start"].idxmin()
    # CPM (makespan 6): latest finish long 6, short 3 (z takes 3 days after it), hub 5;
    # latest start long 0, short 2, hub 3; total float long 0, short 2, hub 3.
    assert first["lft"] == "short"     # smallest latest finish
    assert first["lst"] == "long"      # smallest latest start
    assert first["mts"] == "hub"       # two successors
    assert first["grpw"] == "long"     # 6 > hub 2+1+1 > short 1+3
    assert first["minslack"] == "long"  # zero float


# --------------------------------------------------------------------------- PSPLIB quality


OPTIMA = {"j301_1.sm": 43, "j3037_6.sm": 73, "j3013_1.sm": 58}  # from j30opt.sm


@pytest.mark.parametrize("name", ["j301_1.sm", "j3037_6.sm"])
def test_the_search_reaches_the_published_optimum(name):
    p = pm.read_project(DATA / name)
    s = pm.level(p, schedules=1000, seed=3)
    assert_feasible(p, s)
    assert s.makespan == OPTIMA[name]
    assert s.info["schedules"] == 1000


def test_more_schedules_never_hurt_on_a_hard_instance():
    p = pm.read_project(DATA / "j3013_1.sm")
    made = [pm.level(p, improve=False), pm.level(p), pm.level(p, schedules=2000)]
    for s in made:
        assert_feasible(p, s)
    spans = [s.makespan for s in made]
    assert spans[0] >= spans[1] >= spans[2] >= OPTIMA["j3013_1.sm"]


def test_exact_proves_the_optimum_of_a_small_instance():
    p = pm.read_project(DATA / "j301_1.sm")
    s = pm.level(p, method="exact", time_limit=30)
    assert_feasible(p, s)
    assert (s.status, s.makespan, s.lower_bound) == ("optimal", 43.0, 43.0)


def test_exact_on_a_hard_instance_reports_a_bound_below_its_schedule():
    p = pm.read_project(DATA / "j1201_1.sm")
    s = pm.level(p, method="exact", time_limit=1)
    assert_feasible(p, s)
    assert s.status in ("optimal", "feasible")
    assert pm.cpm(p).makespan <= s.lower_bound <= s.makespan


def test_exact_bound_is_at_least_the_energy_bound():
    # j3013_1 (optimum 58, CPM 34) is among the hardest j30 instances: CP-SAT does not prove it in 1 s. Its
    # bound still holds each resource's work: R2 has 849 unit-days of demand (sum of duration x units in the
    # .sm file) over a capacity of 18, ceil(849 / 18) = 48, above the CPM finish.
    p = pm.read_project(DATA / "j3013_1.sm")
    demand = {}
    for t in p.tasks:
        for r, u in t.resources:
            demand[r] = demand.get(r, 0.0) + u * t.planned_duration
    energy = max(math.ceil(demand[r.id] / r.capacity) for r in p.resources)
    s = pm.level(p, method="exact", time_limit=1)
    assert_feasible(p, s)
    assert pm.cpm(p).makespan < energy <= s.lower_bound <= s.makespan


def test_same_seed_same_schedule():
    p = pm.read_project(DATA / "j3013_1.sm")
    a = pm.level(p, schedules=600, seed=11)
    b = pm.level(p, schedules=600, seed=11)
    assert a.table["start"].equals(b.table["start"]) and a.info == b.info
    c = pm.level(p, schedules=600, seed=12)  # another seed, another search
    assert not c.table["start"].equals(a.table["start"])
    c = pm.level(p, schedules=600, seed=np.random.default_rng(5))
    assert_feasible(p, c)


def test_sampling_without_improvement_spends_exactly_its_budget():
    p = pm.read_project(DATA / "j3013_1.sm")
    for method in ("serial", "parallel"):
        s = pm.level(p, method=method, improve=False, schedules=40, seed=2)
        assert_feasible(p, s)
        assert s.info["schedules"] == 40
        assert s.makespan <= pm.level(p, method=method, improve=False).makespan


def test_the_population_is_wider_for_small_projects_but_leaves_passes_for_children():
    from pmsim.levelling.heuristic import search_params as _brkga_params

    sizes = {n: [_brkga_params(budget, n)[0] for budget in (250, 1000, 5000)] for n in (5, 32, 60, 90, 122)}
    # 61 (122 / n)^1.1 sqrt(budget / 5000), from 12 to 300. j120 (122 tasks): 61 at 5,000 passes,
    # 61 / sqrt(5) = 27.3 at 1,000, 61 / sqrt(20) = 13.6 at 250.
    assert sizes[122] == [14, 27, 61]
    # j30 (32 tasks): (122 / 32)^1.1 = 4.359, so 265.9, 118.9 and 59.4.
    assert sizes[32] == [59, 119, 266]
    assert sizes[60] == [30, 60, 133]  # (122 / 60)^1.1 = 2.183
    assert sizes[90] == [19, 38, 85]  # (122 / 90)^1.1 = 1.397
    # 5 tasks: the formula gives 458, 916 and 2,049; at most 300, and filling (two passes a member)
    # may take half the budget at most: 250 / 4 = 62.5 and 1,000 / 4 = 250 members.
    assert sizes[5] == [62, 250, 300]
    assert _brkga_params(250, 10_000)[0] == 12  # the floor for big projects
    assert _brkga_params(20, 5)[0] == 5  # a tiny budget: the filling rule goes below 12
    assert _brkga_params(1, 5)[0] == 2  # an elite parent and another, always


def test_a_small_project_leaves_the_search_passes_for_children():
    # Five tasks, one resource of 2 units, no links: CPM 4 days, every schedule at least 12 / 2 = 6.
    p = make([(t, d, {"r": 1}) for t, d in zip("ABCDE", (3, 2, 4, 1, 2))], [], {"r": 2})
    s = pm.level(p)
    assert_feasible(p, s)
    assert s.makespan == 6.0
    # 62 members cost 2 x 61 passes to fill; about half of the 250 are left: some 60 children.
    assert s.info["schedules"] == 250 and s.info["population"] == 62
    assert 50 <= s.info["children"] <= 64


def test_time_limit_stops_a_long_search():
    import time

    p = pm.read_project(DATA / "j1201_1.sm")
    t0 = time.perf_counter()
    s = pm.level(p, schedules=10**8, time_limit=0.3)
    assert time.perf_counter() - t0 < 10  # generous: the point is that it stops
    assert_feasible(p, s)
    assert s.info["schedules"] < 10**8


def test_a_time_limit_not_reached_changes_nothing():
    # The search runs in slices between clock checks; slicing must not change the result.
    for name, schedules in (("j1201_1.sm", 300), ("j1201_1.sm", 2000), ("j3037_6.sm", 2000)):
        p = pm.read_project(DATA / name)
        free = pm.level(p, schedules=schedules, seed=5)
        timed = pm.level(p, schedules=schedules, seed=5, time_limit=1e6)
        # The search spends its whole budget: schedules - 1 passes, then one forward pass of the best.
        assert timed.info["schedules"] == free.info["schedules"] == schedules, name
        assert timed.table["start"].equals(free.table["start"]), name


@pytest.fixture
def watched(monkeypatch):
    """What the search returned last, and the makespan before and after the final left shift."""
    from pmsim._kernels import search, sgs

    seen = {}
    brkga_search, left_shift = search.brkga_search, sgs.left_shift

    def watched_search(*args):
        seen["best"] = brkga_search(*args)
        return seen["best"]

    def watched_left_shift(start, inst, ws):
        before = float((start + inst.dur).max())
        left_shift(start, inst, ws)
        seen["shift"] = (before, float((start + inst.dur).max()))

    monkeypatch.setattr(search, "brkga_search", watched_search)
    monkeypatch.setattr(sgs, "left_shift", watched_left_shift)
    return seen


def _check_the_search(s, seen, budget):
    """The search spent exactly its budget; the final left shift shortened nothing (no free passes)."""
    before, after = seen.pop("shift")
    assert after == before
    if "best" in seen:
        assert s.info["schedules"] == budget
        # The final forward pass never lengthens the search's best (it keeps it when it would).
        assert s.makespan <= seen.pop("best") + TOL
    else:  # nothing to search: no resource is contended, or the CPM finish is reached
        assert s.info["schedules"] < budget and "population" not in s.info


@pytest.mark.parametrize("name", sorted(OPTIMA) + ["j1201_1.sm", "Pat1.rcp"])
def test_the_search_spends_its_budget_and_the_left_shift_gains_nothing(name, watched):
    p = pm.read_project(DATA / name)
    for schedules, seed in ((1, 0), (1000, 4)):
        s = pm.level(p, schedules=schedules, seed=seed)
        assert "best" in watched
        _check_the_search(s, watched, max(schedules, IMPROVE_SCHEDULES))


# --------------------------------------------------------------------------- bad input


def _capacity_too_small():
    return make([("A", 2, {"dev": 3})], [], {"dev": 2})


def _zero_capacity():
    return make([("A", 2, {"qa": 1})], [], {"qa": 0})


BAD = [
    # (project factory, keyword arguments, error, words the message must contain)
    (_capacity_too_small, {}, pm.InfeasibleError, ["'A'", "'dev'", "capacity 2"]),   # demand 3 > capacity 2
    (_zero_capacity, {}, pm.InfeasibleError, ["'A'", "'qa'", "capacity is 0"]),       # any demand on capacity 0
    (_capacity_too_small, {"method": "exact"}, pm.InfeasibleError, ["'A'"]),           # exact checks it too
    (lambda: make([("A", 1, {})], [], {}), {"rule": "fifo"}, pm.ValidationError, ["fifo", "lft"]),  # unknown rule
    (lambda: make([("A", 1, {})], [], {}), {"method": "genetic"}, pm.ValidationError, ["genetic", "serial"]),
    (lambda: make([("A", 1, {})], [], {}), {"time_limit": 0}, pm.ValidationError, ["time_limit", "> 0"]),
    (lambda: make([("A", 1, {})], [], {}), {"time_limit": -5}, pm.ValidationError, ["time_limit"]),
    (lambda: make([("A", 1, {})], [], {}), {"time_limit": float("nan")}, pm.ValidationError, ["time_limit"]),
    (lambda: make([("A", 1, {})], [], {}), {"schedules": 0}, pm.ValidationError, ["schedules"]),
    (lambda: make([("A", 1, {})], [], {}), {"seed": -1}, pm.ValidationError, ["seed"]),
    # exact needs times on a 1/1000-day grid
    (lambda: make([("A", 1 / 3, {})], [], {}), {"method": "exact"}, pm.ValidationError, ["0.001"]),
]


@pytest.mark.parametrize("factory, kwargs, error, words", BAD)
def test_bad_input_is_refused_with_a_clear_message(factory, kwargs, error, words):
    with pytest.raises(error) as info:
        pm.level(factory(), **kwargs)
    for word in words:
        assert word in str(info.value)


def test_exact_without_ortools_names_the_extra(monkeypatch):
    real_import = builtins.__import__

    def no_ortools(name, *args, **kwargs):
        if name.startswith("ortools"):
            raise ImportError("No module named 'ortools'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ortools)
    with pytest.raises(pm.MissingExtraError, match=r"pip install pmsim\[exact\]"):
        pm.level(make([("A", 1, {})], [], {}), method="exact")


# --------------------------------------------------------------------------- profiles


def test_resource_profile_by_hand():
    # A (2 days, 2 devs) and B (1 day, 1 dev) both start on day 0; capacity 2.
    p = make([("A", 2, {"dev": 2}), ("B", 1, {"dev": 1, "qa": 1})], [], {"dev": 2, "qa": 1})
    prof = pm.resource_profile(p, pm.cpm(p))
    assert list(prof.index) == list(pd.to_datetime(["2027-01-04", "2027-01-05"]))
    assert prof.index.name == "date"
    assert prof["dev", "demand"].tolist() == [3.0, 2.0]
    assert prof["dev", "capacity"].tolist() == [2.0, 2.0]
    assert prof["dev", "overallocation"].tolist() == [1.0, 0.0]
    assert prof["qa", "demand"].tolist() == [1.0, 0.0]
    levelled = pm.resource_profile(p, pm.level(p))
    assert levelled.xs("overallocation", axis=1, level="measure").to_numpy().max() == 0.0
    assert len(levelled) == 3


def test_resource_profile_over_a_weekend_and_fractional_days():
    # 7 working days from Monday: the rows skip Saturday and Sunday.
    p = make([("A", 6.5, {"dev": 1})], [], {"dev": 1})
    prof = pm.resource_profile(p)
    assert len(prof) == 7
    assert prof.index[5] == pd.Timestamp("2027-01-11")
    assert prof["dev", "demand"].tolist() == [1.0] * 7  # the half day counts as in use


def test_overallocations_lists_periods_and_tasks():
    p = make([("A", 4, {"dev": 1}), ("B", 1, {"dev": 1}), ("C", 2, {"dev": 1})],
             [("B", "C", "FS", 1)], {"dev": 1})
    over = pm.overallocations(p, pm.cpm(p))
    # A runs 0-4; B 0-1 overlaps it; C 2-4 overlaps it: two separate periods.
    assert over[["resource", "start", "finish", "peak", "capacity", "excess"]].values.tolist() == [
        ["dev", 0.0, 1.0, 2.0, 1.0, 1.0], ["dev", 2.0, 4.0, 2.0, 1.0, 1.0]]
    assert over["tasks"].tolist() == [("A", "B"), ("A", "C")]
    assert over["start_date"].tolist() == [pd.Timestamp("2027-01-04"), pd.Timestamp("2027-01-06")]
    assert over["finish_date"].tolist() == [pd.Timestamp("2027-01-04"), pd.Timestamp("2027-01-07")]
    assert pm.overallocations(p, pm.level(p)).empty


def test_profiles_of_a_psplib_schedule_agree_with_the_checker():
    p = pm.read_project(DATA / "j3013_1.sm")
    cpm_over = pm.overallocations(p, pm.cpm(p))
    assert not cpm_over.empty and set(cpm_over["resource"]) <= {"R1", "R2", "R3", "R4"}
    s = pm.level(p)
    assert pm.overallocations(p, s).empty
    prof = pm.resource_profile(p, s)
    assert len(prof) == s.makespan
    for r in p.resources:
        assert prof[r.id, "demand"].max() <= r.capacity


# --------------------------------------------------------------------------- properties


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(), st.sampled_from(["serial", "parallel"]), st.booleans(), st.sampled_from(sorted(RULES)))
def test_random_networks_are_levelled_feasibly(p, method, improve, rule):
    s = pm.level(p, method=method, improve=improve, rule=rule, schedules=30, seed=1)
    assert_feasible(p, s)
    assert_floats_hold(p, s)
    cpm_span = pm.cpm(p).makespan
    assert s.makespan >= cpm_span - TOL
    assert abs(s.delay - (s.makespan - cpm_span)) < TOL
    assert pm.overallocations(p, s).empty
    moved = s.table.index[s.table["start"] > pm.cpm(p).table["start"] + TOL]
    assert set(s.held_back.index) == set(moved)


@settings(max_examples=25, deadline=None)
@given(networks())
def test_random_networks_with_ample_capacity_keep_the_cpm_dates(p):
    roomy = p.replace(resources=tuple(r.__class__(r.id, capacity=100) for r in p.resources))
    s = pm.level(roomy)
    assert np.allclose(s.table["start"], pm.cpm(roomy).table["start"])
    # Nothing waits for a resource: the floats are those the links leave before this finish.
    from pmsim.cpm import schedule_from_dates
    from pmsim.network import network

    early = network(roomy).to_topological(pm.cpm(roomy).table["start"].to_numpy())
    unlevelled = schedule_from_dates(roomy, early, kind="check")
    for column in ("late_start", "total_float", "free_float", "critical"):
        assert np.allclose(s.table[column], unlevelled.table[column]), column


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(networks(), st.sampled_from(["serial", "parallel"]), st.integers(0, 3))
def test_random_networks_spend_the_budget_and_the_left_shift_gains_nothing(watched, p, method, seed):
    watched.clear()
    s = pm.level(p, method=method, seed=seed)
    _check_the_search(s, watched, IMPROVE_SCHEDULES)


# --------------------------------------------------------------------------- command line


def test_cli_level_json(capsys):
    import json

    from pmsim.cli import main

    assert main(["level", str(DATA / "j301_1.sm"), "--json", "--schedules", "1000", "--seed", "3"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["makespan"] == OPTIMA["j301_1.sm"] and out["status"] == "heuristic"
    assert out["delay"] == OPTIMA["j301_1.sm"] - 38  # MPM-Time 38
    assert out["lower_bound"] is None and out["info"]["schedules"] == 1000
    assert {t["id"] for t in out["held_back"]} == {t["id"] for t in out["tasks"] if t["start"] > t["early_start"]}
    assert set(out["held_back"][0]) == {"id", "delay", "own_delay", "resources", "via"}
    p = pm.read_project(DATA / "j301_1.sm")
    table = pd.DataFrame(out["tasks"]).set_index("id")
    fake = pm.Schedule(project=p, table=table, makespan=out["makespan"], critical_path=[])
    assert_feasible(p, fake)


def test_cli_level_text_and_errors(capsys):
    from pmsim.cli import main

    assert main(["level", str(DATA / "Pat1.rcp"), "--method", "exact", "--time-limit", "1", "--table"]) == 0
    text = capsys.readouterr().out
    assert "levelled" in text and "status" in text and "held back by resources" in text
    assert main(["level", str(DATA / "Pat1.rcp"), "--rule", "fifo"]) == 2
    assert "unknown priority rule 'fifo'" in capsys.readouterr().err


# --------------------------------------------------------------------------- levelled Monte Carlo


def uncertain(project: pm.Project, spread=(0.7, 1.8)) -> pm.Project:
    """The project with three-point estimates around each planned duration."""
    lo, hi = spread
    tasks = [t.replace(optimistic=t.planned_duration * lo, most_likely=t.planned_duration,
                       pessimistic=t.planned_duration * hi) if t.planned_duration > 0 else t for t in project.tasks]
    return project.replace(tasks=tuple(tasks))


GENERAL_MC = make(
    [("A", 3, {"dev": 1}), ("B", 4, {"dev": 1, "qa": 1}), ("C", 2, {"qa": 1}), ("D", 5, {"dev": 2}),
     ("E", 1, {"qa": 1}), ("M", 0, {}), ("F", 2.5, {"dev": 1})],
    [("A", "B", "SS", 1), ("A", "C", "FF", 2), ("B", "D", "FS", -1), ("C", "E", "SF", 3),
     ("D", "M"), ("E", "M", "FS", 0.5), ("F", "E", "SS", -2)],
    {"dev": 2, "qa": 1}, name="general")


def _iteration_dates(sim):
    """Per iteration and task (project order): start and finish, rebuilt from the kept finishes."""
    from pmsim.montecarlo import runner

    plan = sim._plan
    batch = next(runner.batches(plan, sim.iterations))
    assert batch.count == sim.iterations
    durations = plan.net.to_project(runner.sample_durations(plan, batch)).T.astype(np.float64)
    finish = np.asarray(sim.task_finish, dtype=np.float64)
    return finish - durations, finish, durations


def test_levelled_iterations_never_exceed_capacity_and_keep_every_link():
    p = uncertain(GENERAL_MC)
    sim = pm.simulate(p, iterations=2000, seed=4, levelled=True, keep="tasks")
    assert sim.levelled
    start, finish, dur = _iteration_dates(sim)
    ids = list(p.task_ids)
    col = {t: k for k, t in enumerate(ids)}
    tol = 1e-4  # float32 dates
    assert np.all(start >= -tol)
    for d in p.dependencies:
        a, b = col[d.predecessor], col[d.successor]
        lhs = start[:, b] if d.type in ("FS", "SS") else finish[:, b]
        rhs = (finish[:, a] if d.type in ("FS", "FF") else start[:, a]) + d.lag
        assert np.all(lhs >= rhs - tol), d
    for r in p.resources:
        units = np.array([p.task(t).demand.get(r.id, 0.0) for t in ids])
        # Usage at every task's start, in every iteration: tasks running at that moment.
        running = (start[:, None, :] <= start[:, :, None] + tol) & (finish[:, None, :] > start[:, :, None] + tol) \
            & (dur[:, None, :] > 0)
        usage = (running * units[None, None, :]).sum(axis=2)
        assert usage.max() <= r.capacity + 1e-6, r.id
    assert np.allclose(sim.finish, finish.max(axis=1), atol=tol)
    unlevelled = pm.simulate(p, iterations=2000, seed=4)
    assert np.all(sim.finish >= unlevelled.finish - tol)
    assert sim.mean > unlevelled.mean


def test_levelled_with_ample_capacity_is_the_unlevelled_simulation_exactly():
    roomy = uncertain(GENERAL_MC).replace(resources=(pm.Resource("dev", capacity=50), pm.Resource("qa", capacity=50)))
    risky = roomy.with_risk(pm.Risk("R1", probability=0.3, tasks=("B",), optimistic=1, most_likely=2, pessimistic=6))
    for project in (roomy, risky):
        a = pm.simulate(project, iterations=3000, seed=9)
        b = pm.simulate(project, iterations=3000, seed=9, levelled=True)
        assert np.array_equal(a.finish, b.finish)
        assert np.array_equal(a.cost, b.cost)
        assert a.criticality.equals(b.criticality)


def test_levelled_simulation_repeats_with_its_seed_whatever_the_chunks_and_threads():
    import numba

    p = uncertain(pm.read_project(DATA / "j301_1.sm"))
    a = pm.simulate(p, iterations=2500, seed=21, levelled=True)
    b = pm.simulate(p, iterations=2500, seed=21, levelled=True, chunk_size=7)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        c = pm.simulate(p, iterations=2500, seed=21, levelled=True)
    finally:
        numba.set_num_threads(threads)
    for other in (b, c):
        assert np.array_equal(a.finish, other.finish) and a.criticality.equals(other.criticality)
    assert not np.array_equal(a.finish, pm.simulate(p, iterations=2500, seed=22, levelled=True).finish)


def test_levelled_iterations_with_planned_durations_reproduce_level():
    for name in ("j301_1.sm", "j3013_1.sm", "Pat1.rcp"):
        p = pm.read_project(DATA / name)
        sim = pm.simulate(p, iterations=64, seed=1, levelled=True)
        assert np.all(sim.finish == pm.level(p).makespan)


def test_levelled_run_and_its_burn_level_the_project_once(monkeypatch):
    import gc
    import weakref

    import pmsim.levelled_montecarlo as lv

    p = uncertain(pm.read_project(DATA / "j301_1.sm"))
    p = p.replace(tasks=tuple(t.replace(cost_per_day=100.0) for t in p.tasks))  # budget_burn needs costs
    calls = []
    real = lv.level
    monkeypatch.setattr(lv, "level", lambda project, *a, **k: calls.append(project) or real(project, *a, **k))
    sim = pm.simulate(p, iterations=200, seed=3, levelled=True, keep="tasks")
    pm.simulate(p, iterations=100, seed=4, levelled=True)
    next(sim.iter_task_dates())
    pm.budget_burn(p, sim, freq="W")
    assert len(calls) == 1 and calls[0] is p
    plan = lv.levelled_plan(p)
    assert plan.project is p and plan.table.equals(real(p).table)
    # What it hands out is a copy: changing it changes nobody else's plan.
    plan.table.loc[:, "start"] = -1.0
    assert lv.levelled_plan(p).table.equals(real(p).table) and sim.levelled_plan.table.equals(real(p).table)
    # Another Project object, even an equal one, is levelled on its own.
    q = p.replace(name="copy")
    assert lv.levelled_plan(q).project is q and len(calls) == 2
    # The plan is kept with its project and goes with it (it refers back to the project).
    gone = weakref.ref(q)
    del q
    calls.clear()
    gc.collect()
    assert gone() is None


def test_levelled_criticality_follows_resource_hand_overs():
    # A and B share the only developer. Unlevelled, both chains A-D and B-C take 5 days.
    p = make([("A", 4, {"dev": 1}), ("B", 3, {"dev": 1}), ("C", 2, {}), ("D", 1, {})],
             [("B", "C"), ("A", "D")], {"dev": 1})
    assert pm.simulate(p, iterations=10, seed=1).criticality.to_dict() == {"A": 1.0, "B": 1.0, "C": 1.0, "D": 1.0}
    # Levelled, B goes first (8 days; A first would take 9) and hands the developer to A:
    # the chain B -> A -> D sets the finish; C has float.
    s = pm.level(p)
    assert s.table["start"].to_dict() == {"A": 3.0, "B": 0.0, "C": 3.0, "D": 7.0}
    # The levelled schedule's own floats agree: slipping B delays A, hence D and the finish.
    assert s.critical_path == ["B", "A", "D"]
    assert s.table["total_float"].to_dict() == {"A": 0.0, "B": 0.0, "C": 3.0, "D": 0.0}
    sim = pm.simulate(p, iterations=10, seed=1, levelled=True)
    assert np.all(sim.finish == 8.0)
    assert sim.criticality.to_dict() == {"A": 1.0, "B": 1.0, "C": 0.0, "D": 1.0}


def test_levelled_floats_count_the_resources():
    # A and B share the only developer; Z (10 days, no resource) sets the finish.
    p = make([("A", 2, {"dev": 1}), ("B", 2, {"dev": 1}), ("Z", 10, {})], [], {"dev": 1})
    s = pm.level(p)
    t = s.table
    assert t["start"].to_dict() == {"A": 0.0, "B": 2.0, "Z": 0.0}
    # Both can slip 6 days (B to 8-10, A to 6-8 ahead of it), but A cannot slip alone: B follows it.
    assert t["total_float"].to_dict() == {"A": 6.0, "B": 6.0, "Z": 0.0}
    assert t["free_float"].to_dict() == {"A": 0.0, "B": 6.0, "Z": 0.0}
    assert t["late_start"].to_dict() == {"A": 6.0, "B": 8.0, "Z": 0.0}
    assert s.critical_path == ["Z"]
    assert_floats_hold(p, s)


def test_levelled_simulation_refuses_a_task_that_can_never_fit():
    p = make([("A", 2, {"dev": 3})], [], {"dev": 2})
    with pytest.raises(pm.InfeasibleError, match="'A'.*'dev'"):
        pm.simulate(p, iterations=100, seed=1, levelled=True)
