"""The what-if panel's HTML: its style sheet, the headline cards, the status line and the error message.

Pure functions of the numbers they show. Every string that comes from a
project file (names, ids, the currency) is escaped here: the browser sets an
HTML widget's value as markup, so a script in a project name would run.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from importlib import resources

import pandas as pd

HEADLINE_KEYS = ("p50", "p80", "p_on_time", "p_on_budget", "jcl", "expected_cost")
LABELS = {"p50": "P50 finish", "p80": "P80 finish", "p_on_time": "P(on time)", "p_on_budget": "P(on budget)",
          "jcl": "JCL", "expected_cost": "Expected cost"}
_CURRENCY = re.compile(r"^[A-Za-z]{3}$|^[^\w\s<>&\"'`=]{1,3}$")


def style_sheet() -> str:
    """The panel's style sheet as a ``<style>`` element."""
    css = resources.files(__package__).joinpath("dashboard.css").read_text(encoding="utf-8")
    return f"<style>{css}</style>"


def currency_label(code) -> str:
    """The currency as shown: a three-letter code or a symbol of up to three characters, else ``'?'``.

    A project file may hold anything in its currency field; only a code
    such as ``EUR`` or a symbol such as ``€`` is shown (escaped, as all text).

    >>> currency_label("EUR"), currency_label("€"), currency_label("<img src=x onerror=alert(1)>")
    ('EUR', '€', '?')
    """
    text = str(code or "").strip()
    return text if _CURRENCY.match(text) else "?"


def esc(value) -> str:
    """Text for HTML: escaped, quotes included.

    >>> esc("<b>R&D</b> 'x'")
    '&lt;b&gt;R&amp;D&lt;/b&gt; &#x27;x&#x27;'
    """
    return html.escape(str(value), quote=True)


def fmt_date(value) -> str:
    return "–" if value is None else pd.Timestamp(value).date().isoformat()


def fmt_share(value) -> str:
    return "–" if value is None else f"{value:.0%}"


def fmt_money(value: float, currency: str) -> str:
    return f"{value:,.0f} {currency_label(currency)}"


def fmt_days(days: int) -> str:
    """A signed number of calendar days: ``'+12 days'``, ``'−1 day'``, ``'same date'``."""
    if days == 0:
        return "same date"
    return f"{'+' if days > 0 else '−'}{abs(days):,} day{'s' if abs(days) != 1 else ''}"


def differences(numbers: dict, plan: dict | None, currency: str) -> dict[str, tuple[str, int]]:
    """Each headline number against the plan's: key -> (text, sign), sign +1 when worse, -1 when better.

    Dates differ in calendar days, shares in percentage points, cost in money.

    >>> d = differences({"p50": dt.date(2027, 3, 10), "p80": None, "p_on_time": 0.4, "p_on_budget": None,
    ...                  "jcl": None, "expected_cost": 1500.0},
    ...                 {"p50": dt.date(2027, 3, 1), "p80": None, "p_on_time": 0.55, "p_on_budget": None,
    ...                  "jcl": None, "expected_cost": 1500.0}, "EUR")
    >>> d["p50"], d["p_on_time"], d["expected_cost"]
    (('+9 days', 1), ('−15 pts', 1), ('same cost', 0))
    """
    out: dict[str, tuple[str, int]] = {}
    if not plan:
        return out
    for key in ("p50", "p80"):
        if numbers.get(key) is not None and plan.get(key) is not None:
            days = (pd.Timestamp(numbers[key]) - pd.Timestamp(plan[key])).days
            out[key] = (fmt_days(days), (days > 0) - (days < 0))
    for key in ("p_on_time", "p_on_budget", "jcl"):
        if numbers.get(key) is not None and plan.get(key) is not None:
            points = round(100 * (numbers[key] - plan[key]))
            text = "same" if points == 0 else f"{'+' if points > 0 else '−'}{abs(points)} pts"
            out[key] = (text, (points < 0) - (points > 0))
    cost, base = numbers.get("expected_cost"), plan.get("expected_cost")
    if cost is not None and base is not None:
        delta = round(cost - base)
        text = "same cost" if delta == 0 else f"{'+' if delta > 0 else '−'}{fmt_money(abs(delta), currency)}"
        out["expected_cost"] = (text, (delta > 0) - (delta < 0))
    return out


def headline_cards(numbers: dict, deadline, budget: float, currency: str, plan: dict | None = None) -> dict[str, str]:
    """The HTML of each headline card, by key of ``numbers`` (those of :data:`HEADLINE_KEYS`).

    With ``plan`` (the headline numbers of the project as it is), each card
    also says how far its number is from the plan's.

    >>> headline_cards({"p50": None, "p80": None, "p_on_time": 0.5, "p_on_budget": 0.25, "jcl": None,
    ...                 "expected_cost": 1234.5}, None, 1000, "EUR")["p_on_time"]
    "<div class='pmsim-label'>P(on time)</div><div class='pmsim-value'>50%</div><div class='pmsim-note'>no deadline</div>"
    """
    notes = {
        "p50": "half the runs finish by then",
        "p80": "80 % of the runs finish by then",
        "p_on_time": f"by {fmt_date(deadline)}" if deadline else "no deadline",
        "p_on_budget": f"within {fmt_money(budget, currency)}" if budget is not None else "no budget",
        "jcl": "on time and on budget",
        "expected_cost": "mean of the runs",
    }
    values = {"p50": fmt_date(numbers["p50"]), "p80": fmt_date(numbers["p80"]),
              "p_on_time": fmt_share(numbers["p_on_time"]), "p_on_budget": fmt_share(numbers["p_on_budget"]),
              "jcl": fmt_share(numbers["jcl"]), "expected_cost": fmt_money(numbers["expected_cost"], currency)}
    changed = differences(numbers, plan, currency)
    out = {}
    for key in HEADLINE_KEYS:
        note = esc(notes[key])
        if key in changed and changed[key][1] != 0:
            text, sign = changed[key]
            note = f"<span class='{'pmsim-up' if sign > 0 else 'pmsim-down'}'>{esc(text)} vs. plan</span>"
        out[key] = (f"<div class='pmsim-label'>{esc(LABELS[key])}</div><div class='pmsim-value'>{esc(values[key])}</div>"
                    f"<div class='pmsim-note'>{note}</div>")
    return out


def status_html(iterations: int, seed: int, levelled: bool, timings: dict) -> str:
    """The status line after an update: what the numbers are, with the timings in a tooltip.

    >>> status_html(10_000, 0, False, {"numbers": 0.042, "plots": 0.8})
    "<span class='pmsim-updated' title='numbers in 42 ms, plots in 800 ms'>Updated: 10,000 runs, seed 0.</span>"
    """
    detail = ", ".join(f"{name} in {seconds * 1000:,.0f} ms" for name, seconds in timings.items())
    what = f"Updated: {iterations:,} runs, seed {seed}" + (", resources levelled" if levelled else "")
    return f"<span class='pmsim-updated' title='{esc(detail)}'>{esc(what)}.</span>"


def error_html(label: str | None, message: str) -> str:
    """The message shown when an edit is refused: which field, what is wrong, what the page shows meanwhile."""
    field = f"<b>{esc(label)}</b>: " if label else ""
    return (f"<div class='pmsim-error'>⚠ {field}{esc(message)} The numbers and plots (dimmed) are still "
            f"those of the last valid settings.</div>")
