"""How the user's personal model joins the bundled model's answer, window by window.

- A genre only the personal model knows (the user's own) gets the personal model's probability
  as it is, undiluted;
- the remaining mass is shared by the bundled genres as (1 - w) * bundled + w * personal, with
  the weight w chosen by cross-validation when the personal model was fitted.
"""

from __future__ import annotations

import numpy as np


def blend(bundled: np.ndarray, bundled_genres: tuple[str, ...], personal: np.ndarray,
          personal_genres: tuple[str, ...], weight: float) -> tuple[tuple[str, ...], np.ndarray]:
    """Rows of both models' probabilities -> (genres, rows over those genres), see module doc.

    Genres: the bundled ones in their order, then the personal model's new ones.
    """
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"blend weight must be between 0 and 1, got {weight}")
    bundled = np.asarray(bundled, dtype=np.float64)
    personal = np.asarray(personal, dtype=np.float64)
    position = {genre: i for i, genre in enumerate(personal_genres)}
    new = [g for g in personal_genres if g not in bundled_genres]
    on_bundled = np.zeros_like(bundled)
    for j, genre in enumerate(bundled_genres):
        if genre in position:
            on_bundled[:, j] = personal[:, position[genre]]
    new_mass = personal[:, [position[g] for g in new]] if new else np.zeros((len(bundled), 0))
    mixed = (1.0 - weight) * bundled + weight * on_bundled
    share = mixed / np.maximum(mixed.sum(axis=1, keepdims=True), 1e-12)
    rest = np.clip(1.0 - new_mass.sum(axis=1, keepdims=True), 0.0, 1.0)
    return tuple(bundled_genres) + tuple(new), np.hstack([share * rest, new_mass])
