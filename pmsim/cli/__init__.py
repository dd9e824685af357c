"""The ``pmsim`` command line.

::

    pmsim cpm PATH [--table | --json]
    pmsim level PATH [--table | --json] [--method M] [--rule R] [--schedules N] [--seed S]
    pmsim simulate PATH [--iterations N] [--seed S] [--levelled] [--progress FILE] [--table | --json]
    pmsim evm PATH [--progress FILE] [--status-date D] [--eac E] [--table | --json]
    pmsim report PATH [-o report.html] [--iterations N] [--seed S] [--progress FILE]
    pmsim dashboard [PATH] [--port P] [--no-browser]

``PATH`` is a project folder or file, or the name of a sample project. Each
command prints a short summary; ``--table`` adds every row, ``--json`` prints
one JSON object on stdout with stable keys. ``--quiet`` drops the progress
bar and notes. Bad input prints one line, ``pmsim: error: ...``, on stderr
and exits with status 2.
"""

from .app import build_parser, main

__all__ = ["main", "build_parser"]
