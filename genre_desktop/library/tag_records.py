"""Plain records of a tag write: its options, one planned change, a batch's outcome."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class WriteOptions:
    only_corrections: bool = False
    min_confidence: float | None = None  # None: the library's effective uncertainty threshold
    replace_existing: bool = False
    id3_version: int = 4  # 4 or 3
    separator: str | None = None  # None: the format's native multi-value form
    sound_tags: bool = False  # also the shown Sounds-like mood and style tags

    def __post_init__(self) -> None:
        if self.id3_version not in (3, 4):
            raise ValueError(f"id3_version must be 3 or 4, not {self.id3_version!r}")
        if self.separator == "":
            raise ValueError("the separator must not be empty (None: several values)")


@dataclass(frozen=True)
class TagChange:
    track_id: int
    path: str
    current: str | None  # the file's genre now ("; " between several), None when it has none
    new: str
    source: str  # 'you' | 'model' | 'personal model'
    confidence: float | None
    writes_genre: bool = True  # False: the file already says `new`; only its mood or style changes
    moods: tuple[str, ...] = ()  # written as the file's mood (empty: its mood is left as it is)
    styles: tuple[str, ...] = ()  # written as the file's style (likewise)
    current_moods: tuple[str, ...] = ()  # the file's mood and style now (read when sound tags are written)
    current_styles: tuple[str, ...] = ()


@dataclass
class PlanReport:
    changes: list[TagChange] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    unchanged: int = 0  # files that already have their genre (and mood and style)
    # What the files that keep a genre of their own would get; each is also in skipped.
    kept: list[TagChange] = field(default_factory=list)


@dataclass
class BatchResult:
    batch_id: int | None
    written: list[str]  # paths written (restored, for an undo)
    failed: list[tuple[str, str]]  # (path, reason); the file was left as it was
    skipped: list[tuple[str, str]]  # (path, reason); nothing was done
    cancelled: bool


@dataclass(frozen=True)
class BatchSummary:
    id: int
    created_at: float
    files: int  # files the batch wrote that are not undone yet
    undone: bool
