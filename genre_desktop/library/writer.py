"""The one writer: a thread that owns the only write connection to the library.

Every change (scan batches, corrections, playlists) is a plain function `fn(conn) -> T`
submitted here. Each runs in its own BEGIN IMMEDIATE … COMMIT transaction, rolled back if it
raises, so a crash or kill never leaves half a change behind. Functions must not commit or
begin transactions themselves. Readers use their own connections; WAL keeps them unblocked.
"""

from __future__ import annotations

import logging
import os
import queue
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from genre_desktop.library.db import connect

log = logging.getLogger(__name__)

T = TypeVar("T")

_STOP = object()


class LibraryWriter:
    def __init__(self, db_path: str | os.PathLike[str]) -> None:
        self.db_path = Path(db_path)
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._closed = False
        opened: Future[None] = Future()
        self._thread = threading.Thread(
            target=self._run, args=(opened,), name="library-writer", daemon=True
        )
        self._thread.start()
        opened.result()  # re-raises LibraryError / SchemaTooNewError from the thread

    def submit(self, fn: Callable[[sqlite3.Connection], T]) -> "Future[T]":
        future: Future[T] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the library writer is closed")
            self._jobs.put((fn, future))
        return future

    def call(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Submit and wait; exceptions raised by fn are re-raised here."""
        return self.submit(fn).result()

    def close(self) -> None:
        """Finish the queued work, then close the connection."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._jobs.put(_STOP)
        self._thread.join()

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> "LibraryWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self, opened: "Future[None]") -> None:
        try:
            conn = connect(self.db_path, check_same_thread=True)
        except BaseException as exc:
            with self._lock:
                self._closed = True
            opened.set_exception(exc)
            return
        opened.set_result(None)
        try:
            while True:
                job = self._jobs.get()
                if job is _STOP:
                    break
                fn, future = job
                if future.set_running_or_notify_cancel():
                    self._run_one(conn, fn, future)
        finally:
            try:
                conn.execute("PRAGMA optimize")
            except sqlite3.Error:
                pass
            conn.close()

    @staticmethod
    def _run_one(conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], Any], future: Future) -> None:
        try:
            conn.execute("BEGIN IMMEDIATE")
        except BaseException as exc:
            future.set_exception(exc)
            return
        try:
            result = fn(conn)
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            log.debug("Library write %r rolled back: %s", fn, exc)
            future.set_exception(exc)
            return
        future.set_result(result)
