"""The what-if dashboard as `make report` renders it: a static page that says so, in Chromium, offline.

The page carries the widgets' state and no kernel: its levers cannot
recompute. It must say it is a snapshot, switch the levers off (the tabs stay
browsable), hide saving and the progress bar, and show no icon from a font
it does not carry.
"""

from __future__ import annotations

import re

import pytest

from support import ROOT

pytest.importorskip("playwright")

from playwright.sync_api import expect  # noqa: E402

from pmsim.render import render_notebook  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOK = ROOT / "notebooks" / "05_whatif_dashboard.ipynb"
WIDGET_TIMEOUT = 60_000  # ms: the widget manager parses a few MB of inlined state on a busy machine


@pytest.fixture(scope="module")
def static_page(tmp_path_factory):
    return render_notebook(NOTEBOOK, tmp_path_factory.mktemp("report"))


def test_the_static_dashboard_says_it_is_a_snapshot(page, static_page):
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:", "blob:"))
               else route.abort())
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(static_page.resolve().as_uri(), wait_until="load")
    note = page.locator(".pmsim-static-note")
    expect(note).to_be_visible(timeout=WIDGET_TIMEOUT)
    expect(note).to_contain_text("Static snapshot")
    expect(note).to_contain_text("pmsim dashboard")
    # The numbers stored with the page are shown.
    expect(page.locator(".pmsim-p80 .pmsim-value")).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d$"))
    # Levers off, the tabs still browsable; nothing to save; no progress bar frozen at some percentage.
    levers = page.locator(".pmsim-controls .widget-tab-contents, .pmsim-controls .lm-TabPanel-stackedPanel").first
    assert levers.evaluate("e => getComputedStyle(e).pointerEvents") == "none"
    page.get_by_role("tab", name="Risks").click()
    expect(page.locator(".pmsim-risks")).to_be_visible()
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
