"""The documentation site: ``make docs`` builds it without a warning, and every link in it leads somewhere.

The build runs offline from the README, docs/ and the committed notebooks
(docs/conf.py); a reference to no documented object, a link to a missing page
or anchor, or a docstring Sphinx cannot parse fails it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

import pmsim as pm
import pmsim.plot
import pmsim.progress_bars
import pmsim.widgets
from support import ROOT

pytestmark = pytest.mark.slow


def make_docs(out: Path, *options: str, timeout: int = 900) -> subprocess.CompletedProcess:
    """``make docs`` into ``out`` (the virtual environment taken as installed: the tests run in it)."""
    return subprocess.run(["make", "--no-print-directory", "-o", ".venv/.installed", "docs", f"DOCS={out}", *options],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("docs") / "html"
    done = make_docs(out)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    assert done.stderr == "", done.stderr  # no warning, no message of any kind
    return out


class Links(HTMLParser):
    """The ids of a page and the targets of its links (``href`` and ``src``)."""

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        for key in ("href", "src"):
            if attrs.get(key) and not (tag == "link" and "preconnect" in (attrs.get("rel") or "")):
                self.links.append(attrs[key])


def parse(page: Path) -> Links:
    links = Links()
    links.feed(page.read_text(encoding="utf-8"))
    return links


def test_the_site_has_the_readme_the_guides_the_notebooks_and_the_api_reference(site):
    assert (site / "index.html").read_text().count('url=docs/index.html') == 1  # the top sends to the contents
    pages = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    guides = {f"docs/{p.stem}.html" for p in (ROOT / "docs").glob("*.md")}
    notebooks = {f"notebooks/{p.stem}.html" for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert {"README.html", "docs/index.html", "docs/api/index.html"} | guides | notebooks <= pages
    # The notebooks are shown with their committed outputs: the quickstart's CPM finish and its plots.
    quickstart = (site / "notebooks" / "00_quickstart.html").read_text()
    assert quickstart.count('<img alt="_images/') + quickstart.count('<img alt="../_images/') >= 1
    assert "2027-" in quickstart
    # The dashboard notebook's panel is drawn from its saved widget state, under a note that it does not compute.
    dashboard = (site / "notebooks" / "05_whatif_dashboard.html").read_text()
    assert "application/vnd.jupyter.widget-state+json" in dashboard and "nothing is computed in this page" in dashboard


def test_the_site_opens_offline(site):
    # Every script, style sheet and image comes with the site (the widget manager included): nothing from a CDN.
    remote = []
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        remote += [f"{page.relative_to(site)}: {m}" for m in re.findall(r'<(?:script|link|img)[^>]*(?:src|href)="(?:https?:)?//[^"]*"', text)]
    assert not remote, remote[:10]
    assert (site / "_static" / "embed.js").stat().st_size > 1_000_000


def test_every_public_name_is_in_the_api_reference(site):
    documented = set()
    for page in (site / "docs" / "api").glob("*.html"):
        documented |= parse(page).ids
    # Each public name under the name a user types (pm.cpm) or in its module (pmsim.errors.PmsimError).
    missing = [f"pmsim.{name}" for name in pm.__all__
               if not {f"pmsim.{name}", f"{getattr(getattr(pm, name), '__module__', '')}.{name}"} & documented]
    for module in (pmsim.plot, pmsim.widgets, pmsim.progress_bars):
        missing += [f"{module.__name__}.{name}" for name in module.__all__
                    if f"{module.__name__}.{name}" not in documented]
    assert not missing, f"public names missing from docs/api/*.md: {missing}"
    # Classes with their methods and properties: what a user calls on a result.
    assert {"pmsim.Simulation.percentile", "pmsim.Simulation.probability_by", "pmsim.Project.with_task",
            "pmsim.widgets.WhatIf.save_scenario"} <= documented


def test_every_link_of_the_site_leads_to_a_page_and_an_anchor_in_it(site):
    pages = {page: parse(page) for page in site.rglob("*.html")}
    broken = []
    for page, links in pages.items():
        for link in links.links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//"):
                continue  # another site (the theme's and the guides' web links): not ours to check offline
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(site)}: {link} (no such file)")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else parse(target).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{page.relative_to(site)}: {link} (no such anchor)")
    assert not broken, "\n".join(broken[:40])


def test_a_broken_reference_or_link_fails_the_build(tmp_path):
    # The same configuration on one page that names a function pmsim does not have and a missing guide.
    source = tmp_path / "source"
    source.mkdir()
    (source / "page.md").write_text("# A page\n\n{py:func}`pmsim.no_such_function` and [a guide](no-such-guide.md).\n")
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-c", str(ROOT / "docs"), "-W",
         "--keep-going", "-q", "-D", "root_doc=page", "-D", "include_patterns=page.md", "-D", "html_extra_path=",
         str(source), str(tmp_path / "html")],
        capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    assert "pmsim.no_such_function" in done.stderr and "no-such-guide.md" in done.stderr, done.stderr
