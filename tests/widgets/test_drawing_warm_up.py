"""What a fresh kernel does before the user's first change: light imports, drawing processes warmed up.

The timing is benchmarks/bench_first_change.py's; these tests check the
behaviour that makes it quick: a panel's kernel and its drawing processes
import only what they use, and a drawing process has laid out and drawn
each figure of the project once before the first change asks for it.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time

import pytest

import pmsim as pm
from pmsim.widgets import render_pool

PNG = b"\x89PNG\r\n\x1a\n"


def _fresh(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_a_panel_and_its_drawing_processes_import_only_what_they_use():
    # Counted by module, not by time, so it cannot flake. jupyter_server (about 1 s of imports) is the
    # server's; networkx is the network diagram's; pyplot is for figures made without axes.
    heavy = "('jupyter_server', 'ipywidgets', 'networkx', 'matplotlib.pyplot', 'scipy.special')"
    drawing = _fresh(f"import sys; import pmsim.widgets.render_pool\nprint(sorted(m for m in {heavy} if m in sys.modules))")
    assert drawing == "[]"
    panel = _fresh(f"import sys; from pmsim.widgets import WhatIf\nprint(sorted(m for m in {heavy} if m in sys.modules))")
    assert panel == "['ipywidgets']"
    # The other public names still load on first use.
    assert _fresh("import pmsim as pm; print(callable(pm.widgets.serve), pm.widgets.HEADLINE_KEYS[0], "
                  "'Dashboard' in dir(pm.widgets))") == "True p50 True"


class _Warming(render_pool.Renderer):
    """A renderer whose processes count as still warming up until ``held`` is cleared."""

    held = True

    def processes(self) -> int:
        return 2  # whatever the machine: the test is about what the processes hold

    @property
    def ready(self) -> bool:
        return not self.held and super().ready


@pytest.fixture(scope="module")
def sim():
    project = pm.read_project(pm.data_path("erp_upgrade"))
    sim = pm.simulate(project, iterations=2000, seed=3)
    sim.sensitivity  # noqa: B018 - computed here, pickled with the simulation
    return sim


def _state(renderer, kind):
    pool = renderer._pool(kind, renderer._pools)
    return set(pool.submit(render_pool._layouts).result(120)), pool.submit(render_pool._own_figures).result(120)


def test_figures_drawn_before_the_processes_are_ready_are_drawn_there_too(sim):
    renderer = _Warming()
    renderer.start()
    try:
        key = "a project drawn nowhere before"
        here = renderer.result(renderer.submit("histogram", sim=sim, deadline=False, layout=key))
        assert here.startswith(PNG)  # drawn in this thread, the processes not being ready
        prime = renderer._primes["histogram"]
        prime.result(120)  # ... and queued for the histogram's process
        layouts, own = _state(renderer, "histogram")
        assert ("histogram", key, (8.0, 4.0)) in layouts and "histogram" in own
        # Ready now: the first change's histogram finds its layout and its figure made.
        renderer.held = False
        for f in renderer._ready:
            f.result(120)
        there = renderer.result(renderer.submit("histogram", sim=sim, deadline=False, layout=key))
        assert there.startswith(PNG)
        assert _state(renderer, "histogram") == (layouts, own)  # nothing laid out or made anew
        assert renderer._primes["histogram"] is prime  # no second prime for a layout known there

        # A figure of a new project sent to a ready process is followed there by its prime.
        other = "another project"
        renderer.result(renderer.submit("cdf", sim=sim, deadline=False, layout=other))
        renderer._primes["cdf"].result(120)
        layouts, own = _state(renderer, "cdf")
        assert ("cdf", other, (8.0, 4.0)) in layouts and "cdf" in own
    finally:
        renderer.shutdown()


def test_a_panel_starts_its_drawing_processes_before_its_first_simulation(monkeypatch):
    project = pm.read_project(pm.data_path("textbook"))
    started = []
    renderer = render_pool.Renderer()
    monkeypatch.setattr(render_pool, "RENDERER", renderer)
    monkeypatch.setattr(renderer, "start", lambda: started.append(time.perf_counter()))
    from pmsim.widgets import panel

    simulated = []
    real = panel.simulate

    def simulate(*args, **kwargs):
        simulated.append(time.perf_counter())
        return real(*args, **kwargs)

    monkeypatch.setattr(panel, "simulate", simulate)
    renderer.disabled = True  # drawn here: the test is about the order
    w = pm.widgets.WhatIf(project, iterations=500, seed=0, debounce=0)
    w.close()
    assert started and simulated and started[0] < simulated[0]
    started.clear()
    pm.widgets.WhatIf(project, iterations=500, seed=0, debounce=0, plots=False).close()
    assert not started  # a panel without plots needs no drawing processes


@contextlib.contextmanager
def _ready_renderer():
    """A renderer whose drawing processes have warmed up (none held back), shut down afterwards."""
    renderer = _Warming()
    renderer.held = False
    renderer.start()
    try:
        for f in renderer._ready:
            f.result(120)
        yield renderer
    finally:
        renderer.shutdown()


def test_drawing_processes_collect_garbage_between_updates_not_during_them(sim):
    import gc

    from pmsim.widgets import figure_jobs

    project = pm.read_project(pm.data_path("erp_upgrade"))
    with _ready_renderer() as renderer:
        for pool in renderer._pools:
            # The warm-up's objects are frozen, out of every later collection, and the young
            # generation holds more than an update's figures allocate.
            assert pool.submit(gc.get_freeze_count).result(120) > 10_000
            assert pool.submit(gc.get_threshold).result(120)[0] == render_pool.GC_THRESHOLD
        old, render_pool.RENDERER = render_pool.RENDERER, renderer
        try:
            figure_jobs.draw_figures(project, sim, None, False, 3, False, project.budget, check=lambda: None)
            # The first figures of the project were followed by their primes, each tidying after itself.
            tidies = [pool.submit(render_pool._tidy).result(120) for pool in renderer._pools]
            images = figure_jobs.draw_figures(project, sim, None, False, 3, False, project.budget, check=lambda: None)
        finally:
            render_pool.RENDERER = old
        assert all(png.startswith(PNG) for png in images.values())
        # Each process collected once after the second update's figures (then once more here).
        assert [pool.submit(render_pool._tidy).result(120) for pool in renderer._pools] == [n + 2 for n in tidies]


def test_a_figure_asked_for_while_its_prime_still_waits_goes_first(sim):
    with _ready_renderer() as renderer:
        pool = renderer._pool("histogram", renderer._pools)
        busy = [pool.submit(time.sleep, 1.5) for _ in range(3)]  # the process busy, its call queue full
        renderer.prime("histogram", {"sim": sim, "deadline": False, "layout": "built"})
        waiting = renderer._primes["histogram"]
        job = renderer.submit("histogram", sim=sim, deadline=False, layout="changed")
        assert waiting.cancelled()  # it would only have delayed the figure
        assert ("histogram", repr("built"), (8.0, 4.0)) not in renderer._warm
        assert renderer.result(job).startswith(PNG)
        renderer._primes["histogram"].result(120)  # the changed figure's prime, after it
        layouts, own = _state(renderer, "histogram")
        assert ("histogram", "changed", (8.0, 4.0)) in layouts and ("histogram", "built", (8.0, 4.0)) not in layouts
        assert all(f.done() for f in busy)
