"""Structural tests of the plots: which artists are drawn, where, in which colour.

The Agg backend and closing figures after each test come from the top-level conftest.py.

Positions are checked against dates worked out by hand from the calendar
(Mon 4 Jan 2027 is working day 0; weekends are skipped). On a date axis day
D spans [D, D + 1): a task finishing at the end of Tue 12 Jan ends at 13 Jan.
"""

from __future__ import annotations

import datetime as dt

import matplotlib
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba

import pmsim as pm
from pmsim.cpm import schedule_from_dates
from pmsim.plot import _common

from support import make_project


def d(text: str) -> float:
    """Matplotlib date number of the start of a day."""
    return float(mdates.date2num(np.datetime64(text, "D")))


def by_gid(ax, prefix: str) -> dict:
    """Artists of ``ax`` whose gid starts with ``prefix``, keyed by the rest of the gid."""
    artists = [*ax.patches, *ax.lines, *ax.texts]
    return {a.get_gid()[len(prefix):]: a for a in artists if (a.get_gid() or "").startswith(prefix)}


def same_colour(a, b) -> bool:
    return np.allclose(to_rgba(a), to_rgba(b))


@pytest.fixture
def rc_snapshot():
    """rcParams before the test; the test asserts they are unchanged after plotting."""
    return dict(matplotlib.rcParams)


@pytest.fixture
def it_project():
    """A small IT project: A(3) -> B(2) SS+1 -> D(5); A -> C(8) -> E(4) <- D; E -> M (milestone).

    CPM by hand: A 0-3, B 3-5, C 3-11, D 4-9, E 11-15, M 15. Critical A, C, E, M;
    D may finish at 11 (float 2), so B may start at 5 (float 2).
    """
    return pm.Project(
        name="demo", start="2027-01-04", deadline="2027-02-05",
        tasks=[
            pm.Task("A", "Requirements", duration=3),
            pm.Task("B", "Design UI", duration=2),
            pm.Task("C", "Backend build", duration=8),
            pm.Task("D", "Frontend", duration=5),
            pm.Task("E", "Integration test", duration=4),
            pm.Task("M", "Go-live", milestone=True),
        ],
        dependencies=[
            pm.Dependency("A", "B"), pm.Dependency("A", "C"), pm.Dependency("B", "D", "SS", 1),
            pm.Dependency("C", "E"), pm.Dependency("D", "E"), pm.Dependency("E", "M"),
        ],
    )


# ------------------------------------------------------------------ gantt


def test_gantt_bars_span_working_days_as_dates(diamond):
    # A: Mon 4 - Wed 6 Jan; C: Thu 7, Fri 8, Mon 11, Tue 12 (weekend inside the bar); D: Wed 13.
    ax = pm.plot.gantt(pm.cpm(diamond))
    bars = by_gid(ax, "task:")
    assert sorted(bars) == ["A", "B", "C", "D"]
    expected = {"A": ("2027-01-04", "2027-01-07"), "B": ("2027-01-07", "2027-01-09"),
                "C": ("2027-01-07", "2027-01-13"), "D": ("2027-01-13", "2027-01-14")}
    for tid, (left, right) in expected.items():
        assert bars[tid].get_x() == pytest.approx(d(left)), tid
        assert bars[tid].get_x() + bars[tid].get_width() == pytest.approx(d(right)), tid


def test_gantt_critical_bars_are_red_others_not(diamond):
    ax = pm.plot.gantt(pm.cpm(diamond))
    bars = by_gid(ax, "task:")
    for tid in "ACD":
        assert same_colour(bars[tid].get_facecolor(), pm.plot.CRITICAL), tid
    assert not same_colour(bars["B"].get_facecolor(), pm.plot.CRITICAL)
    # Critical rows' labels are red too.
    colours = {t.get_text(): t.get_color() for t in ax.get_yticklabels()}
    assert same_colour(colours["C"], pm.plot.CRITICAL) and not same_colour(colours["B"], pm.plot.CRITICAL)


def test_gantt_float_bar_runs_from_finish_to_late_finish(diamond):
    # B finishes at day 5 (end of Fri 8 Jan) with 2 days of float: late finish end of Tue 12 Jan.
    ax = pm.plot.gantt(pm.cpm(diamond))
    floats = by_gid(ax, "float:")
    assert sorted(floats) == ["B"]
    assert floats["B"].get_x() == pytest.approx(d("2027-01-09"))
    assert floats["B"].get_x() + floats["B"].get_width() == pytest.approx(d("2027-01-13"))
    assert by_gid(pm.plot.gantt(pm.cpm(diamond), show_float=False), "float:") == {}


def test_gantt_rows_labels_title_and_limits(it_project):
    s = pm.cpm(it_project)
    ax = pm.plot.gantt(s)
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Requirements", "Design UI", "Backend build", "Frontend", "Integration test", "Go-live"]
    assert list(ax.get_yticks()) == [0, 1, 2, 3, 4, 5]
    assert ax.get_ylim()[0] > ax.get_ylim()[1]  # first task on top
    assert "finish Fri 22 Jan 2027" in ax.get_title()
    assert ax.get_xlabel() == "Date"
    lo, hi = ax.get_xlim()
    # The whole plan and the deadline (end of Fri 5 Feb) are inside the view.
    assert lo < d("2027-01-04") and hi > d("2027-02-06")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["Critical", "Non-critical", "Total float", "Milestone", "Deadline"]


def test_gantt_milestone_is_a_diamond_at_its_predecessors_end(it_project):
    # E works Tue 19 - Fri 22 Jan; M (duration 0) sits at the end of Fri 22 Jan.
    ax = pm.plot.gantt(pm.cpm(it_project))
    marks = by_gid(ax, "milestone:")
    assert list(marks) == ["M"]
    assert marks["M"].get_marker() == "D"
    assert marks["M"].get_xdata()[0] == pytest.approx(d("2027-01-23"))
    assert same_colour(marks["M"].get_color(), pm.plot.CRITICAL)
    assert "M" not in by_gid(ax, "task:")


def test_gantt_status_date_and_deadline_lines(it_project):
    ax = pm.plot.gantt(pm.cpm(it_project), status_date="2027-01-12")
    status = _common.line_by_gid(ax, "status_date")
    deadline = _common.line_by_gid(ax, "deadline")
    assert list(status.get_xdata()) == [d("2027-01-13")] * 2  # end of the status day
    assert list(deadline.get_xdata()) == [d("2027-02-06")] * 2
    texts = by_gid(ax, "status_date:text")
    assert texts[""].get_text() == "Status 2027-01-12"
    assert by_gid(ax, "deadline:text")[""].get_text() == "Deadline 2027-02-05"
    ax2 = pm.plot.gantt(pm.cpm(it_project), deadline=False)
    assert _common.line_by_gid(ax2, "deadline") is None and _common.line_by_gid(ax2, "status_date") is None


def test_gantt_baseline_bars_match_the_other_schedule(diamond):
    # A levelled-like schedule: C waits until B is done (start 5 instead of 3).
    levelled = schedule_from_dates(diamond, [0, 3, 5, 9], kind="levelled")
    base = pm.cpm(diamond)
    ax = pm.plot.gantt(levelled, baseline=base)
    bars, baseline = by_gid(ax, "task:"), by_gid(ax, "baseline:")
    assert sorted(baseline) == ["A", "B", "C", "D"]
    # Levelled C: days 5-8 = Mon 11 - Thu 14 Jan; its CPM baseline: Thu 7 - Tue 12 Jan.
    assert bars["C"].get_x() == pytest.approx(d("2027-01-11"))
    assert baseline["C"].get_x() == pytest.approx(d("2027-01-07"))
    assert baseline["C"].get_x() + baseline["C"].get_width() == pytest.approx(d("2027-01-13"))
    assert baseline["C"].get_height() < bars["C"].get_height()
    assert "levelled schedule" in ax.get_title()
    assert "Baseline (CPM)" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_gantt_fractional_start_is_part_of_a_day(diamond):
    s = schedule_from_dates(diamond, [0, 3.5, 3, 7], kind="levelled")
    bars = by_gid(pm.plot.gantt(s), "task:")
    assert bars["B"].get_x() == pytest.approx(d("2027-01-07") + 0.5)  # noon of working day 3


def test_gantt_draws_into_given_axes_and_keeps_global_style(diamond, rc_snapshot):
    fig, ax = plt.subplots()
    figures = plt.get_fignums()
    out = pm.plot.gantt(pm.cpm(diamond), ax=ax, status_date="2027-01-05")
    assert out is ax and plt.get_fignums() == figures
    assert dict(matplotlib.rcParams) == rc_snapshot


@pytest.mark.parametrize(
    "call, message",
    [
        # a Project is not a Schedule: the user must say which schedule
        (lambda p: pm.plot.gantt(p), "gantt needs a Schedule"),
        # the baseline lacks a task of the plotted schedule
        (lambda p: pm.plot.gantt(pm.cpm(p), baseline=pm.cpm(p.without_task("D"))), "no task 'D'"),
        # a baseline that is not a schedule, a Baseline or a name
        (lambda p: pm.plot.gantt(pm.cpm(p), baseline=42), "baseline must be a Schedule, a Baseline or a baseline's name"),
        # a name of no baseline of the project
        (lambda p: pm.plot.gantt(pm.cpm(p), baseline="cpm"), r"has no baseline 'cpm' \(baselines: none\)"),
        # network of something else
        (lambda p: pm.plot.network(p.tasks), "network needs a Project or a Schedule"),
        # a status date that is no date
        (lambda p: pm.plot.gantt(pm.cpm(p), status_date="next Friday"),
         "gantt: status_date: 'next Friday' is not an ISO date"),
        # a deadline that is no date
        (lambda p: pm.plot.gantt(pm.cpm(p), deadline="2027-13-01"), "gantt: deadline: '2027-13-01' is not an ISO date"),
    ],
)
def test_schedule_plots_reject_bad_input(diamond, call, message):
    with pytest.raises(pm.PmsimError, match=message):
        call(diamond)


# ---------------------------------------------------------------- network


def test_network_lays_out_nodes_by_topological_generation(diamond):
    ax = pm.plot.network(diamond)
    nodes = by_gid(ax, "node:")
    assert sorted(nodes) == ["A", "B", "C", "D"]
    x = {tid: t.get_position()[0] for tid, t in nodes.items()}
    assert x == {"A": 0, "B": 1, "C": 1, "D": 2}
    assert nodes["B"].get_position()[1] != nodes["C"].get_position()[1]
    assert nodes["C"].get_text() == "C\n4d"
    xlo, xhi = ax.get_xlim()
    ylo, yhi = ax.get_ylim()
    assert xlo < 0 and xhi > 2
    assert all(ylo < t.get_position()[1] < yhi for t in nodes.values())


def test_network_highlights_critical_nodes_and_driving_links():
    # A -> D is a link between two critical tasks that drives nothing (C-D does): grey.
    p = make_project([("A", 3), ("B", 2), ("C", 4), ("D", 1)],
                     [("A", "B"), ("A", "C"), ("B", "D"), ("C", "D"), ("A", "D")])
    ax = pm.plot.network(p)
    nodes, links = by_gid(ax, "node:"), by_gid(ax, "link:")
    assert sorted(links) == ["A->B", "A->C", "A->D", "B->D", "C->D"]
    red = {k for k, a in links.items() if same_colour(a.get_edgecolor(), pm.plot.CRITICAL)}
    assert red == {"A->C", "C->D"}
    filled = {k for k, t in nodes.items() if same_colour(t.get_bbox_patch().get_facecolor(), pm.plot.CRITICAL)}
    assert filled == {"A", "C", "D"}


def test_network_labels_link_types_other_than_plain_fs(it_project):
    p = it_project.replace(dependencies=(*it_project.dependencies[:-1], pm.Dependency("E", "M", "FS", 2)))
    ax = pm.plot.network(p)
    labels = sorted(t.get_text() for t in ax.texts if t.get_gid() == "link_label")
    assert labels == ["FS+2", "SS+1"]
    # The SS+1 label of B -> D sits between the two columns, not on a node.
    ss = next(t for t in ax.texts if t.get_text() == "SS+1")
    assert ss.get_position()[0] == pytest.approx(1.5)
    assert "makespan 17 working days" in ax.get_title()


def test_network_of_a_schedule_uses_its_critical_flags(diamond):
    levelled = schedule_from_dates(diamond, [0, 3, 5, 9], kind="levelled")
    ax = pm.plot.network(levelled)
    nodes = by_gid(ax, "node:")
    crit = {k for k, t in nodes.items() if same_colour(t.get_bbox_patch().get_facecolor(), pm.plot.CRITICAL)}
    assert crit == set(levelled.table.index[levelled.table["critical"]])
    assert "makespan 10 working days" in ax.get_title()


# -------------------------------------------------------------------- evm


@pytest.fixture
def evm_case():
    """One task A: 10 working days at 100/day from Mon 4 Jan 2027, so BAC = 1000 and PV = 100 a day.

    Fri 8 Jan: 40 % done (EV 400), AC 450. Fri 15 Jan: 90 % done (EV 900), AC 950.
    At 15 Jan by hand: CPI = 900/950, SPI = 900/1000, ES = 9 days, SPI(t) = 9/10,
    IEAC(t) = 10 / 0.9 = 11.11 working days.
    """
    p = pm.Project(name="evm", start="2027-01-04", tasks=[pm.Task("A", duration=10, cost_per_day=100)])
    progress = {
        "2027-01-08": pd.DataFrame({"id": ["A"], "percent_complete": [40], "actual_cost": [450]}),
        "2027-01-15": pd.DataFrame({"id": ["A"], "percent_complete": [90], "actual_cost": [950]}),
    }
    return p, progress


def test_evm_draws_pv_baseline_and_ev_ac_through_status_dates(evm_case):
    p, progress = evm_case
    ax = pm.plot.evm(pm.earned_value_series(p, progress))  # the series carries its project
    pv, ev, ac = (_common.line_by_gid(ax, g) for g in ("pv", "ev", "ac"))
    assert pv.get_ydata().tolist() == [100.0 * k for k in range(11)]
    assert pv.get_xdata()[0] == pytest.approx(d("2027-01-04"))
    assert pv.get_xdata()[-1] == pytest.approx(d("2027-01-16"))  # end of Fri 15 Jan
    assert pv.get_xdata()[6] == pytest.approx(d("2027-01-12"))  # end of working day 5 = Mon 11 Jan
    status_x = [d("2027-01-04"), d("2027-01-09"), d("2027-01-16")]
    assert ev.get_xdata().tolist() == pytest.approx(status_x)
    assert ev.get_ydata().tolist() == [0.0, 400.0, 900.0]
    assert ac.get_ydata().tolist() == [0.0, 450.0, 950.0]
    assert list(_common.line_by_gid(ax, "status_date").get_xdata()) == [d("2027-01-16")] * 2
    assert list(_common.line_by_gid(ax, "bac").get_ydata()) == [1000.0, 1000.0]
    assert ax.get_title() == "evm: earned value at 15 Jan 2027 (SPI 0.90, CPI 0.95)"
    assert ax.get_ylabel() == "Cumulative cost (USD)"
    assert ax.get_ylim()[1] > 1067


def test_evm_forecasts_run_from_last_ac_to_each_eac_at_the_ieac_finish(evm_case):
    p, progress = evm_case
    ax = pm.plot.evm(pm.earned_value_series(p, progress), project=p)
    cpi, spi = 900 / 950, 0.9
    expected = {"EAC_cpi": 1000 / cpi, "EAC_atypical": 950 + 100, "EAC_cpi_spi": 950 + 100 / (cpi * spi),
                "EAC_bottom_up": 950 + 100}
    # IEAC(t) = 11.11 days: 0.11 into working day 11 (Tue 19 Jan), i.e. past the end of Mon 18 Jan.
    finish_x = d("2027-01-19") + 1 / 9
    for key, value in expected.items():
        line = _common.line_by_gid(ax, key)
        assert line.get_xdata()[0] == pytest.approx(d("2027-01-16")), key
        assert line.get_xdata()[1] == pytest.approx(finish_x), key
        assert line.get_ydata()[0] == 950.0 and line.get_ydata()[1] == pytest.approx(value), key
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "EAC = BAC / CPI: 1.056k USD" in labels
    only = pm.plot.evm(pm.earned_value_series(p, progress), project=p, forecasts=["EAC_cpi"])
    assert _common.line_by_gid(only, "EAC_atypical") is None


def test_evm_of_one_report_knows_its_project(evm_case):
    p, progress = evm_case
    report = pm.earned_value(p, progress["2027-01-08"], "2027-01-08")
    ax = pm.plot.evm(report)
    assert _common.line_by_gid(ax, "ev").get_ydata().tolist() == [0.0, 400.0]
    assert _common.line_by_gid(ax, "ac").get_ydata().tolist() == [0.0, 450.0]
    assert "at 08 Jan 2027" in ax.get_title()


@pytest.mark.parametrize(
    "call, message",
    [
        # a series that lost its project (attrs dropped): the calendar and PV baseline need it
        (lambda p, s: pm.plot.evm(pd.DataFrame(s.to_dict("list"), index=s.index)), "pass project="),
        # a forecast name that is not an EAC metric
        (lambda p, s: pm.plot.evm(s, project=p, forecasts=["EAC_magic"]), "unknown forecast 'EAC_magic'"),
        # a series without the EVM columns
        (lambda p, s: pm.plot.evm(s[["AT"]], project=p), "lacks the columns"),
        # something that is no EVM result at all
        (lambda p, s: pm.plot.evm(p), "evm needs an EarnedValue report"),
    ],
)
def test_evm_rejects_bad_input(evm_case, call, message):
    p, progress = evm_case
    with pytest.raises(pm.PmsimError, match=message):
        call(p, pm.earned_value_series(p, progress))


# ------------------------------------------------------------- simulation


def sim_project(**settings):
    """A (3, 5, 10) -> B (1, 2, 3) and A -> C (0.5, 1, 1.5), from Mon 4 Jan 2027, with costs.

    CPM on the most likely durations: A 0-5, B 5-7, C 5-6, so A and B are critical.
    """
    settings.setdefault("deadline", "2027-01-12")
    settings.setdefault("budget", 800)
    return pm.Project(
        name="risky", start="2027-01-04",
        tasks=[pm.Task("A", "Analysis", optimistic=3, most_likely=5, pessimistic=10, cost_per_day=100),
               pm.Task("B", "Build", optimistic=1, most_likely=2, pessimistic=3, cost_per_day=50),
               pm.Task("C", "Contract", optimistic=0.5, most_likely=1, pessimistic=1.5, fixed_cost=200)],
        dependencies=[pm.Dependency("A", "B"), pm.Dependency("A", "C")],
        **settings,
    )


@pytest.fixture(scope="module")
def sim():
    return pm.simulate(sim_project(), iterations=2000, seed=7)


def day_of(x: float) -> dt.date:
    """The calendar day an x position falls in, taking a position at midnight as the end of the day before."""
    return mdates.num2date(np.ceil(x - 1e-9) - 1).date()


def test_histogram_bars_are_shares_of_iterations(sim):
    ax = pm.plot.histogram(sim, bins=20)
    bars = [b for b in ax.patches if b.get_gid() == "bin"]
    assert len(bars) == 20
    heights = np.array([b.get_height() for b in bars])
    assert heights.sum() == pytest.approx(1.0)
    counts, _ = np.histogram(sim.finish, bins=20)
    assert heights * sim.iterations == pytest.approx(counts)
    # Bars are in date order, from the earliest finish day to the latest.
    lefts = [b.get_x() for b in bars]
    assert lefts == sorted(lefts)
    assert day_of(lefts[0] + 1e-6 + 1) >= sim.finish_dates.min().item()
    assert day_of(bars[-1].get_x() + bars[-1].get_width()) == sim.finish_dates.max().item()
    assert ax.get_xlabel() == "Finish date" and ax.get_ylabel() == "Share of iterations"
    assert ax.get_title() == "risky: finish date, 2,000 iterations"
    assert ax.get_ylim()[1] > heights.max()


def test_histogram_p_lines_sit_at_the_p_dates_with_their_dates_as_labels(sim):
    ax = pm.plot.histogram(sim)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    for p in (50, 80):
        line = _common.line_by_gid(ax, f"p{p}")
        date = sim.percentile(p)
        assert day_of(line.get_xdata()[0]) == date
        assert by_gid(ax, f"p{p}:text")[""].get_text() == f"P{p} {date.isoformat()}"
        assert f"P{p} {date:%a %d %b %Y}" in legend
    assert _common.line_by_gid(ax, "p50").get_xdata()[0] <= _common.line_by_gid(ax, "p80").get_xdata()[0]


def test_histogram_deadline_line_shades_late_bars(sim):
    ax = pm.plot.histogram(sim)
    line = _common.line_by_gid(ax, "deadline")
    assert list(line.get_xdata()) == [d("2027-01-13")] * 2  # end of Tue 12 Jan
    on_time = sim.probability_by("2027-01-12")
    assert 0.1 < on_time < 0.9  # the fixture's deadline cuts the distribution
    assert f"Deadline Tue 12 Jan 2027: P(on time) {on_time:.0%}" in [t.get_text() for t in ax.get_legend().get_texts()]
    for bar in (b for b in ax.patches if b.get_gid() == "bin"):
        late = bar.get_x() + bar.get_width() / 2 > d("2027-01-13")
        assert same_colour(bar.get_facecolor(), pm.plot.risk.LATE if late else pm.plot._common.NORMAL)
    assert _common.line_by_gid(pm.plot.histogram(sim, deadline=False), "deadline") is None
    moved = _common.line_by_gid(pm.plot.histogram(sim, deadline="2027-01-15"), "deadline")
    assert moved.get_xdata()[0] == d("2027-01-16")


def test_cdf_steps_to_one_and_p_lines_are_the_inverted_cdf(sim):
    ax = pm.plot.cdf(sim)
    curve = _common.line_by_gid(ax, "cdf")
    x, y = np.asarray(curve.get_xdata()), np.asarray(curve.get_ydata())
    assert y[0] == 0 and y[-1] == 1 and len(y) == sim.iterations + 1
    assert np.all(np.diff(y) >= 0) and np.all(np.diff(x) >= 0)

    def value_at(xq):  # the step curve drawn with steps-post
        return y[np.searchsorted(x, xq, side="right") - 1]

    for p in (50, 80):
        xp = _common.line_by_gid(ax, f"p{p}").get_xdata()[0]
        assert value_at(xp) >= p / 100 > value_at(xp - 1e-7)
        point = _common.line_by_gid(ax, f"p{p}:point")
        assert (point.get_xdata()[0], point.get_ydata()[0]) == (xp, p / 100)
        assert day_of(xp) == sim.percentile(p)
    on_time = sim.probability_by("2027-01-12")
    assert list(_common.line_by_gid(ax, "p_on_time").get_ydata()) == [on_time] * 2
    assert value_at(d("2027-01-13")) == pytest.approx(on_time)
    assert ax.get_ylim() == (0.0, 1.02)
    assert ax.get_ylabel() == "Probability of finishing by"


def test_tornado_bars_are_the_sensitivities_largest_on_top(sim):
    ax = pm.plot.tornado(sim)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    expected = sim.sensitivity.abs().sort_values(ascending=False).index
    names = {"A": "A Analysis", "B": "B Build", "C": "C Contract"}  # id and name, as sim_project() has them
    assert labels == [names[tid] for tid in expected]
    assert labels[0] == "A Analysis"  # the widest estimate on the critical path drives the finish
    bars = by_gid(ax, "sensitivity:")
    bars = {k: v for k, v in bars.items() if not k.endswith(":text")}
    for tid, bar in bars.items():
        assert bar.get_width() == pytest.approx(sim.sensitivity[tid])
        colour = pm.plot._common.POSITIVE if bar.get_width() >= 0 else pm.plot._common.NEGATIVE
        assert same_colour(bar.get_facecolor(), colour)
    assert [bars[t].get_y() + bars[t].get_height() / 2 for t in expected] == [0, 1, 2]
    one = pm.plot.tornado(sim, top=1)
    assert [t.get_text() for t in one.get_yticklabels()] == ["A Analysis"]
    assert "top 1 of 3" in one.get_title()
    assert ax.get_xlim()[1] > sim.sensitivity.max()


def test_tornado_leaves_out_tasks_whose_duration_never_varies():
    p = make_project([pm.Task("A", optimistic=2, most_likely=3, pessimistic=6), ("B", 2)], [("A", "B")])
    ax = pm.plot.tornado(pm.simulate(p, iterations=300, seed=2))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A"]
    fixed = pm.plot.tornado(pm.simulate(make_project([("A", 2), ("B", 2)], [("A", "B")]), iterations=50, seed=2))
    assert [b for b in fixed.patches if (b.get_gid() or "").startswith("sensitivity:")] == []
    assert by_gid(fixed, "empty")[""].get_text() == "no task duration varies"


def test_histogram_of_a_certain_finish_is_one_full_bar():
    # Fixed durations 3 + 2: every iteration ends at the end of Fri 8 Jan; P50 = P80 = that day.
    sim = pm.simulate(make_project([("A", 3), ("B", 2)], [("A", "B")]), iterations=50, seed=2)
    ax = pm.plot.histogram(sim, bins=10)
    heights = [b.get_height() for b in ax.patches if b.get_gid() == "bin"]
    assert max(heights) == 1.0 and sum(heights) == 1.0
    assert _common.line_by_gid(ax, "p50").get_xdata()[0] == d("2027-01-09")
    assert _common.line_by_gid(ax, "p80").get_xdata()[0] == d("2027-01-09")


def test_criticality_bars_are_the_index_red_on_the_cpm_path(sim):
    ax = pm.plot.criticality(sim)
    bars = {k: v for k, v in by_gid(ax, "criticality:").items() if not k.endswith(":text")}
    assert sorted(bars) == ["A", "B", "C"]
    for tid, bar in bars.items():
        assert bar.get_width() == pytest.approx(sim.criticality[tid])
    order = sorted(bars, key=lambda t: bars[t].get_y())
    assert [sim.criticality[t] for t in order] == sorted(sim.criticality, reverse=True)
    assert sim.criticality["A"] == 1.0
    red = {t for t, b in bars.items() if same_colour(b.get_facecolor(), pm.plot.CRITICAL)}
    assert red == {"A", "B"}
    assert ax.get_xlim() == (0.0, 1.1)
    assert by_gid(ax, "criticality:A:text")[""].get_text() == "100%"


def test_cost_histogram_p_lines_budget_and_over_budget_bars(sim):
    ax = pm.plot.cost_histogram(sim)
    bars = [b for b in ax.patches if b.get_gid() == "bin"]
    assert len(bars) == 50 and sum(b.get_height() for b in bars) == pytest.approx(1.0)
    for p in (50, 80):
        assert _common.line_by_gid(ax, f"p{p}").get_xdata()[0] == sim.cost_percentile(p)
    assert list(_common.line_by_gid(ax, "budget").get_xdata()) == [800.0, 800.0]
    within = sim.probability_within(800)
    assert 0.05 < within < 0.95
    assert f"Budget 800 USD: P(on budget) {within:.0%}" in [t.get_text() for t in ax.get_legend().get_texts()]
    for bar in bars:
        over = bar.get_x() + bar.get_width() / 2 > 800
        assert same_colour(bar.get_facecolor(), pm.plot.risk.LATE if over else pm.plot._common.NORMAL)
    lo, hi = ax.get_xlim()
    assert lo < sim.cost.min() and hi > sim.cost.max()
    assert ax.get_xlabel() == "Total cost (USD)"
    assert _common.line_by_gid(pm.plot.cost_histogram(sim, budget=900), "budget").get_xdata()[0] == 900
    assert _common.line_by_gid(pm.plot.cost_histogram(sim, budget=False), "budget") is None


def test_labels_of_nearby_lines_do_not_overlap(sim):
    # A deadline on the P50 day: the two rotated labels go to different heights.
    ax = pm.plot.histogram(sim, deadline=sim.percentile(50))
    heights = {g: by_gid(ax, f"{g}:text")[""].xy[1] for g in ("p50", "deadline")}
    assert heights["p50"] != heights["deadline"]


@pytest.mark.parametrize("plot", ["histogram", "cdf", "tornado", "criticality", "cost_histogram", "jcl"])
def test_simulation_plots_draw_into_given_axes_and_keep_global_style(sim, plot, rc_snapshot):
    fig, ax = plt.subplots()
    figures = plt.get_fignums()
    assert getattr(pm.plot, plot)(sim, ax=ax) is ax
    assert plt.get_fignums() == figures
    assert dict(matplotlib.rcParams) == rc_snapshot


@pytest.mark.parametrize(
    "call, message",
    [
        # a schedule is not a simulation
        (lambda p, s: pm.plot.histogram(pm.cpm(p)), "histogram needs a Simulation"),
        (lambda p, s: pm.plot.cdf(p), "cdf needs a Simulation"),
        (lambda p, s: pm.plot.jcl(pm.cpm(p)), "jcl needs a Simulation"),
        # top must show at least one task
        (lambda p, s: pm.plot.tornado(s, top=0), "top must be >= 1"),
        # a deadline that is no date
        (lambda p, s: pm.plot.cdf(s, deadline="end of Q1"), "deadline: 'end of Q1' is not an ISO date"),
        # a project without any cost has no cost distribution to draw
        (lambda p, s: pm.plot.cost_histogram(pm.simulate(make_project([("A", 2)]), iterations=10, seed=1)),
         "has no costs"),
    ],
)
def test_simulation_plots_reject_bad_input(sim, call, message):
    with pytest.raises(pm.PmsimError, match=message):
        call(sim.project, sim)


# ------------------------------------------------------------------ budget


def test_budget_burn_of_a_schedule_draws_the_banana_and_budget():
    p = sim_project()
    burn = pm.budget_burn(p, pm.cpm(p), freq="D")
    ax = pm.plot.budget_burn(burn)
    x = [d(str(t.date())) + 1 for t in burn.index]  # the cost by the end of each day
    for col in ("early", "late"):
        line = _common.line_by_gid(ax, col)
        assert list(line.get_xdata()) == pytest.approx(x)
        assert list(line.get_ydata()) == burn[col].tolist()
    assert _common.line_by_gid(ax, "p50") is None and by_gid(ax, "band") == {}
    assert list(_common.line_by_gid(ax, "budget").get_ydata()) == [800.0, 800.0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Baseline early start", "Baseline late start", "Budget 800 USD"]
    assert ax.get_ylabel() == "Cumulative cost (USD)"
    assert ax.get_ylim()[1] >= max(800, burn["early"].max())


def test_budget_burn_of_a_simulation_draws_the_band_and_p50(sim):
    burn = pm.budget_burn(sim.project, sim, freq="D")
    ax = pm.plot.budget_burn(burn, budget=1000)
    p50 = _common.line_by_gid(ax, "p50")
    assert list(p50.get_ydata()) == burn["p50"].tolist()
    band = [c for c in ax.collections if c.get_gid() == "band"]
    assert len(band) == 1
    # The band's outline runs along P10 below and P90 above.
    vertices = band[0].get_paths()[0].vertices
    assert vertices[:, 1].min() == pytest.approx(burn["p10"].min())
    assert vertices[:, 1].max() == pytest.approx(burn["p90"].max())
    assert list(_common.line_by_gid(ax, "budget").get_ydata()) == [1000.0, 1000.0]
    texts = {t.get_gid(): t.get_text() for t in ax.texts}
    # Once every iteration has finished, the band ends are the P-level costs of the cost histogram.
    for p in (10, 50, 90):
        assert burn[f"p{p}"].iloc[-1] == pytest.approx(sim.cost_percentile(p))
        assert texts[f"p{p}:text"] == f"P{p} {pm.plot._common.money(sim.cost_percentile(p), 'USD')}"


def test_budget_burn_from_a_project_and_a_levelled_schedule():
    p = sim_project()
    levelled = schedule_from_dates(p, [0, 5, 7], kind="levelled")  # C after B: one team
    ax = pm.plot.budget_burn(p, sim_or_schedule=levelled, freq="W")
    assert ax.get_title() == "risky: budget burn"
    burn = pm.budget_burn(p, levelled, freq="W")
    assert list(_common.line_by_gid(ax, "scheduled").get_ydata()) == burn["scheduled"].tolist()
    assert _common.line_by_gid(pm.plot.budget_burn(p, budget=False), "budget") is None


@pytest.mark.parametrize(
    "call, message",
    [
        # neither a burn frame nor a project
        (lambda p: pm.plot.budget_burn(pm.cpm(p)), "needs the DataFrame of pm.budget_burn or a Project"),
        # a frame that is not a burn frame
        (lambda p: pm.plot.budget_burn(pd.DataFrame({"early": [1.0]})), "indexed by date"),
        # sim_or_schedule only makes sense with a project
        (lambda p: pm.plot.budget_burn(pm.budget_burn(p), sim_or_schedule=pm.cpm(p)), "only with a Project"),
    ],
)
def test_budget_burn_rejects_bad_input(call, message):
    with pytest.raises(pm.PmsimError, match=message):
        call(sim_project())


def test_jcl_scatter_has_one_dot_per_iteration_in_its_quadrant(sim):
    ax = pm.plot.jcl(sim)
    r = pm.jcl(sim)
    dots = {c.get_gid(): c.get_offsets() for c in ax.collections}
    assert sum(len(v) for v in dots.values()) == sim.iterations
    s = r.scatter
    expected = {
        "on_time_on_budget": (s.on_time & s.on_budget).sum(), "late_on_budget": (~s.on_time & s.on_budget).sum(),
        "on_time_over_budget": (s.on_time & ~s.on_budget).sum(), "late_over_budget": (~s.on_time & ~s.on_budget).sum(),
    }
    assert {k: len(v) for k, v in dots.items()} == expected
    xd = _common.line_by_gid(ax, "deadline").get_xdata()[0]
    assert xd == d("2027-01-13")
    assert _common.line_by_gid(ax, "budget").get_ydata()[0] == 800.0
    assert np.all(dots["on_time_on_budget"][:, 0] <= xd) and np.all(dots["late_over_budget"][:, 0] > xd)
    assert np.all(dots["on_time_on_budget"][:, 1] <= 800) and np.all(dots["late_over_budget"][:, 1] > 800)
    text = by_gid(ax, "jcl_text")[""].get_text()
    assert text == f"JCL {r.jcl:.0%}\nP(on time) {r.p_on_time:.0%}\nP(on budget) {r.p_on_budget:.0%}"
    assert ax.get_xlabel() == "Finish date" and ax.get_ylabel() == "Total cost (USD)"


def test_jcl_frontier_is_drawn_at_the_frontier_pairs(sim):
    ax = pm.plot.jcl(sim, target=0.6)
    front = pm.jcl_frontier(sim, target=0.6)
    assert len(front) >= 2
    line = _common.line_by_gid(ax, "frontier")
    assert list(line.get_xdata()) == [d(str(t.date())) + 1 for t in front["deadline"]]
    assert list(line.get_ydata()) == front["budget"].tolist()
    assert "JCL 60% frontier" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert _common.line_by_gid(pm.plot.jcl(sim, frontier=False), "frontier") is None
    # Another budget and deadline move the quadrant lines.
    other = pm.plot.jcl(sim, budget=900, deadline="2027-01-15")
    assert _common.line_by_gid(other, "budget").get_ydata()[0] == 900
    assert _common.line_by_gid(other, "deadline").get_xdata()[0] == d("2027-01-16")


# --------------------------------------------------------------- resources


@pytest.fixture
def team_project():
    """From Thu 7 Jan 2027: A (3 days, 2 dev) and B (1 day, 1 dev, 1 qa) in parallel; dev capacity 2.

    CPM: both start Thu. dev demand Thu 3 (1 over capacity), Fri 2, Mon 2. qa: 1 on Thu (capacity 5).
    Work to do: 3 × 2 + 1 × 1 = 7 dev-days, whatever the order.
    """
    return pm.Project(
        name="team", start="2027-01-07",
        tasks=[pm.Task("A", duration=3, resources={"dev": 2}), pm.Task("B", duration=1, resources={"dev": 1, "qa": 1})],
        resources=[pm.Resource("dev", "Developer", capacity=2), pm.Resource("qa", capacity=5)],
    )


def test_resource_profile_bars_split_at_capacity_and_hold_over_the_weekend(team_project):
    ax = pm.plot.resource_profile(team_project, pm.cpm(team_project))
    demand = [b for b in ax.patches if b.get_gid() == "demand"]
    over = [b for b in ax.patches if b.get_gid() == "over"]
    assert [b.get_x() for b in demand] == [d("2027-01-07"), d("2027-01-08"), d("2027-01-11")]
    assert [b.get_width() for b in demand] == [1, 3, 1]  # Friday holds until Monday
    assert [b.get_height() for b in demand] == [2, 2, 2]
    assert [(b.get_y(), b.get_height()) for b in over] == [(2, 1), (2, 0), (2, 0)]
    assert same_colour(over[0].get_facecolor(), pm.plot.CRITICAL)
    assert not same_colour(demand[0].get_facecolor(), pm.plot.CRITICAL)
    capacity = _common.line_by_gid(ax, "capacity")
    assert set(capacity.get_ydata()) == {2.0}
    assert capacity.get_xdata()[-1] == d("2027-01-12")
    assert ax.get_title() == "team: Developer (dev), peak 3 of 2, over capacity on 1 working day"
    assert ax.get_ylabel() == "Developer (dev): units in use (peak per day)"
    assert ax.get_ylim()[1] > 3
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Demand (within capacity)", "Over capacity", "Capacity (2)"]


def test_resource_profile_draws_the_levelled_demand_under_capacity(team_project):
    levelled = pm.level(team_project)
    assert levelled.makespan == 4  # B waits for A, or A for B: one more day
    ax = pm.plot.resource_profile(team_project, levelled=levelled)
    line = _common.line_by_gid(ax, "levelled")
    x, y = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
    # One step per working day (Thu, Fri, Mon, Tue) plus the closing point at Wednesday.
    assert x.tolist() == [d("2027-01-07"), d("2027-01-08"), d("2027-01-11"), d("2027-01-12"), d("2027-01-13")]
    assert y.max() <= 2 and y[:-1].sum() == 7
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == "Demand before levelling (within capacity)"
    assert labels[-1] == "After levelling (finish 12 Jan 2027)"
    # The capacity line runs under the longer, levelled profile too.
    assert _common.line_by_gid(ax, "capacity").get_xdata()[-1] == d("2027-01-13")


def test_resource_profile_picks_the_bottleneck_or_the_resource_asked(team_project):
    assert "Developer (dev)" in pm.plot.resource_profile(team_project).get_title()
    ax = pm.plot.resource_profile(team_project, resource="qa")
    assert ax.get_title() == "team: qa, peak 1 of 5, within capacity"
    assert [b.get_height() for b in ax.patches if b.get_gid() == "demand"] == [1, 0, 0]


@pytest.mark.parametrize(
    "call, message",
    [
        # a resource the project does not have
        (lambda p: pm.plot.resource_profile(p, resource="ops"), "has no resource 'ops' \\(it has dev, qa\\)"),
        # a project without resources has no profile
        (lambda p: pm.plot.resource_profile(make_project([("A", 1)])), "has no resources"),
        # milestones alone: not one working day to draw
        (lambda p: pm.plot.resource_profile(p.replace(tasks=[pm.Task("M", milestone=True, resources={"dev": 1})])),
         "has no working day"),
        # the schedule comes second; a project first
        (lambda p: pm.plot.resource_profile(pm.cpm(p)), "needs a Project first"),
        # levelled must be a schedule
        (lambda p: pm.plot.resource_profile(p, levelled="yes"), "levelled must be a Schedule"),
    ],
)
def test_resource_profile_rejects_bad_input(team_project, call, message):
    with pytest.raises(pm.PmsimError, match=message):
        call(team_project)


def test_resource_profile_and_evm_keep_global_style(team_project, evm_case, rc_snapshot):
    fig, axes = plt.subplots(1, 3)
    figures = plt.get_fignums()
    assert pm.plot.resource_profile(team_project, ax=axes[0], levelled=pm.level(team_project)) is axes[0]
    assert pm.plot.evm(pm.earned_value_series(*evm_case), ax=axes[1]) is axes[1]
    assert pm.plot.network(team_project, ax=axes[2]) is axes[2]
    assert plt.get_fignums() == figures
    assert dict(matplotlib.rcParams) == rc_snapshot


# ------------------------------------------------------------ sample data


@pytest.mark.parametrize("name", pm.sample_projects())
def test_schedule_plots_of_every_sample_project(name):
    p = pm.read_project(pm.data_path(name))
    s = pm.cpm(p)
    ax = pm.plot.gantt(s)
    bars = by_gid(ax, "task:")
    table = s.table
    plain = table[~table["milestone"] & (table["duration"] > 0)]
    assert sorted(bars) == sorted(plain.index)
    red = {t for t, b in bars.items() if same_colour(b.get_facecolor(), pm.plot.CRITICAL)}
    assert red == set(plain.index[plain["critical"]])
    assert len(by_gid(ax, "milestone:")) == len(table) - len(plain)
    assert len(by_gid(pm.plot.network(s), "node:")) == len(table)
    if p.resources:
        profile = pm.resource_profile(p, s)
        ax = pm.plot.resource_profile(p, s)
        assert len([b for b in ax.patches if b.get_gid() == "demand"]) == len(profile)


# --------------------------------------------------------------------------- the dashboard's canvas


def _pixels(canvas_class, draw) -> np.ndarray:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 2.5), dpi=72)
    canvas_class(fig)
    draw(fig)
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).astype(int)


def test_the_text_caching_canvas_draws_what_agg_draws():
    """Same pixels as a plain Agg canvas, on a miss and on a hit.

    Upright and vertical text (all the dashboard has): to 2/255, the rounding
    of alpha compositing. Text at other angles and text cut by a clip edge:
    at most 100 of the 51,840 pixels differ, at glyph edges (positions rounded
    in another order for a slanted glyph; for clipped text the
    clip applied to the finished image instead of to each glyph).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from pmsim.plot.canvas import TextCachingCanvas

    def upright(fig):
        ax = fig.add_axes((0.15, 0.2, 0.6, 0.65))
        ax.plot([0, 1, 2], [0, 2, 1])
        ax.set_title("Finish date, 10,000 iterations")
        ax.set_xlabel("Date")
        ax.text(0.5, 0.5, "vertical", rotation=90, transform=ax.transAxes)
        ax.text(0.2, 0.3, "translucent", alpha=0.4, color="red", transform=ax.transAxes)
        ax.annotate("boxed", xy=(1, 1), bbox=dict(boxstyle="round", facecolor="white"))
        ax.legend(["P50 Thu 30 Sep 2027"], loc="upper left", bbox_to_anchor=(1.01, 1.0))

    def slanted_and_clipped(fig):
        ax = fig.add_axes((0.15, 0.2, 0.6, 0.65))
        ax.text(0.2, 0.3, "turned 30 degrees", rotation=30, transform=ax.transAxes)
        ax.text(0.9, 0.5, "clipped at the right edge of the axes", clip_on=True)

    for scene, worst, how_many in ((upright, 2, 0), (slanted_and_clipped, 64, 100)):
        TextCachingCanvas._texts.clear()
        plain = _pixels(FigureCanvasAgg, scene)
        first = _pixels(TextCachingCanvas, scene)  # every text rendered into the cache
        assert len(TextCachingCanvas._texts) >= 2
        second = _pixels(TextCachingCanvas, scene)  # every text from the cache
        for cached in (first, second):
            diff = np.abs(cached - plain).max(axis=2)
            assert diff.max() <= worst
            assert (diff > 2).sum() <= how_many
        # The text is really there: the same axes without it look different.
        bare = _pixels(FigureCanvasAgg, lambda fig: fig.add_axes((0.15, 0.2, 0.6, 0.65)))
        assert np.abs(bare - plain).max() > 100


def test_risk_ranking_bars_are_the_p80_days_threats_red_opportunities_green():
    p = make_project([("A", 10), ("B", 5)], [("A", "B")]).replace(risks=(
        pm.Risk("R1", "Vendor late", 1, tasks=("A",), impact=pm.Fixed(3), cost_impact=2000),
        pm.Risk("O", "Reuse", 1, tasks=("B",), impact=pm.Fixed(-1)),
    ))
    sim = pm.simulate(p, iterations=500, seed=1)
    ax = pm.plot.risk_ranking(sim)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["R1 Vendor late", "O Reuse"]
    bars = {k: v for k, v in by_gid(ax, "risk_ranking:").items() if not k.endswith(":text")}
    assert bars["R1"].get_width() == 3.0 and bars["O"].get_width() == -1.0
    assert same_colour(bars["R1"].get_facecolor(), _common.POSITIVE)
    assert same_colour(bars["O"].get_facecolor(), _common.NEGATIVE)
    assert by_gid(ax, "risk_ranking:")["R1:text"].get_text() == "+3.0 d, +2k USD"
    # The table itself plots the same, and top= keeps the largest.
    table = sim.risk_ranking()
    assert [t.get_text() for t in pm.plot.risk_ranking(table, top=1).get_yticklabels()] == ["R1 Vendor late"]
    with pytest.raises(pm.ValidationError, match="risk_ranking needs the table"):
        pm.plot.risk_ranking(pd.DataFrame({"x": [1]}))
    with pytest.raises(pm.ValidationError, match="risk_ranking needs a Simulation"):
        pm.plot.risk_ranking(42)
