"""`genre-desktop playlist`: build a genre playlist from the library and export it.

The playlist is written as M3U8 or XSPF (by the --out extension) and, unless --no-save, also
saved in the library under --name (default: the file's name), so the app lists it; saving
again under the same name replaces that playlist.

When no track matches, nothing is written or saved and the command exits with status 1 and
says which genres the library does have: an empty playlist file is almost always a typo in
--genre or a --min-confidence set too high, and a script should notice. Usage errors (a bad
extension, a missing library, a value out of range) exit with status 2; a playlist written
but not saved in the library (e.g. the library is locked) exits with status 3.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from genre_desktop.commands.arg_types import confidence, positive_float, positive_int

if TYPE_CHECKING:
    from genre_desktop.core.playlists import PlaylistCandidate, PlaylistRules

log = logging.getLogger(__name__)

EXIT_OK, EXIT_NO_TRACKS, EXIT_USAGE, EXIT_NOT_SAVED = 0, 1, 2, 3


class UsageError(Exception):
    """Bad input from the user; str(e) says what to change."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: `genre-desktop --db X playlist ...` (the global flag) must not be reset to None.
    parser.add_argument(
        "--db", default=argparse.SUPPRESS, metavar="PATH",
        help="library database (default: the one the app uses)",
    )
    parser.add_argument(
        "--genre", action="append", required=True, metavar="G",
        help="genre to include (repeat for several); matches your own genres too, ignoring case",
    )
    parser.add_argument(
        "--min-confidence", type=confidence, default=0.0, metavar="P",
        help="skip tracks the model is less sure of (0-1, or a percentage like 70%%); "
        "tracks whose genre you set yourself always pass",
    )
    parser.add_argument(
        "--tag", action="append", default=[], metavar="T",
        help="only tracks that sound like this Sounds-like tag, e.g. mellow, 80s; instrumental for no "
        "vocals (repeat: all of them)",
    )
    parser.add_argument(
        "--without-tag", action="append", default=[], metavar="T",
        help="leave out tracks showing this tag, e.g. female-vocalists (repeat for several)",
    )
    parser.add_argument("--max-tracks", type=positive_int, metavar="N")
    parser.add_argument("--max-minutes", type=positive_float, metavar="M")
    parser.add_argument(
        "--per-artist", type=positive_int, metavar="K", help="at most K tracks by one artist"
    )
    parser.add_argument(
        "--order", choices=("confidence", "shuffle", "smooth"), default="confidence",
        help="confidence: most typical first; shuffle: random (see --seed); "
        "smooth: each track sounds close to the one before",
    )
    parser.add_argument("--seed", type=int, help="makes --order shuffle repeatable")
    parser.add_argument("--name", help="playlist name (default: the output file's name)")
    parser.add_argument("--no-save", action="store_true", help="do not save it in the library")
    parser.add_argument("--json", action="store_true", help='print {"path","tracks","minutes"}')
    parser.add_argument(
        "--out", required=True, metavar="FILE", help="where to write: FILE.m3u8, FILE.m3u or FILE.xspf"
    )


def run(args: argparse.Namespace) -> int:
    from genre_desktop.core.playlists import PlaylistRules, build_playlist, export_playlist
    from genre_desktop.library.db import LibraryError, printable

    try:
        out = _check_output(Path(args.out))
        db_path = _check_db(getattr(args, "db", None))
        rules = PlaylistRules(
            genres=list(args.genre), min_confidence=args.min_confidence,
            max_tracks=args.max_tracks, max_minutes=args.max_minutes, order=args.order,
            per_artist=args.per_artist, seed=args.seed, tags=args.tag, without_tags=args.without_tag,
        )
        if not rules.genres:
            raise UsageError("--genre needs a genre name")
        name = printable((args.name or out.stem).strip() or out.stem)  # SQLite needs valid text
        candidates, rules, genres_available = _read_candidates(db_path, rules)
    except (UsageError, ValueError) as exc:  # ValueError: a rule PlaylistRules rejects (a tag)
        print(f"genre-desktop playlist: error: {exc}", file=sys.stderr)
        return EXIT_USAGE

    tracks = build_playlist(candidates, rules)
    if not tracks:
        print(_nothing_matched(rules, candidates, genres_available), file=sys.stderr)
        return EXIT_NO_TRACKS

    try:
        export_playlist(out, tracks, name)
    except OSError as exc:
        print(f"genre-desktop playlist: error: cannot write {printable(str(out))}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    playlist_id = None
    if not args.no_save:
        try:
            playlist_id = _save(db_path, name, rules, tracks)
        except (LibraryError, sqlite3.Error) as exc:
            print(f"genre-desktop playlist: error: wrote {printable(str(out))} but could not save "
                  f"it in the library: {exc}", file=sys.stderr)
            return EXIT_NOT_SAVED
    minutes = round(sum(t.duration or 0.0 for t in tracks) / 60.0, 2)
    log.info("Playlist %r: %d tracks, %.1f min -> %s", name, len(tracks), minutes, out)
    if args.json:
        summary = {"path": str(out), "tracks": len(tracks), "minutes": minutes, "playlist_id": playlist_id}
        print(json.dumps(summary))
    else:
        saved = "" if playlist_id is None else f"; saved in the library as {name!r}"
        print(f"Wrote {len(tracks)} tracks ({minutes:.1f} min) to {printable(str(out))}{saved}")
    return EXIT_OK


def _check_output(out: Path) -> Path:
    from genre_desktop.core.playlists import SUPPORTED_EXTENSIONS

    if out.suffix.lower() not in SUPPORTED_EXTENSIONS:
        raise UsageError(
            f"cannot tell the playlist format from {out.name!r}: "
            f"end --out with {', '.join(SUPPORTED_EXTENSIONS)}"
        )
    out = Path(os.path.abspath(out))
    if not out.parent.is_dir():
        raise UsageError(f"the folder {out.parent} does not exist")
    return out


def _check_db(db: str | None) -> Path:
    from genre_desktop.paths import AppPaths

    db_path = Path(db) if db else AppPaths.default().library_db
    if not db_path.is_file():
        raise UsageError(f"no library at {db_path}: scan a folder first (genre-desktop scan)")
    return db_path


def _read_candidates(
    db_path: Path, rules: "PlaylistRules"
) -> tuple[list["PlaylistCandidate"], "PlaylistRules", list[str]]:
    """Matching candidates, the rules with genres spelled as the library spells them, and the
    library's genres (for the message when nothing matches)."""
    from dataclasses import replace

    from genre_desktop.library.db import LibraryError, connect
    from genre_desktop.library.repository import UNCERTAIN, LibraryReader, canonical_genre

    try:
        conn = connect(db_path, readonly=True)
    except LibraryError as exc:
        raise UsageError(str(exc)) from exc
    try:
        reader = LibraryReader(conn)  # the library's own uncertainty threshold
        genres = sorted(g for g in reader.genre_counts() if g != UNCERTAIN)
        # 'LATE NIGHT CAFÉ' or 'hip hop' finds 'Late Night Café' or 'hiphop' (SQL only folds ASCII).
        rules = replace(rules, genres=[canonical_genre(g, genres) or g for g in rules.genres])
        candidates = reader.playlist_candidates(rules.genres, rules.min_confidence)
    except sqlite3.Error as exc:
        raise UsageError(f"cannot read the library at {db_path}: {exc}") from exc
    finally:
        conn.close()
    return candidates, rules, genres


def _save(
    db_path: Path, name: str, rules: "PlaylistRules", tracks: Sequence["PlaylistCandidate"]
) -> int:
    from genre_desktop.library.repository import save_playlist
    from genre_desktop.library.writer import LibraryWriter

    ids = [t.track_id for t in tracks]
    with LibraryWriter(db_path) as writer:
        return writer.call(lambda conn: save_playlist(conn, name, rules.to_dict(), ids))


def _nothing_matched(
    rules: "PlaylistRules", candidates: Sequence["PlaylistCandidate"], genres_available: list[str]
) -> str:
    if candidates and rules.max_minutes is not None:
        lengths = [c.duration for c in candidates if c.duration]
        shortest = f" (the shortest matching track is {min(lengths) / 60:.1f} min)" if lengths else ""
        return f"No matching track fits in --max-minutes {rules.max_minutes:g}{shortest}; nothing was written."
    message = f"No tracks matched genre {', '.join(rules.genres)}"
    if rules.min_confidence > 0:
        message += f" with confidence of at least {rules.min_confidence:.0%}"
    if rules.tags or rules.without_tags:
        message += f" and the tag rules ({_tag_rules_text(rules)})"
    message += "; nothing was written."
    if genres_available:
        message += f" Genres in the library: {', '.join(genres_available)}."
    else:
        message += " The library has no analysed tracks yet."
    return message


def _tag_rules_text(rules: "PlaylistRules") -> str:
    return ", ".join([*rules.tags, *(f"no {t}" for t in rules.without_tags)])
