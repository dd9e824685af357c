"""What simulate checks against the days a schedule can date: only the work still to do."""

import pytest

import pmsim as pm


def test_a_junk_planned_duration_of_a_started_or_finished_task_does_not_stop_the_simulation():
    # P6 files carry such tasks (SP10: 683,722 planned days, 54 left): the engine samples the share left, so
    # only work still to do is checked against the 50,000 working days a schedule can date.
    tasks = [pm.Task("A", duration=600_000, actual_start="2027-01-04", remaining_duration=2),
             pm.Task("B", duration=700_000, actual_start="2027-01-04", actual_finish="2027-01-05"),
             pm.Task("C", duration=3)]
    p = pm.Project(name="junk", start="2027-01-04", status_date="2027-01-05", tasks=tasks,
                   dependencies=[pm.Dependency("A", "C")])
    sim = pm.simulate(p, iterations=20, seed=1)
    assert sim.finish.max() == pytest.approx(pm.cpm(p).makespan, abs=1e-6)
    with pytest.raises(pm.errors.ValidationError, match="Task 'C'.*60000 working days"):
        pm.simulate(p.replace(tasks=(*tasks[:2], pm.Task("C", duration=60_000))), iterations=20, seed=1)
