"""Scanning music folders into the library.

`scan` is a generator: it yields ScanProgress at most ~30 times a second and returns a
ScanReport. Steps: walk the folders, compare with the library (scan_plan), analyse new and
changed files in worker processes (scan_pool), commit results in batches through the one
LibraryWriter, mark vanished files missing, then classify stored features that lack a
prediction from the current model. Every committed batch is final, so a scan that is
cancelled or killed resumes where it stopped: committed files are unchanged next time.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from genre_desktop.core.cancel import CancelToken, drain
from genre_desktop.library import scan_store
from genre_desktop.library.aliases import record_aliases, split_aliases
from genre_desktop.library.db import printable
from genre_desktop.library.scan_plan import ScanPlan, inside, make_plan
from genre_desktop.library.reclassify import reclassify
from genre_desktop.library.scan_lock import scan_lock
from genre_desktop.library.scan_pool import AnalysisPool
from genre_desktop.library.walk import FolderProblem, FoundFile, walk_folders
from genre_desktop.library.writer import LibraryWriter
from genre_desktop.library.writes import add_folder, set_model_info

if TYPE_CHECKING:
    from genre_desktop.core.model.classifier import GenreClassifier
    from genre_desktop.library.scan_worker import JobResult

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 1 / 30
BATCH_SIZE = 25
BATCH_SECONDS = 0.5


@dataclass
class ScanProgress:
    done: int
    total: int
    current: str
    eta_seconds: float | None
    finished_ids: list[int]  # tracks written since the previous report
    phase: str = "analysing"  # 'finding' | 'analysing' | 'classifying'


@dataclass
class ScanReport:
    scanned: int = 0  # audio files found
    added: int = 0
    updated: int = 0  # re-analysed after a change, or recognised after a move
    unchanged: int = 0  # skipped: same size and time (including files that failed before)
    missing: int = 0  # library tracks under these folders whose file is gone
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason), this scan
    seconds: float = 0.0
    cancelled: bool = False
    predicted: int = 0  # stored tracks newly classified by the current model
    aliases: list[tuple[str, str]] = field(default_factory=list)  # (link, the track's path)

    def as_json(self) -> dict[str, Any]:
        return {
            "scanned": self.scanned, "added": self.added, "updated": self.updated,
            "unchanged": self.unchanged, "missing": self.missing,
            "failed": [{"path": printable(p), "reason": r} for p, r in self.failed],
            "seconds": round(self.seconds, 3),
        }


class _Pacer:
    """Says when the next progress report is due (at most one per interval)."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.last = 0.0

    def due(self) -> bool:
        now = time.monotonic()
        if now - self.last >= self.interval:
            self.last = now
            return True
        return False


def scan(
    folders: Sequence[str | os.PathLike[str]], *, writer: LibraryWriter, **options: Any,
) -> Generator[ScanProgress, None, ScanReport]:
    """Scan `folders` into the library behind `writer` (options: see _scan). Only one scan per
    library runs at a time: another one already running raises ScanAlreadyRunning."""
    with scan_lock(writer.db_path):
        return (yield from _scan(folders, writer=writer, **options))


def _scan(
    folders: Sequence[str | os.PathLike[str]],
    *,
    writer: LibraryWriter,
    jobs: int | None = None,
    windows_per_track: int = 3,
    model_dir: str | os.PathLike[str] | None = None,
    cancel: CancelToken | None = None,
    use_model: bool = True,
    personal_dir: str | os.PathLike[str] | None = None,
) -> Generator[ScanProgress, None, ScanReport]:
    """Scan `folders` into the library behind `writer`; see the module docstring.

    jobs: worker processes (None: one per core). model_dir: the model to classify with (None:
    the bundled one); without a usable model, or with use_model=False, features are stored
    and a later scan with a model classifies them. personal_dir: the user's personal model,
    joined to the bundled one by the scan and its workers (None: the bundled model alone). cancel: stops at the next file or window;
    whatever was committed stays, and the report says cancelled=True.
    """
    started = time.monotonic()
    cancel = cancel or CancelToken()
    pacer = _Pacer(PROGRESS_INTERVAL)
    report = ScanReport()
    roots = [os.path.abspath(os.fspath(f)) for f in folders]

    found: list[FoundFile] = []
    folder_problems: list[FolderProblem] = []
    for item in walk_folders(roots, cancel):
        if isinstance(item, FoundFile):
            found.append(item)
        elif isinstance(item, FolderProblem):
            folder_problems.append(item)
        elif pacer.due():
            yield ScanProgress(len(found), 0, item, None, [], phase="finding")
    found, report.aliases = split_aliases(found)  # a file's other names (links) are not tracks
    report.scanned = len(found)
    if cancel.cancelled:
        return _finish(report, started, cancelled=True)

    # Heavy imports and the model come after the walk, so that progress shows up at once.
    from genre_desktop.core.feature_schema import MODEL_RECIPE_VERSION, RECIPE_VERSION
    from genre_desktop.core.model.checks import model_problem

    model_path = os.fspath(model_dir) if model_dir is not None else None
    personal_path = os.fspath(personal_dir) if personal_dir is not None else None
    with_model = use_model and model_problem(model_path) is None
    # Without a model only the audio features can be had: tracks that have them are current.
    current = [MODEL_RECIPE_VERSION] if with_model else [MODEL_RECIPE_VERSION, RECIPE_VERSION]
    state = writer.call(lambda c: scan_store.load_state(c, current))
    plan = make_plan(found, folder_problems, state, roots)
    report.unchanged = plan.unchanged
    reanalysed = {f.path for f in plan.to_analyse}
    report.updated = sum(1 for m in plan.moves if m[1] not in reanalysed)
    report.failed.extend((p, reason) for p, reason, _, _ in plan.problems)
    writer.call(lambda c: _apply_plan(c, plan, roots))
    writer.call(lambda c: record_aliases(c, report.aliases, roots))

    # Each worker loads the models itself (and goes on without an unusable one). This process
    # loads them only once the workers are gone: the scan's peak memory is during the analysis.
    pool = AnalysisPool(jobs, windows_per_track=windows_per_track, model_dir=model_path,
                        use_model=with_model, personal_dir=personal_path if with_model else None)
    yield from _analyse(plan, pool, writer, report, cancel, pacer)

    # The walk was complete, so even a cancelled scan knows which files are gone.
    report.missing = writer.call(lambda c: _mark_missing(c, plan.vanished, roots))
    classifier = None
    if with_model and not cancel.cancelled:
        from genre_desktop.core.model.classifier import load_classifier  # only now: numpy, sklearn, ONNX Runtime

        classifier = load_classifier(model_path, personal_path)
    if classifier is not None:
        writer.call(lambda c: set_model_info(
            c, classifier.version, classifier.genres, classifier.recommended_threshold))
        yield from _classify_stored(classifier, writer, MODEL_RECIPE_VERSION, report, cancel, pacer)
    return _finish(report, started, cancelled=cancel.cancelled)


def _finish(report: ScanReport, started: float, cancelled: bool) -> ScanReport:
    report.cancelled = cancelled
    report.seconds = time.monotonic() - started
    log.info("Scan %s: %s", "cancelled" if cancelled else "done", report.as_json() | {"failed": len(report.failed)})
    return report


def _apply_plan(conn, plan: ScanPlan, roots: Sequence[str]) -> None:
    known_folders = [r[0] for r in conn.execute("SELECT path FROM folders")]
    for root in roots:
        if os.path.isdir(root) and not any(inside(root, f) for f in known_folders):
            add_folder(conn, root)
    scan_store.apply_moves(conn, plan.moves)
    scan_store.set_status(conn, plan.restored, "ok")
    scan_store.record_problems(conn, plan.problems)
    scan_store.forget_problems(conn, plan.gone_problems)


def _mark_missing(conn, vanished: Sequence[int], roots: Sequence[str]) -> int:
    # A vanished track may have been found again meanwhile (moved and retagged: its audio).
    paths = conn.execute("SELECT id, path FROM tracks WHERE id IN (SELECT value FROM json_each(?))",
                         (json.dumps(list(vanished)),)).fetchall()
    vanished = [tid for tid, path in paths if not os.path.lexists(path)]
    scan_store.set_status(conn, vanished, "missing")
    paths = [r[0] for r in conn.execute("SELECT path FROM tracks WHERE status = 'missing'")]
    return sum(1 for p in paths if any(inside(p, r) for r in roots))


def _analyse(
    plan: ScanPlan, pool: AnalysisPool, writer: LibraryWriter, report: ScanReport,
    cancel: CancelToken, pacer: _Pacer,
) -> Generator[ScanProgress, None, None]:
    total = len(plan.to_analyse)
    done = 0
    pending: list["JobResult"] = []
    finished_ids: list[int] = []
    last_commit = time.monotonic()
    analysis_started = time.monotonic()

    def commit() -> None:
        nonlocal last_commit
        batch = list(pending)
        pending.clear()
        last_commit = time.monotonic()
        if batch:
            outcome = writer.call(lambda c: scan_store.store_batch(c, batch))
            report.added += len(outcome.added)
            report.updated += len(outcome.updated)
            report.failed.extend(outcome.failed)
            finished_ids.extend(outcome.added + outcome.updated)

    yield ScanProgress(0, total, "", None, [])
    with contextlib.closing(pool.run(plan.to_analyse, cancel)) as results:
        for result in results:
            if result is not None:
                pending.append(result)
                done += 1
            if len(pending) >= BATCH_SIZE or (pending and time.monotonic() - last_commit >= BATCH_SECONDS):
                commit()
            if pacer.due() or done == total:
                elapsed = time.monotonic() - analysis_started
                eta = elapsed / done * (total - done) if done else None
                yield ScanProgress(done, total, pool.current, eta, list(finished_ids))
                finished_ids.clear()
    commit()
    if finished_ids:
        yield ScanProgress(done, total, "", 0.0, list(finished_ids))


def _classify_stored(
    classifier: "GenreClassifier", writer: LibraryWriter, recipe: str, report: ScanReport,
    cancel: CancelToken, pacer: _Pacer,
) -> Generator[ScanProgress, None, None]:
    """Give stored features a prediction from the current model (a new model, or tracks first
    scanned without one). Labels are not touched; derived genres are recomputed."""
    finished: list[int] = []
    done = total = 0
    for done, total, ids in reclassify(classifier, writer, recipe, cancel):
        report.predicted += len(ids)
        finished.extend(ids)
        if pacer.due():
            yield ScanProgress(done, total, "", None, finished, phase="classifying")
            finished = []
    if finished:
        yield ScanProgress(done, total, "", 0.0, finished, phase="classifying")


def scan_folders(db_path: str | os.PathLike[str], folders: Sequence[str | os.PathLike[str]], **kw: Any) -> ScanReport:
    """Run a whole scan with its own writer (the CLI, scripts, tests)."""
    with LibraryWriter(db_path) as writer:
        return drain(scan(folders, writer=writer, **kw))
