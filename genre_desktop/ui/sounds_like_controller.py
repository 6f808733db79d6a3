"""Sounds like in the Track panel, and the More like this dialog for the selection."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from genre_desktop.services.similar_service import SimilarService
from genre_desktop.ui.dialogs.more_like_this_dialog import MoreLikeThisDialog
from genre_desktop.ui.widgets.sounds_like_tags import SoundsLikeTags

NOT_ANALYSED = "Not analysed by the music tagger yet: rescan to see what it sounds like."


class SoundsLikeController(QObject):
    def __init__(self, service: SimilarService, tags_view: SoundsLikeTags,
                 selected_ids: Callable[[], list[int]], describe: Callable[[list[int]], str],
                 play: Callable[[int], None], parent: QWidget) -> None:
        super().__init__(parent)
        self.service, self.tags_view = service, tags_view
        self._selected_ids, self._describe, self._play = selected_ids, describe, play
        self._shown_id: int | None = None
        self.loaded_id: int | None = None  # the track whose tags are on show
        self.dialog: MoreLikeThisDialog | None = None
        service.refresh_stored_tags()

    def show_track(self, track_id: int | None) -> None:
        self._shown_id = track_id
        self.loaded_id = None
        if track_id is None:
            self.tags_view.show_tags(None)
            return
        self.service.load_tags(track_id, on_result=lambda tags: self._tags_loaded(track_id, tags),
                               on_error=lambda error: self._tags_loaded(track_id, None, str(error)))

    def _tags_loaded(self, track_id: int, tags, error: str | None = None) -> None:
        if track_id != self._shown_id:  # the user has moved on
            return
        self.loaded_id = track_id
        if error is not None:
            self.tags_view.show_tags(None, f"Could not read the tags: {error}")
        else:
            self.tags_view.show_tags(tags, None if tags is not None else NOT_ANALYSED)

    def more_like_this(self) -> MoreLikeThisDialog | None:
        ids = self._selected_ids()
        if not ids:
            return None
        if self.dialog is not None:
            self.dialog.close()
        parent = self.parent()
        self.dialog = MoreLikeThisDialog(self.service, ids, self._describe(ids), self._play,
                                         parent if isinstance(parent, QWidget) else None)
        self.dialog.show()
        return self.dialog
