"""Writing a genre (and a mood and style) into one music file so that it is never left half
written, and putting the old bytes back.

The original is not touched until its new version is complete. The file is copied into a
temporary file in the same folder (same permissions and times), mutagen writes the tags into
the copy, and the copy is checked: each written field reads back as written, every other tag is
as it was, and the audio itself (audio_payload) hashes the same. Only then is it flushed to disk and
moved over the original with os.replace(), which is atomic: after a crash the file is either
the old or the new version, never a mix. A symbolic link is followed, so the file it points to
is replaced and the link stays. Another hard link to the file keeps the old version.

For undo, the caller stores what the old file had that the new one does not: how many bytes
at the start and at the end are the same (same_head, same_tail) and the old bytes in between
(old_middle; for MP3 and FLAC only the tag region). The sha256 of both versions tell whether a
file is still exactly what was written. Nothing here touches the library.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from genre_desktop.audio.audio_payload import PayloadError, payload_digest
from genre_desktop.audio.file_bytes import (
    ShortFileError, difference, file_sha256, fsync_file, fsync_folder, rebuild,
)
from genre_desktop.audio.tag_formats import (
    FIELDS, TagFormatError, field_values, genres_of, has_field, open_audio, stored_values, write_fields,
    written_state,
)
from genre_desktop.audio.write_lock import FolderBusyError, folder_lock

CHUNK = 1 << 20
TEMP_PREFIX = ".genre-desktop-"


class TagWriteError(Exception):
    """This file could not be written (or restored) and was left as it was; str(e) says why."""


class AlreadyRestored(TagWriteError):
    """The file already holds its old bytes: there is nothing to put back."""


class FileChangedError(TagWriteError):
    """The file is neither the version that was written nor the old one."""


class Stamp(NamedTuple):
    """What tells that a file is still the one that was read."""
    size: int
    mtime_ns: int
    inode: int

    @classmethod
    def of(cls, st: os.stat_result) -> "Stamp":
        return cls(st.st_size, st.st_mtime_ns, st.st_ino)


@dataclass
class PreparedFile:
    """A finished new version of a file waiting in `temp`; commit() puts it in place."""
    path: str  # as the library knows it
    target: str  # the real file, links followed
    temp: str
    before: Stamp  # the original when it was read
    old_sha256: str
    new_sha256: str
    new_size: int
    same_head: int = 0
    same_tail: int = 0
    old_middle: bytes = b""
    old_genres: tuple[str, ...] = ()
    new_genres: tuple[str, ...] = ()

    def commit(self) -> os.stat_result:
        """Atomically replace the original; refuses when it changed since it was read."""
        try:
            st = os.stat(self.target)
            if Stamp.of(st) != self.before:
                raise TagWriteError("the file changed while its tag was being written; it was left as it is")
            os.replace(self.temp, self.target)
        except TagWriteError:
            self.discard()
            raise
        except OSError as exc:
            self.discard()
            raise TagWriteError(f"the file could not be replaced ({_reason(exc)})") from exc
        fsync_folder(os.path.dirname(self.target))
        return os.stat(self.target)

    def discard(self) -> None:
        remove_temp(self.temp)


def create_temp(path: str, tag: str) -> str:
    """A new, empty temporary file for one write: hidden, in the real file's folder, with a name
    the library scan ignores. The name is unique (created with O_EXCL, random part) so no two
    writers, even of two libraries, ever share one; `tag` lets its creator find it after a crash."""
    fd, temp = tempfile.mkstemp(
        prefix=f"{TEMP_PREFIX}{tag}-", suffix=".tmp", dir=os.path.dirname(os.path.realpath(path)))
    os.close(fd)
    return temp


def temps_of(path: str, tag: str) -> list[str]:
    """The temporary files create_temp(path, tag) may have left behind."""
    folder = glob.escape(os.path.dirname(os.path.realpath(path)))
    return glob.glob(os.path.join(folder, f"{glob.escape(TEMP_PREFIX + tag)}-*.tmp"))


@contextlib.contextmanager
def locked(path: str) -> Iterator[None]:
    """Hold the write lock of the real file's folder (write_lock): every read-copy-replace of a
    file happens inside it, so concurrent writers take turns."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(folder_lock(os.path.dirname(os.path.realpath(path))))
        except FolderBusyError as exc:
            raise TagWriteError(f"{exc}; it was left as it is") from exc
        except OSError as exc:
            raise TagWriteError(f"its folder cannot be opened ({_reason(exc)})") from exc
        yield


def remove_temp(temp: str) -> None:
    try:
        os.remove(temp)
    except FileNotFoundError:
        pass


def split_genres(text: str) -> list[str]:
    """'Jazz; Blues' -> ['Jazz', 'Blues']: several genres in one name, in order, once each."""
    parts = [" ".join(p.split()) for p in text.split(";")]
    return list(dict.fromkeys(p for p in parts if p))


def current_genres(path: str) -> tuple[str, list[str]]:
    """(format kind, genre values in the file now); TagWriteError when it cannot be told."""
    kind, fields = current_fields(path)
    return kind, fields["genre"]


def current_fields(path: str) -> tuple[str, dict[str, list[str]]]:
    """(format kind, {field: its values in the file now} for genre, mood and style, and only the
    fields the format has); TagWriteError when it cannot be told."""
    target = os.path.realpath(path)
    _stat_regular(target)
    try:
        kind, audio = open_audio(target)
        return kind, {f: field_values(audio, kind, f) for f in FIELDS if has_field(kind, f)}
    except TagFormatError as exc:
        raise TagWriteError(str(exc)) from exc


def prepare_write(
    path: str, fields: dict[str, list[str]], *, temp_tag: str, id3_version: int = 4,
    separator: str | None = None,
) -> PreparedFile:
    """Make and check the new version of `path` in a temporary file made by
    create_temp(path, temp_tag): each of ``fields`` ({"genre": [...], "mood": [...],
    "style": [...]}, any of them; one the format lacks is left out) gets these values as its
    only ones, every other field and tag stays. Call it (and commit) inside locked(path)."""
    target = os.path.realpath(path)
    st = _stat_regular(target)
    _check_writable(target, st)
    try:
        kind, audio = open_audio(target)
        old_genres = genres_of(audio, kind)
    except TagFormatError as exc:
        raise TagWriteError(str(exc)) from exc
    temp, old_sha = _copy_to_temp(target, temp_tag)
    try:
        now = os.stat(target)
        if (now.st_size, now.st_mtime_ns) != (st.st_size, st.st_mtime_ns):
            raise TagWriteError("the file changed while it was being read; it was left as it is")
        values = {f: stored_values(v, kind, id3_version, separator) for f, v in fields.items() if has_field(kind, f)}
        audio_before = _payload(temp, kind)
        expected_others = write_fields(temp, kind, values, id3_version)
        stored, others = written_state(temp, kind, id3_version, values.keys())
        for field, wanted in values.items():
            if stored[field] != wanted:
                raise TagWriteError(f"the {field} read back as {stored[field]!r} instead of {wanted!r}")
        if others != expected_others:
            raise TagWriteError("writing the tags would have changed other tags")
        if _payload(temp, kind) != audio_before:
            raise TagWriteError("writing the tag would have changed the audio data")
        fsync_file(temp)
        new_sha, new_size = file_sha256(temp), os.path.getsize(temp)
        head, tail, middle = difference(target, temp)
    except TagFormatError as exc:
        remove_temp(temp)
        raise TagWriteError(str(exc)) from exc
    except OSError as exc:  # a full disk, a file pulled away meanwhile...
        remove_temp(temp)
        raise TagWriteError(f"the new version could not be made ({_reason(exc)})") from exc
    except BaseException:
        remove_temp(temp)
        raise
    return PreparedFile(
        path=path, target=target, temp=temp, before=Stamp.of(st),
        old_sha256=old_sha, new_sha256=new_sha, new_size=new_size, same_head=head,
        same_tail=tail, old_middle=middle, old_genres=tuple(old_genres),
        new_genres=tuple(values.get("genre", old_genres)),
    )


def prepare_restore(
    path: str, *, temp_tag: str, same_head: int, same_tail: int, old_middle: bytes,
    old_sha256: str, new_sha256: str, old_mtime_ns: int | None = None,
) -> PreparedFile:
    """Rebuild the old version of `path` (as it was before a write) next to it.

    Refuses unless the file is still exactly the written version; AlreadyRestored when it
    already is the old one."""
    target = os.path.realpath(path)
    st = _stat_regular(target)
    _check_writable(target, st)
    try:
        current = file_sha256(target)
    except OSError as exc:
        raise TagWriteError(f"the file cannot be read ({_reason(exc)})") from exc
    if current == old_sha256:
        raise AlreadyRestored("the file already has its old tags")
    if current != new_sha256:
        raise FileChangedError("the file was changed after the genre was written, so it was left as it is")
    try:
        temp = create_temp(target, temp_tag)
    except OSError as exc:
        raise TagWriteError(f"a copy could not be made in its folder ({_reason(exc)})") from exc
    try:
        old_sha = rebuild(target, st.st_size, temp, same_head, same_tail, old_middle)
        if old_sha != old_sha256:
            raise TagWriteError("the stored old tag does not rebuild the old file; it was left as it is")
        shutil.copystat(target, temp)
        if old_mtime_ns is not None:  # the old bytes come back with their old time
            os.utime(temp, ns=(st.st_atime_ns, old_mtime_ns))
        fsync_file(temp)
    except ShortFileError as exc:
        remove_temp(temp)
        raise TagWriteError("the file is shorter than the journal says; it was left as it is") from exc
    except OSError as exc:
        remove_temp(temp)
        raise TagWriteError(f"the old version could not be made ({_reason(exc)})") from exc
    except BaseException:
        remove_temp(temp)
        raise
    return PreparedFile(
        path=path, target=target, temp=temp, before=Stamp.of(st),
        old_sha256=new_sha256, new_sha256=old_sha256, new_size=same_head + len(old_middle) + same_tail,
    )


# --- helpers ----------------------------------------------------------------------------------

def _reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "it is gone"
    return exc.strerror or str(exc)


def _stat_regular(target: str) -> os.stat_result:
    try:
        st = os.stat(target)
    except FileNotFoundError:
        raise TagWriteError("the file is gone") from None
    except OSError as exc:
        raise TagWriteError(f"the file cannot be read ({_reason(exc)})") from exc
    if not os.path.isfile(target):
        raise TagWriteError("it is not a regular file")
    return st


def _check_writable(target: str, st: os.stat_result) -> None:
    """os.replace() would swap a read-only file in a writable folder: refuse such files here.
    The mode bits count even for an administrator, who os.access() lets write anything."""
    if not st.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise TagWriteError("the file is read-only")
    folder = os.path.dirname(target)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise TagWriteError("its folder is not writable")
    try:
        with open(target, "r+b"):  # locked, on a read-only disk, immutable...: open says so
            pass
    except OSError as exc:
        raise TagWriteError(f"the file cannot be written ({_reason(exc)})") from exc


def _copy_to_temp(target: str, temp_tag: str) -> tuple[str, str]:
    """Copy the file with its permissions and times into a new temporary file; returns
    (the temporary file, the sha256 of what was copied)."""
    digest = hashlib.sha256()
    try:
        temp = create_temp(target, temp_tag)
    except OSError as exc:
        raise TagWriteError(f"a copy could not be made in its folder ({_reason(exc)})") from exc
    try:
        with open(target, "rb") as src, open(temp, "wb") as dst:
            while block := src.read(CHUNK):
                digest.update(block)
                dst.write(block)
        shutil.copystat(target, temp)
    except OSError as exc:
        remove_temp(temp)
        raise TagWriteError(f"a copy could not be made in its folder ({_reason(exc)})") from exc
    return temp, digest.hexdigest()


def _payload(path: str, kind: str) -> str:
    try:
        return payload_digest(path, kind)
    except (PayloadError, OSError) as exc:
        raise TagWriteError(f"its audio data cannot be located ({exc})") from exc
