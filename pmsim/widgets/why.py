"""The dashboard's "Why?" answer: a saved scenario against the plan, as a waterfall and a table (pm.explain)."""

from __future__ import annotations

import io

import ipywidgets as w
import pandas as pd

from .view import esc

__all__ = ["WhyView", "waterfall_png"]


def waterfall_png(explained: pd.DataFrame, column: str = "p80") -> bytes:
    """The waterfall of ``explained`` as PNG bytes (drawn on its own figure, no pyplot state)."""
    from matplotlib.figure import Figure

    from .. import plot

    k = len(explained)
    fig = Figure(figsize=(max(6.0, 1.0 * (k + 2) + 2), 4.6))
    ax = fig.add_subplot()
    plot.waterfall(explained, ax=ax, column=column)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return buffer.getvalue()


def _table_html(explained: pd.DataFrame, currency: str) -> str:
    rows = []
    for group, row in explained.iterrows():
        detail = explained.attrs.get("details", {}).get(group, "")
        rows.append(f"<tr><td><b>{esc(group)}</b><div class='pmsim-diff'>{esc(detail)}</div></td>"
                    f"<td>{row['p50']:+.1f} d</td><td>{row['p80']:+.1f} d</td>"
                    f"<td>{row['expected_cost']:+,.0f} {esc(currency)}</td></tr>")
    start, end = explained.attrs["start"], explained.attrs["end"]
    head = "<tr><th>change</th><th>P50</th><th>P80</th><th>expected cost</th></tr>"
    ends = (f"<tr><td>plan</td><td>{start['p50']:.1f} d</td><td>{start['p80']:.1f} d</td>"
            f"<td>{start['expected_cost']:,.0f} {esc(currency)}</td></tr>")
    total = (f"<tr><td><b>{esc(explained.attrs.get('change', 'scenario'))}</b></td><td>{end['p50']:.1f} d</td>"
             f"<td>{end['p80']:.1f} d</td><td>{end['expected_cost']:,.0f} {esc(currency)}</td></tr>")
    return f"<table class='pmsim-why-table'>{head}{ends}{''.join(rows)}{total}</table>"


class WhyView:
    """Where the answer shows, below the scenario table; hidden until a scenario's "Why?" is clicked."""

    def __init__(self):
        self.title = w.HTML()
        self.image = w.Image(format="png")
        self.image.add_class("pmsim-plot")  # a figure pmsim drew, like the dashboard's plots
        self.image.add_class("pmsim-image-why")
        self.table = w.HTML()
        close = w.Button(description="Close", layout=w.Layout(width="auto"))
        close.on_click(lambda _: self.hide())
        self.close_button = close
        self.widget = w.VBox([self.title, self.table, close], layout=w.Layout(display="none"))
        self.widget.add_class("pmsim-why")

    def _picture(self, png: bytes) -> None:
        """The waterfall, on the page only while there is one (an empty image is a broken one)."""
        self.image.value = png
        shown = [self.title, self.image, self.table, self.close_button] if png else \
            [self.title, self.table, self.close_button]
        if list(self.widget.children) != shown:
            self.widget.children = shown

    def working(self, name: str) -> None:
        self.widget.layout.display = None
        self.title.value = f"<h3>Why did {esc(name)} change? Simulating every mix of its changes…</h3>"
        self._picture(b"")
        self.table.value = ""

    def show(self, name: str, explained: pd.DataFrame, currency: str) -> None:
        self.widget.layout.display = None
        runs = (f"{explained.attrs['iterations']:,} iterations, seed {explained.attrs['seed']}, "
                f"{explained.attrs['coalitions']} runs on common random numbers")
        self.title.value = (f"<h3>Why did {esc(name)} change against the plan?</h3>"
                            f"<div class='pmsim-diff'>{esc(runs)}; each share is the change's Shapley value "
                            "(its effect averaged over every order of applying the changes)</div>")
        self._picture(waterfall_png(explained) if len(explained) else b"")
        self.table.value = _table_html(explained, currency) if len(explained) else \
            "<p>This scenario changes nothing that moves the finish or the cost.</p>"

    def failed(self, name: str, message: str) -> None:
        self.widget.layout.display = None
        self.title.value = f"<h3>Why did {esc(name)} change?</h3><div class='pmsim-error'>{esc(message)}</div>"
        self._picture(b"")
        self.table.value = ""

    def hide(self) -> None:
        self.widget.layout.display = "none"
