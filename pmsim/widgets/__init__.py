"""The what-if dashboard: move a lever, see the finish date, the cost and the odds.

:class:`WhatIf` is an ipywidgets panel over one project: each control is a
setting of a :class:`pmsim.Scenario`, and each change is simulated with
:func:`pmsim.simulate` and drawn with :mod:`pmsim.plot` (no scheduling logic
of its own). :class:`Dashboard` puts it in a page with an "open project"
control; :func:`serve` serves that page with Voila (``pmsim dashboard PATH``).

Inside: ``panel`` (WhatIf), ``controls``, ``task_editor``, ``layout`` and
``view`` (its widgets and HTML), ``scenario_table``, ``updates`` (the
latest-wins worker), ``figure_jobs``, ``figures`` and ``render_pool`` (the
drawing processes), ``app`` (Dashboard) and ``server`` (serve).

>>> import pmsim as pm
>>> w = pm.widgets.WhatIf(pm.read_project(pm.data_path("textbook")), iterations=2000, debounce=0, plots=False)
>>> before = w.headline["p80"]
>>> w.controls["multiplier"].value = 1.2
>>> w.headline["p80"] > before
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what editors see; at run time each name loads with its module on first use
    from .app import Dashboard, app_from_environment
    from .panel import WhatIf
    from .server import serve
    from .view import HEADLINE_KEYS

__all__ = ["WhatIf", "Dashboard", "app_from_environment", "serve", "HEADLINE_KEYS"]

# Each public name's module, imported on first use: a kernel showing a panel never loads the
# server's jupyter_server (about 1 s of imports), and a drawing process (which imports
# .render_pool, so this package) loads neither the panel nor ipywidgets.
_LAZY = {"WhatIf": "panel", "Dashboard": "app", "app_from_environment": "app", "serve": "server",
         "HEADLINE_KEYS": "view"}


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
