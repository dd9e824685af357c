"""The resource profile of a partial schedule on calendars, for the levelling kernels.

Times are on the engine's axis (``pmsim.timeline``). A task uses its
resources only in the working time of its calendar (:mod:`.worktime`), so its
use has gaps (nights, weekends). The axis is cut once, by :class:`Grid`, into
*atoms* at every boundary of the calendars in play and at least every
``width``: inside an atom each calendar works throughout or not at all.
``full[a, k]`` holds the units of resource k used throughout atom a; a task
that starts or finishes inside an atom adds an entry (task, lo, hi) to that
atom's list instead, at most two per task. Entry points: :func:`first_conflict`
and :func:`last_conflict` (where a task does not fit), :func:`add_usage`,
:func:`remove_usage`, :func:`clear_usage`, :func:`usage_range` (peak use), and
:func:`pieces` / :func:`atom_of` for walking a task's working time.
"""

from collections import namedtuple

import numba as nb
import numpy as np

EPS = 1e-7  # axis units: a millionth of a minute or of a working day, well above rounding

# ``points[0..A]``: atom boundaries, increasing; ``first[b]``: the atom holding time ``b * width``.
Grid = namedtuple("Grid", "points first width")
# ``full`` atoms x resources; per atom the head of its entry list (-1: none); the entry pool
# (``task``, ``lo``, ``hi``, ``nxt``); ``top[0]``: entries ever used, ``top[1]``: head of the free list.
Profile = namedtuple("Profile", "full head task lo hi nxt top")


def new_profile(atoms: int, resources: int, tasks: int) -> Profile:
    """An empty profile for ``atoms`` atoms, ``resources`` resources and up to ``tasks`` tasks."""
    size = 2 * tasks + 2
    return Profile(np.zeros((max(atoms, 1), max(resources, 1))), np.full(max(atoms, 1), -1, np.int64),
                   np.zeros(size, np.int64), np.zeros(size), np.zeros(size), np.full(size, -1, np.int64),
                   np.array([0, -1], np.int64))


@nb.njit(cache=True)
def make_profile(atoms, resources, tasks):
    """:func:`new_profile` in compiled code (per thread of the levelled Monte Carlo)."""
    size = 2 * tasks + 2
    return Profile(np.zeros((max(atoms, 1), max(resources, 1))), np.full(max(atoms, 1), -1, np.int64),
                   np.zeros(size, np.int64), np.zeros(size), np.zeros(size), np.full(size, -1, np.int64),
                   np.array([0, -1], np.int64))


@nb.njit(inline="always")
def atom_of(grid, t):
    """The atom holding time ``t`` (``A``, the number of atoms, when ``t`` lies past the grid)."""
    pts = grid.points
    last = pts.shape[0] - 1
    if t >= pts[last]:
        return last
    if t <= pts[0]:
        return 0
    b = np.int64((t - pts[0]) // grid.width)
    a = grid.first[b]
    while pts[a + 1] <= t:
        a += 1
    return a


@nb.njit(inline="always")
def first_piece(c, t, tab):
    """The working interval of calendar ``c`` in which work at or after ``t`` lies (0 for the axis itself)."""
    if c < 0:
        return 0
    base = tab.cal_ptr[c]
    last = tab.cal_ptr[c + 1] - 1
    if t <= tab.starts[base]:
        return base
    days = tab.day_ptr[c + 1] - tab.day_ptr[c] - 1
    d = np.int64(t // 1440.0)
    if d > days - 1:
        d = days - 1
    k = base + tab.day_first[tab.day_ptr[c] + d] if d >= 0 else base
    while k < last and tab.ends[k] <= t:
        k += 1
    return k


@nb.njit(inline="always")
def pieces(c, k, s, f, tab):
    """The ``k``-th working interval of calendar ``c`` cut to ``[s, f)``: ``(lo, hi)``; ``lo >= f``: past the end."""
    if c < 0:
        return (s, f) if k == 0 else (f, f)
    if k >= tab.cal_ptr[c + 1]:
        return f, f
    lo = tab.starts[k] if tab.starts[k] > s else s
    hi = tab.ends[k] if tab.ends[k] < f else f
    return lo, hi


@nb.njit(inline="always")
def lacks_room_at(prof, a, x, j, rptr, ridx, demand, cap, tol):
    """Does a resource of task ``j`` lack room for it at moment ``x`` of atom ``a``?"""
    for e in range(rptr[j], rptr[j + 1]):
        k = ridx[e]
        use = prof.full[a, k]
        p = prof.head[a]
        while p >= 0:
            if prof.lo[p] <= x + EPS and prof.hi[p] > x + EPS:
                use += demand[prof.task[p], k]
            p = prof.nxt[p]
        if use + demand[j, k] > cap[k] + tol[k]:
            return True
    return False


@nb.njit(cache=True)
def cuts(prof, grid, a, buf):
    """The moments that cut atom ``a`` into stretches of constant use, sorted, into ``buf``; returns how many."""
    m = 0
    buf[m] = grid.points[a]
    m += 1
    p = prof.head[a]
    while p >= 0:
        for v in (prof.lo[p], prof.hi[p]):
            if v > grid.points[a] + EPS and v < grid.points[a + 1] - EPS:
                q = m
                while q > 0 and buf[q - 1] > v:
                    buf[q] = buf[q - 1]
                    q -= 1
                buf[q] = v
                m += 1
        p = prof.nxt[p]
    buf[m] = grid.points[a + 1]
    return m + 1


@nb.njit(cache=True)
def short_stretch(prof, grid, a, x, y, j, rptr, ridx, demand, cap, tol, buf, last):
    """The first (``last``: the last) stretch of constant use of atom ``a`` meeting ``[x, y)`` where a
    resource of task ``j`` lacks room for it: (its start, its end), or (-inf, -inf)."""
    if prof.head[a] < 0:
        if lacks_room_at(prof, a, x, j, rptr, ridx, demand, cap, tol):
            return grid.points[a], grid.points[a + 1]
        return -np.inf, -np.inf
    m = cuts(prof, grid, a, buf)
    found_lo, found_hi = -np.inf, -np.inf
    for q in range(m - 1):
        if buf[q + 1] <= x + EPS or buf[q] >= y - EPS:
            continue
        mid = buf[q] if buf[q] > x else x
        if lacks_room_at(prof, a, mid, j, rptr, ridx, demand, cap, tol):
            found_lo, found_hi = buf[q], buf[q + 1]
            if not last:
                break
    return found_lo, found_hi


@nb.njit(cache=True)
def first_conflict(prof, grid, c, s, f, j, rptr, ridx, demand, cap, tol, tab, buf):
    """Where task ``j`` working ``[s, f)`` on calendar ``c`` first lacks room: the end of that stretch of
    constant use, or -inf when it fits; ``inf`` when it runs past the grid."""
    if f > grid.points[grid.points.shape[0] - 1] + EPS:
        return np.inf
    k = first_piece(c, s, tab)
    while True:
        lo, hi = pieces(c, k, s, f, tab)
        if lo >= f - EPS:
            return -np.inf
        k += 1
        if hi <= lo + EPS:
            continue
        a = atom_of(grid, lo)
        while grid.points[a] < hi - EPS:
            x = lo if lo > grid.points[a] else grid.points[a]
            y = hi if hi < grid.points[a + 1] else grid.points[a + 1]
            z0, z1 = short_stretch(prof, grid, a, x, y, j, rptr, ridx, demand, cap, tol, buf, False)
            if z1 > -np.inf:
                return z1
            a += 1


@nb.njit(cache=True)
def last_conflict(prof, grid, c, s, f, j, rptr, ridx, demand, cap, tol, tab, buf):
    """Where task ``j`` working ``[s, f)`` on calendar ``c`` last lacks room: the start of that stretch of
    constant use, or inf when it fits; -inf when it starts before the grid."""
    if s < grid.points[0] - EPS:
        return -np.inf
    found = np.inf
    k = first_piece(c, s, tab)
    while True:
        lo, hi = pieces(c, k, s, f, tab)
        if lo >= f - EPS:
            return found
        k += 1
        if hi <= lo + EPS:
            continue
        a = atom_of(grid, lo)
        while grid.points[a] < hi - EPS:
            x = lo if lo > grid.points[a] else grid.points[a]
            y = hi if hi < grid.points[a + 1] else grid.points[a + 1]
            z0, z1 = short_stretch(prof, grid, a, x, y, j, rptr, ridx, demand, cap, tol, buf, True)
            if z0 > -np.inf:
                found = z0
            a += 1


@nb.njit(inline="always")
def _entry(prof):
    """A free entry of the pool."""
    p = prof.top[1]
    if p >= 0:
        prof.top[1] = prof.nxt[p]
        return p
    p = prof.top[0]
    prof.top[0] += 1
    return p


@nb.njit(cache=True)
def add_usage(prof, grid, c, s, f, j, rptr, ridx, demand, tab):
    """Task ``j``'s demands added where it works in ``[s, f)`` on calendar ``c``."""
    k = first_piece(c, s, tab)
    while True:
        lo, hi = pieces(c, k, s, f, tab)
        if lo >= f - EPS:
            return
        k += 1
        if hi <= lo + EPS:
            continue
        a = atom_of(grid, lo)
        while grid.points[a] < hi - EPS:
            x = lo if lo > grid.points[a] else grid.points[a]
            y = hi if hi < grid.points[a + 1] else grid.points[a + 1]
            if x <= grid.points[a] + EPS and y >= grid.points[a + 1] - EPS:
                for e in range(rptr[j], rptr[j + 1]):
                    prof.full[a, ridx[e]] += demand[j, ridx[e]]
            else:
                p = _entry(prof)
                prof.task[p] = j
                prof.lo[p] = x
                prof.hi[p] = y
                prof.nxt[p] = prof.head[a]
                prof.head[a] = p
            a += 1


@nb.njit(cache=True)
def remove_usage(prof, grid, c, s, f, j, rptr, ridx, demand, tab):
    """Task ``j``'s demands taken out where :func:`add_usage` put them."""
    k = first_piece(c, s, tab)
    while True:
        lo, hi = pieces(c, k, s, f, tab)
        if lo >= f - EPS:
            return
        k += 1
        if hi <= lo + EPS:
            continue
        a = atom_of(grid, lo)
        while grid.points[a] < hi - EPS:
            x = lo if lo > grid.points[a] else grid.points[a]
            y = hi if hi < grid.points[a + 1] else grid.points[a + 1]
            if x <= grid.points[a] + EPS and y >= grid.points[a + 1] - EPS:
                for e in range(rptr[j], rptr[j + 1]):
                    prof.full[a, ridx[e]] -= demand[j, ridx[e]]
            else:
                prev = -1
                p = prof.head[a]
                while p >= 0 and not (prof.task[p] == j and abs(prof.lo[p] - x) <= EPS):
                    prev = p
                    p = prof.nxt[p]
                if p >= 0:
                    if prev < 0:
                        prof.head[a] = prof.nxt[p]
                    else:
                        prof.nxt[prev] = prof.nxt[p]
                    prof.nxt[p] = prof.top[1]
                    prof.top[1] = p
            a += 1


@nb.njit(cache=True)
def clear_usage(prof, grid, c, s, f, j, rptr, ridx, tab):
    """Zero the cells task ``j`` used and empty the lists of its atoms (resetting a whole profile task by
    task, with :func:`reset_pool` after the last); cheaper than clearing every atom."""
    k = first_piece(c, s, tab)
    while True:
        lo, hi = pieces(c, k, s, f, tab)
        if lo >= f - EPS:
            return
        k += 1
        if hi <= lo + EPS:
            continue
        a = atom_of(grid, lo)
        while grid.points[a] < hi - EPS:
            for e in range(rptr[j], rptr[j + 1]):
                prof.full[a, ridx[e]] = 0.0
            prof.head[a] = -1
            a += 1


@nb.njit(inline="always")
def reset_pool(prof):
    prof.top[0] = 0
    prof.top[1] = -1


@nb.njit(cache=True)
def usage_range(prof, grid, t0, t1, k, demand, buf):
    """The most units of resource ``k`` in use at any moment of ``[t0, t1)``."""
    top = 0.0
    a = atom_of(grid, t0)
    last = grid.points.shape[0] - 1
    while a < last and grid.points[a] < t1 - EPS:
        x = t0 if t0 > grid.points[a] else grid.points[a]
        y = t1 if t1 < grid.points[a + 1] else grid.points[a + 1]
        if prof.head[a] < 0:
            if prof.full[a, k] > top:
                top = prof.full[a, k]
        else:
            m = cuts(prof, grid, a, buf)
            for q in range(m - 1):
                if buf[q + 1] <= x + EPS or buf[q] >= y - EPS:
                    continue
                mid = buf[q] if buf[q] > x else x
                use = prof.full[a, k]
                p = prof.head[a]
                while p >= 0:
                    if prof.lo[p] <= mid + EPS and prof.hi[p] > mid + EPS:
                        use += demand[prof.task[p], k]
                    p = prof.nxt[p]
                if use > top:
                    top = use
        a += 1
    return top
