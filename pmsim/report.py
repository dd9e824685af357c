"""One project, one page: the standard pmsim analysis as a self-contained HTML report.

``pmsim report PATH -o report.html`` (or :func:`write_report`) reads a
project and writes one HTML file that opens anywhere, offline: every figure
is a PNG inlined as a ``data:`` URL, every table plain HTML, the style sheet
inside the page. Nothing loads from the network and no Jupyter kernel is
involved.

The page holds, in order, whatever the project supports:

- the headline numbers (CPM finish, P50/P80, chance of meeting the
  deadline, levelled finish, expected cost, chance of staying within the
  budget, joint confidence);
- the schedule health check (:func:`pmsim.health_check`);
- the critical path: CPM summary and Gantt chart, the task table;
- schedule risk: Monte Carlo summary against analytic PERT, histogram and
  S-curve, P-dates, tornado, criticality, the risk register's effect;
- resources: over-allocations of the CPM plan, the levelled schedule, the
  bottleneck's profile before and after, and the resource-constrained
  Monte Carlo (when some task demands a resource);
- budget: cost by phase, budget burn with P-bands, cost distribution,
  contingency, joint confidence (when the project has costs);
- earned value: the metrics at every status date, the EVM chart and the
  Monte Carlo re-forecast from the latest status (when the project folder
  holds progress data, see :func:`pmsim.read_progress`).

The same project, iterations and seed give the same numbers.

>>> import pmsim as pm
>>> page = build_report(pm.read_project(pm.data_path("textbook")), iterations=500, seed=1)
>>> page.startswith("<!DOCTYPE html>"), "Critical path" in page, "http://" in page
(True, True, False)
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import math
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InfeasibleError, PmsimWarning, ValidationError
from .model import Project

__all__ = ["build_report", "write_report", "REPORT_CSS"]

P_LEVELS = (10, 50, 80, 90, 95)
CONTINGENCY_LEVELS = (0.5, 0.7, 0.8, 0.9)
TASK_LIST_LIMIT = 12  # task ids shown per cell before "... and N more"

REPORT_CSS = """
:root { --ink: #1f2933; --muted: #52606d; --line: #d9e2ec; --band: #f5f7fa; --accent: #1f5fa8;
        --good: #1e7b4a; --bad: #b42318; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.5;
       font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 76rem; margin: 0 auto; padding: 1.5rem 1.5rem 4rem; }
header { border-bottom: 3px solid var(--accent); margin-bottom: 1.5rem; }
h1 { font-size: 1.9rem; margin: 0.2rem 0 0.4rem; }
h2 { font-size: 1.4rem; margin: 2.5rem 0 0.6rem; padding-bottom: 0.2rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.1rem; margin: 1.6rem 0 0.4rem; }
p { max-width: 60rem; }
.muted, .subtitle { color: var(--muted); }
nav ol { display: flex; flex-wrap: wrap; gap: 0.3rem 1.4rem; padding: 0; margin: 0.8rem 0 1rem;
         list-style: none; }
nav a { color: var(--accent); text-decoration: none; }
nav a:hover { text-decoration: underline; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: 0.8rem;
         margin: 1rem 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 0.7rem 0.9rem; background: var(--band); }
.card .label { font-size: 0.8rem; color: var(--muted); text-transform: uppercase; letter-spacing: 0.03em; }
.card .value { font-size: 1.25rem; font-weight: 600; }
table.data { border-collapse: collapse; margin: 0.6rem 0 1rem; font-size: 0.9rem;
             font-variant-numeric: tabular-nums; }
table.data th, table.data td { border-bottom: 1px solid var(--line); padding: 0.3rem 0.7rem;
                               text-align: right; vertical-align: top; }
table.data th { background: var(--band); font-weight: 600; }
table.data tbody th, table.data .text, table.data .date, table.kv td { text-align: left; }
table.data td, table.data tbody th { white-space: nowrap; }
table.data td.text, table.kv td { white-space: normal; }
table.data tbody tr:nth-child(even) { background: #fafbfc; }
.scroll { overflow-x: auto; }
figure { margin: 1rem 0; }
.pair { display: grid; grid-template-columns: fit-content(36rem) minmax(0, 1fr); gap: 0 2rem; align-items: start; }
.pair > * { min-width: 0; }
@media (max-width: 60rem) { .pair { grid-template-columns: 1fr; } }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 4px; }
figcaption { font-size: 0.85rem; color: var(--muted); }
.pass { color: var(--good); font-weight: 600; }
.fail { color: var(--bad); font-weight: 600; }
.note { border-left: 4px solid #f0b429; background: #fffbea; padding: 0.5rem 0.9rem; margin: 1rem 0; }
details summary { cursor: pointer; color: var(--accent); margin: 0.5rem 0; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; }
footer { margin-top: 3rem; border-top: 1px solid var(--line); padding-top: 0.8rem; font-size: 0.85rem;
         color: var(--muted); }
@media print { nav, details summary { display: none; } h2 { break-before: auto; } figure { break-inside: avoid; } }
"""


# --------------------------------------------------------------------------- formatting


def _esc(value) -> str:
    return html.escape(str(value), quote=True)


def _fmt(value) -> str:
    """A cell value as text: dates as ISO, money with separators, shares to 4 places."""
    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, pd.Timestamp):
        return "" if pd.isna(value) else value.date().isoformat()
    if isinstance(value, (dt.date, np.datetime64)):
        return str(pd.Timestamp(value).date()) if not isinstance(value, dt.date) else value.isoformat()
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if math.isnan(v):
            return ""
        if math.isinf(v):
            return "∞" if v > 0 else "−∞"
        if v == int(v) and abs(v) < 1e15:
            return f"{int(v):,}"
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        if abs(v) < 1:
            return f"{v:.4f}"
        return f"{v:,.2f}"
    if isinstance(value, (tuple, list)):
        items = [str(x) for x in value]
        more = len(items) - TASK_LIST_LIMIT
        text = ", ".join(items[:TASK_LIST_LIMIT])
        return text + (f" … and {more} more" if more > 0 else "")
    return str(value)


def _kind(column: pd.Series) -> str:
    """How a column is laid out: ``num`` right-aligned, ``date`` kept on one line, ``text`` wrapped."""
    if pd.api.types.is_bool_dtype(column):
        return "date"
    if pd.api.types.is_numeric_dtype(column):
        return "num"
    values = column.dropna()
    if pd.api.types.is_datetime64_any_dtype(column) or (
            len(values) and all(isinstance(v, (dt.date, pd.Timestamp, np.datetime64)) for v in values)):
        return "date"
    return "text"


def table(frame: pd.DataFrame, *, index: bool = True) -> str:
    """A DataFrame as an HTML table: readable numbers, numeric columns right-aligned, text left."""
    cols = list(frame.columns)
    align = [_kind(frame[c]) for c in cols]
    head = ("<th></th>" if index else "") + "".join(
        f'<th class="{a}">{_esc(c)}</th>' for c, a in zip(cols, align))
    rows = []
    for label, values in zip(frame.index, frame.itertuples(index=False, name=None)):
        cells = "".join(f'<td class="{a}">{_esc(_fmt(v))}</td>' for v, a in zip(values, align))
        rows.append(f"<tr>{f'<th>{_esc(_fmt(label))}</th>' if index else ''}{cells}</tr>")
    return (f'<div class="scroll"><table class="data"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def key_values(rows: dict) -> str:
    """A two-column table of labels and values."""
    body = "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(_fmt(v))}</td></tr>" for k, v in rows.items())
    return f'<div class="scroll"><table class="data kv"><tbody>{body}</tbody></table></div>'


def figure(ax, alt: str, caption: str = "", dpi: int = 96) -> str:
    """An Axes' figure as an inlined PNG; the figure is closed afterwards."""
    import matplotlib.pyplot as plt

    fig = ax.figure
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})  # figures use constrained layout
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    cap = f"<figcaption>{_esc(caption)}</figcaption>" if caption else ""
    return f'<figure><img src="data:image/png;base64,{data}" alt="{_esc(alt)}">{cap}</figure>'


def _cards(items: list[tuple[str, str]]) -> str:
    cells = "".join(
        f'<div class="card"><div class="label">{_esc(label)}</div><div class="value">{_esc(value)}</div></div>'
        for label, value in items
    )
    return f'<div class="cards">{cells}</div>'


def _section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{_esc(title)}</h2>\n{body}\n</section>\n'


def _pair(left: str, right: str) -> str:
    """Two blocks side by side on a wide screen (a table beside its figure), stacked on a narrow one."""
    return f'<div class="pair"><div>{left}</div><div>{right}</div></div>'


def _note(text: str) -> str:
    return f'<p class="note">{_esc(text)}</p>'


def _share(value) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.1%}"


def _money(value: float, currency: str) -> str:
    return f"{value:,.0f} {currency}"


# --------------------------------------------------------------------------- sections


def _has_costs(project: Project) -> bool:
    from .costs import baseline_cost

    return baseline_cost(project) > 0 or any(r.cost_impact > 0 for r in project.risks)


def _uses_resources(project: Project) -> bool:
    return any(units > 0 for t in project.tasks for _, units in t.resources)


def _project_section(project: Project) -> str:
    facts = {
        "start": project.start,
        "deadline": project.deadline or "–",
        "budget": _money(project.budget, project.currency) if project.budget is not None else "–",
        "tasks": len(project.tasks),
        "links": len(project.dependencies),
        "resources": len(project.resources),
        "risks": len(project.risks),
        "phases": ", ".join(project.phases) or "–",
        "working days": ", ".join(project.calendar.workdays),
        "holidays": len(project.calendar.holidays),
    }
    desc = f"<p>{_esc(' '.join(project.description.split()))}</p>" if project.description else "<p></p>"
    return _section("project", "Project", _pair(key_values(facts), desc))


def _health_section(project: Project) -> str:
    from .health import health_check

    checks = health_check(project)
    rows = []
    for _, r in checks.iterrows():
        verdict = '<span class="pass">pass</span>' if r["passed"] else '<span class="fail">fail</span>'
        rows.append(
            f"<tr><td>{int(r['dcma'])}</td><td class='text'>{_esc(r['check'])}</td><td class='text'>{_esc(r['rule'])}</td>"
            f"<td>{_esc(_fmt(float(r['value'])))}</td><td>{verdict}</td>"
            f"<td class='text'>{_esc(_fmt(r['tasks']))}</td><td class='text'>{_esc(r['note'])}</td></tr>"
        )
    failed = int((~checks["passed"]).sum())
    intro = (f"<p>The DCMA 14-point checks that need no status date: {len(checks) - failed} of {len(checks)} "
             f"pass. Values are percentages, except the critical path test (a count of tasks).</p>")
    head = ("<thead><tr><th>DCMA</th><th class='text'>check</th><th class='text'>rule</th><th>value</th>"
            "<th>result</th><th class='text'>tasks</th><th class='text'>note</th></tr></thead>")
    body = f'<div class="scroll"><table class="data health">{head}<tbody>{"".join(rows)}</tbody></table></div>'
    return _section("health", "Schedule health check", intro + body)


def _cpm_section(project: Project, schedule) -> str:
    from . import plot

    t = schedule.table
    path = " → ".join(schedule.critical_path)
    parts = [
        "<p>The deterministic critical-path schedule: every task at its planned (most likely) duration, "
        "unlimited resources, no risks.</p>",
        key_values({k: v for k, v in schedule.summary()["value"].items() if k != "project"}),
        f"<p><strong>Critical path:</strong> {_esc(path)}</p>",
        figure(plot.gantt(schedule), "Gantt chart of the CPM schedule", "Critical tasks in red; light bars are total float."),
    ]
    cols = ["name", "phase", "duration", "start_date", "finish_date", "total_float", "free_float", "critical"]
    parts.append(f"<details><summary>All {len(t)} tasks</summary>{table(t[cols])}</details>")
    return _section("cpm", "Critical path (CPM)", "".join(parts))


def _risk_section(project: Project, sim) -> str:
    from . import plot
    from .pert import pert

    analytic = pert(project)
    levels = list(P_LEVELS)
    mc_dates, pert_dates = sim.percentile(levels), analytic.percentile(levels)
    pdates = pd.DataFrame(
        {"Monte Carlo": mc_dates, "days": sim.percentile_days(levels),
         "PERT": pert_dates, "PERT days": analytic.percentile_days(levels)},
        index=[f"P{q}" for q in levels],
    )
    parts = [
        f"<p>{sim.iterations:,} iterations (seed {sim.seed}): in each, every task's duration is drawn from its "
        "estimate, each risk of the register occurs with its probability, and the forward pass gives the "
        "finish. Analytic PERT (the critical path of the mean schedule, read as normal) is shown beside it; "
        "where paths merge it is optimistic. Days are working days from the start.</p>",
        _pair(table(pdates), figure(plot.histogram(sim), "Histogram of the simulated finish date")),
        "<details><summary>All summary numbers</summary>",
        key_values({k: v for k, v in sim.summary()["value"].items()
                    if k != "project" and not re.match(r"P\d+ (date|\(working days\))$", k)}),
        "</details>",
        figure(plot.cdf(sim), "Cumulative distribution of the finish date"),
        "<h3>What drives the finish</h3>",
        "<p>Sensitivity is the rank correlation of a task's duration with the finish; criticality the share "
        "of iterations in which the task drives the finish.</p>",
        figure(plot.tornado(sim), "Tornado chart of sensitivity"),
        figure(plot.criticality(sim), "Criticality of tasks"),
    ]
    if project.risks:
        parts += ["<h3>Risk register</h3>",
                  "<p><code>delay_added</code>: mean finish when the risk occurred minus the mean when it did not "
                  "(working days); <code>cost_added</code> the same for cost.</p>",
                  table(sim.risk_summary)]
    return _section("risk", "Schedule risk (Monte Carlo)", "".join(parts))


def _levelling_section(project: Project, schedule, iterations: int, seed, headline: dict) -> str:
    from . import plot
    from .levelling import level, overallocations
    from .simulation import simulate

    over = overallocations(project, schedule)
    parts = []
    if over.empty:
        parts.append("<p>The CPM plan never asks for more of a resource than its capacity.</p>")
    else:
        parts += [f"<p>The CPM plan is over capacity in {len(over)} periods:</p>",
                  table(over[["resource", "start_date", "finish_date", "peak", "capacity", "excess", "tasks"]],
                        index=False)]
    try:
        levelled = level(project)
    except InfeasibleError as exc:
        parts.append(_note(f"No resource-feasible schedule exists: {exc}"))
        return _section("levelling", "Resources and levelling", "".join(parts))
    headline["levelled plan finish"] = str(levelled.finish_date)
    parts += [
        "<h3>Levelled schedule</h3>",
        "<p>Tasks moved as little as possible so that no resource exceeds its capacity "
        "(<code>pm.level</code>: serial schedule-generation with forward-backward improvement).</p>",
        key_values({k: v for k, v in levelled.summary()["value"].items() if k != "project"}),
        figure(plot.gantt(levelled, baseline=schedule), "Gantt chart of the levelled schedule",
               "Thin dark bars: the CPM schedule."),
        figure(plot.resource_profile(project, schedule, levelled=levelled),
               "Profile of the bottleneck resource before and after levelling"),
    ]
    held = levelled.held_back
    if held is not None and not held.empty:
        top = held.sort_values("delay", ascending=False, kind="stable").head(15)
        parts += ["<h3>Tasks held back</h3>",
                  "<p>The tasks that start latest compared with the CPM plan, the resources they waited for, and "
                  "the predecessor that passed the delay on (<code>via</code>).</p>",
                  table(top)]
    constrained = simulate(project, iterations=iterations, seed=seed, levelled=True)
    p50, p80 = constrained.percentile([50, 80])
    headline["P80 levelled"] = str(p80)
    rows = {"P50 date": p50, "P80 date": p80, "mean (working days)": constrained.mean}
    if project.deadline is not None:
        rows["P(on time)"] = constrained.probability_by(project.deadline)
        headline["P(on time) levelled"] = _share(rows["P(on time)"])
    parts += ["<h3>Resource-constrained Monte Carlo</h3>",
              "<p>Every iteration schedules its own sampled durations under the capacities.</p>",
              _pair(key_values(rows), figure(plot.histogram(constrained), "Histogram of the levelled simulated finish"))]
    return _section("levelling", "Resources and levelling", "".join(parts))


def _budget_section(project: Project, sim, headline: dict) -> str:
    from . import plot
    from .budget import contingency, jcl
    from .costs import baseline_cost, cost_model, project_budget

    cur = project.currency
    costs = cost_model(project)
    by_phase = costs.groupby(costs["phase"].replace("", "(no phase)"), sort=False)[["budget", "expected_cost"]].sum()
    by_phase.loc["total"] = by_phase.sum()
    bac = baseline_cost(project)
    budget = project_budget(project)
    reserves = pd.DataFrame(
        {"contingency": [contingency(sim, c) for c in CONTINGENCY_LEVELS],
         "budget needed": [bac + contingency(sim, c) for c in CONTINGENCY_LEVELS]},
        index=[f"{c:.0%}" for c in CONTINGENCY_LEVELS],
    )
    joint = jcl(sim)
    headline["expected cost"] = _money(sim.cost_mean, cur)
    headline["P(within budget)"] = _share(joint.p_on_budget)
    headline["joint confidence"] = _share(joint.jcl)
    parts = [
        f"<p>Each task costs its fixed cost plus its daily rate (own rate and resources) times its duration, so "
        f"the simulated cost follows the simulated durations; risks add their cost impact. Baseline cost (BAC, "
        f"every task at its planned duration): <strong>{_esc(_money(bac, cur))}</strong>; budget: "
        f"<strong>{_esc(_money(budget, cur))}</strong>.</p>",
        "<h3>Cost by phase</h3>",
        table(by_phase.rename(columns={"budget": f"baseline ({cur})", "expected_cost": f"expected, no risks ({cur})"})),
        figure(plot.budget_burn(project, sim_or_schedule=sim, freq="W"), "Budget burn S-curve with P-bands"),
        "<h3>Contingency</h3>",
        _pair("<p>What to hold above the baseline cost to stay within budget at each confidence.</p>"
              + table(reserves), figure(plot.cost_histogram(sim), "Histogram of the simulated total cost")),
        "<h3>Joint confidence</h3>",
        _pair("<p>The share of iterations both on time and within budget.</p>"
              + key_values({k: v for k, v in joint.summary()["value"].items()}),
              figure(plot.jcl(sim), "Joint confidence scatter of finish date and cost")),
    ]
    return _section("budget", "Budget", "".join(parts))


def _evm_section(project: Project, progress: pd.DataFrame, iterations: int, seed, baseline_sim) -> str:
    from . import plot
    from .evm import earned_value, earned_value_series
    from .simulation import simulate

    series = earned_value_series(project, progress)
    latest = series.index.max()
    latest_date = pd.Timestamp(latest).date()
    report = earned_value(project, progress, latest_date)
    columns = ["AT", "PV", "EV", "AC", "SPI", "CPI", "EAC_cpi", "EAC_cpi_spi", "ES", "SV_t", "SPI_t", "IEAC_t"]
    shown = series[[c for c in columns if c in series.columns]].copy()
    shown.index = [pd.Timestamp(i).date() for i in shown.index]
    meaning = report.summary()
    parts = [
        f"<p>Progress at {len(series)} status date(s). Planned value follows the CPM baseline; earned value is "
        f"percent complete × each task's budget; times (AT, ES, SV_t, IEAC_t) are in working days.</p>",
        table(shown),
        figure(plot.evm(series), "Earned value chart"),
        f"<h3>At {latest_date}</h3>",
        table(meaning),
        f"<p>Forecast finish by earned schedule (IEAC(t)): <strong>{_esc(report.forecast_finish_date or '–')}"
        "</strong>.</p>",
    ]
    parts += [_note(n) for n in report.notes]
    resim = simulate(project, iterations=iterations, seed=seed, progress=progress, status_date=latest_date)
    compare = {}
    for label, s in (("baseline", baseline_sim), (f"re-forecast at {latest_date}", resim)):
        p50, p80 = s.percentile([50, 80])
        row = {"P50": p50, "P80": p80}
        if project.deadline is not None:
            row["P(on time)"] = s.probability_by(project.deadline)
        if _has_costs(project):
            row["cost P80"] = s.cost_percentile(80)
            if project.budget is not None:
                row["P(within budget)"] = s.probability_within(project.budget)
        compare[label] = row
    parts += [
        "<h3>Monte Carlo re-forecast</h3>",
        "<p>Only the remaining work is simulated: finished tasks keep their actual dates, tasks in progress "
        "continue from the status date, and the actual cost to date is spent.</p>",
        table(pd.DataFrame(compare).T),
    ]
    if _has_costs(project):
        parts.append(figure(plot.budget_burn(project, sim_or_schedule=resim, freq="W"),
                            "Budget burn of the re-forecast"))
    return _section("evm", "Earned value", "".join(parts))


# --------------------------------------------------------------------------- the page


def build_report(project: Project, *, iterations: int = 10_000, seed=0, progress: pd.DataFrame | None = None,
                 source: str = "") -> str:
    """The standard analysis of ``project`` as one self-contained HTML page (a string).

    Parameters
    ----------
    project : Project
    iterations : int
        Monte Carlo iterations for every simulation on the page.
    seed : int, numpy Generator or None
        The same seed gives the same numbers.
    progress : DataFrame, optional
        Progress data (:func:`pmsim.read_progress`): adds the earned value
        section and the re-forecast from the latest status date.
    source : str
        Where the project came from, shown in the header and footer.

    Returns
    -------
    str
        The HTML page; figures are inlined PNGs, nothing refers to the network.

    >>> import pmsim as pm
    >>> p = pm.read_project(pm.data_path("textbook"))
    >>> page = build_report(p, iterations=500, seed=1)
    >>> "Reliable Construction" in page and 'id="budget"' in page and 'id="levelling"' in page
    True
    """
    from . import __version__
    from .cpm import cpm
    from .simulation import simulate

    if not isinstance(project, Project):
        raise ValidationError(f"build_report needs a Project, got {type(project).__name__}")
    sections = []
    headline: dict = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PmsimWarning)
        schedule = cpm(project)
        sim = simulate(project, iterations=iterations, seed=seed)
        seed_used = sim.seed
        headline["CPM finish"] = str(schedule.finish_date)
        headline["P50 finish"], headline["P80 finish"] = (str(d) for d in sim.percentile([50, 80]))
        if project.deadline is not None:
            headline["P(on time)"] = _share(sim.probability_by(project.deadline))
        sections.append(_project_section(project))
        sections.append(_health_section(project))
        sections.append(_cpm_section(project, schedule))
        sections.append(_risk_section(project, sim))
        if _uses_resources(project):
            sections.append(_levelling_section(project, schedule, iterations, seed_used, headline))
        else:
            sections.append(_section("levelling", "Resources and levelling",
                                     "<p>No task demands a resource, so there is nothing to level.</p>"))
        if _has_costs(project):
            sections.append(_budget_section(project, sim, headline))
        else:
            sections.append(_section("budget", "Budget", "<p>The project has no costs (no fixed costs, daily "
                                     "rates or resource rates), so there is no budget analysis.</p>"))
        if progress is not None:
            sections.append(_evm_section(project, progress, iterations, seed_used, sim))
    notes = sorted({str(w.message) for w in caught if issubclass(w.category, PmsimWarning)})
    note_html = "".join(_note(n) for n in notes)
    toc = [("project", "Project"), ("health", "Health check"), ("cpm", "Critical path"),
           ("risk", "Schedule risk"), ("levelling", "Resources"), ("budget", "Budget")]
    if progress is not None:
        toc.append(("evm", "Earned value"))
    nav = "<nav><ol>" + "".join(f'<li><a href="#{a}">{_esc(t)}</a></li>' for a, t in toc) + "</ol></nav>"
    title = f"{project.name}: project analysis"
    where = f" from <code>{_esc(source)}</code>" if source else ""
    command = f"pmsim report {source or 'PATH'} -o OUT.html --iterations {iterations} --seed {seed_used}"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<meta name=\"generator\" content=\"pmsim {_esc(__version__)}\">"
        f"<title>{_esc(title)}</title><style>{REPORT_CSS}</style></head>\n<body><main>\n"
        f"<header><p class=\"subtitle\">pmsim report{where}</p><h1>{_esc(project.name)}</h1>"
        f"{_cards(list(headline.items()))}{nav}</header>\n"
        f"{note_html}{''.join(sections)}"
        f"<footer>Made by pmsim {_esc(__version__)} with {iterations:,} Monte Carlo iterations, seed {seed_used}. "
        f"The same command gives the same numbers: <code>{_esc(command)}</code></footer>\n"
        "</main></body></html>\n"
    )


def _progress_of(path: Path) -> pd.DataFrame | None:
    """Progress data kept with a project folder (progress.csv or progress/), else None."""
    from .io.progress_table import read_progress

    if path.is_dir() and ((path / "progress.csv").is_file() or (path / "progress").is_dir()):
        return read_progress(path)
    return None


def write_report(path, output="report.html", *, iterations: int = 10_000, seed=0) -> Path:
    """Read the project at ``path`` and write its report to ``output``; returns the output path.

    The earned value section appears when ``path`` is a project folder with
    progress data (``progress.csv`` or a ``progress/`` folder).

    >>> import pmsim as pm, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "textbook.html"
    >>> write_report(pm.data_path("textbook"), out, iterations=500, seed=1).stat().st_size > 10_000
    True
    """
    from .io import read_project

    path, output = Path(path), Path(output)
    if output.is_dir():
        raise ValidationError(f"{output} is a folder; give the report's file name, e.g. {output / 'report.html'}")
    project = read_project(path)
    progress = _progress_of(path)
    page = build_report(project, iterations=iterations, seed=seed, progress=progress, source=str(path))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(page, encoding="utf-8")
    return output
