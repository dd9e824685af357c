"""P6 baselines in an XER file: baseline projects exported with the project.

In P6 a baseline is a copy of the project kept as a project of its own: its PROJECT row
names the project it was taken from in ``orig_proj_id`` (and the project names its
project baseline in ``sum_base_proj_id``). An XER export carries baselines only when
they were chosen for export (``baselines_to_export``); then their PROJECT, TASK,
TASKRSRC and PROJCOST rows are in the file beside the project's. :func:`read_baselines`
turns each into a :class:`pmsim.Baseline`, matching activities by Activity ID
(``task_code``). An activity's baseline start and finish are its actual dates in the
baseline, else its early (remaining) dates, else its planned dates; its duration the
planned duration (``target_drtn_hr_cnt``) in days of its calendar; its cost the budgeted
(``target_cost``) costs of its resource assignments and expenses.
"""

from __future__ import annotations

import re

from ...errors import PmsimError
from ...model import Baseline

__all__ = ["read_baselines"]


def _name(row: dict, taken: set) -> str:
    raw = row.get("proj_short_name", "").strip() or f"baseline {row.get('proj_id', '').strip()}"
    name = re.sub(r"[^A-Za-z0-9_. -]", "_", raw)[:64].strip(" .") or "baseline"
    if not name[0].isalnum():
        name = "B" + name[:63]
    base, k = name, 2
    while name.casefold() in taken:
        name, k = f"{base[:60]} {k}", k + 1
    taken.add(name.casefold())
    return name


def read_baselines(reader, proj_id: str, task_ids: dict[str, str], hours_per_day: dict[str, float]) -> tuple:
    """The baselines of project ``proj_id`` in the file, the project baseline first.

    ``task_ids`` maps the project's Activity IDs to pmsim task ids, ``hours_per_day`` pmsim task
    ids to the hours in a day of their calendar. Activities a baseline holds that the project no
    longer has are left out (noted).
    """
    projects = [p for p in reader.table("PROJECT") if p.get("orig_proj_id", "").strip() == proj_id
                and p.get("proj_id", "").strip() not in ("", proj_id)]
    if not projects:
        return ()
    mine = next((p for p in reader.table("PROJECT") if p.get("proj_id", "").strip() == proj_id), {})
    main = mine.get("sum_base_proj_id", "").strip()
    projects.sort(key=lambda p: p.get("proj_id", "").strip() != main)
    costs: dict[tuple, float] = {}
    for table in ("TASKRSRC", "PROJCOST"):
        for row in reader.table(table):
            key = (row.get("proj_id", "").strip(), row.get("task_id", "").strip())
            costs[key] = costs.get(key, 0.0) + (reader.number(row, "target_cost", table, 0.0) or 0.0)
    out, taken = [], set()
    for base in projects:
        pid = base.get("proj_id", "").strip()
        name = _name(base, taken)
        rows = []
        for row in reader.table("TASK"):
            if row.get("proj_id", "").strip() != pid:
                continue
            tid = task_ids.get(row.get("task_code", "").strip())
            where = reader.where("TASK", row)
            if tid is None:
                reader.notes.inform("baseline activities the project no longer has (left out)",
                                    f"{name}: {where} ({row.get('task_code', '').strip()})")
                continue
            start = next((d for d in (reader.date(row, f, "TASK") for f in
                                      ("act_start_date", "early_start_date", "target_start_date")) if d), None)
            finish = next((d for d in (reader.date(row, f, "TASK") for f in
                                       ("act_end_date", "early_end_date", "target_end_date")) if d), None)
            if start is None or finish is None:
                reader.notes.inform("baseline activities without dates (left out)", f"{name}: {where}")
                continue
            hours = reader.number(row, "target_drtn_hr_cnt", "TASK", 0.0) or 0.0
            cost = costs.get((pid, row.get("task_id", "").strip()))
            rows.append((tid, min(start, finish), finish, max(hours, 0.0) / hours_per_day[tid], cost))
        try:
            out.append(Baseline(name, tuple(rows)))
        except PmsimError as exc:
            raise exc.with_context(f"{reader.path}: baseline project {base.get('proj_short_name', pid)!r}") from None
    return tuple(out)
