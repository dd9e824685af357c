"""Settings for every test, doctests and notebooks included."""

import os

# Tests draw figures without a screen and never change the user's backend otherwise. Not through
# the MPLBACKEND variable: it would reach the kernels nbval starts and turn their inline figures off.
if "MPLBACKEND" not in os.environ:
    import matplotlib

    matplotlib.use("Agg")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    """Close the figures a test or doctest made, so a long run keeps few open."""
    yield
    import sys

    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")


def pytest_collection_modifyitems(config, items):
    """Run the browser tests last.

    pytest-playwright keeps one Playwright (and its event loop) for the whole
    session once a browser test has run; code that later looks for a running
    asyncio loop (the dashboard's debouncing, nbval's kernel client) must not find it.
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


# The deprecated alias pmsim.progress warns when imported; tests/test_progress_bars.py checks it.
# The dashboard's Voila notebook is a page, not a tutorial: the browser tests open it.
collect_ignore = ["pmsim/progress.py", "pmsim/widgets/dashboard.ipynb"]
