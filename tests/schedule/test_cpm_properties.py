"""Property tests: CPM on random networks with all four link types.

The reference answers come from a plain Bellman-Ford relaxation written here,
on the start-time constraint graph (``start[succ] >= start[pred] + weight``),
relaxing every link in the order given until nothing changes. It shares no
code with pmsim's topological-order kernels.

Durations and lags are whole multiples of a step. With 1 or 0.5 days every
sum is exact in floating point and results are compared with ``==``; one test
uses tenths of a day, compared within rounding.
"""

from __future__ import annotations

import datetime as dt
import math
import random

import pytest
from hypothesis import given, settings, strategies as st

import pmsim as pm

LINK_TYPES = ("FS", "SS", "FF", "SF")


# --------------------------------------------------------------------------- the reference


def link_weight(kind, lag, d_pred, d_succ):
    """The link as ``start[succ] >= start[pred] + weight``."""
    return {"FS": d_pred + lag, "SS": lag, "FF": d_pred + lag - d_succ, "SF": lag - d_succ}[kind]


def earliest_starts(dur, links, release=None):
    """Least start times >= 0 (or >= ``release``) meeting every link."""
    start = {t: 0.0 for t in dur}
    start.update(release or {})
    for _ in range(len(dur) + 1):
        changed = False
        for pred, succ, kind, lag in links:
            need = start[pred] + link_weight(kind, lag, dur[pred], dur[succ])
            if need > start[succ]:
                start[succ], changed = need, True
        if not changed:
            return start
    raise AssertionError("no fixed point: the links have a cycle")


def latest_starts(dur, links, finish):
    """Greatest start times meeting every link with every task finished by ``finish``."""
    start = {t: finish - d for t, d in dur.items()}
    for _ in range(len(dur) + 1):
        changed = False
        for pred, succ, kind, lag in links:
            allowed = start[succ] - link_weight(kind, lag, dur[pred], dur[succ])
            if allowed < start[pred]:
                start[pred], changed = allowed, True
        if not changed:
            return start
    raise AssertionError("no fixed point: the links have a cycle")


def makespan(dur, start):
    return max(start[t] + dur[t] for t in dur)


# --------------------------------------------------------------------------- random networks


@st.composite
def networks(draw, max_tasks=40, step=1.0):
    """A random acyclic project of up to ``max_tasks`` tasks, listed in random order.

    Durations are in [0, 10] (zero for about one task in five, some of those
    milestones); each task has up to 1-4 links (the density) into it from
    earlier tasks, of any type, with lags in [-3, 5]; tasks and links are listed
    in random order. Hypothesis chooses the size, the density and a seed; the
    seed fills in the details, so that generating a dense 40-task network stays
    cheap.
    """
    # Half small networks (edge cases), half large ones (many paths).
    n = draw(st.one_of(st.integers(1, 8), st.integers(max(9, max_tasks // 2), max_tasks)))
    max_links = draw(st.integers(1, 4))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    units = int(round(1 / step))
    durations = [0.0 if rng.random() < 0.2 else rng.randint(1, 10 * units) / units for _ in range(n)]
    links = []
    # Links run from a lower to a higher rank, so there is no cycle.
    for b in range(1, n):
        for a in rng.sample(range(b), rng.randint(0, min(max_links, b))):
            lag = rng.randint(-3 * units, 5 * units) / units
            links.append((f"T{a}", f"T{b}", rng.choice(LINK_TYPES), lag))
    order = list(range(n))
    rng.shuffle(order)
    rng.shuffle(links)
    tasks = [
        pm.Task(f"T{k}", duration=durations[k], milestone=durations[k] == 0 and rng.random() < 0.5)
        for k in order
    ]
    return pm.Project(name="random", start="2027-01-04", tasks=tasks,
                      dependencies=[pm.Dependency(*link) for link in links])


def durations_of(project):
    return {t.id: t.planned_duration for t in project.tasks}


def links_of(project):
    return [(d.predecessor, d.successor, d.type, d.lag) for d in project.dependencies]


# --------------------------------------------------------------------------- properties


@given(networks())
def test_early_and_late_dates_match_the_independent_longest_path(project):
    dur, links = durations_of(project), links_of(project)
    s = pm.cpm(project)
    early = earliest_starts(dur, links)
    finish = makespan(dur, early)
    late = latest_starts(dur, links, finish)
    assert s.makespan == finish
    table = s.table.to_dict("index")
    for t in dur:
        row = table[t]
        assert (row["early_start"], row["early_finish"]) == (early[t], early[t] + dur[t]), t
        assert (row["late_start"], row["late_finish"]) == (late[t], late[t] + dur[t]), t
        assert row["total_float"] == late[t] - early[t], t


@given(networks(step=0.5))
def test_half_day_durations_and_lags_match_too(project):
    dur, links = durations_of(project), links_of(project)
    early = earliest_starts(dur, links)
    s = pm.cpm(project)
    assert s.makespan == makespan(dur, early)
    assert s.table["early_start"].to_dict() == early


@given(networks(step=0.1))
def test_tenth_of_a_day_durations_agree_within_rounding(project):
    # Tenths are not exact in binary: sums differ in the last bits between the two
    # methods, and the critical flag must not depend on that noise.
    dur, links = durations_of(project), links_of(project)
    early = earliest_starts(dur, links)
    finish = makespan(dur, early)
    late = latest_starts(dur, links, finish)
    s = pm.cpm(project)
    assert s.makespan == pytest.approx(finish, abs=1e-9)
    t = s.table
    assert t["early_start"].to_dict() == pytest.approx(early, abs=1e-9)
    assert t["late_start"].to_dict() == pytest.approx(late, abs=1e-9)
    critical = {task for task in dur if late[task] - early[task] < 1e-6}
    assert set(t.index[t["critical"]]) == critical
    assert (t.loc[t["critical"], "total_float"] == 0).all()


@given(networks())
def test_every_link_holds_at_the_early_and_at_the_late_dates(project):
    s = pm.cpm(project)
    table, F = s.table, s.makespan
    es, ef, ls, lf = (table[c].to_dict() for c in ("early_start", "early_finish", "late_start", "late_finish"))
    for starts, finishes in ((es, ef), (ls, lf)):
        for d in project.dependencies:
            p, s = d.predecessor, d.successor
            if d.type == "FS":
                assert starts[s] >= finishes[p] + d.lag
            elif d.type == "SS":
                assert starts[s] >= starts[p] + d.lag
            elif d.type == "FF":
                assert finishes[s] >= finishes[p] + d.lag
            else:
                assert finishes[s] >= starts[p] + d.lag
    # Nothing starts before the project start or finishes after the project finish.
    assert min(es.values()) >= 0 and max(lf.values()) <= F
    assert max(ef.values()) == F


@given(networks())
def test_floats_and_the_critical_path(project):
    s = pm.cpm(project)
    t = s.table
    assert (t["total_float"] >= t["free_float"]).all()
    assert (t["free_float"] >= 0).all()
    assert (t["critical"] == (t["total_float"] == 0)).all()
    assert (t["late_start"] >= t["early_start"]).all()
    critical = set(t.index[t["critical"]])
    es, ef, dur = (t[c].to_dict() for c in ("early_start", "early_finish", "duration"))
    # Some critical task finishes the project.
    assert any(ef[c] == s.makespan for c in critical)
    # A critical task that starts after the project start is driven by a tight link
    # from a critical predecessor: the critical path can be traced back to the start.
    for task in critical:
        if es[task] == 0:
            continue
        driving = [
            d.predecessor for d in project.predecessors(task)
            if es[d.predecessor] + link_weight(d.type, d.lag, dur[d.predecessor], dur[task]) == es[task]
        ]
        assert driving and any(p in critical for p in driving), task
    # critical_path lists exactly the critical tasks, by early start then early finish.
    assert set(s.critical_path) == critical and len(s.critical_path) == len(critical)
    keys = [(es[c], ef[c]) for c in s.critical_path]
    assert keys == sorted(keys)


@settings(max_examples=100)
@given(networks(max_tasks=15))
def test_floats_mean_what_they_say(project):
    # Total float: the delay a task can take without moving the finish.
    # Free float: the delay it can take without moving any other task or the finish.
    dur, links = durations_of(project), links_of(project)
    table = pm.cpm(project).table.to_dict("index")
    early = earliest_starts(dur, links)
    finish = makespan(dur, early)
    for task in dur:
        es, tf, ff = (table[task][c] for c in ("early_start", "total_float", "free_float"))
        kept = earliest_starts(dur, links, {task: es + tf})
        assert makespan(dur, kept) == finish, task
        moved = earliest_starts(dur, links, {task: es + tf + 1})
        assert makespan(dur, moved) > finish, task
        still = earliest_starts(dur, links, {task: es + ff})
        others = [t for t in dur if t != task]
        assert all(still[t] == early[t] for t in others) and makespan(dur, still) == finish, task
        pushed = earliest_starts(dur, links, {task: es + ff + 1})
        assert any(pushed[t] != early[t] for t in others) or makespan(dur, pushed) > finish, task


@given(networks(max_tasks=20), st.data())
def test_durations_override_equals_a_project_with_those_durations(project, data):
    new = data.draw(st.lists(st.integers(0, 12), min_size=len(project.tasks), max_size=len(project.tasks)))
    changed = project.replace(tasks=[
        t.replace(duration=float(d), milestone=t.milestone and d == 0) for t, d in zip(project.tasks, new)
    ])
    overridden = pm.cpm(project, durations=[float(d) for d in new]).table
    by_id = pm.cpm(project, durations=dict(zip(project.task_ids, new))).table
    rebuilt = pm.cpm(changed).table
    columns = ["duration", "early_start", "early_finish", "late_start", "late_finish", "total_float",
               "free_float", "critical", "start_date", "finish_date"]
    assert overridden[columns].equals(rebuilt[columns])
    assert by_id[columns].equals(rebuilt[columns])


WEEKDAY_SETS = [("Mon", "Tue", "Wed", "Thu", "Fri"), ("Sun", "Mon", "Tue", "Wed", "Thu"),
                ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat"), ("Tue", "Thu")]


@given(networks(max_tasks=20), st.sampled_from(WEEKDAY_SETS),
       st.dates(dt.date(2026, 12, 1), dt.date(2027, 2, 1)),
       st.lists(st.dates(dt.date(2026, 12, 1), dt.date(2027, 6, 30)), max_size=6))
def test_dates_are_the_working_days_of_the_offsets(project, workdays, start, holidays):
    project = project.replace(start=start, calendar=pm.Calendar(workdays=workdays, holidays=holidays))
    # The working days from the start, listed one calendar day at a time.
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    days, day = [], start
    while len(days) < 200:
        if names[day.weekday()] in workdays and day not in set(holidays):
            days.append(day)
        day += dt.timedelta(days=1)
    s = pm.cpm(project)
    for task, row in s.table.iterrows():
        first, last = row.start_date.date(), row.finish_date.date()
        if row.duration > 0:
            assert first == days[math.floor(row.early_start)], task
            assert last == days[math.ceil(row.early_finish) - 1], task
        else:
            # A zero-duration task sits on the last day of the work before it.
            assert first == last == days[max(math.ceil(row.early_finish) - 1, 0)], task
    assert s.start_date == days[0]
    assert s.finish_date == days[max(math.ceil(s.makespan) - 1, 0)]
