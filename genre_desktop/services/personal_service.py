"""The personal model from the GUI: learn from the corrections, switch it on and off, and find
the tracks worth asking about, all in the background (library/personalize.py, library/review.py).

PersonalModelService signals (all arrive on the GUI thread):
  busyChanged(bool)       learning or re-classifying started (True) / ended (False)
  progress(object)        personalize.LearnProgress(stage: str, done: int, total: int); total 0
                          means the stage has no count (show a busy bar)
  learned(object)         personalize.LearnSummary after learn() finished
  repredicted(object)     personalize.RepredictOutcome after set_enabled() re-classified
  enabledChanged(bool)    True: the personal model is used; False: "Use bundled model only"
  statusChanged(object)   personalize.PersonalStatus: the model or its use changed
  reviewQueueReady(list)  list[review.ReviewItem], the answer to review_queue(), best first
  failed(str)             a reason for people; learn() changed nothing when this comes first
  cancelled()             learn() or set_enabled() stopped on request (see personalize.learn)
After anything that re-classified tracks, LibraryService.libraryChanged is emitted too, so the
library views re-query.

Methods: learn(), set_enabled(bool), cancel(), review_queue(limit=50), status() (a card read and
a count: fine on the GUI thread), is_busy, enabled.
- Learning switches the personal model on (that is what asking to learn means).
- Asked while a scan runs, learn() and set_enabled() wait for the scan's end; a change made while
  a scan ran is re-applied when it ends (the scan classified with the model it started with).
- Automatic mode: with Settings.learn_after_corrections = N > 0, the service learns by itself once
  N tracks were corrected since the last fit (checked whenever LibraryService.tracksChanged).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from genre_desktop.core.settings import Settings
from genre_desktop.library import personalize
from genre_desktop.library.db import connect
from genre_desktop.services.tasks import Task, TaskRunner

log = logging.getLogger(__name__)


class PersonalModelService(QObject):
    busyChanged = Signal(bool)
    progress = Signal(object)
    learned = Signal(object)
    repredicted = Signal(object)
    enabledChanged = Signal(bool)
    statusChanged = Signal(object)
    reviewQueueReady = Signal(list)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, library: Any, tasks: TaskRunner, settings: Settings, save_settings: Callable[[], None],
                 personal_dir: Path, model_dir: Path | None = None, scanning: Any = None,
                 parent: QObject | None = None) -> None:
        """library: LibraryService; scanning: ScanService (None: no scans to wait for)."""
        super().__init__(parent)
        self._library = library
        self._tasks = tasks
        self._settings = settings
        self._save_settings = save_settings
        self.personal_dir = Path(personal_dir)
        self._model_dir = model_dir
        self._scanning = scanning
        self._bundled: Any = None  # the loaded bundled classifier, shared by the tasks
        self._bundled_lock = threading.Lock()
        self._task: Task | None = None
        self._review_task: Task | None = None
        self._waiting: Callable[[], None] | None = None  # a request held back by a running scan
        self._resync_after_scan = False
        self._enable_after_learn = True  # False once the user switched it off while learning
        self._failure_prefix = ""
        library.tracksChanged.connect(self._maybe_learn_automatically)
        if scanning is not None:
            scanning.runningChanged.connect(self._on_scan_running)

    # -- state ------------------------------------------------------------------------------------
    @property
    def is_busy(self) -> bool:
        return self._task is not None

    @property
    def enabled(self) -> bool:
        return bool(self._settings.use_personal_model)

    def status(self) -> personalize.PersonalStatus:
        return personalize.personal_status(self._library.reader.conn, self.personal_dir,
                                           self._bundled_version(), self.enabled)

    # -- requests ---------------------------------------------------------------------------------
    def learn(self) -> bool:
        """Fit on the corrections, save, re-classify the library. False: already busy."""
        if self._task is not None:
            return False
        if self._scan_running():
            self._waiting = self.learn
            return True
        self._enable_after_learn = True
        self._start(self._learn_job, "Learning stopped", self._on_learned)
        return True

    def set_enabled(self, enabled: bool) -> bool:
        """Use the personal model (True) or the bundled model alone (False), and re-classify the
        library from stored features. The personal model is kept either way."""
        changed = bool(enabled) != self.enabled
        self._settings.use_personal_model = bool(enabled)
        self._save_settings()
        if changed:
            self.enabledChanged.emit(bool(enabled))
            self.statusChanged.emit(self.status())
        if self._task is not None or self._scan_running():
            self._enable_after_learn = False
            self._waiting = lambda: self.set_enabled(self.enabled)
            return True
        self._start(self._repredict_job, "Classifying the library again stopped", self._on_repredicted)
        return True

    def cancel(self) -> None:
        self._waiting = None
        if self._task is not None:
            self._task.cancel()

    def review_queue(self, limit: int = 50) -> Task:
        """Find the tracks worth asking about; the answer comes as reviewQueueReady."""
        if self._review_task is not None:
            self._review_task.cancel()
        db_path, use_personal = self._library.db_path, self.enabled

        def job(cancel):
            from genre_desktop.core.feature_schema import MODEL_RECIPE_VERSION
            from genre_desktop.library.review import review_queue

            classifier = self._classifier(use_personal)
            conn = connect(db_path, readonly=True)
            try:
                return review_queue(conn, classifier, MODEL_RECIPE_VERSION, limit, cancel)
            finally:
                conn.close()

        task = self._tasks.run(job, name="review queue", pass_cancel=True,
                               on_result=self.reviewQueueReady.emit,
                               on_error=lambda e: self.failed.emit(f"The review queue could not be made: {e}"))
        self._review_task = task
        task.ended.connect(lambda: self._review_ended(task))
        return task

    # -- background jobs (worker threads) -----------------------------------------------------------
    def _learn_job(self, cancel):
        from genre_desktop.core.feature_schema import MODEL_RECIPE_VERSION

        return (yield from personalize.learn(self._library.writer, self._classifier(False),
                                             self.personal_dir, MODEL_RECIPE_VERSION, cancel))

    def _repredict_job(self, cancel):
        from genre_desktop.core.feature_schema import MODEL_RECIPE_VERSION

        return (yield from personalize.repredict(self._library.writer, self._classifier(self.enabled),
                                                 MODEL_RECIPE_VERSION, cancel))

    def _classifier(self, use_personal: bool):
        """The bundled model (loaded once), joined by the personal model when asked and usable."""
        from genre_desktop.core.personal import model as personal_model
        from genre_desktop.core.model.classifier import GenreClassifier

        with self._bundled_lock:
            if self._bundled is None:
                self._bundled = GenreClassifier.load(self._model_dir)
            bundled = self._bundled
        if not use_personal:
            return bundled
        try:
            return bundled.with_personal(personal_model.load(self.personal_dir, bundled.version))
        except personal_model.PersonalModelError as exc:
            log.warning("Using the bundled model alone: %s", exc)
            return bundled

    def _bundled_version(self) -> str:
        from genre_desktop.core import model_card
        from genre_desktop.paths import models_dir

        if self._bundled is not None:
            return self._bundled.version
        card = model_card.read_card(self._model_dir or models_dir())
        return str(card.get("model_version") or model_card.model_version(card.get("sha256", "")))

    # -- outcomes (GUI thread) -------------------------------------------------------------------
    def _start(self, job, failure_prefix: str, on_result) -> None:
        self._failure_prefix = failure_prefix
        task = self._tasks.run(job, name=failure_prefix, pass_cancel=True, on_progress=self.progress.emit,
                               on_result=on_result, on_error=self._on_failed)
        task.cancelled.connect(self._on_cancelled)
        task.ended.connect(self._on_ended)
        self._task = task
        self.busyChanged.emit(True)

    def _on_learned(self, summary: personalize.LearnSummary) -> None:
        if not self.enabled and self._enable_after_learn:
            self._settings.use_personal_model = True
            self._save_settings()
            self.enabledChanged.emit(True)
        self._after_change()
        self.learned.emit(summary)

    def _on_repredicted(self, outcome: personalize.RepredictOutcome) -> None:
        self._after_change()
        self.repredicted.emit(outcome)

    def _on_failed(self, error: object) -> None:
        self.failed.emit(str(error) if isinstance(error, ValueError) else f"{self._failure_prefix}: {error}")
        self._library.libraryChanged.emit()

    def _on_cancelled(self) -> None:
        self.cancelled.emit()
        self._library.libraryChanged.emit()  # re-classifying may have begun

    def _after_change(self) -> None:
        if self._scan_running():
            self._resync_after_scan = True
        self._library.libraryChanged.emit()
        self.statusChanged.emit(self.status())

    def _on_ended(self) -> None:
        self._task = None
        self.busyChanged.emit(False)
        if self._waiting is not None and not self._scan_running():
            waiting, self._waiting = self._waiting, None
            waiting()

    def _review_ended(self, task: Task) -> None:
        if self._review_task is task:
            self._review_task = None

    def _scan_running(self) -> bool:
        return bool(self._scanning is not None and self._scanning.is_running)

    def _on_scan_running(self, running: bool) -> None:
        if running:
            if self._task is not None:
                self._resync_after_scan = True
            return
        if self._waiting is not None and self._task is None:
            waiting, self._waiting = self._waiting, None
            waiting()
        elif self._resync_after_scan and self._task is None:
            self._resync_after_scan = False
            self.set_enabled(self.enabled)

    def _maybe_learn_automatically(self, _ids: list) -> None:
        every = int(self._settings.learn_after_corrections or 0)
        if every <= 0 or self._task is not None or self._waiting is not None:
            return
        if self.status().corrections_since >= every:
            log.info("Learning from corrections by itself (%d or more since the last fit)", every)
            self.learn()
