"""Critical-chain buffer management: the fever chart."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ._common import new_axes

__all__ = ["fever_chart"]

_ZONES = (("green", "#b7dfb0"), ("yellow", "#f7e59a"), ("red", "#f2a7a0"))


def fever_chart(fever: pd.DataFrame, ax=None):
    """Project buffer consumed against critical chain complete, one point per status date, on the zones.

    ``fever`` is :meth:`pmsim.CriticalChain.fever`'s table. Both axes in percent; the zones (``gid``
    ``"green"``, ``"yellow"``, ``"red"``) are bounded by the plan's zone lines, the track of the status
    dates is ``"track"``, its last point ``"latest"``. A point above 100 % has used more than the buffer.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", optimistic=4, most_likely=5, pessimistic=9)])
    >>> cc = pm.critical_chain(p)
    >>> table = pd.DataFrame({"id": ["A"], "actual_start": ["2027-01-04"], "remaining_duration": [4.0],
    ...                       "actual_cost": [0.0]})
    >>> ax = fever_chart(cc.fever({"2027-01-05": table}))
    >>> sorted(c.get_gid() for c in ax.collections if c.get_gid())
    ['green', 'latest', 'red', 'yellow']
    """
    if not isinstance(fever, pd.DataFrame) or "buffer_consumed" not in fever.columns or "yellow" not in fever.attrs:
        raise ValidationError("plot.fever_chart needs the table of CriticalChain.fever(statuses)")
    ax = new_axes(ax, figsize=(7, 5))
    x = fever["chain_complete"].to_numpy(float) * 100
    y = fever["buffer_consumed"].to_numpy(float) * 100
    top = max(100.0, float(np.nanmax(y)) + 10 if len(y) else 100.0)
    bottom = min(0.0, float(np.nanmin(y)) - 5 if len(y) else 0.0)
    xs = np.array([0.0, 100.0])
    yellow = np.array(fever.attrs["yellow"], dtype=float) * 100
    red = np.array(fever.attrs["red"], dtype=float) * 100
    bands = ((np.full(2, bottom), yellow), (yellow, red), (red, np.full(2, top)))
    for (name, colour), (low, high) in zip(_ZONES, bands):
        ax.fill_between(xs, low, high, color=colour, linewidth=0, gid=name, label=name)
    ax.plot(x, y, marker="o", color="#333333", linewidth=1.2, gid="track", label="status dates")
    if len(x):
        ax.scatter(x[-1:], y[-1:], s=90, color="#333333", zorder=5, gid="latest", clip_on=False)
    for xi, yi, date in zip(x, y, fever.index):
        ax.annotate(pd.Timestamp(date).strftime("%d %b"), (xi, yi), textcoords="offset points", xytext=(4, 6),
                    fontsize="x-small")
    ax.axhline(100, color="#333333", linewidth=0.8, linestyle="--")
    ax.set_xlim(0, 100)
    ax.set_ylim(bottom, top)
    buffer = fever.attrs.get("project_buffer")
    days = f", buffer {buffer:.1f} working days" if buffer is not None else ""
    name = str(fever.attrs.get("project", "Project"))
    method = {"ssq": "SSQ", "cut_and_paste": "cut and paste"}.get(fever.attrs.get("method"), "")
    ax.set_title(f"{name}: fever chart ({method}{days})".replace("$", r"\$"))
    ax.set_xlabel("critical chain complete (%)")
    ax.set_ylabel("project buffer consumed (%)")
    ax.legend(loc="upper left", fontsize="small")
    return ax
