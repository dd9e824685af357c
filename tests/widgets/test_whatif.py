"""The what-if dashboard, driven programmatically (debounce=0 gives synchronous updates)."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import io
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pandas as pd
import pytest

import pmsim as pm
from pmsim import widgets
from pmsim.widgets import render_pool

ITERATIONS = 2000  # plenty for the orderings checked here, and quick
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def erp():
    return pm.read_project(pm.data_path("erp_upgrade"))


@pytest.fixture
def dash(erp):
    """A dashboard without plots: the numbers and the controls (drawing is tested on its own)."""
    w = widgets.WhatIf(erp, iterations=ITERATIONS, seed=3, debounce=0, plots=False)
    yield w
    w.close()


@pytest.fixture(scope="module")
def drawn(erp):
    """A dashboard that draws its plots."""
    w = widgets.WhatIf(erp, iterations=ITERATIONS, seed=3, debounce=0)
    yield w
    w.close()


def test_controls_have_the_design_names(erp, dash):
    names = set(dash.controls)
    expected = {"multiplier", "correlation", "levelled", "iterations", "seed", "deadline", "budget", "escalation",
                "task", "task:optimistic", "task:most_likely", "task:pessimistic"}
    expected |= {f"phase:{ph}" for ph in erp.phases}
    expected |= {f"capacity:{r.id}" for r in erp.resources}
    expected |= {f"risk:{r.id}" for r in erp.risks} | {f"probability:{r.id}" for r in erp.risks}
    assert names == expected
    assert dash.controls["deadline"].value == erp.deadline.isoformat()  # typed as YYYY-MM-DD
    assert dash.controls["deadline"].date == erp.deadline
    assert dash.controls["budget"].number == erp.budget
    # Counts and amounts read as a PM writes them: the ERP budget 1,410,000 EUR, 2,000 runs.
    assert dash.controls["budget"].value == "1,410,000" and dash.controls["iterations"].value == "2,000"
    assert dash.controls["capacity:dev"].value == 4.0
    assert set(dash.headline) == {"p50", "p80", "p_on_time", "p_on_budget", "jcl", "expected_cost"}
    assert isinstance(dash.headline["p80"], dt.date)
    assert dash.error is None and not dash.stale


def _html_in(widget):
    """Every HTML text of a widget tree."""
    if hasattr(widget, "value") and isinstance(widget.value, str):
        yield widget.value
    for child in getattr(widget, "children", ()):
        yield from _html_in(child)


def test_a_project_without_phases_resources_or_risks():
    p = pm.read_project(pm.data_path("textbook"))
    w = widgets.WhatIf(p, iterations=500, debounce=0)
    assert not any(k.startswith(("phase:", "capacity:", "risk:")) for k in w.controls)
    assert w.error is None and w.headline["p80"] == pm.simulate(p, iterations=500, seed=0).percentile(80)
    assert all(bytes(image.value).startswith(PNG) for image in w.images.values())
    assert any("This project has no resources" in text for text in _html_in(w.widget))
    w.close()


def test_the_headline_is_that_of_a_simulation_with_the_same_seed(erp, dash):
    sim = pm.simulate(erp, iterations=ITERATIONS, seed=3)
    assert dash.headline["p80"] == sim.percentile(80)
    assert dash.headline["p50"] == sim.percentile(50)
    assert dash.headline["p_on_time"] == sim.probability_by(erp.deadline)
    assert dash.headline["p_on_budget"] == sim.probability_within(erp.budget)
    assert dash.headline["expected_cost"] == pytest.approx(float(np.mean(sim.cost)), rel=1e-12)
    assert "pmsim-value" in dash.cards["p80"].value and sim.percentile(80).isoformat() in dash.cards["p80"].value


def test_raising_the_multiplier_moves_p80_later_and_redraws(drawn):
    before = dict(drawn.headline)
    images = {k: bytes(v.value) for k, v in drawn.images.items()}
    assert set(images) == {"histogram", "cdf", "tornado", "burn", "gantt"}
    assert all(png.startswith(PNG) for png in images.values())
    drawn.controls["multiplier"].value = 1.3
    assert drawn.headline["p80"] > before["p80"]
    assert drawn.headline["p50"] > before["p50"]
    assert drawn.headline["expected_cost"] > before["expected_cost"]
    assert drawn.headline["p_on_time"] < before["p_on_time"]
    for name, image in drawn.images.items():
        assert bytes(image.value).startswith(PNG) and bytes(image.value) != images[name], name
    assert drawn.settings()["multiplier"] == 1.3
    drawn.controls["multiplier"].value = 1.0
    assert drawn.headline == before


def test_phase_risk_and_deadline_controls_change_the_numbers(erp, dash):
    base = dict(dash.headline)
    dash.controls["phase:Build"].value = 1.5
    assert dash.headline["p80"] > base["p80"]
    dash.controls["phase:Build"].value = 1.0
    assert dash.headline == base
    for risk in erp.risks:  # all risks off: cheaper and no later
        dash.controls[f"risk:{risk.id}"].value = False
    assert dash.headline["expected_cost"] < base["expected_cost"]
    assert dash.headline["p80"] <= base["p80"]
    dash.controls["deadline"].value = base["p80"]
    assert dash.settings()["deadline"] == base["p80"]


@pytest.mark.parametrize(
    "setup, edit, field, message, fix",
    [
        # optimistic above most likely on the selected task: refused by the panel, named by the field's label
        ({}, {"task:optimistic": 50.0}, "task:optimistic", "Task 'IN01': Optimistic (50) is above Most likely (4).",
         {"task:optimistic": 3.0}),
        # most likely above pessimistic
        ({}, {"task:most_likely": 9.0}, "task:most_likely", "Task 'IN01': Most likely (9) is above Pessimistic (6).",
         {"task:most_likely": 4.0}),
        # an estimate that is not a number
        ({}, {"task:pessimistic": float("nan")}, "task:pessimistic",
         "Task 'IN01': Pessimistic must be a number of days of 0 or more, got nan.", {"task:pessimistic": 6.0}),
        # levelling on, and a capacity below what a task demands: the engine's message, on the field just edited
        ({"levelled": True}, {"capacity:dev": 1.0}, "capacity:dev",
         "Task 'AD04' demands 2 units of resource 'dev', more than its capacity 1", {"capacity:dev": 4.0}),
        # runs out of range: refused, not clamped
        ({}, {"iterations": 0}, "iterations", "0 is refused: the number of runs is between 100 and 10,000,000.",
         {"iterations": ITERATIONS}),
        ({}, {"seed": -1}, "seed", "-1 is refused: a seed is a whole number of 0 or more.", {"seed": 3}),
        ({}, {"budget": -5.0}, "budget", "-5 is refused: a budget is an amount of 0 or more.",
         {"budget": 1_410_000.0}),
        # text that is no number, or a decimal comma where thousands are separated by commas
        ({}, {"budget": "1.6 million"}, "budget", "'1.6 million' is not a number; write it like 1,600,000.",
         {"budget": "1,410,000"}),
        ({}, {"budget": "1,5"}, "budget", "'1,5' is not a number; write it like 1,600,000.", {"budget": 1_410_000}),
        # runs are a count
        ({}, {"iterations": "2,000.5"}, "iterations", "'2,000.5' is not a whole number; write it like 10,000.",
         {"iterations": "2000"}),
        # a date in another format than the page's
        ({}, {"deadline": "11/30/2027"}, "deadline",
         "'11/30/2027' is not a date; write it as YYYY-MM-DD, e.g. 2027-11-30.", {"deadline": "2027-09-17"}),
    ],
)
def test_a_refused_edit_names_its_field_and_keeps_the_last_numbers(erp, dash, setup, edit, field, message, fix):
    from pmsim.widgets.controls import label

    for name, value in setup.items():
        dash.controls[name].value = value
    good = dict(dash.headline)
    for name, value in edit.items():
        dash.controls[name].value = value  # no exception escapes
    assert dash.error is not None and dash.error.startswith(message)
    assert dash.error_field == field
    assert f"<b>{html.escape(label(erp, field))}</b>: {html.escape(message)}" in dash.error_box.value
    assert "dimmed" in dash.error_box.value and "below" not in dash.error_box.value
    assert "pmsim-invalid" in dash.controls[field]._dom_classes
    assert "pmsim-error" in dash.error_box.value and "Traceback" not in dash.error_box.value
    assert dash.stale and "pmsim-stale" in dash.cards_box._dom_classes
    assert dash.headline == good
    for name, value in fix.items():
        dash.controls[name].value = value
    assert dash.error is None and dash.error_box.value == "" and not dash.stale
    assert "pmsim-invalid" not in dash.controls[field]._dom_classes
    assert dash.headline == good


def test_budget_and_runs_take_thousands_separators_and_show_them(erp, dash):
    # Typed with separators, or without (then shown with them); the same settings either way.
    dash.controls["budget"].value = "1,600,000"
    dash.controls["iterations"].value = "3000"
    assert dash.controls["iterations"].value == "3,000" and dash.controls["budget"].value == "1,600,000"
    settings = dash.settings()
    assert settings["budget"] == 1_600_000.0 and settings["iterations"] == 3000
    assert dash.error is None and "Updated: 3,000 runs" in dash.status.value
    dash.controls["budget"].value = " 1 450 000.50 "  # spaces between thousands, cents
    assert dash.controls["budget"].value == "1,450,000.5" and dash.settings()["budget"] == 1_450_000.5
    # A number set from code (a restored scenario, numpy's integers too) is shown the same way.
    dash.controls["iterations"].value = np.int64(12_000)
    assert dash.controls["iterations"].value == "12,000" and dash.settings()["iterations"] == 12_000


def test_a_task_override_applies_to_that_task_only(erp, dash):
    base = dict(dash.headline)
    dash.controls["task"].value = "IF02"  # the most sensitive task of this project, triangular 10/15/25
    assert [dash.controls[f"task:{k}"].value for k in ("optimistic", "most_likely", "pessimistic")] == [10, 15, 25]
    dash.controls["task:most_likely"].value = 24.0
    assert dash.headline["p80"] > base["p80"]
    scenario = dash.scenario("x")
    assert dict(scenario.estimates) == {"IF02": pm.Triangular(10, 24, 25)}
    dash.controls["task"].value = "IN01"  # choosing another task shows its own estimate
    assert dash.controls["task:most_likely"].value == 4.0
    dash.controls["task"].value = "IF02"
    assert dash.controls["task:most_likely"].value == 24.0
    dash.clear_task_button.click()
    assert dash.headline == base and dict(dash.scenario().estimates) == {}


def test_save_restore_and_export_scenarios(erp, dash, tmp_path):
    plan = dash.save_scenario("plan")
    assert plan.settings() == {}
    dash.controls["multiplier"].value = 1.2
    dash.controls["capacity:dev"].value = 2.0
    dash.controls["risk:R02"].value = False
    dash.controls["probability:R04"].value = 0.7
    dash.controls["task"].value = "BD04"
    dash.controls["task:pessimistic"].value = 60.0
    dash.controls["seed"].value = 11
    slow_numbers = dict(dash.headline)
    dash.scenario_name.value = "slow"
    dash.save_button.click()
    assert dash.scenario_name.value == ""
    assert list(dash.saved) == ["plan", "slow"] and isinstance(dash.saved["slow"], pm.Scenario)
    assert dash.saved["slow"].settings() == {"multiplier": 1.2, "capacity:dev": 2.0, "risk:R02": False,
                                             "risk:R04": 0.7}
    table = dash.scenarios
    assert list(table.index) == ["plan", "slow"]
    assert table.loc["slow", "p80"] == slow_numbers["p80"] and table.loc["slow", "seed"] == 11
    assert table.loc["slow", "overrides"] == "BD04 10/15/60"
    assert table.loc["plan", "p80"] < table.loc["slow", "p80"]

    dash.restore_scenario("plan")
    assert dash.settings() == {"iterations": ITERATIONS, "seed": 3}
    assert dash.controls["capacity:dev"].value == 4.0 and dash.controls["risk:R02"].value
    assert dash.headline["p80"] == table.loc["plan", "p80"]
    dash.restore_scenario("slow")
    assert dash.settings() == {**dash.saved["slow"].settings(), "iterations": ITERATIONS, "seed": 11}
    assert dash.controls["task:pessimistic"].value == 60.0
    assert dash.headline == slow_numbers

    raw = pd.read_csv(dash.export_scenarios(tmp_path / "raw.csv", raw=True), index_col="scenario")
    assert list(raw.index) == ["plan", "slow"]
    assert raw.loc["slow", "p80"] == slow_numbers["p80"].isoformat()
    assert raw.loc["slow", "capacity:dev"] == 2.0
    assert raw.loc["slow", "expected_cost"] == pytest.approx(slow_numbers["expected_cost"], rel=1e-12)

    # For people: the plan first, dates, whole money, shares, and each number against the plan with the
    # same runs and seed ("slow" uses seed 11: its plan is the project as it is, simulated with seed 11).
    people = pd.read_csv(dash.export_scenarios(tmp_path / "scenarios.csv"), index_col="Scenario")
    assert list(people.index) == ["Plan (as in the file)", "plan", "slow"]
    plan11 = pm.simulate(erp, iterations=ITERATIONS, seed=11)
    slow = people.loc["slow"]
    assert slow["P80 finish"] == slow_numbers["p80"].isoformat()
    assert slow["P80 finish vs plan (days)"] == (slow_numbers["p80"] - plan11.percentile(80)).days
    assert slow["Expected cost (EUR)"] == round(slow_numbers["expected_cost"])
    assert slow["Expected cost vs plan (EUR)"] == round(slow_numbers["expected_cost"] - float(np.mean(plan11.cost)))
    assert slow["P(on time)"] == f"{slow_numbers['p_on_time']:.0%}"
    assert slow["Changes"] == ("All estimates ×1.2; Capacity of ERP developer 2 (plan 4); Risk R02 off; "
                               "Risk R04 probability 70 % (plan 35 %); Task BD04 10/15/60 days")
    assert (slow["Runs"], slow["Seed"]) == (ITERATIONS, 11)
    assert people.loc["plan", "P80 finish vs plan (days)"] == 0 and people.loc["plan", "Changes"] == "none"
    assert "scenarios.csv" in dash.download.value and "scenarios_raw.csv" in dash.download.value

    # The table on the page: the plan's row, then one per scenario, each with Restore, the saved ones with Delete.
    assert len(dash.parts.table.widget.children) == 1 + 3
    dash.parts.table.buttons[("delete", "plan")].click()
    assert list(dash.saved) == ["slow"] and len(dash.parts.table.widget.children) == 1 + 2
    dash.parts.table.buttons[("restore", None)].click()  # the plan's row
    assert dash.settings() == {"iterations": ITERATIONS, "seed": 11}
    with pytest.raises(pm.ValidationError, match="no saved scenario 'nope'; saved: slow"):
        dash.restore_scenario("nope")
    with pytest.raises(pm.ValidationError, match="no saved scenario 'plan'; saved: slow"):
        dash.delete_scenario("plan")


def test_a_saved_scenario_sweeps_in_code_to_the_same_numbers(erp, dash):
    dash.save_scenario("plan")
    dash.controls["multiplier"].value = 1.15
    dash.controls["capacity:erp"].value = 2.0
    dash.controls["levelled"].value = True
    dash.controls["risk:R03"].value = False
    dash.controls["correlation"].value = 0.3
    dash.controls["deadline"].value = dt.date(2027, 10, 29)
    dash.controls["budget"].value = 1_500_000.0
    dash.save_scenario("stretched")
    table = dash.scenarios
    compared = pm.compare(erp, dash.saved.values(), iterations=ITERATIONS, seed=3)
    for key in ("p50", "p80", "p_on_time", "p_on_budget", "jcl"):
        assert compared[key].tolist() == table[key].tolist(), key
    assert compared["expected_cost"].to_numpy() == pytest.approx(table["expected_cost"].to_numpy(float), rel=1e-12)
    swept = pm.sweep(erp, {"multiplier": [1.0, 1.15]}, iterations=ITERATIONS, seed=3)
    assert swept.loc[0, "p80"] == table.loc["plan", "p80"]
    dash.restore_scenario("plan")
    dash.controls["multiplier"].value = 1.15
    assert dash.headline["p80"] == swept.loc[1, "p80"]


def test_saving_while_the_numbers_are_stale_computes_them(erp, dash):
    dash.controls["task:optimistic"].value = 99.0  # invalid: the shown numbers are stale
    with pytest.raises(pm.ValidationError, match=r"cannot save scenario 'bad': Task 'IN01': Optimistic \(99\) is above"):
        dash.save_scenario("bad")
    dash.controls["task:optimistic"].value = 3.0
    dash._shown = None  # as if an update were still pending
    dash.save_scenario("again")
    assert dash.scenarios.loc["again", "p80"] == dash.headline["p80"]


def test_the_progress_bar_shows_only_while_an_update_runs(dash):
    assert (dash.progress.widget.value, dash.progress.widget.max) == (ITERATIONS, ITERATIONS)
    shown = []
    dash.progress.widget.layout.observe(lambda change: shown.append(change["new"]), "display")
    dash.controls["iterations"].value = 3000
    bar = dash.progress.widget
    assert (bar.value, bar.max, bar.bar_style) == (3000, 3000, "success")
    assert bar.description == "Simulating 100 %"
    assert shown == [None, "none"]  # shown while the update ran, hidden after
    assert dash.status.layout.display is None
    # What the numbers are, for a user; the timings only in the tooltip.
    assert "Updated: 3,000 runs, seed 3." in dash.status.value
    assert " ms" not in dash.status.value.split(">", 1)[1] and "title='update in " in dash.status.value


def test_debounced_updates_run_in_a_worker_and_the_last_change_wins(erp):
    w = widgets.WhatIf(erp, iterations=ITERATIONS, seed=3, debounce=0.05, plots=False)
    first = w.headline["p80"]
    for value in (1.1, 1.2, 1.3, 1.4):
        w.controls["multiplier"].value = value
    assert w.stale and w.pending
    assert w.wait(120)
    assert not w.stale and w.error is None and w.updates == 2  # the first, and the last of the burst
    w.controls["multiplier"].value = 1.0
    assert w.wait(120)
    assert w.headline["p80"] == first
    w.controls["multiplier"].value = 1.4
    assert w.wait(120)
    direct = widgets.WhatIf(erp, iterations=ITERATIONS, seed=3, debounce=0, plots=False)
    direct.controls["multiplier"].value = 1.4
    assert w.headline == direct.headline
    w.close()
    direct.close()


def test_debounced_updates_show_the_numbers_then_each_plot_as_it_is_drawn(erp):
    w = widgets.WhatIf(erp, iterations=ITERATIONS, seed=3, debounce=0.01)
    assert w.wait(120)
    seen = []  # (what changed, updates finished at that moment)
    w.cards["p80"].observe(lambda change: seen.append(("p80", w.updates)), "value")
    for name, image in w.images.items():
        image.observe(lambda change, name=name: seen.append((name, w.updates)), "value")
    before = w.updates
    w.controls["multiplier"].value = 1.3
    assert w.wait(120) and w.updates == before + 1 and w.error is None
    # The new P80 first, then the five plots in the order they were asked for, each before the update ended.
    assert seen[:6] == [("p80", before), ("histogram", before), ("cdf", before), ("tornado", before),
                        ("burn", before), ("gantt", before)]
    assert ("p80", before + 1) not in seen  # the final result changed nothing more on the page
    w.close()


def test_a_newer_change_supersedes_a_running_simulation(erp):
    w = widgets.WhatIf(erp, iterations=ITERATIONS, seed=3, debounce=0.01, plots=False)
    w.controls["iterations"].value = 300_000  # several batches: the run can be stopped between two
    deadline = time.monotonic() + 120
    while w.progress.widget.max != 300_000 and time.monotonic() < deadline:
        time.sleep(0.005)
    w.controls["multiplier"].value = 1.2
    assert w.wait(300)
    assert w.updates == 2  # the first, and the last: the long run was never shown
    assert w._shown[0]["multiplier"] == 1.2 and w._shown[0]["iterations"] == 300_000
    assert w.error is None and not w.stale
    w.close()


def test_a_newer_change_supersedes_an_update_whose_plots_are_being_drawn(erp):
    w = widgets.WhatIf(erp, iterations=ITERATIONS, seed=3, debounce=0.01)
    first = {k: bytes(v.value) for k, v in w.images.items()}
    w.controls["multiplier"].value = 1.1
    deadline = time.monotonic() + 120
    while w.numbers_seconds is None and time.monotonic() < deadline:  # numbers shown, plots on their way
        time.sleep(0.002)
    w.controls["multiplier"].value = 1.2
    assert w.wait(300)
    assert w._shown[0]["multiplier"] == 1.2 and w.error is None and not w.stale
    assert w.updates in (2, 3)  # the 1.1 plots may have been done before the second change
    direct = widgets.WhatIf(erp, iterations=ITERATIONS, seed=3, debounce=0)
    direct.controls["multiplier"].value = 1.2
    assert w.headline == direct.headline
    # (not byte for byte: a figure's layout is remembered from the first one drawn, which differs)
    assert all(bytes(w.images[k].value) != first[k] for k in first)
    w.close()
    direct.close()


def test_inside_an_event_loop_results_are_applied_on_the_loop_thread(erp):
    async def scenario():
        w = widgets.WhatIf(erp, iterations=ITERATIONS, seed=3, debounce=0.02)
        threads = []
        w.cards["p80"].observe(lambda change: threads.append(threading.current_thread()), names="value")
        w.controls["multiplier"].value = 1.25
        for _ in range(12000):
            if not w.pending:
                break
            await asyncio.sleep(0.01)
        return w, threads

    w, threads = asyncio.run(scenario())
    assert not w.pending and w.error is None
    assert threads == [threading.main_thread()]
    w.close()


def test_bad_arguments_raise_pmsim_errors(erp):
    with pytest.raises(pm.ValidationError, match="WhatIf needs a Project, got str"):
        widgets.WhatIf("data/erp_upgrade")
    with pytest.raises(pm.ValidationError, match="iterations must be a positive integer, got 0"):
        widgets.WhatIf(erp, iterations=0)
    with pytest.raises(pm.ValidationError, match="debounce must be a number of seconds >= 0, got -1"):
        widgets.WhatIf(erp, debounce=-1)


def test_drawing_processes_give_the_same_images_as_drawing_here(erp):
    sim = pm.simulate(erp, iterations=ITERATIONS, seed=3)
    sim.sensitivity
    renderer = render_pool.Renderer()
    renderer._start()
    assert renderer._pools
    try:
        for f in renderer._ready:
            f.result(timeout=120)
        assert renderer.ready
        key = f"{__name__}: a layout drawn nowhere before"  # both drawn with a fresh constrained layout
        here = render_pool._draw("tornado", {"sim": sim, "layout": key})
        there = renderer.result(renderer.submit("tornado", sim=sim, layout=key))
        assert there.startswith(PNG) and there == here
        # Each kind of figure is drawn by one process, where its figure and text cache stay warm.
        kinds = ("histogram", "cdf", "tornado")
        for _ in range(2):
            for kind in kinds:
                renderer.result(renderer.submit(kind, sim=sim, deadline=False, layout=key))
        drawn = [set(pool.submit(render_pool._layouts).result(60)) for pool in renderer._pools]
        for kind in kinds:
            assert sum(any(k[:2] == (kind, key) for k in keys) for keys in drawn) == 1
    finally:
        renderer.shutdown()


def _image(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


@pytest.mark.parametrize("kind", ["histogram", "cdf", "tornado", "burn"])
def test_a_figure_drawn_again_into_its_axes_looks_like_one_drawn_afresh(erp, kind):
    """The dashboard redraws into the axes of the last figure of that kind: nothing of the old one stays."""
    def args(seed, multiplier):
        project = pm.Scenario("x", multiplier=multiplier).apply(erp)
        sim = pm.simulate(project, iterations=ITERATIONS, seed=seed)
        if kind == "burn":
            return {"burn": pm.budget_burn(project, sim, freq="W"), "budget": erp.budget, "title": "burn",
                    "layout": kind}
        sim.sensitivity
        return {"sim": sim, "deadline": False, "layout": kind} if kind != "tornado" else {"sim": sim, "layout": kind}

    first, second = args(1, 1.0), args(2, 1.4)  # a later finish, other bars, other tick labels
    saved = getattr(render_pool._FIGURES, "state", None)
    try:
        render_pool._FIGURES.state = None
        render_pool._draw(kind, second)  # finds the layout
        render_pool._draw(kind, first)  # the kind's own figure, placed by that layout
        layouts = dict(render_pool._FIGURES.state["layouts"])
        again = render_pool._draw(kind, second)  # wiped and drawn again
        render_pool._FIGURES.state["plain"].clear()
        afresh = render_pool._draw(kind, second)  # a new figure, same layout
        assert render_pool._FIGURES.state["layouts"] == layouts  # no layout ran in between
    finally:
        render_pool._FIGURES.state = saved
    assert again.startswith(PNG)
    assert np.abs(_image(again) - _image(afresh)).max() <= 2
    assert np.abs(_image(again) - _image(render_pool._draw(kind, first))).max() > 100  # the second plot differs


def test_drawing_processes_end_with_their_parent(tmp_path):
    """A kernel killed outright (SIGKILL) must not leave its drawing processes behind."""
    script = tmp_path / "parent.py"
    script.write_text(
        "import os, sys, time\n"
        "from pmsim.widgets import render_pool\n"
        "render_pool.RENDERER._start()\n"
        "[f.result(300) for f in render_pool.RENDERER._ready]\n"
        "print(' '.join(str(pid) for pid in render_pool.RENDERER.pids()), flush=True)\n"
        "time.sleep(600)\n"
    )
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        children = [int(pid) for pid in parent.stdout.readline().split()]
        assert len(children) >= 2
        parent.kill()
        parent.wait(30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(os.path.exists(f"/proc/{pid}") for pid in children):
            time.sleep(0.2)
        assert not [pid for pid in children if os.path.exists(f"/proc/{pid}")]
    finally:
        parent.kill()
