"""Critical-chain buffers (pm.critical_chain) and buffer management (status, fever chart).

The sizing rules: cut and paste, ½ Σ (S − A) (Goldratt, *Critical Chain*, 1997); the square root of the
sum of squares, √Σ (S − A)² (Newbold 1998; Leach, *Critical Chain Project Management*). Expected values
are worked out in each test.
"""

import math

import matplotlib
import pandas as pd
import pytest

import pmsim as pm

matplotlib.use("Agg")

# Vanhoucke's eight-activity example (PM Knowledge Center, "Sizing CC/BM buffers: the root squared error
# method", Table 1): safe and aggressive durations of activities 1-8; critical chain 2-6-8, feeding chains
# 1-4 (into 6) and 3-5-7 (into 8). The links below give that structure on the logic alone.
SAFE = {"1": 2, "2": 9, "3": 5, "4": 2, "5": 3, "6": 6, "7": 2, "8": 3}
AGGRESSIVE = {"1": 1, "2": 6, "3": 3, "4": 1, "5": 2, "6": 4, "7": 1, "8": 2}
LINKS = [("2", "6"), ("6", "8"), ("1", "4"), ("4", "6"), ("3", "5"), ("5", "7"), ("7", "8")]


def _vanhoucke():
    return pm.Project(name="cc", start="2027-01-04", tasks=[pm.Task(t, duration=AGGRESSIVE[t]) for t in SAFE],
                      dependencies=[pm.Dependency(a, b) for a, b in LINKS])


@pytest.mark.parametrize("method", ["ssq", "cut_and_paste"])
def test_published_example_chain_and_buffers(method):
    cc = pm.critical_chain(_vanhoucke(), method=method, safe=SAFE, aggressive=AGGRESSIVE)
    assert cc.chain == ["2", "6", "8"]
    assert cc.chain_finish == 12.0                      # 6 + 4 + 2
    b = cc.buffers
    assert list(b.index) == ["PB", "FB:4", "FB:7"]
    assert b.loc["FB:4", "tasks"] == ("1", "4") and b.loc["FB:4", "joins"] == "6"
    assert b.loc["FB:7", "tasks"] == ("3", "5", "7") and b.loc["FB:7", "joins"] == "8"
    if method == "ssq":   # safety on the chain 3, 2, 1; on 1-4: 1, 1; on 3-5-7: 2, 1, 1
        expected = {"PB": math.sqrt(9 + 4 + 1), "FB:4": math.sqrt(1 + 1), "FB:7": math.sqrt(4 + 1 + 1)}
    else:
        expected = {"PB": (3 + 2 + 1) / 2, "FB:4": (1 + 1) / 2, "FB:7": (2 + 1 + 1) / 2}
    for name, size in expected.items():
        assert b.loc[name, "size"] == pytest.approx(size, abs=1e-12)
    # Floats: 1-4 ends at day 2, 6 starts at 6; 3-5-7 ends at 6, 8 starts at 10. Every buffer fits.
    assert b.loc["FB:4", "float"] == 4.0 and b.loc["FB:7", "float"] == 4.0
    assert (b["shortfall"] == 0).all()
    assert cc.promise == pytest.approx(12 + expected["PB"])
    # The promised date: 12 working days from Monday 4 January end on Tuesday 19 January; the buffer adds
    # ceil(3.74) = 4 (ssq) or 3 (cut and paste) working days.
    assert cc.finish_date == (pd.Timestamp("2027-01-25") if method == "ssq" else pd.Timestamp("2027-01-22")).date()


def test_buffer_larger_than_the_float_is_a_shortfall():
    p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=10), pm.Task("F", duration=9)],
                   dependencies=[])
    cc = pm.critical_chain(p, method="cut_and_paste", safe={"A": 10, "F": 15}, aggressive={"A": 10, "F": 9})
    # F (9 days) runs beside A (10): 1 day of float, a feeding buffer of ½ × 6 = 3 joining the finish.
    assert cc.chain == ["A"] and cc.project_buffer == 0.0
    assert cc.buffers.loc["FB:F", ["joins", "size", "float", "shortfall"]].tolist() == ["finish", 3.0, 1.0, 2.0]
    assert int(cc.summary().loc["feeding buffers that do not fit", "value"]) == 1


def test_resource_contention_puts_tasks_on_the_chain():
    # A and B share one developer; C follows A. CPM: A and B in parallel, path A-C (6 days). Levelled: A first
    # (its successor makes its late finish earlier), then B: the chain is A-B (8 days), linked by the resource.
    p = pm.Project(name="r", start="2027-01-04", resources=[pm.Resource("dev", capacity=1)],
                   tasks=[pm.Task("A", duration=4, resources={"dev": 1}), pm.Task("B", duration=4, resources={"dev": 1}),
                          pm.Task("C", duration=2)],
                   dependencies=[pm.Dependency("A", "C")])
    safe = {"A": 6, "B": 7, "C": 3}
    cc = pm.critical_chain(p, safe=safe, aggressive={"A": 4, "B": 4, "C": 2})
    assert cc.levelled and cc.chain == ["A", "B"] and cc.chain_finish == 8.0
    assert cc.project_buffer == pytest.approx(math.sqrt(2 ** 2 + 3 ** 2))
    assert cc.buffers.loc["FB:C", "joins"] == "finish" and cc.buffers.loc["FB:C", "float"] == 2.0
    plain = pm.critical_chain(p, safe=safe, aggressive={"A": 4, "B": 4, "C": 2}, levelled=False)
    assert plain.chain == ["A", "C"] and plain.chain_finish == 6.0


def test_percentiles_of_the_estimates_are_the_default_durations():
    # Triangular(0, 2, 10): F(2) = 0.2; above the mode ppf(p) = 10 − √((1 − p)(10 − 0)(10 − 2)).
    p = pm.Project(name="t", start="2027-01-04", tasks=[pm.Task("A", estimate=pm.Triangular(0, 2, 10))])
    cc = pm.critical_chain(p)
    p50, p90 = 10 - math.sqrt(0.5 * 80), 10 - math.sqrt(0.1 * 80)
    assert cc.tasks.loc["A", "aggressive"] == pytest.approx(p50) and cc.tasks.loc["A", "safe"] == pytest.approx(p90)
    assert cc.project_buffer == pytest.approx(p90 - p50)          # one task: √((S − A)²) = S − A
    assert pm.critical_chain(p, method="cut_and_paste").project_buffer == pytest.approx((p90 - p50) / 2)


def _two_tasks():
    p = pm.Project(name="two", start="2027-01-04", tasks=[pm.Task("A", duration=10), pm.Task("B", duration=10)],
                   dependencies=[pm.Dependency("A", "B")])
    # Buffer √(6² + 8²) = 10 working days; the chain finishes at day 20.
    return pm.critical_chain(p, safe={"A": 16, "B": 18}, aggressive={"A": 10, "B": 10})


def test_buffer_consumption_and_chain_completion():
    cc = _two_tasks()
    assert cc.project_buffer == pytest.approx(10.0) and cc.chain_finish == 20.0
    # A took 12 days (working day 12 is Tue 19 January): B can finish at day 22, 2 of 10 buffer days used;
    # half the chain (10 of 20 aggressive days) is done.
    late_a = pd.DataFrame({"id": ["A"], "actual_start": ["2027-01-04"], "actual_finish": ["2027-01-19"],
                           "percent_complete": [100], "actual_cost": [0.0]})
    first = cc.status(late_a, "2027-01-19")
    assert first["forecast_finish"] == pytest.approx(22.0)
    assert first["buffer_consumed"] == pytest.approx(0.2) and first["chain_complete"] == pytest.approx(0.5)
    assert first["buffer_left"] == pytest.approx(8.0) and first["zone"] == "green"
    # B started on day 13 (Wed 20 January); at day 17 (Tue 26 January) it has 9 days left: finish 17 + 9 = 26,
    # 6 of 10 buffer days used: yellow. B's share done is 1 − 9/10, so the chain is (10 + 1) / 20 complete.
    b_left = pd.DataFrame({"id": ["A", "B"], "actual_start": ["2027-01-04", "2027-01-20"],
                           "actual_finish": ["2027-01-19", None], "remaining_duration": [0.0, 9.0], "actual_cost": [0.0, 0.0]})
    second = cc.status(b_left, "2027-01-26")
    assert second["forecast_finish"] == pytest.approx(26.0)
    assert second["buffer_consumed"] == pytest.approx(0.6) and second["chain_complete"] == pytest.approx(0.55)
    assert second["zone"] == "yellow"
    b_worse = b_left.assign(remaining_duration=[0.0, 12.0])              # 17 + 12 = 29: 9 of 10 days used
    fever = cc.fever({"2027-01-26": b_worse, "2027-01-19": late_a})
    assert list(fever.index) == [pd.Timestamp("2027-01-19").date(), pd.Timestamp("2027-01-26").date()]
    assert fever["buffer_consumed"].tolist() == pytest.approx([0.2, 0.9]) and fever["zone"].tolist() == ["green", "red"]
    assert fever.attrs["yellow"] == (1 / 3, 1 / 3) and fever.attrs["project_buffer"] == pytest.approx(10.0)


def test_sloped_zones():
    p = _two_tasks().project
    cc = pm.critical_chain(p, safe={"A": 16, "B": 18}, aggressive={"A": 10, "B": 10}, yellow=(0.1, 0.7),
                           red=(0.3, 1.0))
    # At 50 % complete the yellow line is at 0.1 + 0.6 / 2 = 0.4 and the red one at 0.3 + 0.7 / 2 = 0.65.
    assert [cc.zone(0.5, y) for y in (0.39, 0.4, 0.64, 0.65)] == ["green", "yellow", "yellow", "red"]
    assert cc.zone(0.0, 0.2) == "yellow" and cc.zone(1.0, 0.2) == "green"    # the same use, early or late


def test_fever_chart_draws_the_zones_and_the_track():
    cc = _two_tasks()
    done = pd.DataFrame({"id": ["A"], "actual_start": ["2027-01-04"], "actual_finish": ["2027-01-19"],
                         "percent_complete": [100], "actual_cost": [0.0]})
    ax = pm.plot.fever_chart(cc.fever([("2027-01-19", done)]))
    gids = {c.get_gid() for c in ax.collections}
    assert {"green", "yellow", "red", "latest"} <= gids
    x, y = ax.get_lines()[0].get_data()
    assert list(x) == pytest.approx([50.0]) and list(y) == pytest.approx([20.0])
    assert ax.get_ylim()[1] == 100 and ax.get_xlabel() == "critical chain complete (%)"
    with pytest.raises(pm.PmsimError, match="CriticalChain.fever"):
        pm.plot.fever_chart(pd.DataFrame({"x": [1]}))


@pytest.mark.parametrize("kwargs, message", [
    ({"method": "half"}, "method must be one of ssq, cut_and_paste"),
    ({"safe": 100}, "safe must be a percentile strictly between 0 and 100"),
    ({"safe": {"A": 12}}, "safe has no duration for task 'B'"),
    ({"safe": {"A": 12, "B": 12, "Z": 1}}, "safe names task 'Z'"),
    ({"safe": {"A": 8, "B": 12}, "aggressive": {"A": 10, "B": 10}}, "Task 'A': its safe duration 8 is shorter"),
    ({"yellow": (0.5, 0.5), "red": (0.4, 0.9)}, "red line .* must lie on or above the yellow line"),
])
def test_bad_input_is_named(kwargs, message):
    with pytest.raises(pm.ValidationError, match=message):
        pm.critical_chain(_two_tasks().project, **kwargs)


def test_a_project_with_progress_is_refused_and_a_zero_buffer_has_no_status():
    plan = _two_tasks().project
    table = pd.DataFrame({"id": ["A"], "actual_start": ["2027-01-04"], "percent_complete": [50], "actual_cost": [0.0]})
    with pytest.raises(pm.ValidationError, match="without_progress"):
        pm.critical_chain(plan.with_progress(table, "2027-01-08"))
    fixed = pm.critical_chain(plan)           # fixed durations: no safety, no buffer
    assert fixed.project_buffer == 0.0
    with pytest.raises(pm.ValidationError, match="project buffer is 0"):
        fixed.status(table, "2027-01-08")


def test_feeding_buffer_consumption():
    # F (4 days, safe 8) feeds B beside A: 6 days of float, a buffer of √(4²) = 4, so the plan keeps 4 days of
    # float before F would delay B. At day 5 (Fri 8 January) F has 3 days left: it ends at 8, 2 days before B
    # starts at 10: (4 − 2) / 4 = half the feeding buffer used; A is on time (5 days left), the project buffer
    # untouched.
    p = pm.Project(name="f", start="2027-01-04",
                   tasks=[pm.Task("A", duration=10), pm.Task("B", duration=10), pm.Task("F", duration=4)],
                   dependencies=[pm.Dependency("A", "B"), pm.Dependency("F", "B")])
    cc = pm.critical_chain(p, safe={"A": 16, "B": 18, "F": 8}, aggressive={"A": 10, "B": 10, "F": 4})
    assert cc.buffers.loc["FB:F", ["size", "float"]].tolist() == [4.0, 6.0]
    table = pd.DataFrame({"id": ["A", "F"], "actual_start": ["2027-01-04"] * 2, "remaining_duration": [5.0, 3.0],
                          "actual_cost": [0.0, 0.0]})
    now = cc.status(table, "2027-01-08")
    assert now["buffer_consumed"] == pytest.approx(0.0) and now["chain_complete"] == pytest.approx(5 / 20)
    assert now["feeding_buffer"] == "FB:F" and now["feeding_consumed"] == pytest.approx(0.5)
    done = table.assign(remaining_duration=[5.0, 0.0], actual_finish=[None, "2027-01-08"])
    assert math.isnan(cc.status(done, "2027-01-08")["feeding_consumed"])     # F is done: nothing left to protect
    rows = table.to_dict("records")                                           # rows as mappings read the same
    assert cc.status(rows, "2027-01-08")["feeding_consumed"] == pytest.approx(0.5)
    assert cc.status([], "2027-01-08")["chain_complete"] == 0.0               # nothing started


def test_the_chain_runs_through_its_start_and_finish_milestones():
    # Zero-length milestones add nothing to a chain's length; the chain still starts and ends with them.
    p = pm.Project(name="m", start="2027-01-04",
                   tasks=[pm.Task("S", milestone=True), pm.Task("A", duration=4), pm.Task("B", duration=2),
                          pm.Task("F", milestone=True)],
                   dependencies=[pm.Dependency("S", "A"), pm.Dependency("S", "B"), pm.Dependency("A", "F"),
                                 pm.Dependency("B", "F")])
    cc = pm.critical_chain(p, safe={"S": 0, "A": 6, "B": 3, "F": 0}, aggressive={"S": 0, "A": 4, "B": 2, "F": 0})
    assert cc.chain == ["S", "A", "F"]
    assert cc.buffers.loc["FB:B", "joins"] == "F" and cc.buffers.loc["FB:B", "size"] == 1.0


def test_without_resources_the_chain_is_the_cpm_critical_path_of_a_sample():
    p = pm.read_project(pm.data_path("erp_upgrade"))
    cc = pm.critical_chain(p, levelled=False)
    assert set(cc.chain) == set(pm.cpm(cc.project).critical_path) and cc.chain[-1] == "HC05"
    # Every task off the chain is protected by the feeding buffer of the chain it ends or feeds into.
    assert (cc.tasks.loc[~cc.tasks["on_chain"], "buffer"].str.startswith("FB:")).all()
