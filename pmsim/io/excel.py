"""A project as one ``.xlsx`` workbook: sheets ``tasks``, ``resources``, ``risks``, ``project``.

The ``tasks``, ``resources`` and ``risks`` sheets have the columns of the
CSV files (:mod:`pmsim.model.tables`), a header in row 1. ``tasks`` and
``project`` are required; ``resources`` and ``risks`` are optional.

The ``project`` sheet holds the settings as two columns, ``key`` and
``value``, one setting per row: ``name``, ``start``, ``currency``,
``budget``, ``deadline``, ``description``, ``workdays`` and ``holidays``.
``workdays`` and ``holidays`` are ``;``-separated lists
(``Mon; Tue; Wed; Thu; Fri``, ``2027-04-02; 2027-12-24``); a ``holidays`` row
may also be repeated, one date per row. Dates may be ISO text or Excel dates.

Numbers are written as Excel numbers; the rare value that needs all 17
significant digits to read back exactly (e.g. 1/3) is written as text,
because Excel files keep only 16.

Reading needs openpyxl (the ``excel`` extra).
"""

from __future__ import annotations

import warnings
import zipfile
import zlib
from pathlib import Path

import pandas as pd

from ..errors import FileFormatError, MissingExtraError, PmsimWarning
from ..model import Project
from ..model.project import build_project
from ..model.tables import project_to_frames
from ._files import XML_ILLEGAL, replacing

__all__ = ["read_xlsx", "write_xlsx", "SHEETS"]

SHEETS = ("tasks", "resources", "risks", "project")
_REQUIRED = ("tasks", "project")


def _openpyxl():
    try:
        import openpyxl  # noqa: F401
    except ImportError:  # pragma: no cover - openpyxl is installed with the extras
        raise MissingExtraError("reading and writing .xlsx needs openpyxl: pip install 'pmsim[excel]'") from None


def _sheets(path: Path) -> dict[str, pd.DataFrame]:
    _openpyxl()
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = pd.read_excel(path, sheet_name=None, dtype=object, na_filter=False, engine="openpyxl")
    # A damaged workbook fails in the zip layer (BadZipFile, zlib.error), in its XML parts
    # (SyntaxError: ElementTree's and lxml's ParseError), or in openpyxl's reading of them.
    except (zipfile.BadZipFile, zlib.error, EOFError, SyntaxError, InvalidFileException,
            KeyError, ValueError, TypeError, IndexError, AttributeError) as exc:
        raise FileFormatError(f"{path}: not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    sheets = {}
    for name, frame in book.items():
        key = str(name).strip().lower()
        if key in sheets:
            raise FileFormatError(f"{path}: two sheets are called {key!r}")
        frame.index = pd.RangeIndex(2, len(frame) + 2)
        blank = frame.map(lambda v: v is None or (isinstance(v, str) and not v.strip())).all(axis=1)
        sheets[key] = frame[~blank] if len(frame) else frame
    return sheets


def _settings(frame: pd.DataFrame, label: str) -> dict:
    columns = {str(c).strip().lower(): c for c in frame.columns}
    for column in ("key", "value"):
        if column not in columns:
            raise FileFormatError(f"{label}: missing required column {column!r} (one setting per row: key, value)")
    settings: dict = {}
    calendar: dict = {}
    for index, key, value in zip(frame.index, frame[columns["key"]], frame[columns["value"]]):
        key = str(key).strip().lower() if key is not None else ""
        if not key:
            continue
        if key in ("workdays", "holidays"):
            calendar.setdefault(key, []).extend(_items(value))
        elif key in settings:
            raise FileFormatError(f"{label}, row {index}: key {key!r} appears twice")
        else:
            settings[key] = value
    if calendar:
        settings["calendar"] = calendar
    return settings


def _items(value) -> list:
    if isinstance(value, str):
        return [v.strip() for v in value.split(";") if v.strip()]
    return [] if value is None else [value]


def read_xlsx(path) -> Project:
    """Read a project workbook.

    Parameters
    ----------
    path : str or Path
        An ``.xlsx`` file with sheets ``tasks`` and ``project`` (and optionally
        ``resources`` and ``risks``).

    Returns
    -------
    Project

    Raises
    ------
    FileFormatError
        The workbook cannot be opened, or a required sheet or column is missing.
    PmsimError
        A model rule is broken; the message names the sheet, row and task.

    >>> import tempfile, pathlib, pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=1 / 3)])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     book = write_xlsx(p, pathlib.Path(tmp) / "plan.xlsx")
    ...     read_xlsx(book) == p
    True
    """
    path = Path(path)
    sheets = _sheets(path)
    for name in _REQUIRED:
        if name not in sheets:
            raise FileFormatError(f"{path}: no sheet {name!r}; a project workbook needs sheets tasks and project")
    labels = {name: f"{path}, sheet {name!r}" for name in SHEETS}
    labels["settings"] = labels.pop("project")
    settings = _settings(sheets["project"], labels["settings"])
    return build_project(sheets["tasks"], sheets.get("resources"), sheets.get("risks"), settings, labels)


def _excel_cell(value):
    """A value Excel keeps exactly: numbers that need 17 digits go in as text."""
    if isinstance(value, float):
        if value != value:
            return None
        if float("%.16g" % value) != value:
            return repr(value)
    if isinstance(value, str) and not value:
        return None
    return value


def _settings_frame(settings: dict) -> pd.DataFrame:
    rows = []
    for key, value in settings.items():
        if key == "calendar":
            rows.append(("workdays", "; ".join(value["workdays"])))
            rows.append(("holidays", "; ".join(d.isoformat() for d in value["holidays"])))
        else:
            rows.append((key, value.isoformat() if hasattr(value, "isoformat") else _excel_cell(value)))
    return pd.DataFrame(rows, columns=["key", "value"])


def _workbook(sheets: dict[str, pd.DataFrame]):
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in SHEETS:
        frame = sheets[name]
        sheet = book.create_sheet(name)
        sheet.append(list(frame.columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in frame.itertuples(index=False, name=None):
            sheet.append(row)
        # Text such as "=== Go live ===" is text, not a formula.
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                if cell.data_type == "f":
                    cell.data_type = "s"
        sheet.freeze_panes = "A2"
    return book


def write_xlsx(project: Project, path) -> Path:
    """Write ``project`` as a workbook with sheets tasks, resources, risks and project.

    The workbook is written to a temporary file next to ``path`` and then moved
    into place, so an error never leaves a half-written file. Control
    characters, which a workbook cannot hold, become spaces (with a warning
    naming the sheet and column).

    >>> import tempfile, pathlib, pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=2)])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     book = write_xlsx(p, pathlib.Path(tmp) / "plan.xlsx")
    ...     sorted(pd.read_excel(book, sheet_name=None))
    ['project', 'resources', 'risks', 'tasks']
    """
    _openpyxl()
    path = Path(path)
    frames = project_to_frames(project)
    sheets = {
        name: frames[name].astype(object).map(_excel_cell) for name in ("tasks", "resources", "risks")
    }
    sheets["project"] = _settings_frame(frames["settings"])
    _replace_illegal_characters(sheets, path)
    with replacing(path) as tmp:
        _workbook(sheets).save(tmp)
    return path


def _replace_illegal_characters(sheets: dict[str, pd.DataFrame], path: Path) -> None:
    """Control characters become spaces (a workbook is XML and cannot hold them), with a warning saying where."""
    where = []
    for name, frame in sheets.items():
        for column in frame.columns:
            if frame[column].map(lambda v: isinstance(v, str) and XML_ILLEGAL.search(v) is not None).any():
                frame[column] = frame[column].map(lambda v: XML_ILLEGAL.sub(" ", v) if isinstance(v, str) else v)
                where.append(f"sheet {name!r} column {column!r}")
    if where:
        warnings.warn(PmsimWarning(f"{path}: control characters replaced by spaces (a workbook cannot hold them) in "
                                   + ", ".join(where)), stacklevel=4)
