"""The project model: tasks, dependencies, resources, risks, calendar, project.

Every object is a frozen dataclass, validated when it is built. An edit
(``project.replace(...)``, ``project.with_task(...)``) returns a new object,
validated again. Time inside the model is in working days; the
:class:`Calendar` turns working-day offsets into dates at the edges.

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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace as _dc_replace


from .calendar import Calendar, as_date
from .distributions import Distribution, Fixed, make_estimate
from .errors import (
    CycleError,
    DuplicateIdError,
    PmsimError,
    UnknownReferenceError,
    ValidationError,
)

__all__ = [
    "Task",
    "Dependency",
    "Resource",
    "Risk",
    "Project",
    "LINK_TYPES",
]

LINK_TYPES = ("FS", "SS", "FF", "SF")


def _number(owner: str, name: str, value, *, minimum: float | None = None, allow_nan=False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{owner}: {name} must be a number, got {value!r}") from None
    if math.isnan(v) and not allow_nan:
        raise ValidationError(f"{owner}: {name} must be a number, got NaN")
    if math.isinf(v):
        raise ValidationError(f"{owner}: {name} must be finite, got {v}")
    if minimum is not None and v < minimum:
        raise ValidationError(f"{owner}: {name} must be >= {minimum:g}, got {v:g}")
    return v


def _ident(kind: str, value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise ValidationError(f"{kind} id is missing")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if not text:
        raise ValidationError(f"{kind} id is empty")
    if ";" in text:
        raise ValidationError(f"{kind} id {text!r} must not contain ';'")
    return text


# --------------------------------------------------------------------------- Task


@dataclass(frozen=True)
class Task:
    """A piece of work with a duration estimate, resource demands and costs.

    Parameters
    ----------
    id : str
        Unique identifier, the name dependencies and risks use.
    name : str
        A readable name (defaults to the id).
    estimate : Distribution, optional
        The duration in working days. Give either ``estimate``, or ``duration``
        (fixed), or the three points ``optimistic``, ``most_likely``,
        ``pessimistic`` (Beta-PERT by default, see ``distribution``).
    resources : mapping of resource id to units per working day
    fixed_cost, cost_per_day : float
        Cost = fixed_cost + cost_per_day × duration (+ resource day rates).
    phase : str
        The phase / WBS group it belongs to.
    milestone : bool
        A zero-duration event.

    >>> Task("T1", "Design", optimistic=2, most_likely=3, pessimistic=7).estimate.mean
    3.5
    >>> Task("T2", duration=4, resources={"dev": 2}).demand
    {'dev': 2.0}
    """

    id: str
    name: str = ""
    estimate: Distribution | None = None
    resources: tuple[tuple[str, float], ...] = ()
    fixed_cost: float = 0.0
    cost_per_day: float = 0.0
    phase: str = ""
    milestone: bool = False
    # Conveniences for building an estimate; not stored.
    duration: float | None = field(default=None, repr=False, compare=False)
    optimistic: float | None = field(default=None, repr=False, compare=False)
    most_likely: float | None = field(default=None, repr=False, compare=False)
    pessimistic: float | None = field(default=None, repr=False, compare=False)
    distribution: str | None = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        set_ = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731
        set_("id", _ident("Task", self.id))
        who = f"Task {self.id!r}"
        set_("name", str(self.name) if self.name not in (None, "") else self.id)
        try:
            estimate = self.estimate
            if estimate is None:
                shortcut = (self.duration, self.optimistic, self.most_likely, self.pessimistic)
                if self.milestone and all(x is None for x in shortcut):
                    estimate = Fixed(0.0)
                else:
                    estimate = make_estimate(
                        self.distribution,
                        duration=self.duration,
                        optimistic=self.optimistic,
                        most_likely=self.most_likely,
                        pessimistic=self.pessimistic,
                    )
            elif not isinstance(estimate, Distribution):
                raise ValidationError(f"estimate must be a pmsim distribution, got {type(estimate).__name__}")
        except PmsimError as exc:
            raise exc.with_context(who) from None
        if estimate.low < 0 or math.isnan(estimate.low):
            raise ValidationError(f"{who}: durations must be >= 0, got a lowest value of {estimate.low:g}")
        if self.milestone and estimate.low == 0 and estimate.high == 0:
            estimate = Fixed(0.0)  # e.g. three points 0, 0, 0 from a file
        if self.milestone and not (isinstance(estimate, Fixed) and estimate.value == 0):
            raise ValidationError(f"{who}: a milestone must have a duration of 0")
        set_("estimate", estimate)
        for k in ("duration", "optimistic", "most_likely", "pessimistic", "distribution"):
            set_(k, None)

        items = self.resources.items() if isinstance(self.resources, Mapping) else self.resources
        demand = []
        seen = set()
        for rid, units in items:
            rid = _ident("Resource", rid)
            if rid in seen:
                raise DuplicateIdError(f"{who}: resource {rid!r} is demanded twice")
            seen.add(rid)
            u = _number(who, f"units of resource {rid!r}", units, minimum=0)
            demand.append((rid, u))
        set_("resources", tuple(demand))
        set_("fixed_cost", _number(who, "fixed_cost", self.fixed_cost, minimum=0))
        set_("cost_per_day", _number(who, "cost_per_day", self.cost_per_day, minimum=0))
        set_("phase", "" if self.phase is None else str(self.phase).strip())
        set_("milestone", bool(self.milestone))

    @property
    def demand(self) -> dict[str, float]:
        """Resource id -> units per working day."""
        return dict(self.resources)

    @property
    def planned_duration(self) -> float:
        """The duration the deterministic schedule uses (most likely / fixed)."""
        return float(self.estimate.planned)

    def replace(self, **changes) -> "Task":
        """A copy with some fields changed, validated again.

        Giving ``duration`` or three points replaces the estimate.

        >>> Task("A", duration=3).replace(duration=5).estimate
        Fixed(value=5.0)
        """
        shortcuts = {"duration", "optimistic", "most_likely", "pessimistic", "distribution"}
        if shortcuts & changes.keys() and "estimate" not in changes:
            changes["estimate"] = None
        return _dc_replace(self, **changes)


# --------------------------------------------------------------------------- Dependency


@dataclass(frozen=True)
class Dependency:
    """A link between two tasks: FS (default), SS, FF or SF, with a lag in working days.

    A negative lag is a lead.

    >>> Dependency("A", "B", "SS", 2)
    Dependency(predecessor='A', successor='B', type='SS', lag=2.0)
    """

    predecessor: str
    successor: str
    type: str = "FS"
    lag: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "predecessor", _ident("Task", self.predecessor))
        object.__setattr__(self, "successor", _ident("Task", self.successor))
        who = f"Dependency {self.predecessor!r} -> {self.successor!r}"
        kind = str(self.type).strip().upper()
        if kind not in LINK_TYPES:
            raise ValidationError(f"{who}: unknown link type {self.type!r}; use one of FS, SS, FF, SF")
        object.__setattr__(self, "type", kind)
        object.__setattr__(self, "lag", _number(who, "lag", self.lag))
        if self.predecessor == self.successor:
            raise CycleError(f"{who}: a task cannot depend on itself", (self.predecessor,))

    def __str__(self) -> str:
        # Exact: the predecessor text reads back to the same float.
        lag = "" if self.lag == 0 else (f"{int(self.lag):+d}" if self.lag.is_integer() else f"{self.lag:+}")
        kind = "" if self.type == "FS" and not lag else self.type
        return f"{self.predecessor} {kind}{lag}".strip()


# --------------------------------------------------------------------------- Resource


@dataclass(frozen=True)
class Resource:
    """A renewable resource: ``capacity`` units available per working day.

    >>> Resource("dev", "Developer", capacity=3, cost_per_day=640)
    Resource(id='dev', name='Developer', capacity=3.0, cost_per_day=640.0)
    """

    id: str
    name: str = ""
    capacity: float = 1.0
    cost_per_day: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "id", _ident("Resource", self.id))
        who = f"Resource {self.id!r}"
        object.__setattr__(self, "name", str(self.name) if self.name not in (None, "") else self.id)
        object.__setattr__(self, "capacity", _number(who, "capacity", self.capacity, minimum=0))
        object.__setattr__(self, "cost_per_day", _number(who, "cost_per_day", self.cost_per_day, minimum=0))


# --------------------------------------------------------------------------- Risk


@dataclass(frozen=True)
class Risk:
    """A threat that occurs with ``probability`` in each iteration.

    When it occurs it adds ``impact`` (extra working days, a distribution) to
    each task in ``tasks``, and ``cost_impact`` to the project cost.

    >>> r = Risk("R1", "Vendor late", 0.3, tasks=("T4",), optimistic=2, most_likely=5, pessimistic=15)
    >>> r.impact.mean, r.tasks
    (6.166666666666667, ('T4',))
    """

    id: str
    name: str = ""
    probability: float = 0.0
    tasks: tuple[str, ...] = ()
    impact: Distribution | None = None
    cost_impact: float = 0.0
    optimistic: float | None = field(default=None, repr=False, compare=False)
    most_likely: float | None = field(default=None, repr=False, compare=False)
    pessimistic: float | None = field(default=None, repr=False, compare=False)
    distribution: str | None = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        set_ = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731
        set_("id", _ident("Risk", self.id))
        who = f"Risk {self.id!r}"
        set_("name", str(self.name) if self.name not in (None, "") else self.id)
        p = _number(who, "probability", self.probability)
        if not 0 <= p <= 1:
            raise ValidationError(f"{who}: probability must be in [0, 1], got {p:g}")
        set_("probability", p)
        tasks = (self.tasks,) if isinstance(self.tasks, str) else tuple(self.tasks)
        set_("tasks", tuple(_ident("Task", t) for t in tasks))
        impact = self.impact
        points = (self.optimistic, self.most_likely, self.pessimistic)
        if impact is None and any(x is not None for x in points):
            try:
                impact = make_estimate(
                    self.distribution, optimistic=self.optimistic,
                    most_likely=self.most_likely, pessimistic=self.pessimistic,
                )
            except PmsimError as exc:
                raise exc.with_context(who) from None
        if impact is not None:
            if not isinstance(impact, Distribution):
                raise ValidationError(f"{who}: impact must be a pmsim distribution")
            if impact.low < 0:
                raise ValidationError(f"{who}: the schedule impact must be >= 0 days, got {impact.low:g}")
            if not self.tasks and impact.high > 0:
                raise ValidationError(f"{who}: a schedule impact needs the tasks it delays")
        set_("impact", impact)
        set_("cost_impact", _number(who, "cost_impact", self.cost_impact, minimum=0))
        for k in ("optimistic", "most_likely", "pessimistic", "distribution"):
            set_(k, None)

    def replace(self, **changes) -> "Risk":
        """A copy with some fields changed, validated again."""
        return _dc_replace(self, **changes)


# --------------------------------------------------------------------------- Project


def _unique(kind: str, items) -> dict:
    out = {}
    for item in items:
        if item.id in out:
            raise DuplicateIdError(f"{kind} id {item.id!r} appears twice; ids must be unique")
        out[item.id] = item
    return out


def _find_cycle(ids: list[str], succ: dict[str, list[str]]) -> list[str]:
    """One directed cycle among ``ids`` (each has in-degree > 0 after Kahn), as a list."""
    remaining = set(ids)
    colour: dict[str, int] = {}
    for root in ids:
        if root in colour:
            continue
        stack = [(root, iter(succ.get(root, ())))]
        path = [root]
        colour[root] = 1
        while stack:
            node, it = stack[-1]
            for nxt in it:
                if nxt not in remaining:
                    continue
                if colour.get(nxt) == 1:
                    return path[path.index(nxt):] + [nxt]
                if nxt not in colour:
                    colour[nxt] = 1
                    stack.append((nxt, iter(succ.get(nxt, ()))))
                    path.append(nxt)
                    break
            else:
                colour[node] = 2
                stack.pop()
                path.pop()
    return []  # pragma: no cover - only called when a cycle exists


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

    def __post_init__(self):
        set_ = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731
        set_("name", str(self.name).strip() or "project")
        if self.start is None or (isinstance(self.start, str) and not self.start.strip()):
            raise ValidationError(f"Project {self.name!r}: a start date is required")
        set_("start", as_date(f"Project {self.name!r}: start", self.start))
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
        set_("currency", str(self.currency or "USD").strip())
        if self.budget is not None and not (isinstance(self.budget, float) and math.isnan(self.budget)):
            set_("budget", _number(f"Project {self.name!r}", "budget", self.budget, minimum=0))
        else:
            set_("budget", None)
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
        self._validate_references()

    def _validate_references(self) -> None:
        tasks = _unique("Task", self.tasks)
        resources = _unique("Resource", self.resources)
        _unique("Risk", self.risks)
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
            if (dep.predecessor, dep.successor) in pairs:
                raise DuplicateIdError(
                    f"Task {dep.successor!r} lists predecessor {dep.predecessor!r} twice; "
                    "two tasks can be linked once"
                )
            pairs.add((dep.predecessor, dep.successor))
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
            cycle = _find_cycle(left, succ)
            raise CycleError(f"the dependencies form a cycle: {' -> '.join(cycle)}", tuple(cycle))

    # ----------------------------------------------------------------- lookup

    @property
    def task_ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.tasks)

    def _by_id(self) -> dict:
        """Tasks, resources, risks and incoming links by id, built on first use.

        Projects are frozen, so the index stays valid; it lives in the
        instance ``__dict__`` like the network cache (edits build new projects).
        """
        index = self.__dict__.get("_pmsim_by_id")
        if index is None:
            into: dict[str, list] = {}
            for d in self.dependencies:
                into.setdefault(d.successor, []).append(d)
            index = {"task": {t.id: t for t in self.tasks}, "resource": {r.id: r for r in self.resources},
                     "risk": {r.id: r for r in self.risks}, "into": {k: tuple(v) for k, v in into.items()}}
            self.__dict__["_pmsim_by_id"] = index
        return index

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
        return self.replace(tasks=tasks, dependencies=deps, risks=risks)

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

    # -------------------------------------------------------------- frames

    @classmethod
    def from_frames(cls, tasks, resources=None, risks=None, *, source: str | None = None, **settings) -> "Project":
        """Build a project from pandas frames with the columns of the file format.

        ``settings`` are the ``project.toml`` keys: ``name``, ``start``
        (required), ``currency``, ``budget``, ``deadline``, ``calendar``
        (a dict with ``workdays`` and ``holidays``), ``description``.

        >>> import pandas as pd
        >>> t = pd.DataFrame({"id": ["A", "B"], "duration": [3, 2], "predecessors": ["", "A SS+1"]})
        >>> p = Project.from_frames(t, name="x", start="2027-01-04")
        >>> str(p.dependencies[0])
        'A SS+1'
        """
        from .io.frames import project_from_frames

        return project_from_frames(tasks, resources, risks, source=source, **settings)

    def to_frames(self) -> dict:
        """The project as frames: ``{"tasks", "resources", "risks"}`` and ``"settings"`` (a dict)."""
        from .io.frames import project_to_frames

        return project_to_frames(self)

    def __repr__(self) -> str:
        return (
            f"Project(name={self.name!r}, start={self.start.isoformat()}, tasks={len(self.tasks)}, "
            f"dependencies={len(self.dependencies)}, resources={len(self.resources)}, risks={len(self.risks)})"
        )

