"""Hostile and malformed project files for the hardening catalogue (issue 17), built in a test's folder.

Each builder writes one small file or folder that differs from a valid one in a single way, so
that a test shows which rule the reader must apply. The valid starting points are written by
pmsim itself (``write_project``), or spelled out here where a test needs a shape pmsim never
writes (nested outlines, summary-task links, recurring calendar exceptions).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pmsim as pm

MSPDI_NAMESPACE = "http://schemas.microsoft.com/project"

GOOD_FOLDER = {
    "project.toml": 'name = "hostile"\nstart = 2027-01-04\n',
    "tasks.csv": "id,name,duration,predecessors\nA,Analyse,2,\nB,Build,3,A\n",
}


def folder(tmp_path: Path, name: str = "plan", **files) -> Path:
    """A project folder: :data:`GOOD_FOLDER` with ``files`` (``tasks_csv="..."``) changed; None leaves one out.
    Text is written as UTF-8; bytes as given."""
    out = tmp_path / name
    out.mkdir()
    contents = dict(GOOD_FOLDER)
    contents.update({key.replace("_csv", ".csv").replace("_toml", ".toml"): value for key, value in files.items()})
    for file, body in contents.items():
        if body is None:
            continue
        data = body if isinstance(body, bytes) else body.encode("utf-8")
        (out / file).write_bytes(data)
    return out


def small_project(**settings) -> pm.Project:
    """Two tasks, A then B, on the standard calendar."""
    settings.setdefault("name", "hostile")
    settings.setdefault("start", "2027-01-04")
    return pm.Project(tasks=[pm.Task("A", "Analyse", duration=2), pm.Task("B", "Build", duration=3)],
                      dependencies=[pm.Dependency("A", "B")], **settings)


# --------------------------------------------------------------------------- MSPDI


def mspdi_task(uid: int, name: str, level: int = 1, hours: float = 8, links: str = "", outline: str = "") -> str:
    number = f"<OutlineNumber>{outline}</OutlineNumber>" if outline else ""
    return (f"<Task><UID>{uid}</UID><ID>{uid}</ID><Name>{name}</Name><OutlineLevel>{level}</OutlineLevel>{number}"
            f"<Duration>PT{hours:g}H0M0S</Duration><DurationFormat>7</DurationFormat>{links}</Task>")


def mspdi_link(pred: int, kind: int = 1) -> str:
    return (f"<PredecessorLink><PredecessorUID>{pred}</PredecessorUID><Type>{kind}</Type>"
            "<LinkLag>0</LinkLag><LagFormat>7</LagFormat></PredecessorLink>")


def mspdi_calendar(exceptions: str = "") -> str:
    """The Standard calendar (UID 1): Monday to Friday, 08:00-12:00 and 13:00-17:00, with ``exceptions``."""
    spans = ("<WorkingTimes><WorkingTime><FromTime>08:00:00</FromTime><ToTime>12:00:00</ToTime></WorkingTime>"
             "<WorkingTime><FromTime>13:00:00</FromTime><ToTime>17:00:00</ToTime></WorkingTime></WorkingTimes>")
    days = "".join(f"<WeekDay><DayType>{d}</DayType><DayWorking>{int(2 <= d <= 6)}</DayWorking>"
                   f"{spans if 2 <= d <= 6 else ''}</WeekDay>" for d in range(1, 8))
    box = f"<Exceptions>{exceptions}</Exceptions>" if exceptions else ""
    return (f"<Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar>"
            f"<BaseCalendarUID>-1</BaseCalendarUID><WeekDays>{days}</WeekDays>{box}</Calendar>")


def mspdi_daily_exception(first: str, last: str, name: str = "shutdown") -> str:
    """A non-working exception recurring every day from ``first`` to ``last`` (Type 1, by end date)."""
    return (f"<Exception><EnteredByOccurrences>0</EnteredByOccurrences><TimePeriod><FromDate>{first}T00:00:00"
            f"</FromDate><ToDate>{last}T23:59:00</ToDate></TimePeriod><Occurrences>1</Occurrences>"
            f"<Name>{name}</Name><Type>1</Type><Period>1</Period><DayWorking>0</DayWorking></Exception>")


def mspdi(tmp_path: Path, tasks: str, *, calendar: str | None = None, name: str = "plan.xml") -> Path:
    """An MSPDI document with the project summary task (UID 0) and ``tasks``."""
    text = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Project xmlns="{MSPDI_NAMESPACE}"><Name>{name}</Name>'
            "<StartDate>2027-01-04T08:00:00</StartDate><CalendarUID>1</CalendarUID><MinutesPerDay>480</MinutesPerDay>"
            f"<Calendars>{calendar or mspdi_calendar()}</Calendars><Tasks><Task><UID>0</UID><ID>0</ID>"
            f"<Name>plan</Name><OutlineLevel>0</OutlineLevel><Summary>1</Summary></Task>{tasks}</Tasks>"
            "</Project>")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- XER


def xer_text(tmp_path: Path, project: pm.Project | None = None) -> str:
    """The XER text pmsim writes for ``project`` (:func:`small_project` by default)."""
    return pm.write_project(project or small_project(), tmp_path / "source.xer").read_text(encoding="utf-8")


def xer_rows(text: str, table: str) -> tuple[list[str], list[list[str]]]:
    """The field names and the rows of ``table`` in an XER text."""
    lines = text.splitlines()
    start = lines.index(f"%T\t{table}")
    fields = lines[start + 1].split("\t")[1:]
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("%R"):
            break
        rows.append(line.split("\t")[1:])
    return fields, rows


def xer_edit(text: str, table: str, edit) -> str:
    """``text`` with each row of ``table`` passed through ``edit(fields, row) -> list of rows``."""
    lines = text.split("\r\n") if "\r\n" in text else text.split("\n")
    start = lines.index(f"%T\t{table}")
    fields = lines[start + 1].split("\t")[1:]
    out = lines[: start + 2]
    k = start + 2
    while k < len(lines) and lines[k].startswith("%R"):
        for row in edit(fields, lines[k].split("\t")[1:]):
            out.append("\t".join(["%R", *row]))
        k += 1
    out.extend(lines[k:])
    return "\r\n".join(out)


# --------------------------------------------------------------------------- xlsx


def workbook(tmp_path: Path, project: pm.Project | None = None, name: str = "plan.xlsx") -> Path:
    return pm.write_project(project or small_project(), tmp_path / name)


def edit_sheet(book: Path, part: str, edit) -> Path:
    """Rewrite ``part`` of the workbook (``xl/worksheets/sheet1.xml`` is the tasks sheet) with ``edit(xml)``."""
    with zipfile.ZipFile(book) as zf:
        parts = {info.filename: zf.read(info.filename) for info in zf.infolist()}
    parts[part] = edit(parts[part].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as zf:
        for filename, data in parts.items():
            zf.writestr(filename, data)
    return book


def replace_cell(xml: str, ref: str, cell: str) -> str:
    """``xml`` with the ``c`` element of address ``ref`` replaced by ``cell``."""
    out, n = re.subn(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', cell, xml, count=1)
    assert n == 1, f"no cell {ref}"
    return out


def add_row(xml: str, row: str) -> str:
    """``xml`` with ``row`` (a ``<row>`` element) added at the end of the sheet data."""
    return xml.replace("</sheetData>", row + "</sheetData>")
