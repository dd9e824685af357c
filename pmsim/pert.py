"""Classic analytic PERT: the mean and spread of the critical path, and a normal approximation.

Each task contributes its estimate's mean and variance. The critical path
is that of the deterministic schedule with every task at its mean duration;
its length is the PERT mean, and the sum of its tasks' variances the PERT
variance (when several chains tie, the one with the largest variance). The
finish is then read as normal: ``probability_by(date) = Φ((end of date -
mean) / sd)``.

This is the textbook answer, and it is optimistic where paths merge: the
finish is the *maximum* of several uncertain paths, whose mean is above
the mean of any one of them (merge bias). Set it beside
:func:`pmsim.simulate` to see by how much. Risks and correlation are
ignored here.

>>> import pmsim as pm
>>> p = pm.Project(name="x", start="2027-01-04", tasks=[
...     pm.Task("A", optimistic=2, most_likely=4, pessimistic=12),
...     pm.Task("B", optimistic=1, most_likely=2, pessimistic=3)],
...     dependencies=[pm.Dependency("A", "B")])
>>> r = pm.pert(p)
>>> r.mean, r.critical_path, round(r.sd, 4)   # sqrt(3 + 1/7): Beta-PERT variances
(7.0, ['A', 'B'], 1.7728)
>>> pm.pert(p, variance="classic").sd.__round__(4)   # sqrt((10/6)^2 + (2/6)^2)
1.6997
"""

from __future__ import annotations

import datetime as dt
import html
import math
import sys
import types
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from .cpm import CRITICAL_TOLERANCE, cpm
from .distributions import BetaPert, Triangular, Uniform
from .errors import ValidationError
from .calendar import as_date
from .model import Project, require_project
from .network import network

__all__ = ["pert", "PertResult"]


def _end_of_day(project: Project, date) -> int:
    """Working days elapsed by the end of ``date`` (counted from the project start)."""
    day = as_date("date", date)
    cal = project.calendar
    worked = np.is_busday(np.datetime64(day, "D"), busdaycal=cal.busdaycalendar)
    return cal.offset(project.start, day) + int(worked)


@dataclass(frozen=True, eq=False)
class PertResult:
    """The analytic PERT answer for a project.

    Attributes
    ----------
    project : Project
    mean, sd : float
        Mean and standard deviation of the critical path, working days.
    critical_path : list of str
        The critical chain used for the variance, in order.
    table : DataFrame
        Per task (project order): ``mean``, ``sd``, ``early_start``,
        ``early_finish``, ``total_float`` (with mean durations), ``critical``
        and ``on_path`` (in ``critical_path``).
    variance : str
        ``"distribution"`` or ``"classic"`` (see :func:`pert`).
    """

    project: Project = field(repr=False)
    mean: float
    sd: float
    critical_path: list
    table: pd.DataFrame = field(repr=False)
    variance: str = "distribution"

    def probability_by(self, date) -> float:
        """P(finish by the end of ``date``) under the normal approximation.

        >>> import pmsim as pm
        >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", optimistic=2, most_likely=4, pessimistic=6)])
        >>> round(pm.pert(p).probability_by("2027-01-07"), 3)   # 4 working days = the mean
        0.5
        """
        end = _end_of_day(self.project, date)
        if self.sd == 0:
            return 1.0 if self.mean <= end + 1e-9 else 0.0
        return float(special.ndtr((end - self.mean) / self.sd))

    def percentile_days(self, p):
        """``mean + z_p sd`` in working days (``p`` in (0, 100); a list gives a list)."""
        arr = np.asarray(p, dtype=float)
        lo, hi = (0.0, 100.0) if self.sd == 0 else (np.nextafter(0, 1), np.nextafter(100, 0))
        if arr.size == 0 or not np.all((arr >= lo) & (arr <= hi)):
            raise ValidationError(f"a PERT percentile must be in (0, 100), got {p!r}")
        days = self.mean + self.sd * special.ndtri(arr / 100.0) if self.sd > 0 else np.full(arr.shape, self.mean)
        return days.tolist() if arr.ndim else float(days)

    def percentile(self, p):
        """The date by the end of which the project finishes with probability ``p`` % (normal approximation).

        >>> import pmsim as pm
        >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", optimistic=2, most_likely=4, pessimistic=6)])
        >>> pm.pert(p).percentile(50)
        datetime.date(2027, 1, 7)
        """
        days = self.percentile_days(p)
        dates = self.project.calendar.finish_date(self.project.start, np.atleast_1d(days))
        out = [d.item() for d in np.atleast_1d(dates)]
        return out if np.ndim(p) else out[0]

    @property
    def finish_date(self) -> dt.date:
        """The date of the mean finish."""
        return self.project.calendar.finish_date(self.project.start, self.mean)

    def summary(self) -> pd.DataFrame:
        """The headline numbers as a one-column DataFrame (``value``)."""
        rows = {
            "project": self.project.name,
            "method": f"PERT ({self.variance} variance, normal approximation)",
            "mean (working days)": self.mean,
            "sd (working days)": self.sd,
            "mean finish date": self.finish_date,
        }
        levels = [10, 50, 80, 90]
        for lvl, date, days in zip(levels, self.percentile(levels), self.percentile_days(levels)):
            rows[f"P{lvl} date"] = date
            rows[f"P{lvl} (working days)"] = days
        if self.project.deadline is not None:
            rows["deadline"] = self.project.deadline
            rows["P(on time)"] = self.probability_by(self.project.deadline)
        rows["critical path"] = " -> ".join(self.critical_path)
        return pd.DataFrame({"value": pd.Series(rows, dtype=object)})

    def _repr_html_(self) -> str:
        return f"<h4>PERT analysis of {html.escape(self.project.name)}</h4>{self.summary().to_html(header=False)}"


def _classic_variance(estimate) -> float:
    if isinstance(estimate, (BetaPert, Triangular, Uniform)):
        return ((estimate.pessimistic - estimate.optimistic) / 6.0) ** 2
    return float(estimate.var)


def pert(project: Project, variance: str = "distribution") -> PertResult:
    """Classic PERT: mean and standard deviation of the critical path of mean durations.

    Parameters
    ----------
    project : Project
    variance : {"distribution", "classic"}
        ``"distribution"`` uses each estimate's own variance (for Beta-PERT
        ``(μ - o)(p - μ) / (λ + 3)``); ``"classic"`` the textbook
        ``((p - o) / 6)²`` for three-point estimates.

    Returns
    -------
    PertResult

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[
    ...     pm.Task("A", optimistic=1, most_likely=3, pessimistic=5),
    ...     pm.Task("B", optimistic=1, most_likely=3, pessimistic=5)])
    >>> r = pm.pert(p)   # two parallel paths of mean 3: PERT says P(<= 3 days) = 0.5
    >>> r.mean, round(r.probability_by("2027-01-06"), 2)
    (3.0, 0.5)
    """
    project = require_project(project, "pert")
    if variance not in ("distribution", "classic"):
        raise ValidationError(f"variance must be 'distribution' or 'classic', got {variance!r}")
    tasks = project.tasks
    means = {t.id: float(t.estimate.mean) for t in tasks}
    var_of = (lambda t: float(t.estimate.var)) if variance == "distribution" else (lambda t: _classic_variance(t.estimate))
    var = {t.id: var_of(t) for t in tasks}
    schedule = cpm(project, durations=means)
    table = schedule.table
    es = table["early_start"].to_dict()
    ef = table["early_finish"].to_dict()
    critical = table["critical"].to_dict()
    tol = CRITICAL_TOLERANCE

    def constraint(dep) -> float:
        i, j = dep.predecessor, dep.successor
        if dep.type == "FS":
            return ef[i] + dep.lag
        if dep.type == "SS":
            return es[i] + dep.lag
        if dep.type == "FF":
            return ef[i] + dep.lag - means[j]
        return es[i] + dep.lag - means[j]

    # Among the critical chains (tight links between critical tasks), the one with the largest variance.
    tight: dict[str, list[str]] = {t.id: [] for t in tasks}
    for dep in project.dependencies:
        if critical[dep.predecessor] and critical[dep.successor] and abs(constraint(dep) - es[dep.successor]) <= tol:
            tight[dep.successor].append(dep.predecessor)
    net = network(project)
    best: dict[str, float] = {}
    back: dict[str, str | None] = {}
    for tid in net.ids:  # topological order
        if not critical[tid]:
            continue
        prev = max(tight[tid], key=lambda i: best[i], default=None)
        best[tid] = var[tid] + (best[prev] if prev is not None else 0.0)
        back[tid] = prev
    ends = [t for t in best if abs(ef[t] - schedule.makespan) <= tol]
    path: list[str] = []
    node = max(ends, key=lambda t: best[t]) if ends else None
    while node is not None:
        path.append(node)
        node = back[node]
    path.reverse()
    total_var = sum(var[t] for t in path)
    on_path = set(path)
    frame = pd.DataFrame({
        "mean": [means[t.id] for t in tasks],
        "sd": [math.sqrt(var[t.id]) for t in tasks],
        "early_start": [es[t.id] for t in tasks],
        "early_finish": [ef[t.id] for t in tasks],
        "total_float": [table.loc[t.id, "total_float"] for t in tasks],
        "critical": [bool(critical[t.id]) for t in tasks],
        "on_path": [t.id in on_path for t in tasks],
    }, index=pd.Index(project.task_ids, name="id"))
    return PertResult(project=project, mean=float(schedule.makespan), sd=math.sqrt(total_var),
                      critical_path=path, table=frame, variance=variance)


class _CallableModule(types.ModuleType):
    """``pmsim.pert`` names both this module and its function. Importing the
    module (pytest's doctest collection does) makes the package attribute the
    module, so the module passes calls on to :func:`pert`."""

    def __call__(self, *args, **kwargs):
        return pert(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
