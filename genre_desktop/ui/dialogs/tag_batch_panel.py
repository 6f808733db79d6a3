"""Progress and outcome of a tag write or undo: a progress bar while it runs, then what was done,
with every file that failed or was skipped listed with its reason (selectable and copyable)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout, QHeaderView, QLabel, QProgressBar, QPushButton, QSizePolicy, QTreeWidget, QTreeWidgetItem,
    QVBoxLayout, QWidget,
)

from genre_desktop.library.db import printable
from genre_desktop.services.tasks import Task

FAILED, SKIPPED = "Failed", "Skipped"


@dataclass(frozen=True)
class BatchWords:
    """How one kind of batch speaks: 'Writing genres…' / 'Restoring tags…'."""
    name: str  # "write", "undo"
    running: str
    done: str  # "{n} files written" etc.
    stopped: str


WRITE_WORDS = BatchWords("write", "Writing tags to files…", "{n} written",
                         "Stopped: the files written so far keep their new genre")
UNDO_WORDS = BatchWords("undo", "Putting back the previous tags…", "{n} restored",
                        "Stopped: the files restored so far keep their old genre")


def ready_to_close(button: QPushButton) -> None:
    """The dialog's Cancel button becomes its default Close once the batch has ended."""
    button.setText("Close")
    button.setToolTip("")
    button.setEnabled(True)
    button.setDefault(True)
    button.setFocus()


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def outcome_summary(result, words: BatchWords) -> str:
    files = plural(len(result.written), "file")
    parts = [words.done.format(n=files)]
    if result.failed:
        parts.append(f"{plural(len(result.failed), 'file')} could not be changed")
    if result.skipped:
        parts.append(f"{len(result.skipped):,} skipped")
    text = ", ".join(parts) + "."
    return f"{words.stopped}. {text}" if result.cancelled else text


class BatchRunPanel(QWidget):
    ended = Signal(object)  # the BatchResult of a followed task, or None when it stopped on an error

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel()
        self.heading.setObjectName("sectionHeading")
        self.heading.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setFormat("%v / %m")
        self.problems = QTreeWidget()
        self.problems.setRootIsDecorated(False)
        self.problems.setUniformRowHeights(True)
        self.problems.setSortingEnabled(True)
        self.problems.setHeaderLabels(["File", "Outcome", "Reason"])
        self.problems.setSelectionMode(QTreeWidget.SelectionMode.ExtendedSelection)
        header = self.problems.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        header.resizeSection(0, 300)
        self.copy_button = QPushButton("Copy list")
        self.copy_button.setToolTip("Copy every listed file with its reason, one per line")
        self.copy_button.clicked.connect(self.copy_list)
        copy_row = QHBoxLayout()
        copy_row.addStretch(1)
        copy_row.addWidget(self.copy_button)

        # Takes the room of the hidden list, so the heading and bar stay at the top.
        self._filler = QWidget()
        self._filler.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.bar)
        layout.addWidget(self.problems, 1)
        layout.addLayout(copy_row)
        layout.addWidget(self._filler, 1)
        self._show_list(False)

    def follow(self, task: Task, words: BatchWords, total: int = 0) -> None:
        """Show this task's progress, then its outcome; `ended` is emitted after either."""
        self.start(words, total)
        task.progress.connect(self.update_progress)
        task.succeeded.connect(lambda result: self._end(result, words))
        task.failed.connect(lambda error: self._stop(f"The {words.name} stopped: {error}"))
        task.cancelled.connect(lambda: self._stop(f"The {words.name} was stopped."))

    def _end(self, result, words: BatchWords) -> None:
        self.show_result(result, words)
        self.ended.emit(result)

    def _stop(self, message: str) -> None:
        self.show_error(message)
        self.ended.emit(None)

    def start(self, words: BatchWords, total: int = 0) -> None:
        self.heading.setText(words.running)
        self.bar.setRange(0, total)  # 0..0 is Qt's busy bar until the first report
        self.bar.setValue(0)
        self.bar.show()
        self.problems.clear()
        self._show_list(False)

    def update_progress(self, progress: tuple[int, int]) -> None:
        done, total = progress
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))

    def stop(self, task: Task, close_button: QPushButton) -> None:
        """Cancel the followed task; the dialog cannot close until it has stopped."""
        task.cancel()
        close_button.setEnabled(False)
        self.heading.setText("Stopping after the current file…")

    def show_result(self, result, words: BatchWords) -> None:
        self.bar.hide()
        self.heading.setText(outcome_summary(result, words))
        self.problems.setSortingEnabled(False)
        self.problems.clear()
        rows = [(path, FAILED, reason) for path, reason in result.failed]
        rows += [(path, SKIPPED, reason) for path, reason in result.skipped]
        items = []
        for path, outcome, reason in rows:
            item = QTreeWidgetItem([printable(os.path.basename(path)), outcome, reason])
            item.setData(0, Qt.ItemDataRole.UserRole, printable(path))
            item.setToolTip(0, printable(path))
            item.setToolTip(2, reason)
            items.append(item)
        self.problems.addTopLevelItems(items)
        self.problems.setSortingEnabled(True)
        self.problems.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # failed before skipped
        self._show_list(bool(items))

    def show_error(self, message: str) -> None:
        self.bar.hide()
        self.heading.setText(message)

    def listed(self) -> list[tuple[str, str, str]]:
        """(path, outcome, reason) of every listed file, in the order shown."""
        items = (self.problems.topLevelItem(i) for i in range(self.problems.topLevelItemCount()))
        return [(item.data(0, Qt.ItemDataRole.UserRole), item.text(1), item.text(2)) for item in items]

    def copy_list(self) -> None:
        lines = [f"{outcome}\t{path}\t{reason}" for path, outcome, reason in self.listed()]
        QGuiApplication.clipboard().setText(os.linesep.join(lines))

    def _show_list(self, visible: bool) -> None:
        self.problems.setVisible(visible)
        self.copy_button.setVisible(visible)
        self._filler.setVisible(not visible)
