"""Writing a project as a Primavera P6 XER file: :func:`write_xer`.

Besides the plan itself the file holds what P6 shows: the CPM dates and
floats of each activity, its planned work and costs.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pandas as pd

from ...cpm import Schedule, cpm
from ...errors import ValidationError
from ...model import Project, Task
from .._exchange import (
    Notes,
    estimate_parameters,
    estimate_points,
    progress_rows,
    risks_to_json,
    schedule_times,
    when,
)
from .._files import replacing
from .calendars import clndr_data
from .fields import HOURS_PER_DAY, PROJECT_UDFS, TASK_UDFS
from .tables import TableWriter, stamp

__all__ = ["write_xer"]


def write_xer(project: Project, path, *, progress=None) -> None:
    """Write ``project`` as a Primavera P6 XER file.

    Parameters
    ----------
    project : Project
    path : str or Path
    progress : pandas.DataFrame, optional
        Progress for one status date (see :func:`pmsim.io.mspdi.write_mspdi`):
        activity status, actual dates, physical percent complete, remaining
        duration and actual cost (as an expense's actual cost).

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
    schedule = cpm(project)
    w = TableWriter(path)
    _project_tables(w, project, schedule, status_date)
    wbs_of = _wbs(w, project)
    res_id = _resources(w, project)
    task_id = {t.id: k for k, t in enumerate(project.tasks, 1)}
    # One UDF type per pmsim field, numbered in the order of the field lists.
    udf_id = {label: k for k, (label, _) in enumerate(list(TASK_UDFS.values()) + list(PROJECT_UDFS.values()), 1)}
    task_rows, cost_rows, udf_values = _activities(project, schedule, done, task_id, wbs_of, udf_id)
    udf_values += _project_udf_values(project, udf_id)
    w.table("TASK", task_rows)
    links = [dict(task_pred_id=k, task_id=task_id[dep.successor], pred_task_id=task_id[dep.predecessor], proj_id=1,
                  pred_proj_id=1, pred_type=f"PR_{dep.type}", lag_hr_cnt=dep.lag * HOURS_PER_DAY)
             for k, dep in enumerate(project.dependencies, 1)]
    if links:
        w.table("TASKPRED", links)
    assignments = _assignments(project, task_id, res_id)
    if assignments:
        w.table("TASKRSRC", assignments)
    if cost_rows:
        w.table("PROJCOST", cost_rows)
    w.table("UDFTYPE", [dict(udf_type_id=udf_id[label], table_name="TASK" if label in
                             [v[0] for v in TASK_UDFS.values()] else "PROJECT",
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
    notes.emit(stacklevel=3)


def _project_tables(w: TableWriter, project: Project, schedule: Schedule, status_date: dt.date | None) -> None:
    """The header line, then CURRTYPE, PROJECT and CALENDAR."""
    hpd = HOURS_PER_DAY
    today = dt.date.today().isoformat()
    currency = project.currency
    w.header(["ERMHDR", "19.12", today, "Project", "admin", "pmsim", "dbxDatabaseNoName", "Project Management",
              w.value(currency, "currency")])
    w.table("CURRTYPE", [dict(curr_id=1, decimal_digit_cnt=2, curr_symbol=currency, decimal_symbol=".",
                              digit_group_symbol=",", pos_curr_fmt_type="#1.1", neg_curr_fmt_type="(#1.1)",
                              curr_type=currency, curr_short_name=currency, group_digit_cnt=3, base_exch_rate=1)])
    w.table("PROJECT", [dict(
        proj_id=1, fy_start_month_num=1, rsrc_self_add_flag=True, allow_complete_flag=True,
        rsrc_multi_assign_flag=True, checkout_flag=False, project_flag=True, step_complete_flag=False,
        cost_qty_recalc_flag=False, batch_sum_flag=True, name_sep_char=".", def_complete_pct_type="CP_Drtn",
        proj_short_name=project.name[:40], clndr_id=1, task_code_base=1000, task_code_step=10, priority_num=10,
        wbs_max_sum_level=0, critical_drtn_hr_cnt=0, def_cost_per_qty=0.0,
        last_recalc_date=stamp(dt.datetime.combine(status_date or project.start, dt.time(8))),
        plan_start_date=stamp(dt.datetime.combine(project.start, dt.time(8))),
        plan_end_date=stamp(dt.datetime.combine(project.deadline, dt.time(17))) if project.deadline else "",
        scd_end_date=stamp(when(project, schedule.makespan, True)),
        def_duration_type="DT_FixedDUR2", def_qty_type="QT_Hour", add_by_name="pmsim", def_rate_type="COST_PER_QTY",
        add_act_remain_flag=False, act_this_per_link_flag=True, def_task_type="TT_Task", act_pct_link_flag=False,
        critical_path_type="CT_TotFloat", task_code_prefix_flag=True, def_rollup_dates_flag=True,
        use_project_baseline_flag=True, rem_target_link_flag=True, reset_planned_flag=False,
        allow_neg_act_flag=False, sum_assign_level="SL_Taskrsrc", export_flag=True,
    )])
    cal = project.calendar
    w.table("CALENDAR", [dict(
        clndr_id=1, default_flag=True, clndr_name="Standard", base_clndr_id="", clndr_type="CA_Base",
        day_hr_cnt=hpd, week_hr_cnt=hpd * len(cal.workdays), month_hr_cnt=hpd * len(cal.workdays) * 4,
        year_hr_cnt=hpd * len(cal.workdays) * 52, rsrc_private=False, clndr_data=clndr_data(cal),
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


def _resources(w: TableWriter, project: Project) -> dict[str, int]:
    """RSRC and RSRCRATE (rates per hour); returns resource id -> rsrc_id."""
    hpd = HOURS_PER_DAY
    res_id = {r.id: k for k, r in enumerate(project.resources, 1)}
    if project.resources:
        w.table("RSRC", [dict(rsrc_id=res_id[r.id], clndr_id=1, rsrc_seq_num=k, rsrc_name=r.name,
                              rsrc_short_name=r.id, def_qty_per_hr=1, cost_qty_type="QT_Hour", active_flag=True,
                              auto_compute_act_flag=True, def_cost_qty_link_flag=True, ot_flag=False, curr_id=1,
                              rsrc_type="RT_Labor")
                         for k, r in enumerate(project.resources, 1)])
        w.table("RSRCRATE", [dict(rsrc_rate_id=k, rsrc_id=res_id[r.id], max_qty_per_hr=r.capacity,
                                  cost_per_qty=r.cost_per_day / hpd, start_date="1984-01-01 00:00",
                                  cost_per_qty2=0.0, cost_per_qty3=0.0, cost_per_qty4=0.0, cost_per_qty5=0.0)
                             for k, r in enumerate(project.resources, 1)])
    return res_id


def _activities(project: Project, schedule: Schedule, done: dict[str, dict], task_id: dict[str, int],
                wbs_of: dict[str, int], udf_id: dict[str, int]) -> tuple[list[dict], list[dict], list[dict]]:
    """The TASK rows, the PROJCOST rows (fixed cost and actual cost) and the activities' UDFVALUE rows."""
    table = schedule.table
    rows_of = table.to_dict("index")
    times = schedule_times(project, table)
    task_rows, cost_rows, udf_values = [], [], []
    for task in project.tasks:
        prog = done.get(task.id)
        task_rows.append(_task_row(task, task_id[task.id], wbs_of[task.phase], rows_of[task.id], times[task.id],
                                   prog))
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


def _task_row(task: Task, number: int, wbs_id: int, row: dict, times: dict, prog: dict | None) -> dict:
    """An activity: its plan, its CPM dates and floats, and its progress (status, actual dates, percent, remaining)."""
    hpd = HOURS_PER_DAY
    dur = task.planned_duration
    start, finish = times["start"], times["finish"]
    late_start, late_finish = times["late_start"], times["late_finish"]
    status = "TK_NotStart"
    act_start = act_end = None
    remaining = dur
    pct = 0.0
    if prog is not None:
        if not pd.isna(prog["actual_start"]):
            act_start = dt.datetime.combine(prog["actual_start"].date(), dt.time(8))
            status = "TK_Active"
        if not pd.isna(prog["actual_finish"]):
            act_end = dt.datetime.combine(prog["actual_finish"].date(), dt.time(17))
            status = "TK_Complete"
        pct = 0.0 if math.isnan(prog["percent_complete"]) else prog["percent_complete"]
        if pct > 0 and status == "TK_NotStart":
            status = "TK_Active"
        if not math.isnan(prog["remaining_duration"]):
            remaining = prog["remaining_duration"]
        elif status == "TK_Complete":
            remaining = 0.0
    work = sum(u for _, u in task.resources) * dur * hpd
    return dict(
        task_id=number, proj_id=1, wbs_id=wbs_id, clndr_id=1, phys_complete_pct=pct,
        rev_fdbk_flag=False, est_wt=1, lock_plan_flag=False, auto_compute_act_flag=False,
        complete_pct_type="CP_Phys", task_type="TT_FinMile" if task.milestone else "TT_Task",
        duration_type="DT_FixedDUR2", status_code=status, task_code=task.id, task_name=task.name,
        total_float_hr_cnt=row["total_float"] * hpd, free_float_hr_cnt=row["free_float"] * hpd,
        remain_drtn_hr_cnt=remaining * hpd, act_work_qty=0, remain_work_qty=work, target_work_qty=work,
        target_drtn_hr_cnt=dur * hpd, target_equip_qty=0, act_equip_qty=0, remain_equip_qty=0,
        act_start_date=stamp(act_start), act_end_date=stamp(act_end),
        late_start_date=stamp(late_start), late_end_date=stamp(late_finish),
        early_start_date=stamp(start), early_end_date=stamp(finish),
        restart_date=stamp(start), reend_date=stamp(finish),
        target_start_date=stamp(start), target_end_date=stamp(finish),
        rem_late_start_date=stamp(late_start), rem_late_end_date=stamp(late_finish),
        priority_type="PT_Normal", driving_path_flag=bool(row["critical"]),
    )


def _udf_value(type_id: int, fk_id: int, value) -> dict:
    number = isinstance(value, float)
    return dict(udf_type_id=type_id, fk_id=fk_id, proj_id=1,
                udf_number=value if number else None, udf_text=None if number else value)


def _project_udf_values(project: Project, udf_id: dict[str, int]) -> list[dict]:
    """The project's budget, risks (JSON) and description (JSON text) as UDFVALUE rows."""
    values = {}
    if project.budget is not None:
        values["budget"] = project.budget
    if project.risks:
        values["risks"] = risks_to_json(project.risks)
    if project.description:
        values["description"] = json.dumps(project.description, ensure_ascii=False)
    return [_udf_value(udf_id[PROJECT_UDFS[key][0]], 1, value) for key, value in values.items()]


def _assignments(project: Project, task_id: dict[str, int], res_id: dict[str, int]) -> list[dict]:
    """The TASKRSRC rows: units per hour, planned hours and cost."""
    hpd = HOURS_PER_DAY
    rate = {r.id: r.cost_per_day for r in project.resources}
    assignments = []
    for task in project.tasks:
        dur = task.planned_duration
        for rid, units in task.resources:
            hours = units * dur * hpd
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
