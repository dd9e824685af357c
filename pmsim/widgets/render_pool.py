"""The drawing processes of the what-if panel: figures drawn with pmsim.plot, returned as PNG bytes.

:data:`RENDERER` (a :class:`Renderer`) draws each kind of figure in its own
process, where the figure, its layout and its text cache stay warm from one
update to the next; :func:`_draw` draws one figure, in whichever process.
"""

from __future__ import annotations

import gc
import logging
import os
import pickle
import signal
import struct
import sys
import threading
import time
import zlib
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

import numpy as np

from . import figures

log = logging.getLogger(__name__)

try:
    from isal.isal_zlib import compress as _deflate
except ImportError:  # without the notebooks extra
    _deflate = zlib.compress

_FIGURES = threading.local()


def _figures() -> dict:
    """This thread's figures, reused from one update to the next, and its remembered layouts.

    ``"plain"`` holds one figure per kind of plot and project (the last
    :data:`KEEP` of each kind), drawn again into the same axes (see :func:`_wipe`:
    a Gantt chart of the same plan only has its run layer drawn again, see
    :func:`_restyled`); ``"constrained"`` is the figure that finds a
    layout. All draw on a :class:`~pmsim.plot.canvas.TextCachingCanvas`, since
    most texts (tick labels, titles, legends) come back unchanged.
    """
    state = getattr(_FIGURES, "state", None)
    if state is None:
        state = _FIGURES.state = {"plain": {}, "constrained": _figure(layout="constrained"), "layouts": {}}
    return state


def _layouts() -> list:
    """The (kind, layout) keys this thread has laid out: what it has drawn."""
    return list(_figures()["layouts"])


def _own_figures() -> list:
    """The kinds whose own figure this thread has made (drawn into, after a layout)."""
    return sorted({kind for kind, _ in _figures()["plain"]})


KEEP = 4  # figures kept per kind: dashboards of that many projects in one kernel each keep theirs warm


def _own_figure(kind: str, layout, rect):
    """This thread's figure for the ``kind`` of plot of ``layout`` (a project), made at ``rect`` if new."""
    plain = _figures()["plain"]
    key = (kind, repr(layout))
    fig = plain.pop(key, None)
    if fig is None:
        fig = _figure()
        fig.add_axes(rect)
        for old in [k for k in plain if k[0] == kind][: -(KEEP - 1) or None]:
            del plain[old]
    plain[key] = fig  # the most recently used last
    return fig


def _figure(**kwargs):
    from matplotlib.figure import Figure

    from ..plot.canvas import TextCachingCanvas

    fig = Figure(figsize=(figures.WIDTH, figures.HEIGHT), dpi=figures.DPI, **kwargs)
    TextCachingCanvas(fig)
    return fig


def _wipe(ax) -> None:
    """Remove what a plot drew on ``ax``, keeping the axes and their ticks.

    A new axes (or ``ax.clear()``) builds every tick again, about a fifth of
    the cost of a dashboard figure. Each figure of ``"plain"`` only ever
    shows one kind of plot, and the plot functions set all the state they
    rely on (limits, locators, formatters, labels, title, grid) on every
    call, so removing the artists is enough.
    """
    for container in list(ax.containers):
        container.remove()
    for artist in [*ax.lines, *ax.patches, *ax.collections, *ax.texts, *ax.images, *ax.artists, *ax.tables]:
        artist.remove()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    ax.relim()


def _spills(fig, ax) -> bool:
    """Whether some text of ``ax`` (as last drawn) lies outside the figure.

    Titles are checked only vertically: a long title centred over narrow axes
    can stick out sideways whatever the layout.
    """
    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    titles = [ax.title, ax._left_title, ax._right_title]
    texts = [ax.xaxis.label, ax.yaxis.label, ax.xaxis.get_offset_text(), ax.yaxis.get_offset_text(), *ax.texts]
    for axis in (ax.xaxis, ax.yaxis):
        lo, hi = sorted(axis.get_view_interval())
        texts += [tick.label1 for tick in axis.majorTicks if lo <= tick.get_loc() <= hi]  # the ticks drawn
    boxes = [t.get_window_extent(renderer) for t in texts if t.get_visible() and t.get_text()]
    for legend in [*fig.legends, *([ax.get_legend()] if ax.get_legend() is not None else [])]:
        boxes.append(legend.get_window_extent(renderer))
    if any(b.x0 < -0.5 or b.x1 > width + 0.5 for b in boxes):
        return True
    boxes += [t.get_window_extent(renderer) for t in titles if t.get_visible() and t.get_text()]
    return any(b.y0 < -0.5 or b.y1 > height + 0.5 for b in boxes)


def drawn_figure(kind: str, args: dict):
    """The dashboard figure ``kind`` drawn from ``args`` (see :func:`_draw`), as this thread keeps it."""
    state = _figures()
    size = figures.size(kind, args)
    key = (kind, args.get("layout"), size)
    rect = state["layouts"].get(key)
    if rect is not None:
        fig = _own_figure(kind, args.get("layout"), rect)
        ax = fig.axes[0]
        if tuple(fig.get_size_inches()) != size or ax.get_position().bounds != rect:
            fig.set_size_inches(size)
            ax.set_position(rect)
            fig._pmsim_background = None
        if not _restyled(fig, args):
            _wipe(ax)
            figures.draw(kind, ax, args)
            _draw_whole(fig)
    if rect is None or _spills(fig, ax):
        fig = state["constrained"]
        fig.set_size_inches(size)
        for _ in range(2):  # a first layout of a fresh figure can miss a legend outside the axes
            fig.clear()
            ax = fig.subplots()
            figures.draw(kind, ax, args)
            fig.canvas.draw()
            if figures.declutter(fig):
                fig.canvas.draw()
            if not _spills(fig, ax):
                break
        # Some slack, so that a label a few characters longer next time still fits
        # (a share going from 5 % to 100 % in a legend outside the axes on the right).
        x, y, w, h = ax.get_position().bounds
        left, right, vertical = 6 / fig.bbox.width, 14 / fig.bbox.width, 3 / fig.bbox.height
        state["layouts"][key] = (x + left, y + vertical, w - left - right, h - 2 * vertical)
    return fig


def _draw_whole(fig) -> None:
    """Draw ``fig``, labels moved apart; keep a copy of it without its run layer for :func:`_restyled`.

    The run layer (:func:`.figures.run_layer`: what changes with the runs alone, and whatever is
    drawn after it) is left out of the canvas's draw, copied, then drawn over: the same pixels as
    one draw of everything.
    """
    for artist in getattr(fig, "_pmsim_layer", ()):
        artist.set_animated(False)
    fig._pmsim_layer = layer = figures.run_layer(fig)
    for artist in layer:
        artist.set_animated(True)
    fig.canvas.draw()
    fig._pmsim_background = fig.canvas.copy_from_bbox(fig.bbox) if layer else None
    moved = figures.declutter(fig)
    if layer and _movable_in(fig, layer):
        _draw_layer(fig, layer)
    elif layer or moved:  # a label outside the layer moved: draw everything again
        for artist in layer:
            artist.set_animated(False)
        fig._pmsim_layer, fig._pmsim_background = [], None
        fig.canvas.draw()


def _restyled(fig, args: dict) -> bool:
    """Draw only the run layer of ``fig`` over its copied background, if the figure can be restyled.

    True when done: ``fig`` then shows what :func:`_draw_whole` would after drawing ``args`` anew.
    """
    if getattr(fig, "_pmsim_background", None) is None or not figures.restyle(fig, args):
        return False
    for artist in fig._pmsim_layer:
        artist.set_animated(False)
    fig._pmsim_layer = layer = figures.run_layer(fig)
    for artist in layer:
        artist.set_animated(True)
    if not _movable_in(fig, layer):
        return False
    fig.canvas.restore_region(fig._pmsim_background)
    figures.declutter(fig)
    _draw_layer(fig, layer)
    return True


def _movable_in(fig, layer: list) -> bool:
    """Whether every label that :func:`.figures.declutter` may move is drawn with the layer."""
    ids = {id(a) for a in layer}
    return all(id(t) in ids for t in figures.movable_labels(fig.axes[0]))


def _draw_layer(fig, layer: list) -> None:
    renderer = fig.canvas.get_renderer()
    for artist in layer:
        artist.draw(renderer)


def png(fig) -> bytes:
    """The Agg canvas of ``fig`` as an RGB PNG: no filter, deflate at level 1.

    The same pixels as Pillow's PNG at ``compress_level=1``, in a fifth of the time with ISA-L's
    deflate (``isal``, installed with ``pmsim[notebooks]``; zlib's takes half the time): Pillow
    picks a filter for each row, which a plot's flat colours hardly need (files about 5 % larger).
    """
    rgba = np.asarray(fig.canvas.buffer_rgba())
    height, width = rgba.shape[:2]
    rows = np.empty((height, 1 + 3 * width), dtype=np.uint8)
    rows[:, 0] = 0  # filter type None
    rows[:, 1:].reshape(height, width, 3)[...] = rgba[..., :3]

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits, RGB, deflate, filter set 0, not interlaced
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", _deflate(rows, 1))
            + chunk(b"IEND", b""))


def _draw(kind: str, data) -> bytes:
    """Draw one figure of the dashboard (:mod:`.figures`) and return it as PNG bytes.

    ``data`` holds the keyword arguments (pickled when it comes from another
    process). The constrained layout (a third of the cost of a figure) runs
    on the first figure of a kind, project and size; later ones are drawn
    into the same axes of that kind's own figure, placed where the layout put
    them, and the layout runs again only if some text would fall outside.
    """
    args = pickle.loads(data) if isinstance(data, bytes) else data
    return png(drawn_figure(kind, args))


def _prime(kind: str, data: bytes) -> None:
    """Draw a figure in a drawing process for what it leaves warm, so that the next one of its kind is quick.

    The first figure of a kind, project and size finds its layout in the
    figure that lays out; the next is drawn into the kind's own figure, whose
    ticks and text cache are new the first time. This draws until both are
    done (once more when the layout was found just now).
    """
    args = pickle.loads(data)
    layouts = set(_figures()["layouts"])
    drawn_figure(kind, args)
    if set(_figures()["layouts"]) != layouts:
        drawn_figure(kind, args)
    _tidy()


# Allocations between two automatic garbage collections in a drawing process: more than one update's figures
# make, so that no collection runs while they are drawn; :func:`_tidy` collects after them instead.
GC_THRESHOLD = 50_000
TIDY_FULL = 8  # every so many tidies collect the oldest generation too


def _tidy() -> int:
    """Collect the garbage of the figures drawn, between updates; returns how many tidies this process did.

    Python's collector runs every 700 allocations by default: a dozen young collections and a few
    older ones during one update's figures (a tenth of their CPU), and now and then a collection of
    every object of the process during one of them. Here it runs when the figures are back (the
    renderer queues this after each update's figures, see :meth:`Renderer.tidy`); the objects of the
    imports, frozen after the warm-up, are never walked again.
    """
    _TIDIES[0] += 1
    gc.collect(2 if _TIDIES[0] % TIDY_FULL == 0 else 1)
    return _TIDIES[0]


_TIDIES = [0]


def _init_drawing_process(parent: int) -> None:
    """Set up a drawing process: deaf to kernel interrupts, and gone when its parent is gone.

    It shares the kernel's process group, so a kernel interrupt (SIGINT to the
    group) reaches it: that is for the user's code, not for the drawing. A
    parent that exits normally stops its pool; one killed outright (SIGTERM,
    SIGKILL) cannot, and the process would wait for work forever, so a
    thread checks every second that the parent is still there.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch():  # ``parent`` comes from the parent: it may be gone before this process starts
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="pmsim-parent-watch", daemon=True).start()


def _warm_up() -> int:
    """Import and draw once in a drawing process, so its first real figure is quick."""
    import pmsim.simulation  # noqa: F401 - a Simulation unpickles faster with its module loaded

    _draw("message", {"text": "ready"})
    # What the imports made lives as long as the process: out of every later collection's way.
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    return os.getpid()


@contextmanager
def _main_module_hidden():
    """Start processes without telling them the main module.

    A spawned process re-imports the parent's main module (``__main__.__file__``
    or ``__spec__``); the drawing processes need nothing from it, and a user's
    script without an ``if __name__ == "__main__":`` guard would run again in
    each of them.
    """
    main = sys.modules.get("__main__")
    saved = {k: main.__dict__[k] for k in ("__file__", "__spec__") if main is not None and k in main.__dict__}
    try:
        for key in saved:
            if key == "__file__":
                del main.__dict__[key]
            else:
                main.__dict__[key] = None
        yield
    finally:
        for key, value in saved.items():
            main.__dict__[key] = value


class Renderer:
    """Draws figures in a few worker processes (matplotlib holds the GIL), else in this thread.

    Each kind of figure has its own process (:meth:`_pool`: the Gantt chart
    one to itself, the others in turn on the rest), so the figure, its layout
    and the text cache of that kind stay warm there from one update to the next. The
    processes start on first use and warm up in the background; until they
    are ready, or when there are fewer than two cores, or with the
    environment variable ``PMSIM_DRAWING_PROCESSES=0``, figures are drawn
    in the calling thread. A broken process falls back to drawing in-thread.
    """

    KINDS = ("histogram", "cdf", "tornado", "burn", "gantt", "message")  # in the order an update asks for them

    def __init__(self):
        self._pools: list[ProcessPoolExecutor] = []
        self._ready: list = []
        self._primes: dict[str, Future] = {}  # kind -> the figure its process draws to warm up for it
        self._warm: set = set()  # (kind, layout, size) of the figures the processes have been asked to draw
        self._lock = threading.Lock()
        self.disabled = False

    def processes(self) -> int:
        wanted = os.environ.get("PMSIM_DRAWING_PROCESSES")
        if wanted is not None:
            return max(0, int(wanted))
        cores = os.cpu_count() or 1
        return 0 if cores < 2 else min(3, cores)

    def pids(self) -> list[int]:
        """Process ids of the drawing processes started so far."""
        return [pid for pool in list(self._pools) for pid in list(getattr(pool, "_processes", None) or {})]

    def start(self) -> None:
        """Start the drawing processes now, if they are not running; they warm up in the background.

        A panel calls this before its first simulation, so that the processes'
        imports overlap it rather than follow it.
        """
        self._start()

    def _start(self) -> None:
        with self._lock:
            if self._pools or self.disabled:
                return
            n = self.processes()
            if n == 0:
                self.disabled = True
                return
            import multiprocessing

            # spawn, not fork: forking a process that runs OpenMP and kernel threads can hang the child.
            context = multiprocessing.get_context("spawn")
            self._pools = [ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_init_drawing_process,
                                               initargs=(os.getpid(),)) for _ in range(n)]
            with _main_module_hidden():
                # Submitting starts every process now, while the main module is hidden.
                self._ready = [pool.submit(_warm_up) for pool in self._pools]

    @property
    def ready(self) -> bool:
        return bool(self._pools) and all(f.done() and not f.exception() for f in self._ready)

    def shutdown(self, wait: bool = True) -> None:
        with self._lock:
            pools, self._pools = self._pools, []
            self._primes.clear()
            self._warm.clear()
        for pool in pools:
            pool.shutdown(wait=wait, cancel_futures=True)

    def _stop(self, why: str) -> None:
        log.warning("pmsim what-if: %s; drawing in this thread from now on", why)
        self.disabled = True
        self.shutdown(wait=False)

    def _pool(self, kind: str, pools: list) -> ProcessPoolExecutor:
        """The process that draws ``kind`` (``pools``: the processes, read once by the caller).

        With two processes or more the Gantt chart, as long to draw as the four plots together when
        its plan changed, has the last one to itself; the other kinds take turns on the rest.
        """
        if len(pools) == 1:
            return pools[0]
        if kind == "gantt":
            return pools[-1]
        return pools[[k for k in self.KINDS if k != "gantt"].index(kind) % (len(pools) - 1)]

    def submit(self, kind: str, **args) -> Future:
        """Start drawing a figure; :meth:`result` gives its PNG bytes.

        Until the processes are ready the figure is drawn in this thread, and
        the same figure is queued for the process of its kind to draw after
        its warm-up (:meth:`prime`). The first figures a process draws for a
        project (of a kind and size) lay them out and fill a new figure's
        ticks and text cache, twice the cost of the next ones: that is done
        before the user's first change rather than during it. For the same
        reason a figure of a new kind, project or size that goes to a ready
        process is followed there by its :meth:`prime`. A prime of the same
        kind that has not started yet is cancelled (the figure does its work)
        and queued again after the figure.
        """
        self._start()
        pools = self._pools
        if self.ready and pools:
            try:
                data = pickle.dumps(args, protocol=pickle.HIGHEST_PROTOCOL)
                job = self._pool(kind, pools).submit(_draw, kind, data)
                job.pmsim_drawing = (kind, args)
                key = (kind, repr(args.get("layout")), figures.size(kind, args))
                # A prime of this kind still waiting (a change made right after the panel was built) would
                # only delay this figure, which lays itself out as well: it goes, and this one's prime follows.
                older = self._primes.get(kind)
                if older is not None and older.cancel():
                    self._warm.discard(older.pmsim_key)
                if key not in self._warm:
                    self._warm.add(key)
                    self._primes[kind] = self._pool(kind, pools).submit(_prime, kind, data)
                    self._primes[kind].pmsim_key = key
                return job
            except (BrokenProcessPool, RuntimeError):  # RuntimeError: the pool was shut down meanwhile
                self._stop("the drawing processes stopped")
        elif pools:
            self.prime(kind, args)
        done: Future = Future()
        try:
            done.set_result(_draw(kind, args))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
            done.set_exception(exc)
        return done

    def prime(self, kind: str, args: dict) -> None:
        """Queue ``kind``'s figure of ``args`` for its drawing process to draw and discard.

        Only the latest figure of each kind waits: one queued earlier and not
        started yet is dropped. Nothing happens without drawing processes.
        """
        pools = self._pools
        if not pools or self.disabled:
            return
        with self._lock:
            older = self._primes.get(kind)
            if older is not None and older.cancel():
                self._warm.discard(older.pmsim_key)
            try:
                self._primes[kind] = self._pool(kind, pools).submit(
                    _prime, kind, pickle.dumps(args, protocol=pickle.HIGHEST_PROTOCOL))
                self._primes[kind].pmsim_key = key = (kind, repr(args.get("layout")), figures.size(kind, args))
                self._warm.add(key)
            except (BrokenProcessPool, RuntimeError):
                pass  # the next submit finds the pool broken and draws here

    def tidy(self) -> None:
        """Queue a garbage collection (:func:`_tidy`) in each drawing process, after the figures queued there.

        Called once an update's figures are all submitted: each process collects as soon as it has
        drawn them, while the page shows them, rather than in the middle of the next update.
        """
        pools = self._pools
        if not (pools and self.ready):
            return
        for pool in pools:
            try:
                pool.submit(_tidy)
            except (BrokenProcessPool, RuntimeError):
                return  # the next submit finds the pool broken and draws here

    def result(self, job: Future, timeout: float = 120.0, check=None) -> bytes:
        """The PNG of a submitted figure; drawn here if its process died or hangs.

        ``check()`` is called about every 50 ms while waiting; what it raises
        (a newer request superseding this one) ends the wait.
        """
        end = time.monotonic() + timeout
        try:
            while True:
                try:
                    return job.result(timeout=0.05 if check is not None else timeout)
                except TimeoutError:
                    if time.monotonic() >= end:
                        raise
                    check()
        except (BrokenProcessPool, TimeoutError) as exc:
            self._stop(f"a drawing process failed ({type(exc).__name__})")
            kind, args = job.pmsim_drawing
            return _draw(kind, args)


RENDERER = Renderer()  # the one every dashboard of this process draws with
