"""The cells of an ``.xlsx`` workbook's sheets, read sparsely and within limits.

A workbook is a zip of XML parts, and a few kilobytes of it can describe a
sheet of a million rows by sixteen thousand columns (one value in cell
XFD1048576) or unpack to gigabytes. :func:`read_sheets` therefore reads only
the cells a sheet holds, never a grid the size of its extent: the parts'
unpacked size is checked against :data:`pmsim.limits.WORKBOOK_BYTES` before
anything is read, and the cells of a sheet against
:data:`pmsim.limits.SHEET_CELLS` as they are read. It also keeps what a
spreadsheet program hides: a cell holding an error (``#DIV/0!``) or a formula
without a computed value (written by a program that does not calculate) is
reported with its address, so that a reader can say why a value is missing.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from .. import limits
from ..errors import FileFormatError
from ._files import input_file

__all__ = ["Sheet", "read_sheets", "column_letter"]

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_DOCUMENT = "/officeDocument"
_CELL = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
_MAX_ROWS, _MAX_COLUMNS = 1_048_576, 16_384  # Excel's sheet


@dataclass
class Sheet:
    """The cells of one sheet: ``cells[row][column]`` (1-based) holds each value given, and
    ``problems[(row, column)]`` what a cell holds instead of a value (an error such as
    ``#DIV/0!``, or a formula without its computed value)."""

    name: str
    cells: dict[int, dict[int, object]] = field(default_factory=dict)
    problems: dict[tuple[int, int], str] = field(default_factory=dict)


def column_letter(column: int) -> str:
    """The letters of a 1-based column number: 1 -> ``A``, 28 -> ``AB``, 16384 -> ``XFD``.

    >>> column_letter(1), column_letter(28), column_letter(16384)
    ('A', 'AB', 'XFD')
    """
    out = ""
    while column:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _iterparse(source, tags):
    """(event, element) pairs of a part, refusing document types and entities (XML bombs)."""
    from defusedxml.ElementTree import iterparse

    return iterparse(source, events=tags, forbid_dtd=True, forbid_entities=True, forbid_external=True)


class _Book:
    """The parts of a workbook that the sheets need: where each sheet is, the shared strings, the date styles."""

    def __init__(self, zf: zipfile.ZipFile, path: Path):
        self.zf, self.path = zf, path
        self.names = set(zf.namelist())
        for _ in self._parse("[Content_Types].xml", ("end",)):  # every package has it: a damaged one is refused
            pass
        workbook = self._office_document()
        rels = self._relationships(workbook)
        self.sheets: list[tuple[str, str]] = []  # (name, part)
        self.epoch_1904 = False
        for _, el in self._parse(workbook, ("end",)):
            if el.tag == _MAIN + "sheet":
                target = rels.get(el.get(_REL + "id") or "")
                if target is not None:
                    self.sheets.append((el.get("name") or "", target))
            elif el.tag == _MAIN + "workbookPr":
                self.epoch_1904 = el.get("date1904", "0").lower() in ("1", "true")
        self.strings_part = next((t for t in rels.values() if t.endswith("sharedStrings.xml")), None)
        self.styles_part = next((t for t in rels.values() if t.endswith("styles.xml")), None)
        self._strings: list[str] | None = None
        self._dates: set[int] | None = None

    def _parse(self, part: str, events):
        if part not in self.names:
            raise FileFormatError(f"{self.path}: not a readable .xlsx workbook (the part {part!r} is missing)")
        return _iterparse(self.zf.open(part), events)

    def _office_document(self) -> str:
        if "_rels/.rels" in self.names:
            for _, el in self._parse("_rels/.rels", ("end",)):
                if el.tag == _PKG_REL + "Relationship" and (el.get("Type") or "").endswith(_OFFICE_DOCUMENT):
                    return (el.get("Target") or "").lstrip("/")
        return "xl/workbook.xml"

    def _relationships(self, part: str) -> dict[str, str]:
        folder, name = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", name + ".rels")
        out = {}
        if rels_part in self.names:
            for _, el in self._parse(rels_part, ("end",)):
                if el.tag == _PKG_REL + "Relationship":
                    target = el.get("Target") or ""
                    resolved = target.lstrip("/") if target.startswith("/") else \
                        posixpath.normpath(posixpath.join(folder, target))
                    out[el.get("Id") or ""] = resolved
        return out

    @property
    def strings(self) -> list[str]:
        if self._strings is None:
            self._strings = []
            if self.strings_part is not None and self.strings_part in self.names:
                for _, el in self._parse(self.strings_part, ("end",)):
                    if el.tag == _MAIN + "si":
                        self._strings.append(_text_of(el))
                        el.clear()
        return self._strings

    @property
    def date_styles(self) -> set[int]:
        """The cell styles (indexes of ``cellXfs``) whose number format shows a date."""
        if self._dates is None:
            from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

            formats = dict(BUILTIN_FORMATS)
            self._dates = set()
            if self.styles_part is not None and self.styles_part in self.names:
                in_xfs, k = False, 0
                for event, el in self._parse(self.styles_part, ("start", "end")):
                    if el.tag == _MAIN + "numFmt" and event == "end":
                        formats[_int(el.get("numFmtId"))] = el.get("formatCode") or ""
                    elif el.tag == _MAIN + "cellXfs":
                        in_xfs = event == "start"
                    elif el.tag == _MAIN + "xf" and in_xfs and event == "end":
                        code = formats.get(_int(el.get("numFmtId")), "")
                        if code and is_date_format(code) and not is_timedelta_format(code):
                            self._dates.add(k)
                        k += 1
        return self._dates


def _int(text) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        return -1


def _text_of(el) -> str:
    """The text of a shared or inline string: its own ``t``, or its rich-text runs (phonetic guides left out)."""
    own = el.find(_MAIN + "t")
    if own is not None:
        return own.text or ""
    return "".join(run.findtext(_MAIN + "t") or "" for run in el.findall(_MAIN + "r"))


def _cell_value(book: _Book, el, where: str):
    """(value, problem) of a ``c`` element: the value it holds, or what it holds instead."""
    kind = el.get("t", "n")
    raw = el.findtext(_MAIN + "v")
    formula = el.find(_MAIN + "f")
    if kind == "inlineStr":
        inline = el.find(_MAIN + "is")
        return (None if inline is None else _text_of(inline)), None
    if raw is None or raw == "":
        if formula is not None:
            text = "=" + (formula.text or "")
            return None, f"a formula ({text[:40]}) without a computed value"
        return None, None
    if kind == "e":
        return None, f"the error {raw}"
    if kind == "s":
        k = _int(raw)
        if not 0 <= k < len(book.strings):
            raise FileFormatError(f"{book.path}: {where}: refers to shared string {raw!r}, which does not exist")
        return book.strings[k], None
    if kind in ("str", "inlineStr"):
        return raw, None
    if kind == "b":
        return raw.strip() in ("1", "true"), None
    if kind == "d":
        try:
            return dt.datetime.fromisoformat(raw.strip()), None
        except ValueError:
            raise FileFormatError(f"{book.path}: {where}: {raw!r} is not an ISO date") from None
    try:
        number = float(raw)
    except ValueError:
        raise FileFormatError(f"{book.path}: {where}: {raw[:40]!r} is not a number") from None
    if _int(el.get("s")) in book.date_styles:
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

        try:
            return from_excel(number, CALENDAR_MAC_1904 if book.epoch_1904 else CALENDAR_WINDOWS_1900), None
        except (OverflowError, ValueError):
            return None, f"the number {raw} shown as a date, which is not a date"
    return (int(number) if number.is_integer() and abs(number) < 2**53 and "." not in raw
            and "e" not in raw.lower() else number), None


def _read_sheet(book: _Book, name: str, part: str) -> Sheet:
    sheet = Sheet(name)
    where_sheet = f"sheet {name!r}"
    budget = limits.SHEET_CELLS
    count = 0
    row_number, column = 0, 0
    for event, el in book._parse(part, ("start", "end")):
        tag = el.tag
        if tag == _MAIN + "row":
            if event == "start":
                given = _int(el.get("r"))
                row_number = given if given > 0 else row_number + 1
                column = 0
            else:
                el.clear()
            continue
        if tag != _MAIN + "c" or event != "end":
            continue
        count += 1
        if count > budget:
            limits.check("SHEET_CELLS", count, f"{book.path}: {where_sheet}: cells")
        ref = el.get("r")
        if ref:
            m = _CELL.fullmatch(ref.strip().upper())
            if not m:
                raise FileFormatError(f"{book.path}: {where_sheet}: {ref!r} is not a cell address")
            column, row = _column_number(m[1]), int(m[2])
        else:
            column, row = column + 1, row_number
        if not (1 <= row <= _MAX_ROWS and 1 <= column <= _MAX_COLUMNS):
            raise FileFormatError(f"{book.path}: {where_sheet}: cell {ref or (row, column)!r} lies outside a sheet "
                                  f"({_MAX_ROWS:,} rows, {_MAX_COLUMNS:,} columns)")
        where = f"{where_sheet}, cell {column_letter(column)}{row}"
        value, problem = _cell_value(book, el, where)
        el.clear()
        if problem is not None:
            sheet.problems[(row, column)] = problem
        elif value is not None and not (isinstance(value, str) and not value.strip()):
            sheet.cells.setdefault(row, {})[column] = value
    return sheet


def read_sheets(path, wanted) -> dict[str, Sheet]:
    """The sheets of the workbook at ``path`` whose names (stripped, any case) are in ``wanted``, by that name.

    Raises FileFormatError for a file that is not a readable workbook or has two sheets of one name, and
    LimitError for a workbook that unpacks or spreads beyond :mod:`pmsim.limits`.
    """
    path = input_file(path)
    try:
        with zipfile.ZipFile(path) as zf:
            unpacked = sum(info.file_size for info in zf.infolist())
            limits.check("WORKBOOK_BYTES", unpacked, f"{path}: bytes once unpacked")
            book = _Book(zf, path)
            chosen: dict[str, tuple[str, str]] = {}
            for name, part in book.sheets:
                key = name.strip().lower()
                if key in chosen:
                    raise FileFormatError(f"{path}: two sheets are called {key!r}")
                if key in wanted:
                    chosen[key] = (name, part)
            return {key: _read_sheet(book, name, part) for key, (name, part) in chosen.items()}
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        # RuntimeError: an encrypted zip member; NotImplementedError: an unknown compression.
        raise FileFormatError(f"{path}: not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None
    except SyntaxError as exc:  # ElementTree's ParseError
        raise FileFormatError(f"{path}: not a readable .xlsx workbook (ParseError: damaged XML: {exc})") from None
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
