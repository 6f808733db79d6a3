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


TAG_MARKER = "(tag)"  # the genre shown is the file's own tag, not the model's guess


def display_genre(row: Any) -> str:
    """The genre with a marker that says whose it is: "rock (tag)" when the file's tag stands in
    for an unsure model, "jazz ?" for the model's unsure guess."""
    if not row.genre:
        return ""
    if row.genre_source == "file tag":
        return f"{row.genre} {TAG_MARKER}"
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
    """The model's confidence in the genre shown; never a number when the genre shown is a file
    tag (that number would belong to the model's own guess, another genre: see the tooltip)."""
    if row.genre_source == "file tag":
        return "model unsure"
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
    least: int = 0  # narrowest it gets in a narrow window (0: as wide as its header text)


COLUMNS: tuple[Column, ...] = (
    Column("title", "Title", display_title, lambda r: (r.title or "").lower(), 210, least=140),
    Column("artist", "Artist", lambda r: r.artist or "", lambda r: (r.artist or "").lower(), 130, least=84),
    Column("album", "Album", lambda r: r.album or "", lambda r: (r.album or "").lower(), 130),
    Column("duration", "Length", lambda r: format_duration(r.duration), lambda r: r.duration or 0.0, 56),
    Column("genre", "Genre", display_genre, lambda r: (r.genre or "").lower(), 120, least=104),
    Column("confidence", "Confidence", display_confidence, lambda r: r.confidence or 0.0, 100, least=96),
    Column("source", "Source", display_source, lambda r: r.genre_source or "", 80),
    Column("sounds_like", "Sounds like", lambda r: r.sounds_like, lambda r: r.sounds_like, 170, least=170),
    Column("tag_genre", "Tag", lambda r: r.tag_genre or "", lambda r: (r.tag_genre or "").lower(), 90),
)
COLUMN_INDEX: dict[str, int] = {c.key: i for i, c in enumerate(COLUMNS)}
