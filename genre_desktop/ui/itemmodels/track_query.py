"""What the library table shows: filter and sort fields, run by LibraryReader (SQL) or
TrackSearch (the same answers from memory)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Protocol, Sequence


class RowSource(Protocol):
    """What the model needs from library.repository.LibraryReader."""

    def track_ids(self, **query: Any) -> list[int]: ...
    def rows(self, ids: Sequence[int]) -> dict[int, Any]: ...


@dataclass(frozen=True)
class TrackQuery:
    genre: str | None = None
    search: str = ""
    uncertain_only: bool = False
    include_missing: bool = False
    sort: str = "title"
    descending: bool = False
    playlist: int | None = None  # show a saved playlist, in its own order

    def reader_kwargs(self) -> dict[str, Any]:
        return {"search": self.search, **self.view_kwargs()}

    def view_kwargs(self) -> dict[str, Any]:
        """What is searched, in which order: the reader's arguments but the search."""
        return {"genre": self.genre, "uncertain_only": self.uncertain_only,
                "include_missing": self.include_missing, "sort": self.sort, "descending": self.descending}


def query_ids(source: Any, query: TrackQuery) -> list[int]:
    """Run a query against a LibraryReader or TrackSearch (any thread, given a reader of its own)."""
    if query.playlist is not None:
        return list(source.playlist_track_ids(query.playlist))
    return list(source.track_ids(**query.reader_kwargs()))


IdLoader = Callable[[TrackQuery, Callable[[list[int]], None]], None]
