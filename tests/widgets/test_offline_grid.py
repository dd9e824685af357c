"""The grid of scenarios a static what-if page answers from: the numbers pm.sweep gives, the cards the dashboard shows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re

import pytest

import pmsim as pm
from pmsim.errors import PmsimError
from pmsim.widgets.offline_grid import OfflineGrid, grid_levers, settings_of
from pmsim.widgets.view import headline_cards

ITERATIONS = 500


@pytest.fixture(scope="module")
def erp():
    return pm.read_project(pm.data_path("erp_upgrade"))


@pytest.fixture(scope="module")
def grid(erp):
    return OfflineGrid(erp, iterations=ITERATIONS, seed=3)


def test_the_levers_hold_the_plan_and_a_few_values_around_it(erp):
    levers = grid_levers(erp)
    assert levers["multiplier"] == [0.9, 1.0, 1.1, 1.2, 1.3]
    assert levers["risks"] == [True, False] and levers["levelled"] == [False, True]
    # The ERP project's deadline 2027-09-17, four weeks either side and eight weeks after.
    assert levers["deadline"] == [dt.date(2027, 8, 20), dt.date(2027, 9, 17), dt.date(2027, 10, 15),
                                  dt.date(2027, 11, 12)]
    assert levers["budget"] == [1_269_000, 1_410_000, 1_551_000]  # 90, 100 and 110 % of 1,410,000
    # A project without risks, resources, deadline or budget: estimates only.
    textbook = pm.read_project(pm.data_path("textbook"))
    bare = dataclasses.replace(textbook, deadline=None, budget=None)
    assert list(grid_levers(bare)) == ["multiplier"]


def test_every_combination_is_the_scenario_sweep_simulates(erp, grid):
    assert len(grid.rows) == 5 * 2 * 2 * 4 * 3 and grid.simulations == 5 * 2 * 2
    for choice in ({"multiplier": 1.3, "risks": False, "levelled": True, "deadline": dt.date(2027, 11, 12),
                    "budget": 1_551_000.0},
                   {"multiplier": 0.9, "risks": True, "levelled": False, "deadline": dt.date(2027, 8, 20),
                    "budget": 1_269_000.0}):
        swept = pm.sweep(erp, {k: [v] for k, v in settings_of(erp, choice).items()}, iterations=ITERATIONS,
                         seed=3).iloc[0]
        numbers = grid.numbers(choice)
        for key in ("p50", "p80", "p_on_time", "p_on_budget", "jcl", "expected_cost"):
            assert numbers[key] == pytest.approx(swept[key]), key


def test_the_page_data_holds_the_cards_the_dashboard_would_show(erp, grid):
    data = grid.data()
    assert [lever["key"] for lever in data["levers"]] == ["multiplier", "risks", "levelled", "deadline", "budget"]
    assert [lever["plan"] for lever in data["levers"]] == [1, 0, 0, 1, 1]
    choice = {"multiplier": 1.2, "risks": True, "levelled": False, "deadline": dt.date(2027, 10, 15),
              "budget": 1_410_000.0}
    index = grid.index(choice)
    # Row-major, the last lever fastest (0-based): multiplier 3 of 5, risks 0 of 2, levelled 0 of 2, deadline 2 of 4,
    # budget 1 of 3.
    assert index == (((3 * 2 + 0) * 2 + 0) * 4 + 2) * 3 + 1
    cards = headline_cards(grid.numbers(choice), choice["deadline"], choice["budget"], "EUR",
                           grid.numbers(grid.plan_choice))
    row = data["rows"][index]
    for k, key in enumerate(("p50", "p80", "p_on_time", "p_on_budget", "jcl", "expected_cost")):
        value, note, sign = data["texts"][row[3 * k]], data["texts"][row[3 * k + 1]], row[3 * k + 2]
        assert f"<div class='pmsim-value'>{value}</div>" in cards[key].replace("&#x27;", "'")
        assert note in cards[key]
        assert sign == (1 if "pmsim-up" in cards[key] else -1 if "pmsim-down" in cards[key] else 0)
    # The plan's row differs from nothing.
    assert all(s == 0 for s in data["rows"][grid.index(grid.plan_choice)][2::3])


def test_the_page_payload_cannot_close_its_script(erp, monkeypatch):
    from pmsim.widgets import offline_grid

    label = "</script><script>alert(1)</script> & co"
    monkeypatch.setitem(offline_grid.LEVER_LABELS, "multiplier", label)
    html = OfflineGrid(erp, iterations=200, seed=0, levers={"multiplier": [1.0, 1.1]}).html()
    payload = re.search(r"<script type='application/json' class='pmsim-offline-grid'>(.*?)</script>", html).group(1)
    assert "<" not in payload and ">" not in payload and "&" not in payload
    assert json.loads(payload)["levers"][0]["label"] == label


def test_a_grid_without_the_plans_value_is_refused(erp):
    with pytest.raises(PmsimError, match=r"multiplier values \[1.1, 1.2\] do not hold the plan's 1.0"):
        OfflineGrid(erp, iterations=200, seed=0, levers={"multiplier": [1.1, 1.2]})


def test_a_hybrid_plan_s_grid_varies_its_backlog_and_names_what_only_the_live_page_changes():
    hybrid = pm.read_project(pm.data_path("agile/platform_hybrid"))
    levers = grid_levers(hybrid)
    assert levers["items:DEV"] == [96, 120, 150]  # 80 %, 100 % and 125 % of the plan's 120 items
    grid = OfflineGrid(hybrid, iterations=ITERATIONS, seed=3, levers={"multiplier": [1.0, 1.2],
                                                                      "items:DEV": levers["items:DEV"]})
    assert grid.plan_choice == {"multiplier": 1.0, "items:DEV": 120} and grid.simulations == 6
    choice = {"multiplier": 1.2, "items:DEV": 150}
    assert settings_of(hybrid, choice) == {"multiplier": 1.2, "items:DEV": 150}
    swept = pm.sweep(hybrid, {"multiplier": [1.2], "items:DEV": [150]}, iterations=ITERATIONS, seed=3).iloc[0]
    assert grid.numbers(choice)["p80"] == swept["p80"] > grid.numbers(grid.plan_choice)["p80"]
    data = grid.data()
    (items,) = [lever for lever in data["levers"] if lever["key"] == "items:DEV"]
    # Named as the live page's Backlog tab names it; a class name without the colon.
    assert items == {"key": "items:DEV", "id": "items-DEV", "label": "DEV items in the backlog", "kind": "steps",
                     "values": ["96", "120", "150"], "plan": 1}
    # What the grid cannot answer, said on the page: the backlog's other levers first.
    assert data["live_only"][0] == "DEV scope growth, team throughput ×, weeks of history"
    assert "one task's three-point estimate" in data["live_only"] and data["live_only"][-1] == "runs and seed"
