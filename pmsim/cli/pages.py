"""``pmsim report`` (one offline HTML page) and ``pmsim dashboard`` (the live what-if page)."""

from __future__ import annotations

import os
from pathlib import Path

import pmsim as pm

from ..errors import PmsimError, ValidationError
from .options import Command, add_path, add_progress, add_quiet, choose_status_date, note, project_path, say

__all__ = ["COMMANDS", "check_output"]


def check_output(output: Path) -> None:
    """Refuse, before any work, an output path that cannot be written: a folder, or under a file.

    >>> import tempfile, pathlib
    >>> afile = pathlib.Path(tempfile.mkdtemp()) / "afile"
    >>> _ = afile.write_text("x")
    >>> check_output(afile / "sub" / "r.html")
    Traceback (most recent call last):
    ...
    pmsim.errors.ValidationError: cannot write .../afile/sub/r.html: .../afile is a file, not a folder
    """
    if output.is_dir():
        raise ValidationError(f"{output} is a folder; give the report's file name, e.g. {output / 'report.html'}")
    parent = output.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if parent.exists() and not parent.is_dir():
        raise ValidationError(f"cannot write {output}: {parent} is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ValidationError(f"cannot write {output}: no permission to write in {parent}")


def _report_arguments(parser) -> None:
    add_path(parser)
    parser.add_argument("-o", "--output", default="report.html", help="the HTML file to write (default report.html)")
    parser.add_argument("--iterations", type=int, default=10_000, help="Monte Carlo iterations (default 10000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0: the same report every time)")
    add_progress(parser, "adds earned value and a re-forecast; default: the project folder's progress.csv or "
                         "progress/")
    parser.add_argument("--dashboard", action="store_true",
                        help="write the what-if dashboard instead: its controls answer offline from scenarios "
                             "computed in advance (about 20 simulations)")
    add_quiet(parser)


def _report(args) -> int:
    from ..report import build_report, write_report

    output = Path(args.output)
    check_output(output)
    path = project_path(args)
    if args.dashboard:
        from ..report_pages import render_dashboard

        if args.progress:
            raise ValidationError("--dashboard shows the plan's what-if numbers; it takes no --progress")
        note(args, "computing the dashboard and its grid of scenarios (a minute or so)")
        render_dashboard(path, output, iterations=args.iterations, seed=args.seed)
    elif args.progress:
        project = pm.read_project(path)
        progress = pm.read_progress(args.progress)
        if args.status_date:  # the report re-forecasts from the latest status date: keep only the chosen one
            chosen = choose_status_date(args, project, progress)
            if "status_date" in progress.columns:
                progress = progress[progress["status_date"].dt.date == chosen].reset_index(drop=True)
        page = build_report(project, iterations=args.iterations, seed=args.seed, progress=progress, source=str(path))
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(page, encoding="utf-8")
    else:
        write_report(path, output, iterations=args.iterations, seed=args.seed)
    say(f"wrote {output} ({output.stat().st_size / 1e6:.1f} MB)")
    return 0


def _dashboard_arguments(parser) -> None:
    parser.add_argument("path", metavar="PATH", nargs="?", default=None,
                        help="the project to open (a folder, file or sample name); none: choose one in the page")
    parser.add_argument("--port", type=int, default=8866, help="the port on 127.0.0.1 (default 8866)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser; print the address")
    add_quiet(parser)


def _dashboard(args) -> int:
    path = project_path(args) if args.path is not None else None
    if path is not None:
        pm.read_project(path)  # a bad project fails here, in one line, before a server starts
    try:
        from ..widgets import serve
    except ModuleNotFoundError as exc:  # a package the server needs (Voila) is not installed
        raise PmsimError(f"the what-if dashboard needs {exc.name}: pip install 'pmsim[notebooks]'") from None
    except ImportError:  # this pmsim has no dashboard server
        raise PmsimError("this pmsim cannot serve the what-if dashboard of a project (no pmsim.widgets.serve); "
                         "make dashboard serves the sample's notebook") from None
    note(args, f"serving the what-if dashboard on http://127.0.0.1:{args.port}/ (Ctrl+C stops it)")
    serve(path, port=args.port, open_browser=not args.no_browser)
    return 0


COMMANDS = [
    Command("report", "the standard analysis of a project as one offline HTML page", _report_arguments, _report),
    Command("dashboard", "the what-if dashboard in a browser, served on 127.0.0.1", _dashboard_arguments,
            _dashboard),
]
