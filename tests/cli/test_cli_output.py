"""How the command line writes for people: numbers, dates, tables, and text from files made safe."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

import pmsim as pm
from pmsim.cli import main
from pmsim.cli.text import amount, clip, date_text, days, key_values, moment_text, money, number, share, table
from pmsim.terminal_text import display_width

# Anything a terminal acts on, except the newlines between lines.
FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize(
    "value, text",
    [
        (159.177643, "159.2"),   # one decimal
        (12.0, "12"),            # a whole number of days shows as one
        (2.96, "3"),             # rounds to a whole number
        (1234.5, "1,234.5"),     # thousands separated
        (-0.04, "0"),            # no negative zero
        (-11.93, "-11.9"),
        (float("nan"), ""),      # missing: blank
        (None, ""),
    ],
)
def test_days(value, text):
    assert days(value) == text


@pytest.mark.parametrize(
    "value, text",
    [
        (1359178.633235, "1,359,179"),  # whole units, separators
        (-68627.5, "-68,628"),          # rounds half to even: 68,627.5 -> 68,628
        (-0.4, "0"),                    # no negative zero
        (float("inf"), ""),
        (None, ""),
    ],
)
def test_amount(value, text):
    assert amount(value) == text


def test_money_share_number():
    assert money(1_410_000, "EUR") == "EUR 1,410,000"
    assert money(None, "EUR") == ""
    assert share(0.5275) == "52.8 %" and share(1.0) == "100.0 %" and share(0.25, 0) == "25 %"
    assert number(0.93012) == "0.93" and number(-0.001) == "0.00" and number(float("nan")) == ""


def test_dates_are_iso_and_refused_past_9999():
    assert date_text(dt.date(2027, 9, 17)) == "2027-09-17"
    assert date_text(pd.Timestamp("2027-09-17")) == "2027-09-17"
    assert date_text(np.datetime64("2027-09-17")) == "2027-09-17"
    assert date_text(pd.NaT) == "" and date_text(np.datetime64("NaT")) == ""
    assert moment_text(pd.Timestamp("2027-09-17 13:05")) == "2027-09-17 13:05"
    with pytest.raises(pm.PmsimError, match=r"^the finish falls after 9999-12-31 \(10000-01-28\)"):
        date_text(np.datetime64("10000-01-28"), "the finish")
    # numpy's .item() hands out an int for a date Python cannot hold: never printed as a number.
    with pytest.raises(pm.PmsimError, match="falls after 9999-12-31"):
        date_text(np.datetime64("10000-01-28").item())


def test_table_aligns_by_display_width_and_clips_one_column():
    text = table(["id", "task", "days"], [["A", "日本語の作業", "3"], ["B", "Build", "12.5"]], align="llr")
    lines = text.splitlines()
    assert len({display_width(line) for line in lines}) == 1  # wide characters take two columns
    clipped = table(["id", "task", "days"], [["A", "A rather long task name that will not fit", "3"]],
                    align="llr", flex=1, width=30)
    assert all(display_width(line) <= 30 for line in clipped.splitlines())
    assert "…" in clipped and clip("abcdef", 4) == "abc…" and clip("abc", 4) == "abc"


def test_key_values_line_up():
    assert key_values([("start", "2027-01-04"), ("deadline", "none")]) == "start     2027-01-04\ndeadline  none"


# --------------------------------------------------------------------------- text from files


HOSTILE = "\x1b[2J\x1b]8;;https://evil.example\x07click\x1b]8;;\x07\u202e\x9b31m\x07\t"


def hostile_project(folder):
    """A project whose names carry terminal escapes, with progress data."""
    erp = pm.read_project(pm.data_path("erp_upgrade"))
    tasks = [t.replace(name=t.name + HOSTILE, phase=(t.phase or "") + HOSTILE) for t in erp.tasks]
    risks = [r.replace(name=r.name + HOSTILE) for r in erp.risks]
    project = erp.replace(name="Hostile" + HOSTILE, tasks=tasks, risks=risks)
    pm.write_project(project, folder)
    (folder / "progress.csv").write_text((pm.data_path("erp_upgrade") / "progress.csv").read_text())
    return folder


@pytest.mark.parametrize(
    "argv",
    [
        ["cpm"], ["cpm", "--table"], ["level", "--table"], ["simulate", "--table", "--iterations", "300", "--seed", "1"],
        ["evm", "--table"], ["cpm", "--json"],
    ],
)
def test_no_escape_from_a_file_reaches_the_terminal(argv, tmp_path, capsys):
    path = hostile_project(tmp_path / "hostile")
    assert main([argv[0], str(path), *argv[1:]]) == 0
    out, err = capsys.readouterr()
    assert "click" in out or argv[-1] == "--json"  # the text is still there ...
    assert not FORBIDDEN.search(out + err)             # ... without what a terminal would act on


def test_error_messages_quoting_a_file_are_safe_too(tmp_path, capsys):
    # Messages quote ids with repr (escapes show as \\x1b); file names are quoted as they are.
    folder = tmp_path / "bad\x1b[2J\x1b]8;;https:evil.example\x07name"
    folder.mkdir()
    (folder / "project.toml").write_text('start = "2027-01-04"\n')
    assert main(["cpm", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "badname" in err and not FORBIDDEN.search(err)
