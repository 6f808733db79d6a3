"""The genre field of each tag format, read and written with mutagen, and a summary of every
other tag so a write can prove it left them alone.

Formats: MP3 (ID3v2.4, or v2.3 on request), FLAC, Ogg Vorbis and Opus (Vorbis comments GENRE),
MP4/M4A (the ©gen atom) and ASF/WMA (WM/Genre). Several genres are stored in the format's own
multi-value form: one ID3 text frame with several values, several GENRE comments, several ©gen
values. ID3v2.3 has no multi-value frames, so there they are joined with "/" (what v2.3 readers
split on) unless a separator was chosen.
"""

from __future__ import annotations

import hashlib
from typing import Any

import mutagen
from mutagen.asf import ASF
from mutagen.flac import FLAC
from mutagen.id3 import ID3, TCON, ID3NoHeaderError
from mutagen.id3._tags import ID3SaveConfig, save_frame
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

KINDS: dict[type, str] = {
    MP3: "mp3", FLAC: "flac", OggVorbis: "vorbis", OggOpus: "opus", MP4: "mp4", ASF: "asf",
}
_OPENERS: dict[str, type] = {kind: cls for cls, kind in KINDS.items()}
V23_SEPARATOR = "/"
# ID3v2.4 frames that update_to_v23() deletes; the ones it converts map to their v2.3 frame.
# A frame whose conversion produced nothing (or that has no v2.3 twin, like the sort-order
# frames TSOP/TSOA/TSOT that iTunes writes into v2.3 tags anyway) is kept as it is.
_V24_ONLY = {
    "TDRC": "TYER", "TDOR": "TORY", "TIPL": "IPLS", "TMCL": "IPLS", "ASPI": None, "EQU2": None,
    "RVA2": None, "SEEK": None, "SIGN": None, "TDEN": None, "TDRL": None, "TDTG": None,
    "TMOO": None, "TPRO": None, "TSOA": None, "TSOP": None, "TSOT": None, "TSST": None,
}


class TagFormatError(Exception):
    """The file's tags cannot be read or written; str(e) is a reason a user can read."""


def open_audio(path: str) -> tuple[str, Any]:
    """(kind, mutagen's file object): kind is 'mp3' | 'flac' | 'vorbis' | 'opus' | 'mp4' |
    'asf', judged by content as mutagen does."""
    try:
        audio = mutagen.File(path)
    except Exception as exc:  # mutagen raises many types on damaged files
        raise TagFormatError("its tags cannot be read" + _detail(exc)) from exc
    if audio is None:
        raise TagFormatError("it is not a file format Genre Desktop can write tags into")
    kind = KINDS.get(type(audio))
    if kind is None:
        name = type(audio).__name__.replace("Ogg", "Ogg ")
        raise TagFormatError(f"writing genre tags into {name} files is not supported")
    return kind, audio


def detect_kind(path: str) -> str:
    return open_audio(path)[0]


def genres_of(audio: Any, kind: str) -> list[str]:
    """The genre values stored in the file (ID3v1 numbers as names), empty ones left out."""
    tags = audio.tags
    if tags is None:
        return []
    if kind == "mp3":
        values = [g for frame in tags.getall("TCON") for g in frame.genres]
    elif kind == "mp4":
        values = list(tags.get("\xa9gen", []))
    elif kind == "asf":
        values = [str(v) for v in tags.get("WM/Genre", [])]
    else:
        values = list(tags.get("genre", []))
    return [v for v in (str(v).strip() for v in values) if v]


def stored_values(values: list[str], kind: str, id3_version: int, separator: str | None) -> list[str]:
    """The exact values that will sit in the file for these genres."""
    if separator is not None and len(values) > 1:
        return [separator.join(values)]
    if kind == "mp3" and id3_version == 3 and len(values) > 1:
        return [V23_SEPARATOR.join(values)]
    return list(values)


# --- writing ----------------------------------------------------------------------------------

def write_genres(path: str, kind: str, values: list[str], id3_version: int) -> dict[str, Any]:
    """Store `values` as the file's only genre, in place; returns the summary of every other
    tag as it was meant to be saved (compare it with other_tags() of the result)."""
    try:
        if kind == "mp3":
            return _write_id3(path, values, id3_version)
        audio = _OPENERS[kind](path)
        if audio.tags is None:
            audio.add_tags()
        if kind == "mp4":
            audio.tags["\xa9gen"] = values
        elif kind == "asf":
            audio.tags["WM/Genre"] = values
        else:
            _set_vorbis_genre(audio.tags, values)
        expected = _other_tags_of(audio, kind)
        audio.save()
        return expected
    except TagFormatError:
        raise
    except Exception as exc:
        raise TagFormatError("its tags cannot be written" + _detail(exc)) from exc


def _set_vorbis_genre(tags, values: list[str]) -> None:
    """Replace the GENRE comments where the first one was (at the end when there was none),
    keeping its spelling of the key, so the rest of the comment block stays as it was."""
    entries = list(tags)
    key = next((k for k, _ in entries if k.lower() == "genre"), "GENRE")
    result, placed = [], False
    for k, v in entries:
        if k.lower() != "genre":
            result.append((k, v))
        elif not placed:
            result.extend((key, value) for value in values)
            placed = True
    if not placed:
        result.extend((key, value) for value in values)
    tags[:] = result


def _load_id3(path: str, version: int) -> ID3:
    """The file's ID3 tag ready to save as `version`: untranslated when it already is that
    version (every frame stays exactly as stored), else converted."""
    try:
        stored = ID3(path, translate=False)
    except ID3NoHeaderError:
        return ID3()
    if stored.version[:2] == (2, version):
        return stored
    if stored.unknown_frames:
        raise TagFormatError(
            f"its ID3v2.{stored.version[1]} tag holds frames that cannot be converted to "
            f"ID3v2.{version} without losing them; write it as ID3v2.{stored.version[1]} instead"
        )
    tags = ID3(path)  # translated to v2.4
    if version == 3:
        _to_v23(tags)
    return tags


def _to_v23(tags: ID3) -> None:
    before = {key: tags.getall(key) for key in _V24_ONLY}
    tags.update_to_v23()
    for key, frames in before.items():
        target = _V24_ONLY[key]
        if frames and (target is None or not tags.getall(target)):
            for frame in frames:
                tags.add(frame)


def _write_id3(path: str, values: list[str], version: int) -> dict[str, Any]:
    tags = _load_id3(path, version)
    tags.delall("TCON")
    tags.add(TCON(encoding=3, text=values))
    expected = _id3_summary(tags, version)
    tags.save(path, v1=1, v2_version=version, v23_sep=V23_SEPARATOR)
    return expected


# --- checking ---------------------------------------------------------------------------------

def written_state(path: str, kind: str, id3_version: int) -> tuple[list[str], dict[str, Any]]:
    """(the genre values exactly as stored, the summary of every other tag) of a written file."""
    try:
        if kind == "mp3":
            tags = ID3(path, translate=False)
            if tags.version[:2] != (2, id3_version):
                raise TagFormatError(f"the tag came out as ID3v2.{tags.version[1]}")
            genres = [t for frame in tags.getall("TCON") for t in frame.text]
            return genres, _id3_summary(tags, id3_version)
        audio = _OPENERS[kind](path)
        tags = audio.tags
        if kind == "mp4":
            genres = list(tags.get("\xa9gen", []))
        elif kind == "asf":
            genres = [str(v) for v in tags.get("WM/Genre", [])]
        else:
            genres = list(tags.get("genre", []))
        return genres, _other_tags_of(audio, kind)
    except TagFormatError:
        raise
    except Exception as exc:
        raise TagFormatError("the written tags cannot be read back" + _detail(exc)) from exc


def _id3_summary(tags: ID3, version: int) -> dict[str, Any]:
    """Every frame but the genre, as the bytes it is saved as (comparable across a save and a
    reload: the same frame serialises the same way), plus the raw unknown frames."""
    config = ID3SaveConfig(version, V23_SEPARATOR)
    frames = {key: save_frame(frame, config=config) for key, frame in tags.items() if frame.FrameID != "TCON"}
    frames["unknown"] = sorted(tags.unknown_frames)  # kept only when the version stays (see _load_id3)
    return frames


def _other_tags_of(audio, kind: str) -> dict[str, Any]:
    tags = audio.tags
    if kind in ("flac", "vorbis", "opus"):
        summary: dict[str, Any] = {"comments": [(k.lower(), v) for k, v in tags if k.lower() != "genre"]}
        if kind == "flac":  # pictures, cue sheets, seek tables...: every block but comments/padding
            summary["blocks"] = [
                (block.code, _digest(block.write())) for block in audio.metadata_blocks
                if block.code not in (1, 4)
            ]
        return summary
    skip = {"\xa9gen", "gnre"} if kind == "mp4" else {"WM/Genre"}
    return {key: _value_summary(value) for key, value in tags.items() if key not in skip}


def _value_summary(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_value_summary(v) for v in value]
    inner = getattr(value, "value", value)  # ASF attributes wrap their value
    if isinstance(inner, (bytes, bytearray)):
        return (type(value).__name__, getattr(value, "imageformat", None), _digest(bytes(inner)))
    return (type(value).__name__, repr(inner))


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _detail(exc: Exception) -> str:
    """' (what mutagen said)', or nothing when it said nothing."""
    text = str(exc).strip()
    return f" ({text})" if text else ""
