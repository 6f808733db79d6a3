"""Sounds like and More like this for the GUI: every read runs in the background.

The similarity index lives here for the whole session; each query first syncs it with the
library (only tracks scanned since the last query are read), so tracks a scan adds are found
without rebuilding anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject

from genre_desktop.library.records import TrackRow
from genre_desktop.library.repository import LibraryReader
from genre_desktop.library.sounds_like import SimilarTracks, refresh_sound_tags, shown_tags_of
from genre_desktop.services.library_service import LibraryService
from genre_desktop.services.tasks import Task


@dataclass(frozen=True)
class SimilarTrack:
    row: TrackRow
    distance: float

    # what playlist export reads
    @property
    def path(self) -> str:
        return self.row.path

    @property
    def title(self) -> str | None:
        return self.row.title

    @property
    def artist(self) -> str | None:
        return self.row.artist

    @property
    def album(self) -> str | None:
        return self.row.album

    @property
    def duration(self) -> float | None:
        return self.row.duration


class SimilarService(QObject):
    def __init__(self, library: LibraryService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.tracks = SimilarTracks()

    def refresh_stored_tags(self) -> None:
        """Fill the stored tags (search, column) of tracks analysed before they existed or with
        other thresholds; the table re-reads only when something was redone."""
        self.library.submit(refresh_sound_tags, name="sounds like tags",
                            on_done=lambda redone: redone and self.library.libraryChanged.emit())

    def load_tags(self, track_id: int, on_result: Callable, on_error: Callable | None = None) -> Task:
        """on_result(list of ShownTag, or None when the track has no tagger analysis yet)."""
        return self.library.read_in_background(lambda reader: shown_tags_of(reader.conn, track_id),
                                               name="sounds like", on_result=on_result, on_error=on_error)

    def find(self, track_ids: Sequence[int], limit: int, *, same_genre: bool, per_artist: int | None,
             on_result: Callable, on_error: Callable | None = None) -> Task:
        """on_result(list of SimilarTrack, nearest first); on_error(NotAnalysedError, ...)."""
        ids = list(track_ids)

        def job(reader: LibraryReader) -> list[SimilarTrack]:
            self.tracks.sync(reader.conn)
            found = self.tracks.similar(ids, limit, same_genre=same_genre, per_artist=per_artist)
            rows = reader.rows([n.track_id for n in found])
            return [SimilarTrack(rows[n.track_id], n.distance) for n in found if n.track_id in rows]

        return self.library.read_in_background(job, name="more like this", on_result=on_result,
                                               on_error=on_error)
