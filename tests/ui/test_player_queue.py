"""A player a music app would have: a queue from the selection or a playlist, Next/Previous,
continuing by itself, and "now playing" as title — artist. Real playback on ALSA's null device."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from genre_desktop.ui.panels.sidebar import SidebarEntry
from tests.ui.conftest import wait_until_idle
from tests.ui.seed import seed_library


@pytest.fixture
def music_window(qtbot, app_context, main_window, gtzan_clips):
    paths = [str(p) for p in gtzan_clips[:40]]
    app_context.library.writer.call(lambda conn: seed_library(conn, paths=paths))
    main_window.refresher.everything_changed()
    wait_until_idle(qtbot, main_window)
    qtbot.waitUntil(lambda: main_window.context.playback.state == "stopped", timeout=2000)
    assert main_window.player.is_available, main_window.player.message.text()
    return main_window


def _playing(window):
    return window.context.playback.current_path


def _path(window, track_id):
    return window.context.library.reader.row(track_id).path


def test_selection_plays_as_a_queue_with_next_previous_and_continue(qtbot, music_window):
    window = music_window
    table = window.library_panel.table
    ids = window.model.ids[:3]
    window.library_panel.select_ids(ids, current=ids[0])
    window.activateWindow()
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: _playing(window) == _path(window, ids[0]) and
                    window.context.playback.state == "playing", timeout=15_000)
    row = window.context.library.reader.row(ids[0])
    assert window.player.now_playing.text() == f"{row.title} — {row.artist}"
    assert window.preview.queue.ids == ids

    qtbot.keyClick(table, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: _playing(window) == _path(window, ids[1]), timeout=15_000)
    qtbot.mouseClick(window.player.previous_button, Qt.MouseButton.LeftButton)  # just started: the one before
    qtbot.waitUntil(lambda: _playing(window) == _path(window, ids[0]), timeout=15_000)
    qtbot.mouseClick(window.player.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _playing(window) == _path(window, ids[1]) and
                    window.context.playback.duration > 0, timeout=15_000)

    # Near the end of the second track: the player continues with the third by itself.
    with qtbot.waitSignal(window.context.playback.trackFinished, timeout=20_000):
        window.context.playback.seek(window.context.playback.duration - 0.4)
    qtbot.waitUntil(lambda: _playing(window) == _path(window, ids[2]) and
                    window.context.playback.state == "playing", timeout=15_000)
    # At the end of the queue Next stays put.
    window.actions.next_track.trigger()
    assert window.preview.queue.current == ids[2]
    window.actions.stop.trigger()


def test_a_playlist_plays_as_the_queue(qtbot, music_window):
    window = music_window
    window.context.library.save_playlist("Three", {}, [9, 4, 27])
    qtbot.waitUntil(lambda: window.sidebar.item_for(SidebarEntry("playlist", 1)) is not None, timeout=5000)
    menu = window.commands.playlist_menu(1, None)
    play = next(a for a in menu.actions() if a.text() == "Play")
    play.trigger()
    qtbot.waitUntil(lambda: _playing(window) == _path(window, 9), timeout=15_000)
    assert window.preview.queue.ids == [9, 4, 27]
    # The keyboard's media keys, where the system hands them to the window.
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    window.library_panel.table.setFocus()
    qtbot.keyClick(window.library_panel.table, Qt.Key.Key_MediaNext)
    qtbot.waitUntil(lambda: _playing(window) == _path(window, 4), timeout=15_000)
    qtbot.keyClick(window.library_panel.table, Qt.Key.Key_MediaStop)
    qtbot.waitUntil(lambda: window.context.playback.state == "stopped", timeout=5000)


def test_untagged_files_show_their_file_name(qtbot, music_window):
    window = music_window
    window.context.library.writer.call(lambda c: c.execute("UPDATE tracks SET title = NULL WHERE id = 5"))
    window.preview.play_track(5, queue=[5])
    qtbot.waitUntil(lambda: _playing(window) == _path(window, 5), timeout=15_000)
    assert window.player.now_playing.text() == _path(window, 5).rsplit("/", 1)[1]
    window.actions.stop.trigger()
