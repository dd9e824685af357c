"""Which Windows code page a text file was written in, when it is not UTF-8.

P6 writes an XER in the code page of the machine that exported it: Western
European (cp1252) in most files, but Cyrillic (cp1251), Central European
(cp1250), Greek (cp1253), Turkish (cp1254) or Baltic (cp1257) elsewhere. The
file does not say which. :func:`guess_codepage` decodes the bytes with each
candidate and keeps the one whose words read best:

1. A word (a run of letters and of the non-ASCII characters next to them)
   counts for the candidate when every character in it is a letter of one
   alphabet; symbols before or after it and words of one letter say
   nothing. A symbol inside a word (``÷`` in ``Çàäà÷à``, what cp1252 makes
   of the Cyrillic ``Задача``; ``³`` in ``Za¿ó³æ``, what it makes of the
   Polish ``Zażółć``) or two alphabets in one word (``Prьfung``, what cp1251
   makes of ``Prüfung``) count against it. So does a Latin word of three
   letters or more without one ASCII letter (``Ïðîåêò``, what cp1252 makes
   of ``Проект``): Latin alphabets accent some letters of a word, Cyrillic
   and Greek words are non-ASCII throughout.
2. Between candidates that read equally well, the one whose text holds more
   of its alphabet's most frequent letters (Cyrillic о е а и н т с р в л,
   Greek α ο ι ε τ σ ν η υ ρ): Greek bytes read as Cyrillic words too, but
   as rare letters.
3. Then the earlier candidate, cp1252 first. The Latin code pages often
   cannot be told apart (a Czech ``ř`` reads as ``ø`` in cp1252, a Turkish
   ``ş`` as ``þ``): :func:`guess_codepage` names the others that read as
   well, so that a reader can say so and the user can choose.

>>> guess_codepage("Задача 1; Проект".encode("cp1251"))
('cp1251', ())
>>> guess_codepage("Ελληνικά έργο".encode("cp1253"))[0]
'cp1253'
>>> guess_codepage("Zażółć gęślą jaźń".encode("cp1250"))
('cp1250', ())
>>> guess_codepage("Straße Übergabe".encode("cp1252"))
('cp1252', ('cp1250', 'cp1254', 'cp1257'))
>>> guess_codepage(b"plain ASCII")
('cp1252', ())
"""

from __future__ import annotations

import itertools
import re
import unicodedata

CANDIDATES = ("cp1252", "cp1251", "cp1250", "cp1253", "cp1254", "cp1257")
NAMES = {"cp1252": "Windows-1252 (Western European)", "cp1251": "Windows-1251 (Cyrillic)",
         "cp1250": "Windows-1250 (Central European)", "cp1253": "Windows-1253 (Greek)",
         "cp1254": "Windows-1254 (Turkish)", "cp1257": "Windows-1257 (Baltic)"}
FREQUENT = frozenset("оеаинтсрвлОЕАИНТСРВЛαοιετσνηυρςάέίόήΑΟΙΕΤΣΝΗΥΡ")  # the ten commonest letters of each

_WORD = re.compile(r"[A-Za-z\x80-\uffff]*[\x80-\uffff][A-Za-z\x80-\uffff]*")
_EDGES = re.compile(r"^[^\w]+|[^\w]+$")  # what is not a letter or digit at either end of a run
SAMPLE_LINES = 2000  # lines with non-ASCII bytes looked at: enough to decide, quick on a large file


def _script(char: str) -> str | None:
    """The alphabet of a letter (LATIN, CYRILLIC, GREEK, ...), or None for anything that is not a letter."""
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else None


def _score(text: str) -> tuple[int, int]:
    """(characters in words that read as words less those in words that do not, frequent letters).

    Symbols before or after a word (``“IA”``, ``beds…``) and words of one letter say nothing.
    """
    score = frequent = 0
    for run in _WORD.findall(text):
        word = _EDGES.sub("", run)
        if len(word) < 2:
            continue
        scripts = {_script(c) for c in word}
        plausible = None not in scripts and len(scripts) == 1
        if plausible and scripts == {"LATIN"} and len(word) >= 3:
            plausible = any(c < "\x80" for c in word)
        score += len(word) if plausible else -len(word)
        frequent += sum(c in FREQUENT for c in word)
    return score, frequent


def guess_codepage(data: bytes) -> tuple[str, tuple[str, ...]]:
    """The candidate code page in which ``data`` reads best, and the others that read as well.

    ``data`` is the raw text of a file that is not UTF-8. Plain ASCII gives
    ``("cp1252", ())``; so does text no candidate can decode (the reader then
    replaces the bytes it cannot read).
    """
    # Line by line (a pattern for "a line with a byte above 127" tries every position of each line that has
    # none, quadratic in the line's length: seconds on a large XER's long calendar lines).
    lines = list(itertools.islice((line for line in data.split(b"\n") if not line.isascii()), SAMPLE_LINES))
    if not lines:
        return CANDIDATES[0], ()
    sample = b"\n".join(lines)
    scores = {}
    for codepage in CANDIDATES:
        try:
            scores[codepage] = _score(sample.decode(codepage))
        except UnicodeDecodeError:  # a byte the code page leaves undefined: not this one
            continue
    if not scores:
        return CANDIDATES[0], ()
    best = max(scores, key=lambda c: (scores[c], -CANDIDATES.index(c)))
    return best, tuple(c for c in scores if c != best and scores[c] == scores[best])
