"""Write one benchmark's section of benchmarks/RESULTS.md, leaving the others alone."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")


def machine() -> str:
    """A one-line description of the machine the benchmark ran on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def write_section(name: str, markdown: str) -> None:
    """Replace the text between ``<!-- section: name -->`` and ``<!-- end: name -->``."""
    stamp = f"Run {dt.datetime.now().strftime('%Y-%m-%d %H:%M')} on {machine()}.\n\n"
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    start, end = f"<!-- section: {name} -->", f"<!-- end: {name} -->"
    body = f"{start}\n{stamp}{markdown.strip()}\n{end}"
    if start in text:
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda m: body, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + body + "\n"
    RESULTS.write_text(text)
