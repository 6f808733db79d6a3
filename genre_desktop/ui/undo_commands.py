"""Undoable genre corrections. Each command remembers the labels its write replaced (as returned
by set_labels) and puts exactly those back on undo."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Sequence

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
