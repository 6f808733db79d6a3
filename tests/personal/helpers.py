"""Helpers shared by the personal model tests."""

from __future__ import annotations


def drain(generator):
    """Run a library generator to its end; returns (progress values, result)."""
    seen = []
    while True:
        try:
            seen.append(next(generator))
        except StopIteration as stop:
            return seen, stop.value
