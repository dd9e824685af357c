"""Reading MS Project XML (MSPDI) into a project: :class:`MspdiReader`.

Tasks (the outline gives phases; summary tasks are not tasks), resources,
assignments, links and the project fields; what pmsim does not model is
noted per feature, never dropped silently. The facade
:func:`pmsim.io.mspdi.read_mspdi` parses the file and warns.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from ...calendar import WEEKDAYS
from ...costs import cost_model
from ...distributions import Fixed
from ...errors import PmsimError
from ...model import Dependency, Project, Resource, Task
from .._exchange import estimate_from, risks_from_json, unique_id
from .calendars import Calendars
from .document import Document
from .fields import (
    CONSTRAINTS,
    DURATION_FIELDS,
    ELAPSED_FORMATS,
    FORMAT_DAYS,
    LINK_FROM_CODE,
    NUMBER,
    OUTLINE_NUMBER,
    PERCENT_FORMATS,
    RESOURCE_FIELDS,
    Q,
)

__all__ = ["MspdiReader"]


class MspdiReader(Document):
    """One pass over a parsed MSPDI document: :meth:`read` gives the project and its progress rows.

    What the file holds that pmsim does not model is gathered in ``notes``
    (the caller warns about it).
    """

    def read(self) -> tuple[Project, list[dict]]:
        """The project, and one progress row per task that has started (the columns of
        :func:`pmsim.io._exchange.progress_frame`)."""
        self.calendars = Calendars(self)
        self.calendar, self.calendar_uid = self.calendars.calendar, self.calendars.uid
        tasks = self.read_tasks()
        resources, res_by_uid = self.read_resources()
        self.read_assignments(tasks, res_by_uid, resources)
        deps = self.read_links(tasks)
        project = self.build(tasks, resources, deps)
        return project, [t["progress"] for t in tasks["leaves"] if t.get("progress")]

    # ------------------------------------------------------------ tasks

    def read_tasks(self) -> dict:
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
        uids = Counter(r["uid"] for r in records)
        dup = [u for u, c in uids.items() if c > 1]
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
            ancestors_inactive = any(a["uid"] in inactive for a in _ancestors(rec))
            if not self.bool(el, "Active", True) or ancestors_inactive:
                inactive.add(rec["uid"])
                if not rec["summary"]:
                    self.notes.note("inactive tasks (left out)", rec["label"])
                continue
            if self.bool(el, "ExternalTask") or self.bool(el, "IsSubproject"):
                inactive.add(rec["uid"])
                self.notes.note("external tasks and inserted projects (left out)", rec["label"])
                continue
            if self.bool(el, "Recurring"):
                self.notes.note("recurring tasks", rec["label"], "each occurrence is read as a task of its own")
            if rec["summary"]:
                continue
            leaves.append(rec)
        self.inactive = inactive
        self.task_ids(leaves)
        for rec in leaves:
            self.read_task(rec)
        return {"records": records, "leaves": leaves, "by_uid": by_uid}

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
            used.add(rec["id"])

    def elapsed_factor(self) -> float:
        """Working days per elapsed day under the project calendar."""
        return len(self.calendar.workdays) / 7

    def read_task(self, rec):
        el, label = rec["el"], rec["label"]
        notes = self.notes
        fmt = self.int(el, "DurationFormat", label, FORMAT_DAYS)
        duration = self.days(el, "Duration", label)
        if duration is None:
            duration = 0.0
        if fmt in ELAPSED_FORMATS:
            # An elapsed duration runs round the clock: 24 h a day, seven days a week.
            duration = duration * self.minutes_per_day / 1440 * self.elapsed_factor()
            notes.note("elapsed durations", label, "converted to working days of the project calendar")
        if duration < 0:
            self.fail(label, f"Duration must be >= 0, got {self.text(el, 'Duration')!r}")
        rec["duration"] = duration
        milestone = self.bool(el, "Milestone")
        if milestone and duration > 0:
            notes.note("milestones with a duration", label, "read as tasks (a pmsim milestone lasts 0 days)")
            milestone = False
        rec["milestone"] = milestone
        parent = rec["parent"]
        rec["phase"] = (parent["name"] or f"UID {parent['uid']}") if parent else ""
        rec["fixed_cost"] = max(0.0, (self.float(el, "FixedCost", label, 0.0) or 0.0) / 100)
        if self.bool(el, "Manual"):
            notes.note("manually scheduled tasks", label, "scheduled automatically from durations and links")
        constraint = self.int(el, "ConstraintType", label, 0) or 0
        if constraint:
            date = self.text(el, "ConstraintDate")
            kind = CONSTRAINTS.get(constraint, f"constraint type {constraint}")
            notes.note("date constraints", f"{label}: {kind}" + (f" {date[:10]}" if date else ""),
                       "tasks are scheduled as soon as their links allow")
        if self.text(el, "Deadline"):
            notes.note("task deadlines", f"{label}: {self.text(el, 'Deadline')[:10]}",
                       "only the project deadline (the summary task's) is kept")
        cal_uid = self.int(el, "CalendarUID", label, -1)
        if cal_uid not in (-1, None, self.calendar_uid):
            notes.note("task calendars", label, "tasks follow the project calendar")
        if self.text(el, "Notes"):
            notes.note("task notes (not read)", label)
        if (self.int(el, "LevelingDelay", label, 0) or 0) != 0:
            notes.note("levelling delays", label, "pmsim.level() levels the schedule itself")
        # Three-point estimate.
        points = self.three_points(rec)
        dist_field = self.field_id("distribution")
        kind = self.custom(el, dist_field) if dist_field else None
        params_field = self.field_id("parameters")
        params = self.custom(el, params_field) if params_field else None
        repairs: list[str] = []
        if milestone:
            estimate = Fixed(0.0)
        else:
            try:
                estimate = estimate_from(kind, params or "", duration, points, repairs)
            except PmsimError as exc:
                raise exc.with_context(f"{self.path}: {label}") from None
        for text in repairs:
            notes.note("edited pmsim estimates", f"{label}: {text}")
        rec["estimate"] = estimate
        cpd_field = self.field_id("cost_per_day")
        cpd = self.custom(el, cpd_field) if cpd_field else None
        try:
            rec["cost_per_day"] = float(cpd) if cpd is not None else 0.0
        except ValueError:
            self.fail(label, f"'pmsim cost per day' must be a number, got {cpd!r}")
        rec["cost"] = self.float(el, "Cost", label)
        rec["resources"] = {}
        # Progress for earned value.
        pct = self.float(el, "PercentComplete", label, 0.0) or 0.0
        start = self.datetime(el, "ActualStart", label)
        finish = self.datetime(el, "ActualFinish", label)
        cost = (self.float(el, "ActualCost", label, 0.0) or 0.0) / 100
        if pct > 0 or start is not None or finish is not None or cost > 0:
            remaining = self.days(el, "RemainingDuration", label)
            rec["progress"] = {
                "id": rec["id"], "percent_complete": min(max(pct, 0.0), 100.0),
                "remaining_duration": math.nan if remaining is None else max(remaining, 0.0),
                "actual_cost": cost,
                "actual_start": None if start is None else start.date(),
                "actual_finish": None if finish is None else finish.date(),
            }

    def three_points(self, rec):
        """Duration1-3 (optimistic, expected, pessimistic) in days, or None."""
        el, label = rec["el"], rec["label"]
        for (fid, _), expected in zip(DURATION_FIELDS, ("optimistic", "expected|most likely", "pessimistic")):
            alias = self.aliases.get(fid)
            if alias and not re.search(expected, alias):
                return None
        values = []
        for fid, fname in DURATION_FIELDS:
            text = self.custom(el, fid)
            values.append(None if text is None else self.minutes(text, f"{label}: {fname}") / self.minutes_per_day)
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
        return o, m, p

    # ------------------------------------------------------------ resources

    def read_resources(self):
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
            info = {"uid": uid, "label": label, "kind": kind, "id": rid,
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
            rate = rate or 0.0
            if (self.float(el, "OvertimeRate", label, 0.0) or 0.0) > 0:
                self.notes.note("overtime rates", label)
            if info["per_use"] > 0:
                self.notes.note("per-use costs", label, "added to the fixed cost of each task using the resource")
            periods = el.find(Q + "AvailabilityPeriods")
            if periods is not None and len(periods.findall(Q + "AvailabilityPeriod")) > 1:
                self.notes.note("availability that changes over time", label, "MaxUnits is used throughout")
            cal_uid = self.int(el, "CalendarUID", label, -1)
            if cal_uid in self.calendars.raw and cal_uid != self.calendar_uid:
                workdays, holidays = self.calendars.days(cal_uid, "resource calendar")
                own = tuple(d for d in WEEKDAYS if workdays.get(d))
                if own != self.calendar.workdays or set(holidays) - set(self.calendar.holidays):
                    self.notes.note("resource calendars", label, "resources follow the project calendar")
            try:
                resources.append(Resource(rid, name or rid, capacity=capacity, cost_per_day=rate * hours_per_day))
            except PmsimError as exc:
                raise exc.with_context(f"{self.path}: {label}") from None
        return resources, by_uid

    def read_assignments(self, tasks, res_by_uid, resources):
        box = self.root.find(Q + "Assignments")
        leaves = {r["uid"]: r for r in tasks["leaves"]}
        by_uid = tasks["by_uid"]
        for el in ([] if box is None else box.findall(Q + "Assignment")):
            tuid = self.int(el, "TaskUID", "Assignment")
            ruid = self.int(el, "ResourceUID", "Assignment")
            label = f"assignment UID {self.text(el, 'UID')}"
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

    # ------------------------------------------------------------ links

    def read_links(self, tasks):
        by_uid = tasks["by_uid"]
        leaves = {r["uid"]: r for r in tasks["leaves"]}
        children: dict[int, list[dict]] = {}
        for rec in tasks["records"]:
            for anc in _ancestors(rec):
                children.setdefault(anc["uid"], []).append(rec)

        def ends(uid):
            if uid in leaves:
                return [leaves[uid]]
            return [c for c in children.get(uid, []) if c["uid"] in leaves]

        deps: dict[tuple[str, str], Dependency] = {}
        for rec in tasks["records"]:
            if rec["uid"] in self.inactive:
                continue
            for link in rec["el"].findall(Q + "PredecessorLink"):
                label = f"{rec['label']} predecessor link"
                puid = self.int(link, "PredecessorUID", label)
                if self.bool(link, "CrossProject"):
                    self.notes.note("links to other projects (left out)", rec["label"])
                    continue
                if puid is None or puid not in by_uid:
                    if puid is not None and puid not in by_uid and puid != 0:
                        self.notes.note("links to unknown tasks (left out)", f"{rec['label']} <- UID {puid}")
                    continue
                if puid in self.inactive:
                    continue
                code = self.int(link, "Type", label, 1)
                if code not in LINK_FROM_CODE:
                    self.fail(label, f"Type must be 0 (FF), 1 (FS), 2 (SF) or 3 (SS), got {code}")
                kind = LINK_FROM_CODE[code]
                tenths = self.float(link, "LinkLag", label, 0.0) or 0.0
                fmt = self.int(link, "LagFormat", label, FORMAT_DAYS)
                pred = by_uid[puid]
                if fmt in PERCENT_FORMATS:
                    lag_of = lambda p, t=tenths: t / 100 * p.get("duration", 0.0)  # noqa: E731
                    self.notes.note("lags in percent of the predecessor's duration", rec["label"],
                                    "converted to working days")
                elif fmt in ELAPSED_FORMATS:
                    lag = tenths / 10 / 1440 * self.elapsed_factor()
                    lag_of = lambda p, v=lag: v  # noqa: E731
                    self.notes.note("elapsed lags", rec["label"], "converted to working days of the project calendar")
                else:
                    lag = tenths / 10 / self.minutes_per_day
                    lag_of = lambda p, v=lag: v  # noqa: E731
                preds, succs = ends(puid), ends(rec["uid"])
                if pred["summary"] or rec["summary"]:
                    self.notes.note("links on summary tasks", f"{pred['label']} -> {rec['label']}",
                                    "replaced by links between the tasks under them")
                for p in preds:
                    for s in succs:
                        if p is s or (p["id"], s["id"]) in deps:
                            continue
                        try:
                            deps[(p["id"], s["id"])] = Dependency(p["id"], s["id"], kind, lag_of(p))
                        except PmsimError as exc:
                            raise exc.with_context(f"{self.path}: {label}") from None
        return list(deps.values())

    # ------------------------------------------------------------ project

    def build(self, tasks, resources, deps):
        root = self.root
        leaves = tasks["leaves"]
        if not leaves:
            self.fail("Tasks", "the file has no tasks (a project needs at least one task)")
        name = self.text(root, "Title") or self.text(root, "Name") or self.path.stem
        if name.lower().endswith(".xml") or name.lower().endswith(".mpp"):
            name = name[:-4]
        start = self.datetime(root, "StartDate", "Project")
        if start is None:
            starts = [self.datetime(r["el"], "Start", r["label"]) for r in leaves]
            starts = [s for s in starts if s is not None]
            if not starts:
                self.fail("Project", "no StartDate and no task start dates")
            start = min(starts)
        currency = self.text(root, "CurrencyCode") or "USD"
        if currency.upper() == "XXX":
            currency = self.text(root, "CurrencySymbol") or currency
        summary = self.summary_task
        deadline = description = budget = None
        risks = ()
        if summary is not None:
            when = self.datetime(summary, "Deadline", "project summary task")
            deadline = when.date() if when else None
            description = self.text(summary, "Notes")
            budget_field = self.field_id("budget")
            text = self.custom(summary, budget_field) if budget_field else None
            if text is not None:
                try:
                    budget = float(text)
                except ValueError:
                    self.fail("project summary task", f"'pmsim budget' must be a number, got {text!r}")
            elif not self.pmsim_written:
                for base in summary.findall(Q + "Baseline"):
                    if (self.int(base, "Number", "baseline", 0) or 0) == 0:
                        cost = self.float(base, "Cost", "project summary task baseline", 0.0) or 0.0
                        budget = cost / 100 if cost > 0 else None
            risk_field = self.field_id("risks")
            text = self.custom(summary, risk_field) if risk_field else None
            if text:
                risks = risks_from_json(text, f"{self.path}: project summary task, field 'pmsim risks'")
        model_tasks = []
        for rec in leaves:
            try:
                model_tasks.append(Task(rec["id"], rec["name"], estimate=rec["estimate"], resources=rec["resources"],
                                        fixed_cost=rec["fixed_cost"], cost_per_day=rec["cost_per_day"],
                                        phase=rec["phase"], milestone=rec["milestone"]))
            except PmsimError as exc:
                raise exc.with_context(f"{self.path}: {rec['label']}") from None
        try:
            project = Project(
                name=name, start=start.date(), tasks=model_tasks, dependencies=deps, resources=resources,
                risks=risks, calendar=self.calendar, currency=currency, budget=budget, deadline=deadline,
                description=description or "",
            )
        except PmsimError as exc:
            raise exc.with_context(str(self.path)) from None
        for rec, mine in zip(leaves, cost_model(project)["budget"]):
            if rec["cost"] is not None and not rec.get("progress"):
                theirs = rec["cost"] / 100
                if abs(mine - theirs) > max(0.01, 1e-6 * abs(theirs)):
                    self.notes.note("task costs that the cost model does not explain", rec["label"],
                                    "pmsim's cost = fixed cost + (cost per day + resource rates) x duration")
        return project


def _ancestors(rec):
    out = []
    p = rec.get("parent")
    while p is not None:
        out.append(p)
        p = p.get("parent")
    return out
