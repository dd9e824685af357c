"""Distributions as the compiled samplers take them: kinds, parameter rows, quantile tables.

:func:`encode` turns a list of distributions into the arrays of
:mod:`pmsim._kernels.random`; Beta-PERT shapes get a quantile table each
(:func:`beta_table`, built once per process and shape), other shapes a table
from their ``ppf`` (:func:`ppf_table`).
"""

from __future__ import annotations

import hashlib
import math

import numpy as np

from .._cache import Memo
from ..distributions import BetaPert, Discrete, Distribution, Fixed, Lognormal, Triangular, Uniform
from ..throughput import Backlog

__all__ = ["TABLE_POINTS", "TABLE_CELLS", "task_key", "beta_tables", "ppf_table", "encode"]

TABLE_POINTS = 2049  # Beta-PERT quantile table: 2048 intervals, linear interpolation
TABLE_CELLS = 1024  # Simpson cells used to build each table


def task_key(text: str) -> np.uint64:
    """A stable 64-bit key of an id (the same in every process)."""
    return np.uint64(int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little"))


_BETA_TABLES = Memo(maxsize=50_000)  # 8 KB a shape


def _build_beta_tables(shapes: list[tuple[float, float]]) -> list[np.ndarray]:
    from .._kernels.random import beta_quantile_tables

    a = np.array([s[0] for s in shapes], dtype=np.float64)
    b = np.array([s[1] for s in shapes], dtype=np.float64)
    rows = list(beta_quantile_tables(a, b, TABLE_POINTS, TABLE_CELLS))
    for row in rows:
        row.setflags(write=False)
    return rows


def beta_tables(shapes: list[tuple[float, float]]) -> list[np.ndarray]:
    """Quantile tables (read-only float32 rows) of Beta shapes ``(alpha, beta)``, built once per process."""
    return _BETA_TABLES.get_many(shapes, _build_beta_tables)


def ppf_table(d: Distribution) -> np.ndarray:
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


def encode(dists: list[Distribution]):
    """Kinds and parameter rows of the compiled samplers (see :mod:`pmsim._kernels.random`)."""
    from .._kernels.random import BACKLOG, DISCRETE, FIXED, LOGNORMAL, N_PARAMS, TABLE, TRIANGULAR, UNIFORM

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
        elif isinstance(d, Backlog):
            # Its record goes in the value array (its cumulative twin gets zeros): the sampler reads it there.
            record = d.record()
            kind[j], param[j, :2] = BACKLOG, (len(disc_val), d.period_days)
            disc_val.extend(record.tolist())
            disc_cum.extend([0.0] * len(record))
        else:
            key = ("ppf", j)
            own_tables[key] = ppf_table(d)
            kind[j], param[j, :3] = TABLE, (0.0, 1.0, rows.setdefault(key, len(rows)))
    shapes = [(k[1], k[2]) for k in rows if k[0] == "beta"]
    beta = dict(zip(shapes, beta_tables(shapes)))
    table_rows = [beta[(k[1], k[2])] if k[0] == "beta" else own_tables[k] for k in rows]
    tables = np.stack(table_rows) if table_rows else np.zeros((1, TABLE_POINTS), dtype=np.float32)
    return (kind, param, np.ascontiguousarray(tables, dtype=np.float32),
            np.array(disc_val or [0.0]), np.array(disc_cum or [1.0]))
