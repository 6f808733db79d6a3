"""The library table with its search box. Keeps the selection on the same tracks across
re-queries (scan updates, corrections) and reports the current track."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QTableView, QVBoxLayout, QWidget

from genre_desktop.ui.delegates.confidence_delegate import ConfidenceDelegate
from genre_desktop.ui.itemmodels.columns import COLUMN_INDEX, COLUMNS
from genre_desktop.ui.itemmodels.track_table_model import TrackTableModel
from genre_desktop.ui.widgets.column_fitter import ColumnFitter

SEARCH_DEBOUNCE_MS = 150
MAX_RESTORED_SELECTION = 5000


class LibraryPanel(QWidget):
    currentTrackChanged = Signal(object)  # track id or None
    selectionCountChanged = Signal(int)
    contextMenuRequested = Signal(object)  # global position
    activated = Signal(int)  # track id (double-click / Enter): preview it

    def __init__(self, model: TrackTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search title, artist, album, genre  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setObjectName("searchBox")
        self.count_label = QLabel("")
        self.count_label.setObjectName("hint")
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self._apply_search)

        self.table = QTableView()
        self.table.setObjectName("libraryTable")
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setDragEnabled(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setHighlightSections(False)
        self.table.horizontalHeader().setSortIndicator(COLUMN_INDEX["title"], Qt.SortOrder.AscendingOrder)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, spec in enumerate(COLUMNS):
            self.table.setColumnWidth(column, spec.width)
        # Narrow windows: title, album and artist give way so genre and confidence stay visible;
        # Sounds like, the tag, album and length hide first.
        self.fitter = ColumnFitter(self.table, [spec.width for spec in COLUMNS],
                                   [COLUMN_INDEX[k] for k in ("album", "artist", "title", "tag_genre")],
                                   [spec.least for spec in COLUMNS],
                                   [COLUMN_INDEX[k] for k in ("sounds_like", "tag_genre", "album", "duration")])
        self.table.setItemDelegateForColumn(COLUMN_INDEX["confidence"], ConfidenceDelegate(self.table))
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(
            lambda pos: self.contextMenuRequested.emit(self.table.viewport().mapToGlobal(pos)))
        # Enter or double-click (as the platform defines activation) previews the track.
        self.table.activated.connect(lambda index: self.activated.emit(model.track_id(index.row())))
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)

        model.modelAboutToBeReset.connect(self._remember)
        model.modelReset.connect(self._restore)
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved):
            signal.connect(self._update_count)
        self._remembered: tuple[list[int], int | None, int | None] = ([], None, None)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self._update_count()

    def _apply_search(self) -> None:
        self._debounce.stop()
        self.model.set_query(search=self.search.text().strip())
        self.search.setModified(False)  # applied: Undo now reaches the library (ui/undo_router.py)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # -- selection ------------------------------------------------------------------------------
    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.track_id(r) for r in rows]

    def current_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.track_id(index.row()) if index.isValid() else None

    def select_ids(self, ids: list[int], current: int | None = None) -> None:
        selection = QItemSelection()
        last = self.model.columnCount() - 1
        for track_id in ids:
            row = self.model.row_of(track_id)
            if row is not None:
                selection.select(self.model.index(row, 0), self.model.index(row, last))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().select(selection, flags)
        current_row = self.model.row_of(current) if current is not None else None
        if current_row is not None:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(current_row, 0), QItemSelectionModel.SelectionFlag.NoUpdate)

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _remember(self) -> None:
        top = self.table.indexAt(self.table.viewport().rect().topLeft())
        top_id = self.model.track_id(top.row()) if top.isValid() else None
        self._remembered = (self.selected_ids()[:MAX_RESTORED_SELECTION], self.current_id(), top_id)

    def _restore(self) -> None:
        ids, current, top_id = self._remembered
        if ids or current is not None:
            self.select_ids(ids, current)
        row = self.model.row_of(top_id) if top_id is not None else None
        if row is not None:
            self.table.scrollTo(self.model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtTop)

    def _on_selection(self, *_args) -> None:
        self.selectionCountChanged.emit(len(self.table.selectionModel().selectedRows()))

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.currentTrackChanged.emit(self.model.track_id(current.row()) if current.isValid() else None)

    def _update_count(self, *_args) -> None:
        n = self.model.rowCount()
        self.count_label.setText(f"{n:,} track{'s' if n != 1 else ''}")
