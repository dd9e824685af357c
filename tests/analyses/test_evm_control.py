"""Earned schedule, TSPI, P-factor and the warnings, on a worked example checked by hand; measurement methods."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import pmsim as pm


def worked_project() -> pm.Project:
    # A (4 d x 100) -> B (4 d x 200) -> C (2 d x 100) from Mon 4 Jan 2027: PD = 10 working days, BAC = 1400.
    # Cumulative PV at the end of day c = 1..10: 100 200 300 400 | 600 800 1000 1200 | 1300 1400.
    return pm.Project(name="worked", start="2027-01-04",
                      tasks=[pm.Task("A", duration=4, cost_per_day=100), pm.Task("B", duration=4, cost_per_day=200),
                             pm.Task("C", duration=2, cost_per_day=100)],
                      dependencies=[pm.Dependency("A", "B"), pm.Dependency("B", "C")])


PROGRESS = pd.DataFrame({
    "status_date": ["2027-01-05", "2027-01-08", "2027-01-14", "2027-01-14", "2027-01-14"],
    "id": ["A", "A", "A", "B", "C"],
    "percent_complete": [50, 75, 100, 50, 50],
    "actual_cost": [180, 350, 450, 500, 100],
    "actual_start": ["2027-01-04", "2027-01-04", "2027-01-04", "2027-01-12", "2027-01-13"],
    "actual_finish": [None, None, "2027-01-11", None, None],
})


def series():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PmsimWarning)
        return pm.earned_value_series(worked_project(), PROGRESS)


def test_earned_schedule_at_three_status_dates_by_hand():
    s = series()
    d1, d2, d3 = (pd.Timestamp(d) for d in ("2027-01-05", "2027-01-08", "2027-01-14"))
    # Tue 5 Jan, AT = 2: EV = 50 % x 400 = 200 = PV_2, so ES = 2; SPI(t) = 2/2 = 1; TSPI = (10-2)/(10-2) = 1.
    assert s.loc[d1, ["AT", "PV", "EV", "AC", "ES", "SPI_t", "TSPI", "P_factor"]].tolist() == \
        pytest.approx([2, 200, 200, 180, 2.0, 1.0, 1.0, 1.0])
    assert s.loc[d1, "IEAC_t"] == pytest.approx(10 / 1.0)
    # Fri 8 Jan, AT = 5: EV = 75 % x 400 = 300 = PV_3, so ES = 3 + (300-300)/(400-300) = 3; SPI(t) = 3/5 = 0.6,
    # IEAC(t) = 10/0.6 = 16.67, TSPI = (10-3)/(10-5) = 1.4. PV(ES=3) is all A's (300), EV_A = 300: P = 300/300 = 1.
    assert s.loc[d2, ["AT", "PV", "EV", "ES", "SPI_t", "TSPI", "P_factor"]].tolist() == \
        pytest.approx([5, 600, 300, 3.0, 0.6, 1.4, 1.0])
    assert s.loc[d2, "IEAC_t"] == pytest.approx(10 / 0.6)
    assert s.loc[d2, ["SPI", "CPI"]].tolist() == pytest.approx([300 / 600, 300 / 350])
    # Thu 14 Jan, AT = 9: EV = 400 + 50 % x 800 + 50 % x 200 = 900; PV_6 = 800 <= 900 < PV_7 = 1000, so
    # ES = 6 + (900-800)/(1000-800) = 6.5; SPI(t) = 6.5/9; IEAC(t) = 10/SPI(t) = 13.85; TSPI = (10-6.5)/(10-9) = 3.5.
    # P-factor: at ES = 6.5 the plan had A 400, B 2.5 d x 200 = 500, C 0 (PV(ES) = 900); earned where planned:
    # min(400, 400) + min(500, 400) + min(0, 100) = 800, so P = 800/900 (C's 100 was earned out of sequence).
    assert s.loc[d3, ["AT", "PV", "EV", "AC", "ES", "TSPI", "P_factor"]].tolist() == \
        pytest.approx([9, 1300, 900, 1050, 6.5, 3.5, 800 / 900])
    assert s.loc[d3, ["SPI_t", "IEAC_t"]].tolist() == pytest.approx([6.5 / 9, 10 / (6.5 / 9)])


def test_tspi_and_tcpi_warnings():
    p = worked_project()
    report = pm.earned_value(p, PROGRESS, "2027-01-08")
    texts = list(report.alerts)
    # TSPI 1.4 > 1.10 (Lipke).
    assert any("TSPI is 1.40 (above 1.10)" in t for t in texts)
    # TCPI(BAC) = (1400-300)/(1400-350) = 1.048 against CPI = 300/350 = 0.857: 0.19 above, so BAC cannot be met.
    assert any("TCPI(BAC) is 1.05 against a CPI of 0.86 (more than 0.10 above)" in t for t in texts)
    assert len(report.alerts) == 2 and "Warning:</b> TSPI is 1.40" in report._repr_html_()
    with warnings.catch_warnings():
        warnings.simplefilter("error", pm.PmsimWarning)  # on plan at Tue 5 Jan: TSPI 1, TCPI 1200/1220 < CPI + 0.1
        assert pm.earned_value(p, PROGRESS, "2027-01-05").alerts == ()


def methods_project() -> pm.Project:
    # Five tasks of 4 days x 100 = 400 each, in parallel from Mon 4 Jan.
    return pm.Project(name="m", start="2027-01-04", tasks=[
        pm.Task("P", duration=4, cost_per_day=100),
        pm.Task("Z", duration=4, cost_per_day=100, ev_method="0/100"),
        pm.Task("F", duration=4, cost_per_day=100, ev_method="50/50"),
        pm.Task("W", duration=4, cost_per_day=100, ev_method="milestones:25;60;100"),
        pm.Task("L", duration=4, cost_per_day=100, ev_method="LOE"),
        pm.Task("D", duration=4, cost_per_day=100, ev_method="20/80"),
    ])


def test_measurement_methods():
    progress = pd.DataFrame({"id": ["P", "Z", "F", "W", "L", "D"], "percent_complete": [70, 70, 70, 70, 10, 100],
                             "actual_cost": [300] * 6, "actual_start": ["2027-01-04"] * 6,
                             "actual_finish": [None] * 5 + ["2027-01-06"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PmsimWarning)
        report = pm.earned_value(methods_project(), progress, "2027-01-06")  # AT = 3: each task's PV = 300
    ev = report.tasks["EV"]
    # percent complete 70 % x 400; 0/100 not finished: 0; 50/50 started: 200; milestones 25/60/100 at 70 %: 60 %;
    # level of effort earns its PV (3 of 4 days: 300) whatever its 10 %; 20/80 finished: all 400.
    assert ev.to_dict() == {"P": 280.0, "Z": 0.0, "F": 200.0, "W": 240.0, "L": 300.0, "D": 400.0}
    assert report.level_of_effort == ["L"]
    assert report.tasks.loc["L", "ev_method"] == "level_of_effort"


@pytest.mark.parametrize("method, message", [
    ("30/60", "add up to 100"),
    ("milestones:50;25;100", "increasing and ending at 100"),
    ("milestones:25;50", "increasing and ending at 100"),
    ("physical", "ev_method must be percent_complete, 0/100"),
])
def test_bad_measurement_methods(method, message):
    with pytest.raises(pm.ValidationError, match=f"Task 'A': ev_method .*{message}|Task 'A': {message}"):
        pm.Task("A", duration=1, ev_method=method)


def test_the_method_is_a_tasks_csv_column(tmp_path):
    p = methods_project()
    pm.write_project(p, tmp_path / "m")
    assert "ev_method" in (tmp_path / "m" / "tasks.csv").read_text().splitlines()[0]
    assert pm.read_project(tmp_path / "m") == p


def test_writers_that_cannot_hold_the_method_say_so(tmp_path):
    for suffix in ("xml", "xer"):
        with pytest.warns(pm.PmsimWarning, match=r"earned value methods other than percent complete \(not written\)"):
            pm.write_project(methods_project(), tmp_path / f"m.{suffix}")
