"""Genre corrections from the GUI: shortcuts, context menu, detail combo and the Set genre
dialog all end here, as undoable commands on one QUndoStack."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QWidget

from genre_desktop.core.genre_vocabulary import spelled_as
from genre_desktop.services.library_service import LibraryService
from genre_desktop.ui.dialogs.set_genre_dialog import SetGenreDialog
from genre_desktop.ui.undo_commands import SetGenreCommand


class LabelController(QObject):
    def __init__(self, library: LibraryService, selected_ids: Callable[[], list[int]],
                 genre_choices: Callable[[], list[str]], parent: QWidget) -> None:
        super().__init__(parent)
        self.library = library
        self.undo_stack = QUndoStack(self)
        self._selected_ids = selected_ids
        self._genre_choices = genre_choices
        self._window = parent

    def set_genre(self, genre: str | None, track_ids: Sequence[int] | None = None) -> bool:
        ids = list(track_ids if track_ids is not None else self._selected_ids())
        if not ids:
            return False
        if genre is not None:  # spelled as stored, so that the undo text names the genre shown
            genre = spelled_as(genre, self._genre_choices())
            if genre is None:
                return False
        self.undo_stack.push(SetGenreCommand(self.library, ids, genre))
        return True

    def clear_genre(self) -> bool:
        return self.set_genre(None)

    def ask_genre(self) -> bool:
        """Ctrl+G: pick one of the genres or type any name ("none of these")."""
        ids = self._selected_ids()
        if not ids:
            return False
        dialog = SetGenreDialog(self._genre_choices(), len(ids), self._window)
        if dialog.exec() != SetGenreDialog.DialogCode.Accepted or not dialog.genre():
            return False
        return self.set_genre(dialog.genre(), ids)
