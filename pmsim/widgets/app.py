"""The dashboard as a page: a header with an "open project" control over the what-if panel of that project.

:class:`Dashboard` is what ``pmsim dashboard PATH`` serves (through the
notebook ``dashboard.ipynb`` beside this module, run by Voila): any project
pmsim reads (a folder of CSV files, ``.xlsx``, MS Project ``.xml`` or ``.mpp``,
Primavera ``.xer`` or P6 XML, PSPLIB), opened from a path on the machine that
serves the page or uploaded from the browser (a folder as a ``.zip``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

import ipywidgets as w

from ..errors import FileFormatError, PmsimError, ValidationError
from ..io import read_project
from .panel import WhatIf
from .view import esc, style_sheet

ENVIRONMENT = "PMSIM_DASHBOARD_PROJECT"  # the project the served page opens first
UPLOADS = (".xlsx", ".xml", ".xer", ".mpp", ".sm", ".zip")
MAX_UNZIPPED = 200 * 2**20  # bytes: a project folder is a few MB at most
MAX_MEMBERS = 2_000
HELP = ("Move a lever on the left: each change runs the Monte Carlo simulation again with the same seed, "
        "so two settings compare on the same random draws. Save a scenario to compare it with the plan.")


def _sample() -> Path:
    from .. import data_path

    return data_path("erp_upgrade")


def unpack(archive: Path, into: Path) -> Path:
    """Extract a zipped project folder safely; returns the folder that holds the project files.

    Refuses members outside ``into`` (absolute paths, ``..``), links, and
    archives that unpack to more than :data:`MAX_UNZIPPED` bytes or
    :data:`MAX_MEMBERS` files.
    """
    try:
        with zipfile.ZipFile(archive) as z:
            members = z.infolist()
            if len(members) > MAX_MEMBERS:
                raise FileFormatError(f"{archive.name}: {len(members):,} files in the archive; at most {MAX_MEMBERS:,}")
            if sum(m.file_size for m in members) > MAX_UNZIPPED:
                raise FileFormatError(f"{archive.name}: unpacks to more than {MAX_UNZIPPED // 2**20} MB")
            for m in members:
                name = PurePosixPath(m.filename)
                if name.is_absolute() or ".." in name.parts or (m.external_attr >> 16) & 0o170000 == 0o120000:
                    raise FileFormatError(f"{archive.name}: refused member {m.filename!r} (outside the folder, or a link)")
            z.extractall(into)
    except zipfile.BadZipFile as exc:
        raise FileFormatError(f"{archive.name}: not a zip archive ({exc})") from None
    found = sorted({p.parent for p in into.rglob("tasks.csv")}, key=lambda p: len(p.parts))
    if not found:
        raise FileFormatError(f"{archive.name}: no tasks.csv in the archive (zip a project folder)")
    return found[0]


class Dashboard:
    """A page over one project at a time: a title, an "open project" control, and its :class:`WhatIf` panel.

    Parameters
    ----------
    path : str or Path, optional
        The project to open first; the ERP sample project when None.
    iterations, seed :
        Of every panel opened (see :class:`WhatIf`).
    wait : bool
        Compute the first numbers of each panel before showing it; ``False``
        (a served page) shows the controls at once.

    Attributes
    ----------
    panel : WhatIf or None
        The what-if panel of the project open, None when none could be opened.
    message : ipywidgets.HTML
        What the last "open" did (the project opened, or why it could not be).
    widget : ipywidgets.Box
    """

    def __init__(self, path=None, iterations: int = 10_000, seed: int = 0, wait: bool = True):
        self.iterations, self.seed, self.wait = iterations, seed, wait
        self.panel: WhatIf | None = None
        self._uploads = tempfile.mkdtemp(prefix="pmsim-dashboard-")
        self.path = w.Text(placeholder="path to a project: a folder, .xlsx, .xml, .mpp, .xer", layout=w.Layout(
            flex="1 1 320px", min_width="200px"))
        self.path.add_class("pmsim-open-path")
        self.open_button = w.Button(description="Open", layout=w.Layout(width="auto"))
        self.open_button.add_class("pmsim-open")
        self.open_button.on_click(lambda _: self.open(self.path.value.strip()))
        self.upload = w.FileUpload(accept=",".join(UPLOADS), multiple=False, description="Upload a file",
                                   layout=w.Layout(width="auto"))
        self.upload.add_class("pmsim-upload")
        self.upload.observe(self._uploaded, names="value")
        self.message = w.HTML()
        self.message.add_class("pmsim-open-message")
        header = w.Box([
            w.HTML("<h1>pmsim · what-if dashboard</h1>"
                   f"<div class='pmsim-help'>{esc(HELP)}</div>"),
            w.Box([w.HTML("<b>Open project</b>"), self.path, self.open_button, self.upload, self.message]),
        ])
        header.children[1].add_class("pmsim-open-row")
        header.add_class("pmsim-app-header")
        self.body = w.Box()
        self.body.add_class("pmsim-app-body")
        self.widget = w.Box([w.HTML(style_sheet()), header, self.body])
        self.widget.add_class("pmsim-app")
        self.open(path if path is not None else _sample(), sample=path is None)

    def open(self, path, sample: bool = False, shown_as: str | None = None) -> bool:
        """Open the project at ``path`` (replacing the one shown); False, with a message, if it cannot be read.

        ``shown_as`` is the name the message gives the file (an upload's own name).
        """
        if not str(path).strip():
            self._say("Type the path of a project file or folder, or upload a file.", error=True)
            return False
        path = Path(os.path.expanduser(str(path)))
        uploaded = shown_as is not None
        shown_as = shown_as or path.name or str(path)
        try:
            project = read_project(path)
            panel = WhatIf(project, iterations=self.iterations, seed=self.seed, wait=self.wait)
        except (PmsimError, OSError) as exc:
            self._say(f"Could not open {shown_as}: {exc}", error=True)
            return False
        except Exception as exc:  # noqa: BLE001 - a reader's unexpected failure must not reach the page as a traceback
            self._say(f"Could not open {shown_as}: {type(exc).__name__}: {exc}", error=True)
            return False
        old, self.panel = self.panel, panel
        self.body.children = [panel.widget]
        if old is not None:
            old.close()
        # One line (cut short with an ellipsis where the row is narrow); the full path in its tooltip.
        where = "an uploaded file" if uploaded else str(path.resolve())
        if sample:
            self._say(f"Opened the sample project {project.name}", tooltip=f"{project.name}, from {where}")
        else:
            self._say(f"Opened {project.name} from {shown_as}", tooltip=f"{project.name}, from {where}")
        return True

    def _say(self, text: str, error: bool = False, tooltip: str | None = None) -> None:
        """Show what the last "open" did: a success on one line (full text in the tooltip), an error in full."""
        kind = "pmsim-open-error" if error else "pmsim-open-ok"
        self.message.value = f"<div class='{kind}' title='{esc(tooltip or text)}'>{esc(text)}</div>"

    def _uploaded(self, change) -> None:
        files = change["new"]
        if not files:
            return
        upload = files[0]
        self.upload.value = ()  # the bytes are not kept in the widget's state
        name = Path(str(upload["name"])).name  # never a path from the browser
        if Path(name).suffix.lower() not in UPLOADS:
            self._say(f"Could not open {name}: pmsim reads {', '.join(UPLOADS)} (a folder as a .zip)", error=True)
            return
        folder = Path(tempfile.mkdtemp(dir=self._uploads))
        target = folder / name
        target.write_bytes(bytes(upload["content"]))
        try:
            path = unpack(target, folder / "unpacked") if target.suffix.lower() == ".zip" else target
        except (PmsimError, ValidationError) as exc:
            self._say(f"Could not open {name}: {exc}", error=True)
            return
        self.open(path, shown_as=name)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    def close(self) -> None:
        """Close the panel and the page's widgets; remove uploaded files."""
        if self.panel is not None:
            self.panel.close()
        self.widget.close()
        shutil.rmtree(self._uploads, ignore_errors=True)


def app_from_environment() -> Dashboard:
    """The dashboard a served page shows: the project named by ``PMSIM_DASHBOARD_PROJECT`` (else the sample)."""
    path = os.environ.get(ENVIRONMENT) or None
    return Dashboard(path, wait=False)
