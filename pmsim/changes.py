"""What differs between two versions of a project, in groups, and any mix of the two.

:func:`diff` splits the differences between a base project and a changed
one (a scenario applied, a re-forecast at a later status date, a file
edited by hand) into groups a planner recognises; :meth:`Changes.mix` builds
the project that takes the changed version's side of some groups and the
base's side of the others. :func:`pmsim.explain` simulates such mixes to
attribute a change in the P80 to its causes (:mod:`pmsim.attribution`).

The groups, and the fields each one holds:

- ``estimates``: task estimates and cost rates (``estimate``, ``fixed_cost``,
  ``cost_per_day``; a resource's ``cost_per_day``; the project's ``cost_per_day``);
- ``escalation and rate ranges``: the project's ``escalation`` and
  ``escalation_date``, a resource's own ``escalation`` and its rate
  multiplier (``rate_optimistic``, ``rate_most_likely``, ``rate_pessimistic``):
  what moves the cost, never the dates;
- ``risk <id>``: one group per risk of the register that was added, removed
  or edited (probability, impact, tasks, cost, kind);
- ``response <id>``: one group per risk whose response was put in effect or
  withdrawn (the run's ``responses``: its post-response probability, impact
  and cost impact, and the response's own cost);
- ``levelling``: resources (added, removed, ``capacity``, ``calendar``),
  task assignments (``resources``) and the levelled switch of the run;
- ``calendars and constraints``: the project and task calendars, the start,
  constraints, deadlines of tasks, ``must_finish_by``, ``lag_calendar``,
  ``honor_constraints``;
- ``logic``: tasks added or removed, links (type, lag, added, removed),
  milestones, a task's ``existence`` and ``branch``;
- ``progress``: actual dates, remaining durations, percent complete, actual
  cost, the status date and ``progress_rule``;
- ``correlation``: the correlation of the run (and the phases, which group
  tasks for a correlation strength);
- ``other``: any other field that moves the schedule (none today; a field
  added to the model later lands here until it is given a group).

Names, descriptions, the currency, the budget, the project deadline and the
total-float rule do not move the finish or the cost: they form no group.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from .errors import PmsimError
from .model import Project

__all__ = ["ESTIMATES", "PRICES", "LEVELLING", "CALENDARS", "LOGIC", "PROGRESS", "CORRELATION", "OTHER",
           "Changes", "Settings", "diff", "risk_group", "response_group"]

ESTIMATES = "estimates"
PRICES = "escalation and rate ranges"
LEVELLING = "levelling"
CALENDARS = "calendars and constraints"
LOGIC = "logic"
PROGRESS = "progress"
CORRELATION = "correlation"
OTHER = "other"
_ORDER = (ESTIMATES, PRICES, LOGIC, CALENDARS, LEVELLING, CORRELATION, PROGRESS, OTHER)  # risks go before OTHER

_TASK_FIELDS = {
    "estimate": ESTIMATES, "fixed_cost": ESTIMATES, "cost_per_day": ESTIMATES,
    "resources": LEVELLING,
    "calendar": CALENDARS, "constraint": CALENDARS, "constraint_date": CALENDARS,
    "secondary_constraint": CALENDARS, "secondary_constraint_date": CALENDARS, "deadline": CALENDARS,
    "actual_start": PROGRESS, "actual_finish": PROGRESS, "remaining_duration": PROGRESS,
    "percent_complete": PROGRESS, "actual_cost": PROGRESS,
    "milestone": LOGIC, "existence": LOGIC, "branch": LOGIC,
    "phase": CORRELATION,
    "id": None, "name": None,
}
_RESOURCE_FIELDS = {"capacity": LEVELLING, "calendar": LEVELLING, "cost_per_day": ESTIMATES, "id": None, "name": None,
                    "escalation": PRICES, "rate_optimistic": PRICES, "rate_most_likely": PRICES,
                    "rate_pessimistic": PRICES}
_PROJECT_FIELDS = {
    "calendar": CALENDARS, "calendars": CALENDARS, "start": CALENDARS, "start_time": CALENDARS,
    "must_finish_by": CALENDARS, "lag_calendar": CALENDARS, "honor_constraints": CALENDARS,
    "status_date": PROGRESS, "progress_rule": PROGRESS,
    "cost_per_day": ESTIMATES, "escalation": PRICES, "escalation_date": PRICES,
    "name": None, "description": None, "currency": None, "budget": None, "deadline": None, "total_float": None,
    "tasks": None, "dependencies": None, "resources": None, "risks": None,  # compared item by item
}


def risk_group(risk_id: str) -> str:
    """The name of the group of one risk's changes."""
    return f"risk {risk_id}"


def response_group(risk_id: str) -> str:
    """The name of the group of one risk's response put in effect (or withdrawn)."""
    return f"response {risk_id}"


def _compared(obj) -> list[str]:
    return [f.name for f in fields(obj) if f.compare]


def _field_groups(a, b, table: dict) -> set:
    """The groups of the fields in which ``a`` and ``b`` differ (a field missing from ``table``: OTHER)."""
    return {table.get(name, OTHER) for name in _compared(a) if getattr(a, name) != getattr(b, name)} - {None}


@dataclass(frozen=True)
class Settings:
    """How a version is simulated: its correlation (groups, a matrix, or a strength per phase), levelling and
    the risks whose responses are in effect (as ``simulate(..., responses=)`` takes them)."""

    correlation: object = None
    levelled: bool = False
    responses: frozenset = frozenset()


@dataclass(frozen=True, eq=False)
class Changes:
    """The differences between ``base`` and ``changed``, as named groups (:func:`diff`)."""

    base: Project
    changed: Project
    base_settings: Settings
    changed_settings: Settings
    groups: tuple  # group names, in the order of the module docstring
    details: dict  # group name -> a short text saying what changed
    task_groups: dict = field(default_factory=dict)  # task id -> the groups in which its two versions differ
    _mixed: dict = field(default_factory=dict)  # (task id, groups taken from changed) -> that task

    def mix(self, chosen) -> tuple[Project, Settings]:
        """The project (and its run settings) with the changed version of the groups in ``chosen``.

        Every other group keeps the base's version; all groups give ``changed``
        itself, none gives ``base``.
        """
        chosen = frozenset(chosen)
        unknown = chosen - set(self.groups)
        if unknown:
            raise PmsimError(f"unknown groups of changes: {sorted(unknown)}; this change has {list(self.groups)}")
        side = lambda group: self.changed_settings if group in chosen else self.base_settings  # noqa: E731
        responses = {rid for rid in self.base_settings.responses | self.changed_settings.responses
                     if rid in side(response_group(rid)).responses}
        if chosen == set(self.groups):
            project = self.changed
        elif not chosen:
            project = self.base
        else:
            try:
                project = _mix_projects(self, chosen)
            except PmsimError as exc:
                raise PmsimError(f"the base with only these changes ({', '.join(sorted(chosen))}) is not a valid "
                                 f"project: {exc}") from exc
        # A response plays where its risk, in this mix, is in the register and has one.
        responding = {r.id for r in project.risks if r.has_response}
        settings = Settings(correlation=side(CORRELATION).correlation, levelled=side(LEVELLING).levelled,
                            responses=frozenset(responses & responding))
        return project, settings


def _pick(a, b, chosen: frozenset, table: dict):
    """``a`` with the fields of ``b`` whose group is in ``chosen``."""
    changes = {name: getattr(b, name) for name in _compared(a)
               if table.get(name, OTHER) in chosen and getattr(a, name) != getattr(b, name)}
    return a if not changes else type(a)(**{**{n: getattr(a, n) for n in _compared(a)}, **changes})


def _mixed_task(changes: Changes, a_task, b_task, chosen: frozenset):
    """The task with ``b_task``'s fields in the groups of ``chosen`` and ``a_task``'s elsewhere (memoised)."""
    taken = changes.task_groups.get(a_task.id, frozenset()) & chosen
    if not taken:
        return a_task
    if taken == changes.task_groups[a_task.id]:
        return b_task
    key = (a_task.id, taken)
    if key not in changes._mixed:
        changes._mixed[key] = _pick(a_task, b_task, taken, _TASK_FIELDS)
    return changes._mixed[key]


def _mix_projects(changes: Changes, chosen: frozenset) -> Project:
    a, b = changes.base, changes.changed
    logic = LOGIC in chosen
    b_tasks = {t.id: t for t in b.tasks}
    a_tasks = {t.id: t for t in a.tasks}
    order = b.tasks if logic else a.tasks
    tasks = [_mixed_task(changes, a_tasks[t.id], b_tasks[t.id], chosen) if t.id in a_tasks and t.id in b_tasks
             else t for t in order]
    ids = {t.id for t in tasks}
    dependencies = b.dependencies if logic else a.dependencies

    a_res = {r.id: r for r in a.resources}
    b_res = {r.id: r for r in b.resources}
    base_res = b.resources if LEVELLING in chosen else a.resources
    resources = [_pick(a_res[r.id], b_res[r.id], chosen, _RESOURCE_FIELDS) if r.id in a_res and r.id in b_res else r
                 for r in base_res]
    # A task kept from one side may name a resource only that side has: bring its definition along.
    have = {r.id for r in resources}
    for t in tasks:
        for rid, _ in t.resources:
            if rid not in have:
                resources.append(b_res.get(rid) or a_res[rid])
                have.add(rid)

    a_risk = {r.id: r for r in a.risks}
    b_risk = {r.id: r for r in b.risks}
    risks = []
    for rid in list(a_risk) + [r for r in b_risk if r not in a_risk]:
        risk = (b_risk if risk_group(rid) in chosen else a_risk).get(rid)
        if risk is None:
            continue
        kept = tuple(t for t in risk.tasks if t in ids)
        if kept != risk.tasks:
            risk = risk.replace(tasks=kept, impact=risk.impact if kept else None)
        risks.append(risk)

    top = {name: getattr(b if _PROJECT_FIELDS.get(name, OTHER) in chosen else a, name) for name in _compared(a)
           if _PROJECT_FIELDS.get(name, OTHER) is not None}
    # Calendars: a task or resource kept from one side may name a calendar only that side has.
    calendars = list(top.get("calendars", a.calendars))
    known = {c.id for c in calendars} | {top.get("calendar", a.calendar).id}
    other = {c.id: c for c in list(a.calendars) + list(b.calendars)}
    wanted = [x.calendar for x in list(tasks) + resources] + [d.lag_calendar for d in dependencies]
    for cid in wanted:
        if cid is not None and cid not in known and cid in other:
            calendars.append(other[cid])
            known.add(cid)
    top["calendars"] = tuple(calendars)
    return a.replace(tasks=tuple(tasks), dependencies=tuple(dependencies), resources=tuple(resources),
                     risks=tuple(risks), **top)


def diff(base: Project, changed: Project, base_settings: Settings | None = None,
         changed_settings: Settings | None = None) -> Changes:
    """The groups of changes that turn ``base`` (run with ``base_settings``) into ``changed``."""
    base_settings = base_settings or Settings()
    changed_settings = changed_settings or base_settings
    found: dict[str, list[str]] = {}

    def note(group, text):
        if group is not None:
            found.setdefault(group, []).append(text)

    a_tasks = {t.id: t for t in base.tasks}
    b_tasks = {t.id: t for t in changed.tasks}
    added = [t for t in b_tasks if t not in a_tasks]
    removed = [t for t in a_tasks if t not in b_tasks]
    if added:
        note(LOGIC, _some("task", added, "added"))
    if removed:
        note(LOGIC, _some("task", removed, "removed"))
    if set(base.dependencies) != set(changed.dependencies):
        gone = set(base.dependencies) - set(changed.dependencies)
        new = set(changed.dependencies) - set(base.dependencies)
        note(LOGIC, f"{len(new)} link(s) new or edited, {len(gone)} gone or edited")
    per_group: dict[str, list[str]] = {}
    task_groups = {}
    for tid in a_tasks.keys() & b_tasks.keys():
        task_groups[tid] = frozenset(_field_groups(a_tasks[tid], b_tasks[tid], _TASK_FIELDS))
        for group in task_groups[tid]:
            per_group.setdefault(group, []).append(tid)
    a_res = {r.id: r for r in base.resources}
    b_res = {r.id: r for r in changed.resources}
    if a_res.keys() != b_res.keys():
        note(LEVELLING, "resources added or removed")
    for rid in a_res.keys() & b_res.keys():
        for group in _field_groups(a_res[rid], b_res[rid], _RESOURCE_FIELDS):
            per_group.setdefault(group, []).append(f"resource {rid}")
    for group, who in per_group.items():
        note(group, _some("task", sorted(who, key=str), "changed"))
    for name in _compared(base):
        group = _PROJECT_FIELDS.get(name, OTHER)
        if group is not None and getattr(base, name) != getattr(changed, name):
            note(group, f"project {name}")
    if base_settings.levelled != changed_settings.levelled:
        note(LEVELLING, "levelled " + ("on" if changed_settings.levelled else "off"))
    if not _same(base_settings.correlation, changed_settings.correlation):
        note(CORRELATION, f"correlation {_text(base_settings.correlation)} -> {_text(changed_settings.correlation)}")
    elif CORRELATION in found and not _by_strength(base_settings.correlation):
        del found[CORRELATION]  # phases changed, but no correlation strength groups tasks by phase
    a_risk = {r.id: r for r in base.risks}
    b_risk = {r.id: r for r in changed.risks}
    risk_groups = []
    for rid in list(a_risk) + [r for r in b_risk if r not in a_risk]:
        if rid not in b_risk:
            text = "removed"
        elif rid not in a_risk:
            text = "added"
        elif a_risk[rid] != b_risk[rid]:
            edited = [n for n in _compared(a_risk[rid]) if getattr(a_risk[rid], n) != getattr(b_risk[rid], n)]
            text = "edited: " + ", ".join(edited)
        else:
            continue
        risk_groups.append(risk_group(rid))
        found[risk_group(rid)] = [text]
    for rid in list(b_risk) + [r for r in a_risk if r not in b_risk]:
        on, before = rid in changed_settings.responses, rid in base_settings.responses
        if on != before:
            risk_groups.append(response_group(rid))
            found[response_group(rid)] = ["response in effect" if on else "response withdrawn"]
    groups = [g for g in _ORDER[:-1] if g in found] + risk_groups + [OTHER] * (OTHER in found)
    return Changes(base=base, changed=changed, base_settings=base_settings, changed_settings=changed_settings,
                   groups=tuple(groups), details={g: "; ".join(found[g]) for g in groups},
                   task_groups={t: g for t, g in task_groups.items() if g})


def _some(what: str, ids, verb: str) -> str:
    ids = list(ids)
    shown = ", ".join(map(str, ids[:3])) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
    return f"{len(ids)} {what}{'s' if len(ids) > 1 else ''} {verb} ({shown})"


def _by_strength(correlation) -> bool:
    return isinstance(correlation, (int, float)) and not isinstance(correlation, bool) and correlation != 0


def _empty(correlation) -> bool:
    return correlation is None or (isinstance(correlation, (int, float)) and correlation == 0)


def _same(a, b) -> bool:
    if _empty(a) or _empty(b):
        return _empty(a) and _empty(b)
    try:
        return bool(a == b) if not hasattr(a, "equals") else bool(a.equals(b))
    except (TypeError, ValueError):
        return a is b


def _text(correlation) -> str:
    if _empty(correlation):
        return "none"
    if _by_strength(correlation):
        return f"{correlation:g} within phases"
    return "given"
