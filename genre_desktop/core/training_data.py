"""The training table (GTZAN's features_30_sec.csv), its fault-filtered splits, artist blocks."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from genre_desktop.core.feature_schema import FEATURE_NAMES


class TrainingDataError(ValueError):
    """The feature table or a split file is not what training expects."""


@dataclass(frozen=True)
class TrainingData:
    X: np.ndarray  # (n, 57) float64, FEATURE_NAMES order
    y: np.ndarray  # (n,) genre names
    filenames: np.ndarray  # (n,) e.g. "blues.00012.wav"
    feature_names: tuple[str, ...]

    @property
    def genres(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.y.tolist())))

    def subset(self, mask: np.ndarray) -> "TrainingData":
        return TrainingData(self.X[mask], self.y[mask], self.filenames[mask], self.feature_names)

    def mask_for(self, filenames: set[str]) -> np.ndarray:
        return np.isin(self.filenames, sorted(filenames))


def load_features_csv(path: Path) -> TrainingData:
    """Rows of the CSV; its feature columns must be exactly FEATURE_NAMES, in order."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    try:
        first, last = header.index("length") + 1, header.index("label")
    except ValueError:
        raise TrainingDataError(f"{path}: no 'length'/'label' columns in the header") from None
    if tuple(header[first:last]) != FEATURE_NAMES:
        raise TrainingDataError(f"{path}: feature columns differ from core.features.FEATURE_NAMES")
    name_col = header.index("filename")
    X = np.array([[float(v) for v in row[first:last]] for row in rows], dtype=np.float64)
    y = np.array([row[last] for row in rows])
    filenames = np.array([row[name_col] for row in rows])
    if len(set(filenames.tolist())) != len(filenames):
        raise TrainingDataError(f"{path}: duplicate filenames")
    return TrainingData(X, y, filenames, FEATURE_NAMES)


def load_split(splits_dir: Path, name: str) -> set[str]:
    """Clip names of ``<name>_filtered.txt`` (lines like blues/blues.00012.wav)."""
    path = Path(splits_dir) / f"{name}_filtered.txt"
    lines = path.read_text(encoding="utf-8").split()
    return {Path(line).name for line in lines}

