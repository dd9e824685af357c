"""The heuristic on calendars: the serial scheme, forward-backward improvement and sampled priority lists.

:func:`calendar_heuristic` levels a :class:`~.calendar_problem.CalendarProblem`
and returns the dates (axis units) and the task list that gives them, so the
levelled Monte Carlo can replay it. The method: ``docs/levelling.md``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .._kernels.calendar_profile import EPS, new_profile
from .calendar_problem import CalendarProblem
from .heuristic import _rng_state
from .rules import total_successors

__all__ = ["CalendarDates", "calendar_heuristic", "calendar_priority"]

_PINNED_FIRST = 1e12  # priority head start of the tasks levelling never moves (started, Must Start/Finish On)


@dataclass
class CalendarDates:
    """A levelled schedule on the axis: start links see ``es``, remaining work from ``rs`` to ``ef``."""

    es: np.ndarray
    ef: np.ndarray
    rs: np.ndarray
    order: np.ndarray  # the list the forward scheme takes to give exactly these dates
    finish: float

    @classmethod
    def empty(cls, n: int) -> "CalendarDates":
        return cls(np.empty(n), np.empty(n), np.empty(n), np.empty(n, dtype=np.int64), np.inf)

    def copy(self) -> "CalendarDates":
        return CalendarDates(self.es.copy(), self.ef.copy(), self.rs.copy(), self.order.copy(), self.finish)


def calendar_priority(problem: CalendarProblem, rule: str) -> np.ndarray:
    """Priority values of ``rule`` (smaller first, working days of the project calendar), pinned tasks first."""
    tl, cpm = problem.tl, problem.cpm
    days = lambda v: tl.working_days(v)  # noqa: E731
    if rule == "lft":
        key = days(cpm["late_finish"])
    elif rule == "lst":
        key = days(cpm["late_start"])
    elif rule == "minslack":
        key = days(cpm["late_start"]) - days(cpm["remaining_start"])
    elif rule == "mts":
        key = -total_successors(tl.net)
    else:  # grpw
        net, dur = tl.net, problem.days
        weight = dur.copy()
        np.add.at(weight, np.repeat(np.arange(net.n), np.diff(net.succ_ptr)), dur[net.succ_idx])
        key = -weight
    key = np.where(np.isfinite(key), key, np.nanmax(np.where(np.isfinite(key), key, -np.inf), initial=0.0))
    low = float(key.min()) if key.size else 0.0
    return np.ascontiguousarray(np.where(problem.inst.pinned, low - _PINNED_FIRST, key), dtype=np.float64)


class _Passes:
    """The compiled passes of one problem, with their scratch."""

    def __init__(self, problem: CalendarProblem):
        from .._kernels.sgs import workspace

        self.p = problem
        n = problem.n
        inst = problem.inst
        self.prof = new_profile(inst.grid.points.size - 1, inst.demand.shape[1], n)
        self.buf = np.empty(problem.buffer)
        self.ws = workspace(n, 1, 0)
        self.count = 0

    def forward(self, order: np.ndarray, out: CalendarDates) -> float:
        """One forward pass in ``order`` into ``out`` (profile left empty); inf when the grid is too short."""
        from .._kernels.calendar_sgs import clear, forward_sgs

        p = self.p
        self.count += 1
        out.finish = forward_sgs(order, p.inst, p.work, self.prof, self.buf, out.es, out.ef, out.rs)
        out.order[:] = order
        if np.isfinite(out.finish):
            clear(p.inst, p.work, self.prof, out.rs, out.ef)
        else:
            self._reset()
        return out.finish

    def backward(self, order: np.ndarray, dates: CalendarDates, ls: np.ndarray, lf: np.ndarray,
                 anchor: float | None = None) -> bool:
        """The schedule right-justified against its own finish (or a later ``anchor``) into ``ls``/``lf``;
        False if it ran off the grid."""
        from .._kernels.calendar_sgs import backward_sgs, clear

        p = self.p
        self.count += 1
        end = dates.finish if anchor is None else max(anchor, dates.finish)
        first = backward_sgs(order, p.inst, p.work, end, self.prof, self.buf, dates.rs, dates.ef, ls, lf)
        if first == -np.inf:
            self._reset()
            return False
        clear(p.inst, p.work, self.prof, ls, lf)
        return True

    def _reset(self) -> None:
        prof = self.prof
        prof.full[:] = 0.0
        prof.head[:] = -1
        prof.top[:] = (0, -1)

    def order_by(self, key: np.ndarray, backward: bool) -> np.ndarray:
        from .._kernels.sgs import priority_list

        order = np.empty(self.p.n, dtype=np.int64)
        priority_list(np.ascontiguousarray(key, dtype=np.float64), self.p.tie, self.p.plain, backward, order, self.ws)
        return order

    def justify(self, dates: CalendarDates) -> CalendarDates | None:
        """Double justification: right-justified, then left again in that order; the shorter or None."""
        n = self.p.n
        ls, lf = np.empty(n), np.empty(n)
        if not self.backward(self.order_by(-dates.ef, True), dates, ls, lf):
            return None
        out = CalendarDates.empty(n)
        self.forward(self.order_by(ls, False), out)
        return out if out.finish < dates.finish - EPS else None


def calendar_heuristic(problem: CalendarProblem, rule: str, schedules: int, improve: bool, seed: int,
                       time_limit, budget: int) -> tuple[CalendarDates | None, dict]:
    """A levelled schedule of ``problem`` (None when the grid is too short) and what was done.

    The rule's list, then with ``improve`` forward-backward improvement and,
    while resources hold the finish back, priority lists sampled around the
    rule (regret-based, Drexl 1991), each justified, for ``budget`` passes.
    """
    from .._kernels.sgs import sampled_list

    n = problem.n
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    passes = _Passes(problem)
    key = calendar_priority(problem, rule)
    best = CalendarDates.empty(n)
    if not np.isfinite(passes.forward(passes.order_by(key, False), best)):
        return None, {}
    info = {"method": "serial", "rule": rule, "rule_makespan": _days(problem, best.finish)}

    def improved(dates: CalendarDates) -> CalendarDates:
        while True:
            better = passes.justify(dates)
            if better is None:
                return dates
            dates = better

    if improve:
        best = improved(best)
        info["justified_makespan"] = _days(problem, best.finish)
    cpm_finish = problem.cpm["finish"]
    competing = problem.inst.ridx.size and best.finish > cpm_finish + EPS
    total = max(schedules, budget) if improve else schedules
    rng = _rng_state(seed)
    order = np.empty(n, dtype=np.int64)
    trial = CalendarDates.empty(n)
    while competing and passes.count < total:
        if deadline is not None and time.perf_counter() > deadline:
            break
        sampled_list(key, problem.tie, problem.plain, rng, order, passes.ws)
        if not np.isfinite(passes.forward(order, trial)):
            return None, {}
        if improve and passes.count + 2 <= total:
            trial = improved(trial)
        if trial.finish < best.finish - EPS:
            best = trial.copy()
            competing = best.finish > cpm_finish + EPS
    info["schedules"] = passes.count
    return best, info


def _days(problem: CalendarProblem, t: float) -> float:
    return float(problem.tl.working_days(np.array([t]))[0])
