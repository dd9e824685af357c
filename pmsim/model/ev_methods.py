"""Earned value measurement methods: how much of a task's budget its progress has earned.

A task's ``ev_method`` (the ``ev_method`` column of ``tasks.csv``):

- ``percent_complete`` (the default): percent complete x budget;
- ``0/100``: nothing until the task finishes; ``50/50`` half when it starts, the rest when it
  finishes, and any other ``a/b`` with a + b = 100 (``20/80``);
- ``milestones:25;50;100``: weighted milestones, the cumulative percent earned at each
  milestone inside the task, credited when the task's percent complete reaches it;
- ``level_of_effort`` (``LOE``): support work that earns its planned value as time passes,
  whatever is done (so its SV is 0); earned value flags it.

>>> ev_method("Task 'A'", " 20/80 "), ev_method("Task 'A'", "LOE")
('20/80', 'level_of_effort')
>>> earned_share("milestones:25;60;100", 70.0, started=True, finished=False)
0.6
"""

from __future__ import annotations

import math
import re

from ..errors import ValidationError

__all__ = ["EV_METHODS", "ev_method", "earned_share"]

EV_METHODS = ("percent_complete", "0/100", "50/50", "milestones:...", "level_of_effort")
_SPLIT = re.compile(r"(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)")
_ALIASES = {"": "percent_complete", "percent": "percent_complete", "%": "percent_complete",
            "percent_complete": "percent_complete", "loe": "level_of_effort", "level_of_effort": "level_of_effort"}


def ev_method(owner: str, value) -> str:
    """``value`` as a measurement method's canonical text; a ValidationError names ``owner`` and the rule."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "percent_complete"
    text = re.sub(r"[\s-]+", "_", str(value).strip().lower())
    if text in _ALIASES:
        return _ALIASES[text]
    split = _SPLIT.fullmatch(str(value).strip())
    if split:
        first, last = float(split[1]), float(split[2])
        if abs(first + last - 100) > 1e-9:
            raise ValidationError(f"{owner}: ev_method {value!r}: the two shares of a fixed formula add up to 100")
        return f"{first:g}/{last:g}"
    if text.startswith("milestones:"):
        try:
            weights = [float(w) for w in text.split(":", 1)[1].replace(",", ";").split(";") if w.strip("_ ")]
        except ValueError:
            weights = []
        if not weights or any(b <= a for a, b in zip(weights, weights[1:])) or weights[0] <= 0 or weights[-1] != 100:
            raise ValidationError(f"{owner}: ev_method {value!r}: weighted milestones are cumulative percents, "
                                  "increasing and ending at 100, such as 'milestones:25;50;100'")
        return "milestones:" + ";".join(f"{w:g}" for w in weights)
    raise ValidationError(f"{owner}: ev_method must be percent_complete, 0/100, 50/50 (or a/b adding up to 100), "
                          f"milestones:25;50;100 or level_of_effort, got {value!r}")


def earned_share(method: str, percent_complete: float, *, started: bool, finished: bool) -> float:
    """The share (0-1) of the budget earned by a task measured by ``method``; NaN for level of effort,
    which earns its planned value instead."""
    if method == "percent_complete":
        return percent_complete / 100.0
    if method == "level_of_effort":
        return math.nan
    if method.startswith("milestones:"):
        reached = [float(w) for w in method.split(":", 1)[1].split(";") if percent_complete >= float(w) - 1e-9]
        return (reached[-1] if reached else 0.0) / 100.0
    first = float(method.split("/")[0])
    return 1.0 if finished else (first / 100.0 if started else 0.0)
