"""Rate uncertainty: a three-point multiplier on a resource's cost per day, one draw per iteration and resource.

Expected values come from the cost rule written in each test: a task costs units x cost per day x the
iteration's factor x its duration, so with the factors and durations of the run the cost is checked iteration by
iteration; the factors' moments are those of the triangular distribution (mean (a + c + b) / 3).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import pmsim as pm
from pmsim.errors import PmsimError

START = "2027-01-04"  # a Monday
LOW, MODE, HIGH = 0.9, 1.0, 1.25


def dev(**rate):
    return pm.Resource("dev", **{"capacity": 5, "cost_per_day": 100, **rate})


def chain(resources=None, **extra):
    """A (5/10/20 days, 1 dev) -> B (5 days, 2 dev, fixed 300); qa (certain, 50/day) on B."""
    tasks = [pm.Task("A", optimistic=5, most_likely=10, pessimistic=20, resources={"dev": 1}),
             pm.Task("B", duration=5, fixed_cost=300, resources={"dev": 2, "qa": 1})]
    return pm.Project(name="rates", start=START, tasks=tasks, dependencies=[pm.Dependency("A", "B")],
                      resources=resources or [dev(rate_optimistic=LOW, rate_most_likely=MODE, rate_pessimistic=HIGH),
                                              pm.Resource("qa", cost_per_day=50)], **extra)


def test_a_fixed_factor_multiplies_the_resources_cost():
    # Every point 1.25: B costs 300 + (2 x 100 x 1.25 + 50) x 5 = 1,800 and A 100 x 1.25 x its duration.
    p = chain([dev(rate_optimistic=1.25, rate_most_likely=1.25, rate_pessimistic=1.25), pm.Resource("qa", cost_per_day=50)])
    sim = pm.simulate(p, iterations=2000, seed=3)
    a_days = sim.finish - 5
    np.testing.assert_allclose(sim.cost, 1800 + 125 * a_days, rtol=1e-6)


def test_one_draw_per_iteration_is_shared_by_every_task_of_the_resource():
    p = chain()
    sim = pm.simulate(p, iterations=4000, seed=11)
    f = sim.rate_factors(slice(None))["dev"].to_numpy()
    a_days = sim.finish - 5
    # A: 100 f x its days; B: 300 fixed + (200 f + 50) x 5.
    np.testing.assert_allclose(sim.cost, 100 * f * a_days + 300 + (200 * f + 50) * 5, rtol=1e-6)
    # The factor is triangular(0.9, 1.0, 1.25): mean 1.05, sd sqrt((a²+b²+c²-ab-ac-bc)/18) = 0.0736.
    sd = math.sqrt((LOW**2 + MODE**2 + HIGH**2 - LOW * MODE - LOW * HIGH - MODE * HIGH) / 18)
    assert f.min() >= LOW and f.max() <= HIGH
    assert abs(f.mean() - (LOW + MODE + HIGH) / 3) < 4 * sd / math.sqrt(4000)
    assert abs(f.std() - sd) < 0.05 * sd


def test_rates_correlate_the_costs_of_the_tasks_of_a_resource():
    # Two tasks of fixed duration and the same resource: their costs move together exactly (correlation 1), and the
    # spread of the total is the sum of the spreads, not their root sum of squares.
    p = pm.Project(name="two", start=START, tasks=[pm.Task("A", duration=10, resources={"dev": 1}),
                                                   pm.Task("B", duration=10, resources={"dev": 1})],
                   resources=[dev(rate_optimistic=LOW, rate_pessimistic=HIGH)])
    sim = pm.simulate(p, iterations=3000, seed=2)
    f = sim.rate_factors(slice(None))["dev"].to_numpy()
    np.testing.assert_allclose(sim.cost, 2000 * f, rtol=1e-12)


def test_each_resource_has_its_own_draw():
    p = pm.Project(name="two", start=START, tasks=[pm.Task("A", duration=10, resources={"dev": 1, "ops": 1})],
                   resources=[dev(rate_optimistic=LOW, rate_pessimistic=HIGH),
                              pm.Resource("ops", cost_per_day=40, rate_optimistic=0.8, rate_pessimistic=1.5)])
    sim = pm.simulate(p, iterations=3000, seed=2)
    f = sim.rate_factors(slice(None))
    assert list(f.columns) == ["dev", "ops"]
    assert abs(np.corrcoef(f["dev"], f["ops"])[0, 1]) < 0.06  # independent draws: |r| < 3.3 / sqrt(3000)
    np.testing.assert_allclose(sim.cost, 1000 * f["dev"] + 400 * f["ops"], rtol=1e-12)


def test_the_numbers_ignore_chunk_size_and_threads():
    import numba

    p = chain()
    first = pm.simulate(p, iterations=3000, seed=7)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        alone = pm.simulate(p, iterations=3000, seed=7, chunk_size=300)
    finally:
        numba.set_num_threads(threads)
    assert np.array_equal(first.cost, alone.cost)
    assert not np.array_equal(first.cost, pm.simulate(p, iterations=3000, seed=8).cost)


def test_certain_rates_give_the_same_bits_as_before():
    # A most likely of 1 and no spread draws 1 in every iteration: the cost is that of the certain rate.
    certain = chain([dev(), pm.Resource("qa", cost_per_day=50)])
    one = chain([dev(rate_optimistic=1, rate_pessimistic=1), pm.Resource("qa", cost_per_day=50)])
    assert np.array_equal(pm.simulate(certain, iterations=1500, seed=4).cost,
                          pm.simulate(one, iterations=1500, seed=4).cost)


def test_levelled_run_pays_the_same_factor():
    p = chain().replace(resources=(dev(capacity=2, rate_optimistic=LOW, rate_pessimistic=HIGH),
                                   pm.Resource("qa", cost_per_day=50)))
    p = p.replace(tasks=p.tasks + (pm.Task("C", duration=4, resources={"dev": 1}),))
    sim = pm.simulate(p, iterations=1500, seed=5, levelled=True)
    f = sim.rate_factors(slice(None))["dev"].to_numpy()
    a_days = np.concatenate([finish[:, 0] - start[:, 0] for _, start, finish in sim.iter_task_dates()])
    np.testing.assert_allclose(sim.cost, 100 * f * a_days + 300 + (200 * f + 50) * 5 + 100 * f * 4, rtol=1e-6)


def test_a_level_of_effort_task_pays_its_span_at_the_drawn_rate():
    tasks = [pm.Task("A", optimistic=2, most_likely=4, pessimistic=9), pm.Task("B", duration=3),
             pm.Task("H", level_of_effort=True, resources={"dev": 1})]
    links = [pm.Dependency("A", "B"), pm.Dependency("A", "H", "SS"), pm.Dependency("H", "B", "FF")]
    p = pm.Project(name="loe", start=START, tasks=tasks, dependencies=links,
                   resources=[dev(rate_optimistic=LOW, rate_pessimistic=HIGH)])
    sim = pm.simulate(p, iterations=2000, seed=9)
    f = sim.rate_factors(slice(None))["dev"].to_numpy()
    np.testing.assert_allclose(sim.cost, 100 * f * sim.finish, rtol=1e-6)  # H spans the whole project


def test_calendars_take_the_dated_engine_with_the_same_rule():
    p = chain(calendar=pm.Calendar(holidays=("2027-01-06",)))
    sim = pm.simulate(p, iterations=1500, seed=6, keep="tasks")
    f = sim.rate_factors(slice(None))["dev"].to_numpy()
    b_days = 5
    a_days = sim.finish - b_days
    np.testing.assert_allclose(sim.cost, 100 * f * a_days + 300 + (200 * f + 50) * b_days, rtol=1e-6)


def test_risk_ranking_and_the_jcl_read_the_rate_draws():
    p = chain(budget=3000).replace(risks=(pm.Risk("R", probability=0.5, tasks=("A",), most_likely=3,
                                                  distribution="fixed"),))
    sim = pm.simulate(p, iterations=2000, seed=1)
    ranking = sim.risk_ranking()  # the plain run without R, rates and all (no shortcut drops them)
    without = pm.simulate(p.replace(risks=()), iterations=2000, seed=1)
    f = sim.rate_factors(slice(None))["dev"]
    assert np.array_equal(f, without.rate_factors(slice(None))["dev"])  # common random numbers
    assert ranking.loc["R", "mean_cost"] == pytest.approx(sim.cost.mean() - without.cost.mean())
    assert pm.jcl(sim).p_on_budget == pytest.approx(np.mean(sim.cost <= 3000))


def test_the_folder_format_keeps_the_three_points(tmp_path):
    p = chain()
    pm.write_project(p, tmp_path / "p")
    text = (tmp_path / "p" / "resources.csv").read_text()
    assert "rate_optimistic,rate_most_likely,rate_pessimistic" in text
    back = pm.read_project(tmp_path / "p")
    assert back.resource("dev").rate_factor == pm.Triangular(LOW, MODE, HIGH)
    assert back.resource("qa").rate_factor is None
    assert np.array_equal(pm.simulate(back, iterations=500, seed=1).cost, pm.simulate(p, iterations=500, seed=1).cost)


@pytest.mark.parametrize("row, rule", [
    ("dev,,1,100,,1.3,1.0,1.2,", "rate_optimistic <= rate_most_likely <= rate_pessimistic"),  # low above mode
    ("dev,,1,100,,0.9,,,", "needs rate_optimistic and rate_pessimistic"),  # no pessimistic
    ("dev,,1,100,,0,1,1.2,", "rate_optimistic must be > 0"),  # a factor of 0 pays nothing
    ("dev,,1,100,,-0.5,1,1.2,", "rate_optimistic must be > 0"),  # a negative rate
    ("dev,,1,100,,x,1,1.2,", "rate_optimistic"),  # not a number
    ("dev,,1,100,,,,,-100", "escalation is in percent per year and must be > -100"),
])
def test_bad_rate_triples_name_the_file_row_and_rule(tmp_path, row, rule):
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "project.toml").write_text('name = "x"\nstart = 2027-01-04\n')
    (folder / "tasks.csv").write_text("id,duration,resources\nA,3,dev:1\n")
    (folder / "resources.csv").write_text(
        "id,name,capacity,cost_per_day,calendar,rate_optimistic,rate_most_likely,rate_pessimistic,escalation\n" + row)
    with pytest.raises(PmsimError) as err:
        pm.read_project(folder)
    message = str(err.value)
    assert "resources.csv" in message and "row 2" in message and "'dev'" in message
    assert rule in message


@pytest.mark.parametrize("suffix", [".xml", ".xer"])
def test_mspdi_and_xer_carry_the_rates_in_pmsims_settings(tmp_path, suffix, recwarn):
    # Neither format has a field for a rate's uncertainty: pmsim's settings text carries it (and the project's
    # cost per day and escalation), so a file pmsim wrote reads back the same cost model.
    p = chain(cost_per_day=250, escalation=3.5, escalation_date="2027-02-01")
    p = p.replace(resources=p.resources[:1] + (pm.Resource("qa", cost_per_day=50, escalation=6),))
    path = pm.write_project(p, tmp_path / f"p{suffix}")
    back = pm.read_project(path)
    assert back.resource("dev").rate_factor == pm.Triangular(LOW, MODE, HIGH)
    assert back.resource("qa").rate_factor is None and back.resource("qa").escalation == 6
    assert (back.cost_per_day, back.escalation, str(back.escalation_date)) == (250, 3.5, "2027-02-01")
    assert not [w for w in recwarn if "does not explain" in str(w.message)]  # the file's task costs are escalated
