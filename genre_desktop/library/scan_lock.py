"""One scan per library at a time.

Two scans of one library would each analyse every new file (twice the work, and the second
one's results only overwrite the first's). A scan holds an exclusive lock on a small file next
to the library's database (`<db>.scan-lock`) from start to end; a second scan of that library,
from the window or the command line, is refused at once with a reason. Scans of different
libraries have different lock files and run side by side. The operating system drops the lock
when the scanning process ends, however it ends, so a killed scan never blocks the next one.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from genre_desktop.library.migrations import LibraryError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt

BUSY_REASON = "a scan of this library is already running"


class ScanAlreadyRunning(LibraryError):
    """Another process or window is scanning this library right now."""


def lock_path(db_path: str | os.PathLike[str]) -> Path:
    return Path(f"{os.fspath(db_path)}.scan-lock")


@contextlib.contextmanager
def scan_lock(db_path: str | os.PathLike[str]) -> Iterator[None]:
    """Hold the library's scan lock, or raise ScanAlreadyRunning."""
    fd = os.open(lock_path(db_path), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            else:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            raise ScanAlreadyRunning(BUSY_REASON) from None
        yield
    finally:
        os.close(fd)  # releases the lock
