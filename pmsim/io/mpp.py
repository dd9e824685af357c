"""Binary MS Project files (``.mpp``), read through MPXJ.

The ``.mpp`` format is undocumented; MPXJ (https://www.mpxj.org) reads
every version from MS Project 98 on. It runs in Java: this reader needs the
``mpxj`` extra (``pip install 'pmsim[mpxj]'``, which brings the ``mpxj``
and ``JPype1`` packages) and a Java runtime, and raises
:class:`pmsim.MissingExtraError` saying so when they are missing.

MPXJ reads the file and writes it as MS Project XML in memory; pmsim then
reads that XML with the MSPDI reader, so an ``.mpp`` file gives what the
same plan saved as XML would: the same mapping, the same warnings about
features pmsim does not model, the same health check (and the project's
"honor constraint dates" option, which MPXJ reads from the ``.mpp``).
:func:`stored_schedule` gives the dates MS Project stored, for the parity
check. Messages name the ``.mpp`` file. pmsim does not write ``.mpp`` (MPXJ cannot either); write
MSPDI XML, which MS Project opens.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..errors import FileFormatError
from ._files import input_file
from ._mpxj import start_jvm
from .mspdi import parse_document, read_document
from .mspdi.stored import stored_from

__all__ = ["read_mpp", "stored_schedule"]


def read_mpp(path, *, with_progress: bool = False, check_health: bool = True):
    """Read a binary MS Project file (``.mpp``) through MPXJ.

    Parameters
    ----------
    path : str or Path
    with_progress, check_health : bool
        As for :func:`pmsim.io.mspdi.read_mspdi`.

    Returns
    -------
    Project, or (Project, pandas.DataFrame) with ``with_progress``.

    >>> import pmsim as pm
    >>> example = pm.data_path().parent / "tests" / "data" / "import" / "example.mpp"
    >>> try:
    ...     names = [t.name for t in read_mpp(example, check_health=False).tasks]
    ... except pm.MissingExtraError as exc:  # no Java here: the message says what to install
    ...     names = "install the 'mpxj' extra" in str(exc)
    >>> names in (['Task 1', 'Task 2', 'Task 3'], True)
    True
    """
    path = Path(path)
    data, split, _, recurring = _convert(path)
    return read_document(parse_document(path, data), path, with_progress=with_progress, check_health=check_health,
                         from_mpp=True, split_tasks=split, recurring_tasks=recurring)


def stored_schedule(path):
    """The schedule an ``.mpp`` file stores, as :func:`pmsim.io.mspdi.stored_schedule` gives it for MSPDI.

    >>> import pmsim as pm
    >>> example = pm.data_path().parent / "tests" / "data" / "import" / "example.mpp"
    >>> try:
    ...     finish = str(stored_schedule(example).loc["3", "early_finish"])
    ... except pm.MissingExtraError as exc:  # no Java here
    ...     finish = "2018-09-19 17:00:00" if "install the 'mpxj' extra" in str(exc) else str(exc)
    >>> finish
    '2018-09-19 17:00:00'
    """
    path = Path(path)
    data, _, slack, _ = _convert(path)
    return stored_from(parse_document(path, data), path, slack)


def as_mspdi(path: Path) -> bytes:
    """The ``.mpp`` file as MS Project XML, written by MPXJ in memory."""
    return _convert(path)[0]


def _convert(path: Path) -> tuple[bytes, dict, dict, set[int]]:
    """The MSPDI text MPXJ writes from the ``.mpp``, the ranges of time each split task works by UID
    (which MSPDI shows only in timephased data MPXJ leaves out), each task's total and free slack in
    minutes by UID (MPXJ writes slack into MSPDI on 8-hour days whatever the project's day),
    and the UIDs of the occurrences of recurring tasks (the tasks under one that has recurrence
    data: MPXJ's Recurring flag is set on other tasks of some files)."""
    input_file(path)
    jpype = start_jvm()
    from java.io import ByteArrayOutputStream
    from org.mpxj.mspdi import MSPDIWriter
    from org.mpxj.reader import UniversalProjectReader

    try:
        project = UniversalProjectReader().read(str(path))
    except jpype.JException as exc:
        raise FileFormatError(f"{path}: MPXJ cannot read it ({exc.getMessage()})") from None
    if project is None:
        raise FileFormatError(f"{path}: MPXJ does not recognise this file as a project")
    buffer = ByteArrayOutputStream()
    try:
        MSPDIWriter().write(project, buffer)
    except jpype.JException as exc:
        raise FileFormatError(f"{path}: MPXJ read it but could not convert it ({exc.getMessage()})") from None
    split = {int(t.getUniqueID()): [(_moment(r.getStart()), _moment(r.getEnd())) for r in t.getWorkSplits()]
             for t in project.getTasks()
             if t.getUniqueID() is not None and t.getWorkSplits() is not None and len(t.getWorkSplits()) > 1}
    recurring = {int(child.getUniqueID()) for t in project.getTasks() if t.getRecurringTask() is not None
                 for child in t.getChildTasks() if child.getUniqueID() is not None}
    return bytes(buffer.toByteArray()), split, _slack_minutes(project), recurring


def _moment(value) -> dt.datetime:
    """A Java LocalDateTime as a Python datetime."""
    return dt.datetime.fromisoformat(str(value.toString()))


def _slack_minutes(project) -> dict[int, tuple[float | None, float | None]]:
    """Total and free slack of each task in minutes, converted with the project's own day, week and month."""
    from org.mpxj import TimeUnit

    props = project.getProjectProperties()

    def minutes(value):
        return None if value is None else float(value.convertUnits(TimeUnit.MINUTES, props).getDuration())

    return {int(t.getUniqueID()): (minutes(t.getTotalSlack()), minutes(t.getFreeSlack()))
            for t in project.getTasks() if t.getUniqueID() is not None}
