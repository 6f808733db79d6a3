"""The staged diff of a tag write: one row per file, sortable by any column.

Sorting happens here with Python key functions rather than in a proxy: a whole-library plan can
hold 100,000 rows, and a proxy would call data() for every comparison.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from genre_desktop.library.db import printable
from genre_desktop.ui.itemmodels.columns import SOURCE_LABELS
from genre_desktop.ui.itemmodels.tooltips import SOURCE_TIPS

Index = QModelIndex | QPersistentModelIndex
NO_TAG = "(none)"


def file_name(change: Any) -> str:
    return printable(os.path.basename(change.path))


def source_text(change: Any) -> str:
    return SOURCE_LABELS.get(change.source, change.source)


def confidence_text(change: Any) -> str:
    return "" if change.confidence is None or change.source == "you" else f"{change.confidence:.0%}"


def sounds_text(change: Any) -> str:
    """'Chill, Mellow · Rock': the moods, then the styles written (a field left alone shows none)."""
    return " · ".join(", ".join(values) for values in (change.moods, change.styles) if values)


def sounds_tooltip(change: Any) -> str:
    lines = []
    for name, new, now in (("Mood", change.moods, change.current_moods),
                           ("Style", change.styles, change.current_styles)):
        now_text = ", ".join(now) or NO_TAG
        lines.append(f"{name}: {', '.join(new)} (now {now_text})" if new else f"{name}: stays {now_text}")
    return "\n".join(lines)


@dataclass(frozen=True)
class ChangeColumn:
    header: str
    display: Callable[[Any], str]
    key: Callable[[Any], Any]  # sort key: raw and comparable


COLUMNS: tuple[ChangeColumn, ...] = (
    ChangeColumn("File", file_name, lambda c: file_name(c).lower()),
    ChangeColumn("Current genre tag", lambda c: c.current or NO_TAG, lambda c: (c.current or "").lower()),
    ChangeColumn("New genre", lambda c: c.new, lambda c: c.new.lower()),
    ChangeColumn("Source", source_text, source_text),
    # Your corrections sort above every model confidence.
    ChangeColumn("Confidence", confidence_text,
                 lambda c: 2.0 if c.source == "you" else (c.confidence if c.confidence is not None else -1.0)),
    ChangeColumn("New mood · style", sounds_text, lambda c: sounds_text(c).lower()),
)
FILE, CURRENT, NEW, SOURCE, CONFIDENCE, SOUNDS = range(len(COLUMNS))


class TagChangeModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.changes: list[Any] = []
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def set_changes(self, changes: Sequence[Any]) -> None:
        self.beginResetModel()
        self.changes = list(changes)
        if self._sort is not None:
            self._sort_rows(*self._sort)
        self.endResetModel()

    def change_at(self, row: int) -> Any:
        return self.changes[row]

    # -- Qt model -------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.changes)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].header
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        change, column = self.changes[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[column].display(change)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == FILE:
                return printable(change.path)
            if column in (SOURCE, CONFIDENCE):
                return SOURCE_TIPS.get(change.source)
            if column == CURRENT and not change.current:
                return "The file has no genre tag yet"
            if column == NEW and not change.writes_genre:
                return "The file already has this genre; it stays as it is"
            if column == SOUNDS:
                return sounds_tooltip(change)
        if role == Qt.ItemDataRole.ForegroundRole and (
                (column == CURRENT and not change.current) or (column == NEW and not change.writes_genre)):
            return Qt.GlobalColor.gray
        if role == Qt.ItemDataRole.TextAlignmentRole and column == CONFIDENCE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        before = self.persistentIndexList()
        old_rows = [index.row() for index in before]
        was = {id(change): row for row, change in enumerate(self.changes)}
        self._sort_rows(column, order)
        now = {was[id(change)]: row for row, change in enumerate(self.changes)}
        self.changePersistentIndexList(
            before, [self.index(now[row], index.column()) for row, index in zip(old_rows, before)])
        self.layoutChanged.emit()

    def _sort_rows(self, column: int, order: Qt.SortOrder) -> None:
        key = COLUMNS[column].key
        self.changes.sort(key=lambda c: (key(c), c.path), reverse=order == Qt.SortOrder.DescendingOrder)
