"""Risk drivers (Hulett) and opportunities: analytic answers in every engine path, file formats, bad input."""

from __future__ import annotations

import numpy as np
import pytest

import pmsim as pm
from pmsim.errors import ValidationError
from support import make_project

CHAIN = [("A", 3), ("B", 5), ("C", 7)]  # 15 working days end to end
CHAIN_LINKS = [("A", "B"), ("B", "C")]


def driver(rid="D", probability=1.0, tasks=("A", "B", "C"), **points):
    if set(points) == {"factor"}:
        points = {"most_likely": points["factor"], "distribution": "fixed"}
    return pm.Risk(rid, probability=probability, tasks=tasks, kind="driver", **points)


def with_risks(project, *risks):
    return project.replace(risks=tuple(risks))


def binomial_tolerance(p, n):
    return 4 * np.sqrt(p * (1 - p) / n)  # four standard errors of a share


# --------------------------------------------------------------------------- the analytic answers


def test_a_certain_driver_with_a_fixed_factor_multiplies_the_finish():
    p = with_risks(make_project(CHAIN, CHAIN_LINKS), driver(factor=1.5))
    sim = pm.simulate(p, iterations=2000, seed=1)
    assert np.all(sim.finish == 1.5 * 15)  # 4.5 + 7.5 + 10.5, exact in float32
    opportunity = pm.simulate(with_risks(p, driver(factor=0.5)), iterations=500, seed=1)
    assert np.all(opportunity.finish == 0.5 * 15)


def test_a_driver_of_probability_p_gives_a_two_point_mixture():
    p = with_risks(make_project(CHAIN, CHAIN_LINKS), driver(probability=0.3, factor=1.5))
    n = 20_000
    sim = pm.simulate(p, iterations=n, seed=2)
    values, counts = np.unique(sim.finish, return_counts=True)
    # One draw per iteration shared by the three tasks: either all are multiplied or none (no 16.5, 19.5, ...).
    assert values.tolist() == [15.0, 22.5]
    assert abs(counts[1] / n - 0.3) < binomial_tolerance(0.3, n)
    assert sim.risk_summary.loc["D", "occurred"] == counts[1] / n
    assert sim.risk_summary.loc["D", "mean_impact"] == 1.5  # a driver's mean factor when it occurred


def test_the_mixture_of_an_uncertain_task_matches_its_cdf():
    # One task uniform on [10, 20]; a driver doubles it with probability 0.4:
    # F(x) = 0.6 U(x) + 0.4 U(x / 2), U the uniform CDF.
    task = pm.Task("A", optimistic=10, pessimistic=20, distribution="uniform")
    p = pm.Project(name="u", start="2027-01-04", tasks=[task],
                   risks=[driver(probability=0.4, tasks=("A",), factor=2.0)])
    n = 40_000
    sim = pm.simulate(p, iterations=n, seed=3)

    def cdf(x):
        u = lambda v: np.clip((v - 10) / 10, 0, 1)  # noqa: E731
        return 0.6 * u(x) + 0.4 * u(x / 2)

    for x in (12.0, 18.0, 20.0, 25.0, 35.0):
        expected = cdf(x)
        assert abs(np.mean(sim.finish <= x) - expected) < binomial_tolerance(expected, n) + 1e-9, x
    assert sim.mean == pytest.approx(0.6 * 15 + 0.4 * 30, abs=4 * np.sqrt(sim.finish.var() / n))


def test_one_draw_is_shared_by_all_the_tasks_a_driver_names():
    # Two parallel 10-day tasks under a triangular factor (0.9, 1.0, 1.5): both take the same time in every
    # iteration, and the finish is 10 x the factor: mean 10 (0.9 + 1.0 + 1.5) / 3.
    p = pm.Project(name="shared", start="2027-01-04", tasks=[pm.Task("A", duration=10), pm.Task("B", duration=10)],
                   risks=[driver(tasks=("A", "B"), optimistic=0.9, most_likely=1.0, pessimistic=1.5,
                                 distribution="triangular")])
    n = 20_000
    sim = pm.simulate(p, iterations=n, seed=4, keep="tasks")
    assert np.array_equal(sim.task_finish[:, 0], sim.task_finish[:, 1])
    sd = 10 * np.sqrt((0.81 + 1 + 2.25 - 0.9 - 1.35 - 1.5) / 18)  # triangular variance (a²+b²+c²-ab-ac-bc)/18
    assert sim.mean == pytest.approx(10 * 3.4 / 3, abs=4 * sd / np.sqrt(n))
    assert sim.finish.min() >= 9.0 - 1e-5 and sim.finish.max() <= 15.0 + 1e-5


def test_drivers_multiply_before_events_add():
    # A: 4 days; a driver x2 and an event +3, both certain: 4 x 2 + 3 = 11 (not (4 + 3) x 2).
    p = make_project([("A", 4)])
    p = with_risks(p, pm.Risk("E", probability=1, tasks=("A",), impact=pm.Fixed(3)), driver(tasks=("A",), factor=2.0))
    assert np.all(pm.simulate(p, iterations=100, seed=1).finish == 11.0)


def test_two_drivers_on_a_task_multiply():
    p = with_risks(make_project([("A", 3)]), driver("D1", tasks=("A",), factor=2.0),
                   driver("D2", tasks=("A",), factor=1.5))
    assert np.all(pm.simulate(p, iterations=100, seed=1).finish == 9.0)


def test_a_driver_makes_the_cost_follow_the_longer_durations():
    p = make_project(CHAIN, CHAIN_LINKS)
    p = p.replace(tasks=tuple(t.replace(cost_per_day=100) for t in p.tasks),
                  risks=(pm.Risk("D", probability=1, tasks=("A", "B", "C"), kind="driver", impact=pm.Fixed(2.0),
                                 cost_impact=500),))
    sim = pm.simulate(p, iterations=100, seed=1)
    assert np.all(sim.cost == 100 * 30 + 500)


# --------------------------------------------------------------------------- every engine path


def test_a_driver_scales_correlated_durations_iteration_by_iteration():
    # Same seed, with and without a certain x2 driver: correlated draws are the same numbers, doubled.
    p = pm.Project(name="c", start="2027-01-04",
                   tasks=[pm.Task(t, optimistic=2, most_likely=4, pessimistic=9) for t in "ABC"],
                   dependencies=[pm.Dependency("A", "B")])
    groups = [(["A", "B", "C"], 0.7)]
    plain = pm.simulate(p, iterations=3000, seed=5, correlation=groups)
    doubled = pm.simulate(with_risks(p, driver(factor=2.0)), iterations=3000, seed=5, correlation=groups)
    assert np.array_equal(doubled.finish, 2 * plain.finish)


def test_a_driver_in_levelled_iterations():
    # A and B need the one developer; levelled they run one after the other, doubled by the driver.
    p = pm.Project(name="l", start="2027-01-04", resources=[pm.Resource("dev", capacity=1)],
                   tasks=[pm.Task(t, optimistic=2, most_likely=3, pessimistic=6, resources={"dev": 1}) for t in "AB"])
    plain = pm.simulate(p, iterations=2000, seed=6, levelled=True)
    doubled = pm.simulate(with_risks(p, driver(tasks=("A", "B"), factor=2.0)), iterations=2000, seed=6, levelled=True)
    assert np.all(plain.finish >= 4)  # levelled: never in parallel
    assert np.array_equal(doubled.finish, 2 * plain.finish)


def test_a_driver_multiplies_a_started_tasks_remaining_work_at_the_data_date():
    # A: 4 days, started Monday, 2 days remain at the data date (end of Wednesday, day 3); B: 3 days after A.
    # A certain x2 driver: A's remaining 2 -> 4 days, B 3 -> 6: the finish is 3 + 4 + 6 = 13 (8 without).
    tasks = [pm.Task("A", duration=4, actual_start="2027-01-04", remaining_duration=2), pm.Task("B", duration=3)]
    p = pm.Project(name="dd", start="2027-01-04", status_date="2027-01-06", tasks=tasks,
                   dependencies=[pm.Dependency("A", "B")])
    assert np.all(pm.simulate(p, iterations=200, seed=1).finish == 8.0)
    assert np.all(pm.simulate(with_risks(p, driver(tasks=("A", "B"), factor=2.0)), iterations=200, seed=1).finish
                  == 13.0)


def test_a_driver_on_another_calendar():
    # B works on a 4-day week calendar; the dated engine runs. A certain x2 driver on B doubles its working days:
    # A (Mon-Tue, 2 days) then B 3 -> 6 days of Mon-Thu: Wed, Thu, Mon, Tue, Wed, Thu: finishes Thursday 14 Jan,
    # the 9th working day of the project's Mon-Fri calendar.
    short = pm.Calendar(id="short", workdays="Mon-Thu")
    p = pm.Project(name="cal", start="2027-01-04", calendars=[short],
                   tasks=[pm.Task("A", duration=2), pm.Task("B", duration=3, calendar="short")],
                   dependencies=[pm.Dependency("A", "B")], risks=[driver(tasks=("B",), factor=2.0)])
    sim = pm.simulate(p, iterations=100, seed=1)
    assert sim.percentile(50) == pm.cpm(p.replace(tasks=(p.tasks[0], p.tasks[1].replace(duration=6)),
                                                  risks=())).finish_date
    assert str(sim.percentile(50)) == "2027-01-14"


def test_compare_and_sweep_switch_a_driver():
    p = with_risks(make_project(CHAIN, CHAIN_LINKS), driver(factor=1.5))
    rows = pm.sweep(p, {"risk:D": [False, True]}, iterations=200, seed=1)
    assert rows.sort_values("risk:D")["p80_days"].tolist() == [15.0, 22.5]
    table = pm.compare(p, [pm.Scenario("plan"), pm.Scenario("no driver", risks={"D": False})], iterations=200, seed=1)
    assert table["p80_days"].tolist() == [22.5, 15.0]


# --------------------------------------------------------------------------- opportunities


def test_an_opportunity_event_removes_days_and_cost():
    p = make_project([("A", 5), ("B", 4)], [("A", "B")])
    p = p.replace(tasks=(p.tasks[0].replace(cost_per_day=10), p.tasks[1]),
                  risks=(pm.Risk("O", probability=1, tasks=("A",), impact=pm.Fixed(-2), cost_impact=-300),))
    sim = pm.simulate(p, iterations=100, seed=1)
    assert np.all(sim.finish == 7.0)
    assert np.all(sim.cost == 10 * 3 - 300)


def test_an_opportunity_never_makes_a_duration_negative():
    p = with_risks(make_project([("A", 5), ("B", 4)], [("A", "B")]),
                   pm.Risk("O", probability=1, tasks=("A",), optimistic=-8, most_likely=-7, pessimistic=-6))
    assert np.all(pm.simulate(p, iterations=100, seed=1).finish == 4.0)  # A shrinks to 0 days, not below


def test_an_opportunity_of_probability_p_is_a_mixture():
    p = with_risks(make_project([("A", 10)]), pm.Risk("O", probability=0.25, tasks=("A",), impact=pm.Fixed(-4)))
    n = 20_000
    sim = pm.simulate(p, iterations=n, seed=8)
    values, counts = np.unique(sim.finish, return_counts=True)
    assert values.tolist() == [6.0, 10.0]
    assert abs(counts[0] / n - 0.25) < binomial_tolerance(0.25, n)


# --------------------------------------------------------------------------- files


def driver_project():
    p = make_project(CHAIN, CHAIN_LINKS)
    return with_risks(p, driver("D", probability=0.4, optimistic=0.95, most_likely=1.05, pessimistic=1.3,
                                distribution="triangular"),
                      pm.Risk("O", probability=0.2, tasks=("B",), optimistic=-3, most_likely=-2, pessimistic=-1,
                              cost_impact=-250))


@pytest.mark.parametrize("suffix", ["", ".xlsx", ".xml", ".xer"])
def test_drivers_and_opportunities_survive_a_round_trip(tmp_path, suffix):
    p = driver_project()
    path = tmp_path / f"project{suffix}"
    pm.write_project(p, path)
    back = pm.read_project(path)
    assert back.risks == p.risks
    assert [r.kind for r in back.risks] == ["driver", "event"]


def test_risks_csv_reads_kind(tmp_path):
    (tmp_path / "project.toml").write_text('name = "k"\nstart = 2027-01-04\n')
    (tmp_path / "tasks.csv").write_text("id,duration,predecessors\nA,3,\nB,5,A\n")
    (tmp_path / "risks.csv").write_text(
        "id,kind,probability,tasks,optimistic,most_likely,pessimistic,distribution\n"
        "D,Driver,1,A;B,0.9,1,1.5,triangular\n"
        "E,,0.5,B,1,2,3,\n")
    p = pm.read_project(tmp_path)
    assert [r.kind for r in p.risks] == ["driver", "event"]
    assert p.risks[0].impact == pm.Triangular(0.9, 1.0, 1.5)


def test_a_project_without_drivers_writes_no_kind_column(tmp_path):
    p = with_risks(make_project([("A", 3)]), pm.Risk("R", probability=0.5, tasks=("A",), impact=pm.Fixed(2)))
    pm.write_project(p, tmp_path / "out")
    assert "kind" not in (tmp_path / "out" / "risks.csv").read_text().splitlines()[0].split(",")


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("make, message", [
    (lambda: driver(factor=0.0), "Risk 'D': a driver's factor must be > 0 \\(it multiplies durations\\), got 0"),
    (lambda: driver(optimistic=-0.5, most_likely=1, pessimistic=1.2),
     "Risk 'D': a driver's factor must be > 0 \\(it multiplies durations\\), got -0.5"),
    (lambda: pm.Risk("D", probability=0.5, tasks=("A",), kind="driver"), "Risk 'D': a driver needs its factor"),
    (lambda: driver(tasks=(), factor=1.2), "Risk 'D': a driver needs the tasks whose durations it multiplies"),
    (lambda: pm.Risk("R", probability=0.5, kind="drive"), "Risk 'R': kind must be 'event' or 'driver', got 'drive'"),
])
def test_bad_risks_are_refused(make, message):
    with pytest.raises(ValidationError, match=message):
        make()


def test_a_bad_driver_row_names_the_file_and_row(tmp_path):
    (tmp_path / "project.toml").write_text('name = "k"\nstart = 2027-01-04\n')
    (tmp_path / "tasks.csv").write_text("id,duration\nA,3\n")
    (tmp_path / "risks.csv").write_text("id,kind,probability,tasks,optimistic,most_likely,pessimistic\n"
                                        "D7,driver,1,A,0,1,1.2\n")
    with pytest.raises(pm.PmsimError, match=r"risks\.csv, row 2 \(risk 'D7'\): a driver's factor must be > 0"):
        pm.read_project(tmp_path)
