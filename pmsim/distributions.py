"""Duration distributions: three-point estimates and friends.

Every distribution is a frozen dataclass that knows its mean, variance,
cumulative distribution function (``cdf``) and inverse CDF (``ppf``), and
samples by inversion (one uniform number per draw), so that correlation by
rank reordering and counter-based random streams keep every marginal exact.

``planned`` is the single value the deterministic critical path uses: the most
likely value of a three-point estimate, the fixed value, the median otherwise.

>>> import pmsim as pm
>>> d = pm.BetaPert(2, 4, 12)
>>> d.mean, round(d.std, 4)
(5.0, 1.7321)
>>> d.planned
4.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from ._seed import as_generator
from .errors import ValidationError


def _special():
    """scipy.special, imported on first use: a process that only unpickles or draws estimates never loads scipy."""
    from scipy import special

    return special


__all__ = [
    "Distribution",
    "Fixed",
    "Triangular",
    "BetaPert",
    "Uniform",
    "Lognormal",
    "Discrete",
    "DISTRIBUTIONS",
    "make_estimate",
    "finite_number",
]

_Z90 = 1.2815515655446004  # standard normal quantile at 0.9


def finite_number(name: str, value) -> float:
    """``value`` as a finite float, or a ValidationError naming ``name``.

    >>> finite_number("duration", "2.5")
    2.5
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise ValidationError(f"{name} must be a finite number, got {value!r}")
    return v


@dataclass(frozen=True)
class Distribution:
    """Base class of the duration distributions."""

    kind: ClassVar[str] = ""

    # Subclasses implement these four.
    @property
    def mean(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def var(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def ppf(self, u):  # pragma: no cover - abstract
        """Inverse CDF, vectorised over ``u`` in [0, 1]."""
        raise NotImplementedError

    def cdf(self, x):  # pragma: no cover - abstract
        """P(X <= x), vectorised."""
        raise NotImplementedError

    @property
    def planned(self) -> float:
        """The deterministic value used by CPM (most likely, else the median)."""
        return float(self.ppf(0.5))

    @property
    def low(self) -> float:
        """Smallest possible value."""
        return float(self.ppf(0.0))

    @property
    def high(self) -> float:
        """Largest possible value (``inf`` for unbounded distributions)."""
        return float(self.ppf(1.0))

    @property
    def std(self) -> float:
        return math.sqrt(self.var)

    def sample(self, size=None, seed=None) -> np.ndarray:
        """Draw ``size`` values by inversion with the given seed.

        >>> Triangular(1, 2, 3).sample(3, seed=0).round(3)
        array([2.148, 1.735, 1.286])
        """
        rng = as_generator(seed)
        return self.ppf(rng.random(size))

    def scaled(self, factor: float) -> "Distribution":
        """The same shape with every value multiplied by ``factor`` (> 0)."""
        factor = finite_number("factor", factor)
        if factor <= 0:
            raise ValidationError(f"a multiplier must be > 0, got {factor}")
        return self._scaled(factor)

    def _scaled(self, factor: float) -> "Distribution":  # pragma: no cover - abstract
        raise NotImplementedError

    def to_fields(self) -> dict:
        """The table columns that describe this estimate (see :func:`make_estimate`)."""
        raise NotImplementedError  # pragma: no cover


@dataclass(frozen=True)
class Fixed(Distribution):
    """A duration known exactly.

    >>> Fixed(3).ppf([0.1, 0.9])
    array([3., 3.])
    """

    value: float
    kind: ClassVar[str] = "fixed"

    def __post_init__(self):
        object.__setattr__(self, "value", finite_number("duration", self.value))

    @property
    def mean(self):
        return self.value

    @property
    def var(self):
        return 0.0

    @property
    def planned(self):
        return self.value

    def ppf(self, u):
        return np.full(np.shape(u), self.value, dtype=float)

    def cdf(self, x):
        return np.where(np.asarray(x, dtype=float) >= self.value, 1.0, 0.0)

    def _scaled(self, factor):
        return Fixed(self.value * factor)

    def to_fields(self):
        return {"duration": self.value}


def _check_three_points(o, m, p) -> tuple[float, float, float]:
    o = finite_number("optimistic", o)
    m = finite_number("most_likely", m)
    p = finite_number("pessimistic", p)
    if o > m:
        raise ValidationError(f"optimistic ({o:g}) > most_likely ({m:g})")
    if m > p:
        raise ValidationError(f"most_likely ({m:g}) > pessimistic ({p:g})")
    return o, m, p


@dataclass(frozen=True)
class Triangular(Distribution):
    """Triangular distribution on [optimistic, pessimistic] with mode most_likely.

    >>> t = Triangular(1, 2, 6)
    >>> t.mean, round(t.var, 4)
    (3.0, 1.1667)
    """

    optimistic: float
    most_likely: float
    pessimistic: float
    kind: ClassVar[str] = "triangular"

    def __post_init__(self):
        o, m, p = _check_three_points(self.optimistic, self.most_likely, self.pessimistic)
        object.__setattr__(self, "optimistic", o)
        object.__setattr__(self, "most_likely", m)
        object.__setattr__(self, "pessimistic", p)

    @property
    def mean(self):
        return (self.optimistic + self.most_likely + self.pessimistic) / 3

    @property
    def var(self):
        a, c, b = self.optimistic, self.most_likely, self.pessimistic
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18

    @property
    def planned(self):
        return self.most_likely

    def ppf(self, u):
        u = np.asarray(u, dtype=float)
        a, c, b = self.optimistic, self.most_likely, self.pessimistic
        if b == a:
            return np.full(u.shape, a)
        fc = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1 - u) * (b - a) * (b - c))
        return np.where(u < fc, left, right)

    def cdf(self, x):
        x = np.asarray(x, dtype=float)
        a, c, b = self.optimistic, self.most_likely, self.pessimistic
        if b == a:
            return np.where(x >= a, 1.0, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            left = (x - a) ** 2 / ((b - a) * (c - a)) if c > a else np.zeros_like(x)
            right = 1 - (b - x) ** 2 / ((b - a) * (b - c)) if b > c else np.ones_like(x)
        out = np.where(x <= c, left, right)
        return np.clip(np.where(x <= a, 0.0, np.where(x >= b, 1.0, out)), 0.0, 1.0)

    def _scaled(self, f):
        return Triangular(self.optimistic * f, self.most_likely * f, self.pessimistic * f)

    def to_fields(self):
        return {
            "optimistic": self.optimistic,
            "most_likely": self.most_likely,
            "pessimistic": self.pessimistic,
        }


@dataclass(frozen=True)
class BetaPert(Distribution):
    """Beta-PERT on [optimistic, pessimistic] with mode most_likely.

    ``lamb`` (λ) weighs the mode: 4 is classic PERT, so the mean is
    (o + 4m + p) / 6; other values give the modified PERT.

    >>> BetaPert(1, 2, 9).mean
    3.0
    >>> round(BetaPert(1, 2, 9, lamb=2).mean, 4)
    3.5
    """

    optimistic: float
    most_likely: float
    pessimistic: float
    lamb: float = 4.0
    kind: ClassVar[str] = "betapert"

    def __post_init__(self):
        o, m, p = _check_three_points(self.optimistic, self.most_likely, self.pessimistic)
        lamb = finite_number("lambda", self.lamb)
        if lamb <= 0:
            raise ValidationError(f"lambda must be > 0, got {lamb:g}")
        object.__setattr__(self, "optimistic", o)
        object.__setattr__(self, "most_likely", m)
        object.__setattr__(self, "pessimistic", p)
        object.__setattr__(self, "lamb", lamb)

    @property
    def alpha(self) -> float:
        a, m, b = self.optimistic, self.most_likely, self.pessimistic
        return 1 + self.lamb * (m - a) / (b - a) if b > a else 1.0

    @property
    def beta(self) -> float:
        a, m, b = self.optimistic, self.most_likely, self.pessimistic
        return 1 + self.lamb * (b - m) / (b - a) if b > a else 1.0

    @property
    def mean(self):
        return (self.optimistic + self.lamb * self.most_likely + self.pessimistic) / (self.lamb + 2)

    @property
    def var(self):
        mu = self.mean
        return (mu - self.optimistic) * (self.pessimistic - mu) / (self.lamb + 3)

    @property
    def planned(self):
        return self.most_likely

    def ppf(self, u):
        u = np.asarray(u, dtype=float)
        a, b = self.optimistic, self.pessimistic
        if b == a:
            return np.full(u.shape, a)
        return a + (b - a) * _special().betaincinv(self.alpha, self.beta, u)

    def cdf(self, x):
        x = np.asarray(x, dtype=float)
        a, b = self.optimistic, self.pessimistic
        if b == a:
            return np.where(x >= a, 1.0, 0.0)
        z = np.clip((x - a) / (b - a), 0.0, 1.0)
        return _special().betainc(self.alpha, self.beta, z)

    def _scaled(self, f):
        return BetaPert(self.optimistic * f, self.most_likely * f, self.pessimistic * f, self.lamb)

    def to_fields(self):
        out = {
            "optimistic": self.optimistic,
            "most_likely": self.most_likely,
            "pessimistic": self.pessimistic,
        }
        if self.lamb != 4.0:
            out["lambda"] = self.lamb
        return out


@dataclass(frozen=True)
class Uniform(Distribution):
    """Uniform on [optimistic, pessimistic].

    >>> Uniform(2, 4).mean, Uniform(2, 4).planned
    (3.0, 3.0)
    """

    optimistic: float
    pessimistic: float
    kind: ClassVar[str] = "uniform"

    def __post_init__(self):
        o = finite_number("optimistic", self.optimistic)
        p = finite_number("pessimistic", self.pessimistic)
        if o > p:
            raise ValidationError(f"optimistic ({o:g}) > pessimistic ({p:g})")
        object.__setattr__(self, "optimistic", o)
        object.__setattr__(self, "pessimistic", p)

    @property
    def mean(self):
        return (self.optimistic + self.pessimistic) / 2

    @property
    def var(self):
        return (self.pessimistic - self.optimistic) ** 2 / 12

    def ppf(self, u):
        u = np.asarray(u, dtype=float)
        return self.optimistic + (self.pessimistic - self.optimistic) * u

    def cdf(self, x):
        x = np.asarray(x, dtype=float)
        w = self.pessimistic - self.optimistic
        if w == 0:
            return np.where(x >= self.optimistic, 1.0, 0.0)
        return np.clip((x - self.optimistic) / w, 0.0, 1.0)

    def _scaled(self, f):
        return Uniform(self.optimistic * f, self.pessimistic * f)

    def to_fields(self):
        return {"optimistic": self.optimistic, "pessimistic": self.pessimistic}


@dataclass(frozen=True)
class Lognormal(Distribution):
    """Lognormal duration: ``log(X) ~ Normal(mu, sigma)``.

    Build it from percentiles or from a three-point estimate:

    - :meth:`from_percentiles` (P10, P90): the 10th and 90th percentiles are exact;
    - :meth:`from_three_point` (o, m, p): the mean (o + 4m + p) / 6 and the
      standard deviation (p - o) / 6 of classic PERT are matched.

    >>> d = Lognormal.from_percentiles(5, 20)
    >>> [round(float(x), 6) for x in d.ppf([0.1, 0.9])]
    [5.0, 20.0]
    >>> round(Lognormal.from_three_point(4, 6, 14).mean, 6)
    7.0
    """

    mu: float
    sigma: float
    # How it was given, so that writing a project back gives the same columns.
    given: tuple[tuple[str, float], ...] = field(default=(), compare=False)
    kind: ClassVar[str] = "lognormal"

    def __post_init__(self):
        mu = finite_number("mu", self.mu)
        sigma = finite_number("sigma", self.sigma)
        if sigma <= 0:
            raise ValidationError(f"a lognormal needs sigma > 0, got {sigma:g}; for a duration without uncertainty "
                                  "use a fixed one")
        object.__setattr__(self, "mu", mu)
        object.__setattr__(self, "sigma", sigma)

    @classmethod
    def from_percentiles(cls, p10: float, p90: float) -> "Lognormal":
        p10 = finite_number("P10 (optimistic)", p10)
        p90 = finite_number("P90 (pessimistic)", p90)
        if p10 <= 0:
            raise ValidationError(f"a lognormal P10 (optimistic) must be > 0, got {p10:g}")
        if p90 < p10:
            raise ValidationError(f"optimistic P10 ({p10:g}) > pessimistic P90 ({p90:g})")
        if p90 == p10:
            raise ValidationError(f"a lognormal needs P90 > P10 (both are {p10:g}); for a duration without "
                                  "uncertainty give 'duration' alone")
        mu = (math.log(p10) + math.log(p90)) / 2
        sigma = (math.log(p90) - math.log(p10)) / (2 * _Z90)
        return cls(mu, sigma, given=(("optimistic", p10), ("pessimistic", p90)))

    @classmethod
    def from_three_point(cls, optimistic: float, most_likely: float, pessimistic: float) -> "Lognormal":
        o, m, p = _check_three_points(optimistic, most_likely, pessimistic)
        mean = (o + 4 * m + p) / 6
        if mean <= 0:
            raise ValidationError(f"a lognormal estimate needs a mean > 0, got {mean:g}")
        sd = (p - o) / 6
        if sd == 0:
            raise ValidationError(f"a lognormal needs pessimistic > optimistic (both are {o:g}); for a duration "
                                  "without uncertainty give 'duration' alone")
        s2 = math.log1p((sd / mean) ** 2)
        given = (("optimistic", o), ("most_likely", m), ("pessimistic", p))
        return cls(math.log(mean) - s2 / 2, math.sqrt(s2), given=given)

    @property
    def mean(self):
        return math.exp(self.mu + self.sigma**2 / 2)

    @property
    def var(self):
        s2 = self.sigma**2
        return math.expm1(s2) * math.exp(2 * self.mu + s2)

    @property
    def planned(self):
        values = dict(self.given)
        return values.get("most_likely", math.exp(self.mu))

    def ppf(self, u):
        u = np.asarray(u, dtype=float)
        with np.errstate(over="ignore"):
            return np.exp(self.mu + self.sigma * _special().ndtri(u))

    def cdf(self, x):
        x = np.asarray(x, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = (np.log(np.where(x > 0, x, np.nan)) - self.mu) / self.sigma if self.sigma > 0 else None
        if z is None:
            return np.where(x >= math.exp(self.mu), 1.0, 0.0)
        return np.where(x > 0, _special().ndtr(np.nan_to_num(z, nan=-np.inf)), 0.0)

    def _scaled(self, f):
        given = tuple((k, v * f) for k, v in self.given)
        return Lognormal(self.mu + math.log(f), self.sigma, given=given)

    def to_fields(self):
        if self.given:
            return dict(self.given)
        # Built from mu/sigma directly: write exact P10/P90.
        lo, hi = self.ppf([0.1, 0.9])
        return {"optimistic": float(lo), "pessimistic": float(hi)}


@dataclass(frozen=True)
class Discrete(Distribution):
    """A few possible values with their probabilities (which must sum to 1).

    >>> d = Discrete((10, 15, 20), (0.5, 0.3, 0.2))
    >>> d.mean, d.planned
    (13.5, 10.0)
    >>> d.ppf([0.0, 0.49, 0.5, 0.99]).tolist()
    [10.0, 10.0, 15.0, 20.0]
    """

    values: tuple[float, ...]
    probabilities: tuple[float, ...]
    kind: ClassVar[str] = "discrete"

    def __post_init__(self):
        for name in ("values", "probabilities"):
            if isinstance(getattr(self, name), (str, bytes)) or not hasattr(getattr(self, name), "__iter__"):
                raise ValidationError(f"a discrete estimate's {name} must be a list of numbers, "
                                      f"got {getattr(self, name)!r}")
        values = tuple(finite_number("value", v) for v in self.values)
        probs = tuple(finite_number("probability", p) for p in self.probabilities)
        if not values:
            raise ValidationError("a discrete estimate needs at least one value")
        if len(values) != len(probs):
            raise ValidationError(
                f"a discrete estimate needs one probability per value, got {len(values)} values "
                f"and {len(probs)} probabilities"
            )
        if any(p < 0 or p > 1 for p in probs):
            raise ValidationError(f"discrete probabilities must be in [0, 1], got {list(probs)}")
        if abs(sum(probs) - 1) > 1e-6:
            raise ValidationError(f"discrete probabilities must sum to 1, got {sum(probs):g}")
        order = sorted(range(len(values)), key=values.__getitem__)
        object.__setattr__(self, "values", tuple(values[i] for i in order))
        object.__setattr__(self, "probabilities", tuple(probs[i] for i in order))

    @property
    def _cum(self) -> np.ndarray:
        cum = np.cumsum(self.probabilities)
        cum[-1] = 1.0
        return cum

    @property
    def mean(self):
        return float(np.dot(self.values, self.probabilities))

    @property
    def var(self):
        v = np.asarray(self.values)
        return float(np.dot((v - self.mean) ** 2, self.probabilities))

    @property
    def planned(self):
        return self.values[int(np.argmax(self.probabilities))]

    def ppf(self, u):
        u = np.asarray(u, dtype=float)
        idx = np.searchsorted(self._cum, u, side="right")
        return np.asarray(self.values, dtype=float)[np.minimum(idx, len(self.values) - 1)]

    def cdf(self, x):
        x = np.asarray(x, dtype=float)
        idx = np.searchsorted(self.values, x, side="right")
        cum = np.concatenate([[0.0], self._cum])
        return cum[idx]

    def _scaled(self, f):
        return Discrete(tuple(v * f for v in self.values), self.probabilities)

    def to_fields(self):
        return {"values": "; ".join(f"{v!r}:{p!r}" for v, p in zip(self.values, self.probabilities))}


DISTRIBUTIONS: dict[str, type[Distribution]] = {
    cls.kind: cls for cls in (Fixed, Triangular, BetaPert, Uniform, Lognormal, Discrete)
}

_ALIASES = {"pert": "betapert", "beta-pert": "betapert", "beta_pert": "betapert"}


def _parse_discrete(text: str) -> Discrete:
    values, probs = [], []
    for part in str(text).replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        if ":" not in part:
            raise ValidationError(f"discrete values must be written value:probability, got {part!r}")
        v, p = part.split(":", 1)
        values.append(finite_number("value", v))
        probs.append(finite_number("probability", p))
    return Discrete(tuple(values), tuple(probs))


def _missing(x) -> bool:
    if x is None:
        return True
    if isinstance(x, str):
        return x.strip() == ""
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return False


def _uses(kind: str | None, given: set) -> set:
    """The fields an estimate of ``kind`` reads, given the fields ``given`` (see :func:`make_estimate`)."""
    points = {"optimistic", "most_likely", "pessimistic"}
    if kind == "discrete":
        return {"values"}
    if kind == "fixed" or (kind is None and not given & points):
        return {"duration"} if "duration" in given or kind is None else {"most_likely"}
    if kind == "uniform":
        return {"optimistic", "pessimistic"}
    if kind == "lognormal":
        return {"optimistic", "pessimistic"} | ({"most_likely", "duration"} if "most_likely" in given else set())
    if kind == "triangular":
        return points | {"duration"}
    return points | {"duration", "lambda"}  # Beta-PERT, the default


def _refuse_unused(kind: str | None, given: set) -> None:
    """A value the chosen distribution would drop is refused: the estimate would silently differ from the file."""
    if kind == "fixed" and "duration" not in given:
        return  # a fixed estimate of a most likely value alone, else "needs a 'duration'" says it
    unused = [f for f in ("duration", "optimistic", "most_likely", "pessimistic", "lambda", "values")
              if f in given - _uses(kind, given)]
    if not unused:
        return
    name = kind or ("fixed" if unused != ["values"] else None)
    if name is None:
        raise ValidationError("'values' is read only for distribution 'discrete'; give distribution 'discrete' "
                              "or leave 'values' empty")
    reads = ", ".join(sorted(_uses(kind, given), key=["duration", "optimistic", "most_likely", "pessimistic",
                                                        "lambda", "values"].index))
    hint = {"uniform": "; for a most likely value use 'triangular' or 'betapert'",
            "fixed": "; for a range give a distribution such as 'betapert'"}.get(name, "")
    raise ValidationError(f"a {name} estimate reads {reads} only, but {', '.join(unused)} "
                          f"{'is' if len(unused) == 1 else 'are'} given too and would be ignored{hint}")


def make_estimate(
    distribution: str | None = None,
    *,
    duration=None,
    optimistic=None,
    most_likely=None,
    pessimistic=None,
    values=None,
    lamb=None,
) -> Distribution:
    """Build a duration estimate from the columns of a task table.

    - ``duration`` alone gives :class:`Fixed` (whatever ``distribution`` says,
      unless three points are also given: then ``duration`` is the planned value
      and must equal ``most_likely``).
    - three points give ``distribution`` (``betapert`` by default, or
      ``triangular``, ``uniform`` (o and p), ``lognormal``);
    - ``lognormal`` with only ``optimistic`` and ``pessimistic`` reads them as P10 and P90;
    - ``discrete`` reads ``values`` such as ``"10:0.5; 15:0.3; 20:0.2"``.

    >>> make_estimate(duration=5)
    Fixed(value=5.0)
    >>> make_estimate(optimistic=2, most_likely=3, pessimistic=7)
    BetaPert(optimistic=2.0, most_likely=3.0, pessimistic=7.0, lamb=4.0)
    >>> make_estimate("triangular", optimistic=2, most_likely=3, pessimistic=7).mean
    4.0
    """
    kind = None if _missing(distribution) else str(distribution).strip().lower()
    kind = _ALIASES.get(kind, kind)
    if kind is not None and kind not in DISTRIBUTIONS:
        raise ValidationError(
            f"unknown distribution {distribution!r}; use one of {', '.join(DISTRIBUTIONS)}"
        )
    have_o, have_m, have_p = (not _missing(x) for x in (optimistic, most_likely, pessimistic))
    have_d = not _missing(duration)
    given = {name for name, x in (("duration", duration), ("optimistic", optimistic), ("most_likely", most_likely),
                                  ("pessimistic", pessimistic), ("values", values), ("lambda", lamb))
             if not _missing(x)}
    _refuse_unused(kind, given)

    if kind == "discrete":
        if _missing(values):
            raise ValidationError("a discrete estimate needs a 'values' column such as '10:0.5; 15:0.5'")
        return _parse_discrete(values)
    if kind == "fixed" or (have_d and not (have_o or have_m or have_p)):
        if not have_d:
            if have_m and not (have_o or have_p):
                return Fixed(finite_number("most_likely", most_likely))
            raise ValidationError("a fixed estimate needs a 'duration'")
        return Fixed(finite_number("duration", duration))
    if kind == "uniform":
        if not (have_o and have_p):
            raise ValidationError("a uniform estimate needs 'optimistic' and 'pessimistic'")
        return Uniform(optimistic, pessimistic)
    if kind == "lognormal" and have_o and have_p and not have_m:
        return Lognormal.from_percentiles(optimistic, pessimistic)
    if not (have_o or have_m or have_p):
        raise ValidationError(
            "no estimate: give 'duration', or 'optimistic', 'most_likely' and 'pessimistic'"
        )
    if not (have_o and have_m and have_p):
        missing = [n for n, h in (("optimistic", have_o), ("most_likely", have_m), ("pessimistic", have_p)) if not h]
        raise ValidationError(f"a three-point estimate is missing {', '.join(missing)}")
    if have_d and finite_number("duration", duration) != finite_number("most_likely", most_likely):
        raise ValidationError(
            f"duration ({float(duration):g}) and most_likely ({float(most_likely):g}) disagree; give one"
        )
    if kind == "triangular":
        return Triangular(optimistic, most_likely, pessimistic)
    if kind == "lognormal":
        return Lognormal.from_three_point(optimistic, most_likely, pessimistic)
    if _missing(lamb):
        return BetaPert(optimistic, most_likely, pessimistic)
    return BetaPert(optimistic, most_likely, pessimistic, lamb=finite_number("lambda", lamb))
