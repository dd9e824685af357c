"""MSPDI tasks as records: the outline, pmsim's task ids, and each task's own fields.

:class:`TaskFields` finds the tasks of a document (summary tasks are not pmsim tasks:
they give phases), gives each leaf task its id, and reads what belongs to one task:
duration (elapsed ones on a 24-hour clock), the three-point estimate, costs, the date
constraint, the deadline and progress. The reader (:mod:`.reader`) and the stored
schedule (:mod:`.stored`) build on it.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from ... import limits
from ...distributions import Fixed
from ...errors import PmsimError
from .._exchange import estimate_from, unique_id
from .document import Document
from .fields import (
    CONSTRAINT_FROM_CODE,
    CONSTRAINT_NAMES,
    DURATION_FIELDS,
    ELAPSED_FORMATS,
    ELAPSED_MINUTES_PER_DAY,
    FORMAT_DAYS,
    LEVEL_OF_EFFORT,
    OUTLINE_NUMBER,
    Q,
)

__all__ = ["TaskFields", "ancestors"]


def ancestors(rec: dict) -> list[dict]:
    """The summary tasks above a task record, nearest first."""
    out = []
    p = rec.get("parent")
    while p is not None:
        out.append(p)
        p = p.get("parent")
    return out


class TaskFields(Document):
    """The tasks of a document: :meth:`task_records` and :meth:`read_task`."""

    recurring_uids: set | None = None  # the occurrences of recurring tasks, when MPXJ says which (an .mpp)

    def task_records(self) -> dict:
        """``records`` (every task in outline order, with ``parent`` and ``summary``), ``leaves``
        (the tasks pmsim models, each with its ``id``) and ``by_uid``.

        Sets ``summary_task`` (the project summary task, UID 0) and ``inactive``.
        """
        box = self.root.find(Q + "Tasks")
        items = [] if box is None else box.findall(Q + "Task")
        records = []
        summary_task = None
        for el in items:
            uid = self.int(el, "UID", "Task")
            if uid is None:
                self.fail("Task", "a task has no UID")
            if self.bool(el, "IsNull"):
                continue
            level = self.int(el, "OutlineLevel", f"task UID {uid}", None)
            if uid == 0 or level == 0:
                summary_task = el
                continue
            records.append({"uid": uid, "el": el, "level": max(1, level if level is not None else 1)})
        dup = [u for u, c in Counter(r["uid"] for r in records).items() if c > 1]
        if dup:
            self.fail("Tasks", f"task UID {dup[0]} appears twice; UIDs must be unique")
        self.outline(records)
        by_uid = {r["uid"]: r for r in records}
        for rec in records:
            rec["name"] = self.text(rec["el"], "Name") or ""
            rec["label"] = f"task UID {rec['uid']}" + (f" ({rec['name']})" if rec["name"] else "")
        self.summary_task = summary_task
        leaves = []
        inactive = set()
        for rec in records:
            el = rec["el"]
            # Outline order puts a summary before its tasks, so the parent already carries what is above it.
            if not self.bool(el, "Active", True) or (rec["parent"] is not None and rec["parent"]["uid"] in inactive):
                inactive.add(rec["uid"])
                if not rec["summary"]:
                    self.notes.note("inactive tasks (left out)", rec["label"])
                continue
            if self.bool(el, "ExternalTask") or self.bool(el, "IsSubproject"):
                inactive.add(rec["uid"])
                self.notes.note("external tasks and inserted projects (left out)", rec["label"])
                continue
            if self.occurrence(rec):
                self.notes.note("recurring tasks", rec["label"], "each occurrence is read as a task of its own")
            if rec["summary"]:
                self.summary_fields(rec)
                continue
            leaves.append(rec)
        self.inactive = inactive
        self.task_ids(leaves)
        return {"records": records, "leaves": leaves, "by_uid": by_uid}

    def occurrence(self, rec) -> bool:
        """Is the task an occurrence of a recurring task? MS Project flags the recurring task (a summary,
        which pmsim reads as a phase) and each occurrence under it; MPXJ's MSPDI from an ``.mpp`` flags
        other tasks too, so there MPXJ's own list (``recurring_uids``) decides."""
        if self.recurring_uids is not None:
            return rec["uid"] in self.recurring_uids
        return not rec["summary"] and self.bool(rec["el"], "Recurring")

    def outline(self, records: list[dict]) -> None:
        """Set each record's parent and summary flag, and put the records in outline order.

        The outline numbers (1, 1.1, 1.2, 2, ...) say it when every task has a
        distinct one; otherwise the document order and the outline levels do
        (a task followed by a deeper one is a summary). A summary flag with no
        task under it leaves a task like any other.
        """
        numbers = []
        for rec in records:
            text = self.text(rec["el"], "OutlineNumber") or ""
            numbers.append(tuple(map(int, text.split("."))) if OUTLINE_NUMBER.fullmatch(text) else None)
        # Depth costs time per task (each task's summary tasks are walked): refused before that.
        deepest = max(records, key=lambda r: r["level"], default=None)
        if deepest is not None:
            limits.check("OUTLINE_DEPTH", deepest["level"], f"{self.path}: task UID {deepest['uid']}: OutlineLevel")
        deepest_number = max((n for n in numbers if n), key=len, default=())
        limits.check("OUTLINE_DEPTH", len(deepest_number),
                     f"{self.path}: OutlineNumber {'.'.join(map(str, deepest_number[:6]))}...: outline levels")
        if records and all(numbers) and len(set(numbers)) == len(numbers):
            for rec, number in zip(records, numbers):
                rec["outline"] = number
            records.sort(key=lambda r: r["outline"])
            by_number = {r["outline"]: r for r in records}
            for rec in records:
                prefix, parent = rec["outline"][:-1], None
                while prefix and parent is None:
                    parent, prefix = by_number.get(prefix), prefix[:-1]
                rec["parent"] = parent
            parents = {id(r["parent"]) for r in records if r["parent"] is not None}
            for rec in records:
                rec["summary"] = id(rec) in parents
            return
        stack: list[dict] = []
        for i, rec in enumerate(records):
            while stack and stack[-1]["level"] >= rec["level"]:
                stack.pop()
            rec["parent"] = stack[-1] if stack else None
            nxt = records[i + 1]["level"] if i + 1 < len(records) else 0
            rec["summary"] = nxt > rec["level"]
            stack.append(rec)

    def summary_fields(self, rec: dict) -> None:
        """What a summary task holds that pmsim's phases cannot: its own constraint and deadline."""
        el, label = rec["el"], rec["label"]
        code = self.int(el, "ConstraintType", label, 0) or 0
        if code:
            kind = CONSTRAINT_FROM_CODE.get(code, f"constraint type {code}")
            self.notes.note("constraints on summary tasks", f"{label}: {CONSTRAINT_NAMES.get(kind, kind)}",
                            "the tasks under them are scheduled without it")
        if self.text(el, "Deadline"):
            self.notes.note("deadlines on summary tasks", label, "the tasks under them are scheduled without it")

    def task_ids(self, leaves):
        id_field = self.field_id("id")
        used: set[str] = set()
        for rec in leaves:
            tid = self.custom(rec["el"], id_field) if id_field else None
            if tid is None:
                number = self.int(rec["el"], "ID", rec["label"])
                tid = str(number if number is not None else rec["uid"])
            # Row numbers can clash in odd files; the UID is unique.
            rec["id"] = unique_id(tid, rec["uid"], used)
            if rec["id"] != str(tid).strip().replace(";", ","):
                self.notes.note("tasks with the same ID (renamed with '#' and their UID)",
                                f"{rec['label']}: {tid!r} -> {rec['id']!r}")
            used.add(rec["id"])

    # ------------------------------------------------------------ one task

    def task_minutes(self, rec, tag: str, value: str | None = None) -> float | None:
        """A duration of the task in minutes of its clock: working minutes, or wall-clock ones when elapsed."""
        text = self.text(rec["el"], tag) if value is None else value
        if text is None:
            return None
        if rec["elapsed"]:
            return self.elapsed_minutes(text, f"{rec['label']}: {tag}")
        return self.minutes(text, f"{rec['label']}: {tag}")

    def read_task(self, rec):
        """Duration, estimate, costs, constraint, deadline and progress of a leaf task (into ``rec``)."""
        el, label = rec["el"], rec["label"]
        notes = self.notes
        fmt = self.int(el, "DurationFormat", label, FORMAT_DAYS)
        rec["elapsed"] = fmt in ELAPSED_FORMATS
        rec["day"] = ELAPSED_MINUTES_PER_DAY if rec["elapsed"] else self.minutes_per_day
        minutes = self.task_minutes(rec, "Duration") or 0.0
        if minutes < 0:
            self.fail(label, f"Duration must be >= 0, got {self.text(el, 'Duration')!r}")
        rec["minutes"] = minutes
        rec["duration"] = duration = minutes / rec["day"]
        milestone = self.bool(el, "Milestone")
        if milestone and duration > 0:
            notes.note("milestones with a duration", label, "read as tasks (a pmsim milestone lasts 0 days)")
            milestone = False
        rec["milestone"] = milestone
        parent = rec["parent"]
        rec["phase"] = (parent["name"] or f"UID {parent['uid']}") if parent else ""
        rec["fixed_cost"] = max(0.0, (self.float(el, "FixedCost", label, 0.0) or 0.0) / 100)
        # A manually scheduled task keeps the start the user typed (MS Project does not move it for its links).
        rec["manual_start"] = self.datetime(el, "Start", label) if self.bool(el, "Manual") else None
        if self.bool(el, "Manual") and rec["manual_start"] is None:
            notes.note("manually scheduled tasks without a start", label,
                       "scheduled automatically from durations and links")
        if self.text(el, "Notes"):
            notes.note("task notes (not read)", label)
        self.read_levelling_delay(rec)
        self.read_estimate(rec)
        rec["cost"] = self.float(el, "Cost", label)
        rec["resources"] = {}
        rec["calendar_uid"] = self.int(el, "CalendarUID", label, -1)
        rec["ignore_resource_calendars"] = self.bool(el, "IgnoreResourceCalendar")
        rec["fixed_duration"] = self.int(el, "Type", label, 0) == 1
        self.read_constraint(rec)
        rec["deadline"] = self.datetime(el, "Deadline", label)
        self.read_progress(rec)

    def read_levelling_delay(self, rec) -> None:
        """MS Project's levelling delay (``LevelingDelay``, tenths of a minute; elapsed in an elapsed
        ``LevelingDelayFormat``, MS Project's default, else working time of the task's calendar) as
        ``levelling_delay`` days and the calendar it counts on (None: the task's)."""
        el, label = rec["el"], rec["label"]
        tenths = self.float(el, "LevelingDelay", label, 0.0) or 0.0
        rec["levelling_delay"], rec["levelling_delay_elapsed"] = 0.0, False
        if tenths < 0:
            self.fail(label, f"LevelingDelay must be >= 0, got {self.text(el, 'LevelingDelay')!r}")
        if tenths == 0:
            return
        fmt = self.int(el, "LevelingDelayFormat", label, FORMAT_DAYS)
        elapsed = fmt in ELAPSED_FORMATS or rec["elapsed"]
        rec["levelling_delay"] = tenths / 10 / (ELAPSED_MINUTES_PER_DAY if elapsed else self.minutes_per_day)
        rec["levelling_delay_elapsed"] = elapsed

    def read_estimate(self, rec) -> None:
        el, label = rec["el"], rec["label"]
        points = self.three_points(rec)
        dist_field = self.field_id("distribution")
        kind = self.custom(el, dist_field) if dist_field else None
        params_field = self.field_id("parameters")
        params = self.custom(el, params_field) if params_field else None
        repairs: list[str] = []
        rec["level_of_effort"] = kind == LEVEL_OF_EFFORT  # pmsim's own mark: MS Project has no such task
        if rec["milestone"] or rec["level_of_effort"]:
            estimate = Fixed(0.0)
        else:
            try:
                estimate = estimate_from(kind, params or "", rec["duration"], points, repairs)
            except PmsimError as exc:
                raise exc.with_context(f"{self.path}: {label}") from None
        for text in repairs:
            self.notes.note("edited pmsim estimates", f"{label}: {text}")
        rec["estimate"] = estimate
        cpd_field = self.field_id("cost_per_day")
        cpd = self.custom(el, cpd_field) if cpd_field else None
        try:
            rec["cost_per_day"] = float(cpd) if cpd is not None else 0.0
        except ValueError:
            self.fail(label, f"'pmsim cost per day' must be a number, got {cpd!r}")

    def three_points(self, rec):
        """Duration1-3 (optimistic, expected, pessimistic) in days of the task's clock, or None."""
        el, label = rec["el"], rec["label"]
        for (fid, _), expected in zip(DURATION_FIELDS, ("optimistic", "expected|most likely", "pessimistic")):
            alias = self.aliases.get(fid)
            if alias and not re.search(expected, alias):
                return None
        values = []
        for fid, fname in DURATION_FIELDS:
            text = self.custom(el, fid)
            values.append(None if text is None else self.task_minutes(rec, fname, text) / rec["day"])
        present = [v is not None for v in values]
        if not any(present):
            return None
        if not all(present):
            self.notes.note("incomplete three-point estimates (Duration1-3)", label, "the duration is used")
            return None
        o, m, p = values
        if all(v == 0 for v in values):
            return None
        if not o <= m <= p:
            self.notes.note("three-point estimates out of order (Duration1 <= Duration2 <= Duration3)", label,
                            "the duration is used")
            return None
        # MS Project schedules by the Duration; its PERT analysis sets it within Duration1-3 (their weighted mean).
        # Points that leave the duration out are other data in those fields, or stale: the plan keeps its duration.
        d, tol = rec["duration"], 1e-9 * max(1.0, p)
        if not o - tol <= d <= p + tol:
            self.notes.note("three-point estimates (Duration1-3) that do not contain the task's duration", label,
                            "the duration is used")
            return None
        return o, m, p

    def read_constraint(self, rec) -> None:
        el, label = rec["el"], rec["label"]
        code = self.int(el, "ConstraintType", label, 0) or 0
        if code not in CONSTRAINT_FROM_CODE:
            self.fail(label, f"ConstraintType must be 0 to 7 (0 As Soon As Possible ... 7 Finish No Later Than), "
                             f"got {code}")
        kind = CONSTRAINT_FROM_CODE[code]
        date = self.datetime(el, "ConstraintDate", label) if kind not in ("ASAP", "ALAP") else None
        if kind not in ("ASAP", "ALAP") and date is None:
            self.fail(label, f"ConstraintType {code} ({CONSTRAINT_NAMES[kind]}) needs a ConstraintDate")
        rec["constraint"], rec["constraint_date"] = kind, date
        # MS Project starts no task under a manually scheduled summary task before the summary's start.
        manual = [a for a in ancestors(rec) if self.bool(a["el"], "Manual")]
        starts = [self.datetime(a["el"], "Start", a["label"]) for a in manual]
        starts = [d for d in starts if d is not None]
        rec["summary_start"] = max(starts) if starts else None
        # Its finish holds their late finish (never before their early finish: Project Plan.mpp of
        # mantidproject/documents, whose tasks under one store it as their late finish). A task's own start or
        # finish no earlier than date frees it (tasks 27 and 30 there keep the late dates of their links).
        finishes = [self.datetime(a["el"], "Finish", a["label"]) for a in manual]
        finishes = [d for d in finishes if d is not None]
        rec["summary_finish"] = min(finishes) if finishes and kind == "ASAP" else None
        if finishes and kind not in ("ASAP", "SNET", "FNET"):
            self.notes.note("late dates held by a manually scheduled summary task's finish", rec["label"],
                            f"MS Project ends the late finish of the tasks under it at its finish; pmsim does so for "
                            f"tasks as soon as possible, not for this task's {CONSTRAINT_NAMES[kind]} constraint")

    def read_progress(self, rec) -> None:
        """Actual dates, percent complete and remaining duration; the progress row for earned value."""
        el, label = rec["el"], rec["label"]
        pct = self.float(el, "PercentComplete", label)
        start = self.datetime(el, "ActualStart", label)
        finish = self.datetime(el, "ActualFinish", label)
        if start is None and finish is not None:
            self.fail(label, f"ActualFinish {finish} without an ActualStart")
        if start is not None and finish is not None and finish < start:
            self.fail(label, f"ActualFinish {finish} is before ActualStart {start}; a task cannot finish "
                             "before it starts")
        remaining = self.task_minutes(rec, "RemainingDuration")
        remaining = None if remaining is None else max(remaining, 0.0) / rec["day"]
        rec["actual_start"], rec["actual_finish"] = start, finish
        if finish is not None and pct is not None and pct < 100:
            self.notes.note("finished tasks below 100 % complete (read as 100 %)", f"{label}: {pct:g} %",
                            "an actual finish makes a task complete in MS Project")
            pct = 100.0
        rec["percent_complete"] = None if start is None or pct is None else min(max(pct, 0.0), 100.0)
        rec["remaining_duration"] = remaining if start is not None and finish is None else None
        cost = (self.float(el, "ActualCost", label, 0.0) or 0.0) / 100
        if (pct or 0) > 0 or start is not None or finish is not None or cost > 0:
            rec["progress"] = {
                "id": rec["id"], "percent_complete": min(max(pct or 0.0, 0.0), 100.0),
                "remaining_duration": math.nan if remaining is None else remaining,
                "actual_cost": cost,
                "actual_start": None if start is None else start.date(),
                "actual_finish": None if finish is None else finish.date(),
            }
