"""The table format: a project as three pandas tables and its settings.

:func:`project_parts` reads the ``tasks``, ``resources`` and ``risks`` tables
and the ``project.toml`` settings into validated entities (the Project is
built from them in :mod:`pmsim.model.project`); :func:`project_to_frames`
writes a project back. CSV folders and workbooks both use this format; its
columns and cells are described in ``docs/file-format.md``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..distributions import Discrete, Distribution, Fixed, finite_number, make_estimate
from ..errors import (
    CycleError,
    DuplicateIdError,
    FileFormatError,
    PmsimError,
    PmsimWarning,
    UnknownReferenceError,
    ValidationError,
)
from ..calendar import Calendar, as_date
from .entities import LINK_TYPES, Dependency, Resource, Risk, Task, valid_id

__all__ = [
    "ProjectParts",
    "project_parts",
    "table_labels",
    "project_to_frames",
    "format_number",
    "TASK_COLUMNS",
    "RESOURCE_COLUMNS",
    "RISK_COLUMNS",
    "SETTINGS_KEYS",
]

TASK_COLUMNS = (
    "id", "name", "phase", "duration", "optimistic", "most_likely", "pessimistic",
    "distribution", "lambda", "values", "predecessors", "resources",
    "fixed_cost", "cost_per_day", "milestone",
)
RESOURCE_COLUMNS = ("id", "name", "capacity", "cost_per_day")
RISK_COLUMNS = (
    "id", "name", "probability", "tasks", "optimistic", "most_likely", "pessimistic",
    "distribution", "lambda", "values", "cost_impact",
)
SETTINGS_KEYS = ("name", "start", "currency", "budget", "deadline", "description", "calendar")
CALENDAR_KEYS = ("workdays", "holidays")

_ESTIMATE_COLUMNS = ("duration", "optimistic", "most_likely", "pessimistic", "values")
_NUMERIC = {"duration", "optimistic", "most_likely", "pessimistic", "lambda",
            "fixed_cost", "cost_per_day", "capacity", "probability", "cost_impact"}
_TRUE = {"true", "yes", "y", "1", "t", "x"}
_FALSE = {"false", "no", "n", "0", "f"}

# A signed lag in working days with an optional day suffix: "+2", "-1.5d", "+ 3 days".
_LAG = r"[+-]\s*(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*(?:days?|d)?"
_SPACED = re.compile(rf"(?P<id>.+?)\s+(?P<type>[A-Za-z]{{2}})?\s*(?P<lag>{_LAG})?", re.IGNORECASE)
_COMPACT = re.compile(rf"(?P<id>.+?)(?P<type>FS|SS|FF|SF)(?P<lag>{_LAG})?", re.IGNORECASE)


# --------------------------------------------------------------------------- cells


def format_number(value: float) -> str:
    """Write a number so that reading it back gives exactly the same float.

    Integral values are written without ``.0``; others with the shortest text
    that round-trips (Python's ``repr``).

    >>> format_number(3.0), format_number(0.1), format_number(1 / 3), format_number(-2.5)
    ('3', '0.1', '0.3333333333333333', '-2.5')
    """
    v = float(value)
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def _cell(value):
    """A cell as None (not given), a stripped non-empty str, or a plain Python scalar."""
    if isinstance(value, str):  # the common case: CSV cells are all text
        return value.strip() or None
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str):
        return value.strip() or None
    return value


def _number(value, column: str) -> float | None:
    value = _cell(value)
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValidationError(f"{column} must be a number, got {value!r}")
    return finite_number(column, value)


def _text(value) -> str:
    """Text of a cell; numbers from a workbook lose a spurious ``.0``."""
    value = _cell(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return format_number(value)
    return str(value)


def _flag(value, column: str) -> bool:
    value = _cell(value)
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValidationError(f"{column} must be true or false (yes/no, 1/0), got {value!r}")


def _list(value) -> list[str]:
    """A ``;``-separated cell as a list of non-empty stripped items."""
    return [part.strip() for part in _text(value).split(";") if part.strip()]


def _date(value, where: str) -> dt.date | None:
    value = _cell(value)
    return None if value is None else as_date(where, value)


def _warn_unknown(label: str, what: str, unknown: list, known, stacklevel: int) -> None:
    """One PmsimWarning naming the ``unknown`` columns (settings, keys) that are ignored, and the known ones."""
    if unknown:
        warnings.warn(
            f"{label}: ignoring unknown {what}(s) {', '.join(map(repr, unknown))}; "
            f"known {what}s are {', '.join(known)}",
            PmsimWarning,
            stacklevel=stacklevel + 1,
        )


def _in_context(exc: PmsimError, context: str, who: str | None = None) -> PmsimError:
    """``exc`` with ``context`` in front, dropping the model's own ``who: `` prefix."""
    message = str(exc)
    if who and message.startswith(f"{who}: "):
        message = message[len(who) + 2:]
    new = exc.with_context(context)
    new.args = (f"{context}: {message}",) + tuple(new.args[1:])
    return new


# --------------------------------------------------------------------------- tables


class _Table:
    """One input table, its label for messages, and its rows as dicts of cells."""

    def __init__(self, frame, label: str, known: tuple[str, ...], kind: str):
        if frame is None:
            frame = pd.DataFrame(columns=["id"])
        elif not isinstance(frame, pd.DataFrame):
            frame = pd.DataFrame(frame)
        self.label = label
        self.kind = kind
        names = {}
        for column in frame.columns:
            key = re.sub(r"\s+", "_", str(column).strip().lower())
            if key in names:
                raise FileFormatError(f"{label}: column {key!r} appears twice")
            names[key] = column
        _warn_unknown(label, "column", [str(names[k]) for k in names if k not in known], known, stacklevel=5)
        self.columns = [k for k in known if k in names]
        if "id" not in names:
            raise FileFormatError(f"{label}: missing required column 'id'")
        sub = frame[[names[k] for k in self.columns]]
        sub.columns = self.columns
        self.rows = [
            (index, {k: _cell(v) for k, v in zip(self.columns, values)})
            for index, values in zip(sub.index, sub.itertuples(index=False, name=None))
        ]

    def where(self, index, ident=None) -> str:
        row = f"{self.label}, row {index}"
        return row if ident is None else f"{row} ({self.kind} {ident!r})"


def _ids(table: _Table, kind: str) -> dict[str, object]:
    """id -> row index, checking that every id is given once."""
    seen: dict[str, object] = {}
    for index, row in table.rows:
        try:
            ident = valid_id(kind, row.get("id"))
        except PmsimError as exc:
            raise _in_context(exc, table.where(index)) from None
        if ident in seen:
            raise DuplicateIdError(
                f"{table.where(index, ident)}: {kind.lower()} id {ident!r} appears twice "
                f"(also row {seen[ident]}); ids must be unique"
            )
        seen[ident] = index
    return seen


def _estimate(row: dict) -> Distribution | None:
    fields = {k: row.get(k) for k in ("duration", "optimistic", "most_likely", "pessimistic")}
    if all(v is None for v in fields.values()) and row.get("values") is None:
        return None
    numbers = {k: _number(v, k) for k, v in fields.items()}
    return make_estimate(
        row.get("distribution"),
        values=row.get("values"),
        lamb=_number(row.get("lambda"), "lambda"),
        **numbers,
    )


def _parse_link(token: str, task_ids: Mapping) -> tuple[str, str, float]:
    """(predecessor id, link type, lag) of one predecessor token."""
    if token in task_ids:
        return token, "FS", 0.0
    for pattern in (_SPACED, _COMPACT):
        m = pattern.fullmatch(token)
        if not m or not (m["type"] or m["lag"]):
            continue
        ident = m["id"].strip()
        if ident not in task_ids and pattern is _COMPACT:
            continue
        kind = (m["type"] or "FS").upper()
        if kind not in LINK_TYPES:
            if ident in task_ids:
                raise ValidationError(
                    f"predecessor {token!r}: unknown link type {m['type']!r}; use one of FS, SS, FF, SF"
                )
            break
        if ident not in task_ids:
            raise UnknownReferenceError(f"unknown predecessor {ident!r} (in {token!r}): no task has this id")
        lag = float(re.sub(r"\s+|[a-zA-Z]+$", "", m["lag"])) if m["lag"] else 0.0
        return ident, kind, lag
    if re.search(r"\s|\+", token):
        raise ValidationError(
            f"cannot read predecessor {token!r}: it is not a task id, nor an id followed by a "
            "link type and lag such as 'A', 'A SS+2', 'A FF-1d'"
        )
    raise UnknownReferenceError(f"unknown predecessor {token!r}: no task has this id")


def _parse_predecessors(text: str, task_ids: Mapping) -> list[tuple[str, str, float]]:
    links = []
    for token in _list(text):
        try:
            links.append(_parse_link(token, task_ids))
        except PmsimError as whole:
            # MS Project separates predecessors with commas: "3,5SS+2d".
            if "," not in token:
                raise
            try:
                parts = [_parse_link(part.strip(), task_ids) for part in token.split(",") if part.strip()]
            except PmsimError:
                raise whole from None
            links.extend(parts)
    return links


def _parse_demand(text: str) -> list[tuple[str, float]]:
    demand = []
    for part in _list(text):
        rid, colon, units = part.rpartition(":")
        if not colon:
            demand.append((part, 1.0))
            continue
        rid = rid.strip()
        if not rid:
            raise ValidationError(f"resource demand {part!r}: write resource:units such as 'dev:2'")
        demand.append((rid, _number(units, f"units of resource {rid!r}")))
    return demand


# --------------------------------------------------------------------------- reading


def table_labels(source) -> dict[str, str]:
    """How messages name the tables and the settings, given a ``source``.

    ``source`` is a path or name (``"plan.xlsx"``), a dict of labels (what the
    file readers pass; missing keys get the default), or None.

    >>> table_labels("plan.xlsx")["tasks"], table_labels(None)["settings"]
    ('plan.xlsx: tasks table', 'settings')
    """
    if isinstance(source, Mapping):
        labels = dict(source)
    elif source is None:
        labels = {}
    else:
        labels = {k: f"{source}: {k} table" for k in ("tasks", "resources", "risks")}
        labels["settings"] = f"{source}: settings"
    for k in ("tasks", "resources", "risks"):
        labels.setdefault(k, f"{k} table")
    labels.setdefault("settings", "settings")
    return labels


@dataclass(frozen=True)
class ProjectParts:
    """The parts of a project read from its tables, each validated on its own.

    ``settings`` holds the Project's keyword arguments (``name``, ``start``,
    ``currency``, ``budget``, ``deadline``, ``description``, ``calendar``);
    ``task_rows`` maps each task id to its row, and ``labels`` names the
    tables, so that :meth:`locate` can say where a rule the Project checks
    (a cycle, a deadline before the start) was broken.
    """

    tasks: tuple[Task, ...]
    dependencies: tuple[Dependency, ...]
    resources: tuple[Resource, ...]
    risks: tuple[Risk, ...]
    settings: Mapping
    task_rows: Mapping[str, object]
    labels: Mapping[str, str]

    def locate(self, exc: PmsimError) -> PmsimError:
        """``exc``, raised when the Project was built from these parts, with its table and rows in front."""
        if isinstance(exc, CycleError):
            rows = ", ".join(str(self.task_rows[t]) for t in dict.fromkeys(exc.cycle))
            return _in_context(exc, f"{self.labels['tasks']}, rows {rows}")
        return _in_context(exc, self.labels["settings"])


def project_parts(tasks, resources, risks, settings: Mapping, labels: Mapping[str, str]) -> ProjectParts:
    """Read the tables and settings of the file format into validated parts.

    Every row becomes its entity (a Task, its Dependencies, a Resource, a
    Risk) and the settings become the Project's keyword arguments; each error
    names the table (``labels``, see :func:`table_labels`), the row and the
    rule. The checks across the parts are the Project's, when it is built
    from them (:func:`pmsim.model.project.build_project`).

    >>> import pandas as pd
    >>> tasks = pd.DataFrame({
    ...     "id": ["A", "B", "C"],
    ...     "optimistic": [2, 1, 1], "most_likely": [3, 2, 1], "pessimistic": [7, 4, 2],
    ...     "predecessors": ["", "A SS+1", "A; B FF-0.5d"],
    ... })
    >>> parts = project_parts(tasks, None, None, {"name": "demo", "start": "2027-01-04"}, table_labels(None))
    >>> [str(d) for d in parts.dependencies], parts.settings["start"]
    (['A SS+1', 'A', 'B FF-0.5'], datetime.date(2027, 1, 4))
    """
    kwargs = _settings(settings, labels["settings"])
    task_table = _Table(tasks, labels["tasks"], TASK_COLUMNS, "task")
    res_table = _Table(resources, labels["resources"], RESOURCE_COLUMNS, "resource")
    risk_table = _Table(risks, labels["risks"], RISK_COLUMNS, "risk")
    if not any(c in task_table.columns for c in _ESTIMATE_COLUMNS):
        raise FileFormatError(
            f"{task_table.label}: missing an estimate column: give 'duration', or "
            "'optimistic', 'most_likely' and 'pessimistic'"
        )
    if "probability" not in risk_table.columns and risk_table.rows:
        raise FileFormatError(f"{risk_table.label}: missing required column 'probability'")
    if not task_table.rows:
        raise ValidationError(
            f"{task_table.label}: the project has no tasks (a header but no rows); "
            "a project needs at least one task"
        )

    resource_rows = _ids(res_table, "Resource")
    built_resources = []
    for index, row in res_table.rows:
        rid = valid_id("Resource", row["id"])
        try:
            built_resources.append(Resource(
                rid, _text(row.get("name")),
                capacity=_default(_number(row.get("capacity"), "capacity"), 1.0),
                cost_per_day=_default(_number(row.get("cost_per_day"), "cost_per_day"), 0.0),
            ))
        except PmsimError as exc:
            raise _in_context(exc, res_table.where(index, rid), f"Resource {rid!r}") from None

    task_rows = _ids(task_table, "Task")
    built_tasks, links = [], []
    for index, row in task_table.rows:
        tid = valid_id("Task", row["id"])
        who = f"Task {tid!r}"
        try:
            demand = _parse_demand(row.get("resources"))
            for rid, _ in demand:
                if rid not in resource_rows:
                    hint = "" if res_table.rows else f"; there is no {res_table.label}"
                    raise UnknownReferenceError(f"demands unknown resource {rid!r}{hint}")
            built_tasks.append(Task(
                tid, _text(row.get("name")),
                estimate=_estimate(row),
                resources=demand,
                fixed_cost=_default(_number(row.get("fixed_cost"), "fixed_cost"), 0.0),
                cost_per_day=_default(_number(row.get("cost_per_day"), "cost_per_day"), 0.0),
                phase=_text(row.get("phase")),
                milestone=_flag(row.get("milestone"), "milestone"),
            ))
            seen = set()
            for pred, kind, lag in _parse_predecessors(row.get("predecessors"), task_rows):
                if pred in seen:
                    raise DuplicateIdError(f"predecessor {pred!r} is listed twice; two tasks can be linked once")
                seen.add(pred)
                links.append(Dependency(pred, tid, kind, lag))
        except PmsimError as exc:
            raise _in_context(exc, task_table.where(index, tid), who) from None

    _ids(risk_table, "Risk")
    built_risks = []
    for index, row in risk_table.rows:
        rid = valid_id("Risk", row["id"])
        who = f"Risk {rid!r}"
        try:
            named = _list(row.get("tasks"))
            for tid in named:
                if tid not in task_rows:
                    raise UnknownReferenceError(f"names unknown task {tid!r}")
            probability = _number(row.get("probability"), "probability")
            if probability is None:
                raise ValidationError("probability is required (a number in [0, 1])")
            built_risks.append(Risk(
                rid, _text(row.get("name")),
                probability=probability,
                tasks=tuple(named),
                impact=_estimate(row),
                cost_impact=_default(_number(row.get("cost_impact"), "cost_impact"), 0.0),
            ))
        except PmsimError as exc:
            raise _in_context(exc, risk_table.where(index, rid), who) from None

    return ProjectParts(tuple(built_tasks), tuple(links), tuple(built_resources), tuple(built_risks),
                        kwargs, task_rows, dict(labels))


def _default(value, default):
    return default if value is None else value


def _settings(raw: Mapping, label: str) -> dict:
    """Project keyword arguments from the settings, each error naming its key."""
    raw = dict(raw)
    _warn_unknown(label, "setting", [k for k in raw if k not in SETTINGS_KEYS], SETTINGS_KEYS, stacklevel=5)
    where = lambda key: f"{label}, key {key!r}"  # noqa: E731
    start = _date(raw.get("start"), where("start"))
    if start is None:
        raise FileFormatError(f"{where('start')}: the project start date (YYYY-MM-DD) is required")
    for key in ("name", "currency", "description"):
        if isinstance(raw.get(key), (Mapping, list, tuple)):  # a TOML table or array
            raise ValidationError(f"{where(key)}: must be text, got {raw[key]!r}")
    out = {"name": _text(raw.get("name")) or "project", "start": start}
    try:
        out["budget"] = _number(raw.get("budget"), "budget")
    except PmsimError as exc:
        raise _in_context(exc, where("budget")) from None
    out["deadline"] = _date(raw.get("deadline"), where("deadline"))
    out["currency"] = _text(raw.get("currency")) or "USD"
    out["description"] = _text(raw.get("description"))
    out["calendar"] = _calendar(raw.get("calendar"), label)
    return out


def _calendar(value, label: str) -> Calendar:
    if value is None:
        return Calendar()
    if isinstance(value, Calendar):
        return value
    if not isinstance(value, Mapping):
        raise ValidationError(f"{label}, key 'calendar': expected a table with workdays and holidays")
    _warn_unknown(label, "calendar key", [k for k in value if k not in CALENDAR_KEYS], CALENDAR_KEYS, stacklevel=6)

    def items(key):
        v = value.get(key)
        if isinstance(v, (list, tuple)):
            return [x for x in v if _cell(x) is not None]
        return _list(v)

    where = f"{label}, key 'calendar.holidays'"
    holidays = [_date(h, where) for h in items("holidays")]
    workdays = items("workdays")
    try:
        return Calendar(**({"workdays": tuple(workdays)} if workdays else {}), holidays=tuple(holidays))
    except PmsimError as exc:
        raise _in_context(exc, f"{label}, key 'calendar.workdays'", "Calendar") from None


# --------------------------------------------------------------------------- writing


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
    if dep.type == "FS" and dep.lag == 0:
        return dep.predecessor
    lag = "" if dep.lag == 0 else ("+" if dep.lag > 0 else "-") + format_number(abs(dep.lag))
    return f"{dep.predecessor} {dep.type}{lag}"


def _frame(rows: list[dict], columns: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(columns))
    for column in columns:
        if column in _NUMERIC:
            frame[column] = frame[column].astype(float)
        elif column == "milestone":
            frame[column] = frame[column].astype(bool)
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
        ``tasks``, ``resources``, ``risks``: DataFrames with every column of
        the format in a fixed order (numbers as floats, NaN where not given;
        text as str, ``""`` where not given; ``milestone`` as bool), and
        ``settings``: a dict of the ``project.toml`` keys (dates as
        ``datetime.date``; ``budget``, ``deadline`` and ``description`` only
        when set).

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
        }
        if not t.milestone:
            row.update(_estimate_fields(t.estimate))
        else:
            row["duration"] = 0.0
        tasks.append(row)
    resources = [
        {"id": r.id, "name": r.name, "capacity": r.capacity, "cost_per_day": r.cost_per_day}
        for r in project.resources
    ]
    risks = []
    for r in project.risks:
        row = {"id": r.id, "name": r.name, "probability": r.probability,
               "tasks": "; ".join(r.tasks), "cost_impact": r.cost_impact}
        if r.impact is not None:
            fields = _estimate_fields(r.impact)
            if "duration" in fields:  # risks have no duration column: a fixed impact is its most likely
                fields = {"most_likely": fields["duration"], "distribution": "fixed"}
            row.update(fields)
        risks.append(row)
    settings = {"name": project.name, "start": project.start, "currency": project.currency}
    if project.budget is not None:
        settings["budget"] = project.budget
    if project.deadline is not None:
        settings["deadline"] = project.deadline
    if project.description:
        settings["description"] = project.description
    settings["calendar"] = {
        "workdays": list(project.calendar.workdays),
        "holidays": list(project.calendar.holidays),
    }
    return {
        "tasks": _frame(tasks, TASK_COLUMNS),
        "resources": _frame(resources, RESOURCE_COLUMNS),
        "risks": _frame(risks, RISK_COLUMNS),
        "settings": settings,
    }

