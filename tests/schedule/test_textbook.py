"""The textbook network against its published CPM and PERT answers.

Source: F. S. Hillier and G. J. Lieberman, Introduction to Operations Research,
8th ed., McGraw-Hill, 2005, Chapter 10 "Project Management with PERT/CPM"
(Chapter 22 in the 9th ed.): the Reliable Construction Co. project. The
activity durations (weeks), the earliest and latest start and finish times and
the slack of each activity are the chapter's table of slack for Reliable's
activities (Section 10.3); the three-point estimates and the PERT figures (mean
44, variance 9 along the critical path, P(T <= 47) ~ 0.84) are Section 10.4.
Weeks are read as working days.
"""

from __future__ import annotations

import math

import pytest

import pmsim as pm

# Activity: (duration, ES, EF, LS, LF, slack), typed in from the book.
PUBLISHED = {
    "A": (2, 0, 2, 0, 2, 0),
    "B": (4, 2, 6, 2, 6, 0),
    "C": (10, 6, 16, 6, 16, 0),
    "D": (6, 16, 22, 20, 26, 4),
    "E": (4, 16, 20, 16, 20, 0),
    "F": (5, 20, 25, 20, 25, 0),
    "G": (7, 22, 29, 26, 33, 4),
    "H": (9, 29, 38, 33, 42, 4),
    "I": (7, 16, 23, 18, 25, 2),
    "J": (8, 25, 33, 25, 33, 0),
    "K": (4, 33, 37, 34, 38, 1),
    "L": (5, 33, 38, 33, 38, 0),
    "M": (2, 38, 40, 42, 44, 4),
    "N": (6, 38, 44, 38, 44, 0),
}
# Activity: (optimistic, most likely, pessimistic), from the book.
THREE_POINT = {
    "A": (1, 2, 3), "B": (2, 3.5, 8), "C": (6, 9, 18), "D": (4, 5.5, 10), "E": (1, 4.5, 5),
    "F": (4, 4, 10), "G": (5, 6.5, 11), "H": (5, 8, 17), "I": (3, 7.5, 9), "J": (3, 9, 9),
    "K": (4, 4, 4), "L": (1, 5.5, 7), "M": (1, 2, 3), "N": (5, 5.5, 9),
}
CRITICAL_PATH = ["A", "B", "C", "E", "F", "J", "L", "N"]
DURATIONS = {k: v[0] for k, v in PUBLISHED.items()}


@pytest.fixture(scope="module")
def project():
    return pm.read_project(pm.data_path("textbook"))


@pytest.fixture(scope="module")
def schedule(project):
    return pm.cpm(project, durations=DURATIONS)


def test_the_network_is_the_books(project):
    assert [t.id for t in project.tasks] == list(PUBLISHED)
    links = {(d.predecessor, d.successor) for d in project.dependencies}
    assert links == {
        ("A", "B"), ("B", "C"), ("C", "D"), ("C", "E"), ("E", "F"), ("D", "G"), ("E", "H"),
        ("G", "H"), ("C", "I"), ("F", "J"), ("I", "J"), ("J", "K"), ("J", "L"), ("H", "M"),
        ("K", "N"), ("L", "N"),
    }
    assert all(d.type == "FS" and d.lag == 0 for d in project.dependencies)


@pytest.mark.parametrize("activity", list(THREE_POINT))
def test_three_point_estimates_give_the_published_durations(project, activity):
    estimate = project.task(activity).estimate
    o, m, p = THREE_POINT[activity]
    assert (estimate.optimistic, estimate.most_likely, estimate.pessimistic) == (o, m, p)
    # The book's duration is the PERT mean (o + 4m + p) / 6.
    assert estimate.mean == pytest.approx(DURATIONS[activity], abs=1e-12)


@pytest.mark.parametrize("activity", list(PUBLISHED))
def test_published_dates_and_slack(schedule, activity):
    _, es, ef, ls, lf, slack = PUBLISHED[activity]
    row = schedule.table.loc[activity]
    got = row[["early_start", "early_finish", "late_start", "late_finish", "total_float"]].tolist()
    assert got == [es, ef, ls, lf, slack]
    assert bool(row["critical"]) == (slack == 0)


def test_project_duration_and_critical_path(schedule):
    assert schedule.makespan == 44.0
    assert schedule.critical_path == CRITICAL_PATH


def test_free_float_derived_by_hand_from_the_published_dates(schedule):
    # Free float = earliest start of the next activity - own earliest finish
    # (project end for M): not in the book, derived from its dates.
    expected = dict.fromkeys(PUBLISHED, 0.0) | {"I": 2.0, "K": 1.0, "M": 4.0}
    assert schedule.table["free_float"].to_dict() == expected


def test_pert_mean_and_variance_of_the_critical_path(project):
    tasks = [project.task(a) for a in CRITICAL_PATH]
    mean = sum(t.estimate.mean for t in tasks)
    # PERT's variance ((p - o) / 6)^2, as the book uses.
    variance = sum(((t.estimate.pessimistic - t.estimate.optimistic) / 6) ** 2 for t in tasks)
    assert mean == pytest.approx(44.0, abs=1e-12)
    assert variance == pytest.approx(9.0, abs=1e-12)
    # Book: P(T <= 47) = P(Z <= 1) ~ 0.84.
    z = (47 - mean) / math.sqrt(variance)
    assert 0.5 * (1 + math.erf(z / math.sqrt(2))) == pytest.approx(0.8413, abs=1e-4)


def test_most_likely_schedule_is_43_weeks(project):
    # Without the means, CPM uses the most likely values: A-B-C-E-F-J-L-N is
    # 2 + 3.5 + 9 + 4.5 + 4 + 9 + 5.5 + 5.5 = 43 by hand.
    assert pm.cpm(project).makespan == 43.0


def test_deadline_and_costs(project):
    # The contract's penalty date: 47 weeks after the start.
    assert project.calendar.offset(project.start, project.deadline) + 1 == 47
    assert project.calendar.holidays == ()
    # Normal costs of the time-cost trade-off section total $4.55 million.
    assert sum(t.fixed_cost for t in project.tasks) == 4_550_000
    assert project.budget == 4_550_000
    assert "Hillier" in project.description and "Lieberman" in project.description
