"""The what-if dashboard's pages in Chromium: load and change latencies, and the README's screenshots.

Served page (``pmsim dashboard``: Voila on 127.0.0.1 with one pre-heated
kernel, the ERP sample): for each of a few visits, with a pre-heated kernel
waiting, the seconds from asking for the page to its controls and to its
first numbers; then, on one page, the time from Enter pressed in the
multiplier's box to the new P80 on screen and to the new histogram.

Static page (``make report``'s ``05_whatif_dashboard.html``, from file,
offline): the seconds until its controls answer from their grid, and the
time one grid slider takes to update the cards.

Writes the ``dashboard-page`` section of RESULTS.md, with the machine's load
before and after (the page, Voila, the kernel and Chromium share its cores).
``--screenshots DIR`` also saves ``dashboard.png`` (the served page after
three changes) and ``dashboard_static.png`` (the static page with a grid
slider moved) into DIR: ``make screenshots`` writes the README's into docs/.

Needs Chromium at /usr/bin/chromium and the Python package playwright (never
``playwright install``). Takes about two minutes.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import write_section  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
VISITS = 3
TIMEOUT = 240_000  # ms


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _kernels_quiet(pid: int, count: int = 1, timeout: float = 480) -> None:
    """Until Voila runs ``count`` kernels, each idle for a second (the pre-heated one has finished its start)."""
    import psutil

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            tree = psutil.Process(pid).children(recursive=True)
        except psutil.NoSuchProcess:
            raise SystemExit("voila stopped") from None
        kernels = [p for p in tree if "ipykernel_launcher" in _command(p)]
        try:
            if len(kernels) == count and all(k.cpu_percent(interval=1.0) < 5 for k in kernels):
                return
        except psutil.Error:  # a kernel the culler ended meanwhile
            pass
        time.sleep(0.5)
    raise SystemExit(f"no quiet pre-heated kernel after {timeout:.0f} s")


def _command(process) -> str:
    """A process's command line, or "" for one that ended (a culled kernel is a zombie until reaped)."""
    import psutil

    try:
        return " ".join(process.cmdline())
    except psutil.Error:
        return ""


class Served:
    """Voila serving the dashboard of the ERP sample on a free port."""

    def __enter__(self):
        from pmsim.widgets import server

        self.port = _free_port()
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(server.voila_command(self.port), env=server.environment(None), cwd=ROOT,
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.url = f"http://127.0.0.1:{self.port}/"
        end = time.monotonic() + 240
        while time.monotonic() < end:
            try:
                with urllib.request.urlopen(self.url + "voila/static/voila.js", timeout=5):
                    break
            except OSError:
                time.sleep(0.3)
        _kernels_quiet(self.proc.pid)
        return self

    def __exit__(self, *exc):
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


def _type_into(page, control: str, value: str) -> None:
    page.locator(f".pmsim-control-{control} input, .pmsim-control-{control} .widget-readout").first.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(value)
    page.keyboard.press("Enter")


def _wait_changed(page, selector: str, old: str, attribute: str | None = None) -> None:
    js = ("([s, old, a]) => { const e = document.querySelector(s); "
          "return e && (a ? e.getAttribute(a) : e.innerText.trim()) !== old; }")
    page.wait_for_function(js, arg=[selector, old, attribute], timeout=TIMEOUT, polling=10)


def served_page(browser, shots: Path | None) -> dict:
    from playwright.sync_api import expect

    out: dict = {"controls": [], "numbers": [], "p80": [], "plot": []}
    with Served() as served:
        for visit in range(VISITS):
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            start = time.monotonic()
            page.goto(served.url, timeout=TIMEOUT)
            expect(page.locator(".pmsim-control-multiplier")).to_be_visible(timeout=TIMEOUT)
            out["controls"].append(time.monotonic() - start)
            expect(page.locator(".pmsim-p80 .pmsim-value")).to_be_visible(timeout=TIMEOUT)
            out["numbers"].append(time.monotonic() - start)
            if visit < VISITS - 1:
                page.close(run_before_unload=True)
                _kernels_quiet(served.proc.pid)  # a new pre-heated kernel for the next visit
        page.wait_for_function("() => { const i = document.querySelector('img.pmsim-image-histogram'); "
                               "return i && i.getAttribute('src'); }", timeout=TIMEOUT)
        expect(page.locator(".pmsim-whatif .pmsim-stale")).to_have_count(0, timeout=TIMEOUT)
        for value in ("1.1", "1.2", "1.3"):
            p80 = page.locator(".pmsim-p80 .pmsim-value").inner_text().strip()
            src = page.locator("img.pmsim-image-histogram").get_attribute("src")
            start = time.monotonic()
            _type_into(page, "multiplier", value)
            _wait_changed(page, ".pmsim-p80 .pmsim-value", p80)
            out["p80"].append(time.monotonic() - start)
            _wait_changed(page, "img.pmsim-image-histogram", src, "src")
            out["plot"].append(time.monotonic() - start)
        if shots is not None:
            page.get_by_role("tab", name="Resources").click()
            page.locator(".pmsim-control-levelled input[type=checkbox]").check()
            _type_into(page, "capacity-dev", "2")
            page.wait_for_timeout(500)
            expect(page.locator(".pmsim-whatif .pmsim-stale")).to_have_count(0, timeout=TIMEOUT)
            page.wait_for_timeout(500)
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(shots / "dashboard.png"))  # the window: title, cards, levers, first plot
        page.close()
    return out


def static_page(browser, shots: Path | None) -> dict:
    from playwright.sync_api import expect

    from pmsim.render import render_notebook

    page_file = render_notebook(ROOT / "notebooks" / "05_whatif_dashboard.ipynb", Path(tempfile.mkdtemp()))
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "blob:"))
               else r.abort())
    start = time.monotonic()
    page.goto(page_file.as_uri(), wait_until="load")
    expect(page.locator(".pmsim-whatif.pmsim-offline")).to_have_count(1, timeout=TIMEOUT)
    ready = time.monotonic() - start
    answer_ms = page.evaluate("""() => {
        const s = document.querySelector('.pmsim-grid-multiplier input');
        const t = performance.now();
        s.value = String(Number(s.value) + 2);
        s.dispatchEvent(new Event('input'));
        document.querySelector('.pmsim-p80 .pmsim-value').getBoundingClientRect();  // layout done
        return performance.now() - t;
    }""")
    if shots is not None:
        page.evaluate("document.querySelector('.pmsim-whatif').scrollIntoView()")  # below the notebook's prose
        page.screenshot(path=str(shots / "dashboard_static.png"))
    size = page_file.stat().st_size
    page.close()
    return {"ready": ready, "answer_ms": answer_ms, "size": size}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screenshots", metavar="DIR", type=Path, help="save the README's screenshots into DIR")
    parser.add_argument("--no-results", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    load_before = os.getloadavg()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            served = served_page(browser, args.screenshots)
            static = static_page(browser, args.screenshots)
        finally:
            browser.close()
    load_after = os.getloadavg()
    med = statistics.median
    text = (
        "The dashboard's pages in Chromium (benchmarks/bench_dashboard_page.py; the ERP sample, 82 tasks, "
        "10,000 runs per change).\n\n"
        "| what | median | all |\n|---|---|---|\n"
        f"| served page: asked for -> controls on screen (pre-heated kernel) | {med(served['controls']):.2f} s | "
        f"{', '.join(f'{x:.2f}' for x in served['controls'])} s |\n"
        f"| served page: asked for -> first numbers on screen | {med(served['numbers']):.2f} s | "
        f"{', '.join(f'{x:.2f}' for x in served['numbers'])} s |\n"
        f"| change (Enter in the multiplier's box) -> new P80 on screen | {1000 * med(served['p80']):.0f} ms | "
        f"{', '.join(f'{1000 * x:.0f}' for x in served['p80'])} ms |\n"
        f"| change -> new histogram on screen | {1000 * med(served['plot']):.0f} ms | "
        f"{', '.join(f'{1000 * x:.0f}' for x in served['plot'])} ms |\n"
        f"| static page ({static['size'] / 1e6:.1f} MB, from file, offline): opened -> controls answer | "
        f"{static['ready']:.2f} s | |\n"
        f"| static page: a grid slider moved -> cards updated | {static['answer_ms']:.1f} ms | |\n\n"
        f"Target: controls in under 3 s. Load average (1, 5, 15 min) before: "
        f"{', '.join(f'{x:.1f}' for x in load_before)}; after: {', '.join(f'{x:.1f}' for x in load_after)} "
        f"({os.cpu_count()} cores shared with Voila, the kernel, its drawing processes, Chromium and any other "
        "work: every time here grows with the load)."
    )
    print(text)
    if not args.no_results:
        write_section("dashboard-page", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
