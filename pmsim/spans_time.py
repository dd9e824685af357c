"""Level-of-effort spans on calendars: which spans read their tasks' moments as they are, and their floats.

A level of effort whose links have no lag spans its neighbours' moments as
they are (P6: a 7-day successor's Sunday 16:00), and its float is late minus
early finish in working days of its own calendar (see
:func:`pmsim.cpm.schedule_on_timeline`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["lagless", "span_floats"]


def lagless(sp) -> np.ndarray:
    """Per level-of-effort task of ``sp``, whether none of the links it spans has a lag."""
    return np.array([not (np.any(sp.start_lag[sp.start_ptr[q]:sp.start_ptr[q + 1]])
                          or np.any(sp.finish_lag[sp.finish_ptr[q]:sp.finish_ptr[q + 1]]))
                     for q in range(sp.task.size)], dtype=bool)


def span_floats(tl, axis: dict) -> np.ndarray:
    """The total float of the level-of-effort tasks whose spans :func:`pmsim.cpm._spanned_axis` reads as they are: late
    minus early finish in working days of the task's own calendar (P6's finish float); NaN for the others."""
    out = np.full(tl.net.n, np.nan)
    if tl.uniform or tl.net.spans is None:
        return out
    k = tl.net.spans.task[lagless(tl.net.spans)]
    for j in k.tolist():
        c = int(tl.task_calendar[j])
        if c < 0:
            continue
        cal = tl.calendars[c]
        table = cal.work_table(tl.origin, tl.horizon_days)
        ef, lf = float(axis["early_finish"][j]), float(axis["late_finish"][j])
        if np.isfinite(ef) and np.isfinite(lf):
            out[j] = (float(table.work_at(lf)) - float(table.work_at(ef))) / cal.minutes_per_day
    return out
