"""Primavera P6 XER: read and write.

An XER file is text: a header line ``ERMHDR``, then tables, each a ``%T``
line with the table name, a ``%F`` line with tab-separated field names and
``%R`` lines with tab-separated values, and a final ``%E``. P6 writes it in
the Windows code page (cp1252); pmsim writes cp1252 when the text fits and
UTF-8 with a byte-order mark otherwise, and reads both.

Tables read: ``PROJECT``, ``CALENDAR`` and ``TASK`` (required: a file
without one of them is rejected naming it), ``TASKPRED``, ``PROJWBS``,
``RSRC``, ``RSRCRATE``, ``TASKRSRC``, ``PROJCOST``, ``CURRTYPE``,
``UDFTYPE`` and ``UDFVALUE`` (optional: a file without ``PROJWBS`` is
valid; its tasks have no phase).

What travels, and where
-----------------------

=================================  ==================================================
pmsim                              XER
=================================  ==================================================
project name, start, deadline      root ``PROJWBS`` node's ``wbs_name`` (and
                                   ``PROJECT.proj_short_name``), ``plan_start_date``,
                                   ``plan_end_date`` (P6's "must finish by")
currency                           ``CURRTYPE.curr_short_name``
calendar                           ``CALENDAR.clndr_data``: ``DaysOfWeek`` (1 = Sunday)
                                   and ``Exceptions`` (``d|`` days since 1899-12-30)
task id, name, phase               ``task_code`` (P6's Activity ID), ``task_name``, the
                                   task's ``PROJWBS`` node (``wbs_name``)
planned duration                   ``target_drtn_hr_cnt`` (hours; ``day_hr_cnt`` of the
                                   task's calendar hours per day, 8 if not given)
milestone                          ``task_type`` ``TT_FinMile`` (``TT_Mile`` read too)
links, lags                        ``TASKPRED``: ``pred_type`` ``PR_FS/SS/FF/SF``,
                                   ``lag_hr_cnt`` (hours, predecessor's calendar)
resources, capacity, cost/day      ``RSRC`` (``rsrc_short_name`` is the id),
                                   ``RSRCRATE``: ``max_qty_per_hr``, ``cost_per_qty``
                                   (per hour)
demands                            ``TASKRSRC.target_qty_per_hr`` (1 = one unit)
fixed cost                         ``PROJCOST`` (an expense per task), ``target_cost``
three-point estimate, distribution activity user-defined fields (``UDFTYPE`` /
                                   ``UDFVALUE``) labelled ``pmsim optimistic``,
                                   ``pmsim most likely``, ``pmsim pessimistic`` (days),
                                   ``pmsim distribution``, ``pmsim parameters``
cost per day                       activity UDF ``pmsim cost per day``
budget, risks, description         project UDFs ``pmsim budget``, ``pmsim risks``
                                   (JSON), ``pmsim description`` (JSON text); files
                                   from P6: the root WBS node's ``orig_cost`` is the
                                   budget
progress (EVM)                     ``status_code``, ``act_start_date``,
                                   ``act_end_date``, ``phys_complete_pct`` (or the
                                   duration/units percent, by ``complete_pct_type``),
                                   ``remain_drtn_hr_cnt``, actual costs of
                                   ``TASKRSRC`` and ``PROJCOST``
=================================  ==================================================

Features pmsim does not model (constraints, level-of-effort and WBS summary
activities, other calendars than the project's, role assignments, material
resources, rates that change over time, links to other projects, ...) give
one :class:`pmsim.PmsimWarning` per feature naming the activities. After
reading, :func:`pmsim.health_check` runs and a warning lists the checks that
failed.

>>> import pmsim as pm, tempfile, pathlib
>>> p = pm.Project(name="demo", start="2027-01-04",
...     tasks=[pm.Task("A", optimistic=2, most_likely=3, pessimistic=7), pm.Task("B", duration=2)],
...     dependencies=[pm.Dependency("A", "B", "FF", -1)])
>>> path = pathlib.Path(tempfile.mkdtemp()) / "demo.xer"
>>> write_xer(p, path)
>>> q = read_xer(path, check_health=False)
>>> q.tasks == p.tasks and q.dependencies == p.dependencies
True
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path

import pandas as pd

from ..distributions import Fixed
from ..errors import FileFormatError, PmsimError, ValidationError
from ..calendar import Calendar
from ..model import Dependency, Project, Resource, Task
from ._exchange import (
    Notes,
    decimal_text,
    estimate_from,
    estimate_parameters,
    estimate_points,
    progress_frame,
    progress_rows,
    risks_from_json,
    risks_to_json,
    schedule_times,
    unique_id,
    warn_health,
    when,
)
from ._files import replacing

__all__ = ["read_xer", "write_xer", "REQUIRED_TABLES"]

REQUIRED_TABLES = ("PROJECT", "CALENDAR", "TASK")
HOURS_PER_DAY = 8.0
_EPOCH = dt.date(1899, 12, 30)  # day 0 of clndr_data exception dates
_LINK_TYPES = {"PR_FS": "FS", "PR_SS": "SS", "PR_FF": "FF", "PR_SF": "SF"}
_DAY_NUMBER = {"Sun": 1, "Mon": 2, "Tue": 3, "Wed": 4, "Thu": 5, "Fri": 6, "Sat": 7}
_CONSTRAINTS = {
    "CS_MSO": "Start On", "CS_MEO": "Finish On", "CS_MSOA": "Start On or After", "CS_MSOB": "Start On or Before",
    "CS_MEOA": "Finish On or After", "CS_MEOB": "Finish On or Before", "CS_ALAP": "As Late As Possible",
    "CS_MANDSTART": "Mandatory Start", "CS_MANDFIN": "Mandatory Finish",
}
_TASK_UDFS = {
    "optimistic": ("pmsim optimistic", "FT_FLOAT_2_DECIMALS"),
    "most_likely": ("pmsim most likely", "FT_FLOAT_2_DECIMALS"),
    "pessimistic": ("pmsim pessimistic", "FT_FLOAT_2_DECIMALS"),
    "distribution": ("pmsim distribution", "FT_TEXT"),
    "parameters": ("pmsim parameters", "FT_TEXT"),
    "cost_per_day": ("pmsim cost per day", "FT_MONEY"),
}
_PROJECT_UDFS = {
    "budget": ("pmsim budget", "FT_MONEY"),
    "risks": ("pmsim risks", "FT_TEXT"),
    "description": ("pmsim description", "FT_TEXT"),
}

# Column lists follow what P6 exports (and MPXJ writes); P6 fills any column left out.
_COLUMNS = {
    "CURRTYPE": "curr_id decimal_digit_cnt curr_symbol decimal_symbol digit_group_symbol pos_curr_fmt_type "
                "neg_curr_fmt_type curr_type curr_short_name group_digit_cnt base_exch_rate",
    "PROJECT": "proj_id fy_start_month_num rsrc_self_add_flag allow_complete_flag rsrc_multi_assign_flag "
               "checkout_flag project_flag step_complete_flag cost_qty_recalc_flag batch_sum_flag name_sep_char "
               "def_complete_pct_type proj_short_name acct_id orig_proj_id source_proj_id base_type_id clndr_id "
               "sum_base_proj_id task_code_base task_code_step priority_num wbs_max_sum_level strgy_priority_num "
               "last_checksum critical_drtn_hr_cnt def_cost_per_qty last_recalc_date plan_start_date plan_end_date "
               "scd_end_date add_date last_tasksum_date fcst_start_date def_duration_type task_code_prefix guid "
               "def_qty_type add_by_name web_local_root_path proj_url def_rate_type add_act_remain_flag "
               "act_this_per_link_flag def_task_type act_pct_link_flag critical_path_type task_code_prefix_flag "
               "def_rollup_dates_flag use_project_baseline_flag rem_target_link_flag reset_planned_flag "
               "allow_neg_act_flag sum_assign_level last_fin_dates_id fintmpl_id last_baseline_update_date "
               "cr_external_key apply_actuals_date location_id loaded_scope_level export_flag new_fin_dates_id "
               "baselines_to_export baseline_names_to_export next_data_date close_period_flag sum_refresh_date "
               "trsrcsum_loaded sumtask_loaded",
    "CALENDAR": "clndr_id default_flag clndr_name proj_id base_clndr_id last_chng_date clndr_type day_hr_cnt "
                "week_hr_cnt month_hr_cnt year_hr_cnt rsrc_private clndr_data",
    "PROJWBS": "wbs_id proj_id obs_id seq_num est_wt proj_node_flag sum_data_flag status_code wbs_short_name "
               "wbs_name phase_id parent_wbs_id ev_user_pct ev_etc_user_value orig_cost indep_remain_total_cost "
               "ann_dscnt_rate_pct dscnt_period_type indep_remain_work_qty anticip_start_date anticip_end_date "
               "ev_compute_type ev_etc_compute_type guid tmpl_guid plan_open_state",
    "RSRC": "rsrc_id parent_rsrc_id clndr_id role_id shift_id user_id pobs_id guid rsrc_seq_num email_addr "
            "employee_code office_phone other_phone rsrc_name rsrc_short_name rsrc_title_name def_qty_per_hr "
            "cost_qty_type ot_factor active_flag auto_compute_act_flag def_cost_qty_link_flag ot_flag curr_id "
            "unit_id rsrc_type location_id rsrc_notes load_tasks_flag level_flag last_checksum",
    "RSRCRATE": "rsrc_rate_id rsrc_id max_qty_per_hr cost_per_qty start_date shift_period_id cost_per_qty2 "
                "cost_per_qty3 cost_per_qty4 cost_per_qty5",
    "TASK": "task_id proj_id wbs_id clndr_id phys_complete_pct rev_fdbk_flag est_wt lock_plan_flag "
            "auto_compute_act_flag complete_pct_type task_type duration_type status_code task_code task_name "
            "rsrc_id total_float_hr_cnt free_float_hr_cnt remain_drtn_hr_cnt act_work_qty remain_work_qty "
            "target_work_qty target_drtn_hr_cnt target_equip_qty act_equip_qty remain_equip_qty cstr_date "
            "act_start_date act_end_date late_start_date late_end_date expect_end_date early_start_date "
            "early_end_date restart_date reend_date target_start_date target_end_date rem_late_start_date "
            "rem_late_end_date cstr_type priority_type suspend_date resume_date float_path float_path_order guid "
            "tmpl_guid cstr_date2 cstr_type2 driving_path_flag act_this_per_work_qty act_this_per_equip_qty "
            "external_early_start_date external_late_end_date create_date update_date create_user update_user "
            "location_id",
    "TASKPRED": "task_pred_id task_id pred_task_id proj_id pred_proj_id pred_type lag_hr_cnt comments float_path "
                "aref arls",
    "TASKRSRC": "taskrsrc_id task_id proj_id cost_qty_link_flag role_id acct_id rsrc_id pobs_id skill_level "
                "remain_qty target_qty remain_qty_per_hr target_lag_drtn_hr_cnt target_qty_per_hr act_ot_qty "
                "act_reg_qty relag_drtn_hr_cnt ot_factor cost_per_qty target_cost act_reg_cost act_ot_cost "
                "remain_cost act_start_date act_end_date restart_date reend_date target_start_date target_end_date "
                "rem_late_start_date rem_late_end_date rollup_dates_flag target_crv remain_crv actual_crv "
                "ts_pend_act_end_flag guid rate_type act_this_per_cost act_this_per_qty curv_id rsrc_type "
                "cost_per_qty_source_type create_user create_date has_rsrchours taskrsrc_sum_id",
    "PROJCOST": "cost_item_id acct_id pobs_id cost_type_id proj_id task_id cost_name po_number vendor_name act_cost "
                "cost_per_qty remain_cost target_cost cost_load_type auto_compute_act_flag target_qty qty_name "
                "cost_descr contract_manager_import",
    "UDFTYPE": "udf_type_id table_name udf_type_name udf_type_label logical_data_type super_flag "
               "indicator_expression summary_indicator_expression export_flag",
    "UDFVALUE": "udf_type_id fk_id proj_id udf_date udf_number udf_text udf_code_id",
}


# =========================================================================== writing


def _stamp(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return f"{value.isoformat()} 00:00"


def _clndr_data(calendar: Calendar) -> str:
    """The structured text P6 keeps a calendar in."""
    hours = "(0||0(s|08:00|f|12:00)())(0||1(s|13:00|f|17:00)())"
    days = "".join(
        f"(0||{_DAY_NUMBER[d]}()({hours if d in calendar.workdays else ''}))"
        for d in ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
    )
    exceptions = "".join(f"(0||{k}(d|{(day - _EPOCH).days})())" for k, day in enumerate(calendar.holidays))
    return (f"(0||CalendarData()((0||DaysOfWeek()({days}))(0||VIEW(ShowTotal|Y)())"
            f"(0||Exceptions()({exceptions}))))")


class _Writer:
    def __init__(self, path: Path):
        self.path = path
        self.lines: list[str] = []
        self.cleaned: list[str] = []

    def value(self, v, what: str) -> str:
        if v is None:
            return ""
        if isinstance(v, bool):
            return "Y" if v else "N"
        if isinstance(v, int):
            return str(v)
        if isinstance(v, float):
            # Plain decimals where they are exact, else every digit of the float.
            text = decimal_text(v)
            return text if float(text) == v else repr(v)
        text = str(v)
        if any(c in text for c in "\t\r\n"):
            # Tabs and line breaks would split the record.
            self.cleaned.append(what)
            text = " ".join(text.replace("\t", " ").splitlines())
        if text.startswith('"'):
            text = '"' + text.replace('"', '""') + '"'
        return text

    def table(self, name: str, rows: list[dict]) -> None:
        columns = _COLUMNS[name].split()
        self.lines.append(f"%T\t{name}")
        self.lines.append("%F\t" + "\t".join(columns))
        for row in rows:
            unknown = set(row) - set(columns)
            assert not unknown, unknown  # a programming error, not bad input
            self.lines.append("%R\t" + "\t".join(self.value(row.get(c), f"{name}.{c}") for c in columns))


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

    The module docstring lists where each pmsim field goes. P6 imports the
    file (File > Import > XER) and MPXJ reads it.

    >>> import pmsim as pm, tempfile, pathlib
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=2.5)])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.xer"
    >>> write_xer(p, path)
    >>> "target_drtn_hr_cnt" in path.read_text(encoding="cp1252")
    True
    """
    from ..cpm import cpm

    path = Path(path)
    if not isinstance(project, Project):
        raise ValidationError(f"{path}: write_xer needs a Project, got {type(project).__name__}")
    done, status_date = progress_rows(progress, project, str(path))
    notes = Notes(str(path))
    schedule = cpm(project)
    table = schedule.table
    rows_of = table.to_dict("index")
    times = schedule_times(project, table)
    hpd = HOURS_PER_DAY
    w = _Writer(path)
    today = dt.date.today().isoformat()
    currency = project.currency
    w.lines.append("\t".join(["ERMHDR", "19.12", today, "Project", "admin", "pmsim", "dbxDatabaseNoName",
                              "Project Management", w.value(currency, "currency")]))
    w.table("CURRTYPE", [dict(curr_id=1, decimal_digit_cnt=2, curr_symbol=currency, decimal_symbol=".",
                              digit_group_symbol=",", pos_curr_fmt_type="#1.1", neg_curr_fmt_type="(#1.1)",
                              curr_type=currency, curr_short_name=currency, group_digit_cnt=3, base_exch_rate=1)])
    short_name = project.name[:40]
    w.table("PROJECT", [dict(
        proj_id=1, fy_start_month_num=1, rsrc_self_add_flag=True, allow_complete_flag=True,
        rsrc_multi_assign_flag=True, checkout_flag=False, project_flag=True, step_complete_flag=False,
        cost_qty_recalc_flag=False, batch_sum_flag=True, name_sep_char=".", def_complete_pct_type="CP_Drtn",
        proj_short_name=short_name, clndr_id=1, task_code_base=1000, task_code_step=10, priority_num=10,
        wbs_max_sum_level=0, critical_drtn_hr_cnt=0, def_cost_per_qty=0.0,
        last_recalc_date=_stamp(dt.datetime.combine(status_date or project.start, dt.time(8))),
        plan_start_date=_stamp(dt.datetime.combine(project.start, dt.time(8))),
        plan_end_date=_stamp(dt.datetime.combine(project.deadline, dt.time(17))) if project.deadline else "",
        scd_end_date=_stamp(when(project, schedule.makespan, True)),
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
        year_hr_cnt=hpd * len(cal.workdays) * 52, rsrc_private=False, clndr_data=_clndr_data(cal),
    )])

    # WBS: the project node, then one node per phase.
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

    res_id = {r.id: k for k, r in enumerate(project.resources, 1)}
    rate = {r.id: r.cost_per_day for r in project.resources}
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

    task_id = {t.id: k for k, t in enumerate(project.tasks, 1)}
    task_rows, cost_rows, udf_values = [], [], []
    udf_id = {}
    for key, (label, _) in list(_TASK_UDFS.items()) + list(_PROJECT_UDFS.items()):
        udf_id[label] = len(udf_id) + 1
    for task in project.tasks:
        row = rows_of[task.id]
        dur = task.planned_duration
        start, finish = times[task.id]["start"], times[task.id]["finish"]
        late_start, late_finish = times[task.id]["late_start"], times[task.id]["late_finish"]
        prog = done.get(task.id)
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
        task_rows.append(dict(
            task_id=task_id[task.id], proj_id=1, wbs_id=wbs_of[task.phase], clndr_id=1, phys_complete_pct=pct,
            rev_fdbk_flag=False, est_wt=1, lock_plan_flag=False, auto_compute_act_flag=False,
            complete_pct_type="CP_Phys", task_type="TT_FinMile" if task.milestone else "TT_Task",
            duration_type="DT_FixedDUR2", status_code=status, task_code=task.id, task_name=task.name,
            total_float_hr_cnt=row["total_float"] * hpd, free_float_hr_cnt=row["free_float"] * hpd,
            remain_drtn_hr_cnt=remaining * hpd, act_work_qty=0, remain_work_qty=work, target_work_qty=work,
            target_drtn_hr_cnt=dur * hpd, target_equip_qty=0, act_equip_qty=0, remain_equip_qty=0,
            act_start_date=_stamp(act_start), act_end_date=_stamp(act_end),
            late_start_date=_stamp(late_start), late_end_date=_stamp(late_finish),
            early_start_date=_stamp(start), early_end_date=_stamp(finish),
            restart_date=_stamp(start), reend_date=_stamp(finish),
            target_start_date=_stamp(start), target_end_date=_stamp(finish),
            rem_late_start_date=_stamp(late_start), rem_late_end_date=_stamp(late_finish),
            priority_type="PT_Normal", driving_path_flag=bool(row["critical"]),
        ))
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
            label, kind = _TASK_UDFS[key]
            number = isinstance(value, float)
            udf_values.append(dict(udf_type_id=udf_id[label], fk_id=task_id[task.id], proj_id=1,
                                   udf_number=value if number else None, udf_text=None if number else value))
    project_values = {}
    if project.budget is not None:
        project_values["budget"] = project.budget
    if project.risks:
        project_values["risks"] = risks_to_json(project.risks)
    if project.description:
        project_values["description"] = json.dumps(project.description, ensure_ascii=False)
    for key, value in project_values.items():
        label, kind = _PROJECT_UDFS[key]
        number = isinstance(value, float)
        udf_values.append(dict(udf_type_id=udf_id[label], fk_id=1, proj_id=1,
                               udf_number=value if number else None, udf_text=None if number else value))

    w.table("TASK", task_rows)
    links = []
    for dep in project.dependencies:
        links.append(dict(task_pred_id=len(links) + 1, task_id=task_id[dep.successor],
                          pred_task_id=task_id[dep.predecessor], proj_id=1, pred_proj_id=1,
                          pred_type=f"PR_{dep.type}", lag_hr_cnt=dep.lag * hpd))
    if links:
        w.table("TASKPRED", links)
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
    if assignments:
        w.table("TASKRSRC", assignments)
    if cost_rows:
        w.table("PROJCOST", cost_rows)
    w.table("UDFTYPE", [dict(udf_type_id=udf_id[label], table_name="TASK" if label in
                             [v[0] for v in _TASK_UDFS.values()] else "PROJECT",
                             udf_type_name=f"user_field_{udf_id[label]}", udf_type_label=label,
                             logical_data_type=kind, super_flag=False, export_flag=True)
                        for label, kind in list(_TASK_UDFS.values()) + list(_PROJECT_UDFS.values())])
    if udf_values:
        w.table("UDFVALUE", udf_values)
    w.lines.append("%E")
    text = "\r\n".join(w.lines) + "\r\n"
    try:
        data = text.encode("cp1252")
    except UnicodeEncodeError:
        # P6 writes the Windows code page; text outside it goes as UTF-8 with a byte-order mark.
        data = b"\xef\xbb\xbf" + text.encode("utf-8")
    with replacing(path) as tmp:
        tmp.write_bytes(data)
    for what in dict.fromkeys(w.cleaned):
        notes.note("tabs and line breaks in text replaced by spaces (XER fields are one line)", what)
    notes.emit(stacklevel=3)


# =========================================================================== reading


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1].replace('""', '"')
    return value


def _tables(text: str, path: Path) -> tuple[list[str], dict[str, list[dict]]]:
    """(header fields, table name -> rows as dicts) of an XER text."""
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or not lines[first].lstrip("\ufeff").startswith("ERMHDR"):
        raise FileFormatError(f"{path}: not a Primavera XER file: it must start with an ERMHDR line")
    header = lines[first].rstrip("\r").split("\t")
    tables: dict[str, list[dict]] = {}
    name = fields = None
    ended = False
    for number, line in enumerate(lines[first + 1:], first + 2):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        tag, _, rest = line.partition("\t")
        if tag == "%T":
            name = rest.strip().upper()
            fields = None
            tables.setdefault(name, [])
        elif tag == "%F":
            if name is None:
                raise FileFormatError(f"{path}, line {number}: a %F field list before any %T table")
            fields = [f.strip().lower() for f in rest.split("\t")]
        elif tag == "%R":
            if name is None or fields is None:
                raise FileFormatError(f"{path}, line {number}: a %R row before the %T and %F lines of its table")
            values = [_unquote(v) for v in rest.split("\t")]
            if len(values) > len(fields):
                if any(v.strip() for v in values[len(fields):]):
                    raise FileFormatError(
                        f"{path}, line {number}: table {name} row has {len(values)} values for {len(fields)} fields"
                    )
                values = values[:len(fields)]
            values += [""] * (len(fields) - len(values))
            row = dict(zip(fields, values))
            row["_line"] = number
            tables[name].append(row)
        elif tag == "%E":
            ended = True
            break
        # Any other line (a memo's stray line break) carries nothing pmsim reads.
    if not ended:
        raise FileFormatError(f"{path}: the file ends without its %E line; is it complete?")
    return header, tables


def _parse_structured(text: str, where: str) -> list[dict]:
    """P6's structured text ``(0||Name(attr|value|...)(children...))`` as nested dicts."""
    pos = 0
    n = len(text)

    def skip():
        nonlocal pos
        while pos < n and (text[pos].isspace() or ord(text[pos]) < 32 or text[pos] == "\x7f"):
            pos += 1

    def fail(message):
        raise FileFormatError(f"{where}: calendar data unreadable at character {pos}: {message}")

    def record(depth):
        nonlocal pos
        if depth > 50:
            fail("nested too deeply")
        skip()
        if pos >= n or text[pos] != "(":
            fail("expected '('")
        pos += 1
        skip()
        start = pos
        while pos < n and text[pos].isdigit():
            pos += 1
        if pos == start:
            fail("missing record number")
        skip()
        if text[pos:pos + 2] != "||":
            fail("missing '||'")
        pos += 2
        end = text.find("(", pos)
        if end < 0:
            fail("missing '(' after the record name")
        name = text[pos:end].strip()
        pos = end + 1
        close = text.find(")", pos)
        if close < 0:
            fail("missing ')' after the attributes")
        parts = text[pos:close].split("|")
        attrs = {parts[i].strip(): parts[i + 1].strip() for i in range(0, len(parts) - 1, 2)}
        pos = close + 1
        skip()
        if pos >= n or text[pos] != "(":
            fail("expected '(' before the child records")
        pos += 1
        children = []
        while True:
            skip()
            if pos >= n:
                fail("the text ends inside a record")
            if text[pos] == ")":
                pos += 1
                break
            children.append(record(depth + 1))
        skip()
        if pos >= n or text[pos] != ")":
            fail("expected ')' closing the record")
        pos += 1
        return {"name": name, "attrs": attrs, "children": children}

    out = [record(0)]
    return out


def _child(node: dict, name: str) -> dict | None:
    for c in node["children"]:
        if c["name"].lower() == name.lower():
            return c
    return None


def _clock(text: str) -> float | None:
    """Minutes after midnight of '08:00' or '8:00 AM'."""
    text = text.strip().upper()
    for fmt in ("%H:%M", "%I:%M %p", "%H:%M:%S"):
        try:
            t = dt.datetime.strptime(text, fmt)
            return t.hour * 60 + t.minute
        except ValueError:
            continue
    return None


def _hours(node: dict) -> float:
    total = 0.0
    for period in node["children"]:
        a, b = _clock(period["attrs"].get("s", "")), _clock(period["attrs"].get("f", ""))
        if a is None or b is None:
            continue
        span = b - a
        # "00:00" as a finish is the end of the day.
        total += span if span > 0 else span + 1440
    return total / 60


class _Reader:
    def __init__(self, path: Path, header: list[str], tables: dict[str, list[dict]]):
        self.path = path
        self.header = header
        self.tables = tables
        self.notes = Notes(str(path))

    def fail(self, where: str, message: str):
        raise FileFormatError(f"{self.path}: {where}: {message}")

    def where(self, table: str, row: dict) -> str:
        return f"{table} line {row.get('_line', '?')}"

    def number(self, row: dict, field: str, table: str, default=None):
        value = row.get(field, "").strip()
        if not value:
            return default
        try:
            v = float(value)
        except ValueError:
            self.fail(self.where(table, row), f"{field} must be a number, got {value!r}")
        if not math.isfinite(v):
            self.fail(self.where(table, row), f"{field} must be finite, got {value!r}")
        return v

    def date(self, row: dict, field: str, table: str) -> dt.datetime | None:
        value = row.get(field, "").strip()
        if not value:
            return None
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            self.fail(self.where(table, row), f"{field} must be a date such as 2027-01-04 08:00, got {value!r}")

    def table(self, name: str) -> list[dict]:
        return self.tables.get(name, [])

    # ------------------------------------------------------------ calendars

    def calendar_from(self, row: dict) -> tuple[Calendar, float]:
        """(pmsim calendar, hours per day) of a CALENDAR row."""
        where = self.where("CALENDAR", row)
        name = row.get("clndr_name") or row.get("clndr_id")
        label = f"{where} (calendar {name!r})"
        data = row.get("clndr_data", "").strip()
        workdays, holidays, day_hours = ["Mon", "Tue", "Wed", "Thu", "Fri"], [], {}
        if data:
            root = _parse_structured(data, f"{self.path}: {label}")[0]
            if root["name"].lower() != "calendardata":
                found = _child(root, "CalendarData")
                root = found or root
            days = _child(root, "DaysOfWeek")
            if days is not None:
                workdays = []
                names = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
                for day in days["children"]:
                    if not re.fullmatch(r"0*[1-7]", day["name"]):  # 1 = Sunday ... 7 = Saturday
                        continue
                    hours = _hours(day)
                    if hours > 0:
                        d = names[int(day["name"]) - 1]
                        workdays.append(d)
                        day_hours[d] = hours
            exceptions = _child(root, "Exceptions")
            for ex in ([] if exceptions is None else exceptions["children"]):
                serial = ex["attrs"].get("d", "")
                try:
                    day = _EPOCH + dt.timedelta(days=int(float(serial)))
                except (ValueError, OverflowError):
                    self.fail(label, f"exception date d|{serial} is not a day number")
                if _hours(ex) > 0:
                    self.notes.note("calendar exceptions with working times", f"calendar {name!r} {day}",
                                    "pmsim calendars have non-working days only")
                    continue
                holidays.append(day)
        else:
            self.notes.note("calendars without data (Monday to Friday assumed)", f"calendar {name!r}")
        if not workdays:
            self.fail(label, "no working weekday")
        hpd = self.number(row, "day_hr_cnt", "CALENDAR")
        if not hpd or hpd <= 0:
            hpd = (sum(day_hours.values()) / len(day_hours)) if day_hours else HOURS_PER_DAY
        odd = [d for d, h in day_hours.items() if abs(h - hpd) > 1e-6]
        if odd:
            self.notes.note("working hours that differ from the hours per day", f"calendar {name!r} {', '.join(odd)}",
                            f"pmsim counts every working day as one day of {hpd:g} hours")
        try:
            cal = Calendar(workdays=workdays, holidays=holidays)
        except PmsimError as exc:
            raise exc.with_context(f"{self.path}: {label}") from None
        return cal, hpd

    # ------------------------------------------------------------ project

    def read(self, with_progress: bool, check_health: bool):
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

        # Calendars: the one most tasks use (ties: the project's default) is the project calendar.
        calendars = {r.get("clndr_id", ""): r for r in self.table("CALENDAR")}
        if not calendars:
            self.fail("CALENDAR", "the table has no rows")
        tasks = mine(self.table("TASK"))
        if not tasks:
            self.fail("TASK", f"no activities for project {chosen.get('proj_short_name', self.proj_id)!r}")
        default = chosen.get("clndr_id", "")
        for t in tasks:
            # An activity without a calendar uses the project's.
            if not t.get("clndr_id", "").strip():
                t["clndr_id"] = default
        use = {}
        for t in tasks:
            use[t["clndr_id"]] = use.get(t["clndr_id"], 0) + 1
        ranked = sorted((c for c in use if c in calendars), key=lambda c: (-use[c], c != default))
        main = ranked[0] if ranked else (default if default in calendars else next(iter(calendars)))
        self.calendars = {}
        for cid in set(use) | {main}:
            if cid in calendars:
                self.calendars[cid] = self.calendar_from(calendars[cid])
        self.calendar, self.hpd = self.calendars[main]
        for cid in use:
            if cid != main:
                other = self.calendars.get(cid)
                if other is None or other[0] != self.calendar or other[1] != self.hpd:
                    names = [t.get("task_code") or t.get("task_id") for t in tasks if t.get("clndr_id") == cid]
                    for n in names:
                        self.notes.note("activity calendars other than the project calendar", n,
                                        "activities follow the project calendar")

        wbs = {r.get("wbs_id"): r for r in mine(self.table("PROJWBS"))}
        # The project's own node carries its id as short name; other nodes are phases.
        short = chosen.get("proj_short_name", "")
        self.root_wbs = next((r for r in wbs.values() if r.get("proj_node_flag", "").upper() == "Y"
                              and r.get("wbs_short_name", "") == short), None)
        resources, res_info = self.read_resources()
        model_tasks, by_task_id, progress = self.read_tasks(tasks, wbs, res_info)
        deps = self.read_links(by_task_id)
        project = self.build(chosen, tasks, model_tasks, deps, resources)
        self.notes.emit(stacklevel=5)
        if check_health:
            warn_health(project, str(self.path), stacklevel=5)
        if with_progress:
            return project, progress_frame(progress, str(self.path))
        return project

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

    def read_tasks(self, rows, wbs, res_info):
        notes = self.notes
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
            kind = row.get("task_type", "TT_Task")
            hpd = self.calendars.get(row.get("clndr_id"), (None, self.hpd))[1]
            duration = (self.number(row, "target_drtn_hr_cnt", "TASK", None)
                        if row.get("target_drtn_hr_cnt", "").strip() else self.number(row, "remain_drtn_hr_cnt", "TASK", 0.0))
            duration = (duration or 0.0) / hpd
            if duration < 0:
                self.fail(where, f"target_drtn_hr_cnt must be >= 0, got {row.get('target_drtn_hr_cnt')!r}")
            milestone = kind in ("TT_Mile", "TT_FinMile")
            if milestone and duration > 0:
                # P6 gives milestones no duration; a leftover one is not the plan.
                notes.note("milestones with a duration", label, "read as milestones of 0 days")
                duration = 0.0
            if kind == "TT_LOE":
                notes.note("level-of-effort activities", label, "read as tasks with their planned duration")
            elif kind == "TT_WBS":
                notes.note("WBS summary activities", label, "read as tasks with their planned duration")
            for field in ("cstr_type", "cstr_type2"):
                code = row.get(field, "").strip()
                if code:
                    date = row.get("cstr_date" if field == "cstr_type" else "cstr_date2", "")[:10]
                    notes.note("date constraints", f"{label}: {_CONSTRAINTS.get(code, code)}" + (f" {date}" if date else ""),
                               "activities are scheduled as soon as their links allow")
            if row.get("expect_end_date", "").strip():
                notes.note("expected finish dates", label)
            node = wbs.get(row.get("wbs_id"))
            phase = "" if node is None or node is self.root_wbs else node.get("wbs_name", "")
            # Estimate from the pmsim fields, if any.
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
                notes.note("edited pmsim estimates", f"{label}: {text}")
            demand: dict[str, float] = {}
            fixed = 0.0
            actual_cost = 0.0
            for a in assignments.get(num, []):
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
            for e in expenses.get(num, []):
                fixed += self.number(e, "target_cost", "PROJCOST", 0.0) or 0.0
                actual_cost += self.number(e, "act_cost", "PROJCOST", 0.0) or 0.0
            cost_per_day = self.udf("TASK", "pmsim cost per day", num, True) or 0.0
            try:
                task = Task(tid, name, estimate=estimate, resources=demand, fixed_cost=max(fixed, 0.0),
                            cost_per_day=cost_per_day, phase=phase, milestone=milestone)
            except PmsimError as exc:
                raise exc.with_context(f"{self.path}: {where}") from None
            model.append(task)
            by_task_id[num] = (task, hpd, label)
            status = row.get("status_code", "TK_NotStart")
            start = self.date(row, "act_start_date", "TASK")
            finish = self.date(row, "act_end_date", "TASK")
            if status in ("TK_Active", "TK_Complete") or start is not None or actual_cost > 0:
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
                progress.append({
                    "id": tid, "percent_complete": min(max(pct, 0.0), 100.0),
                    "remaining_duration": math.nan if remaining is None else max(remaining / hpd, 0.0),
                    "actual_cost": actual_cost,
                    "actual_start": None if start is None else start.date(),
                    "actual_finish": None if finish is None else finish.date(),
                })
        return model, by_task_id, progress

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
            if code not in _LINK_TYPES:
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
                deps[key] = Dependency(ptask.id, stask.id, _LINK_TYPES[code], lag)
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


def read_xer(path, *, with_progress: bool = False, check_health: bool = True):
    """Read a Primavera P6 XER file.

    Parameters
    ----------
    path : str or Path
    with_progress : bool
        Also return the progress table for earned value: one row per
        activity that has started (``id``, ``percent_complete``,
        ``remaining_duration``, ``actual_cost``, ``actual_start``,
        ``actual_finish``).
    check_health : bool
        Run :func:`pmsim.health_check` and warn about the checks that fail.

    Returns
    -------
    Project, or (Project, pandas.DataFrame) with ``with_progress``.

    A file lacking ``PROJECT``, ``CALENDAR`` or ``TASK`` raises a
    :class:`pmsim.FileFormatError` naming the missing tables; ``PROJWBS`` is
    optional. When the file holds several projects the first exported one
    is read (and a warning says so).

    >>> import pmsim as pm, tempfile, pathlib
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=3, phase="Build")])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.xer"
    >>> write_xer(p, path)
    >>> read_xer(path).tasks[0].phase
    'Build'
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot read ({exc.strerror or exc})") from None
    header, tables = _tables(_decode(data), path)
    return _Reader(path, header, tables).read(with_progress, check_health)
