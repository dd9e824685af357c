"""The what-if dashboard in a real browser: Voila serves the notebook, Playwright drives Chromium.

The page is the one ``make dashboard`` serves. The test raises the estimate
multiplier and checks that the P80 date moves later, then turns levelling on,
lowers a resource capacity and checks that it moves later again. It prints the
time from the keypress to the new P80 on the page, and saves a screenshot in
test-artifacts/.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from support import ROOT

pytest.importorskip("playwright")
pytest.importorskip("voila")

from playwright.sync_api import expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOK = ROOT / "notebooks" / "05_whatif_dashboard.ipynb"
ARTIFACTS = ROOT / "test-artifacts"
START_TIMEOUT = 240  # s: Voila, then the first kernel imports pmsim, loads the numba cache and simulates
UPDATE_TIMEOUT = 120_000  # ms for one update on a busy machine

# Records, in the page, when Enter was pressed, when the P80 text next changed
# and when the histogram's image next changed.
LATENCY_PROBE = """() => {
  const t = window.__pmsim = {pressed: null, numbers: null, plot: null};
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { t.pressed = performance.now(); t.numbers = null; t.plot = null; }
  }, true);
  const p80 = document.querySelector('.pmsim-p80');
  new MutationObserver(() => { if (t.pressed !== null && t.numbers === null) t.numbers = performance.now(); })
    .observe(p80, {subtree: true, childList: true, characterData: true});
  const img = document.querySelector('img.pmsim-image-histogram');
  new MutationObserver(() => { if (t.pressed !== null && t.plot === null) t.plot = performance.now(); })
    .observe(img, {attributes: true, attributeFilter: ['src']});
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def dashboard_url(tmp_path_factory):
    # Compile (or load) the Monte Carlo and levelling kernels here, outside the page's timeouts:
    # numba caches them on disk, where the dashboard's kernel finds them.
    import pmsim as pm

    project = pm.read_project(pm.data_path("erp_upgrade"))
    pm.simulate(project, iterations=1000, seed=0, levelled=True)
    pm.simulate(project, iterations=1000, seed=0).sensitivity

    port = _free_port()
    log = (tmp_path_factory.mktemp("voila") / "voila.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "voila", str(NOTEBOOK), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
         "--show_tracebacks=True"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"voila exited with status {proc.returncode}; see {log.name}")
            try:
                # A static file: asking for the page itself would start a kernel.
                with urllib.request.urlopen(url + "voila/static/voila.js", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"voila did not answer on {url} within {START_TIMEOUT} s; see {log.name}")
            time.sleep(0.3)
        yield url
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log.close()


def _p80(page) -> dt.date:
    return dt.date.fromisoformat(page.locator(".pmsim-p80 .pmsim-value").inner_text().strip())


def _type_into_slider(page, control: str, value: str) -> None:
    readout = page.locator(f".pmsim-control-{control} .widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(value)
    page.keyboard.press("Enter")


def _wait_for_new_p80(page, old: dt.date) -> dt.date:
    expect(page.locator(".pmsim-p80 .pmsim-value")).not_to_have_text(old.isoformat(), timeout=UPDATE_TIMEOUT)
    return _p80(page)


def _save_scenario(page, name: str) -> None:
    rows = page.locator(".pmsim-table .pmsim-row").count()
    page.locator(".pmsim-scenario-name input").fill(name)
    page.locator(".pmsim-save").click()
    expect(page.locator(".pmsim-table .pmsim-row")).to_have_count(rows + 1, timeout=UPDATE_TIMEOUT)


def _timed_change(page, multiplier: str, p80: dt.date, histogram_src: str) -> tuple[float, float]:
    """Type a new estimate multiplier; milliseconds from Enter to the new P80 text and to the new histogram."""
    _type_into_slider(page, "multiplier", multiplier)
    _wait_for_new_p80(page, p80)
    expect(page.locator("img.pmsim-image-histogram")).not_to_have_attribute("src", histogram_src,
                                                                            timeout=UPDATE_TIMEOUT)
    return tuple(page.evaluate("() => [window.__pmsim.numbers - window.__pmsim.pressed,"
                               " window.__pmsim.plot - window.__pmsim.pressed]"))


def test_the_dashboard_answers_in_the_browser(page, dashboard_url):
    page.set_viewport_size({"width": 1500, "height": 1100})
    page.goto(dashboard_url, timeout=START_TIMEOUT * 1000)
    value = page.locator(".pmsim-p80 .pmsim-value")
    expect(value).to_be_visible(timeout=START_TIMEOUT * 1000)
    expect(page.locator(".pmsim-image-histogram img, img.pmsim-image-histogram").first).to_be_visible()
    plan = _p80(page)
    histogram_src = page.locator("img.pmsim-image-histogram").get_attribute("src")

    # 1. Every estimate 30 % longer: P80 later, plots redrawn.
    page.evaluate(LATENCY_PROBE)
    latencies = [_timed_change(page, "1.3", plan, histogram_src)]
    slower = _p80(page)
    assert slower > plan
    # Two more changes, timed too: the first one after the page loads also warms the caches.
    for value in ("1.15", "1.3"):
        latencies.append(_timed_change(page, value, _p80(page), page.locator("img.pmsim-image-histogram")
                                       .get_attribute("src")))
    assert _p80(page) == slower  # back to the same settings, same seed: the same numbers
    for numbers, plots in latencies:
        print(f"\nin the browser, from Enter: new P80 text after {numbers:.0f} ms, new histogram after {plots:.0f} ms")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "browser_latency_ms.txt").write_text("".join(f"{n:.1f} {p:.1f}\n" for n, p in latencies))

    _save_scenario(page, "30 % longer")

    # 2. Levelling on (capacities bind), then fewer developers: P80 later again.
    page.get_by_role("tab", name="Resources").click()
    status = page.locator(".pmsim-status")
    before = status.inner_text()
    page.locator(".pmsim-control-levelled input[type=checkbox]").check()
    expect(status).not_to_have_text(before, timeout=UPDATE_TIMEOUT)
    expect(page.locator(".pmsim-error")).to_have_count(0)
    levelled = _p80(page)
    assert levelled >= slower
    _type_into_slider(page, "capacity-dev", "2")
    fewer = _wait_for_new_p80(page, levelled)
    assert fewer > levelled
    expect(page.locator(".pmsim-error")).to_have_count(0)

    expect(page.locator(".pmsim-whatif .pmsim-stale")).to_have_count(0, timeout=UPDATE_TIMEOUT)  # plots in
    _save_scenario(page, "levelled, 2 developers")
    rows = page.locator(".pmsim-table .pmsim-row")
    expect(rows).to_have_count(4)  # the header, the plan, two scenarios
    expect(rows.nth(3)).to_contain_text(fewer.isoformat())
    expect(rows.nth(3)).to_contain_text("Resources levelled")  # the changes in words
    page.locator(".pmsim-whatif").screenshot(path=str(ARTIFACTS / "dashboard.png"))
    page.screenshot(path=str(ARTIFACTS / "dashboard_page.png"), full_page=True)
