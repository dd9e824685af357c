"""Reading and writing projects.

:func:`read_project` and :func:`write_project` choose the format from the path:

=====================  ============================================
a folder               ``tasks.csv``, ``resources.csv``, ``risks.csv``, ``project.toml``
``.xlsx``              one workbook with sheets tasks / resources / risks / project
``.xml``               MS Project XML (MSPDI)
``.xer``               Primavera P6 XER
``.sm``, ``.rcp``      PSPLIB single-mode and Patterson instances (read only)
``.mpp``               binary MS Project, read through MPXJ (needs Java)
=====================  ============================================

A file that cannot be read raises a :class:`pmsim.FileFormatError` (or
another :class:`pmsim.PmsimError`) naming the file and row; nothing is ever
half-loaded.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from ..errors import FileFormatError

__all__ = ["read_project", "write_project"]

# suffix -> (module, reader, writer)
_FORMATS = {
    "": ("folder", "read_folder", "write_folder"),
    ".xlsx": ("excel", "read_xlsx", "write_xlsx"),
    ".xml": ("mspdi", "read_mspdi", "write_mspdi"),
    ".xer": ("xer", "read_xer", "write_xer"),
    ".sm": ("psplib", "read_psplib", None),
    ".rcp": ("psplib", "read_patterson", None),
    ".mpp": ("mpp", "read_mpp", None),
}


def _format(path: Path, writing: bool):
    if path.is_dir() or (writing and path.suffix == ""):
        return _FORMATS[""]
    suffix = path.suffix.lower()
    if suffix not in _FORMATS or suffix == "":
        known = ", ".join(s for s in _FORMATS if s)
        raise FileFormatError(f"{path}: unknown project format {suffix or '(no suffix)'!r}; use a folder or {known}")
    return _FORMATS[suffix]


def read_project(path, **options):
    """Read a project from a folder or file; the format follows the suffix.

    >>> import pmsim as pm
    >>> p = pm.read_project(pm.data_path("textbook"))
    >>> len(p.tasks) > 0
    True
    """
    path = Path(path)
    if not path.exists():
        raise FileFormatError(f"{path}: no such file or folder")
    module, reader, _ = _format(path, writing=False)
    mod = importlib.import_module(f".{module}", __name__)
    return getattr(mod, reader)(path, **options)


def write_project(project, path, **options) -> Path:
    """Write ``project`` to a folder or file; the format follows the suffix.

    Returns the path written.
    """
    path = Path(path)
    module, _, writer = _format(path, writing=True)
    if writer is None:
        raise FileFormatError(f"{path}: pmsim reads {path.suffix} files but does not write them")
    mod = importlib.import_module(f".{module}", __name__)
    getattr(mod, writer)(project, path, **options)
    return path
