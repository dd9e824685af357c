"""A hybrid plan's dashboard in Chromium: the backlog levers of data/agile/platform_hybrid answer in the page.

Voila serves ``pmsim dashboard data/agile/platform_hybrid`` (the command of
:func:`pmsim.widgets.server.voila_command`); the page's Backlog tab changes
the development task's items and team throughput, and the P80 it shows is
the one :func:`pmsim.sweep` computes here for the same settings (10,000
runs, seed 0: the served dashboard's defaults).
"""

from __future__ import annotations

import pytest

pytest.importorskip("playwright")
pytest.importorskip("voila")
pytest.importorskip("psutil")

from playwright.sync_api import expect  # noqa: E402

import pmsim as pm  # noqa: E402
from test_browser_served import (ARTIFACTS, UPDATE_TIMEOUT, _cards_on_screen, _no_overflow,  # noqa: E402
                                 _open, _p80, _type_into, serve)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PROJECT = pm.data_path("agile/platform_hybrid")


@pytest.fixture(scope="module")
def served_hybrid(tmp_path_factory):
    pm.simulate(pm.read_project(PROJECT), iterations=1000, seed=0)  # numba's cache, outside the page's timeouts
    with serve(PROJECT, tmp_path_factory.mktemp("voila")) as (url, _):
        yield url


def test_the_backlog_levers_answer_with_the_numbers_of_sweep(page, served_hybrid):
    page.set_viewport_size({"width": 1400, "height": 900})
    _open(page, served_hybrid)
    page.get_by_role("tab", name="Backlog").click()
    for lever in ("items", "growth", "throughput", "window"):
        expect(page.locator(f".pmsim-control-{lever}-DEV")).to_be_visible()
    expect(page.locator(".pmsim-backlog-head")).to_contain_text("120 items, 52 weeks of history")
    _no_overflow(page, "1400 px, backlog tab")
    plan = _p80(page)

    _type_into(page, "items-DEV", "200")  # 80 more items: later
    expect(page.locator(".pmsim-p80 .pmsim-value")).not_to_have_text(plan.isoformat(), timeout=UPDATE_TIMEOUT)
    more = _p80(page)
    assert more > plan
    _type_into(page, "throughput-DEV", "2")  # a team twice as fast: earlier than 200 items at today's pace
    expect(page.locator(".pmsim-p80 .pmsim-value")).not_to_have_text(more.isoformat(), timeout=UPDATE_TIMEOUT)
    _cards_on_screen(page)
    expect(page.locator(".pmsim-whatif .pmsim-stale")).to_have_count(0, timeout=UPDATE_TIMEOUT)

    swept = pm.sweep(pm.read_project(PROJECT), {"items:DEV": [200], "throughput:DEV": [2.0]}, iterations=10_000,
                     seed=0).iloc[0]
    assert _p80(page) == swept["p80"] < more
    page.locator(".pmsim-scenario-name input").fill("bigger team")
    page.locator(".pmsim-save").click()
    expect(page.locator(".pmsim-scenarios")).to_contain_text("DEV items in the backlog 200 (plan 120); "
                                                             "DEV team throughput ×2", timeout=UPDATE_TIMEOUT)
    _no_overflow(page, "1400 px, after the changes")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "served_hybrid_1400.png"))
