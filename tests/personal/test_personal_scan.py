"""Scans of real audio with the personal model: the worker processes load it themselves."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from genre_desktop.core.personal import examples as px, model as personal_model, training as pt
from genre_desktop.core.model.classifier import GenreClassifier
from genre_desktop.library.db import connect
from genre_desktop.library.scanner import scan_folders
from tests.personal.conftest import NEW_GENRE, SOURCE_GENRE, STRIDE, windows_of


@pytest.fixture
def music(tmp_path, gtzan_clips):
    folder = tmp_path / "Music"
    folder.mkdir()
    chosen = [c for c in gtzan_clips if c.suffix == ".flac" and c.parent.name in (SOURCE_GENRE, "classical")][::4]
    for clip in chosen:
        shutil.copy(clip, folder / clip.name)
    return folder


@pytest.fixture
def saved_model(bundled, csv_data, personal_dir):
    """A personal model that calls reggae 'dub', fitted on feature rows of clips not in `music`
    (every STRIDE-th clip from the 2nd on)."""
    rng = np.random.default_rng(3)
    names = list(csv_data.feature_names)
    rows = {g: np.flatnonzero(csv_data.y == g)[1::STRIDE] for g in csv_data.genres}
    corrections = px.Examples.from_tracks(
        (int(r), NEW_GENRE, windows_of(csv_data.X[r], names, rng)) for r in rows[SOURCE_GENRE])
    return personal_model.save(personal_dir, pt.fit(bundled, corrections))


def _predictions(db_path):
    conn = connect(db_path, readonly=True)
    try:
        return [tuple(r) for r in conn.execute(
            """SELECT t.path, p.model_version, p.genre, p.decided_by, t.genre_source
               FROM tracks AS t JOIN predictions AS p ON p.track_id = t.id ORDER BY t.path""")]
    finally:
        conn.close()


def test_scan_workers_classify_with_the_personal_model(tmp_path, music, saved_model, personal_dir, bundled):
    db = tmp_path / "library.sqlite3"
    report = scan_folders(db, [music], jobs=1, windows_per_track=3, personal_dir=personal_dir)
    rows = _predictions(db)
    assert report.added == len(rows) == len(list(music.iterdir())) > 0
    joined = GenreClassifier.load(personal_dir=personal_dir)
    assert {r[1] for r in rows} == {joined.version} == {f"{bundled.version}+{saved_model.version}"}
    # The workers' own predictions were final: nothing was classified again at the end.
    assert report.predicted == 0
    for path, _, genre, decided_by, source in rows:
        assert decided_by in ("model", "personal model")
        if genre == NEW_GENRE:
            assert decided_by == "personal model"
        if source in ("model", "personal model"):
            assert source == decided_by
    assert any(r[2] == NEW_GENRE for r in rows if f"/{SOURCE_GENRE}." in r[0])


def test_a_refused_personal_model_leaves_the_scan_to_the_bundled_model(tmp_path, music, saved_model, personal_dir, bundled):
    weights = personal_dir / saved_model.card["model_file"]
    weights.write_bytes(weights.read_bytes()[:-7] + b"garbage")
    db = tmp_path / "library.sqlite3"
    report = scan_folders(db, [music], jobs=1, windows_per_track=1, personal_dir=personal_dir)
    rows = _predictions(db)
    assert report.added == len(rows) > 0
    assert {r[1] for r in rows} == {bundled.version} and {r[3] for r in rows} == {"model"}
