"""Correcting genres in the window: shortcuts, dialog, combo box, undo/redo, always through the writer."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.ui.conftest import wait_until_idle
from tests.ui.seed import GENRES


def label_history(db_path) -> list[tuple[int, str | None]]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("SELECT track_id, genre FROM labels ORDER BY id").fetchall()
    finally:
        conn.close()


def shown(window, track_id):
    return window.model.track_row(window.model.row_of(track_id))


def test_shortcut_sets_genre_of_all_selected_tracks_and_undo_restores(qtbot, seeded_window):
    window = seeded_window
    ids = [1, 2, 3]
    before = {i: shown(window, i) for i in ids}
    window.library_panel.select_ids(ids, current=1)
    window.activateWindow()
    QTest.keyClick(window.library_panel.table, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)  # jazz
    qtbot.waitUntil(lambda: all(shown(window, i).genre == "jazz" for i in ids), timeout=5000)
    assert all(shown(window, i).genre_source == "you" for i in ids)
    assert label_history(window.context.db_path) == [(1, "jazz"), (2, "jazz"), (3, "jazz")]
    assert window.labels.undo_stack.undoText() == "Set 3 tracks to jazz"

    QTest.keyClick(window.library_panel.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: all(shown(window, i).genre == before[i].genre for i in ids), timeout=5000)
    assert all(shown(window, i).genre_source == before[i].genre_source for i in ids)
    assert label_history(window.context.db_path)[-3:] == [(1, None), (2, None), (3, None)]

    QTest.keyClick(window.library_panel.table, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: all(shown(window, i).genre == "jazz" for i in ids), timeout=5000)


def test_undo_puts_back_a_previous_correction_not_the_model(qtbot, seeded_window):
    window = seeded_window
    window.labels.set_genre("metal", [5])
    window.labels.set_genre("Shoegaze", [5])  # a custom genre ("none of these")
    qtbot.waitUntil(lambda: shown(window, 5).genre == "Shoegaze", timeout=5000)
    window.labels.undo_stack.undo()
    qtbot.waitUntil(lambda: shown(window, 5).genre == "metal", timeout=5000)
    assert label_history(window.context.db_path) == [(5, "metal"), (5, "Shoegaze"), (5, "metal")]


def test_clear_correction_and_custom_genres_reach_the_sidebar(qtbot, seeded_window):
    window = seeded_window
    window.labels.set_genre("Shoegaze", [7, 8])
    qtbot.waitUntil(lambda: window.refresher.summary.counts.get("Shoegaze") == 2, timeout=5000)
    wait_until_idle(qtbot, window)
    from genre_desktop.ui.panels.sidebar import SidebarEntry

    assert window.sidebar.item_for(SidebarEntry("genre", "Shoegaze")) is not None
    assert "Shoegaze" in window.genre_choices()
    window.library_panel.select_ids([7], current=7)
    window.actions.clear_genre.trigger()
    qtbot.waitUntil(lambda: shown(window, 7).genre_source != "you", timeout=5000)
    assert shown(window, 8).genre == "Shoegaze"


def test_detail_combo_sets_genre_of_the_selection(qtbot, seeded_window):
    window = seeded_window
    window.library_panel.select_ids([4], current=4)
    assert window.detail.detail.row.id == 4
    combo = window.detail.genre_combo
    index = combo.findData("reggae")
    combo.activated.emit(index)
    qtbot.waitUntil(lambda: shown(window, 4).genre == "reggae", timeout=5000)
    qtbot.waitUntil(lambda: window.detail.detail.row.genre_source == "you", timeout=5000)
    assert window.detail.genre_combo.currentData() == "reggae"


def test_set_genre_dialog_accepts_free_text(qtbot, seeded_window, monkeypatch):
    from genre_desktop.ui.dialogs import set_genre_dialog

    window = seeded_window
    window.library_panel.select_ids([9, 10], current=9)

    def fake_exec(dialog):
        dialog.combo.setCurrentText("  Space   Rock ")
        return set_genre_dialog.SetGenreDialog.DialogCode.Accepted

    monkeypatch.setattr(set_genre_dialog.SetGenreDialog, "exec", fake_exec)
    window.actions.set_genre.trigger()
    qtbot.waitUntil(lambda: shown(window, 9).genre == "Space Rock" and shown(window, 10).genre == "Space Rock",
                    timeout=5000)


def test_uncertain_rows_are_marked_and_filterable(qtbot, seeded_window):
    window = seeded_window
    from genre_desktop.ui.itemmodels.columns import COLUMN_INDEX
    from genre_desktop.ui.panels.sidebar import SidebarEntry

    window.sidebar.choose(SidebarEntry("uncertain"))
    wait_until_idle(qtbot, window)
    n = window.model.rowCount()
    assert n == window.refresher.summary.uncertain > 0
    for row in range(n):
        track = window.model.track_row(row)
        index = window.model.index(row, COLUMN_INDEX["genre"])
        assert track.uncertain
        assert window.model.data(index, Qt.ItemDataRole.FontRole).italic()
        tip = window.model.data(index, Qt.ItemDataRole.ToolTipRole)
        if track.genre_source == "file tag":  # the tag, with its own marker and the model's guess
            assert window.model.data(index) == f"{track.genre} (tag)"
            assert "genre tag" in tip and "best guess is" in tip
            continue
        assert window.model.data(index).endswith("?")
        assert "Uncertain" in tip and f"  {track.genre}  " in tip  # top candidates listed
    assert set(GENRES) >= {window.model.track_row(r).genre for r in range(n)}
