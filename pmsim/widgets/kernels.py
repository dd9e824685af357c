"""The kernel manager of the served dashboard: idle kernels without a page are culled, the pre-heated one is kept.

Voila runs one kernel per page. A page that closes asks Voila to shut its
kernel down (a beacon on ``beforeunload`` carrying the page's ``_xsrf``
cookie; Voila 0.5 sets that cookie on no page it serves from a pre-heated
kernel, so the beacon was refused and the kernel stayed until culled:
:func:`give_pages_an_xsrf_cookie` makes the server set it); a browser that crashes, sleeps or
loses the network never does, so jupyter_server's culler shuts down kernels
that have had no page and no work for a while. That culler would also shut
down the kernel Voila keeps pre-heated for the next visitor (it has never
had a page), and Voila would not start another until someone visits; and
it would measure a kernel's idle time from its last message, so that a
pre-heated kernel handed to a page a moment ago, idle since it was heated,
could be culled before the page connects. :class:`DashboardKernelManager`
spares the pooled kernel, gives a kernel the full idle time from when it was
last pooled, busy or connected, and a page a longer wait for its first
connection.

This module imports nothing from pmsim: Voila's server loads it by path (see
:func:`pmsim.widgets.server.voila_command`), without the weight of pmsim's
imports in the server process.
"""

from __future__ import annotations

import inspect
import time

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

NAME = "pmsim_dashboard_kernels"  # the module name Voila's server knows this file by


FIRST_CONNECTION = 120  # seconds a page has to connect to the kernel handed to it (at least the idle timeout)


class DashboardKernelManager(AsyncMappingKernelManager):
    """jupyter_server's kernel manager, whose culler spares the kernels waiting in Voila's pre-heated pool.

    A kernel's idle time counts from the last time the culler saw it in the
    pool, busy, or with a page connected. A kernel handed to a page that has
    not connected yet gets at least :data:`FIRST_CONNECTION` seconds: on a
    loaded machine a page may take a while to load its scripts and connect
    (a pre-heated kernel goes to a page without a pause, its last message
    sent while it was heated).
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.out_of_pool: dict[str, float] = {}  # kernel id -> when the culler last saw it pooled, busy or connected
        self.connected: set[str] = set()  # kernels a page has connected to

    def pooled(self, kernel_id: str) -> bool:
        """Whether ``kernel_id`` is a pre-heated kernel no page has taken yet."""
        for pool in getattr(self, "_pools", {}).values():  # Voila's pool (its VoilaKernelManager derives from this)
            for task in pool:
                if task.done() and not task.cancelled() and task.exception() is None:
                    if task.result().get("kernel_id") == kernel_id:
                        return True
        return False

    async def cull_kernel_if_idle(self, kernel_id):
        kernel = self._kernels.get(kernel_id)
        if kernel is None:
            return None
        if getattr(kernel, "execution_state", None) != "dead":
            now = time.monotonic()
            if self.pooled(kernel_id):
                self.out_of_pool.pop(kernel_id, None)
                return None
            connections = self._kernel_connections.get(kernel_id, 0)
            if connections:
                self.connected.add(kernel_id)
            if connections or getattr(kernel, "execution_state", None) == "busy":
                self.out_of_pool[kernel_id] = now  # its idle time starts when the page leaves and the work ends
                return None
            timeout = kernel.kernel_spec.metadata.get("cull_idle_timeout", self.cull_idle_timeout)
            if kernel_id not in self.connected:
                timeout = max(timeout, FIRST_CONNECTION)
            if now - self.out_of_pool.setdefault(kernel_id, now) < timeout:
                return None
        result = await super().cull_kernel_if_idle(kernel_id)
        if kernel_id not in self._kernels:
            self.out_of_pool.pop(kernel_id, None)
            self.connected.discard(kernel_id)
        return result


def give_pages_an_xsrf_cookie() -> None:
    """Make Voila's page handler set the ``_xsrf`` cookie, which the page's close beacon sends back.

    Voila's page posts ``voila/api/shutdown/<kernel id>`` on ``beforeunload``
    with the ``_xsrf`` value read from ``document.cookie``; the server refuses a
    POST without it (403). A page rendered from a pre-heated kernel never
    touched the handler's ``xsrf_token``, so no cookie was set and no kernel
    was shut down when its page closed. Reading ``xsrf_token`` in ``prepare``
    (before anything is written) sets the cookie on every page.
    """
    from voila.tornado.handler import TornadoVoilaHandler

    if getattr(TornadoVoilaHandler, "pmsim_xsrf_cookie", False):
        return
    original = TornadoVoilaHandler.prepare

    async def prepare(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        if self.request.method == "GET" and not self._finished:
            self.xsrf_token  # noqa: B018 - read for its effect: tornado sets the cookie
        return result

    TornadoVoilaHandler.prepare = prepare
    TornadoVoilaHandler.pmsim_xsrf_cookie = True
