"""Learning against a real SQLite library: examples, re-prediction from stored windows, sources,
corrections that stay the user's, reverting to the bundled model, the review queue."""

from __future__ import annotations

import json

import numpy as np
import pytest

from genre_desktop.core.personal import model as personal_model
from genre_desktop.core.model.classifier import GenreClassifier
from genre_desktop.core.feature_schema import MODEL_RECIPE_VERSION
from genre_desktop.library import personalize, scan_store
from genre_desktop.library.db import connect
from genre_desktop.library.review import DISAGREEMENT, NEW_GENRE as NEW_GENRE_KIND, UNSURE, review_queue
from tests.personal.conftest import NEW_GENRE, SOURCE_GENRE
from tests.personal.helpers import drain


def _rows(db_path, sql, params=()):
    conn = connect(db_path, readonly=True)
    try:
        return [tuple(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


@pytest.fixture
def corrected(library):
    """Every reggae track is the user's 'dub'; three rock tracks confirmed; one jazz track
    labelled then cleared (no correction any more)."""
    library.label(library.ids(SOURCE_GENRE), NEW_GENRE)
    library.label(library.ids("rock")[:3], "rock")
    library.label(library.ids("jazz")[:1], "metal")
    library.label(library.ids("jazz")[:1], None)
    return library


@pytest.fixture
def learned(corrected, bundled, personal_dir):
    progress, summary = drain(personalize.learn(corrected.writer, bundled, personal_dir, MODEL_RECIPE_VERSION))
    return corrected, progress, summary


def test_examples_are_the_latest_labels_with_every_current_window(corrected):
    conn = connect(corrected.db_path, readonly=True)
    examples, last_id = personalize.correction_examples(conn, MODEL_RECIPE_VERSION)
    conn.close()
    per_genre = examples.per_genre()
    assert per_genre == {NEW_GENRE: {"tracks": 25, "windows": 75}, "rock": {"tracks": 3, "windows": 9}}
    assert last_id == _rows(corrected.db_path, "SELECT max(id) FROM labels")[0][0]
    assert set(examples.tracks.tolist()) == set(corrected.ids(SOURCE_GENRE)) | set(corrected.ids("rock")[:3])


def test_spellings_of_one_custom_genre_are_learned_as_one(corrected):
    reggae = corrected.ids(SOURCE_GENRE)
    corrected.label(reggae[:2], "DUB")
    conn = connect(corrected.db_path, readonly=True)
    examples, _ = personalize.correction_examples(conn, MODEL_RECIPE_VERSION)
    conn.close()
    assert set(examples.genres.tolist()) == {NEW_GENRE, "rock"}  # 'DUB' is stored as 'dub', the first spelling


def test_learn_repredicts_from_stored_windows_and_marks_the_personal_models_answers(learned, bundled, personal_dir):
    library, progress, summary = learned
    assert [p.stage for p in progress][0] == "Collecting your corrections"
    assert progress[-1].done == progress[-1].total == len(library.genres)
    rows = _rows(library.db_path, """SELECT t.id, t.genre, t.genre_source, p.genre, p.decided_by, p.model_version
                                     FROM tracks AS t JOIN predictions AS p ON p.track_id = t.id""")
    assert len(rows) == len(library.genres)
    version = GenreClassifier.load(personal_dir=personal_dir).version
    assert {r[5] for r in rows} == {version} and "+personal-" in version
    labelled = set(library.ids(SOURCE_GENRE)) | set(library.ids("rock")[:3])
    for track_id, genre, source, predicted, decided_by, _ in rows:
        if track_id in labelled:
            assert source == "you"  # corrections are never overridden
            continue
        assert decided_by in ("model", "personal model")
        if source in ("model", "personal model"):
            assert source == decided_by and genre == predicted
    personal = [r for r in rows if r[4] == "personal model"]
    assert personal and summary.decided_by_personal == sum(1 for r in rows if r[2] == "personal model")
    # 'personal model' means: its top genre is not the bundled model's, or is a genre of its own.
    conn = connect(library.db_path, readonly=True)
    stored = scan_store.load_features(conn, [r[0] for r in personal[:5]])
    conn.close()
    for track_id, (_, features) in stored.items():
        bundled_top = bundled.genres[int(np.argmax(bundled.predict_proba(features).mean(axis=0)))]
        predicted = next(r[3] for r in rows if r[0] == track_id)
        assert predicted == NEW_GENRE or predicted != bundled_top


def test_corrections_are_never_overridden(learned):
    library, _, _ = learned
    labels = _rows(library.db_path, "SELECT id, track_id, genre FROM labels ORDER BY id")
    shown = dict(_rows(library.db_path, "SELECT id, genre FROM tracks"))
    for track_id in library.ids(SOURCE_GENRE):
        assert shown[track_id] == NEW_GENRE
    assert shown[library.ids("rock")[0]] == "rock"
    assert len(labels) == 25 + 3 + 2  # learning added nothing to the history


def test_summary_counts_before_and_after(learned):
    library, _, summary = learned
    assert sum(summary.counts_after.values()) == len(library.genres) == sum(summary.counts_before.values())
    assert summary.counts_before[NEW_GENRE] == 25 and summary.counts_after[NEW_GENRE] >= 25
    assert summary.labelled == 28 and summary.examples == {NEW_GENRE: 25, "rock": 3}
    assert summary.new_genres == [NEW_GENRE] and summary.min_examples == 2
    assert summary.cv_folds >= 2 and 0.0 <= summary.cv_accuracy <= 1.0
    assert summary.complete and summary.repredicted == len(library.genres)
    changed = _rows(library.db_path, "SELECT count(*) FROM tracks WHERE genre_source = 'personal model'")[0][0]
    assert summary.changed >= changed > 0


def test_bundled_model_only_reverts_without_deleting_the_personal_model(learned, bundled, personal_dir):
    library, _, _ = learned
    _, outcome = drain(personalize.repredict(library.writer, bundled, MODEL_RECIPE_VERSION))
    assert outcome.decided_by_personal == 0 and outcome.repredicted == len(library.genres)
    assert _rows(library.db_path, "SELECT DISTINCT decided_by, model_version FROM predictions") == [
        ("model", bundled.version)]
    assert _rows(library.db_path, "SELECT count(*) FROM tracks WHERE genre_source = 'personal model'") == [(0,)]
    assert _rows(library.db_path, "SELECT DISTINCT genre FROM tracks WHERE id IN (%s)" % ",".join(
        map(str, library.ids(SOURCE_GENRE)))) == [(NEW_GENRE,)]
    assert personal_model.load(personal_dir, bundled.version) is not None
    _, back = drain(personalize.repredict(library.writer, GenreClassifier.load(personal_dir=personal_dir),
                                          MODEL_RECIPE_VERSION))
    assert back.decided_by_personal > 0


def test_corrections_since_last_fit(learned, personal_dir):
    library, _, _ = learned
    card = personal_model.read_card(personal_dir)
    conn = connect(library.db_path, readonly=True)
    try:
        assert personalize.corrections_since_last_fit(conn, card) == 0
        library.label(library.ids("blues")[:2], "blues")
        library.label(library.ids("blues")[:1], None)
        assert personalize.corrections_since_last_fit(conn, card) == 2
        assert personalize.corrections_since_last_fit(conn, None) == 28 + 1  # no model: all in force
    finally:
        conn.close()


def test_personal_status_describes_the_model_and_its_problems(learned, bundled, personal_dir):
    library, _, summary = learned
    conn = connect(library.db_path, readonly=True)
    status = personalize.personal_status(conn, personal_dir, bundled.version, enabled=False)
    assert status.exists and status.usable and status.problem is None and not status.enabled
    assert status.examples == summary.examples and status.labelled == 28
    refused = personalize.personal_status(conn, personal_dir, "genre-stack-000000000000", enabled=True)
    assert refused.exists and not refused.usable and "learn from your corrections again" in refused.problem
    none = personalize.personal_status(conn, personal_dir.parent / "none", bundled.version, enabled=True)
    assert not none.exists and none.corrections_since == 28
    conn.close()


def test_review_queue_ranks_unlabelled_tracks_with_reasons(learned, bundled, personal_dir):
    library, _, _ = learned
    joined = GenreClassifier.load(personal_dir=personal_dir)
    conn = connect(library.db_path, readonly=True)
    queue = review_queue(conn, joined, MODEL_RECIPE_VERSION, limit=40)
    plain = review_queue(conn, bundled, MODEL_RECIPE_VERSION, limit=1000)
    conn.close()
    labelled = set(library.ids(SOURCE_GENRE)) | set(library.ids("rock")[:3])
    assert len(queue) == 40 and not {item.track_id for item in queue} & labelled
    scores = [item.score for item in queue]
    assert scores == sorted(scores, reverse=True)
    assert all(item.reason and item.detail for item in queue)
    kinds = {item.kind for item in queue}
    assert kinds <= {NEW_GENRE_KIND, DISAGREEMENT, UNSURE} and kinds & {NEW_GENRE_KIND, DISAGREEMENT}
    for item in queue:
        if item.kind == NEW_GENRE_KIND:
            assert item.personal_genre == NEW_GENRE and NEW_GENRE in item.reason
        if item.kind == DISAGREEMENT:
            assert item.personal_genre != item.bundled_genre
    # A reason to ask beyond being unsure adds to the score.
    for item in queue:
        unsure = item.score - 0.5 * (item.kind != UNSURE) - 0.5 * (item.kind == NEW_GENRE_KIND)
        assert -1e-9 <= unsure <= 1.0 + 1e-9
    # Without a personal model: only "unsure", least sure first, every unlabelled present track.
    assert {item.kind for item in plain} == {UNSURE} and len(plain) == len(library.genres) - len(labelled)
    margins = [1 - item.score for item in plain]
    assert margins == sorted(margins)


def test_review_queue_skips_missing_files(learned, personal_dir):
    library, _, _ = learned
    gone = library.ids("metal")[:5]
    library.writer.call(lambda c: c.execute(
        "UPDATE tracks SET status = 'missing' WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(gone),)))
    conn = connect(library.db_path, readonly=True)
    queue = review_queue(conn, GenreClassifier.load(personal_dir=personal_dir), MODEL_RECIPE_VERSION, limit=10_000)
    conn.close()
    assert not {item.track_id for item in queue} & set(gone)
