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

# The music tagger's 50 tags (musicnn's MSD model), in the order of its outputs. Its window
# features are the mean tag probabilities of a few 3-second patches of the window.
TAGGER_TAGS: tuple[str, ...] = (
    "rock", "pop", "alternative", "indie", "electronic", "female vocalists", "dance", "00s",
    "alternative rock", "jazz", "beautiful", "metal", "chillout", "male vocalists", "classic rock",
    "soul", "indie rock", "Mellow", "electronica", "80s", "folk", "90s", "chill", "instrumental",
    "punk", "oldies", "blues", "hard rock", "ambient", "acoustic", "experimental",
    "female vocalist", "guitar", "Hip-Hop", "70s", "party", "country", "easy listening", "sexy",
    "catchy", "funk", "electro", "heavy metal", "Progressive rock", "60s", "rnb", "indie pop",
    "sad", "House", "happy",
)
TAG_FEATURE_NAMES: tuple[str, ...] = tuple(f"tag:{tag}" for tag in TAGGER_TAGS)
EMBEDDING_SIZE = 200
TAGGER_RECIPE = "musicnn-msd-v1"
# What the genre model reads per window: the 57 audio features, then the 50 tag probabilities.
MODEL_FEATURE_NAMES: tuple[str, ...] = FEATURE_NAMES + TAG_FEATURE_NAMES
MODEL_RECIPE_VERSION = f"{RECIPE_VERSION}+{TAGGER_RECIPE}"
