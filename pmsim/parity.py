"""Parity with the source tool: pmsim's schedule of a file against the schedule MS Project or P6 stored in it.

:func:`parity` reads a file, schedules it with :func:`pmsim.cpm` and
compares, task by task, the early start, early finish and total float with
the values the tool stored (:func:`stored_schedule`). Two moments are the
same when the task's calendar has done the same work by both (17:00 on
Friday is 08:00 on Monday), within a minute; floats within 0.05 working
day. A finished task is left out (P6 stores no float for it, and an early
date at the data date); a started one is compared on its remaining work.

>>> import pmsim as pm, tempfile, pathlib
>>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=2), pm.Task("B", duration=3)],
...                dependencies=[pm.Dependency("A", "B")])
>>> path = pathlib.Path(tempfile.mkdtemp()) / "x.xer"
>>> pm.write_project(p, path) and parity(path).summary()["matched"].tolist()
[2]
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .cpm import Schedule, cpm
from .errors import FileFormatError, PmsimWarning
from .io import read_project
from .model import Project

__all__ = ["parity", "Parity", "stored_schedule", "DATE_TOLERANCE", "FLOAT_TOLERANCE", "UNEXPLAINED", "STALE",
           "STALE_DEADLINE", "OTHER_WRITER", "P6_ALAP_FLOAT", "P6_BROKEN_LINK"]

DATE_TOLERANCE = 1.0  # working minutes
FLOAT_TOLERANCE = 0.05  # working days
UNEXPLAINED = "unexplained"
STALE = "stored late dates that do not follow from the file's own links (not recalculated)"
OTHER_WRITER = "dates stored by Aspose.Tasks, not computed by MS Project"
STALE_DEADLINE = "stored late finishes later than the task's deadline (not recalculated)"
P6_ALAP_FLOAT = ("P6's total float of as-late-as-possible activities, not their stored late minus early dates "
                 "(which pmsim matches)")
P6_BROKEN_LINK = ("P6's stored late dates that break the file's own links (a late date after the one a link "
                  "without lag gives from its successor's stored late date)")
# Causes that explain the task they name only: a stored float moves no other task's dates.
_SELF_ONLY = frozenset({P6_ALAP_FLOAT})

# What a reader warns of that cannot move a date (costs, levelling, how work spreads over a duration the file
# states): never the cause of a mismatch.
_DATELESS = ("overtime rates", "per-use costs", "task costs that the cost model does not explain",
             "budget resources (left out)", "material and cost resources", "rates that change over time",
             "availability that changes over time", "a resource assigned twice to one task (units added)",
             "a resource assigned twice to one activity (units added)",
             "edited pmsim estimates", "task notes (not read)", "work contours",
             "calendars with no working time (left out: no task or resource uses them)",
             "currencies named other than by an ISO 4217 code",
             # P6 writes the remaining durations its expected finish dates gave when it last scheduled (each
             # activity in progress of SP10 - COST LOADED.xer: the work from its remaining start to the date, none
             # when the date is past): the dates it stored follow from the durations pmsim reads.
             "expected finish dates (P6's 'use expected finish dates' option)")
_MSPDI_TASK = re.compile(r"task UID (-?\d+)")
_P6_TASK = re.compile(r"activity '((?:[^'\\]|\\.)*)'")


def stored_schedule(path, project=None) -> pd.DataFrame:
    """The schedule a file stores, as its tool computed it (``.xer``, P6 or MS Project ``.xml``, ``.mpp``)."""
    from .io import _format

    path = Path(path)
    module = _format(path, writing=False)[0]
    if module == "xer":
        from .io.xer import stored_schedule as stored
        return stored(path, project)
    if module == "pmxml":
        from .io.pmxml import stored_schedule as stored
        return stored(path, project)
    if module == "mspdi":
        from .io.mspdi import stored_schedule as stored
        return stored(path)
    if module == "mpp":
        from .io.mpp import stored_schedule as stored
        return stored(path)
    raise FileFormatError(f"{path}: {path.suffix or 'a folder'} stores no schedule of its tool to compare with")


@dataclass(frozen=True, eq=False)
class Parity:
    """The comparison of :func:`parity`: ``table`` per task, with ours and theirs and whether they agree."""

    path: Path
    project: Project = field(repr=False)
    schedule: Schedule = field(repr=False)
    table: pd.DataFrame = field(repr=False)
    notes: tuple[str, ...] = field(default=(), repr=False)  # what reading the file warned of
    # Per feature the file warned of, the tasks it names (an empty set: the feature is the project's, not a task's).
    features: dict = field(default_factory=dict, repr=False)

    def summary(self) -> pd.DataFrame:
        """One row: tasks, those compared (``not_started``, ``in_progress``), how many agree on each measure
        and on all (``matched``), and the share."""
        t = self.table
        compared = t[t["compared"]]
        row = {
            "tasks": len(t),
            "compared": len(compared),
            "not_started": int((compared["status"] == "not started").sum()),
            "in_progress": int((compared["status"] == "in progress").sum()),
            "early_start": int(compared["early_start_ok"].sum()),
            "early_finish": int(compared["early_finish_ok"].sum()),
            "total_float": int(compared["total_float_ok"].sum()),
            "matched": int(compared["match"].sum()),
        }
        row["share"] = row["matched"] / row["compared"] if row["compared"] else float("nan")
        return pd.DataFrame([row], index=pd.Index([self.path.name], name="file"))

    def mismatches(self) -> pd.DataFrame:
        """The compared tasks that do not agree, with both sides, and the ``cause`` of each.

        The cause is a feature the file warned of (pmsim does not model it), or
        :data:`STALE` (the file's stored late dates contradict its own links) or
        :data:`STALE_DEADLINE` (a stored late finish passes the task's deadline): the one
        that names the task; else one that names a task linked to it (through any
        chain of links: a date moves its successors, a float its predecessors),
        marked "(through links)"; for a task whose float alone is wrong, one that
        names a task whose early finish is wrong (it moved the project finish, which
        sets the late dates), "(through the project finish)"; else one the file
        warned of as a whole (scheduling from the finish date, say, or
        :data:`OTHER_WRITER`: the file was written by Aspose.Tasks, not MS Project); else
        :data:`UNEXPLAINED`. Warnings that cannot move a date (costs, rates)
        explain nothing. :data:`P6_ALAP_FLOAT` (a stored float its own stored
        dates contradict) explains the task it names only; :data:`P6_BROKEN_LINK`
        (a stored late date a link without lag contradicts) names the predecessor.
        """
        out = self.table[self.table["compared"] & ~self.table["match"]].copy()
        group = _linked_groups(self.project)
        relevant = {f: ids for f, ids in self.features.items() if f not in _DATELESS}
        groups = {f: {group[t] for t in ids if t in group} for f, ids in relevant.items()}
        late = set(self.table.index[self.table["compared"] & ~self.table["early_finish_ok"]])
        out["cause"] = [_cause(tid, relevant, group.get(tid), groups,
                               late if row.early_start_ok and row.early_finish_ok else None)
                        for tid, row in zip(out.index, out.itertuples())]
        return out


def _linked_groups(project: Project) -> dict:
    """Each task's group: the tasks joined to it by a chain of links, either way (a number per group)."""
    neighbours: dict = {}
    for d in project.dependencies:
        neighbours.setdefault(d.predecessor, set()).add(d.successor)
        neighbours.setdefault(d.successor, set()).add(d.predecessor)
    group: dict = {}
    for label, start in enumerate(neighbours):
        if start in group:
            continue
        group[start], todo = label, deque([start])
        while todo:
            for other in neighbours[todo.popleft()]:
                if other not in group:
                    group[other] = label
                    todo.append(other)
    return group


def _cause(tid, features: dict, group, groups: dict, wrong_finish: set | None) -> str:
    """What explains task ``tid``'s mismatch (the rule of :meth:`Parity.mismatches`): ``group`` is its group of
    linked tasks (None: no link), ``groups`` those of each feature's tasks; ``wrong_finish``: for a mismatch of
    float alone, the tasks whose early finish is wrong (one may have moved the project finish)."""
    named = [f for f, ids in features.items() if tid in ids]
    if named:
        return named[0]
    features = {f: ids for f, ids in features.items() if f not in _SELF_ONLY}
    through = [f for f in features if group is not None and group in groups[f]]
    if through:
        return f"{through[0]} (through links)"
    finish = [f for f, ids in features.items() if wrong_finish and ids & wrong_finish]
    if finish:
        return f"{finish[0]} (through the project finish)"
    whole = [f for f, ids in features.items() if not ids]
    return whole[0] if whole else UNEXPLAINED


def _features(caught, stored: pd.DataFrame, ids) -> dict:
    """Per feature the reader warned of (a warning of :class:`pmsim.io._exchange.Notes`), the task ids it names."""
    by_uid = {}
    if "uid" in stored.columns:
        by_uid = {str(int(u)): tid for tid, u in stored["uid"].dropna().items()}
    known = set(ids)
    out: dict[str, set] = {}
    for w in caught:
        feature = getattr(w.message, "feature", None)
        if feature is None:
            continue
        named = out.setdefault(feature, set())
        for culprit in getattr(w.message, "culprits", ()):
            named.update(by_uid[u] for u in _MSPDI_TASK.findall(culprit) if u in by_uid)
            named.update(t for t in _P6_TASK.findall(culprit) if t in known)
    return {f: frozenset(v) for f, v in out.items()}


def _origin(schedule: Schedule):
    tl = schedule.timing[0] if schedule.timing is not None else None
    return tl.origin if tl is not None else schedule.project.start


def _same_work(cal, origin, a, b) -> bool:
    """Has calendar ``cal`` done the same work by moments ``a`` and ``b`` (Timestamps), within a minute?"""
    if pd.isna(a) or pd.isna(b):
        return False
    base = np.datetime64(origin, "m")
    ta = (np.datetime64(a, "m") - base).astype(np.int64)
    tb = (np.datetime64(b, "m") - base).astype(np.int64)
    if abs(ta - tb) <= DATE_TOLERANCE:
        return True
    if min(ta, tb) < 0:
        return False
    table = cal.work_table(origin, int(max(ta, tb) // 1440) + 2)
    return bool(abs(table.work_at(float(ta)) - table.work_at(float(tb))) <= DATE_TOLERANCE)


def _same_moment(schedule: Schedule, ids, ours, theirs) -> np.ndarray:
    """Do the two moments (Timestamps) match on each task's calendar (the same work done by both)?"""
    project, origin = schedule.project, _origin(schedule)
    return np.array([_same_work(project.task_calendar(tid), origin, ours[k], theirs[k]) for k, tid in enumerate(ids)],
                    dtype=bool)


def _stale(schedule: Schedule, stored: pd.DataFrame) -> frozenset:
    """The tasks whose stored late finish is not what the file's own links give (MS Project keeps them in step:
    the file was not recalculated after a change, or another tool wrote it): the stored late start of its
    successors, or with none the project finish (the latest stored early finish; its own early finish under
    MS Project's "multiple critical paths"). Checked where the rule is plain: a task not finished, without a
    deadline or a late constraint, whose links out are finish-to-start without lag into tasks not started."""
    if "multiple_critical_paths" not in stored.attrs:
        return frozenset()
    project, origin = schedule.project, _origin(schedule)
    finish = stored["early_finish"].max()
    links: dict = {}
    for d in project.dependencies:
        links.setdefault(d.predecessor, []).append(d)
    out = set()
    for task in project.tasks:
        row = stored.loc[task.id] if task.id in stored.index else None
        if row is None or row["status"] == "complete" or pd.isna(row["late_finish"]):
            continue
        if task.deadline is not None:
            continue  # :func:`_past_deadline`
        if {task.constraint, task.secondary_constraint} - {"ASAP", "SNET", "FNET", None}:
            continue
        out_links = links.get(task.id, [])
        if any(d.type != "FS" or d.lag != 0 or d.successor not in stored.index
               or stored.loc[d.successor, "status"] != "not started" for d in out_links):
            continue
        if out_links:
            expected = min(stored.loc[d.successor, "late_start"] for d in out_links)
        else:
            expected = row["early_finish"] if stored.attrs["multiple_critical_paths"] else finish
        if not pd.isna(expected) and not _same_work(project.task_calendar(task.id), origin, row["late_finish"],
                                                    expected):
            out.add(task.id)
    return frozenset(out)


def _past_deadline(schedule: Schedule, stored: pd.DataFrame) -> frozenset:
    """The tasks not finished whose stored late finish is later than their deadline: MS Project's late finish
    never passes a deadline (one missed gives negative slack), so the file was not recalculated after the
    deadline was set (or another tool wrote it)."""
    if "multiple_critical_paths" not in stored.attrs:
        return frozenset()
    project, origin = schedule.project, _origin(schedule)
    out = set()
    for task in project.tasks:
        if task.deadline is None or task.id not in stored.index:
            continue
        row = stored.loc[task.id]
        if row["status"] != "complete" and not pd.isna(row["late_finish"]) and _work_after(
                project.task_calendar(task.id), origin, row["late_finish"], _finish_moment(task.deadline)):
            out.add(task.id)
    return frozenset(out)


def _finish_moment(value) -> pd.Timestamp:
    """A finish as pmsim keeps it (a date alone: the end of that day's work) as a moment."""
    if isinstance(value, dt.datetime):
        return pd.Timestamp(value)
    return pd.Timestamp(value) + pd.Timedelta(days=1)  # the work done by midnight is the day's


def _work_after(cal, origin, a, b) -> bool:
    """Has calendar ``cal`` done more work by moment ``a`` than by ``b`` (beyond a minute)?"""
    if _same_work(cal, origin, a, b):
        return False
    base = np.datetime64(origin, "m")
    ta = (np.datetime64(a, "m") - base).astype(np.int64)
    tb = (np.datetime64(b, "m") - base).astype(np.int64)
    if min(ta, tb) < 0:
        return bool(ta > tb)
    table = cal.work_table(origin, int(max(ta, tb) // 1440) + 2)
    return bool(table.work_at(float(ta)) - table.work_at(float(tb)) > DATE_TOLERANCE)


def _p6_alap_floats(schedule: Schedule, stored: pd.DataFrame, table: pd.DataFrame) -> frozenset:
    """The as-late-as-possible activities whose float alone differs, with every stored date (early and late)
    the same as pmsim's, and a stored total float that is not what those stored dates give (late minus early
    finish, or start, or the smaller, as the project counts it) on the activity's calendar: P6 computes the
    float of some ALAP activities otherwise (SP10 - COST LOADED.xer: 24 activities whose stored float is 39 or
    40 hours more than their stored late finish minus early finish), which the file does not let pmsim follow."""
    if "late_start" not in stored.columns:
        return frozenset()
    project, origin = schedule.project, _origin(schedule)
    times = schedule.times()
    out = set()
    for tid in table.index[table["compared"] & ~table["total_float_ok"] & table["early_start_ok"]
                           & table["early_finish_ok"]]:
        task = project.task(tid)
        if "ALAP" not in (task.constraint, task.secondary_constraint):
            continue
        row, cal = stored.loc[tid], project.task_calendar(tid)
        if not all(_same_work(cal, origin, times.loc[tid, k], row[k]) for k in ("late_start", "late_finish")):
            continue
        floats = []
        for early, late in (("early_start", "late_start"), ("early_finish", "late_finish")):
            lo, hi = (np.datetime64(row[k], "m") for k in (early, late))
            sign = 1.0 if hi >= lo else -1.0
            lo, hi = min(lo, hi), max(lo, hi)
            days = int((hi - np.datetime64(origin, "m")).astype(np.int64) // 1440) + 2
            work = cal.work_table(origin, max(days, 2))
            minutes = [float((v - np.datetime64(origin, "m")).astype(np.int64)) for v in (lo, hi)]
            if min(minutes) < 0:
                break
            floats.append(sign * (work.work_at(minutes[1]) - work.work_at(minutes[0])) / (60.0 * cal.hours_per_day))
        else:
            start_float, finish_float = floats
            dated = {"start": start_float, "finish": finish_float,
                     "smallest": min(start_float, finish_float)}.get(project.total_float, finish_float)
            if abs(dated - row["total_float"]) > FLOAT_TOLERANCE + 1e-9:
                out.add(tid)
    return frozenset(out)


def _p6_broken_links(schedule: Schedule, stored: pd.DataFrame) -> frozenset:
    """The activities whose stored late date is later than a link without lag lets it be, by the stored late date
    of its successor (P6's files; MS Project's are :func:`_stale`): an FS or FF link binds the late finish, an SS
    or SF link the late start, by the successor's late start (FS, SS) or late finish (FF, SF), moments as stored.
    P6 keeps its late dates within its links, except in what the file shows as a slip of its own: BFBPS13.xer and
    BFBPS14.xer store a finished activity's late start a day after the late start of its start-to-start
    successor (and, in that link's own row, the successor's date as the link's late start), which pmsim follows
    (one link of the corpus' XER files; the floats of the activities before it then differ by that day).
    Not checked where P6 lets late dates cross a link: a mandatory date on the predecessor, progress override
    into a successor with progress."""
    if "multiple_critical_paths" in stored.attrs or not {"late_start", "late_finish"} <= set(stored.columns):
        return frozenset()
    project = schedule.project
    late_start, late_finish = stored["late_start"].to_dict(), stored["late_finish"].to_dict()
    status = stored["status"].to_dict()
    mandatory = {t.id for t in project.tasks if {t.constraint, t.secondary_constraint} & {"MSO", "MFO"}}
    out = set()
    for d in project.dependencies:
        if d.lag != 0 or d.predecessor in mandatory or not {d.predecessor, d.successor} <= late_start.keys():
            continue
        if project.progress_rule == "progress_override" and status.get(d.successor) != "not started":
            continue
        mine = (late_finish if d.type in ("FS", "FF") else late_start)[d.predecessor]
        theirs = (late_start if d.type in ("FS", "SS") else late_finish)[d.successor]
        if not (pd.isna(mine) or pd.isna(theirs)) and mine > theirs:
            out.add(d.predecessor)
    return frozenset(out)


def _written_by_aspose(path: Path) -> bool:
    """Was the MSPDI file written by the Aspose.Tasks library (its first comment says so)? Its stored dates are
    Aspose's, which MS Project would recompute (tasks on a Sunday of the standard calendar, say)."""
    if path.suffix.lower() != ".xml":
        return False
    with open(path, "rb") as handle:
        head = handle.read(4096)
    return b"Published by Aspose.Tasks" in head


def parity(path, project=None) -> Parity:
    """Read ``path``, schedule it, and compare with what its tool stored, task by task.

    ``project`` picks one project of a file that holds several (an XER or P6 XML).
    The file's warnings (what pmsim does not model, which explains a mismatch)
    are kept in :attr:`Parity.notes` rather than shown.
    """
    path = Path(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PmsimWarning)
        options = {"check_health": False} if path.suffix.lower() in (".xer", ".xml", ".mpp") else {}
        if project is not None:
            options["project"] = project
        proj = read_project(path, **options)
    schedule = cpm(proj)
    stored = stored_schedule(path, project).reindex(list(proj.task_ids))
    times = schedule.times()
    t = schedule.table
    ids = list(proj.task_ids)
    status = stored["status"].fillna("not started").to_numpy()
    compared = (status != "complete") & stored["early_start"].notna().to_numpy() & stored["early_finish"].notna().to_numpy()
    es_ok = _same_moment(schedule, ids, times["early_start"].to_numpy(), stored["early_start"].to_numpy())
    ef_ok = _same_moment(schedule, ids, times["early_finish"].to_numpy(), stored["early_finish"].to_numpy())
    theirs_tf = stored["total_float"].to_numpy(dtype=np.float64)
    ours_tf = t["total_float"].to_numpy(dtype=np.float64)
    tf_ok = np.isnan(theirs_tf) | (np.abs(ours_tf - theirs_tf) <= FLOAT_TOLERANCE + 1e-9)
    table = pd.DataFrame({
        "name": t["name"].to_numpy(),
        "status": status,
        "compared": compared,
        "early_start": times["early_start"].to_numpy(), "early_start_theirs": stored["early_start"].to_numpy(),
        "early_start_ok": es_ok,
        "early_finish": times["early_finish"].to_numpy(), "early_finish_theirs": stored["early_finish"].to_numpy(),
        "early_finish_ok": ef_ok,
        "total_float": ours_tf, "total_float_theirs": theirs_tf, "total_float_ok": tf_ok,
    }, index=pd.Index(ids, name="id"))
    table["match"] = es_ok & ef_ok & tf_ok
    notes = tuple(dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, PmsimWarning)))
    for w in caught:
        if not issubclass(w.category, PmsimWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    features = _features(caught, stored, ids)
    stale = _stale(schedule, stored)
    if stale:
        features = {**features, STALE: stale}  # after the features a task is named by: those come first
    past = _past_deadline(schedule, stored)
    if past:
        features = {**features, STALE_DEADLINE: past}
    alap_floats = _p6_alap_floats(schedule, stored, table)
    if alap_floats:
        features = {**features, P6_ALAP_FLOAT: alap_floats}
    broken = _p6_broken_links(schedule, stored)
    if broken:
        features = {**features, P6_BROKEN_LINK: broken}
    if _written_by_aspose(path):
        features = {**features, OTHER_WRITER: frozenset()}  # the file as a whole: explains what nothing else does
    return Parity(path=path, project=proj, schedule=schedule, table=table, notes=notes, features=features)
