"""Reference-class forecasting: actual/estimate fitted per class; calibrate() shows every change it makes."""

from __future__ import annotations

import math
import warnings
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

import pmsim as pm

START = "2027-01-04"
Z90 = NormalDist().inv_cdf(0.9)


def history():
    # build: ratios 1, 2, 4 (logs 0, ln 2, 2 ln 2: mean ln 2, sd ln 2); test: a single row (borrows the whole fit).
    return pd.DataFrame({"phase": ["build", "build", "build", "test"],
                         "estimate": [10, 5, 2, 4], "actual": [10, 10, 8, 4]})


def test_fit_per_class_by_hand():
    classes = pm.reference_classes(history(), min_samples=3)
    build = classes.loc["build"]
    assert build["n"] == 3
    assert build["ratio_median"] == pytest.approx(2.0)  # exp(mean of 0, ln 2, ln 4)
    assert build["sigma"] == pytest.approx(math.log(2))  # sample sd of 0, ln 2, 2 ln 2
    assert build["ratio_p10"] == pytest.approx(2 * math.exp(-Z90 * math.log(2)))
    assert build["ratio_mean"] == pytest.approx((1 + 2 + 4) / 3)
    # "test" has one row: fewer than min_samples, so it takes the whole history's fit, and says so.
    assert classes.loc["test", "fitted_on"] == pm.reference_class.ALL
    assert classes.loc["test", "ratio_median"] == pytest.approx(classes.loc[pm.reference_class.ALL, "ratio_median"])
    # The whole history: logs 0, ln 2, 2 ln 2, 0: mean (3/4) ln 2.
    assert classes.loc[pm.reference_class.ALL, "ratio_median"] == pytest.approx(2 ** 0.75)


def test_calibrate_scales_and_widens_and_lists_every_change():
    p = pm.Project(name="x", start=START, tasks=[
        pm.Task("A", optimistic=8, most_likely=10, pessimistic=13, phase="build"),
        pm.Task("B", duration=6, phase="test"),
        pm.Task("M", duration=0, milestone=True, phase="build")],
        dependencies=[pm.Dependency("A", "B"), pm.Dependency("B", "M")])
    cal = pm.calibrate(p, history(), min_samples=3)
    a = cal.project.task("A").estimate
    # A: planned 10 × the build ratios: P10 = 10 × 2 × exp(−z σ), P90 = 10 × 2 × exp(z σ), σ = ln 2.
    assert float(a.ppf(0.1)) == pytest.approx(20 * math.exp(-Z90 * math.log(2)))
    assert float(a.ppf(0.9)) == pytest.approx(20 * math.exp(Z90 * math.log(2)))
    assert float(a.ppf(0.5)) == pytest.approx(20.0)
    # B borrows the whole history's fit; the milestone keeps its zero duration.
    assert float(cal.project.task("B").estimate.ppf(0.5)) == pytest.approx(6 * 2 ** 0.75)
    assert cal.project.task("M").estimate == p.task("M").estimate
    changes = cal.changes
    assert changes["changed"].tolist() == [True, True, False]
    assert changes.loc["B", "fitted_on"] == pm.reference_class.ALL and changes.loc["A", "fitted_on"] == "build"
    assert "P50 10" in changes.loc["A", "before"] and "P50 20" in changes.loc["A", "after"]
    assert "2 of 3 estimates changed" in repr(cal)
    assert "<table" in cal._repr_html_()
    assert cal.original is p  # the input is untouched


def test_classes_by_team_mapping_or_function():
    p = pm.Project(name="x", start=START, tasks=[pm.Task("A", duration=10, resources={"dev": 1})],
                   resources=[pm.Resource("dev")])
    h = pd.DataFrame({"team": ["dev", "dev"], "estimate": [1, 1], "actual": [3, 3]})
    # Ratios that do not vary: a fixed duration planned × 3.
    assert pm.calibrate(p, h, by="team", min_samples=2).project.task("A").estimate.planned == pytest.approx(30)
    h2 = h.rename(columns={"team": "class"})
    assert pm.calibrate(p, h2, by={"A": "dev"}, min_samples=2).changes.loc["A", "class"] == "dev"
    assert pm.calibrate(p, h2, by=lambda t: "dev", min_samples=2).changes.loc["A", "ratio_median"] == pytest.approx(3)


def test_bad_history_is_refused_naming_the_row():
    p = pm.Project(name="x", start=START, tasks=[pm.Task("A", duration=10, phase="build")])
    with pytest.raises(pm.PmsimError, match="row 1: actual"):
        pm.calibrate(p, pd.DataFrame({"phase": ["b", "b"], "estimate": [1, 2], "actual": [1, 0]}))
    with pytest.raises(pm.PmsimError, match="missing: actual"):
        pm.calibrate(p, pd.DataFrame({"phase": ["b"], "estimate": [1]}))
    with pytest.raises(pm.PmsimError, match="by must be"):
        pm.calibrate(p, pd.DataFrame({"class": ["b"], "estimate": [1], "actual": [1]}), by="colour")


# ---------------------------------------------------------------- leave one project out (synthetic history)

TRUE_RATIO = {"design": (1.2, 0.25), "build": (1.5, 0.35), "test": (1.8, 0.4)}  # median, sigma of actual / estimate


def synthetic_history(projects: int, seed: int) -> pd.DataFrame:
    """Labelled synthetic: each project is a chain of 6 tasks (2 per phase), estimates Uniform(5, 20) days,
    actual = estimate × a lognormal ratio of its phase (TRUE_RATIO)."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(projects):
        for i, phase in enumerate([ph for ph in TRUE_RATIO for _ in range(2)]):
            median, sigma = TRUE_RATIO[phase]
            estimate = float(rng.uniform(5, 20))
            rows.append({"project": f"P{k}", "task": f"T{i}", "phase": phase, "estimate": estimate,
                         "actual": estimate * median * math.exp(sigma * rng.standard_normal())})
    return pd.DataFrame(rows)


def test_leave_one_project_out_calibration_improves_the_scoreboard(tmp_path):
    h = synthetic_history(30, seed=2)
    inside, outside = pm.forecast_log(tmp_path / "inside"), pm.forecast_log(tmp_path / "outside")
    actual = {}
    for name, tasks in h.groupby("project", sort=False):
        # The inside view: a three-point estimate of −10 % / +25 % around each estimate, tasks in a chain.
        p = pm.Project(name=name, start=START, tasks=[
            pm.Task(r.task, optimistic=0.9 * r.estimate, most_likely=r.estimate, pessimistic=1.25 * r.estimate,
                    phase=r.phase) for r in tasks.itertuples()],
            dependencies=[pm.Dependency(a, b) for a, b in zip(tasks["task"], tasks["task"].iloc[1:])])
        cal = pm.calibrate(p, h[h["project"] != name], min_samples=10)  # fitted without this project
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pm.PmsimWarning)
            inside.record(pm.simulate(p, iterations=300, seed=1), label=name)
            outside.record(pm.simulate(cal.project, iterations=300, seed=1), label=name)
        actual[name] = p.calendar.finish_date(p.start, float(tasks["actual"].sum()))
    before, after = inside.score(actual), outside.score(actual)
    # The inside view is biased and narrow: most actuals land beyond its P90; calibrated, the 80 % interval
    # holds about 80 % of them and the interval score falls.
    assert before.hit_rates.loc["finish", "P90"] < 0.2
    assert before.scores.loc["finish", "verdict"] == "too narrow"
    assert after.scores.loc["finish", "verdict"] != "too narrow"
    assert after.hit_rates.loc["finish", "P50"] == pytest.approx(0.5, abs=0.2)
    assert after.scores.loc["finish", "interval_score"] < 0.5 * before.scores.loc["finish", "interval_score"]


def test_history_as_csv_file_or_list_of_rows_fits_the_same(tmp_path):
    table = history()
    path = tmp_path / "history.csv"
    path.write_text("phase;estimate;actual\nbuild;10;10\nbuild;5;10\nbuild;2;8\ntest;4;4\n", encoding="utf-8")
    expected = pm.reference_classes(table, min_samples=3)
    for other in (path, str(path), table.to_dict("records")):
        pd.testing.assert_frame_equal(pm.reference_classes(other, min_samples=3), expected, check_dtype=False)
    p = pm.Project(name="x", start=START, tasks=[pm.Task("A", duration=10, phase="build")])
    # build: the geometric mean of the ratios 1, 2 and 4 is 2, so the median becomes 10 × 2.
    assert float(pm.calibrate(p, path, min_samples=3).project.task("A").estimate.ppf(0.5)) == pytest.approx(20.0)


def test_a_history_that_is_no_table_is_refused_by_name(tmp_path):
    with pytest.raises(pm.ValidationError, match="does not exist"):
        pm.reference_classes(tmp_path / "missing.csv")
    with pytest.raises(pm.ValidationError, match="a DataFrame, a CSV file or a list of rows, got int"):
        pm.reference_classes(3)
    with pytest.raises(pm.ValidationError, match="got list"):
        pm.reference_classes([1, 2])
