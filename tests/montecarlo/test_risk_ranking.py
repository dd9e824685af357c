"""Simulation.risk_ranking(): each risk removed in turn on common random numbers, in days and money."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pmsim as pm
from support import make_project


def uncertain_chain():
    # A -> B -> C, all uncertain: with common random numbers a certain fixed impact shifts every iteration alike.
    tasks = [pm.Task(t, optimistic=o, most_likely=m, pessimistic=p, cost_per_day=100)
             for t, (o, m, p) in zip("ABC", [(2, 4, 9), (3, 5, 12), (1, 2, 4)])]
    return pm.Project(name="chain", start="2027-01-04", tasks=tasks,
                      dependencies=[pm.Dependency("A", "B"), pm.Dependency("B", "C")])


def test_removing_a_certain_fixed_risk_from_the_only_path_shortens_p80_by_its_impact():
    d = 3.0
    p = uncertain_chain().replace(risks=(
        pm.Risk("R1", "Vendor late", 1.0, tasks=("B",), impact=pm.Fixed(d), cost_impact=500),
        pm.Risk("R2", "Rework", 0.3, tasks=("C",), optimistic=1, most_likely=2, pessimistic=4),
    ))
    sim = pm.simulate(p, iterations=4000, seed=11)
    table = sim.risk_ranking()
    assert list(table.columns) == ["name", "kind", "probability", "p80_days", "p80_cost", "mean_days", "mean_cost"]
    assert table.loc["R1", "p80_days"] == pytest.approx(d, abs=1e-5)  # float32 dates
    # Its cost: the 500 it costs and 3 more days of B at 100 a day, in every iteration.
    assert table.loc["R1", "p80_cost"] == pytest.approx(500 + 100 * d, abs=1e-3)
    assert table.loc["R1", "mean_days"] == pytest.approx(d, abs=1e-5)
    assert table.index.tolist() == ["R1", "R2"]  # largest effect first
    assert 0 < table.loc["R2", "p80_days"] < 4
    assert table.loc["R1", ["name", "kind", "probability"]].tolist() == ["Vendor late", "event", 1.0]


def test_a_deterministic_register_ranks_by_exact_days():
    # Fixed durations 10 + 5; R1 certain +3 on A; R2 with probability 0.5, +2 on B (the P80 iteration has it);
    # O an opportunity, certain -1 on B; D a certain driver x1.2 on A (10 -> 12).
    p = make_project([("A", 10), ("B", 5)], [("A", "B")]).replace(risks=(
        pm.Risk("R1", probability=1, tasks=("A",), impact=pm.Fixed(3)),
        pm.Risk("R2", probability=0.5, tasks=("B",), impact=pm.Fixed(2)),
        pm.Risk("O", probability=1, tasks=("B",), impact=pm.Fixed(-1)),
        pm.Risk("D", probability=1, tasks=("A",), kind="driver", impact=pm.Fixed(1.25)),
    ))
    sim = pm.simulate(p, iterations=2000, seed=3)
    table = sim.risk_ranking()
    # A = 10 x 1.25 + 3 = 15.5 (the driver multiplies, then events add); without D: 13, without R1: 12.5.
    expected = {"R1": 3.0, "D": 2.5, "R2": 2.0, "O": -1.0}
    assert table["p80_days"].to_dict() == expected
    assert table.index.tolist() == ["R1", "D", "R2", "O"]


def test_the_ranking_of_a_levelled_run_levels_every_run():
    # A and B need the one developer: levelled they run in series, so a certain +2 on A adds 2 to every finish.
    p = pm.Project(name="l", start="2027-01-04", resources=[pm.Resource("dev", capacity=1)],
                   tasks=[pm.Task(t, optimistic=2, most_likely=3, pessimistic=6, resources={"dev": 1}) for t in "AB"],
                   risks=[pm.Risk("R", probability=1, tasks=("A",), impact=pm.Fixed(2))])
    table = pm.simulate(p, iterations=2000, seed=6, levelled=True).risk_ranking()
    assert table.loc["R", "p80_days"] == pytest.approx(2.0, abs=1e-5)
    unlevelled = pm.simulate(p, iterations=2000, seed=6).risk_ranking()
    assert unlevelled.loc["R", "p80_days"] < 2.0  # in parallel B often drives the finish


def test_the_ranking_repeats_and_an_empty_register_gives_an_empty_table():
    p = uncertain_chain().replace(risks=(pm.Risk("R", probability=0.4, tasks=("A",), optimistic=1, most_likely=2,
                                                 pessimistic=5),))
    sim = pm.simulate(p, iterations=3000, seed=9)
    pd.testing.assert_frame_equal(sim.risk_ranking(), sim.risk_ranking())
    empty = pm.simulate(uncertain_chain(), iterations=100, seed=1).risk_ranking()
    assert empty.empty and "p80_days" in empty.columns


def test_the_ranking_with_correlation_uses_the_same_correlated_draws():
    p = uncertain_chain().replace(risks=(pm.Risk("R", probability=1, tasks=("C",), impact=pm.Fixed(1.5)),))
    sim = pm.simulate(p, iterations=3000, seed=2, correlation=[(["A", "B", "C"], 0.8)])
    assert sim.risk_ranking().loc["R", "p80_days"] == pytest.approx(1.5, abs=1e-5)
    assert np.isfinite(sim.risk_ranking()["p80_cost"]).all()


def test_the_ranking_runs_every_register_on_one_sampling_pass_with_the_numbers_of_separate_runs():
    # The registers without each risk share one sampling pass (run_versions); each must give exactly what a
    # simulation of the project without that risk gives (draws are keyed by task and risk id, and a threat
    # removed adds nothing, as one that never occurs).
    tasks = [pm.Task(t, optimistic=o, most_likely=m, pessimistic=q, cost_per_day=80.0)
             for t, (o, m, q) in zip("ABCD", [(2, 4, 9), (3, 5, 12), (1, 2, 4), (4, 6, 9)])]
    links = [pm.Dependency("A", "B"), pm.Dependency("B", "C"), pm.Dependency("A", "D")]
    risks = [pm.Risk("R1", "", 0.5, tasks=("B",), optimistic=1, most_likely=2, pessimistic=5, cost_impact=300),
             pm.Risk("D1", "", 0.4, tasks=("A", "B", "D"), kind="driver", optimistic=0.95, most_likely=1.1,
                     pessimistic=1.4),
             pm.Risk("R2", "", 0.3, tasks=("D", "C"), optimistic=2, most_likely=3, pessimistic=8, cost_impact=50)]
    p = pm.Project(name="r", start="2027-01-04", tasks=tasks, dependencies=links, risks=risks, cost_per_day=25.0)
    sim = pm.simulate(p, iterations=3000, seed=9)
    table = sim.risk_ranking()
    for risk in risks:
        alone = pm.simulate(p.replace(risks=tuple(r for r in risks if r.id != risk.id)), iterations=3000, seed=9)
        row = table.loc[risk.id]
        assert row["p80_days"] == sim.percentile_days(80) - alone.percentile_days(80)
        assert row["mean_days"] == float(sim.finish.mean() - alone.finish.mean())
        assert row["mean_cost"] == float(sim.cost.mean() - alone.cost.mean())
        assert row["p80_cost"] == pytest.approx(sim.cost_percentile(80) - alone.cost_percentile(80), abs=1e-6)
