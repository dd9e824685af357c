"""Merge bias per merge point: the days each merge adds to its task's expected start (Simulation.merge_bias)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ._common import FLOAT, POSITIVE, check_simulation, new_axes

__all__ = ["merge_bias"]

_COLUMNS = ("name", "predecessors", "merge_bias", "vs_pert")


def _label(tid: str, name: str, count: int, width: int = 32) -> str:
    text = (tid if name in ("", tid) else f"{tid} {name}")
    text = text if len(text) <= width else text[: width - 1] + "…"
    return f"{text} ({count} preds)"


def merge_bias(result, ax=None, top: int = 15):
    """The merge points whose merge adds most days to the expected start, with what PERT misses there.

    Parameters
    ----------
    result : Simulation or DataFrame
        A simulation (its :meth:`~pmsim.Simulation.merge_bias` is computed)
        or the table that method returned.
    ax : matplotlib Axes, optional
    top : int
        How many merge points to show, the largest bias on top.

    Returns
    -------
    matplotlib Axes
        Per merge point a red bar of its merge bias (``gid``
        ``"merge_bias:<id>"``: mean start minus the latest predecessor's
        mean date, working days) over a grey bar of how much later it starts
        than its PERT date (``"merge_bias:<id>:pert"``), each labelled.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", estimate=pm.Uniform(0, 3)),
    ...     pm.Task("B", estimate=pm.Uniform(0, 3)), pm.Task("C", duration=1)],
    ...     dependencies=[pm.Dependency("A", "C"), pm.Dependency("B", "C")])
    >>> ax = pm.plot.merge_bias(pm.simulate(p, iterations=2000, seed=1))
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['C (2 preds)']
    """
    if int(top) < 1:
        raise ValidationError(f"merge_bias: top must be >= 1, got {top!r}")
    if isinstance(result, pd.DataFrame):
        missing = [c for c in _COLUMNS if c not in result.columns]
        if missing:
            raise ValidationError(f"merge_bias needs the table of Simulation.merge_bias(); missing {missing}")
        table, title = result, "merge bias"
    else:
        check_simulation(result, "merge_bias")
        table = result.merge_bias()
        title = f"{result.project.name}: merge bias"
    shown = table.loc[table["merge_bias"].sort_values(ascending=False, kind="stable").index[: int(top)]]
    k = len(shown)
    ax = new_axes(ax, figsize=(9, min(max(2.5, 0.42 * k + 1.4), 20)))
    y = np.arange(k)
    bias = shown["merge_bias"].to_numpy(float)
    pert = shown["vs_pert"].to_numpy(float)
    for yy, (tid, row), b, v in zip(y, shown.iterrows(), bias, pert):
        ax.barh(yy + 0.17, v, height=0.3, color=FLOAT, zorder=2, gid=f"merge_bias:{tid}:pert")
        ax.barh(yy - 0.17, b, height=0.3, color=POSITIVE, zorder=2, gid=f"merge_bias:{tid}")
        ax.annotate(f"{b:+.1f} d", xy=(max(b, 0), yy - 0.17), xytext=(3, 0), textcoords="offset points",
                    ha="left", va="center", fontsize="small", gid=f"merge_bias:{tid}:text")
        ax.annotate(f"{v:+.1f} d vs PERT", xy=(max(v, 0), yy + 0.17), xytext=(3, 0), textcoords="offset points",
                    ha="left", va="center", fontsize="x-small", color="#555555", gid=f"merge_bias:{tid}:pert_text")
    ax.set_yticks(y, [_label(str(tid), str(row["name"]), int(row["predecessors"])) for tid, row in shown.iterrows()],
                  fontsize="small" if k > 15 else None)
    ax.set_ylim(k - 0.4, -0.6)
    values = np.concatenate([bias, pert]) if k else np.zeros(1)
    reach = max(float(np.abs(values).max()), 0.5) * 1.4
    ax.set_xlim(min(0.0, float(values.min()) * 1.4), reach)
    ax.axvline(0, color="#555555", linewidth=0.8, zorder=1)
    if k == 0:
        ax.text(0.5, 0.5, "no task with two or more predecessors", transform=ax.transAxes, ha="center",
                va="center", gid="empty")
    ax.set_xlabel("Working days later than the latest predecessor's expected date (red) and than PERT (grey)")
    ax.set_title(title + (f" (top {k} of {len(table)})" if k < len(table) else ""))
    ax.grid(axis="x", color="#e5e5e5", zorder=0)
    return ax
