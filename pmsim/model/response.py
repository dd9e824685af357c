"""A risk's response: its post-response probability, impact and cost impact, and what the response costs.

:func:`response_fields` validates the response fields of a
:class:`~pmsim.model.entities.Risk` (``post_probability``, ``post_impact`` or
the three points ``post_optimistic``/``post_most_likely``/``post_pessimistic``
with the risk's ``distribution``, or ``post_most_likely`` alone for a fixed
impact), ``post_cost_impact``, ``response_cost``).
A post value left empty keeps the pre-response value; a response given post
values but no ``response_cost`` costs nothing (a change of method, say); a
response cost with no post value is allowed and shows as a pure cost.
"""

from __future__ import annotations

import math

from ..distributions import Distribution, Fixed, make_estimate
from ..errors import PmsimError, ValidationError

__all__ = ["response_fields"]


def _number(who: str, name: str, value) -> float | None:
    """A finite float, or None for an empty value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{who}: {name} must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise ValidationError(f"{who}: {name} must be a finite number, got {v}")
    return v


def response_fields(who: str, driver: bool, distribution, impact: Distribution | None, probability, points, cost,
                    response_cost) -> dict:
    """The validated response fields of a risk: ``post_probability``, ``post_impact``, ``post_cost_impact``
    (None where not given) and ``response_cost`` (None: no response).

    ``points``: (post_optimistic, post_most_likely, post_pessimistic) conveniences, read with ``distribution``;
    ``impact``: a post_impact distribution given directly.
    """
    p = _number(who, "post_probability", probability)
    if p is not None and not 0 <= p <= 1:
        raise ValidationError(f"{who}: the response's post_probability must be in [0, 1] (a probability), got {p:g}")
    points = [_number(who, name, v) for name, v in zip(("post_optimistic", "post_most_likely", "post_pessimistic"),
                                                       points)]
    if impact is None and points[1] is not None and points[0] is None and points[2] is None:
        impact = Fixed(points[1])  # the most likely alone: a fixed post-response impact
    elif impact is None and any(v is not None for v in points):
        try:
            impact = make_estimate(distribution, optimistic=points[0], most_likely=points[1], pessimistic=points[2])
        except PmsimError as exc:
            raise exc.with_context(f"{who}, post-response impact") from None
    if impact is not None and not isinstance(impact, Distribution):
        raise ValidationError(f"{who}: post_impact must be a pmsim distribution")
    if driver and impact is not None and not impact.low > 0:
        raise ValidationError(f"{who}: a driver's post-response factor must be > 0 (it multiplies durations), "
                              f"got {impact.low:g}")
    post_cost = _number(who, "post_cost_impact", cost)
    spend = _number(who, "response_cost", response_cost)
    if spend is not None and spend < 0:
        raise ValidationError(f"{who}: response_cost must be >= 0 (what the response costs), got {spend:g}")
    if spend is None and (p is not None or impact is not None or post_cost is not None):
        spend = 0.0  # post values and no response cost: a response that costs nothing
    return {"post_probability": p, "post_impact": impact, "post_cost_impact": post_cost, "response_cost": spend}
