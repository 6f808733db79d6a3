"""Undo/Redo reach the library from anywhere in the window; a text field keeps Ctrl+Z only while
it holds text not yet applied."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest


def shown(window, track_id):
    return window.model.track_row(window.model.row_of(track_id))


def test_ctrl_z_in_the_search_box_undoes_the_correction(qtbot, seeded_window):
    window = seeded_window
    before = shown(window, 1).genre
    assert before != "jazz"
    window.library_panel.select_ids([1], current=1)
    window.activateWindow()
    table = window.library_panel.table
    table.setFocus()
    QTest.keyClick(table, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)  # jazz
    qtbot.waitUntil(lambda: shown(window, 1).genre == "jazz", timeout=5000)

    QTest.keyClick(table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    search = window.library_panel.search
    qtbot.waitUntil(search.hasFocus)
    # Typed and not yet applied: the field's own undo comes first.
    QTest.keyClicks(search, "zz")
    assert search.isModified()
    QTest.keyClick(search, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert search.text() == ""
    assert window.labels.undo_stack.canUndo()  # the correction is still there to undo

    QTest.keyClicks(search, "Song 1")
    qtbot.waitUntil(lambda: window.model.query.search == "Song 1" and not window.model.loading, timeout=5000)
    assert window.model.row_of(1) is not None and search.hasFocus()
    # Applied: Ctrl+Z in the search box now undoes the correction, and the search stays.
    QTest.keyClick(search, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: shown(window, 1).genre == before, timeout=5000)
    assert search.text() == "Song 1" and search.hasFocus()
    # Redo too, from the same field.
    QTest.keyClick(search, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: shown(window, 1).genre == "jazz", timeout=5000)
    QTest.keyClick(search, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)  # nothing left to redo
    assert shown(window, 1).genre == "jazz" and search.text() == "Song 1"


def test_undo_from_the_track_panel(qtbot, seeded_window):
    window = seeded_window
    window.library_panel.select_ids([2], current=2)
    before = shown(window, 2).genre
    combo = window.detail.genre_combo
    qtbot.waitUntil(lambda: window.detail.detail is not None and window.detail.detail.row.id == 2)
    combo.setFocus()
    combo.setCurrentIndex(combo.findData("metal"))
    combo.activated.emit(combo.currentIndex())
    qtbot.waitUntil(lambda: shown(window, 2).genre == "metal", timeout=5000)
    QTest.keyClick(combo, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: shown(window, 2).genre == before, timeout=5000)
