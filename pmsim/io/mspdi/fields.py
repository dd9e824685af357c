"""The MSPDI vocabulary: namespace, codes, pmsim's custom fields, and the text of durations and dates.

Shared by the reader and the writer; :func:`duration_text` / :func:`parse_duration`
and :func:`stamp` / :func:`parse_stamp` are each other's inverse.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import xml.etree.ElementTree as ET

NAMESPACE = "http://schemas.microsoft.com/project"
Q = "{" + NAMESPACE + "}"  # the prefix of every tag in a parsed document

MINUTES_PER_DAY = 480

# Link types: MSPDI Type code <-> pmsim.
LINK_FROM_CODE = {0: "FF", 1: "FS", 2: "SF", 3: "SS"}
LINK_TO_CODE = {v: k for k, v in LINK_FROM_CODE.items()}

# Duration format codes (also LagFormat): elapsed units and percentages (+32: estimated).
ELAPSED_FORMATS = {4, 6, 8, 10, 12, 36, 38, 40, 42, 44}
PERCENT_FORMATS = {19, 20, 51, 52}
ELAPSED_PERCENT_FORMATS = {20, 52}
FORMAT_DAYS = 7
FORMAT_ELAPSED_DAYS = 8
ELAPSED_MINUTES_PER_DAY = 1440

# The calendar pmsim puts elapsed durations and lags on: round the clock, every day, 24-hour days.
ELAPSED_CALENDAR = "24 hours (elapsed)"

# ConstraintType codes <-> pmsim (P6's soft SO and FO have no MS Project code: written as MSO and MFO).
CONSTRAINT_FROM_CODE = {0: "ASAP", 1: "ALAP", 2: "MSO", 3: "MFO", 4: "SNET", 5: "SNLT", 6: "FNET", 7: "FNLT"}
CONSTRAINT_TO_CODE = {**{v: k for k, v in CONSTRAINT_FROM_CODE.items()}, "SO": 2, "FO": 3}
CONSTRAINT_NAMES = {
    "ASAP": "As Soon As Possible", "ALAP": "As Late As Possible", "MSO": "Must Start On", "MFO": "Must Finish On",
    "SNET": "Start No Earlier Than", "SNLT": "Start No Later Than", "FNET": "Finish No Earlier Than",
    "FNLT": "Finish No Later Than",
}
# Constraints whose date is a finish (a date alone: the end of that day's work); the others' is a start.
FINISH_CONSTRAINTS = {"MFO", "FNET", "FNLT", "FO"}

# Custom fields: (FieldID, FieldName, alias).
DURATION_FIELDS = (("188743783", "Duration1"), ("188743784", "Duration2"), ("188743785", "Duration3"))
DURATION_ALIASES = ("Optimistic Duration", "Expected Duration", "Pessimistic Duration")
TASK_FIELDS = {
    "distribution": ("188744016", "Text30", "pmsim distribution"),
    "parameters": ("188744015", "Text29", "pmsim parameters"),
    "id": ("188744014", "Text28", "pmsim id"),
    "risks": ("188744013", "Text27", "pmsim risks"),
    "cost_per_day": ("188743996", "Number20", "pmsim cost per day"),
    "budget": ("188743995", "Number19", "pmsim budget"),
    "settings": ("188744012", "Text26", "pmsim settings"),
}
RESOURCE_FIELDS = {"id": ("205521140", "Text30", "pmsim id")}
# A level-of-effort task's "pmsim distribution": MS Project has no such task type, so pmsim marks it there.
LEVEL_OF_EFFORT = "level_of_effort"

NUMBER = re.compile(r"-?\d+(?:\.\d*)?")
OUTLINE_NUMBER = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,9})*")  # 1, 1.2, 1.2.3 (ASCII digits that int() reads)
_ISO_DURATION = re.compile(
    r"^(-)?P(?:(-?[\d.]+)Y)?(?:(-?[\d.]+)M)?(?:(-?[\d.]+)W)?(?:(-?[\d.]+)D)?"
    r"(?:T(?:(-?[\d.]+)H)?(?:(-?[\d.]+)M)?(?:(-?[\d.]+)S)?)?$"
)


def duration_text(days: float, minutes_per_day: int = MINUTES_PER_DAY) -> str:
    """Working days as an MSPDI duration, ``PT#H#M#S`` (fractional seconds only if needed).

    >>> duration_text(2.5), duration_text(-0.25)
    ('PT20H0M0S', '-PT2H0M0S')
    """
    seconds = round(days * minutes_per_day * 60, 6)
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    hours = int(seconds // 3600)
    seconds -= hours * 3600
    minutes = int(seconds // 60)
    seconds = round(seconds - minutes * 60, 6)
    text = f"{seconds:.6f}".rstrip("0").rstrip(".")
    return f"{sign}PT{hours}H{minutes}M{text}S"


def parse_duration(value: str, minutes_per_day: float, days_per_week: float, days_per_month: float) -> float:
    """An xsd:duration in minutes (Y, M, W, D count working days of ``minutes_per_day``).

    Raises ValueError saying what is wrong with ``value``.

    >>> parse_duration("PT20H0M0S", 480, 5, 20), parse_duration("P1W", 480, 5, 20)
    (1200.0, 2400.0)
    """
    m = _ISO_DURATION.match(value.strip())
    if not m or value.strip() in ("P", "PT") or value.strip().endswith("T"):
        if value.strip() == "0":
            return 0.0
        raise ValueError(f"{value!r} is not a duration such as PT8H0M0S")
    sign, years, months, weeks, days, hours, mins, secs = m.groups()
    try:
        parts = [float(x) if x else 0.0 for x in (years, months, weeks, days, hours, mins, secs)]
    except ValueError:
        raise ValueError(f"{value!r} is not a duration such as PT8H0M0S") from None
    years, months, weeks, days, hours, mins, secs = parts
    total = (((years * 12 + months) * days_per_month + weeks * days_per_week + days) * minutes_per_day
             + hours * 60 + mins + secs / 60)
    if not math.isfinite(total):
        raise ValueError(f"{value!r} is not a finite duration")
    return -total if sign else total


def stamp(value: dt.datetime) -> str:
    """A date and time as MSPDI writes it: ``2027-01-04T08:00:00``."""
    return value.strftime("%Y-%m-%dT%H:%M:%S")


def parse_stamp(value: str) -> dt.datetime:
    """A date and time from MSPDI text (a trailing ``Z`` allowed); ValueError when it is none.

    >>> parse_stamp("2027-01-04T08:00:00Z")
    datetime.datetime(2027, 1, 4, 8, 0)
    """
    text = value.strip().rstrip("Z")
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{value!r} is not a date and time (YYYY-MM-DDTHH:MM:SS)") from None


def sub(parent: ET.Element, tag: str, text=None) -> ET.Element:
    """A new child element ``tag`` of ``parent``, holding ``text`` if given."""
    el = ET.SubElement(parent, tag)
    if text is not None:
        el.text = str(text)
    return el
