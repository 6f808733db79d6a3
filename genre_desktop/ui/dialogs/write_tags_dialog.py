"""Write genres (and, when ticked, moods and styles) to files: a staged diff of every file that
would change, re-planned off the GUI thread whenever an option changes; nothing is written until
the user presses Write. The write then runs in the background with progress and Cancel, and ends
with what was done.

Each plan request bumps a generation number, so only the newest plan is ever shown or written.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QHBoxLayout, QHeaderView, QLabel, QProgressBar, QPushButton, QStackedWidget,
    QTableView, QVBoxLayout, QWidget,
)

from genre_desktop.library.db import printable
from genre_desktop.services.tag_service import TagPlan, TagService
from genre_desktop.ui.dialogs.tag_batch_panel import WRITE_WORDS, BatchRunPanel, plural, ready_to_close
from genre_desktop.ui.dialogs.write_tags_options import WriteTagsOptionsForm
from genre_desktop.ui.itemmodels.tag_change_model import COLUMNS, FILE, SOUNDS, TagChangeModel

log = logging.getLogger(__name__)

DEBOUNCE_MS = 200
DIFF_PAGE, RUN_PAGE = range(2)
COLUMN_WIDTHS = (300, 150, 130, 90, 90, 220)
GENRE_HINT = ("Only the genre tag changes; the sound and other tags stay as they are. "
              "File → Undo last tag write puts the old genres back.")
SOUNDS_HINT = ("The genre, mood and style tags change; the sound and other tags stay as they are. "
               "File → Undo last tag write puts the old tags back.")


def plan_summary(plan: TagPlan, sound_tags: bool = False) -> str:
    """'57 files will change, 12 skipped because they already have a genre.' and what else."""
    kept = len(plan.kept_existing)
    parts = [f"{plural(len(plan.changes), 'file')} will change" if plan.changes else "Nothing to write"]
    if kept:
        parts.append(f"{kept:,} skipped because {'it already has' if kept == 1 else 'they already have'} a genre")
    if plan.unchanged:
        parts.append(f"{plan.unchanged:,} already {'has its' if plan.unchanged == 1 else 'have their'} "
                     f"{'tags' if sound_tags else 'genre'}")
    if plan.skipped:
        parts.append(f"{plural(len(plan.skipped), 'file')} cannot be written")
    return ", ".join(parts) + "."


def skipped_tooltip(plan: TagPlan, limit: int = 20) -> str:
    lines = [f"{printable(os.path.basename(path))}: {reason}" for path, reason in plan.skipped[:limit]]
    if len(plan.skipped) > limit:
        lines.append(f"… and {len(plan.skipped) - limit:,} more")
    return "\n".join(lines)


class WriteTagsDialog(QDialog):
    planShown = Signal(object)  # the TagPlan now in the table
    batchFinished = Signal(object)  # BatchResult (None when the write stopped on an error)

    def __init__(self, service: TagService, threshold: float, selected_ids: Sequence[int],
                 whole_library: bool = False, parent: QWidget | None = None,
                 remembered: tuple[bool, float | None, bool] = (False, None, False)) -> None:
        super().__init__(parent)
        self.setWindowTitle("Write genres to files")
        self.resize(980, 620)
        self.service = service
        self.selected_ids = list(selected_ids)
        self.plan = TagPlan()
        self.result = None  # the BatchResult once the write ended
        self._done = False
        self._generation = 0
        self._shown_generation = 0
        self._planned_options = None
        self._plan_task = None
        self._task = None

        self.form = WriteTagsOptionsForm(threshold, len(self.selected_ids), whole_library,
                                         model_genres=remembered[0], min_confidence=remembered[1],
                                         sound_tags=remembered[2])
        self.form.changed.connect(self._schedule)
        self.model = TagChangeModel(self)
        self.table = QTableView()
        self.table.setObjectName("tagDiffTable")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(FILE, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        for column, width in enumerate(COLUMN_WIDTHS[:len(COLUMNS)]):
            header.resizeSection(column, width)
        header.setSectionResizeMode(FILE, QHeaderView.ResizeMode.Stretch)
        self.run_panel = BatchRunPanel()
        self.run_panel.ended.connect(self._on_ended)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.table)
        self.pages.addWidget(self.run_panel)

        self.summary = QLabel()
        self.summary.setObjectName("tagWriteSummary")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setFixedWidth(120)
        self.busy.setTextVisible(False)
        self.hint = QLabel()
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        self.write_button = QPushButton("Write")
        self.write_button.setDefault(True)
        self.write_button.setToolTip("Write the new genres into the files listed (Enter)")
        self.write_button.clicked.connect(self.confirm)
        self.close_button = QPushButton("Close")
        self.close_button.setAutoDefault(False)
        self.close_button.setToolTip("Close without writing anything (Esc)")
        self.close_button.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(self.busy)
        bottom.addWidget(self.write_button)
        bottom.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.hint)
        layout.addLayout(bottom)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.replan)
        self._show_sound_tags(self.form.sound_tags.isChecked())
        self.form.sound_tags.toggled.connect(self._show_sound_tags)
        self.replan()

    def _show_sound_tags(self, shown: bool) -> None:
        self.table.setColumnHidden(SOUNDS, not shown)
        self.hint.setText(SOUNDS_HINT if shown else GENRE_HINT)

    # -- planning -------------------------------------------------------------------------------
    @property
    def is_planning(self) -> bool:
        """An option changed and its plan is not shown yet."""
        return self._debounce.isActive() or self._shown_generation != self._generation

    @property
    def is_writing(self) -> bool:
        return self._task is not None

    @property
    def write_task(self):
        """The running write's Task (progress is (done, total)), or None."""
        return self._task

    def _schedule(self) -> None:
        self._mark_stale()
        self._debounce.start()

    def replan(self) -> None:
        self._debounce.stop()
        self._generation += 1
        generation = self._generation
        options = self.form.options()
        ids = None if self.form.whole_library else self.selected_ids
        self._mark_stale()
        self._cancel_plan()
        self._plan_task = self.service.plan(
            options, ids, on_result=lambda plan: self._show_plan(generation, options, plan),
            on_error=lambda error: self._show_plan_error(generation, error))

    def _cancel_plan(self) -> None:
        """A plan for options no longer shown need not read the rest of the files."""
        if self._plan_task is not None and self._plan_task.is_running:
            self._plan_task.cancel()

    def _mark_stale(self) -> None:
        """Until the new plan arrives the old one must not be written."""
        self.summary.setText("Checking the files' genre tags…")
        self.summary.setToolTip("")
        self.busy.show()
        self.table.setEnabled(False)
        self.write_button.setEnabled(False)

    def _show_plan(self, generation: int, options, plan: TagPlan) -> None:
        if generation != self._generation or self.is_writing or self._done:
            return  # an older request finished late, or the write has begun
        self._shown_generation = generation
        self._planned_options = options
        self.plan = plan
        self.model.set_changes(plan.changes)
        self.busy.hide()
        self.table.setEnabled(True)
        self.summary.setText(plan_summary(plan, options.sound_tags))
        self.summary.setToolTip(skipped_tooltip(plan))
        count = len(plan.changes)
        self.write_button.setText(f"Write {plural(count, 'file')}" if count else "Write")
        self.write_button.setEnabled(bool(count))
        self.planShown.emit(plan)

    def _show_plan_error(self, generation: int, error: object) -> None:
        if generation == self._generation:
            self._shown_generation = generation
            self.busy.hide()
            self.summary.setText(f"Could not check the files: {error}")

    # -- writing --------------------------------------------------------------------------------
    def confirm(self) -> bool:
        """Write the plan shown (Enter). False when there is nothing current to write."""
        if self.is_planning or self.is_writing or self._done or not self.plan.changes:
            return False
        task = self.service.write(self.plan.changes, self._planned_options)
        if task is None:
            self.summary.setText("Another tag write is still running; try again when it has finished.")
            return False
        self._task = task
        self.form.setEnabled(False)
        self.write_button.setEnabled(False)
        self.close_button.setText("Cancel")
        self.close_button.setToolTip("Stop after the current file (Esc)")
        self.summary.setText("")
        self.run_panel.follow(task, WRITE_WORDS, len(self.plan.changes))
        self.pages.setCurrentIndex(RUN_PAGE)
        return True

    def _on_ended(self, result) -> None:
        self._task = None
        self.result = result
        self._finish()
        self.batchFinished.emit(result)

    def _finish(self) -> None:
        self._done = True
        self.write_button.hide()
        ready_to_close(self.close_button)

    def reject(self) -> None:
        """Esc, Close or the window's close box: while writing, stop the write instead."""
        if self._task is not None:
            self.run_panel.stop(self._task, self.close_button)
            return
        self._debounce.stop()
        self._generation += 1  # a plan still on its way is dropped
        self._cancel_plan()
        super().reject()
