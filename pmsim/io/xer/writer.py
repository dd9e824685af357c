"""Writing a project as a Primavera P6 XER file: :func:`write_xer`.

Besides the plan itself (calendars, activities with their calendars,
constraints and progress, links, resources, the data date, the must-finish-by
date and P6's scheduling options) the file holds what P6 shows: the CPM dates
and floats of each activity, its planned work and costs. What P6 has no field
for travels in pmsim's user-defined fields.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pandas as pd

from ...calendar import Calendar
from ...cpm import Schedule, cpm
from ...errors import ValidationError
from ...model import Project, Task
from .._exchange import (
    Notes,
    cost_settings,
    estimate_parameters,
    estimate_points,
    note_manual_tasks,
    progress_rows,
    risks_to_json,
    schedule_times,
    when,
)
from .._files import replacing
from .calendars import clndr_data, day_end, day_start
from .fields import CONSTRAINT_CODES, FLOAT_TYPE_CODES, LAG_CALENDAR_CODES, PROJECT_UDFS, TASK_UDFS
from .tables import TableWriter, stamp

__all__ = ["write_xer"]

_FINISH_CONSTRAINTS = {"FNET", "FNLT", "MFO", "FO"}


def write_xer(project: Project, path, *, progress=None) -> None:
    """Write ``project`` as a Primavera P6 XER file.

    Parameters
    ----------
    project : Project
    path : str or Path
    progress : pandas.DataFrame, optional
        Progress for one status date (see :func:`pmsim.io.mspdi.write_mspdi`),
        written over the tasks' own progress: activity status, actual dates,
        physical percent complete, remaining duration and actual cost (as an
        expense's actual cost); its status date becomes the data date.

    docs/exchange_formats.md lists where each pmsim field goes. P6 imports
    the file (File > Import > XER) and MPXJ reads it.

    >>> import pmsim as pm, tempfile, pathlib
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=2.5)])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.xer"
    >>> write_xer(p, path)
    >>> "target_drtn_hr_cnt" in path.read_text(encoding="cp1252")
    True
    """
    path = Path(path)
    if not isinstance(project, Project):
        raise ValidationError(f"{path}: write_xer needs a Project, got {type(project).__name__}")
    done, status_date = progress_rows(progress, project, str(path))
    notes = Notes(str(path))
    for task in project.tasks:
        if task.ev_method != ("level_of_effort" if task.level_of_effort else "percent_complete"):
            notes.note("earned value methods other than percent complete (not written)", task.id)
    for baseline in project.baselines:
        notes.note("baselines (not written: a P6 baseline is a project of its own; the folder format and MSPDI "
                   "keep them)", baseline.name)
    schedule = cpm(project)
    w = TableWriter(path)
    cal_keys, names = _calendar_keys(project)
    status = _status_moment(project, status_date)
    _project_tables(w, project, schedule, status, cal_keys)
    _calendars(w, project, cal_keys, names)
    wbs_of = _wbs(w, project)
    res_id = _resources(w, project, cal_keys)
    task_id = {t.id: k for k, t in enumerate(project.tasks, 1)}
    # One UDF type per pmsim field, numbered in the order of the field lists.
    udf_id = {label: k for k, (label, _) in enumerate(list(TASK_UDFS.values()) + list(PROJECT_UDFS.values()), 1)}
    task_rows, cost_rows, udf_values = _activities(project, schedule, done, task_id, wbs_of, udf_id, cal_keys)
    udf_values += _project_udf_values(project, udf_id, names)
    w.table("TASK", task_rows)
    links = _links(project, task_id, notes)
    if links:
        w.table("TASKPRED", links)
    assignments = _assignments(project, task_id, res_id)
    if assignments:
        w.table("TASKRSRC", assignments)
    if cost_rows:
        w.table("PROJCOST", cost_rows)
    task_labels = [v[0] for v in TASK_UDFS.values()]
    w.table("UDFTYPE", [dict(udf_type_id=udf_id[label], table_name="TASK" if label in task_labels else "PROJECT",
                             udf_type_name=f"user_field_{udf_id[label]}", udf_type_label=label,
                             logical_data_type=kind, super_flag=False, export_flag=True)
                        for label, kind in list(TASK_UDFS.values()) + list(PROJECT_UDFS.values())])
    if udf_values:
        w.table("UDFVALUE", udf_values)
    w.end()
    with replacing(path) as tmp:
        tmp.write_bytes(w.data())
    for what in dict.fromkeys(w.cleaned):
        notes.note("tabs and line breaks in text replaced by spaces (XER fields are one line)", what)
    note_manual_tasks(project, notes)  # P6 has no manually scheduled activities
    notes.emit(stacklevel=3)


# --------------------------------------------------------------------------- moments


def _moment(value, calendar: Calendar, finish: bool) -> dt.datetime | None:
    """A pmsim moment as P6 keeps it: a datetime as it is, a date alone as the start (or end) of its work."""
    if value is None or (not isinstance(value, dt.date) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value
    return day_end(calendar, value) if finish else day_start(calendar, value)


def _status_moment(project: Project, status_date) -> dt.datetime | None:
    """The data date: the progress table's status date, else the project's (a date: the end of its work)."""
    value = status_date if status_date is not None else project.status_date
    return _moment(value, project.calendar, True)


# --------------------------------------------------------------------------- calendars


def _calendars_of(project: Project) -> list[Calendar]:
    out, seen = [project.calendar], {project.calendar.id}
    for cal in project.calendars:
        if cal.id not in seen:
            out.append(cal)
            seen.add(cal.id)
    return out


def _calendar_keys(project: Project) -> tuple[dict[str, int], dict[str, str]]:
    """Calendar id -> clndr_id, and calendar id -> its unique clndr_name."""
    keys, names, used = {}, {}, set()
    for k, cal in enumerate(_calendars_of(project), 1):
        keys[cal.id] = k
        name = (cal.name or cal.id or f"Calendar {k}")[:60]
        while name in used:
            name = f"{name} #{k}"
        used.add(name)
        names[cal.id] = name
    return keys, names


def _calendars(w: TableWriter, project: Project, keys: dict[str, int], names: dict[str, str]) -> None:
    """CALENDAR: the project calendar (global, default), calendars of resources (global), the others
    (project calendars)."""
    for_resources = {r.calendar for r in project.resources if r.calendar is not None}
    rows = []
    for cal in _calendars_of(project):
        hpd = cal.hours_per_day
        days = len(cal.working_weekdays)
        glob = cal is project.calendar or cal.id in for_resources
        rows.append(dict(
            clndr_id=keys[cal.id], default_flag=cal is project.calendar, clndr_name=names[cal.id],
            proj_id="" if glob else 1, base_clndr_id="", clndr_type="CA_Base" if glob else "CA_Project",
            day_hr_cnt=hpd, week_hr_cnt=hpd * days, month_hr_cnt=hpd * days * 4, year_hr_cnt=hpd * days * 52,
            rsrc_private=False, clndr_data=clndr_data(cal),
        ))
    w.table("CALENDAR", rows)


# --------------------------------------------------------------------------- the project


def _project_tables(w: TableWriter, project: Project, schedule: Schedule, status: dt.datetime | None,
                    cal_keys: dict[str, int]) -> None:
    """The header line, then CURRTYPE, PROJECT and SCHEDOPTIONS."""
    today = dt.date.today().isoformat()
    currency = project.currency
    cal = project.calendar
    w.header(["ERMHDR", "19.12", today, "Project", "admin", "pmsim", "dbxDatabaseNoName", "Project Management",
              w.value(currency, "currency")])
    w.table("CURRTYPE", [dict(curr_id=1, decimal_digit_cnt=2, curr_symbol=currency, decimal_symbol=".",
                              digit_group_symbol=",", pos_curr_fmt_type="#1.1", neg_curr_fmt_type="(#1.1)",
                              curr_type=currency, curr_short_name=currency, group_digit_cnt=3, base_exch_rate=1)])
    start = day_start(cal, project.start)
    w.table("PROJECT", [dict(
        proj_id=1, fy_start_month_num=1, rsrc_self_add_flag=True, allow_complete_flag=True,
        rsrc_multi_assign_flag=True, checkout_flag=False, project_flag=True, step_complete_flag=False,
        cost_qty_recalc_flag=False, batch_sum_flag=True, name_sep_char=".", def_complete_pct_type="CP_Phys",
        proj_short_name=project.name[:40], clndr_id=cal_keys[cal.id], task_code_base=1000, task_code_step=10,
        priority_num=10, wbs_max_sum_level=0, critical_drtn_hr_cnt=0, def_cost_per_qty=0.0,
        last_recalc_date=stamp(status or start), plan_start_date=stamp(start),
        plan_end_date=stamp(_moment(project.must_finish_by, cal, True)),
        scd_end_date=stamp(when(project, schedule.makespan, True)),
        def_duration_type="DT_FixedDUR2", def_qty_type="QT_Hour", add_by_name="pmsim", def_rate_type="COST_PER_QTY",
        add_act_remain_flag=False, act_this_per_link_flag=True, def_task_type="TT_Task", act_pct_link_flag=False,
        critical_path_type="CT_TotFloat", task_code_prefix_flag=True, def_rollup_dates_flag=True,
        use_project_baseline_flag=True, rem_target_link_flag=True, reset_planned_flag=False,
        allow_neg_act_flag=False, sum_assign_level="SL_Taskrsrc", export_flag=True,
    )])
    w.table("SCHEDOPTIONS", [dict(
        schedoptions_id=1, proj_id=1, sched_outer_depend_type="SD_Both", sched_open_critical_flag=False,
        sched_lag_early_start_flag=True, sched_retained_logic=project.progress_rule != "progress_override",
        sched_setplantoforecast=False, sched_float_type=FLOAT_TYPE_CODES[project.total_float],
        sched_calendar_on_relationship_lag=LAG_CALENDAR_CODES[project.lag_calendar],
        sched_use_expect_end_flag=False, sched_progress_override=project.progress_rule == "progress_override",
        level_float_thrs_cnt=0, level_outer_assign_flag=False, level_outer_assign_priority=5,
        level_over_alloc_pct=25, level_within_float_flag=False, level_keep_sched_date_flag=True,
        level_all_rsrc_flag=True, sched_use_project_end_date_for_float=True,
    )])


def _wbs(w: TableWriter, project: Project) -> dict[str, int]:
    """PROJWBS: the project node, then one node per phase; returns phase -> wbs_id ("" for the project)."""
    short_name = project.name[:40]
    wbs_rows = [dict(wbs_id=1, proj_id=1, seq_num=0, est_wt=1, proj_node_flag=True, sum_data_flag=True,
                     status_code="WS_Open", wbs_short_name=short_name, wbs_name=project.name,
                     ev_user_pct=6, ev_etc_user_value=0.88, orig_cost=0.0, indep_remain_total_cost=0.0,
                     ev_compute_type="EC_Cmp_pct", ev_etc_compute_type="EE_PF_cpi")]
    wbs_of = {"": 1}
    for k, phase in enumerate(project.phases, 1):
        wbs_of[phase] = k + 1
        wbs_rows.append(dict(wbs_id=k + 1, proj_id=1, seq_num=k, est_wt=1, proj_node_flag=False,
                             sum_data_flag=False, status_code="WS_Open", wbs_short_name=str(k), wbs_name=phase,
                             parent_wbs_id=1, ev_user_pct=6, ev_etc_user_value=0.88, orig_cost=0.0,
                             indep_remain_total_cost=0.0, ev_compute_type="EC_Cmp_pct",
                             ev_etc_compute_type="EE_PF_cpi"))
    w.table("PROJWBS", wbs_rows)
    return wbs_of


def _resources(w: TableWriter, project: Project, cal_keys: dict[str, int]) -> dict[str, int]:
    """RSRC (a resource without a calendar works on the project's) and RSRCRATE (rates per hour of the
    project calendar's day); returns resource id -> rsrc_id."""
    hpd = project.calendar.hours_per_day
    res_id = {r.id: k for k, r in enumerate(project.resources, 1)}
    if project.resources:
        w.table("RSRC", [dict(rsrc_id=res_id[r.id], clndr_id=cal_keys[r.calendar or project.calendar.id],
                              rsrc_seq_num=k, rsrc_name=r.name, rsrc_short_name=r.id, def_qty_per_hr=1,
                              cost_qty_type="QT_Hour", active_flag=True, auto_compute_act_flag=True,
                              def_cost_qty_link_flag=True, ot_flag=False, curr_id=1, rsrc_type="RT_Labor")
                         for k, r in enumerate(project.resources, 1)])
        w.table("RSRCRATE", [dict(rsrc_rate_id=k, rsrc_id=res_id[r.id], max_qty_per_hr=r.capacity,
                                  cost_per_qty=r.cost_per_day / hpd, start_date="1984-01-01 00:00",
                                  cost_per_qty2=0.0, cost_per_qty3=0.0, cost_per_qty4=0.0, cost_per_qty5=0.0)
                             for k, r in enumerate(project.resources, 1)])
    return res_id


# --------------------------------------------------------------------------- activities


def _activities(project: Project, schedule: Schedule, done: dict[str, dict], task_id: dict[str, int],
                wbs_of: dict[str, int], udf_id: dict[str, int], cal_keys: dict[str, int]):
    """The TASK rows, the PROJCOST rows (fixed cost and actual cost) and the activities' UDFVALUE rows."""
    table = schedule.table
    rows_of = table.to_dict("index")
    times = schedule_times(project, table)
    task_rows, cost_rows, udf_values = [], [], []
    for task in project.tasks:
        prog = done.get(task.id)
        cal = project.task_calendar(task)
        task_rows.append(_task_row(task, task_id[task.id], wbs_of[task.phase], rows_of[task.id], times[task.id],
                                   prog, cal, cal_keys[cal.id]))
        actual_cost = 0.0 if prog is None or math.isnan(prog["actual_cost"]) else prog["actual_cost"]
        if task.fixed_cost or actual_cost:
            cost_rows.append(dict(
                cost_item_id=len(cost_rows) + 1, proj_id=1, task_id=task_id[task.id], cost_name="Fixed cost",
                act_cost=actual_cost, remain_cost=max(task.fixed_cost - actual_cost, 0.0),
                target_cost=task.fixed_cost, cost_load_type="CL_Uniform", auto_compute_act_flag=False,
                target_qty=0,
            ))
        points = estimate_points(task.estimate)
        values = {"distribution": task.estimate.kind, "parameters": estimate_parameters(task.estimate)}
        if points is not None and not task.milestone:
            values.update(zip(("optimistic", "most_likely", "pessimistic"), points))
        if task.cost_per_day:
            values["cost_per_day"] = task.cost_per_day
        for key, value in values.items():
            if value == "":
                continue
            label, kind = TASK_UDFS[key]
            udf_values.append(_udf_value(udf_id[label], task_id[task.id], value))
    return task_rows, cost_rows, udf_values


def _progress(task: Task, prog: dict | None, cal: Calendar) -> tuple:
    """(actual start, actual finish, percent complete or None, remaining days or None) of a task:
    the progress table's row where there is one, else the task's own."""
    if prog is None:
        return (_moment(task.actual_start, cal, False), _moment(task.actual_finish, cal, True),
                task.percent_complete, task.remaining_duration)
    pct = None if math.isnan(prog["percent_complete"]) else prog["percent_complete"]
    rem = None if math.isnan(prog["remaining_duration"]) else prog["remaining_duration"]
    start = None if pd.isna(prog["actual_start"]) else _moment(prog["actual_start"].date(), cal, False)
    finish = None if pd.isna(prog["actual_finish"]) else _moment(prog["actual_finish"].date(), cal, True)
    return start, finish, pct, rem


def _task_type(task: Task) -> str:
    """P6's activity type: a start or finish milestone, a level of effort, or a task-dependent activity."""
    if task.milestone:
        return "TT_Mile" if task.milestone == "start" else "TT_FinMile"
    return "TT_LOE" if task.level_of_effort else "TT_Task"


def _task_row(task: Task, number: int, wbs_id: int, row: dict, times: dict, prog: dict | None, cal: Calendar,
              cal_key: int) -> dict:
    """An activity: its plan, calendar, constraints, CPM dates and floats, and its progress."""
    hpd = cal.hours_per_day
    dur = float(row["duration"]) if task.level_of_effort else task.planned_duration  # a level of effort: its span
    start, finish = times["start"], times["finish"]
    late_start, late_finish = times["late_start"], times["late_finish"]
    act_start, act_end, pct, remaining = _progress(task, prog, cal)
    status = "TK_Complete" if act_end is not None else "TK_Active" if act_start is not None or (pct or 0) > 0 \
        else "TK_NotStart"
    if status == "TK_Complete":
        remaining, pct = 0.0, 100.0
    elif remaining is None and status == "TK_NotStart":
        remaining = dur
    # A task in progress without a remaining duration is written without one (pmsim does not guess it).
    work = sum(u for _, u in task.resources) * dur * hpd
    constraints = {}
    for kind_field, date_field, code_field, cdate_field in (
            ("constraint", "constraint_date", "cstr_type", "cstr_date"),
            ("secondary_constraint", "secondary_constraint_date", "cstr_type2", "cstr_date2")):
        kind = getattr(task, kind_field)
        if kind in (None, "ASAP"):
            continue
        constraints[code_field] = CONSTRAINT_CODES[kind]
        constraints[cdate_field] = stamp(_moment(getattr(task, date_field), cal, kind in _FINISH_CONSTRAINTS))
    return dict(
        task_id=number, proj_id=1, wbs_id=wbs_id, clndr_id=cal_key, phys_complete_pct=pct,
        rev_fdbk_flag=False, est_wt=1, lock_plan_flag=False, auto_compute_act_flag=False,
        complete_pct_type="CP_Phys", task_type=_task_type(task),
        duration_type="DT_FixedDUR2", status_code=status, task_code=task.id, task_name=task.name,
        total_float_hr_cnt=row["total_float"] * hpd, free_float_hr_cnt=row["free_float"] * hpd,
        remain_drtn_hr_cnt=None if remaining is None else remaining * hpd, act_work_qty=0, remain_work_qty=work, target_work_qty=work,
        target_drtn_hr_cnt=dur * hpd, target_equip_qty=0, act_equip_qty=0, remain_equip_qty=0,
        act_start_date=stamp(act_start), act_end_date=stamp(act_end),
        late_start_date=stamp(late_start), late_end_date=stamp(late_finish),
        early_start_date=stamp(start), early_end_date=stamp(finish),
        restart_date=stamp(start), reend_date=stamp(finish),
        target_start_date=stamp(start), target_end_date=stamp(finish),
        rem_late_start_date=stamp(late_start), rem_late_end_date=stamp(late_finish),
        priority_type="PT_Normal", driving_path_flag=bool(row["critical"]), **constraints,
    )


def _links(project: Project, task_id: dict[str, int], notes: Notes) -> list[dict]:
    """TASKPRED: every link (two between the same activities too), its lag in hours of the calendar
    the project's lag rule names (24 hours a day for "24h")."""
    rows = []
    for k, dep in enumerate(project.dependencies, 1):
        if dep.lag_calendar is not None:
            hpd = project.calendar_named(dep.lag_calendar).hours_per_day
            notes.note("lag calendars of single links (P6 has one rule per project)",
                       f"{dep.predecessor} -> {dep.successor}",
                       f"the lag is written in hours of its calendar; P6 counts it on the {project.lag_calendar} "
                       "calendar")
        elif project.lag_calendar == "24h":
            hpd = 24.0
        elif project.lag_calendar == "project":
            hpd = project.calendar.hours_per_day
        else:
            end = dep.predecessor if project.lag_calendar == "predecessor" else dep.successor
            hpd = project.task_calendar(end).hours_per_day
        rows.append(dict(task_pred_id=k, task_id=task_id[dep.successor], pred_task_id=task_id[dep.predecessor],
                         proj_id=1, pred_proj_id=1, pred_type=f"PR_{dep.type}", lag_hr_cnt=dep.lag * hpd))
    return rows


def _udf_value(type_id: int, fk_id: int, value) -> dict:
    number = isinstance(value, float)
    return dict(udf_type_id=type_id, fk_id=fk_id, proj_id=1,
                udf_number=value if number else None, udf_text=None if number else value)


def _project_udf_values(project: Project, udf_id: dict[str, int], names: dict[str, str]) -> list[dict]:
    """The project's budget, risks (JSON), description (JSON text) and settings (JSON) as UDFVALUE rows."""
    values = {}
    if project.budget is not None:
        values["budget"] = project.budget
    if project.risks:
        values["risks"] = risks_to_json(project.risks)
    if project.description:
        values["description"] = json.dumps(project.description, ensure_ascii=False)
    settings = {
        "calendars": {names[cal.id]: {"id": cal.id, "name": cal.name, "hours": [list(s) for s in cal.hours]}
                      for cal in _calendars_of(project)},
        "deadline": None if project.deadline is None else project.deadline.isoformat(),
        "honor_constraints": project.honor_constraints,
    }
    if project.progress_rule == "ms_project":  # P6 has no such rule
        settings["progress_rule"] = project.progress_rule
    settings.update(cost_settings(project))
    values["settings"] = json.dumps(settings, ensure_ascii=False, separators=(",", ":"))
    return [_udf_value(udf_id[PROJECT_UDFS[key][0]], 1, value) for key, value in values.items()]


def _assignments(project: Project, task_id: dict[str, int], res_id: dict[str, int]) -> list[dict]:
    """The TASKRSRC rows: units per hour, planned hours and cost."""
    hpd = project.calendar.hours_per_day
    rate = {r.id: r.cost_per_day for r in project.resources}
    assignments = []
    for task in project.tasks:
        dur = task.planned_duration
        hours_per_day = project.task_calendar(task).hours_per_day
        for rid, units in task.resources:
            hours = units * dur * hours_per_day
            assignments.append(dict(
                taskrsrc_id=len(assignments) + 1, task_id=task_id[task.id], proj_id=1, cost_qty_link_flag=True,
                rsrc_id=res_id[rid], remain_qty=hours, target_qty=hours, remain_qty_per_hr=units,
                target_lag_drtn_hr_cnt=0, target_qty_per_hr=units, act_ot_qty=0, act_reg_qty=0,
                relag_drtn_hr_cnt=0, cost_per_qty=rate[rid] / hpd, target_cost=units * rate[rid] * dur,
                act_reg_cost=0.0, act_ot_cost=0.0, remain_cost=units * rate[rid] * dur, rollup_dates_flag=True,
                ts_pend_act_end_flag=False, rate_type="COST_PER_QTY", rsrc_type="RT_Labor",
                cost_per_qty_source_type="ST_Rsrc",
            ))
    return assignments
