"""What the schedule reads of each task, read once per project and kept with it.

The passes' inputs (:func:`pmsim.timeline.schedule_inputs`), the timeline and
the CPM table ask every task the same questions on every call; on a
10,000-task project reading them from the Task objects took longer than the
compiled passes themselves. The answers depend on the project alone (it is
immutable), so they are read once and kept with it, as its network is.
Arrays are in topological task order (:mod:`pmsim.network`) and read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter

import numpy as np

from ._cache import cached
from ._kernels.links import FF, SF
from .model import Project
from .network import network

__all__ = ["TaskFacts", "task_facts", "dated_inputs", "one_calendar", "table_head"]


def _readonly(a) -> np.ndarray:
    a = np.asarray(a)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class TaskFacts:
    """Per task, in topological order (see the module notes)."""

    dated: np.ndarray  # positions of the tasks with a constraint date, deadline, summary finish, manual start or progress
    dated_tasks: tuple  # those tasks (Task objects), in the same order
    split: np.ndarray  # positions of the split tasks
    split_tasks: tuple
    own_calendar: np.ndarray  # has a calendar of its own (Task.calendar)
    start_milestone: np.ndarray
    finished: np.ndarray  # has an actual finish
    alap: np.ndarray  # as late as possible (primary or secondary constraint)
    held_by_start: np.ndarray  # by MS Project's rule the project start holds it back (see schedule_inputs)


# What is read of each task, in one pass over the tasks in their own order (each pass over 10,000 Task objects
# costs milliseconds). The dates are the seven after the sixth, in the order dated_inputs gives them.
_FIELDS = ("calendar", "milestone", "constraint", "secondary_constraint", "levelling_delay", "splits",
           "constraint_date", "secondary_constraint_date", "deadline", "actual_start", "actual_finish",
           "manual_start", "summary_finish", "id", "name", "phase")
_READ = attrgetter(*_FIELDS)


def _columns(project: Project) -> dict:
    """Each of ``_FIELDS`` over the tasks, in project order (kept with the project)."""

    def build() -> dict:
        columns = tuple(zip(*map(_READ, project.tasks))) or ((),) * len(_FIELDS)
        return dict(zip(_FIELDS, columns))

    return cached(project, "task columns", build)


def _build(project: Project) -> TaskFacts:
    net = network(project)
    order = net.project_index
    col = _columns(project)
    tasks = project.tasks

    def flags(values) -> np.ndarray:  # list comprehensions: a function call per task would cost more
        return np.array(values, dtype=bool)[order]

    dated = flags([a is not None or b is not None or c is not None or d is not None or e is not None or f is not None
                   for a, b, c, d, e, f in zip(col["constraint_date"], col["secondary_constraint_date"],
                                               col["deadline"], col["summary_finish"], col["manual_start"],
                                               col["actual_start"])])
    dated = np.flatnonzero(dated)
    split = np.flatnonzero(flags([bool(x) for x in col["splits"]]))
    n = net.n
    # MS Project: the project start holds back a task without predecessors (unless its start or finish no
    # earlier than date puts it elsewhere) and one with a finish link (FF, SF); its predecessors alone decide
    # the others.
    succ_of = np.repeat(np.arange(n), np.diff(net.pred_ptr))
    finish_links = np.bincount(succ_of[(net.pred_type == FF) | (net.pred_type == SF)], minlength=n) > 0
    no_links = np.diff(net.pred_ptr) == 0
    dated_floor = flags([c == "SNET" or c == "FNET" for c in col["constraint"]])
    return TaskFacts(
        dated=_readonly(dated), dated_tasks=tuple(tasks[i] for i in order[dated].tolist()),
        split=_readonly(split), split_tasks=tuple(tasks[i] for i in order[split].tolist()),
        own_calendar=_readonly(flags([c is not None for c in col["calendar"]])),
        start_milestone=_readonly(flags([m == "start" for m in col["milestone"]])),
        finished=_readonly(flags([f is not None for f in col["actual_finish"]])),
        alap=_readonly(flags([a == "ALAP" or b == "ALAP" for a, b in zip(col["constraint"],
                                                                         col["secondary_constraint"])])),
        held_by_start=_readonly((no_links & ~dated_floor) | finish_links),
    )


def task_facts(project: Project) -> TaskFacts:
    """The :class:`TaskFacts` of ``project`` (read once, kept with it)."""
    return cached(project, "task facts", lambda: _build(project))


def dated_inputs(project: Project) -> tuple:
    """Every date the schedule is tied to: constraints, deadlines, actuals, manual starts, the status date,
    must-finish-by (task by task; read once, kept with the project)."""

    def build() -> tuple:
        col = _columns(project)
        rows = zip(*(col[name] for name in _FIELDS[6:13]))
        out = [m for row in rows for m in row if m is not None]
        out += [m for m in (project.status_date, project.must_finish_by) if m is not None]
        return tuple(out)

    return cached(project, "dated inputs", build)


def one_calendar(project: Project) -> bool:
    """Do every task and every lag of ``project`` plainly work on the project calendar? No calendar on any task,
    resource or link, no lag counted round the clock, no levelling delay, no manual start. A quick test that
    is sufficient, not necessary: the timeline tells the other one-calendar projects apart the long way."""
    if any(r.calendar is not None for r in project.resources):
        return False
    col = _columns(project)
    if any(c is not None for c in col["calendar"]) or any(col["levelling_delay"]) or any(
            m is not None for m in col["manual_start"]):
        return False
    round_the_clock = project.lag_calendar not in ("successor", "predecessor", "project")
    return not any(d.lag_calendar is not None or (round_the_clock and d.lag) for d in project.dependencies)


def table_head(project: Project) -> dict:
    """The first columns of a schedule's table and its index, in project order: ``name``, ``phase``,
    ``milestone`` and ``id`` (fresh lists and arrays: the table may be changed)."""
    col = _columns(project)
    milestone = cached(project, "milestone column", lambda: np.array(list(col["milestone"]), dtype=bool))
    return {"name": list(col["name"]), "phase": list(col["phase"]), "milestone": milestone.copy(),
            "id": list(col["id"])}
