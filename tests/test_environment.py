"""The set-up contract: pyproject.toml is the one list of dependencies,
environment.yml mirrors it, and the README opens with the two commands."""

from __future__ import annotations

import re
import tomllib

import pytest
from support import ROOT



@pytest.fixture(scope="module")
def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _environment_lines():
    # A tiny reader for our own environment.yml: `- item` lines, with nesting by indent.
    lines = []
    for raw in (ROOT / "environment.yml").read_text().splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if line.strip():
            lines.append(line)
    return lines


def test_environment_yml_installs_the_package_with_every_extra(pyproject):
    lines = [l.strip() for l in _environment_lines()]
    assert "- pip" in lines
    pip_installs = [l[2:].strip() for l in lines if l.startswith("- -e ")]
    assert pip_installs == ["-e .[all]"]


def test_environment_yml_python_matches_requires_python(pyproject):
    requires = pyproject["project"]["requires-python"]
    minimum = re.search(r">=\s*(\d+\.\d+)", requires).group(1)
    pythons = [l.strip()[2:] for l in _environment_lines() if l.strip().startswith("- python")]
    assert pythons == [f"python>={minimum}"]


def test_environment_yml_lists_no_package_of_its_own(pyproject):
    # Everything else comes from pyproject.toml, so the two cannot drift apart.
    lines = _environment_lines()
    start = lines.index("dependencies:")
    top_level = [l.strip()[2:] for l in lines[start + 1:] if re.match(r"^  - [^-]", l)]
    assert sorted(top_level) == sorted(["python>=3.11", "pip", "pip:"])


def test_all_extra_covers_every_other_extra(pyproject):
    extras = pyproject["project"]["optional-dependencies"]
    (all_spec,) = extras["all"]
    named = set(re.search(r"\[(.*)\]", all_spec).group(1).split(","))
    assert named == set(extras) - {"all"}


def test_readme_opens_with_the_two_commands():
    text = (ROOT / "README.md").read_text()
    first_block = re.search(r"```(?:\w+)?\n(.*?)```", text, re.S).group(1)
    assert first_block.split() == ["make", "lab", "make", "test"]


def test_makefile_targets_depend_on_install():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("lab", "test", "dashboard", "report"):
        assert re.search(rf"^{target}: install$", makefile, re.M), target


def test_ci_script_installs_system_packages_then_runs_make_test():
    script = (ROOT / ".ci" / "run").read_text()
    assert "set -euo pipefail" in script
    assert re.search(r"apt-get install .*chromium", script, re.S)
    assert "default-jre-headless" in script
    assert script.strip().splitlines()[-1] == "make test"
