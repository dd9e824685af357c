"""The ``pmsim`` program: its parser, and one line on stderr for every error.

Bad input (a :class:`~pmsim.errors.PmsimError`), a file that cannot be read
or written, a wrong option: ``pmsim: error: ...`` on one line, exit status 2.
An error of pmsim itself is reported the same way, naming its type;
``PMSIM_DEBUG=1`` shows its traceback instead.
"""

from __future__ import annotations

import argparse
import os
import sys

import pmsim as pm

from ..terminal_text import for_terminal
from . import earned_value, pages, risk, schedules, status, why

__all__ = ["main", "build_parser", "COMMANDS"]

COMMANDS = [*schedules.COMMANDS, *risk.COMMANDS, *why.COMMANDS, *earned_value.COMMANDS, *status.COMMANDS,
            *pages.COMMANDS]


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line, like every other error."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {for_terminal(message)} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``pmsim`` and its subcommands."""
    parser = _Parser(prog="pmsim", description="Plan and simulate IT projects: critical path, Monte Carlo "
                     "risk, resource levelling, earned value.")
    parser.add_argument("--version", action="version", version=f"pmsim {pm.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS:
        p = sub.add_parser(command.name, help=command.help, description=command.help)
        command.arguments(p)
        p.set_defaults(run=command.run)
    return parser


def _fail(message: str) -> int:
    sys.stderr.write(f"pmsim: error: {for_terminal(message)}\n")
    return 2


def main(argv=None) -> int:
    """Run the command line; returns the exit status.

    >>> main(["cpm", str(pm.data_path("textbook")), "--json"])  # doctest: +ELLIPSIS
    {...
    0
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:  # --help, --version, or a usage error already printed
        return int(done.code or 0)
    try:
        return int(args.run(args) or 0)
    except pm.PmsimError as exc:
        return _fail(str(exc))
    except BrokenPipeError:
        # The reader went away (`pmsim cpm ... --json | head`): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # a file that cannot be read or written
        where = f"{exc.filename}: " if exc.filename else ""
        return _fail(f"{where}{exc.strerror or exc}")
    except OverflowError as exc:  # dates computed past 9999-12-31 (Python's and ISO's last date)
        return _fail(f"a date falls after 9999-12-31, the last date pmsim can write ({exc}); check the "
                     "project's start and the durations and lags that lead there")
    except MemoryError:
        return _fail("out of memory; try fewer iterations")
    except KeyboardInterrupt:
        sys.stderr.write("pmsim: interrupted\n")
        return 130
    except Exception as exc:  # noqa: BLE001 -- a bug of ours: still one line, never a traceback
        if os.environ.get("PMSIM_DEBUG"):
            raise
        return _fail(f"internal error ({type(exc).__name__}: {exc}); please report it "
                     "(PMSIM_DEBUG=1 shows the traceback)")
