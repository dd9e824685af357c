"""Throughput forecasts against answers computed here: constant throughput, a two-valued history (an exact
dynamic programme), team changes, splitting, growth and arrivals; dates on calendars; bad input."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

import pmsim as pm
from pmsim._kernels.backlog import forecast_periods
from pmsim.montecarlo.plan import task_stream
from pmsim.throughput import MAX_PERIODS


def weekly(counts) -> pd.DataFrame:
    return pd.DataFrame({"period": range(1, len(counts) + 1), "completed": counts})


START = "2027-01-04"  # a Monday


# ----------------------------------------------------------------------------- constant throughput


@pytest.mark.parametrize("k, items", [(5, 12), (4, 40), (7, 1), (3, 300), (10, 10)])
def test_constant_throughput_needs_ceil_items_over_k_periods_at_every_percentile(k, items):
    f = pm.forecast_backlog(weekly([k] * 20), items, start=START, iterations=500, seed=3)
    need = math.ceil(items / k)
    assert np.all(f.finish == need)
    assert f.percentile_periods([1, 50, 85, 95, 100]) == [need] * 5
    # The last working day of week `need`: the Friday, 7 * need - 3 days after the Monday start.
    friday = dt.date(2027, 1, 4) + dt.timedelta(days=7 * need - 3)
    assert f.percentile([50, 95]) == [friday, friday]
    assert f.probability_by(friday) == 1.0
    assert f.probability_by(friday - dt.timedelta(days=7)) == 0.0


# ----------------------------------------------------------------------------- a two-valued history


def exact_finish_cdf(values, probs, items, horizon):
    """P(done by the end of period n), n = 0..horizon: a dynamic programme over the items completed so far."""
    not_done = {0: 1.0}  # items completed -> probability, among iterations still running
    cdf = [0.0]
    for _ in range(horizon):
        nxt: dict[int, float] = {}
        finished = 0.0
        for s, p in not_done.items():
            for v, q in zip(values, probs):
                if s + v >= items:
                    finished += p * q
                else:
                    nxt[s + v] = nxt.get(s + v, 0.0) + p * q
        cdf.append(cdf[-1] + finished)
        not_done = nxt
    return np.array(cdf)


def exact_percentile(cdf, p):
    return int(np.argmax(cdf >= p / 100 - 1e-12))


@pytest.mark.parametrize("k1, k2, items", [(1, 4, 50), (2, 4, 83), (1, 9, 41)])
def test_two_valued_history_matches_the_exact_distribution(k1, k2, items):
    history = weekly([k1, k2] * 13)  # 26 weeks, each value half of them
    cdf = exact_finish_cdf((k1, k2), (0.5, 0.5), items, horizon=200)
    for p in (50, 85):
        n = exact_percentile(cdf, p)
        # The exact CDF steps clear of the level on both sides, so 20,000 iterations settle the percentile:
        # the standard error of an empirical CDF there is at most 0.5 / sqrt(20,000) = 0.0035.
        assert cdf[n] - p / 100 > 0.015 and p / 100 - cdf[n - 1] > 0.015
    f = pm.forecast_backlog(history, items, start=START, iterations=20_000, seed=11)
    assert f.percentile_periods([50, 85]) == [exact_percentile(cdf, 50), exact_percentile(cdf, 85)]
    simulated = np.array([np.mean(f.finish <= n) for n in range(len(cdf))])
    assert np.max(np.abs(simulated - cdf)) < 0.015  # about 4 standard errors


def test_items_by_a_date_match_the_binomial_count():
    # 6 weeks by Friday 12 Feb (the sixth week's last working day); each week completes 2 or 7 items: S = 12 + 5 J, J ~ Binomial(6, 1/2).
    f = pm.forecast_items(weekly([2, 7] * 10), by="2027-02-12", start=START, iterations=20_000, seed=5)
    assert f.periods == 6
    j = np.arange(7)
    pmf = np.array([math.comb(6, x) for x in j]) / 64
    at_least = pmf[::-1].cumsum()[::-1]  # P(J >= j)
    for c in (0.5, 0.85, 0.95):
        assert f.at_least(c) == 12 + 5 * int(j[at_least >= c].max())
    assert f.probability_at_least(12 + 5 * 4) == pytest.approx(at_least[4], abs=0.015)


# ----------------------------------------------------------------------------- the levers, exactly


def test_a_team_change_multiplies_throughput_from_its_date():
    # 5 a week for two weeks (10), then 10 a week from Monday 18 Jan: 20 more take two weeks, 4 in all.
    f = pm.forecast_backlog(weekly([5] * 10), 30, start=START, iterations=200, seed=1,
                            team_change=("2027-01-18", 2.0))
    assert np.all(f.finish == 4)
    # A change dated mid-week starts with the next whole week (Monday 25 Jan, week 4): 15 + 10 + 10 > 30.
    f = pm.forecast_backlog(weekly([5] * 10), 30, start=START, iterations=200, seed=1,
                            team_change={"2027-01-20": 2.0})
    assert np.all(f.finish == 5)


def test_window_and_recent_weights_keep_to_the_recent_periods():
    history = weekly([1] * 20 + [6] * 4)
    assert np.all(pm.forecast_backlog(history, 24, start=START, iterations=300, seed=2, window=4).finish == 4)
    # A half-life of 0.05 periods gives the older periods weights below 2**-20: never drawn in 300 iterations.
    recent = pm.forecast_backlog(history, 24, start=START, iterations=300, seed=2, half_life=0.05)
    assert np.all(recent.finish == 4)
    # With a half-life of 4, the last 4 periods carry (1 - 2**-1) of the weight; the mean throughput drawn is
    # sum(w_i x_i) / sum(w_i), which the forecast mean follows: 24 items at about that rate.
    w = 0.5 ** (np.arange(24)[::-1] / 4)
    rate = float(np.dot(w, [1] * 20 + [6] * 4) / w.sum())
    f = pm.forecast_backlog(history, 240, start=START, iterations=4000, seed=2, half_life=4)
    assert f.mean == pytest.approx(240 / rate, rel=0.03)


def test_splitting_multiplies_the_work():
    assert np.all(pm.forecast_backlog(weekly([4] * 5), 10, start=START, iterations=100, seed=1,
                                      split=(2, 2)).finish == 5)
    # One piece a week; 100 items of 1, 2 or 3 pieces: the finish is their sum, mean 200, sd sqrt(100 * 2/3).
    f = pm.forecast_backlog(weekly([1] * 5), 100, start=START, iterations=4000, seed=7, split=(1, 3))
    assert f.mean == pytest.approx(200, abs=4 * math.sqrt(200 / 3) / math.sqrt(4000))
    assert f.std == pytest.approx(math.sqrt(200 / 3), rel=0.05)


def test_growth_adds_a_share_of_the_items():
    # 10 % more of 100 items is 110; at 10 a week, 11 weeks.
    assert np.all(pm.forecast_backlog(weekly([10] * 5), 100, start=START, iterations=100, seed=1,
                                      growth=0.1).finish == 11)
    # 0-30 % more, sampled uniformly: ceil(100 g) extra items, so 10 + ceil(ceil(100 g) / 10) weeks, 10 to 13.
    f = pm.forecast_backlog(weekly([10] * 5), 100, start=START, iterations=6000, seed=1, growth=(0.0, 0.3))
    shares = [np.mean(f.finish == n) for n in (10, 11, 12, 13)]
    assert shares == pytest.approx([0.0, 1 / 3, 1 / 3, 1 / 3], abs=0.02)


def test_poisson_arrivals_match_a_dynamic_programme():
    # 10 a week against 20 items plus Poisson(3) new items a week, arriving before the week's completions:
    # done at the first n with 10 n >= 20 + A_n, A_n the arrivals so far. DP over A_n among the running.
    from scipy.stats import poisson

    rate, horizon = 3.0, 30
    running = np.zeros(400)
    running[0] = 1.0
    cdf = [0.0]
    pmf = poisson.pmf(np.arange(400), rate)
    for n in range(1, horizon + 1):
        arrived = np.convolve(running, pmf)[:400]
        done = np.arange(400) <= 10 * n - 20
        cdf.append(cdf[-1] + arrived[done].sum())
        running = np.where(done, 0.0, arrived)
    f = pm.forecast_backlog(weekly([10] * 5), 20, start=START, iterations=20_000, seed=9, arrivals=rate)
    simulated = np.array([np.mean(f.finish <= n) for n in range(horizon + 1)])
    assert np.max(np.abs(simulated - np.array(cdf))) < 0.015


def test_arrivals_faster_than_completions_never_finish():
    with pytest.raises(pm.PmsimError, match="not done within"):
        pm.forecast_backlog(weekly([1] * 5), 10, start=START, iterations=100, seed=1, arrivals=3)


# ----------------------------------------------------------------------------- reproducibility


def test_same_seed_same_numbers_whatever_the_chunk_size():
    backlog = pm.Backlog(120, tuple(np.random.default_rng(0).poisson(6, 40).astype(float)), split=(1, 3),
                         arrivals=(0.5, 1.5), growth=(0, 0.2))
    record = backlog.record(MAX_PERIODS)
    stream = task_stream(42, "backlog")
    runs = []
    for chunk in (1, 7, 1024):
        out = np.empty(3000)
        forecast_periods(stream, 0, 3000, chunk, record, out)
        runs.append(out)
    part = np.empty(1000)
    forecast_periods(stream, 2000, 1000, 64, record, part)  # any range of iterations alone
    assert np.array_equal(runs[0], runs[1]) and np.array_equal(runs[0], runs[2])
    assert np.array_equal(part, runs[0][2000:])
    h = weekly(np.random.default_rng(0).poisson(6, 40))
    a = pm.forecast_backlog(h, 120, start=START, iterations=3000, seed=42)
    b = pm.forecast_backlog(h, 120, start=START, iterations=3000, seed=42)
    c = pm.forecast_backlog(h, 120, start=START, iterations=3000, seed=43)
    assert np.array_equal(a.finish, b.finish) and not np.array_equal(a.finish, c.finish)
    with pytest.raises(ValueError):
        a.finish[0] = 1


def test_burnup_follows_the_same_draws_as_the_finish():
    f = pm.forecast_backlog(weekly([3, 4, 5, 9]), 60, start=START, iterations=500, seed=4)
    fan = f.burnup(iterations=500)
    assert len(fan) == int(f.finish.max()) + 1
    assert fan["done P5"].iloc[0] == 0 and fan["done P95"].iloc[-1] == 60
    # The median burn-up reaches the scope in the period of the median finish.
    first_full = int(np.argmax(fan["done P50"].to_numpy() >= 60))
    assert first_full == f.percentile_periods(50)
    assert (fan["scope P50"] == 60).all()


# ----------------------------------------------------------------------------- histories and dates


def test_completion_dates_are_binned_into_weeks_from_the_first_monday():
    h = pm.read_history(["2027-01-06", "2027-01-08", "2027-01-11", "2027-01-25"])  # Wed, Fri, Mon, Mon
    assert h.completed == (2.0, 1.0, 0.0, 1.0) and h.first == dt.date(2027, 1, 4)
    # The forecast starts after the history: Monday 1 Feb.
    f = pm.forecast_backlog(h, 1, iterations=50, seed=1)
    assert f.start == dt.date(2027, 2, 1)


def test_daily_history_counts_weekend_completions_on_the_next_working_day():
    h = pm.read_history(["2027-01-08", "2027-01-09", "2027-01-10", "2027-01-11"], period="day")  # Fri, Sat, Sun, Mon
    assert h.completed == (1.0, 3.0)
    # One item a working day from Monday 18 Jan with a holiday on Wednesday 20 Jan: 5 items end Mon 25 Jan.
    cal = pm.Calendar(holidays=("2027-01-20",))
    f = pm.forecast_backlog(pd.DataFrame({"period": [1, 2], "completed": [1, 1]}), 5, start="2027-01-18",
                            period="day", calendar=cal, iterations=20, seed=1)
    assert np.all(f.finish == 5) and f.percentile(50) == dt.date(2027, 1, 25)


def test_a_holiday_on_the_last_friday_moves_the_date_back():
    cal = pm.Calendar(holidays=("2027-01-22",))
    f = pm.forecast_backlog(weekly([5, 5]), 15, start=START, calendar=cal, iterations=20, seed=1)
    assert f.percentile(50) == dt.date(2027, 1, 21)


def test_dated_periods_with_gaps_complete_nothing_in_the_gap():
    h = pm.read_history(pd.DataFrame({"period": ["2027-01-04", "2027-01-18"], "completed": [3, 4]}))
    assert h.period == "week" and h.completed == (3.0, 0.0, 4.0)


def test_results_display_and_summarise():
    f = pm.forecast_backlog(weekly([5] * 4), 20, start=START, iterations=100, seed=1)
    s = f.summary()["value"]
    assert s["P85 (weeks)"] == 4 and s["P85 date"] == dt.date(2027, 1, 29)
    h = pm.read_history(weekly([5] * 4), source="<b>team</b>")
    assert "&lt;b&gt;team" in pm.forecast_backlog(h, 20, start=START, iterations=10, seed=1)._repr_html_()
    hist = f.histogram()
    assert hist.index.tolist() == [4] and hist["probability"].tolist() == [1.0]


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("history, items, match", [
    (pd.DataFrame({"period": [], "completed": []}), 10, "has no periods"),  # empty
    ([], 10, "no completion dates"),  # empty list of dates
    (weekly([0, 0, 0]), 10, "no item was completed in any of its 3 periods"),  # nothing completed
    (weekly([3, -1, 2]), 10, r"row 1: completed must be >= 0, got -1"),  # negative count, row by index
    (pd.DataFrame({"period": ["2027-01-11", "2027-01-04"], "completed": [1, 2]}), 10,
     r"row 1: period 2027-01-04 is not after the previous one"),  # dated periods out of order
    (pd.DataFrame({"period": [1, 1], "completed": [1, 2]}), 10, "row 1: period 1 is not after"),  # a period twice
    (["2027-01-05", "2027-01-04"], 10, r"date 2: completion date 2027-01-04 is before"),  # dates out of order
    (weekly([3, 4]), 0, "items must be a whole number >= 1, got 0"),  # zero items
    (weekly([3, 4]), 2.5, "items must be a whole number"),  # part of an item
    (pd.DataFrame({"week": [1], "done": [3]}), 10, "needs columns 'period' and 'completed'"),  # wrong columns
    (pd.DataFrame({"period": [1, 2], "completed": [3, None]}), 10, "row 1: completed is empty"),  # a hole
    (pd.DataFrame({"period": [1, 2], "completed": [3, "many"]}), 10, "completed must be a number"),  # text
])
def test_bad_history_or_backlog_is_refused_by_name(history, items, match):
    with pytest.raises(pm.PmsimError, match=match):
        pm.forecast_backlog(history, items, start=START, iterations=10, seed=1)


def test_a_history_file_names_the_file_and_its_row(tmp_path):
    path = tmp_path / "throughput.csv"
    path.write_text("period,completed\n1,4\n2,5\n3,-2\n")
    with pytest.raises(pm.PmsimError, match=r"throughput.csv, row 4: completed must be >= 0"):
        pm.forecast_backlog(path, 10, start=START, iterations=10, seed=1)
    path.write_text("completed_on\n2027-01-05\n2027-01-04\n")
    with pytest.raises(pm.PmsimError, match=r"throughput.csv, row 3: completion date 2027-01-04 is before"):
        pm.forecast_backlog(path, 10, start=START, iterations=10, seed=1)
    with pytest.raises(pm.PmsimError, match="no such throughput history file"):
        pm.forecast_backlog(tmp_path / "missing.csv", 10, start=START, iterations=10, seed=1)


@pytest.mark.parametrize("kwargs, match", [
    ({"split": (0, 3)}, "split must satisfy"),
    ({"split": (1.5, 3)}, "split must be whole numbers"),
    ({"growth": -0.1}, "growth must satisfy"),
    ({"arrivals": (3, 1)}, "arrivals must satisfy"),
    ({"half_life": 0}, "half_life must be a number of periods > 0"),
    ({"window": 0}, "window must be a whole number >= 1"),
    ({"team_change": ("2027-02-01", 0)}, "a team factor must be > 0"),
    ({"team_change": "2027-02-01"}, "team_change is a"),
    ({"period": "month"}, "period must be 'week' or 'day'"),
])
def test_bad_levers_are_refused(kwargs, match):
    with pytest.raises(pm.PmsimError, match=match):
        pm.forecast_backlog(weekly([3, 4, 5]), 10, start=START, iterations=10, seed=1, **kwargs)


def test_numbered_periods_need_a_start_and_by_must_follow_it():
    with pytest.raises(pm.PmsimError, match="give start="):
        pm.forecast_backlog(weekly([3, 4]), 10, iterations=10, seed=1)
    assert pm.forecast_items(weekly([3, 4]), by="2027-02-11", start=START, iterations=10, seed=1).periods == 5
    with pytest.raises(pm.PmsimError, match=r"by \(2026-12-01\) is before the start"):
        pm.forecast_items(weekly([3, 4]), by="2026-12-01", start=START, iterations=10, seed=1)
