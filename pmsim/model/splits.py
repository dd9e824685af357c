"""Split tasks (MS Project): work that stops and resumes later, and the time its gaps add.

A task's ``splits`` are ``(after, gap)`` pairs in working days of its calendar: its work stops after
``after`` days of work and resumes ``gap`` working days later. MS Project keeps a gap's length in
working time when the task moves, so a task that works ``d`` days spans ``d`` plus the gaps of the
splits its work reaches (those with ``after < d``); a split at or past the end of the work has no gap.

>>> valid_splits("Task 'A'", [(4, 3), [1, 2.5]], False)
((1.0, 2.5), (4.0, 3.0))
>>> split_gap(((1.0, 2.5), (4.0, 3.0)), 3.0), split_gap(((1.0, 2.5), (4.0, 3.0)), 6.0)
(2.5, 5.5)
"""

from __future__ import annotations

import math

from ..errors import ValidationError

__all__ = ["valid_splits", "split_gap", "parse_splits", "format_splits"]

_EPS = 1e-9


def valid_splits(who: str, value, milestone) -> tuple[tuple[float, float], ...]:
    """The pairs ``(after, gap)`` in order of ``after``: numbers, ``after`` > 0 and distinct, ``gap`` > 0."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ()
    if isinstance(value, str):
        value = parse_splits(who, value)
    out = []
    try:
        pairs = [tuple(p) for p in value]
    except TypeError:
        raise ValidationError(f"{who}: splits must be (after, gap) pairs of working days, got {value!r}") from None
    for pair in pairs:
        if len(pair) != 2:
            raise ValidationError(f"{who}: a split is an (after, gap) pair of working days, got {pair!r}")
        try:
            after, gap = (float(x) for x in pair)
        except (TypeError, ValueError):
            raise ValidationError(f"{who}: a split's after and gap must be numbers, got {pair!r}") from None
        if not (math.isfinite(after) and after > 0):
            raise ValidationError(f"{who}: a split comes after some work (after > 0 working days), got {pair!r}")
        if not (math.isfinite(gap) and gap > 0):
            raise ValidationError(f"{who}: a split's gap must be > 0 working days, got {pair!r}")
        out.append((after, gap))
    out.sort()
    for (a, _), (b, _) in zip(out, out[1:]):
        if b - a <= _EPS:
            raise ValidationError(f"{who}: two splits after the same work ({a:g} working days); join their gaps")
    if out and milestone:
        raise ValidationError(f"{who}: a milestone has no work to split")
    return tuple(out)


def split_gap(splits, days: float) -> float:
    """The working days the gaps add to a task that works ``days`` (the splits its work reaches)."""
    return sum(gap for after, gap in splits if after < days - _EPS)


def parse_splits(who: str, text: str) -> list[tuple[float, float]]:
    """``"4+3; 10+2"`` (after+gap, working days) as pairs; blank: none."""
    out = []
    for part in str(text).replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        bits = part.split("+")
        try:
            if len(bits) != 2:
                raise ValueError
            out.append((float(bits[0]), float(bits[1])))
        except ValueError:
            raise ValidationError(f"{who}: splits are written 'after+gap' in working days, separated by ';' "
                                  f"(e.g. '4+3; 10+2'), got {part!r}") from None
    return out


def format_splits(splits) -> str:
    """The text :func:`parse_splits` reads: ``"4+3; 10+2"``."""
    return "; ".join(f"{after:g}+{gap:g}" for after, gap in splits)
