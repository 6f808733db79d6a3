"""A digest of a file's audio alone, leaving out its tags, so a tag write can prove the music
itself is untouched.

What counts as the audio, per container:
- MP3: the bytes between the ID3v2 tag at the start and any APEv2/ID3v1 tag at the end;
- FLAC: the STREAMINFO block and every byte after the last metadata block (the frames);
- Ogg Vorbis/Opus: the packets after the header packets, re-assembled from the pages, so that
  pages renumbered after a longer comment header still compare equal;
- MP4/M4A: the payload of every top-level mdat box;
- ASF/WMA: every object after the header object (the data object and any indexes).
Reads are streamed, so a long file costs time, not memory.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterator
from typing import BinaryIO

CHUNK = 1 << 20
_ASF_HEADER_GUID = bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")
_OGG_HEADER_PACKETS = {"vorbis": 3, "opus": 2}


class PayloadError(Exception):
    """The file's structure cannot be followed; str(e) says where it broke."""


def payload_digest(path: str | os.PathLike[str], kind: str) -> str:
    """sha256 hex digest of the audio of `path`; kind is 'mp3', 'flac', 'vorbis', 'opus',
    'mp4' or 'asf'."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if kind == "mp3":
            start, end = _mp3_span(fh, size)
            _hash_range(fh, start, end, digest)
        elif kind == "flac":
            _hash_flac(fh, size, digest)
        elif kind in _OGG_HEADER_PACKETS:
            _hash_ogg(fh, _OGG_HEADER_PACKETS[kind], digest)
        elif kind == "mp4":
            for start, end in _boxes(fh, 0, size, b"mdat"):
                _hash_range(fh, start, end, digest)
        elif kind == "asf":
            _hash_asf(fh, size, digest)
        else:
            raise ValueError(f"no audio digest for {kind!r}")
    return digest.hexdigest()


def _hash_range(fh: BinaryIO, start: int, end: int, digest) -> None:
    fh.seek(start)
    left = end - start
    while left > 0:
        block = fh.read(min(CHUNK, left))
        if not block:
            raise PayloadError("the file ends early")
        digest.update(block)
        left -= len(block)


def _read_at(fh: BinaryIO, offset: int, count: int) -> bytes:
    fh.seek(offset)
    return fh.read(count)


def _id3v2_end(fh: BinaryIO, offset: int = 0) -> int:
    """Where the ID3v2 tag at `offset` ends (offset itself when there is none)."""
    header = _read_at(fh, offset, 10)
    if len(header) < 10 or header[:3] != b"ID3":
        return offset
    size = 0
    for byte in header[6:10]:  # syncsafe: 7 bits per byte
        size = (size << 7) | (byte & 0x7F)
    footer = 10 if header[5] & 0x10 else 0
    return offset + 10 + size + footer


def _mp3_span(fh: BinaryIO, size: int) -> tuple[int, int]:
    start, end = _id3v2_end(fh), size
    if end - start >= 128 and _read_at(fh, end - 128, 3) == b"TAG":
        end -= 128
    footer = _read_at(fh, end - 32, 32) if end - start >= 32 else b""
    if footer[:8] == b"APETAGEX":
        tag_size, flags = struct.unpack("<I4xI", footer[12:24])
        end -= tag_size + (32 if flags & 0x80000000 else 0)
    if end < start:
        raise PayloadError("the tags overlap")
    return start, end


def _hash_flac(fh: BinaryIO, size: int, digest) -> None:
    offset = _id3v2_end(fh)  # some taggers put an ID3 tag before the FLAC stream
    if _read_at(fh, offset, 4) != b"fLaC":
        raise PayloadError("no FLAC stream marker")
    offset += 4
    while True:
        header = _read_at(fh, offset, 4)
        if len(header) < 4:
            raise PayloadError("the metadata blocks run past the end")
        last, kind = header[0] & 0x80, header[0] & 0x7F
        length = int.from_bytes(header[1:4], "big")
        if kind == 0:  # STREAMINFO: sample rate, length and the encoder's MD5 of the audio
            _hash_range(fh, offset + 4, offset + 4 + length, digest)
        offset += 4 + length
        if last:
            break
    if offset > size:
        raise PayloadError("the metadata blocks run past the end")
    _hash_range(fh, offset, size, digest)


def _hash_ogg(fh: BinaryIO, header_packets: int, digest) -> None:
    """Packets of the first logical stream after its headers, each prefixed by its length."""
    from mutagen.ogg import OggPage, error as OggError

    fh.seek(0)
    serial = None
    seen = 0
    pieces: list[bytes] = []
    while True:
        try:
            page = OggPage(fh)
        except EOFError:
            break
        except OggError as exc:
            raise PayloadError(f"broken Ogg page: {exc}") from exc
        if serial is None:
            serial = page.serial
        if page.serial != serial:
            continue
        for i, piece in enumerate(page.packets):
            pieces.append(piece)
            if i < len(page.packets) - 1 or page.complete:  # this piece ends a packet
                if seen >= header_packets:
                    packet = b"".join(pieces)
                    digest.update(len(packet).to_bytes(8, "little"))
                    digest.update(packet)
                seen += 1
                pieces = []
    if serial is None:
        raise PayloadError("no Ogg pages")
    if pieces:
        digest.update(b"".join(pieces))  # an unfinished last packet still counts


def _boxes(fh: BinaryIO, start: int, end: int, wanted: bytes) -> Iterator[tuple[int, int]]:
    """(payload start, payload end) of each top-level MP4 box of type `wanted`."""
    offset = start
    while offset + 8 <= end:
        header = _read_at(fh, offset, 16)
        size, kind = struct.unpack(">I4s", header[:8])
        head = 8
        if size == 1:
            if len(header) < 16:
                raise PayloadError("a 64-bit box header is cut off")
            size, head = struct.unpack(">Q", header[8:16])[0], 16
        elif size == 0:
            size = end - offset
        if size < head or offset + size > end:
            raise PayloadError(f"the {kind!r} box runs past the end")
        if kind == wanted:
            yield offset + head, offset + size
        offset += size


def _hash_asf(fh: BinaryIO, size: int, digest) -> None:
    header = _read_at(fh, 0, 24)
    if len(header) < 24 or header[:16] != _ASF_HEADER_GUID:
        raise PayloadError("no ASF header object")
    header_size = struct.unpack("<Q", header[16:24])[0]
    if header_size > size:
        raise PayloadError("the ASF header runs past the end")
    _hash_range(fh, header_size, size, digest)
