"""The sample IT projects in data/: they load and read like real plans.

Each property checked here is one the issue asks of the sample data: about the
stated number of tasks, several link types with lags and leads, resources with
capacities and day rates that the plan over-allocates (so levelling matters)
while no single task asks for more than a resource has, costs, a risk
register, a budget that covers the baseline cost, and a deadline a little
after the critical-path finish.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re

import numpy as np
import pytest

import pmsim as pm

# Folder name -> (fewest, most) tasks: "about N" in the issue.
IT_PROJECTS = {
    "erp_upgrade": (70, 90),
    "datacentre_migration": (105, 135),
    "ecommerce_launch": (50, 70),
    "security_remediation": (35, 45),
    "software_rollout": (135, 165),
}
TASK_COLUMNS = [
    "id", "name", "phase", "duration", "optimistic", "most_likely", "pessimistic",
    "distribution", "values", "predecessors", "resources", "fixed_cost", "cost_per_day", "milestone",
]


@pytest.fixture(scope="module")
def projects():
    return {name: pm.read_project(pm.data_path(name)) for name in pm.sample_projects()}


@pytest.fixture(scope="module")
def schedules(projects):
    return {name: pm.cpm(p) for name, p in projects.items()}


def baseline_cost(project):
    """Σ fixed cost + (cost per day + Σ units × day rate) × planned duration, by hand."""
    rate = {r.id: r.cost_per_day for r in project.resources}
    return sum(
        t.fixed_cost
        + (t.cost_per_day + sum(units * rate[rid] for rid, units in t.resources)) * t.planned_duration
        for t in project.tasks
    )


def overallocated_days(project, schedule):
    """Per resource, the working days on which the early-start plan asks for more than capacity."""
    horizon = int(math.ceil(schedule.makespan))
    use = {r.id: np.zeros(horizon) for r in project.resources}
    table = schedule.table
    for task in project.tasks:
        first = int(math.floor(table.at[task.id, "early_start"]))
        last = int(math.ceil(table.at[task.id, "early_finish"]))
        for rid, units in task.resources:
            use[rid][first:last] += units
    return {r.id: int((use[r.id] > r.capacity + 1e-9).sum()) for r in project.resources}


def test_the_five_it_projects_and_the_textbook_are_shipped():
    assert set(IT_PROJECTS) | {"textbook"} <= set(pm.sample_projects())


@pytest.mark.parametrize("name", sorted(IT_PROJECTS) + ["textbook"])
def test_tasks_csv_uses_only_the_agreed_columns(name):
    with open(pm.data_path(name) / "tasks.csv", newline="") as f:
        header = next(csv.reader(f))
    assert header[0] == "id"
    assert set(header) <= set(TASK_COLUMNS), set(header) - set(TASK_COLUMNS)


@pytest.mark.parametrize("name", sorted(IT_PROJECTS))
class TestITProject:
    def test_size_and_phases(self, name, projects):
        p = projects[name]
        low, high = IT_PROJECTS[name]
        assert low <= len(p.tasks) <= high
        assert all(t.phase for t in p.tasks), "every task belongs to a phase"
        assert len(p.phases) >= 4

    def test_task_names_read_like_a_real_plan(self, name, projects):
        p = projects[name]
        names = [t.name for t in p.tasks]
        assert len(set(names)) == len(names), "task names are unique"
        for t in p.tasks:
            assert t.name != t.id
            assert not re.fullmatch(r"(task|activity)\s*\d+", t.name, re.IGNORECASE), t.name
            assert len(re.findall(r"[A-Za-z]+", t.name)) >= 2, t.name

    def test_several_link_types_with_lags_and_a_lead(self, name, projects):
        deps = projects[name].dependencies
        kinds = {d.type for d in deps}
        assert {"FS", "SS", "FF", "SF"} <= kinds
        assert sum(d.type == "FS" for d in deps) > len(deps) / 2, "mostly finish-to-start"
        assert any(d.lag > 0 for d in deps)
        assert any(d.lag < 0 for d in deps), "at least one lead (negative lag)"

    def test_milestones_and_non_default_distributions(self, name, projects):
        p = projects[name]
        assert sum(t.milestone for t in p.tasks) >= 2
        kinds = {type(t.estimate).__name__ for t in p.tasks if not t.milestone}
        assert "BetaPert" in kinds
        assert len(kinds & {"Triangular", "Uniform", "Lognormal", "Discrete"}) >= 2, kinds
        three_point = [t for t in p.tasks if isinstance(t.estimate, pm.BetaPert)]
        assert len(three_point) > len(p.tasks) / 2, "mostly three-point estimates"
        # Plausible estimates: nothing longer than a quarter of a year.
        assert max(t.estimate.high for t in p.tasks if isinstance(t.estimate, pm.BetaPert)) <= 70

    def test_resources_have_capacities_and_day_rates(self, name, projects):
        p = projects[name]
        assert 4 <= len(p.resources) <= 8
        for r in p.resources:
            assert r.capacity >= 1 and r.capacity == int(r.capacity), r  # people count
            assert 300 <= r.cost_per_day <= 1200, r
        used = {rid for t in p.tasks for rid, _ in t.resources}
        assert used == {r.id for r in p.resources}, "every resource is used"

    def test_no_task_demands_more_than_a_resource_has(self, name, projects):
        p = projects[name]
        capacity = {r.id: r.capacity for r in p.resources}
        for t in p.tasks:
            for rid, units in t.resources:
                assert 0 < units <= capacity[rid], (t.id, rid, units)

    def test_the_early_start_plan_overallocates_some_resource(self, name, projects, schedules):
        over = overallocated_days(projects[name], schedules[name])
        assert sum(over.values()) > 0, "levelling must have something to do"

    def test_costs(self, name, projects):
        p = projects[name]
        assert sum(t.fixed_cost > 0 for t in p.tasks) >= 3, "licences, hardware, services"
        assert all(t.fixed_cost == 0 and t.cost_per_day == 0 and not t.resources for t in p.tasks if t.milestone)
        unpaid = [t.id for t in p.tasks if not t.milestone and not (t.resources or t.fixed_cost or t.cost_per_day)]
        assert unpaid == []

    def test_risk_register(self, name, projects):
        p = projects[name]
        assert 5 <= len(p.risks) <= 12
        for r in p.risks:
            assert 0 < r.probability < 1
            assert r.tasks and r.impact is not None and r.impact.low > 0
        assert any(r.cost_impact > 0 for r in p.risks)

    def test_budget_covers_the_baseline_with_contingency(self, name, projects):
        p = projects[name]
        base = baseline_cost(p)
        assert 1.05 * base <= p.budget <= 1.20 * base, (p.budget, base)

    def test_deadline_a_little_after_the_cpm_finish(self, name, projects, schedules):
        p, s = projects[name], schedules[name]
        assert p.deadline > s.finish_date
        slack = p.calendar.offset(p.start, p.deadline) + 1 - s.makespan
        assert 0.05 * s.makespan <= slack <= 0.25 * s.makespan, slack

    def test_calendar_and_settings(self, name, projects):
        p = projects[name]
        assert p.start.year == 2027 and p.start.weekday() == 0, "starts on a Monday in 2027"
        assert p.currency in {"EUR", "USD", "GBP"}
        assert p.description
        assert p.calendar.workdays == ("Mon", "Tue", "Wed", "Thu", "Fri")
        assert len(p.calendar.holidays) >= 4
        assert all(p.start <= h <= p.deadline + dt.timedelta(days=366) for h in p.calendar.holidays)
        # Every project has at least one holiday on a weekday before its deadline.
        assert any(h.weekday() < 5 and h <= p.deadline for h in p.calendar.holidays)


def test_currencies_are_mixed(projects):
    assert {projects[name].currency for name in IT_PROJECTS} == {"EUR", "USD", "GBP"}


def test_every_sample_project_schedules(projects, schedules):
    for name, s in schedules.items():
        assert s.makespan > 0, name
        assert s.critical_path, name
        assert len(s.table) == len(projects[name].tasks)
