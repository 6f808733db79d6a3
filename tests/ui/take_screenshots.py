"""Screenshots of the real window for docs/screenshots/, taken headless.

    .venv/bin/python -m tests.ui.take_screenshots [--out docs/screenshots]

Builds a demo library from the GTZAN clips in ../shared/data, scans it in the real window
(offscreen Qt, sound to ALSA's null device) and saves each view with QWidget.grab().
Everything it writes besides the PNGs lives in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parents[1]
PROJECT_ROOT = TESTS_DIR.parent


def _prepare_environment(home: Path) -> None:
    """Before Qt or PortAudio load: headless, a private app home, sound to the null device."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["GENRE_DESKTOP_HOME"] = str(home)
    alsa = Path("/usr/share/alsa/alsa.conf")
    if alsa.exists():
        os.environ["ALSA_CONFIG_PATH"] = f"{alsa}:{TESTS_DIR / 'alsa-null.conf'}"


def _wait(condition, timeout: float = 300.0) -> None:
    from PySide6.QtTest import QTest

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        QTest.qWait(50)


def _save(widget, out: Path, name: str) -> None:
    from PySide6.QtTest import QTest

    QTest.qWait(150)  # let pending paints land
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    print(f"wrote {path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path}")


def take(out: Path, work: Path) -> None:
    sys.path.insert(0, str(PROJECT_ROOT))
    from tests.corpus import make_demo_library

    from genre_desktop.app import build_context, make_application, shutdown_context
    from genre_desktop.ui.main_window import DUPLICATES_TAB, LIBRARY_TAB, OVERVIEW_TAB, PROBLEMS_TAB, MainWindow

    music = work / "Music"
    paths = make_demo_library(music, n_per_genre=3)
    _mix_tag_spellings(paths)
    (music / "Unsorted").mkdir()
    (music / "Unsorted" / "voice memo.mp3").write_bytes(b"this is not audio at all" * 40)

    make_application()
    context = build_context(work / "library.sqlite3")
    window = MainWindow(context)
    window.resize(1440, 900)
    window.show()
    _wait(lambda: window.refresher.is_idle)
    _save(window, out, "first_run")

    reports = []
    window.scans.scanFinished.connect(reports.append)
    window.scans.add_paths([str(music)])
    _wait(lambda: window.scan_progress.isVisible() and window.model.rowCount() >= 4
          and window.refresher.is_idle, timeout=600)
    _save(window, out, "scanning")
    _wait(lambda: bool(reports), timeout=900)
    _wait(lambda: window.refresher.is_idle and not window.model.loading)

    # A correction and a custom genre, so the table shows every kind of source.
    model = window.model
    rows = [model.track_row(r) for r in range(model.rowCount())]
    uncertain = [r for r in rows if r.uncertain]
    window.labels.set_genre("jazz", [rows[1].id])
    window.labels.set_genre("Lo-fi", [rows[-1].id])
    _wait(lambda: window.refresher.summary.counts.get("Lo-fi") == 1)
    _wait(lambda: window.refresher.is_idle)
    focus = uncertain[0] if uncertain else rows[0]
    window.library_panel.select_ids([focus.id], current=focus.id)
    window.library_panel.table.scrollToTop()
    _save(window, out, "library")
    _wait(lambda: window.sounds_like.loaded_id == focus.id)
    _save(window.detail_dock, out, "detail_panel")
    more = window.sounds_like.more_like_this()
    _wait(lambda: bool(more.results) or "analysed" in more.status.text())
    _save(more, out, "more_like_this")
    more.close()
    _save_tag_search(window, out)

    window.show_tab(OVERVIEW_TAB)
    _save(window, out, "overview")
    window.show_tab(PROBLEMS_TAB)
    window.problems.tree.setCurrentItem(window.problems.tree.topLevelItem(0))
    _save(window, out, "problems")
    window.show_tab(DUPLICATES_TAB)
    _wait(lambda: bool(window.duplicates.groups))
    _save(window, out, "duplicates")
    window.show_tab(LIBRARY_TAB)

    mapping = window.commands.open_genre_mapping()
    _wait(lambda: mapping.table.rowCount() > 0)
    _save(mapping, out, "genre_mapping")
    mapping.close()

    window.resize(1024, 640)
    _wait(lambda: window.width() == 1024)
    window.library_panel.select_ids([focus.id], current=focus.id)
    _save(window, out, "library_1024x640")
    window.resize(1440, 900)

    _save_playlist_dialog(window, out)

    card = window.commands.model_card_dialog()
    card.show()
    _save(card, out, "model_card")
    card.close()
    settings = window.commands.open_settings()
    _save(settings, out, "settings")
    settings.close()

    _save_write_tags(window, out, rows, music)
    window.close()
    shutdown_context(context)


def _mix_tag_spellings(paths: list[Path]) -> None:
    """As real collections do: one genre spelled several ways, a subgenre, a tag no mapping
    knows, and a copy of a track cut short (for the Duplicates view)."""
    import shutil

    from tests.corpus import tag_file

    spellings = {"Rock": ("Alt. Rock", "Alternative Rock", "Indie"), "Disco": ("Disco", "Nu-Disco", "Chillwave")}
    for path in paths:
        folder = path.parent.parent.name
        if folder in spellings:
            tag_file(path, genre=spellings[folder][int(path.name[:2]) - 1])
    original = next(p for p in paths if p.suffix == ".flac")
    shutil.copy(original, original.with_name(f"{original.stem} (copy){original.suffix}"))


def _save_tag_search(window, out: Path) -> None:
    """tag:<the commonest stored tag> in the search box, the Sounds like column in view."""
    from genre_desktop.ui.itemmodels.columns import COLUMN_INDEX

    key = window.context.library.reader.conn.execute(
        """SELECT tag FROM sound_tags GROUP BY tag HAVING COUNT(*) < (SELECT COUNT(*) FROM tracks)
           ORDER BY COUNT(*) DESC, tag LIMIT 1""").fetchone()[0]
    window.library_panel.search.setText(f"tag:{key}")
    _wait(lambda: window.library_panel.search.text() and not window.model.loading
          and window.refresher.is_idle and 0 < window.model.rowCount() < window.refresher.summary.total)
    table = window.library_panel.table
    table.scrollTo(window.model.index(0, COLUMN_INDEX["sounds_like"]))
    _save(window, out, "sounds_like_search")
    window.library_panel.search.setText("")
    _wait(lambda: not window.model.loading and window.model.rowCount() >= 30)


def _save_playlist_dialog(window, out: Path) -> None:
    """jazz · easy listening · no vocals, with the With tags menu open at voice & instruments."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QPainter
    from PySide6.QtTest import QTest

    from genre_desktop.core.sounds_like.tags import TagGroup

    dialog = window.commands.open_playlist_dialog()
    dialog.resize(dialog.width(), 700)  # room for the open menus below the pickers
    dialog.move(0, 0)  # on the (offscreen) screen, so that the menus open where they would
    form = dialog.form
    _wait(lambda: not dialog.is_updating and "(" in form.with_tags.actions_by_key["jazz"].text())
    form.set_checked(["jazz"])
    form.min_confidence.setValue(0)
    for key in ("easy-listening", "instrumental"):
        form.with_tags.set_checked(key, True)
    _wait(lambda: not dialog.is_updating)
    # Popups are windows of their own: paint the open menus onto the dialog where they stand.
    menu, voice = form.with_tags.menu(), form.with_tags.group_menus[TagGroup.VOICE]
    menu.popup(form.with_tags.mapToGlobal(QPoint(0, form.with_tags.height())))
    voice.popup(menu.mapToGlobal(menu.actionGeometry(voice.menuAction()).topRight()))
    _wait(lambda: voice.isVisible())
    QTest.qWait(150)
    shot = dialog.grab()
    painter = QPainter(shot)
    for popup in (menu, voice):
        painter.drawPixmap(popup.pos() - dialog.mapToGlobal(QPoint(0, 0)), popup.grab())
    painter.end()
    path = out / "playlist_dialog.png"
    shot.save(str(path))
    print(f"wrote {path}")
    voice.close()
    menu.close()
    dialog.close()


def _save_write_tags(window, out: Path, rows: list, music: Path) -> None:
    """The staged diff of Write genres to files, with moods and styles too. Real collections have
    many files without a genre tag: every other demo file loses its tag (and is rescanned) first."""
    import mutagen

    untagged = sorted(p for p in music.rglob("*.*") if "Unsorted" not in p.parts)[::2]
    for path in untagged:
        audio = mutagen.File(path, easy=True)
        if audio is not None and audio.tags is not None and "genre" in audio:
            del audio["genre"]
            audio.save()
    reports = []
    window.scans.scanFinished.connect(reports.append)
    window.scans.rescan()
    _wait(lambda: bool(reports), timeout=900)
    window.labels.set_genre("blues", [rows[2].id])
    _wait(lambda: window.refresher.is_idle and not window.model.loading)
    dialog = window.tags.open_write_dialog(whole_library=True)
    dialog.form.min_confidence.setValue(50)
    dialog.form.sound_tags.setChecked(True)
    _wait(lambda: not dialog.is_planning)
    _save(dialog, out, "write_tags_dialog")
    dialog.reject()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "screenshots")
    parser.add_argument("--only", choices=("all", "main", "personal"), default="all",
                        help="main: the tour of the window; personal: learning from corrections")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="genre-desktop-shots-") as tmp:
        work = Path(tmp)
        _prepare_environment(work / "home")
        if args.only in ("all", "main"):
            take(args.out.resolve(), work)
        if args.only in ("all", "personal"):
            from tests.ui.personal_screenshots import take_personal

            take_personal(args.out.resolve(), work, _save, _wait)
    return 0


if __name__ == "__main__":  # the scanner's worker processes re-import this module: keep the guard
    sys.exit(main())
