"""What the writers share about files (private): writing in one move, and what XML cannot hold."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

from ..errors import FileFormatError

__all__ = ["XML_ILLEGAL", "replacing", "umask"]

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
