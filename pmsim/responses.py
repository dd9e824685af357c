"""Risk responses weighed: what each response saves in days and money against what it costs.

:func:`response_benefits` runs the project once with the pre-response
register and once per response with that response alone in effect, all on
common random numbers (the same seed; every draw is keyed by seed, task and
risk id, so a response changes only what it changes), and tabulates per
response the P80 days and the expected cost it saves, its cost and the net
benefit.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ._seed import resolve_seed
from .errors import PmsimWarning
from .model import Project, require_project
from .simulation import check_iterations, simulate

__all__ = ["response_benefits", "BENEFIT_COLUMNS"]

BENEFIT_COLUMNS = ("name", "p80_days_saved", "mean_days_saved", "expected_cost_saved", "p80_cost_saved",
                   "response_cost", "net_benefit")


def _p80(values: np.ndarray) -> float:
    return float(np.percentile(values, 80, method="inverted_cdf"))


def response_benefits(project: Project, iterations: int = 10_000, seed=0, *, correlation=None,
                      levelled: bool = False) -> pd.DataFrame:
    """Per risk with a response, what the response saves against what it costs (a cost-benefit table).

    Each response is put in effect alone (``simulate(..., responses=[id])``)
    and compared with the pre-response run on common random numbers.

    Returns a DataFrame indexed by risk id with ``name``, ``p80_days_saved``
    (P80 finish before minus after, working days), ``mean_days_saved``,
    ``expected_cost_saved`` (mean cost before minus mean cost after, the
    response's own cost left out: the risk cost avoided and the cost of the
    days saved), ``p80_cost_saved`` (the same for the P80 cost),
    ``response_cost`` and ``net_benefit`` (expected cost saved minus response
    cost), sorted by net benefit, largest first. ``attrs["all"]``: the same
    numbers with every response in effect at once (not the sum of the rows:
    responses on the same path overlap).

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=10, cost_per_day=100)],
    ...     risks=[pm.Risk("R", probability=1, tasks=("A",), impact=pm.Fixed(5), cost_impact=2000,
    ...                    post_probability=0, response_cost=500)])
    >>> response_benefits(p, iterations=1000, seed=1).loc["R", ["p80_days_saved", "expected_cost_saved",
    ...                                                         "net_benefit"]].tolist()
    [5.0, 2500.0, 2000.0]
    """
    project = require_project(project, "response_benefits")
    iterations, seed = check_iterations(iterations), resolve_seed(seed)
    base = simulate(project, iterations, seed, correlation=correlation, levelled=levelled)
    responses = [r for r in project.risks if r.has_response]

    def row(ids, name, spend) -> dict:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PmsimWarning)  # the pre-response run has said it if so
            after = simulate(project, iterations, seed, correlation=correlation, levelled=levelled, responses=ids)
        cost = after.cost - spend
        saved = float(base.cost.mean() - cost.mean())
        return {"name": name, "p80_days_saved": base.percentile_days(80) - after.percentile_days(80),
                "mean_days_saved": float(base.finish.mean() - after.finish.mean()),
                "expected_cost_saved": saved, "p80_cost_saved": _p80(base.cost) - _p80(cost),
                "response_cost": spend, "net_benefit": saved - spend}

    rows = [row([r.id], r.name, r.response_cost) for r in responses]
    table = pd.DataFrame(rows, columns=list(BENEFIT_COLUMNS),
                         index=pd.Index([r.id for r in responses], name="id"))
    table = table.iloc[np.argsort(-table["net_benefit"].to_numpy(), kind="stable")]
    table.attrs.update(iterations=iterations, seed=seed)
    if responses:
        table.attrs["all"] = row([r.id for r in responses], "all responses",
                                 sum(r.response_cost for r in responses))
    return table
