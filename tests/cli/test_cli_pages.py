"""`pmsim level` as a summary, `pmsim report --progress FILE`, and `pmsim dashboard [PATH]`."""

from __future__ import annotations

import re

import pytest

import pmsim as pm
import pmsim.widgets
from pmsim.cli import main

ERP = pm.data_path("erp_upgrade")


def test_level_summary_names_the_delay_and_the_tasks_held_back(capsys):
    assert main(["level", str(ERP), "--table"]) == 0
    out = capsys.readouterr().out
    levelled = pm.level(pm.read_project(ERP))
    head = out.split("critical path:", 1)[0].splitlines()
    facts = dict(re.split(r"\s{2,}", line, maxsplit=1) for line in head[1:])
    assert facts["finish"] == f"{levelled.finish_date.isoformat()} ({levelled.makespan:g} working days)"
    assert facts["delay"] == f"{levelled.delay:g} working days after the unlevelled CPM finish"
    assert facts["held back"] == f"{len(levelled.held_back)} tasks wait for resources"
    held_rows = out.split("held back by resources:\n", 1)[1].splitlines()[1:]
    assert [r.split()[0] for r in held_rows] == list(levelled.held_back.index)


def test_report_takes_progress_from_a_file(tmp_path, capsys):
    progress = tmp_path / "progress.csv"
    progress.write_text("status_date,id,percent_complete,actual_cost\n2027-01-08,A,100,180000\n2027-01-08,B,40,100000\n")
    out = tmp_path / "textbook.html"
    assert main(["report", str(pm.data_path("textbook")), "-o", str(out), "--iterations", "300",
                 "--progress", str(progress)]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {out} (")
    page = out.read_text()
    assert 'id="evm"' in page and "2027-01-08" in page


def test_dashboard_serves_the_project_through_widgets_serve(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(pmsim.widgets, "serve", lambda path, **options: calls.append((path, options)),
                        raising=False)
    assert main(["dashboard", str(ERP), "--port", "9123", "--no-browser"]) == 0
    assert calls == [(ERP, {"port": 9123, "open_browser": False})]
    assert capsys.readouterr().err == "pmsim: serving the what-if dashboard on http://127.0.0.1:9123/ (Ctrl+C stops it)\n"
    assert main(["dashboard", "--quiet"]) == 0  # no project: the page offers to open one
    assert calls[-1] == (None, {"port": 8866, "open_browser": True})


def test_dashboard_refuses_a_bad_project_before_serving(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(pmsim.widgets, "serve", lambda *a, **k: pytest.fail("served a bad project"), raising=False)
    assert main(["dashboard", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such file or folder" in err


def test_dashboard_without_its_server_is_one_line(monkeypatch, capsys):
    # A pmsim whose widgets have no serve(), and one where the server's own packages are missing.
    # (pmsim.widgets loads its names on first use: without its entry there, the name is not found.)
    monkeypatch.delattr(pmsim.widgets, "serve", raising=False)
    monkeypatch.delitem(pmsim.widgets._LAZY, "serve")
    assert main(["dashboard", str(ERP), "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("pmsim: error: this pmsim cannot serve the what-if dashboard")

    real_import = __import__

    def importer(name, globals=None, locals=None, fromlist=(), level=0):
        if fromlist and "serve" in fromlist and name in ("widgets", "pmsim.widgets"):
            raise ModuleNotFoundError("No module named 'voila'", name="voila")
        return real_import(name, globals, locals, fromlist, level)

    monkeypatch.setattr("builtins.__import__", importer)
    assert main(["dashboard", str(ERP), "--no-browser"]) == 2
    assert capsys.readouterr().err == "pmsim: error: the what-if dashboard needs voila: pip install 'pmsim[notebooks]'\n"
