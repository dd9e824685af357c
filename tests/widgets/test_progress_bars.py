"""Progress bars (pm.progress_bars): a widget bar, a text line, and the deprecated old name pm.progress."""

from __future__ import annotations

import io
import sys

import pytest

import pmsim as pm
from pmsim.progress_bars import TextProgress, WidgetProgress


@pytest.fixture(scope="module")
def erp():
    return pm.read_project(pm.data_path("erp_upgrade"))


def test_widget_progress_and_text_progress():
    bar = WidgetProgress("Run")
    bar(1, 4)
    assert (bar.widget.value, bar.widget.max, bar.widget.description, bar.widget.bar_style) == (1, 4, "Run 25 %", "")
    bar.reset(10)
    assert (bar.widget.value, bar.widget.max, bar.fraction) == (0, 10, 0.0)
    slow = WidgetProgress("Run", interval=3600)
    slow.reset(10)
    slow(5, 10)  # within the interval after the reset: not shown
    assert (slow.widget.value, slow.widget.description) == (0, "Run 0 %")
    slow(10, 10)  # the end always is
    assert (slow.widget.value, slow.widget.description, slow.widget.bar_style) == (10, "Run 100 %", "success")
    out = io.StringIO()
    text = TextProgress(out, label="simulate", interval=3600)
    text(1, 3)
    text(2, 3)  # within the interval: not written
    text(3, 3)
    lines = out.getvalue().split("\r")[1:]
    assert [line.split(" in ")[0] for line in lines] == ["simulate: 1/3 iterations (33 %)",
                                                          "simulate: 3/3 iterations (100 %)"]
    assert out.getvalue().endswith("s\n")
    with pytest.raises(pm.ValidationError, match="need 0 <= done <= total and total > 0, got done=5, total=3"):
        bar(5, 3)


def test_a_progress_callback_on_simulate_reaches_the_total(erp):
    bar = WidgetProgress()
    pm.simulate(erp, iterations=5000, seed=1, callback=bar)
    assert (bar.widget.value, bar.widget.max, bar.fraction) == (5000, 5000, 1.0)


def _forget_the_old_name():
    """As in a fresh session: pmsim.progress not imported, no attribute pm.progress."""
    sys.modules.pop("pmsim.progress", None)
    pm.__dict__.pop("progress", None)


def test_the_old_name_pm_progress_gives_the_same_functions_with_a_deprecation_warning():
    message = r"pmsim\.progress is deprecated: use pmsim\.progress_bars"
    _forget_the_old_name()
    try:
        with pytest.warns(DeprecationWarning, match=message) as seen:
            old = pm.progress
        assert seen[0].filename == __file__  # the warning points at the code that used the old name
        assert (old.bar, old.text, old.auto, old.WidgetProgress) == (pm.progress_bars.bar, pm.progress_bars.text,
                                                                     pm.progress_bars.auto, WidgetProgress)
        with pytest.warns(DeprecationWarning, match=message) as seen:
            import pmsim.progress as module
        assert seen[0].filename == __file__
        assert (module.bar, module.TextProgress, module.__all__) == (pm.progress_bars.bar, TextProgress,
                                                                     pm.progress_bars.__all__)
    finally:
        _forget_the_old_name()
