"""The Monte Carlo engine's links between calendars (pmsim._kernels.crossmap) give what the
two lookups through elapsed time give (pmsim._kernels.worktime), on calendars with breaks, nights,
weekends, holidays and exceptions, for finishes and starts, leads and lags on either end."""

import numba as nb
import numpy as np
import pytest

import pmsim as pm
from pmsim._kernels.crossmap import LAG_AFTER, LAG_BEFORE, LAG_NONE, build_maps, cross_link
from pmsim._kernels.worktime import lag_after, time_at, work_at
from pmsim.timeline import timeline


@nb.njit
def _through_maps(e, anchors, finish, lag, maps):
    return np.array([cross_link(e, x, finish, lag, maps) for x in anchors])


@nb.njit
def _through_time(a, b, lag_cal, anchors, finish, lag, tab):
    return np.array([work_at(b, lag_after(lag_cal, time_at(a, x, finish, tab), lag, tab), tab) for x in anchors])


def _project():
    calendars = [
        pm.Calendar(id="7d", workdays="Mon-Sun", holidays=["2027-01-06"]),
        pm.Calendar(id="long", hours="07:00-17:00", hours_per_day=8),
        pm.Calendar(id="night", hours="00:00-06:00; 22:00-24:00", workdays="Tue-Fri", hours_per_day=8,
                    week={"Mon": "22:00-24:00", "Sat": "00:00-06:00"}),
        pm.Calendar(id="odd", hours="09:30-12:15; 12:45-16:20", exceptions=[
            pm.CalendarException("2027-01-13", "2027-01-14", hours="10:00-11:00"),
            pm.CalendarException("2027-01-20", "2027-01-22", hours="")]),
    ]
    ids = [None, "7d", "long", "night", "odd"]
    tasks = [pm.Task(f"T{k}", duration=3, calendar=c) for k, c in enumerate(ids)]
    return pm.Project(name="cross", start="2027-01-04", tasks=tasks, calendars=calendars,
                      dependencies=[pm.Dependency("T0", "T1")])


@pytest.mark.parametrize("finish", [True, False])
def test_every_calendar_pair_every_lag_side_matches_elapsed_time(finish):
    tl = timeline(_project())
    tab = tl.tables
    n_cal = tab.cal_ptr.shape[0] - 1
    assert n_cal == 5  # the project's standard calendar and the four others
    rng = np.random.default_rng(3)
    pairs = [(a, b) for a in range(n_cal) for b in range(n_cal) if a != b]
    for side in (LAG_NONE, LAG_BEFORE, LAG_AFTER):
        lags = {LAG_NONE: 0.0, LAG_BEFORE: 150.0, LAG_AFTER: -610.0}[side]
        pred = np.array([a for a, _ in pairs])
        succ = np.array([b for _, b in pairs])
        lag = np.full(len(pairs), lags)
        lag_cal = pred.copy() if side == LAG_BEFORE else succ.copy()
        maps = build_maps(pred, succ, lag, lag_cal, np.ones(len(pairs), bool), tab)
        assert (maps.link_side == side).all() and (maps.link_map >= 0).all()
        for e, (a, b) in enumerate(pairs):
            total = tab.done[tab.cal_ptr[a + 1] - 1] + tab.ends[tab.cal_ptr[a + 1] - 1] - tab.starts[tab.cal_ptr[a + 1] - 1]
            # Random work times, every breakpoint of the first calendar (a finish there is the end of the work
            # before the break), quarter minutes, the ends of the table and beyond it.
            anchors = np.concatenate([rng.uniform(0, total, 400), tab.done[tab.cal_ptr[a]:tab.cal_ptr[a + 1]],
                                      np.round(rng.uniform(0, total, 100) * 4) / 4, [0.0, -5.0, total, total + 1]])
            got = _through_maps(e, anchors, finish, lag[e], maps)
            want = _through_time(a, b, lag_cal[e], anchors, finish, lag[e], tab)
            # The same minutes, summed in another order: equal to the last bit or two (1e-9 minute).
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-9, err_msg=f"calendars {a} -> {b}, lag side {side}")


def test_a_lag_on_a_third_calendar_goes_through_elapsed_time():
    tab = timeline(_project()).tables
    maps = build_maps(np.array([1, 1]), np.array([2, 2]), np.array([60.0, 0.0]), np.array([3, 3]),
                      np.array([True, True]), tab)
    assert maps.link_map.tolist() == [-1, 0]  # with no lag, the calendar of the lag does not matter


def test_a_simulation_across_calendars_is_the_cpm_when_nothing_varies():
    """Links across every pair of calendars, leads and lags on the predecessor's and successor's calendar:
    each iteration of a zero-width project gives the CPM's finish (working days of the project calendar)."""
    base = _project()
    ids = [t.id for t in base.tasks]
    links = [pm.Dependency(p, s, type=k, lag=lag) for n, (p, s) in enumerate(
        (ids[i], ids[j]) for i in range(5) for j in range(i + 1, 5))
        for k, lag in [(("FS", "SS", "FF", "SF")[n % 4], (0.5, -0.25, 0, 1.75)[n % 4])]]
    for rule in ("successor", "predecessor"):
        p = base.replace(dependencies=links, lag_calendar=rule)
        s = pm.cpm(p)
        sim = pm.simulate(p, iterations=64, seed=2, keep="tasks")
        assert sim.finish.min() == pytest.approx(s.makespan, abs=1e-4), rule
        assert sim.finish.max() == pytest.approx(s.makespan, abs=1e-4), rule
        np.testing.assert_allclose(sim.task_finish[0], s.table["finish"].to_numpy(), atol=1e-3, err_msg=rule)
