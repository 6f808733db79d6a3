"""Writing genres into the files from the window: the Write genres to files… and Undo last tag
write actions, their dialogs, and refreshing the views once files were retagged."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMenu, QMessageBox

from genre_desktop.services.tag_service import TagService
from genre_desktop.ui.dialogs.tag_batch_panel import (
    UNDO_WORDS, WRITE_WORDS, BatchWords, outcome_summary, plural,
)
from genre_desktop.ui.dialogs.undo_tags_dialog import UndoTagsDialog
from genre_desktop.ui.dialogs.write_tags_dialog import WriteTagsDialog

if TYPE_CHECKING:
    from genre_desktop.ui.main_window import MainWindow

UNDO_TEXT = "&Undo last tag write"


def describe_batch(summary) -> str:
    """'the 57 files written on 3 May at 14:02' for the undo confirmation."""
    when = datetime.fromtimestamp(summary.created_at).strftime("%d %b at %H:%M")
    return f"the {plural(summary.files, 'file')} written on {when.lstrip('0')}"


class TagController(QObject):
    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.w = window
        self.service = TagService(window.context.library, self)
        self.write_dialog: WriteTagsDialog | None = None
        self.undo_dialog: UndoTagsDialog | None = None
        actions = window.actions
        actions.write_tags.triggered.connect(lambda: self.open_write_dialog())
        actions.undo_tag_write.triggered.connect(self.ask_undo)
        actions.undo_tag_write.setEnabled(False)
        for menu in actions.undo_tag_write.associatedObjects():
            if isinstance(menu, QMenu):  # ask again each time the menu opens: another process may write
                menu.aboutToShow.connect(self.service.refresh_last_batch)
        self.service.lastBatchChanged.connect(self._show_last_batch)
        self.service.runningChanged.connect(self._on_running)
        self.service.tracksRetagged.connect(window.refresher.tracks_changed)
        self.service.settle_interrupted()

    def open_write_dialog(self, whole_library: bool | None = None) -> WriteTagsDialog:
        """From the menu the scope is the selection when several tracks are selected (one selected
        row is usually just where the cursor is), else the whole library; the dialog can switch."""
        ids = self.w.selected_track_ids()
        if whole_library is None:
            whole_library = len(ids) < 2
        settings = self.w.context.settings
        dialog = WriteTagsDialog(self.service, self.w.context.library.reader.threshold, ids,
                                 whole_library, self.w,
                                 (settings.tag_write_model_genres, settings.tag_write_min_confidence,
                                  settings.tag_write_sound_tags))
        dialog.finished.connect(lambda _r: self._remember(dialog))
        dialog.finished.connect(dialog.deleteLater)
        dialog.batchFinished.connect(lambda result: self._announce(result, WRITE_WORDS))
        self.write_dialog = dialog
        dialog.open()
        return dialog

    def _remember(self, dialog: WriteTagsDialog) -> None:
        settings = self.w.context.settings
        (settings.tag_write_model_genres, settings.tag_write_min_confidence,
         settings.tag_write_sound_tags) = dialog.form.remembered()
        self.w.context.save_settings()

    def ask_undo(self) -> UndoTagsDialog | None:
        summary = self.service.last_batch
        if summary is None or self.service.is_running:
            return None
        what = describe_batch(summary)
        answer = QMessageBox.question(
            self.w, "Undo last tag write",
            f"Put back the tags of {what}?\n\nFiles changed since then are left as they are.")
        if answer != QMessageBox.StandardButton.Yes:
            return None
        return self.start_undo()

    def start_undo(self) -> UndoTagsDialog:
        """Run the undo with its progress dialog (no confirmation)."""
        summary = self.service.last_batch
        what = describe_batch(summary) if summary is not None else "the last tag write"
        dialog = UndoTagsDialog(self.service, f"Putting back the tags of {what}.", self.w)
        dialog.finished.connect(dialog.deleteLater)
        dialog.batchFinished.connect(lambda result: self._announce(result, UNDO_WORDS))
        self.undo_dialog = dialog
        dialog.open()
        dialog.start()
        return dialog

    def _announce(self, result, words: BatchWords) -> None:
        """The outcome stays readable in the status bar once the dialog is closed."""
        text = outcome_summary(result, words) if result is not None else "The tag write stopped on an error."
        self.w.statusBar().showMessage(text, 10000)

    def _show_last_batch(self, summary) -> None:
        action = self.w.actions.undo_tag_write
        action.setEnabled(summary is not None and not self.service.is_running)
        action.setText(f"{UNDO_TEXT} ({plural(summary.files, 'file')})" if summary is not None else UNDO_TEXT)

    def _on_running(self, running: bool) -> None:
        self.w.actions.write_tags.setEnabled(not running)
        self.w.actions.undo_tag_write.setEnabled(not running and self.service.last_batch is not None)
