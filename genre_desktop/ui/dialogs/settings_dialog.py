"""Settings: music folders, worker processes, uncertainty threshold, windows per track, your model."""

from __future__ import annotations

import copy
import os

from PySide6.QtWidgets import (
    QCheckBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog, QFormLayout, QGroupBox,
    QHBoxLayout, QLabel, QListWidget, QPushButton, QSpinBox, QVBoxLayout, QWidget,
)

from genre_desktop.core.settings import Settings
from genre_desktop.ui.dialogs.personal_settings import PersonalSettingsBox


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, model_threshold: float | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.resize(560, 560)
        self._original = settings
        self._model_threshold = model_threshold

        folders_box = QGroupBox("Music folders")
        self.folders = QListWidget()
        self.folders.addItems(settings.music_folders)
        add = QPushButton("Add…")
        add.clicked.connect(self._ask_folder)
        remove = QPushButton("Remove")
        remove.setToolTip("Forget this folder and its tracks (your corrections are kept)")
        remove.clicked.connect(self._remove_selected)
        buttons = QVBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        row = QHBoxLayout(folders_box)
        row.addWidget(self.folders, 1)
        row.addLayout(buttons)
        self.watch = QCheckBox("Rescan automatically when files change in these folders")
        self.watch.setChecked(settings.watch_folders)

        cores = os.cpu_count() or 1
        self.workers = QSpinBox()
        self.workers.setRange(0, max(32, cores * 2))
        self.workers.setSpecialValueText(f"automatic ({cores})")
        self.workers.setValue(settings.workers)
        self.workers.setToolTip("How many processes analyse audio in parallel while scanning")

        self.windows = QSpinBox()
        self.windows.setRange(1, 10)
        self.windows.setValue(settings.windows_per_track)
        self.windows.setToolTip("How many 30-second parts of each track the model listens to. "
                                "More is slower but steadier. Applies to tracks scanned from now on.")

        recommended = f" ({model_threshold:.0%})" if model_threshold is not None else ""
        self.use_model_threshold = QCheckBox(f"Use the model's recommendation{recommended}")
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(0.05, 0.99)
        self.threshold.setSingleStep(0.05)
        self.threshold.setDecimals(2)
        self.threshold.setValue(settings.uncertainty_threshold or model_threshold or 0.5)
        self.use_model_threshold.toggled.connect(lambda on: self.threshold.setEnabled(not on))
        self.use_model_threshold.setChecked(settings.uncertainty_threshold is None)
        self.threshold.setEnabled(settings.uncertainty_threshold is not None)

        form = QFormLayout()
        form.addRow("Worker processes:", self.workers)
        form.addRow("Parts analysed per track:", self.windows)
        form.addRow("Uncertain below:", self.threshold)
        form.addRow("", self.use_model_threshold)
        explain = QLabel("A track whose confidence is below the threshold is marked Uncertain.")
        explain.setObjectName("hint")
        explain.setWordWrap(True)
        self.personal = PersonalSettingsBox(settings)

        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(folders_box, 1)
        layout.addWidget(self.watch)
        layout.addLayout(form)
        layout.addWidget(explain)
        layout.addWidget(self.personal)
        layout.addWidget(box)

    def _ask_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add music folder", self._original.start_folder())
        if folder:
            self.add_folder(folder)

    def add_folder(self, folder: str) -> None:
        folder = os.path.abspath(folder)
        if folder not in self.folder_list():
            self.folders.addItem(folder)

    def _remove_selected(self) -> None:
        for item in self.folders.selectedItems():
            self.folders.takeItem(self.folders.row(item))

    def folder_list(self) -> list[str]:
        return [self.folders.item(i).text() for i in range(self.folders.count())]

    def result_settings(self) -> Settings:
        """A copy of the settings with the dialog's values (the original is left alone)."""
        settings = copy.deepcopy(self._original)
        settings.music_folders = self.folder_list()
        settings.workers = self.workers.value()
        settings.windows_per_track = self.windows.value()
        settings.watch_folders = self.watch.isChecked()
        settings.uncertainty_threshold = (None if self.use_model_threshold.isChecked()
                                          else round(self.threshold.value(), 2))
        self.personal.apply_to(settings)
        return settings
