"""The wheel: built from the sources, installed in a fresh virtual environment, it runs the README.

The fresh environment gets pmsim only from the wheel (no editable install, no
repository on the path, run from an empty folder); its dependencies come
from the test environment through a ``.pth`` line, and the build backend
too, so nothing is downloaded. The README's Python examples and its shell
commands run there, and the sample projects are found inside the installed
package.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

import pmsim as pm
from support import ROOT

pytestmark = pytest.mark.slow

def readme_blocks(language: str, after: str) -> list[str]:
    """The fenced ``language`` code blocks of the README section headed ``after``."""
    text = (ROOT / "README.md").read_text()
    section = text.split(f"\n## {after}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{language}\n(.*?)```", section, re.S)


def run(args, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel ``pip wheel .`` builds from the repository, offline: the build backend (hatchling,
    in the test extra) comes from the test environment."""
    dist = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "--quiet",
         "--wheel-dir", str(dist), str(ROOT)])
    (built,) = dist.glob("pmsim-*.whl")
    return built


@pytest.fixture(scope="module")
def fresh(wheel, tmp_path_factory) -> dict:
    """A new virtual environment with the wheel installed: its python, an empty folder to run in, the environment
    variables (its bin folder first on PATH) and its site-packages."""
    home = tmp_path_factory.mktemp("fresh")
    env_dir = home / "venv"
    venv.create(env_dir, with_pip=False, symlinks=True)
    python = env_dir / "bin" / "python"
    site = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    # The test environment's packages (numpy, pandas, numba, ...) without its own pmsim: a path listed
    # in a .pth file is added as it is, and the .pth files inside it (the editable pmsim) are not read.
    (site / "test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "--quiet",
         str(wheel)])
    # numba keys its cached kernels by the content of their source file, so those compiled for the
    # repository's sources (by the tests that ran before) serve the identical installed copy: this test
    # spends its time running the package, not compiling it again. Without them numba compiles. (Copied
    # as new files: pmsim._kernels drops caches older than its sources, and the install just wrote those.)
    for kernel in (ROOT / "pmsim").rglob("__pycache__/*.nb[ic]"):
        copy = site / "pmsim" / kernel.relative_to(ROOT / "pmsim")
        copy.parent.mkdir(exist_ok=True)
        shutil.copyfile(kernel, copy)
    empty = home / "work"
    empty.mkdir()
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    environ.update(MPLBACKEND="Agg", PATH=f"{env_dir / 'bin'}{os.pathsep}{environ.get('PATH', '')}")
    return {"python": str(python), "cwd": empty, "env": environ, "site": site}


def test_the_wheel_carries_every_module_and_the_sample_projects(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    # Every file of the package (modules, templates, the widgets' styles and scripts), caches left out.
    package = {p.relative_to(ROOT).as_posix() for p in (ROOT / "pmsim").rglob("*")
               if p.is_file() and not {"__pycache__", ".ipynb_checkpoints"} & set(p.parts)
               and p.suffix not in (".pyc", ".nbi", ".nbc")}
    assert package <= names, sorted(package - names)
    samples = {f"pmsim/data/{p.relative_to(ROOT / 'data')}" for p in (ROOT / "data").rglob("*") if p.is_file()}
    assert samples and samples <= names, sorted(samples - names)
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert "pmsim/templates/lab_offline/embed.js" in names  # the offline report template
    # The licence travels with the package: its text, and the SPDX expression in the metadata.
    (licence,) = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
    assert "BSD 3-Clause License" in zipfile.ZipFile(wheel).read(licence).decode()
    (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
    assert "License-Expression: BSD-3-Clause" in zipfile.ZipFile(wheel).read(metadata).decode()


def test_the_source_distribution_builds_the_same_wheel(wheel, tmp_path):
    # What an index would serve besides the wheel: the package, the samples, the README, the licence and the
    # metadata (no tests, notebooks or benchmarks), and pip building a wheel from it gets the same files.
    from hatchling.builders.sdist import SdistBuilder

    (sdist,) = SdistBuilder(str(ROOT)).build(directory=str(tmp_path / "sdist"))
    with tarfile.open(sdist) as archive:
        names = [n.split("/", 1)[1] for n in archive.getnames() if "/" in n]
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # Python 3.11.4 and later
        archive.extractall(tmp_path / "unpacked", **safe)
    assert {n.split("/", 1)[0] for n in names} == {"pmsim", "data", "README.md", "LICENSE", "pyproject.toml",
                                                  "PKG-INFO", ".gitignore"}
    (source,) = (tmp_path / "unpacked").iterdir()
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "--quiet",
         "--wheel-dir", str(tmp_path / "dist"), str(source)])
    (rebuilt,) = (tmp_path / "dist").glob("pmsim-*.whl")
    assert sorted(zipfile.ZipFile(rebuilt).namelist()) == sorted(zipfile.ZipFile(wheel).namelist())


def test_the_installed_package_finds_its_samples(fresh):
    code = ("import pmsim as pm; print(pm.__file__); print(pm.data_path('erp_upgrade')); "
            "print(','.join(pm.sample_projects()))")
    where, erp, samples = run([fresh["python"], "-c", code], cwd=fresh["cwd"], env=fresh["env"]).stdout.split("\n")[:3]
    assert Path(where).is_relative_to(fresh["site"])
    assert Path(erp) == fresh["site"] / "pmsim" / "data" / "erp_upgrade" and (Path(erp) / "tasks.csv").is_file()
    assert samples.split(",") == pm.sample_projects()


def test_the_readme_python_examples_run_from_the_wheel(fresh):
    ten_lines, plots = readme_blocks("python", "Ten lines")
    assert len(ten_lines.strip().splitlines()) == 10  # the ten lines the heading promises (the blank one counted)
    script = ten_lines + plots + "import matplotlib.pyplot as plt\nprint('figures', len(plt.get_fignums()))\n"
    out = run([fresh["python"], "-c", script], cwd=fresh["cwd"], env=fresh["env"]).stdout
    p = pm.read_project(pm.data_path("erp_upgrade"))
    schedule = pm.cpm(p)
    # The same numbers as here, in the repository: the first line is the CPM finish and critical path.
    assert out.splitlines()[0] == f"{schedule.finish_date} {schedule.critical_path[:5]}"
    assert out.rstrip().endswith("figures 2")


def test_the_readme_shell_commands_run_from_the_wheel(fresh):
    (block,) = readme_blocks("shell", "From the shell")
    commands = [line.split("#", 1)[0].strip() for line in block.splitlines() if line.startswith("pmsim ")]
    assert len(commands) >= 5
    for command in commands:
        done = run(command.split(), cwd=fresh["cwd"], env=fresh["env"])
        assert done.stdout and "Traceback" not in done.stderr, command
    assert (fresh["cwd"] / "erp_upgrade.html").stat().st_size > 100_000  # pmsim report ... -o erp_upgrade.html


def test_the_readme_shows_what_pmsim_simulate_prints():
    shown = (ROOT / "README.md").read_text().split("$ pmsim simulate erp_upgrade --seed 1\n", 1)[1].split("```")[0]
    done = run([sys.executable, "-m", "pmsim.cli", "simulate", "erp_upgrade", "--seed", "1", "--quiet"],
               cwd=ROOT / "tests")
    assert done.stdout == shown


def test_the_readme_lists_every_plotting_function():
    section = (ROOT / "README.md").read_text().split("\n## Ten lines\n", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `(\w+)\(", section, re.M))
    assert listed == set(pm.plot.__all__) - {"CRITICAL"}
