"""How the user's personal model joins the bundled model's answer, window by window.

The personal model may only move probability onto or off the genres the user taught it (their
corrections' genres), and only near the user's own examples:
- q, the personal view: each taught genre gets the personal model's probability; what is left is
  shared by the other genres in the bundled model's own proportions, so it never reorders genres
  the user did not touch;
- the answer is (1 - a) * bundled + a * q, where a (0..1) is the local evidence for the window
  (core/personal/model.PersonalModel.evidence): 0 far from every corrected example, where the
  bundled model's answer stands as it is.
"""

from __future__ import annotations

import numpy as np


def blend(bundled: np.ndarray, bundled_genres: tuple[str, ...], personal: np.ndarray,
          personal_genres: tuple[str, ...], taught: tuple[str, ...],
          evidence: np.ndarray) -> tuple[tuple[str, ...], np.ndarray]:
    """Rows of both models' probabilities -> (genres, rows over those genres), see module doc.

    Genres: the bundled ones in their order, then the taught genres the bundled model lacks.
    """
    evidence = np.asarray(evidence, dtype=np.float64).reshape(-1, 1)
    if np.any((evidence < 0.0) | (evidence > 1.0)):
        raise ValueError("the local evidence must lie between 0 and 1")
    genres = tuple(bundled_genres) + tuple(g for g in taught if g not in bundled_genres)
    own = np.zeros((len(bundled), len(genres)))
    own[:, :len(bundled_genres)] = np.asarray(bundled, dtype=np.float64)
    taught_columns = [genres.index(g) for g in taught]
    taught_mass = np.asarray(personal, dtype=np.float64)[:, [personal_genres.index(g) for g in taught]]
    rest = own.copy()
    rest[:, taught_columns] = 0.0
    rest /= np.maximum(rest.sum(axis=1, keepdims=True), 1e-12)
    view = rest * np.clip(1.0 - taught_mass.sum(axis=1, keepdims=True), 0.0, 1.0)
    view[:, taught_columns] = taught_mass
    view /= np.maximum(view.sum(axis=1, keepdims=True), 1e-12)  # the bundled model had nothing else
    return genres, (1.0 - evidence) * own + evidence * view
