"""Monte Carlo schedule risk (PERT sampling): :func:`simulate` and its :class:`Simulation`.

In every iteration each task's duration is drawn from its estimate (by
inversion, one uniform number per draw), the risks of the register occur
with their probabilities and add their sampled impact to the tasks they
name, and a forward pass over all four link types with their lags gives the
project finish. Cost follows the same durations: ``Σ fixed_cost +
daily rate × duration`` (:func:`pmsim.costs.cost_rates`, the duration a
task took in that iteration, risk delays included) plus the ``cost_impact``
of each risk that occurred.

How it runs (see :mod:`pmsim._kernels.montecarlo`): sampling and the
forward pass are fused in compiled loops over chunks of iterations, in
parallel; random numbers are counter-based, so the uniform of (task,
iteration) is a pure function of (seed, task id, iteration). The same seed
therefore gives the same numbers whatever the chunk size or thread count,
and any task's samples can be regenerated later without having been stored
(Spearman sensitivity, :meth:`Simulation.iter_task_dates`). Only the
per-iteration project finish and cost are kept, plus per-task counts, so
memory stays bounded; ``keep="tasks"`` also keeps each task's finish.

Seams for other parts of pmsim
------------------------------
- **Levelled Monte Carlo** (``levelled=True``): :func:`_run` cuts the run
  into :class:`_Batch` es (whole blocks of 1024 iterations) and hands each to
  ``schedule_batch(plan, batch, out)``; the default, :func:`_fused_schedule`,
  samples and runs the unconstrained forward pass. A resource-constrained
  scheduler gets the batch's durations with :func:`sample_durations`
  (tasks x iterations, topological order, risk delays included: the same
  numbers the fused kernel draws), schedules them, and fills for iterations
  ``batch.first ..``: ``out.finish`` (float32 project finish),
  ``out.cost`` (:func:`duration_cost`), ``out.crit_counts[0, j]`` (+1 per
  iteration task ``j`` is critical, topological index) and, when not None,
  ``out.task_start`` / ``out.task_finish`` (project order). It then runs
  through ``_simulate_plan(..., levelled=True, schedule_batch=...)``; fixed
  costs, risk costs, the risk summary and sensitivity come for free. Until
  that exists ``simulate(levelled=True)`` raises.
- **Re-forecast from progress** (``progress=``, ``status_date=``): a
  :class:`_Plan` carries per-task ``release`` (earliest start in working
  days; a task's early start is ``max(release, link constraints)``), a
  duration ``override`` (finished tasks at their actual duration, no
  sampling, no risk impact) and a constant ``cost_offset``; set them with
  :meth:`_Plan.with_progress` and call :func:`_simulate_plan`.
  :func:`pmsim.evm.remaining_work` and :func:`pmsim.evm.reforecast_plan`
  fill them from progress data.

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
import hashlib
import math
import os
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .correlation import CorrelationPlan, prepare_correlation
from .distributions import BetaPert, Discrete, Distribution, Fixed, Lognormal, Triangular, Uniform
from ._kernels import launching
from .errors import PmsimWarning, UnknownReferenceError, ValidationError
from .calendar import as_date
from .model import Project
from .network import Network, network

__all__ = ["simulate", "Simulation", "sample_durations", "duration_cost", "summary_json"]

BLOCK = 1024  # Iman-Conover blocks; batches are whole blocks, so results ignore chunking
DEFAULT_CHUNK = 128  # iterations per chunk: a chunk's tasks x iterations rows stay in cache
TABLE_POINTS = 2049  # Beta-PERT quantile table: 2048 intervals, linear interpolation
TABLE_CELLS = 1024  # Simpson cells used to build each table
KEEP_TASKS_LIMIT = 4 * 2**30  # bytes; keep="tasks" refuses more (or more than half the free memory)
_BATCH_TASK_ITERATIONS = 2**24  # per batch: bounds scratch, correlated uniforms and callback gaps
_CORRELATED_VALUES = 2**22  # correlated uniforms per batch (float64)
_REGENERATED_VALUES = 2**25  # float32 samples held at once when regenerating (128 MB)
_DURATION, _RISK_OCCURS, _RISK_IMPACT, _SCORES = 0, 1, 2, 3  # stream purposes


# --------------------------------------------------------------------------- encoding


def _key(text: str) -> np.uint64:
    """A stable 64-bit key of an id (the same in every process)."""
    return np.uint64(int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little"))


_TABLES: dict[tuple[float, float], np.ndarray] = {}


def _beta_tables(shapes: list[tuple[float, float]]) -> list[np.ndarray]:
    """Quantile tables (float32 rows) for Beta shapes, built once per process and shape."""
    missing = [s for s in dict.fromkeys(shapes) if s not in _TABLES]
    if missing:
        from ._kernels.random import beta_quantile_tables

        if len(_TABLES) + len(missing) > 50_000:
            _TABLES.clear()
        a = np.array([s[0] for s in missing], dtype=np.float64)
        b = np.array([s[1] for s in missing], dtype=np.float64)
        rows = beta_quantile_tables(a, b, TABLE_POINTS, TABLE_CELLS)
        for s, row in zip(missing, rows):
            row.setflags(write=False)
            _TABLES[s] = row
    return [_TABLES[s] for s in shapes]


def _ppf_table(d: Distribution) -> np.ndarray:
    """A quantile table of any distribution from its ``ppf`` (the fallback sampler).

    The two end values, infinite for unbounded shapes, are set so that each
    end cell keeps its true mean (a fine quadrature of the ppf inside it).
    """
    cells = TABLE_POINTS - 1
    u = np.linspace(0.0, 1.0, TABLE_POINTS)
    q = np.asarray(d.ppf(u), dtype=np.float64)
    inner = (np.arange(256) + 0.5) / 256 / cells  # midpoints inside the first cell
    first_mean = float(np.mean(d.ppf(inner)))
    last_mean = float(np.mean(d.ppf(1.0 - inner)))
    q[0] = min(q[1], 2 * first_mean - q[1])
    q[-1] = max(q[-2], 2 * last_mean - q[-2])
    return q.astype(np.float32)


def _encode(dists: list[Distribution]):
    """Kinds and parameter rows of the compiled samplers (see :mod:`pmsim._kernels.random`)."""
    from ._kernels.random import DISCRETE, FIXED, LOGNORMAL, N_PARAMS, TABLE, TRIANGULAR, UNIFORM

    n = len(dists)
    kind = np.zeros(n, dtype=np.int8)
    param = np.zeros((n, N_PARAMS), dtype=np.float64)
    rows: dict[tuple, int] = {}  # ("beta", alpha, beta) or ("ppf", j) -> table row
    own_tables: dict[tuple, np.ndarray] = {}
    disc_val: list[float] = []
    disc_cum: list[float] = []
    for j, d in enumerate(dists):
        if isinstance(d, Fixed):
            kind[j], param[j, 0] = FIXED, d.value
        elif isinstance(d, (Uniform, Triangular, BetaPert)) and d.pessimistic == d.optimistic:
            kind[j], param[j, 0] = FIXED, d.optimistic
        elif isinstance(d, Uniform):
            kind[j], param[j, :2] = UNIFORM, (d.optimistic, d.pessimistic - d.optimistic)
        elif isinstance(d, Triangular):
            a, c, b = d.optimistic, d.most_likely, d.pessimistic
            kind[j], param[j] = TRIANGULAR, (a, (b - a) * (c - a), (b - a) * (b - c), (c - a) / (b - a), b)
        elif isinstance(d, BetaPert):
            row = rows.setdefault(("beta", d.alpha, d.beta), len(rows))
            kind[j], param[j, :3] = TABLE, (d.optimistic, d.pessimistic - d.optimistic, row)
        elif isinstance(d, Lognormal) and d.sigma > 0:
            kind[j], param[j, :2] = LOGNORMAL, (d.mu, d.sigma)
        elif isinstance(d, Lognormal):
            kind[j], param[j, 0] = FIXED, math.exp(d.mu)
        elif isinstance(d, Discrete) and len(d.values) > 1:
            kind[j], param[j, :2] = DISCRETE, (len(disc_val), len(d.values))
            cum = np.cumsum(d.probabilities)
            cum[-1] = 1.0
            disc_val.extend(d.values)
            disc_cum.extend(cum.tolist())
        elif isinstance(d, Discrete):
            kind[j], param[j, 0] = FIXED, d.values[0]
        else:
            key = ("ppf", j)
            own_tables[key] = _ppf_table(d)
            kind[j], param[j, :3] = TABLE, (0.0, 1.0, rows.setdefault(key, len(rows)))
    shapes = [(k[1], k[2]) for k in rows if k[0] == "beta"]
    beta = dict(zip(shapes, _beta_tables(shapes)))
    table_rows = [beta[(k[1], k[2])] if k[0] == "beta" else own_tables[k] for k in rows]
    tables = np.stack(table_rows) if table_rows else np.zeros((1, TABLE_POINTS), dtype=np.float32)
    return (kind, param, np.ascontiguousarray(tables, dtype=np.float32),
            np.array(disc_val or [0.0]), np.array(disc_cum or [1.0]))


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True, eq=False)
class _Plan:
    """Everything the compiled engine needs, per task in topological order.

    Sampling arrays (``kind``, ``param``) hold the tasks first, then the
    risks' impact distributions. ``release``, ``override_*`` and
    ``cost_offset`` are the re-forecast seam (see the module docstring).
    """

    net: Network
    seed_key: np.uint64
    stream: np.ndarray
    kind: np.ndarray
    param: np.ndarray
    tables: np.ndarray
    disc_val: np.ndarray
    disc_cum: np.ndarray
    correlation: CorrelationPlan | None
    corr_col: np.ndarray
    corr_task: np.ndarray
    corr_stream: np.ndarray
    score_stream: np.ndarray
    comp_ptr: np.ndarray
    factor_ptr: np.ndarray
    factors: np.ndarray
    risk_ids: tuple
    risk_probability: np.ndarray
    risk_cost: np.ndarray
    risk_occur_stream: np.ndarray
    risk_impact_stream: np.ndarray
    risk_ptr: np.ndarray
    risk_idx: np.ndarray
    release: np.ndarray
    override_mask: np.ndarray
    override_value: np.ndarray
    daily: np.ndarray
    fixed_cost: float
    cost_offset: float
    candidate: np.ndarray
    candidates: np.ndarray
    pred_lag: np.ndarray
    project_column: np.ndarray

    @property
    def n(self) -> int:
        return self.net.n

    @property
    def n_risks(self) -> int:
        return len(self.risk_ids)

    def with_progress(self, release=None, override=None, cost_offset: float | None = None) -> "_Plan":
        """A copy with earliest starts, fixed durations and a cost offset (the re-forecast seam).

        ``release`` and ``override`` map task ids to working days from the
        project start (release: earliest start) and to working days of duration.
        """
        pos = self.net.position
        rel = self.release.copy()
        mask = self.override_mask.copy()
        value = self.override_value.copy()
        for tid, days in (release or {}).items():
            if tid not in pos:
                raise UnknownReferenceError(f"release names unknown task {tid!r}")
            rel[pos[tid]] = days
        for tid, days in (override or {}).items():
            if tid not in pos:
                raise UnknownReferenceError(f"override names unknown task {tid!r}")
            if not days >= 0:
                raise ValidationError(f"Task {tid!r}: a fixed duration must be >= 0, got {days}")
            mask[pos[tid]] = True
            value[pos[tid]] = days
        return replace(self, release=rel, override_mask=mask, override_value=value,
                       cost_offset=self.cost_offset if cost_offset is None else float(cost_offset))

    def correlated_uniforms(self, first: int, count: int, iterations: int) -> np.ndarray:
        """Iman-Conover reordered 32-bit draws (columns x count) for iterations ``first ..``.

        ``first`` must be a multiple of :data:`BLOCK`; ``iterations`` is the run's
        length (the last block may be short).
        """
        k = self.corr_task.shape[0]
        if k == 0:
            return np.zeros((1, 1), dtype=np.uint32)
        from scipy.special import ndtri

        from ._kernels.montecarlo import correlate_blocks

        assert first % BLOCK == 0
        last = iterations % BLOCK or BLOCK
        scores_full = ndtri(np.arange(1, BLOCK + 1) / (BLOCK + 1))
        scores_last = ndtri(np.arange(1, last + 1) / (last + 1))
        out = np.empty((k, count), dtype=np.uint32)
        correct = np.ones(self.comp_ptr.shape[0] - 1, dtype=np.bool_)
        with launching():
            correlate_blocks(first, count, BLOCK, self.corr_stream, self.score_stream, self.comp_ptr,
                             self.factor_ptr, self.factors, correct, scores_full, scores_last, out)
        return out

    def risk_draws(self, first: int, count: int) -> tuple[np.ndarray, np.ndarray]:
        """Per risk and iteration: occurred (bool) and the days it adds (float32, 0 if not)."""
        r = self.n_risks
        occurred = np.zeros((r, count), dtype=np.bool_)
        impact = np.zeros((max(r, 1), count), dtype=np.float32)
        if r:
            from ._kernels.montecarlo import risk_draws

            n = self.n
            risk_draws(first, count, self.risk_occur_stream, self.risk_impact_stream, self.risk_probability,
                       self.kind[n:], self.param[n:], self.tables, self.disc_val, self.disc_cum, occurred, impact)
        return occurred, impact


def _seed_key(seed: int) -> np.uint64:
    return np.random.SeedSequence(seed).generate_state(1, np.uint64)[0]


_STATIC_KEY = "_pmsim_montecarlo"


def _static(project: Project) -> dict:
    """What a plan needs that does not depend on the seed: built once per project.

    Projects are immutable, so like :func:`pmsim.network.network` it is kept
    with the project; an edited project is a new object and gets its own.
    """
    cached = project.__dict__.get(_STATIC_KEY)
    if cached is not None:
        return cached
    from .costs import cost_rates

    net = network(project)
    n = net.n
    tasks = [project.tasks[i] for i in net.project_index.tolist()]
    risks = project.risks
    impacts = [r.impact if r.impact is not None else Fixed(0.0) for r in risks]
    kind, param, tables, disc_val, disc_cum = _encode([t.estimate for t in tasks] + impacts)
    pairs = sorted((net.position[tid], k) for k, r in enumerate(risks) for tid in r.tasks)
    risk_ptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(risk_ptr, np.array([p[0] + 1 for p in pairs], dtype=np.int64), 1)
    fixed, daily = cost_rates(project)
    # A task can set the finish unless some FS/FF successor with a lag >= 0 finishes after it.
    source = np.repeat(np.arange(n), np.diff(net.succ_ptr))
    pushes = ((net.succ_type == 0) | (net.succ_type == 2)) & (net.succ_lag >= 0)
    candidate = np.ones(n, dtype=np.bool_)
    candidate[source[pushes]] = False
    static = {
        "task_keys": np.array([_key(t.id) for t in tasks], dtype=np.uint64),
        "risk_keys": np.array([_key(r.id) for r in risks], dtype=np.uint64),
        "kind": kind, "param": param, "tables": tables, "disc_val": disc_val, "disc_cum": disc_cum,
        "risk_ptr": np.cumsum(risk_ptr),
        "risk_idx": np.array([p[1] for p in pairs] or [0], dtype=np.int64),
        "daily": np.ascontiguousarray(net.to_topological(daily), dtype=np.float64),
        "fixed_cost": float(fixed.sum()),
        "candidate": candidate,
        "candidates": np.flatnonzero(candidate).astype(np.int64),
        "pred_lag": net.pred_lag.astype(np.float32),
        "project_column": np.asarray(net.project_index, dtype=np.int64),
    }
    # Left writable: numba compiles read-only arrays as a different type.
    project.__dict__[_STATIC_KEY] = static
    return static


def _make_plan(project: Project, seed: int, correlation=None, risks: bool = True,
               correlation_repair: bool = True) -> _Plan:
    """The :class:`_Plan` of ``project`` for a seed (an int), correlation and risk switch."""
    from ._kernels.random import stream_keys

    net = network(project)
    n = net.n
    st = _static(project)
    seed_key = _seed_key(seed)
    task_keys = st["task_keys"]
    register = project.risks if risks else ()
    n_risks = len(register)

    corr = prepare_correlation(project, correlation, repair=correlation_repair)
    corr_col = np.full(n, -1, dtype=np.int32)
    if corr is not None:
        corr_task = np.array([net.position[t] for t in corr.tasks], dtype=np.int64)
        corr_col[corr_task] = np.arange(len(corr_task), dtype=np.int32)
        sizes = [len(c) for c in corr.components]
        comp_ptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        factor_ptr = np.concatenate([[0], np.cumsum([s * s for s in sizes])]).astype(np.int64)
        factors = np.concatenate([f.ravel() for f in corr.factors])
        corr_stream = stream_keys(seed_key, task_keys[corr_task], _DURATION)
        score_stream = stream_keys(seed_key, task_keys[corr_task], _SCORES)
    else:
        corr_task = np.zeros(0, dtype=np.int64)
        comp_ptr = np.zeros(1, dtype=np.int64)
        factor_ptr = np.zeros(1, dtype=np.int64)
        factors = np.zeros(1)
        corr_stream = score_stream = np.zeros(0, dtype=np.uint64)

    risk_keys = st["risk_keys"][:n_risks]
    return _Plan(
        net=net, seed_key=seed_key,
        stream=stream_keys(seed_key, task_keys, _DURATION),
        kind=st["kind"], param=st["param"], tables=st["tables"], disc_val=st["disc_val"], disc_cum=st["disc_cum"],
        correlation=corr, corr_col=corr_col, corr_task=corr_task,
        corr_stream=corr_stream, score_stream=score_stream,
        comp_ptr=comp_ptr, factor_ptr=factor_ptr, factors=factors,
        risk_ids=tuple(r.id for r in register),
        risk_probability=np.array([r.probability for r in register], dtype=np.float64),
        risk_cost=np.array([r.cost_impact for r in register], dtype=np.float64),
        risk_occur_stream=stream_keys(seed_key, risk_keys, _RISK_OCCURS),
        risk_impact_stream=stream_keys(seed_key, risk_keys, _RISK_IMPACT),
        risk_ptr=st["risk_ptr"] if risks else np.zeros(n + 1, dtype=np.int64),
        risk_idx=st["risk_idx"],
        release=np.zeros(n, dtype=np.float32),
        override_mask=np.zeros(n, dtype=np.bool_),
        override_value=np.zeros(n, dtype=np.float32),
        daily=st["daily"], fixed_cost=st["fixed_cost"], cost_offset=0.0,
        candidate=st["candidate"], candidates=st["candidates"],
        pred_lag=st["pred_lag"], project_column=st["project_column"],
    )


# --------------------------------------------------------------------------- running


@dataclass
class _Batch:
    """One batch of iterations ``first .. first + count - 1`` and its shared draws."""

    first: int
    count: int
    corr_u: np.ndarray  # correlated tasks' 32-bit draws, column t is iteration corr_first + t
    corr_first: int
    occurred: np.ndarray  # risks x count
    risk_impact: np.ndarray  # risks x count, float32 days (0 when the risk did not occur)


@dataclass
class _Outputs:
    """Where a batch scheduler writes; arrays indexed by iteration (or thread, task)."""

    finish: np.ndarray  # float32 per iteration: project finish, working days
    cost: np.ndarray  # float64 per iteration: Σ daily rate × duration (the rest is added later)
    crit_counts: np.ndarray  # int64 threads x tasks (topological): iterations critical
    task_start: np.ndarray | None  # float32 iterations x tasks (project order), or None
    task_finish: np.ndarray | None
    first: int = 0  # the iteration of row 0 of the arrays (a window of the run, for iter_task_dates)

    def rows(self, batch: "_Batch") -> slice:
        """The rows of ``batch``'s iterations."""
        return slice(batch.first - self.first, batch.first - self.first + batch.count)


class _Scratch:
    """Per-thread scratch rows for the fused kernel."""

    def __init__(self, n: int, chunk: int, threads: int):
        self.es = np.empty((threads, n, chunk), dtype=np.float32)
        self.ef = np.empty((threads, n, chunk), dtype=np.float32)
        self.dur = np.empty((threads, n, chunk), dtype=np.float32)
        self.u = np.empty((threads, chunk), dtype=np.uint32)
        self.fin = np.empty((threads, chunk), dtype=np.float32)
        self.cost = np.empty((threads, chunk), dtype=np.float64)
        self.flag = np.zeros((threads, n, chunk), dtype=np.bool_)  # all False between chunks
        self.any = np.zeros((threads, n), dtype=np.bool_)


_NONE2 = np.zeros((1, 1), dtype=np.float32)


def _kernel(plan: _Plan, batch: _Batch, chunk: int, scratch: _Scratch, criticality: bool,
            finish: np.ndarray, cost: np.ndarray, crit_counts: np.ndarray,
            task_start: np.ndarray | None = None, task_finish: np.ndarray | None = None) -> None:
    """Call the fused kernel on one batch; outputs are indexed from the batch's first iteration."""
    from ._kernels.montecarlo import simulate_batch

    net = plan.net
    with launching():
        simulate_batch(
            batch.first, batch.count, chunk,
            net.pred_ptr, net.pred_idx, net.pred_type, plan.pred_lag, plan.candidate, plan.candidates,
            plan.stream, plan.kind, plan.param, plan.tables, plan.disc_val, plan.disc_cum,
            plan.corr_col, batch.corr_u, batch.corr_first,
            plan.risk_ptr, plan.risk_idx, batch.risk_impact, batch.first,
            plan.release, plan.override_mask, plan.override_value, plan.daily,
            criticality, task_start is not None, task_finish is not None, plan.project_column,
            scratch.es, scratch.ef, scratch.dur, scratch.flag, scratch.any, scratch.u, scratch.fin, scratch.cost,
            finish, cost, crit_counts,
            _NONE2 if task_start is None else task_start,
            _NONE2 if task_finish is None else task_finish,
        )


def _fused_schedule(plan: _Plan, batch: _Batch, out: _Outputs, chunk: int, scratch: _Scratch) -> None:
    """The default batch scheduler: sample and run the unconstrained forward pass (compiled)."""
    sl = out.rows(batch)
    _kernel(plan, batch, chunk, scratch, True, out.finish[sl], out.cost[sl], out.crit_counts,
            None if out.task_start is None else out.task_start[sl],
            None if out.task_finish is None else out.task_finish[sl])


def _batch_size(plan: _Plan) -> int:
    k = max(1, plan.corr_task.shape[0])
    blocks = min(_BATCH_TASK_ITERATIONS // (max(plan.n, 1) * BLOCK), _CORRELATED_VALUES // (k * BLOCK))
    return BLOCK * max(1, blocks)


def _batches(plan: _Plan, iterations: int, first: int = 0, last: int | None = None) -> Iterator[_Batch]:
    """Batches covering iterations ``first .. last - 1`` (``first`` a multiple of BLOCK)."""
    last = iterations if last is None else last
    size = _batch_size(plan)
    a = first
    while a < last:
        b = min(a + size, last)
        # Correlated uniforms come in whole blocks; the run's last block may be short.
        block_end = min(iterations, -(-b // BLOCK) * BLOCK)
        corr_u = plan.correlated_uniforms(a, block_end - a, iterations)
        occurred, impact = plan.risk_draws(a, b - a)
        yield _Batch(first=a, count=b - a, corr_u=corr_u, corr_first=a, occurred=occurred, risk_impact=impact)
        a = b


def _threads() -> int:
    import numba

    return numba.get_num_threads()


def _run(plan: _Plan, iterations: int, chunk: int = DEFAULT_CHUNK, keep_tasks: bool = False,
         callback: Callable | None = None, schedule_batch: Callable | None = None,
         first: int = 0, last: int | None = None) -> dict:
    """Run iterations ``first .. last - 1`` of an ``iterations``-long run, batch by batch.

    Returns the raw per-iteration arrays of that range and its counts. A range
    gives exactly the numbers of the same iterations in a whole run (random
    numbers are counter-based), so ranges can run apart, e.g. as Dask tasks,
    and be joined with :func:`_join_raw`. ``first`` must be a multiple of
    :data:`BLOCK`.
    """
    last = iterations if last is None else last
    if first % BLOCK or not 0 <= first < last <= iterations:
        raise ValidationError(f"iteration range {first}..{last} must start at a multiple of {BLOCK} "
                              f"and lie within 0..{iterations}")
    n, r = plan.n, plan.n_risks
    threads = _threads()
    out = _Outputs(
        finish=np.empty(iterations, dtype=np.float32),
        cost=np.empty(iterations, dtype=np.float64),
        crit_counts=np.zeros((threads, n), dtype=np.int64),
        task_start=None,
        task_finish=np.empty((iterations, n), dtype=np.float32) if keep_tasks else None,
    )
    occurred = np.empty((r, iterations), dtype=np.bool_)
    impact_sum = np.zeros(r)
    risk_cost = np.zeros(iterations)
    scratch = _Scratch(n, chunk, threads) if schedule_batch is None else None
    for batch in _batches(plan, iterations, first, last):
        if schedule_batch is None:
            _fused_schedule(plan, batch, out, chunk, scratch)
        else:
            schedule_batch(plan, batch, out)
        sl = slice(batch.first, batch.first + batch.count)
        occurred[:, sl] = batch.occurred
        impact_sum += batch.risk_impact[:r].sum(axis=1, dtype=np.float64)
        if r:
            risk_cost[sl] = plan.risk_cost @ batch.occurred
        if callback is not None:
            callback(batch.first + batch.count, iterations)
    cost = out.cost + plan.fixed_cost + risk_cost + plan.cost_offset
    span = slice(first, last)
    return {
        "finish": out.finish[span].astype(np.float64),
        "cost": cost[span],
        "crit_counts": plan.net.to_project(out.crit_counts.sum(axis=0)),
        "occurred": occurred[:, span],
        "impact_sum": impact_sum,
        "task_finish": None if out.task_finish is None else out.task_finish[span],
    }


def _join_raw(parts: list[dict]) -> dict:
    """Join the raw results of consecutive iteration ranges (see :func:`_run`)."""
    if len(parts) == 1:
        return parts[0]
    return {
        "finish": np.concatenate([p["finish"] for p in parts]),
        "cost": np.concatenate([p["cost"] for p in parts]),
        "crit_counts": sum(p["crit_counts"] for p in parts),
        "occurred": np.concatenate([p["occurred"] for p in parts], axis=1),
        "impact_sum": sum(p["impact_sum"] for p in parts),
        "task_finish": None if parts[0]["task_finish"] is None
        else np.concatenate([p["task_finish"] for p in parts]),
    }


def sample_durations(plan: _Plan, batch: _Batch, with_risks: bool = True, tasks=None,
                     chunk: int = DEFAULT_CHUNK) -> np.ndarray:
    """The durations the engine draws for a batch: (tasks, batch.count) float32, topological order.

    ``tasks`` selects topological task indices (all by default). Numbers are
    identical to those of the fused kernel, risk impacts included unless
    ``with_risks=False``. This is the entry point for other per-iteration
    schedulers (resource levelling).
    """
    from ._kernels.montecarlo import sample_tasks

    idx = np.arange(plan.n, dtype=np.int64) if tasks is None else np.asarray(tasks, dtype=np.int64)
    out = np.empty((idx.shape[0], batch.count), dtype=np.float32)
    u = np.empty((_threads(), chunk), dtype=np.uint32)
    with launching():
        sample_tasks(idx, batch.first, batch.count, chunk, plan.stream, plan.kind, plan.param, plan.tables,
                     plan.disc_val, plan.disc_cum, plan.corr_col, batch.corr_u, batch.corr_first,
                     plan.risk_ptr, plan.risk_idx, batch.risk_impact, batch.first,
                     plan.override_mask, plan.override_value, with_risks, u, out)
    return out


def duration_cost(plan: _Plan, durations: np.ndarray) -> np.ndarray:
    """``Σ_j daily_j × duration_j`` per iteration, for (tasks, count) durations in topological order.

    Adds in the same order as the fused kernel, so a scheduler that fills
    :class:`_Outputs` with it gets the same cost to the last bit.
    """
    cost = np.zeros(durations.shape[1])
    for j in np.flatnonzero(plan.daily):
        cost += plan.daily[j] * durations[j].astype(np.float64)
    return cost


# --------------------------------------------------------------------------- the result


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def _check_p(p) -> np.ndarray:
    arr = np.asarray(p, dtype=float)
    if arr.size == 0 or not np.all((arr >= 0) & (arr <= 100)):
        raise ValidationError(f"a percentile must be in [0, 100], got {p!r}")
    return arr


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
        Per task (project order), the share of iterations in which it was on
        a driving chain into the project finish.
    risk_summary : DataFrame
        Per risk: ``name``, ``probability`` (given), ``occurred`` (share of
        iterations), ``mean_impact`` (mean sampled impact in working days added
        to each task it names, when it occurred), ``delay_added`` (mean project
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
    risk_summary: pd.DataFrame = field(repr=False)
    task_finish: np.ndarray | None = field(repr=False)
    _plan: _Plan = field(repr=False)
    _occurred: np.ndarray = field(repr=False)
    # A re-forecast from progress: the pmsim.evm.RemainingWork it simulated (None otherwise).
    remaining: object = field(default=None, repr=False)

    # ------------------------------------------------------------ finish

    @functools.cached_property
    def finish_dates(self) -> np.ndarray:
        """The calendar date (datetime64[D]) of the last working day, per iteration."""
        dates = np.asarray(self.project.calendar.finish_date(self.project.start, self.finish), dtype="datetime64[D]")
        return _readonly(np.atleast_1d(dates))

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
        arr = _check_p(p)
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
        arr = _check_p(p)
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
        from scipy.stats import rankdata

        from ._kernels.montecarlo import spearman_rows
        from ._kernels.random import FIXED

        plan, m, n = self._plan, self.iterations, self._plan.n
        rank = rankdata(self.finish.astype(np.float32), method="average") - (m + 1) / 2.0
        varies = [j for j in range(n)
                  if not plan.override_mask[j]
                  and (plan.kind[j] != FIXED or plan.risk_ptr[j + 1] > plan.risk_ptr[j])]
        out = np.zeros(n)
        group = max(1, _REGENERATED_VALUES // m)
        for g0 in range(0, len(varies), group):
            idx = np.array(varies[g0:g0 + group], dtype=np.int64)
            values = np.empty((idx.shape[0], m), dtype=np.float32)
            for batch in _batches(plan, m):
                values[:, batch.first:batch.first + batch.count] = sample_durations(plan, batch, tasks=idx)
            rho = np.empty(idx.shape[0])
            with launching():
                spearman_rows(values, rank, _threads(), rho)
            out[idx] = rho
        return pd.Series(plan.net.to_project(out), index=pd.Index(self.project.task_ids, name="id"),
                         name="sensitivity")

    @functools.cached_property
    def cruciality(self) -> pd.Series:
        """Criticality × sensitivity, per task."""
        return (self.criticality * self.sensitivity).rename("cruciality")

    @functools.cached_property
    def achieved_correlation(self) -> pd.DataFrame | None:
        """The rank (Spearman) correlation reached between correlated tasks' sampled durations.

        Over the tasks of ``correlation=`` (before risk impacts), in project
        order; None without correlation. When the tasks x iterations values
        would exceed 128 MB it is measured on the first whole blocks that fit
        (``attrs["iterations"]`` says how many).
        """
        corr = self._plan.correlation
        if corr is None:
            return None
        from scipy.stats import spearmanr

        plan = self._plan
        ids = list(corr.target.index)
        idx = np.array([plan.net.position[t] for t in ids], dtype=np.int64)
        m = self.iterations
        used = m if idx.shape[0] * m <= _REGENERATED_VALUES else max(BLOCK, _REGENERATED_VALUES // idx.shape[0] // BLOCK * BLOCK)
        used = min(used, m)
        values = np.empty((idx.shape[0], used), dtype=np.float32)
        for batch in _batches(plan, m, 0, used):
            values[:, batch.first:batch.first + batch.count] = sample_durations(plan, batch, with_risks=False, tasks=idx)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # constant columns give NaN
            rho = spearmanr(values, axis=1).statistic if len(ids) > 2 else None
        if rho is None:
            r = spearmanr(values[0], values[1]).statistic
            rho = np.array([[1.0, r], [r, 1.0]])
        frame = pd.DataFrame(np.asarray(rho, dtype=float), index=ids, columns=ids)
        frame.attrs["iterations"] = used
        return frame

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
        if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) or chunk_size < 1:
            raise ValidationError(f"chunk_size must be a positive integer, got {chunk_size!r}")
        plan, m, n = self._plan, self.iterations, self._plan.n
        schedule_batch = None
        if self.levelled:
            from .levelling import monte_carlo_scheduler

            # The same scheduler as the run: the same levelled plan, so the same dates.
            schedule_batch = monte_carlo_scheduler(self.project if self.remaining is None else self.remaining.project,
                                                   plan)
        chunk = DEFAULT_CHUNK
        threads = _threads()
        scratch = _Scratch(n, chunk, threads) if schedule_batch is None else None
        for a in range(0, m, int(chunk_size)):
            b = min(m, a + int(chunk_size))
            first = a // BLOCK * BLOCK
            block_end = min(m, -(-b // BLOCK) * BLOCK)
            corr_u = plan.correlated_uniforms(first, block_end - first, m)
            occurred, impact = plan.risk_draws(a, b - a)
            batch = _Batch(first=a, count=b - a, corr_u=corr_u, corr_first=first,
                           occurred=occurred, risk_impact=impact)
            out = _Outputs(finish=np.empty(b - a, dtype=np.float32), cost=np.empty(b - a),
                           crit_counts=np.zeros((threads, n), dtype=np.int64),
                           task_start=np.empty((b - a, n), dtype=np.float32),
                           task_finish=np.empty((b - a, n), dtype=np.float32), first=a)
            if schedule_batch is None:
                _kernel(plan, batch, chunk, scratch, False, out.finish, out.cost, out.crit_counts,
                        out.task_start, out.task_finish)
            else:
                schedule_batch(plan, batch, out)
            yield slice(a, b), out.task_start.astype(np.float64), out.task_finish.astype(np.float64)

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
        return (f"<h4>Monte Carlo simulation of {self.project.name}</h4>{self.summary().to_html(header=False)}"
                f"<h5>Most critical tasks</h5>{crit.to_html()}")


# --------------------------------------------------------------------------- simulate


def _resolve_seed(seed) -> int:
    """The int entropy of a run: given, drawn from a Generator, or fresh from the OS."""
    if seed is None:
        return int(np.random.SeedSequence().entropy)
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, 2**63))
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise ValidationError(
            f"seed must be an int, a numpy.random.Generator or None, got {type(seed).__name__} {seed!r}"
        )
    if seed < 0:
        raise ValidationError(f"seed must be a non-negative integer, got {seed}")
    return int(seed)


def _positive_int(name: str, value) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValidationError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _available_memory() -> float:
    try:
        return float(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not Linux
        return math.inf


def _check_iterations_fit(iterations: int, n_risks: int) -> None:
    # Per iteration: finish (float32 and float64), cost (three float64 arrays while
    # adding up), sorted finish and dates later, one byte per risk.
    need = iterations * (60.0 + n_risks)
    if need > 0.8 * _available_memory():
        raise ValidationError(
            f"{iterations:,} iterations need about {need / 2**30:.1f} GB for the per-iteration results, "
            f"more than the {_available_memory() / 2**30:.1f} GB of free memory; use fewer iterations"
        )


def _check_keep(keep: str, iterations: int, n: int) -> bool:
    if keep not in ("summary", "tasks"):
        raise ValidationError(f"keep must be 'summary' or 'tasks', got {keep!r}")
    if keep == "summary":
        return False
    need = 4.0 * iterations * n
    limit = min(KEEP_TASKS_LIMIT, 0.5 * _available_memory())
    if need > limit:
        raise ValidationError(
            f"keep='tasks' needs {need / 2**30:.1f} GB ({iterations:,} iterations x {n:,} tasks x 4 bytes), "
            f"more than the {limit / 2**30:.1f} GB allowed (4 GB, or half the free memory); use fewer "
            "iterations, keep='summary', or Simulation.iter_task_dates() to go through task dates chunk by chunk"
        )
    return True


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
        order of :func:`pmsim.level` (see
        :func:`pmsim.levelling.monte_carlo_scheduler`).
    progress, status_date
        Re-forecast from progress: a progress table (or path) and its status
        date; only the remaining work is simulated (see
        :func:`pmsim.evm.remaining_work`). ``Simulation.remaining`` keeps the
        inputs; finish and cost are those of the whole project.
    chunk_size : int, optional
        Iterations per compiled chunk (default 128). Results do not depend on it.
    callback : callable, optional
        ``callback(done, total)`` between batches of iterations.
    correlation_repair : bool
        Repair a correlation matrix that is not positive semidefinite (with a
        warning) instead of raising.

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
    if not isinstance(project, Project):
        raise ValidationError(f"simulate needs a Project, got {type(project).__name__}")
    iterations = _positive_int("iterations", iterations)
    seed_int = _resolve_seed(seed)
    keep_tasks = _check_keep(keep, iterations, len(project.tasks))
    _check_iterations_fit(iterations, len(project.risks) if risks else 0)
    chunk = DEFAULT_CHUNK if chunk_size is None else _positive_int("chunk_size", chunk_size)
    if callback is not None and not callable(callback):
        raise ValidationError(f"callback must be callable, got {type(callback).__name__}")
    remaining = None
    if progress is not None or status_date is not None:
        from .evm import reforecast_plan, remaining_work

        if progress is None:
            raise ValidationError("status_date= needs progress= (the progress table at that date)")
        remaining = remaining_work(project, progress, status_date)
    sampled = project if remaining is None else remaining.project
    plan = _make_plan(sampled, seed_int, correlation, bool(risks), bool(correlation_repair))
    if remaining is not None:
        plan = reforecast_plan(plan, remaining)
    schedule_batch = None
    if levelled:
        from .levelling import monte_carlo_scheduler

        schedule_batch = monte_carlo_scheduler(sampled, plan)
    sim = _simulate_plan(project, plan, iterations, seed_int, keep_tasks=keep_tasks, chunk=chunk,
                         callback=callback, levelled=bool(levelled), schedule_batch=schedule_batch)
    return sim if remaining is None else replace(sim, remaining=remaining)


def _simulate_plan(project: Project, plan: _Plan, iterations: int, seed: int, *, keep_tasks: bool = False,
                   chunk: int = DEFAULT_CHUNK, callback=None, levelled: bool = False,
                   schedule_batch: Callable | None = None, raw: dict | None = None) -> Simulation:
    """Run a prepared plan and wrap the result (the seam other engines call).

    ``raw``: the joined results of iteration ranges already run elsewhere
    (:func:`_run`, :func:`_join_raw`); then nothing is run here.
    """
    if raw is None:
        raw = _run(plan, iterations, chunk, keep_tasks, callback, schedule_batch)
    finish, cost = raw["finish"], raw["cost"]
    ids = pd.Index(project.task_ids, name="id")
    criticality = pd.Series(raw["crit_counts"] / iterations, index=ids, name="criticality")
    sim = Simulation(
        project=project, iterations=iterations, seed=seed, levelled=levelled,
        finish=_readonly(finish), cost=_readonly(cost), criticality=criticality,
        risk_summary=_risk_summary(project, plan, raw, finish, cost),
        task_finish=None if raw["task_finish"] is None else _readonly(raw["task_finish"]),
        _plan=plan, _occurred=_readonly(raw["occurred"]),
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


def _risk_summary(project: Project, plan: _Plan, raw: dict, finish: np.ndarray, cost: np.ndarray) -> pd.DataFrame:
    rows = []
    m = finish.shape[0]
    for k, rid in enumerate(plan.risk_ids):
        hit = raw["occurred"][k]
        c = int(hit.sum())
        both = 0 < c < m
        rows.append({
            "name": project.risk(rid).name,
            "probability": float(plan.risk_probability[k]),
            "occurred": c / m,
            "mean_impact": float(raw["impact_sum"][k] / c) if c else math.nan,
            "delay_added": float(finish[hit].mean() - finish[~hit].mean()) if both else math.nan,
            "cost_added": float(cost[hit].mean() - cost[~hit].mean()) if both else math.nan,
        })
    columns = ["name", "probability", "occurred", "mean_impact", "delay_added", "cost_added"]
    return pd.DataFrame(rows, columns=columns, index=pd.Index(plan.risk_ids, name="id"))


def summary_json(sim: Simulation, top: int = 10) -> dict:
    """The headline numbers of a Simulation as a plain dict with stable keys (``pmsim simulate --json``).

    Keys: ``project iterations seed levelled``, ``p10 p50 p80 p90`` (ISO dates)
    and ``p10_days`` ... ``p90_days``, ``mean sd p80_standard_error`` (working
    days), ``deadline probability_on_time``, ``cost_mean cost_sd cost_p50
    cost_p80 cost_p90 currency budget probability_within_budget``, ``jcl``
    (on time and within budget, when both are set; else null) and
    ``criticality`` (the ``top`` most critical tasks: ``id name criticality``).

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=3)])
    >>> summary_json(pm.simulate(p, iterations=10, seed=1))["p80"]
    '2027-01-06'
    """
    p = sim.project
    levels = [10, 50, 80, 90]
    out: dict = {"project": p.name, "iterations": sim.iterations, "seed": sim.seed, "levelled": sim.levelled}
    for lvl, date in zip(levels, sim.percentile(levels)):
        out[f"p{lvl}"] = date.isoformat()
    for lvl, days in zip(levels, sim.percentile_days(levels)):
        out[f"p{lvl}_days"] = days
    out.update(mean=sim.mean, sd=sim.std, p80_standard_error=sim.p80_standard_error)
    on_time = within = None
    out["deadline"] = p.deadline.isoformat() if p.deadline is not None else None
    if p.deadline is not None:
        on_time = sim.finish_dates <= np.datetime64(p.deadline, "D")
    out["probability_on_time"] = float(on_time.mean()) if on_time is not None else None
    c50, c80, c90 = sim.cost_percentile([50, 80, 90])
    out.update(cost_mean=sim.cost_mean, cost_sd=sim.cost_std, cost_p50=c50, cost_p80=c80, cost_p90=c90,
               currency=p.currency, budget=p.budget)
    if p.budget is not None:
        within = sim.cost <= p.budget + 1e-9 * max(1.0, p.budget)
    out["probability_within_budget"] = float(within.mean()) if within is not None else None
    out["jcl"] = float((on_time & within).mean()) if on_time is not None and within is not None else None
    crit = sim.criticality.sort_values(ascending=False, kind="stable").head(top)
    out["criticality"] = [{"id": tid, "name": p.task(tid).name, "criticality": float(v)} for tid, v in crit.items()]
    return out
