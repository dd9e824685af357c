"""The house rules of the package, checked on every run (docs/architecture.md).

- imports go one way: the import-linter contracts in pyproject.toml are kept;
- every module has a place in those contracts (a new module cannot slip past them);
- no private name is imported from another package;
- modules stay small, except the few listed here with the reason.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pmsim"

# Package front doors that the layers contract does not list: each only gathers and re-exports
# (pmsim: the public API; pmsim.io: read_project/write_project by suffix; the MSPDI, XER and
# P6 XML facades: the reader, then the health warning).
FACADES = {"pmsim", "pmsim.io", "pmsim.io.mspdi", "pmsim.io.xer", "pmsim.io.pmxml"}

# Modules allowed above the size guide, and why.
LONG_MODULES = {
    "pmsim/distributions.py": "six distribution classes, each small and independent, and the estimate factory",
    "pmsim/model/project.py": "one job, the Project and the checks of every reference between its parts (tasks, "
                              "links, resources, calendars, risks, branches)",
    "pmsim/model/entities.py": "one job, the four entities and their validation; Task carries the whole time "
                               "model of MS Project and P6 (constraints, progress, manual starts, delays, branches)",
    "pmsim/simulation.py": "one job, the Simulation result: P-dates, costs and the per-task indices it regenerates",
    "pmsim/widgets/panel.py": "the what-if panel: its controls, outputs and scenario table",
}
SIZE_GUIDE = 600


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def test_the_layering_contracts_are_kept(capsys):
    from importlinter.cli import lint_imports

    code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)
    report = capsys.readouterr().out
    assert code == 0, report
    assert "BROKEN" not in report and "Contracts: " in report


def test_every_module_has_a_layer():
    listed = set()
    for contract in contracts():
        if contract["type"] != "layers":
            continue
        for container in contract.get("containers", [""]):
            for layer in contract["layers"]:
                for name in re.split(r"[|:]", layer):
                    name = name.strip().strip("()")
                    listed.add(f"{container}.{name}" if container else name)
    missing = [m for m in modules() if m not in FACADES and not any(m == x or m.startswith(x + ".") for x in listed)]
    assert not missing, f"modules in no layer of the contract (pyproject.toml): {missing}"
    stale = sorted(x for x in listed if x not in modules())
    assert not stale, f"the contract names modules that do not exist: {stale}"


def _private_imports(path: Path, module: str, root: Path = ROOT):
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
            source = ".".join(base + ([node.module] if node.module else []))
        elif (node.module or "").startswith("pmsim"):
            source = node.module
        else:
            continue
        for alias in node.names:
            private = alias.name.startswith("_") and not alias.name.startswith("__")
            if private and source != package and source.rsplit(".", 1)[0] != package:
                yield f"{path.relative_to(root)}:{node.lineno}: {alias.name} from {source}"


def test_no_private_name_is_imported_from_another_package():
    found = [hit for module, path in modules().items() for hit in _private_imports(path, module)]
    assert not found, "give these a public name in their module, or move the code:\n" + "\n".join(found)


def test_the_private_name_check_can_fail(tmp_path):
    # The check above must see through relative imports.
    pkg = tmp_path / "pmsim" / "sub"
    pkg.mkdir(parents=True)
    (pkg / "x.py").write_text("from ..other import _secret\nfrom .sibling import _fine\n")
    hits = list(_private_imports(pkg / "x.py", "pmsim.sub.x", tmp_path))
    assert len(hits) == 1 and "_secret from pmsim.other" in hits[0]


@pytest.mark.parametrize("module", sorted(modules()))
def test_modules_stay_small(module):
    path = modules()[module]
    lines = len(path.read_text().splitlines())
    rel = str(path.relative_to(ROOT))
    if rel in LONG_MODULES:
        return
    assert lines <= SIZE_GUIDE, f"{rel} has {lines} lines: what second job did it take on? (or list it, with why)"
