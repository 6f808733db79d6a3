"""Scan progress in the window: shown only after ~0.5 s, with done/total, file and ETA; Cancel
stops a real scan promptly and keeps what was analysed."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt

from genre_desktop.library.scanner import ScanProgress
from tests.ui.conftest import wait_until_idle


def slow_fake_scan(folders, writer, options, cancel):
    for i in range(40):
        if cancel.cancelled:
            break
        time.sleep(0.025)
        yield ScanProgress(i, 40, f"{folders[0]}/song{i}.mp3", (40 - i) * 0.025, [])
    return None


def test_progress_appears_after_half_a_second_and_hides_at_the_end(qtbot, main_window, tmp_path):
    main_window.context.scanning._scan_fn = slow_fake_scan
    progress = main_window.scan_progress
    main_window.scans.add_paths([str(tmp_path)])
    qtbot.wait(250)
    assert not progress.isVisible()  # quick scans never flash a progress bar
    qtbot.waitUntil(progress.isVisible, timeout=2000)
    assert progress.bar.maximum() == 40
    assert "song" in progress.label.text() and "left" in progress.label.text()
    qtbot.waitUntil(lambda: not progress.isVisible(), timeout=5000)


@pytest.mark.slow
def test_cancel_button_stops_a_real_scan(qtbot, main_window, demo_music):
    window = main_window
    reports = []
    window.scans.scanFinished.connect(reports.append)
    window.scans.add_paths([str(demo_music)])
    qtbot.waitUntil(window.scan_progress.isVisible, timeout=30_000)
    clicked = time.monotonic()
    qtbot.mouseClick(window.scan_progress.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(reports), timeout=30_000)
    stopped_after = time.monotonic() - clicked
    report = reports[0]
    assert report is not None and report.cancelled
    assert stopped_after < 10, stopped_after
    assert not window.scan_progress.isVisible()
    wait_until_idle(qtbot, window)
    assert window.model.rowCount() == window.context.library.reader.track_count() < 10
    print(f"\nCancel took {stopped_after:.2f} s; {window.model.rowCount()} tracks kept")
