"""The dashboard's Gantt chart drawn again cheaply: only what the runs change, the same pixels as a whole draw.

Most levers (risks, probabilities, the seed, the number of runs) leave the plan alone: then the
drawing process keeps the plan's layer as pixels and draws again only the criticality shading, the
P50/P80 lines and labels and the legend (render_pool._restyled). These tests hold that shortcut to
the image a whole draw gives, and check the pieces that make a draw cheaper (the PNG encoder, the
font metrics kept by the text-caching canvas, the Gantt chart's process of its own).
"""

from __future__ import annotations

import datetime as dt
import io
import zlib

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import pmsim as pm
from pmsim.plot.canvas import TextCachingCanvas
from pmsim.scenarios import Scenario
from pmsim.widgets import figures, render_pool


pytestmark = pytest.mark.usefixtures("fresh_figures")  # tests/widgets/conftest.py


@pytest.fixture(scope="module")
def erp():
    return pm.read_project(pm.data_path("erp_upgrade"))


def _args(project, seed: int, deadline=False) -> dict:
    sim = pm.simulate(project, iterations=1000, seed=seed)
    schedule = pm.cpm(project)
    return {"schedule": schedule, "criticality": sim.criticality, "p50": sim.percentile(50),
            "p80": sim.percentile(80), "deadline": deadline, "layout": (project.name, deadline is False),
            "title": f"Plan (CPM), finish {schedule.finish_date.isoformat()}"}


def _pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _drawn(sequence, monkeypatch, restyle: bool) -> tuple[bytes, list]:
    """The PNG of the last of ``sequence`` drawn after the others; and what each restyle answered."""
    answers = []
    real = figures.restyle

    def spy(fig, args):
        answers.append(real(fig, args) if restyle else False)
        return answers[-1]

    monkeypatch.setattr(figures, "restyle", spy)
    render_pool._FIGURES.state = None
    for args in sequence[:-1]:
        render_pool._draw("gantt", args)
    return render_pool._draw("gantt", sequence[-1]), answers


@pytest.mark.parametrize("deadline", [False, "p50"])
def test_a_gantt_redrawn_over_the_same_plan_has_the_pixels_of_a_whole_draw(erp, monkeypatch, deadline):
    first = _args(erp, seed=1)
    second = _args(erp, seed=2)
    if deadline:  # a deadline on the P50 day: two labels on one line, moved apart (declutter) in both draws
        first = _args(erp, seed=1, deadline=second["p50"])
        second = _args(erp, seed=2, deadline=second["p50"])
    assert not first["criticality"].equals(second["criticality"])  # other shading
    risk_off = Scenario.from_settings("off", {f"risk:{erp.risks[0].id}": False}).apply(erp)
    third = _args(risk_off, seed=2, deadline=second["deadline"])  # the plan is the same without the risk
    sequence = [first, first, second, third]  # the first draw lays out, the second is a whole draw
    quick, answers = _drawn(sequence, monkeypatch, restyle=True)
    assert answers[-2:] == [True, True]
    whole, _ = _drawn(sequence, monkeypatch, restyle=False)
    assert np.array_equal(_pixels(quick), _pixels(whole))
    assert not np.array_equal(_pixels(quick), _pixels(render_pool._draw("gantt", first)))


def test_a_changed_plan_or_date_axis_draws_the_gantt_whole(erp, monkeypatch):
    longer = Scenario.from_settings("x", {"multiplier": 1.3}).apply(erp)
    base = _args(erp, seed=1)
    _, answers = _drawn([base, base, _args(longer, seed=1, deadline=False) | {"layout": base["layout"]}],
                        monkeypatch, restyle=True)
    assert answers[-1] is False  # other dates: the plan's layer is drawn again
    late = dict(base, p80=base["p80"] + dt.timedelta(days=200))
    _, answers = _drawn([base, base, late], monkeypatch, restyle=True)
    assert answers[-1] is False  # the P80 date far later widens the date axis


def test_the_date_axis_reaches_past_a_later_p80_in_steps(erp):
    args = _args(erp, seed=1)
    fig = render_pool.drawn_figure("gantt", args)
    left, right = fig.axes[0]._pmsim_plan.xlim  # the plan's own date range
    step = 0.05 * (right - left)
    for days in (10, 11, 40):
        p80 = args["schedule"].finish_date + dt.timedelta(days=days)
        shown = figures._date_range(fig.axes[0]._pmsim_plan, dict(args, p80=p80))
        x = figures._finish_x(p80)
        assert shown[0] == left
        assert shown[1] >= x + 0.02 * (x - left)  # 2 % of room after the P80 line, as before
        steps = (shown[1] - right) / step
        assert abs(steps - round(steps)) < 1e-9 and round(steps) >= 1
    # A P80 a day later mostly stays within the same step: the date axis does not move.
    same = [figures._date_range(fig.axes[0]._pmsim_plan, dict(args, p80=args["schedule"].finish_date
                                                               + dt.timedelta(days=d))) for d in (10, 11)]
    far = figures._date_range(fig.axes[0]._pmsim_plan, dict(args, p80=args["schedule"].finish_date
                                                           + dt.timedelta(days=40)))
    assert same[0] == same[1] and far[1] > same[0][1]


@pytest.mark.parametrize("deflate", ["default", "zlib"])
def test_the_png_holds_the_canvas_pixels(erp, monkeypatch, deflate):
    if deflate == "zlib":  # without isal
        monkeypatch.setattr(render_pool, "_deflate", zlib.compress)
    fig = render_pool.drawn_figure("gantt", _args(erp, seed=1))
    png = render_pool.png(fig)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    expected = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    assert np.array_equal(_pixels(png), expected)


@pytest.mark.parametrize("text, size, weight", [("Task 12 – Design review", 9, "normal"), ("P80", "small", "bold"),
                                                 ("two\nlines", 14, "normal")])
def test_the_text_caching_canvas_lays_text_out_as_agg_does(text, size, weight):
    # The font metrics it keeps must give matplotlib's own layout (the same boxes) on the first and later calls.
    boxes = []
    for canvas in (FigureCanvasAgg, TextCachingCanvas, TextCachingCanvas):
        fig = Figure(figsize=(4, 2), dpi=90)
        canvas(fig)
        t = fig.text(0.2, 0.4, text, fontsize=size, fontweight=weight, rotation=30)
        fig.canvas.draw()
        boxes.append(tuple(t.get_window_extent(fig.canvas.get_renderer()).bounds))
    assert boxes[0] == boxes[1] == boxes[2]


def test_the_gantt_chart_has_a_drawing_process_to_itself():
    renderer = render_pool.Renderer()
    one, two, three = ["p0"], ["p0", "p1"], ["p0", "p1", "p2"]
    kinds = [k for k in renderer.KINDS if k != "gantt"]
    assert {renderer._pool(k, one) for k in renderer.KINDS} == {"p0"}
    assert renderer._pool("gantt", two) == "p1" and {renderer._pool(k, two) for k in kinds} == {"p0"}
    assert renderer._pool("gantt", three) == "p2" and {renderer._pool(k, three) for k in kinds} == {"p0", "p1"}
