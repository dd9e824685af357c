"""pmsim: plan and simulate IT projects in Jupyter.

CPM, PERT, Monte Carlo schedule risk, resource levelling, budget burn and
earned value on one project model.

>>> import pmsim as pm
>>> p = pm.read_project(pm.data_path("textbook"))
>>> s = pm.cpm(p)
>>> s.makespan
43.0

Heavy parts (plots, widgets, the compiled engine) load on first use, so
``import pmsim`` stays quick.
"""

from __future__ import annotations

import importlib
import sys
import types
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import (
    CycleError,
    DuplicateIdError,
    FileFormatError,
    InfeasibleError,
    LimitError,
    MissingExtraError,
    PmsimError,
    PmsimWarning,
    UnknownReferenceError,
    ValidationError,
)

if TYPE_CHECKING:  # what editors and type checkers see; at run time every name below loads on first use
    from .calendar import Calendar, CalendarException
    from .cpm import Schedule, cpm
    from .distributions import BetaPert, Discrete, Fixed, Lognormal, Triangular, Uniform
    from .io import read_project, write_project
    from .model import Baseline, Dependency, Project, Resource, Risk, Task

__version__ = "0.1.0"

# Public names that live in modules loaded on first use: name -> module.
_LAZY = {
    "Fixed": "distributions",
    "Triangular": "distributions",
    "BetaPert": "distributions",
    "Uniform": "distributions",
    "Lognormal": "distributions",
    "Discrete": "distributions",
    "Calendar": "calendar",
    "CalendarException": "calendar",
    "Task": "model",
    "Dependency": "model",
    "Resource": "model",
    "Risk": "model",
    "Project": "model",
    "Baseline": "model",
    "Schedule": "cpm",
    "cpm": "cpm",
    "read_project": "io",
    "write_project": "io",
    "pert": "pert",
    "PertResult": "pert",
    "simulate": "simulation",
    "Simulation": "simulation",
    "level": "levelling",
    "resource_profile": "levelling",
    "overallocations": "levelling",
    "smooth": "smoothing",
    "cost_model": "costs",
    "baseline_cost": "costs",
    "budget_burn": "budget",
    "jcl": "budget",
    "jcl_frontier": "budget",
    "contingency": "budget",
    "JointConfidence": "budget",
    "EarnedValue": "evm",
    "earned_value": "evm",
    "earned_value_series": "evm",
    "variance": "baseline_variance",
    "status_history": "control",
    "control_limits": "control_charts",
    "control_chart": "control_charts",
    "forecast_log": "scoreboard",
    "ForecastLog": "scoreboard",
    "calibrate": "reference_class",
    "reference_classes": "reference_class",
    "BaselineVariance": "baseline_variance",
    "read_progress": "io.progress_table",
    "Scenario": "scenarios",
    "compare": "scenarios",
    "explain": "attribution",
    "sweep": "sweeps",
    "Portfolio": "portfolio",
    "health_check": "health",
    "crash": "compression",
    "time_cost_curve": "compression",
    "CrashPlan": "compression",
    "forecast_backlog": "forecast",
    "forecast_items": "forecast",
    "BacklogForecast": "forecast",
    "ItemsForecast": "forecast",
    "read_history": "throughput",
    "History": "throughput",
    "Backlog": "throughput",
    "response_benefits": "responses",
    "critical_chain": "critical_chain",
    "CriticalChain": "critical_chain",
}
_SUBMODULES = ("plot", "widgets", "cli", "io", "scenarios", "network", "progress_bars", "limits", "safe_text")
_RENAMED = {"progress": "progress_bars"}  # old submodule name -> new; the old ones go in the next release


def __getattr__(name: str):
    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _RENAMED:
        new = _RENAMED[name]
        warnings.warn(f"pmsim.{name} is deprecated: use pmsim.{new}, the same functions", DeprecationWarning,
                      stacklevel=2)
        return importlib.import_module(f".{new}", __name__)
    raise AttributeError(f"module 'pmsim' has no attribute {name!r}")


class _Package(types.ModuleType):
    """The package, which keeps ``pm.cpm`` and ``pm.pert`` the functions once their modules are imported.

    Importing a submodule binds it on its package under its own name, so ``import pmsim.pert`` (or any
    module importing it) would turn ``pm.pert`` into the module; a public name always wins.
    """

    def __setattr__(self, name, value):
        if name in _LAZY and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __dir__():
    return sorted(set(globals()) | set(_LAZY) | set(_SUBMODULES))


def data_path(name: str = "") -> Path:
    """The folder of a sample project (or the folder of all of them).

    An installed pmsim carries them in ``pmsim/data/``; in a clone of the
    repository they are its ``data/`` folder, which notebooks and tests use.

    >>> data_path("erp_upgrade").name
    'erp_upgrade'
    """
    package = Path(__file__).resolve().parent
    root = package / "data"
    if not root.is_dir():  # a clone of the repository (or an editable install of it)
        root = package.parent / "data"
    return root / name if name else root


def sample_projects() -> list[str]:
    """The names of the sample projects in ``data/``.

    >>> "erp_upgrade" in sample_projects()
    True
    """
    root = data_path()
    return sorted(p.name for p in root.iterdir() if (p / "tasks.csv").is_file())


__all__ = [
    "PmsimError", "ValidationError", "CycleError", "DuplicateIdError", "UnknownReferenceError",
    "FileFormatError", "InfeasibleError", "MissingExtraError", "LimitError", "PmsimWarning",
    "Fixed", "Triangular", "BetaPert", "Uniform", "Lognormal", "Discrete",
    "Task", "Dependency", "Resource", "Risk", "Calendar", "CalendarException", "Project", "Baseline",
    "Schedule", "cpm", "read_project", "write_project", "data_path", "sample_projects",
    *_LAZY,
]
