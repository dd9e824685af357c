"""Fixtures shared by the widget tests."""

from __future__ import annotations

import pytest

from pmsim.widgets import render_pool


@pytest.fixture
def fresh_figures():
    """This thread's dashboard figures and layouts started anew for the test, and put back after it (the first
    draw of a kind is then the constrained one that finds its layout)."""
    saved = getattr(render_pool._FIGURES, "state", None)
    render_pool._FIGURES.state = None
    yield
    render_pool._FIGURES.state = saved
