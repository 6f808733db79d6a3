"""The selected track: genre probabilities, the analysed windows over time, tags, and a genre
combo box to correct it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from genre_desktop.core.genre_vocabulary import genre_key
from genre_desktop.ui.itemmodels.columns import format_duration
from genre_desktop.ui.widgets.probability_bars import ProbabilityBars
from genre_desktop.ui.widgets.sounds_like_tags import SoundsLikeTags
from genre_desktop.ui.widgets.window_timeline import WindowTimeline

CLEAR_CHOICE = "__clear__"
OTHER_CHOICE = "__other__"


def decisive_window(detail: Any) -> int | None:
    """Index of the window with the highest probability for the track's genre (the part that
    decided it); None when nothing was analysed."""
    windows = getattr(detail, "windows", None) or []
    if not windows:
        return None
    genre = detail.row.genre
    if not any(genre in w.probabilities for w in windows):
        probabilities = detail.probabilities or {}
        genre = max(probabilities, key=probabilities.get) if probabilities else windows[0].genre
    return max(range(len(windows)), key=lambda i: windows[i].probabilities.get(genre, 0.0))


class DetailPanel(QScrollArea):
    genreChosen = Signal(object)  # str, or None to clear the correction
    otherGenreRequested = Signal()
    playDecisiveRequested = Signal()
    playFromRequested = Signal(float)
    moreLikeThisRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detailPanel")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(220)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setSpacing(8)

        self.title = QLabel("No track selected")
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.subtitle = QLabel("")
        self.subtitle.setWordWrap(True)
        self.verdict = QLabel("")
        self.verdict.setWordWrap(True)
        self.verdict.setObjectName("verdict")

        genre_row = QHBoxLayout()
        genre_row.addWidget(QLabel("Genre:"))
        self.genre_combo = QComboBox()
        self.genre_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.genre_combo.setMinimumContentsLength(10)
        self.genre_combo.setToolTip("Correct the genre (Ctrl+1…Ctrl+0, Ctrl+G for any genre)")
        self.genre_combo.activated.connect(self._on_combo)
        genre_row.addWidget(self.genre_combo, 1)

        self.bars = ProbabilityBars()
        self.timeline = WindowTimeline()
        self.timeline.windowClicked.connect(self.playFromRequested)
        self.play_decisive = QPushButton("Play the part that decided")
        self.play_decisive.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.play_decisive.setToolTip("Play from the analysed window that counted most for this genre (Ctrl+D)")
        self.play_decisive.clicked.connect(self.playDecisiveRequested)

        self.sounds_like = SoundsLikeTags()
        self.more_like_this = QPushButton("More like this")
        self.more_like_this.setToolTip("Tracks in the library that sound like this one (Ctrl+Shift+M)")
        self.more_like_this.clicked.connect(self.moreLikeThisRequested)

        self.tags = QFormLayout()
        self.tags.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self._tag_labels: dict[str, QLabel] = {}
        for key in ("Title", "Artist", "Album", "Year", "Genre tag", "Length", "Format", "Path",
                    "Model", "Corrections"):
            value = QLabel("")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.tags.addRow(f"{key}:", value)
            self._tag_labels[key] = value

        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addLayout(genre_row)
        layout.addWidget(self.verdict)
        layout.addWidget(self._heading("Sounds like"))
        layout.addWidget(self.sounds_like)
        layout.addWidget(self.more_like_this)
        layout.addWidget(self._heading("How likely each genre is"))
        layout.addWidget(self.bars)
        layout.addWidget(self._heading("What the model heard, part by part"))
        layout.addWidget(self.timeline)
        layout.addWidget(self.play_decisive)
        layout.addWidget(self._heading("File"))
        layout.addLayout(self.tags)
        layout.addStretch(1)
        self.setWidget(body)
        self.detail: Any = None
        self.decisive_index: int | None = None
        self.set_genres([])
        self.show_detail(None)

    @staticmethod
    def _heading(text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setObjectName("sectionHeading")
        font = QFont(label.font())
        font.setBold(True)
        label.setFont(font)
        return label

    def set_genres(self, genres: list[str]) -> None:
        """The choices of the combo box: the model's genres plus any custom ones in use."""
        self._genres = list(genres)
        self._rebuild_combo()

    def _rebuild_combo(self) -> None:
        combo = self.genre_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("Model's guess (no correction)", CLEAR_CHOICE)
        for genre in self._genres:
            combo.addItem(genre, genre)
        current = self.detail.row.genre if self.detail is not None else None
        if current and current not in self._genres:
            combo.addItem(current, current)
        combo.addItem("Other genre…", OTHER_CHOICE)
        if self.detail is not None and self.detail.row.genre_source == "you":
            combo.setCurrentIndex(max(0, combo.findData(current)))
        else:
            combo.setCurrentIndex(0)
        combo.blockSignals(False)

    def _on_combo(self, index: int) -> None:
        choice = self.genre_combo.itemData(index)
        if choice == OTHER_CHOICE:
            self.otherGenreRequested.emit()
            self._rebuild_combo()
        elif choice == CLEAR_CHOICE:
            self.genreChosen.emit(None)
        else:
            self.genreChosen.emit(choice)

    def show_detail(self, detail: Any, threshold: float | None = None) -> None:
        self.detail = detail
        enabled = detail is not None
        for widget in (self.genre_combo, self.play_decisive, self.more_like_this):
            widget.setEnabled(enabled)
        if detail is None:
            self.title.setText("No track selected")
            self.subtitle.setText("Select a track to see why it got its genre.")
            self.verdict.setText("")
            self.verdict.hide()
            self.bars.set_probabilities({})
            self.timeline.set_windows(None, [])
            for label in self._tag_labels.values():
                label.setText("")
            self.decisive_index = None
            self._rebuild_combo()
            return
        row = detail.row
        self.title.setText(row.title or "(untitled)")
        self.subtitle.setText(" — ".join(x for x in (row.artist, row.album) if x) or "Unknown artist")
        self.verdict.setText(verdict_text(row, detail.probabilities, threshold))
        self.verdict.show()
        self.bars.set_probabilities(detail.probabilities, highlight=row.genre, threshold=threshold)
        self.decisive_index = decisive_window(detail)
        self.timeline.set_windows(row.duration, detail.windows, self.decisive_index)
        self.play_decisive.setEnabled(self.decisive_index is not None)
        codec = " · ".join(str(x) for x in (
            detail.codec, f"{detail.samplerate} Hz" if detail.samplerate else None,
            {1: "mono", 2: "stereo"}.get(detail.channels or 0)) if x)
        values = {
            "Title": row.title or "", "Artist": row.artist or "", "Album": row.album or "",
            "Year": str(row.year) if row.year else "", "Genre tag": tag_text(row),
            "Length": format_duration(row.duration), "Format": codec,
            "Path": getattr(row, "display_path", row.path),
            # "bundled+personal" versions: spaced, so the label can wrap in a narrow panel.
            "Model": (detail.model_version or "not analysed").replace("+", " + "),
            "Corrections": correction_history(detail.labels),
        }
        for key, text in values.items():
            self._tag_labels[key].setText(text)
        self._rebuild_combo()

    def set_position(self, seconds: float | None) -> None:
        self.timeline.set_position(seconds)


def verdict_text(row: Any, probabilities: dict[str, float] | None = None,
                 threshold: float | None = None) -> str:
    """Which genre is shown and why; a file tag is never paired with the model's number."""
    if row.genre is None:
        return "Not analysed yet."
    if row.genre_source == "you":
        return f"You set this track to {row.genre}. Your choice always wins."
    conf = f"{row.confidence:.0%}" if row.confidence is not None else "?"
    if row.genre_source == "file tag":
        shown = f"Shown: {row.genre}, from the file's genre tag"
        if genre_key(row.tag_genre or "") != genre_key(row.genre):
            shown += f' "{row.tag_genre}"'
        limit = f" (below the {threshold:.0%} threshold)" if threshold is not None else ""
        if probabilities:
            best = max(probabilities, key=probabilities.get)
            guess = f"its best guess is {best} at {probabilities[best]:.0%}{limit}"
        else:
            guess = f"it is only {conf} sure{limit}"
        return f"{shown}. The model is unsure: {guess}, so the tag is shown."
    if row.genre_source == "personal model":
        if row.uncertain:
            return (f"Uncertain: your model (learned from your corrections) leans to {row.genre} "
                    f"but is only {conf} sure.")
        return f"Your model, learned from your corrections, says {row.genre} and is {conf} sure."
    if row.uncertain:
        return f"Uncertain: the model leans to {row.genre} but is only {conf} sure."
    return f"The model says {row.genre} and is {conf} sure."


def tag_text(row: Any) -> str:
    """The raw genre tag, and the canonical genre it counts as when that is spelled otherwise."""
    raw = row.tag_genre or ""
    if not raw:
        return ""
    mapped = row.genre if row.genre_source == "file tag" else None
    if mapped and genre_key(mapped) != genre_key(raw):
        return f"{raw} (counted as {mapped})"
    return raw


def correction_history(labels: list[Any]) -> str:
    if not labels:
        return "none"
    last = labels[-1]
    when = datetime.fromtimestamp(last.created_at).strftime("%Y-%m-%d %H:%M")
    latest = last.genre or "cleared"
    return f"{len(labels)} (latest: {latest}, {when})"
