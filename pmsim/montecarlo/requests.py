"""What one Monte Carlo run may ask for, checked before anything is allocated or sampled.

Iterations and the chunk size are positive integers within :mod:`pmsim.limits`
and the memory of this machine; ``keep="tasks"`` fits in memory; no estimate or
risk impact can sample more working days than a schedule can date.
"""

from __future__ import annotations

import math
import os

import numpy as np

from .. import limits
from ..cpm import MAX_WORKING_DAYS
from ..errors import ValidationError
from ..model import Project
from .runner import DEFAULT_CHUNK, threads

__all__ = ["positive_int", "check_iterations", "check_chunk", "default_chunk", "available_memory",
           "check_iterations_fit", "check_keep", "check_reach", "check_percentiles", "readonly", "KEEP_TASKS_LIMIT"]

KEEP_TASKS_LIMIT = 4 * 2**30  # bytes; keep="tasks" refuses more (or more than half the free memory)


def positive_int(name: str, value) -> int:
    """``value`` as an int, or a ValidationError naming ``name`` when it is not a positive integer."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValidationError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def check_iterations(iterations) -> int:
    """``iterations`` as an int, or a ValidationError when it is not a positive integer or above
    :data:`pmsim.limits.ITERATIONS`."""
    iterations = positive_int("iterations", iterations)
    limits.check("ITERATIONS", iterations, "iterations")
    return iterations


CHUNK_CELLS = 1 << 22  # tasks x iterations of a default chunk, at most, above 32,768 tasks


def default_chunk(n_tasks: int) -> int:
    """The iterations per chunk when none is asked for: :data:`DEFAULT_CHUNK` (128) up to 32,768 tasks,
    then the largest power of two that keeps tasks x iterations within :data:`CHUNK_CELLS`, at least 32.

    A chunk's rows (per task: two dates, a duration and a flag per iteration)
    should stay in cache: on a 50,000-task programme 64 iterations ran 15 %
    faster than 128 (``benchmarks/bench_scale.py``), with half the working
    memory. Results do not depend on the chunk.
    """
    chunk = DEFAULT_CHUNK
    while chunk > 32 and chunk * max(n_tasks, 1) > CHUNK_CELLS:
        chunk //= 2
    return chunk


def check_chunk(chunk_size, iterations: int, n_tasks: int) -> int:
    """The iterations per compiled chunk: at most ``iterations`` (results do not depend on it), and with
    working arrays (per thread, task and iteration: two dates, a duration and a flag) within
    :data:`pmsim.limits.CHUNK_BYTES`; :func:`default_chunk` when ``chunk_size`` is None."""
    chunk = min(default_chunk(n_tasks) if chunk_size is None else positive_int("chunk_size", chunk_size),
                iterations)
    limits.check("CHUNK_BYTES", 21 * threads() * max(n_tasks, 1) * chunk,
                 f"chunk_size={chunk_size} on {n_tasks:,} tasks and {threads()} threads: bytes of working arrays")
    return chunk


def available_memory() -> float:
    try:
        return float(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not Linux
        return math.inf


def check_iterations_fit(iterations: int, n_risks: int) -> None:
    # Per iteration: finish (float32 and float64), cost (three float64 arrays while
    # adding up), sorted finish and dates later, one byte per risk.
    need = iterations * (60.0 + n_risks)
    if need > 0.8 * available_memory():
        raise ValidationError(
            f"{iterations:,} iterations need about {need / 2**30:.1f} GB for the per-iteration results, "
            f"more than the {available_memory() / 2**30:.1f} GB of free memory; use fewer iterations"
        )


def check_keep(keep: str, iterations: int, n: int) -> bool:
    if keep not in ("summary", "tasks"):
        raise ValidationError(f"keep must be 'summary' or 'tasks', got {keep!r}")
    if keep == "summary":
        return False
    need = 4.0 * iterations * n
    limit = min(KEEP_TASKS_LIMIT, 0.5 * available_memory())
    if need > limit:
        raise ValidationError(
            f"keep='tasks' needs {need / 2**30:.1f} GB ({iterations:,} iterations x {n:,} tasks x 4 bytes), "
            f"more than the {limit / 2**30:.1f} GB allowed (4 GB, or half the free memory); use fewer "
            "iterations, keep='summary', or Simulation.iter_task_dates() to go through task dates chunk by chunk"
        )
    return True


def check_reach(project: Project) -> None:
    """Refuse an estimate or risk impact that can sample more working days than a schedule can date
    (:data:`pmsim.cpm.MAX_WORKING_DAYS`): the planned durations pass the schedule's check, a sampled one
    would give a finish after 9999-12-31."""
    for task in project.tasks:
        if task.actual_finish is not None:
            continue  # finished: its actual dates, whatever its (sometimes junk) planned duration says
        high = task.estimate.high
        if (task.actual_start is not None and task.remaining_duration is not None
                and project.progress_rule != "ms_project" and task.planned_duration > 0):
            high *= task.remaining_duration / task.planned_duration  # the engine samples the share left
        if math.isfinite(high) and high > MAX_WORKING_DAYS:
            raise ValidationError(f"Task {task.id!r}: its estimate reaches {high:g} working days; durations beyond "
                                  f"{MAX_WORKING_DAYS:,} working days cannot be dated (check the estimate)")
    for risk in project.risks:
        high = risk.impact.high if risk.impact is not None else 0.0
        if math.isfinite(high) and high > MAX_WORKING_DAYS:
            raise ValidationError(f"Risk {risk.id!r}: its impact reaches {high:g} working days; delays beyond "
                                  f"{MAX_WORKING_DAYS:,} working days cannot be dated (check the impact)")


def readonly(a: np.ndarray) -> np.ndarray:
    """``a``, made read-only (the arrays results hand out)."""
    a.setflags(write=False)
    return a


def check_percentiles(p) -> np.ndarray:
    """Percentiles as an array, each checked to lie in [0, 100]."""
    try:
        arr = np.asarray(p, dtype=float)
    except (TypeError, ValueError):
        raise ValidationError(f"a percentile must be a number in [0, 100], got {p!r}") from None
    if arr.size == 0 or not np.all((arr >= 0) & (arr <= 100)):
        raise ValidationError(f"a percentile must be in [0, 100], got {p!r}")
    return arr
