"""Task existence and probabilistic branching: which tasks exist in each iteration.

A task of ``existence`` p < 1 exists in an iteration with probability p, on
its own draw; the tasks of one ``branch`` group are mutually exclusive
alternatives, one draw per iteration for the group choosing exactly one of
them with the weights given by their ``existence``. Each uncertain task is an
*entry*: it exists in iteration t when ``lo <= u[group, t] < hi``, ``u`` the
group's counter-based uniform, so the draw of an iteration depends only on
(seed, task id or branch name, iteration). A task that has started at the
data date exists for certain, and so its branch is decided: its alternatives
do not exist.

The engine receives existence as rows of 0/1 factors after the risks'
impacts (:meth:`Existence.factors`); a task that does not exist takes no
time (its duration is -0.0, which the criticality counts read as "absent"),
costs nothing, and its links pass through it as through a milestone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .encoding import task_key

__all__ = ["Existence", "existence_of"]

_ALONE, _BRANCH = 4, 5  # stream purposes (after the plan's 0-3): a task's own draw, a branch group's draw


@dataclass(frozen=True, eq=False)
class Existence:
    """The uncertain tasks of a plan, one entry each (topological order).

    ``task``: topological index; ``group``: the draw it reads; ``lo``/``hi``:
    the interval of that draw in which it exists; ``fixed``: its fixed cost
    (not paid when it does not exist); ``risks``: (register position, entries)
    for each risk whose tasks are all uncertain (it cannot strike when none of
    them exists). ``group_keys``/``group_purpose``: what each draw's stream is
    keyed by.
    """

    task: np.ndarray
    group: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    fixed: np.ndarray
    risks: tuple
    group_keys: np.ndarray
    group_purpose: np.ndarray

    @property
    def size(self) -> int:
        return int(self.task.shape[0])

    def streams(self, seed_key: np.uint64) -> np.ndarray:
        """The counter-based stream of each draw under a run's seed key."""
        from .._kernels.random import stream_keys

        out = np.empty(self.group_keys.shape[0], dtype=np.uint64)
        for purpose in (_ALONE, _BRANCH):
            rows = self.group_purpose == purpose
            if rows.any():
                out[rows] = stream_keys(seed_key, self.group_keys[rows], purpose)
        return out

    def factors(self, streams: np.ndarray, first: int, count: int) -> np.ndarray:
        """(entries, count) float32: 1 where the entry's task exists in iteration ``first + t``, else 0."""
        from .._kernels.random import uniforms

        u = uniforms(streams, first, count)[self.group]
        return ((self.lo[:, None] <= u) & (u < self.hi[:, None])).astype(np.float32)

    def decided(self, started: np.ndarray) -> "Existence":
        """A copy in which the entries whose tasks have started (bool per topological task) exist for certain,
        and the other alternatives of their branch groups do not."""
        hit = started[self.task]
        if not hit.any():
            return self
        lo, hi = self.lo.copy(), self.hi.copy()
        for g in np.unique(self.group[hit]).tolist():
            rows = self.group == g
            lo[rows], hi[rows] = 0.0, 0.0  # never: the uniforms lie in (0, 1)
        lo[hit], hi[hit] = -np.inf, np.inf
        return replace(self, lo=lo, hi=hi)


def existence_of(tasks, position: dict, risks, fixed: np.ndarray) -> Existence | None:
    """The :class:`Existence` of tasks (project order) with their topological ``position``; None when every
    task exists for certain. ``fixed``: each task's fixed cost (project order)."""
    entries = []  # (position, group name or None, task)
    for k, t in enumerate(tasks):
        if t.branch or t.existence < 1.0:
            entries.append((position[t.id], k, t))
    if not entries:
        return None
    entries.sort(key=lambda e: e[0])
    groups: dict[tuple, int] = {}
    group, lo, hi = [], [], []
    filled: dict[int, float] = {}  # per branch draw: the weight given out so far
    for _, _, t in entries:
        key = ("branch", t.branch) if t.branch else ("task", t.id)
        g = groups.setdefault(key, len(groups))
        start = filled.get(g, 0.0)
        filled[g] = start + t.existence
        group.append(g)
        lo.append(start)
        hi.append(start + t.existence)
    hi = np.array(hi)
    lo = np.array(lo)
    group = np.array(group, dtype=np.int64)
    for key, g in groups.items():
        if key[0] == "branch":  # the weights sum to 1 within rounding: the last alternative takes the rest
            last = np.flatnonzero(group == g)[np.argmax(hi[group == g])]
            hi[last] = np.inf
    index = {t.id: e for e, (_, _, t) in enumerate(entries)}
    at_risk = tuple((k, np.array([index[tid] for tid in r.tasks], dtype=np.int64)) for k, r in enumerate(risks)
                    if r.tasks and all(tid in index for tid in r.tasks))
    return Existence(
        task=np.array([e[0] for e in entries], dtype=np.int64), group=group, lo=lo, hi=hi,
        fixed=np.array([fixed[e[1]] for e in entries], dtype=np.float64), risks=at_risk,
        group_keys=np.array([task_key(name) for (_, name) in groups], dtype=np.uint64),
        group_purpose=np.array([_BRANCH if kind == "branch" else _ALONE for (kind, _) in groups], dtype=np.int64),
    )
