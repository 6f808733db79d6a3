"""Finding audio files under music folders.

os.scandir with an explicit stack (no recursion limit). Links to files are followed; links to
folders too, but each real folder (st_dev, st_ino) is entered once, which stops link loops and
double counting. Entries with an audio extension that are not regular files (FIFOs, sockets,
dangling or looping links) are reported as problems without ever being opened: opening a
FIFO would block. Paths are str as os.scandir gives them (surrogate escapes for non-UTF-8 names).
"""

from __future__ import annotations

import errno
import logging
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from genre_desktop.core.cancel import CancelToken

log = logging.getLogger(__name__)

AUDIO_EXTENSIONS = frozenset({
    ".mp3", ".flac", ".ogg", ".oga", ".opus", ".m4a", ".mp4", ".aac", ".alac", ".wav",
    ".aiff", ".aif", ".wma", ".wv",
})


@dataclass(frozen=True)
class FoundFile:
    path: str
    size: int
    mtime_ns: int
    problem: str | None = None  # set when the entry cannot be a track (FIFO, broken link, ...)
    file_id: tuple[int, int] | None = None  # (st_dev, st_ino) of the file itself, links followed


@dataclass(frozen=True)
class FolderProblem:
    path: str
    reason: str


def is_audio_name(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in AUDIO_EXTENSIONS


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "not found"
    return exc.strerror or str(exc)


def _not_a_track(entry: os.DirEntry[str]) -> FoundFile | None:
    """An audio-named entry that is not a regular file: say what it is instead."""
    try:
        st = entry.stat(follow_symlinks=False)
    except OSError:
        return None  # gone since the folder was listed
    size, mtime = st.st_size, st.st_mtime_ns
    try:
        target = os.stat(entry.path)
    except FileNotFoundError:
        return FoundFile(entry.path, size, mtime, "file not found (broken link)")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return FoundFile(entry.path, size, mtime, "symbolic link loop")
        return FoundFile(entry.path, size, mtime, f"cannot read file ({_os_reason(exc)})")
    if stat.S_ISREG(target.st_mode):  # became a file meanwhile: let the analysis try it
        return FoundFile(entry.path, target.st_size, target.st_mtime_ns, file_id=(target.st_dev, target.st_ino))
    return FoundFile(entry.path, size, mtime, "not a regular file (pipe, socket or device)")


def walk_folders(
    roots: Iterable[str], cancel: CancelToken | None = None
) -> Iterator[FoundFile | FolderProblem | str]:
    """Yield each audio file found, each unreadable folder, and (as a plain str) each folder
    as it is entered, so callers can show where the walk is."""
    visited: set[tuple[int, int]] = set()
    for root in roots:
        stack = [root]
        while stack:
            if cancel is not None and cancel.cancelled:
                return
            folder = stack.pop()
            try:
                st = os.stat(folder)
            except OSError as exc:
                yield FolderProblem(folder, f"folder cannot be read ({_os_reason(exc)})")
                continue
            key = (st.st_dev, st.st_ino)
            if key in visited:
                log.debug("Skipping %r: already walked (link loop or second link)", folder)
                continue
            visited.add(key)
            yield folder
            try:
                with os.scandir(folder) as entries:
                    listed = list(entries)
            except OSError as exc:
                yield FolderProblem(folder, f"folder cannot be read ({_os_reason(exc)})")
                continue
            subfolders: list[str] = []
            for entry in sorted(listed, key=lambda e: e.name):
                found = _classify(entry)
                if isinstance(found, str):
                    subfolders.append(found)
                elif found is not None:
                    yield found
            stack.extend(reversed(subfolders))  # visit in name order


def _classify(entry: os.DirEntry[str]) -> FoundFile | str | None:
    """A subfolder path to walk, a FoundFile, or None for anything else."""
    try:
        if entry.is_dir(follow_symlinks=True):
            return entry.path
    except OSError:
        pass
    if not is_audio_name(entry.name):
        return None
    try:
        if entry.is_file(follow_symlinks=True):
            st = entry.stat(follow_symlinks=True)
            return FoundFile(entry.path, st.st_size, st.st_mtime_ns, file_id=(st.st_dev, st.st_ino))
    except OSError:
        pass
    return _not_a_track(entry)
