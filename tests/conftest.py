"""Shared fixtures (helpers shared between test files are in support.py)."""

from __future__ import annotations

import os
import shutil

import hypothesis
import pytest

from support import IN_CI, make_project

# Property tests are reproducible and quick: the same examples on every run, no
# per-example deadline (a first numba call can be slow on a loaded machine).
hypothesis.settings.register_profile("pmsim", derandomize=True, database=None, max_examples=200, deadline=None)
hypothesis.settings.load_profile("pmsim")


@pytest.fixture
def diamond():
    """A -> B, A -> C, B -> D, C -> D with durations 3, 2, 4, 1: critical A-C-D, makespan 8."""
    return make_project(
        [("A", 3), ("B", 2), ("C", 4), ("D", 1)],
        [("A", "B"), ("A", "C"), ("B", "D"), ("C", "D")],
    )


# --------------------------------------------------------------------------- browser tests
# Playwright drives Debian's Chromium (never `playwright install`). Outside CI a
# machine without it skips browser tests with a reason; in CI it is a failure.

CHROMIUM = os.environ.get("PMSIM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        message = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}
