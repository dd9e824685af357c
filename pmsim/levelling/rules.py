"""Priority rules of the schedule-generation schemes: which task first.

Each rule gives a value per task (topological order), smaller first; ties go
to the task listed first in the project.
"""

from __future__ import annotations

import numpy as np

from ..errors import ValidationError
from ..network import Network
from .problem import Problem

__all__ = ["RULES", "priority", "total_successors"]

RULES = {
    "lft": "latest finish time, smallest first",
    "lst": "latest start time, smallest first",
    "mts": "most total successors, most first",
    "grpw": "greatest rank positional weight (duration + immediate successors' durations), greatest first",
    "minslack": "minimum total float, smallest first",
}


def _topo(problem: Problem, column: str) -> np.ndarray:
    return problem.cpm[column]


def total_successors(net: Network) -> np.ndarray:
    """How many tasks each task reaches through links (bitsets, reverse topological order)."""
    n = net.n
    words = (n + 63) // 64
    reach = np.zeros((n, words), dtype=np.uint64)
    one = np.uint64(1)
    for j in range(n - 1, -1, -1):
        for e in range(net.succ_ptr[j], net.succ_ptr[j + 1]):
            s = net.succ_idx[e]
            reach[j] |= reach[s]
            reach[j, s // 64] |= one << np.uint64(s % 64)
    counts = np.unpackbits(reach.view(np.uint8), axis=1).sum(axis=1)
    return counts.astype(np.float64)


def priority(problem: Problem, rule: str) -> np.ndarray:
    """Priority values of ``rule`` in topological order (smaller first)."""
    if rule == "lft":
        return _topo(problem, "late_finish")
    if rule == "lst":
        return _topo(problem, "late_start")
    if rule == "minslack":
        return _topo(problem, "late_start") - _topo(problem, "early_start")
    if rule == "mts":
        return -total_successors(problem.net)
    if rule == "grpw":
        net, dur = problem.net, problem.dur
        weight = dur.copy()
        np.add.at(weight, np.repeat(np.arange(net.n), np.diff(net.succ_ptr)), dur[net.succ_idx])
        return -weight
    raise ValidationError(f"unknown priority rule {rule!r}; use one of {', '.join(RULES)}")

