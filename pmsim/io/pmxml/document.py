"""A parsed P6 XML (PMXML) document and its values as text.

:func:`parse_document` parses the XML safely (no document types, no
entities) and checks the root is ``<APIBusinessObjects>`` in one of Oracle's
Primavera namespaces (the version is part of the namespace, so elements are
found by their local names). P6 also writes files whose root declares no
namespace at all (only ``xsi:schemaLocation``); MPXJ reads those too, its
parser setting every element's namespace to P6's, so pmsim accepts
``<APIBusinessObjects>`` with no namespace as well. :func:`values` gives an element's child values
as text, numbers with a decimal point (P6 writes the decimal comma of the
exporting machine's locale), times of day as minutes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from ...errors import FileFormatError
from .._files import read_input

__all__ = ["parse_document", "local", "children", "values", "number_text", "clock", "ROOT", "NAMESPACE_PREFIX"]

ROOT = "APIBusinessObjects"
NAMESPACE_PREFIX = "http://xmlns.oracle.com/Primavera/"
_NUMBER = re.compile(r"^-?\d+,\d+$")


def local(element: ET.Element) -> str:
    """An element's name without its namespace."""
    return element.tag.rsplit("}", 1)[-1]


def children(element: ET.Element, name: str) -> list[ET.Element]:
    """The child elements called ``name`` (any namespace)."""
    return [c for c in element if local(c) == name]


def values(element: ET.Element) -> dict[str, str]:
    """The text of an element's children that hold text (the last of repeated names), stripped."""
    out = {}
    for c in element:
        if len(c) == 0:
            out[local(c)] = (c.text or "").strip()
    return out


def number_text(text: str) -> str:
    """A number as P6 XML writes it, with a decimal point: ``70,583333`` -> ``70.583333``."""
    return text.replace(",", ".") if _NUMBER.match(text) else text


def clock(text: str) -> int | None:
    """Minutes after midnight of ``08:00:00`` or ``08:00``; None when blank or unreadable."""
    m = re.match(r"^\s*(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?\s*$", text or "")
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        return None
    return int(m.group(1)) * 60 + int(m.group(2))


def parse_document(path: Path, data: bytes | None = None) -> ET.Element:
    """The root element of a P6 XML document (the file at ``path``, or ``data`` read from it)."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    safe = dict(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        root = fromstring(read_input(path) if data is None else data, **safe)
    except DefusedXmlException as exc:
        raise FileFormatError(
            f"{path}: refused: the file declares a document type or entities ({type(exc).__name__}); "
            "P6 XML files have none, and entity expansion is a known attack (XML bomb)"
        ) from None
    except ParseError as exc:
        raise FileFormatError(f"{path}: not well-formed XML ({exc}); is the file complete?") from None
    except (OSError, ValueError) as exc:
        raise FileFormatError(f"{path}: cannot read ({exc})") from None
    namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if local(root) != ROOT or (namespace and not namespace.startswith(NAMESPACE_PREFIX)):
        raise FileFormatError(
            f"{path}: not a Primavera P6 XML file: the root element is <{local(root)}> in namespace "
            f"{namespace or '(none)'!r}; P6 XML needs <{ROOT}> in no namespace or in one starting "
            f"{NAMESPACE_PREFIX!r}"
        )
    return root
