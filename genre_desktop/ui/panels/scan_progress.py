"""Scan progress in the status bar: done/total, current file, ETA, Cancel.

It shows up only when a scan has run for ~0.5 s, so quick incremental rescans do not flash.
"""

from __future__ import annotations

from pathlib import PurePath

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

SHOW_AFTER_MS = 500


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"about {max(seconds, 1)} s left"
    minutes, _ = divmod(seconds, 60)
    if minutes < 90:
        return f"about {minutes} min left"
    return f"about {minutes / 60:.1f} h left"


class ScanProgressWidget(QWidget):
    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.label.setMinimumWidth(280)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.bar = QProgressBar()
        self.bar.setFixedWidth(180)
        self.bar.setFormat("%v / %m")
        self.cancel_button = QToolButton()
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolTip("Stop the scan (tracks analysed so far are kept)")
        self.cancel_button.clicked.connect(self._on_cancel)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self._reveal = QTimer(self)
        self._reveal.setSingleShot(True)
        self._reveal.timeout.connect(self.show)
        self.hide()

    def start(self) -> None:
        self.bar.setRange(0, 0)  # busy until the first total arrives
        self.label.setText("Looking for music files…")
        self.cancel_button.setEnabled(True)
        self._reveal.start(SHOW_AFTER_MS)

    def update_progress(self, done: int, total: int, current: str, eta: float | None,
                        phase: str = "analysing") -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        name = PurePath(current).name if current else ""
        verb = "Classifying" if phase == "classifying" else "Analysing"
        if phase == "finding" or not total:
            parts = [f"Looking for music files… ({done:,} found)" if done else "Looking for music files…"]
        else:
            parts = [f"{verb} {done:,} of {total:,}"]
        if name:
            parts.append(name)
        if eta_text := format_eta(eta):
            parts.append(eta_text)
        self.label.setText(" · ".join(parts))

    def stop(self) -> None:
        self._reveal.stop()
        self.hide()

    def _on_cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.label.setText("Stopping…")
        self.cancelRequested.emit()
