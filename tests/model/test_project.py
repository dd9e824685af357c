"""The project model: construction, validation, edits and the calendar.

Every bad input is a row of one parametrised table; each row says which rule
it breaks and checks that the message names the culprit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
import pytest

import pmsim as pm
from pmsim.errors import CycleError, DuplicateIdError, UnknownReferenceError, ValidationError

D = dt.date


def project(tasks=(("A", 3), ("B", 2)), links=(("A", "B"),), **settings):
    settings.setdefault("name", "demo")
    settings.setdefault("start", "2027-01-04")  # a Monday
    return pm.Project(
        tasks=[t if isinstance(t, pm.Task) else pm.Task(t[0], duration=t[1]) for t in tasks],
        dependencies=[d if isinstance(d, pm.Dependency) else pm.Dependency(*d) for d in links],
        **settings,
    )


# --------------------------------------------------------------------------- construction


def test_task_estimate_from_each_shortcut():
    assert pm.Task("A", duration=4).estimate == pm.Fixed(4)
    assert pm.Task("A", optimistic=2, most_likely=3, pessimistic=7).estimate == pm.BetaPert(2, 3, 7)
    tri = pm.Task("A", optimistic=2, most_likely=3, pessimistic=7, distribution="triangular")
    assert tri.estimate == pm.Triangular(2, 3, 7)
    assert pm.Task("A", estimate=pm.Uniform(1, 5)).planned_duration == 3.0
    # The shortcuts are consumed: only the estimate is stored and compared.
    t = pm.Task("A", duration=4)
    assert (t.duration, t.optimistic, t.most_likely, t.pessimistic, t.distribution) == (None,) * 5
    assert t == pm.Task("A", estimate=pm.Fixed(4))


def test_task_defaults_and_normalisation():
    t = pm.Task(" T1 ", resources={"dev": 2, "dba": "0.5"}, duration=3, phase=" Build ")
    assert t.id == "T1" and t.name == "T1" and t.phase == "Build"
    assert t.resources == (("dev", 2.0), ("dba", 0.5)) and t.demand == {"dev": 2.0, "dba": 0.5}
    # Ids read from a spreadsheet as floats come back as integers.
    assert pm.Task(7.0, duration=1).id == "7"
    assert pm.Task("M", milestone=True).estimate == pm.Fixed(0)
    assert pm.Task("M", milestone=True, duration=0).planned_duration == 0.0
    # Three points of zero (as some tools export a milestone) make a milestone too.
    assert pm.Task("M", milestone=True, optimistic=0, most_likely=0, pessimistic=0).estimate == pm.Fixed(0)


def test_planned_duration_is_most_likely():
    assert pm.Task("A", optimistic=1, most_likely=4, pessimistic=20).planned_duration == 4.0
    assert pm.Task("A", estimate=pm.Discrete((10, 15), (0.3, 0.7))).planned_duration == 15.0


def test_dependency_defaults_and_text():
    d = pm.Dependency("A", "B")
    assert (d.type, d.lag) == ("FS", 0.0)
    assert pm.Dependency("A", "B", "ss", 2).type == "SS"
    assert str(pm.Dependency("A", "B")) == "A"
    assert str(pm.Dependency("A", "B", "SS", 2)) == "A SS+2"
    assert str(pm.Dependency("A", "B", "FF", -1)) == "A FF-1"
    assert str(pm.Dependency("A", "B", "FS", 3)) == "A FS+3"
    # A negative lag (a lead) is allowed.
    assert pm.Dependency("A", "B", "FS", -2.5).lag == -2.5


def test_project_normalises_its_fields():
    p = project(tasks=[pm.Task("A", duration=1)], links=[], start=dt.datetime(2027, 1, 4, 9, 30),
                deadline="2027-06-30", budget="1000", currency=None)
    assert p.start == D(2027, 1, 4) and p.deadline == D(2027, 6, 30)
    assert p.budget == 1000.0 and p.currency == "USD"
    assert isinstance(p.tasks, tuple) and isinstance(p.dependencies, tuple)
    # An empty deadline or NaN budget (as read from a file) means "none".
    q = project(deadline="", budget=float("nan"))
    assert q.deadline is None and q.budget is None
    assert project(start=np.datetime64("2027-01-04")).start == D(2027, 1, 4)


def test_deadline_on_the_start_day_is_allowed():
    assert project(deadline="2027-01-04").deadline == D(2027, 1, 4)


def test_lookups():
    p = project(resources=[pm.Resource("dev", capacity=2)],
                risks=[pm.Risk("R1", probability=0.2, tasks=("A",), optimistic=1, most_likely=2, pessimistic=3)])
    assert p.task_ids == ("A", "B")
    assert p.task("B").planned_duration == 2.0
    assert p.resource("dev").capacity == 2.0
    assert p.risk("R1").tasks == ("A",)
    assert p.predecessors("B") == (pm.Dependency("A", "B"),)
    assert p.predecessors("A") == ()
    for lookup in (p.task, p.resource, p.risk):
        with pytest.raises(UnknownReferenceError, match="'nope'"):
            lookup("nope")
    # The index built by those lookups belongs to p: an edited copy answers for itself.
    q = p.with_task(pm.Task("A", duration=7))
    assert q.task("A").planned_duration == 7.0 and p.task("A").planned_duration != 7.0
    assert q.predecessors("B") == (pm.Dependency("A", "B"),)


def test_phases_in_order_of_first_appearance():
    tasks = [pm.Task("A", duration=1, phase="Build"), pm.Task("B", duration=1, phase="Design"),
             pm.Task("C", duration=1), pm.Task("D", duration=1, phase="Build")]
    assert project(tasks=tasks, links=[]).phases == ("Build", "Design")


def test_projects_with_equal_content_are_equal():
    assert project() == project()
    assert project() != project(links=[("A", "B", "SS")])


# --------------------------------------------------------------------------- frozen and edits


@pytest.mark.parametrize(
    "obj, field",
    [
        (pm.Task("A", duration=1), "id"),
        (pm.Dependency("A", "B"), "lag"),
        (pm.Resource("dev"), "capacity"),
        (pm.Risk("R", probability=0.1), "probability"),
        (pm.Calendar(), "holidays"),
        (project(), "tasks"),
    ],
)
def test_model_objects_are_frozen(obj, field):
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(obj, field, None)


def test_replace_returns_a_new_validated_project():
    p = project()
    q = p.replace(budget=5000, name="renamed")
    assert (q.budget, q.name) == (5000.0, "renamed")
    assert (p.budget, p.name) == (None, "demo")  # the original is untouched
    with pytest.raises(ValidationError, match="deadline 2026-12-31 is before the start 2027-01-04"):
        p.replace(deadline="2026-12-31")
    with pytest.raises(CycleError):
        p.replace(dependencies=p.dependencies + (pm.Dependency("B", "A"),))


def test_task_replace_revalidates_and_rebuilds_the_estimate():
    t = pm.Task("A", optimistic=1, most_likely=2, pessimistic=3, fixed_cost=10)
    assert t.replace(duration=5).estimate == pm.Fixed(5)
    assert t.replace(duration=5).fixed_cost == 10.0
    assert t.replace(name="Build").estimate == t.estimate
    with pytest.raises(ValidationError, match="Task 'A': optimistic \\(4\\) > most_likely \\(2\\)"):
        t.replace(optimistic=4, most_likely=2, pessimistic=5)
    with pytest.raises(ValidationError, match="Task 'A': a milestone must have a duration of 0"):
        t.replace(milestone=True)
    assert t.replace(milestone=True, duration=0).milestone


def test_with_task_adds_or_replaces():
    p = project()
    q = p.with_task(pm.Task("C", duration=4), predecessors=["B", pm.Dependency("A", "C", "SS", 1)])
    assert q.task_ids == ("A", "B", "C")
    assert q.predecessors("C") == (pm.Dependency("B", "C"), pm.Dependency("A", "C", "SS", 1))
    # Replacing keeps the task's place and its links unless new ones are given.
    r = q.with_task(pm.Task("B", duration=9))
    assert r.task_ids == ("A", "B", "C") and r.task("B").planned_duration == 9.0
    assert r.predecessors("B") == (pm.Dependency("A", "B"),)
    s = q.with_task(pm.Task("C", duration=4), predecessors=["A"])
    assert s.predecessors("C") == (pm.Dependency("A", "C"),)
    assert len(p.tasks) == 2  # untouched


def test_with_task_revalidates():
    p = project()
    with pytest.raises(UnknownReferenceError, match="Task 'C' has unknown predecessor 'Q'"):
        p.with_task(pm.Task("C", duration=1), predecessors=["Q"])
    with pytest.raises(CycleError, match="A -> B -> A|B -> A -> B"):
        p.with_task(pm.Task("A", duration=1), predecessors=["B"])
    with pytest.raises(UnknownReferenceError, match="Task 'C' demands unknown resource 'dev'"):
        p.with_task(pm.Task("C", duration=1, resources={"dev": 1}))
    # A link given with the task must lead into it, not elsewhere in the network.
    with pytest.raises(ValidationError, match="with_task\\('C'\\): the link 'B' -> 'A' does not end at 'C'"):
        p.with_task(pm.Task("C", duration=1), predecessors=[pm.Dependency("B", "A")])


def test_without_task_drops_links_and_risk_mentions():
    p = project(
        tasks=[("A", 3), ("B", 2), ("C", 1)],
        links=[("A", "B"), ("B", "C"), ("A", "C", "SS", 1)],
        risks=[
            pm.Risk("solo", probability=0.5, tasks=("B",), optimistic=1, most_likely=2, pessimistic=3, cost_impact=7),
            pm.Risk("pair", probability=0.5, tasks=("B", "C"), optimistic=1, most_likely=2, pessimistic=3),
        ],
    )
    q = p.without_task("B")
    assert q.task_ids == ("A", "C")
    assert q.dependencies == (pm.Dependency("A", "C", "SS", 1),)
    solo, pair = q.risks
    # A risk left with no task keeps its cost but loses its schedule impact.
    assert solo.tasks == () and solo.impact is None and solo.cost_impact == 7.0
    assert pair.tasks == ("C",) and pair.impact == pm.BetaPert(1, 2, 3)
    with pytest.raises(UnknownReferenceError, match="no task 'Z'"):
        p.without_task("Z")
    with pytest.raises(ValidationError, match="has no tasks"):
        project(tasks=[("A", 1)], links=[]).without_task("A")


def test_with_resource_and_with_risk():
    p = project(tasks=[pm.Task("A", duration=2, resources={"dev": 1})], links=[],
                resources=[pm.Resource("dev", capacity=1)])
    q = p.with_resource(pm.Resource("dev", capacity=3)).with_resource(pm.Resource("qa"))
    assert [(r.id, r.capacity) for r in q.resources] == [("dev", 3.0), ("qa", 1.0)]
    r = q.with_risk(pm.Risk("R", probability=0.1, tasks=("A",), optimistic=1, most_likely=1, pessimistic=2))
    assert r.risk("R").probability == 0.1
    assert r.with_risk(pm.Risk("R", probability=0.4)).risk("R").probability == 0.4
    assert len(r.with_risk(pm.Risk("R", probability=0.4)).risks) == 1
    with pytest.raises(UnknownReferenceError, match="Risk 'R2' names unknown task 'Z'"):
        p.with_risk(pm.Risk("R2", probability=0.1, tasks=("Z",)))


def test_edits_do_not_reuse_a_stale_network():
    p = project()
    assert pm.cpm(p).makespan == 5.0
    assert pm.cpm(p.with_task(pm.Task("B", duration=10))).makespan == 13.0
    assert pm.cpm(p.replace(dependencies=())).makespan == 3.0
    assert pm.cpm(p).makespan == 5.0


# --------------------------------------------------------------------------- calendar


@pytest.mark.parametrize(
    "calendar, start, offset, expected",
    [
        # Mon-Fri: day 0 is Mon 4 Jan 2027, day 5 the next Monday.
        (pm.Calendar(), "2027-01-04", 0, D(2027, 1, 4)),
        (pm.Calendar(), "2027-01-04", 4, D(2027, 1, 8)),
        (pm.Calendar(), "2027-01-04", 5, D(2027, 1, 11)),
        # A start on Saturday rolls to Monday.
        (pm.Calendar(), "2027-01-02", 0, D(2027, 1, 4)),
        # Holiday on Wed 6: Mon 4 (0), Tue 5 (1), Thu 7 (2), Fri 8 (3).
        (pm.Calendar(holidays=("2027-01-06",)), "2027-01-04", 3, D(2027, 1, 8)),
        # A start on a holiday rolls to the next working day.
        (pm.Calendar(holidays=("2027-01-04",)), "2027-01-04", 0, D(2027, 1, 5)),
        # A holiday on a Saturday changes nothing.
        (pm.Calendar(holidays=("2027-01-09",)), "2027-01-04", 5, D(2027, 1, 11)),
        # Sun-Thu week: a Friday start rolls to Sun 10; day 5 is Sun 17.
        (pm.Calendar(workdays=("Sun", "Mon", "Tue", "Wed", "Thu")), "2027-01-08", 0, D(2027, 1, 10)),
        (pm.Calendar(workdays=("Sun", "Mon", "Tue", "Wed", "Thu")), "2027-01-08", 5, D(2027, 1, 17)),
        # Six-day week: Saturday works, Sunday does not.
        (pm.Calendar(workdays=("Mon", "Tue", "Wed", "Thu", "Fri", "Sat")), "2027-01-04", 5, D(2027, 1, 9)),
        (pm.Calendar(workdays=("Mon", "Tue", "Wed", "Thu", "Fri", "Sat")), "2027-01-04", 6, D(2027, 1, 11)),
        # Over the new year: Thu 23 (0), Fri 24 (1), [Mon 27 off] Tue 28 (2), ..., [Mon 3 off] Tue 4 Jan (6).
        (pm.Calendar(holidays=("2027-12-27", "2028-01-03")), "2027-12-23", 6, D(2028, 1, 4)),
        # Two working days a week.
        (pm.Calendar(workdays=("Tue", "Thu")), "2027-01-04", 3, D(2027, 1, 14)),
    ],
)
def test_calendar_date(calendar, start, offset, expected):
    assert calendar.date(start, offset) == expected
    # offset() is the inverse: working days before that date.
    assert calendar.offset(start, expected) == offset


def test_calendar_dates_of_fractional_offsets():
    cal, start = pm.Calendar(), D(2027, 1, 4)
    # A task starting at 2.5 works (part of) day 2, Wed 6.
    assert cal.start_date(start, 2.5) == D(2027, 1, 6)
    assert cal.start_date(start, 2.0) == D(2027, 1, 6)
    # Finishing at 3 (end of day 2) or at 2.5 (during day 2): last day is Wed 6.
    assert cal.finish_date(start, 3) == D(2027, 1, 6)
    assert cal.finish_date(start, 2.5) == D(2027, 1, 6)
    assert cal.finish_date(start, 3.5) == D(2027, 1, 7)
    # Nothing finishes before the first day.
    assert cal.finish_date(start, 0) == D(2027, 1, 4)


def test_calendar_is_vectorised():
    out = pm.Calendar(holidays=("2027-01-06",)).date("2027-01-04", np.array([0, 1, 2, 5]))
    assert out.tolist() == [D(2027, 1, 4), D(2027, 1, 5), D(2027, 1, 7), D(2027, 1, 12)]


def test_calendar_normalises_workdays_and_holidays():
    cal = pm.Calendar(workdays=["friday", "MON", "Mon"], holidays=["2027-01-08", D(2027, 1, 4), "2027-01-08"])
    assert cal.workdays == ("Mon", "Fri")
    assert cal.weekmask == "1000100"
    assert cal.holidays == (D(2027, 1, 4), D(2027, 1, 8))
    assert pm.Calendar(workdays="Wed").workdays == ("Wed",)
    # A single holiday may be given as one string, like a single weekday.
    assert pm.Calendar(holidays="2027-01-06").holidays == (D(2027, 1, 6),)
    assert pm.Calendar() == pm.Calendar(workdays=("Mon", "Tue", "Wed", "Thu", "Fri"))


# --------------------------------------------------------------------------- bad input


def _cycle():
    return project(tasks=[("A", 1), ("B", 1), ("C", 1), ("D", 1)],
                   links=[("A", "B"), ("B", "C"), ("C", "D"), ("D", "B")])


BAD_INPUT = [
    # a cycle: the message lists it
    pytest.param(_cycle, CycleError, "cycle: B -> C -> D -> B", id="cycle"),
    # a task that depends on itself
    pytest.param(lambda: pm.Dependency("A", "A"), CycleError, "'A' -> 'A': a task cannot depend on itself", id="self-loop"),
    # an unknown predecessor
    pytest.param(lambda: project(links=[("Z", "B")]), UnknownReferenceError, "Task 'B' has unknown predecessor 'Z'", id="unknown-predecessor"),
    # an unknown successor
    pytest.param(lambda: project(links=[("A", "Z")]), UnknownReferenceError, "names unknown task 'Z'", id="unknown-successor"),
    # a demand on a resource that does not exist
    pytest.param(lambda: project(tasks=[pm.Task("A", duration=1, resources={"dev": 1})], links=[]),
                 UnknownReferenceError, "Task 'A' demands unknown resource 'dev'", id="unknown-resource"),
    # a risk naming an unknown task
    pytest.param(lambda: project(risks=[pm.Risk("R1", probability=0.5, tasks=("Z",))]),
                 UnknownReferenceError, "Risk 'R1' names unknown task 'Z'", id="risk-unknown-task"),
    # duplicate task ids
    pytest.param(lambda: project(tasks=[("A", 1), ("A", 2)], links=[]), DuplicateIdError, "Task id 'A' appears twice", id="duplicate-task"),
    # duplicate resource ids
    pytest.param(lambda: project(resources=[pm.Resource("dev"), pm.Resource("dev")]),
                 DuplicateIdError, "Resource id 'dev' appears twice", id="duplicate-resource"),
    # duplicate risk ids
    pytest.param(lambda: project(risks=[pm.Risk("R", probability=0.1), pm.Risk("R", probability=0.2)]),
                 DuplicateIdError, "Risk id 'R' appears twice", id="duplicate-risk"),
    # the same link twice (two tasks may be linked in two ways, e.g. SS and FF, but not twice the same way)
    pytest.param(lambda: project(links=[("A", "B", "SS", 1), ("A", "B", "SS", 1)]), DuplicateIdError,
                 "Task 'B' lists predecessor 'A' twice with the same link", id="duplicate-link"),
    # a resource demanded twice by one task
    pytest.param(lambda: pm.Task("A", duration=1, resources=[("dev", 1), ("dev", 2)]), DuplicateIdError,
                 "Task 'A': resource 'dev' is demanded twice", id="duplicate-demand"),
    # optimistic > most likely
    pytest.param(lambda: pm.Task("T7", optimistic=5, most_likely=3, pessimistic=9), ValidationError,
                 "Task 'T7': optimistic \\(5\\) > most_likely \\(3\\)", id="optimistic>most-likely"),
    # most likely > pessimistic
    pytest.param(lambda: pm.Task("T7", optimistic=1, most_likely=8, pessimistic=6), ValidationError,
                 "Task 'T7': most_likely \\(8\\) > pessimistic \\(6\\)", id="most-likely>pessimistic"),
    # a three-point estimate with a point missing
    pytest.param(lambda: pm.Task("T7", optimistic=1, pessimistic=6), ValidationError,
                 "Task 'T7': a three-point estimate is missing most_likely", id="missing-point"),
    # a negative duration
    pytest.param(lambda: pm.Task("T7", duration=-1), ValidationError, "Task 'T7': durations must be >= 0", id="negative-duration"),
    # a negative optimistic value
    pytest.param(lambda: pm.Task("T7", optimistic=-1, most_likely=2, pessimistic=3), ValidationError,
                 "Task 'T7': durations must be >= 0", id="negative-optimistic"),
    # a NaN duration counts as no estimate at all
    pytest.param(lambda: pm.Task("T7", duration=float("nan")), ValidationError, "Task 'T7': no estimate", id="nan-duration"),
    # a NaN inside a three-point estimate
    pytest.param(lambda: pm.Task("T7", optimistic=1, most_likely=float("nan"), pessimistic=3), ValidationError,
                 "Task 'T7': a three-point estimate is missing most_likely", id="nan-most-likely"),
    # an infinite duration
    pytest.param(lambda: pm.Task("T7", duration=math.inf), ValidationError, "Task 'T7': duration must be a finite number", id="inf-duration"),
    # a duration that is not a number
    pytest.param(lambda: pm.Task("T7", duration="three"), ValidationError, "Task 'T7': duration must be a number, got 'three'", id="text-duration"),
    # an estimate that is not a distribution
    pytest.param(lambda: pm.Task("T7", estimate=3), ValidationError, "Task 'T7': estimate must be a pmsim distribution", id="bad-estimate"),
    # a milestone with a non-zero duration
    pytest.param(lambda: pm.Task("M1", duration=2, milestone=True), ValidationError,
                 "Task 'M1': a milestone must have a duration of 0", id="milestone-duration"),
    # a negative cost
    pytest.param(lambda: pm.Task("T7", duration=1, fixed_cost=-5), ValidationError, "Task 'T7': fixed_cost must be >= 0", id="negative-cost"),
    # negative units of a resource
    pytest.param(lambda: pm.Task("T7", duration=1, resources={"dev": -1}), ValidationError,
                 "Task 'T7': units of resource 'dev' must be >= 0", id="negative-units"),
    # an empty task id
    pytest.param(lambda: pm.Task("  ", duration=1), ValidationError, "Task id is empty", id="empty-id"),
    # a ';' in an id would break the predecessors column
    pytest.param(lambda: pm.Task("A;B", duration=1), ValidationError, "Task id 'A;B' must not contain ';'", id="semicolon-id"),
    # an unknown link type
    pytest.param(lambda: pm.Dependency("A", "B", "XX"), ValidationError,
                 "Dependency 'A' -> 'B': unknown link type 'XX'; use one of FS, SS, FF, SF", id="unknown-link-type"),
    # a NaN lag
    pytest.param(lambda: pm.Dependency("A", "B", "FS", float("nan")), ValidationError,
                 "Dependency 'A' -> 'B': lag must be a number, got NaN", id="nan-lag"),
    # a negative capacity
    pytest.param(lambda: pm.Resource("dev", capacity=-1), ValidationError, "Resource 'dev': capacity must be >= 0, got -1", id="negative-capacity"),
    # a negative day rate
    pytest.param(lambda: pm.Resource("dev", cost_per_day=-10), ValidationError, "Resource 'dev': cost_per_day must be >= 0", id="negative-rate"),
    # a probability above 1
    pytest.param(lambda: pm.Risk("R1", probability=1.5), ValidationError, "Risk 'R1': probability must be in \\[0, 1\\], got 1.5", id="probability>1"),
    # a probability below 0
    pytest.param(lambda: pm.Risk("R1", probability=-0.1), ValidationError, "Risk 'R1': probability must be in \\[0, 1\\], got -0.1", id="probability<0"),
    # a NaN probability
    pytest.param(lambda: pm.Risk("R1", probability=float("nan")), ValidationError, "Risk 'R1': probability must be a number", id="nan-probability"),
    # a schedule impact that delays nothing
    pytest.param(lambda: pm.Risk("R1", probability=0.5, optimistic=1, most_likely=2, pessimistic=3), ValidationError,
                 "Risk 'R1': a schedule impact needs the tasks it delays", id="impact-without-tasks"),
    # a risk impact with its points in the wrong order
    pytest.param(lambda: pm.Risk("R1", probability=0.5, tasks=("A",), optimistic=3, most_likely=2, pessimistic=4), ValidationError,
                 "Risk 'R1': optimistic \\(3\\) > most_likely \\(2\\)", id="risk-points"),
    # an empty project
    pytest.param(lambda: project(tasks=[], links=[]), ValidationError, "Project 'demo' has no tasks", id="empty-project"),
    # a deadline before the start
    pytest.param(lambda: project(deadline="2026-12-01"), ValidationError,
                 "Project 'demo': deadline 2026-12-01 is before the start 2027-01-04", id="deadline-before-start"),
    # a start that is not a date
    pytest.param(lambda: project(start="2027-13-01"), ValidationError,
                 "Project 'demo': start: '2027-13-01' is not an ISO date", id="bad-start"),
    # no start at all
    pytest.param(lambda: project(start=None), ValidationError, "Project 'demo': a start date is required", id="missing-start"),
    # a negative budget
    pytest.param(lambda: project(budget=-1), ValidationError, "Project 'demo': budget must be >= 0", id="negative-budget"),
    # something that is not a Task among the tasks
    pytest.param(lambda: pm.Project(name="demo", start="2027-01-04", tasks=["A"]), ValidationError,
                 "Project.tasks must hold Task objects, got str", id="not-a-task"),
    # an unknown weekday
    pytest.param(lambda: pm.Calendar(workdays=("Mon", "Funday")), ValidationError, "Calendar: unknown weekday 'Funday'", id="bad-weekday"),
    # a week without working days
    pytest.param(lambda: pm.Calendar(workdays=()), ValidationError, "Calendar: at least one working weekday is needed", id="no-workdays"),
    # a holiday that is not a date
    pytest.param(lambda: pm.Calendar(holidays=("Christmas",)), ValidationError,
                 "Calendar holiday: 'Christmas' is not an ISO date", id="bad-holiday"),
]


@pytest.mark.parametrize("build, error, message", BAD_INPUT)
def test_bad_input_is_rejected_with_a_message_naming_the_culprit(build, error, message):
    with pytest.raises(error, match=message) as info:
        build()
    assert isinstance(info.value, pm.PmsimError)


def test_cycle_error_lists_a_real_cycle():
    links = [("A", "B"), ("B", "C"), ("C", "E"), ("E", "B"), ("C", "D"), ("D", "F")]
    with pytest.raises(CycleError) as info:
        project(tasks=[(t, 1) for t in "ABCDEF"], links=links)
    cycle = info.value.cycle
    assert cycle[0] == cycle[-1] and set(cycle) == {"B", "C", "E"} and len(cycle) == 4
    assert all((a, b) in links for a, b in zip(cycle, cycle[1:]))
    assert " -> ".join(cycle) in str(info.value)


def test_cycle_search_skips_tasks_downstream_of_the_cycle():
    # D follows the cycle and comes first in task order; it is not part of the cycle.
    links = [("Z", "A"), ("A", "B"), ("B", "A"), ("A", "D")]
    with pytest.raises(CycleError) as info:
        project(tasks=[("D", 1), ("Z", 1), ("A", 1), ("B", 1)], links=links)
    assert set(info.value.cycle) == {"A", "B"} and len(info.value.cycle) == 3


def test_a_project_pickles_after_use():
    # Dask ships projects to workers: caches kept on a used project must not break pickling.
    import pickle

    p = pm.read_project(pm.data_path("erp_upgrade"))
    pm.cpm(p)
    again = pickle.loads(pickle.dumps(p))
    assert again == p and pm.cpm(again).makespan == pm.cpm(p).makespan
