"""A project as a folder: ``tasks.csv``, ``resources.csv``, ``risks.csv``, ``calendars.csv``, ``project.toml``.

``tasks.csv`` and ``project.toml`` are required; ``resources.csv``,
``risks.csv``, ``calendars.csv`` and ``baselines/<name>.csv`` (one per saved
baseline: ``id``, ``start``, ``finish``, ``duration``, ``cost``) are optional. The columns and settings
are those of :mod:`pmsim.model.cells` (``docs/file-format.md``). CSV files
are UTF-8 (a byte-order mark from Excel is fine) with a header row,
comma-separated; a file saved by a European Excel (``;`` between cells, a
decimal comma in the number columns, perhaps a ``sep=;`` first line) reads
too. Messages count rows as lines of the file, the header being row 1.

``project.toml``::

    name = "ERP upgrade"
    start = 2027-01-04              # or "2027-01-04"
    currency = "EUR"
    budget = 1250000
    deadline = 2027-09-30
    description = "..."
    status_date = 2027-03-31        # the data date of the progress in tasks.csv

    [calendar]
    workdays = ["Mon", "Tue", "Wed", "Thu", "Fri"]   # or "Mon-Fri"
    hours = "08:00-12:00; 13:00-17:00"
    holidays = [2027-04-02, 2027-12-24]

or ``calendar = "standard"`` to name a calendar of ``calendars.csv``.

Reading validates every file before a :class:`pmsim.Project` is returned,
so a folder that breaks a rule anywhere is never partly loaded. Writing
builds every file in memory first and then moves them into place, so an
error never leaves a half-written project.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import tomllib
from pathlib import Path

import pandas as pd
import tomli_w

from ..errors import FileFormatError, PmsimError
from ..model import Baseline, Project, require_project
from ..model.baselines import BASELINE_NAME
from ..model.project import build_project
from ..model.cells import NUMERIC_COLUMNS, OPTIONAL_COLUMNS, format_number
from ..model.frames import project_to_frames
from ._exchange import Notes, note_manual_tasks
from ._files import read_input, umask
from .csv_files import csv_text, decode_text, read_table

__all__ = ["read_folder", "write_folder", "FILES"]

FILES = ("tasks.csv", "resources.csv", "risks.csv", "calendars.csv", "project.toml")
BASELINES = "baselines"  # the folder of baselines/<name>.csv
TABLES = ("tasks", "resources", "risks", "calendars")


def _read_toml(path: Path) -> dict:
    text = decode_text(read_input(path), path)  # a byte-order mark from Notepad is fine
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FileFormatError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:  # thousands of nested arrays or tables
        raise FileFormatError(f"{path}: not valid TOML: arrays or tables nested too deeply") from None


def read_folder(path) -> Project:
    """Read a project folder.

    Parameters
    ----------
    path : str or Path
        A folder with ``tasks.csv`` and ``project.toml``, and optionally
        ``resources.csv``, ``risks.csv`` and ``calendars.csv``.

    Returns
    -------
    Project

    Raises
    ------
    FileFormatError
        A required file or column is missing, or a file cannot be parsed.
    PmsimError
        A model rule is broken; the message names the file, the row and the task.

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     folder = pathlib.Path(tmp)
    ...     _ = (folder / "project.toml").write_text('name = "demo"\\nstart = 2027-01-04\\n')
    ...     _ = (folder / "tasks.csv").write_text(
    ...         "id,name,optimistic,most_likely,pessimistic,predecessors\\n"
    ...         "A,Design,2,3,7,\\n"
    ...         "B,Build,4,5,9,A SS+2d\\n")
    ...     p = read_folder(folder)
    >>> p.task("B").estimate
    BetaPert(optimistic=4.0, most_likely=5.0, pessimistic=9.0, lamb=4.0)
    >>> p.dependencies
    (Dependency(predecessor='A', successor='B', type='SS', lag=2.0),)
    """
    path = Path(path)
    if not path.is_dir():
        raise FileFormatError(f"{path}: not a project folder")
    for required in ("tasks.csv", "project.toml"):
        if not (path / required).exists():
            raise FileFormatError(
                f"{path / required}: no such file; a project folder needs tasks.csv and project.toml"
            )
    settings = _read_toml(path / "project.toml")
    tables = {}
    for name in TABLES:
        file = path / f"{name}.csv"
        tables[name] = read_table(file, NUMERIC_COLUMNS) if file.exists() else None
    labels = {name: str(path / f"{name}.csv") for name in tables}
    labels["settings"] = str(path / "project.toml")
    baselines = _read_baselines(path)
    project = build_project(tables["tasks"], tables["resources"], tables["risks"], settings, labels,
                            tables["calendars"])
    if not baselines:
        return project
    try:
        return project.replace(baselines=baselines)
    except PmsimError as exc:
        raise exc.with_context(str(path / BASELINES)) from None


def _read_baselines(path: Path) -> tuple:
    """The baselines of ``path/baselines/<name>.csv``, in name order."""
    folder = path / BASELINES
    if not folder.is_dir():
        return ()
    out = []
    for file in sorted(folder.glob("*.csv")):
        if not BASELINE_NAME.fullmatch(file.stem):
            raise FileFormatError(f"{file}: a baseline's file name is its name: letters, digits, '_', '-', '.' "
                                  "or spaces, starting with a letter or digit")
        out.append(Baseline.from_table(file.stem, read_table(file, frozenset({"duration", "cost"})), str(file)))
    return tuple(out)


def _csv_cell(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "" if value != value else format_number(value)
    return "" if value is None else str(value)


def _csv_text(frame: pd.DataFrame, optional=()) -> str:
    frame = frame.drop(columns=[c for c in optional if c in frame and frame[c].map(_csv_cell).eq("").all()])
    return csv_text(frame.astype(object).map(_csv_cell))


def _toml_value(value):
    if isinstance(value, dict):
        return {k: _toml_value(v) for k, v in value.items()}
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def folder_texts(project: Project) -> dict[str, str]:
    """The files of ``project`` as text: file name -> content (``calendars.csv`` only when it has calendars)."""
    frames = project_to_frames(project)
    settings = {k: _toml_value(v) for k, v in frames["settings"].items()}
    names = [n for n in TABLES if n != "calendars" or project.calendars]
    texts = {f"{name}.csv": _csv_text(frames[name], OPTIONAL_COLUMNS[name]) for name in names}
    texts["project.toml"] = tomli_w.dumps(settings)
    for baseline in project.baselines:
        texts[f"{BASELINES}/{baseline.name}.csv"] = _csv_text(baseline.to_frame())
    return texts


def _replace_files(path: Path, texts: dict[str, str]) -> None:
    """Replace the files in an existing folder, removing those of :data:`FILES` not in ``texts``
    (a stale ``calendars.csv``); on an error put the old ones back."""
    staged: dict[str, str] = {}
    backups: dict[str, str] = {}
    done: list[str] = []
    try:
        for name, text in texts.items():
            (path / name).parent.mkdir(exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{Path(name).name}.", suffix=".tmp", dir=(path / name).parent)
            staged[name] = tmp
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            # mkstemp makes private files; give them the usual permissions.
            os.chmod(tmp, 0o666 & ~umask())
        for name, tmp in staged.items():
            target = path / name
            if target.exists():
                backups[name] = f"{tmp}.old"
                os.replace(target, backups[name])
            os.replace(tmp, target)
            done.append(name)
        stale = [f"{BASELINES}/{f.name}" for f in sorted((path / BASELINES).glob("*.csv"))] \
            if (path / BASELINES).is_dir() else []
        for name in (*FILES, *stale):
            if name not in texts and (path / name).exists():
                fd, backup = tempfile.mkstemp(prefix=f".{Path(name).name}.", suffix=".old", dir=(path / name).parent)
                os.close(fd)
                backups[name] = backup
                os.replace(path / name, backup)
    except OSError:
        for name in done:
            with contextlib.suppress(OSError):
                os.unlink(path / name)
        for name, backup in backups.items():
            with contextlib.suppress(OSError):
                os.replace(backup, path / name)
        raise
    finally:
        for leftover in (*staged.values(), *backups.values()):
            with contextlib.suppress(OSError):
                os.unlink(leftover)


def write_folder(project: Project, path) -> Path:
    """Write ``project`` as a folder of ``tasks.csv``, ``resources.csv``, ``risks.csv``, ``project.toml``,
    and ``calendars.csv`` when it has calendars.

    These files are always written (a header-only ``risks.csv`` when there
    are no risks), and a ``calendars.csv`` the project does not need is
    removed, so that no file left from an older project is read back.
    Numbers are written so that reading gives back exactly the same floats;
    columns no row uses (``lambda``, ``constraint``, ...) are left out.
    Other files in the folder are left alone.

    >>> import tempfile, pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=2.5)])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = write_folder(p, tmp)
    ...     read_folder(tmp) == p
    True
    """
    project = require_project(project, "write_folder")
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise FileFormatError(f"{path}: exists and is not a folder")
    texts = folder_texts(project)
    notes = Notes(str(path), "the folder format cannot hold them")
    note_manual_tasks(project, notes)
    try:
        if not path.exists():
            # A new folder appears in one rename, complete or not at all.
            path.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
            try:
                for name, text in texts.items():
                    (staging / name).parent.mkdir(exist_ok=True)
                    (staging / name).write_text(text, encoding="utf-8", newline="")
                os.chmod(staging, 0o777 & ~umask())
                os.replace(staging, path)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        else:
            _replace_files(path, texts)
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot write the project: {exc.strerror or exc}") from None
    notes.emit(stacklevel=3)
    return path
