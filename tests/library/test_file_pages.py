"""A process that lets go of its library code keeps working with the same results, and the
scan's fork server holds little library code once it has warmed up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from genre_desktop.library.file_pages import _unchanged_code_ranges
from genre_desktop.library.scan_pool import AnalysisPool
from genre_desktop.library.walk import FoundFile

PROJECT_ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and madvise are Linux's")


def _resident_file_mib(pid: int) -> float:
    """Resident pages of pid's file mappings (PSS counts them), in MiB."""
    fields = {}
    with open(f"/proc/{pid}/smaps_rollup") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                fields[parts[0]] = int(parts[1])
    return (fields["Rss:"] - fields["Anonymous:"]) / 1024


def test_released_library_pages_come_back_on_use_with_the_same_results():
    code = (
        "import json, os, numpy as np, scipy.fft, scipy.signal\n"
        "from genre_desktop.library.file_pages import release_file_pages\n"
        "from tests.library.test_file_pages import _resident_file_mib\n"
        "def work():\n"
        "    x = np.random.default_rng(0).standard_normal(1 << 16)\n"
        "    return [float(np.abs(scipy.fft.rfft(x)).sum()), float(scipy.signal.medfilt(x, 31).sum())]\n"
        "first = work()\n"
        "before = _resident_file_mib(os.getpid())\n"
        "released = release_file_pages()\n"
        "after = _resident_file_mib(os.getpid())\n"
        "print(json.dumps([first, work(), before, after, released]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=PROJECT_ROOT, env=dict(os.environ, PYTHONPATH=str(PROJECT_ROOT)))
    assert done.returncode == 0, done.stderr
    first, again, before, after, released = json.loads(done.stdout)
    assert again == first  # the same code, paged in again from the same files
    assert released > 0
    assert after < before / 2, (before, after)


def test_only_unchanged_read_only_file_mappings_are_released():
    smaps = """\
7f0000000000-7f0000004000 r--p 00000000 fe:00 11 /usr/lib/libdemo.so
Rss:                  16 kB
Anonymous:             0 kB
7f0000004000-7f0000010000 r-xp 00004000 fe:00 11 /usr/lib/libdemo.so
Anonymous:             0 kB
7f0000010000-7f0000012000 r--p 00010000 fe:00 11 /usr/lib/libdemo.so
Anonymous:             8 kB
7f0000012000-7f0000013000 rw-p 00012000 fe:00 11 /usr/lib/libdemo.so
Anonymous:             0 kB
7f0000013000-7f0000020000 rw-p 00000000 00:00 0
Anonymous:            52 kB
7f0000020000-7f0000021000 r--s 00000000 00:05 12 /dev/shm/sem.demo
Anonymous:             0 kB
7f0000030000-7f0000031000 r--p 00000000 00:00 0
Anonymous:             0 kB
""".splitlines(keepends=True)
    assert _unchanged_code_ranges(smaps) == [(0x7F0000000000, 0x4000), (0x7F0000004000, 0xC000)]


def test_the_fork_server_keeps_little_library_code_after_warming_up(gtzan_clips):
    import multiprocessing.forkserver as forkserver

    pool = AnalysisPool(1, windows_per_track=1, model_dir=None, use_model=False)
    st = os.stat(gtzan_clips[0])
    results = [r for r in pool.run([FoundFile(str(gtzan_clips[0]), st.st_size, st.st_mtime_ns)]) if r is not None]
    assert results and results[0].error is None
    server = forkserver._forkserver._forkserver_pid
    # Warming up maps ~180 MB of library code (LLVM's alone ~100 MB); what is left is the
    # little the server has run since.
    assert _resident_file_mib(server) < 30
