"""Serve the dashboard of a project with Voila on this machine: ``pmsim dashboard PATH``, ``make dashboard``.

:func:`serve` checks that the project can be read, then runs Voila on
``dashboard.ipynb`` (beside this module) bound to 127.0.0.1, with the project
in the environment of its kernels (:data:`.app.ENVIRONMENT`). Each page gets
its own kernel: a pre-heated one (the page shows its controls at once), shut
down when the page closes, and culled after :data:`CULL_IDLE` seconds idle
without a page (a browser that crashed never says it closed; see
:mod:`.kernels`).

``python -m pmsim.widgets [PATH] [--port N] [--open] [--token]`` does the same.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
from importlib import resources
from pathlib import Path

from ..errors import PmsimError
from ..io import read_project
from .app import ENVIRONMENT

CULL_IDLE = 300  # seconds without a page and without work before a kernel is shut down
CULL_INTERVAL = 60  # seconds between two looks for idle kernels
PORT = 8866


def notebook() -> Path:
    """The Voila notebook of the dashboard."""
    return Path(str(resources.files(__package__).joinpath("dashboard.ipynb")))


# Voila's server, with the kernel manager of .kernels loaded by path (not through pmsim's imports).
_BOOT = ("import importlib.util, sys; "
         "spec = importlib.util.spec_from_file_location({name!r}, {path!r}); "
         "module = sys.modules[{name!r}] = importlib.util.module_from_spec(spec); spec.loader.exec_module(module); "
         "module.give_pages_an_xsrf_cookie(); "
         "from voila.app import main; sys.argv[0] = 'voila'; sys.exit(main())")


def voila_command(port: int = PORT, open_browser: bool = False, *, preheat: bool = True,
                  cull_idle: int = CULL_IDLE, cull_interval: int = CULL_INTERVAL, token: bool = False) -> list[str]:
    """The command line that serves the dashboard (the project comes from the environment, see :func:`serve`).

    Voila binds to 127.0.0.1 and shows no code; kernels without a page are
    culled after ``cull_idle`` seconds idle (looked for every
    ``cull_interval`` seconds), except the pre-heated one (see :mod:`.kernels`).
    ``token``: True makes Voila draw a token the page's address must carry
    (it prints the address); never given on the command line, where other
    users of the machine could read it.
    """
    from .kernels import NAME as KERNELS_MODULE  # jupyter_server: imported only to serve

    kernels = str(resources.files(__package__).joinpath("kernels.py"))
    command = [
        sys.executable, "-c", _BOOT.format(name=KERNELS_MODULE, path=kernels), str(notebook()),
        f"--port={int(port)}", "--Voila.ip=127.0.0.1", "--theme=light", "--strip_sources=True",
        f"--VoilaConfiguration.multi_kernel_manager_class={KERNELS_MODULE}.DashboardKernelManager",
        f"--MappingKernelManager.cull_idle_timeout={int(cull_idle)}",
        f"--MappingKernelManager.cull_interval={int(cull_interval)}",
        "--MappingKernelManager.cull_connected=False",
    ]
    if preheat:
        command += ["--preheat_kernel=True", "--pool_size=1"]
    if token:
        command.append("--token")
    if not open_browser:
        command.append("--no-browser")
    return command


def environment(path=None) -> dict:
    """The environment Voila runs in: this one, with the project's absolute path (or none: the sample)."""
    env = dict(os.environ)
    env.pop(ENVIRONMENT, None)
    if path is not None and str(path).strip():
        env[ENVIRONMENT] = str(Path(path).expanduser().resolve())
    return env


def free_port(preferred: int = PORT) -> int:
    """``preferred`` if nothing listens on it on 127.0.0.1, else a port the system gives."""
    for port in (preferred, 0):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise PmsimError("no free port on 127.0.0.1")  # pragma: no cover - port 0 always binds


def serve(path=None, *, port: int | None = None, open_browser: bool = False, preheat: bool = True,
          cull_idle: int = CULL_IDLE, token: bool = False) -> int:
    """Serve the what-if dashboard of the project at ``path`` on http://127.0.0.1:PORT/ until interrupted.

    Blocks while Voila runs; Ctrl+C (or SIGTERM) stops it and its kernels.

    Parameters
    ----------
    path : str or Path, optional
        A project pmsim reads (folder, ``.xlsx``, ``.xml``, ``.mpp``, ``.xer``,
        P6 XML); the ERP sample project when None. It is read once here,
        so a file that cannot be read fails now with its
        :class:`pmsim.PmsimError`, not in the page.
    port : int, optional
        The port; None takes 8866, or a free one when 8866 is taken.
    open_browser : bool
        Open the page in the default browser.
    preheat : bool
        Keep one kernel ready with the dashboard computed, so a page opens in
        a second or two (costs the memory of one kernel while no one looks).
    cull_idle : int
        Seconds after which a kernel without a page is shut down.
    token : bool
        Ask for a token in the page's address (Voila draws one and prints
        the address with it): for a machine shared with other users, who can
        all reach 127.0.0.1.

    Returns
    -------
    int
        Voila's exit status (0 after Ctrl+C).

    Raises
    ------
    pmsim.PmsimError
        The project cannot be read, or ``port`` is not a port number.
    """
    if path is not None and str(path).strip():
        read_project(path)
    if port is None:
        port = free_port()
    if not (isinstance(port, int) and not isinstance(port, bool) and 0 < port < 65536):
        raise PmsimError(f"port must be a number from 1 to 65535, got {port!r}")
    command = voila_command(port, open_browser, preheat=preheat, cull_idle=cull_idle, token=token)
    where = " (Voila prints the address with its token)" if token else ""
    print(f"Serving the pmsim dashboard on http://127.0.0.1:{port}/{where}; Ctrl+C stops it", flush=True)
    process = subprocess.Popen(command, env=environment(path))
    previous = signal.signal(signal.SIGTERM, _interrupt) if threading.current_thread() is threading.main_thread() else None
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()  # Voila shuts its kernels down on SIGTERM
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        return 0
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pmsim.widgets", description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", help="project folder or file (default: the ERP sample project)")
    parser.add_argument("--port", type=int, default=None, help=f"default: {PORT}, or a free port when it is taken")
    parser.add_argument("--open", action="store_true", help="open the page in the default browser")
    parser.add_argument("--token", action="store_true", help="the page's address must carry a token (shared hosts)")
    args = parser.parse_args(argv)
    try:
        return serve(args.path or None, port=args.port, open_browser=args.open, token=args.token)
    except PmsimError as exc:
        print(f"pmsim dashboard: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover - exercised by `make dashboard` and the browser tests
    sys.exit(main())
