"""The what-if dashboard: move a lever, see the finish date, the cost and the odds.

:class:`WhatIf` is an ipywidgets panel over one project: each control is a
setting of a :class:`pmsim.Scenario`, and each change is simulated with
:func:`pmsim.simulate` and drawn with :mod:`pmsim.plot` (no scheduling logic
of its own). Inside: ``panel`` (WhatIf), ``controls``, ``view`` (its HTML),
``updates`` (the latest-wins worker) and ``render_pool`` (the drawing processes).

>>> import pmsim as pm
>>> w = pm.widgets.WhatIf(pm.read_project(pm.data_path("textbook")), iterations=2000, debounce=0, plots=False)
>>> before = w.headline["p80"]
>>> w.controls["multiplier"].value = 1.2
>>> w.headline["p80"] > before
True
"""

from .panel import WhatIf
from .view import HEADLINE_KEYS

__all__ = ["WhatIf", "HEADLINE_KEYS"]
