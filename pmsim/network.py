"""The project network as arrays, numbered in topological order.

Algorithms (CPM, Monte Carlo, levelling) work on a :class:`Network`: tasks
renumbered so that every predecessor comes before its successors, and the
links stored twice in compressed sparse rows, by successor (``pred_*``) and
by predecessor (``succ_*``). Link types are coded FS=0, SS=1, FF=2, SF=3.

The network of a project is built once and kept with the project (projects
are immutable, so it cannot go stale).

>>> import pmsim as pm
>>> p = pm.Project(name="x", start="2027-01-04",
...                tasks=[pm.Task("B", duration=2), pm.Task("A", duration=3)],
...                dependencies=[pm.Dependency("A", "B", "SS", 1)])
>>> net = network(p)
>>> [net.ids[i] for i in range(net.n)], net.pred_type.tolist(), net.pred_lag.tolist()
(['A', 'B'], [1], [1.0])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._cache import cached
from .model import LINK_TYPES, Project

__all__ = ["Network", "Spans", "network", "LINK_CODE"]

LINK_CODE = {name: code for code, name in enumerate(LINK_TYPES)}


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class Network:
    """Arrays of a project's network in topological order.

    ``ids[k]`` is the task at topological position ``k``; ``position[id]``
    the inverse; ``project_index[k]`` its index in ``project.tasks``.
    """

    ids: tuple[str, ...]
    position: dict
    project_index: np.ndarray
    planned: np.ndarray
    pred_ptr: np.ndarray
    pred_idx: np.ndarray
    pred_type: np.ndarray
    pred_lag: np.ndarray
    succ_ptr: np.ndarray
    succ_idx: np.ndarray
    succ_type: np.ndarray
    succ_lag: np.ndarray
    pred_link: np.ndarray  # per link in pred_* order: its number among the network's links
    succ_link: np.ndarray  # per link in succ_* order: likewise
    dependency: np.ndarray = None  # per link number: its index in project.dependencies
    spans: "Spans | None" = None  # the level-of-effort tasks and the links they span (None: there are none)

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def n_links(self) -> int:
        return int(self.pred_idx.shape[0])

    def to_topological(self, values_in_project_order) -> np.ndarray:
        """Reorder a per-task array from project order to topological order."""
        return np.asarray(values_in_project_order)[self.project_index]

    def to_project(self, values_in_topological_order) -> np.ndarray:
        """Reorder a per-task array (last axis... first axis) from topological to project order."""
        values = np.asarray(values_in_topological_order)
        out = np.empty_like(values)
        out[self.project_index] = values
        return out


@dataclass(frozen=True, eq=False)
class Spans:
    """The level-of-effort tasks of a network and the dates they span (topological positions).

    A level-of-effort task's links drive nothing: they are not in the network's ``pred_*``/``succ_*``
    arrays (the task sits there alone, with no duration). Its start is the latest of ``date + lag`` over
    its predecessor links, its finish the earliest of ``date - lag`` over its successor links, ``date``
    being the other task's start or finish as the link type says at that end (``FS`` from a predecessor:
    its finish; ``FS`` to a successor: its start), and never before its start. ``*_end`` is 1 where the
    link uses the other task's finish, 0 its start.
    """

    task: np.ndarray  # int64: the level-of-effort tasks' positions
    start_ptr: np.ndarray  # CSR over ``task``: its predecessor links
    start_idx: np.ndarray
    start_end: np.ndarray
    start_lag: np.ndarray
    finish_ptr: np.ndarray  # CSR over ``task``: its successor links
    finish_idx: np.ndarray
    finish_end: np.ndarray
    finish_lag: np.ndarray

    def anchors(self) -> np.ndarray:
        """The positions of the tasks whose dates the spans read."""
        return np.unique(np.concatenate([self.start_idx, self.finish_idx]))


def _spans(tasks, deps, position_of: np.ndarray) -> Spans | None:
    """The :class:`Spans` of the level-of-effort tasks (positions from ``position_of``), or None."""
    loe = [i for i, t in enumerate(tasks) if t.level_of_effort]
    if not loe:
        return None
    index = {t.id: i for i, t in enumerate(tasks)}
    order = sorted(loe, key=lambda i: position_of[i])
    row = {i: k for k, i in enumerate(order)}
    starts: list[list] = [[] for _ in order]
    finishes: list[list] = [[] for _ in order]
    for dep in deps:
        p, s = index[dep.predecessor], index[dep.successor]
        if s in row:  # the predecessor's start (SS, SF) or finish (FS, FF), plus the lag
            starts[row[s]].append((position_of[p], int(dep.type[0] == "F"), dep.lag))
        elif p in row:  # the successor's start (FS, SS) or finish (FF, SF), less the lag
            finishes[row[p]].append((position_of[s], int(dep.type[1] == "F"), dep.lag))

    def csr(groups):
        ptr = np.zeros(len(groups) + 1, dtype=np.int64)
        np.cumsum([len(g) for g in groups], out=ptr[1:])
        flat = [x for g in groups for x in g]
        return (_readonly(ptr), _readonly(np.array([x[0] for x in flat], dtype=np.int64)),
                _readonly(np.array([x[1] for x in flat], dtype=np.int8)),
                _readonly(np.array([x[2] for x in flat], dtype=np.float64)))

    return Spans(_readonly(np.array([position_of[i] for i in order], dtype=np.int64)), *csr(starts), *csr(finishes))


def _csr(n: int, key: np.ndarray, *columns: np.ndarray):
    order = np.argsort(key, kind="stable")
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(key, minlength=n), out=ptr[1:])
    return (ptr,) + tuple(c[order] for c in columns)


def network(project: Project) -> Network:
    """The :class:`Network` of ``project`` (built once per project)."""
    return cached(project, "network", lambda: _build(project))


def _build(project: Project) -> Network:
    from ._kernels.cpm import topological_order

    tasks = project.tasks
    n = len(tasks)
    index = {t.id: i for i, t in enumerate(tasks)}
    # A level-of-effort task's links set its span and drive nothing: the network leaves them out.
    loe = {t.id for t in tasks if t.level_of_effort}
    if loe:
        kept = [k for k, d in enumerate(project.dependencies) if d.predecessor not in loe and d.successor not in loe]
        deps = [project.dependencies[k] for k in kept]
    else:  # every link (a pass over 20,000 links costs milliseconds)
        kept, deps = np.arange(len(project.dependencies), dtype=np.int64), project.dependencies
    m = len(deps)
    src = np.fromiter((index[d.predecessor] for d in deps), dtype=np.int64, count=m)
    dst = np.fromiter((index[d.successor] for d in deps), dtype=np.int64, count=m)
    kind = np.fromiter((LINK_CODE[d.type] for d in deps), dtype=np.int8, count=m)
    lag = np.fromiter((d.lag for d in deps), dtype=np.float64, count=m)

    succ_ptr0, succ_dst0 = _csr(n, src, dst)
    indegree = np.bincount(dst, minlength=n).astype(np.int64)
    order = topological_order(n, succ_ptr0, succ_dst0, indegree)
    # Project validation rejects cycles, so the order is complete.
    assert order.shape[0] == n, "cycle in a validated project"
    position_of = np.empty(n, dtype=np.int64)
    position_of[order] = np.arange(n)
    psrc, pdst = position_of[src], position_of[dst]

    link = np.arange(m, dtype=np.int64)
    pred_ptr, pred_idx, pred_type, pred_lag, pred_link = _csr(n, pdst, psrc, kind, lag, link)
    succ_ptr, succ_idx, succ_type, succ_lag, succ_link = _csr(n, psrc, pdst, kind, lag, link)
    # Read the tasks once in their own order, then permute: indexing a tuple with
    # numpy integers, one at a time, costs more than the reading itself.
    planned = np.fromiter((t.planned_duration for t in tasks), dtype=np.float64, count=n)[order]
    ids = tuple(tasks[i].id for i in order.tolist())
    return Network(
        ids=ids,
        position={tid: k for k, tid in enumerate(ids)},
        project_index=_readonly(order),
        planned=_readonly(planned),
        pred_ptr=_readonly(pred_ptr),
        pred_idx=_readonly(pred_idx),
        pred_type=_readonly(pred_type),
        pred_lag=_readonly(pred_lag),
        succ_ptr=_readonly(succ_ptr),
        succ_idx=_readonly(succ_idx),
        succ_type=_readonly(succ_type),
        succ_lag=_readonly(succ_lag),
        pred_link=_readonly(pred_link),
        succ_link=_readonly(succ_link),
        dependency=_readonly(np.array(kept, dtype=np.int64)),
        spans=_spans(tasks, project.dependencies, position_of) if loe else None,
    )
