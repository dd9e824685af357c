"""CPM on small networks whose answers are worked out by hand in the comments.

Times are working days from the project start; the project starts on
Monday 4 January 2027 unless a test says otherwise.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import pmsim as pm
from pmsim.errors import UnknownReferenceError, ValidationError

D = dt.date
TIMES = ["early_start", "early_finish", "late_start", "late_finish", "total_float", "free_float"]


def project(tasks, links=(), **settings):
    settings.setdefault("name", "demo")
    settings.setdefault("start", "2027-01-04")
    return pm.Project(
        tasks=[t if isinstance(t, pm.Task) else pm.Task(t[0], duration=t[1]) for t in tasks],
        dependencies=[pm.Dependency(*link) for link in links],
        **settings,
    )


def times(schedule, task_id):
    """(early_start, early_finish, late_start, late_finish, total_float, free_float) of one task."""
    return tuple(float(x) for x in schedule.table.loc[task_id, TIMES])


# --------------------------------------------------------------------------- one link, A -> B

# (type, lag, duration A, duration B, A's times, B's times, makespan); times are
# (ES, EF, LS, LF, total float, free float).
ONE_LINK = [
    # FS: B starts when A finishes.
    pytest.param("FS", 0, 3, 2, (0, 3, 0, 3, 0, 0), (3, 5, 3, 5, 0, 0), 5, id="FS"),
    # FS+2: two days of waiting after A.
    pytest.param("FS", 2, 3, 2, (0, 3, 0, 3, 0, 0), (5, 7, 5, 7, 0, 0), 7, id="FS+2"),
    # FS-1: a one-day lead, B starts on A's last day.
    pytest.param("FS", -1, 3, 2, (0, 3, 0, 3, 0, 0), (2, 4, 2, 4, 0, 0), 4, id="FS-1"),
    # SS+1: B starts a day after A starts, both finish at 3.
    pytest.param("SS", 1, 3, 2, (0, 3, 0, 3, 0, 0), (1, 3, 1, 3, 0, 0), 3, id="SS+1"),
    # SS-2: B could start at -2 but the project start holds it at 0; it may slip 1 day.
    pytest.param("SS", -2, 3, 2, (0, 3, 0, 3, 0, 0), (0, 2, 1, 3, 1, 1), 3, id="SS-2"),
    # SS+1 with a long B: B (1..7) drives the finish; A's start drives B.
    pytest.param("SS", 1, 3, 6, (0, 3, 0, 3, 0, 0), (1, 7, 1, 7, 0, 0), 7, id="SS+1-long"),
    # FF+1: B finishes a day after A finishes, so it starts at 4 - 2 = 2.
    pytest.param("FF", 1, 3, 2, (0, 3, 0, 3, 0, 0), (2, 4, 2, 4, 0, 0), 4, id="FF+1"),
    # FF-1: B must finish by >= 2: start 0, slack 1 to the finish at 3.
    pytest.param("FF", -1, 3, 2, (0, 3, 0, 3, 0, 0), (0, 2, 1, 3, 1, 1), 3, id="FF-1"),
    # FF with a longer B: B would start at 3 - 5 = -2; the project start holds it at 0.
    # A may finish as late as B does (5): 2 days of total and free float.
    pytest.param("FF", 0, 3, 5, (0, 3, 2, 5, 2, 2), (0, 5, 0, 5, 0, 0), 5, id="FF-floor"),
    # SF+4: B finishes >= A's start + 4, so it runs 2..4.
    pytest.param("SF", 4, 3, 2, (0, 3, 0, 3, 0, 0), (2, 4, 2, 4, 0, 0), 4, id="SF+4"),
    # SF+5: B runs 3..5, A's start still drives it.
    pytest.param("SF", 5, 3, 2, (0, 3, 0, 3, 0, 0), (3, 5, 3, 5, 0, 0), 5, id="SF+5"),
    # SF-1: B must finish >= -1: no constraint beyond the project start.
    pytest.param("SF", -1, 3, 2, (0, 3, 0, 3, 0, 0), (0, 2, 1, 3, 1, 1), 3, id="SF-1"),
    # SF+1 with a long B (0..4): A's start only needs to be <= B's finish - 1 = 3, so the
    # project finish (4) is what limits A: LF 4, one day of float.
    pytest.param("SF", 1, 3, 4, (0, 3, 1, 4, 1, 1), (0, 4, 0, 4, 0, 0), 4, id="SF+1-long"),
]


@pytest.mark.parametrize("kind, lag, dur_a, dur_b, a_times, b_times, makespan", ONE_LINK)
def test_one_link(kind, lag, dur_a, dur_b, a_times, b_times, makespan):
    s = pm.cpm(project([("A", dur_a), ("B", dur_b)], [("A", "B", kind, lag)]))
    assert times(s, "A") == a_times
    assert times(s, "B") == b_times
    assert s.makespan == makespan
    assert s.critical_path == [t for t, tt in (("A", a_times), ("B", b_times)) if tt[4] == 0]


# --------------------------------------------------------------------------- classic examples


def test_diamond(diamond):
    # A(3) -> B(2), C(4) -> D(1): A-C-D is 8 days; B may slip 2 (to 5..7).
    s = pm.cpm(diamond)
    assert s.makespan == 8.0 and s.critical_path == ["A", "C", "D"]
    assert times(s, "B") == (3, 5, 5, 7, 2, 2)
    assert times(s, "D") == (7, 8, 7, 8, 0, 0)


def test_free_float_differs_from_total_float():
    # A(4) -> D(1); B(1) -> C(1) -> D. B and C share 2 days of total float,
    # but only C, the last of the chain, has free float: delaying B moves C.
    s = pm.cpm(project([("A", 4), ("B", 1), ("C", 1), ("D", 1)],
                       [("A", "D"), ("B", "C"), ("C", "D")]))
    assert times(s, "B") == (0, 1, 2, 3, 2, 0)
    assert times(s, "C") == (1, 2, 3, 4, 2, 2)
    assert s.critical_path == ["A", "D"]


# Hillier & Lieberman, Introduction to Operations Research (Reliable Construction
# Co. example, chapter "Project Management with PERT/CPM"): 14 activities in weeks,
# critical path A-B-C-E-F-J-L-N of 44; slack D, G, H, M 4; I 2; K 1.
RELIABLE = {
    "A": (2, ""), "B": (4, "A"), "C": (10, "B"), "D": (6, "C"), "E": (4, "C"),
    "F": (5, "E"), "G": (7, "D"), "H": (9, "EG"), "I": (7, "C"), "J": (8, "FI"),
    "K": (4, "J"), "L": (5, "J"), "M": (2, "H"), "N": (6, "KL"),
}
# Worked by hand: ES, EF, LS, LF, total float, free float.
RELIABLE_TIMES = {
    "A": (0, 2, 0, 2, 0, 0), "B": (2, 6, 2, 6, 0, 0), "C": (6, 16, 6, 16, 0, 0),
    "D": (16, 22, 20, 26, 4, 0), "E": (16, 20, 16, 20, 0, 0), "F": (20, 25, 20, 25, 0, 0),
    "G": (22, 29, 26, 33, 4, 0), "H": (29, 38, 33, 42, 4, 0), "I": (16, 23, 18, 25, 2, 2),
    "J": (25, 33, 25, 33, 0, 0), "K": (33, 37, 34, 38, 1, 1), "L": (33, 38, 33, 38, 0, 0),
    "M": (38, 40, 42, 44, 4, 4), "N": (38, 44, 38, 44, 0, 0),
}


def test_textbook_reliable_construction():
    p = project([(t, d) for t, (d, _) in RELIABLE.items()],
                [(pred, t) for t, (_, preds) in RELIABLE.items() for pred in preds])
    s = pm.cpm(p)
    assert s.makespan == 44.0
    assert s.critical_path == list("ABCEFJLN")
    for task, expected in RELIABLE_TIMES.items():
        assert times(s, task) == expected, task


def test_several_start_and_end_tasks():
    # Two chains: A(2) -> C(3) ends at 5, B(4) -> D(2) ends at 6 and drives the finish.
    # E(1) has no links at all and may slip to the finish.
    s = pm.cpm(project([("A", 2), ("B", 4), ("C", 3), ("D", 2), ("E", 1)], [("A", "C"), ("B", "D")]))
    assert s.makespan == 6.0
    assert times(s, "A") == (0, 2, 1, 3, 1, 0)
    assert times(s, "C") == (2, 5, 3, 6, 1, 1)
    assert times(s, "E") == (0, 1, 5, 6, 5, 5)
    assert s.critical_path == ["B", "D"]


def test_parallel_critical_paths_are_listed_by_early_start():
    # A(2) -> C(3) and B(3) -> D(2) both take 5 days: all four are critical.
    s = pm.cpm(project([("C", 3), ("D", 2), ("A", 2), ("B", 3)], [("A", "C"), ("B", "D")]))
    assert s.table["critical"].all()
    assert s.critical_path == ["A", "B", "C", "D"]


def test_mixed_links_into_one_task():
    # C has three predecessors: A(4) FS-1 -> C starts >= 3; B(2) SS+4 -> C starts >= 4;
    # X(6) FF+0 -> C finishes >= 6, so starts >= 6 - 1 = 5. C runs 5..6, driven by X.
    s = pm.cpm(project([("A", 4), ("B", 2), ("X", 6), ("C", 1)],
                       [("A", "C", "FS", -1), ("B", "C", "SS", 4), ("X", "C", "FF", 0)]))
    assert times(s, "C") == (5, 6, 5, 6, 0, 0)
    # With its 1-day lead, A may finish at C's late start + 1 = 6: LF 6, total float 2;
    # against C's early start the same: free float 5 + 1 - 4 = 2.
    assert times(s, "A") == (0, 4, 2, 6, 2, 2)
    # B: C's late start 5 - 4 = 1 is B's late start.
    assert times(s, "B") == (0, 2, 1, 3, 1, 1)
    assert s.critical_path == ["X", "C"]


# --------------------------------------------------------------------------- milestones and dates


def test_milestones_and_their_dates():
    # Start milestone S, A(3), milestone M after A, B(2), end milestone E.
    s = pm.cpm(project(
        [pm.Task("S", milestone=True), ("A", 3), pm.Task("M", milestone=True), ("B", 2), pm.Task("E", milestone=True)],
        [("S", "A"), ("A", "M"), ("M", "B"), ("B", "E")],
    ))
    t = s.table
    assert t.loc["M", ["early_start", "early_finish", "duration"]].tolist() == [3.0, 3.0, 0.0]
    assert bool(t.loc["M", "milestone"]) and not bool(t.loc["A", "milestone"])
    assert s.makespan == 5.0 and s.critical_path == ["S", "A", "M", "B", "E"]
    # A milestone shows on the day the work before it finished.
    expected = {
        "S": (D(2027, 1, 4), D(2027, 1, 4)),
        "A": (D(2027, 1, 4), D(2027, 1, 6)),
        "M": (D(2027, 1, 6), D(2027, 1, 6)),
        "B": (D(2027, 1, 7), D(2027, 1, 8)),
        "E": (D(2027, 1, 8), D(2027, 1, 8)),
    }
    for task, (first, last) in expected.items():
        assert (t.loc[task, "start_date"].date(), t.loc[task, "finish_date"].date()) == (first, last), task
    assert s.finish_date == D(2027, 1, 8)


def test_a_milestone_alone_is_a_zero_day_project():
    s = pm.cpm(project([pm.Task("Go", milestone=True)]))
    assert s.makespan == 0.0 and s.critical_path == ["Go"]
    assert s.finish_date == D(2027, 1, 4)


def test_dates_skip_holidays():
    # Holiday Wed 6 Jan: A works Mon 4, Tue 5, Thu 7; B works Fri 8, Mon 11.
    s = pm.cpm(project([("A", 3), ("B", 2)], [("A", "B")], calendar=pm.Calendar(holidays=("2027-01-06",))))
    t = s.table
    assert (t.loc["A", "start_date"].date(), t.loc["A", "finish_date"].date()) == (D(2027, 1, 4), D(2027, 1, 7))
    assert (t.loc["B", "start_date"].date(), t.loc["B", "finish_date"].date()) == (D(2027, 1, 8), D(2027, 1, 11))
    assert (s.start_date, s.finish_date) == (D(2027, 1, 4), D(2027, 1, 11))


def test_dates_on_a_sunday_to_thursday_week_from_a_weekend_start():
    # Start Fri 1 Jan 2027 (not a working day): day 0 is Sun 3. A: Sun 3..Tue 5; B: Wed 6, Thu 7.
    cal = pm.Calendar(workdays=("Sun", "Mon", "Tue", "Wed", "Thu"))
    s = pm.cpm(project([("A", 3), ("B", 2)], [("A", "B")], start="2027-01-01", calendar=cal))
    assert s.table.loc["B", "start_date"].date() == D(2027, 1, 6)
    assert (s.start_date, s.finish_date) == (D(2027, 1, 3), D(2027, 1, 7))


def test_fractional_durations_fall_on_the_day_they_touch():
    # A takes 2.5 days (Mon 4 .. midday Wed 6); B (1 day) runs from 2.5 to 3.5, Wed 6 .. Thu 7.
    s = pm.cpm(project([("A", 2.5), ("B", 1)], [("A", "B")]))
    t = s.table
    assert t.loc["B", ["early_start", "early_finish"]].tolist() == [2.5, 3.5]
    assert t.loc["A", "finish_date"].date() == D(2027, 1, 6)
    assert (t.loc["B", "start_date"].date(), t.loc["B", "finish_date"].date()) == (D(2027, 1, 6), D(2027, 1, 7))
    assert s.finish_date == D(2027, 1, 7)


# --------------------------------------------------------------------------- durations


def test_planned_duration_is_the_most_likely_value():
    p = project([pm.Task("A", optimistic=1, most_likely=4, pessimistic=20), ("B", 2)], [("A", "B")])
    assert pm.cpm(p).makespan == 6.0


def test_durations_override_by_id_by_series_and_by_position():
    # Project order B, A; the link is A SS+2 B.
    p = project([("B", 3), ("A", 4)], [("A", "B", "SS", 2)])
    assert pm.cpm(p).makespan == 5.0  # B runs 2..5, A 0..4
    assert pm.cpm(p, durations={"B": 10}).makespan == 12.0
    # A sequence is in project task order: B = 1, A = 10.
    s = pm.cpm(p, durations=[1, 10])
    assert s.table.loc[["A", "B"], "duration"].tolist() == [10.0, 1.0] and s.makespan == 10.0
    # A Series is matched by its labels, whatever their order.
    s = pm.cpm(p, durations=pd.Series({"A": 1.0, "B": 10.0}))
    assert s.table.loc[["A", "B"], "duration"].tolist() == [1.0, 10.0] and s.makespan == 12.0
    # The project itself is unchanged.
    assert pm.cpm(p).makespan == 5.0


@pytest.mark.parametrize(
    "durations, error, message",
    [
        # a task the project does not have
        ({"Q": 1}, UnknownReferenceError, "durations name unknown task 'Q'"),
        # a negative duration
        ({"A": -1}, ValidationError, "Task 'A': duration must be a number >= 0, got -1"),
        # NaN
        ({"B": float("nan")}, ValidationError, "Task 'B': duration must be a number >= 0, got nan"),
        # infinity
        ([1, np.inf], ValidationError, "Task 'B': duration must be a number >= 0, got inf"),
        # text
        ({"A": "long"}, ValidationError, "Task 'A': duration must be a number >= 0, got 'long'"),
        # text in a sequence
        (["x", 1], ValidationError, "durations must be numbers, one per task"),
        # too few values
        ([1], ValidationError, "durations must have one value per task \\(2\\), got shape \\(1,\\)"),
    ],
)
def test_bad_durations(durations, error, message):
    p = project([("A", 3), ("B", 2)], [("A", "B")])
    with pytest.raises(error, match=message) as info:
        pm.cpm(p, durations=durations)
    assert isinstance(info.value, pm.PmsimError)


# --------------------------------------------------------------------------- the result object


def test_table_columns_index_and_order():
    p = project([("B", 2), ("A", 3)], [("A", "B")])  # project order differs from topological order
    t = pm.cpm(p).table
    assert list(t.index) == ["B", "A"] and t.index.name == "id"
    for column in ["start", "finish", "early_start", "early_finish", "late_start", "late_finish",
                   "total_float", "free_float", "critical", "start_date", "finish_date", "name", "duration"]:
        assert column in t.columns, column
    assert t["start"].equals(t["early_start"]) and t["finish"].equals(t["early_finish"])
    assert t["critical"].dtype == bool
    assert t["start_date"].dtype.kind == "M" and t["finish_date"].dtype.kind == "M"
    assert t["early_start"].dtype == np.float64


def test_summary_and_html():
    s = pm.cpm(project([pm.Task("A", "Design", duration=3), pm.Task("B", "Build", duration=2)], [("A", "B")],
                       calendar=pm.Calendar(holidays=("2027-01-06",))))
    summary = s.summary()["value"]
    assert summary["project"] == "demo" and summary["schedule"] == "cpm"
    assert summary["tasks"] == 2 and summary["critical tasks"] == 2
    assert summary["start"] == D(2027, 1, 4) and summary["finish"] == D(2027, 1, 11)
    assert summary["makespan (working days)"] == 5.0
    assert "delay vs CPM (working days)" not in summary.index
    html = s._repr_html_()
    assert html.startswith("<h4>Schedule of demo</h4>")
    assert "Design" in html and "Build" in html and "2027-01-11" in html and html.count("<table") == 2


def test_repeated_calls_give_identical_tables():
    p = project([(t, d) for t, (d, _) in RELIABLE.items()],
                [(pred, t) for t, (_, preds) in RELIABLE.items() for pred in preds])
    pd.testing.assert_frame_equal(pm.cpm(p).table, pm.cpm(p).table)


def test_a_schedule_beyond_the_supported_horizon_names_the_task():
    # An absurd lag (as a corrupt import might carry) is a clear error, not a date overflow.
    p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=1), pm.Task("B", duration=1)],
                   dependencies=[pm.Dependency("A", "B", "FS", 3e296)])
    with pytest.raises(pm.ValidationError, match=r"Task 'B' finishes 3e\+296 working days after the project start"):
        pm.cpm(p)
