"""The library table model without any widget: paging, SQL sort/filter delegation, incremental refresh."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester

from genre_desktop.ui.itemmodels.columns import COLUMN_INDEX
from genre_desktop.ui.itemmodels.track_table_model import (
    PAGE_SIZE,
    ROW_OBJECT_ROLE,
    SCANNED_LOOKUPS,
    SORT_ROLE,
    TrackTableModel,
)


@dataclass(frozen=True)
class Row:
    id: int
    path: str
    title: str | None
    artist: str | None
    album: str | None
    duration: float | None
    genre: str | None
    genre_source: str | None
    confidence: float | None
    tag_genre: str | None
    status: str
    uncertain: bool


class FakeReader:
    """Stands in for LibraryReader: sorts and filters 'in SQL' and counts queries."""

    def __init__(self, rows: list[Row]) -> None:
        self.table = {r.id: r for r in rows}
        self.id_queries = 0
        self.row_queries: list[int] = []

    def track_ids(self, *, genre=None, search="", uncertain_only=False, include_missing=False,
                  sort="title", descending=False):
        self.id_queries += 1
        rows = [r for r in self.table.values()
                if (genre is None or r.genre == genre) and (not uncertain_only or r.uncertain)
                and (not search or search.lower() in (r.title or "").lower())]
        key = {"confidence": lambda r: r.confidence or 0.0}.get(sort, lambda r: (getattr(r, sort) or "", r.id))
        return [r.id for r in sorted(rows, key=key, reverse=descending)]

    def rows(self, ids):
        self.row_queries.append(len(ids))
        return {i: self.table[i] for i in ids if i in self.table}


def make_row(i: int, genre: str = "rock", confidence: float = 0.9) -> Row:
    return Row(i, f"/music/{i:06d}.flac", f"Song {i:06d}", f"Artist {i % 7}", "Album", 30.0 + i % 60,
               genre, "model", confidence, None, "ok", confidence < 0.5)


@pytest.fixture
def reader():
    genres = ["rock", "jazz", "blues"]
    return FakeReader([make_row(i, genres[i % 3], (i % 10) / 10) for i in range(1, 1001)])


def test_model_passes_qt_consistency_checks(qtbot, reader):
    model = TrackTableModel(reader)
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.sort(COLUMN_INDEX["confidence"], Qt.SortOrder.DescendingOrder)
    model.set_query(genre="jazz")
    reader.table[5000] = make_row(5000, "jazz")
    model.refresh()
    del reader.table[3]
    model.refresh()


def test_rows_are_fetched_a_page_at_a_time(reader):
    model = TrackTableModel(reader)
    assert model.rowCount() == 1000
    assert reader.row_queries == []  # nothing fetched until a row is asked for
    assert model.data(model.index(0, 0)) == "Song 000001"
    assert reader.row_queries == [PAGE_SIZE]
    model.data(model.index(PAGE_SIZE - 1, 3))
    assert len(reader.row_queries) == 1
    model.data(model.index(999, 0))
    assert len(reader.row_queries) == 2


def test_roles_give_raw_values_and_objects(reader):
    model = TrackTableModel(reader)
    index = model.index(0, COLUMN_INDEX["confidence"])
    row = model.data(index, ROW_OBJECT_ROLE)
    assert isinstance(model.data(index, SORT_ROLE), float)
    assert model.data(index, SORT_ROLE) == row.confidence
    genre_index = model.index(0, COLUMN_INDEX["genre"])
    if row.uncertain:
        assert model.data(genre_index).endswith("?")
        assert model.data(genre_index, Qt.ItemDataRole.FontRole).italic()


def test_sort_requeries_and_keeps_selection_on_same_track(qtbot, reader):
    model = TrackTableModel(reader)
    persistent = [model.index(10, 0)]
    from PySide6.QtCore import QPersistentModelIndex

    keep = QPersistentModelIndex(persistent[0])
    track = model.track_id(10)
    model.sort(COLUMN_INDEX["title"], Qt.SortOrder.DescendingOrder)
    assert model.track_id(0) == 1000
    assert model.track_id(keep.row()) == track


def test_refresh_inserts_and_removes_rows_incrementally(qtbot, reader):
    model = TrackTableModel(reader)
    inserted, removed, resets = [], [], []
    model.rowsInserted.connect(lambda parent, first, last: inserted.append((first, last)))
    model.rowsRemoved.connect(lambda parent, first, last: removed.append((first, last)))
    model.modelReset.connect(lambda: resets.append(1))
    reader.table[1500] = Row(1500, "/x", "Song 000010b", None, None, 1.0, "rock", "model", 0.9, None, "ok", False)
    del reader.table[2]
    model.refresh(changed_ids=[1500])
    assert resets == []
    assert removed == [(1, 1)]
    assert inserted == [(9, 9)]
    assert model.track_id(9) == 1500
    assert model.row_of(1500) == 9


def test_row_of_answers_the_same_before_and_after_it_builds_its_map(reader):
    model = TrackTableModel(reader)
    ids = model.ids
    assert model.row_of(10**9) is None  # a scan that finds nothing
    for n in range(2 * SCANNED_LOOKUPS):  # the first lookups scan, the later ones use the map
        track_id = ids[(n * 97) % len(ids)]
        assert model.row_of(track_id) == ids.index(track_id)
    assert model.row_of(10**9) is None
    del reader.table[ids[0]]
    model.refresh()  # every row moves up one: scans and map start over
    for track_id in ids[1:2 * SCANNED_LOOKUPS]:
        assert model.row_of(track_id) == ids.index(track_id) - 1
    assert model.row_of(ids[0]) is None


def test_filters_are_passed_to_sql(reader):
    model = TrackTableModel(reader)
    model.set_query(genre="jazz")
    assert {model.data(model.index(r, COLUMN_INDEX["genre"]), ROW_OBJECT_ROLE).genre
            for r in range(model.rowCount())} == {"jazz"}
    model.set_query(genre=None, uncertain_only=True)
    assert all(model.track_row(r).uncertain for r in range(model.rowCount()))
    model.set_query(uncertain_only=False, search="000123")
    assert model.ids == [123]


def test_background_loader_keeps_old_rows_until_ids_arrive(reader):
    model = TrackTableModel(reader)
    pending = []
    model.set_loader(lambda query, done: pending.append((query, done)))
    model.set_query(genre="jazz")
    assert model.loading and model.rowCount() == 1000  # old rows stay meanwhile
    model.set_query(genre="rock")
    (old_query, old_done), (new_query, new_done) = pending
    new_done([1, 4])
    old_done([2, 5, 8])  # late answer to a superseded query: ignored
    assert not model.loading
    assert model.ids == [1, 4]


def test_incremental_refresh_always_ends_at_the_new_ids(qtbot):
    import random

    rng = random.Random(11)
    reader = FakeReader([make_row(i) for i in range(1, 30)])
    model = TrackTableModel(reader)
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    next_id = 100
    for _ in range(300):
        for _ in range(rng.randrange(0, 4)):  # new tracks land anywhere in title order
            row = make_row(next_id)
            reader.table[next_id] = Row(*(f"Song {rng.random():.6f}" if k == 2 else v
                                          for k, v in enumerate(row.__dict__.values())))
            next_id += 1
        for victim in rng.sample(sorted(reader.table), k=min(len(reader.table) - 1, rng.randrange(0, 3))):
            del reader.table[victim]
        model.refresh()
        assert model.ids == reader.track_ids()
        assert all(model.row_of(i) == r for r, i in enumerate(model.ids))
