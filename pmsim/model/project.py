"""The Project: tasks, dependencies, resources, risks, calendar and settings.

Building one validates the parts together (unique ids, known references, no
dependency cycle); edits (``project.replace(...)``, ``project.with_task(...)``)
return a new, validated Project. :func:`project_from_frames` builds one from
tables; :meth:`Project.to_frames` writes it back.

>>> import pmsim as pm
>>> p = pm.Project(
...     name="demo", start="2027-01-04",
...     tasks=[pm.Task("A", duration=3), pm.Task("B", duration=2)],
...     dependencies=[pm.Dependency("A", "B")],
... )
>>> [t.id for t in p.tasks], p.dependencies[0].type
(['A', 'B'], 'FS')
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace as _dc_replace

from .._cache import cached, uncached_state
from ..calendar import Calendar, as_date
from ..errors import CycleError, DuplicateIdError, PmsimError, UnknownReferenceError, ValidationError
from ..safe_text import currency_code
from .entities import Dependency, Resource, Risk, Task, _moment, valid_escalation, valid_number
from .baselines import Baseline, check_baselines, default_schedule
from .checks import check_branches, check_level_of_effort, find_cycle, start_time
from .progress import apply_progress, clear_progress, progress_table
from .frames import project_to_frames
from .tables import project_parts, table_labels

__all__ = ["Project", "project_from_frames", "build_project", "require_project", "LAG_CALENDARS", "TOTAL_FLOAT",
           "PROGRESS_RULES"]

# Which calendar a link's lag counts working time on (P6's option; MS Project uses the successor's).
LAG_CALENDARS = ("successor", "predecessor", "project", "24h")
# Total float from the start dates, the finish dates, or the smaller of the two (P6: start, finish, smallest).
TOTAL_FLOAT = ("start", "finish", "smallest")
# How progressed work is scheduled (docs/time-model.md): P6's retained logic and progress override, and
# MS Project's way (work continues from its actual start; the status date holds nothing back).
PROGRESS_RULES = ("retained_logic", "progress_override", "ms_project")


def _unique(kind: str, items) -> dict:
    out = {}
    for item in items:
        if item.id in out:
            raise DuplicateIdError(f"{kind} id {item.id!r} appears twice; ids must be unique")
        out[item.id] = item
    return out


def _after(moment, status) -> bool:
    """Is a progress moment after the status date (a date alone: the whole day counts as done)?"""
    if isinstance(moment, dt.datetime) and isinstance(status, dt.datetime):
        return moment > status
    return as_date("date", moment) > as_date("date", status)


@dataclass(frozen=True)
class Project:
    """A project: tasks, dependencies, resources, risks, calendar and settings.

    Built directly, from pandas frames (:meth:`from_frames`) or read from
    files (:func:`pmsim.read_project`). Validation names the culprit and the
    rule: a dependency cycle lists the cycle, an unknown id names who refers
    to it.

    >>> Project(name="x", start="2027-01-04", tasks=[Task("A", duration=1), Task("B", duration=1)],
    ...         dependencies=[Dependency("A", "B"), Dependency("B", "A")])
    Traceback (most recent call last):
    ...
    pmsim.errors.CycleError: the dependencies form a cycle: A -> B -> A
    """

    name: str
    start: dt.date
    tasks: tuple[Task, ...]
    dependencies: tuple[Dependency, ...] = ()
    resources: tuple[Resource, ...] = ()
    risks: tuple[Risk, ...] = ()
    calendar: Calendar = field(default_factory=Calendar)
    currency: str = "USD"
    budget: float | None = None
    deadline: dt.date | None = None
    description: str = ""
    calendars: tuple[Calendar, ...] = ()
    status_date: dt.date | dt.datetime | None = None
    must_finish_by: dt.date | dt.datetime | None = None
    lag_calendar: str = "successor"
    total_float: str = "start"
    progress_rule: str = "retained_logic"
    honor_constraints: bool = True
    start_time: dt.time | None = None
    cost_per_day: float = 0.0  # the time-dependent project cost, paid for every working day until the finish
    escalation: float = 0.0  # cost escalation, percent per year, compounding from escalation_date
    escalation_date: dt.date | None = None  # the base date of escalation (None: the start)
    baselines: tuple[Baseline, ...] = ()

    def __post_init__(self):
        set_ = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731
        set_("name", str(self.name).strip() or "project")
        if self.start is None or (isinstance(self.start, str) and not self.start.strip()):
            raise ValidationError(f"Project {self.name!r}: a start date is required")
        start = _moment(f"Project {self.name!r}: start", self.start)
        set_("start", as_date(f"Project {self.name!r}: start", start))
        set_("start_time", start_time(f"Project {self.name!r}", start, self.start_time))
        for name in ("tasks", "dependencies", "resources", "risks"):
            set_(name, tuple(getattr(self, name)))
        if not self.tasks:
            raise ValidationError(f"Project {self.name!r} has no tasks; a project needs at least one task")
        for name, cls in (("tasks", Task), ("dependencies", Dependency), ("resources", Resource), ("risks", Risk)):
            for item in getattr(self, name):
                if not isinstance(item, cls):
                    raise ValidationError(f"Project.{name} must hold {cls.__name__} objects, got {type(item).__name__}")
        if not isinstance(self.calendar, Calendar):
            raise ValidationError("Project.calendar must be a Calendar")
        set_("currency", currency_code(self.currency or "USD", f"Project {self.name!r}: currency"))
        budget = self.budget
        set_("budget", None if budget is None or (isinstance(budget, float) and math.isnan(budget))
             else valid_number(f"Project {self.name!r}", "budget", budget, minimum=0))
        if self.deadline is not None and not (isinstance(self.deadline, str) and not self.deadline.strip()):
            deadline = as_date(f"Project {self.name!r}: deadline", self.deadline)
            if deadline < self.start:
                raise ValidationError(
                    f"Project {self.name!r}: deadline {deadline} is before the start {self.start}"
                )
            set_("deadline", deadline)
        else:
            set_("deadline", None)
        set_("description", str(self.description or ""))
        self._check_schedule_settings()
        self._validate_references()
        self._validate_calendars()
        set_("baselines", check_baselines(self.name, self.baselines, self.task_ids))

    def _check_schedule_settings(self) -> None:
        set_ = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731
        who = f"Project {self.name!r}"
        for name, allowed in (("lag_calendar", LAG_CALENDARS), ("total_float", TOTAL_FLOAT),
                              ("progress_rule", PROGRESS_RULES)):
            value = str(getattr(self, name)).strip().lower()
            if value not in allowed:
                raise ValidationError(f"{who}: {name} must be one of {', '.join(allowed)}, got {getattr(self, name)!r}")
            set_(name, value)
        for name in ("status_date", "must_finish_by"):
            moment = _moment(f"{who}: {name}", getattr(self, name))
            if moment is not None and as_date(name, moment) < self.start:
                what = "the data date" if name == "status_date" else "must_finish_by"
                raise ValidationError(f"{who}: {name} {moment} ({what}) is before the start {self.start}")
            set_(name, moment)
        set_("calendars", tuple(self.calendars))
        set_("honor_constraints", bool(self.honor_constraints))
        set_("cost_per_day", valid_number(who, "cost_per_day", 0.0 if self.cost_per_day is None else self.cost_per_day,
                                          minimum=0))
        set_("escalation", 0.0 if self.escalation is None else valid_escalation(who, self.escalation))
        if self.escalation_date is not None:
            base = as_date(f"{who}: escalation_date", _moment(f"{who}: escalation_date", self.escalation_date))
            if base < self.start:
                raise ValidationError(f"{who}: escalation_date {base} is before the start {self.start} (escalation "
                                      "compounds from a date within the project)")
            set_("escalation_date", base)

    def _validate_calendars(self) -> None:
        who = f"Project {self.name!r}"
        ids = {}
        for cal in self.calendars:
            if not isinstance(cal, Calendar):
                raise ValidationError(f"{who}: calendars must hold Calendar objects, got {type(cal).__name__}")
            if not cal.id:
                raise ValidationError(f"{who}: every calendar in calendars needs an id (tasks and resources name it)")
            if cal.id in ids and ids[cal.id] != cal:
                raise DuplicateIdError(f"Calendar id {cal.id!r} appears twice; ids must be unique")
            ids[cal.id] = cal
        if self.calendar.id and self.calendar.id in ids and ids[self.calendar.id] != self.calendar:
            raise DuplicateIdError(f"Calendar id {self.calendar.id!r} names both the project calendar and another")
        known = set(ids) | ({self.calendar.id} if self.calendar.id else set())
        for kind, items in (("Task", self.tasks), ("Resource", self.resources)):
            for item in items:
                if item.calendar is not None and item.calendar not in known:
                    raise UnknownReferenceError(f"{kind} {item.id!r} works on unknown calendar {item.calendar!r}")
        for task in (t for t in self.tasks if t.levelling_delay_calendar not in (None, *known)):
            raise UnknownReferenceError(f"Task {task.id!r} counts its levelling delay on unknown calendar "
                                        f"{task.levelling_delay_calendar!r}")
        for dep in self.dependencies:
            if dep.lag_calendar is not None and dep.lag_calendar not in known:
                raise UnknownReferenceError(
                    f"Dependency {dep.predecessor!r} -> {dep.successor!r} counts its lag on unknown calendar "
                    f"{dep.lag_calendar!r}")
        progressed = [t.id for t in self.tasks if t.actual_start is not None]
        if progressed and self.status_date is None and self.progress_rule != "ms_project":
            raise ValidationError(
                f"{who}: tasks {', '.join(progressed[:5])} have progress but the project has no status_date "
                "(the data date their remaining work is scheduled from)")
        for task in self.tasks:
            if task.constraint in ("MSO", "MFO") and as_date("date", task.constraint_date) < self.start:
                raise ValidationError(
                    f"Task {task.id!r}: constraint {task.constraint} on {task.constraint_date} is before the "
                    f"project start {self.start}; no schedule can meet it")
            for moment, name in ((task.actual_start, "actual_start"), (task.actual_finish, "actual_finish")):
                if moment is not None and self.status_date is not None and _after(moment, self.status_date):
                    raise ValidationError(f"Task {task.id!r}: {name} {moment} is after the status date {self.status_date}")

    def calendar_named(self, calendar_id: str | None) -> Calendar:
        """The calendar with this id (None: the project calendar)."""
        if calendar_id is None or calendar_id == self.calendar.id:
            return self.calendar
        for cal in self.calendars:
            if cal.id == calendar_id:
                return cal
        raise UnknownReferenceError(f"Project {self.name!r} has no calendar {calendar_id!r}")

    def task_calendar(self, task: Task | str) -> Calendar:
        """The calendar a task works on: its own, else its resources', else the project's.

        Resources with calendars decide when the task has none: their common
        calendar, or that of the resource it needs most units of (the first
        listed of equals). Its floats still count on its own calendar, else
        the project's (MS Project's slack).
        """
        task = self.task(task) if isinstance(task, str) else task
        if task.calendar is not None:
            return self.calendar_named(task.calendar)
        if self.assignment_calendars(task):
            return self.calendar  # each resource on its own calendar; floats and lags count on the project's
        by_units = [(units, -k, self.resource(rid).calendar) for k, (rid, units) in enumerate(task.resources)
                    if units > 0 and self.resource(rid).calendar is not None]
        if by_units:
            return self.calendar_named(max(by_units)[2])
        return self.calendar

    def assignment_calendars(self, task: Task | str) -> tuple[Calendar, ...]:
        """The calendars a task's resources work on, when they are several and the task has no calendar of
        its own (else empty): MS Project schedules each assignment on its resource's calendar (the project's
        for a resource without one), the task starting with the first and finishing with the last.

        >>> import pmsim as pm
        >>> night = pm.Calendar(hours="00:00-06:00,22:00-24:00", id="night")
        >>> p = pm.Project(name="x", start="2027-01-04", calendars=[night],
        ...     resources=[pm.Resource("day"), pm.Resource("late", calendar="night")],
        ...     tasks=[pm.Task("A", duration=1, resources={"day": 1, "late": 1})])
        >>> [c.id or "project" for c in p.assignment_calendars("A")], p.task_calendar("A") == p.calendar
        (['project', 'night'], True)
        """
        task = self.task(task) if isinstance(task, str) else task
        if task.calendar is not None or len(task.resources) < 2:
            return ()
        found: dict = {}
        for rid, units in task.resources:
            if units > 0:
                name = self.resource(rid).calendar
                cal = self.calendar if name is None else self.calendar_named(name)
                found.setdefault(cal, None)
        return tuple(found) if len(found) > 1 else ()

    def _validate_references(self) -> None:
        tasks = _unique("Task", self.tasks)
        resources = _unique("Resource", self.resources)
        _unique("Risk", self.risks)
        check_branches(self.tasks)
        for task in self.tasks:
            for rid, units in task.resources:
                if rid not in resources:
                    raise UnknownReferenceError(f"Task {task.id!r} demands unknown resource {rid!r}")
        for risk in self.risks:
            for tid in risk.tasks:
                if tid not in tasks:
                    raise UnknownReferenceError(f"Risk {risk.id!r} names unknown task {tid!r}")
        succ: dict[str, list[str]] = {t: [] for t in tasks}
        indeg = dict.fromkeys(tasks, 0)
        pairs = set()
        for dep in self.dependencies:
            for end in (dep.predecessor, dep.successor):
                if end not in tasks:
                    raise UnknownReferenceError(
                        f"Task {dep.successor!r} has unknown predecessor {dep.predecessor!r}"
                        if end == dep.predecessor
                        else f"Dependency {dep.predecessor!r} -> {dep.successor!r} names unknown task {end!r}"
                    )
            key = (dep.predecessor, dep.successor, dep.type, dep.lag)
            if key in pairs:
                raise DuplicateIdError(
                    f"Task {dep.successor!r} lists predecessor {dep.predecessor!r} twice with the same link "
                    f"({dep.type}, lag {dep.lag:g}); two tasks can be linked again only in another way"
                )
            pairs.add(key)
            succ[dep.predecessor].append(dep.successor)
            indeg[dep.successor] += 1
        ready = [t for t, d in indeg.items() if d == 0]
        seen = 0
        while ready:
            node = ready.pop()
            seen += 1
            for nxt in succ[node]:
                indeg[nxt] -= 1
                if indeg[nxt] == 0:
                    ready.append(nxt)
        if seen < len(tasks):
            left = [t for t, d in indeg.items() if d > 0]
            cycle = find_cycle(left, succ)
            # The cycle ends where it starts; a long one shows its first and last ten tasks.
            shown = cycle if len(cycle) <= 22 else [*cycle[:10], f"... ({len(cycle) - 21:,} more)", *cycle[-11:]]
            raise CycleError(f"the dependencies form a cycle: {' -> '.join(shown)}", tuple(cycle))
        check_level_of_effort(self.tasks, self.dependencies)

    # ----------------------------------------------------------------- lookup

    @property
    def task_ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.tasks)

    def __getstate__(self) -> dict:
        return uncached_state(self)

    def _by_id(self) -> dict:
        """Tasks, resources, risks and incoming links by id, built once per project."""
        return cached(self, "by id", self._index)

    def _index(self) -> dict:
        into: dict[str, list] = {}
        for d in self.dependencies:
            into.setdefault(d.successor, []).append(d)
        return {"task": {t.id: t for t in self.tasks}, "resource": {r.id: r for r in self.resources},
                "risk": {r.id: r for r in self.risks}, "into": {k: tuple(v) for k, v in into.items()}}

    def _lookup(self, kind: str, key: str):
        try:
            return self._by_id()[kind][key]
        except (KeyError, TypeError):  # TypeError: an unhashable id cannot name anything
            raise UnknownReferenceError(f"Project {self.name!r} has no {kind} {key!r}") from None

    def task(self, task_id: str) -> Task:
        """The task with this id (raises UnknownReferenceError)."""
        return self._lookup("task", task_id)

    def resource(self, resource_id: str) -> Resource:
        return self._lookup("resource", resource_id)

    def risk(self, risk_id: str) -> Risk:
        return self._lookup("risk", risk_id)

    def predecessors(self, task_id: str) -> tuple[Dependency, ...]:
        """The links into ``task_id``."""
        return self._by_id()["into"].get(task_id, ())

    @property
    def phases(self) -> tuple[str, ...]:
        """The distinct non-empty phases, in the order they first appear."""
        return tuple(dict.fromkeys(t.phase for t in self.tasks if t.phase))

    # ------------------------------------------------------------------ edits

    def replace(self, **changes) -> "Project":
        """A copy with some fields changed, validated again.

        >>> p = Project(name="x", start="2027-01-04", tasks=[Task("A", duration=1)])
        >>> p.replace(budget=1000).budget
        1000.0
        """
        return _dc_replace(self, **changes)

    def with_task(self, task: Task, predecessors: Iterable[Dependency | str] = ()) -> "Project":
        """Add ``task`` (or replace the task with its id), optionally with links into it.

        ``predecessors`` are Dependency objects or predecessor ids (FS links);
        when given, they replace the task's existing incoming links.

        >>> p = Project(name="x", start="2027-01-04", tasks=[Task("A", duration=3)])
        >>> q = p.with_task(Task("B", duration=2), predecessors=["A"])
        >>> q.task_ids, [str(d) for d in q.predecessors("B")]
        (('A', 'B'), ['A'])
        """
        links = [d if isinstance(d, Dependency) else Dependency(d, task.id) for d in predecessors]
        for d in links:
            if d.successor != task.id:
                raise ValidationError(
                    f"with_task({task.id!r}): the link {d.predecessor!r} -> {d.successor!r} does not end at {task.id!r}"
                )
        tasks = [t for t in self.tasks if t.id != task.id]
        if len(tasks) == len(self.tasks):
            tasks.append(task)
        else:
            tasks = [task if t.id == task.id else t for t in self.tasks]
        deps = list(self.dependencies)
        if links:
            deps = [d for d in deps if d.successor != task.id] + links
        return self.replace(tasks=tuple(tasks), dependencies=tuple(deps))

    def without_task(self, task_id: str) -> "Project":
        """Remove a task, its links, and its mention in risks.

        Links through the removed task are not bridged: its successors lose
        that predecessor.

        >>> p = Project(name="x", start="2027-01-04", tasks=[Task("A", duration=3), Task("B", duration=2)],
        ...             dependencies=[Dependency("A", "B")])
        >>> q = p.without_task("A")
        >>> q.task_ids, q.dependencies
        (('B',), ())
        """
        self.task(task_id)
        tasks = tuple(t for t in self.tasks if t.id != task_id)
        deps = tuple(d for d in self.dependencies if task_id not in (d.predecessor, d.successor))
        risks = tuple(
            r.replace(tasks=tuple(t for t in r.tasks if t != task_id),
                      impact=r.impact if len(r.tasks) > 1 or task_id not in r.tasks else None)
            for r in self.risks
        )
        return self.replace(tasks=tasks, dependencies=deps, risks=risks,
                            baselines=tuple(b.without_task(task_id) for b in self.baselines))

    def with_resource(self, resource: Resource) -> "Project":
        """Add ``resource`` or replace the resource with its id.

        >>> p = Project(name="x", start="2027-01-04", tasks=[Task("A", duration=3)])
        >>> p.with_resource(Resource("dev", capacity=2)).resource("dev").capacity
        2.0
        """
        res = [r for r in self.resources if r.id != resource.id]
        if len(res) == len(self.resources):
            res.append(resource)
        else:
            res = [resource if r.id == resource.id else r for r in self.resources]
        return self.replace(resources=tuple(res))

    def with_risk(self, risk: Risk) -> "Project":
        """Add ``risk`` or replace the risk with its id.

        >>> p = Project(name="x", start="2027-01-04", tasks=[Task("A", duration=3)])
        >>> p.with_risk(Risk("R1", probability=0.2, tasks=("A",), optimistic=1, most_likely=2, pessimistic=5)).risks[0].id
        'R1'
        """
        risks = [r for r in self.risks if r.id != risk.id]
        if len(risks) == len(self.risks):
            risks.append(risk)
        else:
            risks = [risk if r.id == risk.id else r for r in self.risks]
        return self.replace(risks=tuple(risks))

    # -------------------------------------------------------------- progress

    def with_progress(self, progress, status_date=None) -> "Project":
        """The project with a progress table's facts on its tasks, as of ``status_date``.

        ``progress`` is a progress table (a DataFrame with the columns of
        ``progress.csv``, or its rows as a list of mappings; :func:`pmsim.read_progress` reads the files); the
        tasks it has no row for have not started. ``status_date`` (a date:
        the end of that day; or a moment) becomes the project's data date;
        it may be left out when the table has one ``status_date`` or the
        project has one. Each row sets the task's ``actual_start``,
        ``actual_finish``, ``percent_complete``, ``remaining_duration`` (in
        working days of the task's calendar) and ``actual_cost``. A row that
        leaves out actual dates of a started or finished task gets them
        inferred, with a warning: the work done ends at the data date.

        >>> import pandas as pd
        >>> p = Project(name="x", start="2027-01-04", tasks=[Task("A", duration=4), Task("B", duration=2)])
        >>> table = pd.DataFrame({"id": ["A"], "percent_complete": [50], "actual_cost": [900],
        ...                       "actual_start": ["2027-01-04"]})
        >>> q = p.with_progress(table, status_date="2027-01-05")
        >>> q.status_date, q.task("A").percent_complete, q.task("A").actual_cost, q.task("B").actual_start
        (datetime.date(2027, 1, 5), 50.0, 900.0, None)
        >>> q.progress_table()[["id", "percent_complete", "actual_cost"]].to_dict("list")
        {'id': ['A'], 'percent_complete': [50.0], 'actual_cost': [900.0]}
        """
        return apply_progress(self, progress, status_date)

    def without_progress(self) -> "Project":
        """The project as planned: no progress on its tasks, no status date (the earned value baseline)."""
        return clear_progress(self)

    def progress_table(self):
        """The progress on the tasks as a progress table (the columns of ``progress.csv``, and ``status_date``).

        One row per task that has started or has an actual cost; the
        reverse of :meth:`with_progress`. A task with neither percent
        complete nor remaining duration gets the remaining duration the
        engine uses (its planned duration less the working time since its
        actual start); an unknown actual cost is written as 0.
        """
        return progress_table(self)

    # -------------------------------------------------------------- baselines

    def with_baseline(self, name: str = "BL1", schedule=None) -> "Project":
        """The project with a baseline named ``name``: every task's planned start, finish, duration and cost.

        Taken from ``schedule`` (a :class:`pmsim.Schedule` of this project, levelled or not), by default
        the CPM schedule; a baseline of the same name is replaced, others are kept
        (``Project.baselines``). :func:`pmsim.variance` compares a later schedule with it.

        >>> p = Project(name="x", start="2027-01-04", tasks=[Task("A", duration=3, cost_per_day=100)])
        >>> p.with_baseline("BL1").baseline("BL1").tasks
        (('A', datetime.datetime(2027, 1, 4, 8, 0), datetime.datetime(2027, 1, 6, 17, 0), 3.0, 300.0),)
        """
        taken = (schedule if schedule is not None else default_schedule(self)).as_baseline(name)
        return self.replace(baselines=tuple(b for b in self.baselines if b.name.casefold() != taken.name.casefold())
                            + (taken,))

    def baseline(self, name: str) -> Baseline:
        """The baseline with this name (ignoring case); UnknownReferenceError lists those there are."""
        for b in self.baselines:
            if b.name.casefold() == str(name).strip().casefold():
                return b
        have = ", ".join(repr(b.name) for b in self.baselines) or "none"
        raise UnknownReferenceError(f"Project {self.name!r} has no baseline {name!r} (baselines: {have})")

    # -------------------------------------------------------------- frames

    @classmethod
    def from_frames(cls, tasks, resources=None, risks=None, *, calendars=None, source: str | None = None,
                    **settings) -> "Project":
        """Build a project from pandas frames with the columns of the file format.

        ``calendars`` is the calendars table; ``settings`` are the
        ``project.toml`` keys: ``name``, ``start`` (required), ``currency``,
        ``budget``, ``deadline``, ``calendar`` (a dict with ``workdays``,
        ``hours``, ``holidays``, ..., or the id of a calendar of
        ``calendars``), ``description``, ``status_date``, ... (see
        ``docs/file-format.md``).

        >>> import pandas as pd
        >>> t = pd.DataFrame({"id": ["A", "B"], "duration": [3, 2], "predecessors": ["", "A SS+1"]})
        >>> p = Project.from_frames(t, name="x", start="2027-01-04")
        >>> str(p.dependencies[0])
        'A SS+1'
        """
        return project_from_frames(tasks, resources, risks, calendars=calendars, source=source, **settings)

    def to_frames(self) -> dict:
        """The project as frames: ``{"tasks", "resources", "risks", "calendars"}`` and ``"settings"`` (a dict)."""
        return project_to_frames(self)

    def __repr__(self) -> str:
        return (
            f"Project(name={self.name!r}, start={self.start.isoformat()}, tasks={len(self.tasks)}, "
            f"dependencies={len(self.dependencies)}, resources={len(self.resources)}, risks={len(self.risks)})"
        )


def project_from_frames(tasks, resources=None, risks=None, *, calendars=None, source=None, **settings) -> Project:
    """Build a :class:`pmsim.Project` from tables with the columns of the file format.

    Parameters
    ----------
    tasks : DataFrame (or anything ``pandas.DataFrame`` accepts)
        One row per task; the columns are described in ``docs/file-format.md``.
    resources, risks, calendars : DataFrame, optional
        (``calendars`` may also be a sequence of :class:`pmsim.Calendar` with ids.)
    source : str or dict, optional
        How messages name the tables: a path (``"plan.xlsx"``), or a dict with
        keys ``tasks``, ``resources``, ``risks``, ``calendars``, ``settings``
        (what the file readers pass). Without it, messages say
        ``tasks table, row <index>``.
    **settings
        ``name``, ``start`` (required), ``currency``, ``budget``, ``deadline``,
        ``description``, ``calendar`` (a dict with ``workdays``, ``hours``,
        ``holidays``, ..., the id of a calendar of ``calendars``, or a
        :class:`pmsim.Calendar`), ``status_date``, ``must_finish_by``,
        ``lag_calendar``, ``total_float``, ``progress_rule``,
        ``honor_constraints``. They may also come as one dict,
        ``settings=...``, so that ``project_from_frames(**project_to_frames(p))``
        works.

    Returns
    -------
    Project

    Raises
    ------
    FileFormatError
        A required column (``id``, an estimate column) or setting (``start``) is missing.
    PmsimError
        Any rule broken, with the table, row, task and rule in the message.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"id": [1, 2], "duration": [3, 2], "predecessors": ["", "1 SS+1"]})
    >>> p = project_from_frames(t, name="x", start="2027-01-04")
    >>> p.task_ids, str(p.dependencies[0])
    (('1', '2'), '1 SS+1')
    >>> project_from_frames(**project_to_frames(p)) == p
    True
    >>> project_from_frames(pd.DataFrame({"id": ["A"], "duration": [-1]}), start="2027-01-04")
    Traceback (most recent call last):
    ...
    pmsim.errors.ValidationError: tasks table, row 0 (task 'A'): durations must be >= 0, got a lowest value of -1
    """
    if isinstance(settings.get("settings"), Mapping):
        settings = {**settings.pop("settings"), **settings}
    return build_project(tasks, resources, risks, settings, table_labels(source), calendars)


def build_project(tasks, resources, risks, settings: Mapping, labels: Mapping[str, str], calendars=None) -> Project:
    """Like :func:`project_from_frames` with the settings as a dict and every table label given.

    File readers use it, so that a key such as ``source`` in ``project.toml``
    can never clash with a keyword argument.
    """
    parts = project_parts(tasks, resources, risks, settings, labels, calendars)
    try:
        return Project(tasks=parts.tasks, dependencies=parts.dependencies, resources=parts.resources,
                       risks=parts.risks, **parts.settings)
    except PmsimError as exc:
        raise parts.locate(exc) from None


def require_project(value, what: str) -> Project:
    """``value`` when it is a :class:`Project`, else a ValidationError saying that ``what`` needs one.

    >>> require_project("data/textbook", "cpm")
    Traceback (most recent call last):
    ...
    pmsim.errors.ValidationError: cpm needs a Project, got the path 'data/textbook'; read it first: pm.read_project('data/textbook')
    """
    if isinstance(value, Project):
        return value
    if isinstance(value, (str, os.PathLike)):
        raise ValidationError(f"{what} needs a Project, got the path {str(value)!r}; read it first: "
                              f"pm.read_project({str(value)!r})")
    raise ValidationError(f"{what} needs a Project, got {type(value).__name__}")
