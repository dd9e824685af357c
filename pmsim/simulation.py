"""Monte Carlo schedule and cost risk: :func:`simulate` and its :class:`Simulation`.

In every iteration each task's duration is drawn from its estimate, the
risks of the register occur with their probabilities and add their sampled
impact to the tasks they name, and a forward pass over the links gives the
project finish; cost follows the same durations (:mod:`pmsim.costs`) plus
the cost impact of each risk that occurred. With ``levelled=True`` every
iteration is levelled under the resource capacities
(:mod:`pmsim.levelled_montecarlo`); with ``progress=`` only the work left at
the status date is simulated (:mod:`pmsim.reforecast`). The engine is
:mod:`pmsim.montecarlo`; how it runs: ``docs/monte-carlo.md``.

>>> import pmsim as pm
>>> p = pm.Project(name="demo", start="2027-01-04", tasks=[
...     pm.Task("A", optimistic=2, most_likely=3, pessimistic=6),
...     pm.Task("B", optimistic=1, most_likely=2, pessimistic=4)],
...     dependencies=[pm.Dependency("A", "B")])
>>> sim = pm.simulate(p, iterations=2000, seed=1)
>>> round(sim.mean, 1), sim.percentile(80)
(5.5, datetime.date(2027, 1, 12))
"""

from __future__ import annotations

import functools
import html
import math
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import limits
from ._seed import resolve_seed
from .calendar import as_date
from .cpm import MAX_WORKING_DAYS, Schedule
from .errors import PmsimWarning, ValidationError
from .model import Project, require_project
from .montecarlo.plan import Plan, make_plan
from .montecarlo.requests import (
    check_chunk,
    check_percentiles,
    check_iterations,
    check_iterations_fit,
    check_keep,
    check_reach,
    positive_int,
    readonly,
)
from .montecarlo.runner import DEFAULT_CHUNK, EngineRun, run, task_dates
from .montecarlo.indices import sensitivity_indices
from .montecarlo.statistics import achieved_correlation, duration_sensitivity, risk_summary, varying_tasks

__all__ = ["simulate", "Simulation", "simulate_plan", "check_iterations"]

def _dates(values) -> list:
    return [v.item() for v in np.atleast_1d(values)]


@dataclass(frozen=True, eq=False)
class Simulation:
    """The result of :func:`simulate`: per-iteration finish and cost, and per-task statistics.

    Attributes
    ----------
    project : Project
    iterations : int
    seed : int
        The entropy actually used: ``simulate(project, seed=sim.seed, ...)`` repeats the run.
    levelled : bool
    finish : ndarray (float64, read-only)
        Project duration in working days from the start, per iteration.
    cost : ndarray (float64, read-only)
        Total cost per iteration (see the module docstring for the cost model).
    criticality : Series
        Per task (project order), the share of all iterations in which it
        existed and was on a driving chain into the project finish (a task of
        ``existence`` < 1 or on a branch counts only where it exists; see
        ``conditional_criticality``).
    existence : Series
        Per task, the share of iterations in which it existed (1 for every
        task of existence 1 outside a branch).
    risk_summary : DataFrame
        Per risk: ``name``, ``probability`` (given), ``occurred`` (share of
        iterations), ``mean_impact`` (when it occurred, the mean sampled impact:
        working days added to each task it names, or a driver's factor), ``delay_added`` (mean project
        finish in the iterations where it occurred minus the mean where it did
        not: its marginal effect on the finish, NaN if it always or never
        occurred) and ``cost_added`` (the same difference for cost, which
        includes its cost impact and the cost of the extra days).
    task_finish : ndarray or None
        With ``keep="tasks"``: (iterations, tasks) float32 finish of each task,
        project task order.

    Computed on first use from the seed (nothing extra is stored):
    ``sensitivity``, ``cruciality``, ``achieved_correlation`` and
    :meth:`iter_task_dates`. Dates and durations inside the engine are
    float32 working days: exact for whole days, about 1e-7 relative otherwise.
    """

    project: Project = field(repr=False)
    iterations: int
    seed: int
    levelled: bool
    finish: np.ndarray = field(repr=False)
    cost: np.ndarray = field(repr=False)
    criticality: pd.Series = field(repr=False)
    existence: pd.Series = field(repr=False)
    risk_summary: pd.DataFrame = field(repr=False)
    task_finish: np.ndarray | None = field(repr=False)
    _plan: Plan = field(repr=False)
    _occurred: np.ndarray = field(repr=False)
    # A re-forecast from progress: the pmsim.reforecast.RemainingWork it simulated (None otherwise).
    remaining: object = field(default=None, repr=False)
    # The batch scheduler of the run (None: the unconstrained forward pass); it regenerates task dates.
    _scheduler: Callable | None = field(default=None, repr=False)
    # A levelled run: the deterministic levelled plan its iterations follow.
    levelled_plan: Schedule | None = field(default=None, repr=False)

    # ------------------------------------------------------------ finish

    @functools.cached_property
    def finish_dates(self) -> np.ndarray:
        """The calendar date (datetime64[D]) of the last working day, per iteration."""
        dates = np.asarray(self.project.calendar.finish_date(self.project.start, self.finish), dtype="datetime64[D]")
        return readonly(np.atleast_1d(dates))

    @functools.cached_property
    def _sorted_finish(self) -> np.ndarray:
        return np.sort(self.finish)

    def percentile_days(self, p):
        """The P-value of the finish in working days: the smallest simulated finish
        by which at least ``p`` % of iterations are done (a list gives a list).

        >>> import pmsim as pm
        >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", optimistic=4, most_likely=5, pessimistic=9)])
        >>> sim = pm.simulate(p, iterations=1000, seed=3)
        >>> 4 <= sim.percentile_days(10) < sim.percentile_days(90) <= 9
        True
        """
        arr = check_percentiles(p)
        days = np.percentile(self._sorted_finish, arr, method="inverted_cdf")
        return days.tolist() if arr.ndim else float(days)

    def percentile(self, p):
        """The P-date: the calendar date by the end of which ``p`` % of iterations finished.

        >>> import pmsim as pm
        >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=3)])
        >>> pm.simulate(p, iterations=100, seed=1).percentile([50, 80])
        [datetime.date(2027, 1, 6), datetime.date(2027, 1, 6)]
        """
        days = self.percentile_days(p)
        dates = self.project.calendar.finish_date(self.project.start, np.atleast_1d(days))
        out = _dates(dates)
        return out if np.ndim(p) else out[0]

    def probability_by(self, date) -> float:
        """The share of iterations that finish on or before ``date`` (by the end of that day).

        >>> import pmsim as pm
        >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=3)])
        >>> sim = pm.simulate(p, iterations=100, seed=1)
        >>> sim.probability_by("2027-01-05"), sim.probability_by("2027-01-06")
        (0.0, 1.0)
        """
        day = np.datetime64(as_date("probability_by", date), "D")
        return float(np.mean(self.finish_dates <= day))

    @property
    def mean(self) -> float:
        """Mean finish, working days."""
        return float(self.finish.mean())

    @property
    def std(self) -> float:
        """Standard deviation of the finish (sample, ddof=1), working days."""
        return float(self.finish.std(ddof=1)) if self.iterations > 1 else 0.0

    @property
    def p80_standard_error(self) -> float:
        """Standard error of the P80 finish, working days, from order statistics.

        The number of iterations below the true P80 is binomial(M, 0.8), with
        standard deviation s = sqrt(M 0.8 0.2); the order statistics at ranks
        0.8 M ± s bracket the true P80 with about 68 % confidence, and half their
        distance estimates its standard error. It needs no assumption about the
        finish distribution; it shrinks like 1 / sqrt(M).
        """
        x = self._sorted_finish
        m = x.shape[0]
        s = math.sqrt(m * 0.8 * 0.2)
        lo = x[min(m - 1, max(0, math.ceil(0.8 * m - s) - 1))]
        hi = x[min(m - 1, max(0, math.ceil(0.8 * m + s) - 1))]
        return float(hi - lo) / 2.0

    def histogram(self, bins=50) -> pd.DataFrame:
        """Histogram of the finish: ``days`` (bin start), ``width``, ``date``, ``count``, ``probability``.

        ``bins`` is passed to :func:`numpy.histogram`; ``date`` is the finish
        date of a task ending at the bin's start.

        >>> import pmsim as pm
        >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", optimistic=4, most_likely=5, pessimistic=9)])
        >>> h = pm.simulate(p, iterations=1000, seed=3).histogram(bins=10)
        >>> len(h), float(h["probability"].sum())
        (10, 1.0)
        """
        counts, edges = np.histogram(self.finish, bins=bins)
        left = edges[:-1]
        dates = self.project.calendar.finish_date(self.project.start, left)
        return pd.DataFrame({
            "days": left,
            "width": np.diff(edges),
            "date": pd.to_datetime(np.atleast_1d(dates)),
            "count": counts,
            "probability": counts / self.iterations,
        })

    def cdf(self) -> pd.DataFrame:
        """Empirical CDF: each distinct simulated finish (``days``, ``date``) and the share done by it.

        >>> import pmsim as pm
        >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=3)])
        >>> pm.simulate(p, iterations=10, seed=1).cdf()
           days       date  probability
        0   3.0 2027-01-06          1.0
        """
        values, counts = np.unique(self._sorted_finish, return_counts=True)
        dates = self.project.calendar.finish_date(self.project.start, values)
        return pd.DataFrame({
            "days": values,
            "date": pd.to_datetime(np.atleast_1d(dates)),
            "probability": np.cumsum(counts) / self.iterations,
        })

    # ------------------------------------------------------------ cost

    @property
    def cost_mean(self) -> float:
        return float(self.cost.mean())

    @property
    def cost_std(self) -> float:
        return float(self.cost.std(ddof=1)) if self.iterations > 1 else 0.0

    def cost_percentile(self, p):
        """The cost not exceeded in ``p`` % of iterations (inverted CDF; a list gives a list).

        >>> import pmsim as pm
        >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=3, cost_per_day=100)])
        >>> pm.simulate(p, iterations=100, seed=1).cost_percentile(80)
        300.0
        """
        arr = check_percentiles(p)
        values = np.percentile(self.cost, arr, method="inverted_cdf")
        return values.tolist() if arr.ndim else float(values)

    def probability_within(self, budget) -> float:
        """P(cost <= budget), the share of iterations within ``budget``.

        >>> import pmsim as pm
        >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=3, cost_per_day=100)])
        >>> sim = pm.simulate(p, iterations=100, seed=1)
        >>> sim.probability_within(299), sim.probability_within(300)
        (0.0, 1.0)
        """
        try:
            b = float(budget)
        except (TypeError, ValueError):
            raise ValidationError(f"budget must be a number, got {budget!r}") from None
        return float(np.mean(self.cost <= b + 1e-9 * max(1.0, abs(b))))

    # ------------------------------------------------------------ per task

    @functools.cached_property
    def sensitivity(self) -> pd.Series:
        """Spearman rank correlation of each task's duration with the project finish.

        The duration is the one the forward pass used (risk delays included).
        Samples are regenerated from the seed (nothing was stored), ranked
        exactly (mid-ranks for ties) and correlated with the finish's ranks;
        a task whose duration never varies gets 0. Computed on first use:
        about a millisecond per task per 100,000 iterations.
        """
        rho = duration_sensitivity(self._plan, self.finish)
        return pd.Series(rho, index=pd.Index(self.project.task_ids, name="id"), name="sensitivity")

    @functools.cached_property
    def conditional_criticality(self) -> pd.Series:
        """Per task, the share of the iterations in which it existed where it was critical (NaN if it never
        existed): ``criticality / existence``; the same as ``criticality`` for a task that always exists."""
        exists = self.existence.to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            values = np.where(exists > 0, self.criticality.to_numpy() / exists, np.nan)
        return pd.Series(values, index=self.criticality.index, name="conditional_criticality")

    @functools.cached_property
    def cruciality(self) -> pd.Series:
        """The cruciality index CRI, per task: the absolute Pearson correlation of its duration with the finish (Williams 1992).

        It used to be criticality × sensitivity, which is not the
        literature's index; :meth:`sensitivity_indices` gives it with CI, SI,
        SSI and the Spearman and Kendall forms.
        """
        return self.sensitivity_indices()["CRI_r"].rename("cruciality")

    def sensitivity_indices(self) -> pd.DataFrame:
        """CI, SI, SSI and CRI (``CRI_r`` Pearson, ``CRI_rho`` Spearman, ``CRI_tau`` Kendall) per task.

        Definitions and sources: ``pmsim/montecarlo/indices.py`` and
        ``docs/monte-carlo.md``. Regenerated from the seed; holds the tasks'
        durations (4 bytes × iterations × tasks, at most ``pmsim.limits.CHUNK_BYTES``) while it runs.
        """
        if "_indices" not in self.__dict__:
            chunks = self.iter_task_dates()
            object.__setattr__(self, "_indices", sensitivity_indices(
                self._plan.net, self.project.task_ids, chunks, self.finish,
                self.criticality.to_numpy(), self.sensitivity.to_numpy(),
                self._plan.net.to_project(varying_tasks(self._plan))))
        return self.__dict__["_indices"].copy()

    @functools.cached_property
    def achieved_correlation(self) -> pd.DataFrame | None:
        """The rank (Spearman) correlation reached between correlated tasks' sampled durations.

        Over the tasks of ``correlation=`` (before risk impacts), in project
        order; None without correlation. Pairs the correlation links (one
        group, or groups sharing tasks) are measured; pairs in separate
        groups, drawn independently, are NaN, as is a task whose duration
        never varies. When the tasks x iterations values
        would exceed 128 MB it is measured on the first whole blocks that fit
        (``attrs["iterations"]`` says how many).
        """
        return achieved_correlation(self._plan, self.iterations)

    def iter_task_dates(self, chunk_size: int = 1024) -> Iterator[tuple[slice, np.ndarray, np.ndarray]]:
        """Regenerate every task's start and finish, chunk by chunk of iterations.

        Yields ``(iterations, start, finish)``: a slice of iteration numbers and
        two float64 arrays of shape (len, tasks), project task order, in working
        days: the early dates, or in a levelled run the levelled ones. The
        numbers are those of the run (the same seed, drawn again, scheduled
        the same way), so memory stays at one chunk however many iterations
        there were.

        >>> import pmsim as pm
        >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=2), pm.Task("B", duration=3)],
        ...                dependencies=[pm.Dependency("A", "B")])
        >>> sl, start, finish = next(pm.simulate(p, iterations=10, seed=1).iter_task_dates())
        >>> sl, start[0].tolist(), finish[0].tolist()
        (slice(0, 10, None), [0.0, 2.0], [2.0, 5.0])
        """
        chunk = min(positive_int("chunk_size", chunk_size), self.iterations)
        # Per iteration and task: start and finish as float32, then as float64.
        limits.check("CHUNK_BYTES", 24 * chunk * len(self.project.tasks),
                     f"iter_task_dates(chunk_size={chunk_size}) on {len(self.project.tasks):,} tasks: bytes per chunk")
        # The run's own scheduler: the same plan (levelled or not), so the same dates.
        yield from task_dates(self._plan, self.iterations, chunk, self._scheduler)

    def task_exists(self, iterations: slice) -> np.ndarray:
        """(iterations, tasks) bool, project task order: whether each task existed in those iterations of the
        run (see ``Task.existence`` and ``Task.branch``)."""
        plan = self._plan
        count = len(range(*iterations.indices(self.iterations)))
        out = np.ones((count, plan.n), dtype=bool)
        if plan.existence is not None:
            first = iterations.indices(self.iterations)[0]
            rows = plan.existence.factors(plan.exist_stream, first, count) > 0
            out[:, plan.project_column[plan.existence.task]] = rows.T
        return out

    def rate_factors(self, iterations: slice) -> pd.DataFrame:
        """The rate multiplier drawn for each resource with an uncertain cost per day (columns) in those
        iterations (rows); no column when every rate is certain."""
        plan = self._plan
        first, last, _ = iterations.indices(self.iterations)
        index = pd.RangeIndex(first, max(first, last), name="iteration")
        if plan.rates is None:
            return pd.DataFrame(index=index)
        factors = plan.rates.factors(plan.rate_stream, first, len(index))
        return pd.DataFrame(factors.T, index=index, columns=pd.Index(plan.rates.resources, name="resource"))

    def risk_costs(self, iterations: slice) -> np.ndarray:
        """(risks, iterations): the cost impact each risk of the run (``risk_summary``'s order) added in those
        iterations, 0 where it did not occur."""
        return self._occurred[:, iterations] * self._plan.risk_cost[:, None]

    def risk_ranking(self) -> pd.DataFrame:
        """Each risk removed in turn (common random numbers): how much the P80 finish and P80 cost fall.

        One run per risk, with the same seed, correlation, levelling and
        progress as this one and that risk never occurring, so the change is
        the risk's own. A DataFrame by risk id: ``name``, ``kind``,
        ``probability``, ``p80_days`` (working days the risk adds to the P80
        finish; negative for an opportunity), ``p80_cost``, ``mean_days``,
        ``mean_cost``; largest effect first. See :func:`pmsim.plot.risk_ranking`.
        """
        from .montecarlo.ranking import rank_risks

        risks = [self.project.risk(rid) for rid in self._plan.risk_ids]
        return rank_risks(self._plan, self.iterations, self.finish, self.cost, risks, self._scheduler)

    def merge_bias(self) -> pd.DataFrame:
        """Per task with two or more predecessors: the working days it starts later on average than its
        predecessors' latest mean date (``merge_bias``) and than PERT (``vs_pert``), largest first; the
        columns are described in ``pmsim/montecarlo/merges.py``. See :func:`pmsim.plot.merge_bias`."""
        from .montecarlo.merges import merge_bias

        return merge_bias(self)

    # ------------------------------------------------------------ summaries

    def summary(self) -> pd.DataFrame:
        """The headline numbers as a one-column DataFrame (``value``).

        >>> import pmsim as pm
        >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=3, cost_per_day=10)],
        ...                deadline="2027-01-08", budget=40)
        >>> s = pm.simulate(p, iterations=100, seed=1).summary()
        >>> s.loc["P80 date", "value"], s.loc["P(on time)", "value"], s.loc["JCL", "value"]
        (datetime.date(2027, 1, 6), 1.0, 1.0)
        """
        p = self.project
        rows: dict = {"project": p.name, "iterations": self.iterations, "seed": self.seed,
                      "levelled": self.levelled}
        levels = [10, 50, 80, 90]
        days = self.percentile_days(levels)
        dates = self.percentile(levels)
        for lvl, d, date in zip(levels, days, dates):
            rows[f"P{lvl} date"] = date
            rows[f"P{lvl} (working days)"] = d
        rows["mean (working days)"] = self.mean
        rows["sd (working days)"] = self.std
        rows["P80 standard error (working days)"] = self.p80_standard_error
        on_time = None
        if p.deadline is not None:
            rows["deadline"] = p.deadline
            on_time = self.finish_dates <= np.datetime64(p.deadline, "D")
            rows["P(on time)"] = float(on_time.mean())
        rows[f"cost mean ({p.currency})"] = self.cost_mean
        rows[f"cost sd ({p.currency})"] = self.cost_std
        rows[f"cost P50 ({p.currency})"], rows[f"cost P80 ({p.currency})"] = self.cost_percentile([50, 80])
        if p.budget is not None:
            rows[f"budget ({p.currency})"] = p.budget
            within = self.cost <= p.budget + 1e-9 * max(1.0, p.budget)
            rows["P(within budget)"] = float(within.mean())
            if on_time is not None:
                rows["JCL"] = float((on_time & within).mean())
        return pd.DataFrame({"value": pd.Series(rows, dtype=object)})

    def _repr_html_(self) -> str:
        top = self.criticality.sort_values(ascending=False).head(10)
        crit = pd.DataFrame({"name": [self.project.task(t).name for t in top.index], "criticality": top.values},
                            index=top.index)
        return (f"<h4>Monte Carlo simulation of {html.escape(self.project.name)}</h4>{self.summary().to_html(header=False)}"
                f"<h5>Most critical tasks</h5>{crit.to_html()}")


# --------------------------------------------------------------------------- simulate


def simulate(
    project: Project,
    iterations: int = 10_000,
    seed=None,
    correlation=None,
    risks: bool = True,
    keep: str = "summary",
    levelled: bool = False,
    progress=None,
    status_date=None,
    chunk_size: int | None = None,
    callback: Callable[[int, int], None] | None = None,
    correlation_repair: bool = True,
    responses=False,
) -> Simulation:
    """Monte Carlo simulation of the project's finish and cost.

    Parameters
    ----------
    project : Project
    iterations : int
        Number of iterations (> 0).
    seed : int, numpy.random.Generator or None
        The same seed gives identical arrays whatever ``chunk_size`` and the
        number of threads. ``Simulation.seed`` holds the int actually used.
    correlation : groups, dict of groups, or DataFrame, optional
        Rank correlation between task durations, applied by Iman-Conover
        (see :mod:`pmsim.correlation`): ``[(["T1", "T2"], 0.6), ...]`` or a
        matrix over task ids.
    risks : bool
        Whether the risk register plays (each risk occurs with its probability
        and adds its sampled impact to each task it names and its cost impact).
    keep : {"summary", "tasks"}
        ``"tasks"`` also keeps every task's finish per iteration
        (``Simulation.task_finish``, 4 bytes each); refused above 4 GB.
    levelled : bool
        Resource-constrained iterations: each iteration's durations are
        levelled under the capacities by the serial SGS with the priority
        order of :func:`pmsim.level` (see :mod:`pmsim.levelled_montecarlo`).
    progress, status_date
        Re-forecast from progress: a progress table (or path) and its status
        date, put on the tasks (:meth:`Project.with_progress`); a project
        whose tasks hold progress is re-forecast the same way without them.
        Only the work left is sampled, from the data date by the project's
        ``progress_rule``; the cost is the actual cost to date plus that of
        the work left (see :func:`pmsim.reforecast.remaining_work`).
        ``Simulation.remaining`` keeps the inputs; finish and cost are those
        of the whole project.
    chunk_size : int, optional
        Iterations per compiled chunk (default 128; fewer above 32,768 tasks, so that a chunk stays in
        cache). Results do not depend on it.
    callback : callable, optional
        ``callback(done, total)`` between batches of iterations.
    correlation_repair : bool
        Repair a correlation matrix that is not positive semidefinite (with a
        warning) instead of raising.
    responses : bool or iterable of risk ids
        Run the post-response register: ``True`` for every risk that has a
        response, or the ids of some. A responded risk takes its
        ``post_probability``, post-response impact and ``post_cost_impact``
        (each left empty keeps its pre-response value), and its
        ``response_cost`` is added to the cost of every iteration. The draws
        are those of the pre-response run (common random numbers): see
        :func:`pmsim.response_benefits`.

    Returns
    -------
    Simulation

    A :class:`~pmsim.errors.PmsimWarning` says when the standard error of
    P80 exceeds one working day (more iterations needed).

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[
    ...     pm.Task("A", optimistic=2, most_likely=4, pessimistic=8),
    ...     pm.Task("B", optimistic=2, most_likely=4, pessimistic=8)])
    >>> sim = pm.simulate(p, iterations=5000, seed=7)
    >>> bool(sim.mean > p.tasks[0].estimate.mean)   # merge bias: max of two paths
    True
    >>> sim.criticality.round(2).tolist()
    [0.5, 0.5]
    """
    project = require_project(project, "simulate")
    iterations = positive_int("iterations", iterations)
    seed_int = resolve_seed(seed)
    keep_tasks = check_keep(keep, iterations, len(project.tasks))
    check_iterations_fit(iterations, len(project.risks) if risks else 0)  # what this machine can hold
    check_iterations(iterations)  # the limit, on any machine
    chunk = check_chunk(chunk_size, iterations, len(project.tasks))
    if callback is not None and not callable(callback):
        raise ValidationError(f"callback must be callable, got {type(callback).__name__}")
    from .reforecast import has_progress, reforecast_plan, remaining_work

    remaining = None
    if progress is not None or status_date is not None:
        if progress is None:
            raise ValidationError("status_date= needs progress= (the progress table at that date)")
        remaining = remaining_work(project, progress, status_date)
    elif has_progress(project):
        remaining = remaining_work(project)
    sampled = project if remaining is None else remaining.project
    check_reach(sampled)
    plan = make_plan(sampled, seed_int, correlation, bool(risks), bool(correlation_repair), responses)
    if remaining is not None:
        plan = reforecast_plan(plan, remaining)
    scheduler = None
    if levelled:
        from .levelled_montecarlo import levelled_scheduler

        scheduler = levelled_scheduler(sampled, plan)
    return simulate_plan(project, plan, iterations, seed_int, keep_tasks=keep_tasks, chunk=chunk,
                         callback=callback, scheduler=scheduler, remaining=remaining)


def simulate_plan(project: Project, plan: Plan, iterations: int, seed: int, *, keep_tasks: bool = False,
                  chunk: int = DEFAULT_CHUNK, callback=None, scheduler=None, remaining=None,
                  engine_run: EngineRun | None = None) -> Simulation:
    """Run a prepared plan and wrap the result (the seam other engines call).

    ``scheduler``: the batch scheduler of a levelled run
    (:func:`pmsim.levelled_montecarlo.levelled_scheduler`), None for the
    unconstrained engine; ``remaining``: the re-forecast's
    :class:`~pmsim.reforecast.RemainingWork`. ``engine_run``: the joined
    results of iteration ranges already run elsewhere
    (:func:`pmsim.montecarlo.runner.run`, ``join_runs``); then nothing is run here.
    """
    if engine_run is None:
        engine_run = run(plan, iterations, chunk, keep_tasks, callback, scheduler)
    raw = engine_run
    finish, cost = raw.finish, raw.cost
    if finish.size and not finish.max() <= MAX_WORKING_DAYS:
        k = int(np.argmax(np.nan_to_num(finish, nan=np.inf)))
        raise ValidationError(
            f"Project {project.name!r}: iteration {k + 1:,} finishes {finish[k]:g} working days after the start; "
            f"schedules longer than {MAX_WORKING_DAYS:,} working days are not supported (check the estimates, "
            "risk impacts and lags)")
    ids = pd.Index(project.task_ids, name="id")
    criticality = pd.Series(raw.crit_counts / iterations, index=ids, name="criticality")
    sim = Simulation(
        project=project, iterations=iterations, seed=seed, levelled=scheduler is not None,
        finish=readonly(finish), cost=readonly(cost), criticality=criticality,
        existence=pd.Series(raw.exist_counts / iterations, index=ids, name="existence"),
        risk_summary=risk_summary(project, plan, raw, finish, cost),
        task_finish=None if raw.task_finish is None else readonly(raw.task_finish),
        _plan=plan, _occurred=readonly(raw.occurred), remaining=remaining, _scheduler=scheduler,
        levelled_plan=None if scheduler is None else scheduler.plan.copy(),
    )
    se = sim.p80_standard_error
    if se > 1.0:
        warnings.warn(
            f"the P80 finish has a standard error of {se:.2f} working days with {iterations:,} iterations; "
            "run more iterations for a steadier answer",
            PmsimWarning,
            stacklevel=3,
        )
    return sim
