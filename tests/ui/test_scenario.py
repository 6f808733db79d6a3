"""The whole desktop workflow on real music, in the real window, over a real library file:
add a folder, check what the table shows, filter, correct and undo, rescan, build and export a
playlist, preview a track on ALSA's null device."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from genre_desktop.ui.actions import GENRE_KEYS
from genre_desktop.ui.itemmodels.columns import COLUMN_INDEX, display_genre
from genre_desktop.ui.itemmodels.track_table_model import ROW_OBJECT_ROLE
from genre_desktop.ui.panels.sidebar import SidebarEntry
from tests.ui.conftest import scan_and_wait, wait_until_idle

pytestmark = pytest.mark.slow


def shown_rows(window) -> list:
    model = window.model
    return [model.data(model.index(r, 0), ROW_OBJECT_ROLE) for r in range(model.rowCount())]


def latest_labels(db_path: Path) -> dict[int, str | None]:
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute("SELECT track_id, genre FROM labels ORDER BY id").fetchall()
    finally:
        conn.close()
    latest: dict[int, str | None] = {}
    for track_id, genre in rows:
        latest[track_id] = genre
    return latest


def click_sidebar(qtbot, window, entry: SidebarEntry) -> None:
    item = window.sidebar.item_for(entry)
    assert item is not None, entry
    rect = window.sidebar.visualItemRect(item)
    qtbot.mouseClick(window.sidebar.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    wait_until_idle(qtbot, window)


def test_desktop_scenario(qtbot, main_window, demo_music, tmp_path):
    window = main_window
    context = window.context
    reader = context.library.reader
    assert window.stack.currentWidget() is window.empty_state

    # 1. Add a folder (the slot behind "Add music folder…") and wait for the scan.
    report = scan_and_wait(qtbot, window, demo_music)
    assert report is not None and not report.failed, report
    assert window.stack.currentWidget() is window.tabs
    assert window.model.rowCount() == 10

    # 2. Rows, genres and confidences shown match the DB and the classifier.
    rows = shown_rows(window)
    db_rows = reader.rows([r.id for r in rows])
    model_cells = window.model
    for row_index, row in enumerate(rows):
        assert row == db_rows[row.id]
        assert row.genre is not None and row.genre_source in ("model", "file tag")
        assert model_cells.data(model_cells.index(row_index, COLUMN_INDEX["genre"])) == display_genre(row)
        shown = model_cells.data(model_cells.index(row_index, COLUMN_INDEX["confidence"]))
        if row.genre_source == "file tag":  # the model's number belongs to another genre
            assert shown == "model unsure"
        elif row.confidence is not None:
            assert shown == f"{row.confidence:.0%}"
    from genre_desktop.core.model.classifier import GenreClassifier
    from genre_desktop.library.analysis import analyze_file

    classifier = GenreClassifier.load()
    for row in rows[:3]:  # an independent re-analysis agrees with what is shown
        analysis = analyze_file(row.path, classifier, windows_per_track=context.settings.windows_per_track)
        assert analysis.prediction.confidence == pytest.approx(row.confidence, abs=1e-6)
        if row.genre_source == "model":
            assert analysis.prediction.genre == row.genre
    window.library_panel.select_row(0)
    assert window.detail.detail is not None and window.detail.bars.items()

    # 3. Filter by a genre from the sidebar.
    genre = rows[0].genre
    click_sidebar(qtbot, window, SidebarEntry("genre", genre))
    filtered = shown_rows(window)
    assert filtered and {r.genre for r in filtered} == {genre}
    assert len(filtered) == window.refresher.summary.counts[genre]
    click_sidebar(qtbot, window, SidebarEntry("all"))
    assert window.model.rowCount() == 10

    # 4. Correct two tracks (two commands), undo the second.
    first, second = rows[0].id, rows[1].id
    first_genre = next(g for g in context.genres if g != rows[0].genre)
    second_genre = next(g for g in context.genres if g not in (rows[1].genre, first_genre))
    window.library_panel.select_ids([first], current=first)
    window.labels.set_genre(first_genre)
    window.library_panel.select_ids([second], current=second)
    # The second one through its keyboard shortcut (Ctrl+1 … Ctrl+0 follow the model's genres).
    key = GENRE_KEYS[context.genres.index(second_genre)]
    window.activateWindow()
    QTest.keyClick(window.library_panel.table, getattr(Qt.Key, f"Key_{key}"), Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: latest_labels(context.db_path) == {first: first_genre, second: second_genre}, timeout=5000)
    wait_until_idle(qtbot, window)
    window.actions.undo.trigger()
    qtbot.waitUntil(lambda: latest_labels(context.db_path).get(second, "x") is None, timeout=5000)
    wait_until_idle(qtbot, window)
    after = {r.id: r for r in shown_rows(window)}
    assert after[first].genre == first_genre and after[first].genre_source == "you"
    assert after[second].genre == rows[1].genre and after[second].genre_source != "you"
    assert window.labels.undo_stack.canRedo()

    # 5. Rescan: the correction survives.
    with qtbot.waitSignal(window.scans.scanFinished, timeout=240_000):
        window.actions.rescan.trigger()
    wait_until_idle(qtbot, window)
    assert reader.row(first).genre == first_genre and reader.row(first).genre_source == "you"
    assert {r.id: r for r in shown_rows(window)}[first].genre == first_genre

    # 6. A playlist through the dialog, exported as M3U8 and XSPF.
    dialog = window.commands.open_playlist_dialog()
    dialog.form.set_checked([first_genre, rows[2].genre])
    qtbot.waitUntil(lambda: not dialog.is_updating, timeout=10_000)
    assert dialog.tracks and all(t.genre in (first_genre, rows[2].genre) for t in dialog.tracks)
    m3u8, xspf = tmp_path / "lists" / "mix.m3u8", tmp_path / "lists" / "mix.xspf"
    assert dialog.export_to(m3u8) and dialog.export_to(xspf)
    entries = [line for line in m3u8.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    assert len(entries) == len(dialog.tracks)
    assert all((m3u8.parent / entry).resolve().is_file() for entry in entries)
    locations = [el.text for el in ET.parse(xspf).getroot().iter("{http://xspf.org/ns/0/}location")]
    assert len(locations) == len(dialog.tracks)
    assert all(Path(unquote(urlparse(loc).path)).is_file() for loc in locations)
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        dialog.save()
    dialog.close()
    wait_until_idle(qtbot, window)
    assert any(p.name == dialog.name.text() for p in window.refresher.summary.playlists)

    # 7. Preview on ALSA's null device: the position advances.
    assert window.player.is_available, window.player.message.text()
    window.library_panel.select_ids([first], current=first)
    positions: list[float] = []
    context.playback.positionChanged.connect(positions.append)
    window.actions.play_pause.trigger()
    qtbot.waitUntil(lambda: bool(positions) and max(positions) > 0.5, timeout=15_000)
    assert context.playback.state == "playing"
    window.actions.play_pause.trigger()
    qtbot.waitUntil(lambda: context.playback.state == "paused", timeout=5000)
