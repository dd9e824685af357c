"""Resource levelling: schedules that never use more of a resource than it has.

:func:`level` moves tasks later, as little as it can, so that at no moment
the units in use exceed a resource's capacity, every link and lag kept.
:func:`resource_profile` and :func:`overallocations` show what any schedule
asks of each resource, day by day. The method: ``docs/levelling.md``.

>>> import pmsim as pm
>>> p = pm.Project(name="x", start="2027-01-04",
...     tasks=[pm.Task("A", duration=3, resources={"dev": 1}),
...            pm.Task("B", duration=2, resources={"dev": 1})],
...     resources=[pm.Resource("dev", capacity=1)])
>>> s = pm.level(p)
>>> s.makespan, s.table["start"].tolist(), s.delay
(5.0, [0.0, 3.0], 2.0)
>>> s.held_back
   delay  own_delay resources via
id
B    3.0        3.0       dev
"""

from .heuristic import IMPROVE_SCHEDULES
from .profiles import overallocations, resource_profile
from .rules import RULES
from .solve import METHODS, level

__all__ = ["level", "resource_profile", "overallocations", "RULES", "METHODS", "IMPROVE_SCHEDULES"]
