"""The rules half of the playlist dialog: genres, Sounds-like tags to have and not to have,
minimum confidence, limits, order, per artist."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox, QFormLayout, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton,
    QSlider, QSpinBox, QVBoxLayout, QWidget,
)

from genre_desktop.core.playlists import NO_VOCALS, PlaylistRules
from genre_desktop.ui.panels.sidebar import color_icon
from genre_desktop.ui.genre_colors import genre_color
from genre_desktop.ui.widgets.tag_picker import TagPicker

WITH_TIP = ("Only tracks showing all of these tags: what the music tagger hears (Sounds like in the "
            "Track panel). For no vocals, choose instrumental.")
WITHOUT_TIP = ("Leave out tracks showing any of these tags. For no vocals, choose instrumental under "
               "With tags instead: the tagger names a voice on few of the tracks that have one.")

ORDERS = (
    ("confidence", "Most confident first"),
    ("shuffle", "Shuffle"),
    ("smooth", "Smooth (similar tracks side by side)"),
)


class PlaylistRulesForm(QWidget):
    changed = Signal()
    reshuffleRequested = Signal()

    def __init__(self, genres: list[str], counts: dict[str, int], preselect: list[str],
                 parent: QWidget | None = None, min_confidence: float = 0.0,
                 threshold: float | None = None) -> None:
        """min_confidence: where the slider starts (the model's threshold unless the user chose)."""
        super().__init__(parent)
        self.setMinimumWidth(300)
        self.genre_list = QListWidget()
        self.genre_list.setToolTip("Tracks of any checked genre go in (none checked: all genres)")
        names = list(genres) + sorted(g for g in counts if g not in genres)
        for genre in names:
            item = QListWidgetItem(color_icon(genre_color(genre)), f"{genre}  ({counts.get(genre, 0):,})")
            item.setData(Qt.ItemDataRole.UserRole, genre)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if genre in preselect else Qt.CheckState.Unchecked)
            self.genre_list.addItem(item)
        self.genre_list.itemChanged.connect(lambda _item: self.changed.emit())

        self.with_tags = TagPicker("any", {NO_VOCALS: "instrumental (no vocals)"})
        self.with_tags.setToolTip(WITH_TIP)
        self.without_tags = TagPicker("none")
        self.without_tags.setToolTip(WITHOUT_TIP)
        for picker, other in ((self.with_tags, self.without_tags), (self.without_tags, self.with_tags)):
            picker.toggled.connect(lambda key, on, other=other: self._on_tag(other, key, on))

        self.min_confidence = QSlider(Qt.Orientation.Horizontal)
        self.min_confidence.setRange(0, 100)
        self.min_confidence.setSingleStep(5)
        self.min_confidence.setPageStep(10)
        self.min_confidence_label = QLabel()
        self.min_confidence.setValue(round(min_confidence * 100))
        self.min_confidence.valueChanged.connect(self._on_min_confidence)
        limit = f" The model's threshold is {threshold:.0%}: below it a track is uncertain." if threshold else ""
        self.min_confidence.setToolTip("Leave out tracks the model is less sure about "
                                       f"(tracks you labelled always qualify).{limit}")

        self.max_tracks = self._limit_spin(0, 10_000, 25, "no limit", " tracks")
        self.max_minutes = self._limit_spin(0, 10_000, 0, "no limit", " min")
        self.per_artist = self._limit_spin(0, 100, 0, "any number", " per artist")
        self.order = QComboBox()
        for key, text in ORDERS:
            self.order.addItem(text, key)
        self.order.currentIndexChanged.connect(self._on_order)
        self.reshuffle = QPushButton("Reshuffle")
        self.reshuffle.clicked.connect(self.reshuffleRequested)
        self.reshuffle.setVisible(False)

        confidence_row = QHBoxLayout()
        confidence_row.addWidget(self.min_confidence, 1)
        confidence_row.addWidget(self.min_confidence_label)
        order_row = QHBoxLayout()
        order_row.addWidget(self.order, 1)
        order_row.addWidget(self.reshuffle)
        buttons = QHBoxLayout()
        for text, state in (("All", Qt.CheckState.Checked), ("None", Qt.CheckState.Unchecked)):
            button = QPushButton(text)
            button.clicked.connect(lambda _=False, s=state: self._check_all(s))
            buttons.addWidget(button)
        buttons.addStretch(1)

        form = QFormLayout()
        form.addRow("With tags:", self.with_tags)
        form.addRow("Without tags:", self.without_tags)
        form.addRow("Minimum confidence:", confidence_row)
        form.addRow("At most:", self.max_tracks)
        form.addRow("At most:", self.max_minutes)
        form.addRow("Artists:", self.per_artist)
        form.addRow("Order:", order_row)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Genres"))
        layout.addWidget(self.genre_list, 1)
        layout.addLayout(buttons)
        layout.addLayout(form)
        self._on_min_confidence(self.min_confidence.value())

    def _limit_spin(self, low: int, high: int, value: int, none_text: str, suffix: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.setSpecialValueText(none_text)  # shown at the minimum (0)
        spin.setSuffix(suffix)
        spin.setValue(value)
        spin.valueChanged.connect(lambda _v: self.changed.emit())
        return spin

    def _on_tag(self, other: TagPicker, key: str, on: bool) -> None:
        if on:
            other.set_checked(key, False)  # a tag cannot be both wanted and left out
        self.changed.emit()

    def set_tag_counts(self, counts: dict[str, int]) -> None:
        for picker in (self.with_tags, self.without_tags):
            picker.set_counts(counts)

    def _on_min_confidence(self, value: int) -> None:
        self.min_confidence_label.setText(f"{value}%")
        self.changed.emit()

    def _on_order(self, _index: int) -> None:
        self.reshuffle.setVisible(self.order.currentData() == "shuffle")
        self.changed.emit()

    def _check_all(self, state: Qt.CheckState) -> None:
        self.genre_list.blockSignals(True)
        for row in range(self.genre_list.count()):
            self.genre_list.item(row).setCheckState(state)
        self.genre_list.blockSignals(False)
        self.changed.emit()

    def checked_genres(self) -> list[str]:
        items = (self.genre_list.item(r) for r in range(self.genre_list.count()))
        return [i.data(Qt.ItemDataRole.UserRole) for i in items if i.checkState() == Qt.CheckState.Checked]

    def set_checked(self, genres: list[str]) -> None:
        self.genre_list.blockSignals(True)
        for row in range(self.genre_list.count()):
            item = self.genre_list.item(row)
            checked = item.data(Qt.ItemDataRole.UserRole) in genres
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.genre_list.blockSignals(False)
        self.changed.emit()

    def set_rules(self, rules: PlaylistRules) -> None:
        """Show a saved playlist's rules (to edit them)."""
        self.set_checked(list(rules.genres))
        self.with_tags.set_keys(rules.tags)
        self.without_tags.set_keys(rules.without_tags)
        self.min_confidence.setValue(round(rules.min_confidence * 100))
        self.max_tracks.setValue(rules.max_tracks or 0)
        self.max_minutes.setValue(round(rules.max_minutes or 0))
        self.per_artist.setValue(rules.per_artist or 0)
        self.order.setCurrentIndex(max(0, self.order.findData(rules.order)))

    def rules(self, seed: int | None = None) -> PlaylistRules:
        return PlaylistRules(
            genres=self.checked_genres(),
            min_confidence=self.min_confidence.value() / 100,
            max_tracks=self.max_tracks.value() or None,
            max_minutes=float(self.max_minutes.value()) or None,
            order=self.order.currentData(),
            per_artist=self.per_artist.value() or None,
            seed=seed,
            tags=self.with_tags.keys(),
            without_tags=self.without_tags.keys(),
        )
