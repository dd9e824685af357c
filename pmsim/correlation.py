"""Correlation between task durations: parsed, checked, repaired and factored.

``pm.simulate(project, correlation=...)`` takes either

- groups: ``[(["T1", "T2", "T3"], 0.6), ...]`` or ``{"design": (["T1", "T2"], 0.6), ...}``:
  every pair of tasks within a group gets the group's coefficient;
- a matrix: a square, symmetric pandas DataFrame over task ids with a unit
  diagonal and entries in [-1, 1] (a numpy array is read over all tasks in
  project order).

Coefficients are **rank (Spearman) correlations** between the sampled
durations. The engine applies them by Iman-Conover rank reordering in blocks
of iterations (see :mod:`pmsim._kernels.correlation`), which keeps every
marginal distribution exact; ``Simulation.achieved_correlation`` reports
what was reached. A task with a fixed duration takes no part.

A matrix must be positive semidefinite to be a correlation matrix
(perfect correlations of 1 are allowed). One that is not is repaired to the
nearest correlation matrix (Higham 2002, alternating projections) with a
:class:`~pmsim.errors.PmsimWarning` that says how far it moved, or refused
with a :class:`~pmsim.errors.ValidationError` when ``repair=False``.

>>> import pmsim as pm
>>> p = pm.Project(name="x", start="2027-01-04", tasks=[
...     pm.Task("A", optimistic=1, most_likely=2, pessimistic=4),
...     pm.Task("B", optimistic=1, most_likely=2, pessimistic=4),
...     pm.Task("C", duration=1)])
>>> correlation_matrix(p, [(["A", "B"], 0.5)])
     A    B
A  1.0  0.5
B  0.5  1.0
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._cache import cached
from .distributions import Fixed
from .errors import PmsimWarning, UnknownReferenceError, ValidationError
from .model import Project
from .throughput import Backlog

__all__ = [
    "correlation_matrix",
    "is_positive_semidefinite",
    "nearest_correlation",
    "normal_score_correlation",
    "CorrelationPlan",
    "prepare_correlation",
]

_PSD_TOL = 1e-10


def _coefficient(who: str, value) -> float:
    try:
        c = float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{who}: the coefficient must be a number, got {value!r}") from None
    if not math.isfinite(c) or not -1.0 <= c <= 1.0:
        raise ValidationError(f"{who}: a correlation coefficient must be in [-1, 1], got {value!r}")
    return c


def _groups(correlation) -> list[tuple[str, object, object]]:
    if isinstance(correlation, Mapping):
        items = [(f"correlation group {name!r}", v) for name, v in correlation.items()]
    else:
        items = [(f"correlation group {k + 1}", v) for k, v in enumerate(correlation)]
    out = []
    for who, item in items:
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise ValidationError(f"{who}: give (tasks, coefficient), got {item!r}")
        tasks, coef = item
        out.append((who, tasks, coef))
    return out


def _from_groups(project: Project, correlation) -> pd.DataFrame:
    ids_all = list(project.task_ids)
    position = {t: k for k, t in enumerate(ids_all)}
    groups = []
    for who, tasks, coef in _groups(correlation):
        if isinstance(tasks, str) or not hasattr(tasks, "__iter__"):
            raise ValidationError(f"{who}: tasks must be a list of task ids, got {tasks!r}")
        ids = [str(t) for t in tasks]
        for tid in ids:
            if tid not in position:
                raise UnknownReferenceError(f"{who} names unknown task {tid!r}")
        if len(set(ids)) != len(ids):
            dup = next(t for t in ids if ids.count(t) > 1)
            raise ValidationError(f"{who} lists task {dup!r} twice")
        if len(ids) < 2:
            raise ValidationError(f"{who}: a group needs at least two tasks, got {ids}")
        groups.append((who, np.array([position[t] for t in ids]), _coefficient(who, coef)))
    members = np.unique(np.concatenate([g[1] for g in groups])) if groups else np.zeros(0, int)
    local = np.full(len(ids_all), -1)
    local[members] = np.arange(len(members))
    mat = np.eye(len(members))
    given_by = np.full(mat.shape, -1)  # which group set each pair
    for g, (who, idx, c) in enumerate(groups):
        block = np.ix_(local[idx], local[idx])
        clash = (given_by[block] >= 0) & (mat[block] != c)
        np.fill_diagonal(clash, False)
        if clash.any():
            a, b = np.argwhere(clash)[0]
            other = groups[given_by[block][a, b]]
            first, second = sorted((ids_all[idx[a]], ids_all[idx[b]]))
            raise ValidationError(
                f"{who} gives tasks {first!r} and {second!r} a coefficient of {c:g}, "
                f"but {other[0]} gave them {other[2]:g}; a pair can have one coefficient"
            )
        mat[block] = c
        given_by[block] = g
    np.fill_diagonal(mat, 1.0)
    order = [ids_all[k] for k in members]
    return pd.DataFrame(mat, index=order, columns=order)


def _from_matrix(project: Project, matrix) -> pd.DataFrame:
    ids = list(project.task_ids)
    if isinstance(matrix, pd.DataFrame):
        if matrix.shape[0] != matrix.shape[1]:
            raise ValidationError(f"a correlation matrix must be square, got shape {matrix.shape}")
        rows = [str(t) for t in matrix.index]
        cols = [str(t) for t in matrix.columns]
        for tid in rows + cols:
            if tid not in set(ids):
                raise UnknownReferenceError(f"the correlation matrix names unknown task {tid!r}")
        if len(set(rows)) != len(rows) or set(rows) != set(cols):
            raise ValidationError("a correlation matrix needs the same task ids, once each, as rows and columns")
        frame = matrix.copy()
        frame.index, frame.columns = rows, cols
        order = [t for t in ids if t in set(rows)]
        frame = frame.loc[order, order]
        try:
            values = frame.to_numpy(dtype=float)
        except (TypeError, ValueError):
            raise ValidationError("a correlation matrix must hold numbers") from None
    else:
        values = np.asarray(matrix, dtype=float)
        if values.shape != (len(ids), len(ids)):
            raise ValidationError(
                f"a correlation matrix given as an array must be {len(ids)} x {len(ids)} "
                f"(one row and column per task, in project order), got shape {values.shape}"
            )
        order = ids
    if not np.isfinite(values).all():
        raise ValidationError("the correlation matrix holds a missing or infinite value")
    bad = np.argwhere((values < -1) | (values > 1))
    if len(bad):
        i, j = bad[0]
        raise ValidationError(
            f"correlation of {order[i]!r} and {order[j]!r} must be in [-1, 1], got {values[i, j]:g}"
        )
    asym = np.argwhere(np.abs(values - values.T) > 1e-9)
    if len(asym):
        i, j = asym[0]
        raise ValidationError(
            f"the correlation matrix must be symmetric: ({order[i]!r}, {order[j]!r}) is {values[i, j]:g} "
            f"but ({order[j]!r}, {order[i]!r}) is {values[j, i]:g}"
        )
    diag = np.argwhere(np.abs(np.diag(values) - 1.0) > 1e-9)
    if len(diag):
        i = diag[0][0]
        raise ValidationError(f"the correlation matrix diagonal must be 1, got {values[i, i]:g} for {order[i]!r}")
    values = (values + values.T) / 2
    np.fill_diagonal(values, 1.0)
    # Only tasks correlated with some other task take part.
    keep = np.abs(values - np.eye(len(order))).sum(axis=1) > 0
    order = [t for t, k in zip(order, keep) if k]
    values = values[np.ix_(keep, keep)]
    return pd.DataFrame(values, index=order, columns=order)


def correlation_matrix(project: Project, correlation) -> pd.DataFrame | None:
    """The rank-correlation matrix that ``correlation`` asks for, over the tasks it correlates.

    Rows and columns follow the project's task order; tasks not correlated
    with any other are left out. ``None`` when nothing is correlated. Raises
    :class:`~pmsim.errors.UnknownReferenceError` for unknown tasks and
    :class:`~pmsim.errors.ValidationError` for coefficients outside [-1, 1],
    a matrix of the wrong shape, asymmetric, or without a unit diagonal.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...                tasks=[pm.Task(t, optimistic=1, most_likely=2, pessimistic=3) for t in "ABC"])
    >>> float(correlation_matrix(p, {"build": (["C", "A"], 0.8)}).loc["A", "C"])
    0.8
    """
    if correlation is None:
        return None
    if isinstance(correlation, (pd.DataFrame, np.ndarray)):
        frame = _from_matrix(project, correlation)
    elif isinstance(correlation, (list, tuple, Mapping)):
        frame = _from_groups(project, correlation)
    else:
        raise ValidationError(
            "correlation must be groups [(task ids, coefficient), ...], a dict of such groups, "
            f"or a DataFrame matrix over task ids; got {type(correlation).__name__}"
        )
    return frame if len(frame) >= 2 else None


def is_positive_semidefinite(matrix, tol: float = _PSD_TOL) -> bool:
    """True when the smallest eigenvalue of the symmetric ``matrix`` is >= ``-tol``.

    >>> is_positive_semidefinite([[1, 0.9], [0.9, 1]]), is_positive_semidefinite([[1, 1.0], [1.0, 1]])
    (True, True)
    >>> is_positive_semidefinite([[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]])
    False
    """
    values = np.asarray(matrix, dtype=float)
    if values.size == 0:
        return True
    if _cholesky(values) is not None:  # cheap, and enough when positive definite
        return True
    return bool(np.linalg.eigvalsh(values).min() >= -tol)


def nearest_correlation(matrix, tol: float = 1e-9, max_iterations: int = 500, min_eigenvalue: float = 1e-8) -> np.ndarray:
    """The nearest correlation matrix (Frobenius norm), by Higham's alternating projections.

    N. J. Higham, "Computing the nearest correlation matrix: a problem from
    finance", IMA J. Numer. Anal. 22 (2002), with Dykstra's correction. The
    result has a unit diagonal and eigenvalues of at least about ``min_eigenvalue``.

    >>> m = nearest_correlation([[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]])
    >>> bool(np.linalg.eigvalsh(m).min() > 0), np.diag(m).round(12).tolist()
    (True, [1.0, 1.0, 1.0])
    """
    a = np.asarray(matrix, dtype=float)
    a = (a + a.T) / 2
    y = a.copy()
    correction = np.zeros_like(a)
    for _ in range(max_iterations):
        r = y - correction
        w, v = np.linalg.eigh(r)
        x = (v * np.maximum(w, min_eigenvalue)) @ v.T
        correction = x - r
        y_new = x.copy()
        np.fill_diagonal(y_new, 1.0)
        done = np.linalg.norm(y_new - y, "fro") <= tol * max(1.0, np.linalg.norm(y, "fro"))
        y = y_new
        if done:
            break
    # Unit diagonal may leave a tiny negative eigenvalue: lift it and rescale.
    w, v = np.linalg.eigh((y + y.T) / 2)
    y = (v * np.maximum(w, min_eigenvalue)) @ v.T
    d = np.sqrt(np.diag(y))
    y = y / np.outer(d, d)
    np.fill_diagonal(y, 1.0)
    return y


def normal_score_correlation(rank_correlation) -> np.ndarray:
    """The normal-score (Pearson) correlation giving a rank correlation: ``2 sin(pi rho / 6)``.

    For a bivariate normal, Spearman's rho_s = (6 / pi) asin(rho / 2).

    >>> normal_score_correlation([0.0, 0.5, 1.0]).round(4).tolist()
    [0.0, 0.5176, 1.0]
    """
    return 2.0 * np.sin(np.pi * np.asarray(rank_correlation, dtype=float) / 6.0)


def _cholesky(matrix: np.ndarray) -> np.ndarray | None:
    """The lower Cholesky factor of a symmetric matrix, None when it is not positive definite.

    Compiled plain loops rather than LAPACK: the matrices are small, and
    LAPACK's threads on a busy machine cost more than the factorisation.
    """
    from ._kernels.correlation import cholesky

    a = np.ascontiguousarray(matrix, dtype=np.float64)
    out = np.empty_like(a)
    return out if cholesky(a, out) else None


def _factor(matrix: np.ndarray) -> np.ndarray:
    """F with F F^T = matrix, for a positive semidefinite matrix (singular allowed)."""
    lower = _cholesky(matrix)
    if lower is not None:
        return lower
    w, v = np.linalg.eigh(matrix)
    return v * np.sqrt(np.maximum(w, 0.0))


def _varies(project: Project, tid: str) -> bool:
    """Whether task ``tid``'s sampled duration can vary (a fixed estimate ignores its draw)."""
    return not isinstance(project.task(tid).estimate, Fixed)


@dataclass(frozen=True, eq=False)
class CorrelationPlan:
    """What the engine needs to correlate durations.

    ``target`` is the rank-correlation matrix used (after any repair), over
    ``tasks`` in project order; ``given`` the one asked for; ``components``
    groups of task ids correlated with each other (each applied on its own);
    ``factors[c]`` a matrix F with F F^T equal to component c's normal-score
    correlation.
    """

    tasks: tuple[str, ...]
    given: pd.DataFrame
    target: pd.DataFrame
    repaired: bool
    components: tuple[tuple[str, ...], ...]
    factors: tuple[np.ndarray, ...]


def prepare_correlation(project: Project, correlation, repair: bool = True) -> CorrelationPlan | None:
    """Check ``correlation``, repair it if needed (or raise), and factor it per component.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...                tasks=[pm.Task(t, optimistic=1, most_likely=2, pessimistic=3) for t in "ABCD"])
    >>> plan = prepare_correlation(p, [(["A", "B"], 0.5), (["C", "D"], 1.0)])
    >>> plan.components, plan.repaired
    ((('A', 'B'), ('C', 'D')), False)
    """
    key = _cache_key(correlation)
    if key is None:
        plan, message = _prepare(project, correlation, repair)
    else:  # the same groups again (a dashboard, a sweep): checked and factored once per project
        plan, message = cached(project, ("correlation", key, bool(repair)),
                               lambda: _prepare(project, correlation, repair))
    if message:
        warnings.warn(message, PmsimWarning, stacklevel=3)
    return plan


def _cache_key(correlation):
    """A hashable key for correlation groups, None for a matrix or anything unusual (not cached)."""
    try:
        if isinstance(correlation, Mapping):
            items = tuple((("name", name),) + _group_key(v) for name, v in correlation.items())
        elif isinstance(correlation, (list, tuple)):
            items = tuple(_group_key(v) for v in correlation)
        else:
            return None
        hash(items)
        return ("groups", isinstance(correlation, Mapping), items)
    except (TypeError, ValueError):
        return None


def _group_key(item) -> tuple:
    tasks, coef = item
    if isinstance(tasks, str) or isinstance(coef, bool):
        raise TypeError
    return (tuple(tasks), ("coefficient", type(coef).__name__, coef))


def _prepare(project: Project, correlation, repair: bool) -> tuple[CorrelationPlan | None, str | None]:
    """The plan of :func:`prepare_correlation`, and the warning to give when it repaired the matrix."""
    given = correlation_matrix(project, correlation)
    if given is None:
        return None, None
    for tid in given.index:
        if isinstance(project.task(tid).estimate, Backlog):
            raise ValidationError(f"Task {tid!r}: a backlog estimate cannot be correlated (each draw is a whole "
                                  "forecast, not a quantile that rank reordering could pair)")
    values = given.to_numpy(dtype=float)
    ids = list(given.index)
    # The matrix is block diagonal over its connected components: each is checked, repaired and factored on
    # its own (Higham's projections keep the blocks), which is much cheaper than the whole.
    from scipy.sparse.csgraph import connected_components

    n_comp, labels = connected_components(np.abs(values) > 0, directed=False)
    blocks = [np.flatnonzero(labels == c) for c in range(n_comp)]
    bad = [idx for idx in blocks if len(idx) > 1 and not is_positive_semidefinite(values[np.ix_(idx, idx)])]
    repaired = bool(bad)
    message = None
    if bad:
        smallest = min(float(np.linalg.eigvalsh(values[np.ix_(idx, idx)]).min()) for idx in bad)
        if not repair:
            raise ValidationError(
                f"the correlation matrix over {len(values)} tasks is not positive semidefinite "
                f"(smallest eigenvalue {smallest:.3g}), so no durations can have it; "
                "fix the coefficients or allow correlation_repair"
            )
        values = values.copy()
        moved = 0.0
        for idx in bad:
            block = np.ix_(idx, idx)
            fixed = nearest_correlation(values[block])
            moved = max(moved, float(np.abs(fixed - values[block]).max()))
            values[block] = fixed
        message = (
            f"the correlation matrix is not positive semidefinite (smallest eigenvalue {smallest:.3g}); "
            f"it was repaired to the nearest correlation matrix (Higham), changing coefficients by up to {moved:.3g}"
        )
    target = pd.DataFrame(values, index=given.index, columns=given.columns)

    components, factors = [], []
    for idx in blocks:
        # A task with a fixed duration ignores its draw: it takes no part in the reordering (the others'
        # correlations are a principal submatrix, so they keep theirs).
        idx = np.array([i for i in idx if _varies(project, ids[i])], dtype=np.int64)
        if len(idx) < 2:
            continue
        normal = normal_score_correlation(values[np.ix_(idx, idx)])
        np.fill_diagonal(normal, 1.0)
        factor = _cholesky(normal)
        if factor is None:
            if not is_positive_semidefinite(normal):
                # The sine map can nudge a valid matrix just outside; step back in.
                normal = nearest_correlation(normal, min_eigenvalue=0.0)
            factor = _factor(normal)
        components.append(tuple(ids[i] for i in idx))
        factors.append(np.ascontiguousarray(factor))
    tasks = tuple(t for comp in components for t in comp)
    return CorrelationPlan(
        tasks=tasks, given=given, target=target, repaired=repaired,
        components=tuple(components), factors=tuple(factors),
    ), message
