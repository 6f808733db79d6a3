"""The Settings dialog's "Your model" box: automatic learning, and using the bundled model only."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QGroupBox, QLabel, QWidget

from genre_desktop.core.settings import Settings

AUTOMATIC_CHOICES = (0, 5, 10, 25)  # new corrections before learning again by itself; 0 = off


def automatic_label(every: int) -> str:
    return "Off: only when I choose Learn from my corrections" if every <= 0 else f"After {every} new corrections"


class PersonalSettingsBox(QGroupBox):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__("Your model (learned from your corrections)", parent)
        self.automatic = QComboBox()
        choices = list(AUTOMATIC_CHOICES)
        if settings.learn_after_corrections not in choices:  # a value set by hand in the file
            choices = sorted(choices + [int(settings.learn_after_corrections)])
        for every in choices:
            self.automatic.addItem(automatic_label(every), every)
        self.automatic.setCurrentIndex(self.automatic.findData(int(settings.learn_after_corrections)))
        self.automatic.setToolTip("Learn again by itself, in the background, once you have corrected "
                                  "this many tracks since the last learning")
        self.bundled_only = QCheckBox("Use bundled model only")
        self.bundled_only.setChecked(not settings.use_personal_model)
        self.bundled_only.setToolTip("Show the bundled model's genres and ignore your model (it is kept, "
                                     "and the library is classified again in the background)")
        hint = QLabel("Your corrections always win either way.")
        hint.setObjectName("hint")
        form = QFormLayout(self)
        form.addRow("Learn automatically:", self.automatic)
        form.addRow("", self.bundled_only)
        form.addRow("", hint)

    def apply_to(self, settings: Settings) -> None:
        settings.learn_after_corrections = int(self.automatic.currentData())
        settings.use_personal_model = not self.bundled_only.isChecked()
