"""The entities of a project: Task, Dependency, Resource and Risk.

Each is a frozen dataclass validated when it is built; ``replace`` returns a
new, validated copy. :func:`valid_id` and :func:`valid_number` are the checks
they share with the table reader and the Project.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace as _dc_replace

import pandas as pd

from ..calendar import as_date, as_datetime
from ..distributions import Distribution, Fixed, make_estimate
from ..errors import CycleError, DuplicateIdError, PmsimError, ValidationError
from ..safe_text import invisible_characters
from .response import response_fields
from .ev_methods import ev_method
from .splits import valid_splits

__all__ = [
    "Task",
    "Dependency",
    "Resource",
    "Risk",
    "LINK_TYPES",
    "CONSTRAINTS",
    "RISK_KINDS",
    "valid_id",
    "valid_number",
    "valid_escalation",
]

LINK_TYPES = ("FS", "SS", "FF", "SF")
# Date constraints (docs/time-model.md): as soon / as late as possible; start or finish no earlier / no later
# than; must start / finish on (hard: the date holds whatever the links say); start / finish on (P6's soft kind:
# no earlier on the forward pass, no later on the backward pass).
CONSTRAINTS = ("ASAP", "ALAP", "SNET", "SNLT", "FNET", "FNLT", "MSO", "MFO", "SO", "FO")
_DATED = set(CONSTRAINTS) - {"ASAP", "ALAP"}
RISK_KINDS = ("event", "driver")  # adds working days; multiplies durations (Hulett's risk driver)


def valid_number(owner: str, name: str, value, *, minimum: float | None = None, allow_nan=False) -> float:
    """``value`` as a finite float, at least ``minimum``; a message names ``owner`` and ``name``.

    >>> valid_number("Task 'A'", "fixed_cost", "1500")
    1500.0
    >>> valid_number("Task 'A'", "fixed_cost", -1, minimum=0)
    Traceback (most recent call last):
    ...
    pmsim.errors.ValidationError: Task 'A': fixed_cost must be >= 0, got -1
    """
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


def valid_id(kind: str, value) -> str:
    """``value`` as an id: stripped text, a whole float without ``.0``, no ``;`` (the list separator).

    >>> valid_id("Task", 3.0), valid_id("Task", " A1 ")
    ('3', 'A1')
    >>> valid_id("Risk", "R1; R2")
    Traceback (most recent call last):
    ...
    pmsim.errors.ValidationError: Risk id 'R1; R2' must not contain ';'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise ValidationError(f"{kind} id is missing")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if not text:
        raise ValidationError(f"{kind} id is empty")
    if ";" in text:
        raise ValidationError(f"{kind} id {text!r} must not contain ';'")
    hidden = invisible_characters(text)
    if hidden:
        raise ValidationError(f"{kind} id {text!r} contains {', '.join(hidden)}, which cannot be seen; "
                              "remove it (links and demands name the id without it)")
    return text


def _moment(owner: str, value):
    """A date (a whole day: its start or end by context) or a datetime (that moment); None when blank."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, str):
        if not value.strip():
            return None
        text = value.strip()
        return as_datetime(owner, text) if ("T" in text or ":" in text) else as_date(owner, text)
    if isinstance(value, dt.datetime) or hasattr(value, "to_pydatetime"):
        return as_datetime(owner, value)
    return as_date(owner, value)


def _calendar_id(owner: str, value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _short_repr(obj, shown: tuple[str, ...]) -> str:
    """The dataclass repr, leaving out the fields of ``optional`` kinds still at their defaults."""
    parts = []
    for f in fields(obj):
        if not f.repr:
            continue
        value = getattr(obj, f.name)
        if f.name not in shown and value == f.default:
            continue
        parts.append(f"{f.name}={value!r}")
    return f"{type(obj).__name__}({', '.join(parts)})"


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
    milestone : bool or "start"
        A zero-duration event. It sits at the end of the work done before it (MS Project's milestone,
        P6's finish milestone); ``"start"``: at the next working moment (P6's start milestone).
    calendar : str, optional
        The id of the calendar it works on (else its resources', else the project's).
    constraint, constraint_date : a date constraint (``ASAP`` by default, ``ALAP``,
        ``SNET SNLT FNET FNLT MSO MFO SO FO`` with a date; see ``docs/time-model.md``);
        ``secondary_constraint`` and its date: a second one (P6 allows two).
    deadline : date or datetime, optional
        A target finish: late dates and total float count it.
    actual_start, actual_finish, remaining_duration, percent_complete : progress
        at the project's ``status_date`` (a remaining duration in working days of the
        task's calendar; percent complete 0-100).
    actual_cost : float, optional
        The cost spent on it by the status date (earned value's AC); None when not known.
    manual_start : date or datetime, optional
        MS Project's manually scheduled task: the start the user typed. The task starts
        there whatever its links and constraints say (MS Project does not move it, it only
        flags the conflict), its successors follow from it, and its late dates and float
        come from its successors as any task's. None: scheduled automatically.
    summary_finish : date or datetime, optional
        MS Project's manually scheduled summary task above it: its finish, which holds the
        task's late finish (never before the task's early finish: that finish gives no
        negative float). None: no such summary.
    levelling_delay : float
        MS Project's levelling delay: working days (of ``levelling_delay_calendar``, else of the
        task's calendar) between the moment its links and the project start allow and its start.
        Its predecessors' late dates count it, as a lag would be counted. 0 by default.
    levelling_delay_calendar : str, optional
        The id of the calendar the delay counts on (an elapsed delay: a round-the-clock calendar).
    existence : float
        The probability (0-1, default 1) that the task exists in an iteration of a Monte Carlo run;
        when it does not, it takes no time and costs nothing, and its links pass through it as
        through a milestone. With ``branch``: its weight among the alternatives of that branch group.
    branch : str
        A group of mutually exclusive alternatives (probabilistic branching): in each iteration
        exactly one task of the group exists, chosen with the weights given by their ``existence``,
        which must sum to 1.
    ev_method : str
        How earned value measures it: ``percent_complete`` (the default), ``0/100``, ``50/50``
        (or any ``a/b``), ``milestones:25;50;100`` or ``level_of_effort`` (``docs/costs-and-earned-value.md``).
    level_of_effort : bool
        A level-of-effort (hammock) task, P6's "Level of Effort" activity: it has no duration of its own
        but fills the span its links give it, from the latest date its predecessors allow to the earliest
        date its successors need (``docs/costs-and-earned-value.md``); its cost per day (own and
        resources') is paid for that span, so it follows the schedule. It drives no other task, needs at
        least one predecessor and one successor, and earns value as time passes (``level_of_effort``).
    crash_duration, crash_cost : float, optional
        Schedule compression (:func:`pmsim.crash`): the shortest duration the task can be
        done in (working days, at most its planned duration) and its total cost when done in
        that time (the textbook's "crash cost", at least its normal cost). Give both or neither.
    splits : sequence of (after, gap) pairs
        MS Project's split task: its work stops after ``after`` working days of work and resumes
        ``gap`` working days later (days of the task's calendar; pairs in order of ``after``). The
        gaps keep their length when the task moves, so its finish is its start plus its duration
        and the gaps of the splits its work reaches (a split at or past the end of the work has
        none). Empty by default.

    A date without a time means the start of that day's work for a start
    (constraint or actual start) and its end for a finish.

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
    milestone: bool | str = False
    calendar: str | None = None
    constraint: str = "ASAP"
    constraint_date: dt.date | dt.datetime | None = None
    secondary_constraint: str | None = None
    secondary_constraint_date: dt.date | dt.datetime | None = None
    deadline: dt.date | dt.datetime | None = None
    actual_start: dt.date | dt.datetime | None = None
    actual_finish: dt.date | dt.datetime | None = None
    remaining_duration: float | None = None
    percent_complete: float | None = None
    actual_cost: float | None = None
    manual_start: dt.date | dt.datetime | None = None
    summary_finish: dt.date | dt.datetime | None = None
    levelling_delay: float = 0.0
    levelling_delay_calendar: str | None = None
    existence: float = 1.0
    branch: str = ""
    ev_method: str = "percent_complete"
    level_of_effort: bool = False
    crash_duration: float | None = None
    crash_cost: float | None = None
    splits: tuple[tuple[float, float], ...] = ()
    # Conveniences for building an estimate; not stored.
    duration: float | None = field(default=None, repr=False, compare=False)
    optimistic: float | None = field(default=None, repr=False, compare=False)
    most_likely: float | None = field(default=None, repr=False, compare=False)
    pessimistic: float | None = field(default=None, repr=False, compare=False)
    distribution: str | None = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        set_ = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731
        set_("id", valid_id("Task", self.id))
        who = f"Task {self.id!r}"
        set_("name", str(self.name) if self.name not in (None, "") else self.id)
        set_("ev_method", ev_method(who, self.ev_method))
        set_("level_of_effort", _flag(who, "level_of_effort", self.level_of_effort))
        if self.level_of_effort:
            self._check_level_of_effort(who)
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
            rid = valid_id("Resource", rid)
            if rid in seen:
                raise DuplicateIdError(f"{who}: resource {rid!r} is demanded twice")
            seen.add(rid)
            u = valid_number(who, f"units of resource {rid!r}", units, minimum=0)
            demand.append((rid, u))
        set_("resources", tuple(demand))
        set_("fixed_cost", valid_number(who, "fixed_cost", self.fixed_cost, minimum=0))
        set_("cost_per_day", valid_number(who, "cost_per_day", self.cost_per_day, minimum=0))
        set_("phase", "" if self.phase is None else str(self.phase).strip())
        set_("milestone", _milestone(who, self.milestone))
        set_("calendar", _calendar_id(who, self.calendar))
        existence = valid_number(who, "existence", 1.0 if self.existence is None else self.existence)
        if not 0 <= existence <= 1:
            raise ValidationError(f"{who}: existence is a probability and must be in [0, 1], got {existence:g}")
        set_("existence", existence)
        set_("branch", "" if self.branch is None else str(self.branch).strip())
        self._check_constraints(who)
        self._check_progress(who)
        self._check_crash(who)
        set_("splits", valid_splits(who, self.splits, self.milestone))

    def _check_level_of_effort(self, who: str) -> None:
        """A level-of-effort task takes its duration from its links: no estimate (a duration of 0 is accepted),
        milestone flag, constraint, manual start or uncertain existence; it earns value as time passes (unless
        another method is named). Its estimate is a fixed 0: the schedules compute its span."""
        rule = "a level-of-effort task takes its dates from its links, so it cannot"
        if self.milestone:
            raise ValidationError(f"{who}: {rule} be a milestone")
        given = self.estimate.planned if isinstance(self.estimate, Fixed) else self.duration
        if (self.optimistic, self.most_likely, self.pessimistic) != (None, None, None) or (
                self.estimate is not None and not isinstance(self.estimate, Fixed)) or given not in (None, 0, 0.0):
            raise ValidationError(f"{who}: {rule} have a duration of its own (leave the duration empty or 0: "
                                  f"its span is computed)")
        for name in ("constraint", "secondary_constraint"):
            kind = getattr(self, name)
            if kind is not None and str(kind).strip().upper() not in ("", "ASAP", "NAN"):
                raise ValidationError(f"{who}: {rule} have a date constraint ({name} {kind})")
        if self.manual_start is not None:
            raise ValidationError(f"{who}: {rule} be manually scheduled")
        if self.existence not in (None, 1, 1.0) or (self.branch or "").strip():
            raise ValidationError(f"{who}: {rule} exist with a probability or be a branch alternative")
        if self.ev_method == "percent_complete":
            object.__setattr__(self, "ev_method", "level_of_effort")
        object.__setattr__(self, "estimate", Fixed(0.0))

    def _check_crash(self, who: str) -> None:
        """Crash duration and cost: numbers >= 0, both or neither (their bounds need the cost model: pm.crash)."""
        given = {}
        for name in ("crash_duration", "crash_cost"):
            value = getattr(self, name)
            blank = value is None or (isinstance(value, float) and math.isnan(value)) or (
                isinstance(value, str) and not value.strip())
            given[name] = None if blank else valid_number(who, name, value, minimum=0)
            object.__setattr__(self, name, given[name])
        if (given["crash_duration"] is None) != (given["crash_cost"] is None):
            missing = "crash_cost" if given["crash_cost"] is None else "crash_duration"
            raise ValidationError(f"{who}: crash_duration and crash_cost go together; {missing} is missing")

    def _check_constraints(self, who: str) -> None:
        set_ = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731
        kinds = []
        for kind_field, date_field in (("constraint", "constraint_date"),
                                       ("secondary_constraint", "secondary_constraint_date")):
            kind = getattr(self, kind_field)
            blank = kind is None or (isinstance(kind, float) and math.isnan(kind)) or not str(kind).strip()
            kind = ("ASAP" if kind_field == "constraint" else None) if blank else str(kind).strip().upper()
            if kind is not None and kind not in CONSTRAINTS:
                raise ValidationError(f"{who}: unknown constraint {getattr(self, kind_field)!r}; "
                                      f"use one of {', '.join(CONSTRAINTS)}")
            date = _moment(f"{who}: {date_field}", getattr(self, date_field))
            if kind in _DATED and date is None:
                raise ValidationError(f"{who}: constraint {kind} needs a date ({date_field})")
            if kind not in _DATED:
                if date is not None and kind is not None:
                    raise ValidationError(f"{who}: constraint {kind} takes no date, got {date_field} {date}")
                date = None
            set_(kind_field, kind)
            set_(date_field, date)
            if kind is not None:
                kinds.append(kind)
        if len(kinds) == 2 and self.secondary_constraint in ("ASAP", "ALAP"):
            raise ValidationError(f"{who}: a secondary constraint must be a dated one, got {self.secondary_constraint}")
        set_("deadline", _moment(f"{who}: deadline", self.deadline))
        set_("manual_start", _moment(f"{who}: manual_start", self.manual_start))
        set_("summary_finish", _moment(f"{who}: summary_finish", self.summary_finish))
        set_("levelling_delay", valid_number(who, "levelling_delay", self.levelling_delay, minimum=0))
        set_("levelling_delay_calendar", _calendar_id(who, self.levelling_delay_calendar))

    def _check_progress(self, who: str) -> None:
        set_ = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731
        start = _moment(f"{who}: actual_start", self.actual_start)
        finish = _moment(f"{who}: actual_finish", self.actual_finish)
        set_("actual_start", start)
        set_("actual_finish", finish)
        if finish is not None and start is None:
            raise ValidationError(f"{who}: has an actual_finish but no actual_start")
        if start is not None and finish is not None and _later(start, finish):
            raise ValidationError(f"{who}: actual_finish {finish} is before actual_start {start}")
        pct = self.percent_complete
        if pct is not None and not (isinstance(pct, float) and math.isnan(pct)):
            pct = valid_number(who, "percent_complete", pct, minimum=0)
            if pct > 100:
                raise ValidationError(f"{who}: percent_complete must be in [0, 100], got {pct:g}")
        else:
            pct = None
        rem = self.remaining_duration
        if rem is not None and not (isinstance(rem, float) and math.isnan(rem)):
            rem = valid_number(who, "remaining_duration", rem, minimum=0)
        else:
            rem = None
        if finish is not None:
            if rem is not None and rem > 0:
                raise ValidationError(f"{who}: has an actual_finish but {rem:g} working days remaining")
            if pct is not None and pct < 100:
                raise ValidationError(f"{who}: has an actual_finish but is {pct:g} % complete; a finished task is 100 %")
        if (pct is not None or rem is not None) and start is None and (pct or 0) > 0:
            raise ValidationError(f"{who}: is {pct:g} % complete but has no actual_start")
        set_("percent_complete", pct)
        set_("remaining_duration", rem)
        cost = self.actual_cost
        if cost is not None and not (isinstance(cost, float) and math.isnan(cost)):
            set_("actual_cost", valid_number(who, "actual_cost", cost, minimum=0))
        else:
            set_("actual_cost", None)

    @property
    def started(self) -> bool:
        return self.actual_start is not None

    @property
    def finished(self) -> bool:
        return self.actual_finish is not None

    def __repr__(self) -> str:
        return _short_repr(self, ("id", "name", "estimate", "resources", "fixed_cost", "cost_per_day", "phase",
                                  "milestone"))

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


def _later(a, b) -> bool:
    """Is moment ``a`` after moment ``b`` (a date alone: the whole day, so a finish date can equal a start date)?"""
    if isinstance(a, dt.datetime) and isinstance(b, dt.datetime):
        return a > b
    return as_date("date", a) > as_date("date", b)


# --------------------------------------------------------------------------- Dependency


@dataclass(frozen=True)
class Dependency:
    """A link between two tasks: FS (default), SS, FF or SF, with a lag in working days.

    A negative lag is a lead. The lag counts working time of the calendar the
    project's ``lag_calendar`` rule names, or of ``lag_calendar`` (a calendar id)
    when given.

    >>> Dependency("A", "B", "SS", 2)
    Dependency(predecessor='A', successor='B', type='SS', lag=2.0)
    """

    predecessor: str
    successor: str
    type: str = "FS"
    lag: float = 0.0
    lag_calendar: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "predecessor", valid_id("Task", self.predecessor))
        object.__setattr__(self, "successor", valid_id("Task", self.successor))
        who = f"Dependency {self.predecessor!r} -> {self.successor!r}"
        kind = str(self.type).strip().upper()
        if kind not in LINK_TYPES:
            raise ValidationError(f"{who}: unknown link type {self.type!r}; use one of FS, SS, FF, SF")
        object.__setattr__(self, "type", kind)
        object.__setattr__(self, "lag", valid_number(who, "lag", self.lag))
        if self.predecessor == self.successor:
            raise CycleError(f"{who}: a task cannot depend on itself", (self.predecessor,))
        object.__setattr__(self, "lag_calendar", _calendar_id(who, self.lag_calendar))

    def __repr__(self) -> str:
        return _short_repr(self, ("predecessor", "successor", "type", "lag"))

    def __str__(self) -> str:
        # Exact: the predecessor text reads back to the same float.
        lag = "" if self.lag == 0 else (f"{int(self.lag):+d}" if self.lag.is_integer() else f"{self.lag:+}")
        kind = "" if self.type == "FS" and not lag else self.type
        return f"{self.predecessor} {kind}{lag}".strip()


# --------------------------------------------------------------------------- Resource


@dataclass(frozen=True)
class Resource:
    """A renewable resource: ``capacity`` units available per working day.

    ``rate_optimistic``, ``rate_most_likely``, ``rate_pessimistic``: the
    uncertainty of its ``cost_per_day`` as a three-point multiplier (a
    triangular factor such as 0.9 / 1.0 / 1.25; ``rate_most_likely``
    defaults to 1). The Monte Carlo draws it once per iteration and applies
    it to every task the resource works on, so the costs of its tasks move
    together. ``escalation``: its own cost escalation in percent per year
    (None: the project's).

    >>> Resource("dev", "Developer", capacity=3, cost_per_day=640)
    Resource(id='dev', name='Developer', capacity=3.0, cost_per_day=640.0)
    >>> Resource("dev", cost_per_day=640, rate_optimistic=0.9, rate_pessimistic=1.25).rate_factor
    Triangular(optimistic=0.9, most_likely=1.0, pessimistic=1.25)
    """

    id: str
    name: str = ""
    capacity: float = 1.0
    cost_per_day: float = 0.0
    calendar: str | None = None
    rate_optimistic: float | None = None
    rate_most_likely: float | None = None
    rate_pessimistic: float | None = None
    escalation: float | None = None

    def __post_init__(self):
        object.__setattr__(self, "id", valid_id("Resource", self.id))
        who = f"Resource {self.id!r}"
        object.__setattr__(self, "name", str(self.name) if self.name not in (None, "") else self.id)
        object.__setattr__(self, "capacity", valid_number(who, "capacity", self.capacity, minimum=0))
        object.__setattr__(self, "cost_per_day", valid_number(who, "cost_per_day", self.cost_per_day, minimum=0))
        object.__setattr__(self, "calendar", _calendar_id(who, self.calendar))
        for name, value in zip(("rate_optimistic", "rate_most_likely", "rate_pessimistic"), _rate_points(who, (
                self.rate_optimistic, self.rate_most_likely, self.rate_pessimistic))):
            object.__setattr__(self, name, value)
        if self.escalation is not None:
            object.__setattr__(self, "escalation", valid_escalation(who, self.escalation))

    @property
    def rate_factor(self) -> Distribution | None:
        """The multiplier of ``cost_per_day`` (a Triangular), or None when the rate is certain."""
        if self.rate_optimistic is None:
            return None
        from ..distributions import Triangular

        return Triangular(self.rate_optimistic, self.rate_most_likely, self.rate_pessimistic)

    def __repr__(self) -> str:
        return _short_repr(self, ("id", "name", "capacity", "cost_per_day"))


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _rate_points(who: str, points) -> tuple:
    """The three points of a rate multiplier: all None, or optimistic <= most likely (default 1) <= pessimistic,
    each > 0."""
    names = ("rate_optimistic", "rate_most_likely", "rate_pessimistic")
    if all(_missing(v) for v in points):
        return None, None, None
    low, mode, high = points
    if _missing(low) or _missing(high):
        raise ValidationError(f"{who}: a rate multiplier needs rate_optimistic and rate_pessimistic (such as 0.9 and "
                              "1.25; rate_most_likely defaults to 1)")
    values = [valid_number(who, name, 1.0 if _missing(v) else v) for name, v in zip(names, (low, mode, high))]
    for name, v in zip(names, values):
        if not v > 0:
            raise ValidationError(f"{who}: {name} must be > 0 (it multiplies cost_per_day), got {v:g}")
    if not values[0] <= values[1] <= values[2]:
        raise ValidationError(f"{who}: the rate multiplier must have rate_optimistic <= rate_most_likely <= "
                              f"rate_pessimistic, got {values[0]:g} / {values[1]:g} / {values[2]:g}")
    return tuple(values)


def valid_escalation(who: str, value) -> float:
    """An escalation rate in percent per year: a number > -100 (a fall of 100 % or more per year is no rate).

    >>> valid_escalation("Project 'x'", "3.5")
    3.5
    """
    v = valid_number(who, "escalation", value)
    if not v > -100:
        raise ValidationError(f"{who}: escalation is in percent per year and must be > -100, got {v:g}")
    return v


# --------------------------------------------------------------------------- Risk


@dataclass(frozen=True)
class Risk:
    """A threat (or an opportunity) that occurs with ``probability`` in each iteration.

    An ``event`` (the default) adds ``impact`` (working days, a distribution;
    negative days for an opportunity) to each task in ``tasks`` when it
    occurs, and ``cost_impact`` (negative: a saving) to the project cost. A
    ``driver`` (Hulett's risk driver) multiplies the duration of every task it
    names by one factor drawn from ``impact`` (such as 0.95 / 1.05 / 1.3;
    below 1 for an opportunity), the same draw for all its tasks in an
    iteration. A task's duration never falls below zero.

    A response (``response_cost``, and the post-response ``post_probability``,
    ``post_impact`` or its three points ``post_optimistic`` ...
    ``post_pessimistic``, ``post_cost_impact``; each empty one keeps its
    pre-response value) is what the risk becomes once the response is in
    effect: ``simulate(..., responses=True)``. Post values without a response
    cost make a response that costs nothing (``pmsim/model/response.py``).

    >>> r = Risk("R1", "Vendor late", 0.3, tasks=("T4",), optimistic=2, most_likely=5, pessimistic=15)
    >>> r.impact.mean, r.tasks, r.kind
    (6.166666666666667, ('T4',), 'event')
    >>> Risk("D1", probability=1, tasks=("T1", "T2"), kind="driver", most_likely=1.2, distribution="fixed").impact
    Fixed(value=1.2)
    """

    id: str
    name: str = ""
    probability: float = 0.0
    tasks: tuple[str, ...] = ()
    impact: Distribution | None = None
    cost_impact: float = 0.0
    kind: str = "event"
    post_probability: float | None = None
    post_impact: Distribution | None = None
    post_cost_impact: float | None = None
    response_cost: float | None = None
    optimistic: float | None = field(default=None, repr=False, compare=False)
    most_likely: float | None = field(default=None, repr=False, compare=False)
    pessimistic: float | None = field(default=None, repr=False, compare=False)
    distribution: str | None = field(default=None, repr=False, compare=False)
    post_optimistic: float | None = field(default=None, repr=False, compare=False)
    post_most_likely: float | None = field(default=None, repr=False, compare=False)
    post_pessimistic: float | None = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        set_ = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731
        set_("id", valid_id("Risk", self.id))
        who = f"Risk {self.id!r}"
        set_("name", str(self.name) if self.name not in (None, "") else self.id)
        kind = "event" if self.kind is None or (isinstance(self.kind, float) and math.isnan(self.kind)) \
            else str(self.kind).strip().lower() or "event"
        if kind not in RISK_KINDS:
            raise ValidationError(f"{who}: kind must be 'event' or 'driver', got {self.kind!r}")
        set_("kind", kind)
        p = valid_number(who, "probability", self.probability)
        if not 0 <= p <= 1:
            raise ValidationError(f"{who}: probability must be in [0, 1], got {p:g}")
        set_("probability", p)
        tasks = (self.tasks,) if isinstance(self.tasks, str) else tuple(self.tasks)
        set_("tasks", tuple(valid_id("Task", t) for t in tasks))
        twice = [t for k, t in enumerate(self.tasks) if t in self.tasks[:k]]
        if twice:
            raise DuplicateIdError(f"{who}: names task {twice[0]!r} twice; each task it delays is named once "
                                   "(its impact would otherwise apply twice)")
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
        if impact is not None and not isinstance(impact, Distribution):
            raise ValidationError(f"{who}: impact must be a pmsim distribution")
        if kind == "driver":
            if impact is None:
                raise ValidationError(f"{who}: a driver needs its factor (optimistic, most_likely, pessimistic, "
                                      "such as 0.95, 1.05, 1.3)")
            if not impact.low > 0:
                raise ValidationError(f"{who}: a driver's factor must be > 0 (it multiplies durations), "
                                      f"got {impact.low:g}")
            if not self.tasks:
                raise ValidationError(f"{who}: a driver needs the tasks whose durations it multiplies")
        elif impact is not None and not self.tasks and (impact.high != 0 or impact.low != 0):
            raise ValidationError(f"{who}: a schedule impact needs the tasks it delays")
        set_("impact", impact)
        set_("cost_impact", valid_number(who, "cost_impact", self.cost_impact))
        response = response_fields(who, kind == "driver", self.distribution, self.post_impact, self.post_probability,
                                   (self.post_optimistic, self.post_most_likely, self.post_pessimistic),
                                   self.post_cost_impact, self.response_cost)
        post = response["post_impact"]
        if kind == "event" and post is not None and not self.tasks and (post.high != 0 or post.low != 0):
            raise ValidationError(f"{who}: a post-response schedule impact needs the tasks it delays")
        for k, v in response.items():
            set_(k, v)
        for k in ("optimistic", "most_likely", "pessimistic", "distribution", "post_optimistic", "post_most_likely",
                  "post_pessimistic"):
            set_(k, None)

    @property
    def has_response(self) -> bool:
        """Whether the risk has a response (a response cost or a post-response value)."""
        return self.response_cost is not None

    def responded(self) -> "Risk":
        """The risk once its response is in effect: post values in place of the pre-response ones (the response
        cost is not in it: the engine pays it)."""
        if not self.has_response:
            return self
        return Risk(self.id, self.name,
                    probability=self.probability if self.post_probability is None else self.post_probability,
                    tasks=self.tasks, impact=self.impact if self.post_impact is None else self.post_impact,
                    cost_impact=self.cost_impact if self.post_cost_impact is None else self.post_cost_impact,
                    kind=self.kind)

    @property
    def is_driver(self) -> bool:
        """Whether the risk multiplies durations (a driver) rather than adding days (an event)."""
        return self.kind == "driver"

    def replace(self, **changes) -> "Risk":
        """A copy with some fields changed, validated again."""
        return _dc_replace(self, **changes)


def _milestone(who: str, value) -> bool | str:
    """False, True (a milestone at the end of the work before it) or "start" (at the next working moment)."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("start", "finish"):
            return "start" if text == "start" else True
        raise ValidationError(f"{who}: milestone must be true, false, 'start' or 'finish', got {value!r}")
    return bool(value)


def _flag(who: str, name: str, value) -> bool:
    """A yes/no field: a bool, 0/1, or the words true/false, yes/no (a file's cell)."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "yes", "1", "y"):
            return True
        if text in ("false", "no", "0", "n", ""):
            return False
        raise ValidationError(f"{who}: {name} must be true or false, got {value!r}")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    if value in (0, 1):
        return bool(value)
    raise ValidationError(f"{who}: {name} must be true or false, got {value!r}")
