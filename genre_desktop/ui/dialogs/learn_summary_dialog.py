"""What learning from your corrections changed: the headline numbers, tracks per genre before and
after, how well your model does on your own labels, and which genres need more examples."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHeaderView, QLabel, QScrollArea, QTreeWidget, QTreeWidgetItem, QVBoxLayout,
    QWidget,
)

from genre_desktop.ui.genre_colors import genre_color
from genre_desktop.ui.panels.sidebar import color_icon
from genre_desktop.ui.widgets.before_after_chart import BeforeAfterChart

TOO_FEW_COLOR = "#b35c00"  # amber: needs attention, not an error


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def headline(changed: int, confident_before: int, confident_after: int) -> str:
    """"312 tracks changed genre; 1,204 are now confident (+480)"."""
    delta = confident_after - confident_before
    sign = "+" if delta >= 0 else "−"
    return (f"{plural(changed, 'track')} changed genre; "
            f"{confident_after:,} {'is' if confident_after == 1 else 'are'} now confident ({sign}{abs(delta):,})")


def accuracy_text(accuracy: float | None, bundled: float | None, folds: int | None, labelled: int,
                  new_genres: list[str] = ()) -> str:
    if accuracy is None:
        return (f"Learned from {plural(labelled, 'corrected track')}. That is not yet enough to test it "
                "on tracks it did not learn from; its genres are used all the same.")
    how = f"{folds}-fold cross-validation" if folds else "cross-validation"
    unknown = f" (it does not know {', '.join(new_genres)})" if new_genres else ""
    compare = f" The bundled model alone gets {bundled:.0%} of them{unknown}." if bundled is not None else ""
    return (f"Learned from {plural(labelled, 'corrected track')}. On your own labels it gets "
            f"<b>{accuracy:.0%}</b> right ({how}: each label is predicted by a model that never saw it)."
            f"{compare}")


def genre_accuracy(card: dict, genre: str) -> float | None:
    """Cross-validated accuracy on the user's tracks of one genre (None: too few to test)."""
    entry = ((card.get("cross_validation") or {}).get("per_genre") or {}).get(genre) or {}
    value = entry.get("accuracy")
    return float(value) if isinstance(value, (int, float)) else None


def other_genres_text(card: dict) -> str:
    """Whether the library holds genres the user never corrected, and how much the bundled model's
    sure calls of them count in the user's model (the card's "anchors", core/personal_training.py);
    "" when there was nothing to estimate."""
    anchors = card.get("anchors") or {}
    factor = anchors.get("other_genres_weight_factor")
    if anchors.get("other_genres_in_library") is None or factor is None:
        return ""
    if factor >= 1:
        return ("Your library holds music of genres you never corrected: the bundled model's surest calls of "
                "those genres show your model what they sound like here.")
    return ("Your library seems to hold little or no music of genres you never corrected, so the bundled "
            f"model's calls of those genres, which would then mostly be its mistakes, count for {factor:.0%} "
            "of their weight. If it does hold other genres, correct a few of their tracks too: a genre you "
            "correct learns from your own examples.")


class LearnSummaryDialog(QDialog):
    def __init__(self, summary: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("What your model learned")
        self.setObjectName("learnSummary")
        self.summary = summary
        body = QWidget()
        layout = QVBoxLayout(body)

        self.headline = QLabel(f"<h2>{headline(summary.changed, summary.confident_before, summary.confident_after)}</h2>")
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.headline)
        self.accuracy = QLabel(accuracy_text(summary.cv_accuracy, summary.cv_bundled_accuracy,
                                             summary.cv_folds, summary.labelled, summary.new_genres))
        self.accuracy.setWordWrap(True)
        layout.addWidget(self.accuracy)
        decided = QLabel(f"Your model now decides the genre of {plural(summary.decided_by_personal, 'track')}: "
                         "the Source column says “your model” for them.")
        decided.setWordWrap(True)
        decided.setObjectName("hint")
        layout.addWidget(decided)
        if not summary.complete:
            partial = QLabel("Stopped while classifying the library again: the rest of the tracks "
                             "follow at the next scan or learning.")
            partial.setWordWrap(True)
            layout.addWidget(partial)

        layout.addWidget(_heading("Tracks per genre"))
        self.chart = BeforeAfterChart()
        self.chart.set_counts(summary.counts_before, summary.counts_after)
        layout.addWidget(self.chart)

        layout.addWidget(_heading("What it learned from"))
        self.examples = QTreeWidget()
        self.examples.setRootIsDecorated(False)
        self.examples.setUniformRowHeights(True)
        self.examples.setSelectionMode(QTreeWidget.SelectionMode.NoSelection)
        self.examples.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.examples.setHeaderLabels(["Genre", "Your examples", "Right (cross-validated)", ""])
        for column in range(3):
            self.examples.header().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        need = summary.min_examples
        for genre, n in sorted(summary.examples.items(), key=lambda kv: (-kv[1], kv[0].lower())):
            accuracy = genre_accuracy(summary.card, genre)
            notes = []
            if genre in summary.new_genres:
                notes.append("new: the bundled model does not know it")
            if n < need:
                notes.append(f"too few: correct {need - n} more to teach and test it")
            item = QTreeWidgetItem([genre, f"{n:,}", "—" if accuracy is None else f"{accuracy:.0%}",
                                    "; ".join(notes)])
            item.setIcon(0, color_icon(genre_color(genre)))
            for column in (1, 2):
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if n < need:
                item.setForeground(3, QBrush(QColor(TOO_FEW_COLOR)))
            self.examples.addTopLevelItem(item)
        row_height = max(18, self.examples.sizeHintForRow(0))
        self.examples.setFixedHeight(min(240, self.examples.header().sizeHint().height()
                                         + row_height * max(1, len(summary.examples)) + 6))
        layout.addWidget(self.examples)
        self.too_few = QLabel(self._too_few_text())
        self.too_few.setWordWrap(True)
        self.too_few.setObjectName("hint")
        self.too_few.setVisible(bool(self.too_few.text()))
        layout.addWidget(self.too_few)
        self.other_genres = QLabel(other_genres_text(summary.card))
        self.other_genres.setWordWrap(True)
        self.other_genres.setObjectName("hint")
        self.other_genres.setVisible(bool(self.other_genres.text()))
        layout.addWidget(self.other_genres)
        layout.addStretch(1)

        scroll = QScrollArea()  # a small screen scrolls rather than squeezing the chart
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        self.body = body
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.addWidget(scroll, 1)
        outer.addWidget(buttons)
        room = self.screen().availableGeometry().height() - 80 if self.screen() is not None else 800
        self.resize(760, max(360, min(room, body.sizeHint().height() + 70)))

    def _too_few_text(self) -> str:
        few = [g for g, n in self.summary.examples.items() if n < self.summary.min_examples]
        if not few:
            return ""
        them = "this genre" if len(few) == 1 else "these genres"
        return (f"Too few examples of {', '.join(sorted(few, key=str.lower))} (fewer than "
                f"{self.summary.min_examples} tracks): your model hardly knows {them} and its accuracy "
                f"cannot be tested. Correct a few more tracks of {them} (the Review queue helps), then "
                "learn again.")


def _heading(text: str) -> QLabel:
    label = QLabel(f"<b>{text}</b>")
    label.setObjectName("sectionHeading")
    return label
