"""`genre-desktop features FILE [--offset SEC] [--duration SEC] [--json]`.

Prints the 57 model features of one stretch of an audio file (the whole file from --offset
unless --duration is given; at most 10 minutes at once). With --json: {"features": {name: value}, "file", "offset",
"duration", "recipe_version"}; otherwise a table. Exit status 0, 1 when the file cannot be
decoded or analysed (one line on stderr), 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import json
import sys

EXIT_OK, EXIT_FAILED = 0, 1
MAX_SECONDS = 600.0  # memory grows with the stretch (~40 MB per 30 s); the model looks at 30 s


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="an audio file")
    parser.add_argument("--offset", type=_seconds(allow_zero=True), default=0.0, metavar="SEC",
                        help="where the stretch starts, in seconds (default: 0)")
    parser.add_argument("--duration", type=_seconds(allow_zero=False), default=None, metavar="SEC",
                        help="how long the stretch is, in seconds (default: to the end)")
    parser.add_argument("--json", action="store_true", help='print {"features": {name: value}, ...}')


def _seconds(allow_zero: bool):
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
        if not value == value or value in (float("inf"), float("-inf")):  # NaN / inf
            raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}")
        if value < 0 or (value == 0 and not allow_zero):
            raise argparse.ArgumentTypeError(f"must be {'>= 0' if allow_zero else '> 0'}: {text}")
        return value

    return parse


def run(args: argparse.Namespace) -> int:
    # Imported here so `genre-desktop --help` does not load librosa.
    from genre_desktop.audio.decode import TARGET_SR, DecodeError, probe, read_window
    from genre_desktop.core.features import RECIPE_VERSION, extract_features

    try:
        remaining = probe(args.file).duration - args.offset
        length = remaining if args.duration is None else min(args.duration, remaining)
        if length > MAX_SECONDS:
            raise ValueError(f"{length:.0f} s is a long stretch to analyse at once; "
                             f"pick one with --duration (at most {MAX_SECONDS:.0f} s)")
        samples = read_window(args.file, start=args.offset, duration=args.duration, sr=TARGET_SR)
        if samples.size == 0:
            raise ValueError(f"nothing to analyse: the file ends before {args.offset:g} s")
        features = extract_features(samples, TARGET_SR)
    except (DecodeError, ValueError, OSError) as exc:
        print(f"genre-desktop features: {args.file}: {_one_line(exc)}", file=sys.stderr)
        return EXIT_FAILED

    seconds = samples.size / TARGET_SR
    if args.json:
        print(json.dumps({"features": features, "file": args.file, "offset": args.offset,
                          "duration": seconds, "recipe_version": RECIPE_VERSION}, indent=2))
    else:
        print(_table(features, args.file, args.offset, seconds, RECIPE_VERSION))
    return EXIT_OK


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def _table(features: dict[str, float], path: str, offset: float, seconds: float,
           recipe: str) -> str:
    lines = [f"{path}: {offset:.2f}-{offset + seconds:.2f} s ({seconds:.2f} s, recipe {recipe})",
             f"{'feature':<22}{'mean':>16}{'var':>16}"]
    for name, value in features.items():
        if name.endswith("_mean"):
            base = name[: -len("_mean")]
            lines.append(f"{base:<22}{value:>16.6g}{features[base + '_var']:>16.6g}")
        elif not name.endswith("_var"):
            lines.append(f"{name:<22}{value:>16.6g}")
    return "\n".join(lines)
