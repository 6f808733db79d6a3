"""Undoable genre corrections. Each command remembers the labels its write replaced (as returned
by set_labels) and puts exactly those back on undo."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Callable, Sequence

from PySide6.QtGui import QUndoCommand

from genre_desktop.services.library_service import LibraryService


def describe(genre: str | None, count: int) -> str:
    what = f"{count} tracks" if count != 1 else "1 track"
    return f"Clear genre of {what}" if genre is None else f"Set {what} to {genre}"


class SetGenreCommand(QUndoCommand):
    def __init__(self, library: LibraryService, track_ids: Sequence[int], genre: str | None) -> None:
        super().__init__(describe(genre, len(track_ids)))
        self._library = library
        self.track_ids = list(track_ids)
        self.genre = genre
        self._write: Future | None = None

    def redo(self) -> None:
        self._write = self._library.set_labels(self.track_ids, self.genre)

    def undo(self) -> None:
        write = self._write
        if write is None:
            return
        # Runs on the writer thread after `write` (jobs run in order), so its result is ready.
        self._library.restore_labels(lambda: write.result(timeout=0), self.track_ids)


class MapGenresCommand(QUndoCommand):
    """Count tag genres as another genre (Genre mapping); undo puts back the user's earlier
    mapping of each tag (or none)."""

    def __init__(self, library: LibraryService, tags: Sequence[str], genre: str | None,
                 on_done: Callable[[object], None] | None = None) -> None:
        what = tags[0] if len(tags) == 1 else f"{len(tags)} genre tags"
        super().__init__(f"Count {what} as {genre}" if genre else f"Default mapping of {what}")
        self._library = library
        self.tags = list(tags)
        self.genre = genre
        self._on_done = on_done
        self._write: Future | None = None

    def redo(self) -> None:
        self._write = self._library.set_genre_mapping(self.tags, self.genre, on_done=self._on_done)

    def undo(self) -> None:
        write = self._write
        if write is not None:
            self._library.restore_genre_mapping(lambda: write.result(timeout=0), on_done=self._on_done)
