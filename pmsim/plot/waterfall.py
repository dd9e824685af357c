"""Why the numbers moved: the start value, one bar per group of changes, the end value (:func:`pmsim.explain`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from ..errors import ValidationError
from ._common import NEGATIVE, NORMAL, POSITIVE, money, new_axes

__all__ = ["waterfall"]

_WHAT = {"p50": "P50 finish (working days)", "p80": "P80 finish (working days)", "expected_cost": "expected cost"}
_ENDS = "#7f7f7f"


def _label(text: str, width: int = 28) -> str:
    text = str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def waterfall(explained, ax=None, column: str = "p80"):
    """The change in one number (P80 by default) from the base to the changed version, group by group.

    Parameters
    ----------
    explained : DataFrame
        What :func:`pmsim.explain` returned (its ``attrs`` hold the start
        and end values).
    ax : matplotlib Axes, optional
    column : {"p80", "p50", "expected_cost"}

    Returns
    -------
    matplotlib Axes
        A bar for the start value (``gid`` ``"waterfall:start"``), one
        floating bar per group (``"waterfall:<group>"``; red when it moves
        the number up, green when down), and the end value
        (``"waterfall:end"``), each labelled with its value; the groups are
        in the order of the table.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=10)],
    ...     risks=[pm.Risk("R1", "Vendor late", 1.0, tasks=("A",), impact=pm.Fixed(3))])
    >>> why = pm.explain(p, pm.Scenario("longer", tasks={"A": 1.2}, risks={"R1": False}), iterations=100, seed=1)
    >>> ax = pm.plot.waterfall(why)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['start', 'estimates', 'risk R1', 'end']
    """
    if not isinstance(explained, pd.DataFrame) or "start" not in explained.attrs or "end" not in explained.attrs:
        raise ValidationError("waterfall needs the table pm.explain returned (with its start and end values)")
    if column not in _WHAT:
        raise ValidationError(f"waterfall: column must be one of {', '.join(_WHAT)}, got {column!r}")
    if column not in explained.columns:
        raise ValidationError(f"waterfall: the table has no column {column!r}")
    start = float(explained.attrs["start"][column])
    end = float(explained.attrs["end"][column])
    shares = explained[column].to_numpy(float)
    k = len(shares)
    currency = explained.attrs.get("currency", "")
    fmt = (lambda v, sign=False: (("+" if v >= 0 else "-") if sign else "") + money(abs(v) if sign else v, currency)) \
        if column == "expected_cost" else (lambda v, sign=False: f"{v:+.1f} d" if sign else f"{v:.1f} d")
    ax = new_axes(ax, figsize=(max(6.0, 1.0 * (k + 2) + 2), 4.8))
    x = np.arange(k + 2)
    before = start + np.concatenate([[0.0], np.cumsum(shares)[:-1]]) if k else np.zeros(0)
    ax.bar(0, start, color=_ENDS, width=0.6, zorder=2, gid="waterfall:start")
    colours = np.where(shares >= 0, POSITIVE, NEGATIVE)
    for i, (group, low, share) in enumerate(zip(explained.index, before, shares)):
        ax.bar(i + 1, share, bottom=low, color=colours[i], width=0.6, zorder=2, gid=f"waterfall:{group}")
        ax.plot([i + 0.7, i + 1.3], [low, low], color="#555555", linewidth=0.6, zorder=3)
        ax.annotate(fmt(share, sign=True), xy=(i + 1, max(low, low + share)), xytext=(0, 3),
                    textcoords="offset points", ha="center", va="bottom", fontsize="small",
                    gid=f"waterfall:{group}:text")
    ax.bar(k + 1, end, color=NORMAL, width=0.6, zorder=2, gid="waterfall:end")
    for xx, v, who in ((0, start, "start"), (k + 1, end, "end")):
        ax.annotate(fmt(v), xy=(xx, v), xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
                    fontsize="small", fontweight="bold", gid=f"waterfall:{who}:text")
    ax.set_xticks(x, ["start"] + [_label(g) for g in explained.index] + ["end"],
                  rotation=30 if k > 4 else 0, ha="right" if k > 4 else "center")
    levels = np.concatenate([[start, end], before, before + shares]) if k else np.array([start, end])
    low, high = float(levels.min()), float(levels.max())
    span = max(high - low, abs(high) * 0.02, 1e-9)
    # Start the axis near the lowest level, not at zero, so that a few days on a long project show.
    bottom = max(0.0, low - 0.6 * span) if low >= 0 else low - 0.1 * span
    ax.set_ylim(bottom, high + 0.18 * span)
    ax.set_ylabel(_WHAT[column])
    base, change = explained.attrs.get("base", ""), explained.attrs.get("change", "")
    ax.set_title(f"Why did the {column.upper() if column != 'expected_cost' else 'expected cost'} change? "
                 f"{base} → {change}".strip())
    handles = [Patch(color=POSITIVE, label="moves it up")] * bool((shares > 0).any())
    handles += [Patch(color=NEGATIVE, label="moves it down")] * bool((shares < 0).any())
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    if explained.attrs.get("method") == "sampled":
        ax.text(0.0, -0.22 if k > 4 else -0.12, f"Shares estimated from {explained.attrs.get('permutations')} "
                "random orders (standard errors in attrs['standard_error'])", transform=ax.transAxes,
                fontsize="x-small", color="#555555")
    ax.grid(axis="y", color="#e5e5e5", zorder=0)
    return ax
