"""The schedule an MSPDI file stores, as MS Project computed it: :func:`stored_from`.

The parity check compares pmsim's CPM with these values task by task, under the
task ids the reader gives.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd

from .fields import ELAPSED_FORMATS, ELAPSED_MINUTES_PER_DAY, FORMAT_DAYS
from .tasks import TaskFields

__all__ = ["stored_from", "STORED_COLUMNS"]

STORED_COLUMNS = ("early_start", "early_finish", "late_start", "late_finish", "total_float", "free_float",
                  "start", "finish", "actual_start", "actual_finish", "status", "summary", "milestone", "uid")
_DATES = {"early_start": "EarlyStart", "early_finish": "EarlyFinish", "late_start": "LateStart",
          "late_finish": "LateFinish", "start": "Start", "finish": "Finish", "actual_start": "ActualStart",
          "actual_finish": "ActualFinish"}


def stored_from(root: ET.Element, path: Path, slack: dict | None = None) -> pd.DataFrame:
    """The stored schedule of a parsed document (``path`` names it in messages).

    ``slack`` (an ``.mpp`` read through MPXJ) gives each task's total and free slack
    in minutes by UID, instead of the document's ``TotalSlack`` and ``FreeSlack``.

    One row per task pmsim reads (summary tasks left out), indexed by its pmsim id.
    Dates are Timestamps (NaT when the file has none); ``total_float`` and
    ``free_float`` are MSPDI's ``TotalSlack`` and ``FreeSlack`` (tenths of a minute)
    in days of ``MinutesPerDay``, or of 24 hours for a task with an elapsed duration
    (its slack is wall-clock time), and 0 when left out of a task that has early and
    late dates (MPXJ writes no slack of zero); ``status`` is ``complete``, ``in progress`` or
    ``not started``; ``summary`` and ``milestone`` are the file's flags; ``uid`` its UID
    (the reader's warnings name a task by it).
    """
    doc = TaskFields(root, path)
    leaves = doc.task_records()["leaves"]
    tenths_per_day = doc.minutes_per_day * 10
    rows = []
    for rec in leaves:
        el, label = rec["el"], rec["label"]
        row = {name: doc.datetime(el, tag, label) for name, tag in _DATES.items()}
        scheduled = row["early_finish"] is not None and row["late_finish"] is not None
        # An elapsed task's slack is wall-clock time, in the 24-hour days pmsim gives such a task.
        elapsed = doc.int(el, "DurationFormat", label, FORMAT_DAYS) in ELAPSED_FORMATS
        per_day = ELAPSED_MINUTES_PER_DAY * 10 if elapsed else tenths_per_day
        for k, (name, tag) in enumerate((("total_float", "TotalSlack"), ("free_float", "FreeSlack"))):
            if slack is not None and rec["uid"] in slack:
                value = slack[rec["uid"]][k]
                value = None if value is None else value * 10
            else:
                value = doc.float(el, tag, label)
            if value is None and scheduled:
                value = 0.0  # MPXJ (and so every .mpp read through it) leaves out a slack of zero
            row[name] = math.nan if value is None else value / per_day
        pct = doc.float(el, "PercentComplete", label, 0.0) or 0.0
        if row["actual_finish"] is not None or pct >= 100:
            row["status"] = "complete"
        elif row["actual_start"] is not None or pct > 0:
            row["status"] = "in progress"
        else:
            row["status"] = "not started"
        row["summary"] = doc.bool(el, "Summary")
        row["milestone"] = doc.bool(el, "Milestone")
        row["uid"] = rec["uid"]
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(STORED_COLUMNS), index=pd.Index([r["id"] for r in leaves], name="id"))
    for name in _DATES:
        frame[name] = pd.to_datetime(frame[name])
    for name in ("total_float", "free_float"):
        frame[name] = frame[name].astype(float)
    for name in ("summary", "milestone"):
        frame[name] = frame[name].astype(bool)
    frame.attrs["source"] = str(path)
    # MS Project's option "calculate multiple critical paths": a task without successors has its late finish
    # at its early finish (not the project finish); the parity check reads it.
    frame.attrs["multiple_critical_paths"] = doc.bool(root, "MultipleCriticalPaths")
    return frame
