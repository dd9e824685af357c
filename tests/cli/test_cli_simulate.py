"""`pmsim simulate PATH --iterations N --seed S [--progress FILE] [--table | --json]`."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest

import pmsim as pm
from pmsim.cli import main

KEYS = [
    "project", "iterations", "seed", "levelled", "status_date",
    "p10", "p50", "p80", "p90", "p10_days", "p50_days", "p80_days", "p90_days",
    "mean", "sd", "p80_standard_error", "deadline", "probability_on_time",
    "cost_mean", "cost_sd", "cost_p50", "cost_p80", "cost_p90", "currency", "budget",
    "probability_within_budget", "jcl", "criticality",
]


def run_json(capsys, *args):
    assert main(["simulate", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_has_the_stable_keys_and_matches_the_api(capsys):
    path = str(pm.data_path("erp_upgrade"))
    out = run_json(capsys, path, "--iterations", "2000", "--seed", "3")
    assert list(out) == KEYS
    project = pm.read_project(path)
    sim = pm.simulate(project, iterations=2000, seed=3)
    assert out["project"] == project.name and out["iterations"] == 2000 and out["seed"] == 3
    assert out["p80"] == sim.percentile(80).isoformat() and out["p80_days"] == sim.percentile_days(80)
    assert out["mean"] == pytest.approx(sim.mean) and out["cost_p80"] == sim.cost_percentile(80)
    assert out["deadline"] == project.deadline.isoformat() and out["budget"] == project.budget
    assert out["probability_on_time"] == sim.probability_by(project.deadline)
    assert out["probability_within_budget"] == sim.probability_within(project.budget)
    on_time = sim.finish_dates <= np.datetime64(project.deadline)
    assert out["jcl"] == np.mean(on_time & (sim.cost <= project.budget))
    assert out["jcl"] <= min(out["probability_on_time"], out["probability_within_budget"])
    top = out["criticality"]
    assert len(top) == 10 and set(top[0]) == {"id", "name", "criticality"}
    assert [t["criticality"] for t in top] == sorted((t["criticality"] for t in top), reverse=True)


def test_same_seed_same_output(capsys):
    path = str(pm.data_path("textbook"))
    first = run_json(capsys, path, "--iterations", "1500", "--seed", "11")
    second = run_json(capsys, path, "--iterations", "1500", "--seed", "11")
    assert first == second


def test_no_deadline_or_budget_gives_nulls(capsys, tmp_path):
    project = pm.read_project(pm.data_path("textbook")).replace(deadline=None, budget=None)
    pm.write_project(project, tmp_path / "plain")
    out = run_json(capsys, str(tmp_path / "plain"), "--iterations", "1000", "--seed", "1")
    assert out["deadline"] is None and out["probability_on_time"] is None
    assert out["budget"] is None and out["probability_within_budget"] is None and out["jcl"] is None


def test_summary_is_formatted_for_people(capsys):
    path = str(pm.data_path("erp_upgrade"))
    assert main(["simulate", path, "--iterations", "2000", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    sim = pm.simulate(pm.read_project(path), iterations=2000, seed=3)
    assert lines[0] == "ERP upgrade 2027: Monte Carlo, 2,000 iterations, seed 3"
    assert re.split(r"\s{2,}", lines[2].strip()) == ["finish", "working days", "cost (EUR)"]
    p80 = next(line for line in lines if line.startswith("P80 "))
    # The P80 row: its date, its working days to one decimal, its cost in whole euros with separators.
    assert p80.split() == ["P80", sim.percentile(80).isoformat(), f"{sim.percentile_days(80):.1f}",
                           f"{round(sim.cost_percentile(80)):,}"]
    on_time = 100 * sim.probability_by(pm.read_project(path).deadline)
    assert f"deadline   2027-09-17: P(on time) {on_time:.1f} %" in lines
    within = 100 * sim.probability_within(1_410_000)
    assert f"budget     EUR 1,410,000: P(within budget) {within:.1f} %" in lines
    assert any(line.startswith("JCL ") for line in lines)
    assert lines[-7] == "most critical tasks:" and lines[-6].split() == ["id", "task", "criticality"]  # five rows


def test_table_lists_every_task_and_risk(capsys):
    path = str(pm.data_path("erp_upgrade"))
    assert main(["simulate", path, "--iterations", "1000", "--seed", "3", "--table"]) == 0
    out = capsys.readouterr().out
    project = pm.read_project(path)
    for task in project.tasks:
        assert re.search(rf"^{task.id}  ", out, re.M), task.id
    risk_rows = [line for line in out.splitlines() if re.match(r"^R\d\d  ", line)]
    assert len(risk_rows) == len(project.risks)


def test_a_drawn_seed_is_shown_and_repeats_the_run(capsys):
    path = str(pm.data_path("textbook"))
    assert main(["simulate", path, "--iterations", "500"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    seed = int(re.search(r"seed (\d+) \(drawn at random; --seed \1 repeats this run\)", first).group(1))
    assert 0 <= seed < 2**63
    again = run_json(capsys, path, "--iterations", "500", "--seed", str(seed))
    direct = pm.simulate(pm.read_project(path), iterations=500, seed=seed)
    assert again["seed"] == seed and again["p80_days"] == direct.percentile_days(80)


def test_progress_file_re_forecasts_the_work_left(capsys, tmp_path):
    path = pm.data_path("erp_upgrade")
    project = pm.read_project(path)
    progress = pm.read_progress(path)
    out = run_json(capsys, str(path), "--iterations", "1000", "--seed", "5", "--progress",
                   str(path / "progress.csv"), "--status-date", "2027-03-31")
    sim = pm.simulate(project, iterations=1000, seed=5, progress=progress, status_date="2027-03-31")
    assert out["status_date"] == "2027-03-31" and out["p80_days"] == sim.percentile_days(80)
    plain = pm.simulate(project, iterations=1000, seed=5)
    assert out["p80_days"] != plain.percentile_days(80)


def test_bad_input_exits_with_status_2(capsys, tmp_path):
    assert main(["simulate", str(tmp_path / "missing"), "--iterations", "100"]) == 2
    assert "pmsim: error:" in capsys.readouterr().err
    assert main(["simulate", str(pm.data_path("textbook")), "--iterations", "0"]) == 2
    assert "iterations must be a positive integer" in capsys.readouterr().err


def test_console_entry_point_runs_in_a_fresh_process():
    out = subprocess.run(
        [sys.executable, "-m", "pmsim.cli", "simulate", str(pm.data_path("textbook")),
         "--iterations", "1000", "--seed", "4", "--json"],
        capture_output=True, text=True, check=True,
    )
    assert json.loads(out.stdout)["seed"] == 4


def test_a_progress_bar_on_a_terminal_unless_quiet(monkeypatch, capsys):
    path = str(pm.data_path("textbook"))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["simulate", path, "--iterations", "3000", "--seed", "1", "--json"]) == 0
    out, err = capsys.readouterr()
    assert err.startswith("\rsimulating: 3,000/3,000 iterations (100 %) in ") and err.endswith("s\n")
    assert json.loads(out)["iterations"] == 3000
    assert main(["simulate", path, "--iterations", "3000", "--seed", "1", "--json", "--quiet"]) == 0
    assert capsys.readouterr().err == ""
    monkeypatch.undo()
    assert main(["simulate", path, "--iterations", "3000", "--seed", "1", "--json"]) == 0
    assert capsys.readouterr().err == ""  # stderr is not a terminal here
