"""The sidebar: library filters (All, Uncertain, each genre with its count), the review queue,
playlists, problems."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from genre_desktop.ui.genre_colors import genre_color

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class SidebarEntry:
    kind: str  # 'all' | 'uncertain' | 'genre' | 'unmapped' | 'missing' | 'review' | 'playlist' | 'problems'
    value: Any = None


def color_icon(color: QColor, size: int = 12) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    painter.drawRoundedRect(0, 0, size, size, 3, 3)
    painter.end()
    return QIcon(pixmap)


class Sidebar(QTreeWidget):
    entryChosen = Signal(object)  # SidebarEntry
    playlistContextRequested = Signal(int, object)  # playlist id, global pos

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.setMinimumWidth(150)  # section titles and "All tracks" stay readable
        self.setColumnCount(2)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(10)
        self.setUniformRowHeights(True)
        self.setIconSize(QSize(12, 12))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._on_context_menu)
        self._library = self._section("LIBRARY")
        self._review = self._section("YOUR MODEL")
        self._playlists = self._section("PLAYLISTS")
        self._problems = self._section("PROBLEMS")
        self.currentItemChanged.connect(self._on_current_changed)
        self._current = SidebarEntry("all")
        self.set_review_count(None)

    def _section(self, title: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem(self, [title])
        font = QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 0.85)
        item.setFont(0, font)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        item.setExpanded(True)
        return item

    def _add(self, parent: QTreeWidgetItem, label: str, count: int | None, entry: SidebarEntry,
             icon: QIcon | None = None, tooltip: str = "") -> QTreeWidgetItem:
        item = QTreeWidgetItem(parent, [label, "" if count is None else f"{count:,}"])
        item.setData(0, ENTRY_ROLE, entry)
        item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setForeground(1, self.palette().placeholderText())
        if icon is not None:
            item.setIcon(0, icon)
        if tooltip:
            item.setToolTip(0, tooltip)
        return item

    def set_library(self, total: int, counts: dict[str, int], uncertain: int, known_genres: list[str],
                    missing: int = 0, unmapped: int = 0) -> None:
        """Rebuild the LIBRARY section, keeping the current choice selected."""
        self.blockSignals(True)
        self._library.takeChildren()
        self._add(self._library, "All tracks", total, SidebarEntry("all"))
        self._add(self._library, "Uncertain", uncertain, SidebarEntry("uncertain"),
                  color_icon(QColor("#bdbdbd")),
                  "Tracks the model is not sure about and you have not labelled yet")
        names = list(known_genres) + sorted(g for g in counts if g not in known_genres)
        for genre in names:
            self._add(self._library, genre, counts.get(genre, 0), SidebarEntry("genre", genre),
                      color_icon(genre_color(genre)))
        if unmapped:
            self._add(self._library, "Unmapped tags", unmapped, SidebarEntry("unmapped"),
                      tooltip="Genre tags no mapping knows: each counts as a genre of its own "
                              "until you map it (opens Genre mapping)")
        if missing:
            self._add(self._library, "Missing files", missing, SidebarEntry("missing"),
                      tooltip="Tracks whose files were not found at the last scan")
        self.blockSignals(False)
        self._reselect()

    def set_playlists(self, playlists: list[tuple[int, str, int]]) -> None:
        self.blockSignals(True)
        self._playlists.takeChildren()
        for pid, name, count in playlists:
            self._add(self._playlists, name, count, SidebarEntry("playlist", pid))
        if not playlists:
            hint = QTreeWidgetItem(self._playlists, ["No playlists yet (Ctrl+P)"])
            hint.setFlags(Qt.ItemFlag.NoItemFlags)
        self.blockSignals(False)
        self._reselect()

    def set_review_count(self, count: int | None) -> None:
        """The review queue's length (None: not looked for yet)."""
        self.blockSignals(True)
        self._review.takeChildren()
        self._add(self._review, "Review queue", count, SidebarEntry("review"),
                  tooltip="Tracks where your answer teaches the model most (Alt+4)")
        self.blockSignals(False)
        self._reselect()

    def set_problem_count(self, count: int) -> None:
        self.blockSignals(True)
        self._problems.takeChildren()
        self._add(self._problems, "Files that could not be read", count, SidebarEntry("problems"))
        self.blockSignals(False)
        self._reselect()

    @property
    def current_entry(self) -> SidebarEntry:
        return self._current

    def choose(self, entry: SidebarEntry) -> bool:
        item = self._find(entry)
        if item is None:
            return False
        self.setCurrentItem(item)
        return True

    def item_for(self, entry: SidebarEntry) -> QTreeWidgetItem | None:
        return self._find(entry)

    def _find(self, entry: SidebarEntry) -> QTreeWidgetItem | None:
        for section in (self._library, self._review, self._playlists, self._problems):
            for i in range(section.childCount()):
                child = section.child(i)
                if child.data(0, ENTRY_ROLE) == entry:
                    return child
        return None

    def _reselect(self) -> None:
        item = self._find(self._current)
        fallback = item is None
        if fallback:
            item = self._find(SidebarEntry("all"))
        if item is None:
            return
        self.blockSignals(True)
        self.setCurrentItem(item)
        self.blockSignals(False)
        if fallback and self._current != SidebarEntry("all"):
            self._current = SidebarEntry("all")  # the chosen genre/playlist is gone
            self.entryChosen.emit(self._current)

    def _on_current_changed(self, current: QTreeWidgetItem | None, _previous) -> None:
        entry = current.data(0, ENTRY_ROLE) if current is not None else None
        if isinstance(entry, SidebarEntry) and entry != self._current:
            self._current = entry
            self.entryChosen.emit(entry)

    def _on_context_menu(self, pos) -> None:
        item = self.itemAt(pos)
        entry = item.data(0, ENTRY_ROLE) if item is not None else None
        if isinstance(entry, SidebarEntry) and entry.kind == "playlist":
            self.playlistContextRequested.emit(entry.value, self.viewport().mapToGlobal(pos))
