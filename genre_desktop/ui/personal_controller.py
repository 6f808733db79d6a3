"""Learning from the user's corrections, from the window: the Learn action and when it is
possible, progress with Cancel, the before/after summary, "Use bundled model only", and the
review queue. The work runs in services/personal_service.py; this only shows it."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMessageBox

from genre_desktop.ui.dialogs.learn_summary_dialog import LearnSummaryDialog, headline, plural
from genre_desktop.ui.panels.learn_progress import LearnProgressWidget
from genre_desktop.ui.panels.review_panel import QueueEntry

if TYPE_CHECKING:
    from genre_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)

MIN_CORRECTIONS_TO_LEARN = 5  # fewer teach a model little, and cannot be cross-validated
REVIEW_QUEUE_LENGTH = 50
STATUS_DELAY_MS = 300  # corrections come in bursts (Ctrl+1 on a selection, undo)


class PersonalController(QObject):
    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.w = window
        self.service = window.context.personal
        self.status: Any = None  # personalize.PersonalStatus
        self.labelled = 0  # tracks with a correction in force
        self.last_summary: Any = None  # personalize.LearnSummary of this session's last learning
        self.summary_dialog: LearnSummaryDialog | None = None
        self._asked = False  # the user asked for the running learn (automatic runs do not pop up)
        self._queue_stale = True
        self.progress = LearnProgressWidget()
        window.statusBar().insertPermanentWidget(0, self.progress)
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.setInterval(STATUS_DELAY_MS)
        self._status_timer.timeout.connect(self.update_status)

        a = window.actions
        a.learn.triggered.connect(self.learn)
        a.learn_summary.triggered.connect(self.show_last_summary)
        a.learn_summary.setEnabled(False)
        a.use_bundled_only.setChecked(not self.service.enabled)
        a.use_bundled_only.triggered.connect(lambda checked: self.service.set_enabled(not checked))
        self.progress.cancelRequested.connect(self.service.cancel)
        s = self.service
        s.busyChanged.connect(self._on_busy)
        s.progress.connect(lambda p: self.progress.update_stage(p.stage, p.done, p.total))
        s.learned.connect(self._on_learned)
        s.repredicted.connect(self._on_repredicted)
        s.enabledChanged.connect(lambda on: a.use_bundled_only.setChecked(not on))
        s.statusChanged.connect(lambda _status: self.update_status())
        s.reviewQueueReady.connect(self._on_queue)
        s.failed.connect(self._on_failed)
        s.cancelled.connect(self._on_cancelled)
        library = window.context.library
        library.tracksChanged.connect(self._on_tracks_changed)
        library.libraryChanged.connect(self._library_changed)
        window.scans.scanFinished.connect(lambda _report: self._library_changed())
        window.review.refreshRequested.connect(self.refresh_queue)
        window.tabs.currentChanged.connect(self._on_tab)
        self.update_status()

    # -- learning -------------------------------------------------------------------------------
    def learn(self) -> bool:
        if self.service.is_busy or self.labelled < MIN_CORRECTIONS_TO_LEARN:
            return False
        self._asked = True
        self.service.learn()
        if not self.service.is_busy:  # held back by a running scan
            self.w.statusBar().showMessage("Your model learns as soon as the scan finishes.", 6000)
        return True

    def _on_busy(self, busy: bool) -> None:
        if busy:
            self.progress.start()
        else:
            self.progress.stop()
        self.update_status()

    def _on_learned(self, summary) -> None:
        self.last_summary = summary
        self.w.actions.learn_summary.setEnabled(True)
        self._queue_stale = True
        if self._asked:
            self.show_last_summary()
        else:
            self.w.statusBar().showMessage(
                f"Your model learned from your corrections by itself: "
                f"{headline(summary.changed).lower()}. "
                "Model → What your model learned… shows the details.", 15000)
        self._asked = False
        if self.w.tabs.currentWidget() is self.w.review:
            self.refresh_queue()

    def show_last_summary(self) -> LearnSummaryDialog | None:
        if self.last_summary is None:
            return None
        dialog = LearnSummaryDialog(self.last_summary, self.w)
        dialog.finished.connect(dialog.deleteLater)
        self.summary_dialog = dialog
        dialog.open()
        return dialog

    def _on_repredicted(self, outcome) -> None:
        which = "your model" if self.service.enabled else "the bundled model only"
        self._queue_stale = True
        self.w.statusBar().showMessage(
            f"Now using {which}: {plural(outcome.changed, 'track')} changed genre.", 8000)
        if self.w.tabs.currentWidget() is self.w.review:
            self.refresh_queue()

    def _on_failed(self, message: str) -> None:
        log.warning("Personal model: %s", message)
        self.w.review.set_busy(False)  # a failed look for the queue must not leave it "looking"
        self.w.statusBar().showMessage(message, 15000)
        if self._asked:
            box = QMessageBox(QMessageBox.Icon.Warning, "Learn from my corrections", message,
                              QMessageBox.StandardButton.Ok, self.w)
            box.finished.connect(box.deleteLater)
            box.open()
        self._asked = False

    def _on_cancelled(self) -> None:
        self._asked = False
        self.w.statusBar().showMessage("Learning stopped.", 6000)

    # -- what the Learn action says ---------------------------------------------------------------
    def update_status(self) -> None:
        from genre_desktop.library.personalize import corrections_since_last_fit

        self._status_timer.stop()
        try:
            self.status = self.service.status()
            self.labelled = corrections_since_last_fit(self.w.context.library.reader.conn, None)
        except Exception as exc:  # noqa: BLE001 - a read problem must not break the window
            log.warning("Could not read the personal model's status: %s", exc)
            return
        a = self.w.actions
        busy = self.service.is_busy
        ready = self.labelled >= MIN_CORRECTIONS_TO_LEARN
        a.learn.setEnabled(ready and not busy)
        tip = learn_tip(self.status, self.labelled, busy)
        a.learn.setToolTip(tip)
        a.learn.setStatusTip(tip)
        a.use_bundled_only.setEnabled(bool(self.status.exists))
        a.use_bundled_only.setToolTip(
            "Ignore your model and show the bundled model's genres (your model is kept)"
            if self.status.exists else "You have no model of your own yet: learn from your corrections first")
        self.w.review.set_learn_hint(review_hint(self.status, self.labelled,
                                                 self.w.context.settings.learn_after_corrections))

    # -- review queue ---------------------------------------------------------------------------
    def refresh_queue(self) -> None:
        self._queue_stale = False
        self.w.review.set_busy(True)
        self.service.review_queue(REVIEW_QUEUE_LENGTH)

    def _on_queue(self, items: list) -> None:
        rows = self.w.context.library.reader.rows([item.track_id for item in items])
        entries = [QueueEntry(rows[item.track_id], item.reason, item.detail)
                   for item in items if item.track_id in rows]
        self.w.review.set_entries(entries)
        self.w.review.set_busy(False)
        self.w.sidebar.set_review_count(len(self.w.review.entries()))

    def _library_changed(self) -> None:
        """Tracks came, went or were classified again: look for the queue again when next shown."""
        self._queue_stale = True
        self._status_timer.start()

    def _on_tab(self, _index: int) -> None:
        if self.w.tabs.currentWidget() is self.w.review and self._queue_stale:
            self.refresh_queue()

    def _on_tracks_changed(self, ids: list[int]) -> None:
        """A correction takes a track off the queue; undoing it puts the track back."""
        self._status_timer.start()
        queued = {e.row.id for e in self.w.review.all_entries()} & set(ids)
        if not queued:
            return
        rows = self.w.context.library.reader.rows(sorted(queued))
        answered = {tid for tid, row in rows.items() if row.genre_source == "you"}
        self.w.review.set_answered(answered, True)
        self.w.review.set_answered(queued - answered, False)
        self.w.sidebar.set_review_count(len(self.w.review.entries()))


def learn_tip(status, labelled: int, busy: bool) -> str:
    if busy:
        return "Your model is learning (see the status bar)"
    if labelled < MIN_CORRECTIONS_TO_LEARN:
        return (f"Correct at least {MIN_CORRECTIONS_TO_LEARN} tracks first (you have corrected {labelled}): "
                "your model learns from the genres you set")
    if status is None or not status.exists:
        return f"Train your own model on your {plural(labelled, 'correction')} (Ctrl+L)"
    when = datetime.fromtimestamp(status.trained_at).strftime("%Y-%m-%d %H:%M") if status.trained_at else "before"
    new = status.corrections_since
    return (f"Learn again: {plural(new, 'new correction')} since your model learned on {when} (Ctrl+L)"
            if new else f"Learn again (your model already knows all your corrections, {when}) (Ctrl+L)")


def review_hint(status, labelled: int, automatic_after: int) -> str:
    """How answers here count toward the next learning."""
    if labelled < MIN_CORRECTIONS_TO_LEARN:
        left = MIN_CORRECTIONS_TO_LEARN - labelled
        return f"{left} more {'answer' if left == 1 else 'answers'} and your model can learn (Ctrl+L)."
    new = status.corrections_since if status is not None and status.exists else labelled
    if automatic_after > 0:
        left = max(0, automatic_after - new)
        return (f"{plural(new, 'new correction')} since your model learned; it learns again by itself "
                f"after {left} more." if left else "Your model learns again by itself now.")
    return f"{plural(new, 'new correction')} since your model learned. Learn again with Ctrl+L."
