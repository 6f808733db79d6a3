"""The library table: an id list from SQL plus a lazy, paged row cache.

Sorting and filtering re-query the ids in SQL (LibraryReader.track_ids); row contents are fetched a
page at a time only for rows a view actually asks about, so 100,000 tracks cost one id query and a
few small page queries while scrolling.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import replace
from typing import Any, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QFont, QPalette
from PySide6.QtWidgets import QApplication

from genre_desktop.ui.genre_colors import genre_color
from genre_desktop.ui.itemmodels.columns import COLUMN_INDEX, COLUMNS
from genre_desktop.ui.itemmodels.tooltips import top_genres, track_tooltip
from genre_desktop.ui.itemmodels.track_query import IdLoader, RowSource, TrackQuery, query_ids

log = logging.getLogger(__name__)

ROW_OBJECT_ROLE = Qt.ItemDataRole.UserRole + 1  # the TrackRow itself
SORT_ROLE = Qt.ItemDataRole.UserRole + 2  # a raw value (float for confidence, never "87%")
TRACK_ID_ROLE = Qt.ItemDataRole.UserRole + 3

PAGE_SIZE = 200
CACHE_PAGES = 25  # at most 5,000 rows kept in memory
MAX_INCREMENTAL_RUNS = 64  # beyond this many separate inserts/removals a reset is cheaper
SCANNED_LOOKUPS = 4  # row_of scans the ids this often before it builds a map


_ROW_FLAGS = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
              | Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemNeverHasChildren)
_RIGHT_ALIGNED = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_ANSWERED_ROLES = frozenset(int(r) for r in (
    TRACK_ID_ROLE, ROW_OBJECT_ROLE, SORT_ROLE, Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.FontRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.DecorationRole,
    Qt.ItemDataRole.TextAlignmentRole))


class TrackTableModel(QAbstractTableModel):
    queryApplied = Signal()  # a background query's ids are now shown

    def __init__(self, source: RowSource | None = None, parent=None) -> None:
        super().__init__(parent)
        self._source = source
        self._query = TrackQuery()
        self._ids: list[int] = []
        self._row_of: dict[int, int] | None = None  # built on demand
        self._lookups = 0  # row_of calls since the ids changed
        self._cache: OrderedDict[int, dict[int, Any]] = OrderedDict()  # page start -> {id: row}
        self._loader: IdLoader | None = None
        self._loading: TrackQuery | None = None
        self.page_fetches = 0  # how many page queries ran (tests, diagnostics)
        if source is not None:
            self._ids = self._query_ids()

    # -- querying ---------------------------------------------------------------------------
    @property
    def query(self) -> TrackQuery:
        return self._query

    def set_source(self, source: RowSource) -> None:
        self.beginResetModel()
        self._source = source
        self._cache.clear()
        self._ids = self._query_ids()
        self._rows_moved()
        self.endResetModel()

    def set_loader(self, loader: IdLoader | None) -> None:
        """Run filter/search queries through loader(query, done) (e.g. on a worker thread)."""
        self._loader = loader

    @property
    def loading(self) -> bool:
        return self._loading is not None

    def set_query(self, **changes: Any) -> None:
        """Change filter/sort fields (TrackQuery names) and re-query."""
        new = replace(self._query, **changes)
        if new == self._query:
            return
        self._query = new
        if self._loader is None:
            self._reset_to(self._query_ids())
            return
        # A search over 100k rows can take a few hundred ms: the old rows stay until it is done.
        self._loading = new
        self._loader(new, lambda ids: self._loaded(new, ids))

    def _loaded(self, query: TrackQuery, ids: list[int]) -> None:
        if query != self._query:
            return  # superseded by a newer query
        self._loading = None
        self._reset_to(list(ids))
        self.queryApplied.emit()

    def _reset_to(self, ids: list[int]) -> None:
        self.beginResetModel()
        self._cache.clear()
        self._ids = ids
        self._rows_moved()
        self.endResetModel()

    def _query_ids(self) -> list[int]:
        return [] if self._source is None else query_ids(self._source, self._query)

    def refresh(self, changed_ids: Sequence[int] = ()) -> None:
        """Re-query after library changes; keeps views' selection via row inserts/removes."""
        self.apply_ids(self._query_ids(), changed_ids)

    def apply_ids(self, new_ids: list[int], changed_ids: Sequence[int] = ()) -> None:
        """Take ids queried elsewhere (e.g. on a worker thread, for the current query)."""
        for track_id in changed_ids:
            self._forget_row(track_id)
        self._apply_ids(list(new_ids))
        self._emit_changed(changed_ids)

    def invalidate_rows(self, ids: Sequence[int]) -> None:
        """Rows whose contents changed (not their membership): drop cache, repaint."""
        for track_id in ids:
            self._forget_row(track_id)
        self._emit_changed(ids)

    def invalidate_all(self) -> None:
        """Every row's contents may have changed (e.g. the whole library was classified again)."""
        self._cache.clear()
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(COLUMNS) - 1))

    def _forget_row(self, track_id: int) -> None:
        for page in self._cache.values():
            page.pop(track_id, None)

    def _emit_changed(self, ids: Sequence[int]) -> None:
        rows = sorted(r for r in (self.row_of(i) for i in ids) if r is not None)
        if not rows:
            return
        # One signal per contiguous run keeps repaints cheap.
        start = prev = rows[0]
        for row in rows[1:] + [None]:
            if row is not None and row == prev + 1:
                prev = row
                continue
            self.dataChanged.emit(self.index(start, 0), self.index(prev, len(COLUMNS) - 1))
            if row is not None:
                start = prev = row

    def _apply_ids(self, new_ids: list[int]) -> bool:
        """Move from the current ids to new_ids with row removes/inserts. False if unchanged."""
        old = self._ids
        if old == new_ids:
            return False
        new_set, old_set = set(new_ids), set(old)
        survivors_old = [i for i in old if i in new_set]
        survivors_new = [i for i in new_ids if i in old_set]
        removals = _runs([k for k, i in enumerate(old) if i not in new_set])
        inserts = _runs([k for k, i in enumerate(new_ids) if i not in old_set])
        if survivors_old != survivors_new or len(removals) + len(inserts) > MAX_INCREMENTAL_RUNS:
            self.beginResetModel()
            self._ids = list(new_ids)
            self._rows_moved()
            self.endResetModel()
            return True
        for first, last in reversed(removals):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._ids[first:last + 1]
            self._rows_moved()
            self.endRemoveRows()
        for first, last in inserts:
            self.beginInsertRows(QModelIndex(), first, last)
            self._ids[first:first] = new_ids[first:last + 1]
            self._rows_moved()
            self.endInsertRows()
        self._cache.clear()  # pages are keyed by position, which just moved
        return True

    # -- lookups ----------------------------------------------------------------------------
    @property
    def ids(self) -> list[int]:
        return list(self._ids)

    def track_id(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, track_id: int) -> int | None:
        """The view row of a track (None if not shown). The first few lookups after the ids
        changed scan them (about 1 ms at 100,000 rows, where building the map takes 15)."""
        if self._row_of is None:
            self._lookups += 1
            if self._lookups <= SCANNED_LOOKUPS:
                try:
                    return self._ids.index(track_id)
                except ValueError:
                    return None
            self._row_of = {tid: row for row, tid in enumerate(self._ids)}
        return self._row_of.get(track_id)

    def _rows_moved(self) -> None:
        self._row_of = None
        self._lookups = 0

    def track_row(self, row: int) -> Any:
        """The TrackRow at a view row (fetching its page if needed); None if it vanished."""
        if not 0 <= row < len(self._ids):
            return None
        start = row - row % PAGE_SIZE
        page = self._cache.get(start)
        track_id = self._ids[row]
        if page is None or track_id not in page:
            page = self._fetch_page(start)
        else:
            self._cache.move_to_end(start)
        return page.get(track_id)

    def _fetch_page(self, start: int) -> dict[int, Any]:
        ids = self._ids[start:start + PAGE_SIZE]
        page = self._cache.get(start, {})
        missing = [i for i in ids if i not in page]
        if missing and self._source is not None:
            self.page_fetches += 1
            page.update(self._source.rows(missing))
        self._cache[start] = page
        self._cache.move_to_end(start)
        while len(self._cache) > CACHE_PAGES:
            self._cache.popitem(last=False)
        return page

    # -- Qt model API -----------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].header
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return _ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS) or self._query.playlist is not None:
            return  # a playlist keeps its own order
        self.layoutAboutToBeChanged.emit()
        old_ids = self._ids
        self._query = replace(self._query, sort=COLUMNS[column].key,
                              descending=order == Qt.SortOrder.DescendingOrder)
        self._ids = self._query_ids()
        self._rows_moved()
        self._cache.clear()
        # Keep persistent indexes (selection, current row) on the same tracks.
        new_rows = {tid: row for row, tid in enumerate(self._ids)}
        persistent = self.persistentIndexList()
        moved = []
        for index in persistent:
            tid = old_ids[index.row()] if index.row() < len(old_ids) else None
            row = new_rows.get(tid) if tid is not None else None
            moved.append(self.index(row, index.column()) if row is not None else QModelIndex())
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ANSWERED_ROLES or not index.isValid():
            return None  # a view asks a dozen roles per cell and each paint: answer most at once
        if role == TRACK_ID_ROLE:
            return self._ids[index.row()]
        row = self.track_row(index.row())
        if row is None:
            return None
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.display(row)
        if role == ROW_OBJECT_ROLE:
            return row
        if role == SORT_ROLE:
            return column.raw(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return track_tooltip(row, column.key, lambda: self._top_candidates(row.id))
        if role == Qt.ItemDataRole.FontRole and column.key == "genre":
            font = QFont()
            font.setItalic(bool(row.uncertain))
            font.setBold(row.genre_source == "you")
            return font
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.status == "missing" or (column.key == "genre" and row.uncertain):
                return QBrush(QApplication.palette().color(QPalette.ColorRole.PlaceholderText))
            return None
        if role == Qt.ItemDataRole.DecorationRole and column.key == "genre" and row.genre:
            return genre_color(row.genre)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.key == "duration":
            return _RIGHT_ALIGNED
        return None

    def _top_candidates(self, track_id: int) -> list[tuple[str, float]]:
        """Only for tooltips (one hovered row at a time), so a detail query is fine."""
        detail_of = getattr(self._source, "detail", None)
        detail = detail_of(track_id) if detail_of is not None else None
        return top_genres(detail.probabilities) if detail is not None else []


def _runs(positions: list[int]) -> list[tuple[int, int]]:
    """[3,4,5,9] -> [(3,5),(9,9)]"""
    runs: list[tuple[int, int]] = []
    for p in positions:
        if runs and runs[-1][1] == p - 1:
            runs[-1] = (runs[-1][0], p)
        else:
            runs.append((p, p))
    return runs


def column_of(key: str) -> int:
    return COLUMN_INDEX[key]
