"""The dashboard's figures at the size the page shows them: no text covers another, none leaves the figure.

Each figure is drawn twice, as the page draws it: first with a constrained
layout (the first figure of a kind), then into the kind's own figure at the
layout found (every later update). The figures are PNGs of a fixed size that
the page scales to its column, so what holds here holds at every window width.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

import pmsim as pm
from pmsim.widgets import figures, render_pool


pytestmark = pytest.mark.usefixtures("fresh_figures")  # tests/widgets/conftest.py


@pytest.fixture(scope="module")
def sim():
    p = pm.read_project(pm.data_path("textbook"))
    return pm.simulate(p, iterations=2000, seed=5)


def _burn(finals: dict, budget: float, weeks: int = 30) -> pd.DataFrame:
    """A budget-burn frame (as pm.budget_burn makes it) whose P-curves end at ``finals``."""
    index = pd.date_range("2027-01-04", periods=weeks, freq="W")
    rise = np.linspace(0.0, 1.0, weeks) ** 1.5
    burn = pd.DataFrame({"early": np.minimum(rise * 1.4, 1.0) * finals["p50"], "late": rise * finals["p50"]},
                        index=index)
    for col, final in finals.items():
        burn[col] = rise * final
    burn.attrs.update(currency="EUR", budget=budget)
    return burn


def _problems(fig) -> list[str]:
    """Texts that overlap another drawn text, or that reach outside the figure."""
    renderer = fig.canvas.get_renderer()
    texts = figures.drawn_texts(fig, renderer)
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    out = []
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        if figures.overlap(box_a, box_b):
            out.append(f"{a!r} overlaps {b!r}")
    width, height = fig.bbox.width, fig.bbox.height
    for text, box in boxes:
        if box.x0 < -0.5 or box.y0 < -0.5 or box.x1 > width + 0.5 or box.y1 > height + 0.5:
            out.append(f"{text!r} leaves the figure ({box.x0:.0f}..{box.x1:.0f} x {box.y0:.0f}..{box.y1:.0f} "
                       f"in {width:.0f} x {height:.0f})")
    return out


def _check_both_draws(kind: str, args: dict) -> None:
    for attempt in ("constrained layout", "drawn again at that layout"):
        fig = render_pool.drawn_figure(kind, args)
        assert _problems(fig) == [], attempt


@pytest.mark.parametrize("finals, budget", [
    # P10, P50 and P90 end at the same cost, on the budget line: three labels wanting the same place.
    ({"p10": 1_600_000.0, "p50": 1_600_000.0, "p90": 1_600_000.0}, 1_600_000.0),
    # Close values near the top of the plot (the sample's levelled plan: 1.301M, 1.356M, 1.424M, budget 1.41M).
    ({"p10": 1_301_000.0, "p50": 1_356_000.0, "p90": 1_424_000.0}, 1_410_000.0),
    # Wide apart, the budget far above.
    ({"p10": 900_000.0, "p50": 1_200_000.0, "p90": 1_700_000.0}, 2_400_000.0),
])
def test_the_budget_burn_labels_neither_overlap_nor_leave_the_figure(finals, budget):
    burn = _burn(finals, budget)
    _check_both_draws("burn", {"burn": burn, "budget": budget, "title": "Budget burn (bands from the first 1,024 runs)",
                               "layout": ("burn",)})
    fig = render_pool.drawn_figure("burn", {"burn": burn, "budget": budget, "title": "Budget burn", "layout": ("burn",)})
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    ends = {t.get_gid(): t.get_window_extent(renderer) for t in ax.texts if t.get_gid() in ("p10:text", "p50:text",
                                                                                          "p90:text")}
    assert set(ends) == {"p10:text", "p50:text", "p90:text"}
    # In the right margin, beside the plot, in the order of their values (P90 on top).
    assert all(box.x0 >= ax.bbox.x1 for box in ends.values())
    assert ends["p10:text"].y1 <= ends["p50:text"].y0 + 0.5 and ends["p50:text"].y1 <= ends["p90:text"].y0 + 0.5


@pytest.mark.parametrize("deadline", ["p50", "p80", None])
@pytest.mark.parametrize("kind", ["histogram", "cdf"])
def test_the_finish_date_plots_keep_their_labels_apart(sim, kind, deadline):
    # A deadline on the P50 or P80 day puts two marker labels on the same line.
    day = {"p50": sim.percentile(50), "p80": sim.percentile(80), None: False}[deadline]
    _check_both_draws(kind, {"sim": sim, "deadline": day, "layout": (sim.project.name, day is False)})


def test_the_tornado_keeps_its_labels_apart(sim):
    _check_both_draws("tornado", {"sim": sim, "layout": (sim.project.name, True)})


def test_the_plot_function_spreads_the_end_labels_at_any_size():
    burn = _burn({"p10": 1_000.0, "p50": 1_000.0, "p90": 1_010.0}, 1_000.0)
    for size in [(5, 3), (9, 4.5), (14, 6)]:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=size, layout="constrained")
        pm.plot.budget_burn(burn, ax=ax)
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_gid() in ("p10:text", "p50:text", "p90:text")]
        assert len(boxes) == 3
        assert not any(figures.overlap(a, b) for a, b in itertools.combinations(boxes, 2)), size
        assert all(0 <= b.x0 and b.x1 <= fig.bbox.width and ax.bbox.y0 - 0.5 <= b.y0 and b.y1 <= ax.bbox.y1 + 0.5
                   for b in boxes), size
        plt.close(fig)
