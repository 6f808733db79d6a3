"""The naive feature recipe: one librosa call per feature, each starting again from the samples.

This is how the GTZAN feature table (features_30_sec.csv) was computed: librosa's defaults
(22050 Hz mono, n_fft 2048, hop 512) as they were before librosa 0.10, i.e. frames padded by
reflection, and effects.hpss inverting without ``length`` and zero-padding to the input length.
Those two settings are passed explicitly here. It is the honest baseline for
benchmarks/bench_extract.py and the ground truth the fast extractor in
genre_desktop.core.features is tested against. The application never uses it.
"""

from __future__ import annotations

import librosa
import numpy as np

from genre_desktop.core.features import FEATURE_NAMES


def reference_features(y: np.ndarray, sr: int = 22050) -> np.ndarray:
    """The 57 features of ``y`` in FEATURE_NAMES order, computed the straightforward way."""
    y = np.ascontiguousarray(y, dtype=np.float32)  # what librosa.load returns
    values: list[float] = []

    def mean_var(x: np.ndarray) -> None:
        values.extend([float(np.mean(x)), float(np.var(x))])

    pad = "reflect"
    mean_var(librosa.feature.chroma_stft(y=y, sr=sr, pad_mode=pad))
    mean_var(librosa.feature.rms(y=y, pad_mode=pad))
    mean_var(librosa.feature.spectral_centroid(y=y, sr=sr, pad_mode=pad))
    mean_var(librosa.feature.spectral_bandwidth(y=y, sr=sr, pad_mode=pad))
    mean_var(librosa.feature.spectral_rolloff(y=y, sr=sr, pad_mode=pad))
    mean_var(librosa.feature.zero_crossing_rate(y))
    # librosa.effects.hpss as it was: no `length` in istft, then zero-padded to len(y).
    stft_harm, stft_perc = librosa.decompose.hpss(librosa.stft(y, pad_mode=pad))
    for part in (stft_harm, stft_perc):
        mean_var(librosa.util.fix_length(librosa.istft(part, dtype=y.dtype), size=len(y)))
    onsets = librosa.onset.onset_strength(y=y, sr=sr, aggregate=np.median, pad_mode=pad)
    tempo, _beats = librosa.beat.beat_track(onset_envelope=onsets, sr=sr)
    values.append(float(np.atleast_1d(tempo)[0]))
    mfcc = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=20, pad_mode=pad)
    for row in mfcc:
        mean_var(row)

    result = np.asarray(values, dtype=np.float64)
    assert result.shape == (len(FEATURE_NAMES),)
    return result
