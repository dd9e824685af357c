"""`pmsim simulate PATH --iterations N --seed S [--json]`."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import pmsim as pm
from pmsim.cli import main

KEYS = [
    "project", "iterations", "seed", "levelled",
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


def test_text_output(capsys):
    assert main(["simulate", str(pm.data_path("textbook")), "--iterations", "1000", "--seed", "2"]) == 0
    text = capsys.readouterr().out
    assert "P80 date" in text and "most critical tasks:" in text


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
