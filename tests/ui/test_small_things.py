"""Dialog titles shown whole, file dialogs that open in the music folder, and a Track panel that
follows the view."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog

from genre_desktop.ui.dialogs.set_genre_dialog import SetGenreDialog
from genre_desktop.ui.dialogs.titles import title_width
from genre_desktop.ui.panels.sidebar import SidebarEntry
from tests.ui.conftest import wait_until_idle


def test_set_genre_dialog_shows_its_whole_title(qtbot, seeded_window):
    window = seeded_window
    window.library_panel.select_ids([1, 2], current=1)
    seen = {}

    def look_then_close():
        dialog = QApplication.activeModalWidget()
        seen["dialog"] = type(dialog)
        seen["title"] = dialog.windowTitle()
        seen["fits"] = dialog.width() >= title_width(dialog.windowTitle(), dialog.font())
        qtbot.keyClicks(dialog.combo.lineEdit(), "jazz")
        qtbot.keyClick(dialog.combo.lineEdit(), Qt.Key.Key_Return)

    QTimer.singleShot(200, look_then_close)
    window.activateWindow()
    qtbot.keyClick(window.library_panel.table, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert seen == {"dialog": SetGenreDialog, "title": "Set genre", "fits": True}
    qtbot.waitUntil(lambda: window.model.track_row(window.model.row_of(2)).genre == "jazz", timeout=5000)


def test_file_dialogs_open_in_the_last_music_folder(qtbot, seeded_window, tmp_path, monkeypatch):
    window = seeded_window
    music = tmp_path / "Music"
    music.mkdir()
    window.context.settings.music_folders = [str(tmp_path / "gone"), str(music)]
    asked = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda parent, caption, start="": asked.append(start) or ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda parent, caption, start="", filters="": asked.append(start) or ("", "")))
    window.activateWindow()
    qtbot.keyClick(window.library_panel.table, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    settings = window.commands.open_settings()
    settings._ask_folder()
    settings.reject()
    dialog = window.commands.open_playlist_dialog()
    qtbot.waitUntil(lambda: not dialog.is_updating, timeout=5000)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    dialog.reject()
    assert asked[:2] == [str(music), str(music)]
    assert asked[2].startswith(str(music) + "/") and asked[2].endswith(".m3u8")


def test_track_panel_follows_the_views_selection(qtbot, seeded_window):
    window = seeded_window
    library = window.context.library
    library.save_playlist("Two", {}, [5, 6])
    wait_until_idle(qtbot, window)
    qtbot.waitUntil(lambda: window.sidebar.item_for(SidebarEntry("playlist", 1)) is not None, timeout=5000)
    window.library_panel.select_ids([1], current=1)
    qtbot.waitUntil(lambda: window.detail.detail is not None and window.detail.detail.row.id == 1)
    item = window.sidebar.item_for(SidebarEntry("playlist", 1))
    qtbot.mouseClick(window.sidebar.viewport(), Qt.MouseButton.LeftButton,
                     pos=window.sidebar.visualItemRect(item).center())
    qtbot.waitUntil(lambda: window.model.ids == [5, 6], timeout=5000)
    qtbot.waitUntil(lambda: window.detail.detail is None)  # no stale track from the other view
    assert window.detail.title.text() == "No track selected"
    table = window.library_panel.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: window.detail.detail is not None and window.detail.detail.row.id in (5, 6))
