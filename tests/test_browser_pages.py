"""Rendered pages in a real browser, offline: `make report` notebook pages and a `pmsim report` page.

Chromium opens each page from file:// with every non-file request blocked (and
recorded): the pages must need nothing from the network. The test checks that
the plots decode (each <img> loaded with a natural width), and that on a
notebook with widgets the local widget manager builds the widgets from the
state stored in the page. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("playwright")

import pmsim as pm  # noqa: E402
from pmsim.render import render_notebooks  # noqa: E402
from pmsim.report import write_report  # noqa: E402
from support import ROOT  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "test-artifacts"
WIDGET_TIMEOUT = 60_000  # ms: the widget manager parses a few MB of inlined state on a busy machine

IMAGES = """() => Array.from(document.images).map(i => ({complete: i.complete, width: i.naturalWidth}))"""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """What `make report` writes: every notebook as a page, and an index."""
    out = tmp_path_factory.mktemp("report")
    render_notebooks(NOTEBOOKS, out)
    return out


@pytest.fixture(scope="module")
def report_page(tmp_path_factory):
    return write_report(pm.data_path("textbook"), tmp_path_factory.mktemp("pmsim_report") / "textbook.html",
                        iterations=1000, seed=1)


@pytest.fixture
def offline(context):
    """Block every request that is not a local file or inline data; return the list of those attempted."""
    attempted = []

    def handle(route):
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            attempted.append(url)
            route.abort()

    context.route("**/*", handle)
    context.on("request", lambda request: None if request.url.startswith(("file:", "data:", "blob:"))
               else attempted.append(request.url))
    return attempted


def open_page(page, path: Path) -> list[str]:
    """Go to ``path`` from file:// and collect uncaught page errors."""
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path.resolve().as_uri(), wait_until="load")
    return errors


def assert_images_loaded(page, at_least: int):
    images = page.evaluate(IMAGES)
    assert len(images) >= at_least
    broken = [k for k, img in enumerate(images) if not (img["complete"] and img["width"] > 0)]
    assert not broken, f"images {broken} did not load"


def png_outputs(notebook: Path) -> int:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    return sum("image/png" in out.get("data", {}) for cell in nb["cells"] for out in cell.get("outputs", []))


def test_index_links_every_notebook(rendered, page, offline):
    errors = open_page(page, rendered / "index.html")
    links = page.eval_on_selector_all("a", "as => as.map(a => a.getAttribute('href'))")
    assert sorted(links) == sorted(f"{nb.stem}.html" for nb in NOTEBOOKS.glob("*.ipynb"))
    assert all((rendered / href).is_file() for href in links)
    assert not errors and not offline


def test_notebook_page_plots_render_offline(rendered, page, offline):
    notebook = NOTEBOOKS / "02_schedule_risk.ipynb"
    errors = open_page(page, rendered / "02_schedule_risk.html")
    expected = png_outputs(notebook)
    assert expected >= 5
    assert_images_loaded(page, expected)
    # The formulas are left as TeX (no MathJax from a CDN), the tables as HTML.
    assert page.locator("table.dataframe").count() >= 4
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "notebook_02_page.png"))
    assert not errors and not offline, (errors, offline)


def test_notebook_page_widgets_render_offline(rendered, page, offline):
    notebook = NOTEBOOKS / "05_whatif_dashboard.ipynb"
    state = json.loads(notebook.read_text(encoding="utf-8"))["metadata"]["widgets"]
    assert state["application/vnd.jupyter.widget-state+json"]["state"]  # the state the page is built from
    errors = open_page(page, rendered / "05_whatif_dashboard.html")
    # The inlined html-manager turns the stored state into live widgets; on a page with no kernel the
    # offline grid's script then puts its own controls in the place of the dashboard's tabs (which it hides:
    # they could not recompute), so the sliders are rendered but the grid's are the ones on screen.
    page.wait_for_selector(".jupyter-widgets .widget-slider", state="attached", timeout=WIDGET_TIMEOUT)
    assert page.locator(".widget-slider").count() >= 3
    page.wait_for_selector(".pmsim-grid-controls input[type=range]", state="visible", timeout=WIDGET_TIMEOUT)
    assert page.locator(".jupyter-widgets").count() >= 10
    # Plots shown by the widget's Output areas are in the stored state too.
    assert_images_loaded(page, 1)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "notebook_05_page.png"), full_page=False)
    assert not errors and not offline, (errors, offline)


def test_pmsim_report_page_renders_offline(report_page, page, offline):
    errors = open_page(page, report_page)
    assert page.title() == "Reliable Construction Co. (textbook): project analysis"
    assert_images_loaded(page, 8)
    # The style sheet is in the page: the headline cards are laid out as a grid.
    assert page.eval_on_selector(".cards", "e => getComputedStyle(e).display") == "grid"
    assert page.locator("section h2").all_inner_texts()[:3] == ["Project", "Schedule health check", "Critical path (CPM)"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "pmsim_report_page.png"))
    assert not errors and not offline, (errors, offline)


def test_the_harness_catches_a_page_that_needs_the_network(tmp_path, page, offline):
    # Without this, "no request attempted" above could pass because nothing was ever recorded.
    html = tmp_path / "online.html"
    html.write_text('<!DOCTYPE html><html><body><img src="https://cdn.example.invalid/plot.png">'
                    '<script src="http://cdn.example.invalid/require.min.js"></script></body></html>')
    open_page(page, html)
    assert sorted(set(offline)) == ["http://cdn.example.invalid/require.min.js", "https://cdn.example.invalid/plot.png"]
    assert page.evaluate(IMAGES) == [{"complete": True, "width": 0}]
