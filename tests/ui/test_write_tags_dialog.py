"""Write genres to files, the staged diff: what would change, re-planning on every option, and
nothing written before the user confirms. A real window over real files in a real library."""

from __future__ import annotations

import sqlite3
import threading

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest

from genre_desktop.ui.itemmodels.tag_change_model import CONFIDENCE, confidence_text
from tests.ui.tag_music import TagLibrary, genre_values, tag_library, tag_template  # noqa: F401  (fixtures)


def library_rows(db_path) -> dict[int, tuple[str, str | None, str | None, float | None]]:
    """track id -> (path, genre, genre_source, confidence), read straight from the file."""
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute("SELECT id, path, genre, genre_source, confidence FROM tracks").fetchall()
    finally:
        conn.close()
    return {r[0]: tuple(r[1:]) for r in rows}


def batch_count(db_path) -> int:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("SELECT count(*) FROM tag_batches").fetchone()[0]
    finally:
        conn.close()


def correct(qtbot, window, genre: str, ids: list[int]) -> None:
    window.labels.set_genre(genre, ids)
    qtbot.waitUntil(lambda: all(library_rows(window.context.db_path)[i][1:3] == (genre, "you") for i in ids),
                    timeout=10_000)


def settle(qtbot, dialog) -> dict[int, object]:
    qtbot.waitUntil(lambda: not dialog.is_planning, timeout=30_000)
    return {change.track_id: change for change in dialog.model.changes}


def qualifies(row, threshold: float, only_corrections: bool = False) -> bool:
    _path, genre, source, confidence = row
    if genre is None or source not in ("you", "model", "personal model"):
        return False
    return source == "you" or (not only_corrections and confidence >= threshold)


def test_staged_diff_lists_the_files_that_would_change(qtbot, tag_library: TagLibrary):
    window = tag_library.window
    correct(qtbot, window, "Shoegaze", [3])  # a file without a genre tag
    correct(qtbot, window, "jazz", [4])  # a file tagged "Hiphop"
    dialog = window.tags.open_write_dialog(whole_library=True)
    assert dialog.isVisible() and not dialog.write_button.isEnabled()
    shown = settle(qtbot, dialog)

    threshold = window.context.library.reader.threshold
    rows = library_rows(window.context.db_path)
    untagged = {i for i, row in rows.items() if not genre_values(row[0])}
    expected = {i for i in untagged if qualifies(rows[i], threshold)}
    assert expected and set(shown) == expected
    for track_id, change in shown.items():
        path, genre, source, confidence = rows[track_id]
        assert (change.path, change.current, change.new, change.source) == (path, None, genre, source)
        assert change.confidence == confidence
    assert shown[3].new == "Shoegaze" and shown[3].source == "you"
    assert [c.track_id for c in dialog.plan.kept_existing] == [4]
    assert dialog.plan.kept_existing[0].current == "Hiphop"
    assert dialog.summary.text().startswith(
        f"{len(expected)} files will change, 1 skipped because it already has a genre")
    assert dialog.write_button.isEnabled() and dialog.write_button.text() == f"Write {len(expected)} files"

    model = dialog.model
    dialog.table.sortByColumn(CONFIDENCE, Qt.SortOrder.DescendingOrder)
    shown_order = [model.change_at(r) for r in range(model.rowCount())]
    assert [c.source for c in shown_order[:1]] == ["you"]  # corrections sort above every confidence
    confidences = [c.confidence for c in shown_order[1:]]
    assert confidences == sorted(confidences, reverse=True)
    first = model.index(1, CONFIDENCE)
    assert model.data(first) == confidence_text(shown_order[1]) == f"{confidences[0]:.0%}"


def test_each_option_replans_the_diff(qtbot, tag_library: TagLibrary):
    window = tag_library.window
    correct(qtbot, window, "Shoegaze", [3])
    correct(qtbot, window, "jazz", [4])
    dialog = window.tags.open_write_dialog(whole_library=True)
    settle(qtbot, dialog)
    rows = library_rows(window.context.db_path)
    form = dialog.form

    form.only_corrections.setChecked(True)
    assert dialog.is_planning and not dialog.write_button.isEnabled()
    assert set(settle(qtbot, dialog)) == {3}

    form.existing.setCurrentIndex(form.existing.findData(True))  # replace existing genres
    shown = settle(qtbot, dialog)
    assert set(shown) == {3, 4}
    assert (shown[4].current, shown[4].new) == ("Hiphop", "jazz")
    assert not dialog.plan.kept_existing

    form.with_model.setChecked(True)
    form.min_confidence.setValue(70)
    shown = settle(qtbot, dialog)
    model_rows = {i for i, c in shown.items() if c.source != "you"}
    confident = {i for i, row in rows.items() if row[2] == "model" and row[3] >= 0.7}
    # The seeded tags name the model's own genre, so only untagged files change.
    expected = {i for i in confident if not genre_values(rows[i][0])}
    assert expected and model_rows == expected
    assert all(c.confidence >= 0.7 for i, c in shown.items() if i in model_rows)
    assert dialog.plan.unchanged == len(confident - expected)

    window.library_panel.select_ids([3, 5], current=3)
    selection_dialog = window.tags.open_write_dialog(whole_library=False)
    assert set(settle(qtbot, selection_dialog)) <= {3, 5}
    selection_dialog.form.scope.setCurrentIndex(selection_dialog.form.scope.findData(True))
    assert len(settle(qtbot, selection_dialog)) > 2
    selection_dialog.reject()
    dialog.reject()


def test_the_dialog_keeps_processing_events_while_a_plan_is_pending(qtbot, tag_library: TagLibrary):
    """Every worker of the task pool is held, so the plan cannot run until released: the dialog
    must be up and reacting meanwhile, and then show the plan for the options chosen last."""
    window = tag_library.window
    context = window.context
    release = threading.Event()
    holders = [context.tasks.run(release.wait, name="hold a worker")
               for _ in range(context.tasks._pool.maxThreadCount())]
    try:
        dialog = window.tags.open_write_dialog(whole_library=True)
        ticks = []
        timer = QTimer(dialog)
        timer.timeout.connect(lambda: ticks.append(1))
        timer.start(10)
        qtbot.waitUntil(lambda: len(ticks) >= 3, timeout=10_000)
        assert dialog.isVisible() and dialog.is_planning and dialog.busy.isVisible()
        assert dialog.summary.text() == "Checking the files' genre tags…"
        dialog.form.only_corrections.setChecked(True)  # reacts to input while planning
        qtbot.waitUntil(lambda: len(ticks) >= 6, timeout=10_000)
        assert dialog.is_planning and not dialog.write_button.isEnabled()
    finally:
        release.set()
    qtbot.waitUntil(lambda: all(not h.is_running for h in holders), timeout=10_000)
    assert settle(qtbot, dialog) == {}  # no corrections yet: the newest options win
    assert dialog.summary.text().startswith("Nothing to write")
    assert not dialog.write_button.isEnabled()


def test_nothing_is_written_before_the_user_confirms(qtbot, tag_library: TagLibrary):
    window = tag_library.window
    before = tag_library.snapshot()
    dialog = window.tags.open_write_dialog(whole_library=True)
    assert settle(qtbot, dialog)
    dialog.form.min_confidence.setValue(30)  # the plan is stale until re-planned
    QTest.keyClick(dialog.form.min_confidence, Qt.Key.Key_Return)  # Enter on a stale plan: no write
    assert dialog.is_planning and not dialog.is_writing
    settle(qtbot, dialog)
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and not dialog.is_writing
    assert batch_count(window.context.db_path) == 0
    assert tag_library.snapshot() == before
