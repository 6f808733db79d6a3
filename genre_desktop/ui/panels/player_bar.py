"""Preview controls: play/pause, stop, seek, volume, position, and "play the part that decided".

Drives services.playback_service.PlaybackService. When no sound output exists the controls are
disabled and the reason is shown; nothing else changes.
"""

from __future__ import annotations

from pathlib import PurePath

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QStyle, QToolButton, QWidget

from genre_desktop.ui.itemmodels.columns import format_duration
from genre_desktop.ui.widgets.elided_label import ElidedLabel

SLIDER_STEPS_PER_SECOND = 10


class PlayerBar(QWidget):
    playRequested = Signal()  # play the selected track (when nothing is loaded yet)
    nextRequested = Signal()
    previousRequested = Signal()
    playDecisiveRequested = Signal()
    volumeChanged = Signal(float)

    def __init__(self, playback, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("playerBar")
        self.playback = playback
        self._duration = 0.0
        self._dragging = False
        self.play_button = self._button(QStyle.StandardPixmap.SP_MediaPlay, "Play / pause (Space)",
                                        self.toggle)
        self.stop_button = self._button(QStyle.StandardPixmap.SP_MediaStop, "Stop", self.stop)
        self.previous_button = self._button(QStyle.StandardPixmap.SP_MediaSkipBackward,
                                            "Previous track (Ctrl+Shift+Left)", self.previousRequested.emit)
        self.next_button = self._button(QStyle.StandardPixmap.SP_MediaSkipForward,
                                        "Next track (Ctrl+Shift+Right)", self.nextRequested.emit)
        self.decisive_button = self._button(QStyle.StandardPixmap.SP_MediaSeekForward,
                                            "Play the part that decided the genre (Ctrl+D)",
                                            self.playDecisiveRequested.emit)
        self.decisive_button.setText("Part that decided")
        self.decisive_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.seek = QSlider(Qt.Orientation.Horizontal)
        self.seek.setRange(0, 0)
        self.seek.setToolTip("Seek")
        self.seek.sliderPressed.connect(lambda: setattr(self, "_dragging", True))
        self.seek.sliderReleased.connect(self._on_seek_released)
        self.position_label = QLabel("0:00 / 0:00")
        self.position_label.setMinimumWidth(self.position_label.fontMetrics().horizontalAdvance("00:00 / 00:00"))
        self.now_playing = ElidedLabel("Nothing playing", minimum_chars=10)
        self.now_playing.setMaximumWidth(320)
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setRange(0, 100)
        self.volume.setFixedWidth(90)
        self.volume.setToolTip("Volume")
        self.volume.setValue(round(playback.volume * 100))
        self.volume.valueChanged.connect(self._on_volume)
        self.message = ElidedLabel("")
        self.message.setObjectName("hint")
        self.message.hide()

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        for widget in (self.previous_button, self.play_button, self.next_button, self.stop_button,
                       self.decisive_button):
            layout.addWidget(widget)
        layout.addWidget(self.now_playing)
        layout.addWidget(self.seek, 1)
        layout.addWidget(self.position_label)
        speaker = QLabel()
        speaker.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaVolume).pixmap(16, 16))
        layout.addWidget(speaker)
        layout.addWidget(self.volume)
        layout.addWidget(self.message, 1)

        playback.positionChanged.connect(self._on_position)
        playback.stateChanged.connect(self._on_state)
        playback.unavailable.connect(self.set_unavailable)
        playback.error.connect(self._on_error)
        playback.trackLoaded.connect(self._on_loaded)
        if not playback.available:
            self.set_unavailable(playback.unavailable_reason or "Preview is unavailable.")

    def _button(self, icon: QStyle.StandardPixmap, tip: str, slot) -> QToolButton:
        button = QToolButton()
        button.setIcon(self.style().standardIcon(icon))
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        return button

    # -- commands -------------------------------------------------------------------------------
    def play(self, path: str, start: float | None = None, title: str | None = None) -> None:
        """title: what "now playing" says (title — artist); the file name when not given."""
        self.now_playing.setText(title or PurePath(path).name)
        self.now_playing.setToolTip(path)
        self.playback.play_file(path, start)

    def toggle(self) -> None:
        if self.playback.current_path is None:
            self.playRequested.emit()
        else:
            self.playback.toggle()

    def stop(self) -> None:
        self.playback.stop()

    def seek_by(self, seconds: float) -> None:
        if self.playback.current_path is not None:
            self.playback.seek(max(0.0, self.playback.position + seconds))

    # -- feedback -------------------------------------------------------------------------------
    def set_unavailable(self, reason: str) -> None:
        for widget in (self.play_button, self.stop_button, self.previous_button, self.next_button,
                       self.decisive_button, self.seek, self.volume):
            widget.setEnabled(False)
        self.now_playing.setText("Preview unavailable")
        self.message.setText(reason)
        self.message.setToolTip(reason)
        self.message.show()
        self.seek.hide()
        self.position_label.hide()

    @property
    def is_available(self) -> bool:
        return self.play_button.isEnabled()

    def _on_error(self, message: str) -> None:
        self.now_playing.setText("Could not play this file")
        self.now_playing.setToolTip(message)

    def _on_loaded(self, path: str, duration: float) -> None:
        self._duration = duration
        self.seek.setRange(0, int(duration * SLIDER_STEPS_PER_SECOND))

    def _on_position(self, seconds: float) -> None:
        self._duration = self.playback.duration or self._duration
        if self.seek.maximum() == 0 and self._duration:
            self.seek.setRange(0, int(self._duration * SLIDER_STEPS_PER_SECOND))
        if not self._dragging:
            self.seek.setValue(int(seconds * SLIDER_STEPS_PER_SECOND))
        self.position_label.setText(f"{format_duration(seconds)} / {format_duration(self._duration)}")

    def _on_state(self, state: str) -> None:
        icon = QStyle.StandardPixmap.SP_MediaPause if state == "playing" else QStyle.StandardPixmap.SP_MediaPlay
        self.play_button.setIcon(self.style().standardIcon(icon))

    def _on_seek_released(self) -> None:
        self._dragging = False
        self.playback.seek(self.seek.value() / SLIDER_STEPS_PER_SECOND)

    def _on_volume(self, value: int) -> None:
        self.playback.volume = value / 100
        self.volumeChanged.emit(value / 100)
