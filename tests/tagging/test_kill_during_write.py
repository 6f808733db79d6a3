"""kill -9 in the middle of `genre-desktop write-tags` (several times over) and of `undo-tags`:
every file is either exactly its original or exactly the finished new version (compared with
versions made apart), the journal agrees with the files once it is reconciled, the library
records what is on disk, and undoing every batch gives back all the originals byte for byte."""

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


def _run_and_kill(db: Path, command: str, done_state: str, kill_after: int, busy_state: str | None) -> int:
    """Run `command` (write-tags or undo-tags) and SIGKILL it once `kill_after` rows reached
    `done_state` and, when given, a row is in `busy_state` (its file being swapped). Returns how
    many rows the journal says reached `done_state`."""
    process = subprocess.Popen(
        [sys.executable, "-m", "genre_desktop", command, "--db", str(db), "--json"],
        cwd=PROJECT_ROOT, env=dict(os.environ, PYTHONPATH=str(PROJECT_ROOT)),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 300

    def ready() -> bool:
        return _count(db, done_state) >= kill_after and (busy_state is None or _count(db, busy_state) > 0)

    while not ready() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, f"{command} ended before it could be killed: give it more files"
    return _count(db, done_state)


def _reconciled_and_consistent(db: Path, music: Path, paths: list[Path], old: dict, new: dict) -> dict[Path, str]:
    """Each file is whole (its old or its new version); after the next use of the journal,
    rows and files agree and the library records what is on disk. Returns 'old'/'new' per file."""
    whole = {}
    for p in paths:
        data = p.read_bytes()
        whole[p] = "new" if data == new[p] else "old" if data == old[p] else "broken"
    assert "broken" not in whole.values()
    with LibraryWriter(db) as writer:
        reconcile(writer)
    journal = _journal(db)
    assert not {s for states in journal.values() for s in states} & {"planned", "pending", "undoing"}
    for p in paths:
        live = [s for s in journal.get(str(p), []) if s == "written"]
        assert (len(live) == 1) == (whole[p] == "new"), (p, journal.get(str(p)), whole[p])
    _library_matches_disk(db, paths)
    assert leftovers(music) == []
    return whole


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


@pytest.fixture
def library(originals, finished_versions, tmp_path):
    """FILES files of every format labelled in a library; (db, music, paths, old bytes, new bytes)."""
    music, db = tmp_path / "music", tmp_path / "library.sqlite3"
    formats = [FORMATS[i % len(FORMATS)] for i in range(FILES)]
    paths = [copy_file(originals[fmt], music, f"{i:03d}{originals[fmt].suffix}") for i, fmt in enumerate(formats)]
    old = {p: originals[fmt].read_bytes() for p, fmt in zip(paths, formats)}
    new = {p: finished_versions[fmt] for p, fmt in zip(paths, formats)}
    with LibraryWriter(db) as writer:
        label(writer, add_tracks(writer, paths), GENRE)
    return db, music, paths, old, new


def _finish(db: Path, command: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "genre_desktop", command, "--db", str(db), "--json"],
        cwd=PROJECT_ROOT, env=dict(os.environ, PYTHONPATH=str(PROJECT_ROOT)), capture_output=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr


def test_kill_during_write_leaves_every_file_whole_and_undo_restores_all(library):
    db, music, paths, old, new = library
    written = 0
    for point in KILL_POINTS:
        kill_after = written + MORE_BEFORE_KILL
        written = _run_and_kill(db, "write-tags", "written", kill_after, "pending" if point == "pending" else None)
        assert kill_after <= written < FILES
        whole = _reconciled_and_consistent(db, music, paths, old, new)
        assert list(whole.values()).count("new") == _count(db, "written")

    _finish(db, "write-tags")  # the rest, in one more batch
    assert all(p.read_bytes() == new[p] for p in paths)

    with LibraryWriter(db) as writer:
        batches = 0
        while (result := run(undo_last_batch(writer))[0]).batch_id is not None:
            assert result.failed == []
            batches += 1
    assert batches == len(KILL_POINTS) + 1
    assert all(p.read_bytes() == old[p] for p in paths)
    _library_matches_disk(db, paths)
    assert leftovers(music) == []


def test_kill_during_undo_leaves_every_file_whole_and_undo_finishes(library):
    db, music, paths, old, new = library
    _finish(db, "write-tags")
    undone = _run_and_kill(db, "undo-tags", "undone", MORE_BEFORE_KILL, None)  # while preparing a file
    assert MORE_BEFORE_KILL <= undone < FILES
    _reconciled_and_consistent(db, music, paths, old, new)
    undone = _run_and_kill(db, "undo-tags", "undone", undone + MORE_BEFORE_KILL, "undoing")  # while swapping one
    assert undone < FILES
    whole = _reconciled_and_consistent(db, music, paths, old, new)
    assert list(whole.values()).count("old") == _count(db, "undone")

    _finish(db, "undo-tags")
    assert all(p.read_bytes() == old[p] for p in paths)
    _library_matches_disk(db, paths)
    assert leftovers(music) == []
