"""Set genre…: choose a genre or type a new one (for music the model's genres do not cover)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from genre_desktop.ui.dialogs.titles import keep_title_whole


class SetGenreDialog(QDialog):
    def __init__(self, genres: list[str], track_count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Set genre")
        layout = QVBoxLayout(self)
        what = "this track" if track_count == 1 else f"these {track_count} tracks"
        layout.addWidget(QLabel(f"Genre for {what}:"))
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.addItems(genres)
        self.combo.setCurrentText("")
        self.combo.lineEdit().setPlaceholderText("Pick one, or type any genre name")
        completer = QCompleter(genres, self.combo)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.combo.setCompleter(completer)
        layout.addWidget(self.combo)
        hint = QLabel("None of these? Type your own: it becomes a genre of its own in the sidebar "
                      "and in playlists.")
        hint.setWordWrap(True)
        hint.setObjectName("hint")
        layout.addWidget(hint)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.combo.setFocus()
        keep_title_whole(self)

    def genre(self) -> str:
        return " ".join(self.combo.currentText().split())
