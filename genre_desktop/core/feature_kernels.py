"""The feature extractor's compiled inner loops (numba), each reproducing librosa's numbers.

They compile once per process (~1.5 s) or load from numba's on-disk cache.
"""

from __future__ import annotations

import numba
import numpy as np


def _jit(function):
    """Compile lazily with numba, cached on disk when numba finds a writable place for it
    (later processes then start in a fraction of the compile time), else once per process."""
    options = {"nogil": True, "error_model": "numpy"}  # numpy errors: 0/0 gives NaN, no raise
    try:
        return numba.njit(cache=True, **options)(function)
    except RuntimeError:
        return numba.njit(cache=False, **options)(function)


@_jit
def spectral_kernel(mag_tf, freqs):  # pragma: no cover - compiled
    # Per frame: the sums of S, S*f and S*f^2 (float64), and the first bin where the running
    # float32 sum of S reaches 85% of the total. librosa's np.cumsum adds in that same order and
    # precision, so the rolloff bin is identical.
    n_frames, n_bins = mag_tf.shape
    moments = np.zeros((n_frames, 3))
    rolloff_bin = np.zeros(n_frames, np.int64)
    running = np.empty(n_bins, np.float32)
    share = np.float32(0.85)
    for t in range(n_frames):
        acc = np.float32(0.0)
        m0 = m1 = m2 = 0.0
        for f in range(n_bins):
            s = mag_tf[t, f]
            acc += s
            running[f] = acc
            m0 += s
            m1 += s * freqs[f]
            m2 += s * freqs[f] * freqs[f]
        moments[t, 0], moments[t, 1], moments[t, 2] = m0, m1, m2
        threshold = share * acc
        for f in range(n_bins):
            if running[f] >= threshold:
                rolloff_bin[t] = f
                break
    return moments, rolloff_bin


@_jit
def soft_masked(stft_tf, harm, perc, tiny):  # pragma: no cover - compiled
    # stft * librosa.util.softmask(harm, perc, power=2, split_zeros=True), in one pass and in
    # float32 like librosa: scale by the larger of the two, square, split evenly where both
    # are zero. All (frames, bins), C-contiguous.
    n, m = harm.shape
    out = np.empty((n, m), np.complex64)
    half, one = np.float32(0.5), np.float32(1.0)
    for t in range(n):
        for f in range(m):
            h = harm[t, f]
            p = perc[t, f]
            z = max(h, p)
            silent = z < tiny
            z = one if silent else z  # branch-free, so the loop vectorises
            h /= z
            p /= z
            h *= h
            weight = h / (h + p * p)
            out[t, f] = stft_tf[t, f] * (half if silent else weight)
    return out


def sliding_median(a: np.ndarray, k: int) -> np.ndarray:
    """scipy.ndimage.median_filter(a, size=(k, 1), mode="reflect") of a finite, C-contiguous
    2-D array; the same bits, since a median is one of the window's own values."""
    if a.shape[0] < k // 2:
        raise ValueError("too few frames for the median filter")
    return _sliding_median_kernel(a, k)


@_jit
def _sliding_median_kernel(a, k):  # pragma: no cover - compiled
    # Keeps, per column, the window in a ring buffer plus each element's rank in it (ties
    # broken by age, so the ranks stay a permutation). Sliding by one updates every rank with
    # two comparisons, and the median is the element of rank k // 2. The inner loops run along
    # the contiguous axis and vectorise: O(k) branch-free work per output instead of a heap.
    # The window starts as k infinities (ranked by age) that the first k samples push out.
    n, width = a.shape
    half = k // 2
    target = np.int32(half)  # int32 like the ranks, so comparisons stay 32-bit wide
    window = np.full((k, width), np.inf, a.dtype)
    rank = np.empty((k, width), np.int32)
    for j in range(k):
        rank[j] = j
    out = np.empty((n, width), a.dtype)
    count = np.empty(width, np.int32)
    for i in range(n + k - 1):
        slot = i % k  # the oldest element
        p = i - half  # position entering, reflected at the edges ("d c b a | a b c d")
        new = a[-p - 1 if p < 0 else (2 * n - p - 1 if p >= n else p)]
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
        if i >= k - 1:
            row = out[i - (k - 1)]
            for j in range(k):
                wj = window[j]
                rj = rank[j]
                for w in range(width):
                    if rj[w] == target:
                        row[w] = wj[w]
    return out
