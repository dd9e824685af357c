"""Escalation: each cost at (1 + rate) ** (years from the base date) of the date it is incurred on.

Expected values are sums written in the tests: the working days of a Monday-to-Friday calendar from Monday
2027-01-04 sit 0, 1, 2, 3, 4, 7, 8, ... calendar days on, a day's factor is (1 + r) ** (days / 365.25), a cost
per day spread over [s, f] working days pays the factor of each whole day and a share of a partial one.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import pmsim as pm
from pmsim.budget import plan_cost
from pmsim.costs import escalation_factors
from pmsim.errors import PmsimError

START = "2027-01-04"  # a Monday


def day_factors(rate: float, days: int = 400, base: str = START) -> np.ndarray:
    """The factor of working day k (Mon-Fri from START), k = 0 .. days - 1."""
    dates = np.busday_offset(np.datetime64(START), np.arange(days), roll="forward")
    offset = (dates - np.datetime64(base)).astype(np.float64)
    return (1 + rate / 100) ** (offset / 365.25)


def paid(rate: float, t: np.ndarray) -> np.ndarray:
    """∫ factor over working days [0, t]: whole days, then the share of the day t falls in."""
    f = day_factors(rate)
    whole = np.floor(t).astype(int)
    cum = np.concatenate([[0.0], np.cumsum(f)])
    return cum[whole] + (t - whole) * f[whole]


def test_factor_by_date():
    p = pm.Project(name="x", start="2027-01-01", tasks=[pm.Task("A", duration=1)], escalation=4)
    # 365 days (2027 is not a leap year) of 365.25: slightly less than a year.
    assert escalation_factors(p, ["2028-01-01"])[0] == pytest.approx(1.04 ** (365 / 365.25), rel=1e-12)
    assert escalation_factors(p, ["2026-12-31"])[0] == pytest.approx(1.04 ** (-1 / 365.25), rel=1e-12)


def test_a_fixed_task_costs_the_sum_of_its_days():
    p = pm.Project(name="x", start=START, tasks=[pm.Task("A", duration=10, cost_per_day=100, fixed_cost=500)],
                   escalation=10)
    days = day_factors(10)[:10]
    # The fixed cost spreads with the daily cost over the ten days: it escalates at their mean factor.
    expected = 100 * days.sum() + 500 * days.mean()
    assert pm.baseline_cost(p) == pytest.approx(expected, rel=1e-12)
    assert pm.cost_model(p).loc["A", "escalation_factor"] == pytest.approx(days.mean(), rel=1e-12)
    sim = pm.simulate(p, iterations=1000, seed=1)
    np.testing.assert_allclose(sim.cost, expected, rtol=1e-12)
    progress = pd.DataFrame({"id": ["A"], "percent_complete": [50], "actual_cost": [600],
                             "actual_start": ["2027-01-04"]})
    report = pm.earned_value(p, progress, status_date="2027-01-08")
    assert report.metrics["BAC"] == pytest.approx(expected, rel=1e-12)  # the escalated plan: a status date keeps it
    assert report.metrics["EV"] == pytest.approx(expected / 2, rel=1e-12)


def test_a_slip_costs_more_in_every_iteration():
    # A (3/8/30 days) -> B (5 days), 100 a day each, 15 % a year: cost = 100 x ∫ factor over [0, finish].
    p = pm.Project(name="x", start=START, tasks=[pm.Task("A", optimistic=3, most_likely=8, pessimistic=30,
                                                          cost_per_day=100),
                                                  pm.Task("B", duration=5, cost_per_day=100)],
                   dependencies=[pm.Dependency("A", "B")], escalation=15)
    sim = pm.simulate(p, iterations=3000, seed=4)
    np.testing.assert_allclose(sim.cost, 100 * paid(15, sim.finish), rtol=1e-6)
    plain = pm.simulate(p.replace(escalation=0), iterations=3000, seed=4)
    assert np.array_equal(plain.finish, sim.finish)  # escalation changes costs, never dates
    assert np.all(sim.cost > plain.cost)
    # A slip costs more than its days at today's prices: the premium over them grows with the finish.
    order = np.argsort(sim.finish, kind="stable")
    assert np.all(np.diff((sim.cost - plain.cost)[order]) >= -1e-9)


def test_project_cost_per_day_and_risk_costs_follow_the_dates():
    # A (5) -> B (5); the project's standing team 200 a day; R (certain, 0 days) costs 1,000 when B finishes:
    # working day 9, 11 calendar days after the start.
    risk = pm.Risk("R", probability=1, tasks=("B",), most_likely=0, distribution="fixed", cost_impact=1000)
    p = pm.Project(name="x", start=START, tasks=[pm.Task("A", duration=5), pm.Task("B", duration=5)],
                   dependencies=[pm.Dependency("A", "B")], risks=[risk], cost_per_day=200, escalation=20)
    f = day_factors(20)
    sim = pm.simulate(p, iterations=500, seed=2)
    np.testing.assert_allclose(sim.cost, 200 * f[:10].sum() + 1000 * f[9], rtol=1e-12)
    assert plan_cost(p) == pytest.approx(200 * f[:10].sum(), rel=1e-12)


def test_a_resource_escalates_at_its_own_rate():
    # dev (100 a day) is on a fixed-price contract (0 %), the task's own 50 a day escalates at the project's 10 %.
    p = pm.Project(name="x", start=START, tasks=[pm.Task("A", duration=10, cost_per_day=50, resources={"dev": 1})],
                   resources=[pm.Resource("dev", cost_per_day=100, escalation=0)], escalation=10)
    expected = 100 * 10 + 50 * day_factors(10)[:10].sum()
    assert pm.baseline_cost(p) == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(pm.simulate(p, iterations=300, seed=1).cost, expected, rtol=1e-12)


def test_the_base_date_moves_the_factors():
    p = pm.Project(name="x", start=START, tasks=[pm.Task("A", duration=10, cost_per_day=100)], escalation=10,
                   escalation_date="2027-01-15")
    # Costs before the base date are deflated: prices of 15 January.
    assert pm.baseline_cost(p) == pytest.approx(100 * day_factors(10, base="2027-01-15")[:10].sum(), rel=1e-12)
    assert pm.baseline_cost(p) < 1000
    with pytest.raises(PmsimError, match="escalation_date 2027-01-01 is before the start 2027-01-04"):
        p.replace(escalation_date="2027-01-01")


def test_without_escalation_the_two_cost_paths_agree():
    # The escalated path rebuilds every cost from the dates; at a rate of 1e-9 % it must give the plain path's
    # numbers: level of effort, an optional task, risks with costs, rate uncertainty, the project's cost per day.
    p = _mixed_project(dev_escalation=None)
    plain = pm.simulate(p, iterations=2000, seed=8)
    tiny = pm.simulate(p.replace(escalation=1e-9), iterations=2000, seed=8)
    np.testing.assert_allclose(tiny.cost, plain.cost, rtol=1e-9)
    levelled = p.replace(resources=p.resources[:1] + (pm.Resource("pm", cost_per_day=150, capacity=1),))
    np.testing.assert_allclose(pm.simulate(levelled.replace(escalation=1e-9), iterations=500, seed=3,
                                           levelled=True).cost,
                               pm.simulate(levelled, iterations=500, seed=3, levelled=True).cost, rtol=1e-9)


def test_the_numbers_ignore_chunk_size_and_threads():
    import numba

    p = pm.Project(name="x", start=START, tasks=[pm.Task("A", optimistic=3, most_likely=8, pessimistic=30,
                                                          cost_per_day=100)], escalation=7)
    first = pm.simulate(p, iterations=2500, seed=5)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        alone = pm.simulate(p, iterations=2500, seed=5, chunk_size=256)
    finally:
        numba.set_num_threads(threads)
    assert np.array_equal(first.cost, alone.cost)


def test_budget_burn_escalates_each_date():
    p = pm.Project(name="x", start=START, tasks=[pm.Task("A", duration=5, cost_per_day=100),
                                                  pm.Task("B", duration=15, cost_per_day=100),
                                                  pm.Task("C", duration=2, cost_per_day=100)],
                   dependencies=[pm.Dependency("A", "B"), pm.Dependency("A", "C")], escalation=25)
    f = day_factors(25)
    burn = pm.budget_burn(p, freq="D")
    # Early: C over days 5-6; late: C over days 18-19 (it has 13 days of float), dearer by the factors.
    early_c = 100 * f[5:7].sum()
    late_c = 100 * f[18:20].sum()
    ab = 100 * f[:20].sum()
    assert burn["early"].iloc[-1] == pytest.approx(ab + early_c, rel=1e-12)
    assert burn["late"].iloc[-1] == pytest.approx(ab + late_c, rel=1e-12)
    assert burn.attrs["baseline_cost"] == pytest.approx(ab + early_c, rel=1e-12)
    sim = pm.simulate(p, iterations=400, seed=1)
    bands = pm.budget_burn(p, sim, freq="W")
    assert bands["p50"].iloc[-1] == pytest.approx(np.percentile(sim.cost, 50, method="inverted_cdf"), rel=1e-9)


@pytest.mark.parametrize("toml, rule", [
    ('escalation = -100\n', "escalation is in percent per year and must be > -100"),
    ('escalation = "x"\n', "escalation"),
    ('escalation = 3\nescalation_date = 2026-12-31\n', "escalation_date 2026-12-31 is before the start"),
])
def test_bad_escalation_names_the_file_and_rule(tmp_path, toml, rule):
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "project.toml").write_text('name = "x"\nstart = 2027-01-04\n' + toml)
    (folder / "tasks.csv").write_text("id,duration,cost_per_day\nA,3,100\n")
    with pytest.raises(PmsimError) as err:
        pm.read_project(folder)
    assert "project.toml" in str(err.value) and rule in str(err.value)


def test_the_folder_keeps_escalation(tmp_path):
    p = pm.Project(name="x", start=START, tasks=[pm.Task("A", duration=3, cost_per_day=100, resources={"dev": 1})],
                   resources=[pm.Resource("dev", cost_per_day=10, escalation=2.5)], escalation=3,
                   escalation_date=dt.date(2027, 2, 1))
    back = pm.read_project(pm.write_project(p, tmp_path / "p"))
    assert (back.escalation, back.escalation_date, back.resource("dev").escalation) == (3, dt.date(2027, 2, 1), 2.5)
    assert pm.baseline_cost(back) == pm.baseline_cost(p)


def test_compare_and_sweep_take_escalation_and_keep_the_rates():
    p = pm.Project(name="x", start=START, tasks=[pm.Task("A", duration=10, cost_per_day=100, resources={"dev": 1})],
                   resources=[pm.Resource("dev", cost_per_day=50, rate_optimistic=1.2, rate_most_likely=1.2,
                                          rate_pessimistic=1.2)])
    table = pm.sweep(p, {"escalation": [0, 10]}, iterations=200, seed=1)
    f = day_factors(10)[:10]
    # 100 a day escalates with the project, dev's 50 x 1.2 too (it has no rate of its own).
    assert table["expected_cost"].tolist() == pytest.approx([1600, 160 * f.sum()], rel=1e-12)
    more = pm.Scenario("more devs", capacities={"dev": 3}, escalation=10).apply(p)
    assert more.resource("dev").rate_factor == p.resource("dev").rate_factor and more.escalation == 10
    with pytest.raises(PmsimError, match="escalation is in percent per year"):
        pm.Scenario("bad", escalation=-120)


def test_a_reforecast_escalates_the_work_left_not_the_actual_cost():
    # A (10 days) is done at the status date for 1,000 (actual, not escalated); B's 10 days then run Mon 18 Jan to
    # Fri 29 Jan, 14 .. 25 calendar days after the base (the start), at 100 a day and 10 % a year.
    p = pm.Project(name="x", start=START, tasks=[pm.Task("A", duration=10, cost_per_day=100),
                                                  pm.Task("B", duration=10, cost_per_day=100)],
                   dependencies=[pm.Dependency("A", "B")], escalation=10)
    progress = pd.DataFrame({"id": ["A"], "percent_complete": [100], "actual_cost": [1000],
                             "actual_start": ["2027-01-04"], "actual_finish": ["2027-01-15"]})
    sim = pm.simulate(p, iterations=200, seed=1, progress=progress, status_date="2027-01-15")
    days = np.array([14, 15, 16, 17, 18, 21, 22, 23, 24, 25])
    np.testing.assert_allclose(sim.cost, 1000 + 100 * (1.1 ** (days / 365.25)).sum(), rtol=1e-12)


def test_budget_bands_book_the_escalation_by_date():
    # A (5 days) -> B (15 days), 100 a day each, the standing team 50 a day, 25 % a year; R (certain, 0 days) on A
    # costs 1,000 when A finishes, at the factor of working day 4. By the end of working day w (w days elapsed):
    # 150 x the factors of days 0 .. w - 1, and 1,000 x f[4] from w = 5. The premium is paid day by day, not at
    # the finish.
    risk = pm.Risk("R", probability=1, tasks=("A",), most_likely=0, distribution="fixed", cost_impact=1000)
    p = pm.Project(name="x", start=START, tasks=[pm.Task("A", duration=5, cost_per_day=100),
                                                  pm.Task("B", duration=15, cost_per_day=100)],
                   dependencies=[pm.Dependency("A", "B")], risks=[risk], cost_per_day=50, escalation=25)
    f = day_factors(25)
    cum = np.concatenate([[0.0], np.cumsum(f)])
    burn = pm.budget_burn(p, pm.simulate(p, iterations=100, seed=1), freq="D")
    w = burn["working_day"].to_numpy().astype(int)
    expected = 150 * cum[w] + 1000 * f[4] * (w >= 5)
    np.testing.assert_allclose(burn["p50"].to_numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(burn["p90"].to_numpy(), expected, rtol=1e-12)
    # The plan's envelope (no risks in it) by date too: one path, so early = late.
    np.testing.assert_allclose(burn["early"].to_numpy(), 150 * cum[w], rtol=1e-12)
    np.testing.assert_allclose(burn["late"].to_numpy(), 150 * cum[w], rtol=1e-12)


def test_budget_bands_escalate_each_class_by_date():
    # dev (200 a day, its own 0 %) and the task's own 100 a day at the project's 40 %: by working day w,
    # 200 w + 100 x the factors of days 0 .. w - 1, over a 10-day task.
    p = pm.Project(name="x", start=START, tasks=[pm.Task("A", duration=10, cost_per_day=100, resources={"dev": 1})],
                   resources=[pm.Resource("dev", cost_per_day=200, escalation=0)], escalation=40)
    cum = np.concatenate([[0.0], np.cumsum(day_factors(40))])
    burn = pm.budget_burn(p, pm.simulate(p, iterations=50, seed=1), freq="D")
    w = burn["working_day"].to_numpy().astype(int)
    np.testing.assert_allclose(burn["p50"].to_numpy(), 200 * w + 100 * cum[w], rtol=1e-12)
    np.testing.assert_allclose(burn["early"].to_numpy(), 200 * w + 100 * cum[w], rtol=1e-12)


def _mixed_project(dev_escalation=2, **changes):
    """Level of effort, an optional task, risks with costs (one on no task), uncertain rates, and with
    ``dev_escalation`` two escalation classes (None: the project's rate only)."""
    tasks = [pm.Task("A", optimistic=2, most_likely=4, pessimistic=9, fixed_cost=300, resources={"dev": 1}),
             pm.Task("B", optimistic=1, most_likely=3, pessimistic=6, cost_per_day=40, existence=0.6,
                     fixed_cost=200),
             pm.Task("C", duration=3, resources={"dev": 2}),
             pm.Task("H", level_of_effort=True, cost_per_day=30, resources={"pm": 1})]
    links = [pm.Dependency("A", "B"), pm.Dependency("B", "C"), pm.Dependency("A", "H", "SS"),
             pm.Dependency("H", "C", "FF")]
    risks = [pm.Risk("R", probability=0.4, tasks=("C",), optimistic=1, most_likely=2, pessimistic=5, cost_impact=800),
             pm.Risk("S", probability=0.3, cost_impact=-100)]
    return pm.Project(name="x", start=START, tasks=tasks, dependencies=links, risks=risks, cost_per_day=120,
                      resources=[pm.Resource("dev", capacity=2, cost_per_day=100, rate_optimistic=0.9,
                                             rate_pessimistic=1.3, escalation=dev_escalation),
                                 pm.Resource("pm", cost_per_day=150)], **changes)


def test_the_fused_kernel_and_the_kept_dates_give_the_same_escalated_costs():
    # The fused kernel escalates each task on its own rows of dates; keep="tasks" keeps every task's dates and
    # costs them afterwards (the path of levelled and calendar runs). Same rule, same numbers: only the level of
    # effort's cost is added in another order (last bits).
    p = _mixed_project(escalation=30)
    fused = pm.simulate(p, iterations=3000, seed=8)
    kept = pm.simulate(p, iterations=3000, seed=8, keep="tasks")
    np.testing.assert_allclose(fused.cost, kept.cost, rtol=1e-13)
    assert np.array_equal(fused.finish, kept.finish)
    pd.testing.assert_series_equal(fused.criticality, kept.criticality)


def test_a_run_past_the_first_escalation_index_gives_the_same_factors():
    # 5,000 working days (past the fused kernel's first index of 4,096): the batch runs again on a longer index;
    # the cost is still 100 x the factors of days 0 .. 4,999, and criticality is counted once.
    p = pm.Project(name="x", start=START, tasks=[pm.Task("A", duration=5000, cost_per_day=100)], escalation=3)
    sim = pm.simulate(p, iterations=200, seed=1)
    np.testing.assert_allclose(sim.cost, 100 * day_factors(3, days=5000).sum(), rtol=1e-11)
    assert sim.criticality["A"] == 1.0
