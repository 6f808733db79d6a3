"""What a scan writes: analysed tracks, moves, missing files, problems, new predictions.

Every function takes the writer's connection and runs inside the caller's transaction. None of
them writes to the labels table except to re-link corrections to a re-created track row.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from genre_desktop.core.types import TrackPrediction, Window
from genre_desktop.library.db import path_param, printable
from genre_desktop.library.sounds_like import refresh_sound_tags, store_sound_tags
from genre_desktop.library.writes import refresh_derived

if TYPE_CHECKING:
    from genre_desktop.library.scan_worker import JobResult


@dataclass(frozen=True)
class KnownTrack:
    id: int
    path: str
    size: int
    mtime_ns: int
    status: str
    fingerprint: str | None
    current: bool  # has features computed with today's recipe


@dataclass
class LibraryState:
    tracks: dict[str, KnownTrack]
    problems: dict[str, tuple[int | None, int | None, str]]  # path -> (size, mtime_ns, reason)


@dataclass
class BatchOutcome:
    added: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def load_state(conn: sqlite3.Connection, recipes: Sequence[str]) -> LibraryState:
    """What the library knows; a track is current when its windows are of one of ``recipes``
    (the ones this scan would not improve on)."""
    rows = conn.execute(
        """SELECT t.id, t.path, t.size, t.mtime_ns, t.status, t.fingerprint,
                  EXISTS(SELECT 1 FROM windows AS w WHERE w.track_id = t.id
                         AND w.recipe_version IN (SELECT value FROM json_each(?))) AS current
           FROM tracks AS t""",
        (json.dumps(list(recipes)),),
    )
    tracks = {r[1]: KnownTrack(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6])) for r in rows}
    problems = {r[0]: (r[1], r[2], r[3]) for r in conn.execute("SELECT path, size, mtime_ns, reason FROM problems")}
    return LibraryState(tracks, problems)


# --- problems and status ----------------------------------------------------------------------

def record_problems(conn: sqlite3.Connection, items: Iterable[tuple[str, str, int | None, int | None]]) -> None:
    """Upsert (path, reason, size, mtime_ns) rows of the Problems view."""
    now = time.time()
    conn.executemany(
        """INSERT INTO problems(path, reason, size, mtime_ns, seen_at)
           VALUES (CAST(? AS TEXT), ?, ?, ?, ?)
           ON CONFLICT(path) DO UPDATE SET reason = excluded.reason, size = excluded.size,
               mtime_ns = excluded.mtime_ns, seen_at = excluded.seen_at""",
        [(path_param(p), reason, size, mtime, now) for p, reason, size, mtime in items],
    )


def forget_problems(conn: sqlite3.Connection, paths: Iterable[str]) -> None:
    conn.executemany("DELETE FROM problems WHERE path = CAST(? AS TEXT)", [(path_param(p),) for p in paths])


def set_status(conn: sqlite3.Connection, track_ids: Sequence[int], status: str) -> None:
    """'missing' for files that are gone (rows, labels and analysis are kept), 'ok' when back."""
    conn.execute(
        "UPDATE tracks SET status = ? WHERE id IN (SELECT value FROM json_each(?))",
        (status, json.dumps(list(track_ids))),
    )


def apply_moves(conn: sqlite3.Connection, moves: Iterable[tuple[int, str, int, int, str]]) -> None:
    """(track_id, new_path, size, mtime_ns, fingerprint): the same file found at a new place.
    The row keeps its id, so labels, analysis and playlist entries follow the file."""
    for track_id, path, size, mtime_ns, fp in moves:
        conn.execute(
            """UPDATE tracks SET path = CAST(? AS TEXT), size = ?, mtime_ns = ?, fingerprint = ?,
                   status = 'ok', scanned_at = ? WHERE id = ?""",
            (path_param(path), size, mtime_ns, fp, time.time(), track_id),
        )
    forget_problems(conn, (m[1] for m in moves))


# --- analysed files ---------------------------------------------------------------------------

def store_batch(conn: sqlite3.Connection, results: Sequence["JobResult"]) -> BatchOutcome:
    outcome = BatchOutcome()
    failures = []
    for result in results:
        if result.error is not None or result.analysis is None:
            reason = result.error or "could not be analysed"
            failures.append((result.path, reason, result.size, result.mtime_ns))
            outcome.failed.append((result.path, reason))
            continue
        track_id, is_new = _store_track(conn, result)
        (outcome.added if is_new else outcome.updated).append(track_id)
    record_problems(conn, failures)
    refresh_derived(conn, outcome.added + outcome.updated)
    store_sound_tags(conn, outcome.added + outcome.updated)
    refresh_sound_tags(conn)  # once per change of the display thresholds
    return outcome


def _reusable_row(conn: sqlite3.Connection, fingerprint: str | None, audio: str | None) -> int | None:
    """A track whose old file is really gone and that had the same content (a move), or the
    same audio under other tags (moved and retagged in one step)."""
    candidates = []
    if fingerprint:
        candidates += conn.execute(
            "SELECT id, path FROM tracks WHERE fingerprint = ? AND status = 'missing' ORDER BY id", (fingerprint,)
        ).fetchall()
    if audio:
        candidates += conn.execute(
            "SELECT id, path FROM tracks WHERE audio_sha256 = ? ORDER BY id", (audio,)).fetchall()
    for track_id, old_path in candidates:
        if not os.path.lexists(old_path):
            return int(track_id)
    return None


def _store_track(conn: sqlite3.Connection, result: "JobResult") -> tuple[int, bool]:
    analysis = result.analysis
    assert analysis is not None
    tags, info = analysis.tags, analysis.info
    now = time.time()
    title = tags.title or printable(os.path.splitext(os.path.basename(result.path))[0])
    values = {
        "path": path_param(result.path), "size": result.size, "mtime": result.mtime_ns,
        "fp": result.fingerprint, "duration": info.duration, "sr": info.samplerate,
        "ch": info.channels, "codec": info.codec, "title": title, "artist": tags.artist,
        "album": tags.album, "year": tags.year, "tag_genre": tags.genre, "now": now,
        "audio": result.audio_sha256,
    }
    row = conn.execute("SELECT id FROM tracks WHERE path = CAST(? AS TEXT)", (values["path"],)).fetchone()
    track_id = int(row[0]) if row else _reusable_row(conn, result.fingerprint, result.audio_sha256)
    if row is None and track_id is not None:  # its corrections follow the file's new bytes
        conn.execute("UPDATE labels SET fingerprint = ? WHERE track_id = ?", (result.fingerprint, track_id))
    if track_id is None:
        track_id = conn.execute(
            """INSERT INTO tracks(path, size, mtime_ns, fingerprint, duration, samplerate, channels,
                   codec, title, artist, album, year, tag_genre, status, added_at, scanned_at, audio_sha256)
               VALUES (CAST(:path AS TEXT), :size, :mtime, :fp, :duration, :sr, :ch, :codec, :title,
                   :artist, :album, :year, :tag_genre, 'ok', :now, :now, :audio) RETURNING id""",
            values,
        ).fetchone()[0]
        is_new = True
        if result.fingerprint:  # corrections made before this file left the library come back
            conn.execute(
                "UPDATE labels SET track_id = ? WHERE track_id IS NULL AND fingerprint = ?",
                (track_id, result.fingerprint),
            )
    else:
        conn.execute(
            """UPDATE tracks SET path = CAST(:path AS TEXT), size = :size, mtime_ns = :mtime,
                   fingerprint = :fp, duration = :duration, samplerate = :sr, channels = :ch,
                   codec = :codec, title = :title, artist = :artist, album = :album, year = :year,
                   tag_genre = :tag_genre, status = 'ok', scanned_at = :now, audio_sha256 = :audio
               WHERE id = :id""",
            {**values, "id": track_id},
        )
        is_new = False
    conn.execute("DELETE FROM windows WHERE track_id = ?", (track_id,))
    embeddings = analysis.embeddings if analysis.embeddings is not None else [None] * len(analysis.windows)
    conn.executemany(
        """INSERT INTO windows(track_id, idx, start_s, end_s, features, recipe_version, embedding)
           VALUES (?,?,?,?,?,?,?)""",
        [
            (track_id, i, float(w.start), float(w.end), np.asarray(f, dtype=np.float64).tobytes(),
             analysis.recipe_version, None if e is None else np.asarray(e, dtype=np.float32).tobytes())
            for i, (w, f, e) in enumerate(zip(analysis.windows, analysis.features, embeddings))
        ],
    )
    if analysis.prediction is not None:
        store_prediction(conn, track_id, analysis.prediction)
    else:  # the old prediction described the old content
        conn.execute("DELETE FROM predictions WHERE track_id = ?", (track_id,))
    forget_problems(conn, [result.path])
    return track_id, is_new


# --- predictions --------------------------------------------------------------------------------

def store_prediction(conn: sqlite3.Connection, track_id: int, prediction: TrackPrediction) -> None:
    windows = [
        {"start": w.window.start, "end": w.window.end, "genre": w.genre,
         "probabilities": {g: float(p) for g, p in w.probabilities.items()}}
        for w in prediction.windows
    ]
    conn.execute(
        """INSERT INTO predictions(track_id, model_version, genre, confidence, probabilities,
               window_probabilities, predicted_at, decided_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(track_id) DO UPDATE SET model_version = excluded.model_version,
               genre = excluded.genre, confidence = excluded.confidence,
               probabilities = excluded.probabilities,
               window_probabilities = excluded.window_probabilities,
               predicted_at = excluded.predicted_at, decided_by = excluded.decided_by""",
        (
            track_id, prediction.model_version, prediction.genre, float(prediction.confidence),
            json.dumps({g: float(p) for g, p in prediction.probabilities.items()}),
            json.dumps(windows), time.time(), prediction.decided_by,
        ),
    )


def store_predictions(conn: sqlite3.Connection, items: Sequence[tuple[int, TrackPrediction]]) -> None:
    for track_id, prediction in items:
        store_prediction(conn, track_id, prediction)
    refresh_derived(conn, [tid for tid, _ in items])


def tracks_needing_prediction(conn: sqlite3.Connection, model_version: str, recipe_version: str) -> list[int]:
    """Tracks with current features but no prediction, or one from another model version."""
    rows = conn.execute(
        """SELECT t.id FROM tracks AS t LEFT JOIN predictions AS p ON p.track_id = t.id
           WHERE (p.track_id IS NULL OR p.model_version IS NOT ?)
             AND EXISTS(SELECT 1 FROM windows AS w WHERE w.track_id = t.id AND w.recipe_version = ?)
           ORDER BY t.id""",
        (model_version, recipe_version),
    )
    return [r[0] for r in rows]


def load_features(conn: sqlite3.Connection, track_ids: Sequence[int]) -> dict[int, tuple[list[Window], np.ndarray]]:
    """Stored windows and their feature rows, per track."""
    grouped: dict[int, tuple[list[Window], list[np.ndarray]]] = {}
    for track_id, start, end, blob in conn.execute(
        """SELECT track_id, start_s, end_s, features FROM windows
           WHERE track_id IN (SELECT value FROM json_each(?)) ORDER BY track_id, idx""",
        (json.dumps(list(track_ids)),),
    ):
        windows, rows = grouped.setdefault(track_id, ([], []))
        windows.append(Window(start, end))
        rows.append(np.frombuffer(blob, dtype=np.float64))
    return {tid: (w, np.vstack(rows)) for tid, (w, rows) in grouped.items()}


def count_outdated(conn: sqlite3.Connection, recipe_version: str) -> int:
    """Tracks present on disk whose stored features predate ``recipe_version`` (a new model):
    the next scan analyses them again, keeping their old prediction until then."""
    return int(conn.execute(
        """SELECT COUNT(*) FROM tracks AS t
           WHERE t.status = 'ok' AND EXISTS(SELECT 1 FROM windows AS w WHERE w.track_id = t.id)
             AND NOT EXISTS(SELECT 1 FROM windows AS w WHERE w.track_id = t.id
                            AND w.recipe_version = ?)""",
        (recipe_version,)).fetchone()[0])
