"""Resource levelling: :func:`level`, a schedule that never uses more of a resource than it has.

The method (schedule-generation schemes, priority rules, the random-key
search, the floats of a levelled schedule, the exact method):
``docs/levelling.md``; its quality on PSPLIB: ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import limits
from .._seed import resolve_seed
from ..cpm import Schedule
from ..errors import PmsimWarning, ValidationError
from ..model import Project, require_project
from ..timeline import plain_schedule
from .calendar_heuristic import calendar_heuristic
from .calendar_problem import build_calendar_problem, longer
from .calendar_schedule import calendar_levelled_schedule
from .exact import EXACT_TIME_LIMIT, exact
from .floats import levelled_schedule
from .heuristic import IMPROVE_SCHEDULES, heuristic
from .problem import build_problem
from .rules import RULES

__all__ = ["level", "level_on_calendars", "METHODS"]

METHODS = ("serial", "parallel", "exact")


def _check_options(method, rule, schedules, time_limit) -> tuple[str, str]:
    m = str(method).strip().lower()
    if m not in METHODS:
        raise ValidationError(f"unknown levelling method {method!r}; use one of {', '.join(METHODS)}")
    r = str(rule).strip().lower()
    if r not in RULES:
        raise ValidationError(f"unknown priority rule {rule!r}; use one of {', '.join(RULES)}")
    if isinstance(schedules, bool) or not isinstance(schedules, (int, np.integer)) or schedules < 1:
        raise ValidationError(f"schedules must be a positive integer, got {schedules!r}")
    if time_limit is None:  # a time limit bounds the search; else the number of passes must
        limits.check("SCHEDULES", int(schedules), f"level(schedules={schedules}) without a time_limit")
    if time_limit is not None:
        if isinstance(time_limit, bool) or not isinstance(time_limit, (int, float, np.number)) \
                or not math.isfinite(time_limit) or time_limit <= 0:
            raise ValidationError(f"time_limit must be a number of seconds > 0, got {time_limit!r}")
    return m, r


def level(project: Project, method: str = "serial", rule: str = "lft", schedules: int = 1,
          improve: bool = True, seed=0, time_limit: float | None = None) -> Schedule:
    """A resource-feasible schedule of ``project``: no capacity exceeded at any moment.

    Parameters
    ----------
    project : Project
    method : {"serial", "parallel", "exact"}
        The schedule-generation scheme, or ``"exact"`` for OR-Tools CP-SAT.
    rule : {"lft", "lst", "mts", "grpw", "minslack"}
        The priority rule (:data:`pmsim.levelling.RULES`).
    schedules : int
        How many schedule passes the search may spend; 1 = the rule's
        schedule (plus the improvement search when ``improve``).
    improve : bool
        Forward-backward improvement, and the random-key genetic search.
    seed : int, numpy Generator or None
        For the randomised search (default 0, so results repeat; None draws
        a fresh seed). ``info["seed"]`` records the int used.
    time_limit : float, optional
        Seconds: stop the search then (CP-SAT: 60 s when not given).

    Returns
    -------
    Schedule
        ``kind="levelled"``; ``table`` with the levelled ``start``/``finish``,
        late dates, floats and critical flags that count the resources
        (``docs/levelling.md``), early dates of the unconstrained CPM;
        ``delay``: working days later than the unconstrained CPM finish;
        ``held_back``: each task that starts later than its CPM early start,
        with ``delay``, ``own_delay`` (waiting for resources itself),
        ``resources`` (the resources it waited for, its own or those of
        the predecessor that pushed it) and ``via`` (that predecessor);
        ``status``: ``"heuristic"``, or ``"optimal"`` / ``"feasible"`` for
        the exact method, with ``lower_bound``; ``info``: the rule's own
        makespan, the number of schedule passes (``schedules``), the
        ``seed``, and
        after the genetic search its ``population``, the ``children`` it
        made and how many it ``accepted``.

    Projects on several calendars, with date constraints or progress are
    levelled on their calendars (``docs/levelling.md``): each task works in
    its calendar's working time, nothing starts before the data date,
    started and finished work and Must Start / Finish On tasks stay where
    they are; ``method="serial"`` only.

    Raises
    ------
    InfeasibleError
        A task demands more of a resource than its capacity (or any of a
        resource with capacity 0).
    ValidationError
        Unknown method or rule; ``schedules`` < 1; ``time_limit`` <= 0;
        ``"parallel"`` or ``"exact"`` on calendars, constraints or progress.
    MissingExtraError
        ``method="exact"`` without OR-Tools.

    Warns
    -----
    PmsimWarning
        On calendars: a task levelling may not move (started, Must Start /
        Finish On) leaves a resource over capacity, or a start or finish no
        later than date that holds (``honor_constraints``) is passed; the
        message names the task.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", duration=3, resources={"dev": 1}),
    ...            pm.Task("B", duration=2, resources={"dev": 1}), pm.Task("C", duration=1)],
    ...     dependencies=[pm.Dependency("B", "C")], resources=[pm.Resource("dev", capacity=1)])
    >>> s = pm.level(p)
    >>> s.makespan, s.delay, s.status
    (5.0, 2.0, 'heuristic')
    >>> s.held_back
        delay  own_delay resources via
    id
    A     2.0        2.0       dev
    """
    project = require_project(project, "level")
    method, rule = _check_options(method, rule, schedules, time_limit)
    seed = resolve_seed(seed)
    if not plain_schedule(project):
        return level_on_calendars(project, method, rule, schedules, improve, seed, time_limit)[0]
    problem = build_problem(project)
    report = {}
    if method == "exact":
        # A good heuristic schedule is the solver's upper bound, horizon and hint.
        start_h, _ = heuristic(problem, "serial", rule, 1, True, seed, None)
        limit = EXACT_TIME_LIMIT if time_limit is None else float(time_limit)
        start, report = exact(problem, rule, limit, seed, start_h)
        info = report.pop("info")
    else:
        start, info = heuristic(problem, method, rule, schedules, improve, seed, time_limit)
        report["status"] = "heuristic"
    info["seed"] = seed
    return levelled_schedule(problem, start, info=info, **report)


def level_on_calendars(project: Project, method: str = "serial", rule: str = "lft", schedules: int = 1,
                       improve: bool = True, seed=0, time_limit=None):
    """:func:`level` of a project on several calendars, with date constraints or progress, and how it was
    made: ``(schedule, problem, dates)``, the :class:`~.calendar_problem.CalendarProblem` and the
    :class:`~.calendar_heuristic.CalendarDates` whose ``order`` the forward scheme takes to give it (the
    levelled Monte Carlo follows that list)."""
    method, rule = _check_options(method, rule, schedules, time_limit)
    seed = resolve_seed(seed)
    if method != "serial":
        raise ValidationError(
            f"Project {project.name!r}: method={method!r} levels projects whose tasks share one calendar without "
            "date constraints, progress or split tasks; this one has several calendars, constraints, progress or "
            "split tasks: use method='serial' (docs/levelling.md)")
    held = [t.id for t in project.tasks if t.splits and t.resources]
    if held:
        shown = ", ".join(repr(t) for t in held[:10]) + (f" and {len(held) - 10} more" if len(held) > 10 else "")
        warnings.warn(f"Project {project.name!r}: split tasks {shown}: levelling holds their resources through "
                      "their gaps (MS Project frees them for other work)", PmsimWarning, stacklevel=3)
    problem = build_calendar_problem(project)
    while True:
        dates, info = calendar_heuristic(problem, rule, schedules, improve, seed, time_limit, IMPROVE_SCHEDULES)
        if dates is not None:
            break
        problem = longer(problem)  # the levelled schedule reaches past the calendar tables
    info["seed"] = seed
    return calendar_levelled_schedule(problem, dates, info=info, status="heuristic"), problem, dates
