"""The what-if dashboard as a static page, in Chromium, offline: it says so, and it answers from its grid.

The page carries the widgets' state and no kernel. Rendered from notebook
05 (``make report``) or by ``pmsim report PATH --dashboard``, it holds a grid
of scenarios computed in advance (:mod:`pmsim.widgets.offline_grid`): its
controls take only the grid's values, and the headline cards show the
numbers :func:`pmsim.sweep` gives for the combination they select. What
cannot work without Python (the dashboard's own levers and text fields,
saving, restoring, the progress bar) is hidden, and no icon comes from a
font the page does not carry. Every request that is not for the page itself
is refused, and there must be none.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import subprocess
import sys

import pytest

from support import ROOT

pytest.importorskip("playwright")

from playwright.sync_api import expect  # noqa: E402

import pmsim as pm  # noqa: E402
from pmsim.render import render_notebook  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOK = ROOT / "notebooks" / "05_whatif_dashboard.ipynb"
WIDGET_TIMEOUT = 60_000  # ms: the widget manager parses a few MB of inlined state on a busy machine
ITERATIONS = 2_000  # the CLI page's runs: enough for the test, light on CI
NAME = "CRM move <i>2028</i>"


@pytest.fixture(scope="module")
def static_page(tmp_path_factory):
    return render_notebook(NOTEBOOK, tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def cli_project(tmp_path_factory):
    """A project that is no sample: the ERP project renamed (markup in its name), as an .xlsx file."""
    p = pm.read_project(pm.data_path("erp_upgrade"))
    return pm.write_project(dataclasses.replace(p, name=NAME), tmp_path_factory.mktemp("project") / "crm move.xlsx")


@pytest.fixture(scope="module")
def cli_page(cli_project, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "what if.html"
    run = subprocess.run([sys.executable, "-m", "pmsim.cli", "report", str(cli_project), "--dashboard", "-o", str(out),
                          "--iterations", str(ITERATIONS), "--seed", "7"], capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr
    assert f"wrote {out}" in run.stdout
    return out


def _open_offline(page, path) -> list[str]:
    """Open a file page with every other request refused; returns the refused addresses (as the test goes on)."""
    refused: list[str] = []

    def route(r):
        if r.request.url.startswith(("file:", "data:", "blob:")):
            r.continue_()
        else:
            refused.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(path.resolve().as_uri(), wait_until="load")
    expect(page.locator(".pmsim-whatif.pmsim-offline")).to_have_count(1, timeout=WIDGET_TIMEOUT)
    return refused


def _expected(project, choice: dict, iterations: int, seed: int) -> dict[str, str]:
    """The cards' texts for one grid combination, from pm.sweep, formatted as the dashboard formats them."""
    settings = {"multiplier": [choice["multiplier"]], "levelled": [choice["levelled"]],
                "deadline": [choice["deadline"]], "budget": [choice["budget"]]}
    if not choice["risks"]:
        settings |= {f"risk:{r.id}": [False] for r in project.risks}
    row = pm.sweep(project, settings, iterations=iterations, seed=seed).iloc[0]
    share = "{:.0%}".format  # the dashboard shows whole percents
    return {"p50": row["p50"].isoformat(), "p80": row["p80"].isoformat(), "p-on-time": share(row["p_on_time"]),
            "p-on-budget": share(row["p_on_budget"]), "jcl": share(row["jcl"]),
            "expected-cost": f"{row['expected_cost']:,.0f} EUR"}


def _cards(page) -> dict[str, str]:
    return {key: page.locator(f".pmsim-card.pmsim-{key} .pmsim-value").inner_text().strip()
            for key in ("p50", "p80", "p-on-time", "p-on-budget", "jcl", "expected-cost")}


def _slide(page, lever: str, steps: int) -> None:
    """Move a grid slider by ``steps`` with the keyboard, as a user does."""
    handle = page.locator(f".pmsim-grid-{lever} input[type=range]")
    handle.focus()
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowRight" if steps > 0 else "ArrowLeft")


def test_the_static_dashboard_says_what_it_can_answer(page, static_page):
    refused = _open_offline(page, static_page)
    note = page.locator(".pmsim-static-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text("computed in advance")
    expect(note).to_contain_text("pmsim dashboard")
    # The grid's values are named on the page: the ERP project's deadline 2027-09-17 and budget 1,410,000 EUR.
    expect(note).to_contain_text("All estimates: ×0.9, ×1, ×1.1, ×1.2, ×1.3")
    expect(note).to_contain_text("Deadline: 2027-08-20, 2027-09-17, 2027-10-15, 2027-11-12")  # -28, 0, +28, +56 days
    expect(note).to_contain_text("Budget: 1,269,000 EUR, 1,410,000 EUR, 1,551,000 EUR")  # 90, 100, 110 %
    expect(note).to_contain_text("240 combinations from 20 simulations of 10,000 runs, seed 0")
    # The numbers stored with the page are shown, and the status line says where they come from.
    expect(page.locator(".pmsim-p80 .pmsim-value")).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d$"))
    expect(page.locator(".pmsim-status")).to_contain_text("Computed in advance: 10,000 runs, seed 0")
    # The dashboard's own levers and text fields are hidden, the grid's controls shown; nothing to save.
    expect(page.locator(".pmsim-controls .widget-tab")).to_be_hidden()
    expect(page.locator(".pmsim-grid-controls")).to_be_visible()
    assert page.locator(".pmsim-whatif input[type=text]:visible, .pmsim-whatif textarea:visible").count() == 0
    expect(page.locator(".pmsim-save")).to_be_hidden()
    expect(page.locator(".pmsim-scenario-name")).to_be_hidden()
    for bar in page.locator(".pmsim-whatif .widget-progress").all():
        expect(bar).to_be_hidden()
    # The plan's row of the scenario table, without its Restore button.
    expect(page.locator(".pmsim-table .pmsim-plan")).to_contain_text("Plan")
    for actions in page.locator(".pmsim-table .pmsim-actions").all():
        assert actions.evaluate("e => getComputedStyle(e).visibility") == "hidden"
    # No icon font glyphs: every icon element would show as a box without the font.
    assert page.locator(".pmsim-whatif i.fa, .pmsim-whatif .fa-solid, .pmsim-whatif [class*='fa-']").count() == 0
    assert refused == [], refused


def test_the_static_dashboard_answers_a_slider_from_its_grid(page, static_page):
    erp = pm.read_project(pm.data_path("erp_upgrade"))
    refused = _open_offline(page, static_page)
    plan = {"multiplier": 1.0, "risks": True, "levelled": False, "deadline": erp.deadline, "budget": erp.budget}
    assert _cards(page) == _expected(erp, plan, 10_000, 0)
    expect(page.locator(".pmsim-grid-caption")).to_be_hidden()

    _slide(page, "multiplier", 2)  # ×1 -> ×1.2
    expect(page.locator(".pmsim-grid-multiplier .pmsim-grid-readout")).to_have_text("×1.2")
    slower = dict(plan, multiplier=1.2)
    assert _cards(page) == _expected(erp, slower, 10_000, 0)
    expect(page.locator(".pmsim-p80 .pmsim-note")).to_contain_text("vs. plan")
    expect(page.locator(".pmsim-grid-caption")).to_be_visible()  # the plots are the plan's: said, and dimmed

    page.locator(".pmsim-grid-levelled input").check()
    page.locator(".pmsim-grid-risks input").uncheck()
    _slide(page, "deadline", 1)  # 2027-09-17 -> 2027-10-15
    expect(page.locator(".pmsim-grid-deadline .pmsim-grid-readout")).to_have_text("2027-10-15")
    moved = dict(slower, levelled=True, risks=False, deadline=erp.deadline + dt.timedelta(days=28))
    assert _cards(page) == _expected(erp, moved, 10_000, 0)
    expect(page.locator(".pmsim-status")).to_contain_text("Deadline 2027-10-15")

    page.locator(".pmsim-grid-reset").click()
    assert _cards(page) == _expected(erp, plan, 10_000, 0)
    page.screenshot(path=str(ROOT / "test-artifacts" / "static_dashboard.png"))
    assert refused == [], refused


def test_pmsim_report_dashboard_writes_an_answering_page_for_any_project(page, cli_page, cli_project):
    project = pm.read_project(cli_project)
    refused = _open_offline(page, cli_page)
    expect(page.locator(".pmsim-title h2")).to_have_text(NAME)  # the project's text shown as text
    assert page.title() == f"{NAME}: what if?"
    assert page.locator(".jp-InputArea, .jp-InputPrompt").count() == 0  # no code on the page
    expect(page.locator(".pmsim-status")).to_contain_text(f"Computed in advance: {ITERATIONS:,} runs, seed 7")
    _slide(page, "budget", -1)  # 1,410,000 -> 1,269,000 EUR
    _slide(page, "multiplier", -1)  # ×1 -> ×0.9
    expect(page.locator(".pmsim-grid-budget .pmsim-grid-readout")).to_have_text("1,269,000 EUR")
    choice = {"multiplier": 0.9, "risks": True, "levelled": False, "deadline": project.deadline, "budget": 1_269_000.0}
    assert _cards(page) == _expected(project, choice, ITERATIONS, 7)
    assert cli_page.stat().st_size < 4e6  # one light page: the grid is a few tens of kB next to the widget manager
    assert refused == [], refused


HYBRID_ITERATIONS = 500  # 60 simulations in the grid (estimates 5 x items 3 x risks 2 x levelling 2)


@pytest.fixture(scope="module")
def hybrid_page(tmp_path_factory):
    out = tmp_path_factory.mktemp("hybrid") / "hybrid.html"
    run = subprocess.run([sys.executable, "-m", "pmsim.cli", "report", str(pm.data_path("agile/platform_hybrid")),
                          "--dashboard", "-o", str(out), "--iterations", str(HYBRID_ITERATIONS), "--seed", "7"],
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr
    return out


def test_a_hybrid_plan_s_static_page_answers_its_backlog_lever_and_names_the_live_only_ones(page, hybrid_page):
    # The live page has a Backlog tab (items, scope growth, team throughput, weeks of history for DEV): the static
    # page varies the backlog's items from its grid and says which levers only the live dashboard changes.
    project = pm.read_project(pm.data_path("agile/platform_hybrid"))
    refused = _open_offline(page, hybrid_page)
    note = page.locator(".pmsim-static-note")
    expect(note).to_contain_text("DEV items in the backlog: 96, 120, 150")  # 80, 100 and 125 % of 120
    expect(note).to_contain_text("Only in the live dashboard: DEV scope growth, team throughput ×, weeks of history;")
    expect(note).to_contain_text("one task's three-point estimate")
    _slide(page, "items-DEV", 1)  # 120 -> 150 items
    expect(page.locator(".pmsim-grid-items-DEV .pmsim-grid-readout")).to_have_text("150")
    row = pm.sweep(project, {"items:DEV": [150]}, iterations=HYBRID_ITERATIONS, seed=7).iloc[0]
    expect(page.locator(".pmsim-p80 .pmsim-value")).to_have_text(row["p80"].isoformat())
    expect(page.locator(".pmsim-status")).to_contain_text("DEV items in the backlog 150")
    page.locator(".pmsim-grid-reset").click()
    expect(page.locator(".pmsim-grid-items-DEV .pmsim-grid-readout")).to_have_text("120")
    page.screenshot(path=str(ROOT / "test-artifacts" / "static_hybrid.png"))
    assert refused == [], refused
