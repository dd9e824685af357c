"""Text from a project file is data in the what-if panel: escaped in every HTML it builds (issue 17).

The browser sets an HTML widget's value as markup, so a project whose names
carry markup would run script in the Voila or JupyterLab page, which talks to
the kernel. The project here puts markup in every text the panel shows: its
name, a phase, a task, a resource and a risk (a currency that is not a
three-letter code is refused when the project is built).
"""

from __future__ import annotations

import base64
import dataclasses
import re

import ipywidgets as w
import pytest

import pmsim as pm
from pmsim.widgets import Dashboard, WhatIf

MARKUP = "<img src=x onerror=alert(1)>"
RAW = re.compile(r"<(img|script|svg|iframe)\b|onerror=alert\(1\)>", re.I)


@pytest.fixture(scope="module")
def hostile():
    p = pm.read_project(pm.data_path("erp_upgrade"))
    tasks = [dataclasses.replace(t, name=f"{MARKUP}{t.name}", phase=f"{MARKUP}{t.phase}" if t.phase else t.phase)
             for t in p.tasks]
    resources = [dataclasses.replace(r, name=f"{MARKUP}{r.name}") for r in p.resources]
    risks = [dataclasses.replace(r, name=f"<script>alert(2)</script>{r.name}") for r in p.risks]
    return dataclasses.replace(p, name=f"{MARKUP}ERP", tasks=type(p.tasks)(tasks),
                               resources=type(p.resources)(resources), risks=type(p.risks)(risks))


def _html_values(widget) -> list[str]:
    out = [widget.value] if isinstance(widget, w.HTML) else []
    for child in getattr(widget, "children", ()):
        out += _html_values(child)
    return out


def test_every_html_of_the_panel_escapes_the_project_text(hostile):
    panel = WhatIf(hostile, iterations=500, seed=1, debounce=0, plots=False)
    try:
        panel.controls["multiplier"].value = 1.2  # cards with differences from the plan
        panel.scenario_name.value = f"{MARKUP}faster"
        panel.save_button.click()
        panel.controls["task:most_likely"].value = -1.0  # a refused value: the error names the task's field
        values = _html_values(panel.widget)
        assert any("&lt;img src=x onerror=alert(1)&gt;ERP" in v for v in values)  # the name is shown, as text
        assert any("&lt;script&gt;alert(2)&lt;/script&gt;" in v for v in values)  # a risk's name
        assert any("&lt;img src=x onerror=alert(1)&gt;faster" in v for v in values)  # the scenario's name
        assert panel.error is not None
        shown = [v for v in values if v.startswith("<style>") is False]
        assert not [v for v in shown if RAW.search(v)], [v for v in shown if RAW.search(v)][:3]
        # The CSV links: the scenario name and the changes in words are data too.
        links = panel.download.value
        for data in re.findall(r"base64,([A-Za-z0-9+/=]+)", links):
            text = base64.b64decode(data).decode()
            assert MARKUP + "faster" in text  # CSV is not HTML: the text as it is
        assert not RAW.search(re.sub(r"base64,[A-Za-z0-9+/=]+", "", links))
    finally:
        panel.close()


def test_the_page_header_escapes_a_file_name(tmp_path):
    d = Dashboard(pm.data_path("textbook"), iterations=500)
    try:
        assert d.open(tmp_path / f"{MARKUP}.xlsx") is False
        assert not RAW.search(d.message.value) and "&lt;img" in d.message.value
    finally:
        d.close()
