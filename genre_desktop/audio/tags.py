"""Read a track's title, artist, album, year and genre from its tags with mutagen.

Tags are a convenience, never a reason to reject a track: anything unreadable gives empty ``Tags``
and a logged warning, and nothing here raises.
"""

from __future__ import annotations

import io
import logging
import os
import re
import stat
from dataclasses import dataclass

import mutagen
from mutagen._constants import GENRES as ID3_GENRES

log = logging.getLogger(__name__)

# Key spellings per tag family: mutagen's "easy" keys first, then raw ID3 (WAV/AIFF), MP4 and ASF names.
_KEYS = {
    "title": ("title", "TIT2", "\xa9nam", "Title"),
    "artist": ("artist", "TPE1", "\xa9ART", "Author", "albumartist", "TPE2", "aART"),
    "album": ("album", "TALB", "\xa9alb", "WM/AlbumTitle"),
    "year": ("date", "year", "originaldate", "TDRC", "TYER", "TDOR", "\xa9day", "WM/Year"),
    "genre": ("genre", "TCON", "\xa9gen", "WM/Genre"),
}
# "(17)", "17", "(17)Rock" -> the ID3v1 genre number; "(RX)"/"(CR)" are ID3's Remix/Cover.
_NUMERIC_GENRE = re.compile(r"^\s*\(?(\d{1,3})\)?\s*(.*)$")
_SPECIAL_GENRES = {"(RX)": "Remix", "(CR)": "Cover"}
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


@dataclass(frozen=True)
class Tags:
    title: str | None = None
    artist: str | None = None
    album: str | None = None
    year: int | None = None
    genre: str | None = None


def read_tags(path) -> Tags:
    """The file's tags; empty ``Tags`` when it has none or they cannot be read."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # never open a FIFO (it blocks) or a folder
            return Tags()
    except OSError as e:
        log.debug("no tags for %r: %s", os.fspath(path), e)
        return Tags()
    try:
        tags = _load(path)
        if not tags:
            return Tags()
        return Tags(
            title=_first(tags, "title"),
            artist=_first(tags, "artist"),
            album=_first(tags, "album"),
            year=_year(_first(tags, "year")),
            genre=_genre(_first(tags, "genre")),
        )
    except Exception as e:  # mutagen raises many types on damaged tags; a bad tag must not stop a scan
        log.warning("could not read tags of %r: %s", os.fspath(path), e)
        return Tags()


def _load(path):
    """mutagen's tag object, trusting the file name first and the content alone when that fails
    (a FLAC named .mp3 has FLAC tags)."""
    try:
        audio = mutagen.File(path, easy=True)
        if audio is not None:
            return audio.tags
    except Exception as e:
        log.debug("tags by name failed for %r: %s", os.fspath(path), e)
    # An unnamed file object (its name is the descriptor) makes mutagen judge by content only.
    with io.BufferedReader(io.FileIO(os.open(path, os.O_RDONLY), closefd=True)) as fh:
        audio = mutagen.File(fh, easy=True)
    return None if audio is None else audio.tags


def _first(tags, field: str) -> str | None:
    """The first non-empty value stored under any spelling of ``field``."""
    for key in _KEYS[field]:
        try:
            value = tags.get(key)
        except (KeyError, ValueError):
            continue
        for text in _texts(value):
            text = text.replace("\x00", "").strip()
            if text:
                return text
    return None


def _texts(value) -> list[str]:
    """Plain strings from a mutagen value: a list, an ID3 frame (.text), an ASF value (.value), ..."""
    if value is None:
        return []
    if hasattr(value, "text") and not isinstance(value, str):
        value = value.text
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _texts(v)]
    value = getattr(value, "value", value)
    return [str(value)]


def _year(text: str | None) -> int | None:
    match = _YEAR.search(text or "")
    return int(match.group(1)) if match and int(match.group(1)) > 0 else None


def _genre(text: str | None) -> str | None:
    """Genre text with ID3v1 numbers ("(17)", "17") replaced by their names."""
    if text is None:
        return None
    if text.upper() in _SPECIAL_GENRES:
        return _SPECIAL_GENRES[text.upper()]
    match = _NUMERIC_GENRE.match(text)
    if match and (text.startswith("(") or text.strip().isdigit()):
        number, rest = int(match.group(1)), match.group(2).strip()
        if rest:
            return rest  # "(17)Rock": the refinement is the readable part
        return ID3_GENRES[number] if number < len(ID3_GENRES) else None
    return None if text.lower() == "unknown" else text  # mutagen's name for out-of-range ID3 numbers
