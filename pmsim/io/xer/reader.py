"""Reading a Primavera P6 XER file into a project: :class:`XerReader`.

The project (chosen as :func:`~pmsim.io.xer.projects.choose_project` says),
its calendars (the project's, the activities', the resources'), WBS phases,
resources, activities with their estimates, constraints, progress,
assignments and expenses, links with their lags, P6's scheduling options and
pmsim's user-defined fields; what pmsim does not model is noted per feature.
The facade :func:`pmsim.io.xer.read_xer` decodes the file and warns; the P6
XML reader feeds the same tables to the same reader.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from ...errors import FileFormatError, PmsimError
from ...model import Dependency, Project, Resource
from .._exchange import risks_from_json, unique_id, with_cost_settings
from .activities import ActivityReader
from .calendars import build_calendar, spec_from_row
from .fields import LINK_TYPES
from .baselines import read_baselines
from .projects import choose_project, root_node, schedule_options

__all__ = ["XerReader", "REQUIRED_TABLES"]

REQUIRED_TABLES = ("PROJECT", "CALENDAR", "TASK")
ISO_CURRENCY = re.compile(r"[A-Za-z]{3}")
# P6's standard currency names (CURRTYPE.curr_type) and their ISO 4217 codes.
P6_CURRENCY_NAMES = {
    "dollar": "USD", "us dollar": "USD", "u.s. dollar": "USD", "euro": "EUR", "british pound": "GBP",
    "pound sterling": "GBP", "australian dollar": "AUD", "canadian dollar": "CAD", "new zealand dollar": "NZD",
    "japanese yen": "JPY", "swiss franc": "CHF", "indian rupee": "INR", "south african rand": "ZAR",
    "singapore dollar": "SGD", "hong kong dollar": "HKD", "chinese yuan": "CNY", "brazilian real": "BRL",
    "mexican peso": "MXN", "argentine peso": "ARS", "saudi riyal": "SAR", "uae dirham": "AED",
    "swedish krona": "SEK", "norwegian krone": "NOK", "danish krone": "DKK", "polish zloty": "PLN",
}


class XerReader(ActivityReader):
    """One pass over the tables of an XER file: :meth:`read` gives the project and its progress rows.

    What the file holds that pmsim does not model is gathered in ``notes``
    (the caller warns about it). After :meth:`read`, ``task_rows`` maps each
    task id to its TASK row and ``task_hours`` to the hours of a day of its calendar.
    """

    def read(self, project=None) -> tuple[Project, list[dict]]:
        """The project (``project``: a ``proj_short_name`` or ``proj_id``, None for the default), and one
        progress row per activity that has started (the columns of :func:`pmsim.io._exchange.progress_frame`)."""
        missing = [t for t in REQUIRED_TABLES if t not in self.tables]
        if missing:
            listing = ", ".join(repr(p.get("proj_short_name", "").strip() or p.get("proj_id")) + " (empty)"
                                for p in self.table("PROJECT"))
            raise FileFormatError(
                f"{self.path}: missing required table(s) {', '.join(missing)}; "
                f"an XER project needs {', '.join(REQUIRED_TABLES)}"
                + (f" (the file's projects have no activities: {listing})" if missing == ["TASK"] and listing else "")
            )
        chosen = choose_project(self, project)
        self.proj_id = chosen.get("proj_id", "").strip()
        mine = lambda rows: [r for r in rows if r.get("proj_id", "").strip() in (self.proj_id, "")]  # noqa: E731
        self.udfs = self.read_udfs()
        self.settings = self.read_settings()
        self.pmsim_file = bool(self.settings)  # pmsim wrote this project
        self.options = schedule_options(self, self.proj_id)
        rows = mine(self.table("TASK"))
        self.check_unique_task_ids()
        self.chosen = chosen
        start, plan_start = self.project_start(chosen, rows)
        self.status_moment = self.date(chosen, "last_recalc_date", "PROJECT")
        if self.status_moment is not None and self.status_moment.date() < start:
            self.fail(self.where("PROJECT", chosen),
                      f"last_recalc_date (the data date) {self.status_moment:%Y-%m-%d %H:%M} is before the "
                      f"project's planned start {start}; the data date cannot precede the start")
        self.calendar_rows = {r.get("clndr_id", "").strip(): r for r in self.table("CALENDAR")}
        if not self.calendar_rows:
            self.fail("CALENDAR", "the table has no rows")
        self.spec_cache: dict = {}
        assignments: dict[str, list[dict]] = {}
        for row in mine(self.table("TASKRSRC")):
            assignments.setdefault(row.get("task_id", "").strip(), []).append(row)
        expenses: dict[str, list[dict]] = {}
        for row in mine(self.table("PROJCOST")):
            expenses.setdefault(row.get("task_id", "").strip(), []).append(row)
        res_info = self.resource_info(assignments)
        project_key = self.project_key = self.project_calendar_key(chosen, rows)
        keys = self.task_calendar_keys(rows, project_key, assignments, res_info)
        self.calendars = self.read_calendars(project_key, keys, res_info)
        self.check_working_time(start, chosen, rows)
        self.calendar = self.calendars[project_key]
        self.hpd = self.calendar.hours_per_day
        resources = self.build_resources(res_info)
        wbs = {r.get("wbs_id"): r for r in mine(self.table("PROJWBS"))}
        self.root_wbs = root_node(self, chosen)
        tasks, by_task_id, progress, codes = [], {}, [], {}
        used: set[str] = set()
        self.task_rows, self.task_hours = {}, {}
        for row in rows:
            num = row.get("task_id", "").strip()
            code = row.get("task_code", "").strip()
            tid = unique_id(code or num or self.where("TASK", row), num, used)
            if code and tid != code.replace(";", ","):
                self.notes.inform("activities with the same activity ID (renamed with '#' and their task_id)",
                                f"{self.where('TASK', row)}: {code!r} -> {tid!r}")
            used.add(tid)
            codes.setdefault(code, tid)
            schedule_key, activity_key = keys[num]
            cal = self.calendars[schedule_key]
            node = wbs.get(row.get("wbs_id"))
            phase = "" if node is None or node is self.root_wbs else node.get("wbs_name", "")
            # On the project calendar, with no resource calendar to choose instead, a task needs none of its own.
            plain = schedule_key == project_key and not any(
                res_info.get(a.get("rsrc_id", "").strip(), {}).get("calendar_key") not in (None, "", project_key)
                for a in assignments.get(num, []))
            task, done = self.read_task(row, tid, None if plain else (cal.id or None), cal.hours_per_day, phase,
                                        assignments.get(num, []), expenses.get(num, []), res_info)
            tasks.append(task)
            by_task_id[num] = (task, schedule_key, activity_key)
            self.task_rows[tid], self.task_hours[tid] = row, cal.hours_per_day
            if done is not None:
                progress.append(done)
        deps = self.read_links(by_task_id, project_key)
        project = with_cost_settings(self.build(chosen, start, plan_start, tasks, deps, resources, project_key),
                                     self.settings, f"{self.path}: UDF 'pmsim settings'")
        baselines = read_baselines(self, self.proj_id, codes, self.task_hours)
        if baselines:
            project = project.replace(baselines=baselines)
        return project, progress

    # ------------------------------------------------------------ settings and UDFs

    def read_udfs(self) -> dict:
        """(table, label) -> {fk_id: row} for the pmsim user-defined fields."""
        types = {}
        for row in self.table("UDFTYPE"):
            label = row.get("udf_type_label", "").strip().lower()
            if label.startswith("pmsim "):
                types[row.get("udf_type_id")] = (row.get("table_name", "").upper(), label)
        out: dict = {}
        for row in self.table("UDFVALUE"):
            key = types.get(row.get("udf_type_id"))
            if key is not None:
                out.setdefault(key, {})[row.get("fk_id", "").strip()] = row
        return out

    def udf(self, table: str, label: str, fk: str, number: bool):
        row = self.udfs.get((table, label), {}).get(str(fk).strip())
        if row is None:
            return None
        if number:
            return self.number(row, "udf_number", "UDFVALUE")
        value = row.get("udf_text", "")
        return value if value != "" else None

    def read_settings(self) -> dict:
        """pmsim's settings for this project (a JSON project UDF in files pmsim wrote), else {}."""
        text = self.udf("PROJECT", "pmsim settings", self.proj_id, False)
        if not text:
            return {}
        try:
            settings = json.loads(text)
        except (ValueError, RecursionError):
            settings = None
        if not isinstance(settings, dict):
            raise FileFormatError(f"{self.path}: UDF 'pmsim settings' is not a JSON object; "
                                  "was it cut at 255 characters by another tool?")
        return settings

    # ------------------------------------------------------------ calendars

    def spec(self, key: str):
        """The parsed CALENDAR row ``key`` (parsed once)."""
        if key not in self.spec_cache:
            row = self.calendar_rows[key]
            self.spec_cache[key] = row["_spec"] if "_spec" in row else spec_from_row(self, row)
        return self.spec_cache[key]

    def project_calendar_key(self, chosen: dict, rows: list[dict]) -> str:
        """The project calendar: PROJECT.clndr_id, else the default calendar, else the most used one."""
        key = chosen.get("clndr_id", "").strip()
        if key in self.calendar_rows:
            return key
        default = next((k for k, r in self.calendar_rows.items() if r.get("default_flag", "").upper() == "Y"), None)
        counts: dict[str, int] = {}
        for r in rows:
            k = r.get("clndr_id", "").strip()
            if k in self.calendar_rows:
                counts[k] = counts.get(k, 0) + 1
        found = default or (max(counts, key=counts.get) if counts else next(iter(self.calendar_rows)))
        self.notes.inform("a project calendar missing from the file",
                          f"clndr_id {key or '(blank)'}: calendar {self.calendar_rows[found].get('clndr_name', found)!r} "
                          "is used instead")
        return found

    def task_calendar_keys(self, rows, project_key, assignments, res_info) -> dict[str, tuple[str, str]]:
        """task_id -> (the calendar it is scheduled on, its activity calendar): its own calendar (the
        project's when blank), a resource-dependent activity's resource calendar."""
        out = {}
        for row in rows:
            num = row.get("task_id", "").strip()
            label = f"activity {row.get('task_code') or num!r}"
            key = row.get("clndr_id", "").strip()
            if key and key not in self.calendar_rows:
                self.notes.inform("activities on calendars missing from the file (the project calendar is used)",
                                  f"{label} (clndr_id {key})")
            activity = key if key in self.calendar_rows else project_key
            schedule = activity
            if row.get("task_type", "") == "TT_Rsrc":
                driver = self.driving_resource(row, assignments.get(num, []), res_info)
                if driver is not None and driver["calendar_key"]:
                    schedule = driver["calendar_key"]
                    self.notes.inform("resource-dependent activities scheduled on the calendar of their resource",
                                      f"{label} ({driver['id']})")
                hours = self.number(row, "target_drtn_hr_cnt", "TASK", 0.0) or 0.0
                if self.resource_driven(row, assignments.get(num, []), res_info, hours):
                    self.notes.note("resource-driven durations (assignments with their own durations, lags or "
                                    "calendars)", label, "the activity's own duration is used")
            out[num] = (schedule, activity)
        return out

    def driving_resource(self, row: dict, assignments: list[dict], res_info: dict) -> dict | None:
        """The resource whose calendar a resource-dependent activity follows: its primary resource if
        assigned, else the one assigned with the most units (the first of equals)."""
        best, best_units = None, -1.0
        primary = row.get("rsrc_id", "").strip()
        for a in assignments:
            res = res_info.get(a.get("rsrc_id", "").strip())
            if res is None or res["material"]:
                continue
            if a.get("rsrc_id", "").strip() == primary:
                return res
            units = self.number(a, "target_qty_per_hr", "TASKRSRC", 0.0) or 0.0
            if units > best_units:
                best, best_units = res, units
        return best

    def read_calendars(self, project_key, keys, res_info) -> dict:
        """clndr_id -> pmsim Calendar for every calendar the project uses (and, in files pmsim wrote,
        every calendar of the project)."""
        wanted = {project_key} | {k for pair in keys.values() for k in pair}
        wanted |= {r["calendar_key"] for r in res_info.values() if r["calendar_key"]}
        mapping = self.settings.get("calendars") or {}
        if mapping:
            wanted |= {k for k, r in self.calendar_rows.items() if r.get("clndr_name", "") in mapping}
        prefer = next((self.number(r, "day_hr_cnt", "PREFER") for r in self.table("PREFER")), None)
        used_ids: set[str] = set()
        out = {}
        for key in [k for k in self.calendar_rows if k in wanted]:
            spec = self.spec(key)
            given = mapping.get(self.calendar_rows[key].get("clndr_name", ""))
            if isinstance(given, dict):
                hours = given.get("hours")
                template = tuple(tuple(int(m) for m in span) for span in hours) if isinstance(hours, list) else None
                cal_id, name = str(given.get("id", "")), str(given.get("name", ""))
            else:
                cal_id, name, template = unique_id(spec.name or key, key, used_ids), spec.name, None
            used_ids.add(cal_id)
            out[key] = build_calendar(spec, _Specs(self), self, cal_id=cal_id, name=name,
                                      default_hours_per_day=prefer, template=template)
        return out

    def check_working_time(self, start: dt.date, chosen: dict, rows: list[dict]) -> None:
        """Refuse a calendar whose exceptions leave it no working time over the project's span: from the
        start to its latest date in the file (at least four weeks)."""
        dates = [self.date(chosen, "plan_end_date", "PROJECT")]
        for row in rows:
            dates += [self.date(row, f, "TASK") for f in ("early_end_date", "target_end_date", "cstr_date", "cstr_date2")]
        end = max([d.date() for d in dates if d is not None] + [start + dt.timedelta(days=28)])
        for key, cal in self.calendars.items():
            # The first working moment: a calendar whose week works has one soon after its last exception.
            first = cal.start_time(start, 0.0)
            if first.date() > end:
                self.fail(self.spec(key).where,
                          f"no working time from {start} to {end}: its exceptions remove all of it "
                          "(a calendar must leave some working time in the project's span)")

    # ------------------------------------------------------------ resources

    def resource_info(self, assignments: dict[str, list[dict]]) -> dict[str, dict]:
        """rsrc_id -> what the activities need of a resource: its pmsim id, whether it is a material,
        its calendar key (for resources assigned in the project, or all in files pmsim wrote), its rows."""
        assigned = {a.get("rsrc_id", "").strip() for rows in assignments.values() for a in rows}
        info, used = {}, set()
        for row in self.table("RSRC"):
            num = row.get("rsrc_id", "").strip()
            name = row.get("rsrc_name") or ""
            rid = unique_id(row.get("rsrc_short_name", "").strip() or name.strip() or f"R{num}", num, used)
            kind = row.get("rsrc_type", "RT_Labor")
            key = row.get("clndr_id", "").strip()
            if key and key not in self.calendar_rows:
                self.notes.inform("resources on calendars missing from the file (left without a calendar)",
                                  f"resource {rid!r} (clndr_id {key})")
            if kind != "RT_Mat":
                used.add(rid)
            read_calendar = key in self.calendar_rows and (num in assigned or self.pmsim_file)
            info[num] = {"id": rid, "label": f"resource {rid!r}", "material": kind == "RT_Mat", "row": row,
                         "calendar_key": key if read_calendar else ""}
        return info

    def build_resources(self, info: dict[str, dict]) -> list[Resource]:
        rates: dict[str, list[dict]] = {}
        for row in self.table("RSRCRATE"):
            rates.setdefault(row.get("rsrc_id", "").strip(), []).append(row)
        resources = []
        for num, res in info.items():
            row, label = res["row"], res["label"]
            if res["material"]:
                self.notes.note("material resources", label, "their cost on each activity is added to its fixed cost")
                continue
            own = sorted(rates.get(num, []), key=lambda r: r.get("start_date", ""))
            if len(own) > 1:
                self.notes.note("rates or availability that change over time", label,
                                "the rate in effect at the project start is used")
            capacity, per_hour = 1.0, 0.0
            if own:
                capacity = self.number(own[0], "max_qty_per_hr", "RSRCRATE", 1.0)
                per_hour = self.number(own[0], "cost_per_qty", "RSRCRATE", 0.0)
            if (self.number(row, "ot_factor", "RSRC", 0.0) or 0.0) > 0 and row.get("ot_flag", "N") == "Y":
                self.notes.note("overtime", label)
            # A resource on the project calendar works as one without a calendar of its own.
            key = res["calendar_key"]
            cal = self.calendars[key] if key and key != self.project_key else None
            try:
                resources.append(Resource(res["id"], row.get("rsrc_name") or res["id"], capacity=capacity,
                                          cost_per_day=per_hour * self.hpd,
                                          calendar=None if cal is None else (cal.id or None)))
            except PmsimError as exc:
                raise exc.with_context(f"{self.path}: {self.where('RSRC', row)}") from None
        return resources

    # ------------------------------------------------------------ links

    def check_unique_task_ids(self) -> None:
        """Refuse a TASK table that gives one ``task_id`` (P6's key, which links and assignments name) twice."""
        seen: dict[str, dict] = {}
        for row in self.table("TASK"):
            num = row.get("task_id", "").strip()
            if not num:
                continue
            if num in seen:
                self.fail(self.where("TASK", row),
                          f"task_id {num} is also the task_id of {self.where('TASK', seen[num])}; task_id must be "
                          "unique (links and resource assignments name activities by it)")
            seen[num] = row

    def read_links(self, by_task_id: dict, project_key: str) -> list[Dependency]:
        """The links between the project's activities; a lag in hours is read in days of the calendar
        P6's rule counts it on (the predecessor's, the successor's, the project's, or 24 hours)."""
        rule = self.options["lag_calendar"]
        deps, seen = [], set()
        codes = {r.get("task_id", "").strip(): r.get("task_code") or r.get("task_id") for r in self.table("TASK")}
        for row in self.table("TASKPRED"):
            succ, pred = row.get("task_id", "").strip(), row.get("pred_task_id", "").strip()
            if succ not in by_task_id and pred not in by_task_id:
                continue  # another project's link
            where = self.where("TASKPRED", row)
            if succ not in by_task_id or pred not in by_task_id:
                inside, outside = (succ, pred) if succ in by_task_id else (pred, succ)
                self.notes.note("links to other projects (left out)",
                                f"{by_task_id[inside][0].id} {'<-' if inside == succ else '->'} "
                                f"{codes.get(outside, outside)}")
                continue
            code = row.get("pred_type", "PR_FS").strip() or "PR_FS"
            if code not in LINK_TYPES:
                self.fail(where, f"pred_type must be PR_FS, PR_SS, PR_FF or PR_SF, got {code!r}")
            ptask, p_schedule, p_activity = by_task_id[pred]
            stask, s_schedule, s_activity = by_task_id[succ]
            hours = self.number(row, "lag_hr_cnt", "TASKPRED", 0.0) or 0.0
            lag_calendar = None
            if rule == "24h":
                lag = hours / 24.0
            else:
                schedule, activity = {"predecessor": (p_schedule, p_activity), "successor": (s_schedule, s_activity),
                                      "project": (project_key, project_key)}[rule]
                # P6 counts the lag on the activity calendar, even where the activity follows its resource's.
                lag = hours / self.calendars[activity].hours_per_day
                if activity != schedule and hours:
                    lag_calendar = self.calendars[activity].id or None
            key = (ptask.id, stask.id, LINK_TYPES[code], lag)
            if key in seen:
                self.notes.inform("the same link twice (the second is left out)",
                                  f"{ptask.id} -> {stask.id} ({LINK_TYPES[code]})")
                continue
            seen.add(key)
            try:
                deps.append(Dependency(ptask.id, stask.id, LINK_TYPES[code], lag, lag_calendar=lag_calendar))
            except PmsimError as exc:
                raise exc.with_context(f"{self.path}: {where}") from None
        if self.options["ss_lag_from_actual"] and any(t.started for t, _, _ in by_task_id.values()) and \
                any(d.type == "SS" and d.lag for d in deps):
            self.notes.note("start-to-start lags counted from actual starts (P6 option)", "the project",
                            "lags count from the scheduled start")
        return deps

    # ------------------------------------------------------------ the project

    def project_start(self, chosen: dict, rows: list[dict]) -> tuple[dt.date, dt.datetime]:
        """(the project's start date, the moment it starts): plan_start_date, else the earliest
        activity start, else the data date."""
        start = self.date(chosen, "plan_start_date", "PROJECT")
        if start is None:
            starts = [s for s in (self.date(r, "target_start_date", "TASK") for r in rows) if s is not None]
            start = min(starts) if starts else self.date(chosen, "last_recalc_date", "PROJECT")
        if start is None:
            self.fail(self.where("PROJECT", chosen), "no plan_start_date and no activity start dates")
        return start.date(), start

    def build(self, chosen, start, plan_start, tasks, deps, resources, project_key) -> Project:
        """The Project from the chosen PROJECT row and what was read for it."""
        where = self.where("PROJECT", chosen)
        root = self.root_wbs
        name = (root or {}).get("wbs_name") or chosen.get("proj_short_name") or self.path.stem
        must_finish_by = self.date(chosen, "plan_end_date", "PROJECT")
        if must_finish_by is not None and must_finish_by.date() < start:
            self.notes.inform("a must-finish-by date before the project start (left out)",
                              f"{where}: plan_end_date {must_finish_by:%Y-%m-%d %H:%M} is before the start {start}")
            must_finish_by = None
        status_date = self.status_moment
        started = [t for t in tasks if t.started]
        if status_date == plan_start and not started:
            status_date = None  # the data date at the start says nothing
        if status_date is None and started:
            status_date = max(max(_moment(t.actual_start), _moment(t.actual_finish or t.actual_start))
                              for t in started)
            self.notes.inform("no data date (last_recalc_date) in a project with progress",
                              f"{where}: the latest actual date, {status_date:%Y-%m-%d %H:%M}, is used")
        settings = self.settings
        if self.pmsim_file:
            deadline = settings.get("deadline")
        else:
            deadline = None if must_finish_by is None else must_finish_by.date()
        options = dict(self.options)
        if options["progress_rule"] == "actual_dates":
            self.notes.note("P6's 'actual dates' rule for progressed activities", "the project",
                            "read as retained logic")
            options["progress_rule"] = "retained_logic"
        if options["ignore_other_projects"]:
            options["ignore_other_projects"] = False  # links to other projects are left out anyway
        currency = self.currency()
        pid = self.proj_id
        budget = self.udf("PROJECT", "pmsim budget", pid, True)
        if budget is None and root is not None and not self.udfs:
            cost = self.number(root, "orig_cost", "PROJWBS", 0.0) or 0.0
            budget = cost if cost > 0 else None
        text = self.udf("PROJECT", "pmsim risks", pid, False)
        risks = risks_from_json(text, f"{self.path}: UDF 'pmsim risks'") if text else ()
        text = self.udf("PROJECT", "pmsim description", pid, False)
        description = ""
        if text:
            try:
                description = json.loads(text)
            except (ValueError, RecursionError):
                description = text
            if not isinstance(description, str):
                description = str(description)
        others = tuple(c for k, c in self.calendars.items() if k != project_key)
        try:
            project = Project(
                name=name, start=start, tasks=tasks, dependencies=deps, resources=resources, risks=risks,
                calendar=self.calendar, calendars=others, currency=currency, budget=budget, deadline=deadline,
                description=description, status_date=status_date, must_finish_by=must_finish_by,
                lag_calendar=options["lag_calendar"], total_float=options["total_float"],
                progress_rule=settings.get("progress_rule", options["progress_rule"]),
                honor_constraints=bool(settings.get("honor_constraints", False)),
            )
        except PmsimError as exc:
            raise exc.with_context(str(self.path)) from None
        return self.settle_calendars(project)

    def currency(self) -> str:
        """The base currency (exchange rate 1) as an ISO 4217 code. P6's short name is the user's text ("U.K.",
        "AUST" in real exports): a code only when it is three letters, else the code of P6's standard currency
        name ("British Pound"), else XXX (ISO's "no currency"), with a warning."""
        row = next((r for r in self.table("CURRTYPE")
                    if (self.number(r, "base_exch_rate", "CURRTYPE", 1.0) or 1.0) == 1.0 and r.get("curr_short_name")),
                   None)
        if row is None:
            header = self.header[8].strip() if len(self.header) > 8 else ""
            short, name = header or "USD", ""
        else:
            short, name = row["curr_short_name"].strip(), (row.get("curr_type") or "").strip()
        if ISO_CURRENCY.fullmatch(short):
            return short.upper()
        code = P6_CURRENCY_NAMES.get(name.lower(), "XXX")
        self.notes.note("currencies named other than by an ISO 4217 code", f"{short!r} ({name or 'no name'})",
                        f"read as {code}" + ("" if code != "XXX" else ", ISO's code for no currency"))
        return code

    def settle_calendars(self, project: Project) -> Project:
        """Tasks whose calendar is the one the model picks anyway (the project's, or their resources')
        keep none of their own, so that a task without one reads back without one."""
        changed = []
        with_calendars = {r.id for r in project.resources if r.calendar is not None}
        for task in project.tasks:
            # Without resource calendars the model picks the project's, which such a task does not use;
            # a resource-dependent activity names its resource's calendar, as P6 schedules it.
            if task.calendar is not None and any(r in with_calendars for r, _ in task.resources) and \
                    self.task_rows[task.id].get("task_type", "") != "TT_Rsrc" and \
                    project.task_calendar(task.replace(calendar=None)).id == task.calendar and \
                    not project.assignment_calendars(task.replace(calendar=None)):  # P6: one calendar per activity
                task = task.replace(calendar=None)
            changed.append(task)
        if all(a is b for a, b in zip(changed, project.tasks)):
            return project
        return project.replace(tasks=tuple(changed))


def _moment(value) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())


class _Specs:
    """The calendars of a file by key, parsed when first asked for (a base calendar's chain)."""

    def __init__(self, reader: XerReader):
        self.reader = reader

    def __contains__(self, key) -> bool:
        return key in self.reader.calendar_rows

    def __getitem__(self, key):
        return self.reader.spec(key)
