"""`genre-desktop undo-tags`: undo the last `write-tags` (or the app's "Write genres to files").

Every file the last batch wrote gets its old bytes back, atomically, as long as it still is
exactly what was written; a file changed since then is left as it is and listed with the
reason. Running it again undoes the batch before that one.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys

from genre_desktop.commands.write_tags import UsageError, check_db, display_path, reason_json
from genre_desktop.core.cancel import drain

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_CODES = (
    "Exit status: 0 when every file of the batch was restored (or there was nothing to undo), "
    "1 when some files could not be restored (listed with the reason), 2 for bad arguments or "
    "a library that cannot be used, 130 when interrupted (run it again to finish)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EXIT_CODES
    parser.add_argument("--db", default=argparse.SUPPRESS, metavar="PATH",
                        help="library database (default: the one the app uses)")
    parser.add_argument("--json", action="store_true",
                        help='print {"batch_id","restored","failed"}')


def run(args: argparse.Namespace) -> int:
    from genre_desktop.core.cancel import CancelToken
    from genre_desktop.library.db import LibraryError
    from genre_desktop.library.tag_batch import undo_last_batch
    from genre_desktop.library.writer import LibraryWriter
    from genre_desktop.log import setup_logging
    from genre_desktop.paths import AppPaths

    paths = AppPaths.default()
    setup_logging(paths.logs)
    cancel = CancelToken()
    try:
        db_path = check_db(getattr(args, "db", None) or paths.library_db)
        previous = signal.signal(signal.SIGINT, lambda *_: cancel.cancel())
        try:
            with LibraryWriter(db_path) as writer:
                result = drain(undo_last_batch(writer, cancel))
        finally:
            signal.signal(signal.SIGINT, previous)
    except (UsageError, LibraryError) as exc:
        print(f"genre-desktop undo-tags: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    summary = {
        "batch_id": result.batch_id, "restored": [display_path(p) for p in result.written],
        "failed": [reason_json(p, r) for p, r in result.failed], "cancelled": result.cancelled,
    }
    if args.json:
        print(json.dumps(summary))
    elif result.batch_id is None:
        print("Nothing to undo: no genre tags written by Genre Desktop are left.")
    else:
        print(f"Restored {len(result.written)} files of tag write {result.batch_id}; "
              f"{len(result.failed)} could not be restored.")
        for path, reason in result.failed:
            print(f"  ! {display_path(path)}: {reason}")
    if result.cancelled:
        return EXIT_INTERRUPTED
    return EXIT_SOME_FAILED if result.failed else EXIT_OK
