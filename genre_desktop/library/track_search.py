"""The library table's id lists served from memory, so that a search does not wait on SQL.

At 100,000 tracks SQL needs tens of ms just to hand over the ids of a sorted view, and a word
found in most tracks (a word of every path, "e", "album") makes it test and sort nearly every
row: 40-190 ms. TrackSearch keeps every track's searchable text (title, artist, album, genre and
path, case-folded) and the recent views' orders (their ids sorted as LibraryReader sorts them) in
memory. A search is then a substring test over the texts and a pass over the view's order: the
same ids in the same order, in 1-15 ms (benchmarks/bench_search.py).

What is held is a snapshot of the library, stamped with SQLite's data_version, which changes
whenever another connection commits. Every call reads inside one read transaction and drops the
snapshot first if the stamp moved, so no answer mixes two states of the library. Reading the texts
takes about as long as the slowest searches in SQL (160-220 ms at 100,000 tracks), so only warm()
reads them, when the user starts typing; until then, and after each change to the library until
the next warm(), searches are answered by SQL as before. Re-queries while a scan commits new
tracks every second therefore cost what they cost before.

Case is folded per character, as the full-text index folds it (so "émile" finds "Émile"); for
ASCII that is what LIKE does.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np

from genre_desktop.library.db import connect
from genre_desktop.library.repository import LibraryReader
from genre_desktop.library.sounds_like import sound_tag_key

ORDERS_KEPT = 4  # views (filter + sort) whose order is kept: the current one and a few recent

# The searched columns in one string per track, joined by U+001F: str.split() splits there, so
# no word holds it and none can match across two columns.
_TEXTS_SQL = """SELECT id, coalesce(title, '') || char(31) || coalesce(artist, '') || char(31)
    || coalesce(album, '') || char(31) || coalesce(genre, '') || char(31) || path
    FROM tracks ORDER BY id"""


class _CaseFold(dict):
    """str.translate table: each character to its lower case when that is one character (as
    SQLite's full-text index folds), filled on first sight."""

    def __missing__(self, code: int) -> int:
        lower = chr(code).lower()
        self[code] = folded = ord(lower) if len(lower) == 1 else code
        return folded


_FOLD = _CaseFold()


def fold(text: str) -> str:
    return text.lower() if text.isascii() else text.translate(_FOLD)


class TrackSearch:
    """LibraryReader.track_ids from memory, on a connection of its own (and playlist_track_ids,
    so that it can stand in for a reader). Safe from any thread: calls run one at a time."""

    def __init__(self, db_path: str | os.PathLike[str]) -> None:
        self._path = db_path
        self._conn = connect(db_path, readonly=True)
        self._reader = LibraryReader(self._conn)
        self._lock = threading.Lock()
        self._loading = False  # warm() is reading the texts
        self._version: int | None = None
        self._ids: np.ndarray | None = None  # every track's id, ascending
        self._texts: list[str] = []  # their folded texts, in the same order
        self._orders: OrderedDict[tuple, np.ndarray] = OrderedDict()  # view -> ids in display order
        self._tags: dict[str, np.ndarray] = {}  # tag key -> mask by track id

    def track_ids(self, *, search: str = "", **view) -> list[int]:
        """The ids LibraryReader.track_ids(search=..., **view) returns, in the same order."""
        words = search.split()
        if words and self._loading:
            # While the texts are read, a search an index narrows to few tracks is answered by SQL
            # at once, on a connection of its own; any other waits (less than SQL would take).
            found = self._with_reader(lambda reader: reader.track_ids(search=search, **view)
                                      if reader.index_narrows(search) else None)
            if found is not None:
                return found
        with self._lock, self._snapshot():
            if words and self._ids is None:
                return self._reader.track_ids(search=search, **view)
            order = self._order(view)
            if not words:
                return order.tolist()
            return order[self._matches(words)[order]].tolist()

    def playlist_track_ids(self, playlist_id: int) -> list[int]:
        return self._with_reader(lambda reader: reader.playlist_track_ids(playlist_id))

    def warm(self, **view) -> None:
        """Load the texts, and the order of this view (track_ids' arguments but the search), so
        that the next searches find them (on a worker thread, as the user starts typing)."""
        with self._lock, self._snapshot():
            self._loading = self._ids is None
            try:
                self._load_texts()
                self._order(view)
            finally:
                self._loading = False

    def _with_reader(self, fn):
        """fn(a LibraryReader on a connection of its own), for calls that do not wait for the lock."""
        conn = connect(self._path, readonly=True)
        try:
            return fn(LibraryReader(conn))
        finally:
            conn.close()

    @property
    def holds_texts(self) -> bool:
        """The texts are loaded (and were current at the last call)."""
        return self._ids is not None

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- the snapshot -------------------------------------------------------------------------
    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        """One read transaction; what is held is dropped first if the library changed since."""
        self._conn.execute("BEGIN")
        try:
            version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            if version != self._version:
                self._version, self._ids, self._texts = version, None, []
                self._orders.clear()
                self._tags.clear()
            yield
        finally:
            self._conn.execute("COMMIT")

    def _order(self, view: dict) -> np.ndarray:
        key = tuple(sorted(view.items()))
        order = self._orders.get(key)
        if order is None:
            order = np.array(self._reader.track_ids(**view), dtype=np.int64)
            self._orders[key] = order
            while len(self._orders) > ORDERS_KEPT:
                self._orders.popitem(last=False)
        self._orders.move_to_end(key)
        return order

    def _load_texts(self) -> None:
        if self._ids is not None:
            return
        cursor = self._conn.cursor()
        cursor.row_factory = None
        ids, texts = [], []
        for track_id, text in cursor.execute(_TEXTS_SQL):
            ids.append(track_id)
            texts.append(fold(text))
        self._ids, self._texts = np.array(ids, dtype=np.int64), texts

    # -- matching -----------------------------------------------------------------------------
    def _matches(self, words: Sequence[str]) -> np.ndarray:
        """Mask by track id: the tracks that carry every tag:NAME and hold every other word."""
        ids = self._ids
        assert ids is not None
        tags = [sound_tag_key(w[4:]) for w in words if w[:4].lower() == "tag:"]
        keep = self._mask(ids)
        for key in tags:
            keep &= self._tag_mask(key)
        # The longest word first: it usually leaves the fewest texts for the others.
        terms = sorted({fold(w) for w in words if w[:4].lower() != "tag:"}, key=len, reverse=True)
        if not terms:
            return keep
        texts = self._texts
        positions = np.flatnonzero(keep[ids]).tolist() if tags else range(len(texts))
        for term in terms:
            positions = [p for p in positions if term in texts[p]]
        return self._mask(ids[positions])

    def _tag_mask(self, key: str) -> np.ndarray:
        mask = self._tags.get(key)
        if mask is None:
            tagged = [r[0] for r in self._conn.execute("SELECT track_id FROM sound_tags WHERE tag = ?", (key,))]
            self._tags[key] = mask = self._mask(np.array(tagged, dtype=np.int64))
        return mask

    def _mask(self, chosen: np.ndarray) -> np.ndarray:
        """A mask by track id (every id of the library fits) with these ids set."""
        assert self._ids is not None
        mask = np.zeros(int(self._ids[-1]) + 1 if len(self._ids) else 1, dtype=bool)
        mask[chosen] = True
        return mask
