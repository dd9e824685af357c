"""Parity with MS Project: pmsim's CPM against the schedule MS Project stored in its files.

Real files (``tests/data/real/mspdi``, origins in its README): the share of tasks
whose early start, early finish and total float pmsim reproduces, and the cause
the check gives each task it does not. Hand-worked files: MSPDI written by pmsim,
stripped of pmsim's own settings (so they read as MS Project's), with the stored
dates replaced by values worked out here by hand for each MS Project rule pmsim
models (task ids are the names: pmsim keeps its ids in the file); the standard
calendar works 08:00-12:00 and 13:00-17:00, Monday to Friday.
"""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

import pmsim as pm
from pmsim.io.mspdi import NAMESPACE
from pmsim.parity import OTHER_WRITER, STALE, STALE_DEADLINE, UNEXPLAINED, parity

REAL = Path(__file__).parents[1] / "data" / "real" / "mspdi"
Q = "{%s}" % NAMESPACE
PERCENT_LAG = "lags in percent of the predecessor's duration"


# ----------------------------------------------------------------- real files


@pytest.mark.parametrize("name, compared", [
    ("mpxj-mspdirelations.xml", 5),  # all four link types with lags
    ("mpxj-mspdipriority.xml", 10),
    ("mpxj-caltest.xml", 3),  # task calendars and resource calendars
    ("aspose-actual-task-properties.xml", 11),  # progress: 3 finished tasks left out of 14
])
def test_real_files_match_every_task(name, compared):
    result = parity(REAL / name)
    summary = result.summary().iloc[0]
    assert summary["compared"] == compared
    assert summary["matched"] == compared, result.mismatches()


def test_a_must_finish_on_date_its_links_miss_gives_the_task_itself_negative_float():
    # MPXJ's slack9.mpp: Milestone 2 must finish on Thursday 4 May 2006 17:00, but Task 7 before it finishes on
    # Friday 5 May. MS Project honours the date and stores -1 day of slack on Task 5, 6 and 7 (a day late) and on
    # the milestone itself: its late finish (the date) is a day before the finish its links give.
    result = parity(REAL / "mpxj-slack9.xml")
    assert result.summary().iloc[0]["matched"] == 15, result.mismatches()
    table = result.table.set_index("name")
    assert table.loc["Milestone 2", "early_finish"] == pd.Timestamp("2006-05-04 17:00")
    assert table.loc[["Task 5", "Task 6", "Task 7", "Milestone 2"], "total_float"].tolist() == [-1.0] * 4


def test_manually_scheduled_tasks_keep_their_typed_dates_and_drive_their_successors():
    # Aspose's schedule-conflict.mpp: ten manually scheduled tasks in pairs whose successor was typed against
    # its link (fs2 starts with fs, Thursday 4 April 2019, though it follows it FS). MS Project stores fs2 there,
    # and the late dates from the links: fs (1 day) must finish by fs2's late start, Monday 8 April 08:00 (the
    # project finish is Monday 17:00): slack 4,800 tenths of a minute, 1 day of 8 hours. pmsim agrees on all ten.
    result = parity(REAL / "aspose-schedule-conflict.xml")
    assert result.summary().iloc[0][["compared", "matched"]].tolist() == [10, 10], result.mismatches()
    project = result.project
    assert str(project.task("2").manual_start) == "2019-04-04"
    times = result.schedule.times()
    assert times.loc["2", "early_start"] == pd.Timestamp("2019-04-04 08:00")
    assert times.loc["1", "late_finish"] == pd.Timestamp("2019-04-05 17:00")  # = Monday 08:00 in working time
    assert result.table.loc["1", "total_float"] == 1.0
    assert not any("manually scheduled" in note for note in result.notes)


def test_levelling_delays_start_tasks_later_by_elapsed_days():
    # MPXJ's mpp14barstyle: the project starts Wednesday 31 March 2010; tasks 3 to 7 (1 day each, no links) carry
    # levelling delays of 14,400 to 100,800 tenths of a minute in elapsed days (LevelingDelayFormat 8): 1, 2, 5,
    # 6 and 7 days round the clock. MS Project starts them Thursday 1, Friday 2, Monday 5, Tuesday 6 and
    # Wednesday 7 April, 08:00; the project finishes on the 7th at 17:00, so task 3's slack is Thursday to
    # Wednesday: 4 working days (19,200 tenths of a minute). pmsim agrees on all six tasks (ids are MS Project's
    # row numbers: the summary task is row 2).
    result = parity(REAL / "mpxj-mpp14barstyle.xml")
    assert result.summary().iloc[0][["compared", "matched"]].tolist() == [6, 6], result.mismatches()
    assert [result.project.task(t).levelling_delay for t in "34567"] == [1.0, 2.0, 5.0, 6.0, 7.0]
    starts = result.schedule.times()["early_start"]
    assert [str(starts[t]) for t in "34567"] == [f"2010-04-{d:02d} 08:00:00" for d in (1, 2, 5, 6, 7)]
    assert result.table.loc["3", "total_float"] == 4.0
    assert "levelling delays" not in result.features


def test_ozbuild_matches_but_the_slack_of_tasks_on_a_narrowed_calendar():
    # MS Project 2010 file, 15 tasks not finished: a 6-day calendar, holidays, task calendars, SNET and FNLT.
    # "Installation Requirements" (ID 7) and "Project Schedule" (ID 9) have the "6 Day Working Week" calendar and
    # resources on the 5-day Standard one: both are scheduled on weekdays only (Installation Requirements, 4
    # days from Friday 2008-12-12, ends Wednesday 12-17), but MS Project counts their slack on the 6-day
    # calendar: 17 Dec 17:00 to 2 Jan 17:00 holds 11 of its working days (its Saturdays 20 and 27 Dec work),
    # 9 of Standard's. The recurring flags MPXJ set on three summary tasks are not recurring tasks.
    result = parity(REAL / "aspose-ozbuild-16-orig.xml")
    assert result.summary().iloc[0][["compared", "matched"]].tolist() == [15, 13]
    mismatched = result.mismatches()
    assert list(mismatched.index) == ["7", "9"]
    assert set(mismatched["cause"]) == {"task calendars narrowed by the resources' calendars"}
    assert mismatched["total_float_theirs"].tolist() == [11.0, 11.0]
    assert mismatched["total_float"].tolist() == [9.0, 9.0]
    assert "recurring tasks" not in result.features


def test_sample_with_resources_on_different_calendars_matches():
    # "Second Task" has two resources on different calendars, one a night shift, each with 400 hours of work at
    # its units (200 h at 50 %, 300 h at 75 %): each works them on its own calendar and the task finishes when
    # the night shift does, 2003-03-18 08:00, as MS Project stored it. Its finish is the project finish, so the
    # total float of every other task hangs on it; the recurring task's occurrences are plain tasks here.
    result = parity(REAL / "mpxj-sample.xml")
    assert result.summary()["matched"].tolist() == [16] and result.mismatches().empty
    assert str(result.table.loc["2", "early_finish"]) == "2003-03-18 08:00:00"
    assert result.table.loc["3", "total_float"] == 50.0  # TotalSlack 240000 tenths of a minute: 50 days of 8 h


def test_resources_on_three_calendars_and_a_contoured_assignment():
    # MPXJ's mspdiresource.xml: "Task A" has three resources of 24 hours each, one on a night shift starting
    # Friday 23:00; it finishes Wednesday 08:00 when the night shift does. "Contoured Task" follows it: its
    # contoured work (40 hours) spreads over its Duration (57.14 hours), to 2006-09-08 09:08.
    result = parity(REAL / "mpxj-mspdiresource.xml")
    assert result.summary()["matched"].tolist() == [2]
    assert str(result.table.loc["1", "early_finish"]) == "2006-08-30 08:00:00"


def test_durations_file_agrees_on_every_date_and_its_stale_late_dates_are_found():
    # Every duration unit, elapsed ones included (an elapsed day is 24 hours from the start moment: task 8,
    # "1ed" from 2009-03-25 08:00, ends 2009-03-26 08:00). The dates of all ten tasks agree. The file's late
    # finish of tasks 1-4 is 2009-04-21 17:00 although they have no successor and the project finishes
    # 2009-04-24 08:00 (task 5, with no successor either, has its late finish there), so MS Project stored a
    # total slack two days short on those four: the file was not recalculated, and the check says so.
    result = parity(REAL / "mpxj-mspdiduration.xml")
    table = result.table
    assert table["early_start_ok"].all() and table["early_finish_ok"].all()
    assert str(table.loc["8", "early_finish"]) == "2009-03-26 08:00:00"
    mismatched = result.mismatches()
    assert list(mismatched.index) == ["1", "2", "3", "4"]
    assert set(mismatched["cause"]) == {STALE}
    assert result.features[STALE] == {"1", "2", "3", "4"}  # task 5's late finish is the project finish
    assert (mismatched["total_float"] - mismatched["total_float_theirs"]).round(6).tolist() == [2.0] * 4


# ----------------------------------------------------------------- hand-worked MS Project files


def ms_project_file(tmp_path, project, stored, start="2027-01-04T09:00:00", lag_formats=None) -> Path:
    """``project`` as MSPDI that MS Project could have saved: pmsim's settings removed, the project's
    StartDate set to ``start``, and per task name the stored fields of ``stored`` (tag: text); the late
    dates pmsim wrote are left out unless ``stored`` gives them.
    ``lag_formats``: per (predecessor, successor) names, the link's (LagFormat, LinkLag)."""
    path = tmp_path / "plan.xml"
    pm.write_project(project, path)
    ET.register_namespace("", NAMESPACE)
    tree = ET.parse(path)
    root = tree.getroot()
    root.find(Q + "StartDate").text = start
    uid_of = {}
    for task in root.iter(Q + "Task"):
        name = task.findtext(Q + "Name")
        uid_of[task.findtext(Q + "UID")] = name
        for attr in task.findall(Q + "ExtendedAttribute"):
            if (attr.findtext(Q + "Value") or "").startswith('{"lag_calendar"'):
                task.remove(attr)  # pmsim's own settings: without them the file reads as MS Project's
        given = stored.get(name, {})
        for tag in ("LateStart", "LateFinish"):  # pmsim's own late dates: left out unless given
            if tag not in given and task.find(Q + tag) is not None:
                task.remove(task.find(Q + tag))
        for tag, text in given.items():
            task.find(Q + tag).text = text
    for task in root.iter(Q + "Task"):
        for link in task.findall(Q + "PredecessorLink"):
            key = (uid_of[link.findtext(Q + "PredecessorUID")], task.findtext(Q + "Name"))
            if lag_formats and key in lag_formats:
                link.find(Q + "LagFormat").text, link.find(Q + "LinkLag").text = map(str, lag_formats[key])
    tree.write(path, xml_declaration=True, encoding="UTF-8")
    return path


def dates(es, ef, slack_minutes=0):
    """The stored early dates and total slack (MSPDI: tenths of a minute)."""
    return {"EarlyStart": es, "EarlyFinish": ef, "TotalSlack": str(slack_minutes * 10)}


def start_rules_project():
    return pm.Project(name="rules", start="2027-01-04", tasks=[
        pm.Task("A", duration=1), pm.Task("B", duration=1),
        pm.Task("C", duration=1, constraint="SNET", constraint_date="2027-01-04"),
        pm.Task("D", duration=1),
    ], dependencies=[pm.Dependency("A", "B")])


def test_project_start_moment_and_what_it_holds_back(tmp_path):
    # StartDate Monday 09:00. A (1 day, no predecessor) starts then: 3 h to noon, 4 h to 17:00, 1 h on
    # Tuesday: finish Tuesday 09:00. B follows A: Tuesday 09:00 to Wednesday 09:00, the project finish.
    # C has no predecessor but Start No Earlier Than Monday (08:00): MS Project places it there, before the
    # project start: Monday 08:00-17:00; its slack is Tuesday (8 h) and Wednesday 08:00-09:00 (1 h) = 540 min.
    # D, with no predecessor and no constraint, is held back like A: slack 1 day (B's 8 h) = 480 min.
    stored = {"A": dates("2027-01-04T09:00:00", "2027-01-05T09:00:00"),
              "B": dates("2027-01-05T09:00:00", "2027-01-06T09:00:00"),
              "C": dates("2027-01-04T08:00:00", "2027-01-04T17:00:00", 540),
              "D": dates("2027-01-04T09:00:00", "2027-01-05T09:00:00", 480)}
    result = parity(ms_project_file(tmp_path, start_rules_project(), stored))
    assert result.summary().iloc[0][["compared", "matched"]].tolist() == [4, 4], result.mismatches()


def test_the_same_moment_in_working_time_matches(tmp_path):
    # 17:00 on Friday and 08:00 on Monday are the same moment of the calendar's work: A (5 days from Monday
    # 08:00) stored as finishing on the Monday after is a match; a finish an hour later is not.
    project = pm.Project(name="week", start="2027-01-04", tasks=[pm.Task("A", duration=5)])
    same = {"A": dates("2027-01-04T08:00:00", "2027-01-11T08:00:00")}
    assert parity(ms_project_file(tmp_path, project, same, start="2027-01-04T08:00:00")).table["match"].all()
    late = {"A": dates("2027-01-04T08:00:00", "2027-01-11T09:00:00")}
    table = parity(ms_project_file(tmp_path, project, late, start="2027-01-04T08:00:00")).table
    assert table.loc["A", "early_start_ok"] and not table.loc["A", "early_finish_ok"]


def test_a_float_off_by_more_than_the_tolerance_is_a_mismatch(tmp_path):
    # D's slack is 480 min; 0.05 day (24 min) either way is still a match, 30 min more is not, and nothing
    # the file warns of explains it.
    def slack_of_d(minutes):
        stored = {"A": dates("2027-01-04T09:00:00", "2027-01-05T09:00:00"),
                  "B": dates("2027-01-05T09:00:00", "2027-01-06T09:00:00"),
                  "C": dates("2027-01-04T08:00:00", "2027-01-04T17:00:00", 540),
                  "D": dates("2027-01-04T09:00:00", "2027-01-05T09:00:00", minutes)}
        return parity(ms_project_file(tmp_path, start_rules_project(), stored))

    assert slack_of_d(480 + 24).table["match"].all()
    result = slack_of_d(480 + 30)
    assert list(result.mismatches().index) == ["D"]
    assert result.mismatches().loc["D", "cause"] == UNEXPLAINED


def p6_file_with_expected_finish(tmp_path, float_of_a_hours: str):
    """A (2 days) -> B (3 days) written as XER, then edited as P6 writes it with "use expected finish dates": B
    expected to finish Friday 8 January 17:00, its remaining duration (24 h) the work up to then; A's stored
    total float ``float_of_a_hours``."""
    project = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=2), pm.Task("B", duration=3)],
                         dependencies=[pm.Dependency("A", "B")])
    path = tmp_path / "expected.xer"
    pm.write_project(project, path)
    lines = path.read_text().splitlines()
    fields = {}
    for k, line in enumerate(lines):
        cells = line.split("\t")
        if cells[0] == "%F":
            fields = {name: i for i, name in enumerate(cells)}
        elif cells[0] == "%R" and "sched_use_expect_end_flag" in fields:
            cells[fields["sched_use_expect_end_flag"]] = "Y"
        elif cells[0] == "%R" and "expect_end_date" in fields:
            if cells[fields["task_code"]] == "B":
                cells[fields["expect_end_date"]] = "2027-01-08 17:00"
            else:
                cells[fields["total_float_hr_cnt"]] = float_of_a_hours
        lines[k] = "\t".join(cells)
    path.write_text("\n".join(lines) + "\n")
    return path


def test_expected_finish_dates_p6_has_scheduled_explain_no_mismatch(tmp_path):
    # P6 stores the remaining durations its expected finish dates gave: the dates follow from what pmsim reads
    # (the reader still warns that it will not rewrite them), so a float stored wrong is unexplained.
    result = parity(p6_file_with_expected_finish(tmp_path, "0"))
    assert result.table["match"].all()
    assert any("expected finish dates" in note and "'B'" in note for note in result.notes)
    wrong = parity(p6_file_with_expected_finish(tmp_path, "16")).mismatches()
    assert wrong["cause"].to_dict() == {"A": UNEXPLAINED}


def test_mismatches_are_traced_to_what_the_file_warns_of(tmp_path):
    # A (2 days) -> B with a lag of 50 % of A's duration (LagFormat 19: percent; pmsim reads 1 day),
    # B -> C; E stands alone. Stored as if the lag were 0: B Wednesday 08:00-17:00, C Thursday, project
    # finish Thursday 17:00, E's slack 3 days. pmsim, with the 1-day lag: B Thursday, C Friday, E's slack
    # 4 days. B is named by the warning about percent lags; C is linked to it; E's float alone differs and
    # comes from the project finish that B and C moved.
    project = pm.Project(name="causes", start="2027-01-04", tasks=[
        pm.Task("A", duration=2), pm.Task("B", duration=1), pm.Task("C", duration=1), pm.Task("E", duration=1),
    ], dependencies=[pm.Dependency("A", "B", "FS", 1), pm.Dependency("B", "C")])
    stored = {"A": dates("2027-01-04T08:00:00", "2027-01-05T17:00:00"),
              "B": dates("2027-01-06T08:00:00", "2027-01-06T17:00:00"),
              "C": dates("2027-01-07T08:00:00", "2027-01-07T17:00:00"),
              "E": dates("2027-01-04T08:00:00", "2027-01-04T17:00:00", 3 * 480)}
    path = ms_project_file(tmp_path, project, stored, start="2027-01-04T08:00:00",
                           lag_formats={("A", "B"): (19, 50)})
    with pytest.warns(pm.PmsimWarning, match="lags in percent"):
        pm.read_project(path, check_health=False)
    result = parity(path)
    causes = result.mismatches()["cause"].to_dict()
    assert causes == {"B": PERCENT_LAG, "C": f"{PERCENT_LAG} (through links)",
                      "E": f"{PERCENT_LAG} (through the project finish)"}
    assert result.table.loc["A", "match"]  # A itself is where MS Project put it
    assert str(result.table.loc["B", "early_start"]) == "2027-01-07 08:00:00"


def test_a_started_successor_holds_its_predecessors_to_where_its_work_done_ends(tmp_path):
    # MS Project's progress rule, no status date: a started task goes on from its actual start. A (2 days)
    # started Monday 08:00, half done: Monday-Tuesday. B (2 days) follows it, started Wednesday 08:00, a quarter
    # done (4 h): Wednesday-Thursday, the project finish. C (1 day) stands alone: Monday, slack Tuesday to
    # Thursday = 1,440 min. MS Project holds A to the end of B's work done, Wednesday 12:00 (not B's late start,
    # Wednesday 08:00): A's slack is Wednesday 08:00-12:00 = 240 min.
    project = pm.Project(name="progress", start="2027-01-04", progress_rule="ms_project", tasks=[
        pm.Task("A", duration=2, actual_start="2027-01-04 08:00", percent_complete=50),
        pm.Task("B", duration=2, actual_start="2027-01-06 08:00", percent_complete=25),
        pm.Task("C", duration=1),
    ], dependencies=[pm.Dependency("A", "B")])
    stored = {"A": dates("2027-01-04T08:00:00", "2027-01-05T17:00:00", 240),
              "B": dates("2027-01-06T08:00:00", "2027-01-07T17:00:00"),
              "C": dates("2027-01-04T08:00:00", "2027-01-04T17:00:00", 1440)}
    result = parity(ms_project_file(tmp_path, project, stored, start="2027-01-04T08:00:00"))
    assert result.summary().iloc[0][["compared", "in_progress", "matched"]].tolist() == [3, 2, 3], \
        result.mismatches()


def test_a_manually_scheduled_summary_task_holds_the_tasks_under_it(tmp_path):
    # Phase P is a manually scheduled summary task entered to start Wednesday 08:00: MS Project starts no task
    # under it earlier. A (1 day, under P) Wednesday, B (1 day, after A) Thursday, the project finish. C
    # (1 day, outside P) starts with the project on Monday: slack Tuesday to Thursday = 1,440 min.
    project = pm.Project(name="manual", start="2027-01-04", tasks=[
        pm.Task("A", duration=1, phase="P"), pm.Task("B", duration=1, phase="P"), pm.Task("C", duration=1),
    ], dependencies=[pm.Dependency("A", "B")])
    stored = {"P": {"Manual": "1", "Start": "2027-01-06T08:00:00"},
              "A": dates("2027-01-06T08:00:00", "2027-01-06T17:00:00"),
              "B": dates("2027-01-07T08:00:00", "2027-01-07T17:00:00"),
              "C": dates("2027-01-04T08:00:00", "2027-01-04T17:00:00", 1440)}
    result = parity(ms_project_file(tmp_path, project, stored, start="2027-01-04T08:00:00"))
    assert result.summary().iloc[0][["compared", "matched"]].tolist() == [3, 3], result.mismatches()
    assert (result.project.task("A").secondary_constraint, str(result.project.task("A").secondary_constraint_date)) \
        == ("SNET", "2027-01-06")


def test_late_dates_the_file_did_not_recalculate_are_found(tmp_path):
    # A -> B (1 day each: Monday, Tuesday, the project finish), C alone on Monday. Stored as MS Project would
    # have it before B was added: C's late finish Monday 17:00 and slack 0, where its own links (none) give
    # the project finish, Tuesday 17:00 (slack 1 day, pmsim's). A's late finish Monday 17:00 is B's late
    # start (Tuesday 08:00, the same moment of work): in step.
    project = pm.Project(name="stale", start="2027-01-04", tasks=[
        pm.Task("A", duration=1), pm.Task("B", duration=1), pm.Task("C", duration=1),
    ], dependencies=[pm.Dependency("A", "B")])
    stored = {"A": {"LateStart": "2027-01-04T08:00:00", "LateFinish": "2027-01-04T17:00:00"},
              "B": {"LateStart": "2027-01-05T08:00:00", "LateFinish": "2027-01-05T17:00:00"},
              "C": {"LateFinish": "2027-01-04T17:00:00", "LateStart": "2027-01-04T08:00:00", "TotalSlack": "0"}}
    result = parity(ms_project_file(tmp_path, project, stored, start="2027-01-04T08:00:00"))
    assert result.features[STALE] == {"C"}
    assert result.mismatches()["cause"].to_dict() == {"C": STALE}


def test_dates_a_file_written_by_aspose_stores_are_told_apart_from_ms_project_s(tmp_path):
    # Aspose's VerifyProjectStructure example ("Published by Aspose.Tasks"): A (1 day) stored on Sunday
    # 10 September 2000, a non-working day of the standard calendar; MS Project would put it on Monday 11th.
    # The mismatch stays a mismatch, explained by the file's writer rather than left unexplained.
    project = pm.Project(name="aspose", start="2000-09-11", tasks=[pm.Task("A", duration=1)])
    path = ms_project_file(tmp_path, project, {"A": dates("2000-09-10T08:00:00", "2000-09-10T17:00:00")},
                           start="2000-09-10T08:00:00")
    text = path.read_text(encoding="utf-8")
    root_at = text.index("<Project")
    path.write_text(text[:root_at] + "<!--Published by Aspose.Tasks 2009 for .NET 6.2.0.0-->\n" + text[root_at:],
                    encoding="utf-8")
    result = parity(path)
    assert result.summary().iloc[0][["compared", "matched"]].tolist() == [1, 0]
    assert result.mismatches()["cause"].tolist() == [OTHER_WRITER]
    plain = ms_project_file(tmp_path, project, {"A": dates("2000-09-10T08:00:00", "2000-09-10T17:00:00")},
                            start="2000-09-10T08:00:00")
    assert parity(plain).mismatches()["cause"].tolist() == [UNEXPLAINED]


def test_a_manually_scheduled_summary_task_s_finish_holds_the_late_finish_of_the_tasks_under_it(tmp_path):
    # As in Project Plan.mpp (mantidproject/documents, not redistributable): its tasks under a manually
    # scheduled summary store the summary's finish as their late finish (UID 2: early finish 2014-03-28, late
    # finish 2014-04-25, the summary's finish, total slack 20 days), or their early finish when later (UID 1:
    # 2014-07-18, slack 0); a task with a start or finish no earlier than date of its own keeps the late finish
    # of its links (UIDs 27 and 30: 2016-01-01, the project finish). Here phase P ends Wednesday 17:00; C
    # (5 days, outside P) Monday to Friday is the project finish. A (1 day): slack Tuesday-Wednesday = 960 min;
    # D (4 days) ends Thursday: slack 0; B (1 day, start no earlier than Monday): slack to Friday = 1,920 min.
    project = pm.Project(name="manual", start="2027-01-04", tasks=[
        pm.Task("A", duration=1, phase="P"), pm.Task("D", duration=4, phase="P"),
        pm.Task("B", duration=1, phase="P", constraint="SNET", constraint_date="2027-01-04"), pm.Task("C", duration=5),
    ])
    stored = {"P": {"Manual": "1", "Start": "2027-01-04T08:00:00", "Finish": "2027-01-06T17:00:00"},
              "A": dates("2027-01-04T08:00:00", "2027-01-04T17:00:00", 960),
              "D": dates("2027-01-04T08:00:00", "2027-01-07T17:00:00"),
              "B": dates("2027-01-04T08:00:00", "2027-01-04T17:00:00", 1920),
              "C": dates("2027-01-04T08:00:00", "2027-01-08T17:00:00")}
    result = parity(ms_project_file(tmp_path, project, stored, start="2027-01-04T08:00:00"))
    assert result.summary().iloc[0][["compared", "matched"]].tolist() == [4, 4], result.mismatches()
    assert [str(result.project.task(t).summary_finish) for t in "ADB"] == ["2027-01-06", "2027-01-06", "None"]
    assert result.notes == ()


def test_a_late_finish_stored_past_the_task_s_deadline_is_found(tmp_path):
    # As in Aspose's Project2016.mpp: four 1-day tasks in a chain, the last with a deadline a day before its
    # finish, stored with no slack anywhere and the last task's late finish its early finish. MS Project's late
    # finish never passes a deadline (a missed one gives negative slack): pmsim's late finish of B is Monday
    # 17:00, its float and A's -1 day; the stored ones were not recalculated after the deadline was set.
    project = pm.Project(name="deadline", start="2027-01-04", tasks=[
        pm.Task("A", duration=1), pm.Task("B", duration=1, deadline="2027-01-04"),
    ], dependencies=[pm.Dependency("A", "B")])
    stored = {"A": dates("2027-01-04T08:00:00", "2027-01-04T17:00:00"),
              "B": {**dates("2027-01-05T08:00:00", "2027-01-05T17:00:00"),
                    "LateStart": "2027-01-05T08:00:00", "LateFinish": "2027-01-05T17:00:00"}}
    result = parity(ms_project_file(tmp_path, project, stored, start="2027-01-04T08:00:00"))
    assert result.table["total_float"].to_dict() == {"A": -1.0, "B": -1.0}
    assert result.features[STALE_DEADLINE] == {"B"}
    assert result.mismatches()["cause"].to_dict() == {"A": f"{STALE_DEADLINE} (through links)", "B": STALE_DEADLINE}
    # Stored with the late finish at the deadline, it is MS Project's own: nothing is stale (and all match).
    stored["B"].update(LateStart="2027-01-04T08:00:00", LateFinish="2027-01-04T17:00:00", TotalSlack="-4800")
    stored["A"]["TotalSlack"] = "-4800"
    kept = parity(ms_project_file(tmp_path, project, stored, start="2027-01-04T08:00:00"))
    assert STALE_DEADLINE not in kept.features
    assert kept.summary().iloc[0]["matched"] == 2, kept.mismatches()


def test_a_manually_scheduled_task_typed_to_finish_on_a_day_without_work_is_named(tmp_path):
    # As in Aspose's ReadGroupDefinitionData.mpp: B, manually scheduled, typed Friday 8th to Sunday 10th 17:00,
    # with the 2 days of duration the stretched Sunday gives it; pmsim finishes B on Monday 11th.
    project = pm.Project(name="manual", start="2027-01-04", tasks=[
        pm.Task("A", duration=1), pm.Task("B", duration=2, manual_start="2027-01-08")],
        dependencies=[pm.Dependency("A", "B")])
    stored = {"B": {**dates("2027-01-08T08:00:00", "2027-01-10T17:00:00"), "Finish": "2027-01-10T17:00:00"}}
    path = ms_project_file(tmp_path, project, stored, start="2027-01-04T08:00:00")
    with pytest.warns(pm.PmsimWarning, match=r"typed to finish on a day without working time.*task UID \d+ \(B\)"):
        pm.read_project(path, check_health=False)
    cause = "manually scheduled tasks typed to finish on a day without working time"
    assert parity(path).mismatches()["cause"].to_dict() == {"B": cause}
    stored["B"].update(dates("2027-01-08T08:00:00", "2027-01-11T17:00:00"), Finish="2027-01-11T17:00:00")
    with warnings.catch_warnings():
        warnings.simplefilter("error", pm.PmsimWarning)  # typed to finish on Monday: nothing to warn of
        pm.read_project(ms_project_file(tmp_path, project, stored, start="2027-01-04T08:00:00"), check_health=False)


def test_an_assignment_started_on_a_task_not_started_is_named(tmp_path):
    # As in MPXJ's timephased-prorated-cost-resource.mpp: the task has no actual start but its assignment has
    # one (an actual cost entered on it); MS Project moved the task's stored start, not its finish.
    project = pm.Project(name="asg", start="2027-01-04", resources=[pm.Resource("dev", cost_per_day=400)],
                         tasks=[pm.Task("A", duration=3, resources={"dev": 1})])
    path = ms_project_file(tmp_path, project, {}, start="2027-01-04T08:00:00")
    tree = ET.parse(path)
    for asg in tree.getroot().iter(Q + "Assignment"):
        ET.SubElement(asg, Q + "ActualStart").text = "2027-01-05T08:00:00"
    tree.write(path, xml_declaration=True, encoding="UTF-8")
    with pytest.warns(pm.PmsimWarning, match=r"assignments started on tasks not started.*task UID \d+ \(A\)"):
        pm.read_project(path, check_health=False)
