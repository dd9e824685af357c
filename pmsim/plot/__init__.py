"""Matplotlib figures of projects and results: each ``f(result, ax=None, ...) -> Axes``.

No function changes matplotlib's global style; each draws into ``ax`` or,
when it is None, into a new figure. Dates are on the axes (working-day
offsets are turned into dates with the project calendar; a calendar day D
spans [D, D + 1), so work finishing at the end of a day ends at the next
midnight), P-lines are labelled with their dates, and critical items share
one red, :data:`CRITICAL`.

==================  ===========================================================
schedule            :func:`gantt`, :func:`network`
simulation          :func:`histogram`, :func:`cdf`, :func:`tornado`,
                    :func:`criticality`, :func:`cost_histogram`, :func:`risk_ranking`,
                    :func:`merge_bias`
cost                :func:`budget_burn`, :func:`jcl`
what changed        :func:`waterfall`
resources           :func:`resource_profile`
earned value        :func:`evm`, :func:`finish_trend`, :func:`control_chart`
critical chain      :func:`fever_chart`
forecast quality    :func:`calibration`
throughput          :func:`burnup`, :func:`forecast_histogram`
==================  ===========================================================

>>> import pmsim as pm
>>> p = pm.Project(name="x", start="2027-01-04",
...     tasks=[pm.Task("A", duration=3), pm.Task("B", duration=2)],
...     dependencies=[pm.Dependency("A", "B")])
>>> ax = pm.plot.gantt(pm.cpm(p))
>>> ax.get_title()
'x: CPM schedule, finish Fri 08 Jan 2027'
"""

from ._common import CRITICAL
from .budget import budget_burn, jcl
from .chain import fever_chart
from .control import calibration, control_chart
from .evm import evm, finish_trend
from .forecast import burnup, forecast_histogram
from .merges import merge_bias
from .ranking import risk_ranking
from .resources import resource_profile
from .risk import cdf, cost_histogram, criticality, histogram, tornado
from .schedule import gantt, network
from .waterfall import waterfall

__all__ = [
    "CRITICAL", "gantt", "network", "histogram", "cdf", "tornado", "criticality", "cost_histogram",
    "budget_burn", "jcl", "resource_profile", "evm", "finish_trend", "risk_ranking", "burnup", "forecast_histogram",
    "waterfall", "merge_bias", "control_chart", "calibration", "fever_chart",
]
