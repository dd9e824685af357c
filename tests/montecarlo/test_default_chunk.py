"""The default chunk of iterations: 128 up to 32,768 tasks, smaller above (a chunk's rows stay in cache)."""

from __future__ import annotations

import numpy as np
import pytest

import pmsim as pm
from pmsim.montecarlo import requests
from pmsim.montecarlo.requests import default_chunk
from support import make_project


@pytest.mark.parametrize("tasks, chunk", [
    (1, 128), (10_000, 128),
    (32_768, 128),  # 32,768 x 128 = 2**22 cells: the most a 128-iteration chunk takes
    (32_769, 64), (50_000, 64),  # 50,000 x 64 = 3.2 M cells
    (65_537, 32), (1_000_000, 32),  # never below 32 (the loops over a chunk's iterations vectorise)
])
def test_default_chunk_keeps_tasks_times_iterations_within_the_cells(tasks, chunk):
    assert default_chunk(tasks) == chunk


def test_a_run_with_the_default_chunk_has_the_same_numbers(monkeypatch):
    # Above the threshold (lowered here, so that a small project crosses it) simulate runs 32-iteration
    # chunks by default; every array is the same as with 128-iteration chunks.
    tasks = [pm.Task(f"T{k}", optimistic=1 + k % 3, most_likely=3 + k % 4, pessimistic=9 + k) for k in range(40)]
    p = make_project(tasks, [(f"T{k}", f"T{k + 5}") for k in range(35)])
    wide = pm.simulate(p, iterations=1000, seed=11, keep="tasks", chunk_size=128)
    monkeypatch.setattr(requests, "CHUNK_CELLS", 40 * 32)
    assert requests.check_chunk(None, 1000, 40) == 32
    narrow = pm.simulate(p, iterations=1000, seed=11, keep="tasks")
    for a, b in ((wide.finish, narrow.finish), (wide.cost, narrow.cost), (wide.task_finish, narrow.task_finish),
                 (wide.criticality.to_numpy(), narrow.criticality.to_numpy())):
        assert np.array_equal(a, b)
