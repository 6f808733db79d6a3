"""Safe defaults: tag writing starts with "only my corrections", playlists start at the model's
threshold, and both dialogs remember the user's last choice (in the settings file)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from genre_desktop.core.settings import Settings
from tests.ui.conftest import wait_until_idle


def _open_with_keys(qtbot, window, key: str):
    window.activateWindow()
    window.library_panel.table.setFocus()
    qtbot.keyClick(window.library_panel.table, key, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()


def test_tag_writing_defaults_to_only_my_corrections_and_remembers(qtbot, seeded_window):
    window = seeded_window
    _open_with_keys(qtbot, window, Qt.Key.Key_T)
    dialog = window.tags.write_dialog
    assert dialog is not None and dialog.isVisible()
    form = dialog.form
    assert form.only_corrections.isChecked() and not form.with_model.isChecked()
    assert not form.min_confidence.isEnabled()
    qtbot.waitUntil(lambda: not dialog.is_planning, timeout=30_000)
    assert dialog.model.changes == []  # nothing corrected yet, so nothing to write
    threshold = window.context.library.reader.threshold
    assert form.min_confidence.value() == round(threshold * 100)  # the threshold shown, ready

    qtbot.mouseClick(form.with_model, Qt.MouseButton.LeftButton)
    assert form.with_model.isChecked() and form.min_confidence.isEnabled()
    form.min_confidence.setFocus()
    form.min_confidence.selectAll()
    qtbot.keyClicks(form.min_confidence, "90")
    assert form.min_confidence.value() == 90
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    stored = Settings.load(window.context.paths.settings_file)
    assert stored.tag_write_model_genres is True
    assert abs(stored.tag_write_min_confidence - 0.90) < 1e-9

    _open_with_keys(qtbot, window, Qt.Key.Key_T)
    again = window.tags.write_dialog.form
    assert again.with_model.isChecked() and again.min_confidence.value() == 90
    window.tags.write_dialog.reject()


def test_playlists_start_at_the_models_threshold_and_remember(qtbot, seeded_window):
    window = seeded_window
    threshold = window.context.library.reader.threshold
    _open_with_keys(qtbot, window, Qt.Key.Key_P)
    dialog = window.commands.playlist_dialog
    qtbot.waitUntil(lambda: not dialog.is_updating, timeout=5000)
    assert dialog.form.min_confidence.value() == round(threshold * 100)
    assert dialog.tracks and all(t.confidence is None or t.confidence >= threshold for t in dialog.tracks)
    uncertain = set(window.context.library.reader.track_ids(uncertain_only=True))
    assert uncertain and not uncertain & {t.track_id for t in dialog.tracks}

    slider = dialog.form.min_confidence
    slider.setFocus()
    for _ in range(2):
        qtbot.keyClick(slider, Qt.Key.Key_PageDown)  # 10 points a page
    chosen = slider.value()
    assert chosen == round(threshold * 100) - 20
    dialog.reject()
    wait_until_idle(qtbot, window)
    stored = Settings.load(window.context.paths.settings_file)
    assert abs(stored.playlist_min_confidence - chosen / 100) < 1e-9

    _open_with_keys(qtbot, window, Qt.Key.Key_P)
    assert window.commands.playlist_dialog.form.min_confidence.value() == chosen
    window.commands.playlist_dialog.reject()
