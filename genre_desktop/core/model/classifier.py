"""Genre predictions for tracks from their window features, with the bundled model.

The bundled model is a folder: the card (model_card.json), the stack (checked against the
card's sha256 before it is unpickled, since a pickle runs code) and the music tagger (its .onnx
file, checked the same way before ONNX Runtime reads it). A card made with another
scikit-learn or feature recipe is refused. The card's electronic rule adds the genre
"electronic" to the stack's GTZAN genres (core/model/electronic.py).

A personal model learned from the user's corrections (core/personal/model.py) can be attached:
the classifier then answers with the blend of both (core/model/blend.py), may name genres of
the user's own, and says per track which model decided (DecidedBy.PERSONAL when the blend's top
genre is not the bundled model's top genre, or is a genre only the personal model knows).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from genre_desktop.core import model_card

from genre_desktop.core.personal import model as personal_model
from genre_desktop.core.feature_schema import FEATURE_NAMES
from genre_desktop.core.model.blend import blend
from genre_desktop.core.model.checks import read_verified_card, verified_path
from genre_desktop.core.model.electronic import GENRE as ELECTRONIC
from genre_desktop.core.model.electronic import ElectronicRule
from genre_desktop.core.model.errors import ModelError
from genre_desktop.core.model.sources import DecidedBy
from genre_desktop.core.model.tagger import Tagger, TaggerError
from genre_desktop.core.personal.model import PersonalModel, PersonalModelError
from genre_desktop.core.types import TrackPrediction, Window, WindowPrediction


log = logging.getLogger(__name__)

# Used only when a card has no recommended_threshold (cards written by `train` always have one).
FALLBACK_THRESHOLD = 0.7
N_AUDIO = len(FEATURE_NAMES)  # window rows: audio features, then the tag probabilities


class GenreClassifier:
    """A loaded, verified model, optionally joined by the user's personal model."""

    def __init__(self, model: Any, card: dict[str, Any], tagger: Tagger,
                 personal: PersonalModel | None = None):
        self._model = model
        self.card = card
        self.tagger = tagger
        try:
            self._electronic = (ElectronicRule.from_card(card["electronic_rule"])
                                if card.get("electronic_rule") else None)
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"the model card's electronic rule is unusable: {exc}") from None
        self.bundled_genres: tuple[str, ...] = tuple(card["genres"]) + (
            (ELECTRONIC,) if self._electronic is not None else ())
        self.personal = personal
        self.genres: tuple[str, ...] = self.bundled_genres + tuple(
            g for g in (personal.taught if personal is not None else ()) if g not in self.bundled_genres)
        self.bundled_version: str = str(card.get("model_version") or model_card.model_version(card.get("sha256", "")))
        self.version: str = (self.bundled_version if personal is None
                             else f"{self.bundled_version}+{personal.version}")
        self.recommended_threshold: float = float(card.get("recommended_threshold", FALLBACK_THRESHOLD))
        self.n_features: int = len(card["feature_names"])
        self._scaling: Any = None
        self._reference: tuple[np.ndarray, np.ndarray] | None = None

    @classmethod
    def load(cls, model_dir: Path | None = None, *, personal_dir: Path | None = None) -> "GenreClassifier":
        """Load and verify the model in ``model_dir`` (default: the bundled models/ folder), and
        the personal model in ``personal_dir`` when one is there (PersonalModelError if it is
        there but unusable)."""
        if model_dir is None:
            from genre_desktop.paths import models_dir

            model_dir = models_dir()
        model_dir = Path(model_dir)
        card = read_verified_card(model_dir)
        model = _load_verified_model(model_dir, card)
        bundled = cls(model, card, _load_tagger(model_dir, card))
        if personal_dir is None:
            return bundled
        personal = personal_model.load(Path(personal_dir), bundled.version)
        return bundled if personal is None else bundled.with_personal(personal)

    def with_personal(self, personal: PersonalModel | None) -> "GenreClassifier":
        """The same bundled model joined by ``personal`` (None: the bundled model alone)."""
        joined = GenreClassifier(self._model, self.card, self.tagger, personal)
        joined._scaling, joined._reference = self._scaling, self._reference
        return joined

    def bundled_only(self) -> "GenreClassifier":
        return self if self.personal is None else self.with_personal(None)

    def scale(self, features: np.ndarray) -> np.ndarray:
        """Raw window features -> the bundled model's scaled feature space (what the personal
        model is fitted in)."""
        if self._scaling is None:
            from genre_desktop.core.model.recipe import fitted_preprocessing

            self._scaling = fitted_preprocessing(self._model)
        return self._scaling.transform(self._checked(features))

    def reference_examples(self) -> tuple[np.ndarray, np.ndarray]:
        """The bundled model's training examples in its scaled space, with their genres."""
        if self._reference is None:
            from genre_desktop.core.model.recipe import reference_examples

            self._reference = reference_examples(self._model)
        return self._reference

    def predict_windows(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(n, n_features) window features -> (final over ``genres``, bundled model alone over
        ``bundled_genres``); equal when there is no personal model. Rows sum to 1."""
        X = self._checked(features)
        own = self._model.predict_proba(X)
        if self._electronic is not None:
            own = self._electronic.apply(own, X[:, N_AUDIO:])
        if self.personal is None:
            return own, own
        scaled = self.scale(X)
        evidence = self.personal.evidence(scaled, self.reference_examples()[0])
        _, mixed = blend(own, self.bundled_genres, self.personal.predict_scaled(scaled), self.personal.genres,
                         self.personal.taught, evidence)
        return mixed, own

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """(n, n_features) window features -> (n, len(genres)) probabilities, rows sum to 1."""
        return self.predict_windows(features)[0]

    def decided_by(self, track: np.ndarray, bundled_track: np.ndarray) -> DecidedBy:
        """Which model a track's genre comes from, given its aggregated distributions."""
        top = self.genres[int(np.argmax(track))]
        if top not in self.bundled_genres or top != self.bundled_genres[int(np.argmax(bundled_track))]:
            return DecidedBy.PERSONAL
        return DecidedBy.BUNDLED

    def predict_track(self, windows: Sequence[Window], features: np.ndarray,
                      threshold: float | None = None) -> TrackPrediction:
        """Per-window probabilities, averaged into the track's distribution."""
        return self.predict_tracks([(windows, features)], threshold)[0]

    def predict_tracks(self, tracks: Sequence[tuple[Sequence[Window], np.ndarray]],
                       threshold: float | None = None) -> list[TrackPrediction]:
        """predict_track for many tracks with one predict_proba call (per-track calls cost
        ~20x more in scikit-learn overhead, which a library of 100,000 tracks notices)."""
        blocks = [np.atleast_2d(np.asarray(features, dtype=np.float64)) for _, features in tracks]
        for (windows, _), X in zip(tracks, blocks):
            if len(windows) != len(X):
                raise ValueError(f"{len(windows)} windows but {len(X)} feature rows")
            if len(X) == 0:
                raise ValueError("a track needs at least one analysed window")
        if not blocks:
            return []
        per_window, bundled = self.predict_windows(np.vstack(blocks))
        limit = self.recommended_threshold if threshold is None else float(threshold)
        bounds = np.cumsum([0] + [len(X) for X in blocks])
        return [self._track(windows, per_window[a:b], bundled[a:b], limit)
                for (windows, _), a, b in zip(tracks, bounds[:-1], bounds[1:])]

    def _track(self, windows: Sequence[Window], per_window: np.ndarray, bundled: np.ndarray,
               limit: float) -> TrackPrediction:
        track = aggregate_windows(per_window)
        best = int(np.argmax(track))
        return TrackPrediction(
            genre=self.genres[best],
            confidence=float(track[best]),
            probabilities=self._as_dict(track),
            windows=[WindowPrediction(window, self.genres[int(np.argmax(p))], self._as_dict(p))
                     for window, p in zip(windows, per_window)],
            uncertain=bool(track[best] < limit),
            model_version=self.version,
            decided_by=self.decided_by(track, aggregate_windows(bundled)).value,
        )

    def _checked(self, features: np.ndarray) -> np.ndarray:
        X = np.asarray(features, dtype=np.float64)
        if X.ndim == 1:
            X = X[None, :]
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"expected (n, {self.n_features}) features, got shape {X.shape}")
        if not np.all(np.isfinite(X)):
            raise ValueError("features contain NaN or infinity")
        return X

    def _as_dict(self, row: np.ndarray) -> dict[str, float]:
        return {genre: float(p) for genre, p in zip(self.genres, row)}


def load_classifier(model_dir: str | Path | None = None,
                    personal_dir: str | Path | None = None) -> GenreClassifier | None:
    """What a scan classifies with: the bundled model, joined by the personal model in
    ``personal_dir`` when that one is usable. An unusable personal model is logged and left out;
    an unusable bundled model too, and then None comes back: the scan stores the audio features
    and a later scan with a model analyses the files again."""
    model_dir = Path(model_dir) if model_dir else None
    try:
        try:
            return GenreClassifier.load(model_dir, personal_dir=Path(personal_dir) if personal_dir else None)
        except PersonalModelError as exc:
            log.warning("Classifying with the bundled model alone: %s", exc)
            return GenreClassifier.load(model_dir)
    except ModelError as exc:
        log.warning("Scanning without the genre model: %s", exc)
        return None


def aggregate_windows(per_window: np.ndarray) -> np.ndarray:
    """The track's distribution: the mean of its windows' probabilities.

    A mean keeps a calibrated model calibrated and lets one odd window (an intro, a bridge) only
    pull, not veto, unlike a product of probabilities.
    """
    return np.asarray(per_window, dtype=np.float64).mean(axis=0)


def _load_tagger(model_dir: Path, card: dict[str, Any]) -> Tagger:
    name = str(card["tagger"].get("file", ""))
    if not name or Path(name).name != name:
        raise ModelError(f"the model card names an odd tagger file: {name!r}")
    try:
        return Tagger(model_dir / name, str(card["tagger"]["sha256"]))
    except TaggerError as exc:
        raise ModelError(str(exc)) from None


def _load_verified_model(model_dir: Path, card: dict[str, Any]) -> Any:
    path = verified_path(model_dir, str(card.get("model_file", model_card.MODEL_FILE)), str(card["sha256"]))
    import joblib

    try:
        model = joblib.load(path)  # only now: its bytes are the ones the card vouches for
    except Exception as exc:  # a verified file that still fails to load is broken, not malicious
        raise ModelError(f"the model file {path} could not be loaded: {exc}") from None
    classes = tuple(str(c) for c in getattr(model, "classes_", ()))
    if classes != tuple(card["genres"]):
        raise ModelError(f"the model's genres {classes} differ from its card's {tuple(card['genres'])}")
    log.info("Loaded genre model %s from %s", card.get("model_version"), model_dir)
    return model
