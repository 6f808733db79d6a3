"""100,000 tracks: the queries the library view runs stay correct (and their time is logged).

Timings are reported, not asserted: the machine running the tests may be busy.
Run with `-o log_cli=true --log-cli-level=INFO` to see them.
"""

from __future__ import annotations

import logging
import time
from types import SimpleNamespace

import pytest

from genre_desktop.library.repository import UNCERTAIN, LibraryReader, set_labels
from genre_desktop.library.writes import set_model_info
from tests.library.conftest import GENRES

log = logging.getLogger(__name__)

COUNT = 100_000


@pytest.fixture(scope="module")
def big_library(tmp_path_factory):
    from genre_desktop.library.db import connect
    from genre_desktop.library.writer import LibraryWriter
    from tests.library.conftest import insert_synthetic

    path = tmp_path_factory.mktemp("big") / "library.sqlite3"
    with LibraryWriter(path) as writer:
        started = time.perf_counter()
        writer.call(lambda c: insert_synthetic(c, COUNT, seed=1))
        writer.call(lambda c: set_model_info(c, "m1", GENRES, 0.5))
        writer.call(lambda c: set_labels(c, list(range(1, COUNT + 1, 1000)), "My Own Genre"))
        log.info("inserting %d synthetic tracks: %.2f s", COUNT, time.perf_counter() - started)
    conn = connect(path, readonly=True)
    yield SimpleNamespace(conn=conn, path=path)
    conn.close()


def _timed(label, fn):
    started = time.perf_counter()
    result = fn()
    log.info("%-58s %7.1f ms", label, (time.perf_counter() - started) * 1000)
    return result


def test_sort_filter_search_and_page_at_100k(big_library):
    reader = LibraryReader(big_library.conn)
    every = _timed("track_ids() sorted by title", lambda: reader.track_ids())
    assert len(every) == COUNT
    page = every[:100]
    rows = _timed("rows() for a 100-id page", lambda: reader.rows(page))
    titles = [rows[i].title.lower() for i in page]
    assert titles == sorted(titles)
    assert titles[0] <= reader.row(every[-1]).title.lower()

    jazz = _timed("track_ids(genre=jazz, sort=confidence desc)",
                  lambda: reader.track_ids(genre="jazz", sort="confidence", descending=True))
    jazz_rows = reader.rows(jazz[:100])
    assert jazz and all(jazz_rows[i].genre == "jazz" for i in jazz[:100])
    confs = [jazz_rows[i].confidence for i in jazz[:100]]
    assert confs == sorted(confs, reverse=True)

    found = _timed("track_ids(search='artist 42', sort=artist)",
                   lambda: reader.track_ids(search="artist 42", sort="artist"))
    found_rows = reader.rows(found)
    assert found and all("42" in (r.artist + r.album + r.title + r.path) for r in found_rows.values())

    combined = _timed("track_ids(genre=rock, search='album 7', sort=album desc)",
                      lambda: reader.track_ids(genre="rock", search="album 7", sort="album", descending=True))
    combined_rows = reader.rows(combined)
    assert all(r.genre == "rock" for r in combined_rows.values())
    albums = [combined_rows[i].album.lower() for i in combined]
    assert albums == sorted(albums, reverse=True)

    unsure = _timed("track_ids(uncertain_only, sort=confidence)",
                    lambda: reader.track_ids(uncertain_only=True, sort="confidence"))
    assert all(r.uncertain for r in reader.rows(unsure[:100]).values())

    custom = _timed("track_ids(genre='My Own Genre')", lambda: reader.track_ids(genre="my own genre"))
    assert len(custom) == COUNT // 1000

    counts = _timed("genre_counts()", reader.genre_counts)
    assert sum(n for g, n in counts.items() if g != UNCERTAIN) == COUNT
    assert counts[UNCERTAIN] == len(unsure)
    for key in ("duration", "genre", "source", "tag_genre"):
        assert len(_timed(f"track_ids(sort={key})", lambda: reader.track_ids(sort=key))) == COUNT
    cands = _timed("playlist_candidates(['rock', 'pop'], 0.8)",
                   lambda: reader.playlist_candidates(["rock", "pop"], 0.8))
    assert cands and all(c.genre in ("rock", "pop") for c in cands)


def test_threshold_change_recomputes_100k_rows(big_library):
    from genre_desktop.library.repository import set_threshold
    from genre_desktop.library.writer import LibraryWriter

    reader = LibraryReader(big_library.conn)
    before = reader.genre_counts()[UNCERTAIN]
    with LibraryWriter(big_library.path) as writer:
        _timed("set_threshold(0.8) through the writer (all rows)", lambda: writer.call(lambda c: set_threshold(c, 0.8)))
    after = reader.genre_counts()[UNCERTAIN]
    assert after > before
    unsure = reader.rows(reader.track_ids(uncertain_only=True)[:200])
    assert all(r.confidence < 0.8 and r.genre_source == "file tag" for r in unsure.values())
    sure = reader.rows(reader.track_ids(sort="confidence", descending=True)[:200])
    assert all(r.genre_source == "you" or r.confidence >= 0.8 for r in sure.values())
