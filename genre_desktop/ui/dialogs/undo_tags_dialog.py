"""Undo last tag write: puts back the genre tags the last write replaced, in the background,
then says what was restored and what could not be (a file changed since, for example)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from genre_desktop.services.tag_service import TagService
from genre_desktop.services.tasks import Task
from genre_desktop.ui.dialogs.tag_batch_panel import UNDO_WORDS, BatchRunPanel, ready_to_close


class UndoTagsDialog(QDialog):
    batchFinished = Signal(object)  # BatchResult (None when the undo stopped on an error)

    def __init__(self, service: TagService, description: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Undo last tag write")
        self.resize(720, 420)
        self.service = service
        self.result = None
        self._task: Task | None = None
        about = QLabel(description)
        about.setObjectName("hint")
        about.setWordWrap(True)
        self.run_panel = BatchRunPanel()
        self.run_panel.ended.connect(self._on_ended)
        buttons = QDialogButtonBox()
        self.close_button: QPushButton = buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        self.close_button.setToolTip("Stop after the current file (Esc)")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(self.run_panel, 1)
        layout.addWidget(buttons)

    def start(self) -> bool:
        task = self.service.undo_last()
        if task is None:
            self.run_panel.show_error("A tag write is still running; undo it when it has finished.")
            self._finish()
            return False
        self._task = task
        self.run_panel.follow(task, UNDO_WORDS)
        return True

    @property
    def is_running(self) -> bool:
        return self._task is not None

    def _on_ended(self, result) -> None:
        self._task = None
        self.result = result
        self._finish()
        self.batchFinished.emit(result)

    def _finish(self) -> None:
        ready_to_close(self.close_button)

    def reject(self) -> None:
        """Esc or Close: while restoring, stop after the current file instead."""
        if self._task is not None:
            self.run_panel.stop(self._task, self.close_button)
            return
        super().reject()
