"""`genre-desktop label --genre G PATH...` (or `--clear PATH...`): set or clear your correction.

The same write as the window's Set genre (library.writes.set_labels): it joins the label
history, a typed genre is spelled as the library already spells it ('lo fi' -> 'Lo-Fi', 'Hip Hop'
-> 'hiphop'), and "Learn from my corrections" (genre-desktop learn) learns from it. A path that is
not a track of the library gets an error of its own; the other paths are labelled all the same.

Exit status: 0 when every path was labelled (or cleared), 1 when some were not (see their
"error"), 2 for bad arguments or when the library cannot be used.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from typing import Any

from genre_desktop.commands.library_arg import add_db_argument, library_path

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="music file(s) in the library")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--genre", metavar="G", help="the genre: one of the model's or any name of your own")
    what.add_argument("--clear", action="store_true", help="clear your correction: the model decides again")
    add_db_argument(parser)
    parser.add_argument("--json", action="store_true",
                        help='print [{"path","genre","previous","error"}] (genre: as stored; null: none)')


def run(args: argparse.Namespace) -> int:
    from genre_desktop.core.genre_vocabulary import tidy
    from genre_desktop.library.db import LibraryError, connect
    from genre_desktop.library.writer import LibraryWriter
    from genre_desktop.library.writes import current_labels, set_labels

    genre = None if args.clear else tidy(args.genre)
    if not args.clear and genre is None:
        return _fail("--genre needs a genre name (use --clear to clear a correction)")
    try:
        db = library_path(args)
        conn = connect(db, readonly=True)
        try:
            found = {path: _track_id(conn, path) for path in dict.fromkeys(map(os.path.abspath, args.paths))}
        finally:
            conn.close()
        ids = sorted({tid for tid in found.values() if tid is not None})

        def write(c: sqlite3.Connection) -> tuple[dict[int, str | None], dict[int, str | None]]:
            previous = set_labels(c, ids, genre)
            return previous, current_labels(c, ids)

        with LibraryWriter(db) as writer:
            previous, now = writer.call(write) if ids else ({}, {})
    except (LibraryError, sqlite3.Error) as exc:
        return _fail(str(exc))
    results = [_result(path, tid, previous, now, db) for path, tid in found.items()]
    if args.json:
        print(json.dumps(results))
    else:
        _print_results(results)
    return EXIT_SOME_FAILED if any(r["error"] for r in results) else EXIT_OK


def _track_id(conn: sqlite3.Connection, path: str) -> int | None:
    """The track a path names: its own row, or the track it is another name of (a link)."""
    from genre_desktop.library.db import path_param

    row = conn.execute("""SELECT id FROM tracks WHERE path = CAST(:p AS TEXT)
                          UNION ALL SELECT t.id FROM aliases AS a JOIN tracks AS t ON t.path = a.target
                          WHERE a.path = CAST(:p AS TEXT)""", {"p": path_param(path)}).fetchone()
    return None if row is None else int(row[0])


def _result(path: str, track_id: int | None, previous: dict, now: dict, db) -> dict[str, Any]:
    if track_id is None:
        why = "no such file" if not os.path.lexists(path) else f"not in the library at {db}: scan its folder first"
        return {"path": path, "genre": None, "previous": None, "error": why}
    return {"path": path, "genre": now[track_id], "previous": previous[track_id], "error": None}


def _print_results(results: list[dict[str, Any]]) -> None:
    from genre_desktop.library.db import printable

    for r in results:
        if r["error"]:
            print(f"! {printable(r['path'])}: {r['error']}")
        else:
            print(f"{r['genre'] or '(cleared)'}  {printable(r['path'])}")


def _fail(message: str) -> int:
    print(f"genre-desktop label: error: {message}", file=sys.stderr)
    return EXIT_USAGE
