"""Sounds like in the Track panel and More like this, driven in the real window over a real
library file. The tagger windows are seeded: real GTZAN feature and tag rows, embeddings drawn
near one centre per genre; the tracks are real clips, so playback is real (ALSA's null device)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from genre_desktop.core.sounds_like.tag_thresholds import THRESHOLDS
from genre_desktop.core.sounds_like.tags import TagGroup, shown_tags
from genre_desktop.library.db import connect
from genre_desktop.ui.itemmodels.columns import COLUMN_INDEX
from genre_desktop.ui.sounds_like_controller import NOT_ANALYSED
from tests.ui.seed import OLD_RECIPE_TRACK


def test_track_panel_shows_the_tracks_sounds_like_tags(qtbot, tagged_window, app_context):
    window = tagged_window
    window.library_panel.select_ids([13], current=13)
    conn = connect(app_context.db_path, readonly=True)
    rows = np.vstack([np.frombuffer(b, np.float64) for (b,) in conn.execute(
        "SELECT features FROM windows WHERE track_id = 13 ORDER BY idx")])
    conn.close()
    expected = shown_tags(rows[:, 57:].mean(axis=0), THRESHOLDS)
    assert expected, "the seeded track should have tags to show"
    view = window.detail.sounds_like
    first = expected[0]
    qtbot.waitUntil(lambda: first.name in view.text_of(first.group), timeout=10_000)
    for group in TagGroup:
        names = [t.name for t in expected if t.group is group]
        text = view.text_of(group)
        assert all(name in text for name in names) and (names or text == "—")
    # a track analysed before the tagger existed says how to get its tags
    window.library_panel.select_ids([OLD_RECIPE_TRACK], current=OLD_RECIPE_TRACK)
    qtbot.waitUntil(lambda: view.note.text() == NOT_ANALYSED, timeout=10_000)
    assert all(view.text_of(g) == "—" for g in TagGroup)


def test_more_like_this_lists_plays_saves_and_exports(qtbot, tagged_window, app_context, tmp_path):
    window = tagged_window
    window.library_panel.select_ids([3], current=3)
    qtbot.waitUntil(lambda: window.detail.more_like_this.isEnabled(), timeout=5000)
    window.actions.more_like_this.trigger()
    dialog = window.sounds_like.dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: bool(dialog.results), timeout=15_000)
    ids = [r.row.id for r in dialog.results]
    # at most 2 per artist by default, and the seed has 7 artists ("Artist {id % 7}")
    assert 3 not in ids and len(ids) == 14
    artists = [r.row.artist for r in dialog.results]
    assert max(artists.count(a) for a in artists) == 2
    # the seeded embeddings put the tracks of the same seed genre (id % 10 == 3) nearest
    assert sorted(ids[:3]) == [13, 23, 33]
    assert dialog.table.item(0, 4).text().endswith("%")

    dialog.per_artist.setValue(1)
    qtbot.waitUntil(lambda: len(dialog.results) == 7, timeout=15_000)
    assert len({r.row.artist for r in dialog.results}) == 7
    dialog.per_artist.setValue(0)
    dialog.same_genre.setChecked(True)
    qtbot.waitUntil(lambda: bool(dialog.results) and all(r.row.genre == dialog.results[0].row.genre
                                                         for r in dialog.results), timeout=15_000)
    assert all(r.row.genre == window.detail.detail.row.genre for r in dialog.results)

    dialog.play_row(0)
    playback = app_context.playback
    qtbot.waitUntil(lambda: playback.current_path == dialog.results[0].row.path, timeout=15_000)
    playback.stop()

    with qtbot.waitSignal(app_context.library.playlistsChanged, timeout=10_000):
        dialog.save("Sounds like track 3")
    conn = connect(app_context.db_path, readonly=True)
    saved = [r[0] for r in conn.execute(
        """SELECT pt.track_id FROM playlist_tracks AS pt JOIN playlists AS p ON p.id = pt.playlist_id
           WHERE p.name = 'Sounds like track 3' ORDER BY pt.position""")]
    conn.close()
    assert saved == [r.row.id for r in dialog.results]

    out = tmp_path / "like3.m3u8"
    dialog.export(str(out))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#EXTM3U"
    assert sum(line.startswith("#EXTINF") for line in lines) == len(dialog.results)
    dialog.close()


def test_more_like_this_explains_a_track_not_yet_tagged(qtbot, tagged_window):
    window = tagged_window
    window.library_panel.select_ids([OLD_RECIPE_TRACK], current=OLD_RECIPE_TRACK)
    qtbot.waitUntil(lambda: window.detail.more_like_this.isEnabled(), timeout=5000)
    qtbot.mouseClick(window.detail.more_like_this, Qt.MouseButton.LeftButton)  # the Track panel's button
    dialog = window.sounds_like.dialog
    assert dialog is not None and dialog.track_ids == [OLD_RECIPE_TRACK]
    qtbot.waitUntil(lambda: "scan their folder again" in dialog.status.text(), timeout=15_000)
    assert not dialog.play_button.isEnabled() and dialog.table.rowCount() == 0
    dialog.close()


def test_tag_search_and_the_sounds_like_column(qtbot, tagged_window, app_context):
    window = tagged_window
    conn = connect(app_context.db_path, readonly=True)
    counts = dict(conn.execute("SELECT tag, COUNT(*) FROM sound_tags GROUP BY tag").fetchall())
    key = max(counts, key=lambda k: (0 < counts[k] < 39, counts[k]))
    having = {r[0] for r in conn.execute("SELECT track_id FROM sound_tags WHERE tag = ?", (key,))}
    conn.close()
    assert 0 < len(having) < 39
    window.library_panel.search.setText(f"tag:{key}")
    qtbot.waitUntil(lambda: window.model.rowCount() == len(having) and not window.model.loading,
                    timeout=15_000)
    assert set(window.model.ids) == having
    column = COLUMN_INDEX["sounds_like"]
    for row in range(window.model.rowCount()):
        cell = window.model.data(window.model.index(row, column))
        assert cell == window.model.track_row(row).sounds_like and cell
    window.library_panel.search.setText("")
    qtbot.waitUntil(lambda: window.model.rowCount() == 40, timeout=15_000)


def test_an_older_search_landing_late_does_not_replace_the_newer_list(qtbot, tagged_window):
    window = tagged_window
    window.library_panel.select_ids([3], current=3)
    dialog = window.sounds_like.more_like_this()
    qtbot.waitUntil(lambda: bool(dialog.results), timeout=15_000)
    # two option changes in a row; whichever search finishes last, the list follows the last one
    for _ in range(5):
        dialog.per_artist.setValue(0)
        dialog.same_genre.setChecked(True)
        qtbot.waitUntil(lambda: bool(dialog.results) and dialog.status.text().endswith("first."), timeout=15_000)
        qtbot.wait(300)  # room for a stale result to arrive
        genre = window.detail.detail.row.genre
        assert all(r.row.genre == genre for r in dialog.results)
        dialog.same_genre.setChecked(False)
        dialog.per_artist.setValue(2)
        qtbot.waitUntil(lambda: len(dialog.results) == 14, timeout=15_000)
        qtbot.wait(300)
        assert len(dialog.results) == 14
    dialog.close()
