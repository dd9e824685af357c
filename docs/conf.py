"""Sphinx configuration of the documentation site: ``make docs`` builds it into build/docs/html/.

The source folder is the repository itself, narrowed to the README (the landing page), the guides
of ``docs/``, the notebooks (rendered with their committed outputs, never executed) and the API
reference (``docs/api/``, from the numpydoc docstrings). Every warning fails the build
(``make docs`` passes ``-W``), a broken cross-reference or a link to a missing page included.
"""

from __future__ import annotations

import pmsim

project = "pmsim"
author = "pmsim developers"
release = version = pmsim.__version__

root_doc = "docs/index"
include_patterns = ["README.md", "docs/**", "notebooks/*.ipynb"]
exclude_patterns = ["docs/_root/**", "**/.ipynb_checkpoints/**"]

extensions = [
    "myst_nb",  # Markdown pages (MyST) and the notebooks
    "sphinx.ext.autodoc",
    "numpydoc",
    "sphinx.ext.mathjax",
]

# The notebooks as committed: their outputs are the ones nbval checks in `make test`.
nb_execution_mode = "off"
# Widget outputs need a kernel or the rendered report (`make report`); the site shows their text form.
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type"]

autodoc_typehints = "none"  # numpydoc's Parameters sections say the types, in words
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# A reference that names nothing fails the build (with make docs' -W), except these: the docstrings of
# the public API mention internal modules and helpers that the reference leaves out on purpose, and
# other projects' names (no intersphinx: the build runs offline).
nitpicky = True
nitpick_ignore = [
    ("py:mod", "pmsim.correlation"),
    ("py:mod", "pmsim.levelled_montecarlo"),
    ("py:func", "pmsim.reforecast.remaining_work"),
    ("py:func", "check_progress"),
    ("py:func", "make_estimate"),
    ("py:meth", "from_percentiles"),
    ("py:meth", "from_three_point"),
    ("py:func", "read_project"),
    ("py:func", "write_project"),
    ("py:data", "METRICS"),
    ("py:data", "pmsim.levelling.RULES"),
    ("py:class", "pmsim.calendar.worktime.WorkTable"),
]
nitpick_ignore_regex = [(r"py:.*", r"(numpy|pandas|matplotlib|scipy|networkx|ipywidgets|dask|datetime)\..*")]

html_theme = "furo"
html_title = "pmsim"
html_extra_path = ["_root"]  # (relative to docs/)  # index.html at the top, sending the reader to docs/index.html
html_static_path: list[str] = []
html_last_updated_fmt = None
