"""The what-if panel's HTML: its style sheet, the headline cards and the table of saved scenarios.

Pure functions of the numbers they show; :func:`headline_cards` and
:func:`scenarios_table` return HTML strings for the panel's widgets.
"""

from __future__ import annotations

import base64
import html

import pandas as pd

from ..io.csv_files import csv_text

HEADLINE_KEYS = ("p50", "p80", "p_on_time", "p_on_budget", "jcl", "expected_cost")

CSS = """
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


def fmt_date(value) -> str:
    return "–" if value is None else pd.Timestamp(value).date().isoformat()


def fmt_share(value) -> str:
    return "–" if value is None else f"{value:.0%}"


def fmt_money(value: float, currency: str) -> str:
    return f"{value:,.0f} {currency}".strip()


def headline_cards(numbers: dict, deadline, budget: float, currency: str) -> dict[str, str]:
    """The HTML of each headline card, by key of ``numbers`` (those of :data:`HEADLINE_KEYS`).

    >>> headline_cards({"p50": None, "p80": None, "p_on_time": 0.5, "p_on_budget": 0.25, "jcl": None,
    ...                 "expected_cost": 1234.5}, None, 1000, "EUR")["p_on_time"]
    "<div class='pmsim-label'>P(on time)</div><div class='pmsim-value'>50%</div><div class='pmsim-note'>no deadline</div>"
    """
    def card(label, value, note=""):
        return (f"<div class='pmsim-label'>{label}</div><div class='pmsim-value'>{value}</div>"
                f"<div class='pmsim-note'>{note}</div>")

    return {
        "p50": card("P50 finish", fmt_date(numbers["p50"]), "half the runs finish by then"),
        "p80": card("P80 finish", fmt_date(numbers["p80"]), "80 % of the runs finish by then"),
        "p_on_time": card("P(on time)", fmt_share(numbers["p_on_time"]),
                          f"deadline {fmt_date(deadline)}" if deadline else "no deadline"),
        "p_on_budget": card("P(on budget)", fmt_share(numbers["p_on_budget"]),
                            f"budget {fmt_money(budget, currency)}"),
        "jcl": card("JCL", fmt_share(numbers["jcl"]), "on time and on budget"),
        "expected_cost": card("Expected cost", fmt_money(numbers["expected_cost"], currency), "mean of the runs"),
    }


def scenarios_table(table: pd.DataFrame, currency: str) -> str:
    """The saved scenarios as a compact table: the numbers first, then what was changed."""
    rows = []
    for name, row in table.iterrows():
        changes = [f"{k} {v:g}" if isinstance(v, float) else (k if v is True else f"{k} {v}")
                   for k, v in row.items()
                   if k not in ("iterations", "seed", "overrides", *HEADLINE_KEYS) and not pd.isna(v)]
        if row["overrides"]:
            changes.append(f"estimates {row['overrides']}")
        changes.append(f"{row['iterations']:,} it., seed {row['seed']}")
        cells = [name, fmt_date(row["p50"]), fmt_date(row["p80"]), fmt_share(row["p_on_time"]),
                 fmt_share(row["p_on_budget"]), fmt_share(row["jcl"]),
                 fmt_money(row["expected_cost"], currency), "; ".join(changes) or "as planned"]
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("scenario", "P50", "P80", "on time", "on budget", "JCL",
                                             "expected cost", "changes"))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def download_link(table: pd.DataFrame) -> str:
    """A link that saves ``table`` as scenarios.csv, with the data in the link itself."""
    data = base64.b64encode(csv_text(table, index=True).encode()).decode()
    return f"<a download='scenarios.csv' href='data:text/csv;base64,{data}' class='pmsim-download'>⬇ Export CSV</a>"
