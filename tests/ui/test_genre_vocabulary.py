"""One genre vocabulary and an honest display, driven through the window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from genre_desktop.ui.itemmodels.columns import COLUMN_INDEX
from genre_desktop.ui.panels.sidebar import SidebarEntry
from tests.ui.conftest import wait_until_idle
from tests.ui.seed import seed_library, seed_mixed_tags


def _sidebar_counts(window) -> dict[str, str]:
    section = window.sidebar._library
    return {section.child(i).text(0): section.child(i).text(1) for i in range(section.childCount())}


def _mixed_window(qtbot, app_context, main_window):
    app_context.library.writer.call(seed_library)
    app_context.library.writer.call(seed_mixed_tags)
    main_window.refresher.everything_changed()
    wait_until_idle(qtbot, main_window)
    qtbot.waitUntil(lambda: "Unmapped tags" in _sidebar_counts(main_window), timeout=10_000)
    return main_window


def test_sidebar_counts_canonical_genres_and_lists_unmapped_tags(qtbot, app_context, main_window):
    window = _mixed_window(qtbot, app_context, main_window)
    counts = _sidebar_counts(window)
    assert not {"Alt. Rock", "Alternative Rock", "Electro Rock", "Hip-Hop", "Rap"} & set(counts)
    reader = app_context.library.reader
    assert counts["rock"] == str(len(reader.track_ids(genre="rock")))
    assert len(reader.track_ids(genre="rock")) >= 6  # tracks 1-12: six tagged as some rock
    assert counts["Unmapped tags"] == "1" and counts["Chillwave"] == "2"
    assert dict(window.overview.chart.counts())["rock"] == len(reader.track_ids(genre="rock"))


def test_a_tag_row_never_shows_the_models_number_for_another_genre(qtbot, app_context, main_window):
    window = _mixed_window(qtbot, app_context, main_window)
    window.sidebar.choose(SidebarEntry("genre", "rock"))
    wait_until_idle(qtbot, window)
    model, table = window.model, window.library_panel.table
    row = next(r for r in range(model.rowCount()) if model.track_row(r).tag_genre == "Alt. Rock")
    genre_cell = model.index(row, COLUMN_INDEX["genre"])
    confidence_cell = model.index(row, COLUMN_INDEX["confidence"])
    assert genre_cell.data() == "rock (tag)"
    assert confidence_cell.data() == "model unsure"  # not "30%", which is jazz's number
    tip = confidence_cell.data(Qt.ItemDataRole.ToolTipRole)
    assert '"Alt. Rock"' in tip and "best guess is jazz at 30%" in tip
    assert "genre tag" in model.index(row, COLUMN_INDEX["source"]).data(Qt.ItemDataRole.ToolTipRole)

    table.setFocus()
    table.selectRow(row)
    qtbot.waitUntil(lambda: window.detail.detail is not None and window.detail.detail.row.tag_genre == "Alt. Rock")
    verdict = window.detail.verdict.text()
    assert verdict.startswith('Shown: rock, from the file\'s genre tag "Alt. Rock"')
    assert "best guess is jazz at 30%" in verdict
    assert window.detail._tag_labels["Genre tag"].text() == "Alt. Rock (counted as rock)"


def test_unmapped_tags_are_mapped_in_one_step(qtbot, app_context, main_window):
    window = _mixed_window(qtbot, app_context, main_window)
    item = window.sidebar.item_for(SidebarEntry("unmapped"))
    rect = window.sidebar.visualItemRect(item)
    qtbot.mouseClick(window.sidebar.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = window.commands.genre_mapping_dialog
    qtbot.waitUntil(lambda: dialog is not None and dialog.table.rowCount() == 1, timeout=10_000)
    assert dialog.windowTitle() == "Genre mapping"
    assert dialog.selected_tags() == ["Chillwave"]  # the unmapped ones are selected
    assert window.sidebar.current_entry == SidebarEntry("all")  # the view did not change
    dialog.genre.setFocus()
    qtbot.keyClicks(dialog.genre.lineEdit(), "Electronic")  # the model's genre, in its spelling
    qtbot.mouseClick(dialog.map_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Unmapped tags" not in _sidebar_counts(window), timeout=10_000)
    wait_until_idle(qtbot, window)
    counts = _sidebar_counts(window)
    assert counts["electronic"] == "2" and "Chillwave" not in counts
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 0)  # nothing left unmapped
    dialog.only_unmapped.setChecked(False)
    mapped = {dialog.table.item(r, 0).text(): dialog.table.item(r, 2).text()
              for r in range(dialog.table.rowCount())}
    assert mapped["Chillwave"] == "electronic" and mapped["Alt. Rock"] == "rock"
    dialog.close()
    QApplication.processEvents()

    # Undo (Ctrl+Z in the window) takes the mapping back.
    assert window.labels.undo_stack.undoText() == "Count Chillwave as electronic"
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    window.library_panel.table.setFocus()
    qtbot.keyClick(window.library_panel.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "Unmapped tags" in _sidebar_counts(window), timeout=10_000)
    assert _sidebar_counts(window)["Chillwave"] == "2" and _sidebar_counts(window).get("electronic", "0") == "0"
