"""The risk ranking in days and money: what each risk adds to the P80 finish and the P80 cost."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from ..errors import ValidationError
from ._common import NEGATIVE, POSITIVE, check_simulation, money, new_axes

__all__ = ["risk_ranking"]

_COLUMNS = ("name", "kind", "p80_days", "p80_cost")


def _label(rid: str, name: str, width: int = 30) -> str:
    text = rid if name == rid else f"{rid} {name}"
    return text if len(text) <= width else text[: width - 1] + "…"


def risk_ranking(result, ax=None, top: int = 15):
    """Risks ranked by the working days each adds to the P80 finish, with what it adds to the P80 cost.

    Parameters
    ----------
    result : Simulation or DataFrame
        A simulation (its :meth:`~pmsim.Simulation.risk_ranking` is computed,
        one run per risk) or the table that method returned.
    ax : matplotlib Axes, optional
    top : int
        How many risks to show, the largest effect on top.

    Returns
    -------
    matplotlib Axes
        One bar per risk (``gid`` ``"risk_ranking:<id>"``): threats (a later
        P80 with them) in red, opportunities in green; each bar is labelled
        with its days and what it adds to the P80 cost.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=10)],
    ...     risks=[pm.Risk("R1", "Vendor late", 1.0, tasks=("A",), impact=pm.Fixed(3)),
    ...            pm.Risk("R2", "Reuse", 1.0, tasks=("A",), impact=pm.Fixed(-1))])
    >>> ax = pm.plot.risk_ranking(pm.simulate(p, iterations=1000, seed=1))
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['R1 Vendor late', 'R2 Reuse']
    """
    if int(top) < 1:
        raise ValidationError(f"risk_ranking: top must be >= 1, got {top!r}")
    if isinstance(result, pd.DataFrame):
        missing = [c for c in _COLUMNS if c not in result.columns]
        if missing:
            raise ValidationError(f"risk_ranking needs the table of Simulation.risk_ranking(); missing {missing}")
        table, title, currency = result, "risk ranking", ""
    else:
        check_simulation(result, "risk_ranking")
        table = result.risk_ranking()
        title, currency = f"{result.project.name}: risk ranking", result.project.currency
    order = table["p80_days"].abs().sort_values(ascending=False, kind="stable").index[: int(top)]
    shown = table.loc[order]
    k = len(shown)
    ax = new_axes(ax, figsize=(9, min(max(2.5, 0.32 * k + 1.4), 20)))
    y = np.arange(k)
    days = shown["p80_days"].to_numpy(float)
    colours = np.where(days >= 0, POSITIVE, NEGATIVE)
    bars = ax.barh(y, days, height=0.65, color=colours, zorder=2) if k else []
    for patch, rid in zip(getattr(bars, "patches", []), shown.index):
        patch.set_gid(f"risk_ranking:{rid}")
    for yy, (rid, row) in zip(y, shown.iterrows()):
        v = float(row["p80_days"])
        cost = float(row["p80_cost"])
        text = f"{v:+.1f} d" + (f", {'+' if cost >= 0 else '-'}{money(abs(cost), currency)}" if cost else "")
        ax.annotate(text, xy=(v, yy), xytext=(3 if v >= 0 else -3, 0), textcoords="offset points",
                    ha="left" if v >= 0 else "right", va="center", fontsize="small", gid=f"risk_ranking:{rid}:text")
    ax.set_yticks(y, [_label(str(rid), str(row["name"])) for rid, row in shown.iterrows()],
                  fontsize="small" if k > 15 else None)
    ax.set_ylim(k - 0.4, -0.6)
    reach = max(float(np.abs(days).max()) if k else 0.0, 0.5) * 1.35
    ax.set_xlim(-reach if (days < 0).any() else -0.05 * reach, reach)
    ax.axvline(0, color="#555555", linewidth=0.8, zorder=1)
    if k == 0:
        ax.text(0.5, 0.5, "no risk in the register", transform=ax.transAxes, ha="center", va="center", gid="empty")
    ax.set_xlabel("Working days the risk adds to the P80 finish (removed in turn, same random numbers)")
    ax.set_title(title + (f" (top {k} of {len(table)})" if k < len(table) else ""))
    handles = [Patch(color=POSITIVE, label="Threat: later P80")] * bool((days >= 0).any())
    handles += [Patch(color=NEGATIVE, label="Opportunity: earlier P80")] * bool((days < 0).any())
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    ax.grid(axis="x", color="#e5e5e5", zorder=0)
    return ax
