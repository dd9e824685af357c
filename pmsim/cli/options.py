"""What the commands share: their options, the project path, progress data, and where text goes.

Every command takes ``PATH`` (a project folder or file, or the name of a
sample project) and ``--quiet``; the ones that answer with numbers take
``--json`` (one JSON object on stdout) or ``--table`` (every row);
``--progress FILE`` always means progress data (what was done by a status
date), never a progress bar.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

import pmsim as pm

from ..errors import FileFormatError, ValidationError
from ..terminal_text import for_terminal

__all__ = ["Command", "add_path", "add_output_choice", "add_quiet", "add_progress", "project_path",
           "read_progress_for", "choose_status_date", "say", "note", "is_quiet"]


@dataclass(frozen=True)
class Command:
    """A subcommand: its name, one line of help, ``arguments(parser)`` and ``run(args) -> int``."""

    name: str
    help: str
    arguments: Callable
    run: Callable


def add_path(parser) -> None:
    parser.add_argument("path", metavar="PATH",
                        help="a project folder or file (.xlsx, .xml, .xer, .sm, .rcp), or a sample "
                             "project's name (erp_upgrade, textbook, ...)")


def add_output_choice(parser, table_help: str) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--table", action="store_true", help=table_help)
    group.add_argument("--json", action="store_true", help="print one JSON object on stdout (stable keys)")


def add_quiet(parser) -> None:
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress bar and no notes on stderr (errors still show)")


def add_progress(parser, what: str) -> None:
    parser.add_argument("--progress", metavar="FILE",
                        help=f"progress data: a progress CSV or a folder of them ({what})")
    parser.add_argument("--status-date", metavar="DATE",
                        help="the data date, YYYY-MM-DD (default: the one the progress data holds, "
                             "else the project's status_date, else the latest)")


def is_quiet(args) -> bool:
    return bool(getattr(args, "quiet", False))


def say(text: str = "") -> None:
    """Print text for people on stdout, made safe for the terminal line by line."""
    sys.stdout.write(for_terminal(text, keep_newlines=True) + "\n")


def note(args, text: str) -> None:
    """A remark on stderr (which sample was used, which status date), unless ``--quiet``."""
    if not is_quiet(args):
        sys.stderr.write(f"pmsim: {for_terminal(text)}\n")


def project_path(args) -> Path:
    """``PATH`` as given, or the sample project of that name when no such file or folder exists."""
    path = Path(args.path)
    if path.exists() or path.parent != Path("."):
        return path
    samples = pm.sample_projects()
    if args.path in samples:
        found = pm.data_path(args.path)
        note(args, f"no {args.path!r} here: using the sample project {args.path} ({found})")
        return found
    raise FileFormatError(f"{args.path}: no such file or folder (sample projects: {', '.join(samples)})")


def read_progress_for(args, path: Path, *, required: bool) -> pd.DataFrame | None:
    """The progress table of ``--progress FILE``, else (when ``required``) the project folder's."""
    if args.progress:
        return pm.read_progress(args.progress)
    if not required:
        return None
    folder = path if path.is_dir() else path.parent
    return pm.read_progress(folder)


def choose_status_date(args, project, progress: pd.DataFrame) -> dt.date:
    """The status date: ``--status-date``, else the progress data's own, else the project's.

    A table of several status dates gives the project's ``status_date`` when it
    is one of them, else the latest, with a note naming the others.
    """
    from ..calendar import as_date

    if args.status_date:
        return as_date("--status-date", args.status_date)
    if "status_date" in progress.columns:
        dates = sorted(progress["status_date"].dt.date.unique())
        if project.status_date is not None and as_date("status_date", project.status_date) in dates:
            chosen = as_date("status_date", project.status_date)
        else:
            chosen = dates[-1]
        if len(dates) > 1:
            others = ", ".join(str(d) for d in dates if d != chosen)
            note(args, f"status date {chosen} (the progress data also holds {others}; --status-date picks one)")
        return chosen
    if project.status_date is not None:
        return as_date("status_date", project.status_date)
    raise ValidationError("the progress data holds no status_date column and the project has no status_date; "
                          "give --status-date YYYY-MM-DD")
