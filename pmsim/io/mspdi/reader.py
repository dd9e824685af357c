"""Reading MS Project XML (MSPDI) into a project: :class:`MspdiReader`.

Tasks (the outline gives phases; summary tasks are not tasks), their calendars,
constraints, deadlines and progress, resources, assignments, links and the project
fields; what pmsim does not model is noted per feature, never dropped silently. The
facade :func:`pmsim.io.mspdi.read_mspdi` parses the file and warns.
"""

from __future__ import annotations

import datetime as dt
import json

from ... import limits
from ...costs import cost_model
from ...errors import FileFormatError, PmsimError
from ...model import Dependency, Project, Task
from .._exchange import risks_from_json, with_cost_settings
from .baselines import read_baselines
from .calendars import CalendarBook, day_spans, local_moment
from .fields import (
    ELAPSED_FORMATS,
    ELAPSED_MINUTES_PER_DAY,
    ELAPSED_PERCENT_FORMATS,
    FINISH_CONSTRAINTS,
    FORMAT_DAYS,
    LINK_FROM_CODE,
    PERCENT_FORMATS,
    Q,
)
from .resources import ResourceFields
from .tasks import TaskFields

__all__ = ["MspdiReader"]

# What MS Project does that pmsim has a setting for (a file written by pmsim keeps its own).
MS_PROJECT_SETTINGS = {"lag_calendar": "successor", "total_float": "smallest", "progress_rule": "ms_project"}


class MspdiReader(TaskFields, ResourceFields):
    """One pass over a parsed MSPDI document: :meth:`read` gives the project and its progress rows.

    What the file holds that pmsim does not model is gathered in ``notes``
    (the caller warns about it).
    """

    honor_flag_is_true = False  # HonorConstraints means what it says (MPXJ wrote it from an .mpp)
    split_uids: dict = {}  # an .mpp's split tasks: UID -> the ranges of time they work (MPXJ's work splits)

    def read(self) -> tuple[Project, list[dict]]:
        """The project, and one progress row per task that has started (the columns of
        :func:`pmsim.io._exchange.progress_frame`)."""
        self.settings = self.read_settings()
        self.book = CalendarBook(self, self.settings.get("calendars"))
        tasks = self.task_records()
        for rec in tasks["leaves"]:
            self.read_task(rec)
        resources, res_by_uid = self.read_resources()
        self.read_assignments(tasks, res_by_uid)
        for rec in tasks["leaves"]:
            if rec["uid"] in self.split_uids:  # MPXJ's ranges of work of an .mpp's split task
                rec["work_ranges"] = list(self.split_uids[rec["uid"]])
        self.resource_calendars = {r.id: r.calendar for r in resources}
        for rec in tasks["leaves"]:
            rec["calendar"] = self.task_calendar(rec)
            self.duration_from_work(rec)
        deps = self.read_links(tasks)
        project = self.build(tasks, resources, deps)
        return project, [t["progress"] for t in tasks["leaves"] if t.get("progress")]

    def read_settings(self) -> dict:
        """pmsim's own settings in a file pmsim wrote (the summary task's 'pmsim settings' field)."""
        field = self.field_id("settings")
        box = self.root.find(Q + "Tasks")
        summary = next((el for el in ([] if box is None else box.findall(Q + "Task"))
                        if self.int(el, "UID", "Task") == 0), None)
        text = self.custom(summary, field) if field and summary is not None else None
        if not text:
            return {}
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            data = None
        if not isinstance(data, dict):
            self.fail("project summary task", "'pmsim settings' is not a JSON object (was the text cut at "
                                              "255 characters by another tool?)")
        return data

    # ------------------------------------------------------------ calendars of tasks

    def task_calendar(self, rec) -> str | None:
        """The calendar id a task works on, as MS Project chooses it (None: the project's or its resources')."""
        book, label = self.book, rec["label"]
        if rec["elapsed"]:
            return book.elapsed()  # an elapsed duration runs round the clock, whatever the calendars
        uid = rec["calendar_uid"]
        if uid not in (-1, None) and uid not in book.raw:
            self.notes.note("task calendars that the file does not define", label, "the project calendar is used")
        own = book.use(uid) if uid in book.raw else None
        work = [w for w in rec["work"] if w["units"] > 0]
        calendars = {w["resource"]["calendar"] for w in work}
        if len(calendars) > 1 and own is not None and not (rec["ignore_resource_calendars"] or rec["fixed_duration"]):
            # Without a task calendar each resource works on its own (Project.assignment_calendars).
            self.notes.note("tasks whose resources work on different calendars", label,
                            "with a task calendar of its own, pmsim schedules such a task on the time both that "
                            "calendar and the resource with the most units work; MS Project finishes it when "
                            "the last resource does")
        if uid in book.raw:
            if rec["ignore_resource_calendars"] or rec["fixed_duration"] or not work:
                return own
            theirs = max(((w["units"], -k, w["resource"]["calendar"]) for k, w in enumerate(work)))[2]
            both = book.combined(uid, theirs)
            if both != own:
                self.notes.note("task calendars narrowed by the resources' calendars", label,
                                "scheduled, as MS Project does, when both work; MS Project counts the slack "
                                "on the task's own calendar, pmsim the float on the time both work")
            return both
        if work and rec["fixed_duration"] and calendars - {None}:
            # MS Project schedules a fixed-duration task on the task's calendar, not its resources'.
            if book.project.id:
                return book.project.id
            self.notes.note("fixed-duration tasks with resource calendars", label,
                            "pmsim schedules them on the calendar of their resources")
        return None

    def duration_from_work(self, rec) -> None:
        """MS Project schedules a task that is not fixed-duration by its assignments: each works its work at its
        units, and the task lasts as long as the longest (its Duration field may say otherwise once work or
        units were edited). When the task's stored start and finish say MS Project did so (they hold another
        amount of working time than its Duration; on one calendar, that of the longest assignment), its duration
        becomes that of its longest assignment; when assignments of different lengths work on different
        calendars, pmsim still gives each the longest (a note says so). A task with progress keeps its duration
        (its work left is what counts), and so does one whose work follows a contour (spread thinner, it lasts
        longer than its work at its units)."""
        if rec["fixed_duration"] or rec["elapsed"] or rec["milestone"] or self.pmsim_written \
                or rec["actual_start"] is not None or not all(w["flat"] for w in rec["work"]):
            return
        lengths = [(w["work"] / w["units"], w["resource"]["calendar"]) for w in rec["work"]
                   if w["work"] is not None and w["units"] > 0 and w["work"] > 0]
        if not lengths:
            return
        longest = max(m for m, _ in lengths)
        if len({cal for _, cal in lengths}) > 1 and longest - min(m for m, _ in lengths) > 1:
            self.notes.note("resource-driven durations", rec["label"],
                            "assignments of different lengths on different calendars: pmsim gives each the "
                            "longest; MS Project schedules each by its own work")
        if abs(longest - rec["minutes"]) <= 1:
            return
        first, last = self.datetime(rec["el"], "Start", rec["label"]), self.datetime(rec["el"], "Finish", rec["label"])
        if first is None or last is None or last < first:
            return  # never scheduled: nothing says how MS Project would do it
        cal = self.effective_calendar(rec)
        span = (cal.working_offset(first.date(), last) - cal.working_offset(first.date(), first)) * cal.minutes_per_day
        if abs(span - rec["minutes"]) <= 1 or (not self.several_calendars(rec) and abs(span - longest) > 1):
            return
        rec["minutes"], rec["duration"] = longest, longest / rec["day"]
        self.read_estimate(rec)

    def check_work(self, rec, start: dt.date) -> None:
        """Note a task MS Project scheduled by its assignments' work rather than by its duration: some
        assignment's work at its units does not fill the duration, and the stored start and finish of
        the task hold another amount of working time than its duration."""
        if self.several_calendars(rec):
            return  # each assignment on its own calendar (duration_from_work notes what is not modelled)
        if rec["fixed_duration"] or rec["elapsed"] or not any(
                w["work"] is not None and w["units"] > 0 and abs(w["work"] / w["units"] - rec["minutes"]) > 1
                for w in rec["work"]):
            return
        first, last = self.datetime(rec["el"], "Start", rec["label"]), self.datetime(rec["el"], "Finish", rec["label"])
        if first is None or last is None:
            return  # never scheduled: nothing says how MS Project would do it
        cal = self.effective_calendar(rec)
        span = (cal.working_offset(start, last) - cal.working_offset(start, first)) * cal.minutes_per_day
        if abs(span - rec["minutes"]) > 1:
            self.notes.note("resource-driven durations", rec["label"],
                            "MS Project scheduled such a task by the work of each assignment; pmsim by the "
                            "task's duration")

    def several_calendars(self, rec) -> bool:
        """Does a task without a calendar of its own have resources on different calendars (each of which then
        works on its own: :meth:`pmsim.Project.assignment_calendars`)?"""
        if rec["calendar"] is not None:
            return False
        return len({self.resource_calendars.get(rid) for rid, units in rec["resources"].items() if units > 0}) > 1

    def effective_calendar(self, rec):
        """The pmsim calendar a task works on (the rule of :meth:`pmsim.Project.task_calendar`)."""
        cid = rec["calendar"]
        if cid is None and self.several_calendars(rec):
            return self.book.project
        if cid is None:
            demands = enumerate(rec["resources"].items())
            by_units = [(units, -k, self.resource_calendars[rid]) for k, (rid, units) in demands
                        if units > 0 and self.resource_calendars.get(rid) is not None]
            cid = max(by_units)[2] if by_units else None
        if cid is None or cid == self.book.project.id:
            return self.book.project
        return self.book.used[cid]

    # ------------------------------------------------------------ links

    def read_links(self, tasks):
        by_uid = tasks["by_uid"]
        leaves = {r["uid"]: r for r in tasks["leaves"]}
        children: dict[int, list[dict]] = {}  # the tasks directly under each summary task
        for rec in tasks["records"]:
            if rec["parent"] is not None:
                children.setdefault(rec["parent"]["uid"], []).append(rec)
        under: dict[int, list[dict]] = {}

        def ends(uid):
            """The tasks a link to ``uid`` stands for: itself, or every task under a summary (outline order)."""
            if uid in leaves:
                return [leaves[uid]]
            if uid not in under:
                found, stack = [], list(reversed(children.get(uid, [])))
                while stack:
                    rec = stack.pop()
                    if rec["uid"] in leaves:
                        found.append(rec)
                    stack.extend(reversed(children.get(rec["uid"], [])))
                under[uid] = found
            return under[uid]

        deps: dict[tuple, Dependency] = {}
        expanded = 0  # links between the tasks under summary tasks, counted before they are made
        for rec in tasks["records"]:
            if rec["uid"] in self.inactive:
                continue
            for link in rec["el"].findall(Q + "PredecessorLink"):
                label = f"{rec['label']} predecessor link"
                puid = self.int(link, "PredecessorUID", label)
                if self.bool(link, "CrossProject"):
                    for held in ends(rec["uid"]) or [rec]:  # the tasks the link would hold (all under a summary)
                        self.notes.note("links to other projects (left out)", held["label"])
                    continue
                if puid is None or puid not in by_uid:
                    if puid is not None and puid not in by_uid and puid != 0:
                        self.notes.note("links to unknown tasks (left out)", f"{rec['label']} <- UID {puid}")
                    continue
                if puid in self.inactive:
                    continue
                if puid == rec["uid"]:
                    self.fail(label, "links the task to itself; a task cannot depend on itself (remove the link)")
                code = self.int(link, "Type", label, 1)
                if code not in LINK_FROM_CODE:
                    self.fail(label, f"Type must be 0 (FF), 1 (FS), 2 (SF) or 3 (SS), got {code}")
                kind = LINK_FROM_CODE[code]
                value = self.float(link, "LinkLag", label, 0.0) or 0.0
                fmt = self.int(link, "LagFormat", label, FORMAT_DAYS)
                pred = by_uid[puid]
                preds, succs = ends(puid), ends(rec["uid"])
                if pred["summary"] and kind in ("SS", "SF") and preds:
                    # From the summary's start: the start of the task under it that starts first.
                    preds = [self.first_to_start(preds)]
                    self.notes.note("links from the start of summary tasks", f"{pred['label']} -> {rec['label']}",
                                    "each tied to the task under the summary that starts first in the file (the "
                                    "summary's start), which stays that task when durations change")
                if rec["summary"] and kind in ("FF", "SF"):
                    self.notes.note("finish-to-finish and start-to-finish links into summary tasks",
                                    f"{pred['label']} -> {rec['label']}",
                                    "MS Project refuses them; each task under the summary is linked")
                if pred["summary"] or rec["summary"]:
                    expanded += len(preds) * len(succs)
                    limits.check("SUMMARY_LINKS", expanded,
                                 f"{self.path}: {label} from {pred['label']}: links between the tasks under "
                                 f"summary tasks ({len(preds):,} x {len(succs):,} for this one)")
                for p in preds:
                    lag, calendar = self.lag(value, fmt, p, rec)
                    for s in succs:
                        key = (p["id"], s["id"], kind, lag, calendar)
                        if p is s or key in deps:
                            continue
                        try:
                            deps[key] = Dependency(p["id"], s["id"], kind, lag, lag_calendar=calendar)
                        except PmsimError as exc:
                            raise exc.with_context(f"{self.path}: {label}") from None
        return list(deps.values())

    def first_to_start(self, recs: list[dict]) -> dict:
        """The task that starts first in the file among ``recs`` (its early start, else its start; the first in
        outline order on a tie or without dates): a summary task starts when it does."""
        def start(rec):
            moment = None
            for name in ("EarlyStart", "Start"):
                moment = moment or self.datetime(rec["el"], name, rec["label"])
            return (0, moment) if moment is not None else (1, dt.datetime.min)

        return min(recs, key=start)

    def lag(self, value: float, fmt: int, pred: dict, succ: dict) -> tuple[float, str | None]:
        """A link's lag in days and the calendar it counts on (None: the successor's, MS Project's rule).

        ``LinkLag`` is in tenths of a minute (working minutes, or wall-clock ones for an
        elapsed format), or a percentage of the predecessor's duration for a percent format.
        """
        if fmt in PERCENT_FORMATS:
            self.notes.note("lags in percent of the predecessor's duration",
                            f"{pred['label']} -> {succ['label']} ({value:g} %)",
                            "converted to days: that share of the predecessor's duration")
            elapsed = fmt in ELAPSED_PERCENT_FORMATS or pred["elapsed"]
            return value / 100 * pred["duration"], (self.book.elapsed() if elapsed else None)
        if fmt in ELAPSED_FORMATS:
            return value / 10 / ELAPSED_MINUTES_PER_DAY, self.book.elapsed()
        return value / 10 / self.minutes_per_day, None

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
        if not self.bool(root, "ScheduleFromStart", True):
            self.notes.note("scheduling from the project finish date", "the project",
                            "pmsim schedules forward from the start date")
        currency = self.text(root, "CurrencyCode") or "USD"
        if currency.upper() == "XXX":
            currency = self.text(root, "CurrencySymbol") or currency
        summary = self.summary_fields_of_project(start.date())
        for rec in leaves:
            self.check_work(rec, start.date())
        model_tasks = [self.model_task(rec) for rec in leaves]
        calendars = self.project_calendars(start.date())
        settings = {**MS_PROJECT_SETTINGS, **{k: v for k, v in self.settings.items() if k in MS_PROJECT_SETTINGS}}
        status = self.status_date(leaves, start.date())
        if any(t.actual_start is not None for t in model_tasks) and status is None \
                and settings["progress_rule"] != "ms_project":
            self.notes.note("progress without a status date", "the project",
                            "read with MS Project's progress rule, which needs none")
            settings["progress_rule"] = "ms_project"
        baselines = read_baselines(self, leaves, self.settings.get("baselines"))
        try:
            project = Project(
                name=name, start=start.date(), start_time=self.start_time(start), tasks=model_tasks, dependencies=deps, resources=resources,
                calendar=self.book.project, calendars=calendars, currency=currency, status_date=status,
                must_finish_by=self.settings.get("must_finish_by"),
                honor_constraints=self.honor_constraints(), baselines=baselines, **summary, **settings,
            )
        except PmsimError as exc:
            raise exc.with_context(str(self.path)) from None
        # The escalated budget is what pmsim wrote as each task's cost.
        project = with_cost_settings(project, self.settings, f"{self.path}: 'pmsim settings'")
        for rec, mine in zip(leaves, cost_model(project)["budget"]):
            if rec["cost"] is not None and not rec.get("progress"):
                theirs = rec["cost"] / 100
                if abs(mine - theirs) > max(0.01, 1e-6 * abs(theirs)):
                    self.notes.note("task costs that the cost model does not explain", rec["label"],
                                    "pmsim's cost = fixed cost + (cost per day + resource rates) x duration")
        return project

    def start_time(self, start: dt.datetime) -> dt.time | None:
        """The moment of the start day the project starts: MS Project's StartDate is one (09:00 starts the first
        tasks then, and a 24-hour task at 08:00, not at midnight); a file pmsim wrote keeps its own setting."""
        if self.settings:
            return self.settings.get("start_time")
        return start.time()

    def honor_constraints(self) -> bool:
        """pmsim's own setting, or the file's flag when MPXJ wrote it from an ``.mpp``; else True: MS Project
        writes HonorConstraints 0 whatever its option (docs/exchange_formats.md)."""
        if "honor_constraints" in self.settings:
            return bool(self.settings["honor_constraints"])
        if self.honor_flag_is_true:
            return self.bool(self.root, "HonorConstraints", True)
        return True

    def summary_fields_of_project(self, start: dt.date) -> dict:
        """Deadline, description, budget and risks from the project summary task (UID 0)."""
        summary = self.summary_task
        out = {"deadline": None, "description": "", "budget": None, "risks": ()}
        if summary is None:
            return out
        when = self.datetime(summary, "Deadline", "project summary task")
        out["deadline"] = when.date() if when else None
        if when is not None and when.date() < start:
            self.notes.note("project deadlines before the project start (left out)", f"Deadline {when.date()}")
            out["deadline"] = None
        out["description"] = self.text(summary, "Notes") or ""
        budget_field = self.field_id("budget")
        text = self.custom(summary, budget_field) if budget_field else None
        if text is not None:
            try:
                out["budget"] = float(text)
            except ValueError:
                self.fail("project summary task", f"'pmsim budget' must be a number, got {text!r}")
        elif not self.pmsim_written:
            for base in summary.findall(Q + "Baseline"):
                if (self.int(base, "Number", "baseline", 0) or 0) == 0:
                    cost = self.float(base, "Cost", "project summary task baseline", 0.0) or 0.0
                    out["budget"] = cost / 100 if cost > 0 else None
        risk_field = self.field_id("risks")
        text = self.custom(summary, risk_field) if risk_field else None
        if text:
            out["risks"] = risks_from_json(text, f"{self.path}: project summary task, field 'pmsim risks'")
        return out

    def typed_finish_off_days(self, rec, cal) -> bool:
        """Is the finish of a manually scheduled task on a day its calendar does not work (midnight ends the
        day before)?"""
        finish = self.datetime(rec["el"], "Finish", rec["label"])
        if finish is None:
            return False
        day = (finish - dt.timedelta(minutes=1)).date() if finish.time() == dt.time() else finish.date()
        return not day_spans(cal, day)

    def model_task(self, rec) -> Task:
        """The pmsim task of a leaf record: dates as moments of its calendar (a date alone when at a day's edge)."""
        cal = self.effective_calendar(rec)

        def moment(value, finish):
            return None if value is None else local_moment(value, cal, finish)

        constraint = rec["constraint"]
        typed = rec["manual_start"]
        if typed is not None and not day_spans(cal, typed.date()):
            # Typed outside the hours of a working day, it stays there (the kernels stretch that day to it).
            self.notes.note("manually scheduled tasks typed to start on a day without working time", rec["label"],
                            "pmsim starts them at their calendar's next working moment; MS Project leaves them "
                            "where they were typed")
        if typed is not None and self.typed_finish_off_days(rec, cal):
            self.notes.note("manually scheduled tasks typed to finish on a day without working time", rec["label"],
                            "pmsim finishes them when their duration's work is done; MS Project leaves them where "
                            "they were typed")
        # A manually scheduled summary task's start holds the tasks under it: a second constraint of theirs.
        floor = rec["summary_start"]
        second = {} if floor is None else {"secondary_constraint": "SNET",
                                           "secondary_constraint_date": moment(floor, False)}
        try:
            return Task(rec["id"], rec["name"], estimate=rec["estimate"], resources=rec["resources"],
                        level_of_effort=rec.get("level_of_effort", False),
                        fixed_cost=rec["fixed_cost"], cost_per_day=rec["cost_per_day"], phase=rec["phase"],
                        milestone=rec["milestone"], calendar=rec["calendar"], constraint=constraint,
                        constraint_date=moment(rec["constraint_date"], constraint in FINISH_CONSTRAINTS), **second,
                        deadline=moment(rec["deadline"], True), manual_start=moment(rec["manual_start"], False),
                        summary_finish=moment(rec.get("summary_finish"), True),
                        levelling_delay=rec["levelling_delay"], splits=self.task_splits(rec, cal),
                        levelling_delay_calendar=self.book.elapsed() if rec["levelling_delay_elapsed"] else None,
                        actual_start=moment(rec["actual_start"], False),
                        actual_finish=moment(rec["actual_finish"], True),
                        remaining_duration=rec["remaining_duration"], percent_complete=rec["percent_complete"])
        except PmsimError as exc:
            raise exc.with_context(f"{self.path}: {rec['label']}") from None

    def project_calendars(self, start: dt.date) -> tuple:
        """The project's other calendars: every base calendar, and those tasks and resources use;
        each one used must have working time in the ten years from the project start."""
        out = {}
        for uid, cal in self.book.base_calendars():
            if cal is None:
                self.notes.note("calendars with no working time (left out: no task or resource uses them)",
                                self.book.raw[uid].label)
            elif cal.id:
                out[cal.id] = cal
        out.update(self.book.used)
        for cal in [self.book.project, *self.book.used.values()]:
            if not self.book.has_work_from(cal, start):
                raise FileFormatError(
                    f"{self.path}: calendar {cal.id or cal.name!r} has no working time in the ten years from the "
                    f"project start {start}: its exceptions and holidays take every working day, so a task on it "
                    "could never be scheduled")
        return tuple(out.values())

    def status_date(self, leaves, start: dt.date):
        """The status date (MS Project's data date), kept when the model can hold it."""
        value = self.datetime(self.root, "StatusDate", "Project")
        if value is None:
            return None
        status = local_moment(value, self.book.project, True)
        day = status if isinstance(status, dt.date) and not isinstance(status, dt.datetime) else status.date()
        if day < start:
            self.notes.note("status dates before the project start (left out)", f"StatusDate {value}")
            return None
        late = []
        for rec in leaves:
            cal = self.effective_calendar(rec)
            for value, finish in ((rec["actual_start"], False), (rec["actual_finish"], True)):
                moment = None if value is None else local_moment(value, cal, finish)
                if moment is not None and _after(moment, status):
                    late.append(rec["label"])
        if late:
            self.notes.note("a status date before actual dates (the status date is left out)",
                            ", ".join(dict.fromkeys(late)), f"StatusDate {value} comes before their actual dates")
            return None
        return status


def _after(moment, status) -> bool:
    """Is a moment after the status date (a date alone is the whole day), as the model judges it?"""
    if isinstance(moment, dt.datetime) and isinstance(status, dt.datetime):
        return moment > status
    day = moment.date() if isinstance(moment, dt.datetime) else moment
    return day > (status.date() if isinstance(status, dt.datetime) else status)
