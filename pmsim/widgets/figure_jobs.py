"""The data of the what-if panel's figures, handed to the drawing processes as soon as each is ready.

:func:`draw_figures` prepares what each figure of one update needs (the
finish dates, the sensitivities, the budget burn, the plan's schedule) and
submits it to :data:`.render_pool.RENDERER` as soon as it is known (the Gantt chart,
the longest to draw, right after the first two plots); the images come back in the page's order.
"""

from __future__ import annotations

from ..budget import budget_burn
from ..cpm import cpm
from ..errors import PmsimError
from ..model import Project
from ..simulation import simulate
from . import render_pool
from .updates import Superseded

# The budget-burn bands come from the first iterations of the same run (random
# numbers are counter-based: a shorter run with the same seed draws the same
# first iterations). Regenerating every task's dates for 10,000 iterations
# would cost more than the rest of an update together.
BURN_ITERATIONS = 1024


def draw_figures(project: Project, sim, groups, levelled: bool, seed: int, deadline, budget, check,
                 on_image=None) -> dict:
    """PNG bytes of the histogram, CDF, tornado, budget burn and Gantt chart of one update, by name.

    ``check()`` raises :class:`.updates.Superseded` when a newer change arrived
    (then the figures not started yet are cancelled); ``on_image(name, png)``
    receives each figure as soon as it is back.
    """
    renderer = render_pool.RENDERER
    deadline = deadline if deadline is not None else False
    sim.finish_dates  # computed once here rather than in every drawing process
    layout = (project.name, deadline is False)  # what the layout of a figure depends on, besides its kind
    jobs = {"histogram": renderer.submit("histogram", sim=sim, deadline=deadline, layout=layout),
            "cdf": renderer.submit("cdf", sim=sim, deadline=deadline, layout=layout)}
    try:
        check()
        # The Gantt chart next: the longest to draw, in a process of its own (render_pool.Renderer._pool).
        schedule = sim.levelled_plan if levelled and sim.levelled_plan is not None else cpm(project)
        kind = "levelled" if levelled else "CPM"
        jobs["gantt"] = renderer.submit(
            "gantt", schedule=schedule, criticality=sim.criticality, p50=sim.percentile(50), p80=sim.percentile(80),
            deadline=deadline, layout=layout,
            title=f"Plan ({kind}), finish {schedule.finish_date.isoformat()}; bars shaded by how often "
                  f"the task was critical in the runs")
        check()
        sim.sensitivity
        jobs["tornado"] = renderer.submit("tornado", sim=sim, layout=layout)
        check()
        detail = sim if sim.iterations <= BURN_ITERATIONS else simulate(
            project, iterations=BURN_ITERATIONS, seed=seed, correlation=groups, levelled=levelled)
        try:
            burn = budget_burn(project, detail, freq="W")
            title = "Budget burn" + (f" (bands from the first {detail.iterations:,} runs)" if detail is not sim else "")
            jobs["burn"] = renderer.submit("burn", burn=burn, budget=budget, title=title, layout=(title,))
        except PmsimError as exc:
            jobs["burn"] = renderer.submit("message", text=f"No budget burn: {exc}")
        renderer.tidy()  # each drawing process collects its garbage once it has drawn these
        images = {}
        for name in ("histogram", "cdf", "tornado", "burn", "gantt"):  # in the page's order
            images[name] = renderer.result(jobs[name], check=check)
            if on_image is not None:
                on_image(name, images[name])
        return images
    except Superseded:
        for job in jobs.values():
            job.cancel()  # those not started yet; the others finish, unseen
        raise
