"""Also write mood and style, from the window: ticking the box re-plans the staged diff with each
file's Sounds-like moods and styles, the write puts them into the files (read back with
mutagen), the choice is remembered, and undo gives back byte-identical files. The tagger windows
are seeded from real GTZAN tag rows (the files are seconds long, too short to analyse)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QCheckBox, QStyle, QStyleOptionButton

from genre_desktop.core.training_data import load_model_table
from genre_desktop.ui.itemmodels.tag_change_model import SOUNDS
from tests.tagging.tag_checks import shown_fields, sound_fields_in
from tests.ui.seed import add_tagger_windows
from tests.ui.tag_music import TagLibrary, genre_values, tag_library, tag_template  # noqa: F401  (fixtures)
from tests.ui.test_write_tags_dialog import correct, settle
from tests.ui.test_write_tags_undo import undo_and_wait, write_and_wait


def indicator_centre(box: QCheckBox) -> QPoint:
    """Where the box itself is drawn (a click beside its text does not tick it)."""
    option = QStyleOptionButton()
    box.initStyleOption(option)
    return box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box).center()


def test_ticking_the_box_writes_moods_and_styles_and_undo_restores_every_byte(
        qtbot, tag_library: TagLibrary, gtzan_dir, monkeypatch):
    window, db_path = tag_library.window, tag_library.window.context.db_path
    table = load_model_table(gtzan_dir)
    window.context.library.writer.call(lambda conn: add_tagger_windows(conn, table))
    before = tag_library.snapshot()
    correct(qtbot, window, "Shoegaze", [3, 6])
    ids = list(range(1, 13))
    window.library_panel.select_ids(ids, current=1)
    dialog = window.tags.open_write_dialog(whole_library=False)
    genres_only = settle(qtbot, dialog)
    box = dialog.form.sound_tags
    assert not box.isChecked() and dialog.table.isColumnHidden(SOUNDS)  # off by default
    assert genres_only and all(not c.moods and not c.styles for c in genres_only.values())

    QTest.mouseClick(box, Qt.MouseButton.LeftButton, pos=indicator_centre(box))
    assert box.isChecked() and dialog.is_planning and not dialog.write_button.isEnabled()
    planned = settle(qtbot, dialog)
    assert not dialog.table.isColumnHidden(SOUNDS) and "mood and style" in dialog.hint.text()
    expected = {i: shown_fields(db_path, i) for i in ids}
    assert set(genres_only) < set(planned)  # files that have their genre still get moods and styles
    for track_id, change in planned.items():
        assert (list(change.moods), list(change.styles)) == expected[track_id]
        assert change.writes_genre == (track_id in genres_only)
    row = next(r for r in range(dialog.model.rowCount()) if dialog.model.change_at(r).moods)
    change = dialog.model.change_at(row)
    assert dialog.model.data(dialog.model.index(row, SOUNDS)).startswith(", ".join(change.moods))

    kept_genres = {i: genre_values(tag_library.path_of(i)) for i in planned if i not in genres_only}
    result = write_and_wait(qtbot, dialog)
    assert not result.failed and not result.skipped
    assert sorted(result.written) == sorted(str(tag_library.path_of(i)) for i in planned)
    for track_id, change in planned.items():
        path = tag_library.path_of(track_id)
        assert sound_fields_in(path) == expected[track_id]
        assert genre_values(path) == kept_genres.get(track_id, [change.new])
    untouched = [p for i, p in enumerate(tag_library.paths, 1) if i not in planned]
    assert all(p.read_bytes() == before[p] for p in untouched)
    QTest.keyClick(dialog, Qt.Key.Key_Return)  # Enter now closes
    assert window.context.settings.tag_write_sound_tags is True

    again = window.tags.open_write_dialog(whole_library=False)
    assert again.form.sound_tags.isChecked() and not again.table.isColumnHidden(SOUNDS)
    again.reject()

    undo = window.actions.undo_tag_write
    qtbot.waitUntil(undo.isEnabled, timeout=10_000)
    undo_and_wait(qtbot, window, monkeypatch)
    assert tag_library.snapshot() == before
