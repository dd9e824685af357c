"""Statistical project control (Colin & Vanhoucke): SPI(t) and CPI against limits from the baseline's simulation."""

from __future__ import annotations

import json

import matplotlib
import numpy as np
import pandas as pd
import pytest

import pmsim as pm

matplotlib.use("Agg")

START = "2027-01-04"  # a Monday


def one_task(**costs):
    """One task of duration Uniform(8, 12): planned (median) 10 working days."""
    return pm.Project(name="one", start=START, tasks=[pm.Task("A", estimate=pm.Uniform(8, 12), **costs)])


def test_limits_follow_from_the_duration_distribution():
    # Before the task can finish (AT = 4 < 8), a simulated execution of duration D has earned
    # 1000 × 4 / D of a budget planned at 100 a day over 10 days: ES = EV / 100 = 40 / D and
    # SPI(t) = ES / AT = 10 / D. Its 5th percentile is 10 / D's 95th: 10 / (8 + 0.95 × 4) = 10 / 11.8;
    # its 95th is 10 / 8.2, its median 10 / 10. AC = 100 × D × 4 / D = 400, so CPI = EV / AC = 10 / D too.
    limits = pm.control_limits(one_task(cost_per_day=100), at=[4], iterations=20_000, seed=3, coverage=0.9)
    row = limits.loc[4.0]
    for metric in ("SPI_t", "CPI"):
        assert row[f"{metric}_low"] == pytest.approx(10 / 11.8, abs=0.004)
        assert row[f"{metric}_median"] == pytest.approx(1.0, abs=0.004)
        assert row[f"{metric}_high"] == pytest.approx(10 / 8.2, abs=0.004)
    assert row["percent_planned"] == pytest.approx(40.0)
    assert limits.attrs["coverage"] == 0.9 and limits.attrs["planned_duration"] == 10


def test_coverage_sets_the_percentiles():
    # coverage 0.5: the 25th and 75th percentiles of 10 / D: 10 / (8 + 0.75 × 4) and 10 / (8 + 0.25 × 4).
    row = pm.control_limits(one_task(cost_per_day=100), at=4, iterations=20_000, seed=3, coverage=0.5).loc[4.0]
    assert row["SPI_t_low"] == pytest.approx(10 / 11, abs=0.004)
    assert row["SPI_t_high"] == pytest.approx(10 / 9, abs=0.004)


def test_a_fixed_cost_spent_as_earned_gives_cpi_one_and_no_costs_no_cpi():
    # A fixed cost earns and is spent at the same pace whatever the duration: CPI = 1 in every execution.
    row = pm.control_limits(one_task(fixed_cost=500), at=[4], iterations=500, seed=1).loc[4.0]
    assert row["CPI_low"] == pytest.approx(1.0) and row["CPI_high"] == pytest.approx(1.0)
    free = pm.Project(name="free", start=START, tasks=[pm.Task("A", estimate=pm.Uniform(8, 12))])
    with pytest.raises(pm.PmsimError):  # earned value needs costs (as pm.earned_value does)
        pm.control_limits(free, at=[4], iterations=100, seed=1)


def test_after_the_latest_finish_every_execution_has_earned_everything():
    # At AT = 15 every execution (D <= 12) is done: ES = PD = 10 and SPI(t) = 10 / 15 in all of them.
    row = pm.control_limits(one_task(cost_per_day=100), at=[15], iterations=500, seed=2).loc[15.0]
    assert row["SPI_t_low"] == pytest.approx(10 / 15) and row["SPI_t_high"] == pytest.approx(10 / 15)


def test_same_seed_same_limits_and_default_review_periods():
    a = pm.control_limits(one_task(cost_per_day=100), iterations=300, seed=9, points=5)
    b = pm.control_limits(one_task(cost_per_day=100), iterations=300, seed=9, points=5)
    pd.testing.assert_frame_equal(a, b)
    assert a.index.tolist() == [2.0, 4.0, 6.0, 8.0, 10.0]  # five equal periods of the 10-day baseline


PROGRESS = pd.DataFrame({
    "status_date": ["2027-01-05", "2027-01-07", "2027-01-08"],
    "id": ["A", "A", "A"],
    "percent_complete": [30, 40, 40],
    "actual_cost": [300, 800, 800],
    "actual_start": [START] * 3,
})


def test_chart_flags_the_periods_outside_the_limits():
    chart = pm.control_chart(one_task(cost_per_day=100), PROGRESS, iterations=20_000, seed=3)
    d1, d2, d3 = (pd.Timestamp(d) for d in PROGRESS["status_date"])
    # Tue 5 Jan (AT 2): 30 % of 1000 earned, ES = 3, SPI(t) = 1.5 > 10 / 8.2: ahead beyond the plan's variation;
    # CPI = 300 / 300 = 1, inside [10 / 11.8, 10 / 8.2].
    assert chart.loc[d1, "AT"] == 2 and chart.loc[d1, "SPI_t"] == pytest.approx(1.5)
    assert chart.loc[d1, "SPI_t_signal"] == "above" and chart.loc[d1, "CPI_signal"] == ""
    # Thu 7 Jan (AT 4): 40 % earned, ES = 4, SPI(t) = 1 (inside); CPI = 400 / 800 = 0.5 (below).
    assert chart.loc[d2, "SPI_t"] == pytest.approx(1.0) and chart.loc[d2, "SPI_t_signal"] == ""
    assert chart.loc[d2, "CPI"] == pytest.approx(0.5) and chart.loc[d2, "CPI_signal"] == "below"
    # Fri 8 Jan (AT 5): nothing more earned, SPI(t) = 4 / 5 = 0.8 < 10 / 11.8: behind beyond the plan's variation.
    assert chart.loc[d3, "SPI_t"] == pytest.approx(0.8) and chart.loc[d3, "SPI_t_signal"] == "below"
    assert chart["out_of_control"].tolist() == [True, True, True]
    assert chart.loc[d3, "SPI_t_low"] == pytest.approx(10 / 11.8, abs=0.004)
    band = chart.attrs["limits"]
    assert len(band) == 40 and band.index[-1] == pytest.approx(10.0)


def test_bad_coverage_is_refused():
    with pytest.raises(pm.PmsimError, match="coverage"):
        pm.control_limits(one_task(cost_per_day=100), at=[4], coverage=1.5)
    with pytest.raises(pm.PmsimError, match="review times"):
        pm.control_limits(one_task(cost_per_day=100), at=[-1])


def test_plot_draws_the_band_and_marks_the_signals():
    chart = pm.control_chart(one_task(cost_per_day=100), PROGRESS, iterations=500, seed=3)
    ax = pm.plot.control_chart(chart, metric="SPI_t")
    assert "SPI(t)" in ax.get_title()
    offsets = np.concatenate([c.get_offsets() for c in ax.collections if len(c.get_offsets())])
    assert len(offsets) >= 3  # the status dates, out-of-control ones marked again
    with pytest.raises(pm.PmsimError, match="metric"):
        pm.plot.control_chart(chart, metric="SPI")


def test_report_and_cli_show_the_out_of_control_periods(tmp_path, capsys):
    from pmsim.cli import main
    from pmsim.report import build_report

    folder = tmp_path / "one"
    pm.write_project(one_task(cost_per_day=100).replace(name="One <b>task</b>"), folder)
    PROGRESS.to_csv(folder / "progress.csv", index=False)
    assert main(["status", str(folder), "--iterations", "4000", "--seed", "3", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "control chart: limits P5..P95" in out
    # As in test_chart_flags_the_periods_outside_the_limits: 5 Jan SPI(t) 1.5 above 10 / 8.2 = 1.22; 7 Jan CPI 0.5
    # below 10 / 11.8 = 0.85; 8 Jan SPI(t) 0.8 and CPI 0.5 below it.
    assert "out of control (2027-01-05): SPI(t) 1.50 is above its upper limit 1.22" in out
    assert "out of control (2027-01-07): CPI 0.50 is below its lower limit 0.85" in out
    assert "out of control (2027-01-08): SPI(t) 0.80 is below its lower limit 0.85" in out
    assert main(["status", str(folder), "--iterations", "500", "--seed", "3", "--json", "--quiet"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["SPI_t_signal"] for r in data["control"]] == ["above", "", "below"] and data["coverage"] == 0.9
    page = build_report(pm.read_project(folder), iterations=500, seed=3, progress=pm.read_progress(folder))
    control = page[page.index('<section id="control">'):]
    assert "Out of control at 3 status date(s)" in control
    assert "<li>2027-01-08: SPI(t) 0.80 below its limit, CPI 0.50 below its limit</li>" in control
    assert "<b>task</b>" not in page  # the project's name is text, escaped wherever it appears
