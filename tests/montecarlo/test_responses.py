"""Risk responses: the post-response register in the engine, the cost-benefit table, files and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pmsim as pm
from pmsim.errors import UnknownReferenceError, ValidationError


def one_task(*risks, cost_per_day=100.0, **settings):
    return pm.Project(name="r", start="2027-01-04", tasks=[pm.Task("A", duration=10, cost_per_day=cost_per_day)],
                      risks=risks, **settings)


def event(rid="R", **fields):
    fields.setdefault("probability", 0.5)
    fields.setdefault("tasks", ("A",))
    fields.setdefault("impact", pm.Fixed(6))
    return pm.Risk(rid, **fields)


# --------------------------------------------------------------------------- the engine


def test_the_post_response_register_on_common_random_numbers():
    # Pre: 50 % chance of +6 days and 1,000; post: 10 % chance of +2 days and 300, for a response costing 250.
    p = one_task(event(cost_impact=1000, post_probability=0.1, post_impact=pm.Fixed(2), post_cost_impact=300,
                       response_cost=250))
    n = 5000
    pre = pm.simulate(p, iterations=n, seed=1)
    post = pm.simulate(p, iterations=n, seed=1, responses=True)
    assert set(np.unique(pre.finish).tolist()) == {10.0, 16.0}
    assert set(np.unique(post.finish).tolist()) == {10.0, 12.0}
    # One occurrence draw per risk and iteration: u < 0.1 implies u < 0.5, so the response only ever helps.
    assert np.all(pre.finish[post.finish == 12.0] == 16.0)
    # Cost per iteration: 100 a day, the post cost impact where it struck, and the response cost in every one.
    assert np.array_equal(post.cost, 100 * post.finish + np.where(post.finish == 12.0, 300.0, 0.0) + 250.0)
    assert np.array_equal(pre.cost, 100 * pre.finish + np.where(pre.finish == 16.0, 1000.0, 0.0))


def test_empty_post_values_keep_the_pre_response_ones():
    p = one_task(event(probability=1.0, cost_impact=800, post_impact=pm.Fixed(1)))  # no post probability or cost
    sim = pm.simulate(p, iterations=200, seed=2, responses=["R"])
    assert np.all(sim.finish == 11.0)
    assert np.all(sim.cost == 100 * 11 + 800)  # post values and no response cost: a response that costs nothing
    assert p.risks[0].response_cost == 0.0 and p.risks[0].has_response


def test_a_driver_response_changes_its_factor():
    p = one_task(pm.Risk("D", probability=1, tasks=("A",), kind="driver", most_likely=1.5, distribution="fixed",
                         post_most_likely=1.1, response_cost=40))
    assert np.all(pm.simulate(p, iterations=100, seed=3).finish == 15.0)
    sim = pm.simulate(p, iterations=100, seed=3, responses=True)
    assert np.allclose(sim.finish, 11.0)  # 10 x 1.1 in float32
    assert np.allclose(sim.cost, 100 * sim.finish + 40)


def test_responses_in_levelled_runs_with_correlation_and_at_the_data_date():
    p = pm.Project(name="l", start="2027-01-04", resources=[pm.Resource("dev", capacity=1)],
                   tasks=[pm.Task("A", duration=4, resources={"dev": 1}),
                          pm.Task("B", optimistic=2, most_likely=3, pessimistic=6, resources={"dev": 1})],
                   risks=[pm.Risk("R", probability=1, tasks=("A",), impact=pm.Fixed(3), post_impact=pm.Fixed(1),
                                  response_cost=10)])
    pre = pm.simulate(p, iterations=1000, seed=4, levelled=True)
    post = pm.simulate(p, iterations=1000, seed=4, levelled=True, responses=True)
    assert np.allclose(pre.finish - post.finish, 2.0)  # A one after the other with B: 2 days fewer, iteration by it.
    table = pd.DataFrame({"id": ["A"], "percent_complete": [50], "actual_cost": [0], "actual_start": ["2027-01-04"]})
    q = p.replace(resources=(), tasks=tuple(t.replace(resources={}) for t in p.tasks),
                  dependencies=(pm.Dependency("A", "B"),))
    pre = pm.simulate(q, iterations=1000, seed=5, progress=table, status_date="2027-01-05",
                      correlation=[(["A", "B"], 0.5)])
    post = pm.simulate(q, iterations=1000, seed=5, progress=table, status_date="2027-01-05",
                       correlation=[(["A", "B"], 0.5)], responses=True)
    # A is half done: the engine scales its sampled duration, risk days included, to the half still to do.
    assert np.allclose(pre.finish - post.finish, 0.5 * 2.0)


def test_compare_and_sweep_switch_a_response():
    p = one_task(event(probability=1.0, cost_impact=1000, post_probability=0.0, response_cost=300))
    rows = pm.sweep(p, {"response:R": [False, True]}, iterations=200, seed=1).sort_values("response:R")
    assert rows["p80_days"].tolist() == [16.0, 10.0]
    assert rows["expected_cost"].tolist() == [1600 + 1000, 1000 + 300]
    table = pm.compare(p, [pm.Scenario("plan"), pm.Scenario("respond", responses={"R": True})],
                       iterations=200, seed=1)
    assert table["p80_days"].tolist() == [16.0, 10.0]
    assert pm.Scenario("s", responses={"R": True}).settings() == {"response:R": True}


# --------------------------------------------------------------------------- the cost-benefit table


def test_response_benefits_for_certain_risks_are_exact():
    # R1 certain +5 days and 2,000, removed by a 500 response: saves 5 days (x 100 a day) + 2,000 = 2,500.
    # R2 certain +0 days and 400, halved by a 300 response: saves 200, a net loss of 100.
    p = one_task(event("R1", probability=1, impact=pm.Fixed(5), cost_impact=2000, post_probability=0,
                       response_cost=500),
                 event("R2", probability=1, impact=None, tasks=(), cost_impact=400, post_cost_impact=200,
                       response_cost=300),
                 event("R3", probability=0.3))  # no response: no row
    table = pm.response_benefits(p, iterations=1000, seed=1)
    assert table.index.tolist() == ["R1", "R2"]  # by net benefit
    assert table.loc["R1", ["p80_days_saved", "expected_cost_saved", "response_cost", "net_benefit"]].tolist() \
        == [5.0, 2500.0, 500.0, 2000.0]
    assert table.loc["R1", "mean_days_saved"] == pytest.approx(5.0, abs=1e-9)  # a mean of 1,000 float64 sums
    assert table.loc["R2", ["p80_days_saved", "expected_cost_saved", "p80_cost_saved", "net_benefit"]].tolist() \
        == [0.0, 200.0, 200.0, -100.0]
    both = table.attrs["all"]
    assert both["response_cost"] == 800.0 and both["expected_cost_saved"] == 2700.0


def test_response_benefits_uses_common_random_numbers():
    # A response that changes nothing saves exactly nothing, iteration by iteration, whatever the noise.
    p = pm.Project(name="n", start="2027-01-04",
                   tasks=[pm.Task("A", optimistic=5, most_likely=8, pessimistic=20, cost_per_day=10)],
                   risks=[event(probability=0.4, impact=pm.Triangular(1, 2, 9), post_probability=0.4,
                                response_cost=50)])
    row = pm.response_benefits(p, iterations=2000, seed=9).loc["R"]
    assert row["p80_days_saved"] == 0.0 and row["expected_cost_saved"] == 0.0 and row["net_benefit"] == -50.0


# --------------------------------------------------------------------------- files and bad input


def responded_project():
    return one_task(
        pm.Risk("R", probability=0.4, tasks=("A",), optimistic=1, most_likely=3, pessimistic=8,
                distribution="triangular", cost_impact=500, post_probability=0.2, post_optimistic=1,
                post_most_likely=2, post_pessimistic=4, post_cost_impact=200, response_cost=150),
        pm.Risk("D", probability=1, tasks=("A",), kind="driver", most_likely=1.2, distribution="fixed",
                post_most_likely=1.05),
        pm.Risk("E", probability=0.1, tasks=("A",), impact=pm.Fixed(2)))


@pytest.mark.parametrize("suffix", ["", ".xlsx", ".xml", ".xer"])
def test_responses_survive_a_round_trip(tmp_path, suffix):
    p = responded_project()
    path = tmp_path / f"project{suffix}"
    pm.write_project(p, path)
    back = pm.read_project(path)
    assert back.risks == p.risks
    assert back.risks[0].post_impact == pm.Triangular(1, 2, 4)
    assert back.risks[1].post_impact == pm.Fixed(1.05) and back.risks[1].response_cost == 0.0
    assert not back.risks[2].has_response


def test_a_project_without_responses_writes_no_response_columns(tmp_path):
    pm.write_project(one_task(event()), tmp_path / "out")
    header = (tmp_path / "out" / "risks.csv").read_text().splitlines()[0]
    assert "post_" not in header and "response_cost" not in header


@pytest.mark.parametrize("make, error, message", [
    (lambda: event(post_probability=1.2),
     ValidationError, r"Risk 'R': the response's post_probability must be in \[0, 1\] \(a probability\), got 1.2"),
    (lambda: event(response_cost=-5), ValidationError, r"Risk 'R': response_cost must be >= 0"),
    (lambda: pm.Risk("D", probability=1, tasks=("A",), kind="driver", most_likely=1.2, distribution="fixed",
                     post_most_likely=0),
     ValidationError, r"Risk 'D': a driver's post-response factor must be > 0"),
    (lambda: pm.Risk("C", probability=1, cost_impact=5, post_impact=pm.Fixed(3)),
     ValidationError, r"Risk 'C': a post-response schedule impact needs the tasks it delays"),
])
def test_bad_responses_are_refused(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_a_bad_response_row_names_the_file_and_row(tmp_path):
    (tmp_path / "project.toml").write_text('name = "k"\nstart = 2027-01-04\n')
    (tmp_path / "tasks.csv").write_text("id,duration\nA,3\n")
    (tmp_path / "risks.csv").write_text("id,probability,tasks,optimistic,most_likely,pessimistic,post_probability,"
                                        "response_cost\nR1,0.3,A,1,2,3,0.1,100\nR2,0.5,A,1,2,3,1.5,100\n")
    with pytest.raises(pm.PmsimError, match=r"risks\.csv, row 3 \(risk 'R2'\): the response's post_probability "
                                            r"must be in \[0, 1\]"):
        pm.read_project(tmp_path)


def test_responses_naming_a_risk_without_one_or_an_unknown_risk_are_refused():
    p = one_task(event(), event("S", response_cost=10, post_probability=0.1))
    with pytest.raises(ValidationError, match=r"Risk 'R' has no response"):
        pm.simulate(p, iterations=100, seed=1, responses=["R"])
    with pytest.raises(UnknownReferenceError, match=r"responses names unknown risk 'X'"):
        pm.simulate(p, iterations=100, seed=1, responses=["X"])
    with pytest.raises(ValidationError, match=r"Scenario 's': risk 'R' has no response"):
        pm.compare(p, [pm.Scenario("s", responses={"R": True})], iterations=100, seed=1)


def test_the_dashboard_has_a_switch_per_response():
    from pmsim import widgets

    p = one_task(event(probability=1.0, cost_impact=1000, post_probability=0.0, response_cost=300), event("S"))
    dash = widgets.WhatIf(p, iterations=500, seed=3, debounce=0, plots=False)
    try:
        assert "response:R" in dash.controls and "response:S" not in dash.controls  # S has no response
        assert dash.headline["expected_cost"] == pm.simulate(p, iterations=500, seed=3).cost.mean()
        dash.controls["response:R"].value = True
        assert dash.settings()["response:R"] is True
        responded = pm.simulate(p, iterations=500, seed=3, responses=["R"])
        assert dash.headline["expected_cost"] == responded.cost.mean()
        assert dash.headline["p80"] == responded.percentile(80)
    finally:
        dash.close()


def test_a_post_response_impact_on_a_risk_without_one_round_trips(tmp_path):
    p = one_task(pm.Risk("R", probability=0.5, tasks=("A",), cost_impact=100, post_impact=pm.Triangular(1, 2, 4),
                         response_cost=10))
    pm.write_project(p, tmp_path / "out")
    assert pm.read_project(tmp_path / "out").risks == p.risks


def test_a_post_response_impact_of_another_kind_is_refused_by_the_writer(tmp_path):
    p = one_task(event(impact=pm.Fixed(3), post_impact=pm.Triangular(1, 2, 4)))
    with pytest.raises(ValidationError, match=r"Risk 'R': its post-response impact \(triangular\) cannot be written "
                                              r"as three points of its pre-response distribution \(fixed\)"):
        pm.write_project(p, tmp_path / "out")
