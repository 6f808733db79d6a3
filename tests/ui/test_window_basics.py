"""The window on an empty library: first-run state, drops, shortcuts, remembered geometry."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from genre_desktop.core.settings import Settings
from tests.ui.conftest import wait_until_idle


def test_first_run_shows_the_add_folder_panel(qtbot, main_window):
    wait_until_idle(qtbot, main_window)
    assert main_window.stack.currentWidget() is main_window.empty_state
    assert main_window.empty_state.add_button.text() == "Add music folder…"
    file_menu = main_window.menuBar().actions()[0].menu()
    assert main_window.actions.add_folder in file_menu.actions()


def test_dropping_folders_and_files_adds_and_scans_them(qtbot, main_window, tmp_path, monkeypatch):
    requested: list[list[str]] = []
    monkeypatch.setattr(main_window.context.scanning, "scan", lambda paths: requested.append(list(paths)))
    album = tmp_path / "Dropped" / "Album"
    album.mkdir(parents=True)
    single_dir = tmp_path / "Singles"
    single_dir.mkdir()
    song = single_dir / "song.flac"
    song.write_bytes(b"not really audio")

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(album)), QUrl.fromLocalFile(str(song))])
    enter = QDragEnterEvent(QPoint(200, 200), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(main_window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(200, 200), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(main_window, drop)
    assert drop.isAccepted()

    assert requested == [[str(album), str(single_dir)]]
    settings = Settings.load(main_window.context.paths.settings_file)
    assert settings.music_folders == [str(album), str(single_dir)]
    qtbot.waitUntil(lambda: sorted(main_window.context.library.reader.folders()) ==
                    sorted([str(album), str(single_dir)]), timeout=5000)


def test_drop_of_nothing_usable_is_ignored(qtbot, main_window):
    mime = QMimeData()
    mime.setText("just text")
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    enter.ignore()
    QApplication.sendEvent(main_window, enter)
    assert not enter.isAccepted()


def test_keyboard_shortcuts_are_declared(main_window):
    shortcuts = dict(main_window.actions.shortcut_table())
    for key in ("Ctrl+O", "F5", "Ctrl+G", "Ctrl+Z", "Ctrl+Shift+Z", "Ctrl+F", "Space", "Ctrl+D", "Ctrl+P",
                "Ctrl+1", "Ctrl+0", "Ctrl+Backspace", "Del", "F1"):
        assert key in shortcuts, key
    assert shortcuts["Ctrl+1"] == main_window.context.genres[0]


def test_window_geometry_is_remembered(qtbot, app_context):
    from genre_desktop.ui.main_window import MainWindow

    first = MainWindow(app_context)
    first.show()
    first.resize(first.width(), 520)  # the offscreen screen is small; restoreGeometry clamps to it
    first.detail_dock.hide()
    first.close()
    second = MainWindow(app_context)
    second.show()
    qtbot.waitExposed(second)
    assert second.size().height() == 520
    assert second.detail_dock.isHidden()
    assert not second.actions.toggle_detail.isChecked()
    second.close()


def test_watched_folder_change_triggers_a_debounced_rescan(qtbot, main_window, tmp_path, monkeypatch):
    from genre_desktop.ui import scan_controller

    music = tmp_path / "Watched"
    (music / "Sub").mkdir(parents=True)
    main_window.context.settings.music_folders = [str(music)]
    requested: list[list[str]] = []
    monkeypatch.setattr(main_window.context.scanning, "scan", lambda paths: requested.append(list(paths)))
    main_window.scans._watch_debounce.setInterval(200)
    main_window.scans.watch_folders()
    qtbot.waitUntil(lambda: str(music / "Sub") in main_window.scans._watcher.directories(), timeout=5000)
    for name in ("a.mp3", "b.mp3", "c.mp3"):  # a burst of changes: one rescan
        (music / "Sub" / name).write_bytes(b"x")
    qtbot.waitUntil(lambda: len(requested) == 1, timeout=5000)
    qtbot.wait(400)
    assert requested == [[str(music)]]
    assert scan_controller.WATCH_DEBOUNCE_MS >= 1000  # the real delay lets copies finish first
