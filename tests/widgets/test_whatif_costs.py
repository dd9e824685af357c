"""The dashboard's cost levers (escalation, rate uncertainty, responses) agree with Scenario, compare and sweep.

Expected values: the widened rate points are arithmetic written in the tests (most likely ± k x the distance to
each end); with every rate certain the cost is the plain project's, iteration by iteration.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import pmsim as pm
from pmsim import widgets
from pmsim.changes import PRICES
from pmsim.errors import PmsimError
from pmsim.widgets.scenario_table import describe

ITERATIONS = 1000


@pytest.fixture(scope="module")
def erp():
    """The ERP sample with the developers' day rate uncertain (0.9 / 1.0 / 1.25) and a response on R02."""
    p = pm.read_project(pm.data_path("erp_upgrade"))
    dev = dataclasses.replace(p.resource("dev"), rate_optimistic=0.9, rate_most_likely=1.0, rate_pessimistic=1.25)
    risks = tuple(r.replace(response_cost=5000, post_probability=0.1) if r.id == "R02" else r for r in p.risks)
    return p.replace(resources=tuple(dev if r.id == "dev" else r for r in p.resources), risks=risks)


@pytest.fixture
def dash(erp):
    w = widgets.WhatIf(erp, iterations=ITERATIONS, seed=2, debounce=0, plots=False)
    yield w
    w.close()


def test_the_cost_levers_are_controls_with_the_setting_names(erp, dash):
    assert dash.controls["escalation"].value == 0.0 and dash.controls["rate_uncertainty"].value == 1.0
    assert "response:R02" in dash.controls
    # 0.9 / 1.0 / 1.25 allows any factor below 1 / 0.1 = 10: the slider's own range (0 .. 3) holds.
    assert (dash.controls["rate_uncertainty"].min, dash.controls["rate_uncertainty"].max) == (0.0, 3.0)
    plain = pm.read_project(pm.data_path("erp_upgrade"))
    w = widgets.WhatIf(plain, iterations=200, debounce=0, plots=False)
    assert "rate_uncertainty" not in w.controls and "escalation" in w.controls  # no uncertain rate: no lever
    w.close()


def test_the_rate_slider_stops_before_a_rate_reaches_zero(erp):
    # 0.5 / 1.0 / 2.0: a factor k takes the optimistic point to 1 - 0.5 k, so k must stay below 2: at most 1.9.
    wide = pm.Resource("dev", capacity=4, cost_per_day=640, rate_optimistic=0.5, rate_pessimistic=2.0)
    p = erp.replace(resources=tuple(wide if r.id == "dev" else r for r in erp.resources))
    w = widgets.WhatIf(p, iterations=200, debounce=0, plots=False)
    assert w.controls["rate_uncertainty"].max == 1.9
    w.close()
    with pytest.raises(PmsimError, match=r"rate_uncertainty 2 takes the rate_optimistic of resource 'dev' to 0; "
                                         r"a rate multiplier must stay > 0, so rate_uncertainty must be below 2 "):
        pm.Scenario("too wide", rate_uncertainty=2).apply(p)


def test_scenario_widens_each_rate_around_its_most_likely(erp):
    wider = pm.Scenario("wider", rate_uncertainty=2).apply(erp).resource("dev")
    # 1.0 - 2 x 0.1 = 0.8 and 1.0 + 2 x 0.25 = 1.5; the most likely stays.
    assert (wider.rate_optimistic, wider.rate_most_likely, wider.rate_pessimistic) == pytest.approx((0.8, 1.0, 1.5))
    certain = pm.Scenario("certain", rate_uncertainty=0).apply(erp)
    sim = pm.simulate(certain, iterations=ITERATIONS, seed=2)
    # Every factor is the most likely (1.0): the cost of each iteration is that of the plain sample.
    plain = pm.simulate(pm.read_project(pm.data_path("erp_upgrade")).replace(risks=erp.risks), iterations=ITERATIONS,
                        seed=2)
    np.testing.assert_allclose(sim.cost, plain.cost, rtol=1e-12)
    assert pm.Scenario("same", rate_uncertainty=1).apply(erp).resource("dev") == erp.resource("dev")
    for bad in (-0.5, "x", float("nan")):
        with pytest.raises(PmsimError, match="rate_uncertainty must be a number >= 0"):
            pm.Scenario("bad", rate_uncertainty=bad)


def test_the_dashboard_compare_and_sweep_agree_on_the_cost_levers(erp, dash):
    dash.save_scenario("plan")
    dash.controls["escalation"].value = 6.0
    dash.controls["rate_uncertainty"].value = 2.0
    dash.controls["response:R02"].value = True
    assert dash.settings()["escalation"] == 6.0 and dash.settings()["rate_uncertainty"] == 2.0
    dash.save_scenario("dearer")
    saved = dash.saved["dearer"]
    assert (saved.escalation, saved.rate_uncertainty, dict(saved.responses)) == (6.0, 2.0, {"R02": True})
    compared = pm.compare(erp, dash.saved.values(), iterations=ITERATIONS, seed=2)
    table = dash.scenarios
    assert compared["p80"].tolist() == table["p80"].tolist()
    assert compared["expected_cost"].tolist() == pytest.approx(table["expected_cost"].to_numpy(float).tolist(),
                                                               rel=1e-12)
    swept = pm.sweep(erp, {"escalation": [0.0, 6.0], "rate_uncertainty": [2.0]}, iterations=ITERATIONS, seed=2)
    direct = pm.simulate(pm.Scenario("d", escalation=6, rate_uncertainty=2).apply(erp), iterations=ITERATIONS, seed=2)
    assert swept["expected_cost"].iloc[1] == pytest.approx(direct.cost.mean(), rel=1e-12)
    # Escalation moves the cost, never the dates.
    assert swept["p80"].iloc[0] == swept["p80"].iloc[1]
    assert swept["expected_cost"].iloc[1] > swept["expected_cost"].iloc[0]
    text = describe(erp, saved.settings(), {})
    assert "Escalation 6 % a year (plan 0 %)" in text and "Rate uncertainty ×2" in text
    assert "Response to risk R02 in effect" in text
    dash.restore_scenario("plan")
    assert dash.controls["escalation"].value == 0.0 and dash.controls["rate_uncertainty"].value == 1.0
    dash.restore_scenario("dearer")
    assert dash.headline["expected_cost"] == pytest.approx(table.loc["dearer", "expected_cost"], rel=1e-12)


def test_why_names_escalation_and_rates_as_one_group(erp):
    s = pm.Scenario("dearer", escalation=6, rate_uncertainty=2)
    why = pm.explain(erp, s, iterations=500, seed=1)
    assert list(why.index) == [PRICES]
    # Prices never move the dates: the whole change in the expected cost and none of the P80 is theirs.
    assert why.loc[PRICES, "p80"] == 0.0
    total = why.attrs["end"]["expected_cost"] - why.attrs["start"]["expected_cost"]
    assert why.loc[PRICES, "expected_cost"] == pytest.approx(total, rel=1e-12) and total > 0
