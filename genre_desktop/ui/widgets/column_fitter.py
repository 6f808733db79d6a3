"""Keeps every shown column of a table on screen: when the view is narrower than the columns'
chosen widths, the wide text columns give way first (never below their header text), and when
even that does not fit the least needed columns are hidden until there is room again. A narrow
window so never pushes the genre and confidence columns out of sight. Widths the user drags are
kept as the ones to return to."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QTableView

HEADER_PADDING = 26  # margins plus the sort indicator, so a header's text is never cut


class ColumnFitter(QObject):
    def __init__(self, table: QTableView, preferred: list[int], give_way: list[int],
                 least: list[int] | None = None, hide_first: list[int] | None = None) -> None:
        """preferred: each column's width with room to spare; give_way: the columns that shrink
        first, in order (the others shrink last); least: how narrow each may get beyond its
        header text (e.g. room for "hiphop (tag)"); hide_first: the columns hidden, in order,
        when even the narrowest widths do not fit (shown again when they do)."""
        super().__init__(table)
        self.hide_first = list(hide_first or [])
        self.auto_hidden: list[int] = []
        self.least = list(least or [0] * len(preferred))
        self.table = table
        self.preferred = list(preferred)
        self.give_way = list(give_way)
        self._fitting = False
        header = table.horizontalHeader()
        header.sectionResized.connect(self._on_resized)
        table.viewport().installEventFilter(self)

    def show_auto_hidden(self) -> None:
        """Before saving the header's state: columns hidden for room are not the user's choice."""
        header = self.table.horizontalHeader()
        self._fitting = True
        try:
            while self.auto_hidden:
                header.setSectionHidden(self.auto_hidden.pop(), False)
        finally:
            self._fitting = False

    def minimum_width(self, column: int) -> int:
        header = self.table.horizontalHeader()
        text = str(self.table.model().headerData(column, header.orientation()) or "")
        return max(header.fontMetrics().horizontalAdvance(text) + HEADER_PADDING, self.least[column])

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def _on_resized(self, column: int, _old: int, new: int) -> None:
        last = self.table.horizontalHeader().count() - 1
        if not self._fitting and column != last and column < len(self.preferred):
            self.preferred[column] = max(new, self.minimum_width(column))
            self.fit()

    def fit(self) -> None:
        header = self.table.horizontalHeader()
        available = self.table.viewport().width()
        if available <= 0:
            return
        self._fitting = True
        try:
            columns = self._choose_columns(available)
            widths = {c: max(self.preferred[c], self.minimum_width(c)) for c in columns}
            excess = sum(widths.values()) - available
            order = [c for c in self.give_way if c in widths] + [c for c in columns if c not in self.give_way]
            for column in order:
                if excess <= 0:
                    break
                cut = min(excess, widths[column] - self.minimum_width(column))
                if cut > 0:
                    widths[column] -= cut
                    excess -= cut
            for column, width in widths.items():
                if column != columns[-1] or not header.stretchLastSection():
                    header.resizeSection(column, width)
        finally:
            self._fitting = False

    def _choose_columns(self, available: int) -> list[int]:
        """Hide the least needed columns while even the narrowest widths do not fit; show them
        again, most needed first, once they do."""
        header = self.table.horizontalHeader()
        count = min(header.count(), len(self.preferred))
        shown = [c for c in range(count) if not header.isSectionHidden(c)]
        need = sum(self.minimum_width(c) for c in shown)
        for column in self.hide_first:
            if need <= available:
                break
            if column in shown and len(shown) > 1:
                header.setSectionHidden(column, True)
                self.auto_hidden.append(column)
                shown.remove(column)
                need -= self.minimum_width(column)
        while self.auto_hidden and need + self.minimum_width(self.auto_hidden[-1]) <= available:
            column = self.auto_hidden.pop()
            header.setSectionHidden(column, False)
            need += self.minimum_width(column)
        return [c for c in range(count) if not header.isSectionHidden(c)]
