"""A parsed MSPDI document and typed access to its values.

:func:`parse_document` parses the XML safely (no document types, no entities);
:class:`Document` reads the document's units (minutes per day, days per
week and month) and custom field aliases, and gives its values as numbers,
dates and durations, failing with a message that names the file and element.
"""

from __future__ import annotations

import datetime as dt
import math
import xml.etree.ElementTree as ET
from pathlib import Path

from ...errors import FileFormatError
from .._files import read_input
from .._exchange import Notes
from .fields import ELAPSED_MINUTES_PER_DAY, MINUTES_PER_DAY, NAMESPACE, TASK_FIELDS, Q, parse_duration, parse_stamp


def parse_document(path: Path, data: bytes | None = None) -> ET.Element:
    """The root element of an MSPDI document (the file at ``path``, or ``data`` read from it)."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    safe = dict(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        root = fromstring(read_input(path) if data is None else data, **safe)
    except DefusedXmlException as exc:
        raise FileFormatError(
            f"{path}: refused: the file declares a document type or entities ({type(exc).__name__}); "
            "MSPDI files have none, and entity expansion is a known attack (XML bomb)"
        ) from None
    except ParseError as exc:
        raise FileFormatError(f"{path}: not well-formed XML ({exc}); is the file complete?") from None
    except (OSError, ValueError) as exc:
        raise FileFormatError(f"{path}: cannot read ({exc})") from None
    if root.tag != Q + "Project":
        found = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
        local = root.tag.split("}")[-1]
        raise FileFormatError(
            f"{path}: not an MS Project XML file: the root element is <{local}> in namespace "
            f"{found or '(none)'!r}; MSPDI needs <Project xmlns={NAMESPACE!r}>"
        )
    return root


class Document:
    """A parsed MSPDI document: its units, custom field aliases and typed values.

    ``notes`` gathers what a reader of the document cannot carry over.
    """

    def __init__(self, root: ET.Element, path: Path):
        self.root = root
        self.path = path
        self.notes = Notes(str(path))
        where = "Project"
        self.minutes_per_day = self.int(root, "MinutesPerDay", where, MINUTES_PER_DAY) or MINUTES_PER_DAY
        if not 1 <= self.minutes_per_day <= 1440:
            self.fail(where, f"MinutesPerDay must be between 1 and 1440, got {self.minutes_per_day}")
        self.days_per_month = self.int(root, "DaysPerMonth", where, 20) or 20
        if not 1 <= self.days_per_month <= 31:
            self.fail(where, f"DaysPerMonth must be between 1 and 31, got {self.days_per_month}")
        minutes_per_week = self.int(root, "MinutesPerWeek", where, self.minutes_per_day * 5) or self.minutes_per_day * 5
        self.days_per_week = minutes_per_week / self.minutes_per_day
        self.aliases = self.read_aliases()
        self.pmsim_written = any(a.startswith("pmsim ") for a in self.aliases.values())

    def read_aliases(self) -> dict[str, str]:
        out = {}
        box = self.root.find(Q + "ExtendedAttributes")
        if box is None:
            return out
        for ea in box.findall(Q + "ExtendedAttribute"):
            fid = self.text(ea, "FieldID")
            alias = self.text(ea, "Alias")
            if fid and alias:
                out[fid] = alias.strip().lower()
        return out

    def field_id(self, key: str, table=TASK_FIELDS) -> str | None:
        """Where a pmsim field lives in this file: by its alias, whatever the custom field."""
        alias = table[key][2]
        for fid, a in self.aliases.items():
            if a == alias and (fid.startswith("1887") if table is TASK_FIELDS else fid.startswith("2055")):
                return fid
        return None

    # ------------------------------------------------------------ values

    def fail(self, where: str, message: str):
        raise FileFormatError(f"{self.path}: {where}: {message}")

    def text(self, el, tag: str) -> str | None:
        child = el.find(Q + tag)
        if child is None or child.text is None:
            return None
        value = child.text.strip()
        return value or None

    def int(self, el, tag: str, where: str, default=None):
        value = self.text(el, tag)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError:
            try:
                f = float(value)
            except ValueError:
                f = math.nan
            if math.isfinite(f) and f == int(f):
                return int(f)
            self.fail(where, f"{tag} must be an integer, got {value!r}")

    def float(self, el, tag: str, where: str, default=None):
        value = self.text(el, tag)
        if value is None:
            return default
        try:
            f = float(value)
        except ValueError:
            self.fail(where, f"{tag} must be a number, got {value!r}")
        if not math.isfinite(f):
            self.fail(where, f"{tag} must be a finite number, got {value!r}")
        return f

    def bool(self, el, tag: str, default=False) -> bool:
        value = self.text(el, tag)
        if value is None:
            return default
        return value.lower() in ("1", "true", "yes")

    def datetime(self, el, tag: str, where: str):
        value = self.text(el, tag)
        if value is None:
            return None
        return self.parse_datetime(value, f"{where}: {tag}")

    def parse_datetime(self, value: str, where: str) -> dt.datetime:
        try:
            return parse_stamp(value)
        except ValueError as exc:
            raise FileFormatError(f"{self.path}: {where}: {exc}") from None

    def minutes(self, value: str, where: str) -> float:
        """An xsd:duration in minutes (Y, M, W, D count working days of MinutesPerDay)."""
        try:
            return parse_duration(value, self.minutes_per_day, self.days_per_week, self.days_per_month)
        except ValueError as exc:
            raise FileFormatError(f"{self.path}: {where}: {exc}") from None

    def elapsed_minutes(self, value: str, where: str) -> float:
        """An elapsed (wall-clock) xsd:duration in minutes: D counts 24 hours, W 7 days, M 30 days."""
        try:
            return parse_duration(value, ELAPSED_MINUTES_PER_DAY, 7, 30)
        except ValueError as exc:
            raise FileFormatError(f"{self.path}: {where}: {exc}") from None

    def days(self, el, tag: str, where: str, value: str | None = None) -> float | None:
        text = self.text(el, tag) if value is None else value
        if text is None:
            return None
        return self.minutes(text, f"{where}: {tag}") / self.minutes_per_day

    def iter(self, el, box: str, item: str) -> list:
        """The ``item`` children of ``el``'s ``box`` child."""
        found = el.find(Q + box)
        return [] if found is None else found.findall(Q + item)

    def custom(self, el, field_id: str | None) -> str | None:
        if field_id is None:
            return None
        for ea in el.findall(Q + "ExtendedAttribute"):
            if self.text(ea, "FieldID") == field_id:
                return self.text(ea, "Value")
        return None
