"""XER files written in a Windows code page other than cp1252: which one, and the user's choice."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import pmsim as pm
from pmsim.io.xer import read_xer, write_xer

REAL = Path(__file__).parent.parent / "data" / "real"


def _export(tmp_path, names: list[str], codepage: str) -> Path:
    """An XER whose activity names are ``names``, as P6 would write it on a machine using ``codepage``."""
    project = pm.Project(name="cp", start="2027-01-04",
                         tasks=[pm.Task(f"A{i}", duration=2, name=n) for i, n in enumerate(names)])
    path = tmp_path / "utf8.xer"
    write_xer(project, path)  # cp1252, or UTF-8 with a byte-order mark when the names do not fit it
    data = path.read_bytes()
    text = data.decode("utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else data.decode("cp1252")
    out = tmp_path / f"{codepage}.xer"
    out.write_bytes(text.encode(codepage))
    return out


@pytest.mark.parametrize("codepage, names", [
    ("cp1251", ["Монтаж оборудования", "Пусконаладочные работы"]),
    ("cp1253", ["Εκσκαφή θεμελίων", "Σκυροδέτηση πλάκας"]),
    ("cp1250", ["Zażółć gęślą jaźń", "Przegląd końcowy"]),
])
def test_names_written_in_another_code_page_read_back(tmp_path, codepage, names):
    path = _export(tmp_path, names, codepage)
    with pytest.warns(pm.PmsimWarning, match=f"text in Windows-{codepage[2:]}") as caught:
        project = read_xer(path, check_health=False)
    assert [t.name for t in project.tasks] == names
    assert str(path) in str(caught[0].message)


def test_western_text_reads_as_cp1252_without_a_word(tmp_path):
    names = ["Prüfung der Straße", "Réunion de lancement"]
    path = _export(tmp_path, names, "cp1252")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        project = read_xer(path, check_health=False)
    assert [t.name for t in project.tasks] == names


def test_the_user_names_the_encoding_where_latin_code_pages_read_alike(tmp_path):
    # A Czech ř is ø in cp1252: both read as Latin words, so the guess keeps cp1252; encoding= decides.
    path = _export(tmp_path, ["Příprava staveniště"], "cp1250")
    assert read_xer(path, check_health=False).tasks[0].name == "Pøíprava staveništì"
    assert read_xer(path, check_health=False, encoding="cp1250").tasks[0].name == "Příprava staveniště"
    assert pm.read_project(path, check_health=False, encoding="cp1250").tasks[0].name == "Příprava staveniště"


def test_an_encoding_that_does_not_fit_is_refused_by_name(tmp_path):
    path = _export(tmp_path, ["Монтаж"], "cp1251")
    with pytest.raises(pm.FileFormatError, match=r"cannot be read as utf-8"):
        read_xer(path, check_health=False, encoding="utf-8")
    with pytest.raises(pm.FileFormatError, match=r"'klingon' is not a text encoding"):
        read_xer(path, check_health=False, encoding="klingon")


def test_the_p6_export_from_a_cyrillic_machine():
    # encoding1251.xer (Aspose.Tasks examples, P6 20.12): activity names Задача 1 and Тест2 in cp1251 bytes
    # (Задача = C7 E0 E4 E0 F7 E0), and the euro sign of its currency table as 0x88, cp1251's euro.
    with pytest.warns(pm.PmsimWarning, match="Windows-1251"):
        project = read_xer(REAL / "encoding1251.xer", check_health=False)
    assert [t.name for t in project.tasks] == ["Задача 1", "Тест2"]


def test_the_guess_reads_the_lines_with_bytes_above_127_whatever_the_long_ascii_lines_around_them():
    # A large XER's calendar lines run to tens of thousands of ASCII characters; the Cyrillic name is on
    # its own line, after them and before the end (no newline after the last line).
    from pmsim.io.codepage import guess_codepage

    ascii_line = b"%R\t" + b"(0||1()(0||0(s|08:00|f|16:00)()))" * 3000
    name = "Монтаж оборудования".encode("cp1251")
    data = b"\r\n".join([ascii_line] * 20 + [b"%R\t1\t" + name] + [ascii_line] * 5 + [b"%E\t" + name])
    assert guess_codepage(data) == ("cp1251", ())
    assert guess_codepage(b"\n".join([ascii_line] * 5)) == ("cp1252", ())
