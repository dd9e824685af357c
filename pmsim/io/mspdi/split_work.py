"""A split task's work in MSPDI: the timephased work of its assignments, stopping and resuming.

MS Project shows where a split task works only in the timephased data of its
assignments (``TimephasedData`` of type 1, remaining work: periods holding work,
and periods of no work, ``PT0H0M0S``, over a gap). :func:`write_split_work`
writes a task's splits that way; the reader finds them again in
:meth:`pmsim.io.mspdi.resources.ResourceFields.task_splits`.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from ...model import Task
from .fields import duration_text, stamp, sub

__all__ = ["split_ranges", "write_split_work", "placeholder"]

_REMAINING_WORK = 1  # TimephasedData Type: assignment remaining work
_DAYS = 2  # TimephasedData Unit


def split_ranges(task: Task, start: dt.datetime, cal) -> list[tuple[dt.datetime, dt.datetime, float]]:
    """The stretches of a split task that starts at ``start`` on calendar ``cal``: (start, finish, working minutes)
    of each stretch of work and of each gap (none for a gap the work does not reach)."""
    mpd = cal.minutes_per_day
    duration = task.planned_duration * mpd
    reached = [(after * mpd, gap * mpd) for after, gap in task.splits if after * mpd < duration - 1e-6]
    total = duration + sum(gap for _, gap in reached)
    origin = start.date()
    midnight = dt.datetime(origin.year, origin.month, origin.day)
    table = cal.table_for_work(origin, total + 2 * 1440)
    first = table.work_at((start - midnight).total_seconds() / 60.0)

    def moment(work, side):
        minutes = float(table.time_at(first + work, side))
        return midnight + dt.timedelta(minutes=round(minutes))

    out, done, waited = [], 0.0, 0.0
    for after, gap in reached:
        out.append((moment(done + waited, "start"), moment(after + waited, "finish"), after - done))
        out.append((moment(after + waited, "start"), moment(after + waited + gap, "finish"), 0.0))
        done, waited = after, waited + gap
    out.append((moment(done + waited, "start"), moment(duration + waited, "finish"), duration - done))
    return out


def write_split_work(el: ET.Element, uid: int, stretches, units: float) -> None:
    """The timephased remaining work of assignment ``el`` (UID ``uid``) at ``units`` over a split task's
    stretches (:func:`split_ranges`): the work of each stretch, nothing over a gap."""
    for first, last, minutes in stretches:
        td = sub(el, "TimephasedData")
        sub(td, "Type", _REMAINING_WORK)
        sub(td, "UID", uid)
        sub(td, "Start", stamp(first))
        sub(td, "Finish", stamp(last))
        sub(td, "Unit", _DAYS)
        sub(td, "Value", duration_text(minutes * units, 1))


def placeholder(parent: ET.Element, uid: int, task_uid: int, times: dict, stretches) -> None:
    """MS Project's placeholder assignment (no resource) of a split task without resources, holding its split."""
    el = sub(parent, "Assignment")
    for tag, value in (("UID", uid), ("TaskUID", task_uid), ("ResourceUID", -65535),
                       ("Finish", stamp(times["finish"])), ("Start", stamp(times["start"])), ("Units", 1),
                       ("Work", "PT0H0M0S")):
        sub(el, tag, value)
    write_split_work(el, uid, stretches, 1.0)
