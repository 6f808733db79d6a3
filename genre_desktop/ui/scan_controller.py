"""Adding music and keeping it scanned: the Add folder action, drops, F5, folder watching, the
status-bar progress, and live table updates while a scan runs."""

from __future__ import annotations

import logging
import os

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from genre_desktop.ui.context import AppContext
from genre_desktop.ui.panels.scan_progress import ScanProgressWidget

log = logging.getLogger(__name__)

FLUSH_MS = 250  # how often finished tracks are pushed to the table during a scan
WATCH_DEBOUNCE_MS = 3000
MAX_WATCHED_DIRS = 2000


def list_subdirs(folders: list[str], limit: int = MAX_WATCHED_DIRS) -> list[str]:
    found: list[str] = []
    for folder in folders:
        for root, dirs, _files in os.walk(folder):
            found.append(root)
            if len(found) >= limit:
                return found
            dirs[:] = [d for d in dirs if not d.startswith(".")]
    return found


class ScanController(QObject):
    tracksArrived = Signal(list)  # ids finished since the last flush
    scanFinished = Signal(object)  # ScanReport or None
    statusMessage = Signal(str, int)  # text, timeout ms

    def __init__(self, context: AppContext, progress: ScanProgressWidget, window: QWidget) -> None:
        super().__init__(window)
        self.context = context
        self.progress = progress
        self._window = window
        self._pending: list[int] = []
        self._stopped = False
        self._flush = QTimer(self)
        self._flush.setInterval(FLUSH_MS)
        self._flush.timeout.connect(self._flush_now)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(self._on_directory_changed)
        self._watch_debounce = QTimer(self)
        self._watch_debounce.setSingleShot(True)
        self._watch_debounce.setInterval(WATCH_DEBOUNCE_MS)
        self._watch_debounce.timeout.connect(self.rescan)
        scanning = context.scanning
        scanning.started.connect(self._on_started)
        scanning.progress.connect(self._on_progress)
        scanning.tracksFinished.connect(self._collect)
        scanning.finished.connect(self._on_finished)
        scanning.failed.connect(self._on_failed)
        progress.cancelRequested.connect(scanning.cancel)

    # -- entry points ---------------------------------------------------------------------------
    def ask_folder(self) -> None:
        """File > Add music folder…"""
        folder = QFileDialog.getExistingDirectory(self._window, "Add music folder",
                                                  self.context.settings.start_folder())
        if folder:
            self.add_paths([folder])

    def add_paths(self, paths: list[str]) -> None:
        """Add folders to the library (remembered, then scanned). A dropped file brings in its
        folder: the library is organised by folders, and only files inside a known folder are
        kept up to date by rescans."""
        folders: list[str] = []
        for path in paths:
            path = os.path.abspath(path)
            folder = path if os.path.isdir(path) else os.path.dirname(path) if os.path.isfile(path) else None
            if folder and folder not in folders:
                folders.append(folder)
        if not folders:
            self.statusMessage.emit("Nothing to add: drop folders or audio files.", 4000)
            return
        settings = self.context.settings
        known = settings.music_folders
        new = [f for f in folders if not any(_inside(f, k) for k in known)]
        settings.music_folders = known + new
        self.context.save_settings()
        self.context.library.add_folders(new)
        self.watch_folders()
        self.context.scanning.scan(folders)

    def known_folders(self) -> list[str]:
        folders = list(self.context.settings.music_folders)
        try:
            folders += [f for f in self.context.library.reader.folders() if f not in folders]
        except Exception as exc:  # noqa: BLE001 - a read problem must not block rescanning
            log.warning("Could not read folders from the library: %s", exc)
        return folders

    def rescan(self) -> None:
        """F5: rescan every known folder; unchanged files are skipped by the scanner."""
        folders = [f for f in self.known_folders() if os.path.isdir(f)]
        if not folders:
            self.statusMessage.emit("No music folders yet: add one first.", 4000)
            return
        self.context.scanning.scan(folders)

    def upgrade_if_needed(self) -> None:
        """At start: tracks analysed for an older model are analysed again in the background
        (with progress and Cancel); a cancelled upgrade resumes at the next start, since each
        track is current as soon as its new analysis is stored."""
        from genre_desktop.core.feature_schema import MODEL_RECIPE_VERSION
        from genre_desktop.library.scan_store import count_outdated

        self.context.library.read_in_background(
            lambda reader: (count_outdated(reader.conn, MODEL_RECIPE_VERSION), reader.folders()),
            name="count outdated tracks", on_result=self._upgrade)

    def _upgrade(self, found: tuple[int, list[str]]) -> None:
        outdated, library_folders = found
        if outdated == 0 or self._stopped or self.context.scanning.is_running:
            return
        known = list(self.context.settings.music_folders)
        folders = [f for f in known + [f for f in library_folders if f not in known] if os.path.isdir(f)]
        if not folders:
            return
        log.info("New model: re-analysing %d tracks", outdated)
        self.context.scanning.scan(folders)
        # After the scan's own "Scanning…" message, which would replace it.
        self.statusMessage.emit(f"New model: re-analysing {outdated} track{'s' if outdated != 1 else ''}"
                                " (your corrections and playlists are kept)", 15000)

    def retry(self, paths: list[str]) -> None:
        """Problems > Retry: forget why these files failed, then rescan so they are analysed again."""
        if paths:
            self.context.library.retry_problems(paths, on_done=lambda _result: self.rescan())

    def cancel(self) -> None:
        self.context.scanning.cancel()

    def stop(self) -> None:
        """The window is closing: no more watching or automatic rescans."""
        self._stopped = True
        self._watch_debounce.stop()
        self._flush.stop()
        if self._watcher.directories():
            self._watcher.removePaths(self._watcher.directories())

    # -- watching -------------------------------------------------------------------------------
    def watch_folders(self) -> None:
        """Watch the music folders (and their sub-folders, listed off the GUI thread)."""
        if not self.context.settings.watch_folders:
            if self._watcher.directories():
                self._watcher.removePaths(self._watcher.directories())
            return
        folders = [f for f in self.known_folders() if os.path.isdir(f)]
        self.context.tasks.run(list_subdirs, folders, name="list folders to watch",
                               on_result=self._set_watched)

    def _set_watched(self, dirs: list[str]) -> None:
        if self._stopped:
            return
        current = set(self._watcher.directories())
        wanted = set(dirs)
        if current - wanted:
            self._watcher.removePaths(sorted(current - wanted))
        if wanted - current:
            self._watcher.addPaths(sorted(wanted - current))

    def _on_directory_changed(self, path: str) -> None:
        log.info("Folder changed: %s; rescanning soon", path)
        self._watch_debounce.start()

    # -- progress -------------------------------------------------------------------------------
    def _on_started(self, folders: list[str]) -> None:
        self.progress.start()
        self._flush.start()
        self.statusMessage.emit(f"Scanning {len(folders)} location(s)…", 3000)

    def _on_progress(self, p) -> None:
        self.progress.update_progress(p.done, p.total, p.current, p.eta_seconds,
                                      getattr(p, "phase", "analysing"))

    def _collect(self, ids: list[int]) -> None:
        self._pending.extend(ids)

    def _flush_now(self) -> None:
        if self._pending:
            ids, self._pending = list(dict.fromkeys(self._pending)), []
            self.tracksArrived.emit(ids)

    def _on_finished(self, report) -> None:
        self._flush_now()
        if not self.context.scanning.is_running:
            self._flush.stop()
            self.progress.stop()
        self.statusMessage.emit(summarize(report), 8000)
        self.scanFinished.emit(report)

    def _on_failed(self, message: str) -> None:
        self._flush_now()
        self._flush.stop()
        self.progress.stop()
        self.statusMessage.emit(message, 0)
        self.scanFinished.emit(None)


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def summarize(report) -> str:
    if report is None:
        return "Scan stopped."
    parts = [f"{report.added} added", f"{report.updated} updated", f"{report.unchanged} unchanged"]
    if report.missing:
        parts.append(f"{report.missing} missing")
    if report.failed:
        parts.append(f"{len(report.failed)} could not be read (see Problems)")
    verb = "cancelled after" if getattr(report, "cancelled", False) else "finished in"
    return f"Scan {verb} {report.seconds:.0f} s: " + ", ".join(parts) + "."
