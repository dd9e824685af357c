"""Sphinx configuration of the documentation site: ``make docs`` builds it into build/docs/html/.

The source folder is the repository itself, narrowed to the README (the landing page), the guides
of ``docs/``, the notebooks (rendered with their committed outputs, never executed) and the API
reference (``docs/api/``, from the numpydoc docstrings). Every warning fails the build
(``make docs`` passes ``-W``), a broken cross-reference or a link to a missing page included.
"""

from __future__ import annotations

from docutils import nodes

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
    "sphinx-mathjax-offline",  # MathJax served from _static/mathjax, not from a CDN: the site opens offline
]

# The notebooks as committed: their outputs are the ones nbval checks in `make test`.
nb_execution_mode = "off"
# Widgets are drawn from the state saved in the notebook by the Jupyter widget manager, from the local
# copy `make report` uses (no CDN: the site opens offline); a note says that nothing recomputes there.
nb_ipywidgets_js = {"embed.js": {}}
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
    ("py:mod", "pmsim.limits"),
    ("py:func", "pmsim.io.csv_files.csv_text"),
    ("py:meth", "Schedule.times"),  # pmsim.Schedule.times, named from pmsim.plot without its package
]
nitpick_ignore_regex = [(r"py:.*", r"(numpy|pandas|matplotlib|scipy|networkx|ipywidgets|dask|datetime)\..*")]

html_theme = "furo"
html_title = "pmsim"
html_extra_path = ["_root"]  # docs/_root/index.html at the top of the site, sending the reader to docs/index.html
html_static_path = ["../pmsim/templates/lab_offline/embed.js"]  # to _static/embed.js
html_last_updated_fmt = None


def widget_note() -> nodes.note:
    text = nodes.paragraph()
    text += nodes.Text("The panel below is a picture of the notebook's last run: its controls move, but nothing "
                       "is computed in this page. For the live dashboard run ")
    text += nodes.literal(text="pmsim dashboard PATH")
    text += nodes.Text(" (any project) or ")
    text += nodes.literal(text="make dashboard")
    text += nodes.Text(".")
    return nodes.note("", text)


def note_widget_snapshots(app, doctree) -> None:
    """Put the note above every widget a notebook page shows."""
    for raw in list(doctree.findall(nodes.raw)):
        if "application/vnd.jupyter.widget-view+json" in raw.astext():
            raw.parent.insert(raw.parent.index(raw), widget_note())


def list_error_classes(app, docname, source) -> None:
    """The errors page documents every class of ``pmsim.errors.__all__`` (a new one appears by itself)."""
    if docname == "docs/api/errors":
        import pmsim.errors

        classes = "".join(f".. autoclass:: pmsim.{name}\n   :show-inheritance:\n\n" for name in pmsim.errors.__all__)
        source[0] += "\n```{eval-rst}\n" + classes + "```\n"


def setup(app):
    app.connect("doctree-read", note_widget_snapshots)
    app.connect("source-read", list_error_classes)
