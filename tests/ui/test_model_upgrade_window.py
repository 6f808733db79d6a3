"""Opening a library analysed by the first model: the window says so and analyses it again in
the background, with the scan's progress and Cancel."""

from __future__ import annotations

from genre_desktop.core.feature_schema import MODEL_RECIPE_VERSION
from genre_desktop.library.scan_store import count_outdated
from tests.library.v1_library import make_v1_library
from tests.ui.conftest import wait_until_idle


def test_window_reanalyses_a_v1_library_at_start(qtbot, qapp, tmp_path, demo_music):
    from genre_desktop.app import build_context, make_application, shutdown_context
    from genre_desktop.ui.main_window import MainWindow

    db = tmp_path / "library.sqlite3"
    before = make_v1_library(db, demo_music)
    make_application()
    context = build_context(db)
    context.settings.workers = 2
    window = MainWindow(context)
    try:
        with qtbot.waitSignal(window.scans.scanFinished, timeout=240_000):
            window.show()
            qtbot.waitUntil(lambda: "New model: re-analysing" in window.statusBar().currentMessage(),
                            timeout=30_000)
            assert f"re-analysing {len(before['ids'])} tracks" in window.statusBar().currentMessage()
            qtbot.waitUntil(window.scan_progress.isVisible, timeout=10_000)  # progress and Cancel
            assert window.scan_progress.cancel_button.isEnabled()
        wait_until_idle(qtbot, window)
        outdated = context.library.writer.call(lambda c: count_outdated(c, MODEL_RECIPE_VERSION))
        assert outdated == 0
    finally:
        window.close()
        shutdown_context(context)
