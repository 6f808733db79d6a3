"""Library format 10 on a real format-9 library: the stored spellings of one typed genre become
one, the label history is kept row for row, what derives from it follows, a second run changes
nothing, and a kill in the middle leaves the file at format 9, whole."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from genre_desktop.library.db import connect
from genre_desktop.library.merge_spellings import merge_spellings
from genre_desktop.library.repository import UNCERTAIN, LibraryReader
from genre_desktop.library.writer import LibraryWriter
from genre_desktop.library.writes import refresh_derived, set_labels
from tests.library.v9_library import CORRECTIONS, make_v9_library

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TABLES = ("labels", "tracks", "genre_map", "playlists", "predictions")


@pytest.fixture(scope="module")
def v9_source(demo_source, tmp_path_factory) -> tuple[Path, list[int]]:
    """One format-9 library per module; each test works on a copy (`v9`)."""
    root = tmp_path_factory.mktemp("v9")
    db = root / "library.sqlite3"
    return db, make_v9_library(db, demo_source)


@pytest.fixture
def v9(v9_source, tmp_path) -> tuple[Path, list[int]]:
    source, ids = v9_source
    db = tmp_path / "library.sqlite3"
    shutil.copy(source, db)
    return db, ids


def _raw(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True)


def _snapshot(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    return {t: [tuple(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY rowid")] for t in TABLES}


def _merged_library(db: Path) -> dict[str, list[tuple]]:
    conn = connect(db)  # opening migrates
    try:
        return _snapshot(conn)
    finally:
        conn.close()


def test_spellings_become_one_and_the_history_is_kept(v9):
    db, ids = v9
    with _raw(db) as conn:
        before = _snapshot(conn)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 9
    after = _merged_library(db)

    # Every label row is still there, each as it was but for the spelling of its genre.
    assert [(r[0], r[1], r[2], r[3], r[5], r[6]) for r in after["labels"]] == \
        [(r[0], r[1], r[2], r[3], r[5], r[6]) for r in before["labels"]]
    assert len(after["labels"]) == len(CORRECTIONS)
    assert [r[4] for r in after["labels"]] == [
        "Lo-Fi", "Lo-Fi", "Lo-Fi", "Lo-Fi",  # as first typed (trimmed)
        "shoegaze", "shoegaze", "shoegaze",  # the first spelling, though 'Shoegaze' came more often
        "electronic", "electronic",  # a genre the vocabulary knows
        "hiphop",  # the model's genre
        None,  # a cleared correction stays cleared
    ]

    conn = connect(db, readonly=True)
    try:
        reader = LibraryReader(conn)
        shown = {tid: (row.genre, row.genre_source) for tid, row in reader.rows(ids).items()}
        assert shown[ids[0]] == ("Lo-Fi", "you")
        assert shown[ids[1]] == shown[ids[2]] == ("electronic", "you")
        assert shown[ids[3]] == ("shoegaze", "you")
        assert shown[ids[4]] == ("hiphop", "you")
        assert shown[ids[5]] == ("Lo-Fi", "file tag")  # its tag is mapped to the same genre
        assert [e.genre for e in reader.label_history(ids[0])] == ["Lo-Fi", "Lo-Fi"]
        counts = {g: n for g, n in reader.genre_counts().items() if g != UNCERTAIN}
        assert counts == {"electronic": 2, "hiphop": 1, "Lo-Fi": 2, "shoegaze": 1}
        assert reader.playlists()[0].rules["genres"] == ["Lo-Fi", "jazz", "shoegaze", "Vaporwave"]
        assert [tuple(r) for r in conn.execute("SELECT tag, genre FROM genre_map")] == [("Chillhop", "Lo-Fi")]
        # Search finds the tracks by their new genre (the full-text index followed the rows).
        assert set(reader.track_ids(search="Lo-Fi")) >= {ids[0], ids[5]}
    finally:
        conn.close()
    assert after["predictions"] == before["predictions"]  # the models' answers are theirs

    # The derived columns are what refresh_derived computes from the merged rows.
    with LibraryWriter(db) as writer:
        writer.call(refresh_derived)
        assert writer.call(lambda c: _snapshot(c)["tracks"]) == after["tracks"]
        # And a new correction in yet another spelling joins the genre.
        writer.call(lambda c: set_labels(c, [ids[3]], "LOFI"))
        assert writer.call(lambda c: c.execute(
            "SELECT genre FROM tracks WHERE id = ?", (ids[3],)).fetchone()[0]) == "Lo-Fi"


def test_a_second_run_changes_nothing(v9):
    db, _ = v9
    first = _merged_library(db)
    with LibraryWriter(db) as writer:
        writer.call(merge_spellings)
        assert writer.call(_snapshot) == first
    assert _merged_library(db) == first  # and opening again runs no migration


_KILLED_MIDWAY = """
import sys, time
from pathlib import Path
from genre_desktop.library import merge_spellings
from genre_desktop.library.db import connect

def stop_here(*args):  # labels and tracks are rewritten; the playlists are next
    Path(sys.argv[2]).touch()
    time.sleep(600)

merge_spellings._merge_playlists = stop_here
connect(sys.argv[1])
"""


def test_a_kill_in_the_middle_leaves_format_9_whole(v9, tmp_path):
    db, _ = v9
    with _raw(db) as conn:
        before = _snapshot(conn)
    reference = tmp_path / "reference.sqlite3"
    shutil.copy(db, reference)
    expected = _merged_library(reference)

    flag = tmp_path / "midway"
    child = subprocess.Popen([sys.executable, "-c", _KILLED_MIDWAY, str(db), str(flag)],
                             env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}, cwd=PROJECT_ROOT,
                             stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not flag.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert flag.exists(), child.stderr.read() if child.poll() is not None else "the migration never got there"
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stderr.close()

    with _raw(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 9
        assert _snapshot(conn) == before  # the labels and tracks it had rewritten are rolled back
    assert _merged_library(db) == expected  # the next start migrates it in full
