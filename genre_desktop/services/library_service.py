"""The library seen from the GUI: a read connection for the views, and every write sent
through the one LibraryWriter, with completion coming back as signals.

Reads here are small indexed queries (an id list, a page of rows, one track's detail) and run on
the GUI thread on their own connection; WAL means they never wait for the writer. Writes never
run on the GUI thread.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from genre_desktop.library import genre_map, playlist_store, problem_actions, repository
from genre_desktop.library.db import connect
from genre_desktop.library.repository import LibraryReader
from genre_desktop.library.track_search import TrackSearch
from genre_desktop.library.writer import LibraryWriter
from genre_desktop.services.tasks import Task, TaskRunner

log = logging.getLogger(__name__)

T = TypeVar("T")


def restore_labels(conn: sqlite3.Connection, previous: dict[int, str | None]) -> None:
    """Put back the labels set_labels reported as previous (one call per distinct value)."""
    groups: dict[str | None, list[int]] = {}
    for track_id, genre in previous.items():
        groups.setdefault(genre, []).append(track_id)
    for genre, ids in groups.items():
        repository.set_labels(conn, ids, genre)


class LibraryService(QObject):
    tracksChanged = Signal(list)  # ids whose genre/labels changed (rows stay, content changes)
    libraryChanged = Signal()  # membership or many rows changed: re-query everything
    playlistsChanged = Signal()
    problemsChanged = Signal()
    foldersChanged = Signal()
    writeFailed = Signal(str)

    def __init__(self, db_path: Path, writer: LibraryWriter, tasks: TaskRunner,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.writer = writer
        self.tasks = tasks
        self._conn = connect(self.db_path, readonly=True)
        self.reader = LibraryReader(self._conn)
        self.search = TrackSearch(self.db_path)  # the table's id lists, searched in memory
        self._warming = False
        self.pending_writes = 0  # submitted, and their signals not yet delivered

    # -- reads --------------------------------------------------------------------------------
    def open_reader(self) -> LibraryReader:
        """A reader on a fresh connection, for use on another thread (close reader.conn after)."""
        return LibraryReader(connect(self.db_path, readonly=True), self.reader.threshold)

    def read_in_background(self, fn: Callable[[LibraryReader], T], *, name: str = "read",
                           on_result=None, on_error=None) -> Task:
        """Run fn(reader) on a worker thread with its own connection (slow reads)."""
        db_path = self.db_path

        def job() -> T:
            conn = connect(db_path, readonly=True)
            try:
                return fn(LibraryReader(conn))
            finally:
                conn.close()

        return self.tasks.run(job, name=name, on_result=on_result, on_error=on_error)

    def search_in_background(self, fn: Callable[[TrackSearch], T], *, name: str = "search",
                             on_result=None, on_error=None) -> Task:
        """Run fn(self.search) on a worker thread (the table's id list for a query)."""
        return self.tasks.run(lambda: fn(self.search), name=name, on_result=on_result, on_error=on_error)

    def warm_search(self, view: dict[str, Any]) -> None:
        """Load what searches in this view (TrackSearch.warm's arguments) need, on a worker
        thread, while the user is still typing."""
        if self._warming:
            return
        self._warming = True
        task = self.tasks.run(lambda: self.search.warm(**view), name="load search")
        task.ended.connect(lambda: setattr(self, "_warming", False))

    # -- writes -------------------------------------------------------------------------------
    def submit(self, fn: Callable[[sqlite3.Connection], T], *, name: str,
               on_done: Callable[[T], Any] | None = None, changed_ids: Sequence[int] | None = None,
               library: bool = False, playlists: bool = False,
               folders: bool = False, problems: bool = False) -> Future:
        """Queue fn(conn) on the writer; announce what changed once it committed."""
        future = self.writer.submit(fn)
        self.pending_writes += 1
        ids = list(changed_ids or [])

        def succeeded(result: Any) -> None:
            try:
                if ids:
                    self.tracksChanged.emit(ids)
                if library:
                    self.libraryChanged.emit()
                if playlists:
                    self.playlistsChanged.emit()
                if folders:
                    self.foldersChanged.emit()
                if problems:
                    self.problemsChanged.emit()
                if on_done is not None:
                    on_done(result)
            finally:
                self.pending_writes -= 1

        def failed(error: object) -> None:
            self.pending_writes -= 1
            log.error("Library write %s failed: %s", name, error)
            self.writeFailed.emit(f"Could not save the change ({name}): {error}")

        task = self.tasks.watch(future, name=name, on_result=succeeded, on_error=failed)
        task.cancelled.connect(lambda: failed("cancelled"))
        return future

    def set_labels(self, track_ids: Sequence[int], genre: str | None, **kw: Any) -> Future:
        """Future of {track_id: previous label} (what an undo restores)."""
        ids = list(track_ids)
        return self.submit(lambda conn: repository.set_labels(conn, ids, genre), name="set genre",
                           changed_ids=ids, **kw)

    def restore_labels(self, previous_of: Callable[[], dict[int, str | None]],
                       track_ids: Sequence[int], **kw: Any) -> Future:
        """Undo a set_labels. previous_of runs on the writer thread, after the write it undoes
        (the writer runs jobs in order), so it may read that write's Future."""
        return self.submit(lambda conn: restore_labels(conn, previous_of()), name="undo genre",
                           changed_ids=list(track_ids), **kw)

    def add_folders(self, paths: Sequence[str], **kw: Any) -> Future:
        folders = [str(p) for p in paths]

        def add(conn: sqlite3.Connection) -> None:
            for folder in folders:
                repository.add_folder(conn, folder)

        return self.submit(add, name="add folder", folders=True, **kw)

    def remove_folder(self, path: str, **kw: Any) -> Future:
        return self.submit(lambda conn: repository.remove_folder(conn, path), name="remove folder",
                           folders=True, library=True, **kw)

    def save_playlist(self, name: str, rules: dict, track_ids: Sequence[int], **kw: Any) -> Future:
        ids = list(track_ids)
        return self.submit(lambda conn: repository.save_playlist(conn, name, rules, ids),
                           name="save playlist", playlists=True, **kw)

    def rename_playlist(self, playlist_id: int, name: str, **kw: Any) -> Future:
        return self.submit(lambda conn: playlist_store.rename_playlist(conn, playlist_id, name),
                           name="rename playlist", playlists=True, **kw)

    def update_playlist(self, playlist_id: int, name: str, rules: dict, track_ids: Sequence[int],
                        **kw: Any) -> Future:
        ids = list(track_ids)
        return self.submit(lambda conn: playlist_store.update_playlist(conn, playlist_id, name, rules, ids),
                           name="save playlist", playlists=True, **kw)

    def duplicate_playlist(self, playlist_id: int, **kw: Any) -> Future:
        return self.submit(lambda conn: playlist_store.duplicate_playlist(conn, playlist_id),
                           name="duplicate playlist", playlists=True, **kw)

    def set_playlist_tracks(self, playlist_id: int, track_ids: Sequence[int], **kw: Any) -> Future:
        ids = list(track_ids)
        return self.submit(lambda conn: playlist_store.set_playlist_tracks(conn, playlist_id, ids),
                           name="update playlist", playlists=True, **kw)

    def delete_playlist(self, playlist_id: int, **kw: Any) -> Future:
        return self.submit(lambda conn: repository.delete_playlist(conn, playlist_id),
                           name="delete playlist", playlists=True, **kw)

    def set_genre_mapping(self, tags: Sequence[str], genre: str | None, **kw: Any) -> Future:
        """Count these tag genres as `genre` (None: the default mapping); every view re-reads."""
        wanted = list(tags)
        return self.submit(lambda conn: genre_map.set_mapping(conn, wanted, genre),
                           name="genre mapping", library=True, **kw)

    def retry_problems(self, paths: Sequence[str], **kw: Any) -> Future:
        wanted = list(paths)
        return self.submit(lambda conn: problem_actions.retry_problems(conn, wanted),
                           name="retry files", problems=True, **kw)

    def ignore_problems(self, paths: Sequence[str] | None, ignored: bool = True, **kw: Any) -> Future:
        wanted = None if paths is None else list(paths)
        return self.submit(lambda conn: problem_actions.set_problems_ignored(conn, wanted, ignored),
                           name="ignore files", problems=True, **kw)

    def restore_genre_mapping(self, previous_of: Callable[[], dict[str, str | None]], **kw: Any) -> Future:
        """Undo a set_genre_mapping (previous_of runs on the writer thread, after it)."""
        return self.submit(lambda conn: genre_map.restore_mapping(conn, previous_of()),
                           name="undo genre mapping", library=True, **kw)

    def set_threshold(self, threshold: float | None, **kw: Any) -> Future:
        return self.submit(lambda conn: repository.set_threshold(conn, threshold),
                           name="uncertainty threshold", library=True, **kw)

    def close(self) -> None:
        self.search.close()
        self._conn.close()
