"""Cooperative cancellation for long operations, and running one to its end.

A long operation (scan, learn, tag write, undo) is a generator that yields its progress and
returns its result; ``drain`` runs one where nobody shows the progress."""

from __future__ import annotations

import threading
from collections.abc import Generator
from typing import Any, TypeVar

T = TypeVar("T")


class Cancelled(Exception):
    """Raised by CancelToken.check() once cancellation was requested."""


class CancelToken:
    """Thread-safe flag that long loops check for each file or window."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled()


def drain(steps: Generator[Any, Any, T]) -> T:
    """Run a progress generator to its end; returns what it returns."""
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value
