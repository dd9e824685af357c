"""The dashboard as ``pmsim dashboard PATH`` serves it, in Chromium: any project, any screen, kernels freed.

The project is not a sample: the ERP project renamed and written to an
``.xlsx``, with markup in its name, a task's name and a risk's name (text
from a file is data: the page must show it, never run it). Voila runs the
command :func:`pmsim.widgets.server.voila_command` builds, with the
project in the environment as :func:`pmsim.widgets.serve` sets it.

- At 800, 1,400 and 1,920 px: the controls come up, the headline cards stay
  on screen and change after an edit of each kind of lever (an estimate, a
  risk switched off in the risk table, a target), and no element sticks out
  of its box or makes the page scroll sideways.
- Ten visits (eight pages closed as a browser closes a tab, two dropped
  as a crashed browser drops them): the kernels come back to the one Voila
  keeps pre-heated, the drawing processes of the others are gone, and the
  memory of the server's processes comes back to where it was.

Page-load and change latencies go to test-artifacts/served_latency.txt.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from support import ROOT

pytest.importorskip("playwright")
pytest.importorskip("voila")
psutil = pytest.importorskip("psutil")

from playwright.sync_api import expect  # noqa: E402

import pmsim as pm  # noqa: E402
from pmsim.widgets import server  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = ROOT / "test-artifacts"
START_TIMEOUT = 240  # s: Voila, then the pre-heated kernel imports pmsim, loads the numba cache and simulates
UPDATE_TIMEOUT = 120_000  # ms for one update on a busy machine
VISITS = 10  # each waits for a newly pre-heated kernel (~13 s here)
CULL_IDLE, CULL_INTERVAL = 30, 2  # s: short, so that the dropped pages' kernels are culled within the test,
# long enough that a page on a loaded machine connects to the kernel handed to it before the culler looks
NAME = "CRM move <i>2028</i>"
RISK_NAME = "<img src=x onerror=\"window.__pwned = 1\">Vendor <b>late</b>"
TASK_NAME = "<script>window.__pwned = 2</script>Kick-off"

# Elements of the dashboard wider than their box, or past the right edge of the page: [description, ...].
OVERFLOWS = """() => {
  const root = document.querySelector('.pmsim-app');
  const right = Math.min(window.innerWidth, root.getBoundingClientRect().right) + 1;
  const name = (e) => e.tagName.toLowerCase() + '.' + Array.from(e.classList).join('.') + ' "'
                     + (e.innerText || '').slice(0, 30) + '"';
  const out = [];
  if (document.documentElement.scrollWidth > window.innerWidth + 1) out.push('page scrolls sideways');
  for (const e of root.querySelectorAll('*')) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || e.closest('.pmsim-gantt-box') && !e.classList.contains('pmsim-gantt-box')) continue;
    if (r.right > right) out.push('past the right edge: ' + name(e));
    const style = getComputedStyle(e);
    const clips = ['hidden', 'clip'].includes(style.overflowX) && style.textOverflow !== 'ellipsis';
    if (clips && e.scrollWidth > e.clientWidth + 1) out.push('clipped: ' + name(e));
  }
  return out;
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def project_file(tmp_path_factory):
    p = pm.read_project(pm.data_path("erp_upgrade"))
    risks = [dataclasses.replace(p.risks[0], name=RISK_NAME), *p.risks[1:]]
    tasks = [dataclasses.replace(p.tasks[0], name=TASK_NAME), *p.tasks[1:]]
    q = dataclasses.replace(p, name=NAME, risks=type(p.risks)(risks), tasks=type(p.tasks)(tasks))
    path = pm.write_project(q, tmp_path_factory.mktemp("project") / "crm move.xlsx")
    # Compile (or load) the kernels here, outside the page's timeouts: numba caches them on disk.
    pm.simulate(q, iterations=1000, seed=0, levelled=True)
    pm.simulate(q, iterations=1000, seed=0).sensitivity
    return path


@contextlib.contextmanager
def serve(project, log_dir, **voila_options):
    """Voila serving the dashboard of ``project`` on a free port, its pre-heated kernel ready: (url, the Voila
    process); stopped (its whole process group) on leaving. ``voila_options`` go to ``server.voila_command``."""
    port = _free_port()
    log = (log_dir / "voila.log").open("w")
    proc = subprocess.Popen(server.voila_command(port, **voila_options), env=server.environment(project), cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"voila exited with status {proc.returncode}; see {log.name}")
            try:
                with urllib.request.urlopen(url + "voila/static/voila.js", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"voila did not answer on {url} within {START_TIMEOUT} s; see {log.name}")
            time.sleep(0.3)
        _wait_for_kernels(proc, 1)  # the pre-heated one
        yield url, proc
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


@pytest.fixture(scope="module")
def served(project_file, tmp_path_factory):
    """Voila serving the dashboard of ``project_file``: (url, the Voila process)."""
    with serve(project_file, tmp_path_factory.mktemp("voila"), cull_idle=CULL_IDLE,
               cull_interval=CULL_INTERVAL) as answer:
        yield answer


def _tree(proc) -> list:
    try:
        root = psutil.Process(proc.pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _kernels(proc) -> list:
    out = []
    for p in _tree(proc):
        try:
            if "ipykernel_launcher" in " ".join(p.cmdline()):
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


def _rss(proc) -> float:
    """MB of resident memory of the Voila process, its kernels and their drawing processes."""
    total = 0
    for p in _tree(proc):
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / 2**20


def _rss_by_process(proc) -> list[tuple[int, str, float]]:
    """(pid, role, MB resident) of each process of :func:`_rss`: the server, a kernel, a drawing process."""
    out = []
    for p in _tree(proc):
        try:
            line = " ".join(p.cmdline())
            role = ("server" if p.pid == proc.pid else "kernel" if "ipykernel_launcher" in line
                    else "resource tracker" if "resource_tracker" in line
                    else "drawing" if "multiprocessing" in line else p.name())
            out.append((p.pid, role, p.memory_info().rss / 2**20))
        except psutil.NoSuchProcess:
            pass
    return out


def _quiet(processes, seconds: float = 1.0) -> bool:
    """Whether every one of ``processes`` used under 5 % of a core over the next ``seconds``."""
    try:
        for p in processes:
            p.cpu_percent(None)
        time.sleep(seconds)
        return all(p.cpu_percent(None) < 5 for p in processes)
    except psutil.NoSuchProcess:
        return False


def _wait_for_kernels(proc, count: int, timeout: float = START_TIMEOUT) -> None:
    """Until ``count`` kernels run and have finished their start: each kernel and its drawing processes quiet.

    A kernel waiting for its drawing processes (warming up, drawing the first figures) is quiet
    while they work: measured then, a new kernel's processes are a hundred MB short of what they
    hold once started, and the memory compared before and after the visits is off by that much.
    """
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        kernels = _kernels(proc)
        if len(kernels) == count:
            try:
                tree = [p for k in kernels for p in (k, *k.children(recursive=True))]
            except psutil.NoSuchProcess:
                continue
            if _quiet(tree):
                return
        time.sleep(0.5)
    pytest.fail(f"{len(_kernels(proc))} kernels after {timeout:.0f} s, expected {count}")


def _p80(page) -> dt.date:
    return dt.date.fromisoformat(page.locator(".pmsim-p80 .pmsim-value").inner_text().strip())


def _money(text: str) -> int:
    return int(text.split()[0].replace(",", ""))


def _open(page, url) -> tuple[float, float]:
    """Go to the dashboard; seconds until its controls, and until its first numbers, are on screen."""
    start = time.monotonic()
    page.goto(url, timeout=START_TIMEOUT * 1000)
    expect(page.locator(".pmsim-control-multiplier")).to_be_visible(timeout=START_TIMEOUT * 1000)
    controls = time.monotonic() - start
    expect(page.locator(".pmsim-p80 .pmsim-value")).to_be_visible(timeout=START_TIMEOUT * 1000)
    return controls, time.monotonic() - start


def _cards_on_screen(page) -> None:
    """Every headline card lies inside the window, whatever the page's scroll."""
    height, width = page.viewport_size["height"], page.viewport_size["width"]
    for card in page.locator(".pmsim-card").all():
        box = card.bounding_box()
        assert box is not None and box["y"] >= -1 and box["y"] + box["height"] <= height + 1, box
        assert box["x"] >= -1 and box["x"] + box["width"] <= width + 1, box


def _no_overflow(page, where: str) -> None:
    found = page.evaluate(OVERFLOWS)
    assert not found, f"{where}: {found[:10]}"


def _type_into(page, control: str, value: str) -> None:
    page.locator(f".pmsim-control-{control} input, .pmsim-control-{control} .widget-readout").first.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(value)
    page.keyboard.press("Enter")


@pytest.mark.parametrize("width", [800, 1400, 1920])
def test_the_served_dashboard_fits_and_answers(page, served, width):
    url, _ = served
    page.set_viewport_size({"width": width, "height": 900})
    loaded = _open(page, url)
    # The project's text is shown as text: nothing in it ran or became markup.
    expect(page.locator(".pmsim-title h2")).to_have_text(NAME)
    assert page.evaluate("() => window.__pwned") is None
    expect(page.locator(".pmsim-static-note")).to_be_hidden()  # a live page
    expect(page.locator(".pmsim-table .pmsim-plan")).to_contain_text("Plan", timeout=UPDATE_TIMEOUT)  # the baseline row
    page.get_by_role("tab", name="Risks").click()
    expect(page.locator(".pmsim-risks .pmsim-risk-name").first).to_have_text(RISK_NAME)
    assert page.locator(".pmsim-whatif img:not(.pmsim-plot), .pmsim-whatif script").count() == 0
    _no_overflow(page, f"{width} px, risks")
    plan = _p80(page)

    # A risk switched off in the risk table (R06: 30 % of 25,000 EUR): the expected cost falls, the P80 does not rise.
    cost = page.locator(".pmsim-expected-cost .pmsim-value")
    before = cost.inner_text()
    page.locator(".pmsim-control-risk-R06 input[type=checkbox]").uncheck()
    expect(cost).not_to_have_text(before, timeout=UPDATE_TIMEOUT)
    assert _money(cost.inner_text()) < _money(before)
    assert _p80(page) <= plan
    _cards_on_screen(page)

    # Every estimate 30 % longer, typed into the slider's readout: the P80 moves later, typing to text.
    page.get_by_role("tab", name="Estimates").click()
    page.locator(".pmsim-plots").scroll_into_view_if_needed()
    old = _p80(page)
    start = time.monotonic()
    _type_into(page, "multiplier", "1.3")
    expect(page.locator(".pmsim-p80 .pmsim-value")).not_to_have_text(old.isoformat(), timeout=UPDATE_TIMEOUT)
    changed = time.monotonic() - start
    assert _p80(page) > old
    _cards_on_screen(page)
    expect(page.locator(".pmsim-p80 .pmsim-note")).to_contain_text("vs. plan")

    # A target: the deadline a year later makes P(on time) 100 %.
    page.get_by_role("tab", name="Simulation").click()
    deadline = (plan + dt.timedelta(days=365)).isoformat()
    _type_into(page, "deadline", deadline)
    expect(page.locator(".pmsim-p-on-time .pmsim-value")).to_have_text("100%", timeout=UPDATE_TIMEOUT)
    expect(page.locator(".pmsim-error")).to_have_count(0)
    _cards_on_screen(page)
    expect(page.locator(".pmsim-whatif .pmsim-stale")).to_have_count(0, timeout=UPDATE_TIMEOUT)
    _no_overflow(page, f"{width} px, after the changes")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"served_{width}.png"))
    with (ARTIFACTS / "served_latency.txt").open("a") as f:
        f.write(f"{width} px: controls {loaded[0]:.2f} s, numbers {loaded[1]:.2f} s after the page was asked for; "
                f"new P80 {changed:.2f} s after Enter\n")


def test_a_page_that_is_left_shuts_its_kernel_down_at_once(browser, served):
    # Voila's page posts voila/api/shutdown/<kernel> with its _xsrf cookie on beforeunload; without the cookie
    # (Voila 0.5 sets none on a page served from a pre-heated kernel) the server refused it with 403 and the
    # kernel stayed until culled. Here it must be gone within 10 s, before the culler could act (it waits
    # CULL_IDLE = 30 s of idleness without a page).
    url, proc = served
    _wait_for_kernels(proc, 1)
    (pooled,) = _kernels(proc)  # the page gets the pre-heated kernel
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _open(page, url)
    assert "_xsrf=" in page.evaluate("document.cookie")
    left = time.monotonic()
    page.goto("about:blank")
    while not _ended(pooled) and time.monotonic() - left < 10:
        time.sleep(0.2)
    page.close()
    assert _ended(pooled), f"the kernel of a page left {time.monotonic() - left:.0f} s ago still runs"


def _ended(process) -> bool:
    """Whether a process has ended (a zombie until its parent reaps it counts as ended)."""
    try:
        return not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_kernels_are_freed_after_visits(browser, served):
    url, proc = served
    _wait_for_kernels(proc, 1)
    before, before_each = _rss(proc), _rss_by_process(proc)
    seen: set[int] = set()
    for visit in range(VISITS):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        _open(page, url)
        seen |= {p.pid for p in _tree(proc)}
        # Pages left (the page's beacon tells Voila on beforeunload); the last two dropped as a crashed browser
        # drops them, for the culler. (Playwright's page.close drops a beacon sent while closing; leaving the page
        # first is what a user does who follows a link or closes a tab.)
        if visit < VISITS - 2:
            page.goto("about:blank")
        page.close()
    _wait_for_kernels(proc, 1, timeout=CULL_IDLE + 10 * CULL_INTERVAL + START_TIMEOUT)
    alive = {p.pid for p in _tree(proc)}
    leaked = [pid for pid in seen - alive if psutil.pid_exists(pid)
              and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
    assert not leaked, f"processes of closed pages still running: {leaked}"
    after, after_each = _rss(proc), _rss_by_process(proc)
    ARTIFACTS.mkdir(exist_ok=True)
    each = "\n".join(f"  {when}: pid {pid} {role} {mb:.0f} MB" for when, rows in (("before", before_each),
                                                                               ("after", after_each))
                     for pid, role, mb in rows)
    (ARTIFACTS / "served_memory.txt").write_text(
        f"before {before:.0f} MB, after {VISITS} visits {after:.0f} MB\n{each}\n")
    # The same processes as before the visits (the server, the pre-heated kernel and its drawing processes)...
    assert sorted(role for _, role, _ in after_each) == sorted(role for _, role, _ in before_each), each
    # ... holding the same memory: one kernel and its drawing processes are about 600 MB; the server may grow a little.
    assert after < before + 150, f"{before:.0f} MB before, {after:.0f} MB after:\n{each}"
