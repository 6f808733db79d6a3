"""An advisory lock per folder, held while a file in it is being replaced.

Every program of ours that replaces a music file (a tag write or an undo, from any library)
takes the lock of the file's real folder first, so two writers of the same folder take turns
instead of interleaving their read-copy-replace steps. The lock is flock() on the folder
itself: nothing is created in the user's folder, and the kernel drops the lock when the
process dies, so a killed writer never leaves a stale lock behind. Where flock() does not
exist (Windows) writes are not serialised across processes.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

WAIT_SECONDS = 60.0
POLL_SECONDS = 0.02


class FolderBusyError(Exception):
    """Another writer kept the folder locked for longer than we wait."""


@contextlib.contextmanager
def folder_lock(folder: str, wait_seconds: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the folder's write lock for the duration of the block."""
    if fcntl is None:
        yield
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise FolderBusyError("another program kept its folder locked") from None
                time.sleep(POLL_SECONDS)
        yield
    finally:
        os.close(fd)  # closing the last descriptor releases the lock
