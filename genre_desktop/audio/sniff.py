"""What a path holds, decided before any decoder sees it.

Only regular files are opened: FIFOs, devices and folders are refused from ``stat`` (opening a FIFO
would block). The decoder to try first is chosen from the file's first bytes, not its name, so a FLAC
named ``.mp3`` still goes to the right one, and text or a saved web page is refused with a plain reason.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import BinaryIO, Literal

from genre_desktop.audio.errors import DecodeError

Kind = Literal["sndfile", "ffmpeg", "text", "html"]

HEAD_BYTES = 65536
_SNDFILE_MAGIC = (b"RIFF", b"RIFX", b"RF64", b"fLaC", b"OggS", b"FORM", b".snd", b"caff")
# WavPack, ASF/WMA, Matroska/WebM, Monkey's Audio, TTA, Musepack, DSF, AMR
_FFMPEG_MAGIC = (b"wvpk", b"\x30\x26\xb2\x75", b"\x1a\x45\xdf\xa3", b"MAC ", b"TTA1", b"MPCK", b"DSD ", b"#!AM")


def open_regular(path: str | os.PathLike) -> BinaryIO:
    """``open(path, "rb")`` for a regular, non-empty file; anything else is a DecodeError saying why."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise DecodeError("file not found (broken link)" if os.path.islink(path) else "file not found") from None
    except PermissionError:
        raise DecodeError("permission denied") from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise DecodeError("symbolic link loop") from None
        raise DecodeError(f"cannot read file ({e.strerror or e})") from None
    if stat.S_ISDIR(st.st_mode):
        raise DecodeError("is a folder, not an audio file")
    if not stat.S_ISREG(st.st_mode):
        raise DecodeError("not a regular file (pipe, socket or device)")
    if st.st_size == 0:
        raise DecodeError("empty file (0 bytes)")
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise DecodeError("file not found") from None
    except PermissionError:
        raise DecodeError("permission denied") from None
    except OSError as e:
        raise DecodeError(f"cannot read file ({e.strerror or e})") from None


def audio_head(fh: BinaryIO) -> bytes:
    """The first bytes after an ID3v2 tag (the file's start when it has none), from the start."""
    fh.seek(0)
    head = fh.read(HEAD_BYTES)
    if head.startswith(b"ID3") and len(head) >= 10:
        size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]
        fh.seek(10 + size + (10 if head[5] & 0x10 else 0))
        head = fh.read(HEAD_BYTES)
    return head


def mp3_length_is_a_guess(fh: BinaryIO) -> bool:
    """Whether this is MPEG audio without a Xing/Info/VBRI header, whose length any decoder
    can only guess from the file's size (junk or zeros after the last frame make it longer)."""
    head = audio_head(fh)
    is_mpeg = len(head) >= 4 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06
    return bool(is_mpeg) and not any(t in head[:2048] for t in (b"Xing", b"Info", b"VBRI"))


def sniff_file(fh: BinaryIO) -> Kind | None:
    """The kind of content in ``fh`` (read from its current position; the caller rewinds).

    Raises DecodeError for text and web pages. None means "unrecognised": try every decoder.
    """
    head = fh.read(HEAD_BYTES)
    kind = sniff(head)
    if head.startswith(b"ID3") and len(head) >= 10:  # judge what follows the tag; it may be megabytes
        size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]
        fh.seek(10 + size + (10 if head[5] & 0x10 else 0))
        kind = sniff(fh.read(HEAD_BYTES))
        kind = "sndfile" if kind in (None, "text") else kind
    if kind in ("text", "html"):
        raise DecodeError(f"not an audio file (it looks like {'a web page' if kind == 'html' else 'text'})")
    return kind


def sniff(head: bytes) -> Kind | None:
    """'sndfile' for formats libsndfile reads, 'ffmpeg' for other audio, 'text'/'html', or None."""
    if head[:4] in _SNDFILE_MAGIC:
        return "sndfile"
    if head[4:8] == b"ftyp" or head[:4] in _FFMPEG_MAGIC or head[:2] == b"\x0b\x77":  # MP4 family, ..., AC-3
        return "ffmpeg"
    if len(head) >= 4 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:  # MPEG audio or ADTS AAC frame sync
        if not head[1] & 0x06:
            return "ffmpeg"  # layer bits 00: ADTS
        if head[2] >> 4 != 15 and (head[2] >> 2) & 3 != 3:  # valid bitrate and sample-rate indices
            # Without a Xing/Info/VBRI header libsndfile guesses the length and never reads past its
            # guess (a VBR file can lose a fifth of its audio); FFmpeg decodes to the real end.
            return "sndfile" if any(t in head[:2048] for t in (b"Xing", b"Info", b"VBRI")) else "ffmpeg"
    sample = head[:2048].lstrip()
    if sample[:1] == b"<" and b"<html" in sample.lower() or sample.lower().startswith(b"<!doctype html"):
        return "html"
    if sample and all(b in b"\t\n\r" or 32 <= b < 127 or b >= 128 for b in sample[:512]) and b"\x00" not in sample:
        return "text"
    return None
