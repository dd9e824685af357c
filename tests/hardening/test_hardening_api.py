"""Issue 17, class "uncaught exceptions": the Python API answers a wrong argument with a PmsimError that
says what it needs, never an AttributeError or TypeError from deep inside."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile import small_project

import pmsim as pm

NOT_PROJECTS = [
    pytest.param("data/textbook", r"needs a Project, got the path 'data/textbook'; read it first: "
                                  r"pm\.read_project\('data/textbook'\)", id="path-text"),
    pytest.param(Path("plan.xer"), r"needs a Project, got the path 'plan\.xer'", id="pathlib"),
    pytest.param([1, 2], r"needs a Project, got list", id="list"),
    pytest.param(None, r"needs a Project, got NoneType", id="none"),
    pytest.param({"tasks": []}, r"needs a Project, got dict", id="dict"),
]

CALLS = {
    "cpm": lambda x: pm.cpm(x),
    "pert": lambda x: pm.pert(x),
    "simulate": lambda x: pm.simulate(x, iterations=10),
    "level": lambda x: pm.level(x),
    "smooth": lambda x: pm.smooth(x),
    "health_check": lambda x: pm.health_check(x),
    "resource_profile": lambda x: pm.resource_profile(x),
    "overallocations": lambda x: pm.overallocations(x),
    "cost_model": lambda x: pm.cost_model(x),
    "baseline_cost": lambda x: pm.baseline_cost(x),
    "budget_burn": lambda x: pm.budget_burn(x),
    "earned_value": lambda x: pm.earned_value(x, None),
    "write_project": lambda x: pm.write_project(x, "out.xer"),
    "compare": lambda x: pm.compare(x, [pm.Scenario("s")]),
}


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("value, message", NOT_PROJECTS)
def test_functions_that_take_a_project_say_so(name, value, message):
    with pytest.raises(pm.ValidationError, match=rf"^{name} {message}"):
        CALLS[name](value)


@pytest.mark.parametrize("call, message", [
    (lambda: pm.read_project([1, 2]), r"read_project needs a path \(a str or pathlib\.Path\), got list"),
    (lambda: pm.read_project(None), r"read_project needs a path \(a str or pathlib\.Path\), got NoneType"),
    (lambda: pm.read_project(""), r"read_project needs a path, got ''"),
    (lambda: pm.read_progress(3), r"read_progress needs a path \(a str or pathlib\.Path\), got int"),
    (lambda: pm.write_project(small_project(), 7), r"write_project needs a path \(a str or pathlib\.Path\), got int"),
])
def test_functions_that_take_a_path_say_so(call, message):
    with pytest.raises(pm.ValidationError, match=message):
        call()


@pytest.mark.parametrize("call, error, message", [
    (lambda: pm.compare(small_project(), None), pm.ValidationError, r"compare needs a list of Scenario objects, got "
                                                                    r"NoneType"),
    (lambda: pm.compare(small_project(), pm.Scenario("s")), pm.ValidationError, r"needs a list of Scenario objects"),
    (lambda: pm.compare(small_project(), ["s"]), pm.ValidationError, r"got a str in it"),
    (lambda: pm.Portfolio("plan"), pm.ValidationError, r"a portfolio needs a list of Project objects, got str"),
    (lambda: pm.Portfolio(small_project()), pm.ValidationError, r"a portfolio needs a list of Project objects, got "
                                                                r"Project"),
    (lambda: pm.Discrete(None, None), pm.ValidationError, r"a discrete estimate's values must be a list of numbers"),
    (lambda: pm.contingency(small_project()), pm.ValidationError, r"contingency needs a Simulation \(from "
                                                                  r"pm\.simulate\), got Project"),
    (lambda: pm.jcl("sim"), pm.ValidationError, r"jcl needs a Simulation"),
    (lambda: pm.jcl_frontier(None), pm.ValidationError, r"jcl_frontier needs a Simulation"),
    (lambda: pm.sweep(small_project(), "multiplier"), pm.ValidationError, r"the grid must map setting names to "
                                                                          r"values, .* got str"),
    (lambda: pm.simulate(small_project(), iterations=50, seed=1).percentile("P80"), pm.ValidationError,
     r"a percentile must be a number in \[0, 100\], got 'P80'"),
    (lambda: pm.jcl(pm.simulate(pm.Project(name="costed", start="2027-01-04",
                                           tasks=[pm.Task("A", duration=2, fixed_cost=100)]),
                                iterations=50, seed=1), budget="lots"),
     pm.ValidationError, r"jcl: budget must be a number >= 0, got 'lots'"),
    (lambda: pm.read_project(pm.data_path("textbook"), check_health=False), pm.ValidationError,
     r"read_project\('.*textbook'\): a project folder takes no option 'check_health'"),
    (lambda: pm.read_project(pm.data_path("textbook"), projekt="x"), pm.ValidationError,
     r"a project folder takes no option 'projekt'"),
])
def test_other_wrong_arguments_say_what_is_needed(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --------------------------------------------------------------------------- sizes an argument asks for


@pytest.mark.parametrize("chunk_size", [10**12, 10**15, 2**62])
def test_a_huge_chunk_size_is_capped_at_the_iterations(chunk_size):
    # chunk_size never changes the numbers (same seed, same result), so one above the
    # iterations runs as one chunk of them instead of allocating for the size asked.
    project = small_project()
    sim = pm.simulate(project, iterations=500, seed=3, chunk_size=chunk_size)
    reference = pm.simulate(project, iterations=500, seed=3, chunk_size=100)
    assert (sim.finish == reference.finish).all()


def test_a_chunk_beyond_the_memory_limit_is_refused(monkeypatch):
    monkeypatch.setattr(pm.limits, "CHUNK_BYTES", 10_000)
    with pytest.raises(pm.LimitError, match=r"chunk_size=100000 on 2 tasks and \d+ threads: bytes of working arrays: "
                                            r".* more than the limit pmsim\.limits\.CHUNK_BYTES = 10,000; .* "
                                            r"PMSIM_CHUNK_BYTES"):
        pm.simulate(small_project(), iterations=100_000, seed=1, chunk_size=100_000)


@pytest.mark.parametrize("iterations", [10**9, 10**12])
def test_iterations_beyond_the_limit_or_the_memory_are_refused_before_allocating(iterations, monkeypatch):
    monkeypatch.setattr(pm.limits, "ITERATIONS", 10**8)
    with pytest.raises((pm.LimitError, pm.ValidationError), match=r"iterations"):
        pm.simulate(small_project(), iterations=iterations, seed=1)


@pytest.mark.parametrize("value", [0, -5, 2.5, "100", True])
def test_iterations_and_chunk_size_are_positive_integers(value):
    with pytest.raises(pm.ValidationError, match=r"iterations must be a positive integer"):
        pm.simulate(small_project(), iterations=value)
    with pytest.raises(pm.ValidationError, match=r"chunk_size must be a positive integer"):
        pm.simulate(small_project(), iterations=10, chunk_size=value)


@pytest.mark.parametrize("schedules", [10**9, 100_001, 10**18])
def test_level_schedules_beyond_the_limit_are_refused_without_a_time_limit(schedules):
    with pytest.raises(pm.LimitError, match=rf"level\(schedules={schedules}\) without a time_limit: .* more than "
                                            r"the limit pmsim\.limits\.SCHEDULES = 100,000"):
        pm.level(small_project(), schedules=schedules)


def test_level_schedules_beyond_the_limit_run_under_a_time_limit():
    # The time limit bounds the search: two unconstrained tasks level to their CPM dates at once.
    levelled = pm.level(small_project(), schedules=10**9, time_limit=0.5)
    assert levelled.makespan == pm.cpm(small_project()).makespan == 5.0
