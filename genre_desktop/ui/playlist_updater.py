"""Smart playlists: a playlist saved from rules is rebuilt from them whenever the library changes
(a scan, a correction, a new mapping), in the background, and rewritten only when it differs."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer

from genre_desktop.core.playlists import PlaylistRules
from genre_desktop.services.library_service import LibraryService
from genre_desktop.ui.dialogs.playlist_dialog import compute_playlist

log = logging.getLogger(__name__)

UPDATE_DELAY_MS = 1000  # a scan changes tracks many times a second: update once it settles


def changed_playlists(reader) -> list[tuple[int, list[int]]]:
    """(playlist id, its new track ids) for each rules playlist whose tracks would change."""
    changes = []
    for playlist in reader.playlists():
        if playlist.rules.get("genres") is None:
            continue  # not built from rules: a fixed list
        try:
            rules = PlaylistRules.from_dict(playlist.rules)
        except (TypeError, ValueError) as exc:
            log.warning("Playlist %r has rules that cannot be read (%s); left as it is", playlist.name, exc)
            continue
        ids = [t.track_id for t in compute_playlist(reader, rules)]
        if ids != reader.playlist_track_ids(playlist.id):
            changes.append((playlist.id, ids))
    return changes


class PlaylistUpdater(QObject):
    def __init__(self, library: LibraryService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.busy = False
        self._again = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(UPDATE_DELAY_MS)
        self._timer.timeout.connect(self._run)
        library.tracksChanged.connect(self.schedule)
        library.libraryChanged.connect(self.schedule)

    @property
    def is_idle(self) -> bool:
        return not (self.busy or self._timer.isActive())

    def schedule(self, *_args) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self.library.tracksChanged.disconnect(self.schedule)
        self.library.libraryChanged.disconnect(self.schedule)

    def _run(self) -> None:
        if self.busy:
            self._again = True
            return
        self.busy = True
        self.library.read_in_background(changed_playlists, name="smart playlists",
                                        on_result=self._apply, on_error=self._failed)

    def _apply(self, changes: list[tuple[int, list[int]]]) -> None:
        for playlist_id, ids in changes:
            self.library.set_playlist_tracks(playlist_id, ids)
        self._done()

    def _failed(self, error: object) -> None:
        log.warning("Could not update the playlists: %s", error)
        self._done()

    def _done(self) -> None:
        self.busy = False
        if self._again:
            self._again = False
            self._timer.start()
