"""Possible duplicates: tracks whose files are the same (same content fingerprint), or where one
file is a truncated copy of another (same title and artist, the same first bytes, but shorter).
Only found and shown: nothing is ever deleted."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from pathlib import PurePath

log = logging.getLogger(__name__)

HEAD_BYTES = 64 * 1024  # a truncated copy begins with the same bytes as the whole file
SAME = "same audio"
TRUNCATED = "truncated copy"


@dataclass(frozen=True)
class DuplicateTrack:
    track_id: int
    path: str
    title: str | None
    artist: str | None
    duration: float | None
    size: int


@dataclass(frozen=True)
class DuplicateGroup:
    kind: str  # SAME or TRUNCATED
    tracks: list[DuplicateTrack]  # the biggest file first: the others may be its copies

    @property
    def shorter(self) -> list[DuplicateTrack]:
        """The files that look cut short (TRUNCATED groups): those smaller than the biggest."""
        if self.kind != TRUNCATED:
            return []
        return [t for t in self.tracks if t.size < self.tracks[0].size]


def head_hash(path: str) -> str | None:
    try:
        with open(path, "rb") as fh:
            return hashlib.blake2b(fh.read(HEAD_BYTES), digest_size=16).hexdigest()
    except OSError as exc:
        log.info("Cannot read %s to compare it: %s", path, exc)
        return None


def _name_key(track: DuplicateTrack) -> tuple[str, str]:
    title = track.title or PurePath(track.path).stem
    return " ".join(title.lower().split()), " ".join((track.artist or "").lower().split())


def find_duplicates(conn: sqlite3.Connection, read_head=head_hash) -> list[DuplicateGroup]:
    """Every group of possible duplicates among the present tracks. Only tracks sharing a title
    and artist have their first bytes read, so a large library costs a few reads."""
    rows = conn.execute(
        "SELECT id, path, title, artist, duration, size, fingerprint FROM tracks WHERE status = 'ok'"
    ).fetchall()
    by_fingerprint: dict[str, list[DuplicateTrack]] = defaultdict(list)
    by_name: dict[tuple[str, str], list[DuplicateTrack]] = defaultdict(list)
    for track_id, path, title, artist, duration, size, fp in rows:
        track = DuplicateTrack(track_id, path, title, artist, duration, int(size))
        if fp:
            by_fingerprint[fp].append(track)
        by_name[_name_key(track)].append(track)
    groups = [DuplicateGroup(SAME, sorted(ts, key=lambda t: t.path))
              for ts in by_fingerprint.values() if len(ts) > 1]
    for tracks in by_name.values():
        if len(tracks) < 2:
            continue
        by_head: dict[str, list[DuplicateTrack]] = defaultdict(list)
        for track in tracks:
            digest = read_head(track.path)
            if digest is not None:
                by_head[digest].append(track)
        for same_start in by_head.values():
            if len({t.size for t in same_start}) > 1:  # same beginning, different lengths
                groups.append(DuplicateGroup(TRUNCATED, sorted(same_start, key=lambda t: (-t.size, t.path))))
    return sorted(groups, key=lambda g: (g.kind, g.tracks[0].path))
