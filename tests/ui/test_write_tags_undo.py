"""Writing genres into real files from the window, and undoing it: the tags really change (read
back with mutagen), the views follow, and undo gives back byte-identical files."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest
from mutagen.id3 import ID3
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from genre_desktop.ui.dialogs.tag_batch_panel import FAILED
from tests.corpus import tag_file
from tests.ui.conftest import wait_until_idle
from tests.ui.tag_music import TagLibrary, genre_values, tag_library, tag_template  # noqa: F401  (fixtures)
from tests.ui.test_write_tags_dialog import correct, settle


def tag_genres_in_library(db_path) -> dict[str, str | None]:
    conn = sqlite3.connect(db_path)
    try:
        return dict(conn.execute("SELECT path, tag_genre FROM tracks").fetchall())
    finally:
        conn.close()


def write_and_wait(qtbot, dialog):
    """Press Enter on the planned diff and wait for the outcome."""
    with qtbot.waitSignal(dialog.batchFinished, timeout=120_000) as finished:
        QTest.keyClick(dialog.table, Qt.Key.Key_Return)
        assert dialog.is_writing
    return finished.args[0]


def undo_and_wait(qtbot, window, monkeypatch):
    """File > Undo last tag write, answering Yes to its question."""
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.actions.undo_tag_write.trigger()
    dialog = window.tags.undo_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: not dialog.is_running, timeout=120_000)
    return dialog


def test_write_from_the_context_menu_then_undo_restores_every_byte(qtbot, tag_library: TagLibrary, monkeypatch):
    window = tag_library.window
    before = tag_library.snapshot()
    correct(qtbot, window, "Shoegaze", [3, 6])
    assert not window.actions.undo_tag_write.isEnabled()
    window.library_panel.select_ids([3, 6, 9, 12], current=3)
    menu = window.commands.track_menu(None)
    write_action = next(a for a in menu.actions() if a.text() == "Write genres to files…")
    write_action.trigger()
    dialog = window.tags.write_dialog
    planned = settle(qtbot, dialog)
    assert set(planned) == {3, 6, 9, 12}  # untagged; 9 and 12 by a confident model

    result = write_and_wait(qtbot, dialog)
    assert not result.cancelled and not result.failed and not result.skipped
    assert sorted(result.written) == sorted(str(tag_library.path_of(i)) for i in planned)
    for track_id, change in planned.items():
        assert genre_values(tag_library.path_of(track_id)) == [change.new]
    assert genre_values(tag_library.path_of(3)) == ["Shoegaze"]
    assert dialog.run_panel.heading.text() == "4 files written."
    assert window.statusBar().currentMessage() == "4 files written."  # still there once closed
    assert not dialog.run_panel.problems.isVisible()
    untouched = [p for i, p in enumerate(tag_library.paths, 1) if i not in planned]
    assert all(p.read_bytes() == before[p] for p in untouched)
    assert tag_genres_in_library(window.context.db_path)[str(tag_library.path_of(3))] == "Shoegaze"
    wait_until_idle(qtbot, window)
    shown = window.model.track_row(window.model.row_of(9))
    assert shown.tag_genre == planned[9].new  # the view re-read the retagged rows
    QTest.keyClick(dialog, Qt.Key.Key_Return)  # Enter now closes
    assert not dialog.isVisible()

    undo = window.actions.undo_tag_write
    qtbot.waitUntil(undo.isEnabled, timeout=10_000)
    assert "(4 files)" in undo.text()
    undo_dialog = undo_and_wait(qtbot, window, monkeypatch)
    assert sorted(undo_dialog.result.written) == sorted(result.written)
    assert undo_dialog.run_panel.heading.text() == "4 files restored."
    assert tag_library.snapshot() == before
    assert tag_genres_in_library(window.context.db_path)[str(tag_library.path_of(3))] is None
    qtbot.waitUntil(lambda: not undo.isEnabled(), timeout=10_000)


def test_cancel_stops_midway_and_undo_restores_what_was_written(qtbot, tag_library: TagLibrary, monkeypatch):
    window = tag_library.window
    before = tag_library.snapshot()
    correct(qtbot, window, "Lo-fi", list(range(1, 41)))
    dialog = window.tags.open_write_dialog(whole_library=True)
    dialog.form.existing.setCurrentIndex(dialog.form.existing.findData(True))
    assert len(settle(qtbot, dialog)) == 40

    def cancel_on_first_file(progress) -> None:
        if progress[0] == 1:
            QTest.keyClick(dialog, Qt.Key.Key_Escape)

    with qtbot.waitSignal(dialog.batchFinished, timeout=120_000) as finished:
        assert dialog.confirm()
        dialog.write_task.progress.connect(cancel_on_first_file)
    result = finished.args[0]
    assert result.cancelled
    assert 1 <= len(result.written) < 40
    assert dialog.isVisible()  # Esc while writing stops the write, it does not close the dialog
    assert dialog.run_panel.heading.text().startswith("Stopped")
    written = set(result.written)
    for path in tag_library.paths:
        if str(path) in written:
            assert genre_values(path) == ["Lo-fi"]
        else:
            assert path.read_bytes() == before[path]
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()

    qtbot.waitUntil(window.actions.undo_tag_write.isEnabled, timeout=10_000)
    undo_dialog = undo_and_wait(qtbot, window, monkeypatch)
    assert len(undo_dialog.result.written) == len(written)
    assert tag_library.snapshot() == before


@pytest.fixture
def read_only(tag_library: TagLibrary):
    """Track 3's file made read-only (mode 0444, which the writer refuses even for root)."""
    path = tag_library.path_of(3)
    os.chmod(path, 0o444)
    yield path
    os.chmod(path, 0o644)


def test_a_read_only_file_is_listed_as_failed_with_its_reason(qtbot, tag_library: TagLibrary, read_only):
    window = tag_library.window
    before = read_only.read_bytes()
    dialog = window.tags.open_write_dialog(whole_library=True)
    planned = settle(qtbot, dialog)
    assert 3 not in planned  # the model is unsure of track 3; a correction puts it in
    dialog.reject()
    correct(qtbot, window, "Shoegaze", [3])
    dialog = window.tags.open_write_dialog(whole_library=True)
    planned = settle(qtbot, dialog)
    assert 3 in planned

    result = write_and_wait(qtbot, dialog)
    assert result.failed == [(str(read_only), "the file is read-only")]
    assert len(result.written) == len(planned) - 1
    assert read_only.read_bytes() == before
    panel = dialog.run_panel
    assert panel.problems.isVisible()
    assert panel.listed() == [(str(read_only), FAILED, "the file is read-only")]
    assert "1 file could not be changed" in panel.heading.text()
    panel.copy_button.click()
    assert QGuiApplication.clipboard().text() == f"{FAILED}\t{read_only}\tthe file is read-only"


def test_id3_version_and_separator_reach_the_files(qtbot, tag_library: TagLibrary):
    window = tag_library.window
    mp3, flac = tag_library.path_of(6), tag_library.path_of(3)  # even ids are MP3, odd FLAC
    correct(qtbot, window, "Jazz; Blues", [3, 6])
    dialog = window.tags.open_write_dialog(whole_library=True)
    form = dialog.form
    form.only_corrections.setChecked(True)
    form.id3_version.setCurrentIndex(form.id3_version.findData(3))
    form.separator_mode.setCurrentIndex(form.separator_mode.findData(True))
    form.separator.setText(" / ")
    assert set(settle(qtbot, dialog)) == {3, 6}
    result = write_and_wait(qtbot, dialog)
    assert len(result.written) == 2
    assert genre_values(mp3) == ["Jazz / Blues"] and genre_values(flac) == ["Jazz / Blues"]
    assert ID3(mp3).version[:2] == (2, 3)
    dialog.reject()

    correct(qtbot, window, "Rock; Pop", [3, 6])
    dialog = window.tags.open_write_dialog(whole_library=True)
    dialog.form.only_corrections.setChecked(True)
    dialog.form.existing.setCurrentIndex(dialog.form.existing.findData(True))
    shown = settle(qtbot, dialog)
    assert shown[6].current == "Jazz / Blues"
    write_and_wait(qtbot, dialog)
    assert genre_values(mp3) == ["Rock", "Pop"] and genre_values(flac) == ["Rock", "Pop"]  # native
    assert ID3(mp3).version[:2] == (2, 4)


def test_undo_leaves_a_file_changed_since_and_says_so(qtbot, tag_library: TagLibrary, monkeypatch):
    window = tag_library.window
    before = tag_library.snapshot()
    window.library_panel.select_ids([9, 12], current=9)
    QTest.keyClick(window.library_panel.table, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    dialog = window.tags.write_dialog
    assert dialog is not None and not dialog.form.whole_library  # several selected: the selection
    assert set(settle(qtbot, dialog)) == {9, 12}
    assert len(write_and_wait(qtbot, dialog).written) == 2
    dialog.reject()
    retagged = tag_library.path_of(12)
    tag_file(retagged, genre="Edited Elsewhere")  # another program changes the file afterwards
    changed_since = retagged.read_bytes()

    qtbot.waitUntil(window.actions.undo_tag_write.isEnabled, timeout=10_000)
    undo_dialog = undo_and_wait(qtbot, window, monkeypatch)
    result = undo_dialog.result
    assert result.written == [str(tag_library.path_of(9))]
    assert [path for path, _reason in result.failed] == [str(retagged)]
    assert "changed after the genre was written" in result.failed[0][1]
    assert tag_library.path_of(9).read_bytes() == before[tag_library.path_of(9)]
    assert retagged.read_bytes() == changed_since
    panel = undo_dialog.run_panel
    assert panel.listed() == [(str(retagged), FAILED, result.failed[0][1])]
    assert panel.heading.text() == "1 file restored, 1 file could not be changed."
    QTest.keyClick(undo_dialog, Qt.Key.Key_Escape)
    assert not undo_dialog.isVisible()
    qtbot.waitUntil(lambda: not window.actions.undo_tag_write.isEnabled(), timeout=10_000)  # nothing left


def test_the_file_menu_sees_a_write_made_by_another_program(qtbot, tag_library: TagLibrary):
    window = tag_library.window
    undo = window.actions.undo_tag_write
    assert not undo.isEnabled()
    cli = subprocess.run([sys.executable, "-m", "genre_desktop", "--db", str(window.context.db_path),
                          "write-tags", "--json"], capture_output=True, text=True, timeout=300)
    assert cli.returncode == 0, cli.stderr
    written = json.loads(cli.stdout)["written"]
    assert written
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    file_menu.popup(window.mapToGlobal(window.rect().center()))  # opening the menu asks the library
    qtbot.waitUntil(undo.isEnabled, timeout=10_000)
    assert f"({len(written)} files)" in undo.text()
    file_menu.close()


def test_an_interrupted_write_is_settled_so_undo_counts_only_written_files(qtbot, tag_library: TagLibrary):
    """A write killed mid-batch leaves journal rows for files it never reached; the window
    settles them when the library opens, and Undo offers exactly the file that was written."""
    from genre_desktop.library.db import connect
    from genre_desktop.library.tag_batch import WriteOptions, last_batch, plan_changes, write_changes

    window = tag_library.window
    correct(qtbot, window, "Lo-fi", [1, 2, 3, 4, 5])
    writer = window.context.library.writer
    conn = connect(window.context.library.db_path, readonly=True)
    try:
        changes = plan_changes(conn, WriteOptions(replace_existing=True), [1, 2, 3, 4, 5])
    finally:
        conn.close()
    interrupted = write_changes(writer, changes, WriteOptions(replace_existing=True))
    assert next(interrupted) == (1, 5)
    del interrupted  # never resumed, as if the process had died here
    unsettled = "SELECT count(*) FROM tag_writes WHERE state IN ('planned', 'pending')"
    assert writer.call(lambda c: c.execute(unsettled).fetchone()[0]) == 4

    with qtbot.waitSignal(window.tags.service.lastBatchChanged, timeout=30_000) as settled:
        window.tags.service.settle_interrupted()
    assert settled.args[0].files == 1
    assert writer.call(lambda c: c.execute(unsettled).fetchone()[0]) == 0
    assert writer.call(lambda c: last_batch(c)).files == 1
    assert window.actions.undo_tag_write.isEnabled()
