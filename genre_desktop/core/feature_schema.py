"""The contract between the feature extractor and the model: names, order and recipe version.

Kept free of heavy imports so that code which only checks the contract (the scanner's main
process, the model loader) does not pay for librosa.
"""

from __future__ import annotations

SAMPLE_RATE = 22050
RECIPE_VERSION = "gtzan-csv-reflect-v1"

_STATS = ("mean", "var")
_BASE_FEATURES = ("chroma_stft", "rms", "spectral_centroid", "spectral_bandwidth", "rolloff",
                  "zero_crossing_rate", "harmony", "perceptr")
# The 57 feature columns of GTZAN's features_30_sec.csv, in its order.
FEATURE_NAMES: tuple[str, ...] = (
    tuple(f"{base}_{stat}" for base in _BASE_FEATURES for stat in _STATS)
    + ("tempo",)
    + tuple(f"mfcc{i}_{stat}" for i in range(1, 21) for stat in _STATS)
)
