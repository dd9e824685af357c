"""What several test files share: paths, small project builders and a schedule checker.

Test files import it as ``from support import ...`` (``tests/`` is on pytest's path);
fixtures stay in ``conftest.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import strategies as st

import pmsim as pm

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
DATA = TESTS / "data"
PSPLIB = DATA / "psplib"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TOL = 1e-6


# --------------------------------------------------------------------------- small projects


def make_project(tasks, links=(), **settings):
    """A project from ``[(id, duration), ...]`` and ``[(pred, succ, type, lag), ...]``."""
    settings.setdefault("name", "fixture")
    settings.setdefault("start", "2027-01-04")  # a Monday
    return pm.Project(
        tasks=[t if isinstance(t, pm.Task) else pm.Task(t[0], duration=t[1]) for t in tasks],
        dependencies=[pm.Dependency(*link) for link in links],
        **settings,
    )


def make(tasks, links, capacities, **settings):
    """Tasks ``(id, duration, {resource: units})``, links ``(pred, succ, type, lag)``."""
    return pm.Project(
        name=settings.pop("name", "tiny"), start="2027-01-04",
        tasks=[pm.Task(tid, duration=d, resources=r, milestone=d == 0) for tid, d, r in tasks],
        dependencies=[pm.Dependency(*link) for link in links],
        resources=[pm.Resource(rid, capacity=c) for rid, c in capacities.items()],
        **settings,
    )


def rich_project() -> pm.Project:
    """Every distribution, every link type, a negative lag, milestones, resources, risks,
    holidays, budget, deadline and floats that need all 17 digits.

    Dependencies are listed in task order, the order a reader gives them.
    """
    T = pm.Task
    tasks = [
        T("S", "Kick-off", milestone=True, phase="Start"),
        T("A", "Design, \"core\"", estimate=pm.BetaPert(2, 3, 7), resources={"dev": 2, "dba": 0.5},
          fixed_cost=1500.5, cost_per_day=100, phase="Design"),
        T("B", "Prototype", estimate=pm.BetaPert(1, 2.5, 6.25, lamb=3), resources={"dev": 1}, phase="Design"),
        T("C", "Data model", estimate=pm.Triangular(0.1 + 0.2, 1, 2.2), resources={"dba": 1 / 3}),
        T("D", "Build", estimate=pm.Uniform(2, 5), cost_per_day=1 / 3, phase="Build"),
        T("E", "Migrate", estimate=pm.Lognormal.from_percentiles(3, 12), phase="Build"),
        T("F", "Integrate", estimate=pm.Lognormal.from_three_point(4, 6, 14), phase="Build"),
        T("G", "Vendor patch", estimate=pm.Discrete((20, 10, 15), (0.2, 0.5, 0.3))),
        T("10", "Test", estimate=pm.Fixed(4), resources={"dev": 3}, phase="Test"),
        T("M", "Go live", milestone=True, phase="Test"),
    ]
    D = pm.Dependency
    links = [
        D("S", "A"),
        D("A", "B", "SS", 2),
        D("A", "C"),
        D("B", "D", "FF", -1),
        D("C", "E", "SF"),
        D("D", "F", "FS", 1.5),
        D("B", "G", "SS", -0.25),
        D("E", "10"), D("F", "10", "FF", 2), D("G", "10"),
        D("10", "M"),
    ]
    resources = [pm.Resource("dev", "Developer", 3, 640), pm.Resource("dba", "Database admin", 0.5, 900.25)]
    risks = [
        pm.Risk("R1", "Vendor late", 0.3, tasks=("D", "F"), impact=pm.BetaPert(2, 5, 15), cost_impact=20000),
        pm.Risk("R2", "Licence audit", 0.1, cost_impact=7500.75),
        pm.Risk("R3", "Key developer leaves", 0.05, tasks=("10",), impact=pm.Fixed(3)),
        pm.Risk("R4", "Flaky tests", 0.2, tasks=("10",), impact=pm.Triangular(1, 2, 4)),
        pm.Risk("R5", "Data quality", 1 / 3, tasks=("E",), impact=pm.Lognormal.from_percentiles(1, 6)),
        pm.Risk("R6", "Rework", 0.15, tasks=("B", "C"), impact=pm.Discrete((1, 3), (0.75, 0.25)), cost_impact=0.1),
        pm.Risk("R7", "Scope creep", 0.4, tasks=("D",), impact=pm.Uniform(0.5, 3)),
    ]
    return pm.Project(
        name="Rich fixture", start="2027-01-04", tasks=tasks, dependencies=links,
        resources=resources, risks=risks,
        calendar=pm.Calendar(workdays=("Mon", "Tue", "Wed", "Thu", "Sat"), holidays=("2027-04-02", "2027-01-06")),
        currency="EUR", budget=123456.78, deadline="2027-06-30",
        description='A fixture with "quotes", commas, and\na second line.',
    )

def rich_exchange_project() -> pm.Project:
    """Every distribution, all four link types, leads and lags, milestones, resources, risks, holidays,
    a Sunday-to-Thursday week, budget, deadline, a description, phases that come back after a break,
    and a name that starts with a quote (XER quotes such fields)."""
    tasks = [
        pm.Task("K0", "Kick-off", milestone=True, phase="Start-up"),
        pm.Task("A1", "Über-Prüfung der Anforderungen", duration=2.5, phase="Start-up",
                resources={"dev": 2, "pm": 0.5}, fixed_cost=1200.0, cost_per_day=35.5),
        pm.Task("A2", "Architecture", estimate=pm.Triangular(2, 4, 9), phase="Design", resources={"dev": 1}),
        pm.Task("A3", "Data model", estimate=pm.BetaPert(3, 5, 12), phase="Design"),
        pm.Task("A4", "Security review", estimate=pm.BetaPert(1, 2, 6, lamb=3), phase="Start-up",
                fixed_cost=800.0),
        pm.Task("B1", "Build API", estimate=pm.Uniform(6, 10), phase="Build", resources={"dev": 2}),
        pm.Task("B2", "Build UI", estimate=pm.Lognormal.from_three_point(4, 6, 14), phase="Build",
                resources={"dev": 1.5}),
        pm.Task("B3", "Vendor interface", estimate=pm.Lognormal.from_percentiles(5, 20), phase="Build"),
        pm.Task("B4", "Data migration", estimate=pm.Lognormal(1.7, 0.35), phase="Build", cost_per_day=120.0),
        pm.Task("B5", "Licence approval", estimate=pm.Discrete((10, 15, 20), (0.5, 0.3, 0.2)), fixed_cost=9000.0),
        pm.Task("T1", "Testing", duration=7, phase="Test", resources={"qa": 1}),
        pm.Task("G1", '"Go-live" gate', milestone=True, phase="Test"),
    ]
    deps = [
        pm.Dependency("K0", "A1"),
        pm.Dependency("A1", "A2", "SS", 2),
        pm.Dependency("A1", "A3", "FS", -1),
        pm.Dependency("A1", "A4", "FF", 0.5),
        pm.Dependency("A2", "B1"),
        pm.Dependency("A3", "B2", "SF", 3),
        pm.Dependency("A3", "B3", "SS", 1.25),
        pm.Dependency("A4", "B5", "FS", -2),
        pm.Dependency("B1", "B4", "FF", -1),
        pm.Dependency("B1", "T1"),
        pm.Dependency("B2", "T1"),
        pm.Dependency("B3", "T1", "FS", 4),
        pm.Dependency("B4", "T1"),
        pm.Dependency("B5", "T1"),
        pm.Dependency("T1", "G1"),
    ]
    resources = [
        pm.Resource("dev", "Developer", capacity=3, cost_per_day=640),
        pm.Resource("pm", "Project manager", capacity=0.5, cost_per_day=850.25),
        pm.Resource("qa", "Tester", capacity=2, cost_per_day=333.5),
    ]
    risks = [
        pm.Risk("R1", "Vendor late", 0.3, tasks=("B3", "B5"), optimistic=2, most_likely=5, pessimistic=15,
                cost_impact=4000),
        pm.Risk("R2", "Licence price rise", 0.15, cost_impact=12500.5),
        pm.Risk("R3", "Key developer leaves", 0.1, tasks=("B1",), impact=pm.Lognormal.from_percentiles(3, 12)),
        pm.Risk("R4", "Extra test cycle", 0.2, tasks=("T1",), impact=pm.Fixed(5)),
    ]
    calendar = pm.Calendar(workdays=("Sun", "Mon", "Tue", "Wed", "Thu"),
                           holidays=("2027-01-06", "2027-02-14", "2027-03-21", "2027-03-22"))
    return pm.Project(
        name="Rich fixture: ERP & CRM", start="2027-01-03", tasks=tasks, dependencies=deps,
        resources=resources, risks=risks, calendar=calendar, currency="EUR", budget=250000.0,
        deadline="2027-06-30",
        description='Line one of the description.\nLine two, with "quotes" and a tab\there.',
    )


# --------------------------------------------------------------------------- levelled schedules


def violations(project: pm.Project, schedule: pm.Schedule) -> list[str]:
    """Everything wrong with a schedule, computed from the model objects alone.

    Precedence: each link with its type and lag. Durations: finish - start
    equals the planned duration. Capacity: at every moment where usage can
    rise (every task start), the units in use of each resource.
    """
    t = schedule.table
    start = {tid: float(t.at[tid, "start"]) for tid in project.task_ids}
    dur = {task.id: task.planned_duration for task in project.tasks}
    finish = {tid: start[tid] + dur[tid] for tid in start}
    bad = []
    for tid in project.task_ids:
        if start[tid] < -TOL:
            bad.append(f"{tid} starts before the project start ({start[tid]})")
        if abs(float(t.at[tid, "finish"]) - finish[tid]) > TOL:
            bad.append(f"{tid}: finish - start is not its duration")
    for d in project.dependencies:
        a, b = d.predecessor, d.successor
        lhs = {"FS": start[b], "SS": start[b], "FF": finish[b], "SF": finish[b]}[d.type]
        rhs = {"FS": finish[a], "SS": start[a], "FF": finish[a], "SF": start[a]}[d.type] + d.lag
        if lhs < rhs - TOL:
            bad.append(f"link {a} {d.type}{d.lag:+g} {b} broken: {lhs} < {rhs}")
    capacity = {r.id: r.capacity for r in project.resources}
    users = [task for task in project.tasks if dur[task.id] > 0]
    for moment in sorted(set(start.values())):
        in_use: dict[str, float] = {}
        for task in users:
            if start[task.id] <= moment + TOL * 0.1 and finish[task.id] > moment + TOL:
                for rid, units in task.resources:
                    in_use[rid] = in_use.get(rid, 0.0) + units
        for rid, units in in_use.items():
            if units > capacity[rid] + TOL:
                bad.append(f"resource {rid} over capacity at {moment}: {units} > {capacity[rid]}")
    if abs(schedule.makespan - max(finish.values())) > TOL:
        bad.append("makespan is not the last finish")
    return bad


def assert_feasible(project, schedule):
    problems = violations(project, schedule)
    assert not problems, "\n".join(problems[:10])


@st.composite
def networks(draw):
    """Random small projects: all link types, lags from -2 to 3, fractional durations, two resources."""
    n = draw(st.integers(2, 8))
    caps = {"r": draw(st.sampled_from([1.0, 2.0, 2.5])), "s": draw(st.sampled_from([1.0, 3.0]))}
    tasks = []
    for i in range(n):
        d = draw(st.sampled_from([0, 0.5, 1, 1.5, 2, 3, 4.25]))
        demand = {}
        for rid, cap in caps.items():
            u = draw(st.sampled_from([0.0, 0.5, 1.0, cap]))
            if u:
                demand[rid] = u
        tasks.append((f"T{i}", d, demand))
    links = []
    for j in range(1, n):
        for i in draw(st.sets(st.integers(0, j - 1), max_size=2)):
            links.append((f"T{i}", f"T{j}", draw(st.sampled_from(["FS", "SS", "FF", "SF"])),
                          draw(st.sampled_from([-2, -0.5, 0, 0, 1, 3]))))
    return make(tasks, links, caps, name="random")


def time_project() -> pm.Project:
    """Everything of real schedules the table format carries: several calendars (shifts, round the clock,
    a short Friday with its own length of day, a weekend-only one), exceptions with and without working time
    (one with a name that needs quotes), task and resource calendars, every constraint kind and a secondary
    one, dates and moments, deadlines, progress at a status date, two links between one pair, a lag on
    another calendar, and every scheduling setting away from its default.
    """
    from pmsim.calendar import CalendarException as X

    C = pm.Calendar
    calendars = (
        C(id="standard", name="Office", holidays=("2027-04-02", "2027-05-03"),
          exceptions=(X("2027-12-24", hours="08:00-12:00", name="Christmas Eve"),
                      X("2027-12-27", "2027-12-31", name="Year-end shutdown"),
                      X("2027-06-11", hours="09:00-11:00; 14:00-16:00", name='Audit: "dry run"; day 1'),
                      X("2027-07-01", "2027-07-02"))),
        C(id="night", name="Night shift", workdays="Sun-Thu", hours="00:00-06:00; 22:00-24:00"),
        C(id="24h", name="Round the clock", workdays="Mon-Sun", hours="00:00-24:00", hours_per_day=24),
        C(id="short_fri", workdays="Mon-Thu", hours="07:00-12:00; 12:30-17:00", week={"Fri": "07:00-12:00"},
          hours_per_day=8),
        C(id="weekends", name="Weekend crew", hours="", week={"Sat": "09:00-13:00", "Sun": "09:00-13:00"}),
    )
    T = pm.Task
    tasks = [
        T("S", "Start", milestone=True, actual_start="2027-01-04", actual_finish="2027-01-04", percent_complete=100),
        T("A", "Design", duration=5, calendar="short_fri", actual_start="2027-01-04T07:00",
          actual_finish="2027-01-08T12:00", remaining_duration=0, percent_complete=100),
        T("B", "Build", optimistic=4, most_likely=6, pessimistic=10, resources={"night_ops": 1},
          actual_start="2027-01-11", remaining_duration=3.5, percent_complete=40),
        T("C", "Cure concrete", duration=72, calendar="24h", constraint="SNET", constraint_date="2027-02-01T06:30"),
        T("D", "Review", duration=2, constraint="SNLT", constraint_date="2027-03-01"),
        T("E", "Migrate", duration=3, constraint="FNET", constraint_date="2027-03-05",
          secondary_constraint="FNLT", secondary_constraint_date="2027-04-30T17:00"),
        T("F", "Train", duration=4, constraint="FNLT", constraint_date="2027-04-15", deadline="2027-04-09"),
        T("G", "Go-live window", duration=1, constraint="MSO", constraint_date="2027-05-10T08:00"),
        T("H", "Sign-off", duration=1, constraint="MFO", constraint_date="2027-05-14"),
        T("I", "Vendor start", duration=2, constraint="SO", constraint_date="2027-02-15"),
        T("J", "Vendor finish", duration=2, constraint="FO", constraint_date="2027-02-26T12:00",
          deadline="2027-02-26T17:00"),
        T("K", "Weekend cutover", duration=2, calendar="weekends", constraint="ALAP"),
        T("M", "Done", milestone=True, deadline="2027-06-30"),
    ]
    D = pm.Dependency
    links = [
        D("S", "A"), D("A", "B", "SS", 2), D("A", "B", "FF", 2), D("B", "C"),
        D("C", "D", "FS", 1, lag_calendar="24h"), D("D", "E"), D("E", "F", "SS", -0.5), D("F", "G"),
        D("G", "H"), D("C", "I", "SF", 1.5), D("I", "J"), D("H", "K"), D("J", "K"), D("K", "M"),
    ]
    resources = [pm.Resource("night_ops", "Night operator", 2, 500, calendar="night"),
                 pm.Resource("dev", "Developer", 3, 640)]
    return pm.Project(
        name="Time fixture", start="2027-01-04", tasks=tasks, dependencies=links, resources=resources,
        calendar=calendars[0], calendars=calendars, status_date="2027-01-13T17:00",
        must_finish_by="2027-06-30", lag_calendar="predecessor", total_float="smallest",
        progress_rule="progress_override", honor_constraints=False, currency="EUR", budget=99000.0,
    )
