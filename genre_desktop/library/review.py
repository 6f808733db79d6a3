"""The review queue: unlabelled tracks where one answer from the user teaches the model most.

Every present track without a label in force is scored from its stored features, read a chunk
at a time (nothing is decoded; 10,000 tracks take about two seconds, see
benchmarks/bench_personalize.py), with the bundled model alone, the personal model alone and
their blend:
- unsure: 1 - (top - second) of the blend, the distance from a confident answer (0..1);
- disagreement (+0.5): the personal model's top genre is not the bundled model's;
- new genre (+0.5): the personal model's top genre is one the bundled model does not know, so
  every confirmed example widens what the user's own genre covers.
Without a personal model only "unsure" applies. Highest score first; ties by track id.

Public API: ReviewItem, review_queue, rank.
"""

from __future__ import annotations

import heapq
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from genre_desktop.core.cancel import CancelToken
from genre_desktop.core.personal.examples import window_batches
from genre_desktop.library.personalize import unlabelled_chunks

if TYPE_CHECKING:
    from genre_desktop.core.model.classifier import GenreClassifier

NEW_GENRE = "new genre"
DISAGREEMENT = "disagreement"
UNSURE = "unsure"
BONUS = 0.5


@dataclass(frozen=True)
class ReviewItem:
    track_id: int
    kind: str  # NEW_GENRE | DISAGREEMENT | UNSURE (the strongest reason)
    reason: str  # short, for a list
    detail: str  # longer, e.g. for a tooltip
    score: float  # higher: ask first
    genre: str  # the blend's top genre (what the library shows unless a tag stands in)
    confidence: float
    bundled_genre: str
    bundled_confidence: float
    personal_genre: str | None  # None without a personal model
    personal_confidence: float | None


def review_queue(conn: sqlite3.Connection, classifier: "GenreClassifier", recipe_version: str,
                 limit: int = 50, cancel: CancelToken | None = None) -> list[ReviewItem]:
    """The ``limit`` most useful tracks to ask about, best first."""
    return rank(unlabelled_chunks(conn, recipe_version), classifier, limit, cancel)


def rank(chunks: Iterable[Mapping[int, np.ndarray]], classifier: "GenreClassifier", limit: int = 50,
         cancel: CancelToken | None = None) -> list[ReviewItem]:
    """review_queue on features already read: chunks of (track id -> (n_windows, n_features))."""
    if limit <= 0:
        return []
    best: list[tuple[float, int, ReviewItem]] = []  # a min-heap of the best `limit` so far
    for chunk in chunks:
        for batch in window_batches(chunk):
            if cancel is not None:
                cancel.check()
            for item in _score_chunk(batch, chunk, classifier):
                entry = (item.score, -item.track_id, item)  # ties: the lower track id first
                if len(best) < limit:
                    heapq.heappush(best, entry)
                elif entry[:2] > best[0][:2]:
                    heapq.heapreplace(best, entry)
    return [entry[2] for entry in sorted(best, key=lambda e: e[:2], reverse=True)]


def _score_chunk(chunk: list[int], windows: Mapping[int, np.ndarray], classifier: "GenreClassifier") -> list[ReviewItem]:
    X = np.vstack([windows[t] for t in chunk])
    final, bundled = classifier.predict_windows(X)
    personal = None
    if classifier.personal is not None:
        personal = classifier.personal.predict_scaled(classifier.scale(X))
    counts = [len(windows[t]) for t in chunk]
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    items = []
    for track_id, first, n in zip(chunk, starts, counts):
        f = final[first:first + n].mean(axis=0)
        b = bundled[first:first + n].mean(axis=0)
        p = personal[first:first + n].mean(axis=0) if personal is not None else None
        items.append(_item(track_id, f, b, p, classifier))
    return items


def _item(track_id: int, f: np.ndarray, b: np.ndarray, p: np.ndarray | None,
          classifier: "GenreClassifier") -> ReviewItem:
    order = np.argsort(f)[::-1]
    top, second = classifier.genres[order[0]], classifier.genres[order[1]]
    b_top = classifier.bundled_genres[int(np.argmax(b))]
    unsure = float(1.0 - (f[order[0]] - f[order[1]]))
    p_top = p_conf = None
    disagree = new = False
    if p is not None:
        p_top, p_conf = classifier.personal.genres[int(np.argmax(p))], float(np.max(p))
        new = p_top not in classifier.bundled_genres
        disagree = p_top != b_top
    score = unsure + BONUS * disagree + BONUS * new
    unsure_text = f"unsure: {top} {f[order[0]]:.0%} or {second} {f[order[1]]:.0%}"
    if new:
        kind, reason = NEW_GENRE, f"may be {p_top}, a genre of yours the bundled model does not know"
    elif disagree:
        kind, reason = DISAGREEMENT, f"the bundled model hears {b_top}, your model {p_top}"
    else:
        kind, reason = UNSURE, unsure_text
    parts = [f"Shown as {top} ({f[order[0]]:.0%}); next {second} ({f[order[1]]:.0%}).",
             f"Bundled model alone: {b_top} ({float(np.max(b)):.0%})."]
    if p_top is not None:
        parts.append(f"Your model alone: {p_top} ({p_conf:.0%}).")
    return ReviewItem(track_id, kind, reason, " ".join(parts), round(score, 6), top, float(f[order[0]]),
                      b_top, float(np.max(b)), p_top, p_conf)
