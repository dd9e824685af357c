"""The what-if panel's widgets and where they sit on the page.

:class:`Parts` builds every output widget of a panel (cards, status line,
progress bar, error box, plots, the scenario area) and :func:`arrange` puts
them in the page: the headline at the top, sticky while the page scrolls;
controls beside the results where there is room, above them where there is
not (the style sheet's container queries decide); the saved scenarios below,
at the full width. The panel (:mod:`.panel`) only changes their values.
"""

from __future__ import annotations

import ipywidgets as w

from ..model import Project
from ..progress_bars import WidgetProgress
from .controls import control_tabs
from .scenario_table import ScenarioTable
from .view import HEADLINE_KEYS, currency_label, esc, fmt_date, style_sheet

PLOTS = ("histogram", "cdf", "tornado", "burn")  # in the grid, in this order; the Gantt chart below them


def _box(children, *classes: str) -> w.Box:
    box = w.Box(list(children))
    for c in classes:
        box.add_class(c)
    return box


class Parts:
    """The output widgets of a panel over ``project``."""

    def __init__(self, project: Project, on_save, on_restore, on_delete, on_reset_task):
        self.cards: dict[str, w.HTML] = {}
        for key in HEADLINE_KEYS:
            card = w.HTML("<div class='pmsim-label'>…</div>")
            card.add_class("pmsim-card")
            card.add_class(f"pmsim-{key.replace('_', '-')}")
            self.cards[key] = card
        self.error_box = w.HTML()
        self.error_box.add_class("pmsim-error-box")
        self.status = w.HTML()
        self.status.add_class("pmsim-status")
        self.progress = WidgetProgress("Simulating")
        self.progress.widget.layout = w.Layout(display="none")
        self.images = {name: w.Image(format="png") for name in (*PLOTS, "gantt")}
        for name, image in self.images.items():
            image.add_class("pmsim-plot")
            image.add_class(f"pmsim-image-{name}")
        self.scenario_name = w.Text(value="", placeholder="name of this scenario", layout=w.Layout(width="260px"))
        self.scenario_name.add_class("pmsim-scenario-name")
        self.save_button = w.Button(description="Save scenario", button_style="primary", layout=w.Layout(width="auto"))
        self.save_button.add_class("pmsim-save")
        self.save_button.on_click(lambda _: on_save())
        self.clear_task_button = w.Button(description="Reset this task", layout=w.Layout(width="auto"))
        self.clear_task_button.on_click(lambda _: on_reset_task())
        self.download = w.HTML()
        self.table = ScenarioTable(project, on_restore, on_delete)


def _title(project: Project) -> w.HTML:
    p = project
    facts = [f"{len(p.tasks):,} tasks", f"start {fmt_date(p.start)}"]
    if p.deadline is not None:
        facts.append(f"deadline {fmt_date(p.deadline)}")
    if p.budget is not None:
        facts.append(f"budget {p.budget:,.0f} {currency_label(p.currency)}")
    title = w.HTML(f"<h2>{esc(p.name)}</h2><div class='pmsim-subtitle'>{esc(' · '.join(facts))}</div>")
    title.add_class("pmsim-title")
    return title


STATIC_NOTE = ("<b>Static snapshot.</b> This page shows the numbers computed when it was made; its controls "
               "do not recompute here. For a live dashboard run <code>pmsim dashboard PROJECT</code> "
               "(or <code>make dashboard PROJECT=…</code>) and open the page it serves.")


def arrange(project: Project, controls: dict, parts: Parts, plots: bool) -> tuple[w.Box, dict]:
    """The panel's root widget, and its boxes by name (``header``, ``cards``, ``plots``, ``gantt``)."""
    tabs = control_tabs(project, controls, parts.clear_task_button)
    cards = _box(parts.cards.values(), "pmsim-cards")
    statusbar = _box([parts.progress.widget, parts.status], "pmsim-statusbar")
    header = _box([cards, statusbar, parts.error_box], "pmsim-header")
    plot_grid = _box([parts.images[k] for k in PLOTS], "pmsim-plots")
    gantt = _box([parts.images["gantt"]], "pmsim-gantt-box")
    results = _box([plot_grid, gantt] if plots else [], "pmsim-results")
    main = _box([_box([tabs], "pmsim-controls"), results], "pmsim-main")
    scenarios = _box([
        w.HTML("<h3>Scenarios</h3>"),
        _box([parts.scenario_name, parts.save_button, parts.download], "pmsim-save-row"),
        parts.table.widget,
    ], "pmsim-scenarios")
    # Shown only on a page that carries the widgets' state itself, without a kernel (see the style sheet).
    static = w.HTML(f"<div>{STATIC_NOTE}</div>")
    static.add_class("pmsim-static-note")
    root = _box([w.HTML(style_sheet()), _title(project), static, header, main, scenarios], "pmsim-whatif")
    return root, {"header": header, "cards": cards, "plots": plot_grid, "gantt": gantt, "tabs": tabs}
