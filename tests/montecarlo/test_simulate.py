"""simulate(): exactness against CPM, reproducibility, risks, cost, results API and bad input."""

from __future__ import annotations

import hashlib
import os
import pickle
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import pmsim as pm
from support import make_project

ALL_LINKS = [
    # (pred, succ, type, lag): every link type, with leads and lags.
    ("A", "B", "FS", 2),
    ("A", "C", "SS", 1),
    ("B", "D", "FF", -1),
    ("C", "D", "SF", 4),
    ("C", "E", "FS", -2),
    ("D", "F", "SS", 0),
    ("E", "F", "FF", 3),
]


@pytest.fixture
def all_links():
    return make_project([("A", 3), ("B", 2), ("C", 5), ("D", 4), ("E", 1), ("F", 2)], ALL_LINKS)


def uncertain(tid, o, m, p, **kw):
    return pm.Task(tid, optimistic=o, most_likely=m, pessimistic=p, **kw)


def engine_durations(sim) -> np.ndarray:
    """The float32 durations the engine used, (iterations, tasks) in project order, drawn again."""
    from pmsim.montecarlo.runner import batches, sample_durations

    plan = sim._plan
    rows = np.concatenate([sample_durations(plan, b) for b in batches(plan, sim.iterations)], axis=1)
    return plan.net.to_project(rows).T


@pytest.fixture
def network():
    """A small uncertain network with a merge, SS/FF links, costs and two risks."""
    tasks = [
        uncertain("A", 2, 4, 9, cost_per_day=100),
        uncertain("B", 3, 5, 12, fixed_cost=500),
        uncertain("C", 1, 2, 6, distribution="triangular"),
        uncertain("D", 4, 6, 10, cost_per_day=50),
        pm.Task("E", duration=2),
    ]
    risks = [
        pm.Risk("R1", probability=0.3, tasks=("B",), optimistic=2, most_likely=4, pessimistic=8, cost_impact=1000),
        pm.Risk("R2", probability=0.1, tasks=("C", "D"), optimistic=1, most_likely=1, pessimistic=3),
    ]
    deps = [pm.Dependency("A", "B"), pm.Dependency("A", "C", "SS", 1), pm.Dependency("B", "D"),
            pm.Dependency("C", "D", "FF", 2), pm.Dependency("D", "E")]
    return pm.Project(name="net", start="2027-01-04", tasks=tasks, dependencies=deps, risks=risks,
                      deadline="2027-02-05", budget=4000)


# --------------------------------------------------------------------------- exactness


def test_fixed_durations_reproduce_cpm_in_every_iteration(all_links):
    s = pm.cpm(all_links)
    sim = pm.simulate(all_links, iterations=300, seed=1, keep="tasks")
    assert np.all(sim.finish == s.makespan)
    assert np.array_equal(sim.task_finish, np.tile(s.table["early_finish"].to_numpy(np.float32), (300, 1)))
    _, start, finish = next(sim.iter_task_dates(chunk_size=300))
    assert np.array_equal(start[7], s.table["early_start"].to_numpy())
    # Criticality from tracing driving links is exactly CPM's zero-float set.
    assert sim.criticality.tolist() == s.table["critical"].astype(float).tolist()


def test_random_networks_with_every_link_type_match_cpm():
    rng = np.random.default_rng(4)
    for _ in range(15):
        tasks = [(f"T{j}", int(rng.integers(0, 8))) for j in range(12)]
        links = []
        for j in range(1, 12):
            for i in rng.choice(j, size=min(j, int(rng.integers(1, 3))), replace=False):
                links.append((f"T{i}", f"T{j}", ["FS", "SS", "FF", "SF"][rng.integers(4)], int(rng.integers(-2, 4))))
        p = make_project(tasks, links)
        s = pm.cpm(p)
        sim = pm.simulate(p, iterations=20, seed=2, keep="tasks")
        assert np.all(sim.finish == s.makespan)
        assert np.array_equal(sim.task_finish[5], s.table["early_finish"].to_numpy(np.float32))
        assert sim.criticality.tolist() == s.table["critical"].astype(float).tolist()


def test_parallel_equal_paths_share_criticality():
    p = make_project([uncertain("A", 2, 4, 8), uncertain("B", 2, 4, 8), ("S", 1)], [("S", "A"), ("S", "B")])
    sim = pm.simulate(p, iterations=10_000, seed=3)
    assert sim.criticality["S"] == 1.0
    assert sim.criticality["A"] == pytest.approx(0.5, abs=4 * 0.5 / 100)
    assert sim.criticality["A"] + sim.criticality["B"] == pytest.approx(1.0)  # ties have probability 0


def test_release_and_override_seam(network):
    from pmsim.montecarlo import make_plan
    from pmsim.simulation import simulate_plan

    plan = make_plan(network, 5, risks=False).with_progress(release={"A": 3.0}, override={"A": 2.0}, cost_offset=7.0)
    sim = simulate_plan(network, plan, 500, 5, keep_tasks=True)
    base = pm.simulate(network, iterations=500, seed=5, risks=False)
    _, start, finish = next(sim.iter_task_dates(chunk_size=500))
    # A starts at its release and lasts exactly 2 days; the other tasks keep their numbers.
    assert np.all(start[:, 0] == 3.0) and np.all(finish[:, 0] == 5.0)
    ours, theirs = engine_durations(sim), engine_durations(base)
    assert np.all(ours[:, 0] == 2.0) and np.array_equal(ours[:, 1:], theirs[:, 1:])
    assert np.allclose(sim.cost, base.cost + 7.0 + 100 * (2.0 - theirs[:, 0].astype(np.float64)))
    with pytest.raises(pm.UnknownReferenceError):
        plan.with_progress(release={"nope": 1})


# --------------------------------------------------------------------------- reproducibility


def digest(sim) -> str:
    h = hashlib.sha256()
    for a in (sim.finish, sim.cost, sim.criticality.to_numpy(), sim.task_finish):
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def test_same_seed_same_arrays_whatever_the_chunk_size(network):
    corr = [(["A", "B", "C"], 0.5)]
    runs = [pm.simulate(network, iterations=3000, seed=42, correlation=corr, keep="tasks", chunk_size=c)
            for c in (64, 128, 1000, 7)]
    assert len({digest(s) for s in runs}) == 1
    other = pm.simulate(network, iterations=3000, seed=43, correlation=corr, keep="tasks")
    assert not np.array_equal(other.finish, runs[0].finish)


def test_correlated_run_is_the_same_on_one_thread_and_in_any_batch():
    # Iman-Conover works block by block, each block and component on its own thread: neither the thread count
    # nor how the iterations are split may change a number (the run has 3 whole blocks and a short one).
    import numba

    tasks = [pm.Task(f"T{k}", optimistic=1 + k % 3, most_likely=3 + k % 4, pessimistic=9 + k) for k in range(12)]
    links = [(f"T{k}", f"T{k + 3}") for k in range(9)]
    p = make_project(tasks, links)
    corr = {"a": ([f"T{k}" for k in range(0, 12, 2)], 0.6), "b": ([f"T{k}" for k in range(1, 12, 2)], -0.15)}
    first = pm.simulate(p, iterations=3500, seed=5, correlation=corr, keep="tasks")
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        alone = pm.simulate(p, iterations=3500, seed=5, correlation=corr, keep="tasks", chunk_size=300)
    finally:
        numba.set_num_threads(threads)
    assert digest(first) == digest(alone)
    dates = np.concatenate([finish for _, _, finish in first.iter_task_dates(chunk_size=700)])
    assert np.array_equal(dates, first.task_finish)


def test_seed_none_and_generator_record_a_repeatable_seed(network):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PmsimWarning)
        first = pm.simulate(network, iterations=500)
        again = pm.simulate(network, iterations=500, seed=first.seed)
        assert isinstance(first.seed, int) and np.array_equal(first.finish, again.finish)
        from_gen = pm.simulate(network, iterations=500, seed=np.random.default_rng(3))
        assert np.array_equal(from_gen.finish, pm.simulate(network, iterations=500, seed=from_gen.seed).finish)


def test_more_iterations_extend_the_same_stream(network):
    short = pm.simulate(network, iterations=1500, seed=6)
    long = pm.simulate(network, iterations=4000, seed=6)
    assert np.array_equal(short.finish, long.finish[:1500])


# --------------------------------------------------------------------------- risks and cost


def test_risk_with_probability_zero_changes_nothing(network):
    quiet = network.replace(risks=tuple(r.replace(probability=0.0) for r in network.risks))
    a = pm.simulate(quiet, iterations=2000, seed=4)
    b = pm.simulate(network, iterations=2000, seed=4, risks=False)
    assert np.array_equal(a.finish, b.finish) and np.array_equal(a.cost, b.cost)
    assert a.risk_summary["occurred"].tolist() == [0.0, 0.0]
    assert b.risk_summary.empty


def test_risk_with_probability_one_shifts_by_its_impact():
    p = make_project([("A", 4), ("B", 3)], [("A", "B")])
    p = p.replace(tasks=(p.tasks[0].replace(cost_per_day=10), p.tasks[1]),
                  risks=(pm.Risk("R", probability=1.0, tasks=("A",), impact=pm.Fixed(2.5), cost_impact=100),))
    sim = pm.simulate(p, iterations=200, seed=1)
    assert np.all(sim.finish == 9.5)
    assert np.all(sim.cost == 10 * 6.5 + 100)  # the extra days cost too
    row = sim.risk_summary.loc["R"]
    assert row["occurred"] == 1.0 and row["mean_impact"] == 2.5 and np.isnan(row["delay_added"])


def test_risk_summary_defines_delay_added_as_the_difference_of_means():
    p = make_project([("A", 5)])
    p = p.replace(tasks=(p.tasks[0].replace(cost_per_day=20),),
                  risks=(pm.Risk("R", probability=0.3, tasks=("A",), impact=pm.Fixed(3), cost_impact=50),))
    sim = pm.simulate(p, iterations=5000, seed=2)
    row = sim.risk_summary.loc["R"]
    assert abs(row["occurred"] - 0.3) < 4 * np.sqrt(0.3 * 0.7 / 5000)
    assert row["occurred"] == np.mean(sim.finish == 8.0)
    assert row["delay_added"] == 3.0 and row["mean_impact"] == 3.0
    assert row["cost_added"] == pytest.approx(50 + 20 * 3)


def test_cost_follows_the_sampled_durations():
    p = pm.Project(
        name="c", start="2027-01-04",
        tasks=[uncertain("A", 2, 3, 7, fixed_cost=100, cost_per_day=10, resources={"dev": 2}),
               uncertain("B", 1, 2, 4, cost_per_day=5)],
        resources=[pm.Resource("dev", capacity=3, cost_per_day=200)],
    )
    sim = pm.simulate(p, iterations=1000, seed=3, keep="tasks")
    _, start, finish = next(sim.iter_task_dates(chunk_size=1000))
    duration = finish - start
    expected = 100 + 410 * duration[:, 0] + 5 * duration[:, 1]
    assert np.allclose(sim.cost, expected, rtol=1e-12)


# --------------------------------------------------------------------------- results


def test_keep_tasks_and_iter_task_dates_agree(network):
    sim = pm.simulate(network, iterations=2500, seed=10, keep="tasks", correlation=[(["A", "C", "D"], 0.7)])
    assert sim.task_finish.shape == (2500, 5) and sim.task_finish.dtype == np.float32
    chunks = list(sim.iter_task_dates(chunk_size=1000))
    assert [c[0] for c in chunks] == [slice(0, 1000), slice(1000, 2000), slice(2000, 2500)]
    finish = np.concatenate([c[2] for c in chunks])
    start = np.concatenate([c[1] for c in chunks])
    assert np.array_equal(finish, sim.task_finish.astype(np.float64))
    assert np.array_equal(finish.max(axis=1), sim.finish)
    assert np.all(finish - start >= 0)
    assert pm.simulate(network, iterations=1000, seed=1).task_finish is None


def test_percentiles_dates_and_probabilities_are_consistent(network):
    sim = pm.simulate(network, iterations=4000, seed=11)
    assert sim.finish.dtype == np.float64 and sim.finish_dates.dtype == np.dtype("datetime64[D]")
    for level in (10, 50, 80, 90):
        date = sim.percentile(level)
        assert sim.probability_by(date) >= level / 100
        day_before = np.busday_offset(np.datetime64(date), -1, roll="backward").item()
        assert sim.probability_by(day_before) < level / 100
        assert np.mean(sim.finish <= sim.percentile_days(level)) >= level / 100
    assert sim.percentile([50, 80]) == [sim.percentile(50), sim.percentile(80)]
    assert sim.probability_by(network.start) == 0.0
    assert sim.cost_percentile(50) == float(np.percentile(sim.cost, 50, method="inverted_cdf"))
    assert sim.probability_within(sim.cost_percentile(80)) >= 0.8
    assert sim.mean == pytest.approx(sim.finish.mean()) and sim.std == pytest.approx(sim.finish.std(ddof=1))


def test_histogram_and_cdf(network):
    sim = pm.simulate(network, iterations=3000, seed=12)
    h = sim.histogram(bins=20)
    assert list(h.columns) == ["days", "width", "date", "count", "probability"]
    assert h["count"].sum() == 3000 and h["probability"].sum() == pytest.approx(1.0)
    c = sim.cdf()
    assert c["probability"].is_monotonic_increasing and c["probability"].iloc[-1] == 1.0
    assert c["days"].iloc[0] == sim.finish.min()


def test_p80_standard_error_from_order_statistics_and_its_warning():
    wide = make_project([uncertain("A", 10, 40, 400, distribution="triangular")])
    with pytest.warns(pm.PmsimWarning, match="standard error"):
        few = pm.simulate(wide, iterations=100, seed=1)
    x = np.sort(few.finish)
    # ranks 80 -/+ sqrt(100 * 0.8 * 0.2) = 76 and 84 (1-based)
    assert few.p80_standard_error == pytest.approx((x[83] - x[75]) / 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        many = pm.simulate(make_project([uncertain("A", 2, 3, 5)]), iterations=20_000, seed=1)
    assert many.p80_standard_error < 0.05


def test_arrays_are_read_only_and_the_result_pickles(network):
    sim = pm.simulate(network, iterations=500, seed=13, keep="tasks")
    for a in (sim.finish, sim.cost, sim.finish_dates, sim.task_finish):
        with pytest.raises(ValueError):
            a[0] = 0
    back = pickle.loads(pickle.dumps(sim))
    assert np.array_equal(back.finish, sim.finish) and back.sensitivity.equals(sim.sensitivity)


def test_sensitivity_is_the_exact_spearman_coefficient(network):
    sim = pm.simulate(network, iterations=3000, seed=14)
    durations = engine_durations(sim)
    assert np.array_equal(durations[:, 4], np.full(3000, 2, np.float32))  # E is fixed
    for k, tid in enumerate(network.task_ids):
        if np.ptp(durations[:, k]) == 0:
            assert sim.sensitivity[tid] == 0.0
        else:
            expected = stats.spearmanr(durations[:, k], sim.finish).statistic
            assert sim.sensitivity[tid] == pytest.approx(expected, abs=1e-12)
    # Cruciality is Williams' index, |Pearson r| of the duration with the finish (0 for a fixed task).
    for k, tid in enumerate(network.task_ids):
        varies = np.ptp(durations[:, k]) > 0
        expected = abs(stats.pearsonr(durations[:, k], sim.finish).statistic) if varies else 0.0
        assert sim.cruciality[tid] == pytest.approx(expected, abs=1e-6)  # durations from float32 dates
    assert list(sim.sensitivity.index) == list(network.task_ids)


def test_summary_and_html(network):
    sim = pm.simulate(network, iterations=2000, seed=15)
    s = sim.summary()["value"]
    assert s["P80 date"] == sim.percentile(80) and s["P80 (working days)"] == sim.percentile_days(80)
    assert s["P(on time)"] == sim.probability_by(network.deadline)
    assert s["P(within budget)"] == sim.probability_within(network.budget)
    on_time = sim.finish_dates <= np.datetime64(network.deadline)
    assert s["JCL"] == np.mean(on_time & (sim.cost <= network.budget))
    assert s["seed"] == 15 and s["iterations"] == 2000
    html = sim._repr_html_()
    assert "Monte Carlo simulation of net" in html and "Most critical tasks" in html


def test_callback_reports_progress():
    p = make_project([uncertain(f"T{k}", 1, 2, 3) for k in range(5000)])
    seen = []
    pm.simulate(p, iterations=7000, seed=1, callback=lambda done, total: seen.append((done, total)))
    assert len(seen) > 1 and seen[-1] == (7000, 7000)
    assert all(a[0] < b[0] for a, b in zip(seen, seen[1:]))


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"iterations": 0}, "iterations must be a positive integer"),  # no iterations
        ({"iterations": -5}, "iterations must be a positive integer"),  # negative
        ({"iterations": 2.5}, "iterations must be a positive integer"),  # not an integer
        ({"iterations": True}, "iterations must be a positive integer"),  # a bool is not a count
        ({"seed": "abc"}, "seed must be an int"),  # seed of the wrong type
        ({"seed": 1.5}, "seed must be an int"),  # float seed
        ({"seed": -1}, "non-negative"),  # negative seed
        ({"keep": "all"}, "keep must be 'summary' or 'tasks'"),  # unknown keep
        ({"keep": "tasks", "iterations": 10**9}, "keep='tasks' needs 7.5 GB"),  # 10^9 x 2 x 4 bytes
        ({"iterations": 10**12}, "need about .* GB for the per-iteration results"),  # cannot fit at all
        ({"chunk_size": 0}, "chunk_size must be a positive integer"),  # empty chunks
        ({"callback": "print"}, "callback must be callable"),  # not callable
        ({"correlation": [(["A", "Q"], 0.5)]}, "unknown task 'Q'"),  # correlation names an unknown task
        ({"correlation": [(["A", "B"], 2)]}, "in \\[-1, 1\\]"),  # coefficient outside [-1, 1]
        ({"correlation": pd.DataFrame(np.eye(3), index=list("ABC"), columns=list("ABC"))}, "unknown task 'C'"),
        ({"correlation": np.eye(3)}, "must be 2 x 2"),  # matrix of the wrong shape
    ],
)
def test_bad_input(kwargs, message):
    p = make_project([uncertain("A", 1, 2, 3), uncertain("B", 1, 2, 3)])
    with pytest.raises(pm.PmsimError, match=message):
        pm.simulate(p, **kwargs)


def test_not_a_project():
    with pytest.raises(pm.PmsimError, match="needs a Project"):
        pm.simulate("data/erp_upgrade")


def test_iter_task_dates_bad_chunk(network):
    sim = pm.simulate(network, iterations=1000, seed=1)
    with pytest.raises(pm.PmsimError, match="chunk_size"):
        next(sim.iter_task_dates(chunk_size=0))


# Last, so that the compiled kernels it needs are already in numba's cache.
SCRIPT = textwrap.dedent("""
    import hashlib, numpy as np, pmsim as pm
    p = pm.read_project(pm.data_path("erp_upgrade"))
    ids = [t.id for t in p.tasks if t.estimate.var > 0]
    sim = pm.simulate(p, iterations=5000, seed=8, correlation=[(ids[:5], 0.6)], keep="tasks")
    h = hashlib.sha256()
    for a in (sim.finish, sim.cost, sim.criticality.to_numpy(), sim.task_finish, sim.sensitivity.to_numpy()):
        h.update(np.ascontiguousarray(a).tobytes())
    print(h.hexdigest())
""")


def test_same_seed_same_arrays_with_one_or_two_threads():
    digests = set()
    for threads in ("1", "2"):
        env = dict(os.environ, NUMBA_NUM_THREADS=threads)
        out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True)
        digests.add(out.stdout.strip())
    assert len(digests) == 1


THREADS_SCRIPT = textwrap.dedent("""
    import threading, numba, numpy as np, pmsim as pm
    p = pm.read_project(pm.data_path("erp_upgrade"))
    ids = [t.id for t in p.tasks if t.estimate.var > 0]

    def run(seed):
        sim = pm.simulate(p, iterations=3000, seed=seed, correlation=[(ids[:5], 0.6)])
        levelled = pm.simulate(p, iterations=1000, seed=seed, levelled=True)
        return np.r_[sim.finish, levelled.finish], sim.sensitivity.to_numpy()

    alone = {seed: run(seed) for seed in range(4)}
    together = {}
    threads = [threading.Thread(target=lambda s=s: together.__setitem__(s, [run(s) for _ in range(5)]))
               for s in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    same = all(np.array_equal(a[0], alone[s][0]) and np.array_equal(a[1], alone[s][1])
               for s, runs in together.items() for a in runs)
    print(numba.threading_layer(), len(together), same)
""")


def test_simulations_in_several_threads_with_the_workqueue_threading_layer():
    """Numba's fallback layer aborts on concurrent parallel launches; pmsim's launches take turns there.

    Each thread runs a correlated simulation, its sensitivity and a levelled simulation: every parallel kernel.
    """
    env = dict(os.environ, NUMBA_THREADING_LAYER="workqueue")
    out = subprocess.run([sys.executable, "-c", THREADS_SCRIPT], env=env, capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["workqueue", "4", "True"]


def test_iter_task_dates_of_a_levelled_run_are_its_levelled_dates():
    p = pm.read_project(pm.data_path("erp_upgrade"))
    sim = pm.simulate(p, iterations=1500, seed=5, levelled=True, keep="tasks")
    chunks = list(sim.iter_task_dates(chunk_size=600))  # not a multiple of the correlation block
    assert [c[0] for c in chunks] == [slice(0, 600), slice(600, 1200), slice(1200, 1500)]
    start, finish = np.vstack([c[1] for c in chunks]), np.vstack([c[2] for c in chunks])
    assert np.array_equal(finish, np.asarray(sim.task_finish, dtype=np.float64))  # those of the run
    assert np.allclose(finish.max(axis=1), sim.finish, atol=1e-4)
    # The same sampled durations as the unlevelled run of that seed; levelling moved tasks later.
    free = pm.simulate(p, iterations=1500, seed=5)
    free_start = np.vstack([c[1] for c in free.iter_task_dates(chunk_size=600)])
    free_finish = np.vstack([c[2] for c in free.iter_task_dates(chunk_size=600)])
    assert np.allclose(finish - start, free_finish - free_start, atol=1e-3)
    assert np.all(start >= free_start - 1e-3) and (start > free_start + 1).any()
