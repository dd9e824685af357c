"""Projects for the import/export tests (MSPDI, XER, MPXJ): everything pmsim models, in one plan."""

from __future__ import annotations

import pmsim as pm


def rich_project() -> pm.Project:
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
