"""Text from a project file made safe to print on a terminal.

A task name, a currency code or an error message quoting a file is data,
and a terminal obeys control characters: ``ESC [ 2 J`` clears the screen,
an OSC 8 sequence hides a link behind harmless-looking text, a bidi override
prints characters in another order than they are stored. :func:`for_terminal`
removes whole escape sequences (CSI, OSC, DCS, SOS, PM, APC, in their 7-bit
and 8-bit forms), the remaining C0 and C1 control characters and DEL, and the
Unicode bidirectional controls; line breaks and tabs become spaces unless
``keep_newlines``. :func:`display_width` counts the columns text takes
(wide East Asian characters two, combining marks none) so tables align.

>>> for_terminal("Deploy\\x1b[2J\\x1b]8;;https://example.org\\x07 now\\x1b]8;;\\x07\\u202e!")
'Deploy now!'
>>> display_width("日本 ok")
7
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["for_terminal", "display_width"]

# Escape sequences, removed whole. The string-type ones (OSC, DCS, SOS, PM, APC) run to their
# terminator (BEL or ST) or, when it is missing, to the end of the text: a terminal would also
# swallow what follows an unterminated one.
_SEQUENCE = re.compile(
    r"""
      (?:\x1b\[|\x9b) [\x30-\x3f]* [\x20-\x2f]* [\x40-\x7e]?               # CSI ... final byte
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]) .*? (?:\x07|\x1b\\|\x9c|$)  # OSC, DCS, SOS, PM, APC ... BEL or ST
    | \x1b [\x20-\x2f]* [\x30-\x7e]?                                      # any other ESC sequence
    """,
    re.VERBOSE | re.DOTALL,
)
_BREAKS = re.compile(r"[\t\n\v\f\r\x85\u2028\u2029]+")
# C0 (but tab and line breaks, handled above), DEL, C1; bidi embeddings, overrides, isolates and marks.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def for_terminal(value, *, keep_newlines: bool = False) -> str:
    """``value`` as text that prints as itself: no escape sequences, controls or bidi overrides.

    Parameters
    ----------
    value : object
        Turned into text with ``str``.
    keep_newlines : bool
        Keep ``\\n`` (for text of several lines); otherwise every line break
        and tab becomes one space, so a name stays on its table row.

    Returns
    -------
    str

    >>> for_terminal("A\\tB\\r\\nC\\x00\\x9b31mD")
    'A B CD'
    >>> for_terminal("two\\nlines", keep_newlines=True)
    'two\\nlines'
    """
    text = _SEQUENCE.sub("", str(value))
    if keep_newlines:
        return "\n".join(_clean_line(line) for line in text.split("\n"))
    return _clean_line(text)


def _clean_line(text: str) -> str:
    return _CONTROLS.sub("", _BREAKS.sub(" ", text))


def display_width(text: str) -> int:
    """The terminal columns ``text`` takes: wide and full-width characters 2, combining marks 0.

    >>> display_width("café"), display_width("cafe\\u0301")
    (4, 4)
    """
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width
