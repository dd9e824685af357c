"""The text-caching canvas renders a new text from kept glyphs: the pixels of matplotlib's own text drawing.

pmsim.plot.canvas keeps each glyph's bitmap by font, size, angle and the fraction of a pixel
where FreeType places it (a glyph placed whole pixels further has the same bitmap, further by
that many pixels), and each string's layout. Compared here byte for byte with
``RendererAgg.draw_text`` on a miss of those caches and on a hit, at random sub-pixel positions.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.font_manager import FontProperties

from pmsim.plot import canvas

STRINGS = ["Oct", "15", "2027-Dec", "P50 Tue 26 Oct 2027", "Deadline Fri 17 Sep 2027: P(on time) 0%", "+0.38",
           "HC01 Hypercare support desk", "1.2M", "Task 12 – Design review", "AVAWAy fi ffl", "€ 1,234"]


def _drawn(draw, x, y, s, prop, angle, colour, antialiased) -> np.ndarray:
    renderer = RendererAgg(260, 260, 90)
    gc = renderer.new_gc()
    gc.set_foreground(colour)
    gc.set_antialiased(antialiased)
    draw(renderer, gc, x, y, s, prop, angle)
    gc.restore()
    return np.array(renderer.buffer_rgba())


def _plain(renderer, gc, x, y, s, prop, angle):
    RendererAgg.draw_text(renderer, gc, x, y, s, prop, angle, False, None)


def _kept(renderer, gc, x, y, s, prop, angle):
    canvas._draw_glyphs(renderer, gc, x, y, s, prop, angle, None)


@pytest.mark.parametrize("angle", [0, 90, 30, -45])
def test_text_drawn_from_kept_glyphs_has_the_pixels_of_agg(angle):
    rng = random.Random(angle)
    canvas._GLYPHS.caches = None  # empty: the first texts render every glyph
    for trial in range(120):
        s = rng.choice(STRINGS)
        prop = FontProperties(size=rng.choice([7, 9, 10, 14]), weight=rng.choice(["normal", "bold"]))
        x, y = rng.uniform(40, 200), rng.uniform(40, 200)
        colour, antialiased = rng.choice(["black", "#ff7f0e"]), trial % 9 != 0
        expected = _drawn(_plain, x, y, s, prop, angle, colour, antialiased)
        assert expected[..., 3].any()  # some text was drawn
        assert np.array_equal(_drawn(_kept, x, y, s, prop, angle, colour, antialiased), expected), (s, x, y)
        # The same text moved by whole pixels: every glyph from the cache, the same pixels moved.
        kept = len(canvas._glyph_caches()[1])
        moved = _drawn(_kept, x + 7, y - 3, s, prop, angle, colour, antialiased)
        assert len(canvas._glyph_caches()[1]) == kept  # no glyph rendered anew
        assert np.array_equal(moved, _drawn(_plain, x + 7, y - 3, s, prop, angle, colour, antialiased))


def test_a_matplotlib_without_the_glyph_calls_draws_new_texts_itself(monkeypatch):
    # pmsim accepts matplotlib from 3.8; the kept glyphs use 3.11's font calls. Without them a new text is
    # drawn by RendererAgg.draw_text: the same pixels and offsets as through the kept glyphs.
    from collections import OrderedDict

    renderer = canvas._TextCachingRenderer(200, 200, 90, OrderedDict())
    gc = renderer.new_gc()
    prop = FontProperties(size=10)
    kept = renderer._render(gc, 0.3, 0.7, "P50 Tue 26 Oct 2027", prop, 30, False, None)
    monkeypatch.setattr(canvas, "_GLYPH_API", False)
    monkeypatch.setattr(canvas, "_draw_glyphs", None)  # a call to it would fail
    plain = renderer._render(gc, 0.3, 0.7, "P50 Tue 26 Oct 2027", prop, 30, False, None)
    assert kept[0][..., 3].any()
    assert np.array_equal(kept[0], plain[0]) and kept[1:] == plain[1:]
