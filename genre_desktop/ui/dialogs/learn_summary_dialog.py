"""What learning from your corrections changed: the headline numbers, tracks per genre before and
after, how well your model does on your own labels, and which genres need more examples."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHeaderView, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from genre_desktop.ui.genre_colors import genre_color
from genre_desktop.ui.panels.sidebar import color_icon
from genre_desktop.ui.widgets.before_after_chart import BeforeAfterChart


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def headline(changed: int, confident_before: int, confident_after: int) -> str:
    """"312 tracks changed genre; 1,204 are now confident (+480)"."""
    delta = confident_after - confident_before
    sign = "+" if delta >= 0 else "−"
    return (f"{plural(changed, 'track')} changed genre; "
            f"{confident_after:,} {'is' if confident_after == 1 else 'are'} now confident ({sign}{abs(delta):,})")


def accuracy_text(accuracy: float | None, folds: int | None, labelled: int) -> str:
    if accuracy is None:
        return ("Not enough corrections yet to test your model on tracks it did not learn from. "
                "Its genres are used all the same.")
    how = f"{folds}-fold cross-validation" if folds else "cross-validation"
    return (f"On your own {plural(labelled, 'correction')}, your model gets <b>{accuracy:.0%}</b> right "
            f"({how}: each label is predicted by a model that never saw it).")


class LearnSummaryDialog(QDialog):
    def __init__(self, summary: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("What your model learned")
        self.setObjectName("learnSummary")
        self.resize(680, 640)
        self.summary = summary
        layout = QVBoxLayout(self)

        self.headline = QLabel(f"<h2>{headline(summary.changed, summary.confident_before, summary.confident_after)}</h2>")
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.headline)
        self.accuracy = QLabel(accuracy_text(summary.cv_accuracy, summary.cv_folds, summary.labelled))
        self.accuracy.setWordWrap(True)
        layout.addWidget(self.accuracy)

        layout.addWidget(_heading("Tracks per genre"))
        self.chart = BeforeAfterChart()
        self.chart.set_counts(summary.counts_before, summary.counts_after)
        layout.addWidget(self.chart)

        layout.addWidget(_heading("What it learned from"))
        self.examples = QTreeWidget()
        self.examples.setRootIsDecorated(False)
        self.examples.setUniformRowHeights(True)
        self.examples.setHeaderLabels(["Genre", "Your examples", ""])
        self.examples.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.examples.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        need = summary.min_examples
        for genre, n in sorted(summary.examples.items(), key=lambda kv: (-kv[1], kv[0].lower())):
            note = "" if n >= need else f"too few: add {need - n} more to teach it this genre"
            item = QTreeWidgetItem([genre, f"{n:,}", note])
            item.setIcon(0, color_icon(genre_color(genre)))
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if note:
                item.setForeground(2, self.palette().placeholderText())
            self.examples.addTopLevelItem(item)
        self.examples.setMaximumHeight(min(220, 28 + 24 * max(1, len(summary.examples))))
        layout.addWidget(self.examples)
        self.too_few = QLabel(self._too_few_text())
        self.too_few.setWordWrap(True)
        self.too_few.setObjectName("hint")
        self.too_few.setVisible(bool(self.too_few.text()))
        layout.addWidget(self.too_few)
        layout.addStretch(1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _too_few_text(self) -> str:
        few = [g for g, n in self.summary.examples.items() if n < self.summary.min_examples]
        if not few:
            return ""
        return (f"{', '.join(sorted(few, key=str.lower))}: fewer than {self.summary.min_examples} examples, "
                "so your model cannot tell these apart yet. Correct a few more tracks of "
                f"{'this genre' if len(few) == 1 else 'these genres'}, then learn again.")


def _heading(text: str) -> QLabel:
    label = QLabel(f"<b>{text}</b>")
    label.setObjectName("sectionHeading")
    return label
