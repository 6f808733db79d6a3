"""Playlists that live: the name follows the genres until typed, and a saved playlist can be
renamed, edited, duplicated, exported again, and follows the library like a smart playlist."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog

from genre_desktop.ui.panels.sidebar import SidebarEntry
from tests.ui.conftest import wait_until_idle


def _check(qtbot, dialog, genre: str) -> None:
    genres = dialog.form.genre_list
    row = next(r for r in range(genres.count()) if genres.item(r).data(Qt.ItemDataRole.UserRole) == genre)
    genres.setFocus()
    genres.setCurrentRow(row)
    qtbot.keyClick(genres, Qt.Key.Key_Space)


def _settle(qtbot, dialog):
    qtbot.waitUntil(lambda: not dialog.is_updating, timeout=5000)
    return dialog.tracks


def _playlists(window) -> dict[str, int]:
    return {p.name: p.id for p in window.context.library.reader.playlists()}


def _menu_action(window, playlist_id: int, text: str):
    menu = window.commands.playlist_menu(playlist_id, None)
    return next(a for a in menu.actions() if a.text() == text)


def test_name_follows_the_genres_until_typed(qtbot, seeded_window):
    window = seeded_window
    window.activateWindow()
    qtbot.keyClick(window.library_panel.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = window.commands.playlist_dialog
    assert dialog.name.text() == "All genres"
    _check(qtbot, dialog, "blues")
    assert dialog.name.text() == "blues"
    _check(qtbot, dialog, "jazz")
    assert dialog.name.text() == "blues + jazz"
    dialog.name.setFocus()
    dialog.name.selectAll()
    qtbot.keyClicks(dialog.name, "Late night")
    _check(qtbot, dialog, "metal")
    assert dialog.name.text() == "Late night"
    dialog.name.selectAll()
    qtbot.keyClick(dialog.name, Qt.Key.Key_Delete)  # emptied: the genres name it again
    _check(qtbot, dialog, "metal")
    assert dialog.name.text() == "blues + jazz"
    dialog.reject()


def test_a_saved_playlist_is_renamed_edited_duplicated_exported_and_follows_the_library(
        qtbot, seeded_window, tmp_path, monkeypatch):
    window = seeded_window
    library = window.context.library
    dialog = window.commands.open_playlist_dialog()
    dialog.form.min_confidence.setValue(0)
    _check(qtbot, dialog, "jazz")
    _check(qtbot, dialog, "blues")
    tracks = _settle(qtbot, dialog)
    assert tracks and {t.genre for t in tracks} == {"jazz", "blues"}
    with qtbot.waitSignal(dialog.saved, timeout=5000) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    dialog.reject()
    playlist_id = saved.args[0]
    wait_until_idle(qtbot, window)

    # Rename, through the dialog the menu opens.
    def type_name():
        box = QApplication.activeModalWidget()
        assert isinstance(box, QInputDialog)
        box.setTextValue("Evening")
        box.accept()

    QTimer.singleShot(100, type_name)
    _menu_action(window, playlist_id, "Rename…").trigger()
    qtbot.waitUntil(lambda: "Evening" in _playlists(window), timeout=5000)
    qtbot.waitUntil(lambda: window.sidebar.item_for(SidebarEntry("playlist", playlist_id)).text(0) == "Evening",
                    timeout=5000)

    _menu_action(window, playlist_id, "Duplicate").trigger()
    qtbot.waitUntil(lambda: "Evening (copy)" in _playlists(window), timeout=5000)
    copy_id = _playlists(window)["Evening (copy)"]
    assert library.reader.playlist_track_ids(copy_id) == library.reader.playlist_track_ids(playlist_id)

    # Edit its rules: blues out.
    _menu_action(window, playlist_id, "Edit rules…").trigger()
    editor = window.commands.playlist_dialog
    assert editor.windowTitle() == "Edit playlist “Evening”" and editor.name.text() == "Evening"
    assert set(editor.form.checked_genres()) == {"jazz", "blues"}
    _check(qtbot, editor, "blues")
    jazz_only = _settle(qtbot, editor)
    assert editor.name.text() == "Evening"  # its own name stays
    with qtbot.waitSignal(editor.saved, timeout=5000):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    editor.reject()
    qtbot.waitUntil(lambda: library.reader.playlist_track_ids(playlist_id) == [t.track_id for t in jazz_only],
                    timeout=5000)

    # Export it again, as it is now.
    target = tmp_path / "out" / "evening.m3u8"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args, **kw: (str(target), "M3U8 playlist (*.m3u8)")))
    _menu_action(window, playlist_id, "Export…").trigger()
    lines = [line for line in target.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    rows = library.reader.rows(library.reader.playlist_track_ids(playlist_id))
    assert len(lines) == len(rows) and all(line.endswith(".flac") for line in lines)

    # Smart: a track corrected to jazz joins the playlist by itself.
    outsider = next(i for i in window.model.ids if i not in library.reader.playlist_track_ids(playlist_id))
    window.library_panel.select_ids([outsider], current=outsider)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    window.library_panel.table.setFocus()
    qtbot.keyClick(window.library_panel.table, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)  # jazz
    qtbot.waitUntil(lambda: window.model.track_row(window.model.row_of(outsider)).genre == "jazz", timeout=5000)
    qtbot.waitUntil(lambda: outsider in library.reader.playlist_track_ids(playlist_id), timeout=10_000)
    qtbot.waitUntil(lambda: outsider in library.reader.playlist_track_ids(copy_id), timeout=10_000)
