"""Learning from the user's corrections, library side (no Qt).

- correction_examples / unlabelled_chunks: what the database holds for learning. A correction is
  the latest label of a track when it names a genre (a cleared label is no correction); its
  examples are all of the track's stored windows of the current feature recipe (a labelled track
  never analysed has none and is skipped). A genre has one spelling in the labels (library.writes
  .typed_genre; library format 10 merged the older ones), so its corrections are learned as one.
- learn(): a generator of LearnProgress returning a LearnSummary: collect the corrections, fit and
  cross-validate (core/personal/training.py), save (core/personal/model.py, atomic), then
  re-predict the whole library from stored features without decoding anything. The summary says
  what changed and to what, and how many tracks of genres the user never corrected changed (the
  personal model should leave those alone; the dialog says so when it did not). Cancelling before
  the save changes nothing; cancelling while re-predicting keeps the new model and the tracks done
  so far (the rest follow at the next scan, learn or repredict).
- repredict(): the same re-prediction for another classifier, e.g. the bundled model alone when
  the user chooses "Use bundled model only", or the personal model again when switching back.
- corrections_since_last_fit(): how many tracks got a new or cleared label after the model's fit.

Predictions record which model decided (predictions.decided_by); refresh_derived then shows
'personal model' as the genre's source where it did. Labels are never touched.
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from genre_desktop.core.cancel import CancelToken, Cancelled
from genre_desktop.library.db import connect
from genre_desktop.library.reclassify import reclassify
from genre_desktop.library.scan_store import load_features
from genre_desktop.library.writer import LibraryWriter
from genre_desktop.library.writes import effective_threshold, set_model_info

if TYPE_CHECKING:
    from genre_desktop.core.model.classifier import GenreClassifier
    from genre_desktop.core.personal.examples import Examples

_LATEST_LABELS = """
    SELECT l.track_id AS track_id, l.genre AS genre FROM labels AS l
    WHERE l.track_id IS NOT NULL
      AND l.id = (SELECT max(id) FROM labels AS m WHERE m.track_id = l.track_id)"""
CHUNK_TRACKS = 5000


@dataclass(frozen=True)
class LearnProgress:
    stage: str  # what is being done, for people
    done: int = 0
    total: int = 0  # 0: no count for this stage


@dataclass
class LearnSummary:
    """What learning changed; the first fields are what a summary dialog shows."""

    changed: int  # tracks whose shown genre changed
    confident_before: int  # tracks with a model genre at or above the threshold
    confident_after: int
    counts_before: dict[str, int]  # tracks per shown genre (present files)
    counts_after: dict[str, int]
    cv_accuracy: float | None  # the blended classifier on the user's labels (None: too few)
    cv_bundled_accuracy: float | None  # the bundled model alone on the same tracks
    cv_folds: int | None
    labelled: int  # corrected tracks learned from
    examples: dict[str, int]  # corrected tracks per genre
    windows: dict[str, int]  # their analysed windows per genre
    min_examples: int  # fewer corrected tracks than this: "not enough examples"
    new_genres: list[str]  # genres the bundled model does not know
    decided_by_personal: int  # tracks whose genre the personal model decided
    moves: list[dict[str, Any]] = field(default_factory=list)  # {"from", "to", "tracks"}, most first
    untouched: int = 0  # tracks shown before as a genre the user never corrected
    untouched_changed: int = 0  # ... whose shown genre changed
    model_version: str = ""
    fit_seconds: float = 0.0
    repredict_seconds: float = 0.0
    repredicted: int = 0
    complete: bool = True  # False: cancelled while re-predicting
    card: dict[str, Any] = field(default_factory=dict)


# --- examples -------------------------------------------------------------------------------

def correction_examples(conn: sqlite3.Connection, recipe_version: str) -> tuple["Examples", int]:
    """The user's corrections as training examples, and the newest label id they reflect."""
    from genre_desktop.core.personal.examples import Examples

    latest_id = int(conn.execute("SELECT coalesce(max(id), 0) FROM labels").fetchone()[0])
    labels = {int(r[0]): r[1] for r in conn.execute(_LATEST_LABELS) if r[1] is not None}
    windows = _windows(conn, recipe_version, f"w.track_id IN (SELECT track_id FROM ({_LATEST_LABELS}) WHERE genre IS NOT NULL)")
    examples = Examples.from_tracks((tid, labels[tid], rows) for tid, rows in windows.items())
    return examples, latest_id


def unlabelled_chunks(conn: sqlite3.Connection, recipe_version: str,
                      tracks_per_chunk: int = CHUNK_TRACKS) -> Iterator[dict[int, np.ndarray]]:
    """Window features of present tracks without a label in force, a chunk of tracks at a time
    (a 100,000-track library would hold ~140 MB of features at once)."""
    ids = [int(r[0]) for r in conn.execute(
        f"""SELECT t.id FROM tracks AS t WHERE t.status = 'ok'
              AND EXISTS(SELECT 1 FROM windows AS w WHERE w.track_id = t.id AND w.recipe_version = ?)
              AND t.id NOT IN (SELECT track_id FROM ({_LATEST_LABELS}) WHERE genre IS NOT NULL)
            ORDER BY t.id""", (recipe_version,))]
    for start in range(0, len(ids), tracks_per_chunk):
        stored = load_features(conn, ids[start:start + tracks_per_chunk])
        yield {track_id: features for track_id, (_, features) in stored.items()}


def unlabelled_windows(conn: sqlite3.Connection, recipe_version: str) -> dict[int, np.ndarray]:
    """All of unlabelled_chunks at once (small libraries, tests)."""
    merged: dict[int, np.ndarray] = {}
    for chunk in unlabelled_chunks(conn, recipe_version):
        merged.update(chunk)
    return merged


def _windows(conn: sqlite3.Connection, recipe_version: str, where: str) -> dict[int, np.ndarray]:
    grouped: dict[int, list[bytes]] = {}
    for track_id, blob in conn.execute(
        f"""SELECT w.track_id, w.features FROM windows AS w JOIN tracks AS t ON t.id = w.track_id
            WHERE w.recipe_version = ? AND {where} ORDER BY w.track_id, w.idx""", (recipe_version,)):
        grouped.setdefault(int(track_id), []).append(blob)
    return {tid: np.vstack([np.frombuffer(b, dtype=np.float64) for b in blobs]) for tid, blobs in grouped.items()}


def corrections_since_last_fit(conn: sqlite3.Connection, card: dict[str, Any] | None) -> int:
    """Tracks labelled (or cleared) after the personal model in ``card`` was fitted; with no
    model, every track with a label in force."""
    if not card:
        return int(conn.execute(f"SELECT count(*) FROM ({_LATEST_LABELS}) WHERE genre IS NOT NULL").fetchone()[0])
    last = int(card.get("last_label_id", 0))
    return int(conn.execute("SELECT count(DISTINCT track_id) FROM labels WHERE id > ? AND track_id IS NOT NULL",
                            (last,)).fetchone()[0])


@dataclass(frozen=True)
class PersonalStatus:
    """The personal model as the user sees it (cheap to compute: a card read and a count)."""

    exists: bool
    enabled: bool  # the user's choice; False is "Use bundled model only"
    usable: bool  # exists, verified, fitted against the installed bundled model
    problem: str | None  # why an existing model cannot be used
    trained_at: float | None  # unix time of the fit
    labelled: int  # corrected tracks it learned from
    examples: dict[str, int]  # corrected tracks per genre
    min_examples: int
    cv_accuracy: float | None
    cv_bundled_accuracy: float | None
    cv_folds: int | None
    new_genres: list[str]
    model_version: str | None
    corrections_since: int  # tracks labelled or cleared since the fit (all labelled: no model)
    card: dict[str, Any] = field(default_factory=dict)


def personal_status(conn: sqlite3.Connection, personal_dir: Path, bundled_version: str,
                    enabled: bool) -> PersonalStatus:
    from genre_desktop.core.personal import model as personal_model
    from genre_desktop.core.personal.training import MIN_TRACKS_PER_GENRE

    card: dict[str, Any] | None = None
    problem = None
    try:
        card = personal_model.read_card(personal_dir)
        if card is not None:
            personal_model.load(personal_dir, bundled_version)  # verifies it, as a scan would
    except personal_model.PersonalModelError as exc:
        problem = str(exc)
    since = corrections_since_last_fit(conn, card)
    if card is None:  # none at all, or a card that cannot even be read
        return PersonalStatus(problem is not None, enabled, False, problem, None, 0, {},
                              MIN_TRACKS_PER_GENRE, None, None, None, [], None, since)
    cv = card.get("cross_validation") or {}
    return PersonalStatus(
        exists=True, enabled=enabled, usable=problem is None, problem=problem,
        trained_at=card.get("fitted_at_unix"), labelled=int(card.get("corrected_tracks", 0)),
        examples={g: int(c.get("tracks", 0)) for g, c in (card.get("examples") or {}).items()},
        min_examples=int(card.get("min_tracks_per_genre", MIN_TRACKS_PER_GENRE)),
        cv_accuracy=cv.get("accuracy"), cv_bundled_accuracy=cv.get("bundled_accuracy"),
        cv_folds=cv.get("folds"), new_genres=list(card.get("new_genres", [])),
        model_version=card.get("model_version"),
        corrections_since=since, card=card)


# --- learning and re-predicting -----------------------------------------------------------------

def learn(writer: LibraryWriter, bundled: "GenreClassifier", personal_dir: Path, recipe_version: str,
          cancel: CancelToken | None = None) -> Generator[LearnProgress, None, LearnSummary]:
    """Fit the personal model on the library's corrections, save it, re-predict every track."""
    from genre_desktop.core.personal import model as personal_model, training as personal_training

    cancel = cancel or CancelToken()
    plain = bundled.bundled_only()
    yield LearnProgress("Collecting your corrections")
    conn = connect(writer.db_path, readonly=True)
    try:
        corrections, last_label_id = correction_examples(conn, recipe_version)
    finally:
        conn.close()
    cancel.check()
    yield LearnProgress(f"Fitting your model on {corrections.track_count:,} corrected tracks")
    fitted = personal_training.fit(plain, corrections, cancel)
    cancel.check()  # the last moment at which nothing has changed
    yield LearnProgress("Saving your model")
    model = personal_model.save(personal_dir, replace(fitted, card=dict(fitted.card, last_label_id=last_label_id)))
    outcome = yield from repredict(writer, plain.with_personal(model), recipe_version, cancel)
    cv = model.card["cross_validation"]
    per_genre = corrections.per_genre()
    taught = {g.casefold() for g in model.taught}
    untouched = [(old, new) for old, new in outcome.shown if old is not None and old.casefold() not in taught]
    return LearnSummary(
        changed=outcome.changed, confident_before=outcome.confident_before,
        confident_after=outcome.confident_after, counts_before=outcome.counts_before,
        counts_after=outcome.counts_after, cv_accuracy=cv["accuracy"],
        cv_bundled_accuracy=cv["bundled_accuracy"], cv_folds=cv["folds"],
        labelled=corrections.track_count, examples={g: c["tracks"] for g, c in per_genre.items()},
        windows={g: c["windows"] for g, c in per_genre.items()},
        min_examples=personal_training.MIN_TRACKS_PER_GENRE, new_genres=list(model.card["new_genres"]),
        decided_by_personal=outcome.decided_by_personal, moves=outcome.moves(),
        untouched=len(untouched), untouched_changed=sum(1 for old, new in untouched if old != new),
        model_version=model.version, fit_seconds=model.card["fit_seconds"],
        repredict_seconds=outcome.repredict_seconds, repredicted=outcome.repredicted,
        complete=outcome.complete, card=model.card,
    )


@dataclass
class RepredictOutcome:
    changed: int
    confident_before: int
    confident_after: int
    counts_before: dict[str, int]
    counts_after: dict[str, int]
    decided_by_personal: int
    repredicted: int
    repredict_seconds: float
    complete: bool
    shown: list[tuple[str | None, str | None]] = field(default_factory=list)  # (before, after) per track

    def moves(self) -> list[dict[str, Any]]:
        """The changes of shown genre, {"from", "to", "tracks"}, the most common first."""
        counted = Counter((old, new) for old, new in self.shown if old != new)
        return [{"from": old, "to": new, "tracks": n}
                for (old, new), n in sorted(counted.items(), key=lambda kv: (-kv[1], str(kv[0])))]


def repredict(writer: LibraryWriter, classifier: "GenreClassifier", recipe_version: str,
              cancel: CancelToken | None = None) -> Generator[LearnProgress, None, RepredictOutcome]:
    """Give every analysed track a prediction from ``classifier`` (stored features only)."""
    started = time.perf_counter()
    before = writer.call(_snapshot)
    writer.call(lambda c: set_model_info(c, classifier.version, classifier.genres, classifier.recommended_threshold))
    done = total = 0
    stage = "Classifying your library again"
    yield LearnProgress(stage, 0, 0)
    complete = True
    try:
        for done, total, _ in reclassify(classifier, writer, recipe_version, cancel):
            yield LearnProgress(stage, done, total)
    except Cancelled:
        complete = False
    if cancel is not None and cancel.cancelled:
        complete = False
    after = writer.call(_snapshot)
    shown = [(before["rows"].get(tid, (None,))[0], row[0]) for tid, row in after["rows"].items()]
    changed = sum(1 for old, new in shown if old != new)
    return RepredictOutcome(
        changed=changed, confident_before=before["confident"], confident_after=after["confident"],
        counts_before=before["counts"], counts_after=after["counts"],
        decided_by_personal=sum(1 for row in after["rows"].values() if row[1] == "personal model"),
        repredicted=done, repredict_seconds=round(time.perf_counter() - started, 3), complete=complete,
        shown=shown)


def _snapshot(conn: sqlite3.Connection) -> dict[str, Any]:
    """Shown genre and source of every present track, the counts per genre, the confident ones."""
    threshold = effective_threshold(conn)
    rows, counts, confident = {}, Counter(), 0
    for track_id, genre, source, confidence in conn.execute(
            "SELECT id, genre, genre_source, confidence FROM tracks WHERE status = 'ok'"):
        rows[int(track_id)] = (genre, source)
        if genre is not None:
            counts[genre] += 1
        if source in ("model", "personal model") and confidence is not None and confidence >= threshold:
            confident += 1
    return {"rows": rows, "counts": dict(sorted(counts.items(), key=lambda kv: kv[0].lower())),
            "confident": confident}
