"""CSV files as pmsim reads and writes them: tables of text cells, safe to open in a spreadsheet.

:func:`read_table` reads a CSV file into a frame of text cells, row by row
with the line each row starts on, whatever spreadsheet saved it: UTF-8 (with
or without a byte-order mark) or UTF-16 with its mark (Excel's "Unicode
text"); cells separated by commas, semicolons or tabs (the header says which,
or Excel's ``sep=`` first line); a decimal comma in the number columns of a
semicolon file. :func:`csv_text` writes a frame so that no cell runs as a
formula in a spreadsheet (:func:`pmsim.safe_text.neutralise_formula`); reading
undoes it, so a round trip gives back the same text.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from ..errors import FileFormatError
from ..safe_text import neutralise_formula, restore_formula
from ._files import read_input

__all__ = ["read_table", "csv_text", "decode_text"]

_EXCEL_SEP = re.compile(r'"?sep=([^"\r\n])"?\s*')
_DECIMAL_COMMA = re.compile(r"\s*[+-]?\d+,\d+\s*")
_SEPARATORS = {",": "commas", ";": "semicolons", "\t": "tabs"}


def decode_text(data: bytes, path) -> str:
    """The text of a file saved as UTF-8 (a byte-order mark is fine) or UTF-16 with its byte-order mark.

    Anything else is refused with the line of the first byte that is not UTF-8, and what to do.

    >>> decode_text("id\\nA\\n".encode("utf-16"), "t.csv")
    'id\\nA\\n'
    >>> decode_text("id\\ncaf\\xe9\\n".encode("cp1252"), "t.csv")
    Traceback (most recent call last):
    ...
    pmsim.errors.FileFormatError: t.csv, line 2: not UTF-8 text (byte 0xe9 at byte 6); the file was probably saved in a Windows or Mac code page: save it again as UTF-8 ('CSV UTF-8' in Excel)
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise FileFormatError(f"{path}: broken UTF-16 text ({exc.reason} at byte {exc.start})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        zeros = data[:400].count(b"\x00")
        if zeros * 4 >= len(data[:400]):
            hint = "it looks like UTF-16 without its byte-order mark: save it again as UTF-8"
        else:
            hint = ("the file was probably saved in a Windows or Mac code page: save it again as UTF-8"
                    + (" ('CSV UTF-8' in Excel)" if str(path).lower().endswith(".csv") else ""))
        raise FileFormatError(f"{path}, line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x} at byte "
                              f"{exc.start}); {hint}") from None


def _delimiter(header: str) -> str:
    """The cell separator of a header line: the most frequent of ``,``, ``;`` and tab outside quotes."""
    outside = re.sub(r'"[^"]*"', "", header)
    counts = {sep: outside.count(sep) for sep in _SEPARATORS}
    best = max(counts, key=lambda sep: (counts[sep], sep == ","))
    return best if counts[best] else ","


def _separator_hint(delimiter: str) -> str:
    name = _SEPARATORS.get(delimiter, repr(delimiter))
    return f" (cells are separated by {name}, as in the header; quote a cell that holds one)"


def _lines(text: str) -> list[str]:
    """The first lines of ``text``, with a carriage return alone (old Mac files) as a line end too."""
    return re.split(r"\r\n|\n|\r", text, maxsplit=2)


def _csv_problem(exc: csv.Error, line: int) -> str:
    """What a csv.Error means for the person who saved the file (most often a quote left open)."""
    text = str(exc)
    if "field larger than field limit" in text:
        return (f"a cell longer than {csv.field_size_limit():,} characters (in the row that starts on line {line}): "
                "is a quote (\") left open?")
    if "unexpected end of data" in text or "EOF" in text:
        return f"the file ends inside a quoted cell (opened in the row that starts on line {line}); close the quote"
    return f"not a readable CSV file: {text}"


def read_table(path, numeric=frozenset()) -> pd.DataFrame:
    """Every cell of a CSV file as text (``""`` when empty), rows indexed by the line on which they start.

    ``numeric`` names the number columns (lower case, ``_`` for spaces), where a
    semicolon file's decimal comma becomes a point. Blank rows are skipped; a
    row with more cells than the header is refused unless the extra cells are
    blank; a column with no header and nothing in it (a spreadsheet's
    leftover) is dropped. A leading ``'`` that :func:`csv_text` put before a
    formula character is removed.
    """
    path = Path(path)
    text = decode_text(read_input(path), path)
    lines = _lines(text)
    excel_sep = _EXCEL_SEP.fullmatch(lines[0])
    delimiter = excel_sep[1] if excel_sep else _delimiter(lines[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 1
    try:
        if excel_sep:  # Excel's "sep=;" line says which separator follows
            next(reader, None)
            if len(lines) < 2 or not lines[1].strip():
                raise FileFormatError(f"{path}: the file is empty after its sep= line; it needs a header row")
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise FileFormatError(f"{path}: the file is empty; it needs a header row")
        header = [restore_formula(cell) for cell in header]
        records, numbers = [], []
        line = reader.line_num + 1
        for record in reader:
            if any(cell.strip() for cell in record):
                if len(record) > len(header) and any(c.strip() for c in record[len(header):]):
                    raise FileFormatError(
                        f"{path}, row {line}: {len(record)} cells but the header has {len(header)} columns"
                        f"{_separator_hint(delimiter)}")
                records.append([restore_formula(cell) for cell in (record + [""] * len(header))[: len(header)]])
                numbers.append(line)
            line = reader.line_num + 1
    except csv.Error as exc:
        raise FileFormatError(f"{path}, line {reader.line_num}: {_csv_problem(exc, line)}") from None
    if delimiter == ";":  # a European spreadsheet: a decimal comma in the number columns
        columns = [i for i, name in enumerate(header) if re.sub(r"\s+", "_", name.strip().lower()) in numeric]
        for record in records:
            for i in columns:
                if _DECIMAL_COMMA.fullmatch(record[i]):
                    record[i] = record[i].replace(",", ".")
    frame = pd.DataFrame(records, columns=header, index=pd.Index(numbers), dtype=object)
    keep = [i for i, name in enumerate(header) if name.strip() or any(r[i].strip() for r in records)]
    return frame.iloc[:, keep]


def csv_text(frame: pd.DataFrame, index: bool = False) -> str:
    """``frame`` as CSV text (``\\n`` line ends) whose text cells a spreadsheet shows as text, never runs.

    Numbers are written as pandas writes them; text that starts like a formula
    (``=``, ``+``, ``-``, ``@``, tab, carriage return) gets a leading ``'``
    (:func:`pmsim.safe_text.neutralise_formula`), which :func:`read_table` removes.

    >>> print(csv_text(pd.DataFrame({"name": ["=HYPERLINK(1)", "-5 days"], "lag": [-5.0, 2.0]})), end="")
    name,lag
    '=HYPERLINK(1),-5.0
    '-5 days,2.0
    """
    def safe(value):
        return neutralise_formula(value) if isinstance(value, str) else value

    out = frame.astype(object).map(safe)
    out.columns = [safe(str(c)) for c in out.columns]
    if index:
        out.index = out.index.map(safe)
        if out.index.name is not None:
            out.index.name = safe(str(out.index.name))
    return out.to_csv(index=index, lineterminator="\n")
