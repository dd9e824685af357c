"""Joint confidence level (JCL) and its frontier.

The first tests use ten hand-written outcomes (finish, date, cost), so every
expected number can be checked on paper; the Monte Carlo tests check JCL
against the joint share computed independently from the Simulation arrays.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pytest

import pmsim as pm

START = "2027-01-04"  # a Monday


@dataclass
class Outcomes:
    """Ten iterations written out by hand: what jcl() reads from a Simulation."""

    project: pm.Project
    finish: np.ndarray
    finish_dates: np.ndarray
    cost: np.ndarray


@pytest.fixture
def ten():
    p = pm.Project(name="ten", start=START, budget=200, deadline="2027-01-21",
                   tasks=[pm.Task("A", optimistic=8, most_likely=12, pessimistic=20, cost_per_day=10)])
    finish = np.arange(10, 20, dtype=float)
    # The last working day of offsets 10..19 from Monday 4 January 2027.
    dates = np.array(["2027-01-15", "2027-01-18", "2027-01-19", "2027-01-20", "2027-01-21",
                      "2027-01-22", "2027-01-25", "2027-01-26", "2027-01-27", "2027-01-28"], dtype="datetime64[D]")
    cost = np.array([100, 300, 150, 250, 120, 400, 90, 500, 200, 110], dtype=float)
    return Outcomes(p, finish, dates, cost)


def test_jcl_by_hand(ten):
    r = pm.jcl(ten)  # deadline 2027-01-21 and budget 200 from the project
    # On time: the first five; on budget (<= 200): 100, 150, 120, 90, 200, 110; both: 100, 150, 120.
    assert (r.p_on_time, r.p_on_budget, r.jcl) == (0.5, 0.6, 0.3)
    assert r.deadline == dt.date(2027, 1, 21) and r.budget == 200
    assert r.scatter["on_time"].sum() == 5 and r.scatter["on_budget"].sum() == 6
    assert list(r.scatter.columns) == ["finish_date", "finish", "cost", "on_time", "on_budget"]
    assert r.to_dict() == {"jcl": 0.3, "p_on_time": 0.5, "p_on_budget": 0.6, "budget": 200.0,
                           "deadline": "2027-01-21"}


def test_jcl_arguments_override_the_project(ten):
    r = pm.jcl(ten, budget=120, deadline="2027-01-25")
    # On time: first seven; on budget: 100, 120, 90, 110; both: 100, 120, 90.
    assert (r.p_on_time, r.p_on_budget, r.jcl) == (0.7, 0.4, 0.3)


def test_jcl_defaults_without_budget_or_deadline(ten):
    ten.project = ten.project.replace(budget=None, deadline=None)
    r = pm.jcl(ten)
    assert r.budget == 120  # the baseline cost: 12 days × 10
    assert r.deadline == dt.date(2027, 1, 19)  # the CPM finish: 12 working days
    # On time: the first three (100, 300, 150); on budget: 100, 120, 90, 110; both: 100.
    assert (r.p_on_time, r.p_on_budget, r.jcl) == (0.3, 0.4, 0.1)


def test_frontier_by_hand(ten):
    front = pm.jcl_frontier(ten, target=0.3)  # 3 of the 10 iterations
    # Deadline -> the third-smallest cost among iterations finished by then; only strict improvements.
    assert front["deadline"].dt.strftime("%Y-%m-%d").tolist() == [
        "2027-01-19", "2027-01-20", "2027-01-21", "2027-01-25", "2027-01-28"]
    assert front["budget"].tolist() == [300, 250, 150, 120, 110]
    assert front["working_days"].tolist() == [12, 13, 14, 16, 19]
    assert (front["jcl"] >= 0.3).all()


def test_frontier_pairs_are_tight(ten):
    front = pm.jcl_frontier(ten, target=0.5)
    for _, row in front.iterrows():
        at = pm.jcl(ten, budget=row["budget"], deadline=row["deadline"]).jcl
        below = pm.jcl(ten, budget=row["budget"] - 1e-6, deadline=row["deadline"]).jcl
        assert at >= 0.5 > below


@pytest.mark.parametrize(
    "target",
    [
        0,       # nothing to reach
        1,       # every iteration: not a confidence level
        1.5,     # above one
        -0.2,    # negative
        70,      # percent instead of a share
        "high",  # not a number
    ],
)
def test_frontier_target_outside_open_unit_interval(ten, target):
    with pytest.raises(pm.ValidationError, match=r"target must be"):
        pm.jcl_frontier(ten, target=target)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(budget=-5), "budget must be a number >= 0"),          # a negative budget
        (dict(deadline="next spring"), "is not a date"),           # a deadline that is no date
    ],
)
def test_jcl_bad_input(ten, kwargs, message):
    with pytest.raises(pm.ValidationError, match=message):
        pm.jcl(ten, **kwargs)


def test_jcl_without_costs_is_a_clear_error(ten):
    ten.project = pm.Project(name="free", start=START, tasks=[pm.Task("A", duration=3)])
    with pytest.raises(pm.PmsimError, match="has no costs, so jcl has nothing to measure"):
        pm.jcl(ten)


# --------------------------------------------------------------------------- with the Monte Carlo engine


@pytest.fixture(scope="module")
def erp_sim():
    return pm.simulate(pm.read_project(pm.data_path("erp_upgrade")), iterations=3000, seed=11)


def test_jcl_equals_the_empirical_joint_share(erp_sim):
    p = erp_sim.project
    # Independently: the finish date of each iteration is the working day ceil(finish) - 1 counted
    # with numpy's business-day calendar from the first working day.
    cal = np.busdaycalendar(weekmask="1111100", holidays=[str(h) for h in p.calendar.holidays])
    day0 = np.busday_offset(np.datetime64(p.start, "D"), 0, roll="forward", busdaycal=cal)
    last_day = np.maximum(np.ceil(np.asarray(erp_sim.finish) - 1e-9) - 1, 0).astype(int)
    dates = np.busday_offset(day0, last_day, busdaycal=cal)
    for budget, deadline in [(None, None), (1_380_000, "2027-09-30"), (1_450_000, "2027-09-10")]:
        b = p.budget if budget is None else budget
        d = np.datetime64(p.deadline if deadline is None else deadline, "D")
        on_time = dates <= d
        on_budget = np.asarray(erp_sim.cost) <= b
        r = pm.jcl(erp_sim, budget=budget, deadline=deadline)
        assert r.p_on_time == pytest.approx(on_time.mean())
        assert r.p_on_budget == pytest.approx(on_budget.mean())
        assert r.jcl == pytest.approx((on_time & on_budget).mean())
        assert r.jcl <= min(r.p_on_time, r.p_on_budget)


def test_frontier_reaches_the_target_and_no_less_would(erp_sim):
    front = pm.jcl_frontier(erp_sim, target=0.7)
    assert len(front) > 3
    assert front["budget"].is_monotonic_decreasing and front["deadline"].is_monotonic_increasing
    dates = np.asarray(erp_sim.finish_dates)
    cost = np.asarray(erp_sim.cost)
    for _, row in front.iterrows():
        on_time = dates <= np.datetime64(row["deadline"].date(), "D")
        assert np.mean(on_time & (cost <= row["budget"])) >= 0.7
        assert np.mean(on_time & (cost < row["budget"])) < 0.7
