"""Text from project files printed on a terminal: escape sequences, controls and bidi overrides go."""

from __future__ import annotations

import re

import pytest

from pmsim.terminal_text import display_width, for_terminal

# Nothing a terminal acts on may survive: C0 (but the newline we keep on request), DEL, C1, bidi controls.
FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("Build\x1b[2J\x1b[H", "Build"),                                   # CSI: clear the screen, cursor home
        ("\x1b[31mred\x1b[0m", "red"),                                     # SGR colours
        ("\x1b]8;;https://evil.example\x1b\\Docs\x1b]8;;\x1b\\", "Docs"),  # OSC 8 hyperlink, ST-terminated
        ("\x1b]8;;https://evil.example\x07Docs\x1b]8;;\x07", "Docs"),      # OSC 8 hyperlink, BEL-terminated
        ("title\x1b]0;owned", "title"),                                     # OSC without its terminator
        ("a\x1bPqpayload\x1b\\b", "ab"),                                   # DCS ... ST
        ("8-bit\x9b2Jcsi", "8-bitcsi"),                                     # C1 CSI
        ("8-bit\x9d0;t\x9cosc", "8-bitosc"),                                # C1 OSC ... C1 ST
        ("reset\x1bc", "reset"),                                            # ESC c, a full terminal reset
        ("bell\x07\x08\x00", "bell"),                                       # BEL, backspace, NUL
        ("abc\u202edcba", "abcdcba"),                                       # right-to-left override
        ("\u2066isolated\u2069 \u200fmark", "isolated mark"),               # isolates and marks
        ("two\nlines\tand\r\ntabs", "two lines and tabs"),                  # a name stays on its row
        ("Prüfung 日本", "Prüfung 日本"),                                    # letters are letters
    ],
)
def test_for_terminal(raw, shown):
    assert for_terminal(raw) == shown
    assert not FORBIDDEN.search(for_terminal(raw))


def test_newlines_can_be_kept_and_everything_else_still_goes():
    assert for_terminal("line 1\x1b[2K\nline 2\x07", keep_newlines=True) == "line 1\nline 2"


def test_every_code_point_below_0xa0_but_newline_and_printables_is_removed():
    everything = "".join(chr(c) for c in range(0xA0))
    kept = for_terminal(everything, keep_newlines=True)
    assert not FORBIDDEN.search(kept)
    # A lone ESC followed by another control is dropped alone, so the printable ASCII run survives whole;
    # tab, vertical tab, form feed, CR and NEL become spaces.
    assert kept == " \n " + "".join(chr(c) for c in range(0x20, 0x7F)) + " "


def test_display_width_counts_terminal_columns():
    # Wide CJK characters take two columns, a combining accent none, plain letters one.
    assert display_width("日本") == 4
    assert display_width("e\u0301") == 1
    assert display_width("Plan") == 4
