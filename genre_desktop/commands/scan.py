"""`genre-desktop scan DIR...`: add music folders to the library, or bring it up to date.

Only new and changed files are analysed; unchanged ones (including files that failed before)
are skipped, moved files are recognised, vanished ones marked missing. Ctrl-C stops cleanly:
what was analysed so far stays in the library and the next scan carries on from there.

Exit status: 0 when the scan ran to the end (even if some files could not be analysed: they
are listed), 1 when the library cannot be used, 2 for bad arguments, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import time

from genre_desktop.commands.arg_types import positive_int

log = logging.getLogger(__name__)

EXIT_OK, EXIT_LIBRARY, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
TTY_REFRESH_SECONDS = 0.1
LOG_REFRESH_SECONDS = 5.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folders", nargs="+", metavar="DIR", help="music folder(s) to scan")
    # SUPPRESS: `genre-desktop --db X scan ...` (the global flag) must not be reset to None.
    parser.add_argument("--db", default=argparse.SUPPRESS, metavar="PATH",
                        help="library database (default: the one the app uses)")
    parser.add_argument("--jobs", type=positive_int, default=None, metavar="N",
                        help="worker processes (default: one per CPU core)")
    parser.add_argument("--windows", type=positive_int, default=3, metavar="K",
                        help="30-second stretches analysed per track (default: 3)")
    parser.add_argument("--no-model", action="store_true",
                        help="store features only; tracks get a genre on a later scan with the model")
    parser.add_argument("--json", action="store_true",
                        help='print {"scanned","added","updated","unchanged","missing","failed","seconds"}')




def run(args: argparse.Namespace) -> int:
    from genre_desktop.library.db import LibraryError
    from genre_desktop.log import setup_logging
    from genre_desktop.paths import AppPaths

    paths = AppPaths.default()
    setup_logging(paths.logs)
    for folder in args.folders:
        if not os.path.isdir(folder):
            what = "does not exist" if not os.path.exists(folder) else "is not a folder"
            print(f"genre-desktop scan: {folder} {what}", file=sys.stderr)
            return EXIT_USAGE
    db_path = getattr(args, "db", None) or paths.library_db
    try:
        report = _scan(args, db_path)
    except LibraryError as exc:
        print(f"genre-desktop scan: {exc}", file=sys.stderr)
        return EXIT_LIBRARY
    except KeyboardInterrupt:
        print("\ngenre-desktop scan: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    if args.json:
        print(json.dumps(report.as_json()))
    else:
        _print_summary(report)
    return EXIT_INTERRUPTED if report.cancelled else EXIT_OK


def _scan(args: argparse.Namespace, db_path):
    from genre_desktop.core.cancel import CancelToken
    from genre_desktop.core.settings import Settings
    from genre_desktop.library.scanner import scan
    from genre_desktop.library.writer import LibraryWriter
    from genre_desktop.paths import AppPaths

    cancel = CancelToken()
    # The same models as the window: otherwise a rescan would take the personal model's answers away.
    paths = AppPaths.default()
    personal_dir = paths.personal_model_dir if Settings.load(paths.settings_file).use_personal_model else None

    def on_interrupt(signum, frame):  # first Ctrl-C: stop cleanly; second: the default
        cancel.cancel()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    previous = signal.signal(signal.SIGINT, on_interrupt)
    progress_line = _ProgressLine(enabled=not args.json)
    try:
        with LibraryWriter(db_path) as writer:
            generator = scan(args.folders, writer=writer, jobs=args.jobs, windows_per_track=args.windows,
                             cancel=cancel, use_model=not args.no_model, personal_dir=personal_dir)
            while True:
                try:
                    progress_line.show(next(generator))
                except StopIteration as stop:
                    return stop.value
    finally:
        progress_line.clear()
        signal.signal(signal.SIGINT, previous)


class _ProgressLine:
    """One self-updating line on a terminal; an occasional plain line when stderr is a file."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self.last = 0.0
        self.width = 0

    def show(self, p) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.last < (TTY_REFRESH_SECONDS if self.tty else LOG_REFRESH_SECONDS):
            return
        self.last = now
        from genre_desktop.library.db import printable

        if p.phase == "finding":
            text = f"Looking for music… {p.done} files found"
        else:
            verb = "Classifying" if p.phase == "classifying" else "Analysing"
            eta = "" if p.eta_seconds is None else f", about {_duration(p.eta_seconds)} left"
            name = os.path.basename(printable(p.current)) if p.current else ""
            text = f"{verb} {p.done}/{p.total}{eta}  {name}"
        if self.tty:
            text = text[:119]
            sys.stderr.write("\r" + text.ljust(self.width))
            self.width = len(text)
        else:
            sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def clear(self) -> None:
        if self.enabled and self.tty and self.width:
            sys.stderr.write("\r" + " " * self.width + "\r")
            sys.stderr.flush()


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"{seconds} s"


def _print_summary(report) -> None:
    from genre_desktop.library.db import printable

    state = "Scan stopped early" if report.cancelled else "Scan finished"
    print(f"{state} in {report.seconds:.1f} s: {report.scanned} audio files found.")
    print(f"  {report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
          f"{report.missing} missing, {len(report.failed)} could not be analysed.")
    if report.predicted:
        print(f"  {report.predicted} tracks classified with the current model.")
    for alias, target in report.aliases:
        print(f"  = {printable(alias)}: another name of {printable(target)} (one track)")
    for path, reason in report.failed:
        print(f"  ! {printable(path)}: {reason}")
