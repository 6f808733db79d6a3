"""`genre-desktop write-tags`: write the library's genres into the music files' tags.

By default your corrections and the model's confident genres (at least the library's
uncertainty threshold) are written into files that have no genre tag yet. Each file is
replaced atomically, only after its new version was checked (the genre reads back, every other
tag and the audio itself are unchanged), and the old bytes are kept in the library's journal:
`genre-desktop undo-tags` puts them back exactly. With --with-sound-tags the same files also
get the track's shown Sounds-like mood and style tags (at most three each).
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from pathlib import Path

from genre_desktop.commands.arg_types import confidence
from genre_desktop.core.cancel import drain

log = logging.getLogger(__name__)

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_CODES = (
    "Exit status: 0 when every planned file was written (or there was nothing to write), "
    "1 when some files could not be written (they are listed with the reason and were left as "
    "they were), 2 for bad arguments or a library that cannot be used, 130 when interrupted "
    "(the files written so far stay written and can be undone)."
)


class UsageError(Exception):
    """Bad input from the user; str(e) says what to change."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EXIT_CODES
    # SUPPRESS: `genre-desktop --db X write-tags ...` (the global flag) must not be reset to None.
    parser.add_argument("--db", default=argparse.SUPPRESS, metavar="PATH",
                        help="library database (default: the one the app uses)")
    parser.add_argument("--only-corrections", action="store_true",
                        help="write only the genres you set yourself, not the model's")
    parser.add_argument("--min-confidence", type=confidence, default=None, metavar="P",
                        help="write the model's genre only when it is at least this sure (0-1 or "
                        "a percentage; default: the library's uncertainty threshold)")
    parser.add_argument("--replace", action="store_true",
                        help="also replace genre tags the files already have")
    parser.add_argument("--id3v23", action="store_true",
                        help="save MP3 tags as ID3v2.3 (for older players) instead of ID3v2.4")
    parser.add_argument("--separator", metavar="S", default=None,
                        help='join several genres into one value with S (e.g. "; ") for players '
                        "that read only one; default: the format's own multi-value form")
    parser.add_argument("--with-sound-tags", action="store_true",
                        help="also write the shown Sounds-like mood and style tags (ID3 TMOO and "
                        "TXXX:STYLE, MOOD and STYLE comments, iTunes MOOD and STYLE atoms)")
    parser.add_argument("--dry-run", action="store_true",
                        help="only list what would change; no file or library is modified")
    parser.add_argument("--json", action="store_true",
                        help='print {"batch_id","planned","written","failed","skipped","unchanged"}')


def run(args: argparse.Namespace) -> int:
    from genre_desktop.library.db import LibraryError
    from genre_desktop.library.tag_batch import WriteOptions
    from genre_desktop.log import setup_logging
    from genre_desktop.paths import AppPaths

    paths = AppPaths.default()
    setup_logging(paths.logs)
    try:
        db_path = check_db(getattr(args, "db", None) or paths.library_db)
        options = WriteOptions(
            only_corrections=args.only_corrections, min_confidence=args.min_confidence,
            replace_existing=args.replace, id3_version=3 if args.id3v23 else 4,
            separator=args.separator, sound_tags=args.with_sound_tags,
        )
    except (UsageError, ValueError) as exc:
        print(f"genre-desktop write-tags: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        summary = _write(db_path, options, args.dry_run)
    except LibraryError as exc:
        print(f"genre-desktop write-tags: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps(summary))
    else:
        _print_summary(summary, options.sound_tags)
    if summary["cancelled"]:
        return EXIT_INTERRUPTED
    return EXIT_SOME_FAILED if summary["failed"] else EXIT_OK


def check_db(db: str | Path) -> Path:
    db_path = Path(db)
    if not db_path.is_file():
        raise UsageError(f"no library at {db_path}: scan a folder first (genre-desktop scan)")
    return db_path


def _write(db_path: Path, options, dry_run: bool) -> dict:
    from genre_desktop.core.cancel import CancelToken
    from genre_desktop.library.db import connect
    from genre_desktop.library.sounds_like import refresh_sound_tags
    from genre_desktop.library.tag_batch import plan, write_changes
    from genre_desktop.library.writer import LibraryWriter

    with LibraryWriter(db_path) as writer:  # brings an older library up to date first
        if options.sound_tags:  # made with the display thresholds of today, as the app shows them
            writer.call(refresh_sound_tags)
        conn = connect(db_path, readonly=True)
        try:
            report = plan(conn, options)
        finally:
            conn.close()
        summary = {
            "batch_id": None, "dry_run": dry_run,
            "planned": [_change_json(c, options.sound_tags) for c in report.changes], "written": [], "failed": [],
            "skipped": [reason_json(p, r) for p, r in report.skipped],
            "unchanged": report.unchanged, "cancelled": False,
        }
        if dry_run or not report.changes:
            return summary
        cancel = CancelToken()
        previous = signal.signal(signal.SIGINT, lambda *_: cancel.cancel())
        try:
            result = drain(write_changes(writer, report.changes, options, cancel))
        finally:
            signal.signal(signal.SIGINT, previous)
    summary.update(
        batch_id=result.batch_id, written=[display_path(p) for p in result.written],
        failed=[reason_json(p, r) for p, r in result.failed], cancelled=result.cancelled,
    )
    summary["skipped"] += [reason_json(p, r) for p, r in result.skipped]
    return summary



def display_path(path: str) -> str:
    from genre_desktop.library.db import printable

    return printable(path)


def _change_json(change, sound_tags: bool) -> dict:
    """With sound tags also: whether the genre is written (False: the file already says it), and
    the mood and style values written ([]: the field is left as it is)."""
    planned = {"track_id": change.track_id, "path": display_path(change.path), "current": change.current,
               "new": change.new, "source": change.source, "confidence": change.confidence}
    if sound_tags:
        planned.update(writes_genre=change.writes_genre, moods=list(change.moods), styles=list(change.styles))
    return planned


def reason_json(path: str, reason: str) -> dict:
    return {"path": display_path(path), "reason": reason}


def _planned_text(change: dict) -> str:
    """'(no genre) -> jazz; mood Chill, Mellow; style Jazz' (the sound fields only when written)."""
    if change.get("writes_genre", True):
        parts = [f"{change['current'] or '(no genre)'} -> {change['new']}"]
    else:
        parts = [f"{change['new']} (as it is)"]
    parts += [f"{name} {', '.join(change[key])}" for name, key in (("mood", "moods"), ("style", "styles"))
              if change.get(key)]
    return "; ".join(parts)


def _print_summary(summary: dict, sound_tags: bool) -> None:
    planned = len(summary["planned"])
    if summary["dry_run"]:
        what = "tags" if sound_tags else "genre"
        print(f"Would write the {what} of {planned} files (dry run: nothing was changed).")
        for change in summary["planned"]:
            print(f"  {change['path']}: {_planned_text(change)}")
    else:
        state = "Stopped early" if summary["cancelled"] else "Done"
        print(f"{state}: {len(summary['written'])} of {planned} files written, "
              f"{len(summary['failed'])} could not be written.")
        if summary["batch_id"] is not None and summary["written"]:
            print("  genre-desktop undo-tags puts their old tags back.")
    for item in summary["failed"]:
        print(f"  ! {item['path']}: {item['reason']}")
    if summary["skipped"]:
        print(f"  {len(summary['skipped'])} skipped:")
        for item in summary["skipped"]:
            print(f"    {item['path']}: {item['reason']}")
    if summary["unchanged"]:
        print(f"  {summary['unchanged']} already had their genre.")
