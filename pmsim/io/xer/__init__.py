"""Primavera P6 XER: :func:`read_xer` and :func:`write_xer`.

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

from ...errors import FileFormatError
from ...health import warn_health
from .._exchange import progress_frame
from .reader import REQUIRED_TABLES, XerReader
from .tables import decode, read_tables
from .writer import write_xer

__all__ = ["read_xer", "write_xer", "REQUIRED_TABLES"]


def read_xer(path, *, with_progress: bool = False, check_health: bool = True):
    """Read a Primavera P6 XER file.

    Parameters
    ----------
    path : str or Path
    with_progress : bool
        Also return the progress table for earned value: one row per
        activity that has started (``id``, ``percent_complete``,
        ``remaining_duration``, ``actual_cost``, ``actual_start``,
        ``actual_finish``).
    check_health : bool
        Run :func:`pmsim.health_check` and warn about the checks that fail.

    Returns
    -------
    Project, or (Project, pandas.DataFrame) with ``with_progress``.

    A file lacking ``PROJECT``, ``CALENDAR`` or ``TASK`` raises a
    :class:`pmsim.FileFormatError` naming the missing tables; ``PROJWBS`` is
    optional. When the file holds several projects the first exported one
    is read (and a warning says so).

    >>> import pmsim as pm, tempfile, pathlib
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=3, phase="Build")])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.xer"
    >>> write_xer(p, path)
    >>> read_xer(path).tasks[0].phase
    'Build'
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot read ({exc.strerror or exc})") from None
    header, tables = read_tables(decode(data), path)
    reader = XerReader(path, header, tables)
    project, progress = reader.read()
    # Through pmsim.read_project, the warnings point at its caller.
    reader.notes.emit(stacklevel=4)
    if check_health:
        warn_health(project, str(path), stacklevel=4)
    if with_progress:
        return project, progress_frame(progress, str(path))
    return project
