"""The kernel manager of the served dashboard: idle kernels without a page are culled, the pre-heated one is kept.

Voila runs one kernel per page. A page that closes asks Voila to shut its
kernel down (a beacon on ``beforeunload``); a browser that crashes, sleeps or
loses the network never does, so jupyter_server's culler shuts down kernels
that have had no page and no work for a while. That culler would also shut
down the kernel Voila keeps pre-heated for the next visitor (it has never
had a page), and Voila would not start another until someone visits; and
it would measure a kernel's idle time from its last message, so that a
pre-heated kernel handed to a page a moment ago, idle since it was heated,
could be culled before the page connects. :class:`DashboardKernelManager`
spares the pooled kernel, and gives a kernel that left the pool the full
idle time from then.

This module imports nothing from pmsim: Voila's server loads it by path (see
:func:`pmsim.widgets.server.voila_command`), without the weight of pmsim's
imports in the server process.
"""

from __future__ import annotations

import time

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

NAME = "pmsim_dashboard_kernels"  # the module name Voila's server knows this file by


class DashboardKernelManager(AsyncMappingKernelManager):
    """jupyter_server's kernel manager, whose culler spares the kernels waiting in Voila's pre-heated pool."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.out_of_pool: dict[str, float] = {}  # kernel id -> when the culler first saw it out of the pool

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
            if self.pooled(kernel_id):
                self.out_of_pool.pop(kernel_id, None)
                return None
            timeout = kernel.kernel_spec.metadata.get("cull_idle_timeout", self.cull_idle_timeout)
            if time.monotonic() - self.out_of_pool.setdefault(kernel_id, time.monotonic()) < timeout:
                return None
        result = await super().cull_kernel_if_idle(kernel_id)
        if kernel_id not in self._kernels:
            self.out_of_pool.pop(kernel_id, None)
        return result
