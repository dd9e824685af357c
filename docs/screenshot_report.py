"""Make docs/report.png, the README's picture of a pmsim report: run this after the report changes.

    .venv/bin/python docs/screenshot_report.py [--seed 0] [--chromium /usr/bin/chromium]

It writes the report of the ERP sample (``pmsim report data/erp_upgrade``,
10,000 iterations, the given seed) to a temporary folder, opens it in
Chromium (Playwright) at 1200 x 1000 pixels, hides the sections between the
headline cards and the schedule risk section, and saves the view: the
headline numbers, the P-dates against PERT and the finish histogram.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HIDE = ("project", "health", "cpm")  # the sections above the schedule risk one


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--chromium", default=os.environ.get("PMSIM_CHROMIUM") or shutil.which("chromium")
                        or "/usr/bin/chromium")
    parser.add_argument("--output", default=str(ROOT / "docs" / "report.png"))
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from pmsim.cli import main as pmsim_main

    with tempfile.TemporaryDirectory() as tmp:
        page_path = Path(tmp) / "report.html"
        os.chdir(ROOT)  # the page names the folder as given: data/erp_upgrade
        code = pmsim_main(["report", "data/erp_upgrade", "-o", str(page_path), "--seed", str(args.seed)])
        if code:
            raise SystemExit(f"pmsim report failed (exit code {code})")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=args.chromium, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1200, "height": 1000})
            page.goto(page_path.as_uri())
            page.wait_for_load_state("load")
            page.evaluate("ids => ids.forEach(id => { const s = document.getElementById(id); "
                          "if (s) s.closest('section').style.display = 'none'; })", list(HIDE))
            page.screenshot(path=args.output)
            browser.close()
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
