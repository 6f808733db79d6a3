"""The Problems list's actions on a real scan: retry a file that failed before, ignore one,
copy its path."""

from __future__ import annotations

import os
import shutil
import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from tests.ui.conftest import scan_and_wait, wait_until_idle


def _select(qtbot, panel, name: str) -> None:
    tree = panel.tree
    item = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                if tree.topLevelItem(i).text(0).endswith(name))
    tree.setFocus()
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(item).center())
    assert panel.selected_paths() and panel.selected_paths()[0].endswith(name)


def _listed(panel) -> list[str]:
    return sorted(os.path.basename(p) for p in panel.reasons())


def test_retry_ignore_and_copy(qtbot, main_window, gtzan_clips, tmp_path):
    window = main_window
    folder = tmp_path / "Music"
    folder.mkdir()
    good = folder / "good.flac"
    shutil.copy(next(p for p in gtzan_clips if p.suffix == ".flac"), good)
    (folder / "broken.mp3").write_bytes(b"this is not audio at all" * 100)
    # An earlier scan failed on good.flac (say a codec was missing then): the file is unchanged,
    # so a rescan skips it. Only Retry looks at it again.
    stat = good.stat()
    window.context.library.writer.call(lambda c: c.execute(
        "INSERT INTO problems(path, reason, size, mtime_ns, seen_at) VALUES (?, 'could not decode', ?, ?, ?)",
        (str(good), stat.st_size, stat.st_mtime_ns, time.time())))
    scan_and_wait(qtbot, window, folder)
    window.show_tab(2)
    panel = window.problems
    qtbot.waitUntil(lambda: _listed(panel) == ["broken.mp3", "good.flac"], timeout=10_000)
    assert window.context.library.reader.track_count() == 0
    assert not panel.retry_button.isEnabled()  # nothing selected yet

    _select(qtbot, panel, "good.flac")
    with qtbot.waitSignal(window.scans.scanFinished, timeout=120_000):
        qtbot.mouseClick(panel.retry_button, Qt.MouseButton.LeftButton)
    wait_until_idle(qtbot, window)
    qtbot.waitUntil(lambda: _listed(panel) == ["broken.mp3"], timeout=10_000)
    assert window.context.library.reader.track_count() == 1

    _select(qtbot, panel, "broken.mp3")
    qtbot.mouseClick(panel.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == str(folder / "broken.mp3")
    qtbot.mouseClick(panel.ignore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _listed(panel) == [], timeout=10_000)
    assert "1 ignored" in panel.summary.text() and panel.unignore_button.isVisible()
    assert window.tabs.tabText(2) == "Problems"
    # A rescan does not bring it back while it stays the same.
    with qtbot.waitSignal(window.scans.scanFinished, timeout=120_000):
        window.actions.rescan.trigger()
    wait_until_idle(qtbot, window)
    assert _listed(panel) == []
    qtbot.mouseClick(panel.unignore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _listed(panel) == ["broken.mp3"], timeout=10_000)
