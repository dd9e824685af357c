"""Checks of a Project beyond its single parts: its start moment, branch groups, a dependency cycle named in the error."""

from __future__ import annotations

import datetime as dt
import math

from ..errors import ValidationError

__all__ = ["find_cycle", "start_time", "check_branches", "check_level_of_effort"]


def find_cycle(ids: list[str], succ: dict[str, list[str]]) -> list[str]:
    """One directed cycle among ``ids`` (each has in-degree > 0 after Kahn), as a list."""
    remaining = set(ids)
    colour: dict[str, int] = {}
    for root in ids:
        if root in colour:
            continue
        stack = [(root, iter(succ.get(root, ())))]
        path = [root]
        colour[root] = 1
        while stack:
            node, it = stack[-1]
            for nxt in it:
                if nxt not in remaining:
                    continue
                if colour.get(nxt) == 1:
                    return path[path.index(nxt):] + [nxt]
                if nxt not in colour:
                    colour[nxt] = 1
                    stack.append((nxt, iter(succ.get(nxt, ()))))
                    path.append(nxt)
                    break
            else:
                colour[node] = 2
                stack.pop()
                path.pop()
    return []  # pragma: no cover - only called when a cycle exists


def start_time(who: str, start, given) -> dt.time | None:
    """The moment of the start day the project starts (None: the start of that day's work), from ``start_time``
    or from a ``start`` given with a time; the two must agree."""
    if given is not None and not isinstance(given, dt.time):
        text = str(given).strip()
        try:
            given = dt.time.fromisoformat(text) if text else None
        except ValueError:
            raise ValidationError(f"{who}: start_time must be a time of day (HH:MM), got {given!r}") from None
    if given is not None and given.tzinfo is not None:
        given = given.replace(tzinfo=None)
    own = start.time() if isinstance(start, dt.datetime) else None
    if given is not None and own is not None and own != given:
        raise ValidationError(f"{who}: start {start} and start_time {given} disagree")
    return given if given is not None else own


def check_branches(tasks) -> None:
    """Refuse branch groups whose weights (the tasks' ``existence``) do not sum to 1."""
    groups: dict[str, list] = {}
    for t in tasks:
        if t.branch:
            groups.setdefault(t.branch, []).append(t)
    for name, members in groups.items():
        total = math.fsum(t.existence for t in members)
        if abs(total - 1.0) > 1e-6:
            listed = ", ".join(f"{t.id!r} {t.existence:g}" for t in members)
            raise ValidationError(f"branch {name!r}: the existence probabilities of its alternatives must sum "
                                  f"to 1 (exactly one of them happens), got {total:g} ({listed})")


def check_level_of_effort(tasks, dependencies) -> None:
    """Refuse a level-of-effort task with nothing to span, naming the task and the rule.

    A level-of-effort task takes its start from its predecessors and its finish from its successors, so it
    needs at least one of each; a link between two of them would leave both without dates of their own.
    """
    loe = {t.id for t in tasks if t.level_of_effort}
    if not loe:
        return
    has_pred, has_succ = set(), set()
    for dep in dependencies:
        if dep.predecessor in loe and dep.successor in loe:
            raise ValidationError(f"Task {dep.successor!r}: a level-of-effort task cannot be linked to another "
                                  f"level-of-effort task ({dep.predecessor!r}); link both to the work they span")
        has_pred.add(dep.successor)
        has_succ.add(dep.predecessor)
    for t in tasks:
        if t.id in loe and (t.id not in has_pred or t.id not in has_succ):
            missing = "predecessor" if t.id not in has_pred else "successor"
            raise ValidationError(f"Task {t.id!r}: a level-of-effort task spans from its predecessors' dates to "
                                  f"its successors' dates, and it has no {missing} to span")
