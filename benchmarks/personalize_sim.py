"""A simulated user for bench_personalize.py: labelled real audio, genres held out of the model.

Pools (the user's library, one entry per track):
- "audio": the real clips in ../shared/data/gtzan/audio, analysed with the project's own
  pipeline (library.analysis.analyze_file: decode, windows, features). The clips are 30 s long,
  which is one analysis window each. Features are cached under the cache folder.
- "csv-test": the 290 clips of GTZAN's fault-filtered test split, as rows of
  features_30_sec.csv (the extractor reproduces them to ~1e-7). Their artists are absent from
  the train+valid split, so this is the harder, more honest pool, and it has ~29 clips per
  genre, enough for K = 10.

Variants of the bundled model are trained without the held-out genres (which become "new") and
without every clip of the pool, with the bundled card's hyperparameters (no search: ~20 s each),
and cached by genres, pool and scikit-learn version.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GTZAN = ROOT.parent / "shared" / "data" / "gtzan"


@dataclass(frozen=True)
class Pool:
    name: str
    features: list[np.ndarray]  # per track: (n_windows, 57)
    genres: np.ndarray  # per track
    stems: list[str]  # clip names without extension, e.g. "blues.00003"

    def per_genre(self) -> dict[str, int]:
        values, counts = np.unique(self.genres, return_counts=True)
        return {str(v): int(c) for v, c in zip(values, counts)}


def audio_pool(cache: Path) -> Pool:
    from genre_desktop.core.feature_schema import MODEL_RECIPE_VERSION
    from genre_desktop.library.analysis import analyze_file

    clips = sorted((GTZAN / "audio").glob("*/*.*"))
    key = hashlib.sha256(json.dumps([MODEL_RECIPE_VERSION] + [str(c) for c in clips]).encode()).hexdigest()[:12]
    path = cache / f"audio-features-{key}.npz"
    if not path.exists():
        rows, counts = [], []
        for clip in clips:
            analysis = analyze_file(clip, None, windows_per_track=3)
            rows.append(analysis.features)
            counts.append(len(analysis.features))
        np.savez(path, rows=np.vstack(rows), counts=np.array(counts))
    stored = np.load(path)
    splits = np.cumsum(stored["counts"])[:-1]
    return Pool("audio", list(np.split(stored["rows"], splits)),
                np.array([c.parent.name for c in clips]), [c.stem for c in clips])


def csv_test_pool(data) -> Pool:
    from genre_desktop.core.training_data import load_split

    mask = data.mask_for(load_split(GTZAN / "splits", "test"))
    return Pool("csv-test", [row[None, :] for row in data.X[mask]], data.y[mask],
                [f.rsplit(".", 1)[0] for f in data.filenames[mask]])


def variant(data, held: tuple[str, ...], pool: Pool, cache: Path):
    """The bundled model retrained without ``held`` genres and without the pool's clips."""
    import joblib
    import sklearn
    from threadpoolctl import threadpool_limits

    from genre_desktop.core.model.classifier import GenreClassifier
    from genre_desktop.core.model.recipe import calibrated_model
    from genre_desktop.core.model_card import read_card
    from genre_desktop.core.training import _tuples
    from genre_desktop.paths import models_dir

    bundled_card = read_card(models_dir())
    stems = np.array([f.rsplit(".", 1)[0] for f in data.filenames])
    train = ~np.isin(stems, pool.stems) & ~np.isin(data.y, held)
    if pool.name == "csv-test":  # the pool is the test split: train on train+valid only
        from genre_desktop.core.training_data import load_split

        train &= data.mask_for(load_split(GTZAN / "splits", "train") | load_split(GTZAN / "splits", "valid"))
    key = f"{pool.name}-{'-'.join(held)}-{sklearn.__version__}-{bundled_card['sha256'][:8]}"
    path = cache / f"variant-{key}.joblib"
    if path.exists():
        model = joblib.load(path)
    else:
        subset = data.subset(train)
        with threadpool_limits(1):
            model = calibrated_model(_tuples(bundled_card["hyperparameters"]), data.feature_names,
                                     n_jobs=1).fit(subset.X, subset.y)
        joblib.dump(model, path)
    card = dict(bundled_card, genres=[str(g) for g in model.classes_], model_version=f"variant-{key}")
    return GenreClassifier(model, card, GenreClassifier.load().tagger)


def union_blend(bundled: np.ndarray, bundled_genres, personal: np.ndarray, personal_genres,
                weight: float) -> tuple[tuple[str, ...], np.ndarray]:
    """The fixed (1 - w) * bundled + w * personal over the union of genres, row by row (a genre
    one model lacks counts as 0 there), renormalised."""
    genres = tuple(bundled_genres) + tuple(g for g in personal_genres if g not in bundled_genres)

    def spread(rows: np.ndarray, own: tuple) -> np.ndarray:
        out = np.zeros((len(rows), len(genres)))
        out[:, [genres.index(g) for g in own]] = rows
        return out

    mixed = (1.0 - weight) * spread(bundled, tuple(bundled_genres)) + weight * spread(personal, tuple(personal_genres))
    return genres, mixed / np.maximum(mixed.sum(axis=1, keepdims=True), 1e-12)


def track_tops(genres, window_probs: np.ndarray, counts: list[int]) -> np.ndarray:
    """The top genre of each track: the mean of its windows' distributions."""
    splits = np.cumsum(counts)[:-1]
    return np.array([genres[int(np.argmax(block.mean(axis=0)))]
                     for block in np.split(window_probs, splits)])
