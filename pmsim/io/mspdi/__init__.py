"""MS Project XML (MSPDI): :func:`read_mspdi` and :func:`write_mspdi`.

MSPDI is the XML format of Microsoft Project (File > Save As > XML), in the
namespace :data:`NAMESPACE`; MPXJ, ProjectLibre, GanttProject, Primavera and
most other tools read and write it too. Where each pmsim field goes, and what
the reader warns about, is in docs/exchange_formats.md.

>>> import pmsim as pm, tempfile, pathlib
>>> p = pm.Project(name="demo", start="2027-01-04",
...     tasks=[pm.Task("A", optimistic=2, most_likely=3, pessimistic=7), pm.Task("B", duration=2)],
...     dependencies=[pm.Dependency("A", "B", "SS", 1)])
>>> path = pathlib.Path(tempfile.mkdtemp()) / "demo.xml"
>>> write_mspdi(p, path)
>>> q = read_mspdi(path, check_health=False)
>>> q.tasks == p.tasks and q.dependencies == p.dependencies
True
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from ...health import warn_health
from .._exchange import progress_frame
from .document import parse_document
from .fields import NAMESPACE
from .reader import MspdiReader
from .stored import stored_from
from .writer import write_mspdi

__all__ = ["read_mspdi", "write_mspdi", "stored_schedule", "NAMESPACE"]


def read_mspdi(path, *, with_progress: bool = False, check_health: bool = True):
    """Read an MS Project XML (MSPDI) file.

    Parameters
    ----------
    path : str or Path
    with_progress : bool
        Also return the progress table for earned value: one row per task
        that has started, with ``id``, ``percent_complete``,
        ``remaining_duration``, ``actual_cost``, ``actual_start``,
        ``actual_finish`` (from ``PercentComplete``, ``RemainingDuration``,
        ``ActualCost``, ``ActualStart``, ``ActualFinish``).
    check_health : bool
        Run :func:`pmsim.health_check` and warn about the checks that fail.

    Returns
    -------
    Project, or (Project, pandas.DataFrame) with ``with_progress``.

    Raises :class:`pmsim.FileFormatError` naming the file for XML that is
    not well formed, not MSPDI, or declares entities; features pmsim does
    not model give a :class:`pmsim.PmsimWarning` each (see
    docs/exchange_formats.md).

    >>> import pmsim as pm, tempfile, pathlib
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=3, phase="Build")])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.xml"
    >>> write_mspdi(p, path)
    >>> q, progress = read_mspdi(path, with_progress=True)
    >>> q.tasks[0].phase, len(progress)
    ('Build', 0)
    """
    path = Path(path)
    return read_document(parse_document(path), path, with_progress=with_progress, check_health=check_health)


def read_document(root: ET.Element, path: Path, *, with_progress: bool = False, check_health: bool = True,
                  from_mpp: bool = False, split_tasks=None, recurring_tasks=None):
    """:func:`read_mspdi` for a document already parsed by :func:`parse_document` (``path`` names it).

    Warns about what pmsim does not model, then about the failed health
    checks. Called by :func:`read_mspdi` and :func:`pmsim.io.mpp.read_mpp`
    (``from_mpp``: MPXJ wrote the document from an ``.mpp``, so its
    ``HonorConstraints`` is the project's option): the warnings skip those two
    frames and :func:`pmsim.read_project`, so they point at the code that
    called ``read_project``. ``split_tasks``: the ranges of time each split task MPXJ found works (UID ->
    ``(start, finish)`` datetimes; an MSPDI file shows them in its timephased data); ``recurring_tasks``: the
    UIDs of the occurrences of recurring tasks MPXJ found (None: the file's flags say).
    """
    reader = MspdiReader(root, path)
    reader.honor_flag_is_true = from_mpp
    reader.split_uids = dict(split_tasks or {})
    reader.recurring_uids = None if recurring_tasks is None else set(recurring_tasks)
    project, progress = reader.read()
    reader.notes.emit(stacklevel=5)
    if check_health:
        warn_health(project, str(path), stacklevel=5)
    if not with_progress:
        return project
    return project, progress_frame(progress, str(path))


def stored_schedule(path):
    """The schedule the file stores (as MS Project computed it), task by task.

    Indexed by the task ids :func:`read_mspdi` gives (summary tasks left out),
    with columns ``early_start``, ``early_finish``, ``late_start``,
    ``late_finish``, ``start``, ``finish``, ``actual_start``,
    ``actual_finish`` (Timestamps, NaT when absent), ``total_float`` and
    ``free_float`` (``TotalSlack`` and ``FreeSlack`` in days of the file's
    ``MinutesPerDay``; of 24 hours for an elapsed task), ``status`` (``complete``, ``in progress``, ``not
    started``), the file's ``summary`` and ``milestone`` flags, and its ``uid``. This is
    what a parity check compares :func:`pmsim.cpm` with.

    >>> import pmsim as pm, tempfile, pathlib
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=2), pm.Task("B", duration=1)],
    ...                dependencies=[pm.Dependency("A", "B")])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.xml"
    >>> write_mspdi(p, path)
    >>> stored = stored_schedule(path)
    >>> str(stored.loc["B", "early_start"]), float(stored.loc["A", "total_float"]), stored.loc["B", "status"]
    ('2027-01-06 08:00:00', 0.0, 'not started')
    """
    path = Path(path)
    return stored_from(parse_document(path), path)
