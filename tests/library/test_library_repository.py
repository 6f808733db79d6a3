"""Named queries and write functions on a small synthetic library."""

from __future__ import annotations

import json

import numpy as np
import pytest

from genre_desktop.library.repository import (
    UNCERTAIN,
    LibraryReader,
    add_folder,
    delete_playlist,
    remove_folder,
    save_playlist,
    set_labels,
    set_threshold,
)
from genre_desktop.library.writes import refresh_derived, set_model_info
from tests.library.conftest import GENRES


@pytest.fixture
def lib(writer, reader_conn, synthetic):
    writer.call(lambda c: synthetic(c, 200))
    writer.call(lambda c: set_model_info(c, "m1", GENRES, 0.5))
    return writer, LibraryReader(reader_conn)


def _conf(reader, tid):
    return reader.rows([tid])[tid]


def test_derived_genre_follows_the_precedence(lib):
    writer, reader = lib
    rows = reader.rows(range(1, 201))
    for row in rows.values():
        pred = writer.call(lambda c: c.execute(
            "SELECT genre, confidence FROM predictions WHERE track_id=?", (row.id,)).fetchone())
        if pred[1] >= 0.5:
            assert (row.genre, row.genre_source, row.uncertain) == (pred[0], "model", False)
        else:  # unsure model: the file's tag stands in
            assert row.genre_source == "file tag" and row.genre == row.tag_genre and row.uncertain
        assert row.confidence == pytest.approx(pred[1])


def test_labels_win_are_returned_for_undo_and_are_append_only(lib):
    writer, reader = lib
    previous = writer.call(lambda c: set_labels(c, [1, 2], "jazz"))
    assert previous == {1: None, 2: None}
    rows = reader.rows([1, 2])
    assert all(r.genre == "jazz" and r.genre_source == "you" and r.confidence is None for r in rows.values())
    assert not any(r.uncertain for r in rows.values())
    previous = writer.call(lambda c: set_labels(c, [1], "My Garage Sound"))
    assert previous == {1: "jazz"}
    assert reader.row(1).genre == "My Garage Sound"
    assert reader.track_ids(genre="my garage sound") == [1]  # custom names filter, any case
    writer.call(lambda c: set_labels(c, [1], "jazz"))  # undo
    writer.call(lambda c: set_labels(c, [2], None))  # clear
    assert reader.row(1).genre == "jazz"
    assert reader.row(2).genre_source in ("model", "file tag")
    assert [e.genre for e in reader.label_history(1)] == ["jazz", "My Garage Sound", "jazz"]
    assert [e.genre for e in reader.label_history(2)] == ["jazz", None]


def test_typed_model_genre_is_spelled_like_the_model(lib):
    writer, reader = lib
    writer.call(lambda c: set_labels(c, [3], "  Hip-Hop "))
    assert reader.row(3).genre == "hiphop"


def test_model_update_and_threshold_never_touch_labels(lib):
    writer, reader = lib
    writer.call(lambda c: set_labels(c, [5], "metal"))

    def new_model(conn):
        conn.execute("UPDATE predictions SET model_version='m2', genre='pop', confidence=0.99")
        refresh_derived(conn)
        set_model_info(conn, "m2", GENRES, 0.7)

    writer.call(new_model)
    writer.call(lambda c: set_threshold(c, 0.9))
    assert reader.row(5).genre == "metal" and reader.row(5).genre_source == "you"
    assert reader.row(6).genre == "pop"


def test_threshold_moves_tracks_in_and_out_of_uncertain(lib):
    writer, reader = lib
    writer.call(lambda c: set_threshold(c, 0.0))
    assert reader.genre_counts()[UNCERTAIN] == 0
    writer.call(lambda c: set_threshold(c, 1.01))
    assert reader.genre_counts()[UNCERTAIN] == 200
    assert len(reader.track_ids(uncertain_only=True)) == 200
    assert len(reader.track_ids(genre=UNCERTAIN)) == 200


def test_sort_filter_search(lib):
    writer, reader = lib
    ids = reader.track_ids(sort="confidence", descending=True)
    confs = [reader.row(i).confidence for i in ids]
    assert confs == sorted(confs, reverse=True) and len(ids) == 200
    titles = [reader.row(i).title.lower() for i in reader.track_ids(sort="title")]
    assert titles == sorted(titles)
    rock = reader.track_ids(genre="rock")
    assert rock and all(reader.row(i).genre == "rock" for i in rock)
    found = reader.track_ids(search="ALBUM 5")  # every word must match some field, any case
    rows = reader.rows(found)
    assert found and all(
        "5" in " ".join(str(x) for x in (r.title, r.artist, r.album, r.genre, r.path)) for r in rows.values()
    )
    hits = reader.track_ids(search="track000042")
    assert hits == [42]
    assert reader.track_ids(search="100%") == []  # LIKE wildcards are literal
    with pytest.raises(ValueError):
        reader.track_ids(sort="nonsense")
    for key in ("artist", "album", "duration", "genre", "source", "tag_genre"):
        assert len(reader.track_ids(sort=key, descending=True)) == 200


def test_missing_tracks_hidden_unless_asked(lib):
    writer, reader = lib
    writer.call(lambda c: c.execute("UPDATE tracks SET status='missing' WHERE id IN (1,2,3)"))
    assert len(reader.track_ids()) == 197
    assert len(reader.track_ids(include_missing=True)) == 200
    assert sum(n for g, n in reader.genre_counts().items() if g != UNCERTAIN) == 197


def test_detail_has_probabilities_and_label_history(lib):
    writer, reader = lib
    writer.call(lambda c: c.execute(
        "UPDATE predictions SET window_probabilities=? WHERE track_id=9",
        (json.dumps([{"start": 0.0, "end": 30.0, "genre": "jazz", "probabilities": {"jazz": 1.0}}]),)))
    writer.call(lambda c: set_labels(c, [9], "blues"))
    detail = reader.detail(9)
    assert detail.row.genre == "blues" and detail.model_version == "m1"
    assert pytest.approx(sum(detail.probabilities.values())) == 1.0
    assert detail.windows[0].genre == "jazz" and detail.windows[0].window.end == 30.0
    assert [e.genre for e in detail.labels] == ["blues"]
    assert reader.detail(99999) is None


def test_folders_playlists_problems(lib):
    writer, reader = lib
    writer.call(lambda c: add_folder(c, "/music/artist1"))
    writer.call(lambda c: add_folder(c, "/music/artist1"))
    writer.call(lambda c: add_folder(c, "/elsewhere"))
    assert reader.folders() == ["/elsewhere", "/music/artist1"]
    pid = writer.call(lambda c: save_playlist(c, "Mix", {"genres": ["rock"]}, [3, 1, 2]))
    assert reader.playlist_track_ids(pid) == [3, 1, 2]
    assert writer.call(lambda c: save_playlist(c, "Mix", {"genres": ["pop"]}, [4])) == pid
    info = reader.playlists()[0]
    assert (info.name, info.rules, info.track_count) == ("Mix", {"genres": ["pop"]}, 1)
    writer.call(lambda c: c.execute(
        "INSERT INTO problems VALUES ('/music/artist1/bad.mp3', 'not an audio file', 1, 1, 0)"))
    assert [p.reason for p in reader.problems()] == ["not an audio file"]
    writer.call(lambda c: set_labels(c, [1], "jazz"))  # track 1 lives in /music/artist1
    dropped = writer.call(lambda c: remove_folder(c, "/music/artist1"))
    assert dropped == len([i for i in range(1, 201) if i % 997 == 1]) and reader.row(1) is None
    assert reader.problems() == [] and reader.folders() == ["/elsewhere"]
    kept = writer.call(lambda c: c.execute("SELECT genre, track_id, fingerprint FROM labels").fetchall())
    assert [tuple(r) for r in kept] == [("jazz", None, "fp00000001")]  # the correction survives
    writer.call(lambda c: delete_playlist(c, pid))
    assert reader.playlists() == []


def test_playlist_candidates_average_window_features(lib):
    writer, reader = lib
    blob = np.full(57, 3.0).tobytes()
    writer.call(lambda c: c.execute("INSERT INTO windows(track_id, idx, start_s, end_s, features, recipe_version) VALUES (10, 1, 30, 60, ?, 'test')", (blob,)))
    writer.call(lambda c: set_labels(c, [11], "Custom"))
    cands = {c.track_id: c for c in reader.playlist_candidates(["rock", "custom"], 0.6)}
    assert 11 in cands and cands[11].confidence is None
    assert all(c.genre in ("rock", "Custom") for c in cands.values())
    assert all(c.confidence is None or c.confidence >= 0.6 for c in cands.values())
    expected = (np.arange(57.0) + 3.0) / 2
    if 10 in cands:
        assert np.allclose(cands[10].features, expected)
    every = reader.playlist_candidates([], 0.0)
    assert len(every) == 200
    ten = {c.track_id: c for c in every}[10]
    assert np.allclose(ten.features, expected)
