"""The exact method: OR-Tools CP-SAT, interval variables and one cumulative constraint per resource."""

from __future__ import annotations

import math

import numpy as np

from .._seed import as_generator
from ..errors import MissingExtraError, ValidationError
from .problem import Problem

__all__ = ["EXACT_TIME_LIMIT", "exact"]

EXACT_TIME_LIMIT = 60.0


def _scale(values: np.ndarray, what: str) -> int:
    """The smallest factor that makes every value an integer (up to 1000)."""
    for q in (1, 2, 4, 5, 10, 20, 25, 50, 100, 1000):
        scaled = values * q
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-9 * np.maximum(1.0, np.abs(scaled))):
            return q
    bad = next(v for v in values if abs(v * 1000 - round(v * 1000)) > 1e-9 * max(1.0, abs(v * 1000)))
    raise ValidationError(f"method='exact' needs {what} in multiples of 0.001 working day, got {bad!r}; "
                          "round it or use method='serial'")


def _lower_bound(problem: Problem, q: int, qr: int, d: np.ndarray) -> int:
    """A makespan no schedule beats, in scaled days: the CPM finish and each resource's energy bound (its work
    in unit-days over its capacity, rounded up), computed on the scaled integers the model uses."""
    lb = int(math.ceil(problem.cpm["makespan"] * q - 1e-9))
    for k in range(len(problem.resources)):
        cap = int(math.floor(problem.capacity[k] * qr + 1e-9))
        users = np.nonzero(problem.demand[:, k] > 0)[0]
        if cap <= 0 or users.size == 0:
            continue
        work = sum(int(d[j]) * int(math.ceil(problem.demand[j, k] * qr - 1e-9)) for j in users)
        lb = max(lb, -(-work // cap))
    return lb


def exact(problem: Problem, rule: str, time_limit: float, seed: int, start_h: np.ndarray) -> tuple[np.ndarray, dict]:
    """OR-Tools CP-SAT from the heuristic schedule ``start_h`` (its upper bound, horizon and hint)."""
    try:
        from ortools.sat.python import cp_model
    except ImportError:  # pragma: no cover - ortools is installed in the test environment
        raise MissingExtraError("method='exact' needs OR-Tools: pip install pmsim[exact]") from None
    net, dur, inst = problem.net, problem.dur, problem.inst
    lags = np.asarray(net.pred_lag, dtype=np.float64)
    q = _scale(np.concatenate([dur, lags]), "durations and lags")
    # Resource units: exact when they scale to integers; else demand rounded up, capacity down (safe).
    used = problem.demand[problem.demand > 0]
    try:
        qr = _scale(np.concatenate([used, problem.capacity]), "units")
        exact_units = True
    except ValidationError:
        qr, exact_units = 1000, False
    d = np.round(dur * q).astype(np.int64)
    s_h = np.round(start_h * q).astype(np.int64)
    horizon = int((s_h + d).max()) if net.n else 0
    model = cp_model.CpModel()
    s = [model.NewIntVar(0, max(horizon - int(d[j]), 0), f"s{j}") for j in range(net.n)]
    makespan = model.NewIntVar(min(_lower_bound(problem, q, qr, d), horizon), horizon, "makespan")
    for j in range(net.n):
        model.Add(makespan >= s[j] + int(d[j]))
        model.AddHint(s[j], int(s_h[j]))
        for e in range(net.pred_ptr[j], net.pred_ptr[j + 1]):
            i, kind = net.pred_idx[e], net.pred_type[e]
            lag = int(round(lags[e] * q))
            lhs = s[j] + (int(d[j]) if kind in (2, 3) else 0)
            rhs = s[i] + (int(d[i]) if kind in (0, 2) else 0) + lag
            model.Add(lhs >= rhs)
    for k in range(len(problem.resources)):
        users = np.nonzero(problem.demand[:, k] > 0)[0]
        if users.size == 0:
            continue
        intervals = [model.NewFixedSizeIntervalVar(s[j], int(d[j]), f"i{j}_{k}") for j in users]
        units = [int(math.ceil(problem.demand[j, k] * qr - 1e-9)) for j in users]
        model.AddCumulative(intervals, units, int(math.floor(problem.capacity[k] * qr + 1e-9)))
    model.Minimize(makespan)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit)
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = int(as_generator(seed).integers(2**31 - 1))
    # The LP relaxation with the cumulative constraints' energy cuts: it lifts the lower bound the proof needs.
    solver.parameters.linearization_level = 2
    code = solver.Solve(model)
    # The solver's bound holds for the original problem only when the units were not rounded.
    lower = max(problem.cpm["makespan"], math.ceil(solver.BestObjectiveBound() - 1e-9) / q) \
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE) and exact_units else problem.cpm["makespan"]
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        start = np.array([solver.Value(v) for v in s], dtype=np.float64) / q
        from .._kernels.sgs import left_shift, workspace

        left_shift(start, inst, workspace(net.n, inst.demand.shape[1], inst.horizon))
    else:
        start = start_h
    ms = float((start + dur).max()) if net.n else 0.0
    optimal = code == cp_model.OPTIMAL and exact_units
    status = "optimal" if optimal else "feasible"
    info = {"method": "exact", "rule": rule, "solver": solver.StatusName(code),
            "wall_time": float(solver.WallTime()), "heuristic_makespan": float((start_h + dur).max())}
    return start, {"status": status, "lower_bound": float(ms if optimal else min(lower, ms)), "info": info}

