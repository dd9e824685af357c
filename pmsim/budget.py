"""Cost model, budget burn, contingency and joint confidence (JCL).

The cost model: a task costs ``fixed_cost + cost_per_day × duration
+ Σ units × resource day rate × duration``; a risk that occurs adds its
``cost_impact``. Cost is therefore linear in the duration, which lets the
Monte Carlo engine follow each iteration's sampled durations.
"""

from __future__ import annotations

import numpy as np

from .model import Project

__all__ = ["cost_rates"]


def cost_rates(project: Project) -> tuple[np.ndarray, np.ndarray]:
    """Per task, in project task order: (fixed cost, cost per working day).

    The daily rate adds the task's own ``cost_per_day`` and, for each resource
    it demands, units × that resource's ``cost_per_day``.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", duration=2, fixed_cost=100, cost_per_day=10, resources={"dev": 2})],
    ...     resources=[pm.Resource("dev", capacity=3, cost_per_day=500)])
    >>> fixed, daily = cost_rates(p)
    >>> fixed.tolist(), daily.tolist()
    ([100.0], [1010.0])
    """
    rate = {r.id: r.cost_per_day for r in project.resources}
    fixed = np.array([t.fixed_cost for t in project.tasks], dtype=np.float64)
    daily = np.array(
        [t.cost_per_day + sum(units * rate[rid] for rid, units in t.resources) for t in project.tasks],
        dtype=np.float64,
    )
    return fixed, daily
