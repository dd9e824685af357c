"""The dashboard's "Why?" on a saved scenario: pm.explain against the plan's row, shown as a waterfall."""

from __future__ import annotations

import pytest

import pmsim as pm
from pmsim import widgets

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def dash():
    p = pm.read_project(pm.data_path("erp_upgrade"))
    w = widgets.WhatIf(p, iterations=500, seed=3, debounce=0, plots=False)
    yield w
    w.close()


def test_why_shows_the_waterfall_of_a_saved_scenario_against_the_plan(dash):
    dash.controls["multiplier"].value = 1.2
    dash.controls["risk:R02"].value = False
    dash.save_scenario("slow <b>")
    why = dash._why
    assert why.widget.layout.display == "none"  # nothing shown until asked
    assert ("explain", None) not in dash.parts.table.buttons  # the plan's row has nothing to explain
    dash.parts.table.buttons[("explain", "slow <b>")].click()
    assert why.widget.layout.display is None
    assert bytes(why.image.value).startswith(PNG)
    assert "slow &lt;b&gt;" in why.title.value and "slow <b>" not in why.title.value  # a name is text
    explained = dash.explain_scenario("slow <b>")
    assert explained.index.tolist() == ["estimates", "risk R02"]
    # The plan's row and the scenario's: the numbers at both ends of the waterfall.
    row = dash.scenarios.loc["slow <b>"]
    plan = pm.simulate(dash.project, iterations=int(row["iterations"]), seed=int(row["seed"]))
    assert explained.attrs["start"]["p80"] == pytest.approx(plan.percentile_days(80))
    assert explained.attrs["end"]["expected_cost"] == pytest.approx(row["expected_cost"])
    assert "risk R02" in why.table.value and "estimates" in why.table.value
    why.close_button.click()
    assert why.widget.layout.display == "none"
    with pytest.raises(pm.ValidationError, match="no saved scenario 'nope'"):
        dash.explain_scenario("nope")
