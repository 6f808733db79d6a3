"""The audio digest ignores tags, however much they grow, and changes when one audio byte does."""

from __future__ import annotations

import io

import mutagen
import pytest
from mutagen.ogg import OggPage

from genre_desktop.audio.audio_payload import payload_digest
from genre_desktop.audio.tag_formats import detect_kind
from tests.tagging.conftest import FORMATS, copy_file

BIG = "x" * 20000  # grows any tag past its padding: MP4 boxes move, Ogg pages are renumbered
_ASF_DATA_GUID = bytes.fromhex("3626b2758e66cf11a6d900aa0062ce6c")


def _grow_tags(path) -> None:
    audio = mutagen.File(path)
    if type(audio).__name__ == "MP3":
        from mutagen.id3 import TXXX
        audio.tags.add(TXXX(encoding=3, desc="BIG", text=[BIG]))
    elif type(audio).__name__ == "MP4":
        audio.tags["\xa9cmt"] = [BIG]
    elif type(audio).__name__ == "ASF":
        audio.tags["Description"] = [BIG]
    else:
        audio.tags["DESCRIPTION"] = BIG
    audio.save()


def _an_audio_byte(data: bytes, fmt: str) -> int:
    """An offset inside the audio itself (not a container header), found without the code under test."""
    if fmt in ("ogg", "opus"):
        fh, starts = io.BytesIO(data), []
        while True:
            start = fh.tell()
            try:
                page = OggPage(fh)
            except EOFError:
                break
            starts.append((start, fh.tell() - sum(map(len, page.packets))))
        _, body = starts[-2]  # a page of audio packets (the first pages hold the grown comments)
        return body + 5
    if fmt == "m4a":
        return data.index(b"mdat") + 500
    if fmt == "wma":
        return data.index(_ASF_DATA_GUID) + 2000
    return len(data) - 700  # FLAC frames, MP3 frames: the tags sit at the start


@pytest.mark.parametrize("fmt", FORMATS)
def test_digest_ignores_tags_and_sees_one_changed_audio_byte(fmt, originals, tmp_path):
    path = copy_file(originals[fmt], tmp_path)
    kind = detect_kind(str(path))
    digest = payload_digest(path, kind)
    before = path.read_bytes()

    _grow_tags(path)
    assert path.read_bytes() != before and len(path.read_bytes()) > len(before) + 19000
    assert payload_digest(path, kind) == digest

    data = bytearray(path.read_bytes())
    data[_an_audio_byte(bytes(data), fmt)] ^= 0x5A
    path.write_bytes(bytes(data))
    assert payload_digest(path, kind) != digest


def test_mp3_digest_leaves_out_id3v1_and_apev2_tags(originals, tmp_path):
    path = copy_file(originals["mp3"], tmp_path)
    digest = payload_digest(path, "mp3")
    ape_items = b"\x05\x00\x00\x00\x00\x00\x00\x00Title\x00hello"
    ape_footer = b"APETAGEX" + (2000).to_bytes(4, "little") + (len(ape_items) + 32).to_bytes(4, "little") \
        + (1).to_bytes(4, "little") + (0).to_bytes(4, "little") + bytes(8)
    id3v1 = b"TAG" + b"Title".ljust(30, b"\0") + bytes(94) + bytes([17])
    with open(path, "ab") as fh:
        fh.write(ape_items + ape_footer + id3v1)
    assert payload_digest(path, "mp3") == digest
