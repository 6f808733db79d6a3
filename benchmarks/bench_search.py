"""Search speed of the library view at 100,000 tracks: the search from memory (TrackSearch), the
full-text index it replaced as the view's search (LibraryReader's SQL) and the LIKE scan before
that, side by side in one run on the same SQLite file.

    python benchmarks/bench_search.py [--tracks 100000] [--repeat 5] [--json]

The library is the synthetic one the scale tests use (tests/library/conftest.py): titles, artists,
albums, paths and genres in SQL, no audio, plus Sounds-like tags (chill on every third track,
female vocalists on every fiftieth). Each query is timed through TrackSearch.track_ids with its
texts loaded (what the view calls on a worker thread while the user types), through
LibraryReader.track_ids (what it calls otherwise, and called for every search before) and as the
LIKE '%term%' clauses of the first search (the SQL kept below). All must return the same ids in
the same order. Reported: the median of --repeat runs in ms, the ratio of the index to memory,
and the load: what TrackSearch.warm reads when the user starts typing after starting the app or
after any change to the library (the texts and the view's order; a new TrackSearch each run).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# (search text, sort key): typed words, rare and common, short and long, with a sort each.
QUERIES = (
    ("e", "title"),
    ("ti", "artist"),
    ("42", "title"),
    (".mp3", "title"),
    ("music", "title"),
    ("album 7", "album"),
    ("artist 42", "artist"),
    ("Title 12345", "title"),
    ("track0999", "title"),
    ("jazz", "genre"),
    ("rock Artist 9", "confidence"),
    ("tag:chill", "title"),
    ("tag:female-vocalists blues", "artist"),
    ("zzz-not-there", "title"),
)


def build_library(path: Path, tracks: int) -> None:
    """The synthetic library with Sounds-like tags, stamped as made with today's thresholds (so
    the app keeps them rather than redo them from the windows, which have no embeddings)."""
    from genre_desktop.core.sounds_like.tag_thresholds import THRESHOLDS
    from genre_desktop.core.sounds_like.tags import thresholds_version
    from genre_desktop.library.sounds_like import META_SOUND_TAGS
    from genre_desktop.library.writer import LibraryWriter
    from genre_desktop.library.writes import set_meta, set_model_info
    from tests.library.conftest import GENRES, insert_synthetic

    rng = random.Random(3)
    tags = [(i, "chill", 0.6, rng.random()) for i in range(3, tracks + 1, 3)]
    tags += [(i, "female-vocalists", 0.7, rng.random()) for i in range(50, tracks + 1, 50)]
    with LibraryWriter(path) as writer:
        writer.call(lambda c: insert_synthetic(c, tracks, seed=1))
        writer.call(lambda c: set_model_info(c, "m1", GENRES, 0.5))
        writer.call(lambda c: c.executemany(
            "INSERT INTO sound_tags(track_id, tag, probability, strength) VALUES (?, ?, ?, ?)", tags))
        writer.call(lambda c: set_meta(c, META_SOUND_TAGS, thresholds_version(THRESHOLDS)))


def like_track_ids(conn, search: str, sort: str) -> list[int]:
    """The search as it was before the index: every word a LIKE over five columns."""
    from genre_desktop.library.repository import SORT_KEYS, _like_pattern

    params: dict[str, object] = {}
    clauses = ["status = 'ok'"]
    for n, term in enumerate(search.split()):
        params[f"s{n}"] = _like_pattern(term)
        clauses.append(" OR ".join(f"{c} LIKE :s{n} ESCAPE '\\'"
                                   for c in ("title", "artist", "album", "genre", "path")).join("()"))
    order = ", ".join(f"{t} ASC" for t in (*SORT_KEYS[sort], "id"))
    sql = f"SELECT id FROM tracks WHERE {' AND '.join(clauses)} ORDER BY {order}"
    return [r[0] for r in conn.execute(sql, params)]


def _median_ms(fn, repeat: int) -> tuple[float, list[int]]:
    times, result = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def run(tracks: int, repeat: int) -> dict:
    from genre_desktop.library.db import connect
    from genre_desktop.library.repository import LibraryReader
    from genre_desktop.library.track_search import TrackSearch

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "library.sqlite3"
        build_library(path, tracks)
        conn = connect(path, readonly=True)
        memory = TrackSearch(path)
        load_before = os.getloadavg()
        try:
            reader = LibraryReader(conn)
            memory.warm(sort="title")
            sort_ms, _ = _median_ms(lambda: reader.track_ids(sort="title"), repeat)
            shown_ms, _ = _median_ms(lambda: memory.track_ids(sort="title"), repeat)
            results = [{"query": "(no search)", "sort": "title", "memory_ms": shown_ms, "index_ms": sort_ms,
                        "like_ms": sort_ms, "load_ms": float("nan"), "matches": tracks}]
            for search, sort in QUERIES:
                memory.warm(sort=sort)
                new_ms, new_ids = _median_ms(lambda: memory.track_ids(search=search, sort=sort), repeat)
                index_ms, index_ids = _median_ms(lambda: reader.track_ids(search=search, sort=sort), repeat)
                like_ms, like_ids = (_median_ms(lambda: like_track_ids(conn, search, sort), repeat)
                                     if "tag:" not in search else (float("nan"), index_ids))
                load_ms, _ = _median_ms(lambda: _load(path, sort), repeat)
                if not new_ids == index_ids == like_ids:
                    raise AssertionError(f"{search!r}: memory found {len(new_ids)} ids, the index "
                                         f"{len(index_ids)}, LIKE {len(like_ids)}")
                results.append({"query": search, "sort": sort, "memory_ms": new_ms, "index_ms": index_ms,
                                "like_ms": like_ms, "load_ms": load_ms, "matches": len(new_ids)})
            load_after = os.getloadavg()
        finally:
            memory.close()
            conn.close()
    return {"tracks": tracks, "repeat": repeat, "load_before": load_before, "load_after": load_after,
            "results": results}


def _load(path: Path, sort: str) -> None:
    from genre_desktop.library.track_search import TrackSearch

    memory = TrackSearch(path)
    try:
        memory.warm(sort=sort)
    finally:
        memory.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.tracks, args.repeat)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{args.tracks:,} tracks, median of {args.repeat} runs, load average "
          f"{result['load_before'][0]:.1f} before, {result['load_after'][0]:.1f} after (1 min)")
    print(f"{'search':<26} {'sort':<11} {'matches':>8} {'LIKE ms':>8} {'index ms':>9} {'memory ms':>10} "
          f"{'index/memory':>12} {'load ms':>8}")
    for r in result["results"]:
        print(f"{r['query']:<26} {r['sort']:<11} {r['matches']:>8,} {r['like_ms']:>8.1f} {r['index_ms']:>9.1f} "
              f"{r['memory_ms']:>10.1f} {r['index_ms'] / r['memory_ms']:>12.1f} {r['load_ms']:>8.1f}")
    searches = result["results"][1:]
    print(f"slowest search: LIKE {max(r['like_ms'] for r in searches if r['like_ms'] == r['like_ms']):.1f} ms, "
          f"index {max(r['index_ms'] for r in searches):.1f} ms, memory {max(r['memory_ms'] for r in searches):.1f} ms; "
          f"loading for memory {statistics.median(r['load_ms'] for r in searches):.1f} ms")


if __name__ == "__main__":
    main()
