"""Plots of cost over time and of cost against time: the budget burn S-curve and the JCL scatter."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from ..errors import ValidationError
from ..model import Project
from ._common import (
    BAND, CRITICAL, DEADLINE, NEGATIVE, P_COLOURS,
    budget_line, check_simulation, date_axis, day_end, day_num, end_labels, index_num, marker_line, money, money_axis,
    new_axes,
)

__all__ = ["budget_burn", "jcl"]

_P_COLUMN = re.compile(r"^p(\d+(?:\.\d+)?)$")


def budget_burn(burn_or_project, ax=None, sim_or_schedule=None, freq: str = "W", budget=None):
    """The budget burn S-curve: P-band of cumulative cost, the baseline banana and the budget.

    Parameters
    ----------
    burn_or_project : DataFrame or Project
        The frame of :func:`pmsim.budget_burn`, or a Project, in which case
        ``pm.budget_burn(project, sim_or_schedule, freq=freq)`` is drawn.
    ax : matplotlib Axes, optional
    sim_or_schedule : Simulation or Schedule, optional
        Only with a Project (see :func:`pmsim.budget_burn`).
    freq : str
        Only with a Project: the pandas frequency of the points.
    budget : float, optional
        The line to draw; ``burn.attrs["budget"]`` when None; ``False`` for none.

    Returns
    -------
    matplotlib Axes
        The band between the lowest and highest P-columns (``gid``
        ``"band"``), the middle P-line (``"p50"``), the early and late
        baseline curves with the banana between them (``"early"``,
        ``"late"``, ``"banana"``), a levelled schedule's ``"scheduled"``
        curve and the ``"budget"`` line. Each value is the cost accrued by
        the end of its date, so it is drawn at the end of that day. The
        final cost of the lowest, middle and highest P-curves is written in
        the right margin (``"p10:text"``, ``"p50:text"``, ``"p90:text"``),
        the labels spread apart when the values are close.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", budget=2000,
    ...     tasks=[pm.Task("A", optimistic=3, most_likely=5, pessimistic=10, cost_per_day=100),
    ...            pm.Task("B", optimistic=4, most_likely=5, pessimistic=9, cost_per_day=150)],
    ...     dependencies=[pm.Dependency("A", "B")])
    >>> ax = pm.plot.budget_burn(p, sim_or_schedule=pm.simulate(p, iterations=500, seed=1))
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['P10–P90 band', 'P50', 'Baseline early start', 'Baseline late start', 'Budget 2k USD']
    """
    title = "budget burn"
    if isinstance(burn_or_project, Project):
        from ..budget import budget_burn as compute

        title = f"{burn_or_project.name}: budget burn"
        burn = compute(burn_or_project, sim_or_schedule, freq=freq)
    elif isinstance(burn_or_project, pd.DataFrame):
        if sim_or_schedule is not None:
            raise ValidationError("budget_burn: give sim_or_schedule only with a Project, not with a burn DataFrame")
        burn = burn_or_project
    else:
        raise ValidationError(
            f"budget_burn needs the DataFrame of pm.budget_burn or a Project, got {type(burn_or_project).__name__}"
        )
    missing = {"early", "late"} - set(burn.columns)
    if missing or not isinstance(burn.index, pd.DatetimeIndex):
        raise ValidationError(
            "budget_burn: the DataFrame must be indexed by date with columns 'early' and 'late' "
            f"(from pm.budget_burn); missing {sorted(missing) or 'a date index'}"
        )
    currency = burn.attrs.get("currency", "")
    # The cost "at a date" is what has accrued by the end of that day.
    x = np.asarray(index_num(burn.index)) + 1.0
    ax = new_axes(ax)

    levels = sorted((float(m.group(1)), c) for c in burn.columns if (m := _P_COLUMN.match(str(c))))
    if len(levels) >= 2:
        (lo, lo_col), (hi, hi_col) = levels[0], levels[-1]
        ax.fill_between(x, burn[lo_col], burn[hi_col], color=BAND, alpha=0.6, linewidth=0,
                        label=f"P{lo:g}–P{hi:g} band", gid="band", zorder=2)
    if levels:
        mid, mid_col = min(levels, key=lambda lv: abs(lv[0] - 50))
        ax.plot(x, burn[mid_col], color=P_COLOURS[50], linewidth=2.2, label=f"P{mid:g}", gid="p50", zorder=4)
        # The final cost of each P-curve in the right margin, spread apart in the order of the levels when
        # the values are close.
        ends = [(level, col, "#31688e", f"p{level:g}:text") for level, col in (levels[0], levels[-1])
                if level != mid]
        ends = sorted([*ends, (mid, mid_col, P_COLOURS[50], "p50:text")])
        end_labels(ax, [(float(burn[col].iloc[-1]), f"P{level:g} {money(burn[col].iloc[-1], currency)}", colour, gid)
                        for level, col, colour, gid in ends])

    ax.fill_between(x, burn["late"], burn["early"], color="#bdbdbd", alpha=0.35, linewidth=0, gid="banana", zorder=1)
    ax.plot(x, burn["early"], color="#555555", linestyle="--", linewidth=1.2,
            label="Baseline early start", gid="early", zorder=3)
    ax.plot(x, burn["late"], color="#555555", linestyle=":", linewidth=1.4,
            label="Baseline late start", gid="late", zorder=3)
    if "scheduled" in burn.columns:
        ax.plot(x, burn["scheduled"], color=CRITICAL, linewidth=1.4, label="Scheduled (levelled)",
                gid="scheduled", zorder=3)

    if budget is None:
        budget = burn.attrs.get("budget")
    if budget is not None and budget is not False:
        b = float(budget)
        budget_line(ax, b, f"Budget {money(b, currency)}", label=f"Budget {money(b, currency)}",
                    x_text=0.01, ha="left")
    ax.set_xlim(x[0] - 1, x[-1] + max(0.02 * (x[-1] - x[0]), 2))
    top = np.nanmax(burn[[c for c in burn.columns if c != "working_day"]].to_numpy(float))
    if budget is not None and budget is not False:
        top = max(top, float(budget))
    ax.set_ylim(0, top * 1.08 if top > 0 else 1)
    money_axis(ax, "y")
    date_axis(ax)
    ax.set_xlabel("Date")
    ax.set_ylabel(f"Cumulative cost ({currency})" if currency else "Cumulative cost")
    ax.set_title(title)
    # S-curves rise to the upper right: the lower right corner is free.
    ax.legend(loc="lower right", fontsize="small", framealpha=0.9)
    ax.grid(color="#e5e5e5", zorder=0)
    return ax


_QUADRANTS = (
    # (on time, on budget) -> label, colour
    ((True, True), "On time and on budget", NEGATIVE),
    ((False, True), "Late, on budget", P_COLOURS[80]),
    ((True, False), "On time, over budget", P_COLOURS[90]),
    ((False, False), "Late and over budget", CRITICAL),
)


def jcl(sim, ax=None, budget=None, deadline=None, frontier: bool = True, target: float = 0.7):
    """Joint confidence scatter: finish date against cost, one dot per iteration.

    Parameters
    ----------
    sim : Simulation
    ax : matplotlib Axes, optional
    budget, deadline : optional
        As in :func:`pmsim.jcl` (the project's, else the baseline cost and
        the CPM finish).
    frontier : bool
        Also draws :func:`pmsim.jcl_frontier`: the (deadline, budget) pairs
        that reach ``target``.
    target : float
        The joint confidence the frontier reaches (NASA asks for 0.7).

    Returns
    -------
    matplotlib Axes
        The dots, one collection per quadrant (``gid`` ``"on_time_on_budget"``
        etc.), the quadrant lines ``"deadline"`` and ``"budget"``, the text
        ``"jcl_text"`` and the ``"frontier"`` step line. A dot sits at the end
        of its finish day, so it is on time when left of the deadline line.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", budget=600, deadline="2027-01-11",
    ...     tasks=[pm.Task("A", optimistic=3, most_likely=5, pessimistic=9, cost_per_day=100)])
    >>> ax = pm.plot.jcl(pm.simulate(p, iterations=1000, seed=3))
    >>> sum(len(c.get_offsets()) for c in ax.collections)
    1000
    """
    check_simulation(sim, "jcl")
    from ..budget import jcl as joint, jcl_frontier

    project = sim.project
    result = joint(sim, budget=budget, deadline=deadline)
    data = result.scatter
    x = day_end(project, data["finish"].to_numpy(float))
    cost = data["cost"].to_numpy(float)
    ax = new_axes(ax, figsize=(8, 5.5))
    n = len(data)
    # Many dots: small, translucent, rasterised so a saved SVG/PDF stays light.
    size = 10 if n <= 2000 else 4
    for (on_time, on_budget), label, colour in _QUADRANTS:
        mask = (data["on_time"].to_numpy() == on_time) & (data["on_budget"].to_numpy() == on_budget)
        gid = f"{'on_time' if on_time else 'late'}_{'on_budget' if on_budget else 'over_budget'}"
        ax.scatter(x[mask], cost[mask], s=size, color=colour, alpha=0.45, linewidths=0, rasterized=True,
                   label=f"{label} ({mask.mean():.0%})", gid=gid, zorder=2)
    cur = project.currency
    xd = day_num(result.deadline) + 1
    marker_line(ax, xd, f"Deadline {result.deadline.isoformat()}", DEADLINE, linestyle="--", gid="deadline")
    budget_line(ax, result.budget, f"Budget {money(result.budget, cur)}", x_text=0.80)
    xs, ys = [x.min(), x.max(), xd], [cost.min(), cost.max(), result.budget]
    if frontier:
        front = jcl_frontier(sim, target=target)
        if len(front):
            fx = index_num(pd.DatetimeIndex(front["deadline"])) + 1
            fy = front["budget"].to_numpy(float)
            ax.plot(fx, fy, drawstyle="steps-post", color="#222222", linewidth=1.8,
                    label=f"JCL {target:.0%} frontier", gid="frontier", zorder=5)
            xs.extend([fx.min(), fx.max()])
            ys.extend([fy.min(), fy.max()])
    ax.text(0.99, 0.98,
            f"JCL {result.jcl:.0%}\nP(on time) {result.p_on_time:.0%}\nP(on budget) {result.p_on_budget:.0%}",
            transform=ax.transAxes, ha="right", va="top", fontsize="medium", gid="jcl_text",
            bbox=dict(boxstyle="round", facecolor="white", edgecolor="#999999", alpha=0.9), zorder=6)
    xspan, yspan = max(xs) - min(xs), max(max(ys) - min(ys), 1.0)
    ax.set_xlim(min(xs) - 0.05 * xspan - 1, max(xs) + 0.05 * xspan + 1)
    ax.set_ylim(min(ys) - 0.06 * yspan, max(ys) + 0.12 * yspan)
    date_axis(ax)
    money_axis(ax, "y")
    ax.set_xlabel("Finish date")
    ax.set_ylabel(f"Total cost ({cur})")
    ax.set_title(f"{project.name}: joint confidence (JCL {result.jcl:.0%}), {n:,} iterations")
    legend = ax.legend(loc="upper left", fontsize="small", framealpha=0.9, markerscale=2.5)
    for handle in legend.legend_handles:
        if not isinstance(handle, Line2D):
            handle.set_alpha(1)
    ax.grid(color="#eeeeee", zorder=0)
    return ax

