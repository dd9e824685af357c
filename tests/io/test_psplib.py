"""PSPLIB .sm and Patterson .rcp readers, checked by hand and against the psplib package."""

from __future__ import annotations

import re

import pytest

import pmsim as pm
from support import PSPLIB as DATA

FILES = sorted(DATA.glob("*.sm")) + sorted(DATA.glob("*.rcp"))


def test_j301_1_by_hand():
    p = pm.read_project(DATA / "j301_1.sm")
    assert p.name == "j301_1" and p.start.isoformat() == "2027-01-04"
    assert [t.id for t in p.tasks] == [str(i) for i in range(1, 33)]
    assert [(r.id, r.capacity) for r in p.resources] == [("R1", 12), ("R2", 13), ("R3", 4), ("R4", 12)]
    # From the file: job 2 lasts 8 days with 4 units of R1; job 4 needs 3 of R4; job 1 leads to 2, 3, 4.
    assert p.task("2").planned_duration == 8 and p.task("2").demand == {"R1": 4}
    assert p.task("4").demand == {"R4": 3}
    assert sorted(d.successor for d in p.dependencies if d.predecessor == "1") == ["2", "3", "4"]
    assert all(d.type == "FS" and d.lag == 0 for d in p.dependencies)
    assert p.task("1").milestone and p.task("32").milestone and p.task("1").planned_duration == 0


@pytest.mark.parametrize("path", [f for f in FILES if f.suffix == ".sm"], ids=lambda f: f.name)
def test_critical_path_equals_the_mpm_time_of_the_header(path):
    text = path.read_text()
    header = re.search(r"MPM-Time\s*\n\s*(\d+(?:\s+\d+){5})", text).group(1).split()
    assert pm.cpm(pm.read_project(path)).makespan == int(header[5])


@pytest.mark.parametrize("path", FILES, ids=lambda f: f.name)
def test_reader_agrees_with_the_psplib_package(path):
    import psplib  # an independent parser (the [bench] extra)

    ref = psplib.parse(str(path), instance_format="psplib" if path.suffix == ".sm" else "patterson")
    p = pm.read_project(path)
    assert [r.capacity for r in p.resources] == [r.capacity for r in ref.resources]
    assert len(p.tasks) == ref.num_activities
    for number, activity in enumerate(ref.activities, start=1):
        task = p.task(str(number))
        mode = activity.modes[0]
        assert task.planned_duration == mode.duration
        assert task.demand == {f"R{k + 1}": u for k, u in enumerate(mode.demands) if u}
        succ = sorted(int(d.successor) for d in p.dependencies if d.predecessor == str(number))
        assert succ == sorted(s + 1 for s in activity.successors)


def test_patterson_instance_by_hand():
    p = pm.read_project(DATA / "Pat1.rcp")
    assert len(p.tasks) == 32 and [r.capacity for r in p.resources] == [10] * 4
    # Line 5: "10 1 0 1 1 6 23 22 19 16 15 14".
    assert p.task("2").planned_duration == 10 and p.task("2").demand == {"R1": 1, "R3": 1, "R4": 1}
    assert sorted(int(d.successor) for d in p.dependencies if d.predecessor == "2") == [14, 15, 16, 19, 22, 23]


SM = (DATA / "j301_1.sm").read_text().splitlines()
RCP = (DATA / "Pat1.rcp").read_text().splitlines()


def _edit(lines, number, new):
    """The file with line ``number`` (1-based) replaced by ``new`` (None: cut the file there)."""
    out = list(lines)
    if new is None:
        out = out[: number - 1]
    else:
        out[number - 1] = new
    return "\n".join(out) + "\n"


BAD_FILES = [
    # (suffix, file text, line the message must name, words it must contain)
    (".sm", _edit(SM, 20, "   2        1          3           6  x1  15"), 20, ["successor", "'x1'"]),  # not a number
    (".sm", _edit(SM, 20, "   2        2          3           6  11  15"), 20, ["modes"]),            # multi-mode
    (".sm", _edit(SM, 20, "   2        1          4           6  11  15"), 20, ["announces 4"]),       # count wrong
    (".sm", _edit(SM, 20, "   2        1          3           6  11  99"), 20, ["successor 99"]),      # no such job
    (".sm", _edit(SM, 60, "  2      1     8       4    0    0"), 60, ["4 resource demands"]),          # a demand missing
    (".sm", _edit(SM, 40, None), 40, ["ends inside PRECEDENCE"]),                                          # truncated
    (".sm", _edit(SM, 90, "   12   13    4"), 90, ["expected 4 capacities"]),                              # capacity missing
    # Pat1.rcp: line 2 sizes, line 3 capacities, activity k on line k + 4.
    (".rcp", _edit(RCP, 5, "   0   0   0   0   0  18 2 3"), 7, ["activity 2 does not start", "activity 1 (line 5)"]),  # list cut short
    (".rcp", _edit(RCP, 6, "  10   1   0   x   1   6 23 22 19 16 15 14"), 6, ["demand of activity 2", "'x'"]),
    (".rcp", "\n".join(RCP[:10]) + "\n", 10, ["ends early"]),                                              # truncated
    (".rcp", "\n".join(RCP) + "\n 7 7\n", len(RCP) + 1, ["unexpected text"]),                               # trailing text
    (".rcp", "  3 1\n 4\n 0 0 1 2\n 5 9 1 3\n 0 0 0\n", 4, ["demands 9", "capacity 4"]),                   # demand > capacity is fine to read; checked below
]


@pytest.mark.parametrize("suffix, text, line, words", BAD_FILES[:-1])
def test_bad_files_name_the_file_and_line(tmp_path, suffix, text, line, words):
    path = tmp_path / f"bad{suffix}"
    path.write_text(text)
    with pytest.raises(pm.FileFormatError) as info:
        pm.read_project(path)
    message = str(info.value)
    assert str(path) in message and f"line {line}" in message
    for word in words:
        assert word in message


def test_an_instance_whose_demand_exceeds_capacity_reads_but_cannot_be_levelled(tmp_path):
    path = tmp_path / "tight.rcp"
    path.write_text(BAD_FILES[-1][1])
    p = pm.read_project(path)
    with pytest.raises(pm.InfeasibleError, match=r"Task '2' demands 9 units of resource 'R1'.*capacity 4"):
        pm.level(p)


def test_a_file_that_is_not_psplib(tmp_path):
    path = tmp_path / "notes.sm"
    path.write_text("hello\n")
    with pytest.raises(pm.FileFormatError, match="PSPLIB"):
        pm.read_project(path)
