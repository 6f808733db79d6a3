"""The training table (GTZAN's features_30_sec.csv), its fault-filtered splits, artist blocks."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from genre_desktop.core.feature_schema import FEATURE_NAMES, TAG_FEATURE_NAMES


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



def load_tagger_patches(musicnn_dir: Path) -> dict[str, np.ndarray]:
    """Clip name (e.g. "blues.00012.wav") -> the clip's tag probabilities per patch (patches x 50,
    float32 as stored), from the published musicnn taggrams (``*_MSD_musicnn_taggram.npz``: X
    patches x 50, IDS per patch)."""
    files = sorted(Path(musicnn_dir).glob("*_MSD_musicnn_taggram.npz"))
    if not files:
        raise TrainingDataError(f"{musicnn_dir}: no *_MSD_musicnn_taggram.npz files")
    patches: dict[str, np.ndarray] = {}
    for path in files:
        with np.load(path, allow_pickle=False) as archive:
            X, ids = archive["X"], archive["IDS"].astype(str)
        if X.ndim != 2 or X.shape[1] != len(TAG_FEATURE_NAMES) or len(ids) != len(X):
            raise TrainingDataError(f"{path}: expected patches x {len(TAG_FEATURE_NAMES)} tags")
        for clip in np.unique(ids):
            name = Path(clip).name.rsplit(".", 1)[0] + ".wav"
            patches[name] = X[ids == clip]
    return patches


def load_tagger_outputs(musicnn_dir: Path) -> dict[str, np.ndarray]:
    """Clip name -> the clip's mean tag probabilities (50,) over its published patches."""
    patches = load_tagger_patches(musicnn_dir)
    return {name: X.mean(axis=0).astype(np.float64) for name, X in patches.items()}


def with_tags(data: TrainingData, tags: dict[str, np.ndarray]) -> TrainingData:
    """The clips that have both feature families, with the tag columns appended."""
    keep = np.array([name in tags for name in data.filenames.tolist()], dtype=bool)
    part = data.subset(keep)
    T = np.vstack([tags[name] for name in part.filenames.tolist()])
    return TrainingData(np.hstack([part.X, T]), part.y, part.filenames,
                        part.feature_names + TAG_FEATURE_NAMES)


def load_model_table(gtzan_dir: Path) -> TrainingData:
    """GTZAN's clips with both feature families (``features_30_sec.csv`` + ``musicnn/``)."""
    gtzan_dir = Path(gtzan_dir)
    return with_tags(load_features_csv(gtzan_dir / "features_30_sec.csv"),
                     load_tagger_outputs(gtzan_dir / "musicnn"))
