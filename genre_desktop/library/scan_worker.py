"""Code that runs inside the scan's worker processes.

Kept at module level and importable on its own so that 'spawn' (and a frozen app, which
re-enters through freeze_support) can find it. Each worker loads the classifier once, in the
pool initializer, and keeps it for every file it analyses.
"""

from __future__ import annotations

import functools
import logging
import os
import signal
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from genre_desktop.core.model.classifier import GenreClassifier
    from genre_desktop.library.analysis import Analysis

log = logging.getLogger(__name__)


@dataclass
class JobResult:
    path: str
    size: int
    mtime_ns: int
    fingerprint: str | None
    analysis: "Analysis | None"
    error: str | None
    seconds: float = 0.0
    audio_sha256: str | None = None  # the audio alone (library.audio_identity)


@functools.lru_cache(maxsize=1)
def worker_classifier(model_dir: str | None, use_model: bool,
                      personal_dir: str | None = None) -> "GenreClassifier | None":
    """The classifier of this process, loaded on first use and then reused (one per worker):
    the bundled model, joined by the personal model in personal_dir when there is a usable one.

    A per-process cache is the point here: loading the model for every file would cost more
    than analysing it."""
    if not use_model:
        return None
    from genre_desktop.core.model.classifier import load_classifier

    return load_classifier(model_dir, personal_dir)


def warm_up() -> None:
    """Import the analysis stack and run the feature code once on a little noise, so that its
    JIT-compiled parts are compiled before the first real file (this takes seconds). In the
    fork server this happens once and every worker forked from it inherits the result."""
    try:
        import numpy as np

        import genre_desktop.library.analysis  # noqa: F401  (librosa, decoders, tags)
        from genre_desktop.core.features import SAMPLE_RATE, extract

        noise = np.random.default_rng(0).standard_normal(2 * SAMPLE_RATE).astype(np.float32)
        extract(noise * 0.1)
        import joblib  # noqa: F401  (what the model is unpickled with)

        import genre_desktop.core.model.classifier  # noqa: F401
        import genre_desktop.core.model.recipe  # noqa: F401  (the scikit-learn classes it holds)
    except Exception:  # a worker will meet (and report) the same problem on a real file
        log.exception("Warming up the analysis code failed")


def ping() -> bool:
    """A no-op job: submitting it makes the pool start a worker."""
    return True


def init_worker(model_dir: str | None, use_model: bool, personal_dir: str | None = None) -> None:
    """Pool initializer: one BLAS thread per process (the pool already uses every core),
    then get the feature code and the model ready before the first file arrives."""
    # Ctrl-C is the parent's to handle (it cancels the scan and stops the pool).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except Exception:  # threadpoolctl is an optional speed-up
        pass
    warm_up()
    worker_classifier(model_dir, use_model, personal_dir)


def analyse_job(
    path: str, size: int, mtime_ns: int, windows_per_track: int, model_dir: str | None, use_model: bool,
    personal_dir: str | None = None,
) -> JobResult:
    """Analyse one file. Never raises for a bad file: the reason comes back in JobResult.error."""
    from genre_desktop.library.analysis import AnalysisError, analyze_file
    from genre_desktop.library.fingerprint import fingerprint

    started = time.perf_counter()
    classifier = worker_classifier(model_dir, use_model, personal_dir)
    try:
        fp = fingerprint(path)
        analysis = analyze_file(path, classifier, windows_per_track)
    except FileNotFoundError:
        return JobResult(path, size, mtime_ns, None, None, "file vanished during scan (not found)")
    except PermissionError:
        return JobResult(path, size, mtime_ns, None, None, "permission denied")
    except OSError as exc:
        return JobResult(path, size, mtime_ns, None, None, f"cannot read file ({exc.strerror or exc})")
    except AnalysisError as exc:
        return JobResult(path, size, mtime_ns, None, None, str(exc))
    if not os.path.lexists(path):  # deleted while it was being read
        return JobResult(path, size, mtime_ns, None, None, "file vanished during scan (not found)")
    from genre_desktop.library.audio_identity import audio_sha256

    return JobResult(path, size, mtime_ns, fp, analysis, None, time.perf_counter() - started, audio_sha256(path))
