"""Plain records the library hands out to the rest of the app."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from genre_desktop.core.types import WindowPrediction
from genre_desktop.library.db import printable

if TYPE_CHECKING:
    from genre_desktop.audio.tags import Tags

# Where a track's effective genre comes from, strongest first.
SOURCE_USER = "you"
SOURCE_MODEL = "model"
SOURCE_PERSONAL = "personal model"  # the user's personal model decided (library/personalize.py)
SOURCE_TAG = "file tag"
UNCERTAIN = "Uncertain"  # the pseudo-genre genre_counts() uses for unsure predictions


@dataclass(frozen=True)
class TrackRow:
    id: int
    path: str  # may hold surrogate escapes for non-UTF-8 names: use display_path for widgets
    title: str | None  # the title tag, or the file name without extension when untagged
    artist: str | None
    album: str | None
    duration: float | None
    genre: str | None  # effective genre (label > confident model > file tag > unsure model)
    genre_source: str | None  # 'you' | 'model' | 'personal model' | 'file tag' | None (not analysed yet)
    confidence: float | None  # the model's confidence; None when the user labelled the track
    tag_genre: str | None
    status: str  # 'ok' | 'missing'
    uncertain: bool
    year: int | None = None
    sounds_like: str = ""  # the strongest Sounds-like tags, e.g. "chill, mellow, 80s"

    @property
    def display_path(self) -> str:
        return printable(self.path)


@dataclass(frozen=True)
class LabelEntry:
    genre: str | None  # None: the correction was cleared
    source: str
    created_at: float


@dataclass(frozen=True)
class TrackDetail:
    row: TrackRow
    probabilities: dict[str, float]  # empty until a model has classified the track
    windows: list[WindowPrediction]
    model_version: str | None
    labels: list[LabelEntry]  # oldest first
    size: int
    codec: str | None
    samplerate: int | None
    channels: int | None
    fingerprint: str | None

    @property
    def path(self) -> str:
        return self.row.path

    @property
    def tags(self) -> "Tags":
        from genre_desktop.audio.tags import Tags

        return Tags(
            title=self.row.title, artist=self.row.artist, album=self.row.album,
            year=self.row.year, genre=self.row.tag_genre,
        )


@dataclass(frozen=True)
class Problem:
    path: str
    reason: str
    seen_at: float

    @property
    def display_path(self) -> str:
        return printable(self.path)


@dataclass(frozen=True)
class PlaylistInfo:
    id: int
    name: str
    rules: dict[str, Any] = field(default_factory=dict)
    track_count: int = 0
