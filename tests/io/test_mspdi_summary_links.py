"""Links on summary tasks, read as MS Project schedules them.

A summary task starts when the first task under it starts and finishes when
the last one finishes; a link into a summary holds every task under it. So a
finish-to-start or finish-to-finish link from a summary is a link from each
task under it, a link into a summary one to each task under it, and a
start-to-start or start-to-finish link from a summary is a link from the
task under it that starts first (MPXJ's MS Project scheduler does the same).
"""

from __future__ import annotations

import warnings

import pytest

import pmsim as pm
from hardening.hostile import mspdi, mspdi_task

MON = "2027-01-04"  # the plan starts on Monday 4 January 2027, 08:00, on a Monday-to-Friday 8-hour calendar


def link(pred: int, kind: int, lag_days: float = 0) -> str:
    """A ``PredecessorLink``: Type 1 FS, 3 SS, 0 FF, 2 SF; ``LinkLag`` in tenths of a minute (4,800 a day)."""
    return (f"<PredecessorLink><PredecessorUID>{pred}</PredecessorUID><Type>{kind}</Type>"
            f"<LinkLag>{int(lag_days * 4800)}</LinkLag><LagFormat>7</LagFormat></PredecessorLink>")


def early_start(day: str) -> str:
    return f"<EarlyStart>{day}T08:00:00</EarlyStart>"


def plan(tmp_path, kind: int, stored_starts: bool = True):
    """Summary S (UID 1) over B (UID 2, 5 days, after X) and A (UID 3, 2 days); X (UID 4, 3 days); T (UID 5,
    4 days) linked from S with ``kind`` and a lag of 1 day. The file stores A starting on Monday and B on
    Thursday (after X's three days), as MS Project computed them."""
    b_start = early_start("2027-01-07") if stored_starts else ""
    a_start = early_start(MON) if stored_starts else ""
    tasks = (mspdi_task(1, "S")
             + mspdi_task(2, "B", level=2, hours=40, links=b_start + link(4, 1))
             + mspdi_task(3, "A", level=2, hours=16, links=a_start)
             + mspdi_task(4, "X", hours=24)
             + mspdi_task(5, "T", hours=32, links=link(1, kind, 1)))
    return mspdi(tmp_path, tasks)


def read(path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pm.PmsimWarning)
        project = pm.read_project(path, check_health=False)
    return project, [str(w.message) for w in caught]


def test_start_to_start_from_a_summary_is_from_the_task_under_it_that_starts_first(tmp_path):
    project, notes = read(plan(tmp_path, kind=3))
    # S starts when A does (day 0; B waits for X until day 3): T starts 1 day after, on day 1 (Tuesday).
    assert {(d.predecessor, d.successor, d.type, d.lag) for d in project.dependencies if d.successor == "5"} == \
        {("3", "5", "SS", 1.0)}
    table = pm.cpm(project).table
    assert table.loc["5", "early_start"] == 0 + 1
    # The project finishes with B on day 3 + 5 = 8; T (4 days) may finish then, so it may start on day 4, and
    # A (2 days), which T must follow by a day, may start on day 4 - 1 = 3: 3 days of total float.
    assert table.loc["5", "late_start"] == 8 - 4
    assert table.loc["3", "total_float"] == 3
    assert any("links from the start of summary tasks" in n and "task UID 1 (S) -> task UID 5 (T)" in n
               for n in notes)


def test_start_to_finish_from_a_summary_is_from_the_task_under_it_that_starts_first(tmp_path):
    project, _ = read(plan(tmp_path, kind=2))
    assert {(d.predecessor, d.type) for d in project.dependencies if d.successor == "5"} == {("3", "SF")}
    # T finishes no earlier than 1 day after A starts: day 1, so it would start on day -3; it starts on day 0.
    assert pm.cpm(project).table.loc["5", "early_start"] == 0


@pytest.mark.parametrize("kind, name", [(1, "FS"), (0, "FF")])
def test_finish_links_from_a_summary_are_from_every_task_under_it(tmp_path, kind, name):
    # S finishes when its last task does: the link holds T after each of them. MS Project schedules it exactly
    # so: no warning.
    project, notes = read(plan(tmp_path, kind=kind))
    assert {(d.predecessor, d.type) for d in project.dependencies if d.successor == "5"} == {("2", name), ("3", name)}
    assert not any("summary" in n for n in notes)
    es = pm.cpm(project).table.loc["5", "early_start"]
    # FS: after B's finish on day 8, plus 1 day; FF: T (4 days) finishes 1 day after B, on day 9.
    assert es == (8 + 1 if name == "FS" else 8 + 1 - 4)


def test_without_stored_dates_the_first_task_in_outline_order_is_taken(tmp_path):
    project, _ = read(plan(tmp_path, kind=3, stored_starts=False))
    assert {d.predecessor for d in project.dependencies if d.successor == "5"} == {"2"}


def test_links_into_a_summary_hold_every_task_under_it(tmp_path):
    # T2 (UID 6) -> S start-to-start: each of B and A starts no earlier than T2; no warning (MS Project does so).
    tasks = (mspdi_task(6, "T2", hours=8) + mspdi_task(1, "S", links=link(6, 3))
             + mspdi_task(2, "B", level=2, hours=40) + mspdi_task(3, "A", level=2, hours=16))
    project, notes = read(mspdi(tmp_path, tasks))
    assert {(d.predecessor, d.successor, d.type) for d in project.dependencies} == {("6", "2", "SS"), ("6", "3", "SS")}
    assert not any("summary" in n for n in notes)


def test_finish_to_finish_into_a_summary_is_named(tmp_path):
    # MS Project refuses a finish-to-finish link into a summary; a file that holds one gets it on every task
    # under the summary, with a warning.
    tasks = (mspdi_task(6, "T2", hours=8) + mspdi_task(1, "S", links=link(6, 0))
             + mspdi_task(2, "B", level=2, hours=40) + mspdi_task(3, "A", level=2, hours=16))
    project, notes = read(mspdi(tmp_path, tasks))
    assert {(d.predecessor, d.successor, d.type) for d in project.dependencies} == {("6", "2", "FF"), ("6", "3", "FF")}
    assert any("finish-to-finish and start-to-finish links into summary tasks" in n for n in notes)
