"""Parity with MS Project and P6 on real files: pmsim's CPM against the schedule each file stores.

Run: ``.venv/bin/python benchmarks/bench_parity.py [--corpus DIR] [--fetch] [--no-write] [--only xer]
[--match NAME ...]`` (``--match``: only the files whose name holds NAME, not written to RESULTS.md)

The corpus is ``benchmarks/corpus/corpus.tsv``: real schedules from public
repositories (format, repository, commit, path, licence), plus the files
committed in ``tests/data/real/``. Files are read from ``--corpus`` (default
``$PMSIM_CORPUS`` or ``/work/corpus``), laid out as ``owner+name/path``;
``--fetch`` downloads the missing ones from GitHub at their commit (files
without a licence that allows redistribution are never committed to this
repository, only fetched). ``.mpp`` files need Java and MPXJ.

For every task not finished, pmsim's early start, early finish and total
float are compared with the stored ones (:func:`pmsim.parity.parity`:
moments equal when the task's calendar has done the same work by both,
within a minute; floats within 0.05 working day). Results go to the
``parity`` section of benchmarks/RESULTS.md: per file, per format, overall,
and the mismatches left by cause: the feature pmsim does not model that the
file warns of, stored late dates the file did not recalculate
(:meth:`pmsim.parity.Parity.mismatches`), or "unexplained".
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import urllib.parse
import urllib.request
import warnings
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _results import write_section  # noqa: E402

import pmsim as pm  # noqa: E402
from pmsim.parity import UNEXPLAINED, parity  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LIST = Path(__file__).with_name("corpus") / "corpus.tsv"
REAL = ROOT / "tests" / "data" / "real"


def corpus_rows() -> list[dict]:
    rows = []
    for line in LIST.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        fmt, repo, commit, path, licence, activities = line.split("\t")
        rows.append({"format": fmt, "repo": repo, "commit": commit, "path": path, "licence": licence,
                     "local": repo.replace("/", "+") + "/" + path})
    return rows


def fetch(row: dict, folder: Path) -> Path | None:
    """Download one file from GitHub at its commit (needs the network)."""
    target = folder / row["local"]
    url = (f"https://raw.githubusercontent.com/{row['repo']}/{row['commit']}/"
           f"{urllib.parse.quote(row['path'])}")
    try:
        with urllib.request.urlopen(url, timeout=60) as answer:
            data = answer.read()
    except OSError as exc:
        print(f"cannot fetch {url}: {exc}", file=sys.stderr)
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def files(folder: Path, download: bool, only: str | None) -> list[tuple[str, Path, str]]:
    """(format, path, origin) of every corpus file present, committed ones first."""
    out, seen = [], set()
    for path in sorted(REAL.iterdir()):
        fmt = {".xer": "xer", ".xml": "xml", ".mpp": "mpp"}.get(path.suffix.lower())
        if fmt and (only is None or only in (fmt, "xml")):
            out.append((fmt, path, "tests/data/real"))
            seen.add(path.stat().st_size)
    for row in corpus_rows():
        if only is not None and row["format"] != only:
            continue
        path = folder / row["local"]
        if not path.exists() and download:
            path = fetch(row, folder) or path
        if path.exists() and path.stat().st_size not in seen:  # a committed copy is the same file
            out.append((row["format"], path, f"{row['repo']}@{row['commit'][:7]}"))
    return out


def measure(fmt: str, path: Path, origin: str) -> list[dict]:
    """One row per project of the file (an XER may hold several)."""
    projects = [None]
    if path.suffix.lower() in (".xer", ".xml"):
        try:
            listed = pm.io.list_projects(path)
            projects = [p for p in listed["id"] if listed.set_index("id").loc[p, "activities"] > 0] or [None]
        except Exception:  # noqa: BLE001 - MSPDI files have no project list
            projects = [None]
    rows = []
    for project in projects:
        started = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = parity(path, project=project if len(projects) > 1 else None)
        except Exception as exc:  # noqa: BLE001 - a file pmsim cannot read is a finding, reported
            rows.append({"file": path.name, "project": project or "", "format": fmt, "origin": origin,
                         "error": f"{type(exc).__name__}: {str(exc)[:160]}"})
            continue
        summary = result.summary().iloc[0].to_dict()
        summary.update(file=path.name, project=project or "", format=fmt, origin=origin,
                       seconds=time.perf_counter() - started, error="",
                       in_progress_file=bool(result.project.status_date is not None
                                             and any(t.actual_start is not None for t in result.project.tasks)))
        summary["mismatches"] = result.mismatches()
        rows.append(summary)
    return rows


def report(rows: list[dict]) -> str:
    ok = [r for r in rows if not r["error"]]
    failed = [r for r in rows if r["error"]]
    table = pd.DataFrame(ok)
    lines = []
    compared = int(table["compared"].sum())
    matched = int(table["matched"].sum())
    not_started = table.apply(lambda r: r["not_started"], axis=1).sum()
    lines.append(f"Files read: {len(ok)} projects of {len({(r['origin'], r['file']) for r in rows})} files "
                 f"({len(failed)} not read). Tasks compared (not finished): {compared:,}; "
                 f"matched on early start, early finish and total float: {matched:,} "
                 f"(**{100 * matched / max(compared, 1):.1f} %**).")
    prog = table[table["in_progress_file"]]
    if len(prog):
        p_cmp, p_ok = int(prog["compared"].sum()), int(prog["matched"].sum())
        lines.append(f"Files in progress (a data date and actual dates): {len(prog)}; their tasks with work "
                     f"left, scheduled from the data date: {p_ok:,} of {p_cmp:,} match "
                     f"(**{100 * p_ok / max(p_cmp, 1):.1f} %**).")
    lines.append("")
    lines.append("| format | files | tasks compared | matched | share |")
    lines.append("|---|---|---|---|---|")
    for fmt, group in table.groupby("format"):
        c, m = int(group["compared"].sum()), int(group["matched"].sum())
        lines.append(f"| {fmt} | {len(group)} | {c:,} | {m:,} | {100 * m / max(c, 1):.1f} % |")
    lines.append("")
    lines.append("Per file (the larger ones; every file is in the run's output):")
    lines.append("")
    lines.append("| file | origin | tasks | compared | ES | EF | TF | matched | share | s |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|")
    for r in sorted(ok, key=lambda r: -r["tasks"])[:30]:
        name = r["file"] + (f" ({r['project']})" if r["project"] else "")
        share = f"{100 * r['share']:.1f} %" if r["compared"] else "-"
        lines.append(f"| {name} | {r['origin']} | {r['tasks']} | {r['compared']} | {r['early_start']} | "
                     f"{r['early_finish']} | {r['total_float']} | {r['matched']} | {share} | {r['seconds']:.2f} |")
    lines += causes(ok)
    if failed:
        lines.append("")
        lines.append("Not read:")
        lines.append("")
        for r in failed:
            lines.append(f"- {r['file']} ({r['origin']}): {r['error']}")
    return "\n".join(lines)


def causes(rows: list[dict]) -> list[str]:
    """The mismatches left, by cause (:meth:`pmsim.parity.Parity.mismatches`): per format, how many tasks each
    feature pmsim does not model explains, and in how many files; the unexplained ones listed by file."""
    frames = [r["mismatches"].assign(format=r["format"], file=r["file"]) for r in rows if len(r["mismatches"])]
    if not frames:
        return []
    table = pd.concat(frames)
    table["feature"] = table["cause"].str.replace(r" \(through (links|the project finish)\)$", "", regex=True)
    lines = ["", "Mismatches left, by cause (the feature the file warns of that names the task, or a task linked "
             "to it, or that moved the project finish; stored late dates that contradict the file's own links; "
             "'unexplained': nothing explains it):", "",
             "| format | cause | tasks | of which through links or the finish | files | where (tasks per file, the "
             "largest five) |", "|---|---|---|---|---|---|"]
    grouped = sorted(table.groupby(["format", "feature"]), key=lambda kv: (kv[0][0], -len(kv[1])))
    for (fmt, feature), group in grouped:
        indirect = int((group["cause"] != feature).sum())
        per_file = group.groupby("file").size().sort_values(ascending=False, kind="stable")
        where = ", ".join(f"{name} {n}" for name, n in per_file.head(5).items())
        where += f", ... ({len(per_file) - 5} more)" if len(per_file) > 5 else ""
        lines.append(f"| {fmt} | {feature} | {len(group):,} | {indirect:,} | {group['file'].nunique()} | {where} |")
    lost = table[table["cause"] == UNEXPLAINED]
    if len(lost):
        lines += ["", "Unexplained mismatches by file:", ""]
        counts = lost.groupby(["format", "file"]).size().sort_values(ascending=False)
        lines.append(", ".join(f"{file} ({fmt}) {n}" for (fmt, file), n in counts.items()))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=os.environ.get("PMSIM_CORPUS", "/work/corpus"))
    parser.add_argument("--fetch", action="store_true", help="download missing corpus files from GitHub")
    parser.add_argument("--only", choices=["xer", "mspdi", "pmxml", "mpp"], default=None)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--match", action="append", default=[],
                        help="only files whose name contains this text (repeatable; implies --no-write)")
    args = parser.parse_args()
    rows = []
    for fmt, path, origin in files(Path(args.corpus), args.fetch, args.only):
        if args.match and not any(m.lower() in path.name.lower() for m in args.match):
            continue
        for row in measure(fmt, path, origin):
            rows.append(row)
            if row["error"]:
                print(f"{path.name}: {row['error']}")
            else:
                print(f"{path.name} {row['project']}: {row['matched']}/{row['compared']}")
    text = report(rows)
    print(text)
    if not (args.no_write or args.match):
        write_section("parity", text)


if __name__ == "__main__":
    main()
