"""The genre, mood and style fields of each tag format, read and written with mutagen, and a
summary of every other tag so a write can prove it left them alone.

| field | ID3v2.4 | ID3v2.3 | Vorbis (FLAC/Ogg/Opus) | MP4/M4A | ASF/WMA |
|---|---|---|---|---|---|
| genre | TCON | TCON | GENRE | ©gen | WM/Genre |
| mood | TMOO | TXXX:MOOD | MOOD | ----:com.apple.iTunes:MOOD | WM/Mood |
| style | TXXX:STYLE | TXXX:STYLE | STYLE | ----:com.apple.iTunes:STYLE | (none) |

TMOO is ID3v2.4's mood frame; v2.3 has none, and TXXX:MOOD is what taggers write there and what
TagLib-based players read as MOOD. No format has a style field of its own: STYLE as a
user-defined field (TXXX:STYLE, the STYLE comment, the iTunes freeform atom) is the convention
of the Discogs-based taggers and the players that show styles; a comment would be read as free
text. ASF has no style convention, so WMA files get no style. User-defined field names are
matched without case when read (Picard once wrote TXXX:mood).

Several values are stored in the format's own multi-value form: one ID3 text frame with several
values, several comments, several atom values. ID3v2.3 has no multi-value frames, so there they
are joined with "/" (what v2.3 readers split on) unless a separator was chosen.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from typing import Any

import mutagen
from mutagen.asf import ASF
from mutagen.flac import FLAC
from mutagen.id3 import ID3, TCON, TMOO, TXXX, ID3NoHeaderError
from mutagen.id3._tags import ID3SaveConfig, save_frame
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4, AtomDataType, MP4FreeForm
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

KINDS: dict[type, str] = {
    MP3: "mp3", FLAC: "flac", OggVorbis: "vorbis", OggOpus: "opus", MP4: "mp4", ASF: "asf",
}
_OPENERS: dict[str, type] = {kind: cls for cls, kind in KINDS.items()}
V23_SEPARATOR = "/"
FIELDS = ("genre", "mood", "style")
_VORBIS_KEYS = {"genre": "GENRE", "mood": "MOOD", "style": "STYLE"}
_MP4_KEYS = {"genre": "\xa9gen", "mood": "----:com.apple.iTunes:MOOD", "style": "----:com.apple.iTunes:STYLE"}
_ASF_KEYS = {"genre": "WM/Genre", "mood": "WM/Mood"}
_ID3_TXXX = {"mood": "MOOD", "style": "STYLE"}  # the user-defined frames' descriptions
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


def has_field(kind: str, field: str) -> bool:
    """Whether files of this kind have a place for the field (WMA has no style)."""
    return kind != "asf" or field in _ASF_KEYS


def genres_of(audio: Any, kind: str) -> list[str]:
    """The genre values stored in the file (ID3v1 numbers as names), empty ones left out."""
    return field_values(audio, kind, "genre")


def field_values(audio: Any, kind: str, field: str, *, as_stored: bool = False) -> list[str]:
    """The values of one field in the file, empty ones left out; ID3 genres given as ID3v1
    numbers are read as names unless ``as_stored``."""
    tags = audio.tags
    if tags is None or not has_field(kind, field):
        return []
    if kind == "mp3":
        values = _id3_values(tags, field, as_stored)
    elif kind == "mp4":
        values = [_text(v) for key in _keys_like(tags, _MP4_KEYS[field]) for v in tags[key]]
    elif kind == "asf":
        values = [str(v) for v in tags.get(_ASF_KEYS[field], [])]
    else:
        values = list(tags.get(field, []))
    if as_stored:
        return [str(v) for v in values]
    return [v for v in (str(v).strip() for v in values) if v]


def _id3_values(tags: ID3, field: str, as_stored: bool) -> list[str]:
    if field == "genre":
        frames = tags.getall("TCON")
        return [t for f in frames for t in f.text] if as_stored else [g for f in frames for g in f.genres]
    frames = tags.getall("TMOO") if field == "mood" else []
    return [t for f in frames + _id3_txxx(tags, field) for t in f.text]


def _id3_txxx(tags: ID3, field: str) -> list:
    return [f for f in tags.getall("TXXX") if f.desc.lower() == _ID3_TXXX[field].lower()]


def _keys_like(tags, key: str) -> list[str]:
    """The keys spelling ``key`` without regard to case (freeform atom names are free text)."""
    return [k for k in tags.keys() if k.lower() == key.lower()]


def _text(value: Any) -> str:
    return bytes(value).decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def stored_values(values: list[str], kind: str, id3_version: int, separator: str | None) -> list[str]:
    """The exact values that will sit in the file for these values of one field."""
    if separator is not None and len(values) > 1:
        return [separator.join(values)]
    if kind == "mp3" and id3_version == 3 and len(values) > 1:
        return [V23_SEPARATOR.join(values)]
    return list(values)


# --- writing ----------------------------------------------------------------------------------

def write_fields(path: str, kind: str, fields: dict[str, list[str]], id3_version: int) -> dict[str, Any]:
    """Store each field's values as its only values, in place (a field not named is left as it
    is); returns the summary of every other tag as it was meant to be saved (compare it with
    the one written_state() reads back)."""
    try:
        if kind == "mp3":
            return _write_id3(path, fields, id3_version)
        audio = _OPENERS[kind](path)
        if audio.tags is None:
            audio.add_tags()
        for field, values in fields.items():
            if kind == "mp4":
                for key in _keys_like(audio.tags, _MP4_KEYS[field]):
                    if key != _MP4_KEYS[field]:  # another spelling of it: one atom is left
                        del audio.tags[key]
                audio.tags[_MP4_KEYS[field]] = values if field == "genre" else [
                    MP4FreeForm(v.encode("utf-8"), dataformat=AtomDataType.UTF8) for v in values]
            elif kind == "asf":
                audio.tags[_ASF_KEYS[field]] = values
            else:
                _set_vorbis_field(audio.tags, field, values)
        expected = _other_tags_of(audio, kind, fields)
        audio.save()
        return expected
    except TagFormatError:
        raise
    except Exception as exc:
        raise TagFormatError("its tags cannot be written" + _detail(exc)) from exc


def _set_vorbis_field(tags, field: str, values: list[str]) -> None:
    """Replace the field's comments where the first one was (at the end when there was none),
    keeping its spelling of the key, so the rest of the comment block stays as it was."""
    entries = list(tags)
    key = next((k for k, _ in entries if k.lower() == field), _VORBIS_KEYS[field])
    result, placed = [], False
    for k, v in entries:
        if k.lower() != field:
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


def _write_id3(path: str, fields: dict[str, list[str]], version: int) -> dict[str, Any]:
    tags = _load_id3(path, version)
    for field, values in fields.items():
        if field == "genre":
            tags.delall("TCON")
            tags.add(TCON(encoding=3, text=values))
            continue
        for frame in _id3_txxx(tags, field):
            del tags[frame.HashKey]
        if field == "mood":
            tags.delall("TMOO")
        if field == "mood" and version == 4:
            tags.add(TMOO(encoding=3, text=values))
        else:
            tags.add(TXXX(encoding=3, desc=_ID3_TXXX[field], text=values))
    expected = _id3_summary(tags, version, fields)
    tags.save(path, v1=1, v2_version=version, v23_sep=V23_SEPARATOR)
    return expected


# --- checking ---------------------------------------------------------------------------------

def written_state(path: str, kind: str, id3_version: int,
                  fields: Collection[str]) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """({field: its values exactly as stored} for the written fields, the summary of every other
    tag) of a written file."""
    try:
        if kind == "mp3":
            tags = ID3(path, translate=False)
            if tags.version[:2] != (2, id3_version):
                raise TagFormatError(f"the tag came out as ID3v2.{tags.version[1]}")
            audio, summary = _Tagged(tags), _id3_summary(tags, id3_version, fields)
        else:
            audio = _OPENERS[kind](path)
            summary = _other_tags_of(audio, kind, fields)
        return {f: field_values(audio, kind, f, as_stored=True) for f in fields}, summary
    except TagFormatError:
        raise
    except Exception as exc:
        raise TagFormatError("the written tags cannot be read back" + _detail(exc)) from exc


class _Tagged:
    """An ID3 tag read on its own, shaped like mutagen's file objects for field_values()."""

    def __init__(self, tags: ID3) -> None:
        self.tags = tags


def _field_of_frame(frame) -> str | None:
    if frame.FrameID == "TCON":
        return "genre"
    if frame.FrameID == "TMOO":
        return "mood"
    if frame.FrameID == "TXXX":
        return {d.lower(): f for f, d in _ID3_TXXX.items()}.get(frame.desc.lower())
    return None


def _id3_summary(tags: ID3, version: int, fields: Collection[str]) -> dict[str, Any]:
    """Every frame but those of the written fields, as the bytes it is saved as (comparable
    across a save and a reload: the same frame serialises the same way), plus the raw unknown
    frames."""
    config = ID3SaveConfig(version, V23_SEPARATOR)
    frames = {key: save_frame(frame, config=config) for key, frame in tags.items()
              if _field_of_frame(frame) not in fields}
    frames["unknown"] = sorted(tags.unknown_frames)  # kept only when the version stays (see _load_id3)
    return frames


def _other_tags_of(audio, kind: str, fields: Collection[str]) -> dict[str, Any]:
    tags = audio.tags
    if kind in ("flac", "vorbis", "opus"):
        summary: dict[str, Any] = {"comments": [(k.lower(), v) for k, v in tags if k.lower() not in fields]}
        if kind == "flac":  # pictures, cue sheets, seek tables...: every block but comments/padding
            summary["blocks"] = [
                (block.code, _digest(block.write())) for block in audio.metadata_blocks
                if block.code not in (1, 4)
            ]
        return summary
    keys = _MP4_KEYS if kind == "mp4" else _ASF_KEYS
    skip = {keys[f].lower() for f in fields if f in keys} | ({"gnre"} if kind == "mp4" and "genre" in fields else set())
    return {key: _value_summary(value) for key, value in tags.items() if key.lower() not in skip}


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
