"""MSPDI baselines: a task's ``Baseline`` elements (Number 0 is MS Project's Baseline, 1..10 Baseline1..Baseline10).

:func:`read_baselines` turns them into :class:`pmsim.Baseline` objects; :func:`baseline_slots`
gives each of a project's baselines its number for the writer and :func:`baseline_element` writes
one. MSPDI has numbered slots, not names: pmsim's own settings field keeps the names it wrote.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

from ...errors import PmsimError
from ...model import Baseline
from .._exchange import decimal_text
from .fields import FORMAT_DAYS, FORMAT_ELAPSED_DAYS, Q, duration_text, stamp, sub

__all__ = ["read_baselines", "baseline_slots", "baseline_element", "slot_name", "SLOTS"]

SLOTS = 11  # Baseline and Baseline1 .. Baseline10
_CANONICAL = re.compile(r"baseline ?(\d{0,2})", re.IGNORECASE)


def slot_name(number: int) -> str:
    """MS Project's name of baseline slot ``number``: ``Baseline``, ``Baseline1`` .. ``Baseline10``."""
    return "Baseline" if number == 0 else f"Baseline{number}"


def read_baselines(doc, leaves, names: dict | None) -> tuple:
    """The baselines the leaf tasks carry, one per slot used, in slot order.

    ``names`` maps slot numbers (as text) to the names pmsim wrote (its settings field): then only
    those slots are read, under those names. A Baseline element without both a Start and a Finish
    (MS Project writes cost- or work-only ones) leaves that task out of that baseline.
    """
    rows: dict[int, list] = {}
    for rec in leaves:
        for el in rec["el"].findall(Q + "Baseline"):
            label = f"{rec['label']}: Baseline"
            number = doc.int(el, "Number", label)
            if number is None or not 0 <= number < SLOTS:
                doc.fail(label, f"Number must be 0 to 10 (Baseline, Baseline1 .. Baseline10), got {number}")
            if names is not None and str(number) not in names:
                continue
            start, finish = doc.datetime(el, "Start", label), doc.datetime(el, "Finish", label)
            if start is None or finish is None:
                continue
            text = doc.text(el, "Duration")
            minutes = doc.task_minutes(rec, "Baseline Duration", text) if text is not None else None
            days = max(minutes or 0.0, 0.0) / rec["day"]
            cost = doc.float(el, "Cost", label)
            # A zero-duration task's baseline start may be the next working moment after its finish.
            rows.setdefault(number, []).append((rec["id"], min(start, finish), finish, days,
                                                None if cost is None else max(cost, 0.0) / 100))
    out = []
    for number in sorted(rows):
        name = names[str(number)] if names is not None else slot_name(number)
        try:
            out.append(Baseline(name, tuple(rows[number])))
        except PmsimError as exc:
            raise exc.with_context(f"{doc.path}: {slot_name(number)}") from None
    return tuple(out)


def baseline_slots(baselines, notes) -> dict[int, Baseline]:
    """The slot each baseline is written to: ``Baseline`` and ``Baseline<k>`` (any case, a space
    allowed) to their own, the others in order to the free ones from Baseline (0) on. Past eleven,
    the rest are left out, with a note."""
    slots: dict[int, Baseline] = {}
    others = []
    for b in baselines:
        match = _CANONICAL.fullmatch(b.name)
        number = (int(match[1]) if match[1] else 0) if match else None
        if number is not None and number < SLOTS and number not in slots:
            slots[number] = b
        else:
            others.append(b)
    free = [k for k in range(SLOTS) if k not in slots]
    for b, k in zip(others, free):
        slots[k] = b
    for b in others[len(free):]:
        notes.note("baselines beyond eleven (left out: MSPDI holds Baseline and Baseline1..10)", b.name)
    return dict(sorted(slots.items()))


def baseline_element(el: ET.Element, number: int, start: dt.datetime, finish: dt.datetime, duration: float,
                     cost: float | None, minutes_per_day: float, work: float | None = None,
                     elapsed: bool = False) -> None:
    """A ``Baseline`` element of slot ``number`` under a task."""
    base = sub(el, "Baseline")
    sub(base, "Number", number)
    sub(base, "Start", stamp(start))
    sub(base, "Finish", stamp(finish))
    sub(base, "Duration", duration_text(duration, minutes_per_day))
    sub(base, "DurationFormat", FORMAT_ELAPSED_DAYS if elapsed else FORMAT_DAYS)
    if work is not None:
        sub(base, "Work", duration_text(work, minutes_per_day))
    if cost is not None:
        sub(base, "Cost", decimal_text(cost * 100))


def task_baselines(el: ET.Element, task, rows_by_slot: dict | None, plan: tuple, minutes_per_day: float,
                   elapsed: bool) -> None:
    """A task's ``Baseline`` elements: each saved baseline holding it in its slot, or with none saved, the
    schedule written (``plan``: start, finish, duration, cost, work) as baseline 0."""
    if rows_by_slot is None:
        start, finish, duration, cost, work = plan
        baseline_element(el, 0, start, finish, duration, cost, minutes_per_day, work if task.resources else None,
                         elapsed)
        return
    units = sum(u for _, u in task.resources)
    for k, rows in rows_by_slot.items():
        if task.id in rows:
            _, start, finish, duration, cost = rows[task.id]
            baseline_element(el, k, start, finish, duration, cost, minutes_per_day,
                             units * duration if task.resources else None, elapsed)
