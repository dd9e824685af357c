"""The served dashboard without a browser: opening projects (path or upload), serve()'s checks, the culler.

The page itself is tested in Chromium by test_browser_served.py.
"""

from __future__ import annotations

import ast
import asyncio
import datetime as dt
import html
import io
import json
import zipfile
from concurrent.futures import Future
from pathlib import Path

import pytest

import pmsim as pm
from pmsim.widgets import Dashboard, app, kernels, server

ITERATIONS = 500


@pytest.fixture
def dashboard():
    d = Dashboard(pm.data_path("textbook"), iterations=ITERATIONS)
    yield d
    d.close()


def _upload(d: Dashboard, name: str, content: bytes) -> None:
    d.upload.value = ({"name": name, "type": "", "size": len(content), "content": memoryview(content),
                       "last_modified": dt.datetime(2027, 1, 4, tzinfo=dt.timezone.utc)},)


def _zipped(folder, members=None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        if members is not None:
            for name, data in members.items():
                z.writestr(name, data)
        else:
            for path in folder.iterdir():
                z.write(path, f"my project/{path.name}")
    return buf.getvalue()


def test_the_page_opens_a_project_and_says_which(dashboard):
    assert dashboard.panel is not None and dashboard.panel.headline["p80"] is not None
    assert "from textbook" in dashboard.message.value and "pmsim-open-ok" in dashboard.message.value
    assert dashboard.body.children == (dashboard.panel.widget,)


def test_the_open_line_names_the_file_and_gives_its_full_path_in_the_tooltip(dashboard, tmp_path):
    folder = tmp_path / "Programme office" / "<i>plans</i> 2027"
    folder.mkdir(parents=True)
    path = pm.write_project(pm.read_project(pm.data_path("textbook")), folder / "plan <b>v2.xlsx")
    assert dashboard.open(path)
    name = dashboard.panel.project.name
    # Escaped, text and tooltip alike: the file's and the folder's markup stays text.
    assert dashboard.message.value == (
        f"<div class='pmsim-open-ok' title='{html.escape(name)}, from {html.escape(str(path.resolve()), quote=True)}'>"
        f"Opened {html.escape(name)} from plan &lt;b&gt;v2.xlsx</div>")
    # An upload has no path on this machine worth showing.
    _upload(dashboard, "erp.xlsx", path.read_bytes())
    assert f"title='{html.escape(name)}, from an uploaded file'" in dashboard.message.value


def test_a_project_that_cannot_be_read_is_named_and_the_open_one_stays(dashboard, tmp_path):
    shown = dashboard.panel
    bad = tmp_path / "<b onmouseover=alert(1)>plan.xer"
    bad.write_text("not an XER file")
    assert dashboard.open(bad) is False
    assert dashboard.panel is shown  # nothing half-opened
    assert "Could not open" in dashboard.message.value and "pmsim-open-error" in dashboard.message.value
    assert "<b " not in dashboard.message.value and "&lt;b onmouseover=alert(1)&gt;plan.xer" in dashboard.message.value
    assert dashboard.open("  ") is False
    assert "Type the path" in dashboard.message.value


def test_the_path_box_opens_what_is_typed(dashboard):
    dashboard.path.value = str(pm.data_path("erp_upgrade"))
    dashboard.open_button.click()
    assert dashboard.panel.project.name == pm.read_project(pm.data_path("erp_upgrade")).name
    assert "from erp_upgrade" in dashboard.message.value


def test_an_uploaded_file_or_zipped_folder_opens(dashboard, tmp_path):
    xlsx = pm.write_project(pm.read_project(pm.data_path("erp_upgrade")), tmp_path / "erp.xlsx")
    _upload(dashboard, "../../erp.xlsx", xlsx.read_bytes())  # a browser's name is never a path
    assert "from erp.xlsx" in dashboard.message.value
    assert dashboard.upload.value == ()  # the file's bytes are not kept in the page's state
    assert len(dashboard.panel.project.tasks) == 82
    _upload(dashboard, "folder.zip", _zipped(pm.data_path("textbook")))
    assert "from folder.zip" in dashboard.message.value
    assert dashboard.panel.project.name == pm.read_project(pm.data_path("textbook")).name


@pytest.mark.parametrize("name, content, says", [
    ("notes.txt", b"hello", "pmsim reads"),
    ("bad.zip", b"not a zip", "not a zip archive"),
    ("escape.zip", {"../tasks.csv": "id\n"}, "refused member '../tasks.csv'"),
    ("absolute.zip", {"/tmp/tasks.csv": "id\n"}, "refused member"),
    ("empty.zip", {"readme.txt": "no project here"}, "no tasks.csv in the archive"),
])
def test_an_upload_that_cannot_be_a_project_is_refused(dashboard, name, content, says):
    shown = dashboard.panel
    _upload(dashboard, name, content if isinstance(content, bytes) else _zipped(None, content))
    assert dashboard.panel is shown
    assert "pmsim-open-error" in dashboard.message.value
    assert says.replace("'", "&#x27;") in dashboard.message.value


def test_an_archive_too_large_once_unpacked_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(app, "MAX_UNZIPPED", 1000)
    archive = tmp_path / "big.zip"
    archive.write_bytes(_zipped(None, {"p/tasks.csv": "x" * 2000}))
    with pytest.raises(pm.PmsimError, match="unpacks to more than"):
        app.unpack(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_closing_the_page_removes_its_uploads(tmp_path):
    d = Dashboard(pm.data_path("textbook"), iterations=ITERATIONS)
    _upload(d, "t.zip", _zipped(pm.data_path("textbook")))
    folder = d._uploads
    assert any(p.name == "tasks.csv" for p in Path(folder).rglob("*"))
    d.close()
    assert not Path(folder).exists()


def test_the_served_page_opens_the_project_of_its_environment(monkeypatch):
    monkeypatch.setenv(app.ENVIRONMENT, str(pm.data_path("textbook")))
    d = app.app_from_environment()
    try:
        assert d.panel.wait(120)  # the first numbers are computed after the page is shown
        assert d.panel.project.name == pm.read_project(pm.data_path("textbook")).name
        assert d.panel.headline["p80"] is not None
    finally:
        d.close()


def test_the_shipped_notebook_is_one_cell_without_prose():
    nb = json.loads(server.notebook().read_text())
    assert [c["cell_type"] for c in nb["cells"]] == ["code"]
    assert "app_from_environment()" in "".join(nb["cells"][0]["source"])


def test_serve_reads_the_project_before_starting_voila(tmp_path, monkeypatch):
    def popen(*args, **kwargs):
        raise AssertionError("Voila must not start for a project that cannot be read")

    monkeypatch.setattr(server.subprocess, "Popen", popen)
    missing = tmp_path / "nowhere.xlsx"
    with pytest.raises(pm.PmsimError, match="nowhere.xlsx"):
        server.serve(missing)
    with pytest.raises(pm.PmsimError, match="port must be"):
        server.serve(pm.data_path("textbook"), port=70000)


def test_serve_runs_voila_on_loopback_with_the_project(monkeypatch, capsys):
    started = {}

    class Process:
        def __init__(self, command, env):
            started.update(command=command, env=env)

        def wait(self, timeout=None):
            return 0

    monkeypatch.setattr(server.subprocess, "Popen", Process)
    assert server.serve(pm.data_path("textbook"), port=9123) == 0
    command, env = started["command"], started["env"]
    assert "--Voila.ip=127.0.0.1" in command and "--port=9123" in command and "--no-browser" in command
    assert "--MappingKernelManager.cull_connected=False" in command
    assert f"--MappingKernelManager.cull_idle_timeout={server.CULL_IDLE}" in command
    assert str(server.notebook()) in command
    assert env[app.ENVIRONMENT] == str(pm.data_path("textbook").resolve())
    assert "http://127.0.0.1:9123/" in capsys.readouterr().out
    assert not [c for c in command if "token" in c]
    server.serve(None, port=9123, token=True)
    assert app.ENVIRONMENT not in started["env"]  # the sample project
    assert "--token" in started["command"]


def test_a_taken_port_gives_way_to_a_free_one():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        taken = s.getsockname()[1]
        port = server.free_port(taken)
    assert port != taken and 0 < port < 65536


def test_the_module_command_line_names_a_bad_project(tmp_path, capsys):
    assert server.main([str(tmp_path / "none.xer")]) == 2
    assert capsys.readouterr().err.startswith("pmsim dashboard: ")


# --------------------------------------------------------------------------- the culler


class _Kernel:
    def __init__(self, state="idle"):
        self.execution_state = state
        self.kernel_spec = type("Spec", (), {"metadata": {}})()


def _manager(monkeypatch, pooled=(), kernels_=("a", "b")):
    culled = []

    async def base_cull(self, kernel_id):
        culled.append(kernel_id)

    monkeypatch.setattr(kernels.AsyncMappingKernelManager, "cull_kernel_if_idle", base_cull)
    m = kernels.DashboardKernelManager()
    m.cull_idle_timeout = 60
    m._kernels = {k: _Kernel() for k in kernels_}
    pool = []
    for kid in pooled:
        f: Future = Future()
        f.set_result({"kernel_id": kid})
        pool.append(f)
    m._pools = {"dashboard.ipynb": pool}
    return m, culled


def test_the_culler_spares_the_pre_heated_kernel(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(kernels.time, "monotonic", lambda: clock[0])
    m, culled = _manager(monkeypatch, pooled=("a",))
    m.cull_idle_timeout = 600  # above FIRST_CONNECTION: the idle timeout rules
    asyncio.run(m.cull_kernel_if_idle("a"))
    assert culled == []
    # A kernel out of the pool gets the whole idle time from when the culler first sees it out.
    asyncio.run(m.cull_kernel_if_idle("b"))
    assert culled == []
    clock[0] += 601
    asyncio.run(m.cull_kernel_if_idle("b"))
    assert culled == ["b"]
    m._kernels["a"].execution_state = "dead"  # a dead kernel is culled even in the pool
    asyncio.run(m.cull_kernel_if_idle("a"))
    assert culled == ["b", "a"]


def test_a_page_gets_time_to_connect_and_the_idle_time_after_it_leaves(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(kernels.time, "monotonic", lambda: clock[0])
    m, culled = _manager(monkeypatch, kernels_=("a",))
    m.cull_idle_timeout = 30
    # Handed to a page that has not connected yet: FIRST_CONNECTION seconds (120), not the idle timeout (30).
    asyncio.run(m.cull_kernel_if_idle("a"))
    clock[0] += 31
    asyncio.run(m.cull_kernel_if_idle("a"))
    assert culled == []
    # The page connects, works for a while (busy), then is dropped without a word (a crashed browser).
    m._kernel_connections["a"] = 1
    clock[0] += 100
    asyncio.run(m.cull_kernel_if_idle("a"))
    m._kernel_connections["a"] = 0
    m._kernels["a"].execution_state = "busy"
    clock[0] += 500
    asyncio.run(m.cull_kernel_if_idle("a"))
    m._kernels["a"].execution_state = "idle"
    clock[0] += 29  # idle 29 s since last seen busy: kept
    asyncio.run(m.cull_kernel_if_idle("a"))
    assert culled == []
    clock[0] += 2  # 31 s: the idle timeout applies (it had a page)
    asyncio.run(m.cull_kernel_if_idle("a"))
    assert culled == ["a"]


def test_the_kernel_manager_file_imports_nothing_from_pmsim():
    tree = ast.parse((server.notebook().parent / "kernels.py").read_text())
    imported = [n.module if isinstance(n, ast.ImportFrom) and not n.level else "." if isinstance(n, ast.ImportFrom)
                else a.name for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
                for a in n.names]
    assert imported and not [m for m in imported if m == "." or m.startswith("pmsim")], imported


def test_notebook_05_carries_the_current_style_sheet():
    # The rendered page (make report) re-runs the notebook, but JupyterLab shows a notebook's stored widget
    # state until it runs: a style sheet changed without re-running the notebook (nbconvert --execute
    # --inplace) would show the old layout. nbval does not compare widget state, so this test does.
    from pmsim.widgets.view import style_sheet

    notebook = json.loads((Path(__file__).parents[2] / "notebooks" / "05_whatif_dashboard.ipynb").read_text())
    state = notebook["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    sheets = [m["state"]["value"] for m in state.values() if "<style" in str(m["state"].get("value", ""))]
    assert sheets and all(sheet == style_sheet() for sheet in sheets), "re-run notebook 05 (nbconvert --inplace)"
