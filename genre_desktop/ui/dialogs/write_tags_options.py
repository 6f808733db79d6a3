"""The options of a tag write: which genres, which files, whether moods and styles go too, and
how the tags are written."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup, QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLineEdit, QRadioButton, QSpinBox, QWidget,
)

from genre_desktop.library.tag_batch import WriteOptions

DEFAULT_SEPARATOR = "; "


class WriteTagsOptionsForm(QWidget):
    changed = Signal()  # any option that changes the plan

    def __init__(self, threshold: float, selected_count: int, whole_library: bool,
                 parent: QWidget | None = None, model_genres: bool = False,
                 min_confidence: float | None = None, sound_tags: bool = False) -> None:
        """model_genres, min_confidence and sound_tags: the user's last choice (default: only
        corrections, at the library's threshold, no moods or styles)."""
        super().__init__(parent)
        self._default_percent = round(threshold * 100)

        self.scope = QComboBox()
        self.scope.addItem(f"The {selected_count:,} selected track{'s' if selected_count != 1 else ''}", False)
        self.scope.addItem("The whole library", True)
        if not selected_count:
            self.scope.model().item(0).setEnabled(False)
        self.scope.setCurrentIndex(1 if whole_library or not selected_count else 0)
        self.scope.setToolTip("Which tracks' files to write")

        self.only_corrections = QRadioButton("Only my corrections")
        self.only_corrections.setToolTip("Write only the genres you set yourself")
        self.with_model = QRadioButton("Also the model's genres, when at least")
        self.with_model.setToolTip("Also write the genre the model (or your model) chose, "
                                   "when it is at least this sure. Your corrections are always written.")
        self.min_confidence = QSpinBox()
        self.min_confidence.setRange(0, 100)
        self.min_confidence.setSuffix(" % sure")
        self.min_confidence.setValue(self._default_percent if min_confidence is None
                                     else round(min_confidence * 100))
        self.min_confidence.setToolTip(f"Model genres below this confidence are not written "
                                       f"(the library's uncertainty threshold is {self._default_percent} %)")
        self._source = QButtonGroup(self)
        self._source.addButton(self.only_corrections)
        self._source.addButton(self.with_model)
        (self.with_model if model_genres else self.only_corrections).setChecked(True)
        model_row = QHBoxLayout()
        model_row.addWidget(self.with_model)
        model_row.addWidget(self.min_confidence)
        model_row.addStretch(1)

        self.sound_tags = QCheckBox("Also write mood and style")
        self.sound_tags.setObjectName("writeSoundTags")
        self.sound_tags.setChecked(sound_tags)
        self.sound_tags.setToolTip(
            "Also write the track's Sounds-like mood and style tags (those the Track panel shows, "
            "at most three each) into the file's mood and style fields. A file's own mood or style "
            "is kept unless you replace existing tags.")

        self.existing = QComboBox()
        self.existing.addItem("Leave them untouched", False)
        self.existing.addItem("Replace their genre", True)
        self.existing.setToolTip("A file whose genre tag is already filled in keeps it (and its other "
                                 "tags), unless you choose to replace it")

        self.id3_version = QComboBox()
        self.id3_version.addItem("ID3v2.4 (recommended)", 4)
        self.id3_version.addItem("ID3v2.3 (older players and car stereos)", 3)
        self.id3_version.setToolTip("The tag version written to MP3 (and WAV/AIFF) files. "
                                    "Other formats have one tag format and ignore this.")

        self.separator_mode = QComboBox()
        self.separator_mode.addItem("Native (one value per genre)", False)
        self.separator_mode.addItem("Joined in one text with", True)
        self.separator_mode.setToolTip("How a file with several genres stores them. Native keeps each "
                                       "genre separate; some older players show only the first, "
                                       "so they may prefer one joined text such as “Rock; Pop”.")
        self.separator = QLineEdit(DEFAULT_SEPARATOR)
        self.separator.setMaximumWidth(60)
        self.separator.setToolTip("The text put between genres, e.g. “; ” or “ / ”")
        separator_row = QHBoxLayout()
        separator_row.addWidget(self.separator_mode)
        separator_row.addWidget(self.separator)
        separator_row.addStretch(1)

        left = QFormLayout()
        left.addRow("Tracks:", self.scope)
        left.addRow("Genres:", self.only_corrections)
        left.addRow("", model_row)
        left.addRow("Sounds like:", self.sound_tags)
        right = QFormLayout()
        right.addRow("Files that have a genre:", self.existing)
        right.addRow("MP3 tag version:", self.id3_version)
        right.addRow("Several genres:", separator_row)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(left, 1)
        layout.addSpacing(24)
        layout.addLayout(right, 1)

        for signal in (self.scope.currentIndexChanged, self.existing.currentIndexChanged,
                       self.id3_version.currentIndexChanged, self.separator_mode.currentIndexChanged,
                       self.min_confidence.valueChanged, self.separator.textChanged):
            signal.connect(self._on_changed)
        self._source.buttonToggled.connect(lambda _b, checked: checked and self._on_changed())
        self.sound_tags.toggled.connect(self._on_changed)
        self._sync_enabled()

    @property
    def whole_library(self) -> bool:
        return bool(self.scope.currentData())

    def remembered(self) -> tuple[bool, float | None, bool]:
        """(model genres too, their minimum confidence or None for the threshold, moods and
        styles too): to store."""
        percent = self.min_confidence.value()
        return (self.with_model.isChecked(), None if percent == self._default_percent else percent / 100,
                self.sound_tags.isChecked())

    def options(self) -> WriteOptions:
        percent = self.min_confidence.value()
        joined = bool(self.separator_mode.currentData())
        return WriteOptions(
            only_corrections=self.only_corrections.isChecked(),
            # Untouched, it means "the library's threshold" exactly, not its rounded percentage.
            min_confidence=None if percent == self._default_percent else percent / 100,
            replace_existing=bool(self.existing.currentData()),
            id3_version=int(self.id3_version.currentData()),
            separator=(self.separator.text() or DEFAULT_SEPARATOR) if joined else None,
            sound_tags=self.sound_tags.isChecked(),
        )

    def _on_changed(self, *_args) -> None:
        self._sync_enabled()
        self.changed.emit()

    def _sync_enabled(self) -> None:
        self.min_confidence.setEnabled(self.with_model.isChecked())
        self.separator.setEnabled(bool(self.separator_mode.currentData()))
