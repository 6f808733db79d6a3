"""`genre-desktop --self-test`: check an install end to end, headless, and print a JSON summary.

It proves that the parts a frozen app most often loses still work: the bundled model (and its
sha256 check), decoding MP3 and Ogg Vorbis (libsndfile) and FFmpeg (PyAV), librosa's lazily
loaded modules and numba's compiled functions, and a scan through the worker-process pool into
a throw-away library. It needs no display and no sound card: preview output is only reported.

Exit status 0 means every step passed; otherwise 1, and "failed_steps" plus each step's "error"
say what broke.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genre_desktop import __version__
from genre_desktop.paths import bundle_root, resources_dir

log = logging.getLogger(__name__)

SAMPLE_SUFFIXES = {".mp3", ".ogg", ".oga", ".opus", ".flac", ".wav", ".m4a"}
SCAN_JOBS = 2


class StepSkipped(Exception):
    """A step cannot run because one it depends on failed."""


@dataclass
class SelfTest:
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)

    def run(self, name: str, step: Callable[[], dict[str, Any]], required: bool = True) -> bool:
        # Progress for a person watching goes to stderr; stdout carries only the JSON.
        sys.stderr.write(f"self-test: {name} ... ")
        sys.stderr.flush()
        started = time.perf_counter()
        try:
            outcome = {"ok": True, **step()}
        except StepSkipped as exc:
            outcome = {"ok": False, "skipped": str(exc)}
        except Exception as exc:  # noqa: BLE001 - every failure becomes part of the report
            log.debug("self-test step %s failed", name, exc_info=True)
            outcome = {
                "ok": False,
                "error": f"{type(exc).__name__}: {exc}",
                "traceback": traceback.format_exc(limit=-6).splitlines()[-12:],
            }
        outcome["seconds"] = round(time.perf_counter() - started, 3)
        verdict = "ok" if outcome["ok"] else outcome.get("skipped") or outcome.get("error")
        sys.stderr.write(f"{verdict} ({outcome['seconds']:.1f} s)\n")
        if not outcome["ok"] and required:
            self.failed.append(name)
        self.results[name] = outcome
        return outcome["ok"]


def sample_files() -> list[Path]:
    folder = resources_dir() / "sample"
    return sorted(p for p in folder.glob("*") if p.suffix.lower() in SAMPLE_SUFFIXES)


def check_samples_present() -> dict[str, Any]:
    samples = sample_files()
    suffixes = {p.suffix.lower() for p in samples}
    if ".mp3" not in suffixes or len(suffixes) < 2:
        raise RuntimeError(
            f"resources/sample must hold an MP3 and one other format; found {[p.name for p in samples]}"
        )
    return {"folder": str(resources_dir() / "sample"), "files": [p.name for p in samples]}


def load_model(holder: dict[str, Any]) -> dict[str, Any]:
    from genre_desktop.core.model.classifier import GenreClassifier

    classifier = GenreClassifier.load()  # raises ModelError unless both sha256s match the card
    holder["classifier"] = classifier
    return {
        "version": classifier.version,
        "sha256_ok": True,
        "sha256": classifier.card.get("sha256"),
        "tagger": classifier.tagger.path.name,
        "tagger_sha256": classifier.card["tagger"]["sha256"],  # checked before ONNX Runtime read it
        "genres": list(classifier.genres),
        "recommended_threshold": classifier.recommended_threshold,
    }


def classify_samples(holder: dict[str, Any]) -> dict[str, Any]:
    classifier = holder.get("classifier")
    if classifier is None:
        raise StepSkipped("the model did not load")
    from genre_desktop.library.analysis import analyze_file

    results = []
    for path in sample_files():
        started = time.perf_counter()
        analysis = analyze_file(path, classifier)
        prediction = analysis.prediction
        if prediction is None:
            raise RuntimeError(f"{path.name}: decoded but not classified")
        results.append({
            "file": path.name,
            "codec": analysis.info.codec,
            "duration": round(analysis.info.duration, 2),
            "windows": len(analysis.windows),
            "genre": prediction.genre,
            "confidence": round(float(prediction.confidence), 3),
            "uncertain": bool(prediction.uncertain),
            "seconds": round(time.perf_counter() - started, 3),
        })
    return {"samples": results}


def decode_with_ffmpeg() -> dict[str, Any]:
    """Decode one sample through PyAV directly: proves FFmpeg's shared libraries load."""
    import av

    mp3 = next(p for p in sample_files() if p.suffix.lower() == ".mp3")
    frames = samples = 0
    with av.open(str(mp3)) as container:
        for frame in container.decode(audio=0):
            frames += 1
            samples += frame.samples
    if samples == 0:
        raise RuntimeError(f"FFmpeg decoded no audio from {mp3.name}")
    libavcodec = ".".join(map(str, av.library_versions.get("libavcodec", ())))
    return {"file": mp3.name, "pyav": av.__version__, "libavcodec": libavcodec,
            "frames": frames, "samples": samples}


def scan_two_files() -> dict[str, Any]:
    from genre_desktop.library.db import connect
    from genre_desktop.library.scanner import scan_folders

    samples = sample_files()[:2]
    with tempfile.TemporaryDirectory(prefix="genre-desktop-selftest-") as tmp:
        music = Path(tmp) / "music"
        music.mkdir()
        for path in samples:
            shutil.copy2(path, music / path.name)
        db_path = Path(tmp) / "library.sqlite3"
        report = scan_folders(db_path, [str(music)], jobs=SCAN_JOBS).as_json()
        conn = connect(db_path, readonly=True)
        try:
            tracks = conn.execute("SELECT COUNT(*) FROM tracks").fetchone()[0]
            predicted = conn.execute("SELECT COUNT(*) FROM predictions").fetchone()[0]
        finally:
            conn.close()
    expected = len(samples)
    if report["failed"] or report["scanned"] != expected or tracks != expected:
        raise RuntimeError(
            f"expected {expected} tracks, got {tracks} (report: {json.dumps(report)})"
        )
    if predicted != expected:
        raise RuntimeError(f"expected {expected} predictions in the library, got {predicted}")
    return {"jobs": SCAN_JOBS, "report": report, "tracks_in_db": tracks, "predictions_in_db": predicted}


def preview_output() -> dict[str, Any]:
    """Informational only: a machine without a sound card still passes the self-test."""
    try:
        import sounddevice

        device = sounddevice.query_devices(kind="output")
        return {"available": True, "device": device.get("name")}
    except Exception as exc:  # noqa: BLE001 - OSError when PortAudio is missing, PortAudioError, ...
        return {"available": False, "reason": f"{type(exc).__name__}: {exc}"}


def environment() -> dict[str, Any]:
    return {
        "version": __version__,
        "frozen": bool(getattr(sys, "frozen", False)),
        "executable": sys.executable,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "bundle_root": str(bundle_root()),
        # The first run compiles librosa's numba code (tens of seconds); later runs load it here.
        "numba_cache_dir": os.environ.get("NUMBA_CACHE_DIR"),
    }


def run_self_test() -> int:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(name)s: %(message)s")
    started = time.perf_counter()
    test = SelfTest()
    holder: dict[str, Any] = {}
    test.run("samples_present", check_samples_present)
    test.run("model", lambda: load_model(holder))
    test.run("classify_samples", lambda: classify_samples(holder))
    test.run("ffmpeg_decode", decode_with_ffmpeg)
    test.run("scan", scan_two_files)
    test.run("preview_output", preview_output, required=False)
    summary = {
        **environment(),
        "ok": not test.failed,
        "failed_steps": test.failed,
        "reason": _first_reason(test),
        "steps": test.results,
        "timings": {name: r["seconds"] for name, r in test.results.items()}
        | {"total": round(time.perf_counter() - started, 3)},
    }
    sys.stdout.write(json.dumps(summary, indent=2) + "\n")
    sys.stdout.flush()
    return 0 if not test.failed else 1


def _first_reason(test: SelfTest) -> str | None:
    if not test.failed:
        return None
    name = test.failed[0]
    result = test.results[name]
    return f"{name}: {result.get('error') or result.get('skipped')}"
