"""The served dashboard's text in Chromium at 800, 1,280 and 1,920 px: numbers as a PM writes them, a header line
that fits.

- The budget and runs fields show thousands separators (1,410,000 and
  10,000), take a number typed with or without them (and show it with
  them), and refuse text that is no number, naming the field by its label.
- The "Opened ... from ..." line stays on one line inside the page, cut
  short with an ellipsis, the project's full path in its tooltip; the
  project's name and file name are shown as text, never as markup.

The plots are PNGs of a fixed size scaled to their column: that their labels
neither overlap nor leave the figure is checked where they are drawn
(test_dashboard_figures.py); here each width's plots are saved as artifacts.
"""

from __future__ import annotations

import dataclasses

import pytest

pytest.importorskip("playwright")
pytest.importorskip("voila")
pytest.importorskip("psutil")

from playwright.sync_api import expect  # noqa: E402

import pmsim as pm  # noqa: E402
from test_browser_served import ARTIFACTS, UPDATE_TIMEOUT, _no_overflow, _open, _type_into, serve  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NAME = "ERP upgrade <i>2027</i>"
FILE = "ERP <b>upgrade<b> 2027 – programme plan, version 12 (final, approved by the steering committee).xlsx"


@pytest.fixture(scope="module")
def served_long_path(tmp_path_factory):
    """The ERP sample as an .xlsx deep in folders with long names (as a programme office keeps them)."""
    folder = tmp_path_factory.mktemp("shared") / "Programme office shared plans" / "ERP and CRM consolidation 2027"
    folder.mkdir(parents=True)
    p = pm.read_project(pm.data_path("erp_upgrade"))
    path = pm.write_project(dataclasses.replace(p, name=NAME), folder / FILE)
    pm.simulate(p, iterations=1000, seed=0).sensitivity  # numba's cache, outside the page's timeouts
    with serve(path, tmp_path_factory.mktemp("voila")) as (url, _):
        yield url, path


@pytest.mark.parametrize("width", [800, 1280, 1920])
def test_numbers_and_the_header_line_read_well(page, served_long_path, width):
    url, path = served_long_path
    page.set_viewport_size({"width": width, "height": 900})
    _open(page, url)

    # The header line: one line, inside the page, the full path in its tooltip, markup shown as text.
    message = page.locator(".pmsim-open-message .pmsim-open-ok")
    expect(message).to_have_text(f"Opened {NAME} from {FILE}")
    expect(message).to_have_attribute("title", f"{NAME}, from {path.resolve()}")
    box = message.bounding_box()
    assert box["x"] + box["width"] <= width and box["height"] < 30, box  # one line of 12-13 px text
    assert message.evaluate("e => e.scrollWidth > e.clientWidth")  # the name is longer than the room: cut short
    assert message.evaluate("e => getComputedStyle(e).textOverflow") == "ellipsis"
    assert page.locator(".pmsim-app b", has_text="upgrade").count() == 0  # the file's <b>: text, not bold
    assert page.locator(".pmsim-app i", has_text="2027").count() == 0  # the name's <i>: text, not italics

    # Budget and runs with thousands separators.
    page.get_by_role("tab", name="Simulation").click()
    budget, runs = page.locator(".pmsim-control-budget input"), page.locator(".pmsim-control-iterations input")
    expect(budget).to_have_value("1,410,000")
    expect(runs).to_have_value("10,000")
    _no_overflow(page, f"{width} px, simulation tab")

    # Typed without separators: taken, and shown with them; the cards follow (a larger budget: more on budget).
    on_budget = page.locator(".pmsim-p-on-budget .pmsim-value")
    before = on_budget.inner_text()
    _type_into(page, "budget", "1600000")
    expect(budget).to_have_value("1,600,000", timeout=UPDATE_TIMEOUT)
    expect(on_budget).not_to_have_text(before, timeout=UPDATE_TIMEOUT)
    assert int(on_budget.inner_text().rstrip("%")) > int(before.rstrip("%"))

    # Text that is no number: refused, the field named by its label and highlighted; fixed with separators.
    _type_into(page, "budget", "1.6 million")
    expect(page.locator(".pmsim-error")).to_contain_text("Budget: '1.6 million' is not a number; write it like "
                                                         "1,600,000.", timeout=UPDATE_TIMEOUT)
    expect(page.locator(".pmsim-control-budget.pmsim-invalid")).to_have_count(1)
    _type_into(page, "budget", "1,410,000")
    expect(page.locator(".pmsim-error")).to_have_count(0, timeout=UPDATE_TIMEOUT)
    expect(on_budget).to_have_text(before, timeout=UPDATE_TIMEOUT)
    expect(page.locator(".pmsim-whatif .pmsim-stale")).to_have_count(0, timeout=UPDATE_TIMEOUT)

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"page_text_{width}.png"))
    page.locator(".pmsim-plots").screenshot(path=str(ARTIFACTS / f"page_text_plots_{width}.png"))
