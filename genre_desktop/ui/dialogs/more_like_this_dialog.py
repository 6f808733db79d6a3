"""More like this: the library's nearest tracks to the selection, to play, save or export.

Nearness is the music tagger's embedding (cosine distance). The list refreshes in the
background whenever an option changes; the dialog never blocks the window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QDialog, QFileDialog, QHBoxLayout,
                               QHeaderView, QInputDialog, QLabel, QPushButton, QSpinBox,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from genre_desktop.core.playlist_export import SUPPORTED_EXTENSIONS, export_playlist
from genre_desktop.library.sounds_like import NotAnalysedError
from genre_desktop.services.similar_service import SimilarService, SimilarTrack
from genre_desktop.ui.itemmodels.columns import format_duration

COLUMNS = ("Title", "Artist", "Genre", "Length", "Similarity")
DEFAULT_LIMIT = 25
DEFAULT_PER_ARTIST = 2


def similarity_percent(distance: float) -> str:
    """Cosine distance 0..2 as a plain figure: 100% = the same sound."""
    return f"{max(0.0, 1.0 - distance):.0%}"


class MoreLikeThisDialog(QDialog):
    def __init__(self, service: SimilarService, track_ids: Sequence[int], title: str,
                 play: Callable[[int], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("moreLikeThisDialog")
        self.setWindowTitle(f"More like {title}")
        self.service, self.track_ids, self.title, self._play = service, list(track_ids), title, play
        self.results: list[SimilarTrack] = []
        self.task = None
        self._asked = 0

        self.heading = QLabel(f"Tracks that sound like <b>{_escape(title)}</b>")
        self.limit = QSpinBox(minimum=5, maximum=500, value=DEFAULT_LIMIT, singleStep=5)
        self.same_genre = QCheckBox("Same genre only")
        self.per_artist = QSpinBox(minimum=0, maximum=50, value=DEFAULT_PER_ARTIST)
        self.per_artist.setSpecialValueText("any")
        self.per_artist.setToolTip("At most this many tracks by one artist (0: no limit)")
        options = QHBoxLayout()
        for widget in (QLabel("Tracks:"), self.limit, QLabel("Per artist:"), self.per_artist, self.same_genre):
            options.addWidget(widget)
        options.addStretch(1)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda index: self.play_row(index.row()))
        self.status = QLabel("Looking…")

        self.play_button = QPushButton("Play")
        self.save_button = QPushButton("Save as playlist…")
        self.export_button = QPushButton("Export…")
        close = QPushButton("Close")
        self.play_button.clicked.connect(lambda: self.play_row(max(0, self.table.currentRow())))
        self.save_button.clicked.connect(self.ask_save)
        self.export_button.clicked.connect(self.ask_export)
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        for button in (self.play_button, self.save_button, self.export_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(options)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.resize(720, 460)
        for signal in (self.limit.valueChanged, self.per_artist.valueChanged, self.same_genre.toggled):
            signal.connect(self.refresh)
        self.refresh()

    # -- finding -----------------------------------------------------------------------------
    def refresh(self, *_args) -> None:
        if self.task is not None and self.task.is_running:
            self.task.cancel()
        self._asked += 1  # a search still running for older options must not land after this one
        asked = self._asked
        self.status.setText("Looking…")
        self._set_enabled(False)
        self.task = self.service.find(
            self.track_ids, self.limit.value(), same_genre=self.same_genre.isChecked(),
            per_artist=self.per_artist.value() or None,
            on_result=lambda results: asked == self._asked and self._show(results),
            on_error=lambda error: asked == self._asked and self._failed(error))

    def _show(self, results: list[SimilarTrack]) -> None:
        self.results = results
        self.table.setRowCount(len(results))
        for r, item in enumerate(results):
            row = item.row
            values = (row.title or "(untitled)", row.artist or "", row.genre or "",
                      format_duration(row.duration), similarity_percent(item.distance))
            for c, text in enumerate(values):
                cell = QTableWidgetItem(text)
                if c >= 3:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, cell)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        if results:
            self.table.selectRow(0)
        self.status.setText(f"{len(results)} tracks, most alike first." if results
                            else "No other track matches these options.")
        self._set_enabled(bool(results))

    def _failed(self, error: object) -> None:
        self.results = []
        self.table.setRowCount(0)
        self._set_enabled(False)
        if isinstance(error, NotAnalysedError):
            self.status.setText(str(error).capitalize() + ".")
        else:
            self.status.setText(f"Could not look for similar tracks: {error}")

    def _set_enabled(self, enabled: bool) -> None:
        for button in (self.play_button, self.save_button, self.export_button):
            button.setEnabled(enabled)

    # -- using the list ----------------------------------------------------------------------
    def play_row(self, row: int) -> None:
        if 0 <= row < len(self.results):
            self._play(self.results[row].row.id)

    def default_name(self) -> str:
        return f"More like {self.title}"

    def save(self, name: str) -> None:
        rules = {"more_like": self.track_ids, "same_genre": self.same_genre.isChecked(),
                 "per_artist": self.per_artist.value() or None}
        ids = [item.row.id for item in self.results]
        self.service.library.save_playlist(
            name, rules, ids, on_done=lambda _r: self.status.setText(f"Saved as playlist “{name}”."))

    def ask_save(self) -> None:
        name, ok = QInputDialog.getText(self, "Save as playlist", "Playlist name:", text=self.default_name())
        if ok and name.strip():
            self.save(name.strip())

    def export(self, path: str) -> None:
        try:
            export_playlist(path, self.results, self.default_name())
        except (OSError, ValueError) as exc:
            self.status.setText(f"Could not export: {exc}")
            return
        self.status.setText(f"Exported {len(self.results)} tracks to {path}.")

    def ask_export(self) -> None:
        patterns = " ".join(f"*{ext}" for ext in SUPPORTED_EXTENSIONS)
        path, _ = QFileDialog.getSaveFileName(self, "Export playlist", f"{self.default_name()}.m3u8",
                                              f"Playlists ({patterns})")
        if path:
            self.export(path)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
