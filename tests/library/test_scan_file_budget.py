"""Each file has a limit: a file that turned into a FIFO after the folder walk is refused at
once (fingerprinting opens regular files only), a worker stuck on a file is given up after the
pool's time limit (the file is recorded as taking too long, the others are analysed), and a
1 GB file of zeros is refused after reading a bounded part of it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from genre_desktop.library.scan_pool import AnalysisPool
from genre_desktop.library.scan_worker import analyse_job
from genre_desktop.library.walk import FoundFile

PROJECT_ROOT = Path(__file__).resolve().parents[2]
STUCK_MARK = "stuck"


def blocking_job(path, *args):
    """A decoder that never returns on one file: it opens a FIFO no one writes to and waits."""
    if STUCK_MARK in os.path.basename(path):
        with open(path, "rb") as fifo:
            fifo.read()
    return analyse_job(path, *args)


def _found(path: Path) -> FoundFile:
    st = os.stat(path)
    return FoundFile(str(path), st.st_size, st.st_mtime_ns)


def _python(code: str, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout,
                          cwd=PROJECT_ROOT, env=dict(os.environ, PYTHONPATH=str(PROJECT_ROOT)))


def test_a_file_that_became_a_fifo_is_refused_not_waited_for(tmp_path):
    fifo = tmp_path / "song.mp3"
    os.mkfifo(fifo)
    # In a process of its own: the old code blocked here forever.
    done = _python(
        "from genre_desktop.library.scan_worker import analyse_job\n"
        f"print(analyse_job({str(fifo)!r}, 1000, 0, 1, None, False).error)", timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "cannot read file (not a regular file)"


def test_a_stuck_file_is_given_up_and_the_others_are_analysed(tmp_path, gtzan_clips):
    music = tmp_path / "Music"
    music.mkdir()
    clips = []
    for clip in gtzan_clips[:4]:
        os.symlink(clip, music / clip.name)
        clips.append(music / clip.name)
    stuck = music / f"{STUCK_MARK}.mp3"
    os.mkfifo(stuck)
    found = [_found(clips[0]), FoundFile(str(stuck), 4096, 0), *map(_found, clips[1:])]
    pool = AnalysisPool(2, windows_per_track=1, model_dir=None, use_model=False, job=blocking_job,
                        file_seconds=5)
    started = time.monotonic()
    results = {r.path: r for r in pool.run(found) if r is not None}
    elapsed = time.monotonic() - started
    assert set(results) == {f.path for f in found}
    assert results[str(stuck)].error == "took too long to analyse (more than 5 s); it was skipped"
    assert all(results[str(p)].error is None for p in clips)
    assert pool.restarts == 1
    assert elapsed < 60, elapsed


def test_a_gigabyte_of_zeros_named_mp3_is_refused_quickly_in_little_memory(tmp_path):
    path = tmp_path / "zeros.mp3"
    with open(path, "wb") as fh:
        fh.truncate(1 << 30)
    code = (
        "import resource, time\n"
        "from genre_desktop.library.analysis import AnalysisError, analyze_file\n"
        "small = " + repr(str(tmp_path / "small.mp3")) + "\n"
        "open(small, 'wb').write(bytes(100_000))\n"
        "for p in (small, " + repr(str(path)) + "):\n"
        "    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "    started = time.monotonic()\n"
        "    try:\n"
        "        analyze_file(p, None)\n"
        "    except AnalysisError as exc:\n"
        "        reason = str(exc)\n"
        "print(reason, time.monotonic() - started,\n"
        "      (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)\n"
    )
    done = _python(code, timeout=120)
    assert done.returncode == 0, done.stderr
    reason, seconds, extra_mb = done.stdout.rsplit(maxsplit=2)
    print(f"1 GB of zeros: refused in {float(seconds):.2f} s, peak memory up {float(extra_mb):.0f} MB")
    assert reason == "not an audio file"
    assert float(extra_mb) <= 200
