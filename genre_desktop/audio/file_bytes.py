"""Byte-level helpers of a tag write: whole-file hashes, the part of a file that two versions
do not share, rebuilding the old version from it, and flushing to disk."""

from __future__ import annotations

import hashlib
import os

CHUNK = 1 << 20


class ShortFileError(Exception):
    """The file is shorter than the stored difference expects."""


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def difference(old: str, new: str) -> tuple[int, int, bytes]:
    """(bytes equal at the start, bytes equal at the end, the old bytes in between)."""
    with open(old, "rb") as a, open(new, "rb") as b:
        size_a, size_b = os.fstat(a.fileno()).st_size, os.fstat(b.fileno()).st_size
        limit = min(size_a, size_b)
        head = 0
        while head < limit:
            step = min(65536, limit - head)
            x, y = a.read(step), b.read(step)
            if x != y:
                head += next(i for i in range(step) if x[i] != y[i])
                break
            head += step
        tail = 0
        while tail < limit - head:
            step = min(65536, limit - head - tail)
            a.seek(size_a - tail - step)
            b.seek(size_b - tail - step)
            x, y = a.read(step), b.read(step)
            if x != y:
                tail += next(i for i in range(step) if x[-1 - i] != y[-1 - i])
                break
            tail += step
        a.seek(head)
        middle = a.read(size_a - head - tail)
    return head, tail, middle


def rebuild(current: str, size: int, temp: str, head: int, tail: int, middle: bytes) -> str:
    """Write head + middle + tail of `current` into `temp` (an empty file of the caller's);
    returns its sha256."""
    digest = hashlib.sha256()
    with open(current, "rb") as src, open(temp, "wb") as dst:
        copy_range(src, dst, 0, head, digest)
        digest.update(middle)
        dst.write(middle)
        copy_range(src, dst, size - tail, tail, digest)
    return digest.hexdigest()


def copy_range(src, dst, start: int, count: int, digest) -> None:
    src.seek(start)
    while count > 0:
        block = src.read(min(CHUNK, count))
        if not block:
            raise ShortFileError("the file is shorter than expected")
        digest.update(block)
        dst.write(block)
        count -= len(block)


def fsync_file(path: str) -> None:
    with open(path, "r+b") as fh:
        os.fsync(fh.fileno())


def fsync_folder(folder: str) -> None:
    """Make the rename itself durable (POSIX; Windows has no folder handles to flush)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
