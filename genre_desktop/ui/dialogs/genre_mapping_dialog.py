"""Genre mapping…: every genre tag in the library and the genre it is counted as; select tags
(the unmapped ones first) and map them to a genre in one step."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView,
    QLabel, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from genre_desktop.library.genre_map import TagGenre, tag_genres
from genre_desktop.ui.undo_commands import MapGenresCommand

ORIGIN_WORDS = {"you": "your mapping", "model": "the model's genre", "default": "default mapping",
                "unmapped": "unmapped"}
HEADERS = ("Genre tag", "Tracks", "Counted as", "From")


class GenreMappingDialog(QDialog):
    def __init__(self, library, genres: list[str], parent: QWidget | None = None,
                 only_unmapped: bool = False, undo_stack=None) -> None:
        """undo_stack: where mapping changes go, so that Undo (Ctrl+Z) takes them back."""
        super().__init__(parent)
        self.undo_stack = undo_stack
        self.setWindowTitle("Genre mapping")
        self.setObjectName("genreMappingDialog")
        self.library = library
        self.tags: list[TagGenre] = []
        layout = QVBoxLayout(self)
        intro = QLabel("Files spell genres many ways. Each genre tag below is counted as the genre "
                       "on its right in the sidebar, the overview, filters and playlists. Select "
                       "tags, pick a genre, and press Map.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.only_unmapped = QCheckBox("Show only unmapped tags")
        self.only_unmapped.setChecked(only_unmapped)
        self.only_unmapped.toggled.connect(self._fill)
        layout.addWidget(self.only_unmapped)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            self.table.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("Count the selected tags as:"))
        self.genre = QComboBox()
        self.genre.setEditable(True)
        self.genre.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.genre.addItems(genres)
        self.genre.setCurrentText("")
        self.genre.lineEdit().setPlaceholderText("a genre, or type a new one")
        row.addWidget(self.genre, 1)
        self.map_button = QPushButton("&Map")
        self.map_button.clicked.connect(self.map_selected)
        self.default_button = QPushButton("Use &default")
        self.default_button.setToolTip("Forget your mapping of the selected tags")
        self.default_button.clicked.connect(lambda: self._write(None))
        row.addWidget(self.map_button)
        row.addWidget(self.default_button)
        layout.addLayout(row)
        self.status = QLabel("")
        layout.addWidget(self.status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(620, 460)
        self.reload()

    # -- data ---------------------------------------------------------------------------------
    def reload(self) -> None:
        self.status.setText("Reading the library's genre tags…")
        self.library.read_in_background(lambda reader: tag_genres(reader.conn), name="tag genres",
                                        on_result=self._loaded)

    def _loaded(self, tags: list[TagGenre]) -> None:
        self.tags = tags
        unmapped = sum(1 for t in tags if t.unmapped)
        self.only_unmapped.setText(f"Show only unmapped tags ({unmapped})")
        self.status.setText(f"{len(tags)} genre tags, {unmapped} unmapped.")
        self._fill()

    def shown_tags(self) -> list[TagGenre]:
        return [t for t in self.tags if t.unmapped or not self.only_unmapped.isChecked()]

    def _fill(self) -> None:
        shown = self.shown_tags()
        self.table.setRowCount(len(shown))
        for r, tag in enumerate(shown):
            cells = (tag.tag, f"{tag.tracks:,}", tag.genre or "", ORIGIN_WORDS.get(tag.origin, tag.origin))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if tag.unmapped:
                    item.setToolTip("Unmapped: counted as a genre of its own until you map it")
                self.table.setItem(r, c, item)
        if self.only_unmapped.isChecked():
            self.table.selectAll()  # one step: pick a genre and press Map

    # -- edits --------------------------------------------------------------------------------
    def selected_tags(self) -> list[str]:
        shown = self.shown_tags()
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [shown[r].tag for r in rows if r < len(shown)]

    def map_selected(self) -> None:
        genre = " ".join(self.genre.currentText().split())
        if not genre:
            self.status.setText("Pick or type the genre to count them as.")
            return
        self._write(genre)

    def _write(self, genre: str | None) -> None:
        tags = self.selected_tags()
        if not tags:
            self.status.setText("Select the tags to map first.")
            return
        self.status.setText("Saving…")
        command = MapGenresCommand(self.library, tags, genre, on_done=lambda _result: self.reload())
        if self.undo_stack is not None:
            self.undo_stack.push(command)
        else:
            command.redo()
