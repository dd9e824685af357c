"""`pmsim evm PATH [--status-date D] [--progress FILE] [--table | --json]` on the shipped ERP progress data and on bad input."""

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
    assert text.startswith("ERP upgrade 2027: earned value at 2027-03-31")
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


def test_status_date_comes_from_the_progress_data(capsys):
    # progress.csv holds 2027-03-31 and 2027-05-28 and the project names neither: the latest is used,
    # and a note names the other.
    assert main(["evm", ERP, "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["status_date"] == "2027-05-28"
    assert err == "pmsim: status date 2027-05-28 (the progress data also holds 2027-03-31; --status-date picks one)\n"
    assert main(["evm", ERP, "--json", "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_status_date_of_a_one_date_file_and_of_the_project(tmp_path, capsys):
    one = tmp_path / "one.csv"
    one.write_text("status_date,id,percent_complete,actual_cost\n2027-02-03,IN01,50,3000\n")
    assert main(["evm", ERP, "--progress", str(one), "--json"]) == 0
    out, err = capsys.readouterr()
    assert (json.loads(out)["status_date"], err) == ("2027-02-03", "")
    # A table without a status_date column takes the project's status_date.
    folder = tmp_path / "erp"
    pm.write_project(pm.read_project(ERP).replace(status_date="2027-02-02"), folder)
    plain = tmp_path / "plain.csv"
    plain.write_text("id,percent_complete,actual_cost\nIN01,50,4000\n")
    assert main(["evm", str(folder), "--progress", str(plain), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status_date"] == "2027-02-02"


def test_no_status_date_anywhere_is_one_clear_error(tmp_path, capsys):
    plain = tmp_path / "plain.csv"
    plain.write_text("id,percent_complete,actual_cost\nIN01,50,4000\n")
    assert main(["evm", ERP, "--progress", str(plain)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "give --status-date YYYY-MM-DD" in err


def test_evm_summary_is_formatted_for_people(capsys):
    assert main(["evm", ERP, "--status-date", "2027-05-28", "--quiet"]) == 0
    out = capsys.readouterr().out
    report = pm.earned_value(pm.read_project(ERP), pm.read_progress(ERP), "2027-05-28")
    m = report.metrics
    # Money in whole euros with separators, indices to two decimals, nothing with three decimals.
    bac = next(line for line in out.splitlines() if line.startswith("BAC"))
    assert f"{round(m['BAC']):,}" in bac and "budget at completion" in bac
    assert f"SPI {m['SPI']:.2f}" in out and f"CPI {m['CPI']:.2f}" in out
    assert f"forecast finish  {report.forecast_finish_date.isoformat()}" in out
    assert "deadline         2027-09-17 (missed by" in out and "budget           EUR 1,410,000" in out
    assert not any(len(word.split(".")[-1]) == 3 and word.replace(",", "").replace(".", "").isdigit()
                   for word in out.split())
