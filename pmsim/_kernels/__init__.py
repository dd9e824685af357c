"""The compiled hot loops (numba), and the guard that launches the parallel ones safely.

Kernels work on plain arrays of a network in topological order (see
:mod:`pmsim.network`), one job a module: ``links`` (the link rule), ``random``,
``cpm``, ``montecarlo``, ``correlation``, ``profile``, ``sgs``, ``search``, ``floats``,
``smoothing``, ``levelled_montecarlo`` (with ``resource_profiles``), ``budget``. All compile with
``cache=True``; :func:`launching` guards the parallel ones.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path


def _drop_stale_cache() -> None:
    """Numba ties a cached function to its own source file only, but kernels compile in
    code from the other files of this package: any cache older than any of them goes."""
    here = Path(__file__).parent
    try:
        newest = max(f.stat().st_mtime for f in here.glob("*.py"))
        for f in (here / "__pycache__").glob("*.nb[ic]"):
            if f.stat().st_mtime < newest:
                f.unlink()
    except OSError:  # read-only install or no cache yet: nothing to do
        pass


_drop_stale_cache()

_LAUNCH = threading.RLock()
_threadsafe = False


@contextmanager
def launching():
    """Around every call of a ``parallel=True`` kernel: one call at a time, until the threading layer is known safe."""
    # Numba's workqueue layer (its fallback without libgomp or TBB) aborts the process when two threads launch
    # parallel kernels at once, as a notebook simulating while the dashboard updates does; omp and tbb are safe.
    global _threadsafe
    if _threadsafe:
        yield
        return
    with _LAUNCH:
        yield
        _threadsafe = _threading_layer() in ("omp", "tbb")


def _threading_layer() -> str | None:
    import numba

    try:
        return numba.threading_layer()
    except ValueError:  # no parallel kernel has run yet
        return None
