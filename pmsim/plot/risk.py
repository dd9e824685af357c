"""Plots of a Monte Carlo Simulation: finish and cost distributions, tornado, criticality."""

from __future__ import annotations

import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from ..cpm import cpm
from ..errors import ValidationError
from ._common import (
    BUDGET, CRITICAL, DEADLINE, NEGATIVE, NORMAL, P_COLOURS, POSITIVE,
    check_simulation, date_axis, day_end, day_num, deadline_day, marker_line, money, money_axis, new_axes,
    place_legend, spread_labels,
)

__all__ = ["histogram", "cdf", "tornado", "criticality", "cost_histogram", "P_LEVELS"]

P_LEVELS = (50, 80)
LATE = "#e8a3a3"


def _task_labels(project, ids, width=28) -> list[str]:
    names = {t.id: t.name for t in project.tasks}
    out = []
    for tid in ids:
        name = names.get(tid, tid)
        text = tid if name == tid else f"{tid} {name}"
        out.append(text if len(text) <= width else text[: width - 1] + "…")
    return out


def histogram(sim, ax=None, deadline=None, bins: int = 50):
    """The distribution of the finish date, with P50/P80 and the deadline.

    Parameters
    ----------
    sim : Simulation
    ax : matplotlib Axes, optional
    deadline : date-like, optional
        The project's deadline when None; ``False`` draws none. Bars after it
        are shaded as late, and its label gives P(on time).
    bins : int
        Bins over the range of finishes, equal in working days (a bin that
        holds a weekend is wider on the date axis, so no bar drops to zero
        on weekends).

    Returns
    -------
    matplotlib Axes
        Bars (``gid`` ``"bin"``) give the share of iterations; the lines
        ``"p50"`` and ``"p80"`` sit where that finish ends (the end of the
        labelled day for a whole number of working days, inside it for a
        fraction), ``"deadline"`` at the end of its day.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", optimistic=3, most_likely=5, pessimistic=10)])
    >>> sim = pm.simulate(p, iterations=2000, seed=1)
    >>> ax = pm.plot.histogram(sim, deadline="2027-01-12")
    >>> [t.get_text().split()[0] for t in ax.get_legend().get_texts()]
    ['P50', 'P80', 'Deadline']
    >>> ax.get_lines()[1].get_gid()
    'p80'
    """
    check_simulation(sim, "histogram")
    project = sim.project
    finish = np.asarray(sim.finish, dtype=float)
    n = finish.size
    edges_days = np.histogram_bin_edges(finish, bins=bins)
    edges = day_end(project, edges_days)
    counts, _ = np.histogram(finish, bins=edges_days)
    share = counts / n
    ax = new_axes(ax)
    late_day = deadline_day(project, deadline)
    late_x = None if late_day is None else day_num(late_day) + 1
    centres = (edges[:-1] + edges[1:]) / 2
    colours = [LATE if late_x is not None and c > late_x else NORMAL for c in centres]
    ax.bar(edges[:-1], share, width=np.diff(edges), align="edge", color=colours,
           edgecolor="white", linewidth=0.3, gid="bin", zorder=2)
    ends = [edges[0], edges[-1]]
    for p in P_LEVELS:
        x = day_end(project, sim.percentile_days(p))[0]
        date = sim.percentile(p)
        marker_line(ax, x, f"P{p} {date.isoformat()}", P_COLOURS[p], label=f"P{p} {date:%a %d %b %Y}", gid=f"p{p}")
    if late_x is not None:
        on_time = sim.probability_by(late_day.item())
        marker_line(ax, late_x, f"Deadline {late_day}", DEADLINE, linestyle=":", side="left",
                    label=f"Deadline {late_day.item():%a %d %b %Y}: P(on time) {on_time:.0%}", gid="deadline")
        ends.append(late_x)
    span = max(ends) - min(ends)
    ax.set_xlim(min(ends) - 0.03 * span - 1, max(ends) + 0.03 * span + 1)
    ax.set_ylim(0, share.max() * 1.18 if n else 1)
    ax.yaxis.set_major_formatter(mticker.PercentFormatter(1.0))
    date_axis(ax)
    spread_labels(ax)
    ax.set_xlabel("Finish date")
    ax.set_ylabel("Share of iterations")
    ax.set_title(f"{project.name}: finish date, {n:,} iterations")
    place_legend(ax, ("upper left", "upper right"), centres, share, fontsize="small")
    ax.grid(axis="y", color="#e5e5e5", zorder=0)
    return ax


def cdf(sim, ax=None, deadline=None):
    """The cumulative probability of finishing by each date, with P50/P80 and the deadline.

    Parameters
    ----------
    sim : Simulation
    ax : matplotlib Axes, optional
    deadline : date-like, optional
        The project's deadline when None; ``False`` draws none.

    Returns
    -------
    matplotlib Axes
        The curve (``gid`` ``"cdf"``) steps up at the end of each simulated
        finish day; P-lines ``"p50"``, ``"p80"`` and ``"deadline"`` are
        vertical lines with a dot where they meet their probability.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", optimistic=3, most_likely=5, pessimistic=10)])
    >>> ax = pm.plot.cdf(pm.simulate(p, iterations=2000, seed=1), deadline="2027-01-12")
    >>> ax.get_ylabel()
    'Probability of finishing by'
    """
    check_simulation(sim, "cdf")
    project = sim.project
    finish = np.sort(np.asarray(sim.finish, dtype=float))
    n = finish.size
    x = day_end(project, finish)
    y = np.arange(1, n + 1) / n
    ax = new_axes(ax)
    ax.plot(np.r_[x[0], x], np.r_[0.0, y], drawstyle="steps-post", color=NORMAL, linewidth=2,
            gid="cdf", label="P(finish by date)", zorder=3)
    ends = [x[0], x[-1]]
    for p in P_LEVELS:
        xp = day_end(project, sim.percentile_days(p))[0]
        date = sim.percentile(p)
        marker_line(ax, xp, f"P{p} {date.isoformat()}", P_COLOURS[p], label=f"P{p} {date:%a %d %b %Y}",
                    gid=f"p{p}", y_text=0.35)
        ax.plot([xp], [p / 100], "o", color=P_COLOURS[p], gid=f"p{p}:point", zorder=5)
    late_day = deadline_day(project, deadline)
    if late_day is not None:
        xd = day_num(late_day) + 1
        on_time = sim.probability_by(late_day.item())
        marker_line(ax, xd, f"Deadline {late_day}", DEADLINE, linestyle=":", side="left", y_text=0.98,
                    label=f"Deadline {late_day.item():%a %d %b %Y}: P(on time) {on_time:.0%}", gid="deadline")
        ax.axhline(on_time, color=DEADLINE, linestyle=":", linewidth=0.8, gid="p_on_time", zorder=1)
        ends.append(xd)
    span = max(ends) - min(ends)
    ax.set_xlim(min(ends) - 0.03 * span - 1, max(ends) + 0.03 * span + 1)
    ax.set_ylim(0.0, 1.02)
    ax.yaxis.set_major_formatter(mticker.PercentFormatter(1.0))
    date_axis(ax)
    spread_labels(ax)
    ax.set_xlabel("Finish date")
    ax.set_ylabel("Probability of finishing by")
    ax.set_title(f"{project.name}: finish date CDF, {n:,} iterations")
    place_legend(ax, ("lower right", "upper left"), x, y, fontsize="small")
    ax.grid(color="#e5e5e5", zorder=0)
    return ax


def tornado(sim, ax=None, top: int = 15):
    """Sensitivity tornado: each task's Spearman rank correlation with the finish, largest on top.

    Parameters
    ----------
    sim : Simulation
    ax : matplotlib Axes, optional
    top : int
        How many tasks to show (by absolute correlation).

    Returns
    -------
    matplotlib Axes
        One bar per task (``gid`` ``"sensitivity:<id>"``); positive
        correlations (longer task, later finish) in red, negative in green.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", optimistic=3, most_likely=5, pessimistic=10),
    ...            pm.Task("B", optimistic=1, most_likely=2, pessimistic=3)],
    ...     dependencies=[pm.Dependency("A", "B")])
    >>> ax = pm.plot.tornado(pm.simulate(p, iterations=2000, seed=1))
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['A', 'B']
    """
    check_simulation(sim, "tornado")
    sensitivity = pd.Series(sim.sensitivity, dtype=float)
    # A task whose duration never varies has exactly 0: nothing to show.
    return _ranked_bars(
        sim, sensitivity[sensitivity != 0], ax, top, kind="sensitivity",
        xlabel="Spearman rank correlation of duration with finish",
        title="sensitivity of the finish date",
    )


def criticality(sim, ax=None, top: int = 20):
    """Criticality index: the share of iterations in which each task was critical.

    Parameters
    ----------
    sim : Simulation
    ax : matplotlib Axes, optional
    top : int
        How many tasks to show, most critical on top.

    Returns
    -------
    matplotlib Axes
        One bar per task (``gid`` ``"criticality:<id>"``), red when the task
        is on the deterministic (CPM) critical path, so the tasks that become
        critical only under uncertainty stand out.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", optimistic=3, most_likely=5, pessimistic=10),
    ...            pm.Task("B", optimistic=1, most_likely=4, pessimistic=12)])
    >>> ax = pm.plot.criticality(pm.simulate(p, iterations=2000, seed=1))
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['A', 'B']
    """
    check_simulation(sim, "criticality")
    return _ranked_bars(
        sim, pd.Series(sim.criticality, dtype=float), ax, top, kind="criticality",
        xlabel="Criticality index (share of iterations on the critical path)",
        title="criticality index",
    )


def _ranked_bars(sim, values: pd.Series, ax, top: int, *, kind: str, xlabel: str, title: str):
    if int(top) < 1:
        raise ValidationError(f"{kind}: top must be >= 1, got {top!r}")
    project = sim.project
    values = values.dropna()
    order = values.abs().sort_values(ascending=False, kind="stable").index[: int(top)]
    shown = values.loc[order]
    k = len(shown)
    ax = new_axes(ax, figsize=(9, min(max(2.5, 0.32 * k + 1.4), 20)))
    y = np.arange(k)
    if kind == "sensitivity":
        colours = np.where(shown.to_numpy() >= 0, POSITIVE, NEGATIVE)
        handles = [Patch(color=POSITIVE, label="Longer task, later finish")] * bool((shown >= 0).any())
        handles += [Patch(color=NEGATIVE, label="Longer task, earlier finish")] * bool((shown < 0).any())
    else:
        critical = cpm(project).table["critical"]
        colours = np.where(critical.reindex(shown.index, fill_value=False).to_numpy(bool), CRITICAL, NORMAL)
        handles = [Patch(color=CRITICAL, label="On the CPM critical path"),
                   Patch(color=NORMAL, label="Not on the CPM critical path")]
    bars = ax.barh(y, shown.to_numpy(float), height=0.65, color=colours, zorder=2) if k else []
    for patch, tid in zip(getattr(bars, "patches", []), shown.index):
        patch.set_gid(f"{kind}:{tid}")
    for yy, (tid, v) in zip(y, shown.items()):
        text = f"{v:.0%}" if kind == "criticality" else f"{v:+.2f}"
        ax.annotate(text, xy=(v, yy), xytext=(3 if v >= 0 else -3, 0), textcoords="offset points",
                    ha="left" if v >= 0 else "right", va="center", fontsize="small", gid=f"{kind}:{tid}:text")
    ax.set_yticks(y, _task_labels(project, shown.index), fontsize="small" if k > 15 else None)
    ax.set_ylim(k - 0.4, -0.6)
    if kind == "sensitivity":
        reach = max(float(shown.abs().max()) if k else 0.0, 0.05) * 1.25
        ax.set_xlim(-reach if (shown < 0).any() else -0.05 * reach, reach)
        ax.axvline(0, color="#555555", linewidth=0.8, zorder=1)
    else:
        ax.set_xlim(0.0, 1.1)
        ax.xaxis.set_major_formatter(mticker.PercentFormatter(1.0))
    if k == 0:
        ax.text(0.5, 0.5, "no task duration varies" if kind == "sensitivity" else "no task to show",
                transform=ax.transAxes, ha="center", va="center", gid="empty")
    ax.set_xlabel(xlabel)
    ax.set_title(f"{project.name}: {title}" + (f" (top {k} of {len(values)})" if k < len(values) else ""))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    ax.grid(axis="x", color="#e5e5e5", zorder=0)
    return ax


def cost_histogram(sim, ax=None, budget=None, bins: int = 50):
    """The distribution of the total cost, with P50/P80 and the budget.

    Parameters
    ----------
    sim : Simulation
    ax : matplotlib Axes, optional
    budget : float, optional
        The project's budget when None (its baseline cost when it has none);
        ``False`` draws no budget line. Its label gives P(on budget).
    bins : int

    Returns
    -------
    matplotlib Axes
        Bars (``gid`` ``"bin"``) give the share of iterations; lines ``"p50"``,
        ``"p80"`` at ``sim.cost_percentile(p)`` and ``"budget"``.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", budget=700,
    ...     tasks=[pm.Task("A", optimistic=3, most_likely=5, pessimistic=10, cost_per_day=100)])
    >>> ax = pm.plot.cost_histogram(pm.simulate(p, iterations=2000, seed=1))
    >>> ax.get_xlabel()
    'Total cost (USD)'
    """
    check_simulation(sim, "cost_histogram")
    from ..costs import project_budget, require_costs

    project = sim.project
    require_costs(project, "cost_histogram")
    cost = np.asarray(sim.cost, dtype=float)
    n = cost.size
    counts, edges = np.histogram(cost, bins=bins)
    share = counts / n
    if budget is None:
        budget = project_budget(project)
    over = None if budget is False else float(budget)
    centres = (edges[:-1] + edges[1:]) / 2
    colours = [LATE if over is not None and c > over else NORMAL for c in centres]
    ax = new_axes(ax)
    ax.bar(edges[:-1], share, width=np.diff(edges), align="edge", color=colours,
           edgecolor="white", linewidth=0.3, gid="bin", zorder=2)
    ends = [edges[0], edges[-1]]
    cur = project.currency
    for p in P_LEVELS:
        x = float(sim.cost_percentile(p))
        marker_line(ax, x, f"P{p} {money(x, cur)}", P_COLOURS[p], label=f"P{p} {money(x, cur)}", gid=f"p{p}")
    if over is not None:
        on_budget = sim.probability_within(over)
        marker_line(ax, over, f"Budget {money(over, cur)}", BUDGET, linestyle=":", side="left",
                    label=f"Budget {money(over, cur)}: P(on budget) {on_budget:.0%}", gid="budget")
        ends.append(over)
    span = max(max(ends) - min(ends), 1.0)
    ax.set_xlim(min(ends) - 0.04 * span, max(ends) + 0.04 * span)
    ax.set_ylim(0, share.max() * 1.18)
    ax.yaxis.set_major_formatter(mticker.PercentFormatter(1.0))
    spread_labels(ax)
    money_axis(ax)
    ax.set_xlabel(f"Total cost ({cur})")
    ax.set_ylabel("Share of iterations")
    ax.set_title(f"{project.name}: total cost, {n:,} iterations")
    place_legend(ax, ("upper left", "upper right"), centres, share, fontsize="small")
    ax.grid(axis="y", color="#e5e5e5", zorder=0)
    return ax
