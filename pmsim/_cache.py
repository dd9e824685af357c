"""The one way pmsim caches: values derived from immutable inputs, computed once.

- :func:`cached` keeps what is derived from one immutable object (a frozen
  Project: its network arrays, the engine's tables, its levelled plan) with
  that object, for as long as it lives.
- :class:`Memo` (and the decorator :func:`memoized`) keeps the values of a
  pure function of hashable keys (a Beta shape, a week mask) in a bounded
  table, the least recently used dropped first.

Cached values are shared between callers, so they must be immutable:
frozen dataclasses, tuples, read-only arrays; a value that cannot be frozen
(a Schedule's tables) is copied on the way out by its accessor.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence

__all__ = ["cached", "uncached_state", "Memo", "memoized"]

_SLOT = "_pmsim_cache"
_MISSING = object()


def cached(owner, key: Hashable, build: Callable[[], object]):
    """``build()``, computed once for ``owner`` and ``key`` and kept with ``owner``.

    ``owner`` must be immutable (a frozen Project), so the value never goes
    stale; an edited project is a new object with a cache of its own. The
    value lives in a private slot of the owner's instance dictionary, so it
    goes when the owner goes, even when it refers back to the owner (a
    levelled plan holds its project). Two threads asking at once may both
    build; the first value stored is the one everybody gets.
    """
    slot = owner.__dict__.get(_SLOT)
    if slot is None:
        slot = owner.__dict__.setdefault(_SLOT, {})
    value = slot.get(key, _MISSING)
    if value is _MISSING:
        value = slot.setdefault(key, build())
    return value


def uncached_state(owner) -> dict:
    """``owner``'s instance dictionary without its cache: what to pickle (caches are rebuilt where needed)."""
    state = dict(owner.__dict__)
    state.pop(_SLOT, None)
    return state


class Memo:
    """A bounded, thread-safe table of values by hashable key, least recently used dropped first."""

    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self._values: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, keys: Sequence[Hashable], build_missing: Callable[[list], Sequence]) -> list:
        """The values of ``keys``; ``build_missing(missing_keys)`` builds those not kept, in one call."""
        with self._lock:
            missing = [k for k in dict.fromkeys(keys) if k not in self._values]
        built = build_missing(missing) if missing else ()
        with self._lock:
            for k, v in zip(missing, built):
                self._values.setdefault(k, v)
            out = []
            for k in keys:
                value = self._values.get(k, _MISSING)
                if value is _MISSING:  # dropped while building: only when more keys than maxsize
                    value = dict(zip(missing, built))[k]
                else:
                    self._values.move_to_end(k)
                out.append(value)
            while len(self._values) > self.maxsize:
                self._values.popitem(last=False)
        return out

    def get(self, key: Hashable, build: Callable[[], object]):
        """The value of ``key``, built by ``build()`` if not kept."""
        return self.get_many([key], lambda missing: [build()])[0]


def memoized(maxsize: int):
    """Decorate a pure function of hashable arguments: its values kept in a :class:`Memo`."""

    def decorate(func):
        memo = Memo(maxsize)

        @functools.wraps(func)
        def wrapper(*args):
            return memo.get(args, lambda: func(*args))

        wrapper.memo = memo
        return wrapper

    return decorate
