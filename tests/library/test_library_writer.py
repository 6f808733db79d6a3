"""LibraryWriter: one thread, one transaction per submitted function."""

from __future__ import annotations

import threading

import pytest

from genre_desktop.library.db import connect
from genre_desktop.library.writer import LibraryWriter


def _put(key: str, value: str):
    return lambda c: c.execute("INSERT INTO meta VALUES (?, ?)", (key, value)).rowcount


def test_submit_returns_a_future_with_the_result(writer):
    assert writer.submit(_put("a", "1")).result(timeout=5) == 1
    assert writer.call(lambda c: c.execute("SELECT value FROM meta WHERE key='a'").fetchone()[0]) == "1"


def test_failing_function_rolls_back_everything_it_did(writer):
    def half_then_fail(conn):
        conn.execute("INSERT INTO meta VALUES ('half', 'x')")
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        writer.call(half_then_fail)
    assert writer.call(lambda c: c.execute("SELECT count(*) FROM meta").fetchone()[0]) == 0
    assert writer.call(_put("after", "ok")) == 1  # the writer keeps working


def test_all_writes_run_on_one_thread_and_in_transactions(writer):
    seen = set()

    def record(conn):
        seen.add(threading.get_ident())
        assert conn.in_transaction
        return threading.get_ident()

    threads = [threading.Thread(target=lambda: writer.call(record)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 1 and threading.get_ident() not in seen


def test_readers_see_committed_data_while_the_writer_works(db_path, writer):
    writer.call(_put("k", "v"))
    reader = connect(db_path, readonly=True)
    assert reader.execute("SELECT value FROM meta").fetchone()[0] == "v"
    reader.close()


def test_close_finishes_queued_work_then_refuses_more(db_path):
    writer = LibraryWriter(db_path)
    futures = [writer.submit(_put(f"k{i}", "v")) for i in range(50)]
    writer.close()
    assert all(f.result() == 1 for f in futures)
    with pytest.raises(RuntimeError):
        writer.submit(_put("late", "v"))
    conn = connect(db_path)
    assert conn.execute("SELECT count(*) FROM meta").fetchone()[0] == 50
    conn.close()
