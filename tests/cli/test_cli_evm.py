"""`pmsim evm PATH --status-date D [--json]` on the shipped ERP progress data and on bad input."""

from __future__ import annotations

import json

import pytest

import pmsim as pm
from pmsim.cli import main
from pmsim.evm import METRICS

ERP = str(pm.data_path("erp_upgrade"))


def test_evm_json_has_stable_keys(capsys):
    assert main(["evm", ERP, "--status-date", "2027-05-28", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status_date"] == "2027-05-28"
    assert list(out["metrics"]) == METRICS
    assert out["currency"] == "EUR" and out["eac_method"] == "cpi"
    # The JSON carries the same numbers as the library call.
    report = pm.earned_value(pm.read_project(ERP), pm.read_progress(ERP), "2027-05-28")
    assert out["metrics"]["EAC_cpi"] == pytest.approx(report.metrics["EAC_cpi"])
    assert out["forecast_finish_date"] == report.forecast_finish_date.isoformat()
    assert {t["id"] for t in out["tasks"]} == set(pm.read_project(ERP).task_ids)
    # Dates a task does not have yet are null, not the string "NaT".
    unstarted = [t for t in out["tasks"] if t["status"] == "not started"]
    assert unstarted and all(t["actual_start"] is None and t["actual_finish"] is None for t in unstarted)
    running = [t for t in out["tasks"] if t["status"] == "in progress"]
    assert running and all(t["actual_finish"] is None for t in running)


def test_evm_text_and_eac_choice(capsys):
    assert main(["evm", ERP, "--status-date", "2027-03-31", "--eac", "bottom_up"]) == 0
    text = capsys.readouterr().out
    assert "Earned value of ERP upgrade 2027 at 2027-03-31" in text
    assert "EAC_bottom_up" in text and "forecast finish" in text


def test_evm_explicit_progress_file(tmp_path, capsys):
    csv = tmp_path / "p.csv"
    csv.write_text("id,percent_complete,actual_cost\nIN01,50,4000\n")
    assert main(["evm", ERP, "--status-date", "2027-02-02", "--progress", str(csv), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["metrics"]["AC"] == 4000


@pytest.mark.parametrize(
    "argv, message",
    [
        # a status date the progress data does not hold
        (["evm", ERP, "--status-date", "2027-05-29"], "no progress for status date 2027-05-29"),
        # a status date that is no date
        (["evm", ERP, "--status-date", "May"], "'May' is not an ISO date"),
        # a project folder without progress data
        (["evm", str(pm.data_path("textbook")), "--status-date", "2027-01-05"], "no progress data"),
    ],
)
def test_evm_bad_input_exits_2(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err
