"""Worker processes: a crashing decoder does not stop the scan, cancelling is prompt and keeps
what was finished, progress is paced."""

from __future__ import annotations

import functools
import os
import signal
import sqlite3
import time

import pytest

from genre_desktop.core.cancel import CancelToken
from genre_desktop.library import scanner
from genre_desktop.library.scan_pool import CRASH_REASON, AnalysisPool
from genre_desktop.library.scan_worker import analyse_job
from genre_desktop.library.walk import FoundFile
from genre_desktop.library.writer import LibraryWriter
from tests.library.scan_helpers import track_by_path

CRASH_MARK = "crash-me"


def crashing_job(path, *args):
    """Like a decoder segfault on one particular file."""
    if CRASH_MARK in os.path.basename(path):
        os.kill(os.getpid(), signal.SIGSEGV)
    return analyse_job(path, *args)


def slow_job(path, *args):
    time.sleep(0.4)
    return analyse_job(path, *args)


def _files(music):
    return sorted(p for p in music.rglob("*") if p.is_file())


def _found(path) -> FoundFile:
    st = os.stat(path)
    return FoundFile(str(path), st.st_size, st.st_mtime_ns)


def test_pool_isolates_the_file_that_kills_its_worker(music):
    files = _files(music)
    bad = files[2].with_name(f"{CRASH_MARK}.mp3")
    files[2].rename(bad)
    files[2] = bad
    pool = AnalysisPool(2, windows_per_track=1, model_dir=None, use_model=False, job=crashing_job)
    results = {r.path: r for r in pool.run([_found(p) for p in files]) if r is not None}
    assert set(results) == {str(p) for p in files}
    assert results[str(bad)].error == CRASH_REASON
    assert all(r.error is None for p, r in results.items() if p != str(bad))
    assert pool.restarts >= 1


def _drive(generator, on_progress=lambda p: None):
    while True:
        try:
            on_progress(next(generator))
        except StopIteration as stop:
            return stop.value


def test_scan_goes_on_after_a_worker_crash(music, tmp_path, monkeypatch):
    files = _files(music)
    bad = files[0].with_name(f"{CRASH_MARK}{files[0].suffix}")
    files[0].rename(bad)
    monkeypatch.setattr(scanner, "AnalysisPool", functools.partial(AnalysisPool, job=crashing_job))
    db = tmp_path / "lib.sqlite3"
    report = scanner.scan_folders(db, [music], jobs=2, use_model=False)
    assert report.failed == [(str(bad), CRASH_REASON)]
    assert report.added == len(files) - 1
    again = scanner.scan_folders(db, [music], jobs=2, use_model=False)
    assert again.unchanged == len(files) and again.failed == []  # not retried while unchanged


def test_cancel_is_prompt_and_keeps_finished_tracks(music, tmp_path, monkeypatch):
    monkeypatch.setattr(scanner, "AnalysisPool", functools.partial(AnalysisPool, job=slow_job))
    monkeypatch.setattr(scanner, "BATCH_SIZE", 1)
    db = tmp_path / "lib.sqlite3"
    cancel = CancelToken()
    times = {}
    reports = []

    def on_progress(progress):
        reports.append(time.monotonic())
        if progress.finished_ids and "cancel" not in times:
            times["cancel"] = time.monotonic()
            cancel.cancel()

    with LibraryWriter(db) as writer:
        report = _drive(scanner.scan([music], writer=writer, jobs=2, use_model=False, cancel=cancel), on_progress)
        stopped = time.monotonic()
    assert report.cancelled
    assert stopped - times["cancel"] < 3.0
    stored = track_by_path(db)
    assert 1 <= len(stored) < len(_files(music)) and report.added == len(stored)
    assert len(reports) <= (reports[-1] - reports[0]) / scanner.PROGRESS_INTERVAL + 5  # ~30 Hz at most
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    rest = scanner.scan_folders(db, [music], jobs=2, use_model=False)
    assert rest.added == len(_files(music)) - len(stored) and rest.unchanged == len(stored)


def test_spawned_workers_work_too(music, tmp_path, monkeypatch):
    """The frozen app and Windows/macOS start workers with 'spawn': nothing may rely on fork."""
    import multiprocessing

    from genre_desktop.library import scan_pool

    monkeypatch.setattr(scan_pool, "_context", lambda: multiprocessing.get_context("spawn"))
    report = scanner.scan_folders(tmp_path / "lib.sqlite3", [music], jobs=2, use_model=False)
    assert report.added == len(_files(music)) and report.failed == []
