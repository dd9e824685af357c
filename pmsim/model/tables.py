"""The table format read: a project's four pandas tables and its settings.

:func:`project_parts` reads the ``tasks``, ``resources``, ``risks`` and
``calendars`` tables and the ``project.toml`` settings into validated entities
(the Project is built from them in :mod:`pmsim.model.project`); the writer is
:mod:`pmsim.model.frames`. CSV folders and workbooks both use this format; its
columns and cells (:mod:`pmsim.model.cells`) are described in
``docs/file-format.md``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..calendar import Calendar
from ..distributions import Distribution, make_estimate
from ..errors import CycleError, DuplicateIdError, FileFormatError, PmsimError, UnknownReferenceError, ValidationError
from ..throughput import BACKLOG_LEVER_COLUMNS, Backlog, read_history, read_range
from .calendar_cells import _build_calendar
from .cells import (
    _ESTIMATE_COLUMNS, _MOMENT_COLUMNS, CALENDAR_COLUMNS, CALENDAR_KEYS, RESOURCE_COLUMNS, RISK_COLUMNS,
    SETTINGS_KEYS, TASK_COLUMNS, _cell, _constraint, _date, _flag, _in_context, _list, _milestone_cell,
    _moment_cell, _number, _percent, _python_moment, _text, _warn_unknown,
)
from .checks import check_branches, check_level_of_effort
from .entities import LINK_TYPES, Dependency, Resource, Risk, Task, _moment, valid_id

__all__ = ["ProjectParts", "project_parts", "table_labels"]


# --------------------------------------------------------------------------- tables


class _Table:
    """One input table, its label for messages, and its rows as dicts of cells."""

    def __init__(self, frame, label: str, known: tuple[str, ...], kind: str, stacklevel: int = 5):
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
        if "id" not in names:
            found = ", ".join(repr(str(c)) for c in list(frame.columns)[:8]) or "no columns"
            raise FileFormatError(f"{label}: missing required column 'id' (the header has {found}"
                                  f"{' ...' if len(frame.columns) > 8 else ''})")
        _warn_unknown(label, "column", [str(names[k]) for k in names if k not in known], known, stacklevel=stacklevel)
        self.columns = [k for k in known if k in names]
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


def _backlog(row: dict, folder: Path, calendar: Calendar) -> Backlog:
    """A backlog estimate: ``items`` and a throughput ``history`` file (relative to ``folder``); a week of the history
    lasts as many working days as ``calendar`` has working weekdays, a day one."""
    others = [k for k in ("duration", "optimistic", "most_likely", "pessimistic", "values", "lambda")
              if row.get(k) is not None]
    if others:
        raise ValidationError(f"a backlog estimate reads items and history only, but {', '.join(others)} "
                              f"{'is' if len(others) == 1 else 'are'} given too and would be ignored")
    if row.get("items") is None or row.get("history") is None:
        raise ValidationError("a backlog estimate needs 'items' (the backlog's size) and 'history' (a throughput "
                              "file, relative to the project folder)")
    text = _text(row["history"])
    history = read_history(folder / text, calendar=calendar, source=str(folder / text))
    days = len(calendar.working_weekdays) if history.period == "week" else 1
    levers = {k: read_range(k, row[k]) for k in BACKLOG_LEVER_COLUMNS if row.get(k) is not None}
    return Backlog(_number(row["items"], "items"), history.completed, period_days=days, source=text, **levers)


def _estimate(row: dict, folder: Path | None = None, calendar: Calendar | None = None) -> Distribution | None:
    if str(row.get("distribution") or "").strip().lower() == Backlog.kind:
        return _backlog(row, folder if folder is not None else Path.cwd(), calendar or Calendar())
    for column in ("items", "history", *BACKLOG_LEVER_COLUMNS):
        if row.get(column) is not None:
            raise ValidationError(f"'{column}' is read only for distribution 'backlog'; give distribution "
                                  f"'backlog' or leave '{column}' empty")
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


# A signed lag in working days with an optional day suffix: "+2", "-1.5d", "+ 3 days".
_LAG = r"[+-]\s*(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*(?:days?|d)?"
_SPACED = re.compile(rf"(?P<id>.+?)\s+(?P<type>[A-Za-z]{{2}})?\s*(?P<lag>{_LAG})?", re.IGNORECASE)
_COMPACT = re.compile(rf"(?P<id>.+?)(?P<type>FS|SS|FF|SF)(?P<lag>{_LAG})?", re.IGNORECASE)
_LAG_CALENDAR = re.compile(r"(?P<link>.*\S)\s+@\s*(?P<calendar>\S.*)")


def _parse_link(token: str, task_ids: Mapping) -> tuple[str, str, float, str | None]:
    """(predecessor id, link type, lag, lag calendar) of one predecessor token."""
    if token in task_ids:
        return token, "FS", 0.0, None
    m = _LAG_CALENDAR.fullmatch(token)
    if m:  # "A FS+2 @24h": the lag counts working time of calendar 24h
        try:
            pred, kind, lag = _parse_typed_link(m["link"].strip(), task_ids)
            return pred, kind, lag, m["calendar"].strip()
        except PmsimError as exc:
            try:  # an id with " @" in it, such as "Go live @ HQ SS+2"
                return (*_parse_typed_link(token, task_ids), None)
            except PmsimError:
                raise exc from None
    return (*_parse_typed_link(token, task_ids), None)


def _parse_typed_link(token: str, task_ids: Mapping) -> tuple[str, str, float]:
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


def _parse_predecessors(text: str, task_ids: Mapping) -> list[tuple[str, str, float, str | None]]:
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
    tables = ("tasks", "resources", "risks", "calendars")
    if isinstance(source, Mapping):
        labels = dict(source)
    elif source is None:
        labels = {}
    else:
        labels = {k: f"{source}: {k} table" for k in tables}
        labels["settings"] = f"{source}: settings"
    for k in tables:
        labels.setdefault(k, f"{k} table")
    labels.setdefault("settings", "settings")
    return labels


@dataclass(frozen=True)
class ProjectParts:
    """The parts of a project read from its tables, each validated on its own.

    ``settings`` holds the Project's keyword arguments (``name``, ``start``,
    ``currency``, ``budget``, ``deadline``, ``description``, ``calendar``,
    ``calendars``, ``status_date``, ...); ``task_rows`` maps each task id to
    its row, and ``labels`` names the tables, so that :meth:`locate` can say
    where a rule the Project checks (a cycle, a deadline before the start, a
    Must Start On before the start) was broken.
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
            numbers = [str(self.task_rows[t]) for t in dict.fromkeys(exc.cycle)]
            rows = ", ".join(numbers if len(numbers) <= 20 else [*numbers[:20], f"and {len(numbers) - 20:,} more"])
            return _in_context(exc, f"{self.labels['tasks']}, rows {rows}")
        message = str(exc)
        for tid, row in self.task_rows.items():  # a rule of one task the Project checks
            if message.startswith(f"Task {tid!r}: "):
                return _in_context(exc, f"{self.labels['tasks']}, row {row} (task {tid!r})", f"Task {tid!r}")
        return _in_context(exc, self.labels["settings"], f"Project {self.settings.get('name', 'project')!r}")


def project_parts(tasks, resources, risks, settings: Mapping, labels: Mapping[str, str],
                  calendars=None) -> ProjectParts:
    """Read the tables and settings of the file format into validated parts.

    Every row becomes its entity (a Calendar, a Task and its Dependencies, a
    Resource, a Risk) and the settings become the Project's keyword arguments;
    each error names the table (``labels``, see :func:`table_labels`), the row
    and the rule. The checks across the parts are the Project's, when it is
    built from them (:func:`pmsim.model.project.build_project`).

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
    labels = table_labels(labels)
    known_calendars = _calendars(calendars, labels["calendars"])
    kwargs = _settings(settings, labels["settings"], known_calendars, labels["calendars"])
    if kwargs["calendar"].id:
        known_calendars = {**known_calendars, kwargs["calendar"].id: kwargs["calendar"]}

    def calendar_ref(value) -> str | None:
        cid = _cell(value)
        if cid is None:
            return None
        cid = valid_id("Calendar", cid)
        if cid not in known_calendars:
            have = (f"known calendars are {', '.join(map(repr, known_calendars))}" if known_calendars
                    else f"there is no {labels['calendars']}")
            raise UnknownReferenceError(f"unknown calendar {cid!r}; {have}")
        return cid

    task_table = _Table(tasks, labels["tasks"], TASK_COLUMNS, "task")
    # Backlog tasks' history files sit beside the tasks table's file, else in the working directory.
    history_folder = Path(labels["tasks"]).parent if Path(labels["tasks"]).is_file() else Path.cwd()
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
                calendar=calendar_ref(row.get("calendar")),
                **{column: _number(row.get(column), column) for column in RESOURCE_COLUMNS[5:]},
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
                    if "," in rid or (":" in rid and " " in rid):
                        hint += "; separate resources with ';', such as 'dev:1; qa:2'"
                    raise UnknownReferenceError(f"demands unknown resource {rid!r}{hint}")
            built_tasks.append(Task(
                tid, _text(row.get("name")),
                estimate=_estimate(row, history_folder, known_calendars.get(calendar_ref(row.get("calendar")),
                                                                            kwargs["calendar"])),
                resources=demand,
                fixed_cost=_default(_number(row.get("fixed_cost"), "fixed_cost"), 0.0),
                cost_per_day=_default(_number(row.get("cost_per_day"), "cost_per_day"), 0.0),
                phase=_text(row.get("phase")),
                milestone=_milestone_cell(row.get("milestone")),
                calendar=calendar_ref(row.get("calendar")),
                constraint=_constraint(row.get("constraint")),
                secondary_constraint=_constraint(row.get("secondary_constraint")),
                remaining_duration=_number(row.get("remaining_duration"), "remaining_duration"),
                percent_complete=_number(_percent(row.get("percent_complete")), "percent_complete"),
                actual_cost=_number(row.get("actual_cost"), "actual_cost"),
                existence=_default(_number(row.get("existence"), "existence"), 1.0),
                branch=_text(row.get("branch")),
                ev_method=_text(row.get("ev_method")),
                level_of_effort=_flag(row.get("level_of_effort"), "level_of_effort"),
                crash_duration=_number(row.get("crash_duration"), "crash_duration"),
                crash_cost=_number(row.get("crash_cost"), "crash_cost"),
                **{column: _moment_cell(row.get(column)) for column in _MOMENT_COLUMNS},
            ))
            seen = set()
            for pred, kind, lag, lag_calendar in _parse_predecessors(row.get("predecessors"), task_rows):
                if (pred, kind, lag) in seen:
                    raise DuplicateIdError(
                        f"predecessor {pred!r} is listed twice with the same link ({kind}, lag {lag:g}); "
                        f"two tasks can be linked again only in another way, such as '{pred} SS; {pred} FF+2'")
                seen.add((pred, kind, lag))
                try:
                    lag_calendar = calendar_ref(lag_calendar)
                except PmsimError as exc:
                    raise exc.with_context(f"predecessor {pred!r}, lag calendar") from None
                links.append(Dependency(pred, tid, kind, lag, lag_calendar=lag_calendar))
        except PmsimError as exc:
            raise _in_context(exc, task_table.where(index, tid), who) from None

    try:
        check_branches(built_tasks)
    except PmsimError as exc:
        raise _in_context(exc, task_table.label) from None
    try:
        check_level_of_effort(built_tasks, links)
    except PmsimError as exc:  # name the row of the task
        bad = next(t.id for t in built_tasks if f"Task {t.id!r}:" in str(exc))
        index = next(i for i, row in task_table.rows if valid_id("Task", row["id"]) == bad)
        raise _in_context(exc, task_table.where(index, bad), f"Task {bad!r}") from None

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
                kind=_text(row.get("kind")) or "event",
                distribution=_text(row.get("distribution")) or None,
                **{column: _number(row.get(column), column) for column in RISK_COLUMNS[RISK_COLUMNS.index(
                    "post_probability"):]},
            ))
        except PmsimError as exc:
            raise _in_context(exc, risk_table.where(index, rid), who) from None

    return ProjectParts(tuple(built_tasks), tuple(links), tuple(built_resources), tuple(built_risks),
                        kwargs, task_rows, dict(labels))


def _default(value, default):
    return default if value is None else value


def _calendars(table, label: str) -> dict[str, Calendar]:
    """The calendars table (or a sequence of Calendar objects) as id -> Calendar, in row order."""
    if table is not None and not isinstance(table, pd.DataFrame) and isinstance(table, (list, tuple)) \
            and all(isinstance(c, Calendar) for c in table):
        out = {}
        for cal in table:
            if not cal.id:
                raise ValidationError(f"{label}: every calendar needs an id (tasks and resources name it)")
            if cal.id in out:
                raise DuplicateIdError(f"{label}: calendar id {cal.id!r} appears twice; ids must be unique")
            out[cal.id] = cal
        return out
    cal_table = _Table(table, label, CALENDAR_COLUMNS, "calendar", stacklevel=6)
    _ids(cal_table, "Calendar")
    out = {}
    for index, row in cal_table.rows:
        cid = valid_id("Calendar", row["id"])
        fields = {k: v for k, v in row.items() if v is not None}
        out[cid] = _build_calendar(fields, lambda key: f"{cal_table.where(index, cid)}, column {key!r}",
                                   cal_table.where(index, cid))
    return out


def _settings(raw: Mapping, label: str, calendars: Mapping[str, Calendar], calendars_label: str) -> dict:
    """Project keyword arguments from the settings, each error naming its key."""
    raw = dict(raw)
    _warn_unknown(label, "setting", [k for k in raw if k not in SETTINGS_KEYS], SETTINGS_KEYS, stacklevel=5)
    where = lambda key: f"{label}, key {key!r}"  # noqa: E731
    start = _date(raw.get("start"), where("start"))
    if start is None:
        raise FileFormatError(f"{where('start')}: the project start date (YYYY-MM-DD) is required")
    for key in ("name", "currency", "description", "lag_calendar", "total_float", "progress_rule"):
        if isinstance(raw.get(key), (Mapping, list, tuple)):  # a TOML table or array
            raise ValidationError(f"{where(key)}: must be text, got {raw[key]!r}")
    out = {"name": _text(raw.get("name")) or "project", "start": start}
    for key in ("budget", "cost_per_day", "escalation"):
        try:
            out[key] = _number(raw.get(key), key)
        except PmsimError as exc:
            raise _in_context(exc, where(key)) from None
    for key in ("cost_per_day", "escalation"):
        if out[key] is None:
            del out[key]
    if _cell(raw.get("escalation_date")) is not None:
        out["escalation_date"] = _date(raw.get("escalation_date"), where("escalation_date"))
    out["deadline"] = _date(raw.get("deadline"), where("deadline"))
    out["currency"] = _text(raw.get("currency")) or "USD"
    out["description"] = _text(raw.get("description"))
    out["calendar"] = _calendar(raw.get("calendar"), label, calendars, calendars_label)
    out["calendars"] = tuple(calendars.values())
    for key in ("status_date", "must_finish_by"):
        out[key] = _moment(where(key), _python_moment(raw.get(key)))
    for key in ("lag_calendar", "total_float", "progress_rule"):
        if _cell(raw.get(key)) is not None:
            out[key] = _text(raw[key])
    if _cell(raw.get("start_time")) is not None:
        out["start_time"] = str(_cell(raw["start_time"])).strip()
    if _cell(raw.get("honor_constraints")) is not None:
        try:
            out["honor_constraints"] = _flag(raw["honor_constraints"], "honor_constraints")
        except PmsimError as exc:
            raise _in_context(exc, where("honor_constraints")) from None
    return out


def _calendar(value, label: str, calendars: Mapping[str, Calendar], calendars_label: str) -> Calendar:
    if value is None:
        return Calendar()
    if isinstance(value, Calendar):
        return value
    if isinstance(value, str):  # the id of a calendar of the calendars table
        cid = value.strip()
        if cid not in calendars:
            have = (f"{calendars_label} has {', '.join(map(repr, calendars))}" if calendars
                    else f"there is no {calendars_label}")
            raise UnknownReferenceError(f"{label}, key 'calendar': unknown calendar {cid!r}; {have}")
        return calendars[cid]
    if not isinstance(value, Mapping):
        raise ValidationError(f"{label}, key 'calendar': expected a calendar id, or a table with workdays, "
                              "hours and holidays")
    _warn_unknown(label, "calendar key", [k for k in value if k not in CALENDAR_KEYS], CALENDAR_KEYS, stacklevel=6)
    fields = {k: v for k, v in value.items() if k in CALENDAR_KEYS}
    return _build_calendar(fields, lambda key: f"{label}, key 'calendar.{key}'", f"{label}, key 'calendar'")


