"""The 57 model features of one stretch of audio, as in GTZAN's ``features_30_sec.csv``.

The recipe: 22050 Hz mono float32, n_fft 2048, hop 512, Hann, centred frames; chroma_stft, rms,
spectral centroid/bandwidth/rolloff, zero_crossing_rate, the harmonic and percussive signals of
HPSS (kernel 31, power 2, margin 1), beat_track's tempo and 20 MFCCs; the mean and np.var of
each. The table was made with librosa < 0.10, so two of that version's defaults are kept:
frames are padded by REFLECTION (0.10 switched to zeros), and the HPSS signals are inverted
without ``length`` and zero-padded to the input length. With those, librosa 0.11 reproduces the
table to float32 rounding (~1e-7); with 0.11's own defaults it is off by up to ~1e-3.
benchmarks/reference_recipe.py computes it naively, one librosa call per feature.

This module gives the same numbers much faster because it:
- computes ONE complex STFT and derives magnitude, power and the mel spectrogram from it (the
  naive recipe computes seven); the dB mel spectrogram feeds both the MFCCs and the onset
  envelope behind the tempo;
- runs HPSS's two 31-point median filters with an exact sliding-window median (identical
  values; ~40x faster than scipy's 2-D filter, which is most of the naive cost);
- inverts only the harmonic part: the two soft masks sum to one, so percussive = y - harmonic;
- takes the tempo straight from the tempogram (beat_track's tempo) without the beat tracker;
- estimates chroma's tuning at piptrack's peaks only.

Digital silence is not an error: it yields finite features (zeros, MFCCs at the -100 dB floor,
tempo 0), so a silent window has ``rms_mean == 0``. Non-finite samples raise ValueError.
"""

from __future__ import annotations

import functools

import librosa
import numba
import numpy as np
import scipy.fft
from numpy.lib.stride_tricks import sliding_window_view

SAMPLE_RATE = 22050
N_FFT = 2048
HOP_LENGTH = 512
HPSS_KERNEL = 31
MIN_SECONDS = 1.0  # shorter stretches say too little; windows are >= 5 s anyway
PAD_MODE = "reflect"  # librosa < 0.10's STFT padding, which the table was made with
RECIPE_VERSION = "gtzan-csv-reflect-v1"

_STATS = ("mean", "var")
_BASE_FEATURES = ("chroma_stft", "rms", "spectral_centroid", "spectral_bandwidth", "rolloff",
                  "zero_crossing_rate", "harmony", "perceptr")
FEATURE_NAMES: tuple[str, ...] = (
    tuple(f"{base}_{stat}" for base in _BASE_FEATURES for stat in _STATS)
    + ("tempo",)
    + tuple(f"mfcc{i}_{stat}" for i in range(1, 21) for stat in _STATS)
)


def extract(y: np.ndarray, sr: int = SAMPLE_RATE) -> np.ndarray:
    """The (57,) float64 feature vector of mono samples ``y``, in FEATURE_NAMES order."""
    y = _prepare(y, sr)
    stft = librosa.stft(y, n_fft=N_FFT, hop_length=HOP_LENGTH, pad_mode=PAD_MODE)  # Fortran order
    magnitude = np.abs(stft)
    power = magnitude**2
    values: list[float] = []

    def mean_var(x: np.ndarray) -> None:
        values.extend((float(np.mean(x)), float(np.var(x))))

    tuning = _estimate_tuning(power, sr)
    mean_var(librosa.feature.chroma_stft(S=power, sr=sr, tuning=tuning))
    mean_var(librosa.feature.rms(y=y, pad_mode=PAD_MODE))
    for series in _spectral_shape(magnitude, sr):
        mean_var(series)
    mean_var(_zero_crossing_rate(y))
    harmonic = _harmonic(stft, magnitude)  # covers (frames - 1) * hop <= len(y) samples
    percussive = y[: len(harmonic)] - harmonic
    tail = np.zeros(len(y) - len(harmonic), dtype=np.float32)  # the old zero padding
    mean_var(np.concatenate((harmonic, tail)))
    mean_var(np.concatenate((percussive, tail)))
    mel_db = librosa.power_to_db(_mel_basis(sr) @ power)
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
    """librosa.estimate_tuning(S=power), looking only where piptrack looks.

    piptrack keeps local maxima above a tenth of the column's peak within 150-4000 Hz and
    refines them by parabolic interpolation. The interpolation is computed at those peaks only,
    with the same arithmetic as librosa's numba stencils (float32 inputs, float64 parabola), so
    the tuning (a histogram peak) comes out identical.
    """
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
    moments = np.stack([np.ones_like(freqs), freqs, freqs**2]) @ magnitude.astype(np.float64)
    total = np.where(moments[0] < np.finfo(np.float32).tiny, 1.0, moments[0])
    centroid = moments[1] / total
    # sum(p * (f - c)^2) over the normalised column = E[f^2] - c^2, all in float64.
    bandwidth = np.sqrt(np.maximum(moments[2] / total - centroid**2, 0.0))
    cumulative = np.cumsum(magnitude, axis=0)  # float32, exactly as librosa sums
    reached = cumulative >= 0.85 * cumulative[-1]
    rolloff = freqs[np.argmax(reached, axis=0)]
    return centroid, bandwidth, rolloff


def _zero_crossing_rate(y: np.ndarray) -> np.ndarray:
    """librosa.feature.zero_crossing_rate(y) via a running count instead of framing."""
    padded = np.pad(y, N_FFT // 2, mode="edge")
    negative = padded < np.float64(-1e-10)  # |x| <= 1e-10 counts as zero, i.e. positive
    crossings = np.concatenate(([0], np.cumsum(negative[1:] != negative[:-1])))
    n_frames = 1 + (len(padded) - N_FFT) // HOP_LENGTH
    starts = np.arange(n_frames) * HOP_LENGTH
    # A frame's first sample has no predecessor in the frame: N_FFT - 1 pairs, N_FFT slots.
    return (crossings[starts + N_FFT - 1] - crossings[starts]) / N_FFT


def _harmonic(stft: np.ndarray, magnitude: np.ndarray) -> np.ndarray:
    """The harmonic signal of HPSS (kernel 31, power 2, margin 1), as istft without length."""
    mag_tf = np.ascontiguousarray(magnitude.T)  # (frames, bins): no copy for Fortran input
    harm = _sliding_median(mag_tf, HPSS_KERNEL)  # along time
    perc = np.ascontiguousarray(_sliding_median(np.ascontiguousarray(magnitude), HPSS_KERNEL).T)
    # util.softmask(harm, perc, power=2, split_zeros=True), without fancy indexing.
    z = np.maximum(harm, perc)
    silent = z < np.finfo(np.float32).tiny
    np.copyto(z, 1, where=silent)
    with np.errstate(divide="ignore", invalid="ignore"):
        mask = harm / z
        mask **= 2
        rest = perc / z
        rest **= 2
        rest += mask
        mask /= rest
    np.copyto(mask, 0.5, where=silent)
    return _istft_tf(stft.T * mask)


def _istft_tf(spec_tf: np.ndarray) -> np.ndarray:
    """librosa.istft (Hann, centred, no length) of a (frames, bins) spectrogram."""
    n_frames = spec_tf.shape[0]
    length = (n_frames - 1) * HOP_LENGTH
    window = librosa.filters.get_window("hann", N_FFT, fftbins=True)
    frames = scipy.fft.irfft(spec_tf, n=N_FFT, axis=1)
    frames *= window.astype(frames.dtype)
    overlap = N_FFT // HOP_LENGTH
    out = np.zeros((n_frames + overlap - 1, HOP_LENGTH), dtype=frames.dtype)
    for k in range(overlap):  # frame t's k-th hop-long block lands on row t + k
        out[k:k + n_frames] += frames[:, k * HOP_LENGTH:(k + 1) * HOP_LENGTH]
    # The summed squared window: constant where all `overlap` frames overlap, ramps at the ends.
    blocks = (window**2).reshape(overlap, HOP_LENGTH)
    envelope = np.empty(out.shape)
    envelope[:] = blocks.sum(axis=0)
    for r in range(overlap - 1):
        envelope[r] = blocks[: r + 1].sum(axis=0)
        envelope[-1 - r] = blocks[overlap - 1 - r:].sum(axis=0)
    start = N_FFT // 2
    out, envelope = out.ravel()[start:start + length], envelope.ravel()[start:start + length]
    np.divide(out, envelope, out=out, where=envelope > np.finfo(np.float32).tiny)
    return out


def _tempo(mel_db: np.ndarray, sr: int) -> float:
    """beat_track's tempo: librosa.feature.tempo of the median-aggregated onset envelope.

    The tempogram is built frame-major (contiguous rows) and only its mean over time is kept.
    """
    envelope = librosa.onset.onset_strength(S=mel_db, sr=sr, aggregate=np.median)
    if not envelope.any():
        return 0.0  # beat_track's answer when there are no onsets (e.g. silence)
    win_length = int(librosa.time_to_frames(8.0, sr=sr, hop_length=HOP_LENGTH))
    padded = np.pad(envelope, win_length // 2, mode="linear_ramp", end_values=0)
    frames = sliding_window_view(padded, win_length)[: len(envelope)]
    frames = frames * librosa.filters.get_window("hann", win_length, fftbins=True)
    n_pad = scipy.fft.next_fast_len(2 * win_length - 1, real=True)
    spectrum = scipy.fft.rfft(frames, n=n_pad, axis=1)
    autocorr = scipy.fft.irfft(spectrum.real**2 + spectrum.imag**2, n=n_pad, axis=1)
    autocorr = autocorr[:, :win_length]
    peak = np.max(np.abs(autocorr), axis=1, keepdims=True)
    peak[peak < np.finfo(peak.dtype).tiny] = 1.0  # util.normalize leaves empty frames as they are
    tempogram = np.mean(autocorr / peak, axis=0)
    bpms = librosa.tempo_frequencies(win_length, hop_length=HOP_LENGTH, sr=sr)
    with np.errstate(divide="ignore"):
        logprior = -0.5 * ((np.log2(bpms) - np.log2(120.0)) / 1.0) ** 2
    logprior[: int(np.argmax(bpms < 320.0))] = -np.inf  # librosa's max_tempo
    return float(bpms[np.argmax(np.log1p(1e6 * tempogram) + logprior)])


def _sliding_median(a: np.ndarray, k: int) -> np.ndarray:
    """Median over a k-long window along axis 0 of a C-contiguous 2-D array, edges reflected.

    Equal, value for value, to scipy.ndimage.median_filter(a, size=(k, 1), mode="reflect"):
    a median is one of the window's own values, so any exact algorithm gives the same bits.
    """
    if a.shape[0] <= k // 2:
        raise ValueError("too few frames for the median filter")
    return _sliding_median_kernel(a, k)


@numba.njit(nogil=True, cache=False)
def _sliding_median_kernel(a, k):  # pragma: no cover - compiled
    # Keeps, per column, the window in a ring buffer plus each element's rank in it (ties
    # broken by age, so ranks stay a permutation). Sliding by one updates every rank with two
    # comparisons; the median is the element of rank k // 2. All inner loops run along the
    # contiguous axis, so they vectorise: O(k) simple work per output instead of a heap.
    n, width = a.shape
    half = np.int32(k // 2)  # int32 like the ranks, so comparisons stay 32-bit wide
    window = np.empty((k, width), a.dtype)
    rank = np.zeros((k, width), np.int32)
    out = np.empty((n, width), a.dtype)
    for j in range(k):  # positions -half..half, reflected ("d c b a | a b c d")
        i = j - half
        window[j] = a[-i - 1 if i < 0 else (2 * n - i - 1 if i >= n else i)]
    for j in range(k):
        for i in range(k):
            for w in range(width):
                rank[j, w] += (window[i, w] < window[j, w]) | (
                    (window[i, w] == window[j, w]) & (i < j))
    count = np.empty(width, np.int32)
    for c in range(n):
        if c > 0:
            slot = (c - 1) % k  # holds position c - 1 - half, the oldest
            i = c + half
            new = a[2 * n - i - 1 if i >= n else i]
            old = window[slot].copy()
            count[:] = 0
            for j in range(k):
                wj = window[j]
                rj = rank[j]
                for w in range(width):
                    x = wj[w]
                    rj[w] += np.int32(x > new[w]) - np.int32(x >= old[w])
                    count[w] += np.int32(x <= new[w])
            for w in range(width):
                rank[slot, w] = count[w] - np.int32(old[w] <= new[w])
                window[slot, w] = new[w]
        row = out[c]
        for j in range(k):
            wj = window[j]
            rj = rank[j]
            for w in range(width):
                if rj[w] == half:
                    row[w] = wj[w]
    return out
