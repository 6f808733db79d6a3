"""What plays next: the tracks the user started (a selection, a playlist, or the view from the
track they picked), in order. The player continues through it and Next/Previous move in it."""

from __future__ import annotations

from collections.abc import Sequence

RESTART_AFTER_SECONDS = 3.0  # Previous restarts the track when this far in, as players do


class PlayQueue:
    def __init__(self) -> None:
        self.ids: list[int] = []
        self.index = -1

    def start(self, ids: Sequence[int], first: int | None = None) -> int | None:
        """Queue these tracks and return the one to play (`first`, or the first of them)."""
        self.ids = list(dict.fromkeys(ids))  # each track once, in order
        if not self.ids:
            self.index = -1
            return None
        self.index = self.ids.index(first) if first in self.ids else 0
        return self.ids[self.index]

    @property
    def current(self) -> int | None:
        return self.ids[self.index] if 0 <= self.index < len(self.ids) else None

    def next(self) -> int | None:
        """The next track (None at the end: the queue stays where it is)."""
        if self.index + 1 >= len(self.ids):
            return None
        self.index += 1
        return self.ids[self.index]

    def previous(self, position: float) -> int | None:
        """The track to play on Previous: the same one from its start when it has played a
        while (or is the first), else the one before."""
        if self.current is None:
            return None
        if position < RESTART_AFTER_SECONDS and self.index > 0:
            self.index -= 1
        return self.ids[self.index]

    def drop(self, track_ids: Sequence[int]) -> None:
        """Tracks that left the library leave the queue."""
        gone = set(track_ids)
        current = self.current
        self.ids = [i for i in self.ids if i not in gone]
        self.index = self.ids.index(current) if current in self.ids else min(self.index, len(self.ids) - 1)
