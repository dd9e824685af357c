"""The Monte Carlo engine: a project's :class:`~pmsim.montecarlo.plan.Plan` and the runner that samples and schedules it.

- :mod:`~pmsim.montecarlo.encoding`: distributions as the compiled samplers take them;
- :mod:`~pmsim.montecarlo.plan`: :func:`make_plan` (per task, in topological order, for a seed);
- :mod:`~pmsim.montecarlo.runner`: :func:`run` (batches of iterations, the fused kernel, the seam
  for other batch schedulers), :func:`join_runs`, :func:`sample_durations`;
- :mod:`~pmsim.montecarlo.requests`: what one run may ask for (iterations, chunk size, memory), checked
  before anything is allocated;
- :mod:`~pmsim.montecarlo.statistics`: what is regenerated from the seed rather than stored
  (sensitivity, achieved correlation).

Users call :func:`pmsim.simulate`; this package is the engine underneath it,
the levelled Monte Carlo and the Dask runs.
"""

from .plan import BLOCK, Plan, make_plan
from .runner import EngineRun, join_runs, run, sample_durations

__all__ = ["BLOCK", "Plan", "make_plan", "EngineRun", "run", "join_runs", "sample_durations"]
