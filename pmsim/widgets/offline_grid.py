"""A what-if page that answers without Python: a grid of scenarios computed in advance, read by the browser.

A page rendered from a notebook (``make report``, ``pmsim report
--dashboard``) carries the dashboard's widgets but no kernel: nothing can
recompute there. :class:`OfflineGrid` simulates in advance every combination
of the main levers (every estimate scaled, a hybrid plan's backlog items,
the risk register on or off, resources levelled or not, a few deadlines and
budgets) and, displayed in a notebook, writes them into the page with a
small script (``offline_grid.js`` beside this module, plain JavaScript,
nothing from the network). On such a
page the script replaces the dashboard's controls by controls that can take
only the values computed, and shows the headline cards of the combination
they select, formatted here exactly as the live dashboard formats them; the
page names the levers only the live dashboard changes. In JupyterLab or
Voila (a live page) the script does nothing.

Each combination is the scenario :func:`pmsim.sweep` would simulate for
those settings, with the same iterations and seed: the same numbers.
Deadlines and budgets change no simulation, so each simulated combination
is read against every deadline and budget of the grid.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import json
import re
from importlib import resources

from ..errors import PmsimError
from ..levelling import level
from ..model import Project
from ..scenarios import Scenario, headline
from ..simulation import check_iterations, simulate
from .._seed import resolve_seed
from .backlog_levers import LEVER_LABELS as BACKLOG_LEVER_LABELS, backlog_label, backlog_tasks
from .view import HEADLINE_KEYS, LABELS, currency_label, fmt_date, fmt_money, headline_cards

BACKLOG_LEVER_NAMES = tuple(BACKLOG_LEVER_LABELS)  # items, growth, throughput, window

__all__ = ["OfflineGrid", "grid_levers", "settings_of"]

MULTIPLIERS = (0.9, 1.0, 1.1, 1.2, 1.3)
ITEM_SHARES = (0.8, 1.0, 1.25)  # of a backlog's items
BACKLOG_LEVERS = 2  # backlog tasks whose items the grid varies (each one triples the simulations)
DEADLINE_SHIFTS = (-28, 0, 28, 56)  # calendar days from the project's deadline
BUDGET_SHARES = (0.9, 1.0, 1.1)  # of the project's budget


def grid_levers(project: Project, multipliers=MULTIPLIERS, budget: float | None = None) -> dict[str, list]:
    """The levers of the grid and their values, the project's own value among them.

    ``multiplier`` always; ``items:<task id>`` (the backlog's items, 80 %
    and 125 % of the plan's) for the first two backlog tasks of a hybrid
    plan (``BACKLOG_LEVERS``); ``risks`` (the register on, then off) when the
    project has risks; ``levelled`` (off, then on) when a task demands a
    resource; ``deadline`` and ``budget`` around the project's own when it
    has them (``budget``: the budget to vary instead of the project's).

    >>> import pmsim as pm
    >>> levers = grid_levers(pm.read_project(pm.data_path("erp_upgrade")))
    >>> list(levers), levers["multiplier"], levers["budget"]
    (['multiplier', 'risks', 'levelled', 'deadline', 'budget'], [0.9, 1.0, 1.1, 1.2, 1.3], [1269000.0, 1410000.0, 1551000.0])
    """
    levers: dict[str, list] = {"multiplier": sorted({float(m) for m in multipliers} | {1.0})}
    for task in backlog_tasks(project)[:BACKLOG_LEVERS]:  # a hybrid plan: the size of its (first) backlogs
        items = task.estimate.items
        levers[f"items:{task.id}"] = sorted({max(1, round(items * share)) for share in ITEM_SHARES} | {items})
    if project.risks:
        levers["risks"] = [True, False]
    if any(units > 0 for t in project.tasks for _, units in t.resources):
        levers["levelled"] = [False, True]
    if project.deadline is not None:
        levers["deadline"] = [project.deadline + dt.timedelta(days=d) for d in DEADLINE_SHIFTS]
    budget = project.budget if budget is None else budget
    if budget is not None:
        levers["budget"] = sorted({float(round(budget * share)) for share in BUDGET_SHARES} | {float(budget)})
    return levers


def settings_of(project: Project, choice: dict) -> dict:
    """The :func:`pmsim.sweep` settings of one grid combination (lever -> value).

    >>> import pmsim as pm
    >>> p = pm.read_project(pm.data_path("textbook"))
    >>> settings_of(p, {"multiplier": 1.1, "risks": False})
    {'multiplier': 1.1}
    """
    out: dict = {"multiplier": choice["multiplier"]}
    out.update({k: v for k, v in choice.items() if k.startswith("items:")})
    if choice.get("risks") is False:
        out.update({f"risk:{r.id}": False for r in project.risks})
    for key in ("levelled", "deadline", "budget"):
        if key in choice:
            out[key] = choice[key]
    return out


def _lever_text(key: str, value, currency: str) -> str:
    if key.startswith("items:"):
        return f"{value:,}"
    if key == "multiplier":
        return f"×{value:g}"
    if key == "risks":
        return "on" if value else "off"
    if key == "levelled":
        return "on" if value else "off"
    if key == "deadline":
        return fmt_date(value)
    return fmt_money(value, currency)


LEVER_LABELS = {"multiplier": "All estimates", "risks": "Risk register", "levelled": "Resource levelling",
                "deadline": "Deadline", "budget": "Budget"}


def live_only(project: Project, levers) -> list[str]:
    """The levers of the live dashboard that a grid over ``levers`` does not hold, as the page names them.

    >>> import pmsim as pm
    >>> p = pm.read_project(pm.data_path("agile/platform_hybrid"))
    >>> live_only(p, grid_levers(p))[:2]
    ['DEV scope growth, team throughput ×, weeks of history', "each phase's multiplier"]
    """
    out = []
    for task in backlog_tasks(project):
        names = [f"{lever}:{task.id}" for lever in BACKLOG_LEVER_NAMES if f"{lever}:{task.id}" not in levers]
        labels = [backlog_label(project, n).removeprefix(f"{task.id} ") for n in names]
        if labels:
            out.append(f"{task.id} {', '.join(labels)}")
    if project.phases:
        out.append("each phase's multiplier")
    if any(not t.milestone and t.estimate.kind != "backlog" for t in project.tasks):
        out.append("one task's three-point estimate")
    if project.resources:
        out.append("resource capacities")
    if project.risks:
        out.append("one risk at a time and its probability" + (", risk responses" if any(
            r.has_response for r in project.risks) else ""))
    out += ["correlation in phase", "runs and seed"]
    return out


class OfflineGrid:
    """The headline numbers of every combination of the grid's levers, ready for a static page.

    Parameters
    ----------
    project : Project
    iterations : int
        Monte Carlo iterations per combination (those of the dashboard).
    seed : int
        The seed of every combination (common random numbers, as in
        :func:`pmsim.sweep`).
    levers : dict, optional
        Lever -> values (see :func:`pmsim.widgets.offline_grid.grid_levers`, the default); each list
        must hold the project's own value (the plan's row).
    budget : float, optional
        The budget the plan is read against when the project has none (the
        dashboard's budget control starts at the plan's cost).

    Attributes
    ----------
    levers : dict
        The levers and their values, in the grid's order.
    rows : list of dict
        One per combination, the last lever varying fastest: the headline
        numbers (:data:`pmsim.widgets.HEADLINE_KEYS`).
    simulations : int
        How many simulations the grid took (deadlines and budgets take none).
    """

    def __init__(self, project: Project, iterations: int = 10_000, seed=0, levers: dict | None = None,
                 budget: float | None = None):
        self.project = project
        self.budget = project.budget if budget is None else float(budget)
        self.iterations, self.seed = check_iterations(iterations), resolve_seed(seed)
        levers = dict(grid_levers(project, budget=self.budget) if levers is None else levers)
        if "levelled" in levers and True in levers["levelled"]:
            try:  # levelling refused (a task demands more than a capacity): the grid does without it
                level(project)
            except PmsimError:
                levers["levelled"] = [False]
        self.levers = {k: list(v) for k, v in levers.items() if v}
        self.plan_choice = self._plan_choice()
        simulated = [k for k in self.levers if k not in ("deadline", "budget")]
        targets = [k for k in self.levers if k in ("deadline", "budget")]
        self.simulations = 0
        numbers: dict[tuple, dict] = {}
        for combo in itertools.product(*(self.levers[k] for k in simulated)):
            choice = dict(zip(simulated, combo))
            settings = settings_of(project, choice)
            changed = Scenario.from_settings("grid", settings).apply(project)
            sim = simulate(changed, iterations=self.iterations, seed=self.seed, levelled=bool(choice.get("levelled")))
            self.simulations += 1
            for target in itertools.product(*(self.levers[k] for k in targets)):
                t = dict(zip(targets, target))
                numbers[combo + target] = headline(sim, t.get("deadline"), t.get("budget", self.budget))
        order = simulated + targets
        self.rows = []
        for combo in itertools.product(*(self.levers[k] for k in self.levers)):
            choice = dict(zip(self.levers, combo))
            self.rows.append(numbers[tuple(choice[k] for k in order)])

    def _plan_choice(self) -> dict:
        p = self.project
        own = {"multiplier": 1.0, "risks": True, "levelled": False, "deadline": p.deadline, "budget": self.budget}
        own.update({f"items:{t.id}": t.estimate.items for t in backlog_tasks(p)})
        for key, values in self.levers.items():
            if own[key] not in values:
                raise PmsimError(f"the grid's {key} values {values} do not hold the plan's {own[key]!r}")
        return {k: own[k] for k in self.levers}

    def index(self, choice: dict) -> int:
        """The row of a combination (lever -> one of its values)."""
        i = 0
        for key, values in self.levers.items():
            i = i * len(values) + values.index(choice[key])
        return i

    def numbers(self, choice: dict) -> dict:
        """The headline numbers of a combination."""
        return self.rows[self.index(choice)]

    def data(self) -> dict:
        """The grid as the page's script reads it: levers, and each row's cards as the live dashboard shows them.

        Texts are kept once in ``texts``; a row holds, for each card, the
        index of its value, the index of its note and the note's sign
        (+1 worse than the plan, -1 better, 0 no difference).
        """
        p, currency = self.project, self.project.currency
        plan = self.numbers(self.plan_choice)
        texts: list[str] = []
        where: dict[str, int] = {}

        def text(s: str) -> int:
            if s not in where:
                where[s] = len(texts)
                texts.append(s)
            return where[s]

        value = re.compile(r"<div class='pmsim-value'>(.*?)</div><div class='pmsim-note'>(.*)</div>$")
        note_sign = re.compile(r"^<span class='pmsim-(up|down)'>(.*)</span>$")

        rows = []
        for combo, numbers in zip(itertools.product(*self.levers.values()), self.rows):
            choice = dict(zip(self.levers, combo))
            cards = headline_cards(numbers, choice.get("deadline", p.deadline), choice.get("budget", self.budget),
                                   currency, plan)
            row = []
            for key in HEADLINE_KEYS:
                v, note = value.search(cards[key]).groups()
                signed = note_sign.match(note)
                sign = 0 if signed is None else (1 if signed.group(1) == "up" else -1)
                row += [text(html.unescape(v)), text(html.unescape(signed.group(2) if signed else note)), sign]
            rows.append(row)
        return {
            "version": 1,
            "iterations": self.iterations,
            "seed": self.seed,
            "simulations": self.simulations,
            "cards": [LABELS[k] for k in HEADLINE_KEYS],
            "keys": list(HEADLINE_KEYS),
            "levers": [{"key": k, "id": re.sub(r"[^A-Za-z0-9_-]", "-", k), "label": self._label(k),
                        "kind": "switch" if k in ("risks", "levelled") else "steps",
                        "values": [_lever_text(k, v, currency) for v in vals],
                        "plan": vals.index(self.plan_choice[k])} for k, vals in self.levers.items()],
            "live_only": live_only(p, self.levers),
            "currency": currency_label(currency),
            "texts": texts,
            "rows": rows,
        }

    def _label(self, key: str) -> str:
        return backlog_label(self.project, key) or LEVER_LABELS[key]

    def html(self) -> str:
        """The grid and the script that reads it, for a notebook's output (nothing visible by itself)."""
        payload = json.dumps(self.data(), ensure_ascii=True, separators=(",", ":"))
        payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        script = resources.files(__package__).joinpath("offline_grid.js").read_text(encoding="utf-8")
        return (f"<script type='application/json' class='pmsim-offline-grid'>{payload}</script>"
                f"<script>{script}</script>")

    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        levers = ", ".join(f"{k} {len(v)}" for k, v in self.levers.items())
        return (f"OfflineGrid({len(self.rows)} combinations of {levers}; {self.simulations} simulations of "
                f"{self.iterations:,} runs, seed {self.seed})")
