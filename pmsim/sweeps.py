"""Parameter sweeps: every combination of a grid of what-if settings, simulated with common random numbers."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping

import pandas as pd

from ._seed import resolve_seed
from .errors import ValidationError
from .model import Project
from .scenarios import Scenario, run_scenarios
from .simulation import check_iterations

__all__ = ["sweep"]


def sweep(project: Project, grid: Mapping[str, Iterable], iterations: int = 10_000, seed=0, *,
          levelled: bool = False, client=None, timeout: float | None = 600) -> pd.DataFrame:
    """Simulate every combination of a parameter grid; one tidy row per combination.

    ``grid`` maps setting names (``multiplier``, ``phase:<phase>``,
    ``task:<id>``, ``capacity:<resource id>``, ``risk:<risk id>``, ``response:<risk id>``,
    ``correlation``, ``levelled``, ``deadline``, ``budget``) to lists of values.

    >>> import pmsim as pm
    >>> p = pm.read_project(pm.data_path("textbook"))
    >>> t = pm.sweep(p, {"multiplier": [0.9, 1.0, 1.1]}, iterations=1000, seed=1)
    >>> t["multiplier"].tolist(), bool(t["p80_days"].is_monotonic_increasing)
    ([0.9, 1.0, 1.1], True)
    """
    if not isinstance(grid, Mapping):
        raise ValidationError(f"the grid must map setting names to values, such as {{'multiplier': [1.0, 1.2]}}; "
                              f"got {type(grid).__name__}")
    if not grid:
        raise ValidationError("the grid is empty; give at least one setting with values")
    keys, values = [], []
    for key, vals in grid.items():
        vals = [vals] if isinstance(vals, (str, bytes)) else list(vals)
        if not vals:
            raise ValidationError(f"grid setting {key!r} has no values")
        keys.append(key)
        values.append(vals)
    combos = list(itertools.product(*values))
    scenarios = [Scenario.from_settings(f"#{i}", dict(zip(keys, combo))) for i, combo in enumerate(combos)]
    for s in scenarios[:1]:
        s.check(project)
    iterations, seed = check_iterations(iterations), resolve_seed(seed)
    rows = run_scenarios(project, scenarios, iterations, seed, levelled, client, timeout)
    table = pd.DataFrame([dict(zip(keys, combo)) | row for combo, row in zip(combos, rows)])
    table.attrs.update(iterations=iterations, seed=seed)
    return table
