"""The window at 1024x640: nothing clipped, nothing off screen, and a Track panel that gives way."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from genre_desktop.ui.itemmodels.columns import COLUMN_INDEX
from genre_desktop.ui.widgets.column_fitter import HEADER_PADDING
from tests.ui.conftest import wait_until_idle


def _settle(qtbot, window, width: int, height: int) -> None:
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.width() == width and window.height() == height, timeout=3000)
    qtbot.wait(50)
    QApplication.processEvents()


def _visible_columns(table) -> list[int]:
    header = table.horizontalHeader()
    return [c for c in range(header.count()) if not header.isSectionHidden(c)]


def _assert_every_header_whole_and_on_screen(table) -> None:
    header = table.horizontalHeader()
    metrics = header.fontMetrics()
    right_edge = table.viewport().width()
    for column in _visible_columns(table):
        text = table.model().headerData(column, Qt.Orientation.Horizontal)
        left = header.sectionViewportPosition(column)
        size = header.sectionSize(column)
        assert left >= 0 and left + size <= right_edge + 1, f"{text} is off screen ({left}+{size} > {right_edge})"
        # The text plus the header's margins and sort arrow fits: nothing is clipped or elided.
        assert size >= metrics.horizontalAdvance(text) + HEADER_PADDING - 2, f"{text} is clipped at {size}px"
    assert table.horizontalScrollBar().maximum() == 0  # no column to scroll to


def test_window_works_at_1024x640(qtbot, seeded_window):
    window = seeded_window
    assert window.minimumSizeHint().width() <= 1000
    _settle(qtbot, window, 1024, 640)
    wait_until_idle(qtbot, window)
    table = window.library_panel.table
    _assert_every_header_whole_and_on_screen(table)
    shown = _visible_columns(table)
    for key in ("title", "artist", "genre", "confidence", "source"):
        assert COLUMN_INDEX[key] in shown
    # The sidebar's words are whole: section titles and "All tracks".
    sidebar = window.sidebar
    metrics = sidebar.fontMetrics()
    for text in ("LIBRARY", "All tracks", "Uncertain"):
        assert sidebar.columnWidth(0) >= metrics.horizontalAdvance(text) + 24, text
    assert window.detail_dock.isVisible() and window.detail_dock.width() <= 1024 // 4 + 2

    # The Track panel collapses (Ctrl+I) and the table takes the room: hidden columns come back.
    window.activateWindow()
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.detail_dock.isVisible())
    qtbot.waitUntil(lambda: len(_visible_columns(table)) > len(shown))
    _assert_every_header_whole_and_on_screen(table)
    qtbot.keyClick(table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.detail_dock.isVisible())

    # It can be resized (what dragging its edge does), and the columns follow.
    window.resizeDocks([window.detail_dock], [230], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: abs(window.detail_dock.width() - 230) <= 4)
    QApplication.processEvents()
    _assert_every_header_whole_and_on_screen(table)


def test_every_tab_fits_at_1024x640(qtbot, seeded_window):
    window = seeded_window
    _settle(qtbot, window, 1024, 640)
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        QApplication.processEvents()
        window.grab()  # paints every page once, as a real screen would
        assert window.width() == 1024, window.tabs.tabText(index)
        page = window.tabs.currentWidget()
        assert page.width() >= page.minimumSizeHint().width()
