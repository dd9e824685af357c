"""Every random number of the kernels: the counter-based generator, samplers, and the search's stream.

The Monte Carlo's number of a stream at iteration ``i`` is a pure function of
the stream key and ``i`` (SplitMix64 at position ``i + 1``): no state to carry,
so any chunk, thread or order gets the same numbers. Samplers turn them into
durations by inversion, one per draw. The levelling search draws from a
sequential xorshift64* stream. Entry points: :func:`draw`, :func:`stream_keys`,
:func:`sample_into`, :func:`beta_quantile_tables`, :func:`xorshift_uniform`.
"""

import math

import numba as nb
import numpy as np

# Distribution kinds; the parameter row of each: FIXED value; UNIFORM low, width; TRIANGULAR a, (b - a)(c - a),
# (b - a)(b - c), (c - a)/(b - a), b; TABLE low, width, quantile-table row; LOGNORMAL mu, sigma; DISCRETE first
# index, count (into the value and cumulative arrays); BACKLOG first index of its record in the value array (see
# backlog_periods), working days per period.
FIXED, UNIFORM, TRIANGULAR, TABLE, LOGNORMAL, DISCRETE, BACKLOG = 0, 1, 2, 3, 4, 5, 6
N_PARAMS = 5

GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S32 = np.uint64(32)
_ONE = np.uint64(1)
_TWO_M32 = 2.0**-32
_TABLE_BITS = 11  # quantile tables have 2**11 cells
_FRACTION_BITS = 32 - _TABLE_BITS
_FRACTION_MASK = np.uint32((1 << _FRACTION_BITS) - 1)
_FRACTION_SCALE = np.float32(2.0**-_FRACTION_BITS)
_HALF_FRACTION = np.float32(2.0 ** -(_FRACTION_BITS + 1))


@nb.njit(inline="always")
def mix64(z):
    """SplitMix64's finaliser (Stafford's Mix13): a bijective 64-bit mixer."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@nb.njit(inline="always")
def draw(stream, i):
    """The 32-bit random number of ``stream`` (uint64) at iteration ``i`` (int64 >= 0)."""
    return np.uint32(mix64(stream + (np.uint64(i) + _ONE) * GAMMA) >> _S32)


@nb.njit(inline="always")
def to_uniform(k):
    """The uniform in (0, 1) of a 32-bit draw: ``(k + 0.5) / 2**32`` (exact in float64)."""
    return (np.float64(k) + 0.5) * _TWO_M32


@nb.njit(cache=True)
def stream_keys(seed_key, keys, purpose):
    """Stream keys for ``keys`` (uint64 array) under a run's ``seed_key`` and a ``purpose``."""
    # A task's stream depends on its own key only: its numbers do not move when other tasks change.
    out = np.empty(keys.shape[0], dtype=np.uint64)
    salt = mix64(np.uint64(purpose) * GAMMA + _ONE)
    for j in range(keys.shape[0]):
        out[j] = mix64(mix64(keys[j] ^ salt) ^ seed_key)
    return out


@nb.njit(inline="always")
def fill_draws(stream, first, count, k):
    """``k[t] = draw(stream, first + t)`` for ``t < count``."""
    for t in range(count):
        k[t] = draw(stream, first + t)


@nb.njit(cache=True)
def uniforms(streams, first, count):
    """A (len(streams), count) float64 array of the engine's uniforms, for tests and tools."""
    out = np.empty((streams.shape[0], count), dtype=np.float64)
    for j in range(streams.shape[0]):
        for t in range(count):
            out[j, t] = to_uniform(draw(streams[j], first + t))
    return out


# --------------------------------------------------------------------------- a sequential stream

# The levelling search draws one number after another: xorshift64*, its
# state a one-element uint64 array (never 0).


@nb.njit(inline="always")
def xorshift_next(state):
    """The next 64-bit number of the xorshift64* stream ``state``."""
    x = state[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    state[0] = x
    return x * np.uint64(0x2545F4914F6CDD1D)


@nb.njit(inline="always")
def xorshift_uniform(state):
    """A uniform number in [0, 1) from the stream ``state`` (its top 53 bits)."""
    return np.float64(xorshift_next(state) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@nb.njit(inline="always")
def xorshift_randint(state, n):
    """A uniform integer in [0, n) from the stream ``state``."""
    return np.int64(xorshift_uniform(state) * n)


# --------------------------------------------------------------------------- normal quantile

# Acklam's rational approximation (relative error < 1.2e-9), then one Halley
# step with erfc, which brings it to double precision.
_A = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02,
      1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00)
_B = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02,
      6.680131188771972e01, -1.328068155288572e01)
_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00,
      -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00)
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00,
      3.754408661907416e00)
_P_LOW = 0.02425


@nb.njit(cache=True)
def ndtri(p):
    """The standard normal quantile of ``p`` in (0, 1) (``-inf``/``inf`` at 0 and 1).

    Computed for the lower tail ``q = min(p, 1 - p)`` (``1 - p`` is exact there)
    and mirrored, so both tails keep full relative precision.
    """
    if p <= 0.0:
        return -np.inf
    if p >= 1.0:
        return np.inf
    q = p if p <= 0.5 else 1.0 - p
    if q < _P_LOW:
        r = math.sqrt(-2.0 * math.log(q))
        x = (((((_C[0] * r + _C[1]) * r + _C[2]) * r + _C[3]) * r + _C[4]) * r + _C[5]) / (
            (((_D[0] * r + _D[1]) * r + _D[2]) * r + _D[3]) * r + 1.0)
    else:
        h = q - 0.5
        r = h * h
        x = (((((_A[0] * r + _A[1]) * r + _A[2]) * r + _A[3]) * r + _A[4]) * r + _A[5]) * h / (
            ((((_B[0] * r + _B[1]) * r + _B[2]) * r + _B[3]) * r + _B[4]) * r + 1.0)
    # One Halley step on the lower tail (x <= 0), where erfc is accurate.
    e = 0.5 * math.erfc(-x / math.sqrt(2.0)) - q
    u = e * math.sqrt(2.0 * math.pi) * math.exp(x * x / 2.0)
    x = x - u / (1.0 + x * u / 2.0)
    return x if p <= 0.5 else -x


# --------------------------------------------------------------------------- backlog forecasts

# A backlog's record in a float64 array from ``first``: items, growth fraction low and high, arrival rate low and
# high (items a period), split low and high (pieces an item becomes), the number of team changes, the horizon
# (periods), whether periods are weighted, the number of history periods n; then the n throughputs, their n
# cumulative weights (when weighted), the team changes' first periods and their factors.
REC_ITEMS, REC_GROWTH, REC_RATE, REC_SPLIT, REC_CHANGES, REC_HORIZON, REC_WEIGHTED, REC_N, REC_DATA = (
    0, 1, 3, 5, 7, 8, 9, 10, 11)
_BACKLOG_SALT = np.uint64(0x6A09E667F3BCC909)
_PICK_SALT = np.uint64(0xBB67AE8584CAA73B)


@nb.njit(inline="always")
def _pieces(items, stream, c, split_lo, split_span):
    """Pieces ``items`` items become when each splits into ``split_lo ..`` (``split_span`` values); next position."""
    if split_span == 1:
        return items * split_lo, c
    total = 0
    for _ in range(items):
        total += split_lo + np.int64(to_uniform(draw(stream, c)) * split_span)
        c += 1
    return total, c


_LOW32 = np.uint64(0xFFFFFFFF)


@nb.njit(inline="always")
def period_bits(stream, p, bits):
    """The 32-bit number of period ``p`` of a pick stream: two periods share one 64-bit mix, ``bits`` (the
    previous period's mix, reused when ``p`` is odd)."""
    if p & 1 == 0:
        bits = mix64(stream + np.uint64((p >> 1) + 1) * GAMMA)
        return np.uint32(bits >> _S32), bits
    return np.uint32(bits & _LOW32), bits


@nb.njit(inline="always")
def pick_throughput(k, rec, hist, n, weighted):
    """The history period that the 32-bit number ``k`` picks: uniformly (``k n / 2**32``), or by the cumulative
    weights after the history."""
    if not weighted:
        return rec[hist + np.int64((np.uint64(k) * np.uint64(n)) >> _S32)]
    u = to_uniform(k)
    cum = hist + n
    lo = 0
    hi = n - 1
    while lo < hi:  # the first period whose cumulative weight exceeds u
        mid = (lo + hi) // 2
        if rec[cum + mid] > u:
            hi = mid
        else:
            lo = mid + 1
    return rec[hist + lo]


@nb.njit(inline="always")
def backlog_stream(k, salt):
    """The key of an iteration's own stream, from its 32-bit draw ``k``."""
    return mix64(np.uint64(k) * GAMMA + np.uint64(salt))


@nb.njit(cache=True)
def backlog_periods(k, rec, first, done_out, scope_out):
    """Periods the backlog of ``rec[first:]`` takes in the iteration whose 32-bit draw is ``k`` (horizon + 1: not done).

    The iteration's own numbers come from two streams keyed by ``k``, one for the periods drawn from the history
    (the same whatever the other levers), one for the rest. The scope grows once by a sampled fraction, each
    item splits into pieces; in each period new items arrive (Poisson at a rate sampled per iteration), then the
    team completes a throughput drawn from the history (weighted to recent periods if asked), times the factor of
    the team in that period; done at the end of the first period whose completions reach the scope. With
    ``done_out`` and ``scope_out`` not empty, the completions and the scope at the end of each period go there.
    """
    stream = backlog_stream(k, _BACKLOG_SALT)  # growth, splits and arrivals
    picks = backlog_stream(k, _PICK_SALT)  # the periods drawn from the history
    bits = np.uint64(0)
    c = 0
    items = np.int64(rec[first + REC_ITEMS])
    g_lo = rec[first + REC_GROWTH]
    g_hi = rec[first + REC_GROWTH + 1]
    r_lo = rec[first + REC_RATE]
    r_hi = rec[first + REC_RATE + 1]
    s_lo = np.int64(rec[first + REC_SPLIT])
    s_span = np.int64(rec[first + REC_SPLIT + 1]) - s_lo + 1
    n_changes = np.int64(rec[first + REC_CHANGES])
    horizon = np.int64(rec[first + REC_HORIZON])
    weighted = rec[first + REC_WEIGHTED] != 0.0
    n = np.int64(rec[first + REC_N])
    hist = first + REC_DATA
    changes = hist + 2 * n if weighted else hist + n
    traced = done_out.shape[0]
    if g_hi > 0.0:
        g = g_lo + (g_hi - g_lo) * to_uniform(draw(stream, c))
        c += 1
        items += np.int64(math.ceil(items * g - 1e-9))
    work, c = _pieces(items, stream, c, s_lo, s_span)
    rate = r_lo
    if r_hi > r_lo:
        rate = r_lo + (r_hi - r_lo) * to_uniform(draw(stream, c))
        c += 1
    p_zero = math.exp(-rate)
    done = 0.0
    factor = 1.0
    q = 0
    for p in range(horizon):
        while q < n_changes and rec[changes + q] <= p:
            factor = rec[changes + n_changes + q]
            q += 1
        if rate > 0.0:
            # Poisson arrivals by inversion.
            u = to_uniform(draw(stream, c))
            c += 1
            arrived = 0
            term = p_zero
            cdf = term
            while u > cdf and term > 0.0:
                arrived += 1
                term *= rate / arrived
                cdf += term
            if arrived:
                extra, c = _pieces(arrived, stream, c, s_lo, s_span)
                work += extra
        pick, bits = period_bits(picks, p, bits)
        done += pick_throughput(pick, rec, hist, n, weighted) * factor
        if p < traced:
            done_out[p] = min(done, work)
            scope_out[p] = work
        if done >= work - 1e-9:
            for r in range(p + 1, traced):
                done_out[r] = work
                scope_out[r] = work
            return p + 1
    return horizon + 1


# --------------------------------------------------------------------------- samplers


@nb.njit(inline="always")
def sample_into(kind, param, j, tables, disc_val, disc_cum, k, count, out, row, offset):
    """``out[row, offset + t] = ppf_j(u(k[t]))`` (float32) for ``t < count``.

    ``kind`` is ``kind[j]``; one branch per call, so each loop is uniform and
    vectorises. Bounded shapes compute in float32 (the durations are float32).
    """
    if kind == FIXED:
        v = np.float32(param[j, 0])
        for t in range(count):
            out[row, offset + t] = v
    elif kind == UNIFORM:
        a = param[j, 0]
        w = param[j, 1]
        for t in range(count):
            out[row, offset + t] = np.float32(a + w * to_uniform(k[t]))
    elif kind == TRIANGULAR:
        a = np.float32(param[j, 0])
        left = np.float32(param[j, 1])
        right = np.float32(param[j, 2])
        fc = np.float32(param[j, 3])
        b = np.float32(param[j, 4])
        for t in range(count):
            x = np.float32(to_uniform(k[t]))
            if x < fc:
                out[row, offset + t] = a + np.sqrt(x * left)
            else:
                out[row, offset + t] = b - np.sqrt((np.float32(1.0) - x) * right)
    elif kind == TABLE:
        a = np.float32(param[j, 0])
        w = np.float32(param[j, 1])
        tab = int(param[j, 2])
        for t in range(count):
            # u * 2048 = cell + fraction, both exact: the top 11 bits and the rest.
            i = np.int64(k[t] >> np.uint32(_FRACTION_BITS))
            f = np.float32(k[t] & _FRACTION_MASK) * _FRACTION_SCALE + _HALF_FRACTION
            lo = tables[tab, i]
            out[row, offset + t] = a + w * (lo + f * (tables[tab, i + 1] - lo))
    elif kind == LOGNORMAL:
        mu = param[j, 0]
        sigma = param[j, 1]
        for t in range(count):
            out[row, offset + t] = np.float32(math.exp(mu + sigma * ndtri(to_uniform(k[t]))))
    elif kind == DISCRETE:
        first = int(param[j, 0])
        last = first + int(param[j, 1]) - 1
        for t in range(count):
            x = to_uniform(k[t])
            q = first
            while q < last and x >= disc_cum[q]:
                q += 1
            out[row, offset + t] = np.float32(disc_val[q])
    else:
        first = int(param[j, 0])
        days = param[j, 1]
        for t in range(count):
            out[row, offset + t] = np.float32(backlog_periods(k[t], disc_val, first, disc_cum[:0], disc_cum[:0]) * days)


@nb.njit(cache=True)
def sample_rows(kind, param, tables, disc_val, disc_cum, k):
    """Draws of every distribution ``j`` at the 32-bit draws ``k[j]``: float32 (rows, len) array."""
    rows, count = k.shape
    out = np.empty((rows, count), dtype=np.float32)
    for j in range(rows):
        sample_into(kind[j], param, j, tables, disc_val, disc_cum, k[j], count, out, j, 0)
    return out


# --------------------------------------------------------------------------- beta quantile tables


@nb.njit(cache=True)
def beta_quantile_tables(alpha, beta, npoints, cells):
    """Quantiles of Beta(alpha[s], beta[s]) at ``k / (npoints - 1)``, one float32 row per shape."""
    # Simpson's rule on a grid x = (1 - cos(pi t)) / 2 that crowds the ends, where the quantile is steepest;
    # then Newton's method on the cubic that Simpson's parabola integrates to within each cell.
    ns = alpha.shape[0]
    out = np.empty((ns, npoints), dtype=np.float32)
    h = 1.0 / cells
    # The grid does not depend on the shape: log x, log(1 - x) and dx/dt once.
    m = 2 * cells + 1
    log_x = np.empty(m)
    log_y = np.empty(m)
    dx = np.empty(m)
    for k in range(m):
        t = 0.5 * h * k
        x = 0.5 - 0.5 * math.cos(math.pi * t)
        y = 0.5 + 0.5 * math.cos(math.pi * t)
        log_x[k] = math.log(x) if x > 0.0 else -np.inf
        log_y[k] = math.log(y) if y > 0.0 else -np.inf
        dx[k] = 0.5 * math.pi * math.sin(math.pi * t)
    cos_t = np.empty(cells)
    sin_t = np.empty(cells)
    for c in range(cells):
        cos_t[c] = math.cos(math.pi * c * h)
        sin_t[c] = math.sin(math.pi * c * h)
    for s in range(ns):
        a1 = alpha[s] - 1.0
        b1 = beta[s] - 1.0
        g = np.empty(m)  # density in t at cell ends and midpoints
        for k in range(m):
            lg = (a1 * log_x[k] if a1 != 0.0 else 0.0) + (b1 * log_y[k] if b1 != 0.0 else 0.0)
            g[k] = math.exp(lg) * dx[k]
        cum = np.empty(cells + 1)
        cum[0] = 0.0
        for c in range(cells):
            cum[c + 1] = cum[c] + h / 6.0 * (g[2 * c] + 4.0 * g[2 * c + 1] + g[2 * c + 2])
        total = cum[cells]
        row = out[s]
        row[0] = 0.0
        row[npoints - 1] = 1.0
        c = 0
        for k in range(1, npoints - 1):
            target = total * k / (npoints - 1)
            while c < cells - 1 and cum[c + 1] <= target:
                c += 1
            g0 = g[2 * c]
            gm = g[2 * c + 1]
            g1 = g[2 * c + 2]
            c1 = g0
            c2 = (-3.0 * g0 + 4.0 * gm - g1) / 2.0
            c3 = (2.0 * g0 - 4.0 * gm + 2.0 * g1) / 3.0
            span = cum[c + 1] - cum[c]
            z = (target - cum[c]) / span if span > 0.0 else 0.0
            for _ in range(2):
                fz = cum[c] + h * (z * (c1 + z * (c2 + z * c3))) - target
                dz = h * (c1 + z * (2.0 * c2 + 3.0 * z * c3))
                if dz <= 0.0:
                    break
                z = min(max(z - fz / dz, 0.0), 1.0)
            # cos(pi (c + z) h) from the cell start's cos and sin (short Taylor series).
            d = math.pi * z * h
            d2 = d * d
            cos_d = 1.0 - d2 / 2.0 + d2 * d2 / 24.0
            sin_d = d * (1.0 - d2 / 6.0 + d2 * d2 / 120.0)
            row[k] = np.float32(0.5 - 0.5 * (cos_t[c] * cos_d - sin_t[c] * sin_d))
    return out
