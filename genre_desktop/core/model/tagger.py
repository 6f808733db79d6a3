"""The music tagger: musicnn's MSD model, run with ONNX Runtime on a few 3-second patches.

Front end, exactly as musicnn defines it: 16 kHz mono, STFT with n_fft 512 and hop 256 (centred
frames), 96 mel bands of the power spectrum, rounded to float16, then log10(10000 * x + 1);
patches of 187 frames (3 s). The float16 rounding is kept, but the result is cast to float32
before the multiplication: in float16 it overflows to inf above a power of 6.55.

A track gets PATCHES_PER_TRACK patches, shared evenly by its analysed windows (two each for the
usual three windows, six for a clip with one), non-overlapping and spread over each window, each
tagged in a call of its own (see Tagger.run); a window's tags (50 probabilities) and embedding
(the model's 200-value penultimate layer) are the means over its patches.

The .onnx file is checked against the sha256 in the model card before ONNX Runtime sees it.
ONNX Runtime runs on one thread: the scan already uses one worker process per core.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from genre_desktop.core.feature_schema import EMBEDDING_SIZE, TAGGER_TAGS

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
N_FFT = 512
HOP = 256
N_MELS = 96
PATCH_FRAMES = 187  # 3 s
# Chosen by measured accuracy against time (benchmarks/bench_tagger.py): see the README.
PATCHES_PER_TRACK = 6


class TaggerError(Exception):
    """The tagger cannot be used; str(e) says why in plain words."""


@functools.lru_cache(maxsize=2)
def _mel_basis(sr: int) -> np.ndarray:
    import librosa

    return librosa.filters.mel(sr=sr, n_fft=N_FFT, n_mels=N_MELS).astype(np.float32)


def resample(y: np.ndarray, sr: int) -> np.ndarray:
    import soxr

    y = np.asarray(y, dtype=np.float32)
    return y if sr == SAMPLE_RATE else soxr.resample(y, sr, SAMPLE_RATE).astype(np.float32, copy=False)


def frame_count(n_samples: int) -> int:
    """Frames of a centred STFT of n_samples at 16 kHz."""
    return 1 + n_samples // HOP


def log_mel(y16: np.ndarray, first: int = 0, frames: int | None = None) -> np.ndarray:
    """(frames, 96) musicnn log-mel of 16 kHz samples, from frame ``first`` on: exactly the rows
    a centred STFT of the whole signal (zero-padded at its ends) would give, computed for those
    frames only."""
    import librosa

    frames = frame_count(len(y16)) - first if frames is None else frames
    begin, end = first * HOP - N_FFT // 2, (first + frames - 1) * HOP + N_FFT // 2
    segment = y16[max(0, begin):max(0, min(len(y16), end))]
    segment = np.pad(segment, (max(0, -begin), end - begin - len(segment) - max(0, -begin)))
    power = np.abs(librosa.stft(segment, n_fft=N_FFT, hop_length=HOP, center=False)) ** 2
    mel = (_mel_basis(SAMPLE_RATE) @ power).T
    return np.log10(10000.0 * mel.astype(np.float16).astype(np.float32) + 1.0)


def patch_starts(frames: int, count: int | None) -> list[int]:
    """First frames of up to ``count`` non-overlapping patches spread evenly over ``frames``
    (all that fit when count is None); a stretch shorter than a patch gives one start, 0."""
    fit = max(1, frames // PATCH_FRAMES)
    n = fit if count is None else max(1, min(count, fit))
    if n == 1:
        return [max(0, (frames - PATCH_FRAMES) // 2)]
    last = frames - PATCH_FRAMES
    return [round(i * last / (n - 1)) for i in range(n)]


def patches_per_window(windows: int) -> int:
    return max(1, PATCHES_PER_TRACK // max(1, windows))


def patches(y: np.ndarray, sr: int, count: int | None) -> np.ndarray:
    """(n, 187, 96) patches of one stretch of audio; a stretch shorter than a patch is
    zero-padded after its end."""
    y16 = resample(y, sr)
    starts = patch_starts(frame_count(len(y16)), count)
    return np.stack([log_mel(y16, start, PATCH_FRAMES) for start in starts])


class Tagger:
    """A verified tagger model in an ONNX Runtime session."""

    def __init__(self, path: Path, sha256: str):
        path = Path(path)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise TaggerError(f"the tagger model {path} is missing") from None
        except OSError as exc:
            raise TaggerError(f"the tagger model {path} is unreadable: {exc}") from None
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256.lower():
            raise TaggerError(f"the tagger model {path} does not match its card (sha256 "
                              f"{actual[:12]}..., card says {sha256[:12]}...): refusing to load it")
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Without a memory plan (one block sized for every activation of a call) the arena holds
        # only what is alive at once: 35 MB a worker instead of 48, the same outputs and speed.
        options.enable_mem_pattern = False
        try:
            self._session = onnxruntime.InferenceSession(
                data, options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # a verified file that still fails to load is broken
            raise TaggerError(f"the tagger model {path} could not be loaded: {exc}") from None
        self.path = path
        log.info("Loaded tagger %s", path.name)

    def run(self, mel_patches: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(n, 187, 96) patches -> ((n, 50) tag probabilities, (n, 200) embeddings).

        One patch per call: on one thread a batch is no faster (20 ms a patch either way, 24 ms
        in a batch of six), and ONNX Runtime keeps the largest batch's activations for the
        session's life: +314 MB per worker for six patches, +35 MB for one."""
        x = np.asarray(mel_patches, dtype=np.float32)
        outputs = [self._session.run(["tags", "embedding"], {"mel": patch[None]}) for patch in x]
        tags = np.concatenate([t for t, _ in outputs])
        embedding = np.concatenate([e for _, e in outputs])
        if tags.shape != (len(x), len(TAGGER_TAGS)) or embedding.shape != (len(x), EMBEDDING_SIZE):
            raise TaggerError(f"the tagger gave outputs of shapes {tags.shape} and {embedding.shape}")
        return tags.astype(np.float64), embedding.astype(np.float32)

    def tag_windows(self, audio: Sequence[np.ndarray], sr: int,
                    count: int | str | None = "track") -> tuple[np.ndarray, np.ndarray]:
        """Per window of ``audio``: (n, 50) mean tag probabilities, (n, 200) mean embeddings.
        ``count``: patches per window ("track": the track's share, None: all that fit)."""
        if count == "track":
            count = patches_per_window(len(audio))
        per_window = [patches(y, sr, count) for y in audio]
        tags, embedding = self.run(np.concatenate(per_window))
        bounds = np.cumsum([0] + [len(p) for p in per_window])
        return _block_means(tags, bounds), _block_means(embedding, bounds)


def _block_means(rows: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    return np.stack([rows[a:b].mean(axis=0) for a, b in zip(bounds[:-1], bounds[1:])])
