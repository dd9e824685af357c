"""The link codes and the one link rule every kernel uses."""

import numpy as np
import pytest

from pmsim._kernels import links
from pmsim.model import LINK_TYPES
from pmsim.network import LINK_CODE

CODES = {"FS": links.FS, "SS": links.SS, "FF": links.FF, "SF": links.SF}


def test_the_kernel_codes_are_the_positions_of_the_model_link_types():
    assert CODES == {name: LINK_TYPES.index(name) for name in LINK_TYPES}
    assert LINK_CODE == CODES


def test_the_mirror_turns_starts_into_finishes():
    assert {name: LINK_TYPES[links.MIRROR[code]] for name, code in CODES.items()} == {
        "FS": "FS", "SS": "FF", "FF": "SS", "SF": "SF"}


# Predecessor from 2 to 5, lag 1, successor of 4 days: the successor's earliest start.
# Successor from 10 to 14, lag 1, predecessor of 3 days: the predecessor's latest finish.
# Predecessor from 2 to 5, successor from 10 to 14, lag 1: the slack of the link.
RULE = [
    ("FS", 6.0, 9.0, 4.0),  # start >= 5 + 1; finish <= 10 - 1; 10 - 1 - 5
    ("SS", 3.0, 12.0, 7.0),  # start >= 2 + 1; start <= 10 - 1; 10 - 1 - 2
    ("FF", 2.0, 13.0, 8.0),  # finish >= 5 + 1; finish <= 14 - 1; 14 - 1 - 5
    ("SF", -1.0, 16.0, 11.0),  # finish >= 2 + 1; start <= 14 - 1; 14 - 1 - 2
]


@pytest.mark.parametrize("name, earliest, latest, slack", RULE)
def test_the_rule_by_hand(name, earliest, latest, slack):
    kind = CODES[name]
    assert links.earliest_start(kind, 2.0, 5.0, 1.0, 4.0) == earliest
    assert links.latest_finish(kind, 10.0, 14.0, 1.0, 3.0) == latest
    assert links.slack(kind, 2.0, 5.0, 10.0, 14.0, 1.0) == slack


@pytest.mark.parametrize("name", LINK_TYPES)
@pytest.mark.parametrize("lag", [-2.0, 0.0, 3.0])
def test_the_three_faces_of_the_rule_agree(name, lag):
    kind = CODES[name]
    pred_start, pred_finish, duration = 2.0, 5.0, 4.0
    start = links.earliest_start(kind, pred_start, pred_finish, lag, duration)
    # A successor at its earliest start leaves the link no slack, and lets the predecessor finish where it does.
    assert links.slack(kind, pred_start, pred_finish, start, start + duration, lag) == 0.0
    assert links.latest_finish(kind, start, start + duration, lag, pred_finish - pred_start) == pred_finish
    # In reversed time (a start at -finish) the mirrored link gives the predecessor's latest finish.
    mirrored = links.earliest_start(links.MIRROR[kind], -(start + duration), -start, lag, pred_finish - pred_start)
    assert -mirrored == pred_finish


@pytest.mark.parametrize("name", LINK_TYPES)
def test_over_a_chunk_of_iterations_the_rule_is_the_same(name):
    kind = CODES[name]
    rng = np.random.default_rng(1)
    start = rng.integers(0, 10, (2, 5)).astype(np.float32)
    duration = rng.integers(0, 4, (2, 5)).astype(np.float32)
    finish = start + duration
    lag = np.float32(-1.0)
    want = [max(start[1, t], links.earliest_start(kind, start[0, t], finish[0, t], lag, duration[1, t]))
            for t in range(5)]
    links.raise_to_earliest_starts(kind, start, finish, duration, 0, 1, lag, 5)
    assert start[1].tolist() == want
    dates = finish[0] if links.from_finish(kind) else start[0]
    assert [links.earliest_start_after(kind, dates[t], lag, duration[1, t]) for t in range(5)] == [
        links.earliest_start(kind, start[0, t], finish[0, t], lag, duration[1, t]) for t in range(5)]
