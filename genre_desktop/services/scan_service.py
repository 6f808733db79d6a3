"""Scanning from the GUI: library.scanner.scan runs on a worker thread (it fans the decoding and
feature work out to worker processes), and each progress report comes back as a signal.

One scan at a time. Asking for another while one runs queues its folders; they are scanned
right after, so dropping three folders in a row does not start three scans.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from genre_desktop.library.writer import LibraryWriter
from genre_desktop.services.tasks import Task, TaskRunner

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScanOptions:
    jobs: int | None = None
    windows_per_track: int = 3
    model_dir: Path | None = None
    personal_dir: Path | None = None  # the user's personal model; None: the bundled model alone


def run_scan(folders: list[str], writer: LibraryWriter, options: ScanOptions, cancel):
    """The worker-thread side: a generator of ScanProgress returning a ScanReport."""
    from genre_desktop.library import scanner  # heavy imports stay off the GUI start-up path

    return (yield from scanner.scan(
        folders, writer=writer, jobs=options.jobs, windows_per_track=options.windows_per_track,
        model_dir=options.model_dir, personal_dir=options.personal_dir, cancel=cancel))


class ScanService(QObject):
    started = Signal(list)  # the folders being scanned
    progress = Signal(object)  # ScanProgress
    tracksFinished = Signal(list)  # track ids written since the previous progress report
    finished = Signal(object)  # ScanReport (a cancelled scan reports what it did)
    failed = Signal(str)
    runningChanged = Signal(bool)

    def __init__(self, writer: LibraryWriter, tasks: TaskRunner,
                 options: Callable[[], ScanOptions], parent: QObject | None = None,
                 scan_fn=run_scan) -> None:
        super().__init__(parent)
        self._writer = writer
        self._tasks = tasks
        self._options = options
        self._scan_fn = scan_fn
        self._task: Task | None = None
        self._queued: list[str] = []
        self.last_report = None

    @property
    def is_running(self) -> bool:
        return self._task is not None

    def scan(self, paths: Sequence[str | os.PathLike[str]]) -> None:
        folders = [str(p) for p in paths]
        if not folders:
            return
        if self._task is not None:
            self._queued.extend(f for f in folders if f not in self._queued)
            log.info("Scan running; queued %d more folder(s)", len(folders))
            return
        self._start(folders)

    def cancel(self) -> None:
        """Stop the running scan and drop queued ones; what was analysed stays in the library."""
        self._queued.clear()
        if self._task is not None:
            self._task.cancel()

    def _start(self, folders: list[str]) -> None:
        log.info("Scanning %s", folders)
        self._task = self._tasks.run(
            self._scan_fn, folders, self._writer, self._options(), name="scan", pass_cancel=True,
            on_progress=self._on_progress, on_result=self._on_finished, on_error=self._on_failed)
        self._task.cancelled.connect(lambda: self._on_finished(None))
        self.runningChanged.emit(True)
        self.started.emit(folders)

    def _on_progress(self, progress) -> None:
        self.progress.emit(progress)
        ids = list(getattr(progress, "finished_ids", None) or [])
        if ids:
            self.tracksFinished.emit(ids)

    def _on_finished(self, report) -> None:
        self._task = None
        self.last_report = report
        self.finished.emit(report)
        self._next_or_idle()

    def _on_failed(self, error: object) -> None:
        self._task = None
        self.failed.emit(f"The scan stopped: {error}")
        self._next_or_idle()

    def _next_or_idle(self) -> None:
        if self._queued:
            folders, self._queued = self._queued, []
            self._start(folders)
        else:
            self.runningChanged.emit(False)

    def shutdown(self) -> None:
        self.cancel()
