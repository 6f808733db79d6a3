"""Analyse one file: probe, pick windows, decode just those, extract both feature families,
classify, read tags.

The windows are decoded once; the 57 audio features and the tagger's patches are both computed
from the same decoded samples. Without a model, only the audio features are stored (under their
own recipe), and a later scan with the model analyses the file again.

Runs inside scan worker processes. Every way a file can fail ends as AnalysisError with a reason
a person can read; only a crash of the process itself escapes (the scanner handles that).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from genre_desktop.audio.decode import TARGET_SR, AudioInfo, DecodeError, probe, read_windows
from genre_desktop.audio.tags import Tags, read_tags
from genre_desktop.core.feature_schema import MODEL_RECIPE_VERSION, RECIPE_VERSION
from genre_desktop.core.features import extract
from genre_desktop.core.segments import MIN_TRACK_SECONDS, TooShort, choose_windows
from genre_desktop.core.types import TrackPrediction, Window

if TYPE_CHECKING:
    from genre_desktop.core.model.classifier import GenreClassifier

log = logging.getLogger(__name__)

# A window quieter than this (peak amplitude, about -80 dBFS) carries no music to judge.
SILENCE_PEAK = 1e-4
# A window shorter than this after decoding is too little audio for the features.
MIN_WINDOW_SECONDS = 2.0


class AnalysisError(Exception):
    """The file could not be analysed; str(e) says why in plain words."""


@dataclass
class Analysis:
    info: AudioInfo
    tags: Tags
    windows: list[Window]
    features: np.ndarray  # (len(windows), 57 + 50): audio features, then tag probabilities
    prediction: TrackPrediction | None
    recipe_version: str = MODEL_RECIPE_VERSION  # RECIPE_VERSION: audio features only
    embeddings: np.ndarray | None = None  # (len(windows), 200) float32, the tagger's embedding


def analyze_file(
    path: str | os.PathLike[str],
    classifier: "GenreClassifier | None",
    windows_per_track: int = 3,
) -> Analysis:
    try:
        return _analyze(path, classifier, windows_per_track)
    except AnalysisError:
        raise
    except FileNotFoundError:
        raise AnalysisError("file vanished during scan (not found)") from None
    except PermissionError:
        raise AnalysisError("permission denied") from None
    except DecodeError as exc:
        if not os.path.lexists(path):
            raise AnalysisError("file vanished during scan (not found)") from None
        raise AnalysisError(str(exc) or "cannot decode this file") from None
    except TooShort as exc:
        raise AnalysisError(str(exc) or "too short to analyse") from None
    except MemoryError:
        raise AnalysisError("not enough memory to analyse this file") from None
    except Exception as exc:  # a bug or an exotic file: report it, never stop the scan
        # Workers have no log file: a traceback would reach the user's terminal. Only on debug.
        log.warning("Unexpected failure analysing %r: %s: %s", path, type(exc).__name__, exc)
        log.debug("Traceback of the failure analysing %r", path, exc_info=True)
        raise AnalysisError(f"could not be analysed ({type(exc).__name__}: {exc})") from None


def _analyze(path, classifier, windows_per_track: int) -> Analysis:
    info = probe(path)
    if not np.isfinite(info.duration) or info.duration < MIN_TRACK_SECONDS:
        raise AnalysisError(
            f"too short to analyse ({info.duration:.1f} s; at least {MIN_TRACK_SECONDS:.0f} s needed)"
        )
    windows = choose_windows(info.duration, windows_per_track)
    audio = read_windows(path, windows)
    kept_windows: list[Window] = []
    kept_audio: list[np.ndarray] = []
    rows: list[np.ndarray] = []
    silent = 0
    unusable = ""
    for window, y in zip(windows, audio):
        if y.size < MIN_WINDOW_SECONDS * TARGET_SR:
            unusable = "the decoded audio is too short"
            continue
        if float(np.max(np.abs(y))) < SILENCE_PEAK:
            silent += 1  # a silent stretch (intro, gap) says nothing about the genre
            continue
        try:
            features = extract(y, TARGET_SR)
        except ValueError as exc:  # the extractor's own reason: non-finite audio, too short
            unusable = str(exc)
            continue
        kept_windows.append(window)
        kept_audio.append(y)
        rows.append(features)
    if not rows:
        if silent == len(windows):
            raise AnalysisError("silent: the file holds no audible sound")
        raise AnalysisError(f"no usable audio ({unusable or 'the decoded data is damaged'})")
    matrix = np.vstack(rows).astype(np.float64, copy=False)
    tags = read_tags(path)
    if classifier is None:
        return Analysis(info, tags, kept_windows, matrix, None, RECIPE_VERSION)
    tag_probabilities, embeddings = classifier.tagger.tag_windows(kept_audio, TARGET_SR)
    matrix = np.hstack([matrix, tag_probabilities])
    prediction = classifier.predict_track(kept_windows, matrix)
    return Analysis(info, tags, kept_windows, matrix, prediction, MODEL_RECIPE_VERSION, embeddings)
