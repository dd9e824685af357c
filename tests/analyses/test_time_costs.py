"""Costs that follow time: the project's cost per working day, and risk costs booked when they strike."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pmsim as pm
from pmsim.errors import ValidationError


def project(cost_per_day=1000.0, **settings):
    tasks = [pm.Task("A", optimistic=3, most_likely=5, pessimistic=10, cost_per_day=200, fixed_cost=500),
             pm.Task("B", optimistic=2, most_likely=4, pessimistic=9, cost_per_day=100, resources={"dev": 1}),
             pm.Task("C", duration=3, existence=0.5, fixed_cost=300)]
    return pm.Project(name="t", start="2027-01-04", tasks=tasks, resources=[pm.Resource("dev", cost_per_day=50)],
                      dependencies=[pm.Dependency("A", "B"), pm.Dependency("B", "C")],
                      risks=[pm.Risk("R", probability=0.3, tasks=("A",), impact=pm.Fixed(2), cost_impact=700)],
                      cost_per_day=cost_per_day, **settings)


@pytest.mark.parametrize("options", [{}, {"levelled": True}, {"correlation": [(["A", "B"], 0.7)]}])
def test_cost_is_the_fixed_part_plus_the_daily_cost_times_the_finish_in_every_iteration(options):
    with_time = pm.simulate(project(), iterations=3000, seed=1, **options)
    without = pm.simulate(project(cost_per_day=0.0), iterations=3000, seed=1, **options)
    assert np.array_equal(with_time.finish, without.finish)
    # Iteration by iteration, not on average: cost = the time-independent part + 1,000 x the finish.
    assert np.array_equal(with_time.cost, without.cost + 1000.0 * without.finish)


def test_the_daily_cost_follows_the_finish_on_calendars_and_at_the_data_date():
    short = pm.Calendar(id="short", workdays="Mon-Thu")
    p = project(calendars=[short])
    p = p.replace(tasks=tuple(t.replace(calendar="short") if t.id == "B" else t for t in p.tasks))
    table = pd.DataFrame({"id": ["A"], "percent_complete": [40], "actual_cost": [900], "actual_start": ["2027-01-04"]})
    for options in ({}, {"progress": table, "status_date": "2027-01-05"}):
        a = pm.simulate(p, iterations=2000, seed=2, **options)
        b = pm.simulate(p.replace(cost_per_day=0.0), iterations=2000, seed=2, **options)
        assert np.array_equal(a.cost, b.cost + 1000.0 * b.finish)


def test_a_risk_cost_is_booked_when_it_strikes_and_the_daily_cost_day_by_day():
    # A (5 days) then B (5 days); a certain risk on A costs 1,000, booked at A's finish (day 5), not at day 10.
    p = pm.Project(name="b", start="2027-01-04", tasks=[pm.Task("A", duration=5), pm.Task("B", duration=5)],
                   dependencies=[pm.Dependency("A", "B")], cost_per_day=100,
                   risks=[pm.Risk("R", probability=1, tasks=("A",), cost_impact=1000)])
    sim = pm.simulate(p, iterations=100, seed=1)
    assert np.all(sim.cost == 100 * 10 + 1000)
    burn = pm.budget_burn(p, sim, freq="D")
    by_day = burn.drop_duplicates("working_day").set_index("working_day")["p50"]  # weekends repeat a day
    assert by_day[4.0] == 400.0  # four days of the daily cost
    assert by_day[5.0] == 500.0 + 1000.0  # the risk strikes with A's finish
    assert by_day[10.0] == 2000.0
    assert burn.attrs["baseline_cost"] == 1000.0  # the plan: 10 working days at 100
    assert burn.drop_duplicates("working_day").set_index("working_day")["early"][5.0] == 500.0


def test_cost_per_day_in_project_toml(tmp_path):
    pm.write_project(project(), tmp_path / "out")
    assert "cost_per_day = 1000" in (tmp_path / "out" / "project.toml").read_text()
    assert pm.read_project(tmp_path / "out").cost_per_day == 1000.0
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "project.toml").write_text('name = "k"\nstart = 2027-01-04\ncost_per_day = -5\n')
    (tmp_path / "bad" / "tasks.csv").write_text("id,duration\nA,3\n")
    with pytest.raises(pm.PmsimError, match=r"cost_per_day must be >= 0, got -5"):
        pm.read_project(tmp_path / "bad")


def test_a_negative_cost_per_day_is_refused():
    with pytest.raises(ValidationError, match=r"Project 't': cost_per_day must be >= 0, got -1"):
        project(cost_per_day=-1)


def test_the_burn_bands_end_at_the_simulated_costs_with_branches_risks_and_daily_cost():
    sim = pm.simulate(project(), iterations=2000, seed=3)
    burn = pm.budget_burn(project(), sim, freq="W")
    last = burn.iloc[-1]
    # Every cost booked once: absent tasks' fixed costs never, risks at their tasks' finish, days until the finish.
    assert last["mean"] == pytest.approx(sim.cost.mean(), rel=1e-12)
    assert last["p90"] == sim.cost_percentile(90)
    assert np.all(np.diff(burn["p50"].to_numpy()) >= -1e-9)  # nothing booked and taken back
