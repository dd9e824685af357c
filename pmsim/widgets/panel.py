"""The what-if panel: :class:`WhatIf`, move a lever and see the finish date, the cost and the odds.

The panel reads its controls (:mod:`.controls`), runs each change through
Scenario.apply and simulate in the latest-wins worker (:mod:`.updates`), and
shows the headline numbers (:mod:`.view`), the plots drawn by the drawing
processes (:mod:`.render_pool`, :mod:`.figures`) and the saved scenarios
(:mod:`.scenario_table`) in the page laid out by :mod:`.layout`.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .._seed import resolve_seed
from ..attribution import explain
from ..costs import project_budget
from ..errors import PmsimError, ValidationError
from ..model import Project
from ..scenarios import Scenario, correlation_groups, headline
from ..simulation import check_iterations, simulate
from . import render_pool
from .figure_jobs import draw_figures
from .controls import ITERATIONS, FieldError, default_values, label, make_controls, read_settings, task_estimates
from .layout import Parts, arrange
from . import resync
from .offline_grid import OfflineGrid
from .task_editor import TaskEditor
from .scenario_table import SavedScenarios, csv_text, download_links, people_frame
from .updates import LatestWins, Superseded
from .why import WhyView
from .view import HEADLINE_KEYS, error_html, headline_cards, status_html

__all__ = ["WhatIf", "HEADLINE_KEYS"]


@dataclass
class _Request:
    """What one update computes: a snapshot of the controls taken on the kernel's thread."""

    token: int
    settings: dict | None
    overrides: dict
    deadline: dt.date | None
    budget: float | None
    refused: FieldError | None = None  # a value the panel refuses: nothing to compute
    edited: str | None = None  # the control whose change asked for this update
    started: float = field(default_factory=time.perf_counter)


@dataclass
class _Result:
    token: int
    settings: dict | None
    overrides: dict
    headline: dict | None = None
    plan: dict | None = None  # the plan's headline numbers with the same iterations and seed
    images: dict | None = None
    error: str | None = None
    field: str | None = None  # the control to highlight with the error
    seconds: float = 0.0


class WhatIf:
    """An interactive what-if dashboard over a project.

    Parameters
    ----------
    project : Project
    iterations : int
        Monte Carlo iterations per update (a control too), 100 to 10,000,000.
    seed : int, numpy Generator or None
        The seed of every update (a control too; None draws one, as
        everywhere in pmsim): the same settings always give the same
        numbers, and a saved scenario swept in code with
        :func:`pmsim.compare` or :func:`pmsim.sweep` and the same seed gives
        the numbers the dashboard showed.
    debounce : float
        Seconds of quiet after a burst of changes before the update starts
        (a lone change starts at once); it runs in a worker thread, so the page
        never freezes, and a newer change supersedes it. ``0`` makes updates
        synchronous.
    plots : bool
        Draw the finish-date histogram and CDF, the tornado, the budget burn
        and the Gantt chart of the plan; ``False`` shows the headline numbers
        only (a lighter panel).
    wait : bool
        Compute the first numbers before returning (the default); ``False``
        returns at once and computes them in the worker (needs ``debounce``
        > 0), so that a page shows its controls while the first run goes on.

    Attributes
    ----------
    controls : dict
        Name -> widget: ``multiplier``, ``phase:<phase>``, ``capacity:<resource
        id>``, ``risk:<risk id>`` (on/off), ``probability:<risk id>``,
        ``response:<risk id>`` (a risk with a response: put it in effect),
        ``correlation`` (rank correlation among the tasks of each phase),
        ``levelled``, ``iterations``, ``seed``, ``deadline`` (text,
        YYYY-MM-DD; a ``datetime.date`` may be assigned), ``budget``,
        ``escalation`` (percent a year) and, when a resource's rate is
        uncertain, ``rate_uncertainty`` (the width of the rate ranges: 0
        certain, 1 as given),
        ``task`` (which task to edit) and ``task:optimistic``,
        ``task:most_likely``, ``task:pessimistic`` (its three points).
    headline : dict
        The numbers shown: ``p50``, ``p80`` (dates), ``p_on_time``,
        ``p_on_budget``, ``jcl`` (shares, None without a deadline or
        budget) and ``expected_cost``.
    plan : dict
        The same numbers for the project as it is (with the current
        iterations and seed): the cards and the scenario table show each
        number's difference from it.
    saved : dict
        Name -> :class:`pmsim.Scenario` of every saved scenario.
    error : str or None
        The message shown when the last edit was refused or made the
        project invalid; ``error_field`` names the control it is about.
    updates : int
        How many updates have been shown; ``last_seconds`` is how long the
        last one took, from the change to its numbers and plots, and
        ``numbers_seconds`` how long its numbers took when they were shown
        before the plots (debounced updates), else None.
    stale : bool
        Whether the numbers shown are older than the controls (while an
        update runs, or after a refused edit).
    widget : ipywidgets.Box
        The panel itself (a notebook shows it when the object is displayed).

    Notes
    -----
    Each task override is a three-point estimate of the task's own family
    (Beta-PERT with its lambda, triangular or lognormal; other estimates
    become Beta-PERT), before any multiplier, which still applies.
    """

    def __init__(self, project: Project, iterations: int = 10_000, seed: int = 0, debounce: float = 0.15,
                 plots: bool = True, wait: bool = True):
        if not isinstance(project, Project):
            raise ValidationError(f"WhatIf needs a Project, got {type(project).__name__}")
        iterations = check_iterations(iterations)
        if not ITERATIONS[0] <= iterations <= ITERATIONS[1]:
            raise ValidationError(f"WhatIf: iterations must be between {ITERATIONS[0]:,} and {ITERATIONS[1]:,}, "
                                  f"got {iterations:,}")
        seed = resolve_seed(seed)
        if not (isinstance(debounce, (int, float)) and debounce >= 0):
            raise ValidationError(f"debounce must be a number of seconds >= 0, got {debounce!r}")
        if not wait and not debounce:
            raise ValidationError("WhatIf: wait=False needs a debounce > 0 (the first run goes to the worker)")
        resync.install()  # a page that connects while the first numbers come in must not keep placeholders
        self.project = project
        self.plots = bool(plots)
        if self.plots:
            render_pool.RENDERER.start()  # their imports overlap the first simulation (see draw_figures)
        self._updates = LatestWins(float(debounce), snapshot=self._snapshot, compute=self._compute_in_worker,
                                   deliver=self._finish, failed=self._failed)
        self.headline: dict = {}
        self.plan: dict = {}
        self._plans: dict[tuple[int, int], dict] = {}  # (iterations, seed) -> the plan's numbers
        self._saved = SavedScenarios(project)
        self.error: str | None = None
        self.error_field: str | None = None
        self.stale = True
        self.last_seconds: float | None = None
        self.numbers_seconds: float | None = None
        self._early_token = None
        self.updates = 0
        self._last_edit: str | None = None
        self._shown: tuple | None = None  # (settings, overrides) of the numbers shown
        self._compute_lock = threading.Lock()  # one drawing at a time into this panel's figures
        self._initial_budget = project.budget if project.budget is not None else project_budget(project)
        self.controls = make_controls(project, int(iterations), int(seed), self._initial_budget)
        self.parts = Parts(project, on_save=self._save_clicked, on_restore=self._restore_clicked,
                           on_delete=self.delete_scenario, on_reset_task=lambda: self._tasks.reset())
        for name in ("cards", "images", "status", "progress", "error_box", "scenario_name", "save_button",
                     "clear_task_button", "download"):
            setattr(self, name, getattr(self.parts, name))
        self.widget, self._boxes = arrange(project, self.controls, self.parts, self.plots)
        self._why = WhyView()  # "Why?" on a saved scenario's row: below the scenario table
        self.parts.table.on_explain = self._explain_clicked
        self.widget.children = (*self.widget.children, self._why.widget)
        self.cards_box, self.plots_box = self._boxes["cards"], self._boxes["plots"]
        self._tasks = TaskEditor(project, self.controls, changed=self._task_edited)
        for name, control in self.controls.items():
            if name != "task" and not name.startswith("task:"):
                control.observe(self._on_change, names="value")
        if wait:
            self.update()
        else:
            self._request()

    # ------------------------------------------------------------------ settings

    def settings(self) -> dict:
        """The current settings: what differs from the project, plus ``iterations`` and ``seed``.

        The keys are those of :meth:`pmsim.Scenario.settings` and of a
        :func:`pmsim.sweep` grid; a risk's on/off and probability merge into
        ``risk:<id>`` (``False`` when off, its probability when changed).
        Task overrides are not settings: see :meth:`scenario`. A refused
        value raises :class:`pmsim.ValidationError`.
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
        return Scenario.from_settings(name, self.settings(), estimates=task_estimates(self.project, self._tasks.overrides))

    def offline_grid(self, levers: dict | None = None) -> "OfflineGrid":
        """A grid of scenarios simulated in advance, for a page rendered without Python (``make report``).

        Displayed in the notebook under the panel, it makes the rendered
        page's controls answer from the grid (see
        :class:`pmsim.widgets.offline_grid.OfflineGrid`); it uses the panel's
        iterations and seed. ``levers``: lever -> values, default
        :func:`pmsim.widgets.offline_grid.grid_levers`.
        """
        return OfflineGrid(self.project, iterations=self.controls["iterations"].number,
                           seed=self.controls["seed"].value, levers=levers, budget=self._initial_budget)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    # ------------------------------------------------------------------ events

    def _on_change(self, change) -> None:
        self._last_edit = getattr(change["owner"], "pmsim_name", None)
        if not self._tasks.holding:
            self._request()

    def _task_edited(self) -> None:
        refused = self._tasks.refused
        self._last_edit = refused.field if refused is not None else None
        self._request()

    # ------------------------------------------------------------------ updating

    @property
    def debounce(self) -> float:
        """Seconds of quiet after a burst of changes before an update starts; 0: synchronous."""
        return self._updates.debounce

    @debounce.setter
    def debounce(self, seconds: float) -> None:
        self._updates.debounce = seconds

    def _snapshot(self, token: int) -> _Request:
        try:
            if self._tasks.refused is not None:
                raise self._tasks.refused
            return _Request(token=token, settings=self.settings(), overrides=dict(self._tasks.overrides),
                            deadline=self.controls["deadline"].date, budget=self.controls["budget"].number,
                            edited=self._last_edit)
        except FieldError as exc:
            return _Request(token=token, settings=None, overrides={}, deadline=None, budget=None, refused=exc)

    def _request(self) -> None:
        """A control changed: update now (debounce 0), or soon in the worker thread."""
        token = self._updates.new()
        self._mark_stale(True)
        self._busy(True)
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
        return _Result(request.token, request.settings, request.overrides, error=message, field=request.edited)

    def _compute(self, request: _Request, render: bool, on_numbers=None, on_image=None) -> _Result:
        """Simulate the settings of ``request`` (and draw, with ``render``); errors become a message.

        ``on_numbers(result)`` is called with the headline numbers before the drawing starts,
        ``on_image(name, png)`` with each plot as soon as it is drawn.
        """
        if request.refused is not None:
            return _Result(request.token, None, {}, error=str(request.refused), field=request.refused.field)
        if not render:
            return self._simulate(request, render, on_numbers, on_image)
        with self._compute_lock:
            return self._simulate(request, render, on_numbers, on_image)

    def _plan_numbers(self, iterations: int, seed: int, changed: bool, numbers: dict) -> dict:
        """The plan's headline numbers with these iterations and seed (``numbers`` when nothing is ``changed``)."""
        key = (iterations, seed)
        if key not in self._plans:
            if changed:
                sim = simulate(self.project, iterations=iterations, seed=seed)
                numbers = headline(sim, self.project.deadline, self._initial_budget)
            self._plans[key] = numbers
        return self._plans[key]

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
                           callback=report, responses=scenario.responded(changed))
            result.headline = headline(sim, request.deadline, request.budget)
            as_planned = set(request.settings) == {"iterations", "seed"} and not request.overrides
            result.plan = self._plan_numbers(iterations, seed, not as_planned, result.headline)
            if on_numbers is not None and self.plots:
                on_numbers(_Result(token, request.settings, request.overrides, headline=result.headline,
                                   plan=result.plan, seconds=time.perf_counter() - request.started))
            if render and self.plots:
                self._updates.check(token)
                result.images = draw_figures(changed, sim, groups, levelled, request.settings["seed"],
                                             request.deadline, request.budget,
                                             check=lambda: self._updates.check(token), on_image=on_image)
        except Superseded:
            raise
        except PmsimError as exc:
            result.error, result.field = str(exc), request.edited
        result.seconds = time.perf_counter() - request.started
        return result

    def _finish(self, result: _Result) -> None:
        """Show a result (on the kernel's thread when there is an event loop)."""
        self._busy(False)
        if result.error is not None:
            self._show_error(result.error, result.field)
            self._mark_stale(True)
            return
        self._show_error(None, None)
        if result.images:
            # Images before numbers: unless the numbers went ahead (_show_numbers), a new P80
            # text in a browser then means the new plots are there too.
            for name, png in result.images.items():
                self.images[name].value = png
        self.headline, self.plan = result.headline, result.plan
        self._show_headline(result.headline, result.settings, result.plan)
        if not self.parts.table.widget.children:
            self._show_scenarios()  # the plan's row, from the first numbers on
        self._shown = (result.settings, result.overrides)
        self.last_seconds = result.seconds
        if self._early_token != result.token:
            self.numbers_seconds = None
        self.updates += 1
        timings = ({"numbers": self.numbers_seconds, "plots": result.seconds} if self.numbers_seconds is not None
                   else {"update": result.seconds})
        self.status.value = status_html(result.settings["iterations"], result.settings["seed"],
                                        bool(result.settings.get("levelled")), timings)
        self._mark_stale(not self._updates.is_latest(result.token))

    def _show_error(self, message: str | None, name: str | None) -> None:
        """Show (or clear, with None) a refused edit's message, and highlight its control."""
        if self.error_field is not None and self.error_field in self.controls:
            self.controls[self.error_field].remove_class("pmsim-invalid")
        self.error, self.error_field = message, name
        if message is None:
            self.error_box.value = ""
            return
        if name in self.controls:
            self.controls[name].add_class("pmsim-invalid")
        self.error_box.value = error_html(label(self.project, name) if name else None, message)

    def _show_numbers(self, result: _Result) -> None:
        """The headline numbers of an update whose plots are still being drawn."""
        if not self._updates.is_latest(result.token):
            return
        self._show_error(None, None)
        self.headline, self.plan = result.headline, result.plan
        self._show_headline(result.headline, result.settings, result.plan)
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
        for box in (self.cards_box, self.plots_box, self._boxes["gantt"]):
            if stale:
                box.add_class("pmsim-stale")
            else:
                box.remove_class("pmsim-stale")

    def _busy(self, busy: bool) -> None:
        """The progress bar while an update runs, the status line otherwise."""
        self.progress.widget.layout.display = None if busy else "none"
        self.status.layout.display = "none" if busy else None

    def _show_headline(self, numbers: dict, settings: dict, plan: dict | None) -> None:
        deadline = settings.get("deadline", self.project.deadline)
        budget = settings.get("budget", self._initial_budget)
        for key, card in headline_cards(numbers, deadline, budget, self.project.currency, plan).items():
            self.cards[key].value = card

    def update(self) -> dict:
        """Recompute now, in this thread, whatever the debounce; returns the headline numbers.

        After a refused edit the error is shown (see ``error``) and the last
        valid numbers are returned.
        """
        token = self._updates.new()
        self._busy(True)
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
        try:
            self.save_scenario(name)
        except ValidationError as exc:
            self._show_error(str(exc), self.error_field)
            return
        self.scenario_name.value = ""

    def _restore_clicked(self, name: str | None) -> None:
        if name is None:
            self.restore_plan()
        else:
            self.restore_scenario(name)

    def save_scenario(self, name: str | None = None) -> Scenario:
        """Store the current settings and their headline numbers as a named scenario.

        Returns the :class:`pmsim.Scenario` (also in ``saved[name]``); a
        scenario saved under an existing name replaces it. When the numbers
        shown are not those of the current settings (an update is pending or
        the last edit was refused) they are computed first; an invalid
        project cannot be saved (``ValidationError``).

        >>> import pmsim as pm
        >>> w = pm.widgets.WhatIf(pm.read_project(pm.data_path("textbook")), iterations=500, debounce=0, plots=False)
        >>> w.save_scenario("plan").name, list(w.scenarios.index)
        ('plan', ['plan'])
        """
        name = str(name) if name else f"scenario {len(self.saved) + 1}"
        request = self._snapshot(0)
        if request.refused is None and self._shown == (request.settings, request.overrides) and self.error is None:
            numbers, plan = self.headline, self.plan
        else:
            result = self._compute(request, render=False)
            if result.error is not None:
                raise ValidationError(f"cannot save scenario {name!r}: {result.error}")
            numbers, plan = result.headline, result.plan
        scenario = Scenario.from_settings(name, request.settings,
                                          estimates=task_estimates(self.project, request.overrides))
        self._saved.add(scenario, request.settings, request.overrides, numbers, plan)
        self._show_scenarios()
        return scenario

    def delete_scenario(self, name: str) -> None:
        """Remove a saved scenario from the table."""
        self._saved.remove(name)
        self._show_scenarios()

    def explain_scenario(self, name: str) -> pd.DataFrame:
        """Why a saved scenario's numbers differ from the plan's, change by change (:func:`pmsim.explain`
        with the scenario's iterations and seed), shown as a waterfall below the scenario table."""
        self._saved.check(name)
        row = self._saved.rows[name]
        self._why.working(name)
        try:
            explained = explain(self.project, self.saved[name], iterations=row["iterations"], seed=row["seed"])
        except PmsimError as exc:
            self._why.failed(name, str(exc))
            raise
        self._why.show(name, explained, self.project.currency)
        return explained

    def _explain_clicked(self, name: str) -> None:
        try:
            self.explain_scenario(name)
        except PmsimError:
            pass  # the view shows the message

    @property
    def saved(self) -> dict:
        """Name -> :class:`pmsim.Scenario` of every saved scenario, in the order saved."""
        return self._saved.saved

    @property
    def scenarios(self) -> pd.DataFrame:
        """The saved scenarios, one row each: their settings, ``iterations``, ``seed``,
        ``overrides`` (task estimates edited, ``id o/m/p``) and the headline numbers."""
        return self._saved.frame()

    def _plan_row(self) -> dict | None:
        """The plan's row of the scenario table: its numbers with the dashboard's first iterations and seed."""
        if not self._plans:
            return None
        (iterations, seed), numbers = next(iter(self._plans.items()))
        return {**numbers, "iterations": iterations, "seed": seed}

    def scenarios_for_people(self) -> pd.DataFrame:
        """The plan and the saved scenarios as people read them: dates, whole money, percentages and
        each number's difference from the plan (with the same iterations and seed)."""
        plan = self._plan_row()
        if plan is None:
            raise ValidationError("no numbers yet: the first update has not finished")
        return people_frame(self.project, plan, self._saved.rows)

    def export_scenarios(self, path, raw: bool = False) -> Path:
        """Write the scenario table to a CSV file; returns its path.

        By default the table people read (:meth:`scenarios_for_people`);
        with ``raw`` the raw values (:attr:`scenarios`). Text that a
        spreadsheet would run as a formula is neutralised.
        """
        path = Path(path)
        path.write_text(csv_text(self.scenarios if raw else self.scenarios_for_people()), encoding="utf-8", newline="")
        return path

    def _show_scenarios(self) -> None:
        self.parts.table.show(self._plan_row(), self._saved.rows)
        self.download.value = (download_links(self.scenarios_for_people(), self.scenarios)
                               if self._saved.rows and self._plans else "")

    def restore_plan(self) -> None:
        """Set every control back to the project as it is (iterations and seed stay)."""
        self._set_controls(default_values(self.project, self._initial_budget), {})

    def restore_scenario(self, name: str) -> None:
        """Set every control back to a saved scenario (and update once)."""
        self._saved.check(name)
        row = self._saved.rows[name]
        values = default_values(self.project, self._initial_budget)
        for key, value in self.saved[name].settings().items():
            if key.startswith("risk:"):
                rid = key.partition(":")[2]
                values[key] = value is not False
                if value is not False:
                    values[f"probability:{rid}"] = value
            else:
                values[key] = value
        values["iterations"], values["seed"] = row["iterations"], row["seed"]
        self._set_controls(values, row["_overrides"])

    def _set_controls(self, values: dict, overrides: dict) -> None:
        with self._tasks.hold():
            for key, value in values.items():
                self.controls[key].value = value
            self._tasks.set(overrides)
        self._last_edit = None
        self._request()

    def close(self) -> None:
        """Close every widget of the panel."""
        def close(widget):
            for child in getattr(widget, "children", ()):
                close(child)
            widget.close()

        close(self.widget)
