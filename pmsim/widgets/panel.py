"""The what-if panel: :class:`WhatIf`, move a lever and see the finish date, the cost and the odds.

The panel lays out the controls (:mod:`.controls`), runs each change through
Scenario.apply and simulate in the latest-wins worker (:mod:`.updates`), and
shows the headline numbers (:mod:`.view`) and the plots drawn by the drawing
processes (:mod:`.render_pool`).
"""

from __future__ import annotations

import datetime as dt
import html
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import ipywidgets as w
import pandas as pd

from .._seed import resolve_seed
from ..budget import budget_burn
from ..costs import project_budget
from ..errors import PmsimError, ValidationError
from ..io.csv_files import csv_text
from ..model import Project
from ..simulation import check_iterations, simulate
from ..progress_bars import WidgetProgress
from ..scenarios import Scenario, correlation_groups, headline
from . import render_pool
from .controls import control_tabs, default_values, make_controls, read_settings, task_estimates, three_points
from .updates import LatestWins, Superseded
from .view import CSS, HEADLINE_KEYS, download_link, headline_cards, scenarios_table

__all__ = ["WhatIf", "HEADLINE_KEYS"]

# The budget-burn bands come from the first iterations of the same run (random
# numbers are counter-based: a shorter run with the same seed draws the same
# first iterations). Regenerating every task's dates for 10,000 iterations
# would cost more than the rest of an update together.
BURN_ITERATIONS = 1024


@dataclass
class _Request:
    """What one update computes: a snapshot of the controls taken on the kernel's thread."""

    token: int
    settings: dict
    overrides: dict
    deadline: dt.date | None
    budget: float | None
    started: float = field(default_factory=time.perf_counter)


@dataclass
class _Result:
    token: int
    settings: dict
    overrides: dict
    headline: dict | None = None
    images: dict | None = None
    error: str | None = None
    seconds: float = 0.0


class WhatIf:
    """An interactive what-if dashboard over a project.

    Parameters
    ----------
    project : Project
    iterations : int
        Monte Carlo iterations per update (a control too).
    seed : int, numpy Generator or None
        The seed of every update (a control too; None draws one, as
        everywhere in pmsim): the same settings always
        give the same numbers, and a saved scenario swept in code with
        :func:`pmsim.compare` or :func:`pmsim.sweep` and the same seed gives
        the numbers the dashboard showed.
    debounce : float
        Seconds of quiet after a burst of changes before the update starts
        (a lone change starts at once); it runs in a worker thread, so the page
        never freezes, and a newer change supersedes it. ``0`` makes updates
        synchronous.
    plots : bool
        Draw the finish-date histogram and CDF, the tornado and the budget
        burn; ``False`` shows the headline numbers only (a lighter panel).

    Attributes
    ----------
    controls : dict
        Name -> widget: ``multiplier``, ``phase:<phase>``, ``capacity:<resource
        id>``, ``risk:<risk id>`` (on/off), ``probability:<risk id>``,
        ``correlation`` (rank correlation among the tasks of each phase),
        ``levelled``, ``iterations``, ``seed``, ``deadline``, ``budget``,
        ``task`` (which task to edit) and ``task:optimistic``,
        ``task:most_likely``, ``task:pessimistic`` (its three points).
    headline : dict
        The numbers shown: ``p50``, ``p80`` (dates), ``p_on_time``,
        ``p_on_budget``, ``jcl`` (shares, None without a deadline or
        budget) and ``expected_cost``.
    saved : dict
        Name -> :class:`pmsim.Scenario` of every saved scenario.
    error : str or None
        The message shown when the last edit made the project invalid.
    updates : int
        How many updates have been shown; ``last_seconds`` is how long the
        last one took, from the change to its numbers and plots, and
        ``numbers_seconds`` how long its numbers took when they were shown
        before the plots (debounced updates), else None.
    stale : bool
        Whether the numbers shown are older than the controls (while an
        update runs, or after an invalid edit).
    widget : ipywidgets.Box
        The panel itself (a notebook shows it when the object is displayed).

    Notes
    -----
    Each task override is a three-point estimate of the task's own family
    (Beta-PERT with its lambda, triangular or lognormal; other estimates
    become Beta-PERT), before any multiplier, which still applies.
    """

    def __init__(self, project: Project, iterations: int = 10_000, seed: int = 0, debounce: float = 0.15,
                 plots: bool = True):
        if not isinstance(project, Project):
            raise ValidationError(f"WhatIf needs a Project, got {type(project).__name__}")
        iterations = check_iterations(iterations)
        seed = resolve_seed(seed)
        if not (isinstance(debounce, (int, float)) and debounce >= 0):
            raise ValidationError(f"debounce must be a number of seconds >= 0, got {debounce!r}")
        self.project = project
        self._updates = LatestWins(float(debounce), snapshot=self._snapshot, compute=self._compute_in_worker,
                                   deliver=self._finish, failed=self._failed)
        self.plots = bool(plots)
        self.headline: dict = {}
        self.saved: dict[str, Scenario] = {}
        self.error: str | None = None
        self.stale = True
        self.last_seconds: float | None = None
        self.numbers_seconds: float | None = None
        self._early_token = None
        self.updates = 0
        self._saved_rows: dict[str, dict] = {}
        self._overrides: dict[str, tuple[float, float, float]] = {}
        self._shown: tuple | None = None  # (settings, overrides) of the numbers shown
        self._compute_lock = threading.Lock()  # one drawing at a time into this panel's figures
        self._holding = False
        self._initial_budget = project.budget if project.budget is not None else project_budget(project)
        self.controls = make_controls(project, int(iterations), int(seed), self._initial_budget)
        self._build_outputs()
        self.widget = self._layout()
        for name, control in self.controls.items():
            if name == "task":
                control.observe(self._on_task_selected, names="value")
            elif name.startswith("task:"):
                control.observe(self._on_three_points, names="value")
            else:
                control.observe(self._on_change, names="value")
        self.update()

    # ------------------------------------------------------------------ settings

    def settings(self) -> dict:
        """The current settings: what differs from the project, plus ``iterations`` and ``seed``.

        The keys are those of :meth:`pmsim.Scenario.settings` and of a
        :func:`pmsim.sweep` grid; a risk's on/off and probability merge into
        ``risk:<id>`` (``False`` when off, its probability when changed).
        Task overrides are not settings: see :meth:`scenario`.
        """
        return read_settings(self.project, self.controls)

    def scenario(self, name: str = "current") -> Scenario:
        """The current settings and task overrides as a :class:`pmsim.Scenario`.

        >>> import pmsim as pm
        >>> w = pm.widgets.WhatIf(pm.read_project(pm.data_path("textbook")), iterations=500, debounce=0, plots=False)
        >>> w.controls["multiplier"].value = 1.1
        >>> w.scenario("slower").settings()
        {'multiplier': 1.1}
        """
        return Scenario.from_settings(name, self.settings(), estimates=task_estimates(self.project, self._overrides))

    # ------------------------------------------------------------------ outputs

    def _build_outputs(self) -> None:
        self.cards: dict[str, w.HTML] = {}
        for key in HEADLINE_KEYS:
            card = w.HTML()
            card.add_class("pmsim-card")
            card.add_class(f"pmsim-{key.replace('_', '-')}")
            self.cards[key] = card
        self.error_box = w.HTML()
        self.error_box.add_class("pmsim-error-box")
        self.status = w.HTML()
        self.status.add_class("pmsim-status")
        self.progress = WidgetProgress("Simulating")
        self.progress.widget.layout = w.Layout(width="420px")
        self.images = {name: w.Image(format="png", layout=w.Layout(max_width="100%", height="auto"))
                       for name in ("histogram", "cdf", "tornado", "burn")}
        for name, image in self.images.items():
            image.add_class(f"pmsim-image-{name}")
        self.scenario_name = w.Text(value="", placeholder="scenario name", description="Name",
                                    style={"description_width": "50px"}, layout=w.Layout(width="260px"))
        self.save_button = w.Button(description="Save scenario", icon="save", button_style="primary")
        self.save_button.add_class("pmsim-save")
        self.save_button.on_click(lambda _: self._save_clicked())
        self.restore_choice = w.Dropdown(options=[], description="Saved", style={"description_width": "50px"},
                                         layout=w.Layout(width="260px"))
        self.restore_button = w.Button(description="Restore", icon="undo")
        self.restore_button.on_click(lambda _: self.restore_choice.value and self.restore_scenario(self.restore_choice.value))
        self.clear_task_button = w.Button(description="Reset this task", icon="eraser")
        self.clear_task_button.on_click(lambda _: self._reset_task())
        self.download = w.HTML()
        self.scenario_name.add_class("pmsim-scenario-name")
        self.table = w.HTML(layout=w.Layout(overflow="auto", max_width="460px"))
        self.table.add_class("pmsim-table")

    def _layout(self) -> w.Box:
        p = self.project
        tabs = control_tabs(p, self.controls, self.clear_task_button)
        cards = w.HBox(list(self.cards.values()), layout=w.Layout(flex_flow="row wrap"))
        self.cards_box = cards
        self.plots_box = w.Box([self.images[k] for k in ("histogram", "cdf", "tornado", "burn")],
                               layout=w.Layout(display="grid",
                                               grid_template_columns="repeat(auto-fill, minmax(480px, 1fr))"))
        self.results = w.VBox([cards, self.plots_box] if self.plots else [cards], layout=w.Layout(flex="1 1 500px"))
        scenarios = w.VBox([
            w.HTML("<b>Scenarios</b>"),
            w.HBox([self.scenario_name, self.save_button]),
            w.HBox([self.restore_choice, self.restore_button, self.download]),
            self.table,
        ])
        left = w.VBox([tabs, self.progress.widget, self.status, self.error_box, scenarios],
                      layout=w.Layout(width="470px"))
        title = w.HTML(f"<h3 style='margin:4px 0'>What if? {html.escape(p.name)}</h3>")
        root = w.VBox([w.HTML(CSS), title, w.HBox([left, self.results], layout=w.Layout(flex_flow="row wrap"))])
        root.add_class("pmsim-whatif")
        return root

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    # ------------------------------------------------------------------ events

    def _on_change(self, change) -> None:
        if not self._holding:
            self._request()

    def _on_task_selected(self, change) -> None:
        tid = change["new"]
        if tid is None:
            return
        values = self._overrides.get(tid) or three_points(self.project.task(tid).estimate)
        with self._hold():
            for key, value in zip(("optimistic", "most_likely", "pessimistic"), values):
                self.controls[f"task:{key}"].value = value

    def _on_three_points(self, change) -> None:
        if self._holding:
            return
        tid = self.controls["task"].value
        if tid is None:
            return
        values = tuple(float(self.controls[f"task:{k}"].value) for k in ("optimistic", "most_likely", "pessimistic"))
        if values == three_points(self.project.task(tid).estimate):
            self._overrides.pop(tid, None)
        else:
            self._overrides[tid] = values
        self._request()

    def _reset_task(self) -> None:
        tid = self.controls["task"].value
        if tid is None:
            return
        self._overrides.pop(tid, None)
        with self._hold():
            for key, value in zip(("optimistic", "most_likely", "pessimistic"),
                                  three_points(self.project.task(tid).estimate)):
                self.controls[f"task:{key}"].value = value
        self._request()

    @contextmanager
    def _hold(self):
        """Set several controls without an update for each."""
        before, self._holding = self._holding, True
        try:
            yield
        finally:
            self._holding = before

    # ------------------------------------------------------------------ updating

    @property
    def debounce(self) -> float:
        """Seconds of quiet after a burst of changes before an update starts; 0: synchronous."""
        return self._updates.debounce

    @debounce.setter
    def debounce(self, seconds: float) -> None:
        self._updates.debounce = seconds

    def _snapshot(self, token: int) -> _Request:
        c = self.controls
        return _Request(token=token, settings=self.settings(), overrides=dict(self._overrides),
                        deadline=c["deadline"].value, budget=c["budget"].value)

    def _request(self) -> None:
        """A control changed: update now (debounce 0), or soon in the worker thread."""
        token = self._updates.new()
        self._mark_stale(True)
        if self.debounce == 0:
            self._finish(self._compute(self._snapshot(token), render=True))
        else:
            self._updates.schedule(token)

    def _compute_in_worker(self, request: _Request, post) -> _Result:
        """Compute in the worker thread: the numbers go to the page as soon as they are known; the plots follow."""
        numbers = lambda early: post(self._show_numbers, early)  # noqa: E731
        image = lambda name, png: post(self._show_image, (request.token, name, png))  # noqa: E731
        return self._compute(request, render=True, on_numbers=numbers, on_image=image)

    def _failed(self, request: _Request, message: str) -> _Result:
        return _Result(request.token, request.settings, request.overrides, error=message)

    def _compute(self, request: _Request, render: bool, on_numbers=None, on_image=None) -> _Result:
        """Simulate the settings of ``request`` (and draw, with ``render``); errors become a message.

        ``on_numbers(result)`` is called with the headline numbers before the drawing starts,
        ``on_image(name, png)`` with each plot as soon as it is drawn.
        """
        if not render:
            return self._simulate(request, render, on_numbers, on_image)
        with self._compute_lock:
            return self._simulate(request, render, on_numbers, on_image)

    def _simulate(self, request: _Request, render: bool, on_numbers, on_image) -> _Result:
        result = _Result(request.token, request.settings, request.overrides)
        token = request.token
        try:
            scenario = Scenario.from_settings("current", request.settings,
                                              estimates=task_estimates(self.project, request.overrides))
            changed = scenario.apply(self.project)
            groups = correlation_groups(changed, scenario.correlation)
            levelled = bool(scenario.levelled)
            iterations, seed = request.settings["iterations"], request.settings["seed"]

            def report(done, total):
                if render:
                    self._updates.check(token)
                    self.progress(done, total)

            if render:
                self.progress.reset(iterations)
            sim = simulate(changed, iterations=iterations, seed=seed, correlation=groups, levelled=levelled,
                           callback=report)
            result.headline = headline(sim, request.deadline, request.budget)
            if on_numbers is not None and self.plots:
                on_numbers(_Result(token, request.settings, request.overrides, headline=result.headline,
                                   seconds=time.perf_counter() - request.started))
            if render and self.plots:
                self._updates.check(token)
                result.images = self._render(changed, sim, groups, levelled, request, on_image)
        except Superseded:
            raise
        except PmsimError as exc:
            result.error = str(exc)
        result.seconds = time.perf_counter() - request.started
        return result

    def _finish(self, result: _Result) -> None:
        """Show a result (on the kernel's thread when there is an event loop)."""
        if result.error is not None:
            self.error = result.error
            self.error_box.value = f"<div class='pmsim-error'>⚠ {html.escape(result.error)}</div>"
            self.status.value = "The numbers below are from the last valid settings."
            self._mark_stale(True)
            return
        self.error = None
        self.error_box.value = ""
        if result.images:
            # Images before numbers: unless the numbers went ahead (_show_numbers), a new P80
            # text in a browser then means the new plots are there too.
            for name, png in result.images.items():
                self.images[name].value = png
        self.headline = result.headline
        self._show_headline(result.headline, result.settings)
        self._shown = (result.settings, result.overrides)
        self.last_seconds = result.seconds
        if self._early_token != result.token:
            self.numbers_seconds = None
        self.updates += 1
        timing = (f"numbers in {self.numbers_seconds * 1000:,.0f} ms, plots in {result.seconds * 1000:,.0f} ms"
                  if self.numbers_seconds is not None else f"in {result.seconds * 1000:,.0f} ms")
        self.status.value = (f"Update {self.updates}: {result.settings['iterations']:,} iterations, seed "
                             f"{result.settings['seed']}, {timing}.")
        self._mark_stale(not self._updates.is_latest(result.token))

    def _show_numbers(self, result: _Result) -> None:
        """The headline numbers of an update whose plots are still being drawn."""
        if not self._updates.is_latest(result.token):
            return
        self.error = None
        self.error_box.value = ""
        self.headline = result.headline
        self._show_headline(result.headline, result.settings)
        self.numbers_seconds = result.seconds
        self._early_token = result.token
        self.cards_box.remove_class("pmsim-stale")

    def _show_image(self, item: tuple) -> None:
        """One plot of an update whose numbers are shown and whose other plots are still being drawn."""
        token, name, png = item
        if self._updates.is_latest(token) and self._early_token == token:
            self.images[name].value = png

    def _mark_stale(self, stale: bool) -> None:
        self.stale = stale
        for box in (self.cards_box, self.plots_box):
            if stale:
                box.add_class("pmsim-stale")
            else:
                box.remove_class("pmsim-stale")

    def _show_headline(self, numbers: dict, settings: dict) -> None:
        deadline = settings.get("deadline", self.project.deadline)
        budget = settings.get("budget", self._initial_budget)
        for key, card in headline_cards(numbers, deadline, budget, self.project.currency).items():
            self.cards[key].value = card

    def _render(self, project: Project, sim, groups, levelled: bool, request: _Request, on_image=None) -> dict:
        """Draw the four figures; each goes to a drawing process as soon as its data is ready.

        ``on_image(name, png)`` receives each figure as soon as it is back.
        """
        renderer = render_pool.RENDERER
        deadline = request.deadline if request.deadline is not None else False
        sim.finish_dates  # computed once here rather than in every drawing process
        layout = (project.name, deadline is False)  # what the layout of a figure depends on, besides its kind
        jobs = {"histogram": renderer.submit("histogram", sim=sim, deadline=deadline, layout=layout),
                "cdf": renderer.submit("cdf", sim=sim, deadline=deadline, layout=layout)}
        self._updates.check(request.token)
        sim.sensitivity
        jobs["tornado"] = renderer.submit("tornado", sim=sim, layout=layout)
        self._updates.check(request.token)
        detail = sim if sim.iterations <= BURN_ITERATIONS else simulate(
            project, iterations=BURN_ITERATIONS, seed=request.settings["seed"], correlation=groups, levelled=levelled)
        try:
            burn = budget_burn(project, detail, freq="W")
            title = f"{project.name}: budget burn" + (
                f", bands from the first {detail.iterations:,} iterations" if detail is not sim else "")
            jobs["burn"] = renderer.submit("burn", burn=burn, budget=request.budget, title=title,
                                           layout=(project.name, title))
        except PmsimError as exc:
            jobs["burn"] = renderer.submit("message", text=f"No budget burn: {exc}")
        try:
            check = lambda: self._updates.check(request.token)  # noqa: E731
            images = {}
            for name, job in jobs.items():
                images[name] = renderer.result(job, check=check)
                if on_image is not None:
                    on_image(name, images[name])
            return images
        except Superseded:
            for job in jobs.values():
                job.cancel()  # those not started yet; the others finish, unseen
            raise

    def update(self) -> dict:
        """Recompute now, in this thread, whatever the debounce; returns the headline numbers.

        After an invalid edit the error is shown (see ``error``) and the last
        valid numbers are returned.
        """
        token = self._updates.new()
        self._finish(self._compute(self._snapshot(token), render=True))
        return self.headline

    @property
    def pending(self) -> bool:
        """Whether an update is waiting for its debounce or running."""
        return self._updates.pending

    def wait(self, timeout: float = 60.0) -> bool:
        """Block until no update is pending; True if none is left.

        For scripts and tests with ``debounce > 0`` and no event loop in this
        thread (inside a Jupyter kernel the update is delivered on the kernel's
        event loop, which this call would block).
        """
        return self._updates.wait(timeout)

    # ------------------------------------------------------------------ scenarios

    def _save_clicked(self) -> None:
        name = self.scenario_name.value.strip() or None
        self.save_scenario(name)
        self.scenario_name.value = ""

    def save_scenario(self, name: str | None = None) -> Scenario:
        """Store the current settings and their headline numbers as a named scenario.

        Returns the :class:`pmsim.Scenario` (also in ``saved[name]``); a
        scenario saved under an existing name replaces it. When the numbers
        shown are not those of the current settings (an update is pending or
        the last edit was invalid) they are computed first; an invalid
        project cannot be saved (``ValidationError``).

        >>> import pmsim as pm
        >>> w = pm.widgets.WhatIf(pm.read_project(pm.data_path("textbook")), iterations=500, debounce=0, plots=False)
        >>> w.save_scenario("plan").name, list(w.scenarios.index)
        ('plan', ['plan'])
        """
        name = str(name) if name else f"scenario {len(self.saved) + 1}"
        settings, overrides = self.settings(), dict(self._overrides)
        numbers = self.headline
        if self._shown != (settings, overrides) or self.error is not None:
            result = self._compute(_Request(0, settings, overrides, self.controls["deadline"].value,
                                            self.controls["budget"].value), render=False)
            if result.error is not None:
                raise ValidationError(f"cannot save scenario {name!r}: {result.error}")
            numbers = result.headline
        scenario = Scenario.from_settings(name, settings, estimates=task_estimates(self.project, overrides))
        self.saved[name] = scenario
        self._saved_rows[name] = {
            **{k: v for k, v in settings.items()},
            "overrides": "; ".join(f"{tid} {o:g}/{m:g}/{p:g}" for tid, (o, m, p) in overrides.items()),
            "_overrides": overrides,
            **{k: numbers[k] for k in HEADLINE_KEYS},
        }
        self._show_scenarios()
        return scenario

    @property
    def scenarios(self) -> pd.DataFrame:
        """The saved scenarios, one row each: their settings, ``iterations``, ``seed``,
        ``overrides`` (task estimates edited, ``id o/m/p``) and the headline numbers."""
        rows = {name: {k: v for k, v in row.items() if not k.startswith("_")} for name, row in self._saved_rows.items()}
        frame = pd.DataFrame.from_dict(rows, orient="index")
        if frame.empty:
            frame = pd.DataFrame(columns=["iterations", "seed", "overrides", *HEADLINE_KEYS])
        front = [c for c in frame.columns if c not in ("iterations", "seed", "overrides", *HEADLINE_KEYS)]
        frame = frame[front + ["iterations", "seed", "overrides", *HEADLINE_KEYS]]
        frame.index.name = "scenario"
        return frame

    def export_scenarios(self, path) -> Path:
        """Write :attr:`scenarios` to a CSV file; returns its path.

        Text that a spreadsheet would run as a formula (a scenario named ``=HYPERLINK(...)``) is
        written with a leading ``'`` (:func:`pmsim.io.csv_files.csv_text`).
        """
        path = Path(path)
        path.write_text(csv_text(self.scenarios, index=True), encoding="utf-8", newline="")
        return path

    def _show_scenarios(self) -> None:
        table = self.scenarios
        self.restore_choice.options = list(table.index)
        if len(table):
            self.restore_choice.value = table.index[-1]
        self.table.value = scenarios_table(table, self.project.currency)
        self.download.value = download_link(table)

    def restore_scenario(self, name: str) -> None:
        """Set every control back to a saved scenario (and update once)."""
        if name not in self.saved:
            raise ValidationError(f"no saved scenario {name!r}; saved: {', '.join(self.saved) or 'none'}")
        row = self._saved_rows[name]
        values = default_values(self.project, self._initial_budget)
        settings = self.saved[name].settings()
        for key, value in settings.items():
            if key.startswith("risk:"):
                rid = key.partition(":")[2]
                if value is False:
                    values[key] = False
                else:
                    values[key] = True
                    values[f"probability:{rid}"] = value
            else:
                values[key] = value
        values["iterations"], values["seed"] = row["iterations"], row["seed"]
        with self._hold():
            for key, value in values.items():
                self.controls[key].value = value
            self._overrides = dict(row["_overrides"])
            tid = self.controls["task"].value
            if tid is not None:
                for key, value in zip(("optimistic", "most_likely", "pessimistic"),
                                      self._overrides.get(tid) or three_points(self.project.task(tid).estimate)):
                    self.controls[f"task:{key}"].value = value
        self._request()

    def close(self) -> None:
        """Close every widget of the panel."""
        def close(widget):
            for child in getattr(widget, "children", ()):
                close(child)
            widget.close()

        close(self.widget)
