"""Bad input (issue 2): every case raises a PmsimError naming the file, row, task and rule.

Each row of the table writes a small project folder in ``tmp_path`` with one
file changed from a valid project, and reads it with ``pm.read_project``.
"""

from __future__ import annotations

import re

import pytest

import pmsim as pm

GOOD = {
    "project.toml": 'name = "bad input"\nstart = 2027-01-04\ndeadline = 2027-03-01\n',
    "tasks.csv": (
        "id,name,optimistic,most_likely,pessimistic,predecessors,resources\n"
        "A,Analyse,2,3,5,,dev:1\n"
        "B,Build,4,5,9,A,dev:2\n"
        "C,Check,1,2,3,B FF+1,\n"
    ),
    "resources.csv": "id,name,capacity,cost_per_day\ndev,Developer,2,600\n",
    "risks.csv": "id,name,probability,tasks,optimistic,most_likely,pessimistic,cost_impact\nR1,Late,0.3,B,1,2,4,500\n",
}

TASKS_HEADER = "id,name,optimistic,most_likely,pessimistic,predecessors,resources\n"


def tasks(*rows: str) -> dict:
    return {"tasks.csv": TASKS_HEADER + "".join(r + "\n" for r in rows)}


CASES = [
    # a dependency cycle: the message lists the cycle and the rows of its tasks
    pytest.param(tasks("A,a,1,2,3,C,", "B,b,1,2,3,A,", "C,c,1,2,3,B,"), pm.CycleError,
                 [r"tasks\.csv, rows [234], [234], [234]: ",
                  r"the dependencies form a cycle: (A -> B -> C -> A|B -> C -> A -> B|C -> A -> B -> C)$"],
                 id="cycle"),
    # a task that depends on itself is the shortest cycle
    pytest.param(tasks("A,a,1,2,3,A,"), pm.CycleError,
                 [r"tasks\.csv, row 2 \(task 'A'\): ", r"a task cannot depend on itself"], id="self-link"),
    # an unknown predecessor
    pytest.param(tasks("A,a,1,2,3,,", "B,b,1,2,3,A; Z,"), pm.UnknownReferenceError,
                 [r"tasks\.csv, row 3 \(task 'B'\): ", r"unknown predecessor 'Z'"], id="unknown-predecessor"),
    # an unknown predecessor written with a link type
    pytest.param(tasks("A,a,1,2,3,,", "B,b,1,2,3,Z SS+2,"), pm.UnknownReferenceError,
                 [r"tasks\.csv, row 3 \(task 'B'\): ", r"unknown predecessor 'Z' \(in 'Z SS\+2'\)"],
                 id="unknown-predecessor-with-link"),
    # a demand on a resource not in resources.csv
    pytest.param(tasks("A,a,1,2,3,,dev:1", "B,b,1,2,3,A,qa:2"), pm.UnknownReferenceError,
                 [r"tasks\.csv, row 3 \(task 'B'\): ", r"demands unknown resource 'qa'"], id="unknown-resource"),
    # a demand on a resource when there is no resources table at all
    pytest.param({"resources.csv": None}, pm.UnknownReferenceError,
                 [r"tasks\.csv, row 2 \(task 'A'\): ", r"demands unknown resource 'dev'; there is no .*resources\.csv"],
                 id="demand-without-resources-file"),
    # a risk naming a task that does not exist
    pytest.param({"risks.csv": "id,probability,tasks,cost_impact\nR1,0.3,B; Q,100\n"}, pm.UnknownReferenceError,
                 [r"risks\.csv, row 2 \(risk 'R1'\): ", r"names unknown task 'Q'"], id="risk-unknown-task"),
    # duplicate task ids: both rows are named
    pytest.param(tasks("A,a,1,2,3,,", "B,b,1,2,3,,", "A,again,1,2,3,,"), pm.DuplicateIdError,
                 [r"tasks\.csv, row 4 \(task 'A'\): ", r"task id 'A' appears twice \(also row 2\); ids must be unique"],
                 id="duplicate-task-id"),
    # duplicate resource ids
    pytest.param({"resources.csv": "id,capacity\ndev,1\ndev,2\n"}, pm.DuplicateIdError,
                 [r"resources\.csv, row 3 \(resource 'dev'\): ", r"resource id 'dev' appears twice"],
                 id="duplicate-resource-id"),
    # duplicate risk ids
    pytest.param({"risks.csv": "id,probability\nR1,0.1\nR1,0.2\n"}, pm.DuplicateIdError,
                 [r"risks\.csv, row 3 \(risk 'R1'\): ", r"risk id 'R1' appears twice"], id="duplicate-risk-id"),
    # the same link twice in one cell (A SS; A FF+2 would be two links)
    pytest.param(tasks("A,a,1,2,3,,", "B,b,1,2,3,A; A FS,"), pm.DuplicateIdError,
                 [r"tasks\.csv, row 3 \(task 'B'\): ", r"predecessor 'A' is listed twice"], id="duplicate-link"),
    # optimistic > most likely
    pytest.param(tasks("A,a,5,3,8,,"), pm.ValidationError,
                 [r"tasks\.csv, row 2 \(task 'A'\): ", r"optimistic \(5\) > most_likely \(3\)"], id="o-gt-m"),
    # most likely > pessimistic
    pytest.param(tasks("A,a,1,2,3,,", "B,b,2,9,4,,"), pm.ValidationError,
                 [r"tasks\.csv, row 3 \(task 'B'\): ", r"most_likely \(9\) > pessimistic \(4\)"], id="m-gt-p"),
    # a negative single-point duration
    pytest.param({"tasks.csv": "id,duration\nA,3\nB,-2\n"}, pm.ValidationError,
                 [r"tasks\.csv, row 3 \(task 'B'\): ", r"durations must be >= 0, got a lowest value of -2"],
                 id="negative-duration"),
    # a negative three-point estimate
    pytest.param(tasks("A,a,-1,2,3,,"), pm.ValidationError,
                 [r"tasks\.csv, row 2 \(task 'A'\): ", r"durations must be >= 0"], id="negative-optimistic"),
    # NaN written as text is not "empty"
    pytest.param({"tasks.csv": "id,duration\nA,nan\n"}, pm.ValidationError,
                 [r"tasks\.csv, row 2 \(task 'A'\): ", r"duration must be a finite number, got 'nan'"],
                 id="nan-duration"),
    # a NaN most likely value in a three-point estimate
    pytest.param(tasks("A,a,1,NaN,3,,"), pm.ValidationError,
                 [r"tasks\.csv, row 2 \(task 'A'\): ", r"most_likely must be a finite number, got 'NaN'"],
                 id="nan-most-likely"),
    # text where a number belongs
    pytest.param({"tasks.csv": "id,duration,fixed_cost\nA,2,lots\n"}, pm.ValidationError,
                 [r"tasks\.csv, row 2 \(task 'A'\): ", r"fixed_cost must be a number, got 'lots'"], id="not-a-number"),
    # an unparseable predecessor token
    pytest.param(tasks("A,a,1,2,3,,", "B,b,1,2,3,A SS+x,"), pm.ValidationError,
                 [r"tasks\.csv, row 3 \(task 'B'\): ", r"cannot read predecessor 'A SS\+x'"], id="bad-token"),
    # an unknown link type
    pytest.param(tasks("A,a,1,2,3,,", "B,b,1,2,3,A XX+2,"), pm.ValidationError,
                 [r"tasks\.csv, row 3 \(task 'B'\): ", r"predecessor 'A XX\+2': unknown link type 'XX'; use one of FS, SS, FF, SF"],
                 id="unknown-link-type"),
    # a milestone flag that is neither true nor false
    pytest.param({"tasks.csv": "id,duration,milestone\nA,0,maybe\n"}, pm.ValidationError,
                 [r"tasks\.csv, row 2 \(task 'A'\): ", r"milestone must be true or false"], id="bad-milestone"),
    # an unknown distribution name
    pytest.param({"tasks.csv": "id,optimistic,most_likely,pessimistic,distribution\nA,1,2,3,gamma\n"},
                 pm.ValidationError, [r"tasks\.csv, row 2 \(task 'A'\): ", r"unknown distribution 'gamma'"],
                 id="unknown-distribution"),
    # a negative capacity
    pytest.param({"resources.csv": "id,capacity,cost_per_day\ndev,-1,600\n"}, pm.ValidationError,
                 [r"resources\.csv, row 2 \(resource 'dev'\): ", r"capacity must be >= 0, got -1"],
                 id="negative-capacity"),
    # a negative demand
    pytest.param(tasks("A,a,1,2,3,,dev:-1"), pm.ValidationError,
                 [r"tasks\.csv, row 2 \(task 'A'\): ", r"units of resource 'dev' must be >= 0, got -1"],
                 id="negative-demand"),
    # a probability above 1
    pytest.param({"risks.csv": "id,probability,tasks,optimistic,most_likely,pessimistic\nR1,1.5,B,1,2,3\n"},
                 pm.ValidationError,
                 [r"risks\.csv, row 2 \(risk 'R1'\): ", r"probability must be in \[0, 1\], got 1\.5"],
                 id="probability-above-1"),
    # a negative probability
    pytest.param({"risks.csv": "id,probability,tasks,cost_impact\nR1,0.2,B,100\nR2,-0.1,B,100\n"}, pm.ValidationError,
                 [r"risks\.csv, row 3 \(risk 'R2'\): ", r"probability must be in \[0, 1\], got -0\.1"],
                 id="probability-below-0"),
    # a risk row without a probability
    pytest.param({"risks.csv": "id,probability,tasks,cost_impact\nR1,,B,100\n"}, pm.ValidationError,
                 [r"risks\.csv, row 2 \(risk 'R1'\): ", r"probability is required"], id="probability-missing"),
    # the required id column is missing
    pytest.param({"tasks.csv": "name,duration\nA,1\n"}, pm.FileFormatError,
                 [r"tasks\.csv: ", r"missing required column 'id' \(the header has 'name', 'duration'\)$"], id="missing-id-column"),
    # no estimate column at all
    pytest.param({"tasks.csv": "id,name\nA,Analyse\n"}, pm.FileFormatError,
                 [r"tasks\.csv: ", r"missing an estimate column: give 'duration', or 'optimistic'"],
                 id="missing-estimate-columns"),
    # a risks file without its probability column
    pytest.param({"risks.csv": "id,tasks\nR1,B\n"}, pm.FileFormatError,
                 [r"risks\.csv: ", r"missing required column 'probability'"], id="missing-probability-column"),
    # a bad date in project.toml (a string)
    pytest.param({"project.toml": 'name = "x"\nstart = "2027-13-45"\n'}, pm.ValidationError,
                 [r"project\.toml, key 'start': ", r"'2027-13-45' is not an ISO date \(YYYY-MM-DD\)"],
                 id="bad-start-date"),
    # a bad TOML date literal is a TOML syntax error
    pytest.param({"project.toml": "start = 2027-13-45\n"}, pm.FileFormatError,
                 [r"project\.toml: ", r"not valid TOML"], id="bad-toml-date-literal"),
    # a bad deadline
    pytest.param({"project.toml": 'start = 2027-01-04\ndeadline = "next spring"\n'}, pm.ValidationError,
                 [r"project\.toml, key 'deadline': ", r"'next spring' is not an ISO date"], id="bad-deadline"),
    # a bad holiday
    pytest.param({"project.toml": 'start = 2027-01-04\n[calendar]\nholidays = ["2027-02-30"]\n'}, pm.ValidationError,
                 [r"project\.toml, key 'calendar\.holidays': ", r"'2027-02-30' is not an ISO date"],
                 id="bad-holiday"),
    # an unknown working weekday
    pytest.param({"project.toml": 'start = 2027-01-04\n[calendar]\nworkdays = ["Mon", "Funday"]\n'},
                 pm.ValidationError, [r"project\.toml, key 'calendar\.workdays': ", r"unknown weekday 'Funday'"],
                 id="bad-weekday"),
    # a deadline before the start
    pytest.param({"project.toml": "start = 2027-01-04\ndeadline = 2026-12-01\n"}, pm.ValidationError,
                 [r"project\.toml: ", r"deadline 2026-12-01 is before the start 2027-01-04"], id="deadline-before-start"),
    # no start date
    pytest.param({"project.toml": 'name = "x"\n'}, pm.FileFormatError,
                 [r"project\.toml, key 'start': ", r"the project start date \(YYYY-MM-DD\) is required"],
                 id="missing-start"),
    # a TOML array where text belongs
    pytest.param({"project.toml": 'name = ["ERP", "upgrade"]\nstart = 2027-01-04\n'}, pm.ValidationError,
                 [r"project\.toml, key 'name': ", r"must be text, got \['ERP', 'upgrade'\]"], id="name-not-text"),
    # TOML that does not parse
    pytest.param({"project.toml": 'name = "x\nstart = 2027-01-04\n'}, pm.FileFormatError,
                 [r"project\.toml: ", r"not valid TOML"], id="bad-toml"),
    # an empty project: a header and no rows
    pytest.param({"tasks.csv": TASKS_HEADER, "risks.csv": None}, pm.ValidationError,
                 [r"tasks\.csv: ", r"the project has no tasks \(a header but no rows\)"], id="empty-project"),
    # an empty file: not even a header
    pytest.param({"tasks.csv": ""}, pm.FileFormatError,
                 [r"tasks\.csv: ", r"the file is empty; it needs a header row"], id="empty-file"),
    # no tasks.csv
    pytest.param({"tasks.csv": None}, pm.FileFormatError,
                 [r"tasks\.csv: ", r"no such file; a project folder needs tasks\.csv and project\.toml"],
                 id="missing-tasks-file"),
    # no project.toml
    pytest.param({"project.toml": None}, pm.FileFormatError,
                 [r"project\.toml: ", r"no such file"], id="missing-project-toml"),
    # a CSV with a ragged row
    pytest.param({"resources.csv": "id,capacity\ndev,1,2,3\n"}, pm.FileFormatError,
                 [r"resources\.csv, row 2: ", r"4 cells but the header has 2 columns"], id="ragged-csv"),
    # an unclosed quote
    pytest.param({"tasks.csv": 'id,name,duration\nA,Analyse,1\nB,"Build,2\n'}, pm.FileFormatError,
                 [r"tasks\.csv, line 3: ", r"the file ends inside a quoted cell \(opened in the row that starts on line 3\); close the quote"], id="unclosed-quote"),
    # a file that is not UTF-8
    pytest.param({"tasks.csv": b"id,name,duration\nA,Caf\xe9,1\n"}, pm.FileFormatError,
                 [r"tasks\.csv, line 2: ", r"not UTF-8 text \(byte 0xe9 at byte 22\); .*save it again as UTF-8"],
                 id="not-utf8"),
]


def write_folder(path, changes: dict):
    path.mkdir()
    files = {**GOOD, **changes}
    for name, content in files.items():
        if content is None:
            continue
        if isinstance(content, bytes):
            (path / name).write_bytes(content)
        else:
            (path / name).write_text(content, encoding="utf-8")
    return path


def test_the_base_project_is_valid(tmp_path):
    p = pm.read_project(write_folder(tmp_path / "good", {}))
    assert (p.task_ids, len(p.dependencies), len(p.resources), len(p.risks)) == (("A", "B", "C"), 2, 1, 1)


@pytest.mark.parametrize("changes, error, patterns", CASES)
def test_bad_input(tmp_path, changes, error, patterns):
    folder = write_folder(tmp_path / "project", changes)
    with pytest.raises(error) as info:
        pm.read_project(folder)
    message = str(info.value)
    assert isinstance(info.value, pm.PmsimError)
    assert "\n" not in message
    # The file named is the one in this folder, given as a path.
    assert message.startswith(str(folder) + "/"), message
    assert re.search(patterns[0], message), message
    for pattern in patterns[1:]:
        assert re.search(pattern, message), message


def test_a_cycle_error_carries_the_cycle(tmp_path):
    folder = write_folder(tmp_path / "p", tasks("A,a,1,2,3,C,", "B,b,1,2,3,A,", "C,c,1,2,3,B,", "D,d,1,2,3,C,"))
    with pytest.raises(pm.CycleError) as info:
        pm.read_project(folder)
    cycle = info.value.cycle
    assert cycle[0] == cycle[-1] and set(cycle) == {"A", "B", "C"} and len(cycle) == 4


def test_an_error_in_the_last_file_loads_nothing(tmp_path):
    """Tasks and resources are fine, the last risk row is not: no project comes back."""
    risks = "id,probability,tasks,optimistic,most_likely,pessimistic\nR1,0.3,B,1,2,3\nR2,0.2,C,1,1,2\nR3,2,C,1,1,2\n"
    folder = write_folder(tmp_path / "p", {"risks.csv": risks})
    result = None
    with pytest.raises(pm.ValidationError, match=r"risks\.csv, row 4 \(risk 'R3'\)"):
        result = pm.read_project(folder)
    assert result is None
    # Fixing the row gives the whole project, risks included.
    (folder / "risks.csv").write_text(risks.replace("R3,2,", "R3,0.2,"))
    assert [r.id for r in pm.read_project(folder).risks] == ["R1", "R2", "R3"]


def test_a_bad_workbook_row_names_sheet_row_and_task(tmp_path):
    p = pm.read_project(write_folder(tmp_path / "good", {}))
    book = pm.write_project(p, tmp_path / "plan.xlsx")
    import openpyxl

    wb = openpyxl.load_workbook(book)
    ws = wb["tasks"]
    header = [c.value for c in ws[1]]
    ws.cell(row=3, column=header.index("predecessors") + 1, value="A XX+2")
    wb.save(book)
    with pytest.raises(pm.ValidationError,
                       match=r"plan\.xlsx, sheet 'tasks', row 3 \(task 'B'\): predecessor 'A XX\+2': unknown link type"):
        pm.read_project(book)
