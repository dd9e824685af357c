"""Running a plan: batches of iterations, the fused compiled kernel, and the seam for other schedulers.

:func:`run` cuts iterations into :class:`Batch` es (whole blocks of
:data:`~pmsim.montecarlo.plan.BLOCK` iterations) and hands each to a batch
scheduler ``schedule_batch(plan, batch, out)``: by default the fused kernel
that samples and runs the unconstrained forward pass. Another scheduler (the
levelled Monte Carlo) takes the batch's durations from
:func:`sample_durations` (the same numbers the fused kernel draws), schedules
them and fills :class:`Outputs`: ``finish``, ``cost`` (:func:`duration_cost`),
``crit_counts`` and, when not None, ``task_start``/``task_finish``. A range of
iterations gives the numbers of the same iterations in a whole run, so ranges
can run apart (Dask) and be joined (:func:`join_runs`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from .._kernels import launching
from ..errors import ValidationError
from .escalate import (Horizon, add_escalated_extras, costed_risk_tasks, escalated_cost, escalated_spans,
                       no_escalation_arrays)
from .plan import BLOCK, Plan

__all__ = ["DEFAULT_CHUNK", "Batch", "Outputs", "EngineRun", "batches", "run", "join_runs",
           "risk_costs", "sample_durations", "regenerate_durations", "task_dates", "duration_cost", "span_outputs",
           "threads"]

DEFAULT_CHUNK = 128  # iterations per chunk: a chunk's tasks x iterations rows stay in cache
_BATCH_TASK_ITERATIONS = 2**24  # per batch: bounds scratch, correlated uniforms and callback gaps
_CORRELATED_VALUES = 2**22  # correlated uniforms per batch (float64)


@dataclass
class Batch:
    """One batch of iterations ``first .. first + count - 1`` and its shared draws."""

    first: int
    count: int
    corr_u: np.ndarray  # correlated tasks' 32-bit draws, column t is iteration corr_first + t
    corr_first: int
    occurred: np.ndarray  # risks x count
    risk_impact: np.ndarray  # risks x count, float32: an event's days (0 when it did not occur), a driver's factor (1)
    rate_dev: np.ndarray  # uncertain rates x count, float64: each resource's rate factor minus 1 ((1, 1): none)


@dataclass
class Outputs:
    """Where a batch scheduler writes; arrays indexed by iteration (or thread, task)."""

    finish: np.ndarray  # float32 per iteration: project finish, working days
    cost: np.ndarray  # float64 per iteration: Σ daily rate × duration (the rest is added later)
    crit_counts: np.ndarray  # int64 threads x tasks (topological): iterations critical
    task_start: np.ndarray | None  # float32 iterations x tasks (project order), or None
    task_finish: np.ndarray | None
    first: int = 0  # the iteration of row 0 of the arrays (a window of the run, for iter_task_dates)

    def rows(self, batch: "Batch") -> slice:
        """The rows of ``batch``'s iterations."""
        return slice(batch.first - self.first, batch.first - self.first + batch.count)


class _Scratch:
    """Per-thread scratch rows for the fused kernel."""

    def __init__(self, n: int, chunk: int, threads: int, dated: bool = False):
        # The dated pass works on elapsed minutes or working days, in float64.
        dates = np.float64 if dated else np.float32
        self.es = np.empty((threads, n, chunk), dtype=dates)
        self.ef = np.empty((threads, n, chunk), dtype=dates)
        self.dur = np.empty((threads, n, chunk), dtype=np.float32)
        self.u = np.empty((threads, chunk), dtype=np.uint32)
        self.fin = np.empty((threads, chunk), dtype=dates)
        self.cost = np.empty((threads, chunk), dtype=np.float64)
        self.flag = np.zeros((threads, n, chunk), dtype=np.bool_)  # all False between chunks
        self.any = np.zeros((threads, n), dtype=np.bool_)


_NONE2 = np.zeros((1, 1), dtype=np.float32)
_NO_ESCALATION = no_escalation_arrays()


def _kernel(plan: Plan, batch: Batch, chunk: int, scratch: _Scratch, criticality: bool,
            finish: np.ndarray, cost: np.ndarray, crit_counts: np.ndarray,
            task_start: np.ndarray | None = None, task_finish: np.ndarray | None = None,
            columns: np.ndarray | None = None, escalation: tuple = _NO_ESCALATION) -> None:
    """Call the fused kernel on one batch; outputs are indexed from the batch's first iteration.

    ``columns``: the column of each task (topological order) in ``task_start``/``task_finish``, by default
    its project index; ``escalation``: :meth:`Escalation.kernel_arrays` to escalate the task costs."""
    from .._kernels.montecarlo import simulate_batch

    net = plan.net
    columns = plan.project_column if columns is None else columns
    if plan.dated is not None:
        _dated_kernel(plan, batch, chunk, scratch, criticality, finish, cost, crit_counts, task_start, task_finish,
                      columns)
        return
    with launching():
        simulate_batch(
            batch.first, batch.count, chunk,
            net.pred_ptr, net.pred_idx, net.pred_type, plan.pred_lag, plan.candidate, plan.candidates,
            plan.stream, plan.kind, plan.param, plan.tables, plan.disc_val, plan.disc_cum,
            plan.corr_col, batch.corr_u, batch.corr_first,
            plan.risk_ptr, plan.risk_idx, batch.risk_impact, batch.first, plan.exist_row,
            plan.release, plan.override_mask, plan.override_value, plan.daily,
            *plan.rate_entries(), batch.rate_dev, batch.first, *escalation,
            criticality, task_start is not None, task_finish is not None, columns,
            scratch.es, scratch.ef, scratch.dur, scratch.flag, scratch.any, scratch.u, scratch.fin, scratch.cost,
            finish, cost, crit_counts,
            _NONE2 if task_start is None else task_start,
            _NONE2 if task_finish is None else task_finish,
        )


def _escalated_schedule(plan: Plan, batch: Batch, out: Outputs, chunk: int, scratch: _Scratch,
                        horizon: Horizon) -> None:
    """The fused kernel with escalated costs: each task's cost escalated over its dates in the kernel, then the
    level-of-effort spans, the project's cost per day and the risks' cost impacts on the day they strike.

    Only the finishes those read are kept (a narrow table). A batch that reaches past the escalation index
    runs again (without counting criticality twice) on a longer one: the factors, hence the numbers, are the
    same."""
    sl = out.rows(batch)
    spans = plan.net.spans
    kept = costed_risk_tasks(plan)
    if spans is not None:
        kept = np.union1d(kept, np.union1d(spans.anchors(), spans.task))
    columns = np.full(plan.n, -1, dtype=np.int64)
    columns[kept] = np.arange(kept.size)
    start = np.empty((batch.count, kept.size), dtype=np.float32)
    finish = np.empty_like(start)
    reach = np.empty(threads())
    criticality, counts = True, out.crit_counts
    while True:
        index = horizon.index
        _kernel(plan, batch, chunk, scratch, criticality, out.finish[sl], out.cost[sl], counts, start, finish,
                columns, plan.escalation.kernel_arrays(plan, index, reach))
        if spans is not None:
            _span_rows(plan, columns, start, finish, np.zeros(0), batch.rate_dev)
        latest = max(float(reach.max()), float(finish.max(initial=-np.inf)))
        if horizon.covers(latest):
            break
        horizon.extend(latest)
        criticality, counts = False, np.zeros_like(out.crit_counts)
    if spans is not None:
        escalated_spans(plan, index, start, finish, columns, batch.rate_dev, out.cost[sl])
    add_escalated_extras(plan, index, finish, columns, out.finish[sl].astype(np.float64), batch.occurred,
                         out.cost[sl])


def _dated_kernel(plan: Plan, batch: Batch, chunk: int, scratch: _Scratch, criticality: bool,
                  finish: np.ndarray, cost: np.ndarray, crit_counts: np.ndarray,
                  task_start: np.ndarray | None, task_finish: np.ndarray | None, columns: np.ndarray) -> None:
    """The fused kernel of a dated plan (calendars, constraints, progress)."""
    from .._kernels.dated_montecarlo import simulate_dated

    net, dated = plan.net, plan.dated
    with launching():
        simulate_dated(
            batch.first, batch.count, chunk,
            net.pred_ptr, net.pred_idx, net.pred_type, dated.lag, dated.link_calendar, dated.candidates,
            plan.stream, plan.kind, plan.param, plan.tables, plan.disc_val, plan.disc_cum,
            plan.corr_col, batch.corr_u, batch.corr_first,
            plan.risk_ptr, plan.risk_idx, batch.risk_impact, batch.first, plan.exist_row,
            plan.override_mask, plan.override_value, plan.daily,
            *plan.rate_entries(), batch.rate_dev, batch.first,
            dated.inputs, dated.scale, dated.tables, dated.maps,
            dated.project_calendar, dated.project_base, dated.project_day,
            criticality, task_start is not None, task_finish is not None, columns,
            scratch.es, scratch.ef, scratch.dur, scratch.flag, scratch.any, scratch.u, scratch.fin, scratch.cost,
            finish, cost, crit_counts,
            _NONE2 if task_start is None else task_start,
            _NONE2 if task_finish is None else task_finish,
        )


def _fused_schedule(plan: Plan, batch: Batch, out: Outputs, chunk: int, scratch: _Scratch) -> None:
    """The default batch scheduler: sample and run the unconstrained forward pass (compiled)."""
    sl = out.rows(batch)
    spans = plan.net.spans
    if spans is None:
        _kernel(plan, batch, chunk, scratch, True, out.finish[sl], out.cost[sl], out.crit_counts,
                None if out.task_start is None else out.task_start[sl],
                None if out.task_finish is None else out.task_finish[sl])
        return
    if out.task_start is not None or out.task_finish is not None:  # every task's dates are kept
        start = out.task_start[sl] if out.task_start is not None else np.empty((batch.count, plan.n), np.float32)
        finish = out.task_finish[sl] if out.task_finish is not None else np.empty((batch.count, plan.n), np.float32)
        _kernel(plan, batch, chunk, scratch, True, out.finish[sl], out.cost[sl], out.crit_counts, start, finish)
        _span_rows(plan, plan.project_column, start, finish, out.cost[sl], batch.rate_dev)
        return
    # Level-of-effort tasks: the kernel keeps the dates of the tasks they span (and theirs) in a narrow
    # table, then their spans and costs follow from it.
    columns, kept = _span_columns(plan)
    start = np.empty((batch.count, kept.size), dtype=np.float32)
    finish = np.empty_like(start)
    _kernel(plan, batch, chunk, scratch, True, out.finish[sl], out.cost[sl], out.crit_counts, start, finish,
            columns)
    _span_rows(plan, columns, start, finish, out.cost[sl], batch.rate_dev)


def _span_columns(plan: Plan) -> tuple[np.ndarray, np.ndarray]:
    """(column of each task in the narrow table, -1 for none; the tasks (topological) with a column)."""
    spans = plan.net.spans
    kept = np.union1d(spans.anchors(), spans.task)
    columns = np.full(plan.n, -1, dtype=np.int64)
    columns[kept] = np.arange(kept.size)
    return columns, kept


def _span_rows(plan: Plan, columns: np.ndarray, start: np.ndarray, finish: np.ndarray, cost: np.ndarray,
               rate_dev: np.ndarray) -> None:
    """``rate_dev``: the rate deviations of the rows' iterations (column r for row r)."""
    from .._kernels.spans import span_rows

    sp = plan.net.spans
    with launching():
        span_rows(sp.task, sp.start_ptr, sp.start_idx, sp.start_end, sp.start_lag, sp.finish_ptr, sp.finish_idx,
                  sp.finish_end, sp.finish_lag, columns, np.ascontiguousarray(plan.daily[sp.task]),
                  *plan.rate_entries(spans=True), np.ascontiguousarray(rate_dev), start, finish, cost)


def span_outputs(plan: Plan, out: Outputs, rows: slice) -> None:
    """Fill in the level-of-effort tasks' dates in ``out``'s task dates (rows ``rows``, every task kept) and
    add their cost (daily rate × span) to ``out.cost``: the step every batch scheduler ends with."""
    if plan.net.spans is None:
        return
    first = out.first + rows.start
    dev = plan.rate_deviations(first, rows.stop - rows.start)
    _span_rows(plan, plan.project_column, out.task_start[rows], out.task_finish[rows], out.cost[rows], dev)


def _batch_size(plan: Plan) -> int:
    k = max(1, plan.corr_task.shape[0])
    blocks = min(_BATCH_TASK_ITERATIONS // (max(plan.n, 1) * BLOCK), _CORRELATED_VALUES // (k * BLOCK))
    return BLOCK * max(1, blocks)


def batches(plan: Plan, iterations: int, first: int = 0, last: int | None = None) -> Iterator[Batch]:
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
        yield Batch(first=a, count=b - a, corr_u=corr_u, corr_first=a, occurred=occurred, risk_impact=impact,
                    rate_dev=plan.rate_deviations(a, b - a))
        a = b


def threads() -> int:
    """The number of threads the compiled kernels run on."""
    import numba

    return numba.get_num_threads()


def run(plan: Plan, iterations: int, chunk: int = DEFAULT_CHUNK, keep_tasks: bool = False,
        callback: Callable | None = None, schedule_batch: Callable | None = None,
        first: int = 0, last: int | None = None) -> "EngineRun":
    """Run iterations ``first .. last - 1`` of an ``iterations``-long run, batch by batch.

    Returns the per-iteration arrays of that range and its counts. A range
    gives exactly the numbers of the same iterations in a whole run (random
    numbers are counter-based), so ranges can run apart, e.g. as Dask tasks,
    and be joined with :func:`join_runs`. ``first`` must be a multiple of
    :data:`BLOCK`. ``callback(done, total)`` is called after each batch.
    """
    last = iterations if last is None else last
    if first % BLOCK or not 0 <= first < last <= iterations:
        raise ValidationError(f"iteration range {first}..{last} must start at a multiple of {BLOCK} "
                              f"and lie within 0..{iterations}")
    n, r = plan.n, plan.n_risks
    nthreads = threads()
    # Another scheduler keeps every task's dates when level-of-effort tasks read them (their span); escalation
    # reads every task's dates, but in the fused kernel (it escalates each task's cost on its own rows).
    escalated = plan.escalation is not None
    fused_escalation = escalated and schedule_batch is None and plan.dated is None and not keep_tasks
    spanned = plan.net.spans is not None and schedule_batch is not None or (escalated and not fused_escalation)
    horizon = Horizon(plan.escalation.project) if fused_escalation else None
    out = Outputs(
        finish=np.empty(iterations, dtype=np.float32),
        cost=np.empty(iterations, dtype=np.float64),
        crit_counts=np.zeros((nthreads, n), dtype=np.int64),
        task_start=np.empty((iterations, n), dtype=np.float32) if spanned else None,
        task_finish=np.empty((iterations, n), dtype=np.float32) if keep_tasks or spanned else None,
    )
    occurred = np.empty((r, iterations), dtype=np.bool_)
    impact_sum = np.zeros(r)
    risk_cost = np.zeros(iterations)
    existence = plan.existence
    exist_counts = np.zeros(0 if existence is None else existence.size, dtype=np.int64)
    absent_cost = np.zeros(iterations)  # the fixed costs of the tasks that do not exist
    scratch = _Scratch(n, chunk, nthreads, plan.dated is not None) if schedule_batch is None else None
    for batch in batches(plan, iterations, first, last):
        if fused_escalation:
            _escalated_schedule(plan, batch, out, chunk, scratch, horizon)
        elif schedule_batch is None:
            _fused_schedule(plan, batch, out, chunk, scratch)
        else:
            schedule_batch(plan, batch, out)
            if plan.net.spans is not None:
                span_outputs(plan, out, out.rows(batch))
        sl = slice(batch.first, batch.first + batch.count)
        if escalated and not fused_escalation:  # the cost follows the dates: computed again from them
            out.cost[sl] = escalated_cost(plan, sample_durations(plan, batch), batch.rate_dev, out.task_start[sl],
                                          out.task_finish[sl], out.finish[sl].astype(np.float64), batch.occurred)
        occurred[:, sl] = batch.occurred
        impact_sum += np.where(batch.occurred, batch.risk_impact[:r], 0.0).sum(axis=1, dtype=np.float64)
        if r:
            risk_cost[sl] = risk_costs(plan.risk_cost, batch.occurred)
        if existence is not None:
            exists = batch.risk_impact[r:r + existence.size]
            exist_counts += np.count_nonzero(exists, axis=1)
            absent_cost[sl] = existence.fixed @ (1.0 - exists.astype(np.float64))
        if callback is not None:
            callback(batch.first + batch.count, iterations)
    if escalated:
        cost = out.cost + plan.cost_offset
    else:
        cost = out.cost + plan.fixed_cost - absent_cost + risk_cost + plan.cost_offset
    if plan.cost_per_day and not escalated:  # the time-dependent project cost: every working day until the finish
        cost += plan.cost_per_day * out.finish.astype(np.float64)
    span = slice(first, last)
    counts = np.full(n, last - first, dtype=np.int64)
    if existence is not None:
        counts[existence.task] = exist_counts
    return EngineRun(
        finish=out.finish[span].astype(np.float64),
        cost=cost[span],
        crit_counts=plan.net.to_project(out.crit_counts.sum(axis=0)),
        occurred=occurred[:, span],
        impact_sum=impact_sum,
        task_finish=out.task_finish[span] if keep_tasks else None,
        exist_counts=plan.net.to_project(counts),
    )


@dataclass(frozen=True, eq=False)
class EngineRun:
    """What :func:`run` returns for a range of iterations (project task order)."""

    finish: np.ndarray  # float64 per iteration: project finish, working days
    cost: np.ndarray  # float64 per iteration: total cost
    crit_counts: np.ndarray  # int64 per task: iterations in which it was critical
    occurred: np.ndarray  # bool risks x iterations
    impact_sum: np.ndarray  # per risk: sum of its impacts (days or factors) in the iterations it occurred
    task_finish: np.ndarray | None  # float32 iterations x tasks (keep_tasks), or None
    exist_counts: np.ndarray  # int64 per task: iterations in which it existed (all of them, but for existence < 1)


def risk_costs(cost: np.ndarray, occurred: np.ndarray) -> np.ndarray:
    """Per iteration, the cost impacts of the risks that occurred: ``Σ_r cost[r] × occurred[r]``, added in
    register order (elementwise, no BLAS: the same bits on every machine, and a register without some risk
    gives the same sum as one where they never occur)."""
    out = np.zeros(occurred.shape[1])
    for k in np.flatnonzero(cost):
        out += cost[k] * occurred[k]
    return out


def join_runs(parts: list[EngineRun]) -> EngineRun:
    """Join the runs of consecutive iteration ranges (see :func:`run`)."""
    if len(parts) == 1:
        return parts[0]
    return EngineRun(
        finish=np.concatenate([p.finish for p in parts]),
        cost=np.concatenate([p.cost for p in parts]),
        crit_counts=sum(p.crit_counts for p in parts),
        occurred=np.concatenate([p.occurred for p in parts], axis=1),
        impact_sum=sum(p.impact_sum for p in parts),
        task_finish=None if parts[0].task_finish is None else np.concatenate([p.task_finish for p in parts]),
        exist_counts=sum(p.exist_counts for p in parts),
    )


def sample_durations(plan: Plan, batch: Batch, with_risks: bool = True, tasks=None,
                     chunk: int = DEFAULT_CHUNK) -> np.ndarray:
    """The durations the engine draws for a batch: (tasks, batch.count) float32, topological order.

    ``tasks`` selects topological task indices (all by default). Numbers are
    identical to those of the fused kernel, risk impacts included unless
    ``with_risks=False``. This is the entry point for other per-iteration
    schedulers (resource levelling).
    """
    from .._kernels.montecarlo import sample_tasks

    idx = np.arange(plan.n, dtype=np.int64) if tasks is None else np.asarray(tasks, dtype=np.int64)
    out = np.empty((idx.shape[0], batch.count), dtype=np.float32)
    u = np.empty((threads(), chunk), dtype=np.uint32)
    with launching():
        sample_tasks(idx, batch.first, batch.count, chunk, plan.stream, plan.kind, plan.param, plan.tables,
                     plan.disc_val, plan.disc_cum, plan.corr_col, batch.corr_u, batch.corr_first,
                     plan.risk_ptr, plan.risk_idx, batch.risk_impact, batch.first, plan.exist_row,
                     plan.override_mask, plan.override_value, with_risks, u, out)
    return out


def duration_cost(plan: Plan, durations: np.ndarray, rate_dev: np.ndarray | None = None) -> np.ndarray:
    """``Σ_j daily_j × duration_j`` per iteration, for (tasks, count) durations in topological order, plus the
    uncertain rates' share (``rate_dev``: the batch's :attr:`Batch.rate_dev`).

    Adds in the same order as the fused kernel, so a scheduler that fills
    :class:`_Outputs` with it gets the same cost to the last bit.
    """
    cost = np.zeros(durations.shape[1])
    ptr, row, weight = plan.rate_entries()
    for j in np.flatnonzero(plan.daily):
        cost += plan.daily[j] * durations[j].astype(np.float64)
        for q in range(ptr[j], ptr[j + 1]):
            cost += weight[q] * rate_dev[row[q]] * durations[j].astype(np.float64)
    return cost


def regenerate_durations(plan: Plan, iterations: int, tasks, with_risks: bool = True,
                         last: int | None = None) -> np.ndarray:
    """The sampled durations of some tasks (topological indices) in iterations ``0 .. last - 1``.

    (tasks, iterations) float32: the numbers of the run, drawn again from the seed.
    """
    idx = np.asarray(tasks, dtype=np.int64)
    last = iterations if last is None else last
    values = np.empty((idx.shape[0], last), dtype=np.float32)
    for batch in batches(plan, iterations, 0, last):
        values[:, batch.first:batch.first + batch.count] = sample_durations(plan, batch, with_risks=with_risks,
                                                                           tasks=idx)
    return values


def task_dates(plan: Plan, iterations: int, chunk_size: int,
               schedule_batch: Callable | None = None) -> Iterator[tuple[slice, np.ndarray, np.ndarray]]:
    """Every task's start and finish in each iteration of a run, ``chunk_size`` iterations at a time.

    Yields ``(iterations, start, finish)``: a slice of iteration numbers and
    two float64 arrays (len, tasks) in project task order, scheduled by
    ``schedule_batch`` (the run's own) or the unconstrained forward pass.
    """
    m, n = iterations, plan.n
    chunk = DEFAULT_CHUNK
    nthreads = threads()
    scratch = _Scratch(n, chunk, nthreads, plan.dated is not None) if schedule_batch is None else None
    for a in range(0, m, int(chunk_size)):
        b = min(m, a + int(chunk_size))
        first = a // BLOCK * BLOCK
        block_end = min(m, -(-b // BLOCK) * BLOCK)
        corr_u = plan.correlated_uniforms(first, block_end - first, m)
        occurred, impact = plan.risk_draws(a, b - a)
        batch = Batch(first=a, count=b - a, corr_u=corr_u, corr_first=first, occurred=occurred, risk_impact=impact,
                      rate_dev=plan.rate_deviations(a, b - a))
        out = Outputs(finish=np.empty(b - a, dtype=np.float32), cost=np.empty(b - a),
                      crit_counts=np.zeros((nthreads, n), dtype=np.int64),
                      task_start=np.empty((b - a, n), dtype=np.float32),
                      task_finish=np.empty((b - a, n), dtype=np.float32), first=a)
        if schedule_batch is None:
            _kernel(plan, batch, chunk, scratch, False, out.finish, out.cost, out.crit_counts,
                    out.task_start, out.task_finish)
        else:
            schedule_batch(plan, batch, out)
        span_outputs(plan, out, slice(0, b - a))
        yield slice(a, b), out.task_start.astype(np.float64), out.task_finish.astype(np.float64)
