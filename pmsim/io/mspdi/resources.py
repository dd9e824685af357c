"""MSPDI resources and assignments: capacity, rates, resource calendars, the units tasks demand, splits.

:class:`ResourceFields` reads the work resources (material and cost resources add to
the fixed cost of the tasks that use them), each one's calendar (its own only when it
changes some working time of the calendar it derives from), and the assignments,
which become each task's resource demands; their timephased work shows where a split
task's work stops and resumes (:meth:`ResourceFields.task_splits`).
"""

from __future__ import annotations

import datetime as dt

from ...errors import FileFormatError, PmsimError
from ...model import Resource
from .._exchange import unique_id
from .calendars import CalendarBook
from .document import Document
from .fields import NUMBER, RESOURCE_FIELDS, Q

__all__ = ["ResourceFields"]


class ResourceFields(Document):
    """:meth:`read_resources` and :meth:`read_assignments` (``book``: the document's calendars)."""

    book: CalendarBook

    def read_resources(self):
        """The pmsim resources, and every resource element's facts by UID."""
        box = self.root.find(Q + "Resources")
        resources = []
        by_uid = {}
        used_ids = set()
        id_field = self.field_id("id", RESOURCE_FIELDS)
        hours_per_day = self.minutes_per_day / 60
        for el in ([] if box is None else box.findall(Q + "Resource")):
            uid = self.int(el, "UID", "Resource")
            if uid is None:
                self.fail("Resource", "a resource has no UID")
            name = self.text(el, "Name")
            if self.bool(el, "IsNull") or (uid == 0 and not name):
                continue
            label = f"resource UID {uid}" + (f" ({name})" if name else "")
            kind = self.int(el, "Type", label, 1)
            if self.bool(el, "IsCostResource"):
                kind = 2
            rid = unique_id((self.custom(el, id_field) if id_field else None) or name or f"R{uid}", uid, used_ids)
            info = {"uid": uid, "label": label, "kind": kind, "id": rid, "calendar": None,
                    "per_use": (self.float(el, "CostPerUse", label, 0.0) or 0.0) / 100}
            by_uid[uid] = info
            if self.bool(el, "IsBudget"):
                self.notes.note("budget resources (left out)", label)
                info["kind"] = -1
                continue
            if kind in (0, 2):
                self.notes.note("material and cost resources", label,
                                "their cost on each task is added to the task's fixed cost")
                continue
            used_ids.add(rid)
            capacity = self.float(el, "MaxUnits", label, 1.0)
            rate = self.rate(el, label)
            if (self.float(el, "OvertimeRate", label, 0.0) or 0.0) > 0:
                self.notes.note("overtime rates", label)
            if info["per_use"] > 0:
                self.notes.note("per-use costs", label, "added to the fixed cost of each task using the resource")
            periods = el.find(Q + "AvailabilityPeriods")
            if periods is not None and len(periods.findall(Q + "AvailabilityPeriod")) > 1:
                self.notes.note("availability that changes over time", label, "MaxUnits is used throughout")
            cal_uid = self.int(el, "CalendarUID", label, -1)
            if cal_uid not in (-1, None) and cal_uid not in self.book.raw:
                self.notes.note("resource calendars that the file does not define", label,
                                "the resource works on the project calendar")
            info["calendar"] = self.book.resource_calendar(cal_uid)
            try:
                resources.append(Resource(rid, name or rid, capacity=capacity, cost_per_day=rate * hours_per_day,
                                          calendar=info["calendar"]))
            except PmsimError as exc:
                raise exc.with_context(f"{self.path}: {label}") from None
        return resources, by_uid

    def rate(self, el, label: str) -> float:
        """The standard rate per hour (from the cost rate table A when the resource has none of its own)."""
        rate = self.float(el, "StandardRate", label)
        table_a = [r for r in self.iter(el, "Rates", "Rate") if (self.int(r, "RateTable", label, 0) or 0) == 0]
        if len(table_a) > 1:
            self.notes.note("rates that change over time", label, "the rate at the project start is used")
        if rate is None and table_a:
            # Only the cost rate table: take the rate in force at the project start.
            day = self.datetime(self.root, "StartDate", "Project")
            current = [r for r in table_a
                       if day is None or ((self.datetime(r, "RatesFrom", label) or day) <= day
                                          <= (self.datetime(r, "RatesTo", label) or day))]
            rate = self.float((current or table_a)[0], "StandardRate", label)
        return rate or 0.0

    def read_assignments(self, tasks, res_by_uid):
        """Each leaf task's resource demands (``rec["resources"]``) and work assignments (``rec["work"]``)."""
        box = self.root.find(Q + "Assignments")
        leaves = {r["uid"]: r for r in tasks["leaves"]}
        by_uid = tasks["by_uid"]
        for rec in leaves.values():
            rec["work"] = []
            rec["work_ranges"] = []
        for el in ([] if box is None else box.findall(Q + "Assignment")):
            tuid = self.int(el, "TaskUID", "Assignment")
            ruid = self.int(el, "ResourceUID", "Assignment")
            label = f"assignment UID {self.text(el, 'UID')}"
            if tuid in leaves and ruid is not None and (ruid < 0 or res_by_uid.get(ruid, {}).get("kind") == 1):
                # Every work assignment's timephased work, MS Project's placeholder's too (a split task without
                # resources has one): the task works while any of them does.
                leaves[tuid]["work_ranges"] += _work_ranges(self, el)
            if ruid is None or ruid < 0 or ruid not in res_by_uid:
                continue  # MS Project's "unassigned" placeholder (-65535) or a skipped resource
            res = res_by_uid[ruid]
            if tuid not in leaves:
                if tuid in by_uid and tuid not in self.inactive:
                    self.notes.note("resources assigned to summary tasks (left out)",
                                    f"{by_uid[tuid]['label']}: {res['label']}")
                elif tuid not in by_uid:
                    self.notes.note("assignments to unknown tasks (left out)", f"{label}: task UID {tuid}")
                continue
            rec = leaves[tuid]
            if rec.get("actual_start") is None and self.text(el, "ActualStart"):
                self.notes.note("assignments started on tasks not started", f"{rec['label']}: {res['label']}",
                                "MS Project moves the task's start to the assignment's actual start and keeps its "
                                "finish; pmsim schedules the task from its links")
            if (self.int(el, "WorkContour", label, 0) or 0) != 0:
                self.notes.note("work contours", f"{rec['label']}: {res['label']}", "work is spread evenly")
            delay = self.text(el, "Delay")
            if delay and NUMBER.fullmatch(delay) and float(delay) != 0:
                self.notes.note("assignment delays", f"{rec['label']}: {res['label']}")
            rec["fixed_cost"] += res["per_use"]
            if res["kind"] in (0, 2):
                rec["fixed_cost"] += max(0.0, (self.float(el, "Cost", label, 0.0) or 0.0) / 100)
                continue
            if res["kind"] == -1:
                continue
            units = self.float(el, "Units", label, 1.0)
            if units is None or units < 0:
                self.fail(label, f"Units must be >= 0, got {self.text(el, 'Units')!r}")
            if res["id"] in rec["resources"]:
                self.notes.note("a resource assigned twice to one task (units added)", rec["label"])
            rec["resources"][res["id"]] = rec["resources"].get(res["id"], 0.0) + units
            work = self.text(el, "Work")
            rec["work"].append({"resource": res, "units": units,
                                "work": None if work is None else self.minutes(work, f"{label}: Work"),
                                "flat": (self.int(el, "WorkContour", label, 0) or 0) == 0})

    def task_splits(self, rec, cal) -> tuple[tuple[float, float], ...]:
        """A task's splits as :class:`pmsim.Task` takes them, ``(after, gap)`` in its days, from the
        ranges of time it works (``rec["work_ranges"]``): a gap is working time of its calendar ``cal``
        between two ranges; splits its duration does not reach are left out."""
        ranges = sorted(rec.get("work_ranges") or ())
        if len(ranges) < 2:
            return ()
        first = ranges[0][0]
        origin = first.date()
        last = max(f for _, f in ranges)
        table = cal.work_table(origin, (last.date() - origin).days + 2)
        midnight = dt.datetime(origin.year, origin.month, origin.day)

        def work(moment):  # working minutes of the calendar from the origin
            return table.work_at((moment - midnight).total_seconds() / 60.0)

        day, duration = rec["day"], rec["minutes"]
        splits, done = [], 0.0
        seg_start, seg_end = first, ranges[0][1]
        for start, finish in ranges[1:]:
            gap = work(start) - work(seg_end)
            if gap >= 1.0:  # a minute or more of working time without work
                done += work(seg_end) - work(seg_start)
                if done < duration - 0.5:
                    splits.append((round(done) / day, round(gap) / day))
                seg_start = start
            seg_end = max(seg_end, finish)
        if splits and (rec["milestone"] or duration <= 0):
            self.notes.note("split tasks", rec["label"], "a task without work has no split: left out")
            return ()
        return tuple(splits)


def _work_ranges(doc: Document, el) -> list[tuple[dt.datetime, dt.datetime]]:
    """The periods of an assignment's timephased work (remaining and actual) that hold some work."""
    out = []
    for td in el.findall(Q + "TimephasedData"):
        kind, value = doc.text(td, "Type"), doc.text(td, "Value")
        if kind not in ("1", "2") or value is None:
            continue  # no value: no working time in that period
        try:
            if doc.minutes(value, "TimephasedData") <= 0:
                continue
            start, finish = doc.datetime(td, "Start", "TimephasedData"), doc.datetime(td, "Finish", "TimephasedData")
        except FileFormatError:
            continue  # an odd timephased value only means no split is seen
        if start is not None and finish is not None and finish > start:
            out.append((start, finish))
    return out
