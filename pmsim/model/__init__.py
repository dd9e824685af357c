"""The project model: frozen, validated objects.

``entities`` holds Task, Dependency, Resource and Risk; ``tables`` reads and
writes them as the tables of the file format; ``project`` holds the Project
that puts them together. The public names are re-exported here.

>>> from pmsim.model import Dependency
>>> Dependency("A", "B", "SS", 2).type
'SS'
"""

from .entities import LINK_TYPES, Dependency, Resource, Risk, Task
from .baselines import Baseline
from .project import Project, require_project

__all__ = ["Task", "Dependency", "Resource", "Risk", "Project", "Baseline", "LINK_TYPES", "require_project"]
