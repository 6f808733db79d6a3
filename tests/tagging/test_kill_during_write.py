"""kill -9 in the middle of `genre-desktop write-tags`, several times over: every file is either
exactly its original or exactly the finished new version (compared with versions made apart),
the journal agrees with the files once it is reconciled, the library records what is on disk,
and undoing every batch gives back all the originals byte for byte."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from genre_desktop.library.db import connect
from genre_desktop.library.tag_batch import WriteOptions, plan_changes, reconcile, undo_last_batch, write_changes
from genre_desktop.library.writer import LibraryWriter
from tests.tagging.conftest import FORMATS, add_tracks, copy_file, label, leftovers, run

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FILES = 90
GENRE = "Jazz; Blues"
MORE_BEFORE_KILL = 5  # files each run writes before it is killed
# Where each run is killed: while it prepares the next file, or once a file is 'pending'
# (its old bytes journaled; the file about to be replaced, or replaced but not yet recorded).
KILL_POINTS = ("preparing", "pending", "pending")


@pytest.fixture
def finished_versions(originals, tmp_path) -> dict[str, bytes]:
    """Each format's file with the genre written, made in a library of its own."""
    folder, db = tmp_path / "reference", tmp_path / "reference.sqlite3"
    paths = {fmt: copy_file(originals[fmt], folder) for fmt in FORMATS}
    with LibraryWriter(db) as writer:
        label(writer, add_tracks(writer, list(paths.values())), GENRE)
        conn = connect(db, readonly=True)
        changes = plan_changes(conn, WriteOptions())
        conn.close()
        assert len(run(write_changes(writer, changes, WriteOptions()))[0].written) == len(FORMATS)
    return {fmt: path.read_bytes() for fmt, path in paths.items()}


def _count(db: Path, state: str) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.05)
        try:
            return conn.execute("SELECT count(*) FROM tag_writes WHERE state = ?", (state,)).fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0  # not created yet, or busy for a moment


def _write_and_kill(db: Path, kill_after: int, point: str) -> int:
    """Run write-tags and SIGKILL it once `kill_after` files are written and the run is at
    `point`; returns how many files the journal says were written."""
    process = subprocess.Popen(
        [sys.executable, "-m", "genre_desktop", "write-tags", "--db", str(db), "--json"],
        cwd=PROJECT_ROOT, env=dict(os.environ, PYTHONPATH=str(PROJECT_ROOT)),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 300

    def ready() -> bool:
        return _count(db, "written") >= kill_after and (point != "pending" or _count(db, "pending") > 0)

    while not ready() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the batch ended before it could be killed: make it longer"
    return _count(db, "written")


def _journal(db: Path) -> dict[str, list[str]]:
    conn = connect(db, readonly=True)
    try:
        states: dict[str, list[str]] = {}
        for path, state in conn.execute("SELECT path, state FROM tag_writes ORDER BY id"):
            states.setdefault(path, []).append(state)
        return states
    finally:
        conn.close()


def _library_matches_disk(db: Path, paths: list[Path]) -> None:
    conn = connect(db, readonly=True)
    try:
        rows = {r[0]: (r[1], r[2]) for r in conn.execute("SELECT path, size, mtime_ns FROM tracks")}
    finally:
        conn.close()
    for p in paths:
        st = p.stat()
        assert rows[str(p)] == (st.st_size, st.st_mtime_ns), p


def test_kill_during_write_leaves_every_file_whole_and_undo_restores_all(originals, finished_versions, tmp_path):
    music, db = tmp_path / "music", tmp_path / "library.sqlite3"
    formats = [FORMATS[i % len(FORMATS)] for i in range(FILES)]
    paths = [copy_file(originals[fmt], music, f"{i:03d}{originals[fmt].suffix}") for i, fmt in enumerate(formats)]
    old = {p: originals[fmt].read_bytes() for p, fmt in zip(paths, formats)}
    new = {p: finished_versions[fmt] for p, fmt in zip(paths, formats)}
    with LibraryWriter(db) as writer:
        label(writer, add_tracks(writer, paths), GENRE)

    written = 0
    for point in KILL_POINTS:
        kill_after = written + MORE_BEFORE_KILL
        written = _write_and_kill(db, kill_after, point)
        assert kill_after <= written < FILES
        on_disk = {p: p.read_bytes() for p in paths}
        whole = {p: "new" if data == new[p] else "old" if data == old[p] else "broken" for p, data in on_disk.items()}
        assert "broken" not in whole.values()

        with LibraryWriter(db) as writer:  # the next use settles what the kill interrupted
            reconcile(writer)
        journal = _journal(db)
        assert not {s for states in journal.values() for s in states} & {"planned", "pending", "undoing"}
        for p in paths:
            states = journal.get(str(p), [])
            assert ("written" in states) == (whole[p] == "new"), (p, states, whole[p])
        _library_matches_disk(db, paths)
        assert leftovers(music) == []

    finished = subprocess.run(
        [sys.executable, "-m", "genre_desktop", "write-tags", "--db", str(db), "--json"],
        cwd=PROJECT_ROOT, env=dict(os.environ, PYTHONPATH=str(PROJECT_ROOT)), capture_output=True, timeout=300,
    )
    assert finished.returncode == 0, finished.stderr
    assert all(p.read_bytes() == new[p] for p in paths)

    with LibraryWriter(db) as writer:
        batches = 0
        while True:
            result = run(undo_last_batch(writer))[0]
            if result.batch_id is None:
                break
            assert result.failed == []
            batches += 1
    assert batches == len(KILL_POINTS) + 1
    assert all(p.read_bytes() == old[p] for p in paths)
    _library_matches_disk(db, paths)
    assert leftovers(music) == []
