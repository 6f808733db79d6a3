"""Search speed of the library view at 100,000 tracks: the full-text index against the LIKE scan
it replaced, side by side in one run on the same SQLite file.

    python benchmarks/bench_search.py [--tracks 100000] [--repeat 5] [--json]

The library is the synthetic one the scale tests use (tests/library/conftest.py): titles, artists,
albums, paths and genres in SQL, no audio. Each query is the library view's real call,
LibraryReader.track_ids(search=..., sort=...), timed against the same filter written as the
LIKE '%term%' clauses the search used before (the SQL kept below as the baseline). Both must
return the same ids in the same order. Reported: the median of --repeat runs in ms, and the ratio.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# (search text, sort key): typed words, rare and common, short and long, with a sort each.
QUERIES = (
    ("artist 42", "artist"),
    ("Title 12345", "title"),
    ("album 7", "album"),
    ("track0999", "title"),
    ("jazz", "genre"),
    ("rock Artist 9", "confidence"),
    ("zzz-not-there", "title"),
    ("music", "title"),
)


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


def run(tracks: int, repeat: int) -> list[dict]:
    from genre_desktop.library.db import connect
    from genre_desktop.library.repository import LibraryReader
    from genre_desktop.library.writer import LibraryWriter
    from genre_desktop.library.writes import set_model_info
    from tests.library.conftest import GENRES, insert_synthetic

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "library.sqlite3"
        with LibraryWriter(path) as writer:
            writer.call(lambda c: insert_synthetic(c, tracks, seed=1))
            writer.call(lambda c: set_model_info(c, "m1", GENRES, 0.5))
        conn = connect(path, readonly=True)
        try:
            reader = LibraryReader(conn)
            sort_ms, _ = _median_ms(lambda: reader.track_ids(sort="title"), repeat)
            results = [{"query": "(no search)", "sort": "title", "index_ms": sort_ms, "like_ms": sort_ms,
                        "matches": tracks}]
            for search, sort in QUERIES:
                new_ms, new_ids = _median_ms(lambda: reader.track_ids(search=search, sort=sort), repeat)
                old_ms, old_ids = _median_ms(lambda: like_track_ids(conn, search, sort), repeat)
                if new_ids != old_ids:
                    raise AssertionError(f"{search!r}: the index found {len(new_ids)} ids, LIKE {len(old_ids)}")
                results.append({"query": search, "sort": sort, "index_ms": new_ms, "like_ms": old_ms,
                                "matches": len(new_ids)})
        finally:
            conn.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = run(args.tracks, args.repeat)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{args.tracks:,} tracks, median of {args.repeat} runs")
    print(f"{'search':<18} {'sort':<11} {'matches':>8} {'LIKE ms':>9} {'index ms':>9} {'LIKE/index':>10}")
    for r in results:
        ratio = r["like_ms"] / r["index_ms"] if r["index_ms"] else float("nan")
        print(f"{r['query']:<18} {r['sort']:<11} {r['matches']:>8,} {r['like_ms']:>9.1f} "
              f"{r['index_ms']:>9.1f} {ratio:>10.1f}")
    searches = results[1:]
    print(f"slowest search: LIKE {max(r['like_ms'] for r in searches):.1f} ms, "
          f"index {max(r['index_ms'] for r in searches):.1f} ms")


if __name__ == "__main__":
    main()
