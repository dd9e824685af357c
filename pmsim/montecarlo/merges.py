"""Merge bias per merge point: how much later a task with several predecessors starts than their dates say.

Where paths merge, a task starts at the *latest* of its predecessors' dates;
the mean of a maximum is above the maximum of the means (Jensen), so a
deterministic schedule built on expected durations is late-blind at every
merge point. :func:`merge_bias` measures it per merge point from a
simulation's own task dates (regenerated from the seed, chunk by chunk).

For each task with two or more predecessors:

- ``predecessor_date``: the latest, over its links, of the *mean* date that
  link imposes on the task's start (FS: the predecessor's finish plus the
  lag; SS: its start plus the lag; FF and SF: the same less the task's own
  duration in that iteration), working days from the project start; and
  ``latest_predecessor``, the predecessor of that link;
- ``expected_start``: the task's mean simulated start;
- ``merge_bias``: ``expected_start - predecessor_date``, the days the merge
  itself adds on average, E[max] - max E (0 when one predecessor always
  drives; a constraint or the data date that holds the task later adds to it);
- ``pert_start``: the start in the deterministic schedule with every task at
  its expected duration (classic PERT: no risks, no correlation), and
  ``vs_pert``: ``expected_start - pert_start``, everything the PERT date
  misses up to this task (merge bias upstream and here, and risks).

Lags are added in working days of the project calendar (the task dates of a
simulation), which is exact on one calendar.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._kernels.links import FF, FS, SF, SS
from ..cpm import cpm
from ..errors import ValidationError

__all__ = ["MERGE_COLUMNS", "merge_bias"]

MERGE_COLUMNS = ("name", "predecessors", "latest_predecessor", "predecessor_date", "expected_start", "merge_bias",
                 "pert_start", "vs_pert")
_TYPES = {"FS": FS, "SS": SS, "FF": FF, "SF": SF}


def merge_bias(sim, chunk_size: int = 4096) -> pd.DataFrame:
    """Per merge point of ``sim`` (a :class:`~pmsim.Simulation`): the columns of the module docstring, by task
    id, largest ``merge_bias`` first."""
    project = sim.project
    pos = {tid: k for k, tid in enumerate(project.task_ids)}
    into: dict[str, list] = {}
    for dep in project.dependencies:
        into.setdefault(dep.successor, []).append(dep)
    merges = [tid for tid in project.task_ids if len(into.get(tid, ())) >= 2]
    if not merges:
        return pd.DataFrame(columns=list(MERGE_COLUMNS), index=pd.Index([], name="id"))
    links = [d for tid in merges for d in into[tid]]
    pred = np.array([pos[d.predecessor] for d in links], dtype=np.int64)
    succ = np.array([pos[d.successor] for d in links], dtype=np.int64)
    kind = np.array([_TYPES.get(d.type, FS) for d in links])
    lag = np.array([d.lag for d in links], dtype=np.float64)
    from_finish = (kind == FS) | (kind == FF)
    less_duration = (kind == FF) | (kind == SF)
    merge_pos = np.array([pos[t] for t in merges], dtype=np.int64)
    link_sum = np.zeros(len(links))
    start_sum = np.zeros(len(merges))
    for _, start, finish in sim.iter_task_dates(chunk_size):
        date = np.where(from_finish, finish[:, pred], start[:, pred]) + lag
        date -= np.where(less_duration, finish[:, succ] - start[:, succ], 0.0)
        link_sum += date.sum(axis=0)
        start_sum += start[:, merge_pos].sum(axis=0)
    m = sim.iterations
    link_mean = link_sum / m
    pert = _pert_starts(project)
    rows = []
    k = 0
    for j, tid in enumerate(merges):
        count = len(into[tid])
        means = link_mean[k:k + count]
        latest = int(np.argmax(means))
        expected = start_sum[j] / m
        rows.append({
            "name": project.task(tid).name, "predecessors": count,
            "latest_predecessor": into[tid][latest].predecessor, "predecessor_date": float(means[latest]),
            "expected_start": float(expected), "merge_bias": float(expected - means[latest]),
            "pert_start": float(pert[tid]), "vs_pert": float(expected - pert[tid]),
        })
        k += count
    table = pd.DataFrame(rows, columns=list(MERGE_COLUMNS), index=pd.Index(merges, name="id"))
    return table.sort_values("merge_bias", ascending=False, kind="stable")


def _pert_starts(project) -> pd.Series:
    """Each task's early start with every task at its expected duration (working days)."""
    try:
        schedule = cpm(project, durations={t.id: t.estimate.mean for t in project.tasks})
    except ValidationError as exc:  # pragma: no cover - the simulation ran, so its schedule exists
        raise ValidationError(f"merge_bias: the PERT schedule of {project.name!r} failed: {exc}") from exc
    return schedule.table["early_start"]
