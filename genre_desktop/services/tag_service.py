"""Writing genres into the music files from the GUI: plan, write and undo run on worker threads
(library.tag_batch does the work), and their outcome comes back as Task signals.

Planning reads the library and every file's current tag, so it never runs on the GUI thread.
One write or undo runs at a time: both change files and the library's record of their tags.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from genre_desktop.core.cancel import CancelToken
from genre_desktop.library.db import connect, path_param
from genre_desktop.library.tag_batch import (
    BatchResult, TagChange, WriteOptions, plan, reconcile, undo_last_batch, write_changes,
)
from genre_desktop.library.tag_batch import last_batch as read_last_batch
from genre_desktop.services.library_service import LibraryService
from genre_desktop.services.tasks import Task

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TagPlan:
    """What a write with some options would do."""
    changes: list[TagChange] = field(default_factory=list)
    kept_existing: list[TagChange] = field(default_factory=list)  # left alone: they have a genre
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): cannot be written
    unchanged: int = 0  # files that already have their genre


def make_plan(conn, options: WriteOptions, track_ids: Sequence[int] | None,
              cancel: CancelToken | None = None) -> TagPlan:
    """The plan, with the files that keep their own genre set apart from those that cannot be
    written: the same single pass over the tags tells the user how many files their genre protects."""
    report = plan(conn, options, track_ids, cancel)
    kept = {c.path for c in report.kept}
    return TagPlan(report.changes, report.kept, [s for s in report.skipped if s[0] not in kept],
                   report.unchanged)


def track_ids_of(conn, paths: Sequence[str], chunk: int = 500) -> list[int]:
    """The library's ids of these files (a batch can hold more paths than SQL has parameters)."""
    ids: list[int] = []
    for start in range(0, len(paths), chunk):
        part = [path_param(p) for p in paths[start:start + chunk]]
        marks = ",".join(["CAST(? AS TEXT)"] * len(part))
        ids += [row[0] for row in conn.execute(f"SELECT id FROM tracks WHERE path IN ({marks})", part)]
    return ids


class TagService(QObject):
    lastBatchChanged = Signal(object)  # BatchSummary | None: what "Undo last tag write" would undo
    runningChanged = Signal(bool)
    tracksRetagged = Signal(list)  # ids whose genre tag a write or undo changed ([]: not known)

    def __init__(self, library: LibraryService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.last_batch = None  # BatchSummary | None, as last read
        self._last_batch_request = 0
        self._task: Task | None = None

    @property
    def is_running(self) -> bool:
        return self._task is not None

    # -- reads ----------------------------------------------------------------------------------
    def plan(self, options: WriteOptions, track_ids: Sequence[int] | None, *,
             on_result: Callable[[TagPlan], None], on_error: Callable[[object], None]) -> Task:
        """Plan on a worker thread with its own read connection; cancel the Task to stop early."""
        ids = None if track_ids is None else list(track_ids)
        db_path = self.library.db_path

        def job(cancel: CancelToken) -> TagPlan:
            conn = connect(db_path, readonly=True)
            try:
                return make_plan(conn, options, ids, cancel)
            finally:
                conn.close()

        return self.library.tasks.run(job, name="plan tag write", pass_cancel=True,
                                      on_result=on_result, on_error=on_error)

    def settle_interrupted(self) -> Task:
        """Settle the journal rows of a write that was killed (by the file's bytes, off the GUI
        thread), then ask what Undo would undo: run once when the library opens."""
        return self.library.tasks.run(lambda: reconcile(self.library.writer), name="settle tag writes",
                                      on_result=lambda _settled: self.refresh_last_batch(),
                                      on_error=lambda e: log.warning("Could not settle tag writes: %s", e))

    def refresh_last_batch(self) -> Task:
        """Ask the library which batch Undo would undo; only the newest answer is kept."""
        self._last_batch_request += 1
        request = self._last_batch_request
        return self.library.read_in_background(
            lambda reader: read_last_batch(reader.conn), name="last tag write",
            on_result=lambda summary: self._set_last_batch(request, summary),
            on_error=lambda e: log.warning("Could not read the last tag write: %s", e))

    def _set_last_batch(self, request: int, summary) -> None:
        if request != self._last_batch_request:
            return  # an older question answered late
        self.last_batch = summary
        self.lastBatchChanged.emit(summary)

    # -- writes ---------------------------------------------------------------------------------
    def write(self, changes: Sequence[TagChange], options: WriteOptions) -> Task | None:
        """Progress is (done, total); the result a BatchResult. None while another batch runs."""
        changes = list(changes)
        return self._start(lambda cancel: write_changes(self.library.writer, changes, options, cancel),
                           "write genre tags")

    def undo_last(self) -> Task | None:
        return self._start(lambda cancel: undo_last_batch(self.library.writer, cancel), "undo tag write")

    def _start(self, generator_of: Callable, name: str) -> Task | None:
        if self._task is not None:
            log.info("A tag write is running; %s not started", name)
            return None
        task = self.library.tasks.run(generator_of, name=name, pass_cancel=True)
        self._task = task
        task.ended.connect(lambda: self._on_ended(task))
        self.runningChanged.emit(True)
        return task

    def _on_ended(self, task: Task) -> None:
        self._task = None
        result: BatchResult | None = task.result
        if result is None:
            self.tracksRetagged.emit([])  # stopped by an error: which files changed is unknown
        elif result.written:
            paths = list(result.written)
            self.library.read_in_background(lambda reader: track_ids_of(reader.conn, paths),
                                            name="retagged tracks", on_result=self.tracksRetagged.emit)
        self.runningChanged.emit(False)
        self.refresh_last_batch()
