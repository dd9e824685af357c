"""Progress bars for long simulations: a bar in notebooks, a line of text in a terminal.

Each reporter is a ``callback(done, total)`` for :func:`pmsim.simulate`,
which calls it between batches of iterations::

    sim = pm.simulate(p, iterations=1_000_000, seed=1, callback=pm.progress_bars.bar())

:func:`bar` shows an ``ipywidgets`` progress bar below the cell (the what-if
dashboard keeps one in its panel); :func:`text` writes a line that rewrites
itself on standard error (the ``pmsim simulate`` command uses it when
standard error is a terminal, or with ``--progress``); :func:`auto` picks the
bar inside a Jupyter kernel and the text elsewhere. (``pm.progress`` is the
old, deprecated name of this module.)

>>> import io
>>> out = io.StringIO()
>>> report = text(stream=out, label="simulate")
>>> report(4096, 10000); report(10000, 10000)
>>> out.getvalue().splitlines()[-1].split("\\r")[-1]
'simulate: 10,000/10,000 iterations (100 %) in ...s'
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

from .errors import ValidationError

__all__ = ["WidgetProgress", "TextProgress", "bar", "text", "auto", "in_notebook"]


def _check(done: int, total: int) -> tuple[int, int]:
    done, total = int(done), int(total)
    if total <= 0 or not 0 <= done <= total:
        raise ValidationError(f"progress: need 0 <= done <= total and total > 0, got done={done}, total={total}")
    return done, total


class WidgetProgress:
    """A ``callback(done, total)`` that drives an ``ipywidgets.IntProgress`` bar.

    Parameters
    ----------
    description : str
        The label left of the bar.
    widget : ipywidgets.IntProgress, optional
        A bar to drive (one already in a layout); a new one by default.
    interval : float
        Seconds between updates of the bar after a :meth:`reset` (the end of
        a run is always shown). Each update is a message to the browser, and
        a run of a few tens of milliseconds would otherwise send one per
        chunk of iterations while the page has better things to draw.

    The bar counts iterations (``widget.max`` is the run's total) and its
    description ends with the percentage. The widget may be updated from a
    worker thread: ipywidgets sends each change to the front end as it happens.

    >>> report = WidgetProgress("Simulating")
    >>> report(2048, 8192); report.widget.value, report.widget.max, report.widget.description
    (2048, 8192, 'Simulating 25 %')
    >>> report(8192, 8192); report.fraction, report.widget.bar_style
    (1.0, 'success')
    """

    def __init__(self, description: str = "Simulating", widget=None, interval: float = 0.1):
        import ipywidgets as w

        self.label = description
        self.widget = widget if widget is not None else w.IntProgress(
            value=0, min=0, max=1, description=description, style={"description_width": "initial"}
        )
        self.interval = float(interval)
        self._shown = -float("inf")
        self._lock = threading.Lock()

    @property
    def fraction(self) -> float:
        """How much of the run is done, in [0, 1]."""
        return self.widget.value / self.widget.max if self.widget.max else 0.0

    def reset(self, total: int = 1) -> None:
        """Back to zero (before a new run of ``total`` iterations)."""
        with self._lock, self.widget.hold_sync():
            self.widget.bar_style = ""
            self.widget.max = max(int(total), 1)
            self.widget.value = 0
            self.widget.description = f"{self.label} 0 %"
            self._shown = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        done, total = _check(done, total)
        now = time.monotonic()
        with self._lock:
            if done < total and now - self._shown < self.interval:
                return
            self._shown = now
            with self.widget.hold_sync():  # one message for the four fields
                if self.widget.max != total:
                    self.widget.max = total
                self.widget.value = done
                self.widget.description = f"{self.label} {100 * done // total} %"
                self.widget.bar_style = "success" if done == total else ""

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


class TextProgress:
    """A ``callback(done, total)`` that rewrites one line of text on a stream (stderr by default).

    Lines are written at most every ``interval`` seconds (and always at the
    end, followed by a newline), so a fast run prints one line.

    >>> import io
    >>> out = io.StringIO()
    >>> report = TextProgress(stream=out, interval=0)
    >>> report(5000, 10000); report(10000, 10000)
    >>> [part.split(" in ")[0] for part in out.getvalue().strip().split("\\r") if part]
    ['simulating: 5,000/10,000 iterations (50 %)', 'simulating: 10,000/10,000 iterations (100 %)']
    """

    def __init__(self, stream: TextIO | None = None, label: str = "simulating", interval: float = 0.2):
        self.stream = stream
        self.label = label
        self.interval = float(interval)
        self._started: float | None = None
        self._last = -float("inf")

    def __call__(self, done: int, total: int) -> None:
        done, total = _check(done, total)
        now = time.perf_counter()
        if self._started is None:
            self._started = now
        finished = done == total
        if not finished and now - self._last < self.interval:
            return
        self._last = now
        stream = self.stream if self.stream is not None else sys.stderr
        line = f"{self.label}: {done:,}/{total:,} iterations ({100 * done // total} %)"
        line += f" in {now - self._started:.1f}s" if finished else ""
        stream.write("\r" + line + ("\n" if finished else ""))
        stream.flush()
        if finished:
            self._started = None
            self._last = -float("inf")


def bar(description: str = "Simulating", display: bool = True) -> WidgetProgress:
    """A progress bar for ``pm.simulate(..., callback=...)``, shown below the current cell.

    >>> report = bar(display=False)
    >>> report(10, 10); report.widget.value
    10
    """
    report = WidgetProgress(description)
    if display:
        from IPython.display import display as show

        show(report.widget)
    return report


def text(stream: TextIO | None = None, label: str = "simulating", interval: float = 0.2) -> TextProgress:
    """A text progress line on ``stream`` (standard error by default).

    >>> import io
    >>> out = io.StringIO()
    >>> text(out)(3, 3); out.getvalue().startswith("\\rsimulating: 3/3 iterations (100 %)")
    True
    """
    return TextProgress(stream, label, interval)


def in_notebook() -> bool:
    """Whether this code runs inside a Jupyter kernel (where widgets can show).

    >>> in_notebook()
    False
    """
    shell = sys.modules.get("IPython") and sys.modules["IPython"].get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def auto(description: str = "Simulating"):
    """A bar in a notebook, text on standard error elsewhere.

    >>> isinstance(auto(), TextProgress)
    True
    """
    return bar(description) if in_notebook() else text(label=description.lower())
