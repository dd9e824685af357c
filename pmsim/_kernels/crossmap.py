"""Links between two calendars as one lookup: the work-to-work map of a calendar pair.

A link from a task on calendar ``a`` to a task on calendar ``b`` turns a work
time of ``a`` (working minutes done) into a work time of ``b``: the moment
``a`` has done ``x`` minutes (:func:`.worktime.time_at`), then the work ``b``
has done by that moment (:func:`.worktime.work_at`). That map is piecewise
linear in ``x``, with slope 1 where both calendars work and 0 where only ``a``
does, and a jump at each of ``a``'s breaks (the work ``b`` does while ``a``
rests): at such a point a finish takes the value before the jump (the end of
the work before the break), a start the value after it (the next working
moment). :func:`build` tabulates it once per calendar pair at every breakpoint
(``a``'s interval boundaries, and ``b``'s boundaries inside ``a``'s working
time), so :func:`cross` gives the two lookups' answer (to rounding in the last bit) with
one short search. The Monte Carlo engine uses it for every link whose lag counts on one
of its two ends' calendars (or has none).

Maps are stored one after another in :class:`CrossMaps`: map ``q`` has points
``x[ptr[q]:ptr[q + 1]]`` with the value ``y`` just after each point and the
slope after it, and, per :data:`.worktime.WORK_BUCKET` of ``a``'s work, the
first point of that bucket's segment.
"""

from collections import namedtuple

import numba as nb
import numpy as np

from .worktime import MINUTES_PER_DAY, WORK_BUCKET, time_at, work_at

# Per link: ``link_map`` (the map of its calendar pair, -1: none, go through elapsed time) and ``link_side``
# (LAG_NONE, LAG_BEFORE: its lag counts on the predecessor's calendar, LAG_AFTER: on the successor's).
CrossMaps = namedtuple("CrossMaps", "link_map link_side ptr x y slope bucket_ptr bucket_first b_total")
LAG_NONE, LAG_BEFORE, LAG_AFTER = 0, 1, 2


def no_maps(n_links: int = 0) -> CrossMaps:
    """Tables holding no map (no link crosses calendars)."""
    return CrossMaps(np.full(n_links, -1, np.int64), np.zeros(n_links, np.int64), np.zeros(1, np.int64),
                     np.zeros(1), np.zeros(1), np.zeros(1), np.zeros(1, np.int64), np.zeros(1, np.int64),
                     np.zeros(1))


@nb.njit(cache=True)
def build(a, b, tab):
    """The points, values after them, slopes and bucket index of the map from calendar ``a`` to ``b``."""
    lo, hi = tab.cal_ptr[a], tab.cal_ptr[a + 1]
    total = tab.done[hi - 1] + tab.ends[hi - 1] - tab.starts[hi - 1]
    points = np.empty((hi - lo) + 3 * (tab.cal_ptr[b + 1] - tab.cal_ptr[b]) + 1)
    n = 0
    for k in range(lo, hi):
        points[n] = tab.done[k]
        n += 1
    points[n] = total
    n += 1
    horizon = (tab.day_ptr[b + 1] - tab.day_ptr[b] - 1) * MINUTES_PER_DAY  # past it, b's work is unknown (inf)
    for k in range(tab.cal_ptr[b], tab.cal_ptr[b + 1]):
        for moment in (tab.starts[k], tab.ends[k], horizon):
            w = work_at(a, moment, tab)
            if w < total:
                points[n] = w
                n += 1
    x = np.unique(points[:n])
    m = x.shape[0]
    y = np.empty(m)
    slope = np.zeros(m)
    for k in range(m):
        y[k] = work_at(b, time_at(a, x[k], False, tab), tab)
    for k in range(m - 1):
        end = work_at(b, time_at(a, x[k + 1], True, tab), tab)
        if np.isinf(y[k]):
            slope[k] = 0.0  # beyond b's table: inf throughout
        else:
            slope[k] = (end - y[k]) / (x[k + 1] - x[k])  # 0 or 1; inf where b's table ends
    buckets = int(total // WORK_BUCKET) + 1
    first = np.searchsorted(x, np.arange(buckets) * WORK_BUCKET, side="right") - 1
    return x, y, slope, np.maximum(first, 0).astype(np.int64)


def build_maps(pred_cal: np.ndarray, succ_cal: np.ndarray, lag: np.ndarray, lag_cal: np.ndarray, crosses: np.ndarray,
               tab) -> CrossMaps:
    """The maps of the links that ``crosses`` marks (per link: its ends' calendars, its lag and the calendar the
    lag counts on); a link whose lag counts on a third calendar keeps ``link_map`` -1."""
    n_links = pred_cal.shape[0]
    link_map, link_side = np.full(n_links, -1, np.int64), np.zeros(n_links, np.int64)
    pairs: dict[tuple[int, int], int] = {}
    for e in np.flatnonzero(crosses).tolist():
        a, b = int(pred_cal[e]), int(succ_cal[e])
        if a < 0 or b < 0:
            continue
        if lag[e] == 0.0:
            side = LAG_NONE
        elif lag_cal[e] == a:
            side = LAG_BEFORE
        elif lag_cal[e] == b:
            side = LAG_AFTER
        else:
            continue
        link_map[e] = pairs.setdefault((a, b), len(pairs))
        link_side[e] = side
    if not pairs:
        return no_maps(n_links)
    parts = [build(a, b, tab) for a, b in pairs]
    ptr = np.zeros(len(parts) + 1, np.int64)
    ptr[1:] = np.cumsum([p[0].shape[0] for p in parts])
    bucket_ptr = np.zeros(len(parts) + 1, np.int64)
    bucket_ptr[1:] = np.cumsum([p[3].shape[0] for p in parts])
    b_total = np.array([float(tab.done[tab.cal_ptr[b + 1] - 1] + tab.ends[tab.cal_ptr[b + 1] - 1]
                              - tab.starts[tab.cal_ptr[b + 1] - 1]) for _, b in pairs])
    return CrossMaps(link_map, link_side, ptr,
                     *(np.ascontiguousarray(np.concatenate([p[k] for p in parts])) for k in range(3)),
                     bucket_ptr, np.concatenate([p[3] for p in parts]), b_total)


@nb.njit(inline="always")
def cross(q, x, finish, maps):
    """Map ``q`` at work time ``x`` of its first calendar: the work its second calendar has done by the end
    of that work (``finish``) or by the next working moment; ``inf`` beyond the tables."""
    lo = maps.ptr[q]
    hi = maps.ptr[q + 1] - 1  # the last point: all of the first calendar's work
    if x > maps.x[hi]:
        return np.inf
    if x <= 0.0:
        return maps.y[lo]
    k = lo + maps.bucket_first[maps.bucket_ptr[q] + int(x / WORK_BUCKET)]
    while k < hi and maps.x[k + 1] <= x:
        k += 1
    if finish and k > lo and x == maps.x[k]:
        k -= 1  # the end of the work before the break
    d = x - maps.x[k]
    return maps.y[k] + (maps.slope[k] * d if d > 0.0 else 0.0)


@nb.njit(inline="always")
def cross_link(e, anchor, finish, lag, maps):
    """Link ``e`` (with a map) at ``anchor``, a work time of its predecessor's calendar: the work time of its
    successor's calendar it gives, its lag included (what elapsed time would give, see the module)."""
    q = maps.link_map[e]
    side = maps.link_side[e]
    if side == LAG_BEFORE:  # the lag's work on the predecessor's calendar, then the end of that work
        return cross(q, (anchor if anchor > 0.0 else 0.0) + lag, True, maps)
    v = cross(q, anchor, finish, maps)
    if side == LAG_AFTER:
        v += lag
        if v < 0.0:
            return 0.0
        if v > maps.b_total[q]:
            return np.inf
    return v
