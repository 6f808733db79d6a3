"""`genre-desktop learn [--json]`: learn from your corrections, as the window's "Learn from my
corrections" does (library.personalize.learn, the same generator).

It fits your model on the corrections in the library, saves it where the window keeps it (the
app's data folder: AppPaths.personal_model_dir), and classifies the library again from the stored
features, without decoding anything. Learning switches your model on, for the window and for
`genre-desktop scan`. With --bundled-only it is switched off instead ("Use bundled model only":
your model is kept) and the library is classified again by the bundled model alone.

Progress goes to stderr; what changed to stdout (--json: every field of the summary). Ctrl-C
before your model is saved changes nothing: the previous model stays as it was. Ctrl-C while the
library is classified again keeps the new model and the tracks done so far; the others follow
at the next scan or learn. While a scan of the library runs, learning is refused (the window
waits for the scan's end instead).

Exit status: 0 when done, 1 when there is nothing to learn from (the reason is printed) or the
model cannot be loaded, 2 when the library cannot be used or is being scanned, 130 when
interrupted.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import signal
import sys
import time
from typing import Any

from genre_desktop.commands.library_arg import add_db_argument, library_path

EXIT_OK, EXIT_NOTHING_LEARNED, EXIT_LIBRARY, EXIT_INTERRUPTED = 0, 1, 2, 130
COUNT_EVERY_SECONDS = 1.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_db_argument(parser)
    parser.add_argument("--bundled-only", action="store_true",
                        help="switch your model off (it is kept) and classify the library with the bundled model alone")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")


def run(args: argparse.Namespace) -> int:
    from genre_desktop.core.cancel import CancelToken, Cancelled
    from genre_desktop.core.model.errors import ModelError
    from genre_desktop.core.personal.model import PersonalModelError
    from genre_desktop.library.db import LibraryError
    from genre_desktop.library.scan_lock import ScanAlreadyRunning
    from genre_desktop.log import setup_logging
    from genre_desktop.paths import AppPaths

    setup_logging(AppPaths.default().logs)
    cancel = CancelToken()

    def on_interrupt(signum, frame):  # first Ctrl-C: stop cleanly; second: the default
        cancel.cancel()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        outcome = _learn(args, cancel)
    except ScanAlreadyRunning:
        return _fail("a scan of this library is running: learn once it has finished", EXIT_LIBRARY)
    except LibraryError as exc:
        return _fail(str(exc), EXIT_LIBRARY)
    except (ModelError, PersonalModelError) as exc:
        return _fail(str(exc), EXIT_NOTHING_LEARNED)
    except ValueError as exc:  # the corrections cannot make a model; str(exc) says why
        return _fail(str(exc), EXIT_NOTHING_LEARNED)
    except Cancelled:
        return _fail("interrupted before your model was saved: nothing changed", EXIT_INTERRUPTED)
    except KeyboardInterrupt:  # a second Ctrl-C
        return _fail("interrupted", EXIT_INTERRUPTED)
    finally:
        signal.signal(signal.SIGINT, previous)
    if args.json:
        print(json.dumps(dataclasses.asdict(outcome), default=_plain))
    else:
        print("\n".join(_repredict_lines(outcome) if args.bundled_only else summary_lines(outcome)))
    return EXIT_OK if outcome.complete else EXIT_INTERRUPTED


def _learn(args: argparse.Namespace, cancel):
    """The learn (or, with --bundled-only, the re-classification) run to its end."""
    from genre_desktop.core.feature_schema import MODEL_RECIPE_VERSION
    from genre_desktop.core.model.classifier import GenreClassifier
    from genre_desktop.core.settings import Settings
    from genre_desktop.library import personalize
    from genre_desktop.library.scan_lock import scan_lock
    from genre_desktop.library.writer import LibraryWriter
    from genre_desktop.paths import AppPaths

    paths = AppPaths.default()
    db = library_path(args)
    bundled = GenreClassifier.load()
    settings = Settings.load(paths.settings_file)
    with scan_lock(db), LibraryWriter(db) as writer:
        if args.bundled_only:
            _use_personal_model(settings, paths, False)
            return _drive(personalize.repredict(writer, bundled, MODEL_RECIPE_VERSION, cancel))
        summary = _drive(personalize.learn(writer, bundled, paths.personal_model_dir, MODEL_RECIPE_VERSION, cancel))
        _use_personal_model(settings, paths, True)  # saved: asking to learn is asking to use it
        return summary


def _use_personal_model(settings, paths, enabled: bool) -> None:
    if settings.use_personal_model != enabled:
        settings.use_personal_model = enabled
        settings.save(paths.settings_file)


def _drive(steps):
    """Run a progress generator to its end, showing its progress; returns what it returns."""
    last_stage, last_count = None, 0.0
    while True:
        try:
            progress = next(steps)
        except StopIteration as stop:
            return stop.value
        now = time.monotonic()
        if progress.stage != last_stage or now - last_count >= COUNT_EVERY_SECONDS or (
                progress.total and progress.done == progress.total):
            last_stage, last_count = progress.stage, now
            show_progress(progress)


def show_progress(progress) -> None:
    count = f" {progress.done:,}/{progress.total:,}" if progress.total else ""
    print(f"{progress.stage}…{count}", file=sys.stderr, flush=True)


def summary_lines(s) -> list[str]:
    """The summary in plain words, one fact a line."""
    per_genre = ", ".join(f"{g} {n}" for g, n in sorted(s.examples.items(), key=lambda kv: (-kv[1], kv[0].lower())))
    lines = [f"Learned from {_tracks(s.labelled, 'corrected track')} ({per_genre})."]
    if s.cv_accuracy is None:
        lines.append("Too few corrected tracks yet to test your model on tracks it did not learn from.")
    else:
        bundled = "" if s.cv_bundled_accuracy is None else f"; the bundled model alone gets {s.cv_bundled_accuracy:.0%}"
        lines.append(f"On your own labels it gets {s.cv_accuracy:.0%} right ({s.cv_folds}-fold cross-validation{bundled}).")
    if s.new_genres:
        lines.append(f"Genres the bundled model does not know: {', '.join(s.new_genres)}.")
    few = {g: s.min_examples - n for g, n in s.examples.items() if n < s.min_examples}
    if few:
        lines.append("Too few examples to teach and test: " + ", ".join(f"{g} (correct {k} more)" for g, k in few.items()) + ".")
    return lines + _repredict_lines(s)


def _repredict_lines(s) -> list[str]:
    lines = [f"{_tracks(s.changed)} changed genre. Confident tracks: {s.confident_before:,} before, "
             f"{s.confident_after:,} now.",
             f"Your model decides the genre of {_tracks(s.decided_by_personal)}."]
    for genre in sorted(set(s.counts_before) | set(s.counts_after), key=str.lower):
        before, after = s.counts_before.get(genre, 0), s.counts_after.get(genre, 0)
        if before != after:
            lines.append(f"  {genre}: {_tracks(before)} before, {after:,} now")
    if not s.complete:
        lines.append("Stopped while classifying the library again: the other tracks follow at the next scan or learn.")
    return lines


def _tracks(n: int, what: str = "track") -> str:
    return f"{n:,} {what}{'' if n == 1 else 's'}"


def _plain(value: Any) -> Any:
    """numpy numbers in the model's card, as JSON numbers."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _fail(message: str, code: int) -> int:
    print(f"genre-desktop learn: error: {message}", file=sys.stderr)
    return code
