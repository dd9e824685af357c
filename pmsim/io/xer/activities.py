"""P6 activities read into tasks: :class:`ActivityReader`, the part of the XER reader that turns
``TASK`` rows (with their assignments and expenses) into :class:`pmsim.Task` objects.

Durations are hours in P6; a task's are read in working days of the calendar
it is scheduled on (hours / that calendar's ``hours_per_day``). Constraints,
actual dates, remaining durations and percent complete are kept; what pmsim
does not model is noted per feature.
"""

from __future__ import annotations

import datetime as dt
import math

from ...distributions import Distribution, Fixed
from ...errors import PmsimError
from ...model import Task
from .._exchange import estimate_from
from .fields import CONSTRAINT_NAMES, CONSTRAINTS
from .tables import Tables

__all__ = ["ActivityReader"]


class ActivityReader(Tables):
    """Turns TASK rows into tasks; :class:`~pmsim.io.xer.reader.XerReader` sets what it reads from
    (``calendars``, ``task_calendar``, ``status_date``, ``options``, the pmsim UDFs) and calls
    :meth:`read_task`."""

    def read_task(self, row: dict, tid: str, calendar_id: str | None, hpd: float, phase: str,
                  assignments: list[dict], expenses: list[dict], res_info: dict) -> tuple[Task, dict | None]:
        """The task of a TASK row, and its progress row for earned value (None when not started).

        ``calendar_id`` is the id the task keeps (None: the one the model would pick anyway),
        ``hpd`` the hours of a day of the calendar it is scheduled on.
        """
        where = self.where("TASK", row)
        num = row.get("task_id", "")
        label = f"activity {tid!r}"
        duration, milestone = self.task_duration(row, where, label, hpd)
        self.note_unmodelled(row, label)
        estimate = self.task_estimate(num, milestone, duration, where, label)
        demand, fixed, actual_cost = self.task_resources(num, label, duration, hpd, assignments, expenses, res_info)
        cost_per_day = self.udf("TASK", "pmsim cost per day", num, True) or 0.0
        constraints = self.task_constraints(row, where, label)
        progress = self.task_progress(row, where, label, duration, hpd)
        # A level-of-effort activity: its duration is the span P6 last computed; pmsim computes it again.
        loe = {"level_of_effort": True, "estimate": None} if row.get("task_type") == "TT_LOE" else {"estimate": estimate}
        try:
            task = Task(tid, row.get("task_name", ""), resources=demand,
                        fixed_cost=max(fixed, 0.0), cost_per_day=cost_per_day, phase=phase, milestone=milestone,
                        calendar=calendar_id, **loe, **constraints, **progress)
        except PmsimError as exc:
            raise exc.with_context(f"{self.path}: {where} ({label})") from None
        return task, self.progress_row(task, row, duration, hpd, actual_cost)

    def task_duration(self, row: dict, where: str, label: str, hpd: float) -> tuple[float, bool | str]:
        """(planned duration in days, milestone: False, True for a finish milestone, "start") of a TASK row."""
        kind = row.get("task_type", "TT_Task")
        hours = (self.number(row, "target_drtn_hr_cnt", "TASK", None)
                 if row.get("target_drtn_hr_cnt", "").strip() else self.number(row, "remain_drtn_hr_cnt", "TASK", 0.0))
        duration = (hours or 0.0) / hpd
        if duration < 0:
            self.fail(where, f"target_drtn_hr_cnt must be >= 0, got {row.get('target_drtn_hr_cnt')!r}")
        milestone = kind in ("TT_Mile", "TT_FinMile")
        if milestone and duration > 0:
            # P6 gives milestones no duration; a leftover one is not the plan.
            self.notes.note("milestones with a duration", label, "read as milestones of 0 days")
            duration = 0.0
        return duration, ("start" if kind == "TT_Mile" else milestone)

    def note_unmodelled(self, row: dict, label: str) -> None:
        """Notes on what a TASK row holds that pmsim does not model."""
        notes = self.notes
        kind = row.get("task_type", "TT_Task")
        if kind == "TT_WBS":
            notes.note("WBS summary activities", label,
                       "read as tasks with their planned duration (P6 spans them over their WBS)")
        if row.get("expect_end_date", "").strip() and self.options.get("expected_finish"):
            notes.note("expected finish dates (P6's 'use expected finish dates' option)", label,
                       "the activities keep their remaining durations")
        if row.get("suspend_date", "").strip():
            notes.note("suspended activities", label, "the suspension and resumption are not scheduled")
        if row.get("external_early_start_date", "").strip() or row.get("external_late_end_date", "").strip():
            notes.note("external early start or late finish dates (from links to other projects)", label)

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

    def task_constraints(self, row: dict, where: str, label: str) -> dict:
        """The Task fields of the primary and secondary constraints (``cstr_type``, ``cstr_type2``)."""
        found = []
        for code_field, date_field in (("cstr_type", "cstr_date"), ("cstr_type2", "cstr_date2")):
            code = row.get(code_field, "").strip()
            if not code:
                continue
            if code not in CONSTRAINTS:
                self.fail(where, f"{code_field} must be one of {', '.join(CONSTRAINTS)}, got {code!r}")
            kind = CONSTRAINTS[code]
            date = self.date(row, date_field, "TASK")
            if kind != "ALAP" and date is None:
                self.notes.note("constraints without a date (left out)", f"{label}: {CONSTRAINT_NAMES[code]}")
                continue
            found.append((kind, None if kind == "ALAP" else date, code))
        if len(found) == 2 and found[1][0] == "ALAP":
            self.notes.note("As Late As Possible as a secondary constraint (left out)", label)
            found = found[:1]
        if len(found) == 2 and found[0][0] == "ALAP":
            # The model keeps ALAP as the primary kind only; the dated one comes first.
            self.notes.note("As Late As Possible with a dated constraint (the dated one is kept)", label)
            found = found[1:]
        out = {}
        if found:
            out["constraint"], out["constraint_date"] = found[0][:2]
        if len(found) > 1:
            out["secondary_constraint"], out["secondary_constraint_date"] = found[1][:2]
        return out

    def task_progress(self, row: dict, where: str, label: str, duration: float, hpd: float) -> dict:
        """The Task progress fields of a TASK row: actual dates, remaining duration, percent complete."""
        status = row.get("status_code", "").strip() or "TK_NotStart"
        start = self.date(row, "act_start_date", "TASK")
        finish = self.date(row, "act_end_date", "TASK")
        remaining_hours = self.number(row, "remain_drtn_hr_cnt", "TASK")
        if status == "TK_Complete" and finish is None:
            self.notes.inform("complete activities without an actual finish (read as in progress)", label)
        if status == "TK_Active" and start is None and finish is None:
            self.notes.inform("activities in progress without an actual start (read as not started)", label)
        if start is not None and finish is not None and finish < start:
            self.fail(f"{where} ({label})", f"act_end_date {finish} is before act_start_date {start}; "
                                            "an activity cannot finish before it starts")
        if finish is not None and (remaining_hours or 0.0) > 0:
            self.fail(f"{where} ({label})", f"has an act_end_date ({finish}) but remain_drtn_hr_cnt "
                                            f"{remaining_hours:g} h; a finished activity has no remaining duration")
        status_date = self.status_moment
        if status_date is not None:
            moved = False
            if start is not None and start > status_date:
                start, moved = status_date, True
            if finish is not None and finish > status_date:
                finish, moved = status_date, True
            if moved:
                self.notes.inform("actual dates after the data date (P6 allows them; pmsim moves them to the "
                                  f"data date {status_date:%Y-%m-%d %H:%M})", label)
        out: dict = {"actual_start": start, "actual_finish": finish}
        if start is None:
            # Not started: only a remaining duration that differs from the planned one says anything.
            milestone = row.get("task_type", "") in ("TT_Mile", "TT_FinMile")
            if remaining_hours is not None and not milestone and abs(remaining_hours / hpd - duration) > 1e-9:
                out["remaining_duration"] = max(remaining_hours / hpd, 0.0)
            return out
        if finish is not None:
            return out  # finished: nothing remains, all is done
        if remaining_hours is not None:
            out["remaining_duration"] = max(remaining_hours / hpd, 0.0)
        out["percent_complete"] = self.percent_complete(row, duration, hpd, remaining_hours)
        return out

    def percent_complete(self, row: dict, duration: float, hpd: float, remaining_hours) -> float | None:
        """The activity's percent complete by its ``complete_pct_type`` (physical, duration or units)."""
        ptype = row.get("complete_pct_type", "").strip() or "CP_Drtn"
        if ptype == "CP_Phys":
            pct = self.number(row, "phys_complete_pct", "TASK")
        elif ptype == "CP_Units":
            act = self.number(row, "act_work_qty", "TASK", 0.0) or 0.0
            rem = self.number(row, "remain_work_qty", "TASK", 0.0) or 0.0
            pct = 100.0 * act / (act + rem) if act + rem > 0 else None
        else:
            pct = 100.0 * (1 - (remaining_hours or 0.0) / (duration * hpd)) \
                if duration > 0 and remaining_hours is not None else None
        return None if pct is None else min(max(pct, 0.0), 100.0)

    def progress_row(self, task: Task, row: dict, duration: float, hpd: float, actual_cost: float) -> dict | None:
        """The row of :func:`pmsim.io._exchange.progress_frame` for a task that has started (or has costs)."""
        status = row.get("status_code", "TK_NotStart")
        if not (task.started or status in ("TK_Active", "TK_Complete") or actual_cost > 0):
            return None
        pct = task.percent_complete
        if pct is None:
            pct = 100.0 if task.finished else 0.0
        rem = task.remaining_duration
        if rem is None:
            hours = self.number(row, "remain_drtn_hr_cnt", "TASK")
            rem = math.nan if hours is None else max(hours / hpd, 0.0)
        return {
            "id": task.id, "percent_complete": pct, "remaining_duration": rem, "actual_cost": actual_cost,
            "actual_start": None if task.actual_start is None else _day(task.actual_start),
            "actual_finish": None if task.actual_finish is None else _day(task.actual_finish),
        }

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
            units = self.assignment_units(a, duration, hpd)
            if units < 0:
                self.fail(aw, f"units per hour must be >= 0, got {units:g}")
            if res["id"] in demand:
                notes.note("a resource assigned twice to one activity (units added)", label)
            demand[res["id"]] = demand.get(res["id"], 0.0) + units
        for e in expenses:
            fixed += self.number(e, "target_cost", "PROJCOST", 0.0) or 0.0
            actual_cost += self.number(e, "act_cost", "PROJCOST", 0.0) or 0.0
        return demand, fixed, actual_cost

    def assignment_units(self, a: dict, duration: float, hpd: float) -> float:
        """Units per hour of a TASKRSRC row (from its work and the duration when the rate is blank)."""
        units = self.number(a, "target_qty_per_hr", "TASKRSRC")
        if units is None:
            units = self.number(a, "remain_qty_per_hr", "TASKRSRC")
        if units is None:
            qty = self.number(a, "target_qty", "TASKRSRC", 0.0) or 0.0
            units = qty / (duration * hpd) if duration > 0 else 1.0
        return units

    def resource_driven(self, row: dict, assignments: list[dict], res_info: dict, hours: float) -> bool:
        """Does a resource-dependent activity's duration come from its assignments (their own
        durations, lags or calendars) rather than from the activity's own duration?"""
        keys, driven = set(), False
        for a in assignments:
            res = res_info.get(a.get("rsrc_id", "").strip())
            if res is None or res["material"]:
                continue
            keys.add(res["calendar_key"])
            if abs(self.number(a, "target_lag_drtn_hr_cnt", "TASKRSRC", 0.0) or 0.0) > 1e-9:
                driven = True
            qty = self.number(a, "target_qty", "TASKRSRC")
            rate = self.number(a, "target_qty_per_hr", "TASKRSRC")
            if qty is not None and rate and abs(qty / rate - hours) > 1 / 60:
                driven = True
        return driven or len(keys) > 1


def _day(moment) -> dt.date:
    return moment.date() if isinstance(moment, dt.datetime) else moment
