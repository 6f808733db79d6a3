"""The personal genre model: what it learned from the user's corrections, how sure it may be
where, and how it is stored.

What it is (fitting: core/personal/training.py; joining the bundled model: core/model/blend.py):
- a multinomial logistic regression over the bundled genres and the user's, refit on the bundled
  model's own training examples plus the user's corrections, in the bundled model's scaled
  feature space (model.recipe.fitted_preprocessing). The genres the user never corrected keep
  their training examples, so nothing needs to guess what the library holds;
- the genres it was taught (those of the corrections) and the corrected windows themselves: its
  answer counts only near them. ``evidence`` is 1 where a window's nearest corrected example is
  within ``reach`` times its distance to the bundled training examples (the REFERENCE_NEIGHBOUR-th
  nearest: a track that is itself a training clip still has a yardstick), falls to 0 at twice
  that, and is 0 beyond, where the bundled model's answer stands.

Storage, in one folder (AppPaths.personal_model_dir):
  personal_card.json        the card: what it learned from, how it scored, and the sha256 of
  personal-<sha12>.npz      the arrays (no pickles: no code runs; core/weights_file checks their
                            shapes, sizes and finiteness before using them)
The card is the commit point. Weights are written first under a new name (temp file +
os.replace), then the card (temp file + os.replace), so a crash leaves the old card with the old
weights or the new card with the new ones, never half a model. `load` checks the sha256 before
reading the weights and refuses a model fitted against another bundled model or feature recipe,
saying why (PersonalModelError).

Public API: PersonalModel, PersonalModelError, save, load, read_card, nearest_distance, CARD_FILE.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from genre_desktop.core import model_card
from genre_desktop.core.feature_schema import MODEL_RECIPE_VERSION
from genre_desktop.core.model.errors import ModelError
from genre_desktop.core.weights_file import MAX_BYTES as MAX_WEIGHTS_BYTES
from genre_desktop.core.weights_file import WeightsError, read_weights

log = logging.getLogger(__name__)

CARD_FILE = "personal_card.json"
CARD_FORMAT = 2  # 1: a blend weight and anchors from the library, no local evidence
KIND = "genre-desktop-personal-model"
KEEP_OLD_WEIGHTS = 1  # the previous weights stay one fit longer: a worker may still be loading them
REFERENCE_NEIGHBOUR = 5
DISTANCE_ROWS = 4096  # rows per block of the distance computation (memory stays ~ rows x examples)


class PersonalModelError(ModelError):
    """The personal model cannot be used; str(e) says why in plain words."""


@dataclass(frozen=True)
class PersonalModel:
    genres: tuple[str, ...]  # its classes, in the order of the weight rows
    coef: np.ndarray  # (len(genres), n_scaled_features)
    intercept: np.ndarray  # (len(genres),)
    taught: tuple[str, ...]  # the genres of the user's corrections
    examples: np.ndarray  # (n_corrected_windows, n_scaled_features) float32
    reach: float  # see the module docstring
    card: dict[str, Any]

    @property
    def version(self) -> str:
        return str(self.card["model_version"])

    def predict_scaled(self, scaled: np.ndarray) -> np.ndarray:
        """Scaled features (n, n_scaled_features) -> (n, len(genres)) probabilities (softmax)."""
        logits = np.asarray(scaled, dtype=np.float64) @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        odds = np.exp(logits)
        return odds / odds.sum(axis=1, keepdims=True)

    def evidence(self, scaled: np.ndarray, reference: np.ndarray) -> np.ndarray:
        """(n,) how much the personal model's answer counts for each scaled window, 0..1;
        reference: the bundled model's training examples in the same space."""
        mine = nearest_distance(scaled, self.examples)
        theirs = nearest_distance(scaled, reference, REFERENCE_NEIGHBOUR)
        return np.clip(2.0 - mine / np.maximum(self.reach * theirs, 1e-9), 0.0, 1.0)


def nearest_distance(rows: np.ndarray, points: np.ndarray, k: int = 1) -> np.ndarray:
    """(n,) Euclidean distance from each row to its k-th nearest point, in blocks of rows."""
    rows = np.asarray(rows, dtype=np.float64)
    points = np.asarray(points, dtype=np.float64)
    if len(points) < k:
        return np.full(len(rows), np.inf)
    squared_points = (points ** 2).sum(axis=1)
    out = np.empty(len(rows))
    for start in range(0, len(rows), DISTANCE_ROWS):
        block = rows[start:start + DISTANCE_ROWS]
        squared = (block ** 2).sum(axis=1)[:, None] + squared_points[None, :] - 2.0 * block @ points.T
        kth = np.partition(squared, k - 1, axis=1)[:, k - 1] if k > 1 else squared.min(axis=1)
        out[start:start + len(block)] = np.sqrt(np.maximum(kth, 0.0))
    return out


# --- storage ----------------------------------------------------------------------------------

def read_card(model_dir: Path) -> dict[str, Any] | None:
    """The card as stored (not verified), or None when there is no personal model."""
    try:
        card = json.loads((Path(model_dir) / CARD_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise PersonalModelError(f"the personal model's card in {model_dir} is unreadable: {exc}") from None
    if not isinstance(card, dict):
        raise PersonalModelError(f"the personal model's card in {model_dir} is not a JSON object")
    return card


def save(model_dir: Path, fitted: PersonalModel) -> PersonalModel:
    """Write the arrays of ``fitted`` then its card atomically; returns the model as load() would
    see it. Everything that changes a prediction is in the weights file, so its sha256 (and the
    model version made from it) covers all of it."""
    folder = Path(model_dir)
    folder.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=".weights-", suffix=".npz", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            np.savez(out, genres=np.array(fitted.genres, dtype=str), coef=np.asarray(fitted.coef, dtype=np.float64),
                     intercept=np.asarray(fitted.intercept, dtype=np.float64),
                     taught=np.array(fitted.taught, dtype=str),
                     examples=np.asarray(fitted.examples, dtype=np.float32), reach=np.array(float(fitted.reach)))
            out.flush()
            os.fsync(out.fileno())
        sha256 = model_card.sha256_file(Path(tmp_name))
        weights = folder / f"personal-{sha256[:12]}.npz"
        os.replace(tmp_name, weights)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    final = dict(fitted.card, format=CARD_FORMAT, kind=KIND, model_file=weights.name, sha256=sha256,
                 model_version=f"personal-{sha256[:12]}", genres=list(fitted.genres), taught=list(fitted.taught))
    _write_json_atomically(folder / CARD_FILE, final)
    _forget_old_weights(folder, keep=weights.name)
    log.info("Saved personal model %s in %s", final["model_version"], folder)
    return PersonalModel(tuple(fitted.genres), np.asarray(fitted.coef, dtype=np.float64),
                         np.asarray(fitted.intercept, dtype=np.float64), tuple(fitted.taught),
                         np.asarray(fitted.examples, dtype=np.float32), float(fitted.reach), final)


def load(model_dir: Path, bundled_version: str) -> PersonalModel | None:
    """The verified personal model in ``model_dir``; None when there is none.

    Raises PersonalModelError when there is one but it must not be used (tampered or damaged
    weights, or fitted against another bundled model or feature recipe).
    """
    folder = Path(model_dir)
    card = read_card(folder)
    if card is None:
        return None
    if card.get("kind") != KIND or card.get("format") != CARD_FORMAT:
        raise PersonalModelError(f"{folder / CARD_FILE} is not a personal model card this version reads")
    if card.get("bundled_model_version") != bundled_version:
        raise PersonalModelError(
            f"your model was fitted against the bundled model {card.get('bundled_model_version')!r}, "
            f"but {bundled_version!r} is installed; learn from your corrections again to use it")
    if card.get("feature_recipe_version") != MODEL_RECIPE_VERSION:
        raise PersonalModelError(
            f"your model was fitted on feature recipe {card.get('feature_recipe_version')!r}, but this "
            f"version computes {MODEL_RECIPE_VERSION!r}; learn from your corrections again to use it")
    name = str(card.get("model_file", ""))
    if not name or Path(name).name != name:
        raise PersonalModelError(f"the personal model card names an odd weights file: {name!r}")
    path = folder / name
    try:
        if path.stat().st_size > MAX_WEIGHTS_BYTES:  # not even worth hashing
            raise PersonalModelError(f"the personal model's weights {path} are implausibly large")
        actual = model_card.sha256_file(path)
    except OSError as exc:
        raise PersonalModelError(f"the personal model's weights {path} are unreadable: {exc}") from None
    if actual != str(card.get("sha256", "")).lower():
        raise PersonalModelError(f"the personal model's weights {path} do not match its card "
                                 f"(sha256 {actual[:12]}...): refusing to use them")
    try:
        arrays = read_weights(path)  # shapes, sizes and finiteness checked; no pickle
    except (OSError, WeightsError) as exc:
        raise PersonalModelError(f"the personal model's weights {path} could not be used: {exc}") from None
    genres = tuple(str(g) for g in arrays["genres"])
    taught = tuple(str(g) for g in arrays["taught"])
    if genres != tuple(card.get("genres", ())) or taught != tuple(card.get("taught", ())):
        raise PersonalModelError(f"the personal model's weights {path} do not fit its card's genres")
    return PersonalModel(genres, arrays["coef"], arrays["intercept"], taught, arrays["examples"],
                         float(arrays["reach"]), card)


def _forget_old_weights(folder: Path, keep: str) -> None:
    older = sorted((p for p in folder.glob("personal-*.npz") if p.name != keep),
                   key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in older[KEEP_OLD_WEIGHTS:]:
        stale.unlink(missing_ok=True)
    for leftover in folder.glob(".weights-*.npz"):  # from a save that was killed
        leftover.unlink(missing_ok=True)


def _write_json_atomically(path: Path, value: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        out.write(json.dumps(value, indent=2) + "\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
