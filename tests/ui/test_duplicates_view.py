"""The Duplicates view after a real scan: an identical copy and a half-truncated copy are shown
(the shorter one marked), paths can be copied, and no file is touched."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from tests.library.test_duplicates import write_duplicates
from tests.ui.conftest import scan_and_wait


def test_duplicates_view(qtbot, main_window, tmp_path):
    window = main_window
    music = tmp_path / "Music"
    music.mkdir()
    write_duplicates(music)
    before = {p.name: p.read_bytes() for p in music.iterdir()}
    scan_and_wait(qtbot, window, music)
    assert window.context.library.reader.track_count() == 4
    window.activateWindow()
    qtbot.keyClick(window.library_panel.table, Qt.Key.Key_5, Qt.KeyboardModifier.AltModifier)
    panel = window.duplicates
    assert window.tabs.currentWidget() is panel
    qtbot.waitUntil(lambda: len(panel.groups) == 2, timeout=10_000)
    labels = {}
    for g in range(panel.tree.topLevelItemCount()):
        group = panel.tree.topLevelItem(g)
        labels[group.text(0)] = sorted(group.child(i).text(3).rsplit("/", 1)[1] for i in range(group.childCount()))
    assert labels["Same file content (2 files)"] == ["song copy.mp3", "song.mp3"]
    assert labels["Same start, one shorter: possibly a truncated copy (3 files)"] == \
        ["song (half).mp3", "song copy.mp3", "song.mp3"]
    truncated = next(panel.tree.topLevelItem(g) for g in range(2)
                     if panel.tree.topLevelItem(g).text(0).startswith("Same start"))
    half = next(truncated.child(i) for i in range(truncated.childCount())
                if truncated.child(i).text(3).endswith("song (half).mp3"))
    assert half.text(0) == "So What — Miles Davis  (shorter copy?)"
    panel.tree.setCurrentItem(half)
    qtbot.mouseClick(panel.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == str(music / "song (half).mp3")
    assert {p.name: p.read_bytes() for p in music.iterdir()} == before  # nothing deleted or changed
