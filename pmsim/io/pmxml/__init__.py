"""Primavera P6 XML (PMXML): :func:`read_pmxml`, :func:`list_projects` and :func:`stored_schedule`.

P6 XML is P6's XML export (root ``<APIBusinessObjects>`` in an
``http://xmlns.oracle.com/Primavera/...`` namespace). It holds the objects an
XER file holds, and pmsim reads them with the XER reader's rules: the same
projects, calendars, WBS phases, activities, links, resources, assignments,
progress and scheduling options (docs/exchange_formats.md). Parsing uses
defusedxml: no document types, no entities.

>>> import pmsim as pm, pathlib
>>> path = pathlib.Path(pm.data_path()).parent / "tests" / "data" / "real" / "PrimaveraProject.xml"
>>> list_projects(path)[["project", "activities"]].values.tolist()
[['PROD00883', 13], ['PROD00499', 13]]
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..xer import read_tables_as_project
from ..xer.projects import project_table
from ..xer.reader import XerReader
from ..xer.stored import stored_frame
from ..xer.tables import Tables
from .document import parse_document
from .reader import pmxml_tables

__all__ = ["read_pmxml", "list_projects", "stored_schedule"]


def _reader(path: Path) -> XerReader:
    header, tables = pmxml_tables(parse_document(path), path)
    return XerReader(path, header, tables)


def read_pmxml(path, *, project=None, with_progress: bool = False, check_health: bool = True):
    """Read a Primavera P6 XML file.

    Parameters
    ----------
    path : str or Path
    project : str, optional
        The project to read when the file holds several: its Project ID
        (``<Id>``) or ``<ObjectId>``. By default the first project that has
        activities (projects exported only as the far end of links are skipped).
    with_progress, check_health : bool
        As for :func:`pmsim.io.xer.read_xer`.

    Returns
    -------
    Project, or (Project, pandas.DataFrame) with ``with_progress``.

    >>> import pmsim as pm, pathlib, warnings
    >>> path = pathlib.Path(pm.data_path()).parent / "tests" / "data" / "real" / "PrimaveraProject.xml"
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     p = read_pmxml(path, project="PROD00499", check_health=False)
    >>> p.name, len(p.tasks), p.calendar.name
    ('Hemaform Program', 13, 'Corporate - Standard Full Time')
    """
    path = Path(path)
    return read_tables_as_project(_reader(path), project=project, with_progress=with_progress,
                                  check_health=check_health)


def list_projects(path) -> pd.DataFrame:
    """The projects a P6 XML file holds, one row each (the columns of :func:`pmsim.io.xer.list_projects`)."""
    path = Path(path)
    header, tables = pmxml_tables(parse_document(path), path)
    return project_table(Tables(path, header, tables))


def stored_schedule(path, project=None) -> pd.DataFrame:
    """The schedule P6 stored in a P6 XML file, indexed by the task ids :func:`read_pmxml` gives
    (the columns of :func:`pmsim.io.xer.stored_schedule`). P6 XML holds the remaining early and late
    dates (P6 stores none for completed activities), and floats only when exported."""
    path = Path(path)
    reader = _reader(path)
    reader.read(project)
    return stored_frame(reader)
