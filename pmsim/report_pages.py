"""Pages rendered from notebooks with the offline template: the exporter, and the what-if dashboard of any project.

:func:`exporter` is nbconvert's HTML exporter with the ``lab_offline``
template (``pmsim/templates``): one self-contained page, the widget manager
inlined, nothing from a CDN. :func:`render_dashboard` (``pmsim report PATH
--dashboard``) runs the what-if dashboard of a project in a kernel and renders
it without its code; :mod:`pmsim.render` (``make report``) renders the
notebooks.
"""

from __future__ import annotations

from pathlib import Path

from .errors import PmsimError

__all__ = ["TEMPLATES", "exporter", "check_offline", "render_dashboard"]

TEMPLATES = Path(__file__).resolve().parent / "templates"


def exporter(**options):
    """nbconvert's HTML exporter with the offline template; ``options`` go to it (``exclude_input=True``...)."""
    try:
        from nbconvert import HTMLExporter
    except ModuleNotFoundError as exc:
        raise PmsimError(f"rendering a page needs {exc.name}: pip install 'pmsim[notebooks]'") from None
    return HTMLExporter(
        template_name="lab_offline",
        extra_template_basedirs=[str(TEMPLATES)],
        mathjax_url="",  # no CDN: formulas show as TeX source offline
        **options,
    )


def check_offline(body: str, source) -> None:
    """Refuse a page that would load something from a CDN.

    >>> check_offline("<script src='https://unpkg.com/x.js'></script>", "nb.ipynb")
    Traceback (most recent call last):
    ...
    RuntimeError: nb.ipynb: the rendered page still refers to a CDN
    """
    if "cdn.jsdelivr.net" in body or "unpkg.com" in body or "require.min.js" in body:
        raise RuntimeError(f"{source}: the rendered page still refers to a CDN")


_DASHBOARD_CELLS = (
    "import pmsim as pm\nproject = pm.read_project({path!r})",
    "dashboard = pm.widgets.WhatIf(project, iterations={iterations!r}, seed={seed!r})\ndashboard",
    "dashboard.offline_grid()",
)


def render_dashboard(path, output, iterations: int = 10_000, seed: int = 0, timeout: float = 1200) -> Path:
    """Write the what-if dashboard of the project at ``path`` as one offline page; returns the page's path.

    A notebook of three cells (read the project, the dashboard, its grid of
    scenarios computed in advance) is run in a kernel of this Python and
    rendered without its code. The page's controls answer from the grid in
    the browser (see :mod:`pmsim.widgets.offline_grid`); it says so.
    """
    try:
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError
    except ModuleNotFoundError as exc:
        raise PmsimError(f"the dashboard page needs {exc.name}: pip install 'pmsim[notebooks]'") from None

    from .io import read_project
    from .simulation import check_iterations

    path, output = Path(path).expanduser().resolve(), Path(output)
    project = read_project(path)  # a project that cannot be read fails here, before a kernel starts
    iterations = check_iterations(iterations)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c.format(path=str(path), iterations=iterations, seed=int(seed)))
                for c in _DASHBOARD_CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except CellExecutionError as exc:
        raise PmsimError(f"{path}: the dashboard could not be computed: {exc.ename}: {exc.evalue}") from None
    for cell in nb.cells:  # warnings of the run are for the terminal, not the page
        cell.outputs = [o for o in cell.get("outputs", []) if o.get("name") != "stderr"]
    page = exporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = page.from_notebook_node(nb, resources={"metadata": {"name": f"{project.name}: what if?"}})
    check_offline(body, path)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(body, encoding="utf-8")
    return output
