"""Which stretches of a track to analyse.

The model was trained on 30-second clips, so a track is judged on a few 30-second windows
taken from its body rather than on the whole file:

- The first and last 10% of the track are skipped: intros, outros, fades, applause and
  silence say little about the genre. For a track only a little over 30 s the skip shrinks so
  that one full window still fits.
- Windows never overlap (overlapping crops add little evidence), so the body holds
  ``floor(body / 30)`` of them at most; fewer than ``count`` come back when it holds fewer.
- They are spread evenly: the first starts where the body starts, the last ends where it ends,
  and a single window sits in the middle of the track.
- A track of 30 s or less is one window covering all of it. Under 5 s is too short to say
  anything about and raises TooShort.

The result depends on the duration alone, so rescans pick the same windows.
"""

from __future__ import annotations

import math

from genre_desktop.core.types import Window

WINDOW_SECONDS = 30.0
MIN_TRACK_SECONDS = 5.0
EDGE_FRACTION = 0.10  # skipped at each end of the track


class TooShort(ValueError):
    """The track is too short to analyse; str(e) says how long it is."""


def choose_windows(duration: float, count: int = 3) -> list[Window]:
    """Up to ``count`` non-overlapping windows of WINDOW_SECONDS over the body of the track."""
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    if not math.isfinite(duration) or duration < 0:
        raise ValueError(f"invalid track duration: {duration!r}")
    if duration < MIN_TRACK_SECONDS:
        raise TooShort(
            f"too short to analyse: {duration:.1f} s (at least {MIN_TRACK_SECONDS:g} s needed)"
        )
    if duration <= WINDOW_SECONDS:
        return [Window(0.0, float(duration))]

    edge = min(EDGE_FRACTION * duration, (duration - WINDOW_SECONDS) / 2)
    body_start, body_end = edge, duration - edge
    body = body_end - body_start
    n = max(1, min(count, int(body // WINDOW_SECONDS)))
    if n == 1:
        starts = [body_start + (body - WINDOW_SECONDS) / 2]
    else:
        step = (body - WINDOW_SECONDS) / (n - 1)  # >= WINDOW_SECONDS: no overlap
        starts = [body_start + i * step for i in range(n)]
    return [Window(start, min(start + WINDOW_SECONDS, float(duration))) for start in starts]
