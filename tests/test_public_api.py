"""The public names of ``import pmsim as pm``: all of them reachable, none of them shadowed by a module."""

import subprocess
import sys

import pmsim as pm


def test_every_public_name_resolves_to_what_its_module_defines():
    import importlib

    for name in pm.__all__:
        value = getattr(pm, name)
        module = pm._LAZY.get(name)
        if module is not None:
            assert value is getattr(importlib.import_module(f"pmsim.{module}"), name), name


def _fresh(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_importing_a_module_of_the_same_name_does_not_shadow_the_function():
    # `import pmsim.pert` binds the module pmsim.pert on the package; pm.pert must stay the function,
    # whichever is touched first (a notebook importing PertResult from its module, then calling pm.pert).
    out = _fresh("import pmsim.pert, pmsim.cpm, pmsim as pm\n"
                 "p = pm.read_project(pm.data_path('textbook'))\n"
                 "print(callable(pm.pert), callable(pm.cpm), pm.cpm(p).makespan)")
    assert out == "True True 43.0"  # the textbook network's makespan, as in the package docstring


def test_import_pmsim_loads_no_numerical_library():
    # `import pmsim` must stay quick (the CLI's --help, a notebook's first cell): pandas, numpy, scipy and
    # numba load on first use of a name that needs them. Counted by module, not by time, so it cannot flake.
    out = _fresh("import sys; import pmsim\n"
                 "print(sorted(m for m in ('numpy', 'pandas', 'scipy', 'numba', 'matplotlib') if m in sys.modules))")
    assert out == "[]"
