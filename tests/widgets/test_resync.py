"""A page that connects to a running kernel gets the widget updates it would drop while it builds its models.

The page asks for every widget's state (``request_states``) and then creates
its models; an update sent in between reaches no model and is lost. Here the
"page" is the control comm's answer; each widget's comm records what the
kernel sends it.
"""

from __future__ import annotations

import asyncio
import itertools
import time

import ipywidgets as w
import pytest
from ipywidgets import Widget

from pmsim.widgets import resync

REQUEST = {"content": {"data": {"method": "request_states"}}}
_ids = itertools.count()


class RecordingComm:
    """A comm to a page: keeps every message the kernel sends."""

    kernel = "a kernel"

    def __init__(self):
        self.comm_id = f"comm-{next(_ids)}"
        self.sent: list[dict] = []

    def on_msg(self, callback):
        pass

    def send(self, data=None, metadata=None, buffers=None):
        self.sent.append(data)

    def close(self, *args, **kwargs):
        pass


@pytest.fixture
def page(monkeypatch):
    """The installed resync with short delays, and a control comm standing for a page that connects."""
    installed = resync.install()
    monkeypatch.setattr(installed, "resend_after", (0.05, 0.15))
    control = RecordingComm()
    monkeypatch.setattr(Widget, "_control_comm", control)
    return installed, control


def _widget(value: str) -> tuple[w.HTML, RecordingComm]:
    widget = w.HTML(value)
    widget.comm = RecordingComm()
    return widget, widget.comm


def _values(comm: RecordingComm) -> list:
    return [m["state"].get("value") for m in comm.sent if m.get("method") == "update"]


def test_a_widget_updated_after_the_answer_is_sent_again_in_full(page):
    installed, control = page
    card, card_comm = _widget("…")
    status, status_comm = _widget("Simulating")

    async def connect():
        Widget._handle_control_comm_msg(REQUEST)  # the page got every state: the card still "…"
        card.value = "P80 2027-09-17"  # sent at once, while the page creates its models: dropped there
        await asyncio.sleep(0.3)

    asyncio.run(connect())
    # ipywidgets answered the page as before, with the card's state at the time of the question.
    (answer,) = control.sent
    assert answer["method"] == "update_states"
    assert answer["states"][card.model_id]["state"]["value"] == "…"
    # The update itself, then one full state per resend (0.05 and 0.15 s): the last one reaches a ready page.
    assert _values(card_comm) == ["P80 2027-09-17"] * 3
    assert {"value", "_dom_classes", "layout"} <= set(card_comm.sent[-1]["state"])
    # A widget the kernel did not update after the answer is not sent again (typing in a field is kept).
    assert status_comm.sent == []


def test_without_an_event_loop_the_resends_come_from_a_timer(page):
    card, card_comm = _widget("…")
    Widget._handle_control_comm_msg(REQUEST)
    card.value = "P50 2027-08-02"
    deadline = time.monotonic() + 5
    while len(card_comm.sent) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _values(card_comm) == ["P50 2027-08-02"] * 3


def test_updates_before_the_answer_are_not_sent_again(page):
    installed, _ = page
    card, card_comm = _widget("…")

    async def connect():
        card.value = "before the page asked"  # in the answer already
        Widget._handle_control_comm_msg(REQUEST)
        await asyncio.sleep(0.3)

    asyncio.run(connect())
    assert _values(card_comm) == ["before the page asked"]


def test_installing_twice_wraps_once():
    first = resync.install()
    assert resync.install() is first
    handler = Widget._handle_control_comm_msg
    resync.install()
    assert Widget._handle_control_comm_msg == handler
