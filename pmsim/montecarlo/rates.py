"""Rate uncertainty: a three-point multiplier on a resource's cost per day, one draw per iteration.

A resource with ``rate_optimistic`` / ``rate_most_likely`` /
``rate_pessimistic`` has its cost per day multiplied, in each iteration, by
one triangular draw shared by every task it works on, so the costs of its
tasks move together. The draw of an iteration depends only on (seed,
resource id, iteration). The engine adds, per task, ``units x cost per day x
(factor - 1) x duration`` on top of the cost at the planned rates
(:func:`pmsim._kernels.montecarlo.add_rate_costs`), from a per-task list of
entries (:class:`Rates`) and a batch's deviations ``factor - 1``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .encoding import task_key

__all__ = ["Rates", "rates_of"]

_RATE = 6  # stream purpose (after the plan's 0-3 and existence's 4-5)


@dataclass(frozen=True, eq=False)
class Rates:
    """The uncertain resource rates of a plan.

    ``resources``: their ids (rows); ``points``: (rows, 3) optimistic, most
    likely, pessimistic factors; per task in topological order, entries
    ``ptr[j] .. ptr[j + 1]`` of ``row`` (the resource) and ``weight`` (units x
    its cost per day); ``span_ptr``/``span_row``/``span_weight`` the same per
    level-of-effort task (in the order of ``network.spans.task``).
    """

    resources: tuple
    points: np.ndarray
    ptr: np.ndarray
    row: np.ndarray
    weight: np.ndarray
    span_ptr: np.ndarray
    span_row: np.ndarray
    span_weight: np.ndarray

    def scaled(self, share: np.ndarray, span_task: np.ndarray | None) -> "Rates":
        """A copy whose weights are scaled per task (``share``, topological order; a re-forecast pays the rate on
        the share of the work still to do)."""
        weight = self.weight * np.repeat(share, np.diff(self.ptr))[:self.weight.size] if self.ptr[-1] else self.weight
        span_weight = self.span_weight
        if span_task is not None and self.span_ptr[-1]:
            span_weight = self.span_weight * np.repeat(share[span_task], np.diff(self.span_ptr))
        return replace(self, weight=np.ascontiguousarray(weight), span_weight=np.ascontiguousarray(span_weight))

    def streams(self, seed_key: np.uint64) -> np.ndarray:
        """The counter-based stream of each resource's factor under a run's seed key."""
        from .._kernels.random import stream_keys

        keys = np.array([task_key(r) for r in self.resources], dtype=np.uint64)
        return stream_keys(seed_key, keys, _RATE)

    def factors(self, streams: np.ndarray, first: int, count: int) -> np.ndarray:
        """(resources, count) float64: each resource's rate multiplier in iterations ``first ..``
        (the triangular quantile of the engine's uniform)."""
        from .._kernels.random import uniforms

        u = uniforms(streams, first, count)
        a, c, b = (self.points[:, k:k + 1] for k in range(3))
        width = b - a
        cut = np.divide(c - a, width, out=np.zeros_like(width), where=width > 0)
        low = a + np.sqrt(u * width * (c - a))
        high = b - np.sqrt((1.0 - u) * width * (b - c))
        return np.where(u < cut, low, high)


def _entries(tasks, rows: dict, rate: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ptr, row, weight = [0], [], []
    for task in tasks:
        for rid, units in task.resources:
            if rid in rows and units * rate[rid] != 0:
                row.append(rows[rid])
                weight.append(units * rate[rid])
        ptr.append(len(row))
    return (np.array(ptr, dtype=np.int64), np.array(row or [0], dtype=np.int64),
            np.array(weight or [0.0], dtype=np.float64))


def rates_of(project, net) -> Rates | None:
    """The uncertain rates of ``project`` (tasks in ``net``'s topological order), or None when every rate that
    is paid is certain."""
    uncertain = [r for r in project.resources if r.rate_factor is not None and r.cost_per_day > 0]
    if not uncertain or not any(rid in {r.id for r in uncertain} for t in project.tasks for rid, _ in t.resources):
        return None
    rows = {r.id: k for k, r in enumerate(uncertain)}
    rate = {r.id: r.cost_per_day for r in project.resources}
    ordered = [project.tasks[i] for i in net.project_index.tolist()]
    ptr, row, weight = _entries(ordered, rows, rate)
    spans = net.spans
    loe = [] if spans is None else [ordered[j] for j in spans.task.tolist()]
    span_ptr, span_row, span_weight = _entries(loe, rows, rate)
    points = np.array([[r.rate_optimistic, r.rate_most_likely, r.rate_pessimistic] for r in uncertain],
                      dtype=np.float64)
    return Rates(tuple(r.id for r in uncertain), points, ptr, row, weight, span_ptr, span_row, span_weight)
