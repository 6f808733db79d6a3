"""Playing tracks from the window: a queue (the selection, a playlist, or the view from the
picked track) that continues by itself, Next/Previous, the part that decided, and "now playing"
as title — artist."""

from __future__ import annotations

from pathlib import PurePath
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from genre_desktop.ui.panels.detail_panel import decisive_window
from genre_desktop.ui.play_queue import PlayQueue

if TYPE_CHECKING:
    from genre_desktop.ui.main_window import MainWindow


def now_playing_text(row) -> str:
    """'Title — Artist'; the file name only when the file has no title tag."""
    if not row.title:
        return PurePath(row.path).name
    return f"{row.title} — {row.artist}" if row.artist else row.title


class PreviewController(QObject):
    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.w = window
        self.queue = PlayQueue()
        self.playing_id: int | None = None
        window.context.playback.trackFinished.connect(self.continue_queue)

    @property
    def reader(self):
        return self.w.context.library.reader

    def play_track(self, track_id: int, start: float | None = None, queue: list[int] | None = None) -> None:
        """Play one track; `queue` (default: the current view from this track on) is what follows."""
        if queue is not None or self.queue.current != track_id:
            self.queue.start(queue if queue is not None else self._view_ids(), track_id)
        row = self.reader.row(track_id)
        if row is None:
            return
        self.playing_id = track_id
        self.w.player.play(row.path, start, now_playing_text(row))

    def play_selected(self) -> None:
        """Space with nothing loaded: several selected tracks play as the queue; one selected
        track plays with the rest of the view after it."""
        ids = self.w.selected_track_ids()
        current = self.w.current_track_id()
        if len(ids) > 1:
            self.play_track(current if current in ids else ids[0], queue=ids)
        elif current is not None or ids:
            self.play_track(current if current is not None else ids[0], queue=self._view_ids())

    def play_ids(self, ids: list[int]) -> None:
        """A playlist (or any list) as the queue, from its first track."""
        if ids:
            self.play_track(ids[0], queue=ids)

    def next(self) -> None:
        track_id = self.queue.next()
        if track_id is not None:
            self.play_track(track_id)
        else:
            self.w.statusBar().showMessage("End of the queue.", 3000)

    def previous(self) -> None:
        track_id = self.queue.previous(self.w.context.playback.position)
        if track_id is not None:
            self.play_track(track_id, start=0.0)

    def continue_queue(self) -> None:
        track_id = self.queue.next()
        if track_id is not None:
            self.play_track(track_id)

    def play_decisive(self) -> None:
        """Start at the analysed window that counted most for the track's genre."""
        track_id = self.w.current_track_id()
        if track_id is None:
            return
        detail = self.reader.detail(track_id)
        index = decisive_window(detail) if detail is not None else None
        if index is None:
            self.w.statusBar().showMessage("This track has no analysed windows yet.", 4000)
            return
        self.play_track(track_id, detail.windows[index].window.start)

    def play_current_from(self, seconds: float) -> None:
        track_id = self.w.current_track_id()
        if track_id is not None:
            self.play_track(track_id, seconds)

    def follow_position(self, seconds: float) -> None:
        detail = self.w.detail.detail
        playing = detail is not None and detail.row.id == self.playing_id
        self.w.detail.set_position(seconds if playing else None)

    def _view_ids(self) -> list[int]:
        if self.w.tabs.currentWidget() is self.w.review:
            return self.w.review.all_ids()
        return self.w.model.ids
