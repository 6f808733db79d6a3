"""The 57 model features of one stretch of audio, as in GTZAN's ``features_30_sec.csv``.

Recipe: 22050 Hz mono float32; n_fft 2048, hop 512, Hann, centred frames; chroma_stft, rms,
spectral centroid/bandwidth/rolloff, zero-crossing rate, the HPSS harmonic and percussive
signals, beat_track's tempo and 20 MFCCs; the mean and np.var of each. The table was made with
librosa < 0.10, whose defaults differ in two ways that are kept here: frames are padded by
reflection (not zeros), and the HPSS signals are inverted without ``length``, then zero-padded.
So librosa 0.11 reproduces the table to float32 rounding (~1e-7; with its own defaults, ~1e-3).
benchmarks/reference_recipe.py is the naive version: one librosa call per feature.

Same numbers, ~15-20x faster: ONE STFT feeds everything (its dB mel spectrogram serves both
the MFCCs and the tempo's onset envelope); HPSS's 31-point medians use an exact sliding-window
median (~40x faster than scipy's 2-D filter, the bulk of the naive cost); only the harmonic
part is inverted (the soft masks sum to one, so percussive = y - harmonic); the tempo comes
from the tempogram without running the beat tracker; chroma's tuning is estimated at
piptrack's peaks only. The compiled loops live in feature_kernels.py.

Digital silence is not an error: it gives finite features (zeros, MFCCs at the -100 dB floor,
tempo 0; ``rms_mean == 0`` marks it). Non-finite or integer samples raise ValueError.
"""

from __future__ import annotations

import functools

import librosa
import numpy as np
import scipy.fft
from numpy.lib.stride_tricks import sliding_window_view

from genre_desktop.core.feature_kernels import sliding_median, soft_masked, spectral_kernel
from genre_desktop.core.feature_schema import FEATURE_NAMES, RECIPE_VERSION, SAMPLE_RATE

__all__ = ["FEATURE_NAMES", "RECIPE_VERSION", "SAMPLE_RATE", "extract", "extract_features"]

N_FFT = 2048
HOP_LENGTH = 512
HPSS_KERNEL = 31
MIN_SECONDS = 1.0  # shorter stretches say too little; windows are >= 5 s anyway
PAD_MODE = "reflect"  # librosa < 0.10's STFT padding, which the table was made with


def extract(y: np.ndarray, sr: int = SAMPLE_RATE) -> np.ndarray:
    """The (57,) float64 feature vector of mono samples ``y``, in FEATURE_NAMES order."""
    # Each spectrogram-sized array is dropped after its last use (del): the scan's workers run
    # this for every window, and the arrays alive at once make their memory peak.
    y = _prepare(y, sr)
    stft = librosa.stft(y, n_fft=N_FFT, hop_length=HOP_LENGTH, pad_mode=PAD_MODE)  # Fortran order
    magnitude = np.abs(stft)
    power = magnitude**2
    values: list[float] = []

    def mean_var(x: np.ndarray) -> None:
        values.extend((float(np.mean(x)), float(np.var(x))))

    tuning = _estimate_tuning(power, sr)
    mean_var(librosa.feature.chroma_stft(S=power, sr=sr, tuning=tuning))
    mel_db = librosa.power_to_db(_mel_basis(sr) @ power)  # for the tempo and the MFCCs
    del power
    mean_var(_rms(y))
    for series in _spectral_shape(magnitude, sr):
        mean_var(series)
    mean_var(_zero_crossing_rate(y))
    harm, perc = _hpss_medians(magnitude)
    del magnitude
    masked = soft_masked(stft.T, harm, perc, np.finfo(np.float32).tiny)
    del stft, harm, perc
    harmonic = _istft_tf(masked)  # covers (frames - 1) * hop <= len(y) samples
    del masked
    percussive = y[: len(harmonic)] - harmonic
    tail = np.zeros(len(y) - len(harmonic), dtype=np.float32)  # the old zero padding
    mean_var(np.concatenate((harmonic, tail)))
    mean_var(np.concatenate((percussive, tail)))
    del harmonic, percussive
    values.append(_tempo(mel_db, sr))
    for row in librosa.feature.mfcc(S=mel_db, n_mfcc=20):
        mean_var(row)

    result = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(result)):
        raise ValueError("the audio gave non-finite features (is it clipped far beyond full scale?)")
    return result


def extract_features(y: np.ndarray, sr: int = SAMPLE_RATE) -> dict[str, float]:
    """extract() as a {feature name: value} dict."""
    return dict(zip(FEATURE_NAMES, extract(y, sr).tolist()))


def _prepare(y: np.ndarray, sr: int) -> np.ndarray:
    if sr != SAMPLE_RATE:
        raise ValueError(f"features are defined at {SAMPLE_RATE} Hz; got audio at {sr} Hz")
    y = np.asarray(y)
    if not np.issubdtype(y.dtype, np.floating):
        raise ValueError(f"expected floating-point samples in [-1, 1], got {y.dtype}")
    if y.ndim != 1:
        raise ValueError(f"expected mono samples (a 1-D array), got shape {y.shape}")
    if len(y) < MIN_SECONDS * sr:
        raise ValueError(f"audio too short for features: {len(y) / sr:.2f} s "
                         f"(at least {MIN_SECONDS:g} s needed)")
    # float32, as librosa.load gives: the recipe (and the CSV) were computed at that precision.
    y = np.ascontiguousarray(y, dtype=np.float32)
    if not np.all(np.isfinite(y)):
        raise ValueError("audio contains NaN or infinite samples")
    return y


@functools.lru_cache(maxsize=4)
def _mel_basis(sr: int) -> np.ndarray:
    """librosa's default 128-band Slaney mel filter bank (a constant, built once per process)."""
    basis = librosa.filters.mel(sr=sr, n_fft=N_FFT)
    basis.setflags(write=False)
    return basis


def _estimate_tuning(power: np.ndarray, sr: int) -> float:
    """librosa.estimate_tuning(S=power), interpolating only at piptrack's peaks (local maxima
    over a tenth of the frame's peak, 150-4000 Hz), with the arithmetic of librosa's stencils
    (float32 inputs, float64 parabola), so the tuning (a histogram peak) comes out identical."""
    freqs = librosa.fft_frequencies(sr=sr, n_fft=N_FFT)
    band = np.flatnonzero((freqs >= 150.0) & (freqs < min(4000.0, sr / 2)))
    lo, hi = int(band[0]), int(band[-1]) + 1
    s = power.T[:, lo - 1:hi + 1]  # (frames, band + one guard bin each side)
    gated = s * (s > 0.1 * power.max(axis=0)[:, None])
    peaks = (gated[:, 1:-1] > gated[:, :-2]) & (gated[:, 1:-1] >= gated[:, 2:])
    t_idx, f_idx = np.nonzero(peaks)
    below, centre, above = s[t_idx, f_idx], s[t_idx, f_idx + 1], s[t_idx, f_idx + 2]
    a = (above + below).astype(np.float64) - 2 * centre.astype(np.float64)
    b = (above - below).astype(np.float64) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(np.abs(b) >= np.abs(a), 0.0, -b / a).astype(np.float32)
    pitches = ((f_idx + lo + shift) * float(sr) / N_FFT).astype(np.float32)
    mags = centre + 0.5 * ((above - below) / 2.0) * shift
    voiced = pitches > 0
    if not voiced.any():
        return 0.0  # what librosa returns (with a warning) when nothing is pitched
    threshold = np.median(mags[voiced])
    return float(librosa.pitch_tuning(pitches[(mags >= threshold) & voiced],
                                      resolution=0.01, bins_per_octave=12))


def _spectral_shape(magnitude: np.ndarray, sr: int) -> tuple[np.ndarray, ...]:
    """Spectral centroid, bandwidth (p=2) and 85% rolloff per frame, as librosa defines them."""
    freqs = librosa.fft_frequencies(sr=sr, n_fft=N_FFT)
    moments, rolloff_bin = spectral_kernel(np.ascontiguousarray(magnitude.T), freqs)
    total = np.where(moments[:, 0] < np.finfo(np.float32).tiny, 1.0, moments[:, 0])
    centroid = moments[:, 1] / total
    # sum(p * (f - c)^2) over the normalised column = E[f^2] - c^2, all in float64.
    bandwidth = np.sqrt(np.maximum(moments[:, 2] / total - centroid**2, 0.0))
    return centroid, bandwidth, freqs[rolloff_bin]


def _rms(y: np.ndarray) -> np.ndarray:
    """librosa.feature.rms(y, pad_mode="reflect"), squaring each sample once, not four times.
    The frames view has a contiguous sample axis as in librosa, so np.mean sums alike."""
    squares = np.square(np.pad(y, N_FFT // 2, mode=PAD_MODE))
    frames = librosa.util.frame(squares, frame_length=N_FFT, hop_length=HOP_LENGTH)
    return np.sqrt(np.mean(frames, axis=-2))


def _zero_crossing_rate(y: np.ndarray) -> np.ndarray:
    """librosa.feature.zero_crossing_rate(y) via a running count instead of framing."""
    padded = np.pad(y, N_FFT // 2, mode="edge")
    negative = padded < np.float64(-1e-10)  # |x| <= 1e-10 counts as zero, i.e. positive
    crossings = np.zeros(len(padded), dtype=np.int64)
    np.cumsum(negative[1:] != negative[:-1], out=crossings[1:])
    n_frames = 1 + (len(padded) - N_FFT) // HOP_LENGTH
    starts = np.arange(n_frames) * HOP_LENGTH
    # A frame's first sample has no predecessor in the frame: N_FFT - 1 pairs, N_FFT slots.
    return (crossings[starts + N_FFT - 1] - crossings[starts]) / N_FFT


def _hpss_medians(magnitude: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """HPSS's (kernel 31) harmonic and percussive medians, both (frames, bins) C-contiguous:
    the stft times their soft mask (power 2, margin 1), inverted without length, is the
    harmonic signal."""
    harm = sliding_median(np.ascontiguousarray(magnitude.T), HPSS_KERNEL)  # along time
    perc = np.ascontiguousarray(sliding_median(np.ascontiguousarray(magnitude), HPSS_KERNEL).T)  # along frequency
    return harm, perc


def _istft_tf(spec_tf: np.ndarray) -> np.ndarray:
    """librosa.istft (Hann, centred, no length) of a (frames, bins) spectrogram."""
    n_frames = spec_tf.shape[0]
    window = librosa.filters.get_window("hann", N_FFT, fftbins=True).astype(np.float32)
    frames = scipy.fft.irfft(spec_tf, n=N_FFT, axis=1)
    frames *= window
    overlap = N_FFT // HOP_LENGTH
    out = np.zeros((n_frames + overlap - 1, HOP_LENGTH), dtype=np.float32)
    for k in range(overlap):  # frame t's k-th hop-long block lands on row t + k
        out[k:k + n_frames] += frames[:, k * HOP_LENGTH:(k + 1) * HOP_LENGTH]
    # Divide by the summed squared window: constant where all frames overlap, ramps at the ends.
    blocks = (window**2).reshape(overlap, HOP_LENGTH)
    out[overlap - 1:n_frames] /= blocks.sum(axis=0)
    for r in range(overlap - 1):
        for row, envelope in ((out[r], blocks[: r + 1].sum(axis=0)),
                              (out[-1 - r], blocks[overlap - 1 - r:].sum(axis=0))):
            np.divide(row, envelope, out=row, where=envelope > np.finfo(np.float32).tiny)
    start = N_FFT // 2
    return out.ravel()[start:start + (n_frames - 1) * HOP_LENGTH]


def _tempo(mel_db: np.ndarray, sr: int) -> float:
    """beat_track's tempo: librosa.feature.tempo of the median-aggregated onset envelope.

    librosa averages the frames' autocorrelations, each divided by its peak. That peak is the
    lag-0 value (the frame's energy) and the inverse FFT is linear, so the power spectra are
    averaged and inverted once instead of once per frame."""
    envelope = librosa.onset.onset_strength(S=mel_db, sr=sr, aggregate=np.median)
    if not envelope.any():
        return 0.0  # beat_track's answer when there are no onsets (e.g. silence)
    win_length = int(librosa.time_to_frames(8.0, sr=sr, hop_length=HOP_LENGTH))
    padded = np.pad(envelope, win_length // 2, mode="linear_ramp", end_values=0)
    frames = sliding_window_view(padded, win_length)[: len(envelope)]
    frames = frames * librosa.filters.get_window("hann", win_length, fftbins=True)
    energy = np.einsum("ij,ij->i", frames, frames)
    energy[energy < np.finfo(energy.dtype).tiny] = 1.0  # util.normalize leaves empty frames be
    n_pad = scipy.fft.next_fast_len(2 * win_length - 1, real=True)
    spectrum = scipy.fft.rfft(frames, n=n_pad, axis=1)
    power = (spectrum.real**2 + spectrum.imag**2) / energy[:, None]
    tempogram = scipy.fft.irfft(power.mean(axis=0), n=n_pad)[:win_length]
    bpms = librosa.tempo_frequencies(win_length, hop_length=HOP_LENGTH, sr=sr)
    with np.errstate(divide="ignore"):
        logprior = -0.5 * ((np.log2(bpms) - np.log2(120.0)) / 1.0) ** 2
    logprior[: int(np.argmax(bpms < 320.0))] = -np.inf  # librosa's max_tempo
    return float(bpms[np.argmax(np.log1p(1e6 * tempogram) + logprior)])
