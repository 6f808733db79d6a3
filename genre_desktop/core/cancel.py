"""Cooperative cancellation for long operations."""

from __future__ import annotations

import threading


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
