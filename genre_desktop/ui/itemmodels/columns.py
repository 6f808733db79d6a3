"""The library table's columns: header, SQL sort key, and how a TrackRow shows in each."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Callable


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def display_title(row: Any) -> str:
    return row.title or PurePath(row.path).stem


def display_genre(row: Any) -> str:
    if not row.genre:
        return ""
    return f"{row.genre} ?" if row.uncertain else row.genre


# How each genre_source reads in the table: "your model" is the one trained on your corrections.
SOURCE_LABELS: dict[str, str] = {
    "you": "you",
    "model": "model",
    "personal model": "your model",
    "file tag": "file tag",
}


def display_source(row: Any) -> str:
    source = row.genre_source or ""
    return SOURCE_LABELS.get(source, source)


def display_confidence(row: Any) -> str:
    if row.genre_source == "you" or row.confidence is None:
        return ""
    return f"{row.confidence:.0%}"


@dataclass(frozen=True)
class Column:
    key: str  # LibraryReader.track_ids sort key
    header: str
    display: Callable[[Any], str]
    raw: Callable[[Any], Any]  # the sort role: a raw, comparable value
    width: int


COLUMNS: tuple[Column, ...] = (
    Column("title", "Title", display_title, lambda r: (r.title or "").lower(), 210),
    Column("artist", "Artist", lambda r: r.artist or "", lambda r: (r.artist or "").lower(), 130),
    Column("album", "Album", lambda r: r.album or "", lambda r: (r.album or "").lower(), 130),
    Column("duration", "Length", lambda r: format_duration(r.duration), lambda r: r.duration or 0.0, 56),
    Column("genre", "Genre", display_genre, lambda r: (r.genre or "").lower(), 110),
    Column("confidence", "Confidence", display_confidence, lambda r: r.confidence or 0.0, 100),
    Column("source", "Source", display_source, lambda r: r.genre_source or "", 80),
    Column("tag_genre", "Genre tag", lambda r: r.tag_genre or "", lambda r: (r.tag_genre or "").lower(), 76),
    Column("sounds_like", "Sounds like", lambda r: r.sounds_like, lambda r: r.sounds_like, 170),
)
COLUMN_INDEX: dict[str, int] = {c.key: i for i, c in enumerate(COLUMNS)}
