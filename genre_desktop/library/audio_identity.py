"""The hash of a file's audio alone, tags left out (audio.audio_payload, the same hash a tag
write checks): it stays the same when the file's tags are rewritten, so a file that was moved
and retagged in one step is still recognised as the track it was, and keeps its corrections."""

from __future__ import annotations

import logging
import os

from genre_desktop.audio.audio_payload import PayloadError, payload_digest
from genre_desktop.audio.tag_formats import TagFormatError, detect_kind

log = logging.getLogger(__name__)


def audio_sha256(path: str | os.PathLike[str]) -> str | None:
    """sha256 of the file's audio data; None for formats without tags to leave out (WAV...) or
    when the audio cannot be located."""
    try:
        return payload_digest(path, detect_kind(os.fspath(path)))
    except (TagFormatError, PayloadError, OSError) as exc:
        log.debug("No audio hash for %r: %s", path, exc)
        return None
