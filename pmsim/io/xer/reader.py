"""Reading a Primavera P6 XER file into a project: :class:`XerReader`.

The project (the first exported one when the file holds several), its
calendars, WBS phases, resources, activities with their estimates,
assignments and expenses, links, and pmsim's user-defined fields; what pmsim
does not model is noted per feature. The facade :func:`pmsim.io.xer.read_xer`
decodes the file and warns.
"""

from __future__ import annotations

import json
import math

from ...distributions import Distribution, Fixed
from ...errors import FileFormatError, PmsimError
from ...model import Dependency, Project, Resource, Task
from .._exchange import estimate_from, risks_from_json, unique_id
from .calendars import read_calendars
from .fields import CONSTRAINTS, LINK_TYPES
from .tables import Tables

__all__ = ["XerReader", "REQUIRED_TABLES"]

REQUIRED_TABLES = ("PROJECT", "CALENDAR", "TASK")


class XerReader(Tables):
    """One pass over the tables of an XER file: :meth:`read` gives the project and its progress rows.

    What the file holds that pmsim does not model is gathered in ``notes``
    (the caller warns about it).
    """

    def read(self) -> tuple[Project, list[dict]]:
        """The project, and one progress row per activity that has started (the columns of
        :func:`pmsim.io._exchange.progress_frame`)."""
        missing = [t for t in REQUIRED_TABLES if t not in self.tables]
        if missing:
            raise FileFormatError(
                f"{self.path}: missing required table(s) {', '.join(missing)}; "
                f"an XER project needs {', '.join(REQUIRED_TABLES)}"
            )
        projects = self.table("PROJECT")
        if not projects:
            self.fail("PROJECT", "the table has no rows")
        chosen = next((p for p in projects if p.get("export_flag", "").upper() == "Y"), projects[0])
        if len(projects) > 1:
            self.notes.note("several projects in one file (the first exported one is read)",
                            ", ".join(p.get("proj_short_name", "?") for p in projects))
        self.proj_id = chosen.get("proj_id", "")
        mine = lambda rows: [r for r in rows if r.get("proj_id", self.proj_id) in (self.proj_id, "")]  # noqa: E731
        self.udfs = self.read_udfs()

        calendar_rows = {r.get("clndr_id", ""): r for r in self.table("CALENDAR")}
        if not calendar_rows:
            self.fail("CALENDAR", "the table has no rows")
        tasks = mine(self.table("TASK"))
        if not tasks:
            self.fail("TASK", f"no activities for project {chosen.get('proj_short_name', self.proj_id)!r}")
        self.calendars, main = read_calendars(self, calendar_rows, tasks, chosen.get("clndr_id", ""))
        self.calendar, self.hpd = self.calendars[main]

        wbs = {r.get("wbs_id"): r for r in mine(self.table("PROJWBS"))}
        # The project's own node carries its id as short name; other nodes are phases.
        short = chosen.get("proj_short_name", "")
        self.root_wbs = next((r for r in wbs.values() if r.get("proj_node_flag", "").upper() == "Y"
                              and r.get("wbs_short_name", "") == short), None)
        resources, res_info = self.read_resources()
        model_tasks, by_task_id, progress = self.read_tasks(tasks, wbs, res_info)
        deps = self.read_links(by_task_id)
        project = self.build(chosen, tasks, model_tasks, deps, resources)
        return project, progress

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
                out.setdefault(key, {})[row.get("fk_id")] = row
        return out

    def udf(self, table: str, label: str, fk: str, number: bool):
        row = self.udfs.get((table, label), {}).get(fk)
        if row is None:
            return None
        if number:
            return self.number(row, "udf_number", "UDFVALUE")
        value = row.get("udf_text", "")
        return value if value != "" else None

    def read_resources(self):
        rates: dict[str, list[dict]] = {}
        for row in self.table("RSRCRATE"):
            rates.setdefault(row.get("rsrc_id"), []).append(row)
        resources, info = [], {}
        used = set()
        for row in self.table("RSRC"):
            rid_num = row.get("rsrc_id")
            where = self.where("RSRC", row)
            name = row.get("rsrc_name") or ""
            rid = unique_id(row.get("rsrc_short_name", "").strip() or name.strip() or f"R{rid_num}", rid_num, used)
            label = f"resource {rid!r}"
            kind = row.get("rsrc_type", "RT_Labor")
            info[rid_num] = {"id": rid, "label": label, "material": kind == "RT_Mat"}
            if kind == "RT_Mat":
                self.notes.note("material resources", label, "their cost on each activity is added to its fixed cost")
                continue
            used.add(rid)
            own = rates.get(rid_num, [])
            if len(own) > 1:
                self.notes.note("rates or availability that change over time", label,
                                "the rate in effect at the project start is used")
            own = sorted(own, key=lambda r: r.get("start_date", ""))
            capacity, per_hour = 1.0, 0.0
            if own:
                rate = own[0]
                capacity = self.number(rate, "max_qty_per_hr", "RSRCRATE", 1.0)
                per_hour = self.number(rate, "cost_per_qty", "RSRCRATE", 0.0)
            if (self.number(row, "ot_factor", "RSRC", 0.0) or 0.0) > 0 and row.get("ot_flag", "N") == "Y":
                self.notes.note("overtime", label)
            try:
                resources.append(Resource(rid, name or rid, capacity=capacity, cost_per_day=per_hour * self.hpd))
            except PmsimError as exc:
                raise exc.with_context(f"{self.path}: {where}") from None
        return resources, info

    # ------------------------------------------------------------ activities

    def read_tasks(self, rows, wbs, res_info):
        """The activities of TASK ``rows``: (tasks, task_id -> (task, hours per day, label), progress rows)."""
        assignments: dict[str, list[dict]] = {}
        for row in self.table("TASKRSRC"):
            assignments.setdefault(row.get("task_id"), []).append(row)
        expenses: dict[str, list[dict]] = {}
        for row in self.table("PROJCOST"):
            expenses.setdefault(row.get("task_id"), []).append(row)
        model, by_task_id, progress = [], {}, []
        used = set()
        for row in rows:
            where = self.where("TASK", row)
            num = row.get("task_id", "")
            tid = unique_id(row.get("task_code", "").strip() or num.strip() or where, num, used)
            used.add(tid)
            name = row.get("task_name", "")
            label = f"activity {tid!r}"
            hpd = self.calendars.get(row.get("clndr_id"), (None, self.hpd))[1]
            duration, milestone = self.task_duration(row, where, label, hpd)
            self.note_unmodelled(row, label)
            node = wbs.get(row.get("wbs_id"))
            phase = "" if node is None or node is self.root_wbs else node.get("wbs_name", "")
            estimate = self.task_estimate(num, milestone, duration, where, label)
            demand, fixed, actual_cost = self.task_resources(num, label, duration, hpd, assignments.get(num, []),
                                                             expenses.get(num, []), res_info)
            cost_per_day = self.udf("TASK", "pmsim cost per day", num, True) or 0.0
            try:
                task = Task(tid, name, estimate=estimate, resources=demand, fixed_cost=max(fixed, 0.0),
                            cost_per_day=cost_per_day, phase=phase, milestone=milestone)
            except PmsimError as exc:
                raise exc.with_context(f"{self.path}: {where}") from None
            model.append(task)
            by_task_id[num] = (task, hpd, label)
            done = self.task_progress(row, tid, duration, hpd, actual_cost)
            if done is not None:
                progress.append(done)
        return model, by_task_id, progress

    def task_duration(self, row: dict, where: str, label: str, hpd: float) -> tuple[float, bool]:
        """(planned duration in days, milestone flag) of a TASK row."""
        kind = row.get("task_type", "TT_Task")
        duration = (self.number(row, "target_drtn_hr_cnt", "TASK", None)
                    if row.get("target_drtn_hr_cnt", "").strip() else self.number(row, "remain_drtn_hr_cnt", "TASK", 0.0))
        duration = (duration or 0.0) / hpd
        if duration < 0:
            self.fail(where, f"target_drtn_hr_cnt must be >= 0, got {row.get('target_drtn_hr_cnt')!r}")
        milestone = kind in ("TT_Mile", "TT_FinMile")
        if milestone and duration > 0:
            # P6 gives milestones no duration; a leftover one is not the plan.
            self.notes.note("milestones with a duration", label, "read as milestones of 0 days")
            duration = 0.0
        return duration, milestone

    def note_unmodelled(self, row: dict, label: str) -> None:
        """Notes on what a TASK row holds that pmsim does not model."""
        notes = self.notes
        kind = row.get("task_type", "TT_Task")
        if kind == "TT_LOE":
            notes.note("level-of-effort activities", label, "read as tasks with their planned duration")
        elif kind == "TT_WBS":
            notes.note("WBS summary activities", label, "read as tasks with their planned duration")
        for field in ("cstr_type", "cstr_type2"):
            code = row.get(field, "").strip()
            if code:
                date = row.get("cstr_date" if field == "cstr_type" else "cstr_date2", "")[:10]
                notes.note("date constraints", f"{label}: {CONSTRAINTS.get(code, code)}" + (f" {date}" if date else ""),
                           "activities are scheduled as soon as their links allow")
        if row.get("expect_end_date", "").strip():
            notes.note("expected finish dates", label)

    def task_estimate(self, num: str, milestone: bool, duration: float, where: str, label: str) -> Distribution:
        """The estimate from the pmsim fields, if any; else the planned duration."""
        kind_text = self.udf("TASK", "pmsim distribution", num, False)
        params = self.udf("TASK", "pmsim parameters", num, False) or ""
        points = tuple(self.udf("TASK", f"pmsim {k}", num, True) for k in ("optimistic", "most likely", "pessimistic"))
        points = points if all(p is not None for p in points) else None
        repairs: list[str] = []
        try:
            estimate = Fixed(0.0) if milestone else estimate_from(kind_text, params, duration, points, repairs,
                                                                  "Original Duration")
        except PmsimError as exc:
            raise exc.with_context(f"{self.path}: {where} ({label})") from None
        for text in repairs:
            self.notes.note("edited pmsim estimates", f"{label}: {text}")
        return estimate

    def task_resources(self, num: str, label: str, duration: float, hpd: float, assignments: list[dict],
                       expenses: list[dict], res_info: dict) -> tuple[dict[str, float], float, float]:
        """(resource id -> units, fixed cost, actual cost) of an activity's assignments and expenses."""
        notes = self.notes
        demand: dict[str, float] = {}
        fixed = 0.0
        actual_cost = 0.0
        for a in assignments:
            aw = self.where("TASKRSRC", a)
            actual_cost += (self.number(a, "act_reg_cost", "TASKRSRC", 0.0) or 0.0) + \
                (self.number(a, "act_ot_cost", "TASKRSRC", 0.0) or 0.0)
            rnum = a.get("rsrc_id", "").strip()
            if not rnum:
                if a.get("role_id", "").strip():
                    notes.note("role assignments (left out)", label)
                continue
            res = res_info.get(rnum)
            if res is None:
                if "RSRC" not in self.tables:
                    self.fail(aw, f"names resource {rnum} but the file has no RSRC table")
                self.fail(aw, f"names unknown resource {rnum}")
            if res["material"]:
                fixed += self.number(a, "target_cost", "TASKRSRC", 0.0) or 0.0
                continue
            units = self.number(a, "target_qty_per_hr", "TASKRSRC")
            if units is None:
                units = self.number(a, "remain_qty_per_hr", "TASKRSRC")
            if units is None:
                qty = self.number(a, "target_qty", "TASKRSRC", 0.0) or 0.0
                units = qty / (duration * hpd) if duration > 0 else 1.0
            if units < 0:
                self.fail(aw, f"units per hour must be >= 0, got {units:g}")
            if res["id"] in demand:
                notes.note("a resource assigned twice to one activity (units added)", label)
            demand[res["id"]] = demand.get(res["id"], 0.0) + units
        for e in expenses:
            fixed += self.number(e, "target_cost", "PROJCOST", 0.0) or 0.0
            actual_cost += self.number(e, "act_cost", "PROJCOST", 0.0) or 0.0
        return demand, fixed, actual_cost

    def task_progress(self, row: dict, tid: str, duration: float, hpd: float, actual_cost: float) -> dict | None:
        """The progress row of an activity that has started, else None."""
        status = row.get("status_code", "TK_NotStart")
        start = self.date(row, "act_start_date", "TASK")
        finish = self.date(row, "act_end_date", "TASK")
        if not (status in ("TK_Active", "TK_Complete") or start is not None or actual_cost > 0):
            return None
        remaining = self.number(row, "remain_drtn_hr_cnt", "TASK")
        ptype = row.get("complete_pct_type", "CP_Drtn")
        if status == "TK_Complete":
            pct = 100.0
        elif ptype == "CP_Phys":
            pct = self.number(row, "phys_complete_pct", "TASK", 0.0) or 0.0
        elif ptype == "CP_Units":
            act = self.number(row, "act_work_qty", "TASK", 0.0) or 0.0
            rem = self.number(row, "remain_work_qty", "TASK", 0.0) or 0.0
            pct = 100.0 * act / (act + rem) if act + rem > 0 else 0.0
        else:
            pct = 100.0 * (1 - (remaining or 0.0) / (duration * hpd)) if duration > 0 and remaining is not None \
                else 0.0
        return {
            "id": tid, "percent_complete": min(max(pct, 0.0), 100.0),
            "remaining_duration": math.nan if remaining is None else max(remaining / hpd, 0.0),
            "actual_cost": actual_cost,
            "actual_start": None if start is None else start.date(),
            "actual_finish": None if finish is None else finish.date(),
        }

    def read_links(self, by_task_id):
        deps = {}
        for row in self.table("TASKPRED"):
            succ, pred = row.get("task_id"), row.get("pred_task_id")
            if succ not in by_task_id and pred not in by_task_id:
                continue  # another project's link
            where = self.where("TASKPRED", row)
            if succ not in by_task_id or pred not in by_task_id:
                inside = by_task_id.get(succ) or by_task_id.get(pred)
                self.notes.note("links to other projects (left out)", inside[2])
                continue
            code = row.get("pred_type", "PR_FS").strip() or "PR_FS"
            if code not in LINK_TYPES:
                self.fail(where, f"pred_type must be PR_FS, PR_SS, PR_FF or PR_SF, got {code!r}")
            ptask, phpd, _ = by_task_id[pred]
            stask = by_task_id[succ][0]
            # P6 counts a lag in the predecessor's calendar by default.
            lag = (self.number(row, "lag_hr_cnt", "TASKPRED", 0.0) or 0.0) / phpd
            key = (ptask.id, stask.id)
            if key in deps:
                self.notes.note("two links between the same activities (the first is kept)",
                                f"{ptask.id} -> {stask.id}")
                continue
            try:
                deps[key] = Dependency(ptask.id, stask.id, LINK_TYPES[code], lag)
            except PmsimError as exc:
                raise exc.with_context(f"{self.path}: {where}") from None
        return list(deps.values())

    def build(self, chosen, rows, tasks, deps, resources):
        """The Project from the chosen PROJECT row, its TASK ``rows`` and what was read from them."""
        where = self.where("PROJECT", chosen)
        root = self.root_wbs
        name = (root or {}).get("wbs_name") or chosen.get("proj_short_name") or self.path.stem
        start = self.date(chosen, "plan_start_date", "PROJECT")
        if start is None:
            starts = [self.date(r, "target_start_date", "TASK") for r in rows]
            starts = [s for s in starts if s is not None]
            start = min(starts) if starts else self.date(chosen, "last_recalc_date", "PROJECT")
        if start is None:
            self.fail(where, "no plan_start_date and no activity start dates")
        deadline = self.date(chosen, "plan_end_date", "PROJECT")
        currency = None
        for row in self.table("CURRTYPE"):
            if (self.number(row, "base_exch_rate", "CURRTYPE", 1.0) or 1.0) == 1.0 and row.get("curr_short_name"):
                currency = row["curr_short_name"]
                break
        if currency is None:
            currency = self.header[8] if len(self.header) > 8 and self.header[8].strip() else "USD"
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
            except ValueError:
                description = text
            if not isinstance(description, str):
                description = str(description)
        try:
            return Project(name=name, start=start.date(), tasks=tasks, dependencies=deps, resources=resources,
                           risks=risks, calendar=self.calendar, currency=currency, budget=budget,
                           deadline=deadline.date() if deadline else None, description=description)
        except PmsimError as exc:
            raise exc.with_context(str(self.path)) from None

