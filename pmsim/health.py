"""Schedule health check: the DCMA 14-point assessment (:func:`health_check`).

Eleven points run on a plan. Points 9 (invalid dates), 11 (missed tasks)
and 14 (baseline execution index) measure progress against a status date:
they run when the project has one (11 and 14 against a baseline).

Which points run, their thresholds and the conventions where the DCMA
pamphlet leaves room: ``docs/health-check.md``. :func:`warn_health` gives
the one warning a reader emits after an import.

>>> import pmsim as pm
>>> p = pm.Project(name="x", start="2027-01-04",
...     tasks=[pm.Task("A", duration=3), pm.Task("B", duration=60), pm.Task("C", duration=2)],
...     dependencies=[pm.Dependency("A", "B"), pm.Dependency("B", "C", "FS", -1)])
>>> h = health_check(p)
>>> h.set_index("check").loc[["leads", "high duration"], ["value", "passed", "tasks"]]
                   value  passed tasks
check
leads          50.000000   False  (C,)
high duration  33.333333   False  (B,)
"""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd

from .calendar import elapsed_working_days
from .cpm import CRITICAL_TOLERANCE, cpm
from .errors import PmsimWarning
from .model import Project, require_project
from ._kernels.links import FROM_FINISH, TO_FINISH, earliest_starts
from .network import network
from .timeline import timeline

__all__ = ["health_check", "warn_health", "HIGH_FLOAT_DAYS", "HIGH_DURATION_DAYS", "HARD_CONSTRAINTS", "CPLI_THRESHOLD"]

HIGH_FLOAT_DAYS = 44.0
HIGH_DURATION_DAYS = 44.0
# DCMA's hard constraints (must start / finish on, start / finish no later than), and P6's
# start on / finish on, which fix a date in both directions as a must-start-on does.
HARD_CONSTRAINTS = frozenset({"MSO", "MFO", "SNLT", "FNLT", "SO", "FO"})
CPLI_THRESHOLD = 0.95
BEI_THRESHOLD = 0.95
MISSED_THRESHOLD = 5.0  # percent of the tasks the baseline had finished by the status date


def _percent(count: int, total: int) -> float:
    return 100.0 * count / total if total else 0.0


def _driving(net, es, ef, tol=CRITICAL_TOLERANCE) -> np.ndarray:
    """For each link in ``net.succ_*`` order: does it set its successor's early dates?"""
    n = net.n
    src = np.repeat(np.arange(n), np.diff(net.succ_ptr))
    dst = net.succ_idx
    kind = net.succ_type
    lag = net.succ_lag
    # The early start each link alone would give its successor (see the forward pass).
    dur = ef - es
    implied = earliest_starts(kind, es[src], ef[src], lag, dur[dst])
    return np.abs(implied - es[dst]) <= tol


def _finish_sensitive(net, es, ef, makespan, tol=CRITICAL_TOLERANCE):
    """Per task (topological order): does lengthening it, or delaying it, delay the finish as much?

    Lengthening a task moves its finish only if its start is held by the
    project start or a driving FS or SS link; a task placed by an FF or SF
    link starts earlier instead. A delay at a task's finish crosses its
    driving FS and FF links and shifts the whole successor; a shift of a
    whole task also crosses its driving SS and SF links. Walking the network
    backwards decides it for every task. Returns (lengthening moves the
    finish, a delay moves the finish).
    """
    driving = _driving(net, es, ef, tol)
    n = net.n
    start_held = es <= tol
    by_start = driving & ~TO_FINISH[net.succ_type]
    start_held[net.succ_idx[by_start]] = True
    finish_moves = np.zeros(n, dtype=bool)
    shift_moves = np.zeros(n, dtype=bool)
    for j in range(n - 1, -1, -1):
        fin = ef[j] >= makespan - tol
        shift = False
        for k in range(net.succ_ptr[j], net.succ_ptr[j + 1]):
            if not driving[k]:
                continue
            s = net.succ_idx[k]
            if not shift_moves[s]:
                continue
            if FROM_FINISH[net.succ_type[k]]:
                fin = True
            else:
                shift = True
        finish_moves[j] = fin
        shift_moves[j] = fin or shift
    return finish_moves & start_held, shift_moves


def _cpli(project: Project, makespan: float) -> tuple[float, str]:
    """DCMA point 13: (critical path length + its float against the target) / critical path length.

    The target is the project's ``must_finish_by``, else its ``deadline`` (the
    end of that day); without either the index is NaN. The critical path length
    runs from "time now" (DCMA-EA PAM 200.1 §4.13): the project start on a plan,
    the status date (the end of that day) on a progressed schedule.
    """
    target = project.must_finish_by if project.must_finish_by is not None else project.deadline
    if target is None or makespan <= 0:
        return float("nan"), "n/a: the project has no deadline or must_finish_by to measure the float against"
    day = target.date() if hasattr(target, "date") and callable(target.date) else target
    float_days = float(elapsed_working_days(project, [day])[0]) - makespan
    now, since = 0.0, ""
    if project.status_date is not None:
        tl = timeline(project)
        now = float(tl.working_days(np.array([tl.at(project.status_date, finish=True)]))[0])
        since = f" from the status date {project.status_date}"
    length = makespan - now
    if length <= 0:
        return float("nan"), f"n/a: no critical path left after the status date {project.status_date}"
    cpli = (length + float_days) / length
    return cpli, f"critical path {length:g} working days{since}, float {float_days:g} against {day}"


def _first_moment(value) -> dt.datetime:
    """A date alone is the start of that day."""
    return value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time(0))


def _last_moment(value) -> dt.datetime:
    """A date alone is the end of that day (as a status date is)."""
    return value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time(23, 59))


def _invalid_dates(project: Project, schedule) -> tuple:
    """DCMA point 9: forecast dates of work not done before the status date. (Actual dates after it are the
    other half of the point; a Project refuses them when it is built.)"""
    status = _last_moment(project.status_date)
    times = schedule.times()
    if isinstance(project.status_date, dt.datetime):  # a moment (P6's data date): times are whole minutes
        early = pd.Timestamp(status - dt.timedelta(minutes=1))
        before = lambda moment: moment < early  # noqa: E731
    else:  # a date alone is the end of that day, whenever its work ends
        before = lambda moment: moment.date() < project.status_date  # noqa: E731
    bad = [t.id for t in project.tasks
           if t.actual_start is None and before(times.at[t.id, "start"])
           or t.actual_finish is None and before(times.at[t.id, "finish"])]
    value = _percent(len(bad), len(project.tasks))
    return (9, "invalid dates", "no forecast date before the status date (no actual date after it)", 0.0, value,
            not bad, bad, f"{len(bad)} tasks with work not done scheduled before {status:%Y-%m-%d %H:%M}")


def _baseline_checks(project: Project, baseline) -> list[tuple]:
    """DCMA points 11 (missed tasks) and 14 (BEI) against ``baseline`` at the status date."""
    if baseline is None and not project.baselines:
        note = "n/a: the project has no baseline (Project.with_baseline) to measure against"
        return [(11, "missed tasks", f"at most {MISSED_THRESHOLD:g} % of the tasks due by the status date "
                 "finished late or not at all", MISSED_THRESHOLD, float("nan"), True, [], note),
                (14, "BEI", f"baseline execution index at least {BEI_THRESHOLD:g}", BEI_THRESHOLD, float("nan"),
                 True, [], note)]
    chosen = project.baselines[0] if baseline is None else (
        baseline if hasattr(baseline, "table") else project.baseline(baseline))
    status = _last_moment(project.status_date)
    planned = chosen.table
    finished = {t.id: t.actual_finish for t in project.tasks}
    due = [tid for tid in planned.index if tid in finished and planned.at[tid, "finish"] <= status]
    # A task is late when it finished on a later day than the baseline's (or has not finished).
    missed = [tid for tid in due if finished[tid] is None
              or _first_moment(finished[tid]).date() > planned.at[tid, "finish"].date()]
    done = sum(1 for f in finished.values() if f is not None)
    where = f"baseline {chosen.name!r}: {len(due)} tasks due by {status:%Y-%m-%d %H:%M}"
    if not due:
        note = f"n/a: {where}"
        missed_value = bei = float("nan")
    else:
        note = where
        missed_value, bei = _percent(len(missed), len(due)), done / len(due)
    return [(11, "missed tasks", f"at most {MISSED_THRESHOLD:g} % of the tasks due by the status date finished "
             "late or not at all", MISSED_THRESHOLD, missed_value,
             bool(np.isnan(missed_value) or missed_value <= MISSED_THRESHOLD), missed, note),
            (14, "BEI", f"baseline execution index at least {BEI_THRESHOLD:g}", BEI_THRESHOLD, bei,
             bool(np.isnan(bei) or bei >= BEI_THRESHOLD - 1e-12), [],
             f"{done} tasks finished of {len(due)} due" if due else note)]


def health_check(project: Project, baseline=None) -> pd.DataFrame:
    """Run the DCMA checks: the eleven that need no status date, and 9, 11 and 14 when there is one.

    Parameters
    ----------
    project : Project
    baseline : str or Baseline, optional
        What missed tasks (11) and the BEI (14) measure against: a baseline of the
        project by name, or a :class:`pmsim.Baseline`; the project's first one by
        default. Without any, those two are "n/a". Points 9, 11 and 14 run only when
        the project has a status date (``Project.status_date``).

    Returns
    -------
    pandas.DataFrame
        One row per check with columns ``dcma`` (the point number in the
        DCMA 14-point assessment), ``check``, ``rule`` (the threshold in
        words), ``threshold`` and ``value`` (a percentage, or a count of
        tasks for the critical path test, the index itself for CPLI and BEI: NaN
        where the check does not apply, "n/a" in its note), ``passed``, ``tasks`` (a tuple of
        the offending task ids; for link checks, the successors) and
        ``note``.

    See the module docstring for the thresholds and their source.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", duration=3), pm.Task("B", duration=2), pm.Task("C", duration=1)],
    ...     dependencies=[pm.Dependency("A", "B"), pm.Dependency("B", "C")])
    >>> health_check(p)[["check", "value", "passed"]].head(4)
               check  value  passed
    0  missing logic    0.0    True
    1          leads    0.0    True
    2           lags    0.0    True
    3       FS links  100.0    True
    """
    project = require_project(project, "health_check")
    schedule = cpm(project)
    table = schedule.table
    net = network(project)
    ids = list(project.task_ids)
    n_tasks = len(ids)
    deps = project.dependencies
    n_links = len(deps)
    rows = []

    # 1. Missing logic, exempting the project's start and finish.
    has_pred = {d.successor for d in deps}
    has_succ = {d.predecessor for d in deps}
    no_pred = [t for t in ids if t not in has_pred]
    no_succ = [t for t in ids if t not in has_succ]
    exempt = set()
    # Ties go to the first task without a predecessor and the last one without a successor.
    if no_pred:
        early_start = table.loc[no_pred, "early_start"].to_numpy()
        exempt.add(no_pred[int(np.argmin(early_start))])
    if no_succ:
        early_finish = table.loc[no_succ, "early_finish"].to_numpy()
        exempt.add(no_succ[len(no_succ) - 1 - int(np.argmax(early_finish[::-1]))])
    dangling = [t for t in ids if (t not in has_pred or t not in has_succ) and t not in exempt]
    counted = n_tasks - len(exempt)
    value = _percent(len(dangling), counted)
    rows.append((1, "missing logic", "at most 5 % of tasks without a predecessor or successor", 5.0, value,
                 value <= 5.0, dangling,
                 f"start {sorted(exempt & set(no_pred))} and finish {sorted(exempt & set(no_succ))} exempt"))

    # 2-4. Link checks: the offending tasks are the successors.
    leads = [d.successor for d in deps if d.lag < 0]
    value = _percent(len(leads), n_links)
    rows.append((2, "leads", "no negative lags", 0.0, value, not leads, leads, f"{len(leads)} of {n_links} links"))
    lags = [d.successor for d in deps if d.lag > 0]
    value = _percent(len(lags), n_links)
    rows.append((3, "lags", "at most 5 % of links with a positive lag", 5.0, value, value <= 5.0, lags,
                 f"{len(lags)} of {n_links} links"))
    other = [d.successor for d in deps if d.type != "FS"]
    value = 100.0 - _percent(len(other), n_links) if n_links else 100.0
    rows.append((4, "FS links", "at least 90 % of links finish-to-start", 90.0, value, value >= 90.0, other,
                 f"{n_links - len(other)} of {n_links} links are FS" if n_links else "no links"))

    # 5. Hard constraints, over the tasks not yet finished.
    open_tasks = [t for t in project.tasks if t.actual_finish is None]
    hard = [t.id for t in open_tasks
            if t.constraint in HARD_CONSTRAINTS or t.secondary_constraint in HARD_CONSTRAINTS]
    value = _percent(len(hard), len(open_tasks))
    rows.append((5, "hard constraints", "at most 5 % of unfinished tasks with a hard date constraint", 5.0, value,
                 value <= 5.0, hard, f"{len(hard)} of {len(open_tasks)} unfinished tasks (MSO MFO SNLT FNLT SO FO)"))

    # 6 and 8: float and duration, over tasks that are not milestones.
    work = table[~table["milestone"]]
    high_float = list(work.index[work["total_float"] > HIGH_FLOAT_DAYS + CRITICAL_TOLERANCE])
    value = _percent(len(high_float), len(work))
    rows.append((6, "high float", f"at most 5 % of tasks with total float > {HIGH_FLOAT_DAYS:g} working days",
                 5.0, value, value <= 5.0, high_float, f"{len(high_float)} of {len(work)} tasks"))
    negative = list(table.index[table["total_float"] < -CRITICAL_TOLERANCE])
    value = _percent(len(negative), n_tasks)
    rows.append((7, "negative float", "no task with negative total float", 0.0, value, not negative, negative,
                 f"{len(negative)} of {n_tasks} tasks (a deadline or constraint the logic cannot meet)"))
    long_tasks = list(work.index[work["duration"] > HIGH_DURATION_DAYS + CRITICAL_TOLERANCE])
    value = _percent(len(long_tasks), len(work))
    rows.append((8, "high duration", f"at most 5 % of tasks longer than {HIGH_DURATION_DAYS:g} working days",
                 5.0, value, value <= 5.0, long_tasks, f"{len(long_tasks)} of {len(work)} tasks"))

    # 10. Resources: work of a day or more should carry resources or a cost.
    loaded = {t.id for t in project.tasks if t.resources or t.fixed_cost > 0 or t.cost_per_day > 0}
    day_long = work[work["duration"] >= 1.0 - CRITICAL_TOLERANCE]
    unloaded = [t for t in day_long.index if t not in loaded]
    value = _percent(len(unloaded), len(day_long))
    rows.append((10, "resources", "every task of a working day or more has resources or a cost", 0.0, value,
                 not unloaded, unloaded, f"{len(unloaded)} of {len(day_long)} tasks of a day or more"))

    # 12. Critical path test.
    es = net.to_topological(table["early_start"].to_numpy(dtype=float))
    ef = net.to_topological(table["early_finish"].to_numpy(dtype=float))
    finish_moves, shift_moves = _finish_sensitive(net, es, ef, schedule.makespan)
    critical = net.to_topological(table["critical"].to_numpy(dtype=bool))
    milestone = net.to_topological(table["milestone"].to_numpy(dtype=bool))
    # A milestone has no duration to lengthen: it must move with a delay instead.
    moves = np.where(milestone, shift_moves, finish_moves)
    broken_pos = set(np.flatnonzero(critical & ~moves).tolist())
    broken = [t for t in ids if net.position[t] in broken_pos]
    rows.append((12, "critical path test", "every critical task delays the finish when it is lengthened", 0.0,
                 float(len(broken)), not broken, broken,
                 f"{int(critical.sum())} critical tasks; value = tasks that break the chain"))

    # 13. Critical path length index.
    cpli, note = _cpli(project, float(schedule.makespan))
    rows.append((13, "CPLI", f"critical path length index at least {CPLI_THRESHOLD:g}", CPLI_THRESHOLD, cpli,
                 bool(np.isnan(cpli) or cpli >= CPLI_THRESHOLD - 1e-12), [], note))

    if project.status_date is not None:
        rows.append(_invalid_dates(project, schedule))
        rows.extend(_baseline_checks(project, baseline))
        rows.sort(key=lambda row: row[0])
    out = pd.DataFrame(rows, columns=["dcma", "check", "rule", "threshold", "value", "passed", "tasks", "note"])
    out["tasks"] = [tuple(t) for t in out["tasks"]]
    out["passed"] = out["passed"].astype(bool)
    return out


def health_summary(project: Project, source: str = "") -> str | None:
    """One line naming the failed checks, or None when all pass (used after imports)."""
    table = health_check(project)
    failed = table[~table["passed"]]
    if failed.empty:
        return None
    parts = []
    for row in failed.itertuples():
        shown = ", ".join(row.tasks[:5]) + (", ..." if len(row.tasks) > 5 else "")
        value = (f"{row.value:g}" if row.check == "critical path test" else f"{row.value:.2f}"
                 if row.check in ("CPLI", "BEI") else f"{row.value:.1f} %")
        parts.append(f"{row.check} ({value}: {shown})")
    prefix = f"{source}: " if source else ""
    return (f"{prefix}schedule health check: {len(failed)} of {len(table)} DCMA checks failed: "
            + "; ".join(parts) + ". See pm.health_check(project).")


def warn_health(project: Project, source: str, stacklevel: int = 2) -> None:
    """Warn once, naming the failed checks, when a project fails any (run after every import).

    ``source`` (the file read) opens the message. ``stacklevel`` counts
    frames as :func:`warnings.warn` does from here: 2, the default, points
    the warning at the caller of this function, 3 at that caller's caller.

    >>> import warnings, pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=3), pm.Task("B", duration=2)],
    ...                dependencies=[pm.Dependency("A", "B", "FS", -1)])
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_health(p, "x.xml")
    >>> print(caught[0].message)
    x.xml: schedule health check: 2 of 11 DCMA checks failed: leads (100.0 %: B); resources (100.0 %: A, B). See pm.health_check(project).
    """
    message = health_summary(project, source)
    if message:
        warnings.warn(PmsimWarning(message), stacklevel=stacklevel)
