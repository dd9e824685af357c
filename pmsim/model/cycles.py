"""One dependency cycle among tasks, to name it in the error message."""

from __future__ import annotations

__all__ = ["find_cycle"]


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
