"""Resource limits: the sizes an input may ask for before pmsim allocates or loops.

A few bytes of a file, or one argument, can ask for a great deal: a workbook with
one value in cell XFD1048576, ten thousand nested outline levels, a calendar
exception that recurs every day for two centuries, a billion schedule passes.
pmsim checks each such size against a limit first and refuses it with a
:class:`pmsim.LimitError` that names the limit. The limits sit far above any
real project; for a genuine input, raise one in Python before the call

>>> import pmsim as pm
>>> pm.limits.SCHEDULES
100000
>>> pm.limits.SCHEDULES = 1_000_000   # doctest: +SKIP

or, for the command line, with an environment variable of the same name and
``PMSIM_`` in front, read when pmsim is imported
(``PMSIM_SCHEDULES=1000000 pmsim level plan.xer --schedules 500000``).
"""

from __future__ import annotations

import os
import sys
import warnings

from .errors import LimitError, PmsimWarning

__all__ = [
    "FILE_BYTES", "WORKBOOK_BYTES", "SHEET_CELLS", "OUTLINE_DEPTH", "SUMMARY_LINKS",
    "CALENDAR_EXCEPTION_DAYS", "SCHEDULES", "ITERATIONS", "CHUNK_BYTES", "check", "NAMES",
]


def _setting(name: str, default: int) -> int:
    """``default``, or the whole number in the environment variable ``PMSIM_<name>``."""
    text = os.environ.get(f"PMSIM_{name}")
    if text is None:
        return default
    try:
        value = int(text.replace("_", "").strip())
        if value < 1:
            raise ValueError
        return value
    except ValueError:
        warnings.warn(f"PMSIM_{name}={text!r} is not a whole number >= 1; the limit stays {default:,}",
                      PmsimWarning, stacklevel=3)
        return default


#: Bytes of one input file (MSPDI, XER, P6 XML, CSV, TOML, workbook, PSPLIB).
FILE_BYTES = _setting("FILE_BYTES", 1 << 30)
#: Bytes of a workbook's parts once unpacked (a zip of a few KB can unpack to gigabytes).
WORKBOOK_BYTES = _setting("WORKBOOK_BYTES", 1 << 30)
#: Cells of one workbook sheet, counted row by row up to each row's last cell.
SHEET_CELLS = _setting("SHEET_CELLS", 20_000_000)
#: Outline levels of an MS Project file (MS Project allows 65,535; real plans use a dozen).
OUTLINE_DEPTH = _setting("OUTLINE_DEPTH", 1_000)
#: Links between tasks that the links of an MS Project file's summary tasks expand to (a link from a
#: summary of n tasks to one of m tasks stands for n x m links between the tasks under them).
SUMMARY_LINKS = _setting("SUMMARY_LINKS", 100_000)
#: Days the exceptions of one calendar of an MS Project file expand to (MS Project was tested
#: with 15,000 exceptions per calendar; a daily exception from 1984 to 2149 is 60,000 days).
CALENDAR_EXCEPTION_DAYS = _setting("CALENDAR_EXCEPTION_DAYS", 200_000)
#: Schedule passes of one :func:`pmsim.level` call (``schedules=``).
SCHEDULES = _setting("SCHEDULES", 100_000)
#: Iterations of one Monte Carlo run.
ITERATIONS = _setting("ITERATIONS", 100_000_000)
#: Bytes of the working arrays of one chunk of Monte Carlo iterations (``chunk_size=``).
CHUNK_BYTES = _setting("CHUNK_BYTES", 1 << 30)

NAMES = ("FILE_BYTES", "WORKBOOK_BYTES", "SHEET_CELLS", "OUTLINE_DEPTH", "SUMMARY_LINKS", "CALENDAR_EXCEPTION_DAYS",
         "SCHEDULES", "ITERATIONS", "CHUNK_BYTES")


def check(name: str, value: float, what: str) -> None:
    """Refuse ``value`` above the limit ``name``: a LimitError saying ``what`` asked for it and how to raise it.

    >>> check("SCHEDULES", 10, "schedules")
    >>> check("SCHEDULES", 10**9, "schedules=1000000000")
    Traceback (most recent call last):
    ...
    pmsim.errors.LimitError: schedules=1000000000: 1,000,000,000 is more than the limit pmsim.limits.SCHEDULES = 100,000; if the input is genuine, raise it (pmsim.limits.SCHEDULES = ... in Python, or the environment variable PMSIM_SCHEDULES)
    """
    limit = getattr(sys.modules[__name__], name)
    if value > limit:
        raise LimitError(
            f"{what}: {value:,} is more than the limit pmsim.limits.{name} = {limit:,}; if the input is genuine, "
            f"raise it (pmsim.limits.{name} = ... in Python, or the environment variable PMSIM_{name})")
