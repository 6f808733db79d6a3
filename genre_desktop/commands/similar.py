"""`genre-desktop similar`: the library's tracks that sound most like one file.

Nearness is the cosine distance between the music tagger's embeddings (the mean over the track's
analysed windows). Exits 0 with the list (possibly empty when the filters leave nothing), 1 when
the file is not in the library or was not analysed with the tagger yet (scan it again), 2 on
usage errors (no library, a value out of range).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from pathlib import Path

from genre_desktop.commands.arg_types import positive_int

EXIT_OK, EXIT_NOT_FOUND, EXIT_USAGE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="PATH", help="a music file in the library")
    parser.add_argument("--db", default=argparse.SUPPRESS, metavar="DB",
                        help="library database (default: the one the app uses)")
    parser.add_argument("--limit", type=positive_int, default=10, metavar="N",
                        help="how many tracks (default 10)")
    parser.add_argument("--same-genre", action="store_true", help="only tracks of the file's genre")
    parser.add_argument("--per-artist", type=positive_int, metavar="K",
                        help="at most K tracks by one artist")
    parser.add_argument("--json", action="store_true",
                        help='print a JSON list of {"path","distance","genre","artist","title"}')


def run(args: argparse.Namespace) -> int:
    from genre_desktop.library.db import LibraryError, connect, path_param, printable
    from genre_desktop.library.repository import LibraryReader
    from genre_desktop.library.sounds_like import NotAnalysedError, SimilarTracks
    from genre_desktop.paths import AppPaths

    db = getattr(args, "db", None)
    db_path = Path(db) if db else AppPaths.default().library_db
    if not db_path.is_file():
        return _fail(f"no library at {db_path}: scan a folder first (genre-desktop scan)", EXIT_USAGE)
    try:
        conn = connect(db_path, readonly=True)
    except LibraryError as exc:
        return _fail(str(exc), EXIT_USAGE)
    try:
        path = os.path.abspath(args.path)
        row = conn.execute("SELECT id FROM tracks WHERE path = CAST(? AS TEXT)",
                           (path_param(path),)).fetchone()
        if row is None:
            return _fail(f"{printable(path)} is not in the library at {db_path}", EXIT_NOT_FOUND)
        tracks = SimilarTracks()
        tracks.sync(conn)
        try:
            found = tracks.similar([row[0]], args.limit, same_genre=args.same_genre,
                                   per_artist=args.per_artist)
        except NotAnalysedError:
            return _fail(f"{printable(path)} has not been analysed with the tagger yet: "
                         f"scan its folder again (genre-desktop scan)", EXIT_NOT_FOUND)
        rows = LibraryReader(conn).rows([n.track_id for n in found])
    except sqlite3.Error as exc:
        return _fail(f"cannot read the library at {db_path}: {exc}", EXIT_USAGE)
    finally:
        conn.close()
    items = [{"path": rows[n.track_id].path, "distance": round(n.distance, 6),
              "genre": rows[n.track_id].genre, "artist": rows[n.track_id].artist,
              "title": rows[n.track_id].title} for n in found]
    if args.json:
        print(json.dumps(items))
    else:
        for item in items:
            print(f"{item['distance']:.3f}  {item['genre'] or '-':<12} {printable(item['path'])}")
    return EXIT_OK


def _fail(message: str, code: int) -> int:
    print(f"genre-desktop similar: error: {message}", file=sys.stderr)
    return code
