"""Replacing a file whole: written to a temporary file in the same folder, then renamed into place.

A reader, a crash or a ``kill -9`` part-way sees the old file or the new one, never a cut one:
the rename is atomic on one file system, which is why the temporary file sits beside the
target. A writer killed part-way leaves its hidden ``.<name>.*.tmp`` behind (a later write does
not remove it: it could be another process's file being written).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import IO, Iterator

TEMP_SUFFIX = ".tmp"


def _mode_for(path: Path) -> int:
    """The permissions the file would get written in place: the old file's, else 0666 less the umask."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def atomic_write(path: Path | str, *, encoding: str = "utf-8", newline: str | None = None) -> Iterator[IO[str]]:
    """A text handle whose content replaces ``path`` when the block ends without an error.

    On an error the old file is left as it was and the temporary file is removed. A path that
    is not a regular file (``/dev/stdout``, a named pipe) is written in place."""
    path = Path(path)
    if path.exists() and not path.is_file():
        with open(path, "w", encoding=encoding, newline=newline) as handle:
            yield handle
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding=encoding, newline=newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, _mode_for(path))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def atomic_write_text(path: Path | str, text: str, *, encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``text`` whole."""
    with atomic_write(path, encoding=encoding) as handle:
        handle.write(text)
