"""A project as one ``.xlsx`` workbook: sheets ``tasks``, ``resources``, ``risks``, ``calendars``, ``project``.

The ``tasks``, ``resources``, ``risks`` and ``calendars`` sheets have the
columns of the CSV files (:mod:`pmsim.model.cells`, ``docs/file-format.md``),
a header in row 1. ``tasks`` and ``project`` are required; the others are
optional. A column may appear once.

The ``project`` sheet holds the settings as two columns, ``key`` and
``value``, one setting per row: ``name``, ``start``, ``currency``,
``budget``, ``deadline``, ``description``, ``status_date``,
``must_finish_by``, ``lag_calendar``, ``total_float``, ``progress_rule``,
``honor_constraints``, and the project calendar: either ``calendar`` (the id
of a calendar of the ``calendars`` sheet), or its own keys ``workdays``,
``hours``, ``mon`` ... ``sun``, ``hours_per_day``, ``holidays``,
``exceptions`` (and ``calendar_id``, ``calendar_name``). ``workdays`` and
``holidays`` are ``;``-separated lists (``Mon-Fri``,
``2027-04-02; 2027-12-24``); ``holidays`` and ``exceptions`` rows may be
repeated. Dates may be ISO text or Excel dates (an Excel date without a time
is that whole day; write ``2027-01-04T00:00`` as text for midnight itself).

Numbers are written as Excel numbers; the rare value that needs all 17
significant digits to read back exactly (e.g. 1/3) is written as text,
because Excel files keep only 16.

Reading needs openpyxl (the ``excel`` extra).
"""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import pandas as pd

from ..errors import FileFormatError, MissingExtraError, PmsimWarning
from ..model import Project, require_project
from ..model.project import build_project
from ..model.cells import CALENDAR_KEYS, OPTIONAL_COLUMNS, moment_text
from ..model.frames import project_to_frames
from ._exchange import Notes, note_manual_tasks
from ._files import XML_ILLEGAL, replacing
from .xlsx_cells import Sheet, column_letter, read_sheets

__all__ = ["read_xlsx", "write_xlsx", "SHEETS"]

SHEETS = ("tasks", "resources", "risks", "calendars", "project")
_REQUIRED = ("tasks", "project")
# Rows of the project sheet that describe the project calendar, and its key each stands for.
_CALENDAR_ROWS = {**{k: k for k in CALENDAR_KEYS if k not in ("id", "name")},
                  "calendar_id": "id", "calendar_name": "name"}
_REPEATABLE = ("holidays", "exceptions")
# An OLE2 compound file: Excel's encrypted (password-protected) workbooks and old .xls files.
_OLE_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")


def _openpyxl():
    try:
        import openpyxl  # noqa: F401
    except ImportError:  # pragma: no cover - openpyxl is installed with the extras
        raise MissingExtraError("reading and writing .xlsx needs openpyxl: pip install 'pmsim[excel]'") from None


def _sheets(path: Path) -> dict[str, pd.DataFrame]:
    """The sheets of the workbook, as tables: only the cells it holds are read (:mod:`.xlsx_cells`), within
    :mod:`pmsim.limits`, so that one value in cell XFD1048576 does not become a grid of 17 billion cells."""
    _openpyxl()
    try:
        with open(path, "rb") as f:
            if f.read(8) == _OLE_SIGNATURE:
                raise FileFormatError(f"{path}: a password-protected workbook or an old .xls file; save it as an "
                                      ".xlsx workbook without a password")
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    return {key: _table(path, sheet) for key, sheet in read_sheets(path, SHEETS).items()}


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table(path: Path, sheet: Sheet) -> pd.DataFrame:
    """A sheet as a table: row 1 is the header, rows are indexed by their sheet row; blank rows and columns
    with neither a header nor a value (a spreadsheet's leftovers) are left out.

    A cell that holds an error (``#DIV/0!``) or a formula whose value was never computed is refused with
    its address: its value is unknown, and reading it as empty would change the plan without a word.
    """
    for (row, column), problem in sorted(sheet.problems.items()):
        heading = sheet.cells.get(1, {}).get(column)
        under = f" (column {heading!r})" if row > 1 and heading is not None else ""
        fix = ("open and save the workbook in Excel or LibreOffice so that the value is computed, or type the value"
               if problem.startswith("a formula") else "correct it or type the value")
        raise FileFormatError(f"{path}, sheet {sheet.name!r}, cell {column_letter(column)}{row}{under}: holds "
                              f"{problem}, not a value; {fix}")
    if not sheet.cells:
        return pd.DataFrame()
    header = sheet.cells.get(1, {})
    rows = sorted(r for r in sheet.cells if r > 1)
    columns = sorted(set(header) | {c for r in rows for c in sheet.cells[r]})
    body = pd.DataFrame([[sheet.cells[r].get(c) for c in columns] for r in rows], index=pd.Index(rows),
                        columns=range(len(columns)), dtype=object)
    body.columns = [header[c] if c in header else f"column {column_letter(c)} (no header)" for c in columns]
    return body


def _settings(frame: pd.DataFrame, label: str) -> dict:
    columns = {str(c).strip().lower(): c for c in frame.columns}
    for column in ("key", "value"):
        if column not in columns:
            raise FileFormatError(f"{label}: missing required column {column!r} (one setting per row: key, value)")
    settings: dict = {}
    calendar: dict = {}
    for index, key, value in zip(frame.index, frame[columns["key"]], frame[columns["value"]]):
        key = str(key).strip().lower() if key is not None else ""
        if not key or _blank(value):
            continue
        if isinstance(value, dt.datetime) and value.time() == dt.time(0):
            value = value.date()  # an Excel date: the whole day
        if key in _REPEATABLE:
            calendar.setdefault(key, []).extend(_items(value) if key == "holidays" else [value])
        elif key in settings or key in calendar:
            raise FileFormatError(f"{label}, row {index}: key {key!r} appears twice")
        elif key in _CALENDAR_ROWS:
            calendar[key] = value
        else:
            settings[key] = value
    if calendar:
        if "calendar" in settings:
            raise FileFormatError(
                f"{label}: key 'calendar' names a calendar of the calendars sheet; the project calendar's own keys "
                f"({', '.join(calendar)}) cannot be given as well")
        settings["calendar"] = {_CALENDAR_ROWS[k]: v for k, v in calendar.items()}
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
    return build_project(sheets["tasks"], sheets.get("resources"), sheets.get("risks"), settings, labels,
                         sheets.get("calendars"))


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
        if key == "calendar" and isinstance(value, dict):
            names = {v: k for k, v in _CALENDAR_ROWS.items()}
            for field, item in value.items():
                if field == "workdays":
                    item = "; ".join(item) or "none"
                elif field in _REPEATABLE:
                    item = "; ".join(d.isoformat() if hasattr(d, "isoformat") else d for d in item)
                rows.append((names[field], _excel_cell(item)))
        else:
            rows.append((key, moment_text(value) if isinstance(value, dt.date) else _excel_cell(value)))
    return pd.DataFrame(rows, columns=["key", "value"])


def _workbook(sheets: dict[str, pd.DataFrame]):
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in SHEETS:
        if name not in sheets:
            continue
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
    """Write ``project`` as a workbook with sheets tasks, resources, risks, calendars (when it has any) and project.

    Columns no row uses (``lambda``, ``constraint``, ...) are left out.

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
    project = require_project(project, "write_xlsx")
    _openpyxl()
    path = Path(path)
    frames = project_to_frames(project)
    names = [n for n in SHEETS[:-1] if n != "calendars" or project.calendars]
    sheets = {}
    for name in names:
        frame = frames[name].astype(object).map(_excel_cell)
        unused = [c for c in OPTIONAL_COLUMNS[name] if frame[c].isna().all()]
        sheets[name] = frame.drop(columns=unused)
    sheets["project"] = _settings_frame(frames["settings"])
    if project.baselines:
        warnings.warn(PmsimWarning(f"{path}: baselines {', '.join(b.name for b in project.baselines)} not written "
                                   "(a workbook holds no baselines; the folder format and MSPDI keep them)"),
                      stacklevel=2)
    _replace_illegal_characters(sheets, path)
    with replacing(path) as tmp:
        _workbook(sheets).save(tmp)
    notes = Notes(str(path), "a workbook cannot hold them")
    note_manual_tasks(project, notes)
    notes.emit(stacklevel=3)
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
