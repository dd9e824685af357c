"""The Monte Carlo re-forecast from progress: a progress table and the progress on the tasks are one path.

2027-01-04 is a Monday; the standard calendar works 08:00-12:00 and 13:00-17:00, Monday to Friday.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pmsim as pm
from pmsim.reforecast import remaining_work

START = "2027-01-04"
SEVEN = pm.Calendar(workdays="Mon-Sun", hours="08:00-16:00", hours_per_day=8, id="7d")
RULES = ["retained_logic", "progress_override", "ms_project"]


def progress(*rows):
    cols = ["id", "percent_complete", "remaining_duration", "actual_cost", "actual_start", "actual_finish"]
    return pd.DataFrame([list(r) + [None] * (6 - len(r)) for r in rows], columns=cols)


def two_calendars(rule="retained_logic", **estimate):
    """A (3 d) -> B (4 d on a 7-day calendar) -> C (2 d); E (3 d) -> D (2 d); A -> D. Fixed durations."""
    def task(tid, days, **kw):
        if estimate:
            kw.update(optimistic=days * estimate["low"], most_likely=days, pessimistic=days * estimate["high"])
        else:
            kw["duration"] = days
        return pm.Task(tid, **kw)

    return pm.Project(
        name="re", start=START, calendars=[SEVEN], progress_rule=rule,
        tasks=[task("A", 3, cost_per_day=100), task("B", 4, cost_per_day=200, fixed_cost=100, calendar="7d"),
               task("C", 2, cost_per_day=50), task("E", 3, cost_per_day=60), task("D", 2, cost_per_day=80)],
        dependencies=[pm.Dependency("A", "B"), pm.Dependency("B", "C"), pm.Dependency("E", "D"),
                      pm.Dependency("A", "D")])


# Data date: the end of Saturday 9. A is done; B (7-day calendar) started Thursday and is half done; D started
# on Friday out of sequence (its predecessor E has not started) with 1 day left.
TABLE = progress(("A", 100, None, 320, "2027-01-04", "2027-01-06"),
                 ("B", 50, None, 500, "2027-01-07T08:00"),
                 ("D", None, 1, 80, "2027-01-08"))
STATUS = "2027-01-09"


@pytest.mark.parametrize("rule", RULES)
def test_with_fixed_durations_every_iteration_is_the_cpm_from_the_data_date(rule):
    p = two_calendars(rule)
    sim = pm.simulate(p, iterations=300, seed=2, keep="tasks", progress=TABLE, status_date=STATUS)
    s = pm.cpm(p.with_progress(TABLE, STATUS))
    assert sim.finish.min() == pytest.approx(s.makespan, abs=1e-4)
    assert sim.finish.max() == pytest.approx(s.makespan, abs=1e-4)
    np.testing.assert_allclose(sim.task_finish[0], s.table["finish"].to_numpy(), atol=1e-3)
    # Cost by hand: spent 320 + 500 + 80 = 900; left: B 2 of its 4 days at 200 and half its fixed 100 (450),
    # C 2 x 50, E 3 x 60, D half of its 2 days at 80 (it has worked Friday, 1 day is left).
    assert sim.cost.min() == pytest.approx(900 + 450 + 100 + 180 + 80)
    assert sim.cost.max() == pytest.approx(sim.cost.min())


def test_the_rules_schedule_the_out_of_sequence_work_differently():
    # D worked Friday although E has not started. Retained logic: D's last day waits for E (Monday to
    # Wednesday) and runs Thursday 14. Progress override: it runs on Monday 11, ignoring E.
    finish = {rule: pm.cpm(two_calendars(rule).with_progress(TABLE, STATUS)).times().loc["D", "finish"]
              for rule in RULES[:2]}
    assert finish == {"retained_logic": pd.Timestamp("2027-01-14 17:00"),
                      "progress_override": pd.Timestamp("2027-01-11 17:00")}


def test_a_progress_table_and_progress_on_the_tasks_simulate_alike():
    p = two_calendars(low=0.8, high=1.6)
    by_table = pm.simulate(p, iterations=500, seed=5, progress=TABLE, status_date=STATUS)
    on_tasks = pm.simulate(p.with_progress(TABLE, STATUS), iterations=500, seed=5)
    assert np.array_equal(by_table.finish, on_tasks.finish)
    assert np.array_equal(by_table.cost, on_tasks.cost)
    # The Simulation keeps the project it was given; its remaining work holds the progressed one.
    assert by_table.project is p and by_table.remaining.project.task("B").percent_complete == 50


def test_the_remaining_work_keeps_the_estimate_s_spread():
    # B's estimate is 3.2 .. 6.4 days around 4; half is done, so its remaining work is 1.6 .. 3.2 days and
    # costs 200 a day for it: 320 .. 640, plus half its fixed 100.
    p = two_calendars(low=0.8, high=1.6)
    work = remaining_work(p, TABLE, STATUS)
    assert work.cost_share.tolist() == pytest.approx([0, 0.5, 1, 1, 0.5])
    assert work.fixed_left.tolist() == pytest.approx([0, 50, 0, 0, 0])
    assert work.actual_cost == 900 and work.data_time == 5
    sim = pm.simulate(p, iterations=4000, seed=3, progress=TABLE, status_date=STATUS)
    least = 900 + 200 * 1.6 + 50 + 50 * 1.6 + 60 * 2.4 + 80 * 0.5 * 1.6
    most = 900 + 200 * 3.2 + 50 + 50 * 3.2 + 60 * 4.8 + 80 * 0.5 * 3.2
    assert least - 1e-6 <= sim.cost.min() and sim.cost.max() <= most + 1e-6


def test_the_same_numbers_as_the_first_re_forecast_where_the_rules_agree():
    # The ERP sample at its first status date, without risks. The first implementation (pmsim at commit
    # eb831bd, before progress moved onto the tasks) started the remaining work of a started task at the data
    # date whatever its predecessors, which is P6's progress override, and gave for 2000 iterations with seed
    # 8: mean finish 154.65644573 working days, P50 154.53428650, P80 158.56582642, mean cost 1342232.8736.
    p = pm.read_project(pm.data_path("erp_upgrade")).replace(progress_rule="progress_override")
    table = pm.read_progress(pm.data_path("erp_upgrade"))
    sim = pm.simulate(p, iterations=2000, seed=8, progress=table, status_date="2027-03-31", risks=False)
    assert float(np.mean(sim.finish, dtype=np.float64)) == pytest.approx(154.65644573, abs=1e-4)
    assert sim.percentile_days([50, 80]) == pytest.approx([154.53428650, 158.56582642], abs=1e-4)
    assert float(np.mean(sim.cost)) == pytest.approx(1342232.8736, abs=0.01)


def test_risks_of_finished_tasks_are_closed():
    p = two_calendars().replace(risks=(pm.Risk("RA", probability=1, tasks=("A",), cost_impact=1000),
                                       pm.Risk("RC", probability=1, tasks=("C",), cost_impact=10)))
    sim = pm.simulate(p, iterations=50, seed=1, progress=TABLE, status_date=STATUS)
    assert list(sim.risk_summary.index) == ["RC"]
    assert sim.cost.min() == pytest.approx(1710 + 10)


def test_everything_finished_is_the_actual_finish_and_cost():
    p = pm.Project(name="done", start=START, progress_rule="ms_project",
                   tasks=[pm.Task("A", optimistic=2, most_likely=3, pessimistic=6, cost_per_day=100),
                          pm.Task("B", optimistic=3, most_likely=4, pessimistic=8, cost_per_day=100)],
                   dependencies=[pm.Dependency("A", "B")])
    done = progress(("A", 100, None, 450, "2027-01-04", "2027-01-07"),
                    ("B", 100, None, 380, "2027-01-08", "2027-01-13"))   # last day: Wednesday 13
    sim = pm.simulate(p, iterations=200, seed=3, progress=done, status_date="2027-01-25")
    assert set(np.asarray(sim.finish_dates).astype(str)) == {"2027-01-13"}
    assert np.all(np.asarray(sim.finish) == 8)  # 4 Jan .. 13 Jan is 8 working days
    assert np.all(np.asarray(sim.cost) == pytest.approx(450 + 380))


def test_budget_bands_of_a_re_forecast_start_at_the_data_date_with_the_actual_cost():
    p = two_calendars(low=0.8, high=1.6)
    sim = pm.simulate(p, iterations=2000, seed=4, progress=TABLE, status_date=STATUS)
    burn = pm.budget_burn(p, sim, freq="D")
    assert burn.loc[:"2027-01-07", "p50"].isna().all()
    # By the end of the data date, a Saturday, the project calendar has worked 5 days, as by the end of
    # Friday: from then on the bands hold the actual cost. (The bands count time in working days of the
    # project calendar, so B's Sunday work shows from Monday.)
    assert burn.loc["2027-01-08":"2027-01-10", "p90"].tolist() == pytest.approx([900, 900, 900])
    assert burn["p50"].iloc[-1] == pytest.approx(np.percentile(sim.cost, 50, method="inverted_cdf"))


def test_bad_input():
    p = two_calendars()
    with pytest.raises(pm.ValidationError, match="status_date= needs progress="):
        pm.simulate(p, iterations=10, seed=1, status_date=STATUS)
    with pytest.raises(pm.UnknownReferenceError, match="has no task 'Z'"):
        pm.simulate(p, iterations=10, seed=1, progress=progress(("Z", 10, None, 5)), status_date=STATUS)
    with pytest.raises(pm.ValidationError, match="needs a status_date"):
        pm.simulate(p, iterations=10, seed=1, progress=progress(("A", 10, None, 5, START)))
