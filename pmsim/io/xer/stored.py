"""What P6 computed and stored with each activity, for checking pmsim's schedule against it.

:func:`stored_frame` lists, for the tasks a :class:`~pmsim.io.xer.reader.XerReader`
has read, the dates and floats P6 stored (XER ``early_start_date`` ...
``total_float_hr_cnt``; P6 XML's elements arrive under the same names). Floats
are read in working days of the calendar the task is scheduled on.

What P6 stores for progressed activities (observed in real exports): an
activity in progress has ``early_start_date`` = ``restart_date``, the remaining
early start at or after the data date, not its actual start; a completed
activity has ``early_start_date`` = ``early_end_date`` at or after the data
date and no floats.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .fields import STATUSES
from .reader import XerReader

__all__ = ["stored_frame", "STORED_COLUMNS"]

STORED_COLUMNS = ("early_start", "early_finish", "late_start", "late_finish", "total_float", "free_float",
                  "start", "finish", "actual_start", "actual_finish", "restart", "status")
_DATES = {"early_start": "early_start_date", "early_finish": "early_end_date", "late_start": "late_start_date",
          "late_finish": "late_end_date", "actual_start": "act_start_date", "actual_finish": "act_end_date",
          "restart": "restart_date"}


def stored_frame(reader: XerReader) -> pd.DataFrame:
    """The stored schedule of the tasks ``reader`` read (after :meth:`XerReader.read`), indexed by task id."""
    rows = []
    for tid, row in reader.task_rows.items():
        hpd = reader.task_hours[tid]
        out = {name: reader.date(row, field, "TASK") for name, field in _DATES.items()}
        for name, field in (("total_float", "total_float_hr_cnt"), ("free_float", "free_float_hr_cnt")):
            hours = reader.number(row, field, "TASK")
            out[name] = math.nan if hours is None else hours / hpd
        # P6's scheduled dates: the actual ones where there are, else the (remaining) early ones.
        out["start"] = out["actual_start"] or out["early_start"] or out["restart"]
        out["finish"] = out["actual_finish"] or out["early_finish"] or reader.date(row, "reend_date", "TASK")
        status = row.get("status_code", "").strip()
        if status not in STATUSES:
            status = "TK_Complete" if out["actual_finish"] else "TK_Active" if out["actual_start"] else "TK_NotStart"
        out["status"] = STATUSES[status]
        out["id"] = tid
        rows.append(out)
    frame = pd.DataFrame(rows, columns=["id", *STORED_COLUMNS]).set_index("id")
    for c in (*_DATES, "start", "finish"):
        frame[c] = pd.to_datetime(frame[c]).astype("datetime64[ns]")
    for c in ("total_float", "free_float"):
        frame[c] = frame[c].astype(np.float64)
    frame["status"] = frame["status"].astype(object)
    frame.index.name = "id"
    frame.attrs["source"] = str(reader.path)
    return frame
