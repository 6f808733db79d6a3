"""A scan killed with SIGKILL leaves no process behind: its fork server, its workers and the
resource tracker notice that their parent is gone and exit within seconds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.library.process_tree import session_members

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ORPHAN_SECONDS = 10


@pytest.fixture
def music(tmp_path, gtzan_clips) -> Path:
    """Enough real clips (symlinked) that the workers are busy when the scan is killed."""
    folder = tmp_path / "Music"
    folder.mkdir()
    for clip in gtzan_clips[:40]:
        os.symlink(clip, folder / clip.name)
    return folder


def _start_scan(music: Path, db: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "genre_desktop", "scan", str(music), "--db", str(db), "--jobs", "2"],
        cwd=PROJECT_ROOT, env=dict(os.environ, PYTHONPATH=str(PROJECT_ROOT)),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )


def _wait_for_workers(session: int, wanted: int, timeout: float = 120) -> list[tuple[int, str]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        members = session_members(session)
        if len(members) >= wanted:
            return members
        time.sleep(0.2)
    pytest.fail(f"the scan did not start its workers: {session_members(session)}")


def test_no_process_of_a_killed_scan_outlives_it_by_ten_seconds(music, tmp_path):
    scan = _start_scan(music, tmp_path / "lib.sqlite3")
    try:
        # The scan, its resource tracker, its fork server and two workers.
        members = _wait_for_workers(scan.pid, 5)
        time.sleep(2)  # well into the analysis
        assert scan.poll() is None, "the scan ended before it could be killed"
        os.kill(scan.pid, signal.SIGKILL)
        scan.wait()
        killed_at = time.monotonic()
        left = session_members(scan.pid)
        while left and time.monotonic() - killed_at < ORPHAN_SECONDS:
            time.sleep(0.1)
            left = session_members(scan.pid)
        assert left == [], f"still running {ORPHAN_SECONDS} s after the kill: {left} (were {members})"
        print(f"the scan's {len(members) - 1} helper processes were gone "
              f"{time.monotonic() - killed_at:.2f} s after the kill")
    finally:
        for pid, _ in session_members(scan.pid):  # do not leave them to the next test
            os.kill(pid, signal.SIGKILL)
