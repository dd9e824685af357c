"""Reference-class forecasting: estimates corrected by how past estimates of the same kind turned out.

The inside view (this task will take 10 days) is corrected by the outside view (tasks of this kind took
1.4 times their estimate, give or take): Flyvbjerg's reference-class forecasting, after Kahneman and
Tversky. :func:`pmsim.reference_classes` fits, per class of a history of past tasks (a phase, a task type, a
team), the distribution of actual / estimate as a lognormal (the mean and standard deviation of the
log ratios); :func:`pmsim.calibrate` replaces each task's estimate by its planned duration times that
distribution: a lognormal whose P10 and P90 are planned × the class's P10 and P90 ratio. A class with
fewer than ``min_samples`` past tasks borrows the fit of the whole history (said in the table).

Nothing changes silently: :func:`pmsim.calibrate` returns a :class:`Calibration` whose ``changes`` table
lists every task with its class, the fit used, and its estimate before and after; ``.project`` is the
calibrated project (``pm.simulate(cal.project, ...)`` gives the calibrated forecast).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd

from .distributions import Fixed, Lognormal
from .errors import ValidationError
from .io.csv_files import read_table
from .model import Project, require_project

__all__ = ["reference_classes", "calibrate", "Calibration", "history_table", "ALL"]

ALL = "(all history)"
_Z90 = NormalDist().inv_cdf(0.9)


def history_table(history) -> pd.DataFrame:
    """The history as a DataFrame: a DataFrame, a CSV file (path) or a list of rows (mappings).

    >>> history_table([{"phase": "build", "estimate": 5, "actual": 6}]).to_dict("list")
    {'phase': ['build'], 'estimate': [5], 'actual': [6]}
    """
    if isinstance(history, pd.DataFrame):
        return history
    if isinstance(history, (str, PathLike)):
        path = Path(history)
        if not path.is_file():
            raise ValidationError(f"history file {str(path)!r} does not exist")
        return read_table(path, numeric=frozenset({"estimate", "actual"}))
    if isinstance(history, (list, tuple)) and history and all(isinstance(row, Mapping) for row in history):
        return pd.DataFrame(list(history))
    raise ValidationError("reference classes need a history table (estimate, actual and a class column): a "
                          f"DataFrame, a CSV file or a list of rows, got {type(history).__name__}")


def _history(history, column: str) -> pd.DataFrame:
    history = history_table(history)
    missing = [c for c in ("estimate", "actual", column) if c not in history.columns]
    if missing:
        raise ValidationError(f"the history table needs columns estimate, actual and {column!r}; "
                              f"missing: {', '.join(missing)}")
    table = pd.DataFrame({"class": history[column].astype(str).str.strip(),
                          "estimate": pd.to_numeric(history["estimate"], errors="coerce"),
                          "actual": pd.to_numeric(history["actual"], errors="coerce")}, index=history.index)
    for name in ("estimate", "actual"):
        bad = table.index[~(table[name] > 0)]
        if len(bad):
            raise ValidationError(f"history row {bad[0]!r}: {name} {history.loc[bad[0], name]!r} must be a "
                                  "number > 0 (a ratio actual / estimate needs both)")
    return table


def reference_classes(history, by: str = "phase", *, min_samples: int = 10) -> pd.DataFrame:
    """Per class of ``history[by]``: the distribution of actual / estimate, as a fitted lognormal.

    ``history``: past tasks or projects with ``estimate``, ``actual`` and the ``by`` column, as a
    DataFrame, a CSV file or a list of rows (mappings).

    Returns a table indexed by class, plus the row ``ALL`` (the whole history): ``n``,
    ``ratio_median`` (exp of the mean log ratio), ``ratio_mean``, ``sigma`` (the standard deviation
    of the log ratios), ``ratio_p10`` and ``ratio_p90`` (of the fitted lognormal), ``observed_p10``
    and ``observed_p90`` (the sample's), ``fitted_on`` (the class itself, or ``ALL`` when it has
    fewer than ``min_samples`` rows).

    >>> h = pd.DataFrame({"phase": ["build"] * 2, "estimate": [10, 10], "actual": [10, 40]})
    >>> round(float(reference_classes(h, min_samples=2).loc["build", "ratio_median"]), 6)   # √(1 × 4)
    2.0
    """
    if int(min_samples) < 2:
        raise ValidationError(f"reference_classes: min_samples must be at least 2, got {min_samples!r}")
    table = _history(history, by)
    logs = np.log(table["actual"] / table["estimate"])
    rows = {}
    groups = [(ALL, logs), *((name, part) for name, part in logs.groupby(table["class"], sort=True))]
    for name, part in groups:
        n = len(part)
        sigma = float(part.std(ddof=1)) if n > 1 else 0.0
        mu = float(part.mean())
        ratios = np.exp(part.to_numpy())
        rows[name] = {"n": n, "ratio_median": math.exp(mu), "ratio_mean": float(ratios.mean()), "sigma": sigma,
                      "ratio_p10": math.exp(mu - _Z90 * sigma), "ratio_p90": math.exp(mu + _Z90 * sigma),
                      "observed_p10": float(np.percentile(ratios, 10)),
                      "observed_p90": float(np.percentile(ratios, 90)),
                      "fitted_on": name if name == ALL or n >= int(min_samples) else ALL}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    borrowed = frame["fitted_on"] == ALL
    fit = ["ratio_median", "sigma", "ratio_p10", "ratio_p90"]
    frame.loc[borrowed, fit] = frame.loc[[ALL] * int(borrowed.sum()), fit].to_numpy()
    frame.index.name = by
    frame.attrs.update(by=by, min_samples=int(min_samples))
    return frame


def _class_of(by) -> Callable:
    if callable(by):
        return by
    if isinstance(by, Mapping):
        return lambda task: by.get(task.id)
    if by == "phase":
        return lambda task: task.phase or None
    if by in ("team", "resource"):  # the resource it demands most units of
        return lambda task: max(task.resources, key=lambda r: r[1])[0] if task.resources else None
    raise ValidationError(f"calibrate: by must be 'phase', 'team', a mapping of task id to class or a function "
                          f"of the task, got {by!r}")


def _text(estimate) -> str:
    return f"{estimate.kind} P10 {float(estimate.ppf(0.1)):.4g} / P50 {float(estimate.ppf(0.5)):.4g} / " \
           f"P90 {float(estimate.ppf(0.9)):.4g}"


@dataclass(frozen=True)
class Calibration:
    """The result of :func:`pmsim.calibrate`: ``project`` (calibrated), ``original``, ``changes`` (one row per
    task: ``class``, ``fitted_on``, ``n``, ``ratio_median``, ``ratio_p10``, ``ratio_p90``, ``before``,
    ``after`` (the estimates as text), ``mean_before``, ``mean_after``, ``changed``) and ``classes``
    (:func:`pmsim.reference_classes`)."""

    project: Project = field(repr=False)
    original: Project = field(repr=False)
    changes: pd.DataFrame = field(repr=False)
    classes: pd.DataFrame = field(repr=False)

    def __repr__(self) -> str:
        return (f"Calibration({self.original.name!r}: {int(self.changes['changed'].sum())} of {len(self.changes)} "
                f"estimates changed, by {self.classes.attrs.get('by')!r})")

    def summary(self) -> pd.DataFrame:
        """Per class: tasks changed, the ratio applied and the expected work before and after (working days)."""
        grouped = self.changes[self.changes["changed"]].groupby("class")
        return pd.DataFrame({"tasks": grouped.size(), "ratio_median": grouped["ratio_median"].first(),
                             "mean_before": grouped["mean_before"].sum(), "mean_after": grouped["mean_after"].sum()})

    def _repr_html_(self) -> str:
        return (f"<b>{repr(self).replace('&', '&amp;').replace('<', '&lt;')}</b>"
                + self.changes.to_html(escape=True, float_format=lambda v: f"{v:.3g}"))


def calibrate(project: Project, history, by="phase", *, min_samples: int = 10) -> Calibration:
    """The project with each estimate replaced by its planned duration × its class's actual/estimate ratio.

    Parameters
    ----------
    project : Project
    history : DataFrame, path or list of mappings
        Past tasks (a table, a CSV file or a list of rows): ``estimate`` and ``actual`` (durations,
        any one unit) and the class column: ``by`` when it is a column name (``phase``, ``team``),
        else ``class``.
    by : "phase", "team", mapping or callable
        The class of each task: its phase, its team (the resource it demands most of), ``{task id:
        class}`` or ``f(task) -> class``. A task without a class, or of a class the history lacks,
        takes the fit of the whole history.
    min_samples : int
        Fewer past tasks in a class than this: it borrows the whole history's fit.

    A task of planned duration 0 (a milestone) is left as it is. The new estimate is a lognormal with
    P10 = planned × the class's P10 ratio and P90 = planned × its P90 ratio (a fixed duration planned
    × the ratio when the class's ratios do not vary).

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=10, phase="build")])
    >>> h = pd.DataFrame({"phase": ["build"] * 3, "estimate": [5, 5, 5], "actual": [6, 5, 7.5]})
    >>> cal = calibrate(p, h, min_samples=3)
    >>> round(float(cal.changes.loc["A", "ratio_median"]) ** 3, 6)     # the geometric mean: 1.2 × 1 × 1.5
    1.8
    """
    project = require_project(project, "calibrate")
    history = history_table(history)
    column = by if isinstance(by, str) and by in history.columns else "class"
    classes = reference_classes(history, column, min_samples=min_samples)
    class_of = _class_of(by)
    rows, tasks = {}, []
    for task in project.tasks:
        name = class_of(task)
        key = str(name) if name is not None and str(name) in classes.index else ALL
        fit = classes.loc[key]
        before = task.estimate
        planned = float(before.planned)
        if planned <= 0:
            after = before
        elif fit["sigma"] > 0:
            after = Lognormal.from_percentiles(planned * fit["ratio_p10"], planned * fit["ratio_p90"])
        else:
            after = Fixed(planned * fit["ratio_median"])
        tasks.append(task if after is before else task.replace(estimate=after))
        rows[task.id] = {"name": task.name, "class": "" if name is None else str(name), "fitted_on": fit["fitted_on"],
                         "n": int(classes.loc[fit["fitted_on"], "n"]), "ratio_median": fit["ratio_median"],
                         "ratio_p10": fit["ratio_p10"], "ratio_p90": fit["ratio_p90"],
                         "before": _text(before), "after": _text(after), "mean_before": float(before.mean),
                         "mean_after": float(after.mean), "changed": after is not before}
    changes = pd.DataFrame.from_dict(rows, orient="index")
    changes.index.name = "id"
    return Calibration(project=project.replace(tasks=tuple(tasks)), original=project, changes=changes,
                       classes=classes)
