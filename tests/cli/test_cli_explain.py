"""pmsim explain BASE CHANGED: the change between two project files, group by group."""

from __future__ import annotations

import json

import pytest

import pmsim as pm
from pmsim.cli import main


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    folder = tmp_path_factory.mktemp("versions")
    base = pm.read_project(pm.data_path("textbook"))
    # Every estimate x1.5: only the estimates group moves.
    changed = pm.Scenario("slower", multiplier=1.5).apply(base)
    return pm.write_project(base, folder / "base"), pm.write_project(changed, folder / "changed")


def test_the_table_and_json_agree_with_pm_explain(versions, capsys, tmp_path):
    base, changed = versions
    png = tmp_path / "why.png"
    assert main(["explain", str(base), str(changed), "--iterations", "500", "--seed", "4", "--png", str(png)]) == 0
    out, err = capsys.readouterr()
    assert "500 iterations, seed 4, 2 simulations" in out
    lines = out.splitlines()
    assert [line.split()[0] for line in lines[3:]] == ["start", "estimates", "end"]
    assert png.read_bytes().startswith(b"\x89PNG") and "waterfall saved" in err
    assert main(["explain", str(base), str(changed), "--iterations", "500", "--seed", "4", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    why = pm.explain(pm.read_project(base), pm.read_project(changed), iterations=500, seed=4)
    assert [g["group"] for g in data["groups"]] == ["estimates"]
    assert data["groups"][0]["p80"] == pytest.approx(why.loc["estimates", "p80"])
    assert data["total"]["p80"] == pytest.approx(data["end"]["p80"] - data["start"]["p80"])
    assert f"{data['start']['p80']:.1f}" in lines[3] and f"{data['end']['p80']:.1f}" in lines[5]


def test_a_missing_version_is_one_line_on_stderr(versions, capsys, tmp_path):
    base, _ = versions
    assert main(["explain", str(base), str(tmp_path / "nope"), "-q"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "no such file or folder" in err
