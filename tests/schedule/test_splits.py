"""Split tasks: the work stops and resumes later; the gaps keep their working time when the task moves."""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pytest

import pmsim as pm
from pmsim.io.mspdi import read_mspdi, write_mspdi


def chain(splits=(), **a):
    """A (5 days, or the three points given) then B (2 days), on the standard week from Mon 4 Jan 2027."""
    a = a or {"duration": 5}
    return pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", splits=splits, **a), pm.Task("B", duration=2)],
                      dependencies=[pm.Dependency("A", "B")])


def test_splits_are_pairs_in_order_and_read_from_text():
    assert pm.Task("A", duration=9, splits=[(4, 3), (1, 0.5)]).splits == ((1.0, 0.5), (4.0, 3.0))
    assert pm.Task("A", duration=9, splits="4+3; 1+0.5").splits == ((1.0, 0.5), (4.0, 3.0))
    assert pm.Task("A", duration=9, splits=None).splits == ()


@pytest.mark.parametrize("splits, match", [
    ([(0, 2)], r"Task 'A': a split comes after some work \(after > 0"),
    ([(2, 0)], r"Task 'A': a split's gap must be > 0"),
    ([(2, -1)], r"Task 'A': a split's gap must be > 0"),
    ([(2, 1), (2, 3)], r"Task 'A': two splits after the same work \(2 working days\)"),
    ([(2, 1, 3)], r"Task 'A': a split is an \(after, gap\) pair"),
    ([("x", 1)], r"Task 'A': a split's after and gap must be numbers"),
    ("4-3", r"Task 'A': splits are written 'after\+gap'"),
    (5, r"Task 'A': splits must be \(after, gap\) pairs"),
])
def test_bad_splits_are_refused(splits, match):
    with pytest.raises(pm.ValidationError, match=match):
        pm.Task("A", duration=5, splits=splits)


def test_a_milestone_has_no_split():
    with pytest.raises(pm.ValidationError, match=r"Task 'M': a milestone has no work to split"):
        pm.Task("M", milestone=True, splits=[(1, 1)])


def test_the_gaps_add_to_the_span_and_successors_wait():
    # 5 days of work with a 3-day gap after 2: A spans 8 working days, B starts after it; both critical.
    table = pm.cpm(chain([(2, 3)])).table
    assert table.loc["A", ["early_start", "early_finish", "late_start", "late_finish", "total_float"]].tolist() == \
        [0.0, 8.0, 0.0, 8.0, 0.0]
    assert table.loc["B", ["early_start", "early_finish"]].tolist() == [8.0, 10.0]
    assert table.loc["A", "duration"] == 5.0  # the duration is the work
    # Dates: 8 working days from Mon 4 Jan end on Wed 13 Jan.
    assert pm.cpm(chain([(2, 3)])).times().loc["A", "early_finish"] == dt.datetime(2027, 1, 13, 17)


def test_a_split_the_work_does_not_reach_adds_nothing():
    assert pm.cpm(chain([(5, 3)])).table.loc["A", "early_finish"] == 5.0
    assert pm.cpm(chain([(1, 1), (6, 3)])).table.loc["A", "early_finish"] == 6.0


def test_float_of_a_split_task_beside_a_longer_path():
    # C (12 days) beside A (5 + gap 3): A's total float is 12 - 8 = 4 working days, its late start 4.
    p = pm.Project(name="x", start="2027-01-04",
                   tasks=[pm.Task("A", duration=5, splits=[(2, 3)]), pm.Task("C", duration=12)])
    row = pm.cpm(p).table.loc["A"]
    assert (row.total_float, row.late_start, row.late_finish) == (4.0, 4.0, 12.0)


def test_the_monte_carlo_keeps_the_gap_in_every_iteration():
    # Same seed, same samples of A's work (4, 5, 9: always past the split after 2 days): each iteration
    # finishes the gap's 3 days later than without the split.
    plain = pm.simulate(chain(optimistic=4, most_likely=5, pessimistic=9), iterations=2000, seed=7)
    split = pm.simulate(chain([(2, 3)], optimistic=4, most_likely=5, pessimistic=9), iterations=2000, seed=7)
    np.testing.assert_allclose(split.finish, plain.finish + 3.0, atol=1e-4)


def test_splits_round_trip_through_mspdi(tmp_path):
    p = pm.Project(name="x", start="2027-01-04", resources=[pm.Resource("dev", "Dev")],
                   tasks=[pm.Task("A", duration=3, splits=[(1, 2)]),
                          pm.Task("B", duration=4, resources={"dev": 1}, splits=[(1, 1), (3, 2)])],
                   dependencies=[pm.Dependency("A", "B")])
    path = tmp_path / "x.xml"
    write_mspdi(p, path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PmsimWarning)  # the health check of a two-task project
        q = read_mspdi(path)
    assert [t.splits for t in q.tasks] == [((1.0, 2.0),), ((1.0, 1.0), (3.0, 2.0))]
    # A: Mon 4, gap Tue 5 - Wed 6, Thu 7 - Fri 8; B: Mon 11, gap Tue 12, Wed 13 - Thu 14, gap Fri 15 - Mon 18, Tue 19.
    times = pm.cpm(q).times()
    assert times.loc["A", "early_finish"] == dt.datetime(2027, 1, 8, 17)
    assert times.loc["B", "early_finish"] == dt.datetime(2027, 1, 19, 17)


def test_formats_without_splits_say_so(tmp_path):
    with pytest.warns(pm.PmsimWarning, match=r"split tasks \(written as one stretch of work\).*task 'A'"):
        pm.write_project(chain([(2, 3)]), tmp_path / "folder")


def test_levelling_holds_the_resources_through_the_gaps_and_says_so():
    # A (4 days of work, gap of 3 after 2) and B (2 days) share one developer: levelled, B waits for A's end
    # (day 7), since the developer is held through the gap.
    p = pm.Project(name="x", start="2027-01-04", resources=[pm.Resource("dev", "Dev", capacity=1)],
                   tasks=[pm.Task("A", duration=4, resources={"dev": 1}, splits=[(2, 3)]),
                          pm.Task("B", duration=2, resources={"dev": 1})])
    with pytest.warns(pm.PmsimWarning, match=r"split tasks 'A': levelling holds their resources through their gaps"):
        s = pm.level(p)
    assert s.table.loc["A", ["start", "finish"]].tolist() == [0.0, 7.0]
    assert s.table.loc["B", ["start", "finish"]].tolist() == [7.0, 9.0]


def test_a_split_task_that_may_not_exist_is_not_simulated():
    # An iteration without the task would still wait its gaps: refused, naming the task.
    p = pm.Project(name="x", start="2027-01-04",
                   tasks=[pm.Task("A", duration=5, splits=[(2, 3)], existence=0.5), pm.Task("B", duration=2)])
    with pytest.raises(pm.ValidationError, match=r"Task 'A': a split task that may not exist"):
        pm.simulate(p, iterations=100, seed=1)


def test_crashing_refuses_a_schedule_its_links_do_not_explain():
    p = pm.Project(name="x", start="2027-01-04",
                   tasks=[pm.Task("A", duration=5, splits=[(2, 3)], crash_duration=4, crash_cost=10)])
    with pytest.raises(pm.ValidationError, match=r"lags on other calendars or split tasks\): the CPM gives 8"):
        pm.crash(p, 6)
