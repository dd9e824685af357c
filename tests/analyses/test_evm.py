"""Earned value and earned schedule: published worked examples, identities, bad input.

Every expected number in the "published" tests is typed in from the cited
source (or is that source's own arithmetic on its own inputs); none comes
from pmsim. Periods of a source (hours, months, weeks) become working days
(or 5-day weeks) of a project built so that its planned value per period is
the published one.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings

import numpy as np
import pandas as pd
import pytest

import pmsim as pm
from pmsim.evm import METRICS, earned_schedule, planned_value_curve
from pmsim.io.progress_table import check_progress

START = "2027-01-04"  # a Monday


def serial(budgets, days=1, **settings):
    """Tasks T1..Tn in series, each ``days`` working days long, costing budgets[i] (spread evenly)."""
    tasks = [pm.Task(f"T{i + 1}", duration=days, cost_per_day=b / days) for i, b in enumerate(budgets)]
    links = [pm.Dependency(f"T{i}", f"T{i + 1}") for i in range(1, len(budgets))]
    return pm.Project(name="serial", start=START, tasks=tasks, dependencies=links, **settings)


def progress(*rows):
    """A progress table from (id, percent_complete, actual_cost[, actual_start, actual_finish]) tuples."""
    cols = ["id", "percent_complete", "actual_cost", "actual_start", "actual_finish"]
    return pd.DataFrame([list(r) + [None] * (5 - len(r)) for r in rows], columns=cols)


# --------------------------------------------------------------------------- published examples


def test_ms_project_spi_field_example():
    # Microsoft Project help, "SPI fields" (support.microsoft.com, Project 2016-2024), Example:
    # a four-day task with a total planned budget of $100; after two days BCWS is $50;
    # after two days of actual work 60 percent is complete (BCWP $60) at a cost of $60;
    # SPI = BCWP / BCWS = 60 / 50 = 1.2.
    p = pm.Project(name="ms", start=START, tasks=[pm.Task("A", duration=4, cost_per_day=25)])
    r = pm.earned_value(p, progress(("A", 60, 60, START)), "2027-01-05")  # end of day 2
    assert r.metrics["BAC"] == 100
    assert r.metrics["PV"] == pytest.approx(50)
    assert r.metrics["EV"] == pytest.approx(60)
    assert r.metrics["SPI"] == pytest.approx(1.2)
    assert r.metrics["CPI"] == pytest.approx(1.0)  # 60 / 60


def pra_project():
    # PRA R package documentation (Govan, PRA: spi(), cpi(), eac(), etc(); after Damnjanovic &
    # Reinschmidt, "Data analytics for engineering and construction project risk management",
    # Springer 2020): BAC = 100,000 with a cumulative planned schedule of 10, 20, 40, 70, 100 %
    # per period. One period = one working day here.
    return serial([10_000, 10_000, 20_000, 30_000, 30_000])


def test_pra_spi_example():
    # PRA spi() example: time period 3, 35 % complete -> PV 40,000, EV 35,000,
    # "Schedule Performance Index (SPI): 0.875". cpi() example: cumulative actual costs
    # 9,000, 18,000, 36,000, ... -> AC at period 3 = 36,000.
    table = progress(("T1", 100, 9_000, "2027-01-04", "2027-01-04"),
                     ("T2", 100, 9_000, "2027-01-05", "2027-01-05"),
                     ("T3", 75, 18_000, "2027-01-06"))
    r = pm.earned_value(pra_project(), table, "2027-01-06")  # end of period 3
    m = r.metrics
    assert (m["BAC"], m["PV"], m["EV"], m["AC"]) == pytest.approx((100_000, 40_000, 35_000, 36_000))
    assert m["SPI"] == pytest.approx(0.875)
    assert m["CPI"] == pytest.approx(35_000 / 36_000)
    # Earned schedule by hand: PV_2 = 20,000 <= 35,000 < PV_3 = 40,000 -> ES = 2 + 15/20 = 2.75.
    assert m["ES"] == pytest.approx(2.75)
    assert m["SV_t"] == pytest.approx(-0.25)


def test_pra_eac_atypical_and_etc_examples():
    # PRA eac() example "Method 2: Atypical": BAC 100,000, AC 63,000, EV 35,000 ->
    # "EAC (atypical): 128000"; etc() example: "ETC (planned rate): 65000" (= BAC - EV).
    table = progress(("T1", 100, 20_000), ("T2", 100, 20_000), ("T3", 75, 23_000))
    r = pm.earned_value(pra_project(), table, "2027-01-06", eac="atypical")
    assert r.metrics["EV"] == pytest.approx(35_000)
    assert r.metrics["AC"] == pytest.approx(63_000)
    assert r.metrics["EAC_atypical"] == pytest.approx(128_000)
    assert r.metrics["ETC"] == pytest.approx(65_000)
    assert r.metrics["VAC"] == pytest.approx(-28_000)


def test_ce_board_exam_eac_cpi_example():
    # ceboardexamgenerator.com, "Project control and earned value", Estimate at Completion:
    # BAC = P5,000,000, EV = P1,500,000, AC = P1,800,000; "assuming the current cost
    # efficiency continues" EAC = BAC / CPI = 5,000,000 / (1.5 / 1.8) = P6,000,000.
    p = pm.Project(name="building", start=START, tasks=[pm.Task("build", duration=10, cost_per_day=500_000)])
    r = pm.earned_value(p, progress(("build", 30, 1_800_000, START)), "2027-01-08")
    assert r.metrics["EAC_cpi"] == pytest.approx(6_000_000)
    assert r.metrics["VAC"] == pytest.approx(-1_000_000)


def test_questpond_bread_project_example():
    # "Earned value" tutorial, questpond (geocities.ws/projectmanagementquestpond/earnedvalue.htm):
    # 400 breads at $0.02 in 10 hours (BAC $8), 120 planned by hour 3 (PV $2.4), 80 made
    # (EV $1.6) at a cost of $3: SV = -0.8, CV = -1.4, CPI = 0.53,
    # TCPI = (8 - 1.6) / (8 - 3) = 1.28. (Its SPI line prints 0.6; 1.6 / 2.4 is 0.667.)
    # One hour = one working day here.
    p = pm.Project(name="bread", start=START, tasks=[pm.Task("bake", duration=10, cost_per_day=0.8)])
    r = pm.earned_value(p, progress(("bake", 20, 3, START)), "2027-01-06")  # end of hour 3
    m = r.metrics
    assert (m["BAC"], m["PV"], m["EV"], m["AC"]) == pytest.approx((8, 2.4, 1.6, 3))
    assert m["SV"] == pytest.approx(-0.8)
    assert m["CV"] == pytest.approx(-1.4)
    assert round(m["CPI"], 2) == 0.53
    assert m["TCPI_bac"] == pytest.approx(1.28)
    assert m["SPI"] == pytest.approx(1.6 / 2.4)


@pytest.mark.parametrize(
    "at_week, es_week, sv_t_weeks, spi_t",
    [
        # HKSM definitions, "Earned Schedule (ES)" (hksmnow.com): AT = 20 weeks, the EV equals
        # the PV planned for week 18 -> ES = 18 weeks, SV(t) = -2 weeks, SPI(t) = 0.90.
        (20, 18, -2, 0.90),
        # Same page, PMP example question: AT = 24 weeks and ES = 21 weeks -> SV(t) = -3 weeks.
        (24, 21, -3, 21 / 24),
    ],
)
def test_earned_schedule_in_weeks(at_week, es_week, sv_t_weeks, spi_t):
    # A 30-week task (5-day weeks) planning 50 per week: EV of es_week weeks = 50 × es_week.
    p = pm.Project(name="weeks", start=START, tasks=[pm.Task("W", duration=150, cost_per_day=10)])
    status = pd.Timestamp(START) + pd.Timedelta(weeks=at_week) - pd.Timedelta(days=3)  # that week's Friday
    pct = 100 * es_week * 50 / 1500
    r = pm.earned_value(p, progress(("W", pct, 1000, START)), status.date())
    assert r.actual_time == 5 * at_week
    assert r.metrics["ES"] / 5 == pytest.approx(es_week)
    assert r.metrics["SV_t"] / 5 == pytest.approx(sv_t_weeks)
    assert r.metrics["SPI_t"] == pytest.approx(spi_t)
    assert r.metrics["IEAC_t"] == pytest.approx(150 / spi_t)  # IEAC(t) = PD / SPI(t)


def test_lipke_late_finish_project():
    # Lipke, "Schedule is Different", The Measurable News, March 2003: at the completion of a
    # late project SV = 0 and SPI = 1.00 ("perfect schedule performance"), while the earned
    # schedule indicators stay right: ES = PD, SV(t) = PD - AT < 0, SPI(t) = PD / AT < 1.
    p = serial([100, 100, 100, 100], days=5)  # PD = 20 working days
    done = progress(*[(f"T{i}", 100, 100) for i in range(1, 5)])
    with pytest.warns(pm.PmsimWarning, match="TCPI_bac is undefined"):  # nothing left to do or spend
        r = pm.earned_value(p, done, "2027-02-12")  # end of working day 30
    assert r.metrics["SV"] == 0 and r.metrics["SPI"] == 1.0
    assert r.metrics["ES"] == 20
    assert r.metrics["SV_t"] == -10
    assert r.metrics["SPI_t"] == pytest.approx(20 / 30)
    assert r.metrics["IEAC_t"] == pytest.approx(30)  # the actual duration


def test_lipke_es_rule_by_month():
    # Lipke's ES construction ("Earned Schedule Concept", earnedschedule.com): all PV through
    # May is earned and part of June: ES = 5 + (EV - PV_May) / (PV_Jun - PV_May), with AT = 7.
    # Hand-worked: monthly PV 100, 200, 300, 400, 500, 600, 700 -> cumulative
    # 100 .. 2800; EV = 1700 lies between PV_May = 1500 and PV_Jun = 2100 -> ES = 5 + 200/600.
    pv = np.cumsum([0, 100, 200, 300, 400, 500, 600, 700])
    assert earned_schedule(pv, 1700) == pytest.approx(5 + 200 / 600)
    assert earned_schedule(pv, 1500) == 5  # exactly May's PV
    assert earned_schedule(pv, 0) == 0
    assert earned_schedule(pv, 2800) == 7  # complete: ES = PD


# --------------------------------------------------------------------------- conventions


def test_status_date_is_end_of_day_and_pv_is_linear():
    # A 5-day task starting on the status date has 1/5 of its value planned by then.
    p = serial([100, 500], days=5)
    r = pm.earned_value(p, progress(("T1", 100, 100)), "2027-01-11")  # Monday of week 2
    assert r.tasks.loc["T2", "PV"] == pytest.approx(100)
    assert r.metrics["PV"] == pytest.approx(200)
    # A Saturday counts the work up to Friday.
    sat = pm.earned_value(p, progress(("T1", 100, 100)), "2027-01-09")
    assert sat.metrics["PV"] == pytest.approx(100) and sat.actual_time == 5


def test_planned_value_curve_by_hand():
    p = pm.Project(name="pv", start=START,
                   tasks=[pm.Task("A", duration=2, cost_per_day=10), pm.Task("B", duration=3, cost_per_day=20),
                          pm.Task("C", duration=1, fixed_cost=7)],
                   dependencies=[pm.Dependency("A", "C")])
    # A: 10/day on days 1-2; B: 20/day on days 1-3; C: 7 on day 3.
    assert planned_value_curve(p).tolist() == pytest.approx([0, 30, 60, 87])


def test_costed_kickoff_milestone_does_not_make_earned_schedule_negative():
    # K: a kick-off milestone costing 50 at the start; A: 4 days at 100. By hand the PV
    # curve after 0..4 working days is 50, 150, 250, 350, 450: PV_0 is K's cost, not 0.
    p = pm.Project(name="kick", start=START,
                   tasks=[pm.Task("K", milestone=True, fixed_cost=50), pm.Task("A", duration=4, cost_per_day=100)],
                   dependencies=[pm.Dependency("K", "A")])
    assert planned_value_curve(p).tolist() == pytest.approx([50, 150, 250, 350, 450])
    with pytest.warns(pm.PmsimWarning, match="IEAC_t is undefined"):
        nothing = pm.earned_value(p, progress(("A", 0, 10, START)), "2027-01-05")  # AT = 2
    # EV 0 is below PV_0: no period's value is earned, ES = 0 (not -0.5).
    assert (nothing.metrics["EV"], nothing.metrics["ES"], nothing.metrics["SV_t"]) == (0, 0, -2)
    assert nothing.metrics["SPI_t"] == 0 and math.isnan(nothing.metrics["IEAC_t"])
    quarter = pm.earned_value(p, progress(("K", 100, 50), ("A", 25, 120, START)), "2027-01-05")
    assert quarter.metrics["EV"] == 150 and quarter.metrics["ES"] == pytest.approx(1)  # PV_1 = 150


def test_project_of_milestones_alone_has_an_earned_schedule():
    p = pm.Project(name="gates", start=START, tasks=[pm.Task("G", milestone=True, fixed_cost=80)])
    assert planned_value_curve(p).tolist() == [80, 80]
    with pytest.warns(pm.PmsimWarning, match="IEAC_t is undefined"):
        r = pm.earned_value(p, progress(("G", 100, 80)), START)
    assert (r.metrics["EV"], r.metrics["ES"], r.metrics["SPI"]) == (80, 0, 1)  # ES = PD = 0 at completion


def test_remaining_duration_only_gives_duration_percent():
    # No percent complete: 2 working days done (Mon, Tue) and 6 remaining -> 25 %.
    p = pm.Project(name="r", start=START, tasks=[pm.Task("A", duration=8, cost_per_day=100)])
    table = pd.DataFrame({"id": ["A"], "remaining_duration": [6], "actual_cost": [200], "actual_start": [START]})
    r = pm.earned_value(p, table, "2027-01-05")
    assert r.tasks.loc["A", "percent_complete"] == pytest.approx(25)
    assert r.metrics["EV"] == pytest.approx(200)


def test_bottom_up_etc_by_hand():
    p = pm.Project(
        name="b", start=START,
        tasks=[pm.Task("A", duration=4, cost_per_day=100, fixed_cost=200),   # budget 600
               pm.Task("B", duration=5, cost_per_day=50),                     # budget 250
               pm.Task("C", duration=2, cost_per_day=10)],                    # budget 20, not started
        dependencies=[pm.Dependency("A", "C")],
    )
    table = pd.DataFrame({
        "id": ["A", "B"], "percent_complete": [50, 40], "remaining_duration": [3, None],
        "actual_cost": [500, 120], "actual_start": [START, START],
    })
    r = pm.earned_value(p, table, "2027-01-05")
    # A: 3 days × 100 + 50 % of 200 fixed = 400; B: 60 % of 250 = 150; C: its budget 20.
    assert r.tasks["ETC_bottom_up"].tolist() == pytest.approx([400, 150, 20])
    assert r.metrics["EAC_bottom_up"] == pytest.approx(620 + 570)


# --------------------------------------------------------------------------- identities


def identity_case():
    rng = np.random.default_rng(7)
    n = 12
    tasks = [pm.Task(f"T{i}", duration=int(rng.integers(1, 8)), cost_per_day=float(rng.integers(50, 500)),
                     fixed_cost=float(rng.integers(0, 3) * 100)) for i in range(n)]
    links = [pm.Dependency(f"T{i}", f"T{j}") for i in range(n) for j in range(i + 1, n) if rng.random() < 0.2]
    p = pm.Project(name="ids", start=START, tasks=tasks, dependencies=links)
    started = [f"T{i}" for i in range(n) if rng.random() < 0.6]
    table = pd.DataFrame({"id": started,
                          "percent_complete": rng.integers(1, 101, len(started)).astype(float),
                          "actual_cost": rng.integers(100, 3000, len(started)).astype(float)})
    return p, table


@pytest.mark.parametrize("eac", ["cpi", "atypical", "cpi_spi", "bottom_up"])
def test_eac_identities(eac):
    p, table = identity_case()
    r = pm.earned_value(p, table, "2027-01-15", eac=eac)
    m = r.metrics
    assert list(m.index) == METRICS
    bac, pv, ev, ac = m["BAC"], m["PV"], m["EV"], m["AC"]
    cpi, spi = ev / ac, ev / pv
    assert m["SV"] == pytest.approx(ev - pv) and m["CV"] == pytest.approx(ev - ac)
    assert m["SPI"] == pytest.approx(spi) and m["CPI"] == pytest.approx(cpi)
    assert m["EAC_atypical"] == pytest.approx(ac + bac - ev)
    assert m["EAC_cpi"] == pytest.approx(bac / cpi)
    assert m["EAC_cpi_spi"] == pytest.approx(ac + (bac - ev) / (cpi * spi))
    chosen = m[f"EAC_{eac}"]
    assert m["ETC"] == pytest.approx(chosen - ac)
    assert m["VAC"] == pytest.approx(bac - chosen)
    assert m["TCPI_bac"] == pytest.approx((bac - ev) / (bac - ac))
    assert m["TCPI_eac"] == pytest.approx((bac - ev) / (chosen - ac))
    assert m["SV_t"] == pytest.approx(m["ES"] - r.actual_time)
    assert m["SPI_t"] == pytest.approx(m["ES"] / r.actual_time)
    assert m["IEAC_t"] == pytest.approx(r.planned_duration / m["SPI_t"])


def test_sums_match_an_independent_computation():
    p, table = identity_case()
    r = pm.earned_value(p, table, "2027-01-15")
    at = 10.0  # Mon 4 Jan .. Fri 15 Jan
    s = pm.cpm(p).table
    bac = {t.id: t.fixed_cost + t.cost_per_day * t.planned_duration for t in p.tasks}
    pv = sum(bac[i] * min(max((at - s.loc[i, "early_start"]) / s.loc[i, "duration"], 0), 1) for i in bac)
    ev = sum(bac[i] * pct / 100 for i, pct in zip(table["id"], table["percent_complete"]))
    assert r.metrics["BAC"] == pytest.approx(sum(bac.values()))
    assert r.metrics["PV"] == pytest.approx(pv)
    assert r.metrics["EV"] == pytest.approx(ev)
    assert r.metrics["AC"] == pytest.approx(table["actual_cost"].sum())
    # ES inverts the planned value curve: PV at time ES equals EV.
    es = r.metrics["ES"]
    pv_es = sum(bac[i] * min(max((es - s.loc[i, "early_start"]) / s.loc[i, "duration"], 0), 1) for i in bac)
    assert pv_es == pytest.approx(ev)


def test_series_matches_single_reports():
    p = pra_project()
    by_date = {
        "2027-01-05": progress(("T1", 100, 9_000), ("T2", 50, 8_000)),
        "2027-01-07": progress(("T1", 100, 9_000), ("T2", 100, 12_000), ("T3", 100, 25_000), ("T4", 10, 4_000)),
    }
    series = pm.earned_value_series(p, by_date)
    assert list(series.index.date.astype(str)) == ["2027-01-05", "2027-01-07"]
    assert series["PV"].tolist() == pytest.approx([20_000, 70_000])
    assert series["EV"].tolist() == pytest.approx([15_000, 43_000])
    assert series["AC"].tolist() == pytest.approx([17_000, 50_000])
    assert series["AT"].tolist() == [2, 4]
    one = pm.earned_value(p, by_date["2027-01-07"], "2027-01-07")
    pd.testing.assert_series_equal(series.iloc[1][METRICS], one.metrics, check_names=False)


# --------------------------------------------------------------------------- no costs, undefined ratios


def test_project_without_costs_is_a_clear_error():
    p = serial([0, 0])
    with pytest.raises(pm.PmsimError, match="has no costs"):
        pm.earned_value(p, progress(("T1", 50, 0)), "2027-01-05")


def test_undefined_ratios_are_explained_not_silent():
    p = serial([100, 100])
    with pytest.warns(pm.PmsimWarning, match="CPI is undefined: no actual cost yet"):
        r = pm.earned_value(p, progress(("T1", 50, 0)), "2027-01-04")
    assert math.isnan(r.metrics["CPI"]) and math.isnan(r.metrics["EAC_cpi"])
    assert any("AC = 0" in note for note in r.notes)
    assert r.metrics["EAC_atypical"] == pytest.approx(150)


def test_no_warning_when_everything_is_defined():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = pm.earned_value(pra_project(), progress(("T1", 100, 9_000)), "2027-01-04")
    assert r.notes == ()


# --------------------------------------------------------------------------- bad input


def _status(table, date="2027-01-06"):
    return pm.earned_value(pra_project(), table, date)


@pytest.mark.parametrize(
    "make, error, message",
    [
        # progress for a task the project does not have
        (lambda: _status(progress(("T9", 10, 5))), pm.UnknownReferenceError, "has no task 'T9'"),
        # percent complete above 100
        (lambda: _status(progress(("T1", 120, 5))), pm.ValidationError, r"percent_complete must be in \[0, 100\], got 120"),
        # percent complete below 0
        (lambda: _status(progress(("T1", -5, 5))), pm.ValidationError, r"percent_complete must be in \[0, 100\], got -5"),
        # an actual finish before the actual start
        (lambda: _status(progress(("T1", 100, 5, "2027-01-05", "2027-01-04"))), pm.ValidationError,
         "actual_finish 2027-01-04 is before actual_start 2027-01-05"),
        # a status date before the project start
        (lambda: _status(progress(("T1", 10, 5)), "2027-01-01"), pm.ValidationError,
         "status date 2027-01-01 is before the project start 2027-01-04"),
        # a negative actual cost
        (lambda: _status(progress(("T1", 10, -5))), pm.ValidationError, "actual_cost must be >= 0, got -5"),
        # a blank actual cost
        (lambda: _status(progress(("T1", 10, None))), pm.ValidationError, "actual_cost is missing"),
        # no actual_cost column at all
        (lambda: _status(pd.DataFrame({"id": ["T1"], "percent_complete": [10]})), pm.FileFormatError,
         "missing column.*actual_cost"),
        # two rows for one task
        (lambda: _status(progress(("T1", 10, 5), ("T1", 20, 5))), pm.ValidationError, "task 'T1' has two progress rows"),
        # a start after the status date
        (lambda: _status(progress(("T1", 10, 5, "2027-01-07"))), pm.ValidationError,
         "actual_start 2027-01-07 is after the status date"),
        # a date that is not ISO
        (lambda: _status(progress(("T1", 10, 5, "7/1/2027"))), pm.ValidationError, "'7/1/2027' is not an ISO date"),
        # a finish date on a task that is not 100 % complete
        (lambda: _status(progress(("T1", 50, 5, "2027-01-04", "2027-01-05"))), pm.ValidationError,
         "has an actual_finish but is 50 % complete"),
        # a started task with neither percent complete nor remaining duration: no measure of progress
        (lambda: _status(pd.DataFrame({"id": ["T1"], "percent_complete": [None], "remaining_duration": [None],
                                       "actual_cost": [5], "actual_start": ["2027-01-04"]})), pm.ValidationError,
         "give percent_complete or remaining_duration"),
        # a negative remaining duration
        (lambda: _status(pd.DataFrame({"id": ["T1"], "percent_complete": [10], "remaining_duration": [-1],
                                       "actual_cost": [5]})), pm.ValidationError, "remaining_duration must be >= 0"),
        # an unknown EAC method
        (lambda: pm.earned_value(pra_project(), progress(("T1", 10, 5)), "2027-01-06", eac="magic"),
         pm.ValidationError, "eac must be one of"),
        # no status date anywhere
        (lambda: pm.earned_value(pra_project(), progress(("T1", 10, 5))), pm.ValidationError, "needs a status_date"),
    ],
)
def test_bad_input(make, error, message):
    with pytest.raises(error, match=message):
        make()


# --------------------------------------------------------------------------- files


def test_read_progress_file_with_status_dates_and_line_numbers(tmp_path):
    csv = tmp_path / "progress.csv"
    csv.write_text(
        "status_date,id,percent_complete,actual_cost,actual_start,actual_finish\n"
        "2027-01-05,T1,100,9000,2027-01-04,2027-01-04\n"
        "2027-01-05,T2,50,8000,2027-01-05,\n"
        "2027-01-06,T1,100,9000,2027-01-04,2027-01-04\n"
        "2027-01-06,T2,100,12000,2027-01-05,2027-01-05\n"
    )
    table = pm.read_progress(tmp_path)
    assert sorted(table["status_date"].dt.day.unique()) == [5, 6]
    series = pm.earned_value_series(pra_project(), table)
    assert series["EV"].tolist() == pytest.approx([15_000, 20_000])
    r = pm.earned_value(pra_project(), csv, "2027-01-05")
    assert r.metrics["AC"] == pytest.approx(17_000)
    with pytest.raises(pm.ValidationError, match="several|2 status dates"):
        pm.earned_value(pra_project(), table)

    csv.write_text("id,percent_complete,actual_cost\nT1,100,9000\nT2,150,3\n")
    with pytest.raises(pm.ValidationError, match=r"progress.csv line 3 \(task 'T2'\): percent_complete"):
        pm.read_progress(csv)


def test_read_progress_folder_by_status_date(tmp_path):
    folder = tmp_path / "progress"
    folder.mkdir()
    (folder / "2027-01-05.csv").write_text("id,percent_complete,actual_cost\nT1,100,9000\nT2,50,8000\n")
    (folder / "2027-01-07.csv").write_text("id,percent_complete,actual_cost\nT1,100,9000\nT2,100,12000\n")
    table = pm.read_progress(tmp_path)
    assert table.groupby("status_date").size().tolist() == [2, 2]
    series = pm.earned_value_series(pra_project(), tmp_path)
    assert series["AT"].tolist() == [2, 4]
    (folder / "March.csv").write_text("id,percent_complete,actual_cost\n")
    with pytest.raises(pm.ValidationError, match="file name must be its status date"):
        pm.read_progress(tmp_path)


def test_read_progress_missing(tmp_path):
    with pytest.raises(pm.FileFormatError, match="no progress data"):
        pm.read_progress(tmp_path)


def test_check_progress_keeps_blank_optional_columns():
    table = check_progress(pd.DataFrame({"id": ["A"], "percent_complete": ["40"], "actual_cost": ["12.5"]}))
    assert table.loc[0, "percent_complete"] == 40 and table.loc[0, "actual_cost"] == 12.5
    assert pd.isna(table.loc[0, "actual_start"]) and math.isnan(table.loc[0, "remaining_duration"])


# --------------------------------------------------------------------------- on two calendars


SEVEN = pm.Calendar(workdays="Mon-Sun", hours="08:00-16:00", hours_per_day=8, id="7d")


def two_calendars():
    """A (5 d, standard calendar) -> B (4 d, a 7-day calendar 08:00-16:00) -> C (2 d, standard).

    Monday 4 January 2027 is the start. By hand: A works Mon 4 08:00 to Fri 8 17:00 (100 a day, budget
    500). B starts at the next working moment of its own calendar, Saturday 9 08:00, and works Sat, Sun, Mon,
    Tue to Tue 12 16:00 (budget 100 fixed + 4 x 200 = 900, so 225 a day, the fixed part spread too). C starts
    at once on the standard calendar, Tue 12 16:00, works 1 hour that day, 8 on Wednesday and 7 on Thursday,
    and finishes Thu 14 16:00 (budget 100, 6.25 an hour). BAC = 1500; the planned duration PD is 8 working
    days and 7 hours of the project calendar: 8.875.
    """
    return pm.Project(
        name="two calendars", start=START, calendars=[SEVEN],
        tasks=[pm.Task("A", duration=5, cost_per_day=100),
               pm.Task("B", duration=4, cost_per_day=200, fixed_cost=100, calendar="7d"),
               pm.Task("C", duration=2, cost_per_day=50)],
        dependencies=[pm.Dependency("A", "B"), pm.Dependency("B", "C")])


def test_earned_value_on_two_calendars_by_hand():
    p = two_calendars()
    assert pm.cpm(p).makespan == pytest.approx(8.875)
    # Data date: the end of Sunday 10. A is done (spent 550); B started on Saturday, 25 % done (spent 300).
    table = progress(("A", 100, 550, "2027-01-04", "2027-01-08"), ("B", 25, 300, "2027-01-09"))
    r = pm.earned_value(p, table, "2027-01-10")
    m = r.metrics
    # PV: A 500; B planned its Saturday and Sunday on its 7-day calendar, 2 x 225 = 450 (counted on the
    # standard calendar it would be 0 until Monday); C nothing. PV = 950.
    assert r.tasks["PV"].tolist() == pytest.approx([500, 450, 0])
    assert m["PV"] == pytest.approx(950)
    # EV = 500 + 25 % of 900 = 725; AC = 850.
    assert (m["EV"], m["AC"]) == pytest.approx((725, 850))
    assert m["SPI"] == pytest.approx(725 / 950) and m["CPI"] == pytest.approx(725 / 850)
    assert m["EAC_cpi"] == pytest.approx(1500 * 850 / 725)
    assert m["EAC_cpi_spi"] == pytest.approx(850 + 775 / ((725 / 850) * (725 / 950)))
    assert m["TCPI_bac"] == pytest.approx(775 / 650)
    # Bottom-up: B has 75 % of 4 days left, 3 x 200 + 75 % of its fixed 100 = 675; C its budget 100.
    assert m["EAC_bottom_up"] == pytest.approx(850 + 675 + 100)
    # AT: the working days of the project calendar by the end of Sunday: Mon-Fri, 5.
    assert r.actual_time == 5
    # PV by period: period c runs until working day c + 1 of the project calendar begins, so Friday's period
    # holds B's weekend. PV_0..PV_4 = 0, 100, 200, 300, 400 (A); PV_5 (to Mon 11 08:00) = 500 + 450;
    # PV_6 (to Tue 08:00) = 500 + 3 x 225 = 1175; PV_7 (to Wed 08:00) = 1400 + C's hour 6.25 = 1406.25;
    # PV_8 (to Thu 08:00) = 1400 + 9 hours of C = 1456.25; PV_9 = BAC.
    assert planned_value_curve(p).tolist() == pytest.approx([0, 100, 200, 300, 400, 950, 1175, 1406.25, 1456.25,
                                                             1500])
    # ES: PV_4 = 400 <= 725 < PV_5 = 950, ES = 4 + 325 / 550.
    es = 4 + 325 / 550
    assert m["ES"] == pytest.approx(es)
    assert (m["SV_t"], m["SPI_t"]) == pytest.approx((es - 5, es / 5))
    assert m["IEAC_t"] == pytest.approx(8.875 / (es / 5))


def test_earned_value_on_two_calendars_reads_the_tasks_and_moments():
    p = two_calendars()
    table = progress(("A", 100, 550, "2027-01-04", "2027-01-08"), ("B", 25, 300, "2027-01-09"))
    # The same facts on the tasks give the same numbers.
    on_tasks = pm.earned_value(p.with_progress(table, "2027-01-10"))
    pd.testing.assert_series_equal(on_tasks.metrics, pm.earned_value(p, table, "2027-01-10").metrics)
    # A data date at Saturday noon: B has worked 4 of its 32 planned hours, PV 500 + 900 / 8 = 612.5; the
    # project calendar's working time stopped on Friday: AT = 5.
    noon = pm.earned_value(p, table.assign(percent_complete=[100, 10]), dt.datetime(2027, 1, 9, 12))
    assert noon.metrics["PV"] == pytest.approx(612.5) and noon.actual_time == 5
    # B with a remaining duration alone: it has worked Saturday and Sunday on its calendar (2 days), 2 are
    # left, so 50 % by duration (on the standard calendar it would have worked no day at all).
    rem = pd.DataFrame({"id": ["A", "B"], "remaining_duration": [None, 2], "percent_complete": [100, None],
                        "actual_cost": [550, 300], "actual_start": ["2027-01-04", "2027-01-09"],
                        "actual_finish": ["2027-01-08", None]})
    r = pm.earned_value(p, rem, "2027-01-10")
    assert r.tasks.loc["B", "percent_complete"] == pytest.approx(50)
    assert r.metrics["EV"] == pytest.approx(500 + 450)


def test_budget_burn_spreads_each_task_on_its_calendar():
    burn = pm.budget_burn(two_calendars(), freq="D")
    # By the end of each day: A 100 a day Monday to Friday, B 225 on Saturday and Sunday too, C's hour on
    # Tuesday; the working_day column counts the project calendar's days.
    assert burn.loc["2027-01-08":"2027-01-12", "early"].tolist() == pytest.approx([500, 725, 950, 1175, 1406.25])
    assert burn.loc["2027-01-08":"2027-01-11", "working_day"].tolist() == [5, 5, 5, 6]
    assert burn["early"].iloc[-1] == pytest.approx(1500)


def test_unknown_actual_costs_are_said():
    p = two_calendars()
    q = p.with_progress(progress(("A", 100, 550, "2027-01-04", "2027-01-08")), "2027-01-10")
    q = q.replace(tasks=tuple(t.replace(actual_cost=None) for t in q.tasks))
    with pytest.warns(pm.PmsimWarning, match="AC counts no cost for tasks A"):
        r = pm.earned_value(q)
    assert r.metrics["AC"] == 0 and any("not known" in n for n in r.notes)


def test_earned_value_needs_a_data_date():
    with pytest.raises(pm.ValidationError, match="needs a status_date"):
        pm.earned_value(two_calendars())
    with pytest.raises(pm.ValidationError, match="status_date= needs progress="):
        pm.earned_value(two_calendars(), status_date="2027-01-10")
