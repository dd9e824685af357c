"""Throughput forecasts over many iterations: when a backlog is done, how many items by a date, the burn-up.

Each iteration's numbers come from its own draw of the run's stream (see
:func:`pmsim._kernels.random.backlog_periods`), so results ignore the chunk
size and the thread count. Entry points: :func:`forecast_periods`,
:func:`forecast_burnup`, :func:`forecast_completed`.
"""

import math

import numba as nb
import numpy as np

from .random import (REC_CHANGES, REC_DATA, REC_N, REC_SPLIT, REC_WEIGHTED, backlog_periods, backlog_stream, draw,
                     period_bits, pick_throughput, to_uniform)

_COMPLETED_SALT = 0x3C6EF372FE94F82B  # streams of their own for "how many by a date": the periods,
_SPLIT_SALT = 0xA54FF53A5F1D36F1  # and the pieces of each item


@nb.njit(cache=True, parallel=True)
def forecast_periods(stream, first, count, chunk, rec, out):
    """``out[t]``: the periods iteration ``first + t`` takes (horizon + 1: not done)."""
    none = np.empty(0)
    for c in nb.prange((count + chunk - 1) // chunk):
        for t in range(c * chunk, min(count, (c + 1) * chunk)):
            out[t] = backlog_periods(draw(stream, first + t), rec, 0, none, none)


@nb.njit(cache=True, parallel=True)
def forecast_burnup(stream, first, count, rec, done_out, scope_out):
    """Per iteration ``first + t``: its completions and scope at the end of each period (rows of the outputs)."""
    for t in nb.prange(count):
        backlog_periods(draw(stream, first + t), rec, 0, done_out[t], scope_out[t])


@nb.njit(cache=True, parallel=True)
def forecast_completed(stream, first, count, chunk, rec, periods, out):
    """``out[t]``: backlog items iteration ``first + t`` completes in ``periods`` periods.

    Throughput and team changes as in a forecast of the finish; with splitting, an item counts when all its
    pieces are done (growth does not change what is completed).
    """
    n = np.int64(rec[REC_N])
    weighted = rec[REC_WEIGHTED] != 0.0
    s_lo = np.int64(rec[REC_SPLIT])
    s_span = np.int64(rec[REC_SPLIT + 1]) - s_lo + 1
    n_changes = np.int64(rec[REC_CHANGES])
    changes = REC_DATA + (2 * n if weighted else n)
    for c in nb.prange((count + chunk - 1) // chunk):
        for t in range(c * chunk, min(count, (c + 1) * chunk)):
            s = backlog_stream(draw(stream, first + t), _COMPLETED_SALT)
            bits = np.uint64(0)
            done = 0.0
            factor = 1.0
            q = 0
            for p in range(periods):
                while q < n_changes and rec[changes + q] <= p:
                    factor = rec[changes + n_changes + q]
                    q += 1
                pick, bits = period_bits(s, p, bits)
                done += pick_throughput(pick, rec, REC_DATA, n, weighted) * factor
            pieces = math.floor(done + 1e-9)
            if s_span == 1:
                out[t] = pieces // s_lo
                continue
            items = 0
            pos = 0
            s = backlog_stream(draw(stream, first + t), _SPLIT_SALT)
            while True:  # whole items whose pieces fit in what was done
                size = s_lo + np.int64(to_uniform(draw(s, pos)) * s_span)
                pos += 1
                if size > pieces:
                    break
                pieces -= size
                items += 1
            out[t] = items
