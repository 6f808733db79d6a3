"""The review queue, Use bundled model only, automatic learning and learning progress, in the
real window over real features."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.ui.conftest import wait_until_idle
from tests.ui.personal_seed import (  # noqa: F401
    LEARN_TIMEOUT, correct, db_rows, learn_from_window, of_genre, real_window,
)


def open_review(qtbot, window):
    window.actions.show_review.trigger()
    assert window.tabs.currentWidget() is window.review
    qtbot.waitUntil(lambda: window.review.refresh_button.isEnabled() and bool(window.review.entries()), timeout=60_000)
    return window.review


def test_review_queue_lists_reasons_and_shrinks_as_tracks_are_answered(qtbot, real_window):
    from genre_desktop.ui.panels.sidebar import SidebarEntry

    window = real_window
    correct(qtbot, window, "nu-disco", of_genre(window, "disco", 6))
    correct(qtbot, window, "jazz", of_genre(window, "jazz", 2))
    learn_from_window(qtbot, window).close()
    review = open_review(qtbot, window)
    assert "teaches the model" in review.explanation.text()

    entries = review.entries()
    labelled = {row[0] for row in db_rows(window, "SELECT id FROM tracks WHERE genre_source = 'you'")}
    assert entries and not {e.row.id for e in entries} & labelled  # only tracks you have not labelled
    assert all(e.reason for e in entries)
    assert any("nu-disco" in e.reason for e in entries)  # tracks that may be the user's new genre
    assert window.sidebar.item_for(SidebarEntry("review")).text(1) == str(len(entries))
    first = entries[0]
    assert review.current_id() == first.row.id  # ready for the first answer
    assert window.detail.detail.row.id == first.row.id
    assert review.tree.topLevelItem(0).text(4) == first.reason

    # The ordinary correction shortcut answers the track chosen in the queue.
    assert window.selected_track_ids() == [first.row.id]
    window.activateWindow()  # offscreen Qt does not give it back when the summary closes
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    review.tree.setFocus()
    QTest.keyClick(review.tree, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)  # jazz
    qtbot.waitUntil(lambda: first.row.id not in review.queued_ids(), timeout=10_000)
    assert db_rows(window, "SELECT genre, genre_source FROM tracks WHERE id = ?", (first.row.id,)) == [("jazz", "you")]
    assert len(review.entries()) == len(entries) - 1
    assert review.current_id() == entries[1].row.id  # the next one is ready
    assert window.sidebar.item_for(SidebarEntry("review")).text(1) == str(len(entries) - 1)
    qtbot.waitUntil(lambda: "1 new correction since" in review.learn_hint.text(), timeout=5000)
    assert "1 new correction" in window.actions.learn.toolTip()  # it counts toward the next learning

    window.labels.undo_stack.undo()  # undone: the track is worth asking about again
    qtbot.waitUntil(lambda: first.row.id in review.queued_ids(), timeout=10_000)

    menu = window.commands.track_menu(None)  # the context menu acts on the queue's selection
    assert menu.actions()[0].text() == "Set genre (1 track)"


def test_writing_genres_from_the_review_queue_takes_its_selection(qtbot, real_window):
    window = real_window
    review = open_review(qtbot, window)
    review.tree.selectAll()
    queued = sorted(review.queued_ids())
    assert len(queued) >= 2 and sorted(window.selected_track_ids()) == queued
    dialog = window.tags.open_write_dialog()
    try:
        assert sorted(dialog.selected_ids) == queued and not dialog.form.whole_library
    finally:
        dialog.reject()


def test_use_bundled_model_only_reverts_the_sources_and_back(qtbot, real_window):
    from genre_desktop.ui.itemmodels.columns import COLUMN_INDEX

    window = real_window
    correct(qtbot, window, "nu-metal", of_genre(window, "metal", 6))  # reaches three more metal clips
    correct(qtbot, window, "country", of_genre(window, "country", 3))
    learn_from_window(qtbot, window).close()
    personal_sources = lambda: db_rows(window, "SELECT count(*) FROM tracks WHERE genre_source = 'personal model'")[0][0]  # noqa: E731
    before = personal_sources()
    assert before > 0
    action = window.actions.use_bundled_only
    assert action.isEnabled() and not action.isChecked()

    with qtbot.waitSignal(window.context.personal.repredicted, timeout=LEARN_TIMEOUT):
        action.trigger()  # checked: bundled model only
    wait_until_idle(qtbot, window)
    assert personal_sources() == 0
    assert not window.context.settings.use_personal_model
    assert db_rows(window, "SELECT count(*) FROM tracks WHERE genre = 'nu-disco' AND genre_source != 'you'")[0][0] == 0
    source = COLUMN_INDEX["source"]
    shown = {window.model.data(window.model.index(r, source)) for r in range(window.model.rowCount())}
    assert "your model" not in shown and "model" in shown
    assert "bundled model only" in window.statusBar().currentMessage()
    assert db_rows(window, "SELECT count(*) FROM tracks WHERE genre_source = 'you'")[0][0] == 9  # kept
    review = open_review(qtbot, window)  # looked for again: only the bundled model's doubts now
    assert all(e.reason.startswith("unsure") for e in review.entries())
    window.actions.show_library.trigger()

    settings = window.commands.open_settings()  # the Settings dialog shows the same choice
    assert settings.personal.bundled_only.isChecked()
    settings.personal.bundled_only.setChecked(False)
    with qtbot.waitSignal(window.context.personal.repredicted, timeout=LEARN_TIMEOUT):
        settings.accept()
    wait_until_idle(qtbot, window)
    assert not action.isChecked()
    assert personal_sources() == before


def test_automatic_mode_learns_after_the_chosen_number_of_corrections(qtbot, real_window):
    window = real_window
    settings = window.commands.open_settings()
    combo = settings.personal.automatic
    assert [combo.itemData(i) for i in range(combo.count())] == [0, 5, 10, 25]
    combo.setCurrentIndex(combo.findData(5))
    settings.accept()
    assert window.context.settings.learn_after_corrections == 5

    correct(qtbot, window, "nu-disco", of_genre(window, "disco", 4))
    assert window.personal.last_summary is None  # 4 of 5: not yet
    with qtbot.waitSignal(window.context.personal.learned, timeout=LEARN_TIMEOUT):
        window.labels.set_genre("nu-disco", of_genre(window, "disco", 5)[-1:])
    wait_until_idle(qtbot, window)
    summary = window.personal.last_summary
    assert summary is not None and summary.examples == {"nu-disco": 5}
    assert window.personal.summary_dialog is None  # no dialog pops up unasked...
    assert "learned from your corrections by itself" in window.statusBar().currentMessage()
    assert window.actions.learn_summary.isEnabled()  # ...the summary is one menu item away
    assert window.personal.show_last_summary() is not None
    window.personal.summary_dialog.close()


def test_learning_shows_progress_and_cancel_reaches_the_task(qtbot, real_window):
    window = real_window
    correct(qtbot, window, "nu-disco", of_genre(window, "disco", 5))
    qtbot.waitUntil(window.actions.learn.isEnabled, timeout=5000)
    stages: list[str] = []
    window.context.personal.progress.connect(lambda p: stages.append(p.stage))
    with qtbot.waitSignal(window.context.personal.busyChanged, timeout=5000):
        window.actions.learn.trigger()
    assert not window.actions.learn.isEnabled()  # one learning at a time
    running = window.context.tasks.running
    assert running
    window.personal.progress.cancel_button.click()
    assert any(task.was_cancelled for task in running)
    assert window.personal.progress.label.text() == "Stopping…"
    qtbot.waitUntil(lambda: not window.context.personal.is_busy, timeout=LEARN_TIMEOUT)
    assert not window.personal.progress.isVisible()
    assert stages and stages[0] == "Collecting your corrections"
    assert window.actions.learn.isEnabled()
