"""The projects of a P6 file: listing them, choosing the one to read, and its schedule options.

A P6 export may hold several projects (the one exported, and others its
activities link to, often empty). :func:`project_table` lists them with their
activity counts; :func:`choose_project` picks one by ``proj_short_name`` or
``proj_id``, or the default: the exported project that has activities, else
the first with activities. :func:`schedule_options` reads P6's scheduling
options (``SCHEDOPTIONS``) as Project settings.
"""

from __future__ import annotations

import pandas as pd

from ...errors import FileFormatError
from .fields import FLOAT_TYPES, LAG_CALENDARS, P6_DEFAULTS
from .tables import Tables

__all__ = ["project_table", "choose_project", "schedule_options", "activity_counts", "root_node"]


def activity_counts(tables: Tables) -> dict[str, int]:
    """proj_id -> number of TASK rows."""
    counts: dict[str, int] = {}
    for row in tables.table("TASK"):
        pid = row.get("proj_id", "").strip()
        counts[pid] = counts.get(pid, 0) + 1
    return counts


def root_node(tables: Tables, project: dict) -> dict | None:
    """The project's own PROJWBS node (it carries the project's name)."""
    pid, short = project.get("proj_id", "").strip(), project.get("proj_short_name", "")
    nodes = [r for r in tables.table("PROJWBS") if r.get("proj_node_flag", "").upper() == "Y"
             and r.get("proj_id", "").strip() in (pid, "")]
    return next((r for r in nodes if r.get("wbs_short_name", "") == short), nodes[0] if len(nodes) == 1 else None)


def _exported(row: dict) -> bool:
    return row.get("export_flag", "").strip().upper() == "Y"


def project_table(tables: Tables) -> pd.DataFrame:
    """One row per project: ``project`` (the id to pass as ``project=``: P6's Project ID,
    ``proj_short_name``), ``proj_id``, ``name``, ``activities``, ``exported``, ``start``, ``data_date``."""
    counts = activity_counts(tables)
    rows = []
    for row in tables.table("PROJECT"):
        root = root_node(tables, row)
        rows.append({
            "project": row.get("proj_short_name", "").strip() or row.get("proj_id", "").strip(),
            "proj_id": row.get("proj_id", "").strip(),
            "name": (root or {}).get("wbs_name") or row.get("proj_short_name", ""),
            "activities": counts.get(row.get("proj_id", "").strip(), 0),
            "exported": _exported(row),
            "start": tables.date(row, "plan_start_date", "PROJECT"),
            "data_date": tables.date(row, "last_recalc_date", "PROJECT"),
        })
    frame = pd.DataFrame(rows, columns=["project", "proj_id", "name", "activities", "exported", "start", "data_date"])
    for c in ("start", "data_date"):
        frame[c] = pd.to_datetime(frame[c]).astype("datetime64[ns]")
    frame.attrs["source"] = str(tables.path)
    return frame


def _describe(row: dict, counts: dict[str, int]) -> str:
    n = counts.get(row.get("proj_id", "").strip(), 0)
    return f"{row.get('proj_short_name', '').strip() or row.get('proj_id')!r} ({n} activities)" if n else \
        f"{row.get('proj_short_name', '').strip() or row.get('proj_id')!r} (empty)"


def choose_project(tables: Tables, wanted=None) -> dict:
    """The PROJECT row to read: ``wanted`` (a ``proj_short_name`` or ``proj_id``), or the default.

    Raises FileFormatError naming the projects the file has when ``wanted`` is
    not among them, has no activities, or when no project has activities.
    """
    projects = tables.table("PROJECT")
    if not projects:
        tables.fail("PROJECT", "the table has no rows")
    counts = activity_counts(tables)
    listing = ", ".join(_describe(p, counts) for p in projects)
    has = [p for p in projects if counts.get(p.get("proj_id", "").strip(), 0)]
    if wanted is not None:
        key = str(wanted).strip()
        chosen = next((p for p in projects if p.get("proj_short_name", "").strip() == key), None) or \
            next((p for p in projects if p.get("proj_id", "").strip() == key), None)
        if chosen is None:
            raise FileFormatError(f"{tables.path}: no project {key!r} in the file; it holds {listing} "
                                  "(pass a proj_short_name or proj_id)")
        if chosen not in has:
            raise FileFormatError(f"{tables.path}: project {key!r} has no activities; the file holds {listing}")
        return chosen
    if not has:
        raise FileFormatError(f"{tables.path}: TASK: no project in the file has activities; it holds {listing}")
    # A P6 baseline (orig_proj_id: the project it was taken from) is read as a baseline of that project.
    chosen = next((p for p in has if _exported(p)), None) or \
        next((p for p in has if not p.get("orig_proj_id", "").strip()), has[0])
    pid = chosen.get("proj_id", "").strip()
    others = [p for p in projects if p is not chosen and p.get("orig_proj_id", "").strip() != pid]
    if others:
        why = "the exported project with activities" if _exported(chosen) else "the first project with activities"
        tables.notes.inform(
            "several projects in one file",
            f"read {_describe(chosen, counts)}, {why}; not read: " + ", ".join(_describe(p, counts) for p in others),
            "choose another with read_project(path, project=...); pmsim.io.list_projects(path) lists them")
    return chosen


def schedule_options(tables: Tables, proj_id: str) -> dict:
    """P6's options that change the dates, as Project settings (``lag_calendar``, ``total_float``,
    ``progress_rule``) and the raw flags pmsim notes (``expected_finish``, ``ss_lag_from_actual``,
    ``ignore_other_projects``); P6's defaults when the file has no SCHEDOPTIONS row."""
    row = next((r for r in tables.table("SCHEDOPTIONS") if r.get("proj_id", "").strip() == proj_id), None)
    out = dict(P6_DEFAULTS, expected_finish=False, ss_lag_from_actual=False, ignore_other_projects=False)
    if row is None:
        return out
    flag = lambda name: row.get(name, "").strip().upper() == "Y"  # noqa: E731
    where = tables.where("SCHEDOPTIONS", row)
    code = row.get("sched_calendar_on_relationship_lag", "").strip()
    if code:
        if code not in LAG_CALENDARS:
            tables.fail(where, f"sched_calendar_on_relationship_lag must be one of {', '.join(LAG_CALENDARS)}, "
                               f"got {code!r}")
        out["lag_calendar"] = LAG_CALENDARS[code]
    code = row.get("sched_float_type", "").strip()
    if code:
        if code not in FLOAT_TYPES:
            tables.fail(where, f"sched_float_type must be one of {', '.join(FLOAT_TYPES)}, got {code!r}")
        out["total_float"] = FLOAT_TYPES[code]
    if row.get("sched_retained_logic", "").strip():
        # P6: retained logic, else progress override, else actual dates (which pmsim does not model).
        out["progress_rule"] = "retained_logic" if flag("sched_retained_logic") else \
            "progress_override" if flag("sched_progress_override") else "actual_dates"
    out["expected_finish"] = flag("sched_use_expect_end_flag")
    out["ss_lag_from_actual"] = row.get("sched_lag_early_start_flag", "").strip().upper() == "N"
    out["ignore_other_projects"] = row.get("sched_outer_depend_type", "").strip() == "SD_None"
    return out
