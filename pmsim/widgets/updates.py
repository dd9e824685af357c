"""Latest-wins updates for the what-if panel: debounced, in a worker thread, a newer change supersedes an older one.

:class:`LatestWins` gives each change a token, computes the latest one in a
thread shared by every panel, and hands the result back on the event loop's
thread; a computation that calls :meth:`LatestWins.check` stops with
:class:`Superseded` as soon as a newer change arrives.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger(__name__)

# One worker for every dashboard in the process: simulations run one at a time
# (two would only share the same two cores) and never on the kernel's thread.
_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pmsim-whatif")


class Superseded(Exception):
    """A newer request arrived: this computation stops."""


class LatestWins:
    """Runs the latest of a stream of changes, after a debounce, in the worker thread.

    Parameters
    ----------
    debounce : float
        Seconds of quiet after a burst of changes before the work starts (a
        lone change starts at once). With ``0``, :meth:`check` never stops a
        computation (the caller computes synchronously).
    snapshot : callable
        ``snapshot(token)`` returns the request to compute; called on the
        thread of the change (the kernel's) when the debounce ends.
    compute : callable
        ``compute(request, post)`` returns the result, in the worker thread.
        ``post(show, *args)`` calls ``show(*args)`` on the event loop's thread
        (for what is shown before the result: numbers first, plots later).
    deliver : callable
        ``deliver(result)``, on the event loop's thread, for the latest change only.
    failed : callable
        ``failed(request, message)`` returns the result delivered instead when
        ``compute`` raised.

    Without a running event loop where the change happens (scripts, tests),
    the debounce is a timer thread and results are delivered in the worker.
    """

    def __init__(self, debounce: float, snapshot, compute, deliver, failed):
        self.debounce = debounce
        self._snapshot, self._compute, self._deliver, self._failed = snapshot, compute, deliver, failed
        self._lock = threading.RLock()
        self._token = 0
        self._scheduled = None  # (token, timer handle) of the update waiting for its debounce
        self._in_flight = 0  # updates handed to the worker and not yet delivered
        self._last_request = -math.inf

    def new(self) -> int:
        """A new change: its token; every older change is superseded."""
        with self._lock:
            self._token += 1
            return self._token

    def is_latest(self, token: int) -> bool:
        return token == self._token

    def check(self, token: int) -> None:
        """Raise :class:`Superseded` if a newer change arrived (never without a debounce)."""
        if self.debounce and token != self._token:
            raise Superseded

    def schedule(self, token: int) -> None:
        """Compute the change ``token`` after the debounce."""
        now = time.monotonic()
        with self._lock:
            # A lone change starts at once, even while an older update is still being drawn (that one
            # is superseded at its next check); a burst (a slider being dragged) waits for quiet.
            quiet = now - self._last_request >= self.debounce and self._scheduled is None
            delay = 0.0 if quiet else self.debounce
            self._last_request = now
            if self._scheduled is not None:
                self._scheduled[1].cancel()
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                loop = None
            if loop is not None:
                handle = loop.call_later(delay, self._launch, token, loop)
            else:
                handle = threading.Timer(delay, self._launch, (token, None))
                handle.daemon = True
                handle.start()
            self._scheduled = (token, handle)

    def _launch(self, token: int, loop) -> None:
        """The debounce ended: take the snapshot and hand the work to the worker thread."""
        with self._lock:
            if self._scheduled is None or self._scheduled[0] != token:
                return  # cancelled by a newer change
            self._scheduled = None
            self._in_flight += 1
        try:
            request = self._snapshot(token)
            _WORKER.submit(self._work, token, request, loop)
        except BaseException:
            with self._lock:
                self._in_flight -= 1
            raise

    def _work(self, token: int, request, loop) -> None:
        def post(show, *args):
            if loop is not None and not loop.is_closed():
                loop.call_soon_threadsafe(show, *args)
            else:
                show(*args)

        try:
            result = self._compute(request, post) if token == self._token else None
        except Superseded:
            result = None
        except BaseException as exc:  # noqa: BLE001 - never lose a worker failure silently
            log.exception("what-if update failed")
            result = self._failed(request, f"{type(exc).__name__}: {exc}")
        post(self._hand_over, token, result)

    def _hand_over(self, token: int, result) -> None:
        try:
            if result is not None and token == self._token:
                self._deliver(result)
        finally:
            with self._lock:
                self._in_flight -= 1

    @property
    def pending(self) -> bool:
        """Whether a change is waiting for its debounce or being computed."""
        return self._scheduled is not None or self._in_flight > 0

    def wait(self, timeout: float = 60.0) -> bool:
        """Block until no change is pending; True if none is left."""
        end = time.monotonic() + timeout
        while self.pending and time.monotonic() < end:
            time.sleep(0.01)
        return not self.pending
