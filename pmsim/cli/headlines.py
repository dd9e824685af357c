"""The headline facts every summary shares: the deadline and the budget against the plan."""

from __future__ import annotations

import datetime as dt

from .text import date_text, days, money, share

__all__ = ["deadline_text", "budget_text"]


def deadline_text(project, finish_days: float) -> str:
    """The deadline and how the finish compares: ``2027-09-17 (met, 18 working days to spare)``."""
    if project.deadline is None:
        return "none set (project.toml: deadline)"
    cal = project.calendar
    limit = cal.offset(project.start, project.deadline + dt.timedelta(days=1))  # to the end of the deadline
    spare = limit - finish_days
    if spare >= 0:
        return f"{date_text(project.deadline)} (met, {days(spare)} working days to spare)"
    return f"{date_text(project.deadline)} (missed by {days(-spare)} working days)"


def budget_text(project, cost: float, what: str) -> str:
    """The budget and ``what`` (a cost) against it: ``EUR 1,410,000 (baseline cost EUR 1,257,445: 89.2 %)``."""
    cur = project.currency
    if project.budget is None:
        return f"none set (project.toml: budget); {what} {money(cost, cur)}"
    if project.budget > 0:
        ratio = f": {share(cost / project.budget)} of it"
    else:
        ratio = ""
    return f"{money(project.budget, cur)} ({what} {money(cost, cur)}{ratio})"
