"""Primavera P6 XER: :func:`read_xer`, :func:`write_xer`, :func:`list_projects` and :func:`stored_schedule`.

An XER file is P6's text export: tables of tab-separated rows, in the
Windows code page (pmsim reads UTF-8 too, and writes it with a byte-order
mark when the text does not fit cp1252). Where each pmsim field goes, and
what the reader warns about, is in docs/exchange_formats.md.

>>> import pmsim as pm, tempfile, pathlib
>>> p = pm.Project(name="demo", start="2027-01-04",
...     tasks=[pm.Task("A", optimistic=2, most_likely=3, pessimistic=7), pm.Task("B", duration=2)],
...     dependencies=[pm.Dependency("A", "B", "FF", -1)])
>>> path = pathlib.Path(tempfile.mkdtemp()) / "demo.xer"
>>> write_xer(p, path)
>>> q = read_xer(path, check_health=False)
>>> q.tasks == p.tasks and q.dependencies == p.dependencies
True
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ...health import warn_health
from .._exchange import progress_frame
from .projects import project_table
from .reader import REQUIRED_TABLES, XerReader
from .stored import STORED_COLUMNS, stored_frame
from .._files import read_input
from .tables import Tables, decode, read_tables
from .writer import write_xer

__all__ = ["read_xer", "write_xer", "list_projects", "stored_schedule", "REQUIRED_TABLES", "STORED_COLUMNS"]


def _tables(path: Path, encoding: str | None = None) -> tuple[list[str], dict]:
    return read_tables(decode(read_input(path), path, encoding), path)


def read_xer(path, *, project=None, with_progress: bool = False, check_health: bool = True,
             encoding: str | None = None):
    """Read a Primavera P6 XER file.

    Parameters
    ----------
    path : str or Path
    project : str, optional
        The project to read when the file holds several: its Project ID
        (``proj_short_name``) or ``proj_id``. By default the exported project
        that has activities, else the first with activities (a warning says
        which when there are several; :func:`list_projects` lists them).
    with_progress : bool
        Also return the progress table for earned value: one row per
        activity that has started (``id``, ``percent_complete``,
        ``remaining_duration``, ``actual_cost``, ``actual_start``,
        ``actual_finish``).
    check_health : bool
        Run :func:`pmsim.health_check` and warn about the checks that fail.
    encoding : str, optional
        The file's text encoding (a Python codec name such as ``"cp1250"``).
        By default UTF-8 when the file is UTF-8, else the Windows code page
        its words read in (cp1252, or Cyrillic, Greek, Central European,
        Turkish or Baltic, which a warning names).

    Returns
    -------
    Project, or (Project, pandas.DataFrame) with ``with_progress``.

    A file lacking ``PROJECT``, ``CALENDAR`` or ``TASK`` raises a
    :class:`pmsim.FileFormatError` naming the missing tables; ``PROJWBS`` is
    optional.

    >>> import pmsim as pm, tempfile, pathlib
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=3, phase="Build")])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.xer"
    >>> write_xer(p, path)
    >>> read_xer(path).tasks[0].phase
    'Build'
    """
    path = Path(path)
    header, tables = _tables(path, encoding)
    return read_tables_as_project(XerReader(path, header, tables), project=project, with_progress=with_progress,
                                  check_health=check_health)


def read_tables_as_project(reader: XerReader, *, project=None, with_progress: bool = False,
                           check_health: bool = True, stacklevel: int = 5):
    """Read ``reader``'s tables (an XER file's, or a P6 XML file's in XER's terms), then warn.

    The warnings skip this frame, the format's reader and :func:`pmsim.read_project`, so that they
    point at the code that called ``read_project``.
    """
    result, progress = reader.read(project)
    reader.notes.emit(stacklevel=stacklevel)
    if check_health:
        warn_health(result, str(reader.path), stacklevel=stacklevel)
    if with_progress:
        return result, progress_frame(progress, str(reader.path))
    return result


def list_projects(path) -> pd.DataFrame:
    """The projects an XER file holds, one row each.

    Columns: ``project`` (P6's Project ID, what ``read_project(path, project=...)``
    takes), ``proj_id``, ``name``, ``activities`` (the number of activities),
    ``exported``, ``start`` (planned start) and ``data_date``.

    >>> import pmsim as pm, tempfile, pathlib
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=3)])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.xer"
    >>> write_xer(p, path)
    >>> list_projects(path)[["project", "activities", "exported"]].values.tolist()
    [['x', 1, True]]
    """
    path = Path(path)
    header, tables = _tables(path)
    return project_table(Tables(path, header, tables))


def stored_schedule(path, project=None) -> pd.DataFrame:
    """The schedule P6 stored in an XER file, indexed by the task ids :func:`read_xer` gives.

    Columns: ``early_start``, ``early_finish``, ``late_start``,
    ``late_finish``, ``start`` and ``finish`` (P6's scheduled dates: the
    actual or remaining early ones), ``actual_start``, ``actual_finish``,
    ``restart`` (the remaining early start), as Timestamps (NaT when empty);
    ``total_float`` and ``free_float`` in working days of the task's
    calendar (NaN when empty: P6 stores none for completed activities);
    ``status`` (``complete``, ``in progress``, ``not started``). For an
    activity in progress P6's early start is its remaining early start, and a
    completed one has early start = early finish at or after the data date.

    >>> import pmsim as pm, tempfile, pathlib
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=3)])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.xer"
    >>> write_xer(p, path)
    >>> stored_schedule(path).loc["A", ["early_start", "early_finish", "status"]].tolist()
    [Timestamp('2027-01-04 08:00:00'), Timestamp('2027-01-06 17:00:00'), 'not started']
    """
    path = Path(path)
    header, tables = _tables(path)
    reader = XerReader(path, header, tables)
    reader.read(project)
    return stored_frame(reader)
