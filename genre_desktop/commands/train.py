"""`genre-desktop train --features CSV --splits DIR --out DIR`: train the bundled genre model.

The tagger's published outputs for the GTZAN clips are read from --tagger-outputs (by default
the musicnn/ folder beside the splits); the model trains on the clips that have both.

Writes genre_stack.joblib, model_card.json and the evaluation plots into --out. With --quick the
hyperparameters recorded in a card are reused (no grid search), which reproduces that card's
numbers exactly; --skip-cv leaves out the nested 10-fold cross-validation (the slow part).

Exit status: 0 on success, 1 when the data or a card cannot be used.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

EXIT_OK, EXIT_FAILED = 0, 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--features", required=True, type=Path, metavar="CSV",
                        help="GTZAN features_30_sec.csv")
    parser.add_argument("--splits", required=True, type=Path, metavar="DIR",
                        help="folder with {train,valid,test}_filtered.txt")
    parser.add_argument("--tagger-outputs", type=Path, default=None, metavar="DIR",
                        help="musicnn's published taggrams (*_MSD_musicnn_taggram.npz; "
                             "default: SPLITS/../musicnn)")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR",
                        help="where the model, its card and plots go (e.g. models/)")
    parser.add_argument("--quick", "--no-search", dest="quick", action="store_true",
                        help="reuse the hyperparameters of --params-card instead of searching")
    parser.add_argument("--params-card", type=Path, default=None, metavar="JSON",
                        help="card to take hyperparameters from with --quick (default: OUT/model_card.json)")
    parser.add_argument("--skip-cv", action="store_true", help="skip the nested 10-fold cross-validation")
    parser.add_argument("--jobs", type=int, default=2, metavar="N", help="parallel jobs (default: 2)")


def run(args: argparse.Namespace) -> int:
    from genre_desktop.core.model_card import CARD_FILE
    from genre_desktop.core.training import TrainOptions, train
    from genre_desktop.core.training_data import TrainingDataError

    params_card = args.params_card or args.out / CARD_FILE
    if args.quick and not params_card.is_file():
        print(f"error: --quick needs a card with hyperparameters; {params_card} does not exist",
              file=sys.stderr)
        return EXIT_FAILED
    options = TrainOptions(
        features_csv=args.features,
        splits_dir=args.splits,
        out_dir=args.out,
        tagger_outputs=args.tagger_outputs,
        search=not args.quick,
        cross_validate=not args.skip_cv,
        params_card=params_card if args.quick else None,
        n_jobs=max(1, args.jobs),
        command="genre-desktop train " + " ".join(shlex.quote(a) for a in _train_args(args)),
    )
    started = time.monotonic()

    def progress(message: str) -> None:
        print(f"[{time.monotonic() - started:7.1f} s] {message}", flush=True)

    try:
        card = train(options, progress)
    except (OSError, ValueError, KeyError, TrainingDataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    test = card["fault_filtered_test"]
    print(f"fault-filtered test: accuracy {test['accuracy']:.3f}, macro-F1 {test['macro_f1']:.3f}, "
          f"ECE {test['ece_before_calibration']:.3f} -> {test['ece']:.3f}")
    if card.get("cv10"):
        print(f"nested 10-fold CV: accuracy {card['cv10']['accuracy']:.3f}, ECE {card['cv10']['ece']:.3f}")
    print(f"recommended threshold {card['recommended_threshold']:.2f}; "
          f"{card['training_seconds']:.0f} s; model {card['model_version']}")
    return EXIT_OK


def _train_args(args: argparse.Namespace) -> list[str]:
    parts = ["--features", str(args.features), "--splits", str(args.splits), "--out", str(args.out)]
    if args.tagger_outputs:
        parts += ["--tagger-outputs", str(args.tagger_outputs)]
    if args.quick:
        parts.append("--quick")
    if args.skip_cv:
        parts.append("--skip-cv")
    return parts

