"""The review queue: unlabelled tracks where your answer teaches the model most, each with why.

Correcting one (Ctrl+1…0, Ctrl+G, the context menu) takes it off the list; undoing brings it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTreeWidget, QTreeWidgetItem,
    QVBoxLayout, QWidget,
)

from genre_desktop.ui.genre_colors import genre_color
from genre_desktop.ui.itemmodels.columns import display_title
from genre_desktop.ui.itemmodels.tooltips import model_name
from genre_desktop.ui.panels.sidebar import color_icon

ID_ROLE = Qt.ItemDataRole.UserRole + 1
EXPLANATION = ("Tracks where your answer teaches the model the most. Listen (Space), then set the "
               "genre (Ctrl+1…0, Ctrl+G): each answer counts toward the next learning.")


@dataclass(frozen=True)
class QueueEntry:
    row: Any  # TrackRow
    reason: str  # short, shown in the list
    detail: str = ""  # longer, shown as its tooltip


class ReviewPanel(QWidget):
    currentTrackChanged = Signal(object)  # track id or None
    contextMenuRequested = Signal(object)  # global position
    activated = Signal(int)  # track id: preview it
    refreshRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewPanel")
        self.explanation = QLabel(EXPLANATION)
        self.explanation.setWordWrap(True)
        self.explanation.setObjectName("hint")
        self.status = QLabel("")
        self.status.setWordWrap(True)  # a narrow window wraps the text instead of widening
        self.learn_hint = QLabel("")
        self.learn_hint.setWordWrap(True)
        self.learn_hint.setObjectName("hint")
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Look again for the tracks worth asking you about")
        self.refresh_button.clicked.connect(self.refreshRequested)
        self.tree = QTreeWidget()
        self.tree.setObjectName("reviewList")
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setHeaderLabels(["#", "Title", "Artist", "Shown as", "Why ask you"])
        header = self.tree.header()
        header.setStretchLastSection(True)
        for column, width in enumerate((34, 170, 100, 130)):
            self.tree.setColumnWidth(column, width)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(
            lambda pos: self.contextMenuRequested.emit(self.tree.viewport().mapToGlobal(pos)))
        self.tree.itemActivated.connect(lambda item, _c: self.activated.emit(int(item.data(0, ID_ROLE))))
        self.tree.currentItemChanged.connect(self._on_current)

        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addSpacing(12)
        top.addWidget(self.learn_hint, 1)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.explanation)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)
        self._entries: list[QueueEntry] = []
        self._answered: set[int] = set()
        self.set_busy(False)

    # -- contents -------------------------------------------------------------------------------
    def set_entries(self, entries: list[QueueEntry]) -> None:
        self._entries = list(entries)
        self._answered = set()
        self._rebuild()

    def set_answered(self, track_ids: set[int], answered: bool) -> None:
        """Tracks that now have (or no longer have) your label leave (or rejoin) the list."""
        before = set(self._answered)
        if answered:
            self._answered |= track_ids
        else:
            self._answered -= track_ids
        if self._answered != before:
            self._rebuild()

    def set_learn_hint(self, text: str) -> None:
        self.learn_hint.setText(text)

    def all_entries(self) -> list[QueueEntry]:
        """Every entry of the last look, answered ones included."""
        return list(self._entries)

    def queued_ids(self) -> list[int]:
        return [e.row.id for e in self._entries if e.row.id not in self._answered]

    def entries(self) -> list[QueueEntry]:
        return [e for e in self._entries if e.row.id not in self._answered]

    def set_busy(self, busy: bool, message: str = "") -> None:
        self.refresh_button.setEnabled(not busy)
        if busy:
            self.status.setText(message or "Looking for the tracks worth asking you about…")
        else:
            self._update_status()

    def _rebuild(self) -> None:
        current = self.current_id()
        position = self.tree.indexOfTopLevelItem(self.tree.currentItem()) if current is not None else -1
        self.tree.blockSignals(True)
        self.tree.clear()
        for n, entry in enumerate(self.entries(), start=1):
            row = entry.row
            conf = f" · {row.confidence:.0%}" if row.confidence is not None else ""
            item = QTreeWidgetItem([str(n), display_title(row), row.artist or "",
                                    f"{row.genre or '—'}{conf}", entry.reason])
            item.setData(0, ID_ROLE, row.id)
            item.setTextAlignment(0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if row.genre:
                item.setIcon(3, color_icon(genre_color(row.genre)))
                item.setToolTip(3, f"{row.genre}: what {model_name(row.genre_source)} shows now")
            item.setToolTip(1, getattr(row, "display_path", row.path))
            item.setToolTip(4, entry.detail or entry.reason)
            self.tree.addTopLevelItem(item)
        self.tree.blockSignals(False)
        remaining = self.queued_ids()
        if current is None and remaining and self.isVisible():
            self.select_ids(remaining[:1])  # ready for the first answer
        elif current in remaining:
            self.select_ids([current])
        elif position >= 0 and remaining:
            # The answered track left: the next one is ready for the next answer.
            self.select_ids([remaining[min(position, len(remaining) - 1)]])
        elif current is not None:
            self.currentTrackChanged.emit(None)
        self._update_status()

    def _update_status(self) -> None:
        n = len(self.entries())
        answered = len(self._answered & {e.row.id for e in self._entries})
        if not self._entries:
            text = "Nothing to review yet: the queue fills once tracks are analysed."
        elif n == 0:
            text = f"All {answered} answered. Learn from your corrections (Ctrl+L), then refresh for more."
        else:
            text = f"{n} track{'s' if n != 1 else ''} to review"
            if answered:
                text += f" · {answered} answered"
        self.status.setText(text)

    # -- selection ------------------------------------------------------------------------------
    def selected_ids(self) -> list[int]:
        return [int(item.data(0, ID_ROLE)) for item in self.tree.selectedItems()]

    def all_ids(self) -> list[int]:
        """Every track in the queue, in its order."""
        return [int(self.tree.topLevelItem(i).data(0, ID_ROLE)) for i in range(self.tree.topLevelItemCount())]

    def current_id(self) -> int | None:
        item = self.tree.currentItem()
        return int(item.data(0, ID_ROLE)) if item is not None else None

    def select_ids(self, ids: list[int]) -> None:
        wanted = set(ids)
        self.tree.clearSelection()
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if int(item.data(0, ID_ROLE)) in wanted:
                if self.tree.currentItem() is None or int(self.tree.currentItem().data(0, ID_ROLE)) not in wanted:
                    self.tree.setCurrentItem(item)
                item.setSelected(True)

    def _on_current(self, current: QTreeWidgetItem | None, _previous) -> None:
        self.currentTrackChanged.emit(int(current.data(0, ID_ROLE)) if current is not None else None)
