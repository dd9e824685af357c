"""What the readers and writers share about files (private): reading only regular files of a bounded size,
writing in one move, and what XML cannot hold."""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from pathlib import Path

from .. import limits
from ..errors import FileFormatError, ValidationError

__all__ = ["XML_ILLEGAL", "replacing", "umask", "as_path", "input_file", "read_input"]

_KINDS = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))

# XML 1.0, and so MSPDI and .xlsx, cannot hold control characters other than tab, line
# feed and carriage return, nor lone surrogates, U+FFFE or U+FFFF.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def umask() -> int:
    """The process's file-creation mask (reading it means setting it, so it is set back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def replacing(path: Path):
    """A temporary file next to ``path`` that replaces ``path`` when the block ends without an error.

    An error (or an interrupted write) never leaves a half-written file at
    ``path``; an OSError becomes a FileFormatError naming ``path``.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "plan.txt"
    >>> with replacing(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
    ('done', ['plan.txt'])
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot write here: {exc.strerror or exc}") from None
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~umask())  # mkstemp makes private files
        os.replace(tmp, path)
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot write the file: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def as_path(value, what: str = "a file") -> Path:
    """``value`` (a str or path-like) as a Path, else a ValidationError saying what was expected.

    >>> as_path(["a", "b"], "read_project")
    Traceback (most recent call last):
    ...
    pmsim.errors.ValidationError: read_project needs a path (a str or pathlib.Path), got list
    """
    if isinstance(value, Path):
        return value
    if isinstance(value, (str, os.PathLike)) and str(value).strip() and "\x00" not in str(value):
        return Path(value)
    if isinstance(value, str):
        raise ValidationError(f"{what} needs a path, got {value!r}")
    raise ValidationError(f"{what} needs a path (a str or pathlib.Path), got {type(value).__name__}")


def input_file(path) -> Path:
    """``path`` if it is a regular file within :data:`pmsim.limits.FILE_BYTES`, else a FileFormatError.

    A named pipe, a device or a socket would block a reader or never end, so they are
    refused before anything opens them.

    >>> input_file("/dev/null")
    Traceback (most recent call last):
    ...
    pmsim.errors.FileFormatError: /dev/null: not a regular file but a character device; give a project file or folder
    """
    path = as_path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise FileFormatError(f"{path}: no such file") from None
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise FileFormatError(f"{path}: a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _KINDS if test(info.st_mode)), "a special file")
        raise FileFormatError(f"{path}: not a regular file but {kind}; give a project file or folder")
    limits.check("FILE_BYTES", info.st_size, f"{path}: size in bytes")
    return path


def read_input(path) -> bytes:
    """The bytes of the regular file ``path`` (see :func:`input_file`); an OSError becomes a FileFormatError."""
    path = input_file(path)
    try:
        with open(path, "rb") as f:
            return f.read(limits.FILE_BYTES + 1)
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
