"""Fuzzing the project folder (CSV files and project.toml) and .xlsx readers, like the MSPDI and XER fuzzers
(tests/io/test_import_fuzz.py): whatever the input, only a PmsimError may escape, within bounded time.

Random bytes test the outer layers (decoding, CSV and TOML syntax, the zip and its XML); mutations
of a valid project (a cell or a setting replaced by an awkward value, a row dropped or repeated, a
file cut short) reach the field parsing and the model checks behind them.
"""

from __future__ import annotations

import re
import tempfile
import time
import warnings
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import rich_project

import pmsim as pm

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SECONDS = 20  # per example; a reader that loops or allocates without bound blows through it

_HOME = Path(tempfile.mkdtemp(prefix="pmsim-fuzz-folder-"))
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    VALID = pm.write_project(rich_project(), _HOME / "valid")
    BOOK = pm.write_project(rich_project(), _HOME / "valid.xlsx")
FILES = {path.name: path.read_text(encoding="utf-8") for path in sorted(VALID.iterdir()) if path.is_file()}
with zipfile.ZipFile(BOOK) as _zf:
    PARTS = {info.filename: _zf.read(info.filename) for info in _zf.infolist()}

AWKWARD = st.sampled_from([
    "", " ", "0", "-1", "-0", "1.5", "1,5", "1e400", "-1e400", "1e308", "nan", "inf", "-inf", "99999999999999999999",
    "abc", ";", "a;b", ":", "dev:", ":2", "dev:-1", "dev:nan", "A FS+", "A XX+1", "A FS+1e9", "A SS-1e300", "A;A",
    '"', "'", "'=1+1", "=HYPERLINK(1)", "\t", "\r", "\x00", "\u200b", "\u202e", "\ufeff", "9999-12-31", "0001-01-01",
    "2027-02-30", "10000-01-01", "Mon-Fry", "Monkey", "08:00-25:00", "24:00-08:00", "true", "maybe", "discrete",
    "uniform", "lognormal", "weibull", "10:0.5; 15:0.5", "10:1.5", "x" * 3000, "\u00b2", "1.\u00b2",
]) | st.text(max_size=12)

TOML_VALUES = st.sampled_from([
    '""', '"x"', "0", "-1", "1e400", "nan", "inf", "true", "[]", "[[]]", "{}", "2027-02-30", "9999-12-31",
    "0001-01-01", '"2027-01-04T25:00"', '"Mon-Fry"', '["Monkey"]', '"<script>"', '"€"', '"eur"', "[" * 60 + "]" * 60,
    '"\\u0000"', "1979-05-27T07:32:00Z", '{ first = 2027-01-05 }', '[{ first = 2027-01-05, hours = "25:00" }]',
]) | st.text(max_size=10).map(lambda s: '"' + s.replace("\\", "").replace('"', "") + '"')


def read_within_bounds(path: Path) -> None:
    """Read ``path``: a Project or a PmsimError, in bounded time (warnings ignored)."""
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            pm.read_project(path)
        except pm.PmsimError:
            pass
    assert time.perf_counter() - started < SECONDS


def write_folder(files: dict[str, bytes | str]) -> tuple[tempfile.TemporaryDirectory, Path]:
    home = tempfile.TemporaryDirectory()
    plan = Path(home.name) / "plan"
    plan.mkdir()
    for name, body in files.items():
        (plan / name).write_bytes(body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass"))
    return home, plan


# --------------------------------------------------------------------------- project folders


@st.composite
def mutated_csv(draw, text: str) -> str:
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        k = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["cell", "cell", "cell", "drop", "repeat", "cut", "extra"]))
        if action == "cell":
            cells = lines[k].split(",")
            cells[draw(st.integers(0, len(cells) - 1))] = draw(AWKWARD)
            lines[k] = ",".join(cells)
        elif action == "drop":
            del lines[k]
        elif action == "repeat":
            lines.insert(k, lines[k])
        elif action == "extra":
            lines[k] += "," + draw(AWKWARD)
        else:
            lines = lines[:k]
        if not lines:
            break
    return "\n".join(lines)


@st.composite
def mutated_toml(draw) -> str:
    lines = FILES["project.toml"].split("\n")
    for _ in range(draw(st.integers(1, 3))):
        k = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["value", "value", "drop", "repeat", "key"]))
        if action == "value" and "=" in lines[k]:
            lines[k] = lines[k].split("=", 1)[0] + "= " + draw(TOML_VALUES)
        elif action == "drop":
            del lines[k]
        elif action == "repeat":
            lines.insert(k, lines[k])
        else:
            lines.insert(k, f"{draw(st.sampled_from(['budget', 'start', 'currency', 'x', 'workdays']))} = "
                            f"{draw(TOML_VALUES)}")
        if not lines:
            break
    return "\n".join(lines)


@FUZZ
@given(st.sampled_from(sorted(n for n in FILES if n.endswith(".csv"))), st.data())
def test_mutated_csv_files(name, data):
    files = dict(FILES)
    files[name] = data.draw(mutated_csv(FILES[name]))
    home, plan = write_folder(files)
    with home:
        read_within_bounds(plan)


@FUZZ
@given(mutated_toml())
def test_mutated_project_toml(text):
    files = dict(FILES)
    files["project.toml"] = text
    home, plan = write_folder(files)
    with home:
        read_within_bounds(plan)


@FUZZ
@given(st.sampled_from(["tasks.csv", "project.toml", "resources.csv", "risks.csv"]), st.binary(max_size=2000))
def test_random_bytes_in_a_project_folder(name, data):
    files = dict(FILES)
    files[name] = data
    home, plan = write_folder(files)
    with home:
        read_within_bounds(plan)


# --------------------------------------------------------------------------- workbooks

CELL = re.compile(rb'<c r="[A-Z]+[0-9]+"[^>]*?(?:/>|>.*?</c>)', re.S)
CELL_KINDS = st.sampled_from(["n", "s", "str", "b", "e", "d", "inlineStr", "formula", "bad-ref", "far"])


@st.composite
def mutated_workbook(draw) -> bytes:
    parts = dict(PARTS)
    sheets = sorted(name for name in parts if name.startswith("xl/worksheets/"))
    for _ in range(draw(st.integers(1, 4))):
        part = draw(st.sampled_from(sheets))
        xml = parts[part]
        found = list(CELL.finditer(xml))
        if not found:
            continue
        cell = found[draw(st.integers(0, len(found) - 1))]
        ref = re.search(rb'r="([A-Z]+[0-9]+)"', cell.group()).group(1).decode()
        kind, value = draw(CELL_KINDS), draw(AWKWARD).replace("&", "").replace("<", "").replace("]]>", "")
        value = "".join(ch for ch in value if ch in "\t\n\r" or ord(ch) >= 0x20)  # what XML can hold
        new = {
            "formula": f'<c r="{ref}"><f>{value}</f></c>',
            "bad-ref": f'<c r="{value or "?"}"><v>1</v></c>',
            "far": f'<c r="XFD{draw(st.integers(1, 1_048_576))}"><v>1</v></c>',
            "inlineStr": f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>',
        }.get(kind, f'<c r="{ref}" t="{kind}"><v>{value}</v></c>')
        parts[part] = xml[: cell.start()] + new.encode("utf-8") + xml[cell.end():]
    if draw(st.integers(0, 9)) == 0:  # a part missing or cut short
        name = draw(st.sampled_from(sorted(parts)))
        if draw(st.booleans()):
            del parts[name]
        else:
            parts[name] = parts[name][: draw(st.integers(0, len(parts[name])))]
    with tempfile.SpooledTemporaryFile() as buffer:
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in parts.items():
                zf.writestr(name, data)
        buffer.seek(0)
        return buffer.read()


@FUZZ
@given(mutated_workbook())
def test_mutated_workbooks(data):
    with tempfile.TemporaryDirectory() as home:
        path = Path(home) / "plan.xlsx"
        path.write_bytes(data)
        read_within_bounds(path)


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes_as_a_workbook(data):
    with tempfile.TemporaryDirectory() as home:
        path = Path(home) / "plan.xlsx"
        path.write_bytes(b"PK\x03\x04" + data if data[:1] == b"\x00" else data)
        read_within_bounds(path)


# --------------------------------------------------------------------------- progress tables

ERP = pm.read_project(pm.data_path("erp_upgrade"))
PROGRESS = (Path(pm.data_path("erp_upgrade")) / "progress.csv").read_text(encoding="utf-8")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_csv(PROGRESS))
def test_mutated_progress_tables(text):
    with tempfile.TemporaryDirectory() as home:
        path = Path(home) / "progress.csv"
        path.write_text(text, encoding="utf-8")
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                pm.earned_value_series(ERP, pm.read_progress(path))
            except pm.PmsimError:
                pass
        assert time.perf_counter() - started < SECONDS
