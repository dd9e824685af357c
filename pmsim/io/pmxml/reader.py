"""P6 XML (PMXML) read as the tables of an XER file: :func:`pmxml_tables`.

P6 exports the same objects to XML as to XER, under other names:
``<Project>`` is a PROJECT row, ``<Calendar>`` a CALENDAR row (its week and
exceptions as elements instead of ``clndr_data``), ``<WBS>``, ``<Activity>``,
``<Relationship>``, ``<Resource>``, ``<ResourceRate>``,
``<ResourceAssignment>`` and ``<ActivityExpense>`` are PROJWBS, TASK,
TASKPRED, RSRC, RSRCRATE, TASKRSRC and PROJCOST rows. Durations, lags and
floats are hours in both. Translating them lets one reader
(:class:`pmsim.io.xer.reader.XerReader`) hold every P6 rule.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

from ..xer.calendars import CalendarSpec, merge_spans
from ..xer.fields import CONSTRAINT_NAMES, FLOAT_TYPES, LAG_CALENDARS
from .document import children, clock, local, number_text, values

__all__ = ["pmxml_tables"]

_BY_NAME = lambda codes: {name: code for code, name in codes.items()}  # noqa: E731
CONSTRAINTS = _BY_NAME(CONSTRAINT_NAMES)
ACTIVITY_TYPES = {"Task Dependent": "TT_Task", "Resource Dependent": "TT_Rsrc", "Level of Effort": "TT_LOE",
                  "Start Milestone": "TT_Mile", "Finish Milestone": "TT_FinMile", "WBS Summary": "TT_WBS"}
STATUSES = {"Not Started": "TK_NotStart", "In Progress": "TK_Active", "Completed": "TK_Complete"}
PERCENT_TYPES = {"Physical": "CP_Phys", "Duration": "CP_Drtn", "Units": "CP_Units"}
LINK_TYPES = {"Finish to Start": "PR_FS", "Start to Start": "PR_SS", "Finish to Finish": "PR_FF",
              "Start to Finish": "PR_SF"}
RESOURCE_TYPES = {"Labor": "RT_Labor", "Nonlabor": "RT_Equip", "Material": "RT_Mat"}
CALENDAR_TYPES = {"Global": "CA_Base", "Project": "CA_Project", "Resource": "CA_Rsrc"}
LAG_CALENDAR_NAMES = {"Predecessor Activity Calendar": "rcal_Predecessor", "Successor Activity Calendar":
                      "rcal_Successor", "Project Default Calendar": "rcal_ProjDefault",
                      "24 Hour Calendar": "rcal_24Hour"}
FLOAT_TYPE_NAMES = {"Finish Float = Late Finish - Early Finish": "FT_FF",
                    "Start Float = Late Start - Early Start": "FT_SS",
                    "Smallest of Start Float and Finish Float": "FT_Min"}
assert set(LAG_CALENDAR_NAMES.values()) == set(LAG_CALENDARS) and set(FLOAT_TYPE_NAMES.values()) == set(FLOAT_TYPES)
DAYS = {"Monday": "Mon", "Tuesday": "Tue", "Wednesday": "Wed", "Thursday": "Thu", "Friday": "Fri",
        "Saturday": "Sat", "Sunday": "Sun"}


def _flag(text: str) -> str:
    return "Y" if text.strip().lower() in ("1", "true", "y", "yes") else "N" if text.strip() else ""


def _percent(text: str) -> str:
    """A P6 XML fraction (0.6) as the percentage XER holds (60)."""
    text = number_text(text)
    try:
        return repr(float(text) * 100.0) if text else ""
    except ValueError:
        return text  # the reader names it


def _code(mapping: dict, text: str) -> str:
    """The XER code of a P6 XML name; an unknown name is kept for the reader to name."""
    return mapping.get(text, text) if text else ""


def pmxml_tables(root: ET.Element, path: Path) -> tuple[list[str], dict[str, list[dict]]]:
    """The XER tables (header, name -> rows) a P6 XML document holds."""
    tables: dict[str, list[dict]] = {name: [] for name in (
        "CURRTYPE", "PROJECT", "SCHEDOPTIONS", "CALENDAR", "PROJWBS", "RSRC", "RSRCRATE", "TASK", "TASKPRED",
        "TASKRSRC", "PROJCOST")}
    for cur in root.iter():
        if local(cur) == "Currency":
            v = values(cur)
            tables["CURRTYPE"].append({"curr_short_name": v.get("Id", ""),
                                       "base_exch_rate": number_text(v.get("ExchangeRate", ""))})
    for cal in children(root, "Calendar"):
        tables["CALENDAR"].append(_calendar(cal, path, ""))
    for res in children(root, "Resource"):
        v = values(res)
        tables["RSRC"].append({
            "_where": f"<Resource> {v.get('ObjectId', '?')} ({v.get('Id', '')})", "rsrc_id": v.get("ObjectId", ""),
            "rsrc_short_name": v.get("Id", ""), "rsrc_name": v.get("Name", ""), "clndr_id": v.get("CalendarObjectId", ""),
            "rsrc_type": _code(RESOURCE_TYPES, v.get("ResourceType", "")) or "RT_Labor",
            "ot_flag": _flag(v.get("IsOverTimeAllowed", "")), "ot_factor": number_text(v.get("OvertimeFactor", "")),
        })
    for rate in children(root, "ResourceRate"):
        v = values(rate)
        tables["RSRCRATE"].append({
            "_where": f"<ResourceRate> {v.get('ObjectId', '?')}", "rsrc_id": v.get("ResourceObjectId", ""),
            "max_qty_per_hr": number_text(v.get("MaxUnitsPerTime", "")),
            "cost_per_qty": number_text(v.get("PricePerUnit", "")), "start_date": v.get("EffectiveDate", ""),
        })
    for link in children(root, "Relationship"):
        tables["TASKPRED"].append(_relationship(link))
    for project in children(root, "Project"):
        _project(project, tables, path)
    return ["ERMHDR", "P6 XML"], tables


def _project(project: ET.Element, tables: dict, path: Path) -> None:
    v = values(project)
    pid = v.get("ObjectId", "")
    # A project that is only a name for another's links (P6 exports it with the activities they reach).
    external = "Name" not in v or v.get("External", "").strip().lower() in ("1", "true")
    if not external:
        tables["PROJECT"].append({
            "_where": f"<Project> {pid} ({v.get('Id', '')})", "proj_id": pid, "proj_short_name": v.get("Id", ""),
            "clndr_id": v.get("ActivityDefaultCalendarObjectId", ""), "plan_start_date": v.get("PlannedStartDate", ""),
            "plan_end_date": v.get("MustFinishByDate", ""), "last_recalc_date": v.get("DataDate", ""),
            "scd_end_date": v.get("ScheduledFinishDate", ""), "export_flag": "Y",
        })
        tables["PROJWBS"].append({"wbs_id": f"project {pid}", "proj_id": pid, "proj_node_flag": "Y",
                                  "wbs_short_name": v.get("Id", ""), "wbs_name": v.get("Name", ""),
                                  "orig_cost": number_text(v.get("OriginalBudget", ""))})
        options = {"proj_id": pid, "sched_calendar_on_relationship_lag":
                   _code(LAG_CALENDAR_NAMES, v.get("RelationshipLagCalendar", ""))}
        for so in children(project, "ScheduleOptions"):
            _schedule_options(values(so), options)
        tables["SCHEDOPTIONS"].append(options)
    for cal in children(project, "Calendar"):
        tables["CALENDAR"].append(_calendar(cal, path, pid))
    for wbs in children(project, "WBS"):
        w = values(wbs)
        tables["PROJWBS"].append({"wbs_id": w.get("ObjectId", ""), "proj_id": w.get("ProjectObjectId", "") or pid,
                                  "proj_node_flag": "N", "wbs_short_name": w.get("Code", ""),
                                  "wbs_name": w.get("Name", ""),
                                  "parent_wbs_id": w.get("ParentObjectId", "") or f"project {pid}"})
    for act in children(project, "Activity"):
        tables["TASK"].append(_activity(values(act), pid))
    for link in children(project, "Relationship"):
        tables["TASKPRED"].append(_relationship(link))
    for a in children(project, "ResourceAssignment"):
        r = values(a)
        tables["TASKRSRC"].append({
            "_where": f"<ResourceAssignment> {r.get('ObjectId', '?')}", "task_id": r.get("ActivityObjectId", ""),
            "proj_id": r.get("ProjectObjectId", "") or pid, "rsrc_id": r.get("ResourceObjectId", ""),
            "role_id": r.get("RoleObjectId", ""), "target_qty_per_hr": number_text(r.get("PlannedUnitsPerTime", "")),
            "target_qty": number_text(r.get("PlannedUnits", "")), "target_cost": number_text(r.get("PlannedCost", "")),
            "act_reg_cost": number_text(r.get("ActualRegularCost", "")),
            "act_ot_cost": number_text(r.get("ActualOvertimeCost", "")),
            "target_lag_drtn_hr_cnt": number_text(r.get("PlannedLag", "")),
        })
    for e in children(project, "ActivityExpense"):
        x = values(e)
        tables["PROJCOST"].append({
            "_where": f"<ActivityExpense> {x.get('ObjectId', '?')}", "task_id": x.get("ActivityObjectId", ""),
            "proj_id": x.get("ProjectObjectId", "") or pid, "target_cost": number_text(x.get("PlannedCost", "")),
            "act_cost": number_text(x.get("ActualCost", "")),
        })


def _schedule_options(v: dict, options: dict) -> None:
    if v.get("RelationshipLagCalendar"):
        options["sched_calendar_on_relationship_lag"] = _code(LAG_CALENDAR_NAMES, v["RelationshipLagCalendar"])
    options["sched_float_type"] = _code(FLOAT_TYPE_NAMES, v.get("ComputeTotalFloatType", ""))
    rule = v.get("OutOfSequenceScheduleType", "")
    if rule:
        options["sched_retained_logic"] = "Y" if rule == "Retained Logic" else "N"
        options["sched_progress_override"] = "Y" if rule == "Progress Override" else "N"
    options["sched_use_expect_end_flag"] = _flag(v.get("UseExpectedFinishDates", ""))
    ss = _flag(v.get("StartToStartLagCalculationType", ""))
    options["sched_lag_early_start_flag"] = ss
    options["sched_outer_depend_type"] = "SD_None" if _flag(v.get("IgnoreOtherProjectRelationships", "")) == "Y" \
        else "SD_Both"


def _activity(v: dict, pid: str) -> dict:
    first = lambda *names: next((v[n] for n in names if v.get(n)), "")  # noqa: E731
    return {
        "_where": f"<Activity> {v.get('ObjectId', '?')}", "task_id": v.get("ObjectId", ""),
        "proj_id": v.get("ProjectObjectId", "") or pid, "wbs_id": v.get("WBSObjectId", "") or f"project {pid}",
        "clndr_id": v.get("CalendarObjectId", ""), "task_code": v.get("Id", ""), "task_name": v.get("Name", ""),
        "task_type": _code(ACTIVITY_TYPES, v.get("Type", "")), "status_code": _code(STATUSES, v.get("Status", "")),
        "rsrc_id": v.get("PrimaryResourceObjectId", ""),
        "target_drtn_hr_cnt": number_text(v.get("PlannedDuration", "")),
        "remain_drtn_hr_cnt": number_text(v.get("RemainingDuration", "")),
        "complete_pct_type": _code(PERCENT_TYPES, v.get("PercentCompleteType", "")),
        "phys_complete_pct": _percent(v.get("PhysicalPercentComplete", "")),
        "act_work_qty": number_text(v.get("ActualLaborUnits", "")),
        "remain_work_qty": number_text(v.get("RemainingLaborUnits", "")),
        "act_start_date": v.get("ActualStartDate", ""), "act_end_date": v.get("ActualFinishDate", ""),
        "cstr_type": _code(CONSTRAINTS, v.get("PrimaryConstraintType", "")),
        "cstr_date": v.get("PrimaryConstraintDate", ""),
        "cstr_type2": _code(CONSTRAINTS, v.get("SecondaryConstraintType", "")),
        "cstr_date2": v.get("SecondaryConstraintDate", ""),
        "expect_end_date": v.get("ExpectedFinishDate", ""), "suspend_date": v.get("SuspendDate", ""),
        "resume_date": v.get("ResumeDate", ""), "external_early_start_date": v.get("ExternalEarlyStartDate", ""),
        "external_late_end_date": v.get("ExternalLateFinishDate", ""),
        "target_start_date": v.get("PlannedStartDate", ""), "target_end_date": v.get("PlannedFinishDate", ""),
        # What P6 computed: P6 XML's early and late dates are the remaining ones (MPXJ's reading).
        "early_start_date": first("EarlyStartDate", "RemainingEarlyStartDate"),
        "early_end_date": first("EarlyFinishDate", "RemainingEarlyFinishDate"),
        "late_start_date": first("LateStartDate", "RemainingLateStartDate"),
        "late_end_date": first("LateFinishDate", "RemainingLateFinishDate"),
        "restart_date": v.get("RemainingEarlyStartDate", ""), "reend_date": v.get("RemainingEarlyFinishDate", ""),
        "total_float_hr_cnt": number_text(v.get("TotalFloat", "")),
        "free_float_hr_cnt": number_text(v.get("FreeFloat", "")),
    }


def _relationship(link: ET.Element) -> dict:
    v = values(link)
    return {
        "_where": f"<Relationship> {v.get('ObjectId', '?')}", "task_pred_id": v.get("ObjectId", ""),
        "task_id": v.get("SuccessorActivityObjectId", ""), "pred_task_id": v.get("PredecessorActivityObjectId", ""),
        "proj_id": v.get("SuccessorProjectObjectId", ""), "pred_proj_id": v.get("PredecessorProjectObjectId", ""),
        "pred_type": _code(LINK_TYPES, v.get("Type", "")), "lag_hr_cnt": number_text(v.get("Lag", "")),
    }


def _work_times(parent: ET.Element) -> list[tuple[int, int]]:
    """The WorkTime spans of a day as minutes; P6 XML ends a span on its last minute (12:59 for 13:00)."""
    spans = []
    for wt in children(parent, "WorkTime"):
        v = values(wt)
        a, b = clock(v.get("Start", "")), clock(v.get("Finish", ""))
        if a is None or b is None:
            continue
        b += 1
        if b > a:
            spans.append((a, b))
    return spans


def _calendar(cal: ET.Element, path: Path, pid: str) -> dict:
    v = values(cal)
    key = v.get("ObjectId", "")
    name = v.get("Name", "") or key
    where = f"<Calendar> {key} (calendar {name!r})"
    hpd = number_text(v.get("HoursPerDay", ""))
    spec = CalendarSpec(key=key, name=name, where=where, kind=_code(CALENDAR_TYPES, v.get("Type", "")),
                        project=v.get("ProjectObjectId", "") or pid, base=v.get("BaseCalendarObjectId", ""),
                        hours_per_day=float(hpd) if _is_number(hpd) else None)
    weeks = children(cal, "StandardWorkWeek")
    if weeks:
        week = {d: () for d in DAYS.values()}
        for day in children(weeks[0], "StandardWorkHours"):
            name_of = values(day).get("DayOfWeek", "")
            if name_of in DAYS:
                week[DAYS[name_of]] = merge_spans(_work_times(day))
        spec.week = week if any(children(weeks[0], "StandardWorkHours")) else None
    for box in children(cal, "HolidayOrExceptions"):
        for ex in children(box, "HolidayOrException"):
            text = values(ex).get("Date", "")
            try:
                day = dt.datetime.fromisoformat(text).date()
            except ValueError:
                continue  # MPXJ skips an exception without a date
            spans = _work_times(ex)
            if spans == [(0, 1440)] and len(children(ex, "WorkTime")) == 1:
                spans = []  # P6 writes a non-working day as one 00:00-23:59 span (MPXJ's reading)
            spec.exceptions[day] = merge_spans(spans)
    return {"_where": where, "_spec": spec, "clndr_id": key, "clndr_name": name, "proj_id": spec.project,
            "clndr_type": spec.kind, "base_clndr_id": spec.base, "day_hr_cnt": hpd,
            "default_flag": _flag(v.get("IsDefault", ""))}


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False

