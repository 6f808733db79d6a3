"""What learning from your corrections changed, in plain words: how many tracks changed genre and to
what, how many tracks of genres the user never corrected changed (near zero, or the dialog says so),
tracks per genre before and after, how well the model does on the user's own labels, and which
genres need more examples."""

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


UNTOUCHED_WARNING_SHARE = 0.02  # more of the other genres' tracks changing than this is worth a word


def headline(changed: int) -> str:
    """"312 tracks changed genre"."""
    return "No track changed genre" if changed == 0 else f"{plural(changed, 'track')} changed genre"


def confident_text(before: int, after: int) -> str:
    return f"Tracks the model is sure of: {before:,} before, {after:,} now."


def moves_text(moves: list[dict[str, Any]], shown: int = 6) -> str:
    """"8 from rock to Electronic, 3 from pop to rock, and 2 more"."""
    parts = [f"{m['tracks']:,} from {m['from'] or 'no genre'} to {m['to'] or 'no genre'}" for m in moves[:shown]]
    rest = sum(m["tracks"] for m in moves[shown:])
    if rest:
        parts.append(f"{rest:,} more")
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1] + "." if parts else ""


def untouched_text(untouched: int, changed: int) -> str:
    """What happened to the tracks of genres the user never corrected ("" when there are none)."""
    if untouched == 0:
        return ""
    if changed == 0:
        return f"None of the {plural(untouched, 'track')} of genres you never corrected changed."
    if changed <= UNTOUCHED_WARNING_SHARE * untouched:
        return f"Of the {plural(untouched, 'track')} of genres you never corrected, {changed:,} changed."
    return (f"<b>{changed:,} of the {plural(untouched, 'track')} of genres you never corrected changed</b>, "
            "more than expected: they sound like the tracks you corrected. Check them in the library, and "
            "correct a few of their genres too.")


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


class LearnSummaryDialog(QDialog):
    def __init__(self, summary: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("What your model learned")
        self.setObjectName("learnSummary")
        self.summary = summary
        body = QWidget()
        layout = QVBoxLayout(body)

        self.headline = QLabel(f"<h2>{headline(summary.changed)}</h2>")
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.headline)
        self.moves = QLabel(moves_text(summary.moves))
        self.moves.setWordWrap(True)
        self.moves.setVisible(bool(self.moves.text()))
        layout.addWidget(self.moves)
        self.untouched = QLabel(untouched_text(summary.untouched, summary.untouched_changed))
        self.untouched.setWordWrap(True)
        self.untouched.setTextFormat(Qt.TextFormat.RichText)
        self.untouched.setVisible(bool(self.untouched.text()))
        layout.addWidget(self.untouched)
        self.confident = QLabel(confident_text(summary.confident_before, summary.confident_after))
        self.confident.setObjectName("hint")
        layout.addWidget(self.confident)
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
