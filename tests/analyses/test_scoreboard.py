"""The forecast scoreboard: recorded forecasts scored against actuals (calibration, hit rates, interval scores)."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

import pmsim as pm

matplotlib.use("Agg")

START = "2027-01-04"


def plan(low, high, cost_per_day=10.0):
    return pm.Project(name="truth", start=START, tasks=[pm.Task("A", estimate=pm.Uniform(low, high),
                                                                cost_per_day=cost_per_day)])


def logged(tmp_path, project, n, seed=1):
    """A log holding the same forecast of ``project`` n times, labelled f0 .. f{n-1}."""
    log = pm.forecast_log(tmp_path / "log")
    with warnings.catch_warnings():  # the standard error warning: 4000 iterations are plenty here
        warnings.simplefilter("ignore", pm.PmsimWarning)
        sim = pm.simulate(project, iterations=4000, seed=seed)
    for i in range(n):
        log.record(sim, label=f"f{i}")
    return log


def actuals(n, low, high, seed):
    """n actual outcomes of a task of duration Uniform(low, high) at 10 a day: finish dates and costs."""
    rng = np.random.default_rng(seed)
    days = rng.uniform(low, high, n)
    cal = plan(low, high).calendar
    return pd.DataFrame({"label": [f"f{i}" for i in range(n)],
                         "actual_finish": [cal.finish_date(pd.Timestamp(START).date(), d) for d in days],
                         "actual_cost": 10.0 * days})


def test_the_log_is_a_readable_file_with_one_row_per_forecast(tmp_path):
    log = pm.forecast_log(tmp_path / "log")
    p = plan(8, 12)
    row = log.record(pm.simulate(p, iterations=500, seed=2), label="=cmd()")
    text = (tmp_path / "log" / "forecasts.csv").read_text()
    assert text.splitlines()[0].startswith("recorded,label,project,project_hash,status_date,iterations,seed,p10_finish")
    assert "'=cmd()" in text  # a formula-like label is neutralised for spreadsheets
    table = log.table()
    assert len(table) == 1 and table.loc[0, "label"] == "=cmd()"  # and read back as given
    assert table.loc[0, "status_date"] == pd.Timestamp(START)  # a plan's forecast: made at the start
    assert table.loc[0, "project_hash"] == pm.scoreboard.project_hash(p) == row["project_hash"]
    finish = table.loc[0, [f"p{q}_finish" for q in pm.scoreboard.LEVELS]]
    assert finish.is_monotonic_increasing
    # Cost = 10 a day × duration: the quantiles of cost are 10 × those of the duration.
    assert table.loc[0, "p50_cost"] == pytest.approx(100, rel=0.02)


def test_forecasts_from_the_true_distribution_are_calibrated(tmp_path):
    n = 300
    # Uniform(800, 1200) working days: a tie of an actual and a quantile on the same calendar day is rare.
    log = logged(tmp_path, plan(800, 1200), n)
    board = log.score(actuals(n, 800, 1200, seed=11))
    table = board.calibration
    # Each observed share lies in the range of Binomial(300, q) / 300 that holds 95 % of a calibrated
    # forecaster's shares (seed fixed; the ranges are about ±0.05 around q).
    assert table["calibrated"].all(), table
    assert (board.scores["verdict"] == "calibrated").all()
    # The range at q = 0.5 is the 2.5th and 97.5th percentiles of Binomial(300, 0.5) / 300: 133/300 .. 167/300.
    assert table.loc[("finish", 50), "low"] == pytest.approx(133 / 300)
    assert table.loc[("finish", 50), "high"] == pytest.approx(167 / 300)
    assert board.hit_rates.loc["finish", "P80"] == pytest.approx(0.8, abs=0.06)


def test_forecasts_too_narrow_by_a_known_factor_are_detected(tmp_path):
    n = 300
    # Forecast Uniform(950, 1050), a quarter of the true spread Uniform(800, 1200): P(actual <= P10 = 960) =
    # 160 / 400 = 0.4 instead of 0.1, P(actual <= P90 = 1040) = 0.6 instead of 0.9, and 80 % of actuals fall
    # outside P10–P90 instead of 20 %.
    log = logged(tmp_path, plan(950, 1050), n)
    board = log.score(actuals(n, 800, 1200, seed=11))
    table = board.calibration.loc["finish"]
    assert table.loc[10, "observed"] == pytest.approx(0.4, abs=0.07)
    assert table.loc[90, "observed"] == pytest.approx(0.6, abs=0.07)
    assert not table.loc[[10, 20, 80, 90], "calibrated"].any()
    assert board.scores.loc["finish", "outside_p10_p90"] == pytest.approx(0.8, abs=0.07)
    assert board.scores.loc["finish", "verdict"] == "too narrow"
    assert board.scores.loc["cost", "verdict"] == "too narrow"
    # ... and the honest forecasts score better (lower interval score) on the same actuals.
    honest = logged(tmp_path / "honest", plan(800, 1200), n).score(actuals(n, 800, 1200, seed=11))
    assert honest.scores.loc["finish", "interval_score"] < board.scores.loc["finish", "interval_score"]


def test_forecasts_too_wide_are_detected(tmp_path):
    n = 300
    # Forecast Uniform(600, 1400) for a truth of Uniform(900, 1100): P10 = 680 and P90 = 1320 catch everything.
    board = logged(tmp_path, plan(600, 1400), n).score(actuals(n, 900, 1100, seed=5))
    assert board.scores.loc["finish", "outside_p10_p90"] == 0
    assert board.scores.loc["finish", "verdict"] == "too wide"


def test_interval_score_by_hand(tmp_path):
    log = pm.forecast_log(tmp_path)
    log.record(pm.simulate(plan(8, 12), iterations=2000, seed=4), label="one")
    row = log.table().loc[0]
    late = row["p90_finish"] + pd.Timedelta(days=3)
    board = log.score(pd.DataFrame({"label": ["one"], "actual_finish": [late]}))
    # Gneiting & Raftery, α = 0.2: (P90 − P10) + 2 / 0.2 × (actual − P90), in calendar days.
    width = (row["p90_finish"] - row["p10_finish"]).days
    assert board.scores.loc["finish", "interval_score"] == pytest.approx(width + 10 * 3)
    assert board.hit_rates.loc["finish", "P90"] == 0
    assert list(board.scores.index) == ["finish"]  # no actual cost given: no cost score


def test_actuals_by_project_name_and_unscored_forecasts(tmp_path):
    log = pm.forecast_log(tmp_path)
    sim = pm.simulate(plan(8, 12), iterations=500, seed=4)
    log.record(sim, label="a")
    other = pm.simulate(plan(8, 12).replace(name="other"), iterations=500, seed=4)
    log.record(other, label="b")
    board = log.score({"truth": "2027-01-12"})  # matched on the project name: one scored, one not
    assert board.unscored == 1 and len(board.forecasts) == 1
    assert board.hit_rates.loc["finish", "P50"] == 1.0


def test_bad_input_is_refused_with_the_reason(tmp_path):
    log = pm.forecast_log(tmp_path)
    with pytest.raises(pm.PmsimError, match="no forecast"):
        log.score({"x": "2027-01-01"})
    with pytest.raises(pm.PmsimError, match="Simulation"):
        log.record("not a simulation")
    log.record(pm.simulate(plan(8, 12), iterations=200, seed=1), label="a")
    with pytest.raises(pm.PmsimError, match="not a date"):
        log.score(pd.DataFrame({"label": ["a"], "actual_finish": ["soon"]}))
    with pytest.raises(pm.PmsimError, match="label, project_hash or project"):
        log.score(pd.DataFrame({"name": ["a"], "actual_finish": ["2027-02-01"]}))
    with pytest.raises(pm.PmsimError, match="no actual matches"):
        log.score({"zzz": "2027-02-01"})
    (tmp_path / "forecasts.csv").write_text("a,b\n1,2\n")
    with pytest.raises(pm.FileFormatError, match="not a forecast log"):
        log.table()


def test_calibration_chart(tmp_path):
    n = 100
    board = logged(tmp_path, plan(950, 1050), n).score(actuals(n, 800, 1200, seed=11))
    ax = pm.plot.calibration(board)
    gids = {c.get_gid() for c in ax.collections}
    assert {"range", "observed", "outside"} <= gids
    outside = next(c for c in ax.collections if c.get_gid() == "outside")
    assert len(outside.get_offsets()) >= 4  # P10, P20, P80, P90 at least
    with pytest.raises(pm.PmsimError, match="no 'schedule'"):
        pm.plot.calibration(board, target="schedule")
