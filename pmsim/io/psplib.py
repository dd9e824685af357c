"""PSPLIB single-mode (``.sm``) and Patterson (``.rcp``) RCPSP instances.

Both formats describe a resource-constrained project: activities with fixed
integer durations, renewable resources with a capacity, the units each
activity demands, and finish-to-start links without lag. They map to a
:class:`pmsim.Project` as follows:

* each job becomes a task whose id is its job number (``"1"``, ``"2"``, ...);
* the dummy source (job 1) and sink (last job) are kept, as zero-duration
  milestones, so the critical-path length of the project equals the
  ``MPM-Time`` of the file and job numbers stay those of the literature;
* the resources are ``R1``, ``R2``, ... with the capacities of the file;
* the project starts on Monday 2027-01-04 (working days Mon-Fri) and is named
  after the file stem.

Any line that cannot be read raises :class:`pmsim.FileFormatError` naming the
file and the line.

>>> import pmsim as pm
>>> from pathlib import Path
>>> p = pm.read_project(Path(pm.__file__).parent.parent / "tests/data/psplib/j301_1.sm")
>>> len(p.tasks), [r.capacity for r in p.resources], pm.cpm(p).makespan
(32, [12.0, 13.0, 4.0, 12.0], 38.0)
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..errors import CycleError, FileFormatError, PmsimError
from ..model import Dependency, Project, Resource, Task
from ._files import read_input

__all__ = ["read_psplib", "read_patterson", "START"]

START = dt.date(2027, 1, 4)  # a Monday


def _int(path: Path, lineno: int, token: str, what: str) -> int:
    try:
        return int(token)
    except ValueError:
        raise FileFormatError(f"{path}, line {lineno}: {what} must be an integer, got {token!r}") from None


def _build(path: Path, capacities, jobs) -> Project:
    """``jobs``: list of (duration, demands, successors (1-based), line of the successors)."""
    n = len(jobs)
    resources = [Resource(f"R{k + 1}", capacity=c) for k, c in enumerate(capacities)]
    tasks, links = [], []
    for number, (duration, demands, successors, lineno) in enumerate(jobs, start=1):
        demand = {f"R{k + 1}": u for k, u in enumerate(demands) if u}
        tasks.append(Task(str(number), duration=duration, resources=demand, milestone=duration == 0))
        for s in successors:
            if not 1 <= s <= n:
                raise FileFormatError(f"{path}, line {lineno}: job {number} has successor {s}, "
                                      f"but the jobs are numbered 1..{n}")
            if s == number:
                raise CycleError(f"{path}, line {lineno}: job {number} lists itself as a successor; a job cannot "
                                 "depend on itself")
            links.append(Dependency(str(number), str(s)))
    try:
        return Project(name=path.stem, start=START, tasks=tasks, dependencies=links, resources=resources)
    except PmsimError as exc:
        raise exc.with_context(str(path)) from None


def _lines(path: Path) -> list[str]:
    return read_input(path).decode("utf-8", errors="replace").splitlines()


def read_psplib(path) -> Project:
    """Read a PSPLIB single-mode instance (``.sm``).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    Project
        Tasks ``"1"`` .. ``"n+2"`` (dummy source and sink kept as milestones),
        resources ``R1`` .. ``Rk``, finish-to-start links.

    Raises
    ------
    FileFormatError
        A missing section, a multi-mode job, or a line that does not parse;
        the message names the file and line.

    >>> from pathlib import Path
    >>> import pmsim as pm
    >>> p = read_psplib(Path(pm.__file__).parent.parent / "tests/data/psplib/j301_1.sm")
    >>> p.task("2").demand, p.task("1").milestone
    ({'R1': 4.0}, True)
    """
    path = Path(path)
    lines = _lines(path)

    def find(pattern: str, after: int = 0) -> int:
        for i in range(after, len(lines)):
            if re.match(pattern, lines[i].strip(), flags=re.I):
                return i
        raise FileFormatError(f"{path}: no line matching {pattern!r}; is this a PSPLIB .sm file?")

    i = find(r"jobs \(incl\. supersource/sink \)")
    n = _int(path, i + 1, lines[i].split(":", 1)[1].strip(), "the number of jobs")
    i = find(r"- renewable", i)
    match = re.search(r":\s*(\S+)", lines[i])
    n_res = _int(path, i + 1, match.group(1) if match else "", "the number of renewable resources")
    for label in ("- nonrenewable", "- doubly constrained"):
        j = find(label, i)
        m = re.search(r":\s*(\S+)", lines[j])
        if m and _int(path, j + 1, m.group(1), label[2:]) != 0:
            raise FileFormatError(f"{path}, line {j + 1}: {label[2:]} resources are not supported "
                                  "(pmsim reads single-mode renewable-resource instances)")

    start = find(r"PRECEDENCE RELATIONS", i) + 2
    successors: dict[int, list[int]] = {}
    for k in range(start, start + n):
        if k >= len(lines):
            raise FileFormatError(f"{path}, line {k + 1}: the file ends inside PRECEDENCE RELATIONS "
                                  f"(expected {n} jobs)")
        tok = lines[k].split()
        if len(tok) < 3:
            raise FileFormatError(f"{path}, line {k + 1}: expected 'jobnr. #modes #successors successors...'")
        job = _int(path, k + 1, tok[0], "the job number")
        modes = _int(path, k + 1, tok[1], "the number of modes")
        count = _int(path, k + 1, tok[2], "the number of successors")
        if modes != 1:
            raise FileFormatError(f"{path}, line {k + 1}: job {job} has {modes} modes; only single-mode is supported")
        if len(tok) - 3 != count:
            raise FileFormatError(f"{path}, line {k + 1}: job {job} announces {count} successors "
                                  f"but lists {len(tok) - 3}")
        if job != k - start + 1:
            raise FileFormatError(f"{path}, line {k + 1}: expected job {k - start + 1}, got {job}")
        successors[job] = ([_int(path, k + 1, t, "a successor") for t in tok[3:]], k + 1)

    start = find(r"REQUESTS/DURATIONS", start + n)
    start = find(r"-{5,}", start) + 1
    jobs = []
    for k in range(start, start + n):
        tok = lines[k].split() if k < len(lines) else []
        if len(tok) != 3 + n_res:
            raise FileFormatError(f"{path}, line {k + 1}: expected 'jobnr. mode duration' and "
                                  f"{n_res} resource demands")
        job = _int(path, k + 1, tok[0], "the job number")
        if job != k - start + 1:
            raise FileFormatError(f"{path}, line {k + 1}: expected job {k - start + 1}, got {job}")
        duration = _int(path, k + 1, tok[2], "the duration")
        demands = [_int(path, k + 1, t, "a resource demand") for t in tok[3:]]
        jobs.append((duration, demands, *successors[job]))

    i = find(r"RESOURCEAVAILABILITIES", start + n)
    if i + 2 >= len(lines):
        raise FileFormatError(f"{path}, line {i + 2}: the resource capacities are missing")
    tok = lines[i + 2].split()
    if len(tok) != n_res:
        raise FileFormatError(f"{path}, line {i + 3}: expected {n_res} capacities, got {len(tok)}")
    capacities = [_int(path, i + 3, t, "a capacity") for t in tok]
    return _build(path, capacities, jobs)


def read_patterson(path) -> Project:
    """Read a Patterson-format instance (``.rcp``, e.g. RG30).

    Line 1 holds the number of activities (dummies included) and of
    resources, line 2 the capacities, then each activity gives its duration,
    its demands, the number of successors and the successors (1-based); a
    long successor list may continue on the next lines.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    Project
        As :func:`read_psplib`: tasks ``"1"`` .. ``"n"``, resources ``R1`` ..

    >>> from pathlib import Path
    >>> import pmsim as pm
    >>> p = read_patterson(Path(pm.__file__).parent.parent / "tests/data/psplib/Pat1.rcp")
    >>> len(p.tasks), len(p.resources)
    (32, 4)
    """
    path = Path(path)
    # Tokens with their line numbers, so an error can point at a line.
    tokens = [(tok, no) for no, line in enumerate(_lines(path), start=1) for tok in line.split()]
    pos = 0

    def take(what: str) -> int:
        nonlocal pos
        if pos >= len(tokens):
            last = tokens[-1][1] if tokens else 1
            raise FileFormatError(f"{path}, line {last}: the file ends early; expected {what}")
        tok, no = tokens[pos]
        pos += 1
        return _int(path, no, tok, what)

    n = take("the number of activities")
    n_res = take("the number of resources")
    if n < 1 or n_res < 0:
        raise FileFormatError(f"{path}, line 1: expected '#activities #resources', got {n} {n_res}")
    capacities = [take("a capacity") for _ in range(n_res)]
    jobs = []
    previous = 0
    for number in range(1, n + 1):
        lineno = tokens[pos][1] if pos < len(tokens) else tokens[-1][1]
        if pos < len(tokens) and pos > 0 and tokens[pos - 1][1] == lineno and number > 1:
            raise FileFormatError(f"{path}, line {lineno}: activity {number} does not start on a new line; "
                                  f"does activity {number - 1} (line {previous}) list as many successors "
                                  "as it announces?")
        previous = lineno
        duration = take(f"the duration of activity {number}")
        demands = [take(f"a demand of activity {number}") for _ in range(n_res)]
        count = take(f"the number of successors of activity {number}")
        successors = [take(f"a successor of activity {number}") for _ in range(count)]
        if duration < 0 or min(demands, default=0) < 0:
            raise FileFormatError(f"{path}, line {lineno}: activity {number} has a negative duration or demand")
        jobs.append((duration, demands, successors, lineno))
    if pos != len(tokens):
        raise FileFormatError(f"{path}, line {tokens[pos][1]}: unexpected text after the last activity")
    return _build(path, capacities, jobs)
