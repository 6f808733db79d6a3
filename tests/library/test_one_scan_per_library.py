"""One scan per library at a time: while a scan runs, a second scan of the same library (from
the command line or the window) is refused at once with a reason; another library scans in
parallel. Real processes, real locks."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from genre_desktop.library.scan_lock import BUSY_REASON, lock_path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))


@pytest.fixture
def music(tmp_path, gtzan_clips) -> Path:
    folder = tmp_path / "Music"
    folder.mkdir()
    for clip in gtzan_clips[:12]:
        os.symlink(clip, folder / clip.name)
    return folder


def _scan(music: Path, db: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "genre_desktop", "scan", str(music), "--db", str(db), "--jobs", "1",
         "--json", "--no-model"],
        cwd=PROJECT_ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _locked_by_someone(db: Path) -> bool:
    try:
        fd = os.open(lock_path(db), os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def _wait_until_scanning(db: Path, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while not _locked_by_someone(db):
        assert proc.poll() is None and time.monotonic() < deadline, "the first scan never started"
        time.sleep(0.05)


def test_a_second_scan_of_one_library_is_refused_and_another_library_scans_alongside(music, tmp_path):
    db, other_db = tmp_path / "one.sqlite3", tmp_path / "other.sqlite3"
    first = _scan(music, db)
    _wait_until_scanning(db, first)
    other = _scan(music, other_db)  # another library: not held up
    second = subprocess.run(
        [sys.executable, "-m", "genre_desktop", "scan", str(music), "--db", str(db), "--json", "--no-model"],
        cwd=PROJECT_ROOT, env=ENV, capture_output=True, text=True, timeout=120)
    assert second.returncode == 1
    assert second.stderr.strip() == f"genre-desktop scan: {BUSY_REASON}" and second.stdout == ""
    assert first.poll() is None, "the refusal came only after the first scan ended"
    for proc in (first, other):
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert json.loads(out)["added"] == 12


def test_the_window_says_so_too(qtbot, music, tmp_path):
    from genre_desktop.library.writer import LibraryWriter
    from genre_desktop.services.scan_service import ScanOptions, ScanService
    from genre_desktop.services.tasks import TaskRunner

    db = tmp_path / "lib.sqlite3"
    first = _scan(music, db)
    tasks = TaskRunner()
    writer = LibraryWriter(db)
    try:
        _wait_until_scanning(db, first)
        service = ScanService(writer=writer, tasks=tasks, options=lambda: ScanOptions(jobs=1))
        with qtbot.waitSignal(service.failed, timeout=60_000) as failed:
            service.scan([str(music)])
        assert BUSY_REASON in failed.args[0]
        assert first.poll() is None
    finally:
        first.communicate(timeout=300)
        tasks.shutdown()
        writer.close()
    assert first.returncode == 0
