"""The "Your model" part of the model card: what the model learned from your corrections."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from genre_desktop.ui.genre_colors import genre_color, text_color_on

NO_MODEL_TEXT = ("You have no model of your own yet. Correct some genres, then choose "
                 "<i>Model → Learn from my corrections</i> (Ctrl+L): a model trained on your "
                 "answers then works together with the bundled one, and can learn genres it does not know.")


def genre_chips(examples: dict[str, int], min_examples: int) -> str:
    chips = []
    for genre, n in sorted(examples.items(), key=lambda kv: (-kv[1], kv[0].lower())):
        background = genre_color(genre)
        style = f"background:{background.name()}; color:{text_color_on(background).name()};"
        few = " (too few)" if n < min_examples else ""
        chips.append(f"<span style='{style}'>&nbsp;{genre} {n}{few}&nbsp;</span>")
    return " ".join(chips)


class PersonalModelSection(QWidget):
    def __init__(self, info: Any | None, parent: QWidget | None = None) -> None:
        """info: personalize.PersonalStatus (None: unknown, shown as no model)."""
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<h3>Your model</h3>"))
        self.values: dict[str, QLabel] = {}
        if info is None or info.trained_at is None:
            text = QLabel(f"<p>{NO_MODEL_TEXT}</p>")
            text.setWordWrap(True)
            layout.addWidget(text)
            self.values["Status"] = text
            return
        form = QFormLayout()
        trained = datetime.fromtimestamp(info.trained_at).strftime("%Y-%m-%d %H:%M")
        accuracy = (f"{info.cv_accuracy:.1%} ({info.cv_folds}-fold cross-validation on your labels)"
                    if info.cv_accuracy is not None else "not measured yet (too few corrections)")
        if info.cv_accuracy is not None and info.cv_bundled_accuracy is not None:
            accuracy += f"; the bundled model alone: {info.cv_bundled_accuracy:.1%}"
        in_use = "yes" if info.enabled else "no (Use bundled model only is on)"
        if info.problem:
            in_use = f"no: {info.problem}"
        rows = {
            "Trained": trained,
            "Learned from": f"{info.labelled:,} corrected tracks",
            "Accuracy on your labels": accuracy,
            "New genres": ", ".join(info.new_genres) or "none (it refines the bundled model's genres)",
            "In use": in_use,
        }
        for key, value in rows.items():
            label = QLabel(value)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(f"{key}:", label)
            self.values[key] = label
        layout.addLayout(form)
        chips = QLabel(f"<p>Examples per genre: {genre_chips(info.examples, info.min_examples)}</p>")
        chips.setWordWrap(True)
        layout.addWidget(chips)
        self.values["Examples"] = chips
        few = [g for g, n in info.examples.items() if n < info.min_examples]
        if few:
            note = QLabel(f"Genres with fewer than {info.min_examples} examples are not learned "
                          "reliably yet: correct a few more tracks of them.")
            note.setWordWrap(True)
            note.setObjectName("hint")
            layout.addWidget(note)
