"""The search box's full-text index finds what the LIKE search found, and follows every change."""

from __future__ import annotations

import pytest

from benchmarks.bench_search import like_track_ids
from genre_desktop.library.repository import LibraryReader, remove_folder, set_labels
from genre_desktop.library.writes import add_folder, set_model_info
from tests.library.conftest import GENRES

SEARCHES = ("Title 1234", "artist 42", "album 7", "track0001", "jazz", "rock Artist 9", "zzz", "e",
            "TITLE 00", "track00019", '"quoted', "100%", "a_b")


@pytest.fixture
def lib(writer, reader_conn, synthetic):
    writer.call(lambda c: synthetic(c, 3000))
    writer.call(lambda c: set_model_info(c, "m1", GENRES, 0.5))
    return writer, LibraryReader(reader_conn)


@pytest.mark.parametrize("search", SEARCHES)
def test_the_index_finds_what_like_found(lib, search):
    _writer, reader = lib
    for sort in ("title", "artist", "confidence"):
        assert reader.track_ids(search=search, sort=sort) == like_track_ids(reader.conn, search, sort)


def test_the_index_follows_edits_labels_and_removals(lib):
    writer, reader = lib
    writer.call(lambda c: c.execute("UPDATE tracks SET title = 'Kind of Blue Note' WHERE id = 7"))
    assert reader.track_ids(search="blue note") == [7]
    writer.call(lambda c: set_labels(c, [8], "Shoegaze"))  # the derived genre column changes
    assert reader.track_ids(search="shoegaze") == [8]
    writer.call(lambda c: set_labels(c, [8], None))
    assert reader.track_ids(search="shoegaze") == []
    writer.call(lambda c: add_folder(c, "/music/artist7"))
    writer.call(lambda c: remove_folder(c, "/music/artist7"))
    assert reader.track_ids(search="blue note") == []
    assert reader.track_ids(search="artist7/") == []


def test_without_the_index_search_falls_back_to_like(lib):
    writer, reader = lib
    expected = {s: reader.track_ids(search=s) for s in SEARCHES}
    writer.call(lambda c: c.execute("DROP TABLE tracks_fts"))  # as on a SQLite without FTS5 trigram
    plain = LibraryReader(reader.conn)
    assert not plain.has_search_index
    assert {s: plain.track_ids(search=s) for s in SEARCHES} == expected
