"""Critical-chain scheduling and buffer management (Goldratt 1997; Leach, *Critical Chain Project Management*).

The alternative to a Monte Carlo contingency. Each task gets two durations: a **safe** one (the estimate
with its safety in it, by default its P90) and an **aggressive** one (the "50 % estimate", by default its
median). The plan schedules every task at its aggressive duration, resources counted (the longest chain of
dependent *or resource-sharing* tasks is the **critical chain**), and pools the safety cut from the tasks in
**buffers**: a **project buffer** after the last task of the critical chain, and a **feeding buffer** where a
chain of other tasks joins it (or joins the project's end), which shields the critical chain from their
delays. Buffer sizes, over the tasks of the chain protected, with Sᵢ the safe and Aᵢ the aggressive duration:

- ``"cut_and_paste"`` (Goldratt's cut and paste): half the safety cut, ½ Σ (Sᵢ − Aᵢ). With the classic
  halving (Aᵢ = Sᵢ / 2) this is 50 % of the chain's aggressive length, Leach's rule of thumb.
- ``"ssq"`` (the square root of the sum of squares, the root-square-error method of Newbold and Leach):
  √Σ (Sᵢ − Aᵢ)². Independent deviations partly cancel, so a long chain needs less than the sum.

A feeding chain's tasks are scheduled as late as their buffer allows; when the buffer is larger than the
chain's total float it does not fit, and ``shortfall`` says by how much (Leach: the critical chain is then
pushed, or the buffer accepted smaller).

During execution the buffers are the control: :meth:`CriticalChain.status` compares the forecast finish of
the chain (the aggressive plan with the progress at a status date) with its planned finish, as the share of
the project buffer consumed, against the share of the critical chain complete. The **fever chart**
(:func:`pmsim.plot.fever_chart`) plots one against the other: green, no action; yellow, plan a recovery;
red, act. The zones are the buffer's thirds by default (Goldratt, Leach), or sloped lines
(``yellow=(at 0 %, at 100 %)``, ``red=(...)``, as CCPM tools draw them), so that a buffer consumed early
warns sooner than the same consumption near the end.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .cpm import Schedule, cpm
from .distributions import Fixed
from .errors import ValidationError
from .levelling import level
from .model import Project, require_project

__all__ = ["critical_chain", "CriticalChain", "METHODS"]

METHODS = ("ssq", "cut_and_paste")
_EPS = 1e-9


def buffer_size(safe, aggressive, method: str = "ssq") -> float:
    """The buffer for one chain of tasks: safe and aggressive durations in chain order.

    >>> buffer_size([9, 6, 3], [6, 4, 2], "ssq")            # √(3² + 2² + 1²)
    3.7416573867739413
    >>> buffer_size([9, 6, 3], [6, 4, 2], "cut_and_paste")  # ½ (3 + 2 + 1)
    3.0
    """
    safety = np.asarray(safe, dtype=float) - np.asarray(aggressive, dtype=float)
    if method == "ssq":
        return float(math.sqrt(float(np.sum(safety ** 2))))
    if method == "cut_and_paste":
        return float(0.5 * np.sum(safety))
    raise ValidationError(f"critical_chain: method must be one of {', '.join(METHODS)}, got {method!r}")


def _durations(project: Project, value, what: str) -> dict:
    """Task id -> working days: a percentile of each estimate, or a mapping given for every task."""
    if isinstance(value, Mapping):
        known = set(project.task_ids)
        unknown = [k for k in value if k not in known]
        if unknown:
            raise ValidationError(f"critical_chain: {what} names task {unknown[0]!r}, which the project does not have")
        missing = [t for t in project.task_ids if t not in value]
        if missing:
            raise ValidationError(f"critical_chain: {what} has no duration for task {missing[0]!r} "
                                  f"(a mapping must give every task's)")
        out = {}
        for task_id, days in value.items():
            try:
                days = float(days)
            except (TypeError, ValueError):
                raise ValidationError(f"critical_chain: Task {task_id!r}: {what} duration {days!r} is not a number") \
                    from None
            if not math.isfinite(days) or days < 0:
                raise ValidationError(f"critical_chain: Task {task_id!r}: {what} duration {days!r} must be a "
                                      "finite number >= 0")
            out[task_id] = days
        return out
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 100:
        raise ValidationError(f"critical_chain: {what} must be a percentile strictly between 0 and 100 "
                              f"(or a mapping of task id to working days), got {value!r}")
    return {t.id: float(np.asarray(t.estimate.ppf(value / 100.0))) for t in project.tasks}


def _zone_line(value, what: str) -> tuple[float, float]:
    try:
        start, end = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValidationError(f"critical_chain: {what} must be a pair (share of the buffer at 0 % and at 100 % "
                              f"of the chain complete), got {value!r}") from None
    if not (0 <= start <= 1.5 and 0 <= end <= 1.5):
        raise ValidationError(f"critical_chain: {what} shares must lie in [0, 1.5], got {value!r}")
    return start, end


def _topological(nodes: list, preds: Mapping) -> list:
    """``nodes`` (given in start order) in an order where every task comes after its predecessors among them."""
    rank = {n: k for k, n in enumerate(nodes)}
    waiting = {n: sum(1 for p in preds.get(n, ()) if p in rank) for n in nodes}
    after: dict = {n: [] for n in nodes}
    for n in nodes:
        for p in preds.get(n, ()):
            if p in rank:
                after[p].append(n)
    ready = [(rank[n], n) for n in nodes if waiting[n] == 0]
    heapq.heapify(ready)
    out = []
    while ready:
        _, n = heapq.heappop(ready)
        out.append(n)
        for s in after[n]:
            waiting[s] -= 1
            if waiting[s] == 0:
                heapq.heappush(ready, (rank[s], s))
    return out


def _best_path(nodes: list, preds: Mapping, length: Mapping, weight: Mapping, end=None) -> list:
    """The path through ``nodes`` (in start order) that is longest, then carries the most safety; ending at ``end``
    when given."""
    best, back = {}, {}
    for node in _topological(nodes, preds):
        top, via = (0.0, 0.0), None
        for p in preds.get(node, ()):
            if p in best and (via is None or best[p] > top):
                top, via = best[p], p
        best[node] = (top[0] + length[node], top[1] + weight[node])
        back[node] = via
    if end is None:     # of equals the latest in start order, so a chain runs on through zero-length milestones
        position = {n: k for k, n in enumerate(nodes)}
        end = max(nodes, key=lambda n: (best[n], position[n]))
    path = [end]
    while back[path[-1]] is not None:
        path.append(back[path[-1]])
    return path[::-1]


@dataclass(frozen=True)
class CriticalChain:
    """A critical-chain plan: the chain, its buffers, the promised finish, and buffer management.

    Attributes
    ----------
    chain : list
        The critical chain's task ids in order.
    method : str
        ``"ssq"`` or ``"cut_and_paste"``.
    project_buffer : float
        Working days.
    chain_finish : float
        Working days from the start to the chain's end, every task at its aggressive duration.
    promise : float
        ``chain_finish + project_buffer``: the committed duration.
    finish_date : datetime.date
        The committed date (the last working day of ``promise``).
    tasks : DataFrame
        By task id: ``name``, ``safe``, ``aggressive``, ``safety`` (the difference), ``on_chain``, ``buffer``
        (the buffer that protects it: ``"PB"`` on the chain, else the feeding buffer of the chain it is on
        or feeds into, ``"FB:<id>"``), the aggressive ``start``, ``finish`` and ``total_float``.
    buffers : DataFrame
        One row per buffer (``"PB"`` first, then ``"FB:<last task of the feeding chain>"``): ``kind``
        (project, feeding), ``tasks`` (the chain it protects), ``joins`` (the chain task it feeds, or
        ``"finish"``), ``chain_length`` (Σ aggressive), ``safety`` (Σ safe − aggressive), ``size``,
        ``float`` (a feeding chain's total float), ``shortfall`` (size beyond that float).
    schedule : Schedule
        The aggressive schedule (levelled when ``levelled``).
    project : Project
        The project with every task's estimate fixed at its aggressive duration.
    yellow, red : tuple of float
        The fever chart's zone lines: share of the project buffer at 0 % and at 100 % of the chain complete.
    """

    chain: list
    method: str
    project_buffer: float
    chain_finish: float
    promise: float
    finish_date: dt.date
    levelled: bool
    tasks: pd.DataFrame = field(repr=False)
    buffers: pd.DataFrame = field(repr=False)
    schedule: Schedule = field(repr=False)
    project: Project = field(repr=False)
    yellow: tuple = (1 / 3, 1 / 3)
    red: tuple = (2 / 3, 2 / 3)

    def summary(self) -> pd.DataFrame:
        """The headline numbers: chain, buffers, promise."""
        feeding = self.buffers[self.buffers["kind"] == "feeding"]
        rows = {"method": self.method, "critical chain": " → ".join(map(str, self.chain)),
                "chain finish (working days)": self.chain_finish, "project buffer (working days)": self.project_buffer,
                "promise (working days)": self.promise, "promised finish": self.finish_date,
                "feeding buffers": len(feeding),
                "feeding buffers that do not fit": int((feeding["shortfall"] > _EPS).sum())}
        return pd.DataFrame({"value": pd.Series(rows, dtype=object)})

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def zone(self, chain_complete: float, buffer_consumed: float) -> str:
        """``"green"``, ``"yellow"`` or ``"red"`` for a point of the fever chart (shares, not percentages)."""
        x = min(max(float(chain_complete), 0.0), 1.0)
        if buffer_consumed >= self.red[0] + (self.red[1] - self.red[0]) * x:
            return "red"
        if buffer_consumed >= self.yellow[0] + (self.yellow[1] - self.yellow[0]) * x:
            return "yellow"
        return "green"

    def status(self, progress, status_date=None) -> pd.Series:
        """Buffer consumption at a status date: one point of the fever chart.

        ``progress``: a progress table as for :meth:`pmsim.Project.with_progress`, or its rows as a list of
        mappings (an empty list: nothing started) (give the
        ``remaining_duration`` of tasks under way: critical chain asks for the work left, not the share
        done). The aggressive plan with that progress is scheduled again (levelled if the plan was); its
        finish against the planned chain finish is the buffer consumed.

        Returns a Series: ``status_date``; ``chain_complete`` (Σ over the chain of aggressive duration ×
        share done, over the chain's aggressive length; a task is done when it has an actual finish, else
        its share is 1 − remaining / aggressive, else its percent complete); ``forecast_finish`` (working
        days) and ``forecast_date``; ``buffer_consumed`` ((forecast − chain finish) / project buffer, a
        share: negative when the chain runs early); ``buffer_left`` (working days); ``zone``;
        ``feeding_consumed``, the largest share of a feeding buffer consumed among the feeding chains not
        yet finished, and ``feeding_buffer``, its name (NaN and "" when there is none). A feeding chain
        planned as late as its buffer allows keeps min(float, buffer) of total float; the share consumed
        is (that − its total float in the forecast schedule) / buffer: 1 when no float is left and it
        starts to delay what it joins.
        """
        if self.project_buffer <= _EPS:
            raise ValidationError("critical chain status: the project buffer is 0 (no task has safety between its "
                                  "safe and aggressive duration), so there is no buffer to consume")
        now = self.project.with_progress(progress, status_date)
        sched = level(now) if self.levelled else cpm(now)
        forecast = float(sched.makespan)
        aggressive = self.tasks["aggressive"]
        done = 0.0
        for task_id in self.chain:
            task, days = now.task(task_id), float(aggressive[task_id])
            if task.actual_finish is not None:
                share = 1.0
            elif task.remaining_duration is not None:
                share = 1.0 - task.remaining_duration / days if days > _EPS else float(task.actual_start is not None)
            elif task.percent_complete is not None:
                share = task.percent_complete / 100.0
            else:
                share = 0.0
            done += days * min(max(share, 0.0), 1.0)
        length = float(aggressive[self.chain].sum())
        complete = done / length if length > _EPS else 1.0
        consumed = (forecast - self.chain_finish) / self.project_buffer
        worst, worst_name = math.nan, ""
        for name, row in self.buffers[self.buffers["kind"] == "feeding"].iterrows():
            end = name[3:]
            if row["size"] <= _EPS or now.task(end).actual_finish is not None:
                continue                   # no buffer, or its chain is done: nothing left to protect
            used = (min(row["float"], row["size"]) - float(sched.table.loc[end, "total_float"])) / row["size"]
            if not used <= worst:
                worst, worst_name = used, name
        start = self.project.start
        return pd.Series({"status_date": now.status_date, "chain_complete": complete, "forecast_finish": forecast,
                          "forecast_date": self.project.calendar.finish_date(start, forecast),
                          "buffer_consumed": consumed,
                          "buffer_left": self.project_buffer - (forecast - self.chain_finish),
                          "zone": self.zone(complete, consumed), "feeding_consumed": worst,
                          "feeding_buffer": worst_name}, dtype=object)

    def fever(self, statuses) -> pd.DataFrame:
        """The fever chart's table: :meth:`status` at each status date, one row each, in date order.

        ``statuses``: a mapping of status date to progress table, or pairs (status date, progress table).
        ``attrs`` carry the zone lines and the chain for :func:`pmsim.plot.fever_chart`.
        """
        pairs = list(statuses.items()) if isinstance(statuses, Mapping) else list(statuses)
        if not pairs:
            raise ValidationError("critical chain fever: no status dates given")
        rows = [self.status(progress, date) for date, progress in pairs]
        table = pd.DataFrame(rows).set_index("status_date").sort_index()
        for column in ("chain_complete", "forecast_finish", "buffer_consumed", "buffer_left", "feeding_consumed"):
            table[column] = table[column].astype(float)
        table.attrs.update(yellow=self.yellow, red=self.red, project=self.project.name, method=self.method,
                           project_buffer=self.project_buffer)
        return table


def critical_chain(project: Project, *, method: str = "ssq", safe=90, aggressive=50, levelled: bool | None = None,
                   yellow=(1 / 3, 1 / 3), red=(2 / 3, 2 / 3)) -> CriticalChain:
    """The critical chain of ``project``, its project and feeding buffers, and the promised finish.

    Parameters
    ----------
    project : Project
        A plan (no progress: buffers are sized before the work starts).
    method : {"ssq", "cut_and_paste"}
        Buffer sizing: √Σ (Sᵢ − Aᵢ)², or ½ Σ (Sᵢ − Aᵢ), over the tasks of the chain protected.
    safe, aggressive : float or mapping
        Each task's safe and aggressive duration: a percentile of its estimate (default P90 and P50), or a
        mapping of every task id to working days.
    levelled : bool, optional
        Schedule the aggressive plan with :func:`pmsim.level`, so the chain counts resource contention
        (tasks in sequence because they share a resource). Default: when any task demands a resource.
    yellow, red : pair of float
        The fever chart's zone lines, as shares of the project buffer at 0 % and at 100 % of the chain
        complete; default the thirds (1/3 and 2/3 throughout).

    Returns
    -------
    CriticalChain

    Raises
    ------
    ValidationError
        Unknown method; a percentile outside (0, 100); a mapping that misses or adds a task; a safe
        duration below the aggressive one; a project with progress; zone lines out of order.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", duration=4), pm.Task("B", duration=6), pm.Task("C", duration=2)],
    ...     dependencies=[pm.Dependency("A", "B"), pm.Dependency("C", "B")])
    >>> cc = pm.critical_chain(p, safe={"A": 6, "B": 10, "C": 3}, aggressive={"A": 4, "B": 6, "C": 2})
    >>> cc.chain, round(cc.project_buffer, 4)      # √(2² + 4²)
    (['A', 'B'], 4.4721)
    >>> fb = cc.buffers.loc["FB:C"]                # C's safety 1; C has 2 days of float
    >>> fb["joins"], float(fb["size"]), float(fb["float"])
    ('B', 1.0, 2.0)
    """
    project = require_project(project, "critical_chain")
    if method not in METHODS:
        raise ValidationError(f"critical_chain: method must be one of {', '.join(METHODS)}, got {method!r}")
    if project.status_date is not None:
        raise ValidationError("critical_chain sizes buffers on a plan; this project has progress (status date "
                              f"{project.status_date}): pass project.without_progress(), then follow the work "
                              "with CriticalChain.status(progress, status_date)")
    yellow, red = _zone_line(yellow, "yellow"), _zone_line(red, "red")
    if red[0] < yellow[0] or red[1] < yellow[1]:
        raise ValidationError(f"critical_chain: the red line {red} must lie on or above the yellow line {yellow}")
    safe_days, short = _durations(project, safe, "safe"), _durations(project, aggressive, "aggressive")
    for task_id in project.task_ids:
        if safe_days[task_id] < short[task_id] - _EPS:
            raise ValidationError(f"critical_chain: Task {task_id!r}: its safe duration {safe_days[task_id]:g} is "
                                  f"shorter than its aggressive duration {short[task_id]:g}")
    plan = project.replace(tasks=tuple(t.replace(estimate=Fixed(short[t.id])) for t in project.tasks))
    if levelled is None:
        levelled = bool(project.resources) and any(t.resources for t in project.tasks)
    sched = level(plan) if levelled else cpm(plan)
    table = sched.table
    order = list(table.sort_values(["start", "finish"], kind="stable").index)
    safety = {t: max(safe_days[t] - short[t], 0.0) for t in order}
    weight = {t: (safety[t] ** 2 if method == "ssq" else safety[t]) for t in order}
    critical = {t for t in order if bool(table.loc[t, "critical"])}
    preds: dict = {t: [] for t in order}
    succs: dict = {t: [] for t in order}
    for dep in project.dependencies:
        preds[dep.successor].append(dep.predecessor)
        succs[dep.predecessor].append(dep.successor)
    chain_preds = {t: [p for p in preds[t] if p in critical] for t in order}
    if levelled:      # resource links: a critical task that starts as another one sharing a resource finishes
        uses = {t.id: set(t.resources) for t in plan.tasks}
        starting: dict = {}
        for j in critical:
            starting.setdefault(round(float(table.at[j, "start"]), 6), []).append(j)
        for i in critical:
            for j in starting.get(round(float(table.at[i, "finish"]), 6), ()):
                if i != j and uses[i] & uses[j] and i not in chain_preds[j]:
                    chain_preds[j].append(i)
    nodes = [t for t in order if t in critical]
    chain = _best_path(nodes, chain_preds, short, weight) if nodes else []
    on_chain = set(chain)
    buffer_of = {t: "PB" for t in chain}
    rows = [("PB", "project", tuple(chain), "finish", [safe_days[t] for t in chain], [short[t] for t in chain],
             math.nan)]
    others = [t for t in order if t not in on_chain]
    rank = {t: k for k, t in enumerate(order)}
    feeding_preds = {t: [p for p in preds[t] if p not in on_chain] for t in others}
    for end in others:
        joins = sorted((s for s in succs[end] if s in on_chain), key=rank.__getitem__)
        if not joins and succs[end]:
            continue                       # it feeds only tasks off the chain: not the end of a feeding chain
        ancestors = _ancestors(end, feeding_preds)
        path = _best_path([t for t in others if t == end or t in ancestors], feeding_preds, short, weight, end=end)
        name = f"FB:{end}"
        for t in path:
            buffer_of.setdefault(t, name)
        rows.append((name, "feeding", tuple(path), joins[0] if joins else "finish",
                     [safe_days[t] for t in path], [short[t] for t in path], float(table.loc[end, "total_float"])))
    for t in reversed(_topological(others, feeding_preds)):    # off the longest feeding path: the buffer downstream
        if t not in buffer_of:
            below = [buffer_of[s] for s in succs[t] if s in buffer_of and s not in on_chain]
            if below:
                buffer_of[t] = below[0]
    records = []
    for name, kind, tasks, joins, s, a, slack in rows:
        size = buffer_size(s, a, method) if tasks else 0.0
        records.append({"buffer": name, "kind": kind, "tasks": tasks, "joins": joins, "chain_length": float(sum(a)),
                        "safety": float(sum(s) - sum(a)), "size": size, "float": slack,
                        "shortfall": 0.0 if kind == "project" else max(0.0, size - slack)})
    buffers = pd.DataFrame(records).set_index("buffer")
    tasks = pd.DataFrame({"name": [project.task(t).name for t in order],
                          "safe": [safe_days[t] for t in order], "aggressive": [short[t] for t in order],
                          "safety": [safe_days[t] - short[t] for t in order],
                          "on_chain": [t in on_chain for t in order],
                          "buffer": [buffer_of.get(t, "") for t in order],
                          "start": table.loc[order, "start"].to_numpy(float),
                          "finish": table.loc[order, "finish"].to_numpy(float),
                          "total_float": table.loc[order, "total_float"].to_numpy(float)},
                         index=pd.Index(order, name="id"))
    project_buffer = float(buffers.loc["PB", "size"])
    chain_finish = float(sched.makespan)
    promise = chain_finish + project_buffer
    return CriticalChain(chain=chain, method=method, project_buffer=project_buffer, chain_finish=chain_finish,
                         promise=promise, finish_date=project.calendar.finish_date(project.start, promise),
                         levelled=bool(levelled), tasks=tasks, buffers=buffers, schedule=sched, project=plan,
                         yellow=yellow, red=red)


def _ancestors(task_id, preds: Mapping) -> set:
    seen, stack = set(), [task_id]
    while stack:
        for p in preds.get(stack.pop(), ()):
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return seen
