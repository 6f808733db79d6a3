"""The exceptions the decoding modules share (kept apart so none of them imports another's internals)."""

from __future__ import annotations


class DecodeError(Exception):
    """A file could not be decoded; ``str(e)`` says why in plain words."""


class Refused(Exception):
    """A decoder does not accept this content; the next one may."""


class TruncatedError(DecodeError):
    """The data ends well before the length the file announces."""


class InvalidSamplesError(DecodeError):
    """The samples are not numbers a recording can hold (e.g. 1e30 in a float WAV)."""
