"""Text from files made safe where it goes: a terminal, a spreadsheet cell, a message; currency codes checked.

Names, ids and notes in a project come from other people's files and are data.
On a terminal they must not move the cursor, clear the screen or hide a link
(:func:`pmsim.terminal_text.for_terminal`, the CLI's one rule); in a CSV file opened by a spreadsheet they must not run
as formulas (:func:`neutralise_formula`, undone by :func:`restore_formula` on
reading, so a round trip is exact); in a message an invisible character must
show (:func:`visible`). :func:`currency_code` checks the one setting that
pages print next to every amount. HTML output escapes with :func:`html.escape`.
"""

from __future__ import annotations

import re
import unicodedata

from .errors import ValidationError

__all__ = ["visible", "invisible_characters", "neutralise_formula", "restore_formula",
           "currency_code"]

# Controls (C0, DEL, C1), format characters (zero-width spaces and joiners, bidirectional marks and
# overrides, the byte-order mark, soft hyphen), line and paragraph separators and lone surrogates:
# characters a reader cannot see, or that a terminal obeys.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
# A spreadsheet reads a cell that starts with one of these as a formula (OWASP, "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Numbers stay numbers: a sign before digits is not a formula ("-5", "+2.5", "-1e3").
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_QUOTED_FORMULA = re.compile(r"'+[=+\-@\t\r]")
_CURRENCY = re.compile(r"[A-Za-z]{3}")


def _hidden(ch: str) -> bool:
    return unicodedata.category(ch) in _HIDDEN_CATEGORIES


def invisible_characters(text: str) -> list[str]:
    """The hidden characters of ``text`` (controls, zero-width and bidirectional marks ...), each named once.

    >>> invisible_characters("A\\u200bB\\x1b")
    ['U+200B ZERO WIDTH SPACE', 'U+001B (a control character)']
    """
    out = []
    for ch in dict.fromkeys(ch for ch in str(text) if _hidden(ch)):
        name = unicodedata.name(ch, "")
        out.append(f"U+{ord(ch):04X} {name}" if name else f"U+{ord(ch):04X} (a control character)")
    return out


def visible(text, *, keep_newlines: bool = False) -> str:
    """``text`` with every hidden character written as an escape (``\\x1b``, ``\\u200b``), so that it shows.

    >>> visible("Design\\u200b"), visible("\\x1b[2Jboom")
    ('Design\\\\u200b', '\\\\x1b[2Jboom')
    >>> visible("two\\nlines", keep_newlines=True)
    'two\\nlines'
    """
    text = str(text)
    if not any(_hidden(ch) for ch in text):
        return text
    out = []
    for ch in text:
        if not _hidden(ch) or (keep_newlines and ch == "\n"):
            out.append(ch)
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    return "".join(out)


def neutralise_formula(text: str) -> str:
    """A CSV cell a spreadsheet will not run: text that starts like a formula gets a leading ``'``.

    Cells starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return are formulas to Excel,
    LibreOffice and Google Sheets (OWASP's CSV injection); a ``'`` in front makes them text, which
    the spreadsheet shows without the quote. Numbers such as ``-5`` stay as they are. A cell that
    already starts with quotes before such a character gets one more, so that
    :func:`restore_formula` gives back exactly the text written.

    >>> [neutralise_formula(t) for t in ["=HYPERLINK(\\"http://x\\")", "-5", "-5 days", "'=1", "Design"]]
    ['\\'=HYPERLINK("http://x")', '-5', "'-5 days", "''=1", 'Design']
    """
    if not text:
        return text
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    if _QUOTED_FORMULA.match(text):
        return "'" + text
    return text


def restore_formula(text: str) -> str:
    """The text :func:`neutralise_formula` was given: one leading ``'`` dropped before a formula character.

    >>> [restore_formula(t) for t in ["'=SUM(A1)", "''=1", "'-5 days", "'quoted", "-5"]]
    ['=SUM(A1)', "'=1", '-5 days', "'quoted", '-5']
    """
    if text and _QUOTED_FORMULA.match(text):
        return text[1:]
    return text


def currency_code(value, owner: str = "currency") -> str:
    """``value`` as an ISO 4217 currency code: three letters, upper case (``"eur"`` gives ``"EUR"``).

    The code is printed beside every amount in tables, reports and the dashboard; anything else
    (a symbol, a word, markup) is refused.

    >>> currency_code(" eur ")
    'EUR'
    >>> currency_code("<b>€</b>", "project.toml, key 'currency'")
    Traceback (most recent call last):
    ...
    pmsim.errors.ValidationError: project.toml, key 'currency': must be an ISO 4217 code of three letters such as 'EUR' or 'USD', got '<b>€</b>'
    """
    text = str(value).strip()
    if not _CURRENCY.fullmatch(text):
        raise ValidationError(f"{owner}: must be an ISO 4217 code of three letters such as 'EUR' or 'USD', "
                              f"got {text[:40]!r}")
    return text.upper()
