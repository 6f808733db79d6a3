"""`genre-desktop scan`: the JSON contract, the human output, bad arguments, and resuming after
the process is killed mid-scan (kill -9)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.corpus import make_demo_library
from tests.library.scan_helpers import build_demo

PROJECT_ROOT = Path(__file__).resolve().parents[2]
KEYS = {"scanned", "added", "updated", "unchanged", "missing", "failed", "seconds"}


def cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "genre_desktop", "scan", *args],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=timeout,
        env=dict(os.environ, PYTHONPATH=str(PROJECT_ROOT)),
    )


@pytest.fixture(scope="module")
def music(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli") / "Music"
    build_demo(root)
    (root / "broken.mp3").write_bytes(b"not audio at all" * 100)
    return root


def test_json_contract(music, tmp_path):
    db = tmp_path / "lib.sqlite3"
    done = cli(str(music), "--db", str(db), "--jobs", "2", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert set(report) == KEYS
    for key in KEYS - {"failed", "seconds"}:
        assert type(report[key]) is int
    assert isinstance(report["seconds"], float) and report["seconds"] >= 0
    assert (report["scanned"], report["added"], report["unchanged"]) == (7, 6, 0)
    assert report["failed"] == [{"path": str(music / "broken.mp3"), "reason": report["failed"][0]["reason"]}]
    assert "not an audio file" in report["failed"][0]["reason"]

    again = json.loads(cli(str(music), "--db", str(db), "--json").stdout)
    assert (again["scanned"], again["unchanged"], again["added"], again["failed"]) == (7, 7, 0, [])


def test_human_output_and_progress_on_stderr(music, tmp_path):
    db = tmp_path / "lib.sqlite3"
    done = cli(str(music), "--db", str(db), "--jobs", "1", "--no-model")
    assert done.returncode == 0, done.stderr
    assert "6 added" in done.stdout and "1 could not be analysed" in done.stdout
    assert "broken.mp3: not an audio file" in done.stdout
    assert "Analysing" in done.stderr or "Looking for music" in done.stderr


def test_global_db_flag_is_honoured(music, tmp_path):
    db = tmp_path / "global.sqlite3"
    done = subprocess.run(
        [sys.executable, "-m", "genre_desktop", "--db", str(db), "scan", str(music), "--json", "--no-model"],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=600,
        env=dict(os.environ, PYTHONPATH=str(PROJECT_ROOT)),
    )
    assert done.returncode == 0, done.stderr
    assert db.is_file()


def test_bad_arguments(tmp_path):
    missing = cli(str(tmp_path / "no such folder"), "--db", str(tmp_path / "x.sqlite3"), "--json")
    assert missing.returncode == 2 and "does not exist" in missing.stderr and missing.stdout == ""
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    assert cli(str(a_file), "--db", str(tmp_path / "x.sqlite3")).returncode == 2
    assert cli(str(tmp_path), "--jobs", "0").returncode == 2
    assert cli().returncode == 2


def test_newer_library_is_refused_with_a_message(music, tmp_path):
    db = tmp_path / "future.sqlite3"
    raw = sqlite3.connect(db)
    raw.execute("PRAGMA user_version = 999")
    raw.close()
    done = cli(str(music), "--db", str(db), "--json")
    assert done.returncode == 1 and "newer version" in done.stderr


def _count(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute("SELECT count(*) FROM tracks").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_resume_after_kill_9(tmp_path):
    music = tmp_path / "Music"
    paths = make_demo_library(music, n_per_genre=3, formats=("mp3", "flac", "ogg"))
    total = len(paths)
    db = tmp_path / "lib.sqlite3"
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "genre_desktop", "scan", str(music), "--db", str(db), "--json", "--jobs", "2"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while _count(db) < 2 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, "the scan ended before it could be killed; use more tracks"
        os.kill(proc.pid, signal.SIGKILL)  # the scan process itself, as `kill -9` would
        proc.wait(timeout=30)
    finally:
        time.sleep(1)
        try:  # its worker processes, should any outlive it
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.stdout.close()
        proc.stderr.close()

    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    committed = conn.execute("SELECT count(*) FROM tracks").fetchone()[0]
    conn.close()
    assert 2 <= committed < total

    done = cli(str(music), "--db", str(db), "--json", "--jobs", "2")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["added"] == total - committed
    assert report["unchanged"] == committed and report["updated"] == 0 and report["failed"] == []

    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*), count(DISTINCT path) FROM tracks").fetchone() == (total, total)
    on_disk = {str(p) for p in paths}
    assert {os.fsdecode(r[0]) for r in conn.execute("SELECT CAST(path AS BLOB) FROM tracks")} == on_disk
    conn.close()


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_and_reports(tmp_path):
    music = tmp_path / "Music"
    make_demo_library(music, n_per_genre=2, formats=("mp3", "ogg"))
    db = tmp_path / "lib.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-m", "genre_desktop", "scan", str(music), "--db", str(db), "--json", "--jobs", "2"],
        cwd=PROJECT_ROOT, env=dict(os.environ, PYTHONPATH=str(PROJECT_ROOT)), text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while _count(db) < 1 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, "the scan ended before it could be interrupted"
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        stopped = time.monotonic() - started
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    report = json.loads(out)
    assert set(report) == KEYS and report["added"] >= 1
    assert stopped < 10
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM tracks").fetchone()[0] == report["added"]
    conn.close()
