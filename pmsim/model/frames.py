"""A project written back as the table format: four tables and its settings.

:func:`project_to_frames` is the inverse of :func:`pmsim.model.tables.project_parts`:
reading its output gives the same project (tested both ways).
"""

from __future__ import annotations

from dataclasses import fields as dataclass_fields

import pandas as pd

from ..distributions import Discrete, Distribution, Fixed
from ..errors import ValidationError
from .calendar_cells import _calendar_fields, _calendar_row
from .cells import (
    _MOMENT_COLUMNS, CALENDAR_COLUMNS, NUMERIC_COLUMNS, RESOURCE_COLUMNS, RISK_COLUMNS, TASK_COLUMNS,
    format_number, moment_text,
)
from .entities import Dependency

__all__ = ["project_to_frames"]


def _estimate_fields(estimate: Distribution) -> dict:
    if isinstance(estimate, Discrete):
        values = "; ".join(
            f"{format_number(v)}:{format_number(p)}" for v, p in zip(estimate.values, estimate.probabilities)
        )
        return {"distribution": "discrete", "values": values}
    fields = dict(estimate.to_fields())
    if not isinstance(estimate, Fixed):
        fields["distribution"] = estimate.kind
    return fields


def _link_text(dep: Dependency) -> str:
    if dep.type == "FS" and dep.lag == 0 and dep.lag_calendar is None:
        return dep.predecessor
    lag = "" if dep.lag == 0 else ("+" if dep.lag > 0 else "-") + format_number(abs(dep.lag))
    on = "" if dep.lag_calendar is None else f" @{dep.lag_calendar}"
    return f"{dep.predecessor} {dep.type}{lag}{on}"


def _frame(rows: list[dict], columns: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(columns))
    for column in columns:
        if column in NUMERIC_COLUMNS:
            frame[column] = frame[column].astype(float)
        elif column == "milestone":
            frame[column] = frame[column].map(lambda v: v if v == "start" else bool(v)).astype(object)
        else:
            values = frame[column].astype(object)
            frame[column] = values.where(values.notna(), "")
    return frame


def project_to_frames(project) -> dict:
    """The project as tables and settings, the inverse of :func:`pmsim.model.project.project_from_frames`.

    Parameters
    ----------
    project : Project

    Returns
    -------
    dict
        ``tasks``, ``resources``, ``risks``, ``calendars``: DataFrames with
        every column of the format in a fixed order (numbers as floats, NaN
        where not given; text as str, ``""`` where not given, dates and
        moments as ISO text; ``milestone`` as bool), and ``settings``: a dict
        of the ``project.toml`` keys (dates as ``datetime.date``, moments as
        ``datetime.datetime``; ``budget``, ``deadline``, ``description`` and
        the scheduling settings only when set or not at their defaults;
        ``calendar`` the id of a calendar of ``calendars``, or a dict of the
        project calendar's keys).

    ``project_from_frames(**project_to_frames(p)) == p`` for every project
    whose dependencies are listed in task order (as every reader gives them).
    A lognormal estimate built from ``mu`` and ``sigma`` is written as its
    P10/P90, which reads back equal to within rounding.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", optimistic=1, most_likely=2, pessimistic=4)])
    >>> f = project_to_frames(p)
    >>> f["tasks"][["id", "optimistic", "most_likely", "pessimistic", "distribution"]].to_dict("records")
    [{'id': 'A', 'optimistic': 1.0, 'most_likely': 2.0, 'pessimistic': 4.0, 'distribution': 'betapert'}]
    >>> f["settings"]["start"]
    datetime.date(2027, 1, 4)
    """
    preds: dict[str, list[str]] = {t.id: [] for t in project.tasks}
    for dep in project.dependencies:
        preds[dep.successor].append(_link_text(dep))
    tasks = []
    for t in project.tasks:
        row = {
            "id": t.id, "name": t.name, "phase": t.phase,
            "predecessors": "; ".join(preds[t.id]),
            "resources": "; ".join(f"{rid}:{format_number(u)}" for rid, u in t.resources),
            "fixed_cost": t.fixed_cost, "cost_per_day": t.cost_per_day, "milestone": t.milestone,
            "calendar": t.calendar or "",
            "constraint": "" if t.constraint == "ASAP" else t.constraint,
            "secondary_constraint": t.secondary_constraint or "",
            "remaining_duration": t.remaining_duration, "percent_complete": t.percent_complete,
            "actual_cost": t.actual_cost,
            "existence": None if t.existence == 1.0 and not t.branch else t.existence, "branch": t.branch,
            "ev_method": "" if t.ev_method in ("percent_complete", "level_of_effort" * t.level_of_effort) else t.ev_method,
            "level_of_effort": "true" if t.level_of_effort else "",
            "crash_duration": t.crash_duration, "crash_cost": t.crash_cost,
            **{column: moment_text(getattr(t, column)) for column in _MOMENT_COLUMNS},
        }
        if not t.milestone:
            row.update(_estimate_fields(t.estimate))
        else:
            row["duration"] = 0.0
        tasks.append(row)
    resources = [
        {"id": r.id, "name": r.name, "capacity": r.capacity, "cost_per_day": r.cost_per_day,
         "calendar": r.calendar or "", "rate_optimistic": r.rate_optimistic, "rate_most_likely": r.rate_most_likely,
         "rate_pessimistic": r.rate_pessimistic, "escalation": r.escalation}
        for r in project.resources
    ]
    risks = []
    for r in project.risks:
        row = {"id": r.id, "name": r.name, "kind": "" if r.kind == "event" else r.kind, "probability": r.probability,
               "tasks": "; ".join(r.tasks), "cost_impact": r.cost_impact}
        if r.impact is not None:
            fields = _estimate_fields(r.impact)
            if "duration" in fields:  # risks have no duration column: a fixed impact is its most likely
                fields = {"most_likely": fields["duration"], "distribution": "fixed"}
            row.update(fields)
        row.update(_response_row(r))
        risks.append(row)
    return {
        "tasks": _frame(tasks, TASK_COLUMNS),
        "resources": _frame(resources, RESOURCE_COLUMNS),
        "risks": _frame(risks, RISK_COLUMNS),
        "calendars": _frame([_calendar_row(c) for c in project.calendars], CALENDAR_COLUMNS),
        "settings": _settings_of(project),
    }


def _response_row(risk) -> dict:
    """A risk's response columns; its post-response impact as three points of the risk's distribution."""
    row = {"post_probability": risk.post_probability, "post_cost_impact": risk.post_cost_impact,
           "response_cost": risk.response_cost}
    post = risk.post_impact
    if post is not None:
        if post == risk.impact:
            return row  # the same impact: left empty, it keeps the pre-response one
        fields = _estimate_fields(post)
        if "duration" in fields:  # a fixed post-response impact: its most likely alone
            row["post_most_likely"] = fields["duration"]
            return row
        if risk.impact is None:
            row["distribution"] = fields.get("distribution")  # the column then describes the post-response points
        else:
            pre = _estimate_fields(risk.impact)
            if fields.get("distribution") != pre.get("distribution", "fixed"):
                raise ValidationError(f"Risk {risk.id!r}: its post-response impact ({post.kind}) cannot be written "
                                      f"as three points of its pre-response distribution ({risk.impact.kind}); "
                                      "give both the same kind")
        if set(fields) - {"optimistic", "most_likely", "pessimistic", "distribution"}:
            raise ValidationError(f"Risk {risk.id!r}: its post-response impact ({post.kind}) cannot be written as "
                                  "three points; use a triangular, Beta-PERT (lambda 4) or uniform one")
        row.update({f"post_{k}": fields[k] for k in ("optimistic", "most_likely", "pessimistic") if k in fields})
    return row


def _settings_of(project) -> dict:
    settings = {"name": project.name, "start": project.start, "currency": project.currency}
    if project.budget is not None:
        settings["budget"] = project.budget
    if project.cost_per_day:
        settings["cost_per_day"] = project.cost_per_day
    if project.escalation:
        settings["escalation"] = project.escalation
    if project.escalation_date is not None:
        settings["escalation_date"] = project.escalation_date
    if project.deadline is not None:
        settings["deadline"] = project.deadline
    if project.description:
        settings["description"] = project.description
    defaults = {f.name: f.default for f in dataclass_fields(project)}
    for key in ("status_date", "must_finish_by", "lag_calendar", "total_float", "progress_rule",
                "honor_constraints"):
        if getattr(project, key) != defaults[key]:
            settings[key] = getattr(project, key)
    if project.start_time is not None:
        settings["start_time"] = project.start_time.isoformat(timespec="minutes")
    cal = project.calendar
    listed = cal.id and any(c.id == cal.id and c == cal for c in project.calendars)
    settings["calendar"] = cal.id if listed else _calendar_fields(cal)
    return settings
