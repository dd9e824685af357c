"""Widget updates that a connecting page would drop, sent again.

A page that opens on a running kernel (Voila's page, JupyterLab after a
reload) loads its widgets in two steps: it asks the kernel for the state of
every widget (ipywidgets' control comm, ``request_states``), then creates a
model for each, which may take seconds on a busy machine. An update the kernel
sends between its answer and the creation of that widget's model is dropped by
the page: nothing there listens to that widget yet. Nothing tells the kernel
when the page is ready.

The what-if panel computes its first numbers while the page loads (in a worker
thread, its results delivered on the kernel's event loop), and keeps the last
numbers unchanged when they are equal (a widget sends nothing when its value
does not change). So a page could keep the headline cards of the answer it was
given, the placeholders, while a later update (the status line) got through:
"Updated: 10,000 runs" above cards reading "…".

:func:`install` makes the kernel send again, in full, the state of every widget
it updated after answering ``request_states``, at :data:`RESEND_AFTER` seconds
after the answer: whichever of these arrives after the page has created the
widget's model brings it up to date. Widgets the kernel did not update in that
time are not sent again (a field the user is typing into keeps what is typed).

This module imports nothing from pmsim.
"""

from __future__ import annotations

import asyncio
import functools
import threading
import time
import weakref

from ipywidgets import Widget

RESEND_AFTER = (0.5, 2.0, 5.0, 15.0, 45.0)  # seconds after the answer to request_states: a loaded machine may take long


class _Resync:
    """The widgets updated since the last ``request_states`` answer, and the timers that send them again."""

    def __init__(self, reply, send_state, resend_after=RESEND_AFTER):
        self._reply, self._send_state = reply, send_state
        self.resend_after = tuple(resend_after)
        self.until = 0.0  # monotonic time until which updates are recorded
        self.updated: weakref.WeakValueDictionary[str, Widget] = weakref.WeakValueDictionary()
        self._lock = threading.Lock()

    def reply(self, cls, msg) -> None:
        """Answer the page as ipywidgets does, then schedule the resends."""
        self._reply(cls, msg)
        if msg.get("content", {}).get("data", {}).get("method") != "request_states":
            return
        with self._lock:
            self.updated.clear()
            self.until = time.monotonic() + max(self.resend_after) + 1.0
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        for delay in self.resend_after:
            if loop is not None:
                loop.call_later(delay, self.resend)
            else:
                timer = threading.Timer(delay, self.resend)
                timer.daemon = True
                timer.start()

    def send_state(self, widget, key=None) -> None:
        """Send as ipywidgets does; remember the widget while a page may be creating its models."""
        self._send_state(widget, key)
        if time.monotonic() < self.until and widget.comm is not None:
            with self._lock:
                self.updated[widget.model_id] = widget

    def resend(self) -> None:
        """Send the full state of every widget updated since the answer (still open)."""
        with self._lock:
            widgets = list(self.updated.values())
        for widget in widgets:
            if widget.comm is not None:
                self._send_state(widget, None)


def install(resend_after=RESEND_AFTER) -> _Resync:
    """Make this kernel's widgets send again what a connecting page may have dropped; once per process.

    Returns the installed resync (its ``resend_after`` and ``updated`` are for tests).
    """
    installed = getattr(Widget, "_pmsim_resync", None)
    if installed is not None:
        return installed
    resync = _Resync(Widget._handle_control_comm_msg.__func__, Widget.send_state, resend_after)
    # handle_control_comm_opened binds cls._handle_control_comm_msg when a page opens its control comm, so
    # every page that connects after this call gets the wrapped answer.
    Widget._handle_control_comm_msg = classmethod(resync.reply)

    @functools.wraps(Widget.send_state)
    def send_state(self, key=None):
        resync.send_state(self, key)

    Widget.send_state = send_state
    Widget._pmsim_resync = resync
    return resync
