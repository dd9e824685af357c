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
  holds progress data, see :func:`pmsim.read_progress`, or the tasks hold
  progress at the project's status date).

On a plan with calendars, constraints or progress the schedule's dates show
their times of day and the Gantt chart its done and remaining work.

The same project, iterations and seed give the same numbers.

>>> import pmsim as pm
>>> page = build_report(pm.read_project(pm.data_path("textbook")), iterations=500, seed=1)
>>> page.startswith("<!DOCTYPE html>"), "Critical path" in page, "http://" in page
(True, True, False)
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd

from .errors import InfeasibleError, PmsimWarning, ValidationError
from .model import Project
from .report_control import control_section
from .report_html import (
    REPORT_CSS, cards, cell_text, escape, figure, key_values, money, note, pair, section, share, table,
)

__all__ = ["build_report", "write_report", "REPORT_CSS"]

P_LEVELS = (10, 50, 80, 90, 95)
CONTINGENCY_LEVELS = (0.5, 0.7, 0.8, 0.9)

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
        "budget": money(project.budget, project.currency) if project.budget is not None else "–",
        "tasks": len(project.tasks),
        "links": len(project.dependencies),
        "resources": len(project.resources),
        "risks": len(project.risks),
        "phases": ", ".join(project.phases) or "–",
        "working days": ", ".join(project.calendar.workdays),
        "holidays": len(project.calendar.holidays),
    }
    if project.calendars:
        facts["calendars"] = ", ".join(c.name or c.id for c in project.calendars)
    if project.status_date is not None:
        facts["status date (data date)"] = project.status_date
        facts["progress rule"] = project.progress_rule.replace("_", " ")
    desc = f"<p>{escape(' '.join(project.description.split()))}</p>" if project.description else "<p></p>"
    return section("project", "Project", pair(key_values(facts), desc))


def _health_section(project: Project) -> str:
    from .health import health_check

    checks = health_check(project)
    rows = []
    for _, r in checks.iterrows():
        verdict = '<span class="pass">pass</span>' if r["passed"] else '<span class="fail">fail</span>'
        if r["value"] != r["value"]:  # NaN: the check does not apply (CPLI without a target date)
            verdict = "n/a"
        rows.append(
            f"<tr><td>{int(r['dcma'])}</td><td class='text'>{escape(r['check'])}</td><td class='text'>{escape(r['rule'])}</td>"
            f"<td>{escape(cell_text(float(r['value'])))}</td><td>{verdict}</td>"
            f"<td class='text'>{escape(cell_text(r['tasks']))}</td><td class='text'>{escape(r['note'])}</td></tr>"
        )
    failed = int((~checks["passed"]).sum())
    intro = (f"<p>The DCMA 14-point checks that need no status date (all but 9, 11 and 14): {len(checks) - failed} "
             f"of {len(checks)} pass. Values are percentages, except the critical path test (a count of tasks) and "
             "CPLI (the index itself).</p>")
    head = ("<thead><tr><th>DCMA</th><th class='text'>check</th><th class='text'>rule</th><th>value</th>"
            "<th>result</th><th class='text'>tasks</th><th class='text'>note</th></tr></thead>")
    body = f'<div class="scroll"><table class="data health">{head}<tbody>{"".join(rows)}</tbody></table></div>'
    return section("health", "Schedule health check", intro + body)


def _timed(schedule) -> bool:
    """Is the schedule on calendars, constraints or progress (its dates and times matter)?"""
    from .timeline import plain_schedule

    return schedule.timing is not None and not plain_schedule(schedule.project)


def _stamps(values: pd.Series) -> pd.Series:
    """Timestamps as ``2027-01-04 08:00`` text (blank when missing)."""
    return pd.to_datetime(values).dt.strftime("%Y-%m-%d %H:%M").fillna("")


def _task_table(project: Project, schedule) -> pd.DataFrame:
    """The tasks of a schedule: dates (with times when the calendars give them), floats, progress."""
    t = schedule.table
    if not _timed(schedule):
        cols = ["name", "phase", "duration", "start_date", "finish_date", "total_float", "free_float", "critical"]
        return t[cols]
    when = schedule.times()
    out = pd.DataFrame({"name": t["name"], "phase": t["phase"], "duration": t["duration"]})
    if project.calendars:
        out["calendar"] = [project.task_calendar(task).id or "" for task in project.tasks]
    # Moments as text: a start at midnight (on a 24-hour calendar) is not the whole day.
    for column, source in (("start", "start"), ("finish", "finish"), ("late finish", "late_finish")):
        out[column] = _stamps(when[source])
    out["total_float"], out["free_float"], out["critical"] = t["total_float"], t["free_float"], t["critical"]
    if any(task.actual_start is not None for task in project.tasks):
        from .io.progress_table import task_progress

        done = task_progress(project)  # what the engine and earned value count: a remaining duration given or derived
        out["status"] = done["status"]
        out["% complete"] = done["percent_complete"]
        out["remaining"] = done["remaining_duration"]
        out["actual start"] = [task.actual_start for task in project.tasks]
        out["actual finish"] = [task.actual_finish for task in project.tasks]
    return out.loc[:, out.notna().any() | (out.columns == "phase")]


def _cpm_section(project: Project, schedule) -> str:
    from . import plot

    t = schedule.table
    path = " → ".join(schedule.critical_path)
    if project.status_date is not None:
        data_date = escape(cell_text(project.status_date))
        intro = (f"<p>The deterministic critical-path schedule at the data date {data_date}: "
                 "finished work at its actual dates, the work left at its planned (most likely) duration scheduled "
                 f"from the data date ({escape(project.progress_rule.replace('_', ' '))}), unlimited resources, no "
                 "risks.</p>")
    else:
        intro = ("<p>The deterministic critical-path schedule: every task at its planned (most likely) duration, "
                 "unlimited resources, no risks.</p>")
    caption = "Critical tasks in red; light bars are total float."
    if _timed(schedule):
        caption += (" Bars run between each task's dates and times on its calendar; grey: work done by the data "
                    "date; hatched: negative float; shaded: non-working days of the project calendar.")
    parts = [
        intro,
        key_values({k: v for k, v in schedule.summary()["value"].items() if k != "project"}),
        f"<p><strong>Critical path:</strong> {escape(path)}</p>",
        figure(plot.gantt(schedule), "Gantt chart of the CPM schedule", caption),
    ]
    negative = t.index[t["total_float"] < 0].tolist()
    if negative:
        parts.append(note(f"{len(negative)} tasks have negative total float (a date they cannot meet): "
                           f"{cell_text(negative)}"))
    parts.append(_constraints_part(schedule))
    parts.append(f"<details><summary>All {len(t)} tasks</summary>{table(_task_table(project, schedule))}</details>")
    return section("cpm", "Critical path (CPM)", "".join(parts))


def _constraints_part(schedule) -> str:
    """The date constraints and deadlines, and whether the schedule meets each one ("" when there are none)."""
    from .constraint_check import constraint_check

    check = constraint_check(schedule)
    if check.empty:
        return ""
    broken = int((~check["holds"]).sum())
    shown = check.assign(holds=check["holds"].map({True: "yes", False: "no"}), scheduled=_stamps(check["scheduled"]),
                         id=check["id"].where(check["id"] != "", "(project)"))
    shown = shown.rename(columns={"off_by": "missed by (days)", "total_float": "total float"})
    verdict = (f"all {len(check)} hold" if not broken
               else f"{broken} of {len(check)} do not hold (the schedule misses their date)")
    return ("<h3>Constraints and deadlines</h3>"
            f"<p>Date constraints, deadlines and the project's must-finish-by date: {escape(verdict)}. A date alone "
            "is the start of that day's work for a start and its end for a finish; a miss is counted in working "
            "days of the task's calendar.</p>" + table(shown, index=False))


def _pert_gap(project: Project, sim, pert_mean: float) -> str:
    """Why PERT's mean is earlier: merge bias (paths that join, the latest wins) and the risk register it ignores.

    A run without the risks (same iterations and seed) splits the gap of the means exactly.
    """
    gap = sim.mean - pert_mean
    text = (f"PERT sees one path and no risks: its mean finish is {gap:.1f} working days earlier than the "
            "simulation's.")
    if not project.risks:
        return text + " Without a risk register, all of it is merge bias: near-critical paths that join, where the latest wins."
    from .simulation import simulate

    calm = simulate(project, iterations=sim.iterations, seed=sim.seed, risks=False)
    return (text + f" Of those, {calm.mean - pert_mean:.1f} are merge bias (a run without the risks: paths that join, "
            f"where the latest wins) and {sim.mean - calm.mean:.1f} come from the risk register.")


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
        "finish. Analytic PERT (the critical path of the mean schedule, read as normal) is shown beside it. "
        f"{escape(_pert_gap(project, sim, analytic.mean))} "
        "Days are working days of the project calendar from the start.</p>",
        pair(table(pdates), figure(plot.histogram(sim), "Histogram of the simulated finish date")),
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
    return section("risk", "Schedule risk (Monte Carlo)", "".join(parts))


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
        parts.append(note(f"No resource-feasible schedule exists: {exc}"))
        return section("levelling", "Resources and levelling", "".join(parts))
    except ValidationError as exc:  # a plan levelling cannot schedule (calendars, constraints, progress)
        parts.append(note(f"Not levelled: {exc}"))
        return section("levelling", "Resources and levelling", "".join(parts))
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
        headline["P(on time) levelled"] = share(rows["P(on time)"])
    parts += ["<h3>Resource-constrained Monte Carlo</h3>",
              "<p>Every iteration schedules its own sampled durations under the capacities.</p>",
              pair(key_values(rows), figure(plot.histogram(constrained), "Histogram of the levelled simulated finish"))]
    return section("levelling", "Resources and levelling", "".join(parts))


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
    headline["expected cost"] = money(sim.cost_mean, cur)
    headline["P(within budget)"] = share(joint.p_on_budget)
    headline["joint confidence"] = share(joint.jcl)
    per_day = (f"The project also costs {money(project.cost_per_day, cur)} per working day until the finish."
               if project.cost_per_day else
               "No cost runs per project day (the project's cost_per_day), so a delay costs money only where "
               "costed work runs longer.")
    parts = [
        f"<p>Each task costs its fixed cost plus its daily rate (own rate and resources) times its duration, so "
        f"the simulated cost follows the simulated task durations; risks add their cost impact. "
        f"{escape(per_day)} "
        f"Baseline cost (BAC, "
        f"every task at its planned duration): <strong>{escape(money(bac, cur))}</strong>; budget: "
        f"<strong>{escape(money(budget, cur))}</strong>.</p>",
        "<h3>Cost by phase</h3>",
        table(by_phase.rename(columns={"budget": f"baseline ({cur})", "expected_cost": f"expected, no risks ({cur})"})),
        figure(plot.budget_burn(project, sim_or_schedule=sim, freq="W"), "Budget burn S-curve with P-bands"),
        "<h3>Contingency</h3>",
        pair("<p>What to hold above the baseline cost to stay within budget at each confidence.</p>"
              + table(reserves), figure(plot.cost_histogram(sim), "Histogram of the simulated total cost")),
        "<h3>Joint confidence</h3>",
        pair("<p>The share of iterations both on time and within budget.</p>"
              + key_values({k: v for k, v in joint.summary()["value"].items()}),
              figure(plot.jcl(sim), "Joint confidence scatter of finish date and cost")),
    ]
    return section("budget", "Budget", "".join(parts))


def _evm_section(project: Project, progress: pd.DataFrame | None, iterations: int, seed, sim) -> str:
    """Earned value and the re-forecast: from a progress table (every status date in it), or from the
    progress on the tasks at the project's status date (then ``sim`` is the re-forecast itself)."""
    from . import plot
    from .evm import earned_value, earned_value_series
    from .simulation import simulate

    costs = _has_costs(project)
    parts = []
    if progress is not None:
        series = earned_value_series(project, progress) if costs else None
        dates = sorted(pd.Timestamp(d) for d in pd.unique(progress["status_date"])) \
            if "status_date" in progress.columns else []
        latest = series.index.max() if costs else (dates[-1] if dates else None)
        latest_date = _moment(latest)
        resim = simulate(project, iterations=iterations, seed=seed, progress=progress, status_date=latest_date)
        plan_sim, plan_label = sim, "baseline"
    else:
        latest_date = project.status_date
        resim = sim
        plan_sim = simulate(project.without_progress(), iterations=iterations, seed=seed)
        plan_label = "plan without progress"
    shown_date = cell_text(latest_date)
    if costs:
        report = earned_value(project, progress, latest_date) if progress is not None else earned_value(project)
        if progress is None:
            series = pd.DataFrame([pd.concat([pd.Series({"AT": report.actual_time}), report.metrics])],
                                  index=pd.DatetimeIndex([pd.Timestamp(latest_date)], name="status_date"))
        columns = ["AT", "PV", "EV", "AC", "SPI", "CPI", "EAC_cpi", "EAC_cpi_spi", "ES", "SV_t", "SPI_t", "IEAC_t"]
        shown = series[[c for c in columns if c in series.columns]].copy()
        shown.index = [cell_text(i) for i in shown.index]
        where = "a progress table" if progress is not None else "the progress on the tasks"
        parts += [
            f"<p>Progress at {len(series)} status date(s), from {where}. Planned value follows the CPM baseline "
            "(the plan without progress), each task's budget spread over its working time on its own calendar; "
            "earned value is percent complete × each task's budget; times (AT, ES, SV_t, IEAC_t) are in working "
            "days of the project calendar.</p>",
            table(shown),
            figure(plot.evm(series if progress is not None else report), "Earned value chart"),
            f"<h3>At {escape(shown_date)}</h3>",
            table(report.summary()),
            f"<p>Forecast finish by earned schedule (IEAC(t)): <strong>{escape(report.forecast_finish_date or '–')}"
            "</strong>.</p>",
        ]
        parts += [note(n) for n in report.notes]
    else:
        parts.append("<p>The project has no costs, so there is no earned value; the re-forecast below holds.</p>")
    compare = {}
    for label, s in ((plan_label, plan_sim), (f"re-forecast at {shown_date}", resim)):
        p50, p80 = s.percentile([50, 80])
        row = {"P50": p50, "P80": p80}
        if project.deadline is not None:
            row["P(on time)"] = s.probability_by(project.deadline)
        if costs:
            row["cost P80"] = s.cost_percentile(80)
            if project.budget is not None:
                row["P(within budget)"] = s.probability_within(project.budget)
        compare[label] = row
    rule = (resim.remaining.project.progress_rule if resim.remaining is not None else project.progress_rule)
    parts += [
        "<h3>Monte Carlo re-forecast</h3>",
        "<p>Only the work left is simulated: finished tasks keep their actual dates, the remaining work of "
        f"started tasks and the tasks not started are scheduled from the data date ({escape(rule.replace('_', ' '))}), "
        "and the actual cost to date is spent.</p>",
        table(pd.DataFrame(compare).T),
    ]
    if costs:
        parts.append(figure(plot.budget_burn(project, sim_or_schedule=resim, freq="W"),
                            "Budget burn of the re-forecast"))
    return section("evm", "Earned value", "".join(parts))


def _moment(stamp):
    """A status date from a table's index: a date, or a datetime when it has a time of day."""
    if stamp is None:
        return None
    stamp = pd.Timestamp(stamp)
    return stamp.date() if stamp == stamp.normalize() else stamp.to_pydatetime()


# --------------------------------------------------------------------------- the page


def build_report(project: Project, *, iterations: int = 10_000, seed=0, progress: pd.DataFrame | None = None,
                 source: str = "", reader_notes=()) -> str:
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
        section and the re-forecast from the latest status date. Without it,
        a project whose tasks hold progress at its status date (read from
        P6 or MS Project, or put there by ``Project.with_progress``) gets the
        same section, its simulation being the re-forecast.
    source : str
        Where the project came from, shown in the header and footer.
    reader_notes : sequence of str
        What the reader warned about while reading the file (what pmsim could
        not model, values it dropped), shown at the top of the page.

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
    from .io.progress_table import has_progress

    sections = []
    headline: dict = {}
    own_progress = progress is None and project.status_date is not None and has_progress(project)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PmsimWarning)
        schedule = cpm(project)
        sim = simulate(project, iterations=iterations, seed=seed)
        seed_used = sim.seed
        if project.status_date is not None:
            headline["data date"] = cell_text(project.status_date)
        headline["CPM finish"] = (f"{schedule.times()['finish'].max():%Y-%m-%d %H:%M}" if _timed(schedule)
                                  else str(schedule.finish_date))
        headline["P50 finish"], headline["P80 finish"] = (str(d) for d in sim.percentile([50, 80]))
        if project.deadline is not None:
            headline["P(on time)"] = share(sim.probability_by(project.deadline))
        sections.append(_project_section(project))
        sections.append(_health_section(project))
        sections.append(_cpm_section(project, schedule))
        sections.append(_risk_section(project, sim))
        if _uses_resources(project):
            sections.append(_levelling_section(project, schedule, iterations, seed_used, headline))
        else:
            sections.append(section("levelling", "Resources and levelling",
                                     "<p>No task demands a resource, so there is nothing to level.</p>"))
        if _has_costs(project):
            sections.append(_budget_section(project, sim, headline))
        else:
            sections.append(section("budget", "Budget", "<p>The project has no costs (no fixed costs, daily "
                                     "rates or resource rates), so there is no budget analysis.</p>"))
        if progress is not None or own_progress:
            sections.append(_evm_section(project, progress, iterations, seed_used, sim))
            sections.append(control_section(project, progress, iterations, seed_used))
    notes = sorted({str(w.message) for w in caught if issubclass(w.category, PmsimWarning)})
    note_html = "".join(note(n) for n in notes)
    reader_notes = list(dict.fromkeys(str(n) for n in reader_notes))
    if reader_notes:
        said = "".join(f"<li>{escape(n)}</li>" for n in reader_notes)
        sections.insert(0, section(
            "reading", "Notes from reading the file",
            f"<p>The reader said {len(reader_notes)} thing(s) about <code>{escape(source or 'the file')}</code> "
            f"that the analysis below does not model as the source tool did, or left out:</p><ul>{said}</ul>"))
    toc = [("reading", "Reading notes")] if reader_notes else []
    toc += [("project", "Project"), ("health", "Health check"), ("cpm", "Critical path"),
           ("risk", "Schedule risk"), ("levelling", "Resources"), ("budget", "Budget")]
    if progress is not None or own_progress:
        toc += [("evm", "Earned value"), ("control", "Control")]
    nav = "<nav><ol>" + "".join(f'<li><a href="#{a}">{escape(t)}</a></li>' for a, t in toc) + "</ol></nav>"
    title = f"{project.name}: project analysis"
    where = f" from <code>{escape(source)}</code>" if source else ""
    command = f"pmsim report {source or 'PATH'} -o OUT.html --iterations {iterations} --seed {seed_used}"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<meta name=\"generator\" content=\"pmsim {escape(__version__)}\">"
        f"<title>{escape(title)}</title><style>{REPORT_CSS}</style></head>\n<body><main>\n"
        f"<header><p class=\"subtitle\">pmsim report{where}</p><h1>{escape(project.name)}</h1>"
        f"{cards(list(headline.items()))}{nav}</header>\n"
        f"{note_html}{''.join(sections)}"
        f"<footer>Made by pmsim {escape(__version__)} with {iterations:,} Monte Carlo iterations, seed {seed_used}. "
        f"The same command gives the same numbers: <code>{escape(command)}</code></footer>\n"
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
    progress data (``progress.csv`` or a ``progress/`` folder), or a file
    whose tasks hold progress at its data date. The reader's warnings are
    listed at the top of the page (and still issued).

    >>> import pmsim as pm, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "textbook.html"
    >>> write_report(pm.data_path("textbook"), out, iterations=500, seed=1).stat().st_size > 10_000
    True
    """
    from .io import read_project

    path, output = Path(path), Path(output)
    if output.is_dir():
        raise ValidationError(f"{output} is a folder; give the report's file name, e.g. {output / 'report.html'}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PmsimWarning)
        project = read_project(path)
        progress = _progress_of(path)
    for w in caught:  # shown on the page, and still said to whoever reads the warnings
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    said = [str(w.message) for w in caught if issubclass(w.category, PmsimWarning)]
    page = build_report(project, iterations=iterations, seed=seed, progress=progress, source=str(path),
                        reader_notes=said)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(page, encoding="utf-8")
    return output
