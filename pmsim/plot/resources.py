"""The resource profile: demand per working day against capacity, before and after levelling."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..cpm import Schedule, cpm
from ..errors import UnknownReferenceError, ValidationError
from ..model import Project
from ._common import CRITICAL, NORMAL, date_axis, index_num, new_axes, place_legend

__all__ = ["resource_profile"]

CAPACITY = "#111111"
AFTER = "#2ca02c"


def _bottleneck(profile: pd.DataFrame) -> str:
    """The resource with the highest peak demand relative to its capacity."""
    best, best_ratio = None, -1.0
    for rid in profile.columns.get_level_values(0).unique():
        demand = float(profile[rid]["demand"].max())
        cap = float(profile[rid]["capacity"].iloc[0])
        ratio = demand / cap if cap > 0 else (np.inf if demand > 0 else 0.0)
        if ratio > best_ratio:
            best, best_ratio = rid, ratio
    return best


def _spans(dates: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """Left edge and width of each working day, stretched over the non-working days after it.

    A profile drawn with gaps at every weekend reads as a comb; holding each
    working day's value until the next working day gives a clean step profile
    (nothing is in use on the weekend, but nothing changes either).
    """
    left = index_num(dates)
    return left, np.diff(np.append(left, left[-1] + 1))


def _steps(dates: pd.DatetimeIndex, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x, y of a steps-post line holding each working day's value until the next one."""
    left, width = _spans(dates)
    return np.append(left, left[-1] + width[-1]), np.append(values, values[-1])


def resource_profile(project: Project, schedule: Schedule | None = None, ax=None, resource: str | None = None,
                     levelled: Schedule | None = None):
    """Units of one resource in use per working day, with its capacity, before and after levelling.

    Parameters
    ----------
    project : Project
    schedule : Schedule, optional
        The schedule drawn as bars (default ``pm.cpm(project)``: the plan
        before levelling). Demand above capacity is stacked in red.
    ax : matplotlib Axes, optional
    resource : str, optional
        A resource id; by default the bottleneck, the resource whose peak
        demand is highest relative to its capacity.
    levelled : Schedule, optional
        A second schedule (e.g. ``pm.level(project)``) whose demand is drawn
        as a green step line over the bars: the profile after levelling.

    Returns
    -------
    matplotlib Axes
        Bars ``"demand"`` (one per working day, up to the capacity) and
        ``"over"`` (the over-allocation above it), the step lines
        ``"capacity"`` and ``"levelled"``. A working day D starts at D on
        the date axis and holds until the next working day, so a profile has
        no comb of weekend gaps.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", duration=2, resources={"dev": 2}), pm.Task("B", duration=1, resources={"dev": 1})],
    ...     resources=[pm.Resource("dev", capacity=2)])
    >>> ax = pm.plot.resource_profile(p, levelled=pm.level(p))
    >>> [float(b.get_height()) for b in ax.patches if b.get_gid() == "over"]
    [1.0, 0.0]
    >>> float(max(ax.get_lines()[-1].get_ydata()))
    2.0
    """
    from ..levelling import resource_profile as profile_of

    if not isinstance(project, Project):
        raise ValidationError(f"resource_profile needs a Project first, got {type(project).__name__}")
    if not project.resources:
        raise ValidationError(f"Project {project.name!r} has no resources: there is no resource profile to draw")
    for name, value in (("schedule", schedule), ("levelled", levelled)):
        if value is not None and not isinstance(value, Schedule):
            raise ValidationError(f"resource_profile: {name} must be a Schedule, got {type(value).__name__}")
    schedule = cpm(project) if schedule is None else schedule
    profile = profile_of(project, schedule)
    if len(profile) == 0:
        raise ValidationError(
            f"resource_profile: the schedule of Project {project.name!r} has no working day (makespan 0), "
            "so there is no profile to draw"
        )
    if resource is None:
        resource = _bottleneck(profile)
    elif resource not in profile.columns.get_level_values(0):
        known = ", ".join(r.id for r in project.resources)
        raise UnknownReferenceError(f"resource_profile: Project {project.name!r} has no resource {resource!r} (it has {known})")
    rows = profile[resource]
    demand = rows["demand"].to_numpy(float)
    capacity = rows["capacity"].to_numpy(float)
    over = rows["overallocation"].to_numpy(float)
    x, width = _spans(rows.index)
    ax = new_axes(ax)

    before = "Demand before levelling" if levelled is not None else "Demand"
    ax.bar(x, demand - over, width=width, align="edge", color=NORMAL, linewidth=0, gid="demand", zorder=2)
    ax.bar(x, over, bottom=demand - over, width=width, align="edge", color=CRITICAL, linewidth=0,
           gid="over", zorder=2)
    handles = [Patch(color=NORMAL, label=f"{before} (within capacity)"),
               Patch(color=CRITICAL, label="Over capacity")]
    ends = [x[-1] + width[-1]]
    top = [float(demand.max()), float(capacity.max())]

    after_rows = None
    if levelled is not None:
        after_rows = profile_of(project, levelled)[resource]
        edges, values = _steps(after_rows.index, after_rows["demand"].to_numpy(float))
        ax.plot(edges, values, drawstyle="steps-post", color=AFTER, linewidth=2.0, gid="levelled", zorder=4)
        handles.append(Line2D([], [], color=AFTER, linewidth=2,
                              label=f"After levelling (finish {levelled.finish_date:%d %b %Y})"))
        ends.append(edges[-1])
        top.append(float(values.max()))

    # Capacity over the whole view (it holds across weekends: no saw-tooth).
    span_rows = after_rows if after_rows is not None and len(after_rows) > len(rows) else rows
    edges, cap = _steps(span_rows.index, span_rows["capacity"].to_numpy(float))
    ax.plot(edges, cap, drawstyle="steps-post", color=CAPACITY, linestyle="--",
            linewidth=1.6, gid="capacity", zorder=5)
    handles.insert(2, Line2D([], [], color=CAPACITY, linestyle="--", label=f"Capacity ({cap.max():g})"))

    span = max(ends) - x[0]
    ax.set_xlim(x[0] - 0.02 * span - 0.5, max(ends) + 0.02 * span + 0.5)
    ax.set_ylim(0, max(top) * 1.25 if max(top) > 0 else 1)
    date_axis(ax)
    name = project.resource(resource).name
    label = resource if name == resource else f"{name} ({resource})"
    ax.set_xlabel("Date")
    ax.set_ylabel(f"{label}: units in use (peak per day)")
    days_over = int(np.count_nonzero(over > 0))
    ax.set_title(f"{project.name}: {label}, peak {demand.max():g} of {capacity.max():g}"
                 + (f", over capacity on {days_over} working day{'s' * (days_over != 1)}" if days_over
                    else ", within capacity"))
    place_legend(ax, ("upper right", "upper left"), x + width / 2, demand, handles=handles, fontsize="small")
    ax.grid(axis="y", color="#e5e5e5", zorder=0)
    return ax
