"""An Agg canvas that keeps the text it has rendered, for figures redrawn many times.

The what-if dashboard redraws the same four figures after every control
change. Half of an Agg draw is text: FreeType lays out and rasterises every
tick label, title and legend entry again, although most of them are the
same string at the same sub-pixel position as last time. :class:`TextCachingCanvas`
renders each distinct piece of text once into a small transparent image
and afterwards only composites that image. The key holds everything that
changes the pixels (string, font, angle, colour, alpha, antialiasing,
font features and language, and the position's fraction of a pixel in
FreeType's 1/64 steps), so the result matches a plain Agg draw to within
the rounding of alpha compositing (at most 2 of 255 per channel). A text
not drawn before is rendered from kept glyph bitmaps and layouts where it
can (:func:`_draw_glyphs`: the pixels of matplotlib's own, exactly), since
after a control change most new texts are old ones moved (tick labels) or
share their start with old ones (legend entries).
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg

_STEPS = 64  # FreeType places glyphs in 1/64 of a pixel: finer fractions draw the same pixels
_PAD = 3  # pixels around the text's box: antialiasing and glyphs that overhang their advance
_KEEP = 4000  # texts remembered per process (a few KB each)
_LOCK = threading.Lock()


class _TextCachingRenderer(RendererAgg):
    def __init__(self, width, height, dpi, cache: OrderedDict):
        super().__init__(width, height, dpi)
        self._texts = cache

    def _get_font_height_metrics(self, prop):
        """A font's (ascent, descent, line gap) in pixels, as matplotlib's text layout reads them, kept.

        Matplotlib (3.11) asks a renderer for these first and otherwise looks the font up and reads
        its tables again for every text it lays out: several times per tick label and draw, a fifth
        of a draw with many labels. The same arithmetic as ``Text._get_layout``'s, once per font and
        size; (None, None, None) lets matplotlib measure the font itself.
        """
        key = (_font_key(prop), self.dpi)
        metrics = _HEIGHTS.get(key)
        if metrics is None:
            metrics = _HEIGHTS[key] = _font_height_metrics(prop, self.dpi)
        return metrics

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath == "TeX":
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        # (x, y) is the start of the baseline, y counted down from the top.
        ix, iy = math.floor(x), math.floor(y)
        fx, fy = round((x - ix) * _STEPS), round((y - iy) * _STEPS)
        shaping = None
        if mtext is not None and hasattr(mtext, "get_fontfeatures"):
            shaping = (tuple(mtext.get_fontfeatures() or ()), mtext.get_language())
        key = (s, _font_key(prop), angle, ismath, tuple(gc.get_rgb()), gc.get_alpha(),
               gc.get_forced_alpha(), gc.get_antialiased(), fx, fy, shaping, self.dpi)
        with _LOCK:  # canvases in several threads share the cache
            entry = self._texts.get(key)
            if entry is not None:
                self._texts.move_to_end(key)
        if entry is None:
            entry = self._render(gc, fx / _STEPS, fy / _STEPS, s, prop, angle, ismath, mtext)
            with _LOCK:
                self._texts[key] = entry
                if len(self._texts) > _KEEP:
                    self._texts.popitem(last=False)
        image, dx, dy = entry
        if image is None:
            return
        # The colour and alpha are in the image already; the clip comes from gc.
        gc1 = self.new_gc()
        gc1.copy_properties(gc)
        gc1.set_alpha(1.0)
        # draw_image takes the lower-left corner counted up from the bottom, rows bottom first.
        self.draw_image(gc1, ix + dx, self.height - (iy + dy + image.shape[0]), image[::-1])
        gc1.restore()

    def _render(self, gc, fx, fy, s, prop, angle, ismath, mtext):
        """``s`` drawn alone: (RGBA image, its left and top offset from the pixel of the origin)."""
        w, h, d = _metrics(self, s, prop, ismath)
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        # The text's box, from the baseline origin, y up; turned by the angle; then y down.
        corners = [(cx * cos - cy * sin, -(cx * sin + cy * cos)) for cx in (0.0, w) for cy in (-d, h)]
        left = math.floor(min(c[0] for c in corners)) - _PAD
        top = math.floor(min(c[1] for c in corners)) - _PAD
        width = math.ceil(max(c[0] for c in corners)) + _PAD - left + 1
        height = math.ceil(max(c[1] for c in corners)) + _PAD - top + 1
        scratch = RendererAgg(width, height, self.dpi)
        gc0 = scratch.new_gc()
        gc0.copy_properties(gc)
        gc0.set_clip_rectangle(None)
        gc0.set_clip_path(None)
        if ismath or not _GLYPH_API:
            RendererAgg.draw_text(scratch, gc0, fx - left, fy - top, s, prop, angle, ismath, mtext)
        else:
            _draw_glyphs(scratch, gc0, fx - left, fy - top, s, prop, angle, mtext)
        gc0.restore()
        pixels = np.asarray(scratch.buffer_rgba())
        inked = pixels[..., 3] > 0
        rows, cols = np.flatnonzero(inked.any(axis=1)), np.flatnonzero(inked.any(axis=0))
        if rows.size == 0:
            return None, 0, 0
        r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
        return np.ascontiguousarray(pixels[r0:r1, c0:c1]), left + int(c0), top + int(r0)


def _metrics(renderer, s, prop, ismath) -> tuple:
    """``renderer.get_text_width_height_descent``, from matplotlib's own cache when it is there.

    Matplotlib measured the text when it laid it out, just before drawing it; measuring it again
    lays its glyphs out once more (a third of the cost of rendering a new text).
    """
    try:
        from matplotlib.text import _get_text_metrics_with_cache
    except ImportError:  # another matplotlib
        return renderer.get_text_width_height_descent(s, prop, ismath)
    return _get_text_metrics_with_cache(renderer, s, prop, ismath, renderer.dpi)


def _has_glyph_api() -> bool:
    """Does this matplotlib have the font calls :func:`_draw_glyphs` makes (3.11's; pmsim accepts 3.8 on)?"""
    from matplotlib import ft2font
    from matplotlib.backends import backend_agg

    return (all(hasattr(ft2font.FT2Font, name) for name in ("_layout", "_render_glyph", "_set_transform"))
            and hasattr(ft2font, "RenderMode") and hasattr(backend_agg, "get_hinting_flag"))


_GLYPH_API = _has_glyph_api()  # else every new text is drawn by matplotlib's draw_text, as before
_GLYPHS = threading.local()  # per thread: the fonts (and so the layouts that name them) are the thread's
_KEEP_GLYPHS = 20_000  # glyph bitmaps remembered per thread (a few hundred bytes each)


def _glyph_caches() -> tuple[dict, dict]:
    caches = getattr(_GLYPHS, "caches", None)
    if caches is None:
        caches = _GLYPHS.caches = ({}, {})
    return caches


def _draw_glyphs(renderer: RendererAgg, gc, x, y, s, prop, angle, mtext) -> None:
    """``RendererAgg.draw_text`` of plain text (matplotlib 3.11), with each string's layout and glyph bitmap kept.

    The same calls as matplotlib's ``_draw_text_glyphs_and_boxes`` (no slant, no stretch), the same
    pixels: FreeType places a glyph at its position in 1/64 of a pixel, and a glyph placed a whole
    number of pixels further has the same bitmap, further by that many pixels. So a bitmap is kept
    by glyph, font, size, angle and the fraction of a pixel, and a tick label that moved, or a
    label that shares its start with an earlier one, reuses the glyphs already rendered.
    """
    from matplotlib.backends.backend_agg import get_hinting_flag
    from matplotlib.ft2font import RenderMode

    layouts, glyphs = _glyph_caches()
    flags = get_hinting_flag()
    features = mtext.get_fontfeatures() if mtext is not None else None
    language = mtext.get_language() if mtext is not None else None
    size = prop.get_size_in_points()
    key = (s, _font_key(prop), renderer.dpi, flags, None if features is None else tuple(features), language)
    items = layouts.get(key)
    if items is None:
        font = renderer._prepare_font(prop)
        items = [(item.ft_object, item.glyph_index, item.x, item.y)
                 for item in font._layout(s, flags=flags, features=features, language=language)]
        if len(layouts) >= _KEEP:
            layouts.clear()
        layouts[key] = items
    # y is downwards.
    cos = math.cos(math.radians(angle))
    sin = math.sin(math.radians(angle))
    matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]]) @ [[1, 0], [0, 1]]).round().astype(int)
    antialiased = gc.get_antialiased()
    mode = RenderMode.NORMAL if antialiased else RenderMode.MONO
    height = int(renderer.height)
    for font, glyph_index, dx, dy in items:  # dy is upwards.
        # The glyph's origin in 1/64 pixel, as matplotlib computes it; FreeType's y is upwards.
        ox = round(0x40 * (x + dx * cos - dy * sin))
        oy = round(0x40 * (renderer.height - y + dx * sin + dy * cos))
        (px, fx), (py, fy) = divmod(ox, 0x40), divmod(oy, 0x40)
        gkey = (id(font), size, renderer.dpi, glyph_index, matrix.tobytes(), fx, fy, flags, antialiased)
        glyph = glyphs.get(gkey)
        if glyph is None:
            font.set_size(size, renderer.dpi)
            font._set_transform(matrix, [fx, fy])
            bitmap = font._render_glyph(glyph_index, flags, mode)
            buffer = np.array(bitmap.buffer)
            if not antialiased:
                buffer *= 0xff
            if len(glyphs) >= _KEEP_GLYPHS:
                glyphs.clear()
            glyph = glyphs[gkey] = (buffer, bitmap.left, bitmap.top, font)  # the font kept alive with its id
        buffer, left, top, _ = glyph
        # draw_text_image's y is downwards & the bitmap bottom side.
        renderer._renderer.draw_text_image(buffer, left + px, height - (top + py) + buffer.shape[0], 0, gc)


def _font_key(prop) -> tuple:
    return (tuple(prop.get_family()), prop.get_style(), prop.get_variant(), prop.get_weight(), prop.get_stretch(),
            prop.get_size_in_points(), prop.get_file(), prop.get_math_fontfamily())


_HEIGHTS: dict = {}  # (font, dpi) -> (ascent, descent, line gap) in pixels


def _font_height_metrics(prop, dpi: float) -> tuple:
    try:
        from matplotlib.font_manager import fontManager, get_font

        font = get_font(fontManager._find_fonts_by_props(prop))
        for table_name, gap, ascent, descent in (("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
                                                 ("hhea", "lineGap", "ascent", "descent")):
            table = font.get_sfnt_table(table_name)
            if table is None:
                continue
            scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * prop.get_size_in_points() * dpi / 72
            return table[ascent] * scale, -table[descent] * scale, table[gap] * scale
    except (AttributeError, KeyError, TypeError):  # another matplotlib's font manager: let it measure
        pass
    return None, None, None


class TextCachingCanvas(FigureCanvasAgg):
    """A :class:`~matplotlib.backends.backend_agg.FigureCanvasAgg` whose renderer keeps rendered text.

    The cache is shared by every canvas of the process and keeps the
    most recently used texts.

    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(2, 1), dpi=72)
    >>> canvas = TextCachingCanvas(fig)
    >>> _ = fig.text(0.1, 0.5, "P80")
    >>> canvas.draw()
    >>> canvas.buffer_rgba().shape
    (72, 144, 4)
    """

    _texts: OrderedDict = OrderedDict()

    def get_renderer(self):
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = _TextCachingRenderer(w, h, self.figure.dpi, self._texts)
            self._lastKey = key
        return self.renderer
