"""Possible duplicates, in a view of their own: files with the same content, and files that look
like a truncated copy of another. Shown so the user can decide; nothing is deleted here."""

from __future__ import annotations

from pathlib import Path, PurePath

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTreeWidget, QTreeWidgetItem,
    QVBoxLayout, QWidget,
)

from genre_desktop.library.duplicates import SAME, DuplicateGroup
from genre_desktop.ui.itemmodels.columns import format_duration

PATH_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_WORDS = {SAME: "Same file content", "truncated copy": "Same start, one shorter: possibly a truncated copy"}


class DuplicatesPanel(QWidget):
    refreshRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel("Looking for duplicates…")
        self.summary.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setObjectName("duplicatesList")
        self.tree.setHeaderLabels(["Track", "Length", "Size", "File"])
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # the file names tell copies apart
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.tree.setColumnWidth(0, 300)
        self.tree.itemSelectionChanged.connect(self._sync_buttons)
        self.refresh_button = QPushButton("Look again")
        self.refresh_button.clicked.connect(self.refreshRequested)
        self.open_button = QPushButton("Open folder")
        self.open_button.clicked.connect(self.open_folder)
        self.copy_button = QPushButton("Copy path")
        self.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText("\n".join(self.selected_paths())))
        note = QLabel("Nothing is deleted here: keep the file you want and remove the others yourself.")
        note.setObjectName("hint")
        note.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (self.open_button, self.copy_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(note)
        layout.addLayout(buttons)
        self.groups: list[DuplicateGroup] = []
        self._sync_buttons()

    def set_groups(self, groups: list[DuplicateGroup]) -> None:
        self.groups = list(groups)
        self.tree.clear()
        bold = QFont(self.tree.font())
        bold.setBold(True)
        for group in self.groups:
            parent = QTreeWidgetItem([f"{KIND_WORDS.get(group.kind, group.kind)} ({len(group.tracks)} files)"])
            parent.setFont(0, bold)
            parent.setFirstColumnSpanned(True)
            shorter = {t.track_id for t in group.shorter}
            for track in group.tracks:
                name = track.title or PurePath(track.path).stem
                label = f"{name} — {track.artist}" if track.artist else name
                if track.track_id in shorter:
                    label += "  (shorter copy?)"
                item = QTreeWidgetItem(parent, [label, format_duration(track.duration),
                                                f"{track.size / 1_048_576:.1f} MB", track.path])
                item.setData(0, PATH_ROLE, track.path)
                item.setToolTip(3, track.path)
            self.tree.addTopLevelItem(parent)
            parent.setExpanded(True)
        n = len(self.groups)
        self.summary.setText(f"{n} group{'s' if n != 1 else ''} of possible duplicates." if n
                             else "No duplicates found: no two files have the same content or start.")

    def set_busy(self) -> None:
        self.summary.setText("Looking for duplicates…")

    def selected_paths(self) -> list[str]:
        return [p for p in (item.data(0, PATH_ROLE) for item in self.tree.selectedItems()) if p]

    def _sync_buttons(self) -> None:
        for button in (self.open_button, self.copy_button):
            button.setEnabled(bool(self.selected_paths()))

    def open_folder(self) -> None:
        paths = self.selected_paths()
        if paths:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(paths[0]).parent)))
