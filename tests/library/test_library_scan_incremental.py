"""Scanning real music twice: unchanged files are skipped, changes, moves and deletions are seen,
and the user's corrections survive all of it."""

from __future__ import annotations

import os
import shutil
import time

import pytest

from genre_desktop.library.repository import remove_folder, set_labels
from genre_desktop.library.writer import LibraryWriter
from tests.library.scan_helpers import reader, scan, track_by_path


@pytest.fixture
def scanned(music, tmp_path):
    db = tmp_path / "library.sqlite3"
    first = scan(db, music, use_model=False)
    assert first.failed == [] and first.added == first.scanned == 6
    return db, music


def _audio_files(music):
    return sorted(p for p in music.rglob("*") if p.is_file())


def _label(db, track_id, genre):
    with LibraryWriter(db) as writer:
        return writer.call(lambda c: set_labels(c, [track_id], genre))


def test_first_scan_stores_tracks_features_and_tags(scanned):
    db, music = scanned
    rows = track_by_path(db)
    assert set(rows) == {str(p) for p in _audio_files(music)}
    lib, conn = reader(db)
    for row in rows.values():
        assert row["status"] == "ok" and row["fingerprint"] and row["duration"] > 25
        assert row["title"].endswith("Piece 1") and row["artist"]
        assert row["tag_genre"]  # no model yet: the file's tag stands in
        assert lib.row(row["id"]).genre_source == "file tag"
    windows = conn.execute("SELECT count(*), min(length(features)) FROM windows").fetchone()
    assert windows[0] >= 6 and windows[1] == 57 * 8
    assert conn.execute("SELECT count(*) FROM predictions").fetchone()[0] == 0
    assert lib.folders() == [str(music)]
    conn.close()


def test_second_scan_skips_everything(scanned):
    db, music = scanned
    again = scan(db, music, use_model=False)
    assert (again.scanned, again.unchanged, again.added, again.updated, again.missing) == (6, 6, 0, 0, 0)


def test_touch_move_delete_and_come_back(scanned, tmp_path):
    db, music = scanned
    files = _audio_files(music)
    before = track_by_path(db)
    moved_src, touched, deleted = files[0], files[1], files[2]
    moved_id = before[str(moved_src)]["id"]
    _label(db, moved_id, "My Own Genre")

    future = time.time() + 60
    os.utime(touched, (future, future))
    moved_dst = music / "Elsewhere" / "renamed track.bin.mp3"
    moved_dst.parent.mkdir()
    os.rename(moved_src, moved_dst)
    kept_copy = tmp_path / "kept" / deleted.name
    kept_copy.parent.mkdir()
    shutil.copy2(deleted, kept_copy)
    deleted.unlink()

    report = scan(db, music, use_model=False)
    assert (report.scanned, report.added, report.updated, report.unchanged, report.missing) == (5, 0, 2, 3, 1)
    after = track_by_path(db)
    assert after[str(moved_dst)]["id"] == moved_id and str(moved_src) not in after
    assert after[str(deleted)]["status"] == "missing"
    lib, conn = reader(db)
    assert lib.row(moved_id).genre == "My Own Genre" and lib.row(moved_id).genre_source == "you"
    assert after[str(deleted)]["id"] not in lib.track_ids()
    assert after[str(deleted)]["id"] in lib.track_ids(include_missing=True)
    conn.close()

    again = scan(db, music, use_model=False)
    assert (again.unchanged, again.missing, again.updated, again.added) == (5, 1, 0, 0)
    shutil.copy2(kept_copy, deleted)  # the file comes back unchanged
    back = scan(db, music, use_model=False)
    assert (back.unchanged, back.missing, back.added) == (6, 0, 0)
    assert track_by_path(db)[str(deleted)]["status"] == "ok"


def test_changed_content_is_reanalysed_and_keeps_its_label(scanned):
    db, music = scanned
    files = [p for p in _audio_files(music) if p.suffix == ".mp3"]
    target = files[0]
    track_id = track_by_path(db)[str(target)]["id"]
    _label(db, track_id, "jazz")
    donor = files[1]
    old_fp = track_by_path(db)[str(target)]["fingerprint"]
    shutil.copyfile(donor, target)  # other music in the same place: new content, new mtime
    report = scan(db, music, use_model=False)
    assert report.updated == 1 and report.added == 0 and report.unchanged == 5
    row = track_by_path(db)[str(target)]
    assert row["id"] == track_id and row["fingerprint"] != old_fp
    assert row["title"] == track_by_path(db)[str(donor)]["title"]  # tags re-read
    lib, conn = reader(db)
    assert lib.row(track_id).genre == "jazz"
    assert [e.genre for e in lib.label_history(track_id)] == ["jazz"]
    conn.close()


def test_removed_folder_then_rescanned_gets_its_labels_back(scanned):
    db, music = scanned
    target = _audio_files(music)[3]
    old_id = track_by_path(db)[str(target)]["id"]
    _label(db, old_id, "Sunday Morning")
    with LibraryWriter(db) as writer:
        assert writer.call(lambda c: remove_folder(c, str(music))) == 6
    assert track_by_path(db) == {}
    report = scan(db, music, use_model=False)
    assert report.added == 6
    new_id = track_by_path(db)[str(target)]["id"]
    lib, conn = reader(db)
    assert lib.row(new_id).genre == "Sunday Morning"
    conn.close()


def test_moved_while_missing_is_recognised_later(scanned, tmp_path):
    """A file that vanished in one scan and shows up in another folder later keeps its row."""
    db, music = scanned
    target = _audio_files(music)[4]
    track_id = track_by_path(db)[str(target)]["id"]
    _label(db, track_id, "rock")
    outside = tmp_path / "Later"
    outside.mkdir()
    shutil.move(target, outside / target.name)
    assert scan(db, music, use_model=False).missing == 1
    report = scan(db, outside, use_model=False)
    assert (report.added, report.updated) == (0, 1)
    row = track_by_path(db)[str(outside / target.name)]
    assert row["id"] == track_id and row["status"] == "ok"
    lib, conn = reader(db)
    assert lib.row(track_id).genre == "rock"
    conn.close()


class _FakeClassifier:
    """Stands in for a model in the parent-side classification step (no pickles involved)."""

    genres = ("blues", "classical", "jazz", "metal", "reggae", "rock")
    recommended_threshold = 0.5

    def __init__(self, version: str, favourite: str) -> None:
        self.version = version
        self.favourite = favourite

    def predict_proba(self, features):
        import numpy as np

        row = [0.9 if g == self.favourite else 0.02 for g in self.genres]
        return np.array([row] * len(features))

    def predict_track(self, windows, features, threshold=None):
        from genre_desktop.core.types import TrackPrediction, WindowPrediction

        probs = {g: (0.9 if g == self.favourite else 0.02) for g in self.genres}
        per_window = [WindowPrediction(w, self.favourite, probs) for w in windows]
        return TrackPrediction(self.favourite, 0.9, probs, per_window, False, self.version)

    def predict_tracks(self, tracks, threshold=None):
        return [self.predict_track(windows, features, threshold) for windows, features in tracks]


def _classify(db, classifier):
    from genre_desktop.core.cancel import CancelToken
    from genre_desktop.core.feature_schema import RECIPE_VERSION
    from genre_desktop.library import scanner
    from genre_desktop.library.writes import set_model_info

    report = scanner.ScanReport()
    with LibraryWriter(db) as writer:
        writer.call(lambda c: set_model_info(c, classifier.version, classifier.genres, 0.5))
        # The tracks were scanned without a model: their stored windows are of the audio recipe.
        list(scanner._classify_stored(classifier, writer, RECIPE_VERSION, report, CancelToken(),
                                      scanner._Pacer(0)))
    return report.predicted


def test_new_model_fills_and_replaces_predictions_but_never_labels(scanned):
    db, music = scanned
    ids = sorted(r["id"] for r in track_by_path(db).values())
    _label(db, ids[0], "Field Recordings")
    assert _classify(db, _FakeClassifier("v1", "jazz")) == 6  # tracks first scanned without a model
    assert _classify(db, _FakeClassifier("v1", "jazz")) == 0  # nothing stale
    lib, conn = reader(db)
    assert lib.row(ids[1]).genre == "jazz" and lib.row(ids[1]).genre_source == "model"
    assert lib.row(ids[0]).genre == "Field Recordings"
    conn.close()
    assert _classify(db, _FakeClassifier("v2", "metal")) == 6  # a model update re-classifies
    lib, conn = reader(db)
    assert lib.row(ids[1]).genre == "metal" and lib.detail(ids[1]).model_version == "v2"
    assert lib.row(ids[0]).genre == "Field Recordings"
    assert [e.genre for e in lib.label_history(ids[0])] == ["Field Recordings"]
    conn.close()
    # A rescan of unchanged files keeps predictions and labels as they are.
    assert scan(db, music, use_model=False).unchanged == 6
    lib, conn = reader(db)
    assert lib.row(ids[1]).genre == "metal" and lib.row(ids[0]).genre == "Field Recordings"
    conn.close()


def test_real_model_analyses_tracks_scanned_without_it_again(scanned):
    """Without the model only the audio features were stored; the model also needs the
    tagger's, so a scan with it analyses those tracks again (labels untouched)."""
    from tests.library.scan_helpers import model_available

    if not model_available():
        pytest.skip("the bundled model (models/) is not built yet")
    db, music = scanned
    ids = sorted(r["id"] for r in track_by_path(db).values())
    _label(db, ids[0], "Field Recordings")
    report = scan(db, music)  # the model is present now
    assert report.updated == 6 and report.unchanged == 0 and report.added == 0
    lib, conn = reader(db)
    rows = lib.rows(ids)
    assert rows[ids[0]].genre == "Field Recordings" and rows[ids[0]].genre_source == "you"
    assert all(rows[i].genre_source in ("model", "file tag") and rows[i].confidence is not None for i in ids[1:])
    assert all(lib.detail(i).probabilities for i in ids)
    conn.close()
    assert scan(db, music).predicted == 0


def test_track_that_turns_bad_keeps_its_row_and_is_not_retried(scanned):
    db, music = scanned
    target = next(p for p in _audio_files(music) if p.suffix == ".flac")
    track_id = track_by_path(db)[str(target)]["id"]
    target.write_bytes(b"fLaC" + os.urandom(5000))  # overwritten by garbage
    report = scan(db, music, use_model=False)
    assert [p for p, _ in report.failed] == [str(target)] and report.unchanged == 5
    assert track_by_path(db)[str(target)]["id"] == track_id  # the row (and any label) stays
    again = scan(db, music, use_model=False)
    assert again.unchanged == 6 and again.failed == []


def test_batch_prediction_matches_predict_track(scanned):
    from tests.library.scan_helpers import model_available

    if not model_available():
        pytest.skip("the bundled model (models/) is not built yet")
    from genre_desktop.core.model.classifier import GenreClassifier
    from genre_desktop.library.db import connect
    from genre_desktop.library.reclassify import predict_many
    from genre_desktop.library.scan_store import load_features

    db, music = scanned
    scan(db, music)  # with the model: the stored windows hold both feature families
    classifier = GenreClassifier.load()
    conn = connect(db, readonly=True)
    stored = load_features(conn, [r["id"] for r in track_by_path(db).values()])
    conn.close()
    for track_id, batch in predict_many(classifier, stored):
        single = classifier.predict_track(*stored[track_id])
        assert batch.genre == single.genre and batch.model_version == single.model_version
        assert batch.confidence == pytest.approx(single.confidence)
        assert batch.probabilities == pytest.approx(single.probabilities)
        assert [w.genre for w in batch.windows] == [w.genre for w in single.windows]
        assert batch.uncertain == single.uncertain
