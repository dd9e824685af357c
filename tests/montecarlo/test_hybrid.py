"""Hybrid plans: a task whose duration is a backlog forecast (distribution = backlog) inside a critical-path plan."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import pmsim as pm

COUNTS = [3, 7, 4, 6, 2, 8, 5, 5, 9, 1, 6, 4]  # a made-up weekly throughput history


def write_project(folder, tasks: str, history=COUNTS, toml_extra: str = "") -> None:
    folder.mkdir(exist_ok=True)
    (folder / "project.toml").write_text(f'name = "hybrid"\nstart = "2027-01-04"\n{toml_extra}')
    (folder / "tasks.csv").write_text(tasks)
    lines = "\n".join(f"{i + 1},{c}" for i, c in enumerate(history))
    (folder / "throughput.csv").write_text(f"period,completed\n{lines}\n")


def test_a_backlog_task_alone_gives_the_forecast_in_working_days_with_the_same_draws(tmp_path):
    # The task is called "backlog", the id whose stream forecast_backlog draws, so every iteration matches:
    # the task lasts 5 working days (a week of the Mon-Fri calendar) per period of the forecast.
    write_project(tmp_path, "id,distribution,items,history\nbacklog,backlog,60,throughput.csv\n")
    project = pm.read_project(tmp_path)
    sim = pm.simulate(project, iterations=5000, seed=17)
    forecast = pm.forecast_backlog(tmp_path / "throughput.csv", 60, start="2027-01-04", iterations=5000, seed=17)
    assert np.array_equal(sim.finish, forecast.finish * 5)
    # Dates: the forecast's period ends are the Fridays the schedule reaches after 5 n working days.
    assert sim.percentile([50, 85]) == forecast.percentile([50, 85])
    assert sim.criticality["backlog"] == 1.0


def test_any_backlog_task_has_the_forecasts_distribution(tmp_path):
    # Another id draws other numbers of the same law: a two-sample Kolmogorov-Smirnov distance below 0.025
    # (20,000 iterations each; the 0.1 % critical value is 1.95 sqrt(2 / 20,000) = 0.0195, and KS is
    # conservative for these whole-week steps).
    write_project(tmp_path, "id,distribution,items,history\nDEV,backlog,60,throughput.csv\n")
    sim = pm.simulate(pm.read_project(tmp_path), iterations=20_000, seed=3)
    forecast = pm.forecast_backlog(tmp_path / "throughput.csv", 60, start="2027-01-04", iterations=20_000, seed=3)
    assert stats.ks_2samp(sim.finish / 5, forecast.finish).statistic < 0.025


def test_a_hybrid_plan_adds_procurement_and_testing_around_the_backlog(tmp_path):
    tasks = ("id,name,duration,optimistic,most_likely,pessimistic,distribution,items,history,predecessors,"
             "cost_per_day\n"
             "P1,Procure servers,20,,,,,,,,100\n"
             "backlog,Build the backlog,,,,,backlog,60,throughput.csv,P1,1000\n"
             "T1,Acceptance test,,4,6,11,,,,backlog,500\n"
             "D1,Documentation,,5,10,15,,,,P1,0\n")
    write_project(tmp_path, tasks, toml_extra="budget = 200000\ndeadline = \"2027-04-30\"\n")
    project = pm.read_project(tmp_path)
    assert project.task("backlog").estimate.period_days == 5
    sim = pm.simulate(project, iterations=4000, seed=5, keep="tasks")
    forecast = pm.forecast_backlog(tmp_path / "throughput.csv", 60, start="2027-01-04", iterations=4000, seed=5)
    columns = list(project.task_ids)
    backlog_finish = sim.task_finish[:, columns.index("backlog")]
    assert np.array_equal(backlog_finish, 20 + 5 * forecast.finish)  # after 20 days of procurement
    assert sim.criticality["backlog"] == 1.0 and sim.criticality["D1"] == 0.0
    assert sim.sensitivity["backlog"] > 0.5
    # The backlog task's cost follows its sampled days: 1,000 a working day.
    fixed_part = 20 * 100
    t1 = sim.task_finish[:, columns.index("T1")] - backlog_finish
    assert np.allclose(sim.cost, fixed_part + 1000 * 5 * forecast.finish + 500 * t1, rtol=1e-5)
    # JCL counts the iterations on time and on budget, the backlog's draws included.
    on_time = sim.finish_dates <= np.datetime64("2027-04-30")
    assert pm.jcl(sim).jcl == pytest.approx(np.mean(on_time & (sim.cost <= 200_000)))
    assert 0.0 < pm.jcl(sim).jcl < 1.0
    # The deterministic plan uses the median forecast.
    assert project.task("backlog").planned_duration == 5 * forecast.percentile_periods(50)


def test_a_daily_history_counts_working_days_and_levelled_runs_sample_it_too(tmp_path):
    write_project(tmp_path, "id,distribution,items,history,resources\nbacklog,backlog,30,throughput.csv,dev:1\n")
    # Dated periods a day apart make a daily history (Wednesday 6 Jan, left out, completed nothing).
    (tmp_path / "throughput.csv").write_text("period,completed\n2027-01-04,2\n2027-01-05,1\n2027-01-07,2\n"
                                             "2027-01-08,1\n")
    (tmp_path / "resources.csv").write_text("id,capacity\ndev,1\n")
    project = pm.read_project(tmp_path)
    # A daily history: one working day a period, the days Mon 4 .. Fri 8 Jan completing 2, 1, 0, 2, 1.
    assert project.task("backlog").estimate.period_days == 1
    assert project.task("backlog").estimate.throughput == (2.0, 1.0, 0.0, 2.0, 1.0)
    forecast = pm.forecast_backlog(tmp_path / "throughput.csv", 30, start="2027-01-04",
                                   iterations=1000, seed=2)
    assert np.array_equal(pm.simulate(project, iterations=1000, seed=2, levelled=True).finish, forecast.finish)


def test_the_project_writes_back_and_reads_the_same(tmp_path):
    write_project(tmp_path, "id,distribution,items,history\nbacklog,backlog,60,throughput.csv\n")
    project = pm.read_project(tmp_path)
    frames = project.to_frames()
    row = frames["tasks"].set_index("id").loc["backlog"]
    assert row["distribution"] == "backlog" and int(row["items"]) == 60 and row["history"] == "throughput.csv"
    pm.write_project(project, tmp_path / "copy")
    (tmp_path / "copy" / "throughput.csv").write_text((tmp_path / "throughput.csv").read_text())
    assert pm.read_project(tmp_path / "copy") == project


@pytest.mark.parametrize("row, match", [
    ("backlog,backlog,,throughput.csv", "needs 'items'"),  # no items
    ("backlog,backlog,0,throughput.csv", "items must be a whole number >= 1, got 0"),  # zero items
    ("backlog,backlog,60,missing.csv", "missing.csv: no such throughput history file"),  # no file
    ("backlog,,60,throughput.csv", "'items' is read only for distribution 'backlog'"),  # items without backlog
])
def test_bad_backlog_rows_name_the_task(tmp_path, row, match):
    write_project(tmp_path, f"id,distribution,items,history\n{row}\n")
    with pytest.raises(pm.PmsimError, match=match) as info:
        pm.read_project(tmp_path)
    assert "tasks.csv, row" in str(info.value) and "'backlog'" in str(info.value)


def test_a_bad_history_file_names_its_row(tmp_path):
    write_project(tmp_path, "id,distribution,items,history\nDEV,backlog,60,throughput.csv\n", history=[3, -4, 5])
    with pytest.raises(pm.PmsimError, match=r"throughput.csv, row 3: completed must be >= 0, got -4"):
        pm.read_project(tmp_path)


def test_a_backlog_task_cannot_be_correlated(tmp_path):
    write_project(tmp_path, "id,duration,optimistic,most_likely,pessimistic,distribution,items,history\n"
                            "DEV,,,,,backlog,60,throughput.csv\nOPS,,2,4,9,,,\n")
    project = pm.read_project(tmp_path)
    with pytest.raises(pm.PmsimError, match="Task 'DEV': a backlog estimate cannot be correlated"):
        pm.simulate(project, iterations=100, seed=1, correlation=[(["DEV", "OPS"], 0.5)])


def test_the_hybrid_sample_project():
    project = pm.read_project(pm.data_path("agile/platform_hybrid"))
    dev = project.task("DEV").estimate
    team = pm.read_history(pm.data_path("agile/team_throughput.csv"))
    assert isinstance(dev, pm.Backlog) and dev.items == 120 and dev.period_days == 5
    assert dev.throughput == team.completed and len(team) == 52  # the README's "the same weekly history"
    sim = pm.simulate(project, iterations=2000, seed=1)
    assert sim.criticality["DEV"] > 0.5 and 0.0 < sim.probability_by(project.deadline) < 1.0


def test_growth_split_and_arrivals_columns_give_the_forecast_with_the_same_levers(tmp_path):
    # The columns the reader takes for forecast_backlog's growth, split and arrivals; the task is called
    # "backlog" (the stream forecast_backlog draws), so every iteration matches: 5 working days a week.
    write_project(tmp_path, "id,distribution,items,history,growth,split,arrivals\n"
                            "backlog,backlog,60,throughput.csv,0.1-0.3,1-3,0.5\n")
    project = pm.read_project(tmp_path)
    b = project.task("backlog").estimate
    assert (b.growth, b.split, b.arrivals) == ((0.1, 0.3), (1, 3), (0.5, 0.5))
    sim = pm.simulate(project, iterations=3000, seed=23)
    forecast = pm.forecast_backlog(tmp_path / "throughput.csv", 60, start="2027-01-04", iterations=3000, seed=23,
                                   growth=(0.1, 0.3), split=(1, 3), arrivals=0.5)
    assert np.array_equal(sim.finish, forecast.finish * 5)
    # Written back as the same text, and read again to the same project.
    row = project.to_frames()["tasks"].set_index("id").loc["backlog"]
    assert (row["growth"], row["split"], row["arrivals"]) == ("0.1-0.3", "1-3", "0.5")
    pm.write_project(project, tmp_path / "copy")
    (tmp_path / "copy" / "throughput.csv").write_text((tmp_path / "throughput.csv").read_text())
    assert pm.read_project(tmp_path / "copy") == project


@pytest.mark.parametrize("cells, match", [
    ("0.3-0.1,,", r"growth must satisfy 0 <= low <= high <= 100, got \(0.3, 0.1\)"),  # a range upside down
    (",1.5-3,", "split must be whole numbers of pieces"),
    (",,lots", "arrivals must be a number or a range such as '1-3', got 'lots'"),
    (",0-2,", r"split must satisfy 1 <= low <= high <= 100"),  # an item cannot become no piece
])
def test_bad_growth_split_or_arrivals_cells_name_the_row(tmp_path, cells, match):
    write_project(tmp_path, f"id,distribution,items,history,growth,split,arrivals\nDEV,backlog,60,throughput.csv,"
                            f"{cells}\n")
    with pytest.raises(pm.PmsimError, match=match) as info:
        pm.read_project(tmp_path)
    assert "tasks.csv, row" in str(info.value) and "'DEV'" in str(info.value)


def test_growth_on_a_task_that_is_not_a_backlog_is_refused(tmp_path):
    write_project(tmp_path, "id,duration,growth\nA,5,0.2\n")
    with pytest.raises(pm.PmsimError, match="'growth' is read only for distribution 'backlog'"):
        pm.read_project(tmp_path)
