"""The compiled hot loops (numba), and the guard that launches the parallel ones safely.

One module per algorithm family; each function works on plain arrays of a
network whose tasks are numbered in topological order (see
:mod:`pmsim.network`), so every predecessor has a smaller index than its
successor. Link types are coded FS=0, SS=1, FF=2, SF=3.

Everything is compiled with ``cache=True``: the first call in a fresh
process loads machine code from numba's on-disk cache.
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
    """Around every call of a ``parallel=True`` kernel: one call at a time, unless that is safe.

    Numba's ``workqueue`` threading layer (what numba falls back to on a
    machine without libgomp or TBB, such as a minimal Debian) aborts the
    process when two Python threads launch parallel kernels at once, which
    happens when a notebook simulates while the what-if dashboard updates
    in its worker thread. The ``omp`` and ``tbb`` layers are thread-safe;
    once the first launch shows that one of them is in use, calls no longer
    wait for each other.
    """
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
