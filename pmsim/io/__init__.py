"""Reading and writing projects.

:func:`read_project` and :func:`write_project` choose the format from the path:

=====================  ============================================
a folder               ``tasks.csv``, ``resources.csv``, ``risks.csv``, ``project.toml``
``.xlsx``              one workbook with sheets tasks / resources / risks / project
``.xml``               MS Project XML (MSPDI), or P6 XML (PMXML) when the root is ``<APIBusinessObjects>``
``.xer``               Primavera P6 XER
``.sm``, ``.rcp``      PSPLIB single-mode and Patterson instances (read only)
``.mpp``               binary MS Project, read through MPXJ (needs Java)
=====================  ============================================

XER and P6 XML files may hold several projects: ``read_project(path,
project="ID")`` picks one, :func:`list_projects` lists them.

A file that cannot be read raises a :class:`pmsim.FileFormatError` (or
another :class:`pmsim.PmsimError`) naming the file and row; nothing is ever
half-loaded.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

from ..errors import FileFormatError, ValidationError
from ..model import require_project
from ._files import as_path, input_file

__all__ = ["read_project", "write_project", "list_projects"]

# Formats whose files may hold several projects (read_project's project=, list_projects).
_MULTI = {"xer": "pmsim.io.xer", "pmxml": "pmsim.io.pmxml"}
_MARKUP = re.compile(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", re.S)
_FIRST_TAG = re.compile(r"<\s*(?:[\w.-]+:)?([\w.-]+)")


def _xml_root(path: Path) -> str:
    """The local name of an XML file's root element (read from its first 64 KB; "" when not found)."""
    try:
        with open(path, "rb") as f:
            head = f.read(1 << 16)
    except OSError:
        return ""
    codec = "utf-16" if head.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8"
    m = _FIRST_TAG.search(_MARKUP.sub("", head.decode(codec, errors="ignore")))
    return m.group(1) if m else ""

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
    if suffix == ".xml" and not writing and _xml_root(path) == "APIBusinessObjects":
        return ("pmxml", "read_pmxml", None)
    return _FORMATS[suffix]


def _existing(path) -> Path:
    """``path`` as a Path to a folder or a regular file (a named pipe or a device would block a reader)."""
    path = as_path(path, "read_project")
    if not path.exists():
        raise FileFormatError(f"{path}: no such file or folder")
    return path if path.is_dir() else input_file(path)


_KINDS = {"folder": "a project folder", "excel": "an .xlsx workbook", "mspdi": "an MS Project XML file",
          "xer": "an XER file", "pmxml": "a P6 XML file", "psplib": "a PSPLIB file"}


def read_project(path, project=None, **options):
    """Read a project from a folder or file; the format follows the suffix (and an ``.xml`` file's root).

    ``project`` picks one project of an XER or P6 XML file that holds several
    (its Project ID or number); by default the exported project that has
    activities. Other ``options`` go to the format's reader.

    >>> import pmsim as pm
    >>> p = pm.read_project(pm.data_path("textbook"))
    >>> len(p.tasks) > 0
    True
    """
    path = _existing(path)
    module, reader, _ = _format(path, writing=False)
    mod = importlib.import_module(f".{module}", __name__)
    if project is not None:
        if module not in _MULTI:
            raise FileFormatError(f"{path}: project={project!r} picks one project of an XER or P6 XML file; "
                                  "this format holds one project")
        options["project"] = project
    function = getattr(mod, reader)
    accepted = inspect.signature(function).parameters
    unknown = [k for k in options if k not in accepted]
    if unknown and not any(v.kind == v.VAR_KEYWORD for v in accepted.values()):
        known = [k for k, v in accepted.items() if k != "path" and v.default is not v.empty]
        kind = _KINDS.get(module, f"a {module} file")
        raise ValidationError(f"read_project({str(path)!r}): {kind} takes no option {', '.join(map(repr, unknown))}"
                              f"{'; it takes ' + ', '.join(known) if known else ''}")
    return function(path, **options)


def list_projects(path):
    """The projects an XER or P6 XML file holds: a DataFrame with one row each (``project``, the id
    ``read_project(path, project=...)`` takes, ``proj_id``, ``name``, ``activities``, ``exported``,
    ``start``, ``data_date``).

    >>> import pmsim as pm, pathlib
    >>> path = pathlib.Path(pm.data_path()).parent / "tests" / "data" / "real" / "ScheduleOptions.xer"
    >>> list_projects(path)[["project", "activities"]].values.tolist()
    [['NEWPROJ', 0], ['NEWPROJ-1', 0], ['NEWPROJ-2', 0], ['NEWPROJ-3', 0]]
    """
    path = _existing(path)
    module = _format(path, writing=False)[0]
    if module not in _MULTI:
        raise FileFormatError(f"{path}: only XER and P6 XML files hold several projects; this one holds one")
    return importlib.import_module(_MULTI[module]).list_projects(path)


def write_project(project, path, **options) -> Path:
    """Write ``project`` to a folder or file; the format follows the suffix.

    Returns the path written.
    """
    project = require_project(project, "write_project")
    path = as_path(path, "write_project")
    module, _, writer = _format(path, writing=True)
    if writer is None:
        raise FileFormatError(f"{path}: pmsim reads {path.suffix} files but does not write them")
    mod = importlib.import_module(f".{module}", __name__)
    getattr(mod, writer)(project, path, **options)
    return path
