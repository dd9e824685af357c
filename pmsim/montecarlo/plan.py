"""The plan of a Monte Carlo run: everything the compiled engine needs, per task in topological order.

:func:`make_plan` builds a :class:`Plan` from a project and an int seed (the
seed-independent part once per project, through :func:`pmsim._cache.cached`).
The plan's random numbers are counter-based: the draw of (task, iteration)
is a pure function of (seed, task id, iteration), so any range of
iterations can be run or regenerated alone with the same numbers.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace

import numpy as np

from .._cache import cached
from .._kernels import launching
from ..correlation import CorrelationPlan, prepare_correlation
from ..costs import cost_rates, escalates
from ..distributions import Fixed
from ..errors import UnknownReferenceError, ValidationError
from ..model import Project
from .._kernels.links import FF, FS
from ..network import Network, network
from .encoding import encode, task_key
from .existence import Existence, existence_of
from .escalate import Escalation, escalation_of
from .rates import Rates, rates_of

__all__ = ["BLOCK", "Plan", "make_plan", "seed_key", "task_stream", "finish_candidates"]

BLOCK = 1024  # Iman-Conover blocks; batches are whole blocks, so results ignore chunking
_SCORE_CELLS = 4096  # normal scores of the correlated Monte Carlo: one of 4,096 quantiles
_KEPT_VALUES = 2**22  # correlated draws a plan keeps for reuse (16 MB): a run's, for its achieved correlation
_DURATION, _RISK_OCCURS, _RISK_IMPACT = 0, 1, 2  # stream purposes


@dataclass(frozen=True, eq=False)
class Plan:
    """Everything the compiled engine needs, per task in topological order.

    Sampling arrays (``kind``, ``param``) hold the tasks first, then the
    risks' impact distributions. ``release``, ``override_*`` and
    ``cost_offset`` are the re-forecast seam (:meth:`with_progress`).
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
    comp_ptr: np.ndarray
    factor_ptr: np.ndarray
    factors: np.ndarray
    risk_ids: tuple
    risk_probability: np.ndarray
    risk_cost: np.ndarray
    risk_neutral: np.ndarray  # float32 per risk: its impact when it does not occur (1: a driver, 0: an event)
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
    # Calendars, constraints or progress: the passes of pmsim._kernels.dated_montecarlo (None: plain addition).
    dated: "DatedPlan | None" = None
    # Task existence and branching (None: every task exists); exist_row: per task, the row of the batch's impact
    # array holding its 0/1 existence factor (-1: it exists for certain); exist_stream: per draw of existence.
    existence: Existence | None = None
    exist_row: np.ndarray | None = None
    exist_stream: np.ndarray | None = None
    cost_per_day: float = 0.0  # the project's time-dependent cost, paid per working day until the finish
    # Uncertain resource rates (None: every rate is certain) and the stream of each resource's factor.
    rates: Rates | None = None
    rate_stream: np.ndarray | None = None
    escalation: Escalation | None = None  # costs escalate by date (None: they do not)
    # Correlated draws computed with this plan, for reuse (see correlated_uniforms); not pickled.
    kept: dict = field(default_factory=dict, repr=False)

    def __getstate__(self):
        state = dict(self.__dict__)
        state["kept"] = {}
        return state

    @property
    def n(self) -> int:
        return self.net.n

    def rate_deviations(self, first: int, count: int) -> np.ndarray:
        """(resources, count) float64: each uncertain rate's factor minus 1 in iterations ``first ..`` (a
        (1, 1) zero array when there is none)."""
        if self.rates is None:
            return np.zeros((1, 1))
        return self.rates.factors(self.rate_stream, first, count) - 1.0

    def rate_entries(self, spans: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The kernels' (ptr, row, weight) of the uncertain rates, per task (topological) or, with ``spans``,
        per level-of-effort task; no entry anywhere when there is none."""
        rates = self.rates
        if rates is None:
            size = self.net.spans.task.size if spans and self.net.spans is not None else self.n
            return np.zeros(size + 1, dtype=np.int64), np.zeros(1, dtype=np.int64), np.zeros(1)
        return (rates.span_ptr, rates.span_row, rates.span_weight) if spans else (rates.ptr, rates.row, rates.weight)

    @property
    def n_risks(self) -> int:
        return len(self.risk_ids)

    def without_risks(self, removed) -> "Plan":
        """A copy in which the risks at positions ``removed`` never occur; every other draw is unchanged
        (common random numbers: the streams are keyed by task and risk id)."""
        probability = self.risk_probability.copy()
        probability[list(removed)] = 0.0
        return replace(self, risk_probability=probability)

    def with_progress(self, release=None, override=None, cost_offset: float | None = None) -> "Plan":
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
        existence = None if self.existence is None else self.existence.decided(mask)  # started work exists
        return replace(self, release=rel, override_mask=mask, override_value=value, existence=existence,
                       cost_offset=self.cost_offset if cost_offset is None else float(cost_offset))

    def correlated_uniforms(self, first: int, count: int, iterations: int) -> np.ndarray:
        """Iman-Conover reordered 32-bit draws (columns x count) for iterations ``first ..``.

        ``first`` must be a multiple of :data:`BLOCK`; ``iterations`` is the run's
        length (the last block may be short). The draws of a run (up to
        ``_KEPT_VALUES`` of them) are kept with the plan and given again to the
        same request: ``achieved_correlation`` then need not correlate them anew.
        They are keyed by what they depend on (the streams and factors too), so
        a copy of the plan with another correlation never gets them.
        """
        k = self.corr_task.shape[0]
        if k == 0:
            return np.zeros((1, 1), dtype=np.uint32)
        key = (first, count, iterations, self.corr_stream.tobytes(), self.comp_ptr.tobytes(), self.factors.tobytes())
        kept = self.kept.get(key)
        if kept is not None:
            return kept
        from .._kernels.correlation import correlate_blocks

        assert first % BLOCK == 0
        out = np.empty((k, count), dtype=np.uint32)
        correct = np.ones(self.comp_ptr.shape[0] - 1, dtype=np.bool_)
        with launching():
            correlate_blocks(first, count, BLOCK, self.corr_stream, self.comp_ptr, self.factor_ptr, self.factors,
                             correct, _score_table(), out)
        if out.size + sum(a.size for a in self.kept.values()) <= _KEPT_VALUES:
            self.kept[key] = out
        return out

    def risk_draws(self, first: int, count: int) -> tuple[np.ndarray, np.ndarray]:
        """Per risk and iteration: occurred (bool) and its impact (float32): an event's days (0 if it did not
        occur), a driver's factor (1 if not); then one row per uncertain task, 1 where it exists, else 0.

        A risk whose tasks all do not exist in an iteration does not occur in it."""
        r = self.n_risks
        e = 0 if self.existence is None else self.existence.size
        occurred = np.zeros((r, count), dtype=np.bool_)
        impact = np.zeros((max(r + e, 1), count), dtype=np.float32)
        if r:
            from .._kernels.montecarlo import risk_draws

            n = self.n
            risk_draws(first, count, self.risk_occur_stream, self.risk_impact_stream, self.risk_probability,
                       self.risk_neutral, self.kind[n:], self.param[n:], self.tables, self.disc_val, self.disc_cum,
                       occurred, impact[:r])
        if e:
            exists = self.existence.factors(self.exist_stream, first, count)
            impact[r:] = exists
            for k, entries in self.existence.risks:
                if k < r:
                    occurred[k] &= exists[entries].any(axis=0)
                    impact[k, ~occurred[k]] = self.risk_neutral[k]
        return occurred, impact


@functools.cache
def _score_table() -> np.ndarray:
    """The normal scores of the correlated Monte Carlo (float32): the quantiles at the centres of 4,096 equal
    cells of probability, one picked by 12 bits of each task's random number."""
    from scipy.special import ndtri

    return ndtri((np.arange(_SCORE_CELLS) + 0.5) / _SCORE_CELLS).astype(np.float32)


def seed_key(seed: int) -> np.uint64:
    """The 64-bit key of an int seed, from which every stream of the run is derived."""
    return np.random.SeedSequence(seed).generate_state(1, np.uint64)[0]


def task_stream(seed: int, task_id: str) -> np.uint64:
    """The stream of a task's durations under an int seed: the draws :func:`make_plan` gives task ``task_id``."""
    from .._kernels.random import stream_keys

    return stream_keys(seed_key(seed), np.array([task_key(task_id)], dtype=np.uint64), _DURATION)[0]


def finish_candidates(net: Network, started=None) -> np.ndarray:
    """Per task (topological order): whether it can set the project finish.

    A task cannot when an FS or FF successor with a lag >= 0 finishes after
    it; ``started`` (bool per task) marks successors whose start is a fact
    (a re-forecast), whose links no longer push.
    """
    source = np.repeat(np.arange(net.n), np.diff(net.succ_ptr))
    pushes = ((net.succ_type == FS) | (net.succ_type == FF)) & (net.succ_lag >= 0)
    if started is not None:
        pushes &= ~started[net.succ_idx]
    candidate = np.ones(net.n, dtype=np.bool_)
    candidate[source[pushes]] = False
    return candidate


@dataclass(frozen=True, eq=False)
class DatedPlan:
    """What the dated forward pass needs on top of a plan (arrays in topological / ``pred_*`` order).

    ``scale`` turns a sampled duration (working days) into axis units of the
    work still to do; finishes leave as ``(work_at(project_calendar, t) -
    project_base) / project_day`` working days of the project calendar.
    """

    inputs: object  # pmsim._kernels.dated_montecarlo.WorkInputs
    scale: np.ndarray
    lag: np.ndarray
    link_calendar: np.ndarray
    tables: object  # pmsim._kernels.worktime.WorkTables
    maps: object  # pmsim._kernels.crossmap.CrossMaps: the links that cross calendars, as one lookup
    project_calendar: int
    project_base: float
    project_day: float
    candidates: np.ndarray  # the tasks that can set the finish (see _dated_candidates)


def _dated_candidates(project: Project, tl, inputs) -> np.ndarray:
    """The tasks (topological order) that can set the finish of a dated plan.

    A link rules its predecessor out only when its successor surely finishes
    later in elapsed time: an FS or FF link with a lag >= 0, no fact fixing
    it, into a task whose dates follow its links (not started, or by retained
    logic), without a fixed date or a date cap that could pull it earlier,
    and that has work (a milestone on another calendar sits at the end of its
    own working time, which may come before its predecessor's finish).
    """
    net = tl.net
    status, rule = inputs.status, inputs.rule
    follows = (status == 0) | (rule == 0) & (status == 2) | (rule == 0) & (status == 1)
    follows &= np.isnan(inputs.fixed_start) & np.isnan(inputs.fixed_finish)
    if inputs.honor:
        follows &= ~np.isfinite(inputs.start_cap) & ~np.isfinite(inputs.finish_cap)
    has_work = np.array([project.tasks[i].estimate.low > 0 for i in net.project_index.tolist()], dtype=bool)
    source = np.repeat(np.arange(net.n), np.diff(net.succ_ptr))
    in_pred_order = np.empty(net.n_links, dtype=np.int64)
    in_pred_order[net.pred_link] = np.arange(net.n_links)
    fact = ~np.isnan(inputs.link_date[in_pred_order[net.succ_link]])
    # A task whose resources work on several calendars shares a calendar with no other task here.
    cal = np.where(np.diff(tl.assignments[0]) > 0, -2 - np.arange(net.n), tl.task_calendar)
    succ = net.succ_idx
    # Across calendars an FS successor with work ends after its predecessor, but an FF successor may end
    # at the end of its own calendar's work before the predecessor's finish (a night shift's 06:00).
    same_cal = cal[succ] == cal[source]
    pushes = ((net.succ_lag >= 0) & ~fact & follows[succ]
              & ((net.succ_type == FF) & same_cal
                 | (net.succ_type == FS) & (same_cal | has_work[succ] & (status[succ] != 2))))
    candidate = np.ones(net.n, dtype=np.bool_)
    candidate[source[pushes]] = False
    return np.flatnonzero(candidate).astype(np.int64)


def _dated_plan(project: Project) -> DatedPlan | None:
    """The dated pass of ``project``, or None when plain addition schedules it (one calendar, no
    constraint, deadline or progress that moves the early dates)."""
    from .._kernels.crossmap import build_maps
    from .._kernels.dated_montecarlo import WorkInputs
    from ..timeline import axis_origin, date_pulled, plain_schedule, schedule_inputs, timeline

    if plain_schedule(project):
        return None
    tl = timeline(project)
    days = np.array(tl.net.planned, dtype=np.float64)
    inputs, _ = schedule_inputs(tl, days)
    if date_pulled(inputs).any():
        from ..cpm import cpm

        cpm(project)  # refuses a date that would start a task before the project (no schedule meets it)
    net = tl.net
    asg_ptr, asg_cal, asg_share = tl.assignments
    own_cal = np.ascontiguousarray(tl.task_calendar)
    # A task whose resources work on several calendars keeps its dates in axis time (WorkInputs), and so does a
    # task finished under P6's rules: it sits at the very moment its links and the data date give it (Monday
    # 08:00 after a start milestone, Saturday 00:00 at the data date: dated.forward), which the work time of its
    # calendar cannot tell from the end of the work before (Friday 17:00).
    finished = (inputs.status == 2) & (inputs.rule != 2)
    cal = np.where((np.diff(asg_ptr) > 0) | finished, -1, own_cal).astype(np.int64)
    tables = {c: tl.calendars[c].work_table(tl.origin, tl.horizon_days) for c in set(cal.tolist()) if c >= 0}

    def work(values):
        """Axis values as work time of each task's calendar (infinities and NaN kept)."""
        out = np.array(values, dtype=np.float64)
        for c, table in tables.items():
            rows = (cal == c) & np.isfinite(out)
            out[rows] = table.work_at(out[rows])
        return out

    succ_of = np.repeat(np.arange(net.n), np.diff(net.pred_ptr))
    same = (cal[net.pred_idx] == cal[succ_of]) & ((inputs.link_lag == 0) | (tl.link_calendar == cal[succ_of]))
    link_date = inputs.link_date.copy()  # in work time of each link's successor
    for c, table in tables.items():
        rows = (cal[succ_of] == c) & np.isfinite(link_date)
        link_date[rows] = table.work_at(link_date[rows])
    # A started task's sampled duration is scaled to the share of work still to do.
    planned_work = tl.durations(days)
    share = np.where((inputs.status == 1) & (inputs.rule != 2) & (planned_work > 0),
                     inputs.remaining / np.where(planned_work > 0, planned_work, 1.0), 1.0)
    share = np.where((inputs.status == 2) & (inputs.rule != 2), 0.0, share)  # P6: no work left
    # A started milestone with work left (a revised estimate) keeps it: no sample to scale.
    extra = np.where((inputs.status == 1) & (inputs.rule != 2) & (planned_work <= 0), inputs.remaining, 0.0)
    if tl.split_task.size:
        unsure = [t.id for t in project.tasks if t.splits and (t.existence < 1 or t.branch)]
        if unsure:
            raise ValidationError(
                f"Task {unsure[0]!r}" + (f" (and {len(unsure) - 1} other tasks)" if len(unsure) > 1 else "")
                + ": a split task that may not exist (existence below 1 or a branch) cannot be simulated: an "
                "iteration without it would still wait its gaps; give it existence 1 or remove its splits")
        # Split tasks: the gaps the planned work reaches are kept whatever the sampled duration (a sample is the
        # work, a gap time the task waits); a task started under P6's rules has its remaining work scaled instead.
        extra = extra + np.where((inputs.status == 0) | (inputs.rule == 2), tl.gaps(days), 0.0)
    work_inputs = WorkInputs(
        task_cal=cal, start_floor=work(inputs.start_floor), finish_floor=work(inputs.finish_floor),
        start_cap=work(inputs.start_cap), finish_cap=work(inputs.finish_cap), fixed_start=work(inputs.fixed_start),
        fixed_finish=work(inputs.fixed_finish), status=inputs.status, actual_start=work(inputs.actual_start),
        actual_finish=work(inputs.actual_finish), rule=inputs.rule, honor=inputs.honor, same=same,
        link_date=link_date, extra=extra, earliest=axis_origin(tl),
        # with no work, at the next working moment (dated.forward): a start milestone, a started task under P6
        start_milestone=inputs.start_milestone | ((inputs.status == 1) & (inputs.rule != 2)),
        delay=inputs.delay, delay_cal=inputs.delay_cal, asg_ptr=np.ascontiguousarray(asg_ptr, dtype=np.int64),
        asg_cal=np.ascontiguousarray(asg_cal, dtype=np.int64), asg_share=np.ascontiguousarray(asg_share, dtype=np.float64),
        own_cal=own_cal)
    if tl.uniform:
        project_cal, base, day = -1, 0.0, 1.0
    else:
        project_cal = 0  # the project calendar is table 0
        table = tl.calendars[0].work_table(tl.origin, tl.horizon_days)
        base, day = float(table.work_at(tl.base)), tl.calendars[0].minutes_per_day
    link_calendar = np.ascontiguousarray(tl.link_calendar)
    maps = build_maps(cal[net.pred_idx], cal[succ_of], inputs.link_lag, link_calendar, ~same, tl.tables)
    return DatedPlan(inputs=work_inputs, scale=np.ascontiguousarray(tl.task_scale * share), lag=inputs.link_lag,
                     link_calendar=link_calendar, tables=tl.tables, maps=maps,
                     project_calendar=project_cal, project_base=base, project_day=day,
                     candidates=_dated_candidates(project, tl, inputs))


@dataclass(frozen=True, eq=False)
class _Static:
    """What a plan needs that does not depend on the seed (built once per project).

    Nothing writes to these arrays; they are left writable because numba
    compiles read-only arrays as another type.
    """

    task_keys: np.ndarray
    risk_keys: np.ndarray
    kind: np.ndarray
    param: np.ndarray
    tables: np.ndarray
    disc_val: np.ndarray
    disc_cum: np.ndarray
    risk_ptr: np.ndarray
    risk_idx: np.ndarray
    daily: np.ndarray
    fixed_cost: float
    candidate: np.ndarray
    candidates: np.ndarray
    pred_lag: np.ndarray
    project_column: np.ndarray
    dated: DatedPlan | None
    existence: Existence | None
    rates: Rates | None


def _build_static(project: Project) -> _Static:
    net = network(project)
    n = net.n
    tasks = [project.tasks[i] for i in net.project_index.tolist()]
    risks = project.risks
    impacts = [r.impact if r.impact is not None else Fixed(0.0) for r in risks]
    # The post-response impacts follow the pre-response ones: a plan picks one row per risk (make_plan).
    posts = [r.responded().impact if r.responded().impact is not None else Fixed(0.0) for r in risks]
    kind, param, tables, disc_val, disc_cum = encode([t.estimate for t in tasks] + impacts + posts)
    # Per task, its drivers (stored as ~k) before its events, each group in register order.
    pairs = sorted((net.position[tid], not r.is_driver, k) for k, r in enumerate(risks) for tid in r.tasks)
    risk_ptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(risk_ptr, np.array([p[0] + 1 for p in pairs], dtype=np.int64), 1)
    fixed, daily = cost_rates(project)
    candidate = finish_candidates(net)
    return _Static(
        task_keys=np.array([task_key(t.id) for t in tasks], dtype=np.uint64),
        risk_keys=np.array([task_key(r.id) for r in risks], dtype=np.uint64),
        kind=kind, param=param, tables=tables, disc_val=disc_val, disc_cum=disc_cum,
        risk_ptr=np.cumsum(risk_ptr),
        risk_idx=np.array([p[2] if p[1] else ~p[2] for p in pairs] or [0], dtype=np.int64),
        daily=np.ascontiguousarray(net.to_topological(daily), dtype=np.float64),
        fixed_cost=float(fixed.sum()),
        candidate=candidate,
        candidates=np.flatnonzero(candidate).astype(np.int64),
        pred_lag=net.pred_lag.astype(np.float32),
        project_column=np.asarray(net.project_index, dtype=np.int64),
        dated=_dated_plan(project),
        existence=_existence(project, net, fixed),
        rates=rates_of(project, net),
    )


def _responded(register, responses) -> set:
    """The ids of the risks of ``register`` whose responses are in effect (``responses``: bool or ids)."""
    if responses is True:
        return {r.id for r in register if r.has_response}
    if not responses:
        return set()
    ids = {responses} if isinstance(responses, str) else set(responses)
    known = {r.id: r for r in register}
    for rid in sorted(ids):
        if rid not in known:
            raise UnknownReferenceError(f"responses names unknown risk {rid!r}")
        if not known[rid].has_response:
            raise ValidationError(f"Risk {rid!r} has no response (no response_cost nor post-response value)")
    return ids


def _existence(project: Project, net: Network, fixed: np.ndarray) -> Existence | None:
    """The uncertain tasks of ``project``; those started at the data date exist (and decide their branch)."""
    existence = existence_of(project.tasks, net.position, project.risks, fixed)
    if existence is None:
        return None
    started = net.to_topological(np.array([t.actual_start is not None for t in project.tasks]))
    return existence.decided(np.asarray(started, dtype=bool))


def make_plan(project: Project, seed: int, correlation=None, risks: bool = True,
               correlation_repair: bool = True, responses=False) -> Plan:
    """The :class:`Plan` of ``project`` for a seed (an int), correlation and risk switch.

    ``responses``: True, or the ids of the risks whose responses are in effect (their post-response probability,
    impact and cost impact; the response costs are added to every iteration's cost)."""
    from .._kernels.random import stream_keys

    net = network(project)
    n = net.n
    st = cached(project, "montecarlo", lambda: _build_static(project))
    key = seed_key(seed)
    task_keys = st.task_keys
    register = project.risks if risks else ()
    n_risks = len(register)

    corr = prepare_correlation(project, correlation, repair=correlation_repair)
    if corr is not None and not corr.components:  # every correlated task has a fixed duration (or is done)
        corr = None
    corr_col = np.full(n, -1, dtype=np.int32)
    if corr is not None:
        corr_task = np.array([net.position[t] for t in corr.tasks], dtype=np.int64)
        corr_col[corr_task] = np.arange(len(corr_task), dtype=np.int32)
        sizes = [len(c) for c in corr.components]
        comp_ptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        factor_ptr = np.concatenate([[0], np.cumsum([s * s for s in sizes])]).astype(np.int64)
        factors = np.concatenate([f.ravel() for f in corr.factors])
        corr_stream = stream_keys(key, task_keys[corr_task], _DURATION)
    else:
        corr_task = np.zeros(0, dtype=np.int64)
        comp_ptr = np.zeros(1, dtype=np.int64)
        factor_ptr = np.zeros(1, dtype=np.int64)
        factors = np.zeros(1)
        corr_stream = np.zeros(0, dtype=np.uint64)

    risk_keys = st.risk_keys[:n_risks]
    responded = _responded(project.risks, responses)
    register = tuple(r.responded() if r.id in responded else r for r in register)
    rows = np.array([n + k + (len(project.risks) if r.id in responded else 0) for k, r in enumerate(register)],
                    dtype=np.int64)
    kind = np.concatenate([st.kind[:n], st.kind[rows]])
    param = np.ascontiguousarray(np.concatenate([st.param[:n], st.param[rows]]))
    response_cost = sum(r.response_cost for r in project.risks if r.id in responded)
    exist_row = np.full(n, -1, dtype=np.int64)
    if st.existence is not None:
        exist_row[st.existence.task] = n_risks + np.arange(st.existence.size)
    return Plan(
        net=net, seed_key=key,
        stream=stream_keys(key, task_keys, _DURATION),
        kind=kind, param=param, tables=st.tables, disc_val=st.disc_val, disc_cum=st.disc_cum,
        correlation=corr, corr_col=corr_col, corr_task=corr_task,
        corr_stream=corr_stream,
        comp_ptr=comp_ptr, factor_ptr=factor_ptr, factors=factors,
        risk_ids=tuple(r.id for r in register),
        risk_probability=np.array([r.probability for r in register], dtype=np.float64),
        risk_cost=np.array([r.cost_impact for r in register], dtype=np.float64),
        risk_neutral=np.array([1.0 if r.is_driver else 0.0 for r in register] or [0.0], dtype=np.float32),
        risk_occur_stream=stream_keys(key, risk_keys, _RISK_OCCURS),
        risk_impact_stream=stream_keys(key, risk_keys, _RISK_IMPACT),
        risk_ptr=st.risk_ptr if risks else np.zeros(n + 1, dtype=np.int64),
        risk_idx=st.risk_idx,
        release=np.zeros(n, dtype=np.float32),
        override_mask=np.zeros(n, dtype=np.bool_),
        override_value=np.zeros(n, dtype=np.float32),
        daily=st.daily, fixed_cost=st.fixed_cost, cost_offset=float(response_cost),
        candidate=st.candidate, candidates=st.candidates,
        pred_lag=st.pred_lag, project_column=st.project_column, dated=st.dated,
        existence=st.existence, exist_row=exist_row, cost_per_day=project.cost_per_day,
        exist_stream=None if st.existence is None else st.existence.streams(key),
        rates=st.rates, rate_stream=None if st.rates is None else st.rates.streams(key),
        escalation=escalation_of(project, net, tuple(r.id for r in register)) if escalates(project) else None,
    )
