"""The seed rule: how every random function of pmsim reads ``seed``.

``seed`` is an int (>= 0), a ``numpy.random.Generator`` or None, everywhere:

- an int is the seed itself: the same int, the same numbers;
- a Generator gives one int drawn from it (so a run can be repeated with
  that int, which the result records);
- None draws a fresh seed from the operating system's entropy, which the
  result records too.

Functions whose answers should repeat without thought (``level``,
``compare``, ``sweep``, the what-if dashboard) default to ``seed=0``;
``simulate`` defaults to None, like numpy.
"""

from __future__ import annotations

import numpy as np

from .errors import ValidationError

__all__ = ["resolve_seed", "as_generator"]

_SEED_BOUND = 2**63  # seeds are non-negative 63-bit ints: they print and serialise as plain integers


def _check(seed) -> None:
    if isinstance(seed, np.random.Generator) or seed is None:
        return
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise ValidationError(
            f"seed must be an int, a numpy.random.Generator or None, got {type(seed).__name__} {seed!r}"
        )
    if seed < 0:
        raise ValidationError(f"seed must be a non-negative integer, got {seed}")


def resolve_seed(seed) -> int:
    """The int seed of a run, by the seed rule (see the module notes).

    >>> resolve_seed(7)
    7
    >>> resolve_seed(np.random.default_rng(1)) == resolve_seed(np.random.default_rng(1))
    True
    >>> 0 <= resolve_seed(None) < 2**63
    True
    """
    _check(seed)
    if seed is None:
        return int(np.random.SeedSequence().entropy % _SEED_BOUND)
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, _SEED_BOUND))
    return int(seed)


def as_generator(seed) -> np.random.Generator:
    """A numpy Generator for ``seed``: the Generator itself, or one seeded by the rule.

    >>> int(as_generator(1).integers(10)) == int(as_generator(1).integers(10))
    True
    """
    _check(seed)
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)
