"""pm.plot.waterfall: the start, one floating bar per group of changes, the end."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import to_rgba

import pmsim as pm
from pmsim.plot._common import NEGATIVE, POSITIVE


@pytest.fixture(scope="module")
def explained():
    # One fixed task of 10 days with a certain 3-day risk: the scenario makes it 12 days (+2) and drops the
    # risk (-3): P80 13 -> 12.
    p = pm.Project(name="plan", start="2027-01-04", tasks=[pm.Task("A", duration=10, cost_per_day=100)],
                   risks=[pm.Risk("R1", "Vendor late", 1.0, tasks=("A",), impact=pm.Fixed(3))])
    return pm.explain(p, pm.Scenario("re-plan", tasks={"A": 1.2}, risks={"R1": False}), iterations=200, seed=1)


def bars(ax):
    return {p.get_gid(): p for p in ax.patches if p.get_gid()}


def test_bars_float_from_the_start_to_the_end(explained):
    ax = pm.plot.waterfall(explained)
    b = bars(ax)
    assert (b["waterfall:start"].get_y(), b["waterfall:start"].get_height()) == (0, pytest.approx(13))
    # estimates: from 13 up by 2; then the risk from 15 down by 3; the end bar stands at 12.
    assert b["waterfall:estimates"].get_y() == pytest.approx(13) and b["waterfall:estimates"].get_height() == \
        pytest.approx(2)
    assert b["waterfall:risk R1"].get_y() == pytest.approx(15) and b["waterfall:risk R1"].get_height() == \
        pytest.approx(-3)
    assert b["waterfall:end"].get_height() == pytest.approx(12)
    assert b["waterfall:estimates"].get_facecolor() == to_rgba(POSITIVE)
    assert b["waterfall:risk R1"].get_facecolor() == to_rgba(NEGATIVE)
    texts = {t.get_gid(): t.get_text() for t in ax.texts if t.get_gid()}
    assert texts["waterfall:estimates:text"] == "+2.0 d" and texts["waterfall:risk R1:text"] == "-3.0 d"
    assert texts["waterfall:start:text"] == "13.0 d" and texts["waterfall:end:text"] == "12.0 d"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["start", "estimates", "risk R1", "end"]
    assert "plan → re-plan" in ax.get_title()
    plt.close("all")


def test_cost_column_and_given_axes_keep_the_global_style(explained):
    before = dict(matplotlib.rcParams)
    fig, ax = plt.subplots()
    assert pm.plot.waterfall(explained, ax=ax, column="expected_cost") is ax
    texts = {t.get_gid(): t.get_text() for t in ax.texts if t.get_gid()}
    # 13 days at 100 (10 and the risk's 3) -> 12 days at 100: the estimates add 2 days (+200), the risk's
    # 3 days go (-300).
    assert texts["waterfall:estimates:text"] == "+200 USD" and texts["waterfall:risk R1:text"] == "-300 USD"
    assert texts["waterfall:start:text"] == "1.3k USD" and texts["waterfall:end:text"] == "1.2k USD"
    assert ax.get_ylabel() == "expected cost"
    assert dict(matplotlib.rcParams) == before
    plt.close("all")


@pytest.mark.parametrize("call, message", [
    (lambda e: pm.plot.waterfall(e[["p50"]]), None),
    (lambda e: pm.plot.waterfall(e, column="mean"), "column must be one of"),
    (lambda e: pm.plot.waterfall("table"), "needs the table pm.explain returned"),
])
def test_bad_input(explained, call, message):
    if message is None:  # a table without the columns: named
        with pytest.raises(pm.ValidationError, match="no column 'p80'"):
            call(explained)
    else:
        with pytest.raises(pm.ValidationError, match=message):
            call(explained)
    plt.close("all")
