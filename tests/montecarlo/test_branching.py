"""Task existence and probabilistic branching: analytic answers in every engine path, file formats, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pmsim as pm
from pmsim.errors import ValidationError
from support import make_project


def binomial_tolerance(p, n):
    return 4 * np.sqrt(p * (1 - p) / n)  # four standard errors of a share


def maybe_chain(existence=0.4, **extra):
    """A (5 days) -> B (uniform 10..20, may not exist) -> C (3 days): the only path."""
    b = pm.Task("B", optimistic=10, pessimistic=20, distribution="uniform", existence=existence, **extra)
    return pm.Project(name="e", start="2027-01-04", tasks=[pm.Task("A", duration=5), b, pm.Task("C", duration=3)],
                      dependencies=[pm.Dependency("A", "B"), pm.Dependency("B", "C")])


def go_no_go(weights=(0.7, 0.3), **settings):
    """A (5) then one of B1 (10 days), B2 (20 days), ... (a branch group 'go'), then C (3)."""
    alts = [pm.Task(f"B{k + 1}", duration=10 * (k + 1), existence=w, branch="go") for k, w in enumerate(weights)]
    links = [pm.Dependency("A", t.id) for t in alts] + [pm.Dependency(t.id, "C") for t in alts]
    return pm.Project(name="b", start="2027-01-04", tasks=[pm.Task("A", duration=5), *alts, pm.Task("C", duration=3)],
                      dependencies=links, **settings)


# --------------------------------------------------------------------------- the analytic answers


def test_a_task_of_existence_p_on_the_only_path_gives_the_mixture():
    # finish = 8 + I X, I ~ Bernoulli(0.4), X ~ U(10, 20): mean 8 + 0.4 * 15 = 14; P(finish = 8) = 0.6;
    # above it F(x) = 0.6 + 0.4 (x - 18) / 10 on [18, 28], so P80 = 23 and P90 = 25.5.
    n = 20_000
    sim = pm.simulate(maybe_chain(), iterations=n, seed=11)
    # Standard deviation of the mixture: E[Y^2] = 0.4 (15^2 + 100/12) = 93.3, minus 6^2: sd 7.57, so the mean's
    # standard error is 0.054; the quantiles' is sqrt(0.8 * 0.2 / n) / density (0.04 per day) = 0.07 days.
    assert abs(sim.finish.mean() - 14.0) < 0.22
    assert abs(np.mean(sim.finish == 8.0) - 0.6) < binomial_tolerance(0.6, n)
    assert np.all((sim.finish == 8.0) | ((sim.finish >= 18.0) & (sim.finish <= 28.0)))
    assert abs(sim.percentile_days(80) - 23.0) < 0.3
    assert abs(sim.percentile_days(90) - 25.5) < 0.3
    assert sim.percentile_days(50) == 8.0


def test_criticality_counts_a_task_only_where_it_exists():
    n = 10_000
    sim = pm.simulate(maybe_chain(), iterations=n, seed=12)
    share = float(np.mean(sim.finish > 8.0))  # B exists exactly where the finish is above 8
    assert sim.existence["B"] == share and sim.existence["A"] == 1.0
    assert sim.criticality["B"] == share  # on the only path wherever it exists, never counted where it does not
    assert sim.conditional_criticality["B"] == 1.0
    assert sim.criticality["A"] == 1.0 and sim.criticality["C"] == 1.0


def test_sensitivity_ranks_an_absent_task_as_zero_days():
    # finish = 8 + B's duration, 0 where B does not exist: a monotone function of it, so Spearman's rho is 1
    # (an absent task's -0.0 must rank with the zeros, not above every duration).
    sim = pm.simulate(maybe_chain(), iterations=5000, seed=22)
    assert sim.sensitivity["B"] == pytest.approx(1.0, abs=1e-12)


def test_a_task_that_does_not_exist_costs_nothing_and_its_risks_do_not_strike():
    p = maybe_chain(fixed_cost=1000, cost_per_day=10).replace(risks=(
        pm.Risk("R", probability=1, tasks=("B",), impact=pm.Fixed(2), cost_impact=50),))
    sim = pm.simulate(p, iterations=4000, seed=13)
    exists = sim.finish > 8.0
    # Where B exists: its fixed cost, 10 a day for its (uniform + 2) days, and the risk's 50; elsewhere nothing.
    expected = np.where(exists, 1000 + 10 * (sim.finish - 8.0) + 50, 0.0)
    assert np.allclose(sim.cost, expected, rtol=0, atol=1e-3)
    assert sim.risk_summary.loc["R", "occurred"] == sim.existence["B"]


def test_branch_weights_hold_and_exactly_one_alternative_happens():
    n = 10_000
    sim = pm.simulate(go_no_go((0.45, 0.3, 0.25)), iterations=n, seed=14)
    values, counts = np.unique(sim.finish, return_counts=True)
    # One draw per iteration for the group: the finish is 8 plus exactly one alternative's 10, 20 or 30 days.
    assert values.tolist() == [18.0, 28.0, 38.0]
    for count, weight in zip(counts, (0.45, 0.3, 0.25)):
        assert abs(count / n - weight) < binomial_tolerance(weight, n)
    assert sim.existence[["B1", "B2", "B3"]].tolist() == (counts / n).tolist()
    assert sim.criticality[["B1", "B2", "B3"]].tolist() == (counts / n).tolist()


def test_the_same_seed_gives_the_same_branches_whatever_the_chunk_size():
    p = go_no_go()
    a = pm.simulate(p, iterations=3000, seed=15)
    b = pm.simulate(p, iterations=3000, seed=15, chunk_size=37)
    assert np.array_equal(a.finish, b.finish)
    assert np.array_equal(a.cost, b.cost)


def test_an_absent_task_passes_its_links_through_like_a_milestone():
    # A (5) -FS+2-> B (4 days, existence 0.5) -SS+1-> C (3); D (12) -FF-> B.
    # With B: it starts at max(5 + 2, 12 - 4) = 8, so C runs 9..12. Without B: a milestone at max(7, 12) = 12
    # (its links pass through as through a zero-duration task), so C runs 13..16.
    p = pm.Project(name="m", start="2027-01-04", tasks=[
        pm.Task("A", duration=5), pm.Task("B", duration=4, existence=0.5), pm.Task("C", duration=3),
        pm.Task("D", duration=12)],
        dependencies=[pm.Dependency("A", "B", lag=2), pm.Dependency("B", "C", "SS", 1),
                      pm.Dependency("D", "B", "FF")])
    n = 2000
    sim = pm.simulate(p, iterations=n, seed=16, keep="tasks")
    c = p.task_ids.index("C")
    assert set(np.unique(sim.task_finish[:, c]).tolist()) == {12.0, 16.0}
    assert sim.existence["B"] == np.mean(sim.task_finish[:, c] == 12.0)
    assert abs(sim.existence["B"] - 0.5) < binomial_tolerance(0.5, n)


# --------------------------------------------------------------------------- every engine path


def test_levelled_an_absent_task_holds_no_resource():
    # A and B need the one developer; B exists half the time: levelled, the finish is 4 + 3 or 4 alone.
    p = pm.Project(name="l", start="2027-01-04", resources=[pm.Resource("dev", capacity=1)],
                   tasks=[pm.Task("A", duration=4, resources={"dev": 1}),
                          pm.Task("B", duration=3, resources={"dev": 1}, existence=0.5)])
    n = 4000
    sim = pm.simulate(p, iterations=n, seed=17, levelled=True)
    values, counts = np.unique(sim.finish, return_counts=True)
    assert values.tolist() == [4.0, 7.0]
    assert abs(counts[1] / n - 0.5) < binomial_tolerance(0.5, n)
    assert sim.existence["B"] == counts[1] / n
    assert sim.criticality["B"] == counts[1] / n  # B, where it exists, is on the chain to the finish


def test_levelled_on_calendars_counts_criticality_only_where_it_exists():
    short = pm.Calendar(id="short", workdays="Mon-Thu")
    p = go_no_go(calendars=[short])
    p = p.replace(tasks=tuple(t.replace(calendar="short") if t.id == "C" else t for t in p.tasks),
                  resources=(pm.Resource("dev", capacity=1),))
    plain = pm.simulate(p, iterations=2000, seed=18)
    levelled = pm.simulate(p, iterations=2000, seed=18, levelled=True)
    assert np.array_equal(plain.finish, levelled.finish)  # no resource demand: levelling changes nothing
    assert plain.criticality["B2"] == plain.existence["B2"] == levelled.criticality["B2"]


def test_branching_on_another_calendar():
    # C works Mon-Thu: the dated engine. A 5, then B1 (10) or B2 (20), then C (3 days of Mon-Thu).
    short = pm.Calendar(id="short", workdays="Mon-Thu")
    p = go_no_go(calendars=[short])
    p = p.replace(tasks=tuple(t.replace(calendar="short") if t.id == "C" else t for t in p.tasks))
    sim = pm.simulate(p, iterations=2000, seed=19)
    both = [pm.cpm(p.replace(tasks=tuple(t.replace(existence=1.0, branch="") for t in p.tasks if t.id != drop),
                             dependencies=tuple(d for d in p.dependencies if drop not in (d.predecessor, d.successor))
                             )).makespan for drop in ("B2", "B1")]
    assert sorted(np.unique(sim.finish).tolist()) == sorted(both)
    assert abs(sim.existence["B1"] - 0.7) < binomial_tolerance(0.7, 2000)


def test_a_started_alternative_decides_its_branch_at_the_data_date():
    # B2 started on day 6 (Monday 11 Jan): it exists in every iteration, B1 in none.
    p = go_no_go()
    table = pd.DataFrame({"id": ["A", "B2"], "percent_complete": [100, 10], "actual_cost": [0, 0],
                          "actual_start": ["2027-01-04", "2027-01-11"], "actual_finish": ["2027-01-08", None]})
    sim = pm.simulate(p, iterations=1000, seed=20, progress=table, status_date="2027-01-12")
    assert sim.existence["B1"] == 0.0 and sim.existence["B2"] == 1.0
    # B2: 10 % of 20 days done by the end of day 7, 18 left: it finishes at 25, C at 28.
    assert np.all(sim.finish == 28.0)


def test_correlation_keeps_the_existence_draws():
    p = maybe_chain().with_task(pm.Task("D", optimistic=10, pessimistic=20, distribution="uniform"), ["A"])
    n = 10_000
    sim = pm.simulate(p, iterations=n, seed=21, correlation=[(["B", "D"], 0.9)])
    assert abs(sim.existence["B"] - 0.4) < binomial_tolerance(0.4, n)
    alone = pm.simulate(p, iterations=n, seed=21)
    assert sim.existence["B"] == alone.existence["B"]  # its own stream, untouched by the reordering


def test_compare_and_sweep_run_branches():
    p = go_no_go()
    rows = pm.sweep(p, {"multiplier": [1.0, 2.0]}, iterations=2000, seed=1)
    assert rows.sort_values("multiplier")["p80_days"].tolist() == [28.0, 56.0]  # P(B2) = 0.3 > 0.2
    table = pm.compare(p, [pm.Scenario("plan")], iterations=2000, seed=1)
    assert table["p80_days"].tolist() == [28.0]


# --------------------------------------------------------------------------- files and bad input


@pytest.mark.parametrize("suffix", ["", ".xlsx"])
def test_existence_and_branches_survive_a_round_trip(tmp_path, suffix):
    p = go_no_go().with_task(pm.Task("T", duration=2, existence=0.25), ["C"])
    path = tmp_path / f"project{suffix}"
    pm.write_project(p, path)
    back = pm.read_project(path)
    assert [(t.existence, t.branch) for t in back.tasks] == [(t.existence, t.branch) for t in p.tasks]


def test_tasks_csv_reads_existence_and_branch(tmp_path):
    (tmp_path / "project.toml").write_text('name = "k"\nstart = 2027-01-04\n')
    (tmp_path / "tasks.csv").write_text("id,duration,predecessors,existence,branch\nA,3,,,\nB,5,A,0.4,\n"
                                        "C1,2,A,0.6,test\nC2,4,A,0.4,test\n")
    p = pm.read_project(tmp_path)
    assert [(t.existence, t.branch) for t in p.tasks] == [(1.0, ""), (0.4, ""), (0.6, "test"), (0.4, "test")]


def test_a_project_without_existence_writes_neither_column(tmp_path):
    pm.write_project(make_project([("A", 3)]), tmp_path / "out")
    header = (tmp_path / "out" / "tasks.csv").read_text().splitlines()[0].split(",")
    assert "existence" not in header and "branch" not in header


@pytest.mark.parametrize("value", [1.5, -0.1])
def test_existence_outside_0_1_is_refused(value):
    with pytest.raises(ValidationError, match=rf"Task 'B': existence is a probability and must be in \[0, 1\], "
                                              rf"got {value:g}"):
        maybe_chain(existence=value)


def test_a_branch_whose_weights_do_not_sum_to_1_names_the_group_and_its_tasks():
    with pytest.raises(ValidationError, match=r"branch 'go': the existence probabilities of its alternatives must "
                                              r"sum to 1 \(exactly one of them happens\), got 0.9 "
                                              r"\('B1' 0.6, 'B2' 0.3\)"):
        go_no_go((0.6, 0.3))


def test_a_bad_existence_row_names_the_file_and_row(tmp_path):
    (tmp_path / "project.toml").write_text('name = "k"\nstart = 2027-01-04\n')
    (tmp_path / "tasks.csv").write_text("id,duration,existence\nA,3,\nB,2,40\n")
    with pytest.raises(pm.PmsimError, match=r"tasks\.csv, row 3 \(task 'B'\): existence is a probability"):
        pm.read_project(tmp_path)


def test_a_plan_given_a_fixed_duration_for_an_alternative_decides_its_branch():
    from pmsim.montecarlo import make_plan, run

    p = go_no_go()
    result = run(make_plan(p, 1).with_progress(override={"B2": 20.0}), 2000)
    exists = dict(zip(p.task_ids, result.exist_counts.tolist()))
    assert exists["B1"] == 0 and exists["B2"] == 2000 and exists["A"] == 2000
    assert np.all(result.finish == 28.0)


def test_a_branch_in_a_file_that_does_not_sum_to_1_is_refused_naming_the_file(tmp_path):
    (tmp_path / "project.toml").write_text('name = "k"\nstart = 2027-01-04\n')
    (tmp_path / "tasks.csv").write_text("id,duration,existence,branch\nA,3,0.5,gate\nB,2,0.4,gate\n")
    with pytest.raises(pm.PmsimError, match=r"tasks\.csv.*branch 'gate': the existence probabilities of its "
                                            r"alternatives must sum to 1"):
        pm.read_project(tmp_path)


def test_two_projects_of_a_portfolio_keep_their_own_branch_groups():
    a, b = go_no_go().replace(name="a"), go_no_go().replace(name="b")
    combined = pm.Portfolio([a, b]).combined()
    assert {t.branch for t in combined.tasks} == {"", "a/go", "b/go"}
    n = 4000
    sim = pm.simulate(combined, iterations=n, seed=1, levelled=True)
    exists = sim.task_exists(slice(None))
    ids = list(combined.task_ids)
    first, second = exists[:, ids.index("a/B1")], exists[:, ids.index("b/B1")]
    # Each group has its own draw: B1 of both projects in 0.7 x 0.7 = 0.49 of the iterations, not 0.7.
    assert abs(np.mean(first & second) - 0.49) < binomial_tolerance(0.49, n)
    assert np.array_equal(first, ~exists[:, ids.index("a/B2")])  # one alternative per group and iteration


def test_a_portfolio_refuses_a_project_cost_per_day_it_cannot_combine():
    with pytest.raises(ValidationError, match=r"Portfolio: project 'a' has a cost_per_day"):
        pm.Portfolio([go_no_go().replace(name="a", cost_per_day=100.0), go_no_go().replace(name="b")])
