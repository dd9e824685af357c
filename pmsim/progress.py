"""Deprecated: the old name of :mod:`pmsim.progress_bars`, kept for one release.

Importing it gives the same classes and functions, with a DeprecationWarning.
"""

import warnings

from .progress_bars import *  # noqa: F403 - the same public names
from .progress_bars import __all__  # noqa: F401

warnings.warn("pmsim.progress is deprecated: use pmsim.progress_bars, the same functions", DeprecationWarning,
              stacklevel=2)
