"""`genre-desktop write-tags` and `undo-tags`: the JSON contract, exit codes, --dry-run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from genre_desktop.library.db import connect
from genre_desktop.library.writer import LibraryWriter
from tests.tagging.conftest import add_tracks, copy_file, label
from tests.tagging.tag_checks import genres_in

PROJECT_ROOT = Path(__file__).resolve().parents[2]
WRITE_KEYS = {"batch_id", "dry_run", "planned", "written", "failed", "skipped", "unchanged", "cancelled"}
PLANNED_KEYS = {"track_id", "path", "current", "new", "source", "confidence"}


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "genre_desktop", *args], capture_output=True, text=True, cwd=PROJECT_ROOT,
        timeout=300, env=dict(os.environ, PYTHONPATH=str(PROJECT_ROOT)),
    )


def _json(done: subprocess.CompletedProcess, code: int) -> dict:
    assert done.returncode == code, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def library(originals, tmp_path):
    music, db = tmp_path / "music", tmp_path / "library.sqlite3"
    paths = [copy_file(originals[fmt], music, f"{i}-{fmt}{originals[fmt].suffix}")
             for i, fmt in enumerate(("mp3", "flac", "ogg"))]
    with LibraryWriter(db) as writer:
        label(writer, add_tracks(writer, paths), "Jazz; Blues")
    return db, paths


def _batches(db) -> int:
    conn = connect(db, readonly=True)
    try:
        return conn.execute("SELECT count(*) FROM tag_batches").fetchone()[0]
    finally:
        conn.close()


def test_dry_run_lists_the_plan_and_changes_nothing(library):
    db, paths = library
    before = {p: p.read_bytes() for p in paths}
    report = _json(cli("write-tags", "--db", str(db), "--dry-run", "--json"), 0)
    assert set(report) == WRITE_KEYS and report["dry_run"] is True
    assert report["batch_id"] is None and report["written"] == [] and report["failed"] == []
    assert [p["path"] for p in report["planned"]] == sorted(map(str, paths))
    assert all(set(p) == PLANNED_KEYS for p in report["planned"])
    assert report["planned"][0] | {"track_id": 0, "path": ""} == {
        "track_id": 0, "path": "", "current": None, "new": "Jazz; Blues", "source": "you", "confidence": None}
    assert {p: p.read_bytes() for p in paths} == before
    assert _batches(db) == 0


def test_write_then_undo_with_exit_codes(library):
    db, paths = library
    originals = {p: p.read_bytes() for p in paths}
    paths[1].chmod(0o444)
    partial = _json(cli("write-tags", "--db", str(db), "--json"), 1)
    assert isinstance(partial["batch_id"], int) and partial["dry_run"] is False
    assert partial["written"] == [str(paths[0]), str(paths[2])]
    assert partial["failed"] == [{"path": str(paths[1]), "reason": "the file is read-only"}]
    assert paths[1].read_bytes() == originals[paths[1]]
    assert genres_in(paths[0]) == ["Jazz", "Blues"]

    paths[1].chmod(0o644)
    rest = _json(cli("write-tags", "--db", str(db), "--json", "--id3v23", "--separator", "; "), 0)
    assert rest["written"] == [str(paths[1])] and rest["batch_id"] > partial["batch_id"]
    assert genres_in(paths[1]) == ["Jazz; Blues"]

    undo = _json(cli("undo-tags", "--db", str(db), "--json"), 0)
    assert undo == {"batch_id": rest["batch_id"], "restored": [str(paths[1])], "failed": [], "cancelled": False}
    undo = _json(cli("undo-tags", "--db", str(db), "--json"), 0)
    assert (undo["batch_id"], undo["restored"]) == (partial["batch_id"], [str(paths[0]), str(paths[2])])
    assert {p: p.read_bytes() for p in paths} == originals
    assert _json(cli("undo-tags", "--db", str(db), "--json"), 0)["batch_id"] is None


def test_options_reach_the_plan(library):
    db, _ = library
    report = _json(cli("write-tags", "--db", str(db), "--dry-run", "--json", "--only-corrections",
                       "--min-confidence", "70%", "--replace"), 0)
    assert len(report["planned"]) == 3
    human = cli("write-tags", "--db", str(db), "--dry-run")
    assert human.returncode == 0 and "Would write the genre of 3 files" in human.stdout


def test_usage_errors_and_help(tmp_path):
    missing = cli("write-tags", "--db", str(tmp_path / "none.sqlite3"), "--json")
    assert missing.returncode == 2 and "no library at" in missing.stderr
    assert cli("undo-tags", "--db", str(tmp_path / "none.sqlite3")).returncode == 2
    assert cli("write-tags", "--min-confidence", "2").returncode == 2
    empty = tmp_path / "empty.sqlite3"
    LibraryWriter(empty).close()
    blank = cli("write-tags", "--db", str(empty), "--separator", "")
    assert blank.returncode == 2 and "separator must not be empty" in blank.stderr
    nothing = _json(cli("write-tags", "--db", str(empty), "--json"), 0)
    assert (nothing["planned"], nothing["batch_id"]) == ([], None)
    help_text = " ".join(cli("write-tags", "--help").stdout.split())
    assert "Exit status: 0 when every planned file was written" in help_text and "1 when some files" in help_text
