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
TIMEOUT = 240.0  # s: the longest wait for one step (Voila's start, a kernel's, a page, an update) before giving up


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


QUIET = 5.0  # % of a core: a kernel below it for a second has finished its start (its own use, whatever the load)


def say(text: str) -> None:
    """A line of progress on stderr, at once (a run on a loaded machine shows where it waits)."""
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def _kernels(pid: int) -> list:
    import psutil

    try:
        tree = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        raise SystemExit("voila stopped (see its log above)") from None
    return [p for p in tree if "ipykernel_launcher" in _command(p)]


def _preheated(pid: int, since: float, timeout: float) -> None:
    """Until a kernel started after ``since`` (time.time()) is quiet: Voila's next pre-heated kernel is ready.

    Any other kernel may still run (a closed page's, until Voila shuts it down
    or the culler does): only the new one matters for the next visit.
    """
    import psutil

    end = time.monotonic() + timeout
    seen = "no kernel started yet"
    while time.monotonic() < end:
        for kernel in _kernels(pid):
            try:
                if kernel.create_time() < since - 1:
                    continue
                use = kernel.cpu_percent(interval=1.0)
            except psutil.Error:  # a kernel that ended meanwhile
                continue
            if use < QUIET:
                return
            seen = f"kernel {kernel.pid} at {use:.0f} % of a core"
        time.sleep(0.5)
    when = time.strftime("%H:%M:%S", time.localtime(since))
    raise SystemExit(f"waited {timeout:.0f} s for a pre-heated kernel started after {when} "
                     f"to fall under {QUIET:g} % of a core (its start done); last seen: {seen}; kernels running: "
                     f"{len(_kernels(pid))} (load average {os.getloadavg()[0]:.1f})")


def _command(process) -> str:
    """A process's command line, or "" for one that ended (a culled kernel is a zombie until reaped)."""
    import psutil

    try:
        return " ".join(process.cmdline())
    except psutil.Error:
        return ""


class Served:
    """Voila serving the dashboard of the ERP sample on a free port."""

    def __init__(self, timeout: float):
        self.timeout = timeout

    def __enter__(self):
        from pmsim.widgets import server

        self.port = _free_port()
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(server.voila_command(self.port), env=server.environment(None), cwd=ROOT,
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.url = f"http://127.0.0.1:{self.port}/"
        self.started = time.time()
        say(f"starting Voila on {self.url}")
        end = time.monotonic() + self.timeout
        while True:
            try:
                with urllib.request.urlopen(self.url + "voila/static/voila.js", timeout=5):
                    break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > end:
                    self.log.seek(0)
                    sys.stderr.write(self.log.read().decode(errors="replace")[-3000:])
                    raise SystemExit(f"Voila did not answer on {self.url} within {self.timeout:.0f} s "
                                     f"(exit status {self.proc.poll()})") from None
                time.sleep(0.3)
        say("Voila answers; waiting for its pre-heated kernel")
        _preheated(self.proc.pid, self.started, self.timeout)
        say("pre-heated kernel ready")
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


def _wait_changed(page, selector: str, old: str, attribute: str | None = None, timeout: float = 240) -> None:
    js = ("([s, old, a]) => { const e = document.querySelector(s); "
          "return e && (a ? e.getAttribute(a) : e.innerText.trim()) !== old; }")
    page.wait_for_function(js, arg=[selector, old, attribute], timeout=timeout * 1000, polling=10)


def served_page(browser, shots: Path | None, timeout: float) -> dict:
    from playwright.sync_api import expect

    ms = timeout * 1000
    out: dict = {"controls": [], "numbers": [], "p80": [], "plot": []}
    with Served(timeout) as served:
        for visit in range(VISITS):
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            start, asked = time.monotonic(), time.time()
            say(f"visit {visit + 1}: asking for the page")
            page.goto(served.url, timeout=ms)
            expect(page.locator(".pmsim-control-multiplier")).to_be_visible(timeout=ms)
            out["controls"].append(time.monotonic() - start)
            expect(page.locator(".pmsim-p80 .pmsim-value")).to_be_visible(timeout=ms)
            out["numbers"].append(time.monotonic() - start)
            say(f"visit {visit + 1}: controls after {out['controls'][-1]:.1f} s, numbers after "
                f"{out['numbers'][-1]:.1f} s")
            if visit < VISITS - 1:
                page.goto("about:blank")  # leaving the page: its beacon shuts its kernel down
                page.close()
                _preheated(served.proc.pid, asked, timeout)  # Voila pre-heats the next kernel when one is taken
        page.wait_for_function("() => { const i = document.querySelector('img.pmsim-image-histogram'); "
                               "return i && i.getAttribute('src'); }", timeout=ms)
        expect(page.locator(".pmsim-whatif .pmsim-stale")).to_have_count(0, timeout=ms)
        for value in ("1.1", "1.2", "1.3"):
            p80 = page.locator(".pmsim-p80 .pmsim-value").inner_text().strip()
            src = page.locator("img.pmsim-image-histogram").get_attribute("src")
            start = time.monotonic()
            _type_into(page, "multiplier", value)
            _wait_changed(page, ".pmsim-p80 .pmsim-value", p80, timeout=timeout)
            out["p80"].append(time.monotonic() - start)
            _wait_changed(page, "img.pmsim-image-histogram", src, "src", timeout=timeout)
            out["plot"].append(time.monotonic() - start)
            say(f"multiplier {value}: new P80 after {out['p80'][-1]:.2f} s, "
                f"new histogram after {out['plot'][-1]:.2f} s")
        if shots is not None:
            page.get_by_role("tab", name="Resources").click()
            page.locator(".pmsim-control-levelled input[type=checkbox]").check()
            _type_into(page, "capacity-dev", "2")
            page.wait_for_timeout(500)
            expect(page.locator(".pmsim-whatif .pmsim-stale")).to_have_count(0, timeout=ms)
            page.wait_for_timeout(500)
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(shots / "dashboard.png"))  # the window: title, cards, levers, first plot
            say(f"saved {shots / 'dashboard.png'}")
        page.close()
    return out


def static_page(browser, shots: Path | None, timeout: float) -> dict:
    from playwright.sync_api import expect

    from pmsim.render import render_notebook

    ms = timeout * 1000
    say("rendering notebook 05 to the static page (runs the notebook and its grid)")
    page_file = render_notebook(ROOT / "notebooks" / "05_whatif_dashboard.ipynb", Path(tempfile.mkdtemp()))
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "blob:"))
               else r.abort())
    start = time.monotonic()
    page.goto(page_file.as_uri(), wait_until="load")
    expect(page.locator(".pmsim-whatif.pmsim-offline")).to_have_count(1, timeout=ms)
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
        say(f"saved {shots / 'dashboard_static.png'}")
    size = page_file.stat().st_size
    page.close()
    return {"ready": ready, "answer_ms": answer_ms, "size": size}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screenshots", metavar="DIR", type=Path, help="save the README's screenshots into DIR")
    parser.add_argument("--no-results", action="store_true", help="do not write RESULTS.md")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, metavar="SECONDS",
                        help=f"the longest wait for any one step (default {TIMEOUT:.0f} s); a step that takes longer "
                             "stops the run with what it waited for")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    load_before = os.getloadavg()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            served = served_page(browser, args.screenshots, args.timeout)
            static = static_page(browser, args.screenshots, args.timeout)
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
