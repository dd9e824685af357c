"""Running on a Dask cluster: scenarios as Dask tasks, and one simulation split into ranges of iterations.

Every function takes a ``dask.distributed.Client``; the numbers are
identical to an in-process run (random numbers are a function of seed, task
and iteration). A closed client or a scheduler that does not answer raises a
:class:`~pmsim.errors.ValidationError` at once; ``timeout`` bounds the wait.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .errors import ValidationError
from .model import Project
from .montecarlo.plan import BLOCK, make_plan
from .montecarlo.runner import EngineRun, join_runs, run
from .simulation import Simulation, simulate_plan

__all__ = ["check_client", "map_on_client", "simulate_on_client"]


def check_client(client) -> None:
    """Fail fast and clearly if a Dask client is closed or its scheduler unreachable."""
    status = getattr(client, "status", None)
    if status != "running":
        raise ValidationError(f"the Dask client is not running (status {status!r}); start a new Client")
    try:
        client.run_on_scheduler(lambda: True, wait=True)  # a round trip to the scheduler
    except Exception as exc:  # noqa: BLE001 - any failure here means the cluster cannot be used
        raise ValidationError(f"the Dask scheduler at {getattr(client, 'scheduler', None)} does not answer: {exc}") from None


def map_on_client(client, func: Callable, items: Sequence, *args, timeout: float | None, what: str) -> list:
    """``[func(item, *args) for item in items]``, each call a Dask task; ``what`` names the items in errors."""
    from dask.distributed import wait

    futures = [client.submit(func, item, *args, pure=False) for item in items]
    done, not_done = wait(futures, timeout=timeout)
    if not_done:
        client.cancel(list(not_done))
        raise ValidationError(f"{len(not_done)} of {len(futures)} {what} did not finish within {timeout} s "
                              "on the Dask cluster")
    return client.gather(futures)


def _scheduler(project: Project, plan, levelled: bool):
    if not levelled:
        return None
    from .levelled_montecarlo import levelled_scheduler

    return levelled_scheduler(project, plan)


def _simulate_range(span: tuple[int, int], project: Project, iterations: int, seed: int, levelled: bool,
                    keep_tasks: bool) -> EngineRun:
    """Iterations ``span[0] .. span[1] - 1`` of a run (runs on a Dask worker)."""
    plan = make_plan(project, seed)
    return run(plan, iterations, keep_tasks=keep_tasks, schedule_batch=_scheduler(project, plan, levelled),
               first=span[0], last=span[1])


def simulate_on_client(client, project: Project, iterations: int, seed: int, *, levelled: bool = False,
                       keep_tasks: bool = False, timeout: float | None = 600) -> Simulation:
    """One simulation split into ranges of iterations, each a Dask task; joined into a Simulation."""
    check_client(client)
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    blocks = -(-iterations // BLOCK)
    per_task = max(1, -(-blocks // (2 * workers))) * BLOCK  # two ranges per worker
    spans = [(a, min(a + per_task, iterations)) for a in range(0, iterations, per_task)]
    parts = map_on_client(client, _simulate_range, spans, project, iterations, seed, levelled, keep_tasks,
                          timeout=timeout, what="iteration ranges")
    plan = make_plan(project, seed)
    return simulate_plan(project, plan, iterations, seed, keep_tasks=keep_tasks,
                         scheduler=_scheduler(project, plan, levelled), engine_run=join_runs(parts))
