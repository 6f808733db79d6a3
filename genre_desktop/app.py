"""Builds the desktop app: paths, logging, settings, the library writer, services, the window.

Everything is created here and passed in; nothing is global. `run_gui` is what
`genre-desktop` (no sub-command) runs; tests use `build_context` + `MainWindow` directly.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from genre_desktop import __version__
from genre_desktop.core.settings import Settings
from genre_desktop.log import setup_logging
from genre_desktop.paths import AppPaths, models_dir, resources_dir

log = logging.getLogger(__name__)

PREFERRED_FONTS = ("Noto Sans", "DejaVu Sans", "Liberation Sans", "Cantarell")


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("Genre Desktop")
    app.setApplicationDisplayName("Genre Desktop")
    app.setOrganizationName("GenreDesktop")
    app.setApplicationVersion(__version__)
    icon = resources_dir() / "icons" / "genre-desktop.png"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    _choose_font(app)
    style = resources_dir() / "style.qss"
    if style.is_file():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    return app


def _choose_font(app: QApplication) -> None:
    """Headless and minimal systems may lack the platform's default font; pick a real one."""
    families = set(QFontDatabase.families())
    current = app.font()
    if current.family() in families:
        return
    for family in PREFERRED_FONTS:
        if family in families:
            font = QFont(family)
            font.setPointSizeF(max(9.0, current.pointSizeF()))
            app.setFont(font)
            return
    log.warning("No preferred font found; text may render poorly (install fonts-dejavu-core)")


def build_context(db_path: str | Path | None = None, paths: AppPaths | None = None,
                  model_dir: Path | None = None):
    """Create the settings, writer and services. Raises LibraryError if the DB is unusable."""
    from genre_desktop.library.writer import LibraryWriter
    from genre_desktop.services.library_service import LibraryService
    from genre_desktop.services.playback_service import PlaybackService
    from genre_desktop.services.scan_service import ScanOptions, ScanService
    from genre_desktop.services.tasks import TaskRunner
    from genre_desktop.ui.context import AppContext
    from genre_desktop.ui.model_card_info import ModelCardInfo

    paths = (paths or AppPaths.default()).ensure()
    settings = Settings.load(paths.settings_file)
    db = Path(db_path) if db_path else paths.library_db
    writer = LibraryWriter(db)
    tasks = TaskRunner()
    library = LibraryService(db, writer, tasks)
    model_folder = model_dir or models_dir()

    def scan_options() -> ScanOptions:
        return ScanOptions(jobs=settings.effective_workers(), windows_per_track=settings.windows_per_track,
                           model_dir=model_dir,
                           personal_dir=paths.personal_model_dir if settings.use_personal_model else None)

    scanning = ScanService(writer, tasks, scan_options)
    playback = PlaybackService()
    playback.volume = settings.volume
    library.set_threshold(settings.uncertainty_threshold)
    context = AppContext(paths=paths, settings=settings, db_path=db, tasks=tasks, library=library,
                         scanning=scanning, playback=playback, model=ModelCardInfo.load(model_folder))
    from genre_desktop.services.personal_service import PersonalModelService

    context.personal = PersonalModelService(library, tasks, settings, context.save_settings,
                                            paths.personal_model_dir, model_dir, scanning)
    return context


def shutdown_context(context, timeout_ms: int = 15000) -> None:
    """Stop scans and playback, finish queued writes, close the library."""
    context.scanning.shutdown()
    context.settings.volume = round(float(context.playback.volume), 2)
    context.save_settings()
    if not context.tasks.shutdown(timeout_ms):
        log.warning("Background tasks still running at exit")
    context.playback.shutdown()
    context.library.close()  # read side first: the writer, closing last, folds the WAL back in
    context.library.writer.close()


def run_gui(db_path: str | Path | None = None, quit_after_ms: int | None = None) -> int:
    paths = AppPaths.default().ensure()
    setup_logging(paths.logs)
    log.info("Genre Desktop %s starting", __version__)
    app = make_application()
    from genre_desktop.library.migrations import LibraryError

    try:
        context = build_context(db_path, paths)
    except LibraryError as exc:
        log.error("Cannot open the library: %s", exc)
        QMessageBox.critical(None, "Genre Desktop", f"The music library cannot be opened:\n\n{exc}")
        return 2
    from genre_desktop.ui.main_window import MainWindow

    window = MainWindow(context)
    window.show()
    if quit_after_ms is not None:
        QTimer.singleShot(int(quit_after_ms), window.close)
    try:
        code = app.exec()
    finally:
        window.save_state()
        shutdown_context(context)
    log.info("Genre Desktop exited with %s", code)
    return int(code)
