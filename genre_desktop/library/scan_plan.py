"""Compare what is on disk with what the library knows: what to skip, analyse, move, mark missing.

Unchanged means same size and modification time (and features from today's recipe); that
holds for files that failed before too, so a broken file is not re-decoded on every scan.
A new file with the size and content fingerprint of a track whose file is gone is that track,
moved or renamed: its row (and so its labels) follows the file instead of a new row appearing.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from genre_desktop.library.fingerprint import fingerprint
from genre_desktop.library.scan_store import KnownTrack, LibraryState
from genre_desktop.library.walk import FolderProblem, FoundFile

log = logging.getLogger(__name__)


@dataclass
class ScanPlan:
    unchanged: int = 0
    to_analyse: list[FoundFile] = field(default_factory=list)
    new_paths: set[str] = field(default_factory=set)  # of to_analyse, the ones not yet in the library
    moves: list[tuple[int, str, int, int, str]] = field(default_factory=list)
    restored: list[int] = field(default_factory=list)  # missing tracks whose file is back, unchanged
    vanished: list[int] = field(default_factory=list)  # present tracks whose file is gone
    problems: list[tuple[str, str, int | None, int | None]] = field(default_factory=list)
    gone_problems: list[str] = field(default_factory=list)  # problem entries whose file is gone


def inside(path: str, folder: str) -> bool:
    root = folder.rstrip(os.sep) + os.sep
    return path.startswith(root) or path == folder


def make_plan(
    found: Sequence[FoundFile],
    folder_problems: Sequence[FolderProblem],
    state: LibraryState,
    roots: Sequence[str],
) -> ScanPlan:
    plan = ScanPlan()
    on_disk = {f.path for f in found}
    new_files: list[FoundFile] = []
    for f in found:
        known = state.tracks.get(f.path)
        failed_before = state.problems.get(f.path)
        if f.problem is not None:
            if failed_before == (f.size, f.mtime_ns, f.problem):
                plan.unchanged += 1
            else:
                plan.problems.append((f.path, f.problem, f.size, f.mtime_ns))
        elif known is not None and (known.size, known.mtime_ns) == (f.size, f.mtime_ns) and known.current:
            plan.unchanged += 1
            if known.status != "ok":
                plan.restored.append(known.id)
        elif failed_before is not None and failed_before[:2] == (f.size, f.mtime_ns):
            plan.unchanged += 1  # failed before and not touched since (a track keeps its old analysis)
        elif known is not None:
            plan.to_analyse.append(f)
        else:
            new_files.append(f)

    unreadable = [p.path for p in folder_problems]
    plan.problems.extend((p.path, p.reason, None, None) for p in folder_problems)

    def in_scope(path: str) -> bool:
        # Files under a folder that could not be read may still exist: leave them alone.
        return any(inside(path, r) for r in roots) and not any(inside(path, u) for u in unreadable)

    plan.vanished = [
        t.id for t in state.tracks.values() if t.status == "ok" and t.path not in on_disk and in_scope(t.path)
    ]
    plan.gone_problems = [
        p for p in state.problems if p not in on_disk and p not in unreadable and in_scope(p)
    ]
    moved = _find_moves(new_files, state, on_disk, set(plan.vanished))
    for f in new_files:
        match = moved.get(f.path)
        if match is None:
            plan.to_analyse.append(f)
            plan.new_paths.add(f.path)
            continue
        track, fp = match
        plan.moves.append((track.id, f.path, f.size, f.mtime_ns, fp))
        if not track.current:
            plan.to_analyse.append(f)
    moved_ids = {m[0] for m in plan.moves}
    plan.vanished = [tid for tid in plan.vanished if tid not in moved_ids]
    return plan


def _find_moves(
    new_files: Sequence[FoundFile], state: LibraryState, on_disk: set[str], vanished: set[int]
) -> dict[str, tuple[KnownTrack, str]]:
    """new path -> (the track it is, its fingerprint). Only files whose size matches a track
    whose file is gone are fingerprinted, so a normal scan reads nothing extra."""
    sizes = {f.size for f in new_files}
    candidates: dict[int, list[KnownTrack]] = {}
    for t in state.tracks.values():
        if t.size not in sizes or not t.fingerprint or t.path in on_disk:
            continue
        if t.id in vanished or t.status == "missing" or not os.path.lexists(t.path):
            candidates.setdefault(t.size, []).append(t)
    if not candidates:
        return {}
    claimed: set[int] = set()
    moves: dict[str, tuple[KnownTrack, str]] = {}
    for f in new_files:
        same_size = [t for t in candidates.get(f.size, ()) if t.id not in claimed]
        if not same_size:
            continue
        try:
            fp = fingerprint(f.path)
        except OSError:
            continue
        for track in same_size:
            if track.fingerprint == fp:
                claimed.add(track.id)
                moves[f.path] = (track, fp)
                log.info("Recognised %r as the moved %r", f.path, track.path)
                break
    return moves
