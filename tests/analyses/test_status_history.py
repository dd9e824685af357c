"""The status history: forecasts and earned value at each status date; the finish-date trend plot and ``pmsim status``."""

from __future__ import annotations

import datetime as dt
import json
import math
import statistics
import warnings

import matplotlib
import pandas as pd
import pytest

import pmsim as pm
from pmsim.cli import main
from test_evm_control import PROGRESS, worked_project

matplotlib.use("Agg")


def history(**kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PmsimWarning)
        return pm.status_history(worked_project(), PROGRESS, **{"iterations": 200, "seed": 5, **kw})


def test_fixed_durations_give_one_finish_per_status_date_by_hand():
    h = history()
    # Fixed durations: every Monte Carlo quantile is the CPM finish of the work left.
    for c in ("p10_finish", "p50_finish", "p80_finish", "p90_finish"):
        assert (h[c] == h["cpm_finish"]).all()
    d1, d2, d3 = (pd.Timestamp(d) for d in ("2027-01-05", "2027-01-08", "2027-01-14"))
    # Tue 5 Jan: A half done (2 of 4 days) on time: the plan holds, A-B-C end Fri 15 Jan.
    assert h.loc[d1, "cpm_finish"] == pd.Timestamp("2027-01-15")
    # Fri 8 Jan: A 75 % done leaves 1 day (Mon 11), then B (Tue 12 - Fri 15), C (Mon 18 - Tue 19).
    assert h.loc[d2, "cpm_finish"] == pd.Timestamp("2027-01-19")
    # IEAC(t) = 10 / 0.6 = 16.67 working days from Mon 4 Jan: the 17th working day, Tue 26 Jan.
    assert h.loc[d2, "es_finish"] == pd.Timestamp("2027-01-26")
    # Thu 14 Jan: B half done leaves 2 days (Fri 15, Mon 18); C, started out of sequence, keeps its last
    # day after B (retained logic): Tue 19 Jan.
    assert h.loc[d3, "cpm_finish"] == pd.Timestamp("2027-01-19")
    # The earned value columns are those of earned_value_series.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PmsimWarning)
        series = pm.earned_value_series(worked_project(), PROGRESS)
    pd.testing.assert_frame_equal(h[series.columns], series, check_freq=False)
    assert "TSPI is 1.40" in h.loc[d2, "warnings"] and h.loc[d1, "warnings"] == ""
    assert h.attrs["planned_finish"] == pd.Timestamp("2027-01-15")


def test_lipke_bounds_on_the_earned_schedule_forecast_by_hand():
    h = history()
    # Periodic SPI(t): 2/2 = 1, (3-2)/(5-2) = 1/3, (6.5-3)/(9-5) = 0.875; their logs 0, -1.0986, -0.1335.
    logs = [0.0, math.log(1 / 3), math.log(0.875)]
    spi_t = 6.5 / 9
    # At the third date: n = 3 periods, IEAC(t) = 10 / SPI(t) = 13.85 days, so N = 3 x 13.85 / 9 = 4.62 periods;
    # finite population factor sqrt((N - 3) / (N - 1)); z = 1.2816 for 80 % two-sided.
    n_whole = 3 * (10 / spi_t) / 9
    half = 1.2815516 * statistics.stdev(logs) / math.sqrt(3) * math.sqrt((n_whole - 3) / (n_whole - 1))
    low, high = 10 / math.exp(math.log(spi_t) + half), 10 / math.exp(math.log(spi_t) - half)
    assert (round(low, 2), round(high, 2)) == (10.29, 18.62)
    cal = worked_project().calendar
    d3 = pd.Timestamp("2027-01-14")
    assert h.loc[d3, "es_low_finish"] == pd.Timestamp(cal.finish_date("2027-01-04", low))    # Fri 15 Jan
    assert h.loc[d3, "es_high_finish"] == pd.Timestamp(cal.finish_date("2027-01-04", high))  # Thu 28 Jan
    assert h.loc[d3, "es_low_finish"] <= h.loc[d3, "es_finish"] <= h.loc[d3, "es_high_finish"]
    assert pd.isna(h.iloc[0]["es_low_finish"])  # one period gives no spread


def test_sample_project_with_four_status_dates():
    folder = pm.data_path("software_rollout")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PmsimWarning)
        h = pm.status_history(pm.read_project(folder), folder, iterations=300, seed=11)
        again = pm.status_history(pm.read_project(folder), folder, iterations=300, seed=11)
    pd.testing.assert_frame_equal(h, again)  # the same seed, the same history
    assert [d.date() for d in h.index] == [dt.date(2027, 2, 26), dt.date(2027, 3, 31), dt.date(2027, 4, 30),
                                           dt.date(2027, 5, 28)]
    assert ((h["p10_finish"] <= h["p50_finish"]) & (h["p50_finish"] <= h["p80_finish"])
            & (h["p80_finish"] <= h["p90_finish"])).all()
    # The made-up data runs late (durations +10-35 %): SPI(t) below 1 at every date, and the CPM finish of the
    # work left slips from one status date to the next.
    assert (h["SPI_t"] < 1).all() and h["cpm_finish"].is_monotonic_increasing


def test_finish_trend_plot():
    ax = pm.plot.finish_trend(history())
    assert sorted(line.get_gid() for line in ax.lines) == ["cpm", "es", "p50", "p80", "planned_finish"]
    assert [c.get_gid() for c in ax.collections] == ["band", "es_bounds"]
    (p50,) = [line for line in ax.lines if line.get_gid() == "p50"]
    # Three status dates; a finish date is drawn at the end of its day.
    assert list(p50.get_xdata()) == pytest.approx(matplotlib.dates.date2num(
        [dt.datetime(2027, 1, 5), dt.datetime(2027, 1, 8), dt.datetime(2027, 1, 14)]))
    assert p50.get_ydata()[1] == pytest.approx(matplotlib.dates.date2num(dt.datetime(2027, 1, 20)))
    with pytest.raises(pm.ValidationError, match="finish_trend needs the table of pm.status_history"):
        pm.plot.finish_trend(pd.DataFrame({"x": [1]}))


def test_status_history_needs_dated_progress():
    with pytest.raises(pm.ValidationError, match="needs a status_date column"):
        pm.status_history(worked_project(), PROGRESS.drop(columns="status_date").iloc[:1])


def test_pmsim_status_cli(capsys):
    folder = str(pm.data_path("software_rollout"))
    assert main(["status", folder, "--iterations", "100", "--seed", "3", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "Warehouse system rollout: forecast finish by status date (100 iterations, seed 3)" in out
    assert out.count("2027-0") >= 4 and "TSPI" in out
    assert main(["status", folder, "--iterations", "100", "--seed", "3", "--json", "--quiet"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [row["status_date"] for row in data["history"]] == ["2027-02-26", "2027-03-31", "2027-04-30", "2027-05-28"]
    assert {"cpm_finish", "p10_finish", "p90_finish", "es_finish", "TSPI", "P_factor", "warnings"} <= set(data["history"][0])
