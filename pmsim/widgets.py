"""The what-if dashboard: move a lever, see the finish date, the cost and the odds.

:class:`WhatIf` is an ipywidgets panel over one project. Each control is a
setting of a :class:`pmsim.Scenario` (the same names as the keys of a
:func:`pmsim.sweep` grid); every change builds the changed project with
``Scenario.apply``, simulates it with :func:`pmsim.simulate`, and shows the
headline numbers of :func:`pmsim.scenarios.headline`, the finish-date
histogram and CDF, the sensitivity tornado and the budget burn drawn by
:mod:`pmsim.plot`. The widget holds no scheduling logic of its own.

Updates are debounced and run in a worker thread, so the page never
freezes; a newer change supersedes an older one. An edit that makes the
project invalid shows its message in the panel (the last good numbers stay,
marked stale). ``debounce=0`` makes every update synchronous, for tests and
scripts.

>>> import pmsim as pm
>>> w = pm.widgets.WhatIf(pm.read_project(pm.data_path("textbook")), iterations=2000, debounce=0, plots=False)
>>> before = w.headline["p80"]
>>> w.controls["multiplier"].value = 1.2
>>> w.headline["p80"] > before
True
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import html
import io
import logging
import math
import os
import pickle
import signal
import sys
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import ipywidgets as w
import numpy as np
import pandas as pd

from . import plot
from .budget import budget_burn
from .costs import project_budget
from .distributions import BetaPert, Distribution, Lognormal, Triangular, make_estimate
from .errors import PmsimError, ValidationError
from .model import Project
from .montecarlo import simulate
from .progress_bars import WidgetProgress
from .scenarios import Scenario, correlation_groups, headline

__all__ = ["WhatIf", "HEADLINE_KEYS"]

log = logging.getLogger(__name__)

HEADLINE_KEYS = ("p50", "p80", "p_on_time", "p_on_budget", "jcl", "expected_cost")

# The budget-burn bands come from the first iterations of the same run (random
# numbers are counter-based: a shorter run with the same seed draws the same
# first iterations). Regenerating every task's dates for 10,000 iterations
# would cost more than the rest of an update together.
BURN_ITERATIONS = 1024
DPI = 72

# One worker for every dashboard in the process: simulations run one at a time
# (two would only share the same two cores) and never on the kernel's thread.
_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pmsim-whatif")

_CSS = """
<style>
.pmsim-whatif .pmsim-card { border: 1px solid #d0d7de; border-radius: 6px; padding: 4px 10px; margin: 2px;
  min-width: 118px; background: #fafbfc; }
.pmsim-whatif .pmsim-card .pmsim-label { color: #57606a; font-size: 12px; }
.pmsim-whatif .pmsim-card .pmsim-value { font-size: 18px; font-weight: 600; color: #1f2328; }
.pmsim-whatif .pmsim-card .pmsim-note { color: #57606a; font-size: 11px; }
.pmsim-whatif .pmsim-error { background: #fff1f0; border: 1px solid #f5a3a3; border-radius: 6px;
  padding: 6px 10px; color: #a40e26; }
.pmsim-whatif .pmsim-stale { opacity: 0.45; }
.pmsim-whatif .pmsim-status { color: #57606a; font-size: 12px; }
.pmsim-whatif .pmsim-table table { font-size: 12px; border-collapse: collapse; }
.pmsim-whatif .pmsim-table th, .pmsim-whatif .pmsim-table td { border-bottom: 1px solid #d0d7de;
  padding: 2px 6px; text-align: left; white-space: nowrap; }
.pmsim-whatif .pmsim-download { white-space: nowrap; margin-left: 8px; }
</style>
"""


class _Superseded(Exception):
    """A newer request arrived: this computation stops."""


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


def _slider(description: str, value: float, lo: float, hi: float, step: float, fmt: str = ".2f") -> w.FloatSlider:
    return w.FloatSlider(value=value, min=lo, max=hi, step=step, description=description, readout_format=fmt,
                         continuous_update=True, style={"description_width": "150px"},
                         layout=w.Layout(width="420px"))


def _three_points(estimate: Distribution) -> tuple[float, float, float]:
    """The optimistic, most likely and pessimistic values shown for a task's estimate."""
    fields = estimate.to_fields()
    if {"optimistic", "most_likely", "pessimistic"} <= set(fields):
        return float(fields["optimistic"]), float(fields["most_likely"]), float(fields["pessimistic"])
    planned = float(estimate.planned)
    low = float(fields.get("optimistic", estimate.low))
    high = float(fields.get("pessimistic", estimate.high))
    return low, planned, high if math.isfinite(high) else planned


def _fmt_date(value) -> str:
    return "–" if value is None else pd.Timestamp(value).date().isoformat()


def _fmt_share(value) -> str:
    return "–" if value is None else f"{value:.0%}"


def _fmt_money(value: float, currency: str) -> str:
    return f"{value:,.0f} {currency}".strip()


class WhatIf:
    """An interactive what-if dashboard over a project.

    Parameters
    ----------
    project : Project
    iterations : int
        Monte Carlo iterations per update (a control too).
    seed : int
        The seed of every update (a control too): the same settings always
        give the same numbers, and a saved scenario swept in code with
        :func:`pmsim.compare` or :func:`pmsim.sweep` and the same seed gives
        the numbers the dashboard showed.
    debounce : float
        Seconds of quiet after a burst of changes before the update starts
        (a lone change starts at once). ``0`` makes updates synchronous.
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
        if isinstance(iterations, bool) or not isinstance(iterations, (int, np.integer)) or iterations < 1:
            raise ValidationError(f"iterations must be a positive integer, got {iterations!r}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValidationError(f"seed must be a non-negative integer, got {seed!r}")
        if not (isinstance(debounce, (int, float)) and debounce >= 0):
            raise ValidationError(f"debounce must be a number of seconds >= 0, got {debounce!r}")
        self.project = project
        self.debounce = float(debounce)
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
        self._lock = threading.RLock()
        self._token = 0
        self._scheduled = None  # (token, timer handle) of the update waiting for its debounce
        self._in_flight = 0  # updates handed to the worker and not yet delivered
        self._compute_lock = threading.Lock()  # one drawing at a time into this panel's figures
        self._last_request = -math.inf
        self._holding = False
        self._initial_budget = project.budget if project.budget is not None else project_budget(project)
        self._build_controls(int(iterations), int(seed))
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

    # ------------------------------------------------------------------ controls

    def _build_controls(self, iterations: int, seed: int) -> None:
        p = self.project
        c: dict[str, w.Widget] = {}
        c["multiplier"] = _slider("All estimates ×", 1.0, 0.5, 2.0, 0.05)
        for phase in p.phases:
            c[f"phase:{phase}"] = _slider(f"{phase} ×", 1.0, 0.5, 2.0, 0.05)
        tasks = [t for t in p.tasks if not t.milestone]
        c["task"] = w.Dropdown(options=[(f"{t.id}  {t.name}", t.id) for t in tasks],
                               value=tasks[0].id if tasks else None, description="Task",
                               style={"description_width": "150px"}, layout=w.Layout(width="420px"))
        first = _three_points(tasks[0].estimate) if tasks else (0.0, 0.0, 0.0)
        for key, value in zip(("optimistic", "most_likely", "pessimistic"), first):
            c[f"task:{key}"] = w.FloatText(value=value, description=key.replace("_", " ").capitalize(),
                                           continuous_update=False, style={"description_width": "150px"},
                                           layout=w.Layout(width="260px"))
        for r in p.resources:
            hi = max(2 * r.capacity, r.capacity + 4)
            c[f"capacity:{r.id}"] = _slider(f"{r.name or r.id}", r.capacity, 0.0, hi, 0.5, ".1f")
        for risk in p.risks:
            c[f"risk:{risk.id}"] = w.Checkbox(value=True, description=f"{risk.id} {risk.name}", indent=False,
                                              layout=w.Layout(width="360px"))
            c[f"probability:{risk.id}"] = w.FloatSlider(value=risk.probability, min=0.0, max=1.0, step=0.01,
                                                        description="P", readout_format=".2f",
                                                        continuous_update=True,
                                                        style={"description_width": "20px"},
                                                        layout=w.Layout(width="260px"))
        c["correlation"] = _slider("Correlation in phase", 0.0, 0.0, 0.95, 0.05)
        c["levelled"] = w.Checkbox(value=False, description="Level resources (capacities bind)", indent=False)
        c["iterations"] = w.BoundedIntText(value=iterations, min=1, max=10_000_000, step=1000,
                                           description="Iterations", continuous_update=False,
                                           style={"description_width": "150px"}, layout=w.Layout(width="300px"))
        c["seed"] = w.BoundedIntText(value=seed, min=0, max=2**63 - 1, description="Seed", continuous_update=False,
                                     style={"description_width": "150px"}, layout=w.Layout(width="300px"))
        c["deadline"] = w.DatePicker(value=p.deadline, description="Deadline",
                                     style={"description_width": "150px"})
        c["budget"] = w.BoundedFloatText(value=self._initial_budget, min=0, max=1e15, step=1000,
                                         description=f"Budget ({p.currency})", continuous_update=False,
                                         style={"description_width": "150px"}, layout=w.Layout(width="300px"))
        for name, control in c.items():
            control.add_class("pmsim-control-" + "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name))
        self.controls = c

    def _defaults(self) -> dict:
        """The control values that mean "the project as it is"."""
        p = self.project
        out = {"multiplier": 1.0, "correlation": 0.0, "levelled": False, "deadline": p.deadline,
               "budget": self._initial_budget}
        out.update({f"phase:{ph}": 1.0 for ph in p.phases})
        out.update({f"capacity:{r.id}": r.capacity for r in p.resources})
        for risk in p.risks:
            out[f"risk:{risk.id}"] = True
            out[f"probability:{risk.id}"] = risk.probability
        return out

    def settings(self) -> dict:
        """The current settings: what differs from the project, plus ``iterations`` and ``seed``.

        The keys are those of :meth:`pmsim.Scenario.settings` and of a
        :func:`pmsim.sweep` grid; a risk's on/off and probability merge into
        ``risk:<id>`` (``False`` when off, its probability when changed).
        Task overrides are not settings: see :meth:`scenario`.
        """
        p, c = self.project, self.controls
        out: dict = {}
        if c["multiplier"].value != 1.0:
            out["multiplier"] = c["multiplier"].value
        for phase in p.phases:
            if c[f"phase:{phase}"].value != 1.0:
                out[f"phase:{phase}"] = c[f"phase:{phase}"].value
        for r in p.resources:
            if c[f"capacity:{r.id}"].value != r.capacity:
                out[f"capacity:{r.id}"] = c[f"capacity:{r.id}"].value
        for risk in p.risks:
            if not c[f"risk:{risk.id}"].value:
                out[f"risk:{risk.id}"] = False
            elif c[f"probability:{risk.id}"].value != risk.probability:
                out[f"risk:{risk.id}"] = c[f"probability:{risk.id}"].value
        if c["correlation"].value:
            out["correlation"] = c["correlation"].value
        if c["levelled"].value:
            out["levelled"] = True
        if c["deadline"].value is not None and c["deadline"].value != p.deadline:
            out["deadline"] = c["deadline"].value
        if c["budget"].value is not None and c["budget"].value != p.budget:
            out["budget"] = float(c["budget"].value)
        out["iterations"] = int(c["iterations"].value)
        out["seed"] = int(c["seed"].value)
        return out

    def _estimates(self, overrides: dict) -> dict:
        out = {}
        for tid, (o, m, p) in overrides.items():
            base = self.project.task(tid).estimate
            try:
                if o == m == p:
                    out[tid] = make_estimate(duration=m)
                elif isinstance(base, Triangular):
                    out[tid] = Triangular(o, m, p)
                elif isinstance(base, Lognormal):
                    out[tid] = Lognormal.from_three_point(o, m, p)
                elif isinstance(base, BetaPert):
                    out[tid] = BetaPert(o, m, p, base.lamb)
                else:
                    out[tid] = BetaPert(o, m, p)
            except PmsimError as exc:
                raise exc.with_context(f"Task {tid!r}") from None
        return out

    def scenario(self, name: str = "current") -> Scenario:
        """The current settings and task overrides as a :class:`pmsim.Scenario`.

        >>> import pmsim as pm
        >>> w = pm.widgets.WhatIf(pm.read_project(pm.data_path("textbook")), iterations=500, debounce=0, plots=False)
        >>> w.controls["multiplier"].value = 1.1
        >>> w.scenario("slower").settings()
        {'multiplier': 1.1}
        """
        return Scenario.from_settings(name, self.settings(), estimates=self._estimates(dict(self._overrides)))

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
        c, p = self.controls, self.project
        estimates = w.VBox([c["multiplier"], *(c[f"phase:{ph}"] for ph in p.phases)])
        task = w.VBox([
            w.HTML("<i>Edit one task's three-point estimate (before multipliers).</i>"),
            c["task"], c["task:optimistic"], c["task:most_likely"], c["task:pessimistic"], self.clear_task_button,
        ])
        resources = w.VBox([c["levelled"], *(c[f"capacity:{r.id}"] for r in p.resources)] if p.resources
                           else [c["levelled"], w.HTML("<i>This project has no resources.</i>")])
        risks = w.VBox([w.HBox([c[f"risk:{r.id}"], c[f"probability:{r.id}"]]) for r in p.risks]
                       or [w.HTML("<i>This project has no risks.</i>")])
        simulation = w.VBox([c["iterations"], c["seed"], c["correlation"], c["deadline"], c["budget"]])
        tabs = w.Tab(children=[estimates, task, resources, risks, simulation])
        for i, title in enumerate(["Estimates", "Task", "Resources", "Risks", "Simulation & targets"]):
            tabs.set_title(i, title)
        tabs.layout = w.Layout(width="460px")
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
        root = w.VBox([w.HTML(_CSS), title, w.HBox([left, self.results], layout=w.Layout(flex_flow="row wrap"))])
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
        values = self._overrides.get(tid) or _three_points(self.project.task(tid).estimate)
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
        if values == _three_points(self.project.task(tid).estimate):
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
                                  _three_points(self.project.task(tid).estimate)):
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

    def _snapshot(self, token: int) -> _Request:
        c = self.controls
        return _Request(token=token, settings=self.settings(), overrides=dict(self._overrides),
                        deadline=c["deadline"].value, budget=c["budget"].value)

    def _request(self) -> None:
        """A control changed: update now (debounce 0), or soon in the worker thread."""
        with self._lock:
            self._token += 1
            token = self._token
        self._mark_stale(True)
        if self.debounce == 0:
            self._finish(self._compute(self._snapshot(token), render=True))
            return
        now = time.monotonic()
        with self._lock:
            # A lone change starts at once, even while an older update is still being drawn (that one
            # is superseded at its next check); a burst (a slider being dragged) waits for quiet.
            quiet = now - self._last_request >= self.debounce and self._scheduled is None
            delay = 0.0 if quiet else self.debounce
            self._last_request = now
            if self._scheduled is not None:
                self._scheduled[1].cancel()
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                loop = None
            if loop is not None:
                handle = loop.call_later(delay, self._launch, token, loop)
            else:
                handle = threading.Timer(delay, self._launch, (token, None))
                handle.daemon = True
                handle.start()
            self._scheduled = (token, handle)

    def _launch(self, token: int, loop) -> None:
        """The debounce ended: snapshot the controls and hand the work to the worker thread."""
        with self._lock:
            if self._scheduled is None or self._scheduled[0] != token:
                return  # cancelled by a newer change
            self._scheduled = None
            self._in_flight += 1
        try:
            request = self._snapshot(token)
            _WORKER.submit(self._work, request, loop)
        except BaseException:
            with self._lock:
                self._in_flight -= 1
            raise

    def _work(self, request: _Request, loop) -> None:
        def post(show, result):
            if loop is not None and not loop.is_closed():
                loop.call_soon_threadsafe(show, result)
            else:
                show(result)

        try:
            # The numbers go to the page as soon as they are known; the plots follow.
            numbers = lambda early: post(self._show_numbers, early)  # noqa: E731
            image = lambda name, png: post(self._show_image, (request.token, name, png))  # noqa: E731
            result = (self._compute(request, render=True, on_numbers=numbers, on_image=image)
                      if request.token == self._token else None)
        except _Superseded:
            result = None
        except BaseException as exc:  # noqa: BLE001 - never lose a worker failure silently
            log.exception("what-if update failed")
            result = _Result(request.token, request.settings, request.overrides, error=f"{type(exc).__name__}: {exc}")
        post(self._deliver, result)

    def _deliver(self, result: _Result | None) -> None:
        try:
            if result is not None and result.token == self._token:
                self._finish(result)
        finally:
            with self._lock:
                self._in_flight -= 1

    def _check_current(self, token: int, render: bool) -> None:
        if render and self.debounce and token != self._token:
            raise _Superseded

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
                                              estimates=self._estimates(request.overrides))
            changed = scenario.apply(self.project)
            groups = correlation_groups(changed, scenario.correlation)
            levelled = bool(scenario.levelled)
            iterations, seed = request.settings["iterations"], request.settings["seed"]

            def report(done, total):
                self._check_current(token, render)
                if render:
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
                self._check_current(token, render)
                result.images = self._render(changed, sim, groups, levelled, request, on_image)
        except _Superseded:
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
        self._mark_stale(self._token != result.token)

    def _show_numbers(self, result: _Result) -> None:
        """The headline numbers of an update whose plots are still being drawn."""
        if result.token != self._token:
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
        if token == self._token and self._early_token == token:
            self.images[name].value = png

    def _mark_stale(self, stale: bool) -> None:
        self.stale = stale
        for box in (self.cards_box, self.plots_box):
            if stale:
                box.add_class("pmsim-stale")
            else:
                box.remove_class("pmsim-stale")

    def _show_headline(self, numbers: dict, settings: dict) -> None:
        p = self.project
        deadline = settings.get("deadline", p.deadline)
        budget = settings.get("budget", self._initial_budget)

        def card(key, label, value, note=""):
            self.cards[key].value = (f"<div class='pmsim-label'>{label}</div><div class='pmsim-value'>{value}</div>"
                                     f"<div class='pmsim-note'>{note}</div>")

        card("p50", "P50 finish", _fmt_date(numbers["p50"]), "half the runs finish by then")
        card("p80", "P80 finish", _fmt_date(numbers["p80"]), "80 % of the runs finish by then")
        card("p_on_time", "P(on time)", _fmt_share(numbers["p_on_time"]),
             f"deadline {_fmt_date(deadline)}" if deadline else "no deadline")
        card("p_on_budget", "P(on budget)", _fmt_share(numbers["p_on_budget"]),
             f"budget {_fmt_money(budget, p.currency)}")
        card("jcl", "JCL", _fmt_share(numbers["jcl"]), "on time and on budget")
        card("expected_cost", "Expected cost", _fmt_money(numbers["expected_cost"], p.currency), "mean of the runs")

    def _render(self, project: Project, sim, groups, levelled: bool, request: _Request, on_image=None) -> dict:
        """Draw the four figures; each goes to a drawing process as soon as its data is ready.

        ``on_image(name, png)`` receives each figure as soon as it is back.
        """
        deadline = request.deadline if request.deadline is not None else False
        sim.finish_dates  # computed once here rather than in every drawing process
        layout = (project.name, deadline is False)  # what the layout of a figure depends on, besides its kind
        jobs = {"histogram": _RENDERER.submit("histogram", sim=sim, deadline=deadline, layout=layout),
                "cdf": _RENDERER.submit("cdf", sim=sim, deadline=deadline, layout=layout)}
        self._check_current(request.token, True)
        sim.sensitivity
        jobs["tornado"] = _RENDERER.submit("tornado", sim=sim, layout=layout)
        self._check_current(request.token, True)
        detail = sim if sim.iterations <= BURN_ITERATIONS else simulate(
            project, iterations=BURN_ITERATIONS, seed=request.settings["seed"], correlation=groups, levelled=levelled)
        try:
            burn = budget_burn(project, detail, freq="W")
            title = f"{project.name}: budget burn" + (
                f", bands from the first {detail.iterations:,} iterations" if detail is not sim else "")
            jobs["burn"] = _RENDERER.submit("burn", burn=burn, budget=request.budget, title=title,
                                            layout=(project.name, title))
        except PmsimError as exc:
            jobs["burn"] = _RENDERER.submit("message", text=f"No budget burn: {exc}")
        try:
            check = lambda: self._check_current(request.token, True)  # noqa: E731
            images = {}
            for name, job in jobs.items():
                images[name] = _RENDERER.result(job, check=check)
                if on_image is not None:
                    on_image(name, images[name])
            return images
        except _Superseded:
            for job in jobs.values():
                job.cancel()  # those not started yet; the others finish, unseen
            raise

    def update(self) -> dict:
        """Recompute now, in this thread, whatever the debounce; returns the headline numbers.

        After an invalid edit the error is shown (see ``error``) and the last
        valid numbers are returned.
        """
        with self._lock:
            self._token += 1
            token = self._token
        self._finish(self._compute(self._snapshot(token), render=True))
        return self.headline

    @property
    def pending(self) -> bool:
        """Whether an update is waiting for its debounce or running."""
        return self._scheduled is not None or self._in_flight > 0

    def wait(self, timeout: float = 60.0) -> bool:
        """Block until no update is pending; True if none is left.

        For scripts and tests with ``debounce > 0`` and no event loop in this
        thread (inside a Jupyter kernel the update is delivered on the kernel's
        event loop, which this call would block).
        """
        end = time.monotonic() + timeout
        while self.pending and time.monotonic() < end:
            time.sleep(0.01)
        return not self.pending

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
        scenario = Scenario.from_settings(name, settings, estimates=self._estimates(overrides))
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
        """Write :attr:`scenarios` to a CSV file; returns its path."""
        path = Path(path)
        self.scenarios.to_csv(path)
        return path

    def _show_scenarios(self) -> None:
        table = self.scenarios
        self.restore_choice.options = list(table.index)
        if len(table):
            self.restore_choice.value = table.index[-1]
        self.table.value = self._scenarios_html(table)
        data = base64.b64encode(table.to_csv().encode()).decode()
        self.download.value = (f"<a download='scenarios.csv' href='data:text/csv;base64,{data}' "
                               "class='pmsim-download'>⬇ Export CSV</a>")

    def _scenarios_html(self, table: pd.DataFrame) -> str:
        """The saved scenarios as a compact table: the numbers first, then what was changed."""
        currency = self.project.currency
        rows = []
        for name, row in table.iterrows():
            changes = [f"{k} {v:g}" if isinstance(v, float) else (k if v is True else f"{k} {v}")
                       for k, v in row.items()
                       if k not in ("iterations", "seed", "overrides", *HEADLINE_KEYS) and not pd.isna(v)]
            if row["overrides"]:
                changes.append(f"estimates {row['overrides']}")
            changes.append(f"{row['iterations']:,} it., seed {row['seed']}")
            cells = [name, _fmt_date(row["p50"]), _fmt_date(row["p80"]), _fmt_share(row["p_on_time"]),
                     _fmt_share(row["p_on_budget"]), _fmt_share(row["jcl"]),
                     _fmt_money(row["expected_cost"], currency), "; ".join(changes) or "as planned"]
            rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
        head = "".join(f"<th>{h}</th>" for h in ("scenario", "P50", "P80", "on time", "on budget", "JCL",
                                                 "expected cost", "changes"))
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"

    def restore_scenario(self, name: str) -> None:
        """Set every control back to a saved scenario (and update once)."""
        if name not in self.saved:
            raise ValidationError(f"no saved scenario {name!r}; saved: {', '.join(self.saved) or 'none'}")
        row = self._saved_rows[name]
        values = self._defaults()
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
                                      self._overrides.get(tid) or _three_points(self.project.task(tid).estimate)):
                    self.controls[f"task:{key}"].value = value
        self._request()

    def close(self) -> None:
        """Close every widget of the panel."""
        def close(widget):
            for child in getattr(widget, "children", ()):
                close(child)
            widget.close()

        close(self.widget)


# --------------------------------------------------------------------------- drawing

_FIGURES = threading.local()
_FIGSIZE = (7.0, 3.4)


def _figures() -> dict:
    """This thread's figures, reused from one update to the next, and its remembered layouts.

    ``"plain"`` holds one figure per kind of plot, drawn again into the same
    axes (see :func:`_wipe`); ``"constrained"`` is the figure that finds a
    layout. All draw on a :class:`~pmsim.plot._agg.TextCachingCanvas`, since
    most texts (tick labels, titles, legends) come back unchanged.
    """
    state = getattr(_FIGURES, "state", None)
    if state is None:
        state = _FIGURES.state = {"plain": {}, "constrained": _figure(layout="constrained"), "layouts": {}}
    return state


def _layouts() -> list:
    """The (kind, layout) keys this thread has laid out: what it has drawn."""
    return list(_figures()["layouts"])


def _figure(**kwargs):
    from matplotlib.figure import Figure

    from .plot._agg import TextCachingCanvas

    fig = Figure(figsize=_FIGSIZE, dpi=DPI, **kwargs)
    TextCachingCanvas(fig)
    return fig


def _wipe(ax) -> None:
    """Remove what a plot drew on ``ax``, keeping the axes and their ticks.

    A new axes (or ``ax.clear()``) builds every tick again, about a fifth of
    the cost of a dashboard figure. Each figure of ``"plain"`` only ever
    shows one kind of plot, and the plot functions set all the state they
    rely on (limits, locators, formatters, labels, title, grid) on every
    call, so removing the artists is enough.
    """
    for container in list(ax.containers):
        container.remove()
    for artist in [*ax.lines, *ax.patches, *ax.collections, *ax.texts, *ax.images, *ax.artists, *ax.tables]:
        artist.remove()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    ax.relim()


def _spills(fig, ax) -> bool:
    """Whether some text of ``ax`` (as last drawn) lies outside the figure.

    Titles are checked only vertically: a long title centred over narrow axes
    can stick out sideways whatever the layout.
    """
    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    titles = [ax.title, ax._left_title, ax._right_title]
    texts = [ax.xaxis.label, ax.yaxis.label, ax.xaxis.get_offset_text(), ax.yaxis.get_offset_text(), *ax.texts]
    for axis in (ax.xaxis, ax.yaxis):
        lo, hi = sorted(axis.get_view_interval())
        texts += [tick.label1 for tick in axis.majorTicks if lo <= tick.get_loc() <= hi]  # the ticks drawn
    boxes = [t.get_window_extent(renderer) for t in texts if t.get_visible() and t.get_text()]
    if ax.get_legend() is not None:
        boxes.append(ax.get_legend().get_window_extent(renderer))
    if any(b.x0 < -0.5 or b.x1 > width + 0.5 for b in boxes):
        return True
    boxes += [t.get_window_extent(renderer) for t in titles if t.get_visible() and t.get_text()]
    return any(b.y0 < -0.5 or b.y1 > height + 0.5 for b in boxes)


def _draw(kind: str, data) -> bytes:
    """Draw one figure of the dashboard with :mod:`pmsim.plot` and return it as PNG bytes.

    ``data`` holds the keyword arguments (pickled when it comes from another
    process). The constrained layout (a third of the cost of a figure) runs
    on the first figure of a kind and project; later ones are drawn into
    the same axes of that kind's own figure, placed where the layout put
    them, and the layout runs again only if some text would fall outside.
    """
    from PIL import Image

    args = pickle.loads(data) if isinstance(data, bytes) else data
    state = _figures()
    key = (kind, args.get("layout"))
    rect = state["layouts"].get(key)
    if rect is not None:
        fig = state["plain"].get(kind)
        if fig is None:
            fig = state["plain"][kind] = _figure()
            fig.add_axes(rect)
        ax = fig.axes[0]
        if ax.get_position().bounds != rect:
            ax.set_position(rect)
        _wipe(ax)
        _plot(kind, ax, args)
        fig.canvas.draw()
    if rect is None or _spills(fig, ax):
        fig = state["constrained"]
        for _ in range(2):  # a first layout of a fresh figure can miss a legend outside the axes
            fig.clear()
            ax = fig.subplots()
            _plot(kind, ax, args)
            fig.canvas.draw()
            if not _spills(fig, ax):
                break
        # Some slack, so that a label a few characters longer next time still fits
        # (a share going from 5 % to 100 % in a legend outside the axes on the right).
        x, y, w, h = ax.get_position().bounds
        left, right, vertical = 6 / fig.bbox.width, 14 / fig.bbox.width, 3 / fig.bbox.height
        state["layouts"][key] = (x + left, y + vertical, w - left - right, h - 2 * vertical)
    buf = io.BytesIO()
    image = Image.frombuffer("RGBA", fig.canvas.get_width_height(), fig.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    image.convert("RGB").save(buf, format="png", compress_level=1)
    return buf.getvalue()


def _plot(kind: str, ax, args: dict) -> None:
    if kind == "histogram":
        plot.histogram(args["sim"], ax=ax, deadline=args["deadline"], bins=30)
    elif kind == "cdf":
        plot.cdf(args["sim"], ax=ax, deadline=args["deadline"])
    elif kind == "tornado":
        plot.tornado(args["sim"], ax=ax, top=10)
    elif kind == "burn":
        plot.budget_burn(args["burn"], ax=ax, budget=args["budget"])
        ax.set_title(args["title"])
    else:
        ax.set_axis_off()
        ax.text(0.5, 0.5, args["text"], ha="center", va="center", wrap=True, transform=ax.transAxes)


def _init_drawing_process(parent: int) -> None:
    """Set up a drawing process: deaf to kernel interrupts, and gone when its parent is gone.

    It shares the kernel's process group, so a kernel interrupt (SIGINT to the
    group) reaches it: that is for the user's code, not for the drawing. A
    parent that exits normally stops its pool; one killed outright (SIGTERM,
    SIGKILL) cannot, and the process would wait for work forever, so a
    thread checks every second that the parent is still there.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch():  # ``parent`` comes from the parent: it may be gone before this process starts
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="pmsim-parent-watch", daemon=True).start()


def _warm_up() -> int:
    """Import and draw once in a drawing process, so its first real figure is quick."""
    import pmsim.montecarlo  # noqa: F401 - a Simulation unpickles faster with its module loaded

    _draw("message", {"text": "ready"})
    return os.getpid()


@contextmanager
def _main_module_hidden():
    """Start processes without telling them the main module.

    A spawned process re-imports the parent's main module (``__main__.__file__``
    or ``__spec__``); the drawing processes need nothing from it, and a user's
    script without an ``if __name__ == "__main__":`` guard would run again in
    each of them.
    """
    main = sys.modules.get("__main__")
    saved = {k: main.__dict__[k] for k in ("__file__", "__spec__") if main is not None and k in main.__dict__}
    try:
        for key in saved:
            if key == "__file__":
                del main.__dict__[key]
            else:
                main.__dict__[key] = None
        yield
    finally:
        for key, value in saved.items():
            main.__dict__[key] = value


class _Renderer:
    """Draws figures in a few worker processes (matplotlib holds the GIL), else in this thread.

    Each kind of figure has its own process (round robin over the kinds
    when there are fewer processes), so the figure, its layout and the text
    cache of that kind stay warm there from one update to the next. The
    processes start on first use and warm up in the background; until they
    are ready, or when there are fewer than two cores, or with the
    environment variable ``PMSIM_DRAWING_PROCESSES=0``, figures are drawn
    in the calling thread. A broken process falls back to drawing in-thread.
    """

    KINDS = ("histogram", "cdf", "tornado", "burn", "message")  # in the order an update asks for them

    def __init__(self):
        self._pools: list[ProcessPoolExecutor] = []
        self._ready: list = []
        self._lock = threading.Lock()
        self.disabled = False

    def processes(self) -> int:
        wanted = os.environ.get("PMSIM_DRAWING_PROCESSES")
        if wanted is not None:
            return max(0, int(wanted))
        cores = os.cpu_count() or 1
        return 0 if cores < 2 else min(3, cores)

    def pids(self) -> list[int]:
        """Process ids of the drawing processes started so far."""
        return [pid for pool in list(self._pools) for pid in list(getattr(pool, "_processes", None) or {})]

    def _start(self) -> None:
        with self._lock:
            if self._pools or self.disabled:
                return
            n = self.processes()
            if n == 0:
                self.disabled = True
                return
            import multiprocessing

            # spawn, not fork: forking a process that runs OpenMP and kernel threads can hang the child.
            context = multiprocessing.get_context("spawn")
            self._pools = [ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_init_drawing_process,
                                               initargs=(os.getpid(),)) for _ in range(n)]
            with _main_module_hidden():
                # Submitting starts every process now, while the main module is hidden.
                self._ready = [pool.submit(_warm_up) for pool in self._pools]

    @property
    def ready(self) -> bool:
        return bool(self._pools) and all(f.done() and not f.exception() for f in self._ready)

    def shutdown(self, wait: bool = True) -> None:
        with self._lock:
            pools, self._pools = self._pools, []
        for pool in pools:
            pool.shutdown(wait=wait, cancel_futures=True)

    def _stop(self, why: str) -> None:
        log.warning("pmsim what-if: %s; drawing in this thread from now on", why)
        self.disabled = True
        self.shutdown(wait=False)

    def submit(self, kind: str, **args) -> Future:
        """Start drawing a figure; :meth:`result` gives its PNG bytes."""
        self._start()
        pools = self._pools
        if self.ready and pools:
            try:
                pool = pools[self.KINDS.index(kind) % len(pools)]
                job = pool.submit(_draw, kind, pickle.dumps(args, protocol=pickle.HIGHEST_PROTOCOL))
                job.pmsim_drawing = (kind, args)
                return job
            except (BrokenProcessPool, RuntimeError):  # RuntimeError: the pool was shut down meanwhile
                self._stop("the drawing processes stopped")
        done: Future = Future()
        try:
            done.set_result(_draw(kind, args))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
            done.set_exception(exc)
        return done

    def result(self, job: Future, timeout: float = 120.0, check=None) -> bytes:
        """The PNG of a submitted figure; drawn here if its process died or hangs.

        ``check()`` is called about every 50 ms while waiting; what it raises
        (a newer request superseding this one) ends the wait.
        """
        end = time.monotonic() + timeout
        try:
            while True:
                try:
                    return job.result(timeout=0.05 if check is not None else timeout)
                except TimeoutError:
                    if time.monotonic() >= end:
                        raise
                    check()
        except (BrokenProcessPool, TimeoutError) as exc:
            self._stop(f"a drawing process failed ({type(exc).__name__})")
            kind, args = job.pmsim_drawing
            return _draw(kind, args)


_RENDERER = _Renderer()
