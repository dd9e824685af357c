"""The what-if panel on a hybrid plan: the levers of its backlog task give the numbers of simulate and sweep."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import pmsim as pm
from pmsim import widgets

ITERATIONS = 2000
SEED = 11


@pytest.fixture(scope="module")
def hybrid():
    return pm.read_project(pm.data_path("agile/platform_hybrid"))


@pytest.fixture
def dash(hybrid):
    w = widgets.WhatIf(hybrid, iterations=ITERATIONS, seed=SEED, debounce=0, plots=False)
    yield w
    w.close()


def with_estimate(project, tid, estimate):
    """The project with one task's estimate replaced: the change written out by hand, without Scenario."""
    return project.replace(tasks=tuple(t.replace(estimate=estimate) if t.id == tid else t for t in project.tasks))


def expected_headline(project, budget):
    sim = pm.simulate(project, iterations=ITERATIONS, seed=SEED)
    return pm.scenarios.headline(sim, project.deadline, budget)


def test_a_hybrid_plan_gets_a_backlog_tab_with_four_levers_at_the_plans_values(hybrid, dash):
    backlog = hybrid.task("DEV").estimate
    c = dash.controls
    assert (c["items:DEV"].value, c["growth:DEV"].value, c["throughput:DEV"].value, c["window:DEV"].value) == (
        120, 0.0, 1.0, 52)  # data/agile/platform_hybrid: 120 items, a history of 52 weeks
    assert c["window:DEV"].max == len(backlog.throughput) == 52
    assert "Backlog" in dash._boxes["tabs"].titles
    assert "DEV" not in [value for _, value in c["task"].options]  # the three-point editor leaves it alone
    assert dash.settings() == {"iterations": ITERATIONS, "seed": SEED}


@pytest.mark.parametrize("lever, value, estimate", [
    # Each lever written by hand on the Backlog estimate (the data class's own fields).
    ("items", 150, lambda b: dataclasses.replace(b, items=150)),
    ("growth", 0.25, lambda b: dataclasses.replace(b, growth=(0.25, 0.25))),
    ("throughput", 1.5, lambda b: dataclasses.replace(b, team=((0, 1.5),))),
    ("window", 13, lambda b: dataclasses.replace(b, throughput=b.throughput[-13:])),  # the last quarter
])
def test_a_backlog_lever_gives_the_numbers_of_simulate_on_the_changed_estimate(hybrid, dash, lever, value, estimate):
    dash.controls[f"{lever}:DEV"].value = value
    assert dash.error is None
    changed = with_estimate(hybrid, "DEV", estimate(hybrid.task("DEV").estimate))
    assert dash.headline == expected_headline(changed, hybrid.budget)
    assert dash.settings() == {f"{lever}:DEV": value, "iterations": ITERATIONS, "seed": SEED}


def test_the_levers_move_the_finish_the_way_a_manager_expects(hybrid, dash):
    plan_p80 = dash.headline["p80"]
    dash.controls["items:DEV"].value = 200
    more = dash.headline["p80"]
    dash.controls["throughput:DEV"].value = 2.0  # twice the throughput: the 200 items take about half as long
    assert more > plan_p80 and dash.headline["p80"] < more


def test_a_saved_backlog_scenario_sweeps_and_compares_to_the_dashboards_numbers_and_restores(hybrid, dash):
    dash.controls["items:DEV"].value = 160
    dash.controls["growth:DEV"].value = 0.1
    dash.controls["window:DEV"].value = 26
    shown = dict(dash.headline)
    scenario = dash.save_scenario("bigger backlog")
    assert scenario.settings() == {"items:DEV": 160, "growth:DEV": 0.1, "window:DEV": 26}
    assert scenario.backlogs == (("DEV", (("items", 160), ("growth", 0.1), ("window", 26))),) and hash(scenario)
    swept = pm.sweep(hybrid, {"items:DEV": [160], "growth:DEV": [0.1], "window:DEV": [26]}, iterations=ITERATIONS,
                     seed=SEED)
    row = swept.iloc[0]
    assert (row["p50"], row["p80"], row["expected_cost"]) == (shown["p50"], shown["p80"], shown["expected_cost"])
    compared = pm.compare(hybrid, [scenario], iterations=ITERATIONS, seed=SEED).loc["bigger backlog"]
    assert compared["p80"] == shown["p80"] and compared["p_on_time"] == shown["p_on_time"]
    changes = dash.scenarios_for_people().loc["bigger backlog", "Changes"]
    assert changes == ("DEV items in the backlog 160 (plan 120); DEV scope growth 10 % (plan 0 %); "
                       "DEV weeks of history 26 (plan 52)")
    dash.restore_plan()
    assert dash.controls["items:DEV"].value == 120 and dash.controls["window:DEV"].value == 52
    assert dash.headline["p80"] != shown["p80"]
    dash.restore_scenario("bigger backlog")
    assert dash.controls["items:DEV"].value == 160 and dash.controls["growth:DEV"].value == 0.1
    assert dash.headline == shown


def test_a_window_without_completions_is_refused_by_name_and_the_numbers_stay(tmp_path):
    (tmp_path / "project.toml").write_text('name = "h"\nstart = "2027-01-04"\n')
    (tmp_path / "tasks.csv").write_text("id,distribution,items,history\nDEV,backlog,20,throughput.csv\n")
    (tmp_path / "throughput.csv").write_text("period,completed\n1,5\n2,6\n3,0\n4,0\n")
    w = widgets.WhatIf(pm.read_project(tmp_path), iterations=500, seed=1, debounce=0, plots=False)
    before = dict(w.headline)
    w.controls["window:DEV"].value = 2
    assert w.error_field == "window:DEV" and "no item was completed in the last 2 periods" in w.error
    assert "<b>DEV weeks of history</b>" in w.error_box.value  # the field named by its label
    assert w.headline == before and w.stale
    w.close()


def test_scenario_backlog_levers_check_the_task_and_the_values(hybrid):
    with pytest.raises(pm.ValidationError, match="task 'PR01' is not a backlog task"):
        pm.Scenario("s", backlogs={"PR01": {"items": 10}}).apply(hybrid)
    with pytest.raises(pm.UnknownReferenceError, match="unknown task 'NOPE'"):
        pm.Scenario("s", backlogs={"NOPE": {"items": 10}}).apply(hybrid)
    with pytest.raises(pm.ValidationError, match="items must be a whole number >= 1, got 2.5"):
        pm.Scenario("s", backlogs={"DEV": {"items": 2.5}})
    with pytest.raises(pm.ValidationError, match="throughput must be a factor > 0"):
        pm.Scenario.from_settings("s", {"throughput:DEV": 0})
    with pytest.raises(pm.ValidationError, match="unknown backlog lever 'speed'"):
        pm.Scenario("s", backlogs={"DEV": {"speed": 2}})


def test_a_throughput_factor_multiplies_the_team_changes_of_the_estimate():
    b = pm.Backlog(40, (4.0, 6.0), period_days=5, team=((3, 2.0),))
    # From period 0 the factor alone; from period 3 the team change times the factor.
    assert b.adjusted(throughput=1.5).team == ((0, 1.5), (3, 3.0))
    # Twice the throughput of a constant history of 4 a week: 40 items in 5 weeks, not 10 (25 working days).
    assert pm.Backlog(40, (4.0,), period_days=5).adjusted(throughput=2).planned == 25.0
    # Items and window change the backlog's own fields; the same levers twice give equal estimates.
    assert b.adjusted(items=10, window=1) == pm.Backlog(10, (6.0,), period_days=5, team=((3, 2.0),))
    assert np.isclose(b.adjusted(growth=0.5).mean, pm.Backlog(60, (4.0, 6.0), period_days=5, team=((3, 2.0),)).mean)
