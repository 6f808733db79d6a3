"""`genre-desktop tracks [--genre G] [--uncertain] [--tag T]`: the library's tracks as the window
shows them (present files only), in path order.

Each track: its path, title and artist, the genre shown, its confidence (null for your own
correction), where the genre comes from ("source": you, model, personal model or file tag), which
model made the track's prediction ("decided_by": model or personal model; null before the track
was classified) and whether it is uncertain (below the library's threshold, as the window's
Uncertain). --genre matches the shown genre ignoring case and spelling ('Hip Hop' is hiphop),
--tag the Sounds-like tags the track shows (repeat: all of them).

Exit status: 0 with the list (empty when nothing matches), 2 for bad arguments (a tag that is not
a Sounds-like tag) or when the library cannot be used.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from typing import Any

from genre_desktop.commands.library_arg import add_db_argument, library_path

EXIT_OK, EXIT_USAGE = 0, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_db_argument(parser)
    parser.add_argument("--genre", metavar="G", help="only tracks shown with this genre (any case or spelling)")
    parser.add_argument("--uncertain", action="store_true",
                        help="only tracks whose genre is uncertain (below the library's threshold)")
    parser.add_argument("--tag", action="append", default=[], metavar="T",
                        help="only tracks showing this Sounds-like tag, e.g. mellow (repeat: all of them)")
    parser.add_argument("--json", action="store_true",
                        help='print [{"path","title","artist","genre","confidence","source","decided_by","uncertain"}]')


def run(args: argparse.Namespace) -> int:
    from genre_desktop.core.sounds_like.tags import find_tag, search_key
    from genre_desktop.library.db import LibraryError, connect

    unknown = [t for t in args.tag if find_tag(t) is None]
    if unknown:
        return _fail(f"{unknown[0]!r} is not a Sounds-like tag")
    search = " ".join(f"tag:{search_key(find_tag(t))}" for t in args.tag)
    try:
        db = library_path(args)
        conn = connect(db, readonly=True)
        try:
            items, genres = _tracks(conn, args.genre, args.uncertain, search)
        finally:
            conn.close()
    except (LibraryError, sqlite3.Error) as exc:
        return _fail(str(exc))
    if args.genre and not items and args.genre.strip().casefold() not in {g.casefold() for g in genres}:
        print(f"genre-desktop tracks: no track is shown as {args.genre.strip()!r}; the library's genres: "
              f"{', '.join(genres) or 'none yet'}", file=sys.stderr)
    if args.json:
        print(json.dumps(items))
    else:
        _print_table(items)
    return EXIT_OK


def _tracks(conn: sqlite3.Connection, genre: str | None, uncertain: bool,
            search: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The matching tracks' items, and the genres the library shows."""
    from genre_desktop.library.repository import UNCERTAIN, LibraryReader, canonical_genre

    reader = LibraryReader(conn)  # the library's own uncertainty threshold, as the window's
    genres = sorted((g for g in reader.genre_counts() if g != UNCERTAIN), key=str.casefold)
    wanted = None if genre is None else (canonical_genre(genre, genres) or genre)
    ids = reader.track_ids(genre=wanted, uncertain_only=uncertain, search=search)
    rows = reader.rows(ids)
    decided = dict(conn.execute("SELECT track_id, decided_by FROM predictions "
                                "WHERE track_id IN (SELECT value FROM json_each(?))", (json.dumps(ids),)).fetchall())
    items = [{"path": r.path, "title": r.title, "artist": r.artist, "genre": r.genre, "confidence": r.confidence,
              "source": r.genre_source, "decided_by": decided.get(r.id), "uncertain": r.uncertain}
             for r in rows.values()]
    return sorted(items, key=lambda item: item["path"]), genres


def _print_table(items: list[dict[str, Any]]) -> None:
    from genre_desktop.library.db import printable

    for item in items:
        confidence = "" if item["confidence"] is None else f"{item['confidence']:.2f}"
        genre = (item["genre"] or "-") + ("?" if item["uncertain"] else "")
        print(f"{genre:<16} {confidence:>4}  {item['source'] or '-':<14} {printable(item['path'])}")
    if any(item["uncertain"] for item in items):
        print("? = uncertain: confidence below the library's threshold")


def _fail(message: str) -> int:
    print(f"genre-desktop tracks: error: {message}", file=sys.stderr)
    return EXIT_USAGE
