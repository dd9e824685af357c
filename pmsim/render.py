"""Render notebooks to self-contained HTML pages that work offline.

``make report`` calls ``python -m pmsim.render notebooks build/report``: every
notebook becomes one HTML page (plots inlined as images, widget state
embedded, the widget manager inlined from a local copy: nothing loads from a
CDN), plus an ``index.html`` that links them.

The notebooks' committed outputs are rendered as they are; they are checked
against a fresh run by ``make test`` (nbval), so they are current.

``pmsim report PATH --dashboard`` calls
:func:`pmsim.report_pages.render_dashboard`: the what-if dashboard of any project as one such page, its controls answering from a grid
of scenarios computed in advance (:mod:`pmsim.widgets.offline_grid`).
"""

from __future__ import annotations

import html
import json
import sys
from pathlib import Path

from .report_pages import TEMPLATES, check_offline, render_dashboard
from .report_pages import exporter as _exporter

__all__ = ["TEMPLATES", "render_dashboard", "render_notebook", "render_notebooks"]


def notebook_title(nb) -> str:
    """The first Markdown heading of a notebook, else its file name."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return ""


def render_notebook(path, out_dir, exporter=None) -> Path:
    """Render one notebook to ``out_dir/<name>.html``; returns the page path."""
    import nbformat

    path, out_dir = Path(path), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    nb = nbformat.read(path, as_version=4)
    exporter = exporter or _exporter()
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
    check_offline(body, path)
    target = out_dir / f"{path.stem}.html"
    target.write_text(body, encoding="utf-8")
    return target


def render_notebooks(src="notebooks", out_dir="build/report") -> Path:
    """Render every notebook in ``src`` and write an index page; returns the index path."""
    import nbformat

    src, out_dir = Path(src), Path(out_dir)
    exporter = _exporter()
    entries = []
    for path in sorted(src.glob("*.ipynb")):
        page = render_notebook(path, out_dir, exporter)
        title = notebook_title(nbformat.read(path, as_version=4)) or path.stem
        entries.append((page.name, path.stem, title))
        print(f"rendered {path} -> {page}")
    items = "\n".join(
        f'<li><a href="{html.escape(href)}">{html.escape(title)}</a> <code>{html.escape(stem)}</code></li>'
        for href, stem, title in entries
    )
    index = out_dir / "index.html"
    index.write_text(
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>pmsim notebooks</title>"
        "<style>body{font-family:sans-serif;max-width:48em;margin:2em auto;line-height:1.5}</style></head>"
        f"<body><h1>pmsim notebooks</h1><p>Rendered pages: they work offline and no Python runs in them. "
        f"The what-if dashboard answers from scenarios computed in advance; for any other change serve the "
        f"live dashboard (<code>pmsim dashboard PROJECT</code> or <code>make dashboard</code>).</p>"
        f"<ul>{items}</ul></body></html>",
        encoding="utf-8",
    )
    (out_dir / "pages.json").write_text(json.dumps([e[0] for e in entries], indent=1))
    return index


if __name__ == "__main__":  # pragma: no cover - exercised by `make report` and its test
    args = sys.argv[1:] or ["notebooks", "build/report"]
    print(render_notebooks(*args))
