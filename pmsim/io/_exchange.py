"""What the MSPDI and XER readers and writers share (private).

- Working-day offsets as date-times of an 8-hour day; task and resource
  ids from a file made usable and unique.
- How a pmsim estimate travels in a scheduling tool: three durations
  (optimistic, most likely, pessimistic) that the tool shows in custom
  fields, a distribution name, and a short parameter text for what the
  three durations do not say (the Beta-PERT lambda, discrete values,
  lognormal percentiles or mu/sigma).
- Risks as JSON text (no scheduling tool has a place for them).
- The progress table (the columns of ``pmsim.evm``'s progress data), read
  from a file or checked by ``pmsim.io.progress_table.check_progress`` before it is written.
- Warnings about features of a file that pmsim does not model, gathered per
  feature so that a large file gives one readable warning per feature.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import warnings
from collections import defaultdict

import numpy as np
import pandas as pd

from ..distributions import (
    BetaPert,
    Discrete,
    Distribution,
    Fixed,
    Lognormal,
    Triangular,
    Uniform,
    finite_number,
    make_estimate,
)
from ..errors import FileFormatError, PmsimError, PmsimWarning, ValidationError
from .progress_table import PROGRESS_COLUMNS, check_progress
from ..model import Project, Risk

# Two durations read back from a file are "the same" within this many days
# (a second of an 8-hour day is 3.5e-5 days; files keep at least that).
SAME_DAYS = 1e-4


# --------------------------------------------------------------------------- costs that follow time

def cost_settings(project: Project) -> dict:
    """What MS Project and P6 have no field for in the cost model, as JSON values for the settings text: the
    project's cost per day and escalation, and each resource's rate multiplier and own escalation."""
    out = {}
    if project.cost_per_day:
        out["cost_per_day"] = project.cost_per_day
    if project.escalation:
        out["escalation"] = project.escalation
    if project.escalation_date is not None:
        out["escalation_date"] = project.escalation_date.isoformat()
    rates = {r.id: [r.rate_optimistic, r.rate_most_likely, r.rate_pessimistic]
             for r in project.resources if r.rate_factor is not None}
    if rates:
        out["resource_rates"] = rates
    escalation = {r.id: r.escalation for r in project.resources if r.escalation is not None}
    if escalation:
        out["resource_escalation"] = escalation
    return out


def with_cost_settings(project: Project, settings: dict, where: str) -> Project:
    """``project`` with the cost settings of :func:`cost_settings` read back from a file's settings text."""
    keys = ("cost_per_day", "escalation", "escalation_date", "resource_rates", "resource_escalation")
    if not any(k in settings for k in keys):
        return project
    rates = settings.get("resource_rates") or {}
    escalation = settings.get("resource_escalation") or {}
    if not isinstance(rates, dict) or not isinstance(escalation, dict):
        raise FileFormatError(f"{where}: resource_rates and resource_escalation must be JSON objects")
    try:
        resources = []
        for r in project.resources:
            points = rates.get(r.id)
            if points is not None and (not isinstance(points, list) or len(points) != 3):
                raise FileFormatError(f"resource_rates of {r.id!r} must be three numbers, got {points!r}")
            low, mode, high = points if points is not None else (None, None, None)
            resources.append(dataclasses.replace(r, rate_optimistic=low, rate_most_likely=mode, rate_pessimistic=high,
                                                 escalation=escalation.get(r.id))
                             if points or r.id in escalation else r)
        return project.replace(resources=tuple(resources), **{k: settings[k] for k in keys[:3] if k in settings})
    except PmsimError as exc:
        raise exc.with_context(where) from None


# --------------------------------------------------------------------------- numbers and times

# The working day the writers use: 08:00-12:00 and 13:00-17:00.
_DAY_START, _LUNCH_END = 8 * 60, 13 * 60


def decimal_text(x: float) -> str:
    """A decimal number without exponent, exact to 10 decimals."""
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.10f}".rstrip("0").rstrip(".")


def clock_time(minutes_into_day: float, finish: bool) -> dt.time:
    """The time of day after ``minutes_into_day`` working minutes of an 8-hour day."""
    m = min(max(minutes_into_day, 0.0), 480.0)
    at = _DAY_START + m if (m < 240 or (finish and m == 240)) else _LUNCH_END + (m - 240)
    total = int(round(at * 60))
    return dt.time(total // 3600, (total // 60) % 60, total % 60)


def when(project: Project, offset: float, finish: bool) -> dt.datetime:
    """The date and time of a working-day offset (a finish at a whole day ends the day before)."""
    return when_many(project, [offset], finish)[0]


def when_many(project: Project, offsets, finish) -> list[dt.datetime]:
    """:func:`when` for many offsets at once (``finish`` a bool or one per offset)."""
    off = np.asarray(offsets, dtype=float)
    fin = np.broadcast_to(np.asarray(finish, dtype=bool), off.shape)
    day = np.floor(off + 1e-9)
    frac = off - day
    back = fin & (frac < 1e-9) & (off > 0)
    day = np.where(back, day - 1, day)
    frac = np.where(back, 1.0, frac)
    dates = np.atleast_1d(project.calendar.date(project.start, day.astype(np.int64)))
    return [dt.datetime.combine(d.item(), clock_time(f * 480.0, bool(e))) for d, f, e in zip(dates, frac, fin)]


def schedule_times(project: Project, table: pd.DataFrame) -> dict[str, dict]:
    """Task id -> early/late start and finish as date-times; a zero-duration task sits at the end of a day."""
    zero = table["duration"].to_numpy() == 0
    cols = {}
    for name, column, is_finish in (("start", "early_start", zero), ("finish", "early_finish", True),
                                    ("late_start", "late_start", zero), ("late_finish", "late_finish", True)):
        cols[name] = when_many(project, table[column].to_numpy(), is_finish)
    out = {}
    for k, tid in enumerate(table.index):
        row = {name: cols[name][k] for name in cols}
        if zero[k]:
            row["finish"], row["late_finish"] = row["start"], row["late_start"]
        out[tid] = row
    return out


def unique_id(text, unique_key, used: set) -> str:
    """``text`` as an id the model accepts (stripped; ``;``, pmsim's list separator, as ``,``),
    made unique among ``used`` with ``#`` and ``unique_key`` (the file's own unique number).

    >>> unique_id(" Design; build ", 7, {"Design, build"})
    'Design, build#7'
    """
    ident = str(text).strip().replace(";", ",")
    while ident in used:
        ident = f"{ident}#{unique_key}"
    return ident


# --------------------------------------------------------------------------- estimates


def estimate_points(dist: Distribution) -> tuple[float, float, float] | None:
    """The optimistic / most likely / pessimistic durations a tool shows, or None for a fixed one.

    The middle value is always the planned duration (what the task's own
    duration field holds).
    """
    if isinstance(dist, Fixed):
        return None
    if isinstance(dist, (Triangular, BetaPert)):
        return dist.optimistic, dist.most_likely, dist.pessimistic
    if isinstance(dist, Uniform):
        return dist.optimistic, dist.planned, dist.pessimistic
    if isinstance(dist, Lognormal):
        given = dict(dist.given)
        if {"optimistic", "most_likely", "pessimistic"} <= given.keys():
            return given["optimistic"], given["most_likely"], given["pessimistic"]
        lo, hi = (float(x) for x in dist.ppf([0.1, 0.9]))
        return given.get("optimistic", lo), dist.planned, given.get("pessimistic", hi)
    if isinstance(dist, Discrete):
        return min(dist.values), dist.planned, max(dist.values)
    raise ValidationError(f"cannot write a {type(dist).__name__} estimate")  # pragma: no cover


def estimate_parameters(dist: Distribution) -> str:
    """What the three durations do not say, as ``key=value`` pairs (exact, repr precision)."""
    if isinstance(dist, BetaPert) and dist.lamb != 4.0:
        return f"lambda={dist.lamb!r}"
    if isinstance(dist, Lognormal):
        given = dict(dist.given)
        if {"optimistic", "most_likely", "pessimistic"} <= given.keys():
            return ""
        if {"optimistic", "pessimistic"} <= given.keys():
            return "p10/p90"
        return f"mu={dist.mu!r}; sigma={dist.sigma!r}"
    if isinstance(dist, Discrete):
        pairs = ", ".join(f"{v!r}:{p!r}" for v, p in zip(dist.values, dist.probabilities))
        return f"values={pairs}"
    return ""


def _parse_parameters(text: str) -> dict:
    out = {}
    text = (text or "").strip()
    if not text:
        return out
    if text.startswith("values="):
        out["values"] = text[len("values="):]
        return out
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        if "=" in part:
            key, value = part.split("=", 1)
            out[key.strip().lower()] = value.strip()
        else:
            out[part.lower()] = True
    return out


def same_days(a: float, b: float) -> bool:
    """Two durations read back from a file are the same to within :data:`SAME_DAYS` (relative above 1 day)."""
    return abs(a - b) <= SAME_DAYS * max(1.0, abs(a), abs(b))


def estimate_from(kind, parameters, duration, points, notes: list | None = None,
                  duration_field: str = "Duration") -> Distribution:
    """Rebuild an estimate from a tool's fields; the inverse of the two functions above.

    ``kind`` is the distribution name (or None: a three-point estimate from a
    tool is classic PERT), ``parameters`` the text of :func:`estimate_parameters`,
    ``duration`` the task's own duration (the tool's ``duration_field``) and
    ``points`` the three custom durations (or None). The three durations win
    over exact values in the parameter text when someone edited them in the
    tool, and the estimate wins over a duration edited apart from it;
    ``notes`` collects a sentence for each such repair. Raises ValidationError.
    """
    notes = [] if notes is None else notes
    kind = (str(kind).strip().lower() or None) if kind is not None else None
    estimate = _estimate_from(kind, _parse_parameters(parameters), duration, points, notes)
    if kind is not None and duration is not None and not same_days(estimate.planned, duration):
        notes.append(f"{duration_field} ({duration:g} days) differs from the most likely estimate "
                     f"({estimate.planned:g}); the estimate is used")
    return estimate


def _estimate_from(kind, params: dict, duration, points, notes: list) -> Distribution:
    if kind == "fixed" or points is None:
        if kind not in (None, "fixed"):
            notes.append(f"the {kind} estimate has no optimistic/pessimistic durations; using the duration")
        if duration is None:
            raise ValidationError("the task has no duration")
        return Fixed(duration)
    o, m, p = points
    if kind == "lognormal" and "mu" in params and "sigma" in params:
        exact = Lognormal(finite_number("mu", params["mu"]), finite_number("sigma", params["sigma"]))
        lo, hi = (float(x) for x in exact.ppf([0.1, 0.9]))
        if same_days(lo, o) and same_days(hi, p):
            return exact
        notes.append("the optimistic/pessimistic durations were edited; lognormal rebuilt from them as P10/P90")
        return Lognormal.from_percentiles(o, p)
    if kind == "lognormal" and "p10/p90" in params:
        return Lognormal.from_percentiles(o, p)
    if kind == "discrete":
        if "values" not in params:
            raise ValidationError("a discrete estimate needs its values in the parameters field")
        exact = make_estimate("discrete", values=params["values"])
        if not (same_days(min(exact.values), o) and same_days(max(exact.values), p) and same_days(exact.planned, m)):
            notes.append("the optimistic/most likely/pessimistic durations disagree with the discrete values; "
                         "using the values")
        return exact
    if kind == "uniform":  # the middle duration is the planned one, the mean of the two ends
        return make_estimate("uniform", optimistic=o, pessimistic=p)
    # Three durations from a tool without a distribution name: classic PERT.
    return make_estimate(kind or "betapert", optimistic=o, most_likely=m, pessimistic=p, lamb=params.get("lambda"))


# --------------------------------------------------------------------------- risks


def _impact_fields(dist: Distribution | None):
    if dist is None:
        return None
    points = estimate_points(dist)
    out = {"distribution": dist.kind, "parameters": estimate_parameters(dist)}
    if points is None:
        out["duration"] = dist.planned
    else:
        out["optimistic"], out["most_likely"], out["pessimistic"] = points
    return out


def _impact_from(impact, name: str) -> Distribution | None:
    """The distribution of :func:`_impact_fields`' JSON object (None stays None)."""
    if impact is None:
        return None
    if not isinstance(impact, dict):
        raise ValidationError(f"{name} must be a JSON object")
    points = None
    if all(k in impact for k in ("optimistic", "most_likely", "pessimistic")):
        points = tuple(finite_number(k, impact[k]) for k in ("optimistic", "most_likely", "pessimistic"))
    duration = finite_number("duration", impact["duration"]) if "duration" in impact else None
    return estimate_from(impact.get("distribution"), str(impact.get("parameters") or ""), duration, points)


def risks_to_json(risks) -> str:
    """The risks as compact JSON text (exact floats)."""
    data = [
        {
            "id": r.id,
            "name": r.name,
            "probability": r.probability,
            "tasks": list(r.tasks),
            "impact": _impact_fields(r.impact),
            "cost_impact": r.cost_impact,
            **({"kind": r.kind} if r.is_driver else {}),  # events, the default, as before drivers existed
            **({"response": {"post_probability": r.post_probability, "post_impact": _impact_fields(r.post_impact),
                             "post_cost_impact": r.post_cost_impact, "response_cost": r.response_cost}}
               if r.has_response else {}),
        }
        for r in risks
    ]
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def risks_from_json(text: str, where: str) -> tuple[Risk, ...]:
    """Parse :func:`risks_to_json` text; errors name ``where`` (the file and field)."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise FileFormatError(
            f"{where}: the risks are not valid JSON (was the text field cut at 255 characters by another tool?)"
        ) from None
    if not isinstance(data, list):
        raise FileFormatError(f"{where}: the risks must be a JSON list")
    out = []
    for i, item in enumerate(data, 1):
        if not isinstance(item, dict):
            raise FileFormatError(f"{where}: risk {i} must be a JSON object")
        try:
            dist = _impact_from(item.get("impact"), "impact")
            response = item.get("response") or {}
            if not isinstance(response, dict):
                raise ValidationError("response must be a JSON object")
            post = {k: response.get(k) for k in ("post_probability", "post_cost_impact", "response_cost")}
            post["post_impact"] = _impact_from(response.get("post_impact"), "post_impact")
            tasks = item.get("tasks") or []
            if not isinstance(tasks, list):
                raise ValidationError("tasks must be a JSON list")
            if "probability" not in item:
                raise ValidationError("probability is required (a number in [0, 1])")
            out.append(Risk(item.get("id"), item.get("name", ""), item["probability"], tasks=tuple(tasks),
                            impact=dist, cost_impact=item.get("cost_impact", 0.0), kind=item.get("kind", "event"),
                            **post))
        except PmsimError as exc:
            raise exc.with_context(f"{where}, risk {i}") from None
    return tuple(out)


# --------------------------------------------------------------------------- progress


def progress_frame(rows: list[dict], source: str) -> pd.DataFrame:
    """The progress table from per-task dicts (the columns of ``pmsim.evm`` progress data)."""
    frame = pd.DataFrame(rows, columns=list(PROGRESS_COLUMNS))
    for c in ("percent_complete", "remaining_duration", "actual_cost"):
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype(np.float64)
    for c in ("actual_start", "actual_finish"):
        # Timestamps at the resolution pandas gives parsed date strings.
        frame[c] = pd.to_datetime(frame[c].map(lambda d: None if d is None else d.isoformat()))
    frame["id"] = frame["id"].astype(object)
    frame.attrs["source"] = source
    return frame


def progress_rows(progress, project, source: str) -> tuple[dict[str, dict], dt.date | None]:
    """Validate a progress table to be written: (task id -> row dict, the status date or None).

    The rows pass :func:`pmsim.io.progress_table.check_progress` (the checks ``earned_value``
    makes; NaN/NaT where blank), name tasks of ``project``, and hold one
    status date at most. Errors name ``source`` (the file being written).
    """
    if progress is None:
        return {}, None
    if not isinstance(progress, pd.DataFrame):
        raise ValidationError(f"{source}: progress must be a pandas DataFrame, got {type(progress).__name__}")
    try:
        table = check_progress(progress)
    except PmsimError as exc:
        raise exc.with_context(source) from None
    status = None
    if "status_date" in table.columns:
        dates = table["status_date"].unique()
        if len(dates) > 1:
            raise ValidationError(f"{source}: progress for one status date only can be written; filter it first")
        status = pd.Timestamp(dates[0]).date() if len(dates) else None
    known = set(project.task_ids)
    out = {}
    for i, row in enumerate(table.to_dict("records"), 1):
        if row["id"] not in known:
            raise ValidationError(f"{source}: progress row {i} names unknown task {row['id']!r}")
        out[row["id"]] = row
    return out, status


# --------------------------------------------------------------------------- warnings


class Notes:
    """Things a reader could not carry over, gathered per feature and warned once each.

    ``note(feature, culprit, detail)`` records that ``culprit`` (a task,
    resource or calendar) uses ``feature``; :meth:`emit` issues one
    PmsimWarning per feature naming up to ten culprits, each saying
    ``verdict`` after the feature (a writer says what the format cannot hold). Each warning
    carries ``feature`` and every one of its ``culprits`` as attributes.
    """

    def __init__(self, source: str, verdict: str = "not modelled by pmsim"):
        self.source = source
        self.verdict = verdict
        self._items: dict[str, list[str]] = defaultdict(list)
        self._detail: dict[str, str] = {}

    def note(self, feature: str, culprit: str, detail: str = "") -> None:
        if culprit not in self._items[feature]:
            self._items[feature].append(culprit)
        if detail:
            self._detail.setdefault(feature, detail)

    def emit(self, stacklevel: int = 4) -> None:
        for feature, culprits in self._items.items():
            shown = ", ".join(culprits[:10]) + (f" and {len(culprits) - 10} more" if len(culprits) > 10 else "")
            detail = self._detail.get(feature, "")
            warning = PmsimWarning(f"{self.source}: {feature} ({self.verdict}): {shown}" + (f"; {detail}" if detail else ""))
            # Every culprit, not only the ten named: the parity check traces its mismatches to them.
            warning.feature, warning.culprits = feature, tuple(culprits)
            warnings.warn(warning, stacklevel=stacklevel)


def note_manual_tasks(project, notes: Notes) -> None:
    """A writer whose format has no manually scheduled tasks, levelling delays nor splits (the folder, a workbook, XER)
    says which tasks it writes without them: read back, their links may move them."""
    for task in project.tasks:
        if task.manual_start is not None:
            notes.note("manually scheduled tasks (written as scheduled automatically)", f"task {task.id!r}",
                       "read back, their links and constraints may move them; MSPDI keeps them")
        if task.levelling_delay:
            notes.note("levelling delays (left out)", f"task {task.id!r}",
                       "read back, these tasks start when their links allow; MSPDI keeps them")
        if task.splits:
            notes.note("split tasks (written as one stretch of work)", f"task {task.id!r}",
                       "read back, they finish when their work is done, without the gaps; MSPDI keeps them")
        if task.summary_finish is not None:
            notes.note("late finishes held by a manually scheduled summary task (left out)", f"task {task.id!r}",
                       "read back, their late dates follow from their links alone")
