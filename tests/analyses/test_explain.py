"""pm.explain: the change between two versions attributed to groups of changes (Shapley values, common random numbers)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import pmsim as pm
from pmsim.changes import CALENDARS, CORRELATION, ESTIMATES, LEVELLING, LOGIC, PROGRESS, Settings, diff

COLUMNS = ["p50", "p80", "expected_cost"]


def chain(cost_per_day=100.0):
    """A -> B -> C, all uncertain, with a cost per day: the only path."""
    tasks = [pm.Task(t, optimistic=o, most_likely=m, pessimistic=p, cost_per_day=cost_per_day, phase="build")
             for t, (o, m, p) in zip("ABC", [(2, 4, 9), (3, 5, 12), (1, 2, 4)])]
    return pm.Project(name="chain", start="2027-01-04", tasks=tasks,
                      dependencies=[pm.Dependency("A", "B"), pm.Dependency("B", "C")])


def numbers(project, iterations, seed, **kw):
    sim = pm.simulate(project, iterations=iterations, seed=seed, **kw)
    return {"p50": sim.percentile_days(50), "p80": sim.percentile_days(80), "expected_cost": float(sim.cost.mean())}


def assert_sums_to_total(why, base, changed):
    """Each column adds up to the change between the two simulations (run apart with pm.simulate)."""
    for column in COLUMNS:
        total = changed[column] - base[column]
        assert why.attrs["start"][column] == pytest.approx(base[column], rel=1e-12, abs=1e-9)
        assert why.attrs["end"][column] == pytest.approx(changed[column], rel=1e-12, abs=1e-9)
        assert why[column].sum() == pytest.approx(total, rel=1e-12, abs=1e-9)


def test_two_groups_add_up_to_the_change_between_two_simulations():
    p = chain().replace(risks=(pm.Risk("R1", "Vendor late", 0.4, tasks=("B",), optimistic=1, most_likely=2,
                                       pessimistic=6, cost_impact=800),))
    s = pm.Scenario("slower, no vendor risk", multiplier=1.2, risks={"R1": False})
    why = pm.explain(p, s, iterations=3000, seed=5)
    assert list(why.columns) == COLUMNS
    assert why.index.tolist() == [ESTIMATES, "risk R1"] and why.index.name == "change"
    assert_sums_to_total(why, numbers(p, 3000, 5), numbers(s.apply(p), 3000, 5))
    assert why.attrs["method"] == "exact" and why.attrs["coalitions"] == 4 and why.attrs["permutations"] == 2
    assert why.loc[ESTIMATES, "p80"] > 0 > why.loc["risk R1", "p80"]
    # Removing the risk saves its cost impact in the iterations it struck (40 % of 800) and the days it added.
    assert why.loc["risk R1", "expected_cost"] < -0.3 * 800


def test_two_groups_are_shared_by_the_shapley_formula():
    # With two groups each gets half of (its effect alone) + half of (its effect on top of the other).
    p = chain().replace(risks=(pm.Risk("R1", "", 0.5, tasks=("A",), optimistic=1, most_likely=3, pessimistic=8),))
    s = pm.Scenario("s", tasks={"B": 1.5}, risks={"R1": False})
    why = pm.explain(p, s, iterations=2000, seed=3)
    v = {k: numbers(q, 2000, 3) for k, q in {
        "": p, "e": pm.Scenario("e", tasks={"B": 1.5}).apply(p), "r": pm.Scenario("r", risks={"R1": False}).apply(p),
        "er": s.apply(p)}.items()}
    for c in COLUMNS:
        expected = 0.5 * (v["e"][c] - v[""][c]) + 0.5 * (v["er"][c] - v["r"][c])
        assert why.loc[ESTIMATES, c] == pytest.approx(expected, rel=1e-12, abs=1e-9)


def test_three_groups_estimates_logic_and_a_risk():
    p = chain().replace(risks=(pm.Risk("R1", "", 0.5, tasks=("C",), optimistic=1, most_likely=2, pessimistic=5),))
    s = pm.Scenario("fast-track", links={("A", "B"): ("SS", 2)}, phases={"build": 0.9}, risks={"R1": 0.9})
    why = pm.explain(p, s, iterations=2000, seed=8)
    assert why.index.tolist() == [ESTIMATES, LOGIC, "risk R1"]
    assert why.attrs["details"]["risk R1"] == "edited: probability"
    assert_sums_to_total(why, numbers(p, 2000, 8), numbers(s.apply(p), 2000, 8))
    assert why.loc[LOGIC, "p80"] < 0 < why.loc["risk R1", "p80"]


def eight_group_change(n_risks=5):
    """Estimates, logic, correlation and five risks: eight groups."""
    tasks = [pm.Task(f"T{k}", optimistic=2, most_likely=4, pessimistic=9, cost_per_day=50, phase="p")
             for k in range(6)]
    deps = [pm.Dependency("T0", "T1"), pm.Dependency("T1", "T2"), pm.Dependency("T0", "T3"),
            pm.Dependency("T3", "T4"), pm.Dependency("T2", "T5"), pm.Dependency("T4", "T5")]
    risks = tuple(pm.Risk(f"R{k}", "", 0.3, tasks=(f"T{k}",), optimistic=1, most_likely=2, pessimistic=5,
                          cost_impact=100 * k) for k in range(5))
    p = pm.Project(name="eight", start="2027-01-04", tasks=tasks, dependencies=deps, risks=risks)
    s = pm.Scenario("eight", multiplier=1.1, links={("T3", "T4"): ("SS", 1)}, correlation=0.6,
                    risks={f"R{k}": 0.6 for k in range(n_risks)})
    return p, s


def test_eight_groups_are_exact_and_add_up():
    p, s = eight_group_change()
    why = pm.explain(p, s, iterations=1024, seed=2)
    assert why.index.tolist() == [ESTIMATES, LOGIC, CORRELATION] + [f"risk R{k}" for k in range(5)]
    assert why.attrs["method"] == "exact" and why.attrs["coalitions"] == 2**8
    assert why.attrs["permutations"] == math.factorial(8)
    changed = s.apply(p)
    assert_sums_to_total(why, numbers(p, 1024, 2),
                         numbers(changed, 1024, 2, correlation=pm.scenarios.correlation_groups(changed, 0.6)))
    # Each risk's cost share: its cost impact times the extra 30 % of iterations it now strikes, plus days.
    assert why.loc["risk R0", "expected_cost"] >= 0


def test_symmetric_groups_get_equal_shares_and_a_certain_risk_its_impact():
    # Two certain risks of 3 days on the only path, removed: each is worth exactly -3 days, in every column's
    # order of application; and a certain fixed risk of d = 2 days added on the path adds exactly 2 to the P80.
    p = chain(cost_per_day=0).replace(risks=(
        pm.Risk("R1", "", 1.0, tasks=("A",), impact=pm.Fixed(3)),
        pm.Risk("R2", "", 1.0, tasks=("C",), impact=pm.Fixed(3))))
    changed = p.replace(risks=(pm.Risk("R3", "", 1.0, tasks=("B",), impact=pm.Fixed(2)),),
                        tasks=tuple(t.replace(estimate=t.estimate.scaled(1.3)) for t in p.tasks))
    why = pm.explain(p, changed, iterations=2000, seed=4)
    assert why.index.tolist() == [ESTIMATES, "risk R1", "risk R2", "risk R3"]
    assert why.loc["risk R1", "p80"] == why.loc["risk R2", "p80"] == pytest.approx(-3.0, abs=1e-5)  # float32 dates
    assert why.loc["risk R1", "p50"] == pytest.approx(why.loc["risk R2", "p50"], abs=1e-9)
    assert why.loc["risk R3", "p80"] == pytest.approx(2.0, abs=1e-5)
    assert why.loc["risk R3", "p50"] == pytest.approx(2.0, abs=1e-5)


def test_a_group_that_changes_nothing_gets_zero():
    # D runs beside the chain with far more float than it could use and costs nothing: doubling it moves nothing.
    p = chain().replace(tasks=chain().tasks + (pm.Task("D", optimistic=1, most_likely=1.5, pessimistic=2),),
                        risks=(pm.Risk("R1", "", 0.5, tasks=("B",), optimistic=1, most_likely=2, pessimistic=4),))
    s = pm.Scenario("s", tasks={"D": 2.0}, risks={"R1": 0.8})
    why = pm.explain(p, s, iterations=2000, seed=6)
    assert why.loc[ESTIMATES].tolist() == [0.0, 0.0, 0.0]
    assert why.loc["risk R1", "p80"] > 0


def test_adding_a_task_leaves_the_draws_of_the_others_alone():
    # Common random numbers keyed by task id: a task added beside the path, never driving it and costing
    # nothing, changes no number; nor does one removed.
    p = chain()
    added = p.replace(tasks=p.tasks + (pm.Task("E", duration=1),), dependencies=p.dependencies
                      + (pm.Dependency("A", "E"),))
    why = pm.explain(p, added, iterations=2000, seed=9)
    assert why.index.tolist() == [LOGIC]
    assert why.loc[LOGIC].tolist() == [0.0, 0.0, 0.0]
    assert pm.explain(added, p, iterations=2000, seed=9).loc[LOGIC].tolist() == [0.0, 0.0, 0.0]


def test_more_groups_than_exact_are_sampled_and_still_add_up():
    # Ten certain fixed risks on the only path: every order gives each its own impact, so the sampled shares are
    # exact and their standard errors zero.
    p = chain(cost_per_day=10)
    risks = tuple(pm.Risk(f"R{k}", "", 1.0, tasks=("B",), impact=pm.Fixed(k + 1), cost_impact=5) for k in range(10))
    why = pm.explain(p, p.replace(risks=risks), iterations=1000, seed=1, permutations=6)
    assert why.attrs["method"] == "sampled" and why.attrs["permutations"] == 6
    assert why.attrs["coalitions"] <= 6 * 10 + 1
    assert_sums_to_total(why, numbers(p, 1000, 1), numbers(p.replace(risks=risks), 1000, 1))
    for k in range(10):
        assert why.loc[f"risk R{k}", "p80"] == pytest.approx(k + 1, abs=1e-4)
        # 5 of risk cost and k + 1 more days of B at 10 a day, in every iteration.
        assert why.loc[f"risk R{k}", "expected_cost"] == pytest.approx(5 + 10 * (k + 1), abs=1e-6)
        assert why.attrs["standard_error"][f"risk R{k}"]["p80"] == pytest.approx(0, abs=1e-4)


def test_sampled_shares_estimate_the_exact_ones():
    p, s = eight_group_change(n_risks=3)  # six groups
    exact = pm.explain(p, s, iterations=1024, seed=2)
    sampled = pm.explain(p, s, iterations=1024, seed=2, permutations=100)
    assert sampled.attrs["method"] == "sampled"
    for c in ("p80", "expected_cost"):
        np.testing.assert_allclose(sampled[c].sum(), exact[c].sum(), rtol=1e-12)
        se = np.array([sampled.attrs["standard_error"][g][c] for g in exact.index])
        # Within four standard errors (plus a float's worth) of the exact value.
        assert np.all(np.abs(sampled[c].to_numpy() - exact[c].to_numpy()) <= 4 * se + 1e-6)


def test_a_reforecast_at_a_later_status_date_splits_progress_from_estimates():
    p = pm.read_project(pm.data_path("erp_upgrade"))
    progress = pm.read_progress(pm.data_path("erp_upgrade") / "progress.csv")
    march = p.with_progress(progress, "2027-03-31")
    may = p.with_progress(progress, "2027-05-28")
    may = may.replace(tasks=tuple(t.replace(estimate=t.estimate.scaled(1.1)) if t.actual_start is None else t
                                  for t in may.tasks))
    why = pm.explain(march, may, iterations=1024, seed=3)
    assert why.index.tolist() == [ESTIMATES, PROGRESS]
    assert "project status_date" in why.attrs["details"][PROGRESS]
    assert_sums_to_total(why, numbers(march, 1024, 3), numbers(may, 1024, 3))
    assert why.loc[ESTIMATES, "p80"] > 0


def test_calendars_levelling_and_their_groups():
    tasks = [pm.Task("A", duration=4, resources=(("dev", 1),)), pm.Task("B", duration=3, resources=(("dev", 1),))]
    p = pm.Project(name="x", start="2027-01-04", tasks=tasks, resources=(pm.Resource("dev", capacity=1),))
    holiday = p.replace(calendar=pm.Calendar(holidays=["2027-01-05"]))
    why = pm.explain(p, pm.Scenario("levelled", levelled=True), iterations=64, seed=1)
    assert why.index.tolist() == [LEVELLING] and why.loc[LEVELLING, "p80"] == pytest.approx(3.0)
    why = pm.explain(p, holiday, iterations=64, seed=1, levelled=True)
    assert why.index.tolist() == [CALENDARS]
    assert why.attrs["start"]["p80"] == 7 and why.attrs["end"]["p80"] == 7  # working days do not move
    assert diff(p, holiday).details[CALENDARS] == "project calendar"


def test_the_groups_of_a_mix_are_validated_and_named():
    p = chain()
    ch = diff(p, pm.Scenario("s", multiplier=2).apply(p))
    with pytest.raises(pm.PmsimError, match="unknown groups"):
        ch.mix(["logic"])


def test_bad_input_is_refused_with_a_clear_error():
    p = chain()
    with pytest.raises(pm.ValidationError, match="change must be a Scenario or a Project"):
        pm.explain(p, "faster", iterations=100)
    with pytest.raises(pm.UnknownReferenceError, match="unknown task 'Z'"):
        pm.explain(p, pm.Scenario("s", tasks={"Z": 2}), iterations=100)
    with pytest.raises(pm.ValidationError, match="iterations"):
        pm.explain(p, pm.Scenario("s"), iterations=0)
    with pytest.raises(pm.ValidationError, match="permutations"):
        pm.explain(p, pm.Scenario("s", multiplier=2), iterations=10, permutations=1)
    with pytest.raises(pm.ValidationError, match="permutations must be >= 2, got 'many'"):
        pm.explain(p, pm.Scenario("s", multiplier=2), iterations=10, permutations="many")


def test_no_change_gives_an_empty_table():
    p = chain()
    why = pm.explain(p, pm.Scenario("same"), iterations=100, seed=1)
    assert why.empty and list(why.columns) == COLUMNS
    assert why.attrs["start"] == why.attrs["end"]
    assert isinstance(why, pd.DataFrame)


def test_coalitions_sharing_one_register_plan_give_the_numbers_of_their_own_projects():
    # Risk-only differences share one plan whose register holds both versions of each changed risk; every
    # coalition must still give exactly what pm.simulate gives on the project of that mix.
    from pmsim.attribution import _Coalitions

    p = chain().replace(risks=(
        pm.Risk("R1", "", 0.5, tasks=("A", "B"), optimistic=1, most_likely=2, pessimistic=5, cost_impact=300),
        pm.Risk("R2", "", 0.4, tasks=("B",), optimistic=1, most_likely=3, pessimistic=4),
        pm.Risk("D1", "", 0.6, tasks=("A", "B", "C"), kind="driver", optimistic=0.9, most_likely=1.1,
                pessimistic=1.4),
        pm.Risk("R4", "", 0.3, tasks=("C",), optimistic=1, most_likely=1, pessimistic=2)))
    changed = p.replace(
        tasks=tuple(t.replace(estimate=t.estimate.scaled(1.2)) for t in p.tasks),
        risks=(pm.Risk("R1", "", 0.8, tasks=("B",), optimistic=2, most_likely=3, pessimistic=6, cost_impact=300),
               p.risks[2].replace(probability=0.9), p.risks[3],
               pm.Risk("D2", "", 0.5, tasks=("C",), kind="driver", optimistic=1.0, most_likely=1.2,
                       pessimistic=1.5)))
    changes = diff(p, changed)
    assert changes.groups == (ESTIMATES, "risk R1", "risk R2", "risk D1", "risk D2")
    values = _Coalitions(changes, 1500, 7)
    values.evaluate(range(2**5))
    assert values._registers  # the shared plans were used
    for mask in range(2**5):
        chosen = [g for b, g in enumerate(changes.groups) if mask >> b & 1]
        project, _ = changes.mix(chosen)
        expected = numbers(project, 1500, 7)
        assert values.table[mask].tolist() == [expected[c] for c in COLUMNS], chosen


def test_risk_coalitions_on_one_sampling_pass_equal_one_run_each():
    # run_versions samples the estimates and the risks once and runs the forward pass per register; every
    # coalition must give, to the bit, the numbers of a run of its own (drivers, events, an opportunity, cost
    # impacts, a task that may not exist, a two-way branch, a cost per day, correlation within a phase).
    from pmsim.attribution import _Coalitions

    tasks = [pm.Task(t, optimistic=o, most_likely=m, pessimistic=p, cost_per_day=50.0, phase="build")
             for t, (o, m, p) in zip("ABCDE", [(2, 4, 9), (3, 5, 12), (1, 2, 4), (2, 3, 5), (4, 6, 7)])]
    tasks[2] = tasks[2].replace(existence=0.6)
    tasks[3] = tasks[3].replace(existence=0.7, branch="go")
    tasks[4] = tasks[4].replace(existence=0.3, branch="go")
    links = [pm.Dependency("A", "B"), pm.Dependency("B", "C"), pm.Dependency("A", "D"), pm.Dependency("A", "E"),
             pm.Dependency("B", "E", type="SS", lag=2)]
    risks = (pm.Risk("R1", "", 0.5, tasks=("B", "C"), optimistic=1, most_likely=2, pessimistic=5, cost_impact=300),
             pm.Risk("O1", "", 0.4, tasks=("B",), optimistic=-3, most_likely=-2, pessimistic=-1, cost_impact=-120),
             pm.Risk("D1", "", 0.6, tasks=("A", "B", "C", "D"), kind="driver", optimistic=0.9, most_likely=1.1,
                     pessimistic=1.4),
             pm.Risk("R4", "", 0.3, tasks=("E",), optimistic=1, most_likely=1, pessimistic=2, cost_impact=75))
    p = pm.Project(name="versions", start="2027-01-04", tasks=tasks, dependencies=links, risks=risks,
                   cost_per_day=40.0)
    s = pm.Scenario("s", multiplier=1.1, correlation=0.4, risks={"R1": 0.9, "O1": False, "D1": 0.2, "R4": False})
    changes = diff(p, s.apply(p), Settings(), Settings(correlation=0.4))
    assert len(changes.groups) == 6
    folded, apart = _Coalitions(changes, 1500, 11), _Coalitions(changes, 1500, 11, fold=False)
    folded.evaluate(range(2**6))
    apart.evaluate(range(2**6))
    for mask in range(2**6):
        assert folded.table[mask].tolist() == apart.table[mask].tolist(), mask
    # And the fold gives what pm.simulate gives on a mix, risk costs and the cost per day included.
    chosen = [g for g in changes.groups if g.startswith("risk ")][:2]
    project, settings = changes.mix(chosen)
    assert settings.correlation is None  # the correlation group is not in this mix
    expected = numbers(project, 1500, 11)
    mask = sum(1 << changes.groups.index(g) for g in chosen)
    assert folded.table[mask].tolist() == [expected[c] for c in COLUMNS]


def test_the_fold_equals_the_runs_it_replaces_for_an_eight_group_change():
    # The benchmark's shape, smaller: estimates, logic and six risks on a random network, same seed.
    from pmsim.attribution import _Coalitions

    rng = np.random.default_rng(4)
    ids = [f"T{k}" for k in range(30)]
    tasks = [pm.Task(t, optimistic=float(o), most_likely=float(o + 2), pessimistic=float(o + 2 + w))
             for t, o, w in zip(ids, rng.integers(1, 6, 30), rng.integers(1, 9, 30))]
    links = [pm.Dependency(ids[i], ids[j]) for j in range(1, 30) for i in {int(rng.integers(0, j)), j - 1}]
    risks = tuple(pm.Risk(f"R{k}", "", 0.3, tasks=(ids[3 * k], ids[3 * k + 1]), optimistic=1, most_likely=2,
                          pessimistic=6, cost_impact=100.0 * k) for k in range(8))
    p = pm.Project(name="random", start="2027-01-04", tasks=tasks, dependencies=links, risks=risks)
    s = pm.Scenario("eight", multiplier=1.1, links={(links[0].predecessor, links[0].successor): ("SS", 2)},
                    risks={f"R{k}": 0.9 for k in range(6)})
    changes = diff(p, s.apply(p))
    assert len(changes.groups) == 8
    folded, apart = _Coalitions(changes, 1024, 3), _Coalitions(changes, 1024, 3, fold=False)
    folded.evaluate(range(2**8))
    apart.evaluate(range(2**8))
    assert all(folded.table[m].tolist() == apart.table[m].tolist() for m in range(2**8))


def responded_chain():
    """A (10 days, 100 a day) struck by R for certain (5 days, 2000); its response (500) removes it."""
    return pm.Project(name="responses", start="2027-01-04", tasks=[pm.Task("A", duration=10, cost_per_day=100)],
                      risks=[pm.Risk("R", "Vendor late", 1.0, tasks=("A",), impact=pm.Fixed(5), cost_impact=2000,
                                     post_probability=0.0, response_cost=500)])


def test_a_response_switched_on_is_a_group_of_its_own():
    # Base: 15 days, 1500 + 2000 = 3500. Estimates x1.2: 17 days, 3700. Response: 10 days, 1000 + 500 = 1500.
    # Both: 12 days, 1200 + 500 = 1700. Shapley, two groups: half of each effect alone plus half on top of the other:
    # the response -(5 + 5)/2 = -5 days and -(2000 + 2000)/2 = -2000; the estimates +2 days and +200.
    p = responded_chain()
    why = pm.explain(p, pm.Scenario("respond", multiplier=1.2, responses={"R": True}), iterations=1000, seed=2)
    assert why.index.tolist() == [ESTIMATES, "response R"]
    assert why.attrs["details"]["response R"] == "response in effect"
    assert why.loc["response R", COLUMNS].tolist() == pytest.approx([-5.0, -5.0, -2000.0], abs=1e-9)
    assert why.loc[ESTIMATES, COLUMNS].tolist() == pytest.approx([2.0, 2.0, 200.0], abs=1e-9)
    assert why.attrs["start"]["expected_cost"] == pytest.approx(3500.0)
    assert why.attrs["end"] == pytest.approx({"p50": 12.0, "p80": 12.0, "expected_cost": 1700.0})


def test_each_response_gets_its_share_and_a_withdrawn_one_its_cost_back():
    # Two responses on two tasks in parallel (A 10 days + R1 5, B 12 days + R2 4): the finish is max(A, B).
    # Base with R1's response in effect (responses=["R1"]): A 10, B 16 -> 16 days. The scenario withdraws R1's
    # response (A 15) and puts R2's in (B 12): 15 days. Response costs 300 and 700.
    p = pm.Project(name="two", start="2027-01-04", tasks=[pm.Task("A", duration=10), pm.Task("B", duration=12)],
                   risks=[pm.Risk("R1", "", 1.0, tasks=("A",), impact=pm.Fixed(5), post_probability=0.0,
                                  response_cost=300),
                          pm.Risk("R2", "", 1.0, tasks=("B",), impact=pm.Fixed(4), post_probability=0.0,
                                  response_cost=700)])
    why = pm.explain(p, pm.Scenario("swap", responses={"R1": False, "R2": True}), iterations=500, seed=1,
                     responses=["R1"])
    assert why.attrs["start"] == pytest.approx({"p50": 16.0, "p80": 16.0, "expected_cost": 300.0})
    assert why.attrs["end"] == pytest.approx({"p50": 15.0, "p80": 15.0, "expected_cost": 700.0})
    # Coalitions: {} 16; {R1 withdrawn} max(15, 16) = 16; {R2 on} max(10, 12) = 12; both max(15, 12) = 15.
    # R1 withdrawn: ((16 - 16) + (15 - 12)) / 2 = +1.5 days, cost -300; R2: ((12 - 16) + (15 - 16)) / 2 = -2.5, +700.
    assert why.loc["response R1", COLUMNS].tolist() == pytest.approx([1.5, 1.5, -300.0])
    assert why.loc["response R2", COLUMNS].tolist() == pytest.approx([-2.5, -2.5, 700.0])
    assert why.attrs["details"]["response R1"] == "response withdrawn"
    with pytest.raises(pm.PmsimError, match="unknown risk 'R9'"):
        pm.explain(p, pm.Scenario("s", multiplier=1.1), iterations=100, responses=["R9"])


def test_responses_with_changed_risks_fold_and_match_a_run_each():
    # A response and risk changes in one attribution: every coalition equals a run of its own, folded or not.
    from pmsim.attribution import _Coalitions

    p = chain().replace(risks=(
        pm.Risk("R1", "", 0.5, tasks=("A",), optimistic=1, most_likely=2, pessimistic=5, cost_impact=300,
                post_probability=0.1, response_cost=150),
        pm.Risk("R2", "", 0.4, tasks=("B",), optimistic=1, most_likely=3, pessimistic=4),
        pm.Risk("R3", "", 0.3, tasks=("C",), optimistic=1, most_likely=1, pessimistic=2)))
    s = pm.Scenario("s", responses={"R1": True}, risks={"R2": 0.9, "R3": False})
    changes = diff(p, s.apply(p), Settings(), Settings(responses=frozenset({"R1"})))
    assert changes.groups == ("risk R2", "risk R3", "response R1")
    folded, apart = _Coalitions(changes, 1024, 5), _Coalitions(changes, 1024, 5, fold=False)
    folded.evaluate(range(8))
    apart.evaluate(range(8))
    for mask in range(8):
        chosen = [g for b, g in enumerate(changes.groups) if mask >> b & 1]
        project, settings = changes.mix(chosen)
        sim = pm.simulate(project, iterations=1024, seed=5, responses=sorted(settings.responses))
        expected = [sim.percentile_days(50), sim.percentile_days(80), float(sim.cost.mean())]
        assert folded.table[mask].tolist() == apart.table[mask].tolist() == expected, chosen
