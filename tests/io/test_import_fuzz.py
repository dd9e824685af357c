"""Fuzzing the MSPDI and XER readers: whatever the bytes, only a PmsimError may escape.

Random bytes test the outer layers (XML parsing, the XER header and table
structure); mutations of a valid file (a value replaced by an awkward one,
an element or line dropped or repeated, the file cut short) reach the
field parsing and the model checks behind them.
"""

from __future__ import annotations

import tempfile
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pmsim as pm
from support import rich_exchange_project as rich_project
from pmsim.io.mspdi import NAMESPACE, read_mspdi, write_mspdi
from pmsim.io.xer import read_xer, write_xer

FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_HOME = Path(tempfile.mkdtemp(prefix="pmsim-fuzz-"))
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    write_mspdi(rich_project(), _HOME / "valid.xml")
    write_xer(rich_project(), _HOME / "valid.xer")
VALID_XML = (_HOME / "valid.xml").read_bytes()
VALID_XER = (_HOME / "valid.xer").read_bytes()

AWKWARD = st.sampled_from([
    "", "0", "-1", "-0", "1.5", "1e400", "-1e400", "nan", "inf", "99999999999999999999", "abc", "P", "PT",
    "P1Y2M3W4DT5H6M7.5S", "PT-8H0M0S", "-PT8H", "2027-13-45T00:00:00", "9999-12-31T23:59:59", "0001-01-01",
    "PR_XX", "TT_LOE", "CS_MSO", "(0||", "(0||1()())", "d|", "Y", ";", "a;b", "{", "[1,", '"', "\t",
    "\u00b2", "1.\u00b2", "9" * 5000,  # digits to str.isdigit but not to int()
]) | st.text(max_size=12)


def only_pmsim_errors(reader, data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz.{suffix}"
        path.write_bytes(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                reader(path)
            except pm.PmsimError:
                pass


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes_as_mspdi(data):
    only_pmsim_errors(read_mspdi, data, "xml")


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes_as_xer(data):
    only_pmsim_errors(read_xer, b"ERMHDR\t19.12\r\n" + data, "xer")


@st.composite
def mutated_mspdi(draw) -> bytes:
    ET.register_namespace("", NAMESPACE)
    root = ET.fromstring(VALID_XML)
    for _ in range(draw(st.integers(1, 4))):
        elements = list(root.iter())
        parents = {child: parent for parent in elements for child in parent}
        el = elements[draw(st.integers(0, len(elements) - 1))]
        action = draw(st.sampled_from(["value", "value", "value", "drop", "repeat"]))
        if action == "value" or el is root:
            el.text = draw(AWKWARD)
        elif action == "drop":
            parents[el].remove(el)
        else:
            parents[el].append(el)
    data = ET.tostring(root, encoding="utf-8")
    if draw(st.booleans()) and draw(st.integers(0, 9)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
    return data


@st.composite
def mutated_xer(draw) -> bytes:
    lines = VALID_XER.decode("cp1252").split("\r\n")
    for _ in range(draw(st.integers(1, 4))):
        k = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["cell", "cell", "cell", "drop", "repeat", "cut"]))
        if action == "cell":
            cells = lines[k].split("\t")
            cells[draw(st.integers(0, len(cells) - 1))] = draw(AWKWARD)
            lines[k] = "\t".join(cells)
        elif action == "drop":
            del lines[k]
        elif action == "repeat":
            lines.insert(k, lines[k])
        else:
            lines = lines[:k]
        if not lines:
            break
    return "\r\n".join(lines).encode("utf-8")


@FUZZ
@given(mutated_mspdi())
def test_mutated_mspdi(data):
    only_pmsim_errors(read_mspdi, data, "xml")


@FUZZ
@given(mutated_xer())
def test_mutated_xer(data):
    only_pmsim_errors(read_xer, data, "xer")
