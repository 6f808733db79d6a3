"""Undo and Redo reach the library from anywhere in the window.

A focused text field normally takes Ctrl+Z for itself, so with the search box focused the
window's Undo would undo the search text instead of the last correction. Here a text field keeps
its own undo only while it holds text not yet applied (QLineEdit.isModified(): fields clear it
once their text took effect, as the search box does); otherwise the key goes to the window's
Undo/Redo actions."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

UNDO_KEYS = (QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo)


class UndoRouter(QObject):
    def __init__(self, window: QWidget, extra_redo: QKeySequence | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.extra_redo = extra_redo or QKeySequence("Ctrl+Y")
        QApplication.instance().installEventFilter(self)

    def stop(self) -> None:
        QApplication.instance().removeEventFilter(self)

    def _is_undo_key(self, event: QKeyEvent) -> bool:
        if any(event.matches(key) for key in UNDO_KEYS):
            return True
        pressed = QKeySequence(event.keyCombination())
        return pressed.matches(self.extra_redo) == QKeySequence.SequenceMatch.ExactMatch

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (event.type() == QEvent.Type.ShortcutOverride and isinstance(watched, QLineEdit)
                and watched.window() is self.window and self._is_undo_key(event)
                and not watched.isModified()):
            event.ignore()  # not the field's: the window's shortcut runs
            return True
        return False
