"""The search box's answers from memory (TrackSearch) are the ones SQL gives (LibraryReader), in
the same order, for every kind of search, and follow every change to the library."""

from __future__ import annotations

import threading

import pytest

from benchmarks.bench_search import like_track_ids
from genre_desktop.library.repository import (
    UNCERTAIN,
    LibraryReader,
    remove_folder,
    set_labels,
    set_threshold,
)
from genre_desktop.library.track_search import TrackSearch, fold
from genre_desktop.library.writes import add_folder, set_model_info
from tests.library.conftest import GENRES

# Broad and narrow, 1 and 2 characters, every path, a genre word, tags, quotes and wildcards of SQL.
SEARCHES = ("e", "E", "ti", "42", ".mp3", "music", "/MUSIC/artist1", "album 7", "jazz", "ROCK artist 9",
            "Title 12345", "track0001", "zzz-not-there", "tag:chill", "tag:chill rock", "TAG:Female-Vocalists",
            "tag:chill tag:female-vocalists", "tag:nothing-like-it", '"quoted', "100%", "a_b", "e e", "  ")
VIEWS = ({"sort": "title"}, {"sort": "artist", "descending": True}, {"sort": "confidence"},
         {"sort": "sounds_like"}, {"genre": "jazz", "sort": "album"}, {"genre": UNCERTAIN, "sort": "genre"},
         {"uncertain_only": True, "sort": "duration"}, {"include_missing": True, "sort": "source"})


@pytest.fixture
def lib(writer, reader_conn, synthetic, db_path):
    writer.call(lambda c: synthetic(c, 3000))
    writer.call(lambda c: set_model_info(c, "m1", GENRES, 0.5))
    tags = [(i, "chill", 0.6, (i * 37 % 101) / 101) for i in range(3, 3001, 3)]
    tags += [(i, "female-vocalists", 0.7, 0.5) for i in range(10, 3001, 10)]
    writer.call(lambda c: c.executemany(
        "INSERT INTO sound_tags(track_id, tag, probability, strength) VALUES (?, ?, ?, ?)", tags))
    # Empty and missing fields, and a few missing files.
    writer.call(lambda c: c.execute("UPDATE tracks SET title = NULL, artist = NULL WHERE id % 50 = 0"))
    writer.call(lambda c: c.execute("UPDATE tracks SET status = 'missing' WHERE id % 70 = 0"))
    search = TrackSearch(db_path)
    yield writer, LibraryReader(reader_conn), search
    search.close()


def from_memory(search: TrackSearch, text: str, **view) -> list[int]:
    """What the view shows while the user types: warm, then search."""
    search.warm(**view)
    found = search.track_ids(search=text, **view)
    assert search.holds_texts  # nothing changed in between: memory answered
    return found


@pytest.mark.parametrize("text", SEARCHES)
def test_memory_finds_what_sql_found_in_the_same_order(lib, text):
    _writer, reader, search = lib
    for view in VIEWS:
        assert from_memory(search, text, **view) == reader.track_ids(search=text, **view), view


def test_a_word_of_most_tracks_gives_what_the_like_search_gave(lib):
    _writer, reader, search = lib
    for text, sort in (("e", "title"), ("music", "artist"), ("album 7", "album"), ("ti", "confidence")):
        found = from_memory(search, text, sort=sort)
        assert len(found) > 2000
        assert found == like_track_ids(reader.conn, text, sort)


def test_until_warmed_searches_ask_sql_and_warm_loads_what_they_need(lib):
    _writer, reader, search = lib
    for text in ("track0001", "tag:female-vocalists", "e", "music"):
        assert search.track_ids(search=text, sort="artist") == reader.track_ids(search=text, sort="artist")
    assert not search.holds_texts  # SQL answered: nothing was read ahead
    search.warm(sort="artist")
    assert search.holds_texts
    assert search.track_ids(search="e", sort="artist") == reader.track_ids(search="e", sort="artist")
    search.warm(sort="artist")  # again, with nothing changed: what is held stays
    assert search.holds_texts


def test_memory_follows_every_change(lib):
    writer, reader, search = lib
    assert from_memory(search, "blue note") == []
    writer.call(lambda c: c.execute("UPDATE tracks SET title = 'Kind of Blue Note' WHERE id = 7"))
    assert search.track_ids(search="blue note") == [7]
    assert not search.holds_texts  # the change was seen, what was held dropped: SQL answered
    assert from_memory(search, "blue note") == [7]
    writer.call(lambda c: set_labels(c, [8, 9], "Shoegaze"))
    assert from_memory(search, "shoegaze") == [8, 9]
    assert from_memory(search, "shoegaze", sort="title", descending=True) == \
        reader.track_ids(search="shoegaze", sort="title", descending=True)
    writer.call(lambda c: set_labels(c, [8], None))
    assert from_memory(search, "shoegaze") == [9]
    assert 3 in from_memory(search, "tag:chill")
    writer.call(lambda c: c.execute("DELETE FROM sound_tags WHERE track_id = 3"))
    assert 3 not in from_memory(search, "tag:chill")
    uncertain = from_memory(search, "", uncertain_only=True)
    writer.call(lambda c: set_threshold(c, 0.9))
    assert from_memory(search, "", uncertain_only=True) == reader.track_ids(uncertain_only=True) != uncertain
    writer.call(lambda c: add_folder(c, "/music/artist7"))
    writer.call(lambda c: remove_folder(c, "/music/artist7"))
    assert from_memory(search, "blue note") == []
    assert from_memory(search, "artist7/") == []
    for text in ("e", "music", "album 7", "tag:chill"):
        assert from_memory(search, text) == reader.track_ids(search=text)


def test_case_is_folded_letter_by_letter_as_the_index_folds_it(lib):
    writer, reader, search = lib
    writer.call(lambda c: c.execute("UPDATE tracks SET artist = 'Émile Ñandú' WHERE id = 11"))
    writer.call(lambda c: c.execute("UPDATE tracks SET album = 'ΣΟΦΊΑ straße' WHERE id = 12"))
    assert from_memory(search, "émile") == reader.track_ids(search="émile") == [11]  # the index's answer
    assert from_memory(search, "ÑANDÚ") == [11]
    assert from_memory(search, "σοφία STRASSE") == []  # folding never turns one letter into two
    assert from_memory(search, "σοφία STRAẞE") == [12]
    assert fold("ÉMILE Σ İ") == "émile σ İ"  # İ lowers to two letters: left as it is


def test_searches_from_many_threads_while_the_library_changes(lib):
    writer, reader, search = lib
    errors: list[BaseException] = []

    def searching() -> None:
        try:
            for n in range(30):
                if n % 3 == 0:
                    search.warm()
                found = search.track_ids(search=("e", "tag:chill", "album 7", "jazz")[n % 4])
                assert found == sorted(set(found), key=found.index)  # no duplicates
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=searching) for _ in range(3)]
    for thread in threads:
        thread.start()
    for n in range(20):
        writer.call(lambda c, n=n: set_labels(c, [100 + n], "jazz"))
    for thread in threads:
        thread.join()
    assert not errors
    assert search.track_ids(search="jazz") == reader.track_ids(search="jazz")


def test_while_the_texts_are_read_narrow_searches_ask_sql_and_broad_ones_wait(lib, monkeypatch):
    _writer, reader, search = lib
    reading, release = threading.Event(), threading.Event()
    load = search._load_texts

    def slow_load() -> None:  # the real read, held open until the narrow searches are done
        reading.set()
        release.wait(10)
        load()

    monkeypatch.setattr(search, "_load_texts", slow_load)
    warming = threading.Thread(target=search.warm)
    warming.start()
    assert reading.wait(10)
    try:
        for text in ("track0001", "Title 1234", "tag:female-vocalists"):  # the index answers at once
            assert search.track_ids(search=text, sort="artist") == reader.track_ids(search=text, sort="artist")
        broad: list[list[int]] = []
        # Words the index cannot narrow (shorter than its trigrams; at 100,000 tracks also words
        # in most tracks) wait for the texts.
        waiting = threading.Thread(target=lambda: broad.append(search.track_ids(search="e 7")))
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive() and not broad
    finally:
        release.set()
        warming.join()
    waiting.join(10)
    assert search.holds_texts
    assert broad == [reader.track_ids(search="e 7")]


def test_an_empty_library_finds_nothing(writer, db_path):
    search = TrackSearch(db_path)
    try:
        assert from_memory(search, "e") == from_memory(search, "tag:chill e") == []
        assert search.track_ids(sort="artist") == []
    finally:
        search.close()
