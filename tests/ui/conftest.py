"""A real main window over a real temporary library, and real music built from the GTZAN clips."""

from __future__ import annotations

from pathlib import Path

import pytest

from genre_desktop.app import build_context, make_application, shutdown_context
from genre_desktop.core.training_data import load_model_table
from tests.corpus import make_demo_library
from tests.ui.seed import add_tagger_windows, seed_library


@pytest.fixture(scope="session")
def demo_music(tmp_path_factory) -> Path:
    """Ten tagged tracks, one per genre, in mixed formats (mp3/ogg/m4a/flac)."""
    folder = tmp_path_factory.mktemp("music") / "Music"
    make_demo_library(folder, n_per_genre=1)
    return folder


@pytest.fixture
def app_context(qapp, tmp_path):
    make_application()  # the same font/style set-up as the real app
    context = build_context(tmp_path / "library.sqlite3")
    context.settings.workers = 2
    yield context
    shutdown_context(context)


@pytest.fixture
def main_window(qtbot, app_context):
    from genre_desktop.ui.main_window import MainWindow

    window = MainWindow(app_context)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()


@pytest.fixture
def seeded_window(qtbot, app_context, main_window):
    """The main window over a library seeded with known tracks."""
    app_context.library.writer.call(seed_library)
    main_window.refresher.everything_changed()
    wait_until_idle(qtbot, main_window)
    return main_window


def wait_until_idle(qtbot, window, timeout: int = 30_000) -> None:
    """Background reads (table ids, counts) have landed."""
    qtbot.waitUntil(lambda: window.refresher.is_idle and not window.model.loading, timeout=timeout)


def scan_and_wait(qtbot, window, folder: Path, timeout: int = 240_000):
    """Use the Add music folder slot (no native dialog) and wait for the scan to finish."""
    with qtbot.waitSignal(window.scans.scanFinished, timeout=timeout) as blocker:
        window.scans.add_paths([str(folder)])
    wait_until_idle(qtbot, window)
    return blocker.args[0]


@pytest.fixture
def tagged_window(qtbot, app_context, main_window, gtzan_clips, gtzan_dir):
    """The main window over the seeded library whose tracks are real clips with tagger windows."""
    table = load_model_table(gtzan_dir)
    paths = [str(p) for p in gtzan_clips[:40]]

    def seed(conn):
        seed_library(conn, paths=paths)
        add_tagger_windows(conn, table)

    app_context.library.writer.call(seed)
    main_window.refresher.everything_changed()
    wait_until_idle(qtbot, main_window)
    return main_window
