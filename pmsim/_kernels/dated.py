"""The critical path on calendars, with date constraints and progress: forward, backward, floats.

Times are on the engine's axis (see ``pmsim.timeline``); every task works on
its calendar and every lag on its own (:mod:`.worktime`; calendar ``-1`` is
the axis itself, where all this is plain addition). Inputs per task come in
a :data:`Dated` tuple: bounds from constraints are ``-inf`` / ``inf`` when
absent (``summary_finish``: MS Project's manually scheduled summary task's
finish, a late finish cap that stops at the task's early finish), fixed dates
``nan`` (``manual``: a manually scheduled task, whose fixed start pins its
early dates only, or one in progress that started outside working time;
``delay``: a levelling delay, axis units of calendar
``delay_cal``, between what its links and floor allow and its start);
``status`` is 0 (not started), 1 (in progress) or 2 (finished); ``earliest``: the
moment early dates cannot precede (the axis may begin earlier, for late dates). ``rule``: 0
retained logic, 1 progress override, 2 MS Project.
``worked``: a started task's work done by the data date (axis units of its
calendar); per link (the network's ``pred_*`` order) ``link_lag`` is the lag
still to run and ``link_date`` the date a fact gives it (``nan``: none), both
from :func:`progress_links`. ``asg_ptr``/``asg_cal``/``asg_share``: a task
whose resources work on several calendars has one assignment per calendar
(``asg_ptr[j] .. asg_ptr[j + 1]``; none for the others), each doing
``asg_share`` of the task's work on its own calendar: the task starts with
the first and finishes with the last (MS Project's rule), while ``task_cal``
(the project's or the task's calendar) counts its lags. Floats count on
``float_cal``: the task's own calendar, else the project's (a calendar its
resources lend it sets when it works, not its float, as in MS Project).

Under P6's rules (0 and 1) a finished task is no work left at the data date,
after its predecessors by retained logic, and the late dates pass through it;
a started task's start links run from where its remaining work starts. By MS
Project's rule (2) progress is history: links run from the actual dates.

A start milestone (P6's) sits at the next working moment and its finish
links run from there (P6: a 7-day successor of a Monday 08:00 start milestone
on a 5-day calendar starts on Monday, not on the Saturday before), except in
the pass that moves P6's as-late-as-possible tasks (``moved_late``): P6 moves
them after its forward pass, so their successors keep their dates, and such a
milestone's links run from the end of the work before it. Its late dates stay
at a working moment its successors give (Monday 08:00), else the end of the
work before. Under P6's rules a started task with no work left sits at the
next working moment as a start milestone does, and a finished task at the
very moment its predecessors and the data date give, early and late.
"""

from collections import namedtuple

import numba as nb
import numpy as np

from .links import FF, FS, from_finish, to_finish
from .options import SCAN
from .worktime import add_work, lag_after, lag_before, last_finish, next_start, start_of_work, work_at

Dated = namedtuple(
    "Dated",
    "dur remaining task_cal float_cal start_floor finish_floor start_cap finish_cap fixed_start fixed_finish "
    "late_start_cap late_finish_cap summary_finish status actual_start actual_finish worked data_date rule honor "
    "link_lag link_date start_milestone moved_late manual delay delay_cal asg_ptr asg_cal asg_share earliest",
)


@nb.njit(inline="always")
def _next_start(inp, j, c, t, tab):
    """The next working moment of task ``j`` at or after ``t``: of its calendar, or the first of its
    assignments' calendars."""
    if inp.asg_ptr[j + 1] == inp.asg_ptr[j]:
        return next_start(c, t, tab)
    out = np.inf
    for a in range(inp.asg_ptr[j], inp.asg_ptr[j + 1]):
        out = min(out, next_start(inp.asg_cal[a], t, tab))
    return out


@nb.njit(inline="always")
def _last_finish(inp, j, c, t, tab):
    """The end of task ``j``'s work done by ``t``: on its calendar, or the last of its assignments'."""
    if inp.asg_ptr[j + 1] == inp.asg_ptr[j]:
        return last_finish(c, t, tab)
    out = -np.inf
    for a in range(inp.asg_ptr[j], inp.asg_ptr[j + 1]):
        out = max(out, last_finish(inp.asg_cal[a], t, tab))
    return out


@nb.njit(inline="always")
def _add_work(inp, j, c, t, d, tab):
    """The finish of task ``j``'s work ``d`` started at ``t``: on its calendar, or when its last assignment
    finishes (each doing its share on its own calendar)."""
    if inp.asg_ptr[j + 1] == inp.asg_ptr[j]:
        return add_work(c, t, d, tab)
    out = -np.inf
    for a in range(inp.asg_ptr[j], inp.asg_ptr[j + 1]):
        out = max(out, add_work(inp.asg_cal[a], t, d * inp.asg_share[a], tab))
    return out


@nb.njit(inline="always")
def _start_of_work(inp, j, c, t, d, tab):
    """The start of task ``j``'s work ``d`` that ends at ``t``: on its calendar, or where its first
    assignment must start."""
    if inp.asg_ptr[j + 1] == inp.asg_ptr[j]:
        return start_of_work(c, t, d, tab)
    out = np.inf
    for a in range(inp.asg_ptr[j], inp.asg_ptr[j + 1]):
        out = min(out, start_of_work(inp.asg_cal[a], t, d * inp.asg_share[a], tab))
    return out


@nb.njit(inline="always")
def _typed_extra(c, t, tab):
    """The working time a manually scheduled task typed at ``t`` outside the working time of a working day of
    calendar ``c`` adds to that day (MS Project stretches the day to it): from ``t`` to the day's first work, or
    from ``t`` after the day's last work to midnight; none in a break within the day, on a day without work, or
    on the axis itself."""
    if c < 0:
        return 0.0
    day = np.floor(t / 1440.0) * 1440.0
    before, after, now = work_at(c, day, tab), work_at(c, day + 1440.0, tab), work_at(c, t, tab)
    if after <= before:
        return 0.0
    if now == before and t > day:
        return next_start(c, t, tab) - t
    if now == after and last_finish(c, t, tab) < t:
        return day + 1440.0 - t
    return 0.0


@nb.njit(inline="always")
def _add_typed(inp, j, c, t, d, tab):
    """The finish of task ``j``'s work ``d`` started at ``t``, a manually scheduled task's time from a moment
    typed outside working time to the day's work counted as worked (:func:`_typed_extra`)."""
    extra = _typed_extra(c, t, tab) if inp.manual[j] and d > 0.0 else 0.0
    if extra <= 0.0:
        return _add_work(inp, j, c, t, d, tab)
    return t + d if d <= extra else _add_work(inp, j, c, t, d - extra, tab)


@nb.njit(inline="always")
def _starts_next(inp, j):
    """Does task ``j``, with no work to schedule, sit at the next working moment (a start milestone; under P6's
    rules a started task with no work left, which P6 puts at the next working moment after the data date)
    rather than at the end of the work before it (a finish milestone)?"""
    return inp.start_milestone[j] or (inp.status[j] == 1 and inp.rule != 2)


@nb.njit(inline="always")
def _work(inp, j):
    """The work still to schedule: none for a finished task, the remaining duration of a started one
    (its whole duration by MS Project's rule, where the work goes on from its actual start), else its
    duration."""
    if inp.status[j] == 2:
        return 0.0
    return inp.remaining[j] if inp.status[j] == 1 and inp.rule != 2 else inp.dur[j]


@nb.njit(inline="always")
def _link_holds(inp, s):
    """Does a link into task ``s`` still bind its predecessor's late dates? Under P6's rules late dates
    pass through a finished task (no work left), as they do in P6; under progress override a started
    task's remaining work ignores its links; by MS Project's rule a finished task is history."""
    if inp.status[s] == 0:
        return True
    if inp.rule == 1:
        return False
    return not (inp.status[s] == 2 and inp.rule == 2)


@nb.njit(inline="always")
def _early_link_holds(inp, s):
    """Does a link into task ``s`` still bind its predecessor's early dates (free float)? Not into a
    finished task, whose dates are history, nor into a started one under progress override."""
    return inp.status[s] == 0 or (inp.status[s] == 1 and inp.rule != 1)


@nb.njit(inline="always")
def _links_start(pred_ptr, pred_idx, pred_type, lag, link_cal, inp, tab, es, ef, j, c, d, bound):
    """The latest of ``bound`` and the starts task ``j`` (work ``d``, calendar ``c``) gets from its links: a
    fact's date, else the predecessor's date plus the lag on the link's calendar (for a finish link, where its
    work must start to end there)."""
    for e in range(pred_ptr[j], pred_ptr[j + 1]):
        i = pred_idx[e]
        kind = pred_type[e]
        date = inp.link_date[e]
        if np.isnan(date):
            date = lag_after(link_cal[e], ef[i] if from_finish(kind) else es[i], lag[e], tab)
        if to_finish(kind):
            date = _start_of_work(inp, j, c, date, d, tab)
        if date > bound:
            bound = date
    return bound


@nb.njit(**SCAN)
def progress_links(pred_ptr, pred_idx, pred_type, lag, link_cal, inp, tab, link_lag, link_date):
    """P6's rules for links out of tasks with progress, into ``link_lag`` and ``link_date`` (axis units).

    Out of a started task a start link (SS, SF) runs from where its remaining
    work starts, less the work it has done (P6 computes start-to-start lags
    from the early start). Out of a finished task an FS lag runs from its
    early finish (the data date, or later by retained logic) less the time
    its lag calendar has worked since the actual finish; an FF link gives the
    actual finish plus the lag; a start link gives the actual start plus the
    lag, or the task's early start when that is before the data date. MS
    Project's rule keeps the lags: its links run from the actual dates."""
    n = pred_ptr.shape[0] - 1
    for j in range(n):
        for e in range(pred_ptr[j], pred_ptr[j + 1]):
            i = pred_idx[e]
            kind = pred_type[e]
            c = link_cal[e]
            link_lag[e] = lag[e]
            link_date[e] = np.nan
            if inp.rule == 2 or inp.status[i] == 0:
                continue
            if inp.status[i] == 1:
                if not from_finish(kind):
                    link_lag[e] = max(lag[e] - inp.worked[i], 0.0)
                continue
            if kind == FS:
                used = work_at(c, inp.data_date, tab) - work_at(c, inp.actual_finish[i], tab)
                link_lag[e] = max(lag[e] - max(used, 0.0), 0.0)
            elif kind == FF:
                link_date[e] = lag_after(c, inp.actual_finish[i], lag[e], tab)
            else:
                t = lag_after(c, inp.actual_start[i], lag[e], tab)
                if t >= inp.data_date:
                    link_date[e] = t
                else:
                    link_lag[e] = 0.0


@nb.njit(**SCAN)
def forward(pred_ptr, pred_idx, pred_type, lag, link_cal, inp, tab, es, ef, rs):
    """Early dates. ``es``/``ef``: the start and finish links see; ``rs``: where the work still to do
    starts (the early start of a task not started). ``lag``: ``inp.link_lag``."""
    n = inp.dur.shape[0]
    for j in range(n):
        c = inp.task_cal[j]
        status = inp.status[j]
        if status == 2 and inp.rule == 2:  # MS Project: a finished task is history
            es[j] = inp.actual_start[j]
            ef[j] = inp.actual_finish[j]
            rs[j] = ef[j]
            continue
        if status == 1 and inp.rule == 2:  # MS Project: the work goes on from its actual start
            es[j] = inp.actual_start[j]
            rs[j] = es[j]
            ef[j] = _add_typed(inp, j, c, es[j], inp.dur[j], tab)
            continue
        d = _work(inp, j)
        bound = inp.start_floor[j]
        if not (status > 0 and inp.rule == 1):  # progress override: work with progress ignores its links
            bound = _links_start(pred_ptr, pred_idx, pred_type, lag, link_cal, inp, tab, es, ef, j, c, d, bound)
        if inp.delay[j] > 0.0:  # MS Project's levelling delay: after what the links and the start allow
            bound = lag_after(inp.delay_cal[j], _next_start(inp, j, c, bound, tab), inp.delay[j], tab)
        if inp.finish_floor[j] > -np.inf:
            b = _start_of_work(inp, j, c, inp.finish_floor[j], d, tab)
            if b > bound:
                bound = b
        if inp.honor:
            if inp.start_cap[j] < bound:
                bound = inp.start_cap[j]
            if inp.finish_cap[j] < np.inf:
                b = _start_of_work(inp, j, c, inp.finish_cap[j], d, tab)
                if b < bound:
                    bound = b
        if status == 0:
            if not np.isnan(inp.fixed_start[j]):
                bound = inp.fixed_start[j]
            if not np.isnan(inp.fixed_finish[j]):
                bound = _start_of_work(inp, j, c, inp.fixed_finish[j], d, tab)
        if status == 2 and inp.rule != 2:
            # P6: a finished task is no work left where its predecessors and the data date put it, that very
            # moment (Monday 08:00 after a start milestone, Saturday 00:00 at the data date).
            ef[j] = bound
        elif d > 0.0 or _starts_next(inp, j):
            # Work, a start milestone, and a started task with no work left (P6) wait for the next working
            # moment; with no work they finish there too (their finish links run from it), but a start
            # milestone moved as late as possible (see the module notes).
            typed = bound
            bound = _next_start(inp, j, c, bound, tab)
            ef[j] = bound if d <= 0.0 and not inp.moved_late[j] else _add_work(inp, j, c, bound, d, tab)
            if status == 0 and inp.manual[j] and d > 0.0 and bound > typed:
                # MS Project leaves a manually scheduled task where it was typed, outside working time too:
                # the time from there to the day's work (or, after the day's work, to midnight) is worked.
                extra = _typed_extra(c, typed, tab)
                if extra > 0.0:
                    ef[j] = typed + d if d <= extra else _add_work(inp, j, c, bound, d - extra, tab)
                    bound = typed
        else:
            # A milestone sits at the end of the work its calendar has done by then (Friday 17:00, not the
            # Saturday its predecessor on a 24-hour calendar finished): the same moment in working time. Never
            # before ``earliest``: one at the project start sits at its first working moment, as when the axis
            # begins there, also when it begins earlier for late dates reaching back (not on the Friday before,
            # where a 7-day successor would start on Saturday).
            end = last_finish(c, bound, tab)
            bound = end if end >= inp.earliest else _next_start(inp, j, c, bound, tab)
            ef[j] = bound
        rs[j] = bound
        es[j] = bound


@nb.njit(inline="always")
def _late_start_seen(inp, tab, s, ls):
    """The late start of task ``s`` that binds its predecessors' late dates: by MS Project's rule a started
    task with work resumes where its work done ends (its actual start plus the work done), and its
    predecessors must finish by then; otherwise its late start."""
    if inp.status[s] == 1 and inp.rule == 2 and inp.dur[s] > 0.0:
        return _add_typed(inp, s, inp.task_cal[s], inp.actual_start[s], max(inp.dur[s] - inp.remaining[s], 0.0),
                          tab)
    return ls[s]


@nb.njit(**SCAN)
def backward(succ_ptr, succ_idx, succ_type, lag, link_cal, link_date, inp, tab, finish_anchor, es, ef, rs, ls, lf):
    """Late dates against ``finish_anchor`` (the project finish, or the date it must finish by).

    ``ls``: the late start of the work still to do (a started task's remaining work). ``lag`` and
    ``link_date``: ``inp.link_lag`` and ``inp.link_date`` in the network's ``succ_*`` order."""
    n = inp.dur.shape[0]
    for j in range(n - 1, -1, -1):
        c = inp.task_cal[j]
        status = inp.status[j]
        if status == 2 and inp.rule == 2:  # MS Project: history; P6: late dates pass through, no work left
            ls[j] = rs[j]
            lf[j] = ef[j]
            continue
        d = _work(inp, j)
        f = finish_anchor
        for e in range(succ_ptr[j], succ_ptr[j + 1]):
            s = succ_idx[e]
            kind = succ_type[e]
            if not _link_holds(inp, s) or not np.isnan(link_date[e]):
                continue  # a link a fact fixes does not bind this task's late dates
            if inp.delay[s] > 0.0:
                # A levelling delay holds the successor's links back from its late start by the delay.
                seen = lag_before(inp.delay_cal[s], ls[s], inp.delay[s], tab)
                if to_finish(kind):
                    seen = _add_work(inp, s, inp.task_cal[s], seen, _work(inp, s), tab)
                date = lag_before(link_cal[e], seen, lag[e], tab)
            else:
                date = lag_before(link_cal[e], lf[s] if to_finish(kind) else _late_start_seen(inp, tab, s, ls),
                                  lag[e], tab)
            if not from_finish(kind):
                if status == 1 and inp.rule == 2:
                    continue  # MS Project: this task's start is a fact
                if d > 0.0:  # with no work, its start is its finish (where that sits: below)
                    date = _add_work(inp, j, c, date, d, tab)
            if date < f:
                f = date
        if inp.late_finish_cap[j] < f:
            f = inp.late_finish_cap[j]
        if inp.summary_finish[j] < f:  # MS Project: the summary's finish holds it, but gives no negative float
            f = min(f, max(inp.summary_finish[j], ef[j]))
        if inp.late_start_cap[j] < np.inf:
            b = _add_work(inp, j, c, inp.late_start_cap[j], d, tab)
            if b < f:
                f = b
        if status == 0 and not inp.manual[j]:  # a manually scheduled task's late dates follow its successors
            if not np.isnan(inp.fixed_finish[j]):
                f = inp.fixed_finish[j]
            if not np.isnan(inp.fixed_start[j]):
                f = _add_work(inp, j, c, inp.fixed_start[j], d, tab)
        # The end of the work done by then (a milestone too: Friday 17:00), but P6 keeps a start milestone at a
        # working moment it is given (its successor's Monday 08:00), and a finished task where it is given.
        if d > 0.0:
            f = _last_finish(inp, j, c, f, tab)
        elif not ((inp.start_milestone[j] and next_start(c, f, tab) == f) or status == 2):
            f = last_finish(c, f, tab)
        lf[j] = f
        ls[j] = _start_of_work(inp, j, c, f, d, tab) if d > 0.0 else f


@nb.njit(**SCAN)
def floats(inp, tab, rs, ef, ls, lf, start_float, finish_float):
    """Start and finish float of each task in working time of its calendar (axis units)."""
    n = inp.dur.shape[0]
    for j in range(n):
        if inp.status[j] == 2:
            start_float[j] = 0.0
            finish_float[j] = 0.0
            continue
        c = inp.float_cal[j]
        start_float[j] = work_at(c, ls[j], tab) - work_at(c, rs[j], tab)
        if inp.manual[j] and inp.status[j] == 0 and inp.dur[j] > 0.0:
            # the stretched day's work before the calendar's
            start_float[j] += _typed_extra(inp.task_cal[j], rs[j], tab)
        finish_float[j] = work_at(c, lf[j], tab) - work_at(c, ef[j], tab)


@nb.njit(**SCAN)
def held_floats(pred_ptr, pred_idx, pred_type, lag, link_cal, inp, tab, es, ef, rs, ls, lf, start_float,
                finish_float):
    """MS Project's floats of a task its date constraint holds earlier than its links allow (a must start or
    finish on date; a no-later-than date when constraints are honoured): its late dates against the early
    dates its links would give, so the conflict shows as negative float on the task itself, as on its
    predecessors (``start_float``/``finish_float`` lowered in place)."""
    n = inp.dur.shape[0]
    for j in range(n):
        if inp.status[j] != 0 or inp.manual[j]:
            continue
        held = not np.isnan(inp.fixed_start[j]) or not np.isnan(inp.fixed_finish[j])
        if inp.honor and (inp.start_cap[j] < np.inf or inp.finish_cap[j] < np.inf):
            held = True
        if not held:
            continue
        c = inp.task_cal[j]
        d = _work(inp, j)
        bound = _links_start(pred_ptr, pred_idx, pred_type, lag, link_cal, inp, tab, es, ef, j, c, d,
                             inp.start_floor[j])
        if inp.finish_floor[j] > -np.inf:
            b = _start_of_work(inp, j, c, inp.finish_floor[j], d, tab)
            if b > bound:
                bound = b
        if d > 0.0 or inp.start_milestone[j]:
            start = _next_start(inp, j, c, bound, tab)
            finish = _add_work(inp, j, c, start, d, tab)
        else:
            start = last_finish(c, bound, tab)
            finish = start
        if start <= rs[j]:
            continue  # the constraint does not hold it against its links
        fc = inp.float_cal[j]
        start_float[j] = min(start_float[j], work_at(fc, ls[j], tab) - work_at(fc, start, tab))
        finish_float[j] = min(finish_float[j], work_at(fc, lf[j], tab) - work_at(fc, finish, tab))


@nb.njit(**SCAN)
def free_floats(succ_ptr, succ_idx, succ_type, lag, link_cal, link_date, inp, tab, project_finish, es, ef, rs, out):
    """How far each task can slip, in working time of its calendar, before any successor's early dates
    or the project finish move (never below 0)."""
    n = inp.dur.shape[0]
    for j in range(n):
        if inp.status[j] == 2:
            out[j] = 0.0
            continue
        c = inp.float_cal[j]
        own_finish = work_at(c, ef[j], tab)
        own_start = work_at(c, rs[j], tab)
        # The project finish as the end of the work its own calendar can do by then (a night shift's 06:00).
        f = work_at(c, last_finish(inp.task_cal[j], project_finish, tab), tab) - own_finish
        for e in range(succ_ptr[j], succ_ptr[j + 1]):
            s = succ_idx[e]
            kind = succ_type[e]
            if not _early_link_holds(inp, s) or not np.isnan(link_date[e]):
                continue
            date = lag_before(link_cal[e], ef[s] if to_finish(kind) else rs[s], lag[e], tab)
            slack = work_at(c, date, tab) - (own_finish if from_finish(kind) else own_start)
            if slack < f:
                f = slack
        out[j] = f if f > 0.0 else 0.0


@nb.njit(**SCAN)
def alap_starts(succ_ptr, succ_idx, succ_type, lag, link_cal, inp, tab, alap, project_finish, es, ef, rs, out):
    """P6's as-late-as-possible: into ``out``, the start of each ``alap`` task as late as its successors'
    early dates allow (the project finish when it has none), in reverse order so that a chain of ALAP
    tasks moves together; ``es``/``ef``/``rs`` are moved with them. Other tasks get ``-inf``."""
    n = inp.dur.shape[0]
    for j in range(n - 1, -1, -1):
        out[j] = -np.inf
        if not alap[j]:
            continue
        c = inp.task_cal[j]
        d = _work(inp, j)
        latest = _last_finish(inp, j, c, project_finish, tab) if d > 0.0 else last_finish(c, project_finish, tab)
        latest = _start_of_work(inp, j, c, latest, d, tab) if d > 0.0 else latest
        for e in range(succ_ptr[j], succ_ptr[j + 1]):
            s = succ_idx[e]
            kind = succ_type[e]
            if not _early_link_holds(inp, s):
                continue
            date = lag_before(link_cal[e], ef[s] if to_finish(kind) else rs[s], lag[e], tab)
            if from_finish(kind):
                date = _start_of_work(inp, j, c, date, d, tab) if d > 0.0 else last_finish(c, date, tab)
            if date < latest:
                latest = date
        if latest > rs[j]:
            rs[j] = _next_start(inp, j, c, latest, tab) if d > 0.0 else latest
            es[j] = rs[j]
            ef[j] = _add_work(inp, j, c, rs[j], d, tab) if d > 0.0 else rs[j]
        out[j] = rs[j]
