"""Sounds-like tags as playlist rules in the window: "jazz · easy listening · no vocals" built with
clicks and keys over a library the window scanned from real music (the tagger included), checked
against the stored sound_tags, saved, exported, renamed, edited and rebuilt as a smart playlist."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog

from genre_desktop.core.sounds_like.tags import TagGroup
from genre_desktop.library.db import connect
from genre_desktop.library.writes import save_playlist
from tests.corpus import make_demo_library
from tests.ui.conftest import scan_and_wait, wait_until_idle
from tests.ui.test_playlists_live import _check, _menu_action, _playlists, _settle


@pytest.fixture(scope="module")
def music(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tag-rules") / "Music"
    make_demo_library(folder, n_per_genre=6, genres=["jazz", "classical"])
    make_demo_library(folder, n_per_genre=2, genres=["pop"])
    return folder


def expected_ids(db: Path, genres: list[str], tags: list[str], without: list[str], min_confidence: float) -> set[int]:
    """The tracks these rules must give, read straight from the tables the scan wrote."""
    conn = connect(db, readonly=True)
    try:
        rows = conn.execute(
            """SELECT id FROM tracks WHERE status = 'ok' AND lower(genre) IN (SELECT value FROM json_each(?))
               AND (confidence IS NULL OR confidence >= ?)""",
            (json.dumps([g.lower() for g in genres]), min_confidence)).fetchall()
        shown = {}
        for track_id, tag in conn.execute("SELECT track_id, tag FROM sound_tags"):
            shown.setdefault(track_id, set()).add(tag)
    finally:
        conn.close()
    return {tid for (tid,) in rows if set(tags) <= shown.get(tid, set()) and not shown.get(tid, set()) & set(without)}


def stored_rules(db: Path, playlist_id: int) -> dict:
    conn = connect(db, readonly=True)
    try:
        return json.loads(conn.execute("SELECT rules FROM playlists WHERE id = ?", (playlist_id,)).fetchone()[0])
    finally:
        conn.close()


def tick(qtbot, picker, group: TagGroup, names: list[str]) -> None:
    """Click the picker, open the group's submenu, click each tag (the menu stays open), Escape."""
    submenu = picker.group_menus[group]
    done = []

    def in_menu():
        menu = picker.menu()
        qtbot.waitUntil(menu.isVisible, timeout=3000)
        QTest.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(submenu.menuAction()).center())
        qtbot.waitUntil(submenu.isVisible, timeout=3000)
        for name in names:
            action = next(a for a in submenu.actions() if a.text().split("  (")[0] == name)
            QTest.mouseClick(submenu, Qt.MouseButton.LeftButton, pos=submenu.actionGeometry(action).center())
            assert submenu.isVisible()  # still open for the next tag
        QTest.keyClick(submenu, Qt.Key.Key_Escape)
        QTest.keyClick(menu, Qt.Key.Key_Escape)
        done.append(True)

    QTimer.singleShot(0, in_menu)
    qtbot.mouseClick(picker, Qt.MouseButton.LeftButton)  # the menu runs until in_menu closes it
    qtbot.waitUntil(lambda: bool(done) and not picker.menu().isVisible(), timeout=5000)


def tick_by_keys(qtbot, picker, group: TagGroup, name: str) -> None:
    """The same with the keyboard: Space opens, arrows walk to the tag, Space ticks, Escape closes."""
    submenu = picker.group_menus[group]
    done = []

    def in_menu():
        menu = picker.menu()
        qtbot.waitUntil(menu.isVisible, timeout=3000)
        for _ in range(list(picker.group_menus).index(group) + 1):
            QTest.keyClick(menu, Qt.Key.Key_Down)
        QTest.keyClick(menu, Qt.Key.Key_Right)
        qtbot.waitUntil(submenu.isVisible, timeout=3000)
        names = [a.text().split("  (")[0] for a in submenu.actions()]
        for _ in range(names.index(name)):
            QTest.keyClick(submenu, Qt.Key.Key_Down)
        assert submenu.activeAction().text().split("  (")[0] == name
        QTest.keyClick(submenu, Qt.Key.Key_Space)
        assert submenu.isVisible()
        QTest.keyClick(submenu, Qt.Key.Key_Escape)
        QTest.keyClick(menu, Qt.Key.Key_Escape)
        done.append(True)

    picker.setFocus()
    QTimer.singleShot(0, in_menu)
    qtbot.keyClick(picker, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: bool(done) and not picker.menu().isVisible(), timeout=5000)


def preview_ids(qtbot, dialog) -> list[int]:
    return [t.track_id for t in _settle(qtbot, dialog)]


def test_tag_rules_built_in_the_window_are_saved_exported_edited_and_rebuilt(
        qtbot, main_window, music, tmp_path, monkeypatch):
    window = main_window
    report = scan_and_wait(qtbot, window, music)
    assert report.added == 14 and not report.failed
    db = window.context.db_path
    library = window.context.library

    window.activateWindow()
    qtbot.keyClick(window.library_panel.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = window.commands.playlist_dialog
    qtbot.waitUntil(lambda: "(" in dialog.form.with_tags.actions_by_key["jazz"].text(), timeout=5000)  # counts
    dialog.form.min_confidence.setFocus()
    qtbot.keyClick(dialog.form.min_confidence, Qt.Key.Key_Home)  # every jazz track, however sure
    assert dialog.form.min_confidence.value() == 0
    _check(qtbot, dialog, "jazz")
    jazz = expected_ids(db, ["jazz"], [], [], 0.0)
    conn = connect(db, readonly=True)
    counts = dict(conn.execute("SELECT tag, count(*) FROM sound_tags GROUP BY tag").fetchall())
    conn.close()
    for key, action in dialog.form.without_tags.actions_by_key.items():  # how many tracks show each
        assert action.text().endswith(f"  ({counts.get(key, 0)})"), action.text()

    # jazz · easy listening
    tick(qtbot, dialog.form.with_tags, TagGroup.MOOD, ["easy listening"])
    assert dialog.name.text() == "jazz · easy listening"
    easy = expected_ids(db, ["jazz"], ["easy-listening"], [], 0.0)
    assert set(preview_ids(qtbot, dialog)) == easy and 0 < len(easy) < len(jazz)

    # ... without female vocalists: the rule leaves out a track the tagger hears a woman sing in
    tick(qtbot, dialog.form.without_tags, TagGroup.VOICE, ["female vocalists"])
    assert dialog.name.text() == "jazz · easy listening · no female vocalists"
    unsung = expected_ids(db, ["jazz"], ["easy-listening"], ["female-vocalists"], 0.0)
    assert set(preview_ids(qtbot, dialog)) == unsung and 0 < len(unsung) < len(easy)

    # ... no vocals: instrumental under With tags, female vocalists no longer left out
    tick(qtbot, dialog.form.without_tags, TagGroup.VOICE, ["female vocalists"])
    tick(qtbot, dialog.form.with_tags, TagGroup.VOICE, ["instrumental (no vocals)"])
    assert dialog.name.text() == "jazz · easy listening · no vocals"
    assert dialog.form.without_tags.text() == "none"
    instrumental = expected_ids(db, ["jazz"], ["easy-listening", "instrumental"], [], 0.0)
    shown = preview_ids(qtbot, dialog)
    assert set(shown) == instrumental and instrumental
    sounds = [dialog.preview.topLevelItem(r).text(6) for r in range(dialog.preview.topLevelItemCount())]
    assert all(set(s.split(", ")[:2]) == {"easy listening", "instrumental"} for s in sounds)  # asked-for first

    # A tag ticked under With leaves Without (a track cannot both show it and not).
    tick_by_keys(qtbot, dialog.form.without_tags, TagGroup.MOOD, "easy listening")
    assert "easy-listening" not in dialog.form.with_tags.keys()
    assert dialog.form.without_tags.keys() == ["easy-listening"]
    tick_by_keys(qtbot, dialog.form.with_tags, TagGroup.MOOD, "easy listening")
    assert dialog.form.without_tags.keys() == [] and dialog.name.text() == "jazz · easy listening · no vocals"
    assert preview_ids(qtbot, dialog) == shown

    with qtbot.waitSignal(dialog.saved, timeout=5000) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    playlist_id = saved.args[0]
    dialog.reject()
    wait_until_idle(qtbot, window)
    rules = stored_rules(db, playlist_id)
    assert rules["tags"] == ["easy-listening", "instrumental"] and rules["without_tags"] == []
    assert library.reader.playlist_track_ids(playlist_id) == shown

    # Export from the sidebar's menu: the file lists the playlist's files.
    target = tmp_path / "out" / "jazz.m3u8"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args, **kw: (str(target), "M3U8 playlist (*.m3u8)")))
    _menu_action(window, playlist_id, "Export…").trigger()
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#EXTM3U"
    exported = [os.path.normpath(target.parent / line) for line in lines if line and not line.startswith("#")]
    rows = library.reader.rows(shown)
    assert exported == [rows[i].path for i in shown]

    # Rename keeps the rules.
    def type_name():
        box = QApplication.activeModalWidget()
        assert isinstance(box, QInputDialog)
        box.setTextValue("Quiet jazz")
        box.accept()

    QTimer.singleShot(100, type_name)
    _menu_action(window, playlist_id, "Rename…").trigger()
    qtbot.waitUntil(lambda: "Quiet jazz" in _playlists(window), timeout=5000)
    assert stored_rules(db, playlist_id) == rules
    _menu_action(window, playlist_id, "Duplicate").trigger()  # and so does a copy
    qtbot.waitUntil(lambda: "Quiet jazz (copy)" in _playlists(window), timeout=5000)
    copy_id = _playlists(window)["Quiet jazz (copy)"]
    assert stored_rules(db, copy_id) == rules and library.reader.playlist_track_ids(copy_id) == shown

    # Edit rules shows the tags; saving again keeps them.
    _menu_action(window, playlist_id, "Edit rules…").trigger()
    editor = window.commands.playlist_dialog
    assert editor.form.with_tags.keys() == ["easy-listening", "instrumental"]
    assert editor.form.with_tags.text() == "easy listening, instrumental (no vocals)"
    assert editor.name.text() == "Quiet jazz" and preview_ids(qtbot, editor) == shown
    with qtbot.waitSignal(editor.saved, timeout=5000):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    editor.reject()
    wait_until_idle(qtbot, window)
    assert stored_rules(db, playlist_id) == rules

    # Smart: corrected to jazz, an instrumental easy-listening classical track joins; a sung pop
    # track does not.
    classical = expected_ids(db, ["classical"], ["easy-listening", "instrumental"], [], 0.0)
    sung = expected_ids(db, ["pop"], [], ["instrumental"], 0.0)
    assert classical and sung
    joiner, outsider = min(classical), min(sung)
    window.labels.set_genre("jazz", [joiner, outsider])
    qtbot.waitUntil(lambda: joiner in library.reader.playlist_track_ids(playlist_id), timeout=15_000)
    wait_until_idle(qtbot, window)
    qtbot.waitUntil(lambda: window.playlist_updater.is_idle, timeout=10_000)
    rebuilt = library.reader.playlist_track_ids(playlist_id)
    assert set(rebuilt) == expected_ids(db, ["jazz"], ["easy-listening", "instrumental"], [], 0.0)
    assert outsider not in rebuilt and stored_rules(db, playlist_id) == rules
    assert library.reader.playlist_track_ids(copy_id) == rebuilt  # the copy is smart too


def test_a_playlist_saved_before_tag_rules_opens_and_saves_with_none(qtbot, seeded_window):
    window = seeded_window
    old_rules = {"genres": ["jazz"], "min_confidence": 0.0, "max_tracks": None, "max_minutes": None,
                 "order": "confidence", "per_artist": None, "seed": None}  # no tag fields yet
    library = window.context.library
    jazz = [i for i in window.model.ids if window.model.track_row(window.model.row_of(i)).genre == "jazz"]
    playlist_id = library.writer.call(lambda conn: save_playlist(conn, "Old jazz", old_rules, jazz))
    library.playlistsChanged.emit()
    _menu_action(window, playlist_id, "Edit rules…").trigger()
    editor = window.commands.playlist_dialog
    assert editor.form.with_tags.keys() == [] and editor.form.without_tags.keys() == []
    assert editor.form.with_tags.text() == "any" and editor.form.without_tags.text() == "none"
    assert set(preview_ids(qtbot, editor)) == set(jazz)
    with qtbot.waitSignal(editor.saved, timeout=5000):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    editor.reject()
    wait_until_idle(qtbot, window)
    rules = stored_rules(window.context.db_path, playlist_id)
    assert rules["tags"] == [] and rules["without_tags"] == [] and rules["genres"] == ["jazz"]
