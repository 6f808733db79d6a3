"""`genre-desktop classify FILE... [--json]`: predict the genre of audio files.

Each file is analysed as a library scan would (the same windows, features and model). A file
that cannot be analysed gets an error instead of a genre; the others are still classified.

Exit status: 0 when the command ran (even if some files failed: see their "error"), 1 when the
model cannot be loaded.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_NO_MODEL = 0, 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="audio file(s)")
    parser.add_argument("--json", action="store_true",
                        help='print [{"path","genre","confidence","uncertain","probabilities","windows","error"}]')
    parser.add_argument("--model-dir", type=Path, default=None, metavar="DIR",
                        help="model folder (default: the bundled models/)")
    parser.add_argument("--windows", type=int, default=3, metavar="K",
                        help="30-second stretches analysed per track (default: 3)")
    parser.add_argument("--threshold", type=float, default=None, metavar="P",
                        help="below this confidence a genre is uncertain (default: the model card's)")


def run(args: argparse.Namespace) -> int:
    from genre_desktop.core.model.classifier import GenreClassifier, ModelError

    try:
        classifier = GenreClassifier.load(args.model_dir)
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_NO_MODEL
    results = [classify_file(path, classifier, max(1, args.windows), args.threshold) for path in args.files]
    if args.json:
        json.dump(results, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        _print_table(results)
    return EXIT_OK


def classify_file(path: str, classifier, windows_per_track: int, threshold: float | None) -> dict[str, Any]:
    """One file's result; analysis failures become a readable "error"."""
    from genre_desktop.library.analysis import AnalysisError, analyze_file

    result: dict[str, Any] = {"path": str(path), "genre": None, "confidence": None, "uncertain": None,
                              "probabilities": None, "windows": [], "error": None}
    try:
        analysis = analyze_file(path, classifier, windows_per_track)
    except AnalysisError as exc:
        result["error"] = str(exc) or "could not be analysed"
        return result
    prediction = analysis.prediction
    if threshold is not None:  # same probabilities, another cut-off
        prediction = classifier.predict_track(analysis.windows, analysis.features, threshold)
    result.update(
        genre=prediction.genre,
        confidence=prediction.confidence,
        uncertain=prediction.uncertain,
        probabilities=prediction.probabilities,
        windows=[{"start": w.window.start, "end": w.window.end, "genre": w.genre,
                  "probabilities": w.probabilities} for w in prediction.windows],
        model_version=prediction.model_version,
    )
    return result


def _print_table(results: list[dict[str, Any]]) -> None:
    width = min(60, max(len("FILE"), *(len(r["path"]) for r in results)))
    print(f"{'FILE':<{width}}  {'GENRE':<10}  {'CONF':>5}  RUNNERS-UP")
    for r in results:
        name = r["path"] if len(r["path"]) <= width else "..." + r["path"][-(width - 3):]
        if r["error"]:
            print(f"{name:<{width}}  {'-':<10}  {'-':>5}  error: {r['error']}")
            continue
        ranked = sorted(r["probabilities"].items(), key=lambda kv: kv[1], reverse=True)
        others = ", ".join(f"{g} {p:.2f}" for g, p in ranked[1:3])
        genre = r["genre"] + ("?" if r["uncertain"] else "")
        print(f"{name:<{width}}  {genre:<10}  {r['confidence']:>5.2f}  {others}")
    if any(r.get("uncertain") for r in results):
        print("? = uncertain: confidence below the threshold")
