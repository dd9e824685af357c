"""`pmsim report`: one self-contained offline HTML page per project."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pandas as pd
import pytest

import pmsim as pm
from pmsim.cli import main
from pmsim.report import build_report, write_report

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def sections(page: str) -> list[str]:
    return re.findall(r'<section id="([a-z]+)">', page)


def card(page: str, label: str) -> str:
    """The value shown in the headline card with this label."""
    m = re.search(rf'<div class="label">{re.escape(label)}</div><div class="value">([^<]*)</div>', page)
    assert m, f"no headline card {label!r}"
    return m.group(1)


def images(page: str) -> list[bytes]:
    return [base64.b64decode(data) for data in re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)]


@pytest.fixture(scope="module")
def textbook_page(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "textbook.html"
    assert main(["report", str(pm.data_path("textbook")), "-o", str(out), "--iterations", "2000", "--seed", "1"]) == 0
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def erp_page(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "sub" / "erp.html"  # a missing folder is created
    write_report(pm.data_path("erp_upgrade"), out, iterations=1000, seed=2)
    return out.read_text(encoding="utf-8")


def test_textbook_page_has_the_published_schedule(textbook_page):
    # Most likely durations: 43 working days from Mon 4 Jan 2027, the last of them Wed 3 Mar.
    assert card(textbook_page, "CPM finish") == "2027-03-03"
    assert "A → B → C → E → F → J → L → N" in textbook_page
    # The fourteen fixed costs add up to the book's 4.55 million.
    assert "4,550,000 USD" in textbook_page


def test_textbook_page_sections(textbook_page):
    assert sections(textbook_page) == ["project", "health", "cpm", "risk", "levelling", "budget"]
    assert "No task demands a resource" in textbook_page
    assert 'id="evm"' not in textbook_page  # no progress data in data/textbook


def test_page_agrees_with_the_api(textbook_page):
    p = pm.read_project(pm.data_path("textbook"))
    sim = pm.simulate(p, iterations=2000, seed=1)
    assert card(textbook_page, "P50 finish") == str(sim.percentile(50))
    assert card(textbook_page, "P80 finish") == str(sim.percentile(80))
    assert card(textbook_page, "P(on time)") == f"{sim.probability_by(p.deadline):.1%}"
    assert card(textbook_page, "joint confidence") == f"{pm.jcl(sim).jcl:.1%}"


def test_page_is_self_contained(textbook_page):
    figures = images(textbook_page)
    # Gantt, histogram, CDF, tornado, criticality, budget burn, cost histogram, JCL.
    assert len(figures) == 8
    assert all(f.startswith(PNG_SIGNATURE) and len(f) > 5000 for f in figures)
    # Every reference stays inside the page: inlined data or an anchor.
    refs = re.findall(r'(?:src|href)="([^"]*)"', textbook_page)
    assert refs and all(r.startswith(("data:", "#")) for r in refs)
    assert "<script" not in textbook_page and "<link" not in textbook_page
    assert re.search(r"url\(", textbook_page) is None


def test_erp_page_has_levelling_budget_and_earned_value(erp_page):
    assert sections(erp_page) == ["project", "health", "cpm", "risk", "levelling", "budget", "evm", "control"]
    p = pm.read_project(pm.data_path("erp_upgrade"))
    assert card(erp_page, "levelled plan finish") == str(pm.level(p).finish_date)
    # Both status dates of data/erp_upgrade/progress.csv, and the re-forecast from the later one.
    assert "2027-03-31" in erp_page and "re-forecast at 2027-05-28" in erp_page
    # EV at 2027-05-28, as tests/test_evm.py checks it against the progress table.
    ev = pm.earned_value(p, pm.read_progress(pm.data_path("erp_upgrade")), "2027-05-28").metrics["EV"]
    assert f"{ev:,.0f}" in erp_page
    # Gantt; histogram, CDF, tornado, criticality; levelled Gantt, resource profile, levelled histogram;
    # budget burn, cost histogram, JCL; EVM chart, re-forecast budget burn; finish trend, SPI(t) and CPI control charts.
    assert len(images(erp_page)) == 16


def test_the_gap_to_pert_is_split_into_merge_bias_and_risks(erp_page):
    # PERT ignores both the merge bias and the risk register (issue 21, correction 5): the page splits the gap of
    # the means exactly, by a run without the risks on the same iterations and seed.
    p = pm.read_project(pm.data_path("erp_upgrade"))
    sim = pm.simulate(p, iterations=1000, seed=2)
    calm = pm.simulate(p, iterations=1000, seed=2, risks=False)
    pert_mean = pm.pert(p).mean
    text = re.sub(r"\s+", " ", erp_page)
    assert f"{sim.mean - pert_mean:.1f} working days earlier than the simulation" in text
    assert (f"Of those, {calm.mean - pert_mean:.1f} are merge bias" in text
            and f"and {sim.mean - calm.mean:.1f} come from the risk register" in text)
    assert calm.mean > pert_mean and sim.mean > calm.mean


def test_same_seed_same_page():
    p = pm.read_project(pm.data_path("textbook"))
    assert build_report(p, iterations=300, seed=5) == build_report(p, iterations=300, seed=5)


def test_project_without_costs_or_resources():
    p = pm.Project(name="bare", start="2027-01-04",
                   tasks=[pm.Task("A", optimistic=1, most_likely=2, pessimistic=4), pm.Task("B", duration=3)],
                   dependencies=[pm.Dependency("A", "B")])
    page = build_report(p, iterations=500, seed=1)
    assert "no costs" in page and "nothing to level" in page
    assert card(page, "CPM finish") == "2027-01-08"  # 2 + 3 working days from Mon 4 Jan


def test_infeasible_levelling_is_reported_not_raised():
    p = pm.Project(name="too big", start="2027-01-04",
                   tasks=[pm.Task("A", duration=2, resources={"dev": 3}, cost_per_day=100)],
                   resources=[pm.Resource("dev", capacity=2)])
    page = build_report(p, iterations=500, seed=1)
    assert "No resource-feasible schedule exists" in page and "&#x27;A&#x27;" in page


@pytest.mark.parametrize(
    "args, message",
    [
        # a project path that does not exist
        (["report", "data/no_such_project", "-o", "{tmp}/x.html"], "no_such_project"),
        # the output is a folder, not a file name
        (["report", str(pm.data_path("textbook")), "-o", "{tmp}"], "is a folder"),
        # no iterations
        (["report", str(pm.data_path("textbook")), "-o", "{tmp}/x.html", "--iterations", "0"], "iterations"),
    ],
)
def test_bad_input(args, message, tmp_path, capsys):
    assert main([a.replace("{tmp}", str(tmp_path)) for a in args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pmsim: error:") and message in err
    assert not (tmp_path / "x.html").exists()


def test_build_report_needs_a_project():
    with pytest.raises(pm.ValidationError, match="needs a Project"):
        build_report(pd.DataFrame(), iterations=10)


# --------------------------------------------------------------------------- calendars and progress

SEVEN = pm.Calendar(workdays="Mon-Sun", hours="08:00-16:00", hours_per_day=8, id="7d", name="Seven <days>")


def calendar_project(**settings):
    """A (3 d) -> B (4 d on a 7-day calendar) -> C (2 d), with costs, a resource and a name to escape."""
    return pm.Project(
        name="Plant & <b>upgrade</b>", start="2027-01-04", calendars=[SEVEN], deadline="2027-01-29",
        tasks=[pm.Task("A", "Design <script>alert(1)</script>", duration=3, cost_per_day=100, resources={"r": 1}),
               pm.Task("B", "Cure", optimistic=3, most_likely=4, pessimistic=6, calendar="7d", cost_per_day=200),
               pm.Task("C", "Test", duration=2, cost_per_day=50)],
        resources=[pm.Resource("r", cost_per_day=10)],
        dependencies=[pm.Dependency("A", "B"), pm.Dependency("B", "C")], **settings)


PROGRESS = pd.DataFrame({"id": ["A", "B"], "percent_complete": [100, 25], "actual_cost": [330, 250],
                         "actual_start": ["2027-01-04", "2027-01-07T08:00"], "actual_finish": ["2027-01-06", None]})


def test_a_calendar_plan_shows_its_dates_and_times():
    p = calendar_project()
    page = build_report(p, iterations=300, seed=1)
    when = pm.cpm(p).times()
    # B works Thursday 08:00 to Sunday 16:00 on its 7-day calendar: the task table says so, to the minute.
    assert when.loc["B", "finish"] == pd.Timestamp("2027-01-10 16:00")
    assert "2027-01-07 08:00" in page and "2027-01-10 16:00" in page
    assert "Seven &lt;days&gt;" in page and "Plant &amp; &lt;b&gt;upgrade&lt;/b&gt;" in page
    assert "<script>" not in page and "Design &lt;script&gt;alert(1)&lt;/script&gt;" in page
    # The plan on several calendars is levelled on them (pm.level on calendars).
    assert "<h3>Levelled schedule</h3>" in page and "Not levelled" not in page
    assert sections(page) == ["project", "health", "cpm", "risk", "levelling", "budget"]


def test_progress_on_the_tasks_gives_the_earned_value_section():
    p = calendar_project().with_progress(PROGRESS, "2027-01-09T12:00")
    page = build_report(p, iterations=300, seed=1)
    assert sections(page)[-2:] == ["evm", "control"]
    assert card(page, "data date") == "2027-01-09 12:00"
    # EV = A's 330 (3 days at 100 + 10 for its resource) + 25 % of B's 800 (4 days at 200) = 530.
    ev = pm.earned_value(p).metrics["EV"]
    assert ev == pytest.approx(530) and '<td class="num">530</td>' in page
    assert "re-forecast at 2027-01-09 12:00" in page and "plan without progress" in page
    # The task table holds the actuals. B (4 d on SEVEN, 25 % done) has 3 days (24 h) left from Saturday 12:00:
    # 4 h Saturday, Sunday, Monday, then Tuesday 08:00-12:00. C starts after Tuesday's lunch, 13:00, and works
    # 4 h Tuesday, Wednesday, Thursday 08:00-12:00.
    rows = dict(re.findall(r"<tr><th>(\w)</th>(.*?)</tr>", page))
    cells = {k: re.findall(r"<td[^>]*>([^<]*)</td>", v) for k, v in rows.items()}
    assert cells["B"][4:6] == ["2027-01-07 08:00", "2027-01-12 12:00"]
    assert cells["B"][-5:] == ["in progress", "25", "3", "2027-01-07 08:00", ""]
    assert cells["C"][4:6] == ["2027-01-12 13:00", "2027-01-14 12:00"]
    assert cells["A"][-5:] == ["finished", "100", "0", "2027-01-04", "2027-01-06"]
    # The re-forecast is the page's simulation.
    assert card(page, "P80 finish") == str(pm.simulate(p, iterations=300, seed=1).percentile(80))


def test_a_progress_table_on_a_calendar_plan():
    p = calendar_project()
    page = build_report(p, iterations=300, seed=1, progress=PROGRESS.assign(status_date="2027-01-09"))
    assert "re-forecast at 2027-01-09" in page
    ev = pm.earned_value(p, PROGRESS, "2027-01-09").metrics
    assert f"{ev['PV']:,.0f}" in page


def test_constraints_and_deadlines_say_whether_they_hold():
    # C (2 d, after B) starts Mon 11 08:00 and finishes Tue 12 17:00; B must finish by Sat 9 on its 7-day calendar
    # but finishes Sun 10 16:00: one day of it late.
    p = calendar_project(honor_constraints=False)
    p = p.replace(tasks=tuple(
        t.replace(deadline="2027-01-09") if t.id == "B" else
        t.replace(constraint="FNLT", constraint_date="2027-01-12") if t.id == "C" else t for t in p.tasks))
    page = build_report(p, iterations=300, seed=1)
    part = page[page.index("<h3>Constraints and deadlines</h3>"):]
    part = part[:part.index("</table>")]
    assert "1 of 2 do not hold" in part
    rows = re.findall(r"<tr>(.*?)</tr>", part)[1:]
    cells = [re.findall(r"<td[^>]*>([^<]*)</td>", r) for r in rows]
    assert [c[:3] + c[5:8] for c in cells] == [
        ["B", "Cure", "deadline", "2027-01-10 16:00", "no", "1"],
        ["C", "Test", "FNLT", "2027-01-12 17:00", "yes", "0"]]


def test_a_file_s_reader_warnings_data_date_and_times(tmp_path):
    # encoding1251.xer (written on a Cyrillic machine: its names are cp1251 bytes): the data date (PROJECT last_recalc_date) is 2023-03-06 00:00; both activities started
    # "2023-03-06 08:00" with 40 of their 40 hours left on a calendar working 08:00-16:00 (8 h a day), Monday to
    # Friday: 5 working days from the data date, Monday 6 08:00 to Friday 10 16:00.
    source = Path(__file__).parent / "data" / "real" / "encoding1251.xer"
    with pytest.warns(pm.PmsimWarning) as said:  # still said, not only written
        out = write_report(source, tmp_path / "r.html", iterations=200, seed=1)
    topics = {str(w.message).split(": ")[1].split(" (")[0] for w in said}
    assert topics == {"material resources", "actual dates after the data date", "text in Windows-1251"}
    page = out.read_text(encoding="utf-8")
    assert sections(page)[0] == "reading" and sections(page)[-2:] == ["evm", "control"]
    reading = page[page.index('<section id="reading">'):page.index('<section id="project">')]
    assert "material resources (not modelled by pmsim)" in reading and "activity &#x27;A1000&#x27;" in reading
    assert card(page, "data date") == "2023-03-06 00:00"
    assert card(page, "CPM finish") == "2023-03-10 16:00"


def test_reader_notes_are_escaped():
    p = calendar_project()
    page = build_report(p, iterations=200, seed=1, source="<x>.xer", reader_notes=["task <b>A</b> & more"])
    assert "<li>task &lt;b&gt;A&lt;/b&gt; &amp; more</li>" in page and "<code>&lt;x&gt;.xer</code>" in page
    assert "<b>A</b>" not in page
